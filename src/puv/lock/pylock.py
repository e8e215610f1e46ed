"""Render a `pylock.toml` (PEP 751) document exactly as uv 0.13.9 writes one.

Pure: the caller (`pip compile --format pylock.toml`, `export --format pylock.toml`) decides
which packages and files go in, and in which order; this module only lays them out:

    lock-version = "1.0"
    created-by = "uv"
    requires-python = ">=3.12"

    [[packages]]
    name = "idna"
    version = "3.10"
    marker = "sys_platform == 'win32'"
    sdist = { url = "https://.../idna-3.10.tar.gz", upload-time = 2024-09-15T18:07:39Z, size = 190490, hashes = { sha256 = "..." } }
    wheels = [{ url = "https://.../idna-3.10-py3-none-any.whl", upload-time = ..., size = 70442, hashes = { sha256 = "..." } }]

Key order follows uv's `PylockToml::to_toml` and its serde structs; an artifact's `name` is
written only when the last component of its URL or path is not the file's name; upload times
are TOML datetimes in UTC to the second (uv 0.13.9 drops the fraction); an array of several wheels puts each on its
own line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit

from msgspec import Struct

from puv.lock.writer import toml_key, toml_string

__all__ = [
    "Pylock",
    "PylockArchive",
    "PylockDirectory",
    "PylockFile",
    "PylockPackage",
    "PylockVcs",
    "is_pylock_filename",
    "render_pylock",
    "toml_datetime",
]

Hashes = tuple[tuple[str, str], ...]

# uv's `Hashes` struct: the algorithms it writes, in its field order.
_HASH_ORDER = ("md5", "sha256", "sha384", "sha512", "blake2b")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)
_PYLOCK_NAME = re.compile(r"pylock\.([^.]+)\.toml|pylock\.toml")


class PylockFile(Struct, frozen=True):
    """A registry sdist or wheel (`[packages.sdist]`, `[[packages.wheels]]`).

    `filename` is the file's name; `url` or `path` says where it is; `upload_time` is the
    index's RFC 3339 text (`2024-09-15T18:07:39.745918Z`); `hashes` are (algorithm, hex digest).
    """

    filename: str
    url: str | None = None
    path: str | None = None
    upload_time: str | None = None
    size: int | None = None
    hashes: Hashes = ()


class PylockArchive(Struct, frozen=True):
    """`[packages.archive]`: a direct URL or local path to a wheel or sdist."""

    url: str | None = None
    path: str | None = None
    size: int | None = None
    upload_time: str | None = None
    subdirectory: str | None = None
    hashes: Hashes = ()


class PylockDirectory(Struct, frozen=True):
    """`[packages.directory]`: a source tree (`path` `/`-separated, as written)."""

    path: str
    editable: bool | None = None
    subdirectory: str | None = None


class PylockVcs(Struct, frozen=True):
    """`[packages.vcs]`: a Git checkout at `commit_id`."""

    commit_id: str
    url: str | None = None
    path: str | None = None
    requested_revision: str | None = None
    subdirectory: str | None = None
    type: str = "git"


class PylockPackage(Struct, frozen=True):
    """One `[[packages]]` entry. `marker` is the PEP 508 text where the package applies (None
    when everywhere); `index` is the registry URL (uv writes it when exporting a lock)."""

    name: str
    version: str | None = None
    marker: str | None = None
    requires_python: str | None = None
    index: str | None = None
    vcs: PylockVcs | None = None
    directory: PylockDirectory | None = None
    archive: PylockArchive | None = None
    sdist: PylockFile | None = None
    wheels: tuple[PylockFile, ...] = ()


class Pylock(Struct, frozen=True):
    """A whole document; `packages` are written in the order given."""

    packages: tuple[PylockPackage, ...]
    requires_python: str | None = None
    extras: tuple[str, ...] = ()
    dependency_groups: tuple[str, ...] = ()
    default_groups: tuple[str, ...] = ()
    lock_version: str = "1.0"
    created_by: str = "uv"


def is_pylock_filename(name: str) -> bool:
    """PEP 751's file names: `pylock.toml` or `pylock.<name>.toml` (`<name>` without dots)."""
    return _PYLOCK_NAME.fullmatch(name) is not None


def render_pylock(lock: Pylock) -> str:
    """The `pylock.toml` text for `lock`, byte for byte as uv writes it."""
    lines = [
        f"lock-version = {toml_string(lock.lock_version)}",
        f"created-by = {toml_string(lock.created_by)}",
    ]
    if lock.requires_python is not None:
        lines.append(f"requires-python = {toml_string(lock.requires_python)}")
    for key, names in (
        ("extras", lock.extras),
        ("dependency-groups", lock.dependency_groups),
        ("default-groups", lock.default_groups),
    ):
        if names:
            lines.append(f"{key} = {_array([toml_string(name) for name in names])}")
    if not lock.packages:
        lines.append("packages = []")
    for package in lock.packages:
        lines += ["", "[[packages]]", *_package_lines(package)]
    return "".join(line + "\n" for line in lines)


def toml_datetime(timestamp: str) -> str | None:
    """An RFC 3339 upload time as uv 0.13.9 writes it in pylock.toml: a UTC TOML datetime with
    the fraction of a second dropped (`2024-09-15T18:07:39.745918Z` -> `2024-09-15T18:07:39Z`);
    None when the text is not a timestamp."""
    found = _TIMESTAMP.fullmatch(timestamp.strip())
    if found is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in found.groups()[:6])
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
    if found.group(9):
        sign = 1 if found.group(9) == "+" else -1
        offset = timedelta(hours=int(found.group(10)), minutes=int(found.group(11)))
        moment = moment.replace(tzinfo=timezone(sign * offset)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ----------------------------------------------------------------------------- layout


def _package_lines(package: PylockPackage) -> list[str]:
    items: list[tuple[str, str]] = [("name", toml_string(package.name))]
    if package.version is not None:
        items.append(("version", toml_string(package.version)))
    if package.marker is not None:
        items.append(("marker", toml_string(package.marker)))
    if package.requires_python is not None:
        items.append(("requires-python", toml_string(package.requires_python)))
    if package.index is not None:
        items.append(("index", toml_string(package.index)))
    if package.vcs is not None:
        items.append(("vcs", _vcs(package.vcs)))
    if package.directory is not None:
        items.append(("directory", _directory(package.directory)))
    if package.archive is not None:
        items.append(("archive", _archive(package.archive)))
    if package.sdist is not None:
        items.append(("sdist", _file(package.sdist)))
    if package.wheels:
        items.append(("wheels", _array([_file(wheel) for wheel in package.wheels])))
    return [f"{toml_key(key)} = {value}" for key, value in items]


def _array(values: Sequence[str]) -> str:
    """One element on the line; several each on its own line with a trailing comma."""
    if len(values) <= 1:
        return "[" + "".join(values) + "]"
    return "[\n" + "".join(f"    {value},\n" for value in values) + "]"


def _inline(items: Iterable[tuple[str, str | None]]) -> str:
    """An inline table of already rendered values; None values are left out."""
    body = ", ".join(f"{toml_key(key)} = {value}" for key, value in items if value is not None)
    return "{ " + body + " }" if body else "{}"


def _string(value: str | None) -> str | None:
    return None if value is None else toml_string(value)


def _integer(value: int | None) -> str | None:
    return None if value is None else str(value)


def _hashes(hashes: Hashes) -> str:
    by_algorithm = dict(hashes)
    return _inline((name, _string(by_algorithm.get(name))) for name in _HASH_ORDER)


def _upload_time(value: str | None) -> str | None:
    return None if value is None else toml_datetime(value)


def _file(file: PylockFile) -> str:
    location = file.url if file.url is not None else file.path
    named = location is None or _last_component(location) != file.filename
    return _inline(
        (
            ("name", toml_string(file.filename) if named else None),
            ("url", _string(file.url)),
            ("path", _string(file.path)),
            ("upload-time", _upload_time(file.upload_time)),
            ("size", _integer(file.size)),
            ("hashes", _hashes(file.hashes)),
        )
    )


def _last_component(location: str) -> str:
    """The file name a URL (percent-decoded) or a `/`-separated path ends with."""
    if "://" in location:
        return unquote(urlsplit(location).path.rsplit("/", 1)[-1])
    return location.replace("\\", "/").rsplit("/", 1)[-1]


def _archive(archive: PylockArchive) -> str:
    return _inline(
        (
            ("url", _string(archive.url)),
            ("path", _string(archive.path)),
            ("size", _integer(archive.size)),
            ("upload-time", _upload_time(archive.upload_time)),
            ("subdirectory", _string(archive.subdirectory)),
            ("hashes", _hashes(archive.hashes)),
        )
    )


def _directory(directory: PylockDirectory) -> str:
    editable = None if directory.editable is None else str(directory.editable).lower()
    return _inline(
        (
            ("path", toml_string(directory.path)),
            ("editable", editable),
            ("subdirectory", _string(directory.subdirectory)),
        )
    )


def _vcs(vcs: PylockVcs) -> str:
    return _inline(
        (
            ("type", toml_string(vcs.type)),
            ("url", _string(vcs.url)),
            ("path", _string(vcs.path)),
            ("requested-revision", _string(vcs.requested_revision)),
            ("commit-id", toml_string(vcs.commit_id)),
            ("subdirectory", _string(vcs.subdirectory)),
        )
    )
