"""Declared conflicts between extras and dependency groups (`[tool.uv] conflicts`), as uv's
universal resolver uses them.

A conflict item is an extra or a dependency group of one package; the items of a set must never
be active together, so the resolver forks to let them pin different versions. uv tracks which
items a fork includes or excludes in its markers, abusing the `extra` variable with an encoded
name (`extra-3-pkg-one` for the extra `one` of `pkg`, `group-3-pkg-dev` for its group `dev`;
the number is the length of the package name), so that the usual marker algebra carries them
(uv's `UniversalMarker`). After resolution, markers are simplified with what the declared
conflicts imply (`imbibe`) and with the items activated along each path of the graph
(`simplify_conflict_markers`).

The resolver knows extras only: `ConflictItem.extra` is the resolver's extra standing for the
item (for a group, the member's group extra).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

from msgspec import Struct

from puv.core.markers import Marker

__all__ = [
    "ConflictItem",
    "Conflicts",
    "encoded_name",
    "evaluate_only_extras",
    "extras_in",
    "imbibe",
    "simplify_conflict_markers",
]

_EXTRA_TEST = re.compile(r"\bextra (?:==|!=) '([^']*)'")
KINDS = ("extra", "group")


def encoded_name(kind: str, package: str, name: str) -> str:
    """uv's extra name for the extra or group `name` of `package` (`extra-3-pkg-one`)."""
    return f"{kind}-{len(package.encode())}-{package}-{name}"


class ConflictItem(Struct, frozen=True):
    """The extra (`kind` `extra`) or dependency group (`group`) `name` of `package`; `extra` is
    the resolver's extra for it (the extra itself, or the group's extra)."""

    package: str
    kind: str
    name: str
    extra: str

    @property
    def key(self) -> tuple[str, str]:
        """(package, resolver extra): how the resolver's packages name the item."""
        return (self.package, self.extra)

    @property
    def encoded(self) -> str:
        """The extra name uv's conflict markers test."""
        return encoded_name(self.kind, self.package, self.name)

    @property
    def marker(self) -> Marker:
        """The marker that holds when this item is active."""
        return Marker.parse(f"extra == '{self.encoded}'")

    @property
    def display(self) -> str:
        """How uv names the item in messages: `pkg[one]`, `pkg[group:dev]`."""
        return f"{self.package}[{'group:' if self.kind == 'group' else ''}{self.name}]"

    def sort_key(self) -> tuple[str, int, str]:
        """uv's order of items in a set: by package, extras before groups, then by name."""
        return (self.package, KINDS.index(self.kind), self.name)


class Conflicts(Struct, frozen=True):
    """The declared conflict sets, in declaration order; each set's items in uv's order."""

    sets: tuple[tuple[ConflictItem, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.sets)

    def item(self, package: str, extra: str | None) -> ConflictItem | None:
        """The item the resolver's `package[extra]` stands for, if it is declared."""
        if extra is None:
            return None
        for conflict_set in self.sets:
            for item in conflict_set:
                if item.key == (package, extra):
                    return item
        return None

    def contains(self, package: str, extra: str) -> bool:
        """Whether `package[extra]` (a resolver extra) is a declared item."""
        return self.item(package, extra) is not None

    def world(self) -> Marker:
        """What the declarations imply: no two items of a set are active together (uv's
        `ConflictMarker::from_conflicts`)."""
        world = Marker.TRUE
        for conflict_set in self.sets:
            for index, first in enumerate(conflict_set):
                for second in conflict_set[index + 1 :]:
                    world = world & (~first.marker | ~second.marker)
        return world


def fork_marker(
    env: Marker, include: Iterable[ConflictItem], exclude: Iterable[ConflictItem]
) -> Marker:
    """A fork's universal marker: its environments, the items it includes and excludes."""
    marker = env
    for item in exclude:
        marker = marker & ~item.marker
    for item in include:
        marker = marker & item.marker
    return marker


def extras_in(marker: Marker) -> set[str]:
    """The extras a marker tests."""
    return set(_EXTRA_TEST.findall(str(marker)))


def evaluate_only_extras(marker: Marker, active: Iterable[str]) -> bool:
    """Whether `marker` holds in every environment once exactly the `active` extras are on
    (uv's `MarkerTree::evaluate_only_extras`)."""
    active = set(active)
    return marker.simplify_extras(active).simplify_not_extras(extras_in(marker) - active).is_true()


def imbibe(marker: Marker, world: Marker) -> Marker:
    """`marker` simplified with the knowledge that `world` holds (uv's `imbibe`).

    A marker that tests conflict items only through `world` (where every fork marker lies)
    keeps its environments alone; any other becomes `world` implies `marker` (uv 0.13.9 writes
    `sys_platform == 'linux'` for the first kind, `extra != 'extra-3-pkg-one' or extra ==
    'extra-3-pkg-two'` for `extra != 'extra-3-pkg-one'` of the second)."""
    if world.is_true():
        return marker
    environments = marker.without_extras()
    if environments & world == marker:
        return environments
    return ~world | marker


# simplification along the graph -------------------------------------------------------------

Node = TypeVar("Node", bound=Hashable)
_Inference = frozenset[tuple[ConflictItem, bool]]


def simplify_conflict_markers(
    conflicts: Conflicts,
    edges: Mapping[tuple[Node | None, Node], Marker],
    item_of: Callable[[Node], ConflictItem | None],
    name_of: Callable[[Node], str],
) -> dict[tuple[Node | None, Node], Marker]:
    """The edge markers simplified with the conflict items active on every path to their
    source (uv's `simplify_conflict_markers`): below `pkg[one]`, `extra == 'extra-3-pkg-one'`
    holds and the items conflicting with it do not. `None` is the root; `item_of` gives the
    declared item a node stands for, `name_of` its package name."""
    if not conflicts:
        return dict(edges)
    children: dict[Node | None, list[Node]] = {}
    for source, target in edges:
        children.setdefault(source, []).append(target)
    activated = _activated(children, item_of)
    inferences = {
        node: [_inferences(conflicts, items) for items in sets] for node, sets in activated.items()
    }
    simplified = dict(edges)
    for (source, target), marker in edges.items():
        if source is None or source not in inferences:
            continue
        same_name = sum(name_of(other) == name_of(target) for other in children[source])
        if same_name > 1:
            continue
        simplified[(source, target)] = _simplify_edge(marker, inferences[source])
    return simplified


def _activated(
    children: Mapping[Node | None, Sequence[Node]], item_of: Callable[[Node], ConflictItem | None]
) -> dict[Node, list[frozenset[ConflictItem]]]:
    """For each node, the sets of conflict items active on the paths that reach it."""
    activated: dict[Node, list[frozenset[ConflictItem]]] = {}
    queue: list[Node | None] = [None]
    seen: set[Node] = set()
    while queue:
        parent = queue.pop()
        sets: list[frozenset[ConflictItem]] = [frozenset()]
        if parent is not None:
            item = item_of(parent)
            sets = activated.setdefault(parent, [frozenset()])
            if item is not None:
                sets[:] = [items | {item} for items in sets]
        for child in children.get(parent, ()):
            existing = activated.setdefault(child, [])
            changed = False
            for items in list(sets):
                if items not in existing:
                    existing.append(items)
                    changed = True
            if child not in seen or changed:
                seen.add(child)
                queue.append(child)
    return activated


def _inferences(conflicts: Conflicts, items: frozenset[ConflictItem]) -> _Inference:
    """What active `items` imply: each is on, and everything declared against it is off."""
    inferred: set[tuple[ConflictItem, bool]] = set()
    for item in items:
        for conflict_set in conflicts.sets:
            if item in conflict_set:
                inferred.update((other, False) for other in conflict_set if other != item)
        inferred.add((item, True))
    return frozenset(inferred)


def _simplify_edge(marker: Marker, inference_sets: Sequence[_Inference]) -> Marker:
    satisfied = all(
        evaluate_only_extras(marker, [item.encoded for item, on in inferred if on])
        for inferred in inference_sets
    )
    if satisfied:
        for inferred in inference_sets:
            marker = _assume(marker, inferred)
        return marker
    unified = {_assume(marker, inferred) for inferred in inference_sets}
    return unified.pop() if len(unified) == 1 else marker


def _assume(marker: Marker, inferred: _Inference) -> Marker:
    # uv's order of inferences: exclusions first, then by item.
    for item, on in sorted(inferred, key=lambda entry: (entry[1], entry[0].sort_key())):
        marker = (
            marker.simplify_extras([item.encoded])
            if on
            else marker.simplify_not_extras([item.encoded])
        )
    return marker
