"""`puv venv`: choose the interpreter and the path, then create the environment.

Two steps, so that the CLI can print uv's `Using ...` and `Creating ...` lines before creation
starts (and ask before replacing an environment): `plan_venv` finds the interpreter and the target,
`create_environment` writes it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal, NamedTuple

from puv.core.env import env_value
from puv.core.errors import PuvError
from puv.install.venv import (
    OnExisting,
    TargetKind,
    VenvCreationError,
    VirtualEnv,
    absolute_path,
    create_venv,
    inspect_target,
    user_display,
)
from puv.operations.context import Context
from puv.python.interpreter import Interpreter

__all__ = [
    "VenvPlan",
    "VenvRequest",
    "activation_command",
    "create_environment",
    "plan_venv",
]

_SHELL_SAFE = re.compile(r"[A-Za-z0-9@%+=:,./_-]+")


class VenvRequest(NamedTuple):
    """What the user asked for, flags and variables already merged."""

    path: str | None  # None: `.venv`, or `UV_PROJECT_ENVIRONMENT` at a project's root
    python: str | None
    prompt: str | None  # `.` means the current directory's name
    system_site_packages: bool = False
    relocatable: bool = False
    # an existing target: "clear" it, "allow" writing into it, "fail"; None: ask when possible
    existing: Literal["clear", "allow", "fail"] | None = None
    force: bool = False  # let "clear" remove a directory that is not a virtual environment
    project_dir: Path | None = None  # `--project`; the working directory when None
    no_project: bool = False
    no_config: bool = False


class VenvPlan(NamedTuple):
    """The interpreter and the target, decided before anything is written."""

    interpreter: Interpreter
    path: str  # as the user gave it, or the default
    shown_path: str  # as uv shows it
    shown_interpreter: str  # the interpreter's executable, as uv shows it
    prompt: str | None
    target: TargetKind
    request: VenvRequest


def plan_venv(ctx: Context, request: VenvRequest) -> VenvPlan:
    """Find the interpreter (`-p`, `.python-version`, `requires-python`, first found) and the path.

    Raises `PuvError` when no interpreter matches.
    """
    from puv.operations.python_ops import discover_project, find_interpreter

    project_dir = request.project_dir or ctx.cwd
    interpreter = find_interpreter(
        ctx, request.python, project_dir=project_dir, no_config=request.no_config
    )
    path = request.path
    if path is None:
        path = ".venv"
        project = None if request.no_project else discover_project(project_dir, ctx, quiet=True)
        # As uv: the project's environment only when run from the root without a path.
        if project is not None and project.root == project_dir:
            path = str(project_dir / (env_value("UV_PROJECT_ENVIRONMENT", os.environ) or ".venv"))
    prompt = ctx.cwd.name if request.prompt == "." else request.prompt
    return VenvPlan(
        interpreter=interpreter,
        path=path,
        shown_path=user_display(path, ctx.cwd),
        shown_interpreter=user_display(interpreter.sys_executable, ctx.cwd),
        prompt=prompt,
        target=inspect_target(absolute_path(path, ctx.cwd)),
        request=request,
    )


def create_environment(
    ctx: Context,
    plan: VenvPlan,
    confirm_replace: Callable[[str], bool] | None = None,
) -> VirtualEnv:
    """Create the planned environment.

    An existing environment is replaced with "clear", or, when nothing was said about it, if
    `confirm_replace` (given only when the user can be asked, on a terminal) answers yes. Raises `PuvError`
    (`Failed to create virtual environment`, with the reason as its cause).
    """
    request = plan.request
    if request.existing == "allow":
        on_existing = OnExisting.ALLOW
    elif request.existing == "clear":
        on_existing = OnExisting.CLEAR_ANY if request.force else OnExisting.CLEAR
    elif (
        request.existing is None
        and plan.target is TargetKind.VIRTUAL_ENVIRONMENT
        and confirm_replace is not None
        and confirm_replace(
            f"A virtual environment already exists at `{plan.shown_path}`. "
            "Do you want to replace it?"
        )
    ):
        on_existing = OnExisting.CLEAR
    else:
        on_existing = OnExisting.FAIL
    try:
        return create_venv(
            plan.path,
            plan.interpreter,
            prompt=plan.prompt,
            system_site_packages=request.system_site_packages,
            relocatable=request.relocatable,
            on_existing=on_existing,
            cwd=ctx.cwd,
        )
    except VenvCreationError as exc:
        raise PuvError(
            "Failed to create virtual environment", causes=[exc.message, *exc.causes], hint=exc.hint
        ) from exc


def activation_command(
    venv: VirtualEnv, cwd: Path, environ: Mapping[str, str] | None = None
) -> str | None:
    """uv's `Activate with:` command for the user's shell, or None when the shell is unknown."""
    env = os.environ if environ is None else environ
    shell = _detect_shell(env)
    scripts = venv.scripts
    if shell in (None, "powershell"):
        return None if shell is None else _windows_quote(user_display(scripts / "activate", cwd))
    script = {"fish": "activate.fish", "nu": "activate.nu", "csh": "activate.csh"}.get(
        shell, "activate"
    )
    shown = _posix_quote(_portable_display(scripts / script, cwd))
    return f"overlay use {shown}" if shell == "nu" else f"source {shown}"


def _detect_shell(environ: Mapping[str, str]) -> str | None:
    """The user's shell as uv detects it: version variables, then `$SHELL`, then the parent."""
    for variable, shell in (
        ("NU_VERSION", "nu"),
        ("FISH_VERSION", "fish"),
        ("BASH_VERSION", "bash"),
        ("ZSH_VERSION", "zsh"),
        ("KSH_VERSION", "ksh"),
        ("PS_MODULE_PATH", "powershell"),
    ):
        if variable in environ:
            return shell
    if "SHELL" in environ:
        return _shell_from_path(environ["SHELL"])
    parent = f"/proc/{os.getppid()}"
    try:
        return _shell_from_path(os.readlink(f"{parent}/exe"))
    except OSError:
        pass
    try:
        with open(f"{parent}/comm", encoding="utf-8") as comm:
            return _shell_from_path(comm.read().strip())
    except OSError:
        return None


def _shell_from_path(path: str) -> str | None:
    stem = Path(path).stem
    if stem in ("bash", "zsh", "fish", "csh", "ksh"):
        return stem
    return "powershell" if stem in ("powershell", "powershell_ise", "pwsh") else None


def _portable_display(path: Path, cwd: Path) -> str:
    """uv's `portable_display`: relative to `cwd` when inside it, with `/` separators."""
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def _posix_quote(text: str) -> str:
    """Quote as Python's `shlex.quote` (and uv's `shlex_posix`) do."""
    if text and _SHELL_SAFE.fullmatch(text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _windows_quote(text: str) -> str:
    return f'& "{text}"' if " " in text else text


def seed_packages(interpreter: Interpreter) -> list[str]:
    """What `--seed` installs, as uv: pip, plus setuptools and wheel before Python 3.12."""
    if interpreter.major_minor < (3, 12):
        return ["pip", "setuptools", "wheel"]
    return ["pip"]


def seed_environment(
    ctx: Context,
    venv: VirtualEnv,
    interpreter: Interpreter,
    *,
    indexes: Sequence[str] = (),
    default_index: str | None = None,
    relocatable: bool = False,
) -> list[str]:
    """Install the seed packages (their newest compatible wheels and what they require) into
    `venv`; returns `name==version` for each, sorted by name."""
    import shutil

    from puv.build.environment import BuildEnvironments, resolve_build_requirements
    from puv.cache.persist import temp_dir_in
    from puv.index.indexes import command_line_indexes
    from puv.operations.build_ops import default_finder

    finder = default_finder(ctx, command_line_indexes(default_index=default_index, index=indexes))
    try:
        pins = resolve_build_requirements(
            seed_packages(interpreter),
            finder,
            interpreter,
            metadata_bucket=ctx.cache.bucket("metadata"),
        )
        environments = BuildEnvironments(ctx.cache, finder, interpreter)
        scratch = temp_dir_in(ctx.cache.bucket("wheels"))
        try:
            environments.install(venv, pins, scratch, relocatable=relocatable)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    finally:
        finder.client.close()
    return sorted(f"{pin.name}=={pin.version}" for pin in pins)
