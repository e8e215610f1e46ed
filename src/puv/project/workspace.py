"""Workspace discovery as uv does it: the workspace root, its members and their `pyproject.toml`s.

From a start directory, the nearest `pyproject.toml` is the current project. A project with
`[tool.uv.workspace]` is its own workspace root; otherwise the nearest ancestor `pyproject.toml`
decides: a `[tool.uv.workspace]` whose `members` globs include the project (and whose `exclude`
globs do not) is the root, anything else means the project is an implicit single-project
workspace. A `pyproject.toml` without `[project]` is a non-project (virtual) workspace root.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from puv.core.errors import PuvError
from puv.project.pyproject import PyProject, read_pyproject
from puv.project.toml_read import display_path

if TYPE_CHECKING:
    from puv.core.requires_python import RequiresPython

__all__ = ["Member", "Workspace", "WorkspaceError", "discover_workspace"]


class WorkspaceError(PuvError):
    """A workspace that cannot be discovered (uv's `WorkspaceError`, exit code 2)."""


class Member(NamedTuple):
    """A workspace member: its normalized `name`, directory and validated `pyproject.toml`."""

    name: str
    root: Path
    pyproject: PyProject

    def is_package(self, *, require_build_system: bool = True) -> bool:
        """Whether the member is built and installed (`tool.uv.package`, else `[build-system]`).

        Without `tool.uv.package`, a member with no `[build-system]` is virtual unless
        `require_build_system` is false (uv's rule for members other members depend on).
        """
        explicit = (self.pyproject.tool_uv or {}).get("package")
        if isinstance(explicit, bool):
            return explicit
        return "build-system" in self.pyproject.data or not require_build_system


class Workspace(NamedTuple):
    """A discovered workspace.

    `root`/`pyproject` are the workspace root and its `pyproject.toml` (where `[tool.uv]`
    settings, root `sources` and `index` are read); `members` maps normalized names to members,
    sorted by name; `current` is the project discovery started from (None for a non-project
    root); `required_members` maps the members another member depends on through
    `{ workspace = true }` to their requested `editable` value (None when not given).
    """

    root: Path
    pyproject: PyProject
    members: Mapping[str, Member]
    current: Member | None
    required_members: Mapping[str, bool | None]

    @property
    def is_non_project(self) -> bool:
        """Whether the root `pyproject.toml` has no `[project]` table (a virtual root)."""
        return not self.pyproject.has_project_table

    def member(self, name: str) -> Member:
        """The member called `name` (any spelling); uv's `NoSuchMember` error otherwise."""
        from puv.project.settings_schema import normalize_name

        member = self.members.get(normalize_name(name))
        if member is None:
            raise WorkspaceError(f"The workspace does not have a member {name}: {self.root}")
        return member

    def requires_python(self, groups: Collection[str] = ()) -> RequiresPython | None:
        """The intersection of every member's `requires-python` and, for the enabled `groups`
        (normalized names), the groups' own ranges (None when nothing sets one)."""
        from puv.core.requires_python import RequiresPython

        combined: RequiresPython | None = None
        for member in self.members.values():
            texts = [member.pyproject.requires_python]
            if groups:
                from puv.project.groups import read_dependency_groups

                flat = read_dependency_groups(member.pyproject)
                texts += [flat[name].requires_python for name in groups if name in flat]
            for text in texts:
                if text is not None:
                    specifiers = RequiresPython(text)
                    combined = specifiers if combined is None else combined & specifiers
        return combined

    def is_required_member(self, name: str) -> bool:
        """Whether another member depends on `name` through `{ workspace = true }`."""
        return name in self.required_members

    def dev_dependencies_warning(self, cwd: Path | None = None) -> str | None:
        """uv's deprecation warning when members use `tool.uv.dev-dependencies`, else None."""
        users = [
            f"`{display_path(member.root / 'pyproject.toml', cwd)}`"
            for member in self.members.values()
            if "dev-dependencies" in (member.pyproject.tool_uv or {})
        ]
        if not users:
            return None
        return (
            f"The `tool.uv.dev-dependencies` field (used in {', '.join(users)}) is deprecated "
            "and will be removed in a future release; use `dependency-groups.dev` instead"
        )


def discover_workspace(start: Path) -> Workspace:
    """The workspace enclosing `start` (a directory), read and validated as uv reads it.

    Raises `WorkspaceError` with uv's messages (no `pyproject.toml`, unmanaged project, member
    without `pyproject.toml` or `[project]`, duplicate member names, nested workspaces) and
    `TomlParseError` for an invalid `pyproject.toml`.
    """
    directory = Path(os.path.normpath(os.path.abspath(start)))
    project_root = next(
        (path for path in (directory, *directory.parents) if (path / "pyproject.toml").is_file()),
        None,
    )
    if project_root is None:
        raise WorkspaceError(
            "No `pyproject.toml` found in current directory or any parent directory"
        )
    pyproject = read_pyproject(project_root / "pyproject.toml")
    if not pyproject.has_project_table:
        return _build(project_root, pyproject, current=None)
    if (pyproject.tool_uv or {}).get("managed") is False:
        raise WorkspaceError(f"The project is marked as unmanaged: {project_root}")
    current = _as_member(project_root, pyproject)
    if _workspace_table(pyproject) is not None:
        return _build(project_root, pyproject, current)
    found = _find_enclosing_root(project_root)
    if found is None:
        return _single_project(current)
    return _build(found[0], found[1], current)


def _single_project(current: Member) -> Workspace:
    _check_sources(current.pyproject)
    members = MappingProxyType({current.name: current})
    required = _required_members(members, {}, current.pyproject)
    return Workspace(current.root, current.pyproject, members, current, required)


def _build(root: Path, pyproject: PyProject, current: Member | None) -> Workspace:
    members = _collect_members(root, pyproject)
    for checked in (pyproject, *(member.pyproject for member in members.values())):
        _check_sources(checked)
    required = _required_members(members, _sources_of(pyproject), pyproject)
    if current is not None:
        current = members.get(current.name, current)
    return Workspace(root, pyproject, members, current, required)


def _find_enclosing_root(project_root: Path) -> tuple[Path, PyProject] | None:
    """The workspace root above `project_root` that includes it (only the nearest
    ancestor `pyproject.toml` is considered, as in uv)."""
    for ancestor in project_root.parents:
        path = ancestor / "pyproject.toml"
        if not path.is_file():
            continue
        pyproject = read_pyproject(path)
        workspace = _workspace_table(pyproject)
        if workspace is None:
            return None
        if not _is_included(project_root, ancestor, workspace):
            return None
        if _is_excluded(project_root, ancestor, workspace):
            return None
        return ancestor, pyproject
    return None


def _collect_members(root: Path, pyproject: PyProject) -> Mapping[str, Member]:
    members: dict[str, Member] = {}
    seen: set[Path] = set()
    if pyproject.has_project_table:
        seen.add(root)
        member = _as_member(root, pyproject)
        members[member.name] = member
    workspace = _workspace_table(pyproject) or {}
    for member_glob in workspace.get("members", ()):
        for member_root in _glob_directories(root, member_glob):
            if member_root in seen:
                continue
            seen.add(member_root)
            if _is_excluded(member_root, root, workspace):
                continue
            member_pyproject = _read_member(member_root, member_glob)
            if member_pyproject is None:
                continue
            if (member_pyproject.tool_uv or {}).get("managed") is False:
                continue
            member = _as_member(member_root, member_pyproject)
            existing = members.get(member.name)
            if existing is not None:
                raise WorkspaceError(
                    f"Two workspace members are both named `{member.name}`: "
                    f"`{existing.root}` and `{member_root}`"
                )
            members[member.name] = member
    for member in members.values():
        if member.root != root and _workspace_table(member.pyproject) is not None:
            raise WorkspaceError(
                "Nested workspaces are not supported, but workspace member has a "
                f"`tool.uv.workspace` table: {member.root}"
            )
    return MappingProxyType(dict(sorted(members.items())))


def _read_member(member_root: Path, member_glob: str) -> PyProject | None:
    """The member's `pyproject.toml`, or None for entries uv skips (files, hidden or empty
    directories)."""
    path = member_root / "pyproject.toml"
    if path.is_file():
        return read_pyproject(path)
    if not member_root.is_dir() or member_root.name.startswith("."):
        return None
    if not any(files for _, _, files in os.walk(member_root)):
        return None
    raise WorkspaceError(
        f"Workspace member `{member_root}` is missing a `pyproject.toml` (matches: `{member_glob}`)"
    )


def _as_member(root: Path, pyproject: PyProject) -> Member:
    name = pyproject.normalized_name
    if name is None:
        raise WorkspaceError(f"No `project` table found in: {pyproject.path}")
    return Member(name, root, pyproject)


def _check_sources(pyproject: PyProject) -> None:
    """Validate `[tool.uv.sources]` as uv does when it reads a `pyproject.toml` (without
    importing the validator, and what it imports, when there are none)."""
    if not (pyproject.tool_uv or {}).get("sources"):
        return
    from puv.project.sources import parse_sources

    parse_sources(pyproject)


def _required_members(
    members: Mapping[str, Member], root_sources: Mapping[str, Any], root: PyProject
) -> Mapping[str, bool | None]:
    """Members referenced as `{ workspace = true }` by another member, with their `editable`."""
    from puv.project.settings_schema import normalize_name

    def references() -> Iterator[tuple[str, Any]]:
        for name, entry in root_sources.items():
            if normalize_name(name) != root.normalized_name:
                yield normalize_name(name), entry
        for member_name, member in members.items():
            for name, entry in _sources_of(member.pyproject).items():
                if normalize_name(name) != member_name:
                    yield normalize_name(name), entry

    required: dict[str, bool | None] = {}
    for name, entry in references():
        for source in entry if isinstance(entry, list) else [entry]:
            if not isinstance(source, dict) or source.get("workspace") is not True:
                continue
            editable = source.get("editable")
            previous = required.get(name)
            required[name] = editable
            if previous is not None and editable is not None and previous != editable:
                raise WorkspaceError(
                    f"Workspace member `{name}` was requested as both `editable = true` and "
                    "`editable = false`"
                )
    return MappingProxyType(required)


def _workspace_table(pyproject: PyProject) -> Mapping[str, Any] | None:
    table = (pyproject.tool_uv or {}).get("workspace")
    return table if isinstance(table, dict) else None


def _sources_of(pyproject: PyProject) -> Mapping[str, Any]:
    table = (pyproject.tool_uv or {}).get("sources")
    return table if isinstance(table, dict) else {}


def _normalized_glob(pattern: str) -> str:
    """The glob with `./` and `..` segments resolved lexically, as uv's `normalize_path`."""
    return str(PurePosixPath(os.path.normpath(pattern)))


def _glob_directories(root: Path, member_glob: str) -> list[Path]:
    pattern = os.path.join(glob.escape(str(root)), _normalized_glob(member_glob))
    matches = glob.glob(pattern, recursive=True, include_hidden=True)
    return [Path(os.path.normpath(match)) for match in sorted(matches)]


def _matches(project: Path, root: Path, pattern: str) -> bool:
    """`glob::Pattern::matches_path` semantics: `*` also matches `/`."""
    normalized = _normalized_glob(pattern)
    if os.path.isabs(normalized):
        return fnmatch.fnmatchcase(str(project), normalized)
    try:
        relative = project.relative_to(root)
    except ValueError:
        return False
    return fnmatch.fnmatchcase(relative.as_posix(), normalized)


def _is_included(project: Path, root: Path, workspace: Mapping[str, Any]) -> bool:
    return any(_matches(project, root, pattern) for pattern in workspace.get("members", ()))


def _is_excluded(project: Path, root: Path, workspace: Mapping[str, Any]) -> bool:
    return any(_matches(project, root, pattern) for pattern in workspace.get("exclude", ()))
