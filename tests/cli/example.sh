# The README's main job: examples/run.sh runs the seed workflow three
# times; bar misses, hits, misses, and df's URI changes between the first
# two runs while its hash does not.
. "$(dirname "$0")/lib/assert.sh"

home=$PWD/home
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
	passed=$((passed + 1))
}

status=0
out=$(CACHET_EXAMPLE_HOME=$home "$EXAMPLES/run.sh" 2>&1) || status=$?
expect_status 0 "examples/run.sh"
case "$out" in
*"bar: run 1 MISS, run 2 HIT, run 3 MISS"*) passed=$((passed + 1)) ;;
*) fail "the verdict line is missing: $out" ;;
esac
case "$out" in
*"df:  run 2 vs run 1: new URI, same hash"*"run 3 vs run 2: new URI, other hash"*)
	passed=$((passed + 1)) ;;
*) fail "the df lines are missing: $out" ;;
esac

# the same facts from the run records, not from the script's words
ids=$("$CACHET" runs ls --home "$home" --json | jq -r 'reverse | map(.id) | join(" ")')
read -r id1 id2 id3 <<<"$ids"
[ -n "$id3" ] || fail "expected three runs, got: $ids"
passed=$((passed + 1))
bar() { "$CACHET" runs show "$1" --home "$home" --json | jq -r '.nodes[] | select(.name == "bar") | .cacheStatus'; }
df() { "$CACHET" runs show "$1" --home "$home" --json | jq -r ".nodes[] | select(.name == \"foo\") | .outputs.literals.df | $2"; }
expect_eq "$(bar "$id1") $(bar "$id2") $(bar "$id3")" "CACHE_POPULATED CACHE_HIT CACHE_POPULATED" \
	"bar: a miss (then stored), a hit, a miss"
uri1=$(df "$id1" .scalar.structuredDataset.uri) uri2=$(df "$id2" .scalar.structuredDataset.uri)
[ "$uri1" != "$uri2" ] || fail "df's URI must differ between runs 1 and 2 ($uri1)"
passed=$((passed + 1))
expect_eq "$(df "$id2" .hash)" "$(df "$id1" .hash)" "df's hash is the same in runs 1 and 2"
[ "$(df "$id3" .hash)" != "$(df "$id2" .hash)" ] || fail "run 3's df must hash differently"
passed=$((passed + 1))
# and the hash is the SHA-256 of the rows foo writes for a=3, b=x
expect_eq "$(df "$id1" .hash)" "sha256:$(printf 'id,b\n1,x\n2,x\n3,x\n' | sha256sum | cut -d' ' -f1)" \
	"df's hash by hand"

finish
