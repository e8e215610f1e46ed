"""`puv export` and `puv tree` on the benchmark projects, locked from PyPI by uv (`-m network`).

Each project is copied, locked once by the real uv with a fixed `--exclude-newer`, and then both
tools read the same lock: the outputs must be identical byte for byte (the export header names
puv). `--outdated` asks PyPI for the newest versions, which the lock's cutoff does not bound, so it
is compared too.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.network

UV = Path(sys.executable).parent / "uv"
BENCH = Path("/work/shared/bench")
EXCLUDE_NEWER = "2026-11-01T00:00:00Z"
PROJECTS = ("order-service", "platform", "workspace")


def _environment(cache: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("UV_", "PUV_")) and key not in ("VIRTUAL_ENV", "COLUMNS")
    }
    env.update(UV_CACHE_DIR=str(cache), UV_PYTHON_DOWNLOADS="never", NO_COLOR="1")
    return env


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if not UV.exists() or not BENCH.is_dir():
        pytest.skip("the reference uv or the benchmark projects are missing")
    base = tmp_path_factory.mktemp("bench")
    for name in PROJECTS:
        shutil.copytree(BENCH / name, base / name)
        for directory, _, files in os.walk(base / name):
            for entry in (directory, *(os.path.join(directory, file) for file in files)):
                os.chmod(entry, os.stat(entry).st_mode | stat.S_IWUSR)
        result = subprocess.run(
            [str(UV), "lock", "--exclude-newer", EXCLUDE_NEWER],
            cwd=base / name, env=_environment(base / "uv-cache"), capture_output=True, text=True,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    yield base


def _compare(base: Path, project: str, *args: str) -> str:
    outputs = []
    for tool, command in (("uv", [str(UV)]), ("puv", [sys.executable, "-m", "puv"])):
        result = subprocess.run(
            [*command, *args], cwd=base / project, env=_environment(base / f"{tool}-cache"),
            capture_output=True, text=True,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    expected = outputs[0].replace("by uv via", "by puv via").replace("#    uv ", "#    puv ")
    assert outputs[1] == expected
    return outputs[1]


@pytest.mark.parametrize("project", PROJECTS)
@pytest.mark.parametrize(
    "args",
    [
        ("export", "--frozen"),
        ("export", "--frozen", "--no-dev", "--no-hashes", "--all-packages"),
        ("export", "--frozen", "--format", "pylock.toml", "--all-packages"),
        ("tree", "--frozen", "--universal"),
        ("tree", "--frozen", "--invert", "--python-platform", "windows"),
        ("tree", "--frozen", "--universal", "--invert", "--package", "idna", "--no-dedupe"),
    ],
)
def test_matches_uv(locked: Path, project: str, args: tuple[str, ...]) -> None:
    output = _compare(locked, project, *args)
    assert output.count("\n") >= 3


def test_outdated_matches_uv(locked: Path) -> None:
    output = _compare(locked, "order-service", "tree", "--frozen", "--outdated", "--depth", "1")
    assert "(latest: v" in output  # the project pins old releases on purpose
