# cachet run, interrupted: SIGTERM or SIGINT (Ctrl-C) stops the running
# command, the run is recorded as ABORTED, the exit status is 2, and the
# unfinished node leaves nothing in the cache.
. "$(dirname "$0")/lib/assert.sh"

home=$PWD/home
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
	passed=$((passed + 1))
}

# The command notes its pid, then sleeps for $NAP seconds (from cachet's
# environment, which commands inherit: outside the cache key).
cat >slow.yaml <<EOF
workflow: slow
tasks:
  slow:
    outputs: {o: int}
    cache: {version: "1"}
    command: [sh, -c, 'echo \$\$ > "$PWD/pid"; sleep "\${NAP:-30}"; echo 1 > "\$0"', "{{outputs.o}}"]
nodes:
  slow:
EOF

# interrupt SIGNAL: start a run, send SIGNAL once the command is running
interrupt() {
	rm -f pid
	NAP=30 "$CACHET" run slow.yaml --home "$home" --json >out.json 2>err.txt &
	local cachet_pid=$! waited=0
	while [ ! -s pid ] && [ "$waited" -lt 100 ]; do
		sleep 0.1
		waited=$((waited + 1))
	done
	[ -s pid ] || fail "$1: the command never started"
	local start=$SECONDS
	kill "-$1" "$cachet_pid"
	status=0
	wait "$cachet_pid" || status=$?
	out=$(cat out.json) err=$(cat err.txt)
	[ $((SECONDS - start)) -lt 10 ] || fail "$1: the run did not stop promptly"
	passed=$((passed + 1))
	! kill -0 "$(cat pid)" 2>/dev/null || fail "$1: the command is still running"
	passed=$((passed + 1))
	expect_status 2 "$1: exit status"
	id=$(jq -r .id <<<"$out")
	expect_err "cachet: run $id cancelled" "$1: message"
	expect_eq "$(jq -r .status <<<"$out")" ABORTED "$1: run status"
	expect_eq "$(jq -r '.nodes[0].status' <<<"$out")" ABORTED "$1: node status"
	expect_eq "$(jq -r '.nodes[0].outputs' <<<"$out")" null "$1: no outputs"
	# the record on disk says the same
	expect_eq "$("$CACHET" runs show "$id" --home "$home" --json | jq -r .status)" ABORTED \
		"$1: recorded"
}

interrupt TERM
interrupt INT

# nothing was stored for the interrupted node: a quick run misses
NAP=0 run run slow.yaml --home "$home" --json
expect_status 0 "quick run"
expect_eq "$(jq -r '.nodes[0].cacheStatus' <<<"$out")" CACHE_POPULATED "interrupted runs stored nothing"
NAP=0 run run slow.yaml --home "$home" --json
expect_eq "$(jq -r '.nodes[0].cacheStatus' <<<"$out")" CACHE_HIT "then it is cached"

finish
