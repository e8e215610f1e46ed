"""Pure parts of `puv export` / `puv tree`: the lock walk, its markers, ordering and formatting."""

from __future__ import annotations

import pytest

from puv.cli.export_cmd import header_command
from puv.lock.graph import export_nodes, tree_graph
from puv.lock.install_target import DependencyGroups, Extras, InstallOptions, InstallTarget
from puv.lock.reader import parse_lock
from puv.operations.export import export_format, render_requirements_txt
from puv.operations.tree import human_readable_bytes, render_tree

REGISTRY = 'source = { registry = "https://pypi.org/simple" }'
SDIST_HASH, WHEEL_HASH = "sha256:" + "0a" * 32, "sha256:" + "f" * 64

# `app` needs `b` on Linux and `c`; `c` needs `b` on Windows and, with its extra `x`, `d`; `d`
# and `e` depend on each other; the `dev` group brings `d`.
LOCK = f"""\
version = 1
revision = 3
requires-python = ">=3.10"

[[package]]
name = "app"
version = "1.0"
source = {{ editable = "." }}
dependencies = [
    {{ name = "b", marker = "sys_platform == 'linux'" }},
    {{ name = "c", extra = ["x"] }},
]

[package.optional-dependencies]
cli = [
    {{ name = "e", marker = "python_full_version >= '3.12'" }},
]

[package.dev-dependencies]
dev = [
    {{ name = "d" }},
]

[[package]]
name = "b"
version = "2.0"
{REGISTRY}
wheels = [
    {{ url = "https://x/b-2.0-py3-none-any.whl", hash = "{WHEEL_HASH}", size = 1536 }},
]
sdist = {{ url = "https://x/b-2.0.tar.gz", hash = "{SDIST_HASH}" }}

[[package]]
name = "c"
version = "1.0"
{REGISTRY}
dependencies = [
    {{ name = "b", marker = "sys_platform == 'win32'" }},
]

[package.optional-dependencies]
x = [
    {{ name = "d" }},
]

[[package]]
name = "d"
version = "1.0"
{REGISTRY}
dependencies = [
    {{ name = "e" }},
]

[[package]]
name = "e"
version = "1.0"
{REGISTRY}
dependencies = [
    {{ name = "d" }},
]
"""


def _export(**selection: object) -> dict[str, tuple[str, tuple[str, ...]]]:
    lock = parse_lock(LOCK)
    nodes = export_nodes(
        lock,
        InstallTarget("project", ("app",)),
        extras=selection.get("extras", Extras()),  # type: ignore[arg-type]
        groups=selection.get("groups", DependencyGroups()),  # type: ignore[arg-type]
        prune=selection.get("prune", ()),  # type: ignore[arg-type]
        install=selection.get("install"),  # type: ignore[arg-type]
    )
    return {node.package.name: (str(node.marker), node.dependents) for node in nodes}


def test_markers_are_the_union_over_paths_and_dependents_are_named() -> None:
    exported = _export()
    assert exported["b"] == ("sys_platform == 'linux' or sys_platform == 'win32'", ("app", "c"))
    assert exported["c"] == ("", ("app",))
    assert exported["d"] == ("", ("c", "e"))  # reached from c[x], from e, and from the group
    assert exported["app"] == ("", ())


def test_extras_groups_prune_and_install_options_select_packages() -> None:
    with_extra = _export(extras=Extras(("cli",)))
    assert with_extra["e"] == ("", ("app", "d"))  # the extra's marker is absorbed by d -> e
    only_dev = _export(groups=DependencyGroups.from_flags(dev="only"))
    assert set(only_dev) == {"d", "e"}
    assert only_dev["d"][1] == ("e",)  # the group edge comes from the workspace, not a package
    pruned = _export(prune=("c",))
    assert set(pruned) == {"app", "b", "d", "e"}
    assert pruned["b"] == ("sys_platform == 'linux'", ("app",))
    no_project = _export(install=InstallOptions(no_install_project=True))
    assert "app" not in no_project


def test_requirements_txt_lines() -> None:
    lock = parse_lock(LOCK)
    nodes = export_nodes(
        lock, InstallTarget("project", ("app",)), extras=Extras(), groups=DependencyGroups()
    )
    text = render_requirements_txt([n for n in nodes if n.package.name in ("app", "b")])
    assert text == (
        "-e .\n"
        "b==2.0 ; sys_platform == 'linux' or sys_platform == 'win32' \\\n"
        f"    --hash={SDIST_HASH} \\\n"
        f"    --hash={WHEEL_HASH}\n"
        "    # via\n"
        "    #   app\n"
        "    #   c\n"
    )
    assert render_requirements_txt(nodes, hashes=False, editable=lambda name: False).startswith(
        ".\nb==2.0 ;"
    )


def test_tree_with_a_cycle_and_its_inversion() -> None:
    """As uv 0.13.9 draws this lock (`uv tree --frozen --universal`, and inverted on Linux)."""
    lock = parse_lock(LOCK)
    groups = DependencyGroups.from_flags()
    tree = render_tree(tree_graph(lock, groups=groups))
    assert tree == [
        "app v1.0",
        "├── b v2.0",
        "├── c[x] v1.0",
        "│   ├── b v2.0",
        "│   └── d v1.0 (extra: x)",
        "│       └── e v1.0",
        "│           └── d v1.0 (*)",
        "├── e v1.0 (extra: cli) (*)",
        "└── d v1.0 (group: dev) (*)",
        "(*) Package tree already displayed",
    ]
    environment = {
        "sys_platform": "linux",
        "python_full_version": "3.11.2",
        "python_version": "3.11",
    }
    linux = tree_graph(lock, groups=groups, environment=environment, invert=True)
    # `d` and `e` only depend on each other: the cycle is shown from its first package.
    assert render_tree(linux, depth=1) == [
        "b v2.0",
        "└── app v1.0",
        "d v1.0",
        "├── e v1.0",
        "├── c v1.0 (extra: x)",
        "└── app v1.0 (group: dev)",
    ]


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0B"), (1023, "1023B"), (1024, "1.0KiB"), (1536, "1.5KiB"),
     (1024**2 - 52, "1023.9KiB"), (1024**2 - 51, "1.0MiB"), (5 * 1024**3, "5.0GiB")],
)  # fmt: skip
def test_sizes_as_uv_shows_them(size: int, shown: str) -> None:
    assert human_readable_bytes(size) == shown


def test_header_command_leaves_out_what_uv_leaves_out() -> None:
    argv = ["-q", "export", "--upgrade-package", "x", "-Py", "-v", "--frozen", "--upgrade", "-o", "r.txt"]  # fmt: skip
    assert header_command(argv) == "puv export --frozen -o r.txt"


@pytest.mark.parametrize(
    ("requested", "output", "expected"),
    [
        (None, None, "requirements.txt"),
        (None, "pylock.toml", "pylock.toml"),
        (None, "out/pylock.dev.toml", "pylock.toml"),
        (None, "requirements.toml", "requirements.txt"),
        ("pylock.toml", "reqs.txt", "pylock.toml"),
    ],
)
def test_format_follows_the_output_file(
    requested: str | None, output: str | None, expected: str
) -> None:
    assert export_format(requested, output) == expected
