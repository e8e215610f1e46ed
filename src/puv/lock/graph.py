"""Walking a `Lock` the way `uv export` and `uv tree` walk it. Pure: a lock in, values out.

Both start from roots (the selected workspace members, plus the requirements and dependency groups
the lock's `[manifest]` attaches to the workspace itself) and follow `dependencies`, the
`optional-dependencies` of every extra an edge activates and, from the roots, the selected
`dev-dependencies` groups:

- `export_nodes` flattens the reachable packages into one requirement each, with the marker under
  which it is reachable (the union over every path of the conjunction of the edge markers, written
  relative to `requires-python`, as in `uv.lock`) and the packages that depend on it (`# via`).
- `tree_graph` keeps the graph itself (edges with their kind, extras and marker), filtered to one
  environment unless it is universal, optionally inverted and narrowed to some packages, with the
  roots `uv tree` starts rendering from.

Edge order matters for `uv tree`'s output and follows uv's graph library: a node's outgoing edges
are visited newest first, and inverting the graph turns each node's incoming edges (also newest
first) into its outgoing ones.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence

from msgspec import Struct, field
from packaging.version import Version

from puv.core.errors import PuvError
from puv.core.markers import Marker
from puv.lock.install_target import (
    DependencyGroups,
    Extras,
    InstallOptions,
    InstallTarget,
    lock_root,
)
from puv.lock.model import SOURCE_KINDS, Dependency, Lock, Package, PackageId, Requirement

__all__ = [
    "ExportNode",
    "TreeEdge",
    "TreeGraph",
    "check_conflicts",
    "conflict_marker",
    "export_nodes",
    "package_id_key",
    "tree_graph",
    "workspace_members",
]

_EXTRA_TERM = re.compile(r"extra (?:==|!=) '([^']+)'")
# A conflict item: (package, extra, group); with neither, the package's own dependencies.
_ConflictKey = tuple[str, str | None, str | None]


# ----------------------------------------------------------------------------- lock facts


def workspace_members(lock: Lock) -> list[Package]:
    """The workspace members: `[manifest] members`, else the root package of a single project."""
    if not lock.manifest.members:
        root = lock_root(lock)
        return [] if root is None else [root]
    members = set(lock.manifest.members)
    return [package for package in lock.packages if package.name in members]


def package_id_key(package_id: PackageId) -> tuple[object, ...]:
    """uv's order of package ids: name, version (none first), source kind, location."""
    version = package_id.version
    return (
        package_id.name,
        version is not None,
        Version(version) if version is not None else Version("0"),
        SOURCE_KINDS.index(package_id.source.kind),
        package_id.source.location,
        package_id.source.subdirectory or "",
    )


class _Index:
    """Packages by id and by name."""

    def __init__(self, lock: Lock) -> None:
        self.by_id: dict[PackageId, Package] = {package.id: package for package in lock.packages}
        self.by_name: dict[str, list[Package]] = {}
        for package in lock.packages:
            self.by_name.setdefault(package.name, []).append(package)

    def unique(self, name: str) -> Package:
        found = self.by_name.get(name, [])
        if len(found) > 1:
            raise PuvError(f"Found multiple packages matching `{name}`")
        if not found:
            raise PuvError(f"Could not find root package `{name}`")
        return found[0]


def _marker(text: str | None) -> Marker:
    return Marker.TRUE if text is None else Marker.parse(text)


def _fork_marker(lock: Lock, package: Package) -> Marker:
    """The union of the package's `resolution-markers` (TRUE without any)."""
    if not package.resolution_markers:
        return Marker.TRUE
    combined = Marker.FALSE
    for text in package.resolution_markers:
        combined |= Marker.parse(text).complexify_python(lock.requires_python).without_extras()
    return combined


def _root_requirement_marker(lock: Lock, requirement: Requirement, package: Package) -> Marker:
    """The marker under which a `[manifest]` requirement selects `package` (FALSE: never)."""
    marker = _marker(requirement.marker)
    if package.resolution_markers:
        marker = _fork_marker(lock, package) & marker
    return marker


def _conflict_sets(lock: Lock) -> list[list[dict[str, str]]]:
    """The lock's declared conflicts: sets of `{package, extra | group}` items."""
    return [
        [{key: value for key, value in table.items if isinstance(value, str)} for table in items]
        for items in lock.conflicts
    ]


def _conflict_key(item: Mapping[str, str]) -> _ConflictKey:
    return (item.get("package", ""), item.get("extra"), item.get("group"))


def conflict_marker(lock: Lock) -> Marker:
    """The lock's declared conflicts as a marker: no two items of a set are active together."""
    marker = Marker.TRUE
    for items in _conflict_sets(lock):
        tests = [Marker.parse(f"extra == '{_encoded(_conflict_key(item))}'") for item in items]
        for first, item in enumerate(tests):
            for other in tests[first + 1 :]:
                marker &= ~item | ~other
    return marker


def _dependencies(package: Package, extra: str | None) -> tuple[Dependency, ...]:
    if extra is None:
        return package.dependencies
    return dict(package.optional_dependencies).get(extra, ())


# ----------------------------------------------------------------------------- conflicts


def check_conflicts(
    lock: Lock, target: InstallTarget, extras: Extras, groups: DependencyGroups
) -> None:
    """uv's error when the selection turns on two items of one declared conflict set (among the
    workspace members the target installs)."""
    members = _target_members(lock, target, extras, groups)
    for items in _conflict_sets(lock):
        enabled = []
        for item in items:
            if item.get("package") not in members:
                continue
            if "extra" in item:
                active = bool(extras.selected([item["extra"]]))
            elif "group" in item:
                active = groups.contains(item["group"])
            else:
                active = groups.prod
            if active:
                enabled.append(item)
        if len(enabled) >= 2:
            raise PuvError(_conflict_message(items, enabled, groups))


def _conflict_message(
    items: Sequence[Mapping[str, str]],
    enabled: Sequence[Mapping[str, str]],
    groups: DependencyGroups,
) -> str:
    def shown(item: Mapping[str, str]) -> str:
        if "extra" in item:
            return f"`{item['package']}[{item['extra']}]`"
        if "group" in item:
            return f"`{item['package']}:{item['group']}`"
        return item["package"]

    def group(name: str) -> str:
        return (
            f"`{name}` (enabled by default)"
            if groups.contains_because_default(name)
            else f"`{name}`"
        )

    conflict_set = ", ".join(shown(item) for item in items)
    if all("extra" in item for item in enabled):
        names = _conjunction([f"`{item['extra']}`" for item in enabled])
        return f"Extras {names} are incompatible with the declared conflicts: {{{conflict_set}}}"
    if all("group" in item for item in enabled):
        names = _conjunction([group(item["group"]) for item in enabled])
        return f"Groups {names} are incompatible with the conflicts: {{{conflict_set}}}"
    described = []
    for item in enabled:
        if "extra" in item:
            described.append(f"extra `{item['extra']}`")
        elif "group" in item:
            described.append(f"group {group(item['group'])}")
        else:
            described.append(f"package `{item['package']}`")
    described[0] = described[0][:1].upper() + described[0][1:]
    names = _conjunction(described)
    return f"{names} are incompatible with the declared conflicts: {{{conflict_set}}}"


def _conjunction(names: Sequence[str]) -> str:
    """`a and b`, `a, b, and c`."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def _target_members(
    lock: Lock, target: InstallTarget, extras: Extras, groups: DependencyGroups
) -> set[str]:
    """The workspace members the target installs: its roots and the members they depend on."""
    members = set(lock.manifest.members)
    if target.kind not in ("project", "projects"):
        return members
    by_name = {package.name: package for package in lock.packages}
    required = set(target.roots)
    queue: deque[tuple[str, str | None]] = deque()
    seen: set[tuple[str, str | None]] = set()

    def push(name: str, extras_of: Iterable[str]) -> None:
        for key in ((name, None), *((name, extra) for extra in extras_of)):
            if key not in seen:
                seen.add(key)
                queue.append(key)

    group_root = target.group_root(lock, groups)
    roots = [(name, True) for name in target.roots]
    if group_root is not None:
        roots.append((group_root, False))
    for name, production in roots:
        root = by_name.get(name)
        if root is None:
            continue
        if production and groups.prod:
            push(name, extras.selected(extra for extra, _ in root.optional_dependencies))
        for group, dependencies in root.dev_dependencies:
            if target.includes_group(name, group, groups):
                for dep in dependencies:
                    push(dep.package_id.name, dep.extra)
    while queue:
        name, extra = queue.popleft()
        if name in members:
            required.add(name)
        package = by_name.get(name)
        if package is not None:
            for dep in _dependencies(package, extra):
                push(dep.package_id.name, dep.extra)
    return required


# ----------------------------------------------------------------------------- export


class ExportNode(Struct, frozen=True):
    """One exported package: the marker under which it is installed (relative to
    `requires-python`; TRUE when always) and the names of the packages that depend on it."""

    package: Package
    marker: Marker
    dependents: tuple[str, ...] = ()


class _ExportEdge(Struct, frozen=True):
    source: int  # node index; 0 is the synthetic root
    target: int
    kind: str  # "prod" | "optional" | "dev"
    name: str | None  # the extra or group of an optional or dev edge
    marker: Marker
    dep_extras: tuple[str, ...]


class _ExportGraph:
    """The nodes and edges of one export, in insertion order."""

    def __init__(self) -> None:
        self.packages: list[Package | None] = [None]
        self.index: dict[PackageId, int] = {}
        self.edges: list[_ExportEdge] = []

    def node(self, package: Package) -> int:
        found = self.index.get(package.id)
        if found is None:
            found = self.index[package.id] = len(self.packages)
            self.packages.append(package)
        return found


def export_nodes(
    lock: Lock,
    target: InstallTarget,
    *,
    extras: Extras,
    groups: DependencyGroups,
    prune: Iterable[str] = (),
    annotate: bool = True,
    install: InstallOptions | None = None,
) -> list[ExportNode]:
    """The packages `uv export` writes for `target` (in the order the walk reaches them), with
    the markers under which they are needed; packages `install` leaves out are walked through
    but not returned. Raises `PuvError` when a root is missing from the lock."""
    pruned = frozenset(prune)
    index = _Index(lock)
    graph = _ExportGraph()
    queue: deque[tuple[Package, str | None]] = deque()
    seen: set[tuple[PackageId, str | None]] = set()
    activated: dict[_ConflictKey, Marker] = {}

    def follow(package: Package, dep_extras: Iterable[str]) -> None:
        for extra in (None, *dep_extras):
            if (package.id, extra) not in seen:
                seen.add((package.id, extra))
                queue.append((package, extra))

    group_root = target.group_root(lock, groups)
    roots = [(name, True) for name in target.root_names(lock)]
    if group_root is not None:
        roots.append((group_root, False))
    for root_name, production in roots:
        if root_name in pruned:
            continue
        dist = index.unique(root_name)
        if production:
            activated[(dist.name, None, None)] = Marker.TRUE
        if production and groups.prod:
            node = graph.node(dist)
            graph.edges.append(_ExportEdge(0, node, "prod", None, Marker.TRUE, ()))
            queue.append((dist, None))
            for extra in extras.selected(name for name, _ in dist.optional_dependencies):
                queue.append((dist, extra))
                activated[(dist.name, extra, None)] = Marker.TRUE
        for group, dependencies in dist.dev_dependencies:
            if not target.includes_group(dist.name, group, groups):
                continue
            activated[(dist.name, None, group)] = Marker.TRUE
            for dep in dependencies:
                if dep.package_id.name in pruned:
                    continue
                dep_dist = index.by_id[dep.package_id]
                graph.edges.append(
                    _ExportEdge(
                        0, graph.node(dep_dist), "dev", group, _marker(dep.marker), dep.extra
                    )
                )
                follow(dep_dist, dep.extra)

    manifest_groups = [
        requirements
        for group, requirements in lock.manifest.dependency_groups
        if target.includes_group(None, group, groups)
    ]
    for requirement in (
        requirement
        for requirements in (lock.manifest.requirements, *manifest_groups)
        for requirement in requirements
    ):
        if requirement.name in pruned:
            continue
        for dist in index.by_name.get(requirement.name, []):
            marker = _root_requirement_marker(lock, requirement, dist)
            if marker.is_false():
                continue
            marker = marker.simplify_python(lock.requires_python)
            graph.edges.append(
                _ExportEdge(0, graph.node(dist), "prod", None, marker, requirement.extras)
            )
            follow(dist, requirement.extras)

    while queue:
        current, current_extra = queue.popleft()
        source = graph.index[current.id]
        for dep in _dependencies(current, current_extra):
            if dep.package_id.name in pruned:
                continue
            dep_dist = index.by_id[dep.package_id]
            kind = "prod" if current_extra is None else "optional"
            marker = _marker(dep.marker)
            graph.edges.append(
                _ExportEdge(source, graph.node(dep_dist), kind, current_extra, marker, dep.extra)
            )
            follow(dep_dist, dep.extra)

    conflicts = bool(lock.conflicts)
    reachability = _reachability(graph, activated if conflicts else None)
    members = frozenset(lock.manifest.members)
    install = install or InstallOptions()
    nodes = []
    for position, exported in enumerate(graph.packages):
        if exported is None or not install.includes(exported, target.project_name, members):
            continue
        marker = reachability.get(position, Marker.FALSE)
        if marker.is_false():
            continue
        dependents: tuple[str, ...] = ()
        if annotate:
            names = {
                parent.name
                for edge in graph.edges
                if edge.target == position and (parent := graph.packages[edge.source]) is not None
            }
            dependents = tuple(sorted(names))
        nodes.append(ExportNode(exported, marker, dependents))
    return nodes


def _reachability(
    graph: _ExportGraph, known: Mapping[_ConflictKey, Marker] | None
) -> dict[int, Marker]:
    """The marker under which each node is reachable from a root (uv's
    `conflict_marker_reachability`); `known` conflict items (None: the lock declares no conflicts,
    so no marker mentions one) are tracked along the paths and inlined into the markers."""
    outgoing: dict[int, list[_ExportEdge]] = {}
    has_incoming: set[int] = set()
    for edge in reversed(graph.edges):
        outgoing.setdefault(edge.source, []).append(edge)
        has_incoming.add(edge.target)
    reachability: dict[int, Marker] = {}
    stack = [node for node in range(len(graph.packages)) if node not in has_incoming]
    for node in stack:
        reachability[node] = Marker.TRUE
    maps: dict[int, dict[_ConflictKey, Marker]] = {}
    while stack:
        parent = stack.pop()
        parent_package = graph.packages[parent]
        scope = parent_package.name if parent_package is not None else None
        if known is not None:
            reachability[parent] = _resolve_conflicts(
                reachability[parent], scope, maps.get(parent, known)
            )
        for edge in outgoing.get(parent, []):
            parent_marker = reachability[parent]
            child_package = graph.packages[edge.target]
            edge_marker = edge.marker
            parent_map: dict[_ConflictKey, Marker] = {}
            if known is not None:
                parent_map = dict(maps.get(parent, known))
                assert child_package is not None
                for extra in edge.dep_extras:
                    parent_map[(child_package.name, extra, None)] = parent_marker
                if edge.kind == "dev" and scope is not None:
                    parent_map[(scope, None, edge.name)] = parent_marker
                edge_marker = _resolve_conflicts(edge_marker, scope, parent_map)
                if edge.kind == "optional" and scope is not None:
                    active = parent_map.setdefault((scope, edge.name, None), parent_marker)
                    edge_marker &= active
                for key, value in parent_map.items():
                    parent_map[key] = value & edge_marker
                merged = maps.get(edge.target)
                if merged is None:
                    maps[edge.target] = parent_map
                else:
                    for key, value in parent_map.items():
                        merged[key] = merged.get(key, Marker.FALSE) | value
            combined = parent_marker & edge_marker
            existing = reachability.get(edge.target)
            if existing is not None:
                combined = combined | existing
                if combined == existing:
                    continue
            reachability[edge.target] = combined
            stack.append(edge.target)
    return reachability


def _encoded(key: _ConflictKey) -> str:
    """uv's encoding of a conflict item as an extra name."""
    package, extra, group = key
    if extra is not None:
        return f"extra-{len(package)}-{package}-{extra}"
    if group is not None:
        return f"group-{len(package)}-{package}-{group}"
    return f"project-{len(package)}-{package}"


def _resolve_conflicts(
    marker: Marker, scope: str | None, known: Mapping[_ConflictKey, Marker]
) -> Marker:
    """Replace every `extra == '...'` test of `marker` by the condition under which that conflict
    item is active (uv's `resolve_activated_extras`): an unknown item is never active."""
    if marker.is_true() or marker.is_false():
        return marker
    names = sorted(set(_EXTRA_TERM.findall(str(marker))))
    if not names:
        return marker
    by_encoding = {_encoded(key): value for key, value in known.items()}
    for name in names:
        condition = by_encoding.get(name)
        if condition is None and scope is not None:
            condition = known.get((scope, name, None))
        if condition is None:
            condition = Marker.FALSE
        marker = (condition & marker.simplify_extras([name])) | (
            ~condition & marker.simplify_not_extras([name])
        )
    return marker


# ----------------------------------------------------------------------------- tree


class TreeEdge(Struct, frozen=True):
    """An edge of `uv tree`'s graph: `kind` is `prod`, `optional` (`name` is the extra) or `dev`
    (`name` is the group); `extras` are the extras the edge requests on its target (None for the
    edge from the synthetic root to a member); `marker` is the full (complexified) marker."""

    source: int  # node index; 0 is the synthetic root
    target: int
    kind: str
    name: str | None
    extras: tuple[str, ...] | None
    marker: Marker = Marker.TRUE

    def sort_kind(self) -> tuple[int, str]:
        """uv's order of edge kinds: dependencies, then extras, then groups (by name)."""
        return ({"prod": 0, "optional": 1, "dev": 2}[self.kind], self.name or "")


class TreeGraph(Struct):
    """The graph `uv tree` renders: `nodes[0]` is the synthetic root (None), `edges` are in
    insertion order (already reversed for `--invert`), `roots` the nodes rendering starts at."""

    lock: Lock
    nodes: list[PackageId | None]
    edges: list[TreeEdge]
    packages: Mapping[PackageId, Package]
    roots: list[int] = field(default_factory=list)
    invert: bool = False

    def outgoing(self, node: int) -> list[TreeEdge]:
        """The edges leaving `node`, newest first (the graph library's order)."""
        return [edge for edge in reversed(self.edges) if edge.source == node]

    def package(self, node: int) -> Package:
        """The locked package of a (non-root) node."""
        package_id = self.nodes[node]
        assert package_id is not None
        return self.packages[package_id]


def tree_graph(
    lock: Lock,
    *,
    groups: DependencyGroups,
    environment: Mapping[str, str] | None = None,
    prune: Iterable[str] = (),
    packages: Iterable[str] = (),
    invert: bool = False,
) -> TreeGraph:
    """The graph of `uv tree` (uv's `TreeDisplay::new`): every member with all its extras and the
    selected groups, the lock's own requirements and groups; dependencies whose marker does not
    hold in `environment` are dropped unless it is None (`--universal`)."""
    pruned = frozenset(prune)
    wanted = frozenset(packages)
    index = _Index(lock)
    nodes: list[PackageId | None] = [None]
    positions: dict[PackageId, int] = {}
    edges: list[TreeEdge] = []
    queue: deque[tuple[PackageId, str | None]] = deque()
    seen: set[tuple[PackageId, str | None]] = set()

    def node(package_id: PackageId) -> int:
        found = positions.get(package_id)
        if found is None:
            found = positions[package_id] = len(nodes)
            nodes.append(package_id)
        return found

    def follow(package_id: PackageId, extras: Iterable[str]) -> None:
        for extra in (None, *extras):
            if (package_id, extra) not in seen:
                seen.add((package_id, extra))
                queue.append((package_id, extra))

    def holds(marker: Marker) -> bool:
        return environment is None or marker.evaluate(environment)

    def dependency_marker(dep: Dependency) -> Marker:
        return _marker(dep.marker).complexify_python(lock.requires_python)

    members = sorted((package.id for package in workspace_members(lock)), key=package_id_key)
    for member_id in members:
        if member_id.name in pruned:
            continue
        dist = index.by_id[member_id]
        member = node(member_id)
        edges.append(TreeEdge(0, member, "prod", None, None))
        if groups.prod:
            follow(member_id, (extra for extra, _ in dist.optional_dependencies))
        for group, dependencies in dist.dev_dependencies:
            if not groups.contains(group):
                continue
            for dep in dependencies:
                marker = dependency_marker(dep)
                if dep.package_id.name in pruned or not holds(marker):
                    continue
                edges.append(
                    TreeEdge(member, node(dep.package_id), "dev", group, dep.extra, marker)
                )
                follow(dep.package_id, dep.extra)

    manifest = lock.manifest
    root_requirements: list[tuple[str | None, Requirement]] = [
        (None, requirement) for requirement in manifest.requirements
    ]
    for group, requirements in manifest.dependency_groups:
        if groups.contains(group):
            root_requirements += [(group, requirement) for requirement in requirements]
    for owner, requirement in root_requirements:
        for dist in index.by_name.get(requirement.name, []):
            marker = _root_requirement_marker(lock, requirement, dist)
            if marker.is_false() or not holds(marker):
                continue
            kind = "prod" if owner is None else "dev"
            edges.append(TreeEdge(0, node(dist.id), kind, owner, requirement.extras, marker))
            follow(dist.id, requirement.extras)

    while queue:
        current_id, extra = queue.popleft()
        source = positions[current_id]
        for dep in _dependencies(index.by_id[current_id], extra):
            marker = dependency_marker(dep)
            if dep.package_id.name in pruned or not holds(marker):
                continue
            kind = "prod" if extra is None else "optional"
            edges.append(TreeEdge(source, node(dep.package_id), kind, extra, dep.extra, marker))
            follow(dep.package_id, dep.extra)

    member_set = frozenset(members)
    keep = _reachable(edges, [n for n, found in enumerate(nodes) if n == 0 or found in member_set])
    kept = [e for e in edges if e.source in keep and e.target in keep]
    graph = TreeGraph(lock, nodes, kept, index.by_id)
    if invert:
        graph.edges = [
            TreeEdge(e.target, e.source, e.kind, e.name, e.extras, e.marker) for e in graph.edges
        ]
        graph.invert = True
    alive = keep
    if wanted:
        starts = [n for n in keep if (found := nodes[n]) is not None and found.name in wanted]
        alive = _reachable(graph.edges, starts)
        graph.edges = [e for e in graph.edges if e.source in alive and e.target in alive]
        graph.roots = starts
    elif invert:
        graph.roots = _source_roots(alive - {0}, graph.edges, nodes)
    else:
        graph.roots = [0]
    graph.roots.sort(key=lambda n: _node_key(nodes[n]))
    return graph


def _node_key(package_id: PackageId | None) -> tuple[object, ...]:
    """uv's order of tree nodes: the synthetic root first, then packages by id."""
    return () if package_id is None else package_id_key(package_id)


def _source_roots(
    alive: set[int], edges: Sequence[TreeEdge], nodes: Sequence[PackageId | None]
) -> list[int]:
    """Where an inverted tree starts: every node nothing points to, and for each cycle nothing
    outside points into, its first node (so that packages depending on each other are shown)."""
    successors: dict[int, list[int]] = {}
    for edge in edges:
        if edge.source in alive and edge.target in alive:
            successors.setdefault(edge.source, []).append(edge.target)
    component = _components(sorted(alive), successors)
    entered = {
        component[target]
        for source, targets in successors.items()
        for target in targets
        if component[source] != component[target]
    }
    members: dict[int, list[int]] = {}
    for node, found in component.items():
        members.setdefault(found, []).append(node)
    return [
        min(group, key=lambda n: _node_key(nodes[n]))
        for found, group in members.items()
        if found not in entered
    ]


def _components(order: Sequence[int], successors: Mapping[int, list[int]]) -> dict[int, int]:
    """Strongly connected components (Tarjan, iterative): node -> component id."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    component: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    counter = 0
    for start in order:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = successors.get(node, [])
            if position < len(children):
                work.append((node, position + 1))
                child = children[position]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = node
                    if member == node:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return component


def _reachable(edges: Sequence[TreeEdge], starts: Iterable[int]) -> set[int]:
    """Every node reachable from `starts` (included) along `edges`."""
    successors: dict[int, list[int]] = {}
    for edge in edges:
        successors.setdefault(edge.source, []).append(edge.target)
    reached = set(starts)
    pending = deque(reached)
    while pending:
        for target in successors.get(pending.popleft(), []):
            if target not in reached:
                reached.add(target)
                pending.append(target)
    return reached
