# The input limit (CACHET_MAX_INPUT): files, standard input, pipes and
# devices read whole are refused beyond it, with an error naming the input,
# the limit and how to raise it; inputs at the limit are read.
. "$(dirname "$0")/lib/assert.sh"
cd "$(mktemp -d)"

# A LiteralMap of exactly 64 bytes, and the same map with one more space.
MAP='{"literals":{"x":{"scalar":{"primitive":{"integer":"123456"}}}}}'
[ ${#MAP} -eq 64 ] || fail "the test map is ${#MAP} bytes, not 64"
printf '%s' "$MAP" >at-limit.json
printf '%s ' "$MAP" >over-limit.json
HINT='(set CACHET_MAX_INPUT to raise it)'

# A file of exactly the limit is read; one byte more is refused.
CACHET_MAX_INPUT=64 run literal show at-limit.json
expect_status 0 "file at the limit"
expect_out "x: 123456 (integer)" "file at the limit"
CACHET_MAX_INPUT=64 run literal show over-limit.json
expect_status 2 "file over the limit"
expect_err "cachet: cannot read 'over-limit.json': larger than the input limit of 64 bytes $HINT" \
	"file over the limit"

# The same through a pipe on standard input.
CACHET_MAX_INPUT=64 run_stdin "$MAP" literal convert --to json
expect_status 0 "pipe at the limit"
expect_out "$MAP" "pipe at the limit"
CACHET_MAX_INPUT=64 run_stdin "$MAP " literal convert --to json
expect_status 2 "pipe over the limit"
expect_err "cachet: cannot read '<stdin>': larger than the input limit of 64 bytes $HINT" \
	"pipe over the limit"

# The default is 256 MiB; a regular file beyond it is refused unread (this
# one is sparse, so the test costs no disk).
truncate -s 257M sparse.json
run literal show sparse.json
expect_status 2 "a file over the default limit"
expect_err "cachet: cannot read 'sparse.json': larger than the input limit of 256 MiB $HINT" \
	"a file over the default limit"

# A device and a pipe that never end stop at the limit.
CACHET_MAX_INPUT=2MiB run literal show /dev/zero
expect_status 2 "/dev/zero"
expect_err "cachet: cannot read '/dev/zero': larger than the input limit of 2 MiB $HINT" \
	"/dev/zero"
status=0
yes | CACHET_MAX_INPUT=1M "$CACHET" literal convert --to json >out 2>err || status=$?
err=$(cat err)
expect_status 2 "an endless pipe"
expect_err "cachet: cannot read '<stdin>': larger than the input limit of 1 MiB $HINT" \
	"an endless pipe"
[ ! -s out ] || fail "an endless pipe: something was written to stdout"
passed=$((passed + 1))

# Nothing is written for a refused input, and an existing output stays.
echo kept >kept.json
CACHET_MAX_INPUT=64 run literal convert --to json -o kept.json over-limit.json
expect_status 2 "-o with an input over the limit"
[ "$(cat kept.json)" = kept ] || fail "-o with an input over the limit: the output changed"
passed=$((passed + 1))

# The other commands that read inputs whole use the same limit.
CACHET_MAX_INPUT=64 run key --project p --domain d --name t --cache-version 1 \
	--interface "$EXAMPLES/bar.interface.json" --inputs at-limit.json
expect_status 2 "key: interface over the limit"
expect_err_contains "cannot read '$EXAMPLES/bar.interface.json': larger than the input limit of 64 bytes" \
	"key: interface over the limit"

# Cached outputs larger than the limit are refused as they are decoded,
# not taken for corrupt, and stay in the catalog for a larger limit.
export CACHET_HOME=$PWD/home
TASK=(--project P --domain D --name t --cache-version 1.0.0)
printf '{"literals":{"o0":{"scalar":{"primitive":{"stringValue":"%s"}}}}}' \
	"$(printf 'x%.0s' $(seq 200))" >big-outputs.json
run cache put "${TASK[@]}" --outputs big-outputs.json
expect_status 0 "cache put of outputs of 219 bytes in protobuf"
TOO_BIG="cannot decode 219 bytes: larger than the input limit of 200 bytes $HINT"
CACHET_MAX_INPUT=200 run cache get "${TASK[@]}"
expect_status 1 "cache get of outputs over the limit: a failed lookup"
expect_err "cachet: lookup failure (catalog-error): $TOO_BIG" "cache get of outputs over the limit"
CACHET_MAX_INPUT=200 run cache gc
expect_status 2 "cache gc with outputs over the limit"
expect_err "cachet: cache gc: $TOO_BIG" "cache gc with outputs over the limit"
run cache get "${TASK[@]}" --to json
expect_status 0 "cache get within the limit"
expect_out "$(cat big-outputs.json)" "the outputs are still there"

# Sizes take K, M, G and T (powers of 1024), with or without "iB".
for size in 1K 1KiB 1k 1024; do
	CACHET_MAX_INPUT=$size run literal show at-limit.json
	expect_status 0 "CACHET_MAX_INPUT=$size"
done
CACHET_MAX_INPUT=1G run literal show at-limit.json
expect_status 0 "CACHET_MAX_INPUT=1G"

# A malformed limit is an error before any work.
for bad in abc 0 12X -5 1.5M 99999999999999999999999; do
	CACHET_MAX_INPUT=$bad run literal show at-limit.json
	expect_status 2 "CACHET_MAX_INPUT=$bad"
	expect_err "cachet: CACHET_MAX_INPUT='$bad' is not a size: give bytes, or a number with K, M or G (like 512M)" \
		"CACHET_MAX_INPUT=$bad"
done

finish
