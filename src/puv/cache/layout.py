"""Where the cache lives and how it is divided into versioned buckets.

puv's cache root defaults to `$XDG_CACHE_HOME/puv` (or `~/.cache/puv`). Every bucket name starts with
`puv-`, so a cache root shared with uv (`UV_CACHE_DIR`) never has uv's own buckets rewritten.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

# Bump a bucket's version whenever the format of what it stores changes.
BUCKETS: dict[str, int] = {
    "interpreter": 1,  # interpreter probe results, keyed by (path, mtime, size)
    "simple": 1,  # index pages (simple API), with HTTP cache headers
    "wheels": 1,  # downloaded wheels, by hash
    "archive": 1,  # unpacked wheels, linked into environments
    "metadata": 1,  # wheel/sdist core metadata, by url+hash
    "sdists": 1,  # wheels built from sdists
    "builds": 1,  # isolated build environments
    "environments": 1,  # ephemeral environments (run --with, tool run, scripts)
    "git": 2,  # git databases and checkouts (v2: checkouts are clones with `.git`)
}

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by puv.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)


def default_cache_root(environ: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CACHE_HOME/puv`, else `~/.cache/puv`."""
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "puv"


class CacheLayout(NamedTuple):
    """The cache root and its buckets. Creating it on disk is `ensure()`'s job, done lazily."""

    root: Path

    def bucket(self, name: str) -> Path:
        """The directory of bucket `name` (e.g. `puv-wheels-v1`)."""
        return self.root / f"puv-{name}-v{BUCKETS[name]}"

    def ensure(self) -> None:
        """Create the root with its `CACHEDIR.TAG` and `.gitignore` if missing."""
        self.root.mkdir(parents=True, exist_ok=True)
        tag = self.root / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(CACHEDIR_TAG)
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*")
