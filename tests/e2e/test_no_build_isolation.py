"""`--no-build-isolation` (and `UV_NO_BUILD_ISOLATION`, `[tool.uv] no-build-isolation`,
`no-build-isolation-package`) in `sync` and `run`, side by side with the real uv.

Without isolation a build runs in the project environment itself: its interpreter and what is
installed there, nothing installed for it. The projects here are built by `tinybackend`, a backend
served by the local index that records in each wheel whether the build could import `buildmark`,
a package the index also serves; so a wheel tells where it was built. The project, a workspace
member and an sdist from the lock are all built that way. A missing backend fails as uv fails.
Last, `build_wheel_for` itself: `no-build-isolation-package` names an sdist by its `PKG-INFO` when
its `pyproject.toml` does not name it.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from puv.cache.layout import CacheLayout
from puv.core.printer import Printer
from puv.index.indexes import PackageFinder
from puv.operations.build_ops import build_wheel_for
from puv.operations.context import Context
from puv.project.settings import Settings
from puv.python.interpreter import Interpreter
from tests.e2e.conftest import Runner
from tests.e2e.test_build_frontend import (  # noqa: F401  (fixtures)
    backend_index,
    interpreter,
    no_index,
)
from tests.e2e.test_sync_cli import BACKEND, Pair, make_pair
from tests.indexserver import IndexServer
from tests.wheelmaker import make_sdist, write_sdist, write_wheel

# The in-tree backend of `test_sync_cli`, packed as a module, whose wheels also hold
# `<name>_build.py`: `SEEN` is `buildmark.VALUE` when the build could import it, else None.
TINY_BACKEND = (
    BACKEND
    + """
def _seen():
    try:
        import buildmark
    except ImportError:
        return None
    return buildmark.VALUE

_pack = _wheel

def _wheel(directory, files):
    name = "%s_build.py" % _dist(_project()["name"])
    files[name] = ("SEEN = %r\\n" % _seen()).encode()
    return _pack(directory, files)
"""
)
TINY_SYSTEM = '[build-system]\nrequires = ["tinybackend"]\nbuild-backend = "tinybackend"\n'
SEEN = "import app_build as a, member_build as m, sdpkg_build as s; print(a.SEEN, m.SEEN, s.SEEN)"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    with IndexServer(tmp_path_factory.mktemp("index")) as server:
        server.add_wheel("beta", "1.0")
        write_wheel(
            server.root, {"tinybackend.py": TINY_BACKEND}, name="tinybackend", version="1.0"
        )
        write_wheel(
            server.root,
            {"buildmark/__init__.py": "VALUE = 'venv'\n"},
            name="buildmark",
            version="1.0",
        )
        sdist = make_sdist(
            {"src/sdpkg/__init__.py": ""},
            name="sdpkg",
            version="1.0",
            pyproject=f'{TINY_SYSTEM}\n[project]\nname = "sdpkg"\nversion = "1.0"\ndependencies = []\n',
        )
        (server.root / "sdpkg-1.0.tar.gz").write_bytes(sdist)
        yield server


def _package(directory: Path, name: str, dependencies: str, extra: str = "") -> None:
    (directory / "src" / name).mkdir(parents=True)
    (directory / "src" / name / "__init__.py").write_text("")
    (directory / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = {dependencies}\n\n{TINY_SYSTEM}{extra}"
    )


def write_workspace(directory: Path, index_url: str) -> None:
    """`app` (depends on the workspace member `member` and the sdist-only `sdpkg`), all three
    built by `tinybackend`."""
    _package(
        directory,
        "app",
        '["member", "sdpkg", "beta"]',
        "\n[tool.uv.sources]\nmember = { workspace = true }\n\n"
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n\n'
        f'[[tool.uv.index]]\nurl = "{index_url}"\ndefault = true\n',
    )
    _package(directory / "packages" / "member", "member", "[]")


def write_single(directory: Path, index_url: str) -> None:
    """`app` alone, built by `tinybackend`."""
    _package(
        directory, "app", '["beta"]', f'\n[[tool.uv.index]]\nurl = "{index_url}"\ndefault = true\n'
    )


@pytest.fixture
def workspace(tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer) -> Pair:
    return make_pair(tmp_path, run_uv, run_puv, lambda d: write_workspace(d, index.simple_url))


def _preinstall(pair: Pair, index: IndexServer, *packages: str) -> None:
    """Each tool makes the project's `.venv` and installs `packages` there itself."""
    for tool in ("uv", "puv"):
        if not (pair.dir(tool) / ".venv").exists():
            assert pair.run(tool, "venv", "-q").returncode == 0
        result = pair.run(
            tool, "pip", "install", "-q", "--default-index", index.simple_url, *packages
        )
        assert result.returncode == 0, result.stderr


def _seen(pair: Pair, script: str = SEEN) -> str:
    """What the built wheels recorded (the same for both tools)."""
    theirs, ours = pair.both("run", "--frozen", "--no-sync", "python", "-c", script)
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    return str(ours.stdout)


def test_isolated_builds_do_not_see_the_environment(workspace: Pair, index: IndexServer) -> None:
    """The control: by default the builds run in isolated environments, so a package installed
    in the project environment is not seen."""
    _preinstall(workspace, index, "tinybackend", "buildmark")
    workspace.same("sync", "--frozen")
    assert _seen(workspace) == "None None None\n"


def test_no_build_isolation_builds_in_the_project_environment(
    workspace: Pair, index: IndexServer
) -> None:
    """The project, the workspace member and the sdist are built by the backend installed in
    `.venv`, seeing what is installed there; the exact sync then removes both (uv's output)."""
    _preinstall(workspace, index, "tinybackend", "buildmark")
    shown = workspace.same("sync", "--frozen", "--no-build-isolation")
    assert " - buildmark==1.0\n" in shown and " - tinybackend==1.0\n" in shown
    assert _seen(workspace) == "venv venv venv\n"
    # Built again as wheels (`--no-editable`), still in the environment.
    _preinstall(workspace, index, "tinybackend", "buildmark")
    workspace.same("sync", "--frozen", "--no-build-isolation", "--no-editable", "--inexact")
    assert _seen(workspace) == "venv venv venv\n"


@pytest.mark.parametrize("how", ["environment variable", "configuration"])
def test_no_build_isolation_from_the_environment_or_configuration(
    tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer, how: str
) -> None:
    """`UV_NO_BUILD_ISOLATION=1` and `[tool.uv] no-build-isolation = true` do the same, in
    `run`'s sync too."""
    pair = make_pair(tmp_path, run_uv, run_puv, lambda d: write_single(d, index.simple_url))
    env = None
    if how == "environment variable":
        env = {"UV_NO_BUILD_ISOLATION": "1"}
    else:
        for tool in ("uv", "puv"):
            with open(pair.dir(tool) / "pyproject.toml", "a") as file:
                file.write("\n[tool.uv]\nno-build-isolation = true\n")
    _preinstall(pair, index, "tinybackend", "buildmark")
    script = "import app_build; print(app_build.SEEN)"
    theirs, ours = pair.both("run", "--frozen", "python", "-c", script, env=env)
    assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout) == (0, "venv\n")
    assert pair.shown("puv", ours.stderr) == pair.shown("uv", theirs.stderr)


def test_no_build_isolation_package_shares_only_that_package(
    workspace: Pair, index: IndexServer
) -> None:
    """`no-build-isolation-package = ["member"]`: only the member is built in `.venv`."""
    for tool in ("uv", "puv"):
        with open(workspace.dir(tool) / "pyproject.toml", "a") as file:
            file.write('\n[tool.uv]\nno-build-isolation-package = ["Member"]\n')
    _preinstall(workspace, index, "tinybackend", "buildmark")
    theirs, ours = workspace.both("sync", "--frozen")
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert workspace.freeze("puv") == workspace.freeze("uv")
    assert _seen(workspace) == "None venv None\n"


def _error_lines(pair: Pair, tool: str, text: str) -> list[str]:
    """The error's lines but the traceback's frames (the hook runners differ), with `puv` and
    `uv` named alike in the hint."""
    lines = pair.shown(tool, text).replace("`puv ", "`uv ").splitlines()
    return [line for line in lines if not line.startswith("           ")]


def test_a_missing_backend_fails_as_uv_fails(
    tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer
) -> None:
    """Nothing installs the backend: the build fails in `.venv` (no `get_requires_for_build_*`
    call first), with uv's error and hint."""
    pair = make_pair(tmp_path, run_uv, run_puv, lambda d: write_single(d, index.simple_url))
    theirs, ours = pair.both("sync", "--frozen", "--no-build-isolation")
    assert ours.returncode == theirs.returncode == 1
    expected = _error_lines(pair, "uv", theirs.stderr)
    assert _error_lines(pair, "puv", ours.stderr) == expected
    assert "  cause: Call to `tinybackend.build_editable` failed (exit status: 1)" in expected
    assert "         ModuleNotFoundError: No module named 'tinybackend'" in expected
    assert "or `uv pip install tinybackend` into the environment" in expected[-1]


@pytest.mark.network
def test_a_hatchling_project_syncs_with_the_backend_in_the_environment(
    tmp_path: Path,
    run_uv: Runner,
    run_puv: Runner,
    backend_index: IndexServer,  # noqa: F811
) -> None:
    """A real backend: hatchling (and `editables`, which its editable build imports without
    asking for it) installed in `.venv`; the sync builds with it, then removes it."""

    def write(directory: Path) -> None:
        (directory / "src" / "hello").mkdir(parents=True)
        (directory / "src" / "hello" / "__init__.py").write_text("VALUE = 1\n")
        (directory / "pyproject.toml").write_text(
            '[project]\nname = "hello"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
            'dependencies = []\n\n[build-system]\nrequires = ["hatchling"]\n'
            'build-backend = "hatchling.build"\n\n'
            f'[[tool.uv.index]]\nurl = "{backend_index.simple_url}"\ndefault = true\n'
        )

    pair = make_pair(tmp_path, run_uv, run_puv, write)
    _preinstall(pair, backend_index, "hatchling")
    theirs, ours = pair.both("sync", "--frozen", "--no-build-isolation")
    assert ours.returncode == theirs.returncode == 1
    assert "ModuleNotFoundError: No module named 'editables'" in ours.stderr
    assert _error_lines(pair, "puv", ours.stderr) == _error_lines(pair, "uv", theirs.stderr)
    _preinstall(pair, backend_index, "editables")
    shown = pair.same("sync", "--frozen", "--no-build-isolation")
    assert " - hatchling==" in shown
    python = pair.dir("puv") / ".venv" / "bin" / "python"
    read = subprocess.run(
        [str(python), "-c", "import hello; print(hello.VALUE)"], capture_output=True, text=True
    )
    assert read.stdout == "1\n"


# A backend that records where it ran: `sys.prefix` in the wheel's `where.txt`.
PREFIX_BACKEND = """\
import os, sys, zipfile

def build_wheel(directory, config_settings=None, metadata_directory=None):
    name = "legacy-1.0-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as bundle:
        bundle.writestr("where.txt", sys.prefix)
    return name
"""


@pytest.mark.parametrize(("shared", "in_environment"), [(("Legacy",), True), (("other",), False)])
def test_an_sdist_without_a_project_table_is_named_by_its_pkg_info(
    tmp_path: Path,
    interpreter: Interpreter,  # noqa: F811
    no_index: PackageFinder,  # noqa: F811
    shared: tuple[str, ...],
    in_environment: bool,
) -> None:
    """`no-build-isolation-package` matches an sdist whose `pyproject.toml` has no `[project]`
    name by its `PKG-INFO` name (normalized); other builds stay isolated."""
    pyproject = '[build-system]\nrequires = []\nbuild-backend = "_backend"\nbackend-path = ["."]\n'
    sdist = write_sdist(
        tmp_path, {"_backend.py": PREFIX_BACKEND}, name="legacy", version="1.0", pyproject=pyproject
    )
    settings = Settings(no_build_isolation_package=shared)
    ctx = Context(Printer(err=io.StringIO()), CacheLayout(tmp_path / "cache"), tmp_path, settings)
    wheel = build_wheel_for(ctx, sdist, interpreter, finder=no_index)
    with zipfile.ZipFile(wheel) as bundle:
        where = bundle.read("where.txt").decode()
    assert (where == str(interpreter.prefix)) is in_environment


def test_pip_install_builds_in_the_target_environment(
    tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer
) -> None:
    """`pip install --no-build-isolation` runs the backend in the target environment (which
    holds it), as uv does; without the flag the isolated build cannot see `buildmark`."""
    pair = make_pair(tmp_path, run_uv, run_puv, lambda d: write_single(d, index.simple_url))
    _preinstall(pair, index, "tinybackend", "buildmark")
    for flags, seen in (([], "None"), (["--no-build-isolation"], "'venv'")):
        for tool in ("uv", "puv"):
            installed = pair.run(
                tool, "pip", "install", "-q", "--reinstall", "--default-index", index.simple_url,
                *flags, ".",
            )  # fmt: skip
            assert installed.returncode == 0, installed.stderr
            shown = pair.run(
                tool,
                "run",
                "--no-sync",
                "python",
                "-c",
                "import app_build as a; print(repr(a.SEEN))",
            )
            assert shown.stdout.strip() == seen, (tool, flags, shown.stderr)


def test_pip_install_reads_no_build_isolation_from_the_pip_table(
    tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer
) -> None:
    """`[tool.uv.pip] no-build-isolation = true` reaches `pip install`'s builds, as in uv (the
    `[pip]` table applies to `pip` commands only)."""

    def write(directory: Path) -> None:
        write_single(directory, index.simple_url)
        with (directory / "pyproject.toml").open("a") as file:
            file.write("\n[tool.uv.pip]\nno-build-isolation = true\n")

    pair = make_pair(tmp_path, run_uv, run_puv, write)
    _preinstall(pair, index, "tinybackend", "buildmark")
    for tool in ("uv", "puv"):
        installed = pair.run(
            tool, "pip", "install", "-q", "--reinstall", "--default-index", index.simple_url, "."
        )
        assert installed.returncode == 0, installed.stderr
        shown = pair.run(
            tool, "run", "--no-sync", "python", "-c", "import app_build as a; print(repr(a.SEEN))"
        )
        assert shown.stdout.strip() == "'venv'", (tool, shown.stderr)
