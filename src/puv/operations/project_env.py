"""The project's environment: where it is, which interpreter it needs, and creating or
recreating it when that changes (uv's `ProjectEnvironment::get_or_init`).

The path is `<workspace root>/.venv`, or `UV_PROJECT_ENVIRONMENT` (relative to the workspace
root), or with `--active` the active `VIRTUAL_ENV` (an active environment that is not the
project's is otherwise ignored, with uv's warning). The interpreter is asked for as uv asks:
`--python`, else the `.python-version` found from the workspace root, else the workspace's
`requires-python`. An existing environment is kept when its interpreter satisfies that request
and `requires-python`; otherwise a system interpreter is found and the environment is
(re)created, with uv's `Using ...`, `Removed ...` and `Creating ...` lines.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from puv.core.env import env_value
from puv.core.errors import PuvError
from puv.core.paths import user_display
from puv.operations.context import Context
from puv.python.interpreter import Interpreter

if TYPE_CHECKING:
    from puv.core.requires_python import RequiresPython
    from puv.operations.python_ops import ResolvedRequest
    from puv.project.workspace import Workspace

__all__ = [
    "EnvironmentState",
    "ProjectEnvironment",
    "environment_path",
    "project_environment",
    "workspace_python",
]

EnvironmentState = Literal["existing", "created", "replaced", "would-create", "would-replace"]


class ProjectEnvironment(NamedTuple):
    """The project's environment: its root, the interpreter inside it, and what was done to it
    (`would-*` under `--dry-run`: `interpreter` is then the one it would be made with)."""

    root: Path
    interpreter: Interpreter
    state: EnvironmentState

    @property
    def exists(self) -> bool:
        """Whether the environment is on disk (not only planned by a dry run)."""
        return not self.state.startswith("would-")


def environment_path(
    ctx: Context, workspace_root: Path, *, active: bool | None, warn: bool = True
) -> Path:
    """The project environment's path (uv's `environment_selection`).

    `active` is `--active` (True), `--no-active` (False) or neither (None); with None, an active
    `VIRTUAL_ENV` that is not the project environment is ignored with uv's warning.
    """
    override = env_value("UV_PROJECT_ENVIRONMENT", os.environ)
    project_path = workspace_root / override if override else workspace_root / ".venv"
    active_env = os.environ.get("VIRTUAL_ENV")
    if active_env:
        from_active = ctx.cwd / active_env
        if active:
            return from_active
        if active is None and warn and not _same_path(from_active, project_path):
            ctx.printer.warn(
                f"`VIRTUAL_ENV={active_env}` does not match the project environment path "
                f"`{user_display(project_path, ctx.cwd)}` and will be ignored; use `--active` to "
                "target the active environment instead"
            )
    return project_path


def workspace_python(
    ctx: Context,
    workspace: Workspace,
    python: str | None,
    groups: Collection[str] = (),
    *,
    no_config: bool = False,
) -> tuple[ResolvedRequest, RequiresPython | None]:
    """The Python request for the workspace (`--python`, `.python-version`, `requires-python`)
    and the workspace's `requires-python` (with the enabled `groups`' own ranges)."""
    from puv.operations.python_ops import ProjectPython, resolve_request

    requires_python = workspace.requires_python(groups)
    kind = "workspace" if workspace.is_non_project else "project"
    project = ProjectPython(workspace.root, kind, requires_python)
    resolved = resolve_request(ctx, python, workspace.root, project, no_config=no_config)
    return resolved, requires_python


def project_environment(
    ctx: Context,
    workspace: Workspace,
    *,
    python: str | None = None,
    active: bool | None = None,
    groups: Collection[str] = (),
    dry_run: bool = False,
    no_config: bool = False,
    root: Path | None = None,
    keep_incompatible: bool = False,
) -> ProjectEnvironment:
    """The project's environment (at `root` when given), created (or recreated) when missing
    or incompatible (kept as it is with `keep_incompatible`, as `run --no-sync` does).

    Prints uv's `Using ...` line for the interpreter a new environment is made with, then
    `Removed virtual environment at: ...` and `Creating virtual environment at: ...` (nothing is
    written under `dry_run`). Raises `PuvError` when no interpreter fits or the path holds
    something that is not a virtual environment.
    """
    root = root or environment_path(ctx, workspace.root, active=active)
    resolved, requires_python = workspace_python(
        ctx, workspace, python, groups, no_config=no_config
    )
    existing = _existing_interpreter(ctx, root)
    if existing is not None and (
        keep_incompatible or _compatible(existing, resolved, requires_python)
    ):
        return ProjectEnvironment(root, existing, "existing")
    interpreter = _find_base_interpreter(ctx, resolved)
    printer = ctx.printer
    shown = user_display(interpreter.sys_executable, ctx.cwd)
    from puv.python.discovery import is_managed

    if is_managed(interpreter, os.environ):
        printer.status(f"Using {interpreter.display_name}")
    else:
        printer.status(
            f"Using {interpreter.display_name} interpreter at: {printer.style(shown, 'cyan')}"
        )
    _check_requires_python(ctx, interpreter, resolved, requires_python)
    replace = _replaceable(root)
    if dry_run:
        return ProjectEnvironment(root, interpreter, "would-replace" if replace else "would-create")
    shown_root = printer.style(user_display(root, ctx.cwd), "cyan")
    if replace:
        printer.status(f"Removed virtual environment at: {shown_root}")
    printer.status(f"Creating virtual environment at: {shown_root}")
    created = _create(ctx, workspace, root, interpreter)
    return ProjectEnvironment(root, created, "replaced" if replace else "created")


def _same_path(left: Path, right: Path) -> bool:
    try:
        return os.path.samefile(left, right)
    except OSError:
        return os.path.normpath(left) == os.path.normpath(right)


def _existing_interpreter(ctx: Context, root: Path) -> Interpreter | None:
    """The interpreter of the environment at `root`, or None when there is none (or it is
    broken: it will be recreated)."""
    if not (root / "pyvenv.cfg").is_file():
        return None
    from puv.python.probe import InterpreterProbeError, probe_interpreter

    executable = root / "bin" / "python"
    try:
        return probe_interpreter(executable, None if ctx.no_cache else ctx.cache)
    except InterpreterProbeError as err:
        ctx.printer.debug(f"Ignoring the environment at `{root}`: {err.message}")
        return None


def _compatible(
    interpreter: Interpreter, resolved: ResolvedRequest, requires_python: RequiresPython | None
) -> bool:
    """Whether an existing environment's interpreter fits the request and `requires-python`."""
    if resolved.request is not None and not resolved.request.satisfied_by(interpreter):
        return False
    if requires_python is not None:
        from packaging.version import Version

        return requires_python.contains(Version(interpreter.version), prereleases=True)
    return True


def _find_base_interpreter(ctx: Context, resolved: ResolvedRequest) -> Interpreter:
    """A system interpreter for the request (never one inside a virtual environment)."""
    from puv.operations.python_ops import discovery_settings
    from puv.python.discovery import EnvironmentPreference, find_python
    from puv.python.request import DEFAULT_REQUEST

    settings = discovery_settings(ctx, EnvironmentPreference.ONLY_SYSTEM)
    return find_python(resolved.request or DEFAULT_REQUEST, settings).interpreter


def _check_requires_python(
    ctx: Context,
    interpreter: Interpreter,
    resolved: ResolvedRequest,
    requires_python: RequiresPython | None,
) -> None:
    """uv's error when the interpreter found is outside the workspace's `requires-python`."""
    if requires_python is None:
        return
    from packaging.version import Version

    if requires_python.contains(Version(interpreter.version), prereleases=True):
        return
    from puv.python.request import format_specifiers

    wanted = format_specifiers(requires_python)
    version = interpreter.version
    if resolved.source == "explicit request":
        message = (
            f"The requested interpreter resolved to Python {version}, which is incompatible with "
            f"the project's Python requirement: `{wanted}`"
        )
        raise PuvError(message)
    if resolved.version_file is not None:
        shown = user_display(resolved.version_file.path, ctx.cwd)
        raise PuvError(
            f"The Python request from `{shown}` resolved to Python {version}, which is "
            f"incompatible with the project's Python requirement: `{wanted}`\n"
            "Use `puv python pin` to update the `.python-version` file to a compatible version"
        )
    raise PuvError(
        f"The resolved Python interpreter (Python {version}) is incompatible with the project's "
        f"Python requirement: `{wanted}`"
    )


def _replaceable(root: Path) -> bool:
    """Whether something at `root` must be removed first: a virtual environment. Anything else
    that is not an empty directory is uv's error."""
    if (root / "pyvenv.cfg").exists():
        return True
    if not root.exists():
        return False
    if root.is_dir() and not any(root.iterdir()):
        return False
    raise PuvError(
        f"Project virtual environment directory `{root}` cannot be used because it is not a "
        "compatible environment but cannot be recreated because it is not a virtual environment"
    )


def _create(ctx: Context, workspace: Workspace, root: Path, base: Interpreter) -> Interpreter:
    """Create the environment at `root` from `base`; returns the interpreter inside it."""
    from puv.install.venv import OnExisting, VenvCreationError, create_venv
    from puv.python.probe import probe_interpreter

    prompt = workspace.pyproject.normalized_name or workspace.root.name
    try:
        venv = create_venv(root, base, prompt=prompt, on_existing=OnExisting.CLEAR_ANY, cwd=ctx.cwd)
    except VenvCreationError as exc:
        raise PuvError(
            "Failed to create virtual environment", causes=[exc.message, *exc.causes], hint=exc.hint
        ) from exc
    return probe_interpreter(venv.python, None if ctx.no_cache else ctx.cache)
