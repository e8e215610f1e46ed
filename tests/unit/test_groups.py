"""PEP 735 dependency groups: include-group expansion, legacy dev-dependencies, default groups,
per-group requires-python, and uv's errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from puv.core.errors import PuvError
from puv.project.groups import (
    DependencyGroupError,
    check_requested_groups,
    default_groups,
    read_dependency_groups,
)
from puv.project.pyproject import read_pyproject
from tests.uvproject import rendered, uv_error, write

HEADER = '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'


def groups_of(tmp_path: Path, text: str) -> dict[str, list[tuple[str, str | None]]]:
    pyproject = read_pyproject(write(tmp_path / "pyproject.toml", HEADER + text))
    return {
        name: [(dep.name, dep.marker.to_text()) for dep in group.requirements]
        for name, group in read_dependency_groups(pyproject).items()
    }


def test_include_group_expansion_in_order(tmp_path: Path) -> None:
    text = (
        "[dependency-groups]\n"
        'All = ["pytest", {include-group = "lint"}, {include-group = "TYPES"}]\n'
        'lint = ["ruff ; os_name == \'nt\'", {include-group = "types"}]\n'
        'types = ["mypy"]\n'
    )
    assert groups_of(tmp_path, text) == {
        "all": [("pytest", None), ("ruff", "os_name == 'nt'"), ("mypy", None), ("mypy", None)],
        "lint": [("ruff", "os_name == 'nt'"), ("mypy", None)],
        "types": [("mypy", None)],
    }


def test_group_requires_python_marks_requirements(tmp_path: Path) -> None:
    text = (
        "[dependency-groups]\n"
        'outer = ["a", {include-group = "inner"}]\n'
        "inner = [\"b ; sys_platform == 'linux'\"]\n"
        "[tool.uv.dependency-groups]\n"
        'inner = { requires-python = ">=3.12" }\n'
        'outer = { requires-python = "<3.14" }\n'
    )
    pyproject = read_pyproject(write(tmp_path / "pyproject.toml", HEADER + text))
    groups = read_dependency_groups(pyproject)

    assert groups["inner"].requires_python == ">=3.12"
    assert groups["outer"].requires_python == ">=3.12, <3.14"
    assert [dep.marker.to_text() for dep in groups["outer"].requirements] == [
        "python_full_version < '3.14'",
        "python_full_version >= '3.12' and python_full_version < '3.14' "
        "and sys_platform == 'linux'",
    ]


def test_legacy_dev_dependencies_merge_into_dev(tmp_path: Path) -> None:
    text = '[dependency-groups]\ndev = ["a"]\n[tool.uv]\ndev-dependencies = ["b>=1"]\n'
    assert groups_of(tmp_path, text) == {"dev": [("a", None), ("b", None)]}
    only_legacy = tmp_path / "legacy"
    assert groups_of(only_legacy, '[tool.uv]\ndev-dependencies = ["c"]\n') == {"dev": [("c", None)]}


def test_default_groups(tmp_path: Path) -> None:
    def defaults(text: str) -> tuple[str, ...]:
        pyproject = read_pyproject(write(tmp_path / "pyproject.toml", HEADER + text))
        return default_groups(pyproject, read_dependency_groups(pyproject))

    groups = "[dependency-groups]\ndev = []\nDocs = []\ntest = []\n"
    assert defaults(groups) == ("dev",)
    assert defaults("") == ()
    assert defaults(groups + '[tool.uv]\ndefault-groups = "all"\n') == ("dev", "docs", "test")
    assert defaults(groups + '[tool.uv]\ndefault-groups = ["test", "Docs"]\n') == ("test", "docs")
    with pytest.raises(PuvError) as caught:
        defaults(groups + '[tool.uv]\ndefault-groups = ["nope"]\n')
    assert caught.value.message == (
        "Default group `nope` (from `tool.uv.default-groups`) is not defined in the project's "
        "`dependency-groups` table"
    )
    pyproject = read_pyproject(tmp_path / "pyproject.toml")
    with pytest.raises(PuvError, match="Group `bad` is not defined in the project's"):
        check_requested_groups(["test", "bad"], read_dependency_groups(pyproject))


def test_error_label_names_member_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "lib/pyproject.toml", HEADER + '[dependency-groups]\na = ["b c"]\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DependencyGroupError) as caught:
        read_dependency_groups(read_pyproject(path))
    assert caught.value.message == "Project `app @ lib` has malformed dependency groups"
    assert caught.value.causes[0] == "Failed to parse entry in group `a`: `b c`"


BAD_GROUPS = {
    "cycle": '[dependency-groups]\na = [{include-group = "b"}]\nb = [{include-group = "c"}]\n'
    'c = [{include-group = "b"}]\n',
    "self cycle": '[dependency-groups]\na = [{include-group = "a"}]\n',
    "missing include": '[dependency-groups]\na = [{include-group = "zz"}]\n',
    "settings for a missing group": '[tool.uv.dependency-groups]\nx = {requires-python = ">=3"}\n',
    "include of legacy dev": '[dependency-groups]\na = [{include-group = "dev"}]\n'
    "[tool.uv]\ndev-dependencies = []\n",
    "settings for legacy dev": "[tool.uv]\ndev-dependencies = []\n"
    '[tool.uv.dependency-groups]\ndev = {requires-python = ">=3"}\n',
    "object specifier": '[dependency-groups]\na = [{foo = "bar"}]\n',
    "duplicate group": "[dependency-groups]\nFoo = []\nfoo = []\n",
    "duplicate settings": "[dependency-groups]\nx = []\n[tool.uv.dependency-groups]\n"
    'X = {requires-python = ">=3"}\nx = {}\n',
}


@pytest.mark.parametrize("case", list(BAD_GROUPS))
def test_errors_match_uv(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "app"
    path = write(project / "pyproject.toml", HEADER + BAD_GROUPS[case])
    monkeypatch.chdir(project)

    with pytest.raises(PuvError) as caught:
        read_dependency_groups(read_pyproject(path))

    assert rendered(caught.value) == uv_error(project, tmp_path / "cache")


def test_invalid_entry_first_cause_matches_uv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "app"
    path = write(project / "pyproject.toml", HEADER + '[dependency-groups]\na = ["foo >= bar"]\n')
    monkeypatch.chdir(project)

    with pytest.raises(DependencyGroupError) as caught:
        read_dependency_groups(read_pyproject(path))

    uv_lines = uv_error(project, tmp_path / "cache").splitlines()
    assert rendered(caught.value).splitlines()[:2] == uv_lines[:2]


@pytest.mark.parametrize("table", ["a = [1]", 'a = "pytest"'])
def test_malformed_group_values_are_errors_not_tracebacks(tmp_path: Path, table: str) -> None:
    path = write(tmp_path / "pyproject.toml", HEADER + f"[dependency-groups]\n{table}\n")
    with pytest.raises(DependencyGroupError, match="malformed dependency groups"):
        read_dependency_groups(read_pyproject(path))
