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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from puv.core.errors import PuvError, UsageError
from puv.core.wheel_filename import InvalidWheelFilename, WheelFilename, normalize_name
from puv.index.auth import redact
from puv.index.client import HttpClient, NetworkError, OfflineError
from puv.index.find_links import FindLinks
from puv.index.simple import DIST_EXTENSIONS, DistFile

PYPI_URL = "https://pypi.org/simple"


class IndexStrategy(enum.StrEnum):
    """uv's `--index-strategy` values."""

    FIRST_INDEX = "first-index"
    UNSAFE_FIRST_MATCH = "unsafe-first-match"
    UNSAFE_BEST_MATCH = "unsafe-best-match"


@dataclass(frozen=True, slots=True)
class Index:
    """One package index (`[[tool.uv.index]]` or a command-line URL)."""

    url: str
    name: str | None = None
    default: bool = False
    explicit: bool = False
    format: str = "simple"
    ignore_error_codes: frozenset[int] = frozenset()

    @property
    def not_found_statuses(self) -> frozenset[int]:
        """Statuses meaning "the package is not on this index": 404, 410 and ignored codes."""
        return frozenset({404, 410}) | self.ignore_error_codes


PYPI = Index(PYPI_URL, default=True)


def _as_url(location: str) -> str:
    if "://" in location:
        return location
    return Path(location).absolute().as_uri()


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
            )
    name, sep, url = value.partition("=")
    if sep and "://" not in name and "/" not in name:
        if not name or not all(c.isascii() and (c.isalnum() or c in "-_.") for c in name):
            raise UsageError(
                f"invalid value '{value}' for '--index <INDEX>': Index names may only contain "
                "ASCII letters, digits, hyphens, underscores, and periods"
            )
        return Index(_as_url(url), name=name, default=default)
    return Index(_as_url(value), default=default)


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
    indexes += [Index(_as_url(url)) for url in extra_index_url]
    if index_url:
        indexes.append(Index(_as_url(index_url), default=True))
    return indexes


@dataclass(frozen=True, slots=True)
class IndexList:
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


@dataclass(frozen=True, slots=True)
class VersionFiles:
    """The files of one version of a package, and the index (rank) they come from."""

    version: Version
    index: Index | None  # None for --find-links files
    rank: int
    files: tuple[DistFile, ...]


@dataclass(frozen=True, slots=True)
class PackageFiles:
    """What the indexes offer for one package, in the order the strategy wants them tried."""

    name: str
    versions: tuple[VersionFiles, ...]
    auth_failure: tuple[Index, int] | None = None
    searched: tuple[Index, ...] = ()


def file_version(filename: str, name: str) -> Version | None:
    """The version in a wheel or sdist filename of project `name` (normalized), or None."""
    if filename.endswith(".whl"):
        try:
            wheel = WheelFilename.parse(filename)
        except InvalidWheelFilename:
            return None
        return wheel.version if wheel.name == name else None
    lowered = filename.lower()
    for extension in DIST_EXTENSIONS:
        if lowered.endswith(extension):
            project, sep, version = filename[: -len(extension)].rpartition("-")
            if not sep or normalize_name(project) != name:
                return None
            try:
                return Version(version)
            except InvalidVersion:
                return None
    return None


def _group_by_version(
    name: str, files: Iterable[DistFile], index: Index | None, rank: int
) -> dict[Version, VersionFiles]:
    grouped: dict[Version, list[DistFile]] = {}
    for file in files:
        version = file_version(file.filename, name)
        if version is not None:
            grouped.setdefault(version, []).append(file)
    return {v: VersionFiles(v, index, rank, tuple(fs)) for v, fs in grouped.items()}


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
        found: list[tuple[int, Index, tuple[DistFile, ...]]] = []
        auth_failure: tuple[Index, int] | None = None
        offline_misses = 0
        if strategy is IndexStrategy.FIRST_INDEX or len(order) <= 1:
            for rank, index in enumerate(order):
                try:
                    files = self._index_files(index, name, stop_on_auth=True)
                except _AuthFailure as failure:
                    auth_failure = (index, failure.status)
                    break
                except OfflineError:
                    offline_misses += 1
                    continue
                if files is not None:
                    found.append((rank, index, files))
                    break
        else:
            results = self.client.map(lambda index: self._index_files_lenient(index, name), order)
            for rank, (index, result) in enumerate(zip(order, results, strict=True)):
                if result is _OFFLINE:
                    offline_misses += 1
                elif isinstance(result, tuple):
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

    def _index_files(
        self, index: Index, name: str, *, stop_on_auth: bool
    ) -> tuple[DistFile, ...] | None:
        if index.format == "flat":
            files = tuple(
                f for f in self.client.links_page(index.url).files if file_version(f.filename, name)
            )
            return files or None
        not_found = index.not_found_statuses
        if not stop_on_auth:
            not_found = not_found | {401, 403}
        try:
            page = self.client.project_page(index.url, name, not_found=not_found)
        except NetworkError as err:
            if stop_on_auth and err.status in (401, 403) and err.retries == 0:
                raise _AuthFailure(err.status) from None
            raise
        return None if page is None else page.files

    def _index_files_lenient(self, index: Index, name: str) -> object:
        try:
            return self._index_files(index, name, stop_on_auth=False)
        except OfflineError:
            return _OFFLINE

    @staticmethod
    def _order_versions(
        name: str,
        found: list[tuple[int, Index, tuple[DistFile, ...]]],
        links: tuple[DistFile, ...],
        strategy: IndexStrategy,
    ) -> tuple[VersionFiles, ...]:
        merged: dict[Version, VersionFiles] = {}
        for rank, index, files in found:
            for version, entry in _group_by_version(name, files, index, rank).items():
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
        entries = sorted(merged.values(), key=lambda e: e.version, reverse=True)
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
