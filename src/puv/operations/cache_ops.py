"""`cache clean` and `cache prune`: take the exclusive cache lock, remove, and report as uv does.

`cache prune` keeps an unpacked wheel (`archive` bucket) while something still uses it: a pointer
of the by-hash wheel index, or a cached build environment (`builds` bucket) whose files are hard
links to it. Removing such an archive would free nothing (the environment's links keep the data)
and the summary would count space that was not freed. With `--ci`, where every pre-built wheel
goes, the build environments made from them go too.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from puv.cache.clean import Removal, clean_all, clean_package, prune, remove_tree, summary_line
from puv.cache.layout import CacheLayout
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
        removal = Removal()
        if ci:
            for environment in _entries(ctx.cache.bucket("builds")):
                removal += remove_tree(environment)
        removal += prune(ctx.cache, ci=ci, archive_in_use=archives_in_use(ctx.cache))
    ctx.printer.status(summary_line(removal, nothing="No unused entries found"))


def archives_in_use(layout: CacheLayout) -> Callable[[Path], bool]:
    """Whether an archive directory is still used: named by a wheel pointer, or hard-linked
    from a build environment (any of its files shares an inode with one of theirs)."""
    from puv.operations.wheel_cache import WheelCache

    referenced = WheelCache(layout).referenced_archives()
    linked: set[tuple[int, int]] | None = None

    def in_use(archive: Path) -> bool:
        nonlocal linked
        if archive.name in referenced:
            return True
        if linked is None:  # only read when some archive is not referenced
            linked = _hard_linked_files(layout.bucket("builds"))
        return not linked.isdisjoint(_hard_linked_files(archive))

    return in_use


def _hard_linked_files(directory: Path) -> set[tuple[int, int]]:
    """(device, inode) of every file under `directory` that has other hard links."""
    keys = set()
    for root, _dirs, files in os.walk(directory):
        for name in files:
            try:
                info = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            if info.st_nlink > 1:
                keys.add((info.st_dev, info.st_ino))
    return keys


def _entries(directory: Path) -> list[Path]:
    try:
        return sorted(Path(entry.path) for entry in os.scandir(directory))
    except FileNotFoundError:
        return []
