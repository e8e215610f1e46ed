"""Shared/exclusive cache locks with uv's timeout message, across threads and processes."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from puv.cache.lock import (
    DEFAULT_LOCK_TIMEOUT,
    LockedFile,
    LockTimeout,
    cache_lock,
    lock,
    lock_timeout_from_env,
    try_lock,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock semantics")

HOLDER = """
import sys
from pathlib import Path
from puv.cache.lock import lock
held = lock(Path(sys.argv[1]), shared=sys.argv[2] == "shared", resource="r", timeout=0)
print("locked", flush=True)
sys.stdin.readline()
"""


@contextmanager
def held_by_another_process(path: Path, mode: str) -> Iterator[subprocess.Popen[str]]:
    """A child process holding the lock until the block exits."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        yield child
    finally:
        if child.poll() is None:
            assert child.stdin is not None
            child.stdin.write("\n")
            child.stdin.flush()
        child.wait(timeout=30)


def test_timeout_message_is_uvs(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    with held_by_another_process(root / ".lock", "exclusive"), pytest.raises(LockTimeout) as caught:
        cache_lock(root, timeout=0)
    assert caught.value.message == (
        f"Timeout (0s) when waiting for lock on `{root}` at `{root / '.lock'}`, is another puv "
        "process running? You can set `UV_LOCK_TIMEOUT` to increase the timeout."
    )


def test_shared_locks_coexist_and_block_exclusive(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    with held_by_another_process(path, "shared"):
        with lock(path, shared=True, resource="r", timeout=0) as mine:
            assert isinstance(mine, LockedFile)
        assert try_lock(path, shared=False) is None
    exclusive = try_lock(path, shared=False)
    assert exclusive is not None
    exclusive.release()


def test_exclusive_blocks_shared(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    with held_by_another_process(path, "exclusive"):
        assert try_lock(path, shared=True) is None
    held = try_lock(path, shared=True)
    assert held is not None
    held.release()


def test_waiter_gets_the_lock_when_the_holder_lets_go(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    waiting = threading.Event()
    acquired: list[LockedFile] = []
    with held_by_another_process(path, "shared") as holder:
        worker = threading.Thread(
            target=lambda: acquired.append(
                lock(path, shared=False, resource="r", timeout=60, on_wait=waiting.set)
            )
        )
        worker.start()
        assert waiting.wait(timeout=30)
        assert not acquired
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        worker.join(timeout=30)
    assert len(acquired) == 1
    acquired[0].release()


def test_a_dead_holder_never_blocks(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    with held_by_another_process(path, "exclusive") as holder:
        holder.kill()
        holder.wait(timeout=30)
        # The lock file is still there, but the kernel dropped the flock with the process.
        assert path.exists()
        held = lock(path, shared=False, resource="r", timeout=30)
    held.release()


def test_within_one_process_separate_opens_conflict(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    first = try_lock(path, shared=False)
    assert first is not None
    assert try_lock(path, shared=True) is None
    first.release()
    first.release()  # idempotent
    again = try_lock(path, shared=True)
    assert again is not None
    again.release()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, DEFAULT_LOCK_TIMEOUT),
        ({"UV_LOCK_TIMEOUT": "5"}, 5.0),
        ({"UV_LOCK_TIMEOUT": "5", "PUV_LOCK_TIMEOUT": "7"}, 7.0),
        ({"UV_LOCK_TIMEOUT": "soon"}, DEFAULT_LOCK_TIMEOUT),  # uv warns and keeps the default
    ],
)
def test_lock_timeout_from_env(env: dict[str, str], expected: float) -> None:
    assert lock_timeout_from_env(env) == expected
