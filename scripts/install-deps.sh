#!/usr/bin/env bash
# Install the Debian packages that building and testing cachet needs.
# Prints nothing and exits 0 when everything is already installed.
# With --list, only prints their names, one a line.
#
# A program linked against the static library needs what
# `pkg-config --static --libs cachet` names, the private dependencies of
# cachet's own dependencies included (sqlite3.pc asks for -lz); the
# cli_install test checks that each comes from a package listed here.
set -euo pipefail

packages=(
	build-essential  # gcc, make, libc headers
	cmake            # the build system (3.25 or later)
	pkg-config       # finds jansson, cmocka; used by cachet.pc consumers
	libssl-dev       # libcrypto: SHA-256 (and MD5) digests
	libjansson-dev   # JSON
	libsqlite3-dev   # the catalog and the stat cache
	zlib1g-dev       # -lz, which sqlite3.pc asks of static links
	libxxhash-dev    # the optional fast xxh128 digest
	libyaml-dev      # workflow files
	libpq-dev        # the PostgreSQL catalog backend
	libcmocka-dev    # unit test framework
	openssl          # bench/: `openssl dgst` as the yardstick for hashing
	valgrind         # leak checks of the CLI in scripts/run-tests.sh
	jq               # CLI tests read cachet's JSON output
	xxhash           # xxhsum: CLI tests check xxh128 digests against it
	sqlite3          # CLI tests edit a catalog behind cachet's back
	postgresql       # tests start a PostgreSQL 15 server for the catalog
	clang            # make fuzz: the fuzz targets are built with clang
	libclang-rt-14-dev # make fuzz: libFuzzer and clang's sanitizer runtimes
)

if [ "${1:-}" = --list ]; then
	printf '%s\n' "${packages[@]}"
	exit 0
elif [ $# -gt 0 ]; then
	echo "install-deps: unknown argument '$1' (usage: install-deps.sh [--list])" >&2
	exit 2
fi

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	if [ "$status" != "install ok installed" ]; then
		missing+=("$pkg")
	fi
done

if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo=(sudo)
	else
		echo "install-deps: missing packages: ${missing[*]}" >&2
		echo "install-deps: not root and sudo is not available; install them as root" >&2
		exit 1
	fi
fi

echo "install-deps: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends "${missing[@]}"
