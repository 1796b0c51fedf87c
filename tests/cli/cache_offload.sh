# cachet offload + cache get/put, end to end: an input offloaded twice, to
# two URIs, keys the same entry (its content hash is the key); an output
# offloaded into the store is checked on every hit.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

BAR=(--project P --domain D --name bar --cache-version 1.0)
printf 'a,b\n1,2\n' >data.csv
printf '2\n' >count.txt

# wrap NAME LITERAL-JSON: a LiteralMap holding one literal.
wrap() { printf '{"literals":{"%s":%s}}\n' "$1" "$2"; }

# Run 1: offload the input, miss, "compute", offload the output, put.
wrap df "$("$CACHET" offload --as dataset --format csv data.csv)" >inputs1.json
run cache get "${BAR[@]}" --inputs inputs1.json -q
expect_status 1 "run 1 misses"
wrap n "$("$CACHET" offload count.txt)" >outputs.json
run cache put "${BAR[@]}" --inputs inputs1.json --outputs outputs.json
expect_status 0 "run 1 puts"

# Run 2: the same bytes offloaded again, to a new URI: the same key, a hit.
wrap df "$("$CACHET" offload --as dataset --format csv data.csv)" >inputs2.json
cmp -s inputs1.json inputs2.json && fail "the two offloads gave the same URI"
passed=$((passed + 1))
run cache get "${BAR[@]}" --inputs inputs2.json
expect_status 0 "run 2 hits: same content, new URI"
expect_out "$(tr -d ' \n' <outputs.json)" "run 2 gets run 1's outputs"

# Run 3: other bytes, another key.
printf 'a,b\n1,3\n' >data.csv
wrap df "$("$CACHET" offload --as dataset --format csv data.csv)" >inputs3.json
run cache get "${BAR[@]}" --inputs inputs3.json -q
expect_status 1 "run 3 misses: other content"
run cache explain "${BAR[@]}" --inputs inputs3.json
expect_out_contains "miss (inputs-changed): input 'df' (changed) differs from the nearest cached entry" \
	"explain names the changed input"

# The output's object deleted from the store: run 2's lookup misses.
uri=$(sed -n 's/.*"uri": *"\([^"]*\)".*/\1/p' outputs.json)
rm "${uri#file://}"
run cache get "${BAR[@]}" --inputs inputs2.json
expect_status 1 "the output's data is gone"
expect_err "cachet: miss (missing-data): output 'n' names '$uri', which is gone from the store: entry evicted" \
	"missing data"

finish
