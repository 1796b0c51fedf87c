# cachet cache / metrics: bad options, missing or malformed files, a home
# that cannot be made, and a corrupt catalog.db: one clear line on stderr,
# exit 2, nothing on stdout, and the catalog file left as it was.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/cache.sh"

in12=$FIXTURES/inputs-1-2.json

# bad STDERR-TEXT ARGS...: exit 2, nothing on stdout, one line on stderr
# (and maybe the usage after it) that contains STDERR-TEXT.
bad() {
	local text=$1
	shift
	run "$@"
	expect_status 2 "$*"
	expect_out "" "$*: stdout"
	case "$err" in "cachet: "*) ;; *) fail "$*: stderr does not start with 'cachet: ': $err" ;; esac
	expect_err_contains "$text" "$*"
}

# --- the command and its subcommands ---------------------------------------
run cache
expect_status 2 "cache without a subcommand"
expect_err_contains "usage: cachet cache <subcommand>" "cache alone prints the usage"
run cache --help
expect_status 0 "cache --help"
expect_out_contains "usage: cachet cache <subcommand>" "cache --help"
bad "cachet: cache: 'frob' is not a subcommand; see 'cachet cache --help'" cache frob
for sub in get put explain ls show evict gc stats; do
	run cache "$sub" --help
	expect_status 0 "cache $sub --help"
	expect_out_contains "usage: cachet cache $sub" "cache $sub --help"
done
run metrics --help
expect_status 0 "metrics --help"

# --- options --------------------------------------------------------------
bad "cachet: cache get: --project is required" cache get --domain D --name t --cache-version 1
bad "cachet: cache put: --name is required" cache put --project P --domain D --cache-version 1 --outputs out3.json
bad "cachet: cache get: unknown or incomplete option '--frobnicate'" cache get "${TASK[@]}" --frobnicate
bad "cachet: cache get: unknown or incomplete option '--outputs'" cache get "${TASK[@]}" --outputs out3.json
bad "cachet: cache put: unknown or incomplete option '--max-age'" cache put "${TASK[@]}" --outputs out3.json --max-age 1h
bad "cachet: cache get: unknown or incomplete option '--inputs'" cache get "${TASK[@]}" --inputs
bad "cachet: cache get: unexpected argument 'extra'" cache get "${TASK[@]}" extra
bad "cachet: cache put: --outputs is required" cache put "${TASK[@]}"
bad "cachet: cache get: --format must be json or pb, not 'yaml'" cache get "${TASK[@]}" --format yaml
bad "cachet: cache get: --to must be json or pb, not 'xml'" cache get "${TASK[@]}" --to xml
bad "cachet: cache get: --json prints JSON; write protobuf outputs with -o FILE" cache get "${TASK[@]}" --to pb --json
bad "cachet: cache get: --max-age must be a duration such as 90s, 12h or 7d, not '-5s'" cache get "${TASK[@]}" --max-age -5s
bad "cachet: cache get: --max-age must be a duration such as 90s, 12h or 7d, not '1h30'" cache get "${TASK[@]}" --max-age 1h30
bad "cachet: cache put: --inputs and --outputs cannot both read stdin" cache put "${TASK[@]}" --inputs - --outputs -
bad "cachet: cache get: --interface and --inputs cannot both read stdin" cache get "${TASK[@]}" --interface - --inputs -
bad "cachet: metrics: unknown or incomplete option '--task'" metrics --task t
bad "cachet: task cannot have an empty cache version" cache get --project P --domain D --name t --cache-version " "
[ ! -e "$HOME_DIR" ] || fail "bad options created the home"
passed=$((passed + 1))

# --- files ----------------------------------------------------------------
bad "cachet: cannot open 'nope.json': No such file or directory" cache put "${TASK[@]}" --outputs nope.json
bad "cachet: cannot open 'nope.json': No such file or directory" cache get "${TASK[@]}" --inputs nope.json
bad "cachet: cannot open 'nope.json': No such file or directory" cache explain "${TASK[@]}" --interface nope.json
printf '{"literals":{"a":{"scalar":{"primitive":{"integer":"abc"}}}}}' >bad.json
bad "cachet: bad.json: literals.a.scalar.primitive: \"integer\" must be an int64, got \"abc\"" cache put "${TASK[@]}" --outputs bad.json
bad "cachet: bad.json: literals.a.scalar.primitive" cache get "${TASK[@]}" --inputs bad.json
[ ! -e "$HOME_DIR" ] || fail "bad files created the home"
passed=$((passed + 1))
bad "cachet: cannot create '" metrics -o no/such/dir/metrics.prom
expect_err_contains "No such file or directory" "metrics -o into a missing directory"

# Protobuf is not written to a terminal (script gives one).
if command -v script >/dev/null; then
	status=0
	script -qec "'$CACHET' cache get ${TASK[*]} --to pb" /dev/null >tty.txt || status=$?
	grep -q "cachet: cache get: refusing to write protobuf bytes to a terminal; use -o FILE or a pipe" tty.txt ||
		fail "get --to pb on a terminal: $(cat tty.txt)"
	passed=$((passed + 1))
fi

# --- a home that cannot be found or made ----------------------------------------
run_nohome() { # no --home, no $CACHET_HOME, $HOME or $XDG_CACHE_HOME
	local o e
	o=$(mktemp) e=$(mktemp)
	status=0
	env -u CACHET_HOME -u HOME -u XDG_CACHE_HOME "$CACHET" "$@" >"$o" 2>"$e" || status=$?
	out=$(cat "$o") err=$(cat "$e")
	rm -f "$o" "$e"
}
run_nohome cache ls
expect_status 2 "no home to be found"
expect_err_contains "cachet: cannot find the cachet home" "no home to be found"

touch plainfile
bad "cachet: cannot create directory '$(pwd -P)/plainfile': File exists" \
	cache get "${TASK[@]}" --home plainfile/home

# A hit whose -o FILE cannot be written: an error, not a hit.
mkdir -p ok-home
"$CACHET" cache put "${TASK[@]}" --home ok-home --outputs out3.json >/dev/null
bad "cachet: cannot create 'no/such/dir/out.json.tmp." cache get "${TASK[@]}" --home ok-home -o no/such/dir/out.json

# --- a corrupt catalog.db ---------------------------------------------------
mkdir -p "$HOME_DIR"
head -c 8192 /dev/urandom >"$HOME_DIR/catalog.db"
before=$(sha256sum <"$HOME_DIR/catalog.db")
for cmd in "cache get ${TASK[*]}" "cache put ${TASK[*]} --outputs out3.json" \
	"cache explain ${TASK[*]}" "cache ls" "cache show $GQ" "cache evict --all" \
	"cache gc" "cache stats" "metrics"; do
	# shellcheck disable=SC2086
	bad "catalog '$HOME_DIR/catalog.db'" $cmd
	[ "$(sha256sum <"$HOME_DIR/catalog.db")" = "$before" ] || fail "$cmd changed the corrupt catalog"
	passed=$((passed + 1))
done
[ "$(ls "$HOME_DIR" | grep -c catalog)" -eq 1 ] || fail "files next to the corrupt catalog: $(ls "$HOME_DIR")"
passed=$((passed + 1))

# A text file is not a catalog either.
printf 'hello, I am not a database\n' >"$HOME_DIR/catalog.db"
bad "catalog '$HOME_DIR/catalog.db'" cache ls
[ "$(cat "$HOME_DIR/catalog.db")" = "hello, I am not a database" ] || fail "the text file changed"
passed=$((passed + 1))

finish
