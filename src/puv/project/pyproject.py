"""A minimal `pyproject.toml` reader: the `[project]` fields puv needs and `[tool.uv]` as data.

Validation follows uv's: a `[project]` table needs `name` and a `version` (or `dynamic =
["version"]`), `name` must be a valid package name, `version` a PEP 440 version and
`requires-python` PEP 440 specifiers; `[tool.uv]`'s `managed` and `package` are booleans. A
violation raises uv's `Failed to parse: pyproject.toml` with the caret block at the offending value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from puv.project.settings_schema import (
    Boolean,
    ListOf,
    MapOf,
    SchemaError,
    Table,
    Text,
    normalize_name,
    package_name_error,
    specifiers_error,
    version_error,
)
from puv.project.toml_read import TomlDocument, TomlParseError, display_path, read_toml

__all__ = ["PyProject", "find_pyproject", "read_pyproject"]

_STRINGS = ListOf(Text())
_PROJECT = Table(
    "struct Project",
    {
        "name": Text(validate=package_name_error),
        "version": Text(validate=version_error),
        "requires-python": Text(validate=specifiers_error),
        "dependencies": _STRINGS,
        "optional-dependencies": MapOf(_STRINGS),
        "dynamic": _STRINGS,
    },
    deny_unknown=False,
)
_TOOL_UV = Table("struct ToolUv", {"managed": Boolean(), "package": Boolean()}, deny_unknown=False)


class PyProject(NamedTuple):
    """What puv reads from one `pyproject.toml`; `document` keeps the text for diagnostics."""

    document: TomlDocument
    name: str | None
    version: str | None
    requires_python: str | None
    dependencies: tuple[str, ...]
    optional_dependencies: Mapping[str, tuple[str, ...]]
    dynamic: tuple[str, ...]
    tool_uv: Mapping[str, Any] | None

    @property
    def path(self) -> Path:
        """The file's path."""
        return self.document.path

    @property
    def directory(self) -> Path:
        """The project directory (the file's parent)."""
        return self.document.path.parent

    @property
    def data(self) -> dict[str, Any]:
        """The whole parsed document."""
        return self.document.data

    @property
    def has_project_table(self) -> bool:
        """Whether the file has a `[project]` table (otherwise it is a virtual/legacy project)."""
        return "project" in self.document.data

    @property
    def normalized_name(self) -> str | None:
        """`name` in PEP 503 normal form."""
        return None if self.name is None else normalize_name(self.name)

    def error(
        self, message: str, keys: Sequence[str | int] = (), *, at: str = "value"
    ) -> TomlParseError:
        """uv's `Failed to parse: pyproject.toml` error pointing at `keys` (for callers' checks)."""
        block = self.document.diagnostic(message, keys, at=at)
        return TomlParseError(display_path(self.path), block)


def find_pyproject(start: Path) -> Path | None:
    """The nearest `pyproject.toml` in `start` or one of its parents."""
    directory = Path(os.path.abspath(start))
    for ancestor in (directory, *directory.parents):
        candidate = ancestor / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_pyproject(path: Path) -> PyProject:
    """Read and validate `path`; invalid content raises uv's `Failed to parse: pyproject.toml`."""
    document = read_toml(path)
    data = document.data
    project = data.get("project")
    try:
        if project is not None:
            _PROJECT.check(project, ("project",))
            _check_required(project)
        tool = data.get("tool")
        tool_uv = tool.get("uv") if isinstance(tool, dict) else None
        if tool_uv is not None:
            _TOOL_UV.check(tool_uv, ("tool", "uv"))
    except SchemaError as error:
        block = document.diagnostic(error.message, error.keys, at=error.at)
        raise TomlParseError(display_path(path), block) from None
    project = project or {}
    optional = project.get("optional-dependencies", {})
    return PyProject(
        document=document,
        name=project.get("name"),
        version=project.get("version"),
        requires_python=project.get("requires-python"),
        dependencies=tuple(project.get("dependencies", ())),
        optional_dependencies=MappingProxyType(
            {extra: tuple(requirements) for extra, requirements in optional.items()}
        ),
        dynamic=tuple(project.get("dynamic", ())),
        tool_uv=MappingProxyType(tool_uv) if isinstance(tool_uv, dict) else None,
    )


def _check_required(project: dict[str, Any]) -> None:
    prefix = "`pyproject.toml` is using the `[project]` table, but the required"
    if "name" not in project:
        raise SchemaError(f"{prefix} `project.name` field is not set", ("project",))
    if "version" not in project and "version" not in project.get("dynamic", ()):
        raise SchemaError(
            f"{prefix} `project.version` field is neither set nor present in the "
            "`project.dynamic` list",
            ("project",),
        )
