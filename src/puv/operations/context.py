"""The services one command works with, built once by the CLI and passed down.

No module keeps mutable state of its own: the printer, the merged settings and the cache travel here.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from puv.cache.layout import CacheLayout, default_cache_root
from puv.core.printer import Printer
from puv.project.settings import Settings, load_settings


@dataclass
class Context:
    """Printer, cache layout, working directory and the merged settings for one command."""

    printer: Printer
    cache: CacheLayout
    cwd: Path
    settings: Settings = field(default_factory=Settings)
    no_cache: bool = False
    offline: bool = False
    python_preference: str = "managed"


def _temporary_cache() -> Path:
    """A cache for `--no-cache`: a fresh directory removed when puv exits."""
    root = Path(tempfile.mkdtemp(prefix="puv-cache-"))
    atexit.register(shutil.rmtree, root, True)
    return root


def build_context(args: Any, printer: Printer, *, project_settings: bool = True) -> Context:
    """Build the context from parsed CLI arguments (already merged with `UV_*` variables).

    Settings are merged from the CLI, the environment, and the configuration files found from
    `--project` (or the working directory); `project_settings=False` reads only the user and
    system files, as `uv tool` does.
    """
    cwd = Path.cwd()
    project = getattr(args, "project", None)
    start = Path(project).absolute() if project else cwd
    if start.name == "pyproject.toml" and start.is_file():
        start = start.parent
    config_file = getattr(args, "config_file", None)
    settings = load_settings(
        project_dir=start if project_settings else None,
        cli=getattr(args, "_settings_cli", {}),
        env=getattr(args, "_settings_env", {}),
        config_file=Path(config_file) if config_file else None,
        no_config=bool(getattr(args, "no_config", False)),
        environ=os.environ,
        warn=printer.warn,
    )
    if settings.no_cache:
        root = _temporary_cache()
    elif settings.cache_dir:
        root = Path(settings.cache_dir).expanduser().absolute()
    else:
        root = default_cache_root(os.environ)
    if getattr(args, "managed_python", False):
        preference = "only-managed"
    elif getattr(args, "no_managed_python", False):
        preference = "only-system"
    else:
        preference = settings.python_preference
    return Context(
        printer=printer,
        cache=CacheLayout(root),
        cwd=cwd,
        settings=settings,
        no_cache=settings.no_cache,
        offline=settings.offline,
        python_preference=preference,
    )
