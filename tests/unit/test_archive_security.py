"""Adversarial wheels (security.md table A, plus ZIP framing tricks and hash checks).

Every rejected case asserts the common assertions that apply at the library level:
(1)+(2) a `PuvError` naming the artifact, with the reason in its message or causes;
(3) the whole tmp root (wheel dir, cache, venv) is byte-identical before and after, except
    the cache's `.tmp*` staging dirs, and none of those are left either;
(4) site-packages is unchanged (it is part of the tmp root);
(5) nothing is persisted under a final key in the `archive` bucket;
(6) a good wheel with the same name then unpacks and installs with no cleanup.
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import stat
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from puv.cache.layout import CacheLayout
from puv.core.errors import PuvError
from puv.core.hashes import HashDigest, HashMismatchError
from puv.core.wheel_filename import WheelFilename
from puv.install.archive import ArchiveLimits, ChunkReader, UnpackedWheel, unpack_wheel
from puv.install.bytecode import compile_tree
from puv.install.dist_info import read_record
from puv.install.link import Linker
from puv.install.uninstall import uninstall_wheel
from puv.install.wheel_install import InstalledWheel, install_wheel
from tests.envtools import Venv, make_venv, persisted_entries, snapshot, without_cache_temps
from tests.wheelmaker import (
    RawMember,
    drop_central_record,
    flip_data_byte,
    make_wheel,
    overlapping_zip,
    patch,
    patch_all,
    record_line,
    set_eocd_entries,
    symlink_info,
    zip_bomb,
    zip_info,
)

FILENAME = "evil-0.1-py3-none-any.whl"
GOOD = {"evil/__init__.py": "GOOD = True\n"}


@dataclass
class Env:
    """A tmp root holding the wheel dir, the cache and a venv."""

    root: Path
    venv: Venv
    cache: Path = field(init=False)
    wheels: Path = field(init=False)

    def __post_init__(self) -> None:
        self.cache = self.root / "cache"
        self.wheels = self.root / "wheels"
        self.wheels.mkdir()
        CacheLayout(self.cache).bucket("archive").mkdir(parents=True)  # a cache in use

    def write(self, data: bytes, filename: str = FILENAME) -> Path:
        path = self.wheels / filename
        path.write_bytes(data)
        return path

    def unpack_and_install(
        self, path: Path, *, skip_filename_check: bool = False, **unpack_options: Any
    ) -> tuple[UnpackedWheel, InstalledWheel]:
        filename = WheelFilename.parse(path.name)
        unpacked = unpack_wheel(
            path,
            filename,
            CacheLayout(self.cache),
            skip_filename_check=skip_filename_check,
            **unpack_options,
        )
        installed = install_wheel(
            unpacked.path,
            filename,
            self.venv.layout,
            Linker(),
            skip_filename_check=skip_filename_check,
        )
        return unpacked, installed

    def snapshot(self) -> dict[str, tuple[str, int, bytes]]:
        return snapshot(self.root, ignore=without_cache_temps)


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path, make_venv(tmp_path / "venv"))


def assert_rejected(env: Env, data: bytes, expect: str, **options: Any) -> PuvError:
    """Run the common assertions S(1)-(6) for one bad wheel; returns the error."""
    path = env.write(data)
    before = env.snapshot()
    with pytest.raises(PuvError) as caught:
        env.unpack_and_install(path, **options)
    error = caught.value
    text = "\n".join([error.message, *error.causes])
    assert FILENAME in error.message, text  # (2) names the artifact
    assert expect in text, text
    assert error.exit_code != 0  # (1)
    assert env.snapshot() == before  # (3), (4)
    assert not os.listdir(CacheLayout(env.cache).bucket("archive"))  # (5), and no staging left
    # (6) the fixed wheel installs with no manual cleanup
    env.write(make_wheel(GOOD))
    _, installed = env.unpack_and_install(path)
    assert (installed.dist_info / "RECORD").is_file()
    assert (env.venv.site_packages / "evil" / "__init__.py").read_text() == "GOOD = True\n"
    return error


def _data_descriptor_lie() -> bytes:
    data = make_wheel({"evil/a.py": "x" * 100}, data_descriptors=True)
    good_crc = zlib.crc32(b"x" * 100).to_bytes(4, "little")
    return patch(data, b"PK\x07\x08" + good_crc, b"PK\x07\x08" + b"\0\0\0\0")


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[], bytes]
    expect: str


CASES = [
    # A1: escaping paths (a hard error, where uv only skips them)
    Case("A1-dotdot", lambda: make_wheel({"../../pwned.txt": "x", **GOOD}), "escapes the target"),
    Case("A1-absolute", lambda: make_wheel({"/abs/evil": "y", **GOOD}), "escapes the target"),
    Case("A1-drive", lambda: make_wheel({"C:/x": "", **GOOD}), "escapes the target"),
    Case("A1-backslash", lambda: make_wheel({"..\\..\\x": "", **GOOD}), "backslash"),
    Case("A1-inner-dotdot", lambda: make_wheel({"evil/../../x": "", **GOOD}), "escapes the"),
    Case("A1-dot", lambda: make_wheel({"./evil/x.py": "", **GOOD}), "escapes the target"),
    # A2: sibling prefix through .data
    Case(
        "A2-sibling",
        lambda: make_wheel({"evil-0.1.data/purelib/../../site-packages-evil/x.py": "", **GOOD}),
        "escapes the target",
    ),
    # A3: .data escape / bad key
    Case(
        "A3-scripts-escape",
        lambda: make_wheel({"evil-0.1.data/scripts/../../../x": "", **GOOD}),
        "escapes the target",
    ),
    Case(
        "A3-data-escape",
        lambda: make_wheel({"evil-0.1.data/data/../../../../etc/x": "", **GOOD}),
        "escapes the target",
    ),
    Case(
        "A3-bogus-key",
        lambda: make_wheel({"evil-0.1.data/bogus/x": "", **GOOD}),
        "The wheel is invalid: Unknown wheel data type: bogus",
    ),
    Case(
        "A3-scripts-subdir",
        lambda: make_wheel({"evil-0.1.data/scripts/sub/x": "", **GOOD}),
        "invalid entry (directory) in the `scripts` directory",
    ),
    Case(
        "A3-reserved-data-script",
        lambda: make_wheel({"evil-0.1.data/scripts/python3": "#!/bin/sh\n", **GOOD}),
        "Scripts must not use the reserved name `python3`",
    ),
    # A5: symlinks are never created; nothing is written through them
    Case(
        "A5-symlink",
        lambda: make_wheel(GOOD, extra=[(symlink_info("evil/link"), b"../../../../etc/passwd")]),
        "Archive contains a symlink, which is not allowed: evil/link",
    ),
    Case(
        "A5-through-link",
        lambda: make_wheel(
            GOOD,
            extra=[
                (symlink_info("evil/link"), b"../../../../tmp"),
                (zip_info("evil/link/x"), b"owned"),
            ],
        ),
        "both a file and a directory: evil/link/x",
    ),
    # A6: duplicate names with different contents
    Case(
        "A6-duplicate",
        lambda: make_wheel(GOOD, extra=[(zip_info("evil/__init__.py"), b"EVIL = True\n")]),
        "ZIP file contains multiple entries with different contents for: evil/__init__.py",
    ),
    # A7: local header name differs from the central directory
    Case(
        "A7-lfh-vs-cd",
        lambda: patch(make_wheel({"evil/aaaa.py": "a", **GOOD}), b"evil/aaaa.py", b"evil/bbbb.py"),
        "conflicting paths for the local file header",
    ),
    # A9: CRC and sizes
    Case(
        "A9-crc",
        lambda: flip_data_byte(
            make_wheel({"evil/a.py": "hello world", **GOOD}, compression=zipfile.ZIP_STORED),
            b"hello world",
        ),
        "Bad CRC (got ",
    ),
    Case("A9-descriptor-crc", _data_descriptor_lie, "Bad CRC"),
    # A10: names and compression methods
    Case(
        "A10-newline",
        lambda: make_wheel({"a\nb.py": "x", **GOOD}),
        "unacceptable filename: a\ufffdb.py",
    ),
    Case(
        "A10-nul",
        lambda: patch_all(make_wheel({"x_y.py": "x", **GOOD}), b"x_y.py", b"x\x00y.py"),
        "unacceptable filename: x\ufffdy.py",
    ),
    Case("A10-empty", lambda: make_wheel({"": "x", **GOOD}), "empty filename"),
    Case(
        "A10-bzip2",
        lambda: make_wheel(GOOD, compression=zipfile.ZIP_BZIP2),
        "unsupported compression method; files must be compressed with 'stored', 'DEFLATE', or "
        "'zstd'",
    ),
    Case(
        "A10-lzma",
        lambda: make_wheel(GOOD, compression=zipfile.ZIP_LZMA),
        "unsupported compression",
    ),
    # A11: bombs and overlap
    Case(
        "A11-bomb",
        lambda: zip_bomb("evil/zeros.bin", 2 << 30),
        "inflates more than 200:1, which indicates a zip bomb: evil/zeros.bin",
    ),
    Case(
        "A11-lying-size",
        lambda: zip_bomb("evil/zeros.bin", 64 << 20, declared_size=1000),
        "Bad uncompressed size (got more than 000003e8",
    ),
    Case(
        "A11-overlap",
        lambda: overlapping_zip("evil/a.py", "evil/b.py", b"x"),
        "no local file header for: evil/b.py",
    ),
    # A14: dist-info structure
    Case(
        "A14-no-record", lambda: make_wheel(GOOD, include_record=False), "`RECORD` file not found"
    ),
    Case(
        "A14-record-not-csv", lambda: make_wheel(GOOD, record='"a,b\n'), "`RECORD` file is invalid"
    ),
    Case(
        "A14-record-columns",
        lambda: make_wheel(GOOD, record="evil/__init__.py,sha256=x\n"),
        "expected 3 fields, found 2",
    ),
    Case(
        "A14-no-dist-info",
        lambda: make_wheel(GOOD, include_record=False, include_metadata=False, include_wheel=False),
        "The wheel is invalid: Missing .dist-info directory",
    ),
    Case(
        "A14-two-dist-infos",
        lambda: make_wheel({**GOOD, "other-1.0.dist-info/METADATA": "Name: other\n"}),
        "Multiple .dist-info directories found: evil-0.1, other-1.0",
    ),
    Case(
        "A14-wheel-version-2",
        lambda: make_wheel(GOOD, wheel_version="2.0"),
        "Unsupported wheel major version (expected 1, got 2)",
    ),
    Case(
        "A14-no-wheel-version",
        lambda: make_wheel(GOOD, wheel_version="one"),
        "Invalid Wheel-Version in WHEEL file",
    ),
    # Filename vs METADATA (security.md 1.5)
    Case(
        "name-mismatch",
        lambda: make_wheel(GOOD, metadata="Metadata-Version: 2.1\nName: other\nVersion: 0.1\n\n"),
        "Wheel package name does not match filename (other != evil), which indicates a malformed "
        "wheel. If this is intentional, set `UV_SKIP_WHEEL_FILENAME_CHECK=1`.",
    ),
    Case(
        "version-mismatch",
        lambda: make_wheel(GOOD, metadata="Metadata-Version: 2.1\nName: evil\nVersion: 0.2\n\n"),
        "Wheel version does not match filename (0.2 != 0.1), which indicates a malformed wheel.",
    ),
    Case(
        "dist-info-name",
        lambda: make_wheel(GOOD, dist_info="other-0.1.dist-info"),
        "The .dist-info directory `other-0.1` does not start with the normalized package name: evil",
    ),
    # ZIP framing: what CPython's zipfile tolerates
    Case("prepended", lambda: b"X" * 40 + make_wheel(GOOD), "unexpected signature"),
    Case("trailing", lambda: make_wheel(GOOD) + b"garbage", "trailing contents"),
    Case(
        "zip-in-zip-comment",
        lambda: set_comment(make_wheel(GOOD), b"PK\x03\x04\x01\x02"),
        "appears to be an embedded ZIP file",
    ),
    Case("eocd-count", lambda: set_eocd_entries(make_wheel(GOOD), 99), "number of entries"),
    Case(
        "missing-cd-record",
        lambda: drop_central_record(make_wheel({"evil/hidden.py": "x", **GOOD}), "evil/hidden.py"),
        "without a corresponding central-directory record entry for: evil/hidden.py",
    ),
    Case("truncated", lambda: make_wheel(GOOD)[:-30], "unexpected end of file"),
    Case("empty-file", lambda: b"", "unexpected end of file"),
    Case(
        "encrypted",
        lambda: patch(
            make_wheel(GOOD), b"PK\x03\x04\x14\x00\x00\x00", b"PK\x03\x04\x14\x00\x01\x00"
        ),
        "encrypted",
    ),
]


def set_comment(data: bytes, comment: bytes) -> bytes:
    """Replace the (empty) archive comment of `data`."""
    at = data.rindex(b"PK\x05\x06")
    return data[: at + 20] + len(comment).to_bytes(2, "little") + comment


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_wheel_is_rejected(case: Case, env: Env) -> None:
    assert_rejected(env, case.build(), case.expect)


@pytest.mark.parametrize(
    "name", ["../../outside", ".", "..", "/etc/cron.d/x", "activate", "python", "Python3.12"]
)
def test_a4_entry_point_escape(name: str, env: Env) -> None:
    entry_points = f"[console_scripts]\n{name} = evil:main\n"
    error = assert_rejected(env, make_wheel(GOOD, entry_points=entry_points), "")
    text = "\n".join([error.message, *error.causes])
    assert (
        f"Script path must resolve to a file within the scripts directory: {name}" in text
        or "Scripts must not use the reserved name" in text
    ), text
    assert not (env.root / "outside").exists()


def test_a4_reserved_name_through_data_data(env: Env) -> None:
    """`.data/data/bin/python` lands in the scripts dir of a venv: rejected before writing."""
    path = env.write(make_wheel({**GOOD, "evil-0.1.data/data/bin/python": "#!/bin/sh\n"}))
    site_before = snapshot(env.venv.root)
    with pytest.raises(PuvError) as err:
        env.unpack_and_install(path)
    assert "Scripts must not use the reserved name `python`" in err.value.causes[0]
    assert snapshot(env.venv.root) == site_before


def test_a6_identical_duplicates_are_accepted(env: Env) -> None:
    """uv accepts a name repeated with identical contents; so does puv."""
    data = make_wheel(GOOD, extra=[(zip_info("evil/__init__.py"), b"GOOD = True\n")])
    env.unpack_and_install(env.write(data))
    assert (env.venv.site_packages / "evil" / "__init__.py").read_text() == "GOOD = True\n"


def test_a11_total_size_limit(env: Env) -> None:
    data = make_wheel({**GOOD, "evil/big.bin": os.urandom(300_000)})
    assert_rejected(
        env,
        data,
        "Archive exceeds the limit of 100000 uncompressed bytes at: evil/big.bin",
        limits=ArchiveLimits(max_total_size=100_000),
    )


def test_a11_bomb_with_data_descriptor_is_bounded(env: Env) -> None:
    """Without sizes up front, the running ratio check stops the inflation early."""
    data = make_wheel({**GOOD, "evil/zeros.bin": bytes(8 << 20)}, data_descriptors=True)
    assert_rejected(
        env, data, "indicates a zip bomb: evil/zeros.bin", limits=ArchiveLimits(ratio_floor=1 << 20)
    )


def test_a12_wrong_record_digest_warns_or_fails_when_strict(env: Env) -> None:
    files = {"evil/__init__.py": b"GOOD = True\n", "evil/other.py": b"OTHER = 1\n"}
    record = (
        record_line("evil/__init__.py", files["evil/other.py"])  # swapped digests
        + "\n"
        + record_line("evil/other.py", files["evil/__init__.py"])
        + "\nevil-0.1.dist-info/METADATA,,\nevil-0.1.dist-info/WHEEL,,\nevil-0.1.dist-info/RECORD,,\n"
    )
    data = make_wheel(files, record=record)
    assert_rejected(env, data, "RECORD digest does not match", strict_record=True)
    unpacked, _ = env.unpack_and_install(env.write(data))
    assert unpacked.warnings == (
        f"The RECORD of {FILENAME} lists a wrong digest for `evil/__init__.py`",
        f"The RECORD of {FILENAME} lists a wrong digest for `evil/other.py`",
    )


def test_a13_record_pointing_outside_is_healed_and_never_deleted(env: Env) -> None:
    victim = env.root / "victim"
    victim.write_text("precious")
    data = make_wheel(GOOD, record_extra_lines=["../../../../victim,,", "../../../../../victim,,"])
    _, installed = env.unpack_and_install(env.write(data))
    paths = [entry.path for entry in read_record(installed.dist_info / "RECORD")]
    assert not any("victim" in path for path in paths)
    # Even a RECORD edited after the install cannot make uninstall delete outside the venv.
    record = installed.dist_info / "RECORD"
    relative = os.path.relpath(victim, installed.dist_info.parent)
    record.write_text(record.read_text() + f"{relative},,\n")
    warnings: list[str] = []
    uninstall_wheel(installed.dist_info, env.venv.layout.scheme, "evil==0.1", warn=warnings.append)
    assert victim.read_text() == "precious"
    assert warnings == [
        "Invalid RECORD entry in evil==0.1 that escapes the Python environment, skipping: "
        + relative
    ]


def test_a14_unlisted_file_is_healed_into_record(env: Env) -> None:
    record = "evil/__init__.py,,\nevil-0.1.dist-info/RECORD,,\n"
    data = make_wheel({**GOOD, "evil/unlisted.py": "X = 1\n"}, record=record)
    _, installed = env.unpack_and_install(env.write(data))
    entries = {entry.path: entry for entry in read_record(installed.dist_info / "RECORD")}
    assert entries["evil/unlisted.py"].size == "6"
    assert "evil-0.1.dist-info/METADATA" in entries


def test_a14_newer_minor_wheel_version_only_warns(env: Env) -> None:
    unpacked, _ = env.unpack_and_install(env.write(make_wheel(GOOD, wheel_version="1.9")))
    assert unpacked.warnings == (
        f"Unsupported wheel minor version (expected 0, got 9) in {FILENAME}",
    )


def test_filename_check_can_be_skipped(env: Env) -> None:
    metadata = "Metadata-Version: 2.1\nName: evil\nVersion: 0.2\n\n"
    env.unpack_and_install(env.write(make_wheel(GOOD, metadata=metadata)), skip_filename_check=True)


def test_local_version_in_filename_matches_public_metadata(env: Env) -> None:
    data = make_wheel(GOOD, version="0.1", dist_info="evil-0.1+local.dist-info")
    env.unpack_and_install(env.write(data, "evil-0.1+local-py3-none-any.whl"))


def test_a16_no_self_poisoning(env: Env) -> None:
    """A wheel shipping `puv/...` and a `.pth` neither changes the running puv nor runs code."""
    marker = env.root / "pth-ran"
    pth = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')\n"
    data = make_wheel({**GOOD, "puv/__init__.py": "raise SystemExit('poisoned')\n", "zzz.pth": pth})
    env.unpack_and_install(env.write(make_wheel(GOOD)))  # every lazy import happens here
    modules = set(sys.modules)
    env.unpack_and_install(env.write(data))
    assert set(sys.modules) == modules  # nothing was imported once the install started
    compile_tree([env.venv.site_packages], env.venv.python)  # runs the venv's own Python
    assert not marker.exists()
    assert (env.venv.site_packages / "zzz.pth").is_file()


# --- hashes --------------------------------------------------------------------------------------


def test_hash_mismatch_persists_nothing(env: Env) -> None:
    path = env.write(make_wheel(GOOD))
    wrong = HashDigest("sha256", "0" * 64)
    before = env.snapshot()
    with pytest.raises(HashMismatchError) as err:
        unpack_wheel(
            path, WheelFilename.parse(FILENAME), CacheLayout(env.cache), expected_hashes=[wrong]
        )
    assert err.value.message.startswith("Hash mismatch for `evil==0.1`\n\nExpected:\n  sha256:000")
    assert "\n\nComputed:\n  sha256:" in err.value.message
    assert env.snapshot() == before
    assert persisted_entries(env.cache) == []


def test_size_mismatch(env: Env) -> None:
    path = env.write(make_wheel(GOOD))
    with pytest.raises(PuvError) as err:
        unpack_wheel(path, WheelFilename.parse(FILENAME), CacheLayout(env.cache), expected_size=1)
    assert err.value.message == (
        f"Size mismatch for `evil==0.1`: expected 1 bytes, but downloaded {path.stat().st_size} bytes"
    )
    assert persisted_entries(env.cache) == []


def test_streaming_sources_and_extra_algorithms(tmp_path: Path) -> None:
    data = make_wheel(GOOD)
    sha512 = HashDigest("sha512", hashlib.sha512(data).hexdigest())
    filename = WheelFilename.parse(FILENAME)
    chunks = [data[i : i + 7] for i in range(0, len(data), 7)]
    from_chunks = unpack_wheel(
        chunks, filename, CacheLayout(tmp_path / "a"), expected_hashes=[sha512]
    )
    from_reader = unpack_wheel(
        ChunkReader(iter(chunks)), filename, CacheLayout(tmp_path / "b"), algorithms=["md5"]
    )
    from_file = unpack_wheel(io.BytesIO(data), filename, CacheLayout(tmp_path / "c"))
    assert from_chunks.hashes == (
        HashDigest("sha256", hashlib.sha256(data).hexdigest()),
        sha512,
    )
    assert [digest.algorithm for digest in from_reader.hashes] == ["md5"]
    assert from_file.path.name == hashlib.sha256(data).hexdigest()
    assert from_chunks.size == len(data)
    assert snapshot(from_chunks.path) == snapshot(from_file.path) == snapshot(from_reader.path)


def test_same_wheel_twice_reuses_the_entry(tmp_path: Path) -> None:
    path = tmp_path / FILENAME
    path.write_bytes(make_wheel(GOOD))
    cache = CacheLayout(tmp_path / "cache")
    first = unpack_wheel(path, WheelFilename.parse(FILENAME), cache)
    second = unpack_wheel(path, WheelFilename.parse(FILENAME), cache)
    assert first.path == second.path
    assert os.listdir(cache.bucket("archive")) == [first.path.name]


@pytest.mark.parametrize("descriptors", [False, True])
def test_valid_variants_are_accepted(descriptors: bool, tmp_path: Path) -> None:
    """Data descriptors, ZIP64 records, directory entries and executable bits all work."""
    buffer = io.BytesIO()
    files = {"evil/__init__.py": b"X = 1\n", "evil/tool.sh": b"#!/bin/sh\n"}
    record = "".join(record_line(path, data) + "\n" for path, data in files.items())
    members = {
        **files,
        "evil-0.1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: evil\nVersion: 0.1\n\n",
        "evil-0.1.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "evil-0.1.dist-info/RECORD": record.encode(),
    }
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zip_info("evil/"), b"")
        for name, content in members.items():
            info = zip_info(name, mode=0o755 if name.endswith(".sh") else 0o644)
            with archive.open(info, "w", force_zip64=True) as member:
                member.write(content)
    data = buffer.getvalue()
    if descriptors:
        data = make_wheel(files, data_descriptors=True, modes={"evil/tool.sh": 0o755})
    unpacked = unpack_wheel(io.BytesIO(data), WheelFilename.parse(FILENAME), CacheLayout(tmp_path))
    assert (unpacked.path / "evil" / "__init__.py").read_bytes() == b"X = 1\n"
    assert os.stat(unpacked.path / "evil" / "tool.sh").st_mode & 0o111 == 0o111
    assert os.stat(unpacked.path / "evil" / "__init__.py").st_mode & 0o111 == 0


def test_kill_during_extraction_leaves_only_staging(tmp_path: Path) -> None:
    """E2: SIGKILL in the middle of a streamed extraction; the next run is unaffected."""
    files = {f"evil/m{i}.py": os.urandom(2000).hex() for i in range(300)}
    data = make_wheel({**GOOD, **files})
    script = f"""
import sys
from pathlib import Path
from puv.cache.layout import CacheLayout
from puv.core.wheel_filename import WheelFilename
from puv.install.archive import unpack_wheel

class Source:
    seen = 0
    def read(self, size=-1):
        if self.seen >= {len(data) // 2}:
            print("extracting", flush=True)
        chunk = sys.stdin.buffer.read1(4096)
        self.seen += len(chunk)
        return chunk

unpack_wheel(Source(), WheelFilename.parse({FILENAME!r}), CacheLayout(Path({str(tmp_path / "cache")!r})))
"""
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(data[: len(data) // 2 + 10_000])
    process.stdin.flush()
    assert process.stdout.readline() == b"extracting\n"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    bucket = CacheLayout(tmp_path / "cache").bucket("archive")
    leftovers = os.listdir(bucket)
    assert leftovers and all(name.startswith(".tmp") for name in leftovers)
    assert persisted_entries(tmp_path / "cache") == []
    path = tmp_path / FILENAME
    path.write_bytes(data)
    unpacked = unpack_wheel(path, WheelFilename.parse(FILENAME), CacheLayout(tmp_path / "cache"))
    assert persisted_entries(tmp_path / "cache") == [unpacked.path.name]
    assert len(list((unpacked.path / "evil").iterdir())) == 301


def test_member_permissions_keep_only_the_executable_bit(tmp_path: Path) -> None:
    data = make_wheel(
        {**GOOD, "evil/setuid": "x", "evil/world": "y"},
        modes={"evil/setuid": stat.S_ISUID | 0o777, "evil/world": 0o666},
    )
    unpacked = unpack_wheel(io.BytesIO(data), WheelFilename.parse(FILENAME), CacheLayout(tmp_path))
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(unpacked.path / "evil" / "setuid").st_mode & 0o7777 == (0o666 & ~umask) | 0o111
    assert os.stat(unpacked.path / "evil" / "world").st_mode & 0o7777 == 0o666 & ~umask


def test_members_are_raw_zipinfo() -> None:
    """wheelmaker keeps names verbatim (a guard for the cases above)."""
    data = make_wheel({"../x": ""}, extra=[RawMember(zip_info("a\\b"), b"")])
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "../x" in names and "a\\b" in names


def test_os_errors_become_clean_errors(tmp_path: Path) -> None:
    with pytest.raises(PuvError) as err:
        unpack_wheel(tmp_path / FILENAME, WheelFilename.parse(FILENAME), CacheLayout(tmp_path))
    assert err.value.message == f"Failed to extract archive: {FILENAME}"
    assert "No such file or directory" in err.value.causes[0]
    assert persisted_entries(tmp_path) == []
