"""Universal resolution: one resolution valid for every environment, as `uv lock` makes it.

The single-environment driver (`resolve.py`) runs once per *fork*: a resolver state restricted
to the environments of a marker. A fork starts with every environment (or one per
`--environments` marker) and splits, as uv's `solve()` does, when

- a version's requirements on one name carry different markers (`a>=2 ; sys_platform ==
  'linux'` next to `a<2 ; sys_platform == 'darwin'`): one fork per side of each marker, each
  keeping the requirements that can apply to it (`forks.split_dependencies`);
- with `--fork-strategy requires-python` (the default), the chosen version needs a newer Python
  than the fork's lower bound: the fork splits at the version's `Requires-Python` so that the
  newer Pythons still get the newest version;
- a version's requirements touch an item of a declared conflict set (`[tool.uv] conflicts`):
  one fork excludes all the set's items, one per item includes it and excludes the others
  (`conflicts`). A fork's marker then tests uv's encoded extras (`extra == 'extra-3-pkg-one'`)
  beside its environments;
- the chosen version's files do not cover a required environment (`required-environments`)
  where the package is used: the fork splits around that environment (an older version may
  cover it), or the version is unusable there;
- the chosen version is local (`2.0+cpu`) and its public version's wheels cover environments
  the local one does not: those environments get the public version.

Requirements are read with their markers instead of being evaluated: a requirement that cannot
apply to the fork, or to its Python range, is dropped. Each fork's state is a copy of its
parent's; forks are solved one after the other, depth first, highest Python first, and each
solved fork's pins become preferences of the following ones (so forks agree where they can).
A package may come from different sources in different environments (`[tool.uv.sources]`
sending it to one index on Linux and another elsewhere, or to different URLs): `sources` lists,
per name, where each source applies. Each fork routes a name to the one source whose scope it
overlaps (uv's `ForkIndexes`/`ForkUrls`; two such sources in one fork are an error), and the
merged graph keeps one node per (name, version, source).

The forks' graphs are then merged: edges keep their marker and'ed with their fork's marker,
and every package gets the union of the markers of its paths from the root (uv's
`marker_reachability`); with declared conflicts, markers are then simplified with what the
declarations imply and with the items active on the paths to each edge.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence

import msgspec
from msgspec import field
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from puv.core.errors import FailureError
from puv.core.markers import Marker
from puv.core.version_ranges import VersionRanges
from puv.resolver.candidates import Candidate, Incompatible, PythonTarget, SelectionPolicy
from puv.resolver.conflicts import (
    ConflictItem,
    Conflicts,
    extras_in,
    fork_marker,
    imbibe,
    simplify_conflict_markers,
)
from puv.resolver.forks import (
    Dependency,
    DependencyFork,
    PythonRange,
    implied_markers,
    python_range_of,
    split_dependencies,
    upper_bounded,
)
from puv.resolver.provider import (
    DistFile,
    MetadataUnavailable,
    MissingPackage,
    PackageVersion,
    Provider,
    SourcedProvider,
    find_release,
)
from puv.resolver.report import NoSolutionError, VersionUnavailable
from puv.resolver.requirements import (
    EXTRA,
    MARKER,
    PACKAGE,
    PYTHON,
    ROOT,
    PubGrubPackage,
    UnsatisfiableRequirement,
    parse_marker,
    proxy_dependencies,
    requirement_edges,
)
from puv.resolver.resolve import ResolverOptions, _Resolver
from puv.resolver.version_set import VersionRanges as PackageRanges
from puv.resolver.version_set import is_prerelease

FORK_STRATEGIES = ("requires-python", "fewest")
_DISJOINT_PYTHON = (
    "While the active Python version is {}, the resolution failed for other Python versions "
    "supported by your project. Consider limiting your project's supported Python versions "
    "using `requires-python`."
)
_DISJOINT_ENVIRONMENT = (
    "The resolution failed for an environment that is not the current one, consider limiting "
    "the environments with `tool.uv.environments`."
)


class SourceScope(msgspec.Struct, frozen=True):
    """`name` comes from the source `key` (opaque to the resolver, handed to the provider's
    `for_source`) wherever `marker` holds (a universal marker: environments, and the conflict
    items the requirement belongs to). `kind` is `index` or `url` (a URL beats an index in the
    same fork, as in uv); `shown` names the source in errors."""

    name: str
    marker: Marker
    key: str
    kind: str = "index"
    shown: str = ""


class UniversalOptions(msgspec.Struct, frozen=True):
    """How to resolve for every environment.

    - `requires_python`: the project's `requires-python` (specifier text, e.g. `>=3.9`);
    - `environments`: uv's `environments` markers; when given, the resolution covers only
      these, with one initial fork per marker;
    - `fork_strategy`: `requires-python` (fork to use the newest version on each Python) or
      `fewest` (as few versions as possible);
    - `resolver`: the remaining options (resolution, pre-releases, constraints, overrides,
      preferences, project name...); its `python` only says which interpreter is installed;
    - `current_environment`: the running interpreter's marker environment, for uv's hint when
      a fork that does not include it fails;
    - `conflicts`: the declared conflicts between extras (and groups, as their extras);
    - `required_environments`: uv's `required-environments` markers, each of which every
      package used there must have a wheel (or a source distribution) for;
    - `fork_seeds`: the `resolution-markers` of the lock being resolved again, which become the
      initial forks instead of `environments` (uv's "fork markers from the lockfile": without
      them, preferences can skip a fork point and a second resolution differ from the first);
    - `sources`: where names come from sources other than the provider's default (the provider
      must then be a `SourcedProvider`).
    """

    requires_python: str
    environments: tuple[str, ...] = ()
    fork_strategy: str = "requires-python"
    resolver: ResolverOptions | None = None
    current_environment: Mapping[str, str] | None = None
    conflicts: Conflicts = field(default_factory=Conflicts)
    required_environments: tuple[str, ...] = ()
    fork_seeds: tuple[str, ...] = ()
    sources: tuple[SourceScope, ...] = ()


class UniversalPackage(msgspec.Struct, frozen=True):
    """A pinned version: the file whose metadata was used, all the files of the release (as
    the provider listed them), and where it is used: `marker` is the union of the markers of
    its paths from the root (uv's reachability marker), and `requirement_marker` that union for
    the package and its extras' nodes together (the marker `pip compile` writes); `origin` is
    the key of the source it came from (None: the provider's default)."""

    name: str
    version: Version
    file: DistFile | None
    files: tuple[DistFile, ...]
    marker: Marker
    requirement_marker: Marker
    origin: str | None = None


class UniversalEdge(msgspec.Struct, frozen=True):
    """`source==source_version[source_extra]` (source None: the root) depends on
    `target==target_version[target_extra]` where `marker` holds (fork marker included);
    `source_marker` is where the source itself is used (its reachability); the origins are
    the packages' `UniversalPackage.origin`."""

    source: str | None
    source_version: Version | None
    source_extra: str | None
    target: str
    target_version: Version
    target_extra: str | None
    marker: Marker
    source_marker: Marker
    source_origin: str | None = None
    target_origin: str | None = None


class UniversalResolution(msgspec.Struct, frozen=True):
    """The merged resolution of every fork.

    `packages` are sorted by name then version; `fork_markers` are the forks' markers in the
    order they were solved (uv's `resolution-markers`, with the conflict items each fork
    includes or excludes), empty when the resolution did not fork. Markers are complete;
    `simplify` writes them relative to `requires-python` as uv does.
    """

    packages: tuple[UniversalPackage, ...]
    edges: tuple[UniversalEdge, ...]
    fork_markers: tuple[Marker, ...]
    requires_python: VersionRanges

    def simplify(self, marker: Marker) -> Marker:
        """`marker` assuming `requires-python` holds (what `uv.lock` and `pip compile` show)."""
        return marker.simplify_python(self.requires_python)

    def dependency_marker(self, edge: UniversalEdge) -> Marker:
        """The edge's marker as `uv.lock` writes it in `dependencies`: relative to
        `requires-python`, and to the environments where its source is used (uv's
        `simplify_dependency_marker`; conflict items stay)."""
        source = self.simplify(edge.source_marker.without_extras())
        return self.simplify(edge.marker).restrict(source)

    def package_fork_markers(self, package: UniversalPackage) -> list[Marker]:
        """The forks that use `package`, for a name locked at several versions (uv's
        per-package `resolution-markers`); empty otherwise."""
        if sum(other.name == package.name for other in self.packages) < 2:
            return []
        return [fork for fork in self.fork_markers if not fork.is_disjoint(package.marker)]

    def pins(self) -> dict[str, list[Version]]:
        """Name -> the versions used somewhere, lowest first."""
        found: dict[str, list[Version]] = {}
        for package in self.packages:
            found.setdefault(package.name, []).append(package.version)
        return found

    def dependents(self, package: UniversalPackage) -> list[str | None]:
        """Who requires `package` (None stands for the user's requirements), for `# via`."""
        found = {
            edge.source
            for edge in self.edges
            if edge.target == package.name
            and edge.target_version == package.version
            and edge.target_origin == package.origin
            and edge.source != package.name
        }
        return sorted(found, key=lambda source: (source is not None, source or ""))

    def compile_marker(self, package: UniversalPackage) -> str | None:
        """The marker `uv pip compile --universal` writes after a pin (None: everywhere)."""
        return self.simplify(package.requirement_marker).to_text()

    def compile_lines(self) -> list[str]:
        """`name==version ; marker` lines as `uv pip compile --universal` prints them."""
        lines = []
        for package in self.packages:
            marker = self.compile_marker(package)
            line = f"{package.name}=={package.version}"
            lines.append(line if marker is None else f"{line} ; {marker}")
        return lines


def resolve_universal(
    requirements: Iterable[Requirement], provider: Provider, options: UniversalOptions
) -> UniversalResolution:
    """Resolve `requirements` for every environment allowed by `options.requires_python` (and
    `options.environments`), forking where the requirements diverge.

    Raises `NoSolutionError` (a `PuvError`) with uv's explanation when a fork has no solution.
    """
    if options.fork_strategy not in FORK_STRATEGIES:
        raise ValueError(f"unknown fork strategy {options.fork_strategy!r}")
    python = PythonRange.from_specifiers(options.requires_python)
    base = options.resolver or ResolverOptions(python=PythonTarget(python.target, python.target))
    required = tuple(Marker.parse(text) for text in options.required_environments)
    universe = _Universe(
        python, options.fork_strategy, base, options.conflicts, required, options.sources
    )
    root = _Fork(tuple(requirements), provider, base, universe)
    pending = _initial_forks(root, options.fork_seeds or options.environments, universe)
    solved: list[_Solved] = []
    while pending:
        fork = pending.pop()
        try:
            result = fork.run(options.current_environment)
        except _SplitRequested as split:
            pending.extend(fork.children(split))
            continue
        universe.remember(result)
        solved.append(result)
    if options.sources:
        assert isinstance(provider, SourcedProvider), "sources need a SourcedProvider"
        solved = _same_origins(solved, provider)
    return _merge(solved, python, options.conflicts)


# shared state ------------------------------------------------------------------------------------


class _Preference(msgspec.Struct, frozen=True):
    """A version to keep where it fits: given by the user, or pinned by the fork on `env`."""

    env: Marker
    version: Version
    from_resolver: bool


class _Universe(msgspec.Struct):
    """What every fork shares: the root Python range, the strategy, the declared conflicts and
    the preferences."""

    python: PythonRange
    fork_strategy: str
    options: ResolverOptions
    conflicts: Conflicts = field(default_factory=Conflicts)
    required: tuple[Marker, ...] = ()
    sources: tuple[SourceScope, ...] = ()
    preferences: dict[str, list[_Preference]] = field(default_factory=dict)
    scopes: dict[str, list[SourceScope]] = field(default_factory=dict)
    # by (id(requirement), extra): the requirement (kept alive, so the id stays its own) and
    # its marker read for the extra, the same in every fork
    extra_markers: dict[tuple[int, str | None], tuple[Requirement, Marker]] = field(
        default_factory=dict
    )

    def marker_for_extra(self, requirement: Requirement, extra: str | None) -> Marker:
        """`_marker_for_extra` of the requirement's marker, computed once per requirement."""
        key = (id(requirement), extra)
        known = self.extra_markers.get(key)
        if known is None or known[0] is not requirement:
            known = self.extra_markers[key] = (
                requirement,
                _marker_for_extra(_marker(requirement), extra),
            )
        return known[1]

    def __post_init__(self) -> None:
        for scope in self.sources:
            self.scopes.setdefault(canonicalize_name(scope.name), []).append(scope)
        for name, versions in self.options.preferences.items():
            entries = self.preferences.setdefault(canonicalize_name(name), [])
            entries.extend(_Preference(Marker.TRUE, version, False) for version in versions)

    @property
    def lowest_first(self) -> bool:
        """uv solves lower-Python forks first under `fewest` and under `lowest`."""
        return self.fork_strategy == "fewest" or self.options.resolution == "lowest"

    def remember(self, solved: _Solved) -> None:
        """A solved fork's pins become preferences of the next forks (uv skips this under
        `lowest-direct`, where a direct dependency of one fork may be indirect in another)."""
        if self.options.resolution not in ("highest", "lowest"):
            return
        for (name, _extra), version in solved.nodes.items():
            self.preferences.setdefault(name, []).append(_Preference(solved.env, version, True))

    def preferences_for(self, env: Marker, policy: SelectionPolicy) -> dict[str, list[Version]]:
        """Per name, the preferred versions in the order a fork on `env` tries them: those of
        forks that overlap `env` first, then by version (uv's `get_preferred`). A pre-release
        pinned by another fork is only kept where pre-releases are allowed outright."""
        ordered: dict[str, list[Version]] = {}
        for name, entries in self.preferences.items():
            if len(entries) > 1:
                highest = policy.use_highest(name)
                entries = sorted(
                    entries,
                    key=lambda entry: (
                        not env.is_disjoint(entry.env),
                        _VersionOrder(entry.version, highest),
                    ),
                    reverse=True,
                )
            allow_prereleases = policy.prerelease_selection(name) == "allow"
            ordered[name] = [
                entry.version
                for entry in entries
                if allow_prereleases or not (entry.from_resolver and is_prerelease(entry.version))
            ]
        return ordered


@functools.total_ordering
class _VersionOrder(msgspec.Struct, frozen=True):
    """A version that sorts normally (`highest`) or reversed."""

    version: Version
    highest: bool

    def __lt__(self, other: _VersionOrder) -> bool:
        if self.highest:
            return self.version < other.version
        return self.version > other.version


class _Solved(msgspec.Struct, frozen=True):
    """A solved fork: its environments (`env`) and universal marker (`marker`: with the
    conflict items it includes and excludes), pins per (name, extra), files and edges."""

    env: Marker
    marker: Marker
    nodes: dict[tuple[str, str | None], Version]
    files: dict[tuple[str, Version], tuple[DistFile | None, tuple[DistFile, ...]]]
    edges: list[tuple[tuple[str, Version, str | None] | None, tuple[str, str | None], Marker]]
    origins: dict[str, str | None] = field(default_factory=dict)


class _Child(msgspec.Struct, frozen=True):
    """A fork to create: its environments, the conflict items it includes and excludes, and
    either the dependencies of the split version (a dependency split) or nothing (a version
    split: the version is chosen again, or is `version` when given)."""

    env: Marker
    dependencies: list[Dependency] | None
    include: frozenset[ConflictItem] = frozenset()
    exclude: frozenset[ConflictItem] = frozenset()
    version: Version | None = None


class _SplitRequested(Exception):
    """Raised inside a fork's step when it must split; the loop turns it into child forks."""

    def __init__(self, package_id: int, version: Version | None, children: list[_Child]) -> None:
        super().__init__(package_id)
        self.package_id = package_id
        self.version = version
        self.children = children


# the fork ----------------------------------------------------------------------------------------


class _Fork(_Resolver):
    """The single-environment driver, reading markers against a fork instead of evaluating
    them (uv's `ForkState` with a universal `ResolverEnvironment`)."""

    def __init__(
        self,
        requirements: tuple[Requirement, ...],
        provider: Provider,
        options: ResolverOptions,
        universe: _Universe,
    ) -> None:
        super().__init__(requirements, provider, options)
        self.universe = universe
        self.env = Marker.TRUE
        self.include: frozenset[ConflictItem] = frozenset()
        self.exclude: frozenset[ConflictItem] = frozenset()
        self.forced: Version | None = None
        self.python = universe.python
        self.initial: int | None = None
        self.user_requirements = (*requirements, *options.constraints)
        self.origins: dict[str, str | None] = {}
        self.policy = self.policy.with_requirements(
            r for r in self.user_requirements if not _marker(r).is_false()
        )
        self._use_python(self.python)

    # forks ------------------------------------------------------------------------------------

    def restricted(
        self,
        env: Marker,
        include: frozenset[ConflictItem] | None = None,
        exclude: frozenset[ConflictItem] | None = None,
    ) -> _Fork:
        """A copy of this fork's state for the environments of `env` and, when given, the
        conflict items it includes and excludes (uv's `with_env`)."""
        clone = self._copy_state()
        clone.selected = {}
        clone.origins = dict(self.origins)
        clone.env = env
        if include is not None and exclude is not None:
            clone.include, clone.exclude = include, exclude
        bound = python_range_of(env)
        if bound is not None:
            clone._use_python(self.python.narrow(bound))
        return clone

    def children(self, split: _SplitRequested) -> list[_Fork]:
        """The forks replacing this one, in the order they go on the stack."""
        children = split.children
        if split.version is not None:
            order = functools.cmp_to_key(self._compare_children)
            children = sorted(children, key=order)
        forks = []
        for child in children:
            fork = self.restricted(child.env, child.include, child.exclude)
            if child.dependencies is None:
                fork.initial = split.package_id
                fork.forced = child.version
            else:
                assert split.version is not None
                fork._add_side(split.package_id, split.version, child.dependencies)
            forks.append(fork)
        return forks

    def _add_side(self, package_id: int, version: Version, dependencies: list[Dependency]) -> None:
        """Add the dependencies one side of a split keeps (they split no further)."""
        self._route(self.state.packages[package_id], version, dependencies)
        super()._add_dependencies(package_id, version, dependencies)

    def _compare_children(self, left: _Child, right: _Child) -> int:
        order = _compare_envs(left.env, right.env)
        if self.universe.lowest_first:
            order = -order
        if order:
            return order
        left_bounded = upper_bounded(left.dependencies or [])
        right_bounded = upper_bounded(right.dependencies or [])
        return (left_bounded > right_bounded) - (left_bounded < right_bounded)

    def run(self, current_environment: Mapping[str, str] | None) -> _Solved:
        """Solve this fork with the preferences left by the forks solved so far; raises
        `_SplitRequested` when it splits, `NoSolutionError` (naming the fork) when it fails."""
        # Which packages are direct dependencies, or name a pre-release, depends on the fork
        # (uv's `ForkSet`s); which yanked versions are pinned does not.
        policy = self.policy.with_requirements(
            r for r in self.user_requirements if not self.env.is_disjoint(_marker(r))
        )
        self.policy = msgspec.structs.replace(
            policy,
            allowed_yanks=self.policy.allowed_yanks,
            preferences=self.universe.preferences_for(self.env, policy),
        )
        try:
            while self._step():
                pass
        except NoSolutionError as error:
            raise _fork_failure(error, self, current_environment) from None
        return self.solved()

    @property
    def marker(self) -> Marker:
        """The fork's universal marker: its environments and conflict items."""
        return fork_marker(self.env, self.include, self.exclude)

    def _use_python(self, python: PythonRange) -> None:
        self.python = python
        target = PythonTarget(python.target, self.options.python.installed, "requires-python")
        self.options = msgspec.structs.replace(self.options, python=target)
        self.policy = msgspec.structs.replace(self.policy, python=target)

    def solved(self) -> _Solved:
        """This fork's pins and edges (uv's `ForkState::into_resolution`)."""
        state = self.state
        solution = dict(state.partial.solution())
        nodes: dict[tuple[str, str | None], Version] = {}
        files: dict[tuple[str, Version], tuple[DistFile | None, tuple[DistFile, ...]]] = {}
        edges: list[
            tuple[tuple[str, Version, str | None] | None, tuple[str, str | None], Marker]
        ] = []
        for package_id, version in solution.items():
            package = state.packages[package_id]
            if package.kind == PACKAGE and package.marker is None:
                nodes[(package.name, package.extra)] = version
                files[(package.name, version)] = (
                    self.chosen_files.get((package.name, version)),
                    self._release_files(package.name, version),
                )
            if package.kind not in (ROOT, PACKAGE):
                continue
            source = None if package.kind == ROOT else (package.name, version, package.extra)
            for dependency, _versions in self.edges.get((package_id, version), ()):
                if dependency.kind == PYTHON:
                    continue
                if source is not None and dependency.name == package.name:
                    continue
                marker = Marker.TRUE if dependency.marker is None else dependency.marker
                edges.append((source, (dependency.name, dependency.extra), marker))
                if dependency.kind == EXTRA:
                    edges.append((source, (dependency.name, None), marker))
        scopes = self.universe.scopes
        origins = {name: self.origins.get(name) for name, _extra in nodes if name in scopes}
        return _Solved(self.env, self.marker, nodes, files, edges, origins)

    # sources ----------------------------------------------------------------------------------

    def _origin(self, name: str) -> str | None:
        """The key of the source this fork takes `name` from (None: the provider's default),
        decided the first time the fork asks and kept by its children (uv's `ForkIndexes`,
        `ForkUrls`)."""
        scopes = self.universe.scopes.get(name)
        if scopes is None:
            return None
        if name in self.origins:
            return self.origins[name]
        marker = self.marker
        applicable = [scope for scope in scopes if not marker.is_disjoint(scope.marker)]
        urls = [scope for scope in applicable if scope.kind == "url"]
        chosen = urls or applicable
        keys = sorted({scope.key for scope in chosen})
        if len(keys) > 1:
            where = "all marker environments" if marker.is_true() else f"split `{marker}`"
            kind = "URLs" if urls else "indexes"
            shown = sorted({scope.shown or scope.key for scope in chosen})
            raise FailureError(
                f"Requirements contain conflicting {kind} for package `{name}` in {where}:\n- "
                + "\n- ".join(shown)
            )
        origin = keys[0] if keys else None
        self.origins[name] = origin
        return origin

    def _prefetch_names(self, names: list[str]) -> None:
        """Names routed to a source are prefetched there once the fork has decided it (asking
        earlier could decide it in a fork that is about to split)."""
        scopes = self.universe.scopes
        plain = [name for name in names if name not in scopes]
        if plain:
            self.provider.prefetch(plain)
        for name in names:
            if name in scopes and name in self.origins:
                self._provider_for(name).prefetch([name])

    def _key(self, name: str) -> str:
        origin = self._origin(name)
        return name if origin is None else f"{name} @ {origin}"

    def _provider_for(self, name: str) -> Provider:
        origin = self._origin(name)
        if origin is None:
            return self.provider
        provider = self.provider
        assert isinstance(provider, SourcedProvider), "sources need a SourcedProvider"
        return provider.for_source(origin)

    def _release_files(self, name: str, version: Version) -> tuple[DistFile, ...]:
        releases = self.releases.get(self._key(name), ())
        if isinstance(releases, MissingPackage):
            return ()
        release = find_release(releases, version)
        return () if release is None else release.files

    # versions that do not cover every environment ---------------------------------------------

    def _choose_version(
        self, package: PubGrubPackage, versions: PackageRanges
    ) -> Version | Candidate | None:
        forced, self.forced = self.forced, None
        if forced is not None:
            self._releases(package.name)
            candidate = self.policy.version_candidate(
                package.name, self._release(package.name, forced)
            )
            if candidate is not None and candidate.file is not None:
                self.chosen_files[(package.name, forced)] = candidate.file
            return forced
        outcome = super()._choose_version(package, versions)
        if not isinstance(outcome, Version) or package.kind == ROOT:
            return outcome
        return self._check_coverage(package, versions, outcome)

    def _release(self, name: str, version: Version) -> PackageVersion:
        release = find_release(self._known_releases(name), version)
        assert release is not None, f"{name} {version} was chosen from its releases"
        return release

    def _known_releases(self, name: str) -> Sequence[PackageVersion]:
        releases = self.releases.get(self._key(name), ())
        return () if isinstance(releases, MissingPackage) else releases

    def _covered(self, name: str, version: Version) -> Marker:
        """The environments the version's usable files cover (uv's `implied_markers`)."""
        usable = [
            file.filename
            for file in self._release_files(name, version)
            if not isinstance(self.policy.file_compatibility(name, version, file), Incompatible)
            and self.options.python.accepts(file.requires_python)
        ]
        return implied_markers(usable)

    def _check_coverage(
        self, package: PubGrubPackage, versions: PackageRanges, version: Version
    ) -> Version | Candidate:
        """uv's `fork_version_registry`: split the fork (raising `_SplitRequested`), or reject
        the version, when it does not cover a required environment the package is used in, or
        prefer the public version of a local one where only that one has wheels."""
        if not self.universe.required and version.local is None:
            return version
        name = package.name
        covered = self._covered(name, version)
        if covered.is_true():
            return version
        for required in self.universe.required:
            if self.env.is_disjoint(required) or not covered.is_disjoint(required):
                continue
            if self._environments_of(self.next).is_disjoint(required):
                continue
            boundary = required.restrict((required | covered) & self.env)
            if self.env.is_disjoint(boundary) or self.env.is_disjoint(~boundary):
                missing = Incompatible("missing-platform", True, platform=str(required))
                return Candidate(version, None, missing)
            children = [
                _Child(self.env & boundary, None, self.include, self.exclude),
                _Child(self.env & ~boundary, None, self.include, self.exclude),
            ]
            raise _SplitRequested(self.next, None, children)
        if version.local is None:
            return version
        return self._local_version(name, versions, version, covered)

    def _local_version(
        self, name: str, versions: PackageRanges, version: Version, covered: Marker
    ) -> Version:
        """A local version (`2.0+cpu`) where its public version (`2.0`) covers more: that one
        is used there, in a fork of its own (or outright when the local one covers nothing
        here)."""
        public = Version(version.public)
        base = self.policy.select(
            name,
            versions.intersection(PackageRanges.singleton(public)),
            self._known_releases(name),
        )
        if base is None or base.file is None:
            return version
        remainder = self._covered(name, public) & ~covered
        if remainder.is_false() or self.env.is_disjoint(remainder):
            return version
        if self.env.is_disjoint(covered):
            self.chosen_files[(name, public)] = base.file
            return public
        for platform in ("darwin", "linux", "win32"):
            marker = Marker.parse(f"sys_platform == '{platform}'")
            if covered.is_disjoint(marker) and not remainder.is_disjoint(marker):
                remainder = remainder | marker
        if self.env.is_disjoint(remainder) or self.env.is_disjoint(~remainder):
            return version
        children = [
            _Child(self.env & remainder, None, self.include, self.exclude, public),
            _Child(self.env & ~remainder, None, self.include, self.exclude, version),
        ]
        raise _SplitRequested(self.next, None, children)

    def _environments_of(self, package_id: int) -> Marker:
        """Where a package is used, through the dependencies added so far for any version
        (uv's `find_environments`)."""
        state = self.state
        children: dict[int, list[tuple[int, Marker]]] = {}
        for (parent, _version), dependencies in self.edges.items():
            for dependency, _versions in dependencies:
                child = state.intern(dependency)
                marker = Marker.TRUE if dependency.marker is None else dependency.marker
                children.setdefault(parent, []).append((child, marker))
                base = dependency.base_package()
                if base is not None:
                    children.setdefault(child, []).append((state.intern(base), Marker.TRUE))
        reached = {state.root: Marker.TRUE}
        queue = [state.root]
        while queue:
            parent = queue.pop(0)
            for child, marker in children.get(parent, ()):
                combined = reached.get(child, Marker.FALSE) | (marker & reached[parent])
                if combined != reached.get(child):
                    reached[child] = combined
                    queue.append(child)
        return reached.get(package_id, Marker.FALSE)

    # the driver's hooks -----------------------------------------------------------------------

    def _reported_python(self) -> PythonTarget:
        # uv explains a fork's failure against the project's Python range, not the fork's.
        return msgspec.structs.replace(self.options.python, target=self.universe.python.target)

    def _step(self) -> bool:
        if self.initial is None:
            return super()._step()
        package_id, self.initial = self.initial, None
        term = self.state.partial.term_for(package_id)
        assert term is not None and term.positive
        self.next = package_id
        self._decide(package_id, term.versions)
        return True

    def _add_dependencies(
        self, package_id: int, version: Version, dependencies: list[Dependency]
    ) -> None:
        package = self.state.packages[package_id]
        if package.kind in (ROOT, PACKAGE):
            here = DependencyFork(self.env, include=self.include, exclude=self.exclude)
            conflicts = self.universe.conflicts
            forks = split_dependencies(dependencies, self.env, self.python, conflicts, here)
            if len(forks) > 1:
                children = [
                    _Child(fork.env, fork.dependencies, fork.include, fork.exclude)
                    for fork in forks
                ]
                raise _SplitRequested(package_id, version, children)
            dependencies = forks[0].dependencies if forks else []
        self._route(package, version, dependencies)
        super()._add_dependencies(package_id, version, dependencies)

    def _route(
        self, package: PubGrubPackage, version: Version, dependencies: list[Dependency]
    ) -> None:
        """Decide the source of each routed name these dependencies reach (where uv checks
        them: a conflict names the package whose dependencies brought it)."""
        scopes = self.universe.scopes
        for dependency, _versions in dependencies:
            if dependency.kind < PACKAGE or dependency.name not in scopes:
                continue
            try:
                self._origin(dependency.name)
            except FailureError as error:
                if package.kind != PACKAGE:
                    raise
                raise FailureError(
                    f"Failed to resolve dependencies for package `{package.name}=={version}`",
                    causes=[error.message],
                ) from None

    def _add_unavailable_version(self, package_id: int, candidate: Candidate) -> None:
        incompatible = candidate.incompatible
        if incompatible is not None and incompatible.kind == "requires-python":
            self._split_on_python(package_id, incompatible.requires_python)
        super()._add_unavailable_version(package_id, candidate)

    def _split_on_python(self, package_id: int, requires_python: SpecifierSet | None) -> None:
        """Under `requires-python`, split the fork's Python range where the version's
        `Requires-Python` starts, to choose again on each side (uv's
        `fork_version_by_python_requirement`); does nothing when the range cannot split."""
        if self.universe.fork_strategy != "requires-python" or requires_python is None:
            return
        parts = self.python.split(PythonRange.from_specifiers(requires_python).lower)
        if parts is None:
            return
        children = [
            _Child(self.env & part.marker(), None, self.include, self.exclude)
            for part in parts
            if not self.env.is_disjoint(part.marker())
        ]
        if children:
            raise _SplitRequested(package_id, None, children)

    def _dependencies(
        self, package: PubGrubPackage, version: Version
    ) -> list[Dependency] | VersionUnavailable:
        if package.kind in (EXTRA, MARKER):
            return proxy_dependencies(package, version)
        if package.kind == ROOT:
            requirements = self._flatten(self.manifest.requirements, None, None)
        elif package.kind == PACKAGE:
            metadata = self._metadata(package.name, version)
            if isinstance(metadata, MetadataUnavailable):
                return VersionUnavailable(metadata.reason)
            if not self.options.python.accepts(metadata.requires_python):
                self._split_on_python(self.next, metadata.requires_python)
                return VersionUnavailable(
                    "requires-python", requires_python=metadata.requires_python
                )
            requirements = self._flatten(metadata.requires_dist, package.extra, package.name)
        else:
            return []
        dependencies: list[Dependency] = []
        for requirement, marker in requirements:
            stripped = marker.without_extras()
            identity = None if stripped.is_true() else stripped
            found = requirement_edges(requirement, identity)
            if isinstance(found, UnsatisfiableRequirement):
                return VersionUnavailable("unsatisfiable-dependency", requirement=found)
            if self._conflicting_extras(requirement):
                # uv also depends on the base package of a requirement on a conflicting extra,
                # so that the fork excluding the extra still reaches it.
                base = requirement_edges(_without_extras(requirement), identity)
                assert not isinstance(base, UnsatisfiableRequirement)
                dependencies.extend(base)
            dependencies.extend(found)
        return dependencies

    def _conflicting_extras(self, requirement: Requirement) -> bool:
        """Whether the requirement asks for an extra of a declared conflict set."""
        conflicts = self.universe.conflicts
        name = canonicalize_name(requirement.name)
        return bool(conflicts) and any(
            conflicts.contains(name, canonicalize_name(extra)) for extra in requirement.extras
        )

    # requirements ---------------------------------------------------------------------------

    def _flatten(
        self, requires_dist: Sequence[Requirement], extra: str | None, name: str | None
    ) -> list[tuple[Requirement, Marker]]:
        """The requirements of the root (`name` None) or of `name[extra]` that can apply in
        this fork, with their markers read for that extra, the package's own extras expanded
        (uv's `flatten_requirements`), constraints added and overrides applied."""
        direct = self._for_extra(requires_dist, extra, name)
        if name is None or not any(
            canonicalize_name(r.name) == name and r.extras for r, _marker in direct
        ):
            return direct
        python_marker = self.python.marker()
        found = list(direct)
        seen: set[tuple[str, Marker]] = set()
        queue = [
            (canonicalize_name(e), marker)
            for r, marker in direct
            if canonicalize_name(r.name) == name
            for e in sorted(r.extras)
        ]
        while queue:
            current, parent_marker = queue.pop(0)
            if (current, parent_marker) in seen:
                continue
            seen.add((current, parent_marker))
            for requirement, marker in self._for_extra(requires_dist, current, name):
                combined = parent_marker & marker
                if python_marker.is_disjoint(combined) or self.env.is_disjoint(combined):
                    continue
                if canonicalize_name(requirement.name) == name:
                    queue.extend(
                        (canonicalize_name(e), combined) for e in sorted(requirement.extras)
                    )
                found.append((requirement, combined))
        own = [
            (_without_extras(r), marker)
            for r, marker in found
            if canonicalize_name(r.name) == name and r.extras and (r.specifier or r.url)
        ]
        kept = [(r, m) for r, m in found if canonicalize_name(r.name) != name or not r.extras]
        return kept + own

    def _for_extra(
        self, requires_dist: Iterable[Requirement], extra: str | None, name: str | None
    ) -> list[tuple[Requirement, Marker]]:
        """uv's `requirements_for_extra`: the marker kept for `extra` (or for no extra), then
        the requirements that cannot apply to this fork or its Python range dropped."""
        manifest = self.manifest
        python_marker = self.python.marker()
        out: list[tuple[Requirement, Marker]] = []
        for requirement in manifest.apply_overrides(requires_dist):
            if canonicalize_name(requirement.name) in manifest.excludes and name is not None:
                continue
            marker = self.universe.marker_for_extra(requirement, extra)
            if marker.is_false() or python_marker.is_disjoint(marker):
                continue
            if self.env.is_disjoint(marker):
                continue
            out.append((requirement, marker))
            out.extend(self._constraints_for(requirement, marker, python_marker))
        return out

    def _constraints_for(
        self, requirement: Requirement, marker: Marker, python_marker: Marker
    ) -> Iterator[tuple[Requirement, Marker]]:
        """uv's `constraints_for_requirement`: constraints apply where both markers hold."""
        for constraint in self.manifest.constraints.get(canonicalize_name(requirement.name), ()):
            combined = _marker(constraint) & marker
            if combined.is_false() or python_marker.is_disjoint(combined):
                continue
            if self.env.is_disjoint(combined):
                continue
            yield constraint, combined


def _fork_failure(
    error: NoSolutionError, fork: _Fork, current_environment: Mapping[str, str] | None
) -> NoSolutionError:
    """The failure of a fork, named by its marker and conflict items, with uv's hint when the
    running interpreter is outside the fork."""
    env = fork.env
    descriptors = [] if env.is_true() else [f"markers: {env}"]
    for label, items in (("included", fork.include), ("excluded", fork.exclude)):
        if items:
            descriptors.append(f"{label}: {', '.join(sorted(item.display for item in items))}")
    if not descriptors:
        return error
    hints = list(error.hints)
    if current_environment is not None:
        python_version = current_environment.get("python_version")
        current_python = Marker.parse(f"python_version == '{python_version}'")
        if python_version and env.is_disjoint(current_python):
            hints.insert(0, _DISJOINT_PYTHON.format(python_version))
        elif not env.evaluate(current_environment):
            hints.insert(0, _DISJOINT_ENVIRONMENT)
    failure = NoSolutionError(error.report, hints, error.tree)
    failure.message = f"{error.message} for split ({'; '.join(descriptors)})"
    return failure


def _initial_forks(root: _Fork, environments: Sequence[str], universe: _Universe) -> list[_Fork]:
    """One fork per `environments` marker (or the root alone), in stack order."""
    if not environments:
        return [root]
    stacked = _stacked(environments, lowest_first=universe.lowest_first)
    return [root.restricted(env) for env in stacked]


def seeded_fork_order(seeds: Sequence[str], *, lowest_first: bool) -> list[Marker]:
    """The forks of `seeds` (a lock's `resolution-markers`) in the order a resolution from them
    solves them, when none splits further: the order its lock lists them in. `lowest_first`:
    under the `lowest` resolution (see `_Universe.lowest_first`)."""
    return _stacked(seeds, lowest_first=lowest_first)[::-1]


def _stacked(environments: Sequence[str], *, lowest_first: bool) -> list[Marker]:
    """The markers of initial forks in stack order (the last is solved first)."""
    envs = [Marker.parse(text) for text in reversed(environments)]
    envs.sort(key=_EnvOrder, reverse=lowest_first)
    return envs


@functools.total_ordering
class _EnvOrder(msgspec.Struct, frozen=True):
    """Sorts forks by the lower bound of their Python range."""

    env: Marker

    def __lt__(self, other: _EnvOrder) -> bool:
        return _compare_envs(self.env, other.env) < 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _EnvOrder) and _compare_envs(self.env, other.env) == 0

    def __hash__(self) -> int:
        return hash(self.env)


def _compare_envs(left: Marker, right: Marker) -> int:
    """Compare two forks by the lower bound of their Python range (uv's `cmp_requires_python`)."""
    return (python_range_of(left) or PythonRange()).compare_lower(
        python_range_of(right) or PythonRange()
    )


# markers of requirements ----------------------------------------------------------------------


def _marker(requirement: Requirement) -> Marker:
    return Marker.TRUE if requirement.marker is None else parse_marker(requirement.marker)


def _marker_for_extra(marker: Marker, extra: str | None) -> Marker:
    """The part of a requirement's marker that holds without extras (`extra` None), or that
    holds only because `extra` is requested."""
    extras = extras_in(marker)
    if not extras:
        return marker if extra is None else Marker.FALSE
    without = marker.simplify_not_extras(extras)
    if extra is None:
        return without
    return marker.simplify_extras([extra]).simplify_not_extras(extras - {extra}) & ~without


def _without_extras(requirement: Requirement) -> Requirement:
    copy_ = Requirement(str(requirement))
    copy_.extras = set()
    return copy_


# merging the forks ------------------------------------------------------------------------------

# (name, version, extra, origin)
_Node = tuple[str, Version, str | None, str | None]


def _merge(
    solved: Sequence[_Solved], python: PythonRange, conflicts: Conflicts
) -> UniversalResolution:
    """One graph for all forks (uv's `ResolverOutput::from_state`)."""
    if len(solved) == 1:
        only = solved[0].marker
        fork_markers: tuple[Marker, ...] = () if only.is_true() else (only,)
    else:
        fork_markers = tuple(result.marker for result in solved)
    weights: dict[tuple[_Node | None, _Node], Marker] = {}
    files: dict[tuple[str, Version, str | None], tuple[DistFile | None, tuple[DistFile, ...]]] = {}
    for result in solved:
        origins = result.origins
        for (name, version), found in result.files.items():
            files[(name, version, origins.get(name))] = found
        for dependent, (name, extra), marker in result.edges:
            source = None if dependent is None else (*dependent, origins.get(dependent[0]))
            target = (name, result.nodes[(name, extra)], extra, origins.get(name))
            key = (source, target)
            weight = marker & result.marker
            weights[key] = weights[key] | weight if key in weights else weight
    root = _root_marker(fork_markers)
    reachability = _reachability(weights, root)
    if conflicts:
        world = conflicts.world()
        reachability = {node: imbibe(marker, world) for node, marker in reachability.items()}
        imbibed = {key: imbibe(marker, world) for key, marker in weights.items()}
        weights = simplify_conflict_markers(
            conflicts,
            imbibed,
            lambda node: conflicts.item(node[0], node[2]),
            lambda node: node[0],
        )
    with_extras: dict[tuple[str, Version, str | None], Marker] = {}
    for (name, version, _extra, origin), marker in reachability.items():
        known = with_extras.get((name, version, origin))
        with_extras[(name, version, origin)] = marker if known is None else known | marker
    packages = sorted(
        (
            UniversalPackage(
                name,
                version,
                *files.get((name, version, origin), (None, ())),
                marker,
                with_extras[(name, version, origin)],
                origin,
            )
            for (name, version, extra, origin), marker in reachability.items()
            if extra is None and not marker.is_false()
        ),
        key=lambda package: (package.name, package.version, package.origin or ""),
    )
    edges = [
        UniversalEdge(
            None if source is None else source[0],
            None if source is None else source[1],
            None if source is None else source[2],
            target[0],
            target[1],
            target[2],
            marker,
            root if source is None else reachability.get(source, Marker.FALSE),
            None if source is None else source[3],
            target[3],
        )
        for (source, target), marker in weights.items()
        if not reachability.get(target, Marker.FALSE).is_false()
        and (source is None or not reachability.get(source, Marker.FALSE).is_false())
    ]
    edges.sort(key=_edge_key)
    return UniversalResolution(tuple(packages), tuple(edges), fork_markers, python.ranges())


def _same_origins(solved: Sequence[_Solved], provider: SourcedProvider) -> list[_Solved]:
    """The forks' origins with the routes to one place (`source_identity`) given one origin,
    the first in the order None, then keys: their releases become one package."""
    places = [
        {
            name: (pinned, provider.source_identity(name, pinned, origin))
            for name, origin in result.origins.items()
            if (pinned := result.nodes.get((name, None))) is not None
        }
        for result in solved
    ]
    chosen: dict[tuple[str, Version, str | None], str | None] = {}
    for result, found in zip(solved, places, strict=True):
        for name, (pinned, identity) in found.items():
            origin = result.origins[name]
            known = chosen.setdefault((name, pinned, identity), origin)
            if _origin_order(origin) < _origin_order(known):
                chosen[(name, pinned, identity)] = origin
    return [
        msgspec.structs.replace(
            result,
            origins={
                **result.origins,
                **{name: chosen[(name, *place)] for name, place in found.items()},
            },
        )
        for result, found in zip(solved, places, strict=True)
    ]


def _origin_order(origin: str | None) -> tuple[bool, str]:
    """None (the provider's default) first, then keys in order."""
    return (origin is not None, origin or "")


def _root_marker(fork_markers: Sequence[Marker]) -> Marker:
    marker = Marker.FALSE if fork_markers else Marker.TRUE
    for fork in fork_markers:
        marker = marker | fork
    return marker


def _reachability(
    weights: Mapping[tuple[_Node | None, _Node], Marker], root: Marker
) -> dict[_Node, Marker]:
    """For each node, the union over its paths from the root of the and'ed edge markers."""
    children: dict[_Node | None, list[tuple[_Node, Marker]]] = {}
    for (source, target), marker in weights.items():
        children.setdefault(source, []).append((target, marker))
    reached: dict[_Node | None, Marker] = {None: root}
    queue: list[_Node | None] = [None]
    while queue:
        parent = queue.pop()
        parent_marker = reached[parent]
        for child, marker in children.get(parent, ()):
            child_marker = marker & parent_marker
            existing = reached.get(child)
            if existing is not None:
                child_marker = child_marker | existing
                if child_marker == existing:
                    continue
            reached[child] = child_marker
            queue.append(child)
    return {node: marker for node, marker in reached.items() if node is not None}


def _edge_key(edge: UniversalEdge) -> tuple[object, ...]:
    return (
        edge.source or "",
        edge.source_version or Version("0"),
        edge.source_extra or "",
        edge.target,
        edge.target_version,
        edge.target_extra or "",
        edge.source_origin or "",
        edge.target_origin or "",
    )


__all__ = [
    "FORK_STRATEGIES",
    "SourceScope",
    "UniversalEdge",
    "UniversalOptions",
    "UniversalPackage",
    "UniversalResolution",
    "resolve_universal",
]
