# cachet run on hostile workflow files: names that would lead out of the
# run's directory are refused before anything runs, with file:line:column,
# and a task that leaves a symbolic link leading outside as its output
# fails; either way a canary directory outside is byte-for-byte untouched
# (compared with a copy made before). Lines and columns are counted by hand.
. "$(dirname "$0")/lib/assert.sh"

home=$PWD/home
rule="(it becomes a file name: use letters, digits, '_', '-' and '.', not '.' first, at most 128 bytes)"

# the canary: files and a subdirectory, and a reference copy
mkdir -p canary/sub
echo 42 >canary/x
echo "keep me" >canary/sub/y
cp -a canary canary.ref
canary_untouched() {
	diff -r canary canary.ref >/dev/null || fail "$1: the canary changed"
	[ -z "$(find canary -newer canary.ref/x -o -type l)" ] || fail "$1: the canary was touched"
	passed=$((passed + 1))
}
# how deep the run's out/ directory is: enough ../ to reach / from anywhere
up=../../../../../../../../../../../../../../../../../../../..

# check NAME EXPECTED-MESSAGE: wf.yaml must be refused, nothing run
check() {
	run run wf.yaml --home "$home"
	expect_status 2 "$1"
	expect_err "$2" "$1: message"
	[ ! -e "$home/runs" ] || fail "$1: a refused workflow must not start a run"
	passed=$((passed + 1))
	canary_untouched "$1"
}

# ---- the issue's example: an output named to climb out, command [true] ----
climb=$up$PWD/canary
cat >wf.yaml <<EOF
workflow: w
tasks:
  t:
    outputs:
      $climb: directory
    command: ["true"]
nodes:
  t:
EOF
check "output out of the run" \
	"cachet: wf.yaml:3:3: task 't': output '${climb:0:60}...': invalid name: it starts with '.' $rule"

# a scalar output would have been read from outside
cat >wf.yaml <<EOF
workflow: w
tasks:
  t:
    outputs: {"$PWD/canary/x": int}
    command: ["true"]
nodes:
  t:
EOF
shown=$PWD/canary/x
[ ${#shown} -le 60 ] || shown="${shown:0:60}..."
check "absolute output" "cachet: wf.yaml:3:3: task 't': output '$shown': invalid name: it holds '/' $rule"

for name in .. ../x a/b .hidden; do
	cat >wf.yaml <<EOF
workflow: w
tasks:
  t:
    inputs: {"$name": int}
    command: ["true"]
nodes:
  t: {inputs: {"$name": 1}}
EOF
	case $name in
	*/*) why="it holds '/'" ;;
	*) why="it starts with '.'" ;;
	esac
	[ "${name:0:1}" != . ] || why="it starts with '.'"
	check "input '$name'" "cachet: wf.yaml:3:3: task 't': input '$name': invalid name: $why $rule"
done

cat >wf.yaml <<'EOF'
workflow: w
tasks:
  t: {command: ["true"]}
nodes:
  "": {task: t}
EOF
check "empty node name" "cachet: wf.yaml:5:3: node '': invalid name: it is empty $rule"

long=$(printf 'n%.0s' $(seq 129))
cat >wf.yaml <<EOF
workflow: w
tasks:
  t: {command: ["true"]}
nodes:
  $long: {task: t}
EOF
check "a long node name" \
	"cachet: wf.yaml:5:3: node '${long:0:60}...': invalid name: it is 129 bytes long $rule"

cat >wf.yaml <<'EOF'
workflow: w
tasks:
  t:
    outputs: {"ok\0/../../x": int}
    command: ["true"]
EOF
check "a NUL in a name" "cachet: wf.yaml:4:15: a mapping key cannot contain a NUL character"

# ---- -i with a name that is not an input ----
cat >wf.yaml <<'EOF'
workflow: w
inputs: {a: int}
tasks:
  t: {inputs: {a: int}, command: ["true"]}
nodes:
  t: {inputs: {a: "{{inputs.a}}"}}
EOF
run run wf.yaml --home "$home" -i a=1 -i ../x=2
expect_status 2 "-i with a hostile name"
expect_err_contains "has no input '../x'" "-i with a hostile name"

# ---- links the task leaves behind ----
# link_case WHAT OUTPUT COMMAND EXPECTED: a task with one output (OUTPUT,
# "name: type") and COMMAND (a YAML flow sequence) fails with EXPECTED in
# its message, and the canary is untouched
link_case() {
	cat >wf.yaml <<EOF
workflow: links
tasks:
  t:
    outputs: {$2}
    command: $3
nodes:
  t:
EOF
	run run wf.yaml --home "$home"
	expect_status 2 "$1"
	expect_err_contains "$4" "$1"
	canary_untouched "$1"
}

# a directory output that is a link to the canary
link_case "a link to outside" "d: directory" "[ln, -s, \"$PWD/canary\", \"{{outputs.d}}\"]" \
	"cachet: node 't': output 'd': '$home/runs/"
expect_err_contains "/nodes/t/out/d' is a symbolic link to '$(realpath canary)', outside the node's directory: refused" \
	"a link to outside: says where it leads"

# out/ itself replaced by a link to the canary, whose x has the right kind
link_case "out/ as a link" "x: file" \
	"[sh, -c, 'rm -r \"\$CACHET_NODE_DIR/out\" && ln -s \"$PWD/canary\" \"\$CACHET_NODE_DIR/out\"']" \
	"/nodes/t/out' is no longer a directory (a symbolic link or a file took its place): refused"

# a link to the canary inside a directory output: the digest walker
# refuses it, nothing of the canary is stored or removed
link_case "a link inside an output directory" "d: directory" \
	"[sh, -c, 'mkdir \"\$0\" && ln -s \"$PWD/canary\" \"\$0/c\"', \"{{outputs.d}}\"]" \
	"/nodes/t/out/d/c': symlink leads out of '"

# a link that stays inside the node's directory is taken
cat >wf.yaml <<'EOF'
workflow: links
tasks:
  t:
    outputs: {d: directory}
    command: [sh, -c, 'mkdir r && echo hi > r/f && ln -s "$PWD/r" "$0"', "{{outputs.d}}"]
nodes:
  t:
EOF
run run wf.yaml --home "$home" --json
expect_status 0 "a link inside"
case $(jq -r '.nodes[0].outputs.literals.d.hash' <<<"$out") in
sha256-dir:*) passed=$((passed + 1)) ;;
*) fail "a link inside: no directory hash in $out" ;;
esac
canary_untouched "in the end"

finish
