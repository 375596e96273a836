"""Which source files a result depends on, and their content hashes.

A number is only as current as the code that made it.  :func:`science_sources` follows the
imports of a script (a benchmark, a protocol script) through the package, as written in the source
(module level and function-local imports alike, read with :mod:`ast`, nothing imported), and keeps
the files that define the science: models, networks, encoders, data loaders, readouts, learning
rules, the hardware layer, backends and the experiments.  The plumbing that cannot change a number
(parameter parsing, archive I/O, paths, timing, the runner, the command line, sweeps, plotting) is
left out, so moving or re-wording it does not mark every result as stale.  :func:`source_hashes`
gives a SHA-256 of each file's *code* (:func:`code_digest`: its syntax tree without docstrings,
comments or layout, so re-wording a docstring does not mark a result stale, while any change to
what the code does does); a result archive stores them, and ``benchmarks/report.py --check``
recomputes them to find results made by code that has changed since.  (Archives that recorded the
SHA-256 of the file's bytes, without the ``code:`` prefix, are compared byte for byte.)
"""
from __future__ import annotations

import ast
import hashlib
from pathlib import Path

__all__ = ["PLUMBING", "import_graph", "science_sources", "code_digest", "source_hashes", "changed_sources"]

#: Top-level modules of the package that cannot change a result (see the module docs).
PLUMBING = frozenset({"params", "paths", "timing", "archive", "recording", "plotting", "protocol", "sweep", "cli",
                      "gpu", "figures_main", "sources"})


def _modules(root: Path, package: str) -> dict[str, Path]:
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imported_names(path: Path, module: str | None) -> set[str]:
    """Dotted names a file imports (relative imports resolved against ``module``)."""
    tree = ast.parse(path.read_text())
    if module is None:
        base = ""
    else:
        base = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                b = base
                for _ in range(node.level - 1):
                    b = b.rpartition(".")[0]
                stem = f"{b}.{node.module}" if node.module else b
            else:
                stem = node.module or ""
            names.add(stem)
            names.update(f"{stem}.{a.name}" for a in node.names)
    return names


def import_graph(root, package: str = "workbench") -> dict[str, set[str]]:
    """Module -> the package modules it imports (each name resolved to the longest existing module)."""
    root = Path(root)
    mods = _modules(root, package)

    def resolve(name):
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in mods.items():
        targets = {resolve(n) for n in _imported_names(path, name)}
        graph[name] = {t for t in targets if t and t != name}
    return graph


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def science_sources(scripts, root, package: str = "workbench") -> list[Path]:
    """The scripts themselves and every science module they reach through imports (sorted paths).

    ``scripts`` are files outside or inside the package (``benchmarks/x.py``, ``protocols/y.py``).
    Package ``__init__`` files on the way are followed but, being plumbing, kept only when they
    hold science (a package's ``__init__`` counts as its package's top-level module).
    """
    root = Path(root)
    mods = _modules(root, package)
    graph = import_graph(root, package)

    def resolve(name):
        while name and name not in mods:
            name = name.rpartition(".")[0]
        return name or None

    todo = set()
    for script in scripts:
        todo |= {r for n in _imported_names(Path(script), None) if (r := resolve(n))}
    seen = set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo |= graph.get(m, set()) - seen
        parent = m.rpartition(".")[0]
        if parent and parent in mods and parent not in seen:
            todo.add(parent)   # importing a.b runs a/__init__.py too
    files = {Path(s).resolve() for s in scripts}
    files |= {mods[m].resolve() for m in seen if _top(m) not in PLUMBING}
    return sorted(files)


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


def code_digest(path) -> str:
    """``"code:" + SHA-256`` of a Python file's syntax tree without docstrings (comments and layout
    are not in the tree); for a file that is not valid Python, the SHA-256 of its bytes."""
    data = Path(path).read_bytes()
    try:
        tree = _strip_docstrings(ast.parse(data))
    except (SyntaxError, ValueError):
        return hashlib.sha256(data).hexdigest()
    return "code:" + hashlib.sha256(ast.dump(tree).encode()).hexdigest()


def _same(path: Path, digest: str) -> bool:
    if digest.startswith("code:"):
        return code_digest(path) == digest
    return hashlib.sha256(path.read_bytes()).hexdigest() == digest


def source_hashes(paths, root) -> dict[str, str]:
    """``{path relative to root: code_digest(path)}``."""
    root = Path(root).resolve()
    return {str(Path(p).resolve().relative_to(root)): code_digest(p) for p in paths}


def changed_sources(recorded: dict[str, str], root) -> list[str]:
    """The recorded files whose content differs now (or that are gone), as 'path (changed|missing)'."""
    root = Path(root)
    out = []
    for rel, digest in sorted(recorded.items()):
        path = root / rel
        if not path.is_file():
            out.append(f"{rel} (missing)")
        elif not _same(path, digest):
            out.append(f"{rel} (changed)")
    return out
