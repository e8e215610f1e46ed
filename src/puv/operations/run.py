"""`puv run`: run a command, Python file or module in the project's environment.

As uv does (`commands/project/run.rs`): in a project, the environment is locked and synced first
(inexactly: extraneous packages stay) unless `--no-sync`; `--frozen` syncs from `uv.lock` as it
is; `--isolated` syncs into a temporary environment instead; outside a project (or with
`--no-project`) the command runs with the interpreter discovery finds. A Python file (or a
program on standard input) with a PEP 723 `script` block runs in the script's own cached
environment instead (`operations.script_env`), whatever project it is in. `--with` requirements
and `--with-editable` projects (installed editable, PEP 660, by `pip install`'s machinery) go into
a cached environment layered on top (an ephemeral environment whose `.pth` file adds the `--with`
environment's site-packages, then the base environment's); it is keyed by the base interpreter,
the requirements and each editable project's cache info, so an edit to an editable's sources is
seen at once and a change to its `pyproject.toml` gives a new one. `.env` files are
read (`--env-file`, `UV_ENV_FILE`) without overriding the real environment. The child inherits
the terminal; signals uv forwards are forwarded; its exit code (128+N for signal N) is returned.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NamedTuple

from puv.core.errors import PuvError
from puv.core.paths import user_display
from puv.operations.context import Context
from puv.operations.sync import SyncRequest
from puv.python.interpreter import Interpreter

if TYPE_CHECKING:
    from puv.install.installed import InstalledDist
    from puv.operations.script_env import LockFlagSource, SettingsSources
    from puv.project.script import ScriptMetadata
    from puv.project.workspace import Workspace

__all__ = ["RunRequest", "parse_env_file", "run_command"]

_OVERLAY = "_puv_ephemeral_overlay.pth"
_COMPLETE = ".puv-complete"
_FORWARDED = ("SIGTERM", "SIGUSR1", "SIGUSR2", "SIGHUP", "SIGALRM", "SIGQUIT", "SIGWINCH")


class RunRequest(NamedTuple):
    """What `puv run` was asked to run and how.

    `command` is the target and its arguments as given (empty: list the environment's
    commands); `module` (`-m`) and `script` (`-s`) say how to read the target. `sync` carries
    the lock and selection options of the project sync (its `exact` and `report` are run's).
    `settings_sources` lets a script's `[tool.uv]` join the settings; `lock_flag` says whether
    `--locked`/`--frozen` came from the command line ("cli") or the environment ("env").
    `with_editables` are the `--with-editable` values as given (paths, `file:` URLs or
    `name @ path`, relative to the working directory).
    """

    command: tuple[str, ...] = ()
    module: bool = False
    script: bool = False
    with_requirements: tuple[str, ...] = ()
    with_editables: tuple[str, ...] = ()
    with_files: tuple[str, ...] = ()
    no_project: bool = False
    isolated: bool = False
    no_sync: bool = False
    env_files: tuple[str, ...] = ()
    sync: SyncRequest = SyncRequest()
    settings_sources: SettingsSources | None = None
    lock_flag: LockFlagSource = "cli"


class _Environment(NamedTuple):
    """Where the command runs: the interpreter, the scripts directories to put on `PATH` (most
    preferred first) and the `VIRTUAL_ENV` to set."""

    interpreter: Interpreter
    scripts: tuple[Path, ...]
    virtual_env: Path | None


def run_command(ctx: Context, request: RunRequest) -> int:
    """Prepare the environment, run the command in it and return its exit code."""
    editables = tuple(_parse_editable(ctx, value) for value in request.with_editables)
    extra_environment = read_env_files(ctx, request.env_files)
    stdin = _read_stdin(request)
    script = _inline_script(ctx, request, stdin)
    with _temporary_dirs() as temporary:
        if script is not None:
            from puv.operations.script_env import with_script_settings

            ctx = with_script_settings(ctx, script, request.settings_sources)
            base = _script_environment(ctx, request, script)
        else:
            base = _base_environment(ctx, request, temporary)
        environment = base
        if request.with_requirements or request.with_files or editables:
            environment = _overlay(ctx, request, editables, base, temporary)
        if not request.command:
            _list_commands(ctx, environment)
            return 2
        argv = _argv(request, environment.interpreter, stdin)
        child_environment = _child_environment(environment, extra_environment)
        return _run_to_completion(argv, child_environment)


# --------------------------------------------------------------------------------- environment


def _base_environment(ctx: Context, request: RunRequest, temporary: list[Path]) -> _Environment:
    """The project environment (synced unless `--no-sync`), else the discovered interpreter."""
    workspace = None if request.no_project else _find_workspace(ctx, request)
    if workspace is None:
        return _plain_interpreter(ctx, request.sync.python)
    sync = request.sync
    if request.isolated:
        sync = sync._replace(environment_root=_temporary_dir(ctx, temporary))
    if request.no_sync:
        from puv.operations.project_env import project_environment

        project = project_environment(
            ctx,
            workspace,
            python=sync.python,
            active=sync.active,
            no_config=sync.no_config,
            root=sync.environment_root,
            keep_incompatible=True,
        )
        interpreter = project.interpreter
    else:
        from puv.operations.sync import sync_project

        interpreter = sync_project(ctx, sync).environment.interpreter
    return _Environment(interpreter, (_scripts(interpreter),), interpreter.prefix)


def _read_stdin(request: RunRequest) -> bytes | None:
    """The program `-` reads from standard input (None for any other target), as uv reads it
    before anything else."""
    if not request.command or request.command[0] != "-":
        return None
    if request.module:
        raise PuvError("Cannot run a Python module from stdin")
    return sys.stdin.buffer.read() if sys.stdin is not None else b""


def _inline_script(ctx: Context, request: RunRequest, stdin: bytes | None) -> ScriptMetadata | None:
    """The target's PEP 723 metadata when it is a Python file (`.py`, `.pyc`, `.pyw`, or any
    file with `--script`) or the program read from standard input, and has a `script` block;
    None otherwise (a missing file included)."""
    if stdin is not None:
        from puv.project.script import parse_script

        metadata = parse_script(ctx.cwd / "-", stdin, from_stdin=True)
        return metadata if metadata.has_block else None
    if not request.command or request.module:
        return None
    target = ctx.cwd / request.command[0]
    if not (request.script or _is_python_file(target)) or not target.is_file():
        return None
    from puv.project.script import read_script

    metadata = read_script(target)
    return metadata if metadata.has_block else None


def _script_environment(ctx: Context, request: RunRequest, script: ScriptMetadata) -> _Environment:
    """The script's own environment, prepared as uv's `run` prepares it, then uv's warnings
    about the project options a script ignores."""
    from puv.operations.script_env import prepare_script_environment

    active = False if request.sync.active is None else request.sync.active  # no warning in run
    sync = request.sync._replace(report="summary", active=active)
    interpreter = prepare_script_environment(
        ctx, script, sync, lock_flag=request.lock_flag, no_sync=request.no_sync
    )
    for warning in _ignored_options(request):
        ctx.printer.warn(warning)
    return _Environment(interpreter, (_scripts(interpreter),), interpreter.prefix)


def _ignored_options(request: RunRequest) -> list[str]:
    """uv's warnings for the project options given with a script that has inline metadata."""
    sync = request.sync
    inline = "for Python scripts with inline metadata"
    isolation = f"is a no-op {inline}, which always run in isolation"
    warnings = []
    if sync.extras.names or sync.extras.all:
        warnings.append(f"Extras are not supported {inline}")
    groups = sync.groups
    flags = [
        *(["--all-groups"] if groups.all_groups else []),
        *(["--no-default-groups"] if groups.no_default_groups else []),
        *([{"include": "--dev", "exclude": "--no-dev", "only": "--only-dev"}[groups.dev]]
          if groups.dev else []),
    ]  # fmt: skip
    for flag, names in (
        ("--group", groups.group),
        ("--only-group", groups.only_group),
        ("--no-group", groups.no_group),
    ):
        if names:
            flags.append(f"{flag} {names[0]}" if len(names) == 1 else flag)
    warnings += [f"`{flag}` is not supported {inline}" for flag in flags]
    for given, flag in (
        (sync.all_packages, "--all-packages"),
        (bool(sync.packages), "--package"),
        (request.no_sync, "--no-sync"),
        (request.isolated, "--isolated"),
    ):
        if given:
            warnings.append(f"`{flag}` {isolation}")
    return warnings


def _find_workspace(ctx: Context, request: RunRequest) -> Workspace | None:
    """The workspace to run in: found from `--project`, else from a Python file's directory
    (uv 0.12+), else from the working directory; None outside any project."""
    from puv.project.workspace import discover_workspace

    start = request.sync.project_dir
    if start is None:
        start = ctx.cwd
        target = request.command[0] if request.command else None
        if target and not request.module and _is_python_file(ctx.cwd / target):
            start = (ctx.cwd / target).parent
        directories = (start.absolute(), *start.absolute().parents)
        if not any((directory / "pyproject.toml").is_file() for directory in directories):
            return None
    return discover_workspace(start)


def _plain_interpreter(ctx: Context, python: str | None) -> _Environment:
    """The interpreter `--no-project` (or no project) runs with: an active or nearby virtual
    environment first, then the system's (`--python`, `.python-version`)."""
    from puv.operations.python_ops import find_interpreter
    from puv.python.discovery import EnvironmentPreference

    interpreter = find_interpreter(ctx, python, environments=EnvironmentPreference.ANY)
    virtual_env = interpreter.prefix if interpreter.is_virtualenv else None
    return _Environment(interpreter, (_scripts(interpreter),), virtual_env)


def _scripts(interpreter: Interpreter) -> Path:
    scripts = interpreter.sysconfig_paths.get("scripts")
    return Path(scripts) if scripts else interpreter.sys_executable.parent


@contextmanager
def _temporary_dirs() -> Iterator[list[Path]]:
    """Directories made for this run (the `--isolated` and ephemeral environments), removed at
    the end."""
    made: list[Path] = []
    try:
        yield made
    finally:
        for path in made:
            shutil.rmtree(path, ignore_errors=True)


def _temporary_dir(ctx: Context, temporary: list[Path]) -> Path:
    from puv.cache.persist import temp_dir_in

    path = temp_dir_in(ctx.cache.bucket("environments"))
    temporary.append(path)
    return path / "env"


# --------------------------------------------------------------------------------- --with


class _Editable(NamedTuple):
    """One `--with-editable` value: where it points (`location` as written, without extras),
    the absolute path of a local one (None for a URL, which cannot be editable), the name it was
    given under (`name @ path`) and its extras."""

    location: str
    path: Path | None
    name: str | None
    extras: tuple[str, ...]

    @property
    def requirement(self) -> str:
        """The `-e` value handed to the installer: the absolute path and the extras."""
        extras = f"[{','.join(self.extras)}]" if self.extras else ""
        return f"{self.path}{extras}"


_NAMED = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[(?P<extras>[^\]]*)\])?\s*@\s*"
)
_TRAILING_EXTRAS = re.compile(r"^(?P<location>.*?)\[(?P<extras>[^\]]*)\]$")
_ARCHIVES = (
    ".whl", ".tar.gz", ".zip", ".tar.bz2", ".tar.lz", ".tar.lzma", ".tar.xz", ".tar.zst", ".tar",
    ".tbz", ".tgz", ".tlz", ".txz",
)  # fmt: skip
_NOT_EDITABLE = "Editable requirements must refer to a local directory"
_WITH_FAILED = "Failed to resolve `--with` requirement"


def _parse_editable(ctx: Context, value: str) -> _Editable:
    """Read a `--with-editable` value as uv's argument parsing does: a file that is not an
    archive is refused at once (exit 2); everything else is checked after the sync."""
    from puv.core.wheel_filename import normalize_name

    named = _NAMED.match(value)
    location = value[named.end() :].strip() if named else value.strip()
    extras = (named["extras"] or "") if named else ""
    trailing = _TRAILING_EXTRAS.match(location)
    if trailing:
        location, extras = trailing["location"], ",".join([extras, trailing["extras"]])
    names = tuple(dict.fromkeys(normalize_name(e) for e in extras.split(",") if e.strip()))
    name = named["name"] if named else None
    if "://" in location and not location.startswith("file:"):
        return _Editable(location, None, name, names)
    if location.startswith("file:"):
        from puv.index.client import path_from_file_url

        path = Path(path_from_file_url(location))
    else:
        path = Path(os.path.normpath(ctx.cwd / location))
    if path.is_file() and not path.name.lower().endswith(_ARCHIVES):
        suffixes = ", ".join(f"`{suffix}`" for suffix in _ARCHIVES[:-1])
        raise PuvError(
            f"Failed to parse: `{location}`",
            causes=[
                f"Expected path (`{location}`) to end in a supported file extension: {suffixes}, "
                f"or `{_ARCHIVES[-1]}`\n{location}\n{'^' * len(location)}"
            ],
        )
    return _Editable(location, path, name, names)


def _check_editable(editable: _Editable) -> None:
    """uv's errors for a `--with-editable` that is not a local Python project (an archive or a
    URL: exit 2; a missing path, a directory without a project, a name that is not the
    project's: exit 1)."""
    from puv.build.frontend import read_build_system
    from puv.core.errors import FailureError
    from puv.core.wheel_filename import normalize_name

    if editable.path is None:
        kind = "Git sources" if editable.location.startswith("git+") else "Remote archives"
        raise PuvError(
            f"Unsupported editable requirement: `{editable.location}`",
            causes=[f"{kind} cannot be editable"],
            hint=_NOT_EDITABLE,
        )
    url = editable.path.as_uri()
    if editable.path.is_file():
        raise PuvError(
            f"Unsupported editable requirement: `{url}`",
            causes=["Local archives cannot be editable"],
            hint=_NOT_EDITABLE,
        )
    if not editable.path.exists():
        raise FailureError(_WITH_FAILED, causes=[f"Distribution not found at: {url}"])
    try:
        found = read_build_system(editable.path).name
    except PuvError as err:
        raise FailureError(_WITH_FAILED, causes=[err.message, *err.causes]) from None
    given = editable.name
    if given and found and normalize_name(given) != normalize_name(found):
        raise FailureError(
            _WITH_FAILED,
            causes=[
                f"Failed to build `{given} @ {url}`",
                f"Package metadata name `{found}` does not match given name `{given}`",
            ],
        )


def _overlay(
    ctx: Context,
    request: RunRequest,
    editables: Sequence[_Editable],
    base: _Environment,
    temporary: list[Path],
) -> _Environment:
    """`--with`: the requirements and editables in a cached environment, layered over `base`
    through an ephemeral environment (skipped when `base` already satisfies them)."""
    for editable in editables:
        _check_editable(editable)
    if not request.with_files and _satisfied(
        ctx, request.with_requirements, editables, base.interpreter
    ):
        return base
    cached = _cached_environment(ctx, request, editables, base.interpreter)
    from puv.install.venv import create_venv
    from puv.python.probe import probe_interpreter

    root = _temporary_dir(ctx, temporary)
    venv = create_venv(root, base.interpreter)
    base_sites = _site_packages(base.interpreter)
    lines = [cached.purelib, *base_sites]
    overlay = "import site; " + "; ".join(
        f"site.addsitedir({str(path)!r})" for path in dict.fromkeys(map(str, lines))
    )
    (venv.purelib / _OVERLAY).write_text(overlay + "\n", encoding="utf-8")
    for scripts, python in ((cached.scripts, cached.python), (base.scripts[0], None)):
        _copy_entry_points(scripts, python, venv.scripts, venv.python)
    interpreter = probe_interpreter(venv.python, None if ctx.no_cache else ctx.cache)
    return _Environment(interpreter, (venv.scripts, cached.scripts, *base.scripts), venv.root)


class _CachedEnvironment(NamedTuple):
    """The cached environment of the `--with` requirements: its Python, scripts and
    site-packages."""

    root: Path
    python: Path
    scripts: Path
    purelib: Path


def _cached_environment(
    ctx: Context, request: RunRequest, editables: Sequence[_Editable], base: Interpreter
) -> _CachedEnvironment:
    """The environment holding the `--with` requirements and editables, from the cache when it
    was made before for the same requirements, editables (and their cache info) and
    interpreter."""
    from puv.cache.lock import lock, lock_timeout_from_env
    from puv.core.digest import cache_digest
    from puv.install.venv import OnExisting, create_venv, venv_scheme
    from puv.operations.editable import cache_info

    files = tuple(os.path.abspath(path) for path in request.with_files)
    contents = [Path(path).read_text(encoding="utf-8") for path in _existing(ctx, files)]
    trees = [
        [editable.requirement, cache_info(editable.path, os.environ)]
        for editable in editables
        if editable.path is not None
    ]
    key = json.dumps(
        [base.key, str(base.sys_executable), sorted(request.with_requirements), contents, trees],
        sort_keys=True,
    )
    bucket = ctx.cache.bucket("environments")
    root = bucket / cache_digest(key.encode())[:16]
    bucket.mkdir(parents=True, exist_ok=True)
    timeout = lock_timeout_from_env(os.environ)
    with lock(bucket / f"{root.name}.lock", shared=False, resource=str(root), timeout=timeout):
        if not (root / _COMPLETE).is_file():  # new, or left unfinished by a failed run
            venv = create_venv(root, base, on_existing=OnExisting.CLEAR_ANY)
            _install_with(ctx, request, editables, files, venv.python)
            (root / _COMPLETE).write_text("")
    scheme = venv_scheme(base)
    return _CachedEnvironment(
        root, root / scheme.scripts / "python", root / scheme.scripts, root / scheme.purelib
    )


def _existing(ctx: Context, files: Sequence[str]) -> list[str]:
    for path in files:
        if not os.path.isfile(path):
            raise PuvError(f"File not found: `{user_display(path, ctx.cwd)}`")
    return list(files)


def _install_with(
    ctx: Context,
    request: RunRequest,
    editables: Sequence[_Editable],
    files: Sequence[str],
    python: Path,
) -> None:
    """Resolve the `--with` requirements and editables for `python` and install them as
    `pip install` does (uv's summary: the `Building`/`Built` lines and `Installed N packages in
    ...`)."""
    from puv.operations.install_session import IndexArguments
    from puv.operations.pip_install import InstallRequest, install_requirements
    from puv.operations.pip_requirements import SourceOptions
    from puv.operations.sync import FilteredPrinter, with_printer

    quiet = with_printer(
        ctx,
        FilteredPrinter.like(ctx.printer, ("Resolved ", "Prepared ", "Using ", " + ", " - ")),
    )
    sync = request.sync
    try:
        install_requirements(
            quiet,
            InstallRequest(
                files=tuple(files),
                packages=request.with_requirements,
                sources=SourceOptions(editables=tuple(e.requirement for e in editables)),
                resolve=True,
                python=str(python),
                indexes=IndexArguments(default_index=sync.default_index, index=sync.indexes),
            ),
        )
    except PuvError as err:
        if err.message != "No solution found when resolving dependencies":
            raise
        raise PuvError(
            "No solution found when resolving `--with` dependencies",
            causes=err.causes,
            hint=err.hint,
            exit_code=err.exit_code,
        ) from None


def _satisfied(
    ctx: Context,
    requirements: Sequence[str],
    editables: Sequence[_Editable],
    interpreter: Interpreter,
) -> bool:
    """Whether every requirement names a package the environment already has in a version it
    allows, and every editable is installed there, editable and fresh (uv's
    `can_skip_ephemeral`, for plain `name[ specifier]` requirements and editables without
    extras)."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    from puv.install.installed import scan_site_packages

    dists = list(scan_site_packages(_site_packages(interpreter)))
    if editables and not _editables_installed(ctx, editables, dists):
        return False
    installed = {dist.name: dist for dist in dists}
    for text in requirements:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            return False
        if requirement.url or requirement.extras:
            return False
        if requirement.marker is not None and not requirement.marker.evaluate(
            dict(interpreter.markers)
        ):
            continue
        dist = installed.get(canonicalize_name(requirement.name))
        if dist is None or not requirement.specifier.contains(dist.version, prereleases=True):
            return False
    return True


def _editables_installed(
    ctx: Context, editables: Sequence[_Editable], dists: Sequence[InstalledDist]
) -> bool:
    """Whether each editable (without extras) is among `dists`, installed editable from the
    same tree, cache info and build settings."""
    from puv.operations.editable import build_info, cache_info, is_fresh

    config = {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in ctx.settings.config_settings.items()
    }
    build = build_info(config)
    for editable in editables:
        tree = editable.path
        if tree is None or editable.extras:
            return False
        info = cache_info(tree, os.environ)
        if not any(is_fresh(d, tree, editable=True, info=info, build=build) for d in dists):
            return False
    return True


def _site_packages(interpreter: Interpreter) -> list[Path]:
    paths = interpreter.sysconfig_paths
    found = [Path(paths[key]) for key in ("purelib", "platlib") if key in paths]
    return list(dict.fromkeys(found))


def _copy_entry_points(
    source: Path, python: Path | None, destination: Path, new_python: Path
) -> None:
    """Copy `source`'s scripts into `destination`, pointing those run by an environment's
    Python (`python`, or any `#!` line naming a `python` in `source`) at `new_python`."""
    try:
        entries = list(os.scandir(source))
    except FileNotFoundError:
        return
    for entry in entries:
        name = entry.name
        target = destination / name
        if name.startswith(("activate", "deactivate", "python", "pypy")) or target.exists():
            continue
        if not entry.is_file(follow_symlinks=False):
            continue
        with open(entry.path, "rb") as file:
            content = file.read()
        first, newline, rest = content.partition(b"\n")
        interpreter = first[2:].strip() if first.startswith(b"#!") else b""
        wanted = {os.fsencode(python)} if python is not None else set()
        if interpreter in wanted or interpreter == os.fsencode(source / "python"):
            content = b"#!" + os.fsencode(new_python) + newline + rest
        target.write_bytes(content)
        target.chmod(entry.stat().st_mode & 0o777)


# --------------------------------------------------------------------------------- the command


def _is_python_file(path: Path) -> bool:
    return path.suffix.lower() in (".py", ".pyc", ".pyw") and path.is_file()


def _argv(request: RunRequest, interpreter: Interpreter, stdin: bytes | None) -> list[str]:
    """The child's argv, chosen as uv's `RunCommand::from_args` does (a program read from
    standard input is passed with `-c`)."""
    python = str(interpreter.sys_executable)
    target, *args = request.command
    if stdin is not None:
        return [python, "-c", os.fsdecode(stdin), *args]
    if request.module:
        return [python, "-m", target, *args]
    if request.script:
        return [python, target, *args]
    path = Path(target)
    if target.lower() == "python":
        return [python, *args]
    if path.is_file() and path.suffix.lower() in (".py", ".pyc", ".pyw"):
        return [python, target, *args]
    if path.is_dir() and (path / "__main__.py").is_file():
        return [python, target, *args]
    return [target, *args]


def _child_environment(environment: _Environment, extra: Mapping[str, str]) -> dict[str, str]:
    """The child's variables: the `.env` values, `PATH` with the environments' scripts first,
    `VIRTUAL_ENV`, and uv's recursion counter."""
    child = dict(os.environ)
    child.update(extra)
    scripts = [str(path) for path in dict.fromkeys(environment.scripts)]
    current = child.get("PATH")
    child["PATH"] = os.pathsep.join([*scripts, *([current] if current else [])])
    if environment.virtual_env is not None:
        child["VIRTUAL_ENV"] = str(environment.virtual_env)
    depth = child.get("UV_RUN_RECURSION_DEPTH", "0")
    child["UV_RUN_RECURSION_DEPTH"] = str(int(depth) + 1 if depth.isdigit() else 1)
    return child


def _list_commands(ctx: Context, environment: _Environment) -> None:
    """uv's answer to `run` without a command: the environment's commands."""
    lines = [
        "Provide a command or script to invoke with `puv run <command>` or `puv run <script>.py`.\n"
    ]
    scripts = environment.scripts[0]
    try:
        names = sorted(
            entry.name
            for entry in os.scandir(scripts)
            if (entry.is_file() or entry.is_symlink())
            and os.access(entry.path, os.X_OK)
            and not entry.name.startswith(("activate", "deactivate"))
        )
    except FileNotFoundError:
        names = []
    if names:
        lines.append("The following commands are available in the environment:\n")
        lines.extend(f"- {name}" for name in names)
    lines.append("\nSee `puv run --help` for more information.")
    ctx.printer.result("\n".join(lines))


def _run_to_completion(argv: list[str], environment: dict[str, str]) -> int:
    """Run the child with the terminal, forwarding signals as uv does; its exit code, or
    128+N when signal N killed it."""
    executable = shutil.which(argv[0], path=environment.get("PATH")) or argv[0]
    try:
        child = subprocess.Popen([executable, *argv[1:]], env=environment)
    except OSError as err:
        cause = f"{err.strerror} (os error {err.errno})" if err.errno else str(err)
        raise PuvError(f"Failed to spawn: {argv[0]}", causes=[cause]) from None
    interactive = sys.stdin.isatty() if sys.stdin is not None else False
    previous: dict[signal.Signals, Any] = {}

    def forward(number: int, _frame: FrameType | None) -> None:
        if child.poll() is None:
            child.send_signal(number)

    def interrupt(number: int, frame: FrameType | None) -> None:
        # In a terminal the child got the SIGINT from the terminal driver already.
        if not interactive or os.getpgid(child.pid) != os.getpgid(0):
            forward(number, frame)

    handlers: list[tuple[str, Callable[[int, FrameType | None], None]]] = [
        ("SIGINT", interrupt),
        *((name, forward) for name in _FORWARDED),
    ]
    for name, handler in handlers:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, handler)
    try:
        code = child.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 128 - code if code < 0 else code


# --------------------------------------------------------------------------------- .env files


def read_env_files(ctx: Context, paths: Sequence[str]) -> dict[str, str]:
    """The variables of the `.env` files (a later file wins; the real environment wins over
    all of them), with uv's errors and warnings."""
    values: dict[str, str] = {}
    for path in paths:
        shown = user_display(path, ctx.cwd)
        try:
            text = (ctx.cwd / path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise PuvError(f"No environment file found at: `{shown}`") from None
        except (OSError, UnicodeDecodeError) as err:
            raise PuvError(f"Failed to read environment file `{shown}`: {err}") from None
        try:
            parsed = parse_env_file(text, {**os.environ, **values})
        except ValueError as err:
            ctx.printer.warn(f"Failed to parse environment file `{shown}` at position {err}")
            continue
        values.update((key, value) for key, value in parsed.items() if key not in os.environ)
    return values


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_EXPANSION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def parse_env_file(text: str, environ: Mapping[str, str]) -> dict[str, str]:
    """Parse dotenv text as dotenvy does: `KEY=value` lines, `export`, `#` comments, single
    quotes (literal), double quotes (escapes), `$VAR`/`${VAR}` expansion from earlier keys and
    `environ`. Raises `ValueError("<position>: <line>")` on a malformed line."""
    values: dict[str, str] = {}
    position = 0
    lines = text.splitlines(keepends=True)
    index = 0
    while index < len(lines):
        raw = lines[index]
        line = raw.strip()
        index += 1
        start = position
        position += len(raw)
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        name_match = _NAME.match(line)
        rest = line[name_match.end() :].lstrip() if name_match else ""
        if name_match is None or not rest.startswith("="):
            raise ValueError(f"{start + 1}: {raw.rstrip()}")
        key = name_match.group()
        value = rest[1:].lstrip()
        lookup = {**environ, **values}
        if value.startswith("'"):
            while value.count("'") < 2 and index < len(lines):
                value += "\n" + lines[index].rstrip("\n")
                position += len(lines[index])
                index += 1
            end = value.find("'", 1)
            if end < 0:
                raise ValueError(f"{start + 1}: {raw.rstrip()}")
            values[key] = value[1:end]
        elif value.startswith('"'):
            while _closing_quote(value) < 0 and index < len(lines):
                value += "\n" + lines[index].rstrip("\n")
                position += len(lines[index])
                index += 1
            end = _closing_quote(value)
            if end < 0:
                raise ValueError(f"{start + 1}: {raw.rstrip()}")
            body = value[1:end]
            body = re.sub(
                r"\\(.)",
                lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)),
                body,
            )
            values[key] = _expand(body, lookup)
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].rstrip()
            values[key] = _expand(value, lookup)
    return values


def _closing_quote(value: str) -> int:
    """The index of the `"` closing the double-quoted `value`, or -1."""
    escaped = False
    for position, character in enumerate(value[1:], start=1):
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == '"':
            return position
    return -1


def _expand(value: str, lookup: Mapping[str, str]) -> str:
    return _EXPANSION.sub(lambda m: lookup.get(m.group(1) or m.group(2), ""), value)
