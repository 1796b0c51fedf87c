# cachet hash: file digests as sha256sum prints them, directory digests as
# docs/hashing.md defines them (rebuilt here with printf and sha256sum).
. "$(dirname "$0")/lib/assert.sh"
export CACHET_HOME=$PWD/home

sha() { sha256sum <"$1" | cut -c1-64; }

# The directory digest of docs/hashing.md, computed independently:
# "cachet-dir-v1\n", then per file in byte order of its relative path:
# 8-byte big-endian length, the path, the raw SHA-256 of the content.
bytes() { printf "$(sed 's/../\\x&/g')"; } # hex on stdin -> raw bytes
frame() {
	printf 'cachet-dir-v1\n'
	(cd "$1" && find . -type f -printf '%P\0' | LC_ALL=C sort -z) |
		while IFS= read -r -d '' p; do
			printf '%016x' "$(printf '%s' "$p" | wc -c)" | bytes
			printf '%s' "$p"
			sha "$1/$p" | bytes
		done
}
dir_digest() { frame "$1" | sha256sum | cut -c1-64; }

printf 'abc' >abc.txt
: >empty
head -c 3000000 /dev/urandom >random.bin

run hash abc.txt empty random.bin
expect_status 0 "three files"
expect_out "sha256:$(sha abc.txt)  abc.txt
sha256:$(sha empty)  empty
sha256:$(sha random.bin)  random.bin" "file digests are sha256sum's"
expect_err "" "nothing on stderr"

# names with a backslash or a newline are escaped as sha256sum does
cp abc.txt 'back\slash'
run hash 'back\slash'
expect_out "$(sha256sum 'back\slash' | sed 's/^\\/\\sha256:/')" "escaped name, like sha256sum"

run hash --digest xxh128 abc.txt empty
if command -v xxhsum >/dev/null; then
	expect_out "xxh128:$(xxhsum -H2 <abc.txt | cut -c1-32)  abc.txt
xxh128:$(xxhsum -H2 <empty | cut -c1-32)  empty" "xxh128 = xxhsum -H2"
else
	# the xxHash vectors of "abc" and ""
	expect_out "xxh128:06b05ab6733a618578af5f94892f3950  abc.txt
xxh128:99aa06d3014798d86001c324468d497f  empty" "xxh128 vectors"
fi

# a directory
mkdir -p tree/sub/deeper tree/.hidden
printf 'alpha\n' >tree/a.txt
printf 'beta\n' >tree/sub/b.txt
: >tree/sub/deeper/c
cp random.bin tree/.hidden/r
want=$(dir_digest tree)
run hash tree
expect_status 0 "a directory"
expect_out "sha256-dir:$want  tree" "directory digest as documented"
run hash tree/ -j 1
expect_out "sha256-dir:$want  tree/" "one thread, trailing slash"
run hash -j 2 --no-stat-cache tree
expect_out "sha256-dir:$want  tree" "two threads"

# the same files elsewhere, written in another order, other times, with
# empty directories: the same digest
mkdir -p far/away/copy/.hidden far/away/copy/sub/deeper far/away/copy/empty/dirs
cp random.bin far/away/copy/.hidden/r
: >far/away/copy/sub/deeper/c
printf 'beta\n' >far/away/copy/sub/b.txt
printf 'alpha\n' >far/away/copy/a.txt
touch -d '2001-01-01' far/away/copy/a.txt
touch -d '2030-01-01' far/away/copy/sub/b.txt
run hash far/away/copy
expect_out "sha256-dir:$want  far/away/copy" "location, order, times, empty dirs do not count"

# a renamed file or a changed byte changes the digest
mv far/away/copy/sub/b.txt far/away/copy/sub/B.txt
run hash far/away/copy
[ "$out" != "sha256-dir:$want  far/away/copy" ] || fail "a rename must change the digest"
passed=$((passed + 1))
mv far/away/copy/sub/B.txt far/away/copy/sub/b.txt
printf 'alphA\n' >far/away/copy/a.txt
run hash far/away/copy
expect_out "sha256-dir:$(dir_digest far/away/copy)  far/away/copy" "changed byte, new digest"
[ "$out" != "sha256-dir:$want  far/away/copy" ] || fail "a changed byte must change the digest"
passed=$((passed + 1))

run hash --json abc.txt tree
expect_status 0 "--json"
expect_out "[{\"path\":\"abc.txt\",\"hash\":\"sha256:$(sha abc.txt)\"},{\"path\":\"tree\",\"hash\":\"sha256-dir:$want\"}]" "--json array"

run hash --help
expect_status 0 "--help"
case "$out" in usage:\ cachet\ hash*) passed=$((passed + 1)) ;; *) fail "--help prints the usage" ;; esac

finish
