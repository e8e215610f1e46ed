"""`--find-links` locations: local directories of distributions, or HTML pages of links to them.

Every location is read once (lazily, on the first lookup) and its files grouped by normalized
project name, so looking up many packages costs one listing per location.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

from puv.core.errors import PuvError
from puv.core.wheel_filename import InvalidWheelFilename, WheelFilename, normalize_name
from puv.index.auth import redact
from puv.index.client import HttpClient, path_from_file_url
from puv.index.simple import DIST_EXTENSIONS, DistFile


def project_of(filename: str) -> str | None:
    """The normalized project name of a wheel or sdist filename, or None if it is neither.

    An sdist name (`name-version.tar.gz`) splits at its last `-`, as pip and uv do.
    """
    if filename.endswith(".whl"):
        try:
            return WheelFilename.parse(filename).name
        except InvalidWheelFilename:
            return None
    lowered = filename.lower()
    for extension in DIST_EXTENSIONS:
        if lowered.endswith(extension):
            stem = filename[: -len(extension)]
            name, sep, version = stem.rpartition("-")
            return normalize_name(name) if sep and name and version else None
    return None


def read_location(client: HttpClient, location: str) -> tuple[DistFile, ...]:
    """The distribution files a `--find-links` location lists (a path, `file:` or HTTP URL)."""
    if "://" not in location:
        return _read_directory(Path(location))
    if location.startswith("file:"):
        path = Path(path_from_file_url(location))
        if path.is_dir():
            return _read_directory(path)
    try:
        return client.links_page(location).files
    except PuvError as err:
        raise PuvError(
            f"Failed to read `--find-links` URL: {redact(location)}",
            causes=[err.message, *err.causes],
            hint=err.hint,
        ) from None


def _read_directory(directory: Path) -> tuple[DistFile, ...]:
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as err:
        raise PuvError(
            f"Failed to read `--find-links` directory: {directory}",
            causes=[err.strerror or str(err)],
        ) from None
    return tuple(
        DistFile(filename=entry.name, url=Path(entry.path).absolute().as_uri())
        for entry in entries
        if entry.is_file() and project_of(entry.name) is not None
    )


class FindLinks:
    """The files of all `--find-links` locations, grouped by project, read on first use."""

    def __init__(self, client: HttpClient, locations: Sequence[str]) -> None:
        self._client = client
        self._locations = tuple(locations)
        self._lock = threading.Lock()
        self._by_project: dict[str, tuple[DistFile, ...]] | None = None

    def files_for(self, name: str) -> tuple[DistFile, ...]:
        """The files for the normalized project `name`, in location order."""
        if not self._locations:
            return ()
        with self._lock:
            if self._by_project is None:
                self._by_project = self._load()
            return self._by_project.get(name, ())

    def _load(self) -> dict[str, tuple[DistFile, ...]]:
        listings = self._client.map(
            lambda location: read_location(self._client, location), self._locations
        )
        grouped: dict[str, list[DistFile]] = {}
        for files in listings:
            for file in files:
                project = project_of(file.filename)
                if project is not None:
                    grouped.setdefault(project, []).append(file)
        return {project: tuple(files) for project, files in grouped.items()}
