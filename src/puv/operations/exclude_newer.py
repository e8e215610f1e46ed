"""`exclude-newer` values: the cutoff a timestamp or date stands for, as uv reads them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from puv.core.errors import PuvError

__all__ = ["exclude_newer_cutoff", "exclude_newer_text"]


def exclude_newer_cutoff(value: str) -> float:
    """`--exclude-newer` as a POSIX timestamp: an RFC 3339 timestamp, or a date, which uv
    reads as the end of that day in UTC."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            return (day + timedelta(days=1)).timestamp()
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PuvError(
            f"invalid value '{value}' for '--exclude-newer <EXCLUDE_NEWER>': `{value}` could "
            "not be parsed as a valid date (expected `YYYY-MM-DD` or an RFC 3339 timestamp)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def exclude_newer_text(value: str) -> str:
    """An absolute `exclude-newer` as uv writes it in `uv.lock` (RFC 3339, UTC, `Z`)."""
    moment = datetime.fromtimestamp(exclude_newer_cutoff(value), UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"
