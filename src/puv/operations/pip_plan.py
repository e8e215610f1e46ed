"""The install plan of `puv pip sync|install`: a pure function of what is installed and what is wanted.

Each wanted package is either satisfied by an installed distribution (kept, whatever its hash, as
uv does) or changed: installed, with any installed distributions of that name removed first. An
exact plan (`pip sync`) also removes every installed distribution that is not wanted. An
interrupted install (a `.dist-info` without RECORD) never satisfies anything.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from puv.install.installed import InstalledDist
from puv.operations.pip_requirements import Requested


@dataclass(frozen=True, slots=True)
class Change:
    """A package to install, and the installed distributions of its name it replaces."""

    requested: Requested
    replaces: tuple[InstalledDist, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
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

    A direct URL requirement wants a distribution installed from that URL; a registry
    requirement wants a version its specifiers allow (prereleases included), however it was
    installed, unless it is editable.
    """
    if not dist.complete:
        return False
    if requested.url is not None:
        return dist.url == requested.url and not dist.editable
    if dist.editable:
        return False
    if not requested.specifier:
        return True
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import Version

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
) -> Plan:
    """Compare the installed distributions with the wanted packages.

    `exact` removes what is not wanted (`pip sync`); `reinstall` (or a name in
    `reinstall_packages`) changes a package even when an installed distribution satisfies it.
    """
    by_name: dict[str, list[InstalledDist]] = {}
    for dist in installed:
        by_name.setdefault(dist.name, []).append(dist)
    satisfied: list[InstalledDist] = []
    changes: list[Change] = []
    for item in requested:
        present = tuple(by_name.pop(item.name, ()))
        forced = reinstall or item.name in reinstall_packages
        if not forced and len(present) == 1 and satisfies(present[0], item):
            satisfied.append(present[0])
        else:
            changes.append(Change(item, present))
    extraneous: list[InstalledDist] = []
    if exact:
        extraneous = [dist for dists in by_name.values() for dist in dists]
    return Plan(tuple(satisfied), tuple(changes), tuple(extraneous))
