"""Shared and exclusive file locks with a timeout, as uv takes them.

Every puv process holds a *shared* lock on `<cache>/.lock` while it uses the cache; `cache clean`
and `cache prune` take it *exclusive*, so they wait for (or are waited on by) everyone else. The
locks are `flock(2)` locks: the kernel drops them when the process dies, so a lock file left by a
killed process never blocks anyone. On Windows (no `fcntl`), `msvcrt` gives exclusive locks only.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType

from puv.core.env import env_value
from puv.core.errors import PuvError

DEFAULT_LOCK_TIMEOUT = 300.0


class LockTimeout(PuvError):
    """Waited `UV_LOCK_TIMEOUT` seconds for a lock another process holds."""

    def __init__(self, resource: str, path: Path, timeout: float) -> None:
        super().__init__(
            f"Timeout ({int(timeout)}s) when waiting for lock on `{resource}` at `{path}`, "
            "is another puv process running? You can set `UV_LOCK_TIMEOUT` to increase the timeout."
        )
        self.resource = resource
        self.path = path


def lock_timeout_from_env(environ: Mapping[str, str]) -> float:
    """`UV_LOCK_TIMEOUT` in seconds (a non-negative integer), else the 300 s default.

    Like uv, an unparsable value falls back to the default rather than failing.
    """
    raw = env_value("UV_LOCK_TIMEOUT", environ)
    if raw is not None and raw.strip().isdigit():
        return float(int(raw.strip()))
    return DEFAULT_LOCK_TIMEOUT


class LockedFile:
    """A held lock on a file; release it with `release()` or by leaving a `with` block."""

    def __init__(self, fd: int, path: Path, shared: bool) -> None:
        self._fd: int | None = fd
        self.path = path
        self.shared = shared

    def release(self) -> None:
        """Drop the lock and close the file (idempotent)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            _unlock(fd)
            os.close(fd)

    def __enter__(self) -> LockedFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def try_lock(path: Path, *, shared: bool) -> LockedFile | None:
    """Take the lock at once, or return None if another holder prevents it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if _try_lock_fd(fd, shared):
            return LockedFile(fd, path, shared)
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return None


def lock(
    path: Path,
    *,
    shared: bool,
    resource: str,
    timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_wait: Callable[[], None] | None = None,
) -> LockedFile:
    """Take the lock, waiting at most `timeout` seconds; `on_wait` is called once if we must wait.

    Raises `LockTimeout` (uv's message, naming `resource` and `path`) when the wait runs out.
    """
    held = try_lock(path, shared=shared)
    if held is not None:
        return held
    if on_wait is not None:
        on_wait()
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LockTimeout(resource, path, timeout)
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, 0.05)
        held = try_lock(path, shared=shared)
        if held is not None:
            return held


def cache_lock(
    root: Path,
    *,
    exclusive: bool = False,
    timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_wait: Callable[[], None] | None = None,
) -> LockedFile:
    """The lock on `<root>/.lock`: shared for normal use, exclusive for clean and prune."""
    return lock(
        root / ".lock", shared=not exclusive, resource=str(root), timeout=timeout, on_wait=on_wait
    )


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock_fd(fd: int, shared: bool) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock_fd(fd: int, shared: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
