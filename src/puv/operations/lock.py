"""`puv lock`: resolve the workspace for every environment and keep `uv.lock` in step with it.

As `uv lock`: an existing lock that still satisfies the project is used as it is (no network);
otherwise the workspace is resolved again, preferring the locked versions (unless upgraded), and
the file is rewritten only when the new lock differs semantically from the old one. `--locked`
(`--check`) fails instead of writing; `--frozen` (`--check-exists`) only reads the file.

A lock file is parsed once: its TOML data is kept in the cache by the file's SHA-256 (`read_lock`);
and a passed freshness check is recorded by a digest of everything it read (`_FreshnessRecord`),
so a no-op `lock`, `sync` or `run` of an unchanged workspace neither parses nor checks it again.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from puv.core.errors import FailureError, PuvError

if TYPE_CHECKING:
    from packaging.version import Version

    from puv.cache.http_cache import Refresh
    from puv.cache.layout import CacheLayout
    from puv.index.client import HttpClient
    from puv.index.indexes import Index, IndexList
    from puv.index.simple import DistFile as IndexFile
    from puv.lock.model import Lock, Metadata, Package, Requirement
    from puv.operations.context import Context
    from puv.operations.lock_inputs import LockInputs
    from puv.operations.lock_resolve import FindSourced
    from puv.operations.lock_sources import GitPins, SourceLocker
    from puv.operations.project_provider import ProjectProvider
    from puv.project.workspace import Workspace
    from puv.python.interpreter import Interpreter
    from puv.resolver.universal import UniversalPackage, UniversalResolution

# What `lock_project` and the readers of `uv.lock` import is kept light (a no-op `puv sync`
# imports this module): the resolver, the lock builder and `packaging` are imported where used,
# and the values are named tuples (a frozen dataclass costs ~0.5 ms to define).

__all__ = [
    "LOCK_FILE",
    "LockRequest",
    "LockResult",
    "ScriptLockResult",
    "lock_project",
    "lock_script",
    "read_lock",
    "recorded_fresh",
]

LOCK_FILE = "uv.lock"

# Locks this process wrote, by file path and digest of the bytes written: reading one back (the
# second lock pass of `add`, the sync after a lock) needs no TOML parse (~150 ms for a lock of
# 100 packages with their wheels). A lock is immutable, and the one written is the one returned.
_WRITTEN: dict[tuple[Path, str], Lock] = {}


class LockRequest(NamedTuple):
    """How to lock: `check` (`--locked`/`--check`: fail rather than change the file), `frozen`
    (`--frozen`/`--check-exists`: read the file as it is), `dry_run`, upgrades, `python`."""

    check: bool = False
    frozen: bool = False
    dry_run: bool = False
    upgrade: bool = False
    upgrade_packages: tuple[str, ...] = ()
    upgrade_groups: tuple[str, ...] = ()
    python: str | None = None
    indexes: tuple[str, ...] = ()
    default_index: str | None = None
    refresh: bool = False
    refresh_packages: tuple[str, ...] = ()
    report_changes: bool = True  # `Added ...`/`Updated ...` lines, as `lock` prints (not `sync`)
    show_interpreter: bool = True  # the `Using CPython ...` line (not when an environment is used)
    show_resolved: bool = True  # the `Resolved N packages in ...` line (not for `run`)
    # The project changed only in ways the existing lock's packages satisfy (the bounds `add`
    # takes from that lock): record the new metadata in it rather than resolve again, when the
    # result passes the freshness check (else resolve as usual).
    keep_resolution: bool = False

    @property
    def upgrading(self) -> bool:
        """Whether any package may move from its locked version (`-U`, `-P`, `--upgrade-group`)."""
        return self.upgrade or bool(self.upgrade_packages) or bool(self.upgrade_groups)

    def refresh_policy(self) -> Refresh | None:
        """`--refresh` / `--refresh-package`; `-U` and `-P` imply them, as in uv."""
        from puv.cache.http_cache import Refresh
        from puv.project.settings_schema import normalize_name

        packages = frozenset(
            normalize_name(name.split("==")[0])
            for name in (*self.refresh_packages, *self.upgrade_packages)
        )
        everything = self.refresh or self.upgrade
        if not everything and not packages:
            return None
        return Refresh(time.time(), everything, packages)


class LockResult:
    """The lock the project now has, and whether this run resolved and wrote it.

    `lock` may be given as what reads it on first use: a lock file found up to date without
    being read (see `_FreshnessRecord`) is parsed only if something needs it, which a no-op
    `sync` whose selection is remembered does not.
    """

    __slots__ = ("_lock", "path", "resolved", "warnings", "workspace", "written")

    def __init__(
        self,
        lock: Lock | Callable[[], Lock],
        workspace: Workspace,
        path: Path,
        *,
        resolved: bool,
        written: bool,
        warnings: Sequence[str] = (),
    ) -> None:
        self._lock = lock
        self.workspace = workspace
        self.path = path
        self.resolved = resolved
        self.written = written
        self.warnings = tuple(warnings)  # what the resolution warned about (printed already)

    @property
    def lock(self) -> Lock:
        """The lock (read now if it was not yet)."""
        if callable(self._lock):
            self._lock = self._lock()
        return self._lock


def read_lock(path: Path, cache: CacheLayout | None = None) -> Lock | None:
    """The lock at `path` (None when there is none), with uv's errors for an unreadable one.

    With `cache`, the TOML data of a lock file read before is taken from the cache (the file's
    whole text must be the same: its SHA-256 is compared), which skips the TOML parse, the
    costliest step of reading a big lock (~150 ms for 100 packages with their wheels).
    """
    raw = _lock_bytes(path)
    return None if raw is None else _parse_lock_bytes(path, raw, cache)


def _lock_bytes(path: Path) -> bytes | None:
    """The bytes of the lock file at `path` (None when there is none)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise PuvError(f"Failed to read `{path.name}`", causes=[str(error)]) from None


def _parse_lock_bytes(path: Path, raw: bytes, cache: CacheLayout | None) -> Lock:
    """`read_lock` of the lock file at `path`, whose bytes are `raw`."""
    from puv.lock.reader import LockParseError, lock_data, parse_lock

    digest = _digest(raw) if _WRITTEN or cache is not None else ""
    written = _WRITTEN.get((path.absolute(), digest))
    if written is not None:
        return written
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PuvError(f"Failed to read `{path.name}`", causes=[str(error)]) from None
    try:
        if cache is None:
            return parse_lock(text, display=path.name)
        entry = _lock_cache_entry(cache, path).with_suffix(".json")
        data = _cached_lock_data(entry, digest)
        if data is None:
            data = lock_data(text, display=path.name)
            _store_lock_data(cache, entry, digest, data)
        return parse_lock(text, display=path.name, data=data)
    except LockParseError:
        _raise_syntax_error(text, path.name)
        raise


def _digest(data: bytes) -> str:
    from puv.core.digest import cache_digest

    return cache_digest(data)


def _lock_cache_entry(cache: CacheLayout, path: Path) -> Path:
    """Where what is derived from the lock file at `path` is kept (`<entry>.json`: its parsed
    data; `<entry>.fresh`: the record of its last freshness check): one entry per lock file
    path, rewritten when the file changes, with the ephemeral environments' derived state
    (`cache prune` empties it)."""
    where = _digest(str(path.absolute()).encode("utf-8"))[:32]
    return cache.bucket("environments") / "locks" / where


def _cached_lock_data(entry: Path, digest: str) -> dict[str, Any] | None:
    """The TOML data kept in `entry` for a lock file whose bytes hash to `digest`, or None.

    The entry is the digest on its first line, then the data as JSON (parsed ~100 times faster
    than the TOML it came from)."""
    import json

    try:
        with open(entry, "rb") as file:
            if file.readline().rstrip(b"\n") != digest.encode("ascii"):
                return None
            data = json.loads(file.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _store_lock_data(cache: CacheLayout, entry: Path, digest: str, data: Mapping[str, Any]) -> None:
    """Keep a lock file's TOML data for `_cached_lock_data` (data JSON cannot hold, such as a
    TOML date, is parsed again next time)."""
    import json

    try:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return
    _store(cache, entry, f"{digest}\n{payload}".encode())


def _store(cache: CacheLayout, entry: Path, data: bytes) -> None:
    """Write a cache entry (best effort: a read-only cache only costs time later)."""
    from puv.cache.persist import write_atomic

    try:
        cache.ensure()
        write_atomic(entry, data)
    except OSError:
        return


class _FreshnessRecord(NamedTuple):
    """The record that a lock file satisfied the workspace, kept in the cache.

    `digest` sums up everything uv's freshness check reads: the lock's bytes, every
    `pyproject.toml` of the workspace and the merged settings. A recorded digest means the check
    would pass again, so the lock is neither read nor checked; the record also keeps the number
    of locked packages, for uv's `Resolved N packages` line. The last few digests are kept (one
    per line), so commands with different settings (`lock`, `sync --python 3.12`, `run`) do not
    undo each other's record. Locks with mutable direct sources (local paths, URLs: uv reads
    them again every time) are never recorded.
    """

    cache: CacheLayout
    path: Path
    digest: str

    def packages(self) -> int | None:
        """The number of locked packages when a check with the same inputs passed, else None."""
        for digest, count in self._entries():
            if digest == self.digest:
                return count
        return None

    def save(self, lock: Lock, members: Collection[str]) -> None:
        """Record a passed check of `lock` (best effort), unless it has mutable sources."""
        for package in lock.packages:
            if package.source.kind not in ("registry", "git") and package.name not in members:
                return
        kept = [(self.digest, len(lock.packages))]
        kept += [entry for entry in self._entries() if entry[0] != self.digest]
        text = "".join(f"{digest} {count}\n" for digest, count in kept[:_FRESHNESS_KEPT])
        _store(self.cache, self.path, text.encode("ascii"))

    def _entries(self) -> list[tuple[str, int]]:
        try:
            with open(self.path, encoding="ascii") as file:
                lines = file.read().splitlines()
            return [(digest, int(count)) for digest, count in (line.split() for line in lines)]
        except (OSError, ValueError):
            return []


_FRESHNESS_KEPT = 8
_FRESHNESS_FORMAT = "1"


class _QuietLocks(NamedTuple):
    """The lock files whose resolution warned about nothing (by their bytes' digest, the last
    few), kept in the cache. uv repeats a resolution's warnings (extras a package does not
    have) every time it resolves, so only such a lock is extended (`lock_extend`) rather than
    resolved again: its extension then warns about what a full resolution would."""

    cache: CacheLayout | None
    path: Path  # the record (the lock file's own path when there is no cache)

    @classmethod
    def of(cls, ctx: Context, lock_path: Path) -> _QuietLocks:
        """The record for the lock file at `lock_path` (empty with `--no-cache`)."""
        cache = _cache(ctx)
        if cache is None:
            return cls(None, lock_path)
        return cls(cache, _lock_cache_entry(cache, lock_path).with_suffix(".quiet"))

    def holds(self, raw: bytes) -> bool:
        """Whether the lock whose bytes are `raw` is recorded."""
        return self.cache is not None and _digest(raw) in self._digests()

    def add(self, raw: bytes) -> None:
        """Record the lock whose bytes are `raw` (best effort)."""
        if self.cache is None:
            return
        digest = _digest(raw)
        kept = [digest, *(known for known in self._digests() if known != digest)]
        _store(self.cache, self.path, "".join(f"{d}\n" for d in kept[:_QUIET_KEPT]).encode())

    def _digests(self) -> list[str]:
        try:
            return self.path.read_text(encoding="ascii").split()
        except (OSError, ValueError):
            return []


_QUIET_KEPT = 8


def _freshness_record(
    ctx: Context, workspace: Workspace, raw_lock: bytes
) -> _FreshnessRecord | None:
    """The record of a freshness check of the lock file whose bytes are `raw_lock`, or None when
    checks are not recorded: without a cache, or for a workspace without `requires-python`
    (its check then depends on the interpreter)."""
    import json

    if ctx.no_cache:
        return None
    members = workspace.members
    if not any(member.pyproject.requires_python for member in members.values()):
        return None
    parts = [
        _FRESHNESS_FORMAT,
        _digest(raw_lock),
        str(workspace.root),
        workspace.pyproject.document.text,
    ]
    for name, member in members.items():
        parts += [name, str(member.root), member.pyproject.document.text]
    parts.append(json.dumps(dict(ctx.settings.raw), sort_keys=True, default=repr))
    entry = _lock_cache_entry(ctx.cache, workspace.root / LOCK_FILE).with_suffix(".fresh")
    return _FreshnessRecord(ctx.cache, entry, _digest("\0".join(parts).encode("utf-8")))


def recorded_fresh(ctx: Context, workspace: Workspace) -> bool:
    """Whether a freshness check of the workspace's `uv.lock`, with every input as it is now,
    passed before: then everything the check reads (each `pyproject.toml`, its dependency groups,
    the lock) was found valid, and would be again."""
    try:
        raw = _lock_bytes(workspace.root / LOCK_FILE)
    except PuvError:
        return False  # reported where the lock is read
    record = None if raw is None else _freshness_record(ctx, workspace, raw)
    return record is not None and record.packages() is not None


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
    from puv.project.workspace import discover_workspace

    workspace = workspace or discover_workspace(ctx.cwd)
    path = workspace.root / LOCK_FILE
    if request.frozen:
        existing = read_lock(path, _cache(ctx))
        if existing is None:
            raise _missing_lock("--frozen")
        return LockResult(existing, workspace, path, resolved=False, written=False)
    interpreter = _interpreter(ctx, workspace, request)
    if request.upgrade_groups:
        from puv.operations.lock_inputs import check_upgrade_groups

        check_upgrade_groups(workspace, request.upgrade_groups)
    started = time.perf_counter()  # as uv's: the `Resolved` time leaves out finding Python
    raw = _lock_bytes(path)
    record = None
    if raw is not None and not request.upgrading:
        record = _freshness_record(ctx, workspace, raw)
        count = None if record is None else record.packages()
        if count is not None:  # as up to date as when last checked
            _keep(ctx, request, count, started)
            cache = _cache(ctx)
            return LockResult(
                lambda: _parse_lock_bytes(path, raw, cache),
                workspace,
                path,
                resolved=False,
                written=False,
            )
    existing = None if raw is None else _parse_lock_bytes(path, raw, _cache(ctx))
    from puv.operations.lock_inputs import read_lock_inputs

    inputs = read_lock_inputs(workspace, ctx.settings, default_python=interpreter.major_minor)
    if inputs.requires_python_defaulted:
        ctx.printer.warn(
            "No `requires-python` value found in the workspace. Defaulting to "
            f"`{inputs.requires_python}`."
        )
    quiet = _QuietLocks.of(ctx, path)
    existing_quiet = raw is not None and quiet.holds(raw)
    lock, resolved, written, warnings = _update(
        ctx, request, path, existing, inputs, interpreter, started, quiet, existing_quiet
    )
    if record is not None and not resolved and not written:  # the file as it was checked
        record.save(lock, workspace.members)
    return LockResult(lock, workspace, path, resolved=resolved, written=written, warnings=warnings)


def lock_script(ctx: Context, request: LockRequest, script: Path) -> ScriptLockResult:
    """`puv lock --script`: the same for a PEP 723 script, whose lock is `<script>.lock`."""
    from puv.operations.python_ops import find_interpreter
    from puv.operations.script_lock import script_lock_inputs
    from puv.project.script import read_script, script_lock_path

    if request.upgrade_groups:
        raise PuvError(
            "PEP 723 scripts do not support dependency groups, but group "
            f"`{request.upgrade_groups[0]}` was specified"
        )
    started = time.perf_counter()
    metadata = read_script(script)
    path = script_lock_path(script)
    existing = read_lock(path, _cache(ctx))
    if request.frozen:
        if existing is None:
            raise _missing_lock("--frozen", path.name)
        return ScriptLockResult(existing, path, resolved=False, written=False)
    interpreter = find_interpreter(ctx, request.python, project_dir=script.parent)
    inputs = script_lock_inputs(metadata, ctx.settings, default_python=interpreter.major_minor)
    lock, resolved, written, _ = _update(ctx, request, path, existing, inputs, interpreter, started)
    return ScriptLockResult(lock, path, resolved=resolved, written=written)


class ScriptLockResult(NamedTuple):
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
    quiet: _QuietLocks | None = None,
    existing_quiet: bool = False,
) -> tuple[Lock, bool, bool, list[str]]:
    """Keep `existing` when it still satisfies `inputs`, else resolve and write (unless
    checking or dry-running): the lock, whether it was resolved, whether it was written, and
    the resolver's warnings (printed). `quiet`: the record of quiet locks that a lock written
    without warnings goes into (None: none is kept); `existing_quiet`: whether it holds
    `existing`, which is then extended rather than resolved again when it can be."""
    from puv.operations.lock_freshness import stale_reason

    upgrading = request.upgrading
    existing_preferred = existing
    if existing is None and request.check:
        raise _missing_lock("--locked", path.name)
    kept = None
    if existing is not None and request.keep_resolution and not upgrading:
        kept = _with_current_metadata(existing, inputs)
    if existing is not None and kept is not None:
        checker = _source_checker(ctx, kept, inputs, interpreter, request)
        if stale_reason(kept, inputs, checker) is None:
            _resolved_line(ctx, request, len(kept.packages), started)
            kept_quiet = quiet if existing_quiet else None
            return kept, False, _finish(ctx, request, path, existing, kept, kept_quiet), []
    if existing is not None and not upgrading:
        reason = stale_reason(
            existing, inputs, _source_checker(ctx, existing, inputs, interpreter, request)
        )
        if reason is None:
            _keep(ctx, request, len(existing.packages), started)
            return existing, False, False, []
        if reason.shown:
            ctx.printer.status(reason.line)
        else:
            ctx.printer.debug(reason.line)
        if not reason.keep_versions:
            existing_preferred = None
    preferences = _preferences(existing_preferred, request)
    extended = None
    # an upgrade may move any locked package: never extend then
    if existing_preferred is not None and existing_quiet and not upgrading:
        extended = _extended(ctx, request, existing_preferred, inputs, interpreter, preferences)
    if extended is not None:
        lock, warnings = extended
        ctx.printer.debug("Extended the existing lockfile with the new requirements' closure")
    else:
        pins = _git_pins(existing_preferred, request)
        seeds = _fork_seeds(existing_preferred, inputs, request)
        lock, warnings = resolve_lock(ctx, inputs, interpreter, preferences, request, pins, seeds)
    _resolved_line(ctx, request, len(lock.packages), started)
    for warning in warnings:
        ctx.printer.warn(warning)
    record = None if warnings else quiet
    return lock, True, _finish(ctx, request, path, existing, lock, record), warnings


def _extended(
    ctx: Context,
    request: LockRequest,
    existing: Lock,
    inputs: LockInputs,
    interpreter: Interpreter,
    preferences: Mapping[str, list[Version]],
) -> tuple[Lock, list[str]] | None:
    """`existing` with the members' new registry requirements added when that is what a
    resolution would give (`lock_extend`), checked as any lock; else None."""
    from puv.operations.lock_extend import extended_lock
    from puv.operations.lock_freshness import stale_reason
    from puv.operations.lock_resolve import project_indexes

    indexes = project_indexes(ctx, request.indexes, request.default_index)
    refresh = request.refresh_policy()
    extended = extended_lock(ctx, existing, inputs, interpreter, preferences, indexes, refresh)
    if extended is None:
        return None
    checker = _source_checker(ctx, extended[0], inputs, interpreter, request)
    return extended if stale_reason(extended[0], inputs, checker) is None else None


def _finish(
    ctx: Context,
    request: LockRequest,
    path: Path,
    existing: Lock | None,
    lock: Lock,
    quiet: _QuietLocks | None,
) -> bool:
    """Report how `lock` differs from `existing` and write it (unless checking or dry-running),
    recorded in `quiet` when given (its resolution warned about nothing); whether it was
    written."""
    from puv.lock.compare import locks_equivalent

    changed = existing is None or not locks_equivalent(existing, lock)
    if changed and request.check:
        raise FailureError(
            f"The lockfile at `{path.name}` needs to be updated, but `--locked` was provided.",
            hint="To update the lockfile, run `puv lock`.",
        )
    if existing is not None and request.report_changes:
        lines = change_lines(existing, lock, dry_run=request.dry_run)
        if request.dry_run and not lines:
            lines = ["Lockfile changes detected" if changed else "No lockfile changes detected"]
        for line in lines:
            ctx.printer.status(line)
    written = changed and not request.dry_run
    if written:
        from puv.cache.persist import write_atomic
        from puv.lock.writer import render_lock

        data = render_lock(lock).encode("utf-8")
        write_atomic(path, data)
        _WRITTEN[(path.absolute(), _digest(data))] = lock
        if quiet is not None:
            quiet.add(data)
    elif quiet is not None and not changed:  # resolved to the lock the file holds
        with contextlib.suppress(OSError):
            quiet.add(path.read_bytes())
    return written


def _with_current_metadata(existing: Lock, inputs: LockInputs) -> Lock | None:
    """`existing` with each member's recorded requirements taken from `inputs`, when they differ
    only in version specifiers that every locked version of those packages satisfies (the bounds
    `add` writes), and its forks in the order uv's resolution seeded with them writes them; None
    when anything else changed."""
    from msgspec.structs import replace

    from puv.lock.from_resolution import canonical_fork_markers
    from puv.lock.order import sort_lock
    from puv.operations.lock_extend import seeded_forks

    if existing.manifest != inputs.manifest:
        return None
    forks = canonical_fork_markers(seeded_forks(existing, inputs), existing.requires_python)
    order = {text: index for index, text in enumerate(forks)}
    packages = []
    for package in existing.packages:
        member = inputs.members.get(package.name)
        if member is not None:
            package = replace(package, metadata=member.metadata)
        elif package.resolution_markers:
            ordered = sorted(package.resolution_markers, key=lambda m: order.get(m, len(order)))
            package = replace(package, resolution_markers=tuple(ordered))
        packages.append(package)
    candidate = sort_lock(replace(existing, packages=tuple(packages), resolution_markers=forks))
    before = {package.id: package.metadata for package in existing.packages}
    for package in candidate.packages:
        old = before.get(package.id)
        if old is None:
            return None
        if old != package.metadata and not _only_satisfied_specifiers(
            existing, old, package.metadata
        ):
            return None
    return candidate


def _only_satisfied_specifiers(lock: Lock, old: Metadata, new: Metadata) -> bool:
    """Whether `new` is `old` with only some specifiers changed, each satisfied by every version
    `lock` holds of its package."""
    from msgspec.structs import replace
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    def requirements(metadata: Metadata) -> list[tuple[str, Requirement]]:
        dev = [(group, r) for group, reqs in metadata.requires_dev for r in reqs]
        return [("", r) for r in metadata.requires_dist] + dev

    def unversioned(requirement: Requirement) -> Requirement:
        kept = tuple((key, value) for key, value in requirement.source if key != "specifier")
        return replace(requirement, source=kept)

    if old.provides_extras != new.provides_extras:
        return False
    before, after = requirements(old), requirements(new)
    if [(g, unversioned(r)) for g, r in before] != [(g, unversioned(r)) for g, r in after]:
        return False
    for (_, was), (_, now) in zip(before, after, strict=True):
        if was.specifier == now.specifier or now.specifier is None:
            continue
        try:
            wanted = SpecifierSet(now.specifier)
        except InvalidSpecifier:
            return False
        for package in lock.find(now.name):
            version = package.id.version
            if version is None or not wanted.contains(version, prereleases=True):
                return False
    return True


def _keep(ctx: Context, request: LockRequest, packages: int, started: float) -> None:
    """What uv prints when the existing lock (of `packages` packages) satisfies the project."""
    _resolved_line(ctx, request, packages, started)
    if request.dry_run and request.report_changes:
        ctx.printer.status("No lockfile changes detected")


def _source_checker(
    ctx: Context, lock: Lock, inputs: LockInputs, interpreter: Interpreter, request: LockRequest
) -> SourceLocker | None:
    """What re-reads the lock's mutable direct sources (None when it has none)."""
    from puv.operations.lock_freshness import has_mutable_sources

    if not has_mutable_sources(lock, inputs):
        return None
    from puv.operations.lock_resolve import project_indexes
    from puv.operations.lock_sources import SourceLocker
    from puv.operations.network import http_client

    def client() -> HttpClient:
        indexes = project_indexes(ctx, request.indexes, request.default_index)
        return http_client(ctx, indexes)

    return SourceLocker(ctx, interpreter, inputs.root, inputs.lowering, client=client)


def _missing_lock(flag: str, name: str = LOCK_FILE) -> PuvError:
    return FailureError(
        f"Unable to find lockfile at `{name}`, but `{flag}` was provided. To create a "
        "lockfile, run `puv lock` or `puv sync` without the flag."
    )


def _cache(ctx: Context) -> CacheLayout | None:
    """Where parsed locks are kept (None with `--no-cache`)."""
    return None if ctx.no_cache else ctx.cache


def _resolved_line(ctx: Context, request: LockRequest, count: int, started: float) -> None:
    from puv.core.printer import counted, since

    if request.show_resolved:
        ctx.printer.status(counted("Resolved", count, since(started)))


def _interpreter(ctx: Context, workspace: Workspace, request: LockRequest) -> Interpreter:
    """The interpreter uv would use for the project (its `.venv` when it qualifies)."""
    from puv.operations.python_ops import find_interpreter

    interpreter = find_interpreter(ctx, request.python, project_dir=workspace.root)
    if request.show_interpreter:
        ctx.printer.status(
            f"Using {interpreter.display_name} interpreter at: {interpreter.sys_executable}"
        )
    return interpreter


def _fork_seeds(existing: Lock | None, inputs: LockInputs, request: LockRequest) -> tuple[str, ...]:
    """The forks of the lock resolved again, as uv starts from them (unless upgrading, or
    when `requires-python` or the environments changed, which may change the forks)."""
    if existing is None or request.upgrading:
        return ()
    if existing.requires_python != inputs.requires_python:
        return ()
    if existing.supported_markers != tuple(inputs.environments):
        return ()
    return existing.resolution_markers


def _preferences(existing: Lock | None, request: LockRequest) -> dict[str, list[Version]]:
    """The locked versions to keep where they still fit (all of them, minus the upgraded)."""
    from packaging.version import Version

    if existing is None or request.upgrade:
        return {}
    upgraded = _upgraded(request, existing)
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
    return git_pins(existing, _upgraded(request, existing))


def _upgraded(request: LockRequest, existing: Lock) -> set[str]:
    """The names `-P`/`--upgrade-package` upgrade, and those the `--upgrade-group` groups
    depend on directly in `existing`."""
    from puv.project.settings_schema import normalize_name

    names = {normalize_name(name.split("==")[0]) for name in request.upgrade_packages}
    if request.upgrade_groups:
        from puv.operations.lock_inputs import upgrade_group_packages

        names |= upgrade_group_packages(existing, request.upgrade_groups)
    return names


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
    from packaging.version import Version

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
    from packaging.version import Version

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
    fork_seeds: tuple[str, ...] = (),
) -> tuple[Lock, list[str]]:
    """Resolve the workspace for every environment: the lock uv would write, and uv's
    warnings about the resolution (`pins`: Git commits to keep; `fork_seeds`: the forks of the
    lock resolved again)."""
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
        fork_seeds=fork_seeds,
    )
    registries = LockRegistries(indexes, inputs.root)
    lock = lock_from_resolution(inputs, provider, resolution, sourced, registries)
    return lock, missing_extra_warnings(inputs, provider, resolution, sourced)


def missing_extra_warnings(
    inputs: LockInputs,
    provider: ProjectProvider,
    resolution: UniversalResolution,
    sourced: FindSourced,
) -> list[str]:
    """uv's warnings for extras requested of a release whose metadata does not declare them."""
    from puv.resolver.provider import PackageMetadata

    warnings: list[str] = []
    for edge in resolution.edges:
        extra = edge.target_extra
        if extra is None or edge.target in inputs.members:
            continue
        metadata = provider.routed(edge.target_origin).metadata(edge.target, edge.target_version)
        if isinstance(metadata, PackageMetadata) and extra not in metadata.provides_extras:
            direct = sourced(edge.target, edge.target_origin)
            shown = direct.display if direct else f"{edge.target}=={edge.target_version}"
            warning = f"The package `{shown}` does not have an extra named `{extra}`"
            if warning not in warnings:
                warnings.append(warning)
    return warnings


def lock_from_resolution(
    inputs: LockInputs,
    provider: ProjectProvider,
    resolution: UniversalResolution,
    sourced: FindSourced,
    registries: LockRegistries,
) -> Lock:
    """The lock of a universal resolution of `inputs` (members, direct sources, registry
    releases with the files uv keeps, edges and fork markers)."""
    from puv.core.markers import Marker
    from puv.lock.from_resolution import LockEdge, build_lock
    from puv.lock.model import Package, PackageId
    from puv.operations.lock_conflicts import conflict_tables

    ids: dict[tuple[str, Version, str | None], PackageId] = {}
    packages: list[Package] = []
    for package in resolution.packages:
        member = inputs.members.get(package.name)
        direct = sourced(package.name, package.origin)
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
            routed = provider.routed(package.origin)
            locked = _registry_package(routed, package, inputs.requires_python, registries)
        ids[(package.name, package.version, package.origin)] = locked.id
        packages.append(locked)
    edges = []
    for edge in resolution.edges:
        if edge.source is None or edge.source_version is None:
            continue
        source_id = ids[(edge.source, edge.source_version, edge.source_origin)]
        target_id = ids[(edge.target, edge.target_version, edge.target_origin)]
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
    by_id = {ids[(p.name, p.version, p.origin)]: p for p in resolution.packages}
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


class LockRegistries:
    """How uv.lock names an index and its files: a URL as it is; a local directory (a `file:`
    index) as a path, relative to the workspace `root` when it was written relative, and its
    files as paths relative to it (absolute when the index was) (uv's `RegistrySource::Path`)."""

    def __init__(self, indexes: IndexList, root: Path) -> None:
        self.indexes = indexes
        self.root = root

    def source(self, index_url: str) -> str:
        """The `registry` of a package from the index at `index_url`."""
        directory = self._directory(index_url)
        if directory is None:
            return index_url
        from puv.core.paths import relative_to

        index = self._index(index_url)
        return relative_to(directory, self.root) if index and index.relative else directory

    def file(self, index_url: str, file_url: str) -> tuple[str, str]:
        """(`url` or `path`, location) of a file the index at `index_url` lists."""
        directory = self._directory(index_url)
        if directory is None or not file_url.startswith("file:"):
            return "url", file_url
        from puv.core.paths import relative_to
        from puv.index.client import path_from_file_url

        path = path_from_file_url(file_url)
        index = self._index(index_url)
        return "path", relative_to(path, directory) if index and index.relative else path

    def _directory(self, index_url: str) -> str | None:
        if not index_url.startswith("file:"):
            return None
        from puv.index.client import path_from_file_url

        return path_from_file_url(index_url)

    def _index(self, index_url: str) -> Index | None:
        return next((index for index in self.indexes.indexes if index.url == index_url), None)


def _registry_package(
    provider: ProjectProvider,
    package: UniversalPackage,
    requires_python: str,
    registries: LockRegistries,
) -> Package:
    """A registry release with its sdist and the wheels uv keeps for where it is used."""
    from puv.lock.model import Package, PackageId, Sdist, Source, Wheel
    from puv.lock.wheels import keeps_wheel

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
        sdist = Sdist(
            *registries.file(index_url, best.url),
            _hash(best),
            best.size,
            upload_time(best.upload_time),
        )
    wheels = tuple(
        Wheel(
            *registries.file(index_url, file.url),
            _hash(file),
            file.size,
            upload_time(file.upload_time),
        )
        for file in files
        if file.filename.endswith(".whl")
        and keeps_wheel(file.filename, requires_python, package.marker)
    )
    source = Source("registry", registries.source(index_url))
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
    from datetime import datetime

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
