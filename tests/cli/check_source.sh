# scripts/check-source.sh: the real tree passes; a copy with a plain
# strerror( planted in it fails and names the line; the thread-safe
# wrappers and strerror_r pass.
. "$(dirname "$0")/lib/assert.sh"

check=$CACHET_SRC/scripts/check-source.sh

capture bash "$check" "$CACHET_SRC"
expect_status 0 "the tree itself"
expect_out "check-source: ok" "the tree itself"

mkdir -p copy/src/lib
printf '%s\n' 'const char *a(int e) { return cachet__strerror(e); }' \
	'const char *b(int e) { return cli_strerror(e); }' \
	'int c(int e, char *s) { return strerror_r(e, s, 8); }' >copy/src/lib/ok.c
capture bash "$check" copy
expect_status 0 "wrappers and strerror_r"

printf '%s\n' '#include <string.h>' 'const char *d(int e)' '{' \
	'	return strerror(e);' '}' >copy/src/lib/planted.c
capture bash "$check" copy
expect_status 1 "a planted strerror("
expect_err "check-source: plain strerror (shared between threads; use cachet__strerror or cli_strerror):
copy/src/lib/planted.c:4:	return strerror(e);" "a planted strerror("

printf '%s\n' 'const char *d(int e) { return (strerror (e)); }' >copy/src/lib/planted.c
capture bash "$check" copy
expect_status 1 "strerror with a space"

capture bash "$check" nowhere
expect_status 2 "no src/"
expect_err "check-source: no src/ under 'nowhere'" "no src/"

finish
