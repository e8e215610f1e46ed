"""The layering rules of DESIGN.md §2, checked on the source: imports point down, pure layers stay pure."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "puv"

# Which top-level packages of puv each layer may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "resolver": {"core"},
    "lock": {"core"},
    "cache": {"core"},
    "python": {"core", "cache"},
    "index": {"core", "cache"},
    "install": {"core", "cache", "python"},
    "build": {"core", "cache", "python", "install", "index"},
    "project": {"core", "lock"},
    "operations": {
        "core",
        "resolver",
        "lock",
        "cache",
        "python",
        "index",
        "install",
        "build",
        "project",
    },
    "cli": {"core", "operations"},
}
PURE = {"core", "resolver", "lock"}
IMPURE_MODULES = {"subprocess", "socket", "httpx", "http", "urllib.request", "shutil", "tempfile"}


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p.parent != SRC)


def _layer(path: Path) -> str:
    return path.relative_to(SRC).parts[0]


def _puv_imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "puv" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down(path: Path) -> None:
    layer = _layer(path)
    assert layer in ALLOWED, f"{layer}/ is not a known layer: add it to DESIGN.md and ALLOWED"
    tree = ast.parse(path.read_text(), str(path))
    bad = {dep for dep in _puv_imports(tree) if dep != layer and dep not in ALLOWED[layer]}
    assert not bad, f"{path.relative_to(SRC)} ({layer}/) imports {sorted(bad)}"


@pytest.mark.parametrize(
    "path", [p for p in _modules() if _layer(p) in PURE], ids=lambda p: str(p.relative_to(SRC))
)
def test_pure_layers_do_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name not in IMPURE_MODULES, f"{path.name} imports {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.module not in IMPURE_MODULES, f"{path.name} imports {node.module}"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "open", f"{path.name}:{node.lineno} calls open()"
        elif isinstance(node, ast.Attribute) and node.attr in {
            "environ",
            "getenv",
            "read_text",
            "write_text",
        }:
            raise AssertionError(f"{path.name}:{node.lineno} uses .{node.attr}")


def test_layering_checker_catches_violations() -> None:
    """The checker itself must fail on a bad import (guards against a test that cannot fail)."""
    tree = ast.parse("from puv.operations.context import Context\nimport puv.index.client\n")
    assert _puv_imports(tree) == {"operations", "index"}
