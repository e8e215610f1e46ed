"""`puv add` on the `platform` and `workspace` benchmark projects from the real PyPI
(`-m network`), against `uv add`: a lock (13 forks on `platform`), extended
(`operations/lock_extend.py`) or resolved again, must come out byte for byte as uv's after each
step, with the same `pyproject.toml`.

Both start from one uv-made lock; puv's first `add` resolves everything (it does not know whether
that lock's resolution warned about anything), and records its lock, so the later ones may
extend it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.conftest import run_puv as run_puv  # the fixtures, shared with e2e
from tests.e2e.conftest import run_uv as run_uv
from tests.network.test_sync_bench import BENCH, EXCLUDE_NEWER, copy_project

pytestmark = pytest.mark.network

STEPS = {
    "platform": [
        ["add", "--no-sync", "tomli-w"],
        ["add", "--no-sync", "httpx"],
        ["add", "--no-sync", "rich"],
        ["add", "--no-sync", "--dev", "hypothesis"],
        ["add", "--no-sync", "--optional", "docs", "mkdocs"],
    ],
    "workspace": [
        ["add", "--no-sync", "--package", "core", "tomli-w"],
        ["add", "--no-sync", "--package", "api", "httpx"],
        ["add", "--no-sync", "--package", "cli", "rich"],
        ["add", "--no-sync", "--dev", "hypothesis"],
    ],
}


@pytest.mark.parametrize("name", sorted(STEPS))
def test_adds_match_uv(run_uv: Runner, run_puv: Runner, tmp_path: Path, name: str) -> None:
    source = BENCH / name
    if not (source / "pyproject.toml").is_file():
        pytest.skip(f"{source} is not available")
    dirs = {tool: tmp_path / tool for tool in ("uv", "puv")}
    copy_project(source, dirs["uv"])
    locked = run_uv("lock", "--exclude-newer", EXCLUDE_NEWER, cwd=dirs["uv"])
    assert locked.returncode == 0, locked.stderr
    copy_project(dirs["uv"], dirs["puv"])
    shutil.copy(dirs["uv"] / "uv.lock", dirs["puv"] / "uv.lock")
    extended = []
    for args in STEPS[name]:
        theirs = run_uv(*args, "--exclude-newer", EXCLUDE_NEWER, cwd=dirs["uv"])
        assert theirs.returncode == 0, (args, theirs.stderr)
        ours = run_puv("-v", *args, "--exclude-newer", EXCLUDE_NEWER, cwd=dirs["puv"])
        assert ours.returncode == 0, (args, ours.stderr)
        for name in ("pyproject.toml", "uv.lock"):
            assert (dirs["puv"] / name).read_bytes() == (dirs["uv"] / name).read_bytes(), args
        extended.append("Extended the existing lockfile" in ours.stderr)
    assert extended[0] is False  # uv's lock: resolved again
    assert any(extended[1:]), extended
