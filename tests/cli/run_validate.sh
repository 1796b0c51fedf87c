# cachet run and cachet graph on workflow files that are wrong: every
# problem is reported with file:line:column before anything runs, the
# graph's problems all at once. Lines and columns are counted by hand.
. "$(dirname "$0")/lib/assert.sh"

home=$PWD/home

# ---- the graph's problems, all of them, in the order of the pieces ----
cat >graph.yaml <<'EOF'
workflow: v
tasks:
  t:
    inputs: {x: int}
    outputs: {y: int}
    command: [sh, -c, 'echo "$0" > "$1"', "{{inputs.x}}", "{{outputs.y}}"]
  d:
    inputs: {df: dataset(csv)}
    outputs: {n: int}
    command: [sh, -c, 'echo 1 > "$0"', "{{outputs.n}}"]
nodes:
  a1: {task: t, inputs: {x: "{{a2.outputs.y}}"}}
  a2: {task: t, inputs: {x: "{{a1.outputs.y}}"}}
  b: {task: t}
  c: {task: t, inputs: {x: "{{inputs.zz}}"}}
  e: {task: d, inputs: {df: "{{b.outputs.y}}"}}
  f: {task: t, inputs: {x: "{{nope.outputs.y}}"}}
  g: {task: t, inputs: {x: "{{b.outputs.nope}}", w: 3}}
outputs:
  r: "{{a9.outputs.y}}"
EOF
problems="cachet: graph.yaml:14:3: node 'b': input 'x' is not bound
cachet: graph.yaml:15:28: node 'c': input 'x': no workflow input 'zz'
cachet: graph.yaml:16:29: node 'e': input 'df' is dataset(csv) but output 'y' of node 'b' is int: different kinds of value
cachet: graph.yaml:17:28: node 'f': input 'x': no node 'nope'
cachet: graph.yaml:18:28: node 'g': input 'x': node 'b' has no output 'nope'
cachet: graph.yaml:18:53: node 'g': input 'w': task 't' has no such input
cachet: graph.yaml:20:6: workflow output 'r': no node 'a9'
cachet: graph.yaml:12:29: node 'a1': input 'x': cycle: a1 -> a2 -> a1"
run run graph.yaml --home "$home"
expect_status 2 "invalid graph"
expect_err "$problems" "every problem, with its place"
expect_out "" "nothing printed on stdout"
[ ! -e "$home/runs" ] || fail "an invalid workflow must not start a run"
passed=$((passed + 1))
run graph graph.yaml
expect_status 2 "graph of an invalid workflow"
expect_err "$problems" "graph: the same problems"

# ---- the file's shape: the first problem stops the load ----
# check NAME YAML EXPECTED-MESSAGE
check() {
	printf '%s\n' "$2" >"$1.yaml"
	run run "$1.yaml" --home "$home"
	expect_status 2 "$1"
	expect_err "cachet: $1.yaml:$3" "$1"
}
T='tasks:
  t:
    inputs: {x: int}
    outputs: {y: int}
    command: [sh, -c, "echo $0 > $1", "{{inputs.x}}", "{{outputs.y}}"]'

check syntax 'workflow: w
tasks: [a, b' "3:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 8)"
check dupkey "workflow: w
$T
  t:
    command: [true]" "7:3: duplicate key 't' (first at line 3, column 3)"
check unknown_top "workflow: w
tasks: {}
node: {}" "3:1: unknown key 'node' in a workflow file; expected one of: workflow, description, project, domain, inputs, outputs, tasks, nodes"
check no_name "tasks: {}" "1:1: missing 'workflow: NAME' (the workflow's name)"
check unknown_task_key "workflow: w
$T
    chache: {version: '1'}" "7:5: unknown key 'chache' in task 't'; expected one of: inputs, outputs, command, cache, timeout, env, description"
check inputs_kind "workflow: w
inputs: [a, b]" "2:9: inputs must be a mapping, not a sequence"
check bad_type "workflow: w
inputs:
  a: dataframe" "3:6: unknown type 'dataframe' (did you mean 'dataset'?)"
check bad_default "workflow: w
inputs:
  a: {type: int, default: many}" "3:27: input 'a': \"many\" is not an int"
check bad_constant "workflow: w
$T
nodes:
  n: {task: t, inputs: {x: abc}}" "8:28: node 'n': input 'x': \"abc\" is not an int"
check unquoted_ref "workflow: w
$T
nodes:
  n: {task: t, inputs: {x: {{inputs.a}}}}" "8:29: a mapping key must be a string, not a mapping (YAML reads an unquoted {{...}} as a mapping: put it in quotes, \"{{inputs.a}}\")"
check bad_ref "workflow: w
$T
nodes:
  n: {task: t, inputs: {x: '{{input.a}}'}}" "8:28: unknown reference '{{input.a}}': write {{inputs.NAME}} for a workflow input or {{NODE.outputs.NAME}} for a node's output"
check partial_ref "workflow: w
tasks:
  t:
    inputs: {x: str}
    command: [echo, '{{inputs.x}}']
nodes:
  n: {task: t, inputs: {x: 'a-{{inputs.b}}'}}" "7:28: '{{' starts a reference, which must be the whole value (\"{{inputs.a}}\"); write '{{{{' for a literal '{{'"
check no_task "workflow: w
$T
nodes:
  n: {task: u}" "8:13: node 'n': no task 'u'"
check no_command "workflow: w
tasks:
  t:
    outputs: {y: int}" "3:3: task 't' has no command; write command: [program, arguments...]"
check shell_string "workflow: w
tasks:
  t:
    command: echo hi" "4:14: a command is a non-empty sequence of arguments, not a string (no shell: write [sh, -c, 'script'] for one)"
check bad_placeholder "workflow: w
tasks:
  t:
    inputs: {x: int}
    command: [echo, '{{inputs.x}}', '{{inputs.z}}']" "5:37: task 't': argv[2]: unknown input 'z' in \"{{inputs.z}}\""
check cache_true "workflow: w
$T
    cache: true" "7:12: a cache needs a version: write cache: {version: \"1.0\"}"
check cache_no_version "workflow: w
$T
    cache: {serializable: true}" "7:12: a cache needs a version: add version: \"1.0\" (change it when the task's results change)"
check bad_timeout "workflow: w
$T
    timeout: 30" "7:14: timeout must be a duration such as 30s, 1m30s, 250ms, 2h or 7d, not '30'"
check bad_hash "workflow: w
tasks:
  t:
    outputs: {y: {type: int, hash: md5}}
    command: [echo]" "4:36: hash must be content, none, value or {command: [...]}, not 'md5'"
check output_constant "workflow: w
outputs:
  r: 3" "3:6: workflow output 'r' must be a reference such as \"{{NODE.outputs.NAME}}\" (in quotes)"
check null_arg "workflow: w
tasks:
  t:
    command: [echo, ~]" "4:21: a command argument must be a string, not nothing (write \"\" for an empty one)"

# the same through graph, which loads the same way
printf 'workflow: w\ninputs:\n  a: dataframe\n' >g2.yaml
run graph g2.yaml
expect_status 2 "graph: a bad type"
expect_err "cachet: g2.yaml:3:6: unknown type 'dataframe' (did you mean 'dataset'?)" "graph: bad type"

finish
