"""Digests of files on disk: content keys in the cache (built sdists) and the hashes a lock or
`pip compile --generate-hashes` records for an archive."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """The hex sha256 of the file at `path`."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
