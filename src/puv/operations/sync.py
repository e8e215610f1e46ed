"""`puv sync`: make the project's environment hold exactly what the lock says it should.

The steps are uv's (`commands/project/sync.rs`): discover the workspace and the target (the
current project, `--package`s, `--all-packages`, or a virtual workspace root), get or create the
project environment, lock (or, with `--frozen`, read `uv.lock` as it is), select the lock's
packages for this interpreter and the chosen extras and groups (`lock.install_target`), then
compare them with what is installed. When nothing differs that is all (no wheel cache, no HTTP
client); otherwise source trees and sdists are built (cached by their cache keys and hashes),
wheels are downloaded and verified against the lock's hashes (cached by hash), replaced and
extraneous distributions are removed (exact sync) and the new ones linked in, with uv's report.

The selection is remembered per (lock file identity, target, flags, markers), so a sync of an
unchanged lock selects nothing again (and with `--frozen` parses no `uv.lock` at all) unless it
has something to install.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from puv.core.errors import FailureError, PuvError
from puv.core.paths import user_display
from puv.core.printer import Printer, counted, plural, since
from puv.lock.install_target import (
    DependencyGroups,
    Extras,
    InstallOptions,
    InstallTarget,
    LockedDist,
    LockedFile,
    locked_dists,
    locked_file,
)
from puv.operations.context import Context
from puv.operations.pip_report import Dist, change_lines, print_changes
from puv.operations.project_env import ProjectEnvironment, project_environment
from puv.project.group_flags import GroupFlags

if TYPE_CHECKING:
    from puv.install.installed import InstalledDist
    from puv.lock.model import Lock, Package
    from puv.operations.editable import BuiltTree
    from puv.operations.install_session import Artifact, InstallSession
    from puv.operations.lock import LockRequest, LockResult
    from puv.operations.pip_env import TargetEnvironment
    from puv.operations.target_platform import Target
    from puv.operations.wheel_cache import CachedWheel
    from puv.project.pyproject import PyProject
    from puv.project.settings import Settings
    from puv.project.workspace import Workspace

__all__ = [
    "Extras",
    "FilteredPrinter",
    "GroupFlags",
    "InstallOptions",
    "SyncRequest",
    "SyncResult",
    "lock_request",
    "read_project_lock",
    "report_lock_preview",
    "sync_project",
    "with_printer",
]

LockMode = Literal["write", "locked", "frozen"]  # `--locked`, `--frozen`, or neither
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
OUTDATED = "The environment is outdated; run `puv sync` to update the environment"


class SyncRequest(NamedTuple):
    """What `puv sync` (or `puv run` before running) was asked for; the installer settings
    (link mode, bytecode, reinstall, config settings, `--no-build`, ...) come from the merged
    settings of the context.

    `report` is "full" for `sync` (`Resolved`, `Prepared`, `Checked` and the ` + pkg` lines) or
    "summary" for `run` (only what was built, uninstalled and installed).
    """

    lock_mode: LockMode = "write"
    dry_run: bool = False
    check: bool = False
    exact: bool = True
    active: bool | None = None
    python: str | None = None
    packages: tuple[str, ...] = ()
    all_packages: bool = False
    extras: Extras = Extras()
    groups: GroupFlags = GroupFlags()
    install_options: InstallOptions = InstallOptions()
    no_editable: bool = False
    no_editable_packages: frozenset[str] = frozenset()
    report: Literal["full", "summary"] = "full"
    python_platform: str | None = None
    indexes: tuple[str, ...] = ()
    default_index: str | None = None
    refresh: bool = False
    refresh_packages: tuple[str, ...] = ()
    upgrade_groups: tuple[str, ...] = ()
    no_config: bool = False
    project_dir: Path | None = None
    environment_root: Path | None = None  # instead of the project's (`run --isolated`)


class SyncResult(NamedTuple):
    """The synced workspace and its environment."""

    workspace: Workspace
    environment: ProjectEnvironment


# --------------------------------------------------------------------------------- entry point


def sync_project(ctx: Context, request: SyncRequest) -> SyncResult:
    """Sync the project environment with the lock; raises `PuvError` on failure (with
    `--check`, `FailureError` when the environment is outdated)."""
    from puv.operations.lock import recorded_fresh
    from puv.project.workspace import discover_workspace

    start_dir = request.project_dir or ctx.cwd
    workspace = discover_workspace(start_dir)
    current = _target_member(workspace, request)
    # A check of the lock with these very files passed before: it read every group of every
    # member, so they need not be parsed again to be known valid.
    validated = recorded_fresh(ctx, workspace)
    groups = _dependency_groups(workspace, current, request.groups)
    preview = request.dry_run or request.check
    frozen = request.lock_mode == "frozen"
    if frozen and not (workspace.root / "uv.lock").is_file():
        raise _missing_frozen_lock()  # as uv: before any environment work
    lock: list[Lock] = []  # parsed when needed: a no-op sync may never need it
    if frozen and request.environment_root is None:
        from puv.operations.project_env import environment_path

        where = environment_path(ctx, workspace.root, active=request.active, warn=False)
        if not (where / "pyvenv.cfg").is_file():  # as uv: a broken lock fails before creating it
            lock.append(_frozen_lock(ctx, workspace))
    environment = project_environment(
        ctx,
        workspace,
        python=request.python,
        active=request.active,
        dry_run=preview,
        no_config=request.no_config,
        root=request.environment_root,
    )
    if preview:
        verb = {"existing": "use", "would-create": "create"}.get(environment.state, "replace")
        shown = user_display(environment.root, ctx.cwd)
        ctx.printer.status(
            ctx.printer.style(f"Would {verb} project environment at: {shown}", "dim")
        )
    from puv.operations.target_platform import target_of

    platform = target_of(
        environment.interpreter, python_platform=request.python_platform, environ=os.environ
    )
    target = _install_target(workspace, current, request, validated=validated)
    locked = None if frozen else _project_lock(ctx, workspace, request, environment)
    # whether `uv.lock` holds the lock to install from (a dry run may resolve one it does not write)
    file_is_lock = locked is None or not locked.resolved

    def load() -> Lock:
        if not lock:
            lock.append(_frozen_lock(ctx, workspace) if locked is None else locked.lock)
        return lock[0]

    cache_file = None
    if file_is_lock:
        cache_file = _selection_file(ctx, workspace, target, platform, request, groups)
    wanted = None if cache_file is None else _read_selection(cache_file)
    if wanted is None:
        packages = _select(load(), target, platform, request, groups)
        no_editable = request.no_editable or request.no_editable_packages
        wanted = locked_dists(packages, workspace.root, no_editable=no_editable)
        if cache_file is not None:
            _write_selection(cache_file, wanted)
    _Synchronizer(ctx, workspace, environment, platform, request, load).run(wanted)
    return SyncResult(workspace, environment)


def read_project_lock(
    ctx: Context,
    workspace: Workspace,
    request: SyncRequest,
    environment: ProjectEnvironment | None = None,
) -> Lock:
    """The workspace's lock: `uv.lock` as it is with `--frozen` (it must exist), else locked
    first (`--locked`: fail rather than change it) with the environment's interpreter.

    Prints what uv's sync prints about locking: `Resolved N packages in ...` (not for `run`),
    and under `--dry-run`/`--check` (without `--locked`) `Found up-to-date lockfile at: ...`.
    """
    if request.lock_mode == "frozen":
        return _frozen_lock(ctx, workspace)
    return _project_lock(ctx, workspace, request, environment).lock


def _project_lock(
    ctx: Context,
    workspace: Workspace,
    request: SyncRequest,
    environment: ProjectEnvironment | None,
) -> LockResult:
    """`read_project_lock` without `--frozen`: the lock, read when first used."""
    from puv.operations.lock import lock_project

    existed = (workspace.root / "uv.lock").is_file()
    python = None if environment is None else str(environment.interpreter.sys_executable)
    locking = lock_request(ctx, request, python, show_resolved=request.report != "summary")
    result = lock_project(ctx, locking, workspace=workspace)
    report_lock_preview(ctx, request, result.path, existed=existed, resolved=result.resolved)
    return result


def lock_request(
    ctx: Context, request: SyncRequest, python: str | None, *, show_resolved: bool
) -> LockRequest:
    """The lock request of a sync (of a project or a script): its lock mode, preview, indexes,
    refresh and upgrades, printing neither `lock`'s change lines nor its interpreter."""
    from puv.operations.lock import LockRequest

    return LockRequest(
        check=request.lock_mode == "locked",
        frozen=request.lock_mode == "frozen",
        dry_run=request.dry_run or request.check,
        python=python,
        indexes=request.indexes,
        default_index=request.default_index,
        refresh=request.refresh,
        refresh_packages=request.refresh_packages,
        upgrade=ctx.settings.upgrade,
        upgrade_packages=tuple(ctx.settings.upgrade_package),
        upgrade_groups=request.upgrade_groups,
        report_changes=False,
        show_interpreter=False,
        show_resolved=show_resolved,
    )


def report_lock_preview(
    ctx: Context, request: SyncRequest, path: Path, *, existed: bool, resolved: bool
) -> None:
    """uv's `LockMode::DryRun` line for a previewing sync (`--dry-run`/`--check` without
    `--locked`/`--frozen`): whether the lock at `path` would be created, updated or kept."""
    if not (request.dry_run or request.check) or request.lock_mode != "write":
        return
    action = "Would update" if resolved else "Found up-to-date"
    action = action if existed else "Would create"
    shown = user_display(path, ctx.cwd)
    ctx.printer.status(ctx.printer.style(f"{action} lockfile at: {shown}", "dim"))


def _frozen_lock(ctx: Context, workspace: Workspace) -> Lock:
    """`uv.lock` as it is (`--frozen`): no freshness check (`operations.lock` imports what a
    check needs only when it runs)."""
    from puv.operations.lock import read_lock

    lock = read_lock(workspace.root / "uv.lock", None if ctx.no_cache else ctx.cache)
    if lock is None:
        raise _missing_frozen_lock()
    _check_members(workspace, lock)
    return lock


def _missing_frozen_lock() -> PuvError:
    return FailureError(
        "Unable to find lockfile at `uv.lock`, but `--frozen` was provided. To create a "
        "lockfile, run `puv lock` or `puv sync` without the flag."
    )


def _check_members(workspace: Workspace, lock: Lock) -> None:
    """uv's `--frozen` error when a workspace member is missing from the lock."""
    locked = {package.name for package in lock.packages if package.source.is_local_tree}
    for name in workspace.members:
        if name not in locked:
            raise PuvError(
                "The lockfile at `uv.lock` needs to be updated, but `--frozen` was provided: "
                f"Missing workspace member `{name}`."
            )


def with_printer(ctx: Context, printer: Printer, settings: Settings | None = None) -> Context:
    """`ctx` with another printer (and other settings, when given)."""
    return Context(
        printer=printer,
        cache=ctx.cache,
        cwd=ctx.cwd,
        settings=ctx.settings if settings is None else settings,
        no_cache=ctx.no_cache,
        offline=ctx.offline,
        python_preference=ctx.python_preference,
    )


# --------------------------------------------------------------------------------- selection


def _target_member(workspace: Workspace, request: SyncRequest) -> str | None:
    """The project whose settings apply (the one `--package` names, else the current one;
    None for a virtual workspace root). `--package` names are checked as uv checks them (not
    with `--frozen`: the lock then says what is missing)."""
    from puv.project.settings_schema import normalize_name

    names = [normalize_name(name) for name in request.packages]
    if request.lock_mode != "frozen":
        if len(names) == 1:
            workspace.member(request.packages[0])  # uv's error for an unknown member
        for name in names:
            if name not in workspace.members:
                raise PuvError(f"Package `{name}` not found in workspace")
    if len(names) == 1:
        return names[0] if names[0] in workspace.members else None
    if names:
        return None
    return None if workspace.current is None else workspace.current.name


def _dependency_groups(
    workspace: Workspace, current: str | None, flags: GroupFlags
) -> DependencyGroups:
    """The enabled groups: the flags, with the target project's `default-groups`."""
    pyproject = workspace.pyproject if current is None else workspace.members[current].pyproject
    return flags.selection(pyproject)


def _install_target(
    workspace: Workspace, current: str | None, request: SyncRequest, *, validated: bool
) -> InstallTarget:
    """uv's `identify_installation_target`, with the groups the selected project and the
    workspace root declare (what decides which root groups a member inherits); `validated`:
    the `pyproject.toml`s are known to be valid (their groups need no parsing)."""
    from puv.project.settings_schema import normalize_name

    declared = {
        member.name: _declared_groups(member.pyproject, validated=validated)
        for name in (current, workspace.pyproject.normalized_name)
        if name is not None and (member := workspace.members.get(name)) is not None
    }
    packages = tuple(normalize_name(name) for name in request.packages)
    if request.all_packages:
        if workspace.is_non_project:
            return InstallTarget("non-project-workspace", (), declared)
        return InstallTarget("workspace", (), declared)
    if len(packages) == 1:
        return InstallTarget("project", packages, declared)
    if packages:
        return InstallTarget("projects", packages, declared)
    if current is None:
        return InstallTarget("non-project-workspace", (), declared)
    return InstallTarget("project", (current,), declared)


def _declared_groups(pyproject: PyProject, *, validated: bool) -> frozenset[str]:
    """The groups `pyproject` declares (a legacy `tool.uv.dev-dependencies` is `dev`), parsed
    and validated as uv does, or (`validated`) read from the table's keys alone."""
    if not validated:
        from puv.project.groups import read_dependency_groups

        return frozenset(read_dependency_groups(pyproject))
    from puv.project.settings_schema import normalize_name

    names = {normalize_name(name) for name in pyproject.data.get("dependency-groups") or {}}
    if (pyproject.tool_uv or {}).get("dev-dependencies") is not None:
        names.add("dev")
    return frozenset(names)


def _select(
    lock: Lock,
    target: InstallTarget,
    platform: Target,
    request: SyncRequest,
    groups: DependencyGroups,
) -> list[Package]:
    """The packages of the lock for this environment (after uv's compatibility checks)."""
    from puv.core.markers import Marker
    from puv.core.requires_python import RequiresPython
    from puv.lock.install_target import select_packages

    version = platform.python_version
    if not RequiresPython(lock.requires_python).contains(version, prereleases=True):
        raise PuvError(
            f"The current Python version ({version}) is not compatible with the locked Python "
            f"requirement: `{lock.requires_python}`"
        )
    markers = platform.markers
    if lock.supported_markers and not any(
        Marker.parse(text).evaluate(markers) for text in lock.supported_markers
    ):
        shown = ", ".join(f"`{text}`" for text in lock.supported_markers)
        raise PuvError(
            "The current Python platform is not compatible with the lockfile's supported "
            f"environments: {shown}"
        )
    return select_packages(lock, target, markers, request.extras, groups, request.install_options)


# --------------------------------------------------------------------------------- selection cache


def _selection_file(
    ctx: Context,
    workspace: Workspace,
    target: InstallTarget,
    platform: Target,
    request: SyncRequest,
    groups: DependencyGroups,
) -> Path | None:
    """Where the selection from a lock file is remembered: a digest of the lock file's identity
    (path, size, mtime, inode), the workspace members, the target, the selection flags and the
    environment's markers. None when the cache is not to be used."""
    import json

    from puv.core.digest import cache_digest

    if ctx.no_cache:
        return None
    path = workspace.root / "uv.lock"
    try:
        stat = path.stat()
    except OSError:
        return None
    key = [
        str(path),
        stat.st_size,
        stat.st_mtime_ns,
        stat.st_ino,
        sorted(workspace.members),
        _canonical(target),
        _canonical(groups),
        _canonical(request.extras),
        _canonical(request.install_options),
        request.no_editable,
        sorted(request.no_editable_packages),
        sorted(platform.markers.items()),
    ]
    digest = cache_digest(json.dumps(key, sort_keys=True).encode())[:32]
    return ctx.cache.bucket("environments") / "selections" / f"{digest}.json"


def _canonical(value: object) -> object:
    """`value` as JSON data that is the same in every process (sets sorted)."""
    fields = getattr(value, "_fields", None)  # a named tuple
    if isinstance(value, tuple) and fields is not None:
        return {name: _canonical(getattr(value, name)) for name in fields}
    if isinstance(value, (set, frozenset)):
        return sorted(_canonical(item) for item in value)  # type: ignore[type-var]
    if isinstance(value, Mapping):
        return sorted((str(key), _canonical(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    return value


def _read_selection(path: Path | None) -> list[LockedDist] | None:
    """The remembered selection, or None."""
    import json

    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as file:
            rows = json.load(file)
        return [
            LockedDist(
                name, version, kind, url, None if tree is None else Path(tree), editable, git
            )
            for name, version, kind, url, tree, editable, git in rows
        ]
    except (OSError, ValueError, TypeError):
        return None


def _write_selection(path: Path | None, dists: Sequence[LockedDist]) -> None:
    """Remember a selection (best effort: a read-only cache only makes the next sync slower)."""
    import json

    from puv.cache.persist import write_atomic

    if path is None:
        return
    rows = [[*d[:4], None if d.tree is None else str(d.tree), *d[5:]] for d in dists]
    try:
        write_atomic(path, json.dumps(rows).encode())
    except OSError:
        return


# --------------------------------------------------------------------------------- the plan


class _Change(NamedTuple):
    """A distribution to install, and the installed ones of its name it replaces."""

    dist: LockedDist
    replaces: tuple[InstalledDist, ...]


class _Plan(NamedTuple):
    """What to install and what to remove as extraneous (exact sync)."""

    changes: tuple[_Change, ...]
    extraneous: tuple[InstalledDist, ...]

    @property
    def is_noop(self) -> bool:
        """Nothing to install or remove."""
        return not self.changes and not self.extraneous

    @property
    def removed(self) -> list[InstalledDist]:
        """Every installed distribution the plan removes."""
        return [*(dist for change in self.changes for dist in change.replaces), *self.extraneous]


class _Synchronizer:
    """Plans and applies one sync of the project environment."""

    def __init__(
        self,
        ctx: Context,
        workspace: Workspace,
        environment: ProjectEnvironment,
        platform: Target,
        request: SyncRequest,
        lock: Callable[[], Lock],
    ) -> None:
        self.ctx = ctx
        self.workspace = workspace
        self.environment = environment
        self.platform = platform
        self.request = request
        self.lock = lock
        self.config_settings: dict[str, str | list[str]] = {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in ctx.settings.config_settings.items()
        }
        self._build_settings: dict[str, Any] | None = None
        self.started = time.perf_counter()

    @property
    def printer(self) -> Printer:
        return self.ctx.printer

    @property
    def build(self) -> dict[str, Any]:
        """The build settings that built trees and sdists are recorded with (read when a
        source tree is checked or something is built)."""
        if self._build_settings is None:
            from puv.operations.editable import build_info

            self._build_settings = build_info(self.config_settings)
        return self._build_settings

    def run(self, wanted: list[LockedDist]) -> None:
        """Make the environment hold the `wanted` distributions (with uv's report)."""
        from puv.operations.pip_env import TargetEnvironment

        environment = self.environment
        target = TargetEnvironment(environment.interpreter)
        if not environment.exists:  # a dry run that would create it: everything is new
            with self._session(target) as session:
                self._preview(_Plan(tuple(_Change(dist, ()) for dist in wanted), ()), session)
            return
        if self.request.dry_run or self.request.check:
            self._sync(target, wanted)
            return
        from puv.cache.lock import lock_timeout_from_env
        from puv.install.env_lock import lock_environment

        timeout = lock_timeout_from_env(os.environ)
        shown = user_display(environment.root, self.ctx.cwd)
        with lock_environment(environment.root, timeout=timeout, resource=shown):
            self._sync(target, wanted)

    def _sync(self, target: TargetEnvironment, wanted: list[LockedDist]) -> None:
        from puv.install.installed import scan_site_packages

        installed = scan_site_packages(target.site_packages)
        plan = self._plan(installed, wanted)
        bytecode = self.ctx.settings.compile_bytecode
        preview = self.request.dry_run or self.request.check
        if plan.is_noop and not (bytecode and not preview):
            if self.request.report == "full":
                self.printer.status(counted("Checked", len(wanted), since(self.started)))
            if preview:
                self.printer.status("Would make no changes")
            return
        if plan.is_noop:
            self._compile(target)
            return
        with self._session(target) as session:
            if preview:
                self._preview(plan, session)
                return
            self._apply(plan, session, target)

    def _plan(self, installed: Sequence[InstalledDist], wanted: Sequence[LockedDist]) -> _Plan:
        """Compare installed distributions with the wanted ones (uv's strict planner)."""
        settings = self.ctx.settings
        reinstall = frozenset(settings.reinstall_package)
        by_name: dict[str, list[InstalledDist]] = {}
        for present in installed:
            by_name.setdefault(present.name, []).append(present)
        changes = []
        for dist in wanted:
            found = tuple(by_name.pop(dist.name, ()))
            forced = settings.reinstall or dist.name in reinstall
            if forced or len(found) != 1 or not self._satisfies(found[0], dist):
                changes.append(_Change(dist, found))
        extraneous: tuple[InstalledDist, ...] = ()
        if self.request.exact:
            extraneous = tuple(left for dists in by_name.values() for left in dists)
        return _Plan(tuple(changes), extraneous)

    def _satisfies(self, installed: InstalledDist, dist: LockedDist) -> bool:
        """Whether the installed distribution can stay (uv's `RequirementSatisfaction`)."""
        if not installed.complete:
            return False
        if dist.version is not None and not _same_version(installed.version, dist.version):
            return False
        if dist.kind == "tree":
            from puv.operations.editable import cache_info, is_fresh

            assert dist.tree is not None
            return is_fresh(
                installed,
                dist.tree,
                editable=dist.editable,
                info=cache_info(dist.tree, os.environ),
                build=self.build,
            )
        if dist.kind == "registry":
            return installed.direct_url is None
        if dist.kind == "git":
            from puv.operations.git_install import is_current

            return is_current(installed, dist, build=self.build)
        direct = installed.direct_url
        return (
            direct is not None
            and direct.get("url") == dist.url
            and isinstance(direct.get("archive_info"), dict)
        )

    def _session(self, target: TargetEnvironment) -> InstallSession:
        """An install session that links without compiling (sync compiles the whole
        environment) and, for `run`, reports no `Prepared` line."""
        from puv.operations.install_session import IndexArguments, InstallSession
        from puv.operations.pip_requirements import RequirementSources

        ctx = self.ctx
        settings = ctx.settings
        printer = ctx.printer
        if self.request.report == "summary":
            printer = FilteredPrinter.like(printer, ("Prepared ",))
        request = self.request
        return InstallSession(
            with_printer(
                ctx, printer, settings._replace(pip=settings.pip._replace(compile_bytecode=False))
            ),
            target,
            self.platform,
            RequirementSources(),
            IndexArguments(default_index=request.default_index, index=request.indexes),
            refresh=request.refresh,
            refresh_packages=request.refresh_packages,
        )

    def _preview(self, plan: _Plan, session: InstallSession) -> None:
        """`--dry-run` / `--check`: what would change (uv's `Would ...` lines)."""
        printer = self.printer
        downloads = sum(1 for change in plan.changes if not self._cached(change.dist, session))
        removed = plan.removed
        if downloads:
            printer.status(f"Would download {plural(downloads, 'package')}")
        if removed:
            printer.status(f"Would uninstall {plural(len(removed), 'package')}")
        if plan.changes:
            printer.status(f"Would install {plural(len(plan.changes), 'package')}")
        added = [
            Dist(
                change.dist.name,
                None if change.dist.kind in ("tree", "git") else change.dist.version,
                change.dist.url,
            )
            for change in plan.changes
        ]
        print_changes(printer, change_lines([_shown(d) for d in removed], added, dry_run=True))
        if self.request.check:
            raise FailureError(OUTDATED)

    def _cached(self, dist: LockedDist, session: InstallSession) -> bool:
        """Whether installing `dist` needs no download or build."""
        return self._cached_wheel(dist, self._file(dist, session), session) is not None

    def _file(self, dist: LockedDist, session: InstallSession) -> LockedFile | None:
        """The wheel or sdist `dist` installs from (None for a source tree)."""
        settings = self.ctx.settings
        name = dist.name
        return locked_file(
            self._package(dist),
            dist,
            self.workspace.root,
            session.policy.rank,
            no_binary=settings.no_binary or name in settings.no_binary_package,
            no_build=settings.no_build or name in settings.no_build_package,
        )

    def _package(self, dist: LockedDist) -> Package:
        """The locked package `dist` was selected from."""
        found = [p for p in self.lock().find(dist.name) if p.version == dist.version]
        if not found:
            raise PuvError(f"The lockfile has no package `{dist.display}`")
        return found[0]

    def _cached_wheel(
        self, dist: LockedDist, file: LockedFile | None, session: InstallSession
    ) -> CachedWheel | None:
        """The wheel `dist` installs, unpacked in the cache already (None: fetch or build)."""
        if session.refreshes(dist.name):
            return None
        if file is None or file.wheel is None:
            built = self._built_wheel(dist, file, session)
            if built is None:
                return None
            from puv.core.hashes import HashDigest

            found = session.wheels.find(dist.name, [HashDigest("sha256", built.sha256)])
            return found[0] if found else None
        found = session.wheels.find(dist.name, file.hashes)
        return found[0] if found else None

    def _built_wheel(
        self, dist: LockedDist, file: LockedFile | None, session: InstallSession
    ) -> BuiltTree | None:
        """The wheel built earlier from `dist`'s source tree, sdist or Git commit, if current."""
        from puv.operations.editable import built_wheel, cache_info, source_key

        if dist.kind == "git":
            from puv.operations.git_install import build_key

            key, info = build_key(dist), {}
        elif dist.tree is not None:
            key = source_key(dist.tree, editable=dist.editable)
            info = cache_info(dist.tree, os.environ)
        else:
            assert file is not None
            key, info = _sdist_key(file), {}
        return built_wheel(
            self.ctx.cache,
            key,
            info=info,
            build=self.build,
            compatible=lambda wheel: session.policy.rank(wheel) is not None,
        )

    def _apply(self, plan: _Plan, session: InstallSession, target: TargetEnvironment) -> None:
        from puv.operations.pip_plan import Plan

        files = [self._file(change.dist, session) for change in plan.changes]  # uv's errors first
        artifacts = [
            self._artifact(change, file, session)
            for change, file in zip(plan.changes, files, strict=True)
        ]
        artifacts = session.fetch(artifacts)
        pip_plan = Plan((), tuple(artifact.change for artifact in artifacts), plan.extraneous)
        session.apply(pip_plan, artifacts)
        for change, artifact in zip(plan.changes, artifacts, strict=True):
            if change.dist.kind in ("tree", "git"):
                self._record_tree(change.dist, artifact, target)
        if self.ctx.settings.compile_bytecode:
            self._compile(target)
        if self.request.report == "full":
            added = [
                Dist(a.wheel.name, str(a.wheel.version), change.dist.url)
                for change, a in zip(plan.changes, artifacts, strict=True)
            ]
            print_changes(self.printer, change_lines([_shown(d) for d in plan.removed], added))

    def _artifact(
        self, change: _Change, file: LockedFile | None, session: InstallSession
    ) -> Artifact:
        """The wheel to install for a change (from `file`, or the source tree): from the cache,
        to download, or built now."""
        from puv.operations.install_session import Artifact
        from puv.operations.pip_plan import Change
        from puv.operations.pip_requirements import Requested

        dist = change.dist
        requested = Requested(
            dist.name,
            specifier="" if dist.version is None else f"=={dist.version}",
            url=None if dist.kind in ("registry", "tree", "git") else dist.url,
            hashes=() if file is None else file.hashes,
            display=dist.display,
        )
        pip_change = Change(requested, change.replaces)
        cached = self._cached_wheel(dist, file, session)
        if file is not None and file.wheel is not None:
            return Artifact(
                pip_change, file.wheel, cached, file.location, file.hashes, size=file.size
            )
        if cached is not None:
            return Artifact(pip_change, cached.filename, cached, None, ())
        # a commit's wheel is never stale: a reinstall unpacks it again, without a build (as uv)
        built = self._built_wheel(dist, file, session) if dist.kind == "git" else None
        if built is None:
            built = self._build(dist, file, session)
        return Artifact(pip_change, built.filename, None, built.wheel.as_uri(), ())

    def _build(
        self, dist: LockedDist, file: LockedFile | None, session: InstallSession
    ) -> BuiltTree:
        """Build the source tree, Git commit or sdist of `dist` (printing uv's `Building`/`Built`
        lines, after a Git checkout's `Updating` lines)."""
        from puv.operations.build_ops import build_wheel_for
        from puv.operations.editable import cache_info, record_built_wheel, source_key

        printer = self.printer
        interpreter = self.environment.interpreter
        config = self.config_settings or None
        checkout = None
        if dist.kind == "git":
            from puv.operations import git_install

            checkout = git_install.check_out(self.ctx, dist)
        printer.status(f"   {printer.style('Building', 'green', bold=True)} {dist.display}")
        if checkout is not None:
            info = {}
            wheel = git_install.build_wheel(
                self.ctx, dist, checkout, interpreter, config_settings=config
            )
            key = git_install.build_key(dist)
        elif dist.tree is not None:
            info = cache_info(dist.tree, os.environ)
            wheel = build_wheel_for(
                self.ctx, dist.tree, interpreter, editable=dist.editable, config_settings=config
            )
            key = source_key(dist.tree, editable=dist.editable)
        else:
            assert file is not None
            info = {}
            archive = self._download_sdist(dist, file, session)
            try:
                wheel = build_wheel_for(self.ctx, archive, interpreter, config_settings=config)
            finally:
                archive.unlink(missing_ok=True)
            key = _sdist_key(file)
        printer.status(f"      {printer.style('Built', 'green', bold=True)} {dist.display}")
        return record_built_wheel(self.ctx.cache, key, wheel, info=info, build=self.build)

    def _download_sdist(self, dist: LockedDist, file: LockedFile, session: InstallSession) -> Path:
        """The sdist of `dist`, downloaded (hash-checked) into the cache's scratch space."""
        from urllib.parse import unquote, urlsplit

        from puv.cache.persist import temp_dir_in

        filename = unquote(urlsplit(file.location).path.rpartition("/")[2])
        scratch = temp_dir_in(self.ctx.cache.bucket("sdists"))
        try:
            result = session.client.download(
                file.location, scratch / filename, expected=file.hashes, distribution=dist.display
            )
        except PuvError as err:
            raise FailureError(
                f"Failed to download `{dist.display}`", causes=[err.message, *err.causes]
            ) from None
        archive = scratch.parent / f"{scratch.name}-{filename}"
        os.replace(result.path, archive)
        scratch.rmdir()
        return archive

    def _record_tree(self, dist: LockedDist, artifact: Artifact, target: TargetEnvironment) -> None:
        """Write uv's source-tree (or Git) metadata into the `.dist-info` just installed."""
        from puv.operations.editable import cache_info, record_tree_install

        assert artifact.cached is not None
        dist_info = next(artifact.cached.archive.glob("*.dist-info")).name
        site_packages = Path(target.site_packages[0])
        if dist.kind == "git":
            from puv.operations.git_install import git_url, record_install

            record_install(site_packages / dist_info, git_url(dist), build=self.build)
            return
        assert dist.tree is not None
        record_tree_install(
            site_packages / dist_info,
            dist.tree,
            editable=dist.editable,
            info=cache_info(dist.tree, os.environ),
            build=self.build,
        )

    def _compile(self, target: TargetEnvironment) -> None:
        """`--compile-bytecode`: the whole environment, as uv does for projects."""
        from puv.install.bytecode import compile_tree

        start = time.perf_counter()
        count = compile_tree(target.site_packages, target.interpreter.sys_executable)
        self.printer.status(f"Bytecode compiled {plural(count, 'file')} in {since(start)}")


class FilteredPrinter(Printer):
    """A printer that drops the status lines starting with one of `hidden`: what uv's `run`
    does not print of the install steps it shares with `sync` and `pip` (the `Prepared`
    summary, an overlay's `+`/`-` lines)."""

    __slots__ = ("hidden",)

    def __init__(self, hidden: tuple[str, ...], **options: Any) -> None:
        super().__init__(**options)
        self.hidden = hidden

    @classmethod
    def like(cls, printer: Printer, hidden: tuple[str, ...]) -> FilteredPrinter:
        """A copy of `printer` that hides the lines starting with `hidden`."""
        return cls(
            hidden,
            quiet=printer.quiet,
            verbose=printer.verbose,
            color=printer.color,
            progress=printer.progress,
            out=printer.out,
            err=printer.err,
        )

    def status(self, line: str) -> None:
        """Print `line` unless it is hidden (colors do not count)."""
        if not _ANSI.sub("", line).startswith(self.hidden):
            super().status(line)


def _sdist_key(file: LockedFile) -> str:
    """The key an sdist's built wheel is remembered under: its hash, else its location."""
    digest = next((str(h) for h in file.hashes if h.algorithm == "sha256"), None)
    return f"sdist:{digest or file.location}"


def _same_version(installed: str, locked: str) -> bool:
    if installed == locked:
        return True
    from packaging.version import InvalidVersion, Version

    try:
        return Version(installed) == Version(locked)
    except InvalidVersion:
        return False


def _shown(dist: InstalledDist) -> Dist:
    return Dist(dist.name, dist.version, dist.url)
