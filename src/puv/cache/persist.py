"""Atomic writes into the cache: stage in a temp file or dir beside the target, then rename.

A reader never sees a half-written entry, and a process killed mid-write leaves only a `.tmp*`
file or dir that `cache prune` removes. Temp names start with `.tmp`, as uv's do.
"""

from __future__ import annotations

import functools
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

TEMP_PREFIX = ".tmp"


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, creating parent directories as needed.

    A path that exists and is not a regular file (`/dev/null`, a FIFO, `/dev/stdout`) is written
    through instead: renaming over it would replace the device itself.
    """
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        special = False
    if special:
        with open(path, "wb") as handle:
            handle.write(data)
        return
    with open_atomic(path) as handle:
        handle.write(data)


@contextmanager
def open_atomic(path: Path) -> Iterator[BinaryIO]:
    """A binary file that appears at `path` only when the block exits without an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The permissions the replacement of `path` gets: those of the file it replaces, else what
    `open()` would give a new file (0o666 minus the umask), not `mkstemp`'s 0o600."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


@functools.cache
def _umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux `/proc`)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def temp_dir_in(parent: Path) -> Path:
    """A fresh staging directory inside `parent` (same filesystem as its final place)."""
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=parent))


def persist_dir(staging: Path, target: Path) -> bool:
    """Move a staged directory to `target`; False (and `staging` removed) if another won the race.

    Entries are immutable once persisted, so when `target` already exists the existing one is kept.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(staging, target)
    except OSError:
        if not target.exists():
            shutil.rmtree(staging, ignore_errors=True)
            raise
        shutil.rmtree(staging, ignore_errors=True)
        return False
    return True


def is_temp_entry(path: Path) -> bool:
    """Whether `path` is a staging file or dir left behind by an interrupted write."""
    return path.name.startswith(TEMP_PREFIX)
