"""The `requires-python` a lock records: the intersection of the members' ranges, as uv spells it.

uv intersects the release-only ranges of every `requires-python` in the workspace and writes the
result back as specifiers (`VersionSpecifiers::from_release_only_bounds`): the bounding range,
plus `!=` for a single excluded point inside it, sorted by version (`~=3.11` is written
`>=3.11, <4`, `==3.11.*` stays `==3.11.*`).
"""

from __future__ import annotations

from collections.abc import Iterable

from packaging.version import Version

from puv.core.version_ranges import (
    Bound,
    Ranges,
    VersionRanges,
    make_version,
    release_bounds_to_specifiers,
    release_only_trimmed,
    release_specifiers_to_ranges,
)

__all__ = ["lock_requires_python"]


def lock_requires_python(specifiers: Iterable[str]) -> str | None:
    """The `requires-python` text uv writes for the intersection of `specifiers` (None when
    none are given or the intersection is empty)."""
    combined: VersionRanges | None = None
    for text in specifiers:
        ranges = release_specifiers_to_ranges(text)
        combined = ranges if combined is None else combined.intersection(ranges)
    if combined is None or combined.is_empty():
        return None
    return _render(combined)


def _render(ranges: VersionRanges) -> str:
    segments = list(ranges)
    if segments == list(Ranges.full()):
        return ""
    parts: list[tuple[Version, str]] = []
    previous_upper: Bound = segments[0][1]
    for lower, upper in segments[1:]:
        hole = _hole(previous_upper, lower)
        if hole is not None:
            parts.append(hole)
        previous_upper = upper
    for operator, version in release_bounds_to_specifiers(segments[0][0], previous_upper):
        text = f"=={version}.*" if operator == "==*" else f"{operator}{version}"
        parts.append((version, text))
    parts.sort(key=lambda part: part[0])
    return ", ".join(text for _, text in parts)


def _hole(previous: Bound, lower: Bound) -> tuple[Version, str] | None:
    """The `!=` specifier for the gap between two segments, when uv can spell it."""
    if previous is None or lower is None or previous[1]:
        return None
    if not lower[1] and previous[0] == lower[0]:
        return previous[0], f"!={previous[0]}"
    if lower[1]:
        before = release_only_trimmed(previous[0]).release
        after = release_only_trimmed(lower[0]).release
        if len(before) == 1 and after == (before[0], 1):
            version = make_version((before[0], 0))
            return version, f"!={version}.*"
        if len(before) == 2 and after == (before[0], before[1] + 1):
            version = make_version(before)
            return version, f"!={version}.*"
    return None
