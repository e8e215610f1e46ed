"""uv 0.13.9's configuration schema: the keys of `[tool.uv]` / `uv.toml`, their types and values.

Each key has a `Kind` that checks a value read by tomllib and raises `SchemaError` with uv's wording
(serde's `invalid type: ..., expected ...`, `unknown variant ...`, `unknown field ...`) and the path
of the offending key or value, so that the caller can render uv's caret block. A `merge` rule says
how layers combine: scalars take the higher layer, lists concatenate (higher layer first), and a few
tables merge per key as uv's `Combine` does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

__all__ = [
    "PIP_SCHEMA",
    "PROJECT_ONLY_KEYS",
    "SETTINGS_SCHEMA",
    "UV_TOML_MASKED_ORDER",
    "Field",
    "Kind",
    "SchemaError",
    "check_exclude_newer",
    "check_table",
    "normalize_name",
    "package_name_error",
    "specifiers_error",
    "version_error",
]

PathPart = str | int


class SchemaError(Exception):
    """A value that does not fit uv's schema: uv's message and the path it points at.

    `at` is `"key"` (unknown field, bad map key) or `"value"`; `keys` is relative to the table
    that was checked. `spanless` errors are printed by uv without a caret block.
    """

    def __init__(
        self, message: str, keys: Sequence[PathPart] = (), at: str = "value", spanless: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.keys = tuple(keys)
        self.at = at
        self.spanless = spanless

    def under(self, *prefix: PathPart) -> SchemaError:
        """The same error with `prefix` put before its path."""
        return SchemaError(self.message, (*prefix, *self.keys), self.at, self.spanless)


# --- serde's wording ------------------------------------------------------------------------


def _rust_debug(text: str) -> str:
    """A string as Rust's `{:?}` prints it."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif char == "\0":
            out.append("\\0")
        elif char < " " or char == "\x7f":
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _unexpected(value: Any) -> str:
    """How serde names the value it did not expect (`integer \\`1\\``, `string "x"`, `map`)."""
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        text = "NaN" if math.isnan(value) else repr(value)
        return f"floating point `{text}`"
    if isinstance(value, str):
        return f"string {_rust_debug(value)}"
    if isinstance(value, list):
        return "sequence"
    return "map"


def _invalid_type(value: Any, expecting: str, keys: Sequence[PathPart]) -> SchemaError:
    return SchemaError(f"invalid type: {_unexpected(value)}, expected {expecting}", keys)


def _one_of(names: Sequence[str]) -> str:
    """serde's list of expected names: `a`, `a` or `b`, one of `a`, `b`, `c`."""
    quoted = [f"`{name}`" for name in names]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} or {quoted[1]}"
    return "one of " + ", ".join(quoted)


# --- kinds ----------------------------------------------------------------------------------


class Kind:
    """A value type of the schema; `check` raises `SchemaError` for a value that does not fit."""

    expecting = "a value"

    def check(self, value: Any, keys: tuple[PathPart, ...]) -> None:
        """Accept anything (uv keeps such values without looking at them)."""


class Boolean(Kind):
    expecting = "a boolean"

    def check(self, value: Any, keys: tuple[PathPart, ...]) -> None:
        if not isinstance(value, bool):
            raise _invalid_type(value, self.expecting, keys)


class NonZero(Kind):
    expecting = "a nonzero usize"

    def check(self, value: Any, keys: tuple[PathPart, ...]) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid_type(value, self.expecting, keys)
        if value <= 0:
            raise SchemaError(f"invalid value: integer `{value}`, expected {self.expecting}", keys)


class UnsignedShort(Kind):
    expecting = "u16"

    def check(self, value: Any, keys: tuple[PathPart, ...]) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid_type(value, self.expecting, keys)
        if not 0 <= value <= 0xFFFF:
            raise SchemaError(f"invalid value: integer `{value}`, expected {self.expecting}", keys)


class Text(Kind):
    """A string; `validate` may reject its content with a message of its own."""

    def __init__(
        self, expecting: str = "a string", validate: Callable[[str], str | None] | None = None
    ) -> None:
        self.expecting = expecting
        self.validate = validate

    def check(self, value: Any, keys: tuple[PathPart, ...]) -> None:
        if not isinstance(value, str):
            raise _invalid_type(value, self.expecting, keys)
        if self.validate is not None and (message := self.validate(value)) is not None:
            raise SchemaError(message, keys)


class Choice(Kind):
    """A unit enum: one of `variants`, as a string."""

    def __init__(self, *variants: str) -> None:
        self.variants = variants

    def check(self, value: Any, keys: tuple[PathPart, ...]) -> None:
        if isinstance(value, str):
            if value not in self.variants:
                raise SchemaError(self.unknown(value), keys)
            return
        if isinstance(value, dict) and value:
            first = next(iter(value))
            if first not in self.variants:
                raise SchemaError(self.unknown(first), (*keys, first), at="key")
        raise SchemaError("wanted string or table", keys)

    def unknown(self, value: str) -> str:
        return f"unknown variant `{value}`, expected {_one_of(self.variants)}"


class ListOf(Kind):
    expecting = "a sequence"

    def __init__(self, item: Kind) -> None:
        self.item = item

    def check(self, value: Any, keys: tuple[PathPart, ...]) -> None:
        if not isinstance(value, list):
            raise _invalid_type(value, self.expecting, keys)
        for index, item in enumerate(value):
            self.item.check(item, (*keys, index))


class MapOf(Kind):
    """A table whose keys are checked by `key` (errors point at the key) and values by `value`."""

    def __init__(self, value: Kind, key: Kind | None = None, expecting: str = "a map") -> None:
        self.value = value
        self.key = key
        self.expecting = expecting

    def check(self, value: Any, keys: tuple[PathPart, ...]) -> None:
        if not isinstance(value, dict):
            raise _invalid_type(value, self.expecting, keys)
        for name, item in value.items():
            if self.key is not None:
                try:
                    self.key.check(name, (*keys, name))
                except SchemaError as error:
                    raise SchemaError(error.message, (*keys, name), at="key") from None
            self.value.check(item, (*keys, name))


class OneOf(Kind):
    """An untagged union: the first alternative whose Python type matches decides."""

    def __init__(self, expecting: str, *alternatives: tuple[type | tuple[type, ...], Kind]) -> None:
        self.expecting = expecting
        self.alternatives = alternatives

    def check(self, value: Any, keys: tuple[PathPart, ...]) -> None:
        for types, kind in self.alternatives:
            if isinstance(value, types):
                kind.check(value, keys)
                return
        raise _invalid_type(value, self.expecting, keys)


class Field(NamedTuple):
    """One key of a table: its kind and how values from several layers combine."""

    kind: Kind
    merge: str = "scalar"  # scalar, list, map-first, map-list, map-map, config-settings,
    # config-settings-package, table


class Table(Kind):
    """A struct: known `fields`; unknown keys are an error when `deny_unknown`."""

    def __init__(
        self,
        expecting: str,
        fields: Mapping[str, Field | Kind],
        *,
        deny_unknown: bool = True,
        required: Sequence[str] = (),
        extra_check: Callable[[dict[str, Any], tuple[PathPart, ...]], None] | None = None,
    ) -> None:
        self.expecting = expecting
        self.fields = {
            name: spec if isinstance(spec, Field) else Field(spec) for name, spec in fields.items()
        }
        self.deny_unknown = deny_unknown
        self.required = required
        self.extra_check = extra_check

    def check(self, value: Any, keys: tuple[PathPart, ...]) -> None:
        if not isinstance(value, dict):
            raise _invalid_type(value, self.expecting, keys)
        check_table(self, value, keys)


def check_table(table: Table, value: dict[str, Any], keys: tuple[PathPart, ...] = ()) -> None:
    """Check every entry of `value` against `table`, in document order, then required fields."""
    fields = table.fields
    for name, item in value.items():
        spec = fields.get(name)
        if spec is None:
            if table.deny_unknown:
                expected = ", ".join(f"`{field}`" for field in fields)
                message = f"unknown field `{name}`, expected one of {expected}"
                raise SchemaError(message, (*keys, name), at="key")
            continue
        spec.kind.check(item, (*keys, name))
    for name in table.required:
        if name not in value:
            raise SchemaError(f"missing field `{name}`", keys)
    if table.extra_check is not None:
        table.extra_check(value, keys)


# --- names, versions, specifiers ------------------------------------------------------------

_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_NAME_SEPARATORS = re.compile(r"[-_.]+")


def normalize_name(name: str) -> str:
    """A package name in PEP 503 normal form."""
    return _NAME_SEPARATORS.sub("-", name).lower()


def package_name_error(name: str) -> str | None:
    """uv's message for an invalid package or extra name, or None when `name` is valid."""
    if _NAME.match(name):
        return None
    return (
        f"Not a valid package or extra name: {_rust_debug(name)}. Names must start and end with a "
        "letter or digit and may only contain -, _, ., and alphanumeric characters."
    )


def _name_or_all_error(name: str) -> str | None:
    return None if name in (":all:", ":none:") else package_name_error(name)


def _index_name_error(name: str) -> str | None:
    for char in name:
        if not (char.isascii() and (char.isalnum() or char in "-_.")):
            return (
                "Index names may only contain letters, digits, hyphens, underscores, and periods, "
                f"but found unsupported character (`{char}`) in: `{name}`"
            )
    return None


_VERSION = re.compile(
    r"""
    v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?:[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?:-(?P<post_n1>[0-9]+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?)?
    (?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    """,
    re.VERBOSE | re.IGNORECASE,
)
_PRE_LETTERS = {"alpha": "a", "a": "a", "beta": "b", "b": "b", "c": "rc", "rc": "rc"}
_RELEASE = re.compile(r"v?(?:[0-9]+!)?([0-9]+(?:\.[0-9]+)*)", re.IGNORECASE)
_OPERATORS = ("===", "~=", "==", "!=", "<=", ">=", "<", ">")
_OPERATOR_CHARS = frozenset("=!<>~")


def _normalized_version(match: re.Match[str]) -> str:
    """A parsed version as uv prints it (`1.0.0a0`, `1.0.post1`, `1.0+a.b`)."""
    text = ".".join(str(int(part)) for part in match["release"].split("."))
    if match["epoch"] and int(match["epoch"]):
        text = f"{int(match['epoch'])}!{text}"
    if match["pre_l"]:
        text += _PRE_LETTERS.get(match["pre_l"].lower(), "rc") + str(int(match["pre_n"] or 0))
    if match["post_n1"] or match["post_l"]:
        text += f".post{int(match['post_n1'] or match['post_n2'] or 0)}"
    if match["dev_l"]:
        text += f".dev{int(match['dev_n'] or 0)}"
    if match["local"]:
        text += "+" + re.sub(r"[-_.]", ".", match["local"].lower())
    return text


def version_error(text: str) -> str | None:
    """uv's message for a PEP 440 version it cannot parse, or None when `text` is valid."""
    stripped = text.strip()
    match = _VERSION.match(stripped)
    if match is None:
        return "expected version to start with a number, but no leading ASCII digits were found"
    if match.end() == len(stripped):
        return None
    rest = stripped[match.end() :]
    if "*" in rest:
        return "wildcards are not allowed in a version"
    if rest[0] == "!":
        return (
            "expected version to have a non-empty release component after an epoch, but no "
            "ASCII digits after the epoch were found"
        )
    if rest[0] == "+" or (match["local"] and rest[0] in "-_."):
        return (
            f"found a `{rest[0]}` indicating the start of a local component in a version, but did "
            f"not find any alphanumeric ASCII segment following the `{rest[0]}`"
        )
    return (
        f"after parsing `{stripped[: match.end()]}`, found `{stripped[match.end() :]}`, "
        "which is not part of a valid version"
    )


def _specifier_error(part: str) -> str | None:
    stripped = part.strip()
    operator = ""
    for char in stripped:
        if char not in _OPERATOR_CHARS:
            break
        operator += char
    if not operator:
        bare = stripped[:-2] if stripped.endswith(".*") else stripped
        match = _VERSION.fullmatch(bare)
        if match is not None:
            suggestion = _normalized_version(match) + stripped[len(bare) :]
            return (
                "Unexpected end of version specifier, expected operator. "
                f"Did you mean `=={suggestion}`?"
            )
        return "Unexpected end of version specifier, expected operator"
    if operator not in _OPERATORS:
        return f'no such comparison operator "{operator}", must be one of ~= == != <= >= < > ==='
    version, _, trailing = stripped[len(operator) :].strip().partition(" ")
    if not version:
        return "Unexpected end of version specifier, expected version"
    if trailing.strip():
        return f"Trailing `{trailing.strip()}` is not allowed"
    if "*" in version:
        if not version.endswith(".*") or "*" in version[:-2]:
            return "wildcards in versions must be at the end"
        if operator not in ("==", "!="):
            return f"Operator {operator} cannot be used with a wildcard version specifier"
        version = version[:-2]
    if (error := version_error(version)) is not None:
        return error
    if "+" in version and operator not in ("==", "!="):
        local = version.split("+", 1)[1]
        return (
            f"Operator {operator} is incompatible with versions containing non-empty local "
            f"segments (`+{local}`)"
        )
    release = _RELEASE.match(version)
    if operator == "~=" and release is not None and "." not in release[1]:
        return "The ~= operator requires at least two segments in the release version"
    return None


def specifiers_error(text: str) -> str | None:
    """uv's message for PEP 440 specifiers it cannot parse (`>=3.11,<`), or None when valid.

    The message carries uv's inner caret line under the offending specifier.
    """
    if not text:
        return None
    offset = 0
    for part in text.split(","):
        error = _specifier_error(part)
        if error is not None:
            return f"Failed to parse version: {error}:\n{text}\n{' ' * offset}{'^' * len(part)}"
        offset += len(part) + 1
    return None


def _pep508_error(text: str) -> str | None:
    """A PEP 508 requirement's parse error (the message is packaging's, not uv's)."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(text)
    except InvalidRequirement as error:
        return _caret_message(str(error), text)
    return None


def _marker_error(text: str) -> str | None:
    from packaging.markers import InvalidMarker, Marker

    try:
        Marker(text)
    except InvalidMarker as error:
        return _caret_message(str(error), text)
    return None


def _caret_message(message: str, text: str) -> str:
    """packaging's `message\\n    text\\n    ~~~^` in uv's layout: `message\\ntext\\n   ^^^^`."""
    lines = message.split("\n")
    if len(lines) >= 3 and lines[2].strip():
        marker = lines[2][4:] if lines[2].startswith("    ") else lines[2]
        carets = marker.replace("~", "^")
        return f"{lines[0]}\n{text}\n{carets}"
    return lines[0]


# --- exclude-newer --------------------------------------------------------------------------

_TIMESTAMP = re.compile(
    r"\d{4}-?\d{2}-?\d{2}[Tt ]\d{2}:?\d{2}(?::?\d{2}(?:[.,]\d{1,9})?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)"
)
_CIVIL = re.compile(
    r"(\d{4})-?(\d{2})-?(\d{2})(?:[Tt ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d{1,9})?)?)?)?"
)
_ISO = re.compile(
    r"[Pp](?:(\d+)[Yy])?(?:(\d+)[Mm])?(?:(\d+)[Ww])?(?:(\d+)[Dd])?"
    r"(?:([Tt])(?:(\d+(?:[.,]\d+)?)[Hh])?(?:(\d+(?:[.,]\d+)?)[Mm])?(?:(\d+(?:[.,]\d+)?)[Ss])?)?"
)
_CLOCK = re.compile(r"\d+:\d{2}:\d{2}(?:\.\d+)?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
FRIENDLY_UNITS = {
    "years": "y", "year": "y", "yrs": "y", "yr": "y", "y": "y",
    "months": "mo", "month": "mo", "mos": "mo", "mo": "mo",
    "weeks": "w", "week": "w", "wks": "w", "wk": "w", "w": "w",
    "days": "d", "day": "d", "d": "d",
    "hours": "h", "hour": "h", "hrs": "h", "hr": "h", "h": "h",
    "minutes": "m", "minute": "m", "mins": "m", "min": "m", "m": "m",
    "seconds": "s", "second": "s", "secs": "s", "sec": "s", "s": "s",
    "milliseconds": "ms", "millisecond": "ms", "msecs": "ms", "msec": "ms", "ms": "ms",
    "microseconds": "us", "microsecond": "us", "usecs": "us", "usec": "us", "us": "us",
    "µs": "us", "µsecs": "us", "µsec": "us",
    "nanoseconds": "ns", "nanosecond": "ns", "nsecs": "ns", "nsec": "ns", "ns": "ns",
}  # fmt: skip
_UNIT_WORDS = sorted(FRIENDLY_UNITS, key=len, reverse=True)
_UNIT_NOUNS = {"w": "week", "d": "day", "h": "hour", "m": "minute", "s": "second"}
_UNIT_LIMITS = {"w": 1043497, "d": 7304484, "h": 175307616, "m": 10518456960, "s": 631107417600}
_FRACTIONAL_UNITS = frozenset({"h", "m", "s", "ms", "us", "ns"})
_YEARS_PER_UNIT = {"y": 1.0, "mo": 1 / 12, "w": 7 / 365, "d": 1 / 365, "h": 1 / 8760}
_ISO_DESIGNATORS = (("y", "Y"), ("mo", "M"), ("w", "W"), ("d", "D"))
_ISO_TIME_DESIGNATORS = (("h", "H"), ("m", "M"), ("s", "S"))


def _date_problem(text: str) -> str | None:
    """None for a valid local date (or date-time without offset), else jiff's complaint."""
    import calendar

    civil = _CIVIL.fullmatch(text)
    if civil is None:
        for label, field in (("month", text[5:7]), ("day", text[8:10])):
            bad = next((char for char in field if not char.isdigit()), None)
            if bad is not None:
                return (
                    f"failed to parse two digit integer as {label}: invalid digit, expected 0-9 "
                    f"but got {bad}"
                )
        return "failed to parse date"
    year, month, day = (int(part) for part in civil.groups())
    for label, value, top in (("month", month, 12), ("day", day, 31)):
        if not 1 <= value <= top:
            return (
                f"failed to parse two digit integer as {label}: parameter '{label}' is not in the "
                f"required range of 1..={top}"
            )
    days = calendar.monthrange(year, month)[1]
    if day > days:
        return (
            f"parsed date is not valid: parameter 'day' for `{year:04}-{month:02}` is invalid, "
            f"must be in range `1..={days}`"
        )
    return None


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _iso_span(units: Mapping[str, float]) -> str:
    """A span as jiff prints it (`P5D`, `PT1H`)."""
    date = "".join(f"{_number(units[u])}{d}" for u, d in _ISO_DESIGNATORS if u in units)
    time = "".join(f"{_number(units[u])}{d}" for u, d in _ISO_TIME_DESIGNATORS if u in units)
    return "P" + date + ("T" + time if time else "") if date or time else "PT0S"


def _iso_duration(body: str) -> tuple[dict[str, float] | None, str]:
    match = _ISO.fullmatch(body)
    if match is None:
        date_part = re.match(r"[Pp](?:\d+[YyMmWwDd])*\d+([^\dYyMmWwDdTt])", body)
        if date_part is not None:
            return None, (
                "expected to find date unit designator suffix (`Y`, `M`, `W` or `D`), but found "
                f"`{date_part[1]}` instead"
            )
    if match is None or not any(match.groups()):
        return None, "no parsed duration components"
    values = match.groups()
    if values[4] and not any(values[5:]):
        return None, (
            "found a time designator (`T` or `t`) in an ISO 8601 duration string, but did not "
            "find any time units"
        )
    names = ("y", "mo", "w", "d", "", "h", "m", "s")
    return {
        unit: float(value.replace(",", "."))
        for unit, value in zip(names, values, strict=True)
        if unit and value
    }, ""


def _friendly_duration(body: str) -> tuple[dict[str, float] | None, str]:
    units: dict[str, float] = {}
    position = 0
    fractional = False
    while (number := _NUMBER.match(body, position)) is not None:
        position = number.end()
        while body[position : position + 1].isspace():
            position += 1
        word = next((w for w in _UNIT_WORDS if body.startswith(w, position)), None)
        if word is None:
            return None, (
                "expected to find unit designator suffix (e.g., `years` or `secs`) after parsing "
                "integer"
            )
        unit = FRIENDLY_UNITS[word]
        value = float(number[0])
        if fractional or ("." in number[0] and unit not in _FRACTIONAL_UNITS):
            return None, "fractional values are only allowed on the last and smallest unit"
        fractional = "." in number[0]
        limit = _UNIT_LIMITS.get(unit)
        if limit is not None and value > limit:
            noun = _UNIT_NOUNS[unit]
            return None, (
                f"failed to set value for {noun} unit on span: parameter '{noun}s' is not in the "
                f"required range of -{limit}..={limit}"
            )
        units[unit] = value
        position += len(word)
        while body[position : position + 1].isspace():
            position += 1
        if body[position : position + 1] == ",":
            position += 1
            if not body[position : position + 1].isspace():
                found = body[position : position + 1] or "end of input"
                return None, f"expected whitespace after comma, but found {found}"
            while body[position : position + 1].isspace():
                position += 1
    rest = body[position:].strip()
    if not units:
        return None, "expected duration"
    if rest and rest != "ago":
        return None, (
            f"parsed value '{_iso_span(units)}', but unparsed input \"{rest}\" remains "
            "(expected no unparsed input)"
        )
    return units, ""


def _duration(text: str) -> tuple[dict[str, float] | None, str]:
    """A friendly (`3 days`) or ISO 8601 (`P3D`) duration's units, or None and jiff's complaint."""
    body = text.strip()
    if body[:1] in "+-":
        body = body[1:].lstrip()
    if body[:1] in ("P", "p"):
        return _iso_duration(body)
    if _CLOCK.fullmatch(body):
        return {"s": 1.0}, ""
    return _friendly_duration(body)


def check_exclude_newer(text: str) -> str | None:
    """uv's message for an `exclude-newer` string it rejects, or None when valid.

    Accepted: an RFC 3339 timestamp, a local date (or date-time without offset), a friendly
    (`3 days`) or ISO 8601 (`P3D`) duration without years or months.
    """
    if _TIMESTAMP.fullmatch(text):
        return None
    date_problem = _date_problem(text)
    if date_problem is None:
        return None
    units, span_problem = _duration(text)
    if units is not None:
        total_years = sum(_YEARS_PER_UNIT.get(unit, 0.0) * value for unit, value in units.items())
        if units.get("y"):
            return (
                f"Duration `{text}` uses unit 'years' which is not allowed; use days instead, "
                f"e.g., `{math.ceil(total_years) * 365} days`."
            )
        if units.get("mo"):
            return (
                f"Duration `{text}` uses 'months' which is not allowed; use days instead, "
                f"e.g., `{math.ceil(total_years * 12) * 30} days`."
            )
        return None
    stripped = text.strip().lstrip("+-")
    if stripped[:1] in ("P", "p"):
        return f"`{text}` could not be parsed as an ISO 8601 duration: {span_problem}"
    if re.match(r"\d+\s*[A-Za-z]", stripped.lstrip()):
        return (
            f"`{text}` could not be parsed as a duration: failed to parse input in the "
            f'"friendly" duration format: {span_problem}'
        )
    if re.match(r"\d{4}-", stripped):
        return f"`{text}` could not be parsed as a valid date: {date_problem}"
    return (
        f"`{text}` could not be parsed as a valid exclude-newer value (expected a date like "
        "`2024-01-01`, a timestamp like `2024-01-01T00:00:00Z`, or a duration like `3 days` or "
        "`P3D`)"
    )


class ExcludeNewer(Kind):
    """`exclude-newer`: a date/timestamp/duration string, `false`, or `{ timestamp, span }`."""

    expecting = (
        "a date/timestamp/duration string, false to disable exclude-newer, or a table with "
        "timestamp/span"
    )

    def check(self, value: Any, keys: tuple[PathPart, ...]) -> None:
        if isinstance(value, str):
            if (message := check_exclude_newer(value)) is not None:
                raise SchemaError(message, keys)
        elif isinstance(value, bool):
            if value:
                raise SchemaError("expected false to disable exclude-newer, got true", keys)
        elif isinstance(value, dict) or hasattr(value, "isoformat"):
            if not isinstance(value, dict) or "timestamp" not in value:
                raise SchemaError("missing field `timestamp`", keys)
        else:
            raise _invalid_type(value, self.expecting, keys)


class PreviewFeatures(Kind):
    expecting = "a boolean or a list of preview feature names"

    def check(self, value: Any, keys: tuple[PathPart, ...]) -> None:
        if isinstance(value, bool):
            return
        if not isinstance(value, list):
            raise _invalid_type(value, self.expecting, keys)
        ListOf(_STRING).check(value, keys)


# --- the schema -----------------------------------------------------------------------------

_STRING = Text()
_PATH = Text("path string")
_URL = Text("a string representing an URL")
_BOOL = Boolean()
_NONZERO = NonZero()
_RAW = Kind()
_PACKAGE = Text(validate=package_name_error)
_PACKAGES = ListOf(_PACKAGE)
_STRINGS = ListOf(_STRING)
_PEP508 = Text("a string containing a PEP 508 requirement", validate=_pep508_error)
_PEP508_OR_TABLE = OneOf("a string or map", (str, Text(validate=_pep508_error)), (dict, _RAW))
_MARKERS = OneOf(
    "a string or a list of strings",
    (str, Text(validate=_marker_error)),
    (list, ListOf(Text(validate=_marker_error))),
)
_CONFIG_VALUE = OneOf("a string or list of strings", (str, _STRING), (list, _STRINGS))
_CONFIG_SETTINGS = MapOf(_CONFIG_VALUE)
_PRERELEASE = Choice("disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit")
_RESOLUTION = Choice("highest", "lowest", "lowest-direct")
_FORK_STRATEGY = Choice("fewest", "requires-python")
_INDEX_STRATEGY = Choice(
    "first-index", "unsafe-any-match", "unsafe-first-match", "unsafe-best-match"
)
_KEYRING = Choice("disabled", "subprocess")
_LINK_MODE = Choice("clone", "reflink", "copy", "hardlink", "symlink")
_TORCH = Choice(
    "auto", "cpu", "cu132", "cu130", "cu129", "cu128", "cu126", "cu125", "cu124", "cu123", "cu122",
    "cu121", "cu120", "cu118", "cu117", "cu116", "cu115", "cu114", "cu113", "cu112", "cu111",
    "cu110", "cu102", "cu101", "cu100", "cu92", "cu91", "cu90", "cu80", "rocm7.2", "rocm7.1",
    "rocm7.0", "rocm6.4", "rocm6.3", "rocm6.2.4", "rocm6.2", "rocm6.1", "rocm6.0", "rocm5.7",
    "rocm5.6", "rocm5.5", "rocm5.4.2", "rocm5.4", "rocm5.3", "rocm5.2", "rocm5.1.1", "rocm4.2",
    "rocm4.1", "rocm4.0.1", "xpu",
)  # fmt: skip
_EXCLUDE_NEWER = ExcludeNewer()
_EXCLUDE_NEWER_PACKAGE = MapOf(_EXCLUDE_NEWER, key=_PACKAGE)
_STATIC_METADATA = Table(
    "struct StaticMetadata",
    {"name": _PACKAGE, "version": _STRING, "requires-dist": _STRINGS,
     "requires-python": _STRING, "provides-extra": _STRINGS, "provides-extras": _STRINGS},
    deny_unknown=False,
    required=("name",),
)  # fmt: skip
_EXTRA_BUILD_DEPENDENCY = OneOf(
    "a requirement string or a table with requirement and match-runtime",
    (str, _PEP508),
    (dict, _RAW),
)
_EXTRA_BUILD_DEPENDENCIES = MapOf(ListOf(_EXTRA_BUILD_DEPENDENCY), key=_PACKAGE)
_EXTRA_BUILD_VARIABLES = MapOf(MapOf(_STRING), key=_PACKAGE)
_CONFIG_SETTINGS_PACKAGE = MapOf(
    MapOf(_CONFIG_VALUE, expecting="a map from string to string or list of strings"),
    key=_PACKAGE,
    expecting="a map from package name to config settings",
)
_HOST = OneOf(
    "a string or map",
    (str, _STRING),
    (dict, Table("struct TrustedHost", {"scheme": _STRING, "host": _STRING,
                                        "port": UnsignedShort()},
                 deny_unknown=False, required=("host",))),
)  # fmt: skip


def _explicit_needs_name(value: dict[str, Any], keys: tuple[PathPart, ...]) -> None:
    if value.get("explicit") is True and not value.get("name"):
        url = str(value.get("url", ""))
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+", url):
            url += "/"
        raise SchemaError(f"An index with `explicit = true` requires a `name`: {url}", keys)


_INDEX = Table(
    "struct IndexWire",
    {
        "name": Text(validate=_index_name_error),
        "url": _STRING,
        "explicit": _BOOL,
        "default": _BOOL,
        "format": Choice("simple", "flat"),
        "publish-url": _URL,
        "authenticate": Choice("auto", "always", "never"),
        "ignore-error-codes": ListOf(UnsignedShort()),
        "cache-control": Table(
            "struct IndexCacheControlWire", {"api": _STRING, "files": _STRING}, deny_unknown=False
        ),
    },
    deny_unknown=False,
    required=("url",),
    extra_check=_explicit_needs_name,
)
_CACHE_KEY = OneOf(
    "a path or a cache key table",
    (str, _STRING),
    (dict, Table("a cache key table",
                 {"file": _STRING, "dir": _STRING, "git": _RAW, "env": _STRING})),
)  # fmt: skip

# Keys shared by `[tool.uv]` and `[tool.uv.pip]` (uv's `ResolverInstallerSchema` subset).
_SHARED: dict[str, Field] = {
    "index-url": Field(_STRING),
    "extra-index-url": Field(_STRINGS, "list"),
    "no-index": Field(_BOOL),
    "find-links": Field(_STRINGS, "list"),
    "index-strategy": Field(_INDEX_STRATEGY),
    "keyring-provider": Field(_KEYRING),
    "resolution": Field(_RESOLUTION),
    "prerelease": Field(_PRERELEASE),
    "fork-strategy": Field(_FORK_STRATEGY),
    "dependency-metadata": Field(ListOf(_STATIC_METADATA), "list"),
    "config-settings": Field(_CONFIG_SETTINGS, "config-settings"),
    "config-settings-package": Field(_CONFIG_SETTINGS_PACKAGE, "config-settings-package"),
    "no-build-isolation": Field(_BOOL),
    "require-build-hashes": Field(_BOOL),
    "no-build-isolation-package": Field(_PACKAGES, "list"),
    "extra-build-dependencies": Field(_EXTRA_BUILD_DEPENDENCIES, "map-list"),
    "extra-build-variables": Field(_EXTRA_BUILD_VARIABLES, "map-map"),
    "exclude-newer": Field(_EXCLUDE_NEWER),
    "exclude-newer-package": Field(_EXCLUDE_NEWER_PACKAGE, "map-first"),
    "link-mode": Field(_LINK_MODE),
    "compile-bytecode": Field(_BOOL),
    "no-sources": Field(_BOOL),
    "no-sources-package": Field(_PACKAGES, "list"),
    "upgrade": Field(_BOOL),
    "upgrade-package": Field(ListOf(_PEP508), "list"),
    "reinstall": Field(_BOOL),
    "reinstall-package": Field(_PACKAGES, "list"),
    "torch-backend": Field(_TORCH),
}

PIP_SCHEMA = Table(
    "struct PipOptions",
    {
        "python": Field(_STRING),
        "system": Field(_BOOL),
        "break-system-packages": Field(_BOOL),
        "target": Field(_PATH),
        "prefix": Field(_PATH),
        "index-url": _SHARED["index-url"],
        "extra-index-url": _SHARED["extra-index-url"],
        "no-index": _SHARED["no-index"],
        "find-links": _SHARED["find-links"],
        "index-strategy": _SHARED["index-strategy"],
        "keyring-provider": _SHARED["keyring-provider"],
        "no-build": Field(_BOOL),
        "no-binary": Field(ListOf(Text(validate=_name_or_all_error)), "list"),
        "only-binary": Field(ListOf(Text(validate=_name_or_all_error)), "list"),
        "no-build-isolation": _SHARED["no-build-isolation"],
        "require-build-hashes": _SHARED["require-build-hashes"],
        "no-build-isolation-package": _SHARED["no-build-isolation-package"],
        "extra-build-dependencies": _SHARED["extra-build-dependencies"],
        "extra-build-variables": _SHARED["extra-build-variables"],
        "strict": Field(_BOOL),
        "extra": Field(_PACKAGES, "list"),
        "all-extras": Field(_BOOL),
        "no-extra": Field(_PACKAGES, "list"),
        "no-deps": Field(_BOOL),
        "group": Field(_STRINGS, "list"),
        "allow-empty-requirements": Field(_BOOL),
        "resolution": _SHARED["resolution"],
        "prerelease": _SHARED["prerelease"],
        "fork-strategy": _SHARED["fork-strategy"],
        "dependency-metadata": _SHARED["dependency-metadata"],
        "output-file": Field(_PATH),
        "no-strip-extras": Field(_BOOL),
        "no-strip-markers": Field(_BOOL),
        "no-annotate": Field(_BOOL),
        "no-header": Field(_BOOL),
        "custom-compile-command": Field(_STRING),
        "generate-hashes": Field(_BOOL),
        "config-settings": _SHARED["config-settings"],
        "config-settings-package": _SHARED["config-settings-package"],
        "python-version": Field(
            Text(validate=lambda v: None if (e := version_error(v)) is None
                 else f"Python version `{v}` could not be parsed: {e}")
        ),
        "python-platform": Field(_STRING),
        "universal": Field(_BOOL),
        "exclude-newer": _SHARED["exclude-newer"],
        "exclude-newer-package": _SHARED["exclude-newer-package"],
        "no-emit-package": Field(_PACKAGES, "list"),
        "emit-index-url": Field(_BOOL),
        "emit-find-links": Field(_BOOL),
        "emit-build-options": Field(_BOOL),
        "emit-marker-expression": Field(_BOOL),
        "emit-index-annotation": Field(_BOOL),
        "annotation-style": Field(Choice("line", "split")),
        "link-mode": _SHARED["link-mode"],
        "compile-bytecode": _SHARED["compile-bytecode"],
        "require-hashes": Field(_BOOL),
        "verify-hashes": Field(_BOOL),
        "no-sources": _SHARED["no-sources"],
        "no-sources-package": _SHARED["no-sources-package"],
        "upgrade": _SHARED["upgrade"],
        "upgrade-package": _SHARED["upgrade-package"],
        "reinstall": _SHARED["reinstall"],
        "reinstall-package": _SHARED["reinstall-package"],
        "torch-backend": _SHARED["torch-backend"],
    },
)  # fmt: skip

_AUDIT = Table(
    "struct AuditOptions",
    {"malware-check": Field(_BOOL), "malware-check-url": Field(_STRING),
     "ignore": Field(_STRINGS, "list"), "ignore-until-fixed": Field(_STRINGS, "list")},
    deny_unknown=False,
)  # fmt: skip


def _preview_exclusive(value: dict[str, Any], keys: tuple[PathPart, ...]) -> None:
    if "preview" in value and "preview-features" in value:
        raise SchemaError("cannot specify both `preview` and `preview-features`", spanless=True)


SETTINGS_SCHEMA = Table(
    "struct Options",
    {
        "required-version": Field(Text(validate=specifiers_error)),
        "system-certs": Field(_BOOL),
        "native-tls": Field(_BOOL),
        "offline": Field(_BOOL),
        "no-cache": Field(_BOOL),
        "cache-dir": Field(_PATH),
        "preview": Field(_BOOL),
        "preview-features": Field(PreviewFeatures()),
        "python-preference": Field(Choice("only-managed", "managed", "system", "only-system")),
        "python-downloads": Field(Choice("auto", "automatic", "manual", "never")),
        "concurrent-downloads": Field(_NONZERO),
        "concurrent-builds": Field(_NONZERO),
        "concurrent-installs": Field(_NONZERO),
        "index": Field(ListOf(_INDEX), "list"),
        "index-url": _SHARED["index-url"],
        "extra-index-url": _SHARED["extra-index-url"],
        "no-index": _SHARED["no-index"],
        "find-links": _SHARED["find-links"],
        "index-strategy": _SHARED["index-strategy"],
        "keyring-provider": _SHARED["keyring-provider"],
        "http-proxy": Field(_STRING),
        "https-proxy": Field(_STRING),
        "no-proxy": Field(_STRINGS, "list"),
        "allow-insecure-host": Field(ListOf(_HOST), "list"),
        "resolution": _SHARED["resolution"],
        "prerelease": _SHARED["prerelease"],
        "prerelease-package": Field(MapOf(_PRERELEASE, key=_PACKAGE), "map-first"),
        "fork-strategy": _SHARED["fork-strategy"],
        "dependency-metadata": _SHARED["dependency-metadata"],
        "config-settings": _SHARED["config-settings"],
        "config-settings-package": _SHARED["config-settings-package"],
        "no-build-isolation": _SHARED["no-build-isolation"],
        "require-build-hashes": _SHARED["require-build-hashes"],
        "no-build-isolation-package": _SHARED["no-build-isolation-package"],
        "extra-build-dependencies": _SHARED["extra-build-dependencies"],
        "extra-build-variables": _SHARED["extra-build-variables"],
        "exclude-newer": _SHARED["exclude-newer"],
        "exclude-newer-package": _SHARED["exclude-newer-package"],
        "link-mode": _SHARED["link-mode"],
        "compile-bytecode": _SHARED["compile-bytecode"],
        "no-sources": _SHARED["no-sources"],
        "no-sources-package": _SHARED["no-sources-package"],
        "upgrade": _SHARED["upgrade"],
        "upgrade-package": _SHARED["upgrade-package"],
        "reinstall": _SHARED["reinstall"],
        "reinstall-package": _SHARED["reinstall-package"],
        "no-build": Field(_BOOL),
        "no-build-package": Field(_PACKAGES, "list"),
        "no-binary": Field(_BOOL),
        "no-binary-package": Field(_PACKAGES, "list"),
        "torch-backend": _SHARED["torch-backend"],
        "python-install-mirror": Field(_STRING),
        "pypy-install-mirror": Field(_STRING),
        "graalpy-install-mirror": Field(_STRING),
        "pyodide-install-mirror": Field(_STRING),
        "python-downloads-json-url": Field(_STRING),
        "publish-url": Field(_URL),
        "trusted-publishing": Field(Choice("automatic", "always", "never")),
        "check-url": Field(_STRING),
        "add-bounds": Field(Choice("lower", "major", "minor", "exact")),
        "audit": Field(_AUDIT, "table"),
        "pip": Field(PIP_SCHEMA, "table"),
        "cache-keys": Field(ListOf(_CACHE_KEY), "list"),
        "override-dependencies": Field(ListOf(_PEP508_OR_TABLE), "list"),
        "exclude-dependencies": Field(ListOf(_PEP508_OR_TABLE), "list"),
        "constraint-dependencies": Field(ListOf(_PEP508), "list"),
        "build-constraint-dependencies": Field(ListOf(_PEP508), "list"),
        "environments": Field(_MARKERS),
        "required-environments": Field(_MARKERS),
        "minimum-libc-version": Field(Table("struct MinimumLibcVersion", {}, deny_unknown=False)),
        "conflicts": Field(_RAW),
        "workspace": Field(_RAW),
        "sources": Field(_RAW),
        "managed": Field(_RAW),
        "package": Field(_RAW),
        "default-groups": Field(_RAW),
        "dependency-groups": Field(_RAW),
        "dev-dependencies": Field(_RAW),
        "build-backend": Field(_RAW),
    },
    extra_check=_preview_exclusive,
)

# Keys only meaningful in a project's pyproject.toml; uv.toml rejects them, in this order.
PROJECT_ONLY_KEYS = (
    "conflicts",
    "workspace",
    "sources",
    "dev-dependencies",
    "default-groups",
    "dependency-groups",
    "managed",
    "package",
    "build-backend",
    "environments",
    "required-environments",
)

# The `[tool.uv]` keys that an adjacent uv.toml masks, in the order uv's warning lists them
# (uv writes `cache_keys` with an underscore).
UV_TOML_MASKED_ORDER = (
    "required-version", "system-certs", "native-tls", "offline", "no-cache", "cache-dir",
    "preview", "preview-features", "python-preference", "python-downloads",
    "concurrent-downloads", "concurrent-builds", "concurrent-installs", "allow-insecure-host",
    "http-proxy", "https-proxy", "no-proxy", "index", "index-url", "extra-index-url", "no-index",
    "find-links", "index-strategy", "keyring-provider", "resolution", "prerelease",
    "prerelease-package", "fork-strategy", "dependency-metadata", "config-settings",
    "config-settings-package", "no-build-isolation", "no-build-isolation-package",
    "extra-build-dependencies", "extra-build-variables", "exclude-newer", "exclude-newer-package",
    "link-mode", "compile-bytecode", "no-sources", "upgrade", "upgrade-package", "reinstall",
    "reinstall-package", "no-build", "no-build-package", "no-binary", "no-binary-package",
    "torch-backend", "python-install-mirror", "pypy-install-mirror", "graalpy-install-mirror",
    "pyodide-install-mirror", "python-downloads-json-url", "publish-url", "trusted-publishing",
    "check-url", "add-bounds", "pip", "cache-keys", "override-dependencies",
    "exclude-dependencies", "constraint-dependencies", "build-constraint-dependencies",
)  # fmt: skip
