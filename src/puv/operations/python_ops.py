"""Python interpreter use cases: find one for a command, and `puv python find|list|pin|dir`.

The request precedence is uv's: an explicit request (`--python`, `UV_PYTHON`), else the nearest
`.python-version`/`.python-versions` (not above the workspace root; else the global pin), else the
project's `requires-python`, else the first interpreter found.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from packaging.version import Version

from puv.core.errors import FailureError, PuvError, PythonNotFound
from puv.core.paths import user_display
from puv.operations.context import Context
from puv.python.discovery import (
    DiscoverySettings,
    EnvironmentPreference,
    PythonPreference,
    PythonSource,
    find_all_pythons,
    find_python,
    is_managed,
    managed_python_dir,
    python_bin_dir,
)
from puv.python.interpreter import Interpreter
from puv.python.request import (
    ANY_REQUEST,
    DEFAULT_REQUEST,
    IMPLEMENTATION_RANK,
    PythonRequest,
    RequestKind,
    format_specifiers,
    parse_request,
    requires_python_request,
)
from puv.python.version_file import (
    PYTHON_VERSION_FILENAME,
    PythonVersionFile,
    find_version_file,
    global_version_file,
    read_version_file,
    write_version_file,
)

if TYPE_CHECKING:  # imported where a project has `requires-python` (it pulls `packaging.tags`)
    from puv.core.requires_python import RequiresPython


class ProjectPython(NamedTuple):
    """What the enclosing project says about Python: its workspace root and `requires-python`."""

    root: Path  # the workspace root: `.python-version` discovery stops here
    kind: str  # "project" | "workspace" (a virtual workspace root without `[project]`)
    requires_python: RequiresPython | None


class ResolvedRequest(NamedTuple):
    """The request to search with and where it came from."""

    request: PythonRequest | None
    source: str  # "explicit request" | "version file at `...`" | "`requires-python` metadata"
    version_file: PythonVersionFile | None
    project: ProjectPython | None


class ListedPython(NamedTuple):
    """One row of `puv python list`."""

    interpreter: Interpreter
    path: Path  # the executable as found on disk
    managed: bool
    display: str  # the path as uv shows it (relative to the working directory when inside it)
    link_display: str | None  # the symlink target as stored, when the path is a symlink


class PinOutcome(NamedTuple):
    """What `puv python pin` did or shows."""

    message: str  # the stdout line(s)


def find_interpreter(
    ctx: Context,
    request: str | None,
    *,
    project_dir: Path | None = None,
    no_config: bool = False,
    environments: EnvironmentPreference = EnvironmentPreference.ONLY_SYSTEM,
    preference: PythonPreference | None = None,
) -> Interpreter:
    """The interpreter a command should use, applying uv's full request precedence.

    `request` is `--python`/`UV_PYTHON` (already merged by the CLI). By default only system
    interpreters are considered, as when uv creates an environment; `preference` defaults to
    the context's `python_preference`, else `managed`.
    """
    directory = project_dir or ctx.cwd
    project = discover_project(directory, ctx)
    resolved = resolve_request(ctx, request, directory, project, no_config=no_config)
    settings = discovery_settings(ctx, environments, preference=preference)
    return find_python(resolved.request or DEFAULT_REQUEST, settings).interpreter


def python_find(
    ctx: Context,
    request: str | None,
    *,
    no_project: bool = False,
    system: bool = False,
    no_config: bool = False,
    preference: PythonPreference | None = None,
    project_dir: Path | None = None,
) -> Interpreter:
    """`puv python find`: the interpreter for the request, warning when the project rejects it."""
    directory = project_dir or ctx.cwd
    project = None if no_project else discover_project(directory, ctx)
    resolved = resolve_request(ctx, request, directory, project, no_config=no_config)
    environments = EnvironmentPreference.ONLY_SYSTEM if system else EnvironmentPreference.ANY
    settings = discovery_settings(ctx, environments, preference=preference, system_flag=system)
    interpreter = find_python(resolved.request or DEFAULT_REQUEST, settings).interpreter
    warning = _requires_python_conflict(interpreter, resolved, ctx.cwd)
    if warning:
        ctx.printer.warn(warning)
    return interpreter


def python_list(
    ctx: Context, request: str | None, preference: PythonPreference | None = None
) -> list[ListedPython]:
    """`puv python list`: installed interpreters, best first (downloads are not listed yet)."""
    parsed = ANY_REQUEST if request is None else parse_request(request, cwd=ctx.cwd)
    preference = _preference(ctx, preference)
    search_preference = (
        PythonPreference.MANAGED if preference is PythonPreference.ONLY_MANAGED else preference
    )
    settings = discovery_settings(
        ctx, EnvironmentPreference.ONLY_SYSTEM, preference=search_preference
    )
    rows: dict[Path, ListedPython] = {}
    for installation in find_all_pythons(parsed, settings):
        interpreter = installation.interpreter
        managed = installation.source is PythonSource.MANAGED
        if preference is not search_preference and not is_managed(interpreter, os.environ):
            continue  # only-managed was widened to see links into the managed directory
        path = interpreter.path
        link = user_display(Path(os.readlink(path)), ctx.cwd) if path.is_symlink() else None
        shown = user_display(path, ctx.cwd)
        rows.setdefault(path, ListedPython(interpreter, path, managed, shown, link))
    return sorted(rows.values(), key=_list_order, reverse=True)


def python_pin(
    ctx: Context,
    request: str | None,
    *,
    resolved: bool = False,
    global_pin: bool = False,
    rm: bool = False,
    no_project: bool = False,
    preference: PythonPreference | None = None,
    project_dir: Path | None = None,
) -> PinOutcome:
    """`puv python pin`: show, write or remove the `.python-version` of `project_dir` (or cwd)."""
    directory = project_dir or ctx.cwd
    project = None if no_project else discover_project(directory, ctx, quiet=True)
    existing_path = find_version_file(directory, include_local=not global_pin)
    if rm:
        return _remove_pin(ctx, existing_path, global_pin)
    if request is None:
        if existing_path is None:
            raise PuvError("No Python version file found; specify a version to create one")
        existing = read_version_file(existing_path, ctx.printer.warn)
        for pin in existing.requests:
            _warn_if_pin_incompatible(ctx, pin, project, preference)
        return PinOutcome("\n".join(pin.to_canonical_string() for pin in existing.requests))
    parsed = parse_request(request, cwd=ctx.cwd)
    if parsed.kind is RequestKind.EXECUTABLE_NAME:
        raise PuvError(
            f"Requests for arbitrary names (e.g., `{parsed.name}`) are not supported in version "
            "files"
        )
    interpreter = _find_for_pin(ctx, parsed, resolved, preference)
    if project is not None:
        pinned_version = parsed.as_pep440_version()
        if pinned_version is not None:
            problem = _pin_conflict(parsed, pinned_version, project, resolved=False, existing=False)
            if problem:
                raise PuvError(problem)
        elif interpreter is not None:
            problem = _pin_conflict(
                parsed, Version(interpreter.version), project, resolved=True, existing=False
            )
            if problem and resolved:
                raise PuvError(problem)
            if problem:
                ctx.printer.warn(problem)
    if resolved:
        assert interpreter is not None
        parsed = parse_request(str(interpreter.sys_executable), cwd=ctx.cwd)
    target = global_version_file() if global_pin else directory / PYTHON_VERSION_FILENAME
    previous = None
    if existing_path is not None and existing_path == target:
        previous = read_version_file(existing_path, ctx.printer.warn).request
    write_version_file(target, (parsed,))
    shown = user_display(target, ctx.cwd)
    new = parsed.to_canonical_string()
    if previous is not None and previous.to_canonical_string() != new:
        return PinOutcome(f"Updated `{shown}` from `{previous.to_canonical_string()}` -> `{new}`")
    return PinOutcome(f"Pinned `{shown}` to `{new}`")


def python_dir(*, bin_dir: bool = False) -> Path:
    """`puv python dir`: uv's managed install directory, or (`--bin`) its executable directory."""
    return python_bin_dir(os.environ) if bin_dir else managed_python_dir(os.environ)


def preference_from_flags(
    *, managed_python: bool, no_managed_python: bool, python_preference: str | None
) -> PythonPreference:
    """`--managed-python` means only-managed, `--no-managed-python` only-system; else the setting."""
    if managed_python:
        return PythonPreference.ONLY_MANAGED
    if no_managed_python:
        return PythonPreference.ONLY_SYSTEM
    return PythonPreference(python_preference or "managed")


def _preference(ctx: Context, preference: PythonPreference | None) -> PythonPreference:
    """`preference`, else the context's `python_preference`, else `managed`."""
    if preference is not None:
        return preference
    return PythonPreference(getattr(ctx, "python_preference", None) or "managed")


def discovery_settings(
    ctx: Context,
    environments: EnvironmentPreference,
    *,
    preference: PythonPreference | None = None,
    system_flag: bool = False,
) -> DiscoverySettings:
    """Discovery inputs for this command: environment, cwd, cache, preferences, debug output."""
    chosen = _preference(ctx, preference)
    if system_flag and chosen is PythonPreference.MANAGED:
        chosen = PythonPreference.SYSTEM
    return DiscoverySettings(
        environ=os.environ,
        cwd=ctx.cwd,
        cache=None if ctx.no_cache else ctx.cache,
        preference=chosen,
        environments=environments,
        debug=ctx.printer.debug,
    )


def resolve_request(
    ctx: Context,
    request: str | None,
    directory: Path,
    project: ProjectPython | None,
    *,
    no_config: bool = False,
) -> ResolvedRequest:
    """Apply the precedence: explicit request > version file > `requires-python` > none."""
    if request is not None:
        parsed = parse_request(request, cwd=ctx.cwd)
        ctx.printer.debug(
            f"Using Python request `{parsed.to_canonical_string()}` from explicit request"
        )
        return ResolvedRequest(parsed, "explicit request", None, project)
    version_file = _discover_version_file(ctx, directory, project, no_config)
    if version_file is not None and version_file.request is not None:
        source = f"version file at `{user_display(version_file.path, ctx.cwd)}`"
        ctx.printer.debug(
            f"Using Python request `{version_file.request.to_canonical_string()}` from {source}"
        )
        return ResolvedRequest(version_file.request, source, version_file, project)
    if project is not None and project.requires_python is not None:
        from_metadata = requires_python_request(project.requires_python)
        if from_metadata is not None:
            ctx.printer.debug(
                f"Using Python request `{from_metadata.to_canonical_string()}` from "
                "`requires-python` metadata"
            )
            return ResolvedRequest(from_metadata, "`requires-python` metadata", None, project)
    return ResolvedRequest(None, "default", None, project)


def discover_project(start: Path, ctx: Context, *, quiet: bool = False) -> ProjectPython | None:
    """The project or workspace enclosing `start`, or None (a bad `pyproject.toml` is warned about).

    Minimal workspace discovery for Python selection: the nearest `pyproject.toml` with a
    `[project]` or `[tool.uv.workspace]` table, and the workspace root whose `members` include it.
    """
    for directory in (start, *start.parents):
        pyproject = directory / "pyproject.toml"
        if not pyproject.is_file():
            continue
        data = _read_pyproject(pyproject, ctx, quiet)
        if data is None:
            return None
        has_project = isinstance(data.get("project"), dict)
        if not has_project and _workspace_table(data) is None:
            return None
        requires = [_requires_python(data, pyproject)] if has_project else []
        root, kind = directory, "project" if has_project else "workspace"
        parents = [] if _workspace_table(data) is not None else directory.parents
        for parent in parents:
            parent_pyproject = parent / "pyproject.toml"
            if not parent_pyproject.is_file():
                continue
            parent_data = _read_pyproject(parent_pyproject, ctx, quiet=True)
            workspace = _workspace_table(parent_data) if parent_data else None
            if workspace is not None and _is_member(parent, directory, workspace):
                root = parent
                if parent_data is not None and isinstance(parent_data.get("project"), dict):
                    requires.append(_requires_python(parent_data, parent_pyproject))
                break
        specifiers = [spec for spec in requires if spec is not None]
        combined = None
        if specifiers:
            combined = specifiers[0]
            for spec in specifiers[1:]:
                combined &= spec
        return ProjectPython(root, kind, combined)
    return None


def _discover_version_file(
    ctx: Context, directory: Path, project: ProjectPython | None, no_config: bool
) -> PythonVersionFile | None:
    path = find_version_file(directory, stop_at=project.root if project else None)
    if path is None:
        ctx.printer.debug(
            f"No Python version file found in ancestors of working directory: {directory}"
        )
        return None
    if no_config:
        ctx.printer.debug(f"Ignoring Python version file at `{path}` due to `--no-config`")
        return None
    version_file = read_version_file(path, ctx.printer.warn)
    is_global = path == global_version_file()
    if is_global and project is not None and project.requires_python is not None:
        pinned = version_file.request.as_pep440_version() if version_file.request else None
        if pinned is not None and not project.requires_python.contains(pinned, prereleases=True):
            ctx.printer.debug(f"Ignoring global Python version file at `{path}`: incompatible")
            return None
    return version_file


def _requires_python_conflict(
    interpreter: Interpreter, resolved: ResolvedRequest, cwd: Path
) -> str | None:
    """uv's warning when the found interpreter does not satisfy the project's `requires-python`."""
    project = resolved.project
    if project is None or project.requires_python is None:
        return None
    version = Version(interpreter.version)
    if project.requires_python.contains(version, prereleases=True):
        return None
    requirement = format_specifiers(project.requires_python)
    origin = " (from `project.requires-python`)" if project.kind == "project" else ""
    if resolved.version_file is not None:
        return (
            f"The Python request from `{user_display(resolved.version_file.path, cwd)}` "
            f"resolved to Python {version}, which is incompatible with the project's Python "
            f"requirement: `{requirement}`{origin}\n"
            "Use `puv python pin` to update the `.python-version` file to a compatible version"
        )
    if resolved.source == "explicit request":
        return (
            f"The requested interpreter resolved to Python {version}, which is incompatible with "
            f"the project's Python requirement: `{requirement}`{origin}"
        )
    return (
        f"The resolved Python interpreter (Python {version}) is incompatible with the project's "
        f"Python requirement: `{requirement}`{origin}"
    )


def _find_for_pin(
    ctx: Context, request: PythonRequest, resolved: bool, preference: PythonPreference | None
) -> Interpreter | None:
    """The interpreter a pin resolves to; only `--resolved` makes a missing one an error."""
    settings = discovery_settings(ctx, EnvironmentPreference.ONLY_SYSTEM, preference=preference)
    try:
        return find_python(request, settings).interpreter
    except PythonNotFound as exc:
        if resolved:
            raise
        ctx.printer.warn(exc.message)
    except PuvError as exc:
        if resolved:
            raise
        ctx.printer.debug(exc.message)
    return None


def _pin_conflict(
    request: PythonRequest, version: Version, project: ProjectPython, *, resolved: bool,
    existing: bool,
) -> str | None:  # fmt: skip
    """uv's message when a pin does not satisfy the project's `requires-python`."""
    if project.requires_python is None or project.requires_python.contains(
        version, prereleases=True
    ):
        return None
    given = "pinned" if existing else "requested"
    resolves = f" resolves to `{version}` which " if resolved else ""
    return (
        f"The {given} Python version `{request.to_canonical_string()}`{resolves} is incompatible "
        f"with the {project.kind} `requires-python` value of "
        f"`{format_specifiers(project.requires_python)}`."
    )


def _warn_if_pin_incompatible(
    ctx: Context,
    pin: PythonRequest,
    project: ProjectPython | None,
    preference: PythonPreference | None,
) -> None:
    if project is None:
        return
    version = pin.as_pep440_version()
    if version is not None:
        problem = _pin_conflict(pin, version, project, resolved=False, existing=True)
        if problem:
            ctx.printer.warn(problem)
        return
    try:
        settings = discovery_settings(ctx, EnvironmentPreference.ONLY_SYSTEM, preference=preference)
        interpreter = find_python(pin, settings)
    except PuvError as exc:
        ctx.printer.warn(
            f"Failed to resolve pinned Python version `{pin.to_canonical_string()}`: {exc.message}"
        )
        return
    problem = _pin_conflict(
        pin, Version(interpreter.interpreter.version), project, resolved=True, existing=True
    )
    if problem:
        ctx.printer.warn(problem)


def _remove_pin(ctx: Context, path: Path | None, global_pin: bool) -> PinOutcome:
    if path is None:
        raise PuvError(
            "No global Python pin found" if global_pin else "No Python version file found"
        )
    if not global_pin and path == global_version_file():
        raise PuvError("No Python version file found; use `--rm --global` to remove the global pin")
    try:
        path.unlink()
    except OSError as exc:
        raise FailureError(f"Failed to remove `{path}`", causes=[exc.strerror or str(exc)]) from exc
    what = "global Python pin" if global_pin else "Python version file"
    return PinOutcome(f"Removed {what} at `{user_display(path, ctx.cwd)}`")


def _list_order(row: ListedPython) -> tuple:
    """uv's order: implementation, version, then variant (default first), then path."""
    interpreter = row.interpreter
    return (
        IMPLEMENTATION_RANK.get(interpreter.implementation, -1),
        Version(interpreter.version),
        not interpreter.gil_disabled,
        not interpreter.debug_enabled,
        not row.managed,
        str(row.path),
    )


def _read_pyproject(path: Path, ctx: Context, quiet: bool) -> dict[str, object] | None:
    import tomllib

    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        message = f"Failed to parse `{user_display(path, ctx.cwd)}`: {exc}"
        if quiet:
            ctx.printer.debug(message)
        else:
            ctx.printer.warn(message)
        return None


def _workspace_table(data: dict[str, object]) -> dict[str, object] | None:
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    workspace = uv.get("workspace") if isinstance(uv, dict) else None
    return workspace if isinstance(workspace, dict) else None


def _is_member(root: Path, directory: Path, workspace: dict[str, object]) -> bool:
    import glob

    def matches(key: str) -> bool:
        patterns = workspace.get(key) or []
        if not isinstance(patterns, list):
            return False
        for pattern in patterns:
            for hit in glob.glob(str(root / str(pattern))):
                if Path(hit).resolve() == directory.resolve():
                    return True
        return False

    return directory == root or (matches("members") and not matches("exclude"))


def _requires_python(data: dict[str, object], path: Path) -> RequiresPython | None:
    project = data.get("project")
    value = project.get("requires-python") if isinstance(project, dict) else None
    if value is None:
        return None
    from puv.core.requires_python import InvalidRange, RequiresPython

    try:
        return RequiresPython(str(value))
    except InvalidRange as exc:
        raise PuvError(
            f"Failed to parse `{path}`",
            causes=[f"invalid `project.requires-python` value `{value}`: {exc}"],
        ) from exc
