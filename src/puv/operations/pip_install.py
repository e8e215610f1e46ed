"""`puv pip sync`, `puv pip install` and `puv pip uninstall`.

Plan first, then execute. The requirements are read, the target environment found and locked,
its site-packages scanned and compared with what is wanted (`pip_plan`); when nothing needs to
change, that is all: no cache, no HTTP client, no index. Otherwise an `InstallSession` locates
a wheel for every change (a wheel already unpacked in the cache under one of its `--hash` digests
needs no index request), fetches what the cache lacks, uninstalls what is replaced or extraneous
and links the new distributions in (RECORD last, so an interrupted install is repaired by the
next run).

Dependencies are not resolved: `pip install` installs exactly what it is given (as with
`--no-deps`) until puv has a resolver.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from puv.core.errors import PuvError
from puv.core.printer import plural
from puv.core.wheel_filename import normalize_name
from puv.install.installed import InstalledDist, scan_site_packages
from puv.operations.context import Context
from puv.operations.install_session import (
    Artifact,
    IndexArguments,
    InstallSession,
    layout_of,
    remove_distribution,
)
from puv.operations.pip_env import TargetEnvironment, find_target_environment
from puv.operations.pip_plan import Plan, plan_environment
from puv.operations.pip_report import Dist, change_lines, counted, print_changes, since
from puv.operations.pip_requirements import (
    Requested,
    RequirementSources,
    check_hashes_required,
    read_sources,
    requested_names,
    requested_packages,
)

NO_REQUIREMENTS = (
    "No requirements found (hint: use `--allow-empty-requirements` to clear the environment)"
)


@dataclass(frozen=True, slots=True)
class InstallRequest:
    """What `pip sync` (`exact=True`) or `pip install` was asked to do.

    Everything else (hash checking, reinstall, link mode, bytecode, strictness, configured
    indexes, ...) comes from the merged settings, `ctx.settings.pip`.
    """

    files: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    editables: tuple[str, ...] = ()
    exact: bool = False
    dry_run: bool = False
    python: str | None = None
    system: bool = False
    indexes: IndexArguments = field(default_factory=IndexArguments)
    refresh: bool = False
    refresh_packages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UninstallRequest:
    """What `pip uninstall` was asked to remove."""

    packages: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    dry_run: bool = False
    python: str | None = None
    system: bool = False


# ------------------------------------------------------------------------ sync and install


def install_requirements(ctx: Context, request: InstallRequest) -> None:
    """Run `pip sync` or `pip install`: plan, then (unless nothing changes) resolve, fetch, link."""
    printer = ctx.printer
    settings = ctx.settings.pip
    sources = read_sources(
        request.files,
        request.packages,
        editables=request.editables,
        environ=os.environ,
        warn=printer.warn,
    )
    if request.exact and not sources.lines and not settings.allow_empty_requirements:
        printer.status(NO_REQUIREMENTS)
        return
    target = find_target_environment(ctx, request.python, system=request.system, mutable=True)
    check_externally_managed(target, allowed=settings.break_system_packages)
    with _environment_lock(target, dry_run=request.dry_run):
        _install(ctx, request, sources, target)


def _install(
    ctx: Context, request: InstallRequest, sources: RequirementSources, target: TargetEnvironment
) -> None:
    """Plan and (unless nothing changes) resolve, fetch and link, holding the environment lock."""
    printer = ctx.printer
    settings = ctx.settings.pip
    start = time.perf_counter()
    requested = requested_packages(sources, target.interpreter.markers, ctx.cwd)
    if settings.require_hashes or sources.require_hashes:
        check_hashes_required(requested)
    installed = scan_site_packages(target.site_packages)
    plan = plan_environment(
        installed,
        requested,
        exact=request.exact,
        reinstall=settings.reinstall,
        reinstall_packages=frozenset(settings.reinstall_package),
    )
    if plan.is_noop:
        if request.exact:
            printer.status(counted("Resolved", len(requested), since(start)))
        printer.status(counted("Checked", len(requested), since(start)))
        if request.dry_run:
            printer.status("Would make no changes")
        elif request.exact and settings.strict:
            _diagnose(ctx, target, requested)
        return
    session = InstallSession(
        ctx,
        target,
        sources,
        request.indexes,
        refresh=request.refresh,
        refresh_packages=request.refresh_packages,
    )
    with session:
        artifacts = session.resolve(plan.changes, prefetch=not request.dry_run)
        printer.status(counted("Resolved", len(requested), since(start)))
        if request.dry_run:
            _report_dry_run(ctx, plan, artifacts)
            return
        artifacts = session.fetch(artifacts)
        added = session.apply(plan, artifacts)
    _report_changes(ctx, plan, artifacts, added)
    if settings.strict:
        _diagnose(ctx, target, requested)


def check_externally_managed(target: TargetEnvironment, *, allowed: bool) -> None:
    """Refuse to change a system interpreter marked `EXTERNALLY-MANAGED` (PEP 668), as uv does,
    unless `--break-system-packages`."""
    interpreter = target.interpreter
    if allowed or interpreter.is_virtualenv or not interpreter.stdlib:
        return
    marker = Path(interpreter.stdlib) / "EXTERNALLY-MANAGED"
    if not marker.is_file():
        return
    import configparser
    import textwrap

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(marker, encoding="utf-8")
        error = parser.get("externally-managed", "Error", fallback=None)
    except configparser.Error:
        error = None
    root = target.root
    if error:
        raise PuvError(
            f"The interpreter at {root} is externally managed, and indicates the following:\n\n"
            f"{textwrap.indent(error, '  ')}\n\n"
            "Consider creating a virtual environment with `puv venv`."
        )
    raise PuvError(
        f"The interpreter at {root} is externally managed. Instead, create a virtual "
        "environment with `puv venv`."
    )


def _report_dry_run(ctx: Context, plan: Plan, artifacts: Sequence[Artifact]) -> None:
    printer = ctx.printer
    removed = [*(d for c in plan.changes for d in c.replaces), *plan.extraneous]
    downloads = sum(1 for artifact in artifacts if artifact.cached is None)
    if downloads:
        printer.status(f"Would download {plural(downloads, 'package')}")
    if removed:
        printer.status(f"Would uninstall {plural(len(removed), 'package')}")
    if artifacts:
        printer.status(f"Would install {plural(len(artifacts), 'package')}")
    added = [_planned(artifact) for artifact in artifacts]
    print_changes(printer, change_lines([_shown(d) for d in removed], added, dry_run=True))


def _planned(artifact: Artifact) -> Dist:
    requested = artifact.requested
    if requested.url is not None and artifact.cached is None:
        return Dist(requested.name, None, requested.url)
    return Dist(artifact.wheel.name, str(artifact.wheel.version), requested.url)


def _shown(dist: InstalledDist) -> Dist:
    return Dist(dist.name, dist.version, dist.url)


def _report_changes(
    ctx: Context, plan: Plan, artifacts: Sequence[Artifact], added: Sequence[Dist]
) -> None:
    removed = [
        _shown(d) for d in (*(d for c in plan.changes for d in c.replaces), *plan.extraneous)
    ]
    print_changes(ctx.printer, change_lines(removed, added))
    yanked = {a.requested.name: a.yanked for a in artifacts if a.yanked is not None}
    for change in plan.changes:  # in the order the requirements were given, as uv reports
        warning = yanked.get(change.requested.name)
        if warning is not None:
            ctx.printer.warn(warning)


def _diagnose(ctx: Context, target: TargetEnvironment, requested: Sequence[Requested]) -> None:
    """`--strict`: uv's warnings about broken requirements that involve the requested packages."""
    import re

    from puv.operations.pip_inspect import check_environment

    names = {item.name for item in requested}
    pattern = re.compile(r"The package `([^`]+)` requires `([A-Za-z0-9._-]+)")
    for problem in check_environment(target).problems:
        match = pattern.match(problem)
        involved = {match.group(1), normalize_name(match.group(2))} if match else set()
        if involved & names:
            ctx.printer.warn(problem)


# ------------------------------------------------------------------------ uninstall


def uninstall_packages(ctx: Context, request: UninstallRequest) -> None:
    """Run `pip uninstall`: remove the named distributions (versions are ignored, as in uv)."""
    printer = ctx.printer
    sources = read_sources(request.files, request.packages, environ=os.environ, warn=printer.warn)
    names = requested_names(sources, ctx.cwd)
    target = find_target_environment(ctx, request.python, system=request.system, mutable=True)
    check_externally_managed(target, allowed=ctx.settings.pip.break_system_packages)
    with _environment_lock(target, dry_run=request.dry_run):
        _uninstall(ctx, request, names, target)


def _uninstall(
    ctx: Context, request: UninstallRequest, names: Sequence[str], target: TargetEnvironment
) -> None:
    from puv.operations.wheel_cache import WheelCache

    printer = ctx.printer
    installed = scan_site_packages(target.site_packages)
    wanted = set(names)
    chosen = [dist for dist in installed if dist.name in wanted]
    if request.dry_run:
        if chosen:
            printer.status(f"Would uninstall {plural(len(chosen), 'package')}")
            print_changes(printer, change_lines([_shown(d) for d in chosen], []))
        else:
            printer.status("Would make no changes")
        return
    present = {dist.name for dist in installed}
    for name in sorted(wanted - present):
        printer.warn(f"Skipping {name} as it is not installed")
    if not chosen:
        printer.warn("No packages to uninstall")
        return
    start = time.perf_counter()
    layout = layout_of(target)
    wheels = WheelCache(ctx.cache) if any(not dist.complete for dist in chosen) else None
    for dist in chosen:
        remove_distribution(dist, layout, wheels, warn=printer.warn)
    printer.status(counted("Uninstalled", len(chosen), since(start)))
    print_changes(printer, change_lines([_shown(d) for d in chosen], []))


@contextmanager
def _environment_lock(target: TargetEnvironment, *, dry_run: bool = False) -> Iterator[None]:
    """The exclusive lock on the environment (`<venv>/.lock`; for a system interpreter, a lock
    file in the temp directory named after its prefix, as uv does); none for a dry run."""
    if dry_run:
        yield
        return
    from puv.cache.lock import lock, lock_timeout_from_env

    timeout = lock_timeout_from_env(os.environ)
    root = target.root
    if target.interpreter.is_virtualenv:
        path = root / ".lock"
    else:
        import hashlib
        import tempfile

        digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / f"puv-{digest}.lock"
    with lock(path, shared=False, resource=str(root), timeout=timeout):
        yield
