"""Version and string ranges: set algebra, and PEP 440 specifiers converted as uv converts them."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import Specifier
from packaging.version import Version

from puv.core.version_ranges import (
    BoundaryKind,
    Ranges,
    VersionBoundary,
    release_bounds_to_specifiers,
    release_specifier_to_ranges,
    release_specifiers_to_ranges,
    specifier_to_ranges,
    specifiers_to_ranges,
)

# Integer bounds, probed at every integer and every half-integer so open and closed ends differ.
POINTS = [Fraction(n, 2) for n in range(-2, 24)]


@st.composite
def int_ranges(draw: st.DrawFn) -> Ranges[int]:
    """Unions of random intervals over 0..10 (each end open, closed or unbounded)."""
    result: Ranges[int] = Ranges.empty()
    for _ in range(draw(st.integers(0, 4))):
        low = draw(st.one_of(st.none(), st.tuples(st.integers(0, 10), st.booleans())))
        high = draw(st.one_of(st.none(), st.tuples(st.integers(0, 10), st.booleans())))
        result = result.union(Ranges.from_bounds(low, high))
    return result


def members(ranges: Ranges[int]) -> set[Fraction]:
    return {point for point in POINTS if ranges.contains(point)}


@given(int_ranges(), int_ranges())
def test_set_operations_agree_with_membership(left: Ranges[int], right: Ranges[int]) -> None:
    assert members(left.union(right)) == members(left) | members(right)
    assert members(left.intersection(right)) == members(left) & members(right)
    assert members(left.complement()) == set(POINTS) - members(left)
    assert members(left.difference(right)) == members(left) - members(right)
    assert left.is_disjoint(right) == (not members(left) & members(right))
    assert left.subset_of(right) == (members(left) <= members(right))
    assert left.complement().complement() == left


@given(int_ranges())
def test_representation_is_normalized(ranges: Ranges[int]) -> None:
    # Segments are sorted, non-empty and separated by a gap, so equal sets are equal values.
    rebuilt = Ranges.from_segments(reversed(ranges.segments))
    assert rebuilt == ranges
    assert hash(rebuilt) == hash(ranges)
    assert ranges.union(ranges) == ranges.intersection(ranges) == ranges


def test_adjacent_intervals_merge_and_points_stay_apart() -> None:
    joined = Ranges.from_bounds((1, True), (3, False)).union(Ranges.from_bounds((3, True), None))
    assert joined == Ranges.higher_than(1)
    split = Ranges.strictly_lower_than(3).union(Ranges.strictly_higher_than(3))
    assert split == Ranges.singleton(3).complement()
    assert len(split) == 2
    assert Ranges.singleton(3).as_singleton() == 3
    assert split.bounding_range() == (None, None)
    assert Ranges.empty().is_empty() and Ranges.full().is_full()


def test_string_ranges() -> None:
    linux = Ranges.singleton("linux")
    not_linux = linux.complement()
    assert "linux" in linux and "darwin" not in linux
    assert "darwin" in not_linux and "linux" not in not_linux
    assert Ranges.higher_than("5.0").contains("6") and not Ranges.higher_than("5.0").contains("10")


def test_ordering_matches_uv() -> None:
    lower = Ranges.strictly_lower_than(Version("3.8"))
    higher = Ranges.higher_than(Version("3.8"))
    assert lower.compare(higher) == -1 and higher.compare(lower) == 1
    assert lower.compare(lower) == 0
    # Same first interval: the shorter range sorts first.
    longer = lower.union(Ranges.higher_than(Version("4")))
    assert lower.compare(longer) == -1


# PEP 440 conversion.

BASES = ["1.0", "1.0a1", "1.0.post1", "1.0.dev1", "1.0+local", "1!1.0", "1.0a1.post1", "1.1"]
CANDIDATES = [
    "0.9", "1.0.dev0", "1.0.dev1", "1.0.dev2", "1.0a1.dev0", "1.0a1", "1.0a1.post0",
    "1.0a1.post1", "1.0a2", "1.0rc1", "1.0", "1.0+local", "1.0+abc.5", "1.0.post0.dev0",
    "1.0.post0", "1.0.post1.dev0", "1.0.post1", "1.0.post1+x", "1.0.post2", "1.0.1",
    "1.1.dev0", "1.1", "1.1+l", "2.0", "1!0.5", "1!1.0",
]  # fmt: skip


def _specifiers() -> list[str]:
    result = []
    for base in BASES:
        version = Version(base)
        for operator in ("==", "!=", "<", "<=", ">", ">=", "~=", "==="):
            if version.local and operator not in ("==", "!=", "==="):
                continue
            result.append(f"{operator}{base}")
        if not (
            version.pre or version.post is not None or version.dev is not None or version.local
        ):
            result += [f"=={base}.*", f"!={base}.*"]
    return result


@pytest.mark.parametrize("text", _specifiers())
def test_specifier_ranges_agree_with_packaging(text: str) -> None:
    specifier = Specifier(text)
    ranges = specifier_to_ranges(specifier)
    for candidate in CANDIDATES:
        expected = specifier.contains(candidate, prereleases=True)
        assert ranges.contains(Version(candidate)) == expected, candidate


@pytest.mark.parametrize(
    ("specifier", "candidate", "expected"),
    [
        ("<1.0.post1", "1.0.post1.dev0", False),
        ("<1.0.post1", "1.0.post0.dev0", True),
        ("<1.0.post1", "1.0a1", True),
        ("<0.12.0", "0.12.0a1", False),
        ("<0.12.0", "0.12.0.dev0", False),
        ("<0.12.0b1", "0.12.0a1", True),
        (">1.0.post0", "1.0.post0+local", False),
        (">1.0.post0", "1.0.post1.dev0", True),
        ("==1.0", "1.0+anything", True),
        ("==1.0+a", "1.0+b", False),
        ("==1.2.*", "1.2.0.dev0", True),
        ("==1.2.*", "1.3.dev0", False),
        ("~=1.4.5", "1.5.dev0", False),
        ("~=1.4.5", "1.4.99", True),
    ],
)
def test_uv_range_semantics(specifier: str, candidate: str, expected: bool) -> None:
    assert specifier_to_ranges(specifier).contains(Version(candidate)) is expected


def test_specifier_sets_intersect() -> None:
    ranges = specifiers_to_ranges(">=1.0,<2,!=1.5")
    assert Version("1.4") in ranges and Version("1.5") not in ranges
    assert Version("2.0a1") not in ranges
    assert specifiers_to_ranges("") == Ranges.full()
    assert specifiers_to_ranges(">2,<1").is_empty()


def test_boundaries_sit_between_versions() -> None:
    version = Version("1.0")
    below = VersionBoundary(version, BoundaryKind.MIN)
    locals_end = VersionBoundary(version, BoundaryKind.LOCAL_MAX)
    posts_end = VersionBoundary(version, BoundaryKind.POST_MAX)
    assert Version("0.9.9") < below < Version("1.0.dev0") < Version("1.0a1") < Version("1.0")
    assert Version("1.0+zzz") < locals_end < Version("1.0.post0.dev0")
    assert Version("1.0.post99") < posts_end < Version("1.0.1.dev0")
    assert below < locals_end < posts_end
    assert below == VersionBoundary(Version("1.0.0"), BoundaryKind.MIN)
    assert below != version


@pytest.mark.parametrize(
    ("specifiers", "inside", "outside"),
    [
        (">=3.9", ["3.9", "3.9.0", "3.13"], ["3.8.99"]),
        (">=3.13", ["3.13.0rc1", "3.13"], ["3.12.9"]),
        ("==3.10.*", ["3.10", "3.10.9"], ["3.11", "3.9"]),
        ("!=3.10.*", ["3.9", "3.11"], ["3.10.2"]),
        ("~=3.9.2", ["3.9.2", "3.9.9"], ["3.10", "3.9.1"]),
        ("~=3.9", ["3.9", "3.12"], ["4.0", "3.8"]),
        (">3.8", ["3.8.1"], ["3.8"]),
        ("<=3.8", ["3.8", "3.7"], ["3.8.1"]),
        (">=3.9, <3.13", ["3.12.5"], ["3.13"]),
    ],
)
def test_release_only_ranges(specifiers: str, inside: list[str], outside: list[str]) -> None:
    # Python versions are compared by their release segments only (`3.13.0rc1` is `3.13.0`).
    def release(text: str) -> Version:
        return Version(".".join(map(str, Version(text).release)))

    ranges = release_specifiers_to_ranges(specifiers)
    assert all(ranges.contains(release(version)) for version in inside)
    assert not any(ranges.contains(release(version)) for version in outside)


def test_release_ranges_trim_only_when_asked() -> None:
    untrimmed = release_specifier_to_ranges(">=3.9.0")
    trimmed = release_specifier_to_ranges(">=3.9.0", trim=True)
    assert untrimmed == trimmed
    assert str(untrimmed.segments[0][0][0]) == "3.9.0"
    assert str(trimmed.segments[0][0][0]) == "3.9"


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        (("3.9", True), ("3.10", False), ["==*3.9"]),
        (("3", True), ("3.1", False), ["==*3.0"]),
        (("3.8", True), ("3.8", True), ["==3.8"]),
        (("3.8", True), ("3.11", False), [">=3.8", "<3.11"]),
        (None, ("3.11", True), ["<=3.11"]),
        (("3.8", False), None, [">3.8"]),
    ],
)
def test_release_bounds_to_specifiers(
    lower: tuple[str, bool] | None, upper: tuple[str, bool] | None, expected: list[str]
) -> None:
    def bound(value: tuple[str, bool] | None) -> tuple[Version, bool] | None:
        return None if value is None else (Version(value[0]), value[1])

    specifiers = release_bounds_to_specifiers(bound(lower), bound(upper))
    assert [f"{operator}{version}" for operator, version in specifiers] == expected
