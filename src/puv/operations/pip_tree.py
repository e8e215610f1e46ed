"""`pip tree`: the installed distributions of an environment as a dependency tree, as uv draws it.

    alpha v2.0
    ├── beta v2.0 [required: >=2]
    └── gamma v1.0
        └── beta v2.0 (*)
    (*) Package tree already displayed

An edge goes from a distribution to each installed distribution its `Requires-Dist` names whose
marker holds in the environment (without extras) and whose specifier admits the installed
version. `invert` reverses every edge; `packages` keeps what is reachable from those names;
`prune` leaves names out altogether. The roots are the distributions nothing points to once a
greedy feedback arc set (Eades, Lin and Smyth, as petgraph computes it) has been set aside, so
that cycles still have a root; roots and children are sorted by name, then version. A name
already drawn is not expanded again (`(*)` when it has dependencies) unless `no_dedupe`; a name
on the current path never is.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from msgspec import Struct, field
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import Specifier
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from puv.core.markers import Marker
from puv.operations.context import Context
from puv.operations.pip_env import TargetEnvironment

if TYPE_CHECKING:
    from puv.index.indexes import IndexList
    from puv.index.simple import DistFile as IndexFile
    from puv.operations.install_session import IndexArguments

__all__ = [
    "InstalledNode",
    "TreeOptions",
    "TreeReport",
    "aggregate_specifiers",
    "feedback_arc_set",
    "installed_nodes",
    "latest_versions",
    "pip_tree",
    "render_tree",
]

ALREADY_DISPLAYED = "(*) Package tree already displayed"
CYCLE = "(*) Package tree is a cycle and cannot be shown"
# uv's `Operator` order, which breaks ties between specifiers on the same version.
_OPERATOR_ORDER = ("==", "===", "!=", "~=", "<", "<=", ">", ">=")


class InstalledNode(Struct, frozen=True):
    """An installed distribution: normalized name, version and parsed `Requires-Dist`."""

    name: str
    version: Version
    requires: tuple[Requirement, ...]


class TreeOptions(Struct, frozen=True):
    """uv's `pip tree` switches (`depth` 255 by default, as in uv); `latest` maps names to the
    newest version on the indexes (`--outdated`)."""

    depth: int = 255
    prune: frozenset[str] = frozenset()
    packages: frozenset[str] = frozenset()
    no_dedupe: bool = False
    invert: bool = False
    show_version_specifiers: bool = False
    latest: Mapping[str, Version] = field(default_factory=dict)


class _Edge(Struct, frozen=True):
    source: int
    target: int
    requirement: Requirement


def installed_nodes(target: TargetEnvironment) -> list[InstalledNode]:
    """The target's distributions with their requirements (unparsable ones are skipped)."""
    from puv.operations.pip_inspect import installed, read_metadata

    nodes = []
    for dist in installed(target):
        try:
            version = Version(dist.version)
        except InvalidVersion:
            continue
        requires = []
        for text in read_metadata(dist).requires_dist:
            try:
                requires.append(Requirement(text))
            except InvalidRequirement:
                continue
        nodes.append(InstalledNode(canonicalize_name(dist.name), version, tuple(requires)))
    return nodes


def render_tree(
    nodes: Sequence[InstalledNode], environment: Mapping[str, str], options: TreeOptions
) -> list[str]:
    """The tree's lines, then uv's `(*)` legend when a line needed it."""
    kept = [node for node in nodes if node.name not in options.prune]
    edges = _edges(kept, environment, options.prune)
    if options.invert:
        edges = [_Edge(edge.target, edge.source, edge.requirement) for edge in edges]
    if options.packages:
        kept, edges = _reachable(kept, edges, options.packages)
    lines = _Drawing(kept, edges, options).lines()
    if any("(*)" in line for line in lines):
        lines.append(CYCLE if options.no_dedupe else ALREADY_DISPLAYED)
    return lines


def _edges(
    nodes: Sequence[InstalledNode], environment: Mapping[str, str], prune: frozenset[str]
) -> list[_Edge]:
    by_name: dict[str, list[int]] = {}
    for index, node in enumerate(nodes):
        by_name.setdefault(node.name, []).append(index)
    edges = []
    for index, node in enumerate(nodes):
        for requirement in node.requires:
            name = canonicalize_name(requirement.name)
            if name in prune or not _applies(requirement, environment):
                continue
            for target in by_name.get(name, ()):
                if requirement.url is None and not requirement.specifier.contains(
                    nodes[target].version, prereleases=True
                ):
                    continue
                edges.append(_Edge(index, target, requirement))
    return edges


def _applies(requirement: Requirement, environment: Mapping[str, str]) -> bool:
    if requirement.marker is None:
        return True
    return _marker(str(requirement.marker)).evaluate(environment)


@functools.lru_cache(maxsize=1024)
def _marker(text: str) -> Marker:
    return Marker.parse(text)


def _reachable(
    nodes: Sequence[InstalledNode], edges: Sequence[_Edge], names: frozenset[str]
) -> tuple[list[InstalledNode], list[_Edge]]:
    """The nodes reachable from those named `names`, renumbered, and the edges between them."""
    seen = {index for index, node in enumerate(nodes) if node.name in names}
    pending = sorted(seen)
    while pending:
        current = pending.pop(0)
        for edge in edges:
            if edge.source == current and edge.target not in seen:
                seen.add(edge.target)
                pending.append(edge.target)
    order = sorted(seen)
    renumber = {old: new for new, old in enumerate(order)}
    kept_edges = [
        _Edge(renumber[edge.source], renumber[edge.target], edge.requirement)
        for edge in edges
        if edge.source in renumber and edge.target in renumber
    ]
    return [nodes[index] for index in order], kept_edges


class _Drawing:
    """The depth-first walk that draws the tree (uv's `DisplayDependencyGraph`)."""

    def __init__(
        self, nodes: Sequence[InstalledNode], edges: Sequence[_Edge], options: TreeOptions
    ) -> None:
        self.nodes = nodes
        self.edges = edges
        self.options = options
        self.visited: dict[str, list[str]] = {}
        self.path: list[str] = []

    def lines(self) -> list[str]:
        """Every root's subtree, roots sorted by name and version."""
        lines: list[str] = []
        for root in self._roots():
            self.path.clear()
            lines += self._visit(root, ())
        return lines

    def _key(self, index: int) -> tuple[str, Version]:
        node = self.nodes[index]
        return node.name, node.version

    def _roots(self) -> list[int]:
        cut = set(feedback_arc_set([(edge.source, edge.target) for edge in self.edges]))
        pointed = {edge.target for number, edge in enumerate(self.edges) if number not in cut}
        return sorted((i for i in range(len(self.nodes)) if i not in pointed), key=self._key)

    def _visit(self, index: int, incoming: Sequence[_Edge]) -> list[str]:
        if len(self.path) > self.options.depth:
            return []
        node = self.nodes[index]
        line = f"{node.name} v{node.version}"
        if self.options.show_version_specifiers and incoming:
            line += " " + self._constraint(incoming)
        known = self.visited.get(node.name)
        if known is not None and (not self.options.no_dedupe or node.name in self.path):
            return [f"{line} (*)" if known else line]
        latest = self.options.latest.get(node.name)
        if latest is not None and latest > node.version:
            line += f" (latest: v{latest})"
        grouped: dict[int, list[_Edge]] = {}
        for edge in self.edges:
            if edge.source == index:
                grouped.setdefault(edge.target, []).append(edge)
        children = sorted(grouped, key=self._key)
        self.visited[node.name] = [self.nodes[child].name for child in children]
        self.path.append(node.name)
        lines = [line]
        for position, child in enumerate(children):
            last = position == len(children) - 1
            first_prefix, rest_prefix = ("└── ", "    ") if last else ("├── ", "│   ")
            for number, text in enumerate(self._visit(child, grouped[child])):
                lines.append((first_prefix if number == 0 else rest_prefix) + text)
        self.path.pop()
        return lines

    def _constraint(self, incoming: Sequence[_Edge]) -> str:
        shown = aggregate_specifiers(edge.requirement for edge in incoming) or "*"
        if not self.options.invert:
            return f"[required: {shown}]"
        parent = self.nodes[incoming[0].source].name
        return f"[requires: {parent} {shown}]"


def aggregate_specifiers(requirements: Iterable[Requirement]) -> str | None:
    """The requirements' constraints on one package as uv shows them: the tightest lower and
    upper bounds and every other specifier, deduplicated and sorted by version (then operator),
    joined with `, `; a URL requirement shows its URL; None when nothing constrains it."""
    specifiers: list[Specifier] = []
    for requirement in requirements:
        if requirement.url is not None:
            return requirement.url
        specifiers += list(requirement.specifier)
    if not specifiers:
        return None
    lower = upper = None
    others = []
    for specifier in specifiers:
        if specifier.operator in (">", ">="):
            lower = _tighter(lower, specifier, strict=">", prefer_greater=True)
        elif specifier.operator in ("<", "<="):
            upper = _tighter(upper, specifier, strict="<", prefer_greater=False)
        else:
            others.append(specifier)
    merged = [spec for spec in (lower, upper) if spec is not None] + others
    unique = list({str(spec): spec for spec in merged}.values())
    unique.sort(key=lambda spec: (_version(spec), _OPERATOR_ORDER.index(spec.operator)))
    return ", ".join(str(spec) for spec in unique)


def _version(specifier: Specifier) -> Version:
    try:
        return Version(specifier.version.removesuffix(".*"))
    except InvalidVersion:
        return Version("0")


def _tighter(
    current: Specifier | None, candidate: Specifier, *, strict: str, prefer_greater: bool
) -> Specifier:
    """uv's `prefer_lower` / `prefer_upper`: the tighter bound; on a tie the strict one."""
    if current is None:
        return candidate
    new, old = _version(candidate), _version(current)
    if new != old:
        return candidate if (new > old) == prefer_greater else current
    return candidate if candidate.operator == strict and current.operator != strict else current


def feedback_arc_set(edges: Sequence[tuple[int, int]]) -> list[int]:
    """The positions in `edges` of a feedback arc set, as petgraph's
    `greedy_feedback_arc_set` finds it: sinks go to the end of the node order, sources to the
    front, otherwise the node with the highest out-minus-in degree goes next; the edges that
    point backwards (or to themselves) in that order are the set."""
    order: list[int] = []  # nodes in first-seen order, as petgraph numbers them
    outs: dict[int, list[int]] = {}
    ins: dict[int, list[int]] = {}
    for source, target in edges:
        for node in (source, target):
            if node not in outs:
                order.append(node)
                outs[node], ins[node] = [], []
        outs[source].append(target)
        ins[target].append(source)
    out_degree = {node: len(outs[node]) for node in order}
    in_degree = {node: len(ins[node]) for node in order}
    buckets: dict[object, list[int]] = {}
    placed: dict[int, object] = {}

    def bucket(node: int) -> object:
        if out_degree[node] == 0:
            return "sinks"
        if in_degree[node] == 0:
            return "sources"
        return out_degree[node] - in_degree[node]

    def push(node: int) -> None:
        key = bucket(node)
        buckets.setdefault(key, []).insert(0, node)
        placed[node] = key

    def take(key: object) -> int:
        node = buckets[key].pop(0)
        del placed[node]
        return node

    def settle(node: int) -> None:
        for neighbour in outs[node]:
            if neighbour != node and neighbour in placed:
                buckets[placed[neighbour]].remove(neighbour)
                in_degree[neighbour] -= 1
                push(neighbour)
        for neighbour in ins[node]:
            if neighbour != node and neighbour in placed:
                buckets[placed[neighbour]].remove(neighbour)
                out_degree[neighbour] -= 1
                push(neighbour)

    for node in order:
        push(node)
    front: list[int] = []
    back: list[int] = []
    moved = True
    while moved:
        moved = False
        while buckets.get("sinks"):
            node = take("sinks")
            settle(node)
            back.insert(0, node)
            moved = True
        while buckets.get("sources"):
            node = take("sources")
            settle(node)
            front.append(node)
            moved = True
        degrees = [key for key, nodes in buckets.items() if isinstance(key, int) and nodes]
        if degrees:
            node = take(max(degrees))
            settle(node)
            front.append(node)
            moved = True
    position = {node: number for number, node in enumerate(front + back)}
    return [
        number
        for number, (source, target) in enumerate(edges)
        if position[source] >= position[target]
    ]


def latest_versions(
    ctx: Context,
    target: TargetEnvironment,
    names: Iterable[str],
    indexes: IndexList,
    *,
    exclude_newer: float | None,
    exclude_newer_package: Mapping[str, float | None],
    prereleases: bool,
) -> dict[str, Version]:
    """The newest version of each package an installer could use in `target` (uv's
    `LatestClient`): a file not yanked, uploaded before the package's cutoff (its
    `exclude_newer_package` entry, else `exclude_newer`), with a `Requires-Python` the
    interpreter satisfies and, for a wheel, compatible tags; pre-releases only when
    `prereleases`. Packages the indexes do not have are left out."""
    from puv.index.indexes import PackageFinder
    from puv.operations.network import http_client
    from puv.operations.wheel_select import _uploaded_before
    from puv.python.tags import interpreter_tags
    from puv.resolver.candidates import IncompatibleTag, TargetTags
    from puv.resolver.provider import DistFile

    tags = TargetTags.from_tags(interpreter_tags(target.interpreter))
    python = Version(target.interpreter.version)

    def usable(file: IndexFile, cutoff: float | None) -> bool:
        if file.yanked or not _uploaded_before(file, cutoff):
            return False
        if not _python_fits(file.requires_python, python):
            return False
        if not file.is_wheel:
            return True
        return not isinstance(
            tags.compatibility(DistFile(file.filename).wheel_tags), IncompatibleTag
        )

    with http_client(ctx, indexes) as client:
        found = PackageFinder(client, indexes).find_many(names)
    latest: dict[str, Version] = {}
    for name, package in found.items():
        cutoff = exclude_newer_package.get(name, exclude_newer)
        versions = [
            entry.version
            for entry in package.versions
            if (prereleases or not entry.version.is_prerelease)
            and any(usable(file, cutoff) for file in entry.files)
        ]
        if versions:
            latest[name] = max(versions)
    return latest


def _python_fits(requires_python: str | None, python: Version) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not requires_python:
        return True
    try:
        return SpecifierSet(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True


class TreeReport(Struct, frozen=True):
    """The drawn tree (with its legend) and what `pip check` finds, for `--strict`."""

    lines: list[str]
    problems: tuple[str, ...]


def pip_tree(
    ctx: Context,
    target: TargetEnvironment,
    options: TreeOptions,
    *,
    indexes: IndexArguments | None = None,
) -> TreeReport:
    """Draw `target`'s tree; with `indexes` (`--outdated`), mark packages with a newer version."""
    from puv.operations.pip_inspect import check_environment

    nodes = installed_nodes(target)
    if indexes is not None and nodes:
        from msgspec.structs import replace

        from puv.operations.exclude_newer import exclude_newer_cutoff
        from puv.operations.install_session import index_list
        from puv.operations.pip_requirements import RequirementSources

        pip = ctx.settings.pip

        def cutoff(value: str | bool | None) -> float | None:
            return exclude_newer_cutoff(value) if isinstance(value, str) else None

        latest = latest_versions(
            ctx,
            target,
            sorted({node.name for node in nodes}),
            index_list(ctx, indexes, RequirementSources()),
            exclude_newer=cutoff(pip.exclude_newer),
            exclude_newer_package={
                canonicalize_name(name): cutoff(value)
                for name, value in pip.exclude_newer_package.items()
            },
            prereleases=pip.prerelease == "allow",
        )
        options = replace(options, latest=latest)
    environment = dict(target.interpreter.markers)
    return TreeReport(render_tree(nodes, environment, options), check_environment(target).problems)
