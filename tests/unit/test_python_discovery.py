"""Interpreter discovery with real interpreters laid out in temporary PATH, managed and pyenv dirs."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from puv.cache.layout import CacheLayout
from puv.core.errors import ConfigError, PythonNotFound
from puv.core.printer import Printer
from puv.operations.context import Context
from puv.operations.python_ops import find_interpreter
from puv.python.discovery import (
    DiscoverySettings,
    EnvironmentPreference,
    PythonPreference,
    PythonSource,
    find_all_pythons,
    find_python,
)
from puv.python.probe import InterpreterProbeError, probe_interpreter
from puv.python.request import parse_request
from puv.python.version_file import (
    find_version_file,
    global_version_file,
    read_version_file,
    write_version_file,
)

PYENV_VERSIONS = Path.home() / ".pyenv" / "versions"


def pyenv_python(version: str) -> Path:
    """`~/.pyenv/versions/<version>/bin/python<major.minor>`, or skip the test."""
    minor = ".".join(version.split(".")[:2])
    path = PYENV_VERSIONS / version / "bin" / f"python{minor}"
    if not path.exists():
        pytest.skip(f"pyenv Python {version} is not installed")
    return path


def link(target: Path, path: Path) -> Path:
    """A symlink `path` -> `target`, creating the parent directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def broken_shim(path: Path) -> Path:
    """A pyenv-like shim that fails with exit status 127."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\necho 'pyenv: python3.12: command not found' >&2\nexit 127\n")
    path.chmod(0o755)
    return path


@dataclass
class World:
    """A sandbox: PATH directories, a managed dir, a pyenv root, a cache and debug lines."""

    root: Path
    path_dirs: list[Path] = field(default_factory=list)
    with_pyenv: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def bin(self, name: str) -> Path:
        directory = self.root / name
        directory.mkdir(exist_ok=True)
        self.path_dirs.append(directory)
        return directory

    @property
    def managed(self) -> Path:
        return self.root / "managed"

    @property
    def pyenv_root(self) -> Path:
        return self.root / "pyenv"

    def environ(self) -> dict[str, str]:
        env = {
            "PATH": os.pathsep.join(str(d) for d in self.path_dirs),
            "UV_PYTHON_INSTALL_DIR": str(self.managed),
            "PYENV_ROOT": str(self.pyenv_root),
            "XDG_CONFIG_HOME": str(self.root / "config"),
        }
        env.update(self.extra_env)
        return env

    def settings(
        self,
        preference: PythonPreference = PythonPreference.MANAGED,
        environments: EnvironmentPreference = EnvironmentPreference.ANY,
    ) -> DiscoverySettings:
        work = self.root / "work"
        work.mkdir(exist_ok=True)
        return DiscoverySettings(
            environ=self.environ(),
            cwd=work,
            cache=CacheLayout(self.root / "cache"),
            preference=preference,
            environments=environments,
            debug=self.lines.append,
        )

    def find(
        self,
        request: str,
        preference: PythonPreference = PythonPreference.MANAGED,
        environments: EnvironmentPreference = EnvironmentPreference.ANY,
    ) -> Path:
        found = find_python(parse_request(request), self.settings(preference, environments))
        return found.interpreter.path


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def managed_install(world: World, version: str) -> Path:
    """A managed-style install: a copied executable whose stdlib is linked from pyenv."""
    real = pyenv_python(version)
    minor = ".".join(version.split(".")[:2])
    home = world.managed / f"cpython-{version}-linux-x86_64-gnu"
    (home / "bin").mkdir(parents=True)
    shutil.copy2(real, home / "bin" / f"python{minor}")
    link(PYENV_VERSIONS / version / "lib" / f"python{minor}", home / "lib" / f"python{minor}")
    return home / "bin" / f"python{minor}"


def test_first_path_directory_wins(world: World) -> None:
    first = link(pyenv_python("3.11.7"), world.bin("a") / "python3")
    second = link(pyenv_python("3.12.1"), world.bin("b") / "python3")
    assert world.find("default") == first
    assert world.find("3") == first
    assert world.find("3.12") == second


def test_specific_name_wins_within_a_directory(world: World) -> None:
    directory = world.bin("a")
    link(pyenv_python("3.11.7"), directory / "python3")
    specific = link(pyenv_python("3.12.1"), directory / "python3.12")
    assert world.find("3.12") == specific
    assert world.find("default") == directory / "python3"


def test_failing_shim_is_skipped_and_reported_in_debug(world: World) -> None:
    shim = broken_shim(world.bin("shims") / "python3.12")
    real = link(pyenv_python("3.12.1"), world.bin("b") / "python3.12")
    assert world.find("3.12") == real
    assert any(
        line.startswith(f"Skipping bad interpreter at `{shim}` from first executable")
        and "exit status 127" in line
        for line in world.lines
    )


def test_pyenv_versions_are_searched_after_path(world: World) -> None:
    broken_shim(world.bin("shims") / "python3.12")
    link(PYENV_VERSIONS / "3.11.7", world.pyenv_root / "versions" / "3.11.7")
    if not (PYENV_VERSIONS / "3.12.1").exists():
        pytest.skip("pyenv Python 3.12.1 is not installed")
    link(PYENV_VERSIONS / "3.12.1", world.pyenv_root / "versions" / "3.12.1")
    found = find_python(parse_request(">=3.12,<3.13"), world.settings())
    assert found.source is PythonSource.PYENV
    assert found.interpreter.version == "3.12.1"
    assert found.interpreter.path.parent == world.pyenv_root / "versions" / "3.12.1" / "bin"
    newest_first = find_python(parse_request("default"), world.settings())
    assert newest_first.interpreter.version == "3.12.1"


def test_range_picks_the_newest_minor_of_a_directory(world: World) -> None:
    directory = world.bin("a")
    for version in ("3.11.7", "3.13.0", "3.12.1"):
        link(pyenv_python(version), directory / f"python{version.rsplit('.', 1)[0]}")
    assert world.find(">=3.11").name == "python3.13"
    assert world.find(">=3.11,<3.13").name == "python3.12"
    assert world.find("3").name == "python3.13"


def test_managed_installs_and_python_preference(world: World) -> None:
    managed = managed_install(world, "3.12.1")
    system = link(pyenv_python("3.11.7"), world.bin("a") / "python3")
    assert world.find("3") == managed
    assert world.find("3", preference=PythonPreference.ONLY_MANAGED) == managed
    assert world.find("3", preference=PythonPreference.SYSTEM) == system
    assert world.find("3", preference=PythonPreference.ONLY_SYSTEM) == system
    assert world.find("3.12", preference=PythonPreference.SYSTEM) == managed
    with pytest.raises(PythonNotFound, match=r"for Python 3\.12 in virtual environments or search"):
        world.find("3.12", preference=PythonPreference.ONLY_SYSTEM)
    with pytest.raises(PythonNotFound, match=r"Python 3\.11 in virtual environments or managed"):
        world.find("3.11", preference=PythonPreference.ONLY_MANAGED)


def test_virtual_environments(world: World) -> None:
    base = pyenv_python("3.12.1")
    venv = world.root / "work" / ".venv"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True)
    link(pyenv_python("3.11.7"), world.bin("a") / "python3")
    found = find_python(parse_request("default"), world.settings())
    assert found.source is PythonSource.DISCOVERED_ENVIRONMENT
    assert found.interpreter.is_virtualenv
    assert found.interpreter.base_executable.resolve() == base.resolve()
    system = find_python(
        parse_request("default"), world.settings(environments=EnvironmentPreference.ONLY_SYSTEM)
    )
    assert system.interpreter.version == "3.11.7"
    world.extra_env["VIRTUAL_ENV"] = str(venv)
    active = find_python(parse_request("default"), world.settings())
    assert active.source is PythonSource.ACTIVE_ENVIRONMENT


def test_not_found_names_uvs_sources(world: World) -> None:
    world.bin("empty")
    with pytest.raises(PythonNotFound) as info:
        world.find("9.9")
    assert info.value.message == (
        "No interpreter found for Python 9.9 in virtual environments, managed installations, "
        "or search path"
    )
    (world.pyenv_root / "versions").mkdir(parents=True)
    with pytest.raises(PythonNotFound) as info:
        world.find("9.9", environments=EnvironmentPreference.ONLY_SYSTEM)
    assert info.value.message == (
        "No interpreter found for Python 9.9 in managed installations, search path, or pyenv "
        "versions"
    )
    with pytest.raises(PythonNotFound, match=r"^No interpreter found in virtual environments, "):
        world.find("default")


def test_failures_give_a_hint_when_nothing_is_found(world: World) -> None:
    broken_shim(world.bin("shims") / "python3.12")
    with pytest.raises(PythonNotFound) as info:
        world.find("3.12")
    assert (
        info.value.hint == "1 interpreter was skipped because querying failed; use `-v` to see why"
    )


def test_paths_names_and_directories(world: World) -> None:
    real = pyenv_python("3.12.1")
    assert (
        find_python(parse_request(str(real)), world.settings()).source is PythonSource.PROVIDED_PATH
    )
    missing = world.root / "nope" / "python"
    with pytest.raises(PythonNotFound, match=f"^No interpreter found at path `{missing}`$"):
        world.find(str(missing))
    named = link(real, world.bin("a") / "mypython")
    assert world.find("mypython") == named
    prefix = find_python(parse_request(str(PYENV_VERSIONS / "3.12.1")), world.settings())
    assert prefix.interpreter.version == "3.12.1"


def test_find_all_lists_every_match_once(world: World) -> None:
    directory = world.bin("a")
    link(pyenv_python("3.11.7"), directory / "python3.11")
    link(pyenv_python("3.12.1"), directory / "python3.12")
    link(pyenv_python("3.12.1"), directory / "python3")
    broken_shim(world.bin("shims") / "python3.13")
    found = find_all_pythons(parse_request("any"), world.settings())
    versions = sorted(item.interpreter.version for item in found)
    assert versions == ["3.11.7", "3.12.1", "3.12.1"]
    assert len({item.interpreter.path for item in found}) == 3


def test_probe_cache_is_keyed_by_path_mtime_and_size(world: World) -> None:
    executable = world.root / "copy" / "python3.12"
    executable.parent.mkdir()
    shutil.copy2(pyenv_python("3.12.1"), executable)
    cache = CacheLayout(world.root / "cache")
    first = probe_interpreter(executable, cache)
    entries = list(cache.bucket("interpreter").glob("*.json"))
    assert len(entries) == 1
    record = json.loads(entries[0].read_text())
    record["facts"]["version"] = "3.12.99"
    entries[0].write_text(json.dumps(record))
    assert probe_interpreter(executable, cache).version == "3.12.99"  # not run again
    stamp = executable.stat()
    os.utime(executable, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
    assert probe_interpreter(executable, cache).version == first.version  # run again


def test_wrappers_are_never_cached(world: World) -> None:
    wrapper = world.root / "wrapper" / "python3"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec "{pyenv_python("3.12.1")}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    cache = CacheLayout(world.root / "cache")
    assert probe_interpreter(wrapper, cache).version == "3.12.1"
    assert not list(cache.bucket("interpreter").glob("*.json"))


def test_probe_errors_carry_their_kind(world: World) -> None:
    with pytest.raises(InterpreterProbeError) as missing:
        probe_interpreter(world.root / "absent", None)
    assert missing.value.kind == "not_found"
    with pytest.raises(InterpreterProbeError) as failing:
        probe_interpreter(broken_shim(world.root / "shim"), None)
    assert failing.value.kind == "status"
    assert "exit status 127" in failing.value.message
    assert not failing.value.critical


def test_version_files(tmp_path: Path) -> None:
    project = tmp_path / "project"
    nested = project / "src" / "pkg"
    nested.mkdir(parents=True)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    assert find_version_file(nested, environ=env) is None
    (tmp_path / ".python-version").write_text("3.11\n")
    assert find_version_file(nested, environ=env) == tmp_path / ".python-version"
    assert find_version_file(nested, stop_at=project, environ=env) is None
    (project / ".python-versions").write_text("3.12\n3.13\n")
    assert find_version_file(nested, stop_at=project, environ=env) == project / ".python-versions"
    (project / ".python-version").write_text("# comment\n\n  3.13  \n")
    assert find_version_file(nested, environ=env) == project / ".python-version"
    preferred = find_version_file(nested, prefer_versions=True, environ=env)
    assert preferred == project / ".python-versions"
    global_pin = global_version_file(env)
    write_version_file(global_pin, (parse_request("3.12"),))
    assert find_version_file(tmp_path, include_local=False, environ=env) == global_pin
    parsed = read_version_file(project / ".python-version", lambda _: None)
    assert [r.to_canonical_string() for r in parsed.requests] == ["3.13"]


def test_version_file_rejects_bad_lines_and_ignores_names(tmp_path: Path) -> None:
    path = tmp_path / ".python-version"
    path.write_text("3.12\nfoopython\n")
    warnings: list[str] = []
    parsed = read_version_file(path, warnings.append)
    assert [r.to_canonical_string() for r in parsed.requests] == ["3.12"]
    assert warnings == [f"Ignoring unsupported Python request `foopython` in version file: {path}"]
    path.write_text("3.12\n3.12tt\n")
    with pytest.raises(ConfigError, match=r"Invalid Python request in `.*` at line 2: `3.12tt`"):
        read_version_file(path, warnings.append)


def test_written_pins_are_canonical(tmp_path: Path) -> None:
    path = tmp_path / "deep" / ".python-version"
    write_version_file(path, (parse_request(">=3.11,<3.13"), parse_request("pp310")))
    assert path.read_text() == ">=3.11, <3.13\npypy@3.10\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


@pytest.fixture
def context(world: World, monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], Context]:
    for name in list(os.environ):
        if name.startswith(("UV_", "PUV_")) or name in ("VIRTUAL_ENV", "CONDA_PREFIX"):
            monkeypatch.delenv(name)

    def make(cwd: Path) -> Context:
        for name, value in world.environ().items():
            monkeypatch.setenv(name, value)
        return Context(printer=Printer(), cache=CacheLayout(world.root / "cache"), cwd=cwd)

    return make


def test_find_interpreter_precedence(world: World, context: Callable[[Path], Context]) -> None:
    directory = world.bin("a")
    link(pyenv_python("3.11.7"), directory / "python3")
    link(pyenv_python("3.11.7"), directory / "python3.11")
    link(pyenv_python("3.12.1"), directory / "python3.12")
    link(pyenv_python("3.13.0"), directory / "python3.13")
    project = world.root / "project"
    member = project / "sub"
    member.mkdir(parents=True)
    ctx = context(member)
    assert find_interpreter(ctx, None).version == "3.11.7"  # the first one found
    (project / "pyproject.toml").write_text('[project]\nname = "p"\nrequires-python = ">=3.13"\n')
    assert find_interpreter(ctx, None).version == "3.13.0"  # requires-python
    (world.root / ".python-version").write_text("3.11\n")
    assert find_interpreter(ctx, None).version == "3.13.0"  # above the project root: ignored
    (project / ".python-version").write_text("3.12\n")
    assert find_interpreter(ctx, None).version == "3.12.1"  # .python-version
    assert find_interpreter(ctx, None, no_config=True).version == "3.13.0"
    assert find_interpreter(ctx, "3.11").version == "3.11.7"  # explicit request
    assert find_interpreter(ctx, None, project_dir=world.root).version == "3.11.7"


def test_requires_python_spans_the_workspace(
    world: World, context: Callable[[Path], Context]
) -> None:
    directory = world.bin("a")
    for version in ("3.11.7", "3.12.1", "3.13.0"):
        link(pyenv_python(version), directory / f"python{version.rsplit('.', 1)[0]}")
    root = world.root / "ws"
    member = root / "packages" / "lib"
    member.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "root"\nrequires-python = "<3.13"\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
    )
    (member / "pyproject.toml").write_text('[project]\nname = "lib"\nrequires-python = ">=3.12"\n')
    (root / ".python-version").write_text("3.11\n")
    ctx = context(member)
    assert find_interpreter(ctx, None).version == "3.11.7"  # pin at the workspace root applies
    (root / ".python-version").unlink()
    assert find_interpreter(ctx, None).version == "3.12.1"  # >=3.12 and <3.13
