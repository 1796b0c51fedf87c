#!/usr/bin/env bash
# The full test run: the source check, a sanitizer build + ctest, the
# engine's tests under ThreadSanitizer, then a release build and the
# valgrind checks of the CLI. Warnings are errors in both builds
# (CACHET_WERROR). Exits non-zero if anything fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
jobs=$(nproc 2>/dev/null || echo 2)

scripts/install-deps.sh

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The build tree is private (mode 0700), as a checkout under /root is: the
# tests that run as nobody must not count on reaching the build directory,
# the binaries or their own working directory.
mkdir -p build
chmod 0700 build

echo "== source check" >&2
scripts/check-source.sh

echo "== build/test: ASan + UBSan" >&2
cmake -S . -B build/test \
	-DCMAKE_BUILD_TYPE=Debug \
	-DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
	-DCACHET_SANITIZE=ON \
	-DCACHET_WERROR=ON \
	-DBUILD_TESTING=ON
cmake --build build/test -j"$jobs"
ctest --test-dir build/test --output-on-failure -j2

echo "== build/tsan: the engine under ThreadSanitizer" >&2
scripts/tsan.sh

echo "== build/release" >&2
cmake -S . -B build/release \
	-DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
	-DCACHET_SANITIZE=OFF \
	-DCACHET_WERROR=ON
cmake --build build/release -j"$jobs"

if [ -f tests/valgrind.sh ]; then
	if [ ! -x build/release/cachet ]; then
		echo "run-tests: tests/valgrind.sh exists but build/release/cachet was not built" >&2
		exit 1
	fi
	echo "== valgrind" >&2
	CACHET="$root/build/release/cachet" CACHET_SRC="$root" bash tests/valgrind.sh
fi

echo "== all tests passed" >&2
