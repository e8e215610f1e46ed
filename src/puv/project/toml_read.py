"""Reading TOML files as uv does: tomllib on the fast path, uv's caret diagnostics on errors.

uv (through the `toml` crate) reports a bad file with a block like

    TOML parse error at line 6, column 1
      |
    6 | bogus = 1
      | ^^^^^
    unknown field `bogus`, expected one of ...

tomllib gives no spans for keys or values and words its errors differently, so only when something
fails does a small position-aware scanner re-read the text: it reports the first syntax error with
the `toml` crate's message and span, and finds the span of a key or value by its path so that schema
errors (unknown key, bad value) can point at the right line and column. The scanner also accepts
the TOML 1.1 additions that uv accepts and tomllib 3.11 rejects (newlines and a trailing comma in
inline tables, `\\e` and `\\xHH` escapes, times without seconds), so such files still load.
"""

from __future__ import annotations

import datetime
import os
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from puv.core.errors import ConfigError
from puv.core.paths import user_display
from puv.core.toml_errors import render_toml_error, tomllib_error_span

__all__ = [
    "TomlDocument",
    "TomlParseError",
    "display_path",
    "locate",
    "parse_toml",
    "read_toml",
    "render_toml_error",
]

PathPart = str | int
_BOM = "\ufeff"


class TomlParseError(ConfigError):
    """A TOML file that does not parse: `Failed to parse: <file>` with uv's caret block as cause."""

    def __init__(self, display: str, block: str) -> None:
        super().__init__(f"Failed to parse: {display}", causes=[block.rstrip("\n")])
        self.display = display
        self.block = block


class TomlDocument(NamedTuple):
    """A parsed TOML file: its path, its text (for diagnostics) and its data."""

    path: Path
    text: str
    data: dict[str, Any]

    def diagnostic(self, message: str, keys: Sequence[PathPart] = (), *, at: str = "value") -> str:
        """uv's caret block for `message`, pointing at the key or the value that `keys` names.

        `at` is `"key"` or `"value"`; without `keys` (or when they cannot be found) the block is
        the message alone, as the `toml` crate prints an error that has no span.
        """
        span = locate(self.text, keys, at=at) if keys else None
        return render_toml_error(self.text, span, message)


def display_path(path: Path, cwd: Path | None = None) -> str:
    """A path as uv shows it: relative to the working directory when inside it, else as is."""
    return user_display(path, Path(os.getcwd()) if cwd is None else cwd)


def read_toml(path: Path, display: str | None = None) -> TomlDocument:
    """Read and parse `path`; a syntax error raises `TomlParseError` (`Failed to parse: <file>`).

    `OSError` propagates unchanged so that callers can treat a missing file as they need.
    """
    raw = path.read_bytes()
    shown = display_path(path) if display is None else display
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(
            f"failed to read from file `{shown}`",
            causes=["stream did not contain valid UTF-8"],
        ) from None
    return TomlDocument(path, text, parse_toml(text, shown))


def parse_toml(text: str, display: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error raises `TomlParseError` naming `display`."""
    try:
        return tomllib.loads(text.removeprefix(_BOM))
    except tomllib.TOMLDecodeError as exc:
        fallback = str(exc)
    scanner = _Scanner(text)
    try:
        root = scanner.document()
    except _SyntaxFailure as failure:
        block = render_toml_error(text, (failure.start, failure.end), failure.message)
        raise TomlParseError(display, block) from None
    if scanner.strict_failure is None:
        return _plain(root)
    raise _tomllib_failure(text, display, fallback)


def locate(text: str, keys: Sequence[PathPart], *, at: str = "value") -> tuple[int, int] | None:
    """The character span of the key or value at `keys` in `text`, or None when not found."""
    try:
        node: _Node = _Scanner(text).document()
    except _SyntaxFailure:
        return None
    entry: _Entry | None = None
    for part in keys:
        if isinstance(part, int):
            items = node.items
            if items is None or not -len(items) <= part < len(items):
                return None
            node, entry = items[part], None
        else:
            table = node.table
            if table is None or part not in table:
                return None
            entry = table[part]
            node = entry.node
    if at == "key" and entry is not None:
        return entry.key_start, entry.key_end
    return node.start, node.end


def _tomllib_failure(text: str, display: str, message: str) -> TomlParseError:
    """tomllib's own message and position, for when the scanner found nothing to blame."""
    detail, span = tomllib_error_span(text, message)
    return TomlParseError(display, render_toml_error(text, span, detail))


# ---------------------------------------------------------------------------------------------
# The position-aware scanner (error path only).


class _SyntaxFailure(Exception):
    def __init__(self, start: int, end: int, message: str) -> None:
        super().__init__(message)
        self.start = start
        self.end = end
        self.message = message


class _Node:
    """A value with its span. Tables have `table`, arrays `items`, scalars `value`."""

    __slots__ = ("end", "items", "kind", "start", "table", "value")

    def __init__(
        self,
        kind: str,  # root, header, implicit, dotted, inline, array, aot, scalar
        start: int,
        end: int,
        *,
        value: Any = None,
        table: dict[str, _Entry] | None = None,
        items: list[_Node] | None = None,
    ) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.value = value
        self.table = table
        self.items = items


class _Entry(NamedTuple):
    key_start: int
    key_end: int
    node: _Node


_BARE_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
_KEY_STOP = frozenset(" \t\r\n.=[]#\"'")
_VALUE_STOP = frozenset("=,[]{}#\"'\r\n")
_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "e": "\x1b",
}
_HEX_WIDTH = {"x": 2, "u": 4, "U": 8}
_BAD_ESCAPE = 'missing escaped value, expected `b`, `e`, `f`, `n`, `r`, `\\`, `"`, `x`, `u`, `U`'
_MUST_QUOTE = "string values must be quoted, expected literal string"
_DATETIME_LIKE = re.compile(r"\d{4}-|\d{2}:")
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?")
_OFFSET = re.compile(r"[Zz]|([+-])(\d{2}):(\d{2})")
_HEX_CHARS = frozenset("0123456789abcdefABCDEF")
_DIGITS = {"x": _HEX_CHARS, "o": frozenset("01234567"), "b": frozenset("01")}
_RADIX = {"x": ("hexadecimal", 16), "o": ("octal", 8), "b": ("binary", 2)}


def _type_name(node: _Node) -> str:
    if node.kind == "inline":
        return "inline table"
    if node.kind in ("array", "aot"):
        return "array"
    value = node.value
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "datetime"


class _Scanner:
    """A recursive-descent TOML reader that keeps spans and fails like the `toml` crate."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1 if text.startswith(_BOM) else 0
        self.size = len(text)
        self.root = _Node("root", 0, 0, table={})
        # A construct tomllib rejects that the scanner only tolerates (not TOML 1.1 either).
        self.strict_failure: str | None = None

    # -- helpers -------------------------------------------------------------------------------

    def fail(self, start: int, end: int, message: str) -> _SyntaxFailure:
        return _SyntaxFailure(start, end, message)

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < self.size else ""

    def skip_ws(self) -> None:
        while self.pos < self.size and self.text[self.pos] in " \t":
            self.pos += 1

    def skip_comment(self) -> None:
        if self.peek() == "#":
            end = self.text.find("\n", self.pos)
            end = self.size if end < 0 else end
            if self.text[end - 1 : end] == "\r":
                end -= 1
            for char in self.text[self.pos : end]:
                self.note_control(char)
            self.pos = end

    def newline(self) -> bool:
        if self.peek() == "\n":
            self.pos += 1
            return True
        if self.peek() == "\r" and self.peek(1) == "\n":
            self.pos += 2
            return True
        return False

    def skip_blank(self) -> None:
        while True:
            self.skip_ws()
            self.skip_comment()
            if not self.newline():
                return

    # -- document ------------------------------------------------------------------------------

    def document(self) -> _Node:
        current = self.root
        while True:
            self.skip_blank()
            if self.pos >= self.size:
                return self.root
            if self.peek() == "[":
                current = self.header()
            else:
                self.keyval(current)
            self.end_of_line()

    def end_of_line(self) -> None:
        self.skip_ws()
        self.skip_comment()
        if self.pos >= self.size or self.newline():
            return
        raise self.fail(self.pos, self.pos + 1, "unexpected key or value, expected newline, `#`")

    def header(self) -> _Node:
        start = self.pos
        array = self.text.startswith("[[", self.pos)
        self.pos += 2 if array else 1
        parts = self.key()
        close = "]]" if array else "]"
        if not self.text.startswith(close, self.pos):
            missing = close[1:] if self.peek() == "]" else close
            self.pos += len(close) - len(missing)
            kind = "array table" if array else "table"
            raise self.fail(self.pos, self.pos + 1, f"unclosed {kind}, expected `{missing}`")
        self.pos += len(close)
        return self.define_table(parts, start, self.pos, array)

    def define_table(
        self, parts: list[tuple[str, int, int]], start: int, end: int, array: bool
    ) -> _Node:
        table = self.root
        for name, key_start, key_end in parts[:-1]:
            assert table.table is not None
            entry = table.table.get(name)
            if entry is None:
                child = _Node("implicit", start, end, table={})
                table.table[name] = _Entry(key_start, key_end, child)
                table = child
            elif entry.node.kind == "aot":
                assert entry.node.items is not None
                table = entry.node.items[-1]
            elif entry.node.table is not None and entry.node.kind != "inline":
                table = entry.node
            else:
                message = f"cannot extend value of type {_type_name(entry.node)} with a dotted key"
                raise self.fail(key_start, key_end, message)
        name, key_start, key_end = parts[-1]
        assert table.table is not None
        entry = table.table.get(name)
        if array:
            if entry is None:
                aot = _Node("aot", start, end, items=[])
                table.table[name] = _Entry(key_start, key_end, aot)
            elif entry.node.kind == "aot":
                aot = entry.node
            else:
                raise self.fail(key_start, key_end, "duplicate key")
            element = _Node("header", start, end, table={})
            assert aot.items is not None
            aot.items.append(element)
            return element
        if entry is None:
            node = _Node("header", start, end, table={})
            table.table[name] = _Entry(key_start, key_end, node)
            return node
        if entry.node.kind == "implicit":
            entry.node.kind, entry.node.start, entry.node.end = "header", start, end
            table.table[name] = _Entry(key_start, key_end, entry.node)
            return entry.node
        raise self.fail(key_start, key_end, "duplicate key")

    def keyval(self, table: _Node) -> None:
        parts = self.key()
        if self.peek() != "=":
            raise self.fail(self.pos, self.pos + 1, "key with no value, expected `=`")
        self.pos += 1
        self.skip_ws()
        node = self.value("statement")
        self.insert(table, parts, node)

    def insert(self, table: _Node, parts: list[tuple[str, int, int]], node: _Node) -> None:
        for name, key_start, key_end in parts[:-1]:
            assert table.table is not None
            entry = table.table.get(name)
            if entry is None:
                child = _Node("dotted", key_start, key_end, table={})
                table.table[name] = _Entry(key_start, key_end, child)
                table = child
            elif entry.node.table is not None and entry.node.kind != "inline":
                table = entry.node
            elif entry.node.kind == "aot":
                raise self.fail(key_start, key_end, "duplicate key")
            else:
                message = f"cannot extend value of type {_type_name(entry.node)} with a dotted key"
                raise self.fail(key_start, key_end, message)
        name, key_start, key_end = parts[-1]
        assert table.table is not None
        if name in table.table:
            raise self.fail(key_start, key_end, "duplicate key")
        table.table[name] = _Entry(key_start, key_end, node)

    # -- keys ----------------------------------------------------------------------------------

    def key(self) -> list[tuple[str, int, int]]:
        parts = []
        while True:
            self.skip_ws()
            parts.append(self.simple_key())
            self.skip_ws()
            if self.peek() != ".":
                return parts
            self.pos += 1

    def simple_key(self) -> tuple[str, int, int]:
        start = self.pos
        char = self.peek()
        if char == '"':
            name = self.basic_string(in_key=True)
            return name, start, self.pos
        if char == "'":
            name = self.literal_string(in_key=True)
            return name, start, self.pos
        while self.pos < self.size and self.text[self.pos] in _BARE_KEY_CHARS:
            self.pos += 1
        end = self.pos
        while self.pos < self.size and self.text[self.pos] not in _KEY_STOP:
            self.pos += 1
        if self.pos > end:
            expected = "invalid unquoted key, expected letters, numbers, `-`, `_`"
            raise self.fail(end, self.pos, expected)
        if end == start:
            expected = "unquoted keys cannot be empty, expected letters, numbers, `-`, `_`"
            raise self.fail(start, start + 1, expected)
        return self.text[start:end], start, end

    # -- values --------------------------------------------------------------------------------

    def value(self, context: str) -> _Node:
        start = self.pos
        if self.text.startswith('"""', self.pos):
            text = self.multiline_basic_string()
        elif self.text.startswith("'''", self.pos):
            text = self.multiline_literal_string()
        elif self.peek() == '"':
            text = self.basic_string()
        elif self.peek() == "'":
            text = self.literal_string()
        elif self.peek() == "[":
            return self.array()
        elif self.peek() == "{":
            return self.inline_table()
        else:
            return self.bare_value(context)
        return _Node("scalar", start, self.pos, value=text)

    def bare_value(self, context: str) -> _Node:
        start = self.pos
        while self.pos < self.size and self.text[self.pos] not in _VALUE_STOP:
            self.pos += 1
        while self.pos > start and self.text[self.pos - 1] in " \t":
            self.pos -= 1
        if self.pos == start:
            raise self.fail(start, start + 1, _MUST_QUOTE)
        self.check_follow(context)
        run = self.text[start : self.pos]
        return _Node("scalar", start, self.pos, value=self.decode_bare(run, start))

    def check_follow(self, context: str) -> None:
        """Structural errors after a bare value come before the value's own errors."""
        after = self.pos
        self.skip_ws()
        self.skip_comment()
        char = self.peek()
        self.pos, index = after, self.pos
        if context == "statement" and char and char not in "\r\n":
            raise self.fail(index, index + 1, "unexpected key or value, expected newline, `#`")
        if context == "inline" and char == "=":
            expected = "extra assignment between key-value pairs, expected `,`"
            raise self.fail(index, index + 1, expected)

    def array(self) -> _Node:
        start = self.pos
        self.pos += 1
        items: list[_Node] = []
        last = self.pos
        while True:
            self.skip_blank()
            if self.peek() == "]":
                self.pos += 1
                return _Node("array", start, self.pos, items=items)
            if self.pos >= self.size:
                raise self.fail(last, last + 1, "unclosed array, expected `]`")
            items.append(self.value("array"))
            last = self.pos
            self.skip_blank()
            char = self.peek()
            if char == ",":
                self.pos += 1
                last = self.pos
            elif not char:
                raise self.fail(last, last + 1, "unclosed array, expected `]`")
            elif char == "=":
                raise self.fail(
                    self.pos, self.pos + 1, "unexpected `=` in array, expected value, `]`"
                )
            elif char != "]":
                expected = "missing comma between array elements, expected `,`"
                raise self.fail(self.pos, self.pos + 1, expected)

    def inline_table(self) -> _Node:
        node = _Node("inline", self.pos, self.pos, table={})
        self.pos += 1
        last = self.pos
        while True:
            self.skip_blank()
            if self.peek() == "}":
                self.pos += 1
                node.end = self.pos
                return node
            if self.pos >= self.size:
                raise self.fail(last, last + 1, "unclosed inline table, expected `}`")
            parts = self.key()
            if self.peek() != "=":
                raise self.fail(self.pos, self.pos + 1, "key with no value, expected `=`")
            self.pos += 1
            self.skip_ws()
            self.insert(node, parts, self.value("inline"))
            last = self.pos
            self.skip_blank()
            if self.peek() == ",":
                self.pos += 1
                last = self.pos
            elif self.pos >= self.size:
                raise self.fail(last, last + 1, "unclosed inline table, expected `}`")
            elif self.peek() == "=":
                expected = "extra assignment between key-value pairs, expected `,`"
                raise self.fail(self.pos, self.pos + 1, expected)
            elif self.peek() != "}":
                expected = "missing comma between key-value pairs, expected `,`"
                raise self.fail(self.pos, self.pos + 1, expected)

    # -- strings -------------------------------------------------------------------------------

    def basic_string(self, in_key: bool = False) -> str:
        self.pos += 1
        out: list[str] = []
        while True:
            char = self.peek()
            if char in ("", "\n") or (char == "\r" and self.peek(1) == "\n"):
                if in_key:
                    return "".join(out)
                raise self.fail(self.pos, self.pos + 1, 'invalid basic string, expected `"`')
            if char == '"':
                self.pos += 1
                return "".join(out)
            if char == "\\":
                out.append(self.escape())
            else:
                self.note_control(char)
                out.append(char)
                self.pos += 1

    def multiline_basic_string(self) -> str:
        self.pos += 3
        self.newline()
        out: list[str] = []
        while True:
            if self.pos >= self.size:
                raise self.fail(
                    self.pos, self.pos + 1, 'invalid multi-line basic string, expected `"`'
                )
            if self.text.startswith('"""', self.pos):
                extra = 0
                while extra < 2 and self.peek(3 + extra) == '"':
                    extra += 1
                out.append('"' * extra)
                self.pos += 3 + extra
                return "".join(out)
            char = self.peek()
            if char == "\\":
                rest = self.pos + 1
                while rest < self.size and self.text[rest] in " \t":
                    rest += 1
                if self.text.startswith("\n", rest) or self.text.startswith("\r\n", rest):
                    self.pos = rest
                    while self.pos < self.size and self.text[self.pos] in " \t\r\n":
                        self.pos += 1
                    continue
                out.append(self.escape())
            elif char == "\r" and self.peek(1) == "\n":
                self.pos += 1
            else:
                if char != "\n":
                    self.note_control(char)
                out.append(char)
                self.pos += 1

    def literal_string(self, in_key: bool = False) -> str:
        start = self.pos + 1
        end = start
        while end < self.size and self.text[end] != "'" and self.text[end] != "\n":
            end += 1
        if end >= self.size or self.text[end] == "\n":
            if self.text[end - 1 : end] == "\r":
                end -= 1
            self.pos = end
            if in_key:
                return self.text[start:end]
            raise self.fail(end, end + 1, "invalid literal string, expected `'`")
        self.pos = end + 1
        for char in self.text[start:end]:
            self.note_control(char)
        return self.text[start:end]

    def multiline_literal_string(self) -> str:
        self.pos += 3
        self.newline()
        end = self.text.find("'''", self.pos)
        if end < 0:
            self.pos = self.size
            expected = "invalid multi-line literal string, expected `'`"
            raise self.fail(self.size, self.size + 1, expected)
        extra = 0
        while extra < 2 and self.text[end + 3 + extra : end + 4 + extra] == "'":
            extra += 1
        content = self.text[self.pos : end + extra]
        self.pos = end + 3 + extra
        return content.replace("\r\n", "\n")

    def escape(self) -> str:
        self.pos += 1
        char = self.peek()
        if char in _ESCAPES:
            self.pos += 1
            return _ESCAPES[char]
        width = _HEX_WIDTH.get(char)
        if width is None:
            raise self.fail(self.pos, self.pos + 1, _BAD_ESCAPE)
        first = self.pos + 1
        for index in range(first, first + width):
            if self.text[index : index + 1] not in _HEX_CHARS:
                expected = "too few unicode value digits, expected unicode hexadecimal value"
                raise self.fail(index, index + 1, expected)
        code = int(self.text[first : first + width], 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            expected = "invalid value, expected unicode hexadecimal value"
            raise self.fail(first, first + 1, expected)
        self.pos = first + width
        return chr(code)

    def note_control(self, char: str) -> None:
        if char != "\t" and (char < " " or char == "\x7f"):
            self.strict_failure = "control character in string"

    # -- bare scalars --------------------------------------------------------------------------

    def decode_bare(self, run: str, start: int) -> Any:
        end = start + len(run)
        if run in ("true", "false"):
            return run == "true"
        first = run[0]
        if first == "t":
            raise self.fail(start, end, "invalid boolean, expected `true`")
        if first == "f":
            raise self.fail(start, end, "invalid boolean, expected `false`")
        sign = first in "+-"
        body = run[1:] if sign else run
        lead = body[:1].lower()
        if lead in ("i", "n"):
            word = "inf" if lead == "i" else "nan"
            if body != word:
                raise self.fail(start, end, f"invalid float, expected `{word}`")
            return float(run)
        if first == ".":
            raise self.fail(start, start + 1, "invalid mantissa, expected digits")
        if first == "_":
            raise self.fail(start, start + 1, "`_` may only go between digits, expected nothing")
        if not sign and _DATETIME_LIKE.match(run):
            return self.decode_datetime(run, start)
        if not (first.isdigit() or sign):
            raise self.fail(start, end, _MUST_QUOTE)
        if not sign and body[:2] in ("0x", "0o", "0b"):
            return self.decode_radix(body, start)
        return self.decode_decimal(run, start)

    def decode_radix(self, body: str, start: int) -> int:
        name, base = _RADIX[body[1]]
        digits = body[2:]
        for offset, char in enumerate(digits):
            at = start + 2 + offset
            if char == "_":
                self.check_underscore(digits, offset, at)
            elif char not in _DIGITS[body[1]]:
                raise self.fail(at, at + 1, f"invalid {name} number")
        cleaned = digits.replace("_", "")
        return int(cleaned, base) if cleaned else 0

    def check_underscore(self, digits: str, offset: int, at: int) -> None:
        before = digits[offset - 1 : offset] if offset else ""
        after = digits[offset + 1 : offset + 2]
        if not (before.isalnum() and after.isalnum()):
            raise self.fail(at, at + 1, "`_` may only go between digits, expected nothing")

    def decode_decimal(self, run: str, start: int) -> int | float:
        index = 1 if run[0] in "+-" else 0
        begin = index

        def digits() -> int:
            nonlocal index
            first = index
            while index < len(run) and (run[index].isdigit() or run[index] == "_"):
                if run[index] == "_":
                    self.check_underscore(run, index, start + index)
                index += 1
            return index - first

        if digits() == 0:
            raise self.fail(start, start + len(run), _MUST_QUOTE)
        if run[begin] == "0" and index - begin > 1:
            raise self.fail(
                start + begin, start + begin + 1, "unexpected leading zero, expected nothing"
            )
        is_float = False
        if index < len(run) and run[index] == ".":
            index += 1
            is_float = True
            if digits() == 0:
                raise self.fail(
                    start + index, start + index + 1, "invalid fraction, expected digits"
                )
        if index < len(run) and run[index] in "eE":
            index += 1
            is_float = True
            if index < len(run) and run[index] in "+-":
                index += 1
            if digits() == 0:
                raise self.fail(
                    start + index, start + index + 1, "invalid exponent, expected digits"
                )
        if index != len(run):
            raise self.fail(start, start + len(run), _MUST_QUOTE)
        cleaned = run.replace("_", "")
        return float(cleaned) if is_float else int(cleaned)

    def decode_datetime(self, run: str, start: int) -> Any:
        end = start + len(run)
        if run[2] == ":":
            return self.decode_time(run, start, end)
        parts = run[5:].split("-", 1)
        month = parts[0]
        if len(month) < 2 or not month[:2].isdigit():
            raise self.fail(start, end, "invalid date, expected a two-digit month (MM)")
        if not 1 <= int(month[:2]) <= 12:
            raise self.fail(start, end, "invalid date, expected month between 01 and 12")
        day = run[8:10]
        if run[7:8] != "-" or len(day) < 2 or not day.isdigit():
            raise self.fail(start, end, "invalid date, expected a two-digit day (DD)")
        import calendar

        year, month_number = int(run[:4]), int(month[:2])
        days = calendar.monthrange(year, month_number)[1] if year else 31
        if not 1 <= int(day) <= days:
            raise self.fail(start, end, f"invalid date, expected day between 01 and {days}")
        date = datetime.date(year, month_number, int(day))
        rest = run[10:]
        if not rest:
            return date
        if rest[0] not in "Tt ":
            raise self.fail(start, end, _MUST_QUOTE)
        time = self.decode_time(rest[1:], start, end, whole=False)
        offset_text = rest[1 + self.time_length(rest[1:]) :]
        if not offset_text:
            return datetime.datetime.combine(date, time)
        match = _OFFSET.fullmatch(offset_text)
        if match is None:
            raise self.fail(start, end, "invalid offset, expected `Z`, +OFFSET, -OFFSET")
        if match[1] is None:
            zone = datetime.UTC
        elif int(match[2]) > 23:
            raise self.fail(start, end, "invalid offset, expected hours between 00 and 23")
        elif int(match[3]) > 59:
            raise self.fail(start, end, "invalid offset, expected minutes between 00 and 59")
        else:
            minutes = int(match[2]) * 60 + int(match[3])
            sign = -1 if match[1] == "-" else 1
            zone = datetime.timezone(datetime.timedelta(minutes=sign * minutes))
        return datetime.datetime.combine(date, time, tzinfo=zone)

    @staticmethod
    def time_length(text: str) -> int:
        match = _TIME.match(text)
        return 0 if match is None else match.end()

    def decode_time(self, text: str, start: int, end: int, whole: bool = True) -> datetime.time:
        match = _TIME.match(text)
        if match is None:
            raise self.fail(start, end, "invalid time, expected hour")
        if text[match.end() : match.end() + 1] == ".":
            raise self.fail(start, end, "invalid time, expected nanosecond")
        if whole and match.end() != len(text):
            raise self.fail(start, end, _MUST_QUOTE)
        hour, minute = int(match[1]), int(match[2])
        second = int(match[3] or 0)
        fraction = (match[4] or "")[:6].ljust(6, "0")
        if hour > 23:
            raise self.fail(start, end, "invalid time, expected hour between 00 and 23")
        if minute > 59:
            raise self.fail(start, end, "invalid time, expected minute between 00 and 59")
        if second > 60:
            raise self.fail(start, end, "invalid time, expected second between 00 and 60")
        return datetime.time(hour, minute, min(second, 59), int(fraction))


def _plain(node: _Node) -> Any:
    """Plain Python data (as tomllib returns it) for a scanned node."""
    if node.table is not None:
        return {name: _plain(entry.node) for name, entry in node.table.items()}
    if node.items is not None:
        return [_plain(item) for item in node.items]
    return node.value
