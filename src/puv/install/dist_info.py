"""The `.dist-info` files an installer reads and writes: RECORD, WHEEL, METADATA's name/version.

Shared by the unpacker (which validates a wheel before it enters the cache) and the installer
(which re-checks it and writes the environment's RECORD).
"""

from __future__ import annotations

import configparser
import contextlib
import csv
import io
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from msgspec import Struct
from packaging.version import InvalidVersion, Version

from puv.core.errors import PuvError
from puv.core.wheel_filename import WheelFilename, normalize_name

SKIP_FILENAME_CHECK_HINT = "UV_SKIP_WHEEL_FILENAME_CHECK=1"


class InvalidWheel(PuvError):
    """A wheel whose contents break the binary distribution format (exit 2, like uv)."""

    exit_code = 2

    @classmethod
    def because(cls, reason: str) -> InvalidWheel:
        """`The wheel is invalid: <reason>`, uv's wording."""
        return cls(f"The wheel is invalid: {reason}")


class RecordEntry(NamedTuple):
    """One RECORD line: a `/`-separated path relative to site-packages, `sha256=...`, size.

    A named tuple rather than a dataclass: RECORDs of big environments hold tens of thousands
    of lines, and tuples sort and compare in C.
    """

    path: str
    hash: str = ""
    size: str = ""


def parse_record(text: str) -> list[RecordEntry]:
    """Parse RECORD text; every non-blank row must have exactly three fields."""
    if '"' not in text and "\r" not in text:
        # Fast path: nothing is quoted, so every line is exactly `path,hash,size`.
        lines = [line for line in text.split("\n") if line]
        rows = [line.split(",") for line in lines]
        if all(len(row) == 3 and (not row[2] or row[2].isdigit()) for row in rows):
            new = tuple.__new__
            return [new(RecordEntry, row) if row[0][:1] != "/" else _entry(0, *row) for row in rows]
    entries = []
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if not row:
            continue
        if len(row) != 3:
            raise _invalid_record(f"line {number}: expected 3 fields, found {len(row)}")
        entries.append(_entry(number, *row))
    return entries


def _entry(number: int, path: str, digest: str, size: str) -> RecordEntry:
    if size and not size.isdigit():
        raise _invalid_record(f"line {number}: invalid size `{size}`")
    # Some wheels (selenium) write absolute-looking paths; uv strips the leading slash.
    return RecordEntry(path.lstrip("/") if path.startswith("/") else path, digest, size)


def _invalid_record(detail: str) -> PuvError:
    return PuvError("`RECORD` file is invalid", causes=[detail])


def read_record(path: Path) -> list[RecordEntry]:
    """Read and parse a RECORD file."""
    with open(path, encoding="utf-8", newline="") as file:
        return parse_record(file.read())


def render_record(entries: Iterable[RecordEntry]) -> str:
    """RECORD text for `entries`, sorted by path as uv writes it (CSV, `\n` line ends)."""
    rows = sorted(entries)
    text = "".join(f"{path},{digest},{size}\n" for path, digest, size in rows)
    plain = '"' not in text and "\r" not in text
    if plain and text.count(",") == 2 * len(rows) and text.count("\n") == len(rows):
        return text  # nothing needed quoting
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write_atomic(path: Path | str, data: bytes, mode: int = 0o666) -> None:
    """Write `data` to a temp file next to `path`, then rename it over `path`.

    `mode` is the creation mode (the umask applies), e.g. 0o777 for a script.

    Replacing (rather than rewriting) also breaks any hard link back into the cache. The temp
    name is fixed (`.<name>.puv-tmp`), so a leftover from a killed run is reused and renamed
    away by the next run (the environment lock keeps writers apart).
    """
    path = os.fspath(path)
    head, tail = os.path.split(path)
    temp = os.path.join(head, f".{tail}.puv-tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)  # a leftover of a killed run (it may have other permissions)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    os.replace(temp, path)


def parse_headers(text: str) -> dict[str, list[str]]:
    """Email-style headers (WHEEL, METADATA) up to the first blank line; continuation lines joined."""
    headers: dict[str, list[str]] = {}
    last: str | None = None
    for line in text.splitlines():
        if not line.strip():
            if last is None and not headers:
                continue
            break
        if line[0] in " \t" and last is not None:
            values = headers[last]
            values[-1] = (values[-1] + " " + line.strip()).strip()
            continue
        key, sep, value = line.partition(":")
        if not sep or key != key.strip():
            last = None
            continue
        headers.setdefault(key, []).append(value.strip())
        last = key
    return headers


class WheelInfo(Struct, frozen=True):
    """What the `WHEEL` file says: the format version and where the root goes."""

    version: tuple[int, int]
    root_is_purelib: bool


def parse_wheel_file(text: str) -> WheelInfo:
    """Parse `WHEEL`; a major `Wheel-Version` other than 1 is an error (uv's wording)."""
    headers = parse_headers(text)
    raw = headers.get("Wheel-Version", [None])[0]
    major, _, minor = (raw or "").partition(".")
    if not raw or not major.isdigit() or not minor.isdigit():
        shown = "None" if raw is None else f'Some("{raw}")'
        raise InvalidWheel.because(f"Invalid Wheel-Version in WHEEL file: {shown}")
    if major != "1" and (major, minor) != ("0", "1"):
        raise InvalidWheel.because(
            f"Unsupported wheel major version (expected 1, got {int(major)})"
        )
    purelib = headers.get("Root-Is-Purelib", ["false"])[0].strip().lower() == "true"
    return WheelInfo((int(major), int(minor)), purelib)


def read_name_version(metadata_text: str) -> tuple[str, str]:
    """`Name` and `Version` from METADATA text."""
    headers = parse_headers(metadata_text)
    for field in ("Name", "Version"):
        if not headers.get(field):
            raise InvalidWheel.because(f"`METADATA` is missing the `{field}` field")
    return headers["Name"][0], headers["Version"][0]


def check_metadata_matches(filename: WheelFilename, metadata_text: str) -> None:
    """Name and version in METADATA must match the filename (a local version may be dropped)."""
    name, version_text = read_name_version(metadata_text)
    normalized = normalize_name(name)
    if normalized != filename.name:
        raise InvalidWheel(
            f"Wheel package name does not match filename ({normalized} != {filename.name}), "
            "which indicates a malformed wheel. If this is intentional, set "
            f"`{SKIP_FILENAME_CHECK_HINT}`."
        )
    try:
        version = Version(version_text)
    except InvalidVersion:
        raise InvalidWheel.because(f"invalid version `{version_text}` in `METADATA`") from None
    expected = filename.version
    if version != expected and version != Version(expected.public):
        raise InvalidWheel(
            f"Wheel version does not match filename ({version} != {expected}), which indicates "
            f"a malformed wheel. If this is intentional, set `{SKIP_FILENAME_CHECK_HINT}`."
        )


def find_dist_info(top_level_dirs: Iterable[str]) -> str:
    """The one `<name>-<version>.dist-info` among the top-level directories of a wheel."""
    found = sorted(name for name in top_level_dirs if name.endswith(".dist-info"))
    if not found:
        raise InvalidWheel.because("Missing .dist-info directory")
    if len(found) > 1:
        stems = ", ".join(name[: -len(".dist-info")] for name in found)
        raise InvalidWheel.because(f"Multiple .dist-info directories found: {stems}")
    return found[0]


def check_dist_info_name(filename: WheelFilename, dist_info: str) -> None:
    """The `.dist-info` directory must be named for the wheel's project (uv's wording)."""
    stem = dist_info[: -len(".dist-info")]
    if normalize_name(stem.partition("-")[0]) != filename.name:
        raise InvalidWheel(
            f"The .dist-info directory `{stem}` does not start with the normalized package "
            f"name: {filename.name}"
        )


# --- entry points -------------------------------------------------------------------------------

_SCRIPT_VALUE = re.compile(
    r"^(?P<module>[\w\-.]+)\s*:\s*(?P<function>[\w\-.]+)"
    r"(?:\s*\[\s*(?P<extras>(?:[^,]+,?\s*)+)\])?\s*$"
)
_RESERVED = frozenset({"python", "pythonw", "python3", "graalpy", "pypy", "pypy2", "pypy3"})
_RESERVED_VERSIONED = re.compile(r"^(?:python3\.\d+t?|pythonw3\.\d+t)$")
_PIP_VERSIONED = re.compile(r"^pip3\.\d+$")


class Script(Struct, frozen=True):
    """An entry point from `[console_scripts]` or `[gui_scripts]`."""

    name: str
    module: str
    function: str
    gui: bool = False


def parse_entry_points(text: str, python_minor: int) -> list[Script]:
    """Console and GUI scripts from `entry_points.txt`, every name checked (`check_script_name`).

    Extras on entry points are ignored, and pip's versioned launchers are normalized as uv
    does: `pip3.N` entries are dropped and `pip3.<python_minor>` is derived from `pip3`.
    """
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep names' case
    try:
        parser.read_string(text)
    except configparser.Error as err:
        raise InvalidWheel.because(f"entry_points.txt is invalid: {err}") from None
    console = _section(parser, "console_scripts", gui=False)
    gui = _section(parser, "gui_scripts", gui=True)
    console = [script for script in console if not _PIP_VERSIONED.match(script.name)]
    pip3 = next((script for script in console if script.name == "pip3"), None)
    if pip3 is not None:
        console.append(Script(f"pip3.{python_minor}", pip3.module, pip3.function))
    scripts = console + gui
    for script in scripts:
        check_script_name(script.name)
    return scripts


def _section(parser: configparser.ConfigParser, section: str, gui: bool) -> list[Script]:
    if not parser.has_section(section):
        return []
    scripts = []
    for name, value in parser.items(section, raw=True):
        if not value:
            raise InvalidWheel.because(f"[{section}] key {name} must have a value")
        match = _SCRIPT_VALUE.match(value)
        if match is None:
            raise InvalidWheel.because(f"invalid console script: '{value}'")
        scripts.append(Script(name, match["module"], match["function"], gui))
    return scripts


def check_script_name(name: str) -> None:
    """An entry point must be one plain file name in the scripts directory (no `/`, `..`),
    and none of the environment's own launchers (`python*`, `activate*`)."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise InvalidWheel.because(
            f"Script path must resolve to a file within the scripts directory: {name}"
        )
    check_reserved_script_name(name)
    lowered = name.lower()
    if lowered in ("activate", "activate_this.py") or lowered.startswith("activate."):
        raise PuvError(f"Scripts must not use the reserved name `{lowered}`, got: `{name}`")


def check_reserved_script_name(name: str) -> None:
    """uv's reserved launcher names: `python`, `python3.12`, `pypy3`, ... (any case)."""
    normalized = name.lower().removesuffix(".exe").removesuffix(".py")
    if normalized in _RESERVED or _RESERVED_VERSIONED.match(normalized):
        raise PuvError(f"Scripts must not use the reserved name `{normalized}`, got: `{name}`")
