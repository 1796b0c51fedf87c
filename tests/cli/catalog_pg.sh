# The PostgreSQL catalog from the CLI, on a server of the test's own
# (tests/lib/pg-server.sh): catalog init/check and the password never
# shown, two homes ("machines") sharing one catalog and one store, a
# third that names them in its home's config, 16
# processes from two homes asking for one key (exactly one computes), a
# newer schema refused, and the faults: the server down, a restart in the
# middle of a run, a statement timeout.
. "$(dirname "$0")/lib/assert.sh"
. "$CACHET_SRC/tests/lib/pg-server.sh"
trap pg_server_stop EXIT
pg_server_start

expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
	passed=$((passed + 1))
}
jqr() { jq -r "$1" <<<"$out"; }
sql() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

secret_url="postgres://postgres:hunter2@/postgres?host=$PG_DIR&port=$PG_PORT"
shown_url="postgres://postgres:***@/postgres?host=$PG_DIR&port=$PG_PORT"

# ---- catalog check / init, and no password in any output ----
run catalog check "$secret_url"
expect_status 2 "check of an empty database"
expect_err "cachet: catalog '$shown_url' is empty and cannot be written" "check: empty"
run catalog init "$secret_url"
expect_status 0 "init"
expect_out "catalog '$shown_url' (postgresql): schema current" "init names the catalog, redacted"
run catalog check --catalog "$secret_url"
expect_status 0 "check"
expect_out "catalog '$shown_url' (postgresql): schema current, tables readable" "check"
expect_eq "$(sql 'SELECT max(version) FROM cachet_schema_version')" 1 "schema version row"
run catalog migrate "$PG_URL password=hunter2"
expect_status 0 "migrate (key=value form)"
expect_out "catalog '$PG_URL password=***' (postgresql): schema current" "migrate"
run catalog frobnicate "$PG_URL"
expect_status 2 "an unknown subcommand"
expect_err "cachet: catalog: 'frobnicate' is not a subcommand (init, migrate, check)" "unknown"

# ---- two machines: two homes share the catalog and a store ----
mkdir -m 700 shared-store
seed=$EXAMPLES/seed.yaml
bar='.nodes[] | select(.name == "bar") | .cacheStatus'
run run "$seed" -i a=3 --home "$PWD/m1" --catalog "$secret_url" --store "$PWD/shared-store" --json
expect_status 0 "machine 1 runs"
expect_eq "$(jqr "$bar")" CACHE_POPULATED "machine 1 populates"
CACHET_CATALOG=$PG_URL CACHET_STORE=file://$PWD/shared-store \
	capture "$CACHET" run "$seed" -i a=3 --home "$PWD/m2" --json
expect_status 0 "machine 2 runs"
expect_eq "$(jqr "$bar")" CACHE_HIT "machine 2 hits what machine 1 stored"
[ ! -e m2/catalog.db ] || fail "machine 2 made a SQLite catalog of its own"
passed=$((passed + 1))
grep -r hunter2 m1/runs m2/runs >/dev/null && fail "a password in a run record"
passed=$((passed + 1))
run cache ls --catalog "$PG_URL" --json
expect_status 0 "cache ls"
expect_eq "$(jqr '.entries | length')" 1 "one entry"
expect_eq "$(jqr '.entries[0].hits')" 1 "hit once"
run cache stats --catalog "$PG_URL" --json
expect_status 0 "cache stats"
run metrics --catalog "$PG_URL"
expect_status 0 "metrics"

# ---- data another machine's store holds: a miss here, the entry kept ----
awk '{ print } /^      df: dataset\(csv\)$/ && !done { print "    cache: {version: \"1\"}"; done = 1 }' \
	"$seed" >local.yaml
foo='.nodes[] | select(.name == "foo")'
run run local.yaml -i a=4 --home "$PWD/m1" --catalog "$PG_URL" --json
expect_eq "$(jqr "$foo | .cacheStatus")" CACHE_POPULATED "foo stored in machine 1's own store"
run run local.yaml -i a=4 --home "$PWD/m2" --catalog "$PG_URL" --json
expect_status 0 "machine 2 runs without machine 1's store"
expect_eq "$(jqr "$foo | .status")/$(jqr "$foo | .cacheStatus")" SUCCEEDED/CACHE_POPULATED \
	"machine 2 computes foo"
case "$(jqr "$foo | .cacheMessage")" in
"output 'df': store URI 'file://$PWD/m1/store/"*"is outside the store 'file://$PWD/m2/store': not reachable from this store, entry kept") passed=$((passed + 1)) ;;
*) fail "the miss's reason: $(jqr "$foo | .cacheMessage")" ;;
esac
run run local.yaml -i a=4 --home "$PWD/m1" --catalog "$PG_URL" --json
expect_eq "$(jqr "$foo | .cacheStatus")" CACHE_HIT "machine 1's entry was kept"

# ---- a third machine set up once in its home's config ----
mkdir -m 700 m3
printf 'catalog = %s\nstore = file://%s/shared-store\n' "$secret_url" "$PWD" >m3/config
chmod 600 m3/config
run run "$seed" -i a=3 --home "$PWD/m3" --json
expect_status 0 "machine 3 runs under its config"
expect_eq "$(jqr "$bar")" CACHE_HIT "machine 3 hits through the config's catalog and store"
[ ! -e m3/catalog.db ] || fail "machine 3 made a SQLite catalog of its own"
passed=$((passed + 1))
run catalog --home "$PWD/m3" check
expect_status 0 "catalog check of the config's catalog"
expect_out "catalog '$shown_url' (postgresql): schema current, tables readable" \
	"the config's catalog, its password hidden"
run cache ls --home "$PWD/m3" --json
expect_eq "$(jqr '.entries | length')" 3 "cache ls reads the config's catalog (bar for a=3 and a=4, foo)"
grep -r hunter2 m3/runs >/dev/null && fail "the config's password in a run record"
passed=$((passed + 1))

# ---- one key, 16 processes from two homes: exactly one computes ----
cat >slow.yaml <<YAML
workflow: slow
project: p
domain: d
inputs:
  n: int
outputs:
  out: "{{work.outputs.out}}"
tasks:
  work:
    inputs:
      n: int
    outputs:
      out: int
    cache:
      version: "1"
      serializable: true
    command: [sh, -c, 'echo computed >> "$PWD/computed"; sleep \${SLOW:-1}; echo "\$1" > "\$2"',
              work, "{{inputs.n}}", "{{outputs.out}}"]
nodes:
  work:
    inputs:
      n: "{{inputs.n}}"
YAML
pids=()
for i in $(seq 1 16); do
	"$CACHET" run slow.yaml -i n=16 --home "$PWD/m$((i % 2 + 1))" --catalog "$PG_URL" \
		--store "$PWD/shared-store" --json >"par$i.json" 2>"par$i.err" &
	pids+=($!)
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || fail "process $((i + 1)) failed: $(cat "par$((i + 1)).err")"
done
expect_eq "$(wc -l <computed)" 1 "16 processes, one computation"
expect_eq "$(cat par*.json | jq -r '.nodes[0].cacheStatus' | sort | uniq -c | tr -s ' ' | sed 's/^ //' | tr '\n' ';')" \
	"15 CACHE_HIT;1 CACHE_POPULATED;" "one populates, fifteen hit"

# ---- a newer schema is refused, untouched ----
sql 'INSERT INTO cachet_schema_version (version) VALUES (99)'
run catalog check "$PG_URL"
expect_status 2 "newer schema"
expect_err "cachet: catalog '$PG_URL' has schema version 99, newer than this cachet knows (1): use a newer cachet" \
	"newer schema refused"
run cache ls --catalog "$PG_URL"
expect_status 2 "ls refuses it too"
expect_eq "$(sql 'SELECT count(*) FROM cachet_schema_version')" 2 "left as it was"
sql 'DELETE FROM cachet_schema_version WHERE version = 99'

# ---- a statement timeout: a lookup that fails is LOOKUP_FAILURE, the task runs ----
psql -qAtX -c "BEGIN; LOCK TABLE tags, reservations IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(6); COMMIT" >/dev/null &
locker=$!
sleep 0.5
rm -f computed
run run slow.yaml -i n=7 --home "$PWD/m1" --catalog "$PG_URL options='-c statement_timeout=300'" \
	--store "$PWD/shared-store" --json
expect_status 0 "a run whose catalog times out still succeeds"
expect_eq "$(jqr '.nodes[0].cacheStatus')" CACHE_LOOKUP_FAILURE "the lookup failed"
expect_eq "$(jqr .outputs.literals.out.scalar.primitive.integer)" 7 "the task ran"
expect_eq "$(wc -l <computed)" 1 "computed"
run cache ls --catalog "$PG_URL options='-c statement_timeout=300'"
expect_status 2 "ls times out"
expect_err_contains "canceling statement due to statement timeout" "the server's reason"
wait "$locker"

# ---- the server restarts during a run: the next call reconnects ----
rm -f computed
SLOW=4 "$CACHET" run slow.yaml -i n=5 --home "$PWD/m1" --catalog "$PG_URL" \
	--store "$PWD/shared-store" --json >restart.json 2>restart.err &
runner=$!
sleep 1.5
pg_server_restart
wait "$runner" || fail "the run across a restart failed: $(cat restart.err)"
out=$(cat restart.json)
expect_eq "$(jqr '.nodes[0].cacheStatus')" CACHE_POPULATED "stored after the restart"
run run slow.yaml -i n=5 --home "$PWD/m2" --catalog "$PG_URL" --store "$PWD/shared-store" --json
expect_eq "$(jqr '.nodes[0].cacheStatus')" CACHE_HIT "and found by the other machine"

# ---- the server down: a clear error, no password ----
pg_server_down
run cache ls --catalog "$secret_url"
expect_status 2 "server down"
expect_err_contains "cachet: cannot connect to catalog '$shown_url': " "says what failed"
case "$err" in *hunter2*) fail "the password in an error" ;; esac
passed=$((passed + 1))
run run "$seed" -i a=3 --home "$PWD/m1" --catalog "$PG_URL" --store "$PWD/shared-store"
expect_status 2 "a run cannot start without its catalog"
expect_err_contains "cannot connect to catalog" "run: server down"

finish
