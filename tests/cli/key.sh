# cachet key: Flyte's own vectors (docs/flyte.md) through the CLI.
. "$(dirname "$0")/lib/assert.sh"

common=(key --project P --domain D --name t --cache-version 1.0.0)
GQ=GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8
EMPTY=GKw-c0PwFokMUQ6T-TUmEWnZ4_VlQ2Qpgw-vCTT0-OQ

run "${common[@]}"
expect_status 0 "no interface, no inputs"
expect_out "dataset  P/D/flyte_task-t/1.0.0-GKw-c0Pw-GKw-c0Pw
tag      flyte_cached-$EMPTY" "empty key"

run "${common[@]}" --inputs "$FIXTURES/inputs-1-2.json"
expect_out "dataset  P/D/flyte_task-t/1.0.0-GKw-c0Pw-GKw-c0Pw
tag      flyte_cached-$GQ" "inputs {1: 1, 2: 2}"

run "${common[@]}" --inputs "$FIXTURES/inputs-1-2.pb"
expect_status 0 "protobuf inputs"
expect_out "dataset  P/D/flyte_task-t/1.0.0-GKw-c0Pw-GKw-c0Pw
tag      flyte_cached-$GQ" "protobuf inputs give the same tag"

run "${common[@]}" --inputs "$FIXTURES/inputs-1-2.pb" --format pb
expect_out "dataset  P/D/flyte_task-t/1.0.0-GKw-c0Pw-GKw-c0Pw
tag      flyte_cached-$GQ" "--format pb"

run "${common[@]}" --inputs "$FIXTURES/inputs-1-2-3.json" --ignore 3
expect_out "dataset  P/D/flyte_task-t/1.0.0-GKw-c0Pw-GKw-c0Pw
tag      flyte_cached-$GQ" "ignoring input 3"

run "${common[@]}" --inputs "$FIXTURES/inputs-1-2-3.json" --ignore 4,3
expect_out "dataset  P/D/flyte_task-t/1.0.0-GKw-c0Pw-GKw-c0Pw
tag      flyte_cached-$GQ" "ignore list with a name that is not an input"

# --ignore repeated is the list: --ignore 4 --ignore 3 is --ignore 4,3.
run "${common[@]}" --inputs "$FIXTURES/inputs-1-2-3.json" --ignore 4 --ignore 3
expect_out "dataset  P/D/flyte_task-t/1.0.0-GKw-c0Pw-GKw-c0Pw
tag      flyte_cached-$GQ" "--ignore repeated"

# An input named "" (legal in Flyte) is ignored by an empty name: --ignore=,
# --ignore '', or an empty piece of a list.
printf '%s' '{"literals": {"1": {"scalar": {"primitive": {"integer": 1}}},
              "2": {"scalar": {"primitive": {"integer": 2}}},
              "": {"scalar": {"primitive": {"integer": 9}}}}}' >inputs-empty-name.json
run "${common[@]}" --inputs inputs-empty-name.json
expect_status 0 "an input named ''"
[ "$(tail -n1 <<<"$out")" != "tag      flyte_cached-$GQ" ] || fail "input '' must change the tag"
passed=$((passed + 1))
for ignore in --ignore= "--ignore ''" "--ignore 3,,4" "--ignore 3 --ignore="; do
	eval "args=($ignore)"
	run "${common[@]}" --inputs inputs-empty-name.json "${args[@]}"
	expect_out "dataset  P/D/flyte_task-t/1.0.0-GKw-c0Pw-GKw-c0Pw
tag      flyte_cached-$GQ" "$ignore ignores the input named ''"
done

run "${common[@]}" --inputs "$FIXTURES/inputs-1-2-3.json"
[ "$(tail -n1 <<<"$out")" != "tag      flyte_cached-$GQ" ] || fail "input 3 must change the tag"
passed=$((passed + 1))

run "${common[@]}" --interface "$FIXTURES/iface-ints.json"
expect_out "dataset  P/D/flyte_task-t/1.0.0-UxVtPm0k-GKw-c0Pw
tag      flyte_cached-$EMPTY" "interface {1: INTEGER, 2: INTEGER}"

run_stdin "$(cat "$FIXTURES/inputs-1-2.json")" "${common[@]}" --inputs -
expect_out "dataset  P/D/flyte_task-t/1.0.0-GKw-c0Pw-GKw-c0Pw
tag      flyte_cached-$GQ" "inputs from stdin"

run key --project P --domain D --name t --cache-version "  1.0.0 " --inputs "$FIXTURES/inputs-1-2.json" --json
expect_status 0 "--json"
expect_out "{\"dataset\":{\"project\":\"P\",\"domain\":\"D\",\"name\":\"flyte_task-t\",\"version\":\"1.0.0-GKw-c0Pw-GKw-c0Pw\"},\"tag\":\"flyte_cached-$GQ\"}" "--json, cache version trimmed"

finish
