"""Digests for cache keys and records (not for verifying downloads: see `core.hashes`)."""

from __future__ import annotations

__all__ = ["cache_digest"]


def cache_digest(data: bytes) -> str:
    """A 256-bit BLAKE2b hex digest of `data`, from CPython's built-in `_blake2`: importing
    `hashlib` loads OpenSSL first (about 3 ms), which the no-op `lock`/`sync` paths skip."""
    from _blake2 import blake2b

    return blake2b(data, digest_size=32).hexdigest()
