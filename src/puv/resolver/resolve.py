"""Resolve requirements for one target environment: the driver around the PubGrub core.

This is uv's `ResolverState::solve` for a single marker environment: it picks the next package
by uv's priorities (root and Python first, then exact pins, then packages in the order they were
discovered, with packages that keep conflicting moved up and their culprits moved down), asks
the candidate selector for a version, records unusable versions as incompatibilities (widened
to the gap between neighbouring known versions, so that a run of rejected versions becomes one
range), and feeds each chosen version's dependencies to the core. On failure the derivation
tree goes to `report.py`, which turns it into uv's explanation.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Self

from msgspec import Struct, field
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from puv.core.version_order import sort_key
from puv.resolver.candidates import (
    Candidate,
    PythonTarget,
    SelectionPolicy,
    TargetTags,
)
from puv.resolver.provider import (
    DistFile,
    MetadataUnavailable,
    MissingPackage,
    PackageMetadata,
    PackageVersion,
    Provider,
)
from puv.resolver.pubgrub import NoSolution, State
from puv.resolver.report import (
    NoSolutionError,
    PackageUnavailable,
    ReportContext,
    VersionUnavailable,
    explain,
)
from puv.resolver.requirements import (
    EXTRA,
    MARKER,
    PACKAGE,
    PYTHON,
    ROOT,
    Manifest,
    PubGrubPackage,
    UnsatisfiableRequirement,
    dependencies_of,
    proxy_dependencies,
)
from puv.resolver.version_set import VersionRanges, python_ranges_from_specifiers

# uv's `MIN_VERSION`, the version of the root package.
ROOT_VERSION = Version("0a0.dev0")
CONFLICT_THRESHOLD = 5

# uv's `PubGrubPriority` variants, lowest first (direct URLs, between the last two, are not
# supported yet).
UNSPECIFIED, CONFLICT_LATE, CONFLICT_EARLY, SINGLETON, ROOT_PRIORITY = range(5)


class ResolverOptions(Struct, frozen=True):
    """How to resolve: the target environment and the user's preferences.

    - `python`: the target Python (`--python-version` or `requires-python`) and the installed one;
    - `environment`: the complete PEP 508 marker environment of the target (every key);
    - `tags`: the wheel tags of the target (`uv pip compile` always has them), or None to check
      wheels against `python` only;
    - `resolution`: `highest`, `lowest` or `lowest-direct`; `prerelease`: `if-necessary`,
      `allow`, `disallow` or `explicit`, per package in `prerelease_packages`;
    - `no_build` / `no_binary`: True for every package or a set of normalized names;
    - `constraints`, `overrides`, `excludes`: uv's meaning; `preferences`: versions to keep
      when they still fit (a lock file, installed packages);
    - `project` / `workspace_members`: who the root is, for the wording of the report.
    """

    python: PythonTarget
    environment: Mapping[str, str] = field(default_factory=dict)
    tags: TargetTags | None = None
    resolution: str = "highest"
    prerelease: str = "if-necessary"
    prerelease_packages: Mapping[str, str] = field(default_factory=dict)
    no_build: bool | frozenset[str] = False
    no_binary: bool | frozenset[str] = False
    constraints: tuple[Requirement, ...] = ()
    overrides: tuple[Requirement, ...] = ()
    excludes: frozenset[str] = frozenset()
    preferences: Mapping[str, Sequence[Version]] = field(default_factory=dict)
    project: str | None = None
    workspace_members: frozenset[str] = frozenset()


class ResolvedPackage(Struct, frozen=True):
    """A pinned package and the file whose metadata was used."""

    name: str
    version: Version
    file: DistFile | None


class Edge(Struct, frozen=True):
    """`source[source_extra]` (None: the user's requirements) depends on `target[target_extra]`."""

    source: str | None
    source_extra: str | None
    target: str
    target_extra: str | None


class Resolution(Struct, frozen=True):
    """The pinned packages, sorted by name, and the dependency edges between them."""

    packages: tuple[ResolvedPackage, ...]
    edges: tuple[Edge, ...]

    def pins(self) -> dict[str, Version]:
        """Name -> version."""
        return {package.name: package.version for package in self.packages}

    def dependents(self, name: str) -> list[str | None]:
        """Who requires `name` (None stands for the user's requirements), for `# via` lines."""
        found = {edge.source for edge in self.edges if edge.target == name and edge.source != name}
        return sorted(found, key=lambda source: (source is not None, source or ""))


def resolve(
    requirements: Iterable[Requirement], provider: Provider, options: ResolverOptions
) -> Resolution:
    """Pin a version of every package needed by `requirements` in the target environment.

    Raises `NoSolutionError` (a `PuvError`) with uv's explanation when there is none.
    """
    return _Resolver(tuple(requirements), provider, options).solve()


class _Priorities:
    """uv's `PubGrubPriorities`: by first discovery, exact pins first, conflicts adjusted."""

    def __init__(self) -> None:
        self.by_name: dict[str, tuple[int, int]] = {}
        self.tiebreakers: dict[PubGrubPackage, int] = {}

    def fork(self) -> _Priorities:
        """An independent copy (the entries are immutable)."""
        twin = _Priorities()
        twin.by_name = dict(self.by_name)
        twin.tiebreakers = dict(self.tiebreakers)
        return twin

    def insert(self, package: PubGrubPackage, versions: VersionRanges) -> None:
        self.tiebreakers.setdefault(package, len(self.tiebreakers))
        name = package.package_name
        if name is None:
            return
        singleton = versions.is_singleton_constraint()
        existing = self.by_name.get(name)
        if existing is None:
            rank = SINGLETON if singleton else UNSPECIFIED
            self.by_name[name] = (rank, len(self.by_name))
            return
        index = existing[1]
        if singleton:
            rank = SINGLETON
        elif existing[0] in (CONFLICT_EARLY, CONFLICT_LATE):
            return
        else:
            rank = UNSPECIFIED
        if rank > existing[0]:
            self.by_name[name] = (rank, index)

    def mark(self, package: PubGrubPackage, rank: int) -> bool:
        name = package.package_name
        if name is None:
            return False
        existing = self.by_name.get(name)
        if existing is None:
            self.by_name[name] = (rank, len(self.by_name))
            return True
        if existing[0] == rank or (rank == CONFLICT_LATE and existing[0] == CONFLICT_EARLY):
            return False
        self.by_name[name] = (rank, existing[1])
        return True

    def get(self, package: PubGrubPackage) -> tuple[int, int, int]:
        if package.kind == ROOT:
            return (ROOT_PRIORITY, 0, 0)
        if package.kind == PYTHON:
            return (ROOT_PRIORITY, 0, -1 if package.name == "installed" else -2)
        rank, index = self.by_name.get(package.name, (UNSPECIFIED, 1 << 62))
        return (rank, -index, -self.tiebreakers.get(package, 1 << 31))


class _Resolver:
    def __init__(
        self, requirements: tuple[Requirement, ...], provider: Provider, options: ResolverOptions
    ) -> None:
        self.provider = provider
        self.options = options
        self.manifest = Manifest.build(
            requirements,
            constraints=options.constraints,
            overrides=options.overrides,
            excludes=options.excludes,
            environment=options.environment,
        )
        applicable = [
            r
            for r in (*requirements, *options.constraints)
            if self.manifest.evaluate(r.marker, None)
        ]
        self.policy = SelectionPolicy(
            resolution=options.resolution,
            prerelease=options.prerelease,
            prerelease_packages={
                canonicalize_name(k): v for k, v in options.prerelease_packages.items()
            },
            no_build=options.no_build,
            no_binary=options.no_binary,
            tags=options.tags,
            python=options.python,
            preferences={canonicalize_name(k): list(v) for k, v in options.preferences.items()},
        ).with_requirements(applicable)
        self.root = PubGrubPackage.root(options.project)
        self.state: State[PubGrubPackage] = State(self.root, ROOT_VERSION)
        self.priorities = _Priorities()
        self.releases: dict[str, Sequence[PackageVersion] | MissingPackage] = {}
        self.known: dict[str, list[Version]] = {}
        self.metadata_cache: dict[tuple[str, Version], PackageMetadata | MetadataUnavailable] = {}
        self.visited: set[str] = set()
        self.unavailable: dict[str, PackageUnavailable] = {}
        self.added: dict[int, set[Version]] = {}
        self.selected: dict[int, tuple[VersionRanges, Version]] = {}
        self.chosen_files: dict[tuple[str, Version], DistFile] = {}
        self.edges: dict[tuple[int, Version], list[tuple[PubGrubPackage, VersionRanges]]] = {}
        self.requested: set[str] = set()
        self.widened: set[str] = set()
        self.culprit: dict[int, int] = {}
        self.affected: dict[int, int] = {}
        self.prioritize: list[int] = []
        self.deprioritize: list[int] = []
        self.next = self.state.root

    def _copy_state(self) -> Self:
        """A copy that continues from this point on its own: the solver state, priorities and
        decisions are copied, the provider caches (releases, metadata, visited names) shared."""
        clone = copy.copy(self)
        clone.state = self.state.fork()
        clone.priorities = self.priorities.fork()
        clone.added = {key: set(versions) for key, versions in self.added.items()}
        clone.selected = dict(self.selected)
        clone.chosen_files = dict(self.chosen_files)
        clone.edges = dict(self.edges)
        clone.widened = set(self.widened)
        clone.culprit = dict(self.culprit)
        clone.affected = dict(self.affected)
        clone.prioritize = list(self.prioritize)
        clone.deprioritize = list(self.deprioritize)
        return clone

    # provider access ---------------------------------------------------------------------

    def _key(self, name: str) -> str:
        """Where `name`'s releases are cached: the name itself (a universal fork adds the
        source it routes the name to)."""
        return name

    def _provider_for(self, name: str) -> Provider:
        """The provider that lists `name` (a universal fork may route it to a source)."""
        return self.provider

    def _releases(self, name: str) -> Sequence[PackageVersion] | MissingPackage:
        key = self._key(name)
        if key not in self.releases:
            found = self._provider_for(name).versions(name)
            self.releases[key] = found
            if not isinstance(found, MissingPackage) and not (
                found and all(release.direct for release in found)
            ):
                self.known[key] = sorted({release.version for release in found}, key=sort_key)
        return self.releases[key]

    def _metadata(self, name: str, version: Version) -> PackageMetadata | MetadataUnavailable:
        key = (self._key(name), version)
        if key not in self.metadata_cache:
            self.metadata_cache[key] = self._provider_for(name).metadata(name, version)
        return self.metadata_cache[key]

    def _widen(self, version: Version) -> VersionRanges:
        exact = VersionRanges.singleton(version)
        name = self.state.packages[self.next].package_name
        known = self.known.get(self._key(name)) if name is not None else None
        if not known:
            return exact
        assert name is not None
        self.widened.add(name)
        return exact.widen(known)

    # the loop --------------------------------------------------------------------------

    def solve(self) -> Resolution:
        while self._step():
            pass
        return self._resolution()

    def _step(self) -> bool:
        """Propagate the last decision, then decide the next package; False once all are."""
        state = self.state
        try:
            conflicts = state.unit_propagation(self.next)
        except NoSolution as failure:
            raise self._failure(failure) from None
        for affected, incompat in conflicts:
            self._record_conflict(affected, incompat)
        self._prefetch()
        self._reprioritize()
        picked = state.partial.pick_highest_priority(
            lambda package, _versions: self.priorities.get(state.packages[package])
        )
        if picked is None:
            return False
        self.next, versions = picked
        self._decide(self.next, versions)
        return True

    def _decide(self, package_id: int, versions: VersionRanges) -> None:
        state = self.state
        package = state.packages[package_id]
        cached = self.selected.get(package_id)
        if cached is not None and cached[0] == versions:
            version: Version | None = cached[1]
        else:
            outcome = self._choose_version(package, versions)
            if outcome is None:
                name = package.package_name
                reason = self.unavailable.get(name) if name is not None else None
                if reason is not None:
                    state.add_custom(package_id, versions, reason)
                else:
                    state.add_no_versions(package_id, versions)
                return
            if isinstance(outcome, Candidate):
                assert outcome.incompatible is not None
                self._add_unavailable_version(package_id, outcome)
                return
            version = outcome
            if package.kind != ROOT:
                self.selected[package_id] = (versions, version)
        assert version is not None
        if version in self.added.get(package_id, ()):
            state.partial.add_decision(package_id, version)
            return
        dependencies = self._dependencies(package, version)
        if isinstance(dependencies, VersionUnavailable):
            state.add_custom(package_id, self._widen(version), dependencies)
            return
        self.added.setdefault(package_id, set()).add(version)
        self._add_dependencies(package_id, version, dependencies)

    def _add_dependencies(
        self,
        package_id: int,
        version: Version,
        dependencies: list[tuple[PubGrubPackage, VersionRanges]],
    ) -> None:
        """Give the core the dependencies of a chosen version (and those of its proxies)."""
        state = self.state
        for dependency, dependency_versions in dependencies:
            self.priorities.insert(dependency, dependency_versions)
            base = dependency.base_package()
            if base is not None:
                self.priorities.insert(base, dependency_versions)
        for dependency, dependency_versions in dependencies:
            base = dependency.base_package()
            if base is None:
                continue
            proxy_id = state.intern(dependency)
            base_id = state.intern(base)
            state.add_dependency(proxy_id, dependency_versions, base_id, dependency_versions)
        self.edges[(package_id, version)] = dependencies
        conflict = state.add_version_dependencies(
            package_id, version, self._widen(version), dependencies
        )
        if conflict is not None:
            self._record_conflict(package_id, conflict)

    def _choose_version(
        self, package: PubGrubPackage, versions: VersionRanges
    ) -> Version | Candidate | None:
        if package.kind == ROOT:
            return ROOT_VERSION
        if package.kind == PYTHON:
            return None
        name = package.name
        releases = self._releases(name)
        self.visited.add(name)
        if isinstance(releases, MissingPackage):
            self.unavailable[name] = PackageUnavailable(releases.kind)
            releases = ()
        candidate = self.policy.select(name, versions, releases)
        if candidate is None:
            return None
        if candidate.incompatible is not None:
            return candidate
        assert candidate.file is not None
        self.chosen_files[(name, candidate.version)] = candidate.file
        return candidate.version

    def _add_unavailable_version(self, package_id: int, candidate: Candidate) -> None:
        state = self.state
        incompatible = candidate.incompatible
        assert incompatible is not None
        widened = self._widen(candidate.version)
        if incompatible.kind == "requires-python":
            assert incompatible.requires_python is not None
            python = state.intern(PubGrubPackage.python(installed=incompatible.installed))
            state.add_dependency(
                package_id,
                widened,
                python,
                python_ranges_from_specifiers(incompatible.requires_python),
            )
            state.partial.add_decision(package_id, candidate.version)
            return
        state.add_custom(package_id, widened, VersionUnavailable("incompatible-dist", incompatible))

    def _dependencies(
        self, package: PubGrubPackage, version: Version
    ) -> list[tuple[PubGrubPackage, VersionRanges]] | VersionUnavailable:
        if package.kind == ROOT:
            requirements = self.manifest.requirements_for(self.manifest.requirements, None, None)
        elif package.kind in (EXTRA, MARKER):
            return proxy_dependencies(package, version)
        elif package.kind == PACKAGE:
            metadata = self._metadata(package.name, version)
            if isinstance(metadata, MetadataUnavailable):
                return VersionUnavailable(metadata.reason)
            if not self.options.python.accepts(metadata.requires_python):
                return VersionUnavailable(
                    "requires-python", requires_python=metadata.requires_python
                )
            requirements = self.manifest.requirements_for(
                metadata.requires_dist, package.extra, package.name
            )
        else:
            return []
        dependencies = dependencies_of(requirements)
        if isinstance(dependencies, UnsatisfiableRequirement):
            return VersionUnavailable("unsatisfiable-dependency", requirement=dependencies)
        return dependencies

    # conflicts -------------------------------------------------------------------------

    def _record_conflict(self, affected: int, incompat: int) -> None:
        """uv's conflict tracker: count culprits and affected packages of a conflict."""
        state = self.state
        affected_name = _name(state.packages[affected])
        real = False
        for other in state.store[incompat].terms:
            if other == affected:
                continue
            if _name(state.packages[other]) == affected_name:
                continue
            real = True
            count = self.culprit.get(other, 0) + 1
            self.culprit[other] = count
            if count == CONFLICT_THRESHOLD:
                self.deprioritize.append(other)
        if real:
            count = self.affected.get(self.next, 0) + 1
            self.affected[self.next] = count
            if count == CONFLICT_THRESHOLD:
                self.prioritize.append(self.next)

    def _reprioritize(self) -> None:
        packages = self.state.packages
        for package in self.prioritize:
            self.priorities.mark(packages[package], CONFLICT_EARLY)
        self.prioritize.clear()
        for package in self.deprioritize:
            if self.priorities.mark(packages[package], CONFLICT_LATE):
                self.state.backtrack_package(package)
        self.deprioritize.clear()

    def _prefetch(self) -> None:
        names = []
        for package_id, _versions in self.state.partial.undecided():
            package = self.state.packages[package_id]
            if (
                package.kind == PACKAGE
                and package.extra is None
                and package.marker is None
                and package.name not in self.requested
            ):
                self.requested.add(package.name)
                names.append(package.name)
        if names:
            self._prefetch_names(names)

    def _prefetch_names(self, names: list[str]) -> None:
        """Hint the provider about names the solver will ask about soon."""
        self.provider.prefetch(names)

    # results ---------------------------------------------------------------------------

    def _resolution(self) -> Resolution:
        state = self.state
        pins: dict[str, Version] = {}
        edges: set[Edge] = set()
        for package_id, version in state.partial.solution():
            package = state.packages[package_id]
            if package.kind == PACKAGE:
                pins[package.name] = version
            if package.kind not in (ROOT, PACKAGE):
                continue
            source = package.name if package.kind == PACKAGE else None
            for dependency, _versions in self.edges.get((package_id, version), ()):
                if dependency.kind == PYTHON:
                    continue
                edges.add(Edge(source, package.extra, dependency.name, dependency.extra))
        packages = tuple(
            ResolvedPackage(name, pins[name], self.chosen_files.get((name, pins[name])))
            for name in sorted(pins)
        )
        return Resolution(packages, tuple(sorted(edges, key=_edge_key)))

    def _reported_python(self) -> PythonTarget:
        """The Python the failure report speaks of."""
        return self.options.python

    def _failure(self, failure: NoSolution) -> NoSolutionError:
        known = {
            name: self.known[key] for name in self.visited if (key := self._key(name)) in self.known
        }
        context = ReportContext(
            included_versions=known,
            python=self._reported_python(),
            policy=self.policy,
            tags=self.options.tags,
            workspace_members=self.options.workspace_members,
            unavailable=dict(self.unavailable),
            known_versions={name: self.known[self._key(name)] for name in self.widened},
            releases={
                name: releases
                for name in self.visited
                if not isinstance(
                    releases := self.releases.get(self._key(name), ()), MissingPackage
                )
            },
        )
        return explain(failure.tree, context)


def _name(package: PubGrubPackage) -> str | None:
    """uv's `PubGrubPackage::name()`: the root's project name counts, Python has none."""
    if package.kind == PYTHON or (package.kind == ROOT and not package.name):
        return None
    return package.name


def _edge_key(edge: Edge) -> tuple[str, str, str, str]:
    return (edge.source or "", edge.source_extra or "", edge.target, edge.target_extra or "")
