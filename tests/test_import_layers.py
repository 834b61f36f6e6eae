"""nnkit's layering: no circle between subpackages, counting every import (function-level too).

The layers, lowest first (a module may import its own level and those below it):
errors/config/random/registry/version/keras_names/validation → backend → profiling,
activations, initializers, regularizers, constraints, ops → graph (the runner) → layers
(with InputLayer, the symbolic tensor/node, op nodes, traced call()s and the inference plan)
→ losses, metrics, optimizers, preprocessing, utils, datasets → saving, export → callbacks →
models → distributed → testing → keras_stand_in, __main__. The test checks
that the graph of subpackage imports has no cycle and that each subpackage imports only
from below it in this list.
"""
import ast
import pathlib

import nnkit

PACKAGE = pathlib.Path(nnkit.__file__).resolve().parent

LEVELS = [
    {"errors", "config", "random", "registry", "version", "keras_names",
     "validation"},
    {"backend"},
    {"profiling", "activations", "initializers", "regularizers", "constraints", "ops"},
    {"graph"},
    {"layers"},
    {"losses", "metrics", "optimizers", "preprocessing", "utils", "datasets"},
    {"saving", "export"},
    {"callbacks"},
    {"models"},
    {"distributed"},
    {"testing"},
    {"keras_stand_in", "__main__"},
]


def unit_of(module):
    """``nnkit.layers.dense`` → ``layers``; ``nnkit`` → ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path):
    """Every nnkit module ``path`` imports, at any depth of its code."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    if path.name == "__init__.py":
        module = package
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found += ([f"{target}.{alias.name}" for alias in node.names]
                      if target == "nnkit" else [target])
    return module, [name for name in found if name == "nnkit" or name.startswith("nnkit.")]


def subpackage_edges():
    """``{(importer unit, imported unit): [file:line-free module names]}`` across units."""
    edges = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module, targets = imports_of(path)
        for target in targets:
            source, destination = unit_of(module), unit_of(target)
            if source != destination:
                edges.setdefault((source, destination), []).append(module)
    return edges


def cycles(edges):
    """Strongly connected groups of more than one unit (Tarjan)."""
    graph = {}
    for source, destination in edges:
        graph.setdefault(source, set()).add(destination)
        graph.setdefault(destination, set())
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_circle_between_subpackages():
    assert cycles(subpackage_edges()) == []


def test_the_cycle_finder_finds_a_circle():
    assert cycles({("a", "b"): [], ("b", "c"): [], ("c", "a"): [], ("c", "d"): []}) == \
        [["a", "b", "c"]]


def test_each_subpackage_imports_only_from_below():
    level = {unit: rank for rank, units in enumerate(LEVELS) for unit in units}
    units = {unit_of(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts))
             for p in PACKAGE.rglob("*.py")} - {"__init__"}
    assert units <= set(level), f"place these in LEVELS: {sorted(units - set(level))}"
    upward = {(source, destination): modules for (source, destination), modules
              in subpackage_edges().items()
              if source != "__init__" and level[destination] > level[source]}
    assert upward == {}


def test_every_public_subpackage_is_reachable_after_import_nnkit():
    for name in ("activations", "backend", "callbacks", "constraints", "datasets", "distributed",
                 "graph", "initializers", "layers", "losses", "metrics", "models", "optimizers",
                 "preprocessing", "regularizers", "saving", "testing", "utils"):
        assert hasattr(nnkit, name), name
    assert callable(nnkit.testing.check_gradients)
