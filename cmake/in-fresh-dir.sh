#!/usr/bin/env bash
# in-fresh-dir.sh DIR COMMAND [ARGS...]: run COMMAND in DIR, emptied first.
# Used by ctest so that every test starts in its own empty directory.
set -euo pipefail
dir=$1
shift
rm -rf -- "$dir"
mkdir -p -- "$dir"
cd -- "$dir"
exec "$@"
