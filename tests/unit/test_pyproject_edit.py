"""The toml_edit port and uv's edit rules in `puv.project.pyproject_edit`, without uv: parsing and
rendering is lossless, and the array rules (sorted insertion, comments, one item per line) give
the results uv's own tests document (`pyproject_mut.rs`)."""

from __future__ import annotations

import pytest

from puv.core.markers import Marker
from puv.project.pyproject_edit import (
    AddBounds,
    DependencyType,
    EditError,
    PyProjectEditor,
    Requirement,
    bounded_specifier,
)
from puv.project.toml_edit import Document

DOCUMENTS = [
    '[project]\nname = "x"\n',
    "a = 1\n[b]\nc = [1, 2,\n  3, # three\n]\n[[d]]\ne = { f = 1, g.h = 'x' }\n",
    '# top\n\n[ tool . uv ]   # header comment\nx.y = """multi\nline"""\n\n# end\n',
    "arr = [ ]\nempty = {}\ndate = 1979-05-27 07:32:00Z\nlit = '''a'b'''\n",
    '[a]\n[a.b]\n[c]\n[a.d]\nk = "v"\n',
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_parse_then_render_is_identity(text: str) -> None:
    assert Document.parse(text).render() == text


def test_missing_final_newline_is_added_as_toml_edit_does() -> None:
    assert Document.parse('a = "b"').render() == 'a = "b"\n'


def test_editing_writes_unix_line_endings_as_uv_does() -> None:
    text = '[project]\r\nname = "demo"\r\n# c\r\ndependencies = [\r\n  "a",\r\n]\r\n'
    assert _add(text, "b") == (
        '[project]\nname = "demo"\n# c\ndependencies = [\n  "a",\n  "b",\n]\n'
    )


def test_invalid_toml_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="line 1"):
        Document.parse("a = [1, 2")


def _add(text: str, requirement: str, kind: DependencyType | None = None) -> str:
    editor = PyProjectEditor(text)
    editor.add_dependency(Requirement.parse(requirement), kind or DependencyType.production())
    return editor.render()


def test_sorted_insertion_keeps_end_of_line_comments() -> None:
    text = '[project]\ndependencies = [\n    "anyio", # end-of-line comment\n    "flask",\n]\n'
    assert _add(text, "pydantic") == (
        '[project]\ndependencies = [\n    "anyio", # end-of-line comment\n    "flask",\n'
        '    "pydantic",\n]\n'
    )
    assert _add(text, "b") == (
        '[project]\ndependencies = [\n    "anyio", # end-of-line comment\n    "b",\n'
        '    "flask",\n]\n'
    )


def test_prepending_keeps_a_comment_on_the_bracket() -> None:
    text = '[project]\ndependencies = [ # comment\n    "flask",\n]\n'
    assert _add(text, "anyio") == (
        '[project]\ndependencies = [ # comment\n    "anyio",\n    "flask",\n]\n'
    )
    text = '[project]\ndependencies = [\n    # comment\n    "flask",\n]\n'
    assert _add(text, "anyio") == (
        '[project]\ndependencies = [\n    "anyio",\n    # comment\n    "flask",\n]\n'
    )


def test_unsorted_list_appends_before_include_groups() -> None:
    text = '[dependency-groups]\ndev = ["b", "a", { include-group = "x" }]\n'
    assert _add(text, "c", DependencyType.group("dev")) == (
        '[dependency-groups]\ndev = [\n    "b",\n    "a",\n    "c",\n'
        '    { include-group = "x" },\n]\n'
    )


def test_update_merges_extras_and_replaces_the_specifier() -> None:
    text = '[project]\ndependencies = ["Flask[async] >= 2.0"]\n'
    assert _add(text, "flask[dotenv]<3") == (
        '[project]\ndependencies = [\n    "flask[async,dotenv]<3",\n]\n'
    )


def test_ambiguous_update_is_refused() -> None:
    text = '[project]\ndependencies = ["a>=1", "a<3"]\n'
    with pytest.raises(EditError, match="ambiguous update"):
        _add(text, "a")


def test_remove_moves_comments_to_the_previous_line() -> None:
    text = (
        '[project]\ndependencies = [\n    "numpy>=2.4.3", # essential comment\n'
        '    "requests>=2.32.5",\n]\n'
    )
    editor = PyProjectEditor(text)
    removed = editor.remove_dependency("requests", DependencyType.production())
    assert [str(r) for r in removed] == ["requests>=2.32.5"]
    assert editor.render() == (
        '[project]\ndependencies = [\n    "numpy>=2.4.3", # essential comment\n]\n'
    )


def test_requirement_display_is_uvs() -> None:
    requirement = Requirement.parse("Foo_Bar[B,a] <2,>=1.0.0-RC1 ; python_version >= '3.9'")
    assert str(requirement) == "foo-bar[b,a]>=1.0.0rc1,<2 ; python_full_version >= '3.9'"
    assert Requirement.parse("x @ https://e/x.whl").url == "https://e/x.whl"
    assert Requirement.parse("x").marker == Marker.TRUE


@pytest.mark.parametrize(
    ("version", "bounds", "expected"),
    [
        ("1.2.3", AddBounds.LOWER, (">=1.2.3",)),
        ("1.2.3+local", AddBounds.EXACT, ("==1.2.3",)),
        ("1.2.3", AddBounds.MAJOR, (">=1.2.3", "<2.0.0")),
        ("0.1.2", AddBounds.MAJOR, (">=0.1.2", "<0.2.0")),
        ("0.0.1", AddBounds.MAJOR, (">=0.0.1", "<0.0.2")),
        ("0", AddBounds.MAJOR, (">=0", "<0.1")),
        ("1.2.3", AddBounds.MINOR, (">=1.2.3", "<1.3.0")),
        ("1", AddBounds.MINOR, (">=1", "<1.1")),
        ("0.1.2", AddBounds.MINOR, (">=0.1.2", "<0.1.3")),
        ("0.0.1", AddBounds.MINOR, (">=0.0.1", "<0.0.2")),
        ("0.0", AddBounds.MINOR, (">=0.0", "<0.0.1")),
    ],
)
def test_bounds_follow_uv(version: str, bounds: AddBounds, expected: tuple[str, ...]) -> None:
    assert bounded_specifier(version, bounds) == expected


def test_sources_and_indexes_land_where_uv_puts_them() -> None:
    editor = PyProjectEditor('[project]\nname = "x"\ndependencies = []\n\n[tool.ruff]\nx = 1\n')
    editor.add_dependency(
        Requirement.parse("lib"), DependencyType.production(), {"path": "../lib", "editable": True}
    )
    editor.add_index(
        {"url": "https://e/simple", "name": "e"}, lambda url: url == "https://e/simple"
    )
    assert editor.render() == (
        '[project]\nname = "x"\ndependencies = [\n    "lib",\n]\n\n[tool.ruff]\nx = 1\n\n'
        '[tool.uv.sources]\nlib = { path = "../lib", editable = true }\n\n'
        '[[tool.uv.index]]\nname = "e"\nurl = "https://e/simple"\n'
    )


def test_set_version_keeps_the_decor() -> None:
    editor = PyProjectEditor("[project]\nversion = '1.0'  # v\n")
    editor.set_version("2.0")
    assert editor.render() == '[project]\nversion = "2.0"  # v\n'
