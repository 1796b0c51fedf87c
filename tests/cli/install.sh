# cmake --install gives headers, both libraries, the binary and cachet.pc,
# and a program built against them with pkg-config works, shared and static.
. "$(dirname "$0")/lib/assert.sh"
: "${CACHET_BUILD:?CACHET_BUILD must name the build directory}"
cd "$(mktemp -d)"

cmake --install "$CACHET_BUILD" --prefix "$PWD/prefix" >/dev/null || fail "cmake --install failed"
for f in include/cachet.h include/cachet/value.h include/cachet/engine.h lib/libcachet.a \
	lib/libcachet.so lib/pkgconfig/cachet.pc bin/cachet; do
	[ -e "prefix/$f" ] || fail "not installed: $f"
	passed=$((passed + 1))
done

cat >t.c <<'C'
#include <cachet.h>
#include <stdio.h>
int main(void)
{
	cachet_cache_key k;
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

# shellcheck disable=SC2046
cc -std=c11 "${san[@]}" t.c $(pkg-config --cflags cachet) prefix/lib/libcachet.a \
	$(pkg-config --static --libs-only-l cachet | sed 's/-lcachet//') -o static ||
	fail "cannot build against the static library"
[ "$(./static)" = "$expected" ] || fail "static: $(./static)"
passed=$((passed + 1))

finish
