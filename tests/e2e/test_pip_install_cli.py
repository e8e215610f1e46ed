"""`puv pip install` and `puv pip uninstall` against a local index, side by side with uv."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.test_pip_sync_cli import Twins, make_twins
from tests.indexserver import IndexServer
from tests.wheelmaker import write_wheel


@pytest.fixture
def pair(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> Twins:
    return make_twins(tmp_path, run_uv, run_puv)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[IndexServer]:
    with IndexServer(tmp_path / "index") as server:
        server.add_wheel("six", "1.16.0", {"six.py": b"X = 1\n"})
        server.add_wheel("six", "1.17.0", {"six.py": b"X = 2\n"})
        server.add_wheel("beta", "1.0")
        server.add_wheel("yk", "1.0")
        server.add_wheel("yk", "2.0")
        server.yank("yk-2.0-py3-none-any.whl", "broken build")
        server.add_wheel("bare-yank", "1.0")
        server.yank("bare_yank-1.0-py3-none-any.whl")
        server.add_wheel("needs-gamma", "1.0", requires_dist=["gamma>=1"])
        server.add_wheel("gamma", "1.0")
        yield server


def test_install_sequence_matches_uv(pair: Twins, index: IndexServer) -> None:
    url = index.simple_url
    assert " + six==1.17.0" in pair.same("pip", "install", "six", "-p", "env", "-i", url)
    assert "Checked 1 package" in pair.same("pip", "install", "six", "-p", "env", "-i", url)
    pair.same("pip", "install", "six==1.16.0", "-p", "env", "-i", url)
    pair.same("pip", "install", "six", "beta", "-p", "env", "-i", url, "--dry-run")
    pair.same("pip", "install", "six", "-p", "env", "-i", url, "--dry-run")
    pair.same("pip", "install", "six", "--reinstall", "-p", "env", "-i", url)
    # (uv orders several yank warnings arbitrarily: one package per command.)
    yanked = pair.same("pip", "install", "yk==2.0", "-p", "env", "-i", url)
    assert 'warning: `yk==2.0` is yanked (reason: "broken build")' in yanked
    bare = pair.same("pip", "install", "bare-yank==1.0", "-p", "env", "-i", url)
    assert "warning: `bare-yank==1.0` is yanked\n" in bare
    assert "Checked 1 package" in pair.same("pip", "install", "yk", "-p", "env", "-i", url)
    pair.same("pip", "freeze", "-p", "env")
    pair.write("reqs.txt", "beta==1.0\nsix==1.17.0\n")
    pair.same("pip", "install", "-r", "reqs.txt", "-p", "env", "-i", url)


@pytest.mark.parametrize(
    "requirements",
    [["nosuch"], ["six==9"], ["nosuch", "six==9"], ["six>2"], ["six<1"]],
    ids=lambda r: " ".join(r),
)
def test_unsatisfiable_requests_match_uv(
    pair: Twins, index: IndexServer, requirements: list[str]
) -> None:
    result = pair.same("pip", "install", *requirements, "-p", "env", "-i", index.simple_url)
    assert "error: No solution found when resolving dependencies" in result


def test_incompatible_wheels_match_uv(pair: Twins, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    tag = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    write_wheel(wheels, {"winonly/__init__.py": ""}, name="winonly", version="1.0",
                tag=f"{tag}-{tag}-win_amd64")  # fmt: skip
    write_wheel(wheels, {"old/__init__.py": ""}, name="old", version="1.0", tag="py2-none-any")
    write_wheel(wheels, {"abi/__init__.py": ""}, name="abi", version="1.0",
                tag=f"{tag}-{tag}m-manylinux_2_17_x86_64")  # fmt: skip
    for requirement in ("winonly", "winonly==1.0", "old", "abi"):
        result = pair.same(
            "pip", "install", requirement, "-p", "env", "--no-index", "-f", str(wheels)
        )
        assert "hint:" in result


def test_direct_references_match_uv(pair: Twins, index: IndexServer, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    local = write_wheel(wheels, {"gamma/__init__.py": ""}, name="gamma", version="0.5")
    remote = index.file_url("beta-1.0-py3-none-any.whl")
    added = pair.same("pip", "install", str(local), "-p", "env")
    assert f" + gamma==0.5 (from {local.as_uri()})" in added
    assert "Checked 1 package" in pair.same("pip", "install", str(local), "-p", "env")
    pair.same("pip", "install", f"gamma @ {local.as_uri()}", "-p", "env")
    assert f" + beta @ {remote}" in pair.same("pip", "install", remote, "-p", "env", "--dry-run")
    pair.same("pip", "install", f"beta @ {remote}", "-p", "env")
    pair.same("pip", "install", str(local), "-p", "env", "--reinstall")
    pair.write("reqs.txt", f"{remote}\n")
    removed = pair.same("pip", "sync", "reqs.txt", "-p", "env")
    assert f" - gamma==0.5 (from {local.as_uri()})" in removed
    pair.write("missing.txt", f"{tmp_path / 'nowhere' / 'x-1.0-py3-none-any.whl'}\n")
    assert "Distribution not found at" in pair.same("pip", "sync", "missing.txt", "-p", "env")


def test_uninstall_matches_uv(pair: Twins, index: IndexServer) -> None:
    pair.same("pip", "install", "six", "beta", "yk", "-p", "env", "-i", index.simple_url)
    pair.write("remove.txt", "# gone\nbeta==1.0\nnothere\n")
    dry = pair.same("pip", "uninstall", "Not_Here", "SIX", "beta", "-p", "env", "--dry-run")
    assert "Would uninstall 2 packages" in dry
    removed = pair.same("pip", "uninstall", "zzz", "six>=5", "Not_Here", "-p", "env")
    assert "warning: Skipping not-here as it is not installed\nwarning: Skipping zzz" in removed
    pair.same("pip", "uninstall", "-r", "remove.txt", "-p", "env")
    assert "warning: No packages to uninstall" in pair.same("pip", "uninstall", "six", "-p", "env")
    pair.same("pip", "uninstall", "yk", "-p", "env", "-q")
    pair.same("pip", "freeze", "-p", "env")


def test_install_resolves_dependencies_as_uv(pair: Twins, index: IndexServer) -> None:
    url = index.simple_url
    assert " + gamma==1.0" in pair.same("pip", "install", "needs-gamma", "-p", "env", "-i", url)
    assert "Checked 1 package" in pair.same("pip", "install", "needs-gamma", "-p", "env", "-i", url)
    pair.same("pip", "install", "needs-gamma", "--no-deps", "--reinstall", "-p", "env", "-i", url)
    pair.same("pip", "freeze", "-p", "env")


def test_usage_errors(pair: Twins, tmp_path: Path) -> None:
    where = pair.dir("puv")
    nothing = pair.run_puv("pip", "install", "-p", "env", cwd=where)
    assert nothing.returncode == 2
    assert nothing.stderr.startswith(
        "error: the following required arguments were not provided:\n"
        "  <PACKAGE|--requirements <REQUIREMENTS>|--editable <EDITABLE>|--group <GROUP>>\n"
    )
    assert pair.run_puv("pip", "uninstall", "-p", "env", cwd=where).returncode == 2
    assert pair.run_puv("pip", "sync", "-p", "env", cwd=where).returncode == 2
    unknown = pair.run_puv("pip", "install", "six", "--no-such-flag", cwd=where)
    assert unknown.returncode == 2
    assert "unexpected argument '--no-such-flag'" in unknown.stderr
    editable = pair.run_puv("pip", "install", "-e", str(tmp_path), "-p", "env", cwd=where)
    assert editable.returncode == 2
    assert f"error: Cannot tell the name of the source tree at `{tmp_path}`" in editable.stderr
    assert "Traceback" not in editable.stderr
