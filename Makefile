# A thin front end to CMake. The real build is in CMakeLists.txt.
#
#   make                 release build in build/release (-O2)
#   make test            scripts/run-tests.sh: sanitizers + ctest, valgrind
#   make install PREFIX=/usr/local
#   make example         scripts/run-example.sh
#   make bench           release build, then run every bench/ program
#   make clean           remove build/

PREFIX ?= /usr/local
MAKEFLAGS += --no-print-directory
BUILD  := build/release
JOBS   := $(shell nproc 2>/dev/null || echo 2)
CMAKE_RELEASE := cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DCACHET_SANITIZE=OFF

.PHONY: all release test check install example bench clean

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

clean:
	rm -rf build
