"""Run the probe script inside an interpreter and cache what it reports.

One subprocess per interpreter: `python -I -B _probe_script.py` prints the facts as JSON. Results
are cached in the `interpreter` bucket, one JSON file per executable path, and reused while the
resolved executable keeps its mtime and size. An executable that is not the file the interpreter
reports as `sys.executable` (a wrapper script) is not cached that way: what it runs can change
without the file changing.

pyenv shims are the exception, because running one costs a bash process and pyenv's version
lookup (~0.1 s each, and discovery may meet several, some of them exiting 127 for a version that
is not selected). What a shim runs is decided by inputs we can check without running it:
`PYENV_VERSION`, `PYENV_DIR`, the nearest `.python-version` upward from the working directory
(else `$PYENV_ROOT/version`), the set of installed versions (`$PYENV_ROOT/versions`), pyenv
itself, `PATH` (for the `system` version) and the shim. Its answer — the facts, or the failure —
is cached under a stamp of all of those, and a cached answer whose interpreter changed since is
probed again.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from puv.cache.layout import CacheLayout
from puv.core.errors import PuvError
from puv.python.interpreter import Interpreter

PROBE_SCRIPT = Path(__file__).with_name("_probe_script.py")
_SHIM_HEAD = 4096
# pyenv's shim: `exec "<root>/libexec/pyenv" exec "$program" "$@"`, after `export PYENV_ROOT=...`
_PYENV_EXEC = re.compile(rb'exec "([^"]+/libexec/pyenv)" exec ')
_PYENV_ROOT = re.compile(rb'export PYENV_ROOT="([^"]+)"')

# CPython's builtin SHA-256 names the cache entries: `hashlib` would load OpenSSL (milliseconds at
# every start) for one short digest. The digest is the same; other interpreters use `hashlib`.
try:
    if sys.version_info >= (3, 12):
        from _sha2 import sha256
    else:
        from _sha256 import sha256
except ImportError:
    from hashlib import sha256


class InterpreterProbeError(PuvError):
    """The interpreter at `path` could not be run or gave an unusable answer.

    `kind` is one of `not_found`, `permission_denied`, `spawn_failed`, `status`, `bad_output`.
    Only `spawn_failed` is `critical` (uv stops discovery on it); the others mean "skip this one".
    """

    def __init__(self, path: Path, kind: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.kind = kind

    @property
    def critical(self) -> bool:
        """Whether discovery should stop instead of trying the next candidate."""
        return self.kind == "spawn_failed"


def probe_interpreter(path: Path, cache: CacheLayout | None) -> Interpreter:
    """The facts of the interpreter at `path`, from the cache when the executable is unchanged.

    Raises `InterpreterProbeError` when the interpreter cannot be run or answers badly.
    """
    absolute = Path(os.path.abspath(path))
    try:
        canonical = absolute.resolve(strict=True)
        stat = canonical.stat()
    except (OSError, RuntimeError) as exc:
        raise InterpreterProbeError(
            path, "not_found", f"Python interpreter not found at `{path}`"
        ) from exc
    if cache is None:
        return interpreter_from_facts(absolute, _run_probe(absolute))
    stamp = {"mtime_ns": stat.st_mtime_ns, "size": stat.st_size}
    entry = _cache_entry(cache, absolute, canonical)
    cached = _read_cached(entry, absolute, canonical, stamp)
    if cached is not None:
        return interpreter_from_facts(absolute, cached)
    shim = pyenv_shim_stamp(canonical, os.environ, Path.cwd())
    shim_entry = entry.with_suffix(".shim.json")
    if shim is not None:
        answer = _read_shim_answer(shim_entry, absolute, shim)
        if isinstance(answer, InterpreterProbeError):
            raise answer
        if answer is not None:
            return interpreter_from_facts(absolute, answer)
    try:
        facts = _run_probe(absolute)
    except InterpreterProbeError as exc:
        if shim is not None and exc.kind == "status":
            failure = {"kind": exc.kind, "message": exc.message}
            _write_shim_answer(cache, shim_entry, absolute, shim, {"failure": failure})
        raise
    if _same_file(absolute, facts.get("sys_executable")):
        record = {"path": str(absolute), "canonical": str(canonical), **stamp, "facts": facts}
        _write_atomic(cache, entry, json.dumps(record, sort_keys=True))
    elif shim is not None:
        target = _file_stamp(Path(str(facts.get("sys_executable", ""))))
        _write_shim_answer(cache, shim_entry, absolute, shim, {"facts": facts, "target": target})
    return interpreter_from_facts(absolute, facts)


def pyenv_shim_stamp(path: Path, environ: Mapping[str, str], cwd: Path) -> dict[str, object] | None:
    """Everything that decides what the pyenv shim at `path` runs (see the module docstring),
    as JSON-able data; None when `path` is not a pyenv shim."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_SHIM_HEAD)
    except OSError:
        return None
    launcher = _PYENV_EXEC.search(head) if head.startswith(b"#!") else None
    if launcher is None:
        return None
    root_match = _PYENV_ROOT.search(head)
    root = Path(os.fsdecode(root_match[1])) if root_match else path.parent.parent
    start = Path(environ.get("PYENV_DIR") or cwd)
    version_file = next(
        (
            d / ".python-version"
            for d in (start, *start.parents)
            if (d / ".python-version").is_file()
        ),
        root / "version",
    )
    return {
        "shim": [str(path), _file_stamp(path)],
        "pyenv": _file_stamp(Path(os.fsdecode(launcher[1]))),
        "versions": _file_stamp(root / "versions"),
        "version_file": [str(version_file), _file_stamp(version_file)],
        "PYENV_VERSION": environ.get("PYENV_VERSION"),
        "PYENV_DIR": environ.get("PYENV_DIR"),
        "PATH": environ.get("PATH"),
    }


def _file_stamp(path: Path) -> list[int] | None:
    """[mtime_ns, size] of `path` (a directory's mtime changes when entries come or go)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_mtime_ns, stat.st_size]


def _read_shim_answer(
    entry: Path, path: Path, shim: dict[str, object]
) -> dict[str, Any] | InterpreterProbeError | None:
    """The cached answer of a shim: its facts, the error it gave, or None when not cached under
    this stamp or when the interpreter it ran has changed since."""
    try:
        record = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("stamp") != shim:
        return None
    failure = record.get("failure")
    if isinstance(failure, dict):
        return InterpreterProbeError(path, str(failure.get("kind")), str(failure.get("message")))
    facts = record.get("facts")
    if not isinstance(facts, dict):
        return None
    target = Path(str(facts.get("sys_executable", "")))
    return facts if record.get("target") == _file_stamp(target) else None


def _write_shim_answer(
    cache: CacheLayout, entry: Path, path: Path, shim: dict[str, object], answer: dict[str, Any]
) -> None:
    record = {"path": str(path), "stamp": shim, **answer}
    _write_atomic(cache, entry, json.dumps(record, sort_keys=True))


def interpreter_from_facts(path: Path, facts: dict[str, Any]) -> Interpreter:
    """Build the `Interpreter` value from the probe's JSON object."""
    major, minor, micro, level, serial = facts["version_info"]
    libc_version = facts.get("libc_version")
    macos_version = facts.get("macos_version")
    return Interpreter(
        path=path,
        sys_executable=Path(facts["sys_executable"]),
        base_executable=Path(os.path.abspath(facts["base_executable"])),
        implementation=facts["implementation"],
        version=facts["version"],
        version_info=(int(major), int(minor), int(micro), str(level), int(serial)),
        prefix=Path(facts["prefix"]),
        base_prefix=Path(facts["base_prefix"]),
        base_exec_prefix=Path(facts["base_exec_prefix"]),
        pointer_size=int(facts["pointer_size"]),
        gil_disabled=bool(facts["gil_disabled"]),
        markers=dict(facts["markers"]),
        sysconfig_paths=dict(facts["sysconfig_paths"]),
        platform_tag=facts["platform_tag"],
        os=facts["os"],
        arch=facts["arch"],
        libc=facts["libc"],
        libc_version=(int(libc_version[0]), int(libc_version[1])) if libc_version else None,
        soabi=facts.get("soabi"),
        abiflags=facts.get("abiflags") or "",
        stdlib=facts.get("stdlib") or "",
        debug_enabled=bool(facts.get("debug_enabled")),
        manylinux_compatible=bool(facts.get("manylinux_compatible")),
        macos_version=(int(macos_version[0]), int(macos_version[1])) if macos_version else None,
        ext_suffix=facts.get("ext_suffix") or "",
        venv_paths=dict(facts.get("venv_paths") or {}),
    )


def _run_probe(path: Path) -> dict[str, Any]:
    import subprocess

    env = None
    if sys.platform == "darwin":  # report the real macOS version, not the 10.16 compat shim
        env = {**os.environ, "SYSTEM_VERSION_COMPAT": "0"}
    try:
        proc = subprocess.run(
            [str(path), "-I", "-B", str(PROBE_SCRIPT)],
            capture_output=True,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError as exc:
        raise InterpreterProbeError(
            path, "not_found", f"Python interpreter not found at `{path}`"
        ) from exc
    except PermissionError as exc:
        raise InterpreterProbeError(
            path, "permission_denied", f"Failed to query Python interpreter at `{path}`: {exc}"
        ) from exc
    except OSError as exc:
        raise InterpreterProbeError(
            path, "spawn_failed", f"Failed to query Python interpreter at `{path}`: {exc}"
        ) from exc
    stderr = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        message = f"Querying Python at `{path}` failed with exit status {proc.returncode}"
        if stderr:
            message += f"\n\n[stderr]\n{stderr}"
        raise InterpreterProbeError(path, "status", message)
    try:
        facts = json.loads(proc.stdout)
        if not isinstance(facts, dict) or facts.get("result") != "success":
            raise ValueError("no success result")
    except ValueError as exc:
        stdout = proc.stdout.decode("utf-8", "replace").strip()
        raise InterpreterProbeError(
            path,
            "bad_output",
            f"Querying Python at `{path}` did not return the expected data\n\n"
            f"[stdout]\n{stdout}\n\n[stderr]\n{stderr}",
        ) from exc
    return facts


def _cache_entry(cache: CacheLayout, absolute: Path, canonical: Path) -> Path:
    digest = sha256(f"{absolute}\0{canonical}".encode()).hexdigest()[:32]
    return cache.bucket("interpreter") / f"{digest}.json"


def _read_cached(
    entry: Path, absolute: Path, canonical: Path, stamp: dict[str, int]
) -> dict[str, Any] | None:
    try:
        record = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    fresh = (
        record.get("path") == str(absolute)
        and record.get("canonical") == str(canonical)
        and record.get("mtime_ns") == stamp["mtime_ns"]
        and record.get("size") == stamp["size"]
    )
    facts = record.get("facts")
    return facts if fresh and isinstance(facts, dict) else None


def _same_file(path: Path, reported: object) -> bool:
    if not isinstance(reported, str):
        return False
    try:
        return os.path.samefile(path, reported)
    except OSError:
        return False


def _write_atomic(cache: CacheLayout, target: Path, text: str) -> None:
    """Write `text` to `target` through a temporary file and a rename; failures are ignored."""
    import tempfile

    try:
        cache.ensure()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        return
