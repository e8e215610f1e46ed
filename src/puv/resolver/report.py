"""Why resolution failed, in uv's words.

PubGrub's derivation tree is first reduced the way uv reduces it (`error.rs`: proxies and local
version sentinels dropped, widened version sets narrowed back onto the known versions, repeated
"unavailable" statements merged, ranges simplified onto the versions that exist, redundant "no
versions" steps removed), then written out by pubgrub's reporter with uv's formatter
(`pubgrub/report.rs`): `Because ... and ..., we can conclude that ...`, `And because ...`,
numbered `(1)` back-references, `all versions of`, `only x==1.0 is available`, `one of:` lists.
Hints (pre-releases, `--python-version`, `--no-build`, wheel tags) follow uv's wording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from msgspec import Struct, field
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from puv.core.errors import FailureError
from puv.resolver.candidates import (
    Incompatible,
    IncompatibleTag,
    PythonTarget,
    SelectionPolicy,
    TargetTags,
)
from puv.resolver.provider import PackageVersion
from puv.resolver.pubgrub import (
    Custom,
    DerivationTree,
    Derived,
    FromDependencyOf,
    NotRoot,
    NoVersions,
    Term,
)
from puv.resolver.requirements import (
    EXTRA,
    PACKAGE,
    PYTHON,
    ROOT,
    PubGrubPackage,
    UnsatisfiableRequirement,
    simplify_python_markers,
)
from puv.resolver.version_set import Bound, VersionRanges, is_prerelease

Tree = DerivationTree[PubGrubPackage]
Terms = dict[PubGrubPackage, Term]

HEADER = "No solution found when resolving dependencies"


# why a package or version is unusable ---------------------------------------------------------

_PACKAGE_MESSAGES = {
    "not-found": ("was", "not found in the package registry"),
    "no-index": ("was", "not found in the provided package locations"),
    "offline": ("was", "not found in the cache"),
    "invalid-metadata": ("has", "invalid metadata"),
    "invalid-structure": ("has", "an invalid package format"),
}


class PackageUnavailable(Struct, frozen=True):
    """The whole package is unusable (uv's `UnavailablePackage`)."""

    kind: str

    def __str__(self) -> str:
        return _PACKAGE_MESSAGES[self.kind][1]

    def singular_message(self) -> str:
        """`was not found in the package registry`."""
        verb, text = _PACKAGE_MESSAGES[self.kind]
        return f"{verb} {text}"


_VERSION_MESSAGES = {
    "invalid metadata": ("has", "have"),
    "inconsistent metadata": ("has", "have"),
    "an invalid package format": ("has", "have"),
    "to be downloaded from a registry": ("needs", "need"),
}


class VersionUnavailable(Struct, frozen=True):
    """Some versions of a package are unusable (uv's `UnavailableVersion`).

    `kind` is `incompatible-dist`, `unsatisfiable-dependency`, `requires-python`, or one of the
    metadata failures (`invalid metadata`, `inconsistent metadata`, ...).
    """

    kind: str
    incompatible: Incompatible | None = None
    requirement: UnsatisfiableRequirement | None = None
    requires_python: SpecifierSet | None = None

    def __str__(self) -> str:
        if self.kind == "unsatisfiable-dependency":
            return str(self.requirement)
        if self.kind == "incompatible-dist":
            assert self.incompatible is not None
            return self.incompatible.description()
        if self.kind == "requires-python":
            return f"Python {self.requires_python}"
        return self.kind

    def message(self, plural: bool) -> str:
        """`was yanked (...)`, `have no usable wheels`, `depends on ...`."""
        if self.kind == "unsatisfiable-dependency":
            return f"{'depend' if plural else 'depends'} on {self}"
        if self.kind == "incompatible-dist":
            assert self.incompatible is not None
            return f"{self.incompatible.verb(plural)} {self}"
        if self.kind == "requires-python":
            return f"{'require' if plural else 'requires'} {self}"
        singular, plural_verb = _VERSION_MESSAGES.get(self.kind, ("has", "have"))
        return f"{plural_verb if plural else singular} {self}"

    def context(self, tags: TargetTags | None, python: PythonTarget | None) -> str | None:
        """`(e.g., `cp312`)` after a tag mismatch."""
        incompatible = self.incompatible
        if self.kind != "incompatible-dist" or incompatible is None or incompatible.kind != "tag":
            return None
        best = tags.best if tags is not None else None
        tag = incompatible.tag
        value: str | None = None
        if tag == IncompatibleTag.PYTHON and best is not None:
            value = best.interpreter
        elif tag == IncompatibleTag.ABI and best is not None:
            value = best.abi
        elif tag == IncompatibleTag.PLATFORM and best is not None:
            value = best.platform
        elif tag == IncompatibleTag.ABI_PYTHON_VERSION and python is not None:
            release = python.target.release
            value = f"cp{release[0]}{release[1] if len(release) > 1 else 0}"
        return None if value is None else f"(e.g., `{value}`)"


# the error ---------------------------------------------------------------------------------


class ReportContext(Struct, frozen=True):
    """What the report needs to know beyond the tree."""

    included_versions: Mapping[str, Sequence[Version]]
    python: PythonTarget
    policy: SelectionPolicy | None = None
    tags: TargetTags | None = None
    workspace_members: frozenset[str] = frozenset()
    unavailable: Mapping[str, PackageUnavailable] = field(default_factory=dict)
    known_versions: Mapping[str, Sequence[Version]] = field(default_factory=dict)
    releases: Mapping[str, Sequence[PackageVersion]] = field(default_factory=dict)


class NoSolutionError(FailureError):
    """Resolution is impossible; `report` is uv's explanation, `hints` its suggestions."""

    def __init__(self, report: str, hints: Sequence[str], tree: Tree) -> None:
        hint = "\n\nhint: ".join(hints) if hints else None
        super().__init__(HEADER, causes=[report], hint=hint)
        self.report = report
        self.hints = tuple(hints)
        self.tree = tree

    def packages(self) -> set[str]:
        """The names of the packages involved in the failure."""
        return {p.name for p in _tree_packages(self.tree) if p.kind >= PACKAGE}


def explain(tree: Tree, context: ReportContext) -> NoSolutionError:
    """Reduce the derivation tree like uv and write the report and the hints."""
    reduced = reduce_tree(tree, context)
    formatter = _Formatter(context)
    report = write_report(reduced, formatter)
    hints = _Hints(context, formatter).collect(reduced)
    return NoSolutionError(report, hints, reduced)


# tree transforms -------------------------------------------------------------------------------


def _transform(
    tree: Tree,
    on_external: Callable[[Any], Tree | None],
    on_derived: Callable[[Derived[PubGrubPackage], Tree | None, Tree | None], Tree | None],
) -> Tree | None:
    """Post-order rewrite without recursion; shared subtrees are rewritten once."""
    done: dict[int, Tree | None] = {}
    stack: list[tuple[Tree, bool]] = [(tree, False)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if key in done:
            continue
        if not isinstance(node, Derived):
            done[key] = on_external(node)
            continue
        if not expanded:
            stack.append((node, True))
            stack.append((node.cause2, False))
            stack.append((node.cause1, False))
            continue
        done[key] = on_derived(node, done[id(node.cause1)], done[id(node.cause2)])
    return done[id(tree)]


def _map(
    tree: Tree,
    on_external: Callable[[Any], Tree],
    on_derived: Callable[[Derived[PubGrubPackage], Tree, Tree], Tree],
) -> Tree:
    def derived(node: Derived[PubGrubPackage], first: Tree | None, second: Tree | None) -> Tree:
        assert first is not None and second is not None
        return on_derived(node, first, second)

    result = _transform(tree, on_external, derived)
    assert result is not None
    return result


def _derived(
    node: Derived[PubGrubPackage], first: Tree, second: Tree, terms: Terms | None = None
) -> Tree:
    return Derived(node.terms if terms is None else terms, node.shared_id, first, second)


def _keep(external: Tree) -> Tree:
    return external


def _tree_packages(tree: Tree) -> Iterator[PubGrubPackage]:
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Derived):
            yield from node.terms
            stack.extend((node.cause1, node.cause2))
        elif isinstance(node, FromDependencyOf):
            yield node.package
            yield node.dependency
        else:
            yield node.package


def reduce_tree(tree: Tree, context: ReportContext) -> Tree:
    """uv's reductions, in uv's order (`convert_no_solution_err` then `compute_report`)."""
    tree = _collapse_proxies(tree)
    tree = _collapse_local_version_segments(tree)
    tree = _narrow_widened_sets(tree, context.known_versions)
    tree = _simplify_markers(tree, context.python)
    members = context.workspace_members
    tree = _collapse_no_versions_of_members(tree, members)
    if len(members) == 1:
        tree = _drop_root_dependency_on_project(tree, next(iter(members)))
    tree = _collapse_unavailable_versions(tree)
    tree = _collapse_redundant_depends_on_no_versions(tree)
    tree = _simplify_ranges(tree, context)
    tree = _restate_available_versions(tree, context.included_versions)
    tree = _collapse_redundant_no_versions(tree)
    while True:
        tree, changed = _collapse_redundant_no_versions_tree(tree)
        if not changed:
            return tree


def _is_proxy_dependency(tree: Tree | None) -> bool:
    return isinstance(tree, FromDependencyOf) and tree.package.is_proxy


def _collapse_proxies(tree: Tree) -> Tree:
    def derived(
        node: Derived[PubGrubPackage], first: Tree | None, second: Tree | None
    ) -> Tree | None:
        if _is_proxy_dependency(first) and _is_proxy_dependency(second):
            return None
        if _is_proxy_dependency(first):
            return second
        if _is_proxy_dependency(second):
            return first
        if first is not None and second is not None:
            return _derived(node, first, second)
        return first if first is not None else second

    result = _transform(tree, _keep, derived)
    assert result is not None, "a derivation tree has at least one external cause"
    return result


def _strip_term(term: Term) -> Term:
    return Term(term.positive, term.versions.without_local_sentinels())


def _collapse_local_version_segments(tree: Tree) -> Tree:
    def external(node: Any) -> Tree | None:
        if isinstance(node, NoVersions):
            if node.versions.is_local_version_complement():
                return None
            return NoVersions(node.package, node.versions.without_local_sentinels())
        if isinstance(node, FromDependencyOf):
            return FromDependencyOf(
                node.package,
                node.versions.without_local_sentinels(),
                node.dependency,
                node.dependency_versions.without_local_sentinels(),
            )
        if isinstance(node, Custom):
            return Custom(node.package, node.versions.without_local_sentinels(), node.reason)
        return node

    def derived(
        node: Derived[PubGrubPackage], first: Tree | None, second: Tree | None
    ) -> Tree | None:
        terms = {package: _strip_term(term) for package, term in node.terms.items()}
        if first is not None and second is not None:
            return _derived(node, first, second, terms)
        return first if first is not None else second

    result = _transform(tree, external, derived)
    assert result is not None
    return result


def _narrow_to_known(versions: VersionRanges, known: Sequence[Version]) -> VersionRanges:
    if all(versions.contains(version) for version in known):
        return VersionRanges.full()
    return versions.narrow(known)


def _reported_versions(package: PubGrubPackage, cause: Tree) -> VersionRanges:
    """The versions of `package` a cause is reported as establishing something about."""
    if isinstance(cause, Derived):
        term = cause.terms.get(package)
        return term.versions if term is not None and term.positive else VersionRanges.empty()
    if isinstance(cause, (Custom, NoVersions, FromDependencyOf)) and cause.package == package:
        return cause.versions
    return VersionRanges.empty()


def _narrow_widened_sets(tree: Tree, known_versions: Mapping[str, Sequence[Version]]) -> Tree:
    def listed(package: PubGrubPackage) -> Sequence[Version] | None:
        if package.kind < PACKAGE:
            return None
        return known_versions.get(package.name) or None

    def narrow(package: PubGrubPackage, versions: VersionRanges) -> VersionRanges:
        known = listed(package)
        return versions if known is None else _narrow_to_known(versions, known)

    def narrow_unavailable(package: PubGrubPackage, versions: VersionRanges) -> VersionRanges:
        known = listed(package)
        if known is None:
            return versions
        if len(known) == 1 and versions.contains(known[0]):
            return VersionRanges.singleton(known[0])
        narrowed = _narrow_to_known(versions, known)
        if narrowed.is_full():
            return narrowed
        envelope = VersionRanges.between(known[0], True, known[-1], True)
        clamped = narrowed.intersection(envelope)
        return narrowed if clamped.is_empty() else clamped

    def external(node: Any) -> Tree:
        if isinstance(node, FromDependencyOf):
            if node.dependency.kind == PYTHON:
                versions = narrow_unavailable(node.package, node.versions)
            else:
                versions = narrow(node.package, node.versions)
            return FromDependencyOf(
                node.package, versions, node.dependency, node.dependency_versions
            )
        if isinstance(node, Custom):
            if isinstance(node.reason, VersionUnavailable):
                return Custom(
                    node.package, narrow_unavailable(node.package, node.versions), node.reason
                )
            return Custom(node.package, narrow(node.package, node.versions), node.reason)
        return node

    def derived(node: Derived[PubGrubPackage], first: Tree, second: Tree) -> Tree:
        terms: Terms = {}
        for package, term in node.terms.items():
            if not term.positive:
                terms[package] = term
                continue
            known = listed(package)
            if known is not None and len(known) == 1:
                single = VersionRanges.singleton(known[0])
                reported = _reported_versions(package, first).union(
                    _reported_versions(package, second)
                )
                if term.versions.contains(known[0]) and reported == single:
                    terms[package] = Term(True, single)
                    continue
            terms[package] = Term(True, narrow(package, term.versions))
        return _derived(node, first, second, terms)

    return _map(tree, external, derived)


def _simplify_package(package: PubGrubPackage, python: PythonTarget) -> PubGrubPackage:
    if package.marker is None:
        return package
    marker = simplify_python_markers(package.marker, python.target)
    if marker == package.marker:
        return package
    return PubGrubPackage(package.kind, package.name, package.extra, marker)


def _simplify_markers(tree: Tree, python: PythonTarget) -> Tree:
    def simplify(package: PubGrubPackage) -> PubGrubPackage:
        return _simplify_package(package, python)

    def external(node: Any) -> Tree:
        if isinstance(node, FromDependencyOf):
            return FromDependencyOf(
                simplify(node.package),
                node.versions,
                simplify(node.dependency),
                node.dependency_versions,
            )
        if isinstance(node, NotRoot):
            return node
        if isinstance(node, NoVersions):
            return NoVersions(simplify(node.package), node.versions)
        return Custom(simplify(node.package), node.versions, node.reason)

    def derived(node: Derived[PubGrubPackage], first: Tree, second: Tree) -> Tree:
        return _derived(node, first, second, {simplify(p): t for p, t in node.terms.items()})

    return _map(tree, external, derived)


def _is_member(package: PubGrubPackage, members: frozenset[str]) -> bool:
    return package.kind >= PACKAGE and package.name in members


def _collapse_no_versions_of_members(tree: Tree, members: frozenset[str]) -> Tree:
    if not members:
        return tree

    def derived(node: Derived[PubGrubPackage], first: Tree, second: Tree) -> Tree:
        if isinstance(first, NoVersions) and _is_member(first.package, members):
            return second
        if isinstance(second, NoVersions) and _is_member(second.package, members):
            return first
        return _derived(node, first, second)

    return _map(tree, _keep, derived)


def _drop_root_dependency_on_project(tree: Tree, project: str) -> Tree:
    def is_root_to_project(node: Tree) -> bool:
        return (
            isinstance(node, FromDependencyOf)
            and node.package.kind == ROOT
            and node.dependency.kind == PACKAGE
            and node.dependency.name == project
        )

    def visit(node: Tree) -> Tree:
        while isinstance(node, Derived):
            if isinstance(node.cause1, FromDependencyOf):
                dependency, other = node.cause1, node.cause2
            elif isinstance(node.cause2, FromDependencyOf):
                dependency, other = node.cause2, node.cause1
            else:
                return Derived(node.terms, node.shared_id, visit(node.cause1), visit(node.cause2))
            if not is_root_to_project(dependency):
                return node
            node = other
        return node

    return visit(tree)


def _merge_unavailable_versions(
    package: PubGrubPackage, versions: VersionRanges, reason: Any, other: Tree
) -> Tree | None:
    if not isinstance(other, Derived):
        return None

    def merge(cause: Tree) -> VersionRanges | None:
        if isinstance(cause, Custom) and cause.package == package and cause.reason == reason:
            return cause.versions.union(versions)
        return None

    merged = merge(other.cause2)
    if merged is not None:
        unchanged, merged_is_second = other.cause1, True
    else:
        merged = merge(other.cause1)
        if merged is None:
            return None
        unchanged, merged_is_second = other.cause2, False
    cause: Tree = Custom(package, merged, reason)
    first, second = (unchanged, cause) if merged_is_second else (cause, unchanged)
    terms = dict(other.terms)
    term = terms.get(package)
    if term is not None and term.positive:
        terms[package] = Term(True, merged)
    return Derived(terms, other.shared_id, first, second)


def _merge_unavailable_siblings(node: Derived[PubGrubPackage]) -> Tree | None:
    first, second = node.cause1, node.cause2
    if not isinstance(first, Custom) or not isinstance(second, Custom):
        return None
    if first.package != second.package:
        return None
    if len(node.terms) != 1:
        return None
    ((package, term),) = node.terms.items()
    if not term.positive or package != first.package:
        return None
    versions = first.versions.union(second.versions)
    if first.reason == second.reason:
        return Custom(first.package, versions, first.reason)
    if versions.subset_of(term.versions):
        return None
    return Derived(
        {package: Term(True, term.versions.union(versions))}, node.shared_id, first, second
    )


def _collapse_unavailable_versions(tree: Tree) -> Tree:
    def derived(node: Derived[PubGrubPackage], first: Tree, second: Tree) -> Tree:
        result: Tree | None = None
        if isinstance(first, Custom):
            result = _merge_unavailable_versions(
                first.package, first.versions, first.reason, second
            )
        if result is None and isinstance(second, Custom):
            result = _merge_unavailable_versions(
                second.package, second.versions, second.reason, first
            )
        if result is None:
            result = _derived(node, first, second)
        if isinstance(result, Derived):
            merged = _merge_unavailable_siblings(result)
            if merged is not None:
                return merged
        return result

    return _map(tree, _keep, derived)


def _collapse_redundant_dependency_child(
    tree: Tree, package: PubGrubPackage, versions: VersionRanges
) -> Tree:
    if not isinstance(tree, Derived):
        return tree
    for no_versions, dependency in ((tree.cause1, tree.cause2), (tree.cause2, tree.cause1)):
        if (
            isinstance(no_versions, NoVersions)
            and isinstance(dependency, FromDependencyOf)
            and no_versions.package == dependency.dependency
            and package == no_versions.package
            and versions.subset_of(dependency.dependency_versions)
        ):
            return dependency
    return tree


def _collapse_redundant_depends_on_no_versions(tree: Tree) -> Tree:
    def derived(node: Derived[PubGrubPackage], first: Tree, second: Tree) -> Tree:
        if isinstance(first, FromDependencyOf):
            second = _collapse_redundant_dependency_child(second, first.package, first.versions)
        elif isinstance(second, FromDependencyOf):
            first = _collapse_redundant_dependency_child(first, second.package, second.versions)
        return _derived(node, first, second)

    return _map(tree, _keep, derived)


def _simplify_range(
    versions: VersionRanges, package: PubGrubPackage, context: ReportContext
) -> VersionRanges:
    name = package.name if package.kind == ROOT or package.kind >= PACKAGE else None
    known = context.included_versions.get(name) if name else None
    if known is None or versions.is_full():
        return versions
    if len(known) == 1 and versions.contains(known[0]):
        return VersionRanges.singleton(known[0])
    policy = context.policy
    disallowed = policy is not None and policy.prerelease_selection(package.name) == "disallow"
    any_prerelease = any(
        bound is not None and is_prerelease(bound.version)
        for segment in versions.bounds()
        for bound in segment
    )
    kept = (v for v in known if any_prerelease or not (disallowed and is_prerelease(v)))
    return versions.simplify(kept)


def _simplify_ranges(tree: Tree, context: ReportContext) -> Tree:
    def simplify(package: PubGrubPackage, versions: VersionRanges) -> VersionRanges:
        return _simplify_range(versions, package, context)

    def external(node: Any) -> Tree:
        if isinstance(node, FromDependencyOf):
            return FromDependencyOf(
                node.package,
                simplify(node.package, node.versions),
                node.dependency,
                simplify(node.dependency, node.dependency_versions),
            )
        if isinstance(node, NoVersions):
            return NoVersions(node.package, simplify(node.package, node.versions))
        if isinstance(node, Custom):
            return Custom(node.package, simplify(node.package, node.versions), node.reason)
        return node

    def derived(node: Derived[PubGrubPackage], first: Tree, second: Tree) -> Tree:
        terms = {
            package: Term(term.positive, simplify(package, term.versions))
            for package, term in node.terms.items()
        }
        return _derived(node, first, second, terms)

    return _map(tree, external, derived)


def _concluded_package(terms: Terms) -> tuple[PubGrubPackage, VersionRanges] | None:
    if len(terms) != 1:
        return None
    ((package, term),) = terms.items()
    return (package, term.versions) if term.positive else None


def _cause_packages(cause: Tree) -> list[PubGrubPackage]:
    if isinstance(cause, Derived):
        return list(cause.terms)
    if isinstance(cause, FromDependencyOf):
        return [cause.package, cause.dependency]
    return [cause.package]


def _required_versions(package: PubGrubPackage, cause: Tree) -> VersionRanges:
    if isinstance(cause, Derived):
        term = cause.terms.get(package)
        return term.versions if term is not None and not term.positive else VersionRanges.empty()
    if isinstance(cause, FromDependencyOf) and cause.dependency == package:
        return cause.dependency_versions
    return VersionRanges.empty()


def _ruled_out_versions(package: PubGrubPackage, cause: Tree) -> VersionRanges:
    if isinstance(cause, Derived):
        concluded = _concluded_package(cause.terms)
        if concluded is not None and concluded[0] == package:
            return concluded[1]
        return VersionRanges.empty()
    if isinstance(cause, Custom) and cause.package == package:
        return cause.versions
    return VersionRanges.empty()


def _unlisted_versions(
    terms: Terms, first: Tree, second: Tree, included: Mapping[str, Sequence[Version]]
) -> tuple[PubGrubPackage, VersionRanges] | None:
    candidates: list[tuple[PubGrubPackage, VersionRanges, VersionRanges]] = []
    concluded = _concluded_package(terms)
    if concluded is not None:
        package, versions = concluded
        reported = _reported_versions(package, first).union(_reported_versions(package, second))
        candidates.append((package, versions, reported))
    for package in [*_cause_packages(first), *_cause_packages(second)]:
        if package in terms:
            continue
        required = _required_versions(package, first).union(_required_versions(package, second))
        ruled_out = _ruled_out_versions(package, first).union(_ruled_out_versions(package, second))
        candidates.append((package, required, ruled_out))
    for package, covered, reported in candidates:
        if reported.is_empty():
            continue
        unlisted = covered.intersection(reported.complement())
        if unlisted.is_empty():
            continue
        if package.kind < PACKAGE:
            continue
        listed = included.get(package.name)
        if listed is None:
            continue
        if any(unlisted.contains(version) for version in listed):
            continue
        return package, unlisted
    return None


def _starts_lower(first: VersionRanges, second: VersionRanges) -> bool:
    """Whether `first` starts below `second`; an empty set starts above every other."""
    if first.is_empty():
        return False
    if second.is_empty():
        return True
    first_low, second_low = first.bounding_lower(), second.bounding_lower()
    if first_low is None:
        return True
    if second_low is None:
        return False
    return first_low.version <= second_low.version


def _restate_available_versions(tree: Tree, included: Mapping[str, Sequence[Version]]) -> Tree:
    def derived(node: Derived[PubGrubPackage], first: Tree, second: Tree) -> Tree:
        found = _unlisted_versions(node.terms, first, second, included)
        if found is None:
            return _derived(node, first, second)
        package, unlisted = found

        def statement() -> Tree:
            return NoVersions(package, unlisted)

        def carry(cause: Tree) -> Tree:
            carried = _ruled_out_versions(package, cause).union(unlisted)
            return Derived({package: Term(True, carried)}, None, cause, statement())

        ruled_first = _ruled_out_versions(package, first)
        ruled_second = _ruled_out_versions(package, second)
        if ruled_first.is_empty() and ruled_second.is_empty():
            concluded = node.terms.get(package) or Term(True, unlisted)
            inner_terms = {
                package: Term(
                    True,
                    _reported_versions(package, first).union(_reported_versions(package, second)),
                )
            }
            inner = Derived(inner_terms, None, first, second)
            return Derived({package: concluded}, node.shared_id, inner, statement())
        if _starts_lower(ruled_first, ruled_second):
            return _derived(node, carry(first), second)
        return _derived(node, first, carry(second))

    return _map(tree, _keep, derived)


def _can_drop_no_versions(
    package: PubGrubPackage, versions: VersionRanges, other: Tree, parent_terms: Terms
) -> bool:
    term = other.terms.get(package) if isinstance(other, Derived) else parent_terms.get(package)
    if term is None or not term.positive:
        return False
    remaining = versions.complement()
    return remaining.as_singleton() is None and (
        term.versions.is_full() or term.versions == remaining
    )


def _collapse_redundant_no_versions(tree: Tree) -> Tree:
    def derived(node: Derived[PubGrubPackage], first: Tree, second: Tree) -> Tree:
        if isinstance(first, NoVersions) and _can_drop_no_versions(
            first.package, first.versions, second, node.terms
        ):
            return second
        if isinstance(second, NoVersions) and _can_drop_no_versions(
            second.package, second.versions, first, node.terms
        ):
            return first
        return _derived(node, first, second)

    return _map(tree, _keep, derived)


def _collapse_redundant_no_versions_tree(tree: Tree) -> tuple[Tree, bool]:
    changed = False

    def derived(node: Derived[PubGrubPackage], first: Tree, second: Tree) -> Tree:
        nonlocal changed
        if isinstance(first, NoVersions) and isinstance(second, NoVersions):
            term = node.terms.get(first.package)
            if (
                first.package == second.package
                and term is not None
                and term.positive
                and first.versions.subset_of(term.versions)
                and second.versions.subset_of(term.versions)
            ):
                changed = True
                return NoVersions(first.package, term.versions)
        return _derived(node, first, second)

    return _map(tree, _keep, derived), changed


# formatting ----------------------------------------------------------------------------------

DEPENDENCY, COMPATIBILITY, AVAILABLE = 0, 1, 2


def _padded(left: str, content: str, right: str) -> str:
    if not content:
        return content
    out = content
    if not content[0].isspace():
        out = left + out
    if not content[-1].isspace():
        out = out + right
    return out


def _prefix_match(lower: Bound, upper: Bound) -> str | None:
    """`==2.4.*` for the desugared `>=2.4.dev0,<2.5.dev0`."""
    low, high = lower.version, upper.version
    if not lower.inclusive or upper.inclusive:
        return None
    for version in (low, high):
        if version.pre is not None or version.post is not None or version.local is not None:
            return None
        if version.dev != 0:
            return None
    if len(low.release) != len(high.release):
        return None
    *head_low, last_low = low.release
    *head_high, last_high = high.release
    if head_low != head_high or last_low + 1 != last_high:
        return None
    release = ".".join(str(n) for n in low.release)
    if low.epoch:
        release = f"{low.epoch}!{release}"
    return f"=={release}.*"


class _Formatter:
    """uv's `PubGrubReportFormatter`."""

    def __init__(self, context: ReportContext) -> None:
        self.context = context
        self.members = context.workspace_members

    # roots and members ------------------------------------------------------------------

    def root_requires(self, package: PubGrubPackage) -> str | None:
        if package.kind != ROOT:
            return None
        if self.members:
            return "your project requires" if len(self.members) == 1 else "your workspace requires"
        return f"{package.name} depends on" if package.name else "you require"

    def root(self, package: PubGrubPackage) -> str | None:
        if package.kind != ROOT:
            return None
        if self.members:
            if len(self.members) == 1:
                return "your project's requirements"
            return "your workspace's requirements"
        return "your requirements"

    def member(self, package: PubGrubPackage) -> str | None:
        if package.kind == PACKAGE and package.name in self.members:
            if len(self.members) == 1 and package.extra is None:
                return "your project"
            return str(package)
        if package.kind == EXTRA and package.name in self.members:
            return str(package)
        return None

    def single_project_member(self, package: PubGrubPackage) -> bool:
        return (
            package.kind == PACKAGE
            and package.name in self.members
            and len(self.members) == 1
            and package.extra is None
        )

    # ranges -----------------------------------------------------------------------------

    def plural(self, package: PubGrubPackage, versions: VersionRanges, kind: int) -> bool:
        if self.member(package) is not None:
            return False
        segments = list(versions.bounds())
        if not segments:
            return False
        if kind == COMPATIBILITY and segments[0] == (None, None):
            return True
        return len(segments) > 1

    def range(self, package: PubGrubPackage, versions: VersionRanges, kind: int) -> str:
        root = self.root(package)
        if root is not None:
            return root
        member = self.member(package)
        if member is not None:
            return member
        return format_range(package, versions, kind)

    def depends_on(
        self,
        package: PubGrubPackage,
        versions: VersionRanges,
        dependency: PubGrubPackage,
        dependency_versions: VersionRanges,
        second: tuple[PubGrubPackage, VersionRanges] | None = None,
    ) -> str:
        text = _padded("", self.range(package, versions, COMPATIBILITY), " ")
        text += "depend on " if self.plural(package, versions, COMPATIBILITY) else "depends on "
        first = self.range(dependency, dependency_versions, DEPENDENCY)
        if second is None:
            return text + first
        other = self.range(second[0], second[1], DEPENDENCY)
        return text + _padded("", first, " ") + "and" + _padded(" ", other, "")

    # externals --------------------------------------------------------------------------

    def external(self, node: Any) -> str:
        if isinstance(node, NotRoot):
            return f"we are solving dependencies of {node.package} {node.version}"
        if isinstance(node, NoVersions):
            return self._no_versions(node.package, node.versions)
        if isinstance(node, Custom):
            return self._custom(node.package, node.versions, node.reason)
        return self._dependency(
            node.package, node.versions, node.dependency, node.dependency_versions
        )

    def _no_versions(self, package: PubGrubPackage, versions: VersionRanges) -> str:
        python = self.context.python
        if package.kind == PYTHON and package.name == "target":
            shown = self.range(package, versions, COMPATIBILITY)
            return (
                f"the requested Python version ({target_display(python)}) does not satisfy {shown}"
            )
        if package.kind == PYTHON:
            shown = self.range(package, versions, COMPATIBILITY)
            return f"the current Python version ({python.installed}) does not satisfy {shown}"
        if versions.is_full():
            return f"there are no versions of {package}"
        if versions.as_singleton() is not None:
            return f"there is no version of {package}{versions}"
        complement = versions.complement()
        available = (
            self.context.included_versions.get(package.name) if package.kind != ROOT else None
        )
        shown_range = (
            update_availability_range(complement, available)
            if available is not None
            else complement
        )
        if shown_range.is_empty():
            return f"there are no versions of {package}"
        if shown_range.segment_count() == 1:
            return f"only {self.range(package, shown_range, AVAILABLE)} is available"
        return f"only the following versions of {package} {self.range(package, shown_range, AVAILABLE)}"

    def _custom(self, package: PubGrubPackage, versions: VersionRanges, reason: Any) -> str:
        if isinstance(reason, VersionUnavailable) and reason.kind == "unsatisfiable-dependency":
            root = self.root_requires(package)
            if root is not None:
                return f"{root} {reason.requirement}"
        root = self.root(package)
        if root is not None:
            return f"{root} cannot be used because {reason}"
        if isinstance(reason, PackageUnavailable):
            return f"{package}{_padded(' ', reason.singular_message(), '')}"
        shown = self.range(package, versions, COMPATIBILITY)
        message = reason.message(self.plural(package, versions, COMPATIBILITY))
        context = reason.context(self.context.tags, self.context.python)
        if context is not None:
            return f"{shown}{_padded(' ', message, ' ')}{context}"
        return f"{shown}{_padded(' ', message, '')}"

    def _dependency(
        self,
        package: PubGrubPackage,
        versions: VersionRanges,
        dependency: PubGrubPackage,
        dependency_versions: VersionRanges,
    ) -> str:
        same = (
            package.kind >= PACKAGE
            and dependency.kind >= PACKAGE
            and package.name == dependency.name
        )
        if same:
            member = self.member(package)
            if member is not None:
                shown = format_range(dependency, dependency_versions, DEPENDENCY)
                return f"{member} depends on itself at an incompatible version ({shown})"
        if dependency_versions.is_empty():
            root = self.root(package)
            if root is not None:
                return f"{root} for {dependency} cannot be satisfied"
        root = self.root_requires(package)
        if root is not None:
            return f"{root} {self.range(dependency, dependency_versions, DEPENDENCY)}"
        return self.depends_on(package, versions, dependency, dependency_versions)

    def both_external(self, first: Any, second: Any) -> str:
        if (
            isinstance(first, FromDependencyOf)
            and isinstance(second, FromDependencyOf)
            and first.package == second.package
            and first.versions == second.versions
        ):
            root = self.root_requires(first.package)
            one = self.range(first.dependency, first.dependency_versions, DEPENDENCY)
            two = self.range(second.dependency, second.dependency_versions, DEPENDENCY)
            if root is not None:
                return f"{root} {_padded('', one, ' ')}and {two}"
            return self.depends_on(
                first.package,
                first.versions,
                first.dependency,
                first.dependency_versions,
                (second.dependency, second.dependency_versions),
            )
        if (
            isinstance(second, FromDependencyOf)
            and second.package.kind == ROOT
            and self.single_project_member(second.dependency)
        ):
            return self.external(first)
        if (
            isinstance(first, FromDependencyOf)
            and first.package.kind == ROOT
            and self.single_project_member(first.dependency)
        ):
            return self.external(second)
        return f"{_padded('', self.external(first), ' ')}and {self.external(second)}"

    # terms ------------------------------------------------------------------------------

    def terms(self, terms: Terms) -> str:
        items = sorted(terms.items(), key=lambda item: item[0].sort_key())
        if not items:
            return "the requirements are unsatisfiable"
        if len(items) == 1 and items[0][0].kind == ROOT:
            return f"{self.root(items[0][0])} are unsatisfiable"
        if len(items) == 1 and items[0][0].kind == PACKAGE:
            package, term = items[0]
            if term.positive:
                member = self.member(package)
                if member is not None:
                    return f"{member}'s requirements are unsatisfiable"
                return f"{self.range(package, term.versions, COMPATIBILITY)} cannot be used"
            return f"{self.range(package, term.versions, COMPATIBILITY)} must be used"
        if len(items) == 2:
            (p1, t1), (p2, t2) = items
            if t1.positive and not t2.positive:
                return self.external(FromDependencyOf(p1, t1.versions, p2, t2.versions))
            if not t1.positive and t2.positive:
                return self.external(FromDependencyOf(p2, t2.versions, p1, t1.versions))
        shown = [self._package_term(package, term) for package, term in items]
        if len(shown) == 2:
            text = f"{shown[0]} and {shown[1]}"
        else:
            text = ", ".join(shown)
        return text + (" cannot be used" if len(shown) == 1 else " are incompatible")

    def _package_term(self, package: PubGrubPackage, term: Term) -> str:
        if term.positive:
            return self.range(package, term.versions, COMPATIBILITY)
        version = term.versions.as_singleton()
        if version is not None:
            return f"{package}!={version}"
        return self.range(package, term.versions.complement(), COMPATIBILITY)

    # explanations -----------------------------------------------------------------------

    def explain_both_external(self, first: Any, second: Any, terms: Terms) -> str:
        external = self.both_external(first, second)
        return (
            f"Because {_padded('', external, ', ')}we can conclude that "
            f"{_padded('', self.terms(terms), '.')}"
        )

    def explain_both_ref(
        self,
        ref1: int,
        derived1: Derived[PubGrubPackage],
        ref2: int,
        derived2: Derived[PubGrubPackage],
        terms: Terms,
    ) -> str:
        return (
            f"Because we know from ({ref1}) that {_padded('', self.terms(derived1.terms), ' ')}"
            f"and we know from ({ref2}) that {_padded('', self.terms(derived2.terms), ', ')}"
            f"{_padded('', self.terms(terms), '.')}"
        )

    def explain_ref_and_external(
        self, ref: int, derived: Derived[PubGrubPackage], external: Any, terms: Terms
    ) -> str:
        return (
            f"Because we know from ({ref}) that {_padded('', self.terms(derived.terms), ' ')}"
            f"and {_padded('', self.external(external), ', ')}we can conclude that "
            f"{_padded('', self.terms(terms), '.')}"
        )

    def and_explain_external(self, external: Any, terms: Terms) -> str:
        return (
            f"And because {_padded('', self.external(external), ', ')}we can conclude that "
            f"{_padded('', self.terms(terms), '.')}"
        )

    def and_explain_ref(self, ref: int, derived: Derived[PubGrubPackage], terms: Terms) -> str:
        return (
            f"And because we know from ({ref}) that {_padded('', self.terms(derived.terms), ', ')}"
            f"we can conclude that {_padded('', self.terms(terms), '.')}"
        )

    def and_explain_prior_and_external(self, prior: Any, external: Any, terms: Terms) -> str:
        return (
            f"And because {_padded('', self.both_external(prior, external), ', ')}"
            f"we can conclude that {_padded('', self.terms(terms), '.')}"
        )


def target_display(python: PythonTarget) -> str:
    """`>=3.9` for `--python-version 3.9` (trailing zeros dropped, as uv's `RequiresPython`)."""
    release = list(python.target.release)
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    return ">=" + ".".join(str(n) for n in release)


def format_range(package: PubGrubPackage, versions: VersionRanges, kind: int) -> str:
    """uv's `PackageRange` display without root or workspace substitutions."""
    if versions.is_empty():
        return f"{package} ∅"
    segments = list(versions.bounds())
    parts: list[str] = []
    if len(segments) > 1:
        parts.append(("one of:", "all of:", "are available:")[kind])
    for lower, upper in segments:
        if len(segments) > 1:
            parts.append("\n    ")
        parts.append(_segment(package, lower, upper, kind))
    if len(segments) > 1:
        parts.append("\n")
    return "".join(parts)


def _segment(package: PubGrubPackage, lower: Bound | None, upper: Bound | None, kind: int) -> str:
    if lower is None and upper is None:
        return f"all versions of {package}" if kind == COMPATIBILITY else str(package)
    if lower is None:
        assert upper is not None
        return f"{package}{'<=' if upper.inclusive else '<'}{upper.version}"
    if upper is None:
        return f"{package}{'>=' if lower.inclusive else '>'}{lower.version}"
    if lower.inclusive and upper.inclusive:
        if lower.version == upper.version:
            return f"{package}=={lower.version}"
        return f"{package}>={lower.version},<={upper.version}"
    if lower.inclusive:
        prefix = _prefix_match(lower, upper)
        if prefix is not None:
            return f"{package}{prefix}"
        return f"{package}>={lower.version},<{upper.version}"
    if upper.inclusive:
        return f"{package}>{lower.version},<={upper.version}"
    return f"{package}>{lower.version},<{upper.version}"


def update_availability_range(
    versions: VersionRanges, available: Sequence[Version]
) -> VersionRanges:
    """Restate a range in terms of the available versions (uv's `update_availability_range`)."""
    if not available:
        return VersionRanges.empty()
    first, last = available[0], available[-1]
    envelope = VersionRanges.between(first, True, last, True)
    if first == last:
        return envelope
    result = VersionRanges.empty()
    for segment, lower, upper in versions.segment_sets():
        if segment.is_disjoint(envelope):
            continue
        if envelope.subset_of(segment):
            if lower is None:
                part = VersionRanges.between(None, False, last, True)
            elif upper is None:
                part = VersionRanges.between(first, True, None, False)
            else:
                part = envelope
            result = result.union(part)
            continue
        if lower is not None and lower.inclusive and lower.version not in available:
            lower = Bound(lower.version, False)
        if upper is not None and upper.inclusive and upper.version not in available:
            upper = Bound(upper.version, False)
        result = result.union(VersionRanges.from_bounds([(lower, upper)]))
    return result


# the reporter (pubgrub's DefaultStringReporter, iteratively) --------------------------------------


def write_report(tree: Tree, formatter: _Formatter) -> str:
    """Explain a (reduced) derivation tree line by line."""
    if not isinstance(tree, Derived):
        return formatter.external(tree)
    return _Reporter(formatter).build(tree)


class _Reporter:
    def __init__(self, formatter: _Formatter) -> None:
        self.formatter = formatter
        self.ref_count = 0
        self.shared_refs: dict[int, int] = {}
        self.lines: list[str] = []

    def _line_ref(self, shared_id: int | None) -> int | None:
        return None if shared_id is None else self.shared_refs.get(shared_id)

    def _add_line_ref(self) -> int:
        self.ref_count += 1
        if self.lines:
            self.lines[-1] = f"{self.lines[-1]} ({self.ref_count})"
        return self.ref_count

    def build(self, root: Derived[PubGrubPackage]) -> str:
        f = self.formatter
        tasks: list[tuple[str, Any]] = [("build", root)]
        while tasks:
            task, value = tasks.pop()
            if task == "emit":
                self.lines.append(value)
            elif task == "finish":
                if value is not None and value not in self.shared_refs:
                    self._add_line_ref()
                    self.shared_refs[value] = self.ref_count
            elif task == "after-first":
                current, first, second = value
                if first.shared_id is not None:
                    self.lines.append("")
                    tasks.append(("build", current))
                else:
                    ref = self._add_line_ref()
                    self.lines.append("")
                    tasks.append(("emit", f.and_explain_ref(ref, first, current.terms)))
                    tasks.append(("build", second))
            else:
                self._build(value, tasks)
        return "\n".join(self.lines)

    def _build(self, current: Derived[PubGrubPackage], tasks: list[tuple[str, Any]]) -> None:
        f = self.formatter
        tasks.append(("finish", current.shared_id))
        first, second = current.cause1, current.cause2
        if not isinstance(first, Derived) and not isinstance(second, Derived):
            self.lines.append(f.explain_both_external(first, second, current.terms))
            return
        if isinstance(first, Derived) != isinstance(second, Derived):
            derived, external = (first, second) if isinstance(first, Derived) else (second, first)
            assert isinstance(derived, Derived)
            ref = self._line_ref(derived.shared_id)
            if ref is not None:
                self.lines.append(f.explain_ref_and_external(ref, derived, external, current.terms))
                return
            prior_first, prior_second = derived.cause1, derived.cause2
            if isinstance(prior_first, Derived) != isinstance(prior_second, Derived):
                prior_derived, prior_external = (
                    (prior_first, prior_second)
                    if isinstance(prior_first, Derived)
                    else (prior_second, prior_first)
                )
                tasks.append(
                    (
                        "emit",
                        f.and_explain_prior_and_external(prior_external, external, current.terms),
                    )
                )
                tasks.append(("build", prior_derived))
            else:
                tasks.append(("emit", f.and_explain_external(external, current.terms)))
                tasks.append(("build", derived))
            return
        assert isinstance(first, Derived) and isinstance(second, Derived)
        ref1, ref2 = self._line_ref(first.shared_id), self._line_ref(second.shared_id)
        if ref1 is not None and ref2 is not None:
            self.lines.append(f.explain_both_ref(ref1, first, ref2, second, current.terms))
        elif ref1 is not None:
            tasks.append(("emit", f.and_explain_ref(ref1, first, current.terms)))
            tasks.append(("build", second))
        elif ref2 is not None:
            tasks.append(("emit", f.and_explain_ref(ref2, second, current.terms)))
            tasks.append(("build", first))
        else:
            tasks.append(("after-first", (current, first, second)))
            tasks.append(("build", first))


# hints ----------------------------------------------------------------------------------------


def _pretty_tag(tag: str) -> str | None:
    for prefix, label in (
        ("cp", "CPython"),
        ("pp", "PyPy"),
        ("graalpy", "GraalPy"),
        ("py", "Python"),
    ):
        if tag.startswith(prefix):
            digits = tag[len(prefix) :]
            if digits.isdigit():
                if len(digits) == 1:
                    return f"{label} {digits}"
                return f"{label} {digits[0]}.{digits[1:]}"
    return None


class _Hints:
    """uv's `generate_hints`, for the hints that a single-environment resolution can raise."""

    def __init__(self, context: ReportContext, formatter: _Formatter) -> None:
        self.context = context
        self.formatter = formatter
        self.seen: set[tuple[str, ...]] = set()
        self.hints: list[str] = []

    def _add(self, key: tuple[str, ...], text: str) -> None:
        if key not in self.seen:
            self.seen.add(key)
            self.hints.append(text)

    def collect(self, tree: Tree) -> list[str]:
        requested = _requested_ranges(tree)
        stack = [tree]
        while stack:
            node = stack.pop()
            if isinstance(node, Derived):
                stack.append(node.cause2)
                stack.append(node.cause1)
            elif isinstance(node, Custom):
                reason = node.reason
                if (
                    isinstance(reason, VersionUnavailable)
                    and reason.kind == "unsatisfiable-dependency"
                ):
                    continue
                if node.package.kind >= PACKAGE:
                    self._prerelease(node.package.name, node.versions, requested)
                    self._index(node.package.name)
                    if isinstance(reason, VersionUnavailable) and reason.incompatible is not None:
                        self._incompatible(node.package.name, node.versions, reason.incompatible)
            elif isinstance(node, NoVersions):
                if node.package.kind >= PACKAGE:
                    self._prerelease(node.package.name, node.versions, requested)
                    self._index(node.package.name)
            elif isinstance(node, FromDependencyOf):
                self._dependency(node)
        return self.hints

    def _prerelease(
        self, name: str, versions: VersionRanges, requested: Mapping[str, list[VersionRanges]]
    ) -> None:
        policy = self.context.policy
        if policy is None or policy.prerelease_selection(name) != "disallow":
            return
        override = name in policy.prerelease_packages
        argument = f"--prerelease-package {name}=allow" if override else "--prerelease=allow"
        for candidate in requested.get(name, ()):
            if _requests_prerelease(candidate):
                shown = format_range(PubGrubPackage.base(name), candidate, COMPATIBILITY)
                self._add(
                    ("prerelease-requested", name),
                    f"`{name}` was requested with a pre-release marker (e.g., {shown}), but "
                    f"pre-releases weren't enabled (try: `{argument}`)",
                )
                return
        for version in reversed(self.context.included_versions.get(name, ())):
            if is_prerelease(version) and versions.contains(version):
                self._add(
                    ("prerelease-available", name),
                    f"Pre-releases are available for `{name}` in the requested range "
                    f"(e.g., {version}), but pre-releases weren't enabled (try: `{argument}`)",
                )
                return

    def _index(self, name: str) -> None:
        unavailable = self.context.unavailable.get(name)
        if unavailable is None:
            return
        if unavailable.kind == "no-index":
            self._add(
                ("no-index",),
                "Packages were unavailable because index lookups were disabled and no "
                "additional package locations were provided (try: `--find-links <uri>`)",
            )
        elif unavailable.kind == "offline":
            self._add(
                ("offline",),
                "Packages were unavailable because the network was disabled. When the network "
                "is disabled, registry packages may only be read from the cache.",
            )

    def _incompatible(self, name: str, versions: VersionRanges, incompatible: Incompatible) -> None:
        policy = self.context.policy
        if incompatible.kind == "no-binary" and policy is not None:
            option = (
                "for all packages (i.e., with `--no-binary`)"
                if policy.no_binary is True
                else f"for `{name}` (i.e., with `--no-binary-package {name}`)"
            )
            self._add(
                ("no-binary", name),
                f"A source distribution is required for `{name}` because using pre-built wheels "
                f"is disabled {option}",
            )
        elif incompatible.kind == "no-build" and policy is not None:
            option = (
                "for all packages (i.e., with `--no-build`)"
                if policy.no_build is True
                else f"for `{name}` (i.e., with `--no-build-package {name}`)"
            )
            self._add(
                ("no-build", name),
                f"Wheels are required for `{name}` because building from source is disabled "
                f"{option}",
            )
        elif incompatible.kind == "tag":
            self._tag(name, versions, incompatible.tag)

    def _tag(self, name: str, versions: VersionRanges, tag: IncompatibleTag | None) -> None:
        policy, tags = self.context.policy, self.context.tags
        releases = self.context.releases.get(name)
        if policy is None or releases is None or tag is None:
            return
        candidate = policy.select(name, versions, releases)
        if candidate is None:
            return
        release = next(r for r in releases if r.version == candidate.version)
        wheel_tags = [t for f in release.files if f.is_wheel for t in f.wheel_tags]
        best = tags.best if tags is not None else None
        version = f"v{candidate.version}"
        if tag == IncompatibleTag.PYTHON:
            found = sorted({t.interpreter for t in wheel_tags})
            self._tags_hint(
                name,
                version,
                found,
                best.interpreter if best else None,
                "Python implementation tag",
                ("language-tags", name),
            )
        elif tag in (
            IncompatibleTag.ABI,
            IncompatibleTag.FREETHREADED_ABI,
            IncompatibleTag.ABI_PYTHON_VERSION,
        ):
            found = sorted({t.abi for t in wheel_tags if t.abi != "none"})
            self._tags_hint(
                name,
                version,
                found,
                best.abi if best else None,
                "Python ABI tag",
                ("abi-tags", name),
            )
        elif tag == IncompatibleTag.PLATFORM and tags is not None:
            compatible = {(t.interpreter, t.abi) for t in tags.tags}
            found = sorted({t.platform for t in wheel_tags if (t.interpreter, t.abi) in compatible})
            if found:
                s = "" if len(found) == 1 else "s"
                listed = ", ".join(f"`{t}`" for t in found)
                self._add(
                    ("platform-tags", name),
                    f"Wheels are available for `{name}` ({version}) on the following "
                    f"platform{s}: {listed}",
                )

    def _tags_hint(
        self,
        name: str,
        version: str,
        found: list[str],
        best: str | None,
        what: str,
        key: tuple[str, ...],
    ) -> None:
        if not found:
            return
        s = "" if len(found) == 1 else "s"
        listed = ", ".join(f"`{t}`" for t in found)
        if best is not None:
            pretty = _pretty_tag(best)
            shown = f"{pretty} (`{best}`)" if pretty else best
            self._add(
                key,
                f"You require {shown}, but we only found wheels for `{name}` ({version}) with "
                f"the following {what}{s}: {listed}",
            )
        else:
            self._add(
                key,
                f"Wheels are available for `{name}` ({version}) with the following {what}{s}: "
                f"{listed}",
            )

    def _dependency(self, node: FromDependencyOf[PubGrubPackage]) -> None:
        package, dependency = node.package, node.dependency
        members = self.context.workspace_members
        if package.kind >= PACKAGE and dependency.kind >= PACKAGE:
            workspace = bool(members) and len(members) != 1
            if dependency.name in members and package.name not in members:
                your = "one of your workspace members" if workspace else "your project"
                the = "the workspace member" if workspace else "the project"
                self._add(
                    ("depends-on-workspace", package.name, dependency.name),
                    f"The package `{package.name}` depends on the package `{dependency.name}` but "
                    f"the name is shadowed by {your}. Consider changing the name of {the}.",
                )
            if (
                package.name == dependency.name
                and package.name in members
                and (dependency.extra is None or dependency.extra == package.extra)
            ):
                project = "workspace member" if workspace else "project"
                self._add(
                    ("depends-on-itself", package.name),
                    f"The {project} `{package.name}` depends on itself at an incompatible "
                    f"version. This is likely a mistake. If you intended to depend on a "
                    f"third-party package named `{package.name}`, consider renaming the "
                    f"{project} `{package.name}` to avoid creating a conflict.",
                )
        if dependency.kind == PYTHON and dependency.name == "target" and package.kind >= PACKAGE:
            self._requires_python(package, node.versions, node.dependency_versions)

    def _requires_python(
        self, package: PubGrubPackage, versions: VersionRanges, requires: VersionRanges
    ) -> None:
        python = self.context.python
        base = PubGrubPackage.base(package.name)
        shown = format_range(base, versions, COMPATIBILITY)
        supports = "support" if self.formatter.plural(base, versions, COMPATIBILITY) else "supports"
        requires_text = format_range(PubGrubPackage.python(False), requires, DEPENDENCY)
        requires_text = requires_text.removeprefix("Python")
        target = target_display(python)
        key = ("requires-python", python.source, target)
        if python.source == "requires-python":
            self._add(
                key,
                f"The `requires-python` value ({target}) includes Python versions that are not "
                f"supported by your dependencies (e.g., {shown} only {supports} {requires_text}). "
                f"Consider using a more restrictive `requires-python` value (like "
                f"{requires_text}).",
            )
        elif python.source == "python-version":
            self._add(
                key,
                f"The `--python-version` value ({target}) includes Python versions that are not "
                f"supported by your dependencies (e.g., {shown} only {supports} {requires_text}). "
                f"Consider using a higher `--python-version` value.",
            )
        else:
            self._add(
                key,
                f"The Python interpreter uses a Python version that is not supported by your "
                f"dependencies (e.g., {shown} only {supports} {requires_text}). Consider passing "
                f"a `--python-version` value to raise the minimum supported version.",
            )


def _requested_ranges(tree: Tree) -> dict[str, list[VersionRanges]]:
    requested: dict[str, list[VersionRanges]] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Derived):
            stack.extend((node.cause1, node.cause2))
        elif isinstance(node, FromDependencyOf) and node.dependency.kind >= PACKAGE:
            requested.setdefault(node.dependency.name, []).append(node.dependency_versions)
    return requested


def _requests_prerelease(versions: VersionRanges) -> bool:
    for lower, upper in versions.bounds():
        if lower is not None and upper is not None and _prefix_match(lower, upper) is not None:
            continue
        if lower is not None and is_prerelease(lower.version):
            return True
        if upper is not None and is_prerelease(upper.version):
            version = upper.version
            compatible_release_bound = (
                not upper.inclusive
                and version.dev == 0
                and version.pre is None
                and version.post is None
                and version.local is None
            )
            if upper.inclusive or not compatible_release_bound:
                return True
    return False
