# cachet cache stats: per task, entries, hits, misses, hit ratio, bytes
# referenced and the last hit; then the total.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

in12=$FIXTURES/inputs-1-2.json
TASK_U=(--project P --domain D --name u --cache-version 1.0.0)
T='YYYY-MM-DDTHH:MM:SSZ'
row() { printf '%-5s  %7s  %4s  %6s  %9s  %4s  %s\n' "$@"; }

run cache stats
expect_status 0 "stats of an empty home"
expect_out "$(row TASK ENTRIES HITS MISSES "HIT RATIO" SIZE "LAST HIT"
	row TOTAL 0 0 0 - "0 B" -)" "stats of an empty home"
[ ! -e "$HOME_DIR" ] || fail "stats created the home"
passed=$((passed + 1))

mkdir -p "$STORE/run1"
printf 'hello\n' >"$STORE/run1/x.txt" # 6 bytes
cat >blob.json <<JSON
{"literals":{"x":{"scalar":{"blob":{"metadata":{"type":{}},"uri":"file://$STORE/run1/x.txt"}}}}}
JSON

"$CACHET" cache get "${TASK[@]}" --inputs "$in12" -q || true            # t: miss
"$CACHET" cache put "${TASK[@]}" --inputs "$in12" --outputs out3.json >/dev/null
"$CACHET" cache get "${TASK[@]}" --inputs "$in12" >/dev/null            # t: hit
"$CACHET" cache get "${TASK[@]}" --inputs "$in12" >/dev/null            # t: hit
"$CACHET" cache get "${TASK[@]}" --inputs "$FIXTURES/inputs-1-2-3.json" -q || true # t: miss
"$CACHET" cache get "${TASK_U[@]}" -q || true                           # u: miss
"$CACHET" cache put "${TASK_U[@]}" --outputs blob.json >/dev/null

# t: 2 hits of 4 lookups; u: 0 of 1; all: 2 of 5.
run cache stats
expect_status 0 "stats"
want=$(row TASK ENTRIES HITS MISSES "HIT RATIO" "SIZE" "LAST HIT"
	row P/D/t 1 2 2 50.0% "0 B" "$T"
	row P/D/u 1 0 1 0.0% "6 B" -
	row TOTAL 2 2 3 40.0% "6 B" "$T")
[ "$(masked)" = "$want" ] || fail "stats printed
$out
expected (times masked)
$want"
passed=$((passed + 1))

run cache stats --json
expect_status 0 "stats --json"
expect_out_re "\\{\"tasks\":\\[\\{\"project\":\"P\",\"domain\":\"D\",\"task\":\"t\",\"name\":\"flyte_task-t\",\"entries\":1,\"bytes\":0,\"last_hit_at\":\"[-0-9T:.]+Z\",\"hit_ratio\":0.5,\"hits\":2,\"misses\":2,\"populated\":1,\"lookup_failures\":0,\"put_failures\":0,\"evicted_tag\":0,\"evicted_task\":0,\"evicted_age\":0,\"evicted_size\":0,\"evicted_missing_data\":0,\"reservations_acquired\":0,\"reservations_waited\":0,\"reservations_released\":0\\},\\{\"project\":\"P\",\"domain\":\"D\",\"task\":\"u\",\"name\":\"flyte_task-u\",\"entries\":1,\"bytes\":6,\"last_hit_at\":null,\"hit_ratio\":0.0,\"hits\":0,\"misses\":1,\"populated\":1,.*\\}\\],\"total\":\\{\"entries\":2,\"bytes\":6,\"last_hit_at\":\"[-0-9T:.]+Z\",\"hit_ratio\":0.4,\"hits\":2,\"misses\":3,\"populated\":2,.*\\}\\}" \
	"stats --json"

run cache stats --task t
expect_status 2 "stats takes no filter"
expect_err_contains "cachet: cache stats: unknown or incomplete option '--task'" "stats --task"

finish
