"""`puv pip tree` over a real virtual environment, compared byte for byte with `uv pip tree`.

The environment is made by uv from a local index (`--no-deps`, so that what is installed is
exactly what the test says): shared dependencies, version specifiers, a marker that does not
hold, an extra nobody asked for, a requirement whose installed version does not satisfy it, a
requirement that is not installed, and packages with newer releases on the index.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import UV, Runner, _environment
from tests.indexserver import IndexServer

INSTALLED = (
    "alpha==2.0", "beta==2.0", "gamma==1.0", "delta==1.0", "epsilon==1.0", "app==1.0",
    "needs-missing==1.0", "tool==1.0",
)  # fmt: skip


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    """The packages of the environment, and newer releases for `--outdated`."""
    with IndexServer(tmp_path_factory.mktemp("tree-index")) as server:
        server.add_wheel("alpha", "2.0", requires_dist=["beta>=2", "gamma"])
        server.add_wheel("beta", "2.0")
        server.add_wheel("beta", "3.1")
        server.add_wheel("beta", "4.0a1")
        server.add_wheel("beta", "5.0", requires_python=">=3.99")
        server.add_wheel("gamma", "1.0", requires_dist=["beta<3", 'epsilon ; extra == "fast"'])
        server.add_wheel("gamma", "1.1", tag="cp27-cp27m-win32")
        server.add_wheel("delta", "1.0", requires_dist=["beta>=1,<3,!=1.5", "gamma>=0.9"])
        server.add_wheel("epsilon", "1.0")
        server.add_wheel(
            "app",
            "1.0",
            requires_dist=["alpha>1", "delta", 'win-only ; sys_platform == "win32"', "beta>=1.5"],
        )
        server.add_wheel("needs-missing", "1.0", requires_dist=["not-installed>=2", "beta>=3"])
        server.add_wheel("tool", "1.0", requires_dist=["delta[extra]"])
        server.add_wheel("tool", "1.2")
        yield server


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, index: IndexServer) -> Path:
    """A virtual environment holding exactly `INSTALLED`, made by uv."""
    if UV is None:
        pytest.skip("uv is not installed")
    root = tmp_path_factory.mktemp("tree-venv")
    env = _environment(root, "uv", None)
    subprocess.run([UV, "venv", "-q", str(root / "venv")], check=True, env=env, cwd=root)
    subprocess.run(
        [UV, "pip", "install", "-q", "--no-deps", "-p", str(root / "venv" / "bin" / "python"),
         "--index-url", index.simple_url, *INSTALLED],
        check=True, env=env, cwd=root,
    )  # fmt: skip
    return root / "venv"


def _both(
    run_puv: Runner, run_uv: Runner, venv: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    env = {"VIRTUAL_ENV": str(venv)}
    full = ("pip", "tree", *args)
    return run_puv(*full, env=env), run_uv(*full, env=env)


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--show-version-specifiers",),
        ("--invert", "--show-version-specifiers"),
        ("--depth", "1"),
        ("-d", "0", "--invert"),
        ("--package", "delta", "--package", "Epsilon"),
        ("--invert", "--package", "beta", "--show-version-specifiers"),
        ("--prune", "gamma", "--prune", "alpha"),
        ("--no-dedupe",),
        ("--no-dedupe", "--invert", "--depth", "2"),
        ("--reverse", "--prune", "beta"),
        ("--show-sizes", "--no-strict"),
        ("--strict", "--package", "needs-missing"),
    ],
    ids=lambda args: " ".join(args) or "default",
)
def test_tree_matches_uv(
    run_puv: Runner, run_uv: Runner, venv: Path, args: tuple[str, ...]
) -> None:
    puv, uv = _both(run_puv, run_uv, venv, *args)
    assert uv.returncode == 0, uv.stderr
    assert puv.returncode == 0, puv.stderr
    assert puv.stdout == uv.stdout
    assert puv.stderr == uv.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--outdated",),
        ("--outdated", "--show-version-specifiers", "--invert"),
        ("--outdated", "--exclude-newer", "2024-06-01T00:00:00Z"),
        (
            "--outdated",
            "--exclude-newer",
            "2024-06-01",
            "--exclude-newer-package",
            "beta=2026-01-01",
        ),
    ],
    ids=lambda args: " ".join(args),
)
def test_outdated_matches_uv(
    run_puv: Runner, run_uv: Runner, venv: Path, index: IndexServer, args: tuple[str, ...]
) -> None:
    puv, uv = _both(run_puv, run_uv, venv, *args, "--index-url", index.simple_url)
    assert uv.returncode == 0, uv.stderr
    assert puv.stdout == uv.stdout
    assert puv.stderr == uv.stderr
    if "--exclude-newer" not in args:
        assert "(latest: v1.2)" in puv.stdout
    if "--exclude-newer" not in args or "--exclude-newer-package" in args:
        assert "(latest: v3.1)" in puv.stdout


def test_a_depth_beyond_255_is_a_usage_error(run_puv: Runner, run_uv: Runner, venv: Path) -> None:
    puv, uv = _both(run_puv, run_uv, venv, "--depth", "256")
    assert puv.returncode == uv.returncode == 2
    assert puv.stderr.startswith("error: invalid value '256' for '--depth <DEPTH>'")


def test_an_empty_environment_prints_nothing(
    run_puv: Runner, run_uv: Runner, tmp_path: Path
) -> None:
    if UV is None:
        pytest.skip("uv is not installed")
    subprocess.run([UV, "venv", "-q", str(tmp_path / "empty")], check=True,
                   env=_environment(tmp_path, "uv", None))  # fmt: skip
    puv, uv = _both(run_puv, run_uv, tmp_path / "empty")
    assert puv.returncode == uv.returncode == 0
    assert puv.stdout == uv.stdout == ""
    assert puv.stderr == uv.stderr
