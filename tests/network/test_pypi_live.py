"""Against the real PyPI (`-m network`): HTTP/2, JSON pages, range-request metadata, downloads."""

from __future__ import annotations

from pathlib import Path

import pytest

from puv.cache.http_cache import HttpCache
from puv.core.hashes import HashDigest
from puv.core.wheel_filename import WheelFilename
from puv.index.client import ClientOptions, HttpClient
from puv.index.metadata import metadata_by_range
from puv.index.simple import ACCEPT, DistFile

pytestmark = pytest.mark.network

PYPI = "https://pypi.org/simple/"


@pytest.fixture(scope="module")
def client():
    with HttpClient(ClientOptions()) as live:
        yield live


def _latest_wheel(client: HttpClient, name: str) -> DistFile:
    page = client.project_page(PYPI, name)
    assert page is not None
    wheels = [f for f in page.files if f.is_wheel and not f.yanked]
    return max(wheels, key=lambda f: WheelFilename.parse(f.filename).version)


def test_pypi_speaks_json_over_http1(client: HttpClient) -> None:
    response = client.get(PYPI + "idna/", {"Accept": ACCEPT})
    assert response.http_version == "HTTP/1.1"  # see `puv.index.client`
    assert response.headers["content-type"].startswith("application/vnd.pypi.simple.v1+json")
    page = client.project_page(PYPI, "idna")
    assert page is not None and page.api_version is not None
    assert any(f.is_wheel for f in page.files) and any(not f.is_wheel for f in page.files)
    assert all(f.hash("sha256") for f in page.files)


def test_range_metadata_matches_the_pep658_file(client: HttpClient) -> None:
    wheel = _latest_wheel(client, "idna")
    by_range = metadata_by_range(client, wheel.url, WheelFilename.parse(wheel.filename))
    assert b"Name: idna" in by_range
    # The `.metadata` sibling exists even where the index does not advertise it.
    assert client.get(wheel.metadata_url).content == by_range


def test_download_checks_pypis_hash(client: HttpClient, tmp_path: Path) -> None:
    wheel = _latest_wheel(client, "idna")
    digest = wheel.hash("sha256")
    assert digest is not None
    result = client.download(
        wheel.url, tmp_path / wheel.filename, expected=[HashDigest("sha256", digest)]
    )
    assert result.size == (wheel.size or result.size)


def test_warm_cache_round_trip(tmp_path: Path) -> None:
    cache = HttpCache(tmp_path / "simple")
    with HttpClient(ClientOptions(), cache=cache) as online:
        cold = online.project_page(PYPI, "six")
    with HttpClient(ClientOptions(offline=True), cache=cache) as offline:
        assert offline.project_page(PYPI, "six") == cold
