# cachet run: the seed scenario (examples/seed.yaml) with the cache, its
# JSON and text output, the -i inputs and the run options.
. "$(dirname "$0")/lib/assert.sh"

seed=$EXAMPLES/seed.yaml
home=$PWD/home

# expect_eq ACTUAL EXPECTED LABEL
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
	passed=$((passed + 1))
}
# jqr FILTER: apply a jq filter to the last output
jqr() { jq -r "$1" <<<"$out"; }

# What foo writes, by hand: a header and a rows "i,b"; its content hash is
# the SHA-256 of those bytes (sha256sum as the yardstick).
hash_x=sha256:$(printf 'id,b\n1,x\n2,x\n3,x\n' | sha256sum | cut -d' ' -f1)
hash_y=sha256:$(printf 'id,b\n1,y\n2,y\n3,y\n' | sha256sum | cut -d' ' -f1)
df='.nodes[] | select(.name == "foo") | .outputs.literals.df'
bar='.nodes[] | select(.name == "bar")'

# ---- run 1: a cold cache. foo is not cached, bar misses and is stored ----
run run "$seed" -i a=3 -i b=x --home "$home" --json
expect_status 0 "run 1"
expect_eq "$(jqr .status)" SUCCEEDED "run 1 status"
expect_eq "$(jqr .workflow)/$(jqr .project)/$(jqr .domain)" seed/examples/development "run 1 names"
expect_eq "$(jqr '.nodes | map(.name) | join(",")')" foo,bar "nodes in the file's order"
expect_eq "$(jqr '.nodes[] | select(.name == "foo") | .cacheStatus')" CACHE_DISABLED "foo uncached"
expect_eq "$(jqr "$bar | .cacheStatus")" CACHE_POPULATED "run 1: bar misses, then stores"
expect_eq "$(jqr .outputs.literals.rows.scalar.primitive.integer)" 3 "three rows"
expect_eq "$(jqr '.inputs.literals.b.scalar.primitive.stringValue')" x "b as given"
expect_eq "$(jqr "$df.hash")" "$hash_x" "df's hash is the SHA-256 of its rows"
expect_eq "$(jqr "$df.scalar.structuredDataset.metadata.structuredDatasetType.format")" csv \
	"df is a csv dataset"
uri1=$(jqr "$df.scalar.structuredDataset.uri")
tag1=$(jqr "$bar | .key.tag")
expect_eq "$(jqr "$bar | .key.dataset.name")" flyte_task-bar "bar's dataset name"
expect_eq "$(jqr "$bar | .key.dataset.project")" examples "bar's project"
case "$uri1" in
"file://$home/store/"*/foo/df) passed=$((passed + 1)) ;;
*) fail "df's URI '$uri1' is not under the home's store" ;;
esac
# the dataset really is in the store, with the bytes by hand
[ "$(cat "${uri1#file://}")" = "$(printf 'id,b\n1,x\n2,x\n3,x')" ] || fail "df's bytes in the store"
passed=$((passed + 1))

# bar's tag is the one `cachet key` computes for an input df with that hash
# (the key layer is checked against Flyte's own vectors)
printf '{"literals":{"df":{"scalar":{"structuredDataset":{"uri":"s3://elsewhere/df","metadata":{"structuredDatasetType":{"format":"csv"}}}},"hash":"%s"}}}' \
	"$hash_x" >df-inputs.json
key_out=$("$CACHET" key --project examples --domain development --name bar \
	--cache-version 1.0 --inputs df-inputs.json --json)
expect_eq "$tag1" "$(jq -r .tag <<<"$key_out")" "bar's tag follows df's hash, not its URI"

# ---- run 2: same inputs. foo writes the same rows to a new URI: bar hits ----
run run "$seed" -i a=3 -i b=x --home "$home" --json
expect_status 0 "run 2"
expect_eq "$(jqr "$bar | .cacheStatus")" CACHE_HIT "run 2: bar hits"
expect_eq "$(jqr "$df.hash")" "$hash_x" "run 2: same hash"
uri2=$(jqr "$df.scalar.structuredDataset.uri")
[ "$uri1" != "$uri2" ] || fail "run 2 must write df to a new URI (both '$uri1')"
passed=$((passed + 1))
expect_eq "$(jqr "$bar | .key.tag")" "$tag1" "run 2: the same tag"
expect_eq "$(jqr .outputs.literals.rows.scalar.primitive.integer)" 3 "run 2: the cached rows"
expect_eq "$(jqr "$bar | .exitStatus")" null "run 2: bar did not run"

# ---- run 3: b changed, so foo wrote other rows: another hash, a miss ----
run run "$seed" -i a=3 -i b=y --home "$home" --json
expect_status 0 "run 3"
expect_eq "$(jqr "$bar | .cacheStatus")" CACHE_POPULATED "run 3: bar misses"
expect_eq "$(jqr "$df.hash")" "$hash_y" "run 3: the hash of the other rows"
[ "$(jqr "$bar | .key.tag")" != "$tag1" ] || fail "run 3: another tag"
passed=$((passed + 1))

# ---- hash: none on df (the first "df: dataset(csv)", foo's output): bar's
# key then follows df's URI, which is new each run, so bar never hits ----
awk '!done && /^      df: dataset\(csv\)$/ { print "      df: {type: dataset(csv), hash: none}"; done = 1; next } { print }' \
	"$seed" >nohash.yaml
grep -q 'hash: none' nohash.yaml || fail "nohash.yaml was not made"
run run nohash.yaml -i a=3 --home "$home" --json
expect_eq "$(jqr "$df.hash")" null "hash: none: df has no hash"
expect_eq "$(jqr "$bar | .cacheStatus")" CACHE_POPULATED "hash: none: run 1 misses"
run run nohash.yaml -i a=3 --home "$home" --json
expect_eq "$(jqr "$bar | .cacheStatus")" CACHE_POPULATED "hash: none: a new URI misses again"

# ---- a hash command on df that reads only the id column: b=x and b=y then
# hash the same, so bar hits although b changed ----
awk '!done && /^      df: dataset\(csv\)$/ {
	print "      df:"
	print "        type: dataset(csv)"
	print "        hash: {command: [sh, -c, '"'"'cut -d, -f1 \"$0\" | md5sum | cut -d\" \" -f1'"'"']}"
	done = 1; next } { print }' "$seed" >idhash.yaml
ids_md5=$(printf 'id\n1\n2\n3\n' | md5sum | cut -d' ' -f1)
run run idhash.yaml -i a=3 -i b=x --home "$home" --json
expect_status 0 "hash command"
expect_eq "$(jqr "$df.hash")" "$ids_md5" "the command's hash, as it printed it"
expect_eq "$(jqr "$bar | .cacheStatus")" CACHE_POPULATED "hash command: run 1 misses"
run run idhash.yaml -i a=3 -i b=y --home "$home" --json
expect_eq "$(jqr "$bar | .cacheStatus")" CACHE_HIT "hash command: other b, same ids, a hit"

# ---- the text form: a headline, the table, the outputs ----
run run "$seed" -i a=3 --home "$home"
expect_status 0 "text run (b from its default)"
grep -Eq '^run [0-9]{8}-[0-9]{6}-[0-9a-f]{6}: seed SUCCEEDED in [0-9.]+ m?s \(2 nodes: 1 hit, 1 ran\)$' \
	<<<"$out" || fail "headline: $out"
passed=$((passed + 1))
expect_eq "$(sed -n 2p <<<"$out" | tr -s ' ')" "NODE TASK STATUS CACHE DURATION" "table header"
grep -Eq '^foo +foo +SUCCEEDED +DISABLED +[0-9]+ ms$' <<<"$out" || fail "foo's row: $out"
grep -Eq '^bar +bar +SUCCEEDED +HIT +[0-9]+ ms$' <<<"$out" || fail "bar's row: $out"
passed=$((passed + 2))
expect_eq "$(tail -n 2 <<<"$out")" "outputs:
  rows: 3 (integer)" "the outputs"
expect_eq "$err" "" "nothing on stderr when it is not a terminal"

# ---- --no-cache and --overwrite-cache ----
run run "$seed" -i a=3 --home "$home" --no-cache --json
expect_eq "$(jqr "$bar | .cacheStatus")" CACHE_DISABLED "--no-cache: no lookup"
run run "$seed" -i a=3 --home "$home" --overwrite-cache --json
expect_eq "$(jqr "$bar | .cacheStatus")" CACHE_POPULATED "--overwrite-cache: runs and stores"
expect_eq "$(jqr "$bar | .exitStatus")" 0 "--overwrite-cache: bar ran"
run run "$seed" -i a=3 --home "$home" --json -j 1
expect_eq "$(jqr "$bar | .cacheStatus")" CACHE_HIT "after the overwrite: a hit"

# ---- -i: read by the declared type, refused before anything runs ----
runs_before=$(ls "$home/runs" | wc -l)
run run "$seed" -i a=abc --home "$home"
expect_status 2 "-i a=abc"
expect_err "cachet: input 'a': \"abc\" is not an int" "-i a=abc"
run run "$seed" -i a=99999999999999999999 --home "$home"
expect_status 2 "-i a too big"
expect_err_contains "cachet: input 'a': " "-i a too big"
run run "$seed" -i nope=1 --home "$home"
expect_err "cachet: workflow 'seed' has no input 'nope' (its inputs: a, b)" "unknown input"
run run "$seed" -i a --home "$home"
expect_err "cachet: -i takes NAME=VALUE, not 'a'" "-i without ="
run run "$seed" -i =3 --home "$home"
expect_err "cachet: -i takes NAME=VALUE, not '=3'" "-i without a name"
run run "$seed" -i a=1 -i a=2 --home "$home"
expect_err "cachet: input 'a' is given twice" "-i twice"
run run "$seed" --home "$home"
expect_status 2 "a required input left out"
expect_err "cachet: workflow input 'a' is required (it has no default)" "required input"
expect_eq "$(ls "$home/runs" | wc -l)" "$runs_before" "no run recorded for refused inputs"

# ---- arguments ----
run run
expect_status 2 "no workflow"
expect_err_contains "cachet: run: which workflow file?" "no workflow"
run run "$seed" -j 0
expect_err "cachet: run: -j must be a number from 1 to 1024, not '0'" "-j 0"
run run "$seed" extra
expect_err_contains "cachet: run: unexpected argument 'extra' (inputs are given as -i NAME=VALUE)" \
	"stray argument"
run run "$seed" --no-cache --overwrite-cache
expect_err "cachet: run: --overwrite-cache and --no-cache cannot go together" "exclusive options"
run run nope.yaml
expect_status 2 "missing file"
expect_err "cachet: cannot open 'nope.yaml': No such file or directory" "missing file"
run run --help
expect_status 0 "--help"
case "$out" in "usage: cachet run WORKFLOW.yaml"*) passed=$((passed + 1)) ;; *) fail "--help: $out" ;; esac

finish
