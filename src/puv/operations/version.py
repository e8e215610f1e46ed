"""Reading the project's version (`puv version`); bumping arrives with lock and sync."""

from __future__ import annotations

from dataclasses import dataclass

from puv.core.errors import PuvError
from puv.operations.context import Context
from puv.project.pyproject import find_pyproject, read_pyproject
from puv.project.toml_read import display_path


@dataclass(frozen=True, slots=True)
class ProjectVersion:
    """The normalized project name and its static version."""

    name: str
    version: str


def project_version(ctx: Context, project_dir: str | None = None) -> ProjectVersion:
    """The name and version of the nearest project, as `uv version` reads them."""
    start = ctx.cwd / project_dir if project_dir else ctx.cwd
    path = find_pyproject(start)
    if path is None:
        raise PuvError(
            "No `pyproject.toml` found in current directory or any parent directory",
            hint="If you meant to view puv's version, use `puv --version` instead",
        )
    project = read_pyproject(path)
    if project.name is None:
        raise PuvError(f"Missing `project.name` field in: {display_path(project.path, ctx.cwd)}")
    if project.version is None:
        if "version" in project.dynamic:
            raise PuvError(
                f"We cannot get or set dynamic project versions in: {display_path(project.path, ctx.cwd)}"
            )
        raise PuvError(f"Missing `project.version` field in: {display_path(project.path, ctx.cwd)}")
    return ProjectVersion(project.normalized_name or project.name, project.version)
