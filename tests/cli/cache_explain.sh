# cachet cache explain: why a lookup hits or misses, for each reason: the
# inputs that differ (by name), a changed cache version or interface, an
# expired or evicted entry, missing data, an interface mismatch.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

in12=$FIXTURES/inputs-1-2.json
T='YYYY-MM-DDTHH:MM:SSZ'
D100="dataset  P/D/flyte_task-t/$V100"
printf '%s\n' '{"literals":{"1":{"scalar":{"primitive":{"integer":"1"}}},"2":{"scalar":{"primitive":{"integer":"3"}}}}}' >in13.json
h1=$(int_hash 1) h2=$(int_hash 2) h3=$(int_hash 3)
# The tag of {1: 1, 2: 3}, from `cachet key` (checked against Flyte's
# vectors in key.sh).
tag13=$("$CACHET" key "${TASK[@]}" --inputs in13.json | sed -n 's/^tag *//p')

# --- nothing cached -----------------------------------------------------
run cache explain "${TASK[@]}" --inputs "$in12"
expect_status 1 "explain on an empty home"
expect_out "miss (not-found): no entry of task P/D/t is cached
$D100
tag      $GQ" "nothing cached"
[ ! -e "$HOME_DIR" ] || fail "explain created the home"
passed=$((passed + 1))

run cache put "${TASK[@]}" --inputs "$in12" --outputs out3.json
a12=${out#populated  }

# --- a hit ----------------------------------------------------------------
run cache explain "${TASK[@]}" --inputs "$in12"
expect_status 0 "explain of a hit"
[ "$(masked)" = "hit: artifact $a12, created $T
$D100
tag      $GQ" ] || fail "explain of a hit: $out"
passed=$((passed + 1))
run cache explain "${TASK[@]}" --inputs "$in12" --json
expect_status 0 "explain --json of a hit"
expect_out_re "\\{\"status\":\"CACHE_HIT\",\"reason\":\"none\",\"why\":\"hit\",\"message\":\"the lookup hits\",\"dataset\":\\{[^}]*\\},\"tag\":\"$GQ\",\"artifact_id\":\"$a12\",\"created_at\":\"[-0-9T:.]+Z\",\"inputs\":.*" \
	"explain --json of a hit: the artifact and when it was created"

# --- an input changed -------------------------------------------------------
run cache explain "${TASK[@]}" --inputs in13.json
expect_status 1 "explain: input 2 changed"
want="miss (inputs-changed): input '2' (changed) differs from the nearest cached entry
$D100
tag      $tag13
nearest entry 1: artifact $a12, created $T, same dataset version
  2: changed (this run $h3, entry $h2)
  1 input the same"
[ "$(masked)" = "$want" ] || fail "explain printed
$out
expected (times masked)
$want"
passed=$((passed + 1))

run cache explain "${TASK[@]}" --inputs "$FIXTURES/inputs-1-2-3.json"
expect_status 1 "explain: input 3 added"
expect_out_contains "miss (inputs-changed): input '3' (added) differs from the nearest cached entry" \
	"an added input"
expect_out_contains "  3: added (only this run has it: $h3)" "an added input's hash"

printf '%s\n' '{"literals":{"1":{"scalar":{"primitive":{"integer":"1"}}}}}' >in1.json
run cache explain "${TASK[@]}" --inputs in1.json
expect_status 1 "explain: input 2 removed"
expect_out_contains "miss (inputs-changed): input '2' (removed) differs from the nearest cached entry" \
	"a removed input"
expect_out_contains "  2: removed (only the entry has it: $h2)" "a removed input's hash"

run cache explain "${TASK[@]}" --inputs in13.json --json
expect_status 1 "explain --json"
expect_out_re "\\{\"status\":\"CACHE_MISS\",\"reason\":\"not-found\",\"why\":\"inputs-changed\",\"message\":\"input '2' \\(changed\\) differs from the nearest cached entry\",\"dataset\":\\{\"project\":\"P\",\"domain\":\"D\",\"name\":\"flyte_task-t\",\"version\":\"$V100\"\\},\"tag\":\"$tag13\",\"artifact_id\":null,\"created_at\":null,\"inputs\":\\{\"1\":\"$h1\",\"2\":\"$h3\"\\},\"eviction\":null,\"nearest\":\\[\\{\"artifact_id\":\"$a12\",\"tag\":\"$GQ\",\"version\":\"$V100\",\"cache_version\":\"1.0.0\",\"created_at\":\"[-0-9T:.]+Z\",\"same_dataset\":true,\"cache_version_changed\":false,\"inputs_interface_changed\":false,\"outputs_interface_changed\":false,\"inputs_recorded\":true,\"changed\":1,\"inputs\":\\[\\{\"name\":\"1\",\"change\":\"same\",\"run_hash\":\"$h1\",\"entry_hash\":\"$h1\"\\},\\{\"name\":\"2\",\"change\":\"changed\",\"run_hash\":\"$h3\",\"entry_hash\":\"$h2\"\\}\\]\\}\\]\\}" \
	"explain --json"

# --- the cache version changed ----------------------------------------------
run cache explain --project P --domain D --name t --cache-version 2.0 --inputs "$in12"
expect_status 1 "explain: cache version changed"
expect_out_contains "miss (cache-version-changed): the cache version changed: cached entries have '1.0.0', this run '2.0'" \
	"cache version"
expect_out_contains "nearest entry 1: artifact $a12, created " "the entry of the old version"
expect_out_contains ", dataset version $V100 (cache version changed)" "what differs"

# --- the interface changed --------------------------------------------------
run cache explain "${TASK[@]}" --inputs "$in12" --interface "$FIXTURES/iface-ints.json"
expect_status 1 "explain: interface changed"
expect_out_contains "miss (interface-changed): the task's interface changed (inputs) since the nearest cached entry" \
	"interface"
expect_out_contains "dataset version $V100 (inputs interface changed)" "interface: what differs"

# --- expired ------------------------------------------------------------
sleep 1.2
run cache explain "${TASK[@]}" --inputs "$in12" --max-age 1s
expect_status 1 "explain: expired"
expect_out_re "miss \\(expired\\): the entry is [0-9]+ ms old, older than the maximum age of 1000 ms
$D100
tag      $GQ
nearest entry 1: .*" "expired"

# --- an interface mismatch --------------------------------------------------
# put refuses outputs that do not fit: store integer outputs under an
# integer interface, then move them under the string interface's dataset.
printf '%s\n' '{"outputs":{"variables":{"o0":{"type":{"simple":"STRING"}}}}}' >iface-str.json
printf '%s\n' '{"outputs":{"variables":{"o0":{"type":{"simple":"INTEGER"}}}}}' >iface-int.json
run cache put "${TASK[@]}" --interface iface-int.json --outputs out3.json
a_misfit=${out#populated  }
move_dataset "$(dataset_version "${TASK[@]}" --interface iface-int.json)" \
	"$(dataset_version "${TASK[@]}" --interface iface-str.json)"
run cache explain "${TASK[@]}" --interface iface-str.json --json
expect_out_contains "\"artifact_id\":\"$a_misfit\"" "explain --json names the entry that does not fit"
run cache explain "${TASK[@]}" --interface iface-str.json
expect_status 1 "explain: interface mismatch"
expect_out_contains "lookup failure (interface-mismatch): the cached outputs do not fit the interface" \
	"interface mismatch"

# --- missing data: reported, not evicted (explain changes nothing) --------
mkdir -p "$STORE/run1"
printf 'hello\n' >"$STORE/run1/x.txt"
cat >blob.json <<JSON
{"literals":{"x":{"scalar":{"blob":{"metadata":{"type":{}},"uri":"file://$STORE/run1/x.txt"}}}}}
JSON
"$CACHET" cache put "${TASK[@]}" --inputs in13.json --outputs blob.json >/dev/null
rm "$STORE/run1/x.txt"
run cache explain "${TASK[@]}" --inputs in13.json
expect_status 1 "explain: missing data"
expect_out_contains "miss (missing-data): output 'x' names 'file://$STORE/run1/x.txt', which is gone from the store" \
	"missing data"
run cache show "$tag13"
expect_status 0 "explain did not evict"

# --- evicted --------------------------------------------------------------
"$CACHET" cache evict --tag "$GQ" >/dev/null
run cache explain "${TASK[@]}" --inputs "$in12"
expect_status 1 "explain: evicted"
expect_out_re "miss \\(evicted\\): the entry was evicted at $TIME_RE \\(reason tag\\)
$D100
tag      $GQ
nearest entry 1: .*" "evicted"
run cache explain "${TASK[@]}" --inputs "$in12" --json
expect_out_re ".*\"why\":\"evicted\".*\"eviction\":\\{\"reason\":\"tag\",\"at\":\"[-0-9T:.]+Z\",\"artifact_id\":\"$a12\",\"detail\":null\\}.*" \
	"explain --json: the eviction"
# Put again: the eviction is forgotten, it hits.
run cache put "${TASK[@]}" --inputs "$in12" --outputs out3.json
a12b=${out#populated  }
run cache explain "${TASK[@]}" --inputs "$in12"
expect_status 0 "put again: a hit"

# --- a hit whose entry is not among the nearest ------------------------------
# Three entries with input hashes rank before one without: the hit still
# names its own artifact.
for v in 5 6 7; do
	printf '{"literals":{"1":{"scalar":{"primitive":{"integer":"1"}}},"2":{"scalar":{"primitive":{"integer":"%s"}}}}}\n' "$v" >"in1$v.json"
	"$CACHET" cache put "${TASK[@]}" --inputs "in1$v.json" --outputs out3.json >/dev/null
done
catalog_sql "UPDATE artifacts SET input_hashes = NULL WHERE uuid = '$a12b'"
run cache explain "${TASK[@]}" --inputs "$in12" --json
expect_status 0 "a hit on an entry without input hashes"
expect_out_contains "\"artifact_id\":\"$a12b\"" "the hit's artifact"
expect_out_lacks "\"artifact_id\":\"$a12b\",\"tag\"" "the hit's entry is not among the nearest"
run cache explain "${TASK[@]}" --inputs "$in12"
[ "$(masked)" = "hit: artifact $a12b, created $T
$D100
tag      $GQ" ] || fail "explain of a hit outside the nearest: $out"
passed=$((passed + 1))

# --- another task: nothing cached ---------------------------------------
run cache explain --project P --domain D --name other --cache-version 1.0.0
expect_status 1 "explain of a task with no entries"
expect_out_contains "miss (not-found): no entry of task P/D/other is cached" "no entries"

# --- errors ---------------------------------------------------------------
run cache explain --project P --domain D --name t
expect_status 2 "explain without --cache-version"
expect_err_contains "cachet: cache explain: --cache-version is required" "explain needs the task"
run cache explain "${TASK[@]}" --max-age forever
expect_status 2 "explain with a bad --max-age"
expect_err "cachet: cache explain: --max-age must be a duration such as 90s, 12h or 7d, not 'forever'" \
	"explain --max-age"

finish
