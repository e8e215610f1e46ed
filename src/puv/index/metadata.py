"""A wheel's core metadata (`*.dist-info/METADATA`) without downloading the wheel.

In order of preference: the cache (metadata is immutable for a given file, so it is kept forever,
keyed by the file's sha256 or URL); the PEP 658/714 `.metadata` file when the index advertises
one (its hash checked); HTTP range requests for the zip's tail (end of central directory and
central directory) and then for the METADATA member alone (stored or deflated, CRC checked);
and only when the server ignores ranges, the whole wheel, read in memory.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

from msgspec import Struct

from puv.cache.http_cache import url_digest
from puv.cache.persist import write_atomic
from puv.core.errors import PuvError
from puv.core.wheel_filename import WheelFilename, normalize_name
from puv.index.auth import redact
from puv.index.client import HttpClient, HttpResponse
from puv.index.simple import DistFile

TAIL_SIZE = 64 * 1024
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"
_METADATA_SUFFIX = b".dist-info/METADATA"
_LOCAL_HEADER = 30
_LOCAL_EXTRA_SLACK = 64
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


class MetadataError(PuvError):
    """The wheel's metadata could not be read (a broken wheel or a misbehaving server)."""


class _Member(Struct, frozen=True):
    name: str
    method: int
    crc: int
    compressed_size: int
    size: int
    offset: int
    extra_length: int = 0  # of the central directory entry (the local one usually matches)


def metadata_cache_path(bucket: Path, file: DistFile) -> Path:
    """Where the metadata of `file` is cached: `<bucket>/<project>/<digest>.metadata`."""
    project = normalize_name(file.filename.split("-")[0])
    key = file.hash("sha256") or url_digest(file.url)
    return bucket / project / f"{key}.metadata"


def wheel_metadata(client: HttpClient, file: DistFile, cache_bucket: Path | None = None) -> bytes:
    """The `METADATA` bytes of the wheel `file`, fetched as cheaply as the index allows."""
    cached = metadata_cache_path(cache_bucket, file) if cache_bucket is not None else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    wheel = WheelFilename.parse(file.filename)
    if file.core_metadata:
        data = _pep658_metadata(client, file)
    else:
        data = metadata_by_range(client, file.url, wheel)
    if cached is not None:
        write_atomic(cached, data)
    return data


def _pep658_metadata(client: HttpClient, file: DistFile) -> bytes:
    data = client.get(file.metadata_url).content
    for algorithm, expected in file.core_metadata_hashes:
        if algorithm in hashlib.algorithms_guaranteed:
            actual = hashlib.new(algorithm, data).hexdigest()
            if actual != expected:
                raise MetadataError(
                    f"Hash mismatch for the metadata of `{file.filename}`",
                    causes=[f"Expected: {algorithm}:{expected}", f"Computed: {algorithm}:{actual}"],
                )
    return data


def metadata_by_range(client: HttpClient, url: str, wheel: WheelFilename) -> bytes:
    """Read `*.dist-info/METADATA` of the wheel at `url` with range requests.

    Usually one request (the tail holds the central directory and, in most wheels, the
    dist-info files); otherwise one more for a central directory larger than the tail and one
    for the member (its local header, name and data in a single span). If the server answers
    a range request with the whole file, that file is read in memory instead.
    """
    tail = client.get(url, {"Range": f"bytes=-{TAIL_SIZE}"}, accept_status=(206,))
    if tail.status == 200:
        return _metadata_from_zip_bytes(tail.content, url, wheel)
    start, total = _content_range(tail, url)
    reader = _RangeReader(client, url, total, {start: tail.content})
    member = _find_metadata_member(_central_directory(reader, url), url, wheel)
    # The local header repeats the name and usually the central directory's extra field;
    # fetch header, name, extra and data at once (a longer local extra is fetched after).
    span = _LOCAL_HEADER + len(member.name.encode()) + member.extra_length + member.compressed_size
    reader.prefetch(member.offset, span + _LOCAL_EXTRA_SLACK)
    header = reader.read(member.offset, _LOCAL_HEADER)
    if header[:4] != _LOCAL:
        raise MetadataError(f"Failed to read metadata: `{redact(url)}`", causes=["bad zip header"])
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    name = reader.read(member.offset + 30, name_length).decode("utf-8", errors="replace")
    if name != member.name:
        raise MetadataError(
            f"Failed to read metadata: `{redact(url)}`",
            causes=[f"zip local header name `{name}` differs from `{member.name}`"],
        )
    data_start = member.offset + 30 + name_length + extra_length
    return _inflate(reader.read(data_start, member.compressed_size), member, url)


def _content_range(response: HttpResponse, url: str) -> tuple[int, int]:
    match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
    if match is None:
        raise MetadataError(
            f"Failed to read zip with range requests: `{redact(url)}`",
            causes=["the server sent a partial response without a valid `Content-Range`"],
        )
    start, end, total = (int(group) for group in match.groups())
    if end - start + 1 != len(response.content):
        raise MetadataError(
            f"Failed to read zip with range requests: `{redact(url)}`",
            causes=["the partial response does not match its `Content-Range`"],
        )
    return start, total


class _RangeReader:
    """Reads byte spans of a remote file, fetching missing spans with range requests."""

    def __init__(self, client: HttpClient, url: str, size: int, chunks: dict[int, bytes]) -> None:
        self.client = client
        self.url = url
        self.size = size
        self.chunks = chunks

    def prefetch(self, offset: int, length: int) -> None:
        """Fetch the span at `offset` (clipped to the file) unless it is already held."""
        length = max(0, min(length, self.size - offset))
        if length and not self._held(offset, length):
            self.read(offset, length)

    def _held(self, offset: int, length: int) -> bool:
        return any(
            start <= offset and offset + length <= start + len(data)
            for start, data in self.chunks.items()
        )

    def read(self, offset: int, length: int) -> bytes:
        """`length` bytes at `offset`."""
        if offset < 0 or length < 0 or offset + length > self.size:
            raise MetadataError(
                f"Failed to read metadata: `{redact(self.url)}`",
                causes=["the zip points outside the file"],
            )
        for start, data in self.chunks.items():
            if start <= offset and offset + length <= start + len(data):
                return data[offset - start : offset - start + length]
        end = offset + length - 1
        response = self.client.get(
            self.url, {"Range": f"bytes={offset}-{end}"}, accept_status=(206,)
        )
        if response.status != 206:
            return response.content[offset : offset + length]
        start, _ = _content_range(response, self.url)
        self.chunks[start] = response.content
        return self.read(offset, length)


def _central_directory(reader: _RangeReader, url: str) -> list[_Member]:
    tail_start = max(0, reader.size - min(TAIL_SIZE, reader.size))
    tail = reader.read(tail_start, reader.size - tail_start)
    at = tail.rfind(_EOCD)
    if at == -1 or len(tail) - at < 22:
        raise MetadataError(
            f"Failed to read metadata: `{redact(url)}`",
            causes=["no end of central directory record (not a zip file?)"],
        )
    count, cd_size, cd_offset = struct.unpack("<6xHII", tail[at + 4 : at + 20])
    if 0xFFFFFFFF in (cd_size, cd_offset) or count == 0xFFFF:
        locator = tail_start + at - 20
        record = reader.read(locator, 20)
        if record[:4] != _EOCD64_LOCATOR:
            raise MetadataError(f"Failed to read metadata: `{redact(url)}`", causes=["bad zip64"])
        (eocd64_offset,) = struct.unpack("<Q", record[8:16])
        eocd64 = reader.read(eocd64_offset, 56)
        if eocd64[:4] != _EOCD64:
            raise MetadataError(f"Failed to read metadata: `{redact(url)}`", causes=["bad zip64"])
        count, cd_size, cd_offset = struct.unpack("<QQQ", eocd64[32:56])
    directory = reader.read(cd_offset, cd_size)
    return _parse_central_directory(directory, count, url)


def _parse_central_directory(directory: bytes, count: int, url: str) -> list[_Member]:
    """The `*.dist-info/METADATA` entries of a central directory (every entry is checked for
    its signature; only those names are decoded, which keeps wheels of thousands of files
    cheap)."""
    members = []
    position = 0
    for _ in range(count):
        if directory[position : position + 4] != _CENTRAL:
            raise MetadataError(
                f"Failed to read metadata: `{redact(url)}`", causes=["bad central directory"]
            )
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", directory, position + 28)
        name_end = position + 46 + name_len
        if directory.endswith(_METADATA_SUFFIX, position + 46, name_end):
            method, crc, compressed, size = struct.unpack_from(
                "<HxxxxIII", directory, position + 10
            )
            (offset,) = struct.unpack_from("<I", directory, position + 42)
            name = directory[position + 46 : name_end].decode("utf-8", "replace")
            extra = directory[name_end : name_end + extra_len]
            size, compressed, offset = _zip64_values(extra, size, compressed, offset)
            members.append(_Member(name, method, crc, compressed, size, offset, extra_len))
        position = name_end + extra_len + comment_len
    return members


def _zip64_values(extra: bytes, size: int, compressed: int, offset: int) -> tuple[int, int, int]:
    """Replace 0xFFFFFFFF fields by their values from the zip64 extra field, if present."""
    position = 0
    while position + 4 <= len(extra):
        tag, length = struct.unpack("<HH", extra[position : position + 4])
        if tag == 0x0001:
            values = iter(
                struct.unpack(
                    f"<{length // 8}Q", extra[position + 4 : position + 4 + length - length % 8]
                )
            )
            if size == 0xFFFFFFFF:
                size = next(values, size)
            if compressed == 0xFFFFFFFF:
                compressed = next(values, compressed)
            if offset == 0xFFFFFFFF:
                offset = next(values, offset)
            break
        position += 4 + length
    return size, compressed, offset


def _find_metadata_member(members: list[_Member], url: str, wheel: WheelFilename) -> _Member:
    """The `<name>-<version>.dist-info/METADATA` member whose name matches the wheel's."""
    for member in members:
        top, _, rest = member.name.partition("/")
        if rest != "METADATA" or not top.endswith(".dist-info"):
            continue
        project = top[: -len(".dist-info")].rpartition("-")[0]
        if normalize_name(project) == wheel.name:
            return member
    raise MetadataError(
        f"Failed to read metadata: `{redact(url)}`",
        causes=[f"no `.dist-info/METADATA` for `{wheel.name}` in the wheel"],
    )


def _inflate(data: bytes, member: _Member, url: str) -> bytes:
    if member.method == zipfile.ZIP_STORED:
        content = data
    elif member.method == zipfile.ZIP_DEFLATED:
        try:
            content = zlib.decompressobj(-15).decompress(data, member.size + 1)
        except zlib.error as err:
            raise MetadataError(
                f"Failed to read metadata: `{redact(url)}`", causes=[str(err)]
            ) from None
    else:
        raise MetadataError(
            f"Failed to read metadata: `{redact(url)}`",
            causes=[f"unsupported compression method {member.method} for `{member.name}`"],
        )
    if len(content) != member.size or zlib.crc32(content) != member.crc:
        raise MetadataError(
            f"Failed to read metadata: `{redact(url)}`",
            causes=[f"Bad CRC-32 or size for `{member.name}`"],
        )
    return content


def _metadata_from_zip_bytes(data: bytes, url: str, wheel: WheelFilename) -> bytes:
    """The METADATA of a whole wheel held in memory (the server ignored the range request)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            member = _find_metadata_member(
                [
                    _Member(i.filename, i.compress_type, i.CRC, i.compress_size, i.file_size, 0)
                    for i in infos
                ],
                url,
                wheel,
            )
            return archive.read(member.name)
    except (zipfile.BadZipFile, zlib.error) as err:
        raise MetadataError(
            f"Failed to read metadata: `{redact(url)}`", causes=[str(err)]
        ) from None
