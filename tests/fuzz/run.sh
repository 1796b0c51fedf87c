#!/usr/bin/env bash
# Run the libFuzzer targets built in a CACHET_FUZZ build (make fuzz).
#
#   tests/fuzz/run.sh BUILD_DIR [TARGET...]
#
# Each target (default: all) runs for $FUZZ_SECONDS (default 60) over its
# seed corpus tests/fuzz/corpus/<target>. New inputs go to
# BUILD_DIR/fuzz-corpus/<target>, never into the tree; with FUZZ_MERGE=1,
# the ones that add coverage are then merged into the seed corpus (review
# them before committing). A crash stops the run and leaves the input in
# BUILD_DIR/fuzz-findings/<target>/ with the log next to it; libFuzzer
# prints how to reproduce it; an input slower than 25 s counts as a
# finding too. FUZZ_FLAGS adds libFuzzer options.
set -euo pipefail

build=${1:?usage: tests/fuzz/run.sh BUILD_DIR [TARGET...]}
shift
src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
seconds=${FUZZ_SECONDS:-60}

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
	for exe in "$build"/fuzz/fuzz_*; do
		[ -x "$exe" ] && targets+=("$(basename "$exe" | sed 's/^fuzz_//')")
	done
fi
if [ "${#targets[@]}" -eq 0 ]; then
	echo "fuzz: no targets in $build/fuzz (build with -DCACHET_FUZZ=ON)" >&2
	exit 1
fi

# the catalog and stat-cache targets write a database per input: in
# memory (/dev/shm) that goes five times faster than on disk
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	export TMPDIR=/dev/shm
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for t in "${targets[@]}"; do
	exe=$build/fuzz/fuzz_$t
	seeds=$src/corpus/$t
	scratch=$build/fuzz-corpus/$t
	findings=$build/fuzz-findings/$t
	if [ ! -x "$exe" ] || [ ! -d "$seeds" ]; then
		echo "fuzz: no target '$t' (or no tests/fuzz/corpus/$t)" >&2
		exit 1
	fi
	mkdir -p "$scratch" "$findings"
	echo "== fuzz_$t: ${seconds}s" >&2
	# -close_fd_mask=3: the library's and the CLI's messages for refused
	# input would drown libFuzzer's; its own output and crash reports stay
	if ! "$exe" -max_total_time="$seconds" -close_fd_mask=3 -print_final_stats=1 -timeout=25 \
		-artifact_prefix="$findings/" ${FUZZ_FLAGS:-} "$scratch" "$seeds" \
		2>"$findings/log"; then
		tail -n 60 "$findings/log" >&2
		echo "fuzz: fuzz_$t found something: $findings (log: $findings/log)" >&2
		exit 1
	fi
	grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units)' "$findings/log" >&2 || true
	if [ "${FUZZ_MERGE:-0}" = 1 ]; then
		"$exe" -merge=1 -close_fd_mask=3 "$seeds" "$scratch" 2>>"$findings/log"
	fi
done
