# The home as a user meets its checks (docs/security.md): a home others may
# write is refused with the fix, and the fix works; a catalog others may
# write is refused and kept; a stat cache others may write is not used (a
# warning, the hash still right); a home of another user is refused; the
# user's own symbolic link as the home works; and under umask 022 every
# file cachet makes in the home is 0600 and every directory 0700.
. "$(dirname "$0")/lib/assert.sh"
unset CACHET_HOME XDG_CACHE_HOME

expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
	passed=$((passed + 1))
}

printf 'id,b\n1,x\n' >data.csv
data=sha256:$(sha256sum <data.csv | cut -c1-64)
home=$PWD/home

# ---- a home others may write: refused, with the fix that works ----
mkdir -m 0777 "$home"
chmod 0777 "$home" # whatever the umask
run offload --home "$home" data.csv
expect_status 2 "a home others may write"
expect_err "cachet: cannot use cachet home '$home': it is writable by group and others (mode 0777); fix it with: chmod 700 '$home'" \
	"a home others may write"
[ ! -e "$home/store" ] || fail "nothing is made in a refused home"
passed=$((passed + 1))
fix=${err#*fix it with: }
eval "$fix"
run offload --home "$home" data.csv
expect_status 0 "the fix the message gives"
expect_eq "$(jq -r .hash <<<"$out")" "$data" "offloaded after the fix"

chmod 0770 "$home"
run run "$EXAMPLES/seed.yaml" -i a=3 -i b=x --home "$home"
expect_status 2 "a run in a home its group may write"
expect_err "cachet: cannot use cachet home '$home': it is writable by its group (mode 0770); fix it with: chmod 700 '$home'" \
	"a run in a home its group may write"
chmod 0700 "$home"

# ---- a catalog others may write: refused, and left as it is ----
run run "$EXAMPLES/seed.yaml" -i a=3 -i b=x --home "$home"
expect_status 0 "a run makes the catalog"
chmod 0660 "$home/catalog.db"
before=$(sha256sum <"$home/catalog.db")
run cache ls --home "$home"
expect_status 2 "a catalog its group may write"
expect_err "cachet: cannot use catalog '$home/catalog.db': it is writable by its group (mode 0660); fix it with: chmod 600 '$home/catalog.db'" \
	"a catalog its group may write"
run run "$EXAMPLES/seed.yaml" -i a=3 -i b=x --home "$home"
expect_status 2 "a run with a catalog its group may write"
expect_eq "$(sha256sum <"$home/catalog.db")" "$before" "the refused catalog is kept as it was"
expect_eq "$(stat -c %a "$home/catalog.db")" 660 "and its mode too"
chmod 0600 "$home/catalog.db"
run cache ls --home "$home"
expect_status 0 "the catalog after chmod 600"

# ---- a stat cache others may write: not used, and said so ----
chmod 0666 "$home/state/stat-cache.db"
run hash --home "$home" data.csv
expect_status 0 "hash with a stat cache others may write"
expect_out "$data  data.csv" "the hash is read from the file"
expect_err "cachet: warning: cannot use stat cache '$home/state/stat-cache.db': it is writable by group and others (mode 0666); fix it with: chmod 600 '$home/state/stat-cache.db'; hashing without the stat cache" \
	"the stat cache is not used"
chmod 0600 "$home/state/stat-cache.db"

# ---- another user's home, and the user's own link ----
if [ "$(id -u)" = 0 ]; then
	mkdir -m 0700 theirs
	chown 65534:65534 theirs
	run offload --home "$PWD/theirs" data.csv
	expect_status 2 "another user's home"
	expect_err "cachet: cannot use cachet home '$PWD/theirs': it is owned by uid 65534, not by you (uid 0); use one of your own, or if you trust it, make it yours with: chown -R 0 '$PWD/theirs'" \
		"another user's home"
	[ ! -e theirs/store ] || fail "nothing is made in another user's home"
	passed=$((passed + 1))
else
	echo "SKIP: another user's home: needs root to chown" >&2
fi
ln -s "$home" linked
run cache ls --home "$PWD/linked"
expect_status 0 "the user's own link to the home"

# ---- umask 022: what cachet makes is private ----
fresh=$PWD/fresh/home
(
	umask 022
	"$CACHET" run "$EXAMPLES/seed.yaml" -i a=3 -i b=x --home "$fresh" >/dev/null
	"$CACHET" hash --home "$fresh" data.csv >/dev/null
	"$CACHET" offload --home "$fresh" data.csv >/dev/null
	"$CACHET" store cleanup --home "$fresh" >/dev/null
)
# What the tasks write themselves (their outputs, their scratch) is theirs.
not_private=$(cd "$fresh" && find . \( -path './runs/*/nodes/*/out/*' -o \
	-path './runs/*/nodes/*/work/*' \) -prune -o \
	\( -type f ! -perm 0600 -printf '%m %p\n' \) -o \( -type d ! -perm 0700 -printf '%m %p\n' \))
expect_eq "$not_private" "" "every file 0600 and every directory 0700"
expect_eq "$(stat -c %a "$PWD/fresh")" 700 "a parent cachet made, 0700 too"
n=$(cd "$fresh" && find . -type f -name '*.db' | wc -l)
expect_eq "$n" 2 "the catalog and the stat cache were among them"
n=$(cd "$fresh" && find store -type f | wc -l)
[ "$n" -ge 2 ] || fail "store objects were among them (found $n)"
passed=$((passed + 1))

finish
