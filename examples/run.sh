#!/usr/bin/env bash
# The main job: run the seed workflow (examples/seed.yaml) three times with
# the cache, in a fresh cachet home so that the first run starts cold:
#
#   foo(a, b) -> df: dataset   not cached: writes df to a fresh URI each run
#   bar(df) -> rows: integer   cached, cache version "1.0"
#
#   run 1  a=3 b=x   bar misses: it runs, and its outputs are stored
#   run 2  a=3 b=x   foo writes the same rows to a new URI: same hash, bar HITS
#   run 3  a=3 b=y   foo writes other rows: another hash, bar misses
#
# Env: CACHET (the binary; default build/release/cachet), CACHET_EXAMPLE_HOME
# (keep the cache and the run records there instead of in a temporary home
# that is removed at the end; a home used before may make run 1 a hit).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cachet=${CACHET:-$here/../build/release/cachet}
[ -x "$cachet" ] || { echo "run.sh: no cachet binary at '$cachet' (set CACHET)" >&2; exit 2; }

if [ -n "${CACHET_EXAMPLE_HOME:-}" ]; then
	home=$CACHET_EXAMPLE_HOME
else
	home=$(mktemp -d "${TMPDIR:-/tmp}/cachet-example.XXXXXX")
	trap 'rm -rf -- "$home"' EXIT
fi

declare -A cache df
run() {
	local n=$1 out id
	shift
	echo "== run $n: cachet run examples/seed.yaml $*"
	out=$("$cachet" run "$here/seed.yaml" --home "$home" "$@")
	echo "$out"
	id=$(awk '$1 == "run" { sub(":", "", $2); print $2; exit }' <<<"$out")
	cache[$n]=$(awk '$1 == "bar" { print $4 }' <<<"$out")
	# foo's dataset: "df: <uri> csv dataset, hash <hash>" in the run's record
	df[$n]=$("$cachet" runs show "$id" --home "$home" |
		awk '$1 == "df:" { sub(",", "", $2); print $2 "  " $NF; exit }')
	echo "df: ${df[$n]}"
	echo
}

run 1 -i a=3 -i b=x
run 2 -i a=3 -i b=x
run 3 -i a=3 -i b=y

# Flyte's cache statuses: POPULATED is a miss whose outputs were then stored.
verdict() {
	case "$1" in
	HIT) echo "HIT" ;;
	POPULATED | MISS) echo "MISS" ;;
	*) echo "$1" ;;
	esac
}
echo "bar: run 1 $(verdict "${cache[1]}"), run 2 $(verdict "${cache[2]}"), run 3 $(verdict "${cache[3]}")"
uri() { cut -d' ' -f1 <<<"$1"; }
hash() { awk '{ print $NF }' <<<"$1"; }
same() { if [ "$1" = "$2" ]; then echo "$3"; else echo "$4"; fi; }
echo "df:  run 2 vs run 1: $(same "$(uri "${df[2]}")" "$(uri "${df[1]}")" "same URI" "new URI")," \
	"$(same "$(hash "${df[2]}")" "$(hash "${df[1]}")" "same hash" "other hash")"
echo "     run 3 vs run 2: $(same "$(uri "${df[3]}")" "$(uri "${df[2]}")" "same URI" "new URI")," \
	"$(same "$(hash "${df[3]}")" "$(hash "${df[2]}")" "same hash" "other hash")"
