#!/usr/bin/env python3
"""Check the hand-written JSON fixtures and derive the others from them.

tests/fixtures/json/literal_map_all.json and interface_all.json are written
by hand in canonical protobuf JSON (camelCase names, fields in number
order, map keys sorted, zero fields left out, compact). This script uses
Google's Python protobuf, driven by our hand-written tests/fixtures/flyte.proto,
as an independent oracle:

  - it parses each fixture and checks that Google's JSON printer gives the
    same JSON value (same members, same values), so the fixture is what
    protobuf's JSON mapping says, not merely what cachet prints;
  - <name>.pb: the deterministic wire encoding of the parsed message, so
    the unit test can check that cachet decoded the JSON to the same value
    Google did (decode JSON, encode wire, compare bytes); then
    scripts/gen-fixtures-go/gen.sh rewrites it in Go's field order;
  - <name>_snake.json: Google's printer with the proto field names
    (snake_case), which cachet must read as the same value;
  - <name>_pretty.json: the canonical text re-indented by the small
    tokenizer below (two spaces, ": " after keys, one member or element per
    line, empty containers as {} and []), which is what CACHET_JSON_PRETTY
    must print.

Development-time only; the build and the tests never run this.
Needs protoc and the Python protobuf runtime (Debian: protobuf-compiler
python3-protobuf). Run from anywhere:  /usr/bin/python3 scripts/gen-fixtures-json.py
"""

import importlib
import json
import os
import subprocess
import sys
import tempfile

from google.protobuf import json_format

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
OUT = os.path.join(FIXTURES, "json")


def load_flyte():
    tmp = tempfile.mkdtemp(prefix="cachet-json-")
    subprocess.run(["protoc", "-I" + FIXTURES, "-I/usr/include", "--python_out=" + tmp,
                    os.path.join(FIXTURES, "flyte.proto")], check=True)
    sys.path.insert(0, tmp)
    return importlib.import_module("flyte_pb2")


def reindent(text):
    """Go protojson's multiline layout, by tokens (strings kept whole)."""
    out = []
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
            continue
        if c in "{[":
            close = "}" if c == "{" else "]"
            if text[i + 1] == close:
                out.append(c + close)
                i += 2
                continue
            depth += 1
            out.append(c + "\n" + "  " * depth)
        elif c in "}]":
            depth -= 1
            out.append("\n" + "  " * depth + c)
        elif c == ",":
            out.append(",\n" + "  " * depth)
        elif c == ":":
            out.append(": ")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def main():
    pb = load_flyte()
    fixtures = [("literal_map_all", pb.LiteralMap), ("interface_all", pb.TypedInterface)]
    for name, cls in fixtures:
        path = os.path.join(OUT, name + ".json")
        with open(path, encoding="utf-8") as f:
            text = f.read().rstrip("\n")
        msg = json_format.Parse(text, cls())

        # the fixture holds exactly the members Google's printer writes
        want = json.loads(json_format.MessageToJson(msg))
        got = json.loads(text)
        if want != got:
            sys.exit(f"{path}: not canonical:\n google: {json.dumps(want, sort_keys=True)}\n"
                     f" file:   {json.dumps(got, sort_keys=True)}")

        with open(os.path.join(OUT, name + ".pb"), "wb") as f:
            f.write(msg.SerializeToString(deterministic=True))
        with open(os.path.join(OUT, name + "_snake.json"), "w", encoding="utf-8") as f:
            f.write(json_format.MessageToJson(msg, preserving_proto_field_name=True,
                                              ensure_ascii=False))
            f.write("\n")
        with open(os.path.join(OUT, name + "_pretty.json"), "w", encoding="utf-8") as f:
            f.write(reindent(text))
            f.write("\n")
        print("wrote", name)


if __name__ == "__main__":
    main()
