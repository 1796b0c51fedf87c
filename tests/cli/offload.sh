# cachet offload: the Literal it prints for a file, a directory and a
# dataset, its uri under a fresh prefix of the home's store, and hashes
# checked against sha256sum, xxhsum and docs/hashing.md rebuilt in shell.
. "$(dirname "$0")/lib/assert.sh"
unset CACHET_HOME XDG_CACHE_HOME
export HOME=$PWD/userhome

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
# The "uri" of the Literal printed in $out.
uri_of() { sed -n 's/^ *"uri": "\(.*\)",\{0,1\}$/\1/p' <<<"$out"; }
today=$(date -u +%Y%m%d)

printf 'a,b\n1,2\n' >data.csv
mkdir -p home
store=$(realpath home)/store

# ---- a file: Blob SINGLE ----
run offload --home home --format csv data.csv
expect_status 0 "offload a file"
expect_err "" "nothing on stderr"
uri=$(uri_of)
[[ $uri =~ ^file://$store/$today-[0-9a-f]{16}/data\.csv$ ]] ||
	fail "uri '$uri' is not <store>/<date>-<16 hex>/data.csv"
passed=$((passed + 1))
expect_out "{
  \"scalar\": {
    \"blob\": {
      \"metadata\": {
        \"type\": {
          \"format\": \"csv\"
        }
      },
      \"uri\": \"$uri\"
    }
  },
  \"hash\": \"sha256:$(sha data.csv)\"
}" "Blob SINGLE with the file's sha256sum"
cmp data.csv "${uri#file://}" || fail "the object holds the file's bytes"
passed=$((passed + 1))
first=$uri

# a second run writes elsewhere, with the same hash
run offload --home home --format csv data.csv
expect_status 0 "offload again"
[ "$(uri_of)" != "$first" ] || fail "two runs, two prefixes"
passed=$((passed + 1))
grep -q "\"hash\": \"sha256:$(sha data.csv)\"" <<<"$out" || fail "same bytes, same hash"
passed=$((passed + 1))

# ---- a dataset ----
run offload --home home --as dataset --format csv data.csv
expect_status 0 "offload a dataset"
uri=$(uri_of)
expect_out "{
  \"scalar\": {
    \"structuredDataset\": {
      \"uri\": \"$uri\",
      \"metadata\": {
        \"structuredDatasetType\": {
          \"format\": \"csv\"
        }
      }
    }
  },
  \"hash\": \"sha256:$(sha data.csv)\"
}" "StructuredDataset with the file's hash"

# ---- a directory: Blob MULTIPART ----
mkdir -p tree/sub/deeper tree/.hidden tree/empty
printf 'alpha\n' >tree/a.txt
printf 'beta\n' >tree/sub/b.txt
: >tree/sub/deeper/c
head -c 3000000 /dev/urandom >tree/.hidden/r
want=$(dir_digest tree)
run offload --home home tree
expect_status 0 "offload a directory"
uri=$(uri_of)
[[ $uri =~ ^file://$store/$today-[0-9a-f]{16}/tree$ ]] || fail "uri '$uri' is <prefix>/tree"
passed=$((passed + 1))
expect_out "{
  \"scalar\": {
    \"blob\": {
      \"metadata\": {
        \"type\": {
          \"dimensionality\": \"MULTIPART\"
        }
      },
      \"uri\": \"$uri\"
    }
  },
  \"hash\": \"sha256-dir:$want\"
}" "Blob MULTIPART with the documented directory digest"
# every file is there, and nothing else (an empty directory leaves no trace)
diff -r -x empty tree "${uri#file://}" || fail "the objects are the directory's files"
passed=$((passed + 1))
[ ! -e "${uri#file://}/empty" ] || fail "no object for an empty directory"
passed=$((passed + 1))
# the hash `cachet hash` prints for the same directory
dir_hash=$(grep '"hash"' <<<"$out" | sed 's/.*"hash": "\(.*\)"/\1/')
run hash --no-stat-cache tree
expect_out "$dir_hash  tree" "offload's hash is cachet hash's"

# one thread, and as a dataset: the same hash
run offload --home home -j 1 --as dataset --format parquet tree/
expect_status 0 "a directory as a dataset"
grep -q "\"hash\": \"sha256-dir:$want\"" <<<"$out" || fail "dataset of a directory: its digest"
passed=$((passed + 1))
grep -q '"format": "parquet"' <<<"$out" || fail "the dataset's format"
passed=$((passed + 1))

# ---- xxh128 ----
run offload --home home --digest xxh128 data.csv
expect_status 0 "xxh128"
if command -v xxhsum >/dev/null; then
	grep -q "\"hash\": \"xxh128:$(xxhsum -H2 <data.csv | cut -c1-32)\"" <<<"$out" ||
		fail "xxh128 = xxhsum -H2: $out"
	passed=$((passed + 1))
fi

# ---- --prefix ----
run offload --home home --prefix "file://$store/mine/run1/" data.csv
expect_status 0 "--prefix with a '/'"
[ "$(uri_of)" = "file://$store/mine/run1/data.csv" ] || fail "--prefix: uri $(uri_of)"
passed=$((passed + 1))
run offload --home home --prefix "file://$store/mine/run2" tree
[ "$(uri_of)" = "file://$store/mine/run2/tree" ] || fail "--prefix without a '/': $(uri_of)"
passed=$((passed + 1))

# ---- which home ----
run offload data.csv
[[ $(uri_of) == "file://$HOME/.cache/cachet/store/"* ]] || fail "\$HOME/.cache/cachet: $(uri_of)"
passed=$((passed + 1))
XDG_CACHE_HOME=$PWD/xdg run offload data.csv
[[ $(uri_of) == "file://$PWD/xdg/cachet/store/"* ]] || fail "\$XDG_CACHE_HOME/cachet: $(uri_of)"
passed=$((passed + 1))
CACHET_HOME=$PWD/ch XDG_CACHE_HOME=$PWD/xdg run offload data.csv
[[ $(uri_of) == "file://$PWD/ch/store/"* ]] || fail "\$CACHET_HOME beats XDG: $(uri_of)"
passed=$((passed + 1))
CACHET_HOME=$PWD/ch run offload --home explicit data.csv
[[ $(uri_of) == "file://$PWD/explicit/store/"* ]] || fail "--home beats \$CACHET_HOME: $(uri_of)"
passed=$((passed + 1))
[ "$(stat -c %a explicit)" = 700 ] || fail "the home is created private"
passed=$((passed + 1))

# ---- the progress bar: on stderr, only on a terminal ----
CACHET_PROGRESS=always run offload --home home data.csv
expect_err "" "no bar when stderr is not a terminal"
if command -v script >/dev/null; then
	head -c 5000000 /dev/zero >zeros
	script -qec "CACHET_PROGRESS=always '$CACHET' offload --home home zeros" /dev/null >tty.txt
	grep -q 'zeros  100% \[' tty.txt || fail "the bar on a terminal: $(od -c tty.txt | head)"
	passed=$((passed + 1))
	grep -q "$(printf '\r\033\\[K'){" tty.txt || fail "the bar is erased before the Literal"
	passed=$((passed + 1))
fi

# ---- the store command ----
run store ls --home explicit
expect_status 0 "store ls"
[[ $out =~ ^8\ \ file://$PWD/explicit/store/$today-[0-9a-f]{16}/data\.csv$ ]] ||
	fail "store ls: '$out'"
passed=$((passed + 1))
run store ls --home home "file://$store/mine/"
expect_out "8  file://$store/mine/run1/data.csv
3000000  file://$store/mine/run2/tree/.hidden/r
6  file://$store/mine/run2/tree/a.txt
5  file://$store/mine/run2/tree/sub/b.txt
0  file://$store/mine/run2/tree/sub/deeper/c" "store ls under a prefix, sorted"

# cleanup: temporary files of interrupted writes, by age
tmpname=".data.csv.tmp-0123456789abcdef"
printf 'half' >"$store/mine/run1/$tmpname"
touch -d '2 days ago' "$store/mine/run1/$tmpname"
printf 'half' >"$store/mine/run2/.fresh.tmp-fedcba9876543210"
run store ls --home home "file://$store/mine/run1/"
expect_out "8  file://$store/mine/run1/data.csv" "temporary files are not objects"
run store cleanup --home home
expect_status 0 "store cleanup"
expect_out "removed 1 temporary file" "only the one older than a day"
[ ! -e "$store/mine/run1/$tmpname" ] && [ -e "$store/mine/run2/.fresh.tmp-fedcba9876543210" ] ||
	fail "cleanup removed the old temporary file and kept the fresh one"
passed=$((passed + 1))
run store cleanup --home home --older-than 0
expect_out "removed 1 temporary file" "--older-than 0: all of them"
run store cleanup --home home --older-than 2h
expect_out "removed 0 temporary files" "nothing left"
cmp data.csv "$store/mine/run1/data.csv" || fail "cleanup leaves objects alone"
passed=$((passed + 1))

finish
