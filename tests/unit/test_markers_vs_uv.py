"""Differential test: puv's canonical marker text equals what the real uv prints.

Every case is a `Requires-Dist`-style marker on a dependency of its own, so nothing forks on it.
uv prints the markers in three places, each checked here:

- `uv pip compile --universal` (the `; marker` after each pin), simplified against the
  requires-python implied by `--python-version` (3.6, the lowest uv accepts, and 3.11);
- `uv.lock` `[package.metadata] requires-dist`, canonical but not simplified (extras included);
- `uv.lock` `dependencies`, simplified against a bounded `requires-python`.

A marker that is false under requires-python makes uv drop the dependency; a true one is printed
without a marker. All of uv's state lives in temporary directories.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from puv.core.markers import Marker
from tests.wheelmaker import write_wheel

UV = Path(sys.executable).with_name("uv")
pytestmark = pytest.mark.skipif(not UV.exists(), reason="the reference uv binary is not installed")

COMPILE_FLOORS = ["3.6", "3.11"]
LOCK_REQUIRES_PYTHON = ">=3.9, <3.13"
DROPPED = "<dropped>"

CASES = [
    "python_version < '3.12'",
    "python_version >= '3.8'",
    "sys_platform == 'linux' and python_version >= '3.12'",
    "os_name >= 'a'",
    "os_name > 'a'",
    "python_version == '3.*'",
    "python_version ~= '3.0'",
    "platform_system == 'Windows'",
    "platform_system != 'Darwin'",
    "python_full_version ~= '3.10'",
    "python_version ~= '3.10'",
    "python_full_version == '3.10.*' or python_full_version == '3.11.*'",
    "python_full_version >= '3.13.0b1'",
    "python_full_version > '3.8'",
    "python_version > '3.8'",
    "python_version > '3.8.1'",
    "python_version <= '3.8'",
    "python_full_version <= '3.8'",
    "python_full_version in '3.8.1 3.8.2'",
    "implementation_version in '3.9 3.11'",
    "python_version in '3.9 3.11'",
    "python_version not in '3.9 3.11'",
    "platform_machine == 'x86_64' and sys_platform == 'linux'",
    "platform_machine == 'x86_64' or platform_machine == 'aarch64'",
    "platform_machine != 'x86_64' and platform_machine != 'aarch64'",
    "sys_platform == 'win32' or sys_platform == 'darwin'",
    "implementation_name == 'cpython' and python_version < '3.11'",
    "implementation_name != 'pypy'",
    "os_name != 'nt'",
    "os_name == 'nt' and sys_platform == 'linux'",
    "os_name == 'nt' and sys_platform == 'win32'",
    "os_name != 'nt' or sys_platform != 'linux'",
    "'linux' in sys_platform",
    "sys_platform in 'linux win32'",
    "'x86' not in platform_machine",
    "platform_python_implementation == 'CPython' and platform_machine == 'arm64'",
    "python_version >= '3.8' and python_version < '3.11'",
    "python_version < '3.8' or python_version >= '3.11'",
    "python_version != '3.9'",
    "python_version == '3.9' or python_version == '3.10'",
    "(python_version < '3.9' and sys_platform == 'linux') or python_version >= '3.9'",
    "(sys_platform == 'linux' and platform_machine == 'x86_64') or (sys_platform == 'darwin' and platform_machine == 'arm64')",
    "(sys_platform == 'linux' or sys_platform == 'darwin') and python_version >= '3.10'",
    "sys_platform == 'linux' and (python_version < '3.9' or python_version >= '3.12')",
    "python_version < '3.10' and python_version >= '3.10'",
    "sys_platform == 'win32' or sys_platform != 'win32'",
    "python_full_version >= '3.8.1' and python_full_version < '3.9'",
    "python_full_version > '3.8.1'",
    "python_full_version != '3.8.1'",
    "python_full_version == '3.9.2'",
    "platform_release >= '5.0'",
    "platform_version < '10'",
    "platform_release > '5.0' and platform_release < '6.0'",
    "implementation_version >= '3.9' and implementation_name == 'cpython'",
    "python_version ~= '3.9.0'",
    "python_full_version ~= '3.9.2'",
    "python_version >= '3.9' and platform_system == 'Linux' and platform_machine == 'x86_64'",
    "platform_system == 'FreeBSD'",
    "platform_system == 'FreeBSD' and sys_platform == 'linux'",
    "platform_system == 'iOS' and sys_platform == 'ios'",
    "os_name == 'posix' and sys_platform == 'win32'",
    "os_name == 'posix' or sys_platform == 'win32'",
    "'3.8' >= python_version",
    "'linux' == sys_platform",
    "python_version < '3.5'",
    "python_version >= '3.5'",
    "python_version < '3.7'",
    "python_version >= '3.6' and python_version < '3.7'",
    "python_full_version < '3.6.2'",
    "(implementation_name == 'pypy' and sys_platform != 'win32') or (implementation_name != 'pypy' and sys_platform == 'win32') or (sys_platform == 'win32' and os_name != 'nt') or (sys_platform != 'win32' and os_name == 'nt')",
    "(os_name == 'Linux' and platform_system == 'win32') or (os_name == 'Linux' and platform_system == 'win32' and sys_platform == 'a') or (os_name == 'Linux' and platform_system == 'win32' and sys_platform == 'x') or (os_name != 'Linux' and platform_system == 'win32' and sys_platform == 'x') or (os_name == 'Linux' and platform_system != 'win32' and sys_platform == 'x') or (os_name != 'Linux' and platform_system != 'win32' and sys_platform == 'x')",
    "(os_name == 'Linux' and sys_platform == 'win32') or (os_name != 'Linux' and sys_platform == 'win32' and python_version == '3.7') or (os_name != 'Linux' and sys_platform == 'win32' and python_version == '3.8')",
    "(os_name == 'nt' and sys_platform == 'win32') or (os_name != 'nt' and platform_version == '1' and (sys_platform == 'win32' or sys_platform == 'win64'))",
    "os_name ~= 'wat'",
    "python_version == 'Linux'",
    "sys_platform == 'linux' or os_name ~= 'x'",
    "platform_machine == 'x86_64' and python_version < '3.10' and python_version >= '3.8' and sys_platform != 'win32'",
    "python_version >= '3.9' and python_version < '3.12' and (sys_platform == 'linux' or sys_platform == 'darwin')",
    "(python_version < '3.10' or python_version >= '3.12') and platform_machine == 'x86_64'",
    "(platform_machine == 'x86_64' or platform_machine == 'AMD64') and (sys_platform == 'win32' or sys_platform == 'linux')",
    "sys_platform == 'linux' and platform_machine == 'aarch64' or sys_platform == 'darwin' and platform_machine == 'arm64'",
    "implementation_name == 'cpython' and (python_version < '3.10' or sys_platform != 'win32')",
    "implementation_name == 'pypy' or platform_python_implementation == 'PyPy'",
    "os_name == 'nt' or os_name == 'posix'",
    "os_name != 'nt' and sys_platform != 'win32'",
    "os_name == 'nt' and platform_machine == 'x86_64'",
    "sys_platform != 'darwin' and sys_platform != 'linux' and sys_platform != 'win32'",
    "platform_system != 'Windows' and platform_system != 'Darwin'",
    "platform_system == 'Linux' and platform_machine == 'x86_64' and python_version >= '3.11'",
    "os.name == 'posix' and sys.platform == 'linux'",
    "platform.machine == 'x86_64' and python_implementation == 'CPython'",
    "python_version == '3.9' or python_version == '3.11' or python_version == '3.13'",
    "python_version in '3.9 3.10 3.11'",
    "python_version not in '3.10'",
    "python_full_version in '3.9.1 3.10.2'",
    "python_full_version not in '3.9.1'",
    "implementation_version >= '3.9' and implementation_version < '3.10'",
    "python_version ~= '3.9' and sys_platform == 'win32'",
    "python_full_version ~= '3.9.1' or python_full_version >= '3.12'",
    "python_version == '3.*' and os_name != 'nt'",
    "python_full_version == '3.10.*' and sys_platform == 'linux' or python_full_version == '3.11.*' and sys_platform == 'darwin'",
    "python_full_version != '3.10.*' and python_full_version != '3.11.*'",
    "python_full_version >= '3.9.2' and python_full_version < '3.9.7'",
    "python_full_version > '3.10.4' or python_full_version <= '3.9.1'",
    "python_full_version == '3.11.2' or python_full_version == '3.11.4'",
    "python_full_version != '3.11.2' and python_full_version != '3.11.4'",
    "'cpython' == implementation_name and '3.10' <= python_version",
    "'linux' != sys_platform",
    "'arm' in platform_machine",
    "'arm' not in platform_machine and sys_platform == 'darwin'",
    "platform_machine in 'x86_64 AMD64'",
    "platform_machine not in 'i386 i686'",
    "'Ubuntu' in platform_version",
    "platform_version >= '10' and platform_version < '11'",
    "platform_release >= '20.0' and sys_platform == 'darwin'",
    "platform_release < '21' and sys_platform == 'darwin'",
    "platform_release >= '5.10' and sys_platform == 'linux'",
    "platform_release == '23.1.0'",
    "platform_release != '23.1.0' and sys_platform == 'darwin'",
    "platform_release == 'abc-generic'",
    'platform_version == "vendor\'s"',
    "sys_platform == 'win32' and (python_version < '3.9' or python_version > '3.11')",
    "(sys_platform == 'win32' and python_version < '3.11') or (sys_platform == 'linux' and python_version < '3.11') or (sys_platform == 'darwin' and python_version < '3.11')",
    "(sys_platform == 'win32' and platform_machine == 'x86_64') or (sys_platform == 'win32' and platform_machine == 'arm64') or (sys_platform == 'linux' and platform_machine == 'x86_64') or (sys_platform == 'linux' and platform_machine == 'arm64')",
    "(python_version < '3.11' and sys_platform == 'win32') or (python_version >= '3.11' and sys_platform == 'linux')",
    "python_version < '3.11' and sys_platform == 'win32' or python_version >= '3.11' and sys_platform == 'win32'",
    "(implementation_name == 'cpython' and sys_platform == 'win32') or (implementation_name == 'cpython' and sys_platform == 'linux') or (implementation_name == 'pypy' and sys_platform == 'linux')",
    "(os_name == 'nt' and sys_platform == 'win32') or (os_name == 'posix' and sys_platform == 'linux')",
    "(os_name == 'nt' or sys_platform == 'linux') and python_version >= '3.10'",
    "os_name == 'nt' and (sys_platform == 'linux' or python_version >= '3.13')",
    "platform_system == 'FreeBSD' or sys_platform == 'linux'",
    "platform_system == 'FreeBSD' and sys_platform != 'linux'",
    "platform_system == 'OpenBSD' and os_name == 'posix'",
    "platform_system == 'iOS' and (sys_platform == 'ios' or sys_platform == 'darwin')",
    "sys_platform == 'emscripten' or sys_platform == 'wasi'",
    "sys_platform == 'linux' and sys_platform == 'win32'",
    "sys_platform == 'linux' or sys_platform != 'linux' and python_version < '3.8'",
    "python_version >= '3.6' or sys_platform == 'linux'",
    "python_version < '3.6' and sys_platform == 'linux'",
    "(python_version >= '3.8' and python_version < '3.9') or (python_version >= '3.10' and python_version < '3.11') or (python_version >= '3.12' and python_version < '3.13')",
    "python_version > '3.7' and python_version <= '3.10' and platform_python_implementation != 'PyPy'",
    "python_full_version >= '3.8' and python_full_version != '3.9.0' and python_full_version < '3.11'",
    "(platform_machine == 'x86_64' and python_version < '3.12') or (platform_machine != 'x86_64' and python_version < '3.11')",
    "(sys_platform == 'darwin' and platform_machine == 'arm64') or (sys_platform == 'linux' and platform_machine == 'aarch64') or (sys_platform == 'win32' and platform_machine == 'ARM64')",
    "(implementation_name != 'cpython' or python_version < '3.12') and os_name == 'posix'",
    "python_version < '3.8' or (python_version >= '3.10' and sys_platform == 'darwin')",
    "sys_platform == 'cygwin' and os_name == 'posix' and python_version >= '3.9'",
    "python_version >= '3.8.1' and python_version < '3.11.0'",
    "python_version == '3.10.0' or python_version == '3.8.5'",
    "python_version != '3.9.1'",
    "python_version <= '3.10.4'",
    "python_version ~= '3.10.1'",
    "python_full_version ~= '3.9'",
    "python_full_version >= '3.9' and python_full_version < '3.9.1'",
    "platform_machine == 'x86_64' and platform_machine != 'x86_64'",
    "platform_machine >= 'x86_64' and sys_platform <= 'linux'",
    "implementation_name > 'cpython'",
    "(platform_machine == 'ppc64le' or platform_machine == 's390x' or platform_machine == 'riscv64') and sys_platform == 'linux' and python_version >= '3.10'",
    "python_version >= '3.10' and (platform_machine == 'AMD64' or platform_machine == 'WIN32' or platform_machine == 'aarch64' or platform_machine == 'amd64' or platform_machine == 'ppc64le' or platform_machine == 'win32' or platform_machine == 'x86_64')",
]


def _nested_cases(count: int) -> list[str]:
    """Seeded random `and`/`or` nests of common atoms (exercise uv's cover extraction)."""
    atoms = [
        "python_version < '3.9'", "python_version >= '3.10'", "python_full_version >= '3.11.2'",
        "python_version == '3.12'", "sys_platform == 'linux'", "sys_platform == 'win32'",
        "sys_platform == 'darwin'", "sys_platform != 'cygwin'", "platform_machine == 'x86_64'",
        "platform_machine == 'aarch64'", "os_name == 'nt'", "os_name == 'posix'",
        "implementation_name == 'cpython'", "platform_python_implementation != 'PyPy'",
        "platform_system == 'FreeBSD'", "'arm' in platform_machine", "platform_release >= '22'",
    ]  # fmt: skip
    generator = random.Random(7)

    def nest(depth: int) -> str:
        if depth == 0 or generator.random() < 0.25:
            return generator.choice(atoms)
        operator = generator.choice(["and", "or"])
        return f"({nest(depth - 1)}) {operator} ({nest(depth - 1)})"

    return [nest(3) for _ in range(count)]


NESTED_CASES = _nested_cases(25)

EXTRA_CASES = [
    "extra == 'foo'",
    "extra == 'Foo_Bar'",
    "extra != 'foo'",
    "extra == 'foo' or os_name == 'nt'",
    "(extra == 'a' or extra == 'b') and sys_platform == 'linux'",
    "python_version < '3.10' and extra == 'test'",
    "extra != 'foo' and (extra == 'bar' or extra == 'baz')",
]
#: Each group is resolved on its own (one universal resolution of many markers forks a lot):
#: name -> (cases for every surface, cases only for `requires-dist`).
GROUPS = {"written": (CASES, EXTRA_CASES), "nested": (NESTED_CASES, [])}


def _start_uv(arguments: list[str], cwd: Path) -> subprocess.Popen[str]:
    """Start uv with its cache in `cwd` and no index or configuration from the environment."""
    environment = {
        **os.environ,
        "UV_CACHE_DIR": str(cwd / "cache"),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_PROGRESS": "1",
    }
    for name in ("UV_INDEX_URL", "UV_EXTRA_INDEX_URL", "UV_FIND_LINKS", "UV_CONFIG_FILE"):
        environment.pop(name, None)
    return subprocess.Popen(
        [str(UV), *arguments],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> str:
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    return stdout


def _compile_markers(output: str) -> dict[int, str]:
    markers = {}
    for line in output.splitlines():
        pin, _, marker = line.partition(" ; ")
        markers[int(pin.split("==")[0][1:])] = marker
    return markers


def _lock_markers(lock_text: str) -> dict[str, dict[int, str]]:
    package = next(p for p in tomllib.loads(lock_text)["package"] if p["name"] == "proj")

    def markers(entries: list[dict[str, str]]) -> dict[int, str]:
        return {int(entry["name"][1:]): entry.get("marker", "") for entry in entries}

    return {
        "requires-dist": markers(package["metadata"]["requires-dist"]),
        "dependencies": markers(package.get("dependencies", [])),
    }


@pytest.fixture(scope="module")
def uv_markers(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[int, str]]:
    """What uv printed, by (group, surface): case index -> marker text.

    Each group gets one empty wheel `p<N>` per case; all uv runs go in parallel.
    """
    runs = {}
    locks = {}
    for group, (cases, lock_only) in GROUPS.items():
        wheels = tmp_path_factory.mktemp(f"wheels-{group}")
        for index in range(len(cases) + len(lock_only)):
            write_wheel(wheels, {}, name=f"p{index}", version="1.0")
        for floor in COMPILE_FLOORS:
            work = tmp_path_factory.mktemp(f"compile-{group}-{floor}")
            (work / "requirements.in").write_text(
                "".join(f"p{i} ; {case}\n" for i, case in enumerate(cases))
            )
            runs[group, f"compile-{floor}"] = _start_uv(
                ["pip", "compile", "--universal", "--no-index", "--find-links", str(wheels),
                 "--no-header", "--no-annotate", "--python-version", floor, "requirements.in"],
                work,
            )  # fmt: skip
        project = tmp_path_factory.mktemp(f"project-{group}")
        dependencies = "".join(
            f"    {json.dumps(f'p{i} ; {case}')},\n" for i, case in enumerate(cases + lock_only)
        )
        (project / "pyproject.toml").write_text(
            f'[project]\nname = "proj"\nversion = "0.1"\n'
            f'requires-python = "{LOCK_REQUIRES_PYTHON}"\ndependencies = [\n{dependencies}]\n'
            f"[tool.uv]\nfind-links = [{json.dumps(str(wheels))}]\nno-index = true\n"
        )
        locks[group] = (project, _start_uv(["lock"], project))
    result = {key: _compile_markers(_finish(process)) for key, process in runs.items()}
    for group, (project, process) in locks.items():
        _finish(process)
        for surface, markers in _lock_markers((project / "uv.lock").read_text()).items():
            result[group, surface] = markers
    return result


def puv_text(marker: Marker) -> str:
    """How uv shows a marker on a dependency: omitted when true, dependency dropped when false."""
    return DROPPED if marker.is_false() else str(marker)


def cases(*, lock_only: bool = False) -> list[tuple[str, int, str]]:
    """`(group, index, case)` for every case of every group (and the lock-only ones if asked)."""
    return [
        (group, index, case)
        for group, (every, only) in GROUPS.items()
        for index, case in enumerate(every + only if lock_only else every)
    ]


Outputs = dict[tuple[str, str], dict[int, str]]


@pytest.mark.parametrize("floor", COMPILE_FLOORS)
@pytest.mark.parametrize(("group", "index", "case"), cases())
def test_pip_compile_universal(
    uv_markers: Outputs, floor: str, group: str, index: int, case: str
) -> None:
    expected = uv_markers[group, f"compile-{floor}"].get(index, DROPPED)
    assert puv_text(Marker.parse(case).simplify_python(f">={floor}")) == expected


@pytest.mark.parametrize(("group", "index", "case"), cases(lock_only=True))
def test_lock_requires_dist(uv_markers: Outputs, group: str, index: int, case: str) -> None:
    assert str(Marker.parse(case)) == uv_markers[group, "requires-dist"][index]


@pytest.mark.parametrize(("group", "index", "case"), cases())
def test_lock_dependencies(uv_markers: Outputs, group: str, index: int, case: str) -> None:
    expected = uv_markers[group, "dependencies"].get(index, DROPPED)
    assert puv_text(Marker.parse(case).simplify_python(LOCK_REQUIRES_PYTHON)) == expected
