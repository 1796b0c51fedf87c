# The home's config (docs/catalog.md "The home's config"): it chooses the
# catalog and the store when neither an option nor the environment does,
# for run, cache, catalog, offload and store; --catalog/--store win over
# $CACHET_CATALOG/$CACHET_STORE, which win over the config. A malformed
# config, an unknown key and a config others may write are refused with
# the file and the line; a password in it is never shown.
. "$(dirname "$0")/lib/assert.sh"
unset CACHET_HOME XDG_CACHE_HOME CACHET_CATALOG CACHET_STORE

expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
	passed=$((passed + 1))
}
jqr() { jq -r "$1" <<<"$out"; }
# entries URL: how many entries the catalog at URL holds
entries() {
	run cache ls --catalog "$1" --json
	expect_status 0 "cache ls of '$1'"
	jqr '.entries | length'
}

home=$PWD/home
mkdir -m 700 "$home" cfg-store env-store flag-store
chmod 700 cfg-store env-store flag-store
cat >"$home/config" <<CONF
# the catalog and store this home uses
catalog = sqlite://$PWD/cfg.db

;  another comment style, and blanks around the value
   store=	file://$PWD/cfg-store   
CONF
chmod 600 "$home/config"
seed=$EXAMPLES/seed.yaml
bar='.nodes[] | select(.name == "bar") | .cacheStatus'

# ---- the config chooses the catalog and the store ----
run run "$seed" -i a=3 --home "$home" --json
expect_status 0 "a run under the config"
expect_eq "$(jqr "$bar")" CACHE_POPULATED "populated"
[ -s cfg.db ] && [ ! -e "$home/catalog.db" ] || fail "the run did not use the config's catalog"
passed=$((passed + 1))
expect_eq "$(entries "sqlite://$PWD/cfg.db")" 1 "the entry is in the config's catalog"
run cache ls --home "$home" --json
expect_eq "$(jqr '.entries | length')" 1 "cache ls reads the config's catalog"
run catalog --home "$home" check
expect_status 0 "catalog check of the config's catalog"
expect_out "catalog 'sqlite://$PWD/cfg.db' (sqlite): schema current, tables readable" \
	"catalog check names the config's catalog"

printf 'id,b\n1,x\n' >data.csv
run offload --home "$home" data.csv
expect_status 0 "offload under the config"
[[ $(jqr .scalar.blob.uri) == "file://$PWD/cfg-store/"*/data.csv ]] ||
	fail "offload's uri: $(jqr .scalar.blob.uri)"
passed=$((passed + 1))
run store ls --home "$home"
expect_status 0 "store ls under the config"
[[ $out == *"file://$PWD/cfg-store/"*/data.csv* ]] || fail "store ls: $out"
passed=$((passed + 1))
[ -z "$(ls -A "$home/store" 2>/dev/null)" ] || fail "the home's own store was used"
passed=$((passed + 1))
run store cleanup --home "$home"
expect_status 0 "store cleanup under the config"

# ---- the environment wins over the config, the option over both ----
CACHET_CATALOG=sqlite://$PWD/env.db CACHET_STORE=$PWD/env-store \
	capture "$CACHET" run "$seed" -i a=3 --home "$home" --json
expect_status 0 "a run under the environment"
expect_eq "$(jqr "$bar")" CACHE_POPULATED "the environment's catalog is a fresh one"
expect_eq "$(entries "sqlite://$PWD/env.db")" 1 "the entry is in the environment's catalog"
CACHET_STORE=file://$PWD/env-store capture "$CACHET" offload --home "$home" data.csv
[[ $(jqr .scalar.blob.uri) == "file://$PWD/env-store/"* ]] || fail "offload under \$CACHET_STORE: $(jqr .scalar.blob.uri)"
passed=$((passed + 1))

CACHET_CATALOG=sqlite://$PWD/env.db CACHET_STORE=$PWD/env-store \
	capture "$CACHET" run "$seed" -i a=3 --home "$home" --json \
	--catalog "sqlite://$PWD/flag.db" --store "$PWD/flag-store"
expect_status 0 "a run with the options"
expect_eq "$(jqr "$bar")" CACHE_POPULATED "the option's catalog is a fresh one"
expect_eq "$(entries "sqlite://$PWD/flag.db")" 1 "the entry is in the option's catalog"
CACHET_STORE=$PWD/env-store capture "$CACHET" store ls --home "$home" --store "$PWD/flag-store"
expect_status 0 "store ls with --store"
[ -n "$out" ] && [[ $out != *env-store* ]] || fail "store ls --store: $out"
passed=$((passed + 1))

# ---- without a config: the home's own ----
rm "$home/config"
run run "$seed" -i a=3 --home "$home" --json
expect_eq "$(jqr "$bar")" CACHE_POPULATED "no config: the home's catalog"
[ -s "$home/catalog.db" ] || fail "no config: the home's catalog.db"
passed=$((passed + 1))

# ---- a malformed config, an unknown key: the file and the line ----
printf '# ok\ncatalog = sqlite://%s/cfg.db\nstore file:///x\n' "$PWD" >"$home/config"
run cache ls --home "$home"
expect_status 2 "a line without '='"
expect_err "cachet: config '$home/config' line 3: expected 'key = value'" "malformed"
printf 'store = %s/cfg-store\ncolour = auto\n' "$PWD" >"$home/config"
run offload --home "$home" data.csv
expect_status 2 "an unknown key"
expect_err "cachet: config '$home/config' line 2: unknown key 'colour' (catalog, store)" "unknown key"
printf 'catalog =\n' >"$home/config"
run run "$seed" -i a=3 --home "$home"
expect_status 2 "a key without a value"
expect_err "cachet: config '$home/config' line 1: 'catalog' has no value" "no value"
printf 'store = /a\nstore = /b\n' >"$home/config"
run store ls --home "$home"
expect_status 2 "a key set twice"
expect_err "cachet: config '$home/config' line 2: 'store' set twice" "set twice"
printf 'store = relative/dir\n' >"$home/config"
run offload --home "$home" data.csv
expect_status 2 "a relative store"
expect_err "cachet: store URL 'relative/dir': not an absolute path" "relative store"

# ---- a config others may write: refused, the fix works ----
printf 'catalog = sqlite://%s/cfg.db\n' "$PWD" >"$home/config"
chmod 0666 "$home/config"
run cache ls --home "$home" --json
expect_status 2 "a config others may write"
expect_err "cachet: cannot use config '$home/config': it is writable by group and others (mode 0666); fix it with: chmod 600 '$home/config'" \
	"unsafe config"
run run "$seed" -i a=3 --home "$home"
expect_status 2 "a run under a config others may write"
expect_err_contains "cannot use config '$home/config': it is writable" "run: unsafe config"
eval "${err#*fix it with: }"
run cache ls --home "$home" --json
expect_status 0 "the fix the message gives"
expect_eq "$(jqr '.entries | length')" 1 "the config's catalog after the fix"
mv "$home/config" real-config
ln -s "$PWD/real-config" "$home/config"
run cache ls --home "$home"
expect_status 2 "a config that is a symbolic link"
expect_err "cachet: cannot use config '$home/config': it is a symbolic link; cachet does not follow links to its files" \
	"symbolic link"

# ---- a password in the config never shows ----
rm "$home/config"
printf 'catalog = postgres://u:hunter2@/db?host=%s/no-server&connect_timeout=1\n' "$PWD" >"$home/config"
chmod 600 "$home/config"
run cache ls --home "$home"
expect_status 2 "a catalog that cannot be reached"
expect_err_contains "cannot connect to catalog 'postgres://u:***@/db?host=$PWD/no-server" "redacted"
case "$err$out" in *hunter2*) fail "the password in the output" ;; esac
passed=$((passed + 1))
run catalog --home "$home" check
expect_status 2 "catalog check of an unreachable config catalog"
case "$err$out" in *hunter2*) fail "catalog check shows the password" ;; esac
passed=$((passed + 1))

finish
