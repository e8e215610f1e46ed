"""What puv knows about one interpreter: the facts its probe reported, as a frozen value.

The probe (`python/probe.py`) runs a stdlib-only script inside the interpreter (any CPython or PyPy
3.8+) and returns these facts; they are cached on disk keyed by (path, mtime, size).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

_NO_ENTRIES: Mapping[str, str] = MappingProxyType({})


class Interpreter(NamedTuple):
    """Facts about one Python interpreter, as reported by running the probe inside it.

    A named tuple, as are all values on the start-up path (DESIGN.md §4): importing `dataclasses`
    costs ~9 ms (it pulls `inspect`), defining each dataclass ~0.6 ms, a named tuple ~0.1 ms.
    Change a copy with `_replace`.
    """

    path: Path  # the executable as found (may be a symlink or a shim)
    sys_executable: Path  # `sys.executable` as the interpreter reports it
    base_executable: Path  # the executable of the base (non-venv) installation
    implementation: str  # "cpython" | "pypy" | "graalpy"
    version: str  # "3.12.1", "3.13.0rc2" (PEP 440 form of sys.version_info)
    version_info: tuple[int, int, int, str, int]  # sys.version_info
    prefix: Path
    base_prefix: Path
    base_exec_prefix: Path
    pointer_size: int  # 32 | 64
    gil_disabled: bool  # free-threaded build (3.13t+)
    markers: Mapping[str, str] = _NO_ENTRIES  # PEP 508 marker environment
    sysconfig_paths: Mapping[str, str] = _NO_ENTRIES  # scheme paths of this prefix
    platform_tag: str = ""  # sysconfig.get_platform(), e.g. "linux-x86_64"
    os: str = ""  # "linux" | "macos" | "windows"
    arch: str = ""  # "x86_64" | "aarch64" | ...
    libc: str = "none"  # "gnu" | "musl" | "none"
    libc_version: tuple[int, int] | None = None  # glibc or musl (major, minor)
    soabi: str | None = None  # sysconfig SOABI
    abiflags: str = ""
    stdlib: str = ""  # sysconfig "stdlib" path of the base install
    debug_enabled: bool = False  # a debug build (`Py_DEBUG`): the `d` ABI flag
    manylinux_compatible: bool = False  # glibc Linux where manylinux wheels may be used
    macos_version: tuple[int, int] | None = None  # `platform.mac_ver()` (major, minor)
    ext_suffix: str = ""  # sysconfig EXT_SUFFIX, e.g. ".cpython-312-x86_64-linux-gnu.so"
    # install paths of a virtual environment made from this interpreter, relative to the venv root
    # (purelib, platlib, scripts, data, include)
    venv_paths: Mapping[str, str] = _NO_ENTRIES

    @property
    def major_minor(self) -> tuple[int, int]:
        """(3, 12)."""
        return self.version_info[0], self.version_info[1]

    @property
    def is_virtualenv(self) -> bool:
        """Whether this interpreter runs inside a virtual environment."""
        return self.prefix != self.base_prefix

    @property
    def variant(self) -> str:
        """uv's variant name: `default`, `freethreaded`, `debug` or `freethreaded+debug`."""
        if self.gil_disabled:
            return "freethreaded+debug" if self.debug_enabled else "freethreaded"
        return "debug" if self.debug_enabled else "default"

    @property
    def key(self) -> str:
        """uv's key: `cpython-3.12.1-linux-x86_64-gnu` (`+freethreaded` for a free-threaded build)."""
        variant = "" if self.variant == "default" else f"+{self.variant}"
        return f"{self.implementation}-{self.version}{variant}-{self.os}-{self.arch}-{self.libc}"

    @property
    def display_name(self) -> str:
        """`CPython 3.12.1` as uv prints it."""
        name = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}.get(
            self.implementation, self.implementation
        )
        return f"{name} {self.version}"
