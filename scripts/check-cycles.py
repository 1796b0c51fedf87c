#!/usr/bin/env python3
"""The no-cycle rule (docs/design.md): no two files of src/lib call each
other, directly or through a longer loop.

usage: scripts/check-cycles.py OBJECT_DIR
  OBJECT_DIR: the cachet_objects object files of a build, e.g.
  build/test/CMakeFiles/cachet_objects.dir (searched recursively for *.o)

It reads `nm -A` of every object file: a defined symbol belongs to the file
that defines it, an undefined one is a use by the file that names it. File
A uses file B when A names a symbol B defines; each strongly connected
component of more than one file in that graph is a cycle. Prints each cycle
as its files and the symbols that tie them, and exits 1 when there is one,
0 otherwise (2 on a usage error).
"""

import os
import subprocess
import sys

def source_name(obj, root):
    """src/lib/engine/run.c.o -> engine/run.c"""
    rel = os.path.relpath(obj, root)
    marker = "src" + os.sep + "lib" + os.sep
    if marker in rel:
        rel = rel.split(marker, 1)[1]
    if rel.endswith(".o"):
        rel = rel[:-2]
    return rel


def read_symbols(objects, root):
    out = subprocess.run(["nm", "-A", "--"] + objects, check=True,
                         capture_output=True, text=True).stdout
    defined = {}   # symbol -> file
    uses = {}      # file -> set of symbols
    for line in out.splitlines():
        # "<obj>:<value> <type> <name>" or "<obj>:                 U <name>"
        path, _, rest = line.partition(":")
        fields = rest.split()
        if len(fields) < 2:
            continue
        kind, name = fields[-2], fields[-1]
        f = source_name(path, root)
        uses.setdefault(f, set())
        if kind == "U":
            uses[f].add(name)
        elif kind.isupper():
            # global definitions only: a static one serves its file alone
            defined.setdefault(name, f)
    return defined, uses


def strongly_connected(graph):
    """Tarjan's algorithm, iterative; returns a list of components."""
    index, low, on_stack, stack, comps = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                comps.append(sorted(comp))
    return comps


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print("usage: check-cycles.py OBJECT_DIR", file=sys.stderr)
        return 2
    root = argv[1]
    objects = sorted(os.path.join(d, f) for d, _, files in os.walk(root)
                     for f in files if f.endswith(".o"))
    if not objects:
        print(f"check-cycles: no object file under '{root}'", file=sys.stderr)
        return 2
    defined, uses = read_symbols(objects, root)
    graph = {f: set() for f in uses}
    why = {}
    for f, names in uses.items():
        for name in names:
            g = defined.get(name)
            if g is not None and g != f:
                graph[f].add(g)
                why.setdefault((f, g), set()).add(name)
    bad = 0
    for comp in strongly_connected(graph):
        if len(comp) < 2:
            continue
        bad += 1
        print("cycle: " + " ".join(comp))
        members = set(comp)
        for f in comp:
            for g in sorted(graph[f] & members):
                print(f"  {f} -> {g}: {', '.join(sorted(why[(f, g)]))}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
