# cachet run: nodes that fail (the issue's "Bad input"): a command not found,
# a non-zero exit, an output not written or of the wrong kind, a scalar
# output that does not parse, an input file that vanished. Each is one
# line naming the node (and the output), the node FAILED, its dependents
# SKIPPED, independent nodes finished, exit status 2, nothing cached.
. "$(dirname "$0")/lib/assert.sh"

home=$PWD/home
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
	passed=$((passed + 1))
}
jqr() { jq -r "$1" <<<"$out"; }
node() { jq -r ".nodes[] | select(.name == \"$1\") | .$2" <<<"$out"; }

# `first` does what its mode says; `second` reads first's file; `lone`
# depends on nothing. The flag file is outside the key: `first` fails while
# it is missing, so a later run with the same inputs shows whether the
# failed run left anything in the cache.
cat >wf.yaml <<'EOF'
workflow: bad
inputs:
  mode: str
  src: {type: file, default: data.txt}
tasks:
  first:
    inputs: {mode: str, src: file}
    outputs:
      out: file
      n: int
    cache: {version: "1"}
    command:
      - sh
      - -c
      - |
        [ -f "$FLAG" ] || { echo "no flag" >&2; exit 3; }
        case "$0" in
        ok) cp "$3" "$1"; echo 1 > "$2";;
        nofile) echo 1 > "$2";;
        dir) mkdir "$1"; echo 1 > "$2";;
        badint) touch "$1"; echo abc > "$2";;
        esac
      - "{{inputs.mode}}"
      - "{{outputs.out}}"
      - "{{outputs.n}}"
      - "{{inputs.src}}"
    env: {FLAG: flag}
  second:
    inputs: {f: file}
    outputs: {lines: int}
    command: [sh, -c, 'wc -l < "$0" > "$1"', "{{inputs.f}}", "{{outputs.lines}}"]
  lone:
    outputs: {o: int}
    command: [sh, -c, 'echo 7 > "$0"', "{{outputs.o}}"]
  missing:
    outputs: {o: int}
    command: [no-such-program-cachet-test, "{{outputs.o}}"]
nodes:
  first: {inputs: {mode: "{{inputs.mode}}", src: "{{inputs.src}}"}}
  second: {inputs: {f: "{{first.outputs.out}}"}}
  lone:
outputs:
  lines: "{{second.outputs.lines}}"
EOF
printf 'one\ntwo\n' >data.txt
# the nodes run in their own directories: the flag is found through $FLAG,
# relative to the node's working directory, so give it an absolute path
sed -i "s|FLAG: flag|FLAG: $PWD/flag|" wf.yaml

# ---- a non-zero exit: first fails, second is skipped, lone finishes ----
run run wf.yaml -i mode=ok --home "$home" --json
expect_status 2 "non-zero exit"
expect_err "cachet: node 'first': 'sh' exited with status 3: no flag" "non-zero exit message, with its stderr"
expect_eq "$(jqr .status)" FAILED "run status"
expect_eq "$(node first status)/$(node first cacheStatus)" FAILED/CACHE_MISS "first failed, stored nothing"
expect_eq "$(node first exitStatus)" 3 "first's exit status"
expect_eq "$(node second status)/$(node second cacheStatus)" SKIPPED/CACHE_SKIPPED "second skipped"
expect_eq "$(node lone status)" SUCCEEDED "independent node finished"
expect_eq "$(jqr .outputs)" null "no outputs"
expect_eq "$(cat "$(node first stderr)")" "no flag" "first's stderr kept in its log"

# ---- the same inputs once the flag is there: a miss, so nothing was cached ----
touch flag
run run wf.yaml -i mode=ok --home "$home" --json
expect_status 0 "with the flag"
expect_eq "$(node first cacheStatus)" CACHE_POPULATED "the failed run left no entry"
expect_eq "$(jqr .outputs.literals.lines.scalar.primitive.integer)" 2 "two lines"

# ---- outputs the command did not write, or wrote wrong ----
run run wf.yaml -i mode=nofile --home "$home" --json
expect_status 2 "output not written"
expect_err_contains "cachet: node 'first': output 'out': was not written (expected a file at '" \
	"output not written"
expect_eq "$(node first status)/$(node first cacheStatus)" FAILED/CACHE_MISS "not written: failed"

run run wf.yaml -i mode=dir --home "$home" --json
expect_status 2 "a directory for a file"
expect_err_contains "cachet: node 'first': output 'out': should be a file, but the task wrote a directory at '" \
	"a directory for a file"
expect_eq "$(node second status)" SKIPPED "wrong kind: second skipped"

run run wf.yaml -i mode=badint --home "$home" --json
expect_status 2 "scalar output that does not parse"
expect_err "cachet: node 'first': output 'n': \"abc\" is not an int" "bad int output"

# a failure stores nothing: the same inputs again miss again (a stored
# entry would hit)
run run wf.yaml -i mode=badint --home "$home" --json
expect_eq "$(node first cacheStatus)" CACHE_MISS "bad int: still a miss, never stored"

# ---- an input file that vanished: the node fails naming the input ----
rm data.txt
run run wf.yaml -i mode=ok --home "$home" --json
expect_status 2 "vanished input"
expect_err "cachet: node 'first': input 'src': cannot hash '$PWD/data.txt': No such file or directory" \
	"vanished input"
expect_eq "$(node first status)" FAILED "vanished input: failed"
expect_eq "$(node lone status)" SUCCEEDED "vanished input: lone still ran"

# ---- a command that runs past its timeout ----
cat >timeout.yaml <<'EOF2'
workflow: slow
tasks:
  nap:
    outputs: {o: int}
    timeout: 300ms
    command: [sh, -c, 'sleep 20; echo 1 > "$0"', "{{outputs.o}}"]
nodes:
  nap:
EOF2
start=$SECONDS
run run timeout.yaml --home "$home"
expect_status 2 "timeout"
expect_err "cachet: node 'nap': timed out after 300 ms" "timeout message"
[ $((SECONDS - start)) -lt 10 ] || fail "the timeout did not stop the command"
passed=$((passed + 1))

# ---- a command that is not found ----
cat >missing.yaml <<'EOF'
workflow: missing
tasks:
  missing:
    outputs: {o: int}
    command: [no-such-program-cachet-test, "{{outputs.o}}"]
  after:
    inputs: {x: int}
    outputs: {o: int}
    command: [sh, -c, 'echo "$0" > "$1"', "{{inputs.x}}", "{{outputs.o}}"]
nodes:
  missing:
  after: {inputs: {x: "{{missing.outputs.o}}"}}
EOF
run run missing.yaml --home "$home"
expect_status 2 "command not found"
expect_err "cachet: node 'missing': command 'no-such-program-cachet-test' not found (looked in \$PATH)" \
	"command not found"
grep -Eq '^missing +missing +FAILED +DISABLED ' <<<"$out" || fail "missing's row: $out"
grep -Eq '^after +after +SKIPPED +SKIPPED +-$' <<<"$out" || fail "after's row: $out"
passed=$((passed + 2))
grep -Eq '^run [0-9a-f-]+: missing FAILED in .* \(2 nodes: 0 hit, 0 ran, 1 failed, 1 not run\)$' \
	<<<"$out" || fail "headline: $out"
passed=$((passed + 1))

finish
