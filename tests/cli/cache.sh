# cachet cache get / put: the catalog as a shell script's cache. A put
# followed by a get gives the outputs back; a miss exits 1 and says why.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

in12=$FIXTURES/inputs-1-2.json

# --- a miss on an empty home: exit 1, nothing on stdout, why on stderr --
run cache get "${TASK[@]}" --inputs "$in12"
expect_status 1 "get before any put"
expect_out "" "a miss prints no outputs"
expect_err "cachet: miss (not-found): no entry for tag '$GQ' of 'P/D/flyte_task-t/$V100'" \
	"a miss says why"
[ -f "$HOME_DIR/catalog.db" ] || fail "the get created the catalog (to count the miss)"
passed=$((passed + 1))

run cache get "${TASK[@]}" --inputs "$in12" -q
expect_status 1 "get -q"
expect_err "" "-q: nothing on stderr"

run cache get "${TASK[@]}" --inputs "$in12" --json
expect_status 1 "get --json on a miss"
expect_out "{\"status\":\"CACHE_MISS\",\"reason\":\"not-found\",\"message\":\"no entry for tag '$GQ' of 'P/D/flyte_task-t/$V100'\",\"dataset\":{\"project\":\"P\",\"domain\":\"D\",\"name\":\"flyte_task-t\",\"version\":\"$V100\"},\"tag\":\"$GQ\",\"artifact_id\":null,\"created_at\":null}" \
	"get --json on a miss"
expect_err "" "get --json: the answer is on stdout only"

# --- put, then get: the same outputs --------------------------------------
run cache put "${TASK[@]}" --inputs "$in12" --outputs out3.json
expect_status 0 "put"
expect_out_re "populated  [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}" \
	"put prints the new artifact id (a uuid4)"
artifact=${out#populated  }

run cache get "${TASK[@]}" --inputs "$in12"
expect_status 0 "get after put: a hit"
expect_out "$(cat out3.json)" "the hit prints the outputs that were put"
expect_err "" "a hit says nothing on stderr"

# The same inputs in protobuf, and from stdin: the same key, a hit.
run cache get "${TASK[@]}" --inputs "$FIXTURES/inputs-1-2.pb"
expect_status 0 "get with protobuf inputs"
run_stdin "$(cat "$in12")" cache get "${TASK[@]}" --inputs -
expect_status 0 "get with inputs from stdin"
expect_out "$(cat out3.json)" "outputs of the stdin get"

# Other inputs, other key: a miss.
run cache get "${TASK[@]}" --inputs "$FIXTURES/inputs-1-2-3.json"
expect_status 1 "other inputs miss"
# --ignore 3 leaves input 3 out of the key: a hit again.
run cache get "${TASK[@]}" --inputs "$FIXTURES/inputs-1-2-3.json" --ignore 3
expect_status 0 "--ignore 3 hits the entry of {1, 2}"

# -o FILE writes the outputs where make wants them.
run cache get "${TASK[@]}" --inputs "$in12" -o got.json
expect_status 0 "get -o"
expect_out "" "get -o: nothing on stdout"
cmp -s got.json out3.json || fail "get -o wrote $(cat got.json)"
passed=$((passed + 1))

# A LiteralMap with o0 = integer 3, by hand:
#   0a 0c                literals entry (1), 12 bytes
#     0a 02 6f 30          key (1) = "o0"
#     12 06                value (2): Literal, 6 bytes
#       0a 04                scalar (1), 4 bytes
#         0a 02                primitive (1), 2 bytes
#           08 03                integer (1) = 3
printf '\x0a\x0c\x0a\x02\x6f\x30\x12\x06\x0a\x04\x0a\x02\x08\x03' >want3.pb
run cache get "${TASK[@]}" --inputs "$in12" --to pb -o got.pb
expect_status 0 "get --to pb -o"
cmp -s got.pb want3.pb || fail "get --to pb wrote $(od -An -tx1 got.pb)"
passed=$((passed + 1))
"$CACHET" cache get "${TASK[@]}" --inputs "$in12" --to pb >piped.pb
cmp -s piped.pb want3.pb || fail "get --to pb to a pipe wrote $(od -An -tx1 piped.pb)"
passed=$((passed + 1))

# A miss leaves -o FILE alone (make must not see a target).
run cache get "${TASK[@]}" -o never.json
expect_status 1 "miss with -o"
[ ! -e never.json ] || fail "a miss created the -o file"
passed=$((passed + 1))

run cache get "${TASK[@]}" --inputs "$in12" --json
expect_status 0 "get --json on a hit"
expect_out_re "\\{\"status\":\"CACHE_HIT\",\"reason\":\"none\",\"message\":null,\"dataset\":\\{\"project\":\"P\",\"domain\":\"D\",\"name\":\"flyte_task-t\",\"version\":\"$V100\"\\},\"tag\":\"$GQ\",\"artifact_id\":\"$artifact\",\"created_at\":\"${TIME_RE%Z}\\.[0-9]{3}Z\",\"outputs\":\\{\"literals\":\\{\"o0\":\\{\"scalar\":\\{\"primitive\":\\{\"integer\":\"3\"\\}\\}\\}\\}\\}\\}" \
	"get --json on a hit"

# --- put again: the entry is kept unless --overwrite --------------------
run cache put "${TASK[@]}" --inputs "$in12" --outputs out4.json
expect_status 0 "a second put"
expect_out "exists     $artifact" "a second put keeps the entry"
expect_err "cachet: an entry exists already under this key; kept it (--overwrite replaces it)" \
	"a second put says so"
run cache get "${TASK[@]}" --inputs "$in12"
expect_out "$(cat out3.json)" "the first outputs stay"

run cache put "${TASK[@]}" --inputs "$in12" --outputs out4.json --overwrite --json
expect_status 0 "put --overwrite"
expect_out_re "\\{\"status\":\"CACHE_POPULATED\",\"message\":null,\"artifact_id\":\"[0-9a-f-]{36}\",\"created\":true,\"replaced\":true,\"dataset\":\\{\"project\":\"P\",\"domain\":\"D\",\"name\":\"flyte_task-t\",\"version\":\"$V100\"\\},\"tag\":\"$GQ\"\\}" \
	"put --overwrite --json"
case "$out" in *"$artifact"*) fail "--overwrite kept the old artifact id" ;; esac
run cache get "${TASK[@]}" --inputs "$in12"
expect_out "$(cat out4.json)" "--overwrite replaced the outputs"

# Outputs from stdin, in protobuf.
run_stdin "" cache put "${TASK[@]}" --outputs - --format json
expect_status 2 "empty JSON on stdin is not a LiteralMap"
"$CACHET" cache put "${TASK[@]}" --outputs - <want3.pb >/dev/null
run cache get "${TASK[@]}"
expect_status 0 "put with protobuf outputs from stdin, no inputs"
expect_out "$(cat out3.json)" "the protobuf outputs come back as JSON"
run cache get "${TASK[@]}" --json -o nothing.json
expect_out_contains "\"tag\":\"$EMPTY\"" "no inputs: the empty tag"
expect_out_lacks "\"outputs\"" "--json with -o leaves the outputs to the file"

# --home wins over $CACHET_HOME.
run cache get "${TASK[@]}" --inputs "$in12" --home other
expect_status 1 "another home is another cache"
[ -f other/catalog.db ] || fail "--home other: the catalog is not in ./other"
passed=$((passed + 1))

# --- --max-age -----------------------------------------------------------
run cache get "${TASK[@]}" --inputs "$in12" --max-age 1h
expect_status 0 "an entry younger than --max-age hits"
sleep 1.2
run cache get "${TASK[@]}" --inputs "$in12" --max-age 1s
expect_status 1 "an entry older than --max-age misses"
expect_err_contains "cachet: miss (expired): the entry is " "expired"
expect_err_contains "ms old, older than the maximum age of 1000 ms" "expired"
run cache get "${TASK[@]}" --inputs "$in12" --max-age 1100ms
expect_status 1 "--max-age in ms"
expect_err_contains "older than the maximum age of 1100 ms" "--max-age 1100ms"
run cache get "${TASK[@]}" --inputs "$in12" --max-age 1h30m
expect_status 0 "--max-age 1h30m"
run cache get "${TASK[@]}" --inputs "$in12" --max-age 0
expect_status 0 "--max-age 0: no limit"

# --- the interface: outputs that do not fit are refused by put ------------
printf '%s\n' '{"outputs":{"variables":{"o0":{"type":{"simple":"STRING"}}}}}' >iface-str.json
printf '%s\n' '{"outputs":{"variables":{"o0":{"type":{"simple":"INTEGER"}}}}}' >iface-int.json
run cache put "${TASK[@]}" --interface iface-int.json --outputs out3.json
expect_status 0 "put under an interface"
run cache get "${TASK[@]}" --interface iface-int.json
expect_status 0 "outputs that fit the interface hit"
# Integer outputs where the interface says string: nothing stored.
run cache put "${TASK[@]}" --interface iface-str.json --outputs out3.json
expect_status 2 "put of outputs that do not fit --interface"
expect_out "" "a refused put prints nothing on stdout"
expect_err "cachet: cannot put the outputs: the outputs do not fit the interface: output 'o0': an int is not of type str" \
	"a refused put says which output and why"
run cache put "${TASK[@]}" --interface iface-str.json --outputs out3.json --json
expect_status 2 "put --json of outputs that do not fit"
expect_out "{\"status\":\"CACHE_PUT_FAILURE\",\"message\":\"the outputs do not fit the interface: output 'o0': an int is not of type str\",\"artifact_id\":null,\"created\":false,\"replaced\":false,\"dataset\":{\"project\":\"P\",\"domain\":\"D\",\"name\":\"flyte_task-t\",\"version\":\"$(dataset_version "${TASK[@]}" --interface iface-str.json)\"},\"tag\":\"$EMPTY\"}" \
	"put --json of outputs that do not fit"
run cache get "${TASK[@]}" --interface iface-str.json
expect_status 1 "the refused put stored nothing"
expect_err_contains "cachet: miss (not-found): " "the refused put stored nothing"
# An output the interface does not declare, and one it declares but the
# outputs lack.
printf '%s\n' '{"outputs":{"variables":{}}}' >iface-none.json
run cache put "${TASK[@]}" --interface iface-none.json --outputs out3.json
expect_err "cachet: cannot put the outputs: the outputs do not fit the interface: output 'o0' is not in the interface" \
	"an output the interface lacks"
printf '%s\n' '{"outputs":{"variables":{"o0":{"type":{"simple":"INTEGER"}},"o1":{"type":{"simple":"FLOAT"}}}}}' >iface-two.json
run cache put "${TASK[@]}" --interface iface-two.json --outputs out3.json
expect_err "cachet: cannot put the outputs: the outputs do not fit the interface: output 'o1' is missing" \
	"an output the outputs lack"

# --- an entry that does not fit (stored by another writer): a lookup failure
# Move the integer-typed entry under the string-typed interface's dataset.
move_dataset "$(dataset_version "${TASK[@]}" --interface iface-int.json)" \
	"$(dataset_version "${TASK[@]}" --interface iface-str.json)"
run cache get "${TASK[@]}" --interface iface-str.json
expect_status 1 "outputs that do not fit the interface: a lookup failure, exit 1"
expect_err "cachet: lookup failure (interface-mismatch): the cached outputs do not fit the interface: output 'o0': an int is not of type str" \
	"interface mismatch"

finish
