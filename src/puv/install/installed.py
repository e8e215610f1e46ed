"""What is installed in an environment: one scan of site-packages, cheap enough for no-op syncs.

Each `.dist-info` costs one directory listing, plus reading `INSTALLER` and `direct_url.json`
when present; nothing else is opened. A `.dist-info` without RECORD is reported as incomplete
(an interrupted install): the planner must reinstall or clean it, never trust it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from packaging.version import InvalidVersion, Version

from puv.core.errors import PuvError
from puv.core.wheel_filename import is_valid_name, normalize_name


class InstalledDist(NamedTuple):
    """One installed distribution."""

    name: str  # normalized
    version: str  # normalized PEP 440 text
    path: Path  # the `.dist-info` / `.egg-info` directory (or file)
    kind: str  # "dist-info" | "egg-info"
    complete: bool  # RECORD present (always True for egg-info)
    requested: bool  # REQUESTED present
    installer: str | None  # INSTALLER contents, stripped
    direct_url: Mapping[str, Any] | None  # parsed `direct_url.json` (PEP 610)

    @property
    def editable(self) -> bool:
        """Installed in editable mode (`dir_info.editable` in direct_url.json)."""
        if self.direct_url is None:
            return False
        dir_info = self.direct_url.get("dir_info")
        return isinstance(dir_info, dict) and dir_info.get("editable") is True

    @property
    def url(self) -> str | None:
        """The direct URL this was installed from, if any; a VCS install as uv shows it,
        `git+<repository>@<commit>#subdirectory=<dir>`."""
        if self.direct_url is None:
            return None
        url = self.direct_url.get("url")
        if not isinstance(url, str):
            return None
        vcs_info = self.direct_url.get("vcs_info")
        if not isinstance(vcs_info, Mapping):
            return url
        revision = vcs_info.get("commit_id") or vcs_info.get("requested_revision")
        text = f"{vcs_info.get('vcs')}+{url}" + (f"@{revision}" if revision else "")
        subdirectory = self.direct_url.get("subdirectory")
        return f"{text}#subdirectory={subdirectory}" if subdirectory else text


def scan_site_packages(directories: Iterable[Path]) -> list[InstalledDist]:
    """Every distribution in `directories` (purelib and platlib, deduplicated), sorted by name."""
    seen: set[str] = set()
    found: list[InstalledDist] = []
    for directory in directories:
        key = os.path.normpath(os.fspath(directory))
        if key in seen:
            continue
        seen.add(key)
        try:
            entries = os.scandir(key)
        except FileNotFoundError:
            continue
        with entries:
            for entry in entries:
                dist = _read_dist(entry)
                if dist is not None:
                    found.append(dist)
    found.sort(key=lambda dist: (dist.name, dist.version, os.fspath(dist.path)))
    return found


def _read_dist(entry: os.DirEntry[str]) -> InstalledDist | None:
    name = entry.name
    if name.startswith("~"):
        return None  # a dangling temp dir left by pip
    if name.endswith(".dist-info") and entry.is_dir():
        stem = name[: -len(".dist-info")]
        project, sep, version = stem.partition("-")
        if not sep:
            return None
        return _dist_info(entry.path, project, version)
    if name.endswith(".egg-info"):
        return _egg_info(entry)
    return None


def _dist_info(path: str, project: str, version: str) -> InstalledDist:
    files = set(os.listdir(path))
    installer = None
    if "INSTALLER" in files:
        with open(f"{path}/INSTALLER", encoding="utf-8", errors="replace") as file:
            installer = file.read().strip()
    direct_url = None
    if "direct_url.json" in files:
        direct_url = _read_direct_url(f"{path}/direct_url.json")
    return InstalledDist(
        name=_checked_name(project, path),
        version=_checked_version(version, path),
        path=Path(path),
        kind="dist-info",
        complete="RECORD" in files,
        requested="REQUESTED" in files,
        installer=installer,
        direct_url=direct_url,
    )


def _egg_info(entry: os.DirEntry[str]) -> InstalledDist | None:
    """`name-version[-pyX.Y].egg-info` (a directory or a PKG-INFO file, as distutils left it)."""
    stem = entry.name[: -len(".egg-info")]
    project, _, rest = stem.partition("-")
    version = rest.split("-", 1)[0]
    if not version:
        pkg_info = f"{entry.path}/PKG-INFO" if entry.is_dir() else entry.path
        version = _pkg_info_version(pkg_info) or ""
        if not version:
            return None
    return InstalledDist(
        name=_checked_name(project.replace("_", "-"), entry.path),
        version=_checked_version(version, entry.path),
        path=Path(entry.path),
        kind="egg-info",
        complete=True,
        requested=False,
        installer=None,
        direct_url=None,
    )


def _pkg_info_version(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            for line in file:
                if not line.strip():
                    break
                if line.startswith("Version:"):
                    return line.partition(":")[2].strip()
    except OSError:
        return None
    return None


def _read_direct_url(path: str) -> Mapping[str, Any] | None:
    import json  # only URL installs have one: keep it off the no-op path

    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _checked_name(project: str, path: str) -> str:
    if not is_valid_name(project):
        raise PuvError(
            f"Failed to read metadata from: `{path}`", causes=[f"invalid name `{project}`"]
        )
    return normalize_name(project)


def _checked_version(version: str, path: str) -> str:
    try:
        return str(Version(version))
    except InvalidVersion:
        raise PuvError(
            f"Failed to read metadata from: `{path}`", causes=[f"invalid version `{version}`"]
        ) from None
