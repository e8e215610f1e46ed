"""The environment a resolution or an install targets: `--python-version` and `--python-platform`.

`target_of` takes the facts of the interpreter that runs and changes what the two options change,
as uv does: `--python-version` sets `python_version` / `python_full_version` and the tags' Python
version; `--python-platform` (one of uv's target triples, `PLATFORM_NAMES`) sets the platform
markers (`os_name`, `platform_machine`, `platform_system`, `sys_platform`, `platform_release`,
`platform_version`) and the platform tags (glibc or musl version for Linux, the deployment target
for macOS from `MACOSX_DEPLOYMENT_TARGET`, default 13.0). The interpreter's own facts stay what they
are for everything that runs it (builds, bytecode): only the returned `Target` is changed.

Android, iOS and Pyodide targets are recognised but refused: their tag lists (API levels, iOS
versions, Emscripten) are not derived yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

from puv.core.errors import PuvError, UsageError

if TYPE_CHECKING:
    from packaging.tags import Tag
    from packaging.version import Version

    from puv.python.interpreter import Interpreter

_X86_MANYLINUX = tuple(f"x86_64-manylinux_2_{minor}" for minor in (17, 28, *range(31, 41)))
_ARM_MANYLINUX = tuple(f"aarch64-manylinux_2_{minor}" for minor in (17, 28, *range(31, 41)))

# uv's `--python-platform` values, in the order `uv help pip install` lists them.
PLATFORM_NAMES: tuple[str, ...] = (
    "windows",
    "linux",
    "macos",
    "x86_64-pc-windows-msvc",
    "aarch64-pc-windows-msvc",
    "i686-pc-windows-msvc",
    "x86_64-unknown-linux-gnu",
    "aarch64-apple-darwin",
    "x86_64-apple-darwin",
    "aarch64-unknown-linux-gnu",
    "aarch64-unknown-linux-musl",
    "x86_64-unknown-linux-musl",
    "riscv64-unknown-linux",
    "x86_64-manylinux2014",
    *_X86_MANYLINUX,
    "aarch64-manylinux2014",
    *_ARM_MANYLINUX,
    "aarch64-linux-android",
    "x86_64-linux-android",
    "wasm32-pyodide2024",
    "wasm32-pyodide2025",
    "arm64-apple-ios",
    "arm64-apple-ios-simulator",
    "x86_64-apple-ios-simulator",
)

_ALIASES = {
    "linux": "x86_64-unknown-linux-gnu",
    "macos": "aarch64-apple-darwin",
    "windows": "x86_64-pc-windows-msvc",
}
_DEFAULT_GLIBC = (2, 28)  # `*-unknown-linux-gnu` is `*-manylinux_2_28`
_RISCV_GLIBC = (2, 39)
_MUSL = (1, 2)
_MACOS_DEFAULT = (13, 0)
_WINDOWS_MACHINES = {"x86_64": "AMD64", "aarch64": "ARM64", "i686": "x86"}
_WINDOWS_PLATFORM_TAGS = {"x86_64": "win-amd64", "aarch64": "win-arm64", "i686": "win32"}
_UNSUPPORTED_SUFFIXES = ("-linux-android", "-pyodide2024", "-pyodide2025", "-apple-ios")


class Platform(NamedTuple):
    """A `--python-platform` target: OS (`linux`, `macos`, `windows`), architecture as in the
    triple, libc (`gnu`, `musl`, `none`), the glibc/musl or macOS version, and its markers."""

    os: str
    arch: str
    libc: str
    version: tuple[int, int] | None
    markers: Mapping[str, str]


class Target(NamedTuple):
    """The target environment: the interpreter's facts as the target sees them (markers, tags'
    inputs) and the Python version to resolve for."""

    interpreter: Interpreter
    python_version: Version

    @property
    def markers(self) -> Mapping[str, str]:
        """The PEP 508 marker environment of the target."""
        return self.interpreter.markers

    def tags(self) -> list[Tag]:
        """The wheel tags the target accepts, most preferred first (uv's order)."""
        return ranked_tags(self.interpreter)


def ranked_tags(interpreter: Interpreter) -> list[Tag]:
    """The tags `interpreter` accepts in uv's order of preference: `packaging`'s, except that a
    plain `linux_<arch>` platform comes after the manylinux/musllinux ones of the same Python
    and ABI, as uv ranks it last."""
    from puv.python.tags import interpreter_tags

    tags = interpreter_tags(interpreter)
    groups: dict[tuple[str, str], int] = {}
    for tag in tags:
        groups.setdefault((tag.interpreter, tag.abi), len(groups))
    return sorted(
        tags,
        key=lambda tag: (groups[tag.interpreter, tag.abi], tag.platform.startswith("linux_")),
    )


def invalid_platform(name: str) -> UsageError:
    """clap's error for a value that is not one of `PLATFORM_NAMES`."""
    return UsageError(
        f"invalid value '{name}' for '--python-platform <PYTHON_PLATFORM>'\n"
        f"  [possible values: {', '.join(PLATFORM_NAMES)}]\n\n"
        "For more information, try '--help'."
    )


def parse_platform(name: str, environ: Mapping[str, str]) -> Platform:
    """The platform a `--python-platform` value names (`environ` supplies
    `MACOSX_DEPLOYMENT_TARGET`). Raises `UsageError` for an unknown name."""
    if name not in PLATFORM_NAMES:
        raise invalid_platform(name)
    triple = _ALIASES.get(name, name)
    if triple.endswith(_UNSUPPORTED_SUFFIXES):
        raise PuvError(f"`--python-platform {name}` is not supported by puv yet")
    arch, _, rest = triple.partition("-")
    if rest == "apple-darwin":
        version = _deployment_target(environ.get("MACOSX_DEPLOYMENT_TARGET"))
        machine = "arm64" if arch == "aarch64" else arch
        return Platform("macos", arch, "none", version, _markers("posix", machine, "Darwin"))
    if rest == "pc-windows-msvc":
        markers = _markers("nt", _WINDOWS_MACHINES[arch], "Windows", "win32")
        return Platform("windows", arch, "none", None, markers)
    linux = _markers("posix", arch, "Linux")
    if rest == "unknown-linux-musl":
        return Platform("linux", arch, "musl", _MUSL, linux)
    if rest == "unknown-linux":  # riscv64
        return Platform("linux", arch, "gnu", _RISCV_GLIBC, linux)
    if rest == "unknown-linux-gnu":
        return Platform("linux", arch, "gnu", _DEFAULT_GLIBC, linux)
    if rest == "manylinux2014":
        return Platform("linux", arch, "gnu", (2, 17), linux)
    major, _, minor = rest.removeprefix("manylinux_").partition("_")
    return Platform("linux", arch, "gnu", (int(major), int(minor)), linux)


def _markers(
    os_name: str, machine: str, system: str, sys_platform: str | None = None
) -> dict[str, str]:
    return {
        "os_name": os_name,
        "platform_machine": machine,
        "platform_system": system,
        "sys_platform": sys_platform or system.lower(),
        "platform_release": "",
        "platform_version": "",
    }


def _deployment_target(value: str | None) -> tuple[int, int]:
    """`MACOSX_DEPLOYMENT_TARGET` (`14`, `12.3`) as (major, minor); uv's default when unset or
    unreadable."""
    if not value:
        return _MACOS_DEFAULT
    major, _, minor = value.strip().partition(".")
    minor = minor.partition(".")[0] or "0"
    if not (major.isdigit() and minor.isdigit()):
        return _MACOS_DEFAULT
    return int(major), int(minor)


def parse_python_version(text: str) -> Version:
    """A `--python-version` value (`3.12`, `3.12.1`); clap's usage error when it is not a
    version."""
    from packaging.version import Version

    from puv.project.settings_schema import version_error

    error = version_error(text)
    if error is not None:
        raise UsageError(
            f"invalid value '{text}' for '--python-version <PYTHON_VERSION>': Python version "
            f"`{text}` could not be parsed: {error}\n\nFor more information, try '--help'."
        )
    return Version(text)


def target_of(
    interpreter: Interpreter,
    *,
    python_version: str | None = None,
    python_platform: str | None = None,
    environ: Mapping[str, str],
) -> Target:
    """The target environment: `interpreter`'s facts changed by `--python-version` and
    `--python-platform` as uv changes them (`environ` supplies `MACOSX_DEPLOYMENT_TARGET`)."""
    from packaging.version import Version

    facts = interpreter
    markers = dict(interpreter.markers)
    version = Version(interpreter.version)
    if python_version is not None:
        version = parse_python_version(python_version)
        release = (*version.release, 0, 0)
        facts = facts._replace(version_info=(release[0], release[1], release[2], "final", 0))
        markers["python_version"] = f"{release[0]}.{release[1]}"
        markers["python_full_version"] = (
            python_version if len(version.release) >= 3 else f"{release[0]}.{release[1]}.0"
        )
    if python_platform is not None:
        platform = parse_platform(python_platform, environ)
        facts = facts._replace(
            os=platform.os,
            arch="arm64"
            if platform.os == "macos" and platform.arch == "aarch64"
            else platform.arch,
            libc=platform.libc,
            libc_version=platform.version if platform.os == "linux" else None,
            manylinux_compatible=platform.libc == "gnu",
            macos_version=platform.version if platform.os == "macos" else None,
            platform_tag=_WINDOWS_PLATFORM_TAGS.get(platform.arch, "")
            if platform.os == "windows"
            else "",
        )
        markers.update(platform.markers)
    return Target(facts._replace(markers=markers), version)
