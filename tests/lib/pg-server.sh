#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for tests.
#
# Sourced (by CLI tests):
#   . tests/lib/pg-server.sh
#   pg_server_start          # or fail, saying why; sets PG_DIR, PG_URL, PGHOST...
#   trap pg_server_stop EXIT # stopped even when the test fails
#   pg_server_restart        # drops every connection
#   pg_server_stop
# Run (by ctest, for the unit tests):
#   pg-server.sh run COMMAND [ARG...]
#   starts a server, exports CACHET_TEST_PG (its conninfo), runs COMMAND,
#   stops the server, exits with COMMAND's status.
#
# The server lives in a fresh directory under /tmp (outside the clone,
# which the postgres user may not enter), listens on a Unix socket there
# only, with fsync off. initdb and pg_ctl refuse to run as root: as root
# they run as the postgres user.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

_pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_server_fail() {
	echo "pg-server: $*" >&2
	if [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/log" ]; then
		echo "pg-server: the server's log:" >&2
		tail -n 20 "$PG_DIR/log" >&2
	fi
	exit 1
}

pg_server_start() {
	[ -x "$PG_BIN/initdb" ] || pg_server_fail "no $PG_BIN/initdb: install the postgresql package (scripts/install-deps.sh)"
	if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
		pg_server_fail "running as root and there is no postgres user to run the server as"
	fi
	PG_DIR=$(mktemp -d /tmp/cachet-pg.XXXXXX) || pg_server_fail "cannot make a temporary directory"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$PG_DIR" || pg_server_fail "cannot give $PG_DIR to postgres"
	fi
	_pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 \
		--no-sync >"$PG_DIR/initdb.log" 2>&1 ||
		pg_server_fail "initdb failed: $(tail -n 5 "$PG_DIR/initdb.log")"
	PG_PORT=$((20000 + RANDOM % 20000))
	pg_server_up
	export PGHOST=$PG_DIR PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=postgres
	PG_URL="host=$PG_DIR port=$PG_PORT user=postgres dbname=postgres"
	export PG_DIR PG_PORT PG_URL
}

# Start the server of $PG_DIR (again).
pg_server_up() {
	_pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' -p $PG_PORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
		start >/dev/null 2>&1 || pg_server_fail "pg_ctl start failed"
}

pg_server_down() {
	_pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
}

pg_server_restart() {
	pg_server_down || pg_server_fail "pg_ctl stop failed"
	pg_server_up
}

pg_server_stop() {
	if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
		pg_server_down || true # stopped already, maybe by the test
		rm -rf -- "$PG_DIR"
	fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	[ "${1:-}" = run ] && [ $# -ge 2 ] || { echo "usage: pg-server.sh run COMMAND [ARG...]" >&2; exit 2; }
	shift
	trap pg_server_stop EXIT
	pg_server_start
	export CACHET_TEST_PG=$PG_URL
	"$@"
	exit $?
fi
