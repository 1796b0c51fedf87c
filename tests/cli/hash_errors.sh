# cachet hash: every refusal is one line naming the path; the other paths
# are still hashed, and the exit status is 2.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/unprivileged.sh"
export CACHET_HOME=$PWD/home

printf 'abc' >abc.txt
abc=sha256:$(sha256sum <abc.txt | cut -c1-64)

run hash nope abc.txt
expect_status 2 "a missing path"
expect_out "$abc  abc.txt" "the other path is still hashed"
expect_err "cachet: cannot hash 'nope': No such file or directory" "missing path message"

# a FIFO is refused at once, never opened (timeout: a hang fails the test)
mkfifo fifo
status=0
timeout 20 "$CACHET" hash fifo >out.txt 2>err.txt || status=$?
err=$(cat err.txt)
expect_status 2 "a FIFO"
expect_err "cachet: cannot hash 'fifo': it is a FIFO, not a regular file or directory" "FIFO"

run hash /dev/null
expect_status 2 "a device"
expect_err "cachet: cannot hash '/dev/null': it is a character device, not a regular file or directory" "device"

mkdir -p withfifo && mkfifo withfifo/p && : >withfifo/a
run hash withfifo
expect_status 2 "FIFO inside"
expect_err "cachet: cannot hash 'withfifo/p': it is a FIFO, not a regular file" "FIFO inside"

mkdir esc && ln -s ../abc.txt esc/out
run hash esc
expect_status 2 "symlink out"
expect_err "cachet: cannot hash 'esc/out': symlink leads out of 'esc' (to '$(cd . && pwd -P)/abc.txt')" "symlink out"

mkdir loop && ln -s b loop/a && ln -s a loop/b
run hash loop
expect_status 2 "symlink loop"
expect_err "cachet: cannot hash 'loop/a': symlink loop" "symlink loop"

mkdir -p up/sub && ln -s .. up/sub/parent
run hash up
expect_err "cachet: cannot hash 'up/sub/parent': symlink loop (it leads back to a directory above it)" "link to a parent"

mkdir names && : >"names/caf$(printf '\351').txt"
run hash names
expect_status 2 "latin-1 name"
expect_err "cachet: cannot hash 'names/caf\\xe9.txt': the file name is not UTF-8" "non-UTF-8 name"

# permission: root reads everything, so this runs as nobody
if unprivileged_setup "unreadable file"; then
	cp abc.txt "$unpriv_work/abc.txt"
	printf 'secret' >"$unpriv_work/locked"
	chmod 000 "$unpriv_work/locked"
	run_unprivileged hash --no-stat-cache locked abc.txt
	expect_status 2 "unreadable file"
	expect_out "$abc  abc.txt" "the readable one is hashed"
	expect_err "cachet: cannot open 'locked': Permission denied" "permission denied"
	unprivileged_cleanup
fi

run hash --digest md5 abc.txt
expect_status 2 "bad digest"
expect_err_contains "cachet: hash: --digest must be sha256 or xxh128, not 'md5'" "bad digest"
run hash -j many abc.txt
expect_status 2 "bad -j"
expect_err_contains "cachet: hash: -j must be a number from 1 to 1024, not 'many'" "bad -j"
run hash
expect_status 2 "no path"
expect_err_contains "cachet: hash: no PATH given" "no path"
run hash --frobnicate abc.txt
expect_status 2 "unknown option"
expect_err_contains "cachet: hash: unknown or incomplete option '--frobnicate'" "unknown option"

finish
