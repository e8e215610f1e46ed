"""Strict, streaming extraction of a wheel into the cache.

The archive is read ONCE, front to back, as it arrives (from a file or a download): every local
file header (LFH) is parsed and its member inflated straight to disk while the whole stream is
hashed; then the central directory (CD) and end-of-central-directory record (EOCD) are parsed
and checked against what was actually seen. Reading front to back means the archive must tile
exactly (LFH+data for every member, then CD, then EOCD): prepended bytes, gaps, overlapping or
hidden members, trailing garbage and zip-in-zip comments are all rejected, where CPython's
`zipfile` trusts the CD and tolerates most of them.

Everything lands in a fresh `.tmp*` directory inside the `archive` cache bucket; only after the
archive hash, the ZIP structure and the wheel's dist-info have been checked (and RECORD healed
to match the files actually extracted) is the directory renamed to its final key. A failure or a
kill -9 at any point leaves at most a `.tmp*` directory, never a half-written final entry.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import struct
import unicodedata
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from msgspec import Struct

from puv.cache.layout import CacheLayout
from puv.cache.persist import persist_dir, temp_dir_in
from puv.core.errors import FailureError, PuvError
from puv.core.hashes import HashDigest, MultiHasher, check_hashes, record_digest_of
from puv.core.wheel_filename import WheelFilename
from puv.install.dist_info import (
    InvalidWheel,
    RecordEntry,
    check_dist_info_name,
    check_metadata_matches,
    check_reserved_script_name,
    find_dist_info,
    parse_entry_points,
    parse_record,
    parse_wheel_file,
    render_record,
)

GIB = 1 << 30
MIB = 1 << 20
_READ_CHUNK = 256 * 1024
_INFLATE_CHUNK = 1 * MIB

_LFH = b"PK\x03\x04"
_CD = b"PK\x01\x02"
_EOCD = b"PK\x05\x06"
_ZIP64_EOCD = b"PK\x06\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_DATA_DESCRIPTOR = b"PK\x07\x08"
_LFH_STRUCT = struct.Struct("<HHHHHIIIHH")  # after the signature
_CD_STRUCT = struct.Struct("<HHHHHHIIIHHHHHII")
_EOCD_STRUCT = struct.Struct("<HHHHIIH")
_ZIP64_EOCD_STRUCT = struct.Struct("<QHHIIQQQQ")
_STORED, _DEFLATED, _ZSTD = 0, 8, 93
_FLAG_ENCRYPTED, _FLAG_DATA_DESCRIPTOR, _FLAG_STRONG_ENCRYPTION, _FLAG_MASKED = 1, 8, 64, 8192
_SENTINEL32, _SENTINEL16 = 0xFFFFFFFF, 0xFFFF
_DATA_KEYS = frozenset({"purelib", "platlib", "scripts", "headers", "data"})


class ArchiveError(FailureError):
    """A wheel that cannot be extracted safely: `Failed to extract archive: <name>` (exit 1)."""


class _ZipError(Exception):
    """Internal: one reason an archive is rejected (becomes a cause of `ArchiveError`)."""

    def __init__(self, *messages: str) -> None:
        super().__init__(messages[-1])
        self.messages = messages


def _structure(detail: str) -> _ZipError:
    return _ZipError("Invalid zip file structure", detail)


class ArchiveLimits(Struct, frozen=True):
    """Zip-bomb limits. A member whose uncompressed size passes `ratio_floor` may not inflate
    more than `max_ratio` times its compressed size; the whole archive may not exceed
    `max_total_size` uncompressed bytes."""

    max_total_size: int = 16 * GIB
    max_ratio: int = 200
    ratio_floor: int = 256 * MIB


DEFAULT_LIMITS = ArchiveLimits()


class UnpackedWheel(Struct, frozen=True):
    """A validated wheel unpacked in the cache, ready to be linked into environments."""

    path: Path  # the final directory in the `archive` bucket
    filename: WheelFilename
    dist_info: str  # e.g. `foo-1.0.dist-info`
    hashes: tuple[HashDigest, ...]  # of the archive bytes
    size: int  # archive size in bytes
    warnings: tuple[str, ...] = ()  # worth showing the user (e.g. RECORD digest mismatches)


class Readable(Protocol):
    """Anything with `read(n) -> bytes` (an open file, an HTTP response's raw stream)."""

    def read(self, size: int = -1, /) -> bytes: ...


class ChunkReader:
    """Adapts an iterable of byte chunks (e.g. `response.iter_bytes()`) to `read(n)`."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)

    def read(self, size: int = -1, /) -> bytes:
        """Return the next non-empty chunk (at most one chunk per call), or b"" at the end."""
        for chunk in self._chunks:
            if chunk:
                return chunk
        return b""


def unpack_wheel(
    source: Path | Readable | Iterable[bytes],
    filename: WheelFilename,
    cache: CacheLayout,
    *,
    expected_hashes: Sequence[HashDigest] = (),
    algorithms: Sequence[str] = ("sha256",),
    expected_size: int | None = None,
    display_name: str | None = None,
    key: str | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    skip_filename_check: bool = False,
    strict_record: bool = False,
) -> UnpackedWheel:
    """Validate and unpack one wheel into `cache.bucket("archive")/<key>`.

    `source` is a path, a readable binary stream or an iterable of chunks; it is read once.
    The archive is hashed with `algorithms` plus those of `expected_hashes`; a mismatch raises
    uv's "Hash mismatch" error and nothing is persisted. `key` names the final directory
    (default: the archive's sha256); if it already exists (another process won the race) the
    new copy is discarded and the existing one is used. `display_name` names the artifact
    in errors (default: the filename). `strict_record` turns RECORD digest mismatches into
    errors instead of warnings.
    """
    name = display_name or filename.filename
    wanted = [*algorithms, *(digest.algorithm for digest in expected_hashes)]
    hasher = MultiHasher(dict.fromkeys(["sha256", *wanted]))
    bucket = cache.bucket("archive")
    temp = temp_dir_in(bucket)
    try:
        if isinstance(source, Path | str):
            with open(source, "rb") as file:
                files = _extract(file, temp, hasher, limits, name)
        elif hasattr(source, "read"):
            files = _extract(source, temp, hasher, limits, name)  # type: ignore[arg-type]
        else:
            files = _extract(ChunkReader(source), temp, hasher, limits, name)
        digests = hasher.digests()
        if expected_size is not None and hasher.size != expected_size:
            raise FailureError(
                f"Size mismatch for `{filename.distribution}`: expected {expected_size} bytes, "
                f"but downloaded {hasher.size} bytes"
            )
        check_hashes(filename.distribution, expected_hashes, digests)
        try:
            dist_info, warnings = _validate_wheel(
                temp, files, filename, skip_filename_check, strict_record
            )
        except PuvError as err:
            raise ArchiveError(
                f"Failed to extract archive: {name}", causes=[err.message, *err.causes]
            ) from None
        final = bucket / (key or next(d.digest for d in digests if d.algorithm == "sha256"))
        persist_dir(temp, final)
    except OSError as err:  # a missing source, a full disk, permissions
        shutil.rmtree(temp, ignore_errors=True)
        raise ArchiveError(f"Failed to extract archive: {name}", causes=[str(err)]) from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    shown = tuple(d for d in digests if d.algorithm in set(wanted))
    return UnpackedWheel(final, filename, dist_info, shown, hasher.size, tuple(warnings))


# --- the ZIP stream -----------------------------------------------------------------------------


class _Stream:
    """Buffered reader that hashes every byte it pulls from the source and knows its offset."""

    __slots__ = ("_buf", "_eof", "_hasher", "_pos", "_raw", "offset")

    def __init__(self, raw: Readable, hasher: MultiHasher) -> None:
        self._raw = raw
        self._hasher = hasher
        self._buf = b""
        self._pos = 0
        self._eof = False
        self.offset = 0  # bytes handed to the parser

    def _fill(self, wanted: int) -> None:
        while len(self._buf) - self._pos < wanted and not self._eof:
            chunk = self._raw.read(max(_READ_CHUNK, wanted))
            if not chunk:
                self._eof = True
                break
            self._hasher.update(chunk)
            self._buf = self._buf[self._pos :] + chunk
            self._pos = 0

    def read_exact(self, size: int) -> bytes:
        """Exactly `size` bytes, or a structure error at end of file."""
        self._fill(size)
        if len(self._buf) - self._pos < size:
            raise _structure(
                f"unexpected end of file at offset {self.offset + len(self._buf) - self._pos}"
            )
        data = self._buf[self._pos : self._pos + size]
        self._pos += size
        self.offset += size
        return data

    def read_some(self, limit: int) -> bytes:
        """Between 1 and `limit` bytes (b"" only at end of file)."""
        self._fill(1)
        data = self._buf[self._pos : self._pos + limit]
        self._pos += len(data)
        self.offset += len(data)
        return data

    def unread(self, count: int) -> None:
        """Give back the last `count` bytes handed out by `read_some`."""
        self._pos -= count
        self.offset -= count

    def peek(self, size: int) -> bytes:
        """Up to `size` upcoming bytes without consuming them."""
        self._fill(size)
        return self._buf[self._pos : self._pos + size]

    def rest(self) -> Iterator[bytes]:
        """Everything left until end of file, in chunks."""
        while True:
            chunk = self.read_some(_READ_CHUNK)
            if not chunk:
                return
            yield chunk


class _Member(Struct):
    """What the local header and the data said about one member."""

    name: str
    offset: int
    method: int
    flags: int
    crc: int
    compressed_size: int
    size: int
    is_dir: bool
    digest: bytes  # raw sha256 of the data (b"" for directories)
    claimed: bool = False


def _extract(
    raw: Readable, target: Path, hasher: MultiHasher, limits: ArchiveLimits, name: str
) -> dict[str, tuple[bytes, int]]:
    """Extract into `target`; returns {path: (raw sha256, size)} of the regular files."""
    stream = _Stream(raw, hasher)
    try:
        return _ZipExtractor(stream, target, limits).run()
    except _ZipError as err:
        raise ArchiveError(
            f"Failed to extract archive: {name}", causes=list(err.messages)
        ) from None


class _ZipExtractor:
    """Walks one archive front to back; see the module docstring for what it enforces."""

    def __init__(self, stream: _Stream, target: Path, limits: ArchiveLimits) -> None:
        self.stream = stream
        self.root = os.fspath(target)
        self.limits = limits
        self.members: dict[int, _Member] = {}  # by local header offset
        self.files: dict[str, tuple[bytes, int]] = {}
        self.dirs: set[str] = {""}
        self.total = 0
        umask = os.umask(0)
        os.umask(umask)
        self.file_mode = 0o666 & ~umask

    def run(self) -> dict[str, tuple[bytes, int]]:
        stream = self.stream
        while True:
            offset = stream.offset
            signature = stream.peek(4)
            if signature == _LFH:
                stream.read_exact(4)
                self._member(offset)
            elif signature in (_CD, _EOCD, _ZIP64_EOCD):
                break
            elif len(signature) < 4:
                raise _structure(f"unexpected end of file at offset {offset}")
            else:
                raise _structure(f"unexpected signature {signature!r} at offset {offset}")
        self._central_directory()
        return self.files

    # -- local headers and data --

    def _member(self, offset: int) -> None:
        stream = self.stream
        (_version, flags, method, _time, _date, crc, csize, usize, name_len, extra_len) = (
            _LFH_STRUCT.unpack(stream.read_exact(_LFH_STRUCT.size))
        )
        raw_name = stream.read_exact(name_len)
        extra = stream.read_exact(extra_len)
        name = _decode_name(raw_name, f"ZIP local header filename at offset {offset}")
        _check_name(name)
        _check_extra(extra, name)
        if flags & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION | _FLAG_MASKED):
            raise _ZipError(f"Archive contains an encrypted file: {name}")
        usize, csize, zip64 = _local_sizes(extra, usize, csize, name)
        has_descriptor = bool(flags & _FLAG_DATA_DESCRIPTOR)
        is_dir = name.endswith("/")
        if method not in (_STORED, _DEFLATED, _ZSTD) or (method == _ZSTD and _zstd() is None):
            raise _ZipError(
                "Archive contains a file with an unsupported compression method; files must be "
                "compressed with 'stored', 'DEFLATE', or 'zstd'"
            )
        if method == _STORED and has_descriptor:
            raise _structure(f"stored member without sizes (data descriptor): {name}")
        if not has_descriptor:
            self._check_ratio(name, usize, csize)
        if is_dir:
            path = name.rstrip("/")
            self._make_dirs(path, name)
            computed = self._inflate(name, method, csize, usize, has_descriptor, None)
            if computed[1] != 0:
                raise _ZipError(
                    f"Bad uncompressed size (got {computed[1]:08x}, expected 0) for file: {name}"
                )
            digest = b""
        else:
            parent, _, _ = name.rpartition("/")
            self._make_dirs(parent, name)
            computed, digest = self._write_file(name, method, csize, usize, has_descriptor)
        crc_seen, size_seen, csize_seen = computed
        if has_descriptor:
            crc, csize, usize = self._data_descriptor(name, crc_seen, zip64)
        if crc_seen != crc:
            raise _ZipError(f"Bad CRC (got {crc_seen:08x}, expected {crc:08x}) for file: {name}")
        if size_seen != usize:
            raise _ZipError(
                f"Bad uncompressed size (got {size_seen:08x}, expected {usize:08x}) for file: {name}"
            )
        if csize_seen != csize:
            raise _ZipError(
                f"Bad compressed size (got {csize_seen:08x}, expected {csize:08x}) for file: {name}"
            )
        self.members[offset] = _Member(
            name, offset, method, flags, crc, csize, usize, is_dir, digest
        )

    def _check_ratio(self, name: str, size: int, compressed: int) -> None:
        limits = self.limits
        if size > limits.ratio_floor and size > limits.max_ratio * max(compressed, 1):
            raise _ZipError(
                f"Archive member inflates more than {limits.max_ratio}:1, which indicates a zip "
                f"bomb: {name}"
            )
        if self.total + size > limits.max_total_size:
            raise _ZipError(
                f"Archive exceeds the limit of {limits.max_total_size} uncompressed bytes at: {name}"
            )

    def _make_dirs(self, path: str, name: str) -> None:
        if path in self.dirs:
            return
        parent, _, _ = path.rpartition("/")
        self._make_dirs(parent, name)
        try:
            os.mkdir(f"{self.root}/{path}")
        except FileExistsError:
            if path in self.files or not os.path.isdir(f"{self.root}/{path}"):
                raise _ZipError(
                    f"Archive contains a path that is both a file and a directory: {name}"
                ) from None
        except NotADirectoryError:
            raise _ZipError(
                f"Archive contains a path that is both a file and a directory: {name}"
            ) from None
        self.dirs.add(path)

    def _write_file(
        self, name: str, method: int, csize: int, usize: int, has_descriptor: bool
    ) -> tuple[tuple[int, int, int], bytes]:
        path = f"{self.root}/{name}"
        if name in self.dirs:
            raise _ZipError(f"Archive contains a path that is both a file and a directory: {name}")
        digest = hashlib.sha256()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.file_mode)
        except FileExistsError:
            # A duplicate name: accepted only with identical contents (as uv does).
            computed = self._inflate(name, method, csize, usize, has_descriptor, None, digest)
            if self.files[name][0] != digest.digest():
                raise _ZipError(
                    f"ZIP file contains multiple entries with different contents for: {name}"
                ) from None
            return computed, digest.digest()
        except IsADirectoryError:
            raise _ZipError(
                f"Archive contains a path that is both a file and a directory: {name}"
            ) from None
        try:
            computed = self._inflate(name, method, csize, usize, has_descriptor, fd, digest)
        finally:
            os.close(fd)
        self.files[name] = (digest.digest(), computed[1])
        return computed, digest.digest()

    def _inflate(
        self,
        name: str,
        method: int,
        csize: int,
        usize: int,
        has_descriptor: bool,
        fd: int | None,
        digest: hashlib._Hash | None = None,
    ) -> tuple[int, int, int]:
        """Decompress one member's data to `fd`; returns (crc32, size, compressed size)."""
        stream = self.stream
        update = None if digest is None else digest.update
        crc = 0
        size = 0
        consumed = 0
        limit = None if has_descriptor else usize
        decompressor = _decompressor(method)

        def emit(data: bytes) -> None:
            nonlocal crc, size
            if not data:
                return
            crc = zlib.crc32(data, crc)
            size += len(data)
            self.total += len(data)
            if limit is not None and size > limit:
                raise _ZipError(
                    f"Bad uncompressed size (got more than {limit:08x}, expected {limit:08x}) "
                    f"for file: {name}"
                )
            if (
                limit is None
                and size > self.limits.ratio_floor
                and (size > self.limits.max_ratio * max(consumed, 1))
            ):
                raise _ZipError(
                    f"Archive member inflates more than {self.limits.max_ratio}:1, which "
                    f"indicates a zip bomb: {name}"
                )
            if self.total > self.limits.max_total_size:
                raise _ZipError(
                    f"Archive exceeds the limit of {self.limits.max_total_size} uncompressed "
                    f"bytes at: {name}"
                )
            if update is not None:
                update(data)
            if fd is not None:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]

        if decompressor is None:  # stored
            left = csize
            while left:
                chunk = stream.read_some(min(left, _INFLATE_CHUNK))
                if not chunk:
                    raise _structure(f"unexpected end of file in the data of: {name}")
                left -= len(chunk)
                consumed += len(chunk)
                emit(chunk)
            return crc, size, consumed
        remaining: int | None = None if has_descriptor else csize
        while not decompressor.eof:
            want = _READ_CHUNK if remaining is None else min(remaining, _READ_CHUNK)
            chunk = stream.read_some(want) if want else b""
            if not chunk:
                raise _ZipError(
                    f"Bad compressed size (got {consumed:08x}, expected more) for file: {name}"
                )
            consumed += len(chunk)
            if remaining is not None:
                remaining -= len(chunk)
            data = chunk
            while True:  # bounded output per call: a bomb never sits in memory
                try:
                    out = decompressor.decompress(data, _INFLATE_CHUNK)
                except (zlib.error, ValueError) as err:
                    raise _ZipError(f"Invalid compressed data for file: {name} ({err})") from None
                emit(out)
                data = decompressor.unconsumed_tail
                if decompressor.eof or (not data and len(out) < _INFLATE_CHUNK):
                    break
        unused = len(decompressor.unused_data)
        if unused:
            if remaining is not None:
                raise _ZipError(
                    f"Bad compressed size (got {consumed - unused:08x}, expected {csize:08x}) "
                    f"for file: {name}"
                )
            stream.unread(unused)
            consumed -= unused
        elif remaining:
            raise _ZipError(
                f"Bad compressed size (got {consumed:08x}, expected {csize:08x}) for file: {name}"
            )
        return crc, size, consumed

    def _data_descriptor(self, name: str, crc_seen: int, zip64: bool) -> tuple[int, int, int]:
        """(crc, compressed size, size) from the data descriptor after a member's data."""
        stream = self.stream
        sizes = "<QQ" if zip64 else "<II"
        width = 16 if zip64 else 8
        # The signature is optional; it is only taken as one when it is not the CRC itself.
        head = stream.peek(4)
        if head == _DATA_DESCRIPTOR and struct.unpack("<I", head)[0] != crc_seen:
            stream.read_exact(4)
        crc = struct.unpack("<I", stream.read_exact(4))[0]
        csize, usize = struct.unpack(sizes, stream.read_exact(width))
        if not stream.peek(4).startswith(b"PK"):
            raise _ZipError(f"Data descriptor is missing or malformed for file: {name}")
        return crc, csize, usize

    # -- central directory and end records --

    def _central_directory(self) -> None:
        stream = self.stream
        cd_offset = stream.offset
        count = 0
        modes: dict[str, int] = {}
        while stream.peek(4) == _CD:
            stream.read_exact(4)
            fields = _CD_STRUCT.unpack(stream.read_exact(_CD_STRUCT.size))
            (made_by, _version, flags, method, _t, _d, crc, csize, usize) = fields[:9]
            name_len, extra_len, comment_len, disk, _internal, external, offset = fields[9:]
            raw_name = stream.read_exact(name_len)
            extra = stream.read_exact(extra_len)
            stream.read_exact(comment_len)
            name = _decode_name(raw_name, f"ZIP central directory entry filename at index {count}")
            count += 1
            _check_name(name)
            _check_extra(extra, name)
            usize, csize, offset = _central_sizes(extra, usize, csize, offset, name)
            if disk not in (0, _SENTINEL16):
                raise _structure(f"multi-disk archives are not supported: {name}")
            member = self.members.get(offset)
            if member is None or member.claimed:
                raise _ZipError(
                    "ZIP file contains an end-of-central-directory record entry, but no local "
                    f"file header for: {name} ({offset})"
                )
            member.claimed = True
            if member.name != name:
                raise _ZipError(
                    f"ZIP file uses conflicting paths for the local file header at {member.offset} "
                    f"(got {member.name}, expected {name})"
                )
            if member.crc != crc:
                raise _ZipError(
                    "ZIP file uses conflicting checksums for the local file header and "
                    f"central-directory record (got {member.crc}, expected {crc}) for: {name} "
                    f"({member.offset})"
                )
            if member.size != usize:
                raise _ZipError(
                    "ZIP file uses conflicting uncompressed sizes for the local file header and "
                    f"central-directory record (got {member.size}, expected {usize}) for: {name} "
                    f"({member.offset})"
                )
            if member.compressed_size != csize:
                raise _ZipError(
                    "ZIP file uses conflicting compressed sizes for the local file header and "
                    f"central-directory record (got {member.compressed_size}, expected {csize}) "
                    f"for: {name} ({member.offset})"
                )
            if member.method != method or (member.flags ^ flags) & _FLAG_DATA_DESCRIPTOR:
                raise _structure(
                    f"the local file header and central directory disagree about: {name}"
                )
            self._apply_mode(member, made_by >> 8, external >> 16, modes)
        cd_size = stream.offset - cd_offset
        self._end_records(cd_offset, cd_size, count)
        for member in self.members.values():
            if not member.claimed:
                raise _ZipError(
                    "ZIP file contains a local file header without a corresponding "
                    f"central-directory record entry for: {member.name} ({member.offset})"
                )

    def _apply_mode(self, member: _Member, system: int, mode: int, modes: dict[str, int]) -> None:
        """Reject links and special files; keep only the executable bit (as uv and pip do)."""
        if system != 3 or not mode:
            return
        kind = stat.S_IFMT(mode)
        if kind == stat.S_IFLNK:
            raise _ZipError(f"Archive contains a symlink, which is not allowed: {member.name}")
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR) or (kind == stat.S_IFDIR) != member.is_dir:
            raise _ZipError(f"Archive contains an unsupported file type for: {member.name}")
        if member.is_dir:
            return
        previous = modes.setdefault(member.name, mode)
        if previous != mode:
            raise _ZipError(
                "ZIP file end-of-central-directory record contains multiple entries with the "
                f"same path, but conflicting modes: {member.name}"
            )
        if mode & 0o111:
            os.chmod(f"{self.root}/{member.name}", self.file_mode | 0o111)

    def _end_records(self, cd_offset: int, cd_size: int, count: int) -> None:
        stream = self.stream
        zip64: tuple[int, int, int] | None = None
        if stream.peek(4) == _ZIP64_EOCD:
            record_offset = stream.offset
            stream.read_exact(4)
            (size, _made, _needed, disk, cd_disk, n_disk, n_total, z_cd_size, z_cd_offset) = (
                _ZIP64_EOCD_STRUCT.unpack(stream.read_exact(_ZIP64_EOCD_STRUCT.size))
            )
            if size != _ZIP64_EOCD_STRUCT.size - 8:
                raise _ZipError(
                    "ZIP64 end-of-central-directory record contains unsupported extensible data"
                )
            if disk or cd_disk or n_disk != n_total:
                raise _structure("multi-disk archives are not supported")
            zip64 = (n_total, z_cd_size, z_cd_offset)
            if stream.read_exact(4) != _ZIP64_LOCATOR:
                raise _structure("missing ZIP64 end-of-central-directory locator")
            locator_disk, locator_offset, disks = struct.unpack("<IQI", stream.read_exact(16))
            if locator_disk or disks > 1 or locator_offset != record_offset:
                raise _structure("invalid ZIP64 end-of-central-directory locator")
        if stream.read_exact(4) != _EOCD:
            raise _structure(
                f"expected the end-of-central-directory record at offset {stream.offset - 4}"
            )
        (disk, cd_disk, n_disk, n_total, e_cd_size, e_cd_offset, comment_len) = _EOCD_STRUCT.unpack(
            stream.read_exact(_EOCD_STRUCT.size)
        )
        comment = stream.read_exact(comment_len)
        if any(1 <= byte <= 8 for byte in comment):
            raise _ZipError(
                "ZIP file end-of-central-directory record contains a comment that appears to be "
                "an embedded ZIP file"
            )
        if disk not in (0, _SENTINEL16) or cd_disk not in (0, _SENTINEL16):
            raise _structure("multi-disk archives are not supported")
        actual = {"entries": count, "size": cd_size, "offset": cd_offset}
        for field, value, sentinel, index in (
            ("entries", n_total, _SENTINEL16, 0),
            ("entries", n_disk, _SENTINEL16, 0),
            ("size", e_cd_size, _SENTINEL32, 1),
            ("offset", e_cd_offset, _SENTINEL32, 2),
        ):
            reported = zip64[index] if (zip64 is not None and value == sentinel) else value
            if reported != actual[field]:
                if field == "entries":
                    raise _ZipError(
                        "ZIP file reports a number of entries in the central directory that "
                        f"conflicts with the actual number of entries (got {count}, expected "
                        f"{reported})"
                    )
                raise _structure(f"the end-of-central-directory record has a wrong {field}")
        if zip64 is not None and (zip64[0], zip64[1], zip64[2]) != (count, cd_size, cd_offset):
            raise _structure("the ZIP64 end-of-central-directory record disagrees with the archive")
        for chunk in stream.rest():
            if chunk.strip(b"\0"):
                raise _ZipError(
                    "ZIP file contains trailing contents after the end-of-central-directory record"
                )


class _Decompressor(Protocol):
    """The part of `zlib.decompressobj()` the extractor uses (zstd is adapted to it)."""

    @property
    def eof(self) -> bool: ...
    @property
    def unused_data(self) -> bytes: ...
    @property
    def unconsumed_tail(self) -> bytes: ...
    def decompress(self, data: bytes, max_length: int = 0, /) -> bytes: ...


class _ZstdDecompressor:
    """`compression.zstd.ZstdDecompressor` (Python 3.14+) behind the zlib interface."""

    unconsumed_tail = b""

    def __init__(self, module: Any) -> None:
        self._inner = module.ZstdDecompressor()

    @property
    def eof(self) -> bool:
        return bool(self._inner.eof)

    @property
    def unused_data(self) -> bytes:
        return bytes(self._inner.unused_data)

    def decompress(self, data: bytes, max_length: int = 0, /) -> bytes:
        return bytes(self._inner.decompress(data, max_length or -1))


def _decompressor(method: int) -> _Decompressor | None:
    if method == _STORED:
        return None
    if method == _DEFLATED:
        return zlib.decompressobj(-15)
    return _ZstdDecompressor(_zstd())


def _zstd() -> Any:
    """The stdlib zstd module (Python 3.14+), or None when this Python lacks it."""
    try:
        from compression import zstd  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return zstd


def _decode_name(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _ZipError(f"{where} does not use UTF-8 encoding") from None


def _sanitized(name: str) -> str:
    return "".join("\ufffd" if unicodedata.category(ch)[0] == "C" else ch for ch in name)


def _check_name(name: str) -> None:
    """Reject names other ZIP readers could see differently, and any path that could escape."""
    if not name:
        raise _ZipError("Archive contains a file with an empty filename")
    if not name.isprintable() and _sanitized(name) != name:
        raise _ZipError(f"Archive contains unacceptable filename: {_sanitized(name)}")
    if "\\" in name:
        raise _ZipError(f"Archive contains a path with a backslash, which is not allowed: {name}")
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    first = parts[0]
    if any(part in ("", ".", "..") for part in parts) or (
        len(first) >= 2 and first[1] == ":" and first[0].isalpha()
    ):
        raise _ZipError(f"Archive contains a path that escapes the target directory: {name}")


def _check_extra(extra: bytes, name: str) -> None:
    """Extra fields must be well-formed; a Unicode path field may not rename the member."""
    position = 0
    seen: set[int] = set()
    while position < len(extra):
        if position + 4 > len(extra):
            raise _structure(f"malformed extra field for: {name}")
        header_id, size = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4 : position + 4 + size]
        if len(body) != size or header_id in seen:
            raise _structure(f"malformed extra field for: {name}")
        seen.add(header_id)
        if header_id == 0x7075 and body[5:].decode("utf-8", "replace") != name:
            raise _structure(f"conflicting Unicode path extra field for: {name}")
        position += 4 + size


def _zip64_values(extra: bytes, name: str) -> list[int] | None:
    """The 8-byte values of the ZIP64 extra field (0x0001), or None without one."""
    position = 0
    while position + 4 <= len(extra):
        header_id, size = struct.unpack_from("<HH", extra, position)
        if header_id == 1:
            body = extra[position + 4 : position + 4 + size]
            if len(body) % 8 not in (0, 4):  # the optional disk number is 4 bytes
                raise _structure(f"malformed ZIP64 extra field for: {name}")
            return [struct.unpack_from("<Q", body, i)[0] for i in range(0, len(body) - 7, 8)]
        position += 4 + size
    return None


def _local_sizes(extra: bytes, usize: int, csize: int, name: str) -> tuple[int, int, bool]:
    """(uncompressed, compressed, is ZIP64) of a local header; ZIP64 headers carry both sizes."""
    values = _zip64_values(extra, name)
    if values is None:
        if _SENTINEL32 in (usize, csize):
            raise _structure(f"missing ZIP64 extra field for: {name}")
        return usize, csize, False
    if len(values) < 2:
        raise _structure(f"malformed ZIP64 extra field for: {name}")
    return values[0], values[1], True


def _central_sizes(
    extra: bytes, usize: int, csize: int, offset: int, name: str
) -> tuple[int, int, int]:
    """(uncompressed, compressed, local header offset) of a central-directory record: each
    0xFFFFFFFF field is read, in that order, from the ZIP64 extra field."""
    values = iter(_zip64_values(extra, name) or ())
    resolved = []
    for field in (usize, csize, offset):
        if field == _SENTINEL32:
            value = next(values, None)
            if value is None:
                raise _structure(f"missing ZIP64 extra field for: {name}")
            field = value
        resolved.append(field)
    return resolved[0], resolved[1], resolved[2]


# --- the wheel inside ----------------------------------------------------------------------------


def _validate_wheel(
    root: Path,
    files: dict[str, tuple[bytes, int]],
    filename: WheelFilename,
    skip_filename_check: bool,
    strict_record: bool,
) -> tuple[str, list[str]]:
    """Check the dist-info and `.data` layout, then heal RECORD; returns (dist-info, warnings)."""
    top_dirs = {path.split("/", 1)[0] for path in files if "/" in path}
    dist_info = find_dist_info(top_dirs)
    if not skip_filename_check:
        check_dist_info_name(filename, dist_info)
    wheel_text = _read_member(root, files, f"{dist_info}/WHEEL")
    wheel = parse_wheel_file(wheel_text)
    warnings = []
    if wheel.version[0] == 1 and wheel.version[1] > 0:
        warnings.append(
            f"Unsupported wheel minor version (expected 0, got {wheel.version[1]}) in {filename}"
        )
    if not skip_filename_check:
        check_metadata_matches(filename, _read_member(root, files, f"{dist_info}/METADATA"))
    entry_points = f"{dist_info}/entry_points.txt"
    if entry_points in files:
        parse_entry_points(_read_member(root, files, entry_points), python_minor=0)
    _check_data_dir(files, dist_info[: -len(".dist-info")] + ".data/")
    warnings += _heal_record(root, files, dist_info, filename, strict_record)
    return dist_info, warnings


def _read_member(root: Path, files: dict[str, tuple[bytes, int]], path: str) -> str:
    if path not in files:
        raise InvalidWheel.because(f"missing `{path}`")
    return (root / path).read_text(encoding="utf-8", errors="replace")


def _check_data_dir(files: dict[str, tuple[bytes, int]], prefix: str) -> None:
    for path in files:
        if not path.startswith(prefix):
            continue
        key, _, rest = path[len(prefix) :].partition("/")
        if key not in _DATA_KEYS or not rest:
            raise InvalidWheel.because(f"Unknown wheel data type: {key}")
        if key == "scripts" and "/" in rest:
            raise InvalidWheel.because(
                "Wheel contains an invalid entry (directory) in the `scripts` directory: "
                f"{prefix}scripts/{rest.split('/', 1)[0]}"
            )
        if key == "scripts":
            check_reserved_script_name(rest)


def _heal_record(
    root: Path,
    files: dict[str, tuple[bytes, int]],
    dist_info: str,
    filename: WheelFilename,
    strict: bool,
) -> list[str]:
    """Make RECORD list exactly the extracted files (uv's healing); report digest mismatches."""
    record_path = f"{dist_info}/RECORD"
    if record_path not in files:
        raise InvalidWheel.because(f"`RECORD` file not found at: {record_path}")
    text = (root / record_path).read_text(encoding="utf-8", errors="replace")
    entries = parse_record(text)
    healed: list[RecordEntry] = []
    listed: set[str] = set()
    mismatched: list[str] = []
    changed = False
    for entry in entries:
        path = os.path.normpath(entry.path).replace(os.sep, "/") if entry.path else ""
        if path not in files or path in listed:
            changed = True  # not in the archive (or listed twice): drop it
            continue
        listed.add(path)
        changed |= path != entry.path
        raw, size = files[path]
        if (
            path != record_path
            and entry.hash.startswith("sha256=")
            and (entry.hash != record_digest_of(raw) or (entry.size and int(entry.size) != size))
        ):
            mismatched.append(path)
        healed.append(RecordEntry(path, entry.hash, entry.size))
    for path in files.keys() - listed:
        if path in (f"{dist_info}/RECORD.jws", f"{dist_info}/RECORD.p7s"):
            continue
        healed.append(RecordEntry(path, "", str(files[path][1])))
        changed = True
    if mismatched and strict:
        raise InvalidWheel.because(
            f"RECORD digest does not match the file contents for: {', '.join(sorted(mismatched))}"
        )
    if changed:
        (root / record_path).write_text(render_record(healed), encoding="utf-8")
    return [
        f"The RECORD of {filename} lists a wrong digest for `{path}`" for path in sorted(mismatched)
    ]
