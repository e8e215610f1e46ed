"""The index list and HTTP client every networked operation builds from the context's settings."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from msgspec.structs import replace

from puv.operations.context import Context

if TYPE_CHECKING:
    from puv.cache.http_cache import Refresh
    from puv.index.client import HttpClient
    from puv.index.indexes import Index, IndexList
    from puv.project.settings import IndexConfig


def configured_indexes(configs: Iterable[IndexConfig]) -> list[Index]:
    """`[[tool.uv.index]]` entries of the settings as the index client's `Index` values."""
    from pathlib import Path

    from puv.index.indexes import Index

    return [
        Index(
            config.url if "://" in config.url else Path(config.url).as_uri(),
            config.name,
            config.default,
            config.explicit,
            config.format,
            frozenset(config.ignore_error_codes or ()),
            config.relative,
        )
        for config in configs
    ]


def http_client(ctx: Context, indexes: IndexList, *, refresh: Refresh | None = None) -> HttpClient:
    """A client for `indexes`: uv's network variables, then the settings (offline, concurrency,
    insecure hosts); simple pages cached in the `simple` bucket. Nothing connects before the first
    request."""
    from puv.cache.http_cache import HttpCache
    from puv.index.client import ClientOptions, HttpClient

    settings = ctx.settings
    named = [(index.name, index.url) for index in indexes.indexes if index.name]
    options = ClientOptions.from_env(os.environ, indexes=named)
    options = replace(
        options,
        offline=options.offline or ctx.offline,
        concurrency=settings.concurrent_downloads,
        insecure_hosts=(*options.insecure_hosts, *settings.allow_insecure_host),
    )
    return HttpClient(
        options,
        cache=HttpCache(ctx.cache.bucket("simple")),
        refresh=refresh,
        warn=ctx.printer.warn,
        debug=ctx.printer.debug,
    )
