"""`puv pip install` with full resolution, side by side with uv against a local index.

Dependencies, extras, constraints and overrides, `-U` / `-P`, `--reinstall`, `--no-deps`,
`--exact`, `--dry-run` / `--check`, requirements from `pyproject.toml` and dependency groups, and
installed packages kept when they still fit: the same exit code, stdout and stderr (durations
masked) as uv, and the same installed packages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.test_pip_sync_cli import Twins, make_twins
from tests.indexserver import IndexServer
from tests.wheelmaker import write_wheel


def _wheel(index: IndexServer, name: str, version: str, *headers: str) -> None:
    package = name.replace("-", "_")
    write_wheel(index.root, {f"{package}/__init__.py": f"VERSION = {version!r}\n"}, name=name,
                version=version, metadata_headers=headers)  # fmt: skip


@pytest.fixture
def index(tmp_path: Path) -> Iterator[IndexServer]:
    with IndexServer(tmp_path / "index") as server:
        _wheel(server, "alpha", "1.0", "Requires-Dist: beta>=1")
        _wheel(server, "alpha", "2.0", "Requires-Dist: beta>=2",
               "Requires-Dist: gamma ; extra == 'g'", "Provides-Extra: g")  # fmt: skip
        for version in ("1.0", "2.0", "3.0"):
            _wheel(server, "beta", version)
        _wheel(server, "gamma", "1.0", "Requires-Dist: beta<3 ; python_version >= '3'")
        _wheel(server, "delta", "1.0", "Requires-Dist: alpha")
        _wheel(server, "legacy", "1.0", "Requires-Dist: gamma ; extra == 'x'")
        _wheel(server, "pre", "1.0")
        _wheel(server, "pre", "2.0b1")
        yield server


@pytest.fixture
def pair(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> Twins:
    return make_twins(tmp_path, run_uv, run_puv)


def _install(pair: Twins, index: IndexServer, *args: str) -> str:
    return pair.same("pip", "install", "-p", "env", "-i", index.simple_url, *args)


def test_dependencies_upgrades_and_previews(pair: Twins, index: IndexServer) -> None:
    first = _install(pair, index, "alpha")
    assert "Resolved 2 packages in T\n" in first and " + beta==3.0\n" in first
    assert "Checked 1 package in T\n" in _install(pair, index, "alpha")
    assert " + gamma==1.0\n" in _install(pair, index, "alpha[g]", "--dry-run")
    assert "Would make no changes" in _install(pair, index, "alpha", "--dry-run")
    _install(pair, index, "beta==1.0")  # breaks alpha's requirement: uv does not mind
    assert " - beta==1.0\n + beta==3.0\n" in _install(pair, index, "alpha")  # repaired
    _install(pair, index, "beta==2.0")
    kept = _install(pair, index, "delta")
    assert "beta" not in kept  # the installed beta 2.0 still fits: kept
    assert " - beta==2.0\n + beta==3.0\n" in _install(pair, index, "delta", "-P", "beta")
    assert "Checked 3 packages in T\nWould make no changes\n" in _install(
        pair, index, "delta", "-U", "--dry-run"
    )
    _install(pair, index, "delta", "--reinstall")
    _install(pair, index, "delta", "--reinstall-package", "beta")
    pair.same("pip", "freeze", "-p", "env")


def test_check_exits_1_when_changes_are_needed(pair: Twins, index: IndexServer) -> None:
    assert "Would install 2 packages" in _install(pair, index, "alpha", "--check")
    _install(pair, index, "alpha")
    assert "Would make no changes" in _install(pair, index, "alpha", "--check")
    _install(pair, index, "beta==1", "--check", "-q")
    both = pair.run_puv("pip", "install", "alpha", "--check", "--dry-run", cwd=pair.dir("puv"))
    assert both.returncode == 2 and "cannot be used with" in both.stderr


def test_extras_markers_and_missing_extras(pair: Twins, index: IndexServer) -> None:
    _install(pair, index, "alpha[g]", "pre")
    warned = _install(pair, index, "legacy[x]")  # `x` is used but not declared
    assert "warning: The package `legacy==1.0` does not have an extra named `x`" in warned
    _install(pair, index, "gamma ; python_version < '3'", "--exact")
    pair.same("pip", "freeze", "-p", "env")


def test_constraints_overrides_and_prereleases(pair: Twins, index: IndexServer) -> None:
    pair.write("constraints.txt", "beta<3\n")
    pair.write("overrides.txt", "beta==1.0\n")
    assert " + beta==2.0\n" in _install(pair, index, "alpha", "-c", "constraints.txt")
    assert " + beta==1.0\n" in _install(
        pair, index, "alpha", "--override", "overrides.txt", "--dry-run"
    )
    env = {"UV_CONSTRAINT": "constraints.txt", "UV_OVERRIDE": "overrides.txt"}
    pair.same("pip", "install", "-p", "env", "-i", index.simple_url, "delta", "--dry-run", env=env)
    assert " + pre==2.0b1\n" in _install(pair, index, "pre", "--prerelease", "allow")
    assert " + pre==1.0\n" in _install(pair, index, "pre<2")
    _install(pair, index, "beta", "--resolution", "lowest", "--reinstall", "--dry-run")


def test_no_deps_exact_and_failures(pair: Twins, index: IndexServer) -> None:
    assert "beta" not in _install(pair, index, "delta", "--no-deps")
    assert " - delta==1.0\n" in _install(pair, index, "gamma", "--exact")
    assert "No solution found" in _install(pair, index, "alpha>=2", "beta<2")
    assert "not found in the package registry" in _install(pair, index, "nosuch")
    assert "we can conclude that your requirements are unsatisfiable" in _install(
        pair, index, "alpha==3"
    )


def test_project_sources_and_groups(pair: Twins, index: IndexServer) -> None:
    pyproject = (
        '[project]\nname = "proj"\nversion = "0.1"\ndependencies = ["beta<3"]\n'
        '[project.optional-dependencies]\ng = ["gamma"]\n'
        '[dependency-groups]\ndev = ["delta", {include-group = "lint"}]\nlint = ["beta==1.0"]\n'
    )
    for tool in ("uv", "puv"):
        (pair.dir(tool) / "proj").mkdir()
    pair.write("proj/pyproject.toml", pyproject)
    _install(pair, index, "-r", "proj/pyproject.toml", "--extra", "g", "--dry-run")
    _install(pair, index, "-r", "proj/pyproject.toml", "--all-extras", "--dry-run")
    assert "Requested extra not found: nope" in _install(
        pair, index, "-r", "proj/pyproject.toml", "--extra", "nope"
    )
    assert "Use `package[extra]` syntax instead" in _install(pair, index, "beta", "--extra", "g")
    _install(pair, index, "--group", "proj/pyproject.toml:dev", "--dry-run")
    assert "was not found in the project" in _install(
        pair, index, "--group", "proj/pyproject.toml:nope"
    )
    missing = _install(pair, index, "--group", "nowhere/pyproject.toml:dev")
    assert "Failed to read dependency groups from: nowhere/pyproject.toml" in missing
    _install(pair, index, "-r", "proj/pyproject.toml", "--group", "proj/pyproject.toml:lint")
    pair.same("pip", "freeze", "-p", "env")


def test_a_satisfied_install_makes_no_request(pair: Twins, index: IndexServer) -> None:
    where = pair.dir("puv")
    args = ("pip", "install", "delta", "-p", "env", "-i", index.simple_url)
    assert pair.run_puv(*args, cwd=where).returncode == 0
    index.reset()
    again = pair.run_puv(*args, cwd=where)
    assert again.returncode == 0 and "Checked 1 package in" in again.stderr
    assert index.requests == [] and again.stderr.count("\n") == 2


def test_sync_check_and_constraints(pair: Twins, index: IndexServer) -> None:
    pair.write("reqs.txt", "beta\nalpha==1.0\n")
    pair.write("constraints.txt", "beta<3\n")
    sync = ("pip", "sync", "reqs.txt", "-p", "env", "-i", index.simple_url, "-c", "constraints.txt")
    assert "Would install 2 packages" in pair.same(*sync, "--check")
    assert " + beta==2.0\n" in pair.same(*sync)
    assert "Would make no changes" in pair.same(*sync, "--check")
