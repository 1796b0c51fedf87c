# cmake --install gives headers, both libraries, the binary and cachet.pc,
# and a program built against them with pkg-config works, shared and static.
. "$(dirname "$0")/lib/assert.sh"
: "${CACHET_BUILD:?CACHET_BUILD must name the build directory}"
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
cd "$work"

cmake --install "$CACHET_BUILD" --prefix "$PWD/prefix" >/dev/null || fail "cmake --install failed"
for f in include/cachet.h include/cachet/value.h include/cachet/engine.h \
	include/cachet/sys/store_backend.h include/cachet/sys/catalog_backend.h lib/libcachet.a \
	lib/libcachet.so lib/pkgconfig/cachet.pc bin/cachet; do
	[ -e "prefix/$f" ] || fail "not installed: $f"
	passed=$((passed + 1))
done
# Before 1.0 the soname carries the minor version (docs/design.md, "ABI").
soname=$(objdump -p prefix/lib/libcachet.so | awk '$1 == "SONAME" { print $2 }')
[[ "$soname" =~ ^libcachet\.so\.0\.[0-9]+$ ]] || fail "soname: '$soname'"
passed=$((passed + 1))

cat >t.c <<'C'
#include <cachet.h>
#include <stdio.h>
int main(void)
{
	cachet_cache_key k = CACHET_CACHE_KEY_INIT;
	if (cachet_cache_key_compute(&k, "P", "D", "t", "1.0.0", NULL, NULL, NULL) < 0)
		return 1;
	printf("%s %s\n", k.version, k.tag);
	cachet_cache_key_dispose(&k);
	return 0;
}
C
export PKG_CONFIG_PATH=$PWD/prefix/lib/pkgconfig
# A sanitizer build's library needs the sanitizer runtime in the program too.
# (grep without -q reads all of nm's output: no SIGPIPE to trip pipefail.)
san=()
if nm prefix/lib/libcachet.a 2>/dev/null | grep __asan_init >/dev/null; then
	san=(-fsanitize=address,undefined)
fi
expected="1.0.0-GKw-c0Pw-GKw-c0Pw flyte_cached-GKw-c0PwFokMUQ6T-TUmEWnZ4_VlQ2Qpgw-vCTT0-OQ"

# shellcheck disable=SC2046
cc -std=c11 "${san[@]}" t.c $(pkg-config --cflags --libs cachet) -Wl,-rpath,"$PWD/prefix/lib" \
	-o shared || fail "cannot build against the shared library"
[ "$(./shared)" = "$expected" ] || fail "shared: $(./shared)"
passed=$((passed + 1))

# Every library a static link needs resolves, and comes from a package that
# scripts/install-deps.sh installs or one they depend on, so that a fresh
# machine links as this one does (sqlite3.pc's -lz comes from zlib1g-dev,
# which no package there depends on).

# library_file NAME: the file the compiler would link for -lNAME, or nothing
library_file() {
	local f
	for f in "lib$1.so" "lib$1.a"; do
		f=$(cc -print-file-name="$f")
		case $f in /*) realpath -s "$f" && return ;; esac
	done
}
# owner FILE: the Debian package that installed FILE (also under /lib, the
# other name of /usr/lib), or nothing
owner() {
	local f
	for f in "$1" "${1#/usr}" "/usr$1"; do
		dpkg-query -S "$f" 2>/dev/null | sed 's/\(:[^ ]*\)\?: .*//; s/, /\n/g' && return
	done
	true
}
# provided: the packages install-deps.sh names, and those they depend on
provided=
if command -v dpkg-query >/dev/null; then
	mapfile -t listed < <("$CACHET_SRC/scripts/install-deps.sh" --list)
	provided=$(printf '%s\n' "${listed[@]}"
		dpkg-query -W -f='${Depends}\n' "${listed[@]}" |
			tr ',|' '\n\n' | sed 's/(.*//; s/:any//; s/ //g')
else
	echo "SKIP: which package each library comes from: no dpkg-query" >&2
fi
for lib in $(pkg-config --static --libs-only-l cachet); do
	name=${lib#-l}
	[ "$name" != cachet ] || continue
	file=$(library_file "$name")
	[ -n "$file" ] || fail "$lib (pkg-config --static --libs cachet) does not resolve:" \
		"scripts/install-deps.sh must install the package that provides lib$name"
	if [ -n "$provided" ]; then
		pkg=$(owner "$file" | head -n 1)
		[ -n "$pkg" ] || fail "$lib: $file belongs to no Debian package"
		grep -qx -- "$pkg" <<<"$provided" ||
			fail "$lib: $file comes from $pkg, which scripts/install-deps.sh does not install"
	fi
	passed=$((passed + 1))
done

# shellcheck disable=SC2046
cc -std=c11 "${san[@]}" t.c $(pkg-config --cflags cachet) prefix/lib/libcachet.a \
	$(pkg-config --static --libs-only-l cachet | sed 's/-lcachet//') -o static ||
	fail "cannot build against the static library"
[ "$(./static)" = "$expected" ] || fail "static: $(./static)"
passed=$((passed + 1))

finish
