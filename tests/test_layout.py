"""The package reads as the data flow: one package per stage, no import cycles between modules,
no module reaching into another's private names, no module far over 400 lines, and the only
top-level package is ``linkwell``."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import CHECKOUT

PACKAGE = CHECKOUT / "linkwell"
STAGES = {"cli", "listings", "reference", "harvest", "submissions", "publish", "reports", "speed"}
MAX_LINES = 420  # "about 400"


def _module_name(path: Path) -> str:
    parts = path.relative_to(CHECKOUT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "project_template" not in p.parts}


def _imports(name: str, path: Path) -> list[tuple[str, list[str], bool]]:
    """(imported module, names, at module level) for every import of a linkwell module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names = [a.name for a in node.names]
            for n in names:  # `from linkwell.x import y` may import the module linkwell.x.y
                if f"{base}.{n}" in MODULES:
                    found.append((f"{base}.{n}", [], id(node) in top))
            found.append((base, names, id(node) in top))
        elif isinstance(node, ast.Import):
            found += [(a.name, [], id(node) in top) for a in node.names]
    return [(m, names, level) for m, names, level in found if m.split(".")[0] == "linkwell"]


def test_one_package_per_stage():
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert STAGES <= packages
    flat = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__", "project"}
    assert flat == set(), f"modules outside the stage packages: {sorted(flat)}"
    assert not (CHECKOUT / "harvesters" / "__init__.py").exists()


def test_no_import_cycles_between_modules():
    """Counting imports inside functions too: a lazy import is still a dependency."""
    graph = {name: {m for m, _n, _top in _imports(name, path) if m in MODULES and m != name
                    and not name.startswith(m + ".")}  # a package's own __init__ is not a cycle
             for name, path in MODULES.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_no_module_imports_private_names_of_another():
    offences = [f"{name} imports {m}.{n}" for name, path in MODULES.items() for m, names, _top in _imports(name, path)
                for n in names if n.startswith("_") and not n.startswith("__") and m != name]
    assert offences == []


def test_no_module_is_far_over_400_lines():
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
