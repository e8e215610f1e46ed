"""Compile installed `.py` files to bytecode with the TARGET interpreter, in parallel.

Like uv, a few worker processes of the environment's own Python read paths on stdin and call
`compileall.compile_file` (errors muted, as pip does); each echoes a path once it is done.
Workers run with `-I -S`: no `PYTHON*` variables, no user site, and no `site` import, so no
`.pth` file of the freshly installed packages ever runs during installation.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from puv.core.errors import PuvError

# Runs inside the target interpreter (any Python 3.8+), so: stdlib only, old syntax only.
_WORKER = """\
import compileall, os, py_compile, sys, warnings
warnings.filterwarnings("ignore")
mode = os.environ.get("PYC_INVALIDATION_MODE")
if mode is not None:
    try:
        mode = py_compile.PycInvalidationMode[mode]
    except KeyError:
        valid = ", ".join('"' + m.name + '"' for m in py_compile.PycInvalidationMode)
        sys.stderr.write(
            'Invalid value for PYC_INVALIDATION_MODE "%s", valid are %s\\n' % (mode, valid)
        )
        sys.exit(1)
else:
    try:
        mode = py_compile._get_default_invalidation_mode()
    except AttributeError:
        mode = None
force = mode is not None and mode != py_compile.PycInvalidationMode.TIMESTAMP
sys.stdout.write("Ready\\n")
sys.stdout.flush()
for line in sys.stdin:
    path = line.rstrip("\\n")
    if path:
        compileall.compile_file(path, invalidation_mode=mode, force=force, quiet=2)
        sys.stdout.write(path + "\\n")
"""


class BytecodeError(PuvError):
    """Compiling bytecode failed to run (not a syntax error: those are ignored, as pip does)."""

    exit_code = 2


def python_sources(root: Path) -> list[str]:
    """Every `.py` file below `root`, skipping `__pycache__` directories."""
    found = []
    stack = [os.fspath(root)]
    while stack:
        directory = stack.pop()
        try:
            entries = os.scandir(directory)
        except FileNotFoundError:
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        stack.append(entry.path)
                elif entry.name.endswith(".py") and entry.is_file():
                    found.append(entry.path)
    return found


def compile_tree(
    roots: Iterable[Path], python: Path, *, workers: int | None = None, timeout: float | None = 60.0
) -> int:
    """Compile every `.py` below `roots` with `python`; returns the number of files handed over."""
    files: list[str] = []
    for root in dict.fromkeys(os.path.normpath(os.fspath(root)) for root in roots):
        files.extend(python_sources(Path(root)))
    return compile_files(files, python, workers=workers, timeout=timeout)


def compile_files(
    files: Sequence[str], python: Path, *, workers: int | None = None, timeout: float | None = 60.0
) -> int:
    """Compile absolute `files` with `workers` processes of `python` (default: one per CPU, at
    most one per 100 files). `timeout` bounds each worker's whole run, in seconds."""
    files = [path for path in files if "\n" not in path and "\r" not in path]
    if not files:
        return 0
    count = workers or min(os.cpu_count() or 1, max(1, len(files) // 100 + 1))
    shares = [files[index::count] for index in range(count)]
    errors: list[str] = []
    threads = [
        threading.Thread(target=_run_worker, args=(python, share, timeout, errors))
        for share in shares
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise BytecodeError("Failed to bytecode-compile Python file(s)", causes=errors[:1])
    return len(files)


def _run_worker(python: Path, files: list[str], timeout: float | None, errors: list[str]) -> None:
    command = [os.fspath(python), "-I", "-S", "-u", "-c", _WORKER]
    try:
        process = subprocess.run(
            command,
            input="".join(f"{path}\n" for path in files),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as err:
        errors.append(f"Failed to start Python interpreter to run compile script: {err}")
        return
    except subprocess.TimeoutExpired:
        errors.append(f"Bytecode compilation timed out ({timeout}s) with `{python}`")
        return
    done = process.stdout.splitlines()
    if process.returncode != 0 or done[:1] != ["Ready"] or done[1:] != files:
        detail = process.stderr.strip() or f"exit status {process.returncode}"
        errors.append(f"Python process stderr:\n{detail}")
