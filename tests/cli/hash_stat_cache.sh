# cachet hash and its stat cache: where it lives, --no-stat-cache, a
# corrupt database rebuilt with a warning, a home it cannot use.
. "$(dirname "$0")/lib/assert.sh"
unset CACHET_HOME XDG_CACHE_HOME

printf 'abc' >abc.txt
mkdir -p tree/sub && printf 'x' >tree/x && printf 'y' >tree/sub/y
abc=sha256:$(sha256sum <abc.txt | cut -c1-64)

run hash --home h1 abc.txt tree
expect_status 0 "first run"
first=$out
[ -f h1/state/stat-cache.db ] || fail "--home DIR holds state/stat-cache.db"
passed=$((passed + 1))
[ "$(stat -c %a h1/state)" = 700 ] || fail "the state directory is private"
passed=$((passed + 1))
run hash --home h1 abc.txt tree
expect_out "$first" "second run, through the stat cache: the same"
expect_err "" "no chatter"

CACHET_HOME=$PWD/h2 run hash abc.txt
expect_out "$abc  abc.txt" "\$CACHET_HOME"
[ -f h2/state/stat-cache.db ] || fail "\$CACHET_HOME holds the stat cache"
passed=$((passed + 1))

HOME=$PWD/fakehome XDG_CACHE_HOME=$PWD/xdg run hash abc.txt
[ -f xdg/cachet/state/stat-cache.db ] || fail "\$XDG_CACHE_HOME/cachet"
passed=$((passed + 1))
HOME=$PWD/fakehome run hash abc.txt
[ -f fakehome/.cache/cachet/state/stat-cache.db ] || fail "\$HOME/.cache/cachet"
passed=$((passed + 1))

run hash --home h3 --no-stat-cache abc.txt
expect_out "$abc  abc.txt" "--no-stat-cache"
[ ! -e h3 ] || fail "--no-stat-cache creates nothing"
passed=$((passed + 1))

# a corrupt database: moved aside, rebuilt, with a warning
db=$PWD/h1/state/stat-cache.db
head -c 4096 /dev/urandom >"$db"
rm -f "$db-wal" "$db-shm"
run hash --home h1 abc.txt
expect_status 0 "corrupt stat cache"
expect_out "$abc  abc.txt" "hashes are right"
expect_err "cachet: warning: stat cache '$db' is not a usable database (file is not a database); moved it to '$db.corrupt' and started a new one" "warned"
[ -f "$db.corrupt" ] || fail "the corrupt file is kept aside"
passed=$((passed + 1))
run hash --home h1 abc.txt
expect_err "" "the new one works"

# a home that cannot be used: hashing goes on without the stat cache
: >notadir
run hash --home notadir abc.txt
expect_status 0 "unusable home"
expect_out "$abc  abc.txt" "still hashed"
expect_err "cachet: warning: cannot create directory '$PWD/notadir/state': Not a directory; hashing without the stat cache" "warned"

finish
