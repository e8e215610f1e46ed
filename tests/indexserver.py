"""A local package index for tests: a threaded HTTP server on 127.0.0.1 (OS-chosen port).

It serves a static PEP 503 HTML / PEP 691 JSON simple API for the wheels and sdists in a
directory, and has switches for what tests need to provoke::

    with IndexServer(tmp_path / "files") as index:        # started; stopped on exit
        index.add_wheel("corp-lib", "1.0")                 # built by tests.wheelmaker
        index.add_sdist("corp-lib", "1.0")
        index.add(some_path)                               # or copy a file in
        index.yank("corp_lib-1.0-py3-none-any.whl", "broken")
        index.script("/simple/corp-lib/", [503, 503, 200]) # statuses, then normal service
        index.always("/simple/", 500)                      # every request under a prefix
        index.delay("/files/", 5.0)                        # hold responses (released on stop)
        index.redirect("/simple/", other.url)              # 302 to another origin, same path
        index.require_auth("user", "pass")                 # basic auth on every path
        url = index.simple_url                             # http://127.0.0.1:PORT/simple/
        index.requests                                     # [LoggedRequest(method, path, headers)]
        index.requests_to("/files/", "GET")                # filtered log
        index.connections                                  # TCP connections accepted
        index.reset()                                      # drop scripts, delays and the log

Switches set at construction: `etag`, `last_modified`, `cache_control`, `ranges` (Range support),
`pep658` (serve `.metadata` files and advertise them), `json` / `html` (which formats are served),
`absolute_urls` (file URLs absolute or relative), `tls` (an `ssl.SSLContext` for HTTPS).

A request in absolute form (`GET http://other/simple/x/`, as sent to a forward proxy) is served
from this index and logged with `proxied=True`, so a server doubles as an HTTP proxy in tests.

Paths: `/simple/` (root), `/simple/<name>/` (project pages, negotiated by `Accept`, or forced by
`?format=json|html`), `/files/<filename>` (files, with `Range`), `/files/<filename>.metadata`,
`/flat/` (a find-links style HTML page listing every file).
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import html
import json
import re
import shutil
import ssl
import threading
import time
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.wheelmaker import write_sdist, write_wheel

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "application/vnd.pypi.simple.v1+html"
LAST_MODIFIED = "Wed, 01 Jan 2025 00:00:00 GMT"
_NAME_RUN = re.compile(r"[-_.]+")


def normalize(name: str) -> str:
    """PEP 503 name normalization."""
    return _NAME_RUN.sub("-", name).lower()


def project_of(filename: str) -> str:
    """The normalized project name of a wheel or sdist filename."""
    if filename.endswith(".whl"):
        return normalize(filename.split("-")[0])
    stem = filename
    for ext in (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar"):
        if stem.endswith(ext):
            stem = stem[: -len(ext)]
            break
    return normalize(stem.rpartition("-")[0])


# ---------------------------------------------------------------- artifacts


def read_wheel_metadata(path: Path) -> bytes | None:
    """The `*.dist-info/METADATA` bytes of a wheel, or None for other files."""
    if not path.name.endswith(".whl"):
        return None
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.count("/") == 1 and member.endswith(".dist-info/METADATA"):
                return archive.read(member)
    return None


# ---------------------------------------------------------------- the server


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    proxied: bool = False  # the request came in absolute form (`GET http://host/path`)

    def header(self, name: str) -> str | None:
        """A request header, case-insensitively."""
        return self.headers.get(name.lower())


class IndexServer:
    """A static simple index over the files in `root` (see the module docstring)."""

    def __init__(
        self,
        root: Path,
        *,
        etag: bool = True,
        last_modified: bool = True,
        cache_control: str | None = None,
        ranges: bool = True,
        pep658: bool = True,
        json: bool = True,
        html: bool = True,
        absolute_urls: bool = False,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.etag = etag
        self.last_modified = last_modified
        self.cache_control = cache_control
        self.ranges = ranges
        self.pep658 = pep658
        self.serve_json = json
        self.serve_html = html
        self.absolute_urls = absolute_urls
        self.tls = tls
        self.credentials: tuple[str, str] | None = None
        self._yanked: dict[str, str] = {}
        self._scripts: list[tuple[str, list[int]]] = []
        self._always: list[tuple[str, int]] = []
        self._delays: list[tuple[str, float]] = []
        self._redirects: list[tuple[str, str]] = []
        self._log: list[LoggedRequest] = []
        self.connections = 0  # TCP connections accepted (a failed TLS handshake counts too)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def start(self) -> IndexServer:
        """Bind to 127.0.0.1 on a free port and serve in a background thread."""
        server = _Server(("127.0.0.1", 0), _make_handler(self))
        server.index = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release delayed handlers and close the socket."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None

    def __enter__(self) -> IndexServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- addresses

    @property
    def url(self) -> str:
        """`http(s)://127.0.0.1:PORT` (no trailing slash)."""
        assert self._server is not None, "start() the server first"
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    @property
    def simple_url(self) -> str:
        """The index URL to give a client: `<url>/simple/`."""
        return f"{self.url}/simple/"

    @property
    def flat_url(self) -> str:
        """A find-links HTML page listing every file."""
        return f"{self.url}/flat/"

    def file_url(self, filename: str) -> str:
        """Where a file is served."""
        return f"{self.url}/files/{filename}"

    # ---- content

    def add(self, path: Path) -> Path:
        """Copy a wheel or sdist into the served directory."""
        target = self.root / path.name
        if path.resolve() != target.resolve():
            shutil.copyfile(path, target)
        return target

    def add_wheel(
        self,
        name: str,
        version: str,
        files: Mapping[str, bytes | str] | None = None,
        *,
        requires_python: str | None = None,
        requires_dist: Iterable[str] = (),
        provides_extras: Iterable[str] = (),
        **options: Any,
    ) -> Path:
        """Build a wheel with `tests.wheelmaker.write_wheel` straight into the served directory."""
        headers = [f"Provides-Extra: {extra}" for extra in provides_extras]
        headers += [f"Requires-Dist: {req}" for req in requires_dist]
        if requires_python:
            headers.insert(0, f"Requires-Python: {requires_python}")
        package = name.replace("-", "_")
        return write_wheel(
            self.root,
            files if files is not None else {f"{package}/__init__.py": b"VALUE = 1\n"},
            name=name,
            version=version,
            metadata_headers=headers,
            **options,
        )

    def add_sdist(self, name: str, version: str) -> Path:
        """Build an sdist with `tests.wheelmaker.write_sdist` into the served directory."""
        return write_sdist(self.root, {}, name=name, version=version)

    def yank(self, filename: str, reason: str = "") -> None:
        """Mark a file yanked (PEP 592), with an optional reason."""
        self._yanked[filename] = reason

    def files(self) -> list[Path]:
        """The served files, sorted by name."""
        return sorted(p for p in self.root.iterdir() if p.is_file() and p.name != "index.html")

    # ---- behaviour switches

    def require_auth(self, username: str, password: str) -> None:
        """Answer 401 unless the request carries these basic-auth credentials."""
        self.credentials = (username, password)

    def script(self, prefix: str, statuses: Iterable[int]) -> None:
        """Answer requests under `prefix` with these statuses in turn (200 = serve normally)."""
        with self._lock:
            self._scripts.append((prefix, list(statuses)))

    def always(self, prefix: str, status: int) -> None:
        """Answer every request under `prefix` with `status`."""
        with self._lock:
            self._always.append((prefix, status))

    def delay(self, prefix: str, seconds: float) -> None:
        """Hold responses under `prefix` for `seconds` (cut short when the server stops)."""
        with self._lock:
            self._delays.append((prefix, seconds))

    def redirect(self, prefix: str, to_base: str) -> None:
        """Answer requests under `prefix` with a 302 to `to_base` + the same path."""
        with self._lock:
            self._redirects.append((prefix, to_base.rstrip("/")))

    def reset(self) -> None:
        """Drop scripts, always-statuses, delays, redirects and the request log."""
        with self._lock:
            self._scripts.clear()
            self._always.clear()
            self._delays.clear()
            self._redirects.clear()
            self._log.clear()

    # ---- observation

    @property
    def requests(self) -> list[LoggedRequest]:
        """A copy of the request log, in arrival order."""
        with self._lock:
            return list(self._log)

    def requests_to(self, prefix: str, method: str | None = None) -> list[LoggedRequest]:
        """Logged requests whose path starts with `prefix` (and with `method`, if given)."""
        return [
            r
            for r in self.requests
            if r.path.startswith(prefix) and (method is None or r.method == method)
        ]

    # ---- internals used by the handler

    def _record(self, request: LoggedRequest) -> None:
        with self._lock:
            self._log.append(request)

    def _scripted_status(self, path: str) -> int | None:
        with self._lock:
            for prefix, status in self._always:
                if path.startswith(prefix):
                    return status
            for prefix, statuses in self._scripts:
                if path.startswith(prefix) and statuses:
                    return statuses.pop(0)
        return None

    def _delay_for(self, path: str) -> float:
        with self._lock:
            return max((s for p, s in self._delays if path.startswith(p)), default=0.0)

    def _redirect_for(self, path: str) -> str | None:
        with self._lock:
            for prefix, base in self._redirects:
                if path.startswith(prefix):
                    return base + path
        return None

    def _file_entry(self, path: Path) -> dict[str, Any]:
        data = path.read_bytes()
        entry: dict[str, Any] = {
            "filename": path.name,
            "url": self._file_href(path.name),
            "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
            "size": len(data),
            "upload-time": "2025-01-01T00:00:00.000000Z",
            "yanked": (self._yanked[path.name] or True) if path.name in self._yanked else False,
        }
        metadata = read_wheel_metadata(path)
        if metadata is not None:
            requires_python = _requires_python(metadata)
            if requires_python:
                entry["requires-python"] = requires_python
            if self.pep658:
                entry["core-metadata"] = {"sha256": hashlib.sha256(metadata).hexdigest()}
        return entry

    def _file_href(self, filename: str) -> str:
        if self.absolute_urls:
            return self.file_url(filename)
        return f"../../files/{filename}"

    def _project_files(self, project: str) -> list[Path]:
        return [p for p in self.files() if project_of(p.name) == project]

    def project_json(self, project: str) -> bytes:
        """The PEP 691 page for `project`."""
        files = [self._file_entry(p) for p in self._project_files(project)]
        document = {"meta": {"api-version": "1.1"}, "name": project, "files": files}
        return json.dumps(document).encode()

    def project_html(self, project: str, href_base: str | None = None) -> bytes:
        """The PEP 503 page for `project` (or every file, for the flat page)."""
        paths = self._project_files(project) if href_base is None else self.files()
        lines = ["<!DOCTYPE html>", "<html><body>"]
        for path in paths:
            entry = self._file_entry(path)
            href = entry["url"] if href_base is None else href_base + path.name
            attributes = [f'href="{html.escape(href)}#sha256={entry["hashes"]["sha256"]}"']
            if "requires-python" in entry:
                attributes.append(f'data-requires-python="{html.escape(entry["requires-python"])}"')
            if path.name in self._yanked:
                attributes.append(f'data-yanked="{html.escape(self._yanked[path.name])}"')
            if isinstance(entry.get("core-metadata"), dict):
                digest = entry["core-metadata"]["sha256"]
                attributes.append(f'data-core-metadata="sha256={digest}"')
                attributes.append(f'data-dist-info-metadata="sha256={digest}"')
            lines.append(f"<a {' '.join(attributes)}>{html.escape(path.name)}</a><br/>")
        lines.append("</body></html>")
        return "\n".join(lines).encode()

    def root_html(self) -> bytes:
        """The PEP 503 root listing every project."""
        projects = sorted({project_of(p.name) for p in self.files()})
        links = "".join(f'<a href="{p}/">{p}</a>\n' for p in projects)
        return f"<!DOCTYPE html><html><body>\n{links}</body></html>".encode()


class _Server(ThreadingHTTPServer):
    """Counts connections and does the TLS handshake per connection (failures are dropped)."""

    daemon_threads = True
    index: IndexServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (timeouts, retries) are part of the tests: stay quiet."""

    def get_request(self) -> tuple[Any, Any]:
        sock, address = self.socket.accept()
        with self.index._lock:
            self.index.connections += 1
        if self.index.tls is not None:
            sock.settimeout(10)
            try:
                sock = self.index.tls.wrap_socket(sock, server_side=True)
            except OSError:
                sock.close()
                raise
            sock.settimeout(None)
        return sock, address


def _requires_python(metadata: bytes) -> str | None:
    for line in metadata.decode().splitlines():
        if line.lower().startswith("requires-python:"):
            return line.partition(":")[2].strip()
    return None


def _make_handler(index: IndexServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "indexserver/1"
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the default stderr log (the request log is `index.requests`)."""

        def do_HEAD(self) -> None:
            self._handle(head=True)

        def do_GET(self) -> None:
            self._handle(head=False)

        def _handle(self, head: bool) -> None:
            target = self.path
            proxied = target.startswith(("http://", "https://"))
            if proxied:  # acting as a forward proxy for another server's URL: serve it ourselves
                target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
            path, _, query = target.partition("?")
            headers = {k.lower(): v for k, v in self.headers.items()}
            index._record(LoggedRequest(self.command, path, headers, proxied))
            delay = index._delay_for(path)
            if delay:
                index._stopping.wait(delay)
            redirect = index._redirect_for(path)
            if redirect is not None:
                self._send(302, b"", "text/plain", head, {"Location": redirect})
                return
            scripted = index._scripted_status(path)
            if scripted is not None and scripted != 200:
                self._send(scripted, b"scripted failure\n", "text/plain", head)
                return
            if index.credentials is not None and not self._authorized():
                self._send(
                    401, b"unauthorized\n", "text/plain", head, {"WWW-Authenticate": "Basic"}
                )
                return
            self._route(path, query, head)

        def _authorized(self) -> bool:
            assert index.credentials is not None
            expected = base64.b64encode(":".join(index.credentials).encode()).decode()
            return self.headers.get("Authorization") == f"Basic {expected}"

        def _route(self, path: str, query: str, head: bool) -> None:
            if path in ("/simple", "/simple/"):
                self._send_page(index.root_html(), "text/html", head)
            elif path.startswith("/simple/"):
                self._project(path, query, head)
            elif path in ("/flat", "/flat/"):
                self._send_page(index.project_html("", href_base="../files/"), "text/html", head)
            elif path.startswith("/files/"):
                self._file(path[len("/files/") :], head)
            else:
                self._send(404, b"not found\n", "text/plain", head)

        def _project(self, path: str, query: str, head: bool) -> None:
            raw = path[len("/simple/") :].strip("/")
            project = normalize(raw)
            if not index._project_files(project):
                self._send(404, b"not found\n", "text/plain", head)
                return
            if raw != project:
                self._send(301, b"", "text/plain", head, {"Location": f"/simple/{project}/"})
                return
            accept = self.headers.get("Accept", "")
            wants_json = "format=json" in query or (
                "format=html" not in query and JSON_TYPE in accept and index.serve_json
            )
            if wants_json and index.serve_json:
                self._send_page(index.project_json(project), JSON_TYPE, head)
            elif index.serve_html:
                content_type = HTML_TYPE if HTML_TYPE in accept else "text/html"
                self._send_page(index.project_html(project), content_type, head)
            else:
                self._send(406, b"not acceptable\n", "text/plain", head)

        def _send_page(self, body: bytes, content_type: str, head: bool) -> None:
            headers: dict[str, str] = {"Vary": "Accept"}
            tag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
            if index.etag:
                headers["ETag"] = tag
                if self.headers.get("If-None-Match") == tag:
                    self._send(304, b"", content_type, head, headers)
                    return
            if index.last_modified:
                headers["Last-Modified"] = LAST_MODIFIED
                if not index.etag and self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                    self._send(304, b"", content_type, head, headers)
                    return
            if index.cache_control is not None:
                headers["Cache-Control"] = index.cache_control
            self._send(200, body, content_type, head, headers)

        def _file(self, name: str, head: bool) -> None:
            metadata_only = name.endswith(".metadata")
            target = index.root / (name[: -len(".metadata")] if metadata_only else name)
            if "/" in name or not target.is_file():
                self._send(404, b"not found\n", "text/plain", head)
                return
            if metadata_only:
                metadata = read_wheel_metadata(target) if index.pep658 else None
                if metadata is None:
                    self._send(404, b"not found\n", "text/plain", head)
                else:
                    self._send(200, metadata, "application/octet-stream", head)
                return
            data = target.read_bytes()
            headers = {"Accept-Ranges": "bytes"} if index.ranges else {}
            if index.ranges and self.headers.get("Range"):
                span = _parse_range(self.headers["Range"], len(data))
                if span is None:
                    headers["Content-Range"] = f"bytes */{len(data)}"
                    self._send(416, b"", "application/octet-stream", head, headers)
                    return
                start, end = span
                headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
                self._send(206, data[start : end + 1], "application/octet-stream", head, headers)
                return
            self._send(200, data, "application/octet-stream", head, headers)

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str,
            head: bool,
            headers: Mapping[str, str] | None = None,
        ) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Date", email.utils.formatdate(time.time(), usegmt=True))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                if not head and status != 304:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                self.close_connection = True

    return Handler


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range as inclusive (start, end)."""
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _, last = spec.strip().partition("-")
    if not first:
        if not last.isdigit() or int(last) == 0:
            return None
        return max(0, size - int(last)), size - 1
    if not first.isdigit() or int(first) >= size:
        return None
    end = int(last) if last.isdigit() else size - 1
    return int(first), min(end, size - 1)
