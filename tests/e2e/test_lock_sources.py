"""`puv lock` with direct sources against the real `uv lock`: the same `uv.lock`, byte for byte.

Every scenario is written once, copied to a second directory, locked by uv in one and by puv in
the other; the two files must be identical, and each tool's `--locked` must accept the other's
lock. Sources covered: non-member directories (static `pyproject.toml`, one whose dependencies
or version need a build, an editable one, a virtual one), local wheels and sdists, direct URLs
(PEP 508 and `{ url = ... }`, wheel and sdist) served by a local index, and Git repositories
(tag with subdirectory, default branch, branch, short rev) made with `git init` in a temp dir.
Freshness is checked the same way: a changed directory or Git reference makes both tools'
`--locked` fail and their new locks agree, moved branches stay pinned, and an up-to-date lock
with Git sources needs neither `git` nor the network.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.envtools import base_python
from tests.indexserver import IndexServer
from tests.unit.test_git import run_git
from tests.unit.test_lock_vs_uv import virtual_project_with_url_and_git
from tests.wheelmaker import TarMember, tar_gz, write_sdist, write_wheel

pytestmark = pytest.mark.usefixtures("run_uv")

HATCHLING = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
IN_TREE = '[build-system]\nrequires = []\nbuild-backend = "_backend"\nbackend-path = ["."]\n'
EXCLUDE_NEWER = ("--exclude-newer", "2026-11-01T00:00:00Z")
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")

# A stdlib-only PEP 517 backend whose metadata comes from `meta.json` (name, version, deps,
# extras), so that a tree's `pyproject.toml` can leave any of them dynamic.
BACKEND = """\
import json, os, zipfile

def _meta():
    with open("meta.json") as f:
        return json.load(f)

def _dist_info(m):
    return "{}-{}.dist-info".format(m["name"].replace("-", "_"), m["version"])

def _metadata(m):
    lines = ["Metadata-Version: 2.1", "Name: " + m["name"], "Version: " + m["version"]]
    lines += ["Requires-Dist: " + d for d in m.get("deps", [])]
    lines += ["Provides-Extra: " + e for e in m.get("extras", [])]
    return "\\n".join(lines) + "\\n\\n"

def get_requires_for_build_wheel(config_settings=None):
    return []

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    m = _meta()
    os.makedirs(os.path.join(metadata_directory, _dist_info(m)))
    with open(os.path.join(metadata_directory, _dist_info(m), "METADATA"), "w") as f:
        f.write(_metadata(m))
    return _dist_info(m)

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    m = _meta()
    name = "{}-{}-py3-none-any.whl".format(m["name"].replace("-", "_"), m["version"])
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        z.writestr(_dist_info(m) + "/METADATA", _metadata(m))
        z.writestr(_dist_info(m) + "/WHEEL", "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\n")
        z.writestr(_dist_info(m) + "/RECORD", "")
    return name

get_requires_for_build_editable = get_requires_for_build_wheel
prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
build_editable = build_wheel
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    server = IndexServer(tmp_path_factory.mktemp("index"))
    server.add_wheel("alpha", "1.0", requires_dist=["beta>=1", "gamma; extra == 'fast'"])
    server.add_sdist("alpha", "1.0")
    server.add_wheel("beta", "1.0")
    server.add_wheel("beta", "2.0", requires_python=">=3.11")
    for tag in ("manylinux_2_17_x86_64", "win_amd64", "macosx_11_0_arm64"):
        server.add_wheel("gamma", "1.0", tag=f"py3-none-{tag}")
    server.add_wheel("delta", "0.5")
    server.add_wheel("delta", "0.6")
    server.add_wheel("zeta", "1.0")
    write_sdist(server.root, {}, name="urlsdist", version="2.2", dependencies=["delta<0.6"])
    write_wheel(
        server.root,
        {"urlwheel/__init__.py": ""},
        name="urlwheel",
        version="5.0",
        metadata_headers=["Requires-Dist: beta", "Provides-Extra: x"],
    )
    (server.root / "mono-1.0.tar.gz").write_bytes(_monorepo_sdist())
    with server:
        yield server


def _monorepo_sdist() -> bytes:
    """An sdist whose project (`subpkg`, dynamic version) lives in its `pkg/` subdirectory."""
    pyproject = '[project]\nname = "subpkg"\ndynamic = ["version"]\ndependencies = ["delta"]\n'
    meta = {"name": "subpkg", "version": "8.1", "deps": ["delta"]}
    files = {
        "mono-1.0/README": "",
        "mono-1.0/pkg/pyproject.toml": pyproject + IN_TREE,
        "mono-1.0/pkg/_backend.py": BACKEND,
        "mono-1.0/pkg/meta.json": json.dumps(meta),
    }
    return tar_gz(TarMember(path, data=text.encode()) for path, text in sorted(files.items()))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _index_table(index: IndexServer) -> str:
    return f'[[tool.uv.index]]\nurl = "{index.simple_url}"\ndefault = true\n'


def _built_tree(directory: Path, pyproject: str, meta: dict[str, object]) -> None:
    """A source tree whose metadata only the in-tree backend knows."""
    _write(directory / "pyproject.toml", pyproject + IN_TREE)
    _write(directory / "_backend.py", BACKEND)
    _write(directory / "meta.json", json.dumps(meta))


def directories(root: Path, index: IndexServer) -> None:
    """Non-member directories: static (extras, groups, its own editable path source), dynamic
    dependencies (built), dynamic version (built, version left out), no `[project]` (built),
    editable and virtual; a local wheel and a local sdist."""
    libs = root / "libs"
    _write(
        libs / "stat" / "pyproject.toml",
        '[project]\nname = "stat"\nversion = "1.1"\nrequires-python = ">=3.8"\n'
        'dependencies = ["delta", "edit"]\n[project.optional-dependencies]\nx = ["beta"]\n'
        '[dependency-groups]\ndev = ["alpha"]\n'
        '[tool.uv.sources]\nedit = { path = "../edit", editable = true }\n' + HATCHLING,
    )
    _write(
        libs / "edit" / "pyproject.toml",
        '[project]\nname = "edit"\nversion = "0.3"\ndependencies = ["beta"]\n' + HATCHLING,
    )
    _write(
        libs / "virt" / "pyproject.toml",
        '[project]\nname = "virt"\nversion = "2.0"\ndependencies = ["delta<0.6"]\n',
    )
    _built_tree(
        libs / "dyndeps",
        '[project]\nname = "dyndeps"\nversion = "2.5"\ndynamic = ["dependencies"]\n',
        {"name": "dyndeps", "version": "2.5", "deps": ["beta>=1", 'gamma; extra == "g"'],
         "extras": ["g"]},
    )  # fmt: skip
    _built_tree(
        libs / "dynver",
        '[project]\nname = "dynver"\ndynamic = ["version"]\ndependencies = ["delta"]\n',
        {"name": "dynver", "version": "7.0", "deps": ["delta"]},
    )
    _built_tree(libs / "noproj", "", {"name": "noproj", "version": "0.0.1", "deps": ["alpha"]})
    write_wheel(
        root / "dist",
        {"lw/__init__.py": ""},
        name="lw",
        version="3.0",
        metadata_headers=["Requires-Dist: delta"],
    )
    write_sdist(root / "dist", {}, name="ls", version="2.0", dependencies=["beta"])
    _write(
        root / "pyproject.toml",
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["stat[x]", "edit", "virt", "dyndeps[g]", "dynver", "noproj", "lw", '
        '"ls"]\n'
        "[tool.uv.sources]\n"
        'stat = { path = "libs/stat" }\n'
        'edit = { path = "libs/edit", editable = true }\n'
        'virt = { path = "libs/virt", package = false }\n'
        'dyndeps = { path = "libs/dyndeps", editable = true }\n'
        'dynver = { path = "libs/dynver" }\n'
        'noproj = { path = "libs/noproj" }\n'
        'lw = { path = "dist/lw-3.0-py3-none-any.whl" }\n'
        'ls = { path = "dist/ls-2.0.tar.gz" }\n' + _index_table(index),
    )


def direct_urls(root: Path, index: IndexServer) -> None:
    """PEP 508 direct references and `{ url = ... }` sources: wheels and sdists, one with its
    project in a subdirectory."""
    _write(
        root / "pyproject.toml",
        '[project]\nname = "direct"\nversion = "1.0"\nrequires-python = ">=3.11"\n'
        "dependencies = [\n"
        f'    "beta @ {index.file_url("beta-1.0-py3-none-any.whl")}",\n'
        f'    "alpha[fast] @ {index.file_url("alpha-1.0.tar.gz")}",\n'
        '    "urlwheel[x]",\n    "urlsdist",\n    "subpkg",\n]\n'
        "[tool.uv.sources]\n"
        f'subpkg = {{ url = "{index.file_url("mono-1.0.tar.gz")}", subdirectory = "pkg" }}\n'
        f'urlwheel = {{ url = "{index.file_url("urlwheel-5.0-py3-none-any.whl")}" }}\n'
        f'urlsdist = {{ url = "{index.file_url("urlsdist-2.2.tar.gz")}" }}\n'
        + _index_table(index)
        + HATCHLING,
    )


def git_repository(path: Path) -> Path:
    """A repository with a package at the top (`gittop`) and one in `sub/` (`gitpkg`), tagged
    `v0.9`, on branch `main`."""
    _write(
        path / "pyproject.toml",
        '[project]\nname = "gittop"\nversion = "1.5"\ndependencies = ["beta"]\n' + HATCHLING,
    )
    _write(
        path / "sub" / "pyproject.toml",
        '[project]\nname = "gitpkg"\nversion = "0.9"\ndependencies = ["delta"]\n'
        '[project.optional-dependencies]\nextra = ["alpha"]\n' + HATCHLING,
    )
    run_git(path, "init", "-q", "-b", "main")
    run_git(path, "add", "-A")
    run_git(path, "commit", "-qm", "first")
    run_git(path, "tag", "v0.9")
    return path


def _commit(repository: Path, message: str) -> None:
    run_git(repository, "add", "-A")
    run_git(repository, "commit", "-qm", message)


def git_sources(root: Path, index: IndexServer) -> None:
    """Git sources: a tag with a subdirectory, a branch, the default branch and a short rev (the
    last two in a second repository, in dependency groups)."""
    repository = git_repository(root.parent / f"{root.name}-repo")
    other = git_repository(root.parent / f"{root.name}-other")
    _write(
        other / "other-top" / "pyproject.toml",
        '[project]\nname = "other-top"\nversion = "3.0"\n' + HATCHLING,
    )
    _write(
        other / "other-sub" / "pyproject.toml",
        '[project]\nname = "other-sub"\nversion = "4.0"\ndependencies = ["delta<0.6"]\n'
        + HATCHLING,
    )
    _commit(other, "more")
    short = run_git(other, "rev-parse", "--short=10", "HEAD")
    url, other_url = repository.as_uri(), other.as_uri()
    _write(
        root / "pyproject.toml",
        '[project]\nname = "usesgit"\nversion = "1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["gitpkg[extra]", "gittop", "beta"]\n'
        '[dependency-groups]\ndev = ["other-top"]\nlint = ["other-sub"]\n'
        "[tool.uv.sources]\n"
        f'gitpkg = {{ git = "{url}", tag = "v0.9", subdirectory = "sub" }}\n'
        f'gittop = {{ git = "{url}", branch = "main" }}\n'
        f'other-top = {{ git = "{other_url}", subdirectory = "other-top" }}\n'
        f'other-sub = {{ git = "{other_url}", rev = "{short}", subdirectory = "other-sub" }}\n'
        + _index_table(index)
        + HATCHLING,
    )


def url_and_git_round_trip_fixture(root: Path, index: IndexServer) -> None:
    """The lock writer's round-trip scenario (a virtual project, a PEP 508 wheel URL and a Git
    subdirectory at a tag), now locked by puv itself."""
    virtual_project_with_url_and_git(root, index)


SCENARIOS: dict[str, Callable[[Path, IndexServer], None]] = {
    "directories": directories,
    "direct-urls": direct_urls,
    "git": git_sources,
    "url-and-git": url_and_git_round_trip_fixture,
}
GIT_SCENARIOS = ("git", "url-and-git")


def _lock_args() -> list[str]:
    return ["lock", "--python", str(base_python()), *EXCLUDE_NEWER]


def _pair(tmp_path: Path, index: IndexServer, scenario: str) -> tuple[Path, Path]:
    if scenario in GIT_SCENARIOS and GIT is None:
        pytest.skip("git is not installed")
    with_uv, with_puv = tmp_path / "uv", tmp_path / "puv"
    SCENARIOS[scenario](with_uv, index)
    shutil.copytree(with_uv, with_puv, ignore=shutil.ignore_patterns("uv.lock"))
    return with_uv, with_puv


def _warnings(stderr: str) -> list[str]:
    return sorted(line for line in stderr.splitlines() if line.startswith("warning:"))


def _lock_both(run_uv, run_puv, with_uv: Path, with_puv: Path, *args: str) -> tuple[str, str]:
    uv = run_uv(*_lock_args(), *args, cwd=with_uv)
    assert uv.returncode == 0, uv.stderr
    puv = run_puv(*_lock_args(), *args, cwd=with_puv)
    assert puv.returncode == 0, puv.stderr
    return uv.stderr, puv.stderr


# What each scenario's lock must contain, so that the comparison means something.
EXPECTED = {
    "directories": [
        'source = { directory = "libs/stat" }',
        'source = { editable = "libs/edit" }',
        'source = { virtual = "libs/virt" }',
        'source = { editable = "libs/dyndeps" }',
        'name = "dynver"\nsource = { directory = "libs/dynver" }',  # no version: dynamic
        'version = "0.0.1"\nsource = { directory = "libs/noproj" }',
        '{ name = "edit", editable = "libs/edit" }',  # stat's own source, relative to the root
        '[package.metadata.requires-dev]\ndev = [{ name = "alpha" }]',
        'source = { path = "dist/lw-3.0-py3-none-any.whl" }',
        '{ filename = "lw-3.0-py3-none-any.whl", hash = "sha256:',
        'source = { path = "dist/ls-2.0.tar.gz" }',
        'sdist = { hash = "sha256:',
    ],
    "direct-urls": [
        'source = { url = "http://127.0.0.1:',
        '/files/urlwheel-5.0-py3-none-any.whl", hash = "sha256:',
        'sdist = { hash = "sha256:',
        'provides-extras = ["x"]',
        'name = "subpkg"\nversion = "8.1"\nsource = { url = "http://127.0.0.1:',
        '/files/mono-1.0.tar.gz", subdirectory = "pkg" }',
    ],
    "url-and-git": ["?subdirectory=sub&tag=v0.9#", 'source = { url = "http://127.0.0.1:'],
    "git": [
        "?subdirectory=sub&tag=v0.9#",
        "-repo?branch=main#",
        "-other?subdirectory=other-top#",
        "&rev=",
    ],
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_lock_is_byte_identical_to_uv(
    tmp_path: Path, index: IndexServer, run_puv, run_uv, scenario: str
) -> None:
    with_uv, with_puv = _pair(tmp_path, index, scenario)
    uv, puv = _lock_both(run_uv, run_puv, with_uv, with_puv)
    text = (with_uv / "uv.lock").read_text()
    assert (with_puv / "uv.lock").read_text() == text
    assert [snippet for snippet in EXPECTED[scenario] if snippet not in text] == []
    assert _warnings(puv) == _warnings(uv)
    # Each tool accepts the other's lock as up to date.
    accepted = run_uv("lock", "--locked", *EXCLUDE_NEWER, cwd=with_puv)
    assert accepted.returncode == 0, accepted.stderr
    again = run_puv("lock", "--locked", *EXCLUDE_NEWER, cwd=with_uv)
    assert again.returncode == 0, again.stderr


def _changes(stderr: str) -> list[str]:
    return sorted(
        line for line in stderr.splitlines() if line.startswith(("Add", "Update", "Remove"))
    )


def _both_reject_locked(run_uv, run_puv, with_uv: Path, with_puv: Path) -> None:
    uv = run_uv("lock", "--locked", *EXCLUDE_NEWER, cwd=with_uv)
    puv = run_puv("lock", "--locked", *EXCLUDE_NEWER, cwd=with_puv)
    assert (uv.returncode, puv.returncode) == (1, 1), puv.stderr
    assert "needs to be updated" in puv.stderr


def test_changed_directory_is_relocked_like_uv(
    tmp_path: Path, index: IndexServer, run_puv, run_uv
) -> None:
    """A non-member directory's requirements change: both tools see the lock as stale and
    write the same new one."""
    with_uv, with_puv = _pair(tmp_path, index, "directories")
    _lock_both(run_uv, run_puv, with_uv, with_puv)
    for project in (with_uv, with_puv):
        stat = project / "libs" / "stat" / "pyproject.toml"
        stat.write_text(stat.read_text().replace('"delta", "edit"', '"delta", "edit", "zeta"'))
    _both_reject_locked(run_uv, run_puv, with_uv, with_puv)
    uv, puv = _lock_both(run_uv, run_puv, with_uv, with_puv)
    assert (with_puv / "uv.lock").read_text() == (with_uv / "uv.lock").read_text()
    assert _changes(puv) == _changes(uv) == ["Added zeta v1.0"]


def test_changed_local_wheel_makes_the_lock_stale(
    tmp_path: Path, index: IndexServer, run_puv, run_uv
) -> None:
    """A local wheel rewritten with other requirements: both tools reject the lock; puv's new
    lock has the new requirements and hash. (uv, with a warm cache, keeps the old hash of a
    rewritten local wheel; with a cold cache it writes the new one, as puv does.)"""
    with_uv, with_puv = _pair(tmp_path, index, "directories")
    _lock_both(run_uv, run_puv, with_uv, with_puv)
    for project in (with_uv, with_puv):
        wheel = write_wheel(
            project / "dist",
            {"lw/__init__.py": ""},
            name="lw",
            version="3.0",
            metadata_headers=["Requires-Dist: delta", "Requires-Dist: alpha"],
        )
    _both_reject_locked(run_uv, run_puv, with_uv, with_puv)
    result = run_puv(*_lock_args(), cwd=with_puv)
    assert result.returncode == 0, result.stderr
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    text = (with_puv / "uv.lock").read_text()
    assert f'{{ filename = "lw-3.0-py3-none-any.whl", hash = "sha256:{digest}" }}' in text
    assert 'requires-dist = [\n    { name = "alpha" },\n    { name = "delta" },\n]' in text


@needs_git
def test_changed_git_reference_is_relocked_like_uv(
    tmp_path: Path, index: IndexServer, run_puv, run_uv
) -> None:
    """A source moves to a new tag: both tools re-resolve it (and report the commit change the
    same way), while the branch that moved meanwhile stays at the commit the lock pinned."""
    with_uv, with_puv = _pair(tmp_path, index, "git")
    _lock_both(run_uv, run_puv, with_uv, with_puv)
    before = (with_uv / "uv.lock").read_text()
    repository = tmp_path / "uv-repo"
    pinned = run_git(repository, "rev-parse", "HEAD")
    sub = repository / "sub" / "pyproject.toml"
    sub.write_text(sub.read_text().replace('version = "0.9"', 'version = "1.0"'))
    _commit(repository, "second")
    run_git(repository, "tag", "v1.0")
    for project in (with_uv, with_puv):
        pyproject = project / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('tag = "v0.9"', 'tag = "v1.0"'))
    _both_reject_locked(run_uv, run_puv, with_uv, with_puv)
    uv, puv = _lock_both(run_uv, run_puv, with_uv, with_puv)
    after = (with_uv / "uv.lock").read_text()
    assert (with_puv / "uv.lock").read_text() == after
    assert after != before
    assert f"?branch=main#{pinned}" in after  # `main` moved on, the lock keeps its commit
    assert _changes(puv) == _changes(uv)
    assert _changes(uv)[0].startswith("Updated gitpkg v0.9 (")


@pytest.mark.parametrize("scenario", ["git", "direct-urls"])
def test_up_to_date_lock_needs_no_network_and_norun_git(
    tmp_path: Path, index: IndexServer, run_puv, run_uv, scenario: str
) -> None:
    """uv's lock of Git and URL sources is up to date for puv offline, with no `git` on PATH,
    and a cold cache: nothing is fetched and the file is left alone."""
    with_uv, _ = _pair(tmp_path, index, scenario)
    uv = run_uv(*_lock_args(), cwd=with_uv)
    assert uv.returncode == 0, uv.stderr
    before = (with_uv / "uv.lock").read_text()
    empty = tmp_path / "no-tools"
    empty.mkdir()
    env = {"PATH": str(empty)}
    for flag in ("--locked", "--frozen"):
        result = run_puv(*_lock_args(), flag, "--offline", cwd=with_uv, env=env)
        assert result.returncode == 0, result.stderr
    assert (with_uv / "uv.lock").read_text() == before
    assert not list((tmp_path / "puv-cache").glob("puv-git-v*"))


def test_conflicting_sources_for_one_name_fail(tmp_path: Path, index: IndexServer, run_puv) -> None:
    """An editable and a non-editable source for one package: uv's `conflicting URLs` error."""
    directories(tmp_path, index)
    stat = tmp_path / "libs" / "stat" / "pyproject.toml"
    stat.write_text(stat.read_text().replace(", editable = true }", " }"))
    result = run_puv(*_lock_args(), cwd=tmp_path)
    assert result.returncode == 1
    edit = (tmp_path / "libs" / "edit").as_uri()
    assert "error: Requirements contain conflicting URLs for package `edit`" in result.stderr
    assert f"- {edit}\n" in result.stderr and f"- {edit} (editable)\n" in result.stderr
    assert not (tmp_path / "uv.lock").exists()


@needs_git
def test_missing_git_tag_fails_as_uv(tmp_path: Path, index: IndexServer, run_puv, run_uv) -> None:
    """A tag the repository lacks: uv's error chain, down to git's own message."""
    with_uv, with_puv = _pair(tmp_path, index, "git")
    for project in (with_uv, with_puv):
        pyproject = project / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('tag = "v0.9"', 'tag = "v9"'))
    uv = run_uv(*_lock_args(), cwd=with_uv)
    puv = run_puv(*_lock_args(), cwd=with_puv)
    assert (puv.returncode, uv.returncode) == (1, 1)
    assert _error(puv.stderr) == _error(uv.stderr)
    assert "cause: failed to fetch tag `v9`" in puv.stderr


def _error(stderr: str) -> str:
    """The error block, cache directories masked (and whether the repository's database was
    new: uv fetches the two references of one repository concurrently, so either may clone)."""
    text = stderr[stderr.index("error:") :]
    return re.sub(
        r"failed to (?:clone|fetch) into: \S+", "failed to <clone|fetch> into: <db>", text
    )


@pytest.mark.network
def test_pypi_direct_urls_lock_like_uv(tmp_path: Path, run_puv, run_uv) -> None:
    """Direct URLs to a real wheel and a real sdist (built with setuptools) on PyPI's file host,
    beside registry packages that depend on them."""
    files = "https://files.pythonhosted.org/packages"
    idna = (
        f"{files}/76/c6/c88e154df9c4e1a2a66ccf0005a88dfb2650c1dffb6f5ce603dfbd452ce3/"
        "idna-3.10-py3-none-any.whl"
    )
    six = (
        f"{files}/94/e7/b2c673351809dca68a0e064b6af791aa332cf192da575fd474ed7d6f16a2/"
        "six-1.17.0.tar.gz"
    )
    with_uv, with_puv = tmp_path / "uv", tmp_path / "puv"
    for project in (with_uv, with_puv):
        _write(
            project / "pyproject.toml",
            '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            f'dependencies = ["idna @ {idna}", "requests", "six @ {six}"]\n',
        )
    _lock_both(run_uv, run_puv, with_uv, with_puv)
    assert (with_puv / "uv.lock").read_text() == (with_uv / "uv.lock").read_text()
    assert run_uv("lock", "--locked", *EXCLUDE_NEWER, cwd=with_puv).returncode == 0
    assert run_puv("lock", "--locked", *EXCLUDE_NEWER, cwd=with_uv).returncode == 0
