# cachet key on values Flyte's Go backend wrote (tests/fixtures/wire-go)
# and on interfaces with artifact fields; the expected tags and versions
# come from the objecthash oracle of scripts/gen-fixtures-json.py, not
# from cachet.
. "$(dirname "$0")/lib/assert.sh"
cd "$(mktemp -d)"

GO=$CACHET_SRC/tests/fixtures/wire-go
JSON=$CACHET_SRC/tests/fixtures/json
common=(key --project P --domain D --name t --cache-version 1.0.0)
EMPTY8=GKw-c0Pw

# Struct numbers NaN, +Inf and -Inf hash as the strings Go's jsonpb
# prints for them, and are written to JSON as those strings.
NONFINITE_TAG=flyte_cached-oweSE_r4ObmqAAI585f1fu6X83LwpOmJpalTaCOsytg
run "${common[@]}" --inputs "$GO/map-struct-nonfinite.pb"
expect_status 0 "nonfinite struct numbers"
expect_out "dataset  P/D/flyte_task-t/1.0.0-$EMPTY8-$EMPTY8
tag      $NONFINITE_TAG" "nonfinite struct numbers"

run literal convert --to json "$GO/map-struct-nonfinite.pb"
expect_out '{"literals":{"s":{"scalar":{"generic":{"inf":"Infinity","list":["Infinity",2],"nan":"NaN","ninf":"-Infinity"}}}}}' "nonfinite to json"

# ... which reads back as strings, with the same tag
printf '%s' "$out" >strings.json
run "${common[@]}" --inputs strings.json
expect_out "dataset  P/D/flyte_task-t/1.0.0-$EMPTY8-$EMPTY8
tag      $NONFINITE_TAG" "the strings"

# Variable's artifact fields count in the dataset version, in both
# encodings.
want=$(cat "$JSON/interface_artifacts.version")
for f in "$JSON/interface_artifacts.json" "$JSON/interface_artifacts.pb"; do
	run "${common[@]}" --interface "$f"
	expect_status 0 "$f"
	case $out in
	"dataset  P/D/flyte_task-t/$want"$'\n'*) passed=$((passed + 1)) ;;
	*) fail "$(basename "$f"): dataset line is not '$want':
$out" ;;
	esac
done

finish
