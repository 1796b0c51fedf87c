# cachet hash's progress bar: on stderr only when it is a terminal.
. "$(dirname "$0")/lib/assert.sh"
export CACHET_HOME=$PWD/home

head -c 5000000 /dev/zero >zeros
want="sha256:$(sha256sum <zeros | cut -c1-64)  zeros"

# CACHET_PROGRESS=always drops the size and time thresholds, so a small
# file would show a bar if one were ever drawn on a file
CACHET_PROGRESS=always run hash --no-stat-cache zeros
expect_out "$want" "hash"
expect_err "" "no bar when stderr is not a terminal"
run hash --no-stat-cache zeros
expect_err "" "nor by default"

# on a terminal (script gives one) the bar is drawn, then erased
if command -v script >/dev/null; then
	script -qec "CACHET_PROGRESS=always '$CACHET' hash --no-stat-cache zeros" /dev/null >tty.txt
	grep -q 'zeros  100% \[' tty.txt || fail "the bar on a terminal: $(od -c tty.txt | head)"
	passed=$((passed + 1))
	grep -q 'ETA 0:00' tty.txt || fail "the bar shows the time left"
	passed=$((passed + 1))
	grep -q "$(printf '\r\033\\[K')sha256:" tty.txt || fail "the bar is erased before the result"
	passed=$((passed + 1))
	# small and quick: no bar by default, even on a terminal
	script -qec "'$CACHET' hash --no-stat-cache zeros" /dev/null >tty2.txt
	! grep -q '%' tty2.txt || fail "no bar for small, quick work"
	passed=$((passed + 1))
fi

finish
