"""The start-up budget of DESIGN.md §4, as module sets: what `puv --version`, `puv --help`, a warm
`puv venv` and a no-op `puv lock` / `sync` / `run` import, and above all what they must not import.

Each case runs in a fresh interpreter under `python -X importtime` and compares the modules it
reports with those of an empty `python -c pass`. No time is asserted: a heavy import that creeps
back fails here with the chain of modules that pulled it in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Never needed to start: the HTTP stack, terminal rendering, TOML editing, the cache format.
NEVER_AT_START = {
    "http.client",
    "puv.index.connections",
    "rich",
    "tomlkit",
    "msgspec",
    "filelock",
    "ssl",
    "socket",
    "email",
}

# Modules that a warm `puv venv` (interpreter facts cached, no configuration file, no project)
# has no use for, with what used to pull each in.
NOT_FOR_VENV = NEVER_AT_START | {
    "packaging.specifiers",  # only for ranges and `requires-python`
    "packaging.tags",  # pulls logging, platform, subprocess
    "logging",
    "platform",
    "subprocess",  # only when an interpreter must be probed
    "concurrent.futures",  # only to probe several interpreters at once
    "secrets",  # os.urandom names the staging directory
    "hmac",
    "_hashlib",  # the builtin SHA-256 names interpreter cache entries, not OpenSSL's
    "tempfile",
    "shutil",  # argparse sizes help text with it; no help is printed
    "zipfile",  # activation templates are read from the package directory
    "importlib.resources",
    "tomllib",  # no file to read
    "datetime",
    "threading",
    "dataclasses",  # values on the start-up path are named tuples (pulls inspect, ast, dis, ~9 ms)
    "inspect",
    "puv.project.settings",  # no configuration file: typed settings are built only when read
    "puv.project.settings_schema",
    "puv.project.toml_read",
    "puv.cli.python_cmd",  # only the command that runs is built
    "puv.cli.pip_cmd",
    "puv.cli.cache_cmd",
    "puv.cli.version_cmd",
}


def _base_environment(tmp_path: Path) -> dict[str, str]:
    """The caller's environment without settings that change what puv or Python does."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("UV_", "PUV_", "PYTHON", "VIRTUAL_ENV", "CONDA"))
    }
    base_bin = Path(sys.base_prefix) / "bin"  # the real interpreter first, never a pyenv shim
    env.update(
        PATH=f"{base_bin}{os.pathsep}{env.get('PATH', '')}",
        UV_CACHE_DIR=str(tmp_path / "cache"),
        UV_PYTHON_DOWNLOADS="never",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        NO_COLOR="1",
    )
    return env


def _imported(code: str, cwd: Path, env: dict[str, str]) -> tuple[list[str], str]:
    """Run `code` under `-X importtime`: the import report's lines, and stdout."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    lines = [
        line.split("|", 2)[2].rstrip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "imported package" not in line
    ]
    return lines, result.stdout


def _names(lines: list[str]) -> set[str]:
    return {line.strip() for line in lines}


def _chain(lines: list[str], name: str) -> str:
    """`a <- b <- c`: `name` and the modules whose import pulled it in (the report lists a module
    after everything it imported, one level of indentation deeper than its importer)."""
    index = next(i for i, line in enumerate(lines) if line.strip() == name)
    chain, depth = [name], len(lines[index]) - len(lines[index].lstrip())
    for line in lines[index + 1 :]:
        indent = len(line) - len(line.lstrip())
        if indent < depth:
            chain.append(line.strip())
            depth = indent
    return " <- ".join(chain)


def _puv_run(argv: list[str]) -> str:
    """Python code that runs `puv ARGV` as the `puv` script does, exit code included."""
    return f"import sys\nfrom puv.cli.main import main\nsys.exit(main({argv!r}))"


@pytest.fixture
def startup(tmp_path: Path) -> tuple[set[str], dict[str, str]]:
    """The modules of an empty start, and the environment every case runs in."""
    env = _base_environment(tmp_path)
    lines, _ = _imported("pass", tmp_path, env)
    return _names(lines), env


def _new_modules(lines: list[str], baseline: set[str]) -> set[str]:
    return _names(lines) - baseline


def _assert_none_of(forbidden: set[str], lines: list[str], baseline: set[str]) -> None:
    found = sorted(forbidden & _new_modules(lines, baseline))
    assert not found, "imported, but should not be:\n" + "\n".join(
        _chain(lines, name) for name in found
    )


def test_importing_the_entry_point_imports_nothing_else(
    tmp_path: Path, startup: tuple[set[str], dict[str, str]]
) -> None:
    baseline, env = startup
    lines, _ = _imported("import puv.cli.main", tmp_path, env)
    assert _new_modules(lines, baseline) == {"puv", "puv.cli", "puv.cli.main", "__future__"}


def test_version_answers_before_anything_is_imported(
    tmp_path: Path, startup: tuple[set[str], dict[str, str]]
) -> None:
    baseline, env = startup
    for flag in ("--version", "-V"):
        lines, out = _imported(_puv_run([flag]), tmp_path, env)
        assert out.startswith("puv ")
        new = _new_modules(lines, baseline)
        assert new <= {"puv", "puv.cli", "puv.cli.main", "__future__", "gc"}, sorted(new)


def test_help_lists_every_command_without_building_them(
    tmp_path: Path, startup: tuple[set[str], dict[str, str]]
) -> None:
    baseline, env = startup
    lines, out = _imported(_puv_run(["--help"]), tmp_path, env)
    for command in ("version", "python", "pip", "venv", "cache", "help"):
        assert f"\n    {command} " in out
    not_for_help = (NOT_FOR_VENV - {"shutil"}) | {"dataclasses", "typing", "pathlib"}
    _assert_none_of(not_for_help | {"puv.cli.venv_cmd"}, lines, baseline)


def test_warm_venv_imports_only_what_it_uses(
    tmp_path: Path, startup: tuple[set[str], dict[str, str]]
) -> None:
    baseline, env = startup
    request = f"{sys.version_info.major}.{sys.version_info.minor}"
    warm_up, _ = _imported(_puv_run(["venv", "-p", request, "first"]), tmp_path, env)
    assert "subprocess" in _names(warm_up)  # the interpreter was probed: the cache is now warm
    lines, _ = _imported(_puv_run(["venv", "-p", request, "second"]), tmp_path, env)
    assert (tmp_path / "second" / "pyvenv.cfg").is_file()
    _assert_none_of(NOT_FOR_VENV, lines, baseline)


# Modules a no-op `puv lock` / `puv sync` (the lock up to date and its check recorded, the
# environment in sync) has no use for: the network, the resolver, the lock's inputs and model.
NOT_FOR_NOOP = NEVER_AT_START | {
    "http.client",
    "urllib.request",
    "concurrent.futures",
    "puv.index",
    "puv.resolver",
    "puv.lock.model",  # neither the lock nor its selection for the environment is read again
    "puv.lock.reader",
    "puv.operations.lock_inputs",
    "puv.operations.lock_freshness",
    "puv.operations.project_provider",
    "puv.operations.install_session",
    "puv.operations.editable",
    "puv.project.sources",
    "puv.project.groups",  # the recorded check validated the groups: only their names are read
    "packaging.requirements",
    "packaging.specifiers",  # `requires-python` is checked by `puv.core.requires_python`
    "packaging.tags",
    "dataclasses",  # values on these paths are NamedTuples (`dataclasses` imports inspect, ast)
    "hashlib",  # cache keys use `core.digest` (hashlib loads OpenSSL)
}


def test_noop_lock_and_sync_import_neither_resolver_nor_network(
    tmp_path: Path, startup: tuple[set[str], dict[str, str]]
) -> None:
    baseline, env = startup
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'
        "dependencies = []\n[dependency-groups]\ndev = [\"pytest ; python_version < '3'\"]\n"
    )
    for argv in (["lock"], ["lock"], ["sync"], ["sync", "--frozen"]):  # lock, record, select
        _imported(_puv_run(argv), project, env)
    for argv in (["lock"], ["sync"], ["sync", "--frozen"], ["run", "python", "-c", "pass"]):
        lines, _ = _imported(_puv_run(argv), project, env)
        new = _new_modules(lines, baseline)
        found = sorted(
            name
            for name in new
            if any(name == bad or name.startswith(f"{bad}.") for bad in NOT_FOR_NOOP)
        )
        assert not found, f"`puv {' '.join(argv)}` imported, but should not have:\n" + "\n".join(
            _chain(lines, name) for name in found
        )
