"""`exclude-newer` values as uv reads them: an RFC 3339 timestamp, a date (the end of that day,
local time), or a span before now (`1 week`, `3 days ago`, ISO 8601 `P3D`), which uv keeps as the
span itself (written in ISO 8601 form, `P1W`) and turns into a cutoff on every run.

`parse_exclude_newer` is the one parser; `setting_value` reads a setting (a string, `false`, or
uv's `{ timestamp, span }` table); `exclude_newer_cutoff` is the cutoff of a string value.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from msgspec import Struct

from puv.core.errors import PuvError
from puv.project.settings_schema import FRIENDLY_UNITS

__all__ = [
    "ExcludeNewer",
    "exclude_newer_cutoff",
    "parse_exclude_newer",
    "setting_value",
]

_OFFSET_TIMESTAMP = re.compile(
    r"\d{4}-?\d{2}-?\d{2}[Tt ]\d{2}:?\d{2}(?::?\d{2}(?:[.,]\d{1,9})?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)"
)
# A civil date, possibly with a time of day (which uv ignores).
_DATE = re.compile(
    r"(\d{4})-?(\d{2})-?(\d{2})(?:[Tt ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d{1,9})?)?)?)?"
)
_NUMBER = r"\d+(?:[.,]\d+)?"
_ISO = re.compile(
    rf"([+-]?)[Pp](?:({_NUMBER})[Yy])?(?:({_NUMBER})[Mm])?(?:({_NUMBER})[Ww])?(?:({_NUMBER})[Dd])?"
    rf"(?:[Tt](?:({_NUMBER})[Hh])?(?:({_NUMBER})[Mm])?(?:({_NUMBER})[Ss])?)?"
)
_FRIENDLY = re.compile(rf"\s*({_NUMBER})\s*([a-zµ]+)\s*,?", re.IGNORECASE)
_CLOCK = re.compile(r"(\d+):(\d{2}):(\d{2})")
# The unit words of jiff's "friendly" spans (shared with the settings' duration check), minus
# years and months, which a cutoff cannot use.
_UNITS = {word: unit for word, unit in FRIENDLY_UNITS.items() if unit not in ("y", "mo")}
# Nanoseconds per unit; weeks and days are 24-hour days, as in UTC.
_NANOS = {
    "w": 604_800 * 10**9,
    "d": 86_400 * 10**9,
    "h": 3_600 * 10**9,
    "m": 60 * 10**9,
    "s": 10**9,
    "ms": 10**6,
    "us": 10**3,
    "ns": 1,
}
_TIME_UNITS = ("h", "m", "s", "ms", "us", "ns")
#: The timestamp uv writes in `uv.lock` beside a relative span (it has no effect).
SPAN_PLACEHOLDER = "0001-01-01T00:00:00Z"


class ExcludeNewer(Struct, frozen=True):
    """A resolved `exclude-newer` value: the `cutoff` (POSIX seconds) and, for a relative
    value, the `span` as uv writes it (ISO 8601, `P1W`)."""

    cutoff: float
    span: str | None = None

    @property
    def timestamp(self) -> str:
        """The cutoff as uv prints it: RFC 3339 in UTC, fractional seconds trimmed."""
        moment = datetime.fromtimestamp(self.cutoff, UTC)
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        if moment.microsecond:
            text += f".{moment.microsecond:06d}".rstrip("0")
        return text + "Z"

    @property
    def locked(self) -> str:
        """The timestamp `uv.lock` records: the cutoff, or uv's placeholder for a span."""
        return SPAN_PLACEHOLDER if self.span is not None else self.timestamp


def parse_exclude_newer(value: str, now: float | None = None) -> ExcludeNewer:
    """Parse an `exclude-newer` string (see the module docstring); `now` is the current time
    that a span counts back from (the clock when None). Raises uv's error for a bad value."""
    text = value.strip()
    moment = _timestamp(text)
    if moment is not None:
        return ExcludeNewer(moment)
    day = _date(text)
    if day is not None:
        local = datetime.combine(day + timedelta(days=1), datetime.min.time()).astimezone()
        return ExcludeNewer(local.timestamp())
    span = _span(text)
    if span is None:
        raise _invalid(value)
    iso, nanos = span
    current = time.time() if now is None else now
    return ExcludeNewer(current - abs(nanos) / 10**9, iso)


def setting_value(
    raw: str | bool | Mapping[str, object] | None, now: float | None = None
) -> ExcludeNewer | None:
    """An `exclude-newer` setting: a string, `false` (None: no cutoff), or uv's `{ timestamp,
    span }` table (relative when it has a span)."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, Mapping):
        span = raw.get("span")
        if isinstance(span, str):
            return parse_exclude_newer(span, now)
        return parse_exclude_newer(str(raw.get("timestamp")), now)
    return parse_exclude_newer(raw, now)


def exclude_newer_cutoff(value: str) -> float:
    """`--exclude-newer` as a POSIX timestamp (see `parse_exclude_newer`)."""
    return parse_exclude_newer(value).cutoff


def _invalid(value: str) -> PuvError:
    from puv.project.settings_schema import check_exclude_newer

    problem = check_exclude_newer(value) or f"`{value}` could not be parsed"
    return PuvError(f"invalid value '{value}' for '--exclude-newer <EXCLUDE_NEWER>': {problem}")


def _timestamp(text: str) -> float | None:
    """An RFC 3339 timestamp (it has an offset; without one, uv reads the date alone)."""
    if _OFFSET_TIMESTAMP.fullmatch(text) is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("z", "Z").replace("t", "T")).timestamp()
    except ValueError:
        return None


def _date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _span(text: str) -> tuple[str, int] | None:
    """A span's ISO 8601 text as uv (jiff) writes it and its length in nanoseconds (negative
    for `-P3D` / `3 days ago`), or None when `text` is not a span uv accepts."""
    iso = _ISO.fullmatch(text)
    if iso is None:
        return _friendly_span(text)
    sign, years, months, weeks, days, hours, minutes, seconds = iso.groups()
    if years or months or not any((weeks, days, hours, minutes, seconds)):
        return None
    given = {"w": weeks, "d": days, "h": hours, "m": minutes, "s": seconds}
    units = [(unit, amount) for unit, amount in given.items() if amount is not None]
    return _balanced(units, negative=sign == "-")


def _friendly_span(text: str) -> tuple[str, int] | None:
    """jiff's "friendly" spans: `1 week 2 days`, `36h`, `3 days ago`, `1:30:00`."""
    negative = text.startswith("-")
    body = text.lstrip("+-").strip()
    if body.lower().endswith(" ago"):
        negative = not negative
        body = body[:-4]
    clock = _CLOCK.fullmatch(body)
    if clock is not None:
        return _balanced(list(zip(("h", "m", "s"), clock.groups(), strict=True)), negative)
    units: list[tuple[str, str]] = []
    position = 0
    while position < len(body):
        match = _FRIENDLY.match(body, position)
        if match is None or match.group(2).lower() not in _UNITS:
            return None
        units.append((_UNITS[match.group(2).lower()], match.group(1)))
        position = match.end()
    return _balanced(units, negative) if units else None


def _balanced(units: list[tuple[str, str]], negative: bool) -> tuple[str, int] | None:
    """jiff's span for these units: a fraction (allowed on the last, a time unit) spread over
    the smaller units; its ISO 8601 text and length."""
    whole: dict[str, int] = {}
    for index, (unit, amount) in enumerate(units):
        number = amount.replace(",", ".")
        if "." in number:
            if index != len(units) - 1 or unit not in _TIME_UNITS:
                return None
            integer, fraction = number.split(".")
            whole[unit] = whole.get(unit, 0) + int(integer)
            rest = int(fraction) * _NANOS[unit] // 10 ** len(fraction)
            for smaller in _TIME_UNITS[_TIME_UNITS.index(unit) + 1 :]:
                count, rest = divmod(rest, _NANOS[smaller])
                if count:
                    whole[smaller] = whole.get(smaller, 0) + count
        else:
            whole[unit] = whole.get(unit, 0) + int(number)
    nanos = sum(count * _NANOS[unit] for unit, count in whole.items())
    date_part = "".join(f"{whole[unit]}{unit.upper()}" for unit in ("w", "d") if whole.get(unit))
    time_part = "".join(f"{whole[unit]}{unit.upper()}" for unit in ("h", "m") if whole.get(unit))
    sub_second = sum(whole.get(unit, 0) * _NANOS[unit] for unit in ("s", "ms", "us", "ns"))
    if sub_second:
        seconds, nanos_left = divmod(sub_second, 10**9)
        decimals = f".{nanos_left:09d}".rstrip("0") if nanos_left else ""
        time_part += f"{seconds}{decimals}S"
    text = "P" + date_part + ("T" + time_part if time_part else "")
    if text == "P":
        text = "PT0S"
    return ("-" if negative and nanos else "") + text, -nanos if negative else nanos
