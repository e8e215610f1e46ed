"""HTTP caching of simple pages: freshness rules, storage, revalidation with the server, refresh."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from puv.cache.http_cache import (
    CacheEntry,
    CachePolicy,
    HttpCache,
    Refresh,
    policy_from_headers,
    revalidated,
)
from puv.index.client import ClientOptions, HttpClient
from tests.indexserver import IndexServer

NOW = 1_700_000_000.0
FAST = ClientOptions(retry_delay=(0.0, 0.0))


def policy(headers: dict[str, str], now: float = NOW) -> CachePolicy:
    return policy_from_headers({k.lower(): v for k, v in headers.items()}, now)


@pytest.mark.parametrize(
    ("headers", "age", "fresh"),
    [
        ({"Cache-Control": "max-age=600, public"}, 599, True),
        ({"Cache-Control": "max-age=600, public"}, 600, False),
        ({"Cache-Control": "max-age=600", "Age": "590"}, 20, False),
        ({"Cache-Control": "no-cache, max-age=600"}, 0, False),
        ({"Cache-Control": "max-age=0"}, 0, False),
        ({"Cache-Control": "max-age=1, immutable"}, 10**9, True),
        ({"Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"}, 599, True),  # uv's 600 s heuristic
        ({"Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"}, 600, False),
        ({"ETag": '"abc"'}, 0, False),  # no freshness information at all: always revalidate
        ({}, 0, False),
        ({"Expires": "garbage"}, 0, False),
    ],
)
def test_freshness(headers: dict[str, str], age: float, fresh: bool) -> None:
    assert policy(headers).is_fresh(NOW + age) is fresh


def test_expires_relative_to_date() -> None:
    headers = {"Date": "Wed, 01 Jan 2025 00:00:00 GMT", "Expires": "Wed, 01 Jan 2025 00:01:40 GMT"}
    stored = policy(headers)
    assert stored.freshness_lifetime() == 100.0


def test_validators_become_conditional_headers() -> None:
    stored = policy({"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"})
    assert stored.can_revalidate()
    assert stored.conditional_headers() == {
        "If-None-Match": '"v1"',
        "If-Modified-Since": "Wed, 01 Jan 2025 00:00:00 GMT",
    }
    assert not policy({}).can_revalidate()


def test_revalidation_keeps_validators_not_resent() -> None:
    old = policy({"ETag": '"v1"', "Cache-Control": "max-age=0"})
    new = revalidated(old, {"cache-control": "max-age=60"}, NOW + 5)
    assert new.etag == '"v1"' and new.max_age == 60 and new.stored_at == NOW + 5
    assert new.is_fresh(NOW + 10)


def test_store_and_read_back(tmp_path: Path) -> None:
    cache = HttpCache(tmp_path / "bucket")
    path = cache.path("digest", "demo")
    assert path == tmp_path / "bucket" / "digest" / "demo.msgpack"
    entry = CacheEntry(
        policy({"ETag": '"x"'}), "https://i/simple/demo/", "text/html", b"\x00payload"
    )
    assert cache.read(path) is None
    cache.write(path, entry)
    assert cache.read(path) == entry
    assert [p.name for p in path.parent.iterdir()] == ["demo.msgpack"]  # no temp file left
    path.write_bytes(b"\xc1 not msgpack")
    assert cache.read(path) is None  # a corrupt entry is a miss, never an error


def test_no_store_is_not_written(tmp_path: Path) -> None:
    cache = HttpCache(tmp_path)
    path = cache.path("d", "demo")
    cache.write(path, CacheEntry(policy({"Cache-Control": "no-store"}), "u", "text/html", b""))
    assert not path.exists()


def test_refresh_applies_to_entries_stored_before_it() -> None:
    entry = CacheEntry(policy({}, now=100.0), "u", "", b"")
    assert Refresh(since=200.0, everything=True).applies("demo", entry)
    assert not Refresh(since=50.0, everything=True).applies("demo", entry)
    assert Refresh(since=200.0, packages=frozenset({"demo"})).applies("demo", entry)
    assert not Refresh(since=200.0, packages=frozenset({"other"})).applies("demo", entry)


# ---------------------------------------------------------------- with the index server


def _fetch(index: IndexServer, cache: HttpCache, refresh: Refresh | None = None):
    with HttpClient(FAST, cache=cache, refresh=refresh) as client:
        return client.project_page(index.simple_url, "demo")


@pytest.fixture
def cache(tmp_path: Path) -> HttpCache:
    return HttpCache(tmp_path / "cache")


def test_second_fetch_revalidates_with_etag_and_gets_304(tmp_path: Path, cache: HttpCache) -> None:
    with IndexServer(tmp_path / "files", cache_control="max-age=0") as index:
        index.add_wheel("demo", "1.0")
        first = _fetch(index, cache)
        second = _fetch(index, cache)
        requests = index.requests
    assert first == second and first is not None
    assert requests[0].header("if-none-match") is None
    assert requests[1].header("if-none-match") is not None
    assert len(requests) == 2
    # The 304 refreshed the stored policy (a newer stored_at) and kept the parsed payload.
    (path,) = cache.root.rglob("demo.msgpack")
    entry = cache.read(path)
    assert entry is not None and entry.policy.etag == requests[1].header("if-none-match")


def test_revalidation_with_last_modified_only(tmp_path: Path, cache: HttpCache) -> None:
    with IndexServer(tmp_path / "files", etag=False, cache_control="no-cache") as index:
        index.add_wheel("demo", "1.0")
        _fetch(index, cache)
        _fetch(index, cache)
        (first, second) = index.requests
    assert first.header("if-modified-since") is None
    assert second.header("if-modified-since") == "Wed, 01 Jan 2025 00:00:00 GMT"


def test_changed_page_is_replaced(tmp_path: Path, cache: HttpCache) -> None:
    with IndexServer(tmp_path / "files", cache_control="max-age=0") as index:
        index.add_wheel("demo", "1.0")
        first = _fetch(index, cache)
        index.add_wheel("demo", "2.0")
        second = _fetch(index, cache)
    assert first is not None and second is not None
    assert len(first.files) == 1 and len(second.files) == 2


def test_fresh_entry_is_used_without_a_request(tmp_path: Path, cache: HttpCache) -> None:
    with IndexServer(tmp_path / "files", cache_control="max-age=600") as index:
        index.add_wheel("demo", "1.0")
        _fetch(index, cache)
        _fetch(index, cache)
        assert len(index.requests) == 1


def test_refresh_forces_revalidation_of_a_fresh_entry(tmp_path: Path, cache: HttpCache) -> None:
    with IndexServer(tmp_path / "files", cache_control="max-age=600") as index:
        index.add_wheel("demo", "1.0")
        _fetch(index, cache)
        _fetch(index, cache, Refresh(since=time.time() + 1, packages=frozenset({"other"})))
        assert len(index.requests) == 1
        _fetch(index, cache, Refresh(since=time.time() + 1, packages=frozenset({"demo"})))
        assert len(index.requests) == 2 and index.requests[1].header("if-none-match")
        _fetch(index, cache, Refresh(since=time.time() + 1, everything=True))
        assert len(index.requests) == 3


def test_pages_of_different_indexes_do_not_collide(tmp_path: Path, cache: HttpCache) -> None:
    with (
        IndexServer(tmp_path / "a", cache_control="max-age=600") as a,
        IndexServer(tmp_path / "b", cache_control="max-age=600") as b,
    ):
        a.add_wheel("demo", "1.0")
        b.add_wheel("demo", "2.0")
        first, second = _fetch(a, cache), _fetch(b, cache)
    assert first is not None and second is not None
    assert first.files[0].filename != second.files[0].filename


# ---------------------------------------------------------------- atomic persistence


def test_open_atomic_leaves_nothing_on_error(tmp_path: Path) -> None:
    from puv.cache.persist import open_atomic, write_atomic

    target = tmp_path / "deep" / "entry.bin"
    with pytest.raises(RuntimeError), open_atomic(target) as handle:
        handle.write(b"half")
        raise RuntimeError("killed mid-write")
    assert list(target.parent.iterdir()) == []
    write_atomic(target, b"whole")
    assert target.read_bytes() == b"whole"


def test_persist_dir_keeps_the_first_winner(tmp_path: Path) -> None:
    from puv.cache.persist import is_temp_entry, persist_dir, temp_dir_in

    bucket = tmp_path / "archive"
    first, second = temp_dir_in(bucket), temp_dir_in(bucket)
    assert is_temp_entry(first) and first.parent == bucket
    (first / "a.py").write_text("first")
    (second / "a.py").write_text("second")
    (second / "b.py").write_text("second")
    assert persist_dir(first, bucket / "entry") is True
    assert persist_dir(second, bucket / "entry") is False
    assert sorted(p.name for p in bucket.iterdir()) == ["entry"]  # the loser's staging dir is gone
    assert (bucket / "entry" / "a.py").read_text() == "first"


def test_write_atomic_writes_through_special_files(tmp_path: Path) -> None:
    """An output path such as `/dev/null` or a FIFO is written to, never renamed over."""
    import os
    import stat
    import threading

    from puv.cache.persist import write_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, b"through the pipe")
    reader.join(timeout=10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
