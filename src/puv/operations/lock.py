"""`puv lock`: resolve the workspace for every environment and keep `uv.lock` in step with it.

As `uv lock`: an existing lock that still satisfies the project is used as it is (no network);
otherwise the workspace is resolved again, preferring the locked versions (unless upgraded), and
the file is rewritten only when the new lock differs semantically from the old one. `--locked`
(`--check`) fails instead of writing; `--frozen` (`--check-exists`) only reads the file.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from packaging.version import Version

from puv.core.errors import FailureError, PuvError
from puv.core.markers import Marker
from puv.lock.compare import locks_equivalent
from puv.lock.from_resolution import LockEdge, build_lock
from puv.lock.model import Lock, Package, PackageId, Sdist, Source, Wheel
from puv.lock.wheels import keeps_wheel
from puv.operations.context import Context
from puv.operations.lock_freshness import has_mutable_sources, stale_reason
from puv.operations.lock_inputs import LockInputs, read_lock_inputs
from puv.operations.pip_report import counted, since
from puv.project.workspace import Workspace, discover_workspace

if TYPE_CHECKING:
    from puv.cache.http_cache import Refresh
    from puv.index.client import HttpClient
    from puv.index.simple import DistFile as IndexFile
    from puv.operations.lock_sources import GitPins, SourcedPackage, SourceLocker
    from puv.operations.project_provider import ProjectProvider
    from puv.python.interpreter import Interpreter
    from puv.resolver.universal import UniversalPackage, UniversalResolution

__all__ = [
    "LOCK_FILE",
    "LockRequest",
    "LockResult",
    "ScriptLockResult",
    "lock_project",
    "lock_script",
    "read_lock",
]

LOCK_FILE = "uv.lock"


@dataclass(frozen=True, slots=True)
class LockRequest:
    """How to lock: `check` (`--locked`/`--check`: fail rather than change the file), `frozen`
    (`--frozen`/`--check-exists`: read the file as it is), `dry_run`, upgrades, `python`."""

    check: bool = False
    frozen: bool = False
    dry_run: bool = False
    upgrade: bool = False
    upgrade_packages: tuple[str, ...] = ()
    python: str | None = None
    indexes: tuple[str, ...] = ()
    default_index: str | None = None
    refresh: bool = False
    refresh_packages: tuple[str, ...] = ()

    def refresh_policy(self) -> Refresh | None:
        """`--refresh` / `--refresh-package`; `-U` and `-P` imply them, as in uv."""
        from puv.cache.http_cache import Refresh

        packages = frozenset(
            canonicalize_name(name.split("==")[0])
            for name in (*self.refresh_packages, *self.upgrade_packages)
        )
        everything = self.refresh or self.upgrade
        if not everything and not packages:
            return None
        return Refresh(time.time(), everything, packages)


@dataclass(frozen=True, slots=True)
class LockResult:
    """The lock the project now has, and whether this run resolved and wrote it."""

    lock: Lock
    workspace: Workspace
    path: Path
    resolved: bool
    written: bool


def read_lock(path: Path) -> Lock | None:
    """The lock at `path` (None when there is none), with uv's errors for an unreadable one."""
    from puv.lock.reader import LockParseError, parse_lock

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise PuvError(f"Failed to read `{path.name}`", causes=[str(error)]) from None
    try:
        return parse_lock(text, display=path.name)
    except LockParseError:
        _raise_syntax_error(text, path.name)
        raise


def _raise_syntax_error(text: str, display: str) -> None:
    """A TOML syntax error in a lock, with the `toml` crate's wording and span as uv shows it
    (`parse_lock` only knows tomllib's); returns when the text is valid TOML."""
    from puv.lock.reader import LockParseError
    from puv.project.toml_read import TomlParseError, parse_toml

    try:
        parse_toml(text, display)
    except TomlParseError as error:
        raise LockParseError(display, error.block) from None


def lock_project(
    ctx: Context, request: LockRequest, *, workspace: Workspace | None = None
) -> LockResult:
    """Make sure the workspace's `uv.lock` matches it (see the module docstring); prints uv's
    status lines (`Using ...`, `Resolved N packages in ...`, `Updated ...`)."""
    started = time.perf_counter()
    workspace = workspace or discover_workspace(ctx.cwd)
    path = workspace.root / LOCK_FILE
    if request.frozen:
        existing = read_lock(path)
        if existing is None:
            raise _missing_lock("--frozen")
        return LockResult(existing, workspace, path, resolved=False, written=False)
    interpreter = _interpreter(ctx, workspace, request.python)
    existing = read_lock(path)
    inputs = read_lock_inputs(workspace, ctx.settings, default_python=interpreter.major_minor)
    if inputs.requires_python_defaulted:
        ctx.printer.warn(
            "No `requires-python` value found in the workspace. Defaulting to "
            f"`{inputs.requires_python}`."
        )
    lock, resolved, written = _update(ctx, request, path, existing, inputs, interpreter, started)
    return LockResult(lock, workspace, path, resolved=resolved, written=written)


def lock_script(ctx: Context, request: LockRequest, script: Path) -> ScriptLockResult:
    """`puv lock --script`: the same for a PEP 723 script, whose lock is `<script>.lock`."""
    from puv.operations.python_ops import find_interpreter
    from puv.operations.script_lock import script_lock_inputs
    from puv.project.script import read_script, script_lock_path

    started = time.perf_counter()
    metadata = read_script(script)
    path = script_lock_path(script)
    existing = read_lock(path)
    if request.frozen:
        if existing is None:
            raise _missing_lock("--frozen", path.name)
        return ScriptLockResult(existing, path, resolved=False, written=False)
    interpreter = find_interpreter(ctx, request.python, project_dir=script.parent)
    inputs = script_lock_inputs(metadata, ctx.settings, default_python=interpreter.major_minor)
    lock, resolved, written = _update(ctx, request, path, existing, inputs, interpreter, started)
    return ScriptLockResult(lock, path, resolved=resolved, written=written)


@dataclass(frozen=True, slots=True)
class ScriptLockResult:
    """A script's lock, and whether this run resolved and wrote it."""

    lock: Lock
    path: Path
    resolved: bool
    written: bool


def _update(
    ctx: Context,
    request: LockRequest,
    path: Path,
    existing: Lock | None,
    inputs: LockInputs,
    interpreter: Interpreter,
    started: float,
) -> tuple[Lock, bool, bool]:
    """Keep `existing` when it still satisfies `inputs`, else resolve and write (unless
    checking or dry-running): the lock, whether it was resolved, whether it was written."""
    upgrading = request.upgrade or bool(request.upgrade_packages)
    existing_preferred = existing
    if existing is None and request.check:
        raise _missing_lock("--locked", path.name)
    if existing is not None and not upgrading:
        reason = stale_reason(
            existing, inputs, _source_checker(ctx, existing, inputs, interpreter, request)
        )
        if reason is None:
            _resolved_line(ctx, len(existing.packages), started)
            if request.dry_run:
                ctx.printer.status("No lockfile changes detected")
            return existing, False, False
        if reason.shown:
            ctx.printer.status(reason.line)
        else:
            ctx.printer.debug(reason.line)
        if not reason.keep_versions:
            existing_preferred = None
    preferences = _preferences(existing_preferred, request)
    pins = _git_pins(existing_preferred, request)
    lock, warnings = resolve_lock(ctx, inputs, interpreter, preferences, request, pins)
    _resolved_line(ctx, len(lock.packages), started)
    for warning in warnings:
        ctx.printer.warn(warning)
    changed = existing is None or not locks_equivalent(existing, lock)
    if changed and request.check:
        raise FailureError(
            f"The lockfile at `{path.name}` needs to be updated, but `--locked` was provided.",
            hint="To update the lockfile, run `puv lock`.",
        )
    if existing is not None:
        lines = change_lines(existing, lock, dry_run=request.dry_run)
        if request.dry_run and not lines:
            lines = ["Lockfile changes detected" if changed else "No lockfile changes detected"]
        for line in lines:
            ctx.printer.status(line)
    written = changed and not request.dry_run
    if written:
        from puv.cache.persist import write_atomic
        from puv.lock.writer import render_lock

        write_atomic(path, render_lock(lock).encode("utf-8"))
    return lock, True, written


def _source_checker(
    ctx: Context, lock: Lock, inputs: LockInputs, interpreter: Interpreter, request: LockRequest
) -> SourceLocker | None:
    """What re-reads the lock's mutable direct sources (None when it has none)."""
    if not has_mutable_sources(lock, inputs):
        return None
    from puv.operations.lock_resolve import project_indexes
    from puv.operations.lock_sources import SourceLocker
    from puv.operations.network import http_client

    def client() -> HttpClient:
        indexes = project_indexes(ctx, request.indexes, request.default_index)
        return http_client(ctx, indexes, http2=False)

    return SourceLocker(ctx, interpreter, inputs.root, inputs.lowering, client=client)


def _missing_lock(flag: str, name: str = LOCK_FILE) -> PuvError:
    return FailureError(
        f"Unable to find lockfile at `{name}`, but `{flag}` was provided. To create a "
        "lockfile, run `puv lock` or `puv sync` without the flag."
    )


def _resolved_line(ctx: Context, count: int, started: float) -> None:
    ctx.printer.status(counted("Resolved", count, since(started)))


def _interpreter(ctx: Context, workspace: Workspace, python: str | None) -> Interpreter:
    """The interpreter uv would use for the project (its `.venv` when it qualifies)."""
    from puv.operations.python_ops import find_interpreter

    interpreter = find_interpreter(ctx, python, project_dir=workspace.root)
    ctx.printer.status(
        f"Using {interpreter.display_name} interpreter at: {interpreter.sys_executable}"
    )
    return interpreter


def _preferences(existing: Lock | None, request: LockRequest) -> dict[str, list[Version]]:
    """The locked versions to keep where they still fit (all of them, minus the upgraded)."""
    if existing is None or request.upgrade:
        return {}
    upgraded = _upgraded(request)
    preferences: dict[str, list[Version]] = {}
    for package in existing.packages:
        if package.version is None or package.name in upgraded:
            continue
        if package.source.kind != "registry":
            continue
        preferences.setdefault(package.name, []).append(Version(package.version))
    return preferences


def _git_pins(existing: Lock | None, request: LockRequest) -> GitPins:
    """The Git commits to keep (all of the lock's, minus the upgraded packages')."""
    from puv.operations.lock_sources import git_pins

    if existing is None or request.upgrade:
        return {}
    return git_pins(existing, _upgraded(request))


def _upgraded(request: LockRequest) -> set[str]:
    """The names `-P`/`--upgrade-package` upgrade."""
    return {canonicalize_name(name.split("==")[0]) for name in request.upgrade_packages}


def change_lines(old: Lock, new: Lock, *, dry_run: bool = False) -> list[str]:
    """uv's `Added x v1` / `Updated x v1 -> v2` / `Removed x v1` lines, by name."""
    before = _versions(old)
    after = _versions(new)
    verbs = ("Add", "Update", "Remove") if dry_run else ("Added", "Updated", "Removed")
    lines = []
    for name in sorted(before.keys() | after.keys()):
        was, now = before.get(name, []), after.get(name, [])
        if was == now:
            continue
        if not was:
            lines.append(f"{verbs[0]} {name} {_shown(now)}")
        elif not now:
            lines.append(f"{verbs[2]} {name} {_shown(was)}")
        else:
            lines.append(f"{verbs[1]} {name} {_shown(was)} -> {_shown(now)}")
    return lines


def _versions(lock: Lock) -> dict[str, list[str]]:
    """Each name's versions as uv's change lines show them (`v1.0`, `v0.9 (8d968547)` for a
    Git commit, `(dynamic)`), in uv's order (dynamic first, then by version and commit)."""
    found: dict[str, set[tuple[Version | None, str | None]]] = {}
    for package in lock.packages:
        version = None if package.version is None else Version(package.version)
        sha = None
        if package.source.kind == "git":
            sha = package.source.location.rpartition("#")[2][:8] or None
        found.setdefault(package.name, set()).add((version, sha))
    return {
        name: [_shown_version(version, sha) for version, sha in sorted(entries, key=_event_order)]
        for name, entries in found.items()
    }


def _event_order(entry: tuple[Version | None, str | None]) -> tuple[bool, Version, bool, str]:
    version, sha = entry
    return (version is not None, version or Version("0"), sha is not None, sha or "")


def _shown_version(version: Version | None, sha: str | None) -> str:
    shown = "(dynamic)" if version is None else f"v{version}"
    return shown if sha is None else f"{shown} ({sha})"


def _shown(versions: Sequence[str]) -> str:
    return ", ".join(versions)


# resolution --------------------------------------------------------------------------------------


def resolve_lock(
    ctx: Context,
    inputs: LockInputs,
    interpreter: Interpreter,
    preferences: Mapping[str, list[Version]],
    request: LockRequest,
    pins: GitPins | None = None,
) -> tuple[Lock, list[str]]:
    """Resolve the workspace for every environment: the lock uv would write, and uv's
    warnings about the resolution (`pins`: Git commits to keep)."""
    from puv.operations.lock_resolve import project_indexes, resolve_workspace

    indexes = project_indexes(ctx, request.indexes, request.default_index)
    provider, resolution, sourced = resolve_workspace(
        ctx,
        inputs,
        interpreter,
        preferences,
        indexes=indexes,
        refresh=request.refresh_policy(),
        pins=pins,
    )
    lock = _lock_from(inputs, provider, resolution, sourced)
    return lock, _missing_extras(inputs, provider, resolution, sourced)


def _missing_extras(
    inputs: LockInputs,
    provider: ProjectProvider,
    resolution: UniversalResolution,
    sourced: Mapping[str, SourcedPackage],
) -> list[str]:
    """uv's warnings for extras requested of a release whose metadata does not declare them."""
    from puv.resolver.provider import PackageMetadata

    warnings: list[str] = []
    for edge in resolution.edges:
        extra = edge.target_extra
        if extra is None or edge.target in inputs.members:
            continue
        metadata = provider.metadata(edge.target, edge.target_version)
        if isinstance(metadata, PackageMetadata) and extra not in metadata.provides_extras:
            direct = sourced.get(edge.target)
            shown = direct.display if direct else f"{edge.target}=={edge.target_version}"
            warning = f"The package `{shown}` does not have an extra named `{extra}`"
            if warning not in warnings:
                warnings.append(warning)
    return warnings


def _lock_from(
    inputs: LockInputs,
    provider: ProjectProvider,
    resolution: UniversalResolution,
    sourced: Mapping[str, SourcedPackage],
) -> Lock:
    from puv.operations.lock_conflicts import conflict_tables

    ids: dict[tuple[str, Version], PackageId] = {}
    packages: list[Package] = []
    for package in resolution.packages:
        member = inputs.members.get(package.name)
        direct = sourced.get(package.name)
        if member is not None:
            package_id = PackageId(package.name, str(package.version), member.source)
            locked = Package(
                package_id, default_groups=member.default_groups, metadata=member.metadata
            )
        elif direct is not None:
            package_id = PackageId(package.name, direct.locked_version, direct.source)
            locked = Package(
                package_id, sdist=direct.sdist, wheels=direct.wheels, metadata=direct.metadata
            )
        else:
            locked = _registry_package(provider, package, inputs.requires_python)
        ids[(package.name, package.version)] = locked.id
        packages.append(locked)
    edges = []
    for edge in resolution.edges:
        if edge.source is None or edge.source_version is None:
            continue
        source_id = ids[(edge.source, edge.source_version)]
        target_id = ids[(edge.target, edge.target_version)]
        member = inputs.members.get(edge.source)
        group = member.release.groups.group(edge.source_extra) if member else None
        edges.append(
            LockEdge(
                source_id,
                target_id,
                resolution.dependency_marker(edge),
                target_extra=edge.target_extra,
                source_extra=None if group is not None else edge.source_extra,
                source_group=group,
            )
        )
    by_id = {ids[(p.name, p.version)]: p for p in resolution.packages}
    return build_lock(
        packages,
        edges,
        requires_python=inputs.requires_python,
        fork_markers=resolution.fork_markers,
        package_fork_markers={
            package_id: resolution.package_fork_markers(package)
            for package_id, package in by_id.items()
        },
        environments=tuple(Marker.parse(text) for text in inputs.environments),
        required_environments=tuple(Marker.parse(text) for text in inputs.required_environments),
        options=inputs.options,
        manifest=inputs.manifest,
        conflicts=conflict_tables(inputs.conflicts),
    )


def _registry_package(
    provider: ProjectProvider, package: UniversalPackage, requires_python: str
) -> Package:
    """A registry release with its sdist and the wheels uv keeps for where it is used."""
    files = provider.files(package.name, package.version)
    index_url = provider.index_url(package.name, package.version)
    if index_url is None:
        raise PuvError(
            f"`{package.name}=={package.version}` comes from a `--find-links` location, which "
            "`puv lock` does not record yet"
        )
    sdists = [file for file in files if not file.filename.endswith(".whl")]
    sdists.sort(key=lambda file: not file.filename.endswith(".tar.gz"))
    sdist = None
    if sdists:
        best = sdists[0]
        sdist = Sdist("url", best.url, _hash(best), best.size, upload_time(best.upload_time))
    wheels = tuple(
        Wheel("url", file.url, _hash(file), file.size, upload_time(file.upload_time))
        for file in files
        if file.filename.endswith(".whl")
        and keeps_wheel(file.filename, requires_python, package.marker)
    )
    source = Source("registry", index_url)
    return Package(
        PackageId(package.name, str(package.version), source), sdist=sdist, wheels=wheels
    )


def _hash(file: IndexFile) -> str | None:
    for algorithm in ("sha256", "sha384", "sha512", "blake2b"):
        digest = file.hash(algorithm)
        if digest is not None:
            return f"{algorithm}:{digest}"
    return None


def upload_time(text: str | None) -> str | None:
    """An index's upload time as uv writes it: UTC, milliseconds, trailing zeros dropped."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    shown = moment.strftime("%Y-%m-%dT%H:%M:%S")
    millis = moment.microsecond // 1000
    if millis:
        shown += f".{millis:03d}".rstrip("0")
    return shown + "Z"
