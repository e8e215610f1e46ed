"""Workspace discovery: roots, members, globs, virtual projects, and uv's errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from puv.core.errors import PuvError
from puv.core.requires_python import RequiresPython
from puv.project.workspace import WorkspaceError, discover_workspace
from tests.uvproject import rendered, uv_error, write

BUILD_SYSTEM = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def project(name: str, requires_python: str | None = ">=3.11", extra: str = "") -> str:
    python = f'requires-python = "{requires_python}"\n' if requires_python else ""
    return f'[project]\nname = "{name}"\nversion = "0.1.0"\n{python}{extra}'


def workspace_root(tmp_path: Path, extra: str = "", members: str = '["packages/*"]') -> Path:
    write(
        tmp_path / "pyproject.toml",
        project("root") + f"\n[tool.uv.workspace]\nmembers = {members}\n{extra}",
    )
    return tmp_path


def test_member_walks_up_to_the_root_that_includes_it(tmp_path: Path) -> None:
    root = workspace_root(tmp_path)
    write(root / "packages/a/pyproject.toml", project("Pkg_A", ">=3.10") + BUILD_SYSTEM)
    write(root / "packages/b/pyproject.toml", project("b", "<3.14"))
    (root / "packages/a/src/deep").mkdir(parents=True)

    workspace = discover_workspace(root / "packages/a/src/deep")

    assert workspace.root == root
    assert list(workspace.members) == ["b", "pkg-a", "root"]
    assert workspace.current is not None and workspace.current.name == "pkg-a"
    assert workspace.members["pkg-a"].root == root / "packages/a"
    assert workspace.requires_python() == RequiresPython(">=3.10,>=3.11,<3.14")
    assert not workspace.is_non_project


def test_virtual_and_packaged_members(tmp_path: Path) -> None:
    root = workspace_root(tmp_path)
    write(root / "packages/built/pyproject.toml", project("built") + BUILD_SYSTEM)
    write(root / "packages/plain/pyproject.toml", project("plain"))
    write(
        root / "packages/off/pyproject.toml",
        project("off") + BUILD_SYSTEM + "[tool.uv]\npackage = false\n",
    )
    write(root / "packages/on/pyproject.toml", project("on") + "[tool.uv]\npackage = true\n")

    members = discover_workspace(root).members

    assert {name: member.is_package() for name, member in members.items()} == {
        "built": True,
        "off": False,
        "on": True,
        "plain": False,
        "root": False,
    }
    assert members["plain"].is_package(require_build_system=False)
    assert not members["off"].is_package(require_build_system=False)


def test_excluded_and_unlisted_projects_are_their_own_workspace(tmp_path: Path) -> None:
    root = workspace_root(tmp_path, 'exclude = ["packages/skip*"]')
    write(root / "packages/a/pyproject.toml", project("a"))
    write(root / "packages/skipped/pyproject.toml", project("skipped", ">=3.12"))
    write(root / "examples/demo/pyproject.toml", project("demo"))

    assert list(discover_workspace(root).members) == ["a", "root"]
    for directory, name in (("packages/skipped", "skipped"), ("examples/demo", "demo")):
        alone = discover_workspace(root / directory)
        assert alone.root == root / directory
        assert list(alone.members) == [name]


def test_only_the_nearest_ancestor_pyproject_is_considered(tmp_path: Path) -> None:
    root = workspace_root(tmp_path, members='["outer/**"]')
    write(root / "outer/pyproject.toml", project("outer"))
    write(root / "outer/inner/pyproject.toml", project("inner"))

    inner = discover_workspace(root / "outer/inner")

    assert inner.root == root / "outer/inner"


def test_glob_star_in_exclude_crosses_directories(tmp_path: Path) -> None:
    root = workspace_root(tmp_path, 'exclude = ["packages/*"]', members='["packages/*/*"]')
    write(root / "packages/a/b/pyproject.toml", project("b"))

    assert list(discover_workspace(root).members) == ["root"]


def test_non_project_root_and_plain_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.uv.workspace]\nmembers = ["libs/*"]\n')
    write(tmp_path / "libs/x/pyproject.toml", project("x", None))
    (tmp_path / "libs/.hidden").mkdir(parents=True)
    (tmp_path / "libs/empty").mkdir()

    workspace = discover_workspace(tmp_path / "libs")

    assert workspace.is_non_project and workspace.current is None
    assert list(workspace.members) == ["x"]
    assert workspace.requires_python() is None
    assert discover_workspace(tmp_path / "libs/x").root == tmp_path

    other = tmp_path / "other"
    write(other / "pyproject.toml", '[dependency-groups]\ndev = ["pytest"]\n')
    plain = discover_workspace(other)
    assert plain.is_non_project and not plain.members


def test_required_members_and_editable_conflict(tmp_path: Path) -> None:
    root = workspace_root(
        tmp_path, "[tool.uv.sources]\na = { workspace = true, editable = false }\n"
    )
    write(root / "packages/a/pyproject.toml", project("a"))
    write(
        root / "packages/b/pyproject.toml",
        project("b") + "[tool.uv.sources]\na = { workspace = true }\n",
    )
    assert dict(discover_workspace(root).required_members) == {"a": False}

    write(
        root / "packages/b/pyproject.toml",
        project("b") + "[tool.uv.sources]\na = { workspace = true, editable = true }\n",
    )
    with pytest.raises(WorkspaceError) as caught:
        discover_workspace(root)
    assert caught.value.message == (
        "Workspace member `a` was requested as both `editable = true` and `editable = false`"
    )


def test_member_lookup_and_unmanaged(tmp_path: Path) -> None:
    root = workspace_root(tmp_path)
    write(root / "packages/a/pyproject.toml", project("a") + "[tool.uv]\nmanaged = false\n")
    workspace = discover_workspace(root)
    assert list(workspace.members) == ["root"]
    with pytest.raises(WorkspaceError, match="The workspace does not have a member a: "):
        workspace.member("a")
    with pytest.raises(WorkspaceError, match="The project is marked as unmanaged: "):
        discover_workspace(root / "packages/a")
    with pytest.raises(WorkspaceError, match=r"No `pyproject\.toml` found in current directory"):
        discover_workspace(Path("/"))


def test_dev_dependencies_warning_matches_uv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = workspace_root(tmp_path / "ws", "[tool.uv]\ndev-dependencies = []\n")
    write(root / "packages/a/pyproject.toml", project("a") + "[tool.uv]\ndev-dependencies = []\n")
    monkeypatch.chdir(root)

    warning = discover_workspace(root).dev_dependencies_warning()

    from tests.uvproject import run_uv

    assert f"warning: {warning}\n" in run_uv(root, tmp_path / "cache").stderr


BAD_WORKSPACES = {
    "member without pyproject.toml": {"packages/a/module.py": ""},
    "member without [project]": {"packages/a/pyproject.toml": "[tool.uv]\n"},
    "duplicate names": {
        "packages/a/pyproject.toml": project("lib"),
        "packages/b/pyproject.toml": project("LIB"),
    },
    "nested workspace": {
        "packages/a/pyproject.toml": project("a") + "[tool.uv.workspace]\nmembers = []\n",
    },
}


@pytest.mark.parametrize("case", list(BAD_WORKSPACES))
def test_errors_match_uv(case: str, tmp_path: Path) -> None:
    root = workspace_root(tmp_path / "ws")
    for relative, text in BAD_WORKSPACES[case].items():
        write(root / relative, text)

    with pytest.raises(PuvError) as caught:
        discover_workspace(root / "packages")

    assert caught.value.exit_code == 2
    assert rendered(caught.value) == uv_error(root, tmp_path / "cache")


def test_requires_python_includes_enabled_groups(tmp_path: Path) -> None:
    root = workspace_root(tmp_path)
    write(
        root / "packages/a/pyproject.toml",
        project("a", ">=3.10")
        + '[dependency-groups]\nnew = ["x"]\nold = []\n'
        + '[tool.uv.dependency-groups]\nnew = { requires-python = ">=3.12" }\n'
        + 'old = { requires-python = "<3.13" }\n',
    )
    workspace = discover_workspace(root)

    assert workspace.requires_python() == RequiresPython(">=3.10,>=3.11")
    assert workspace.requires_python(["new"]) == RequiresPython(">=3.10,>=3.11,>=3.12")
    assert workspace.requires_python(["new", "old", "absent"]) == RequiresPython(
        ">=3.10,>=3.11,>=3.12,<3.13"
    )


def test_member_sources_are_validated_during_discovery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = workspace_root(tmp_path / "ws")
    write(
        root / "packages/a/pyproject.toml",
        project("a") + '[tool.uv.sources]\nx = { git = "https://x/y", url = "https://x/z.whl" }\n',
    )
    monkeypatch.chdir(root)

    with pytest.raises(PuvError) as caught:
        discover_workspace(root)

    assert rendered(caught.value) == uv_error(root, tmp_path / "cache")
