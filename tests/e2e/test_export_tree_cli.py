"""Differential tests: `puv export` and `puv tree` print what uv 0.13.9 prints for the same lock.

Every lock is written by the real `uv lock` against a local index (`tests.indexserver`) of wheels
built by `tests.wheelmaker`, so no test needs the network. The projects cover:

- `app`: an editable root with a workspace member (`lib`), extras (one activating an extra of a
  dependency), dependency groups (default, extra, empty), a Python-version fork (two `beta`s),
  platform markers (`colorama` on Windows, `gamma` with platform wheels), a path directory and an
  editable path dependency;
- `sources`: a virtual root with git (tag, subdirectory), direct-URL and path-wheel sources;
- `mono`: a non-project workspace root with its own dependency groups (one marked), members with
  conflicting extras, a dependency cycle and a legacy `tool.uv.dev-dependencies` group.

uv's output is compared byte for byte with puv's on stdout (the header names `puv`), along with
the exit code; error messages are compared with uv's (`uv lock` read as `puv lock`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.indexserver import IndexServer
from tests.wheelmaker import write_wheel

UV = Path(sys.executable).parent / "uv"
pytestmark = pytest.mark.skipif(not UV.exists(), reason="the reference uv binary is not installed")

EXCLUDE_NEWER = "2026-01-01T00:00:00Z"
BUILD_SYSTEM = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def _wheel(index: IndexServer, name: str, version: str, *headers: str) -> None:
    module = name.replace("-", "_")
    write_wheel(
        index.root, {f"{module}/__init__.py": ""}, name=name, version=version,
        metadata_headers=list(headers),
    )  # fmt: skip


def _publish(index: IndexServer) -> None:
    _wheel(
        index, "alpha", "1.0", "Requires-Dist: beta>=1", "Provides-Extra: fast",
        "Requires-Dist: gamma; extra == 'fast'", "Requires-Dist: colorama; sys_platform == 'win32'",
    )  # fmt: skip
    index.add_sdist("alpha", "1.0")
    _wheel(index, "beta", "1.0")
    _wheel(index, "beta", "2.0", "Requires-Python: >=3.11")
    for tag in ("manylinux_2_17_x86_64", "win_amd64", "macosx_11_0_arm64"):
        index.add_wheel("gamma", "1.0", tag=f"py3-none-{tag}")
    _wheel(index, "colorama", "0.4.6")
    _wheel(index, "delta", "0.5", "Requires-Dist: epsilon[cli]")
    _wheel(index, "epsilon", "1.0", "Provides-Extra: cli", "Requires-Dist: zeta; extra == 'cli'")
    _wheel(index, "zeta", "3.0", "Requires-Dist: alpha")
    _wheel(index, "omega", "1.0")
    _wheel(index, "cyc-a", "1.0", "Requires-Dist: cyc-b")
    _wheel(index, "cyc-b", "1.0", "Requires-Dist: cyc-a")
    _wheel(index, "torchy", "1.0")
    _wheel(index, "torchy", "2.0")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _index_table(index: IndexServer) -> str:
    return f'[[tool.uv.index]]\nurl = "{index.simple_url}"\ndefault = true\n'


def app_project(root: Path, index: IndexServer) -> None:
    """An editable root with a member, extras, groups, forks, markers and local sources."""
    _write(
        root / "pyproject.toml",
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n'
        'dependencies = ["alpha[fast]", "beta<2; python_version < \'3.11\'",'
        ' "beta>=2; python_version >= \'3.11\'", "lib", "dirpkg", "edpkg"]\n'
        '[project.optional-dependencies]\nextra1 = ["delta"]\n'
        "cli = [\"omega; sys_platform == 'linux'\"]\n"
        '[dependency-groups]\ndev = ["delta>=0.1"]\ntest = ["omega"]\nempty = []\n'
        "[tool.uv.sources]\nlib = { workspace = true }\n"
        'dirpkg = { path = "vendored/dirpkg" }\nedpkg = { path = "edpkg", editable = true }\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n' + _index_table(index) + BUILD_SYSTEM,
    )
    _write(
        root / "packages" / "lib" / "pyproject.toml",
        '[project]\nname = "lib"\nversion = "0.2.0"\nrequires-python = ">=3.9"\n'
        'dependencies = ["beta; sys_platform == \'linux\'", "colorama"]\n'
        '[project.optional-dependencies]\nx = ["zeta"]\n[dependency-groups]\nlint = ["omega"]\n'
        + BUILD_SYSTEM,
    )
    _write(
        root / "vendored" / "dirpkg" / "pyproject.toml",
        '[project]\nname = "dirpkg"\nversion = "1.1"\ndependencies = ["epsilon"]\n' + BUILD_SYSTEM,
    )
    _write(
        root / "edpkg" / "pyproject.toml",
        '[project]\nname = "edpkg"\nversion = "2.0"\ndependencies = []\n' + BUILD_SYSTEM,
    )


def _git(repository: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repository, check=True, capture_output=True,
    )  # fmt: skip


def sources_project(root: Path, index: IndexServer) -> None:
    """A virtual root with git (tag, subdirectory), direct-URL and path-wheel sources."""
    repository = root.parent / f"{root.name}-repo"
    _write(
        repository / "pyproject.toml",
        '[project]\nname = "gitpkg"\nversion = "0.3"\ndependencies = ["omega"]\n' + BUILD_SYSTEM,
    )
    _write(
        repository / "sub" / "pyproject.toml",
        '[project]\nname = "subpkg"\nversion = "0.4"\ndependencies = []\n' + BUILD_SYSTEM,
    )
    _git(repository, "init", "-q")
    _git(repository, "add", "-A")
    _git(repository, "commit", "-qm", "init")
    _git(repository, "tag", "v1")
    wheel = write_wheel(root / "wheels", {"local/__init__.py": ""}, name="local", version="1.0")
    _write(
        root / "pyproject.toml",
        '[project]\nname = "sources"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n'
        'dependencies = ["gitpkg", "subpkg", "local", "omega",'
        f' "zeta @ {index.url}/files/zeta-3.0-py3-none-any.whl",'
        " \"colorama; os_name == 'nt'\"]\n"
        "[tool.uv.sources]\n"
        f'gitpkg = {{ git = "{repository.as_uri()}", tag = "v1" }}\n'
        f'subpkg = {{ git = "{repository.as_uri()}", subdirectory = "sub" }}\n'
        f'local = {{ path = "wheels/{wheel.name}" }}\n' + _index_table(index),
    )


def mono_project(root: Path, index: IndexServer) -> None:
    """A non-project root with groups, conflicting extras, a cycle, legacy dev-dependencies."""
    _write(
        root / "pyproject.toml",
        '[dependency-groups]\nlint = ["omega", "cyc-a"]\n'
        "docs = [\"alpha[fast]; sys_platform == 'linux'\"]\n"
        '[tool.uv]\ndefault-groups = ["lint"]\n[tool.uv.workspace]\nmembers = ["packages/*"]\n'
        "[tool.uv.sources]\na = { workspace = true }\n" + _index_table(index),
    )
    _write(
        root / "packages" / "a" / "pyproject.toml",
        '[project]\nname = "a"\nversion = "0.3.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["cyc-b"]\n'
        '[project.optional-dependencies]\none = ["torchy==1.0"]\ntwo = ["torchy==2.0"]\n'
        '[tool.uv]\nconflicts = [[{ extra = "one" }, { extra = "two" }]]\n' + BUILD_SYSTEM,
    )
    _write(
        root / "packages" / "b" / "pyproject.toml",
        '[project]\nname = "b"\nversion = "1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["a[one]"]\n[tool.uv]\ndev-dependencies = ["zeta"]\n'
        "[tool.uv.sources]\na = { workspace = true }\n" + BUILD_SYSTEM,
    )


def _environment(cache: Path, config: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("UV_", "PUV_"))
        and key not in ("VIRTUAL_ENV", "CONDA_PREFIX", "COLUMNS", "LINES")
    }
    env.update(
        UV_CACHE_DIR=str(cache), UV_PYTHON_DOWNLOADS="never", XDG_CONFIG_HOME=str(config),
        NO_COLOR="1",
    )  # fmt: skip
    return env


@dataclass(frozen=True, slots=True)
class Projects:
    """The locked projects (by name) and the private caches the two tools run with."""

    roots: Mapping[str, Path]
    base: Path

    def run(
        self, tool: str, project: str, *args: str, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`uv`/`puv ARGS` in the project (or a path below it: `app/packages/lib`), with `env`
        added to the environment."""
        name, _, below = project.partition("/")
        command = [str(UV)] if tool == "uv" else [sys.executable, "-m", "puv"]
        environment = _environment(self.base / f"{tool}-cache", self.base / "config")
        return subprocess.run(
            [*command, *args],
            cwd=self.roots[name] / below,
            env={**environment, **(env or {})},
            capture_output=True,
            text=True,
        )


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Projects]:
    base = tmp_path_factory.mktemp("export-tree")
    with IndexServer(base / "index") as index:
        _publish(index)
        roots = {}
        for name, build in (("app", app_project), ("sources", sources_project),
                            ("mono", mono_project)):  # fmt: skip
            root = base / name
            build(root, index)
            locked = subprocess.run(
                [str(UV), "lock", "--exclude-newer", EXCLUDE_NEWER],
                cwd=root, env=_environment(base / "uv-cache", base / "config"),
                capture_output=True, text=True,
            )  # fmt: skip
            assert locked.returncode == 0, locked.stderr
            roots[name] = root
        yield Projects(roots, base)


def _as_puv(text: str) -> str:
    """uv's output as puv words it: the header and suggested commands name puv."""
    return (
        text.replace("autogenerated by uv via", "autogenerated by puv via")
        .replace("#    uv ", "#    puv ")
        .replace("`uv ", "`puv ")
    )


@dataclass(frozen=True, slots=True)
class InProcess:
    """Runs `puv` in this process (the CLI's `run`), with the environment, working directory
    and `sys.argv` a subprocess would have: the many comparisons stay fast."""

    projects: Projects
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]

    def run(self, project: str, *args: str) -> subprocess.CompletedProcess[str]:
        from puv.cli.main import run

        name, _, below = project.partition("/")
        base = self.projects.base
        environment = _environment(base / "puv-cache", base / "config")
        for key in list(os.environ):
            self.monkeypatch.delenv(key)
        for key, value in environment.items():
            self.monkeypatch.setenv(key, value)
        self.monkeypatch.chdir(self.projects.roots[name] / below)
        self.monkeypatch.setattr(sys, "argv", ["puv", *args])
        self.capsys.readouterr()
        code = run(list(args))
        out, err = self.capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)


@pytest.fixture
def puv(
    projects: Projects, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> InProcess:
    return InProcess(projects, monkeypatch, capsys)


def _same_output(projects: Projects, project: str, *args: str, puv: InProcess | None = None) -> str:
    uv = projects.run("uv", project, *args)
    ours = puv.run(project, *args) if puv is not None else projects.run("puv", project, *args)
    assert (ours.returncode, ours.stdout) == (uv.returncode, _as_puv(uv.stdout)), (
        uv.stderr + ours.stderr
    )
    return ours.stdout


EXPORTS = [
    ("app", ()),
    ("app", ("--no-hashes", "--all-extras", "--all-groups")),
    ("app", ("--package", "lib")),
    ("app", ("--package", "lib", "--package", "app", "--no-hashes")),
    ("app", ("--all-packages", "--no-annotate")),
    ("app", ("--only-dev",)),
    ("app", ("--no-dev", "--no-emit-project")),
    ("app", ("--no-emit-workspace", "--group", "test", "--no-hashes")),
    ("app", ("--prune", "alpha", "--no-hashes")),
    ("app", ("--package", "lib", "--group", "lint", "--extra", "x", "--no-hashes")),
    ("app", ("--no-editable", "--no-hashes", "--no-header")),
    ("app", ("--no-emit-local", "--no-emit-package", "beta", "--no-hashes")),
    ("app", ("--extra", "cli", "--only-group", "test")),
    ("app", ("--all-extras", "--no-extra", "cli", "--group", "empty", "--no-hashes")),
    ("app", ("--emit-index-url", "--no-hashes")),
    (
        "app",
        (
            "--emit-index-url",
            "--emit-find-links",
            "--index",
            "extra=https://example.org/simple",
            "-f",
            "/nowhere/wheels",
            "--package",
            "lib",
            "--no-hashes",
        ),
    ),
    ("app", ("--format", "pylock.toml", "--all-extras")),
    ("app", ("--format", "pylock.toml", "--no-editable", "--package", "lib")),
    ("app", ("--format", "pylock.toml", "--no-editable-package", "lib")),
    ("app", ("--no-editable-package", "edpkg", "--no-hashes")),
    ("app/packages/lib", ("--no-hashes",)),
    ("sources", ()),
    ("sources", ("--format", "pylock.toml")),
    ("sources", ("--no-emit-local", "--no-hashes")),
    ("mono", ()),
    ("mono", ("--all-packages", "--all-groups", "--no-hashes")),
    ("mono", ("--package", "b", "--group", "dev")),
    ("mono", ("--package", "a", "--extra", "one", "--no-hashes")),
    ("mono", ("--only-group", "docs", "--format", "pylock.toml")),
    ("mono", ("--no-default-groups", "--no-hashes")),
]


@pytest.mark.parametrize(("project", "args"), EXPORTS)
def test_export_matches_uv(
    projects: Projects, puv: InProcess, project: str, args: tuple[str, ...]
) -> None:
    _same_output(projects, project, "export", "--frozen", *args, puv=puv)


TREES = [
    ("app", ()),
    ("app", ("--universal",)),
    ("app", ("--invert",)),
    ("app", ("--universal", "--invert", "--no-dedupe")),
    ("app", ("--depth", "1", "--show-sizes")),
    ("app", ("--depth", "0")),
    ("app", ("--no-dedupe", "--all-groups")),
    ("app", ("--package", "lib")),
    ("app", ("--package", "alpha", "--invert", "--universal")),
    ("app", ("--prune", "beta", "--only-dev")),
    ("app", ("--no-dev", "--python-version", "3.9")),
    ("app", ("--python-platform", "windows")),
    ("app", ("--python-platform", "macos", "--python-version", "3.12", "--invert")),
    ("app/packages/lib", ("--group", "lint")),
    ("sources", ("--universal",)),
    ("sources", ("--invert", "--universal")),
    ("mono", ()),
    ("mono", ("--universal",)),
    ("mono", ("--invert",)),
    ("mono", ("--universal", "--invert", "--no-dedupe")),
    ("mono", ("--all-groups", "--universal")),
    ("mono", ("--only-group", "docs", "--python-platform", "windows")),
    ("mono", ("--package", "a", "--universal", "--prune", "cyc-b")),
]


@pytest.mark.parametrize(("project", "args"), TREES)
def test_tree_matches_uv(
    projects: Projects, puv: InProcess, project: str, args: tuple[str, ...]
) -> None:
    _same_output(projects, project, "tree", "--frozen", *args, puv=puv)


def test_tree_draws_the_fork_and_the_platform_markers(projects: Projects, puv: InProcess) -> None:
    def tree(*args: str) -> str:
        return _same_output(projects, "app", "tree", "--frozen", *args, puv=puv)

    universal = tree("--universal")
    windows = tree("--python-platform", "windows")
    linux = tree("--python-platform", "linux")
    assert "beta v1.0" in universal and "beta v2.0" in universal
    assert "│   ├── colorama v0.4.6\n" in windows  # alpha's Windows-only dependency
    assert "│   ├── colorama v0.4.6\n" not in linux
    assert universal.endswith("(*) Package tree already displayed\n")


def test_export_writes_the_output_file(projects: Projects, tmp_path: Path) -> None:
    target = tmp_path / "out" / "requirements.txt"
    target.parent.mkdir()
    uv = projects.run("uv", "app", "export", "--frozen", "-o", str(target))
    expected = target.read_text()
    target.unlink()
    puv = projects.run("puv", "app", "export", "--frozen", "-o", str(target))
    assert puv.returncode == uv.returncode == 0, puv.stderr
    assert target.read_text() == _as_puv(expected)
    assert puv.stdout == _as_puv(uv.stdout)
    quiet = projects.run("puv", "app", "-q", "export", "--frozen", "-o", str(target))
    assert quiet.stdout == ""


def test_variables_select_like_flags(projects: Projects) -> None:
    env = {"UV_FROZEN": "1", "UV_NO_GROUP": "dev test", "UV_NO_EDITABLE": "1"}
    uv = projects.run("uv", "app", "export", "--all-groups", "--no-hashes", env=env)
    puv = projects.run("puv", "app", "export", "--all-groups", "--no-hashes", env=env)
    assert (puv.returncode, puv.stdout) == (uv.returncode, _as_puv(uv.stdout)), puv.stderr
    assert "omega" not in puv.stdout and "\n-e " not in puv.stdout
    env = {"UV_FROZEN": "1", "UV_NO_DEV": "1"}
    uv = projects.run("uv", "app", "tree", "--universal", env=env)
    puv = projects.run("puv", "app", "tree", "--universal", env=env)
    assert (puv.returncode, puv.stdout) == (uv.returncode, uv.stdout), puv.stderr
    assert "(group: dev)" not in puv.stdout


@pytest.mark.parametrize("project", ["app", "sources"])
def test_pylock_paths_are_relative_to_the_output_file(
    projects: Projects, project: str, tmp_path: Path
) -> None:
    inside = projects.roots[project] / "out" / "deeper"
    for directory in (inside, tmp_path):
        target = directory / "pylock.toml"
        directory.mkdir(parents=True, exist_ok=True)
        uv = projects.run("uv", project, "export", "--frozen", "-q", "-o", str(target))
        expected = target.read_text()
        puv = projects.run("puv", project, "export", "--frozen", "-q", "-o", str(target))
        assert puv.returncode == uv.returncode == 0, puv.stderr
        assert target.read_text() == _as_puv(expected)
        assert 'path = "../' in expected
    shutil.rmtree(projects.roots[project] / "out")


def test_export_without_frozen_uses_the_current_lock(projects: Projects) -> None:
    lock = (projects.roots["app"] / "uv.lock").read_text()
    _same_output(projects, "app", "export", "--no-hashes", "--exclude-newer", EXCLUDE_NEWER)
    _same_output(projects, "app", "tree", "--locked", "--exclude-newer", EXCLUDE_NEWER)
    assert (projects.roots["app"] / "uv.lock").read_text() == lock


@pytest.mark.parametrize(
    ("project", "args"),
    [
        ("app", ("export", "--frozen", "--package", "nope")),
        ("app", ("export", "--frozen", "--extra", "nope")),
        ("app", ("export", "--frozen", "--package", "lib", "--extra", "cli")),
        ("app", ("export", "--frozen", "--group", "nope")),
        ("app", ("export", "--frozen", "-o", "pyproject.toml")),
        ("app", ("export", "--frozen", "--format", "pylock.toml", "-o", "foo.toml")),
        ("mono", ("export", "--frozen", "--package", "a", "--all-extras")),
    ],
)
def test_errors_match_uv(projects: Projects, project: str, args: tuple[str, ...]) -> None:
    uv = projects.run("uv", project, *args)
    puv = projects.run("puv", project, *args)
    assert puv.returncode == uv.returncode != 0
    uv_error = uv.stderr[uv.stderr.index("error: ") :].replace("uv export", "puv export")
    assert puv.stderr[puv.stderr.index("error: ") :] == uv_error


def test_missing_lock_with_frozen(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[project]\nname = "x"\nversion = "1"\n')
    env = _environment(tmp_path / "cache", tmp_path / "config")
    for command in (["export", "--frozen"], ["tree", "--frozen", "--universal"]):
        uv = subprocess.run([str(UV), *command], cwd=tmp_path, env=env, capture_output=True,
                            text=True)  # fmt: skip
        puv = subprocess.run([sys.executable, "-m", "puv", *command], cwd=tmp_path, env=env,
                             capture_output=True, text=True)  # fmt: skip
        assert puv.returncode == uv.returncode == 1
        assert puv.stderr == _as_puv(uv.stderr)


def test_tree_outdated_asks_the_index(tmp_path: Path) -> None:
    """`--outdated` shows the newest release that fits the lock: not a pre-release, not yanked,
    not one whose Requires-Python excludes the lock's, not one newer than `exclude-newer`."""
    env = _environment(tmp_path / "cache", tmp_path / "config")
    with IndexServer(tmp_path / "index") as index:
        _wheel(index, "alpha", "1.0", "Requires-Dist: beta")
        _wheel(index, "beta", "1.0")
        _wheel(index, "omega", "1.0")
        project = tmp_path / "project"
        _write(
            project / "pyproject.toml",
            '[project]\nname = "p"\nversion = "1"\nrequires-python = ">=3.9"\n'
            'dependencies = ["alpha", "omega"]\n' + _index_table(index),
        )
        locked = subprocess.run(
            [str(UV), "lock", "--exclude-newer", EXCLUDE_NEWER],
            cwd=project, env=env, capture_output=True, text=True,
        )  # fmt: skip
        assert locked.returncode == 0, locked.stderr
        _wheel(index, "alpha", "1.5")
        _wheel(index, "alpha", "2.0b1")
        _wheel(index, "beta", "3.0", "Requires-Python: >=3.11")
        _wheel(index, "omega", "1.1")
        _wheel(index, "omega", "1.2")
        index.yank("omega-1.2-py3-none-any.whl")
        outputs = []
        for command in ([str(UV)], [sys.executable, "-m", "puv"]):
            result = subprocess.run(
                [*command, "tree", "--frozen", "--outdated", "--universal"],
                cwd=project, env=env, capture_output=True, text=True,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr
            outputs.append(result.stdout)
    assert outputs[1] == outputs[0]
    assert outputs[1] == (
        "p v1\n├── alpha v1.0 (latest: v1.5)\n│   └── beta v1.0\n└── omega v1.0 (latest: v1.1)\n"
    )
