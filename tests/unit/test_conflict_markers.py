"""Declared conflicts: uv's encoded markers and their simplification, the fork split per
conflict set, universal resolutions with conflicting extras, `resolution-markers` as uv
canonicalizes them, and reading `[tool.uv] conflicts` from a workspace.

The expected marker texts are those uv 0.13.9 writes for the same graphs (see
`tests/e2e/test_lock_features.py`, which compares whole locks with the real uv).
"""

from __future__ import annotations

import platform
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from puv.core.errors import PuvError
from puv.core.markers import Marker
from puv.lock.from_resolution import canonical_fork_markers
from puv.operations.lock_conflicts import conflict_tables, workspace_conflicts
from puv.operations.project_provider import GroupExtras
from puv.project.toml_read import TomlParseError
from puv.project.workspace import discover_workspace
from puv.resolver.candidates import PythonTarget
from puv.resolver.conflicts import (
    ConflictItem,
    Conflicts,
    encoded_name,
    evaluate_only_extras,
    imbibe,
    simplify_conflict_markers,
)
from puv.resolver.forks import DependencyFork, PythonRange, split_dependencies
from puv.resolver.requirements import EXTRA, PACKAGE, PubGrubPackage
from puv.resolver.resolve import ResolverOptions
from puv.resolver.universal import UniversalOptions, resolve_universal
from puv.resolver.version_set import VersionRanges
from tests.unit.test_resolver_report import provider_for

ONE = ConflictItem("pkg", "extra", "one", "one")
TWO = ConflictItem("pkg", "extra", "two", "two")
PAIR = Conflicts(((ONE, TWO),))


def m(text: str) -> Marker:
    return Marker.parse(text)


def test_items_are_encoded_as_uv_encodes_them() -> None:
    assert encoded_name("extra", "pkg", "one") == "extra-3-pkg-one"
    assert ConflictItem("my-lib", "group", "dev", "group-dev").encoded == "group-6-my-lib-dev"
    assert str(ONE.marker) == "extra == 'extra-3-pkg-one'"
    assert ConflictItem("pkg", "group", "dev", "group-dev").display == "pkg[group:dev]"
    assert str(PAIR.world()) == "extra != 'extra-3-pkg-one' or extra != 'extra-3-pkg-two'"


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        # An edge taken in the forks `one` and none of the two: uv's residue stays.
        (
            "extra != 'extra-3-pkg-one'",
            "extra != 'extra-3-pkg-one' or extra == 'extra-3-pkg-two'",
        ),
        ("extra == 'extra-3-pkg-one' and extra != 'extra-3-pkg-two'", "extra == 'extra-3-pkg-one'"),
        # An edge taken in every fork: only its environments remain.
        (
            "sys_platform == 'linux' and (extra != 'extra-3-pkg-one' or extra != 'extra-3-pkg-two')",
            "sys_platform == 'linux'",
        ),
        (
            "sys_platform == 'linux' and extra != 'extra-3-pkg-one'",
            "(sys_platform == 'linux' and extra != 'extra-3-pkg-one') "
            "or (extra == 'extra-3-pkg-one' and extra == 'extra-3-pkg-two')",
        ),
    ],
)
def test_imbibe_writes_what_uv_writes(marker: str, expected: str) -> None:
    assert str(imbibe(m(marker), PAIR.world())) == expected


def test_imbibe_without_conflicts_keeps_the_marker() -> None:
    marker = m("sys_platform == 'linux'")
    assert imbibe(marker, Marker.TRUE) is marker


def test_evaluate_only_extras() -> None:
    marker = m("extra == 'extra-3-pkg-one' or sys_platform == 'linux'")
    assert evaluate_only_extras(marker, ["extra-3-pkg-one"])
    assert not evaluate_only_extras(marker, [])
    assert not evaluate_only_extras(
        m("extra == 'extra-3-pkg-one' and os_name == 'nt'"), ["extra-3-pkg-one"]
    )


def test_edges_below_an_extra_lose_its_conflict_markers() -> None:
    """Below `pkg[one]`, `one` is on and `two` off; two edges to one name keep theirs."""
    root_one, one_sc = (None, ("pkg", "one")), (("pkg", "one"), ("sc", None))
    gamma_sc1, gamma_sc2 = (("gamma", None), ("sc", "1")), (("gamma", None), ("sc", "2"))
    edges = {
        root_one: m("extra == 'extra-3-pkg-one'"),
        one_sc: m("extra == 'extra-3-pkg-one'"),
        (None, ("gamma", None)): Marker.TRUE,
        gamma_sc1: m("extra == 'extra-3-pkg-one'"),
        gamma_sc2: m("extra != 'extra-3-pkg-one'"),
    }
    simplified = simplify_conflict_markers(
        PAIR,
        edges,
        lambda node: PAIR.item(node[0], node[1]) if node[0] == "pkg" else None,
        lambda node: node[0],
    )
    assert simplified[one_sc].is_true()
    assert simplified[root_one] == edges[root_one]
    assert simplified[gamma_sc1] == edges[gamma_sc1]
    assert simplified[gamma_sc2] == edges[gamma_sc2]


def _dependency(
    kind: int, name: str, extra: str | None = None
) -> tuple[PubGrubPackage, VersionRanges]:
    return PubGrubPackage(kind, name, extra), VersionRanges.full()


def test_a_conflict_set_splits_a_fork_in_three() -> None:
    dependencies = [
        _dependency(PACKAGE, "pkg"),
        _dependency(EXTRA, "pkg", "one"),
        _dependency(EXTRA, "pkg", "two"),
    ]
    forks = split_dependencies(
        dependencies, Marker.TRUE, PythonRange.from_specifiers(">=3.10"), PAIR
    )
    assert [(fork.include, fork.exclude) for fork in forks] == [
        (frozenset(), frozenset({ONE, TWO})),
        (frozenset({ONE}), frozenset({TWO})),
        (frozenset({TWO}), frozenset({ONE})),
    ]
    assert [[dep[0].extra for dep in fork.dependencies] for fork in forks] == [
        [None],
        [None, "one"],
        [None, "two"],
    ]


def test_a_fork_that_already_excludes_an_item_only_filters() -> None:
    """uv's shortcut: with fewer than two items left, the fork drops the excluded ones."""
    dependencies = [_dependency(EXTRA, "pkg", "one"), _dependency(EXTRA, "pkg", "two")]
    parent = DependencyFork(Marker.TRUE, exclude=frozenset({ONE}))
    forks = split_dependencies(dependencies, Marker.TRUE, PythonRange(), PAIR, parent)
    assert len(forks) == 1
    assert [dep[0].extra for dep in forks[0].dependencies] == ["two"]


UNIVERSE = {
    "pkg": {
        "0.1.0": {
            "requires": ["alpha"],
            "extras": {"one": ["sortedcontainers==1.0"], "two": ["sortedcontainers==2.0"]},
        }
    },
    "alpha": {"1.0": {}},
    "sortedcontainers": {"1.0": {}, "2.0": {}, "3.0": {}},
}


def test_conflicting_extras_resolve_in_forks() -> None:
    python = PythonTarget(Version("3.10"), Version(platform.python_version()))
    options = UniversalOptions(
        requires_python=">=3.10",
        resolver=ResolverOptions(python=python),
        conflicts=PAIR,
    )
    resolution = resolve_universal([Requirement("pkg[one,two]")], provider_for(UNIVERSE), options)
    assert [str(marker) for marker in resolution.fork_markers] == [
        "extra != 'extra-3-pkg-one' and extra == 'extra-3-pkg-two'",
        "extra == 'extra-3-pkg-one' and extra != 'extra-3-pkg-two'",
        "extra != 'extra-3-pkg-one' and extra != 'extra-3-pkg-two'",
    ]
    assert resolution.pins()["sortedcontainers"] == [Version("1.0"), Version("2.0")]
    markers = {
        (edge.source_extra, str(edge.target_version)): edge.marker
        for edge in resolution.edges
        if edge.source == "pkg" and edge.target == "sortedcontainers"
    }
    assert markers == {("one", "1.0"): Marker.TRUE, ("two", "2.0"): Marker.TRUE}
    # Without the declaration, the same requirements cannot be resolved.
    with pytest.raises(PuvError):
        resolve_universal(
            [Requirement("pkg[one,two]")],
            provider_for(UNIVERSE),
            UniversalOptions(requires_python=">=3.10", resolver=ResolverOptions(python=python)),
        )


def test_resolution_markers_are_written_as_uv_canonicalizes_them() -> None:
    one, two = m("extra == 'extra-3-pkg-one'"), m("extra == 'extra-3-pkg-two'")
    windows = m("sys_platform == 'win32'")
    # Forks that differ only by conflicts: their environments alone, deduplicated.
    assert canonical_fork_markers([one & ~two, ~one & two, ~one & ~two], ">=3.10") == ()
    assert canonical_fork_markers([windows & one, ~windows & one, windows & ~one], ">=3.10") == (
        "sys_platform == 'win32'",
        "sys_platform != 'win32'",
    )
    # Overlapping environments: the complete markers.
    assert canonical_fork_markers([windows & one, ~one], ">=3.10") == (
        "sys_platform == 'win32' and extra == 'extra-3-pkg-one'",
        "extra != 'extra-3-pkg-one'",
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_workspace_conflicts_with_transitive_group_includes(tmp_path: Path) -> None:
    _write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "root"\nversion = "1"\n'
        '[dependency-groups]\nold = []\nnew = []\ndev = [{ include-group = "old" }]\n'
        'test = [{ include-group = "dev" }]\n'
        '[tool.uv]\nconflicts = [[{ group = "old" }, { group = "new" }]]\n'
        '[tool.uv.workspace]\nmembers = ["lib"]\n',
    )
    _write(
        tmp_path / "lib" / "pyproject.toml",
        '[project]\nname = "lib"\nversion = "1"\n'
        "[project.optional-dependencies]\nb = []\na = []\n"
        '[tool.uv]\nconflicts = [[{ extra = "b" }, { extra = "a" }, { package = "root", group = "new" }]]\n',
    )
    workspace = discover_workspace(tmp_path)
    groups = {name: GroupExtras("group-") for name in workspace.members}
    conflicts = workspace_conflicts(workspace, groups)
    tables = [
        [tuple(value for _key, value in table.items) for table in tables]
        for tables in conflict_tables(conflicts)
    ]
    assert tables == [
        [("lib", "a"), ("lib", "b"), ("root", "new")],
        [("root", "new"), ("root", "old")],
        [("root", "dev"), ("root", "new")],
        [("root", "new"), ("root", "test")],
    ]
    assert conflicts.sets[1][1].extra == "group-old"


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ('[[{ extra = "a" }]]', "found only one"),
        ("[[]]", "found none"),
        ('[[{ extra = "a", group = "g" }, { extra = "b" }]]', "but found both"),
        ('[[{ extra = "a", other = 1 }, { extra = "b" }]]', "unknown field `other`"),
        ('[[{ }, { extra = "b" }]]', "Expected `package`, `extra` or `group` field"),
    ],
)
def test_malformed_conflicts_fail_as_uv(tmp_path: Path, declared: str, message: str) -> None:
    _write(
        tmp_path / "pyproject.toml",
        f'[project]\nname = "p"\nversion = "1"\n[tool.uv]\nconflicts = {declared}\n',
    )
    workspace = discover_workspace(tmp_path)
    with pytest.raises(TomlParseError) as caught:
        workspace_conflicts(workspace, {})
    assert message in str(caught.value.block)


def test_package_level_conflicts_are_refused(tmp_path: Path) -> None:
    _write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "p"\nversion = "1"\n'
        '[tool.uv]\nconflicts = [[{ package = "p" }, { extra = "b" }]]\n',
    )
    with pytest.raises(PuvError, match="not supported"):
        workspace_conflicts(discover_workspace(tmp_path), {})
