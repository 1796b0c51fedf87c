# U+0000 in strings (issue 10 §1): cachet literal convert keeps every byte,
# and cachet literal show prints a NUL escaped, on one line.
. "$(dirname "$0")/lib/assert.sh"
cd "$(mktemp -d)"
NUL=$CACHET_SRC/tests/fixtures/nul

# The identity on bytes Google's protobuf wrote (scripts/gen-fixtures-nul.py).
run literal convert --to pb --from pb -o out.pb "$NUL/literal_map.pb"
expect_status 0 "pb to pb"
cmp -s out.pb "$NUL/literal_map.pb" || fail "pb to pb: bytes differ from Google's"
passed=$((passed + 1))

# Google's JSON gives Google's bytes; cachet's JSON is the canonical text.
run literal convert --to pb -o from-json.pb "$NUL/literal_map.json"
expect_status 0 "json to pb"
cmp -s from-json.pb "$NUL/literal_map.pb" || fail "json to pb: bytes differ from Google's"
passed=$((passed + 1))
run literal convert --to json "$NUL/literal_map.pb"
expect_out "$(cat "$NUL/literal_map.canonical.json")" "pb to json"
run literal convert --type interface --to json "$NUL/interface.pb"
expect_out "$(cat "$NUL/interface.canonical.json")" "interface pb to json"

# The key Flyte computes (keys.txt: objecthash from its definition).
tag=$(sed -n 's/^literal_map tag //p' "$NUL/keys.txt")
version=$(sed -n 's/^interface dataset_version //p' "$NUL/keys.txt")
run key --project P --domain D --name t --cache-version 1 \
	--interface "$NUL/interface.pb" --inputs "$NUL/literal_map.json"
expect_status 0 "key"
expect_out "dataset  P/D/flyte_task-t/$version
tag      $tag" "key of values holding NUL"

# show: NUL and the other control characters as \xNN, in names, values,
# hashes, metadata, URIs, formats and messages alike.
run_stdin '{"literals":{"a\u0000b":{"scalar":{"primitive":{"stringValue":"x\u0000y"}},"hash":"h\u0000","metadata":{"k\u0000":"v\u0000"}},"f":{"scalar":{"blob":{"uri":"s3://b/\u0000","metadata":{"type":{"format":"c\u0000"}}}}},"e":{"scalar":{"error":{"failedNodeId":"n\u0000","message":"m\u0000"}}}}}' literal show
expect_status 0 "show"
expect_out 'a\x00b: "x\x00y" (string), hash h\x00, metadata k\x00=v\x00
e: error from node '"'"'n\x00'"'"': m\x00
f: s3://b/\x00 c\x00 file' "show escapes NUL"

finish
