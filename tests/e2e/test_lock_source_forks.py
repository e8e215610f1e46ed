"""One package from different sources in different environments (`[tool.uv.sources]` with
markers, extras or groups; indexes, local wheels, or a source on one platform and the index
elsewhere): `puv lock` forks and writes uv's `uv.lock` byte for byte, with one entry per (name,
version, source); `puv sync` installs the entry of the running platform (and extra); two sources
for one package in the same environments fail as in uv."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.envtools import base_python
from tests.indexserver import IndexServer

pytestmark = pytest.mark.usefixtures("run_uv")

EXCLUDE_NEWER = ("--exclude-newer", "2026-11-01T00:00:00Z")
BUILD_SYSTEM = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    server = IndexServer(tmp_path_factory.mktemp("default"))
    server.add_wheel("delta", "0.5")
    server.add_wheel("zeta", "1.0")
    server.add_wheel("omega", "1.0", requires_dist=["zeta"])
    with server:
        yield server


@pytest.fixture(scope="module")
def internal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    server = IndexServer(tmp_path_factory.mktemp("internal"))
    server.add_wheel("zeta", "1.0")
    server.add_wheel("zeta", "3.0", requires_dist=["delta"])
    with server:
        yield server


def _project(default: IndexServer, internal: IndexServer, body: str) -> str:
    return (
        '[project]\nname = "split"\nversion = "1.0"\nrequires-python = ">=3.10"\n'
        + body
        + f'[[tool.uv.index]]\nurl = "{default.simple_url}"\ndefault = true\n'
        + f'[[tool.uv.index]]\nname = "internal"\nurl = "{internal.simple_url}"\nexplicit = true\n'
        # the default index again, as an explicit one: the same source
        + f'[[tool.uv.index]]\nname = "other"\nurl = "{default.simple_url}"\nexplicit = true\n'
    )


LINUX_INTERNAL = 'zeta = [{ index = "internal", marker = "sys_platform == \'linux\'" }]\n'
PROJECTS = {
    # a transitive dependent (omega) follows the fork's index
    "marker-and-default": 'dependencies = ["zeta", "omega"]\n[tool.uv.sources]\n' + LINUX_INTERNAL,
    # the same version from two indexes: two entries
    "same-version": 'dependencies = ["zeta<2", "omega"]\n[tool.uv.sources]\n' + LINUX_INTERNAL,
    # conflicting extras and a group, each with its index (one of them the default index)
    "extras-and-group": (
        'dependencies = ["omega"]\n'
        '[project.optional-dependencies]\ncpu = ["zeta"]\ngpu = ["zeta"]\n'
        '[dependency-groups]\ndev = ["zeta<2"]\n'
        '[tool.uv]\nconflicts = [[{ extra = "cpu" }, { extra = "gpu" }, { group = "dev" }]]\n'
        "[tool.uv.sources]\nzeta = [\n"
        '  { index = "internal", extra = "cpu" },\n'
        '  { index = "other", extra = "gpu" },\n'
        '  { index = "internal", group = "dev" },\n]\n'
    ),
}


WHEEL_1 = "../wheels/zeta-1.0-py3-none-any.whl"
WHEEL_3 = "../wheels/zeta-3.0-py3-none-any.whl"
PROJECTS.update(
    {
        # a local wheel per platform, the index for the other platforms
        "wheels-and-index": 'dependencies = ["zeta", "omega"]\n[tool.uv.sources]\nzeta = [\n'
        f'  {{ path = "{WHEEL_3}", marker = "sys_platform == \'linux\'" }},\n'
        f'  {{ path = "{WHEEL_1}", marker = "sys_platform == \'win32\'" }},\n]\n',
        # a local wheel per conflicting extra
        "wheels-by-extra": (
            'dependencies = ["omega"]\n'
            '[project.optional-dependencies]\ncpu = ["zeta"]\ngpu = ["zeta"]\n'
            '[tool.uv]\nconflicts = [[{ extra = "cpu" }, { extra = "gpu" }]]\n'
            "[tool.uv.sources]\nzeta = [\n"
            f'  {{ path = "{WHEEL_3}", extra = "cpu" }},\n'
            f'  {{ path = "{WHEEL_1}", extra = "gpu" }},\n]\n'
        ),
    }
)


def _wheels(tmp_path: Path, internal: IndexServer) -> None:
    """The internal index's wheels of zeta, beside the projects (`../wheels/...`)."""
    (tmp_path / "wheels").mkdir(exist_ok=True)
    for wheel in internal.files():
        shutil.copy(wheel, tmp_path / "wheels" / wheel.name)


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_a_package_from_different_sources_is_locked_as_uv_locks_it(
    tmp_path: Path, default: IndexServer, internal: IndexServer, run_puv, run_uv, name: str
) -> None:
    text = _project(default, internal, PROJECTS[name])
    _wheels(tmp_path, internal)
    for tool in ("puv", "uv"):
        (tmp_path / tool).mkdir()
        (tmp_path / tool / "pyproject.toml").write_text(text)
    args = ("lock", "--python", str(base_python()), *EXCLUDE_NEWER)
    made = run_puv(*args, cwd=tmp_path / "puv")
    assert made.returncode == 0, made.stderr
    assert run_uv(*args, cwd=tmp_path / "uv").returncode == 0
    lock = (tmp_path / "puv" / "uv.lock").read_text()
    assert lock == (tmp_path / "uv" / "uv.lock").read_text()
    assert lock.count('name = "zeta"\n') == (3 if name.startswith("wheels") else 2)
    # each tool accepts the other's lock as up to date
    assert run_puv(*args, "--locked", cwd=tmp_path / "uv").returncode == 0
    assert run_uv(*args, "--locked", cwd=tmp_path / "puv").returncode == 0


def _synced(run_puv, project: Path, *args: str) -> dict[str, str]:
    synced = run_puv("sync", "--python", str(base_python()), *EXCLUDE_NEWER, *args, cwd=project)
    assert synced.returncode == 0, synced.stderr
    listed = run_puv("pip", "list", "--format", "json", cwd=project)
    return {entry["name"]: entry["version"] for entry in json.loads(listed.stdout)}


@pytest.mark.skipif(sys.platform != "linux", reason="the Linux entry is the one synced")
def test_sync_installs_the_entry_of_this_platform(
    tmp_path: Path, default: IndexServer, internal: IndexServer, run_puv
) -> None:
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "pyproject.toml").write_text(
        _project(default, internal, PROJECTS["marker-and-default"])
    )
    versions = _synced(run_puv, tmp_path / "index")
    assert versions == {"delta": "0.5", "omega": "1.0", "zeta": "3.0"}
    assert internal.requests_to("/files/zeta-3.0", "GET")
    _wheels(tmp_path, internal)
    (tmp_path / "wheels-and-index").mkdir()
    (tmp_path / "wheels-and-index" / "pyproject.toml").write_text(
        _project(default, internal, PROJECTS["wheels-and-index"])
    )
    assert _synced(run_puv, tmp_path / "wheels-and-index") == versions


def test_sync_installs_the_entry_of_the_chosen_extra(
    tmp_path: Path, default: IndexServer, internal: IndexServer, run_puv
) -> None:
    _wheels(tmp_path, internal)
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        _project(default, internal, PROJECTS["wheels-by-extra"])
    )
    cpu = _synced(run_puv, project, "--extra", "cpu")
    assert cpu == {"delta": "0.5", "omega": "1.0", "zeta": "3.0"}
    assert _synced(run_puv, project, "--extra", "gpu") == {"omega": "1.0", "zeta": "1.0"}


def test_two_indexes_for_one_package_in_the_same_environments_fail_as_in_uv(
    tmp_path: Path, default: IndexServer, internal: IndexServer, run_puv, run_uv
) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        _project(
            default,
            internal,
            'dependencies = ["zeta", "m"]\n[tool.uv.sources]\nzeta = { index = "internal" }\n'
            'm = { workspace = true }\n[tool.uv.workspace]\nmembers = ["m"]\n',
        )
    )
    (tmp_path / "m" / "pyproject.toml").write_text(
        '[project]\nname = "m"\nversion = "1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["zeta"]\n[tool.uv.sources]\nzeta = { index = "other" }\n' + BUILD_SYSTEM
    )
    args = ("lock", "--python", str(base_python()), *EXCLUDE_NEWER)
    puv = run_puv(*args, cwd=tmp_path)
    uv = run_uv(*args, cwd=tmp_path)
    assert (puv.returncode, uv.returncode) == (1, 1)
    assert "error: Failed to resolve dependencies for package `m==1.0`" in puv.stderr
    assert puv.stderr.split("error: ", 1)[1] == uv.stderr.split("error: ", 1)[1]
    assert not (tmp_path / "uv.lock").exists()
