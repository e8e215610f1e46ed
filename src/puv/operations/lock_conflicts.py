"""`[tool.uv] conflicts` of a workspace, read as `uv lock` reads them.

Each member's sets name its own extras and groups unless an item says `package = ...`; a
non-project workspace root's sets must name the package. The sets of the root project are then
completed with uv's transitive group includes: a group that includes a conflicting group
conflicts too. The result is the resolver's `Conflicts` (items mapped to the resolver's extras)
and the lock's top-level `conflicts` tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from packaging.utils import canonicalize_name

from puv.core.errors import PuvError
from puv.lock.model import InlineTable
from puv.operations.project_provider import GroupExtras
from puv.project.pyproject import PyProject
from puv.project.workspace import Workspace
from puv.resolver.conflicts import ConflictItem, Conflicts

__all__ = ["conflict_tables", "workspace_conflicts"]

# A conflict item as declared: (package, kind, name).
_Declared = tuple[str, str, str]
_FIELDS = ("package", "extra", "group")


def workspace_conflicts(workspace: Workspace, groups: Mapping[str, GroupExtras]) -> Conflicts:
    """The workspace's declared conflicts; `groups` gives each member's group extras.

    Malformed declarations fail as uv's do (`Failed to parse: pyproject.toml`, with the span).
    """
    declared: list[tuple[_Declared, ...]] = []
    if workspace.is_non_project:
        declared += _declared_sets(workspace.pyproject, None)
    for name in sorted(workspace.members):
        declared += _declared_sets(workspace.members[name].pyproject, name)
    root = workspace.pyproject.normalized_name
    if root is not None and root in workspace.members:
        declared = _with_transitive_includes(declared, root, workspace.pyproject)
    return Conflicts(tuple(_resolver_set(items, groups) for items in declared))


def conflict_tables(conflicts: Conflicts) -> tuple[tuple[InlineTable, ...], ...]:
    """The lock's `conflicts` value: one list of `{ package, extra | group }` per set."""
    return tuple(
        tuple(InlineTable((("package", item.package), (item.kind, item.name))) for item in items)
        for items in conflicts.sets
    )


def _declared_sets(pyproject: PyProject, package: str | None) -> list[tuple[_Declared, ...]]:
    """The sets one `pyproject.toml` declares, items sorted as uv sorts them."""
    raw = (pyproject.tool_uv or {}).get("conflicts")
    if raw is None:
        return []
    keys: tuple[str | int, ...] = ("tool", "uv", "conflicts")
    if not isinstance(raw, list):
        raise pyproject.error("invalid type: expected a sequence", keys)
    sets = []
    for index, entries in enumerate(raw):
        if not isinstance(entries, list):
            raise pyproject.error("invalid type: expected a sequence", (*keys, index))
        items = [
            _declared_item(pyproject, entry, package, (*keys, index, position))
            for position, entry in enumerate(entries)
        ]
        distinct = sorted(set(items), key=_declared_order)
        if len(distinct) < 2:
            count = "none" if not distinct else "only one"
            raise pyproject.error(
                f"Each set of conflicts must have at least two entries, but found {count}", keys
            )
        sets.append(tuple(distinct))
    return sets


def _declared_item(
    pyproject: PyProject, entry: Any, package: str | None, keys: tuple[str | int, ...]
) -> _Declared:
    set_keys = keys[:-1]
    if not isinstance(entry, Mapping):
        raise pyproject.error("invalid type: expected struct ConflictItemWire", keys)
    for field in entry:
        if field not in _FIELDS:
            raise pyproject.error(
                f"unknown field `{field}`, expected one of `package`, `extra`, `group`",
                (*keys, field),
                at="key",
            )
    for field in _FIELDS:
        if field in entry and not isinstance(entry[field], str):
            raise pyproject.error("invalid type: expected a string", (*keys, field))
    extra, group = entry.get("extra"), entry.get("group")
    if extra is not None and group is not None:
        raise pyproject.error(
            "Expected one of `extra` or `group` in conflicting entry, but found both", set_keys
        )
    named = entry.get("package")
    if extra is None and group is None:
        if named is None:
            raise pyproject.error(
                "Expected `package`, `extra` or `group` field in conflicting entry", set_keys
            )
        raise PuvError(
            "Conflicts between a package and its extras or groups (an item with `package = "
            f'"{named}"` alone) are not supported by `puv lock` yet'
        )
    kind, name = ("extra", extra) if extra is not None else ("group", group)
    owner = named if named is not None else package
    if owner is None:  # uv reports this one after parsing, without a span
        shown = ", ".join(f'{key} = "{entry[key]}"' for key in _FIELDS if key in entry)
        raise PuvError(f"Expected `package` field in conflicting entry: {{ {shown} }}")
    return (canonicalize_name(str(owner)), kind, canonicalize_name(str(name)))


def _declared_order(item: _Declared) -> tuple[str, int, str]:
    package, kind, name = item
    return (package, ("extra", "group").index(kind), name)


def _resolver_set(
    items: Sequence[_Declared], groups: Mapping[str, GroupExtras]
) -> tuple[ConflictItem, ...]:
    found = []
    for package, kind, name in items:
        if kind == "extra":
            extra = name
        elif package in groups:
            extra = groups[package].extra(name)
        else:
            extra = f"group:{name}"  # a group of no member: no resolver extra is named so
        found.append(ConflictItem(package, kind, name, extra))
    return tuple(found)


def _with_transitive_includes(
    declared: list[tuple[_Declared, ...]], root: str, pyproject: PyProject
) -> list[tuple[_Declared, ...]]:
    """uv's `expand_transitive_group_includes` for the root project: for a conflicting group,
    every group including it (directly or not) conflicts with the same items."""
    includes = _group_includes(pyproject)
    if not any(kind == "group" for items in declared for _, kind, _ in items):
        return declared
    if not any(includes.values()):
        return declared
    includers: dict[str, set[str]] = {}
    for group in includes:
        for included in _transitively_included(group, includes):
            includers.setdefault(included, set()).add(group)
    result = list(declared)
    canonical = [
        item for items in declared for item in items if item[1] == "group" and item[0] == root
    ]
    seen: set[_Declared] = set()
    for item in canonical:
        if item in seen:
            continue
        seen.add(item)
        added: list[tuple[_Declared, ...]] = []
        for items in result:
            if item not in items:
                continue
            for group in sorted(includers.get(item[2], ())):
                replaced = {*items} - {item} | {(root, "group", group)}
                new = tuple(sorted(replaced, key=_declared_order))
                if new not in result and new not in added:
                    added.append(new)
        result += added
    return result


def _group_includes(pyproject: PyProject) -> dict[str, list[str]]:
    """Each dependency group of the file and the groups it includes."""
    table = pyproject.data.get("dependency-groups")
    if not isinstance(table, Mapping):
        return {}
    includes: dict[str, list[str]] = {}
    for group, entries in table.items():
        found = includes.setdefault(canonicalize_name(group), [])
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, Mapping) and isinstance(entry.get("include-group"), str):
                found.append(canonicalize_name(entry["include-group"]))
    return includes


def _transitively_included(group: str, includes: Mapping[str, Sequence[str]]) -> set[str]:
    found: set[str] = set()
    stack = list(includes.get(group, ()))
    while stack:
        current = stack.pop()
        if current not in found and current != group:
            found.add(current)
            stack.extend(includes.get(current, ()))
    return found
