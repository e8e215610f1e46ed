"""`RequiresPython` decides exactly as `packaging.specifiers.SpecifierSet` does."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from puv.core.requires_python import InvalidRange, RequiresPython

releases = st.lists(st.integers(0, 13), min_size=1, max_size=4).map(
    lambda parts: ".".join(map(str, parts))
)
operators = st.sampled_from(["==", "!=", ">=", "<=", ">", "<", "~=", "==*", "!=*"])


@st.composite
def clauses(draw: st.DrawFn) -> str:
    operator = draw(operators)
    version = draw(releases)
    if operator.endswith("*"):
        return f"{operator[:-1]}{version}.*"
    if operator == "~=" and "." not in version:
        version += ".0"
    return f"{operator}{version}"


@given(st.lists(clauses(), min_size=0, max_size=3), releases)
def test_plain_ranges_decide_as_packaging(specs: list[str], version: str) -> None:
    text = ",".join(specs)
    ours = RequiresPython(text)
    assert ours.contains(version) == SpecifierSet(text).contains(version, prereleases=True)


@pytest.mark.parametrize(
    ("text", "version"),
    [
        (">=3.13.0rc1", "3.13.0rc2"),
        ("<3.14", "3.14.0a1"),
        ("===3.12.1", "3.12.1"),
        (">=3.8, <4", "3.12.1"),
        (">=3.8,", "3.12.1"),
        (">= 3.10", "3.9.18"),
    ],
)
def test_other_ranges_and_versions_are_left_to_packaging(text: str, version: str) -> None:
    expected = SpecifierSet(text).contains(version, prereleases=True)
    assert RequiresPython(text).contains(version) == expected


@pytest.mark.parametrize("text", ["", ">=3.10", "<4,>=3.8", "==3.12.*,!=3.12.1", "~=3.11"])
def test_text_as_packaging_shows_it(text: str) -> None:
    assert str(RequiresPython(text)) == str(SpecifierSet(text))


def test_clauses_iterate_and_combine() -> None:
    both = RequiresPython(">=3.10") & RequiresPython("<3.13,>=3.10")
    assert [(spec.operator, spec.version) for spec in both] == [(">=", "3.10"), ("<", "3.13")]
    assert both.contains("3.12.1") and not both.contains("3.13.0")
    assert str(both) == str(SpecifierSet(">=3.10,<3.13"))


@pytest.mark.parametrize("text", [">=3.x!", "~=3", "abc", "/tmp/x/python", ">=3,abc", " abc "])
def test_invalid_text_has_packaging_message(text: str) -> None:
    with pytest.raises(InvalidSpecifier) as theirs:
        SpecifierSet(text)
    with pytest.raises(InvalidRange) as ours:
        RequiresPython(text)
    assert str(ours.value) == str(theirs.value)
