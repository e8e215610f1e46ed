"""The tools under comparison: where they come from, their venvs, their isolated environments."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent
REPO = BENCH_DIR.parent
REQUIREMENTS = BENCH_DIR / "requirements"

# Variables that would let the caller's shell change what a tool does.
_STRIPPED_PREFIXES = ("UV_", "PUV_", "PDM_", "PIP_", "PYTHON", "VIRTUAL_ENV", "CONDA_")
_KEPT = frozenset({"PIP_CERT"})
_VERSION = re.compile(r"\d+(\.\d+)+\S*")


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool the harness can run.

    `source` says how its venv is made: `requirements:<file>` (pinned file in
    bench/requirements), `repo` (puv, editable from this repository) or `base-python` (no venv:
    the interpreter the benchmarks target, for `python -m venv`).
    """

    name: str
    label: str
    executable: str
    source: str


TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        ToolSpec("puv", "puv", "puv", "repo"),
        ToolSpec("uv", "uv", "uv", "requirements:uv.txt"),
        ToolSpec("pip-tools", "pip-tools", "pip-compile", "requirements:pip-tools.txt"),
        ToolSpec("pdm", "pdm", "pdm", "requirements:pdm.txt"),
        ToolSpec("stdlib", "python -m venv", "python", "base-python"),
    )
}


@dataclass(frozen=True, slots=True)
class InstalledTool:
    """A tool ready to run: its bin directory and its reported version."""

    spec: ToolSpec
    bin_dir: Path
    version: str

    def program(self, name: str | None = None) -> str:
        """The path of `name` (default: the tool's main executable) in the tool's bin dir."""
        return str(self.bin_dir / (name or self.spec.executable))


class ToolError(Exception):
    """A tool could not be installed or queried; the message says why."""


def tool_environment(
    tool: str, base: Mapping[str, str], home: Path, python_dir: Path
) -> dict[str, str]:
    """The environment a tool runs in: the caller's, minus tool settings, plus its own dirs.

    `home` holds the tool's `cache`, `config` and `data` directories; nothing is shared between
    tools, and clearing `home/cache` empties every cache the tool has. `python_dir` (the target
    interpreter's bin directory) goes first on PATH, so `-p 3.11` finds the real interpreter
    rather than a pyenv shim, whichever way the harness itself was started.
    """
    env = {
        key: value
        for key, value in base.items()
        if key in _KEPT or not key.startswith(_STRIPPED_PREFIXES)
    }
    rest = [entry for entry in base.get("PATH", "").split(os.pathsep) if entry]
    env["PATH"] = os.pathsep.join([str(python_dir), *(p for p in rest if p != str(python_dir))])
    cache = home / "cache"
    env.update(
        XDG_CACHE_HOME=str(cache),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
    )
    if tool in ("uv", "puv"):
        env.update(UV_CACHE_DIR=str(cache / tool), UV_PYTHON_DOWNLOADS="never", NO_COLOR="1")
    elif tool == "pip-tools":
        # Only the index that uv sees: ignore pip.conf files and their extra indexes/find-links.
        env.update(PIP_CACHE_DIR=str(cache / "pip"), PIP_CONFIG_FILE=os.devnull)
        env.update(PIP_DISABLE_PIP_VERSION_CHECK="1")
    elif tool == "pdm":
        env.update(PDM_CACHE_DIR=str(cache / "pdm"), PDM_CHECK_UPDATE="false", NO_COLOR="1")
    return env


def _run(argv: list[str], env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, capture_output=True, text=True, check=False, env=None if env is None else dict(env)
    )


# Bump when the way venvs are built changes, so existing ones are rebuilt.
_RECIPE = "no-pip-1"


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join((_RECIPE, *parts)).encode()).hexdigest()


def _ensure_venv(venv: Path, base_python: Path, install: list[str], fingerprint: str) -> None:
    """(Re)create `venv` and install into it, unless its stamp says it is up to date.

    The venv gets no pip or setuptools of its own (as with `uv tool install`): the base
    interpreter's pip installs into it, so no `distutils-precedence.pth` slows every start-up.
    """
    stamp = venv / ".bench-stamp"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == fingerprint:
        return
    created = _run([str(base_python), "-m", "venv", "--clear", "--without-pip", str(venv)])
    if created.returncode != 0:
        raise ToolError(f"`python -m venv {venv}` failed: {created.stderr.strip()}")
    target = str(venv / "bin" / "python")
    pip = [str(base_python), "-m", "pip", "--python", target, "install", "--quiet", *install]
    installed = _run(pip)
    if installed.returncode != 0:
        tail = "\n".join(installed.stderr.strip().splitlines()[-5:])
        raise ToolError(f"`pip install {' '.join(install)}` failed:\n{tail}")
    stamp.write_text(fingerprint, encoding="utf-8")


def install_tool(
    spec: ToolSpec, tools_dir: Path, base_python: Path, puv_source: Path = REPO
) -> InstalledTool:
    """Make sure the tool's venv under `tools_dir` matches its pinned source; return it.

    A venv is rebuilt only when its requirements file (or puv's pyproject.toml) changed. puv
    comes from `puv_source` (editable): this repository, or a copy of it (`--puv-source`), whose
    venv is kept apart.
    """
    kind, _, argument = spec.source.partition(":")
    if kind == "base-python":
        return InstalledTool(spec, base_python.parent, python_version(base_python))
    venv = tools_dir / spec.name
    if kind == "repo":
        if puv_source != REPO:
            venv = tools_dir / f"{spec.name}-{_fingerprint(str(puv_source))[:10]}"
        pyproject = (puv_source / "pyproject.toml").read_text(encoding="utf-8")
        fingerprint = _fingerprint("repo", str(puv_source), pyproject, str(base_python))
        _ensure_venv(venv, base_python, ["--editable", str(puv_source)], fingerprint)
        bin_dir = venv / "bin"
        _compile_sources(bin_dir / "python", puv_source / "src")
        return InstalledTool(spec, bin_dir, tool_version(spec, bin_dir, puv_source))
    else:
        requirements = REQUIREMENTS / argument
        pins = requirements.read_text(encoding="utf-8")
        _ensure_venv(
            venv, base_python, ["-r", str(requirements)], _fingerprint(pins, str(base_python))
        )
    bin_dir = venv / "bin"
    return InstalledTool(spec, bin_dir, tool_version(spec, bin_dir))


def _compile_sources(python: Path, sources: Path) -> None:
    """Byte-compile an editable install's sources (only what changed), as installing a wheel
    would: otherwise every run would compile them again wherever `PYTHONDONTWRITEBYTECODE` is
    set (it is on these machines), a cost no installed tool pays."""
    compiled = _run([str(python), "-m", "compileall", "-q", "-j", "0", str(sources)])
    if compiled.returncode != 0:
        raise ToolError(f"`compileall {sources}` failed: {compiled.stdout.strip()}")


def python_version(python: Path) -> str:
    """`3.X.Y` for an interpreter."""
    probe = _run([str(python), "-c", "import platform; print(platform.python_version())"])
    if probe.returncode != 0:
        raise ToolError(f"cannot run {python}: {probe.stderr.strip()}")
    return probe.stdout.strip()


def install_profilers(tools_dir: Path, base_python: Path) -> Path:
    """A venv with puv (editable) plus pyinstrument and py-spy, apart from the measured ones."""
    venv = tools_dir / "profile"
    profile = REQUIREMENTS / "profile.txt"
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    pins = profile.read_text(encoding="utf-8")
    fingerprint = _fingerprint("profile", pyproject, pins, str(base_python))
    _ensure_venv(venv, base_python, ["--editable", str(REPO), "-r", str(profile)], fingerprint)
    return venv


def version_number(answer: str) -> str:
    """The version in a `--version` answer: `pip-compile, version 7.6.2` -> `7.6.2`."""
    match = _VERSION.search(answer)
    return match.group(0) if match else answer.strip() or "?"


def tool_version(spec: ToolSpec, bin_dir: Path, puv_source: Path = REPO) -> str:
    """The tool's version as its `--version` reports it, plus pip's for pip-tools, git's for puv
    (or the directory it was installed from, when that is not a git work tree)."""
    answer = _run([str(bin_dir / spec.executable), "--version"])
    if answer.returncode != 0:
        raise ToolError(f"`{spec.executable} --version` failed: {answer.stderr.strip()}")
    version = version_number(answer.stdout)
    if spec.name == "pip-tools":
        pip = _run([str(bin_dir / "python"), "-m", "pip", "--version"])
        version += f" (pip {version_number(pip.stdout)})" if pip.returncode == 0 else ""
    if spec.name == "puv":
        revision = repo_revision(puv_source)
        version += f" (git {revision})" if revision != "unknown" else f" (from {puv_source})"
    return version


def repo_revision(repo: Path = REPO) -> str:
    """The repository's short commit, with `+dirty` when the work tree has changes."""
    head = _run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"])
    if head.returncode != 0:
        return "unknown"
    dirty = _run(["git", "-C", str(repo), "status", "--porcelain"])
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def find_python(request: str) -> Path:
    """The interpreter for a `3.X` request: this one if it matches, else `python3.X` on PATH.

    The path is the real binary (sys.executable of that interpreter), never a pyenv shim.
    """
    if f"{sys.version_info[0]}.{sys.version_info[1]}" == request:
        base = Path(sys.base_prefix) / "bin" / f"python{request}"
        if base.exists():
            return base
    probe = _run([f"python{request}", "-c", "import sys; print(sys.executable)"])
    if probe.returncode != 0 or not probe.stdout.strip():
        raise ToolError(f"no Python {request} found (python{request} is not on PATH)")
    return Path(probe.stdout.strip())


def puv_supports(tool: InstalledTool, words: tuple[str, ...], env: Mapping[str, str]) -> str | None:
    """None when `puv <words> --help` exits 0; otherwise why puv cannot run the operation."""
    argv = [tool.program(), *words, "--help"]
    answer = _run(argv, env)
    if answer.returncode == 0:
        return None
    command = " ".join(["puv", *words, "--help"])
    return f"not implemented in puv yet (`{command}` exits {answer.returncode})"
