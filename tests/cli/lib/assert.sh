# Assertions for the CLI tests, sourced by tests/cli/*.sh.
#
# Each test script runs the built binary ($CACHET) as a user would, in its
# own scratch directory, and fails (exit 1) at the first broken assertion.
# It ends with `finish`, which prints the plain "N passed, 0 failed" line.
set -euo pipefail

: "${CACHET:?CACHET must name the cachet binary}"
: "${CACHET_SRC:?CACHET_SRC must name the source root}"
FIXTURES=$CACHET_SRC/tests/fixtures/cli
EXAMPLES=$CACHET_SRC/examples
passed=0

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# capture COMMAND...: run COMMAND, capturing stdout in $out, stderr in $err
# and the exit status in $status (never aborting the script).
capture() {
	local o e
	o=$(mktemp) e=$(mktemp)
	status=0
	"$@" >"$o" 2>"$e" || status=$?
	out=$(cat "$o") err=$(cat "$e")
	rm -f "$o" "$e"
}

# run ARGS...: run cachet, captured.
run() {
	capture "$CACHET" "$@"
}

# run_stdin INPUT ARGS...: like run, with INPUT on standard input.
run_stdin() {
	local input=$1
	shift
	capture "$CACHET" "$@" < <(printf '%s' "$input")
}

expect_status() {
	[ "$status" -eq "$1" ] || fail "$2: exit status $status, expected $1 (stderr: $err)"
	passed=$((passed + 1))
}

expect_out() {
	[ "$out" = "$1" ] || fail "$2: stdout was
$out
expected
$1"
	passed=$((passed + 1))
}

expect_err() {
	[ "$err" = "$1" ] || fail "$2: stderr was
$err
expected
$1"
	passed=$((passed + 1))
}

expect_err_contains() {
	case "$err" in
	*"$1"*) passed=$((passed + 1)) ;;
	*) fail "$2: stderr does not contain '$1':
$err" ;;
	esac
}

finish() {
	echo "$passed passed, 0 failed"
}
