"""`cache prune`: unpacked wheels stay while a wheel pointer or a build environment uses them.

An archive that nothing points at is removed. One a cached build environment hard-links from is
kept (removing it would free nothing and the summary would count space still in use); `--ci`
removes the build environments together with every pre-built wheel.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

from puv.cache.layout import CacheLayout
from puv.core.printer import Printer
from puv.operations.cache_ops import cache_prune
from puv.operations.context import Context
from tests.e2e.conftest import Runner
from tests.indexserver import IndexServer
from tests.wheelmaker import write_wheel

BACKEND = """\
import os, zipfile

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as bundle:
        bundle.writestr("demo/__init__.py", "")
        bundle.writestr("demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: demo\\nVersion: 1.0\\n")
        bundle.writestr("demo-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
        bundle.writestr("demo-1.0.dist-info/RECORD", "")
    return name
"""


def _prune(cache: Path, *, ci: bool = False) -> str:
    err = io.StringIO()
    ctx = Context(Printer(err=err), CacheLayout(cache), cache)
    cache_prune(ctx, ci=ci)
    return err.getvalue()


def _archives(cache: Path) -> set[str]:
    bucket = CacheLayout(cache).bucket("archive")
    return {entry.name for entry in bucket.iterdir()} if bucket.is_dir() else set()


def test_archives_in_use_by_pointers_or_build_links_stay(tmp_path: Path) -> None:
    layout = CacheLayout(tmp_path / "cache")
    archive = layout.bucket("archive")
    for name in ("linked", "orphan"):
        (archive / name / "pkg").mkdir(parents=True)
        (archive / name / "pkg" / "mod.py").write_text("x = 1\n" * 100)
    environment = layout.bucket("builds") / "0123456789abcdef" / "lib" / "pkg"
    environment.mkdir(parents=True)
    os.link(archive / "linked" / "pkg" / "mod.py", environment / "mod.py")
    assert _prune(layout.root).splitlines()[1].startswith("Removed 1 file (")  # the orphan
    assert _archives(layout.root) == {"linked"}
    assert _prune(layout.root).splitlines()[1] == "No unused entries found"
    assert (environment / "mod.py").is_file()
    ci = _prune(layout.root, ci=True)
    assert ci.splitlines()[1].startswith("Removed ")
    assert _archives(layout.root) == set()
    assert not any(layout.bucket("builds").iterdir())


def test_installed_wheels_and_build_environments_survive_prune(
    tmp_path: Path, run_puv: Runner
) -> None:
    cache = tmp_path / "cache"
    env = {"UV_CACHE_DIR": str(cache), "UV_LINK_MODE": "hardlink"}
    with IndexServer(tmp_path / "index") as index:
        index.add_wheel("six", "1.16.0")
        write_wheel(index.root, {"demo_backend.py": BACKEND}, name="demo-backend", version="1.0")
        project = tmp_path / "project"
        project.mkdir()
        (project / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["demo-backend"]\nbuild-backend = "demo_backend"\n'
        )
        run_puv("venv", "env", "--python", sys.executable, env=env)
        installed = run_puv("pip", "install", "six", "-p", "env", "-i", index.simple_url, env=env)
        assert installed.returncode == 0, installed.stderr
        built = run_puv("build", "--wheel", str(project), "-i", index.simple_url, env=env)
        assert built.returncode == 0, built.stderr
        before = _archives(cache)
        assert len(before) == 2  # six (pointed at) and demo-backend (a build environment's)
        orphan = CacheLayout(cache).bucket("archive") / "orphan"
        orphan.mkdir()
        (orphan / "left-over.py").write_text("")
        pruned = run_puv("cache", "prune", env=env)
        assert pruned.returncode == 0, pruned.stderr
        assert _archives(cache) == before
        assert pruned.stderr.endswith("Removed 1 file (0B)\n")
        again = run_puv("build", "--wheel", str(project), "-i", index.simple_url, env=env)
        assert again.returncode == 0, again.stderr
        ci = run_puv("cache", "prune", "--ci", env=env)
        assert ci.returncode == 0 and _archives(cache) == set()
        assert not any(CacheLayout(cache).bucket("builds").iterdir())
        freeze = run_puv("pip", "freeze", "-p", "env", env=env)
        assert freeze.stdout == "six==1.16.0\n"  # the environment does not depend on the cache
