"""`index/connections.py` against real local HTTP/1.1 servers: keep-alive, a connection the
server closed while idle, gzip bodies, and the proxy rules (NO_PROXY, credentials)."""

from __future__ import annotations

import base64
import gzip
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from puv.index.client import ClientOptions, HttpClient
from puv.index.connections import (
    ConnectionPool,
    TransportError,
    _bypassed,
    _no_proxy_entries,
    _proxy_authorization,
)
from puv.index.dns import HostResolver

BODY = b'{"meta": {"api-version": "1.1"}, "files": []}'


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    connections = 0
    requests: list[dict[str, str]]
    close_after_each = False  # keep-alive promised, then the idle connection is closed anyway


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.connections += 1

    def do_GET(self) -> None:
        self.server.requests.append({k.lower(): v for k, v in self.headers.items()})
        body = BODY
        gzipped = "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped:
            body = gzip.compress(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if self.server.close_after_each:
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(*, close_after_each: bool = False) -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.requests = []
    server.close_after_each = close_after_each
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _url(server: _Server, path: str = "/simple/pkg/") -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def _pool() -> ConnectionPool:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return ConnectionPool(context, HostResolver(), connect_timeout=5.0, read_timeout=5.0)


def test_connections_are_kept_alive_between_requests() -> None:
    with serving() as server:
        pool = _pool()
        for _ in range(5):
            response = pool.request("GET", _url(server), {})
            assert response.read() == BODY
            response.close()
        pool.close()
    assert server.connections == 1
    assert len(server.requests) == 5


def test_a_connection_the_server_closed_while_idle_is_replaced() -> None:
    with serving(close_after_each=True) as server:
        pool = _pool()
        for _ in range(3):
            response = pool.request("GET", _url(server), {})
            assert response.status == 200 and response.read() == BODY
            response.close()
        pool.close()
    assert len(server.requests) == 3  # each request answered once: no duplicate sends
    assert server.connections == 3


def test_an_unread_response_does_not_return_its_connection() -> None:
    with serving() as server:
        pool = _pool()
        pool.request("GET", _url(server), {}).close()  # body never read
        response = pool.request("GET", _url(server), {})
        assert response.read() == BODY
        response.close()
        pool.close()
    assert server.connections == 2


def test_pages_are_fetched_gzip_compressed_and_ranges_are_not() -> None:
    with serving() as server, HttpClient(ClientOptions(retry_delay=(0.0, 0.0))) as client:
        page = client.get(_url(server), {"Accept": "application/json"})
        ranged = client.get(_url(server, "/files/x.whl"), {"Range": "bytes=-10"})
    assert page.content == BODY and "content-encoding" not in page.headers
    assert ranged.content == BODY
    assert server.requests[0]["accept-encoding"] == "gzip"
    assert server.requests[1]["accept-encoding"] == "identity"
    assert server.requests[0]["user-agent"] == "puv"


def test_refused_connection_is_a_transport_error() -> None:
    with serving() as server:
        url = _url(server)
    with pytest.raises(TransportError) as caught:
        _pool().request("GET", url, {})
    assert caught.value.kind == "connect"
    assert "refused" in caught.value.detail.lower()


def test_unsupported_scheme() -> None:
    with pytest.raises(TransportError) as caught:
        _pool().request("GET", "ftp://example.com/x", {})
    assert caught.value.kind == "unsupported"


@pytest.mark.parametrize(
    ("no_proxy", "scheme", "host", "port", "bypassed"),
    [
        ("*", "https", "pypi.org", 443, True),
        ("example.com", "https", "example.com", 443, True),
        ("example.com", "https", "files.example.com", 443, True),
        ("example.com", "https", "notexample.com", 443, False),
        (".example.com", "https", "files.example.com", 443, True),
        ("*.example.com", "https", "files.example.com", 443, True),
        ("localhost,127.0.0.1", "http", "127.0.0.1", 8080, True),
        ("127.0.0.1:8080", "http", "127.0.0.1", 8080, True),
        ("127.0.0.1:8080", "http", "127.0.0.1", 9090, False),
        ("[::1]", "http", "::1", 80, True),
        ("http://internal", "http", "internal", 80, True),
        ("http://internal", "https", "internal", 443, False),
        ("", "https", "pypi.org", 443, False),
    ],
)
def test_no_proxy(no_proxy: str, scheme: str, host: str, port: int, bypassed: bool) -> None:
    assert _bypassed(_no_proxy_entries(no_proxy), scheme, host, port) is bypassed


def test_proxy_credentials_become_a_basic_authorization() -> None:
    assert _proxy_authorization("http://proxy:3128") is None
    header = _proxy_authorization("http://user:p%40ss@proxy:3128")
    assert header == "Basic " + base64.b64encode(b"user:p@ss").decode()
