#!/usr/bin/env bash
# Build the release binary and run the examples with it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

scripts/install-deps.sh

cmake -S . -B build/release \
	-DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
	-DCACHET_SANITIZE=OFF >/dev/null
cmake --build build/release -j"$(nproc 2>/dev/null || echo 2)"

if [ ! -x build/release/cachet ]; then
	echo "run-example: build/release/cachet was not built (no sources in src/cli?)" >&2
	exit 1
fi
if [ ! -f examples/run.sh ]; then
	echo "run-example: examples/run.sh does not exist yet" >&2
	exit 1
fi

export CACHET="$root/build/release/cachet"
export CACHET_SRC="$root"
exec bash examples/run.sh "$@"
