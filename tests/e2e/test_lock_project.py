"""`puv lock` against the real `uv lock`: the same project gives the same `uv.lock`, byte for byte.

Projects are resolved against a local index (wheels and sdists from `tests.wheelmaker`) covering
workspaces (editable, virtual and non-project roots), extras, dependency groups, marker forks,
`requires-python` forks, platform wheels, an explicit named index, constraints and overrides;
the `network` tests lock the projects of `../shared/bench` against PyPI with a fixed
`--exclude-newer`. Each lock is also accepted by the other tool's `--locked`, and the freshness
rules (revision 3 kept, stale `--locked` fails, `--frozen`, `--dry-run`, upgrades) match uv's.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.envtools import base_python
from tests.indexserver import IndexServer

pytestmark = pytest.mark.usefixtures("run_uv")

BUILD_SYSTEM = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    server = IndexServer(tmp_path_factory.mktemp("index"))
    server.add_wheel("alpha", "1.0", requires_dist=["beta>=1", "gamma; extra == 'fast'"])
    server.add_sdist("alpha", "1.0")
    server.add_wheel("beta", "1.0")
    server.add_wheel("beta", "2.0", requires_python=">=3.11")
    server.add_wheel("beta", "2.1b1")
    for tag in (
        "manylinux_2_17_x86_64",
        "manylinux_2_17_aarch64",
        "win_amd64",
        "macosx_11_0_arm64",
    ):
        server.add_wheel("gamma", "1.0", tag=f"py3-none-{tag}")
    server.add_wheel("gamma", "1.0", tag="cp38-cp38-manylinux_2_17_x86_64")
    server.add_wheel("delta", "0.5")
    server.add_wheel("delta", "0.6", requires_dist=["beta; python_version < '3.12'"])
    server.add_wheel("epsilon", "1.0")
    server.add_wheel("epsilon", "2.0", requires_dist=["delta"])
    server.add_wheel("zeta", "1.0")
    with server:
        yield server


@pytest.fixture(scope="module")
def internal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    """A second index, used only through an explicit `[[tool.uv.index]]`."""
    server = IndexServer(tmp_path_factory.mktemp("internal"))
    server.add_wheel("zeta", "3.0", requires_dist=["delta"])
    with server:
        yield server


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _default_index(index: IndexServer) -> str:
    return f'[[tool.uv.index]]\nurl = "{index.simple_url}"\ndefault = true\n'


def editable_workspace(root: Path, index: IndexServer, internal: IndexServer) -> None:
    """An editable root with a member, extras, groups (one empty), default groups, a
    `requires-python` fork, constraints and overrides."""
    _write(
        root / "pyproject.toml",
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n'
        'dependencies = ["alpha[fast]", "beta", "lib"]\n'
        '[project.optional-dependencies]\nextra1 = ["delta"]\n'
        '[dependency-groups]\ndev = ["delta>=0.1"]\nempty = []\n'
        '[tool.uv]\ndefault-groups = ["dev", "empty"]\n'
        'constraint-dependencies = ["beta<3"]\noverride-dependencies = ["delta==0.5"]\n'
        "[tool.uv.sources]\nlib = { workspace = true }\n"
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n' + _default_index(index) + BUILD_SYSTEM,
    )
    _write(
        root / "packages" / "lib" / "pyproject.toml",
        '[project]\nname = "lib"\nversion = "0.2.0"\nrequires-python = ">=3.9"\n'
        "dependencies = [\"beta; sys_platform == 'linux'\"]\n" + BUILD_SYSTEM,
    )


def marker_forks(root: Path, index: IndexServer, internal: IndexServer) -> None:
    """A virtual project whose requirements fork on the platform, platform-only wheels, and a
    package pinned to an explicit index."""
    _write(
        root / "pyproject.toml",
        '[project]\nname = "forks"\nversion = "1.0"\nrequires-python = ">=3.10"\n'
        "dependencies = [\n"
        "    \"epsilon<2 ; sys_platform == 'win32'\",\n"
        "    \"epsilon>=2 ; sys_platform != 'win32'\",\n"
        "    \"gamma ; sys_platform == 'linux' and platform_machine == 'x86_64'\",\n"
        '    "zeta",\n'
        "]\n"
        '[project.optional-dependencies]\nfast = ["alpha[fast]"]\n'
        '[dependency-groups]\ndev = ["delta"]\nlint = [{ include-group = "dev" }, "beta==1.0"]\n'
        '[tool.uv.sources]\nzeta = { index = "internal" }\n'
        + _default_index(index)
        + f'[[tool.uv.index]]\nname = "internal"\nurl = "{internal.simple_url}"\nexplicit = true\n',
    )


def virtual_root(root: Path, index: IndexServer, internal: IndexServer) -> None:
    """A root without `[project]`: members depending on each other, the root's own groups in
    `[manifest]`, and `environments`."""
    _write(
        root / "pyproject.toml",
        '[dependency-groups]\nlint = ["delta"]\n[tool.uv]\n'
        "environments = [\"sys_platform == 'linux'\", \"sys_platform == 'darwin'\"]\n"
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
        "[tool.uv.sources]\na = { workspace = true }\n" + _default_index(index),
    )
    _write(
        root / "packages" / "a" / "pyproject.toml",
        '[project]\nname = "a"\nversion = "0.3.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["alpha", "gamma"]\n' + BUILD_SYSTEM,
    )
    _write(
        root / "packages" / "b" / "pyproject.toml",
        '[project]\nname = "b"\nversion = "1.2"\nrequires-python = ">=3.11"\n'
        'dependencies = ["a", "epsilon"]\n[tool.uv.sources]\na = { workspace = true }\n',
    )


SCENARIOS: dict[str, Callable[[Path, IndexServer, IndexServer], None]] = {
    "editable-workspace": editable_workspace,
    "marker-forks": marker_forks,
    "virtual-root": virtual_root,
}
EXCLUDE_NEWER = ("--exclude-newer", "2026-11-01T00:00:00Z")


def _lock_args() -> list[str]:
    return ["lock", "--python", str(base_python()), *EXCLUDE_NEWER]


def _copy_project(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("uv.lock"))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_lock_is_byte_identical_to_uv(
    tmp_path: Path, index: IndexServer, internal: IndexServer, run_puv, run_uv, scenario: str
) -> None:
    with_uv, with_puv = tmp_path / "uv", tmp_path / "puv"
    SCENARIOS[scenario](with_uv, index, internal)
    _copy_project(with_uv, with_puv)
    uv = run_uv(*_lock_args(), cwd=with_uv)
    assert uv.returncode == 0, uv.stderr
    puv = run_puv(*_lock_args(), cwd=with_puv)
    assert puv.returncode == 0, puv.stderr
    assert (with_puv / "uv.lock").read_text() == (with_uv / "uv.lock").read_text()
    assert puv.stderr.splitlines()[-1].startswith(uv.stderr.splitlines()[-1].split(" in ")[0])
    # Each tool accepts the other's lock as up to date.
    assert run_uv("lock", "--locked", *EXCLUDE_NEWER, cwd=with_puv).returncode == 0
    again = run_puv("lock", "--locked", *EXCLUDE_NEWER, cwd=with_uv)
    assert again.returncode == 0, again.stderr


def test_revision_3_lock_is_up_to_date_and_untouched(
    tmp_path: Path, index: IndexServer, internal: IndexServer, run_puv, run_uv
) -> None:
    editable_workspace(tmp_path, index, internal)
    assert run_uv(*_lock_args(), cwd=tmp_path).returncode == 0
    lock = tmp_path / "uv.lock"
    older = lock.read_text().replace("revision = 5\n", "revision = 3\n", 1)
    lock.write_text(older)
    result = run_puv(*_lock_args(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert lock.read_text() == older
    assert run_puv("lock", "--locked", *EXCLUDE_NEWER, cwd=tmp_path).returncode == 0


def test_stale_lock_with_locked_fails_as_uv(
    tmp_path: Path, index: IndexServer, internal: IndexServer, run_puv, run_uv
) -> None:
    marker_forks(tmp_path, index, internal)
    assert run_puv(*_lock_args(), cwd=tmp_path).returncode == 0
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"zeta",\n', '"zeta",\n    "delta",\n'))
    before = (tmp_path / "uv.lock").read_text()
    uv = run_uv("lock", "--locked", *EXCLUDE_NEWER, cwd=tmp_path)
    puv = run_puv("lock", "--locked", *EXCLUDE_NEWER, cwd=tmp_path)
    assert (puv.returncode, uv.returncode) == (1, 1)
    expected = uv.stderr[uv.stderr.index("error:") :].replace("`uv lock`", "`puv lock`")
    assert puv.stderr[puv.stderr.index("error:") :] == expected
    assert (tmp_path / "uv.lock").read_text() == before


def test_missing_lock_with_frozen_or_locked(tmp_path: Path, run_puv, run_uv) -> None:
    _write(tmp_path / "pyproject.toml", '[project]\nname = "p"\nversion = "1"\ndependencies = []\n')
    for flag in ("--frozen", "--locked"):
        uv = run_uv("lock", flag, cwd=tmp_path)
        puv = run_puv("lock", flag, cwd=tmp_path)
        assert (puv.returncode, uv.returncode) == (1, 1)
        expected = uv.stderr[uv.stderr.index("error:") :].replace("`uv ", "`puv ")
        assert puv.stderr[puv.stderr.index("error:") :] == expected
    assert not (tmp_path / "uv.lock").exists()


def test_upgrade_reports_changes_like_uv(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, run_puv, run_uv
) -> None:
    """Lock, publish newer versions, then `lock` keeps the pins and `lock -U` reports
    `Updated ...` / `Added ...` lines (and `--dry-run` the `Update ...` form) as uv does."""
    server = IndexServer(tmp_path_factory.mktemp("growing"))
    server.add_wheel("beta", "1.0")
    server.add_wheel("epsilon", "1.0")
    with server:
        projects = {tool: tmp_path / tool for tool in ("uv", "puv")}
        for project in projects.values():
            _write(
                project / "pyproject.toml",
                '[project]\nname = "p"\nversion = "1"\nrequires-python = ">=3.10"\n'
                'dependencies = ["beta", "epsilon"]\n' + _default_index(server),
            )
        runs = {"uv": run_uv, "puv": run_puv}
        for tool, project in projects.items():
            assert runs[tool]("lock", cwd=project).returncode == 0
        server.add_wheel("beta", "2.0")
        server.add_wheel("epsilon", "2.0", requires_dist=["delta"])
        server.add_wheel("delta", "0.5")
        outputs = {}
        for tool, project in projects.items():
            kept = runs[tool]("lock", "--refresh", cwd=project)
            assert "beta" not in kept.stderr
            dry = runs[tool]("lock", "--refresh", "-U", "--dry-run", cwd=project)
            real = runs[tool]("lock", "--refresh", "-U", cwd=project)
            outputs[tool] = [_changes(dry.stderr), _changes(real.stderr)]
        assert outputs["puv"] == outputs["uv"]
        assert outputs["uv"][1] == [
            "Added delta v0.5",
            "Updated beta v1.0 -> v2.0",
            "Updated epsilon v1.0 -> v2.0",
        ]
        assert (projects["puv"] / "uv.lock").read_text() == (projects["uv"] / "uv.lock").read_text()


GROUPS_PROJECT = (
    '[project]\nname = "p"\nversion = "1"\nrequires-python = ">=3.10"\ndependencies = ["beta"]\n'
    '[dependency-groups]\ndev = ["epsilon"]\nlint = ["delta", { include-group = "dev" }]\n'
)


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        ("lock", ("--upgrade-group", "dev", "--dry-run")),
        ("lock", ("--upgrade-group", "lint")),
        ("lock", ("--upgrade-group", "dev", "-P", "beta")),
        ("sync", ("--upgrade-group", "dev")),
    ],
)
def test_upgrade_group_upgrades_what_the_group_names_like_uv(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    run_puv,
    run_uv,
    command: str,
    flags: tuple[str, ...],
) -> None:
    """`--upgrade-group` frees the packages a group (with its included groups) depends on
    directly, and nothing else, as uv does; the lock files agree byte for byte."""
    server = IndexServer(tmp_path_factory.mktemp("groups"))
    for name in ("beta", "delta", "epsilon"):
        server.add_wheel(name, "1.0")
    with server:
        projects = {tool: tmp_path / tool for tool in ("uv", "puv")}
        runs = {"uv": run_uv, "puv": run_puv}
        for tool, project in projects.items():
            _write(project / "pyproject.toml", GROUPS_PROJECT + _default_index(server))
            assert runs[tool]("lock", cwd=project).returncode == 0
        for name in ("beta", "delta", "epsilon"):
            server.add_wheel(name, "2.0")
        before = (projects["uv"] / "uv.lock").read_text()
        changes = {}
        for tool, project in projects.items():
            done = runs[tool](command, "--refresh", *flags, cwd=project)
            assert done.returncode == 0, done.stderr
            changes[tool] = _changes(done.stderr)
        assert changes["puv"] == changes["uv"]  # `sync` prints none
        after = (projects["uv"] / "uv.lock").read_text()
        assert (projects["puv"] / "uv.lock").read_text() == after
        assert after != before or changes["uv"]  # something moved


def test_upgrade_group_errors_like_uv(tmp_path: Path, index: IndexServer, run_puv, run_uv) -> None:
    """An unknown group (in a project, in a workspace) and a group for a script fail as in uv."""
    project = tmp_path / "project"
    _write(project / "pyproject.toml", GROUPS_PROJECT + _default_index(index))
    workspace = tmp_path / "workspace"
    _write(workspace / "pyproject.toml", '[tool.uv.workspace]\nmembers = ["a"]\n')
    _write(workspace / "a" / "pyproject.toml", '[project]\nname = "a"\nversion = "1"\n')
    script = tmp_path / "s.py"
    _write(script, "# /// script\n# dependencies = []\n# ///\n")
    for cwd, extra in ((project, ()), (workspace, ()), (tmp_path, ("--script", "s.py"))):
        uv = run_uv("lock", "--upgrade-group", "nope", *extra, cwd=cwd)
        puv = run_puv("lock", "--upgrade-group", "nope", *extra, cwd=cwd)
        assert (puv.returncode, uv.returncode) == (2, 2)
        assert puv.stderr.splitlines()[-1] == uv.stderr.splitlines()[-1]
    assert not (project / "uv.lock").exists()


def _changes(stderr: str) -> list[str]:
    return sorted(
        line for line in stderr.splitlines() if line.startswith(("Add", "Update", "Remove"))
    )


@pytest.mark.network
@pytest.mark.parametrize("project", ["order-service", "platform", "workspace"])
def test_bench_projects_lock_like_uv(tmp_path: Path, run_puv, run_uv, project: str) -> None:
    source = SHARED / "bench" / project
    if not source.is_dir():
        pytest.skip("../shared/bench is not present")
    with_uv, with_puv = tmp_path / "uv", tmp_path / "puv"
    _copy_project(source, with_uv)
    _copy_project(source, with_puv)
    assert run_uv(*_lock_args(), cwd=with_uv).returncode == 0
    puv = run_puv(*_lock_args(), cwd=with_puv)
    assert puv.returncode == 0, puv.stderr
    assert (with_puv / "uv.lock").read_text() == (with_uv / "uv.lock").read_text()
    assert run_uv("lock", "--locked", *EXCLUDE_NEWER, cwd=with_puv).returncode == 0
    noop = run_puv("lock", "--locked", "--offline", *EXCLUDE_NEWER, cwd=with_uv)
    assert noop.returncode == 0, noop.stderr


BIG_PROJECT = """\
[project]
name = "big"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [
    "jupyterlab>=4",
    "pandas>=2",
    "scikit-learn>=1.4",
    "matplotlib>=3.8",
    "fastapi[standard]>=0.110",
    "sqlalchemy>=2",
    "boto3>=1.34",
    "django>=5",
    "celery[redis]>=5.3",
    "requests[socks]>=2.31",
    "colorama>=0.4 ; sys_platform == 'win32'",
    "pywin32>=306 ; sys_platform == 'win32'",
    "uvloop>=0.19 ; sys_platform != 'win32'",
]

[project.optional-dependencies]
docs = ["sphinx>=7", "furo"]

[dependency-groups]
dev = ["pytest>=8", "mypy>=1.10", "ruff", "hypothesis"]
"""


@pytest.mark.network
def test_project_with_240_packages_locks_like_uv(tmp_path: Path, run_puv, run_uv) -> None:
    """A data + web + docs stack with platform markers and Python forks: 242 packages."""
    for tool in ("uv", "puv"):
        _write(tmp_path / tool / "pyproject.toml", BIG_PROJECT)
    assert run_uv(*_lock_args(), cwd=tmp_path / "uv").returncode == 0
    puv = run_puv(*_lock_args(), cwd=tmp_path / "puv")
    assert puv.returncode == 0, puv.stderr
    text = (tmp_path / "puv" / "uv.lock").read_text()
    assert text == (tmp_path / "uv" / "uv.lock").read_text()
    assert text.count("[[package]]") >= 150


def test_registry_sdist_without_static_metadata_is_built_for_it(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, run_puv, run_uv
) -> None:
    """An index sdist whose PKG-INFO is not reliable: its backend prepares the metadata (an
    in-tree, offline backend), and the lock is the one uv writes."""
    from tests.wheelmaker import write_sdist

    root = tmp_path_factory.mktemp("sdist-index")
    server = IndexServer(root)
    server.add_wheel("beta", "1.0")
    write_sdist(root, {}, name="dynamic-sdist", version="1.0")
    with server:
        for tool in ("uv", "puv"):
            _write(
                tmp_path / tool / "pyproject.toml",
                '[project]\nname = "p"\nversion = "1"\nrequires-python = ">=3.11"\n'
                'dependencies = ["dynamic-sdist"]\n' + _default_index(server),
            )
        assert run_uv(*_lock_args(), cwd=tmp_path / "uv").returncode == 0
        puv = run_puv(*_lock_args(), cwd=tmp_path / "puv")
        assert puv.returncode == 0, puv.stderr
    lock = (tmp_path / "puv" / "uv.lock").read_text()
    assert lock == (tmp_path / "uv" / "uv.lock").read_text()
    assert 'name = "dynamic-sdist"' in lock
