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
