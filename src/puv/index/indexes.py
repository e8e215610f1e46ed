"""The list of indexes, and which of them a package's files come from.

Order follows uv: `--default-index`, `--index`, `--extra-index-url`, `--index-url` from the
command line, then the same from configuration (`[[tool.uv.index]]`, `extra-index-url`,
`index-url`). Indexes marked `default` (the first one wins) are consulted last, PyPI when none is;
`explicit` indexes are used only for packages pinned to them (`tool.uv.sources`); `--no-index`
leaves only `--find-links`.

`--index-strategy`:
- `first-index` (default, the dependency-confusion defence): the first index that has the
  package is the only one used; a 401/403 there ends the search;
- `unsafe-first-match`: every index, the resolver exhausting one index's versions before the next;
- `unsafe-best-match`: every index, the best version wins; for a version present on several
  indexes, the first index's files are used.
`--find-links` files are always added, after the indexes' files.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from msgspec import Struct
from packaging.version import InvalidVersion, Version

from puv.core.errors import PuvError, UsageError
from puv.core.version_order import sort_key
from puv.core.wheel_filename import InvalidWheelFilename, WheelFilename, normalize_name
from puv.index.auth import redact
from puv.index.client import HttpClient, NetworkError, OfflineError
from puv.index.find_links import FindLinks
from puv.index.simple import (
    DIST_EXTENSIONS,
    JSON_CONTENT_TYPE,
    DistFile,
    FileEntry,
    PageListing,
    PageParseError,
    is_safe_dist_filename,
    to_dist_file,
)

PYPI_URL = "https://pypi.org/simple"


class IndexStrategy(enum.StrEnum):
    """uv's `--index-strategy` values."""

    FIRST_INDEX = "first-index"
    UNSAFE_FIRST_MATCH = "unsafe-first-match"
    UNSAFE_BEST_MATCH = "unsafe-best-match"


class Index(Struct, frozen=True):
    """One package index (`[[tool.uv.index]]` or a command-line URL)."""

    url: str
    name: str | None = None
    default: bool = False
    explicit: bool = False
    format: str = "simple"
    ignore_error_codes: frozenset[int] = frozenset()
    # a local directory written as a relative path (uv.lock then records it relative too)
    relative: bool = False

    @property
    def not_found_statuses(self) -> frozenset[int]:
        """Statuses meaning "the package is not on this index": 404, 410 and ignored codes."""
        return frozenset({404, 410}) | self.ignore_error_codes


PYPI = Index(PYPI_URL, default=True)


def _as_url(location: str) -> str:
    if "://" in location:
        return location
    return Path(location).absolute().as_uri()


def _is_relative_path(location: str) -> bool:
    return "://" not in location and not Path(location).expanduser().is_absolute()


def index_from_argument(
    value: str, *, default: bool = False, configured: Sequence[Index] = ()
) -> Index:
    """An index from `--index`/`--default-index` syntax: `name=url`, a URL, a path, or the
    name of a configured index."""
    value = value.strip()
    for index in configured:
        if index.name is not None and index.name == value:
            return Index(
                index.url,
                index.name,
                default,
                index.explicit,
                index.format,
                index.ignore_error_codes,
                index.relative,
            )
    name, sep, url = value.partition("=")
    if sep and "://" not in name and "/" not in name:
        if not name or not all(c.isascii() and (c.isalnum() or c in "-_.") for c in name):
            raise UsageError(
                f"invalid value '{value}' for '--index <INDEX>': Index names may only contain "
                "ASCII letters, digits, hyphens, underscores, and periods"
            )
        return Index(_as_url(url), name=name, default=default, relative=_is_relative_path(url))
    return Index(_as_url(value), default=default, relative=_is_relative_path(value))


def command_line_indexes(
    *,
    default_index: str | None = None,
    index: Iterable[str] = (),
    extra_index_url: Iterable[str] = (),
    index_url: str | None = None,
    configured: Sequence[Index] = (),
) -> list[Index]:
    """Command-line (or `UV_*` variable) index options as `Index` values, in uv's order."""
    indexes = []
    if default_index:
        indexes.append(index_from_argument(default_index, default=True, configured=configured))
    indexes += [index_from_argument(value, configured=configured) for value in index]
    indexes += [Index(_as_url(url), relative=_is_relative_path(url)) for url in extra_index_url]
    if index_url:
        indexes.append(
            Index(_as_url(index_url), default=True, relative=_is_relative_path(index_url))
        )
    return indexes


class IndexList(Struct, frozen=True):
    """All configured indexes in definition order, with `--no-index`, find-links and strategy."""

    indexes: tuple[Index, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    strategy: IndexStrategy = IndexStrategy.FIRST_INDEX

    def _configured(self) -> list[Index]:
        seen: set[str] = set()
        kept = []
        for index in self.indexes:
            if index.name is not None:
                if index.name in seen:
                    continue
                seen.add(index.name)
            kept.append(index)
        return kept

    def default_index(self) -> Index | None:
        """The index consulted last: the first `default` one, else PyPI (None with no-index)."""
        if self.no_index:
            return None
        return next((index for index in self._configured() if index.default), PYPI)

    def search_order(self) -> tuple[Index, ...]:
        """The indexes searched for an unpinned package: implicit ones, then the default."""
        if self.no_index:
            return ()
        implicit = [i for i in self._configured() if not i.default and not i.explicit]
        default = self.default_index()
        ordered = [*implicit, *([default] if default is not None and not default.explicit else [])]
        seen: set[str] = set()
        unique = []
        for index in ordered:
            if index.url not in seen:
                seen.add(index.url)
                unique.append(index)
        return tuple(unique)

    def named(self, name: str) -> Index:
        """The index called `name` (for a `{ index = "name" }` source)."""
        for index in self._configured():
            if index.name == name:
                return index
        raise PuvError(f"Package source references an unknown index: `{name}`")


class VersionFiles:
    """The files of one version of a package, and the index (rank) they come from.

    Built either from `DistFile`s (`files`) or, lazily, from a page's raw `entries` (`base_url`
    resolves their relative URLs): `files` is then built on first use, so versions nobody looks
    at never pay for it. Immutable; equal when version, index, rank and files are.
    """

    __slots__ = ("_base_url", "_files", "entries", "index", "rank", "version")

    version: Version
    index: Index | None  # None for --find-links files
    rank: int
    entries: tuple[FileEntry, ...]
    _base_url: str
    _files: tuple[DistFile, ...] | None

    def __init__(
        self,
        version: Version,
        index: Index | None,
        rank: int,
        files: Sequence[DistFile] | None = None,
        *,
        entries: Sequence[FileEntry] = (),
        base_url: str = "",
    ) -> None:
        built = tuple(files) if files is not None else None
        for attribute, value in (
            ("version", version),
            ("index", index),
            ("rank", rank),
            ("_base_url", base_url),
            ("_files", built),
            ("entries", built if built is not None else tuple(entries)),
        ):
            object.__setattr__(self, attribute, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"VersionFiles is immutable (cannot set `{name}`)")

    @property
    def files(self) -> tuple[DistFile, ...]:
        """The version's files in index order (built from the entries on first use)."""
        files = self._files
        if files is None:
            try:
                converted = [to_dist_file(entry, self._base_url) for entry in self.entries]
            except PageParseError as err:
                raise err.reported(self._base_url, JSON_CONTENT_TYPE) from None
            files = tuple(file for file in converted if file is not None)
            object.__setattr__(self, "_files", files)  # a cache: equal whoever builds it
        return files

    def restricted(self, entries: Sequence[FileEntry]) -> VersionFiles:
        """The same version with only `entries` (a subset of this one's), still lazy."""
        return VersionFiles(
            self.version, self.index, self.rank, entries=entries, base_url=self._base_url
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VersionFiles):
            return NotImplemented
        return (self.version, self.index, self.rank, self.files) == (
            other.version,
            other.index,
            other.rank,
            other.files,
        )

    def __hash__(self) -> int:
        return hash((self.version, self.index, self.rank, self.files))

    def __repr__(self) -> str:
        return (
            f"VersionFiles(version={self.version!r}, index={self.index!r}, rank={self.rank}, "
            f"files={self.files!r})"
        )


class PackageFiles(Struct, frozen=True):
    """What the indexes offer for one package, in the order the strategy wants them tried."""

    name: str
    versions: tuple[VersionFiles, ...]
    auth_failure: tuple[Index, int] | None = None
    searched: tuple[Index, ...] = ()


# What follows `name-version-` in a wheel filename `WheelFilename.parse` accepts: an optional
# build tag starting with a digit, then three tag sets of `[A-Za-z0-9_]` atoms joined by `.`.
_WHEEL_TAIL = re.compile(
    r"(?:[0-9][A-Za-z0-9_.]*-)?(?:[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*-){2}"
    r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*\.whl"
)
_WHEEL_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?")


def file_version(filename: str, name: str) -> Version | None:
    """The version in a wheel or sdist filename of project `name` (normalized), or None (also
    for a name that is unsafe as a file name)."""
    return _FilenameVersions(name).version(filename)


class _FilenameVersions:
    """`file_version` for many filenames of one project: each distinct `name-version` prefix
    is parsed once, each distinct name part and wheel tag tail checked once, and only names
    that fail those checks take the full `WheelFilename` parser (for the same verdict). Keys
    are strings (no per-file tuple for the garbage collector to track)."""

    __slots__ = ("_names", "_ours", "_tails", "_versions", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._versions: dict[str, Version | None] = {}
        self._ours: dict[str, bool] = {}
        self._names: dict[str, bool] = {}
        self._tails: dict[str, bool] = {}

    def key(self, filename: str) -> str | None:
        """The `name-version` part of a distribution filename that is safe as a file name;
        None for anything else. Only a key whose `parsed` version is not None names a file of
        this project."""
        if filename.endswith(".whl"):
            # a valid wheel name is a safe file name: every part is [A-Za-z0-9._]
            first = filename.find("-")
            second = filename.find("-", first + 1)
            if first > 0 and second > first + 1:
                tail = filename[second + 1 :]
                valid = self._tails.get(tail)
                if valid is None:
                    valid = self._tails[tail] = _WHEEL_TAIL.fullmatch(tail) is not None
                if valid:
                    name = filename[:first]
                    valid = self._names.get(name)
                    if valid is None:
                        valid = self._names[name] = _WHEEL_NAME.fullmatch(name) is not None
                    if valid:
                        return filename[:second]
            try:
                wheel = WheelFilename.parse(filename)
            except InvalidWheelFilename:
                return None
            return f"{wheel.name}-{wheel.version}"
        if not is_safe_dist_filename(filename):
            return None
        lowered = filename.lower()
        for extension in DIST_EXTENSIONS:
            if lowered.endswith(extension):
                stem = filename[: -len(extension)]
                return stem if "-" in stem else None
        return None

    def parsed(self, key: str) -> Version | None:
        """The version a `key` names, when its name part is this project's."""
        versions = self._versions
        if key in versions:
            return versions[key]
        project, _, text = key.rpartition("-")  # a version never contains `-`
        ours = self._ours.get(project)
        if ours is None:
            ours = self._ours[project] = normalize_name(project) == self.name
        version = None
        if ours:
            try:
                version = Version(text)
            except InvalidVersion:
                version = None
        versions[key] = version
        return version

    def version(self, filename: str) -> Version | None:
        """The version of one filename of this project, or None."""
        key = self.key(filename)
        return None if key is None else self.parsed(key)


def _group_by_version(
    name: str, entries: Iterable[FileEntry], index: Index | None, rank: int, base_url: str = ""
) -> dict[Version, VersionFiles]:
    """Entries grouped by the version their filename names (unsafe or foreign names dropped),
    in index order within a version, versions in order of first appearance."""
    versions = _FilenameVersions(name)
    grouped: dict[Version, list[FileEntry]] = {}
    dropped: list[FileEntry] = []  # collects (and discards) files of no version of `name`
    buckets: dict[str | None, list[FileEntry]] = {None: dropped}
    for entry in entries:
        key = versions.key(entry.filename)
        bucket = buckets.get(key)
        if bucket is None:
            version = versions.parsed(key) if key is not None else None
            bucket = dropped if version is None else grouped.setdefault(version, [])
            buckets[key] = bucket
        bucket.append(entry)
    return {
        version: VersionFiles(version, index, rank, entries=files, base_url=base_url)
        for version, files in grouped.items()
    }


class PackageFinder:
    """Looks packages up across the index list with the configured strategy."""

    def __init__(self, client: HttpClient, indexes: IndexList) -> None:
        self.client = client
        self.indexes = indexes
        self.find_links = FindLinks(client, indexes.find_links)

    def find(self, name: str, *, pinned: Index | None = None) -> PackageFiles:
        """The versions of `name` (normalized) and their files; `pinned` limits the search to
        that index (a `{ index = ... }` source).

        Versions come newest first; with `unsafe-first-match`, grouped by index rank first.
        An offline miss on every index raises `OfflineError`.
        """
        order = (pinned,) if pinned is not None else self.indexes.search_order()
        strategy = self.indexes.strategy
        found: list[tuple[int, Index, PageListing]] = []
        auth_failure: tuple[Index, int] | None = None
        offline_misses = 0
        if strategy is IndexStrategy.FIRST_INDEX or len(order) <= 1:
            for rank, index in enumerate(order):
                try:
                    listing = self._index_files(index, name, stop_on_auth=True)
                except _AuthFailure as failure:
                    auth_failure = (index, failure.status)
                    break
                except OfflineError:
                    offline_misses += 1
                    continue
                if listing is not None:
                    found.append((rank, index, listing))
                    break
        else:
            results = self.client.map(lambda index: self._index_files_lenient(index, name), order)
            for rank, (index, result) in enumerate(zip(order, results, strict=True)):
                if result is _OFFLINE:
                    offline_misses += 1
                elif isinstance(result, PageListing):
                    found.append((rank, index, result))
        links = self.find_links.files_for(name)
        if order and offline_misses == len(order) and not links:
            raise OfflineError(f"{order[0].url.rstrip('/')}/{name}/")
        return PackageFiles(
            name=name,
            versions=self._order_versions(name, found, links, strategy),
            auth_failure=auth_failure,
            searched=order,
        )

    def find_many(self, names: Iterable[str]) -> dict[str, PackageFiles]:
        """`find` for many unpinned packages, concurrently."""
        wanted = sorted(set(names))
        return dict(zip(wanted, self.client.map(self.find, wanted), strict=True))

    def _index_files(self, index: Index, name: str, *, stop_on_auth: bool) -> PageListing | None:
        if index.format == "flat":
            versions = _FilenameVersions(name)
            page = self.client.links_page(index.url)
            files = tuple(f for f in page.files if versions.version(f.filename))
            return PageListing(name, index.url, files) if files else None
        not_found = index.not_found_statuses
        if not stop_on_auth:
            not_found = not_found | {401, 403}
        try:
            return self.client.project_listing(index.url, name, not_found=not_found)
        except NetworkError as err:
            if stop_on_auth and err.status in (401, 403) and err.retries == 0:
                raise _AuthFailure(err.status) from None
            raise

    def _index_files_lenient(self, index: Index, name: str) -> object:
        try:
            return self._index_files(index, name, stop_on_auth=False)
        except OfflineError:
            return _OFFLINE

    @staticmethod
    def _order_versions(
        name: str,
        found: list[tuple[int, Index, PageListing]],
        links: tuple[DistFile, ...],
        strategy: IndexStrategy,
    ) -> tuple[VersionFiles, ...]:
        merged: dict[Version, VersionFiles] = {}
        for rank, index, listing in found:
            grouped = _group_by_version(name, listing.entries, index, rank, listing.url)
            for version, entry in grouped.items():
                merged.setdefault(version, entry)
        link_rank = len(found)
        for version, entry in _group_by_version(name, links, None, link_rank).items():
            if version in merged:
                existing = merged[version]
                merged[version] = VersionFiles(
                    version, existing.index, existing.rank, existing.files + entry.files
                )
            else:
                merged[version] = entry
        entries = sorted(merged.values(), key=lambda e: sort_key(e.version), reverse=True)
        if strategy is IndexStrategy.UNSAFE_FIRST_MATCH:
            entries.sort(key=lambda e: e.rank)
        return tuple(entries)


class _AuthFailure(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


_OFFLINE = object()


def auth_hint(failure: tuple[Index, int]) -> str:
    """uv's resolver hint for an index that refused us (401/403)."""
    index, status = failure
    phrase = "401 Unauthorized" if status == 401 else "403 Forbidden"
    return (
        f"An index URL ({redact(index.url)}) could not be queried due to a lack of valid "
        f"authentication credentials ({phrase})."
    )
