"""`puv sync --locked` of the benchmark projects from the real PyPI (`-m network`), compared
with `uv sync --locked` from the same uv.lock.

Each project is copied twice, locked once by uv (the format contract) with a fixed
`--exclude-newer`, and synced by each tool with its own cache: `pip freeze` of the two
environments must be the same, the output must have uv's lines, the workspace members must be
importable and editable, and a no-op or a `--frozen --offline` sync from the warm cache must
need no network.
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.conftest import run_puv as run_puv  # the fixtures, shared with e2e
from tests.e2e.conftest import run_uv as run_uv

pytestmark = pytest.mark.network

BENCH = Path("/work/shared/bench")
EXCLUDE_NEWER = "2026-11-01T00:00:00Z"
DURATION = re.compile(r" in \d+(\.\d+)?(ms|s)\b")
UNREACHABLE = {
    "UV_INDEX_URL": "http://127.0.0.1:9/simple",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "ALL_PROXY": "http://127.0.0.1:9",
}


def copy_project(source: Path, target: Path) -> None:
    """The project without its environment, lock or caches, writable."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".venv", "uv.lock", "*.pyc"))
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def freeze(run_uv: Runner, project: Path) -> list[str]:
    python = project / ".venv" / "bin" / "python"
    listed = run_uv("pip", "freeze", "--python", str(python))
    assert listed.returncode == 0, listed.stderr
    return listed.stdout.replace(str(project), "ROOT").splitlines()


def shown(text: str, project: Path) -> list[str]:
    """Output lines with durations masked and the project as `ROOT`, builds sorted (uv builds
    concurrently)."""
    lines = DURATION.sub(" in T", text).replace(str(project), "ROOT").splitlines()
    builds = sorted(line for line in lines if line.startswith(("   Building", "      Built")))
    return [line for line in lines if not line.startswith(("   Building", "      Built"))] + builds


@pytest.mark.parametrize("name", ["order-service", "platform", "workspace"])
def test_locked_sync_matches_uv(run_uv: Runner, run_puv: Runner, tmp_path: Path, name: str) -> None:
    source = BENCH / name
    if not (source / "pyproject.toml").is_file():
        pytest.skip(f"{source} is not available")
    theirs_dir, ours_dir = tmp_path / "uv", tmp_path / "puv"
    copy_project(source, theirs_dir)
    locked = run_uv("lock", "--exclude-newer", EXCLUDE_NEWER, cwd=theirs_dir)
    assert locked.returncode == 0, locked.stderr
    copy_project(theirs_dir, ours_dir)
    shutil.copy(theirs_dir / "uv.lock", ours_dir / "uv.lock")

    args = ("sync", "--locked", "--exclude-newer", EXCLUDE_NEWER)
    theirs = run_uv(*args, cwd=theirs_dir)
    assert theirs.returncode == 0, theirs.stderr
    ours = run_puv(*args, cwd=ours_dir)
    assert ours.returncode == 0, ours.stderr
    assert freeze(run_uv, ours_dir) == freeze(run_uv, theirs_dir)
    # Each download over 1 MiB is reported (`Downloading x (1.2MiB)`, ` Downloaded x`) in the
    # order downloads start and end: compared as a set. The `Prepared` count depends on the cache.
    downloads = ("Downloading ", " Downloaded ")
    skipped = ("Prepared", *downloads)
    expected = shown(theirs.stderr, theirs_dir)
    actual = shown(ours.stderr, ours_dir)
    assert [line for line in actual if not line.startswith(skipped)] == [
        line for line in expected if not line.startswith(skipped)
    ]
    assert sorted(line for line in actual if line.startswith(downloads)) == sorted(
        line for line in expected if line.startswith(downloads)
    )
    count = len([line for line in expected if line.startswith(" + ")])
    assert count > 20

    again = run_puv(*args, cwd=ours_dir)
    resolved = next(line for line in expected if line.startswith("Resolved "))
    assert shown(again.stderr, ours_dir) == [resolved, f"Checked {count} packages in T"]

    shutil.rmtree(ours_dir / ".venv")
    offline = run_puv("sync", "--frozen", "--offline", cwd=ours_dir, env=UNREACHABLE)
    assert offline.returncode == 0, offline.stderr
    assert "Prepared" not in offline.stderr
    assert f"Installed {count} packages in" in offline.stderr
    assert freeze(run_uv, ours_dir) == freeze(run_uv, theirs_dir)


def test_workspace_members_are_editable(run_uv: Runner, run_puv: Runner, tmp_path: Path) -> None:
    source = BENCH / "workspace"
    if not (source / "pyproject.toml").is_file():
        pytest.skip(f"{source} is not available")
    project = tmp_path / "workspace"
    copy_project(source, project)
    locked = run_uv("lock", "--exclude-newer", EXCLUDE_NEWER, cwd=project)
    assert locked.returncode == 0, locked.stderr
    synced = run_puv("sync", "--frozen", cwd=project)
    assert synced.returncode == 0, synced.stderr
    python = str(project / ".venv" / "bin" / "python")
    members = ["api", "worker", "cli", "core", "adapters", "observability"]
    script = (
        "import importlib, sys; [importlib.import_module(m) for m in sys.argv[1:]]; print('ok')"
    )
    imported = subprocess.run([python, "-c", script, *members], capture_output=True, text=True)
    assert imported.stdout == "ok\n", imported.stderr
    module = project / "libs" / "core" / "src" / "core" / "__init__.py"
    module.write_text(module.read_text() + "\nEDITED = True\n")
    edited = subprocess.run(
        [python, "-c", "import core; print(core.EDITED, core.__file__)"],
        capture_output=True,
        text=True,
    )
    assert edited.stdout == f"True {module}\n", edited.stderr
