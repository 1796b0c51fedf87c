# cachet cache ls / show: the entries as a table, and one by one with
# their input hashes and outputs.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

in12=$FIXTURES/inputs-1-2.json
TASK_U=(--project P --domain D --name u --cache-version 1.0.0)
T='YYYY-MM-DDTHH:MM:SSZ'

# An empty home: a header and nothing else, and no home created.
run cache ls
expect_status 0 "ls of an empty home"
expect_out "TASK  VERSION  TAG  CREATED  LAST HIT  HITS  SIZE" "ls of an empty home"
[ ! -e "$HOME_DIR" ] || fail "ls created the home"
passed=$((passed + 1))
run cache ls --json
expect_out '{"entries":[]}' "ls --json of an empty home"

mkdir -p "$STORE/run1"
printf 'hello\n' >"$STORE/run1/x.txt" # 6 bytes
cat >blob.json <<JSON
{"literals":{"x":{"scalar":{"blob":{"metadata":{"type":{}},"uri":"file://$STORE/run1/x.txt"}}}}}
JSON

# The task version belongs to the dataset (Flyte's "task-version"
# metadata): the first put of the dataset sets it for all its entries.
run cache put "${TASK[@]}" --inputs "$in12" --outputs out3.json --task-version abc123
a_gq=${out#populated  }
sleep 0.05 # entries of one task are listed newest first
run cache put "${TASK[@]}" --outputs out4.json
a_empty=${out#populated  }
run cache put "${TASK_U[@]}" --outputs blob.json
a_u=${out#populated  }
"$CACHET" cache get "${TASK[@]}" --inputs "$in12" >/dev/null
"$CACHET" cache get "${TASK[@]}" --inputs "$in12" >/dev/null

row() { printf '%-5s  %-23s  %-56s  %-20s  %-20s  %4s  %4s\n' "$@"; }
run cache ls
expect_status 0 "ls"
want=$(row TASK VERSION TAG CREATED "LAST HIT" HITS SIZE
	row P/D/t 1.0.0-GKw-c0Pw-GKw-c0Pw "$EMPTY" "$T" - 0 "0 B"
	row P/D/t 1.0.0-GKw-c0Pw-GKw-c0Pw "$GQ" "$T" "$T" 2 "0 B"
	row P/D/u 1.0.0-GKw-c0Pw-GKw-c0Pw "$EMPTY" "$T" - 0 "6 B")
[ "$(masked)" = "$want" ] || fail "ls printed
$out
expected (times masked)
$want"
passed=$((passed + 1))

run cache ls --task u
expect_status 0 "ls --task u"
[ "$(wc -l <<<"$out")" -eq 2 ] || fail "ls --task u: $out"
expect_out_contains "P/D/u  1.0.0-GKw-c0Pw-GKw-c0Pw  $EMPTY" "ls --task u"
run cache ls --task flyte_task-u
[ "$(wc -l <<<"$out")" -eq 2 ] || fail "ls --task flyte_task-u: $out"
passed=$((passed + 1))
run cache ls --project Q
expect_out "TASK  VERSION  TAG  CREATED  LAST HIT  HITS  SIZE" "ls --project with no entries"

run cache ls --json --task t
expect_status 0 "ls --json"
expect_out_re "\\{\"entries\":\\[\\{\"project\":\"P\",\"domain\":\"D\",\"task\":\"t\",\"name\":\"flyte_task-t\",\"version\":\"1.0.0-GKw-c0Pw-GKw-c0Pw\",\"task_version\":\"abc123\",\"tag\":\"$EMPTY\",\"artifact_id\":\"$a_empty\",\"created_at\":\"[-0-9T:.]+Z\",\"last_hit_at\":null,\"hits\":0,\"size_bytes\":0,\"source\":\\{[^}]*\\}\\},\\{.*\"tag\":\"$GQ\",\"artifact_id\":\"$a_gq\",.*\"hits\":2,.*\\}\\]\\}" \
	"ls --json"

# show by tag: every task that has the tag; by artifact id: that entry.
h1=$(int_hash 1) h2=$(int_hash 2)
run cache show "$GQ"
expect_status 0 "show TAG"
want="task          P/D/t
dataset       P/D/flyte_task-t/1.0.0-GKw-c0Pw-GKw-c0Pw
task version  abc123
tag           $GQ
artifact      $a_gq
created       $T
last hit      $T
hits          2
size          0 B (0 bytes)
inputs
  1  $h1
  2  $h2
outputs
  o0: 3 (integer)"
[ "$(masked)" = "$want" ] || fail "show printed
$out
expected (times masked)
$want"
passed=$((passed + 1))

run cache show "$a_u"
expect_status 0 "show ARTIFACT-ID"
want="task          P/D/u
dataset       P/D/flyte_task-u/1.0.0-GKw-c0Pw-GKw-c0Pw
tag           $EMPTY
artifact      $a_u
created       $T
last hit      -
hits          0
size          6 B (6 bytes)
inputs        (none)
outputs
  x: file://$STORE/run1/x.txt file"
[ "$(masked)" = "$want" ] || fail "show ARTIFACT-ID printed
$out
expected (times masked)
$want"
passed=$((passed + 1))

# No inputs (the put had no --inputs: it records that there were none)
# against none recorded (a put that left the input hashes out, as a
# library caller may): the input hashes cleared behind cachet's back.
run cache show --json "$a_u"
expect_out_contains '"inputs":{}' "show --json: no inputs"
catalog_sql "UPDATE artifacts SET input_hashes = NULL WHERE uuid = '$a_u'"
run cache show "$a_u"
expect_status 0 "show an entry with no input hashes recorded"
expect_out_contains "
inputs        (none recorded)
outputs
" "show: none recorded is not no inputs"
run cache show --json "$a_u"
expect_out_contains '"inputs":null' "show --json: none recorded"

run cache show "$EMPTY"
expect_status 0 "show a tag two tasks have"
[ "$(grep -c '^task    ' <<<"$out")" -eq 2 ] || fail "show $EMPTY: $out"
passed=$((passed + 1))

run cache show --json "$GQ"
expect_status 0 "show --json"
expect_out_contains "\"inputs\":{\"1\":\"$h1\",\"2\":\"$h2\"}" "show --json: the input hashes"
expect_out_contains '"outputs":{"literals":{"o0":{"scalar":{"primitive":{"integer":"3"}}}}}' \
	"show --json: the outputs"
expect_out_contains '"task_version":"abc123"' "show --json: the task version"

run cache show flyte_cached-nothing
expect_status 1 "show of an unknown tag"
expect_out "" "show of an unknown tag prints nothing"
expect_err "cachet: no entry has the tag or artifact id 'flyte_cached-nothing'" "show unknown"
run cache show --json flyte_cached-nothing
expect_status 1 "show --json of an unknown tag"
expect_out '{"entries":[]}' "show --json of an unknown tag"

run cache show
expect_status 2 "show without an argument"
expect_err_contains "cachet: cache show: no TAG or ARTIFACT-ID given" "show without an argument"
run cache show a b
expect_status 2 "show with two arguments"
expect_err_contains "cachet: cache show: unexpected argument 'b'" "show a b"
run cache show --task t "$GQ"
expect_status 2 "show does not take --task"
expect_err_contains "cachet: cache show: unknown or incomplete option '--task'" "show --task"
run cache ls extra
expect_status 2 "ls with an argument"
expect_err_contains "cachet: cache ls: unexpected argument 'extra'" "ls extra"

finish
