"""The wheel tags an interpreter accepts, best first, computed from its probed facts.

This is `packaging.tags.sys_tags()` for a *target* interpreter: the same building blocks
(`cpython_tags`, `generic_tags`, `compatible_tags`, `mac_platforms`) called with explicit
arguments, plus the Linux platform list (manylinux/musllinux) derived from the probed libc.
The order follows the installed `packaging` (26.x: native `linux_*` before `manylinux_*`).
"""

from __future__ import annotations

from collections.abc import Iterator

from packaging.tags import (
    INTERPRETER_SHORT_NAMES,
    Tag,
    compatible_tags,
    cpython_tags,
    generic_tags,
    mac_platforms,
)

from puv.python.interpreter import Interpreter

_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
_LAST_GLIBC_MINOR = 50  # for glibc majors older than the running one (none exist yet)


def interpreter_tags(interpreter: Interpreter) -> list[Tag]:
    """Every tag `interpreter` can install, most preferred first."""
    platforms = list(platform_tags(interpreter))
    version = interpreter.major_minor
    nodot = f"{version[0]}{version[1]}"
    short = INTERPRETER_SHORT_NAMES.get(interpreter.implementation, interpreter.implementation)
    if short == "cp":
        tags = list(cpython_tags(version, _cpython_abis(interpreter), platforms))
        compatible_interpreter: str | None = f"cp{nodot}"
    else:
        tags = list(generic_tags(f"{short}{nodot}", _generic_abis(interpreter), platforms))
        compatible_interpreter = "pp3" if short == "pp" else None
    tags.extend(compatible_tags(version, compatible_interpreter, platforms))
    return tags


def platform_tags(interpreter: Interpreter) -> Iterator[str]:
    """The platform tags of the interpreter's OS, architecture and libc, best first."""
    if interpreter.os == "macos" and interpreter.macos_version is not None:
        yield from mac_platforms(interpreter.macos_version, interpreter.arch)
    elif interpreter.os == "linux":
        yield from _linux_platforms(interpreter)
    else:
        yield _normalize(interpreter.platform_tag)


def _linux_platforms(interpreter: Interpreter) -> Iterator[str]:
    archs = ["armv8l", "armv7l"] if interpreter.arch == "armv8l" else [interpreter.arch]
    for arch in archs:
        yield f"linux_{arch}"
    version = interpreter.libc_version
    if version is None:
        return
    if interpreter.libc == "gnu" and interpreter.manylinux_compatible:
        yield from _manylinux_platforms(archs, version)
    elif interpreter.libc == "musl":
        for arch in archs:
            for minor in range(version[1], -1, -1):
                yield f"musllinux_{version[0]}_{minor}_{arch}"


def _manylinux_platforms(archs: list[str], glibc: tuple[int, int]) -> Iterator[str]:
    """`manylinux_2_N_arch` from the glibc version down to 2.5 (2.17 off x86), with legacy aliases."""
    too_old = (2, 4) if set(archs) & {"x86_64", "i686"} else (2, 16)
    maxima = [glibc] + [(major, _LAST_GLIBC_MINOR) for major in range(glibc[0] - 1, 1, -1)]
    for arch in archs:
        for major, top_minor in maxima:
            lowest = too_old[1] if major == too_old[0] else -1
            for minor in range(top_minor, lowest, -1):
                yield f"manylinux_{major}_{minor}_{arch}"
                legacy = _LEGACY_MANYLINUX.get((major, minor))
                if legacy:
                    yield f"{legacy}_{arch}"


def _cpython_abis(interpreter: Interpreter) -> list[str]:
    """`cp312`, `cp313t`, `cp312d` (+ `cp312` for a debug build), as `packaging` derives them."""
    version = interpreter.major_minor
    nodot = f"{version[0]}{version[1]}"
    if version < (3, 8):
        return [f"cp{nodot}{interpreter.abiflags}"]
    threading = "t" if version >= (3, 13) and interpreter.gil_disabled else ""
    if interpreter.debug_enabled:
        return [f"cp{nodot}{threading}d", f"cp{nodot}{threading}"]
    return [f"cp{nodot}{threading}"]


def _generic_abis(interpreter: Interpreter) -> list[str]:
    """The ABI tag of a non-CPython interpreter from its `EXT_SUFFIX` (`pypy310_pp73`)."""
    parts = interpreter.ext_suffix.split(".")
    if len(parts) < 3:
        return _cpython_abis(interpreter)
    soabi = parts[1]
    if soabi.startswith("cpython"):
        abi = "cp" + soabi.split("-")[1]
    elif soabi.startswith("cp"):
        abi = soabi.split("-")[0]
    elif soabi.startswith("pypy"):
        abi = "-".join(soabi.split("-")[:2])
    elif soabi.startswith("graalpy"):
        abi = "-".join(soabi.split("-")[:3])
    elif soabi:
        abi = soabi
    else:
        return []
    return [_normalize(abi)]


def _normalize(text: str) -> str:
    return text.replace(".", "_").replace("-", "_").replace(" ", "_")
