#!/usr/bin/env python3
"""Regenerate tests/fixtures/wire/*.pb with Google's own protobuf encoder.

These fixtures are an independent oracle for cachet's wire codec
(tests/unit/test_wire.c): Google's Python protobuf, driven by our
hand-written tests/fixtures/flyte.proto, writes each message with
SerializeToString(deterministic=True) (fields in number order, map keys
sorted). Flyte's Go backend writes oneof members after the other fields,
so scripts/gen-fixtures-go/gen.sh then rewrites these files in Go's bytes;
the unit test checks that cachet decodes the expected values and
re-encodes the very same bytes.

Development-time only; the build and the tests never run this.
Needs: protoc and the Python protobuf runtime, e.g. on Debian
    apt-get install -y protobuf-compiler python3-protobuf
Run from anywhere:  /usr/bin/python3 scripts/gen-fixtures-wire.py

The values below are what test_wire.c asserts: change both together.
"""

import importlib
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
OUT = os.path.join(FIXTURES, "wire")


def load_flyte():
    """Compile flyte.proto with protoc into a temporary module."""
    tmp = tempfile.mkdtemp(prefix="cachet-wire-")
    include = "/usr/include"  # google/protobuf/*.proto from protobuf-compiler
    subprocess.run(["protoc", "-I" + FIXTURES, "-I" + include, "--python_out=" + tmp,
                    os.path.join(FIXTURES, "flyte.proto")], check=True)
    sys.path.insert(0, tmp)
    return importlib.import_module("flyte_pb2")


def all_literals(pb):
    """A LiteralMap with one entry per kind of literal."""
    m = pb.LiteralMap()
    lit = m.literals
    lit["integer"].scalar.primitive.integer = -42
    lit["integer_zero"].scalar.primitive.integer = 0
    lit["float"].scalar.primitive.float_value = 1.3
    lit["string"].scalar.primitive.string_value = "h\u00e9llo \u2603 \U0001f600"
    lit["boolean"].scalar.primitive.boolean = True
    lit["datetime"].scalar.primitive.datetime.seconds = 1553860800  # 2019-03-29T12:00:00Z
    lit["datetime"].scalar.primitive.datetime.nanos = 5
    lit["duration"].scalar.primitive.duration.seconds = -3
    lit["duration"].scalar.primitive.duration.nanos = -500
    lit["none"].scalar.none_type.SetInParent()
    blob = lit["blob"].scalar.blob
    blob.metadata.type.format = "csv"
    blob.metadata.type.dimensionality = pb.BlobType.MULTIPART
    blob.uri = "s3://bucket/dir/"
    lit["binary"].scalar.binary.value = bytes(range(256))
    lit["binary"].scalar.binary.tag = "raw"
    schema = lit["schema"].scalar.schema
    schema.uri = "s3://bucket/schema"
    col = schema.type.columns.add()
    col.name = "when"
    col.type = pb.SchemaType.SchemaColumn.DATETIME
    lit["error"].scalar.error.failed_node_id = "n0"
    lit["error"].scalar.error.message = "boom"
    gen = lit["generic"].scalar.generic
    gen.fields["n"].number_value = 2.5
    gen.fields["s"].string_value = "x"
    gen.fields["b"].bool_value = False
    gen.fields["z"].null_value = 0
    gen.fields["l"].list_value.values.add().number_value = 1
    gen.fields["l"].list_value.values.add().string_value = "two"
    gen.fields["o"].struct_value.fields["k"].bool_value = True
    sd = lit["dataset"].scalar.structured_dataset
    sd.uri = "s3://bucket/df.parquet"
    sdt = sd.metadata.structured_dataset_type
    sdt.format = "parquet"
    c = sdt.columns.add()
    c.name = "a"
    c.literal_type.simple = pb.INTEGER
    un = lit["union"].scalar.union
    un.value.scalar.primitive.string_value = "u"
    un.type.simple = pb.STRING
    coll = lit["collection"].collection
    for i in (1, 2, 3):
        coll.literals.add().scalar.primitive.integer = i
    coll.literals.add()  # an empty Literal element
    inner = lit["map"].map
    inner.literals["x"].scalar.primitive.float_value = -0.0
    inner.literals["y"].hash = "abc"
    off = lit["offloaded"].offloaded_metadata
    off.uri = "s3://bucket/big"
    off.size_bytes = 1 << 40
    off.inferred_type.collection_type.simple = pb.INTEGER
    h = lit["hashed"]
    h.scalar.structured_dataset.uri = "s3://bucket/df2"
    h.hash = "sha256:feed"
    h.metadata["b"] = "2"
    h.metadata["a"] = "1"
    h.metadata[""] = ""
    lit["empty"].SetInParent()
    return m


def all_types(pb):
    """A TypedInterface: one input per kind of LiteralType, two outputs."""
    iface = pb.TypedInterface()
    v = iface.inputs.variables
    v["simple"].type.simple = pb.STRUCT
    v["simple"].description = "a struct"
    v["none"].type.simple = pb.NONE
    col = v["schema"].type.schema.columns.add()
    col.name = "c"
    col.type = pb.SchemaType.SchemaColumn.FLOAT
    v["collection"].type.collection_type.simple = pb.STRING
    v["map"].type.map_value_type.collection_type.simple = pb.FLOAT
    v["blob"].type.blob.format = "csv"
    v["blob"].type.blob.dimensionality = pb.BlobType.SINGLE
    v["enum"].type.enum_type.values.extend(["red", "green"])
    sdt = v["dataset"].type.structured_dataset_type
    sdt.format = "parquet"
    sdt.external_schema_type = "arrow"
    sdt.external_schema_bytes = b"\x00\x01\xff"
    dc = sdt.columns.add()
    dc.name = "x"
    dc.literal_type.simple = pb.DATETIME
    u = v["union"].type.union_type
    u.variants.add().simple = pb.INTEGER
    u.variants.add().simple = pb.NONE
    t = v["annotated"].type
    t.simple = pb.INTEGER
    t.metadata.fields["k"].string_value = "v"
    t.annotation.annotations.fields["cache"].bool_value = True
    t.structure.tag = "dataclass"
    t.structure.dataclass_type["f"].simple = pb.BOOLEAN
    t.structure.dataclass_type["e"].simple = pb.STRING
    iface.outputs.variables["o0"].type.simple = pb.INTEGER
    iface.outputs.variables["o1"].type.SetInParent()  # no type kind set
    return iface


def big_map(pb, n):
    """n entries k00000 .. (integer i), inserted in a shuffled order."""
    m = pb.LiteralMap()
    keys = list(range(n))
    random.Random(7).shuffle(keys)
    for i in keys:
        m.literals["k%05d" % i].scalar.primitive.integer = i
    return m


def write(name, message):
    data = message.SerializeToString(deterministic=True)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print("%s: %d bytes" % (name, len(data)))


def main():
    pb = load_flyte()
    os.makedirs(OUT, exist_ok=True)
    write("literal_map_all_kinds.pb", all_literals(pb))
    write("interface_all_types.pb", all_types(pb))
    write("literal_map_1000.pb", big_map(pb, 1000))


if __name__ == "__main__":
    main()
