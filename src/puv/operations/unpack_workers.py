"""Unpack wheels into the cache, in worker processes when there are enough of them.

Unpacking (inflate, hash, write) is CPU-bound and much of it runs under the GIL, so threads do not
spread it over several cores, and many unpacking threads slow each other down. With many wheels
to unpack, `Unpacker` starts a few worker processes of the running Python and hands them jobs as
JSON lines on their stdin (`serve` is their loop); the main process meanwhile keeps downloading.
With few wheels, or one core, it unpacks in the calling thread, a few at a time.

A worker reports an error as its message, causes and hint, and the error is raised again here.
Workers stop when their stdin closes, which includes the death of the main process; each unpack
is atomic in the cache, so a worker stopped at any point leaves at most a `.tmp*` directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from puv.cache.layout import CacheLayout
from puv.core.errors import PuvError
from puv.core.hashes import HashDigest
from puv.core.wheel_filename import WheelFilename
from puv.install.archive import UnpackedWheel, unpack_wheel

# Ctrl-C is the main process's business: it stops the workers by closing their stdin.
_SERVE = (
    "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "from puv.operations.unpack_workers import serve; serve()"
)


class Unpacker:
    """Unpacks wheels into `cache`: in up to `processes` worker processes, or (0) in the calling
    thread with at most `threads` at a time."""

    def __init__(self, cache: CacheLayout, *, processes: int = 0, threads: int = 1) -> None:
        self.cache = cache
        self.processes = processes
        self._inline = threading.Semaphore(max(1, threads))
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()

    def __enter__(self) -> Unpacker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def unpack(
        self, path: Path, wheel: WheelFilename, expected: Sequence[HashDigest] = ()
    ) -> UnpackedWheel:
        """Validate and unpack the wheel at `path` (checking `expected` digests), as
        `puv.install.archive.unpack_wheel` does."""
        if self.processes <= 0:
            with self._inline:
                return unpack_wheel(path, wheel, self.cache, expected_hashes=expected)
        worker = self._acquire()
        job = {
            "path": os.fspath(path),
            "filename": wheel.filename,
            "cache": os.fspath(self.cache.root),
            "expected": [str(digest) for digest in expected],
        }
        try:
            reply = worker.call(job)
        except BaseException:
            self._discard(worker)
            raise
        self._idle.put(worker)
        if "error" in reply:
            error = reply["error"]
            raise PuvError(
                error["message"],
                causes=error["causes"],
                hint=error["hint"],
                exit_code=error["exit_code"],
            )
        return _decode(reply["unpacked"])

    def close(self) -> None:
        """Stop the workers (they finish the job at hand first)."""
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.stop()

    def _discard(self, worker: _Worker) -> None:
        """Forget a worker whose state is unknown (a new one is started when needed)."""
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
        worker.process.kill()
        worker.stop()

    def _acquire(self) -> _Worker:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if len(self._workers) < self.processes:
                worker = _Worker()
                self._workers.append(worker)
                return worker
        return self._idle.get()


class _Worker:
    """One worker process, used by one thread at a time."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def call(self, job: dict[str, Any]) -> dict[str, Any]:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(json.dumps(job) + "\n")
            stdin.flush()
            line = stdout.readline()
        except OSError as err:
            line = ""
            reason = str(err)
        else:
            reason = f"exit status {self.process.poll()}"
        if not line:
            raise PuvError(
                f"Failed to extract archive: {os.path.basename(job['path'])}",
                causes=[f"The unpacking worker stopped ({reason})"],
            )
        reply: dict[str, Any] = json.loads(line)
        return reply

    def stop(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):  # it died with unflushed input
                self.process.stdin.close()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def _encode(unpacked: UnpackedWheel) -> dict[str, Any]:
    return {
        "path": os.fspath(unpacked.path),
        "filename": unpacked.filename.filename,
        "dist_info": unpacked.dist_info,
        "hashes": [str(digest) for digest in unpacked.hashes],
        "size": unpacked.size,
        "warnings": list(unpacked.warnings),
    }


def _decode(data: dict[str, Any]) -> UnpackedWheel:
    return UnpackedWheel(
        path=Path(data["path"]),
        filename=WheelFilename.parse(data["filename"]),
        dist_info=data["dist_info"],
        hashes=tuple(HashDigest.parse(text) for text in data["hashes"]),
        size=data["size"],
        warnings=tuple(data["warnings"]),
    )


def serve(stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> None:
    """A worker's loop: one JSON job per line in, one JSON reply per line out, until EOF."""
    reader = stdin or sys.stdin
    writer = stdout or sys.stdout
    for line in reader:
        job = json.loads(line)
        try:
            unpacked = unpack_wheel(
                Path(job["path"]),
                WheelFilename.parse(job["filename"]),
                CacheLayout(Path(job["cache"])),
                expected_hashes=[HashDigest.parse(text) for text in job["expected"]],
            )
            reply: dict[str, Any] = {"unpacked": _encode(unpacked)}
        except PuvError as err:
            reply = {"error": _error(err.message, err.causes, err.hint, err.exit_code)}
        except Exception as err:  # a bug: report it rather than hang the parent
            reply = {"error": _error(f"{type(err).__name__}: {err}", (), None, 2)}
        writer.write(json.dumps(reply) + "\n")
        writer.flush()


def _error(message: str, causes: Sequence[str], hint: str | None, exit_code: int) -> dict[str, Any]:
    return {"message": message, "causes": list(causes), "hint": hint, "exit_code": exit_code}
