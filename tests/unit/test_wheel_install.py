"""Installing unpacked wheels into real venvs, compared with the real uv, plus kill -9 repair,
the installed-distribution scan, bytecode compilation and the environment lock."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from puv.cache.layout import CacheLayout
from puv.cache.lock import LockTimeout
from puv.core.errors import PuvError
from puv.core.wheel_filename import WheelFilename
from puv.install.archive import unpack_wheel
from puv.install.bytecode import compile_tree
from puv.install.dist_info import parse_entry_points, read_record
from puv.install.env_lock import lock_environment
from puv.install.installed import scan_site_packages
from puv.install.link import Linker
from puv.install.scheme import Layout
from puv.install.uninstall import remove_files
from puv.install.wheel_install import format_shebang, install_wheel, planned_paths
from puv.python.probe import probe_interpreter
from tests.envtools import (
    PYENV,
    Venv,
    demo_wheels,
    install,
    make_venv,
    run_uv,
    snapshot,
)
from tests.wheelmaker import write_sdist, write_wheel

# Files whose contents legitimately differ between installers.
INSTALLER_SPECIFIC = {"RECORD", "INSTALLER", "direct_url.json", "uv_cache.json", ".lock"}


def normalized(venv: Path) -> dict[str, tuple[str, int, bytes]]:
    """A snapshot of `venv` with its own path replaced by `<VENV>` in every file."""

    def ignore(relative: str) -> bool:
        parts = relative.split("/")
        return "__pycache__" in parts or parts[-1] in INSTALLER_SPECIFIC

    marker = str(venv).encode()
    return {
        path: (kind, mode, content.replace(marker, b"<VENV>"))
        for path, (kind, mode, content) in snapshot(venv, ignore).items()
    }


def record_paths(venv: Venv) -> set[str]:
    """RECORD paths of every dist. uv also keeps the entry of a `.data/scripts` file shadowed by
    an entry point, a file that is never installed; puv drops it."""
    found = set()
    for dist_info in venv.site_packages.glob("*.dist-info"):
        for entry in read_record(dist_info / "RECORD"):
            shadowed = ".data/scripts/" in entry.path
            if not shadowed and not entry.path.endswith(("uv_cache.json", "INSTALLER")):
                found.add(f"{dist_info.name}:{entry.path}")
    return found


@pytest.mark.parametrize(
    ("parent", "relocatable"),
    [("plain", False), ("with space", False), ("long-" + "x" * 120, False), ("plain", True)],
    ids=["plain", "space", "long-shebang", "relocatable"],
)
def test_same_tree_as_uv(parent: str, relocatable: bool, tmp_path: Path) -> None:
    """Same files, contents (modulo the venv path), exec bits and RECORD paths as `uv pip install`."""
    wheels = tmp_path / "wheels"
    demo_wheels(wheels)
    theirs = make_venv(tmp_path / "uv" / parent / "venv", relocatable=relocatable)
    ours = make_venv(tmp_path / "puv" / parent / "venv", relocatable=relocatable)
    run_uv(
        [
            "pip", "install", "--python", str(theirs.python), "--no-index",
            "--find-links", str(wheels), "demo", "native-pkg",
        ],
        tmp_path / "uv-cache",
    )  # fmt: skip
    for wheel in sorted(wheels.iterdir()):
        install(wheel, ours, tmp_path / "cache", relocatable=relocatable)
    assert normalized(ours.root) == normalized(theirs.root)
    assert record_paths(ours) == record_paths(theirs)
    shebang = (ours.root / "bin" / "demo-cli").read_text().splitlines()[0]
    assert shebang.startswith("#!/bin/sh") == (relocatable or parent != "plain")


def test_scripts_run(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    for wheel in demo_wheels(tmp_path / "wheels"):
        install(wheel, venv, tmp_path / "cache")

    def run(name: str) -> str:
        command = [str(venv.root / "bin" / name)]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout

    assert run("demo-cli") == "hi\n"
    assert run("rawscript") == "raw\n"
    assert run("crlf") == "crlf\n"
    assert run("pip3.11" if sys.version_info[:2] == (3, 11) else "pip3") == "hi\n"


def test_record_lists_every_installed_file_with_its_digest(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    before = set(snapshot(venv.root))
    installed = [
        install(wheel, venv, tmp_path / "cache")[1] for wheel in demo_wheels(tmp_path / "w")
    ]
    listed = set()
    for result in installed:
        for entry in read_record(result.dist_info / "RECORD"):
            path = os.path.normpath(result.dist_info.parent / entry.path)
            listed.add(os.path.relpath(path, venv.root))
            if entry.hash:
                data = Path(path).read_bytes()
                digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
                assert entry.hash == "sha256=" + digest.decode(), entry.path
                assert entry.size == str(len(data))
    new_files = {
        path
        for path, (kind, _, _) in snapshot(venv.root).items()
        if kind == "file" and path not in before
    }
    assert listed == new_files


def test_installer_metadata(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    wheel = write_wheel(tmp_path, {"evil/__init__.py": ""}, name="evil", version="0.1")
    direct_url = {"url": "file:///tmp/evil-0.1-py3-none-any.whl", "archive_info": {"hashes": {}}}
    _, result = install(wheel, venv, tmp_path / "cache", requested=False, direct_url=direct_url)
    assert (result.dist_info / "INSTALLER").read_bytes() == b"puv"
    assert not (result.dist_info / "REQUESTED").exists()
    assert (result.dist_info / "direct_url.json").read_text() == (
        '{"url":"file:///tmp/evil-0.1-py3-none-any.whl","archive_info":{"hashes":{}}}'
    )
    (dist,) = scan_site_packages([venv.site_packages])
    assert (dist.name, dist.version, dist.installer, dist.requested) == (
        "evil",
        "0.1",
        "puv",
        False,
    )
    assert dist.complete and not dist.editable
    assert dist.url == "file:///tmp/evil-0.1-py3-none-any.whl"


def test_reinstall_is_idempotent(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    wheels = demo_wheels(tmp_path / "wheels")
    for wheel in wheels:
        install(wheel, venv, tmp_path / "cache")
    first = snapshot(venv.root)
    for wheel in wheels:
        install(wheel, venv, tmp_path / "cache")
    assert snapshot(venv.root) == first


def test_rejected_install_writes_nothing(tmp_path: Path) -> None:
    """An install-time rejection (a venv-dependent reserved name) happens before any write."""
    venv = make_venv(tmp_path / "venv")
    wheel = write_wheel(
        tmp_path, {"evil/__init__.py": "", "evil-0.1.data/data/bin/python3": ""}, name="evil"
    )
    before = snapshot(venv.root)
    with pytest.raises(PuvError) as err:
        install(wheel, venv, tmp_path / "cache")
    assert err.value.message == "Failed to install: evil-0.1-py3-none-any.whl (evil==0.1)"
    assert err.value.causes == ("Scripts must not use the reserved name `python3`, got: `python3`",)
    assert snapshot(venv.root) == before


# --- kill -9 in the middle of an install ------------------------------------------------------

_INSTALL_SCRIPT = """
import sys
from pathlib import Path
from puv.core.wheel_filename import WheelFilename
from puv.install.link import Linker
from puv.install.scheme import Layout, Scheme
from puv.install.wheel_install import install_wheel
unpacked, venv, version = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
site = venv / "lib" / f"python{version}" / "site-packages"
scheme = Scheme(site, site, venv / "bin", venv, venv / "include" / "site" / f"python{version}")
layout = Layout(scheme, venv / "bin" / "python", tuple(int(p) for p in version.split(".")))
install_wheel(unpacked, WheelFilename.parse(sys.argv[4]), layout, Linker())
"""


def many_files_wheel(directory: Path) -> Path:
    files = {f"big/pkg{i // 50}/mod{i}.py": f"VALUE = {i}\n" for i in range(600)}
    files["big-1.0.data/scripts/tool"] = "#!python\nprint('tool')\n"
    return write_wheel(
        directory,
        files,
        name="big",
        version="1.0",
        entry_points="[console_scripts]\nbig = big.pkg0.mod0:main\n",
    )


def kill_mid_install(tmp_path: Path, venv: Venv, wheel: Path) -> Path:
    """Install `wheel` in a subprocess paused after 300 files, SIGKILL it; returns the unpacked dir."""
    unpacked = unpack_wheel(wheel, WheelFilename.parse(wheel.name), CacheLayout(tmp_path / "cache"))
    fifo = tmp_path / "pause.fifo"
    os.mkfifo(fifo)
    env = {**os.environ, "PUV_TEST_PAUSE_AFTER_FILES": f"300:{fifo}"}
    version = "{}.{}".format(*venv.layout.python_version)
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _INSTALL_SCRIPT,
            str(unpacked.path),
            str(venv.root),
            version,
            wheel.name,
        ],
        env=env,
    )
    with open(fifo) as pipe:
        assert pipe.read() == "paused\n"
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    return unpacked.path


def test_kill_mid_install_then_reinstall_repairs(tmp_path: Path) -> None:
    """E1: the interrupted install is visibly incomplete; installing again leaves a correct env."""
    wheel = many_files_wheel(tmp_path / "wheels")
    venv = make_venv(tmp_path / "venv")
    kill_mid_install(tmp_path, venv, wheel)
    (dist,) = scan_site_packages([venv.site_packages])
    assert dist.name == "big" and not dist.complete  # no RECORD: never trusted
    installed_modules = list((venv.site_packages / "big").rglob("*.py"))
    assert 0 < len(installed_modules) < 600

    install(wheel, venv, tmp_path / "cache")
    reference = make_venv(tmp_path / "reference")
    install(wheel, reference, tmp_path / "cache")
    assert normalized(venv.root) == normalized(reference.root)
    (dist,) = scan_site_packages([venv.site_packages])
    assert dist.complete
    strays = [p for p in snapshot(venv.root) if ".puv-tmp" in p]
    assert strays == []


def test_kill_mid_install_then_clean(tmp_path: Path) -> None:
    """An interrupted install can also be removed without RECORD, from the cached wheel."""
    wheel = many_files_wheel(tmp_path / "wheels")
    venv = make_venv(tmp_path / "venv")
    before = snapshot(venv.root)
    unpacked = kill_mid_install(tmp_path, venv, wheel)
    (dist,) = scan_site_packages([venv.site_packages])
    paths = planned_paths(unpacked, WheelFilename.parse(wheel.name), venv.layout)
    remove_files(dist.path, paths, venv.layout.scheme, "big==1.0")
    assert snapshot(venv.root) == before


# --- pieces ---------------------------------------------------------------------------------------


def test_format_shebang_matches_uv_vectors() -> None:
    """The cases of uv's `test_shebang`."""
    assert format_shebang("/usr/bin/python3", False) == "#!/usr/bin/python3"
    assert format_shebang("/usr/bin/path to python3", False) == (
        "#!/bin/sh\n'''exec' '/usr/bin/path to python3' \"$0\" \"$@\"\n' '''"
    )
    assert format_shebang("python3", True) == (
        "#!/bin/sh\n'''exec' \"$(dirname -- \"$(realpath -- \"$0\")\")\"/'python3' \"$0\" \"$@\"\n' '''"
    )
    assert format_shebang("/usr/bin/'python3'", False) == "#!/usr/bin/'python3'"
    long = "/usr/bin/path/to/a/very/long/executable/" + "executable/" * 7 + "name/python3"
    assert format_shebang(long, False) == f"#!/bin/sh\n'''exec' '{long}' \"$0\" \"$@\"\n' '''"
    assert format_shebang("/it's/python", False) == "#!/it's/python"
    assert format_shebang("/it's here/python", False) == (
        "#!/bin/sh\n'''exec' '/it'\"'\"'s here/python' \"$0\" \"$@\"\n' '''"
    )


def test_entry_points_parsing() -> None:
    text = (
        "[console_scripts]\nCamel = a.b:c.d [x, y]\npip3.9 = p:m\npip3 = p:m\n"
        "[gui_scripts]\ng=m:f\n[other]\nignored = x:y\n"
    )
    scripts = parse_entry_points(text, python_minor=12)
    assert [(s.name, s.module, s.function, s.gui) for s in scripts] == [
        ("Camel", "a.b", "c.d", False),
        ("pip3", "p", "m", False),
        ("pip3.12", "p", "m", False),
        ("g", "m", "f", True),
    ]
    with pytest.raises(PuvError) as err:
        parse_entry_points("[console_scripts]\nx = not valid\n", 12)
    assert err.value.message == "The wheel is invalid: invalid console script: 'not valid'"
    with pytest.raises(PuvError):
        parse_entry_points("[console_scripts\n", 12)


def test_layout_from_probed_interpreter(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    layout = Layout.from_interpreter(probe_interpreter(venv.python, None))
    assert layout == venv.layout


def test_scan_site_packages(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "Foo_Bar-1.0.dist-info").mkdir(parents=True)
    (site / "Foo_Bar-1.0.dist-info" / "RECORD").write_text("")
    (site / "Foo_Bar-1.0.dist-info" / "REQUESTED").write_text("")
    (site / "Foo_Bar-1.0.dist-info" / "INSTALLER").write_text("pip\n")
    editable = site / "ed-0.1.dist-info"
    editable.mkdir()
    (editable / "direct_url.json").write_text(
        json.dumps({"url": "file:///src/ed", "dir_info": {"editable": True}})
    )
    (site / "old-2.0-py3.11.egg-info").mkdir()
    (site / "legacy.egg-info").write_text("Metadata-Version: 1.0\nName: legacy\nVersion: 3.0\n")
    (site / "~ip-1.0.dist-info").mkdir()  # pip's leftover
    (site / "notes.txt").write_text("")
    dists = scan_site_packages([site, site])
    assert [(d.name, d.version, d.kind, d.complete) for d in dists] == [
        ("ed", "0.1", "dist-info", False),
        ("foo-bar", "1.0", "dist-info", True),
        ("legacy", "3.0", "egg-info", True),
        ("old", "2.0", "egg-info", True),
    ]
    assert dists[0].editable and dists[0].url == "file:///src/ed"
    assert dists[1].requested and dists[1].installer == "pip"
    assert scan_site_packages([tmp_path / "missing"]) == []


@pytest.mark.parametrize("version", ["3.8.18", "3.12.1"])
def test_bytecode_compiled_by_the_target_interpreter(version: str, tmp_path: Path) -> None:
    python = PYENV / version / "bin" / "python3"
    if not python.exists():
        pytest.skip(f"Python {version} is not installed")
    venv = make_venv(tmp_path / "venv", python)
    wheel = write_wheel(
        tmp_path,
        {"comp/__init__.py": "X = 1\n", "comp/broken.py": "def (:\n", "comp/sub/m.py": "Y = 2\n"},
        name="comp",
    )
    install(wheel, venv, tmp_path / "cache")
    count = compile_tree([venv.site_packages, venv.site_packages], venv.python, workers=2)
    assert count >= 3
    tag = f"cpython-3{version.split('.')[1]}"
    assert (venv.site_packages / "comp" / "__pycache__" / f"__init__.{tag}.pyc").is_file()
    assert (venv.site_packages / "comp" / "sub" / "__pycache__" / f"m.{tag}.pyc").is_file()
    assert not list((venv.site_packages / "comp" / "__pycache__").glob("broken.*"))


def test_bytecode_reports_a_broken_interpreter(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("X = 1\n")
    with pytest.raises(PuvError) as err:
        compile_tree([tmp_path], Path("/bin/false"))
    assert err.value.message == "Failed to bytecode-compile Python file(s)"


_HOLD_LOCK = """
import sys
from pathlib import Path
from puv.install.env_lock import lock_environment
with lock_environment(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_environment_lock_waits_then_times_out(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    venv.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(venv)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    with pytest.raises(LockTimeout) as err:
        lock_environment(venv, timeout=0, resource=".venv")
    assert err.value.message == (
        f"Timeout (0s) when waiting for lock on `.venv` at `{venv / '.lock'}`, is another puv "
        "process running? You can set `UV_LOCK_TIMEOUT` to increase the timeout."
    )
    os.kill(holder.pid, signal.SIGKILL)  # a dead holder's flock is gone at once
    holder.wait()
    with lock_environment(venv, timeout=0):
        assert (venv / ".lock").exists()


def test_uv_and_puv_share_the_environment_lock(tmp_path: Path) -> None:
    """While puv holds `<venv>/.lock`, uv contends for the very same lock.

    (uv 0.13 gives up on the environment lock after `UV_LOCK_TIMEOUT` and proceeds with a
    warning, so the test looks for its wait and its timeout rather than for a failure.)
    """
    venv = make_venv(tmp_path / "venv")
    write_wheel(tmp_path / "wheels", {"evil/__init__.py": ""}, name="evil")
    with lock_environment(venv.root, timeout=0):
        result = run_uv(
            ["pip", "install", "-v", "--python", str(venv.python), "--no-index",
             "--find-links", str(tmp_path / "wheels"), "evil"],
            tmp_path / "uv-cache", extra_env={"UV_LOCK_TIMEOUT": "0"},
        )  # fmt: skip
    assert f"Waiting to acquire exclusive lock for `{venv.root}`" in result.stderr
    assert (
        "Failed to acquire environment lock: Timeout (0s) when waiting for lock on "
        f"`{venv.root}` at `{venv.root / '.lock'}`" in result.stderr
    )


@pytest.mark.parametrize("version", [None, "3.8.18"])
def test_wheelmaker_sdists_build_offline(version: str | None, tmp_path: Path) -> None:
    """`tests.wheelmaker.write_sdist` makes sdists that real frontends build with no network."""
    python = None if version is None else PYENV / version / "bin" / "python3"
    if python is not None and not python.exists():
        pytest.skip(f"Python {version} is not installed")
    sdist = write_sdist(tmp_path, {"sd/__init__.py": "X = 1\n"}, name="sd", dependencies=["six"])
    venv = make_venv(tmp_path / "venv", python)
    run_uv(
        ["pip", "install", "--no-deps", "--python", str(venv.python), str(sdist)],
        tmp_path / "uv-cache",
    )
    (dist,) = scan_site_packages([venv.site_packages])
    assert (dist.name, dist.version) == ("sd", "0.1")
    assert "Requires-Dist: six" in (dist.path / "METADATA").read_text()


def test_vanished_cache_entry_is_a_clean_error(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    with pytest.raises(PuvError) as err:
        install_wheel(
            tmp_path / "gone",
            WheelFilename.parse("gone-1.0-py3-none-any.whl"),
            venv.layout,
            Linker(),
        )
    assert err.value.message == "Failed to install: gone-1.0-py3-none-any.whl (gone==1.0)"
    assert "No such file or directory" in err.value.causes[0]
