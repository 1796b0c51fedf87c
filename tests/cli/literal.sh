# cachet literal convert / show.
. "$(dirname "$0")/lib/assert.sh"
cd "$(mktemp -d)"

CANON='{"literals":{"1":{"scalar":{"primitive":{"integer":"1"}}},"2":{"scalar":{"primitive":{"integer":"2"}}}}}'

# JSON to protobuf gives the bytes written out by hand (fixtures/cli/README.md).
run literal convert --to pb -o out.pb "$FIXTURES/inputs-1-2.json"
expect_status 0 "json to pb"
cmp -s out.pb "$FIXTURES/inputs-1-2.pb" || fail "json to pb: bytes differ from the hand encoding"
passed=$((passed + 1))

# Protobuf to JSON: camelCase, int64 as strings, compact, one line.
run literal convert --to json "$FIXTURES/inputs-1-2.pb"
expect_status 0 "pb to json"
expect_out "$CANON" "pb to json"

# Numbers are accepted for int64 and written back as strings.
run literal convert --to json --from json "$FIXTURES/inputs-1-2-3.json"
expect_out '{"literals":{"1":{"scalar":{"primitive":{"integer":"1"}}},"2":{"scalar":{"primitive":{"integer":"2"}}},"3":{"scalar":{"primitive":{"integer":"3"}}}}}' "numbers to strings"

# snake_case in, camelCase out.
run_stdin '{"literals":{"x":{"scalar":{"primitive":{"float_value":1.5}}}}}' literal convert --to json
expect_out '{"literals":{"x":{"scalar":{"primitive":{"floatValue":1.5}}}}}' "snake_case input"

# --pretty indents by two spaces.
run_stdin '{"literals":{"x":{"hash":"h"}}}' literal convert --to json --pretty
expect_out '{
  "literals": {
    "x": {
      "hash": "h"
    }
  }
}' "--pretty"

# An interface, through protobuf and back.
run literal convert --type interface --to pb -o iface.pb "$EXAMPLES/bar.interface.json"
expect_status 0 "interface to pb"
run literal convert --type interface --to json iface.pb
expect_out '{"inputs":{"variables":{"df":{"type":{"structuredDatasetType":{"format":"csv"}},"description":"rows written by foo"}}},"outputs":{"variables":{"o0":{"type":{"simple":"INTEGER"},"description":"number of rows"}}}}' "interface round trip"

# A single Literal.
run_stdin '{"scalar":{"noneType":{}}}' literal convert --type literal --to json
expect_out '{"scalar":{"noneType":{}}}' "--type literal"

# show: one line per input, nested values indented.
cat >show.json <<'JSON'
{"literals": {
  "a": {"scalar": {"primitive": {"integer": "3"}}},
  "df": {"scalar": {"structuredDataset": {"uri": "s3://bucket/df",
         "metadata": {"structuredDatasetType": {"format": "csv"}}}},
         "hash": "sha256:abc"},
  "f": {"scalar": {"blob": {"uri": "file:///data/x.txt",
         "metadata": {"type": {"format": "txt"}}}}},
  "d": {"scalar": {"blob": {"uri": "file:///data/dir",
         "metadata": {"type": {"dimensionality": "MULTIPART"}}}}},
  "n": {"scalar": {"noneType": {}}},
  "s": {"scalar": {"primitive": {"stringValue": "hi"}}},
  "t": {"scalar": {"primitive": {"datetime": "2019-03-29T12:00:00Z"}}},
  "u": {"scalar": {"primitive": {"duration": "1.5s"}}},
  "xs": {"collection": {"literals": [
         {"scalar": {"primitive": {"boolean": true}}},
         {"scalar": {"primitive": {"floatValue": 0.5}}}]}}
}}
JSON
run literal show show.json
expect_status 0 "show"
expect_out 'a: 3 (integer)
d: file:///data/dir directory
df: s3://bucket/df csv dataset, hash sha256:abc
f: file:///data/x.txt txt file
n: none
s: "hi" (string)
t: 2019-03-29T12:00:00Z (datetime)
u: 1.500s (duration)
xs: collection of 2
  [0]: true (boolean)
  [1]: 0.5 (float)' "show"

# show: floats print shortest, strings stay on one line, unions inline.
run_stdin '{"literals": {
  "f": {"scalar": {"primitive": {"floatValue": 0.1}}},
  "i": {"scalar": {"primitive": {"floatValue": "-Infinity"}}},
  "q": {"scalar": {"primitive": {"stringValue": "a \"b\"\n"}}},
  "u": {"scalar": {"union": {"value": {"scalar": {"primitive": {"integer": "7"}}},
                             "type": {"simple": "INTEGER"}}}}}}' literal show
expect_out 'f: 0.1 (float)
i: -Infinity (float)
q: "a \"b\"\n" (string)
u: union of 7 (integer)' "show of floats, strings and unions"

# Errors.
run literal convert "$FIXTURES/inputs-1-2.json"
expect_status 2 "no --to"
expect_err_contains "--to json|pb is required" "no --to"

run literal convert --to yaml "$FIXTURES/inputs-1-2.json"
expect_status 2 "bad --to"
expect_err_contains "--to must be json or pb, not 'yaml'" "bad --to"

run literal frobnicate
expect_status 2 "unknown subcommand"
expect_err_contains "unknown subcommand 'frobnicate'" "unknown subcommand"

run literal convert --to json a.json b.json
expect_status 2 "two inputs"
expect_err_contains "literal: more than one input file" "two inputs"

run literal convert --to json --type frame "$FIXTURES/inputs-1-2.json"
expect_status 2 "bad --type"
expect_err_contains "--type must be map, literal, interface or type, not 'frame'" "bad --type"

run literal show --type interface "$EXAMPLES/bar.interface.json"
expect_status 2 "show --type interface"
expect_err_contains "literal show: --type must be map or literal" "show --type interface"

run literal convert --to pb -o no-such-dir/out.pb "$FIXTURES/inputs-1-2.json"
expect_status 2 "-o in a missing directory"
expect_err_contains "cannot create 'no-such-dir/out.pb.tmp." "-o in a missing directory"
expect_err_contains "No such file or directory" "-o in a missing directory"

run frobnicate
expect_status 2 "unknown command"
expect_err "cachet: 'frobnicate' is not a cachet command; see 'cachet --help'" "unknown command"

# Protobuf bytes are not written to a terminal (script gives the command one).
status=0
script -qec "'$CACHET' literal convert --to pb '$FIXTURES/inputs-1-2.json'" /dev/null >tty.txt ||
	status=$?
grep -q "cachet: literal convert: refusing to write protobuf bytes to a terminal; use -o FILE or a pipe" tty.txt ||
	fail "pb to a terminal: $(cat tty.txt)"
passed=$((passed + 1))
rm -f tty.txt

printf '{"literals":{"a":{"scalar":{"primitive":{"integer":"x"}}}}}' >bad.json
run literal convert --to pb -o never.pb bad.json
expect_status 2 "bad input"
expect_err_contains 'cachet: bad.json: literals.a.scalar.primitive' "bad input"
[ ! -e never.pb ] || fail "a failed convert left an output file"
passed=$((passed + 1))
[ -z "$(ls -A | grep -v '^bad.json$\|^show.json$\|^out.pb$\|^iface.pb$' || true)" ] || fail "temporary files left behind: $(ls -A)"
passed=$((passed + 1))

finish
