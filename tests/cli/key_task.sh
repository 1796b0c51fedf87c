# cachet key --task: keys from Flyte's own task files, a TaskTemplate or a
# TaskSpec in protobuf or JSON (tests/fixtures/task, written by Google's
# protobuf from scripts/gen-fixtures-task.py, with fields cachet does not
# model and one no Flyte has set, to prove they are skipped).
. "$(dirname "$0")/lib/assert.sh"

TASKS=$CACHET_SRC/tests/fixtures/task
in123=$FIXTURES/inputs-1-2-3.json

# The task "ints" is Flyte's own key vector (docs/flyte.md, "Test vectors"):
# project P, domain D, name t, cache version 1.0.0, inputs {1: INTEGER,
# 2: INTEGER}, input 3 ignored. The expected key is Flyte's, not cachet's.
KEY="dataset  P/D/flyte_task-t/1.0.0-UxVtPm0k-GKw-c0Pw
tag      flyte_cached-GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8"

for f in template.pb template.json template_snake.json spec.pb spec.json; do
	run key --task "$TASKS/$f" --inputs "$in123"
	expect_status 0 "key --task $f"
	expect_out "$KEY" "$f: Flyte's key of the task"
done

# The same task given option by option, as the tests of `cachet key` have
# verified it (tests/cli/key.sh): the same key.
run key --project P --domain D --name t --cache-version 1.0.0 \
	--interface "$FIXTURES/iface-ints.json" --inputs "$in123" --ignore 3
expect_out "$KEY" "the task given by options has the key of its task file"

# Inputs in protobuf and a task in JSON: each file's encoding is its own.
run key --task "$TASKS/spec.json" --inputs "$FIXTURES/inputs-1-2.pb"
expect_out "$KEY" "JSON task, protobuf inputs"

# --task-format says what detection would have said.
run key --task "$TASKS/spec.pb" --task-format spec --inputs "$in123"
expect_out "$KEY" "--task-format spec"
run key --task "$TASKS/template.json" --task-format template --format json --inputs "$in123"
expect_out "$KEY" "--task-format template --format json"

# The task's ignore list and --ignore both count: ignoring 2 as well.
run key --task "$TASKS/template.pb" --inputs "$in123" --ignore 2
expect_status 0 "--ignore beside the task's list"
run key --project P --domain D --name t --cache-version 1.0.0 \
	--interface "$FIXTURES/iface-ints.json" --inputs "$in123" --ignore 3,2
[ "$(tail -n1 <<<"$out")" != "tag      flyte_cached-GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8" ] ||
	fail "ignoring 2 must change the tag"
want=$out
run key --task "$TASKS/template.pb" --inputs "$in123" --ignore 2
expect_out "$want" "--ignore 2 joins the task's ignore list (3)"

run key --task "$TASKS/template.pb" --inputs "$in123" --json
expect_out '{"dataset":{"project":"P","domain":"D","name":"flyte_task-t","version":"1.0.0-UxVtPm0k-GKw-c0Pw"},"tag":"flyte_cached-GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8"}' \
	"--task --json"

run_stdin "$(cat "$TASKS/template.json")" key --task - --inputs "$in123"
expect_out "$KEY" "a task file from stdin"

# --- a task that is not cached --------------------------------------------
for f in not_discoverable.pb not_discoverable.json; do
	run key --task "$TASKS/$f" --inputs "$in123"
	expect_status 1 "$f: not cached"
	expect_out "" "$f: no key without --ignore-discoverable"
	expect_err "cachet: $TASKS/$f: task 'P/D/t' is not cached (metadata.discoverable is false); --ignore-discoverable computes its key anyway" \
		"$f: says why"
	run key --task "$TASKS/$f" --inputs "$in123" --ignore-discoverable
	expect_status 0 "$f --ignore-discoverable"
	expect_out "$KEY" "$f: the key on request"
done

# --- files that are not a task's, or not there ----------------------------
run key --task "$TASKS/workflow_id.pb"
expect_status 2 "an id that names a workflow"
expect_err "cachet: $TASKS/workflow_id.pb: id: names a WORKFLOW, not a task" "a workflow's id"

run key --task "$TASKS/ambiguous.pb"
expect_status 2 "bytes that could be either message"
expect_err "cachet: $TASKS/ambiguous.pb: cannot tell a TaskTemplate from a TaskSpec (neither an id's resource type nor a template's id shows); decode it with --task-format template or spec" \
	"ambiguous bytes: the error names the option"
run key --task "$TASKS/ambiguous.pb" --task-format template --ignore-discoverable
expect_status 2 "the template decodes, but has no cache version"
expect_err "cachet: task cannot have an empty cache version" "no discovery_version"

printf '{"id": {"project": "P", "domain": "D", "name": "t"}, "metadata": {"discoverable": "yes"}}' >bad.json
run key --task bad.json
expect_status 2 "a malformed task file"
expect_err "cachet: bad.json: metadata: \"discoverable\" must be true or false, got \"yes\"" \
	"a malformed task file: where and what"

printf '{"id": {"project": "P", "domain": "D", "name": "t"}, "metadata": {"discoverable": true, "discoveryVersion": "1.0.0"}, "interface": {"inputs": {"future": 1}}}' >iface.json
run key --task iface.json
expect_status 2 "an unknown field in the interface"
expect_err_contains "unknown field \"future\"" "the interface keeps the strict JSON rule"

printf '\x0a\x03\x08\x01\x12' >truncated.pb
run key --task truncated.pb
expect_status 2 "truncated protobuf"
expect_err_contains "cachet: truncated.pb: id" "truncated protobuf: the error names the file and the field"

printf '{"id": {"project": "", "domain": "D", "name": "t"}}' >noproject.json
run key --task noproject.json
expect_status 2 "an empty project"
expect_err "cachet: noproject.json: id: the task's project is empty" "an empty project"

run key --task "$TASKS/does-not-exist.pb"
expect_status 2 "a missing task file"
expect_err "cachet: cannot open '$TASKS/does-not-exist.pb': No such file or directory" \
	"a missing task file"

# --- options that do not go together -------------------------------------
run key --task "$TASKS/template.pb" --project P
expect_status 2 "--task with --project"
expect_err "cachet: key: --task gives the task and its interface; --project cannot be given with it" \
	"--task with --project"
run key --task "$TASKS/template.pb" --interface "$FIXTURES/iface-ints.json"
expect_status 2 "--task with --interface"
run key --project P --domain D --name t --cache-version 1 --task-format spec
expect_status 2 "--task-format without --task"
expect_err "cachet: key: --task-format is for --task" "--task-format without --task"
run key --task "$TASKS/template.pb" --task-format both
expect_status 2 "a bad --task-format"
expect_err "cachet: key: --task-format must be template or spec, not 'both'" "a bad --task-format"
run_stdin "" key --task - --inputs -
expect_status 2 "--task and --inputs both from stdin"
expect_err "cachet: key: --task and --inputs cannot both read stdin" "one stdin"

finish
