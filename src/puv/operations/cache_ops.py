"""`cache clean` and `cache prune`: take the exclusive cache lock, remove, and report as uv does."""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext

from puv.cache.clean import Removal, clean_all, clean_package, prune, summary_line
from puv.cache.lock import cache_lock, lock_timeout_from_env
from puv.core.paths import user_display
from puv.operations.context import Context

_WAITING = (
    "Cache is currently in-use, waiting for other puv processes to finish "
    "(use `--force` to override)"
)


def _locked(ctx: Context, force: bool) -> AbstractContextManager[object]:
    """The exclusive lock on the cache root (waiting up to `UV_LOCK_TIMEOUT`); none with `--force`."""
    if force:
        return nullcontext()
    timeout = lock_timeout_from_env(os.environ)
    return cache_lock(
        ctx.cache.root,
        exclusive=True,
        timeout=timeout,
        on_wait=lambda: ctx.printer.status(_WAITING),
    )


def cache_clean(ctx: Context, packages: Sequence[str], *, force: bool = False) -> None:
    """Remove every puv entry of the cache, or only those of `packages`."""
    display = user_display(ctx.cache.root, ctx.cwd)
    if not ctx.cache.root.exists():
        ctx.printer.status(f"No cache found at: {display}")
        return
    with _locked(ctx, force):
        if packages:
            removal = Removal()
            for package in packages:
                removal = removal + clean_package(ctx.cache, package)
        else:
            ctx.printer.status(f"Clearing cache at: {display}")
            removal = clean_all(ctx.cache)
    ctx.printer.status(summary_line(removal, nothing="No cache entries found"))


def cache_prune(ctx: Context, *, ci: bool = False, force: bool = False) -> None:
    """Remove unused entries (and, with `ci`, everything but wheels built from source)."""
    display = user_display(ctx.cache.root, ctx.cwd)
    if not ctx.cache.root.exists():
        ctx.printer.status(f"No cache found at: {display}")
        return
    with _locked(ctx, force):
        ctx.printer.status(f"Pruning cache at: {display}")
        removal = prune(ctx.cache, ci=ci)
    ctx.printer.status(summary_line(removal, nothing="No unused entries found"))
