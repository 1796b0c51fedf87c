# cachet metrics: the counters in the Prometheus text exposition format,
# checked line for line after a known sequence of lookups and puts.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

in12=$FIXTURES/inputs-1-2.json
TASK_U=(--project P --domain D --name u --cache-version 1.0.0)
# A project with a double quote and a backslash: escaped in label values.
TASK_Q=(--project 'q"\x' --domain D --name t --cache-version 1.0.0)

help_type() { # NAME TYPE HELP
	printf '# HELP %s %s\n# TYPE %s %s\n' "$1" "$3" "$1" "$2"
}

run metrics
expect_status 0 "metrics of an empty home"
expect_out "$(help_type cachet_cache_hits_total counter 'Catalog lookups that hit.')
$(help_type cachet_cache_misses_total counter 'Catalog lookups that missed: no entry, an expired one, or one whose data was gone.')
$(help_type cachet_cache_lookup_failures_total counter 'Catalog lookups that failed: an entry that did not fit the interface or could not be read, or a catalog error.')
$(help_type cachet_cache_populated_total counter 'Outputs stored in the catalog.')
$(help_type cachet_cache_put_failures_total counter 'Outputs that could not be stored.')
$(help_type cachet_cache_evictions_total counter 'Entries evicted, by reason.')
$(help_type cachet_reservations_acquired_total counter 'Cache reservations acquired: this execution computes.')
$(help_type cachet_reservations_waited_total counter "Lookups that waited for another execution's reservation.")
$(help_type cachet_reservations_released_total counter 'Cache reservations released.')
$(help_type cachet_cache_entries gauge 'Entries cached now.')
$(help_type cachet_cache_bytes gauge 'Bytes of offloaded data the cached entries reference.')" \
	"an empty home: every family, no samples"

mkdir -p "$STORE/run1"
printf 'hello\n' >"$STORE/run1/x.txt" # 6 bytes
cat >blob.json <<JSON
{"literals":{"x":{"scalar":{"blob":{"metadata":{"type":{}},"uri":"file://$STORE/run1/x.txt"}}}}}
JSON
printf '%s\n' '{"outputs":{"variables":{"o0":{"type":{"simple":"STRING"}}}}}' >iface-str.json
printf '%s\n' '{"outputs":{"variables":{"o0":{"type":{"simple":"INTEGER"}}}}}' >iface-int.json

q() { "$CACHET" "$@" >/dev/null 2>&1 || true; }
q cache get "${TASK[@]}" --inputs "$in12"                         # t: miss 1
q cache put "${TASK[@]}" --inputs "$in12" --outputs out3.json     # t: populated 1
q cache get "${TASK[@]}" --inputs "$in12"                         # t: hit 1
q cache get "${TASK[@]}" --inputs "$in12"                         # t: hit 2
q cache get "${TASK[@]}" --inputs "$FIXTURES/inputs-1-2-3.json"   # t: miss 2
q cache put "${TASK[@]}" --interface iface-str.json --outputs out3.json # t: put failure 1 (does not fit)
q cache put "${TASK[@]}" --interface iface-int.json --outputs out3.json # t: populated 2
# ... moved under the string interface's dataset, as another writer could
# have stored it:
move_dataset "$(dataset_version "${TASK[@]}" --interface iface-int.json)" \
	"$(dataset_version "${TASK[@]}" --interface iface-str.json)"
q cache get "${TASK[@]}" --interface iface-str.json               # t: lookup failure 1
q cache put "${TASK[@]}" --outputs nowhere.json                   # not loaded: no count
printf '%s\n' "{\"literals\":{\"x\":{\"scalar\":{\"blob\":{\"metadata\":{\"type\":{}},\"uri\":\"file://$STORE/none\"}}}}}" >gone.json
q cache put "${TASK[@]}" --outputs gone.json                      # t: put failure 2
q cache evict --tag "$GQ"                                         # t: evicted (tag) 1
q cache get "${TASK_U[@]}"                                        # u: miss 1
q cache put "${TASK_U[@]}" --outputs blob.json                    # u: populated 1
rm "$STORE/run1/x.txt"
q cache get "${TASK_U[@]}"                                        # u: miss 2, evicted (missing-data) 1
q cache put "${TASK_Q[@]}" --outputs out4.json                    # q: populated 1
q cache get "${TASK_Q[@]}"                                        # q: hit 1

# Tasks sorted by project, domain, name: P/D/t, P/D/u, q"\x/D/t.
P='project="P",domain="D"'
Q='project="q\"\\x",domain="D"'
samples() { # NAME T U Q: one sample per task
	printf '%s{%s,task="t"} %s\n%s{%s,task="u"} %s\n%s{%s,task="t"} %s\n' \
		"$1" "$P" "$2" "$1" "$P" "$3" "$1" "$Q" "$4"
}
evictions() { # LABELS TAG TASK AGE SIZE MISSING
	local l=$1
	shift
	for r in tag task age size missing-data; do
		printf 'cachet_cache_evictions_total{%s,reason="%s"} %s\n' "$l" "$r" "$1"
		shift
	done
}

run metrics
expect_status 0 "metrics"
want="$(help_type cachet_cache_hits_total counter 'Catalog lookups that hit.')
$(samples cachet_cache_hits_total 2 0 1)
$(help_type cachet_cache_misses_total counter 'Catalog lookups that missed: no entry, an expired one, or one whose data was gone.')
$(samples cachet_cache_misses_total 2 2 0)
$(help_type cachet_cache_lookup_failures_total counter 'Catalog lookups that failed: an entry that did not fit the interface or could not be read, or a catalog error.')
$(samples cachet_cache_lookup_failures_total 1 0 0)
$(help_type cachet_cache_populated_total counter 'Outputs stored in the catalog.')
$(samples cachet_cache_populated_total 2 1 1)
$(help_type cachet_cache_put_failures_total counter 'Outputs that could not be stored.')
$(samples cachet_cache_put_failures_total 2 0 0)
$(help_type cachet_cache_evictions_total counter 'Entries evicted, by reason.')
$(evictions "$P,task=\"t\"" 1 0 0 0 0)
$(evictions "$P,task=\"u\"" 0 0 0 0 1)
$(evictions "$Q,task=\"t\"" 0 0 0 0 0)
$(help_type cachet_reservations_acquired_total counter 'Cache reservations acquired: this execution computes.')
$(samples cachet_reservations_acquired_total 0 0 0)
$(help_type cachet_reservations_waited_total counter "Lookups that waited for another execution's reservation.")
$(samples cachet_reservations_waited_total 0 0 0)
$(help_type cachet_reservations_released_total counter 'Cache reservations released.')
$(samples cachet_reservations_released_total 0 0 0)
$(help_type cachet_cache_entries gauge 'Entries cached now.')
$(samples cachet_cache_entries 1 0 1)
$(help_type cachet_cache_bytes gauge 'Bytes of offloaded data the cached entries reference.')
$(samples cachet_cache_bytes 0 0 0)"
expect_out "$want" "the counters after the sequence"

# The format wants a line feed after the last line, and no blank lines.
"$CACHET" metrics >raw.txt
[ "$(tail -c1 raw.txt | od -An -c | tr -d ' ')" = '\n' ] || fail "no final line feed"
! grep -q '^$' raw.txt || fail "a blank line"
passed=$((passed + 2))

# -o FILE: the same text, written whole.
run metrics -o metrics.prom
expect_status 0 "metrics -o"
expect_out "" "metrics -o prints nothing"
cmp -s metrics.prom raw.txt || fail "metrics -o wrote other text"
passed=$((passed + 1))

run metrics --json
expect_status 0 "metrics --json"
expect_out_contains '{"metrics":[{"name":"cachet_cache_hits_total","type":"counter","help":"Catalog lookups that hit.","samples":[{"labels":{"project":"P","domain":"D","task":"t"},"value":2},{"labels":{"project":"P","domain":"D","task":"u"},"value":0},{"labels":{"project":"q\"\\x","domain":"D","task":"t"},"value":1}]}' \
	"metrics --json"
expect_out_contains '{"labels":{"project":"P","domain":"D","task":"u","reason":"missing-data"},"value":1}' \
	"metrics --json: evictions by reason"

run metrics extra
expect_status 2 "metrics takes no argument"
expect_err_contains "cachet: metrics: unexpected argument 'extra'" "metrics extra"

finish
