#!/usr/bin/env bash
# The include rule (docs/design.md): a file of src/lib/<layer>/ includes
# its own layer's headers, util/, the public headers (cachet/...), system
# headers, and the one internal interface each lower layer declares below;
# nothing else of another layer. src/cli includes no header of src/lib.
#
# usage: scripts/check-includes.sh [SRC_DIR]   (default: the tree's src/)
# Prints each offending include as
#   <file>:<line>: includes <x> (layer <a> may not include <b>'s private header)
# and exits 1 when there is one, 0 when there is none.
set -euo pipefail

src=${1:-"$(dirname "${BASH_SOURCE[0]}")/../src"}
if [[ ! -d $src/lib ]]; then
	echo "check-includes: '$src' has no lib directory" >&2
	exit 2
fi

# The layers, lowest first: a layer may use an interface of any layer
# before it in this list, never one after it.
layers="util value codec key digest store catalog engine workflow cli"

# The internal interfaces a layer declares for the layers above it.
# util/ is open to every layer and needs no entry.
interfaces="
value/schema.h                the descriptor tables of the generic messages
value/message.h               walks over any message (free, copy, compare)
value/task_schema.h           Flyte's task messages, for the task-file reader
codec/json.h                  JSON of one message, scalar and time text
digest/digest_internal_api.h  hashers, stat cache and walk, for the store
store/uri.h                   what a store URI is, for the catalog and the engine
"

cd "$src"
# every quoted include, as <file>:<line>:<text>
includes=$(find lib cli -name '*.[ch]' | LC_ALL=C sort |
	xargs grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' || true)
printf '%s\n' "$includes" | grep . |
	awk -v layers="$layers" -v interfaces="$interfaces" '
	BEGIN {
		n = split(layers, order, " ")
		for (i = 1; i <= n; i++)
			rank[order[i]] = i
		m = split(interfaces, lines, "\n")
		for (i = 1; i <= m; i++)
			if (split(lines[i], f, " ") > 0)
				open_header[f[1]] = 1
		bad = 0
	}
	{
		# <file>:<line>:#include "<header>"
		file = $0; sub(/:.*/, "", file)
		rest = substr($0, length(file) + 2)
		line = rest; sub(/:.*/, "", line)
		header = rest; sub(/^[^"]*"/, "", header); sub(/".*/, "", header)

		split(file, p, "/")
		layer = p[1] == "cli" ? "cli" : p[2]
		if (header !~ /\//)
			next                     # a neighbour in the same directory
		split(header, h, "/")
		other = h[1]
		if (other == "cachet" || other == layer || !(other in rank))
			next                     # public, own layer, or not a layer
		if (layer != "cli" && other == "util")
			next
		if (layer != "cli" && (header in open_header) && rank[other] < rank[layer])
			next
		printf "%s:%s: includes %s (layer %s may not include %s%s private header)\n",
		       "src/" file, line, header, layer, other, "\x27s"
		bad = 1
	}
	END { exit bad }
	'
