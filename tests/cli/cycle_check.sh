# scripts/check-cycles.py itself: on object files compiled here from tiny C
# files, it passes a graph without a loop, names each file cycle with the
# symbols that tie it, and goes through a longer loop.
. "$(dirname "$0")/lib/assert.sh"

check=$CACHET_SRC/scripts/check-cycles.py
cc=${CC:-cc}

# obj DIR FILE DEFINES [CALLS...]: compile src/lib/FILE into DIR as the
# build lays it out, defining the function DEFINES, calling each of CALLS
obj() {
	local dir=$1 file=$2 defines=$3 decls="" body=""
	shift 3
	for f in "$@"; do
		decls+="void $f(void);"
		body+="$f();"
	done
	mkdir -p "$dir/src/lib/$(dirname "$file")"
	printf '%s\nvoid %s(void);\nvoid %s(void) { %s }\n' "$decls" "$defines" "$defines" "$body" \
		>"$dir/src.c"
	"$cc" -c -o "$dir/src/lib/$file.o" "$dir/src.c"
	rm "$dir/src.c"
}

# a chain: a uses b, b uses c; c uses a function of its own file only
obj chain value/a.c a_fn b_fn
obj chain value/b.c b_fn c_fn
obj chain value/c.c c_fn
capture python3 "$check" chain
expect_status 0 "a chain has no cycle"
expect_out "" "nothing to report"

# two files that call each other
obj pair engine/run.c run_fn record_fn
obj pair engine/record.c record_fn run_fn
obj pair engine/task.c task_fn run_fn
capture python3 "$check" pair
expect_status 1 "two files using each other"
expect_out "cycle: engine/record.c engine/run.c
  engine/record.c -> engine/run.c: run_fn
  engine/run.c -> engine/record.c: record_fn" "the cycle, its files and symbols"

# a longer loop: a -> b -> c -> a, and a separate pair
obj loop key/a.c a_fn b_fn
obj loop key/b.c b_fn c_fn
obj loop key/c.c c_fn a_fn
obj loop util/x.c x_fn y_fn
obj loop util/y.c y_fn x_fn
capture python3 "$check" loop
expect_status 1 "a loop of three files"
expect_out "cycle: key/a.c key/b.c key/c.c
  key/a.c -> key/b.c: b_fn
  key/b.c -> key/c.c: c_fn
  key/c.c -> key/a.c: a_fn
cycle: util/x.c util/y.c
  util/x.c -> util/y.c: y_fn
  util/y.c -> util/x.c: x_fn" "both cycles, each whole"

# usage errors
mkdir empty
capture python3 "$check" empty
expect_status 2 "no object file"
expect_err "check-cycles: no object file under 'empty'" "the empty directory, named"
capture python3 "$check"
expect_status 2 "no directory given"
expect_err "usage: check-cycles.py OBJECT_DIR" "the usage"

finish
