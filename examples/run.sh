#!/usr/bin/env bash
# The main job, for now: compute the cache key of the task `bar(df) -> int`
# for three runs of the seed workflow
#
#   foo(a: int, b: str) -> dataframe     writes df to a fresh URI each run
#   bar(df: dataframe) -> int            cached, cache version "1.0"
#
# Run 1 and run 2 wrote the same rows to two different URIs: their `df`
# carries the same content hash, so `bar` gets the same key (a cache hit).
# Run 3 changed `b`, so foo wrote other rows: a new key (a miss).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cachet=${CACHET:-$here/../build/release/cachet}
[ -x "$cachet" ] || { echo "run.sh: no cachet binary at '$cachet' (set CACHET)" >&2; exit 2; }

key() {
	"$cachet" key --project examples --domain development --name bar \
		--cache-version 1.0 --interface "$here/bar.interface.json" \
		--inputs "$here/bar.inputs.run$1.json"
}

declare -A tags
for run in 1 2 3; do
	uri=$(grep -o '"uri": "[^"]*"' "$here/bar.inputs.run$run.json" | cut -d'"' -f4)
	echo "== run $run: bar(df = $uri)"
	out=$(key "$run")
	echo "$out"
	tags[$run]=$(awk '$1 == "tag" { print $2 }' <<<"$out")
done

echo
verdict() {
	if [ "${tags[$1]}" = "${tags[$2]}" ]; then echo "same key as run $2: HIT"; else echo "new key: MISS"; fi
}
echo "run 1: first run: MISS"
echo "run 2: same rows at a new URI, $(verdict 2 1)"
echo "run 3: b changed, other rows, $(verdict 3 2)"
