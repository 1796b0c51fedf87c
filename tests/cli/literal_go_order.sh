# cachet literal convert --to pb is the identity on the bytes Go's
# deterministic marshal wrote (tests/fixtures/wire-go, one file per case,
# named <kind>-<case>.pb): fields outside a oneof first, then the oneof.
. "$(dirname "$0")/lib/assert.sh"
cd "$(mktemp -d)"

GO=$CACHET_SRC/tests/fixtures/wire-go
n=0
for f in "$GO"/*.pb; do
	name=$(basename "$f" .pb)
	case $name in
	lit-*) type=literal ;;
	map-*) type=map ;;
	type-*) type=type ;;
	iface-*) type=interface ;;
	*) fail "$name: no message type for this prefix" ;;
	esac
	run literal convert --type "$type" --from pb --to pb -o out.pb "$f"
	expect_status 0 "$name"
	cmp -s out.pb "$f" || fail "$name: cachet's bytes differ from Go's"
	passed=$((passed + 1))

	# through JSON and back, save for NaN and infinite Struct numbers,
	# whose JSON is a string (docs/json-mapping.md)
	[ "$name" = map-struct-nonfinite ] && continue
	run literal convert --type "$type" --from pb --to json -o out.json "$f"
	expect_status 0 "$name to json"
	run literal convert --type "$type" --from json --to pb -o back.pb out.json
	expect_status 0 "$name from json"
	cmp -s back.pb "$f" || fail "$name: through JSON, cachet's bytes differ from Go's"
	passed=$((passed + 1))
	n=$((n + 1))
done
[ "$n" -ge 20 ] || fail "only $n Go fixtures found in $GO"

# JSON keeps number order: the wire order is the encoder's alone.
run literal convert --type literal --to json "$GO/lit-scalar-hash-metadata.pb"
expect_out '{"scalar":{"primitive":{"integer":"1"}},"hash":"h","metadata":{"a":"1","b":"2"}}' "to json"

finish
