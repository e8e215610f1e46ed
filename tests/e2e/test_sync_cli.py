"""`puv sync` against a local index, side by side with the real uv.

The lock is always made by uv (`uv lock`), the format contract. A project is written twice
(`uv/` and `puv/`), locked once and copied, then each tool syncs its own copy with its own
cache; `pip freeze` of the two environments must be the same after every step, and uv's output
lines must match puv's (durations masked). The project and its workspace members are built by an
in-tree PEP 517/660 backend, so nothing needs the network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Runner
from tests.indexserver import IndexServer
from tests.wheelmaker import write_sdist, write_wheel

DURATION = re.compile(r" in \d+(\.\d+)?(ms|s)\b")
BUILD_LINES = ("   Building ", "      Built ")

# A PEP 517 + PEP 660 backend without dependencies: a wheel holds `src/`, an editable wheel a
# `.pth` file naming `src/`; metadata from `[project]`.
BACKEND = """\
import base64, hashlib, os, zipfile
try:
    import tomllib
except ImportError:
    import tomli as tomllib

def _project():
    with open("pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]

def _dist(name):
    return name.replace("-", "_").replace(".", "_")

def _metadata():
    p = _project()
    lines = ["Metadata-Version: 2.1", "Name: " + p["name"], "Version: " + p["version"]]
    lines += ["Requires-Dist: " + d for d in p.get("dependencies", [])]
    for extra, deps in p.get("optional-dependencies", {}).items():
        lines.append("Provides-Extra: " + extra)
        lines += ["Requires-Dist: %s ; extra == '%s'" % (d, extra) for d in deps]
    return "\\n".join(lines) + "\\n\\n"

def _digest(data):
    raw = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "sha256=" + raw

def _wheel(directory, files):
    p = _project()
    info = "%s-%s.dist-info" % (_dist(p["name"]), p["version"])
    files[info + "/METADATA"] = _metadata().encode()
    files[info + "/WHEEL"] = b"Wheel-Version: 1.0\\nGenerator: t\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    record = "".join("%s,%s,%d\\n" % (k, _digest(v), len(v)) for k, v in files.items())
    name = "%s-%s-py3-none-any.whl" % (_dist(p["name"]), p["version"])
    with zipfile.ZipFile(os.path.join(directory, name), "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
        z.writestr(info + "/RECORD", record + info + "/RECORD,,\\n")
    return name

def get_requires_for_build_wheel(config_settings=None):
    return []

def get_requires_for_build_editable(config_settings=None):
    return []

def build_wheel(directory, config_settings=None, metadata_directory=None):
    files = {}
    for root, _, names in os.walk("src"):
        for n in names:
            path = os.path.join(root, n)
            with open(path, "rb") as f:
                files[os.path.relpath(path, "src").replace(os.sep, "/")] = f.read()
    return _wheel(directory, files)

def build_editable(directory, config_settings=None, metadata_directory=None):
    name = "_%s.pth" % _dist(_project()["name"])
    return _wheel(directory, {name: (os.path.abspath("src") + "\\n").encode()})
"""


def masked(text: str) -> str:
    """Output with durations replaced."""
    return DURATION.sub(" in T", text)


def write_member(
    directory: Path,
    name: str,
    dependencies: list[str],
    *,
    extra: str = "",
    optional: dict[str, list[str]] | None = None,
) -> None:
    """A project with the in-tree backend and a `src/<name>` package."""
    package = name.replace("-", "_")
    (directory / "src" / package).mkdir(parents=True, exist_ok=True)
    (directory / "src" / package / "__init__.py").write_text(f"NAME = {name!r}\n")
    (directory / "_build").mkdir(exist_ok=True)
    (directory / "_build" / "backend.py").write_text(BACKEND)
    optional_text = "".join(
        f"{key} = {json.dumps(values)}\n" for key, values in (optional or {}).items()
    )
    (directory / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = {json.dumps(dependencies)}\n"
        + (f"\n[project.optional-dependencies]\n{optional_text}" if optional else "")
        + '\n[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_build"]\n'
        + extra
    )


def write_app(directory: Path, index_url: str) -> None:
    """The main test project: registry deps (one with an extra, one only an sdist, one for
    Windows only), an extra and two dependency groups."""
    write_member(
        directory,
        "app",
        ["alpha", "delta[g]", "winonly; sys_platform == 'win32'", "sdonly"],
        optional={"fast": ["gamma"]},
        extra=(
            '\n[dependency-groups]\ndev = ["zeta"]\nlint = ["beta<2"]\n\n'
            f'[[tool.uv.index]]\nurl = "{index_url}"\ndefault = true\n'
        ),
    )


def populate(index: IndexServer) -> None:
    """The wheels and sdists the test projects use."""
    index.add_wheel("alpha", "1.0", requires_dist=["beta>=1"])
    index.add_wheel("beta", "1.0")
    index.add_wheel("beta", "2.0")
    index.add_wheel("gamma", "1.0")
    write_wheel(
        index.root,
        {"delta/__init__.py": "X = 1\n"},
        name="delta",
        version="1.0",
        metadata_headers=["Provides-Extra: g", "Requires-Dist: gamma ; extra == 'g'"],
    )
    index.add_wheel("eps", "1.0")
    index.add_wheel("zeta", "1.0", requires_dist=["eps"])
    index.add_wheel("winonly", "1.0")
    write_sdist(index.root, {"sdonly/__init__.py": "X = 1\n"}, name="sdonly", version="1.0")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    with IndexServer(tmp_path_factory.mktemp("index")) as server:
        populate(server)
        yield server


@dataclass
class Pair:
    """One project written twice (`uv/`, `puv/`), locked by uv, synced by each tool."""

    root: Path
    run_uv: Runner
    run_puv: Runner

    def dir(self, tool: str) -> Path:
        return self.root / tool

    def run(self, tool: str, *args: str, env: dict[str, str] | None = None) -> Any:
        runner = self.run_uv if tool == "uv" else self.run_puv
        result = runner(*args, cwd=self.dir(tool), env=env)
        assert "This is a bug in puv" not in result.stderr, result.stderr
        return result

    def both(self, *args: str, env: dict[str, str] | None = None) -> tuple[Any, Any]:
        """Run `args` with uv, then puv; (theirs, ours)."""
        return self.run("uv", *args, env=env), self.run("puv", *args, env=env)

    def shown(self, tool: str, text: str) -> str:
        """`text` with durations masked, the tool's directory as `ROOT`, and the `Building` /
        `Built` lines sorted (uv builds concurrently: their order varies); uv's commands in
        hints are named as puv's."""
        text = masked(text).replace(str(self.dir(tool)), "ROOT").replace("`uv ", "`puv ")
        lines = text.splitlines(keepends=True)
        builds = sorted(line for line in lines if line.startswith(BUILD_LINES))
        if builds:
            first = next(i for i, line in enumerate(lines) if line.startswith(BUILD_LINES))
            rest = [line for line in lines if not line.startswith(BUILD_LINES)]
            lines = rest[:first] + builds + rest[first:]
        return "".join(lines)

    def same(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Both tools give the same exit code and output; then the same environment."""
        theirs, ours = self.both(*args, env=env)
        expected, actual = self.shown("uv", theirs.stderr), self.shown("puv", ours.stderr)
        assert (ours.returncode, actual) == (theirs.returncode, expected), (
            f"uv:\n{expected}\npuv:\n{actual}"
        )
        assert self.freeze("puv") == self.freeze("uv")
        return self.shown("puv", ours.stderr)

    def freeze(self, tool: str) -> list[str]:
        """`uv pip freeze` of the tool's `.venv`, its directory shown as `ROOT`."""
        venv = self.dir(tool) / ".venv"
        if not venv.exists():
            return []
        result = self.run_uv("pip", "freeze", "--python", str(venv / "bin" / "python"))
        assert result.returncode == 0, result.stderr
        return result.stdout.replace(str(self.dir(tool)), "ROOT").splitlines()


def make_pair(root: Path, run_uv: Runner, run_puv: Runner, write: Any) -> Pair:
    """Write the project with `write(directory)` in `root/uv`, lock it with uv, copy it to
    `root/puv`."""
    pair = Pair(root, run_uv, run_puv)
    write(pair.dir("uv"))
    locked = run_uv("lock", cwd=pair.dir("uv"))
    assert locked.returncode == 0, locked.stderr
    shutil.copytree(pair.dir("uv"), pair.dir("puv"))
    return pair


@pytest.fixture
def app(tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer) -> Pair:
    return make_pair(tmp_path, run_uv, run_puv, lambda d: write_app(d, index.simple_url))


def test_first_sync_prints_what_uv_prints(app: Pair) -> None:
    """Environment creation, builds (the project, an sdist), downloads and installs."""
    shown = app.same("sync", "--frozen")
    assert "Creating virtual environment at: .venv\n" in shown
    assert "   Building app @ file://ROOT\n" in shown
    assert "      Built sdonly==1.0\n" in shown
    assert " + app==0.1.0 (from file://ROOT)\n" in shown
    assert "winonly" not in shown


def test_noop_sync_checks_and_opens_no_connection(app: Pair, index: IndexServer) -> None:
    app.same("sync", "--frozen")
    index.reset()
    shown = app.same("sync", "--frozen")
    assert shown == "Checked 8 packages in T\n"
    assert index.requests == []


def test_selection_flags_install_what_uv_installs(app: Pair) -> None:
    """Each step is an exact sync from the previous state: the same packages come and go."""
    app.same("sync", "--frozen", "-q")
    for flags in (
        ["--no-dev"],
        ["--only-dev"],
        ["--all-extras"],
        ["--extra", "fast", "--no-dev"],
        ["--all-groups"],
        ["--group", "lint", "--no-group", "dev"],
        ["--only-group", "lint"],
        ["--no-default-groups"],
        ["--no-install-project"],
        ["--no-install-package", "alpha", "--all-extras", "--no-extra", "fast"],
        ["--no-install-local"],
        ["--no-editable"],
        ["--dev"],
    ):
        app.same("sync", "--frozen", *flags)


def test_locked_sync_and_dry_run_and_check(app: Pair) -> None:
    app.same("sync", "--locked", "--dry-run")
    app.same("sync", "--locked")
    app.same("sync", "--locked", "--no-dev", "--dry-run")
    app.same("sync", "--locked", "--no-dev", "--check")
    app.same("sync", "--locked", "--check")


def test_sync_of_a_changed_project_prints_no_lock_changes(app: Pair) -> None:
    """A sync that updates the lock says so only as uv does: no `Added ...`/`Updated ...` or
    `Lockfile changes detected` lines (those are `lock`'s), with or without `--dry-run`."""
    app.same("sync", "--frozen", "-q")
    for tool in ("uv", "puv"):
        pyproject = app.dir(tool) / "pyproject.toml"
        pyproject.write_text(
            pyproject.read_text().replace('lint = ["beta<2"]', 'lint = ["beta>=2"]')
        )
    preview = app.same("sync", "--all-groups", "--dry-run")
    assert "Would update lockfile at: uv.lock\n" in preview
    app.same("sync", "--all-groups")
    assert (app.dir("puv") / "uv.lock").read_text() == (app.dir("uv") / "uv.lock").read_text()


def test_large_downloads_are_announced_as_uv_does(
    tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer
) -> None:
    """A wheel over 1 MiB gets uv's `Downloading big (1.5MiB)` / ` Downloaded big` lines when
    no progress bar is drawn; a small one does not."""
    write_wheel(index.root, {"big/data.bin": os.urandom(3 << 19)}, name="big", version="1.0")

    def write(directory: Path) -> None:
        write_member(
            directory,
            "app",
            ["big", "eps"],
            extra=f'\n[[tool.uv.index]]\nurl = "{index.simple_url}"\ndefault = true\n',
        )

    pair = make_pair(tmp_path, run_uv, run_puv, write)
    shown = pair.same("sync", "--frozen", "--no-install-project")
    assert "Downloading big (1.5MiB)\n Downloaded big\n" in shown
    assert "Downloading eps" not in shown


def test_inexact_keeps_extraneous_packages(app: Pair) -> None:
    app.same("sync", "--frozen", "--all-groups")
    app.same("sync", "--frozen", "--inexact")
    assert any(line.startswith("beta==") for line in app.freeze("puv"))
    app.same("sync", "--frozen")


def test_project_is_editable_and_edits_are_seen(app: Pair) -> None:
    app.same("sync", "--frozen")
    project = app.dir("puv")
    python = project / ".venv" / "bin" / "python"
    module = project / "src" / "app" / "__init__.py"
    module.write_text("NAME = 'edited'\n")
    shown = subprocess.run(
        [python, "-c", "import app; print(app.NAME, app.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown == f"edited {module}\n"
    assert app.run("puv", "sync", "--frozen").stderr.startswith("Checked 8 packages")


def test_changed_cache_key_rebuilds_the_project(app: Pair) -> None:
    app.same("sync", "--frozen")
    for tool in ("uv", "puv"):
        os.utime(app.dir(tool) / "pyproject.toml")
        (app.dir(tool) / "pyproject.toml").write_text(
            (app.dir(tool) / "pyproject.toml").read_text()
        )
    shown = app.same("sync", "--frozen")
    assert "Uninstalled 1 package in T\nInstalled 1 package in T\n ~ app==0.1.0" in shown


def test_tampered_wheel_fails_with_a_hash_mismatch(
    tmp_path: Path, run_uv: Runner, run_puv: Runner
) -> None:
    with IndexServer(tmp_path / "index") as index:
        populate(index)
        pair = make_pair(tmp_path / "p", run_uv, run_puv, lambda d: write_app(d, index.simple_url))
        wheel = index.root / "gamma-1.0-py3-none-any.whl"
        write_wheel(index.root, {"gamma/__init__.py": "EVIL = 1\n"}, name="gamma", version="1.0")
        assert wheel.is_file()
        result = pair.run("puv", "sync", "--frozen")
    assert result.returncode == 1
    assert "error: Failed to download `gamma==1.0`" in result.stderr
    assert "Hash mismatch for `gamma==1.0`" in result.stderr
    assert not list((pair.dir("puv") / ".venv" / "lib").glob("python*/site-packages/gamma"))


def test_frozen_sync_works_offline_from_a_warm_cache(
    tmp_path: Path, run_uv: Runner, run_puv: Runner
) -> None:
    with IndexServer(tmp_path / "index") as index:
        populate(index)
        pair = make_pair(tmp_path / "p", run_uv, run_puv, lambda d: write_app(d, index.simple_url))
        assert pair.run("puv", "sync", "--frozen").returncode == 0
    shutil.rmtree(pair.dir("puv") / ".venv")
    result = pair.run("puv", "sync", "--frozen", "--offline")
    assert result.returncode == 0, result.stderr
    assert "Prepared" not in result.stderr
    assert "Installed 8 packages in" in result.stderr


def test_missing_lock_errors(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> None:
    for tool in ("uv", "puv"):
        write_member(tmp_path / tool, "solo", [])
    pair = Pair(tmp_path, run_uv, run_puv)
    theirs, ours = pair.both("sync", "--frozen")
    assert ours.returncode == theirs.returncode == 1
    assert ours.stderr == theirs.stderr.replace(
        "`uv lock` or `uv sync`", "`puv lock` or `puv sync`"
    )
    assert not (tmp_path / "puv" / ".venv").exists()


def test_unreadable_lock_fails_before_the_environment_is_made(
    tmp_path: Path, run_uv: Runner, run_puv: Runner
) -> None:
    """`sync --frozen` reads the lock before it creates `.venv`, as uv does."""
    for tool in ("uv", "puv"):
        write_member(tmp_path / tool, "solo", [])
        (tmp_path / tool / "uv.lock").write_text(
            'version = 1\nrequires-python = ">=3.8"\n[[package]]\n'
        )
    pair = Pair(tmp_path, run_uv, run_puv)
    theirs, ours = pair.both("sync", "--frozen")
    assert ours.returncode == theirs.returncode == 2
    assert ours.stderr == theirs.stderr
    assert not (tmp_path / "uv" / ".venv").exists()
    assert not (tmp_path / "puv" / ".venv").exists()


def test_project_environment_variable_and_active(
    tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer
) -> None:
    pair = make_pair(tmp_path, run_uv, run_puv, lambda d: write_app(d, index.simple_url))
    shown = pair.same("sync", "--frozen", env={"UV_PROJECT_ENVIRONMENT": "other"})
    assert "Creating virtual environment at: other\n" in shown
    for tool in ("uv", "puv"):
        assert (pair.dir(tool) / "other" / "pyvenv.cfg").is_file()
    theirs, ours = pair.both("sync", "--frozen", env={"VIRTUAL_ENV": "/nowhere"})
    warning = (
        "warning: `VIRTUAL_ENV=/nowhere` does not match the project environment path `.venv` "
        "and will be ignored; use `--active` to target the active environment instead\n"
    )
    assert ours.stderr.startswith(warning) and theirs.stderr.startswith(warning)
    active = pair.dir("puv") / "active"
    ours = pair.run("puv", "sync", "--frozen", "--active", env={"VIRTUAL_ENV": str(active)})
    assert ours.returncode == 0, ours.stderr
    assert (active / "pyvenv.cfg").is_file()


@pytest.mark.skipif(
    not (Path.home() / ".pyenv/versions/3.12.1/bin/python3.12").exists(),
    reason="needs pyenv's CPython 3.12.1",
)
def test_python_version_change_recreates_the_environment(app: Pair) -> None:
    app.same("sync", "--frozen", "-q")
    for tool in ("uv", "puv"):
        (app.dir(tool) / ".python-version").write_text("3.12\n")
    shown = app.same("sync", "--frozen")
    assert "Removed virtual environment at: .venv\nCreating virtual environment at: .venv\n" in (
        shown
    )
    assert "Using CPython 3.12.1" in shown


def write_workspace(directory: Path, index_url: str) -> None:
    """A virtual root with members `lib` and `cli` (which needs `lib` from the workspace)."""
    directory.mkdir(parents=True)
    (directory / "pyproject.toml").write_text(
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n\n'
        '[dependency-groups]\ndev = ["gamma"]\n\n'
        f'[[tool.uv.index]]\nurl = "{index_url}"\ndefault = true\n'
    )
    write_member(directory / "packages" / "lib", "lib", ["beta"])
    write_member(
        directory / "packages" / "cli",
        "cli",
        ["lib", "alpha"],
        extra='\n[tool.uv.sources]\nlib = { workspace = true }\n\n[dependency-groups]\ndev = ["zeta"]\n',
    )


def test_workspace_members_and_packages(
    tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer
) -> None:
    pair = make_pair(tmp_path, run_uv, run_puv, lambda d: write_workspace(d, index.simple_url))
    pair.same("sync", "--frozen")
    for flags in (["--package", "lib"], ["--package", "cli"], ["--all-packages"], []):
        pair.same("sync", "--frozen", *flags)
    theirs, ours = pair.both("sync", "--frozen", "--package", "nope")
    assert (ours.returncode, ours.stderr) == (theirs.returncode, theirs.stderr)


def test_unknown_group_and_extra_errors(app: Pair) -> None:
    for flags in (["--group", "nope"], ["--extra", "nope"], ["--only-group", "nope"]):
        theirs, ours = app.both("sync", "--frozen", *flags)
        assert (ours.returncode, ours.stderr) == (theirs.returncode, theirs.stderr)


def test_installer_options(app: Pair) -> None:
    app.same("sync", "--frozen", "-q")
    shown = app.same("sync", "--frozen", "--reinstall-package", "alpha")
    assert " ~ alpha==1.0\n" in shown
    shown = app.same("sync", "--frozen", "--compile-bytecode")
    assert re.fullmatch(r"Bytecode compiled \d+ files in T\n", shown)
    app.same("sync", "--frozen", "--reinstall", "--link-mode", "copy", "--no-dev")


def test_no_build_and_build_failures(app: Pair) -> None:
    theirs, ours = app.both("sync", "--frozen", "--no-build-package", "sdonly")
    assert (ours.returncode, app.shown("puv", ours.stderr)) == (
        theirs.returncode,
        app.shown("uv", theirs.stderr),
    )
    for tool in ("uv", "puv"):
        backend = app.dir(tool) / "_build" / "backend.py"
        backend.write_text(
            backend.read_text() + "\ndef build_editable(*args, **kwargs):\n"
            "    print('backend says no')\n    raise SystemExit(3)\n"
        )
    theirs, ours = app.both("sync", "--frozen")
    assert ours.returncode == theirs.returncode == 1
    first = "error: Failed to build `app @ file://ROOT`\n"
    assert app.shown("puv", ours.stderr).count(first) == 1
    assert app.shown("uv", theirs.stderr).count(first) == 1
    assert "backend says no" in ours.stderr


def test_config_settings_reach_the_backend_and_are_recorded(app: Pair) -> None:
    for tool in ("uv", "puv"):
        backend = app.dir(tool) / "_build" / "backend.py"
        backend.write_text(
            backend.read_text().replace(
                '    name = "_%s.pth"',
                "    open('settings.txt', 'w').write(repr(config_settings))\n    name = \"_%s.pth\"",
            )
        )
    app.same("sync", "--frozen", "-C", "mode=fast")
    for tool in ("uv", "puv"):
        assert (app.dir(tool) / "settings.txt").read_text() == "{'mode': 'fast'}"
    site = next((app.dir("puv") / ".venv" / "lib").glob("python*/site-packages"))
    recorded = (site / "app-0.1.0.dist-info" / "uv_build.json").read_text()
    assert json.loads(recorded) == {"config_settings": {"mode": "fast"}}
    assert app.run("puv", "sync", "--frozen", "-C", "mode=fast").stderr.startswith("Checked")
    assert " ~ app==0.1.0" in app.run("puv", "sync", "--frozen").stderr


def write_direct(directory: Path, index: IndexServer) -> None:
    """A project whose dependencies are a wheel by URL and a local wheel by path."""
    (directory / "wheels").mkdir(parents=True)
    shutil.copy(index.root / "gamma-1.0-py3-none-any.whl", directory / "wheels")
    (directory / "pyproject.toml").write_text(
        '[project]\nname = "direct"\nversion = "0.1"\nrequires-python = ">=3.11"\n'
        f'dependencies = ["gamma", "eps @ {index.file_url("eps-1.0-py3-none-any.whl")}"]\n\n'
        '[tool.uv.sources]\ngamma = { path = "wheels/gamma-1.0-py3-none-any.whl" }\n\n'
        f'[[tool.uv.index]]\nurl = "{index.simple_url}"\ndefault = true\n'
    )


def test_direct_url_and_path_wheels(
    tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer
) -> None:
    pair = make_pair(tmp_path, run_uv, run_puv, lambda d: write_direct(d, index))
    theirs, ours = pair.both("sync", "--frozen")
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert (
        pair.freeze("puv")
        == pair.freeze("uv")
        == [
            f"eps @ {index.file_url('eps-1.0-py3-none-any.whl')}",
            "gamma @ file://ROOT/wheels/gamma-1.0-py3-none-any.whl",
        ]
    )
    assert " + gamma==1.0 (from file://ROOT/wheels/gamma-1.0-py3-none-any.whl)\n" in (
        pair.shown("puv", ours.stderr)
    )
    assert pair.run("puv", "sync", "--frozen").stderr.startswith("Checked 2 packages")


def test_frozen_sync_follows_a_changed_lock(app: Pair) -> None:
    """A frozen sync remembers its selection per lock file; a new lock is read again."""
    app.same("sync", "--frozen", "-q")
    for tool in ("uv", "puv"):
        pyproject = app.dir(tool) / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace('"alpha", ', ""))
        assert app.run_uv("lock", cwd=app.dir(tool)).returncode == 0
    shown = app.same("sync", "--frozen")
    assert " - alpha==1.0\n" in shown
