"""Build real wheels and sdists on the fly for tests, including deliberately malformed archives.

The happy path:

    data = make_wheel({"pkg/__init__.py": "x = 1\\n"}, name="pkg", version="1.0")
    path = write_wheel(tmp_path, {"pkg/__init__.py": b""}, name="pkg", version="1.0")
    sdist = write_sdist(tmp_path, {"pkg/__init__.py": ""}, name="pkg", version="1.0")

`make_wheel` adds `METADATA`, `WHEEL` and a correct `RECORD` (sha256, urlsafe base64 without
padding) unless told otherwise, and writes every member through `zipfile.ZipInfo(name)` so names
are never sanitised: a test can put `../x`, `a\\nb`, absolute or duplicate names in an archive.
The byte-level helpers (`patch`, `patch_all`, `flip_data_byte`) then break the framing on purpose
(local header vs central directory, CRC, trailing bytes, ...). `tar_gz` builds sdist-like tarballs
member by member (symlinks, hard links, devices).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import stat
import struct
import tarfile
import time
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

Content = bytes | str
# Fixed timestamp so that builds are reproducible (zip needs >= 1980).
ZIP_DATE_TIME = (2020, 1, 1, 0, 0, 0)


def _as_bytes(content: Content) -> bytes:
    return content.encode() if isinstance(content, str) else content


def record_hash(data: bytes) -> str:
    """`sha256=<urlsafe-b64-nopad>` as RECORD files spell a digest."""
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def record_line(path: str, data: bytes) -> str:
    """One RECORD line for `path` with the digest and size of `data`."""
    return f"{path},{record_hash(data)},{len(data)}"


def escape_name(name: str) -> str:
    """The filename form of a project name (`my-pkg` -> `my_pkg`)."""
    return name.replace("-", "_").replace(".", "_")


def wheel_filename(name: str, version: str, tag: str = "py3-none-any", build: str = "") -> str:
    """`name-version[-build]-tag.whl` with the name escaped as wheels require."""
    build_part = f"-{build}" if build else ""
    return f"{escape_name(name)}-{version}{build_part}-{tag}.whl"


def zip_info(
    name: str, *, mode: int = 0o644, compress_type: int = zipfile.ZIP_DEFLATED
) -> zipfile.ZipInfo:
    """A `ZipInfo` for a regular file with Unix permissions `mode` (names are kept verbatim)."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
    info.create_system = 3
    kind = stat.S_IFDIR if name.endswith("/") else stat.S_IFREG
    info.external_attr = ((kind | mode) & 0xFFFF) << 16
    if name.endswith("/"):
        info.external_attr |= 0x10
    info.compress_type = compress_type
    return info


def symlink_info(name: str) -> zipfile.ZipInfo:
    """A `ZipInfo` marked as a Unix symlink (its data is the link target)."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
    info.create_system = 3
    info.external_attr = ((stat.S_IFLNK | 0o777) & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_STORED
    return info


@dataclass(frozen=True, slots=True)
class RawMember:
    """One archive member written verbatim: its `ZipInfo` and its bytes."""

    info: zipfile.ZipInfo
    data: bytes


class _Unseekable(io.RawIOBase):
    """A write-only stream without `seek`, so `zipfile` writes data descriptors."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.buffer += data
        return len(data)


def zip_bytes(
    members: Iterable[RawMember | tuple[zipfile.ZipInfo, bytes]],
    *,
    comment: bytes = b"",
    prepend: bytes = b"",
    append: bytes = b"",
    data_descriptors: bool = False,
) -> bytes:
    """Write `members` in order into a ZIP (duplicates allowed), with optional framing garbage.

    `data_descriptors` writes the ZIP as to a pipe: sizes and CRCs follow each member's data.
    """
    target: io.BytesIO | _Unseekable = _Unseekable() if data_descriptors else io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" warnings are wanted here
        with zipfile.ZipFile(target, "w") as archive:
            for member in members:
                info, data = (member.info, member.data) if isinstance(member, RawMember) else member
                archive.writestr(info, data)
            archive.comment = comment
    body = bytes(target.buffer) if isinstance(target, _Unseekable) else target.getvalue()
    return prepend + body + append


def make_metadata(name: str, version: str, extra_headers: Sequence[str] = ()) -> str:
    """A minimal core METADATA file."""
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", *extra_headers]
    return "\n".join(lines) + "\n\n"


def make_wheel_file(
    tag: str = "py3-none-any", *, root_is_purelib: bool = True, wheel_version: str = "1.0"
) -> str:
    """A `WHEEL` file declaring `tag` (dotted compressed tags expanded)."""
    pythons, abis, platforms = tag.split("-")
    tags = [
        f"{py}-{abi}-{plat}"
        for py in pythons.split(".")
        for abi in abis.split(".")
        for plat in platforms.split(".")
    ]
    lines = [
        f"Wheel-Version: {wheel_version}",
        "Generator: puv-tests (1.0)",
        f"Root-Is-Purelib: {'true' if root_is_purelib else 'false'}",
        *(f"Tag: {t}" for t in tags),
    ]
    return "\n".join(lines) + "\n"


def make_wheel(
    files: Mapping[str, Content],
    *,
    name: str = "evil",
    version: str = "0.1",
    tag: str = "py3-none-any",
    root_is_purelib: bool = True,
    wheel_version: str = "1.0",
    metadata: Content | None = None,
    metadata_headers: Sequence[str] = (),
    entry_points: Content | None = None,
    record: Content | None = None,
    include_record: bool = True,
    include_metadata: bool = True,
    include_wheel: bool = True,
    dist_info: str | None = None,
    modes: Mapping[str, int] | None = None,
    extra: Iterable[RawMember | tuple[zipfile.ZipInfo, bytes]] = (),
    compression: int = zipfile.ZIP_DEFLATED,
    record_extra_lines: Sequence[str] = (),
    data_descriptors: bool = False,
) -> bytes:
    """Build a wheel from `files` ({arcname: content}) and return its bytes.

    `.dist-info/METADATA`, `WHEEL` and `RECORD` are generated unless given or excluded
    (`include_*=False`). `record` replaces the generated RECORD text verbatim;
    `record_extra_lines` are appended to the generated one. `modes` sets Unix permissions per
    arcname (default 0o644). `extra` members are appended raw after everything else (after
    RECORD), e.g. a second entry with a duplicate name. `data_descriptors` writes the ZIP as
    a streaming writer would (see `zip_bytes`).
    """
    dist_info = dist_info or f"{escape_name(name)}-{version}.dist-info"
    modes = modes or {}
    contents: dict[str, bytes] = {path: _as_bytes(data) for path, data in files.items()}
    if include_metadata:
        meta = metadata if metadata is not None else make_metadata(name, version, metadata_headers)
        contents.setdefault(f"{dist_info}/METADATA", _as_bytes(meta))
    if include_wheel:
        wheel_text = make_wheel_file(
            tag, root_is_purelib=root_is_purelib, wheel_version=wheel_version
        )
        contents.setdefault(f"{dist_info}/WHEEL", wheel_text.encode())
    if entry_points is not None:
        contents[f"{dist_info}/entry_points.txt"] = _as_bytes(entry_points)
    record_path = f"{dist_info}/RECORD"
    if include_record:
        if record is None:
            lines = [record_line(path, data) for path, data in contents.items()]
            lines += [*record_extra_lines, f"{record_path},,"]
            record = "\n".join(lines) + "\n"
        contents[record_path] = _as_bytes(record)
    members = [
        RawMember(zip_info(path, mode=modes.get(path, 0o644), compress_type=compression), data)
        for path, data in contents.items()
    ]
    return zip_bytes([*members, *extra], data_descriptors=data_descriptors)


def write_wheel(
    directory: Path,
    files: Mapping[str, Content],
    *,
    name: str = "evil",
    version: str = "0.1",
    tag: str = "py3-none-any",
    filename: str | None = None,
    **options: object,
) -> Path:
    """`make_wheel` and write it as `directory/<filename>`; returns the path."""
    data = make_wheel(files, name=name, version=version, tag=tag, **options)  # type: ignore[arg-type]
    path = Path(directory) / (filename or wheel_filename(name, version, tag))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def patch(buffer: bytes, old: bytes, new: bytes) -> bytes:
    """Replace the FIRST occurrence of `old` (in a ZIP: the local file header's copy)."""
    index = buffer.find(old)
    if index < 0:
        raise ValueError(f"{old!r} not found")
    return buffer[:index] + new + buffer[index + len(old) :]


def patch_all(buffer: bytes, old: bytes, new: bytes) -> bytes:
    """Replace every occurrence of `old` (local header and central directory alike)."""
    if old not in buffer:
        raise ValueError(f"{old!r} not found")
    return buffer.replace(old, new)


def _eocd_offset(buffer: bytes) -> int:
    return buffer.rindex(b"PK\x05\x06")


def set_eocd_entries(buffer: bytes, count: int) -> bytes:
    """Make the end-of-central-directory record claim `count` entries."""
    at = _eocd_offset(buffer)
    return buffer[: at + 8] + struct.pack("<HH", count, count) + buffer[at + 12 :]


def drop_central_record(buffer: bytes, name: str) -> bytes:
    """Remove `name`'s central-directory record (its local header and data stay behind)."""
    at = _eocd_offset(buffer)
    count, cd_size, cd_offset = struct.unpack("<HII", buffer[at + 10 : at + 20])
    records, position = [], cd_offset
    while position < cd_offset + cd_size:
        name_len, extra_len, comment_len = struct.unpack(
            "<HHH", buffer[position + 28 : position + 34]
        )
        end = position + 46 + name_len + extra_len + comment_len
        records.append((buffer[position + 46 : position + 46 + name_len], buffer[position:end]))
        position = end
    kept = b"".join(record for record_name, record in records if record_name != name.encode())
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count - 1, count - 1, len(kept), cd_offset, 0)
    return buffer[:cd_offset] + kept + eocd


def flip_data_byte(buffer: bytes, data: bytes) -> bytes:
    """Flip the first byte of the stored member data `data` (which must appear verbatim)."""
    index = buffer.find(data)
    if index < 0:
        raise ValueError("member data not found; store it with ZIP_STORED")
    return buffer[:index] + bytes([buffer[index] ^ 0xFF]) + buffer[index + 1 :]


def deflated_zeros(size: int) -> bytes:
    """A raw deflate stream that inflates to `size` zero bytes, made in milliseconds.

    Each MiB is compressed once and ended with a full flush (which resets the compressor), so
    the same bytes can simply be repeated.
    """
    mib = 1 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(bytes(mib)) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(bytes(size % mib)) + compressor.flush()
    return segment * (size // mib) + tail


def zip_bomb(name: str, size: int, *, declared_size: int | None = None) -> bytes:
    """A ZIP with one deflated member of `size` zeros, built without writing `size` bytes.

    `declared_size` lies about the uncompressed size in both headers (default: the truth).
    The CRC is right for sizes up to 256 MiB, so only size checks can catch a lie; bigger bombs
    carry CRC 0 (an extractor must give up long before it could check it).
    """
    payload = deflated_zeros(size)
    crc = zlib.crc32(bytes(size)) if size <= 256 << 20 else 0
    usize = size if declared_size is None else declared_size
    encoded = name.encode()
    zip64 = usize >= 0xFFFFFFFF or len(payload) >= 0xFFFFFFFF
    extra = struct.pack("<HHQQ", 1, 16, usize, len(payload)) if zip64 else b""
    small_u = 0xFFFFFFFF if zip64 else usize
    small_c = 0xFFFFFFFF if zip64 else len(payload)
    version = 45 if zip64 else 20
    local = struct.pack(
        "<IHHHHHIIIHH",
        0x04034B50,
        version,
        0,
        8,
        0,
        0x5021,
        crc,
        small_c,
        small_u,
        len(encoded),
        len(extra),
    )
    local += encoded + extra
    cd_extra = struct.pack("<HHQQ", 1, 16, usize, len(payload)) if zip64 else b""
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        (3 << 8) | version,
        version,
        0,
        8,
        0,
        0x5021,
        crc,
        small_c,
        small_u,
        len(encoded),
        len(cd_extra),
        0,
        0,
        0,
        (stat.S_IFREG | 0o644) << 16,
        0,
    )
    central += encoded + cd_extra
    body = local + payload
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(body), 0)
    return body + central + eocd


def overlapping_zip(first: str, second: str, data: bytes) -> bytes:
    """A ZIP whose central directory has two records (`first`, `second`) for ONE local header."""
    archive = zip_bytes([(zip_info(first, compress_type=zipfile.ZIP_STORED), data)])
    eocd_at = archive.rindex(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack("<II", archive[eocd_at + 12 : eocd_at + 20])
    record = archive[cd_offset : cd_offset + cd_size]
    clone = record.replace(first.encode(), second.encode())
    central = record + clone
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 2, 2, len(central), cd_offset, 0)
    return archive[:cd_offset] + central + eocd


# --- sdists -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TarMember:
    """One tar member: name, type (`tarfile.REGTYPE`, `SYMTYPE`, ...), link target, data, mode."""

    name: str
    type: bytes = tarfile.REGTYPE
    linkname: str = ""
    data: bytes = b""
    mode: int = 0o644


def tar_gz(members: Iterable[TarMember | tuple[str, bytes, str, bytes]]) -> bytes:
    """A gzip tarball built member by member (no sanitising of names or link targets)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for raw in members:
            member = (
                raw if isinstance(raw, TarMember) else TarMember(raw[0], raw[1], raw[2], raw[3])
            )
            info = tarfile.TarInfo(member.name)
            info.type = member.type
            info.linkname = member.linkname
            info.mode = member.mode
            info.mtime = int(time.mktime((2020, 1, 1, 0, 0, 0, 0, 0, -1)))
            if member.type in (tarfile.REGTYPE, tarfile.AREGTYPE):
                info.size = len(member.data)
                archive.addfile(info, io.BytesIO(member.data))
            else:
                archive.addfile(info)
    return buffer.getvalue()


def make_sdist(
    files: Mapping[str, Content],
    *,
    name: str = "pkg",
    version: str = "0.1",
    dependencies: Sequence[str] = (),
    pyproject: Content | None = None,
    include_pkg_info: bool = True,
) -> bytes:
    """A `.tar.gz` sdist with a `<name>-<version>/` top-level dir, PKG-INFO and pyproject.toml.

    The default `pyproject.toml` uses a tiny in-tree PEP 517 backend (`_backend.py`) so that
    building needs no network and no setuptools; `dependencies` become the built wheel's
    `Requires-Dist`.
    """
    top = f"{escape_name(name)}-{version}"
    contents: dict[str, bytes] = {}
    if include_pkg_info:
        contents["PKG-INFO"] = make_metadata(name, version).encode()
    contents["pyproject.toml"] = _as_bytes(
        pyproject
        if pyproject is not None
        else (
            '[build-system]\nrequires = []\nbuild-backend = "_backend"\nbackend-path = ["."]\n\n'
            f'[project]\nname = "{name}"\nversion = "{version}"\n'
            f"dependencies = {json.dumps(list(dependencies))}\n"
        )
    )
    if pyproject is None:
        contents["_backend.py"] = IN_TREE_BACKEND.encode()
    contents.update({path: _as_bytes(data) for path, data in files.items()})
    return tar_gz(TarMember(f"{top}/{path}", data=data) for path, data in sorted(contents.items()))


def write_sdist(
    directory: Path,
    files: Mapping[str, Content],
    *,
    name: str = "pkg",
    version: str = "0.1",
    **options: object,
) -> Path:
    """`make_sdist` written as `directory/<name>-<version>.tar.gz`; returns the path."""
    data = make_sdist(files, name=name, version=version, **options)  # type: ignore[arg-type]
    path = Path(directory) / f"{escape_name(name)}-{version}.tar.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# A stdlib-only PEP 517 backend: packs every file of the source tree (except itself and the
# metadata files) into a pure wheel. Good enough to build the sdists above offline.
IN_TREE_BACKEND = """\
import base64, hashlib, os, zipfile

def _meta():
    try:
        import tomllib
    except ImportError:  # Python < 3.11: the [project] table written by make_sdist is simple
        import ast, re
        with open("pyproject.toml") as f:
            text = f.read().split("[project]", 1)[1]
        value = lambda key: re.search(r"^" + key + r" = (.*)$", text, re.M)
        deps = value("dependencies")
        return (
            ast.literal_eval(value("name").group(1)),
            ast.literal_eval(value("version").group(1)),
            ast.literal_eval(deps.group(1)) if deps else [],
        )
    with open("pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    return project["name"], project["version"], project.get("dependencies", [])

def _dist(name):
    return name.replace("-", "_").replace(".", "_")

def _metadata_text(name, version, deps):
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {d}" for d in deps]
    return "\\n".join(lines) + "\\n\\n"

def get_requires_for_build_wheel(config_settings=None):
    return []

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    name, version, deps = _meta()
    di = f"{_dist(name)}-{version}.dist-info"
    os.makedirs(os.path.join(metadata_directory, di), exist_ok=True)
    with open(os.path.join(metadata_directory, di, "METADATA"), "w") as f:
        f.write(_metadata_text(name, version, deps))
    return di

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name, version, deps = _meta()
    di = f"{_dist(name)}-{version}.dist-info"
    files = {}
    for root, dirs, names in os.walk("."):
        dirs[:] = [d for d in dirs if d not in ("__pycache__", ".git")]
        for n in names:
            rel = os.path.relpath(os.path.join(root, n), ".").replace(os.sep, "/")
            if rel in ("pyproject.toml", "PKG-INFO", "_backend.py", "setup.cfg"):
                continue
            with open(rel, "rb") as f:
                files[rel] = f.read()
    files[f"{di}/METADATA"] = _metadata_text(name, version, deps).encode()
    files[f"{di}/WHEEL"] = b"Wheel-Version: 1.0\\nGenerator: in-tree\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    def h(data):
        return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record = "".join(f"{p},{h(d)},{len(d)}\\n" for p, d in files.items()) + f"{di}/RECORD,,\\n"
    filename = f"{_dist(name)}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as z:
        for p, d in files.items():
            z.writestr(p, d)
        z.writestr(f"{di}/RECORD", record)
    return filename

def build_sdist(sdist_directory, config_settings=None):
    raise NotImplementedError
"""
