"""A lock extended with new registry requirements, without resolving the workspace again.

When the members' only change is new registry requirements (what `puv add` writes), uv resolves
every fork of the workspace again, preferring the locked versions: the locked packages stay where
they were, and the new requirements' closure is resolved in each fork. When that closure cannot
interact with the rest, the result is the old lock plus the closure, which a resolution of the
new requirements alone finds. `extended_lock` makes that resolution (each changed member with
only its new requirements, the same settings, indexes and preferences) and accepts it only when

- it did not fork, or forked along the lock's own forks (each of the lock's forks lies within
  one of its forks): each of the lock's forks then picks what the closure's fork around it
  picked, the newest there, since the `requires-python` fork strategy splits wherever a newer
  Python would get a newer version;
- every package of it that the lock already has is locked at that one version, unforked, and
  used by the lock wherever the closure uses it, as is each extra the closure asks of it: its own
  dependencies, markers and wheels stay as they are;
- no locked package depends on a new one, and no new one is a workspace member;

and the workspace declares no conflicts or required environments and keeps uv's default fork
strategy. The caller checks the result as it checks any lock (`stale_reason`). Anything else
returns None, and the workspace is resolved as usual.

uv repeats its warnings about extras a package lacks on every resolution, and a lock does not
record them: `lock.py` extends only locks whose resolution warned about nothing (`_QuietLocks`),
so the closure's warnings are all a full resolution would print.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from msgspec.structs import replace

from puv.core.errors import PuvError
from puv.core.markers import Marker
from puv.lock.model import Dependency, Lock, Package, Requirement
from puv.operations.lock_inputs import LocalPackage, LockInputs

if TYPE_CHECKING:
    from packaging.requirements import Requirement as PepRequirement
    from packaging.version import Version

    from puv.cache.http_cache import Refresh
    from puv.index.indexes import IndexList
    from puv.operations.context import Context
    from puv.operations.project_provider import GroupExtras
    from puv.python.interpreter import Interpreter
    from puv.resolver.universal import UniversalResolution

__all__ = ["extended_lock", "seeded_forks"]


def extended_lock(
    ctx: Context,
    existing: Lock,
    inputs: LockInputs,
    interpreter: Interpreter,
    preferences: Mapping[str, list[Version]],
    indexes: IndexList,
    refresh: Refresh | None = None,
) -> tuple[Lock, list[str]] | None:
    """`existing` with the members' new registry requirements and their closure added, and the
    resolver's warnings about that closure; None when the workspace must be resolved again (see
    the module docstring)."""
    if not _extensible(existing, inputs):
        return None
    added = _added_requirements(existing, inputs)
    if not added:
        return None
    debug = ctx.printer.debug
    from puv.operations.lock import LockRegistries, lock_from_resolution, missing_extra_warnings
    from puv.operations.lock_resolve import resolve_workspace

    closure = _closure_inputs(inputs, added)
    try:
        provider, resolution, sourced = resolve_workspace(
            ctx, closure, interpreter, preferences, indexes=indexes, refresh=refresh
        )
    except PuvError:
        debug("The new requirements alone do not resolve; resolving the workspace")
        return None  # the full resolution reports it
    forks = seeded_forks(existing, inputs)
    misfit = _misfit(existing, inputs, resolution, closure.members, forks)
    if misfit is not None:
        debug(f"The new requirements' closure {misfit}; resolving the workspace")
        return None
    partial = lock_from_resolution(
        closure, provider, resolution, sourced, LockRegistries(indexes, inputs.root)
    )
    merged = _merged(existing, partial, inputs, forks, resolution)
    if merged is None:
        debug("The new requirements' closure disagrees with the lock; resolving the workspace")
        return None
    return merged, missing_extra_warnings(closure, provider, resolution, sourced)


def _extensible(existing: Lock, inputs: LockInputs) -> bool:
    """Whether the workspace's settings leave a resolution of the new requirements alone
    equivalent to a resolution of everything."""
    return (
        not inputs.conflicts
        and not existing.conflicts
        and not inputs.required_environments
        and not existing.required_markers
        and inputs.options.fork_strategy in (None, "requires-python")
        and existing.manifest == inputs.manifest
        and existing.requires_python == inputs.requires_python
    )


def _added_requirements(
    existing: Lock, inputs: LockInputs
) -> dict[str, list[tuple[str | None, Requirement]]] | None:
    """Per member, the registry requirements it declares and the lock does not record (with the
    group each belongs to; None: `project.dependencies` or an extra's); None when anything else
    changed (a requirement removed or edited, an extra, a member, a direct source)."""
    members = {package.name for package in existing.packages if package.name in inputs.members}
    if members != set(inputs.members):
        return None
    added: dict[str, list[tuple[str | None, Requirement]]] = {}
    for name, member in inputs.members.items():
        locked = [package for package in existing.find(name) if package.source == member.source]
        if len(locked) != 1 or locked[0].version != str(member.release.version):
            return None
        old, new = locked[0].metadata, member.metadata
        if old.provides_extras != new.provides_extras:
            return None
        old_groups, new_groups = dict(old.requires_dev), dict(new.requires_dev)
        if not old_groups.keys() <= new_groups.keys():
            return None
        tables: list[tuple[str | None, Sequence[Requirement], Sequence[Requirement]]]
        tables = [(None, old.requires_dist, new.requires_dist)]
        tables += [(group, old_groups.get(group, ()), new_groups[group]) for group in new_groups]
        for group, before, after in tables:
            if not set(before) <= set(after):
                return None
            for requirement in after:
                if requirement in before:
                    continue
                if not _registry_only(requirement) or requirement.name in inputs.members:
                    return None
                added.setdefault(name, []).append((group, requirement))
    return added


def _registry_only(requirement: Requirement) -> bool:
    """Whether a `[package.metadata]` requirement is a plain registry one (at most a version
    specifier: no index, URL, path or Git source, no group include)."""
    return not requirement.groups and all(key == "specifier" for key, _ in requirement.source)


def _closure_inputs(
    inputs: LockInputs, added: Mapping[str, list[tuple[str | None, Requirement]]]
) -> LockInputs:
    """`inputs` reduced to the members with new requirements, each declaring only those."""
    from puv.operations.project_provider import LocalRelease
    from puv.resolver.provider import PackageMetadata

    members: dict[str, LocalPackage] = {}
    for name, requirements in added.items():
        member = inputs.members[name]
        release = member.release
        texts = [_requirement_text(r, group, release.groups) for group, r in requirements]
        metadata = PackageMetadata(
            _parsed(texts), release.metadata.requires_python, release.metadata.provides_extras
        )
        stripped = LocalRelease(release.name, release.version, metadata, release.groups)
        members[name] = replace(member, release=stripped)
    roots = tuple(root for root in inputs.root_requirements if root.name in members)
    return replace(inputs, members=members, root_requirements=roots, source_requests=())


def _requirement_text(requirement: Requirement, group: str | None, groups: GroupExtras) -> str:
    """The PEP 508 text the resolver gets for a new requirement (a group's carries the extra
    that stands for its group, as `lock_inputs` writes them)."""
    extras = f"[{','.join(requirement.extras)}]" if requirement.extras else ""
    marker = Marker.TRUE if requirement.marker is None else Marker.parse(requirement.marker)
    if group is not None:
        marker = marker & Marker.parse(f"extra == '{groups.extra(group)}'")
    text = f"{requirement.name}{extras}{requirement.specifier or ''}"
    shown = marker.to_text()
    return text if shown is None else f"{text} ; {shown}"


def _parsed(texts: Iterable[str]) -> tuple[PepRequirement, ...]:
    from packaging.requirements import Requirement as PepRequirement

    return tuple(PepRequirement(text) for text in texts)


def seeded_forks(existing: Lock, inputs: LockInputs) -> list[Marker]:
    """The lock's forks in the order a resolution seeded with them solves (and writes) them,
    when none splits further: what uv's second resolution in `add` (the bounds) writes."""
    from puv.resolver.universal import seeded_fork_order

    lowest = inputs.options.resolution_mode == "lowest"
    return seeded_fork_order(existing.resolution_markers, lowest_first=lowest)


def _misfit(
    existing: Lock,
    inputs: LockInputs,
    resolution: UniversalResolution,
    changed: Collection[str],
    forks: Sequence[Marker],
) -> str | None:
    """Why the new requirements' resolution would change the locked packages (completing "the
    closure ..."), or None when it leaves them as they are (see the module docstring)."""
    python = Marker.from_requires_python(existing.requires_python)
    if not _forks_fit(resolution.fork_markers, forks, python):
        return "forks where the lock does not"
    locked = Counter(package.name for package in existing.packages)
    used = _reachability(existing, inputs.members)
    for package in resolution.packages:
        if package.name in changed or package.name not in locked:
            continue
        where = used.get((package.name, None))
        if where is None or not (package.marker & python).is_disjoint(~where):
            return f"uses `{package.name}` where the lock does not, or the lock forks it"
        if existing.find(package.name)[0].version != str(package.version):
            return f"needs another version of `{package.name}`"
    for edge in resolution.edges:
        if edge.source is None or edge.source == edge.target:
            continue  # the root asks for the changed members, which ask for their extras
        new_source = edge.source in changed or edge.source not in locked
        if edge.target in inputs.members:
            return f"depends on the workspace member `{edge.target}`"
        if not new_source and edge.target not in locked:
            return f"adds a dependency of the locked `{edge.source}`"
        if new_source and edge.target in locked and edge.target_extra is not None:
            # an extra of a locked package, which the lock must already use wherever this does
            where = used.get((edge.target, edge.target_extra))
            wanted = edge.marker & edge.source_marker & python
            if where is None or not wanted.is_disjoint(~where):
                return f"uses `{edge.target}[{edge.target_extra}]` where the lock does not"
    return None


def _forks_fit(closure: Sequence[Marker], forks: Sequence[Marker], python: Marker) -> bool:
    """Whether each of the lock's `forks` lies within one of the `closure`'s forks (the closure
    did not fork, or forked along the lock's own lines): the lock's forks then stay, and each
    picks what the closure's fork around it picked."""
    if not closure:
        return True
    return all(any((fork & python).is_disjoint(~own) for own in closure) for fork in forks)


def _reachability(lock: Lock, members: Collection[str]) -> dict[tuple[str, str | None], Marker]:
    """Where the lock uses each package it holds at one version without `resolution-markers`,
    and each extra of it (by name and extra; None: the package itself): the union, over its paths
    from the members (all their extras and groups), of the markers on them. A lock writes an edge's marker simplified against
    where its source is used; and'ed with that, it is the edge's own again. Paths through forked
    packages are left out, so a package may be used in more places than this says, never fewer."""
    counts = Counter(package.name for package in lock.packages)
    single = {
        package.name: package
        for package in lock.packages
        if counts[package.name] == 1 and not package.resolution_markers
    }
    reach: dict[tuple[str, str | None], Marker] = {}
    pending: list[tuple[str, str | None]] = []

    def grow(node: tuple[str, str | None], marker: Marker) -> None:
        before = reach.get(node, Marker.FALSE)
        after = before | marker
        if after != before:
            reach[node] = after
            pending.append(node)

    for name in members:
        grow((name, None), Marker.TRUE)
    while pending:
        name, extra = pending.pop()
        package = single.get(name)
        if package is None:
            continue
        here = reach[(name, extra)]
        for dependency in _edges(package, extra, member=name in members):
            marker = here if dependency.marker is None else here & Marker.parse(dependency.marker)
            target = dependency.package_id.name
            grow((target, None), marker)
            for wanted in dependency.extra:
                grow((target, wanted), marker)
    return {node: marker for node, marker in reach.items() if node[0] in single}


def _edges(package: Package, extra: str | None, *, member: bool) -> Iterable[Dependency]:
    """The edges of a package's node: its dependencies (for a member, also those of every extra
    and group), or those of one of its extras."""
    if extra is not None:
        return (
            dep for name, deps in package.optional_dependencies if name == extra for dep in deps
        )
    tables = [package.dependencies]
    if member:
        tables += [deps for _, deps in package.optional_dependencies]
        tables += [deps for _, deps in package.dev_dependencies]
    return (dependency for deps in tables for dependency in deps)


def _merged(
    existing: Lock,
    partial: Lock,
    inputs: LockInputs,
    forks: Sequence[Marker],
    resolution: UniversalResolution,
) -> Lock | None:
    """`existing` with the new packages of `partial` (a name at several versions lists the
    lock's `forks` that use each), the members' new edges, and every member's current
    `[package.metadata]`; None when `partial` disagrees with it on a locked package or an edge."""
    from puv.lock.from_resolution import canonical_fork_markers
    from puv.lock.order import sort_lock

    locked_ids = {package.id for package in existing.packages}
    locked_names = {package.name for package in existing.packages}
    grown: dict[str, Package] = {}
    added: list[Package] = []
    for package in partial.packages:
        if package.name in inputs.members:
            grown[package.name] = package
        elif package.name not in locked_names:
            added.append(package)
        elif package.id not in locked_ids:
            return None
    where: dict[tuple[str, str | None], Marker] = {
        (p.name, str(p.version)): p.marker for p in resolution.packages
    }
    versions = Counter(package.name for package in added)
    packages = [
        package
        if versions[package.name] == 1
        else replace(
            package,
            resolution_markers=canonical_fork_markers(
                [f for f in forks if not f.is_disjoint(where[(package.name, package.version)])],
                existing.requires_python,
            ),
        )
        for package in added
    ]
    for package in existing.packages:
        member = inputs.members.get(package.name)
        if member is not None and package.source == member.source:
            package = replace(package, metadata=member.metadata)
            new = grown.get(package.name)
            grew = package if new is None else _with_edges(package, new)
            if grew is None or (new is not None and new.id != package.id):
                return None
            package = grew
        packages.append(package)
    resolution_markers = canonical_fork_markers(forks, existing.requires_python)
    return sort_lock(
        replace(existing, resolution_markers=resolution_markers, packages=tuple(packages))
    )


def _with_edges(package: Package, new: Package) -> Package | None:
    """`package` with the edges of `new` added to each of its tables; None when a new edge's
    target already has one in that table."""
    dependencies = _joined(package.dependencies, new.dependencies)
    optional = _joined_tables(package.optional_dependencies, new.optional_dependencies)
    dev = _joined_tables(package.dev_dependencies, new.dev_dependencies)
    if dependencies is None or optional is None or dev is None:
        return None
    return replace(
        package, dependencies=dependencies, optional_dependencies=optional, dev_dependencies=dev
    )


def _joined_tables(
    old: Sequence[tuple[str, tuple[Dependency, ...]]],
    new: Sequence[tuple[str, tuple[Dependency, ...]]],
) -> tuple[tuple[str, tuple[Dependency, ...]], ...] | None:
    tables = dict(old)
    for key, edges in new:
        joined = _joined(tables.get(key, ()), edges)
        if joined is None:
            return None
        tables[key] = joined
    return tuple(tables.items())


def _joined(
    old: tuple[Dependency, ...], new: tuple[Dependency, ...]
) -> tuple[Dependency, ...] | None:
    targets = {dependency.package_id for dependency in old}
    if any(dependency.package_id in targets for dependency in new):
        return None
    return old + new
