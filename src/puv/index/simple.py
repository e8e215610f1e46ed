"""Simple repository API pages (PEP 503 HTML, PEP 691 JSON) parsed into frozen values.

Both formats give the same `ProjectPage`: the files with absolute URLs (relative ones resolved
against the page URL, or its `<base href>`), hashes, `requires-python`, yanked status and reason
(PEP 592), upload time and size (PEP 700), and whether a PEP 658/714 `.metadata` file exists.
Files whose name is not a wheel or sdist, or would be unsafe as a file name, are skipped.

A `PageListing` is the cheap form of a page, for the resolver: the JSON entries as decoded (C
structs, no per-file Python work), each turned into a `DistFile` only when someone asks for it
(`to_dist_file`). A large project lists thousands of files of which the resolver looks at a few.
"""

from __future__ import annotations

import functools
import threading
from html import unescape
from typing import Any, Protocol
from urllib.parse import unquote, urljoin

from msgspec import Struct

from puv.core.errors import PuvError
from puv.index.auth import redact

JSON_CONTENT_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_CONTENT_TYPE = "application/vnd.pypi.simple.v1+html"
ACCEPT = f"{JSON_CONTENT_TYPE}, {HTML_CONTENT_TYPE};q=0.2, text/html;q=0.01"

HASH_ALGORITHMS = frozenset({"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b"})
DIST_EXTENSIONS = (
    ".whl",
    ".tar.gz",
    ".zip",
    ".tar.bz2",
    ".tar.xz",
    ".tar.zst",
    ".tar.lz",
    ".tar.lzma",
    ".tar",
    ".tgz",
    ".tbz",
    ".txz",
    ".tlz",
    ".tzst",
)

Hashes = tuple[tuple[str, str], ...]
_SPACE = " \t\n\r\f"


class DistFile(Struct, frozen=True):
    """One file of a project as the index lists it."""

    filename: str
    url: str
    hashes: Hashes = ()
    requires_python: str | None = None
    yanked: bool = False
    yanked_reason: str | None = None
    upload_time: str | None = None
    size: int | None = None
    core_metadata: bool = False
    core_metadata_hashes: Hashes = ()

    def hash(self, algorithm: str = "sha256") -> str | None:
        """The hex digest for `algorithm`, if the index gave one."""
        for name, digest in self.hashes:
            if name == algorithm:
                return digest
        return None

    @property
    def metadata_url(self) -> str:
        """Where the PEP 658 metadata file lives (meaningful when `core_metadata`)."""
        return self.url + ".metadata"

    @property
    def is_wheel(self) -> bool:
        """Whether the file is a wheel (else an sdist)."""
        return self.filename.endswith(".whl")


class ProjectPage(Struct, frozen=True):
    """A project's page: its files in index order, and the versions the JSON API lists."""

    name: str
    files: tuple[DistFile, ...]
    versions: tuple[str, ...] = ()
    api_version: str | None = None


class FileEntry(Protocol):
    """A file as the index listed it, before it becomes a `DistFile`: a decoded JSON entry or a
    `DistFile` (HTML pages, find-links). `yanked` is truthy when the file is yanked."""

    @property
    def filename(self) -> str: ...

    @property
    def upload_time(self) -> str | None: ...

    @property
    def requires_python(self) -> str | None: ...

    @property
    def yanked(self) -> bool | str: ...

    @property
    def yanked_reason(self) -> str | None: ...


class PageListing(Struct, frozen=True):
    """A project page's file entries as the index sent them, in index order.

    `url` is the page URL relative file URLs resolve against. Entries may include files that
    are not distributions (or not safe names): `to_dist_file` skips those, and so does every
    consumer that groups entries by version.
    """

    name: str
    url: str
    entries: tuple[FileEntry, ...]
    versions: tuple[str, ...] = ()
    api_version: str | None = None

    @classmethod
    def of_page(cls, page: ProjectPage, url: str) -> PageListing:
        """The listing of an already parsed page."""
        return cls(page.name, url, page.files, page.versions, page.api_version)

    def page(self) -> ProjectPage:
        """Every entry as a `DistFile`: the eager `ProjectPage` (`PageParseError` if an entry
        is ill-typed)."""
        files = []
        for entry in self.entries:
            dist = to_dist_file(entry, self.url)
            if dist is not None:
                files.append(dist)
        return ProjectPage(self.name, tuple(files), self.versions, self.api_version)


def to_dist_file(entry: FileEntry, page_url: str) -> DistFile | None:
    """The `DistFile` of an entry of a page at `page_url`; None for a non-distribution or an
    unsafe file name; `PageParseError` for an ill-typed entry."""
    if isinstance(entry, DistFile):
        return entry
    return _json_file(entry, page_url)


class PageParseError(ValueError):
    """The page is not valid JSON/HTML for the simple API (the message says why)."""

    def reported(self, page_url: str, content_type: str) -> PuvError:
        """uv's error for a page that could not be read."""
        kind = "JSON" if "json" in content_type else "HTML"
        return PuvError(
            f"Received some unexpected {kind} from {redact(page_url)}", causes=[str(self)]
        )


def is_safe_dist_filename(filename: str) -> bool:
    """Whether `filename` names a wheel or sdist and is safe to use as a file name."""
    if filename[:1] in ("", ".") or "/" in filename or "\\" in filename or "\x00" in filename:
        return False
    return filename.endswith((".whl", ".tar.gz")) or filename.lower().endswith(DIST_EXTENSIONS)


def _absolute(href: str, base: str) -> str:
    if href.startswith(("https://", "http://")):
        return href
    return urljoin(base, href)


def _split_fragment(url: str) -> tuple[str, Hashes]:
    """The URL without its `#sha256=...` fragment, and the hash the fragment carried."""
    if "#" not in url:
        return url, ()
    url, sep, fragment = url.partition("#")
    if not sep:
        return url, ()
    algorithm, eq, digest = fragment.partition("=")
    algorithm = algorithm.lower()
    if eq and algorithm in HASH_ALGORITHMS and digest:
        return url, ((algorithm, digest.lower()),)
    return url, ()


def _filename_of(url: str) -> str:
    """The last path segment of an absolute URL (without fragment), percent-decoded."""
    name = url.partition("?")[0].rpartition("/")[2]
    return unquote(name) if "%" in name else name


def _metadata_flag(value: object) -> tuple[bool, Hashes]:
    """PEP 714 `core-metadata`: true/false, or a dict of hashes of the metadata file."""
    if not value:
        return False, ()
    if isinstance(value, dict):
        return True, tuple(sorted((str(k).lower(), str(v).lower()) for k, v in value.items()))
    return bool(value), ()


def _html_metadata_flag(value: str | None) -> tuple[bool, Hashes]:
    if value is None or value.lower() == "false":
        return False, ()
    algorithm, eq, digest = value.partition("=")
    if eq and algorithm.lower() in HASH_ALGORITHMS:
        return True, ((algorithm.lower(), digest.lower()),)
    return True, ()


# ---------------------------------------------------------------- JSON (PEP 691)


def parse_json(body: bytes, page_url: str, name: str) -> ProjectPage:
    """Parse a PEP 691 JSON project page; `name` is the normalized project name asked for."""
    return parse_json_listing(body, page_url, name).page()


def parse_json_listing(body: bytes, page_url: str, name: str) -> PageListing:
    """Decode a PEP 691 JSON project page without building a `DistFile` per file."""
    import msgspec

    try:
        document = _codecs().json_page.decode(body)
    except msgspec.DecodeError as err:
        raise PageParseError(str(err)) from None
    api_version = document.meta.get("api-version") if document.meta else None
    return PageListing(
        name=name,
        url=page_url,
        entries=tuple(document.files),
        versions=tuple(document.versions or ()),
        api_version=str(api_version) if api_version is not None else None,
    )


class _Codecs(Struct, frozen=True):
    json_page: Any  # msgspec.json.Decoder for the PEP 691 wire format
    hashes: Any  # msgspec.json.Decoder for a file's `hashes` (kept raw until needed)
    metadata: Any  # msgspec.json.Decoder for a file's PEP 714 `core-metadata` (raw until needed)
    page_encoder: Any  # msgspec.msgpack.Encoder (ProjectPage -> cache payload)
    page_decoder: Any  # msgspec.msgpack.Decoder (cache payload -> ProjectPage)


_codecs_lock = threading.Lock()


@functools.cache
def _codecs() -> _Codecs:
    """msgspec encoders/decoders, built once on first use (so importing stays cheap).

    Built under a lock and ahead of any concurrent use: msgspec fills its per-type caches on
    first use, which must not race between the client's worker threads.
    """
    with _codecs_lock:
        import msgspec

        # A page entry allocates no object the garbage collector tracks: the struct is
        # untracked (gc=False: it holds only strings, numbers and raw JSON), and the `hashes`
        # and metadata dicts stay raw JSON until the entry becomes a `DistFile`. PyPI lists
        # tens of thousands of files for a large project; tracked dicts there cost more in
        # collections than decoding itself.
        raw = msgspec.Raw
        wire_file = msgspec.defstruct(
            "WireFile",
            [
                ("filename", str),
                ("url", str),
                ("hashes", raw, raw()),
                ("requires_python", str | None, None),
                ("yanked", bool | str, False),
                ("upload_time", str | None, None),
                ("size", int | None, None),
                ("core_metadata", raw, raw()),
                ("dist_info_metadata", raw, raw()),
                ("data_dist_info_metadata", raw, raw()),
            ],
            rename="kebab",
            gc=False,
            namespace={"yanked_reason": property(_wire_yanked_reason)},
        )
        wire_page = msgspec.defstruct(
            "WirePage",
            [
                ("files", list[wire_file]),  # type: ignore[valid-type]
                ("meta", dict[str, Any] | None, None),
                ("versions", list[str] | None, None),
            ],
        )
        codecs = _Codecs(
            json_page=msgspec.json.Decoder(wire_page),
            hashes=msgspec.json.Decoder(dict[str, str]),
            metadata=msgspec.json.Decoder(bool | dict[str, str] | None),
            page_encoder=msgspec.msgpack.Encoder(),
            page_decoder=msgspec.msgpack.Decoder(ProjectPage),
        )
        sample = ProjectPage("warm-up", (DistFile("warm_up-1.0.tar.gz", "https://x/"),))
        assert codecs.page_decoder.decode(codecs.page_encoder.encode(sample)) == sample
        entry = codecs.json_page.decode(b'{"files": [{"filename": "a", "url": "b"}]}').files[0]
        assert not entry.hashes and entry.yanked_reason is None
        return codecs


def _wire_yanked_reason(entry: Any) -> str | None:
    """`FileEntry.yanked_reason` of a decoded JSON entry (`yanked` may be the reason)."""
    yanked = entry.yanked
    return yanked if yanked.__class__ is str and yanked else None


def encode_page(page: ProjectPage) -> bytes:
    """A page as compact msgpack, for the HTTP cache (a warm run skips parsing)."""
    return bytes(_codecs().page_encoder.encode(page))


def decode_page(payload: bytes) -> ProjectPage:
    """The page `encode_page` stored."""
    return _codecs().page_decoder.decode(payload)


def _json_file(raw: Any, page_url: str) -> DistFile | None:
    """The `DistFile` of a decoded JSON entry; raises `PageParseError` for ill-typed `hashes`
    or `core-metadata` (decoded here, not with the page)."""
    import msgspec

    filename = raw.filename
    if not is_safe_dist_filename(filename):
        return None
    url, fragment_hashes = _split_fragment(_absolute(raw.url, page_url))
    codecs = _codecs()
    try:
        hashes_raw = codecs.hashes.decode(raw.hashes) if raw.hashes else {}
        metadata_raw = None
        for field in (raw.core_metadata, raw.dist_info_metadata, raw.data_dist_info_metadata):
            if field:
                metadata_raw = codecs.metadata.decode(field)
                if metadata_raw is not None:
                    break
    except msgspec.DecodeError as err:
        raise PageParseError(f"{err} (in the entry of `{filename}`)") from None
    if len(hashes_raw) == 1:
        ((algorithm, digest),) = hashes_raw.items()
        hashes: Hashes = ((algorithm.lower(), digest.lower()),)
    elif hashes_raw:
        hashes = tuple(sorted((k.lower(), v.lower()) for k, v in hashes_raw.items()))
    else:
        hashes = fragment_hashes
    core_metadata, metadata_hashes = _metadata_flag(metadata_raw)
    yanked = raw.yanked
    return DistFile(
        filename,
        url,
        hashes,
        raw.requires_python or None,
        bool(yanked),
        yanked if yanked.__class__ is str and yanked else None,
        raw.upload_time,
        raw.size,
        core_metadata,
        metadata_hashes,
    )


# ---------------------------------------------------------------- HTML (PEP 503)


def _scan_attributes(text: str, start: int) -> tuple[dict[str, str | None], int]:
    """Attributes of the tag whose name ends at `start`; returns them and the index after `>`.

    Jumps with `str.find` between `=` signs and quotes rather than walking every character.
    """
    attributes: dict[str, str | None] = {}
    length = len(text)
    i = start
    while i < length:
        close = text.find(">", i)
        if close == -1:
            close = length
        equals = text.find("=", i, close)
        if equals == -1:
            for token in text[i:close].replace("/", " ").split():
                attributes[token.lower()] = None
            return attributes, close + 1
        names = text[i:equals].replace("/", " ").split()
        i = equals + 1
        while i < length and text[i] in _SPACE:
            i += 1
        if i < length and text[i] in "\"'":
            end = text.find(text[i], i + 1)
            if end == -1:
                end = length
            value = text[i + 1 : end]
            i = end + 1
        else:
            end = i
            while end < length and text[end] not in _SPACE and text[end] != ">":
                end += 1
            value = text[i:end]
            i = end
        if not names:
            continue
        for token in names[:-1]:
            attributes[token.lower()] = None
        attributes[names[-1].lower()] = unescape(value) if "&" in value else value
    return attributes, length


def _find_tag(text: str, lower: str, tag: str, start: int) -> int:
    """Index just after `<tag` of the next such tag at or after `start`, or -1."""
    needle = "<" + tag
    while True:
        found = lower.find(needle, start)
        if found == -1:
            return -1
        after = found + len(needle)
        if after < len(lower) and (lower[after].isspace() or lower[after] in ">/"):
            return after
        start = after


def parse_html(body: bytes | str, page_url: str, name: str) -> ProjectPage:
    """Parse a PEP 503 HTML project page (anchors, `<base href>`, `data-*` attributes)."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    lower = text.lower()
    base = page_url
    base_at = _find_tag(text, lower, "base", 0)
    if base_at != -1:
        attributes, _ = _scan_attributes(text, base_at)
        href = attributes.get("href")
        if href:
            base = _absolute(href, page_url)
    files = []
    position = 0
    while True:
        anchor = _find_tag(text, lower, "a", position)
        if anchor == -1:
            break
        attributes, position = _scan_attributes(text, anchor)
        dist = _html_file(attributes, base)
        if dist is not None:
            files.append(dist)
    return ProjectPage(name=name, files=tuple(files))


def _html_file(attributes: dict[str, str | None], base: str) -> DistFile | None:
    href = attributes.get("href")
    if not href:
        return None
    url, hashes = _split_fragment(_absolute(href.strip(), base))
    filename = _filename_of(url)
    if not is_safe_dist_filename(filename):
        return None
    metadata = attributes.get("data-core-metadata", attributes.get("data-dist-info-metadata"))
    core_metadata, metadata_hashes = _html_metadata_flag(metadata)
    yanked = "data-yanked" in attributes
    reason = attributes.get("data-yanked")
    return DistFile(
        filename=filename,
        url=url,
        hashes=hashes,
        requires_python=attributes.get("data-requires-python") or None,
        yanked=yanked,
        yanked_reason=reason or None,
        core_metadata=core_metadata,
        core_metadata_hashes=metadata_hashes,
    )


def is_json_content_type(content_type: str) -> bool:
    """Whether a `Content-Type` is the PEP 691 JSON format (else the page is HTML)."""
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == JSON_CONTENT_TYPE or media_type.endswith("+json")


def parse_page(body: bytes, content_type: str, page_url: str, name: str) -> ProjectPage:
    """Parse a project page by its `Content-Type` (JSON for PEP 691, else HTML)."""
    return parse_page_listing(body, content_type, page_url, name).page()


def parse_page_listing(body: bytes, content_type: str, page_url: str, name: str) -> PageListing:
    """`parse_page` as a `PageListing` (JSON entries are not turned into `DistFile`s yet)."""
    if is_json_content_type(content_type):
        return parse_json_listing(body, page_url, name)
    return PageListing.of_page(parse_html(body, page_url, name), page_url)
