"""The pieces of universal resolution that only reason about markers and Python ranges.

- `PythonRange`: a `requires-python` range as uv's `RequiresPython` keeps it (one interval of
  release-only versions), with uv's `narrow`, `split` and bound comparisons;
- `python_range_of(marker)`: uv's `marker::requires_python`, the Python versions a marker admits;
- `split_dependencies`: uv's `Forks::new`, which splits one package's dependencies into forks
  wherever two requirements on the same name carry different markers (or a marker raises the
  minimum Python version).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from puv.core.marker_algebra import FALSE, INTERNER, PYTHON_FULL_VERSION, TRUE, VERSION
from puv.core.markers import Marker
from puv.core.version_ranges import Bound, VersionRanges, release_specifiers_to_ranges
from puv.resolver.requirements import PubGrubPackage
from puv.resolver.version_set import VersionRanges as PackageRanges

Dependency = tuple[PubGrubPackage, PackageRanges]


def _lower_key(bound: Bound) -> tuple[Any, ...]:
    """Order of lower bounds: unbounded first, then by version, `>=v` before `>v`."""
    if bound is None:
        return (0,)
    return (1, bound[0], 0 if bound[1] else 1)


def _upper_key(bound: Bound) -> tuple[Any, ...]:
    """Order of upper bounds: by version, `<v` before `<=v`, unbounded last."""
    if bound is None:
        return (1,)
    return (0, bound[0], 1 if bound[1] else 0)


@dataclass(frozen=True, slots=True)
class PythonRange:
    """The Python versions a resolution (or one of its forks) supports: `lower` and `upper`
    bounds of release-only versions, each `(version, inclusive)` or None for unbounded."""

    lower: Bound = None
    upper: Bound = None

    @classmethod
    def from_specifiers(cls, specifiers: str | SpecifierSet) -> PythonRange:
        """The bounding range of `requires-python` specifiers (`>=3.9,!=3.9.1` -> `>=3.9`)."""
        bounding = release_specifiers_to_ranges(SpecifierSet(str(specifiers))).bounding_range()
        return cls() if bounding is None else cls(bounding[0], bounding[1])

    def ranges(self) -> VersionRanges:
        """The range as `core.version_ranges` ranges (what `Marker.simplify_python` takes)."""
        return VersionRanges.from_bounds(self.lower, self.upper)

    def marker(self) -> Marker:
        """`python_full_version` bounds equal to this range (uv's `to_marker_tree`)."""
        return Marker.from_requires_python(self.ranges())

    @property
    def target(self) -> Version:
        """The lowest supported version, which the resolver checks `Requires-Python` against."""
        return Version("0") if self.lower is None else self.lower[0]

    def raised_by(self, other: PythonRange) -> bool:
        """Whether `other` starts above this range (uv's `PythonRequirement::raises`)."""
        return _lower_key(other.lower) > _lower_key(self.lower)

    def narrow(self, other: PythonRange) -> PythonRange:
        """This range with whichever bounds of `other` are tighter (uv's `narrow`)."""
        lower = other.lower if _lower_key(other.lower) >= _lower_key(self.lower) else self.lower
        upper = other.upper if _upper_key(other.upper) <= _upper_key(self.upper) else self.upper
        return PythonRange(lower, upper)

    def split(self, at: Bound) -> tuple[PythonRange, PythonRange] | None:
        """The parts below and from `at` (an inclusive or exclusive lower bound), or None when
        either is empty (uv's `RequiresPython::split`)."""
        whole = self.ranges()
        upper = VersionRanges.from_bounds(at, self.upper).intersection(whole)
        lower = upper.complement().intersection(whole)
        lower_bounds, upper_bounds = lower.bounding_range(), upper.bounding_range()
        if lower_bounds is None or upper_bounds is None:
            return None
        return PythonRange(*lower_bounds), PythonRange(*upper_bounds)

    def compare_lower(self, other: PythonRange) -> int:
        """-1, 0 or 1 as this range's lower bound is below, equal to or above `other`'s."""
        left, right = _lower_key(self.lower), _lower_key(other.lower)
        return (left > right) - (left < right)


def python_range_of(marker: Marker) -> PythonRange | None:
    """The bounding range of Python versions for which `marker` can hold, or None when the
    marker does not bound them (uv's `marker::requires_python`)."""
    if marker.is_true() or marker.is_false():
        return None
    found: list[VersionRanges] = []
    _collect_python(marker._node, VersionRanges.full(), found, set())
    if all(_unbounded(ranges) for ranges in found):
        return None
    union = VersionRanges.empty()
    for ranges in found:
        union = union.union(ranges)
    bounding = union.bounding_range()
    return None if bounding is None else PythonRange(bounding[0], bounding[1])


def _unbounded(ranges: VersionRanges) -> bool:
    bounding = ranges.bounding_range()
    return bounding is None or bounding == (None, None)


def _collect_python(
    node: int, current: VersionRanges, found: list[VersionRanges], seen: set[tuple[int, Any]]
) -> None:
    key = (node, current)
    if key in seen:
        return
    seen.add(key)
    if node == TRUE:
        found.append(current)
        return
    if node == FALSE:
        return
    variable = INTERNER.variable(node)
    children = INTERNER.children(node)
    if variable[0] <= VERSION:
        for interval, child in children:
            narrowed = interval if variable == PYTHON_FULL_VERSION else current
            _collect_python(child, narrowed, found, seen)
        return
    for child in children:
        _collect_python(child, current, found, seen)


def dependency_marker(package: PubGrubPackage) -> Marker:
    """The marker a dependency carries (true for an unconditional one)."""
    return Marker.TRUE if package.marker is None else package.marker


@dataclass(slots=True)
class DependencyFork:
    """One side of a split: the environments it covers and the dependencies it keeps."""

    env: Marker
    dependencies: list[Dependency] = field(default_factory=list)

    def narrowed(self, env: Marker) -> DependencyFork:
        """A copy restricted to `env`, dropping dependencies that cannot apply there."""
        kept = [dep for dep in self.dependencies if not env.is_disjoint(dependency_marker(dep[0]))]
        return DependencyFork(env, kept)


def upper_bounded(dependencies: Sequence[Dependency]) -> int:
    """How many dependencies have an upper version bound (uv's `cmp_upper_bounds`)."""
    count = 0
    for _package, versions in dependencies:
        bounds = list(versions.bounds())
        if bounds and bounds[-1][1] is not None:
            count += 1
    return count


def split_dependencies(
    dependencies: Sequence[Dependency], env: Marker, python: PythonRange
) -> list[DependencyFork]:
    """Split a version's dependencies into forks (uv's `Forks::new`).

    Requirements on a name are grouped (names in sorted order); a lone requirement, or several
    with one marker, go to every fork they can apply to, unless the marker raises the minimum
    Python version. Otherwise each marker splits every fork it touches in two: where it does
    not hold, then where it holds. Forks disjoint with `python` are dropped.
    """
    python_marker = python.marker()
    by_name: dict[str, list[Dependency]] = {}
    for dependency in dependencies:
        by_name.setdefault(dependency[0].name, []).append(dependency)
    forks = [DependencyFork(env)]
    for name in sorted(by_name):
        group = by_name[name]
        first = dependency_marker(group[0][0])
        if all(dependency_marker(dep[0]) == first for dep in group):
            bound = python_range_of(first)
            if bound is None or not python.raised_by(bound):
                for dependency in group:
                    for fork in forks:
                        if not fork.env.is_disjoint(first):
                            fork.dependencies.append(dependency)
                continue
        for dependency in group:
            forks = _split_on(forks, dependency, env, python_marker)
    return forks


def _split_on(
    forks: list[DependencyFork], dependency: Dependency, env: Marker, python_marker: Marker
) -> list[DependencyFork]:
    marker = dependency_marker(dependency[0])
    if env.is_disjoint(marker):
        return forks
    if marker.is_true():
        for fork in forks:
            fork.dependencies.append(dependency)
        return forks
    remaining = marker
    split: list[DependencyFork] = []
    for fork in forks:
        if fork.env.is_disjoint(remaining):
            split.append(fork)
            continue
        envs = []
        if not fork.env.is_disjoint(~remaining):
            envs.append(fork.env & ~remaining)
        envs.append(fork.env & remaining)
        remaining = remaining & ~fork.env
        for child_env in envs:
            child = fork.narrowed(child_env)
            if not child_env.is_disjoint(marker):
                child.dependencies.append(dependency)
            if not child_env.is_disjoint(python_marker):
                split.append(child)
    return split
