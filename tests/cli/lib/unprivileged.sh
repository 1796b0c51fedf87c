# Running cachet as an unprivileged user, for the CLI tests of permission
# errors; sourced after lib/assert.sh.
#
# File modes do not bind root, so as root these runs go as nobody (uid and
# gid 65534, through setpriv). That user may be unable to reach the test's
# directory or the binary under test: the checkout and the build can be
# under a private directory (/root is mode 0700). So the runs happen in a
# fresh directory that nobody can reach, with a copy of the binary:
#
#	if unprivileged_setup "unreadable file"; then
#		printf 'secret\n' >"$unpriv_work/secret.csv"   # prepare, as yourself
#		run_unprivileged hash secret.csv                # like run, in $unpriv_work
#		expect_status 2 ...
#		unprivileged_cleanup
#	fi
#
# As anyone but root, the same runs go as that user, in the same layout.

NOBODY=65534

# unprivileged_setup WHAT: make $unpriv_work, a fresh directory where
# run_unprivileged works, removed by unprivileged_cleanup (or, should the
# test fail first, when it exits). When that is impossible, print
# "SKIP: WHAT: <why>" on stderr and return 1.
unprivileged_setup() {
	local what=$1 base top
	if [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null; then
		echo "SKIP: $what: running as root without setpriv to become nobody" >&2
		return 1
	fi
	if ! as_unprivileged true 2>/dev/null; then
		echo "SKIP: $what: root cannot become nobody here (no CAP_SETUID?)" >&2
		return 1
	fi
	for base in ${TMPDIR:+"$TMPDIR"} /tmp /var/tmp; do
		[ -d "$base" ] || continue
		top=$(mktemp -d "$base/cachet-test-XXXXXX") || continue
		chmod 0755 "$top"
		mkdir "$top/bin" "$top/work"
		cp "$CACHET" "$top/bin/cachet"
		chmod 0755 "$top/bin/cachet"
		if [ "$(id -u)" = 0 ]; then
			chown "$NOBODY:$NOBODY" "$top/work"
		fi
		if as_unprivileged test -x "$top/bin/cachet" && as_unprivileged test -w "$top/work"; then
			unpriv_top=$top
			unpriv_work=$top/work
			trap 'rm -rf -- "$unpriv_top"' EXIT
			return 0
		fi
		rm -rf -- "$top"
	done
	echo "SKIP: $what: no temporary directory nobody can reach (\$TMPDIR, /tmp, /var/tmp)" >&2
	return 1
}

# as_unprivileged COMMAND...: run COMMAND as nobody when root, else as is.
as_unprivileged() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid="$NOBODY" --regid="$NOBODY" --clear-groups -- "$@"
	else
		"$@"
	fi
}

# run_unprivileged ARGS...: like run, with the copy of cachet, unprivileged,
# in $unpriv_work.
run_unprivileged() {
	capture in_unprivileged_work "$unpriv_top/bin/cachet" "$@"
}

# in_unprivileged_work COMMAND...: as_unprivileged, in $unpriv_work.
in_unprivileged_work() {
	(cd "$unpriv_work" && as_unprivileged "$@")
}

# unprivileged_cleanup: remove what unprivileged_setup made.
unprivileged_cleanup() {
	rm -rf -- "$unpriv_top"
	trap - EXIT
	unset unpriv_top unpriv_work
}
