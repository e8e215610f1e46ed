"""The universal resolution behind a lock: indexes from the settings, the project provider, and
the resolver run for every environment the workspace supports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from packaging.version import Version

from puv.operations.context import Context
from puv.operations.lock_inputs import LockInputs
from puv.operations.lock_sources import GitPins, SourcedPackage, SourceLocker
from puv.operations.network import configured_indexes, http_client
from puv.operations.project_provider import ProjectProvider, RecordingFinder

if TYPE_CHECKING:
    from puv.cache.http_cache import Refresh
    from puv.index.client import HttpClient
    from puv.index.indexes import Index, IndexList
    from puv.operations.resolver_provider import IndexProvider
    from puv.python.interpreter import Interpreter
    from puv.resolver.universal import UniversalResolution

__all__ = ["project_indexes", "resolve_workspace"]


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
) -> tuple[ProjectProvider, UniversalResolution, Mapping[str, SourcedPackage]]:
    """Resolve the workspace's members (all extras and groups) for every environment; also
    returns the packages of direct sources (`pins`: Git commits an existing lock chose)."""
    from puv.operations.exclude_newer import exclude_newer_cutoff
    from puv.operations.resolver_provider import ProviderOptions
    from puv.resolver.candidates import PythonTarget
    from puv.resolver.forks import PythonRange
    from puv.resolver.resolve import ResolverOptions
    from puv.resolver.universal import UniversalOptions, resolve_universal

    settings = ctx.settings
    indexes = indexes or project_indexes(ctx)
    # HTTP/1.1: httpcore's HTTP/2 connection is not safe under the client's thread pool.
    client = http_client(ctx, indexes, http2=False, refresh=refresh)
    exclude_newer = settings.exclude_newer
    cutoff = exclude_newer_cutoff(exclude_newer) if isinstance(exclude_newer, str) else None
    options = ProviderOptions(
        exclude_newer=cutoff, no_index=indexes.no_index, offline=client.options.offline
    )
    registry = _index_provider(ctx, client, RecordingFinder(client, indexes), options)
    pinned = {
        name: _index_provider(ctx, client, RecordingFinder(client, _only(indexes, url)), options)
        for name, url in inputs.index_pins.items()
    }
    locker = SourceLocker(
        ctx, interpreter, inputs.root, inputs.lowering, client=lambda: client, pins=pins
    )
    sourced = locker.collect(inputs.source_requests, inputs.members)
    local = {name: member.release for name, member in inputs.members.items()}
    local.update((name, package.release) for name, package in sourced.items())
    provider = ProjectProvider(local, registry, pinned)
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
    )
    provider.prefetch([r.name for r in inputs.root_requirements])
    resolution = resolve_universal(inputs.root_requirements, provider, universal)
    return provider, resolution, sourced


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
    from dataclasses import replace

    found: list[Index] = [
        index for index in indexes.indexes if index.url.rstrip("/") == url.rstrip("/")
    ]
    if not found:
        from puv.index.indexes import Index

        found = [Index(url)]
    chosen = replace(found[0], default=True, explicit=False)
    return replace(indexes, indexes=(chosen,), find_links=())
