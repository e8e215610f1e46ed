"""Sets of PEP 440 versions with uv's semantics (the resolver's own until `core.version_ranges`).

A `VersionRanges` is a union of disjoint intervals kept as a sorted tuple of *cuts*. A cut sits
either just before a version (flag 0) or just after it (flag 1), so every interval is half-open
over cuts and membership is a bisection. Keys are canonical: uv's internal sentinels (the
"min" and "max" of a release and the "+max" local version, see `uv-pep440/version_ranges.rs`)
are folded onto the least real version above them, so sets that contain the same versions
compare equal. Each cut also keeps a *label* that remembers how uv would print the bound
(`<2.0` rather than `<2.0.dev0`), which is all the error report needs.

The solver only relies on the `VersionSet` protocol below; swapping in another implementation
is a one-line change in `pubgrub.py`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Protocol, Self

from msgspec import Struct
from packaging.specifiers import Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from puv.core.version_order import VersionKey, version_key

Cut = tuple[VersionKey, int]

SUBSET, DISJOINT, OVERLAPPING = 0, 1, 2
# Sorts after every post-release and local version of a final release: uv's `max` sentinel.
_MAX_POST = (2,)


class VersionSet(Protocol):
    """What the PubGrub core needs from a set of versions."""

    def intersection(self, other: Self) -> Self: ...
    def union(self, other: Self) -> Self: ...
    def complement(self) -> Self: ...
    def contains(self, version: Version) -> bool: ...
    def is_empty(self) -> bool: ...
    def is_full(self) -> bool: ...
    def subset_of(self, other: Self) -> bool: ...
    def is_disjoint(self, other: Self) -> bool: ...


def _known_cut(version: Version) -> Cut:
    return (version_key(version), 0)


_KEEP: object = object()


def _with(
    version: Version,
    *,
    release: tuple[int, ...] | None = None,
    pre: tuple[str, int] | object | None = _KEEP,
    post: int | object | None = _KEEP,
    dev: int | object | None = _KEEP,
    local: str | object | None = _KEEP,
) -> Version:
    """A copy of `version` with some PEP 440 parts replaced (None removes a part)."""
    parts_release = version.release if release is None else release
    text = ".".join(str(n) for n in parts_release)
    if version.epoch:
        text = f"{version.epoch}!{text}"
    pre_part = version.pre if pre is _KEEP else pre
    post_part = version.post if post is _KEEP else post
    dev_part = version.dev if dev is _KEEP else dev
    local_part = version.local if local is _KEEP else local
    if isinstance(pre_part, tuple):
        text += f"{pre_part[0]}{pre_part[1]}"
    if post_part is not None:
        text += f".post{post_part}"
    if dev_part is not None:
        text += f".dev{dev_part}"
    if local_part is not None:
        text += f"+{local_part}"
    return Version(text)


def is_prerelease(version: Version) -> bool:
    """uv's `any_prerelease`: a pre-release or a development release."""
    return version.pre is not None or version.dev is not None


class Label(Struct, frozen=True):
    """How uv prints a cut: the version shown and whether, as an upper bound, it is inclusive.

    As a lower bound the inclusivity is the opposite. `local_max` marks uv's `V+max` sentinel,
    which the report prints as `V` (see `strip_local_version_sentinels` in uv).
    """

    version: Version
    inclusive_as_upper: bool
    local_max: bool = False


class Bound(Struct, frozen=True):
    """One end of an interval as uv prints it."""

    version: Version
    inclusive: bool


def _real_cut(version: Version, after: bool) -> tuple[Cut, Label]:
    return (version_key(version), int(after)), Label(version, after)


def _local_max_successor(version: Version) -> Version:
    """The least real version above every local version of `version`."""
    if version.dev is not None:
        return _with(version, dev=version.dev + 1, local=None)
    if version.post is not None:
        return _with(version, post=version.post + 1, dev=0, local=None)
    return _with(version, post=0, dev=0, local=None)


def _local_max_cut(version: Version, inclusive_as_upper: bool) -> tuple[Cut, Label]:
    successor = _local_max_successor(version)
    return (version_key(successor), 0), Label(version, inclusive_as_upper, local_max=True)


def _min_cut(version: Version) -> tuple[Cut, Label]:
    """Just below every pre-release of the final release `version` (uv's `min` sentinel)."""
    return (version_key(_with(version, dev=0, local=None)), 0), Label(version, False)


def _max_cut(version: Version) -> tuple[Cut, Label]:
    """Just above every post-release and local version of `version` (uv's `max` sentinel)."""
    if version.pre is not None:
        successor = _with(version, pre=(version.pre[0], version.pre[1] + 1), dev=0, local=None)
        return (version_key(successor), 0), Label(version, True)
    key = version_key(version)
    return ((key[0], key[1], key[2], _MAX_POST), 1), Label(version, True)


class VersionRanges:
    """An immutable set of versions: the complement of nothing, a union of intervals."""

    __slots__ = ("_cuts", "_hash", "_labels", "_start")

    def __init__(self, start: bool, cuts: Sequence[Cut], labels: Sequence[Label]) -> None:
        self._start = start
        self._cuts: tuple[Cut, ...] = tuple(cuts)
        self._labels: tuple[Label, ...] = tuple(labels)
        self._hash: int | None = None

    # construction -------------------------------------------------------------------------

    @classmethod
    def empty(cls) -> VersionRanges:
        """The set with no version."""
        return _EMPTY

    @classmethod
    def full(cls) -> VersionRanges:
        """The set of every version."""
        return _FULL

    @classmethod
    def singleton(cls, version: Version) -> VersionRanges:
        """Exactly `version` (a local version is distinct from its public version)."""
        low, low_label = _real_cut(version, False)
        high, high_label = _real_cut(version, True)
        return cls(False, (low, high), (low_label, high_label))

    @classmethod
    def between(
        cls,
        lower: Version | None,
        lower_inclusive: bool,
        upper: Version | None,
        upper_inclusive: bool,
    ) -> VersionRanges:
        """One interval between two versions; None is unbounded."""
        cuts: list[Cut] = []
        labels: list[Label] = []
        if lower is not None:
            cut, label = _real_cut(lower, not lower_inclusive)
            cuts.append(cut)
            labels.append(label)
        if upper is not None:
            cut, label = _real_cut(upper, upper_inclusive)
            cuts.append(cut)
            labels.append(label)
        if len(cuts) == 2 and cuts[0] >= cuts[1]:
            return _EMPTY
        return cls(lower is None, cuts, labels)

    @classmethod
    def from_bounds(cls, segments: Iterable[tuple[Bound | None, Bound | None]]) -> VersionRanges:
        """The union of intervals given by printable bounds (None is unbounded)."""
        result = _EMPTY
        for lower, upper in segments:
            result = result.union(
                cls.between(
                    lower.version if lower else None,
                    bool(lower and lower.inclusive),
                    upper.version if upper else None,
                    bool(upper and upper.inclusive),
                )
            )
        return result

    @classmethod
    def _interval(
        cls, low: tuple[Cut, Label] | None, high: tuple[Cut, Label] | None
    ) -> VersionRanges:
        cuts: list[Cut] = []
        labels: list[Label] = []
        for part in (low, high):
            if part is not None:
                cuts.append(part[0])
                labels.append(part[1])
        if low is not None and high is not None and low[0] >= high[0]:
            return _EMPTY
        return cls(low is None, cuts, labels)

    # queries ------------------------------------------------------------------------------

    def is_empty(self) -> bool:
        """No version at all."""
        return not self._start and not self._cuts

    def is_full(self) -> bool:
        """Every version."""
        return self._start and not self._cuts

    def contains(self, version: Version) -> bool:
        """Whether `version` is in the set."""
        count = bisect_right(self._cuts, (version_key(version), 0))
        return self._start != (count % 2 == 1)

    def as_singleton(self) -> Version | None:
        """The one version of a `==V` set (a real singleton, not `==V` with its locals)."""
        if self._start or len(self._cuts) != 2:
            return None
        (low_key, low_flag), (high_key, high_flag) = self._cuts
        if low_key == high_key and low_flag == 0 and high_flag == 1:
            return self._labels[0].version
        return None

    def is_singleton_constraint(self) -> bool:
        """One exact version, possibly with its local variants (`==1.0` admits `1.0+cpu`)."""
        if self.as_singleton() is not None:
            return True
        segments = self._segments()
        if not segments:
            return False
        for low, high in segments:
            if low is None or high is None or not high[1].local_max:
                return False
            if low[0] != (version_key(high[1].version), 0) or low[1].version.local is not None:
                return False
        return True

    def _compare(self, other: VersionRanges) -> tuple[bool, bool]:
        """(every version of `self` is in `other`, some version is in both), in one sweep."""
        a_cuts, b_cuts = self._cuts, other._cuts
        in_a, in_b = self._start, other._start
        subset, overlap = True, False
        if in_a:
            if in_b:
                overlap = True
            else:
                subset = False
        i = j = 0
        len_a, len_b = len(a_cuts), len(b_cuts)
        while i < len_a or j < len_b:
            if j >= len_b or (i < len_a and a_cuts[i] < b_cuts[j]):
                in_a = not in_a
                i += 1
            elif i >= len_a or b_cuts[j] < a_cuts[i]:
                in_b = not in_b
                j += 1
            else:
                in_a = not in_a
                in_b = not in_b
                i += 1
                j += 1
            if in_a:
                if in_b:
                    overlap = True
                else:
                    subset = False
                if overlap and not subset:
                    break
        return subset, overlap

    def relation(self, other: VersionRanges) -> int:
        """pubgrub's `relation`: SUBSET (0, also for an empty set), DISJOINT (1), OVERLAPPING (2)."""
        if self._cuts == other._cuts and self._start == other._start:
            return SUBSET
        subset, overlap = self._compare(other)
        if subset:
            return SUBSET
        return OVERLAPPING if overlap else DISJOINT

    def subset_of(self, other: VersionRanges) -> bool:
        """Every version of `self` is in `other`."""
        if self._cuts == other._cuts and self._start == other._start:
            return True
        return self._compare(other)[0]

    def is_disjoint(self, other: VersionRanges) -> bool:
        """No version in common."""
        return not self._compare(other)[1]

    # algebra ------------------------------------------------------------------------------

    def complement(self) -> VersionRanges:
        """Every version not in the set."""
        return VersionRanges(not self._start, self._cuts, self._labels)

    def intersection(self, other: VersionRanges) -> VersionRanges:
        """Versions in both sets."""
        if self.is_full() or other.is_empty():
            return other
        if other.is_full() or self.is_empty():
            return self
        return self._combine(other, both=True)

    def union(self, other: VersionRanges) -> VersionRanges:
        """Versions in either set."""
        if self.is_empty() or other.is_full():
            return other
        if other.is_empty() or self.is_full():
            return self
        return self._combine(other, both=False)

    def difference(self, other: VersionRanges) -> VersionRanges:
        """Versions of `self` that are not in `other`."""
        return self.intersection(other.complement())

    def _combine(self, other: VersionRanges, both: bool) -> VersionRanges:
        """Intersection (`both`) or union by a sweep over the cuts of both sets.

        When both sets have a bound at the same place, the label kept is the one pubgrub's
        `Ranges` keeps (its printed spelling differs, e.g. `<7` and `<7.0`): for an intersection
        the right operand's lower bound and the left operand's upper bound; for a union the left
        operand's lower bound and the upper bound of the interval that starts last.
        """
        a_cuts, a_labels, b_cuts, b_labels = self._cuts, self._labels, other._cuts, other._labels
        in_a, in_b = self._start, other._start
        current = (in_a and in_b) if both else (in_a or in_b)
        start = current
        cuts: list[Cut] = []
        labels: list[Label] = []
        # Where the current interval of each operand started (None: unbounded below).
        a_from: Cut | None = None
        b_from: Cut | None = None
        i = j = 0
        len_a, len_b = len(a_cuts), len(b_cuts)
        while i < len_a or j < len_b:
            if j >= len_b or (i < len_a and a_cuts[i] < b_cuts[j]):
                cut, label = a_cuts[i], a_labels[i]
                in_a = not in_a
                if in_a:
                    a_from = cut
                i += 1
            elif i >= len_a or b_cuts[j] < a_cuts[i]:
                cut, label = b_cuts[j], b_labels[j]
                in_b = not in_b
                if in_b:
                    b_from = cut
                j += 1
            else:
                cut = a_cuts[i]
                in_a = not in_a
                in_b = not in_b
                entering = in_a and in_b
                if both:
                    label = b_labels[j] if entering else a_labels[i]
                elif entering:
                    label = a_labels[i]
                else:
                    # pubgrub keeps the first interval's `<=` bound but the last one's `<`.
                    a_later = a_from is not None and (b_from is None or a_from > b_from)
                    take_a = a_later if cut[1] == 0 else not a_later
                    label = a_labels[i] if take_a else b_labels[j]
                if in_a:
                    a_from = cut
                if in_b:
                    b_from = cut
                i += 1
                j += 1
            new = (in_a and in_b) if both else (in_a or in_b)
            if new != current:
                cuts.append(cut)
                labels.append(label)
                current = new
        return VersionRanges(start, cuts, labels)

    # known-version helpers (uv's widen / narrow / simplify) -------------------------------

    def widen(self, known: Sequence[Version]) -> VersionRanges:
        """Stretch every interval to the neighbouring known versions it does not contain.

        Only versions absent from `known` (sorted) are added, so for the known versions the set
        is unchanged (uv's `Ranges::widen_versions`). Bisection keys only the versions it
        probes: a package can list thousands.
        """
        result = _EMPTY
        for low, high in self._segments():
            if low is None:
                new_low = None
            else:
                index = bisect_left(known, low[0], key=_known_cut)
                # `known[index-1]` is the greatest known version below the interval.
                new_low = _real_cut(known[index - 1], True) if index > 0 else None
            if high is None:
                new_high = None
            else:
                index = bisect_left(known, high[0], key=_known_cut)
                new_high = _real_cut(known[index], False) if index < len(known) else None
            result = result.union(VersionRanges._interval(new_low, new_high))
        return result

    def narrow(self, known: Sequence[Version]) -> VersionRanges:
        """Pull bounded ends in onto the known versions inside (uv's `narrow_versions`)."""
        result = _EMPTY
        for low, high in self._segments():
            inside = [
                v
                for v in known
                if (low is None or low[0] <= (version_key(v), 0))
                and (high is None or (version_key(v), 0) < high[0])
            ]
            if not inside:
                # Nothing to narrow onto: the interval stays as it is.
                result = result.union(VersionRanges._interval(low, high))
                continue
            new_low = None if low is None else _real_cut(inside[0], False)
            new_high = None if high is None else _real_cut(inside[-1], True)
            result = result.union(VersionRanges._interval(new_low, new_high))
        return result

    def simplify(self, versions: Iterable[Version]) -> VersionRanges:
        """pubgrub's `Ranges::simplify`: fewer intervals that agree on `versions` (sorted)."""
        if self.as_singleton() is not None:
            return self
        segments = self._segments()
        locations: list[int | None] = []
        index = 0
        for version in versions:
            point = (version_key(version), 0)
            location: int | None = None
            while index < len(segments):
                low, high = segments[index]
                if low is not None and point < low[0]:
                    break
                if high is None or point < high[0]:
                    location = index
                    break
                index += 1
            locations.append(location)
        kept: list[tuple[int | None, int | None]] = []
        run: tuple[int | None, int | None] | None = None
        for position, location in enumerate(locations):
            if location is not None:
                first = None if position == 0 and run is None else location
                run = (first if run is None else run[0], location)
            elif run is not None:
                kept.append(run)
                run = None
        if run is not None:
            kept.append((run[0], None))
        if not kept:
            return self
        result = _EMPTY
        for first, last in kept:
            low = None if first is None else segments[first][0]
            high = None if last is None else segments[last][1]
            result = result.union(VersionRanges._interval(low, high))
        return result

    # display ------------------------------------------------------------------------------

    def _segments(self) -> list[tuple[tuple[Cut, Label] | None, tuple[Cut, Label] | None]]:
        pairs = list(zip(self._cuts, self._labels, strict=True))
        out: list[tuple[tuple[Cut, Label] | None, tuple[Cut, Label] | None]] = []
        i = 0
        if self._start:
            out.append((None, pairs[0] if pairs else None))
            i = 1
        while i < len(pairs):
            out.append((pairs[i], pairs[i + 1] if i + 1 < len(pairs) else None))
            i += 2
        return out

    def bounds(self) -> Iterator[tuple[Bound | None, Bound | None]]:
        """The intervals as uv prints them, lowest first (local `+max` sentinels stripped)."""
        for low, high in self._segments():
            lower = None
            if low is not None:
                label = low[1]
                inclusive = False if label.local_max else not label.inclusive_as_upper
                lower = Bound(label.version, inclusive)
            upper = None
            if high is not None:
                label = high[1]
                inclusive = label.inclusive_as_upper
                if label.local_max and not inclusive:
                    inclusive = lower is not None and lower.inclusive
                upper = Bound(label.version, inclusive)
            yield lower, upper

    def segment_sets(self) -> Iterator[tuple[VersionRanges, Bound | None, Bound | None]]:
        """Each interval as a set of its own, with its printable bounds."""
        for (low, high), (lower, upper) in zip(self._segments(), self.bounds(), strict=True):
            yield VersionRanges._interval(low, high), lower, upper

    def without_local_sentinels(self) -> VersionRanges:
        """The set with `V+max` bounds turned into the `V` bounds the report prints (uv's
        `strip_local_version_sentinels`); every other bound is kept as it is."""
        if not any(label.local_max for label in self._labels):
            return self
        result = _EMPTY
        for low, high in self._segments():
            lower_inclusive = low is not None and not low[1].inclusive_as_upper
            if low is not None and low[1].local_max:
                low = _real_cut(low[1].version, True)
                lower_inclusive = False
            if high is not None and high[1].local_max:
                label = high[1]
                inclusive = label.inclusive_as_upper or lower_inclusive
                high = _real_cut(label.version, inclusive)
            result = result.union(VersionRanges._interval(low, high))
        return result

    def is_local_version_complement(self) -> bool:
        """Only local versions of public versions are in the set (`>V,<V+max` intervals)."""
        segments = self._segments()
        if not segments:
            return False
        for low, high in segments:
            if low is None or high is None or not high[1].local_max:
                return False
            if low[0] != (version_key(high[1].version), 1):
                return False
        return True

    def bounding_lower(self) -> Bound | None:
        """The lowest bound as printed, or None when unbounded below (or empty)."""
        for lower, _upper in self.bounds():
            return lower
        return None

    def segment_count(self) -> int:
        """How many disjoint intervals make up the set."""
        return (len(self._cuts) + int(self._start) + 1) // 2

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VersionRanges):
            return NotImplemented
        return self._start == other._start and self._cuts == other._cuts

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash((self._start, self._cuts))
        return self._hash

    def __str__(self) -> str:
        parts = []
        for lower, upper in self.bounds():
            parts.append(_pubgrub_segment(lower, upper))
        return " | ".join(parts) if parts else "∅"

    def __repr__(self) -> str:
        return f"VersionRanges({self})"


def _pubgrub_segment(lower: Bound | None, upper: Bound | None) -> str:
    if lower is None and upper is None:
        return "*"
    if lower is None:
        assert upper is not None
        return f"{'<=' if upper.inclusive else '<'}{upper.version}"
    if upper is None:
        return f"{'>=' if lower.inclusive else '>'}{lower.version}"
    if lower.inclusive and upper.inclusive and lower.version == upper.version:
        return f"=={lower.version}"
    low = f"{'>=' if lower.inclusive else '>'}{lower.version}"
    return f"{low}, {'<=' if upper.inclusive else '<'}{upper.version}"


_EMPTY = VersionRanges(False, (), ())
_FULL = VersionRanges(True, (), ())


def _specifier_ranges(spec: Specifier) -> VersionRanges:
    operator = spec.operator
    text = spec.version
    if operator == "===":
        try:
            return VersionRanges.singleton(Version(text))
        except InvalidVersion:
            return _EMPTY
    if operator in ("==", "!=") and text.endswith(".*"):
        base = Version(text[:-2])
        low = _with(base, dev=0)
        if base.post is not None:
            high = _with(low, post=base.post + 1)
        elif base.pre is not None:
            high = _with(low, pre=(base.pre[0], base.pre[1] + 1))
        else:
            high = _with(low, release=(*base.release[:-1], base.release[-1] + 1))
        result = VersionRanges.between(low, True, high, False)
        return result if operator == "==" else result.complement()
    version = Version(text)
    if operator in ("==", "!="):
        if version.local is None:
            result = VersionRanges._interval(
                _real_cut(version, False), _local_max_cut(version, False)
            )
        else:
            result = VersionRanges.singleton(version)
        return result if operator == "==" else result.complement()
    if operator == "~=":
        upper = _with(
            version,
            release=(*version.release[:-2], version.release[-2] + 1),
            pre=None,
            post=None,
            dev=0,
            local=None,
        )
        return VersionRanges.between(version, True, upper, False)
    if operator == "<":
        if is_prerelease(version):
            return VersionRanges.between(None, False, version, False)
        if version.post is not None:
            return VersionRanges.between(None, False, _with(version, dev=0), False)
        return VersionRanges._interval(None, _min_cut(version))
    if operator == "<=":
        return VersionRanges._interval(None, _local_max_cut(version, True))
    if operator == ">":
        if version.dev is not None:
            return VersionRanges.between(_with(version, dev=version.dev + 1), True, None, False)
        if version.post is not None:
            return VersionRanges._interval(_local_max_cut(version, True), None)
        return VersionRanges._interval(_max_cut(version), None)
    if operator == ">=":
        return VersionRanges.between(version, True, None, False)
    raise ValueError(f"unknown specifier operator {operator!r}")


def ranges_from_specifiers(specifiers: SpecifierSet) -> VersionRanges:
    """uv's PEP 440 conversion of a specifier set (`Ranges::from(VersionSpecifiers)`)."""
    return _ranges_from_text(str(specifiers))


@lru_cache(maxsize=8192)
def _ranges_from_text(text: str) -> VersionRanges:
    # Cached by text, not by `SpecifierSet`: `>0.1` and `>0.1.0` are equal specifier sets but
    # uv prints each as written.
    result = _FULL
    for spec in SpecifierSet(text):
        result = result.intersection(_specifier_ranges(spec))
    return result


def _release_only(version: Version, trim: bool = False) -> Version:
    release = version.release
    if trim:
        end = len(release)
        while end > 1 and release[end - 1] == 0:
            end -= 1
        release = release[:end]
    return _with(version, release=release, pre=None, post=None, dev=None, local=None)


def python_ranges_from_specifiers(specifiers: SpecifierSet) -> VersionRanges:
    """uv's release-only conversion, used for `Requires-Python` against Python versions."""
    return _python_ranges_from_text(str(specifiers))


@lru_cache(maxsize=1024)
def _python_ranges_from_text(text: str) -> VersionRanges:
    result = _FULL
    for spec in SpecifierSet(text):
        operator, text = spec.operator, spec.version
        star = text.endswith(".*")
        version = Version(text[:-2] if star else text)
        release = _release_only(version)
        if star:
            bumped = _with(release, release=(*release.release[:-1], release.release[-1] + 1))
            part = VersionRanges.between(version, True, bumped, False)
            part = part if operator == "==" else part.complement()
        elif operator in ("==", "==="):
            part = VersionRanges.singleton(release)
        elif operator == "!=":
            part = VersionRanges.singleton(release).complement()
        elif operator == "<":
            part = VersionRanges.between(None, False, release, False)
        elif operator == "<=":
            part = VersionRanges.between(None, False, release, True)
        elif operator == ">":
            part = VersionRanges.between(release, False, None, False)
        elif operator == ">=":
            part = VersionRanges.between(release, True, None, False)
        elif operator == "~=":
            upper = Version(
                ".".join(str(n) for n in (*version.release[:-2], version.release[-2] + 1))
            )
            part = VersionRanges.between(release, True, upper, False)
        else:
            raise ValueError(f"unknown specifier operator {operator!r}")
        result = result.intersection(part)
    return result
