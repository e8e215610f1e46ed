"""The services one command works with, built once by the CLI and passed down.

No module keeps mutable state of its own: the printer, the merged settings and the cache travel here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from puv.cache.layout import CacheLayout, default_cache_root
from puv.core.printer import Printer
from puv.project.config_files import discover_config_files

if TYPE_CHECKING:  # the typed settings cost ms to import: built when a command first reads them
    from puv.project.settings import Settings


class Context:
    """Printer, cache layout, working directory and the merged settings for one command.

    `settings` is given, or built by `build_settings` when first read, or (neither given) the
    defaults; `no_cache`, `offline` and `python_preference` are its values that every command needs.
    """

    __slots__ = (
        "_build_settings",
        "_settings",
        "cache",
        "cwd",
        "no_cache",
        "offline",
        "printer",
        "python_preference",
    )

    def __init__(
        self,
        printer: Printer,
        cache: CacheLayout,
        cwd: Path,
        settings: Settings | None = None,
        no_cache: bool = False,
        offline: bool = False,
        python_preference: str = "managed",
        *,
        build_settings: Callable[[], Settings] | None = None,
    ) -> None:
        self.printer = printer
        self.cache = cache
        self.cwd = cwd
        self.no_cache = no_cache
        self.offline = offline
        self.python_preference = python_preference
        self._settings = settings
        self._build_settings = build_settings

    @property
    def settings(self) -> Settings:
        """The merged settings of the command (CLI > env > project > user > system > defaults)."""
        if self._settings is None:
            if self._build_settings is not None:
                self._settings = self._build_settings()
            else:
                from puv.project.settings import Settings

                self._settings = Settings()
        return self._settings


def _temporary_cache() -> Path:
    """A cache for `--no-cache`: a fresh directory removed when puv exits."""
    import atexit
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="puv-cache-"))
    atexit.register(shutil.rmtree, root, True)
    return root


def build_context(args: Any, printer: Printer, *, project_settings: bool = True) -> Context:
    """Build the context from parsed CLI arguments (already merged with `UV_*` variables).

    Settings are merged from the CLI, the environment, and the configuration files found from
    `--project` (or the working directory); `project_settings=False` reads only the user and
    system files, as `uv tool` does. Files are found and validated here; when there are none, the
    typed settings are built only if the command reads them.
    """
    cwd = Path.cwd()
    project = getattr(args, "project", None)
    start = Path(project).absolute() if project else cwd
    if start.name == "pyproject.toml" and start.is_file():
        start = start.parent
    config_file = getattr(args, "config_file", None)
    cli: Mapping[str, Any] = getattr(args, "_settings_cli", {})
    env: Mapping[str, Any] = getattr(args, "_settings_env", {})
    files = discover_config_files(
        start if project_settings else None,
        config_file=Path(config_file) if config_file else None,
        no_config=bool(getattr(args, "no_config", False)),
        environ=os.environ,
        warn=printer.warn,
    )
    from_settings: Settings | None = None
    if files:
        from puv.project.settings import settings_from_layers

        from_settings = settings_from_layers(cli, env, files)
        no_cache, cache_dir = from_settings.no_cache, from_settings.cache_dir
        offline, preference = from_settings.offline, from_settings.python_preference
    else:  # only the command line and the environment set anything (the CLI wins)
        no_cache = bool(cli.get("no-cache", env.get("no-cache", False)))
        cache_dir = cli.get("cache-dir", env.get("cache-dir"))
        offline = bool(cli.get("offline", env.get("offline", False)))
        preference = cli.get("python-preference", env.get("python-preference", "managed"))
    if no_cache:
        root = _temporary_cache()
    elif cache_dir:
        root = Path(cache_dir).expanduser().absolute()
    else:
        root = default_cache_root(os.environ)
    if getattr(args, "managed_python", False):
        preference = "only-managed"
    elif getattr(args, "no_managed_python", False):
        preference = "only-system"
    return Context(
        printer=printer,
        cache=CacheLayout(root),
        cwd=cwd,
        settings=from_settings,
        no_cache=no_cache,
        offline=offline,
        python_preference=preference,
        build_settings=lambda: _settings_from_command_line(cli, env),
    )


def _settings_from_command_line(cli: Mapping[str, Any], env: Mapping[str, Any]) -> Settings:
    """The typed settings when no configuration file was found."""
    from puv.project.settings import settings_from_layers

    return settings_from_layers(cli, env, [])
