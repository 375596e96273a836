"""The package's structure: layers import only downward, no import cycles, no oversized modules,
imports at the top of a module.  Read from the source (function-local imports included), so the
checks hold whatever a test run happens to import."""
import ast
import re
from collections import defaultdict
from pathlib import Path

import brian2
import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "workbench"

#: From the bottom up; a module may import its own layer and the layers below it (docs/ARCHITECTURE.md).
LAYERS = [
    ("foundations", ["params", "paths", "timing", "archive", "sources"]),
    ("building blocks", ["models", "encoders", "datasets", "backends", "recording", "readout", "plotting"]),
    ("networks", ["networks"]),
    ("learning and hardware", ["eprop", "hardware", "nir"]),
    ("runner", ["protocol"]),
    ("protocol logic", ["experiments"]),
    ("entry points", ["sweep", "cli", "gpu", "figures_main"]),
]
LAYER_OF = {name: i for i, (_, names) in enumerate(LAYERS) for name in names}
MAX_LINES = 600


def _modules():
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _resolve(name):
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(name, path):
    """(target module, line, function-local?) for every import of a workbench module.

    A string that names a workbench module exactly (``"workbench.eprop.biosignal"``, as handed to
    ``importlib.import_module``) counts as a hidden, function-local import of it.
    """
    tree = ast.parse(path.read_text())
    base = name if path.name == "__init__.py" else name.rpartition(".")[0]
    local = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            local.update(id(n) for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom)))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value \
                and node.value in MODULES and node.value != name:
            yield node.value, node.lineno, True
            continue
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                b = base
                for _ in range(node.level - 1):
                    b = b.rpartition(".")[0]
                stem = f"{b}.{node.module}" if node.module else b
            else:
                stem = node.module or ""
            targets = [f"{stem}.{a.name}" for a in node.names] + [stem]
        for t in targets:
            r = _resolve(t)
            if r and r != name and not (name.startswith(r + ".") and MODULES[r].name == "__init__.py"):
                yield r, node.lineno, id(node) in local


def _edges():
    edges = defaultdict(set)
    for name, path in MODULES.items():
        for target, _, _ in _imports(name, path):
            edges[name].add(target)
    return edges


def _layer(module):
    top = module.split(".")[1] if "." in module else ""
    return LAYER_OF.get(top)


def test_every_top_level_module_has_a_layer():
    tops = {m.split(".")[1] for m in MODULES if "." in m}
    assert not sorted(tops - set(LAYER_OF)), "add new top-level modules to LAYERS (and docs/ARCHITECTURE.md)"


def test_layers_import_only_downward():
    bad = []
    for name, path in MODULES.items():
        for target, line, _ in _imports(name, path):
            if _layer(target) is not None and _layer(name) is not None and _layer(target) > _layer(name):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {target} "
                           f"({LAYERS[_layer(target)][0]} above {LAYERS[_layer(name)][0]})")
    assert not bad, "\n".join(sorted(set(bad)))


def test_no_import_cycles():
    edges = _edges()
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in list(MODULES):
        if v not in index:
            visit(v)
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_no_module_over_the_size_limit():
    big = {str(p.relative_to(ROOT)): n for p in MODULES.values() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines (split them): {big}"


def _says_why(line: str) -> bool:
    """A comment on the line with a reason in it (two words or more; ``noqa`` codes do not count)."""
    if "#" not in line:
        return False
    comment = re.sub(r"noqa(:\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*)?", "", line.split("#", 1)[1])
    return len(re.findall(r"[A-Za-z]{2,}", comment)) >= 2


def _dynamic_imports(tree):
    """``importlib.import_module(...)`` and ``__import__(...)`` calls."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called in ("import_module", "__import__"):
                yield node


def _top_of_module_ends(tree) -> int:
    """The line of the first statement that may not come before an import (docstring, imports,
    ``__all__``, and ``if``/``try`` blocks around imports may)."""
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.If, ast.Try)):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]:
            continue
        return node.lineno
    return 10**9


def test_workbench_imports_are_at_module_level():
    """Internal imports at the top (also no module named in a string for ``importlib``); a late
    third-party import, or a dynamic one, says why in a comment on its line."""
    bad = []
    for name, path in MODULES.items():
        where = path.relative_to(ROOT)
        lines = path.read_text().splitlines()
        for target, line, local in _imports(name, path):
            if local:
                bad.append(f"{where}:{line} imports {target} inside a function (or names it for importlib)")
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0):
                    mod = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                    if mod.split(".")[0] != "workbench" and not _says_why(lines[node.lineno - 1]):
                        bad.append(f"{where}:{node.lineno} imports {mod} inside a function "
                                   "without a comment saying why")
        for node in _dynamic_imports(tree):
            if not _says_why(lines[node.lineno - 1]):
                bad.append(f"{where}:{node.lineno} imports a module by name without a comment saying why")
        end = _top_of_module_ends(tree)
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno > end:
                bad.append(f"{where}:{node.lineno} imports below the top of the module (after line {end})")
    assert not bad, "\n".join(sorted(set(bad)))


#: What figure scripts may not import: they read an archive, never simulate (docs/ARCHITECTURE.md).
#: From Brian2 they may import units only (to read a quantity from the configuration).
SIMULATING = ("brian2", "workbench.backends", "workbench.models", "workbench.networks", "workbench.encoders",
              "workbench.experiments", "workbench.protocol", "workbench.eprop", "workbench.hardware",
              "workbench.sweep")


def _simulating_imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
            if node.module in ("brian2", "brian2.units") and all(
                    isinstance(getattr(brian2, a.name, None), brian2.Quantity) for a in node.names):
                names = []  # units
        else:
            continue
        yield from ((n, node.lineno) for n in names if any(n == s or n.startswith(s + ".") for s in SIMULATING))


def test_figure_scripts_read_archives_and_never_simulate():
    bad = [f"{path.relative_to(ROOT)}:{line} imports {n}" for path in sorted((ROOT / "figures").glob("*.py"))
           for n, line in _simulating_imports(ast.parse(path.read_text()))]
    assert not bad, "\n".join(bad)


def test_the_checks_catch_what_they_are_for(tmp_path):
    """The checks above fail on real violations (a guard against checks that pass vacuously)."""
    bad = ast.parse("import os\nx = 1\nimport sys\n")
    assert _top_of_module_ends(bad) == 2
    assert not _says_why("    import wfdb  # noqa: F401") and _says_why("    import wfdb  # optional 'bio' extra")
    calls = list(_dynamic_imports(ast.parse("import importlib\nimportlib.import_module(m)\n__import__('x')\n")))
    assert len(calls) == 2
    probe = tmp_path / "probe.py"
    probe.write_text('def f():\n    from ..backends import use_backend\nLAZY = {"m": "workbench.eprop"}\n')
    found = {(t, local) for t, _, local in _imports("workbench.experiments.probe", probe)}
    assert ("workbench.backends", True) in found and ("workbench.eprop", True) in found
    figure = ast.parse("from brian2 import ms, second\nfrom brian2 import NeuronGroup\nimport workbench.networks\n")
    assert [n for n, _ in _simulating_imports(figure)] == ["brian2", "workbench.networks"]


@pytest.mark.parametrize("layer", [n for _, names in LAYERS for n in names])
def test_layer_names_exist(layer):
    assert (PKG / layer).is_dir() or (PKG / f"{layer}.py").is_file() or layer in ("nir",), layer
