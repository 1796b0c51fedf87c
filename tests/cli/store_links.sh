# A symbolic link planted inside the store is never followed: offload,
# `store ls`, `store cleanup`, `cache put`, `get` and `gc` refuse it or
# pass it by, and the canary directory it points at stays byte for byte
# as it was.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

CANARY=$(pwd -P)/canary
mkdir -p "$CANARY/sub" "$STORE/real"
printf 'canary\n' >"$CANARY/keep.txt"
printf 'a\n' >"$CANARY/a.txt"
printf 'deep\n' >"$CANARY/sub/deep.txt"
printf 'half' >"$CANARY/.old.tmp-0123456789abcdef" # what cleanup removes
touch -d '2 days ago' "$CANARY/keep.txt" "$CANARY/.old.tmp-0123456789abcdef"
# Every file's name, size, mode, mtime and content hash.
canary_state() {
	(cd "$CANARY" && find . -printf '%p %s %m %T@\n' | sort &&
		find . -type f -exec sha256sum {} + | sort)
}
before=$(canary_state)
printf 'data\n' >data.csv

ln -s "$CANARY" "$STORE/evil"
ln -s "$CANARY" "$STORE/real/evil"
ln -s "$CANARY/keep.txt" "$STORE/obj.txt"

# Writes through a link are refused, naming it.
run offload --prefix "file://$STORE/evil/" data.csv
expect_status 2 "offload through a link"
expect_err "cachet: cannot write 'file://$STORE/evil/data.csv': '$STORE/evil' is a symbolic link, which the store does not follow" \
	"offload names the link"
run offload --prefix "file://$STORE/real/evil/sub/" data.csv
expect_status 2 "offload through a deeper link"
expect_err "cachet: cannot write 'file://$STORE/real/evil/sub/data.csv': '$STORE/real/evil' is a symbolic link, which the store does not follow" \
	"offload names the deeper link"

# Listings pass links by.
run store ls "file://$STORE/evil/"
expect_status 0 "store ls under a link"
expect_out "" "nothing is listed under a link"
run store ls
expect_status 0 "store ls"
expect_out "" "the links are not objects"

# Cleanup does not go through a link.
run store cleanup --older-than 0
expect_status 0 "store cleanup"
expect_out "removed 0 temporary files" "cleanup finds nothing through the link"

# A put naming a file through a link, or a link itself, names nothing in
# the store.
outputs_naming() {
	printf '{"literals":{"x":{"scalar":{"blob":{"metadata":{"type":{}},"uri":"%s"}}}}}\n' "$1"
}
outputs_naming "file://$STORE/evil/keep.txt" >through.json
run cache put "${TASK[@]}" --outputs through.json
expect_status 2 "put of an output through a link"
expect_err "cachet: cannot put the outputs: output 'x' names 'file://$STORE/evil/keep.txt', which is not in the store" \
	"put through a link"
outputs_naming "file://$STORE/obj.txt" >link.json
run cache put "${TASK[@]}" --outputs link.json
expect_status 2 "put of an output that is a link"

# An entry whose object's directory became a link misses, and is evicted.
mkdir -p "$STORE/run1"
printf 'a\n' >"$STORE/run1/a.txt"
outputs_naming "file://$STORE/run1/a.txt" >a.json
run cache put "${TASK[@]}" --outputs a.json
expect_status 0 "put of a real object"
rm -r "$STORE/run1"
ln -s "$CANARY" "$STORE/run1"
run cache get "${TASK[@]}"
expect_status 1 "get through a link misses"
expect_err "cachet: miss (missing-data): output 'x' names 'file://$STORE/run1/a.txt', which is gone from the store: entry evicted" \
	"get through a link"

# gc neither follows the links nor deletes through them.
run cache gc --grace 0
expect_status 0 "gc"
expect_out "deleted 0 objects (0 B); kept 0; removed 0 leftovers of interrupted writes" "gc passes the links by"

[ -L "$STORE/evil" ] && [ -L "$STORE/obj.txt" ] && [ -L "$STORE/run1" ] ||
	fail "a link in the store was removed"
passed=$((passed + 1))
[ "$(canary_state)" = "$before" ] || fail "the canary changed:
$(diff <(echo "$before") <(canary_state))"
passed=$((passed + 1))

finish
