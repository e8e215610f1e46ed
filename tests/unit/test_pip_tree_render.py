"""`puv.operations.pip_tree`: the drawing of an installed environment's tree, without an
environment (the e2e tests compare whole outputs with the real `uv pip tree`)."""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from puv.operations.pip_tree import (
    InstalledNode,
    TreeOptions,
    aggregate_specifiers,
    feedback_arc_set,
    render_tree,
)

LINUX = {
    "python_version": "3.12",
    "python_full_version": "3.12.1",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}


def _node(name: str, version: str, *requires: str) -> InstalledNode:
    return InstalledNode(name, Version(version), tuple(Requirement(text) for text in requires))


NODES = [
    _node("alpha", "2.0", "beta>=2", "gamma", "win-only ; sys_platform == 'win32'"),
    _node("beta", "2.0"),
    _node("delta", "1.0", "beta", "gamma[fast]"),
    _node("gamma", "1.0", "beta<3", "epsilon ; extra == 'fast'"),
    _node("epsilon", "1.0"),
    _node("win-only", "1.0"),
]


def test_roots_children_and_dedupe_marks() -> None:
    assert render_tree(NODES, LINUX, TreeOptions()) == [
        "alpha v2.0",
        "├── beta v2.0",
        "└── gamma v1.0",
        "    └── beta v2.0",
        "delta v1.0",
        "├── beta v2.0",
        "└── gamma v1.0 (*)",
        "epsilon v1.0",
        "win-only v1.0",
        "(*) Package tree already displayed",
    ]


def test_specifiers_depth_and_no_dedupe() -> None:
    options = TreeOptions(depth=1, no_dedupe=True, show_version_specifiers=True)
    assert render_tree(NODES, LINUX, options)[:6] == [
        "alpha v2.0",
        "├── beta v2.0 [required: >=2]",
        "└── gamma v1.0 [required: *]",
        "delta v1.0",
        "├── beta v2.0 [required: *]",
        "└── gamma v1.0 [required: *]",
    ]


def test_inverted_tree_of_one_package_names_the_requirer() -> None:
    options = TreeOptions(invert=True, packages=frozenset({"beta"}), show_version_specifiers=True)
    assert render_tree(NODES, LINUX, options) == [
        "beta v2.0",
        "├── alpha v2.0 [requires: beta >=2]",
        "├── delta v1.0 [requires: beta *]",
        "└── gamma v1.0 [requires: beta <3]",
        "    ├── alpha v2.0 [requires: gamma *]",
        "    └── delta v1.0 [requires: gamma *]",
    ]


def test_prune_and_latest_versions() -> None:
    options = TreeOptions(prune=frozenset({"gamma"}), latest={"beta": Version("3.1")})
    assert render_tree(NODES, LINUX, options) == [
        "alpha v2.0",
        "└── beta v2.0 (latest: v3.1)",
        "delta v1.0",
        "└── beta v2.0",
        "epsilon v1.0",
        "win-only v1.0",
    ]


def test_a_cycle_gets_a_root_and_its_own_legend() -> None:
    nodes = [_node("cyc-a", "1.0", "cyc-b"), _node("cyc-b", "1.0", "cyc-a")]
    lines = render_tree(nodes, LINUX, TreeOptions(no_dedupe=True))
    assert len(lines) == 4
    assert lines[1].startswith("└── cyc-") and lines[2].endswith(" v1.0 (*)")
    assert lines[-1] == "(*) Package tree is a cycle and cannot be shown"


def test_requirement_not_satisfied_by_the_installed_version_draws_no_edge() -> None:
    nodes = [_node("app", "1.0", "lib>=2"), _node("lib", "1.5")]
    assert render_tree(nodes, LINUX, TreeOptions()) == ["app v1.0", "lib v1.5"]


@pytest.mark.parametrize(
    ("requirements", "shown"),
    [
        ([">=0.3.6", ">=0.3.7"], ">=0.3.7"),
        ([">=1", ">1"], ">1"),
        ([">=0.3.7", "<0.4", "!=0.3.9", ">=0.3.7"], ">=0.3.7, !=0.3.9, <0.4"),
        (["<=1", "<1"], "<1"),
        ([">=0.3.7", "<0.4", ">=0.3.6"], ">=0.3.7, <0.4"),
        ([">=1,<3,!=1.5"], ">=1, !=1.5, <3"),
        ([""], None),
    ],
)
def test_aggregated_specifiers_as_uv_simplifies_them(
    requirements: list[str], shown: str | None
) -> None:
    # uv's own unit tests of `simplify_specifiers`
    assert aggregate_specifiers(Requirement(f"pkg{text}") for text in requirements) == shown


def test_feedback_arc_set_breaks_every_cycle() -> None:
    edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 3), (1, 0)]
    cut = set(feedback_arc_set(edges))
    assert 4 in cut  # a self-loop is always in the set
    kept = [edge for number, edge in enumerate(edges) if number not in cut]
    order: list[int] = []
    remaining = dict.fromkeys(range(4))
    while remaining:  # the kept edges admit a topological order
        free = [n for n in remaining if not any(t == n and s in remaining for s, t in kept)]
        assert free, f"cycle left in {kept}"
        order.append(free[0])
        del remaining[free[0]]
    assert feedback_arc_set([(0, 1), (1, 2)]) == []
