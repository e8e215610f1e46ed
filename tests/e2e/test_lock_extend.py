"""A lock extended with new requirements (`operations/lock_extend.py`) against uv's full
re-resolution: on a lock with platform and Python forks, each `add` must leave `pyproject.toml`,
`uv.lock` and the status lines byte for byte as `uv add` leaves them, whether puv extended the
lock (the new closure stands apart from the locked packages) or resolved everything again (it
does not); `-v` says which, and each step checks the path it expects.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.test_add_remove_cli import _normalized
from tests.indexserver import IndexServer

EXTENDED = "Extended the existing lockfile"

PROJECT = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [
    "a>=2; sys_platform == 'win32'",
    "a<2; sys_platform != 'win32'",
    "common",
    "winonly; sys_platform == 'win32'",
    "pyfork>=2; python_version >= '3.12'",
    "pyfork<2; python_version < '3.12'",
]

[project.optional-dependencies]
cli = []
"""

# (command, whether puv extends the lock rather than resolving again)
STEPS = [
    (["add", "--no-sync", "leaf"], True),  # no dependencies
    (["add", "--no-sync", "uses-shared"], True),  # depends on a package locked everywhere
    (["add", "--no-sync", "plat"], True),  # a new dependency under a marker, platform wheels
    (["add", "--no-sync", "shared"], True),  # already locked (as a dependency of `common`)
    (["add", "--no-sync", "--dev", "devtool"], True),  # a new group
    (["add", "--no-sync", "--optional", "cli", "withextra[x]"], True),  # an extra of a new one
    (["add", "--no-sync", "win-user"], True),  # uses `winonly` on Windows, as the lock does
    (["add", "--no-sync", "uses-winonly"], False),  # `winonly` is locked for Windows only
    (["add", "--no-sync", "newpy"], True),  # its newest needs Python 3.12: forks as the lock
    (["add", "--no-sync", "newpy311"], False),  # forks at 3.11, where the lock does not
    (["add", "--no-sync", "extra-user"], False),  # asks a locked package for an unused extra
    (["add", "--no-sync", "fast-user"], True),  # the same extra, which the lock now uses
    (["add", "--no-sync", "uses-a-old"], False),  # `a` is locked at two versions, 1.0 the first
    (["add", "--no-sync", "uses-a"], False),  # `a` is locked at two versions
    (["add", "leaf2"], True),  # and synced
    # an upgrade may move any locked package: everything is resolved again
    (["add", "--no-sync", "--upgrade-package", "shared", "leaf4"], False),
    # uv warns about extras a package lacks on every resolution: such a lock is not extended
    (["add", "--no-sync", "wants-nope"], True),
    (["add", "--no-sync", "leaf3"], False),
]

WHY = {
    "uses-winonly": "closure uses `winonly` where the lock does not",
    "newpy311": "closure forks where the lock does not",
    "extra-user": "closure adds a dependency of the locked `common`",
    "uses-a-old": "closure uses `a` where the lock does not, or the lock forks it",
}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    with IndexServer(tmp_path_factory.mktemp("files")) as server:
        for version in ("1.0", "2.0"):
            server.add_wheel("a", version)
            server.add_wheel("pyfork", version)
        server.add_wheel(
            "common",
            "1.0",
            requires_dist=["shared<2", "fast-dep ; extra == 'fast'"],
            provides_extras=["fast"],
        )
        server.add_wheel("fast-dep", "1.0")
        for version in ("1.0", "1.1"):
            server.add_wheel("shared", version)
        server.add_wheel("winonly", "1.0")
        server.add_wheel("leaf", "1.0")
        server.add_wheel("leaf", "1.1")
        server.add_wheel("leaf2", "0.5")
        server.add_wheel("uses-shared", "1.0", requires_dist=["shared>=1.0"])
        server.add_wheel(
            "plat",
            "1.0",
            requires_dist=["winlib ; sys_platform == 'win32'", "oldpy ; python_version < '3.11'"],
        )
        for tag in ("py3-none-win_amd64", "py3-none-manylinux_2_17_x86_64"):
            server.add_wheel("winlib", "1.0", tag=tag)
        server.add_wheel("oldpy", "1.0")
        server.add_wheel("devtool", "3.0", requires_dist=["leaf"])
        server.add_wheel(
            "withextra", "1.0", requires_dist=["xdep ; extra == 'x'"], provides_extras=["x"]
        )
        server.add_wheel("xdep", "1.0")
        server.add_wheel("uses-winonly", "1.0", requires_dist=["winonly"])
        server.add_wheel("win-user", "1.0", requires_dist=["winonly ; sys_platform == 'win32'"])
        server.add_wheel("newpy", "1.0", requires_python=">=3.8")
        server.add_wheel("newpy", "2.0", requires_python=">=3.12")
        server.add_wheel("newpy311", "1.0", requires_python=">=3.8")
        server.add_wheel("newpy311", "2.0", requires_python=">=3.11")
        server.add_wheel("extra-user", "1.0", requires_dist=["common[fast]"])
        server.add_wheel("uses-a", "1.0", requires_dist=["a"])
        server.add_wheel("uses-a-old", "1.0", requires_dist=["a<2 ; sys_platform != 'win32'"])
        server.add_wheel("fast-user", "1.0", requires_dist=["common[fast]"])
        server.add_wheel("wants-nope", "1.0", requires_dist=["nopeleaf[nope]"])
        server.add_wheel("nopeleaf", "1.0")
        server.add_wheel("leaf3", "1.0")
        server.add_wheel("leaf4", "1.0")
        yield server


def test_extended_locks_match_uv(
    index: IndexServer, tmp_path: Path, run_uv: Runner, run_puv: Runner
) -> None:
    env = {"UV_DEFAULT_INDEX": index.simple_url, "UV_EXCLUDE_NEWER": "2030-01-01T00:00:00Z"}
    dirs = {tool: tmp_path / tool for tool in ("uv", "puv")}
    for directory in dirs.values():
        directory.mkdir()
        (directory / "pyproject.toml").write_text(PROJECT)
    assert run_uv("lock", cwd=dirs["uv"], env=env).returncode == 0
    assert run_puv("lock", cwd=dirs["puv"], env=env).returncode == 0
    assert (dirs["puv"] / "uv.lock").read_bytes() == (dirs["uv"] / "uv.lock").read_bytes()
    for args, extends in STEPS:
        label = " ".join(args)
        if "--upgrade-package" in args:
            index.add_wheel("shared", "1.2")  # what the upgrade finds
        expected = run_uv(*args, cwd=dirs["uv"], env=env)
        actual = run_puv("-v", *args, cwd=dirs["puv"], env=env)
        assert expected.returncode == 0, (label, expected.stderr)
        assert actual.returncode == 0, (label, actual.stderr)
        for name in ("pyproject.toml", "uv.lock"):
            assert (dirs["puv"] / name).read_bytes() == (dirs["uv"] / name).read_bytes(), label
        shown = "".join(
            line for line in actual.stderr.splitlines(keepends=True) if "DEBUG" not in line
        )
        assert _normalized(shown).splitlines() == _normalized(expected.stderr).splitlines(), label
        assert (EXTENDED in actual.stderr) == extends, (label, actual.stderr)
        if args[-1] in WHY:  # `-v` says why the lock was not extended
            assert WHY[args[-1]] in actual.stderr, (label, actual.stderr)
    assert 'name = "shared"\nversion = "1.2"' in (dirs["puv"] / "uv.lock").read_text()


ENVIRONMENTS = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["common", "winonly; sys_platform == 'win32'"]

[tool.uv]
environments = ["sys_platform == 'linux'", "sys_platform == 'darwin'"]
"""

ENVIRONMENT_STEPS = [
    (["add", "--no-sync", "leaf"], True),  # one fork per environment, the same versions
    (["add", "--no-sync", "plat"], True),  # `winlib` is for Windows, outside the environments
    (["add", "--no-sync", "uses-shared"], True),
]


def test_extended_locks_with_environments_match_uv(
    index: IndexServer, tmp_path: Path, run_uv: Runner, run_puv: Runner
) -> None:
    env = {"UV_DEFAULT_INDEX": index.simple_url, "UV_EXCLUDE_NEWER": "2030-01-01T00:00:00Z"}
    dirs = {tool: tmp_path / tool for tool in ("uv", "puv")}
    for tool, run in (("uv", run_uv), ("puv", run_puv)):
        dirs[tool].mkdir()
        (dirs[tool] / "pyproject.toml").write_text(ENVIRONMENTS)
        assert run("lock", cwd=dirs[tool], env=env).returncode == 0
    assert (dirs["puv"] / "uv.lock").read_bytes() == (dirs["uv"] / "uv.lock").read_bytes()
    for args, extends in ENVIRONMENT_STEPS:
        assert run_uv(*args, cwd=dirs["uv"], env=env).returncode == 0
        actual = run_puv("-v", *args, cwd=dirs["puv"], env=env)
        assert actual.returncode == 0, actual.stderr
        assert (dirs["puv"] / "uv.lock").read_bytes() == (dirs["uv"] / "uv.lock").read_bytes(), args
        assert (EXTENDED in actual.stderr) == extends, (args, actual.stderr)


def test_a_lock_made_by_uv_is_extended_once_resolved_without_warnings(
    index: IndexServer, tmp_path: Path, run_uv: Runner, run_puv: Runner
) -> None:
    """puv cannot tell whether uv's resolution of a lock warned; a resolution of its own that
    finds the same lock (and warns about nothing) records it, and the next `add` extends it."""
    env = {"UV_DEFAULT_INDEX": index.simple_url, "UV_EXCLUDE_NEWER": "2030-01-01T00:00:00Z"}
    (tmp_path / "pyproject.toml").write_text(PROJECT)
    assert run_uv("lock", cwd=tmp_path, env=env).returncode == 0
    made = (tmp_path / "uv.lock").read_bytes()
    resolved = run_puv("-v", "lock", "--upgrade", cwd=tmp_path, env=env)
    assert resolved.returncode == 0, resolved.stderr
    assert (tmp_path / "uv.lock").read_bytes() == made
    added = run_puv("-v", "add", "--no-sync", "leaf", cwd=tmp_path, env=env)
    assert added.returncode == 0, added.stderr
    assert EXTENDED in added.stderr


def test_an_unchanged_lock_is_kept_and_a_changed_one_checked(
    index: IndexServer, tmp_path: Path, run_puv: Runner
) -> None:
    """`--locked` after an extension passes; `--locked` with a new requirement fails as before
    (the extension is computed, not written)."""
    env = {"UV_DEFAULT_INDEX": index.simple_url, "UV_EXCLUDE_NEWER": "2030-01-01T00:00:00Z"}
    (tmp_path / "pyproject.toml").write_text(PROJECT)
    assert run_puv("lock", cwd=tmp_path, env=env).returncode == 0
    assert run_puv("add", "--no-sync", "leaf", cwd=tmp_path, env=env).returncode == 0
    assert run_puv("lock", "--locked", cwd=tmp_path, env=env).returncode == 0
    before = (tmp_path / "uv.lock").read_bytes()
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"common",', '"common",\n    "leaf2",'))
    refused = run_puv("lock", "--locked", cwd=tmp_path, env=env)
    assert refused.returncode != 0
    assert "needs to be updated" in refused.stderr
    assert (tmp_path / "uv.lock").read_bytes() == before
