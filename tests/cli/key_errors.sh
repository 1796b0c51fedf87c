# cachet key: bad input gets one clear message on stderr naming the file and
# the place, exit status 2, and nothing on stdout.
. "$(dirname "$0")/lib/assert.sh"

common=(key --project P --domain D --name t --cache-version 1)
cd "$(mktemp -d)"

# bad FILE CONTENT TEXT...: the inputs file FILE holding CONTENT is refused
# with one line of stderr that starts with "cachet: FILE: " and contains
# every TEXT.
bad() {
	local file=$1 content=$2
	shift 2
	printf '%b' "$content" >"$file"
	run "${common[@]}" --inputs "$file"
	expect_status 2 "$file"
	expect_out "" "$file: stdout"
	[ "$(wc -l <<<"$err")" -eq 1 ] || fail "$file: more than one line on stderr: $err"
	expect_err_contains "cachet: $file: " "$file"
	for text in "$@"; do expect_err_contains "$text" "$file"; done
}

bad bad-int.json '{"literals":{"a":{"scalar":{"primitive":{"integer":"abc"}}}}}' \
	'literals.a.scalar.primitive: "integer" must be an int64, got "abc"'
bad syntax.json '{"literals": {' 'line 1'
bad wrong-type.json '{"literals":{"a":{"scalar":{"primitive":{"boolean":"yes"}}}}}' \
	'literals.a.scalar.primitive' 'boolean'
bad enum.json '{"literals":{"b":{"scalar":{"blob":{"metadata":{"type":{"dimensionality":"SIDEWAYS"}}}}}}}' \
	'literals.b.scalar.blob.metadata.type' 'SIDEWAYS'
bad time.json '{"literals":{"t":{"scalar":{"primitive":{"datetime":"2019-13-45T99:00:00Z"}}}}}' \
	'literals.t.scalar.primitive' '2019-13-45T99:00:00Z'
bad dup.json '{"literals":{"a":{"hash":"x"},"a":{"hash":"y"}}}' 'duplicate'
bad unknown.json '{"literals":{"a":{"scalr":{}}}}' 'literals.a' 'scalr'
bad two-kinds.json '{"literals":{"a":{"scalar":{"primitive":{"integer":"1","boolean":true}}}}}' \
	'literals.a.scalar.primitive'
bad truncated.pb '\x0a\x0b\x0a\x01\x31\x12\x06\x0a\x04\x0a\x02\x08' 'truncated'

# Values Flyte's backend refuses to hash, written in protobuf where JSON
# cannot express them: a timestamp with nanos = 1000000000.
# Literal{scalar{primitive{datetime{seconds 1, nanos 1e9}}}} under key "t".
bad nanos.pb '\x0a\x13\x0a\x01\x74\x12\x0e\x0a\x0c\x0a\x0a\x2a\x08\x08\x01\x10\x80\x94\xeb\xdc\x03' \
	'literals.t.scalar.primitive.datetime' 'nanos'

# A Struct value with no kind set: Literal{scalar{generic{fields{"k": Value{}}}}}.
bad nokind.pb '\x0a\x10\x0a\x01\x67\x12\x0b\x0a\x09\x3a\x07\x0a\x05\x0a\x01\x6b\x12\x00' \
	'literals.g.scalar.generic' 'no kind'

# 100,000 nested collections.
deep=$(printf '{"collection":{"literals":[%.0s' $(seq 100000))
bad deep.json "{\"literals\":{\"a\":$deep" 'deep'

# The interface too is named when it cannot be hashed: TypedInterface
# {inputs {variables {"x": Variable{type{metadata{fields{"k": Value{}}}}}}}}.
printf '%b' '\x0a\x12\x0a\x10\x0a\x01\x78\x12\x0b\x0a\x09\x32\x07\x0a\x05\x0a\x01\x6b\x12\x00' >iface.pb
run "${common[@]}" --interface iface.pb
expect_status 2 "unhashable interface"
expect_err_contains "cachet: iface.pb: inputs: " "unhashable interface"
expect_err_contains "no kind" "unhashable interface"

run "${common[@]}" --inputs does-not-exist.json
expect_status 2 "missing file"
expect_err "cachet: cannot open 'does-not-exist.json': No such file or directory" "missing file"

run key --project P --domain D --name t --cache-version "   "
expect_status 2 "empty cache version"
expect_err_contains "task cannot have an empty cache version" "empty cache version"

run key --project P --domain D --name t
expect_status 2 "no cache version"
expect_err_contains "--cache-version is required" "no cache version"

run key --project P --domain D --name t --cache-version 1 --frobnicate
expect_status 2 "unknown option"
expect_err_contains "unknown or incomplete option '--frobnicate'" "unknown option"

run key --project P --domain D --name t --cache-version 1 --format yaml
expect_status 2 "bad --format"
expect_err_contains "--format must be json or pb" "bad --format"

finish
