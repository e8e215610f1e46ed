"""Finding and reading uv's configuration files: project, user and system, as uv 0.13.9 does.

- Project: walk up from the project directory to the first `uv.toml`, or the first
  `pyproject.toml` with a `[tool.uv]` table. A directory with both uses `uv.toml` (warning about
  the masked `[tool.uv]` fields). A `pyproject.toml` that does not parse, or whose `[tool.uv]`
  does not fit the schema, is skipped with uv's warning and the walk goes on upward.
- User: `$XDG_CONFIG_HOME/uv/uv.toml`, else `~/.config/uv/uv.toml` (`%APPDATA%\\uv\\uv.toml`).
- System: the first `$XDG_CONFIG_DIRS/uv/uv.toml` (default `/etc/xdg`), else `/etc/uv/uv.toml`;
  skipped with `UV_NO_SYSTEM_CONFIG`.
- `--config-file` replaces all of these; `--no-config` turns discovery off.

A `uv.toml` with an unknown key, a bad value or a project-only key is an error. Relative index
URLs and `find-links` paths are made absolute against the file's directory, as uv does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from puv.core.env import env_value, parse_bool, source_name
from puv.core.errors import ConfigError

# The TOML reader and the schema are imported only when a file is found: finding none (a new
# directory, no user config) costs a few `stat` calls, not milliseconds of imports.
if TYPE_CHECKING:
    from puv.project.settings_schema import SchemaError
    from puv.project.toml_read import TomlDocument

__all__ = [
    "ConfigFile",
    "discover_config_files",
    "explicit_config",
    "find_project_config",
    "system_config",
    "system_config_path",
    "user_config",
    "user_config_path",
]

Warn = Callable[[str], None]

# Set on an `index` entry whose `url` was a relative path (made absolute here): uv.lock records
# such an index relative to the workspace root.
GIVEN_RELATIVE = "<given-relative>"
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


class ConfigFile(NamedTuple):
    """One configuration file's settings (`[tool.uv]` or a whole `uv.toml`) and where it is."""

    path: Path
    scope: str  # "project", "user", "system" or "config-file"
    options: Mapping[str, Any]

    @property
    def origin(self) -> str:
        """`<scope>:<path>`, as `Settings.origin()` reports it."""
        return f"{self.scope}:{self.path}"


def discover_config_files(
    project_dir: Path | None,
    *,
    config_file: Path | None,
    no_config: bool,
    environ: Mapping[str, str],
    warn: Warn,
) -> list[ConfigFile]:
    """The configuration files in effect, highest precedence first (project, user, system).

    `project_dir` None means user-level commands (`tool`, `self`): only user and system files.
    """
    if config_file is not None:
        return [explicit_config(config_file, warn=warn)]
    if no_config:
        return []
    files = []
    if project_dir is not None:
        project = find_project_config(project_dir, warn=warn)
        if project is not None:
            files.append(project)
    for found in (user_config(environ), system_config(environ)):
        if found is not None:
            files.append(found)
    return files


def find_project_config(start: Path, *, warn: Warn) -> ConfigFile | None:
    """The nearest `uv.toml` or `pyproject.toml` with `[tool.uv]`, from `start` upward."""
    directory = Path(os.path.abspath(start))
    for ancestor in (directory, *directory.parents):
        uv_toml = ancestor / "uv.toml"
        if uv_toml.is_file():
            pyproject = ancestor / "pyproject.toml"
            if pyproject.is_file():
                _warn_masked_fields(pyproject, warn)
            return _read_uv_toml(uv_toml, "project")
        pyproject = ancestor / "pyproject.toml"
        if pyproject.is_file():
            found = _read_pyproject_settings(pyproject, warn)
            if found is not None:
                return found
    return None


def user_config_path(environ: Mapping[str, str]) -> Path | None:
    """Where the user's `uv.toml` would be (it may not exist)."""
    if os.name == "nt":
        appdata = environ.get("APPDATA")
        return Path(appdata, "uv", "uv.toml") if appdata else None
    xdg = environ.get("XDG_CONFIG_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg, "uv", "uv.toml")
    home = environ.get("HOME") or os.path.expanduser("~")
    return Path(home, ".config", "uv", "uv.toml") if home else None


def user_config(environ: Mapping[str, str]) -> ConfigFile | None:
    """The user's `uv.toml`, when there is one."""
    path = user_config_path(environ)
    if path is None or not os.path.exists(path):  # the usual case: no reader needs loading
        return None
    try:
        return _read_uv_toml(path, "user")
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return None


def system_config_path(environ: Mapping[str, str]) -> Path | None:
    """The system `uv.toml` in effect: the first under `$XDG_CONFIG_DIRS`, else `/etc/uv`."""
    if os.name == "nt":
        drive = environ.get("SYSTEMDRIVE")
        candidate = Path(f"{drive}\\", "ProgramData", "uv", "uv.toml") if drive else None
        return candidate if candidate is not None and candidate.is_file() else None
    dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    for directory in dirs.split(":"):
        if not directory:
            break
        candidate = Path(directory, "uv", "uv.toml")
        if candidate.is_file():
            return candidate
    fallback = Path("/etc/uv/uv.toml")
    return fallback if fallback.exists() else None


def system_config(environ: Mapping[str, str]) -> ConfigFile | None:
    """The system `uv.toml`, unless `UV_NO_SYSTEM_CONFIG` is set or there is none."""
    flag = env_value("UV_NO_SYSTEM_CONFIG", environ)
    if flag is not None and parse_bool(flag, source_name("UV_NO_SYSTEM_CONFIG", environ)):
        return None
    path = system_config_path(environ)
    return None if path is None else _read_uv_toml(path, "system")


def explicit_config(path: Path, *, warn: Warn) -> ConfigFile:
    """The file given with `--config-file` / `UV_CONFIG_FILE`, read as a `uv.toml`."""
    if path.name == "pyproject.toml":
        warn(
            "The `--config-file` argument expects to receive a `uv.toml` file, not a "
            "`pyproject.toml`. If you're trying to run a command from another project, use the "
            "`--project` argument instead."
        )
    try:
        return _read_uv_toml(path, "config-file")
    except IsADirectoryError as error:
        raise ConfigError(f"failed to read from file `{path}`: {_os_error(error)}") from None
    except OSError as error:
        raise ConfigError(f"failed to open file `{path}`: {_os_error(error)}") from None


def _os_error(error: OSError) -> str:
    """An OS error as Rust prints it: `No such file or directory (os error 2)`."""
    return f"{error.strerror} (os error {error.errno})"


def _read_uv_toml(path: Path, scope: str) -> ConfigFile:
    """Read a `uv.toml` strictly: any schema error or project-only key is an error."""
    from puv.project.settings_schema import (
        PROJECT_ONLY_KEYS,
        SETTINGS_SCHEMA,
        SchemaError,
        check_table,
    )
    from puv.project.toml_read import TomlParseError, display_path, read_toml

    document = read_toml(path)
    display = display_path(path)
    try:
        check_table(SETTINGS_SCHEMA, document.data)
    except SchemaError as error:
        raise TomlParseError(display, _diagnostic(document, error)) from None
    for key in PROJECT_ONLY_KEYS:
        if key in document.data:
            raise ConfigError(
                f"Failed to parse `{display}`. The `{key}` field is not allowed in a `uv.toml` "
                f"file. `{key}` is only applicable in the context of a project, and should be "
                "placed in a `pyproject.toml` file instead."
            )
    absolute = Path(os.path.abspath(path))
    return ConfigFile(absolute, scope, _resolve_paths(document.data, absolute.parent))


def _read_pyproject_settings(path: Path, warn: Warn) -> ConfigFile | None:
    """`[tool.uv]` of a `pyproject.toml`; None (after uv's warning) when it cannot be used."""
    from puv.project.settings_schema import SETTINGS_SCHEMA, SchemaError
    from puv.project.toml_read import TomlParseError, display_path, read_toml

    display = display_path(path)
    try:
        document = read_toml(path)
    except TomlParseError as error:
        warn(_discovery_warning(display, error.block))
        return None
    tool = document.data.get("tool")
    if not isinstance(tool, dict) or "uv" not in tool:
        return None
    options = tool["uv"]
    try:
        SETTINGS_SCHEMA.check(options, ())
    except SchemaError as error:
        warn(_discovery_warning(display, _diagnostic(document, error.under("tool", "uv"))))
        return None
    absolute = Path(os.path.abspath(path))
    return ConfigFile(absolute, "project", _resolve_paths(options, absolute.parent))


def _warn_masked_fields(pyproject: Path, warn: Warn) -> None:
    """uv's warning when a `uv.toml` hides settings of the adjacent `[tool.uv]`."""
    from puv.project.settings_schema import (
        SETTINGS_SCHEMA,
        UV_TOML_MASKED_ORDER,
        SchemaError,
        check_table,
    )
    from puv.project.toml_read import TomlParseError, read_toml

    try:
        document = read_toml(pyproject)
        tool = document.data.get("tool")
        options = tool.get("uv") if isinstance(tool, dict) else None
        if not isinstance(options, dict):
            return
        check_table(SETTINGS_SCHEMA, options)
    except (TomlParseError, SchemaError, ConfigError, OSError):
        return
    masked = [key for key in UV_TOML_MASKED_ORDER if key in options]
    if masked:
        listing = "\n- ".join(key.replace("cache-keys", "cache_keys") for key in masked)
        warn(
            "Found both a `uv.toml` file and a `[tool.uv]` section in an adjacent "
            "`pyproject.toml`. The following fields from `[tool.uv]` will be ignored in favor of "
            f"the `uv.toml` file:\n- {listing}"
        )


def _diagnostic(document: TomlDocument, error: SchemaError) -> str:
    if error.spanless:
        return error.message + "\n"
    return document.diagnostic(error.message, error.keys, at=error.at)


def _discovery_warning(display: str, block: str) -> str:
    """`Failed to parse `<file>` during settings discovery:` and the block, indented as uv does."""
    indented = "".join(
        "  " + line if line.strip() else line for line in block.splitlines(keepends=True)
    )
    return f"Failed to parse `{display}` during settings discovery:\n{indented}"


def _resolve_paths(options: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """A copy of `options` with relative index and find-links paths made absolute against `base`."""
    resolved = dict(options)
    _resolve_index_keys(resolved, base)
    pip = resolved.get("pip")
    if isinstance(pip, dict):
        resolved["pip"] = dict(pip)
        _resolve_index_keys(resolved["pip"], base)
    return resolved


def _resolve_index_keys(options: dict[str, Any], base: Path) -> None:
    if isinstance(options.get("index-url"), str):
        options["index-url"] = _absolute_location(options["index-url"], base)
    for key in ("extra-index-url", "find-links"):
        if isinstance(options.get(key), list):
            options[key] = [_absolute_location(item, base) for item in options[key]]
    if isinstance(options.get("index"), list):
        options["index"] = [
            {
                **entry,
                "url": _absolute_location(entry["url"], base),
                GIVEN_RELATIVE: _is_relative_path(entry["url"]),
            }
            if isinstance(entry, dict) and isinstance(entry.get("url"), str)
            else entry
            for entry in options["index"]
        ]


def _is_relative_path(location: str) -> bool:
    if _URL_SCHEME.match(location) and not _WINDOWS_DRIVE.match(location):
        return False
    return not os.path.isabs(os.path.expanduser(location))


def _absolute_location(location: Any, base: Path) -> Any:
    """A URL unchanged; a relative (or `~`) path made absolute against `base`."""
    if not isinstance(location, str):
        return location
    if _URL_SCHEME.match(location) and not _WINDOWS_DRIVE.match(location):
        return location
    expanded = os.path.expanduser(location)
    return os.path.normpath(os.path.join(base, expanded))
