"""The PubGrub core and its version sets: the classic examples of pub's solver documentation,
the set algebra with uv's PEP 440 semantics, and the bookkeeping that makes reports match uv."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from puv.resolver.provider import (
    DistFile,
    InMemoryProvider,
    InMemoryRelease,
    MetadataUnavailable,
    MissingPackage,
    PackageVersion,
)
from puv.resolver.pubgrub import NoSolution, NotRoot, State, Term
from puv.resolver.report import NoSolutionError
from puv.resolver.requirements import PubGrubPackage
from puv.resolver.resolve import Edge, resolve
from puv.resolver.version_set import VersionRanges, ranges_from_specifiers
from tests.unit.test_resolver_report import (
    BRANCHING,
    BRANCHING_REPORT,
    BRANCHING_ROOT,
    LINEAR,
    LINEAR_REPORT,
    LINEAR_ROOT,
    Universe,
    caret,
    explain,
    options,
    provider_for,
)


def ranges(text: str) -> VersionRanges:
    return ranges_from_specifiers(SpecifierSet(text))


def solve(universe: Universe, root: list[str]) -> dict[str, str]:
    resolution = resolve([Requirement(r) for r in root], provider_for(universe), options())
    return {package.name: str(package.version) for package in resolution.packages}


# the examples of pub's solver.md ----------------------------------------------------------


def test_no_conflicts() -> None:
    universe: Universe = {
        "foo": {"1.0.0": {"requires": ["bar" + caret("1.0.0")]}},
        "bar": {"1.0.0": {}, "2.0.0": {}},
    }
    assert solve(universe, ["foo" + caret("1.0.0")]) == {"foo": "1.0.0", "bar": "1.0.0"}


def test_avoiding_conflict_during_decision_making() -> None:
    universe: Universe = {
        "foo": {"1.0.0": {}, "1.1.0": {"requires": ["bar" + caret("2.0.0")]}},
        "bar": {"1.0.0": {}, "1.1.0": {}, "2.0.0": {}},
    }
    root = ["foo" + caret("1.0.0"), "bar" + caret("1.0.0")]
    assert solve(universe, root) == {"foo": "1.0.0", "bar": "1.1.0"}


def test_performing_conflict_resolution() -> None:
    universe: Universe = {
        "foo": {"1.0.0": {}, "2.0.0": {"requires": ["bar" + caret("1.0.0")]}},
        "bar": {"1.0.0": {"requires": ["foo" + caret("1.0.0")]}},
    }
    assert solve(universe, ["foo>=1.0.0"]) == {"foo": "1.0.0"}


def test_conflict_resolution_with_a_partial_satisfier() -> None:
    universe: Universe = {
        "foo": {
            "1.0.0": {},
            "1.1.0": {"requires": ["left" + caret("1.0.0"), "right" + caret("1.0.0")]},
        },
        "left": {"1.0.0": {"requires": ["shared>=1.0.0"]}},
        "right": {"1.0.0": {"requires": ["shared<2.0.0"]}},
        "shared": {"1.0.0": {"requires": ["target" + caret("1.0.0")]}, "2.0.0": {}},
        "target": {"1.0.0": {}, "2.0.0": {}},
    }
    root = ["foo" + caret("1.0.0"), "target" + caret("2.0.0")]
    assert solve(universe, root) == {"foo": "1.0.0", "target": "2.0.0"}


def test_linear_error_reporting() -> None:
    assert explain(LINEAR, LINEAR_ROOT).report == LINEAR_REPORT


def test_branching_error_reporting() -> None:
    assert explain(BRANCHING, BRANCHING_ROOT).report == BRANCHING_REPORT


def test_backtracking_through_many_versions_is_learned_in_ranges() -> None:
    # Every version of `a` conflicts with the root's pin of `b`: PubGrub learns it for runs of
    # (widened) versions at once, and the report speaks of all versions of `a`.
    universe: Universe = {
        "a": {f"1.{minor}": {"requires": [f"b=={minor % 3}"]} for minor in range(60)},
        "b": {"0": {}, "1": {}, "2": {}, "9": {}},
    }
    error = explain(universe, ["a", "b==9"])
    assert error.report.endswith("we can conclude that your requirements are unsatisfiable.")
    assert "you require a and b==9" in error.report


# the core on its own ------------------------------------------------------------------------


def test_state_merges_dependencies_of_adjacent_versions() -> None:
    state: State[str] = State("root", Version("0"))
    a, b = state.intern("a"), state.intern("b")
    needs_b = ranges(">=1")
    state.add_dependency(a, VersionRanges.singleton(Version("1")), b, needs_b)
    state.add_dependency(a, VersionRanges.singleton(Version("2")), b, needs_b)
    live = [state.store[i] for i in state.by_package[b]]
    assert len(live) == 1
    merged = live[0].terms[a]
    assert merged.positive and merged.versions.contains(Version("1"))
    assert merged.versions.contains(Version("2"))


def test_unit_propagation_derives_and_conflicts_reach_the_root() -> None:
    state: State[str] = State("root", Version("0"))
    a = state.intern("a")
    state.partial.add_derivation(state.root, 0, state.store)
    state.add_version_dependencies(
        state.root, Version("0"), VersionRanges.singleton(Version("0")), [("a", ranges(">=2"))]
    )
    state.unit_propagation(state.root)
    term = state.partial.term_for(a)
    assert term is not None and term.positive and term.versions == ranges(">=2")
    state.add_no_versions(a, ranges(">=2"))
    with pytest.raises(NoSolution) as caught:
        state.unit_propagation(a)
    assert not isinstance(caught.value.tree, NotRoot)


def test_backtracking_invalidates_cached_contradictions() -> None:
    state: State[str] = State("root", Version("0"))
    partial = state.partial
    incompat = state.store[0]
    partial.add_derivation(state.root, 0, state.store)
    partial.add_decision(state.root, Version("0"))
    partial.mark_contradicted(incompat)
    assert partial.is_contradicted(incompat)
    partial.backtrack(0)
    assert not partial.is_contradicted(incompat)


def test_terms() -> None:
    low, high = Term(True, ranges("<2")), Term(True, ranges(">=1"))
    assert low.intersection(high) == Term(True, ranges(">=1,<2"))
    # `not <2` still admits the pre-releases of 2, which `>=2` does not.
    assert Term(False, ranges("<2")).intersection(high) == Term(True, ranges("<2").complement())
    assert Term(False, ranges("<2")).intersection(high).contains(Version("2.0a1"))
    assert Term(False, ranges("<1")).union(Term(False, ranges(">3"))) == Term(
        False, VersionRanges.empty()
    )
    assert Term(False, VersionRanges.empty()).is_any()
    assert low.is_disjoint(Term(True, ranges(">=2")))
    assert not Term(False, ranges("<1")).is_disjoint(Term(False, ranges(">3")))


# version sets with uv's PEP 440 semantics ----------------------------------------------------


@pytest.mark.parametrize(
    ("specifiers", "inside", "outside"),
    [
        ("<2.0", ["1.9", "2.0.dev0.post0" if False else "1.99"], ["2.0a1", "2.0.dev0", "2.0"]),
        ("<2.0a2", ["2.0a1", "2.0.dev0"], ["2.0a2"]),
        ("==1.0", ["1.0", "1.0+cpu", "1.0.0+cu118"], ["1.0.post0", "1.0a1"]),
        ("==1.0+cpu", ["1.0+cpu"], ["1.0", "1.0+cu118"]),
        (">1.0", ["1.0.1", "1.1a1"], ["1.0", "1.0.post1", "1.0+local"]),
        (">1.0.post1", ["1.0.post2"], ["1.0.post1", "1.0.post1+local"]),
        ("<=1.0", ["1.0", "1.0+local", "0.9"], ["1.0.post0", "1.0.1"]),
        ("!=1.0", ["0.9", "1.0.post0"], ["1.0", "1.0+local"]),
        ("~=1.4.5", ["1.4.5", "1.4.9"], ["1.5.dev0", "1.5", "1.4.4"]),
        ("==2.4.*", ["2.4", "2.4.1", "2.4.dev0"], ["2.5.dev0", "2.3.99"]),
        (">=1.0,<2.0", ["1.0", "1.5"], ["2.0", "0.9"]),
    ],
)
def test_specifier_semantics(specifiers: str, inside: list[str], outside: list[str]) -> None:
    versions = ranges(specifiers)
    for text in inside:
        assert versions.contains(Version(text)), text
    for text in outside:
        assert not versions.contains(Version(text)), text


def test_sets_that_contain_the_same_versions_are_equal() -> None:
    assert ranges("<2.0") == ranges("<2.0.dev0")
    assert ranges("<1.0").union(ranges(">=1.0.dev0")).is_full()
    assert not ranges("<1.0").union(ranges(">=1.0")).contains(Version("1.0a1"))
    # PEP 440: neither `<=1.0` nor `>1.0` admits the post-releases of 1.0.
    assert not ranges("<=1.0").union(ranges(">1.0")).contains(Version("1.0.post1"))
    assert ranges("==1.0").complement() == ranges("!=1.0")


def test_bounds_print_as_uv_writes_them() -> None:
    assert str(ranges("<2.0")) == "<2.0"
    assert str(ranges(">1.0")) == ">1.0"
    assert str(ranges("<=1.0")) == "<=1.0"
    assert str(ranges("==1.0").without_local_sentinels()) == "==1.0"
    assert str(ranges("!=1.0").without_local_sentinels()) == "<1.0 | >1.0"
    assert str(ranges("~=1.4")) == ">=1.4, <2.dev0"


def test_widen_narrow_and_simplify() -> None:
    known = [Version("1.0"), Version("2.0"), Version("3.0")]
    assert str(VersionRanges.singleton(Version("2.0")).widen(known)) == ">1.0, <3.0"
    assert str(VersionRanges.singleton(Version("1.0")).widen(known)) == "<2.0"
    assert str(VersionRanges.singleton(Version("3.0")).widen(known)) == ">2.0"
    assert str(ranges(">1.0,<3.0").narrow(known)) == "==2.0"
    assert str(ranges("<2.0").narrow(known)) == "<=1.0"
    assert str(ranges("<0.5").narrow(known)) == "<0.5"
    versions = ranges(">=1.5").union(ranges("<0.5"))
    assert str(versions.simplify(known)) == ">=1.5"
    assert ranges("==1.0").is_singleton_constraint()
    assert not ranges(">=1.0").is_singleton_constraint()


VERSIONS = [
    Version(v)
    for v in (
        "0.9",
        "1.0.dev0",
        "1.0a1",
        "1.0",
        "1.0+cpu",
        "1.0.post1",
        "1.1",
        "1.5",
        "2.0a1",
        "2.0",
        "2.0.post1",
        "2.1",
        "3.0",
    )
]
SPECIFIERS = st.sampled_from(
    [
        "",
        "<1.0",
        "<=1.0",
        ">1.0",
        ">=1.0",
        "==1.0",
        "!=1.0",
        "==1.*",
        "~=1.0",
        ">=1.0,<2.0",
        "<2.0a1",
        ">1.0.post1",
        "==2.0a1",
        "!=2.0,>1.0",
        "===1.0",
    ]
)


@settings(max_examples=200, deadline=None)
@given(SPECIFIERS, SPECIFIERS, st.sampled_from(VERSIONS))
def test_set_algebra_agrees_with_membership(left: str, right: str, version: Version) -> None:
    a, b = ranges(left), ranges(right)
    assert a.union(b).contains(version) == (a.contains(version) or b.contains(version))
    assert a.intersection(b).contains(version) == (a.contains(version) and b.contains(version))
    assert a.complement().contains(version) != a.contains(version)
    assert a.intersection(b).subset_of(a)
    assert a.union(a.complement()).is_full()


def test_packages_sort_like_uv() -> None:
    root = PubGrubPackage.root()
    python = PubGrubPackage.python(installed=False)
    base = PubGrubPackage.base("a")
    extra = PubGrubPackage(4, "a", "x")
    ordered = sorted([extra, base, python, root], key=PubGrubPackage.sort_key)
    assert ordered == [root, python, base, extra]
    assert str(extra) == "a[x]" and str(root) == "root" and str(python) == "Python"


def test_random_universes_resolve_consistently() -> None:
    # Whatever is chosen must satisfy every requirement of every chosen version.
    rng = random.Random(7)
    for _ in range(30):
        universe: dict[str, dict[str, dict[str, list[str]]]] = {}
        names = ["a", "b", "c", "d"]
        for name in names:
            universe[name] = {}
            for minor in range(rng.randint(1, 4)):
                requires = [
                    f"{other}>={rng.randint(0, 2)}.0"
                    for other in names
                    if other > name and rng.random() < 0.4
                ]
                universe[name][f"{rng.randint(0, 2)}.{minor}"] = {"requires": requires}
        try:
            pins = solve(universe, ["a"])
        except NoSolutionError as error:  # unsatisfiable is a valid outcome
            assert "No solution" in str(error)
            continue
        for name, version in pins.items():
            for requirement in universe[name][version]["requires"]:
                parsed = Requirement(requirement)
                assert parsed.name in pins
                assert parsed.specifier.contains(pins[parsed.name], prereleases=True)


# the driver: what `resolve` returns and how it uses the provider --------------------------------


def test_resolution_records_edges_for_via_annotations() -> None:
    universe: Universe = {
        "a": {"1.0": {"requires": ["b"], "extras": {"x": ["c"]}}},
        "b": {"1.0": {"requires": ["c>=1"]}},
        "c": {"1.0": {}},
    }
    resolution = resolve([Requirement("a[x]")], provider_for(universe), options())
    assert resolution.pins() == {"a": Version("1.0"), "b": Version("1.0"), "c": Version("1.0")}
    assert resolution.dependents("a") == [None]
    assert resolution.dependents("b") == ["a"]
    assert resolution.dependents("c") == ["a", "b"]
    assert Edge("a", "x", "c", None) in resolution.edges
    assert all(package.file is not None for package in resolution.packages)


def test_markers_are_evaluated_in_the_target_environment() -> None:
    universe: Universe = {
        "a": {"1.0": {"requires": ["b ; sys_platform == 'win32'", "c ; python_version >= '3.8'"]}},
        "b": {"1.0": {}},
        "c": {"1.0": {}},
    }
    assert solve(universe, ["a"]) == {"a": "1.0", "c": "1.0"}


def test_overrides_replace_and_excludes_drop_requirements() -> None:
    universe: Universe = {
        "a": {"1.0": {"requires": ["b>=2", "c"]}},
        "b": {"1.0": {}, "2.0": {}},
        "c": {"1.0": {}},
    }
    resolution = resolve(
        [Requirement("a")],
        provider_for(universe),
        options(overrides=(Requirement("b<2"),), excludes=frozenset({"c"})),
    )
    assert {p.name: str(p.version) for p in resolution.packages} == {"a": "1.0", "b": "1.0"}


def test_prefetch_is_told_about_packages_before_they_are_needed() -> None:
    universe: Universe = {
        "a": {"1.0": {"requires": ["b", "c"]}},
        "b": {"1.0": {}},
        "c": {"1.0": {}},
    }
    provider = provider_for(universe)
    resolve([Requirement("a")], provider, options())
    assert provider.prefetched[0] == "a"
    assert sorted(provider.prefetched) == ["a", "b", "c"]


def test_missing_packages_and_unreadable_metadata_are_explained() -> None:
    class Offline(InMemoryProvider):
        def versions(self, name: str) -> Sequence[PackageVersion] | MissingPackage:
            return MissingPackage("no-index") if name == "b" else super().versions(name)

    provider = Offline()
    provider.add("a", "1.0", ["b"])
    with pytest.raises(NoSolutionError) as caught:
        resolve([Requirement("a")], provider, options())
    assert caught.value.report.startswith(
        "Because b was not found in the provided package locations and all versions of a "
        "depend on b"
    )
    assert caught.value.hints == (
        "Packages were unavailable because index lookups were disabled and no additional "
        "package locations were provided (try: `--find-links <uri>`)",
    )
    broken = InMemoryProvider()
    broken.add_release(
        "a", InMemoryRelease(Version("1.0"), MetadataUnavailable(), (DistFile("a-1.0.tar.gz"),))
    )
    with pytest.raises(NoSolutionError) as caught:
        resolve([Requirement("a")], broken, options())
    assert "a==1.0 has invalid metadata" in caught.value.report
