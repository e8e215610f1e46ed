"""Editing `pyproject.toml` (and PEP 723 script blocks) exactly as uv's `PyProjectTomlMut` does.

On top of the lossless document of `puv.project.toml_edit`, uv's own edits (`pyproject_mut.rs`):
adding, updating and removing requirements with sorted insertion and uv's one-per-line array
format, `[tool.uv.sources]` entries, `[[tool.uv.index]]` entries, workspace members, the version;
requirements are written as uv displays them.

The input is valid TOML (callers read it with `puv.project.pyproject` first, which reports syntax
errors as uv does); text that is not raises `ValueError`.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Mapping
from typing import Any

from msgspec import Struct
from msgspec.structs import replace

from puv.core.errors import PuvError
from puv.core.markers import Marker
from puv.project.dependency import InvalidDependency, parse_dependency, uv_specifier_order
from puv.project.settings_schema import normalize_name
from puv.project.toml_edit import (
    Array,
    ArrayOfTables,
    Decor,
    Document,
    InlineTable,
    Item,
    Key,
    Scalar,
    Table,
    Value,
    comment_lines,
    inline_values,
    iter_strings,
)

__all__ = [
    "AddBounds",
    "ArrayEdit",
    "DependencyType",
    "EditError",
    "PyProjectEditor",
    "Requirement",
    "bounded_specifier",
]

# --------------------------------------------------------------------------------------------
# Requirements as uv writes them (uv-pep508's `Display`)
# --------------------------------------------------------------------------------------------


class EditError(PuvError):
    """An edit uv refuses (malformed tables, ambiguous updates); the message is uv's."""


class Requirement(Struct, frozen=True):
    """A PEP 508 requirement in uv's normal form: normalized name and extras, specifiers in
    uv's order (sorted by version, stable), a direct `url` or None, and the canonical marker."""

    name: str
    extras: tuple[str, ...] = ()
    specifiers: tuple[str, ...] = ()
    url: str | None = None
    marker: Marker = Marker.TRUE

    @classmethod
    def parse(cls, text: str) -> Requirement:
        """Parse a PEP 508 string; `InvalidDependency` when it is not one."""
        dependency = parse_dependency(text)
        specifiers = _sorted_specifiers(dependency.specifier or "")
        return cls(
            dependency.name, dependency.extras, specifiers, dependency.url, dependency.marker
        )

    def __str__(self) -> str:
        parts = [self.name]
        if self.extras:
            parts.append(f"[{','.join(self.extras)}]")
        if self.url is not None:
            parts.append(f" @ {self.url}")
        else:
            parts.append(",".join(self.specifiers))
        marker = self.marker.to_text()
        if marker is not None:
            parts.append(f" ; {marker}")
        return "".join(parts)

    def with_specifiers(self, specifiers: tuple[str, ...]) -> Requirement:
        """The same requirement with `specifiers` (and no URL)."""
        return replace(self, specifiers=specifiers, url=None)


_SPECIFIER = re.compile(r"\s*(===|==|!=|~=|<=|>=|<|>)\s*(\S+?)\s*$")


def _sorted_specifiers(text: str) -> tuple[str, ...]:
    """`>=1.0.0-RC1, <2` as uv prints it (see `uv_specifier_order`)."""
    pairs = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        match = _SPECIFIER.match(part)
        if match is None:
            raise InvalidDependency(f"invalid specifier `{part}`")
        pairs.append((match.group(1), match.group(2)))
    return tuple(uv_specifier_order(pairs))


def _try_requirement(text: str) -> Requirement | None:
    try:
        return Requirement.parse(text)
    except InvalidDependency:
        return None


# --------------------------------------------------------------------------------------------
# Lower bounds (`--bounds`)
# --------------------------------------------------------------------------------------------


class AddBounds(enum.StrEnum):
    """uv's `AddBoundsKind`: the specifier written for a newly added registry requirement."""

    LOWER = "lower"
    MAJOR = "major"
    MINOR = "minor"
    EXACT = "exact"


def bounded_specifier(version: str, bounds: AddBounds) -> tuple[str, ...]:
    """The specifiers uv writes for `version` (local part dropped) under `bounds`."""
    from packaging.version import Version

    parsed = Version(version)
    lower = parsed.public
    release = list(parsed.release)
    if bounds is AddBounds.LOWER:
        return (f">={lower}",)
    if bounds is AddBounds.EXACT:
        return (f"=={lower}",)
    zeros = 0
    while zeros < len(release) and release[zeros] == 0:
        zeros += 1
    if bounds is AddBounds.MAJOR:
        if zeros == len(release):
            upper = [0, 1] + [0] * len(release[2:])
        else:
            upper = [0] * zeros + [release[zeros] + 1] + [0] * len(release[zeros + 1 :])
    elif zeros == len(release):
        upper = [0, 0, 1] + [0] * len(release[3:])
    elif zeros >= 2:
        upper = [0] * zeros + [release[zeros] + 1] + [0] * len(release[zeros + 1 :])
    else:
        major = release[zeros]
        minor = release[zeros + 1] if zeros + 1 < len(release) else 0
        upper = [0] * zeros + [major, minor + 1] + [0] * len(release[zeros + 2 :])
    return (f">={lower}", f"<{'.'.join(map(str, upper))}")


# --------------------------------------------------------------------------------------------
# uv's edits (pyproject_mut.rs)
# --------------------------------------------------------------------------------------------


class DependencyType(Struct, frozen=True):
    """Where a requirement lives: `production`, `dev` (tool.uv.dev-dependencies), `optional`
    (an extra called `name`) or `group` (a dependency group called `name`)."""

    kind: str
    name: str | None = None

    @classmethod
    def production(cls) -> DependencyType:
        """`project.dependencies`."""
        return cls("production")

    @classmethod
    def dev(cls) -> DependencyType:
        """`tool.uv.dev-dependencies`."""
        return cls("dev")

    @classmethod
    def optional(cls, extra: str) -> DependencyType:
        """`project.optional-dependencies.<extra>` (normalized)."""
        return cls("optional", normalize_name(extra))

    @classmethod
    def group(cls, group: str) -> DependencyType:
        """`dependency-groups.<group>` (normalized)."""
        return cls("group", normalize_name(group))


class ArrayEdit(Struct, frozen=True):
    """What an add did: `added` a new entry at `index`, or updated the one there."""

    index: int
    added: bool


def _implicit() -> Table:
    return Table(implicit=True)


def _table(item: Item | None, error: str) -> Table:
    if not isinstance(item, Table):
        raise EditError(error)
    return item


def _array(item: Item | None) -> Array:
    if not isinstance(item, Array):
        raise EditError("Dependencies in `pyproject.toml` are malformed")
    return item


_MALFORMED_DEPENDENCIES = "Dependencies in `pyproject.toml` are malformed"
_MALFORMED_SOURCES = "Sources in `pyproject.toml` are malformed"
_MALFORMED_WORKSPACE = "Workspace in `pyproject.toml` is malformed"


class PyProjectEditor:
    """A `pyproject.toml` (or, with `script=True`, a PEP 723 block's TOML) being edited."""

    def __init__(self, text: str, *, script: bool = False) -> None:
        # uv edits with `\n` line endings whatever the file had.
        self.document = Document.parse(text.replace("\r\n", "\n"))
        self.script = script

    def render(self) -> str:
        """The edited text."""
        return self.document.render()

    # --- navigation --------------------------------------------------------------------------

    def _tool_uv(self, *, create: bool, uv_implicit: bool = True) -> Table | None:
        root = self.document.root
        if not create:
            tool = root.get("tool")
            if tool is None:
                return None
            uv = _table(tool, _MALFORMED_DEPENDENCIES).get("uv")
            return None if uv is None else _table(uv, _MALFORMED_DEPENDENCIES)
        tool = _table(root.entry("tool", _implicit()), _MALFORMED_SOURCES)
        default = _implicit() if uv_implicit else Table()
        return _table(tool.entry("uv", default), _MALFORMED_SOURCES)

    def _project(self, *, create: bool) -> Table | None:
        if self.script:
            return self.document.root
        if create:
            return _table(self.document.root.entry("project", Table()), _MALFORMED_DEPENDENCIES)
        project = self.document.root.get("project")
        return None if project is None else _table(project, _MALFORMED_SOURCES)

    def _named(self, container: Table | InlineTable, name: str) -> tuple[str, Item] | None:
        for key, (_key, item) in container.items.items():
            if _valid_name(key) and normalize_name(key) == name:
                return key, item
        return None

    def _array_for(self, dependency_type: DependencyType, *, create: bool) -> Array | None:
        """The array of `dependency_type`, created (uv's `*_array`) or only found."""
        kind, name = dependency_type.kind, dependency_type.name or ""
        if kind == "production":
            project = self._project(create=create)
            if project is None:
                return None
            if create:
                return _array(project.entry("dependencies", Array()))
            found = project.get("dependencies")
            return None if found is None else _array(found)
        if kind == "dev":
            uv = self._tool_uv(create=create, uv_implicit=False)
            if uv is None:
                return None
            if create:
                return _array(uv.entry("dev-dependencies", Array()))
            found = uv.get("dev-dependencies")
            return None if found is None else _array(found)
        if kind == "optional":
            project = self._project(create=create)
            if project is None:
                return None
            extras: Item | None = (
                project.entry("optional-dependencies", Table())
                if create
                else project.get("optional-dependencies")
            )
        else:
            extras = (
                self.document.root.entry("dependency-groups", Table())
                if create
                else self.document.root.get("dependency-groups")
            )
        if extras is None:
            return None
        if not isinstance(extras, (Table, InlineTable)):
            raise EditError(_MALFORMED_DEPENDENCIES)
        existing = self._named(extras, name)
        if existing is not None:
            return _array(existing[1])
        if not create:
            return None
        array = Array()
        _insert_new(extras, name, array)
        return array

    # --- adding ------------------------------------------------------------------------------

    def add_dependency(
        self,
        requirement: Requirement,
        dependency_type: DependencyType,
        source: Mapping[str, str | bool] | None = None,
        *,
        raw: bool = False,
    ) -> ArrayEdit:
        """Add or update `requirement` in `dependency_type`'s array, and its source if given."""
        del raw  # uv writes the same text with or without credentials redaction here
        kind = dependency_type.kind
        was_sorted = True
        groups: Table | InlineTable | None = None
        if kind == "group":
            found = self.document.root.get("dependency-groups")
            if found is None:
                groups = _table(
                    self.document.root.entry("dependency-groups", Table()), _MALFORMED_DEPENDENCIES
                )
            elif isinstance(found, (Table, InlineTable)):
                groups = found
            else:
                raise EditError(_MALFORMED_DEPENDENCIES)
            keys = [keys[0].name for keys, _value in _flat(groups)]
            was_sorted = keys == sorted(keys)
        array = self._array_for(dependency_type, create=True)
        assert array is not None
        edit = _add_to_array(requirement, array, has_source=source is not None)
        if kind == "group" and groups is not None:
            if was_sorted:
                groups.sort_values() if isinstance(groups, Table) else _sort_inline(groups)
            if isinstance(groups, InlineTable):
                groups.fmt()
        if kind == "optional":
            project = self._project(create=True)
            assert project is not None
            extras = project.get("optional-dependencies")
            if isinstance(extras, InlineTable):
                extras.fmt()
        if source is not None:
            self._add_source(requirement.name, source)
        return edit

    def ensure_group(self, dependency_type: DependencyType) -> None:
        """Create an empty extra or dependency group when it does not exist (uv's `ensure_*`)."""
        if dependency_type.kind == "optional":
            project = self._project(create=True)
            assert project is not None
            extras = project.entry("optional-dependencies", Table())
            if not isinstance(extras, (Table, InlineTable)):
                raise EditError(_MALFORMED_DEPENDENCIES)
            if self._named(extras, dependency_type.name or "") is None:
                _insert_new(extras, dependency_type.name or "", Array())
            if isinstance(extras, InlineTable):
                extras.fmt()
        elif dependency_type.kind == "group":
            groups = self.document.root.entry("dependency-groups", Table())
            if not isinstance(groups, (Table, InlineTable)):
                raise EditError(_MALFORMED_DEPENDENCIES)
            keys = [keys[0].name for keys, _value in _flat(groups)]
            if self._named(groups, dependency_type.name or "") is None:
                _insert_new(groups, dependency_type.name or "", Array())
                if keys == sorted(keys):
                    groups.sort_values() if isinstance(groups, Table) else _sort_inline(groups)
            if isinstance(groups, InlineTable):
                groups.fmt()

    def set_dependency_bound(
        self, dependency_type: DependencyType, index: int, specifiers: tuple[str, ...]
    ) -> None:
        """Replace the specifiers of the requirement at `index` (uv's `set_dependency_bound`)."""
        array = self._array_for(dependency_type, create=True)
        assert array is not None
        if index >= len(array.items):
            raise EditError(f"Expected a dependency at index {index}")
        item = array.items[index]
        text = item.as_str() if isinstance(item, Scalar) else None
        requirement = _try_requirement(text) if text is not None else None
        if requirement is None:
            raise EditError(_MALFORMED_DEPENDENCIES)
        _replace(array, index, str(requirement.with_specifiers(specifiers)))

    def _add_source(self, name: str, source: Mapping[str, str | bool]) -> None:
        uv = self._tool_uv(create=True)
        assert uv is not None
        sources = _table(uv.entry("sources", Table()), _MALFORMED_SOURCES)
        existing = self._named(sources, name)
        if existing is not None:
            sources.remove(existing[0])
        table = InlineTable()
        for key, value in source.items():
            scalar = Scalar.boolean(value) if isinstance(value, bool) else Scalar.string(value)
            table.items[key] = (Key(key), scalar)
        sources.items[name] = (Key(name), table)

    def add_index(self, index: Mapping[str, Any], matches_url: Any) -> None:
        """Add or move to the top an `[[tool.uv.index]]` entry (uv's `add_index`).

        `index` has `url` (as written to the file), optional `name`, `default` and `format`;
        `matches_url(text)` says whether an existing entry's `url` is the same location.
        """
        size = len(self.document.root.items)
        uv = self._tool_uv(create=True)
        assert uv is not None
        existing = uv.entry("index", ArrayOfTables())
        if not isinstance(existing, ArrayOfTables):
            raise EditError(_MALFORMED_SOURCES)
        name, default = index.get("name"), bool(index.get("default"))

        def same(table: Table) -> bool:
            if name is not None and _scalar_str(table.get("name")) == name:
                return True
            if default and _scalar_bool(table.get("default")) is True:
                return True
            url = _scalar_str(table.get("url"))
            return url is not None and bool(matches_url(url))

        table = next((t for t in existing.tables if same(t)), None)
        table = _copy_table(table) if table is not None else Table()
        if name is not None and _scalar_str(table.get("name")) != name:
            _set_keeping_decor(table, "name", Scalar.string(name))
        old_url = _scalar_str(table.get("url"))
        location_changed = old_url is None or not matches_url(old_url)
        if old_url != index["url"]:
            _set_keeping_decor(table, "url", Scalar.string(index["url"]))
        if default and _scalar_bool(table.get("default")) is not True:
            _set_keeping_decor(table, "default", Scalar.boolean(True))
        if location_changed:
            if index.get("format") == "flat":
                if _scalar_str(table.get("format")) != "flat":
                    _set_keeping_decor(table, "format", Scalar.string("flat"))
            else:
                table.remove("format")
        existing.tables = [t for t in existing.tables if not same(t)]
        positions = [t.position for t in existing.tables if t.position is not None]
        if positions:
            table.position = min(positions)
            for other in existing.tables:
                if other.position is not None:
                    other.position += 1
        else:
            table.position = size
        existing.tables.append(table)

    def add_workspace_member(self, path: str) -> None:
        """Append `path` to `tool.uv.workspace.members` (uv's `add_workspace`)."""
        uv = _table(self._tool_uv(create=True), _MALFORMED_WORKSPACE)
        workspace = _table(uv.entry("workspace", Table()), _MALFORMED_WORKSPACE)
        members = workspace.entry("members", Array())
        if not isinstance(members, Array):
            raise EditError(_MALFORMED_WORKSPACE)
        members.items.append(Scalar.string(path))
        _reformat_multiline(members)

    # --- removing ----------------------------------------------------------------------------

    def remove_dependency(self, name: str, dependency_type: DependencyType) -> list[Requirement]:
        """Remove every `name` requirement from `dependency_type`'s array, and its source when
        nothing else uses it; the removed requirements, in array order from last to first."""
        array = self._array_for(dependency_type, create=False)
        if array is None:
            return []
        removed = []
        for index, _requirement in reversed(_find(array, name, None)):
            found = _remove_at(array, index)
            if found is not None:
                removed.append(found)
        if removed:
            _reformat_multiline(array)
        self._remove_source(name)
        return removed

    def _remove_source(self, name: str) -> None:
        if self.find_dependency(name, None):
            return
        uv = self._tool_uv(create=False)
        if uv is None or uv.get("sources") is None:
            return
        sources = _table(uv.get("sources"), _MALFORMED_SOURCES)
        existing = self._named(sources, name)
        if existing is not None:
            sources.remove(existing[0])
            if sources.is_empty():
                uv.remove("sources")

    # --- queries -----------------------------------------------------------------------------

    def find_dependency(self, name: str, marker: Marker | None) -> list[DependencyType]:
        """Every place a `name` requirement (under `marker`, when given) is declared."""
        found: list[DependencyType] = []
        project = self.document.root.get("project")
        if isinstance(project, Table):
            dependencies = project.get("dependencies")
            if isinstance(dependencies, Array) and _find(dependencies, name, marker):
                found.append(DependencyType.production())
            extras = project.get("optional-dependencies")
            if isinstance(extras, Table):
                found += self._found_in(extras, name, marker, DependencyType.optional)
        groups = self.document.root.get("dependency-groups")
        if isinstance(groups, Table):
            found += self._found_in(groups, name, marker, DependencyType.group)
        uv = self.document.root.get("tool")
        uv = uv.get("uv") if isinstance(uv, Table) else None
        dev = uv.get("dev-dependencies") if isinstance(uv, Table) else None
        if isinstance(dev, Array) and _find(dev, name, marker):
            found.append(DependencyType.dev())
        return found

    def _found_in(
        self, table: Table, name: str, marker: Marker | None, make: Any
    ) -> list[DependencyType]:
        found = []
        for key, (_key, item) in table.items.items():
            if isinstance(item, Array) and _valid_name(key) and _find(item, name, marker):
                found.append(make(key))
        return found

    def has_dev_dependencies(self) -> bool:
        """Whether `tool.uv.dev-dependencies` exists."""
        uv = self.document.root.get("tool")
        uv = uv.get("uv") if isinstance(uv, Table) else None
        return isinstance(uv, Table) and uv.get("dev-dependencies") is not None

    def has_dependency_group(self, group: str) -> bool:
        """Whether `dependency-groups.<group>` exists (spelled exactly so, as uv checks)."""
        groups = self.document.root.get("dependency-groups")
        return isinstance(groups, Table) and groups.get(group) is not None

    # --- the version -------------------------------------------------------------------------

    def version(self) -> str:
        """`project.version` as written."""
        project = self.document.root.get("project")
        value = project.get("version") if isinstance(project, Table) else None
        text = value.as_str() if isinstance(value, Scalar) else None
        if text is None:
            raise EditError(_MALFORMED_WORKSPACE)
        return text

    def has_dynamic_version(self) -> bool:
        """Whether `project.dynamic` lists `version`."""
        project = self.document.root.get("project")
        dynamic = project.get("dynamic") if isinstance(project, Table) else None
        if not isinstance(dynamic, Array):
            return False
        return any(text == "version" for _index, text in iter_strings(dynamic))

    def set_version(self, version: str) -> None:
        """Write `project.version`, keeping the decor around the old value."""
        project = self.document.root.get("project")
        if not isinstance(project, Table):
            raise EditError(_MALFORMED_WORKSPACE)
        value = Scalar.string(version)
        old = project.get("version")
        if isinstance(old, (Scalar, Array, InlineTable)):
            value.decor = old.decor.copy()
            key = project.items["version"][0]
            project.items["version"] = (key, value)
        else:
            project.insert("version", value)


def _valid_name(text: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", text) is not None


def _flat(table: Table | InlineTable) -> list[tuple[list[Key], Value]]:
    return table.values() if isinstance(table, Table) else inline_values(table)


def _sort_inline(table: InlineTable) -> None:
    table.items = dict(sorted(table.items.items(), key=lambda entry: entry[0]))


def _insert_new(container: Table | InlineTable, name: str, value: Value) -> None:
    if isinstance(container, Table):
        container.entry(name, value)
    else:
        container.items.setdefault(name, (Key(name), value))


def _copy_table(table: Table) -> Table:
    import copy

    return copy.deepcopy(table)


def _scalar_str(item: Item | None) -> str | None:
    return item.as_str() if isinstance(item, Scalar) else None


def _scalar_bool(item: Item | None) -> bool | None:
    if isinstance(item, Scalar) and item.raw in ("true", "false"):
        return item.raw == "true"
    return None


def _set_keeping_decor(table: Table, name: str, value: Scalar) -> None:
    old = table.get(name)
    if isinstance(old, (Scalar, Array, InlineTable)):
        value.decor = Decor(old.decor.prefix, old.decor.suffix)
    table.insert(name, value)


def _find(array: Array, name: str, marker: Marker | None) -> list[tuple[int, Requirement]]:
    """uv's `find_dependencies`: the parseable requirements named `name` (under `marker`)."""
    found = []
    for index, text in iter_strings(array):
        requirement = _try_requirement(text)
        if requirement is None or requirement.name != name:
            continue
        if marker is None or marker == requirement.marker:
            found.append((index, requirement))
    return found


def _replace(array: Array, index: int, text: str) -> None:
    value = Scalar.string(text)
    value.decor = array.items[index].decor
    array.items[index] = value


def _split_specifiers(text: str) -> tuple[str, str]:
    match = re.search(r"[><=~!@]", text)
    if match is None:
        return text.strip(), ""
    return text[: match.start()].strip(), text[match.start() :].strip()


def _sorted(items: list[Any]) -> bool:
    return all(a <= b for a, b in itertools.pairwise(items))


def _add_to_array(requirement: Requirement, array: Array, *, has_source: bool) -> ArrayEdit:
    """uv's `add_dependency` on one array."""
    to_replace = _find(array, requirement.name, requirement.marker)
    if len(to_replace) > 1:
        listed = "\n".join(f"- `{found}`" for _index, found in to_replace)
        raise EditError(
            "Cannot perform ambiguous update; found multiple entries for "
            f"`{requirement.name}`:\n{listed}"
        )
    if to_replace:
        index, old = to_replace[0]
        _replace(array, index, str(_updated(old, requirement, has_source=has_source)))
        _reformat_multiline(array)
        return ArrayEdit(index, added=False)
    texts = [text for _index, text in iter_strings(array)]
    lower = [text.lower() for text in texts]
    new = str(requirement)
    position: int | None = None
    if _sorted([_split_specifiers(text) for text in lower]):
        key = _split_specifiers(new.lower())
        position = _first(array, lambda text: _split_specifiers(text.lower()) > key)
    elif _sorted([_split_specifiers(text) for text in texts]):
        key = _split_specifiers(new)
        position = _first(array, lambda text: _split_specifiers(text) > key)
    elif _sorted(lower):
        position = _first(array, lambda text: text.lower() > new.lower())
    elif _sorted(texts):
        position = _first(array, lambda text: text > new)
    if position is None:
        strings = [i + 1 for i, item in enumerate(array.items) if _is_string(item)]
        position = strings[-1] if strings else len(array.items)
    value = Scalar.string(new)
    if position == len(array.items):
        value.decor.prefix = array.trailing
        array.trailing = ""
    elif position != 0:
        target = array.items[position].decor
        value.decor.prefix = target.prefix or ""
        target.prefix = ""
    array.items.insert(position, value)
    if len(array.items) > 1 and position == 0:
        prefix = array.items[1].decor.prefix or ""
        parts = re.split(r"\r|\n", prefix, maxsplit=1)
        if len(parts) == 2:
            first_line, rest = parts
            after = prefix[len(first_line) :]
            newline = "\r\n" if after.startswith("\r\n") else after[0]
            rest_lines = comment_lines(rest)
            last_line = rest_lines[-1] if rest_lines else ""
            array.items[0].decor.prefix = f"{first_line}{newline}{last_line}"
            array.items[1].decor.prefix = f"{newline}{rest}"
        else:
            array.items[0].decor.prefix = prefix
    _reformat_multiline(array)
    return ArrayEdit(position, added=True)


def _is_string(item: Value) -> bool:
    return isinstance(item, Scalar) and item.as_str() is not None


def _first(array: Array, predicate: Any) -> int | None:
    for index, item in enumerate(array.items):
        text = item.as_str() if isinstance(item, Scalar) else None
        if text is not None and predicate(text):
            return index
    return None


def _updated(old: Requirement, new: Requirement, *, has_source: bool) -> Requirement:
    """uv's `update_requirement`: merge extras, take the new specifier, URL and marker."""
    extras = tuple(sorted(set(old.extras) | set(new.extras)))
    updated = replace(old, extras=extras)
    if has_source:
        updated = replace(updated, url=None)
    if new.url is not None:
        updated = replace(updated, url=new.url, specifiers=())
    elif new.specifiers:
        updated = replace(updated, specifiers=new.specifiers, url=None)
    if not new.marker.is_true():
        updated = replace(updated, marker=new.marker)
    return updated


def _remove_at(array: Array, index: int) -> Requirement | None:
    """Remove the item at `index`, moving its leading comments to the next item (uv)."""
    prefix = array.items[index].decor.prefix
    if prefix:
        if index + 1 < len(array.items):
            following = array.items[index + 1].decor
            following.prefix = prefix + (following.prefix or "")
        else:
            array.trailing = prefix + array.trailing
    removed = array.items.pop(index)
    text = removed.as_str() if isinstance(removed, Scalar) else None
    return _try_requirement(text) if text is not None else None


def _comments(text: str | None) -> list[tuple[str, str | None]]:
    """uv's `find_comments`: (comment, leading whitespace or None for an own-line comment)."""
    found: list[tuple[str, str | None]] = []
    previous_empty = previous_comment = False
    for line in comment_lines(text):
        if "#" in line:
            before, comment = line.split("#", 1)
            comment_text = "#" + comment.rstrip()
            if previous_empty or previous_comment:
                found.append((comment_text, None))
            else:
                found.append((comment_text, before[len(before.rstrip()) :]))
            previous_empty, previous_comment = not line.strip(), True
        else:
            previous_empty, previous_comment = not line.strip(), False
    return found


def _reformat_multiline(array: Array) -> None:
    """uv's `reformat_array_multiline`: one item per line, comments kept, trailing comma."""
    if not array.trailing_comma and array.items:
        last = array.items[-1].decor
        if last.suffix and "#" in last.suffix:
            suffix = last.suffix
            last.suffix = ""
            array.trailing = suffix + array.trailing
    indentation: str | None = None
    if array.items:
        lines = comment_lines(array.items[0].decor.prefix)
        last_line = lines[-1] if lines else ""
        last_line = last_line.split("#", 1)[0]
        indentation = last_line or None
    newline_indent = "\n" + (indentation or "    ")
    for item in array.items:
        prefix = []
        for comment, leading in _comments(item.decor.prefix) + _comments(item.decor.suffix):
            prefix.append(newline_indent if leading is None else leading)
            prefix.append(comment)
        prefix.append(newline_indent)
        item.decor.prefix = "".join(prefix)
        item.decor.suffix = ""
    trailing = []
    for comment, leading in _comments(array.trailing):
        trailing.append(newline_indent if leading is None else leading)
        trailing.append(comment)
    if trailing or array.items:
        trailing.append("\n")
    array.trailing = "".join(trailing)
    array.trailing_comma = True
