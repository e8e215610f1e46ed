"""The HTTP client against a local index (security.md table D), and index selection (C7)."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from puv.cache.http_cache import HttpCache
from puv.core.errors import PuvError
from puv.core.hashes import HashDigest, HashMismatchError
from puv.index.client import ClientOptions, HttpClient, NetworkError, OfflineError
from puv.index.indexes import (
    PYPI_URL,
    Index,
    IndexList,
    IndexStrategy,
    PackageFinder,
    command_line_indexes,
    index_from_argument,
)
from puv.index.simple import ACCEPT
from tests.indexserver import IndexServer

UV = Path(sys.executable).with_name("uv")


def fast(**overrides: object) -> ClientOptions:
    """Options for tests: no backoff sleeps."""
    return ClientOptions(retry_delay=(0.0, 0.0), **overrides)  # type: ignore[arg-type]


@pytest.fixture
def index(tmp_path: Path):
    with IndexServer(tmp_path / "files", cache_control="max-age=0") as server:
        server.add_wheel("corp-lib", "1.0", requires_python=">=3.8")
        server.add_sdist("corp-lib", "1.0")
        yield server


# ---------------------------------------------------------------- options from the environment


def test_defaults_match_uv() -> None:
    options = ClientOptions.from_env({})
    assert (options.read_timeout, options.connect_timeout) == (30.0, 10.0)
    assert (options.retries, options.concurrency, options.offline) == (3, 50, False)
    assert options.credentials.netrc_path is None


def test_environment_variables_and_aliases() -> None:
    env = {
        "HTTP_TIMEOUT": "7",
        "UV_REQUEST_TIMEOUT": "8",
        "UV_HTTP_CONNECT_TIMEOUT": "2",
        "UV_HTTP_RETRIES": "5",
        "PUV_HTTP_RETRIES": "1",
        "UV_CONCURRENT_DOWNLOADS": "4",
        "UV_OFFLINE": "true",
        "UV_INSECURE_HOST": "a.example b.example:8443",
        "SSL_CERT_FILE": "/certs/ca.pem",
        "https_proxy": "proxy.example:3128",
        "NO_PROXY": "localhost",
        "NETRC": "/n/netrc",
    }
    options = ClientOptions.from_env(env)
    assert options.read_timeout == 8.0  # UV_REQUEST_TIMEOUT beats HTTP_TIMEOUT
    assert ClientOptions.from_env({**env, "UV_HTTP_TIMEOUT": "9"}).read_timeout == 9.0
    assert options.connect_timeout == 2.0
    assert options.retries == 1  # the PUV_ twin wins
    assert options.concurrency == 4 and options.offline
    assert options.insecure_hosts == ("a.example", "b.example:8443")
    assert options.ssl_cert_file == "/certs/ca.pem"
    assert options.proxies == (("https", "http://proxy.example:3128"),)
    assert options.no_proxy == "localhost"
    assert options.credentials.netrc_path == "/n/netrc"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("UV_HTTP_TIMEOUT", "abc"),
        ("UV_HTTP_TIMEOUT", "1.5"),
        ("UV_HTTP_RETRIES", "foo"),
        ("UV_HTTP_RETRIES", "999999999999"),
        ("UV_CONCURRENT_DOWNLOADS", "0"),
        ("UV_HTTP_CONNECT_TIMEOUT", "-1"),
    ],
)
def test_invalid_variables_fail_as_uv_does(variable: str, value: str, tmp_path: Path) -> None:
    with pytest.raises(PuvError) as caught:
        ClientOptions.from_env({variable: value})
    if not UV.exists():
        pytest.skip("uv is not installed next to the interpreter")
    env = {
        **os.environ,
        variable: value,
        "UV_CACHE_DIR": str(tmp_path / "cache"),
        "UV_PYTHON_DOWNLOADS": "never",
        "NO_COLOR": "1",
        "UV_NO_WRAP": "1",
    }
    result = subprocess.run(
        [str(UV), "pip", "compile", "-", "--no-index"],
        input="",
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.stderr.splitlines()[0] == f"error: {caught.value.message}"


# ---------------------------------------------------------------- construction is lazy


def test_constructing_a_client_does_not_import_the_connections() -> None:
    code = (
        "import sys\n"
        "from puv.index.client import ClientOptions, HttpClient\n"
        "HttpClient(ClientOptions.from_env({})).close()\n"
        "assert 'puv.index.connections' not in sys.modules, 'connections imported'\n"
        "assert 'http.client' not in sys.modules, 'http.client imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- D1: status policy


def test_server_error_is_retried_then_reported_like_uv(index: IndexServer) -> None:
    index.always("/simple/", 500)
    with HttpClient(fast()) as client, pytest.raises(NetworkError) as caught:
        client.project_page(index.simple_url, "corp-lib")
    error = caught.value
    url = f"{index.simple_url}corp-lib/"
    assert error.message.startswith("Request failed after 3 retries in ")
    assert error.causes == (
        f"Failed to fetch: {url}",
        f"HTTP status server error (500 Internal Server Error) for url ({url})",
    )
    assert len(index.requests_to("/simple/corp-lib/")) == 4  # N retries = N + 1 requests


def test_retries_knob_is_honoured(index: IndexServer) -> None:
    index.always("/simple/", 503)
    with HttpClient(fast(retries=1)) as client, pytest.raises(NetworkError) as caught:
        client.project_page(index.simple_url, "corp-lib")
    assert caught.value.message.startswith("Request failed after 1 retry in ")
    assert len(index.requests) == 2


def test_error_shape_matches_real_uv(index: IndexServer, tmp_path: Path) -> None:
    """Same server, same failure: uv's `error:` / `cause:` lines equal ours (time masked)."""
    if not UV.exists():
        pytest.skip("uv is not installed next to the interpreter")
    index.always("/simple/", 500)
    with HttpClient(fast(retries=1)) as client, pytest.raises(NetworkError) as caught:
        client.project_page(index.simple_url, "corp-lib")
    ours = [f"error: {caught.value.message}", *(f"  cause: {c}" for c in caught.value.causes)]
    index.reset()
    index.always("/simple/", 500)
    env = {
        **os.environ,
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "UV_HTTP_RETRIES": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "NO_COLOR": "1",
        "UV_NO_WRAP": "1",
    }
    result = subprocess.run(
        [str(UV), "pip", "compile", "--no-header", "-", "--index-url", index.simple_url],
        input="corp-lib\n",
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    theirs = result.stderr.strip().splitlines()

    def mask(lines: list[str]) -> list[str]:
        return [line.split(" in ")[0] if "Request failed" in line else line for line in lines]

    assert mask(theirs) == mask(ours)
    assert len(index.requests) == 2


def test_transient_503s_then_success(index: IndexServer) -> None:
    index.script("/simple/corp-lib/", [503, 503, 200])
    with HttpClient(fast()) as client:
        page = client.project_page(index.simple_url, "corp-lib")
    assert page is not None and len(page.files) == 2
    assert len(index.requests) == 3


@pytest.mark.parametrize("status", [408, 429, 502])
def test_other_retryable_statuses(index: IndexServer, status: int) -> None:
    index.script("/simple/corp-lib/", [status])
    with HttpClient(fast()) as client:
        assert client.project_page(index.simple_url, "corp-lib") is not None
    assert len(index.requests) == 2


def test_404_means_not_on_this_index_and_is_not_retried(index: IndexServer) -> None:
    with HttpClient(fast()) as client:
        assert client.project_page(index.simple_url, "no-such-package") is None
    assert len(index.requests) == 1


def test_dropped_connections_are_retried(tmp_path: Path) -> None:
    """A server that accepts and closes at once: a transport error, retried, then reported."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    accepted = 0

    def serve() -> None:
        nonlocal accepted
        for _ in range(3):
            conn, _ = listener.accept()
            accepted += 1
            conn.close()

    import threading

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/simple/"
    try:
        with HttpClient(fast(retries=2)) as client, pytest.raises(NetworkError) as caught:
            client.project_page(url, "corp-lib")
    finally:
        thread.join(timeout=10)
        listener.close()
    assert caught.value.message.startswith("Request failed after 2 retries")
    assert caught.value.causes[1] == f"error sending request for url ({url}corp-lib/)"
    assert accepted == 3


def test_connection_refused_names_the_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/simple/"
    with HttpClient(fast(retries=0)) as client, pytest.raises(NetworkError) as caught:
        client.project_page(url, "x")
    assert caught.value.kind == "connect"
    assert caught.value.message == f"Failed to fetch: {url}x/"


# ---------------------------------------------------------------- D3: timeouts


def test_read_timeout_names_the_knob(index: IndexServer) -> None:
    index.delay("/simple/", 60.0)  # released when the server stops
    options = ClientOptions.from_env({"UV_HTTP_TIMEOUT": "1", "UV_HTTP_RETRIES": "0"})
    with HttpClient(options) as client, pytest.raises(NetworkError) as caught:
        client.project_page(index.simple_url, "corp-lib")
    error = caught.value
    assert error.kind == "timeout"
    assert "operation timed out" in error.causes
    assert error.causes[-1] == (
        "Failed to download distribution due to network timeout. "
        "Try increasing UV_HTTP_TIMEOUT (current value: 1s)."
    )


# ---------------------------------------------------------------- D4: TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_index(tmp_path: Path, certificate: tuple[Path, Path]):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with IndexServer(tmp_path / "tls", tls=context) as server:
        server.add_wheel("corp-lib", "1.0")
        yield server


def test_self_signed_certificate_fails_once_with_a_hint(tls_index: IndexServer) -> None:
    with HttpClient(fast()) as client, pytest.raises(NetworkError) as caught:
        client.project_page(tls_index.simple_url, "corp-lib")
    error = caught.value
    assert error.kind == "tls" and error.retries == 0
    assert error.hint is not None
    assert "SSL_CERT_FILE" in error.hint and "--allow-insecure-host 127.0.0.1" in error.hint
    assert tls_index.connections == 1 and tls_index.requests == []


def test_allow_insecure_host_accepts_the_certificate(tls_index: IndexServer) -> None:
    port = tls_index.url.rsplit(":", 1)[1]
    for entry in ("127.0.0.1", f"127.0.0.1:{port}", f"https://127.0.0.1:{port}"):
        with HttpClient(fast(insecure_hosts=(entry,))) as client:
            assert client.project_page(tls_index.simple_url, "corp-lib") is not None
    with HttpClient(fast(insecure_hosts=("127.0.0.1:1",))) as client, pytest.raises(NetworkError):
        client.project_page(tls_index.simple_url, "corp-lib")


def test_ca_file_accepts_the_certificate(
    tls_index: IndexServer, certificate: tuple[Path, Path]
) -> None:
    with HttpClient(fast(ssl_cert_file=str(certificate[0]))) as client:
        page = client.project_page(tls_index.simple_url, "corp-lib")
    assert page is not None and page.files[0].url.startswith("https://127.0.0.1:")


def test_missing_ca_file_warns_that_no_roots_are_trusted(
    tls_index: IndexServer, tmp_path: Path
) -> None:
    warnings: list[str] = []
    missing = tmp_path / "missing.pem"
    client = HttpClient(fast(ssl_cert_file=str(missing)), warn=warnings.append)
    with client, pytest.raises(NetworkError):
        client.project_page(tls_index.simple_url, "corp-lib")
    assert warnings == [
        f"Invalid `SSL_CERT_FILE`. Path does not exist: {missing}. "
        "No default certificates will be trusted."
    ]


# ---------------------------------------------------------------- D5: offline


def test_offline_cold_cache_fails_with_uvs_message(index: IndexServer, tmp_path: Path) -> None:
    cache = HttpCache(tmp_path / "cache")
    with HttpClient(fast(offline=True), cache=cache) as client:
        with pytest.raises(OfflineError) as caught:
            client.project_page(index.simple_url, "corp-lib")
        with pytest.raises(OfflineError):
            client.download(index.file_url("corp_lib-1.0.tar.gz"), tmp_path / "x.tar.gz")
    assert caught.value.message == (
        "Network connectivity is disabled, but the requested data wasn't found in the cache "
        f"for: `{index.simple_url}corp-lib/`"
    )
    assert index.requests == []


def test_offline_warm_cache_opens_no_socket(
    index: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = HttpCache(tmp_path / "cache")
    with HttpClient(fast(), cache=cache) as client:
        online = client.project_page(index.simple_url, "corp-lib")

    def no_sockets(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened in offline mode")

    monkeypatch.setattr(socket, "socket", no_sockets)
    monkeypatch.setattr(socket, "create_connection", no_sockets)
    with HttpClient(fast(offline=True), cache=cache) as client:
        # The entry is stale (max-age=0), but offline mode uses whatever the cache holds.
        assert client.project_page(index.simple_url, "corp-lib") == online


# ---------------------------------------------------------------- negotiation, proxies, downloads


def test_content_negotiation_prefers_json_and_falls_back_to_html(tmp_path: Path) -> None:
    with IndexServer(tmp_path / "html-only", json=False) as html_only:
        html_only.add_wheel("corp-lib", "1.0", requires_python=">=3.9")
        with HttpClient(fast()) as client:
            page = client.project_page(html_only.simple_url, "corp-lib")
        assert html_only.requests[0].header("accept") == ACCEPT
    assert page is not None and page.api_version is None
    assert page.files[0].requires_python == ">=3.9"


def test_proxy_from_environment(index: IndexServer, tmp_path: Path) -> None:
    with IndexServer(tmp_path / "proxy-root") as proxy:
        proxy.add_wheel("corp-lib", "1.0")
        options = ClientOptions.from_env({"http_proxy": proxy.url})
        with HttpClient(options) as client:
            assert client.project_page(index.simple_url, "corp-lib") is not None
        assert [r.proxied for r in proxy.requests] == [True]
        assert index.requests == []
        bypass = ClientOptions.from_env({"http_proxy": proxy.url, "NO_PROXY": "127.0.0.1"})
        with HttpClient(bypass) as client:
            assert client.project_page(index.simple_url, "corp-lib") is not None
        assert len(proxy.requests) == 1 and len(index.requests) == 1


def test_download_streams_hashes_and_checks(index: IndexServer, tmp_path: Path) -> None:
    page_files = {f.name: f for f in index.files()}
    wheel = page_files["corp_lib-1.0-py3-none-any.whl"]
    import hashlib

    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    target = tmp_path / "out" / wheel.name
    with HttpClient(fast()) as client:
        result = client.download(
            index.file_url(wheel.name), target, expected=[HashDigest("sha256", digest)]
        )
        assert result.digests == (HashDigest("sha256", digest),)
        assert result.size == wheel.stat().st_size == target.stat().st_size
        bad = tmp_path / "bad" / wheel.name
        with pytest.raises(HashMismatchError) as caught:
            client.download(
                index.file_url(wheel.name),
                bad,
                expected=[HashDigest("sha256", "0" * 64)],
                distribution="corp-lib==1.0",
            )
    assert caught.value.message.startswith("Hash mismatch for `corp-lib==1.0`")
    assert digest in caught.value.message
    assert list(bad.parent.iterdir()) == []  # nothing persisted, no temp file left


def test_download_retries_a_transient_failure(index: IndexServer, tmp_path: Path) -> None:
    index.script("/files/", [500])
    with HttpClient(fast()) as client:
        result = client.download(index.file_url("corp_lib-1.0.tar.gz"), tmp_path / "s.tar.gz")
    assert result.path.read_bytes() == (index.root / "corp_lib-1.0.tar.gz").read_bytes()
    assert len(index.requests) == 2


def test_many_pages_concurrently(tmp_path: Path) -> None:
    with IndexServer(tmp_path / "many") as server:
        names = [f"pkg-{i}" for i in range(20)]
        for name in names:
            server.add_wheel(name, "1.0")
        with HttpClient(fast(concurrency=8)) as client:
            pages = client.project_pages(server.simple_url, [*names, "missing"])
    assert pages["missing"] is None
    assert all(pages[name] is not None and pages[name].name == name for name in names)  # type: ignore[union-attr]


# ---------------------------------------------------------------- index list and strategy (C7)


def test_command_line_index_order_and_default_last() -> None:
    configured = [Index("https://corp.example/simple", name="corp", explicit=True)]
    indexes = command_line_indexes(
        default_index="https://default.example/simple",
        index=["first=https://first.example/simple", "corp"],
        extra_index_url=["https://extra.example/simple"],
        configured=configured,
    )
    assert [i.url for i in indexes] == [
        "https://default.example/simple",
        "https://first.example/simple",
        "https://corp.example/simple",
        "https://extra.example/simple",
    ]
    assert indexes[0].default and indexes[1].name == "first" and indexes[2].explicit
    order = IndexList(tuple(indexes)).search_order()
    assert [i.url for i in order] == [
        "https://first.example/simple",
        "https://extra.example/simple",
        "https://default.example/simple",
    ]


def test_pypi_is_the_default_and_no_index_searches_nothing(tmp_path: Path) -> None:
    assert [i.url for i in IndexList().search_order()] == [PYPI_URL]
    assert IndexList(no_index=True).search_order() == ()
    assert index_from_argument(str(tmp_path)).url == tmp_path.as_uri()
    with pytest.raises(PuvError):
        index_from_argument("bad name=https://x.example/simple")


@pytest.fixture
def two_indexes(tmp_path: Path):
    with (
        IndexServer(tmp_path / "internal", cache_control="max-age=0") as internal,
        IndexServer(tmp_path / "public", cache_control="max-age=0") as public,
    ):
        internal.add_wheel("corp-lib", "1.0")
        public.add_wheel("corp-lib", "1.0", files={"corp_lib/__init__.py": b"PUBLIC = True\n"})
        public.add_wheel("corp-lib", "99.0")
        public.add_wheel("requests", "2.0")
        yield internal, public


def _finder(internal: IndexServer, public: IndexServer, strategy: IndexStrategy) -> PackageFinder:
    indexes = IndexList(
        (Index(internal.simple_url, name="internal"), Index(public.simple_url, default=True)),
        strategy=strategy,
    )
    return PackageFinder(HttpClient(fast()), indexes)


def test_first_index_defends_against_dependency_confusion(two_indexes) -> None:
    internal, public = two_indexes
    found = _finder(internal, public, IndexStrategy.FIRST_INDEX).find("corp-lib")
    assert [str(v.version) for v in found.versions] == ["1.0"]
    assert all(f.url.startswith(internal.url) for v in found.versions for f in v.files)
    assert public.requests_to("/simple/corp-lib/") == []
    # A package the internal index lacks (404) falls through to the next index.
    fallback = _finder(internal, public, IndexStrategy.FIRST_INDEX).find("requests")
    assert [str(v.version) for v in fallback.versions] == ["2.0"]


def test_unsafe_best_match_takes_the_best_version_first_index_per_version(two_indexes) -> None:
    internal, public = two_indexes
    found = _finder(internal, public, IndexStrategy.UNSAFE_BEST_MATCH).find("corp-lib")
    assert [(str(v.version), v.rank) for v in found.versions] == [("99.0", 1), ("1.0", 0)]
    assert found.versions[1].files[0].url.startswith(internal.url)


def test_unsafe_first_match_exhausts_the_first_index_first(two_indexes) -> None:
    internal, public = two_indexes
    found = _finder(internal, public, IndexStrategy.UNSAFE_FIRST_MATCH).find("corp-lib")
    assert [(str(v.version), v.rank) for v in found.versions] == [("1.0", 0), ("99.0", 1)]


def test_first_index_stops_at_401_and_reports_it(two_indexes) -> None:
    internal, public = two_indexes
    internal.require_auth("a", "b")
    found = _finder(internal, public, IndexStrategy.FIRST_INDEX).find("corp-lib")
    assert found.versions == ()
    assert found.auth_failure is not None and found.auth_failure[1] == 401
    assert public.requests == []
    # The unsafe strategies treat an authentication failure as "not here".
    found = _finder(internal, public, IndexStrategy.UNSAFE_BEST_MATCH).find("corp-lib")
    assert [str(v.version) for v in found.versions] == ["99.0", "1.0"]


def test_explicit_index_only_when_pinned(two_indexes) -> None:
    internal, public = two_indexes
    indexes = IndexList(
        (
            Index(internal.simple_url, name="internal", explicit=True),
            Index(public.simple_url, default=True),
        )
    )
    finder = PackageFinder(HttpClient(fast()), indexes)
    assert [str(v.version) for v in finder.find("corp-lib").versions] == ["99.0", "1.0"]
    pinned = finder.find("corp-lib", pinned=indexes.named("internal"))
    assert [str(v.version) for v in pinned.versions] == ["1.0"]
    assert internal.requests_to("/simple/") and pinned.searched == (indexes.named("internal"),)


def test_find_links_directory_and_page(two_indexes, tmp_path: Path) -> None:
    internal, public = two_indexes
    local = tmp_path / "wheels"
    local.mkdir()
    shutil.copy(internal.files()[0], local)
    finder = PackageFinder(
        HttpClient(fast()),
        IndexList(find_links=(str(local), public.flat_url), no_index=True),
    )
    found = finder.find("corp-lib")
    assert [str(v.version) for v in found.versions] == ["99.0", "1.0"]
    one = found.versions[1]
    assert one.index is None and len(one.files) == 2
    assert one.files[0].url == (local / internal.files()[0].name).as_uri()
    assert finder.find("nothing-here").versions == ()


def test_finder_offline_with_nothing_cached_raises(two_indexes) -> None:
    internal, _ = two_indexes
    finder = PackageFinder(HttpClient(fast(offline=True)), IndexList((Index(internal.simple_url),)))
    with pytest.raises(OfflineError):
        finder.find("corp-lib")


def test_nested_maps_do_not_starve_the_pool(two_indexes) -> None:
    """find_many (outer map) -> unsafe strategy (inner map) with a pool of one worker."""
    internal, public = two_indexes
    indexes = IndexList(
        (Index(internal.simple_url), Index(public.simple_url, default=True)),
        strategy=IndexStrategy.UNSAFE_BEST_MATCH,
    )
    finder = PackageFinder(HttpClient(fast(concurrency=1)), indexes)
    found = finder.find_many(["corp-lib", "requests"])
    assert [str(v.version) for v in found["corp-lib"].versions] == ["99.0", "1.0"]
    assert [str(v.version) for v in found["requests"].versions] == ["2.0"]


def test_close_cancels_work_nobody_started_and_waits_for_the_rest() -> None:
    import threading

    release = threading.Event()
    ran: list[int] = []
    client = HttpClient(ClientOptions(concurrency=1))
    running = client.submit(lambda: (release.wait(10), ran.append(0)))
    queued = [client.submit(ran.append, n) for n in (1, 2)]
    queued[-1].add_done_callback(lambda _: release.set())  # runs when close cancels it
    client.close()
    assert running.done() and ran == [0]
    assert all(future.cancelled() for future in queued)
