# cachet cache: a hit whose offloaded data is gone from the store is a
# miss (missing data), and the entry is evicted; `cache put` refuses
# outputs that name objects the store does not hold.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

in12=$FIXTURES/inputs-1-2.json
mkdir -p "$STORE/run1" "$STORE/run2"
printf 'a,b\n1,2\n' >"$STORE/run1/df.csv" # 8 bytes
printf 'hello\n' >"$STORE/run2/x.txt"      # 6 bytes
uri=file://$STORE/run1/df.csv
cat >outputs.json <<JSON
{"literals":{"df":{"scalar":{"structuredDataset":{"uri":"$uri","metadata":{"structuredDatasetType":{"format":"csv"}}}}},"n":{"scalar":{"primitive":{"integer":"2"}}}}}
JSON
cat >blob.json <<JSON
{"literals":{"x":{"scalar":{"blob":{"metadata":{"type":{}},"uri":"file://$STORE/run2/x.txt"}}}}}
JSON

run cache put "${TASK[@]}" --inputs "$in12" --outputs outputs.json
expect_status 0 "put of outputs naming an object in the store"
run cache put "${TASK[@]}" --outputs blob.json
expect_status 0 "put of a blob in the store"

run cache ls --json
expect_out_contains "\"tag\":\"$GQ\"" "ls lists the dataset entry"
expect_out_contains "\"size_bytes\":8," "the entry references the 8 bytes of df.csv"
expect_out_contains "\"size_bytes\":6," "the blob entry references 6 bytes"

run cache get "${TASK[@]}" --inputs "$in12"
expect_status 0 "a hit while the data is there"

rm "$STORE/run1/df.csv"
run cache get "${TASK[@]}" --inputs "$in12"
expect_status 1 "the data is gone: a miss"
expect_out "" "no outputs"
expect_err "cachet: miss (missing-data): output 'df' names '$uri', which is gone from the store: entry evicted" \
	"missing data"

run cache show "$GQ"
expect_status 1 "the entry was evicted"
expect_err "cachet: no entry has the tag or artifact id '$GQ'" "show after the eviction"

run cache get "${TASK[@]}" --inputs "$in12"
expect_status 1 "still a miss"
expect_err_contains "cachet: miss (not-found): " "now it is simply not there"

run cache explain "${TASK[@]}" --inputs "$in12"
expect_status 1 "explain after a missing-data eviction"
expect_out_re "miss \\(evicted\\): the entry was evicted at $TIME_RE \\(reason missing-data: $uri\\)
dataset  P/D/flyte_task-t/$V100
tag      $GQ
nearest entry 1: .*" "explain names the eviction and the missing URI"

run cache stats --json
expect_out_contains "\"evicted_missing_data\":1" "the eviction is counted"

# The store holds only objects: a put naming one it does not have fails.
cat >nowhere.json <<JSON
{"literals":{"df":{"scalar":{"blob":{"metadata":{"type":{}},"uri":"file://$STORE/run9/none.csv"}}}}}
JSON
run cache put "${TASK[@]}" --inputs "$in12" --outputs nowhere.json
expect_status 2 "put of outputs naming a missing object"
expect_out "" "a failed put prints nothing on stdout"
expect_err "cachet: cannot put the outputs: output 'df' names 'file://$STORE/run9/none.csv', which is not in the store" \
	"put names the missing object"
run cache put "${TASK[@]}" --inputs "$in12" --outputs nowhere.json --json
expect_status 2 "put --json of a missing object"
expect_out_contains "\"status\":\"CACHE_PUT_FAILURE\"" "put --json reports the failure"
run cache stats --json
expect_out_contains "\"put_failures\":2" "put failures are counted"

# A URI outside the store is not judged: the put goes in, the get hits.
cat >elsewhere.json <<JSON
{"literals":{"df":{"scalar":{"blob":{"metadata":{"type":{}},"uri":"s3://bucket/df.csv"}}}}}
JSON
run cache put "${TASK[@]}" --inputs "$in12" --outputs elsewhere.json
expect_status 0 "put of a URI outside the store"
run cache get "${TASK[@]}" --inputs "$in12"
expect_status 0 "get of a URI outside the store"

finish
