"""Remove an installed distribution, by its RECORD, without ever deleting outside the scheme.

RECORD is untrusted input: an entry may point anywhere (`../../../../etc/passwd`). Each path is
normalized and must fall inside one of the environment's scheme directories, lexically AND after
resolving symlinks in its parent; anything else is skipped with uv's warning. Directories are
only removed when emptied (plus the `__pycache__` of removed modules); RECORD itself goes last,
so an interrupted uninstall can simply be run again.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from msgspec import Struct

from puv.core.errors import PuvError
from puv.install.dist_info import read_record
from puv.install.scheme import Scheme


class MissingRecord(PuvError):
    """`Cannot uninstall package; RECORD file not found at: ...` (uv's wording, exit 2)."""

    exit_code = 2


class Uninstalled(Struct, frozen=True):
    """What an uninstall removed."""

    file_count: int
    dir_count: int


def uninstall_wheel(
    dist_info: Path,
    scheme: Scheme,
    distribution: str,
    *,
    warn: Callable[[str], None] | None = None,
) -> Uninstalled:
    """Uninstall the distribution whose `.dist-info` is `dist_info` (`distribution` names it in
    warnings, e.g. `evilpkg==0.1.0`). A missing RECORD raises `MissingRecord`."""
    record_path = dist_info / "RECORD"
    try:
        entries = read_record(record_path)
    except FileNotFoundError:
        raise MissingRecord(
            f"Cannot uninstall package; `RECORD` file not found at: {record_path}"
        ) from None
    return remove_files(dist_info, (entry.path for entry in entries), scheme, distribution, warn)


def remove_files(
    dist_info: Path,
    relative_paths: Iterable[str],
    scheme: Scheme,
    distribution: str,
    warn: Callable[[str], None] | None = None,
) -> Uninstalled:
    """Remove `relative_paths` (relative to the dist-info's parent) that lie inside the scheme,
    then the emptied directories and the whole `.dist-info` (RECORD last).

    Also the way to clean up an interrupted install (a `.dist-info` without RECORD): pass the
    paths installing its wheel would have written (`wheel_install.planned_paths`).
    """
    try:
        return _remove_files(dist_info, relative_paths, scheme, distribution, warn)
    except OSError as err:
        raise PuvError(f"Failed to uninstall `{distribution}`", causes=[str(err)]) from None


def _remove_files(
    dist_info: Path,
    relative_paths: Iterable[str],
    scheme: Scheme,
    distribution: str,
    warn: Callable[[str], None] | None,
) -> Uninstalled:
    site_packages = os.fspath(dist_info.parent)
    guard = _SchemeGuard(scheme)
    files = dirs = 0
    warned = False
    touched: set[str] = set()
    dist_info_text = os.fspath(dist_info)
    for relative in relative_paths:
        path = os.path.normpath(os.path.join(site_packages, relative))
        if path == dist_info_text or path.startswith(dist_info_text + os.sep):
            continue  # the .dist-info goes last, as a whole
        if not guard.contains(path):
            if not warned and warn is not None:
                warn(
                    f"Invalid RECORD entry in {distribution} that escapes the Python "
                    f"environment, skipping: {relative}"
                )
            warned = True
            continue
        removed = _remove(path, guard)
        if removed is None:
            continue
        files += removed[0]
        dirs += removed[1]
        touched.add(os.path.dirname(path))
        if path.endswith(".py"):
            dirs += _remove_bytecode(path)
    dirs += _prune_empty(touched, site_packages)
    if os.path.isdir(dist_info_text):
        shutil.rmtree(dist_info_text)
        dirs += 1
    return Uninstalled(files, dirs)


class _SchemeGuard:
    """Decides whether a normalized absolute path is strictly inside a scheme directory."""

    def __init__(self, scheme: Scheme) -> None:
        roots = {os.path.normpath(os.fspath(root)) for root in scheme.roots()}
        self.roots = tuple(sorted(roots))
        self.real_roots = tuple(sorted({os.path.realpath(root) for root in roots}))
        self._real_parents: dict[str, bool] = {}

    def contains(self, path: str) -> bool:
        """Lexically inside a root, and its parent resolves inside a root too."""
        if not _strictly_inside(path, self.roots):
            return False
        parent = os.path.dirname(path)
        verdict = self._real_parents.get(parent)
        if verdict is None:
            real = os.path.realpath(parent)
            verdict = real in self.real_roots or _strictly_inside(real, self.real_roots)
            self._real_parents[parent] = verdict
        return verdict

    def is_root_or_contains_root(self, path: str) -> bool:
        """Whether removing the directory `path` would remove a scheme directory."""
        return any(root == path or _strictly_inside(root, (path,)) for root in self.roots)


def _strictly_inside(path: str, roots: tuple[str, ...]) -> bool:
    """`path` is below one of `roots` (all normalized, absolute): a component-wise test, since
    each root is compared with a trailing separator (`/a/b` is not inside `/a/bc`)."""
    return any(path.startswith(root if root.endswith(os.sep) else root + os.sep) for root in roots)


def _remove(path: str, guard: _SchemeGuard) -> tuple[int, int] | None:
    """Remove a file (or a listed directory that holds no scheme root); (files, dirs) removed."""
    try:
        os.unlink(path)
        return 1, 0
    except FileNotFoundError:
        return None
    except (IsADirectoryError, PermissionError):
        if not os.path.isdir(path) or os.path.islink(path):
            raise
    if guard.is_root_or_contains_root(path):
        return None
    shutil.rmtree(path)
    return 0, 1


def _remove_bytecode(source: str) -> int:
    """Remove `__pycache__/<module>.*.pyc` of a removed module (and that `__pycache__` once it
    is empty); returns the number of directories removed."""
    directory, name = os.path.split(source)
    cache = os.path.join(directory, "__pycache__")
    stem = name[: -len(".py")] + "."
    try:
        with os.scandir(cache) as it:
            stale = [entry.path for entry in it if entry.name.startswith(stem)]
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for path in stale:
        if path.endswith((".pyc", ".pyo")):
            os.unlink(path)
    try:
        os.rmdir(cache)
    except OSError:
        return 0  # still holds the bytecode of other modules
    return 1


def _prune_empty(directories: set[str], site_packages: str) -> int:
    """Remove emptied directories below site-packages, deepest first, with their `__pycache__`."""
    removed = 0
    for directory in sorted(directories, reverse=True):
        if not _strictly_inside(directory, (site_packages,)):
            continue
        current = directory
        while current != site_packages:
            cache = os.path.join(current, "__pycache__")
            if os.path.isdir(cache) and not os.path.islink(cache):
                shutil.rmtree(cache)
                removed += 1
            try:
                os.rmdir(current)
            except FileNotFoundError:
                pass
            except OSError:
                break  # not empty
            else:
                removed += 1
            current = os.path.dirname(current)
    return removed
