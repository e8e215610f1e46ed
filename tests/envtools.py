"""Helpers for tests that install into real environments: venvs, tree snapshots, the real uv.

    venv = make_venv(tmp_path / "venv")              # `uv venv`, with its install Layout
    before = snapshot(venv.site_packages)
    run_uv(["pip", "install", "--python", str(venv.python), ...], cache=tmp_path / "uv-cache")

A snapshot maps every path below a root to (kind, permission bits, content or link target), so
two snapshots compare file trees, contents and executable bits at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from puv.cache.layout import CacheLayout
from puv.core.wheel_filename import WheelFilename
from puv.install.archive import UnpackedWheel, unpack_wheel
from puv.install.link import Linker
from puv.install.scheme import Layout, Scheme
from puv.install.wheel_install import InstalledWheel, install_wheel
from tests.wheelmaker import make_metadata, write_wheel

UV = Path(sys.executable).parent / "uv"
# uv's own cache for `uv venv` (interpreter facts): shared by all tests, uv locks it itself.
SHARED_UV_CACHE = Path(tempfile.gettempdir()) / "puv-tests-uv-cache"
PYENV = Path.home() / ".pyenv" / "versions"

# A platform-specific tag the running interpreter accepts (`cp311-cp311-linux_x86_64`).
NATIVE_TAG = "cp{0}{1}-cp{0}{1}-{2}".format(
    *sys.version_info[:2], sysconfig.get_platform().replace("-", "_").replace(".", "_")
)

Entry = tuple[str, int, bytes]  # (kind: "file" | "dir" | "link", mode bits, content/target)


@dataclass(frozen=True, slots=True)
class Venv:
    """A virtual environment made by `uv venv`, with the layout puv installs with."""

    root: Path
    layout: Layout

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    @property
    def site_packages(self) -> Path:
        return self.layout.scheme.purelib


def uv_environment(cache: Path) -> dict[str, str]:
    """The environment for running the reference uv: no downloads, a private cache."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("UV_", "PUV_"))}
    env.update(UV_PYTHON_DOWNLOADS="never", UV_CACHE_DIR=str(cache), UV_NO_PROGRESS="1")
    env["COLUMNS"] = "1000"  # uv wraps long error lines at the terminal width
    return env


def run_uv(
    args: Iterable[str],
    cache: Path,
    check: bool = True,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the reference uv binary (`extra_env` on top of `uv_environment`)."""
    env = {**uv_environment(cache), **(extra_env or {})}
    return subprocess.run([str(UV), *args], env=env, capture_output=True, text=True, check=check)


def base_python(version: str | None = None) -> Path:
    """A real (non-venv) interpreter: a pyenv build of `version`, else the one running tests."""
    if version is not None:
        return PYENV / version / "bin" / "python3"
    return Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"


def make_venv(
    path: Path, python: Path | None = None, *, relocatable: bool = False, cache: Path | None = None
) -> Venv:
    """Create a venv with `uv venv` and describe it with a puv `Layout`."""
    args = ["venv", "-q", str(path), "--python", str(python or base_python())]
    if relocatable:
        args.append("--relocatable")
    run_uv(args, cache or SHARED_UV_CACHE)
    if python is None:
        major, minor = sys.version_info[:2]
    else:
        version = subprocess.run(
            [
                str(path / "bin" / "python"),
                "-c",
                "import sys; print('%d.%d' % sys.version_info[:2])",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        major, minor = (int(part) for part in version.split("."))
    site_packages = path / "lib" / f"python{major}.{minor}" / "site-packages"
    scheme = Scheme(
        purelib=site_packages,
        platlib=site_packages,
        scripts=path / "bin",
        data=path,
        include=path / "include" / "site" / f"python{major}.{minor}",
    )
    return Venv(path, Layout(scheme, path / "bin" / "python", (major, minor)))


def install(
    wheel: Path,
    venv: Venv,
    cache: Path,
    linker: Linker | None = None,
    **options: object,
) -> tuple[UnpackedWheel, InstalledWheel]:
    """Unpack `wheel` into `cache` and install it into `venv` with puv's engine."""
    filename = WheelFilename.parse(wheel.name)
    unpacked = unpack_wheel(wheel, filename, CacheLayout(cache))
    installed = install_wheel(
        unpacked.path,
        filename,
        venv.layout,
        linker or Linker(),
        **options,
    )
    return unpacked, installed


def snapshot(
    root: Path, ignore: Callable[[str], bool] = lambda relative: False
) -> dict[str, Entry]:
    """Every path below `root` (relative, `/`-separated) -> (kind, mode bits, content)."""
    found: dict[str, Entry] = {}
    if not root.exists():
        return found
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, root).replace(os.sep, "/")
            if ignore(relative):
                continue
            info = os.lstat(path)
            mode = info.st_mode & 0o777
            if os.path.islink(path):
                found[relative] = ("link", 0, os.readlink(path).encode())
            elif os.path.isdir(path):
                found[relative] = ("dir", mode, b"")
            else:
                found[relative] = ("file", mode, Path(path).read_bytes())
        dirs[:] = [d for d in dirs if not ignore(os.path.relpath(os.path.join(directory, d), root))]
    return found


def without_cache_temps(relative: str) -> bool:
    """Snapshot filter: the cache's staging dirs (`cache/<bucket>/.tmp*`) may come and go."""
    parts = relative.split("/")
    return len(parts) >= 3 and parts[0] == "cache" and parts[2].startswith(".tmp")


def persisted_entries(cache: Path) -> list[str]:
    """The final (non-temp) entries of the `archive` bucket."""
    bucket = CacheLayout(cache).bucket("archive")
    if not bucket.exists():
        return []
    return sorted(name for name in os.listdir(bucket) if not name.startswith(".tmp"))


def demo_wheels(directory: Path) -> list[Path]:
    """Wheels exercising entry points, every `.data` key, shebang rewriting and exec bits."""
    demo = write_wheel(
        directory,
        {
            "demo/__init__.py": "def main():\n    print('hi')\n",
            "demo/sub/mod.py": "X = 1\n",
            "demo/tool.sh": "#!/bin/sh\necho tool\n",
            "demo-1.0.data/scripts/rawscript": "#!python\nprint('raw')\n",
            "demo-1.0.data/scripts/guiscript": "#!pythonw -u\nprint('gui')\n",
            "demo-1.0.data/scripts/crlf": "#!python\r\nprint('crlf')\r\n",
            "demo-1.0.data/scripts/binary.sh": "#!/bin/sh\necho hi\n",
            "demo-1.0.data/scripts/plain.sh": "#!/bin/sh\necho plain\n",
            "demo-1.0.data/scripts/demo-cli": "shadowed by the entry point\n",
            "demo-1.0.data/data/share/demo/data.txt": "data\n",
            "demo-1.0.data/headers/demo.h": "int x;\n",
            "demo-1.0.data/purelib/demo_pure.py": "P = 1\n",
            "demo-1.0.data/platlib/demo_plat.py": "Q = 1\n",
        },
        name="demo",
        version="1.0",
        entry_points=(
            "[console_scripts]\ndemo-cli = demo:main\ndemo.x = demo.sub.mod:X.y [extra]\n"
            "pip3 = demo:main\npip3.8 = demo:main\n[gui_scripts]\ndemo-gui = demo:main\n"
        ),
        modes={"demo-1.0.data/scripts/binary.sh": 0o755, "demo/tool.sh": 0o755},
    )
    native = write_wheel(
        directory,
        {"native/__init__.py": "", "native/_ext.so": b"\x7fELF fake"},
        name="Native_Pkg",
        version="2.0",
        tag=NATIVE_TAG,
        root_is_purelib=False,
        metadata=make_metadata("Native_Pkg", "2.0"),
        dist_info="native_pkg-2.0.dist-info",
    )
    return [demo, native]
