"""The layers hold: every module imports on its own, no two modules import each other
(directly or round a loop, lazy function-level imports included), and imports go one way:
commands, api -> render -> grading, problemset -> engine -> problem -> errors, text.
The package itself (`import bpcalc`) is the base layer; its lazy re-export of the Python
API (PEP 562 `__getattr__`, FACADE) is the one import upwards."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bpcalc"

# Lower layers first; a module may import its own layer and those below it. grading and
# problemset are side by side (neither imports the other); render may read both's results.
LAYERS = {
    "base": 0, "problem": 1, "engine": 2, "grading": 3, "problemset": 3, "render": 4,
    "commands": 5, "api": 5,  # the command line and the Python API: neither imports the other
}
FACADE = ("bpcalc", "bpcalc.api")  # bpcalc/__init__.py -> the API, imported on first use


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("errors", "text"):
        return "base"
    if parts[1] in ("cli", "__main__"):
        return "commands"
    return parts[1]


def imported(module: str) -> list[tuple[str, int]]:
    """(module, line) of every bpcalc module that `module` imports, wherever the import
    statement stands (top level, in a function, under TYPE_CHECKING)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from bpcalc.render import formats` imports the module bpcalc.render.formats
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                     for alias in node.names]
        else:
            continue
        found += [(name, node.lineno) for name in names
                  if name.split(".")[0] == "bpcalc" and name in MODULES]
    return found


GRAPH = {module: imported(module) for module in MODULES}


def test_the_walk_sees_lazy_imports():
    """A check that saw only top-level imports would pass vacuously on the lazy ones."""
    solve = {name for name, _ in GRAPH["bpcalc.commands.solve"]}
    assert "bpcalc.engine.backprop" in solve  # imported inside the command's function
    assert "bpcalc.engine.exact" in {name for name, _ in GRAPH["bpcalc.engine.numbers"]}
    assert len(MODULES) > 50


def test_the_facade_is_the_one_upward_import_of_the_package():
    """`import bpcalc` imports no layer but the base: the API only when first asked for."""
    assert {name for name, _ in GRAPH["bpcalc"]} == {"bpcalc.errors", "bpcalc.api"}
    source = MODULES["bpcalc"].read_text(encoding="utf-8")
    assert "from bpcalc import api" in source.split("def __getattr__")[1]


def test_imports_go_one_way():
    wrong = []
    for module, targets in GRAPH.items():
        here = layer(module)
        for target, line in targets:
            there = layer(target)
            if (module, target) == FACADE:
                continue
            if LAYERS[there] > LAYERS[here] or (
                    LAYERS[there] == LAYERS[here] and there != here):
                wrong.append(f"{MODULES[module].relative_to(ROOT)}:{line} ({here}) imports "
                             f"{target} ({there})")
    assert wrong == []


@pytest.mark.parametrize("core", ["problem", "engine", "grading", "problemset"])
def test_the_core_never_imports_rendering(core):
    users = [f"{module}:{line} -> {target}" for module, targets in GRAPH.items()
             if layer(module) == core for target, line in targets
             if target.startswith("bpcalc.render")]
    assert users == []


def test_no_import_cycle():
    """Depth-first search for a module that leads back to itself."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []
    cycles = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target, _line in GRAPH[module]:
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in MODULES:
        if module not in state:
            visit(module)
    assert cycles == []


FRESH_IMPORTS = """
import importlib, sys, traceback
failed = []
for module in sys.argv[1:]:
    for name in [name for name in sys.modules if name.split(".")[0] == "bpcalc"]:
        del sys.modules[name]
    try:
        importlib.import_module(module)
    except Exception:
        failed.append(module + ": " + traceback.format_exc(limit=-1).strip())
print("\\n".join(failed))
"""


def test_every_module_imports_on_its_own():
    """Each module imported first (every bpcalc module forgotten before it), in a fresh
    interpreter: an import that works only after another one (the symptom of a cycle)
    fails here even though this test session imported everything long ago."""
    modules = [module for module in MODULES if module != "bpcalc.__main__"]  # runs the app
    done = subprocess.run([sys.executable, "-c", FRESH_IMPORTS, *modules], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == ""
