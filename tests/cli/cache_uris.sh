# The store check of `cache put`, `get` and `gc` (docs/catalog.md): every
# file URI an output names is taken by its canonical spelling, must be in
# the home's store, and put, the hit check and gc agree on what it names.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

mkdir -p "$STORE/run1"
printf 'x\n' >"$STORE/run1/x.txt"
printf 'xx\n' >"$STORE/run1/xx.txt"
printf 'y\n' >"$STORE/run1/y.txt"
touch -d '2 days ago' "$STORE/run1/x.txt" "$STORE/run1/xx.txt" "$STORE/run1/y.txt"

# outputs_naming URI: outputs whose one output names URI.
outputs_naming() {
	printf '{"literals":{"x":{"scalar":{"blob":{"metadata":{"type":{}},"uri":"%s"}}}}}\n' "$1"
}

# Non-canonical spellings of objects in the store are recorded canonical.
n=0
for spelling in "file://$STORE//run1/x.txt" "file://$STORE/./run1/x.txt" \
	"file://localhost$STORE/run1/x.txt" "FILE://$STORE/run1/x.txt" \
	"file:$STORE/run1//x.txt"; do
	n=$((n + 1))
	outputs_naming "$spelling" >spelled.json
	run cache put --project P --domain D --name "spelled$n" --cache-version 1 --outputs spelled.json
	expect_status 0 "put of '$spelling'"
	run cache get --project P --domain D --name "spelled$n" --cache-version 1
	expect_status 0 "get after the put of '$spelling'"
	expect_out "$(outputs_naming "file://$STORE/run1/x.txt")" "'$spelling' is recorded canonical"
done

# gc sees the object as referenced, however the put spelled it, and the
# entries still hit after it.
run cache gc
expect_status 0 "gc"
expect_out "file://$STORE/run1/xx.txt  3 B
file://$STORE/run1/y.txt  2 B
deleted 2 objects (5 B); kept 1; removed 0 leftovers of interrupted writes" \
	"gc keeps the object named through other spellings"
[ "$(cat "$STORE/run1/x.txt")" = x ] || fail "gc deleted a referenced object"
passed=$((passed + 1))
for i in $(seq 1 "$n"); do
	run cache get --project P --domain D --name "spelled$i" --cache-version 1
	expect_status 0 "entry $i still hits after gc"
done

# Spellings that lead out of the store, or could to a tool that decodes
# them, are refused: exit 2, nothing stored.
refuse() { # URI MESSAGE
	outputs_naming "$1" >refused.json
	run cache put "${TASK[@]}" --outputs refused.json
	expect_status 2 "put of '$1'"
	expect_err "cachet: cannot put the outputs: output 'x': $2" "put of '$1' says why"
	run cache get "${TASK[@]}"
	expect_status 1 "nothing was stored for '$1'"
}
refuse "file://$STORE/run1/../run1/x.txt" \
	"store URI 'file://$STORE/run1/../run1/x.txt' has a '..' segment"
refuse "file://$STORE/run1/%2e%2e/run1/x.txt" \
	"store URI 'file://$STORE/run1/%2e%2e/run1/x.txt' has an encoded '..' segment"
refuse "file://$STORE/run1%2fx.txt" \
	"store URI 'file://$STORE/run1%2fx.txt' has an encoded '/' ('%2f')"
refuse "file:///etc/hostname" \
	"store URI 'file:///etc/hostname' is outside the store 'file://$STORE'"
refuse "file://elsewhere$STORE/run1/x.txt" \
	"store URI 'file://elsewhere$STORE/run1/x.txt' names the host 'elsewhere': a file URI must be local"
refuse "file://$STORE/" "store URI 'file://$STORE/' names the store's root, not an object"

# Another scheme is recorded as it is, unchecked.
outputs_naming "s3://bucket/a//b/../c" >s3.json
run cache put "${TASK[@]}" --outputs s3.json
expect_status 0 "put of an s3 URI"
run cache get "${TASK[@]}"
expect_status 0 "get of an s3 URI"
expect_out "$(cat s3.json)" "an s3 URI is recorded as it is"

# An entry an older cachet stored, naming the object through a
# non-canonical spelling or a file outside the store (written here behind
# cachet's back: the outputs' bytes are rewritten in place, same length).
mkdir -p "$HOME_DIR/stork/run1"
printf 'not the store\n' >"$HOME_DIR/stork/run1/xx.txt"
printf 'xx\n' >"$STORE/run1/xx.txt"
outputs_naming "file://$STORE/run1/xx.txt" >xx.json
for name in legacy-dup legacy-outside; do
	run cache put --project P --domain D --name "$name" --cache-version 1 --outputs xx.json
	expect_status 0 "put for $name"
done
rewrite() { # NAME FROM TO
	catalog_sql "UPDATE artifacts SET outputs = CAST(replace(CAST(outputs AS TEXT), '$2', '$3') AS BLOB)
		WHERE dataset_id IN (SELECT id FROM datasets WHERE name LIKE '%$1')"
}
rewrite legacy-dup "file://$STORE/run1/xx.txt" "file://$STORE//run1/x.txt"
rewrite legacy-outside "file://$STORE/run1/xx.txt" "file://$HOME_DIR/stork/run1/xx.txt"
touch -d '2 days ago' "$STORE/run1/xx.txt"
run cache gc
expect_status 0 "gc with legacy entries"
expect_out "file://$STORE/run1/xx.txt  3 B
deleted 1 object (3 B); kept 1; removed 0 leftovers of interrupted writes" \
	"gc: the non-canonical spelling references run1/x.txt, the outside file nothing"
run cache get --project P --domain D --name legacy-dup --cache-version 1
expect_status 0 "the non-canonical legacy entry hits: its object is there"
expect_out "$(outputs_naming "file://$STORE//run1/x.txt")" "as it was stored"
run cache get --project P --domain D --name legacy-outside --cache-version 1
expect_status 1 "the legacy entry naming a file outside the store misses"
expect_err "cachet: miss (missing-data): output 'x': store URI 'file://$HOME_DIR/stork/run1/xx.txt' is outside the store 'file://$STORE': entry evicted" \
	"and says why"
[ "$(cat "$HOME_DIR/stork/run1/xx.txt")" = "not the store" ] || fail "the outside file was touched"
passed=$((passed + 1))

# offload --prefix and store ls take any spelling; the Literal carries the
# canonical one.
printf 'data\n' >data.txt
run offload --prefix "file://localhost$STORE//run2/./" data.txt
expect_status 0 "offload under a non-canonical prefix"
expect_out_contains "\"uri\": \"file://$STORE/run2/data.txt\"" "the Literal's URI is canonical"
run store ls "FILE:$STORE/run2//"
expect_status 0 "store ls under a non-canonical prefix"
expect_out "5  file://$STORE/run2/data.txt" "store ls lists by the canonical prefix"
run offload --prefix "file://$STORE/run2/../.." data.txt
expect_status 2 "offload under a prefix with '..'"
expect_err "cachet: store URI 'file://$STORE/run2/../..' has a '..' segment" "offload names the prefix"

finish
