"""The HTTP client every network access of puv goes through.

Built on the standard library's `http.client` (`connections.py`: keep-alive pooling, timeouts,
proxies; imported on the first request, so a no-op command never pays for it) with a thread
pool for many requests in flight over HTTP/1.1 connections, uv's retry policy (3 retries with
exponential backoff on 5xx, 408, 429, dropped connections and read timeouts; TLS certificate
errors and connect timeouts are not retried), uv's timeouts and error messages, redirects followed
by hand with credentials per origin (dropped on a cross-origin redirect), TLS roots from the
system store (or `SSL_CERT_FILE` / `SSL_CERT_DIR`), `--allow-insecure-host`, offline mode (cache
only), HTTP caching of simple pages (fetched gzip-compressed when the server offers it), and
downloads streamed to disk while hashing.

Library code never reads `os.environ`: the operations layer builds a `ClientOptions` (use
`ClientOptions.from_env` for the `UV_*` part) and hands it to `HttpClient`.

Requests go over HTTP/1.1 only. HTTP/2 (httpx with h2, tried first) was not faster: fetching the
83 project pages of a 100-package resolution took the same wall time on both, downloading 15
wheels (51 MB) 1.2-1.3 s and 0.35 s of CPU on HTTP/1.1 against 1.4-1.6 s and 0.5 s on HTTP/2, and
httpcore's HTTP/2 connection was not safe under a thread pool (encode/httpx#3566). The costs of
HTTP/1.1's extra connections are kept down by keep-alive and by resolving each host once per
client (`dns.py`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

from msgspec import Struct, field
from msgspec.structs import replace

from puv.cache.http_cache import (
    CacheEntry,
    HttpCache,
    Refresh,
    policy_from_headers,
    revalidated,
    url_digest,
)
from puv.cache.persist import open_atomic
from puv.core.env import env_bool, env_value, source_name
from puv.core.errors import PuvError
from puv.core.hashes import HashDigest, MultiHasher, algorithms_for, check_hashes
from puv.index.auth import CredentialStore, credential_store, redact, same_origin, split_credentials
from puv.index.simple import (
    ACCEPT,
    JSON_CONTENT_TYPE,
    PageListing,
    PageParseError,
    ProjectPage,
    decode_page,
    encode_page,
    is_json_content_type,
    parse_html,
    parse_json_listing,
    parse_page_listing,
)

if TYPE_CHECKING:
    import ssl
    from concurrent.futures import Future, ThreadPoolExecutor

    from puv.index.connections import ConnectionPool, Response, TransportError
    from puv.index.dns import HostResolver

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_RETRIES = 3
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_CONCURRENCY = 50
MAX_REDIRECTS = 10
CHUNK_SIZE = 256 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ENCODING_HEADERS = frozenset({"content-encoding", "content-length"})


# ---------------------------------------------------------------- options


class ClientOptions(Struct, frozen=True):
    """Everything the client needs to know, resolved once by the operations layer.

    `proxies` holds (scheme, proxy URL) pairs with scheme `http`, `https` or `all`;
    `no_proxy` the comma-separated `NO_PROXY` list. `insecure_hosts` are `host` or `host:port`
    entries (`--allow-insecure-host`). `retry_delay` bounds the exponential backoff in seconds.
    """

    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    retries: int = DEFAULT_RETRIES
    retry_delay: tuple[float, float] = (2.0, 30.0)
    concurrency: int = DEFAULT_CONCURRENCY
    offline: bool = False
    insecure_hosts: tuple[str, ...] = ()
    ssl_cert_file: str | None = None
    ssl_cert_dir: str | None = None
    ssl_client_cert: str | None = None
    proxies: tuple[tuple[str, str], ...] = ()
    no_proxy: str | None = None
    credentials: CredentialStore = field(default_factory=CredentialStore)
    user_agent: str = "puv"

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str],
        *,
        indexes: Iterable[tuple[str | None, str]] = (),
    ) -> ClientOptions:
        """Read uv's network variables (a `PUV_*` twin wins over its `UV_*` variable).

        `UV_HTTP_TIMEOUT` (else `UV_REQUEST_TIMEOUT`, else `HTTP_TIMEOUT`),
        `UV_HTTP_CONNECT_TIMEOUT`, `UV_HTTP_RETRIES`, `UV_CONCURRENT_DOWNLOADS`, `UV_OFFLINE`,
        `UV_INSECURE_HOST`, `SSL_CERT_FILE`, `SSL_CERT_DIR`, `SSL_CLIENT_CERT`, the proxy
        variables, `NETRC` (else `~/.netrc`), `UV_INDEX_<NAME>_USERNAME/PASSWORD` for the named
        `indexes` ((name, url) pairs), and uv's `UV_TEST_NO_HTTP_RETRY_DELAY` (no backoff, for
        tests). Invalid values raise uv's parse error. Roots come from the system store
        (`UV_SYSTEM_CERTS` / `UV_NATIVE_TLS` are therefore the default and not read).
        """
        read_timeout = None
        for name in ("UV_HTTP_TIMEOUT", "UV_REQUEST_TIMEOUT", "HTTP_TIMEOUT"):
            read_timeout = _env_seconds(name, environ)
            if read_timeout is not None:
                break
        connect_timeout = _env_seconds("UV_HTTP_CONNECT_TIMEOUT", environ)
        retries = _env_int("UV_HTTP_RETRIES", environ, maximum=2**32 - 1)
        concurrency = _env_int("UV_CONCURRENT_DOWNLOADS", environ, maximum=2**64 - 1, nonzero=True)
        insecure = env_value("UV_INSECURE_HOST", environ)
        proxies = []
        for scheme in ("http", "https", "all"):
            proxy = environ.get(f"{scheme}_proxy") or environ.get(f"{scheme.upper()}_PROXY")
            if proxy:
                proxies.append((scheme, proxy if "://" in proxy else f"http://{proxy}"))
        home = environ.get("HOME") or environ.get("USERPROFILE")
        netrc_path = environ.get("NETRC") or (str(Path(home, ".netrc")) if home else None)
        no_delay = env_bool("UV_TEST_NO_HTTP_RETRY_DELAY", environ)
        return cls(
            connect_timeout=connect_timeout
            if connect_timeout is not None
            else DEFAULT_CONNECT_TIMEOUT,
            read_timeout=read_timeout if read_timeout is not None else DEFAULT_READ_TIMEOUT,
            retries=retries if retries is not None else DEFAULT_RETRIES,
            retry_delay=(0.0, 0.0) if no_delay else (2.0, 30.0),
            concurrency=concurrency if concurrency is not None else DEFAULT_CONCURRENCY,
            offline=bool(env_bool("UV_OFFLINE", environ)),
            insecure_hosts=tuple(insecure.split()) if insecure else (),
            ssl_cert_file=environ.get("SSL_CERT_FILE") or None,
            ssl_cert_dir=environ.get("SSL_CERT_DIR") or None,
            ssl_client_cert=environ.get("SSL_CLIENT_CERT") or None,
            proxies=tuple(proxies),
            no_proxy=environ.get("no_proxy") or environ.get("NO_PROXY") or None,
            credentials=credential_store(indexes, environ, netrc_path),
        )


def _env_int(
    name: str, environ: Mapping[str, str], *, maximum: int, nonzero: bool = False
) -> int | None:
    """An unsigned integer variable parsed as uv (Rust) does, with its error wording."""
    raw = env_value(name, environ)
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit():
        reason = "invalid digit found in string"
    elif int(raw) > maximum:
        reason = "number too large to fit in target type"
    elif nonzero and int(raw) == 0:
        reason = "number would be zero for non-zero type"
    else:
        return int(raw)
    hint = "; value should be an integer number of seconds" if "TIMEOUT" in name else ""
    raise PuvError(
        f"Failed to parse environment variable `{source_name(name, environ)}` with invalid "
        f"value `{raw}`: {reason}{hint}"
    )


def _env_seconds(name: str, environ: Mapping[str, str]) -> float | None:
    value = _env_int(name, environ, maximum=2**64 - 1)
    return float(value) if value is not None else None


# ---------------------------------------------------------------- results and errors


class HttpResponse(Struct, frozen=True):
    """A complete response: status, lower-cased headers, body, final URL (redacted), protocol."""

    status: int
    headers: dict[str, str]
    content: bytes
    url: str
    http_version: str = "HTTP/1.1"


class DownloadResult(Struct, frozen=True):
    """A file written to disk, with the digests computed while it streamed in."""

    path: Path
    digests: tuple[HashDigest, ...]
    size: int


class NetworkError(PuvError):
    """A request that failed; `kind` is `status`, `connect`, `timeout`, `tls`, `offline` or `io`.

    The message follows uv 0.13: `Failed to fetch: <url>` (or `Request failed after N retries in
    1.2s` when retried, the fetch line then becoming the first cause), then the cause chain.
    """

    def __init__(
        self,
        kind: str,
        url: str,
        causes: Sequence[str],
        *,
        status: int | None = None,
        retries: int = 0,
        elapsed: float = 0.0,
        hint: str | None = None,
        message: str | None = None,
    ) -> None:
        shown = redact(url)
        fetch = message or f"Failed to fetch: {shown}"
        chain = [redact(cause) for cause in causes]
        if retries:
            subject = "retry" if retries == 1 else "retries"
            chain.insert(0, fetch)
            fetch = f"Request failed after {retries} {subject} in {elapsed:.1f}s"
        super().__init__(fetch, causes=chain, hint=hint)
        self.kind = kind
        self.url = shown
        self.status = status
        self.retries = retries


class OfflineError(NetworkError):
    """Offline mode, and the data is not in the cache."""

    def __init__(self, url: str) -> None:
        super().__init__(
            "offline",
            url,
            (),
            message="Network connectivity is disabled, but the requested data wasn't found in "
            f"the cache for: `{redact(url)}`",
        )


def status_cause(status: int, url: str) -> str:
    """uv's line for an HTTP error status: `HTTP status server error (500 ...) for url (...)`."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    family = "server" if status >= 500 else "client"
    return f"HTTP status {family} error ({status} {phrase}) for url ({redact(url)})"


def _retryable_status(status: int) -> bool:
    return status >= 500 or status in (408, 429)


class _Transient(Exception):
    """A failed attempt that may succeed if retried; carries the error to raise otherwise."""

    def __init__(self, error: NetworkError) -> None:
        super().__init__(error.message)
        self.error = error


# ---------------------------------------------------------------- the client


class HttpClient:
    """Thread-safe; cheap to construct (connections are set up on the first request).

    `cache` enables HTTP caching of simple pages; `refresh` forces their revalidation;
    `warn` and `debug` receive (redacted) lines for the printer.
    """

    def __init__(
        self,
        options: ClientOptions | None = None,
        *,
        cache: HttpCache | None = None,
        refresh: Refresh | None = None,
        warn: Callable[[str], None] | None = None,
        debug: Callable[[str], None] | None = None,
    ) -> None:
        self.options = options or ClientOptions()
        self.cache = cache
        self.refresh = refresh
        self._warn = warn
        self._debug = debug
        self._lock = threading.Lock()
        self._pools: dict[str, ConnectionPool] = {}  # by TLS kind
        self._resolver: HostResolver | None = None  # shared by the pools' connections
        self._executor: ThreadPoolExecutor | None = None
        self._worker = threading.local()

    # ---- lifecycle

    def close(self) -> None:
        """Close connections and the worker pool: work not started yet (speculative prefetches
        nobody waited for) is cancelled, work in progress is waited for."""
        with self._lock:
            pools, self._pools = self._pools, {}
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        for pool in pools.values():
            pool.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- concurrency

    def submit(self, fn: Callable[..., R], *args: Any) -> Future[R]:
        """Run `fn(*args)` on the client's pool (at most `concurrency` at once)."""
        from concurrent.futures import ThreadPoolExecutor

        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=max(1, self.options.concurrency),
                    thread_name_prefix="puv-http",
                    initializer=self._mark_worker,
                )
            executor = self._executor
        try:
            return executor.submit(fn, *args)
        except RuntimeError:  # shut down (the command is over): a prefetch nobody waits for
            from concurrent.futures import Future

            refused: Future[R] = Future()
            refused.cancel()
            return refused

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """`[fn(item) for item in items]`, run concurrently; the first error is raised.

        Called from one of the pool's own workers it runs in that thread, so nested maps
        (find many packages -> search several indexes) can never starve the pool.
        """
        pending = list(items)
        if len(pending) <= 1 or getattr(self._worker, "active", False):
            return [fn(item) for item in pending]
        futures = [self.submit(fn, item) for item in pending]
        return [future.result() for future in futures]

    def _mark_worker(self) -> None:
        self._worker.active = True

    # ---- requests

    def get(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        accept_status: Iterable[int] = (),
    ) -> HttpResponse:
        """GET `url` with retries; a non-2xx status not in `accept_status` raises NetworkError."""
        if url.startswith("file:"):
            return self._get_file(url)
        if self.options.offline:
            raise OfflineError(url)
        allowed = frozenset(accept_status)
        return self._with_retries(url, lambda: self._get_once(url, headers or {}, allowed))

    def download(
        self,
        url: str,
        target: Path,
        *,
        expected: Sequence[HashDigest] = (),
        distribution: str | None = None,
    ) -> DownloadResult:
        """Stream `url` to `target` (atomically) while hashing; check `expected` digests.

        A hash mismatch raises uv's "Hash mismatch for `<distribution>`" error and leaves
        nothing at `target`.
        """
        name = distribution or unquote(urlsplit(url).path.rpartition("/")[2])
        algorithms = algorithms_for(expected)
        if url.startswith("file:"):
            return self._copy_file(url, target, expected, name, algorithms)
        if self.options.offline:
            raise OfflineError(url)
        return self._with_retries(
            url, lambda: self._download_once(url, target, expected, name, algorithms)
        )

    # ---- simple API

    def project_page(
        self,
        index_url: str,
        name: str,
        *,
        not_found: Iterable[int] = (404, 410),
    ) -> ProjectPage | None:
        """The simple-API page of `name` (normalized) on `index_url`; None if the index lacks it.

        JSON is preferred (`Accept` negotiation); pages are cached and revalidated. A status in
        `not_found` means "not on this index"; 401/403 raise with a hint about credentials.
        """
        listing = self.project_listing(index_url, name, not_found=not_found)
        if listing is None:
            return None
        try:
            return listing.page()
        except PageParseError as err:
            raise err.reported(listing.url, JSON_CONTENT_TYPE) from None

    def project_listing(
        self,
        index_url: str,
        name: str,
        *,
        not_found: Iterable[int] = (404, 410),
    ) -> PageListing | None:
        """`project_page` as a `PageListing`: the file entries decoded but not yet turned into
        `DistFile` values (the cheap form for pages with thousands of files)."""
        page_url = index_url.rstrip("/") + "/" + name + "/"
        if page_url.startswith("file:"):
            page = self._local_project_page(page_url, name)
            return None if page is None else PageListing.of_page(page, page_url)
        bare_index = split_credentials(index_url)[0]
        path = self.cache.path(url_digest(bare_index), name) if self.cache is not None else None
        return self._cached_get(
            page_url,
            path,
            headers={"Accept": ACCEPT},
            package=name,
            not_found=frozenset(not_found),
            codec=_ListingCodec(name),
        )

    def links_page(self, url: str) -> ProjectPage:
        """An HTML page of links to distribution files (a `--find-links` URL), cached."""
        if url.startswith("file:"):
            return parse_html(self._get_file(url).content, url, "")
        bare = split_credentials(url)[0]
        path = self.cache.path("flat", url_digest(bare)) if self.cache is not None else None
        listing = self._cached_get(
            url,
            path,
            headers={"Accept": "text/html"},
            package=None,
            not_found=frozenset(),
            codec=_ListingCodec(""),
        )
        assert listing is not None  # no status counts as "not found" here
        try:
            return listing.page()
        except PageParseError as err:
            raise err.reported(url, JSON_CONTENT_TYPE) from None

    def project_pages(self, index_url: str, names: Iterable[str]) -> dict[str, ProjectPage | None]:
        """`project_page` for many names at once, concurrently."""
        wanted = sorted(set(names))
        pages = self.map(lambda name: self.project_page(index_url, name), wanted)
        return dict(zip(wanted, pages, strict=True))

    # ---- internals: caching

    def _cached_get(
        self,
        url: str,
        path: Path | None,
        *,
        headers: Mapping[str, str],
        package: str | None,
        not_found: frozenset[int],
        codec: _ListingCodec,
    ) -> PageListing | None:
        """The response at `url` as `codec` reads it, from the cache while fresh (revalidated
        when stale); None for a `not_found` status. An entry the codec cannot read is refetched."""
        cache = self.cache
        entry = cache.read(path) if cache is not None and path is not None else None
        if self.options.offline:
            loaded = codec.load(entry) if entry is not None else None
            if loaded is None:
                raise OfflineError(url)
            return loaded
        request_headers = dict(headers)
        if entry is not None:
            forced = self.refresh is not None and self.refresh.applies(package, entry)
            if not forced and entry.policy.is_fresh(time.time()):
                loaded = codec.load(entry)
                if loaded is not None:
                    return loaded
                entry = None
            else:
                request_headers.update(entry.policy.conditional_headers())
        accepted = not_found | ({304} if entry is not None else set())
        response = self.get(url, request_headers, accept_status=accepted)
        now = time.time()
        if response.status == 304 and entry is not None:
            loaded = codec.load(entry)
            if loaded is not None:
                if cache is not None and path is not None:
                    policy = revalidated(entry.policy, response.headers, now)
                    cache.write(path, replace(entry, policy=policy))
                return loaded
            response = self.get(url, headers, accept_status=not_found)
        if response.status in not_found:
            return None
        listing, payload = codec.parse(response)
        fetched = CacheEntry(
            policy=policy_from_headers(response.headers, now),
            url=response.url,
            content_type=response.headers.get("content-type", ""),
            payload=payload,
        )
        if cache is not None and path is not None and _worth_storing(fetched, entry, now):
            cache.write(path, fetched)
        return listing

    def _local_project_page(self, page_url: str, name: str) -> ProjectPage | None:
        directory = Path(path_from_file_url(page_url))
        index_html = directory / "index.html"
        if not index_html.is_file():
            return None
        return parse_html(index_html.read_bytes(), page_url, name)

    # ---- internals: one attempt

    def _get_once(
        self, url: str, headers: Mapping[str, str], allowed: frozenset[int]
    ) -> HttpResponse:
        from puv.index.connections import TransportError

        request_headers = dict(headers)
        if "Range" not in request_headers:
            request_headers["Accept-Encoding"] = "gzip"
        response = self._open("GET", url, request_headers)
        try:
            content = response.read()
        except TransportError as err:
            raise self._transport_error(err, url) from None
        finally:
            response.close()
        final_url = redact(response.url)
        status = response.status
        if status >= 300 and status not in allowed:
            self._raise_status(status, url, final_url)
        response_headers = response.headers
        if response_headers.get("content-encoding", "").lower() in ("gzip", "x-gzip"):
            content = _gunzip(content, url)
            response_headers = {
                k: v for k, v in response_headers.items() if k not in _ENCODING_HEADERS
            }
        return HttpResponse(status, response_headers, content, final_url, response.http_version)

    def _download_once(
        self,
        url: str,
        target: Path,
        expected: Sequence[HashDigest],
        name: str,
        algorithms: tuple[str, ...],
    ) -> DownloadResult:
        from puv.index.connections import TransportError

        response = self._open("GET", url, {})
        try:
            if response.status != 200:
                self._raise_status(response.status, url, response.url)
            hasher = MultiHasher(algorithms)
            with open_atomic(target) as handle:
                for chunk in response.iter_bytes(CHUNK_SIZE):
                    hasher.update(chunk)
                    handle.write(chunk)
                digests = hasher.digests()
                check_hashes(name, expected, digests)
        except TransportError as err:
            raise self._transport_error(err, url) from None
        finally:
            response.close()
        return DownloadResult(target, digests, hasher.size)

    def _raise_status(self, status: int, url: str, final_url: str) -> NoReturn:
        """Raise the error for an unexpected status (retryable ones as `_Transient`)."""
        hint = None
        if status in (401, 403):
            hint = (
                f"An index URL ({redact(url)}) could not be queried due to a lack of valid "
                f"authentication credentials ({status} {HTTPStatus(status).phrase})."
            )
        error = NetworkError(
            "status", url, [status_cause(status, final_url)], status=status, hint=hint
        )
        if _retryable_status(status):
            raise _Transient(error)
        raise error

    def _open(self, method: str, url: str, headers: Mapping[str, str]) -> Response:
        """Send a request, following redirects by hand so credentials never change origin."""
        from puv.index.connections import TransportError

        current, embedded = split_credentials(url)
        credentials = embedded or self.options.credentials.for_url(current)
        for _ in range(MAX_REDIRECTS + 1):
            request_headers = {"User-Agent": self.options.user_agent, **headers}
            if credentials is not None:
                request_headers["Authorization"] = credentials.authorization()
            pool = self._pool(self._tls_kind(current))
            try:
                response = pool.request(method, current, request_headers)
            except TransportError as err:
                raise self._transport_error(err, current) from None
            location = response.headers.get("location")
            if response.status not in _REDIRECTS or not location:
                return response
            response.close()
            target = urljoin(current, location)
            if urlsplit(target).scheme not in ("http", "https"):
                raise NetworkError(
                    "io",
                    url,
                    [
                        f"Invalid HTTP {response.status} 'Location' value `{redact(target)}`: "
                        "scheme needs to be https or http"
                    ],
                )
            target, from_location = split_credentials(target)
            if from_location is not None:
                credentials = from_location
            elif not same_origin(current, target):
                self._log(f"Cross-origin redirect to {redact(target)}: dropping credentials")
                credentials = self.options.credentials.for_url(target)
            current = target
        raise NetworkError("io", url, [f"Too many redirects (more than {MAX_REDIRECTS})"])

    def _transport_error(self, err: TransportError, url: str) -> Exception:
        shown = redact(url)
        detail = redact(err.detail)
        if err.kind == "connect-timeout":
            return NetworkError(
                "timeout",
                url,
                [
                    f"error sending request for url ({shown})",
                    "operation timed out",
                    "Failed to connect due to network timeout. Try increasing "
                    f"UV_HTTP_CONNECT_TIMEOUT (current value: {_seconds(self.options.connect_timeout)}s).",
                ],
            )
        if err.kind == "read-timeout":
            return _Transient(
                NetworkError(
                    "timeout",
                    url,
                    [
                        f"error decoding response body for url ({shown})",
                        "operation timed out",
                        "Failed to download distribution due to network timeout. Try increasing "
                        f"UV_HTTP_TIMEOUT (current value: {_seconds(self.options.read_timeout)}s).",
                    ],
                )
            )
        if err.kind == "tls":
            host = urlsplit(url).hostname or ""
            return NetworkError(
                "tls",
                url,
                [f"error sending request for url ({shown})", detail],
                hint=(
                    "The server's TLS certificate could not be verified. If the server uses a "
                    "private CA, point `SSL_CERT_FILE` (or `SSL_CERT_DIR`) at its certificate; "
                    f"to skip verification for a host you trust, use `--allow-insecure-host {host}`."
                ),
            )
        error = NetworkError("connect", url, [f"error sending request for url ({shown})", detail])
        if err.kind == "connect":
            return _Transient(error)
        return error

    def _with_retries(self, url: str, attempt: Callable[[], R]) -> R:
        start = time.monotonic()
        retries = 0
        while True:
            try:
                return attempt()
            except _Transient as transient:
                error = transient.error
            if retries >= self.options.retries:
                if retries == 0:
                    raise error
                raise NetworkError(
                    error.kind,
                    url,
                    error.causes,
                    status=error.status,
                    retries=retries,
                    elapsed=time.monotonic() - start,
                    hint=error.hint,
                ) from None
            delay = self._backoff(retries)
            self._log(
                f"Transient failure while handling response from {redact(url)}; "
                f"retrying after {delay:.1f}s..."
            )
            if delay:
                time.sleep(delay)
            retries += 1

    def _backoff(self, retries: int) -> float:
        import random

        low, high = self.options.retry_delay
        bound = min(high, low * (2**retries))
        return bound * random.uniform(0.5, 1.0)

    # ---- internals: local files

    def _get_file(self, url: str) -> HttpResponse:
        path = Path(path_from_file_url(url))
        try:
            content = path.read_bytes()
        except OSError as err:
            raise PuvError(f"Failed to read `{path}`", causes=[str(err)]) from None
        return HttpResponse(200, {}, content, url)

    def _copy_file(
        self,
        url: str,
        target: Path,
        expected: Sequence[HashDigest],
        name: str,
        algorithms: tuple[str, ...],
    ) -> DownloadResult:
        source = Path(path_from_file_url(url))
        hasher = MultiHasher(algorithms)
        try:
            with source.open("rb") as reader, open_atomic(target) as handle:
                while chunk := reader.read(CHUNK_SIZE):
                    hasher.update(chunk)
                    handle.write(chunk)
                digests = hasher.digests()
                check_hashes(name, expected, digests)
        except OSError as err:
            raise PuvError(f"Failed to read `{source}`", causes=[str(err)]) from None
        return DownloadResult(target, digests, hasher.size)

    # ---- internals: connections

    def _tls_kind(self, url: str) -> str:
        """`plain` (http, no certificates needed), `verified`, or `insecure` (an allowed host)."""
        parts = urlsplit(url)
        if parts.scheme != "https":
            return "verified" if self.options.proxies else "plain"
        host = (parts.hostname or "").lower()
        port = str(parts.port or 443)
        for entry in self.options.insecure_hosts:
            entry = entry.split("://", 1)[-1].rstrip("/").lower()
            entry_host, sep, entry_port = entry.rpartition(":")
            if not sep:
                entry_host, entry_port = entry, ""
            if entry_host == host and entry_port in ("", port):
                return "insecure"
        return "verified"

    def _pool(self, kind: str) -> ConnectionPool:
        pool = self._pools.get(kind)
        if pool is not None:
            return pool
        with self._lock:
            pool = self._pools.get(kind)
            if pool is None:
                pool = self._build_pool(kind)
                self._pools[kind] = pool
        return pool

    def _build_pool(self, kind: str) -> ConnectionPool:
        from puv.index.connections import ConnectionPool
        from puv.index.dns import HostResolver

        resolver = self._resolver
        if resolver is None:
            resolver = self._resolver = HostResolver()
        options = self.options
        self._log(
            f"Using request connect timeout of {_seconds(options.connect_timeout)}s and read "
            f"timeout of {_seconds(options.read_timeout)}s"
        )
        return ConnectionPool(
            self._ssl_context(kind),
            resolver,
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            proxies=options.proxies,
            no_proxy=options.no_proxy,
        )

    def _ssl_context(self, kind: str) -> ssl.SSLContext:
        """The TLS context for a client kind; loading the roots (~50 ms) only when verifying."""
        import ssl

        options = self.options
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if kind == "plain":
            return context
        if kind == "insecure":
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return context
        custom = [p for p in (options.ssl_cert_file, options.ssl_cert_dir) if p]
        for variable, path in (
            ("SSL_CERT_FILE", options.ssl_cert_file),
            ("SSL_CERT_DIR", options.ssl_cert_dir),
        ):
            if path and not Path(path).exists():
                self._warning(
                    f"Invalid `{variable}`. Path does not exist: {path}. "
                    "No default certificates will be trusted."
                )
        if custom:
            file_ok = options.ssl_cert_file and Path(options.ssl_cert_file).is_file()
            dir_ok = options.ssl_cert_dir and Path(options.ssl_cert_dir).is_dir()
            if file_ok or dir_ok:
                context.load_verify_locations(
                    cafile=options.ssl_cert_file if file_ok else None,
                    capath=options.ssl_cert_dir if dir_ok else None,
                )
        else:
            context.load_default_certs()
            if not context.get_ca_certs() and not context.cert_store_stats().get("x509_ca"):
                import certifi

                context.load_verify_locations(cafile=certifi.where())
        if options.ssl_client_cert:
            context.load_cert_chain(options.ssl_client_cert)
        return context

    def _log(self, line: str) -> None:
        if self._debug is not None:
            self._debug(redact(line))

    def _warning(self, line: str) -> None:
        if self._warn is not None:
            self._warn(redact(line))


# ---------------------------------------------------------------- helpers


class _ListingCodec:
    """Reads a project page response, and its cache payload: a JSON page is cached as the body
    the index sent (decoding it again costs less than any re-encoding), an HTML page as its
    parsed `ProjectPage` in msgpack (its parser is the slow part)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def parse(self, response: HttpResponse) -> tuple[PageListing, bytes]:
        """The listing of a fetched page, and the payload to cache for it."""
        content_type = response.headers.get("content-type", "text/html")
        try:
            listing = parse_page_listing(response.content, content_type, response.url, self.name)
        except PageParseError as err:
            raise err.reported(response.url, content_type) from None
        if is_json_content_type(content_type):
            return listing, response.content
        return listing, encode_page(listing.page())

    def load(self, entry: CacheEntry) -> PageListing | None:
        """The listing a cache entry holds; None when the payload cannot be read (it is then
        fetched again). JSON entries written by older puv versions hold msgpack."""
        import msgspec

        if is_json_content_type(entry.content_type) and entry.payload.lstrip()[:1] == b"{":
            try:
                return parse_json_listing(entry.payload, entry.url, self.name)
            except PageParseError:
                return None
        try:
            page = decode_page(entry.payload)
        except msgspec.DecodeError:
            return None
        return PageListing.of_page(page, entry.url)


def _worth_storing(fetched: CacheEntry, stored: CacheEntry | None, now: float) -> bool:
    """Whether writing `fetched` over `stored` changes what the cache can do. An index that sends
    neither freshness nor validators makes every entry good for offline runs only; rewriting the
    same bytes (megabytes for a large project) on every run would change nothing."""
    if stored is None:
        return True
    if fetched.policy.is_fresh(now) or fetched.policy.can_revalidate():
        return True
    if stored.policy.is_fresh(now) or stored.policy.can_revalidate():
        return True
    return (fetched.payload, fetched.url, fetched.content_type) != (
        stored.payload,
        stored.url,
        stored.content_type,
    )


def _seconds(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def path_from_file_url(url: str) -> str:
    """The local path a `file:` URL names."""
    from urllib.request import url2pathname

    return url2pathname(unquote(urlsplit(url).path))


def _gunzip(content: bytes, url: str) -> bytes:
    """A gzip-encoded body, decoded; a corrupt one is a transport error worth a retry."""
    import zlib

    try:
        return zlib.decompress(content, wbits=31)
    except zlib.error as err:
        raise _Transient(
            NetworkError(
                "io", url, [f"error decoding response body for url ({redact(url)})", str(err)]
            )
        ) from None
