# cachet cache gc: deletes the store's objects that no entry references,
# once they are older than the grace period, and old leftovers of
# interrupted writes.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

mkdir -p "$STORE/run1" "$STORE/run2"
printf 'keep me\n' >"$STORE/run1/used.txt"                          # referenced
printf 'old\n' >"$STORE/run2/old.txt"                               # 4 bytes, 2 days old
printf 'fresh\n' >"$STORE/run2/fresh.txt"                           # new: a run still writing
printf 'half' >"$STORE/run2/.part.txt.tmp-0123456789abcdef"         # an interrupted write
touch -d '2 days ago' "$STORE/run1/used.txt" "$STORE/run2/old.txt" \
	"$STORE/run2/.part.txt.tmp-0123456789abcdef"
cat >used.json <<JSON
{"literals":{"x":{"scalar":{"blob":{"metadata":{"type":{}},"uri":"file://$STORE/run1/used.txt"}}}}}
JSON
run cache put "${TASK[@]}" --outputs used.json
expect_status 0 "put"

run cache gc --dry-run
expect_status 0 "gc --dry-run"
expect_out "file://$STORE/run2/old.txt  4 B
would delete 1 object (4 B); kept 2; would remove 0 leftovers of interrupted writes" \
	"a dry run lists the old unreferenced object only"
[ -f "$STORE/run2/old.txt" ] || fail "a dry run deleted"
passed=$((passed + 1))

run cache gc
expect_status 0 "gc"
expect_out "file://$STORE/run2/old.txt  4 B
deleted 1 object (4 B); kept 2; removed 1 leftover of interrupted writes" "gc"
[ ! -e "$STORE/run2/old.txt" ] || fail "gc kept the old unreferenced object"
[ ! -e "$STORE/run2/.part.txt.tmp-0123456789abcdef" ] || fail "gc kept the old leftover"
[ -f "$STORE/run1/used.txt" ] || fail "gc deleted a referenced object"
[ -f "$STORE/run2/fresh.txt" ] || fail "gc deleted an object within the grace period"
passed=$((passed + 4))
run cache get "${TASK[@]}"
expect_status 0 "the entry still hits after gc"

run cache gc --grace 0 --json
expect_status 0 "gc --grace 0 --json"
expect_out "{\"dry_run\":false,\"deleted\":[{\"uri\":\"file://$STORE/run2/fresh.txt\",\"size\":6}],\"bytes\":6,\"kept\":1,\"failed\":0,\"temporaries\":0}" \
	"--grace 0: a new unreferenced object goes too"

# Evicting the entry leaves its data for gc.
"$CACHET" cache evict --all >/dev/null
[ -f "$STORE/run1/used.txt" ] || fail "evict deleted data"
passed=$((passed + 1))
run cache gc --grace 1h
expect_out "file://$STORE/run1/used.txt  8 B
deleted 1 object (8 B); kept 0; removed 0 leftovers of interrupted writes" \
	"once evicted, the data goes"

# An object that cannot be deleted (immutable, where chattr works: root on
# ext4 and the like): warned about, counted, exit 2; the others still go.
mkdir -p "$STORE/run2"
printf 'stuck\n' >"$STORE/run2/stuck.txt"
printf 'gone\n' >"$STORE/run2/gone.txt"
if chattr +i "$STORE/run2/stuck.txt" 2>/dev/null; then
	trap 'chattr -i "$STORE/run2/stuck.txt" 2>/dev/null || true' EXIT
	run cache gc --grace 0
	chattr -i "$STORE/run2/stuck.txt"
	expect_status 2 "gc with an object it cannot delete"
	# The object named once, then the reason (the store's words).
	expect_err "cachet: warning: cannot delete 'file://$STORE/run2/stuck.txt': Operation not permitted
cachet: cache gc: 1 object could not be deleted" \
		"the failed deletion is warned about, and counted"
	[ ! -e "$STORE/run2/gone.txt" ] || fail "gc stopped at the failure"
	passed=$((passed + 1))
else
	echo "note: chattr +i is not available here; the failed-deletion case is skipped" >&2
	rm "$STORE/run2/stuck.txt" "$STORE/run2/gone.txt"
fi

run cache gc --grace soon
expect_status 2 "bad --grace"
expect_err "cachet: cache gc: --grace must be a duration such as 90s, 12h or 7d, not 'soon'" \
	"bad --grace"
run cache gc --all
expect_status 2 "gc takes no selection"
expect_err_contains "cachet: cache gc: unknown or incomplete option '--all'" "gc --all"

finish
