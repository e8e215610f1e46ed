"""The PubGrub version solving core: terms, incompatibilities, the partial solution, unit
propagation and conflict resolution with backjumping.

This follows the algorithm of pub's solver (`doc/solver.md`) as implemented by the pubgrub
crate and Astral's fork of it, which uv drives; keeping the same bookkeeping (merged dependency
incompatibilities, satisfier search by global index, the backtrack generations that invalidate
cached contradictions) makes puv derive the same incompatibilities as uv, so that its failure
reports read the same. Packages are interned to small integers; the driver (`resolve.py`) decides
which package to look at next and which version to try, and the core does the logic.

Nothing here knows about Python packaging beyond the `VersionRanges` set type.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, Generic, TypeVar

from msgspec import Struct
from packaging.version import Version

# The one place that names the version-set type the core works with.
from puv.resolver.version_set import DISJOINT, SUBSET, VersionRanges

P = TypeVar("P", bound=Hashable)


# terms ------------------------------------------------------------------------------------


class Term:
    """A positive (`p in S`) or negative (`p not in S`) statement about a package's version."""

    __slots__ = ("_memo", "positive", "versions")

    def __init__(self, positive: bool, versions: VersionRanges) -> None:
        self.positive = positive
        self.versions = versions
        # The last assignment this term was related to, and the outcome: unit propagation
        # keeps relating the same incompatibility terms to the same (immutable) assignments.
        self._memo: tuple[Term, int] | None = None

    @staticmethod
    def exact(version: Version) -> Term:
        """`p == version`."""
        return Term(True, VersionRanges.singleton(version))

    def is_any(self) -> bool:
        """The term that every assignment satisfies (`not p in ∅`)."""
        return not self.positive and self.versions.is_empty()

    def negate(self) -> Term:
        """The opposite statement."""
        return Term(not self.positive, self.versions)

    def contains(self, version: Version) -> bool:
        """Whether choosing `version` satisfies the term."""
        return self.versions.contains(version) == self.positive

    def intersection(self, other: Term) -> Term:
        """Both statements at once."""
        if self.positive:
            if other.positive:
                return Term(True, self.versions.intersection(other.versions))
            return Term(True, self.versions.difference(other.versions))
        if other.positive:
            return Term(True, other.versions.difference(self.versions))
        return Term(False, self.versions.union(other.versions))

    def union(self, other: Term) -> Term:
        """Either statement."""
        if self.positive:
            if other.positive:
                return Term(True, self.versions.union(other.versions))
            return Term(False, self.versions.complement().intersection(other.versions))
        if other.positive:
            return Term(False, other.versions.complement().intersection(self.versions))
        return Term(False, self.versions.intersection(other.versions))

    def is_disjoint(self, other: Term) -> bool:
        """No assignment satisfies both."""
        if self.positive and other.positive:
            return self.versions.is_disjoint(other.versions)
        if not self.positive and not other.positive:
            return False
        positive, negative = (self, other) if self.positive else (other, self)
        return positive.versions.subset_of(negative.versions)

    def relation_with(self, assigned: Term) -> int:
        """How the partial solution's term for the package relates to this incompatibility term."""
        memo = self._memo
        if memo is not None and memo[0] is assigned:
            return memo[1]
        relation = self._relation_with(assigned)
        self._memo = (assigned, relation)
        return relation

    def _relation_with(self, assigned: Term) -> int:
        mine, theirs = self.versions, assigned.versions
        if self.positive:
            if assigned.positive:
                relation = theirs.relation(mine)
                if relation == SUBSET:
                    return SATISFIED
                return CONTRADICTED if relation == DISJOINT else INCONCLUSIVE
            return CONTRADICTED if mine.subset_of(theirs) else INCONCLUSIVE
        if assigned.positive:
            if theirs.is_empty():
                return SATISFIED
            relation = theirs.relation(mine)
            if relation == SUBSET:
                return CONTRADICTED
            return SATISFIED if relation == DISJOINT else INCONCLUSIVE
        return SATISFIED if mine.subset_of(theirs) else INCONCLUSIVE

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Term):
            return NotImplemented
        return self.positive == other.positive and self.versions == other.versions

    def __hash__(self) -> int:
        return hash((self.positive, self.versions))

    def __repr__(self) -> str:
        return f"{'' if self.positive else 'not '}{self.versions}"


SATISFIED, CONTRADICTED, INCONCLUSIVE = 0, 1, 2
ALMOST_SATISFIED = 3


# incompatibilities ------------------------------------------------------------------------

NOT_ROOT, NO_VERSIONS, FROM_DEPENDENCY, DERIVED, CUSTOM = range(5)


class Incompatibility:
    """A set of terms that must never all hold together, and where it came from."""

    __slots__ = ("cause", "contradicted_generation", "contradicted_level", "kind", "terms")

    def __init__(self, terms: dict[int, Term], kind: int, cause: tuple[Any, ...]) -> None:
        self.terms = terms
        self.kind = kind
        # NOT_ROOT: (package, version); NO_VERSIONS: (package, set);
        # FROM_DEPENDENCY: (package, set, dependency, dependency_set);
        # DERIVED: (cause1 id, cause2 id); CUSTOM: (package, set, reason)
        self.cause = cause
        self.contradicted_level = -1
        self.contradicted_generation = -1

    def fork(self) -> Incompatibility:
        """A copy for a forked state: the terms and cause (never changed) are shared, the
        contradiction cache (which belongs to one partial solution) is copied."""
        twin = Incompatibility(self.terms, self.kind, self.cause)
        twin.contradicted_level = self.contradicted_level
        twin.contradicted_generation = self.contradicted_generation
        return twin

    def is_terminal(self, root: int, root_version: Version) -> bool:
        """Whether this incompatibility says the root itself cannot be chosen."""
        if not self.terms:
            return True
        if len(self.terms) > 1:
            return False
        ((package, term),) = self.terms.items()
        return package == root and term.contains(root_version)


def _from_dependency(
    package: int, versions: VersionRanges, dependency: int, dependency_versions: VersionRanges
) -> Incompatibility:
    terms = {package: Term(True, versions)}
    if not dependency_versions.is_empty():
        terms[dependency] = Term(False, dependency_versions)
    return Incompatibility(
        terms, FROM_DEPENDENCY, (package, versions, dependency, dependency_versions)
    )


# derivation tree (what the report explains) -------------------------------------------------


class NotRoot(Struct, Generic[P], frozen=True):
    """We are solving the dependencies of the root."""

    package: P
    version: Version


class NoVersions(Struct, Generic[P], frozen=True):
    """No version of `package` in `versions` could be chosen."""

    package: P
    versions: VersionRanges


class FromDependencyOf(Struct, Generic[P], frozen=True):
    """`package` in `versions` depends on `dependency` in `dependency_versions`."""

    package: P
    versions: VersionRanges
    dependency: P
    dependency_versions: VersionRanges


class Custom(Struct, Generic[P], frozen=True):
    """`package` in `versions` cannot be used for a reason outside the algorithm."""

    package: P
    versions: VersionRanges
    reason: Any


class Derived(Struct, Generic[P], frozen=True):
    """An incompatibility derived from two others; `shared_id` marks one used several times."""

    terms: dict[P, Term]
    shared_id: int | None
    cause1: DerivationTree[P]
    cause2: DerivationTree[P]


External = NotRoot[P] | NoVersions[P] | FromDependencyOf[P] | Custom[P]
DerivationTree = External[P] | Derived[P]


class NoSolution(Exception):
    """Version solving failed; `tree` explains why."""

    def __init__(self, tree: DerivationTree[Any]) -> None:
        super().__init__("no solution")
        self.tree = tree


# partial solution -----------------------------------------------------------------------------


class _Assignments:
    """A package's derivations (accumulated) and its decision, if any."""

    __slots__ = ("decision", "derivations", "highest_level", "smallest_level", "term")

    def __init__(self, level: int, derivation: tuple[int, int, int, Term]) -> None:
        self.smallest_level = level
        self.highest_level = level
        # (global index, decision level, cause id, accumulated term)
        self.derivations: list[tuple[int, int, int, Term]] = [derivation]
        self.decision: tuple[int, Version] | None = None
        self.term = derivation[3]

    def fork(self) -> _Assignments:
        """A copy whose derivation list can grow and shrink on its own (entries are shared)."""
        twin = _Assignments.__new__(_Assignments)
        twin.smallest_level = self.smallest_level
        twin.highest_level = self.highest_level
        twin.derivations = list(self.derivations)
        twin.decision = self.decision
        twin.term = self.term
        return twin

    def satisfier(self, start: Term) -> tuple[int | None, int, int]:
        """The first assignment after which `start` is contradicted: (cause, index, level)."""
        derivations = self.derivations
        low, high = 0, len(derivations)
        while low < high:
            middle = (low + high) // 2
            if derivations[middle][3].is_disjoint(start):
                high = middle
            else:
                low = middle + 1
        if low < len(derivations):
            index, level, cause, _term = derivations[low]
            return cause, index, level
        assert self.decision is not None, "the satisfier of a term must be a decision"
        return None, self.decision[0], self.highest_level


class PartialSolution:
    """The assignments made so far, by package, in decision-level order."""

    def __init__(self) -> None:
        self.next_global_index = 0
        self.level = 0
        self.assignments: dict[int, _Assignments] = {}
        self.decided: list[int] = []
        self.prioritized: dict[int, tuple[Any, ...]] = {}
        self.outdated: dict[int, None] = {}
        # For each finished backtrack generation, the highest decision level still valid.
        self.last_valid_levels: list[int] = [0]

    def fork(self) -> PartialSolution:
        """An independent copy (terms and versions, which never change, are shared)."""
        twin = PartialSolution.__new__(PartialSolution)
        twin.next_global_index = self.next_global_index
        twin.level = self.level
        twin.assignments = {package: a.fork() for package, a in self.assignments.items()}
        twin.decided = list(self.decided)
        twin.prioritized = dict(self.prioritized)
        twin.outdated = dict(self.outdated)
        twin.last_valid_levels = list(self.last_valid_levels)
        return twin

    # contradiction cache (Astral's pubgrub fork) -----------------------------------------

    def is_contradicted(self, incompat: Incompatibility) -> bool:
        """Whether `incompat` is known to be contradicted by the current assignments."""
        generation = incompat.contradicted_generation
        if generation < 0:
            return False
        if generation < len(self.last_valid_levels):
            return incompat.contradicted_level <= self.last_valid_levels[generation]
        return True

    def mark_contradicted(self, incompat: Incompatibility) -> None:
        """Remember that the current assignments contradict `incompat`."""
        incompat.contradicted_level = self.level
        incompat.contradicted_generation = len(self.last_valid_levels)

    def has_backtracked(self) -> bool:
        """Whether any backtrack happened yet."""
        return len(self.last_valid_levels) > 1

    # assignments ---------------------------------------------------------------------------

    def term_for(self, package: int) -> Term | None:
        """The intersection of every assignment to `package`, if any."""
        assignments = self.assignments.get(package)
        return assignments.term if assignments is not None else None

    def add_decision(self, package: int, version: Version) -> None:
        """Choose `version` for `package` (which must already have derivations)."""
        self.level += 1
        assignments = self.assignments[package]
        assignments.highest_level = self.level
        assignments.decision = (self.next_global_index, version)
        assignments.term = Term.exact(version)
        self.decided.append(package)
        self.next_global_index += 1

    def add_derivation(self, package: int, cause: int, store: list[Incompatibility]) -> None:
        """Add the negation of `cause`'s term for `package`, as unit propagation concluded."""
        term = store[cause].terms[package].negate()
        index = self.next_global_index
        self.next_global_index += 1
        assignments = self.assignments.get(package)
        if assignments is None:
            self.assignments[package] = _Assignments(self.level, (index, self.level, cause, term))
            if term.positive:
                self.outdated[package] = None
            return
        assert assignments.decision is None, "derivation added after a decision"
        assignments.highest_level = self.level
        accumulated = assignments.term.intersection(term)
        assignments.term = accumulated
        if accumulated.positive:
            self.outdated[package] = None
        assignments.derivations.append((index, self.level, cause, accumulated))

    def potential(self, package: int) -> VersionRanges | None:
        """The allowed versions of an undecided package that must be chosen."""
        assignments = self.assignments.get(package)
        if assignments is None or assignments.decision is not None:
            return None
        term = assignments.term
        return term.versions if term.positive else None

    def undecided(self) -> Iterator[tuple[int, VersionRanges]]:
        """Undecided packages changed at the current level, with their allowed versions."""
        for package, assignments in self.assignments.items():
            if assignments.decision is None and assignments.highest_level == self.level:
                term = assignments.term
                if term.positive:
                    yield package, term.versions

    def pick_highest_priority(
        self, prioritize: Callable[[int, VersionRanges], tuple[Any, ...]]
    ) -> tuple[int, VersionRanges] | None:
        """The undecided package with the highest priority (ties: the one interned first)."""
        prioritized = self.prioritized
        while self.outdated:
            package, _ = self.outdated.popitem()
            versions = self.potential(package)
            if versions is not None:
                prioritized[package] = (prioritize(package, versions), -package)
        while prioritized:
            package = max(prioritized, key=prioritized.__getitem__)
            del prioritized[package]
            versions = self.potential(package)
            if versions is not None:
                return package, versions
        return None

    def solution(self) -> Iterator[tuple[int, Version]]:
        """The decisions, in the order they were made."""
        for package in self.decided:
            decision = self.assignments[package].decision
            assert decision is not None
            yield package, decision[1]

    def backtrack(self, level: int) -> None:
        """Forget every assignment made after decision level `level`."""
        self.level = level
        del self.decided[level:]
        kept: dict[int, _Assignments] = {}
        for package, assignments in self.assignments.items():
            if assignments.smallest_level > level:
                self.prioritized.pop(package, None)
                continue
            if assignments.highest_level <= level:
                if (
                    assignments.decision is None
                    and assignments.term.positive
                    and package not in self.prioritized
                ):
                    self.outdated[package] = None
            else:
                derivations = assignments.derivations
                while derivations and derivations[-1][1] > level:
                    derivations.pop()
                assignments.highest_level = derivations[-1][1]
                assignments.term = derivations[-1][3]
                assignments.decision = None
                self.prioritized.pop(package, None)
                if assignments.term.positive:
                    self.outdated[package] = None
            kept[package] = assignments
        self.assignments = kept
        levels = self.last_valid_levels
        levels.append(1 << 62)
        index = 0
        while index < len(levels) and levels[index] <= level:
            index += 1
        for position in range(index, len(levels)):
            levels[position] = level

    def satisfier_search(
        self, incompat: Incompatibility, store: list[Incompatibility]
    ) -> tuple[int, int | None, int]:
        """(satisfier package, satisfier cause if same level else None, backjump level)."""
        satisfied: dict[int, tuple[int | None, int, int]] = {}
        for package, term in incompat.terms.items():
            satisfied[package] = self.assignments[package].satisfier(term.negate())
        satisfier_package = max(satisfied, key=lambda p: satisfied[p][1])
        satisfier_cause, _index, satisfier_level = satisfied[satisfier_package]
        assignments = self.assignments[satisfier_package]
        if satisfier_cause is not None:
            accumulated = store[satisfier_cause].terms[satisfier_package].negate()
        else:
            accumulated = assignments.term
        start = accumulated.intersection(incompat.terms[satisfier_package].negate())
        satisfied[satisfier_package] = assignments.satisfier(start)
        previous_level = max(1, max(satisfied.values(), key=lambda s: s[1])[2])
        if previous_level >= satisfier_level:
            assert satisfier_cause is not None
            return satisfier_package, satisfier_cause, previous_level
        return satisfier_package, None, previous_level


# the solver state ------------------------------------------------------------------------------


class State(Generic[P]):
    """PubGrub's state for one resolution: packages, incompatibilities, the partial solution."""

    def __init__(self, root: P, root_version: Version) -> None:
        self.packages: list[P] = []
        self._ids: dict[P, int] = {}
        self.root = self.intern(root)
        self.root_version = root_version
        self.store: list[Incompatibility] = []
        self.by_package: dict[int, list[int]] = {}
        # Dependency incompatibilities by (depender, dependency, dependency versions), for merging.
        self._merged: dict[tuple[int, int, VersionRanges], list[int]] = {}
        self.partial = PartialSolution()
        not_root = Incompatibility(
            {self.root: Term(False, VersionRanges.singleton(root_version))},
            NOT_ROOT,
            (self.root, root_version),
        )
        self.store.append(not_root)
        self.by_package[self.root] = [0]

    def fork(self) -> State[P]:
        """An independent copy for a resolver fork, much cheaper than `copy.deepcopy`: what
        never changes once made (packages, terms, causes, version sets) is shared."""
        twin: State[P] = State.__new__(State)
        twin.packages = list(self.packages)
        twin._ids = dict(self._ids)
        twin.root = self.root
        twin.root_version = self.root_version
        twin.store = [incompat.fork() for incompat in self.store]
        twin.by_package = {package: list(ids) for package, ids in self.by_package.items()}
        twin._merged = {key: list(ids) for key, ids in self._merged.items()}
        twin.partial = self.partial.fork()
        return twin

    def intern(self, package: P) -> int:
        """The small integer that stands for `package` (allocated on first sight)."""
        index = self._ids.get(package)
        if index is None:
            index = len(self.packages)
            self._ids[package] = index
            self.packages.append(package)
        return index

    # adding incompatibilities ------------------------------------------------------------------

    def _alloc(self, incompat: Incompatibility) -> int:
        self.store.append(incompat)
        return len(self.store) - 1

    def add_incompatibility(self, incompat: Incompatibility) -> int:
        """Record a new incompatibility."""
        incompat.contradicted_generation = -1
        index = self._alloc(incompat)
        self._merge(index)
        return index

    def add_no_versions(self, package: int, versions: VersionRanges) -> None:
        """No version of `package` in `versions` can be chosen."""
        self.add_incompatibility(
            Incompatibility({package: Term(True, versions)}, NO_VERSIONS, (package, versions))
        )

    def add_custom(self, package: int, versions: VersionRanges, reason: Any) -> None:
        """`package` in `versions` is unusable for `reason`."""
        self.add_incompatibility(
            Incompatibility({package: Term(True, versions)}, CUSTOM, (package, versions, reason))
        )

    def add_dependency(
        self,
        package: int,
        versions: VersionRanges,
        dependency: int,
        dependency_versions: VersionRanges,
    ) -> int:
        """`package` in `versions` depends on `dependency` in `dependency_versions`."""
        index = self._alloc(_from_dependency(package, versions, dependency, dependency_versions))
        self._merge(index)
        return index

    def add_version_dependencies(
        self,
        package: int,
        version: Version,
        versions: VersionRanges,
        dependencies: Iterable[tuple[P, VersionRanges]],
    ) -> int | None:
        """Add the dependencies of `package == version` (valid for all of `versions`) and decide
        on it unless a dependency conflicts; returns the conflicting incompatibility if any."""
        new = [
            self.add_dependency(package, versions, self.intern(dependency), dependency_versions)
            for dependency, dependency_versions in dependencies
        ]
        partial = self.partial
        if not partial.has_backtracked():
            partial.add_decision(package, version)
            return None
        exact = Term.exact(version)
        for index in new:
            terms = self.store[index].terms
            satisfied = True
            for other, term in terms.items():
                assigned = exact if other == package else partial.term_for(other)
                if assigned is None or term.relation_with(assigned) != SATISFIED:
                    satisfied = False
                    break
            if satisfied:
                return index
        partial.add_decision(package, version)
        return None

    def _merge(self, index: int) -> None:
        """Index the incompatibility by package, merging dependencies that differ only in the
        depending versions (`a 1 -> b` and `a 2 -> b` become `a 1|2 -> b`)."""
        incompat = self.store[index]
        if incompat.kind == FROM_DEPENDENCY:
            package, _versions, dependency, dependency_versions = incompat.cause
            if package != dependency:
                key = (package, dependency, dependency_versions)
                bucket = self._merged.setdefault(key, [])
                for position, past in enumerate(bucket):
                    past_versions = self.store[past].cause[1]
                    merged = _from_dependency(
                        package,
                        incompat.cause[1].union(past_versions),
                        dependency,
                        dependency_versions,
                    )
                    merged_index = self._alloc(merged)
                    for other in merged.terms:
                        ids = self.by_package.get(other)
                        if ids is not None and past in ids:
                            ids.remove(past)
                    bucket[position] = merged_index
                    index = merged_index
                    incompat = merged
                    break
                else:
                    bucket.append(index)
        for package in incompat.terms:
            self.by_package.setdefault(package, []).append(index)

    # propagation and conflicts --------------------------------------------------------------

    def unit_propagation(self, package: int) -> list[tuple[int, int]]:
        """Derive everything the incompatibilities imply after `package` changed.

        Returns the (package, incompatibility) root causes of the conflicts met on the way;
        raises `NoSolution` when a conflict reaches the root.
        """
        causes: list[tuple[int, int]] = []
        buffer = [package]
        partial = self.partial
        store = self.store
        while buffer:
            current = buffer.pop()
            conflict: int | None = None
            # The loop below is `PartialSolution.is_contradicted` and `relation` inlined: it is
            # where a resolution spends its time. Neither the backtrack generations nor the
            # decision level change before the loop ends.
            last_valid = partial.last_valid_levels
            generations = len(last_valid)
            level = partial.level
            assignments = partial.assignments
            for index in reversed(self.by_package[current]):
                incompat = store[index]
                generation = incompat.contradicted_generation
                if generation >= 0 and (
                    generation >= generations
                    or incompat.contradicted_level <= last_valid[generation]
                ):
                    continue
                relation = SATISFIED
                decider: int | None = None
                for other, term in incompat.terms.items():
                    assigned = assignments.get(other)
                    if assigned is None:
                        outcome = INCONCLUSIVE
                    else:
                        memo = term._memo
                        if memo is not None and memo[0] is assigned.term:
                            outcome = memo[1]
                        else:
                            outcome = term.relation_with(assigned.term)
                    if outcome == SATISFIED:
                        continue
                    if outcome == CONTRADICTED:
                        relation = CONTRADICTED
                        break
                    if relation == SATISFIED:
                        relation = ALMOST_SATISFIED
                        decider = other
                    else:
                        relation = INCONCLUSIVE
                        break
                if relation == SATISFIED:
                    conflict = index
                    break
                if relation == ALMOST_SATISFIED:
                    assert decider is not None
                    if decider not in buffer:
                        buffer.append(decider)
                    partial.add_derivation(decider, index, store)
                if relation != INCONCLUSIVE:
                    incompat.contradicted_level = level
                    incompat.contradicted_generation = generations
            if conflict is not None:
                decider, root_cause = self._conflict_resolution(conflict, causes)
                buffer = [decider]
                partial.add_derivation(decider, root_cause, store)
                partial.mark_contradicted(store[root_cause])
        return causes

    def _conflict_resolution(self, index: int, causes: list[tuple[int, int]]) -> tuple[int, int]:
        changed = False
        store = self.store
        while True:
            incompat = store[index]
            if incompat.is_terminal(self.root, self.root_version):
                raise NoSolution(self._derivation_tree(index))
            package, satisfier_cause, level = self.partial.satisfier_search(incompat, store)
            if satisfier_cause is None:
                self.partial.backtrack(level)
                if changed:
                    self._merge(index)
                causes.append((package, index))
                return package, index
            index = self._alloc(self._prior_cause(index, satisfier_cause, package))
            causes.append((package, index))
            changed = True

    def _prior_cause(self, incompat: int, satisfier_cause: int, package: int) -> Incompatibility:
        """The rule of resolution: combine two incompatibilities on `package`."""
        first = self.store[incompat].terms
        second = self.store[satisfier_cause].terms
        terms = {other: term for other, term in first.items() if other != package}
        for other, term in second.items():
            if other == package:
                continue
            existing = terms.get(other)
            terms[other] = term if existing is None else existing.intersection(term)
        term = first[package].union(second[package])
        if not term.is_any():
            terms[package] = term
        return Incompatibility(terms, DERIVED, (incompat, satisfier_cause))

    def backtrack_package(self, package: int) -> bool:
        """Undo the decision on `package` and every later one (to try another order)."""
        try:
            level = self.partial.decided.index(package)
        except ValueError:
            return False
        self.partial.backtrack(level)
        return True

    # derivation tree -------------------------------------------------------------------------------

    def _derivation_tree(self, index: int) -> DerivationTree[P]:
        store = self.store
        seen: set[int] = set()
        shared: set[int] = set()
        stack = [index]
        while stack:
            current = stack.pop()
            incompat = store[current]
            if incompat.kind == DERIVED:
                if current in seen:
                    shared.add(current)
                else:
                    stack.extend(incompat.cause)
            seen.add(current)
        built: dict[int, DerivationTree[P]] = {}
        packages = self.packages
        for current in sorted(seen):
            incompat = store[current]
            kind, cause = incompat.kind, incompat.cause
            node: DerivationTree[P]
            if kind == DERIVED:
                node = Derived(
                    {packages[p]: t for p, t in incompat.terms.items()},
                    current if current in shared else None,
                    built[cause[0]],
                    built[cause[1]],
                )
            elif kind == NOT_ROOT:
                node = NotRoot(packages[cause[0]], cause[1])
            elif kind == NO_VERSIONS:
                node = NoVersions(packages[cause[0]], cause[1])
            elif kind == FROM_DEPENDENCY:
                node = FromDependencyOf(packages[cause[0]], cause[1], packages[cause[2]], cause[3])
            else:
                node = Custom(packages[cause[0]], cause[1], cause[2])
            built[current] = node
        return built[index]
