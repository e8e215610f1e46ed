"""The resolver's provider for a project: local source trees from their `pyproject.toml`, the rest
from the indexes.

Workspace members and the packages of direct sources (`lock_sources`: source trees, archives,
Git checkouts) are releases with one version whose metadata is their lowered requirements.
Their dependency groups travel as extras whose names cannot clash with the member's real extras
(`GroupExtras`), so that the universal resolver forks and merges them exactly like extras; the
lock builder maps them back to `[package.dev-dependencies]`.

Where `[tool.uv.sources]` sends a package to an index, or to different places in different
environments, the resolver routes it per fork through `for_source` (a provider per source key:
`index_source_key(url)`, or a direct source's `SourceRequest.key`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from msgspec import Struct
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from puv.index.indexes import PackageFiles, PackageFinder
from puv.resolver.provider import (
    DistFile,
    MetadataUnavailable,
    MissingPackage,
    PackageMetadata,
    PackageVersion,
)

if TYPE_CHECKING:
    from puv.index.client import HttpClient
    from puv.index.indexes import IndexList
    from puv.index.simple import DistFile as IndexFile
    from puv.operations.resolver_provider import IndexProvider

__all__ = [
    "GroupExtras",
    "LocalRelease",
    "ProjectProvider",
    "RecordingFinder",
    "index_source_key",
    "index_source_url",
]

_INDEX_KEY = "index:"


def index_source_key(url: str) -> str:
    """The resolver's source key of the index at `url`."""
    return _INDEX_KEY + url


def index_source_url(key: str) -> str | None:
    """The index URL a source key names, or None for another kind of key."""
    return key[len(_INDEX_KEY) :] if key.startswith(_INDEX_KEY) else None


class GroupExtras(Struct, frozen=True):
    """The extra names that stand for one member's dependency groups: `prefix + group`, with a
    prefix none of the member's real extras starts with."""

    prefix: str

    @classmethod
    def for_extras(cls, extras: Sequence[str]) -> GroupExtras:
        """A prefix that no name in `extras` starts with."""
        prefix = "group-"
        while any(extra.startswith(prefix) for extra in extras):
            prefix = "x" + prefix
        return cls(prefix)

    def extra(self, group: str) -> str:
        """The extra standing for `group`."""
        return self.prefix + group

    def group(self, extra: str | None) -> str | None:
        """The group an extra stands for, or None for a real extra."""
        if extra is None or not extra.startswith(self.prefix):
            return None
        return extra[len(self.prefix) :]


class LocalRelease(Struct, frozen=True):
    """A source tree the resolver sees as a single release of `name`."""

    name: str
    version: Version
    metadata: PackageMetadata
    groups: GroupExtras


class RecordingFinder(PackageFinder):
    """A `PackageFinder` that remembers which index each version it listed came from."""

    def __init__(self, client: HttpClient, indexes: IndexList) -> None:
        super().__init__(client, indexes)
        self._origin: dict[tuple[str, Version], str] = {}
        self._origin_lock = threading.Lock()

    def find(self, name: str, *, pinned: Any = None) -> PackageFiles:
        """See `PackageFinder.find`; also records each version's index URL."""
        found = super().find(name, pinned=pinned)
        with self._origin_lock:
            for entry in found.versions:
                if entry.index is not None:
                    self._origin.setdefault((found.name, entry.version), entry.index.url)
        return found

    def index_url(self, name: str, version: Version) -> str | None:
        """The URL of the index `name==version` was found on (None: a find-links file)."""
        with self._origin_lock:
            return self._origin.get((canonicalize_name(name), version))


class ProjectProvider:
    """A `SourcedProvider`: `local` releases first, then the provider `pinned` for the name
    (its own `exclude-newer` cutoff), then the configured indexes; `sources` makes the provider
    of a source key (`index_source_key`) for the names that sources route differently in
    different environments."""

    def __init__(
        self,
        local: Mapping[str, LocalRelease],
        registry: IndexProvider,
        pinned: Mapping[str, IndexProvider],
        sources: Callable[[str], ProjectProvider] | None = None,
    ) -> None:
        self.local = local
        self.registry = registry
        self.pinned = pinned
        self._make_source = sources
        self._sources: dict[str, ProjectProvider] = {}

    def for_source(self, key: str) -> ProjectProvider:
        """See `SourcedProvider.for_source`: made once per key."""
        found = self._sources.get(key)
        if found is None:
            if self._make_source is None:
                raise KeyError(f"no provider for the source {key!r}")
            found = self._sources[key] = self._make_source(key)
        return found

    def source_identity(self, name: str, version: Version, key: str | None) -> str | None:
        """See `SourcedProvider.source_identity`: the URL of the index the release was found
        on (a local release is its own)."""
        routed = self.routed(key)
        if canonicalize_name(name) in routed.local:
            return key
        return routed.index_url(name, version)

    def routed(self, origin: str | None) -> ProjectProvider:
        """The provider a resolved package's origin names (itself for None)."""
        return self if origin is None else self.for_source(origin)

    def _index_provider(self, name: str) -> IndexProvider:
        return self.pinned.get(canonicalize_name(name), self.registry)

    def versions(self, name: str) -> Sequence[PackageVersion] | MissingPackage:
        """See `Provider.versions`."""
        release = self.local.get(canonicalize_name(name))
        if release is not None:
            marker_file = DistFile(f"{release.name}-{release.version}.tar.gz")
            return [PackageVersion(release.version, (marker_file,))]
        return self._index_provider(name).versions(name)

    def metadata(self, name: str, version: Version) -> PackageMetadata | MetadataUnavailable:
        """See `Provider.metadata`."""
        release = self.local.get(canonicalize_name(name))
        if release is not None:
            return release.metadata
        return self._index_provider(name).metadata(name, version)

    def prefetch(self, names: Sequence[str]) -> None:
        """See `Provider.prefetch`."""
        for name in names:
            if canonicalize_name(name) not in self.local:
                self._index_provider(name).prefetch([name])

    def files(self, name: str, version: Version) -> tuple[IndexFile, ...]:
        """The index files of a registry release the resolver was offered."""
        return self._index_provider(name).files(name, version)

    def index_url(self, name: str, version: Version) -> str | None:
        """The index a registry release came from."""
        finder = self._index_provider(name).finder
        return finder.index_url(name, version) if isinstance(finder, RecordingFinder) else None


def local_metadata(
    requirements: Sequence[str], requires_python: str | None, extras: Sequence[str]
) -> PackageMetadata:
    """A local release's metadata from PEP 508 texts (extras' entries carry `extra == ...`)."""
    return PackageMetadata(
        tuple(Requirement(text) for text in requirements),
        None if requires_python is None else SpecifierSet(requires_python),
        tuple(extras),
    )
