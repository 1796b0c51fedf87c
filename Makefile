# A thin front end to CMake. The real build is in CMakeLists.txt.
#
#   make                 release build in build/release (-O2)
#   make test            scripts/run-tests.sh: sanitizers + ctest, valgrind
#   make install PREFIX=/usr/local
#   make example         scripts/run-example.sh
#   make bench           release build, then run every bench/ program
#   make fuzz            clang + libFuzzer build in build/fuzz, then each
#                        tests/fuzz target for FUZZ_SECONDS (default 60);
#                        FUZZ_TARGETS="wire json" picks some, FUZZ_MERGE=1
#                        adds new coverage to the seed corpus
#   make clean           remove build/

PREFIX ?= /usr/local
MAKEFLAGS += --no-print-directory
BUILD  := build/release
JOBS   := $(shell nproc 2>/dev/null || echo 2)
CMAKE_RELEASE := cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DCACHET_SANITIZE=OFF

.PHONY: all release test check install example bench fuzz clean

all: release

release:
	@$(CMAKE_RELEASE) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

test check:
	scripts/run-tests.sh

install: release
	cmake --install $(BUILD) --prefix "$(PREFIX)"

example:
	scripts/run-example.sh

bench: release
	@set -e; found=0; \
	for b in $(BUILD)/bench/bench_*; do \
		[ -x "$$b" ] || continue; found=1; \
		echo "== $$b" >&2; CACHET_SRC="$(CURDIR)" "$$b"; \
	done; \
	[ "$$found" = 1 ] || echo "no benchmarks in bench/" >&2

FUZZ_BUILD := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

fuzz:
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
		-DCMAKE_C_FLAGS_DEBUG="-O1 -g" -DCACHET_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz_all
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TARGETS)

clean:
	rm -rf build
