"""From PEP 508 requirements to PubGrub packages, the way uv models them.

uv's packages (`PubGrubPackageInner`) are: the root; the target or installed Python (only ever
constrained by a version's `Requires-Python`); a real package `name`, `name[extra]` or
`name{marker}`; and two *proxies* that never appear in a solution of their own:

- `name[extra]` as required by someone is a proxy whose every version `v` depends on `name==v`
  and on the real package `name[extra]==v` (which depends on what the extra adds);
- `name ; marker` (a marker that holds in the target environment) is a proxy `name{marker}`
  whose every version `v` depends on `name==v` and on `name{marker}==v`.

Markers are evaluated against one marker environment (single-environment resolution);
constraints add requirements next to every requirement on the same name, overrides replace them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from msgspec import Struct, field
from packaging.markers import Marker as Pep508Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from puv.core.markers import Marker
from puv.resolver.version_set import VersionRanges, ranges_from_specifiers

ROOT, PYTHON, PACKAGE, EXTRA, MARKER = 0, 1, 3, 4, 6


class PubGrubPackage(Struct, frozen=True):
    """A node of the PubGrub problem (see the module docstring for the kinds)."""

    kind: int
    name: str = ""
    extra: str | None = None
    marker: Marker | None = None

    @staticmethod
    def root(name: str | None = None) -> PubGrubPackage:
        """The root: the user's requirements, or a project named `name`."""
        return PubGrubPackage(ROOT, name or "")

    @staticmethod
    def python(installed: bool) -> PubGrubPackage:
        """The installed interpreter (`installed`) or the target Python version."""
        return PubGrubPackage(PYTHON, "installed" if installed else "target")

    @staticmethod
    def base(name: str) -> PubGrubPackage:
        """The plain package `name`."""
        return PubGrubPackage(PACKAGE, name)

    @property
    def is_proxy(self) -> bool:
        """Proxies stand for `name` plus a variant and have no dependencies of their own."""
        return self.kind in (EXTRA, MARKER)

    @property
    def package_name(self) -> str | None:
        """The distribution name, or None for the root and Python."""
        return self.name if self.kind >= PACKAGE else None

    def base_package(self) -> PubGrubPackage | None:
        """For a proxy, the plain package it stands for."""
        return PubGrubPackage(PACKAGE, self.name) if self.is_proxy else None

    def sort_key(self) -> tuple[Any, ...]:
        """uv's derived `Ord` on `PubGrubPackageInner` (variant, then fields; None first)."""
        return (
            self.kind,
            self.name,
            self.extra is not None,
            self.extra or "",
            self.marker is not None,
            self.marker or Marker.TRUE,
        )

    def __str__(self) -> str:
        if self.kind == ROOT:
            return self.name or "root"
        if self.kind == PYTHON:
            return "Python"
        text = self.name
        if self.extra is not None:
            text += f"[{self.extra}]"
        # uv prints an extra proxy without its marker, but a marker proxy and a real package
        # with a marker with it.
        if self.marker is not None and self.kind != EXTRA:
            text += "{" + str(self.marker) + "}"
        return text


class UnsatisfiableRequirement(Struct, frozen=True):
    """A requirement whose specifiers admit no version at all (`a>2,<1`)."""

    name: str
    extras: tuple[str, ...]
    specifiers: tuple[str, ...]

    def __str__(self) -> str:
        package = self.name + (f"[{','.join(self.extras)}]" if self.extras else "")
        text = " and ".join(f"{package}{spec}" for spec in self.specifiers)
        if len(self.specifiers) > 1:
            return text + ", which are incompatible"
        return text + ", which does not allow any versions"


class Manifest(Struct, frozen=True):
    """The user's requirements and the global rules applied to every requirement."""

    requirements: tuple[Requirement, ...]
    constraints: Mapping[str, tuple[Requirement, ...]] = field(default_factory=dict)
    overrides: Mapping[str, tuple[Requirement, ...]] = field(default_factory=dict)
    excludes: frozenset[str] = frozenset()
    environment: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        requirements: Iterable[Requirement],
        *,
        constraints: Iterable[Requirement] = (),
        overrides: Iterable[Requirement] = (),
        excludes: Iterable[str] = (),
        environment: Mapping[str, str] | None = None,
    ) -> Manifest:
        """Group constraints and overrides by normalized name."""
        return cls(
            tuple(requirements),
            _by_name(constraints),
            _by_name(overrides),
            frozenset(canonicalize_name(name) for name in excludes),
            dict(environment or {}),
        )

    # markers ---------------------------------------------------------------------------

    def evaluate(self, marker: Pep508Marker | None, extra: str | None) -> bool:
        """Whether a marker holds in the target environment with `extra` requested."""
        if marker is None:
            return True
        return parse_marker(marker).evaluate(self.environment, () if extra is None else (extra,))

    # flattening ------------------------------------------------------------------------

    def requirements_for(
        self,
        requires_dist: Sequence[Requirement],
        extra: str | None,
        name: str | None,
    ) -> list[Requirement]:
        """The requirements of the root (`name` None) or of `name[extra]`, as uv flattens them:
        markers evaluated, extras of the package itself expanded in place, constraints added,
        overrides applied."""
        direct = list(self._for_extra(requires_dist, extra, name))
        if name is None or not any(canonicalize_name(r.name) == name and r.extras for r in direct):
            return direct
        seen: set[str] = set()
        queue = [e for r in direct if canonicalize_name(r.name) == name for e in sorted(r.extras)]
        out = list(direct)
        while queue:
            current = canonicalize_name(queue.pop(0))
            if current in seen:
                continue
            seen.add(current)
            for requirement in self._for_extra(requires_dist, current, name):
                if canonicalize_name(requirement.name) == name:
                    queue.extend(sorted(requirement.extras))
                out.append(requirement)
        self_constraints = [
            _replace(r, extras=set())
            for r in out
            if canonicalize_name(r.name) == name and r.extras and (r.specifier or r.url)
        ]
        kept = [r for r in out if canonicalize_name(r.name) != name or not r.extras]
        return kept + self_constraints

    def _for_extra(
        self, requires_dist: Iterable[Requirement], extra: str | None, name: str | None
    ) -> Iterator[Requirement]:
        for requirement in self.apply_overrides(requires_dist):
            if canonicalize_name(requirement.name) in self.excludes and name is not None:
                continue
            if not self._applies(requirement, extra):
                continue
            yield requirement
            for constraint in self.constraints.get(canonicalize_name(requirement.name), ()):
                if self._applies(constraint, extra, check_extra=False):
                    yield constraint

    def _applies(
        self, requirement: Requirement, extra: str | None, check_extra: bool = True
    ) -> bool:
        marker = requirement.marker
        if extra is None or not check_extra:
            return self.evaluate(marker, extra)
        # Only what the extra adds: true with the extra, false without it.
        return self.evaluate(marker, extra) and not self.evaluate(marker, None)

    def apply_overrides(self, requirements: Iterable[Requirement]) -> Iterator[Requirement]:
        """The requirements with those on an overridden name replaced by the overrides."""
        if not self.overrides:
            yield from requirements
            return
        for requirement in requirements:
            replacements = self.overrides.get(canonicalize_name(requirement.name))
            if replacements is None:
                yield requirement
                continue
            extra = (
                None
                if requirement.marker is None
                else parse_marker(requirement.marker).top_level_extra_name()
            )
            for replacement in replacements:
                if extra is None:
                    yield replacement
                else:
                    marker = f"extra == {extra!r}"
                    if replacement.marker is not None:
                        marker = f"({marker}) and ({replacement.marker})"
                    yield _replace(replacement, marker=Pep508Marker(marker))


def dependencies_of(
    requirements: Iterable[Requirement],
) -> list[tuple[PubGrubPackage, VersionRanges]] | UnsatisfiableRequirement:
    """The PubGrub edges for a list of flattened requirements (uv's `PubGrubDependency`)."""
    edges: list[tuple[PubGrubPackage, VersionRanges]] = []
    for requirement in requirements:
        found = requirement_edges(requirement, marker_without_extras(requirement.marker))
        if isinstance(found, UnsatisfiableRequirement):
            return found
        edges.extend(found)
    return edges


def requirement_edges(
    requirement: Requirement, marker: Marker | None
) -> list[tuple[PubGrubPackage, VersionRanges]] | UnsatisfiableRequirement:
    """The PubGrub edges of one requirement whose marker (extras removed) is `marker`."""
    name = canonicalize_name(requirement.name)
    versions = (
        VersionRanges.full() if requirement.url else ranges_from_specifiers(requirement.specifier)
    )
    if versions.is_empty():
        return UnsatisfiableRequirement(
            name,
            tuple(sorted(canonicalize_name(e) for e in requirement.extras)),
            tuple(str(spec) for spec in requirement.specifier),
        )
    if requirement.extras:
        return [
            (PubGrubPackage(EXTRA, name, extra, marker), versions)
            for extra in sorted(canonicalize_name(e) for e in requirement.extras)
        ]
    if marker is not None:
        return [(PubGrubPackage(MARKER, name, None, marker), versions)]
    return [(PubGrubPackage(PACKAGE, name), versions)]


def proxy_dependencies(
    package: PubGrubPackage, version: Version
) -> list[tuple[PubGrubPackage, VersionRanges]]:
    """What a proxy's version `v` depends on: the real packages it stands for, at `v`."""
    exact = VersionRanges.singleton(version)
    markers = [None] if package.marker is None else [None, package.marker]
    extras = [None] if package.kind == MARKER else [None, package.extra]
    return [
        (PubGrubPackage(PACKAGE, package.name, extra, marker), exact)
        for marker in markers
        for extra in extras
    ]


# markers -------------------------------------------------------------------------------------------


def parse_marker(marker: Pep508Marker) -> Marker:
    """A requirement's marker in uv's algebra (parsed once per distinct text)."""
    return Marker.parse(str(marker))


def marker_without_extras(marker: Pep508Marker | None) -> Marker | None:
    """The marker a dependency keeps as its identity once its `extra` tests are dropped, or None
    when nothing is left (uv's `PubGrubPackage::from_package`)."""
    if marker is None:
        return None
    stripped = parse_marker(marker).without_extras()
    return None if stripped.is_true() else stripped


def simplify_python_markers(marker: Marker | None, target: Version) -> Marker | None:
    """The marker assuming the target Python's lower bound (uv's `simplify_markers`)."""
    if marker is None:
        return None
    release = ".".join(str(part) for part in target.release)
    simplified = marker.simplify_python(f">={release}")
    return None if simplified.is_true() else simplified


def _replace(requirement: Requirement, **changes: Any) -> Requirement:
    copy = Requirement(str(requirement))
    for key, value in changes.items():
        setattr(copy, key, value)
    return copy


def _by_name(requirements: Iterable[Requirement]) -> dict[str, tuple[Requirement, ...]]:
    grouped: dict[str, list[Requirement]] = {}
    for requirement in requirements:
        grouped.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return {name: tuple(items) for name, items in grouped.items()}
