#!/usr/bin/env python3
"""Regenerate tests/fixtures/task/* with Google's own protobuf runtime.

Task files as `pyflyte serialize` and `package` write them, a TaskTemplate
or a TaskSpec wrapping one, in protobuf and in protobuf JSON, produced by
an implementation independent of cachet: Google's Python protobuf, driven
by tests/fixtures/flyte.proto. tests/unit/test_task_file.c and
tests/cli/key_task.sh read them.

Every task sets fields cachet does not model (container, custom, config,
the task type version, and in metadata the runtime, timeout, retries,
tags...) and one field no version of Flyte has (number 99 in protobuf,
"futureField" in JSON), so that the tests prove such fields are skipped.

The task "ints" is Flyte's own key vector (docs/flyte.md, "Test
vectors"): project P, domain D, name t, cache version 1.0.0, inputs
{"1": INTEGER, "2": INTEGER}, no outputs, input "3" ignored. Its key is
    dataset P/D/flyte_task-t/1.0.0-UxVtPm0k-GKw-c0Pw
    tag     flyte_cached-GQid5LjHbakcW68DS3P2jp80QLbiF0olFHF2hTh5bg8
with the inputs {"1": 1, "2": 2, "3": 3}; the tests assert exactly that.

Development-time only; the build and the tests never run this.
Needs: protoc and the Python protobuf runtime, e.g. on Debian
    apt-get install -y protobuf-compiler python3-protobuf
Run from anywhere:  /usr/bin/python3 scripts/gen-fixtures-task.py
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
OUT = os.path.join(FIXTURES, "task")

# A field no Flyte message has: number 99, bytes "future" (tag 99<<3|2).
FUTURE_PB = bytes([0x9A, 0x06, 6]) + b"future"
FUTURE_JSON = {"futureField": {"nested": [1, "two", None]}}


def load_flyte():
    """Compile flyte.proto with protoc into a temporary module."""
    tmp = tempfile.mkdtemp(prefix="cachet-task-")
    include = "/usr/include"  # google/protobuf/*.proto from protobuf-compiler
    subprocess.run(["protoc", "-I" + FIXTURES, "-I" + include, "--python_out=" + tmp,
                    os.path.join(FIXTURES, "flyte.proto")], check=True)
    sys.path.insert(0, tmp)
    return importlib.import_module("flyte_pb2")


def template(pb, discoverable=True, resource_type=None):
    """The "ints" task, with every field cachet skips set too."""
    t = pb.TaskTemplate()
    t.id.resource_type = pb.TASK if resource_type is None else resource_type
    t.id.project = "P"
    t.id.domain = "D"
    t.id.name = "t"
    t.id.version = "v7"
    t.id.org = "acme"
    t.type = "python-task"
    md = t.metadata
    md.discoverable = discoverable
    md.runtime.type = pb.RuntimeMetadata.FLYTE_SDK
    md.runtime.version = "1.13.0"
    md.runtime.flavor = "python"
    md.timeout.seconds = 3600
    md.retries.retries = 3
    md.discovery_version = "1.0.0"
    md.deprecated_error_message = "use t2"
    md.interruptible = True
    md.cache_serializable = True
    md.tags["team"] = "ml"
    md.pod_template_name = "pod"
    md.cache_ignore_input_vars.append("3")
    md.is_eager = True
    md.generates_deck.value = True
    md.MergeFromString(FUTURE_PB)
    for name in ("1", "2"):
        t.interface.inputs.variables[name].type.simple = pb.INTEGER
    t.custom.fields["k"].string_value = "v"
    t.container.image = "ghcr.io/acme/t:v7"
    t.container.command.append("pyflyte-execute")
    t.container.args.extend(["--inputs", "{{.input}}"])
    t.task_type_version = 1
    t.config["a"] = "b"
    t.MergeFromString(FUTURE_PB)
    return t


def spec(pb, t):
    s = pb.TaskSpec()
    s.template.CopyFrom(t)
    s.description.short_description = "adds numbers"
    s.description.tags.append("demo")
    s.MergeFromString(FUTURE_PB)
    return s


def json_of(msg, future_at, snake=False):
    """The message's protobuf JSON, with the future field added in each
    object on the paths future_at (lists of keys, [] = the top)."""
    d = json_format.MessageToDict(msg, preserving_proto_field_name=snake)
    for path in future_at:
        o = d
        for k in path:
            o = o[k]
        o.update(FUTURE_JSON)
    return json.dumps(d, indent=2, ensure_ascii=False) + "\n"


def write(name, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(OUT, name), mode) as f:
        f.write(data)
    print("wrote", name)


def main():
    pb = load_flyte()
    os.makedirs(OUT, exist_ok=True)
    t = template(pb)
    s = spec(pb, t)
    write("template.pb", t.SerializeToString(deterministic=True))
    write("template.json", json_of(t, [[], ["metadata"]]))
    write("template_snake.json", json_of(t, [[], ["metadata"]], snake=True))
    write("spec.pb", s.SerializeToString(deterministic=True))
    write("spec.json", json_of(s, [[], ["template"], ["template", "metadata"]]))

    off = template(pb, discoverable=False)
    write("not_discoverable.pb", off.SerializeToString(deterministic=True))
    write("not_discoverable.json", json_of(off, []))

    wf = template(pb, resource_type=pb.WORKFLOW)
    write("workflow_id.pb", wf.SerializeToString(deterministic=True))

    # Only an id without a resource type and a type: the bytes could be
    # either message (docs: the detection rule), so cachet must be told.
    bare = pb.TaskTemplate()
    bare.id.project = "P"
    bare.id.domain = "D"
    bare.id.name = "t"
    bare.type = "python-task"
    write("ambiguous.pb", bare.SerializeToString(deterministic=True))


if __name__ == "__main__":
    main()
