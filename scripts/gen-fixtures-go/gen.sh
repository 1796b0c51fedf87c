#!/bin/sh
# Regenerate the Go wire fixtures (tests/fixtures/wire-go) and rewrite the
# .pb fixtures that Python wrote (tests/fixtures/wire, json and nul)
# in the bytes of Go's deterministic marshal, the order Flyte writes.
#
# Development-time only: cachet's build and tests never need Go.
# Needs (Debian): golang-go golang-google-protobuf-dev
# protobuf-compiler. Run after scripts/gen-fixtures-wire.py and
# scripts/gen-fixtures-json.py, from anywhere:
#     sh scripts/gen-fixtures-go/gen.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fixtures=$root/tests/fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOCACHE="$work/cache" GOFLAGS=

# protoc-gen-go of google.golang.org/protobuf, built from Debian's sources
# (Debian's /usr/bin/protoc-gen-go is the older golang/protobuf 1.3 one).
go build -o "$work/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go
mkdir -p "$work/src/cachet.test/flytepb" "$work/src/gen-fixtures-go" "$fixtures/wire-go"
protoc -I"$fixtures" -I/usr/include --plugin=protoc-gen-go="$work/protoc-gen-go" \
	--go_out="$work/src/cachet.test/flytepb" --go_opt=paths=source_relative,Mflyte.proto=cachet.test/flytepb \
	"$fixtures/flyte.proto"
cp "$here/main.go" "$work/src/gen-fixtures-go/"
go build -o "$work/gen" gen-fixtures-go

"$work/gen" fixtures "$fixtures/wire-go"
"$work/gen" reencode flyteidl.core.LiteralMap "$fixtures/wire/literal_map_all_kinds.pb"
"$work/gen" reencode flyteidl.core.LiteralMap "$fixtures/wire/literal_map_1000.pb"
"$work/gen" reencode flyteidl.core.TypedInterface "$fixtures/wire/interface_all_types.pb"
"$work/gen" reencode flyteidl.core.LiteralMap "$fixtures/json/literal_map_all.pb"
"$work/gen" reencode flyteidl.core.TypedInterface "$fixtures/json/interface_all.pb"
"$work/gen" reencode flyteidl.core.TypedInterface "$fixtures/json/interface_artifacts.pb"
"$work/gen" reencode flyteidl.core.LiteralMap "$fixtures/nul/literal_map.pb"
"$work/gen" reencode flyteidl.core.TypedInterface "$fixtures/nul/interface.pb"
