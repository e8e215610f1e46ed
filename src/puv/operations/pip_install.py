"""`puv pip sync`, `puv pip install` and `puv pip uninstall`.

Plan first, then execute. The requirements are read and the target environment found and locked
(a venv or interpreter, or a `--target` / `--prefix` directory), its site-packages scanned.

`pip sync` installs exactly what its files pin: the wanted packages are compared with what is
installed (`pip_plan`); when nothing needs to change, that is all: no cache, no HTTP client, no
index. Otherwise an `InstallSession` locates a wheel for every change (a wheel already unpacked in
the cache under one of its `--hash` digests needs no index request), builds what only has a source,
fetches what the cache lacks, uninstalls what is replaced or extraneous and links the new
distributions in (RECORD last, so an interrupted install is repaired by the next run).

`pip install` resolves: unless what is installed already satisfies the requirements and all they
need (then it only says so), the single-environment resolver pins every package, preferring the
installed versions (unless `--upgrade` / `--upgrade-package` / `--reinstall`); direct references
(wheels, sdists, source trees, editables) take part with the one version their metadata gives.
The resolution is then planned and installed as `pip sync` does.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace

from puv.core.errors import PuvError
from puv.core.printer import counted, plural, since
from puv.core.wheel_filename import normalize_name
from puv.install.installed import InstalledDist, scan_site_packages
from puv.operations.context import Context
from puv.operations.install_session import (
    Artifact,
    IndexArguments,
    InstallSession,
    PendingBuild,
    layout_of,
    remove_distribution,
)
from puv.operations.pip_env import TargetEnvironment, find_target_environment
from puv.operations.pip_plan import Plan, plan_environment, satisfied_recursively
from puv.operations.pip_report import Dist, change_lines, print_changes
from puv.operations.pip_requirements import (
    Requested,
    RequirementSources,
    ResolverInputs,
    SourceOptions,
    asked_extras,
    check_hashes_required,
    conflicting_urls,
    pinned_git,
    read_sources,
    refuse_git_editables,
    requested_packages,
    resolver_inputs,
    uninstall_targets,
    with_groups,
)
from puv.operations.target_platform import (
    Target,
    parse_platform,
    parse_python_version,
    target_of,
)

if TYPE_CHECKING:
    from packaging.requirements import Requirement
    from packaging.version import Version

    from puv.index.indexes import PackageFiles
    from puv.operations.direct_releases import DirectRelease
    from puv.operations.git import GitCheckouts
    from puv.operations.resolver_provider import IndexProvider
    from puv.python.interpreter import Interpreter
    from puv.resolver.provider import (
        MetadataUnavailable,
        MissingPackage,
        PackageMetadata,
        PackageVersion,
    )
    from puv.resolver.resolve import Resolution

NO_REQUIREMENTS = (
    "No requirements found (hint: use `--allow-empty-requirements` to clear the environment)"
)


class InstallRequest(Struct, frozen=True):
    """What `pip sync` (`exact=True`) or `pip install` (`resolve=True`) was asked to do.

    `check` reports like `dry_run` and makes the command fail when something would change;
    `cert` is a `--cert` CA bundle; `config_settings` the `-C` settings for build backends (over
    the configured ones). Everything else (hash checking, reinstall, upgrade, link mode,
    bytecode, strictness, build switches, target directory, configured indexes, ...) comes from
    the merged settings, `ctx.settings.pip`.
    """

    files: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    exact: bool = False
    dry_run: bool = False
    python: str | None = None
    system: bool = False
    indexes: IndexArguments = field(default_factory=IndexArguments)
    refresh: bool = False
    refresh_packages: tuple[str, ...] = ()
    sources: SourceOptions = field(default_factory=SourceOptions)
    check: bool = False
    resolve: bool = False
    cert: str | None = None
    config_settings: Mapping[str, str | list[str]] = field(default_factory=dict)

    @property
    def previews(self) -> bool:
        """Whether nothing is changed, only reported (`--dry-run`, `--check`)."""
        return self.dry_run or self.check


class UninstallRequest(Struct, frozen=True):
    """What `pip uninstall` was asked to remove."""

    packages: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    dry_run: bool = False
    python: str | None = None
    system: bool = False


# ------------------------------------------------------------------------ sync and install


def install_requirements(ctx: Context, request: InstallRequest) -> bool:
    """Run `pip sync` or `pip install`; returns whether the environment changed (or, with
    `--dry-run` / `--check`, would change)."""
    printer = ctx.printer
    settings = ctx.settings.pip
    _check_platform_options(ctx)
    if settings.keyring_provider == "subprocess":
        printer.warn(
            "`--keyring-provider subprocess` is not supported by puv yet; credentials come from "
            "the index URL, `.netrc` and `UV_INDEX_<NAME>_USERNAME/PASSWORD`"
        )
    sources = read_sources(
        request.files,
        request.packages,
        options=request.sources,
        environ=os.environ,
        warn=printer.warn,
        cwd=ctx.cwd,
    )
    refuse_git_editables(sources, ctx.cwd)
    if not request.resolve and not sources.lines and not settings.allow_empty_requirements:
        printer.status(NO_REQUIREMENTS)
        return False
    target = target_environment(ctx, request.python, system=request.system)
    sources = with_groups(sources, request.sources, ctx.cwd)
    check_externally_managed(target, allowed=settings.break_system_packages)
    from puv.operations.git import GitCheckouts

    git = GitCheckouts(ctx.cache.bucket("git"), printer.status, offline=ctx.offline)
    with _environment_lock(target, dry_run=request.previews):
        if request.resolve:
            return _install_resolved(ctx, request, sources, target, git)
        return _sync(ctx, request, sources, target, git)


def _check_platform_options(ctx: Context) -> None:
    """Reject a bad `--python-version` / `--python-platform` before looking for an environment,
    as uv's argument parser does."""
    settings = ctx.settings.pip
    if settings.python_version is not None:
        parse_python_version(settings.python_version)
    if settings.python_platform is not None:
        parse_platform(settings.python_platform, os.environ)


def _platform(ctx: Context, target: TargetEnvironment) -> Target:
    settings = ctx.settings.pip
    return target_of(
        target.interpreter,
        python_version=settings.python_version,
        python_platform=settings.python_platform,
        environ=os.environ,
    )


def _sync(
    ctx: Context,
    request: InstallRequest,
    sources: RequirementSources,
    target: TargetEnvironment,
    git: GitCheckouts,
) -> bool:
    """`pip sync`: plan and (unless nothing changes) locate, fetch and link exactly the wanted
    packages, holding the environment lock (a `git+` reference at the commit it names now)."""
    printer = ctx.printer
    settings = ctx.settings.pip
    start = time.perf_counter()
    platform = _platform(ctx, target)
    requested = [
        _pinned_git(git, item) if item.is_git else item
        for item in requested_packages(sources, platform.markers, ctx.cwd, git)
    ]
    if settings.require_hashes or sources.require_hashes:
        check_hashes_required(requested)
    installed = scan_site_packages(target.site_packages)
    session = _session(ctx, request, target, platform, sources, git)
    plan = plan_environment(
        installed,
        requested,
        exact=request.exact,
        reinstall=settings.reinstall,
        reinstall_packages=frozenset(settings.reinstall_package),
        fresh_trees=session.fresh_trees(installed, requested),
    )
    if plan.is_noop:
        if request.exact:
            printer.status(counted("Resolved", len(requested), since(start)))
        printer.status(counted("Checked", len(requested), since(start)))
        if request.previews:
            printer.status("Would make no changes")
        elif request.exact and settings.strict:
            _diagnose(ctx, target, requested)
        return False
    with session:
        chosen = session.resolve(plan.changes, prefetch=not request.previews)
        printer.status(counted("Resolved", len(requested), since(start)))
        _execute(ctx, request, session, plan, chosen)
    if not request.previews and settings.strict:
        _diagnose(ctx, target, requested)
    return True


def _installed_from(release: DirectRelease) -> Requested:
    """What a resolved direct reference installs: itself, or a `git+` one's resolved commit."""
    requested = release.requested
    if not requested.is_git:
        return requested
    assert requested.given is not None, requested  # the commit `DirectReleases` resolved
    return pinned_git(requested, requested.given)


def _pinned_git(git: GitCheckouts, requested: Requested) -> Requested:
    """A `git+` reference pinned to the commit its reference names now."""
    from puv.operations.git import GitUrl

    assert requested.url is not None
    url = GitUrl.from_requirement(requested.url)
    commit = git.resolve_for(url, url.requirement_display(requested.name))
    return pinned_git(requested, url.pinned_requirement_url(commit))


def _session(
    ctx: Context,
    request: InstallRequest,
    target: TargetEnvironment,
    platform: Target,
    sources: RequirementSources,
    git: GitCheckouts,
) -> InstallSession:
    settings = ctx.settings.pip
    upgraded = tuple(settings.upgrade_package) if request.resolve else ()
    return InstallSession(
        ctx,
        target,
        platform,
        sources,
        request.indexes,
        refresh=request.refresh or (request.resolve and settings.upgrade),
        refresh_packages=(*request.refresh_packages, *(_name_of(p) for p in upgraded)),
        cert=request.cert,
        config_settings=request.config_settings,
        build_isolation=ctx.settings.pip,
        git=git,
    )


def _name_of(requirement: str) -> str:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return normalize_name(Requirement(requirement).name)
    except InvalidRequirement:
        return normalize_name(requirement)


def _execute(
    ctx: Context,
    request: InstallRequest,
    session: InstallSession,
    plan: Plan,
    chosen: Sequence[Artifact | PendingBuild],
) -> None:
    """Report (`--dry-run`, `--check`) or carry out the plan with the chosen artifacts and
    builds."""
    if request.previews:
        _report_dry_run(ctx, plan, chosen)
        return
    artifacts = [item for item in chosen if isinstance(item, Artifact)]
    artifacts += session.build([item for item in chosen if isinstance(item, PendingBuild)])
    artifacts = session.fetch(artifacts)
    added = session.apply(plan, artifacts)
    _report_changes(ctx, plan, artifacts, added)


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


def _report_dry_run(ctx: Context, plan: Plan, chosen: Sequence[Artifact | PendingBuild]) -> None:
    printer = ctx.printer
    removed = [*(d for c in plan.changes for d in c.replaces), *plan.extraneous]
    downloads = sum(1 for item in chosen if not isinstance(item, Artifact) or item.cached is None)
    if downloads:
        printer.status(f"Would download {plural(downloads, 'package')}")
    if removed:
        printer.status(f"Would uninstall {plural(len(removed), 'package')}")
    if chosen:
        printer.status(f"Would install {plural(len(chosen), 'package')}")
    added = [_planned(item) for item in chosen]
    print_changes(printer, change_lines([_shown(d) for d in removed], added, dry_run=True))


def _planned(item: Artifact | PendingBuild) -> Dist:
    requested = item.requested
    if isinstance(item, PendingBuild):
        if item.version is not None:
            return Dist(requested.name, item.version)
        return Dist(requested.name, None, requested.url)
    if requested.url is not None and item.cached is None:
        return Dist(requested.name, None, requested.url)
    return Dist(item.wheel.name, str(item.wheel.version), requested.url)


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


# ------------------------------------------------------------------------ install, resolved


def _install_resolved(
    ctx: Context,
    request: InstallRequest,
    sources: RequirementSources,
    target: TargetEnvironment,
    git: GitCheckouts,
) -> bool:
    """`pip install`: check, resolve, then plan and install the resolution."""
    printer = ctx.printer
    settings = ctx.settings.pip
    start = time.perf_counter()
    platform = _platform(ctx, target)
    inputs = resolver_inputs(sources, ctx.cwd, git)
    if settings.require_hashes or sources.require_hashes:
        check_hashes_required(requested_packages(sources, platform.markers, ctx.cwd, git))
    installed = scan_site_packages(target.site_packages)
    if _already_satisfied(ctx, request, sources, inputs, installed, platform):
        printer.status(counted("Checked", len(inputs.requirements), since(start)))
        if request.previews:
            printer.status("Would make no changes")
        return False
    with _session(ctx, request, target, platform, sources, git) as session:
        provider = _index_provider(session, platform)
        source = _install_provider(ctx, session, provider, inputs)
        resolution = _resolve(ctx, session, source, inputs, installed, platform)
        # the direct references, with those of constraints the resolution used (a `git+` one
        # at the commit it resolved to)
        directs = {name: _installed_from(release) for name, release in source.directs.items()}
        inputs = replace(inputs, directs=directs)
        printer.status(counted("Resolved", len(resolution.packages), since(start)))
        resolved = time.perf_counter()
        requested = [_pinned(p.name, p.version, inputs) for p in resolution.packages]
        plan = plan_environment(
            installed,
            requested,
            exact=request.exact,
            reinstall=settings.reinstall,
            reinstall_packages=frozenset(settings.reinstall_package),
        )
        if plan.is_noop:
            printer.status(counted("Checked", len(requested), since(resolved)))
            if request.previews:
                printer.status("Would make no changes")
            changed = False
        else:
            known = _known_files(resolution, inputs, source.base)
            chosen = session.resolve(plan.changes, prefetch=not request.previews, known=known)
            _execute(ctx, request, session, plan, chosen)
            changed = True
        if not (settings.no_deps or request.check):  # uv's `--check` does not warn
            for warning in _missing_extras(resolution, inputs, source):
                printer.warn(warning)
    if changed and not request.previews and settings.strict:
        _diagnose(ctx, target, requested)
    return changed


def _already_satisfied(
    ctx: Context,
    request: InstallRequest,
    sources: RequirementSources,
    inputs: ResolverInputs,
    installed: Sequence[InstalledDist],
    platform: Target,
) -> bool:
    """uv's shortcut: nothing to resolve when the installed packages satisfy the requirements
    and everything they need (never with upgrades, reinstalls, overrides, an exact install, or
    requirements from a `pyproject.toml` or a dependency group)."""
    settings = ctx.settings.pip
    if (
        sources.projects
        or request.sources.groups
        or settings.upgrade
        or settings.upgrade_package
        or settings.reinstall
        or settings.reinstall_package
        or request.exact
        or inputs.overrides
    ):
        return False
    return satisfied_recursively(
        installed,
        inputs.requirements,
        inputs.constraints,
        inputs.directs,
        platform.markers,
        (lambda dist: ()) if settings.no_deps else _installed_requirements,
    )


def _installed_requirements(dist: InstalledDist) -> Sequence[Requirement] | None:
    """The `Requires-Dist` of an installed distribution (None when unreadable)."""
    from puv.operations.resolver_provider import parse_core_metadata
    from puv.resolver.provider import PackageMetadata

    if dist.kind != "dist-info":
        return None
    try:
        data = (dist.path / "METADATA").read_bytes()
    except OSError:
        return None
    metadata = parse_core_metadata(data)
    return metadata.requires_dist if isinstance(metadata, PackageMetadata) else None


def _index_provider(session: InstallSession, platform: Target) -> IndexProvider:
    from puv.operations.resolver_provider import IndexProvider, ProviderOptions
    from puv.operations.wheel_select import parse_exclude_newer
    from puv.resolver.candidates import TargetTags

    ctx = session.ctx
    exclude_newer = ctx.settings.pip.exclude_newer
    options = ProviderOptions(
        exclude_newer=parse_exclude_newer(exclude_newer)
        if isinstance(exclude_newer, str)
        else None,
        tags=TargetTags.from_tags(platform.tags()),
        no_index=session.index_list.no_index,
        offline=session.client.options.offline,
        environment=platform.markers,
    )
    return IndexProvider(
        session.client,
        session.finder,
        ctx.cache.bucket("metadata"),
        ctx.cache.bucket("sdists"),
        options,
    )


def _install_provider(
    ctx: Context, session: InstallSession, provider: IndexProvider, inputs: ResolverInputs
) -> _InstallProvider:
    """The index provider (its pages already loading) with the direct references' releases,
    and those of the direct references they require in turn."""
    from puv.operations.direct_releases import DirectReleases

    names = [normalize_name(requirement.name) for requirement in inputs.requirements]
    provider.prefetch([name for name in names if name not in inputs.directs])
    extras = asked_extras(inputs.requirements)
    releases = DirectReleases(session.client, ctx.cache, session.build_metadata, session.git)
    directs = releases.collect(inputs.directs, extras, ctx.cwd, provider.options.environment)
    # a constraint's or override's URL is loaded if the resolution asks for its package; an
    # override's replaces a requirement's other URL, a constraint's conflicts with it (uv)
    pending = {}
    for name, requested in inputs.constraint_urls.items():
        direct = directs.get(name)
        if direct is not None and requested.url == direct.requested.url:
            continue
        if direct is not None and name not in inputs.override_urls:
            raise conflicting_urls(name, (direct.requested.url or "", requested.url or ""))
        pending[name] = requested
    directs = {name: release for name, release in directs.items() if name not in pending}
    return _InstallProvider(
        provider, directs, session, pending, releases.load, no_deps=ctx.settings.pip.no_deps
    )


def _resolve(
    ctx: Context,
    session: InstallSession,
    source: _InstallProvider,
    inputs: ResolverInputs,
    installed: Sequence[InstalledDist],
    platform: Target,
) -> Resolution:
    from packaging.version import Version

    from puv.resolver.candidates import PythonTarget
    from puv.resolver.resolve import ResolverOptions, resolve

    settings = ctx.settings.pip
    if settings.resolution in ("lowest", "lowest-direct"):
        _warn_unbounded(ctx, inputs.requirements)
    prerelease = settings.prerelease
    if prerelease == "if-necessary-or-explicit":
        prerelease = "if-necessary"
    options = ResolverOptions(
        python=PythonTarget(platform.python_version, Version(session.target.interpreter.version)),
        environment=platform.markers,
        tags=source.base.options.tags,
        resolution=settings.resolution,
        prerelease=prerelease,
        prerelease_packages={normalize_name(k): v for k, v in settings.prerelease_package.items()},
        no_build=True if settings.no_build else _switch(settings.only_binary),
        no_binary=_switch(settings.no_binary),
        constraints=inputs.constraints,
        overrides=inputs.overrides,
        preferences=_preferences(ctx, installed),
    )
    return resolve(inputs.requirements, source, options)


def _warn_unbounded(ctx: Context, requirements: Sequence[Requirement]) -> None:
    """uv's warning for each direct dependency without a lower bound under a lowest strategy."""
    lower_bounds = (">=", ">", "==", "~=", "===")
    warned: set[str] = set()
    for requirement in requirements:
        name = normalize_name(requirement.name)
        bounded = any(spec.operator in lower_bounds for spec in requirement.specifier)
        if bounded or requirement.url or name in warned:
            continue
        warned.add(name)
        ctx.printer.warn(
            f"The direct dependency `{name}` is unpinned. Consider setting a lower bound when "
            "using `--resolution lowest` or `--resolution lowest-direct` to avoid using "
            "outdated versions."
        )


def _switch(values: Sequence[str]) -> bool | frozenset[str]:
    """`--only-binary` / `--no-binary` values: True for `:all:`, else the named packages."""
    if ":all:" in values:
        return True
    return frozenset(normalize_name(value) for value in values if value != ":none:")


def _preferences(ctx: Context, installed: Sequence[InstalledDist]) -> dict[str, list[Version]]:
    """Installed versions, kept when they still fit; not with `--upgrade` / `--reinstall`, nor
    for the packages `--upgrade-package` / `--reinstall-package` name."""
    from packaging.version import Version

    settings = ctx.settings.pip
    if settings.upgrade or settings.reinstall:
        return {}
    released = {_name_of(p) for p in (*settings.upgrade_package, *settings.reinstall_package)}
    return {
        dist.name: [Version(dist.version)]
        for dist in installed
        if dist.complete and dist.name not in released
    }


class _InstallProvider:
    """The resolver's provider for `pip install`: the indexes and the direct references,
    metadata built from the sdist when the index's cannot be read statically, and no
    dependencies at all with `--no-deps`."""

    def __init__(
        self,
        base: IndexProvider,
        directs: Mapping[str, DirectRelease],
        session: InstallSession,
        pending: Mapping[str, Requested],
        load: Callable[[Requested], DirectRelease],
        *,
        no_deps: bool,
    ) -> None:
        from puv.operations.direct_releases import DirectProvider

        self.base = base
        self.session = session
        self.no_deps = no_deps
        self._with_directs = DirectProvider(
            _BuildingProvider(base, session),
            directs,
            session.ctx.cwd,
            base.options.environment,
            pending=pending,
            load=load,
        )

    @property
    def directs(self) -> Mapping[str, DirectRelease]:
        """The direct references, with the constraints' ones the resolution loaded."""
        return self._with_directs.directs

    def versions(self, name: str) -> Sequence[PackageVersion] | MissingPackage:
        """The index's versions, or the direct reference's one."""
        return self._with_directs.versions(name)

    def metadata(self, name: str, version: Version) -> PackageMetadata | MetadataUnavailable:
        """What a version requires (nothing with `--no-deps`)."""
        from puv.resolver.provider import PackageMetadata

        found = self._with_directs.metadata(name, version)
        if self.no_deps and isinstance(found, PackageMetadata):
            return PackageMetadata((), found.requires_python, found.provides_extras)
        return found

    def prefetch(self, names: Sequence[str]) -> None:
        """Start the index pages of `names` (direct references need none)."""
        self._with_directs.prefetch(names)


class _BuildingProvider:
    """The index provider, building an sdist for the metadata its index cannot give."""

    def __init__(self, base: IndexProvider, session: InstallSession) -> None:
        self.base = base
        self.session = session

    def versions(self, name: str) -> Sequence[PackageVersion] | MissingPackage:
        """The index's versions."""
        return self.base.versions(name)

    def metadata(self, name: str, version: Version) -> PackageMetadata | MetadataUnavailable:
        """The index's metadata, or the sdist's built metadata."""
        from puv.operations.resolver_provider import BuildRequired, parse_core_metadata

        try:
            return self.base.metadata(name, version)
        except BuildRequired:
            files = self.base.files(name, version)
            return parse_core_metadata(self.session.index_sdist_metadata(name, version, files))

    def prefetch(self, names: Sequence[str]) -> None:
        """Start the index pages of `names`."""
        self.base.prefetch(names)


def _pinned(name: str, version: Version, inputs: ResolverInputs) -> Requested:
    direct = inputs.directs.get(name)
    if direct is not None:
        return direct
    pin = f"=={version}"
    return Requested(name, pin, hashes=inputs.hashes.get(name, ()), display=f"{name}{pin}")


def _known_files(
    resolution: Resolution, inputs: ResolverInputs, provider: IndexProvider
) -> dict[str, PackageFiles]:
    """The index files of each pinned version, as the resolver saw them (no second lookup)."""
    from puv.index.indexes import PackageFiles, VersionFiles

    return {
        package.name: PackageFiles(
            package.name,
            (
                VersionFiles(
                    package.version, None, 0, provider.files(package.name, package.version)
                ),
            ),
        )
        for package in resolution.packages
        if package.name not in inputs.directs
    }


def _missing_extras(
    resolution: Resolution, inputs: ResolverInputs, provider: _InstallProvider
) -> list[str]:
    """uv's warning for an extra asked of a pinned version that does not declare it."""
    from puv.resolver.provider import PackageMetadata

    pins = resolution.pins()
    asked = {(e.target, e.target_extra) for e in resolution.edges if e.target_extra}
    asked |= {
        (normalize_name(r.name), normalize_name(extra))
        for r in inputs.requirements
        for extra in r.extras
    }
    warnings = []
    for name, extra in sorted(asked):
        if name not in pins or extra is None:
            continue
        metadata = provider.metadata(name, pins[name])
        if isinstance(metadata, PackageMetadata) and extra not in metadata.provides_extras:
            warnings.append(
                f"The package `{name}=={pins[name]}` does not have an extra named `{extra}`"
            )
    return warnings


# ------------------------------------------------------------------------ environments


def target_environment(
    ctx: Context, python: str | None, *, system: bool, uninstall: bool = False
) -> TargetEnvironment:
    """The environment `pip sync|install|uninstall` changes: found as uv finds it, or, with
    `--target DIR` / `--prefix DIR`, that directory changed with the found interpreter (named as
    uv names it: the interpreter to install, its environment to uninstall)."""
    from puv.core.paths import user_display

    settings = ctx.settings.pip
    directory = settings.target or settings.prefix
    if directory is None:
        return find_target_environment(ctx, python, system=system, mutable=True)
    interpreter = _interpreter(ctx, python, system=system)
    if uninstall:
        shown = user_display(interpreter.prefix, ctx.cwd)
        ctx.printer.status(f"Using Python {interpreter.version} environment at: {shown}")
    else:
        name = interpreter.display_name.split(" ")[0]
        shown = user_display(interpreter.sys_executable, ctx.cwd)
        ctx.printer.status(f"Using {name} {interpreter.version} interpreter at: {shown}")
    root = Path(os.path.abspath(ctx.cwd / directory))
    return TargetEnvironment(_relocated(interpreter, root, flat=settings.target is not None))


def _interpreter(ctx: Context, python: str | None, *, system: bool) -> Interpreter:
    """Any interpreter for a `--target` / `--prefix` install (only system ones with
    `--system`)."""
    from puv.operations.python_ops import discovery_settings
    from puv.python.discovery import EnvironmentPreference, find_python
    from puv.python.request import ANY_REQUEST, parse_request

    environments = EnvironmentPreference.EXPLICIT_SYSTEM if system else EnvironmentPreference.ANY
    request = parse_request(python, ctx.cwd) if python else ANY_REQUEST
    return find_python(
        request, discovery_settings(ctx, environments, system_flag=system)
    ).interpreter


def _relocated(interpreter: Interpreter, root: Path, *, flat: bool) -> Interpreter:
    """`interpreter` installing into `root`: at its top (`--target`: scripts in `bin`, headers in
    `include`) or laid out as a virtual environment there (`--prefix`)."""
    if flat:
        paths = {
            "purelib": str(root),
            "platlib": str(root),
            "scripts": str(root / "bin"),
            "data": str(root),
            "include": str(root / "include"),
        }
    else:
        from puv.install.venv import venv_scheme

        relative = venv_scheme(interpreter)
        major, minor = interpreter.major_minor
        paths = {
            "purelib": str(root / relative.purelib),
            "platlib": str(root / relative.platlib),
            "scripts": str(root / relative.scripts),
            "data": str(root),
            "include": str(root / "include" / "site" / f"python{major}.{minor}"),
        }
    return interpreter._replace(prefix=root, sysconfig_paths=paths)


# ------------------------------------------------------------------------ uninstall


def uninstall_packages(ctx: Context, request: UninstallRequest) -> None:
    """Run `pip uninstall`: remove the named distributions (versions are ignored, as in uv)."""
    printer = ctx.printer
    sources = read_sources(
        request.files, request.packages, environ=os.environ, warn=printer.warn, cwd=ctx.cwd
    )
    names, urls = uninstall_targets(sources, ctx.cwd)
    target = target_environment(ctx, request.python, system=request.system, uninstall=True)
    check_externally_managed(target, allowed=ctx.settings.pip.break_system_packages)
    with _environment_lock(target, dry_run=request.dry_run):
        _uninstall(ctx, request, names, urls, target)


def _uninstall(
    ctx: Context,
    request: UninstallRequest,
    names: Sequence[str],
    urls: Sequence[str],
    target: TargetEnvironment,
) -> None:
    """Remove the distributions of `names`, and those installed from `urls` (uv's order of
    warnings: names, then URLs)."""
    from puv.operations.wheel_cache import WheelCache

    printer = ctx.printer
    installed = scan_site_packages(target.site_packages)
    wanted_names, wanted_urls = set(names), set(urls)
    chosen = [dist for dist in installed if dist.name in wanted_names or dist.url in wanted_urls]
    if request.dry_run:
        if chosen:
            printer.status(f"Would uninstall {plural(len(chosen), 'package')}")
            print_changes(printer, change_lines([_shown(d) for d in chosen], []))
        else:
            printer.status("Would make no changes")
        return
    present = {dist.name for dist in installed}
    for name in names:
        if name not in present:
            printer.warn(f"Skipping {name} as it is not installed")
    installed_from = {dist.url for dist in installed}
    for url in urls:
        if url not in installed_from:
            printer.warn(f"Skipping `{url}` as it is not installed")
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
        root.mkdir(parents=True, exist_ok=True)  # a new `--target` / `--prefix` directory
        path = root / ".lock"
    else:
        import hashlib
        import tempfile

        digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / f"puv-{digest}.lock"
    with lock(path, shared=False, resource=str(root), timeout=timeout):
        yield
