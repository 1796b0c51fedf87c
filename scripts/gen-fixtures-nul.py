#!/usr/bin/env python3
"""Regenerate tests/fixtures/nul/: values with U+0000 in every kind of string.

Protobuf strings are UTF-8, and U+0000 is UTF-8: Flyte accepts a NUL
anywhere a string goes and hashes it like any other character. These
fixtures are the independent oracle for tests/unit/test_nul.c, made with
Google's Python protobuf driven by tests/fixtures/flyte.proto:

  - <name>.pb: SerializeToString(deterministic=True);
  - <name>.json: Google's JSON printer (json_format), the text cachet must
    read as the same value;
  - <name>.canonical.json: the same JSON value laid out as protobuf JSON's
    canonical form (fields in number order, map and Struct keys in byte
    order, compact), which is what cachet must print;
  - keys.txt: the keys Flyte computes for them, by objecthash (implemented
    below from its definition, over the JSON value Google's printer gives)
    of the hashified inputs (the tag) and of the interface (the dataset
    version).

Development-time only; the build and the tests never run this.
Needs protoc and the Python protobuf runtime (Debian: protobuf-compiler
python3-protobuf). Run from anywhere:  /usr/bin/python3 scripts/gen-fixtures-nul.py
Python writes fields in number order; then run scripts/gen-fixtures-go/gen.sh,
which rewrites the .pb files in the order Flyte's Go backend writes.

The values below are what test_nul.c asserts: change both together.
"""

import base64
import hashlib
import importlib.util
import json
import os

from google.protobuf import json_format

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
OUT = os.path.join(FIXTURES, "nul")


def load_flyte():
    """flyte_pb2, compiled by the wire fixtures' script (one protoc recipe)."""
    spec = importlib.util.spec_from_file_location(
        "gen_fixtures_wire", os.path.join(ROOT, "scripts", "gen-fixtures-wire.py"))
    wire = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(wire)
    return wire.load_flyte()


def literal_map(pb):
    """A LiteralMap with a NUL in each kind of string a literal holds."""
    m = pb.LiteralMap()
    lit = m.literals
    # map keys that sort by their bytes, a NUL included: a < a\0 < a\0b < b
    for key in ["b", "a\0b", "a", "a\0"]:
        lit[key].scalar.primitive.string_value = "x\0y"
    s = lit["\0"]
    s.scalar.primitive.string_value = "\0"
    s.metadata["k\0"] = "v\0w"
    s.metadata["\0"] = "\0"
    s.metadata["k"] = ""
    lit["hashed"].hash = "sha\x00256"
    lit["hashed"].scalar.primitive.integer = 7
    err = lit["error"].scalar.error
    err.failed_node_id = "n\0"
    err.message = "boom\0!"
    blob = lit["blob"].scalar.blob
    blob.uri = "s3://b/\0x"
    blob.metadata.type.format = "c\0sv"
    blob.metadata.type.dimensionality = pb.BlobType.MULTIPART
    lit["binary"].scalar.binary.value = b"\0\x01"
    lit["binary"].scalar.binary.tag = "t\0g"
    schema = lit["schema"].scalar.schema
    schema.uri = "s3://s\0"
    schema.type.columns.add(name="c\0ol", type=pb.SchemaType.SchemaColumn.STRING)
    g = lit["generic"].scalar.generic
    g.fields["k\0"].string_value = "v\0"
    inner = g.fields["n\0ested"].struct_value
    inner.fields["\0"].list_value.values.add().string_value = "a\0"
    inner.fields["\0"].list_value.values.add().bool_value = True
    g.fields["k"].null_value = 0
    sd = lit["dataset"].scalar.structured_dataset
    sd.uri = "s3://d\0"
    sdt = sd.metadata.structured_dataset_type
    sdt.format = "par\0quet"
    sdt.external_schema_type = "ext\0"
    col = sdt.columns.add(name="c\0")
    col.literal_type.simple = pb.INTEGER
    u = lit["union"].scalar.union
    u.value.scalar.primitive.string_value = "u\0"
    u.type.enum_type.values.extend(["a\0", "b"])
    u.type.structure.tag = "t\0"
    u.type.structure.dataclass_type["f\0"].simple = pb.STRING
    u.type.metadata.fields["m\0"].string_value = "x"
    off = lit["offloaded"].offloaded_metadata
    off.uri = "s3://o\0"
    off.size_bytes = 5
    off.inferred_type.blob.format = "f\0"
    coll = lit["coll"].collection.literals
    coll.add().scalar.primitive.string_value = "\0\0"
    coll.add().map.literals["k\0"].scalar.primitive.string_value = ""
    return m


def interface(pb):
    """A TypedInterface with NULs in variable names and descriptions."""
    t = pb.TypedInterface()
    t.inputs.variables["in\0"].type.simple = pb.STRING
    t.inputs.variables["in\0"].description = "d\0esc"
    t.inputs.variables["in"].type.enum_type.values.append("\0")
    t.outputs.variables["\0"].type.blob.format = "f\0"
    return t


# ---- the canonical JSON layout ----

def sort_key(s):
    return s.encode("utf-8")


def canonical(value, desc):
    """value (from MessageToDict) re-laid out for message type desc."""
    name = desc.full_name
    if name == "google.protobuf.Struct":
        return {k: canonical(value[k], desc.fields_by_name["fields"].message_type.fields_by_name[
            "value"].message_type) for k in sorted(value, key=sort_key)}
    if name == "google.protobuf.Value":
        if isinstance(value, dict):
            return canonical(value, desc.fields_by_name["struct_value"].message_type)
        if isinstance(value, list):
            return [canonical(v, desc) for v in value]
        return value
    if name in ("google.protobuf.Timestamp", "google.protobuf.Duration"):
        return value
    out = {}
    for f in sorted(desc.fields, key=lambda f: f.number):
        if f.json_name not in value:
            continue
        v = value[f.json_name]
        if f.message_type is not None and f.message_type.GetOptions().map_entry:
            vt = f.message_type.fields_by_name["value"]
            out[f.json_name] = {k: (canonical(v[k], vt.message_type) if vt.message_type else v[k])
                                for k in sorted(v, key=sort_key)}
        elif f.message_type is not None and f.label == f.LABEL_REPEATED:
            out[f.json_name] = [canonical(x, f.message_type) for x in v]
        elif f.message_type is not None:
            out[f.json_name] = canonical(v, f.message_type)
        else:
            out[f.json_name] = v
    return out


def dumps(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# ---- objecthash, from its definition: H(t, b) = sha256(t || b) ----

def oh(v):
    def h(tag, data):
        return hashlib.sha256(tag + data).digest()
    if isinstance(v, bool):
        return h(b"b", b"1" if v else b"0")
    if v is None:
        return h(b"n", b"")
    if isinstance(v, str):
        return h(b"u", v.encode("utf-8"))
    if isinstance(v, list):
        return h(b"l", b"".join(oh(x) for x in v))
    if isinstance(v, dict):
        return h(b"d", b"".join(sorted(oh(k) + oh(x) for k, x in v.items())))
    raise ValueError("these fixtures hold no JSON numbers: %r" % (v,))


def b64url(digest):
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hashify(pb, lit):
    """Flyte's cache-key step: a literal with a hash stands for its hash;
    collections and maps are rebuilt from their hashified elements."""
    out = pb.Literal()
    if lit.hash:
        out.hash = lit.hash
    elif lit.HasField("collection"):
        out.collection.SetInParent()
        for x in lit.collection.literals:
            out.collection.literals.add().CopyFrom(hashify(pb, x))
    elif lit.HasField("map"):
        out.map.SetInParent()
        for k, x in lit.map.literals.items():
            out.map.literals[k].CopyFrom(hashify(pb, x))
    else:
        out.CopyFrom(lit)
    return out


def pbhash(msg):
    return oh(json_format.MessageToDict(msg))


def main():
    pb = load_flyte()
    os.makedirs(OUT, exist_ok=True)
    keys = []
    for name, msg in [("literal_map", literal_map(pb)), ("interface", interface(pb))]:
        with open(os.path.join(OUT, name + ".pb"), "wb") as f:
            f.write(msg.SerializeToString(deterministic=True))
        with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
            f.write(json_format.MessageToJson(msg, ensure_ascii=False) + "\n")
        with open(os.path.join(OUT, name + ".canonical.json"), "w", encoding="utf-8") as f:
            f.write(dumps(canonical(json_format.MessageToDict(msg), msg.DESCRIPTOR)) + "\n")
        keys.append("%s pbhash %s" % (name, b64url(pbhash(msg))))
        if name == "literal_map":
            hashified = pb.LiteralMap()
            for k, x in msg.literals.items():
                hashified.literals[k].CopyFrom(hashify(pb, x))
            keys.append("literal_map tag flyte_cached-%s" % b64url(pbhash(hashified)))
        else:
            keys.append("interface dataset_version 1-%s-%s" % (
                b64url(pbhash(msg.inputs))[:8], b64url(pbhash(msg.outputs))[:8]))
    # objecthash itself, checked on two vectors of the key tests
    empty = pb.LiteralMap()
    one_two = pb.LiteralMap()
    one_two.literals["1"].scalar.primitive.integer = 1
    one_two.literals["2"].scalar.primitive.integer = 2
    assert b64url(pbhash(empty)) == "GKw-c0PwFokMUQ6T-TUmEWnZ4_VlQ2Qpgw-vCTT0-OQ"
    assert b64url(pbhash(one_two)) == "GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8"
    with open(os.path.join(OUT, "keys.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(keys) + "\n")
    print("\n".join(keys))


if __name__ == "__main__":
    main()
