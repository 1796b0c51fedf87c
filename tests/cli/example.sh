# The README's main job: the example keys show run 2 hitting and run 3 missing.
. "$(dirname "$0")/lib/assert.sh"

status=0
out=$("$EXAMPLES/run.sh" 2>&1) || status=$?
expect_status 0 "examples/run.sh"
tags=$(awk '$1 == "tag" { print $2 }' <<<"$out")
[ "$(wc -l <<<"$tags")" -eq 3 ] || fail "expected three tags, got: $tags"
t1=$(sed -n 1p <<<"$tags") t2=$(sed -n 2p <<<"$tags") t3=$(sed -n 3p <<<"$tags")
[ "$t1" = "$t2" ] || fail "same rows at a new URI must give the same tag ($t1, $t2)"
[ "$t2" != "$t3" ] || fail "other rows must give another tag"
passed=$((passed + 3))
case "$out" in
*"run 2: same rows at a new URI, same key as run 1: HIT"*"run 3: b changed, other rows, new key: MISS"*)
	passed=$((passed + 1)) ;;
*) fail "verdict lines missing: $out" ;;
esac

finish
