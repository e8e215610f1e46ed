"""A lossless TOML document as `toml_edit` models it: what uv's pyproject edits are made on.

uv edits with `toml_edit`, whose document model decides every byte of the result: where comments
and blank lines attach (the "decor" before and after keys, values and array items), which tables
appear where (by their position in the file), and what a new value or table looks like. tomlkit
models whitespace differently, so its output drifts from uv's on anything but trivial files; this
module ports the part of `toml_edit` uv relies on: a lossless parse into tables, keys, values and
their decor, and its encoder (`Document.parse(text).render() == text` for valid TOML, except that
a missing final newline is added, as toml_edit does).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterator
from typing import Any

__all__ = [
    "Array",
    "ArrayOfTables",
    "Decor",
    "Document",
    "InlineTable",
    "Item",
    "Key",
    "Scalar",
    "Table",
    "Value",
    "comment_lines",
    "inline_values",
    "iter_strings",
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


def comment_lines(text: str | None) -> list[str]:
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
        entries = inline_values(value)
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


def inline_values(table: InlineTable) -> list[tuple[list[Key], Value]]:
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


def iter_strings(array: Array) -> Iterator[tuple[int, str]]:
    for index, item in enumerate(array.items):
        if isinstance(item, Scalar):
            text = item.as_str()
            if text is not None:
                yield index, text
