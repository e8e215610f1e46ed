"""The pieces of universal resolution that only reason about markers and Python ranges.

- `PythonRange`: a `requires-python` range as uv's `RequiresPython` keeps it (one interval of
  release-only versions), with uv's `narrow`, `split` and bound comparisons;
- `python_range_of(marker)`: uv's `marker::requires_python`, the Python versions a marker admits;
- `split_dependencies`: uv's `Forks::new`, which splits one package's dependencies into forks
  wherever two requirements on the same name carry different markers (or a marker raises the
  minimum Python version), then once more per declared conflict set whose items they touch;
- `implied_markers`: uv's environments a release's files cover, for forks on required
  environments and local versions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from msgspec import Struct, field
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from puv.core.marker_algebra import FALSE, INTERNER, PYTHON_FULL_VERSION, TRUE, VERSION
from puv.core.markers import Marker
from puv.core.version_ranges import Bound, VersionRanges, release_specifiers_to_ranges
from puv.core.wheel_filename import InvalidWheelFilename, WheelFilename
from puv.resolver.conflicts import ConflictItem, Conflicts
from puv.resolver.requirements import EXTRA, PubGrubPackage
from puv.resolver.version_set import VersionRanges as PackageRanges

Dependency = tuple[PubGrubPackage, PackageRanges]


def _lower_key(bound: Bound) -> tuple[Any, ...]:
    """Order of lower bounds: unbounded first, then by version, `>=v` before `>v`."""
    if bound is None:
        return (0,)
    return (1, bound[0], 0 if bound[1] else 1)


@functools.lru_cache(maxsize=256)
def _range_marker(python: PythonRange) -> Marker:
    """`PythonRange.marker`, built once per range (the resolver asks at every step)."""
    return Marker.from_requires_python(python.ranges())


def _upper_key(bound: Bound) -> tuple[Any, ...]:
    """Order of upper bounds: by version, `<v` before `<=v`, unbounded last."""
    if bound is None:
        return (1,)
    return (0, bound[0], 1 if bound[1] else 0)


class PythonRange(Struct, frozen=True):
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
        return _range_marker(self)

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


def conflict_key(package: PubGrubPackage) -> tuple[str, str] | None:
    """The (package, extra) a dependency on an extra stands for, as conflict items name it."""
    if package.kind == EXTRA and package.extra is not None:
        return (package.name, package.extra)
    return None


class DependencyFork(Struct):
    """One side of a split: the environments it covers, the conflict items it includes and
    excludes (uv's `ResolverEnvironment` include/exclude rules), and the dependencies it keeps."""

    env: Marker
    dependencies: list[Dependency] = field(default_factory=list)
    include: frozenset[ConflictItem] = frozenset()
    exclude: frozenset[ConflictItem] = frozenset()

    def narrowed(self, env: Marker) -> DependencyFork:
        """A copy restricted to `env`, dropping dependencies that cannot apply there."""
        kept = [dep for dep in self.dependencies if not env.is_disjoint(dependency_marker(dep[0]))]
        return DependencyFork(env, kept, self.include, self.exclude)

    def includes(self, item: ConflictItem) -> bool:
        """Whether the fork may activate `item` (uv's `included_by_group`)."""
        return item not in self.exclude

    def touches(self, item: ConflictItem) -> bool:
        """Whether one of the fork's dependencies is on `item`."""
        return any(conflict_key(dep[0]) == item.key for dep in self.dependencies)

    def filtered(self, rules: Sequence[tuple[ConflictItem, bool]]) -> DependencyFork | None:
        """The fork with the items of `rules` included (True) or excluded (False), without the
        dependencies on excluded items; None when an item would be both (uv's `Fork::filter`)."""
        include, exclude = set(self.include), set(self.exclude)
        for item, included in rules:
            if item in (exclude if included else include):
                return None
            (include if included else exclude).add(item)
        excluded = {item.key for item in exclude}
        kept = [dep for dep in self.dependencies if conflict_key(dep[0]) not in excluded]
        return DependencyFork(self.env, kept, frozenset(include), frozenset(exclude))


def upper_bounded(dependencies: Sequence[Dependency]) -> int:
    """How many dependencies have an upper version bound (uv's `cmp_upper_bounds`)."""
    count = 0
    for _package, versions in dependencies:
        bounds = list(versions.bounds())
        if bounds and bounds[-1][1] is not None:
            count += 1
    return count


def split_dependencies(
    dependencies: Sequence[Dependency],
    env: Marker,
    python: PythonRange,
    conflicts: Conflicts | None = None,
    parent: DependencyFork | None = None,
) -> list[DependencyFork]:
    """Split a version's dependencies into forks (uv's `Forks::new`).

    Requirements on a name are grouped (names in sorted order); a lone requirement, or several
    with one marker, go to every fork they can apply to, unless the marker raises the minimum
    Python version. Otherwise each marker splits every fork it touches in two: where it does
    not hold, then where it holds. Forks disjoint with `python` are dropped. Then each declared
    conflict set splits the forks with a dependency on one of its items (`parent` holds the
    items the splitting fork already includes and excludes).
    """
    python_marker = python.marker()
    by_name: dict[str, list[Dependency]] = {}
    for dependency in dependencies:
        by_name.setdefault(dependency[0].name, []).append(dependency)
    forks = [
        DependencyFork(env)
        if parent is None
        else DependencyFork(env, include=parent.include, exclude=parent.exclude)
    ]
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
    if conflicts:
        forks = _split_on_conflicts(forks, conflicts)
    return forks


def _split_on_conflicts(forks: list[DependencyFork], conflicts: Conflicts) -> list[DependencyFork]:
    """uv's forks for declared conflicts: per set, a fork that depends on one of its items
    becomes one fork without any of them and one per item (the others excluded), unless all
    but one are already excluded."""
    for index, conflict_set in enumerate(conflicts.sets):
        split: list[DependencyFork] = []
        for fork in forks:
            if not any(fork.touches(item) for item in conflict_set):
                split.append(fork)
                continue
            possible = [item for item in conflict_set if fork.includes(item)]
            if len(possible) < 2 and not any(
                _live_elsewhere(fork, item, conflicts, index) for item in possible
            ):
                rules = [(item, False) for item in conflict_set if not fork.includes(item)]
                filtered = fork.filtered(rules)
                if filtered is not None:
                    split.append(filtered)
                continue
            sides = [fork.filtered([(item, False) for item in conflict_set])]
            sides += [
                fork.filtered([(other, other == item) for other in conflict_set])
                for item in conflict_set
            ]
            split.extend(side for side in sides if side is not None)
        forks = split
    return forks


def _live_elsewhere(
    fork: DependencyFork, item: ConflictItem, conflicts: Conflicts, index: int
) -> bool:
    """Whether `item` still conflicts, in another set, with an item the fork may activate."""
    return any(
        other_index != index
        and item in other_set
        and any(other != item and fork.includes(other) for other in other_set)
        for other_index, other_set in enumerate(conflicts.sets)
    )


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


# what a release's files cover ---------------------------------------------------------------

# The `platform_machine` values a macOS binary format runs on (uv's `BinaryFormat`).
_MAC_MACHINES = {
    "arm64": ("arm64",),
    "fat": ("x86_64", "ppc"),
    "fat32": ("x86_64", "i386", "ppc", "ppc64"),
    "fat64": ("x86_64", "ppc64"),
    "i386": ("i386",),
    "intel": ("x86_64", "i386"),
    "ppc": ("ppc",),
    "ppc64": ("ppc64",),
    "universal": ("x86_64", "i386", "ppc64", "ppc", "intel"),
    "universal2": ("x86_64", "arm64"),
    "x86_64": ("x86_64",),
}
_WINDOWS_MACHINES = {"win32": "x86", "win_amd64": "AMD64", "win_arm64": "ARM64"}
_LINUX_TAG = re.compile(
    r"(?:manylinux_\d+_\d+|manylinux1|manylinux2010|manylinux2014|musllinux_\d+_\d+|linux)_(.+)"
)
_IMPLEMENTATIONS = {"cp": "CPython", "pp": "PyPy", "graalpy": "GraalPy", "pyston": "Pyston"}
_PYTHON_TAG = re.compile(r"(py|cp|pp|graalpy|pyston)(\d)(\d*)")


def implied_markers(filenames: Iterable[str]) -> Marker:
    """The environments a release's usable files cover (uv's `PrioritizedDist::implied_markers`):
    every environment when there is a source distribution, else the union over its wheels of
    the platforms and Pythons their tags name."""
    marker = Marker.FALSE
    for filename in filenames:
        if not filename.endswith(".whl"):
            return Marker.TRUE
        marker = marker | wheel_markers(filename)
    return marker


@functools.cache
def wheel_markers(filename: str) -> Marker:
    """The environments one wheel's tags name (uv's `implied_markers`); unknown platform tags
    name none, malformed filenames every one."""
    try:
        wheel = WheelFilename.parse(filename)
    except InvalidWheelFilename:
        return Marker.TRUE
    return _platform_markers(wheel.platform_tags) & _python_markers(
        wheel.python_tags, any(abi.startswith("abi3") for abi in wheel.abi_tags)
    )


def _platform_markers(tags: Iterable[str]) -> Marker:
    marker = Marker.FALSE
    for tag in tags:
        if tag == "any":
            return Marker.TRUE
        linux = _LINUX_TAG.fullmatch(tag)
        if tag in _WINDOWS_MACHINES:
            marker = marker | _machines("win32", (_WINDOWS_MACHINES[tag],))
        elif tag.startswith("macosx_") and tag.rsplit("_", 1)[-1] in _MAC_MACHINES:
            marker = marker | _machines("darwin", _MAC_MACHINES[tag.rsplit("_", 1)[-1]])
        elif linux is not None:
            marker = marker | _machines("linux", (linux.group(1),))
    return marker


def _machines(platform: str, machines: Iterable[str]) -> Marker:
    arch = Marker.FALSE
    for machine in machines:
        arch = arch | Marker.parse(f"platform_machine == '{machine}'")
    return Marker.parse(f"sys_platform == '{platform}'") & arch


def _python_markers(tags: Iterable[str], abi3: bool) -> Marker:
    marker = Marker.FALSE
    for tag in tags:
        found = _PYTHON_TAG.fullmatch(tag)
        if found is None:
            return Marker.TRUE
        kind, major, minor = found.groups()
        version = f"{major}.{minor}" if minor else major
        text = f"python_version >= '{version}'" if abi3 else f"python_version == '{version}.*'"
        if kind in _IMPLEMENTATIONS:
            text += f" and platform_python_implementation == '{_IMPLEMENTATIONS[kind]}'"
        marker = marker | Marker.parse(text)
    return marker
