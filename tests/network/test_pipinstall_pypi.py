"""`pip install` with full resolution of the bench projects against PyPI, side by side with uv.

The same status lines (durations masked; uv's `Downloading` lines for large wheels come in the
order downloads start and end, so they are compared as a set), the same installed packages, and a
second run that only checks the environment.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.conftest import run_puv as run_puv  # the fixtures, shared with e2e
from tests.e2e.conftest import run_uv as run_uv
from tests.e2e.test_pip_sync_cli import masked

pytestmark = pytest.mark.network

BENCH = Path("/work/shared/bench")
EXCLUDE_NEWER = "2026-11-01T00:00:00Z"
_DOWNLOADS = re.compile(r"^ ?Download(ing|ed) ")


def _split(stderr: str) -> tuple[list[str], set[str]]:
    lines = masked(stderr).splitlines()
    return (
        [line for line in lines if not _DOWNLOADS.match(line)],
        {line for line in lines if _DOWNLOADS.match(line)},
    )


@pytest.mark.parametrize(
    ("project", "extra"), [("order-service", ("--group", "pyproject.toml:dev")), ("platform", ())]
)
def test_install_matches_uv(
    run_puv: Runner, run_uv: Runner, tmp_path: Path, project: str, extra: tuple[str, ...]
) -> None:
    source = BENCH / project / "pyproject.toml"
    if not source.is_file():
        pytest.skip(f"{source} is not available")
    results = {}
    for tool, run in (("uv", run_uv), ("puv", run_puv)):
        work = tmp_path / tool
        work.mkdir()
        shutil.copy(source, work / "pyproject.toml")
        assert run_uv("venv", "-q", "env", "--python", sys.executable, cwd=work).returncode == 0
        args = ("pip", "install", "-p", "env", "-r", "pyproject.toml", *extra,
                "--exclude-newer", EXCLUDE_NEWER)  # fmt: skip
        first = run(*args, cwd=work)
        again = run(*args, cwd=work)
        freeze = run_uv("pip", "freeze", "-p", "env", cwd=work)
        results[tool] = (first, again, freeze)
    (uv_first, uv_again, uv_freeze), (first, again, freeze) = results["uv"], results["puv"]
    assert first.returncode == uv_first.returncode == 0, first.stderr
    assert _split(first.stderr) == _split(uv_first.stderr)
    assert masked(again.stderr) == masked(uv_again.stderr)
    assert "Checked" in again.stderr
    assert freeze.stdout == uv_freeze.stdout and freeze.stdout.count("==") > 40
