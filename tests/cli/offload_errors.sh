# cachet offload and cachet store: every error is one line naming the path
# or URI, exit status 2, and nothing is left visible in the store: no
# object, no temporary file.
. "$(dirname "$0")/lib/assert.sh"
. "$(dirname "$0")/lib/unprivileged.sh"
unset CACHET_HOME XDG_CACHE_HOME
export HOME=$PWD/userhome

mkdir -p home
store=$(realpath home)/store
mkdir -p "$store"
nothing_stored() {
	local left
	left=$(find "$store" -type f | head -n 3)
	[ -z "$left" ] || fail "$1: the store holds $left"
	passed=$((passed + 1))
}

printf 'x\n' >data.csv
mkdir -p tree
printf 'a\n' >tree/a

# ---- usage ----
run offload
expect_status 2 "no PATH"
expect_err_contains "cachet: offload: no PATH given" "no PATH"
run offload --home home data.csv tree
expect_status 2 "two PATHs"
expect_err_contains "cachet: offload: one PATH at a time, got also 'tree'" "two PATHs"
run offload --as bogus data.csv
expect_status 2 "--as bogus"
expect_err "cachet: offload: --as must be file, directory or dataset, not 'bogus'" "--as bogus"
run offload --digest md5 data.csv
expect_err "cachet: offload: --digest must be sha256 or xxh128, not 'md5'" "--digest md5"
run offload -j x data.csv
expect_err "cachet: offload: -j must be a number from 1 to 1024, not 'x'" "-j x"
run offload --frobnicate data.csv
expect_err_contains "cachet: offload: unknown or incomplete option '--frobnicate'" "unknown option"

# ---- the source ----
run offload --home home nope.csv
expect_status 2 "missing file"
expect_err "cachet: cannot offload 'nope.csv': No such file or directory" "missing file"
mkfifo fifo
run offload --home home fifo
expect_status 2 "a FIFO"
expect_err "cachet: cannot offload 'fifo': it is a FIFO, not a regular file or a directory" \
	"a FIFO is refused, without hanging"
run offload --home home /dev/null
expect_err "cachet: cannot offload '/dev/null': it is a character device, not a regular file or a directory" \
	"a device"
run offload --home home --as file tree
expect_err "cachet: cannot offload 'tree' as a file: it is a directory" "--as file on a directory"
run offload --home home --as directory data.csv
expect_err "cachet: cannot offload 'data.csv' as a directory: it is a regular file" \
	"--as directory on a file"
nothing_stored "bad sources"

# inside a directory: what `cachet hash` refuses
mkdir -p bad1 bad2
printf 'ok\n' >bad1/ok
ln -s /etc/hostname bad1/out
run offload --home home bad1
expect_status 2 "a symlink out of the directory"
expect_err "cachet: cannot hash 'bad1/out': symlink leads out of 'bad1' (to '/etc/hostname')" \
	"a symlink out of the directory"
printf 'ok\n' >bad2/ok
mkfifo bad2/pipe
run offload --home home bad2
expect_err "cachet: cannot hash 'bad2/pipe': it is a FIFO, not a regular file" "a FIFO inside"
nothing_stored "bad directories"

# unreadable: root reads anything, so this runs as nobody
if unprivileged_setup "unreadable file"; then
	printf 'secret\n' >"$unpriv_work/secret.csv"
	chmod 000 "$unpriv_work/secret.csv"
	run_unprivileged offload --home h secret.csv
	expect_status 2 "unreadable file"
	expect_err "cachet: cannot open 'secret.csv': Permission denied" "unreadable file"
	left=$(find "$unpriv_work/h/store" -type f)
	[ -z "$left" ] || fail "unreadable file: the store holds $left"
	passed=$((passed + 1))
	unprivileged_cleanup
fi

# ---- URIs that leave the store ----
run offload --home home --prefix file:///etc/ data.csv
expect_status 2 "--prefix outside the store"
expect_err "cachet: store URI 'file:///etc/' is outside the store 'file://$store'" \
	"--prefix outside the store"
run offload --home home --prefix "file://$store/a/../../escape/" data.csv
expect_err "cachet: store URI 'file://$store/a/../../escape/' has a '..' segment" \
	"--prefix with '..'"
run offload --home home --prefix "file://${store}x/" data.csv
expect_err "cachet: store URI 'file://${store}x/' is outside the store 'file://$store'" \
	"--prefix next to the store"
run offload --home home --prefix s3://bucket/p/ data.csv
expect_err "cachet: store URI 's3://bucket/p/' is outside the store 'file://$store'" \
	"--prefix in another store"
run store ls --home home "file://$store/../"
expect_err "cachet: store URI 'file://$store/../' has a '..' segment" "store ls with '..'"
[ ! -e escape ] && [ ! -e "$store/../escape" ] || fail "nothing written outside"
passed=$((passed + 1))
nothing_stored "URIs outside"

# ---- a full disk ----
head -c 3000000 /dev/urandom >big.bin
# RLIMIT_FSIZE (1 MiB) with SIGXFSZ ignored: writes past it fail with EFBIG
status=0
(
	ulimit -f 1024
	trap '' XFSZ
	exec "$CACHET" offload --home home big.bin
) >out.txt 2>err.txt || status=$?
err=$(cat err.txt)
expect_status 2 "file too large"
[[ $err =~ ^cachet:\ cannot\ write\ \'file://$store/[0-9]{8}-[0-9a-f]{16}/big\.bin\':\ File\ too\ large$ ]] ||
	fail "file too large: $err"
passed=$((passed + 1))
nothing_stored "file too large"

# a real full filesystem: a 1 MiB tmpfs, when mounting is allowed here
mkdir -p small
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=1m tmpfs small 2>/dev/null; then
	trap 'umount "$PWD/small" 2>/dev/null || true' EXIT
	run offload --home small/home big.bin
	expect_status 2 "no space left"
	sstore=$(realpath small/home/store)
	[[ $err =~ ^cachet:\ cannot\ write\ \'file://$sstore/[0-9]{8}-[0-9a-f]{16}/big\.bin\':\ No\ space\ left\ on\ device$ ]] ||
		fail "no space left: $err"
	passed=$((passed + 1))
	left=$(find small/home/store -type f)
	[ -z "$left" ] || fail "a full disk leaves nothing: $left"
	passed=$((passed + 1))
	# the space came back: a small file fits
	run offload --home small/home data.csv
	expect_status 0 "after the full disk, a small file fits"
	umount small
	trap - EXIT
else
	echo "SKIP: full tmpfs: mounting a tmpfs is not permitted here (needs root)" >&2
fi

# ---- store ----
run store
expect_status 2 "store without a subcommand"
run store frob
expect_err_contains "cachet: store: unknown subcommand 'frob'" "unknown subcommand"
run store cleanup --home home --older-than soon
expect_err "cachet: store cleanup: --older-than must be a number of seconds, or a number followed by s, m, h or d, not 'soon'" \
	"bad age"
run store ls --home home --older-than 1
expect_err_contains "cachet: store ls: unknown option '--older-than'" "--older-than is cleanup's"
run store cleanup --home home extra
expect_err_contains "cachet: store cleanup: unexpected argument 'extra'" "extra argument"
printf 'x' >afile
run offload --home afile/home data.csv
expect_status 2 "a home that cannot be made"
expect_err "cachet: cannot create directory '$PWD/afile': File exists" "a file in the way"

finish
