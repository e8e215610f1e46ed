"""The uv.lock data model: frozen values mirroring uv's `Lock` (schema `version = 1`).

Markers are kept as the canonical text uv writes (already simplified against `requires-python`
and the resolution's environment); `puv.core.markers.Marker.parse` turns them back into values
when a caller needs to evaluate them. Sequences keep the order of the file, which is uv's
canonical order for a lock uv or `render_lock` wrote.
"""

from __future__ import annotations

from typing import Union

from msgspec import Struct, field

__all__ = [
    "CURRENT_REVISION",
    "SOURCE_KINDS",
    "Dependency",
    "DependencyMetadata",
    "InlineTable",
    "Lock",
    "Manifest",
    "Metadata",
    "Options",
    "Package",
    "PackageId",
    "Requirement",
    "Sdist",
    "Source",
    "TomlValue",
    "Wheel",
    "Zstd",
]

#: The lock schema revision uv 0.13.9 writes.
CURRENT_REVISION = 5

#: Source kinds in uv's sort order (packages with equal name and version sort by this).
SOURCE_KINDS = ("registry", "git", "url", "path", "directory", "editable", "virtual")

#: A TOML value as it appears in an inline position (strings, numbers, booleans, nested arrays
#: and inline tables kept as ordered key/value pairs).
TomlValue = Union[str, int, bool, tuple["TomlValue", ...], "InlineTable"]


class InlineTable(Struct, frozen=True):
    """An inline table whose key order matters for byte-exact output."""

    items: tuple[tuple[str, TomlValue], ...] = ()


class Source(Struct, frozen=True):
    """Where a locked package comes from: `kind` is one of `SOURCE_KINDS`, `location` is the
    registry URL or relative path, the git/direct URL, or the (portable, `/`-separated) path."""

    kind: str
    location: str
    subdirectory: str | None = None

    @property
    def is_local_tree(self) -> bool:
        """Whether this is a source tree on disk (directory, editable or virtual)."""
        return self.kind in ("directory", "editable", "virtual")


class PackageId(Struct, frozen=True):
    """The identity of a locked package; `version` is None for a dynamic source tree."""

    name: str
    version: str | None
    source: Source


class Dependency(Struct, frozen=True):
    """An edge to another locked package, with the extras it activates and its marker text."""

    package_id: PackageId
    extra: tuple[str, ...] = ()
    marker: str | None = None


class Sdist(Struct, frozen=True):
    """A source distribution: `location_kind` is `url`, `path` or None (metadata only)."""

    location_kind: str | None
    location: str | None
    hash: str | None = None
    size: int | None = None
    upload_time: str | None = None


class Zstd(Struct, frozen=True):
    """The zstd-compressed twin of a wheel (`zstd = { hash, size }`)."""

    hash: str | None = None
    size: int | None = None


class Wheel(Struct, frozen=True):
    """A wheel: `location_kind` is `url`, `path` or `filename` (a local wheel)."""

    location_kind: str
    location: str
    hash: str | None = None
    size: int | None = None
    upload_time: str | None = None
    zstd: Zstd | None = None

    @property
    def filename(self) -> str:
        """The wheel's file name."""
        return self.location.rsplit("/", 1)[-1]


class Requirement(Struct, frozen=True):
    """A requirement as uv serializes it in `requires-dist`, `requires-dev` and `[manifest]`:
    `{ name, extras?, groups?, marker?, <source keys> }`; the source keys (`specifier`, `index`,
    `editable`, `path`, `url`, `git`, ...) are kept in file order."""

    name: str
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    marker: str | None = None
    source: tuple[tuple[str, TomlValue], ...] = ()

    @property
    def specifier(self) -> str | None:
        """The version specifier, if any."""
        for key, value in self.source:
            if key == "specifier" and isinstance(value, str):
                return value
        return None


class Metadata(Struct, frozen=True):
    """`[package.metadata]`: what a local source tree declared when it was locked."""

    requires_dist: tuple[Requirement, ...] = ()
    provides_extras: tuple[str, ...] = ()
    requires_dev: tuple[tuple[str, tuple[Requirement, ...]], ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether uv would write no `[package.metadata]` table."""
        return not (self.requires_dist or self.provides_extras or self.requires_dev)


class Package(Struct, frozen=True):
    """One `[[package]]` entry."""

    id: PackageId
    default_groups: TomlValue | None = None
    resolution_markers: tuple[str, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    sdist: Sdist | None = None
    wheels: tuple[Wheel, ...] = ()
    optional_dependencies: tuple[tuple[str, tuple[Dependency, ...]], ...] = ()
    dev_dependencies: tuple[tuple[str, tuple[Dependency, ...]], ...] = ()
    metadata: Metadata = field(default_factory=Metadata)

    @property
    def name(self) -> str:
        """The normalized package name."""
        return self.id.name

    @property
    def version(self) -> str | None:
        """The locked version (None for a dynamic source tree)."""
        return self.id.version

    @property
    def source(self) -> Source:
        """Where the package comes from."""
        return self.id.source


class Options(Struct, frozen=True):
    """`[options]`: resolver settings that differ from uv's defaults.

    `exclude_newer_span` is set for a relative `exclude-newer` (then `exclude_newer` holds uv's
    placeholder timestamp). Per-package tables keep their file order.
    """

    resolution_mode: str | None = None
    prerelease_mode: str | None = None
    fork_strategy: str | None = None
    exclude_newer: str | None = None
    exclude_newer_span: str | None = None
    prerelease_package: tuple[tuple[str, str], ...] = ()
    exclude_newer_package: tuple[tuple[str, TomlValue], ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether uv would write no `[options]` table."""
        return self == Options()


class DependencyMetadata(Struct, frozen=True):
    """A `[[manifest.dependency-metadata]]` entry (static metadata given in `tool.uv`)."""

    name: str
    version: str | None = None
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None
    provides_extras: tuple[str, ...] = ()


class Manifest(Struct, frozen=True):
    """`[manifest]`: the workspace inputs the lock was resolved from."""

    members: tuple[str, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    constraints: tuple[Requirement, ...] = ()
    overrides: tuple[Requirement, ...] = ()
    excludes: tuple[str, ...] = ()
    build_constraints: tuple[Requirement, ...] = ()
    dependency_groups: tuple[tuple[str, tuple[Requirement, ...]], ...] = ()
    dependency_metadata: tuple[DependencyMetadata, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Whether uv would write no `[manifest]` table."""
        has_groups = any(requirements for _, requirements in self.dependency_groups)
        return not has_groups and self == Manifest(dependency_groups=self.dependency_groups)


class Lock(Struct, frozen=True):
    """A whole uv.lock file."""

    requires_python: str
    version: int = 1
    revision: int = CURRENT_REVISION
    resolution_markers: tuple[str, ...] = ()
    supported_markers: tuple[str, ...] = ()
    required_markers: tuple[str, ...] = ()
    conflicts: tuple[tuple[InlineTable, ...], ...] = ()
    options: Options = field(default_factory=Options)
    manifest: Manifest = field(default_factory=Manifest)
    packages: tuple[Package, ...] = ()

    def find(self, name: str) -> tuple[Package, ...]:
        """The packages locked under the (normalized) `name`."""
        return tuple(package for package in self.packages if package.id.name == name)
