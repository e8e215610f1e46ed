"""How paths are shown to the user, as uv shows them."""

from __future__ import annotations

import os
from pathlib import Path, PurePath


def user_display(path: str | PurePath, cwd: Path) -> str:
    """Show `path` as uv does: relative paths as given, absolute ones relative to `cwd` if inside it."""
    text = str(path)
    if not os.path.isabs(text) or cwd.parent == cwd:
        return text
    try:
        relative = PurePath(text).relative_to(cwd)
    except ValueError:
        return text
    return str(relative) if relative.parts else "."


def relative_to(target: str | PurePath, base: str | PurePath) -> str:
    """`target` from `base` (both absolute), `/`-separated with `..` steps as uv's `relative_to`
    writes it (`.` for `base` itself, a trailing `/` when only `..` steps remain)."""
    parts = PurePath(os.path.normpath(target)).parts
    start = PurePath(os.path.normpath(base)).parts
    common = 0
    while common < min(len(parts), len(start)) and parts[common] == start[common]:
        common += 1
    ups = [".."] * (len(start) - common)
    rest = list(parts[common:])
    if ups and not rest:
        return "/".join(ups) + "/"
    return "/".join(ups + rest) or "."
