"""`.python-version` and `.python-versions` files: where they are, what they say, writing them.

uv's rules: the nearest file in the working directory or its ancestors, not above the workspace
root; otherwise the global `.python-version` in uv's user config directory. With both names in one
directory, `.python-version` wins (`.python-versions` for commands that install several).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from puv.core.errors import ConfigError, PuvError
from puv.python.request import PythonRequest, RequestKind, parse_request

PYTHON_VERSION_FILENAME = ".python-version"
PYTHON_VERSIONS_FILENAME = ".python-versions"


class PythonVersionFile(NamedTuple):
    """A version file and the requests it lists, in order."""

    path: Path
    requests: tuple[PythonRequest, ...]

    @property
    def request(self) -> PythonRequest | None:
        """The first request in the file (the one discovery uses)."""
        return self.requests[0] if self.requests else None


def user_config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """uv's user config directory: `$XDG_CONFIG_HOME/uv`, else `~/.config/uv` (`%APPDATA%\\uv`)."""
    env = os.environ if environ is None else environ
    if os.name == "nt" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / "uv"
    xdg = env.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".config"
    return base / "uv"


def global_version_file(environ: Mapping[str, str] | None = None) -> Path:
    """The global pin: `.python-version` in uv's user config directory."""
    return user_config_dir(environ) / PYTHON_VERSION_FILENAME


def find_version_file(
    start: Path,
    *,
    stop_at: Path | None = None,
    include_local: bool = True,
    prefer_versions: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Path | None:
    """The version file that applies in `start`: the nearest local one, else the global one.

    The upward search includes `stop_at` (the workspace root) but goes no higher.
    """
    names = (PYTHON_VERSION_FILENAME, PYTHON_VERSIONS_FILENAME)
    if prefer_versions:
        names = names[::-1]
    if include_local:
        for directory in (start, *start.parents):
            for name in names:
                candidate = directory / name
                if candidate.is_file():
                    return candidate
            if stop_at is not None and directory == stop_at:
                break
    for name in names:
        candidate = user_config_dir(environ) / name
        if candidate.is_file():
            return candidate
    return None


def read_version_file(path: Path, warn: Callable[[str], None]) -> PythonVersionFile:
    """Parse a version file; executable names are ignored with a warning, as uv does."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Failed to read `{path}`", causes=[exc.strerror or str(exc)]) from exc
    requests: list[PythonRequest] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            request = parse_request(stripped, cwd=path.parent)
        except PuvError as exc:
            raise ConfigError(
                f"Invalid Python request in `{path}` at line {number}: `{stripped}`",
                causes=[exc.message],
                hint=exc.hint,
            ) from exc
        if request.kind is RequestKind.EXECUTABLE_NAME:
            warn(f"Ignoring unsupported Python request `{stripped}` in version file: {path}")
            continue
        requests.append(request)
    return PythonVersionFile(path, tuple(requests))


def write_version_file(path: Path, requests: tuple[PythonRequest, ...]) -> None:
    """Write one canonical request per line, atomically, creating the directory if needed."""
    import tempfile

    content = "".join(f"{request.to_canonical_string()}\n" for request in requests)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".python-version.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(content)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
