"""Which of a release's wheels a lock keeps, as uv decides it when it writes `uv.lock`.

A wheel is dropped when its tags rule out every Python of the lock's `requires-python`
(uv's `RequiresPython::matches_wheel_tag`: `cp38` wheels under `>=3.11`, Python 2 wheels), or
when its platform tags name a platform (and architecture) the package is never used on: a
package reached only under `sys_platform == 'win32'` keeps no Linux or macOS wheels (uv's
`is_wheel_unreachable_for_marker`, with its marker constants).
"""

from __future__ import annotations

import functools
import re

from packaging.version import Version

from puv.core.markers import Marker
from puv.core.version_ranges import Bound, release_specifiers_to_ranges
from puv.core.wheel_filename import InvalidWheelFilename, WheelFilename

__all__ = ["keeps_wheel", "matches_requires_python"]

_LINUX = "os_name == 'posix' and sys_platform == 'linux'"
_WINDOWS = "os_name == 'nt' and sys_platform == 'win32'"
_MAC = "os_name == 'posix' and sys_platform == 'darwin'"
_ANDROID = "sys_platform == 'android'"
_MACHINES = {
    "arm": "platform_machine == 'aarch64' or platform_machine == 'arm64' "
    "or platform_machine == 'ARM64'",
    "x86_64": "platform_machine == 'x86_64' or platform_machine == 'amd64' "
    "or platform_machine == 'AMD64'",
    "x86": "platform_machine == 'i686' or platform_machine == 'i386' "
    "or platform_machine == 'win32' or platform_machine == 'x86'",
    "ppc64le": "platform_machine == 'ppc64le'",
    "ppc64": "platform_machine == 'ppc64'",
    "s390x": "platform_machine == 's390x'",
    "riscv64": "platform_machine == 'riscv64'",
    "loongarch64": "platform_machine == 'loongarch64'",
    "armv7l": "platform_machine == 'armv7l' or platform_machine == 'armv8l'",
    "armv6l": "platform_machine == 'armv6l'",
}
# (family, its marker, the architectures uv distinguishes within it), in uv's order.
_FAMILIES = (
    ("linux", _LINUX, tuple(_MACHINES)),
    ("windows", _WINDOWS, ("arm", "x86_64", "x86")),
    ("macos", _MAC, ("arm", "x86_64", "x86")),
    ("android", _ANDROID, ("arm", "x86_64", "x86")),
)
_LINUX_PREFIX = re.compile(r"^(?:manylinux_\d+_\d+|manylinux1|manylinux2010|manylinux2014|linux|musllinux_\d+_\d+)_(.+)$")  # fmt: skip
_LINUX_ARCHES = {
    "aarch64": "arm", "x86_64": "x86_64", "i686": "x86", "ppc64le": "ppc64le", "ppc64": "ppc64",
    "s390x": "s390x", "riscv64": "riscv64", "loongarch64": "loongarch64", "armv7l": "armv7l",
    "armv6l": "armv6l",
}  # fmt: skip
# The architectures uv's legacy manylinux tags can carry.
_LIMITED_MANYLINUX = {
    "manylinux1_": frozenset({"arm", "x86_64", "x86"}),
    "manylinux2010_": frozenset({"arm", "x86_64", "x86"}),
    "manylinux2014_": frozenset({"arm", "x86_64", "x86", "ppc64le", "ppc64", "s390x", "armv7l", "armv6l"}),
}  # fmt: skip
_MAC_ARCHES = {"arm64": "arm", "x86_64": "x86_64", "i386": "x86"}
_ANDROID_ARCHES = {"arm64_v8a": "arm", "x86_64": "x86_64", "x86": "x86"}
_WINDOWS_ARCHES = {"win32": "x86", "win_amd64": "x86_64", "win_arm64": "arm", "win_ia64": None}


@functools.cache
def _marker(text: str) -> Marker:
    return Marker.parse(text)


@functools.cache
def _family_marker(family: str, machine: str | None) -> Marker:
    base = next(marker for name, marker, _ in _FAMILIES if name == family) if family else None
    if machine is None:
        assert base is not None
        return _marker(base)
    arch = _marker(_MACHINES[machine])
    return arch if base is None else _marker(base) & arch


def _platform(tag: str) -> tuple[str | None, str | None]:
    """(family, architecture) of one platform tag, as uv's `PlatformTag` predicates see it."""
    if tag in _WINDOWS_ARCHES:
        return "windows", _WINDOWS_ARCHES[tag]
    found = _LINUX_PREFIX.match(tag)
    if found is not None:
        arch = _LINUX_ARCHES.get(found.group(1))
        for prefix, allowed in _LIMITED_MANYLINUX.items():
            if tag.startswith(prefix) and arch not in allowed:
                arch = None
        return "linux", arch
    if tag.startswith("macosx_"):
        return "macos", _MAC_ARCHES.get(tag.rsplit("_", 1)[-1])
    if tag.startswith("android_"):
        parts = tag.split("_", 2)
        return "android", _ANDROID_ARCHES.get(parts[2] if len(parts) == 3 else "")
    if tag.startswith("ios_"):
        return None, "arm" if "_arm64_" in tag else "x86_64" if "_x86_64_" in tag else None
    return None, None


def _unreachable(platform_tags: tuple[str, ...], marker: Marker) -> bool:
    """uv's platform part of `is_wheel_unreachable_for_marker`."""
    if all(tag == "any" for tag in platform_tags):
        return False
    platforms = [_platform(tag) for tag in platform_tags]
    for family, _family_text, arches in _FAMILIES:
        if not all(found == family for found, _ in platforms):
            continue
        for arch in arches:
            if all(machine == arch for _, machine in platforms):
                return marker.is_disjoint(_family_marker(family, arch))
        if marker.is_disjoint(_family_marker(family, None)):
            return True
    for arch in _MACHINES:
        if all(machine == arch for _, machine in platforms):
            return marker.is_disjoint(_family_marker("", arch))
    return False


@functools.lru_cache(maxsize=64)
def _major_minor_bounds(requires_python: str) -> tuple[Bound, Bound]:
    """The bounding range of `requires_python`, each bound cut to major.minor as uv does."""
    bounding = release_specifiers_to_ranges(requires_python).bounding_range()
    if bounding is None:
        return None, None
    lower, upper = bounding
    if lower is not None:
        lower = (Version(".".join(map(str, lower[0].release[:2]))), True)
    if upper is not None:
        version, inclusive = upper
        cut = Version(".".join(map(str, version.release[:2])))
        upper = (cut, inclusive or version.release[2:] != (0,) * len(version.release[2:]))
    return lower, upper


def _below_lower(minor: int, lower: Bound) -> bool:
    """Whether `>=3.minor` starts below the range's lower bound."""
    return lower is not None and Version(f"3.{minor}") < lower[0]


def _above_upper(minor: int, upper: Bound) -> bool:
    """Whether `<=3.minor` ends above the range's upper bound."""
    if upper is None:
        return False
    version, inclusive = upper
    wheel = Version(f"3.{minor}")
    return wheel > version or (wheel == version and not inclusive)


_PYTHON_TAG = re.compile(r"^(py|cp|pp|graalpy|pt)(\d)(\d*)$")
# CPython `cp311`/`cp27mu`, PyPy `pypy310_pp73` (`pypy_73`: no Python version), GraalPy
# `graalpy242_311_native` (implementation version, then the Python version).
_ABI_TAG = re.compile(
    r"^(?:cp(\d)(\d+)[dmut]*|pypy(\d)(\d+)_pp\d+|pypy_\d+|graalpy\d+_(\d)(\d+)_\w+)$"
)


def matches_requires_python(wheel: WheelFilename, requires_python: str) -> bool:
    """uv's `RequiresPython::matches_wheel_tag`: false when the wheel's tags rule out every
    Python the range allows (unknown tags are kept)."""
    lower, upper = _major_minor_bounds(requires_python)
    return any(_abi_fits(wheel, abi, lower, upper) for abi in wheel.abi_tags)


def _abi_fits(wheel: WheelFilename, abi: str, lower: Bound, upper: Bound) -> bool:
    if abi in ("abi3", "abi3t"):
        return True
    if abi == "none":
        return any(_python_tag_fits(tag, lower, upper) for tag in wheel.python_tags)
    found = _ABI_TAG.match(abi)
    if found is None:
        return True
    groups = [group for group in found.groups() if group is not None]
    if not groups or groups[0] != "3":  # Python 2, or PyPy without a Python version
        return False
    minor = int(groups[1])
    return not (_below_lower(minor, lower) or _above_upper(minor, upper))


def _python_tag_fits(tag: str, lower: Bound, upper: Bound) -> bool:
    found = _PYTHON_TAG.match(tag)
    if found is None:
        return True
    kind, major, minor = found.groups()
    if major == "2":
        return False
    if major != "3" or not minor:
        return True
    if kind == "py":  # `py37` is a lower bound: only an upper bound can rule it out
        return not _above_upper(int(minor), upper)
    return not (_below_lower(int(minor), lower) or _above_upper(int(minor), upper))


def keeps_wheel(filename: str, requires_python: str, marker: Marker) -> bool:
    """Whether `uv lock` keeps this wheel of a package used where `marker` holds (the
    package's complete reachability marker) in a lock for `requires_python`."""
    try:
        wheel = WheelFilename.parse(filename)
    except InvalidWheelFilename:
        return True
    if not matches_requires_python(wheel, requires_python):
        return False
    return not _unreachable(wheel.platform_tags, marker)
