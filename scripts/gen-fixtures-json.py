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
    must print;
  - <name>.version, for interfaces: the dataset version of cache version
    "1.0.0" as Flyte computes it, from Google's JSON of the inputs and the
    outputs and the objecthash below (checked first against dataset
    versions Flyte computed), so that cachet's interface hash is checked
    against something it did not compute.

Development-time only; the build and the tests never run this.
Needs protoc and the Python protobuf runtime (Debian: protobuf-compiler
python3-protobuf). Run from anywhere:  /usr/bin/python3 scripts/gen-fixtures-json.py

With --tag JSON it prints instead the cache tag Flyte computes for a
LiteralMap given in JSON whose literals carry no hash (hashify leaves them
as they are): "flyte_cached-" + b64url(objecthash(JSON)), unpadded. The
unit tests quote such tags as expected values.
"""

import base64
import hashlib
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


def normalized_float(x):
    """objecthash's text of a finite double: sign, binary exponent e with
    0.5 < |x| / 2^e <= 1, then the mantissa's bits."""
    if x == 0:
        return "+0:"
    sign = "-" if x < 0 else "+"
    x = abs(x)
    e = 0
    while x > 1:
        x /= 2
        e += 1
    while x <= 0.5:
        x *= 2
        e -= 1
    bits = ""
    while x != 0:
        if x >= 1:
            bits += "1"
            x -= 1
        else:
            bits += "0"
        x *= 2
    return f"{sign}{e}:{bits}"


def objecthash(value):
    """Ben Laurie's objecthash of a JSON value, every number a double (as
    Flyte's objecthash reads JSON)."""
    def leaf(tag, data):
        return hashlib.sha256(tag + data).digest()
    if isinstance(value, dict):
        pairs = sorted(objecthash(k) + objecthash(v) for k, v in value.items())
        return leaf(b"d", b"".join(pairs))
    if isinstance(value, list):
        return leaf(b"l", b"".join(objecthash(v) for v in value))
    if isinstance(value, bool):
        return leaf(b"b", b"1" if value else b"0")
    if isinstance(value, str):
        return leaf(b"u", value.encode("utf-8"))
    if value is None:
        return leaf(b"n", b"")
    if isinstance(value, (int, float)):
        return leaf(b"f", normalized_float(float(value)).encode("ascii"))
    raise TypeError(f"no objecthash for {value!r}")


def signature8(variable_map):
    """The first 8 characters of b64url(objecthash(JSON of the VariableMap))."""
    digest = objecthash(json_format.MessageToDict(variable_map))
    return base64.urlsafe_b64encode(digest).decode("ascii")[:8]


def dataset_version(pb, iface, cache_version="1.0.0"):
    # Dataset versions Flyte computed (tests/unit/test_key.c): no variables,
    # and two integer inputs "1" and "2".
    two = pb.VariableMap()
    for name in ("1", "2"):
        two.variables[name].type.simple = pb.INTEGER
    if signature8(pb.VariableMap()) != "GKw-c0Pw" or signature8(two) != "UxVtPm0k":
        sys.exit("the objecthash oracle disagrees with Flyte's dataset versions")
    return f"{cache_version}-{signature8(iface.inputs)}-{signature8(iface.outputs)}"


def main():
    pb = load_flyte()
    fixtures = [("literal_map_all", pb.LiteralMap), ("interface_all", pb.TypedInterface),
                ("interface_artifacts", pb.TypedInterface)]
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
        if cls is pb.TypedInterface:
            with open(os.path.join(OUT, name + ".version"), "w", encoding="utf-8") as f:
                f.write(dataset_version(pb, msg) + "\n")
        print("wrote", name)


def tag_of(text):
    digest = objecthash(json.loads(text))
    return "flyte_cached-" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--tag":
        print(tag_of(sys.argv[2]))
    else:
        main()
