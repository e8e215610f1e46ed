"""Sets of versions as sorted, disjoint intervals, and PEP 440 specifiers converted to them.

`Ranges` is an immutable union of intervals over any totally ordered values (versions for the
resolver and for `python_full_version` markers, plain strings for `sys_platform` and friends).
Its algorithms follow the `version-ranges` crate that uv's resolver and marker algebra are built
on, including which of two equal values a result keeps (`3.10` and `3.10.0` are equal versions but
print differently, and uv's output depends on which spelling survives).

A bound is `None` (unbounded) or a pair `(value, inclusive)`; a segment is `(lower, upper)`.

Two conversions from PEP 440 specifiers are provided, as uv has them:

- `specifier_to_ranges` / `specifiers_to_ranges`: full PEP 440 semantics, for package versions
  (`<2` excludes `2.0a1`, `>1` excludes `1.post1`, `==1.0` admits `1.0+local`). Bounds that fall
  between real versions are `VersionBoundary` points.
- `release_specifier_to_ranges` / `release_specifiers_to_ranges`: release-only semantics, for
  Python versions (`requires-python`, `python_full_version` markers).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, Generic, TypeVar

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

T = TypeVar("T")
#: `None` is unbounded; `(value, True)` includes `value`, `(value, False)` excludes it.
Bound = tuple[Any, bool] | None
Segment = tuple[Bound, Bound]


def _valid_segment(start: Bound, end: Bound) -> bool:
    """At least one value fits between `start` and `end`."""
    if start is None or end is None:
        return True
    if start[1] and end[1]:
        return bool(start[0] <= end[0])
    return bool(start[0] < end[0])


def _end_before_start_with_gap(end: Bound, start: Bound) -> bool:
    """The interval ending at `end` and the one starting at `start` cannot be joined."""
    if end is None or start is None:
        return False
    if not end[1] and not start[1]:
        return bool(end[0] <= start[0])
    return bool(end[0] < start[0])


def _left_start_is_smaller(left: Bound, right: Bound) -> bool:
    if left is None:
        return True
    if right is None:
        return False
    if not left[1] and right[1]:
        return bool(left[0] < right[0])
    return bool(left[0] <= right[0])


def _left_end_is_smaller(left: Bound, right: Bound) -> bool:
    if right is None:
        return True
    if left is None:
        return False
    if left[1] and not right[1]:
        return bool(left[0] < right[0])
    return bool(left[0] <= right[0])


def _intersection_start(left_start: Bound, right_start: Bound) -> Bound:
    """The later of two lower bounds (keeping the second of two equal ones, like Rust's `max`)."""
    if left_start is None:
        return right_start
    if right_start is None:
        return left_start
    if left_start[1] == right_start[1]:
        return left_start if left_start[0] > right_start[0] else right_start
    included, excluded = (left_start, right_start) if left_start[1] else (right_start, left_start)
    return excluded if included[0] <= excluded[0] else included


def intersect_segments(left: Segment, right: Segment) -> Segment | None:
    """The intersection of two intervals, as `Ranges.intersection` computes it; `None` if empty."""
    left_start, left_end = left
    right_start, right_end = right
    if _left_end_is_smaller(left_end, right_end):
        other_start, end = right_start, left_end
    else:
        other_start, end = left_start, right_end
    if not _valid_segment(other_start, end):
        return None
    return (_intersection_start(left_start, right_start), end)


def _flip(bound: Bound) -> Bound:
    return None if bound is None else (bound[0], not bound[1])


def _is_point(lower: Bound, upper: Bound) -> bool:
    """The segment holds exactly one value."""
    return (
        lower is not None and upper is not None and lower[1] and upper[1] and lower[0] == upper[0]
    )


def _cmp_values(left: Any, right: Any) -> int:
    return -1 if left < right else (1 if left > right else 0)


def _cmp_bounds_start(left: Bound, right: Bound) -> int:
    if left is None:
        return 0 if right is None else -1
    if right is None:
        return 1
    order = _cmp_values(left[0], right[0])
    if order or left[1] == right[1]:
        return order
    return -1 if left[1] else 1


def _cmp_bounds_end(left: Bound, right: Bound) -> int:
    if left is None:
        return 0 if right is None else 1
    if right is None:
        return -1
    order = _cmp_values(left[0], right[0])
    if order or left[1] == right[1]:
        return order
    return 1 if left[1] else -1


class Ranges(Generic[T]):
    """An immutable set of values: sorted, disjoint, non-adjacent segments."""

    __slots__ = ("_hash", "segments")

    segments: tuple[Segment, ...]
    _hash: int | None

    def __init__(self, segments: tuple[Segment, ...] = ()) -> None:
        object.__setattr__(self, "segments", segments)
        object.__setattr__(self, "_hash", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ranges) and self.segments == other.segments

    def __hash__(self) -> int:
        cached: int | None = self._hash
        if cached is None:
            cached = hash(self.segments)
            object.__setattr__(self, "_hash", cached)
        return cached

    def __repr__(self) -> str:
        return f"Ranges({self})"

    def __str__(self) -> str:
        if not self.segments:
            return "∅"
        parts = []
        for lower, upper in self.segments:
            if _is_point(lower, upper):
                parts.append(f"=={lower[0]}")  # type: ignore[index]
                continue
            bounds = []
            if lower is not None:
                bounds.append(f"{'>=' if lower[1] else '>'}{lower[0]}")
            if upper is not None:
                bounds.append(f"{'<=' if upper[1] else '<'}{upper[0]}")
            parts.append(", ".join(bounds) or "*")
        return " | ".join(parts)

    # Constructors.

    @classmethod
    def empty(cls) -> Ranges[T]:
        """No value."""
        return cls(())

    @classmethod
    def full(cls) -> Ranges[T]:
        """Every value."""
        return cls(((None, None),))

    @classmethod
    def singleton(cls, value: T) -> Ranges[T]:
        """Exactly `value`."""
        return cls((((value, True), (value, True)),))

    @classmethod
    def higher_than(cls, value: T) -> Ranges[T]:
        """`>= value`."""
        return cls((((value, True), None),))

    @classmethod
    def strictly_higher_than(cls, value: T) -> Ranges[T]:
        """`> value`."""
        return cls((((value, False), None),))

    @classmethod
    def lower_than(cls, value: T) -> Ranges[T]:
        """`<= value`."""
        return cls(((None, (value, True)),))

    @classmethod
    def strictly_lower_than(cls, value: T) -> Ranges[T]:
        """`< value`."""
        return cls(((None, (value, False)),))

    @classmethod
    def between(cls, lower: T, upper: T) -> Ranges[T]:
        """`>= lower, < upper` (empty when `upper <= lower`)."""
        return cls.from_bounds((lower, True), (upper, False))

    @classmethod
    def from_bounds(cls, lower: Bound, upper: Bound) -> Ranges[T]:
        """One interval; empty when no value fits between the bounds."""
        if _valid_segment(lower, upper):
            return cls(((lower, upper),))
        return cls(())

    @classmethod
    def from_segments(cls, segments: Iterable[Segment]) -> Ranges[T]:
        """The union of arbitrary (unsorted, overlapping, possibly empty) intervals."""
        result: Ranges[T] = cls(())
        for lower, upper in segments:
            result = result.union(cls.from_bounds(lower, upper))
        return result

    # Queries.

    def is_empty(self) -> bool:
        """No value is in the set."""
        return not self.segments

    def is_full(self) -> bool:
        """Every value is in the set."""
        return self.segments == ((None, None),)

    def __bool__(self) -> bool:
        return bool(self.segments)

    def __iter__(self) -> Iterator[Segment]:
        return iter(self.segments)

    def __len__(self) -> int:
        return len(self.segments)

    def bounding_range(self) -> Segment | None:
        """The lowest lower bound and the highest upper bound; `None` when empty."""
        if not self.segments:
            return None
        return (self.segments[0][0], self.segments[-1][1])

    def as_singleton(self) -> T | None:
        """The only value in the set, if it holds exactly one."""
        if len(self.segments) == 1 and _is_point(*self.segments[0]):
            value: T = self.segments[0][0][0]  # type: ignore[index]
            return value
        return None

    def contains(self, value: Any) -> bool:
        """`value` is in the set."""
        for lower, upper in self.segments:
            if lower is not None and (value < lower[0] if lower[1] else value <= lower[0]):
                return False
            if upper is None or (value <= upper[0] if upper[1] else value < upper[0]):
                return True
        return False

    __contains__ = contains

    # Set operations.

    def complement(self) -> Ranges[T]:
        """Every value not in this set."""
        segments = self.segments
        if not segments:
            return Ranges(((None, None),))
        first_lower, first_upper = segments[0]
        if first_lower is None:
            if first_upper is None:
                return Ranges(())
            return Ranges._negate(_flip(first_upper), segments[1:])
        if first_upper is None:
            return Ranges(((None, _flip(first_lower)),))
        return Ranges._negate(None, segments)

    @staticmethod
    def _negate(start: Bound, segments: tuple[Segment, ...]) -> Ranges[T]:
        out: list[Segment] = []
        for lower, upper in segments:
            out.append((start, _flip(lower)))
            start = _flip(upper)
        if start is not None:
            out.append((start, None))
        return Ranges(tuple(out))

    def union(self, other: Ranges[T]) -> Ranges[T]:
        """Values in either set."""
        left, right = self.segments, other.segments
        if not left:
            return other
        if not right:
            return self
        out: list[Segment] = []
        accumulator: Segment | None = None
        i = j = 0
        while True:
            if i < len(left) and j < len(right):
                if _left_start_is_smaller(left[i][0], right[j][0]):
                    segment = left[i]
                    i += 1
                else:
                    segment = right[j]
                    j += 1
            elif i < len(left):
                segment = left[i]
                i += 1
            elif j < len(right):
                segment = right[j]
                j += 1
            else:
                break
            if accumulator is None:
                accumulator = segment
            elif _end_before_start_with_gap(accumulator[1], segment[0]):
                out.append(accumulator)
                accumulator = segment
            else:
                accumulator_end, segment_end = accumulator[1], segment[1]
                if accumulator_end is None or segment_end is None:
                    end: Bound = None
                elif accumulator_end[1] and accumulator_end[0] == segment_end[0]:
                    end = accumulator_end
                else:
                    end = accumulator_end if accumulator_end[0] > segment_end[0] else segment_end
                accumulator = (accumulator[0], end)
        if accumulator is not None:
            out.append(accumulator)
        return Ranges(tuple(out))

    def intersection(self, other: Ranges[T]) -> Ranges[T]:
        """Values in both sets."""
        left, right = self.segments, other.segments
        out: list[Segment] = []
        i = j = 0
        while i < len(left) and j < len(right):
            left_start, left_end = left[i]
            right_start, right_end = right[j]
            if _left_end_is_smaller(left_end, right_end):
                i += 1
                other_start, end = right_start, left_end
            else:
                j += 1
                other_start, end = left_start, right_end
            if _valid_segment(other_start, end):
                out.append((_intersection_start(left_start, right_start), end))
        return Ranges(tuple(out))

    def difference(self, other: Ranges[T]) -> Ranges[T]:
        """Values in this set but not in `other`."""
        return self.intersection(other.complement())

    def is_disjoint(self, other: Ranges[T]) -> bool:
        """No value is in both sets."""
        left, right = self.segments, other.segments
        i = j = 0
        while i < len(left) and j < len(right):
            if not _valid_segment(right[j][0], left[i][1]):
                i += 1
            elif not _valid_segment(left[i][0], right[j][1]):
                j += 1
            else:
                return False
        return True

    def subset_of(self, other: Ranges[T]) -> bool:
        """Every value of this set is in `other`."""
        containing = other.segments
        if not containing:
            return not self.segments
        index = 0
        for start, end in self.segments:
            while not _valid_segment(start, containing[index][1]):
                index += 1
                if index == len(containing):
                    return False
            if not _left_start_is_smaller(containing[index][0], start):
                return False
            if not _left_end_is_smaller(end, containing[index][1]):
                return False
        return True

    def compare(self, other: Ranges[T]) -> int:
        """uv's ordering of ranges: bound by bound, then the shorter first (-1, 0 or 1)."""
        for (left_start, left_end), (right_start, right_end) in zip(
            self.segments, other.segments, strict=False
        ):
            order = _cmp_bounds_start(left_start, right_start)
            if order:
                return order
            order = _cmp_bounds_end(left_end, right_end)
            if order:
                return order
        return _cmp_values(len(self.segments), len(other.segments))


VersionRanges = Ranges[Any]
"""Ranges over `packaging.version.Version` values (and `VersionBoundary` points)."""


# Points between versions.


class BoundaryKind(enum.IntEnum):
    """Where a `VersionBoundary` sits relative to its version."""

    #: Before every pre-, dev- and post-release of the version (`<1.0` ends here).
    MIN = 0
    #: After every local version of the version (`==1.0` and `<=1.0` end here).
    LOCAL_MAX = 1
    #: After every post-release of the version (`>1.0` starts here).
    POST_MAX = 2


_INFINITY = float("inf")


def _local_key(local: str | None) -> tuple[tuple[int, int | str], ...]:
    if not local:
        return ()
    return tuple(
        (1, int(part)) if part.isdigit() else (0, part.lower()) for part in local.split(".")
    )


def _trimmed(release: tuple[int, ...]) -> tuple[int, ...]:
    end = len(release)
    while end > 1 and release[end - 1] == 0:
        end -= 1
    return release[:end]


@lru_cache(maxsize=8192)
def _version_key(version: Version, kind: BoundaryKind | None = None) -> tuple[Any, ...]:
    """A sort key that orders real versions as PEP 440 does and places boundaries between them."""
    pre, post, dev = version.pre, version.post, version.dev
    local: tuple[Any, ...] = _local_key(version.local)
    if kind is BoundaryKind.LOCAL_MAX:
        local = ((2, 0),)
    post_key: float = -1 if post is None else post
    if kind is BoundaryKind.POST_MAX:
        post_key = _INFINITY
    dev_key: float = _INFINITY if dev is None else dev
    if kind is BoundaryKind.MIN:
        phase: tuple[Any, ...] = (0, 0, post_key, 0)
    elif pre is None and post_key == -1 and dev is not None:
        phase = (1, 0, -1, dev)
    elif pre is not None:
        phase = ({"a": 2, "b": 3, "rc": 4}[pre[0]], pre[1], post_key, dev_key)
    elif post_key == -1:
        phase = (5, 0, -1, 0)
    else:
        phase = (6, 0, post_key, dev_key)
    return (version.epoch, _trimmed(version.release), phase, local)


class VersionBoundary:
    """A point between real versions, used as a bound by the full PEP 440 conversion.

    Compares with `packaging.version.Version` in both directions.
    """

    __slots__ = ("_key", "kind", "version")

    version: Version
    kind: BoundaryKind
    _key: tuple[Any, ...]

    def __init__(self, version: Version, kind: BoundaryKind) -> None:
        object.__setattr__(self, "version", version)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "_key", _version_key(version, kind))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("VersionBoundary is immutable")

    def __repr__(self) -> str:
        return f"VersionBoundary({str(self.version)!r}, {self.kind.name})"

    def __str__(self) -> str:
        suffix = {BoundaryKind.MIN: "min", BoundaryKind.LOCAL_MAX: "+max"}
        return f"{self.version}{suffix.get(self.kind, '.max')}"

    def __hash__(self) -> int:
        return hash(self._key)

    @staticmethod
    def _other_key(other: object) -> tuple[Any, ...] | None:
        if isinstance(other, VersionBoundary):
            return other._key
        if isinstance(other, Version):
            return _version_key(other)
        return None

    def __eq__(self, other: object) -> bool:
        key = self._other_key(other)
        return key is not None and self._key == key

    def __lt__(self, other: object) -> bool:
        key = self._other_key(other)
        if key is None:
            return NotImplemented
        return self._key < key

    def __le__(self, other: object) -> bool:
        key = self._other_key(other)
        if key is None:
            return NotImplemented
        return self._key <= key

    def __gt__(self, other: object) -> bool:
        key = self._other_key(other)
        if key is None:
            return NotImplemented
        return self._key > key

    def __ge__(self, other: object) -> bool:
        key = self._other_key(other)
        if key is None:
            return NotImplemented
        return self._key >= key


# Building versions.


def make_version(
    release: Iterable[int],
    *,
    epoch: int = 0,
    pre: tuple[str, int] | None = None,
    post: int | None = None,
    dev: int | None = None,
    local: str | None = None,
) -> Version:
    """A `Version` from its parts (`make_version((3, 12))` is `3.12`)."""
    text = ".".join(str(part) for part in release)
    if epoch:
        text = f"{epoch}!{text}"
    if pre is not None:
        text += f"{pre[0]}{pre[1]}"
    if post is not None:
        text += f".post{post}"
    if dev is not None:
        text += f".dev{dev}"
    if local:
        text += f"+{local}"
    return Version(text)


def release_only(version: Version) -> Version:
    """The version with everything but the release segments dropped (`1!3.9.0rc1` -> `3.9.0`)."""
    parts = (version.pre, version.post, version.dev, version.local)
    if version.epoch == 0 and parts == (None, None, None, None):
        return version
    return make_version(version.release)


@lru_cache(maxsize=8192)
def release_only_trimmed(version: Version) -> Version:
    """`release_only` with trailing zero segments removed (`3.9.0` -> `3.9`, `0.0` -> `0`).

    (Cached on version equality, which is safe: equal versions have the same trimmed form.)
    """
    release = _trimmed(version.release)
    if release == version.release and release_only(version) is version:
        return version
    return make_version(release)


def _with_dev(version: Version, dev: int) -> Version:
    return make_version(
        version.release,
        epoch=version.epoch,
        pre=version.pre,
        post=version.post,
        dev=dev,
        local=version.local,
    )


def _without_local(version: Version) -> Version:
    if version.local is None:
        return version
    return make_version(
        version.release, epoch=version.epoch, pre=version.pre, post=version.post, dev=version.dev
    )


# Specifier conversion.


def _parse_specifier(specifier: Specifier | str) -> tuple[str, str]:
    if isinstance(specifier, str):
        specifier = Specifier(specifier)
    return specifier.operator, specifier.version


def _star_upper(version: Version) -> Version:
    """The first version after every `version.*` match (`1.2.dev0` -> `1.3.dev0`)."""
    if version.post is not None:
        return make_version(
            version.release, epoch=version.epoch, pre=version.pre, post=version.post + 1, dev=0
        )
    if version.pre is not None:
        return make_version(
            version.release, epoch=version.epoch, pre=(version.pre[0], version.pre[1] + 1), dev=0
        )
    release = (*version.release[:-1], version.release[-1] + 1)
    return make_version(release, epoch=version.epoch, dev=0)


def specifier_to_ranges(specifier: Specifier | str) -> VersionRanges:
    """The versions a PEP 440 specifier admits, as uv's resolver computes them.

    `==1.0` admits local versions of 1.0; `<V` excludes pre-releases of V unless V is one; `>V`
    excludes post-releases of V unless V is one; `==1.*` spans `[1.dev0, 2.dev0)`; `===` admits
    the one version it names.
    """
    operator, text = _parse_specifier(specifier)
    if operator == "===":
        try:
            return Ranges.singleton(Version(text))
        except InvalidVersion:
            return Ranges.empty()
    if text.endswith(".*"):
        low = _with_dev(Version(text[:-2]), 0)
        star = Ranges.between(low, _star_upper(low))
        return star if operator == "==" else star.complement()
    version = Version(text)
    if operator in ("==", "!="):
        if version.local is None:
            equal = Ranges.between(version, VersionBoundary(version, BoundaryKind.LOCAL_MAX))
        else:
            equal = Ranges.singleton(version)
        return equal if operator == "==" else equal.complement()
    if operator == "~=":
        release = version.release
        upper = make_version((*release[:-2], release[-2] + 1), epoch=version.epoch, dev=0)
        return Ranges.between(version, upper)
    if operator == "<":
        if version.is_prerelease:
            return Ranges.strictly_lower_than(version)
        if version.post is not None:
            return Ranges.strictly_lower_than(_with_dev(version, 0))
        return Ranges.strictly_lower_than(VersionBoundary(version, BoundaryKind.MIN))
    if operator == "<=":
        return Ranges.lower_than(VersionBoundary(version, BoundaryKind.LOCAL_MAX))
    if operator == ">":
        if version.dev is not None:
            return Ranges.higher_than(_with_dev(version, version.dev + 1))
        if version.post is not None:
            return Ranges.strictly_higher_than(VersionBoundary(version, BoundaryKind.LOCAL_MAX))
        return Ranges.strictly_higher_than(VersionBoundary(version, BoundaryKind.POST_MAX))
    if operator == ">=":
        return Ranges.higher_than(version)
    raise InvalidSpecifier(f"unknown operator {operator!r}")


def specifiers_to_ranges(specifiers: SpecifierSet | str) -> VersionRanges:
    """The intersection of `specifier_to_ranges` over a specifier set (`""` is every version)."""
    if isinstance(specifiers, str):
        specifiers = SpecifierSet(specifiers)
    result: VersionRanges = Ranges.full()
    for specifier in specifiers:
        result = result.intersection(specifier_to_ranges(specifier))
    return result


def release_specifier_to_ranges(specifier: Specifier | str, *, trim: bool = False) -> VersionRanges:
    """The release versions a specifier admits, ignoring pre-, post-, dev- and local parts.

    This is how uv compares Python versions (`requires-python`, markers): `>=3.13` admits
    `3.13.0b1`. With `trim`, trailing zeros are dropped from bounds (`>=3.9.0` -> `>=3.9`), as
    uv does for markers; `requires-python` keeps them.
    """
    operator, text = _parse_specifier(specifier)
    if text.endswith(".*"):
        return release_range(operator + "*", Version(text[:-2]), trim=trim)
    return release_range(operator, Version(text), trim=trim)


def release_range(operator: str, version: Version, *, trim: bool) -> VersionRanges:
    """`release_specifier_to_ranges` for an operator (`==*`/`!=*` for `== V.*`) and a version."""
    version = release_only(version)
    if operator in ("==*", "!=*"):
        upper = make_version((*version.release[:-1], version.release[-1] + 1))
        star: VersionRanges = Ranges.between(version, upper)
        return star if operator == "==*" else star.complement()
    bound = release_only_trimmed(version) if trim else version
    if operator in ("==", "==="):
        return Ranges.singleton(bound)
    if operator == "!=":
        return Ranges.singleton(bound).complement()
    if operator == "<":
        return Ranges.strictly_lower_than(bound)
    if operator == "<=":
        return Ranges.lower_than(bound)
    if operator == ">":
        return Ranges.strictly_higher_than(bound)
    if operator == ">=":
        return Ranges.higher_than(bound)
    if operator == "~=":
        release = version.release
        return Ranges.between(bound, make_version((*release[:-2], release[-2] + 1)))
    raise InvalidSpecifier(f"unknown operator {operator!r}")


def release_specifiers_to_ranges(specifiers: SpecifierSet | str) -> VersionRanges:
    """uv's `release_specifiers_to_ranges`: the intersection over a specifier set, untrimmed."""
    if isinstance(specifiers, str):
        specifiers = SpecifierSet(specifiers)
    result: VersionRanges = Ranges.full()
    for specifier in specifiers:
        result = result.intersection(release_specifier_to_ranges(specifier))
    return result


def release_bounds_to_specifiers(lower: Bound, upper: Bound) -> list[tuple[str, Version]]:
    """The specifiers uv writes for one interval of release versions, as `(operator, version)`.

    `[3.9, 3.10)` is `==3.9.*` (operator `==*`), `[3.8, 3.8]` is `==3.8`, anything else a lower
    and an upper comparison.
    """
    if lower is not None and upper is not None and lower[1]:
        if upper[1] and lower[0] == upper[0]:
            return [("==", lower[0])]
        if not upper[1]:
            low = release_only_trimmed(lower[0]).release
            high = release_only_trimmed(upper[0]).release
            if len(low) == 1 and high == (low[0], 1):
                return [("==*", make_version((low[0], 0)))]
            if len(low) == 2 and high == (low[0], low[1] + 1):
                return [("==*", make_version(low))]
    result: list[tuple[str, Version]] = []
    if lower is not None:
        result.append((">=" if lower[1] else ">", lower[0]))
    if upper is not None:
        result.append(("<=" if upper[1] else "<", upper[0]))
    return result
