# cachet cache get / put / explain --task: the task read from Flyte's own
# task file has the key of the same task given option by option.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

TASKS=$CACHET_SRC/tests/fixtures/task
in123=$FIXTURES/inputs-1-2-3.json
# The task "ints" of the fixtures, option by option (tests/cli/key_task.sh).
BY_OPTIONS=(--project P --domain D --name t --cache-version 1.0.0
	--interface "$FIXTURES/iface-ints.json" --ignore 3)
VINTS=1.0.0-UxVtPm0k-GKw-c0Pw

run cache get --task "$TASKS/template.pb" --inputs "$in123"
expect_status 1 "get --task before any put: a miss"
expect_err "cachet: miss (not-found): no entry for tag '$GQ' of 'P/D/flyte_task-t/$VINTS'" \
	"the miss names Flyte's key of the task"

# The task's interface declares no outputs, and is checked as --interface
# is: outputs it does not declare are refused.
run cache put --task "$TASKS/spec.json" --inputs "$in123" --outputs out3.json
expect_status 2 "put --task of outputs the task does not declare"
expect_err "cachet: cannot put the outputs: the outputs do not fit the interface: output 'o0' is not in the interface" \
	"the task's interface checks the outputs"

printf '{}\n' >none.json
run cache put --task "$TASKS/spec.json" --inputs "$in123" --outputs none.json
expect_status 0 "put --task (a TaskSpec in JSON)"

run cache get "${BY_OPTIONS[@]}" --inputs "$FIXTURES/inputs-1-2.json"
expect_status 0 "the entry put by task file hits by options"
expect_out "{}" "the outputs that were put: none"

run cache get --task "$TASKS/template.json" --inputs "$in123"
expect_status 0 "get --task (a TaskTemplate in JSON)"
expect_out "{}" "get --task: the outputs"

# explain drops the task's ignore list as the key does: input 3 is not
# compared.
run cache explain --task "$TASKS/spec.pb" --inputs "$in123"
expect_status 0 "explain --task: a hit"
expect_out_contains "dataset  P/D/flyte_task-t/$VINTS" "explain --task: the task's dataset"

# A task that is not cached: every command says so and exits 1.
for cmd in get put explain; do
	extra=()
	[ "$cmd" = put ] && extra=(--outputs none.json)
	run cache "$cmd" --task "$TASKS/not_discoverable.pb" --inputs "$in123" "${extra[@]}"
	expect_status 1 "cache $cmd of a task that is not discoverable"
	expect_err "cachet: $TASKS/not_discoverable.pb: task 'P/D/t' is not cached (metadata.discoverable is false); --ignore-discoverable computes its key anyway" \
		"cache $cmd: why"
done
run cache get --task "$TASKS/not_discoverable.pb" --inputs "$in123" --ignore-discoverable
expect_status 0 "--ignore-discoverable: the lookup is made (and hits)"

run cache put --task "$TASKS/template.pb" --project P --outputs out3.json
expect_status 2 "put --task with --project"
expect_err "cachet: cache put: --task gives the task and its interface; --project cannot be given with it" \
	"put --task with --project"

finish
