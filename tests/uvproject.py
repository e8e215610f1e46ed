"""Helpers for differential tests of project discovery: run the real uv on a temp project and
render puv's errors the way the CLI prints them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from puv.core.errors import PuvError
from puv.core.printer import Printer

UV = Path(sys.prefix) / "bin" / "uv"


def write(path: Path, text: str) -> Path:
    """Write `text` to `path`, creating parents; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run_uv(
    project: Path, cache: Path, *args: str, offline: bool = True, config: bool = False
) -> subprocess.CompletedProcess[str]:
    """`uv lock [--offline] ARGS` in `project` (no Python downloads, a private cache; config
    files are ignored unless `config`)."""
    if not UV.is_file():
        pytest.skip("the reference uv binary is not installed")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("UV_", "VIRTUAL_ENV", "PUV_")) and key != "COLUMNS"
    }
    env.update(UV_PYTHON_DOWNLOADS="never", UV_CACHE_DIR=str(cache))
    if not config:
        env["UV_NO_CONFIG"] = "1"
    return subprocess.run(
        [str(UV), "lock", *(["--offline"] if offline else []), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def uv_error(project: Path, cache: Path, *args: str, config: bool = False) -> str:
    """uv's error report (from the `error:` line on) for `uv lock` in `project`."""
    result = run_uv(project, cache, *args, config=config)
    assert result.returncode != 0, result.stderr
    start = result.stderr.index("error: ")
    return result.stderr[start:]


def rendered(error: PuvError) -> str:
    """`error` as puv's CLI prints it (no color)."""
    stream = io.StringIO()
    Printer(err=stream).error(error.message, error.causes, error.hint)
    return stream.getvalue()
