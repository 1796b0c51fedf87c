# cachet cache evict: by tag, by task (all versions or one), by age, and
# by total size, least recently used first.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

in12=$FIXTURES/inputs-1-2.json
TASK_U=(--project P --domain D --name u --cache-version 1.0.0)
TASK_T2=(--project P --domain D --name t --cache-version 2.0)

# Nothing said: refused, so that a slip does not empty the cache.
run cache evict
expect_status 2 "evict without a selection"
expect_err_contains "cachet: cache evict: say what to evict: --tag, --artifact, --task, --older-than, --unused-for, --max-size or --all" \
	"evict without a selection"

mkdir -p "$STORE/r"
head -c 100 /dev/zero >"$STORE/r/a"
head -c 200 /dev/zero >"$STORE/r/b"
head -c 300 /dev/zero >"$STORE/r/c"
blob() { # NAME: outputs naming store object r/NAME
	printf '{"literals":{"o":{"scalar":{"blob":{"metadata":{"type":{}},"uri":"file://%s/r/%s"}}}}}\n' \
		"$STORE" "$1" >"$1.json"
}
blob a
blob b
blob c

"$CACHET" cache put "${TASK[@]}" --inputs "$in12" --outputs out3.json >/dev/null
"$CACHET" cache put "${TASK[@]}" --outputs a.json >/dev/null
"$CACHET" cache put "${TASK_T2[@]}" --outputs out3.json >/dev/null
"$CACHET" cache put "${TASK_U[@]}" --outputs b.json >/dev/null

# --- by tag ------------------------------------------------------------
row() { printf '%-5s  %-23s  %-56s  %5s\n' "$@"; }
head=$(row TASK VERSION TAG SIZE)
run cache evict --tag "$EMPTY" --dry-run
expect_status 0 "evict --tag --dry-run"
expect_out "$head
$(row P/D/t 1.0.0-GKw-c0Pw-GKw-c0Pw "$EMPTY" "100 B")
$(row P/D/t 2.0-GKw-c0Pw-GKw-c0Pw "$EMPTY" "0 B")
$(row P/D/u 1.0.0-GKw-c0Pw-GKw-c0Pw "$EMPTY" "200 B")
would evict 3 entries (300 B, reason tag); 0 B referenced by the entries that would be left" \
	"a dry run lists the entries under the tag"
run cache ls
[ "$(wc -l <<<"$out")" -eq 5 ] || fail "a dry run evicted: $out"
passed=$((passed + 1))

run cache evict --tag "$EMPTY" --task u
expect_status 0 "evict --tag --task"
expect_out "$head
$(row P/D/u 1.0.0-GKw-c0Pw-GKw-c0Pw "$EMPTY" "200 B")
evicted 1 entry (200 B, reason tag); 100 B referenced by the entries left" \
	"evict --tag of one task"
run cache get "${TASK_U[@]}"
expect_status 1 "the evicted entry misses"
run cache get "${TASK[@]}"
expect_status 0 "the same tag of another task stays"

# --- by task, one version ------------------------------------------------
run cache evict --task t --version 2.0 --json
expect_status 0 "evict --task --version (cache version)"
expect_out_re "\\{\"dry_run\":false,\"reason\":\"task\",\"evicted\":\\[\\{\"project\":\"P\",\"domain\":\"D\",\"task\":\"t\",\"name\":\"flyte_task-t\",\"version\":\"2.0-GKw-c0Pw-GKw-c0Pw\",.*\\}\\],\"bytes\":0,\"bytes_remaining\":100\\}" \
	"evict --task t --version 2.0"
run cache get "${TASK_T2[@]}"
expect_status 1 "version 2.0 is gone"
run cache get "${TASK[@]}" --inputs "$in12"
expect_status 0 "version 1.0.0 stays"

run cache evict --task t --version 9.9
expect_status 0 "a version with no entries"
expect_out "evicted 0 entries (0 B, reason task); 100 B referenced by the entries left" \
	"nothing to evict"

run cache evict --task t --version 1.0.0-GKw-c0Pw-GKw-c0Pw --dry-run
expect_status 0 "--version as the dataset version"
expect_out_contains "would evict 2 entries (100 B, reason task); 0 B referenced" \
	"--version takes the dataset version too"

# --- by task, every version ----------------------------------------------
"$CACHET" cache put "${TASK_T2[@]}" --outputs out3.json >/dev/null
run cache evict --task flyte_task-t
expect_status 0 "evict --task"
expect_out_contains "evicted 3 entries (100 B, reason task); 0 B referenced by the entries left" \
	"evict --task removes every version"
run cache ls
expect_out "TASK  VERSION  TAG  CREATED  LAST HIT  HITS  SIZE" "nothing left"

# --- by age -------------------------------------------------------------
# The first entry is made two hours old behind cachet's back, so that
# the test does not depend on how long a put takes on a loaded machine.
"$CACHET" cache put "${TASK[@]}" --outputs a.json >/dev/null
sqlite3 "$HOME_DIR/catalog.db" "UPDATE artifacts SET created_at = created_at - 7200000"
"$CACHET" cache put "${TASK_U[@]}" --outputs b.json >/dev/null
run cache evict --older-than 1h
expect_status 0 "evict --older-than"
expect_out "$head
$(row P/D/t 1.0.0-GKw-c0Pw-GKw-c0Pw "$EMPTY" "100 B")
evicted 1 entry (100 B, reason age); 200 B referenced by the entries left" \
	"only the entry older than 1h goes"
run cache evict --unused-for 1h
expect_out "evicted 0 entries (0 B, reason age); 200 B referenced by the entries left" \
	"--unused-for 1h: the new entry was just made"

# --- by size: least recently used first ---------------------------------
"$CACHET" cache evict --all >/dev/null
"$CACHET" cache put "${TASK[@]}" --outputs a.json >/dev/null                   # 100 B
sleep 0.05
"$CACHET" cache put "${TASK[@]}" --inputs "$in12" --outputs b.json >/dev/null  # 200 B
sleep 0.05
"$CACHET" cache put "${TASK_U[@]}" --outputs c.json >/dev/null                 # 300 B
sleep 0.05
"$CACHET" cache get "${TASK[@]}" >/dev/null # a: used last now
run cache evict --max-size 1K --all
expect_out "evicted 0 entries (0 B, reason size); 600 B referenced by the entries left" \
	"600 B is under 1K"
run cache evict --max-size 2GiB --all --dry-run
expect_out "would evict 0 entries (0 B, reason size); 600 B referenced by the entries that would be left" \
	"--max-size 2GiB"
run cache evict --max-size 599B --all --dry-run
expect_out_contains "would evict 1 entry (200 B, reason size); 400 B referenced by the entries that would be left" \
	"--max-size 599B: the least recently used entry would go"
run cache evict --max-size 300 --all --json
expect_status 0 "evict --max-size"
expect_out_re "\\{\"dry_run\":false,\"reason\":\"size\",\"evicted\":\\[\\{[^]]*\"tag\":\"$GQ\"[^]]*\"size_bytes\":200,[^]]*\\},\\{[^]]*\"task\":\"u\"[^]]*\"size_bytes\":300,[^]]*\\}\\],\"bytes\":500,\"bytes_remaining\":100\\}" \
	"the least recently used go first, until 300 B or less remain"
run cache get "${TASK[@]}"
expect_status 0 "the recently hit entry stays"

# --- by size within a cache version, across its dataset versions ---------
# Cache version 1.0.0 under two interfaces (two dataset versions) and 2.0:
# --version 1.0.0 --max-size takes the least recently used of all the
# 1.0.0 entries, whichever dataset version they are in, in one go.
"$CACHET" cache evict --all >/dev/null
printf '%s\n' '{"inputs":{"variables":{"x":{"type":{"simple":"INTEGER"}}}},"outputs":{"variables":{"o":{"type":{"blob":{}}}}}}' >iface-x.json
V100X=$(dataset_version "${TASK[@]}" --interface iface-x.json)
"$CACHET" cache put "${TASK[@]}" --outputs a.json >/dev/null                             # 100 B, V100
sleep 0.05
"$CACHET" cache put "${TASK_T2[@]}" --outputs c.json >/dev/null                          # 300 B, 2.0
sleep 0.05
"$CACHET" cache put "${TASK[@]}" --inputs "$in12" --outputs c.json >/dev/null            # 300 B, V100
sleep 0.05
"$CACHET" cache put "${TASK[@]}" --interface iface-x.json --outputs b.json >/dev/null    # 200 B, V100X
sleep 0.05
"$CACHET" cache get "${TASK[@]}" >/dev/null # a: used last now
# 900 B referenced. Of the 1.0.0 entries the least recently used is the
# {1, 2} entry of V100, then V100X's, then a (2.0's, older, is not
# selected). At most 700 B: the {1, 2} entry goes, not V100X's (which a
# version-by-version eviction would take first: its version sorts first).
run cache evict --task t --version 1.0.0 --max-size 700 --dry-run
expect_status 0 "evict --version CACHE-VERSION --max-size --dry-run"
expect_out "$head
$(row P/D/t "$V100" "$GQ" "300 B")
would evict 1 entry (300 B, reason size); 600 B referenced by the entries that would be left" \
	"least recently used first across the cache version's dataset versions"
run cache evict --task t --version 1.0.0 --max-size 400 --json
expect_status 0 "evict --version CACHE-VERSION --max-size"
expect_out_re "\\{\"dry_run\":false,\"reason\":\"size\",\"evicted\":\\[\\{[^]]*\"version\":\"$V100\",[^]]*\"tag\":\"$GQ\"[^]]*\\},\\{[^]]*\"version\":\"$V100X\"[^]]*\\}\\],\"bytes\":500,\"bytes_remaining\":400\\}" \
	"evict --version 1.0.0 --max-size 400: oldest use first, either version"
run cache get "${TASK[@]}"
expect_status 0 "the recently used 1.0.0 entry stays"
run cache get "${TASK_T2[@]}"
expect_status 0 "the 2.0 entry stays, though used before"

# A cache version that looks like a dataset version ("<x>-<8>-<8>") is
# still a cache version when the task has no such dataset version.
TASK_R=(--project P --domain D --name t --cache-version r-20240501-0a1b2c3d)
"$CACHET" cache put "${TASK_R[@]}" --outputs out3.json >/dev/null
run cache evict --task t --version r-20240501-0a1b2c3d
expect_status 0 "evict --version of a cache version shaped like a dataset version"
expect_out "$(printf '%-5s  %-37s  %-56s  %4s\n' TASK VERSION TAG SIZE \
	P/D/t "$(dataset_version "${TASK_R[@]}")" "$EMPTY" "0 B")
evicted 1 entry (0 B, reason task); 400 B referenced by the entries left" \
	"a cache version shaped like a dataset version"

# --- bad values -----------------------------------------------------------
run cache evict --max-size 12X
expect_status 2 "a bad size"
expect_err "cachet: cache evict: --max-size must be a size such as 500M, 2G or 1048576, not '12X'" \
	"bad --max-size"
run cache evict --older-than 3 days
expect_status 2 "a bad duration"
expect_err_contains "cachet: cache evict: unexpected argument 'days'" "--older-than 3 days"
run cache evict --older-than 1y
expect_status 2 "an unknown unit"
expect_err "cachet: cache evict: --older-than must be a duration such as 90s, 12h or 7d, not '1y'" \
	"bad --older-than"
run cache evict --version 1.0
expect_status 2 "--version without --task"
expect_err "cachet: cache evict: --version needs --task" "--version alone"
run cache evict --grace 1h --all
expect_status 2 "--grace is gc's"
expect_err_contains "cachet: cache evict: unknown or incomplete option '--grace'" "evict --grace"

finish
