"""PEP 735 `[dependency-groups]` as uv reads them.

`{ include-group = "x" }` entries are expanded (cycles and missing groups are uv's errors), the
legacy `tool.uv.dev-dependencies` list is appended to `dev`, and `[tool.uv.dependency-groups]
g = { requires-python = "..." }` both narrows the group's Python range and adds the matching
`python_full_version` marker to each of its requirements. `default-groups` is `["dev"]` unless
`tool.uv.default-groups` says otherwise (`"all"` or a list).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from msgspec import Struct

from puv.core.errors import PuvError
from puv.core.markers import Marker
from puv.project.dependency import Dependency, InvalidDependency, parse_dependency
from puv.project.pyproject import PyProject
from puv.project.settings_schema import normalize_name
from puv.project.toml_read import display_path

__all__ = [
    "DependencyGroup",
    "DependencyGroupError",
    "check_requested_groups",
    "default_groups",
    "read_dependency_groups",
]

DEV = "dev"


class DependencyGroupError(PuvError):
    """uv's `... has malformed dependency groups` (the specific problem is the cause)."""


class DependencyGroup(Struct, frozen=True):
    """A flattened group: its requirements (includes expanded, group Python markers applied) and
    the intersection of its and its included groups' `requires-python` (`None` when unset)."""

    name: str
    requirements: tuple[Dependency, ...]
    requires_python: str | None = None


class _Problem(Exception):
    def __init__(self, message: str, *causes: str) -> None:
        super().__init__(message)
        self.message = message
        self.causes = causes


def read_dependency_groups(
    pyproject: PyProject, *, cwd: Path | None = None
) -> Mapping[str, DependencyGroup]:
    """Every group of `pyproject` (normalized names, sorted), `dev` extended by the legacy
    `tool.uv.dev-dependencies`; raises `DependencyGroupError` as uv words it."""
    tool_uv = pyproject.tool_uv or {}
    legacy_dev = tool_uv.get("dev-dependencies")
    groups = _unique(
        pyproject,
        pyproject.data.get("dependency-groups") or {},
        ("dependency-groups",),
        "duplicate dependency group: `{}`",
    )
    settings = _unique(
        pyproject,
        tool_uv.get("dependency-groups") or {},
        ("tool", "uv", "dependency-groups"),
        "duplicate settings for dependency group `{}`",
    )
    try:
        flat = _flatten(groups, settings, has_legacy_dev=legacy_dev is not None)
    except _Problem as problem:
        raise DependencyGroupError(
            f"{_project_label(pyproject, cwd)} has malformed dependency groups",
            causes=[problem.message, *problem.causes],
        ) from None
    if legacy_dev is not None:
        extra = tuple(_parse_legacy(pyproject, legacy_dev))
        previous = flat.get(DEV)
        flat[DEV] = DependencyGroup(
            DEV,
            (previous.requirements if previous else ()) + extra,
            previous.requires_python if previous else None,
        )
    return MappingProxyType(dict(sorted(flat.items())))


def default_groups(pyproject: PyProject, groups: Mapping[str, DependencyGroup]) -> tuple[str, ...]:
    """The groups installed by default: `tool.uv.default-groups` (`"all"` or a list), else `dev`.

    A listed group the project does not define is uv's `Default group ... is not defined` error.
    """
    setting = (pyproject.tool_uv or {}).get("default-groups")
    if setting == "all":
        return tuple(groups)
    if setting is None:
        return (DEV,) if DEV in groups else ()
    names = tuple(normalize_name(name) for name in setting)
    for name in names:
        if name not in groups:
            raise PuvError(
                f"Default group `{name}` (from `tool.uv.default-groups`) is not defined in the "
                "project's `dependency-groups` table"
            )
    return names


def check_requested_groups(names: Sequence[str], groups: Mapping[str, DependencyGroup]) -> None:
    """uv's error for a `--group` the project does not define."""
    for name in names:
        if normalize_name(name) not in groups:
            raise PuvError(
                f"Group `{name}` is not defined in the project's `dependency-groups` table"
            )


def _unique(
    pyproject: PyProject, table: Mapping[str, Any], keys: tuple[str, ...], message: str
) -> dict[str, Any]:
    """`table` by normalized name; two spellings of one name are uv's parse error."""
    unique: dict[str, Any] = {}
    for name, value in table.items():
        normalized = normalize_name(name)
        if normalized in unique:
            raise pyproject.error(message.format(normalized), keys)
        unique[normalized] = value
    return unique


def _project_label(pyproject: PyProject, cwd: Path | None) -> str:
    package = pyproject.normalized_name or ""
    path = display_path(pyproject.directory, cwd)
    if not package:
        return f"`{path}`" if path else "Project"
    if path in ("", "."):
        return f"Project `{package}`"
    return f"Project `{package} @ {path}`"


def _flatten(
    groups: Mapping[str, Any], settings: Mapping[str, Any], *, has_legacy_dev: bool
) -> dict[str, DependencyGroup]:
    for name in settings:
        if name not in groups:
            if has_legacy_dev and name == DEV:
                raise _Problem(
                    "`[tool.uv.dependency-groups]` specifies the `dev` group, but only "
                    "`tool.uv.dev-dependencies` was found. To reference the `dev` group, remove "
                    "the `tool.uv.dev-dependencies` section and add any development dependencies "
                    "to the `dev` entry in the `[dependency-groups]` table instead."
                )
            raise _Problem(
                f"Failed to find group `{name}` specified in `[tool.uv.dependency-groups]`"
            )
    resolved: dict[str, DependencyGroup] = {}

    def resolve(name: str, parents: list[str]) -> None:
        if name in parents:
            cycle = " -> ".join(f"`{group}`" for group in [*parents, parents[0]])
            raise _Problem(f"Detected a cycle in `dependency-groups`: {cycle}")
        if name in resolved:
            return
        parents.append(name)
        requirements: list[Dependency] = []
        requires_python: list[str] = []
        entries = groups[name]
        if not isinstance(entries, list):
            raise _Problem(f"Group `{name}` must be a list of requirements, not `{entries}`")
        for entry in entries:
            if isinstance(entry, str):
                requirements.append(_parse_entry(name, entry))
            elif isinstance(entry, dict) and set(entry) == {"include-group"}:
                included = normalize_name(entry["include-group"])
                if included not in groups:
                    if has_legacy_dev and included == DEV:
                        raise _Problem(
                            f'Group `{name}` includes the `dev` group (`include = "dev"`), but '
                            "only `tool.uv.dev-dependencies` was found. To reference the `dev` "
                            "group via an `include`, remove the `tool.uv.dev-dependencies` "
                            "section and add any development dependencies to the `dev` entry in "
                            "the `[dependency-groups]` table instead."
                        )
                    raise _Problem(f"Failed to find group `{included}` included by `{name}`")
                resolve(included, parents)
                included_group = resolved[included]
                requirements.extend(included_group.requirements)
                if included_group.requires_python is not None:
                    requires_python.append(included_group.requires_python)
            elif isinstance(entry, dict):
                shown = ", ".join(f'"{key}": "{value}"' for key, value in sorted(entry.items()))
                raise _Problem(
                    f"Group `{name}` contains an unknown dependency object specifier: {{{shown}}}"
                )
            else:
                raise _Problem(f"Group `{name}` contains an invalid entry: `{entry}`")
        own = (settings.get(name) or {}).get("requires-python")
        if own is not None:
            requires_python.append(own)
            marker = Marker.from_requires_python(own)
            requirements = [dep.with_marker(dep.marker & marker) for dep in requirements]
        parents.pop()
        resolved[name] = DependencyGroup(
            name, tuple(requirements), ", ".join(requires_python) or None
        )

    for name in groups:
        resolve(name, [])
    return resolved


def _parse_entry(group: str, text: str) -> Dependency:
    try:
        return parse_dependency(text)
    except InvalidDependency as error:
        raise _Problem(f"Failed to parse entry in group `{group}`: `{text}`", str(error)) from None


def _parse_legacy(pyproject: PyProject, entries: Sequence[str]) -> list[Dependency]:
    parsed = []
    for index, text in enumerate(entries):
        try:
            parsed.append(parse_dependency(text))
        except InvalidDependency as error:
            raise pyproject.error(str(error), ("tool", "uv", "dev-dependencies", index)) from None
    return parsed
