# cachet runs ls / show: the records of past runs.
. "$(dirname "$0")/lib/assert.sh"

home=$PWD/home
seed=$EXAMPLES/seed.yaml
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
	passed=$((passed + 1))
}

# no runs yet: an empty list, not an error
run runs ls --home "$home"
expect_status 0 "ls with no runs"
expect_eq "$(tr -s ' ' <<<"$out")" "ID WORKFLOW STATUS STARTED DURATION NODES HITS FAILED" "header only"
run runs ls --home "$home" --json
expect_out "[]" "no runs as JSON"

# three runs: two of seed (a miss, then a hit), one of another workflow
cat >other.yaml <<'EOF'
workflow: other
tasks:
  t:
    outputs: {o: int}
    command: [sh, -c, 'echo 5 > "$0"', "{{outputs.o}}"]
nodes:
  t:
EOF
id1=$("$CACHET" run "$seed" -i a=2 --home "$home" --json | jq -r .id)
id2=$("$CACHET" run "$seed" -i a=2 --home "$home" --json | jq -r .id)
id3=$("$CACHET" run other.yaml --home "$home" --json | jq -r .id)

run runs ls --home "$home" --json
expect_status 0 "ls --json"
expect_eq "$(jq -r 'map(.id) | join(" ")' <<<"$out")" "$id3 $id2 $id1" "newest first"
expect_eq "$(jq -r '.[1] | "\(.workflow) \(.status) \(.nodes) \(.hits) \(.failed)"' <<<"$out")" \
	"seed SUCCEEDED 2 1 0" "the second seed run: one hit"
expect_eq "$(jq -r '.[2].hits' <<<"$out")" 0 "the first seed run: no hit"

run runs ls --home "$home" --workflow seed -n 1 --json
expect_eq "$(jq -r 'map(.id) | join(" ")' <<<"$out")" "$id2" "--workflow and -n"

run runs ls --home "$home"
expect_eq "$(wc -l <<<"$out")" 4 "a header and three rows"
grep -Eq "^$id2 +seed +SUCCEEDED +[0-9-]+ [0-9:]+ +[0-9.]+ m?s +2 +1 +0$" <<<"$out" ||
	fail "the row of run 2: $out"
passed=$((passed + 1))

# show: the same JSON as `cachet run --json` printed at the end of the run
direct=$("$CACHET" run "$seed" -i a=4 --home "$home" --json)
id4=$(jq -r .id <<<"$direct")
run runs show "$id4" --home "$home" --json
expect_status 0 "show --json"
expect_out "$direct" "show --json is what run --json printed"

# a unique prefix of an id is enough
run runs show "${id4%??}" --home "$home" --json
expect_eq "$(jq -r .id <<<"$out")" "$id4" "unique prefix"

# the text form names the inputs, each node with its key and outputs
run runs show "$id2" --home "$home"
expect_status 0 "show"
expect_eq "$(sed -n 1p <<<"$out")" "run       $id2" "show: id"
expect_eq "$(sed -n 2p <<<"$out")" "workflow  seed (project examples, domain development)" "show: workflow"
expect_eq "$(sed -n 3p <<<"$out")" "status    SUCCEEDED" "show: status"
grep -qx '  a: 2 (integer)' <<<"$out" || fail "show: input a: $out"
grep -qx '  b: "x" (string)' <<<"$out" || fail "show: input b (its default): $out"
grep -qx '  bar: SUCCEEDED, cache HIT, [0-9]* ms' <<<"$out" || fail "show: bar: $out"
grep -qx '    dataset   examples/development/flyte_task-bar/1.0-[A-Za-z0-9_-]*' <<<"$out" ||
	fail "show: bar's dataset: $out"
grep -qx '    tag       flyte_cached-[A-Za-z0-9_-]*' <<<"$out" || fail "show: bar's tag: $out"
grep -qx "      df: file://$home/store/.*/foo/df csv dataset, hash sha256:[0-9a-f]*" <<<"$out" ||
	fail "show: foo's dataset: $out"
passed=$((passed + 7))
expect_eq "$(tail -n 2 <<<"$out")" "outputs:
  rows: 2 (integer)" "show: the outputs"

# a record that cannot be read is skipped, with a warning
mkdir -p "$home/runs/20991231-000000-badbad"
echo '{bad' >"$home/runs/20991231-000000-badbad/run.json"
run runs ls --home "$home" -n 1 --json
expect_status 0 "ls past a broken record"
expect_eq "$(jq -r '.[0].id' <<<"$out")" "$id4" "the broken record is skipped"
expect_err_contains "cachet: warning: skipping run '20991231-000000-badbad': " "a warning names it"
rm -r "$home/runs/20991231-000000-badbad"

# a record larger than the input limit is refused, not read whole
CACHET_MAX_INPUT=100 run runs show "$id4" --home "$home"
expect_status 2 "a record over the input limit"
expect_err "cachet: cannot read '$home/runs/$id4/run.json': larger than the input limit of 100 bytes (set CACHET_MAX_INPUT to raise it)" \
	"a record over the input limit"

# errors
run runs show nope --home "$home"
expect_status 2 "unknown run"
expect_err "cachet: no run 'nope'" "unknown run"
run runs show 2 --home "$home"
expect_status 2 "ambiguous prefix"
expect_err "cachet: run id '2' is ambiguous: 4 runs start with it" "ambiguous prefix"
run runs show --home "$home"
expect_status 2 "show without an id"
expect_err_contains "cachet: runs show: which run? (see 'cachet runs ls')" "show without an id"
run runs
expect_err_contains "cachet: runs: ls or show?" "no subcommand"
run runs rm x
expect_err_contains "cachet: runs: unknown subcommand 'rm' (ls or show)" "bad subcommand"
run runs ls -n 0 --home "$home"
expect_err "cachet: runs ls: -n takes a positive number, not '0'" "-n 0"
run runs ls extra --home "$home"
expect_err_contains "cachet: runs ls: unexpected argument 'extra'" "stray argument"
# ls's options, refused by show, are named as given, not by their value
run runs show --workflow wf "$id4" --home "$home"
expect_status 2 "show --workflow"
expect_err_contains "cachet: runs show: unknown or incomplete option '--workflow'" "show --workflow"
run runs show -n 3 "$id4" --home "$home"
expect_err_contains "cachet: runs show: unknown or incomplete option '-n'" "show -n"
run runs ls --frobnicate --home "$home"
expect_err_contains "cachet: runs ls: unknown or incomplete option '--frobnicate'" "unknown option"

finish
