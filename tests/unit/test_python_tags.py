"""Wheel tags computed from probed facts equal `packaging.tags.sys_tags()` run inside the target."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import packaging
import pytest
from packaging.tags import Tag, sys_tags

from puv.python.interpreter import Interpreter
from puv.python.probe import probe_interpreter
from puv.python.tags import interpreter_tags, platform_tags

PACKAGING_PARENT = str(Path(packaging.__file__).parent.parent)
PYENV_VERSIONS = Path.home() / ".pyenv" / "versions"
LINUX = Interpreter(
    path=Path("/usr/bin/python3.12"),
    sys_executable=Path("/usr/bin/python3.12"),
    base_executable=Path("/usr/bin/python3.12"),
    implementation="cpython",
    version="3.12.1",
    version_info=(3, 12, 1, "final", 0),
    prefix=Path("/usr"),
    base_prefix=Path("/usr"),
    base_exec_prefix=Path("/usr"),
    pointer_size=64,
    gil_disabled=False,
    platform_tag="linux-x86_64",
    os="linux",
    arch="x86_64",
    libc="gnu",
    libc_version=(2, 17),
    manylinux_compatible=True,
    ext_suffix=".cpython-312-x86_64-linux-gnu.so",
)


def test_running_interpreter_matches_sys_tags() -> None:
    interpreter = probe_interpreter(Path(sys.executable), None)
    assert interpreter_tags(interpreter) == list(sys_tags())


@pytest.mark.parametrize("version", ["3.9.18", "3.10.13", "3.12.1", "3.13.0"])
def test_other_interpreters_match_their_own_sys_tags(version: str) -> None:
    """Run this `packaging` inside the target interpreter and compare with the facts-based list."""
    minor = ".".join(version.split(".")[:2])
    executable = PYENV_VERSIONS / version / "bin" / f"python{minor}"
    if not executable.exists():
        pytest.skip(f"pyenv Python {version} is not installed")
    script = (
        f"import sys, json; sys.path.insert(0, {PACKAGING_PARENT!r}); "
        "from packaging.tags import sys_tags; print(json.dumps([str(t) for t in sys_tags()]))"
    )
    result = subprocess.run([str(executable), "-I", "-c", script], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"this packaging does not import on Python {version}")
    expected = json.loads(result.stdout)
    tags = interpreter_tags(probe_interpreter(executable, None))
    assert [str(tag) for tag in tags] == expected


def test_manylinux_down_to_2_5_with_legacy_aliases() -> None:
    platforms = list(platform_tags(LINUX))
    assert platforms[0] == "linux_x86_64"
    assert platforms[1:4] == [
        "manylinux_2_17_x86_64",
        "manylinux2014_x86_64",
        "manylinux_2_16_x86_64",
    ]
    assert platforms[-2:] == ["manylinux_2_5_x86_64", "manylinux1_x86_64"]
    assert "manylinux2010_x86_64" in platforms
    aarch64 = LINUX._replace(arch="aarch64", platform_tag="linux-aarch64")
    assert list(platform_tags(aarch64))[-2:] == ["manylinux_2_17_aarch64", "manylinux2014_aarch64"]


def test_manylinux_is_withheld_when_incompatible() -> None:
    assert list(platform_tags(LINUX._replace(manylinux_compatible=False))) == ["linux_x86_64"]


def test_musllinux() -> None:
    musl = LINUX._replace(libc="musl", libc_version=(1, 2))
    assert list(platform_tags(musl)) == [
        "linux_x86_64", "musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64",
    ]  # fmt: skip


def test_armv8l_also_accepts_armv7l() -> None:
    arm = LINUX._replace(arch="armv8l", platform_tag="linux-armv8l", libc_version=(2, 17))
    platforms = list(platform_tags(arm))
    assert platforms[:2] == ["linux_armv8l", "linux_armv7l"]
    assert "manylinux_2_17_armv7l" in platforms


def test_macos_and_windows_platforms() -> None:
    mac = LINUX._replace(
        os="macos",
        arch="arm64",
        macos_version=(14, 2),
        libc="none",
        platform_tag="macosx-11.0-arm64",
    )
    platforms = list(platform_tags(mac))
    assert platforms[:3] == ["macosx_14_0_arm64", "macosx_14_0_universal2", "macosx_13_0_arm64"]
    assert platforms[-1] == "macosx_10_4_universal2"
    windows = LINUX._replace(os="windows", platform_tag="win-amd64", libc="none")
    assert list(platform_tags(windows)) == ["win_amd64"]


def test_free_threaded_and_debug_abis() -> None:
    free = LINUX._replace(version="3.13.0", version_info=(3, 13, 0, "final", 0), gil_disabled=True)
    tags = interpreter_tags(free)
    assert tags[0] == Tag("cp313", "cp313t", "linux_x86_64")
    assert not any(tag.abi == "abi3" for tag in tags)
    debug = LINUX._replace(debug_enabled=True)
    abis = list(dict.fromkeys(tag.abi for tag in interpreter_tags(debug)))
    assert abis[:3] == ["cp312d", "cp312", "abi3"]


def test_pypy_uses_its_soabi_and_pp3() -> None:
    pypy = LINUX._replace(
        implementation="pypy",
        version="3.10.14",
        version_info=(3, 10, 14, "final", 0),
        ext_suffix=".pypy310-pp73-x86_64-linux-gnu.so",
    )
    tags = interpreter_tags(pypy)
    assert tags[0] == Tag("pp310", "pypy310_pp73", "linux_x86_64")
    assert Tag("pp3", "none", "any") in tags
    assert tags[-1] == Tag("py30", "none", "any")
