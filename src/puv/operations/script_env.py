"""PEP 723 scripts' environments, as uv 0.13.9 makes them (`ScriptEnvironment::get_or_init`).

A script with a `script` block runs in an environment of its own, kept in the cache's
`environments` bucket under `<script stem>-<digest of its absolute path>`, so every run of the same
file finds it again. Its interpreter is asked for as uv asks: `--python`, else a `.python-version`
found from the script's directory upward (when it fits the script's `requires-python`), else the
script's `requires-python`; an existing environment is kept while its interpreter satisfies that
request and `requires-python` (always, with `--no-sync`), otherwise it is recreated.

With `<script>.lock` beside the script, the lock is brought up to date (`--locked`: checked,
`--frozen`: read as it is) and the environment synced from it; without one, the script's
dependencies are resolved for the environment's interpreter and installed (`run`: only when the
environment does not satisfy them already, so a second run makes no request; `sync`: exactly).
The script's `[tool.uv]` settings sit above the configuration files (`with_script_settings`).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from puv.core.errors import FailureError, PuvError
from puv.core.paths import user_display
from puv.operations.context import Context
from puv.operations.project_env import ProjectEnvironment
from puv.operations.sync import FilteredPrinter, SyncRequest, with_printer

if TYPE_CHECKING:
    from puv.core.requires_python import RequiresPython
    from puv.lock.model import Lock
    from puv.project.script import ScriptMetadata
    from puv.python.interpreter import Interpreter
    from puv.python.request import PythonRequest

__all__ = [
    "LockFlagSource",
    "SettingsSources",
    "prepare_script_environment",
    "script_environment",
    "script_environment_path",
    "script_interpreter",
    "sync_script",
    "warn_script_no_ops",
    "with_script_settings",
]

LockFlagSource = Literal["cli", "env", "default"]  # where `--locked`/`--frozen` came from
_RUN_HIDDEN = ("Resolved ", "Prepared ", "Checked ", "Audited ", "Using ", " + ", " - ", " ~ ")
# What `lock` prints that `sync` does not: the change lines and the dry-run verdicts.
_NO_SOLUTION = "No solution found when resolving dependencies"
_NAME_RUN = re.compile(r"[^A-Za-z0-9_.-]+")


# --------------------------------------------------------------------------------- settings


class SettingsSources(NamedTuple):
    """What a command's settings were merged from: the command-line and `UV_*` layers and how
    the configuration files were found (to merge a script's `[tool.uv]` above them)."""

    cli: Mapping[str, Any]
    env: Mapping[str, Any]
    start: Path | None = None
    config_file: Path | None = None
    no_config: bool = False

    @classmethod
    def from_args(cls, args: Any) -> SettingsSources:
        """The sources `build_context` used for the parsed arguments `args`."""
        project = getattr(args, "project", None)
        start = Path(project).absolute() if project else Path.cwd()
        config_file = getattr(args, "config_file", None)
        return cls(
            cli=getattr(args, "_settings_cli", {}),
            env=getattr(args, "_settings_env", {}),
            start=start,
            config_file=Path(config_file) if config_file else None,
            no_config=bool(getattr(args, "no_config", False)),
        )


def with_script_settings(
    ctx: Context, script: ScriptMetadata, sources: SettingsSources | None
) -> Context:
    """`ctx` with the script's `[tool.uv]` merged above the configuration files (below the
    command line and the environment), as uv merges a PEP 723 script's settings."""
    if not script.tool_uv or sources is None:
        return ctx
    from puv.project.config_files import ConfigFile, discover_config_files
    from puv.project.settings import settings_from_layers

    files = discover_config_files(
        sources.start,
        config_file=sources.config_file,
        no_config=sources.no_config,
        environ=os.environ,
        warn=lambda _message: None,  # said once already, when the context was built
    )
    layer = ConfigFile(script.path, "script", dict(script.tool_uv))
    settings = settings_from_layers(sources.cli, sources.env, [layer, *files])
    return with_printer(ctx, ctx.printer, settings)


def warn_script_no_ops(
    ctx: Context, *, package: bool = False, locked: bool, frozen: bool, no_sync: bool
) -> None:
    """uv's warnings for the project options `add`/`remove --script` ignore."""
    for given, flag in (
        (package, "--package"),
        (locked, "--locked"),
        (frozen, "--frozen"),
        (no_sync, "--no-sync"),
    ):
        if given:
            ctx.printer.warn(
                f"`{flag}` is a no-op for Python scripts with inline metadata, which always run "
                "in isolation"
            )


# --------------------------------------------------------------------------------- environment


def script_environment_path(ctx: Context, script: ScriptMetadata, *, active: bool | None) -> Path:
    """Where the script's environment lives: the cache's `environments` bucket, under the
    script's name and a digest of its absolute path (a script from standard input: a digest of
    its metadata), or, with `--active`, the active environment; with neither `--active` nor
    `--no-active`, a different active environment is ignored with uv's warning."""
    import hashlib

    bucket = ctx.cache.bucket("environments")
    if script.from_stdin:
        metadata = script.text.metadata if script.text is not None else ""
        path = bucket / hashlib.sha256(metadata.encode()).hexdigest()[:16]
    else:
        absolute = Path(os.path.abspath(script.path))
        digest = hashlib.sha256(os.fsencode(absolute)).hexdigest()[:16]
        stem = _NAME_RUN.sub("-", absolute.stem).strip("-")[:100]
        path = bucket / (f"{stem}-{digest}" if stem else digest)
    active_env = os.environ.get("VIRTUAL_ENV")
    if active_env:
        from_active = ctx.cwd / active_env
        if os.path.normpath(from_active) != os.path.normpath(path):
            if active:
                return from_active
            if active is None:
                ctx.printer.warn(
                    f"`VIRTUAL_ENV={active_env}` does not match the script environment path "
                    f"`{user_display(path, ctx.cwd)}` and will be ignored; use `--active` to "
                    "target the active environment instead"
                )
    return path


class _ScriptPython(NamedTuple):
    """The interpreter request for a script, where it came from, and its `requires-python`."""

    request: PythonRequest | None
    source: str  # "explicit", "version-file" or "requires-python"
    version_file: Path | None
    requires_python: RequiresPython | None


def _script_python(ctx: Context, script: ScriptMetadata, python: str | None) -> _ScriptPython:
    """uv's `ScriptPython::from_request`: `--python`, a compatible `.python-version` from the
    script's directory upward, else the script's `requires-python`."""
    from puv.core.requires_python import InvalidRange, RequiresPython
    from puv.python.request import parse_request, requires_python_request
    from puv.python.version_file import find_version_file, read_version_file

    requires_python = None
    if script.requires_python is not None:
        try:
            requires_python = RequiresPython(script.requires_python)
        except InvalidRange as error:
            raise PuvError(f"Failed to parse: `{script.path.name}`", causes=[str(error)]) from None
    if python is not None:
        return _ScriptPython(parse_request(python, cwd=ctx.cwd), "explicit", None, requires_python)
    found = find_version_file(script.path.parent)
    if found is not None:
        version_file = read_version_file(found, ctx.printer.warn)
        request = version_file.request
        if request is not None and _intersects(request, requires_python):
            return _ScriptPython(request, "version-file", found, requires_python)
    request = None if requires_python is None else requires_python_request(requires_python)
    return _ScriptPython(request, "requires-python", None, requires_python)


def _intersects(request: PythonRequest, requires_python: RequiresPython | None) -> bool:
    """Whether the versions `request` names meet `requires_python` (any patch of a minor)."""
    version = request.as_pep440_version()
    if requires_python is None or version is None:
        return True
    if len(version.release) >= 3:
        return requires_python.contains(version, prereleases=True)
    major, minor = (*version.release, 0)[:2]
    return any(
        requires_python.contains(f"{major}.{minor}.{patch}", prereleases=True) for patch in (0, 99)
    ) or requires_python.contains(f"{major}.{minor}", prereleases=True)


def _incompatibility(
    interpreter: Interpreter, python: _ScriptPython, ctx: Context, *, kind: str = "script"
) -> str | None:
    """uv's message when `interpreter` misses the script's `requires-python` (None if it fits)."""
    from packaging.version import Version

    from puv.python.request import format_specifiers

    wanted = python.requires_python
    if wanted is None or wanted.contains(Version(interpreter.version), prereleases=True):
        return None
    shown, version = format_specifiers(wanted), interpreter.version
    if python.source == "explicit":
        return (
            f"The requested interpreter resolved to Python {version}, which is incompatible "
            f"with the {kind}'s Python requirement: `{shown}`"
        )
    if python.version_file is not None:
        return (
            f"The Python request from `{user_display(python.version_file, ctx.cwd)}` resolved to "
            f"Python {version}, which is incompatible with the {kind}'s Python requirement: "
            f"`{shown}`"
        )
    return (
        f"The resolved Python interpreter (Python {version}) is incompatible with the {kind}'s "
        f"Python requirement: `{shown}`"
    )


def _existing_environment(ctx: Context, root: Path) -> Interpreter | None:
    """The interpreter of the environment at `root` (None when there is none, or it is broken)."""
    if not (root / "pyvenv.cfg").is_file():
        return None
    from puv.python.probe import InterpreterProbeError, probe_interpreter

    try:
        return probe_interpreter(root / "bin" / "python", None if ctx.no_cache else ctx.cache)
    except InterpreterProbeError as error:
        ctx.printer.debug(f"Ignoring the script environment at `{root}`: {error.message}")
        return None


def _environment_mismatch(interpreter: Interpreter, python: _ScriptPython) -> str | None:
    """Why an existing script environment cannot be used (None when it can)."""
    from packaging.version import Version

    from puv.python.request import format_specifiers

    if python.request is not None and not python.request.satisfied_by(interpreter):
        return (
            "The script environment's Python version does not satisfy the request: "
            f"`{python.request}`"
        )
    wanted = python.requires_python
    if wanted is not None and not wanted.contains(Version(interpreter.version), prereleases=True):
        return (
            "The script environment's Python version does not meet the Python requirement: "
            f"`{format_specifiers(wanted)}`"
        )
    return None


def script_interpreter(
    ctx: Context,
    script: ScriptMetadata,
    *,
    python: str | None = None,
    active: bool | None = False,
    keep_incompatible: bool = False,
) -> Interpreter:
    """The interpreter for the script (uv's `ScriptInterpreter::discover`): its environment's
    when that fits, else the one discovery finds for the request (virtual environments
    included), with uv's warning when it misses the script's `requires-python`."""
    root = script_environment_path(ctx, script, active=active)
    return _discover(ctx, script, python, root, keep_incompatible)[1]


def _discover(
    ctx: Context, script: ScriptMetadata, python: str | None, root: Path, keep_incompatible: bool
) -> tuple[bool, Interpreter]:
    """Whether the environment at `root` is to be used, and the interpreter."""
    from puv.operations.python_ops import discovery_settings
    from puv.python.discovery import EnvironmentPreference, find_python
    from puv.python.request import DEFAULT_REQUEST

    wanted = _script_python(ctx, script, python)
    existing = _existing_environment(ctx, root)
    if existing is not None:
        mismatch = _environment_mismatch(existing, wanted)
        if mismatch is None:
            return True, existing
        if keep_incompatible:
            ctx.printer.warn(
                f"Using incompatible environment (`{user_display(root, ctx.cwd)}`) due to "
                f"`--no-sync` ({mismatch})"
            )
            return True, existing
        ctx.printer.debug(mismatch)
    settings = discovery_settings(ctx, EnvironmentPreference.ANY)
    interpreter = find_python(wanted.request or DEFAULT_REQUEST, settings).interpreter
    warning = _incompatibility(interpreter, wanted, ctx)
    if warning is not None:
        ctx.printer.warn(warning)
    return False, interpreter


def script_environment(
    ctx: Context,
    script: ScriptMetadata,
    *,
    python: str | None = None,
    active: bool | None = False,
    keep_incompatible: bool = False,
    dry_run: bool = False,
) -> ProjectEnvironment:
    """The script's environment (uv's `ScriptEnvironment::get_or_init`): the existing one when
    it fits, else created (or recreated) with the interpreter discovery finds, under a lock so
    that concurrent runs make it once. Under `dry_run` nothing is written: a new environment is
    only planned (`would-create`/`would-replace`)."""
    root = script_environment_path(ctx, script, active=active)
    if dry_run:
        used, interpreter = _discover(ctx, script, python, root, keep_incompatible)
        if used:
            return ProjectEnvironment(root, interpreter, "existing")
        return ProjectEnvironment(
            root, interpreter, "would-replace" if root.exists() else "would-create"
        )
    from puv.cache.lock import lock, lock_timeout_from_env

    root.parent.mkdir(parents=True, exist_ok=True)
    timeout = lock_timeout_from_env(os.environ)
    with lock(root.parent / f"{root.name}.lock", shared=False, resource=str(root), timeout=timeout):
        used, interpreter = _discover(ctx, script, python, root, keep_incompatible)
        if used:
            return ProjectEnvironment(root, interpreter, "existing")
        replacing = root.exists()
        created = _create(ctx, script, root, interpreter)
    return ProjectEnvironment(root, created, "replaced" if replacing else "created")


def _create(ctx: Context, script: ScriptMetadata, root: Path, base: Interpreter) -> Interpreter:
    """A new environment at `root` (replacing what is there) with `base`; its interpreter."""
    from puv.install.venv import OnExisting, VenvCreationError, create_venv
    from puv.python.probe import probe_interpreter

    ctx.printer.debug(f"Creating script environment at: {user_display(root, ctx.cwd)}")
    try:
        prompt = None if script.from_stdin else script.path.name
        venv = create_venv(root, base, prompt=prompt, on_existing=OnExisting.CLEAR_ANY)
    except VenvCreationError as error:
        raise PuvError(
            "Failed to create virtual environment",
            causes=[error.message, *error.causes],
            hint=error.hint,
        ) from error
    return probe_interpreter(venv.python, None if ctx.no_cache else ctx.cache)


@contextmanager
def _planned_environment(ctx: Context, environment: ProjectEnvironment) -> Iterator[Interpreter]:
    """The interpreter to preview changes with: the environment's, or (for one only planned by
    a dry run) a temporary environment's, removed afterwards."""
    if environment.exists:
        yield environment.interpreter
        return
    from puv.cache.persist import temp_dir_in
    from puv.install.venv import create_venv
    from puv.python.probe import probe_interpreter

    scratch = temp_dir_in(ctx.cache.bucket("environments"))
    try:
        venv = create_venv(scratch / "env", environment.interpreter)
        yield probe_interpreter(venv.python, None)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# --------------------------------------------------------------------------------- run


def prepare_script_environment(
    ctx: Context,
    script: ScriptMetadata,
    request: SyncRequest,
    *,
    lock_flag: LockFlagSource = "cli",
    no_sync: bool = False,
) -> Interpreter:
    """`puv run` of a script with a block: its environment, synced from `<script>.lock` when
    that exists (locked first unless `--frozen`), else holding its dependencies; prints only
    what uv's `run` prints (`Uninstalled ...`, `Installed N packages in ...`, warnings)."""
    shown = "stdin" if script.from_stdin else f"`{user_display(script.path, ctx.cwd)}`"
    ctx.printer.debug(f"Reading inline script metadata from {shown}")
    try:
        return _prepare(ctx, script, request, lock_flag, no_sync)
    except PuvError as error:
        if error.message == _NO_SOLUTION:  # uv's diagnostic names the script's resolution
            error.message = "No solution found when resolving script dependencies"
        raise


def _prepare(
    ctx: Context,
    script: ScriptMetadata,
    request: SyncRequest,
    lock_flag: LockFlagSource,
    no_sync: bool,
) -> Interpreter:
    if not script.from_stdin and _lock_path(script.path).is_file():
        ctx.printer.debug("Found existing lockfile for script")
        environment = script_environment(
            ctx, script, python=request.python, active=request.active, keep_incompatible=no_sync
        )
        lock = _lock(ctx, script, request, environment.interpreter, quiet=True)
        _sync_from_lock(ctx, script, environment, lock, request)
        return environment.interpreter
    _missing_lock(ctx, request, lock_flag)
    environment = script_environment(
        ctx, script, python=request.python, active=request.active, keep_incompatible=no_sync
    )
    summary = with_printer(ctx, FilteredPrinter.like(ctx.printer, _RUN_HIDDEN))
    _install_dependencies(summary, script, environment.interpreter, request)
    return environment.interpreter


def _missing_lock(ctx: Context, request: SyncRequest, lock_flag: LockFlagSource) -> None:
    """uv's answer to `--locked`/`--frozen` for a script without a lock: an error when given on
    the command line, a warning when it comes from `UV_LOCKED`/`UV_FROZEN`."""
    if request.lock_mode == "write":
        return
    flag = "--locked" if request.lock_mode == "locked" else "--frozen"
    if lock_flag == "cli":
        raise PuvError(
            f"Unable to find lockfile for Python script, but `{flag}` was provided. To create a "
            "lockfile, run `puv lock --script`."
        )
    shown = "UV_LOCKED=1" if flag == "--locked" else flag
    ctx.printer.warn(
        f"No lockfile found for Python script (ignoring `{shown}`); run `puv lock --script` to "
        "generate a lockfile"
    )


def _install_dependencies(
    ctx: Context,
    script: ScriptMetadata,
    interpreter: Interpreter,
    request: SyncRequest,
) -> None:
    """Resolve the script's dependencies for `interpreter` and install them (exactly, with
    `request.exact`), keeping installed versions that fit; `--dry-run`/`--check` only report
    (`--check` fails when something would change). Unless exact, nothing is resolved when the
    environment satisfies them already."""
    from puv.operations.install_session import IndexArguments
    from puv.operations.pip_install import InstallRequest, install_requirements

    changed = install_requirements(
        ctx,
        InstallRequest(
            packages=script.requirements,
            resolve=True,
            exact=request.exact,
            python=str(interpreter.sys_executable),
            indexes=IndexArguments(default_index=request.default_index, index=request.indexes),
            refresh=request.refresh,
            refresh_packages=request.refresh_packages,
            dry_run=request.dry_run,
            check=request.check,
        ),
    )
    if changed and request.check:
        from puv.operations.sync import OUTDATED

        raise FailureError(OUTDATED)


# --------------------------------------------------------------------------------- the lock


def _lock(
    ctx: Context,
    script: ScriptMetadata,
    request: SyncRequest,
    interpreter: Interpreter,
    *,
    quiet: bool,
) -> Lock:
    """`<script>.lock` brought up to date for `interpreter` (`--locked`: checked, `--frozen`:
    read as it is); `quiet` hides the `Resolved ...` line too, as `run` does (why the lock is
    resolved again is still said)."""
    from puv.operations.lock import lock_script
    from puv.operations.sync import lock_request, report_lock_preview

    lock_path = _lock_path(script.path)
    existed = lock_path.is_file()
    locking = lock_request(ctx, request, str(interpreter.sys_executable), show_resolved=not quiet)
    result = lock_script(ctx, locking, script.path)
    report_lock_preview(ctx, request, lock_path, existed=existed, resolved=result.resolved)
    return result.lock


def _sync_from_lock(
    ctx: Context,
    script: ScriptMetadata,
    environment: ProjectEnvironment,
    lock: Lock,
    request: SyncRequest,
) -> None:
    """Make the environment hold what `lock` selects for it (the packages its `[manifest]`
    requirements reach), through the project sync's installer."""
    from puv.lock.install_target import DependencyGroups, InstallTarget, locked_dists
    from puv.operations import sync
    from puv.operations.target_platform import target_of
    from puv.project.pyproject import PyProject
    from puv.project.toml_read import TomlDocument
    from puv.project.workspace import Workspace

    # An adapter over the project sync's selection and installer (private to `sync`): a script
    # lock is a non-project workspace without members whose roots are `[manifest]` requirements.
    platform = target_of(
        environment.interpreter, python_platform=request.python_platform, environ=os.environ
    )
    groups = DependencyGroups.from_flags(defaults=())
    target = InstallTarget("non-project-workspace")
    packages = sync._select(lock, target, platform, request, groups)
    root = script.path.parent
    wanted = locked_dists(packages, root, no_editable=request.no_editable)
    # The installer reads relative locations against the workspace root: the script's directory.
    document = TomlDocument(script.path, "", {})
    workspace = Workspace(
        root, PyProject(document, None, None, None, (), {}, (), None), {}, None, {}
    )
    sync._Synchronizer(ctx, workspace, environment, platform, request, lambda: lock).run(wanted)


# --------------------------------------------------------------------------------- sync --script


def sync_script(
    ctx: Context, path: Path, request: SyncRequest, *, settings: SettingsSources | None = None
) -> None:
    """`puv sync --script`: the script's environment made to match its lock (locked first), or
    without a lock its dependencies resolved and installed exactly; uv's report (`Using script
    environment at: ...`, `Resolved`, `Prepared`, `Installed`, ` + pkg`)."""
    from puv.project.script import read_existing_script

    script = read_existing_script(path)
    ctx = with_script_settings(ctx, script, settings)
    locked = _lock_path(script.path).is_file()
    if not locked and request.lock_mode == "frozen":  # as uv: before the environment
        raise _sync_needs_lock(ctx, script, "--frozen")
    preview = request.dry_run or request.check
    environment = script_environment(
        ctx, script, python=request.python, active=request.active, dry_run=preview
    )
    _report_environment(ctx, environment, dry_run=preview)
    if not locked and request.lock_mode == "locked":
        raise _sync_needs_lock(ctx, script, "--locked")
    if not locked:
        quiet = with_printer(ctx, FilteredPrinter.like(ctx.printer, ("Using Python ",)))
        with _planned_environment(ctx, environment) as interpreter:
            _install_dependencies(quiet, script, interpreter, request)
        return
    lock = _lock(ctx, script, request, environment.interpreter, quiet=False)
    _sync_from_lock(ctx, script, environment, lock, request)


def _sync_needs_lock(ctx: Context, script: ScriptMetadata, flag: str) -> PuvError:
    shown = user_display(script.path, ctx.cwd)
    return PuvError(
        f"`puv sync {flag}` requires a script lockfile; run `puv lock --script {shown}` to lock "
        "the script"
    )


def _report_environment(ctx: Context, environment: ProjectEnvironment, *, dry_run: bool) -> None:
    """uv's `Using|Creating|Updating script environment at: ...` (`Would ...` under a dry run)."""
    verbs = {
        "existing": "Using",
        "created": "Creating",
        "replaced": "Updating",
        "would-create": "Would create",
        "would-replace": "Would replace",
    }
    verb = "Would use" if dry_run and environment.state == "existing" else verbs[environment.state]
    printer = ctx.printer
    line = f"{verb} script environment at: {user_display(environment.root, ctx.cwd)}"
    printer.status(printer.style(line, "dim") if dry_run else line)


def _lock_path(script: Path) -> Path:
    from puv.project.script import script_lock_path

    return script_lock_path(script)
