"""Semantic comparison of locks (formatting and revision ignored) and `satisfies`-style checks.

uv decides whether a re-resolved lock differs from the one on disk by comparing the two `Lock`
values, not their text: key order, array layout, marker spelling and the schema `revision` do not
matter. `canonical_lock` brings a lock to that comparable form; `locks_equivalent` compares two.
"""

from __future__ import annotations

from collections.abc import Iterable

from puv.core.errors import PuvError
from puv.core.markers import Marker
from puv.lock.model import (
    Dependency,
    Lock,
    Manifest,
    Metadata,
    Package,
    Requirement,
)
from puv.lock.order import package_id_key

__all__ = [
    "canonical_lock",
    "locks_equivalent",
    "manifest_matches",
    "metadata_matches",
    "workspace_members",
]


def locks_equivalent(left: Lock, right: Lock) -> bool:
    """Whether two locks describe the same resolution (uv's semantic equality)."""
    return canonical_lock(left) == canonical_lock(right)


def canonical_lock(lock: Lock) -> Lock:
    """`lock` with revision 0, canonical marker text, and every set-like sequence sorted."""
    return Lock(
        requires_python=lock.requires_python,
        version=lock.version,
        revision=0,
        resolution_markers=_marker_set(lock.resolution_markers),
        supported_markers=_marker_set(lock.supported_markers),
        required_markers=_marker_set(lock.required_markers),
        conflicts=tuple(sorted((tuple(sorted(s, key=repr)) for s in lock.conflicts), key=repr)),
        options=lock.options,
        manifest=_canonical_manifest(lock.manifest),
        packages=tuple(
            sorted(
                (_canonical_package(p) for p in lock.packages), key=lambda p: package_id_key(p.id)
            )
        ),
    )


def metadata_matches(locked: Metadata, expected: Metadata) -> bool:
    """Whether a member's `[package.metadata]` equals what its pyproject declares now.

    The comparison is textual per requirement (as uv's `satisfies`), order-insensitive.
    """
    return _canonical_metadata(locked) == _canonical_metadata(expected)


def manifest_matches(locked: Manifest, expected: Manifest) -> bool:
    """Whether the locked `[manifest]` equals the workspace's current one (members,
    requirements, constraints, overrides, excludes, build constraints, dependency groups and
    dependency metadata), order-insensitive and textual per requirement."""
    return _canonical_manifest(locked) == _canonical_manifest(expected)


def workspace_members(lock: Lock) -> tuple[Package, ...]:
    """The locked packages that are workspace members (named in `[manifest] members`, or, for a
    single-project lock without a members list, the local source trees)."""
    members = set(lock.manifest.members)
    if members:
        return tuple(p for p in lock.packages if p.id.name in members and p.source.is_local_tree)
    return tuple(p for p in lock.packages if p.source.kind in ("editable", "virtual"))


def _canonical_marker(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return Marker.parse(text).to_text()
    except PuvError:
        return text


def _marker_set(markers: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({_canonical_marker(m) or "" for m in markers}))


def _canonical_requirement(requirement: Requirement) -> Requirement:
    return Requirement(
        name=requirement.name,
        extras=tuple(sorted(requirement.extras)),
        groups=tuple(sorted(requirement.groups)),
        marker=_canonical_marker(requirement.marker),
        source=tuple(sorted(requirement.source, key=repr)),
    )


def _requirement_set(requirements: Iterable[Requirement]) -> tuple[Requirement, ...]:
    return tuple(sorted({_canonical_requirement(r) for r in requirements}, key=repr))


def _groups(
    groups: Iterable[tuple[str, tuple[Requirement, ...]]],
) -> tuple[tuple[str, tuple[Requirement, ...]], ...]:
    return tuple(sorted((name, _requirement_set(reqs)) for name, reqs in groups))


def _canonical_manifest(manifest: Manifest) -> Manifest:
    return Manifest(
        members=tuple(sorted(set(manifest.members))),
        requirements=_requirement_set(manifest.requirements),
        constraints=_requirement_set(manifest.constraints),
        overrides=_requirement_set(manifest.overrides),
        excludes=tuple(sorted(set(manifest.excludes))),
        build_constraints=_requirement_set(manifest.build_constraints),
        dependency_groups=tuple(g for g in _groups(manifest.dependency_groups) if g[1]),
        dependency_metadata=tuple(sorted(manifest.dependency_metadata, key=repr)),
    )


def _canonical_metadata(metadata: Metadata) -> Metadata:
    return Metadata(
        requires_dist=_requirement_set(metadata.requires_dist),
        provides_extras=tuple(sorted(set(metadata.provides_extras))),
        requires_dev=_groups(metadata.requires_dev),
    )


def _dependency_set(dependencies: Iterable[Dependency]) -> tuple[Dependency, ...]:
    canonical = {
        Dependency(d.package_id, tuple(sorted(d.extra)), _canonical_marker(d.marker))
        for d in dependencies
    }
    return tuple(sorted(canonical, key=repr))


def _dependency_groups(
    groups: Iterable[tuple[str, tuple[Dependency, ...]]],
) -> tuple[tuple[str, tuple[Dependency, ...]], ...]:
    return tuple(sorted((name, _dependency_set(deps)) for name, deps in groups if deps))


def _canonical_package(package: Package) -> Package:
    return Package(
        id=package.id,
        default_groups=package.default_groups,
        resolution_markers=_marker_set(package.resolution_markers),
        dependencies=_dependency_set(package.dependencies),
        sdist=package.sdist,
        wheels=tuple(sorted(package.wheels, key=lambda wheel: wheel.filename)),
        optional_dependencies=_dependency_groups(package.optional_dependencies),
        dev_dependencies=_dependency_groups(package.dev_dependencies),
        metadata=_canonical_metadata(package.metadata),
    )
