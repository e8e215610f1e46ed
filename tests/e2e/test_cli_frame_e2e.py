"""The CLI as a user runs it: version, usage errors compared with the real uv, no tracebacks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")


def _run(cmd: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PUV_"))}
    full_env.update({"UV_CACHE_DIR": str(tmp_path / "cache"), "UV_PYTHON_DOWNLOADS": "never"})
    full_env.update(env)
    return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, env=full_env)


def _puv(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "puv", *args], tmp_path, **env)


def test_version(tmp_path: Path) -> None:
    from puv import __version__

    result = _puv(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout == f"puv {__version__}\n"
    assert _puv(tmp_path, "-V").stdout == result.stdout


@pytest.mark.skipif(UV is None, reason="uv is not installed")
@pytest.mark.parametrize(
    "argv",
    [
        ["cache", "dir", "--bogus"],
        ["bogus"],
        ["--color", "foo", "cache", "dir"],
        ["cache", "dir", "--cache-dir"],
    ],
    ids=["unknown-flag", "unknown-command", "bad-choice", "missing-value"],
)
def test_usage_errors_match_uv(tmp_path: Path, argv: list[str]) -> None:
    assert UV is not None
    ours = _puv(tmp_path, *argv)
    theirs = _run([UV, *argv], tmp_path)
    assert ours.returncode == theirs.returncode == 2
    assert ours.stdout == ""
    assert "Traceback" not in ours.stderr
    assert ours.stderr.replace("puv", "uv") == theirs.stderr


def test_puv_twin_of_cache_dir_wins(tmp_path: Path) -> None:
    result = _puv(tmp_path, "cache", "dir", UV_CACHE_DIR="/a", PUV_CACHE_DIR="/b")
    assert result.stdout == "/b\n"


def test_bad_boolean_env_is_a_clean_error(tmp_path: Path) -> None:
    result = _puv(tmp_path, "cache", "dir", UV_OFFLINE="maybe")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: Failed to parse environment variable `UV_OFFLINE` with invalid value `maybe`"
    )
    assert "Traceback" not in result.stderr


def test_directory_that_does_not_exist(tmp_path: Path) -> None:
    result = _puv(tmp_path, "--directory", "nope", "cache", "dir")
    assert result.returncode == 2
    assert result.stderr.startswith("error: Failed to change directory to `nope`")


def test_no_arguments_prints_help_and_exits_2(tmp_path: Path) -> None:
    result = _puv(tmp_path)
    assert result.returncode == 2
    assert "Usage: puv [OPTIONS] <COMMAND>" in result.stderr
