#!/usr/bin/env bash
# Run the CLI under valgrind over the invocations in tests/valgrind.cases:
# one per line, the arguments to pass to cachet, with shell quoting and
# $VARIABLES expanded (e.g. "$CACHET_SRC/examples/x.yaml"). Blank lines and
# lines starting with '#' are skipped. All cases run in one scratch
# directory, in order, so later lines may use what earlier ones created.
#
# Env: CACHET (the binary, required), CACHET_SRC (source root; default: the
# parent of this script's directory).
# A case fails on any valgrind error or on a definite/indirect leak.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export CACHET_SRC=${CACHET_SRC:-$(dirname "$here")}
cases=$here/valgrind.cases

if [ ! -f "$cases" ]; then
	echo "valgrind: no $cases, skipping" >&2
	exit 0
fi
: "${CACHET:?CACHET must name the cachet binary}"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: valgrind is not installed (scripts/install-deps.sh)" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
cd "$work"

failed=0
n=0
while IFS= read -r line || [ -n "$line" ]; do
	case "$line" in '' | '#'*) continue ;; esac
	n=$((n + 1))
	eval "set -- $line"
	log="$work/valgrind.$n.log"
	rc=0
	valgrind --quiet --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		--log-file="$log" "$CACHET" "$@" >/dev/null 2>&1 || rc=$?
	if [ "$rc" -eq 99 ]; then
		echo "valgrind: FAIL: cachet $line" >&2
		cat "$log" >&2
		failed=$((failed + 1))
	else
		echo "valgrind: ok (exit $rc): cachet $line" >&2
	fi
done <"$cases"

echo "valgrind: $n case(s), $failed failed" >&2
[ "$failed" -eq 0 ]
