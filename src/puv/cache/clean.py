"""What `cache clean [PKG...]` and `cache prune [--ci]` remove, and uv's summary line for it.

puv only ever touches its own entries: the `puv-*` buckets (a cache root shared with uv keeps
uv's buckets untouched) and its marker files when the root is puv's alone. The caller holds the
exclusive cache lock (`puv.cache.lock.cache_lock(root, exclusive=True)`) while these run.

A bucket's entries for package `X` (normalized name) are, by convention, the files and
directories named `X` or `X.<ext>` at the bucket's first two levels (`<bucket>/X`,
`<bucket>/<shard>/X.msgpack`), which is how every bucket lays out per-package data.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from msgspec import Struct

from puv.cache.layout import BUCKETS, CacheLayout
from puv.cache.persist import is_temp_entry

MARKER_FILES = frozenset({"CACHEDIR.TAG", ".gitignore", ".lock", ".git"})
PUV_PREFIX = "puv-"


class Removal(Struct, frozen=True):
    """How many files and directories were removed, and the disk space they used."""

    files: int = 0
    dirs: int = 0
    disk_bytes: int = 0

    def __add__(self, other: Removal) -> Removal:
        return Removal(
            self.files + other.files, self.dirs + other.dirs, self.disk_bytes + other.disk_bytes
        )


def remove_tree(path: Path) -> Removal:
    """Remove a file, symlink or directory tree (links are never followed), counting as uv does."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return Removal()
    if not stat.S_ISDIR(info.st_mode):
        path.unlink()
        return Removal(files=1, disk_bytes=_disk_bytes(info))
    total = Removal()
    with os.scandir(path) as entries:
        children = [Path(entry.path) for entry in entries]
    for child in children:
        total += remove_tree(child)
    path.rmdir()
    return total + Removal(dirs=1)


def _disk_bytes(info: os.stat_result) -> int:
    blocks = getattr(info, "st_blocks", None)
    return blocks * 512 if blocks is not None else info.st_size


def _current_bucket_dirs(layout: CacheLayout) -> set[str]:
    return {layout.bucket(name).name for name in BUCKETS}


def _is_puv_entry(name: str) -> bool:
    return name.startswith(PUV_PREFIX)


def _is_shared_with_others(root: Path) -> bool:
    """Whether the root holds entries that are neither puv's nor marker files (e.g. uv's)."""
    return any(
        not _is_puv_entry(entry.name) and entry.name not in MARKER_FILES
        for entry in os.scandir(root)
    )


def clean_all(layout: CacheLayout) -> Removal:
    """Remove every puv entry; the markers too when the root is puv's alone. `.lock` stays."""
    root = layout.root
    if not root.is_dir():
        return Removal()
    keep_markers = _is_shared_with_others(root)
    total = Removal()
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.name == ".lock":
            continue
        if _is_puv_entry(entry.name) or (entry.name in MARKER_FILES and not keep_markers):
            total += remove_tree(Path(entry.path))
    return total


def _package_entries(bucket: Path, package: str) -> Iterable[Path]:
    """Entries named `package` or `package.<ext>` at the first two levels of `bucket`."""

    def matches(name: str) -> bool:
        return name == package or name.partition(".")[0] == package

    if not bucket.is_dir():
        return
    for entry in os.scandir(bucket):
        if matches(entry.name):
            yield Path(entry.path)
        elif entry.is_dir(follow_symlinks=False):
            for inner in os.scandir(entry.path):
                if matches(inner.name):
                    yield Path(inner.path)


def clean_package(layout: CacheLayout, package: str) -> Removal:
    """Remove every bucket's entries for one (normalized) package name."""
    total = Removal()
    for name in sorted(BUCKETS):
        for path in sorted(_package_entries(layout.bucket(name), package)):
            total += remove_tree(path)
    return total


def _children(path: Path) -> list[Path]:
    if not path.is_dir():
        return []
    return sorted(Path(entry.path) for entry in os.scandir(path))


def prune(
    layout: CacheLayout,
    *,
    ci: bool = False,
    archive_in_use: Callable[[Path], bool] | None = None,
) -> Removal:
    """Remove what no puv version will read again.

    - `puv-*` buckets of other versions (e.g. `puv-simple-v0`) and leftover `.tmp*` staging
      files in the root and the buckets;
    - every cached ephemeral environment;
    - with `ci`: downloaded and unpacked pre-built wheels (`wheels`, `archive`) and unpacked
      sources, keeping the wheels built from sdists (`*.whl` and `metadata.*` in `sdists`);
    - archives for which `archive_in_use(path)` is false, when the installer supplies it.
    """
    root = layout.root
    if not root.is_dir():
        return Removal()
    current = _current_bucket_dirs(layout)
    total = Removal()
    for path in _children(root):
        stale_bucket = _is_puv_entry(path.name) and path.name not in current
        if stale_bucket or is_temp_entry(path):
            total += remove_tree(path)
    for name in sorted(BUCKETS):
        for path in _children(layout.bucket(name)):
            if is_temp_entry(path):
                total += remove_tree(path)
    for path in _children(layout.bucket("environments")):
        total += remove_tree(path)
    if ci:
        for bucket in ("wheels", "archive"):
            for path in _children(layout.bucket(bucket)):
                total += remove_tree(path)
        total += _prune_built_sources(layout.bucket("sdists"))
    if archive_in_use is not None:
        for path in _children(layout.bucket("archive")):
            if not archive_in_use(path):
                total += remove_tree(path)
    return total


def _prune_built_sources(sdists: Path) -> Removal:
    """In every directory holding built wheels, remove all but the wheels and their metadata."""
    total = Removal()
    if not sdists.is_dir():
        return total
    for dirpath, dirnames, filenames in os.walk(sdists):
        if not any(name.startswith("metadata.") for name in filenames):
            continue
        for name in sorted(dirnames):
            total += remove_tree(Path(dirpath, name))
        dirnames.clear()
        for name in sorted(filenames):
            if not name.endswith(".whl") and not name.startswith("metadata."):
                total += remove_tree(Path(dirpath, name))
    return total


def human_readable_bytes(count: int) -> str:
    """uv's size format: `512B`, `28.0KiB`, `1.9MiB`."""
    if count < 1024:
        return f"{count}B"
    quantity = float(count)
    unit = "B"
    for next_unit in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if 1024.0 - quantity > 0.05:
            break
        quantity /= 1024.0
        unit = next_unit
    return f"{quantity:.1f}{unit}"


def summary_line(removal: Removal, *, nothing: str) -> str:
    """uv's closing line: `Removed 3 files (12.0KiB)`, `Removed 1 directory (0B)` or `nothing`.

    `nothing` is `No cache entries found` for clean and `No unused entries found` for prune.
    """
    if removal.files == 0 and removal.dirs == 0:
        return nothing
    if removal.files == 0:
        counted = (
            "Removed 1 directory" if removal.dirs == 1 else f"Removed {removal.dirs} directories"
        )
    else:
        counted = "Removed 1 file" if removal.files == 1 else f"Removed {removal.files} files"
    return f"{counted} ({human_readable_bytes(removal.disk_bytes)})"
