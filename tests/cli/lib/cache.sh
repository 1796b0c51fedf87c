# Shared by tests/cli/cache*.sh and metrics.sh: a fresh cachet home in the
# scratch directory, and a task to cache. Sourced after lib/assert.sh.

# The real path: the store's URIs are file:// + the store's real path.
HOME_DIR=$(pwd -P)/home
export CACHET_HOME=$HOME_DIR
STORE=$HOME_DIR/store

# Flyte's own key vectors (docs/flyte.md), as tests/cli/key.sh
# checks them: task t at cache version 1.0.0, no interface.
TASK=(--project P --domain D --name t --cache-version 1.0.0)
V100=1.0.0-GKw-c0Pw-GKw-c0Pw
GQ=flyte_cached-GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8 # inputs {1: 1, 2: 2}
EMPTY=flyte_cached-GKw-c0PwFokMUQ6T-TUmEWnZ4_VlQ2Qpgw-vCTT0-OQ # no inputs

# Outputs in the form `literal convert --to json` writes (compact,
# camelCase, fields in number order), so that what `cache get` prints can
# be compared byte for byte.
printf '%s\n' '{"literals":{"o0":{"scalar":{"primitive":{"integer":"3"}}}}}' >out3.json
printf '%s\n' '{"literals":{"o0":{"scalar":{"primitive":{"integer":"4"}}}}}' >out4.json

# An ISO 8601 UTC time as the tables print them.
TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

# expect_out_re REGEX WHAT: stdout matches the extended regular expression
# (anchored: the whole of stdout, one line or many).
expect_out_re() {
	if ! printf '%s' "$out" | grep -Ezq "^$1\$"; then
		fail "$2: stdout was
$out
expected to match
$1"
	fi
	passed=$((passed + 1))
}

# expect_out_contains TEXT WHAT
expect_out_contains() {
	case "$out" in
	*"$1"*) passed=$((passed + 1)) ;;
	*) fail "$2: stdout does not contain '$1':
$out" ;;
	esac
}

# expect_out_lacks TEXT WHAT
expect_out_lacks() {
	case "$out" in
	*"$1"*) fail "$2: stdout contains '$1':
$out" ;;
	*) passed=$((passed + 1)) ;;
	esac
}

# Times replaced by a placeholder of the same width, so that tables can be
# compared whole.
masked() {
	printf '%s' "$out" | sed -E "s/$TIME_RE/YYYY-MM-DDTHH:MM:SSZ/g"
}

# objecthash (docs/flyte.md), H(t, b) = sha256(t || b), with
# openssl as the calculator; the hashes pass through pipes as bytes.
oh_str() { printf 'u%s' "$1" | openssl dgst -sha256 -binary; }
# A one-entry object {KEY: value}, the value's hash on stdin.
oh_obj1() { { oh_str "$1"; cat; } | { printf d; cat; } | openssl dgst -sha256 -binary; }
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
# An integer input's component hash, b64url(pbhash(Literal)), whose JSON is
# {"scalar":{"primitive":{"integer":"N"}}} (int64 is a string in JSON).
int_hash() { oh_str "$1" | oh_obj1 integer | oh_obj1 primitive | oh_obj1 scalar | b64url; }

# The dataset version that `cachet key` computes for KEY-OPTIONS.
dataset_version() { "$CACHET" key "$@" | sed -n 's|^dataset .*/||p'; }

# catalog_sql SQL: run SQL on the home's catalog with the sqlite3 shell
# (scripts/install-deps.sh installs it), behind cachet's back, to make
# entries that cachet no longer writes itself: outputs that do not fit
# their interface (as an older cachet or another writer could have
# stored), or no input hashes recorded.
catalog_sql() { sqlite3 "$HOME_DIR/catalog.db" "$1"; }

# move_dataset FROM TO: give the dataset version FROM (and its entries)
# the version TO.
move_dataset() {
	catalog_sql "UPDATE datasets SET version = '$2' WHERE version = '$1'"
}
