"""The services one command works with, built once by the CLI and passed down.

No module keeps mutable state of its own: the printer, the settings and the cache travel here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from puv.cache.layout import CacheLayout
from puv.core.printer import Printer


@dataclass
class Context:
    """Printer, cache layout, working directory and the merged settings for one command."""

    printer: Printer
    cache: CacheLayout
    cwd: Path
    no_cache: bool = False
    offline: bool = False


def build_context(args: object, printer: Printer) -> Context:
    """Build the context from parsed CLI arguments (already merged with `UV_*` variables)."""
    from puv.cache.layout import default_cache_root

    cache_dir = getattr(args, "cache_dir", None)
    root = Path(cache_dir).absolute() if cache_dir else default_cache_root()
    return Context(
        printer=printer,
        cache=CacheLayout(root),
        cwd=Path.cwd(),
        no_cache=bool(getattr(args, "no_cache", False)),
        offline=bool(getattr(args, "offline", False)),
    )
