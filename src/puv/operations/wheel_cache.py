"""A by-hash index of the wheels unpacked in the cache.

A requirement whose `--hash` names a wheel that is already unpacked needs no index request and no
download: `<cache>/puv-wheels-v1/<name>/<sha256>` is a small JSON pointer,
`{"filename": "six-1.16.0-py2.py3-none-any.whl", "archive": "<key>"}`, to the unpacked archive
`<cache>/puv-archive-v1/<key>`. A lookup lists one directory per project and reads only the
pointers whose names are among the wanted digests.

Pointers are written atomically after their archive is persisted, so a pointer never names a
half-written archive; one whose archive was removed since (`cache clean`) is treated as a miss.
One directory per project keeps `cache clean <name>` working by name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from msgspec import Struct

from puv.cache.layout import CacheLayout
from puv.cache.persist import write_atomic
from puv.core.hashes import HashDigest
from puv.core.wheel_filename import InvalidWheelFilename, WheelFilename
from puv.install.archive import UnpackedWheel


class CachedWheel(Struct, frozen=True):
    """A wheel unpacked in the cache: its filename, archive directory and sha256."""

    filename: WheelFilename
    archive: Path
    sha256: str


class WheelCache:
    """Find and record unpacked wheels by the sha256 of their archive."""

    def __init__(self, layout: CacheLayout) -> None:
        self.pointers = layout.bucket("wheels")
        self.archives = layout.bucket("archive")

    def find(self, name: str, hashes: Iterable[HashDigest]) -> list[CachedWheel]:
        """The unpacked wheels of project `name` whose sha256 is among `hashes`."""
        wanted = [digest.digest for digest in hashes if digest.algorithm == "sha256"]
        if not wanted:
            return []
        directory = self.pointers / name
        try:
            present = set(os.listdir(directory))
        except (FileNotFoundError, NotADirectoryError):
            return []
        found = []
        for digest in dict.fromkeys(wanted):
            if digest in present:
                cached = self._read(directory / digest, digest)
                if cached is not None:
                    found.append(cached)
        return found

    def entries(self, name: str) -> list[CachedWheel]:
        """Every unpacked wheel of project `name` the cache knows."""
        directory = self.pointers / name
        try:
            names = sorted(os.listdir(directory))
        except (FileNotFoundError, NotADirectoryError):
            return []
        found = [self._read(directory / entry, entry) for entry in names if entry[:1] != "."]
        return [cached for cached in found if cached is not None]

    def record(self, name: str, unpacked: UnpackedWheel) -> CachedWheel:
        """Point the sha256 of `unpacked`'s archive at its directory in the cache."""
        digest = next(d.digest for d in unpacked.hashes if d.algorithm == "sha256")
        document = {"filename": unpacked.filename.filename, "archive": unpacked.path.name}
        write_atomic(self.pointers / name / digest, json.dumps(document).encode())
        return CachedWheel(unpacked.filename, unpacked.path, digest)

    def referenced_archives(self) -> set[str]:
        """The names of the archive directories some pointer names (what `cache prune` keeps)."""
        referenced: set[str] = set()
        try:
            projects = list(os.scandir(self.pointers))
        except FileNotFoundError:
            return referenced
        for project in projects:
            if project.is_dir(follow_symlinks=False):
                for cached in self.entries(project.name):
                    referenced.add(cached.archive.name)
        return referenced

    def _read(self, path: Path, digest: str) -> CachedWheel | None:
        try:
            document = json.loads(path.read_bytes())
            filename = WheelFilename.parse(document["filename"])
            archive = self.archives / os.path.basename(str(document["archive"]))
        except (OSError, ValueError, KeyError, TypeError, InvalidWheelFilename):
            return None
        if not archive.is_dir():
            return None
        return CachedWheel(filename, archive, digest)
