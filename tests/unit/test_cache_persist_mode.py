"""`write_atomic` gives files the permissions `open()` would, not `mkstemp`'s 0o600: a new
`uv.lock` is 0o644 under umask 022, and a replaced file keeps its mode (an executable script
stays executable)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from puv.cache.persist import write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "uv.lock"
    write_atomic(target, b"version = 1\n")
    current = os.umask(0o022)
    os.umask(current)
    assert _mode(target) == 0o666 & ~current


def test_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "script.py"
    target.write_text("print(1)\n")
    target.chmod(0o755)
    write_atomic(target, b"print(2)\n")
    assert _mode(target) == 0o755
    assert target.read_text() == "print(2)\n"
