"""Editing `pyproject.toml` (and PEP 723 script blocks) exactly as uv's `PyProjectTomlMut` does.

uv edits with `toml_edit`, whose document model decides every byte of the result: where comments
and blank lines attach (the "decor" before and after keys, values and array items), which tables
appear where (by their position in the file), and what a new value or table looks like. tomlkit
models whitespace differently, so its output drifts from uv's on anything but trivial files; this
module therefore ports the part of `toml_edit` uv relies on (a lossless parse into tables, keys,
values and their decor, and its encoder), then uv's own edits on top of it (`pyproject_mut.rs`):
adding, updating and removing requirements with sorted insertion and uv's one-per-line array
format, `[tool.uv.sources]` entries, `[[tool.uv.index]]` entries, workspace members, the version.

The input is valid TOML (callers read it with `puv.project.pyproject` first, which reports syntax
errors as uv does); text that is not raises `ValueError`.
"""

from __future__ import annotations

import enum
import functools
import itertools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from puv.core.errors import PuvError
from puv.core.markers import Marker
from puv.project.dependency import InvalidDependency, parse_dependency
from puv.project.settings_schema import normalize_name

__all__ = [
    "AddBounds",
    "ArrayEdit",
    "DependencyType",
    "Document",
    "EditError",
    "InlineTable",
    "Key",
    "PyProjectEditor",
    "Requirement",
    "Scalar",
    "bounded_specifier",
    "render_value",
]

# --------------------------------------------------------------------------------------------
# The document model (a port of toml_edit's Table / Array / InlineTable / Key / Decor)
# --------------------------------------------------------------------------------------------


class Decor:
    """Text before and after a node; None means the encoder's default for that place."""

    __slots__ = ("prefix", "suffix")

    def __init__(self, prefix: str | None = None, suffix: str | None = None) -> None:
        self.prefix = prefix
        self.suffix = suffix

    def clear(self) -> None:
        """Back to the defaults."""
        self.prefix = None
        self.suffix = None

    def copy(self) -> Decor:
        """An independent copy."""
        return Decor(self.prefix, self.suffix)


class Key:
    """A key: decoded `name`, its text as written (`raw`, None for a new key), the decor of the
    key as the leaf of a path (`leaf`) and around the dots of a dotted path (`dotted`)."""

    __slots__ = ("dotted", "leaf", "name", "raw")

    def __init__(self, name: str, raw: str | None = None) -> None:
        self.name = name
        self.raw = raw
        self.leaf = Decor()
        self.dotted = Decor()

    def text(self) -> str:
        """The key as written, or toml_edit's default spelling of a new key."""
        return self.raw if self.raw is not None else _key_repr(self.name)

    def fmt(self) -> None:
        """Forget the original spelling and decor (toml_edit's `Key::fmt`)."""
        self.raw = None
        self.leaf.clear()
        self.dotted.clear()


class Scalar:
    """A string, number, boolean or date-time value, kept as written."""

    __slots__ = ("decor", "raw")

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.decor = Decor()

    @classmethod
    def string(cls, value: str) -> Scalar:
        """A new string value spelled as toml_edit spells it."""
        return cls(_string_repr(value))

    @classmethod
    def boolean(cls, value: bool) -> Scalar:
        """A new boolean value."""
        return cls("true" if value else "false")

    @property
    def value(self) -> Any:
        """The decoded value."""
        return _decode(self.raw)

    def as_str(self) -> str | None:
        """The decoded string, or None when this is not a string."""
        if not self.raw or self.raw[0] not in "\"'":
            return None
        return str(_decode(self.raw))


@functools.lru_cache(maxsize=1024)
def _decode(raw: str) -> Any:
    return tomllib.loads(f"v = {raw}")["v"]


def _lines(text: str | None) -> list[str]:
    """Rust's `str::lines`: split on `\n`, drop one `\r` before it, no empty last line."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


class Array:
    """An array: items (each with its own decor), the text after the last separator
    (`trailing`), whether there is a comma after the last item, and the array's decor."""

    __slots__ = ("decor", "items", "trailing", "trailing_comma")

    def __init__(self) -> None:
        self.items: list[Value] = []
        self.trailing = ""
        self.trailing_comma = False
        self.decor = Decor()


class InlineTable:
    """`{ key = value, ... }`; `items` map a key's name to its Key and value (or, for dotted keys
    inside the braces, to a dotted `InlineTable`)."""

    __slots__ = ("decor", "dotted", "implicit", "items", "trailing", "trailing_comma")

    def __init__(self) -> None:
        self.items: dict[str, tuple[Key, Value]] = {}
        self.trailing = ""
        self.trailing_comma = False
        self.decor = Decor()
        self.implicit = False
        self.dotted = False

    def fmt(self) -> None:
        """Reset every key's and value's decor to the defaults (toml_edit's `InlineTable::fmt`)."""
        for key, value in self.items.values():
            if not (isinstance(value, InlineTable) and value.dotted):
                key.leaf.clear()
                key.dotted.clear()
                value.decor.clear()

    def get(self, name: str) -> Value | None:
        """The value of `name`, if present."""
        entry = self.items.get(name)
        return None if entry is None else entry[1]


Value = Scalar | Array | InlineTable


class Table:
    """A table: `[header]` tables, the root, implicit parents of dotted headers, and the dotted
    tables that `a.b = 1` creates. Items keep insertion order, like toml_edit's `IndexMap`."""

    __slots__ = ("decor", "dotted", "implicit", "items", "position")

    def __init__(self, position: int | None = None, *, implicit: bool = False) -> None:
        self.items: dict[str, tuple[Key, Item]] = {}
        self.decor = Decor()
        self.implicit = implicit
        self.dotted = False
        self.position = position

    def get(self, name: str) -> Item | None:
        """The item stored under `name`."""
        entry = self.items.get(name)
        return None if entry is None else entry[1]

    def entry(self, name: str, default: Item) -> Item:
        """The item under `name`, inserting `default` at the end when absent."""
        found = self.items.get(name)
        if found is None:
            self.items[name] = (Key(name), default)
            return default
        return found[1]

    def insert(self, name: str, item: Item) -> None:
        """Set `name`: an existing key keeps its place but loses its formatting (toml_edit)."""
        found = self.items.get(name)
        if found is None:
            self.items[name] = (Key(name), item)
        else:
            found[0].fmt()
            self.items[name] = (found[0], item)

    def remove(self, name: str) -> Item | None:
        """Remove `name`, keeping the order of the rest."""
        entry = self.items.pop(name, None)
        return None if entry is None else entry[1]

    def values(self) -> list[tuple[list[Key], Value]]:
        """The key-value pairs written under this table's header, dotted keys flattened."""
        found: list[tuple[list[Key], Value]] = []
        _append_values(self, [], found)
        return found

    def is_empty(self) -> bool:
        """Whether the table has no items at all (toml_edit's `Table::is_empty`)."""
        return not self.items

    def sort_values(self) -> None:
        """Sort the items by key name (toml_edit's `sort_values`)."""
        self.items = dict(sorted(self.items.items(), key=lambda entry: entry[0]))
        for _key, item in self.items.values():
            if isinstance(item, Table) and item.dotted:
                item.sort_values()


class ArrayOfTables:
    """`[[name]]` tables."""

    __slots__ = ("tables",)

    def __init__(self) -> None:
        self.tables: list[Table] = []


Item = Value | Table | ArrayOfTables


def _append_values(
    table: Table | InlineTable, path: list[Key], found: list[tuple[list[Key], Value]]
) -> None:
    for key, item in table.items.values():
        if isinstance(item, (Table, InlineTable)) and item.dotted:
            _append_values(item, [*path, key], found)
        elif isinstance(item, (Scalar, Array, InlineTable)):
            found.append(([*path, key], item))


class Document:
    """A parsed TOML document that renders back byte for byte until edited."""

    __slots__ = ("root", "trailing")

    def __init__(self, root: Table, trailing: str) -> None:
        self.root = root
        self.trailing = trailing

    @classmethod
    def parse(cls, text: str) -> Document:
        """Parse `text` (valid TOML) into the editable model; `ValueError` when it is not."""
        return _Parser(text).document()

    def render(self) -> str:
        """The document as toml_edit writes it."""
        out: list[str] = []
        tables: list[tuple[bool, int, int, Table, list[Key], bool]] = []
        last_position = 0

        def visit(table: Table, path: list[Key], is_array: bool) -> None:
            nonlocal last_position
            if not table.dotted:
                if table.position is not None:
                    last_position = table.position
                tables.append((bool(path), last_position, len(tables), table, path, is_array))
            for key, item in table.items.values():
                if isinstance(item, Table):
                    visit(item, [*path, key], False)
                elif isinstance(item, ArrayOfTables):
                    for child in item.tables:
                        visit(child, [*path, key], True)

        visit(self.root, [], False)
        tables.sort(key=lambda entry: (entry[0], entry[1], entry[2]))
        first_table = True
        for _nested, _position, _order, table, path, is_array in tables:
            first_table = _render_table(out, table, path, is_array, first_table)
        out.append(self.trailing)
        return "".join(out)


def _render_table(
    out: list[str], table: Table, path: list[Key], is_array: bool, first_table: bool
) -> bool:
    children = table.values()
    if not path:
        if children:
            first_table = False
    elif is_array or not (table.implicit and not children):
        default_prefix = "" if first_table else "\n"
        first_table = False
        out.append(_or(table.decor.prefix, default_prefix))
        out.append("[[" if is_array else "[")
        out.append(_key_path(path, ("", "")))
        out.append("]]" if is_array else "]")
        out.append(_or(table.decor.suffix, ""))
        out.append("\n")
    for keys, value in children:
        out.append(_key_path(keys, ("", " ")))
        out.append("=")
        out.append(_render_value(value, (" ", "")))
        out.append("\n")
    return first_table


def _or(text: str | None, default: str) -> str:
    return default if text is None else text


def _key_path(keys: list[Key], default: tuple[str, str]) -> str:
    leaf = keys[-1].leaf
    parts: list[str] = []
    for index, key in enumerate(keys):
        if index == 0:
            parts.append(_or(leaf.prefix, default[0]))
        else:
            parts.append(".")
            parts.append(_or(key.dotted.prefix, ""))
        parts.append(key.text())
        if index == len(keys) - 1:
            parts.append(_or(leaf.suffix, default[1]))
        else:
            parts.append(_or(key.dotted.suffix, ""))
    return "".join(parts)


def _render_value(value: Value, default: tuple[str, str]) -> str:
    decor = value.decor
    parts = [_or(decor.prefix, default[0])]
    if isinstance(value, Scalar):
        parts.append(value.raw)
    elif isinstance(value, Array):
        parts.append("[")
        for index, item in enumerate(value.items):
            if index:
                parts.append(",")
            parts.append(_render_value(item, ("", "") if index == 0 else (" ", "")))
        if value.trailing_comma and value.items:
            parts.append(",")
        parts.append(value.trailing)
        parts.append("]")
    else:
        parts.append("{")
        entries = _inline_values(value)
        for index, (keys, item) in enumerate(entries):
            if index:
                parts.append(",")
            parts.append(_key_path(keys, (" ", " ")))
            parts.append("=")
            last = index == len(entries) - 1
            parts.append(_render_value(item, (" ", " ") if last else (" ", "")))
        if value.trailing_comma and value.items:
            parts.append(",")
        parts.append(value.trailing)
        parts.append("}")
    parts.append(_or(decor.suffix, default[1]))
    return "".join(parts)


def render_value(value: Value) -> str:
    """A value as toml_edit writes it on its own (`{ name = "x" }` for a new inline table)."""
    return _render_value(value, ("", ""))


def _inline_values(table: InlineTable) -> list[tuple[list[Key], Value]]:
    found: list[tuple[list[Key], Value]] = []
    _append_values(table, [], found)
    return found


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key_repr(name: str) -> str:
    """toml_writer's default key spelling: bare when possible, else a quoted string."""
    if _BARE_KEY.fullmatch(name):
        return name
    return _string_repr(name)


def _string_repr(value: str) -> str:
    """toml_writer's default spelling of a string: basic, else literal, else escaped basic."""
    controls = any((ord(c) <= 0x1F and c != "\t") or ord(c) == 0x7F for c in value)
    if not controls and "\\" not in value and '"' not in value:
        return f'"{value}"'
    if not controls and "'" not in value:
        return f"'{value}'"
    escaped = []
    for char in value:
        if char in '"\\':
            escaped.append("\\" + char)
        elif char in "\b\t\n\f\r":
            escaped.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[char])
        elif ord(char) <= 0x1F or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04X}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


# --------------------------------------------------------------------------------------------
# The parser: the same decor assignment as toml_edit's (parser/document.rs, array.rs, ...)
# --------------------------------------------------------------------------------------------

_WS = re.compile(r"[ \t]*")
_COMMENT = re.compile(r"#[^\r\n]*")
_SCALAR = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?"
    r"|[A-Za-z0-9_+\-.:]+"
)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.position = 0
        self.root = Table(0)

    # --- lexical helpers -------------------------------------------------------------------

    def _peek(self, token: str) -> bool:
        return self.text.startswith(token, self.pos)

    def _whitespace(self) -> str:
        match = _WS.match(self.text, self.pos)
        assert match is not None
        self.pos = match.end()
        return match.group()

    def _trivia(self) -> str:
        """Whitespace, comments and newlines (the text between array items and before keys)."""
        start = self.pos
        while self.pos < len(self.text):
            self._whitespace()
            if self._peek("#"):
                match = _COMMENT.match(self.text, self.pos)
                assert match is not None
                self.pos = match.end()
            elif self._peek("\n"):
                self.pos += 1
            elif self._peek("\r\n"):
                self.pos += 2
            else:
                break
        return self.text[start : self.pos]

    def _line_end(self) -> str:
        """Whitespace and a comment up to the newline, which is consumed but not returned."""
        start = self.pos
        self._whitespace()
        if self._peek("#"):
            match = _COMMENT.match(self.text, self.pos)
            assert match is not None
            self.pos = match.end()
        end = self.pos
        if self._peek("\r\n"):
            self.pos += 2
        elif self._peek("\n"):
            self.pos += 1
        elif self.pos < len(self.text):
            self._fail("expected a newline")
        return self.text[start:end]

    def _fail(self, message: str) -> None:
        line = self.text.count("\n", 0, self.pos) + 1
        raise ValueError(f"TOML parse error at line {line}: {message}")

    # --- keys --------------------------------------------------------------------------------

    def _simple_key(self) -> Key:
        start = self.pos
        if self._peek('"'):
            self.pos = self._basic_string_end(start)
        elif self._peek("'"):
            end = self.text.find("'", start + 1)
            if end < 0:
                self._fail("unterminated key")
            self.pos = end + 1
        else:
            match = _BARE_KEY.match(self.text, start)
            if match is None:
                self._fail("expected a key")
                raise AssertionError
            self.pos = match.end()
        raw = self.text[start : self.pos]
        name = raw if raw[0] not in "\"'" else tomllib.loads(f"{raw} = 0").popitem()[0]
        return Key(name, raw)

    def _key_path(self) -> list[Key]:
        """A dotted key; whitespace around each dot goes to the keys' dotted decor."""
        keys = [self._simple_key()]
        while True:
            save = self.pos
            before = self._whitespace()
            if not self._peek("."):
                self.pos = save
                return keys
            self.pos += 1
            keys[-1].dotted.suffix = before
            after = self._whitespace()
            key = self._simple_key()
            key.dotted.prefix = after
            keys.append(key)

    # --- values ------------------------------------------------------------------------------

    def _basic_string_end(self, start: int) -> int:
        index = start + 1
        while index < len(self.text):
            char = self.text[index]
            if char == "\\":
                index += 2
                continue
            if char == '"':
                return index + 1
            index += 1
        self._fail("unterminated string")
        raise AssertionError

    def _value(self) -> Value:
        text, start = self.text, self.pos
        if text.startswith('"""', start):
            end = start + 3
            while True:
                found = text.find('"""', end)
                if found < 0:
                    self._fail("unterminated string")
                backslashes = 0
                while text[found - 1 - backslashes] == "\\":
                    backslashes += 1
                if backslashes % 2:
                    end = found + 1
                    continue
                end = found + 3
                while text.startswith('"', end) and end - found < 5:
                    end += 1
                break
            self.pos = end
        elif text.startswith("'''", start):
            found = text.find("'''", start + 3)
            if found < 0:
                self._fail("unterminated string")
            end = found + 3
            while text.startswith("'", end) and end - found < 5:
                end += 1
            self.pos = end
        elif text.startswith('"', start):
            self.pos = self._basic_string_end(start)
        elif text.startswith("'", start):
            found = text.find("'", start + 1)
            if found < 0:
                self._fail("unterminated string")
            self.pos = found + 1
        elif text.startswith("[", start):
            return self._array()
        elif text.startswith("{", start):
            return self._inline_table()
        else:
            match = _SCALAR.match(text, start)
            if match is None:
                self._fail("expected a value")
                raise AssertionError
            self.pos = match.end()
        return Scalar(text[start : self.pos])

    def _array(self) -> Array:
        array = Array()
        self.pos += 1
        trailing_start: int | None = self.pos
        while True:
            prefix = self._trivia()
            if self._peek("]"):
                array.trailing_comma = trailing_start is not None and bool(array.items)
                array.trailing = prefix if trailing_start is not None else ""
                if trailing_start is None:
                    array.trailing = ""
                self.pos += 1
                return array
            if self._peek(","):
                self._fail("unexpected `,`")
            value = self._value()
            suffix = self._trivia()
            value.decor = Decor(prefix, suffix)
            array.items.append(value)
            if self._peek(","):
                self.pos += 1
                trailing_start = self.pos
            elif self._peek("]"):
                trailing_start = None
            else:
                self._fail("expected `,` or `]`")

    def _inline_table(self) -> InlineTable:
        table = InlineTable()
        self.pos += 1
        trailing_start: int | None = self.pos
        while True:
            prefix = self._trivia()
            if self._peek("}"):
                table.trailing_comma = trailing_start is not None and bool(table.items)
                table.trailing = prefix if trailing_start is not None else ""
                self.pos += 1
                return table
            keys = self._key_path()
            key_suffix = self._trivia()
            if not self._peek("="):
                self._fail("expected `=`")
            self.pos += 1
            value_prefix = self._trivia()
            value = self._value()
            value_suffix = self._trivia()
            leaf = keys[-1]
            leaf.leaf = Decor(prefix, key_suffix)
            value.decor = Decor(value_prefix, value_suffix)
            parent = table
            for key in keys[:-1]:
                found = parent.items.get(key.name)
                if found is None:
                    child = InlineTable()
                    child.implicit = True
                    child.dotted = True
                    parent.items[key.name] = (key, child)
                    parent = child
                elif isinstance(found[1], InlineTable):
                    parent = found[1]
                else:
                    self._fail("duplicate key")
            parent.items[leaf.name] = (leaf, value)
            if self._peek(","):
                self.pos += 1
                trailing_start = self.pos
            elif self._peek("}"):
                trailing_start = None
            else:
                self._fail("expected `,` or `}`")

    # --- the document ------------------------------------------------------------------------

    def document(self) -> Document:
        current = self.root
        while True:
            trailing = self._trivia()
            if self.pos >= len(self.text):
                return Document(self.root, trailing)
            if self._peek("["):
                current = self._header(trailing)
            else:
                self._key_value(current, trailing)

    def _header(self, prefix: str) -> Table:
        is_array = self._peek("[[")
        self.pos += 2 if is_array else 1
        before = self._whitespace()
        keys = self._key_path()
        after = self._whitespace()
        close = "]]" if is_array else "]"
        if not self._peek(close):
            self._fail(f"expected `{close}`")
        self.pos += len(close)
        suffix = self._line_end()
        keys[-1].leaf = Decor(before, after)
        parent = self._descend(self.root, keys[:-1], dotted=False)
        leaf = keys[-1]
        self.position += 1
        if is_array:
            table = Table(self.position)
            found = parent.items.get(leaf.name)
            if found is None:
                aot = ArrayOfTables()
                parent.items[leaf.name] = (leaf, aot)
            elif isinstance(found[1], ArrayOfTables):
                aot = found[1]
            else:
                self._fail("duplicate key")
                raise AssertionError
            aot.tables.append(table)
        else:
            existing = parent.items.pop(leaf.name, None)
            if existing is not None and isinstance(existing[1], Table) and existing[1].implicit:
                table = existing[1]
                table.position = self.position
                table.implicit = False
                table.dotted = False
            elif existing is not None:
                self._fail("duplicate key")
                raise AssertionError
            else:
                table = Table(self.position)
            parent.items[leaf.name] = (leaf, table)
        table.decor = Decor(prefix, suffix)
        return table

    def _descend(self, table: Table, keys: list[Key], *, dotted: bool) -> Table:
        for key in keys:
            found = table.items.get(key.name)
            if found is None:
                child = Table(implicit=True)
                child.dotted = dotted
                table.items[key.name] = (key, child)
                table = child
                continue
            item = found[1]
            if isinstance(item, ArrayOfTables):
                table = item.tables[-1]
            elif isinstance(item, Table):
                if dotted and item.implicit:
                    item.dotted = True
                table = item
            else:
                self._fail("cannot extend a value with a dotted key")
        return table

    def _key_value(self, table: Table, prefix: str) -> None:
        keys = self._key_path()
        key_suffix = self._whitespace()
        if not self._peek("="):
            self._fail("expected `=`")
        self.pos += 1
        value_prefix = self._whitespace()
        value = self._value()
        value_suffix = self._line_end()
        keys[-1].leaf = Decor(prefix, key_suffix)
        value.decor = Decor(value_prefix, value_suffix)
        parent = self._descend(table, keys[:-1], dotted=bool(keys[:-1]))
        if keys[-1].name in parent.items:
            self._fail("duplicate key")
        parent.items[keys[-1].name] = (keys[-1], value)


def _iter_strings(array: Array) -> Iterator[tuple[int, str]]:
    for index, item in enumerate(array.items):
        if isinstance(item, Scalar):
            text = item.as_str()
            if text is not None:
                yield index, text


# --------------------------------------------------------------------------------------------
# Requirements as uv writes them (uv-pep508's `Display`)
# --------------------------------------------------------------------------------------------


class EditError(PuvError):
    """An edit uv refuses (malformed tables, ambiguous updates); the message is uv's."""


@dataclass(frozen=True, slots=True)
class Requirement:
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
    """`>=1.0.0-RC1, <2` as uv prints it: versions normalized, sorted by version (stable)."""
    from packaging.version import InvalidVersion, Version

    parsed: list[tuple[Version | None, str]] = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        match = _SPECIFIER.match(part)
        if match is None:
            raise InvalidDependency(f"invalid specifier `{part}`")
        operator, version = match.groups()
        if operator == "===":
            parsed.append((None, f"==={version}"))
            continue
        star = version.endswith(".*")
        try:
            normal = Version(version[:-2] if star else version)
        except InvalidVersion:
            raise InvalidDependency(f"invalid version `{version}`") from None
        parsed.append((normal, f"{operator}{normal}{'.*' if star else ''}"))
    order = sorted(range(len(parsed)), key=lambda i: (parsed[i][0] is None, parsed[i][0] or 0))
    return tuple(parsed[i][1] for i in order)


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


@dataclass(frozen=True, slots=True)
class DependencyType:
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


@dataclass(frozen=True, slots=True)
class ArrayEdit:
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
        return any(text == "version" for _index, text in _iter_strings(dynamic))

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
    return table.values() if isinstance(table, Table) else _inline_values(table)


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
    for index, text in _iter_strings(array):
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
    texts = [text for _index, text in _iter_strings(array)]
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
            rest_lines = _lines(rest)
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
    for line in _lines(text):
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
        lines = _lines(array.items[0].decor.prefix)
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
