"""uv's canonical order for the sequences of a lock (what `Lock::new` and its `BTreeSet`s do).

- packages by `PackageId`: name, then version (a dynamic source tree's missing version first),
  then source (registry < git < url < path < directory < editable < virtual, then location);
- dependency edges by package id, then extras, then marker (uv's marker order);
- extras, groups and members by name; requirements by name, extras, groups, marker, source.

`resolution-markers` and wheels keep the order they were given (fork order, index order).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cmp_to_key
from typing import TypeVar

from packaging.version import InvalidVersion, Version

from puv.core.errors import PuvError
from puv.core.markers import Marker
from puv.lock.model import (
    SOURCE_KINDS,
    Dependency,
    Lock,
    Manifest,
    Metadata,
    Package,
    PackageId,
    Requirement,
    Source,
)

__all__ = [
    "dependency_order",
    "package_id_key",
    "requirement_order",
    "sort_lock",
]

T = TypeVar("T")

# uv's `RequirementSource` variants in declaration order, keyed by the first source key written.
# (`Registry` < `Url` < `GitDirectory` < `GitPath` < `Path` < `Directory`; editable and virtual
# trees are `Directory` requirements with a flag.)
_REQUIREMENT_SOURCE_RANK = {
    "url": 1,
    "git": 2,
    "path": 4,
    "directory": 5,
    "editable": 5,
    "virtual": 5,
}
_DIRECTORY_FLAGS = {"directory": (0, 0), "editable": (1, 0), "virtual": (0, 1)}


def sort_lock(lock: Lock) -> Lock:
    """`lock` with packages, edges, groups and requirement sets in uv's canonical order."""
    return Lock(
        requires_python=lock.requires_python,
        version=lock.version,
        revision=lock.revision,
        resolution_markers=lock.resolution_markers,
        supported_markers=lock.supported_markers,
        required_markers=lock.required_markers,
        conflicts=lock.conflicts,
        options=lock.options,
        manifest=_sorted_manifest(lock.manifest),
        packages=tuple(
            sorted((_sorted_package(p) for p in lock.packages), key=lambda p: package_id_key(p.id))
        ),
    )


def package_id_key(package_id: PackageId) -> tuple[object, ...]:
    """The sort key of uv's `PackageId` (name, version, source)."""
    return (package_id.name, _version_key(package_id.version), _source_key(package_id.source))


def dependency_order(dependencies: Iterable[Dependency]) -> tuple[Dependency, ...]:
    """Dependency edges in uv's order: package id, then extras, then marker."""
    return tuple(sorted(dependencies, key=cmp_to_key(_compare_dependencies)))


def requirement_order(requirements: Iterable[Requirement]) -> tuple[Requirement, ...]:
    """Requirements in uv's `BTreeSet<Requirement>` order (name, extras, groups, marker, source)."""
    return tuple(sorted(requirements, key=cmp_to_key(_compare_requirements)))


def _version_key(version: str | None) -> tuple[object, ...]:
    if version is None:
        return (0,)
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (2, version)


def _source_key(source: Source) -> tuple[object, ...]:
    location: object = source.location
    if source.kind not in ("registry", "git", "url"):
        location = tuple(source.location.split("/"))
    return (SOURCE_KINDS.index(source.kind), location, source.subdirectory or "")


def _marker(text: str | None) -> Marker:
    if text is None:
        return Marker.TRUE
    try:
        return Marker.parse(text)
    except PuvError:
        return Marker.TRUE


def _cmp(left: object, right: object) -> int:
    return (left > right) - (left < right)  # type: ignore[operator]


def _compare_dependencies(left: Dependency, right: Dependency) -> int:
    return (
        _cmp(package_id_key(left.package_id), package_id_key(right.package_id))
        or _cmp(tuple(sorted(left.extra)), tuple(sorted(right.extra)))
        or _marker(left.marker).compare(_marker(right.marker))
    )


def _requirement_source_key(requirement: Requirement) -> tuple[object, ...]:
    if not requirement.source:
        return (0, "", "")
    kind, value = requirement.source[0]
    rank = _REQUIREMENT_SOURCE_RANK.get(kind, 0)
    if rank == 0:
        return (0, str(requirement.specifier or ""), repr(requirement.source))
    flags = _DIRECTORY_FLAGS.get(kind, (0, 0))
    return (rank, str(value), flags)


def _compare_requirements(left: Requirement, right: Requirement) -> int:
    return (
        _cmp(left.name, right.name)
        or _cmp(left.extras, right.extras)
        or _cmp(left.groups, right.groups)
        or _marker(left.marker).compare(_marker(right.marker))
        or _cmp(_requirement_source_key(left), _requirement_source_key(right))
    )


def _sorted_groups(groups: Iterable[tuple[str, tuple[T, ...]]]) -> list[tuple[str, tuple[T, ...]]]:
    return sorted(groups, key=lambda group: group[0])


def _sorted_package(package: Package) -> Package:
    metadata = package.metadata
    return Package(
        id=package.id,
        default_groups=package.default_groups,
        resolution_markers=package.resolution_markers,
        dependencies=dependency_order(package.dependencies),
        sdist=package.sdist,
        wheels=package.wheels,
        optional_dependencies=tuple(
            (name, dependency_order(deps))
            for name, deps in _sorted_groups(package.optional_dependencies)
        ),
        dev_dependencies=tuple(
            (name, dependency_order(deps))
            for name, deps in _sorted_groups(package.dev_dependencies)
        ),
        metadata=Metadata(
            requires_dist=requirement_order(metadata.requires_dist),
            provides_extras=metadata.provides_extras,
            requires_dev=tuple(
                (name, requirement_order(reqs))
                for name, reqs in _sorted_groups(metadata.requires_dev)
            ),
        ),
    )


def _sorted_manifest(manifest: Manifest) -> Manifest:
    return Manifest(
        members=tuple(sorted(manifest.members)),
        requirements=requirement_order(manifest.requirements),
        constraints=requirement_order(manifest.constraints),
        overrides=requirement_order(manifest.overrides),
        excludes=tuple(sorted(manifest.excludes)),
        build_constraints=requirement_order(manifest.build_constraints),
        dependency_groups=tuple(
            (name, requirement_order(reqs))
            for name, reqs in _sorted_groups(manifest.dependency_groups)
        ),
        dependency_metadata=manifest.dependency_metadata,
    )
