"""PEP 508 marker text -> a tree of typed expressions, with uv's leniency and error messages.

Like uv, meaningless comparisons (`os_name ~= 'x'`, `'a' == 'b'`, `python_version >= 'foo'`,
`extra > 'x'`) are not errors: they are dropped from the surrounding `and`/`or`, and a marker made
only of them is always true. Real syntax errors raise `MarkerSyntaxError`, whose text is uv's
message, the input and a caret line under the offending span.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from msgspec import Struct
from packaging.version import InvalidVersion, Version

from puv.core.errors import PuvError

#: The keys whose values are versions (`python_version` is lowered to `python_full_version`).
VERSION_KEYS = frozenset({"implementation_version", "python_full_version", "python_version"})
#: Keys with string values, and the deprecated PEP 345 spellings of them.
STRING_KEYS = {
    "implementation_name": "implementation_name",
    "os_name": "os_name",
    "os.name": "os_name",
    "platform_machine": "platform_machine",
    "platform.machine": "platform_machine",
    "platform_python_implementation": "platform_python_implementation",
    "platform.python_implementation": "platform_python_implementation",
    "python_implementation": "platform_python_implementation",
    "platform_release": "platform_release",
    "platform_system": "platform_system",
    "platform_version": "platform_version",
    "platform.version": "platform_version",
    "sys_platform": "sys_platform",
    "sys.platform": "sys_platform",
}
#: PEP 751 list keys, only valid on the right of `in` / `not in`.
LIST_KEYS = frozenset({"extras", "dependency_groups"})
_MARKER_NAMES = VERSION_KEYS | STRING_KEYS.keys() | LIST_KEYS | {"extra"}

_OPERATORS = frozenset({"==", "!=", ">", ">=", "<", "<=", "~=", "in"})
_INVERTED = {
    "<": ">",
    "<=": ">=",
    ">": "<",
    ">=": "<=",
    "==": "==",
    "!=": "!=",
    "~=": "~=",
    "in": "contains",
    "not in": "not contains",
}
_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
_SEPARATORS = re.compile(r"[-_.]+")


class MarkerSyntaxError(PuvError):
    """A marker that cannot be parsed; `str()` is uv's message with the input and a caret line."""

    def __init__(self, message: str, text: str, start: int, length: int) -> None:
        self.reason = message
        self.text = text
        self.start = start
        self.length = length
        underline = 1 if start >= len(text) else len(text[start : start + length])
        caret = " " * start + "^" * underline
        super().__init__(f"{message}\n{text}\n{caret}" if text else message)


def normalize_name(name: str) -> str | None:
    """The normalized form of an extra or group name, or `None` if it is not a valid name."""
    if not _NAME.fullmatch(name):
        return None
    return _SEPARATORS.sub("-", name).lower()


class VersionExpr(Struct, frozen=True):
    """`<key> <operator> '<version>'`; the operators `==*`/`!=*` are `== 'V.*'`/`!= 'V.*'`."""

    key: str
    operator: str
    version: Version


class VersionInExpr(Struct, frozen=True):
    """`<key> [not] in '<version> <version> ...'` (version-aware, not a substring test)."""

    key: str
    versions: tuple[Version, ...]
    negated: bool


class StringExpr(Struct, frozen=True):
    """`<key> <operator> '<value>'`; `contains` is `'<value>' in <key>`."""

    key: str
    operator: str
    value: str


class ExtraExpr(Struct, frozen=True):
    """`extra == '<name>'` (`negated` for `!=`); `name` is `None` for an invalid extra name."""

    name: str | None
    negated: bool


class ListExpr(Struct, frozen=True):
    """`'<value>' [not] in extras|dependency_groups` (PEP 751); `valid` if `value` is a name."""

    key: str
    value: str
    valid: bool
    negated: bool


Expression = VersionExpr | VersionInExpr | StringExpr | ExtraExpr | ListExpr
#: An expression, or `("and" | "or", (operand, operand, ...))`.
MarkerAst = Expression | tuple[str, tuple["MarkerAst", ...]]


def parse_marker(text: str) -> MarkerAst | None:
    """Parse marker text; `None` when every comparison in it is meaningless (always true)."""
    parser = _Parser(text)
    tree = parser.parse_or()
    parser.skip_whitespace()
    if parser.pos < len(text):
        raise MarkerSyntaxError(
            f"Unexpected character '{text[parser.pos]}', expected 'and', 'or' or end of input",
            text,
            parser.pos,
            len(text) - parser.pos,
        )
    return tree


class _Parser:
    """A recursive-descent parser over the marker grammar, following uv's cursor semantics."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str, start: int, length: int) -> MarkerSyntaxError:
        return MarkerSyntaxError(message, self.text, start, length)

    def skip_whitespace(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos].isspace():
            pos += 1
        self.pos = pos

    def take_while(self, keep: Callable[[str], bool]) -> str:
        """Consume and return the longest run of characters that `keep` accepts."""
        start = pos = self.pos
        while pos < len(self.text) and keep(self.text[pos]):
            pos += 1
        self.pos = pos
        return self.text[start:pos]

    def parse_or(self) -> MarkerAst | None:
        return self._parse_chain("or", self.parse_and)

    def parse_and(self) -> MarkerAst | None:
        return self._parse_chain("and", self.parse_expression)

    def _peek_operator(self) -> int:
        """Skip whitespace; the end of the next word (stopping at `(`)."""
        self.skip_whitespace()
        end = self.pos
        while end < len(self.text) and not self.text[end].isspace() and self.text[end] != "(":
            end += 1
        return end

    def _parse_chain(
        self, operator: str, parse_inner: Callable[[], MarkerAst | None]
    ) -> MarkerAst | None:
        first = parse_inner()
        end = self._peek_operator()
        if self.text[self.pos : end] != operator:
            return first
        items = [] if first is None else [first]
        while True:
            self.pos = end
            item = parse_inner()
            if item is not None:
                items.append(item)
            end = self._peek_operator()
            if self.text[self.pos : end] != operator:
                break
        if not items:
            return None
        return items[0] if len(items) == 1 else (operator, tuple(items))

    def parse_expression(self) -> MarkerAst | None:
        self.skip_whitespace()
        if self.pos < len(self.text) and self.text[self.pos] == "(":
            start = self.pos
            self.pos += 1
            tree = self.parse_or()
            self.expect(")", start)
            return tree
        return self.parse_comparison()

    def expect(self, char: str, span_start: int) -> None:
        """Consume `char`, or fail as uv does (at end of input, pointing at `span_start`)."""
        if self.pos >= len(self.text):
            raise self.error(
                f"Expected '{char}', found end of dependency specification", span_start, 1
            )
        found = self.text[self.pos]
        if found != char:
            raise self.error(f"Expected `{char}`, found `{found}`", self.pos, 1)
        self.pos += 1

    def parse_value(self) -> tuple[str, str]:
        """A quoted string `("quoted", text)` or a marker name `("key", name)`."""
        text = self.text
        if self.pos >= len(text):
            raise self.error(
                "Expected marker value, found end of dependency specification", self.pos, 1
            )
        quote = text[self.pos]
        if quote in "'\"":
            start = self.pos
            end = text.find(quote, start + 1)
            self.pos = len(text) if end < 0 else end
            value = text[start + 1 : self.pos]
            self.expect(quote, start)
            return ("quoted", value)
        start = self.pos
        name = self.take_while(lambda char: not char.isspace() and char not in "><=!~)")
        if name not in _MARKER_NAMES:
            raise self.error(
                f"Expected a quoted string or a valid marker name, found `{name}`",
                start,
                len(name),
            )
        return ("key", name)

    def parse_operator(self) -> str:
        start = self.pos
        if self.pos < len(self.text) and self.text[self.pos].isalpha():
            operator = self.take_while(lambda char: not char.isspace() and char not in "'\"")
        else:
            operator = self.take_while(lambda char: char in "<=>~!")
        if operator == "not":
            if self.pos >= len(self.text):
                raise self.error("Expected whitespace after 'not', found end of input", self.pos, 1)
            if not self.text[self.pos].isspace():
                found = self.text[self.pos]
                raise self.error(f"Expected whitespace after `not`, found `{found}`", self.pos, 1)
            self.skip_whitespace()
            self.expect("i", self.pos)
            self.expect("n", self.pos)
            return "not in"
        if operator not in _OPERATORS:
            raise self.error(
                f"Expected a valid marker operator (such as `>=` or `not in`), found `{operator}`",
                start,
                len(operator),
            )
        return operator

    def parse_comparison(self) -> Expression | None:
        self.skip_whitespace()
        start = self.pos
        left = self.parse_value()
        self.skip_whitespace()
        operator = self.parse_operator()
        self.skip_whitespace()
        right = self.parse_value()
        length = self.pos - start
        kind, name = left
        if kind == "key":
            if name in VERSION_KEYS:
                if right[0] != "quoted":
                    return None
                return _version_in_expression(name, operator, right[1]) or _version_expression(
                    name, operator, right[1]
                )
            if name in STRING_KEYS:
                if right[0] != "quoted" or operator == "~=":
                    return None
                return StringExpr(STRING_KEYS[name], operator, right[1])
            if name in LIST_KEYS:
                raise self.error(
                    f"The marker {name} must be on the right hand side of the expression",
                    start,
                    length,
                )
            # `extra`
            return _extra_expression(operator, right[1]) if right[0] == "quoted" else None
        value = name
        if right[0] == "quoted":
            return None
        key = right[1]
        if key in VERSION_KEYS:
            return _inverted_version_expression(value, operator, key)
        if key in STRING_KEYS:
            if operator == "~=":
                return None
            return StringExpr(STRING_KEYS[key], _INVERTED[operator], value)
        if key in LIST_KEYS:
            if operator not in ("in", "not in"):
                raise self.error(
                    f"The operator {operator} is not supported with the marker {key}, "
                    "only the `in` and `not in` operators are supported",
                    start,
                    length,
                )
            normalized = normalize_name(value)
            return ListExpr(
                key,
                normalized if normalized is not None else value,
                normalized is not None,
                operator == "not in",
            )
        return _extra_expression(operator, value)


def _parse_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def parse_version_comparison(
    operator: str, text: str, *, wildcard: bool = True
) -> tuple[str, Version] | None:
    """A marker operator and value as a PEP 440 comparison (`==*`/`!=*` for `V.*`), if valid.

    Like uv: no local versions with ordering operators, `~=` needs two release segments, and a
    trailing `.*` (when `wildcard` allows it) only follows a plain release with `==`/`!=`.
    """
    if operator in ("in", "not in", "contains", "not contains"):
        return None
    if wildcard and text.endswith(".*"):
        version = _parse_version(text[:-2])
        if version is None or operator not in ("==", "!="):
            return None
        if version.pre is not None or version.post is not None or version.dev is not None:
            return None
        if version.local is not None:
            return None
        return (operator + "*", version)
    version = _parse_version(text)
    if version is None:
        return None
    if version.local is not None and operator not in ("==", "!="):
        return None
    if operator == "~=" and len(version.release) < 2:
        return None
    return (operator, version)


def _version_expression(key: str, operator: str, text: str) -> VersionExpr | None:
    comparison = parse_version_comparison(operator, text)
    return None if comparison is None else VersionExpr(key, *comparison)


def _inverted_version_expression(text: str, operator: str, key: str) -> VersionExpr | None:
    comparison = parse_version_comparison(_INVERTED[operator], text, wildcard=False)
    return None if comparison is None else VersionExpr(key, *comparison)


def _version_in_expression(key: str, operator: str, text: str) -> VersionInExpr | None:
    if operator not in ("in", "not in"):
        return None
    versions = []
    for part in text.split():
        version = _parse_version(part)
        if version is None:
            return None
        versions.append(version)
    return VersionInExpr(key, tuple(versions), operator == "not in")


def _extra_expression(operator: str, value: str) -> ExtraExpr | None:
    if operator not in ("==", "!="):
        return None
    return ExtraExpr(normalize_name(value), operator == "!=")
