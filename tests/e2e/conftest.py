"""Fixtures that run the CLI as a user would: `run_puv` and, for differential tests, `run_uv`.

Both run in a subprocess with `UV_*`/`PUV_*` variables, any active environment and the terminal
size (uv wraps errors at `COLUMNS`) removed, a private cache directory, downloads off, and a private `XDG_CONFIG_HOME` (so no user or global
configuration leaks in). `env` adds or overrides variables; `cwd` defaults to a temp directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

Runner = Callable[..., subprocess.CompletedProcess[str]]

UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")


def _environment(tmp_path: Path, tool: str, extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("UV_", "PUV_"))
        and key not in ("VIRTUAL_ENV", "CONDA_PREFIX", "COLUMNS", "LINES")
    }
    env.update(
        {
            "UV_CACHE_DIR": str(tmp_path / f"{tool}-cache"),
            "UV_PYTHON_DOWNLOADS": "never",
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "NO_COLOR": "1",
        }
    )
    if tool == "puv":  # a crash (a rare SIGSEGV at exit was seen once) leaves every thread's stack
        env["PYTHONFAULTHANDLER"] = "1"
    env.update(extra or {})
    return env


def _runner(tmp_path: Path, tool: str, command: list[str]) -> Runner:
    def run(
        *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args],
            capture_output=True,
            text=True,
            cwd=cwd or tmp_path,
            env=_environment(tmp_path, tool, env),
        )

    return run


@pytest.fixture
def run_puv(tmp_path: Path) -> Runner:
    """Run `python -m puv ARGS...` (keyword-only `cwd` and `env`)."""
    return _runner(tmp_path, "puv", [sys.executable, "-m", "puv"])


@pytest.fixture
def run_uv(tmp_path: Path) -> Runner:
    """Run the reference `uv ARGS...` the same way; skips when uv is not installed."""
    if UV is None:
        pytest.skip("uv is not installed")
    return _runner(tmp_path, "uv", [UV])
