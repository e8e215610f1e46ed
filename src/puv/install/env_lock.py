"""The per-environment lock: `<venv>/.lock`, exclusive, held while an environment is modified.

It is the same `flock(2)` lock uv takes on the same file, so puv and uv also exclude each other.
The kernel drops it when the holder dies, so a lock file left by a killed process never blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from puv.cache.lock import DEFAULT_LOCK_TIMEOUT, LockedFile, lock


def lock_environment(
    prefix: Path,
    *,
    timeout: float = DEFAULT_LOCK_TIMEOUT,
    resource: str | None = None,
    on_wait: Callable[[], None] | None = None,
) -> LockedFile:
    """Take the exclusive lock on `<prefix>/.lock`, waiting at most `timeout` seconds.

    `resource` names the environment in the timeout error (uv shows the prefix as the user
    would type it; default: the prefix as given). Use the result as a context manager.
    Raises `puv.cache.lock.LockTimeout` with uv's message when the wait runs out.
    """
    return lock(
        prefix / ".lock",
        shared=False,
        resource=resource if resource is not None else str(prefix),
        timeout=timeout,
        on_wait=on_wait,
    )
