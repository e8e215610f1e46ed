"""`puv add` / `puv remove` against the real uv: the same commands, run one after another in two
copies of a project, must leave `pyproject.toml` (and `uv.lock`) byte for byte the same, and print
the same status lines.

Without a lock (`--frozen`) the starting files carry comments and odd formatting; with a lock,
a local index server provides the packages so bounds (`>=`, `--bounds`) come from real resolution.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.indexserver import IndexServer

COMMENTED = """\
[project]
name = "demo"
version = "0.1.0"
# deps
dependencies = [
    "anyio", # eol
    "Flask>=2",
]
requires-python = ">=3.11"

# trailing comment
[tool.ruff]
line-length = 100
"""

ODD = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [
  # leading own-line comment
  "requests>=2.31",  # why requests
  "numpy>=2.4.3", # essential comment
  "attrs"
]  # after array

[project.optional-dependencies]
cli = ["click>=8", "rich"]

[dependency-groups]
dev = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff"]

[tool.uv.sources]
attrs = { git = "https://github.com/python-attrs/attrs" }

[tool.uv]
dev-dependencies = ["mypy"]
"""

UNSORTED = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["zope", "Alpha",    "mid"   ]
optional-dependencies = { web = ["b", "a"] }

[tool.uv]
package = false
"""

BARE = '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = []'

SEQUENCES = {
    "commented": (
        COMMENTED,
        [
            ["add", "--frozen", "requests", "Django>=4", "-m", "python_version >= '3.9'"],
            ["add", "--frozen", "requests @ git+https://github.com/psf/requests", "--tag", "v2.0"],
            ["add", "--frozen", "--editable", "../lib1"],
            ["add", "--frozen", "httpx @ https://example.com/httpx-0.1.tar.gz"],
            ["add", "--frozen", "--raw", "attrs @ git+https://github.com/python-attrs/attrs@main"],
            ["add", "--frozen", "--index", "myidx=../idx", "sniffio"],
            ["add", "--frozen", "--index", "https://download.pytorch.org/whl/cpu", "torch"],
            ["add", "--frozen", "-r", "req.txt", "--group", "g2"],
            ["add", "--frozen", "--dev", "pytest"],
            ["add", "--frozen", "--optional", "cli", "click"],
            ["add", "--frozen", "--group", "lint", "ruff"],
            ["add", "--frozen", "pkg @ git+https://github.com/org/pkg@main#subdirectory=sub"],
            ["add", "--frozen", "pkg", "--branch", "dev"],
            ["remove", "--frozen", "requests"],
            ["remove", "--frozen", "--dev", "pytest"],
            ["remove", "--frozen", "lib1", "httpx", "sniffio"],
        ],
    ),
    "odd": (
        ODD,
        [
            ["remove", "--frozen", "requests"],
            ["add", "--frozen", "requests"],
            ["remove", "--frozen", "attrs"],
            ["add", "--frozen", "--dev", "coverage"],
            ["add", "--frozen", "--dev", "mypy==1"],
            ["remove", "--frozen", "--dev", "mypy"],
            ["add", "--frozen", "aaa", "zzz"],
            ["add", "--frozen", "--group", "lint", "black"],
            ["add", "--frozen", "--optional", "cli", "Typer[all]"],
            ["add", "--frozen", "--optional", "cli", "typer[extra]>=1"],
            ["remove", "--frozen", "--optional", "cli", "rich"],
            ["remove", "--frozen", "numpy"],
            ["remove", "--frozen", "--group", "dev", "pytest"],
            ["add", "--frozen", "--group", "new", "x"],
            ["remove", "--frozen", "nothere"],
            ["remove", "--frozen", "--dev", "ruff"],
        ],
    ),
    "unsorted": (
        UNSORTED,
        [
            ["add", "--frozen", "beta"],
            ["add", "--frozen", "--optional", "web", "c"],
            ["add", "--frozen", "--optional", "new", "d"],
            ["add", "--frozen", "--group", "zz", "e"],
            ["add", "--frozen", "--group", "aa", "f"],
            ["remove", "--frozen", "zope", "mid"],
        ],
    ),
    "bare": (
        BARE,
        [
            [
                "add",
                "--frozen",
                "Foo_Bar[B,a,a]<2,>=1.0.0-RC1",
                "baz ==1.0.*",
                "qux~=1.4.5,!=1.4.7",
            ],
            ["add", "--frozen", "mark; python_version < '3.12' and sys_platform == 'win32'"],
            ["add", "--frozen", "foo-bar[c]", "--extra", "Z"],
            ["add", "--frozen", "wheelpkg @ file:///tmp/wheelpkg-1.0-py3-none-any.whl"],
            ["add", "--frozen", "--default-index", "https://example.org/simple", "y"],
            ["remove", "--frozen", "foo-bar", "mark"],
            ["remove", "--frozen", "--group", "dev", "foo"],
        ],
    ),
}


def _tree(root: Path, pyproject: str) -> Path:
    """A project directory with a sibling package `lib1`, an index directory and a `req.txt`."""
    project = root / "proj"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text(pyproject)
    (project / "req.txt").write_text("six>=1\n# c\nidna\n")
    (root / "lib1").mkdir()
    (root / "lib1" / "pyproject.toml").write_text('[project]\nname = "lib1"\nversion = "0.1.0"\n')
    (root / "idx").mkdir()
    (root / "idx" / "x").write_text("")
    return project


def _normalized(text: str) -> str:
    """Timings, the command name, and which of an interpreter's `python`/`python3` links is
    reported (interpreter discovery's choice, not this command's)."""
    text = re.sub(r" in \d+(\.\d+)?m?s$", " in X", text, flags=re.M)
    text = re.sub(r"/bin/python3?$", "/bin/python", text, flags=re.M)
    return re.sub(r"(?<![.\w])uv(?= )", "puv", text)


def _compare(run_uv: Runner, run_puv: Runner, uv_dir: Path, puv_dir: Path, args: list[str]) -> None:
    expected = run_uv(*args, cwd=uv_dir)
    actual = run_puv(*args, cwd=puv_dir)
    label = " ".join(args)
    assert actual.returncode == expected.returncode, (label, expected.stderr, actual.stderr)
    assert (puv_dir / "pyproject.toml").read_bytes() == (uv_dir / "pyproject.toml").read_bytes(), (
        label
    )
    if expected.returncode == 0:
        assert _normalized(actual.stderr) == _normalized(expected.stderr), label
    else:
        assert _normalized(actual.stderr).startswith(_normalized(expected.stderr).split("\n")[0])


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_frozen_edits_match_uv(name: str, tmp_path: Path, run_uv: Runner, run_puv: Runner) -> None:
    start, commands = SEQUENCES[name]
    uv_dir = _tree(tmp_path / "uv", start)
    puv_dir = _tree(tmp_path / "puv", start)
    for args in commands:
        _compare(run_uv, run_puv, uv_dir, puv_dir, args)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    with IndexServer(tmp_path_factory.mktemp("files")) as server:
        server.add_wheel("requests", "2.31.0", requires_dist=["idna>=2"])
        server.add_wheel("requests", "2.32.3", requires_dist=["idna>=2"])
        server.add_wheel("idna", "3.7")
        server.add_wheel("zeta", "0.0.3")
        server.add_wheel("alpha", "1.2.3+local")
        yield server


LOCKED_STEPS = [
    ["add", "--no-sync", "zeta"],
    ["add", "requests"],
    ["add", "--bounds", "major", "alpha"],
    ["add", "--no-sync", "idna>=3", "--bounds", "exact"],
    ["remove", "zeta"],
    ["version", "--bump", "patch"],
    ["add", "--group", "dev", "idna"],
    ["add", "--no-sync", "nonexist"],
    ["remove", "--locked", "requests"],
    ["add", "--frozen", "late"],
]


def test_locked_edits_match_uv(
    index: IndexServer, tmp_path: Path, run_uv: Runner, run_puv: Runner
) -> None:
    """Bounds from the lock, re-locking, syncing (inexact for add, exact for remove), a failed
    resolution that leaves every file as it was, and `--locked`."""
    env = {"UV_DEFAULT_INDEX": index.simple_url, "UV_EXCLUDE_NEWER": "2030-01-01T00:00:00Z"}
    uv_dir = _tree(tmp_path / "uv", BARE + "\n")
    puv_dir = _tree(tmp_path / "puv", BARE + "\n")
    for args in LOCKED_STEPS:
        before = (puv_dir / "pyproject.toml").read_bytes(), _lock_bytes(puv_dir)
        expected = run_uv(*args, cwd=uv_dir, env=env)
        actual = run_puv(*args, cwd=puv_dir, env=env)
        label = " ".join(args)
        assert actual.returncode == expected.returncode, (label, expected.stderr, actual.stderr)
        assert (puv_dir / "pyproject.toml").read_bytes() == (uv_dir / "pyproject.toml").read_bytes()
        assert _lock_bytes(puv_dir) == _lock_bytes(uv_dir), label
        assert actual.stdout == expected.stdout, label
        if expected.returncode == 0:
            assert _normalized(actual.stderr) == _normalized(expected.stderr), label
        else:
            assert ((puv_dir / "pyproject.toml").read_bytes(), _lock_bytes(puv_dir)) == before


@pytest.mark.parametrize("bounds", ["lower", "exact"])
def test_bounds_are_recorded_without_a_second_resolution(
    index: IndexServer, tmp_path: Path, run_uv: Runner, run_puv: Runner, bounds: str
) -> None:
    """The bounds `add` takes from its lock are recorded in that lock (no second resolution):
    the result is what uv writes, and a later `--locked` check agrees with and without puv's
    record of passed checks, and with uv's."""
    env = {"UV_DEFAULT_INDEX": index.simple_url, "UV_EXCLUDE_NEWER": "2030-01-01T00:00:00Z"}
    dirs = {tool: _tree(tmp_path / tool, BARE + "\n") for tool in ("uv", "puv")}
    args = ("add", "--no-sync", "--bounds", bounds, "requests")
    assert run_uv(*args, cwd=dirs["uv"], env=env).returncode == 0
    added = run_puv(*args, cwd=dirs["puv"], env=env)
    assert added.returncode == 0, added.stderr
    assert _lock_bytes(dirs["puv"]) == _lock_bytes(dirs["uv"])
    assert "specifier = " in (dirs["puv"] / "uv.lock").read_text()
    for extra in ((), ("--no-cache",)):
        checked = run_puv("lock", "--locked", *extra, cwd=dirs["puv"], env=env)
        assert checked.returncode == 0, checked.stderr
    assert run_uv("lock", "--locked", cwd=dirs["puv"], env=env).returncode == 0


def _lock_bytes(project: Path) -> bytes | None:
    path = project / "uv.lock"
    return path.read_bytes() if path.exists() else None


def test_unnamed_directory_requirement_inside_workspace_becomes_member(
    tmp_path: Path, run_uv: Runner, run_puv: Runner
) -> None:
    for tool in ("uv", "puv"):
        project = _tree(tmp_path / tool, BARE + "\n")
        shutil.copytree(tmp_path / tool / "lib1", project / "packages" / "lib2")
        text = (project / "packages" / "lib2" / "pyproject.toml").read_text()
        (project / "packages" / "lib2" / "pyproject.toml").write_text(text.replace("lib1", "lib2"))
    _compare(
        run_uv, run_puv, tmp_path / "uv" / "proj", tmp_path / "puv" / "proj",
        ["add", "--frozen", "./packages/lib2"],
    )  # fmt: skip


def test_bad_requirement_is_an_error_not_a_traceback(tmp_path: Path, run_puv: Runner) -> None:
    project = _tree(tmp_path, BARE + "\n")
    result = run_puv("add", "--frozen", "zed===", cwd=project)
    assert result.returncode == 2
    assert "error: Failed to parse: `zed===`" in result.stderr
    assert (project / "pyproject.toml").read_text() == BARE + "\n"


def _workspace(root: Path) -> Path:
    for member in ("a", "b"):
        (root / "packages" / member).mkdir(parents=True)
        (root / "packages" / member / "pyproject.toml").write_text(
            f'[project]\nname = "{member}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            "dependencies = []\n"
        )
    (root / "pyproject.toml").write_text('[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    return root


WORKSPACE_STEPS = [
    ["add", "--frozen", "--package", "a", "requests"],
    ["add", "--frozen", "--dev", "pytest"],
    ["add", "--frozen", "requests"],
    ["add", "--frozen", "--package", "a", "b"],
    ["add", "--frozen", "--package", "b", "--editable", "packages/a"],
    ["add", "--frozen", "-i", "https://example.net/simple", "--package", "a", "y"],
    ["remove", "--frozen", "--package", "a", "b"],
    ["remove", "--frozen", "--package", "a", "--group", "other", "requests"],
    ["add", "--frozen", "--no-sync", "x"],
    ["add", "--frozen", "--locked", "x"],
]


def test_workspace_members_and_packages_match_uv(
    tmp_path: Path, run_uv: Runner, run_puv: Runner
) -> None:
    """`--package`, a virtual root (`--dev` only), members as `{ workspace = true }` sources,
    uv's errors and warnings."""
    uv_root = _workspace(tmp_path / "uv")
    puv_root = _workspace(tmp_path / "puv")
    for args in WORKSPACE_STEPS:
        expected = run_uv(*args, cwd=uv_root)
        actual = run_puv(*args, cwd=puv_root)
        label = " ".join(args)
        assert actual.returncode == expected.returncode, (label, expected.stderr, actual.stderr)
        for path in ("pyproject.toml", "packages/a/pyproject.toml", "packages/b/pyproject.toml"):
            assert (puv_root / path).read_bytes() == (uv_root / path).read_bytes(), label
        if expected.returncode == 0:
            assert _normalized(actual.stderr) == _normalized(expected.stderr), label
        else:  # clap's usage line lists the options given, puv's does not
            first = _normalized(expected.stderr).split("\n\nUsage:")[0]
            assert _normalized(actual.stderr).startswith(first), label


FORKED = (
    '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
    "dependencies = [\"a>=2; sys_platform == 'win32'\", \"a<2; sys_platform != 'win32'\"]\n"
)


def test_relocking_a_forked_project_starts_from_its_forks(
    tmp_path: Path, run_uv: Runner, run_puv: Runner
) -> None:
    """A lock resolved again (here by `add`, and by `lock` after an edit) starts from the forks
    of the existing lock, as uv does, so `resolution-markers` come out in uv's order (sorted by
    Python, not in the order the first resolution split them)."""
    split = ["b>=2; python_version >= '3.12'", "b<2; python_version < '3.12'"]
    with IndexServer(tmp_path / "files") as server:
        for version in ("1.0", "2.0"):
            server.add_wheel("a", version, requires_dist=split)
            server.add_wheel("b", version)
        server.add_wheel("zeta", "0.0.3")
        env = {"UV_DEFAULT_INDEX": server.simple_url, "UV_EXCLUDE_NEWER": "2030-01-01T00:00:00Z"}
        dirs = {tool: _tree(tmp_path / tool, FORKED) for tool in ("uv", "puv")}
        runners = {"uv": run_uv, "puv": run_puv}
        for args in (["lock"], ["add", "--no-sync", "zeta"]):
            for tool, run in runners.items():
                done = run(*args, cwd=dirs[tool], env=env)
                assert done.returncode == 0, (tool, args, done.stderr)
            assert _lock_bytes(dirs["puv"]) == _lock_bytes(dirs["uv"]), args
        for tool, run in runners.items():
            pyproject = dirs[tool] / "pyproject.toml"
            pyproject.write_text(pyproject.read_text().replace('"zeta>=0.0.3"', '"zeta"'))
            assert run("lock", cwd=dirs[tool], env=env).returncode == 0
        assert _lock_bytes(dirs["puv"]) == _lock_bytes(dirs["uv"])
        markers = (dirs["puv"] / "uv.lock").read_text().split("resolution-markers = [")[1]
        assert markers.index(">= '3.12' and sys_platform != 'win32'") < markers.index("< '3.12'")
