"""Python requests as uv parses them: `3.12`, `3.13t`, `pypy@3.10`, `cp312`, `>=3.11,<3.13`, paths...

`parse_request` turns the text of `--python`, `UV_PYTHON` or a `.python-version` line into a
`PythonRequest`; `VersionRequest` holds the version part and decides which interpreters match.
Nothing here runs an interpreter; the only I/O is checking whether a request names a path.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from packaging.version import InvalidVersion, Version

from puv.core.errors import PuvError
from puv.python.interpreter import Interpreter

if TYPE_CHECKING:
    from puv.core.requires_python import RequiresPython

IMPLEMENTATIONS: tuple[str, ...] = ("cpython", "pypy", "graalpy", "pyodide")
SHORT_NAMES: dict[str, str] = {"cp": "cpython", "pp": "pypy", "gp": "graalpy"}
PRETTY_NAMES: dict[str, str] = {
    "cpython": "CPython",
    "pypy": "PyPy",
    "graalpy": "GraalPy",
    "pyodide": "Pyodide",
}
# how uv ranks implementations when choosing between equal candidates (higher is preferred)
IMPLEMENTATION_RANK = {"pyodide": 0, "graalpy": 1, "pypy": 2, "cpython": 3}
_PRERELEASE_KINDS = {"a": "a", "b": "b", "rc": "rc"}
KNOWN_OS = {"linux": "linux", "macos": "macos", "darwin": "macos", "windows": "windows"}
KNOWN_ARCHES = {
    "x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64",
    "i686": "i686", "x86": "x86", "armv7l": "armv7l", "armv8l": "armv8l", "ppc64le": "ppc64le",
    "ppc64": "ppc64", "s390x": "s390x", "riscv64": "riscv64", "loongarch64": "loongarch64",
}  # fmt: skip
KNOWN_LIBCS = {"gnu", "musl", "none", "gnueabi", "gnueabihf"}


class InvalidPythonRequest(PuvError):
    """A request that is neither a version, an implementation, a path nor an executable name."""

    exit_code = 2


class Variant(enum.Enum):
    """The build variant a request asks for: `3.13t` is free-threaded, `3.13d` a debug build."""

    DEFAULT = "default"
    DEBUG = "debug"
    FREETHREADED = "freethreaded"
    FREETHREADED_DEBUG = "freethreaded+debug"
    GIL = "gil"
    GIL_DEBUG = "gil+debug"

    @property
    def executable_suffix(self) -> str:
        """`t` for `python3.13t`, `d` for a debug build, `` otherwise."""
        return _VARIANT_SUFFIXES[self]

    @property
    def display_suffix(self) -> str:
        """`+freethreaded` as uv shows it after a version; `` for the default variant."""
        return "" if self is Variant.DEFAULT else f"+{self.value}"

    @property
    def is_debug(self) -> bool:
        """Whether the variant is a debug build."""
        return self in (Variant.DEBUG, Variant.FREETHREADED_DEBUG, Variant.GIL_DEBUG)

    @property
    def is_freethreaded(self) -> bool:
        """Whether the variant is free-threaded."""
        return self in (Variant.FREETHREADED, Variant.FREETHREADED_DEBUG)

    def matches(self, interpreter: Interpreter) -> bool:
        """Whether `interpreter` is of this variant (free-threaded 3.14+ counts as default)."""
        if self is Variant.DEFAULT:
            return interpreter.major_minor >= (3, 14) or not interpreter.gil_disabled
        if self is Variant.DEBUG:
            return interpreter.debug_enabled
        if self is Variant.FREETHREADED:
            return interpreter.gil_disabled
        if self is Variant.FREETHREADED_DEBUG:
            return interpreter.gil_disabled and interpreter.debug_enabled
        if self is Variant.GIL:
            return not interpreter.gil_disabled
        return not interpreter.gil_disabled and interpreter.debug_enabled


_VARIANT_SUFFIXES = {
    Variant.DEFAULT: "", Variant.DEBUG: "d", Variant.FREETHREADED: "t",
    Variant.FREETHREADED_DEBUG: "td", Variant.GIL: "", Variant.GIL_DEBUG: "d",
}  # fmt: skip
_VARIANT_NAMES = {
    "t": Variant.FREETHREADED, "freethreaded": Variant.FREETHREADED, "d": Variant.DEBUG,
    "debug": Variant.DEBUG, "td": Variant.FREETHREADED_DEBUG,
    "freethreaded+debug": Variant.FREETHREADED_DEBUG, "gil": Variant.GIL,
    "gil+debug": Variant.GIL_DEBUG, "": Variant.DEFAULT,
}  # fmt: skip


class VersionRequest(NamedTuple):
    """The version part of a request.

    `release` holds 1 to 3 numbers (`3`, `3.12`, `3.12.1`) with an optional `prerelease`
    (`("rc", 1)`); `specifiers` holds a range (`>=3.11,<3.13`). With neither, the request is
    "default" (any stable, non-free-threaded version) or, with `any=True`, any version at all.
    """

    release: tuple[int, ...] = ()
    prerelease: tuple[str, int] | None = None
    specifiers: RequiresPython | None = None
    variant: Variant = Variant.DEFAULT
    any: bool = False

    @property
    def is_default(self) -> bool:
        """No version constraint, default variant only."""
        return not self.release and self.specifiers is None and not self.any

    @property
    def major(self) -> int | None:
        """The requested major version, if given."""
        return self.release[0] if self.release else None

    @property
    def minor(self) -> int | None:
        """The requested minor version, if given."""
        return self.release[1] if len(self.release) > 1 else None

    @property
    def patch(self) -> int | None:
        """The requested patch version, if given."""
        return self.release[2] if len(self.release) > 2 else None

    def __str__(self) -> str:
        if self.any:
            return "any"
        if self.specifiers is not None:
            return format_specifiers(self.specifiers)
        if not self.release:
            return "default"
        text = ".".join(str(part) for part in self.release)
        if self.prerelease:
            text += f"{self.prerelease[0]}{self.prerelease[1]}"
        return text + self.variant.display_suffix

    def check_supported(self) -> None:
        """Raise `InvalidPythonRequest` for versions uv refuses (below 3.6, 3.12t...)."""
        if self.release:
            shown = str(VersionRequest(self.release, self.prerelease))
            if len(self.release) == 1 and self.release[0] < 3:
                raise InvalidPythonRequest(
                    f"Invalid version request: Python <3 is not supported but {shown} was "
                    "requested."
                )
            if len(self.release) > 1 and tuple(self.release[:2]) < (3, 6):
                raise InvalidPythonRequest(
                    f"Invalid version request: Python <3.6 is not supported but {shown} was "
                    "requested."
                )
            if (
                self.variant.is_freethreaded
                and len(self.release) > 1
                and tuple(self.release[:2]) < (3, 13)
            ):
                raise InvalidPythonRequest(
                    "Invalid version request: Python <3.13 does not support free-threading but "
                    f"{self} was requested."
                )

    def allows_prereleases(self) -> bool:
        """Whether the request itself opts in to pre-release interpreters."""
        if self.any:
            return True
        if self.specifiers is not None:
            return any(Version(spec.version).is_prerelease for spec in self.specifiers)
        return self.prerelease is not None

    def matches_version(self, version: Version) -> bool:
        """Whether a known version (e.g. of a managed install) can satisfy the request."""
        if self.any or self.is_default:
            return True
        if self.specifiers is not None:
            if not self.allows_prereleases():
                version = Version(".".join(str(part) for part in version.release))
            return self.specifiers.contains(version, prereleases=True)
        release = tuple(version.release) + (0,) * (3 - len(version.release))
        if release[: len(self.release)] != self.release:
            return False
        if self.prerelease is not None:
            return version.pre == self.prerelease and (len(self.release) == 3 or release[2] == 0)
        return len(self.release) < 3 or version.pre is None

    def matches_major_minor(self, major: int, minor: int) -> bool:
        """Whether an interpreter of `major.minor` could satisfy the request (a cheap pre-filter)."""
        if self.any or self.is_default:
            return True
        if self.specifiers is not None:
            return _range_admits_minor(self.specifiers, major, minor)
        return self.release[:2] == (major, minor)[: len(self.release[:2])]

    def matches_interpreter(self, interpreter: Interpreter) -> bool:
        """Whether `interpreter` satisfies the version and variant of the request."""
        if self.any:
            return True
        if self.is_default:
            return Variant.DEFAULT.matches(interpreter)
        return self.matches_version(Version(interpreter.version)) and self.variant.matches(
            interpreter
        )

    def as_pep440_version(self) -> Version | None:
        """The exact version the request names (`3.12` -> `3.12`), or None for a range."""
        if not self.release:
            return None
        release = self.release
        if self.prerelease is not None and len(release) == 2:
            release = (*release, 0)
        text = ".".join(str(part) for part in release)
        if self.prerelease is not None:
            text += f"{self.prerelease[0]}{self.prerelease[1]}"
        return Version(text)


DEFAULT_VERSION = VersionRequest()
ANY_VERSION = VersionRequest(any=True)


class KeyRequest(NamedTuple):
    """A request in uv's installation-key form: `cpython-3.12-linux-x86_64-gnu` (parts optional)."""

    implementation: str | None = None
    version: VersionRequest | None = None
    os: str | None = None
    arch: str | None = None
    libc: str | None = None

    def __str__(self) -> str:
        parts = [
            self.implementation or "any",
            str(self.version) if self.version is not None else "any",
            self.os or "any",
            self.arch or "any",
            self.libc or "any",
        ]
        while len(parts) > 1 and parts[-1] == "any":
            parts.pop()
        return "-".join(parts)

    def matches_platform(self, interpreter: Interpreter) -> bool:
        """Whether `interpreter` runs on the requested os, arch and libc."""
        return (
            (self.os is None or self.os == interpreter.os)
            and (self.arch is None or self.arch == interpreter.arch)
            and (self.libc is None or self.libc == interpreter.libc)
        )


class RequestKind(enum.Enum):
    """What a Python request names."""

    DEFAULT = "default"
    ANY = "any"
    VERSION = "version"
    DIRECTORY = "directory"
    FILE = "file"
    EXECUTABLE_NAME = "executable_name"
    IMPLEMENTATION = "implementation"
    IMPLEMENTATION_VERSION = "implementation_version"
    KEY = "key"


class PythonRequest(NamedTuple):
    """A parsed Python request; which fields are set depends on `kind`."""

    kind: RequestKind
    version: VersionRequest = DEFAULT_VERSION
    implementation: str | None = None
    path: Path | None = None
    name: str | None = None
    key: KeyRequest | None = None

    def __str__(self) -> str:
        """uv's description: `Python 3.12`, `PyPy 3.10`, `path \\`./python\\``..."""
        kind = self.kind
        if kind is RequestKind.DEFAULT:
            return "a default Python"
        if kind is RequestKind.ANY:
            return "any Python"
        if kind is RequestKind.VERSION:
            return f"Python {self.version}"
        if kind is RequestKind.DIRECTORY:
            return f"directory `{self.path}`"
        if kind is RequestKind.FILE:
            return f"path `{self.path}`"
        if kind is RequestKind.EXECUTABLE_NAME:
            return f"executable name `{self.name}`"
        pretty = PRETTY_NAMES.get(self.implementation or "", self.implementation or "")
        if kind is RequestKind.IMPLEMENTATION:
            return pretty
        if kind is RequestKind.IMPLEMENTATION_VERSION:
            return f"{pretty} {self.version}"
        return str(self.key)

    def to_canonical_string(self) -> str:
        """The text that parses back to this request (what `.python-version` stores)."""
        kind = self.kind
        if kind is RequestKind.DEFAULT:
            return "default"
        if kind is RequestKind.ANY:
            return "any"
        if kind is RequestKind.VERSION:
            return str(self.version)
        if kind in (RequestKind.DIRECTORY, RequestKind.FILE):
            return str(self.path)
        if kind is RequestKind.EXECUTABLE_NAME:
            return self.name or ""
        if kind is RequestKind.IMPLEMENTATION:
            return self.implementation or ""
        if kind is RequestKind.IMPLEMENTATION_VERSION:
            return f"{self.implementation}@{self.version}"
        return str(self.key)

    @property
    def version_request(self) -> VersionRequest:
        """The version constraint to search with (default for paths and names)."""
        if self.kind is RequestKind.ANY:
            return ANY_VERSION
        if self.kind is RequestKind.KEY and self.key is not None:
            return self.key.version or DEFAULT_VERSION
        return self.version

    @property
    def requested_implementation(self) -> str | None:
        """The implementation named by the request, if any."""
        if self.kind is RequestKind.KEY and self.key is not None:
            return self.key.implementation
        return self.implementation

    def allows_prereleases(self) -> bool:
        """Whether pre-release interpreters may be picked without being the last resort."""
        if self.kind is RequestKind.DEFAULT or self.kind is RequestKind.IMPLEMENTATION:
            return False
        if self.kind in (RequestKind.VERSION, RequestKind.KEY):
            return self.version_request.allows_prereleases()
        return True

    def allows_debug(self) -> bool:
        """Whether debug builds may be picked without being the last resort."""
        if self.kind is RequestKind.DEFAULT or self.kind is RequestKind.IMPLEMENTATION:
            return False
        if self.kind in (RequestKind.VERSION, RequestKind.KEY):
            return self.version_request.variant.is_debug
        return True

    def allows_alternative_implementations(self) -> bool:
        """Whether PyPy, GraalPy... may be picked."""
        if self.kind in (RequestKind.DEFAULT, RequestKind.VERSION):
            return False
        if self.kind in (RequestKind.IMPLEMENTATION, RequestKind.IMPLEMENTATION_VERSION):
            return self.implementation != "cpython"
        if self.kind is RequestKind.KEY:
            return self.requested_implementation not in (None, "cpython")
        return True

    def as_pep440_version(self) -> Version | None:
        """The exact version the request names, if it names one."""
        if self.kind in (RequestKind.VERSION, RequestKind.IMPLEMENTATION_VERSION, RequestKind.KEY):
            return self.version_request.as_pep440_version()
        return None

    def satisfied_by(self, interpreter: Interpreter) -> bool:
        """Whether `interpreter` satisfies the request (paths compare by the files they name)."""
        kind = self.kind
        if kind in (RequestKind.DEFAULT, RequestKind.ANY):
            return True
        if kind is RequestKind.VERSION:
            return self.version.matches_interpreter(interpreter)
        if kind is RequestKind.IMPLEMENTATION:
            return interpreter.implementation == self.implementation
        if kind is RequestKind.IMPLEMENTATION_VERSION:
            return interpreter.implementation == self.implementation and (
                self.version.matches_interpreter(interpreter)
            )
        if kind is RequestKind.KEY and self.key is not None:
            key = self.key
            return (
                (key.implementation is None or key.implementation == interpreter.implementation)
                and (key.version is None or key.version.matches_interpreter(interpreter))
                and key.matches_platform(interpreter)
            )
        if kind is RequestKind.EXECUTABLE_NAME:
            return self.name in (interpreter.sys_executable.name, interpreter.base_executable.name)
        if kind is RequestKind.DIRECTORY and self.path is not None:
            return _same_path(self.path, interpreter.prefix)
        if self.path is not None:
            return _same_path(self.path, interpreter.sys_executable) or _same_path(
                self.path, interpreter.base_executable
            )
        return False


DEFAULT_REQUEST = PythonRequest(RequestKind.DEFAULT)
ANY_REQUEST = PythonRequest(RequestKind.ANY, version=ANY_VERSION)


def parse_request(value: str, cwd: Path | None = None) -> PythonRequest:
    """Parse a Python request as uv does; `cwd` anchors relative paths (default: the process cwd).

    Raises `InvalidPythonRequest` for text that can only be a malformed version (`3.12tt`,
    `>=3.x`, `cpython@foo`); uv would look such text up as an executable name instead.
    """
    lowered = value.lower()
    if lowered == "any":
        return ANY_REQUEST
    if lowered == "default":
        return DEFAULT_REQUEST
    error: InvalidPythonRequest | None = None
    try:
        parsed = _parse_version_or_implementation(lowered)
    except InvalidPythonRequest as exc:
        parsed, error = None, exc
    if parsed is not None:
        return parsed
    base = Path.cwd() if cwd is None else cwd
    as_path = Path(value).expanduser()
    anchored = as_path if as_path.is_absolute() else base / as_path
    if value and anchored.is_dir():
        return PythonRequest(RequestKind.DIRECTORY, path=as_path)
    if value and anchored.is_file():
        return PythonRequest(RequestKind.FILE, path=as_path)
    if "/" in value or "\\" in value:
        return PythonRequest(RequestKind.FILE, path=as_path)
    key = _parse_key(lowered)
    if key is not None:
        return PythonRequest(RequestKind.KEY, key=key)
    if error is not None:
        raise error
    if not value.strip() or value[0].isdigit() or any(c in value for c in "<>=!~,;*@ \t"):
        raise InvalidPythonRequest(
            f"Invalid Python request: `{value}`",
            hint="Use a version (`3.12`), a version range (`>=3.11,<3.13`), an implementation "
            "(`pypy@3.10`), a path to an interpreter, or an executable name (`python3.12`)",
        )
    return PythonRequest(RequestKind.EXECUTABLE_NAME, name=value)


def parse_version_request(text: str) -> VersionRequest:
    """Parse the version part of a request (`3.12`, `312`, `3.13t`, `3.13rc1`, `>=3.11`)."""
    base, variant = _split_variant(text)
    try:
        version = Version(base)
    except InvalidVersion:
        return _parse_specifiers(base, variant)
    if version.post is not None or version.dev is not None or version.local or version.epoch:
        raise InvalidPythonRequest(f"Invalid version request: {base}")
    release = tuple(version.release)
    if len(release) == 1:
        digits = str(release[0])
        if len(digits) > 1:
            release = (int(digits[0]), int(digits[1:]))
    if any(part > 255 for part in release) or not 1 <= len(release) <= 3:
        raise InvalidPythonRequest(f"Invalid version request: {base}")
    prerelease = (_PRERELEASE_KINDS[version.pre[0]], version.pre[1]) if version.pre else None
    if prerelease is not None:
        if len(release) == 1:
            raise InvalidPythonRequest(f"Invalid version request: {base}")
        if len(release) == 3 and release[2] == 0:
            release = release[:2]
    return VersionRequest(release, prerelease, None, variant)


def requires_python_request(specifiers: RequiresPython) -> PythonRequest | None:
    """The request a project's `requires-python` makes (None when it is empty)."""
    if not str(specifiers):
        return None
    return PythonRequest(RequestKind.VERSION, version=_from_specifiers(specifiers, Variant.DEFAULT))


def format_specifiers(specifiers: RequiresPython) -> str:
    """uv's rendering: sorted by version then operator, joined by `, ` (`>=3.11, <3.13`)."""
    from puv.core.specifier_order import uv_specifier_order

    return ", ".join(uv_specifier_order((spec.operator, spec.version) for spec in specifiers))


def _split_variant(text: str) -> tuple[str, Variant]:
    if text.isalpha():
        raise InvalidPythonRequest(f"Invalid version request: {text}")
    last_digit = max((i for i, c in enumerate(text) if c.isdigit()), default=-1)
    if last_digit < 0 or last_digit + 1 >= len(text):
        return text, Variant.DEFAULT
    suffix = text[last_digit + 1 :]
    suffix = suffix.removeprefix("+")
    variant = _VARIANT_NAMES.get(suffix)
    if variant is None:
        return text, Variant.DEFAULT
    return text[: last_digit + 1], variant


def _parse_specifiers(text: str, variant: Variant) -> VersionRequest:
    from puv.core.requires_python import InvalidRange, RequiresPython

    try:
        specifiers = RequiresPython(text)
    except InvalidRange as exc:
        raise InvalidPythonRequest(f"Invalid version request: {text}") from exc
    if not str(specifiers):
        raise InvalidPythonRequest(f"Invalid version request: {text}")
    return _from_specifiers(specifiers, variant)


def _from_specifiers(specifiers: RequiresPython, variant: Variant) -> VersionRequest:
    only = list(specifiers)
    if len(only) == 1 and only[0].operator == "==" and "*" not in only[0].version:
        try:
            exact = parse_version_request(only[0].version)
        except InvalidPythonRequest:
            exact = None
        if exact is not None:
            return VersionRequest(exact.release, exact.prerelease, None, variant)
    return VersionRequest(specifiers=specifiers, variant=variant)


def _parse_version_or_implementation(lowered: str) -> PythonRequest | None:
    """`3.12`, `python3.12`, `python@3.12`, `pypy`, `pypy@3.10`, `pp310`... or None."""
    for prefix in ("python", ""):
        version = _split_prefix_and_version(prefix, lowered)
        if version is not None:
            return PythonRequest(RequestKind.VERSION, version=version)
    for name in _implementation_names():
        implementation = SHORT_NAMES.get(name, name)
        if lowered == name:
            return PythonRequest(RequestKind.IMPLEMENTATION, implementation=implementation)
        version = _split_prefix_and_version(name, lowered)
        if version is not None:
            return PythonRequest(
                RequestKind.IMPLEMENTATION_VERSION, version=version, implementation=implementation
            )
    return None


def _implementation_names() -> list[str]:
    short = {long: short for short, long in SHORT_NAMES.items()}
    names: list[str] = []
    for long in IMPLEMENTATIONS:
        names.append(long)
        if long in short:
            names.append(short[long])
    return names


def _split_prefix_and_version(prefix: str, lowered: str) -> VersionRequest | None:
    if lowered.startswith("@"):
        raise InvalidPythonRequest(f"Invalid version request: {lowered}")
    if not lowered.startswith(prefix):
        return None
    rest = lowered[len(prefix) :]
    if not rest:
        return None
    if rest.startswith("@"):
        after = rest[1:]
        if after == "latest":
            raise InvalidPythonRequest(
                "Requesting the 'latest' Python version is not yet supported"
            )
        return parse_version_request(after)
    try:
        return parse_version_request(rest)
    except InvalidPythonRequest:
        return None


def _parse_key(lowered: str) -> KeyRequest | None:
    """uv's installation-key form; None when the text is not one."""
    if not lowered or "-" not in lowered:
        return None
    parts = lowered.split("-")
    if len(parts) > 5:
        return None
    fields: dict[str, object] = {}
    positions = ["implementation", "version", "os", "arch", "libc"]
    index = 0
    for part in parts:
        while index < len(positions):
            position = positions[index]
            index += 1
            if part == "any":
                break
            value = _key_part(position, part)
            if value is not None:
                fields[position] = value
                break
        else:
            return None
    return KeyRequest(**fields)  # type: ignore[arg-type]


def _key_part(position: str, part: str) -> object | None:
    if position == "implementation":
        name = SHORT_NAMES.get(part, part)
        return name if name in IMPLEMENTATIONS else None
    if position == "version":
        try:
            return parse_version_request(part)
        except InvalidPythonRequest:
            return None
    if position == "os":
        return KNOWN_OS.get(part)
    if position == "arch":
        return KNOWN_ARCHES.get(part)
    return part if part in KNOWN_LIBCS else None


def _range_admits_minor(specifiers: RequiresPython, major: int, minor: int) -> bool:
    """Whether some final `major.minor.N` release satisfies `specifiers`.

    The satisfying patches form intervals whose ends are next to the patch numbers the specifiers
    name, so trying those neighbours, 0 and a large number decides it.
    """
    patches = {0, 999}
    for spec in specifiers:
        release = Version(spec.version.removesuffix(".*")).release
        if tuple(release[:2]) == (major, minor) and len(release) > 2:
            patches.update({release[2] - 1, release[2], release[2] + 1})
    return any(
        specifiers.contains(Version(f"{major}.{minor}.{patch}"), prereleases=True)
        for patch in patches
        if patch >= 0
    )


def _same_path(left: Path, right: Path) -> bool:
    if left == right:
        return True
    try:
        return left.samefile(right)
    except OSError:
        return False
