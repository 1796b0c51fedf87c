# cachet offload and the stat cache in the home: what an offload hashes is
# recorded (per file, also inside a directory, the digests sha256sum
# prints), a file the stat cache knows takes its digest from it (shown by
# an entry changed behind cachet's back), a changed file is hashed again,
# --no-stat-cache, and a stat cache that cannot be used.
. "$(dirname "$0")/lib/assert.sh"
unset CACHET_HOME XDG_CACHE_HOME
export HOME=$PWD/userhome

sha() { sha256sum <"$1" | cut -c1-64; }
hash_of() { sed -n 's/^ *"hash": "\(.*\)"$/\1/p' <<<"$out"; }
uri_of() { sed -n 's/^ *"uri": "\(.*\)",\{0,1\}$/\1/p' <<<"$out"; }
# The digest the stat cache in home $1 holds for file $2 (keyed by its
# real path, a BLOB), in lowercase hex; empty when there is none.
recorded() {
	sqlite3 "$1/state/stat-cache.db" \
		"SELECT lower(hex(digest)) FROM files WHERE path = CAST('$(realpath "$2")' AS BLOB)
		 AND algorithm = 'sha256'"
}

printf 'abc' >data.csv
mkdir -p tree/sub
printf 'alpha\n' >tree/a.txt
printf 'beta\n' >tree/sub/b.txt
# long unchanged: entries recorded now are not racy (docs/hashing.md)
touch -d '1 hour ago' data.csv tree/a.txt tree/sub/b.txt

# ---- the first offload records what it hashed ----
run offload --home h data.csv
expect_status 0 "offload a file"
expect_err "" "nothing on stderr"
[ "$(hash_of)" = "sha256:$(sha data.csv)" ] || fail "the file's sha256sum: $(hash_of)"
passed=$((passed + 1))
[ -f h/state/stat-cache.db ] || fail "the stat cache is in the home"
passed=$((passed + 1))
[ "$(recorded h data.csv)" = "$(sha data.csv)" ] || fail "recorded: '$(recorded h data.csv)'"
passed=$((passed + 1))
run offload --home h tree
expect_status 0 "offload a directory"
for f in tree/a.txt tree/sub/b.txt; do
	[ "$(recorded h $f)" = "$(sha $f)" ] || fail "recorded for $f: '$(recorded h $f)'"
	passed=$((passed + 1))
done
dir_hash=$(hash_of)
run hash --home h --json tree
expect_out "[{\"path\":\"tree\",\"hash\":\"$dir_hash\"}]" "cachet hash agrees"

# ---- a file the stat cache knows: its digest comes from there ----
# An entry changed behind cachet's back shows in the hash: the file was
# not hashed again (this is why the stat cache must be the user's own).
abd=$(printf 'abd' | sha256sum | cut -c1-64)
sqlite3 h/state/stat-cache.db "UPDATE files SET digest = X'$abd'
	WHERE path = CAST('$(realpath data.csv)' AS BLOB)"
run offload --home h data.csv
expect_status 0 "offload a known file"
[ "$(hash_of)" = "sha256:$abd" ] || fail "the digest is the stat cache's: $(hash_of)"
passed=$((passed + 1))
cmp data.csv "$(uri_of | sed 's|^file://||')" || fail "the bytes are the file's"
passed=$((passed + 1))
# --no-stat-cache: the bytes speak, and nothing is recorded or created
run offload --home h --no-stat-cache data.csv
[ "$(hash_of)" = "sha256:$(sha data.csv)" ] || fail "--no-stat-cache hashes: $(hash_of)"
passed=$((passed + 1))
[ "$(recorded h data.csv)" = "$abd" ] || fail "--no-stat-cache records nothing"
passed=$((passed + 1))
run offload --home h2 --no-stat-cache data.csv
expect_status 0 "--no-stat-cache in a new home"
[ ! -e h2/state/stat-cache.db ] || fail "--no-stat-cache creates no stat cache"
passed=$((passed + 1))

# ---- a changed file is hashed again, and recorded anew ----
printf 'xyz' >data.csv
touch -d '1 hour ago' data.csv
run offload --home h data.csv
[ "$(hash_of)" = "sha256:$(sha data.csv)" ] || fail "changed file: $(hash_of)"
passed=$((passed + 1))
[ "$(recorded h data.csv)" = "$(sha data.csv)" ] || fail "the new digest is recorded"
passed=$((passed + 1))
printf 'BETA\n' >tree/sub/b.txt
run offload --home h tree
[ "$(hash_of)" != "$dir_hash" ] || fail "a changed file inside a directory changes its hash"
passed=$((passed + 1))
new_dir_hash=$(hash_of)
run hash --home h --no-stat-cache tree
expect_out "$new_dir_hash  tree" "the directory's hash, read afresh"

# ---- a stat cache that cannot be used ----
db=$PWD/h/state/stat-cache.db
head -c 4096 /dev/urandom >"$db"
rm -f "$db-wal" "$db-shm"
run offload --home h data.csv
expect_status 0 "corrupt stat cache"
[ "$(hash_of)" = "sha256:$(sha data.csv)" ] || fail "hashed all the same"
passed=$((passed + 1))
expect_err "cachet: warning: stat cache '$db' is not a usable database (file is not a database); moved it to '$db.corrupt' and started a new one" "rebuilt, with a warning"
[ "$(recorded h data.csv)" = "$(sha data.csv)" ] || fail "the new stat cache is used"
passed=$((passed + 1))

rm -f "$db" "$db-wal" "$db-shm"
sqlite3 "$db" "CREATE TABLE schema_version(version INTEGER NOT NULL);
	INSERT INTO schema_version VALUES (99);"
run offload --home h data.csv
expect_status 0 "stat cache of a newer cachet"
[ "$(hash_of)" = "sha256:$(sha data.csv)" ] || fail "offloaded without it"
passed=$((passed + 1))
expect_err "cachet: warning: stat cache '$db' was written by a newer cachet (schema version 99; this one knows 1); offloading without the stat cache" "warned, left alone"

finish
