# cachet graph: a workflow file as Graphviz dot, coloured by the last run.
. "$(dirname "$0")/lib/assert.sh"

home=$PWD/home
seed=$EXAMPLES/seed.yaml

# contains TEXT LABEL: the last output has this line
contains() {
	grep -qxF -- "$1" <<<"$out" || fail "$2: no line '$1' in
$out"
	passed=$((passed + 1))
}
lacks() {
	! grep -qF -- "$1" <<<"$out" || fail "$2: '$1' should not be in
$out"
	passed=$((passed + 1))
}

# ---- before any run: the plain graph ----
run graph "$seed" --home "$home"
expect_status 0 "graph"
expect_eq_first=$(head -n 1 <<<"$out")
[ "$expect_eq_first" = 'digraph "seed" {' ] || fail "first line: $expect_eq_first"
[ "$(tail -n 1 <<<"$out")" = "}" ] || fail "last line"
passed=$((passed + 2))
contains '  "input:a" [shape=ellipse, label="a\nint"];' "input a"
contains '  "input:b" [shape=ellipse, label="b\nstr"];' "input b"
contains '  "foo" [shape=box, style="rounded,filled,dashed", fillcolor="white", label="foo"];' \
	"foo, not cached: dashed"
contains '  "bar" [shape=box, style="rounded,filled", fillcolor="white", label="bar"];' "bar, cached"
contains '  "output:rows" [shape=ellipse, style=bold, label="rows"];' "output rows"
contains '  "input:a" -> "foo" [label="a"];' "edge a -> foo"
contains '  "input:b" -> "foo" [label="b"];' "edge b -> foo"
contains '  "foo" -> "bar" [label="df"];' "edge foo -> bar"
contains '  "bar" -> "output:rows" [label="rows"];' "edge bar -> rows"
lacks "coloured by run" "no run yet"

# ---- after a run: nodes coloured and labelled by their cache status ----
"$CACHET" run "$seed" -i a=3 --home "$home" >/dev/null
id=$("$CACHET" run "$seed" -i a=3 --home "$home" --json | jq -r .id)
run graph "$seed" --home "$home"
expect_status 0 "graph after runs"
contains "  // coloured by run $id (SUCCEEDED)" "the last run"
contains '  "foo" [shape=box, style="rounded,filled,dashed", fillcolor="#e3e3e3", label="foo\nDISABLED"];' \
	"foo: grey, DISABLED"
contains '  "bar" [shape=box, style="rounded,filled", fillcolor="#b5e6a8", label="bar\nHIT"];' \
	"bar: green, HIT"
run graph "$seed" --home "$home" --no-status
lacks "coloured by run" "--no-status"
contains '  "bar" [shape=box, style="rounded,filled", fillcolor="white", label="bar"];' "--no-status: white"

# ---- a failed node is red, its dependent is left white with its status ----
cat >fail.yaml <<'EOF'
workflow: "with \"quotes\""
tasks:
  boom:
    outputs: {o: int}
    command: [sh, -c, 'exit 1']
  after:
    inputs: {x: int, k: str}
    outputs: {o: int}
    command: [sh, -c, 'echo "$0" > "$1"', "{{inputs.x}}", "{{outputs.o}}"]
nodes:
  boom:
  later:
    task: after
    inputs: {x: "{{boom.outputs.o}}", k: constant}
EOF
"$CACHET" run fail.yaml --home "$home" >/dev/null 2>&1 || true
run graph fail.yaml --home "$home"
expect_status 0 "graph of a failed run"
contains 'digraph "with \"quotes\"" {' "quotes escaped"
contains '  "boom" [shape=box, style="rounded,filled,dashed", fillcolor="#f4a7a7", label="boom\nFAILED"];' \
	"boom: red"
contains '  "later" [shape=box, style="rounded,filled,dashed", fillcolor="white", label="later\ntask after\nSKIPPED"];' \
	"later: task named, skipped"
contains '  "boom" -> "later" [label="o -> x"];' "an edge between differently named ports"
lacks 'constant' "constants are not drawn"

# dot reads it, when Graphviz is there (not a dependency)
if command -v dot >/dev/null 2>&1; then
	"$CACHET" graph "$seed" --home "$home" | dot -Tsvg >graph.svg || fail "dot refused the graph"
	passed=$((passed + 1))
fi

# ---- errors ----
run graph
expect_status 2 "no file"
expect_err_contains "cachet: graph: which workflow file?" "no file"
run graph nope.yaml
expect_err "cachet: cannot open 'nope.yaml': No such file or directory" "missing file"
run graph "$seed" extra
expect_err_contains "cachet: graph: unexpected argument 'extra'" "stray argument"

finish
