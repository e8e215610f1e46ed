"""Differential tests: uv.lock files written by the real uv 0.13.9 parse and re-render byte for byte.

Every lock is made by `uv lock` against a local index (`tests.indexserver`) serving wheels and
sdists built by `tests.wheelmaker`, a local git repository and local path/directory sources, so
the tests need no network (except the one marked `network`). Together the scenarios cover
registry packages with sdists and wheels, extras, dependency groups (with an empty one), marker
forks (`resolution-markers`), editable and virtual workspace members, path, directory,
direct-URL and git sources, `[manifest]` (constraints, overrides, excludes, build constraints,
dependency groups, dependency metadata), `[options]` (absolute and relative exclude-newer,
per-package exclude-newer, resolution/prerelease/fork strategy), `environments`,
`required-environments`, `conflicts` and the per-package `default-groups`.

Beyond the round trip: uv's output is in `sort_lock`'s canonical order, `build_lock` rebuilds it
from a resolution graph with complete markers, and uv accepts locks the writer produced.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import pytest

from puv.core.markers import Marker
from puv.lock.compare import locks_equivalent
from puv.lock.from_resolution import LockEdge, build_lock
from puv.lock.model import Dependency, Lock, Manifest, Metadata, Package
from puv.lock.order import sort_lock
from puv.lock.reader import parse_lock
from puv.lock.writer import render_lock
from tests.envtools import UV, base_python, run_uv
from tests.indexserver import IndexServer
from tests.wheelmaker import write_wheel

pytestmark = pytest.mark.skipif(not UV.exists(), reason="the reference uv binary is not installed")

BUILD_SYSTEM = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    server = IndexServer(tmp_path_factory.mktemp("index"))
    server.add_wheel("alpha", "1.0", requires_dist=["beta>=1", "gamma; extra == 'fast'"])
    server.add_sdist("alpha", "1.0")
    server.add_wheel("beta", "1.0")
    server.add_wheel("beta", "2.0", requires_python=">=3.11")
    server.add_wheel("beta", "2.1b1")
    for tag in ("manylinux_2_17_x86_64", "win_amd64", "macosx_11_0_arm64"):
        server.add_wheel("gamma", "1.0", tag=f"py3-none-{tag}")
    server.add_wheel("delta", "0.5")
    with server:
        yield server


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _index_table(index: IndexServer) -> str:
    return f'[[tool.uv.index]]\nurl = "{index.simple_url}"\ndefault = true\n'


def workspace_with_editable_member(root: Path, index: IndexServer) -> list[str]:
    """An editable root with a member, extras, groups, forks, constraints and overrides."""
    _write(
        root / "pyproject.toml",
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n'
        'dependencies = ["alpha[fast]", "beta", "lib"]\n'
        '[project.optional-dependencies]\nextra1 = ["delta"]\n'
        '[dependency-groups]\ndev = ["delta>=0.1"]\nempty = []\n'
        '[tool.uv]\ndefault-groups = ["dev", "empty"]\n'
        'constraint-dependencies = ["beta<3"]\noverride-dependencies = ["delta==0.5"]\n'
        "[tool.uv.sources]\nlib = { workspace = true }\n"
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n' + _index_table(index) + BUILD_SYSTEM,
    )
    _write(
        root / "packages" / "lib" / "pyproject.toml",
        '[project]\nname = "lib"\nversion = "0.2.0"\nrequires-python = ">=3.9"\n'
        "dependencies = [\"beta; sys_platform == 'linux'\"]\n" + BUILD_SYSTEM,
    )
    return ["--exclude-newer", "2026-01-01T00:00:00Z"]


def virtual_root_with_local_sources(root: Path, index: IndexServer) -> list[str]:
    """A project-less root (manifest groups), environments, conflicts, path/directory sources."""
    write_wheel(root / "wheels", {"localwheel/__init__.py": ""}, name="localwheel", version="3.0")
    _write(
        root / "vendored" / "dirpkg" / "pyproject.toml",
        '[project]\nname = "dirpkg"\nversion = "1.1"\ndependencies = ["delta"]\n' + BUILD_SYSTEM,
    )
    _write(
        root / "pyproject.toml",
        '[dependency-groups]\nlint = ["delta"]\n[tool.uv]\n'
        "environments = [\"sys_platform == 'linux'\", \"sys_platform == 'darwin'\"]\n"
        "required-environments = [\"sys_platform == 'linux' and platform_machine == 'x86_64'\"]\n"
        'conflicts = [[{ package = "a", extra = "one" }, { package = "a", extra = "two" }]]\n'
        'prerelease = "allow"\nresolution = "lowest-direct"\nfork-strategy = "fewest"\n'
        'build-constraint-dependencies = ["setuptools<80"]\nexclude-dependencies = ["colorama"]\n'
        'dependency-metadata = [{ name = "dirpkg", version = "1.1", requires-dist = ["delta"] }]\n'
        'exclude-newer = "1 week"\nexclude-newer-package = { beta = "3 days", delta = false }\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
        "[tool.uv.sources]\na = { workspace = true }\n" + _index_table(index),
    )
    _write(
        root / "packages" / "a" / "pyproject.toml",
        '[project]\nname = "a"\nversion = "0.3.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["alpha", "localwheel", "dirpkg", "gamma; python_version < \'3.12\'"]\n'
        '[project.optional-dependencies]\none = ["beta==1.0"]\ntwo = ["beta>=2.1b1"]\n'
        "[tool.uv.sources]\n"
        'localwheel = { path = "../../wheels/localwheel-3.0-py3-none-any.whl" }\n'
        'dirpkg = { path = "../../vendored/dirpkg", editable = false }\n',
    )
    return []


def virtual_project_with_url_and_git(root: Path, index: IndexServer) -> list[str]:
    """A virtual project (no build system) depending on a direct URL and a git subdirectory."""
    repo = root.parent / f"{root.name}-git"
    _write(
        repo / "sub" / "pyproject.toml",
        '[project]\nname = "gitpkg"\nversion = "0.9"\ndependencies = ["delta"]\n' + BUILD_SYSTEM,
    )
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t"}
    identity |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    env = {**os.environ, **identity}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"], ["tag", "v0.9"]):
        subprocess.run(["git", *command], cwd=repo, env=env, check=True, capture_output=True)
    wheel_url = index.file_url("beta-1.0-py3-none-any.whl")
    _write(
        root / "pyproject.toml",
        '[project]\nname = "direct"\nversion = "1.0"\nrequires-python = ">=3.11"\n'
        f'dependencies = ["beta @ {wheel_url}", "gitpkg"]\n'
        "[tool.uv.sources]\n"
        f'gitpkg = {{ git = "{repo.as_uri()}", tag = "v0.9", subdirectory = "sub" }}\n'
        + _index_table(index),
    )
    return []


SCENARIOS: dict[str, Callable[[Path, IndexServer], list[str]]] = {
    "workspace-editable": workspace_with_editable_member,
    "virtual-root-local-sources": virtual_root_with_local_sources,
    "url-and-git": virtual_project_with_url_and_git,
}


def lock_with_uv(root: Path, index: IndexServer, scenario: str) -> str:
    """Set up `scenario` in `root`, run `uv lock` and return the lock text."""
    if scenario == "url-and-git" and shutil.which("git") is None:
        pytest.skip("git is not installed")
    args = SCENARIOS[scenario](root, index)
    result = run_uv(
        ["lock", "--directory", str(root), "--python", str(base_python()), *args],
        cache=root.parent / f"{root.name}-cache",
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return (root / "uv.lock").read_text()


@pytest.fixture(scope="module")
def uv_locks(tmp_path_factory: pytest.TempPathFactory, index: IndexServer) -> dict[str, str]:
    base = tmp_path_factory.mktemp("projects")
    return {name: lock_with_uv(base / name, index, name) for name in SCENARIOS}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_uv_lock_round_trips_byte_for_byte(uv_locks: dict[str, str], scenario: str) -> None:
    text = uv_locks[scenario]
    assert render_lock(parse_lock(text)) == text


def test_scenarios_cover_the_lock_surface(uv_locks: dict[str, str]) -> None:
    """The round trips above only mean something if uv wrote every feature they claim to cover."""
    locks = {name: parse_lock(text) for name, text in uv_locks.items()}
    kinds = {p.source.kind for lock in locks.values() for p in lock.packages}
    assert kinds == {"registry", "git", "url", "path", "directory", "editable", "virtual"}
    editable = locks["workspace-editable"]
    assert editable.options.exclude_newer == "2026-01-01T00:00:00Z"
    assert editable.resolution_markers and editable.manifest.constraints
    assert editable.manifest.overrides and editable.manifest.members == ("app", "lib")
    (app,) = editable.find("app")
    assert app.default_groups == ("dev", "empty")
    assert dict(app.metadata.requires_dev)["empty"] == ()
    assert app.optional_dependencies and app.dev_dependencies
    assert any(p.sdist and p.wheels for p in editable.packages)
    local = locks["virtual-root-local-sources"]
    assert local.supported_markers and local.required_markers and local.conflicts
    assert local.options.exclude_newer_span == "P1W"
    assert dict(local.options.exclude_newer_package)["delta"] is False
    assert local.manifest.dependency_groups and local.manifest.excludes == ("colorama",)
    assert local.manifest.build_constraints and local.manifest.dependency_metadata
    assert any(w.location_kind == "filename" for p in local.packages for w in p.wheels)


def test_revision_3_lock_is_equivalent_and_accepted_by_uv(
    tmp_path: Path, index: IndexServer
) -> None:
    text = lock_with_uv(tmp_path / "project", index, "virtual-root-local-sources")
    older = text.replace("revision = 5\n", "revision = 3\n", 1)
    assert older != text
    parsed = parse_lock(older)
    assert parsed.revision == 3
    assert render_lock(parsed) == older
    assert locks_equivalent(parsed, parse_lock(text))
    # uv agrees that nothing changed, and keeps the older revision.
    (tmp_path / "project" / "uv.lock").write_text(older)
    run_uv(["lock", "--locked", "--directory", str(tmp_path / "project")], tmp_path / "cache")
    assert (tmp_path / "project" / "uv.lock").read_text() == older


def test_lock_rendered_from_a_modified_model_is_accepted_by_uv(
    tmp_path: Path, index: IndexServer
) -> None:
    """Reorder every set-like list of the model: the writer's output is then not the input text,
    yet uv reads it back as the same lock (`--locked` passes) and our comparison agrees."""
    text = lock_with_uv(tmp_path / "project", index, "workspace-editable")
    lock = parse_lock(text)
    shuffled = Lock(
        requires_python=lock.requires_python,
        revision=lock.revision,
        resolution_markers=lock.resolution_markers,
        options=lock.options,
        manifest=lock.manifest,
        packages=tuple(reversed(lock.packages)),
    )
    rendered = render_lock(shuffled)
    assert rendered != text
    assert locks_equivalent(parse_lock(rendered), lock)
    (tmp_path / "project" / "uv.lock").write_text(rendered)
    run_uv(
        [
            "lock",
            "--locked",
            "--directory",
            str(tmp_path / "project"),
            "--exclude-newer",
            "2026-01-01T00:00:00Z",
        ],
        tmp_path / "cache",
    )


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_uv_lock_is_in_canonical_order(uv_locks: dict[str, str], scenario: str) -> None:
    lock = parse_lock(uv_locks[scenario])
    scrambled = Lock(
        requires_python=lock.requires_python,
        revision=lock.revision,
        resolution_markers=lock.resolution_markers,
        supported_markers=lock.supported_markers,
        required_markers=lock.required_markers,
        conflicts=lock.conflicts,
        options=lock.options,
        manifest=_reversed_manifest(lock.manifest),
        packages=tuple(_reversed_package(p) for p in reversed(lock.packages)),
    )
    assert scrambled != lock
    assert sort_lock(scrambled) == lock
    assert render_lock(sort_lock(scrambled)) == uv_locks[scenario]


def _reversed_manifest(manifest: Manifest) -> Manifest:
    return msgspec.structs.replace(
        manifest,
        members=manifest.members[::-1],
        constraints=manifest.constraints[::-1],
        overrides=manifest.overrides[::-1],
        dependency_groups=manifest.dependency_groups[::-1],
    )


def _reversed_package(package: Package) -> Package:
    metadata = package.metadata
    return msgspec.structs.replace(
        package,
        dependencies=package.dependencies[::-1],
        optional_dependencies=tuple((k, v[::-1]) for k, v in package.optional_dependencies[::-1]),
        dev_dependencies=tuple((k, v[::-1]) for k, v in package.dev_dependencies[::-1]),
        metadata=Metadata(
            requires_dist=metadata.requires_dist[::-1],
            provides_extras=metadata.provides_extras,  # declaration order: kept, not sorted
            requires_dev=tuple((k, v[::-1]) for k, v in metadata.requires_dev[::-1]),
        ),
    )


ORDER_SERVICE = Path("/work/shared/bench/order-service/pyproject.toml")


@pytest.mark.network
@pytest.mark.skipif(not ORDER_SERVICE.exists(), reason="the order-service benchmark is absent")
def test_pypi_lock_round_trips(tmp_path: Path) -> None:
    """A real PyPI lock (sdists, many wheels with upload times, extras, markers) round trips."""
    project = tmp_path / "order-service"
    project.mkdir()
    shutil.copyfile(ORDER_SERVICE, project / "pyproject.toml")
    result = run_uv(
        ["lock", "--directory", str(project), "--exclude-newer", "2026-11-15T00:00:00Z"],
        tmp_path / "cache",
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = (project / "uv.lock").read_text()
    lock = parse_lock(text)
    assert len(lock.packages) > 20 and any(p.sdist for p in lock.packages)
    assert render_lock(lock) == text
    assert sort_lock(lock) == lock


def _complete(text: str | None, requires_python: str) -> Marker:
    """The complete marker a resolver would hand over for a marker uv wrote simplified."""
    return Marker.TRUE if text is None else Marker.parse(text).complexify_python(requires_python)


def _graph_of(lock: Lock) -> list[LockEdge]:
    """The lock's edges as a resolution graph: complete markers (including the environment the
    forks cover), one edge per target extra plus the edge to the target itself, reversed."""
    covered = Marker.FALSE if lock.resolution_markers else Marker.TRUE
    for fork in lock.resolution_markers:
        covered = covered | _complete(fork, lock.requires_python)
    edges: list[LockEdge] = []
    for package in lock.packages:
        sections: list[tuple[str | None, str | None, tuple[Dependency, ...]]]
        sections = [(None, None, package.dependencies)]
        sections += [(extra, None, deps) for extra, deps in package.optional_dependencies]
        sections += [(None, group, deps) for group, deps in package.dev_dependencies]
        for extra, group, deps in sections:
            for dep in deps:
                marker = _complete(dep.marker, lock.requires_python) & covered
                for target_extra in (None, *dep.extra):
                    edges.append(
                        LockEdge(package.id, dep.package_id, marker, target_extra, extra, group)
                    )
    return edges[::-1]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_build_lock_from_a_resolution_graph_matches_uv(
    uv_locks: dict[str, str], scenario: str
) -> None:
    lock = parse_lock(uv_locks[scenario])
    rp = lock.requires_python
    bare = [
        msgspec.structs.replace(p, dependencies=(), optional_dependencies=(), dev_dependencies=())
        for p in reversed(lock.packages)
    ]
    built = build_lock(
        bare,
        _graph_of(lock),
        requires_python=rp,
        fork_markers=[_complete(m, rp) for m in lock.resolution_markers],
        package_fork_markers={
            p.id: [_complete(m, rp) for m in p.resolution_markers] for p in lock.packages
        },
        environments=[_complete(m, rp) for m in lock.supported_markers],
        required_environments=[_complete(m, rp) for m in lock.required_markers],
        conflicts=lock.conflicts,
        options=lock.options,
        manifest=lock.manifest,
    )
    assert render_lock(built) == uv_locks[scenario]
