#!/usr/bin/env bash
# The engine's tests under ThreadSanitizer: a build of its own
# (build/tsan, -fsanitize=thread), then the engine's unit tests and the CLI
# tests of cachet run, which cancel runs from other threads and from signal
# handlers. Exits non-zero on a failed test or on any race TSan reports.
#
#   scripts/tsan.sh
#
# TSan cannot be combined with ASan, hence its own build tree. It is a
# stage of scripts/run-tests.sh; docs/testing.md says what it covers.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=$(nproc 2>/dev/null || echo 2)

tsan_flags="-fsanitize=thread -fno-omit-frame-pointer -g"
# halt_on_error: a race fails the test that shows it, not only a log line
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"

mkdir -p build
chmod 0700 build
cmake -S . -B build/tsan \
	-DCMAKE_BUILD_TYPE=Debug \
	-DCMAKE_C_FLAGS_DEBUG="-O1 $tsan_flags" \
	-DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
	-DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" \
	-DCACHET_SANITIZE=OFF \
	-DCACHET_WERROR=ON \
	-DBUILD_TESTING=ON >/dev/null
# only what the tests run: the CLI and the engine's unit tests
targets=(cachet)
for src in tests/unit/test_engine*.c; do
	targets+=("$(basename "$src" .c)")
done
cmake --build build/tsan -j"$jobs" --target "${targets[@]}"
ctest --test-dir build/tsan --output-on-failure -j2 -R '^(test_engine|cli_run)'
