"""The resolver's only window on the world, and an in-memory implementation of it.

The solver asks three things: which versions of a package exist (with their files, so that it
can tell which are usable), what a version depends on, and, as a hint, which packages it will
probably ask about next (`prefetch`), so that a network-backed provider can fetch them in
parallel. Everything is plain data; the protocol never does I/O itself in the resolver's view.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol, runtime_checkable

from msgspec import Struct, field
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version


class DistFile(Struct, frozen=True):
    """One file of a release as an index lists it: a wheel or a source distribution."""

    filename: str
    requires_python: SpecifierSet | None = None
    yanked: bool = False
    yanked_reason: str | None = None

    @property
    def is_wheel(self) -> bool:
        """Whether the file is a wheel (anything else is a source distribution)."""
        return self.filename.endswith(".whl")

    @property
    def wheel_tags(self) -> frozenset[Tag]:
        """The tags of a wheel file (empty for a source distribution)."""
        if not self.is_wheel:
            return frozenset()
        return parse_wheel_tags(self.filename)


@cache
def parse_wheel_tags(filename: str) -> frozenset[Tag]:
    """The tags in a wheel's name, parsed once per name (the solver asks for every candidate
    file of every version it looks at, often again after a fork or a backtrack)."""
    return parse_wheel_filename(filename)[3]


@dataclass(frozen=True, slots=True)  # not a Struct: `_LazyRelease` fills its slots itself
class PackageVersion:
    """A version of a package and the files that provide it; `direct` when a direct reference
    offers it (not an index: failure reports do not call it an available version)."""

    version: Version
    files: tuple[DistFile, ...]
    direct: bool = False


def find_release(releases: Sequence[PackageVersion], version: Version) -> PackageVersion | None:
    """The release of exactly `version` in `releases` (lowest first, as `Provider.versions`
    lists them), found by bisection: long histories are searched often."""
    index = bisect_left(releases, version, key=_release_version)
    if index < len(releases) and releases[index].version == version:
        return releases[index]
    return None


def _release_version(release: PackageVersion) -> Version:
    return release.version


class PackageMetadata(Struct, frozen=True):
    """What a version declares about itself (the core metadata fields the resolver needs)."""

    requires_dist: tuple[Requirement, ...] = ()
    requires_python: SpecifierSet | None = None
    provides_extras: tuple[str, ...] = ()


class MissingPackage(Struct, frozen=True):
    """A package the provider cannot list, and why (uv's `UnavailablePackage`).

    `kind` is `not-found` (the index has no such project), `no-index` (index lookups are
    disabled and no `--find-links` location has it) or `offline` (not in the cache, and the
    network is disabled).
    """

    kind: str = "not-found"


class MetadataUnavailable(Struct, frozen=True):
    """The metadata of a version could not be read; `reason` is uv's kind of failure."""

    reason: str = "invalid metadata"


class Provider(Protocol):
    """Versions and metadata on demand; implementations may fetch concurrently behind it."""

    def versions(self, name: str) -> Sequence[PackageVersion] | MissingPackage:
        """The versions of a package, lowest first, or why the package cannot be listed."""
        ...

    def metadata(self, name: str, version: Version) -> PackageMetadata | MetadataUnavailable:
        """The dependencies and requirements of one version."""
        ...

    def prefetch(self, names: Sequence[str]) -> None:
        """A hint: the resolver will soon ask about these packages."""
        ...


@runtime_checkable
class SourcedProvider(Provider, Protocol):
    """A provider that also lists packages from other sources (an explicit index, a URL), for
    names that `[tool.uv.sources]` routes differently in different environments."""

    def for_source(self, key: str) -> Provider:
        """The provider of the source `key` (as the caller's `SourceScope` names it)."""
        ...

    def source_identity(self, name: str, version: Version, key: str | None) -> str | None:
        """Where the release `name==version` listed through `key` (None: the default
        routing) really comes from: two routes to the same place give one package (an
        explicit index that is also a default one)."""
        ...


class InMemoryRelease(Struct, frozen=True):
    """A version of a package for `InMemoryProvider`: its metadata and its files."""

    version: Version
    metadata: PackageMetadata | MetadataUnavailable
    files: tuple[DistFile, ...]


class InMemoryProvider(Struct):
    """A provider over data held in memory: tests, benchmarks and packse scenarios."""

    releases: dict[str, list[InMemoryRelease]] = field(default_factory=dict)
    prefetched: list[str] = field(default_factory=list)
    sources: dict[str, InMemoryProvider] = field(default_factory=dict)

    def for_source(self, key: str) -> InMemoryProvider:
        """See `SourcedProvider.for_source`: the provider added as `sources[key]`."""
        return self.sources[key]

    def source_identity(self, name: str, version: Version, key: str | None) -> str | None:
        """See `SourcedProvider.source_identity`: sources that are the same object are one."""
        provider = self if key is None else self.sources[key]
        return str(id(provider))

    def add(
        self,
        name: str,
        version: str | Version,
        requires: Iterable[str | Requirement] = (),
        *,
        requires_python: str | None = None,
        extras: Mapping[str, Iterable[str]] | None = None,
        yanked: bool | str = False,
        wheel_tags: Iterable[str] | None = ("py3-none-any",),
        sdist: bool = True,
    ) -> None:
        """Add a release. `extras` maps an extra to its requirements; `wheel_tags` lists one
        wheel per tag (None or empty for no wheel); `yanked` may be a reason."""
        normalized = canonicalize_name(name)
        parsed = version if isinstance(version, Version) else Version(version)
        requirements = [r if isinstance(r, Requirement) else Requirement(r) for r in requires]
        for extra, extra_requires in (extras or {}).items():
            for text in extra_requires:
                requirement = Requirement(text) if isinstance(text, str) else text
                marker = f"extra == {extra!r}"
                if requirement.marker is not None:
                    marker = f"({requirement.marker}) and {marker}"
                requirements.append(Requirement(f"{_without_marker(requirement)} ; {marker}"))
        specifier = SpecifierSet(requires_python) if requires_python else None
        metadata = PackageMetadata(
            requires_dist=tuple(requirements),
            requires_python=specifier,
            provides_extras=tuple(extras or ()),
        )
        reason = yanked if isinstance(yanked, str) else None
        stem = f"{normalized.replace('-', '_')}-{parsed}"
        files = [
            DistFile(f"{stem}-{tag}.whl", specifier, bool(yanked), reason)
            for tag in (wheel_tags or ())
        ]
        if sdist:
            files.append(DistFile(f"{stem}.tar.gz", specifier, bool(yanked), reason))
        self.add_release(normalized, InMemoryRelease(parsed, metadata, tuple(files)))

    def add_release(self, name: str, release: InMemoryRelease) -> None:
        """Add a fully described release."""
        entries = self.releases.setdefault(canonicalize_name(name), [])
        entries.append(release)
        entries.sort(key=lambda entry: entry.version)

    def versions(self, name: str) -> Sequence[PackageVersion] | MissingPackage:
        """See `Provider.versions`."""
        entries = self.releases.get(canonicalize_name(name))
        if entries is None:
            return MissingPackage()
        return [PackageVersion(entry.version, entry.files) for entry in entries]

    def metadata(self, name: str, version: Version) -> PackageMetadata | MetadataUnavailable:
        """See `Provider.metadata`."""
        for entry in self.releases.get(canonicalize_name(name), ()):
            if entry.version == version and str(entry.version) == str(version):
                return entry.metadata
        raise KeyError(f"{name}=={version} is not in the in-memory provider")

    def prefetch(self, names: Sequence[str]) -> None:
        """See `Provider.prefetch`; recorded for inspection."""
        self.prefetched.extend(names)


def _without_marker(requirement: Requirement) -> str:
    text = requirement.name
    if requirement.extras:
        text += "[" + ",".join(sorted(requirement.extras)) + "]"
    if requirement.url:
        return f"{text} @ {requirement.url}"
    return text + str(requirement.specifier)
