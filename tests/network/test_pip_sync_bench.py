"""`puv pip sync` of the benchmark projects from the real PyPI (`-m network`), compared with uv.

The requirements are what `uv export` writes for each project (pinned, with hashes). uv and puv
each sync them into a fresh venv with their own cache; the environments must hold the same
distributions, the same importable modules and the same files with the same content. Then puv
must sync again, and into another fresh venv from its warm cache, with the network unreachable.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.conftest import run_puv as run_puv  # the fixtures, shared with e2e
from tests.e2e.conftest import run_uv as run_uv

pytestmark = pytest.mark.network

BENCH = Path("/work/shared/bench")
EXCLUDE_NEWER = "2026-11-15T00:00:00Z"
# Files that say who installed them, not what was installed.
INSTALLER_FILES = frozenset({"RECORD", "INSTALLER", "direct_url.json", "uv_cache.json", ".lock"})
UNREACHABLE = {
    "UV_INDEX_URL": "http://127.0.0.1:9/simple",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "ALL_PROXY": "http://127.0.0.1:9",
}
MODULES = (
    "import pkgutil, sys; "
    "print('\\n'.join(sorted(m.name for m in pkgutil.iter_modules([sys.argv[1]]))))"
)


def tree_digest(root: Path) -> dict[str, tuple[str, int, str]]:
    """path -> (kind, mode, sha256 of the content with `root` replaced by a placeholder)."""
    marker = os.fsencode(root)
    found: dict[str, tuple[str, int, str]] = {}
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in dirs + files:
            if name in INSTALLER_FILES:
                continue
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, root)
            info = os.lstat(path)
            if os.path.islink(path):
                found[relative] = ("link", 0, os.readlink(path))
            elif os.path.isdir(path):
                found[relative] = ("dir", info.st_mode & 0o777, "")
            else:
                content = Path(path).read_bytes().replace(marker, b"<env>")
                found[relative] = (
                    "file",
                    info.st_mode & 0o777,
                    hashlib.sha256(content).hexdigest(),
                )
    return found


def site_packages(env: Path) -> Path:
    major, minor = sys.version_info[:2]
    return env / "lib" / f"python{major}.{minor}" / "site-packages"


@pytest.mark.parametrize("project", ["order-service", "platform"])
def test_sync_matches_uv_then_needs_no_network(
    run_puv: Runner, run_uv: Runner, tmp_path: Path, project: str
) -> None:
    source = BENCH / project / "pyproject.toml"
    if not source.is_file():
        pytest.skip(f"{source} is not available")
    work = tmp_path / project
    work.mkdir()
    shutil.copy(source, work / "pyproject.toml")
    exported = run_uv(
        "export", "--format", "requirements-txt", "--no-emit-project", "--exclude-newer",
        EXCLUDE_NEWER, "--python", sys.executable, "-q", "-o", "requirements.txt", cwd=work,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    requirements = work / "requirements.txt"
    assert "--hash=sha256:" in requirements.read_text()

    envs = {}
    for tool, run in (("uv", run_uv), ("puv", run_puv)):
        env = tmp_path / tool / "env"
        assert run_uv("venv", "-q", str(env), "--python", sys.executable).returncode == 0
        synced = run("pip", "sync", str(requirements), "-p", str(env))
        assert synced.returncode == 0, synced.stderr
        envs[tool] = (env, synced)
    (uv_env, theirs), (puv_env, ours) = envs["uv"], envs["puv"]
    resolved = re.search(r"Resolved (\d+) packages", theirs.stderr)
    assert resolved is not None
    count = int(resolved.group(1))
    assert count > 40
    assert f"Resolved {count} packages" in ours.stderr
    assert f"Installed {count} packages" in ours.stderr

    freeze = [run_uv("pip", "freeze", "-p", str(env)).stdout for env in (uv_env, puv_env)]
    assert freeze[0] == freeze[1]
    assert freeze[0].count("==") == count
    modules = [
        subprocess.run(
            [str(env / "bin" / "python"), "-c", MODULES, str(site_packages(env))],
            capture_output=True, text=True, check=True,
        ).stdout
        for env in (uv_env, puv_env)
    ]  # fmt: skip
    assert modules[0] == modules[1]
    assert tree_digest(puv_env) == tree_digest(uv_env)

    # A second run is a no-op that needs no network at all.
    again = run_puv("pip", "sync", str(requirements), "-p", str(puv_env), env=UNREACHABLE)
    assert again.returncode == 0, again.stderr
    assert re.search(
        rf"Resolved {count} packages in .*\nChecked {count} packages in ", again.stderr
    )
    # A fresh venv from the warm cache: the `--hash` digests find every wheel, no index needed.
    fresh = tmp_path / "fresh"
    assert run_uv("venv", "-q", str(fresh), "--python", sys.executable).returncode == 0
    warm = run_puv("pip", "sync", str(requirements), "-p", str(fresh), env=UNREACHABLE)
    assert warm.returncode == 0, warm.stderr
    assert "Prepared" not in warm.stderr
    assert f"Installed {count} packages" in warm.stderr
    assert tree_digest(site_packages(fresh)) == tree_digest(site_packages(puv_env))
