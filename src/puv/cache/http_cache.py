"""HTTP caching of index responses (RFC 9111, the parts an index client needs).

An entry is the response's caching headers plus an opaque payload (the index layer stores the
*parsed* page, so a warm run skips parsing too), written as msgpack with `msgspec` in a cache
bucket, one file per key. Freshness follows uv: `Cache-Control: max-age` (else `Expires` - `Date`,
else 600 s when only `Last-Modified` is known, else none); `no-cache` and `must-revalidate` force a
revalidation; `immutable` entries (and entries stored as immutable, e.g. files named by their hash)
are fresh forever. A stale entry is revalidated with `If-None-Match` / `If-Modified-Since`;
`--refresh` / `--refresh-package` make entries stored before the command started stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from msgspec import Struct
from msgspec.structs import replace

from puv.cache.persist import write_atomic

HEURISTIC_FRESHNESS = 600.0


class CachePolicy(Struct, frozen=True):
    """What the response said about its own caching, and when we received it."""

    stored_at: float
    date: float | None = None
    age: float = 0.0
    max_age: float | None = None
    expires: float | None = None
    no_cache: bool = False
    no_store: bool = False
    must_revalidate: bool = False
    immutable: bool = False
    etag: str | None = None
    last_modified: str | None = None

    def freshness_lifetime(self) -> float:
        """How long the response stays fresh after it was generated, in seconds."""
        if self.max_age is not None:
            return self.max_age
        if self.expires is not None:
            return max(0.0, self.expires - (self.date if self.date is not None else self.stored_at))
        if self.last_modified is not None:
            return HEURISTIC_FRESHNESS
        return 0.0

    def current_age(self, now: float) -> float:
        """The response's age now: its initial age plus the time it spent in our cache."""
        apparent = max(0.0, self.stored_at - self.date) if self.date is not None else 0.0
        return max(apparent, self.age) + max(0.0, now - self.stored_at)

    def is_fresh(self, now: float) -> bool:
        """Whether the entry may be used without asking the server."""
        if self.immutable:
            return True
        if self.no_cache:
            return False
        return self.current_age(now) < self.freshness_lifetime()

    def can_revalidate(self) -> bool:
        """Whether a conditional request is possible (the response had a validator)."""
        return self.etag is not None or self.last_modified is not None

    def conditional_headers(self) -> dict[str, str]:
        """`If-None-Match` / `If-Modified-Since` for a revalidation request."""
        headers: dict[str, str] = {}
        if self.etag is not None:
            headers["If-None-Match"] = self.etag
        if self.last_modified is not None:
            headers["If-Modified-Since"] = self.last_modified
        return headers


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _seconds(value: str) -> float | None:
    value = value.strip().strip('"')
    return float(value) if value.isdigit() else None


def policy_from_headers(headers: Mapping[str, str], now: float) -> CachePolicy:
    """Read `Cache-Control`, `Expires`, `Date`, `Age`, `ETag` and `Last-Modified` (lower-case keys)."""
    max_age: float | None = None
    flags: set[str] = set()
    for directive in headers.get("cache-control", "").split(","):
        name, _, value = directive.strip().partition("=")
        name = name.lower()
        if name == "max-age":
            max_age = _seconds(value)
        elif name:
            flags.add(name)
    expires_raw = headers.get("expires")
    expires = _http_date(expires_raw)
    if expires_raw is not None and expires is None:
        expires = 0.0  # RFC 9111 §5.3: an invalid Expires means "already expired"
    age = _seconds(headers.get("age", "")) or 0.0
    return CachePolicy(
        stored_at=now,
        date=_http_date(headers.get("date")),
        age=age,
        max_age=max_age,
        expires=expires,
        no_cache="no-cache" in flags,
        no_store="no-store" in flags,
        must_revalidate="must-revalidate" in flags,
        immutable="immutable" in flags,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
    )


def revalidated(old: CachePolicy, response_headers: Mapping[str, str], now: float) -> CachePolicy:
    """The policy after a `304 Not Modified`: new freshness, validators kept unless replaced."""
    new = policy_from_headers(response_headers, now)
    return replace(
        new,
        etag=new.etag or old.etag,
        last_modified=new.last_modified or old.last_modified,
        immutable=new.immutable or old.immutable,
    )


class CacheEntry(Struct, frozen=True):
    """A cached response: its policy, final URL, content type and the caller's payload."""

    policy: CachePolicy
    url: str
    content_type: str
    payload: bytes


class Refresh(Struct, frozen=True):
    """`--refresh` / `--refresh-package`: entries stored before `since` must be revalidated."""

    since: float
    everything: bool = False
    packages: frozenset[str] = frozenset()

    def applies(self, package: str | None, entry: CacheEntry) -> bool:
        """Whether `entry` (for `package`, if it belongs to one) must be revalidated now."""
        wanted = self.everything or (package is not None and package in self.packages)
        return wanted and entry.policy.stored_at < self.since


def url_digest(url: str) -> str:
    """A short, stable directory name for an index or page URL."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


class HttpCache(Struct, frozen=True):
    """Cache entries stored under `root` (a bucket directory), one msgpack file per key."""

    root: Path

    def path(self, *parts: str) -> Path:
        """The file holding the entry whose key is `parts` (e.g. index digest, package name)."""
        return self.root.joinpath(*parts[:-1], parts[-1] + ".msgpack")

    def read(self, path: Path) -> CacheEntry | None:
        """The entry stored at `path`, or None when missing or unreadable (then it is refetched)."""
        import msgspec

        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            return msgspec.msgpack.decode(data, type=CacheEntry)
        except msgspec.DecodeError:
            return None

    def write(self, path: Path, entry: CacheEntry) -> None:
        """Store `entry` atomically (a `no-store` response is not written)."""
        import msgspec

        if entry.policy.no_store:
            return
        write_atomic(path, msgspec.msgpack.encode(entry))
