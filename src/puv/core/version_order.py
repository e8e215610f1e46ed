"""Orderings of PEP 440 versions that compare in C rather than through `Version.__lt__`.

`version_key` is a plain tuple with room for uv's range sentinels (the resolver's cuts);
`sort_key` is what `Version` itself compares, for sorting long version lists.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from packaging.version import Version

__all__ = ["VersionKey", "sort_key", "version_key"]

VersionKey = tuple[object, ...]

_PRE_RANK = {"a": 0, "b": 1, "rc": 2}


@lru_cache(maxsize=65536)
def version_key(version: Version) -> VersionKey:
    """A plain tuple that orders like PEP 440 and leaves room for uv's sentinels."""
    release = version.release
    end = len(release)
    while end > 1 and release[end - 1] == 0:
        end -= 1
    pre, post, dev = version.pre, version.post, version.dev
    if pre is None and post is None and dev is not None:
        pre_key: tuple[int, int] = (-1, 0)
    elif pre is None:
        pre_key = (3, 0)
    else:
        pre_key = (_PRE_RANK[pre[0]], pre[1])
    post_key = (-1, 0) if post is None else (0, post)
    dev_key = (1, 0) if dev is None else (0, dev)
    local: tuple[tuple[object, ...], ...] = ()
    if version.local is not None:
        local = tuple(
            (1, int(part), "") if part.isdigit() else (0, 0, part)
            for part in version.local.split(".")
        )
    return (version.epoch, release[:end], pre_key, post_key, dev_key, local)


def sort_key(version: Version) -> tuple[Any, ...]:
    """The key `Version`'s comparisons use (packaging's `_key`): sorting a list by it gives the
    same order as sorting the versions, without a Python-level `__lt__` per comparison (tuples
    compare in C; packaging's infinity sentinels only break ties between equal releases)."""
    return version._key
