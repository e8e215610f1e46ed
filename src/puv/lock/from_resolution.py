"""Assemble a `Lock` from a resolution graph, with uv's marker simplification and edge merging.

The caller (operations/) translates the resolver's `UniversalResolution` and the project facts
into lock terms: one `Package` per locked distribution (id, sdist, wheels, metadata,
default-groups), one `LockEdge` per dependency edge, and the fork markers. This module then does
what uv's `Lock::from_resolution` and `LockWriter` do to markers and edges:

- markers are simplified against `requires-python` (`Marker.simplify_python`);
- `resolution-markers` (top-level and per package) drop duplicates and always-true markers,
  keeping fork order; forks that differ only by declared conflicts (`extra ==
  'extra-3-pkg-one'` tests) are written by their environments alone, unless those overlap
  (`canonical_fork_markers`);
- a dependency's marker is further restricted to the environment the resolution covers (the
  union of the fork markers' environments), so that it never restates it;
- edges from the same package (and extra or group) to the same target with the same marker are
  merged into one entry whose `extra` list collects the target extras (an edge to the target
  itself adds nothing);
- everything is put in uv's canonical order (`puv.lock.order.sort_lock`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from msgspec import Struct
from msgspec.structs import replace

from puv.core.markers import Marker
from puv.lock.model import (
    CURRENT_REVISION,
    Dependency,
    InlineTable,
    Lock,
    Manifest,
    Options,
    Package,
    PackageId,
)
from puv.lock.order import sort_lock

__all__ = ["LockEdge", "build_lock", "canonical_fork_markers", "simplified_markers"]


class LockEdge(Struct, frozen=True):
    """`source` depends on `target` (with `target_extra` activated) where `marker` holds.

    `source_extra` / `source_group` put the edge under the source's
    `[package.optional-dependencies]` / `[package.dev-dependencies]`. `marker` may be given
    complete or already simplified (e.g. `UniversalResolution.dependency_marker(edge)`).
    """

    source: PackageId
    target: PackageId
    marker: Marker = Marker.TRUE
    target_extra: str | None = None
    source_extra: str | None = None
    source_group: str | None = None


def simplified_markers(markers: Iterable[Marker], requires_python: str) -> tuple[str, ...]:
    """Marker texts as uv writes `resolution-markers` / `supported-markers`: simplified against
    `requires_python`, duplicates and always-true markers dropped, order kept."""
    texts: list[str] = []
    for marker in markers:
        text = marker.simplify_python(requires_python).to_text()
        if text is not None and text not in texts:
            texts.append(text)
    return tuple(texts)


def canonical_fork_markers(markers: Sequence[Marker], requires_python: str) -> tuple[str, ...]:
    """Fork markers as uv writes `resolution-markers` (uv's `canonical_marker_trees`): their
    environments (conflict items dropped) when those are pairwise disjoint, else the complete
    markers; simplified against `requires_python`, always-true ones dropped."""
    environments: list[Marker] = []
    for marker in markers:
        environment = marker.without_extras().simplify_python(requires_python)
        if environment not in environments:
            environments.append(environment)
    overlap = any(
        not first.is_disjoint(second)
        for index, first in enumerate(environments)
        for second in environments[index + 1 :]
    )
    chosen = (
        [marker.simplify_python(requires_python) for marker in markers] if overlap else environments
    )
    return tuple(text for marker in chosen if (text := marker.to_text()) is not None)


def build_lock(
    packages: Iterable[Package],
    edges: Iterable[LockEdge],
    *,
    requires_python: str,
    fork_markers: Sequence[Marker] = (),
    package_fork_markers: Mapping[PackageId, Sequence[Marker]] | None = None,
    environments: Sequence[Marker] = (),
    required_environments: Sequence[Marker] = (),
    conflicts: Sequence[Sequence[InlineTable]] = (),
    options: Options | None = None,
    manifest: Manifest | None = None,
) -> Lock:
    """The `Lock` uv would write for this resolution (see the module docstring).

    The `resolution_markers` and `dependencies` of the given packages are replaced by those
    derived from `package_fork_markers` and `edges`.
    """
    covered = Marker.FALSE if fork_markers else Marker.TRUE
    for fork in fork_markers:
        covered = covered | fork.without_extras()
    environment = covered.simplify_python(requires_python)
    buckets = _merge_edges(edges, requires_python)
    forks_by_package = package_fork_markers or {}
    locked: list[Package] = []
    for package in packages:
        own = buckets.get(package.id, {})

        def dependencies(
            key: tuple[str, str] | None, own: _Buckets = own
        ) -> tuple[Dependency, ...]:
            return tuple(
                Dependency(target, tuple(sorted(extras)), marker.restrict(environment).to_text())
                for (target, marker), extras in own.get(key, {}).items()
            )

        extras = sorted({key[1] for key in own if key is not None and key[0] == "extra"})
        groups = sorted({key[1] for key in own if key is not None and key[0] == "group"})
        locked.append(
            replace(
                package,
                resolution_markers=canonical_fork_markers(
                    forks_by_package.get(package.id, ()), requires_python
                ),
                dependencies=dependencies(None),
                optional_dependencies=tuple((e, dependencies(("extra", e))) for e in extras),
                dev_dependencies=tuple((g, dependencies(("group", g))) for g in groups),
            )
        )
    return sort_lock(
        _without_missing_extras(
            Lock(
                requires_python=requires_python,
                revision=CURRENT_REVISION,
                resolution_markers=canonical_fork_markers(fork_markers, requires_python),
                supported_markers=simplified_markers(environments, requires_python),
                required_markers=simplified_markers(required_environments, requires_python),
                conflicts=tuple(tuple(conflict) for conflict in conflicts),
                options=options or Options(),
                manifest=manifest or Manifest(),
                packages=tuple(locked),
            )
        )
    )


def _without_missing_extras(lock: Lock) -> Lock:
    """Dependency extras the target defines no `optional-dependencies` for removed (uv drops
    them: e.g. `coverage[toml]` where the extra adds nothing under `requires-python`)."""
    defined = {
        package.id: {extra for extra, deps in package.optional_dependencies if deps}
        for package in lock.packages
    }

    def kept(dependencies: tuple[Dependency, ...]) -> tuple[Dependency, ...]:
        return tuple(
            replace(dep, extra=tuple(e for e in dep.extra if e in defined.get(dep.package_id, ())))
            for dep in dependencies
        )

    packages = tuple(
        replace(
            package,
            dependencies=kept(package.dependencies),
            optional_dependencies=tuple((e, kept(d)) for e, d in package.optional_dependencies),
            dev_dependencies=tuple((g, kept(d)) for g, d in package.dev_dependencies),
        )
        for package in lock.packages
    )
    return replace(lock, packages=packages)


# source -> (kind, name) of the extra/group (None: plain dependencies) -> (target, marker) -> extras
_Buckets = dict[tuple[str, str] | None, dict[tuple[PackageId, Marker], set[str]]]


def _merge_edges(edges: Iterable[LockEdge], requires_python: str) -> dict[PackageId, _Buckets]:
    merged: dict[PackageId, _Buckets] = {}
    for edge in edges:
        key: tuple[str, str] | None = None
        if edge.source_extra is not None:
            key = ("extra", edge.source_extra)
        elif edge.source_group is not None:
            key = ("group", edge.source_group)
        marker = edge.marker.simplify_python(requires_python)
        extras = merged.setdefault(edge.source, {}).setdefault(key, {})
        found = extras.setdefault((edge.target, marker), set())
        if edge.target_extra is not None:
            found.add(edge.target_extra)
    return merged
