"""The lazy path from a project page to the resolver: raw JSON entries, grouping by version
without a `DistFile` per file, the raw-JSON cache payload, and per-client DNS resolution."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import InvalidVersion, Version

from puv.cache.http_cache import CacheEntry, HttpCache
from puv.core.errors import PuvError
from puv.core.wheel_filename import InvalidWheelFilename, WheelFilename, normalize_name
from puv.index.client import ClientOptions, HttpClient
from puv.index.dns import HostResolver
from puv.index.indexes import (
    Index,
    IndexList,
    PackageFinder,
    VersionFiles,
    _group_by_version,
    file_version,
)
from puv.index.simple import (
    DIST_EXTENSIONS,
    JSON_CONTENT_TYPE,
    DistFile,
    encode_page,
    is_safe_dist_filename,
    parse_json,
    parse_json_listing,
)
from tests.indexserver import IndexServer

FAST = ClientOptions(retry_delay=(0.0, 0.0))
PAGE = "https://example.org/simple/demo/"


def reference_version(filename: str, name: str) -> Version | None:
    """What grouping did before the fast path: a safe name, then the full wheel parser."""
    if not is_safe_dist_filename(filename):
        return None
    if filename.endswith(".whl"):
        try:
            wheel = WheelFilename.parse(filename)
        except InvalidWheelFilename:
            return None
        return wheel.version if wheel.name == name else None
    for extension in DIST_EXTENSIONS:
        if filename.lower().endswith(extension):
            project, sep, text = filename[: -len(extension)].rpartition("-")
            if not sep or normalize_name(project) != name:
                return None
            try:
                return Version(text)
            except InvalidVersion:
                return None
    return None


TRICKY = [
    "demo-1.0-py3-none-any.whl",
    "Demo-1.0-py3-none-any.whl",
    "demo-1.0.0-py3-none-any.whl",  # the same version as 1.0
    "demo-1.0-1-py3-none-any.whl",  # build tag
    "demo-1.0-x1-py3-none-any.whl",  # build tag must start with a digit
    "demo-1.0-py3-none-any-extra.whl",  # too many parts
    "demo-1.0-py3-none.whl",  # too few
    "demo-1.0-py2.py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "demo-1.0-py3..py2-none-any.whl",  # empty tag atom
    "demo-1.0-py3-none-../../x.whl",
    "demo-1.0-py3-none-any.whl\n",
    "demo-not.a.version-py3-none-any.whl",
    "demo-2.0rc1-cp312-cp312-win_amd64.whl",
    "other-1.0-py3-none-any.whl",
    "demo_-1.0-py3-none-any.whl",  # invalid name part
    ".demo-1.0-py3-none-any.whl",
    "demo-1.0.tar.gz",
    "Demo-2.0.TAR.GZ",
    "demo-3.0.zip",
    "demo-3.0.tar.gz.asc",
    "demo-extra-4.0.tar.gz",  # another project
    "demo.tar.gz",
    "demo-1.0.tar.gz/evil",
    "demo-5.0.exe",
    "de\\mo-1.0.tar.gz",
]


@pytest.mark.parametrize("filename", TRICKY)
def test_file_version_agrees_with_the_full_parser(filename: str) -> None:
    assert file_version(filename, "demo") == reference_version(filename, "demo")


_PART = st.text(alphabet="abcDemo019._-+!/ ", min_size=0, max_size=8)


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(_PART, min_size=1, max_size=7), wheel=st.booleans())
def test_file_version_agrees_on_generated_names(parts: list[str], wheel: bool) -> None:
    filename = "-".join(parts) + (".whl" if wheel else ".tar.gz")
    for name in ("demo", normalize_name(parts[0]) or "x"):
        assert file_version(filename, name) == reference_version(filename, name)


def _wire(filename: str, **fields: object) -> bytes:
    return json.dumps({"filename": filename, "url": filename, **fields}).encode()


def test_grouping_keeps_index_order_across_spellings_and_drops_foreign_files() -> None:
    names = [
        "Demo-1.0-py3-none-any.whl",
        "demo-2.0.tar.gz",
        "demo-1.0.0.tar.gz",
        "other-1.0.tar.gz",
        "demo-1.0-cp312-cp312-win32.whl",
        "demo-1.0-py3-none-bad/../x.whl",
    ]
    body = json.dumps({"files": [{"filename": n, "url": n} for n in names]}).encode()
    listing = parse_json_listing(body, PAGE, "demo")
    grouped = _group_by_version("demo", listing.entries, None, 0, listing.url)
    assert list(grouped) == [Version("1.0"), Version("2.0")]
    one = grouped[Version("1.0")]
    assert [e.filename for e in one.entries] == [names[0], names[2], names[4]]
    assert [f.filename for f in one.files] == [names[0], names[2], names[4]]
    assert one.files[0].url == "https://example.org/simple/demo/Demo-1.0-py3-none-any.whl"


def test_lazy_version_files_match_the_eager_page() -> None:
    body = json.dumps(
        {
            "files": [
                {
                    "filename": "demo-1.0-py3-none-any.whl",
                    "url": "../../f/demo-1.0-py3-none-any.whl",
                    "hashes": {"SHA256": "AB"},
                    "requires-python": ">=3.8",
                    "yanked": "broken",
                    "upload-time": "2024-01-01T00:00:00Z",
                    "core-metadata": {"sha256": "CD"},
                    "data-dist-info-metadata": {"sha256": "CD"},
                },
                {"filename": "demo-1.0.tar.gz", "url": "demo-1.0.tar.gz#sha256=EF"},
            ]
        }
    ).encode()
    eager = parse_json(body, PAGE, "demo").files
    (entry,) = _group_by_version(
        "demo", parse_json_listing(body, PAGE, "demo").entries, None, 0, PAGE
    ).values()
    assert entry.files == eager
    assert entry == VersionFiles(Version("1.0"), None, 0, eager)
    assert entry.restricted(entry.entries[1:]).files == eager[1:]
    wheel = eager[0]
    assert wheel.hashes == (("sha256", "ab"),)
    assert wheel.core_metadata and wheel.core_metadata_hashes == (("sha256", "cd"),)
    assert wheel.yanked and wheel.yanked_reason == "broken"
    assert entry.entries[0].yanked_reason == "broken"


def test_ill_typed_entry_fails_when_its_version_is_used() -> None:
    body = json.dumps(
        {
            "files": [
                {"filename": "demo-1.0.tar.gz", "url": "a", "hashes": {"sha256": 5}},
                {"filename": "demo-2.0.tar.gz", "url": "b"},
            ]
        }
    ).encode()
    listing = parse_json_listing(body, PAGE, "demo")  # the page itself decodes
    grouped = _group_by_version("demo", listing.entries, None, 0, listing.url)
    assert grouped[Version("2.0")].files[0].url == "https://example.org/simple/demo/b"
    with pytest.raises(PuvError) as failure:
        grouped[Version("1.0")].files  # noqa: B018
    assert failure.value.message == f"Received some unexpected JSON from {PAGE}"
    with pytest.raises(ValueError):
        parse_json(body, PAGE, "demo")  # the eager page still rejects it


def test_json_pages_are_cached_as_sent_and_old_msgpack_entries_still_read(tmp_path: Path) -> None:
    cache = HttpCache(tmp_path / "cache")
    with IndexServer(tmp_path / "files", cache_control="max-age=600") as index:
        index.add_wheel("demo", "1.0")
        index.add_sdist("demo", "1.0")
        with HttpClient(FAST, cache=cache) as client:
            first = client.project_page(index.simple_url, "demo")
        (path,) = cache.root.rglob("demo.msgpack")
        entry = cache.read(path)
        assert entry is not None and entry.content_type.startswith(JSON_CONTENT_TYPE)
        assert json.loads(entry.payload)["files"]  # the body as the index sent it
        assert first is not None
        # an entry written by an older puv: the parsed page in msgpack under a JSON type
        cache.write(
            path, CacheEntry(entry.policy, entry.url, entry.content_type, encode_page(first))
        )
        with HttpClient(FAST, cache=cache) as client:
            assert client.project_page(index.simple_url, "demo") == first
        # an unreadable fresh entry is fetched again, not an error
        cache.write(path, CacheEntry(entry.policy, entry.url, entry.content_type, b"\xc1"))
        before = len(index.requests)
        with HttpClient(FAST, cache=cache) as client:
            assert client.project_page(index.simple_url, "demo") == first
        assert len(index.requests) == before + 1
        assert len(index.requests_to("/simple/demo/")) == 2  # the first fetch and the refetch


def test_finder_versions_from_a_served_index(tmp_path: Path) -> None:
    with IndexServer(tmp_path / "files") as index:
        index.add_wheel("demo", "1.0")
        index.add_wheel("demo", "2.0")
        index.add_sdist("demo", "2.0")
        with HttpClient(FAST) as client:
            found = PackageFinder(client, IndexList((Index(index.simple_url),))).find("demo")
    assert [entry.version for entry in found.versions] == [Version("2.0"), Version("1.0")]
    newest = found.versions[0]
    assert sorted(f.filename for f in newest.files) == [
        "demo-2.0-py3-none-any.whl",
        "demo-2.0.tar.gz",
    ]
    assert all(
        isinstance(f, DistFile) and f.url.startswith("http://127.0.0.1") for f in newest.files
    )


def test_host_resolver_looks_a_host_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = socket.getaddrinfo
    gate = threading.Event()

    def counting(host: str, *args: object, **kwargs: object) -> object:
        calls.append(host)
        gate.wait(5)
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", counting)
    resolver = HostResolver()
    results: list[tuple[str, ...]] = []
    threads = [
        threading.Thread(target=lambda: results.append(resolver.addresses("localhost", 80)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join()
    assert calls == ["localhost"]
    assert len(results) == 8 and len(set(results)) == 1 and "127.0.0.1" in results[0]


def test_client_connections_go_through_its_resolver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: list[str] = []
    real = socket.getaddrinfo

    def counting(host: str, *args: object, **kwargs: object) -> object:
        lookups.append(host)
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", counting)
    with IndexServer(tmp_path / "files") as index:
        for version in ("1.0", "2.0", "3.0", "4.0"):
            index.add_wheel(f"pkg{version[0]}", version)
        url = index.simple_url.replace("127.0.0.1", "localhost")
        with HttpClient(FAST) as client:
            pages = client.project_pages(url, ["pkg1", "pkg2", "pkg3", "pkg4"])
    assert all(page is not None and page.files for page in pages.values())
    assert lookups.count("localhost") == 1  # every connection reused the one lookup


def test_unresolvable_host_is_a_connect_error() -> None:
    with HttpClient(ClientOptions(retries=0)) as client, pytest.raises(PuvError) as failure:
        client.get("http://nonexistent.invalid/simple/")
    assert failure.value.message == "Failed to fetch: http://nonexistent.invalid/simple/"
    assert (
        failure.value.causes[0]
        == "error sending request for url (http://nonexistent.invalid/simple/)"
    )


def test_raw_hashes_stay_raw_until_needed() -> None:
    listing = parse_json_listing(_files_page(), PAGE, "demo")
    (entry,) = listing.entries
    assert isinstance(entry.hashes, msgspec.Raw)
    assert listing.page().files[0].hashes == (("sha256", "00"),)


def _files_page() -> bytes:
    return json.dumps(
        {"files": [{"filename": "demo-1.0.tar.gz", "url": "x", "hashes": {"sha256": "00"}}]}
    ).encode()


def test_an_uncacheable_page_is_not_rewritten_when_unchanged(tmp_path: Path) -> None:
    """No freshness, no validators (some mirrors): the entry only serves offline runs, and the
    same bytes are not written again on every run."""
    cache = HttpCache(tmp_path / "cache")
    with IndexServer(tmp_path / "files", etag=False, last_modified=False) as index:
        index.add_wheel("demo", "1.0")
        with HttpClient(FAST, cache=cache) as client:
            client.project_page(index.simple_url, "demo")
        (path,) = cache.root.rglob("demo.msgpack")
        first = path.stat().st_ino
        with HttpClient(FAST, cache=cache) as client:
            client.project_page(index.simple_url, "demo")
        assert path.stat().st_ino == first and len(index.requests_to("/simple/demo/")) == 2
        index.add_wheel("demo", "2.0")
        with HttpClient(FAST, cache=cache) as client:
            page = client.project_page(index.simple_url, "demo")
        assert path.stat().st_ino != first
        url = index.simple_url
    assert page is not None and len(page.files) == 2
    with HttpClient(ClientOptions(offline=True), cache=cache) as client:
        assert client.project_page(url, "demo") == page
