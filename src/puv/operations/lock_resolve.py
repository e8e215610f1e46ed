"""The universal resolution behind a lock: indexes from the settings, the project provider, and
the resolver run for every environment the workspace supports."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from msgspec.structs import replace
from packaging.utils import canonicalize_name
from packaging.version import Version

from puv.operations.context import Context
from puv.operations.lock_inputs import LockInputs
from puv.operations.lock_sources import GitPins, SourcedPackage, SourcedPackages, SourceLocker
from puv.operations.network import configured_indexes, http_client
from puv.operations.project_provider import (
    LocalRelease,
    ProjectProvider,
    RecordingFinder,
    index_source_url,
    local_metadata,
)
from puv.resolver.provider import MetadataUnavailable, PackageMetadata

if TYPE_CHECKING:
    from puv.cache.http_cache import Refresh
    from puv.index.client import HttpClient
    from puv.index.indexes import Index, IndexList
    from puv.lock.model import DependencyMetadata
    from puv.operations.resolver_provider import IndexProvider
    from puv.python.interpreter import Interpreter
    from puv.resolver.universal import SourceScope, UniversalResolution

__all__ = ["FindSourced", "StaticMetadataProvider", "project_indexes", "resolve_workspace"]

#: The direct-source package a resolved (name, origin) is, or None (an index's).
FindSourced = Callable[[str, str | None], SourcedPackage | None]


def project_indexes(
    ctx: Context, cli_indexes: Sequence[str] = (), default_index: str | None = None
) -> IndexList:
    """The index list of a project command: `--default-index`/`--index` and `UV_INDEX_URL` /
    `UV_EXTRA_INDEX_URL`, then `[[tool.uv.index]]`, find-links, `--no-index`, the strategy."""
    from puv.index.indexes import IndexList, IndexStrategy, command_line_indexes

    settings = ctx.settings
    configured = configured_indexes(settings.index)
    indexes = command_line_indexes(
        default_index=default_index,
        index=cli_indexes,
        extra_index_url=settings.extra_index_url,
        index_url=settings.index_url,
        configured=configured,
    )
    return IndexList(
        indexes=(*indexes, *configured),
        find_links=settings.find_links,
        no_index=settings.no_index,
        strategy=IndexStrategy(settings.index_strategy),
    )


def resolve_workspace(
    ctx: Context,
    inputs: LockInputs,
    interpreter: Interpreter,
    preferences: Mapping[str, list[Version]],
    *,
    indexes: IndexList | None = None,
    refresh: Refresh | None = None,
    pins: GitPins | None = None,
    fork_seeds: tuple[str, ...] = (),
) -> tuple[ProjectProvider, UniversalResolution, FindSourced]:
    """Resolve the workspace's members (all extras and groups) for every environment; also
    returns how to find the package of a direct source a resolved package is, by name and
    origin (`pins`: Git commits an existing lock chose; `fork_seeds`: the existing lock's
    forks, to start from)."""
    from puv.operations.exclude_newer import setting_value
    from puv.operations.resolver_provider import ProviderOptions, sdist_metadata_builder
    from puv.resolver.candidates import PythonTarget
    from puv.resolver.forks import PythonRange
    from puv.resolver.resolve import ResolverOptions
    from puv.resolver.universal import UniversalOptions, resolve_universal

    settings = ctx.settings
    indexes = indexes or project_indexes(ctx)
    client = http_client(ctx, indexes, refresh=refresh)
    global_cutoff = setting_value(settings.exclude_newer)
    cutoffs = {
        canonicalize_name(name): setting_value(value)
        for name, value in settings.exclude_newer_package.items()
    }
    finder = RecordingFinder(client, indexes)
    options = ProviderOptions(
        exclude_newer=None if global_cutoff is None else global_cutoff.cutoff,
        no_index=indexes.no_index,
        offline=client.options.offline,
        # registry sdists without reliable static metadata are built for it, as in uv
        build_metadata=sdist_metadata_builder(ctx, interpreter, finder=finder),
    )

    def index_providers(found: RecordingFinder) -> tuple[IndexProvider, dict[str, IndexProvider]]:
        # A package with its own `exclude-newer-package` cutoff is served by a provider of its own.
        pinned: dict[str, IndexProvider] = {}
        for name, cutoff in cutoffs.items():
            own = replace(options, exclude_newer=None if cutoff is None else cutoff.cutoff)
            pinned[name] = _index_provider(ctx, client, found, own)
        return _index_provider(ctx, client, found, options), pinned

    def source_provider(key: str) -> ProjectProvider:
        direct = sourced.packages.get(key)
        if direct is not None:
            release = direct.release
            return StaticMetadataProvider({**local, release.name: release}, *default, static)
        url = index_source_url(key)
        assert url is not None, key
        found = RecordingFinder(client, _only(indexes, url))
        return StaticMetadataProvider(local, *index_providers(found), static)

    locker = SourceLocker(
        ctx, interpreter, inputs.root, inputs.lowering, client=lambda: client, pins=pins
    )
    world = inputs.conflicts.world()
    sourced = locker.collect(inputs.source_requests, inputs.members, world)
    routed = sourced.routed(inputs.registry_names)
    local = {name: member.release for name, member in inputs.members.items()}
    for name, keys in sourced.names.items():
        if name not in routed:
            local[name] = sourced.packages[keys[0]].release
    static = inputs.manifest.dependency_metadata
    default = index_providers(finder)
    provider = StaticMetadataProvider(local, *default, static, source_provider)
    python = PythonRange.from_specifiers(inputs.requires_python)
    installed = Version(interpreter.version)
    resolver = ResolverOptions(
        python=PythonTarget(python.target, installed, "requires-python"),
        resolution=settings.resolution,
        prerelease=(
            "if-necessary"
            if settings.prerelease == "if-necessary-or-explicit"
            else settings.prerelease
        ),
        prerelease_packages=dict(settings.prerelease_package),
        constraints=inputs.constraints,
        overrides=inputs.overrides,
        excludes=inputs.excludes,
        preferences=preferences,
        project=next(iter(inputs.members), None) if len(inputs.members) == 1 else None,
        workspace_members=frozenset(inputs.members),
    )
    universal = UniversalOptions(
        requires_python=inputs.requires_python,
        environments=inputs.environments,
        fork_strategy=settings.fork_strategy,
        resolver=resolver,
        current_environment=interpreter.markers,
        conflicts=inputs.conflicts,
        required_environments=inputs.required_environments,
        fork_seeds=fork_seeds,
        sources=(*inputs.index_sources, *_direct_scopes(sourced, routed)),
    )
    provider.prefetch([r.name for r in inputs.root_requirements])
    resolution = resolve_universal(inputs.root_requirements, provider, universal)
    return provider, resolution, functools.partial(sourced.find, routed=routed)


def _direct_scopes(sourced: SourcedPackages, routed: Collection[str]) -> list[SourceScope]:
    """Where the direct sources of the names routed per environment apply."""
    from puv.resolver.universal import SourceScope

    return [
        SourceScope(name, sourced.scopes[key], key, kind="url", shown=sourced.shown[key])
        for name in sorted(routed)
        for key in sourced.names[name]
    ]


class StaticMetadataProvider(ProjectProvider):
    """A `ProjectProvider` whose packages named in `[[tool.uv.dependency-metadata]]` (other
    than the local ones) have that metadata instead of their own: the entry for the version,
    else the one without a version (uv's `DependencyMetadata::get`)."""

    def __init__(
        self,
        local: Mapping[str, LocalRelease],
        registry: IndexProvider,
        pinned: Mapping[str, IndexProvider],
        static: Sequence[DependencyMetadata],
        sources: Callable[[str], ProjectProvider] | None = None,
    ) -> None:
        super().__init__(local, registry, pinned, sources)
        self.static: dict[str, list[DependencyMetadata]] = {}
        for entry in static:
            self.static.setdefault(entry.name, []).append(entry)

    def metadata(self, name: str, version: Version) -> PackageMetadata | MetadataUnavailable:
        """See `Provider.metadata`."""
        normalized = canonicalize_name(name)
        entries = self.static.get(normalized, ())
        exact = [entry for entry in entries if entry.version == str(version)]
        anyversion = [entry for entry in entries if entry.version is None]
        entry = next(iter((*exact, *anyversion)), None)
        if entry is None or normalized in self.local:
            return super().metadata(name, version)
        return local_metadata(entry.requires_dist, entry.requires_python, entry.provides_extras)


def _index_provider(
    ctx: Context, client: HttpClient, finder: RecordingFinder, options: object
) -> IndexProvider:
    from puv.operations.resolver_provider import IndexProvider, ProviderOptions

    assert isinstance(options, ProviderOptions)
    return IndexProvider(
        client, finder, ctx.cache.bucket("metadata"), ctx.cache.bucket("sdists"), options
    )


def _only(indexes: IndexList, url: str) -> IndexList:
    """The index list searching only the index at `url` (a `{ index = ... }` source)."""
    found: list[Index] = [
        index for index in indexes.indexes if index.url.rstrip("/") == url.rstrip("/")
    ]
    if not found:
        from puv.index.indexes import Index

        found = [Index(url)]
    chosen = replace(found[0], default=True, explicit=False)
    return replace(indexes, indexes=(chosen,), find_links=())
