"""`puv tree`: the project's dependency tree from its `uv.lock`, drawn as uv draws it.

The lock is brought up to date first unless `--frozen`. Without `--universal` only the
dependencies whose markers hold for the interpreter (or `--python-version`/`--python-platform`)
are shown. Each workspace member is a root; its extras and selected dependency groups hang off it:

    app v0.1.0
    ├── anyio v4.9.0
    │   └── idna v3.10
    ├── rich v14.0.0 (extra: cli)
    └── pytest v8.3.5 (group: dev)
        └── iniconfig v2.1.0
    (*) Package tree already displayed

A package whose subtree was already drawn is marked `(*)` instead of being drawn again
(`--no-dedupe` draws it again); `--invert` draws who depends on each leaf; `--outdated` asks the
index for the newest version of each registry package.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field

from puv.core.markers import Marker
from puv.lock.graph import TreeEdge, TreeGraph, conflict_marker, package_id_key, tree_graph
from puv.lock.model import Lock, PackageId
from puv.operations.context import Context
from puv.operations.export import discover_project, project_lock
from puv.operations.lock import LockRequest
from puv.project.group_flags import GroupFlags

if TYPE_CHECKING:
    from packaging.version import Version

__all__ = ["TreeRequest", "human_readable_bytes", "latest_versions", "render_tree", "tree"]

DEDUPED = "(*) Package tree already displayed"
CYCLE = "(*) Package tree is a cycle and cannot be shown"


class TreeRequest(Struct, frozen=True):
    """What `puv tree` was asked for (names already normalized)."""

    depth: int = 255
    prune: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    no_dedupe: bool = False
    invert: bool = False
    outdated: bool = False
    show_sizes: bool = False
    universal: bool = False
    python_version: str | None = None
    python_platform: str | None = None
    groups: GroupFlags = field(default_factory=GroupFlags)
    lock: LockRequest = field(default_factory=LockRequest)
    project_dir: str | None = None


def tree(ctx: Context, request: TreeRequest) -> str:
    """The rendered tree (every line ends with a newline)."""
    workspace = discover_project(ctx, request.project_dir)
    groups = request.groups.selection(workspace.pyproject)
    environment: Mapping[str, str] | None = None
    if not request.universal:
        from puv.operations.python_ops import find_interpreter
        from puv.operations.target_platform import target_of

        interpreter = find_interpreter(ctx, request.lock.python, project_dir=workspace.root)
        if request.lock.frozen:  # otherwise locking says which interpreter it uses
            ctx.printer.status(
                f"Using {interpreter.display_name} interpreter at: {interpreter.sys_executable}"
            )
        environment = target_of(
            interpreter,
            python_version=request.python_version,
            python_platform=request.python_platform,
            environ=os.environ,
        ).markers
    lock = project_lock(ctx, workspace, request.lock).lock
    latest = latest_versions(ctx, lock, workspace.root) if request.outdated else {}
    graph = tree_graph(
        lock,
        groups=groups,
        environment=environment,
        prune=request.prune,
        packages=request.packages,
        invert=request.invert,
    )
    lines = render_tree(
        graph,
        depth=request.depth,
        no_dedupe=request.no_dedupe,
        latest=latest,
        show_sizes=request.show_sizes,
    )
    return "".join(line + "\n" for line in lines)


# ----------------------------------------------------------------------------- rendering


_VisitKey = tuple[PackageId, frozenset[str], Marker | None]


class _Cursor(Struct, frozen=True):
    node: int
    edge: TreeEdge | None
    marker: Marker


class _Renderer:
    """uv's `TreeDisplay::render`: a depth-first walk drawing one line per visited edge."""

    def __init__(
        self,
        graph: TreeGraph,
        depth: int,
        no_dedupe: bool,
        latest: Mapping[PackageId, str],
        show_sizes: bool,
    ) -> None:
        self.graph = graph
        self.depth = depth
        self.no_dedupe = no_dedupe
        self.latest = latest
        self.show_sizes = show_sizes
        self.visited: dict[_VisitKey, list[PackageId]] = {}
        self.path: list[_VisitKey] = []

    def expanded_extras(self, node: int, edge: TreeEdge | None) -> frozenset[str]:
        """The extras whose dependencies are drawn under this occurrence of the package."""
        if self.graph.invert:
            return (
                frozenset([edge.name])
                if edge and edge.kind == "optional" and edge.name
                else frozenset()
            )
        provided = [extra for extra, _ in self.graph.package(node).optional_dependencies]
        if edge is None or edge.extras is None:
            return frozenset(provided)
        return frozenset(extra for extra in edge.extras if extra in provided)

    def line(self, node: int, edge: TreeEdge | None) -> str:
        package = self.graph.package(node)
        text = package.name
        if edge is not None and edge.extras:
            text += f"[{', '.join(edge.extras)}]"
        if package.version is not None:
            text += f" v{package.version}"
        if edge is not None and edge.kind == "optional":
            text += f" (extra: {edge.name})"
        elif edge is not None and edge.kind == "dev":
            text += f" (group: {edge.name})"
        if self.show_sizes:
            size = next((wheel.size for wheel in package.wheels if wheel.size is not None), None)
            if size is not None:
                text += f" ({human_readable_bytes(size)})"
        return text

    def children(self, cursor: _Cursor, expanded: frozenset[str]) -> list[_Cursor]:
        graph = self.graph
        if graph.invert and cursor.edge is not None and cursor.edge.kind == "dev":
            return []
        found = []
        for edge in graph.outgoing(cursor.node):
            if edge.target == 0:
                continue
            if graph.invert:
                if expanded and (edge.extras is None or not expanded <= set(edge.extras)):
                    continue
                marker = cursor.marker & edge.marker
                if marker.is_false():
                    continue
                found.append(_Cursor(edge.target, edge, marker))
            else:
                if edge.kind == "optional" and edge.name not in expanded:
                    continue
                found.append(_Cursor(edge.target, edge, Marker.TRUE))

        def order(child: _Cursor) -> tuple[object, ...]:
            assert child.edge is not None
            package_id = graph.nodes[child.node]
            assert package_id is not None
            return (child.edge.sort_kind(), package_id_key(package_id))

        return sorted(found, key=order)

    def visit(self, cursor: _Cursor) -> list[str]:
        if len(self.path) > self.depth:
            return []
        package_id = self.graph.nodes[cursor.node]
        if package_id is None:
            return []
        expanded = self.expanded_extras(cursor.node, cursor.edge)
        key = (package_id, expanded, cursor.marker if self.graph.invert else None)
        line = self.line(cursor.node, cursor.edge)
        if key in self.path:
            return [f"{line} (*)"]
        if not self.no_dedupe and key in self.visited:
            return [f"{line} (*)"] if self.visited[key] else [line]
        latest = self.latest.get(package_id)
        if latest is not None:
            line += f" (latest: v{latest})"
        children = self.children(cursor, expanded)
        lines = [line]
        if len(self.path) < self.depth:
            self.visited[key] = [
                child_id for child in children if (child_id := self.graph.nodes[child.node])
            ]
        self.path.append(key)
        for position, child in enumerate(children):
            last = position == len(children) - 1
            top, rest = ("└── ", "    ") if last else ("├── ", "│   ")
            for index, child_line in enumerate(self.visit(child)):
                lines.append((top if index == 0 else rest) + child_line)
        self.path.pop()
        return lines

    def render(self) -> list[str]:
        start = conflict_marker(self.graph.lock)
        lines: list[str] = []
        for root in self.graph.roots:
            if root == 0:
                for edge in self.graph.outgoing(0):
                    self.path.clear()
                    lines += self.visit(_Cursor(edge.target, edge, start))
            else:
                self.path.clear()
                lines += self.visit(_Cursor(root, None, start))
        return lines


def render_tree(
    graph: TreeGraph,
    *,
    depth: int = 255,
    no_dedupe: bool = False,
    latest: Mapping[PackageId, str] | None = None,
    show_sizes: bool = False,
) -> list[str]:
    """The lines `uv tree` prints for `graph`, with the `(*)` footnote when one is used."""
    lines = _Renderer(graph, depth, no_dedupe, latest or {}, show_sizes).render()
    if any("*" in line for line in lines):
        lines.append(CYCLE if no_dedupe else DEDUPED)
    return lines


def human_readable_bytes(size: int) -> str:
    """A size in IEC units with one decimal, as uv's `--show-sizes` writes it (`864B`,
    `1.5KiB`)."""
    if size < 1024:
        return f"{size}B"
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
    quantity, unit = float(size), units[0]
    for next_unit in units[1:]:
        if 1024.0 - quantity > 0.05:
            break
        quantity /= 1024.0
        unit = next_unit
    return f"{quantity:.1f}{unit}"


# ----------------------------------------------------------------------------- --outdated


def latest_versions(ctx: Context, lock: Lock, root: Path) -> dict[PackageId, str]:
    """The newest version each registry package's index offers, where newer than the locked one
    (uv's `LatestClient`: stable releases unless the lock allows pre-releases, not yanked,
    uploaded before the lock's `exclude-newer`, allowing the lock's `requires-python`). Pages
    are revalidated, as with `--refresh`."""
    import time

    from packaging.version import Version

    from puv.cache.http_cache import Refresh
    from puv.index.indexes import Index, IndexList, file_version
    from puv.lock.install_target import location_url
    from puv.operations.network import http_client

    registry = [
        package
        for package in lock.packages
        if package.source.kind == "registry" and package.version is not None
    ]
    if not registry:
        return {}

    urls = sorted({location_url(package.source.location, root) for package in registry})
    indexes = IndexList(tuple(Index(url) for url in urls))
    refresh = Refresh(time.time(), everything=True)
    with http_client(ctx, indexes, refresh=refresh) as client:
        pages = client.map(
            lambda package: client.project_page(
                location_url(package.source.location, root), package.name
            ),
            registry,
        )
    floor = _python_floor(lock.requires_python)
    cutoff = _timestamp(lock.options.exclude_newer)
    allow_prereleases = lock.options.prerelease_mode == "allow"
    found: dict[PackageId, str] = {}
    for package, page in zip(registry, pages, strict=True):
        newest: Version | None = None
        for file in page.files if page is not None else ():
            version = file_version(file.filename, package.name)
            if version is None or file.yanked:
                continue
            if version.is_prerelease and not allow_prereleases:
                continue
            uploaded = _timestamp(file.upload_time)
            if cutoff is not None and uploaded is not None and uploaded >= cutoff:
                continue
            if not _allows(file.requires_python, floor):
                continue
            if newest is None or version > newest:
                newest = version
        if newest is not None and newest > Version(str(package.version)):
            found[package.id] = str(newest)
    return found


def _python_floor(requires_python: str) -> Version | None:
    """The lowest Python version `requires-python` allows (None when unbounded)."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    floors = [
        Version(spec.version)
        for spec in SpecifierSet(requires_python)
        if spec.operator in (">=", ">", "==", "~=") and "*" not in spec.version
    ]
    return max(floors) if floors else None


def _allows(file_requires_python: str | None, floor: Version | None) -> bool:
    """Whether a file's `Requires-Python` admits the lock's lowest Python."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not file_requires_python or floor is None:
        return True
    try:
        return SpecifierSet(file_requires_python).contains(floor, prereleases=True)
    except InvalidSpecifier:
        return True


def _timestamp(text: str | None) -> datetime | None:
    """An RFC 3339 time (`2025-01-01T00:00:00Z`) as a UTC datetime (None if absent or not one)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
