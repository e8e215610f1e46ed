"""Report facts about the interpreter running this script, as one JSON object on stdout.

Run as `python -I -B _probe_script.py`. Stdlib only, and valid on CPython/PyPy 3.8 to 3.14 (no
syntax or library calls newer than 3.8 outside version checks). Never imports puv.
"""

from __future__ import annotations

import json
import os
import platform
import re
import struct
import subprocess
import sys
import sysconfig
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations are never evaluated at run time, so 3.8 is fine
    # (is 32-bit, is little-endian, e_machine, e_flags, program interpreter)
    ElfFacts = tuple[bool, bool, int, int, str | None]

ELF_MAGIC = b"\x7fELF"
PT_INTERP = 3
EM_386 = 3
EM_ARM = 40
EF_ARM_ABIMASK = 0xFF000000
EF_ARM_ABI_VER5 = 0x05000000
EF_ARM_ABI_FLOAT_HARD = 0x00000400
MANYLINUX_ARCHS = ("x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64")


def full_version() -> str:
    """`platform.python_version()` without the `+` of local builds (not valid PEP 440)."""
    version = platform.python_version()
    return version[:-1] if version.endswith("+") else version


def implementation_version() -> str:
    """`implementation_version` as PEP 508 defines it."""
    info = sys.implementation.version
    version = f"{info.major}.{info.minor}.{info.micro}"
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version


def markers() -> dict[str, str]:
    """The PEP 508 marker environment."""
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": implementation_version(),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": full_version(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def elf_header(path: str) -> ElfFacts | None:
    """(is_32bit, is_little_endian, machine, flags, program interpreter) of an ELF file, or None."""
    try:
        with open(path, "rb") as f:
            ident = f.read(16)
            if len(ident) < 16 or ident[:4] != ELF_MAGIC:
                return None
            is_32bit = ident[4] == 1
            little = ident[5] == 1
            endian = "<" if little else ">"
            if is_32bit:
                fmt, phfmt = endian + "HHIIIIIHHHHHH", endian + "IIIIIIII"
            else:
                fmt, phfmt = endian + "HHIQQQIHHHHHH", endian + "IIQQQQQQ"
            header = struct.unpack(fmt, f.read(struct.calcsize(fmt)))
            machine, phoff, flags, phentsize, phnum = (
                header[1],
                header[4],
                header[6],
                header[8],
                header[9],
            )
            interpreter = None
            for index in range(phnum):
                f.seek(phoff + phentsize * index)
                entry = struct.unpack(phfmt, f.read(struct.calcsize(phfmt)))
                p_type = entry[0]
                p_offset, p_filesz = (entry[1], entry[5]) if is_32bit else (entry[2], entry[5])
                if p_type == PT_INTERP:
                    f.seek(p_offset)
                    interpreter = f.read(p_filesz).split(b"\0", 1)[0].decode("utf-8", "replace")
                    break
            return is_32bit, little, machine, flags, interpreter
    except (OSError, struct.error, ValueError):
        return None


def musl_version(elf: ElfFacts | None) -> list[int] | None:
    """(major, minor) of the musl loader that `sys.executable` names, or None."""
    if elf is None or not elf[4] or "musl" not in elf[4]:
        return None
    try:
        proc = subprocess.run([elf[4]], stderr=subprocess.PIPE, text=True)
    except OSError:
        return None
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    if len(lines) < 2 or not lines[0].startswith("musl"):
        return None
    match = re.match(r"Version (\d+)\.(\d+)", lines[1])
    return [int(match.group(1)), int(match.group(2))] if match else None


def glibc_version() -> list[int] | None:
    """(major, minor) of glibc from `os.confstr`, falling back to ctypes; None when not glibc."""
    text = None
    try:
        value = os.confstr("CS_GNU_LIBC_VERSION")
        if value:
            text = value.rsplit(None, 1)[-1]
    except (AttributeError, OSError, ValueError):
        text = None
    if text is None:
        try:
            import ctypes

            function = ctypes.CDLL(None).gnu_get_libc_version
            function.restype = ctypes.c_char_p
            text = function().decode("ascii")
        except (ImportError, OSError, AttributeError):
            return None
    match = re.match(r"([0-9]+)\.([0-9]+)", text)
    return [int(match.group(1)), int(match.group(2))] if match else None


def manylinux_allowed(arch: str, glibc: list[int], elf: ElfFacts | None) -> bool:
    """Whether manylinux wheels may be used: the ABI check and the `_manylinux` override."""
    if arch == "armv7l" or arch == "armv8l":
        abi_ok = (
            elf is not None
            and elf[0]
            and elf[1]
            and elf[2] == EM_ARM
            and elf[3] & EF_ARM_ABIMASK == EF_ARM_ABI_VER5
            and elf[3] & EF_ARM_ABI_FLOAT_HARD == EF_ARM_ABI_FLOAT_HARD
        )
    elif arch == "i686":
        abi_ok = elf is not None and elf[0] and elf[1] and elf[2] == EM_386
    else:
        abi_ok = arch in MANYLINUX_ARCHS
    if not abi_ok:
        return False
    try:
        module = __import__("_manylinux")
    except ImportError:
        return True
    if hasattr(module, "manylinux_compatible"):
        result = module.manylinux_compatible(glibc[0], glibc[1], arch)
        return True if result is None else bool(result)
    return True


def platform_facts() -> dict[str, Any]:
    """os, arch, libc and the versions that decide platform tags."""
    sysconfig_platform = sysconfig.get_platform()
    is_32bit = struct.calcsize("P") == 4
    facts: dict[str, Any] = {
        "platform_tag": sysconfig_platform,
        "os": sys.platform,
        "arch": platform.machine().lower(),
        "libc": "none",
        "libc_version": None,
        "macos_version": None,
        "manylinux_compatible": False,
    }
    if sysconfig_platform.startswith("linux"):
        arch = sysconfig_platform.split("-", 1)[-1]
        if is_32bit:
            arch = {"x86_64": "i686", "aarch64": "armv8l"}.get(arch, arch)
        elf = elf_header(sys.executable)
        musl = musl_version(elf)
        glibc = None if musl else glibc_version()
        facts.update(os="linux", arch=arch)
        if musl:
            facts.update(libc="musl", libc_version=musl, manylinux_compatible=True)
        elif glibc:
            facts.update(
                libc="gnu",
                libc_version=glibc,
                manylinux_compatible=manylinux_allowed(arch, glibc, elf),
            )
    elif sys.platform == "darwin":
        release, _, machine = platform.mac_ver()
        if is_32bit:
            machine = "ppc" if machine.startswith("ppc") else "i386"
        parts = (release or "0.0").split(".")
        facts.update(
            os="macos",
            arch=machine or facts["arch"],
            macos_version=[int(parts[0]), int(parts[1]) if len(parts) > 1 else 0],
        )
    elif sys.platform == "win32":
        arch = {"win32": "x86", "win-amd64": "x86_64", "win-arm64": "aarch64"}
        facts.update(os="windows", arch=arch.get(sysconfig_platform, facts["arch"]))
    return facts


def scheme_name() -> str:
    """The install scheme pip uses for this prefix."""
    preferred = getattr(sysconfig, "get_preferred_scheme", None)
    if preferred is not None:
        return preferred("prefix")
    names = sysconfig.get_scheme_names()
    for name in (
        sys.implementation.name + "_" + os.name,
        sys.implementation.name,
        os.name + "_prefix",
        os.name,
    ):
        if name in names:
            return name
    return "posix_prefix"


def install_paths() -> dict[str, str]:
    """Absolute install paths (purelib, platlib, include, scripts, data) of this prefix."""
    paths = sysconfig.get_paths(scheme=scheme_name())
    keys = ("purelib", "platlib", "include", "scripts", "data")
    result = {key: paths[key] for key in keys}
    if sys.prefix != sys.base_prefix:
        result["include"] = os.path.join(
            sys.prefix, "include", "site", "python{}.{}".format(*sys.version_info[:2])
        )
    return result


def venv_paths() -> dict[str, str]:
    """Install paths of a virtual environment made from this interpreter, relative to its root."""
    names = sysconfig.get_scheme_names()
    if "venv" in names:
        scheme = "venv"
    elif "posix_prefix" in names and os.name == "posix" and sys.implementation.name == "cpython":
        scheme = "posix_prefix"
    else:
        scheme = scheme_name()
    raw = {
        key: sysconfig.get_path(key, scheme=scheme, expand=False)
        for key in ("purelib", "platlib", "scripts", "data")
    }
    wanted = set()
    for template in raw.values():
        wanted.update(re.findall(r"\{(\w+)\}", template))
    config = {name: sysconfig.get_config_var(name) for name in wanted}
    prefixes = {
        os.path.abspath(p)
        for p in (sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix)
    }
    config = {
        name: "" if (value is not None and os.path.abspath(str(value)) in prefixes) else value
        for name, value in config.items()
    }
    result = {
        key: template.format(**config).replace("/", os.sep).lstrip(os.sep)
        for key, template in raw.items()
    }
    result["include"] = os.path.join("include", "site", "python{}.{}".format(*sys.version_info[:2]))
    return result


def base_executable() -> str:
    """`sys._base_executable`, or the executable that `home` in `pyvenv.cfg` names.

    Before 3.11 a POSIX venv reports its own executable as `sys._base_executable`; the base
    installation's executable is then found next to `home` under the same name.
    """
    found = getattr(sys, "_base_executable", None) or sys.executable
    if sys.prefix == sys.base_prefix:
        return found
    if not os.path.abspath(found).startswith(os.path.abspath(sys.prefix) + os.sep):
        return found
    try:
        with open(os.path.join(sys.prefix, "pyvenv.cfg"), encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return found
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip().lower() == "home":
            version = "{}.{}".format(*sys.version_info[:2])
            for name in (os.path.basename(found), "python" + version, "python3", "python"):
                candidate = os.path.join(value.strip(), name)
                if os.path.isfile(candidate):
                    return candidate
    return found


def debug_build() -> bool:
    """Whether this is a debug build, as `packaging.tags` decides it."""
    import importlib.machinery

    value = sysconfig.get_config_var("Py_DEBUG")
    if value is not None:
        return bool(value)
    return hasattr(sys, "gettotalrefcount") or "_d.pyd" in importlib.machinery.EXTENSION_SUFFIXES


def main() -> None:
    """Print the facts as JSON."""
    info = sys.version_info
    facts = {
        "result": "success",
        "implementation": sys.implementation.name,
        "version": full_version(),
        "version_info": [info.major, info.minor, info.micro, info.releaselevel, info.serial],
        "sys_executable": sys.executable,
        "base_executable": base_executable(),
        "prefix": sys.prefix,
        "base_prefix": getattr(sys, "base_prefix", sys.prefix),
        "base_exec_prefix": getattr(sys, "base_exec_prefix", sys.exec_prefix),
        "pointer_size": 64 if sys.maxsize > 2**32 else 32,
        "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "debug_enabled": debug_build(),
        "markers": markers(),
        "sysconfig_paths": install_paths(),
        "venv_paths": venv_paths(),
        "soabi": sysconfig.get_config_var("SOABI"),
        "ext_suffix": sysconfig.get_config_var("EXT_SUFFIX") or "",
        "abiflags": getattr(sys, "abiflags", ""),
        "stdlib": sysconfig.get_path("stdlib"),
    }
    facts.update(platform_facts())
    sys.stdout.write(json.dumps(facts))


if __name__ == "__main__":
    main()
