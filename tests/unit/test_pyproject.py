"""The minimal pyproject.toml reader: fields, discovery, and uv's errors (checked against uv)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from puv.core.printer import Printer
from puv.project.pyproject import find_pyproject, read_pyproject
from puv.project.toml_read import TomlParseError

UV = Path(sys.executable).with_name("uv")
needs_uv = pytest.mark.skipif(not UV.exists(), reason="the reference uv binary is not installed")


def uv_lock_stderr(directory: Path) -> str:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(directory),
        "XDG_CONFIG_HOME": str(directory / "no-user-config"),
        "UV_NO_SYSTEM_CONFIG": "1",
        "UV_CACHE_DIR": str(directory / "cache"),
        "UV_PYTHON_DOWNLOADS": "never",
        "NO_COLOR": "1",
    }
    result = subprocess.run(
        [str(UV), "lock", "--offline"], cwd=directory, env=env, capture_output=True, text=True
    )
    return result.stderr


def rendered(error: TomlParseError) -> str:
    out = io.StringIO()
    Printer(color=False, err=out).error(error.message, error.causes, error.hint)
    return out.getvalue()


def test_reads_project_fields_and_tool_uv(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        "[project]\n"
        'name = "My_App"\n'
        'version = "1.2.3"\n'
        'requires-python = ">=3.9, <4"\n'
        'dependencies = ["requests>=2", "tomli; python_version < \'3.11\'"]\n'
        "[project.optional-dependencies]\n"
        'fast = ["orjson"]\n'
        "[tool.uv]\n"
        "managed = false\n"
        '[tool.uv.sources]\nrequests = { git = "https://example.com/r" }\n'
    )
    project = read_pyproject(path)
    assert (project.name, project.normalized_name, project.version) == ("My_App", "my-app", "1.2.3")
    assert project.requires_python == ">=3.9, <4"
    assert project.dependencies == ("requests>=2", "tomli; python_version < '3.11'")
    assert dict(project.optional_dependencies) == {"fast": ("orjson",)}
    assert project.tool_uv is not None
    assert project.tool_uv["managed"] is False
    assert project.tool_uv["sources"] == {"requests": {"git": "https://example.com/r"}}
    assert project.has_project_table
    assert (project.path, project.directory) == (path, tmp_path)


def test_a_file_without_project_table_is_read(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.uv.workspace]\nmembers = ['packages/*']\n")
    project = read_pyproject(path)
    assert not project.has_project_table
    assert (project.name, project.dependencies, project.dynamic) == (None, (), ())


def test_dynamic_version_may_be_missing(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\ndynamic = ["version"]\n')
    project = read_pyproject(path)
    assert (project.version, project.dynamic) == (None, ("version",))


def test_find_pyproject_walks_up(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_pyproject(deep) == tmp_path / "pyproject.toml"
    (tmp_path / "a" / "pyproject.toml").write_text("")
    assert find_pyproject(deep) == tmp_path / "a" / "pyproject.toml"


def test_find_pyproject_returns_none_when_there_is_none(tmp_path: Path) -> None:
    # tmp_path's ancestors (/tmp, /) hold no pyproject.toml on a sane machine.
    if any((parent / "pyproject.toml").exists() for parent in tmp_path.parents):
        pytest.skip("an ancestor of the temporary directory has a pyproject.toml")
    assert find_pyproject(tmp_path) is None


INVALID_PROJECTS = [
    'version = "0.1.0"\n',
    'name = "x"\n',
    'name = "x y"\nversion = "0.1.0"\n',
    "name = 1\n",
    'name = "x"\nversion = "1.0.0-junk"\n',
    'name = "x"\nversion = "abc"\n',
    'name = "x"\nversion = ""\n',
    'name = "x"\nversion = "1..0"\n',
    'name = "x"\nversion = 1\n',
    'name = "x"\nversion = "0.1"\nrequires-python = ">=3.11,<"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = "3.11"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = ">= 3.11, foo"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = "~=3"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = ">=3.x"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = "=>3.8"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = 3\n',
    'name = "x"\nversion = "0.1"\nrequires-python = ">>3"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = ">=3.8.*"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = "==3.*.1"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = ">=3.8 <4"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = ">=1.0+local"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = "===foo"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = "1.0-1"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = "1.0+a_b-c"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = "1.0.*"\n',
    'name = "x"\nversion = "1.0.0+"\n',
    'name = "x"\nversion = "1.0+abc."\n',
    'name = "x"\nversion = "1.0.*"\n',
    'name = "x"\nversion = "1!"\n',
    'name = "x"\nversion = "0.1"\ndependencies = "foo"\n',
    'name = "x"\nversion = "0.1"\ndependencies = [1]\n',
    'name = "x"\nversion = "0.1"\nrequires-python = ">=3.8"\n[tool.uv]\nmanaged = "x"\n',
    'name = "x"\nversion = "0.1"\nrequires-python = ">=3.8"\n[tool.uv]\npackage = 1\n',
]


@needs_uv
@pytest.mark.parametrize("body", INVALID_PROJECTS)
def test_invalid_project_fails_exactly_like_uv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\n" + body)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TomlParseError) as caught:
        read_pyproject(tmp_path / "pyproject.toml")
    assert rendered(caught.value) == uv_lock_stderr(tmp_path)


@needs_uv
@pytest.mark.parametrize(
    ("version", "requires_python"),
    [
        ("1.0-1", ">=3.8, <4"),
        ("v1.0.0RC1", "==3.*"),
        ("1!2.0.post1.dev3+Local_1", "~=3.8"),
        ("0.1", ">=3.8,!=3.9.*"),
        ("2024.1", ""),
    ],
)
def test_valid_versions_and_specifiers_are_accepted_like_uv(
    tmp_path: Path, version: str, requires_python: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "x"\nversion = "{version}"\nrequires-python = "{requires_python}"\n'
    )
    project = read_pyproject(tmp_path / "pyproject.toml")
    assert (project.version, project.requires_python) == (version, requires_python)
    assert "Failed to parse" not in uv_lock_stderr(tmp_path)


@needs_uv
def test_syntax_error_is_reported_like_uv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0.1\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TomlParseError) as caught:
        read_pyproject(tmp_path / "pyproject.toml")
    # uv first warns during settings discovery, then fails reading the project.
    assert uv_lock_stderr(tmp_path).endswith(rendered(caught.value))


def test_error_helper_points_at_a_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\n[tool.uv.sources]\nfoo = 1\n'
    )
    monkeypatch.chdir(tmp_path)
    project = read_pyproject(tmp_path / "pyproject.toml")
    error = project.error(
        "invalid type: integer `1`, expected a single source (as a map) or list of sources",
        ("tool", "uv", "sources", "foo"),
    )
    assert error.message == "Failed to parse: pyproject.toml"
    assert error.causes[0].splitlines()[:4] == [
        "TOML parse error at line 5, column 7",
        "  |",
        "5 | foo = 1",
        "  |       ^",
    ]
