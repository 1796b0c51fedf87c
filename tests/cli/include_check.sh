# scripts/check-includes.sh itself: it passes a tree that keeps the include
# rule, and names every include that breaks it, on a copy of src/ with
# violations planted.
. "$(dirname "$0")/lib/assert.sh"

check=$CACHET_SRC/scripts/check-includes.sh
cp -R "$CACHET_SRC/src" src

capture bash "$check" src
expect_status 0 "the tree as it is keeps the rule"
expect_out "" "nothing to report"

# plant: insert an include as the first line of a file
plant() {
	sed -i "1i #include \"$2\"" "src/$1"
}

# a private header of a lower layer
plant lib/engine/run.c digest/walk.h
capture bash "$check" src
expect_status 1 "a private digest header in the engine"
expect_out "src/lib/engine/run.c:1: includes digest/walk.h (layer engine may not include digest's private header)" \
	"the engine's violation, named"

# a declared interface, but of a layer above: interfaces only look down
cp "$CACHET_SRC/src/lib/engine/run.c" src/lib/engine/run.c
plant lib/key/hashify.c store/uri.h
capture bash "$check" src
expect_status 1 "an interface of a higher layer"
expect_out "src/lib/key/hashify.c:1: includes store/uri.h (layer key may not include store's private header)" \
	"the key layer's violation, named"

# every violation is listed, the CLI's included: it sees the public API only
plant lib/store/uri.c engine/run.h
plant cli/main.c util/fs.h
capture bash "$check" src
expect_status 1 "several violations"
expect_out "src/cli/main.c:1: includes util/fs.h (layer cli may not include util's private header)
src/lib/key/hashify.c:1: includes store/uri.h (layer key may not include store's private header)
src/lib/store/uri.c:1: includes engine/run.h (layer store may not include engine's private header)" \
	"all three, in file order"

# what stays allowed: util/, a declared interface below, public headers
rm -rf src && cp -R "$CACHET_SRC/src" src
plant lib/catalog/gc.c util/fs.h
plant lib/engine/run.c codec/json.h
plant lib/store/uri.c cachet/value.h
capture bash "$check" src
expect_status 0 "allowed includes pass"

capture bash "$check" nowhere
expect_status 2 "a directory without lib/"
expect_err "check-includes: 'nowhere' has no lib directory" "the bad argument, named"

finish
