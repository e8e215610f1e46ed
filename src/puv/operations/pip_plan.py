"""The install plan of `puv pip sync|install`: a pure function of what is installed and what is wanted.

Each wanted package is either satisfied by an installed distribution (kept, whatever its hash, as
uv does) or changed: installed, with any installed distributions of that name removed first. An
exact plan (`pip sync`) also removes every installed distribution that is not wanted. An
interrupted install (a `.dist-info` without RECORD) never satisfies anything.

`satisfied_recursively` is the check `pip install` makes before resolving: whether what is
installed already satisfies the requirements and all they need.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from msgspec import Struct
from packaging.version import Version

from puv.core.wheel_filename import normalize_name
from puv.install.installed import InstalledDist
from puv.operations.pip_requirements import Requested

if TYPE_CHECKING:
    from packaging.requirements import Requirement


class Change(Struct, frozen=True):
    """A package to install, and the installed distributions of its name it replaces."""

    requested: Requested
    replaces: tuple[InstalledDist, ...] = ()


class Plan(Struct, frozen=True):
    """What to keep, what to (re)install, and what to remove as extraneous."""

    satisfied: tuple[InstalledDist, ...]
    changes: tuple[Change, ...]
    extraneous: tuple[InstalledDist, ...]

    @property
    def is_noop(self) -> bool:
        """Nothing to install and nothing to remove."""
        return not self.changes and not self.extraneous


def satisfies(dist: InstalledDist, requested: Requested) -> bool:
    """Whether the installed `dist` can stay for `requested` (uv's rules).

    A direct URL requirement wants a distribution installed from that URL; a source tree is
    never satisfied (uv builds and reinstalls it every time); a registry requirement wants a
    version its specifiers allow (prereleases included), however it was installed, unless it is
    editable.
    """
    if not dist.complete or requested.tree:
        return False
    if requested.url is not None:
        return dist.url == requested.url and not dist.editable
    if dist.editable:
        return False
    if not requested.specifier:
        return True
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        specifiers = SpecifierSet(requested.specifier)
    except InvalidSpecifier:
        return False
    return specifiers.contains(Version(dist.version), prereleases=True)


def plan_environment(
    installed: Iterable[InstalledDist],
    requested: Sequence[Requested],
    *,
    exact: bool,
    reinstall: bool = False,
    reinstall_packages: Collection[str] = (),
    fresh_trees: Collection[str] = (),
) -> Plan:
    """Compare the installed distributions with the wanted packages.

    `exact` removes what is not wanted (`pip sync`); `reinstall` (or a name in
    `reinstall_packages`) changes a package even when an installed distribution satisfies it;
    `fresh_trees` names the source trees whose installed build is still current.
    """
    by_name: dict[str, list[InstalledDist]] = {}
    for dist in installed:
        by_name.setdefault(dist.name, []).append(dist)
    satisfied: list[InstalledDist] = []
    changes: list[Change] = []
    for item in requested:
        present = tuple(by_name.pop(item.name, ()))
        forced = reinstall or item.name in reinstall_packages
        kept = satisfies(present[0], item) if len(present) == 1 else False
        if item.tree and len(present) == 1:
            kept = item.name in fresh_trees and present[0].complete
        if not forced and kept:
            satisfied.append(present[0])
        else:
            changes.append(Change(item, present))
    extraneous: list[InstalledDist] = []
    if exact:
        extraneous = [dist for dists in by_name.values() for dist in dists]
    return Plan(tuple(satisfied), tuple(changes), tuple(extraneous))


def satisfied_recursively(
    installed: Iterable[InstalledDist],
    requirements: Sequence[Requirement],
    constraints: Sequence[Requirement],
    directs: Mapping[str, Requested],
    markers: Mapping[str, str],
    requires_of: Callable[[InstalledDist], Sequence[Requirement] | None],
) -> bool:
    """Whether the installed distributions already satisfy `requirements` and, through their
    `Requires-Dist` (`requires_of`, None when unreadable), everything those need, within the
    `constraints` (uv's check before resolving `pip install`).

    `directs` holds the direct references by name; markers are evaluated in `markers` with the
    extras each requirement asks for.
    """
    by_name: dict[str, list[InstalledDist]] = {}
    for dist in installed:
        by_name.setdefault(dist.name, []).append(dist)
    limits: dict[str, list[Requirement]] = {}
    for constraint in constraints:
        limits.setdefault(normalize_name(constraint.name), []).append(constraint)
    pending = [(requirement, frozenset({""})) for requirement in requirements]
    visited: set[tuple[str, frozenset[str]]] = set()
    while pending:
        requirement, extras = pending.pop()
        if not _applies(requirement, markers, extras):
            continue
        name = normalize_name(requirement.name)
        present = by_name.get(name, [])
        if len(present) != 1:
            return False
        dist = present[0]
        wanted = directs.get(name) or Requested(name, str(requirement.specifier))
        if not satisfies(dist, wanted):
            return False
        version = Version(dist.version)
        if not all(c.specifier.contains(version, prereleases=True) for c in limits.get(name, ())):
            return False
        asked = frozenset({"", *(normalize_name(extra) for extra in requirement.extras)})
        if (name, asked) in visited:
            continue
        visited.add((name, asked))
        requires = requires_of(dist)
        if requires is None:
            return False
        pending.extend((dependency, asked) for dependency in requires)
    return True


def _applies(requirement: Requirement, markers: Mapping[str, str], extras: Iterable[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({**markers, "extra": extra}) for extra in extras)
