#!/usr/bin/env bash
# Rules of the source that the compiler does not check. Run by ctest (the
# test check_source); exits 1, naming each offending line, if a rule is
# broken.
#
#   scripts/check-source.sh [ROOT]    (default: the checkout this script is in)
#
# - No plain strerror( in src/: it may return a buffer shared by all
#   threads, and the library and the CLI call it from worker threads. Use
#   cachet__strerror (the library) or cli_strerror (the CLI), which keep
#   the text in a per-thread buffer.
set -euo pipefail

root=${1:-"$(dirname "${BASH_SOURCE[0]}")/.."}
if [ ! -d "$root/src" ]; then
	echo "check-source: no src/ under '$root'" >&2
	exit 2
fi

failed=0

# strerror( not preceded by a letter, a digit or '_': cachet__strerror(,
# cli_strerror( and strerror_r( pass.
if hits=$(grep -rnE --include='*.c' --include='*.h' \
	'(^|[^[:alnum:]_])strerror[[:space:]]*\(' "$root/src"); then
	echo "check-source: plain strerror (shared between threads; use cachet__strerror or cli_strerror):" >&2
	printf '%s\n' "$hits" >&2
	failed=1
fi

if [ "$failed" -ne 0 ]; then
	exit 1
fi
echo "check-source: ok"
