# -j: one rule in every command that takes it (a whole number from 1 to
# 1024), and one message for what breaks it.
. "$(dirname "$0")/lib/assert.sh"
export CACHET_HOME=$PWD/home

printf 'abc' >abc.txt
mkdir tree && printf 'x' >tree/x
# the arguments each command needs besides -j
args_for() {
	case $1 in
	run) echo "$EXAMPLES/seed.yaml -i a=1" ;;
	hash) echo abc.txt ;;
	offload) echo tree ;;
	esac
}

for cmd in run hash offload; do
	for bad in 0 1025 5000 -1 +2 " 3" 3x x "" 99999999999999999999999; do
		# shellcheck disable=SC2046
		run "$cmd" -j "$bad" $(args_for "$cmd")
		expect_status 2 "$cmd -j '$bad'"
		expect_err "cachet: $cmd: -j must be a number from 1 to 1024, not '$bad'" \
			"$cmd -j '$bad'"
	done
	for good in 1 1024; do
		# shellcheck disable=SC2046
		run "$cmd" -j "$good" $(args_for "$cmd")
		expect_status 0 "$cmd -j $good"
	done
done

# a refused -j runs nothing: the runs recorded are the two accepted ones
[ "$(ls home/runs | wc -l)" -eq 2 ] || fail "runs recorded: $(ls home/runs)"
passed=$((passed + 1))

finish
