"""`exclude-newer` values as uv 0.13.9 reads and records them, and its rules for when a change
makes an existing lock stale. The span texts are those uv writes in `exclude-newer-span`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from puv.core.errors import PuvError
from puv.lock.model import InlineTable, Options
from puv.operations.exclude_newer import (
    ExcludeNewer,
    exclude_newer_cutoff,
    parse_exclude_newer,
    setting_value,
)
from puv.operations.lock_freshness import exclude_newer_reason

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("text", "span", "timestamp"),
    [
        ("1 week", "P1W", "2025-06-08T12:00:00Z"),
        ("P3D", "P3D", "2025-06-12T12:00:00Z"),
        ("p1dt2h", "P1DT2H", "2025-06-14T10:00:00Z"),
        ("3 days ago", "-P3D", "2025-06-12T12:00:00Z"),
        ("1 week 2 days 3 hours", "P1W2DT3H", "2025-06-06T09:00:00Z"),
        ("2 weeks, 1 day", "P2W1D", "2025-05-31T12:00:00Z"),
        ("1.5 hours", "PT1H30M", "2025-06-15T10:30:00Z"),
        ("PT1.5H", "PT1H30M", "2025-06-15T10:30:00Z"),
        ("90 minutes", "PT90M", "2025-06-15T10:30:00Z"),
        ("1.01 hours", "PT1H36S", "2025-06-15T10:59:24Z"),
        ("1.5 seconds", "PT1.5S", "2025-06-15T11:59:58.5Z"),
        ("500 ms", "PT0.5S", "2025-06-15T11:59:59.5Z"),
        ("1:30:00", "PT1H30M", "2025-06-15T10:30:00Z"),
        ("36h", "PT36H", "2025-06-14T00:00:00Z"),
    ],
)
def test_spans_are_written_as_uv_writes_them(text: str, span: str, timestamp: str) -> None:
    value = parse_exclude_newer(text, NOW)
    assert (value.span, value.timestamp) == (span, timestamp)
    assert value.locked == "0001-01-01T00:00:00Z"


def test_timestamps_and_dates() -> None:
    exact = parse_exclude_newer("2025-06-01T10:00:00+02:00")
    assert exact.span is None
    assert exact.timestamp == exact.locked == "2025-06-01T08:00:00Z"
    # A date (even with a time of day but no offset) is the end of that day, local time.
    day = parse_exclude_newer("2025-06-01T10:00:00")
    local_midnight = datetime(2025, 6, 2).astimezone().timestamp()
    assert day == ExcludeNewer(local_midnight)
    assert exclude_newer_cutoff("2025-06-01") == local_midnight


def test_settings_values() -> None:
    assert setting_value(None) is None
    assert setting_value(False) is None
    relative = setting_value({"timestamp": "0001-01-01T00:00:00Z", "span": "P3D"}, NOW)
    assert relative == ExcludeNewer(NOW - 3 * 86400, "P3D")
    assert setting_value({"timestamp": "2025-01-01T00:00:00Z"}) == ExcludeNewer(
        datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    )


@pytest.mark.parametrize("text", ["next tuesday", "1 year", "P1M", "3 fortnights", ""])
def test_bad_values_fail_with_uv_words(text: str) -> None:
    with pytest.raises(PuvError, match="--exclude-newer <EXCLUDE_NEWER>"):
        parse_exclude_newer(text)


SPAN = Options(exclude_newer="0001-01-01T00:00:00Z", exclude_newer_span="P1W")
ABSOLUTE = Options(exclude_newer="2025-06-02T00:00:00Z")


def _package(value: object) -> Options:
    return Options(exclude_newer_package=(("alpha", value),))  # type: ignore[arg-type]


def _relative(span: str) -> InlineTable:
    return InlineTable((("timestamp", "0001-01-01T00:00:00Z"), ("span", span)))


@pytest.mark.parametrize(
    ("locked", "wanted", "reason"),
    [
        (SPAN, SPAN, None),
        (SPAN, Options(exclude_newer="0001-01-01T00:00:00Z", exclude_newer_span="P2W"),
         "change of exclude newer span from `P1W` to `P2W`"),
        (SPAN, ABSOLUTE, "removal of exclude newer span"),
        (ABSOLUTE, SPAN, "addition of exclude newer span `P1W`"),
        (ABSOLUTE, Options(exclude_newer="2025-06-04T00:00:00Z"), None),
        (ABSOLUTE, Options(), "removal of global exclude newer"),
        (Options(), ABSOLUTE, "addition of global exclude newer 2025-06-02T00:00:00Z"),
        (_package("2025-06-02T00:00:00Z"), _package("2025-06-06T00:00:00Z"), None),
        (_package("2025-06-02T00:00:00Z"), _package(False), None),
        (_package(False), _package("2025-06-02T00:00:00Z"), None),
        (_package(_relative("P1W")), _package(_relative("P2W")),
         "change of exclude newer span from `P1W` to `P2W` for package `alpha`"),
        (_package("2025-06-02T00:00:00Z"), Options(), "removal of exclude newer for package `alpha`"),
        (Options(), _package("2025-06-02T00:00:00Z"),
         "addition of exclude newer `2025-06-02T00:00:00Z` for package `alpha`"),
        (Options(), _package(False), "addition of exclude newer exclusion for package `alpha`"),
    ],
)  # fmt: skip
def test_when_a_change_makes_the_lock_stale(
    locked: Options, wanted: Options, reason: str | None
) -> None:
    found = exclude_newer_reason(locked, wanted)
    if reason is None:
        assert found is None
    else:
        assert found is not None
        assert found.line == f"Resolving despite existing lockfile due to {reason}"
        assert found.shown and found.keep_versions
