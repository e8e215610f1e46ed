"""Wheel METADATA without the wheel: PEP 658 files, HTTP range requests, and the fallbacks."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from puv.core.wheel_filename import WheelFilename
from puv.index.client import ClientOptions, HttpClient, OfflineError
from puv.index.metadata import MetadataError, metadata_by_range, wheel_metadata
from puv.index.simple import DistFile
from tests.indexserver import IndexServer, read_wheel_metadata

FAST = ClientOptions(retry_delay=(0.0, 0.0))


def _file(client: HttpClient, index: IndexServer, name: str, filename: str) -> DistFile:
    page = client.project_page(index.simple_url, name)
    assert page is not None
    (file,) = (f for f in page.files if f.filename == filename)
    return file


def _full_downloads(index: IndexServer, filename: str) -> list[object]:
    """GETs of the wheel itself without a Range header."""
    return [r for r in index.requests_to(f"/files/{filename}") if r.header("range") is None]


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_range_requests_read_metadata_without_downloading(tmp_path: Path, compression: int) -> None:
    with IndexServer(tmp_path / "files", pep658=False) as index:
        wheel = index.add_wheel(
            "demo",
            "1.0",
            requires_dist=["idna>=3"],
            requires_python=">=3.8",
            compression=compression,
        )
        with HttpClient(FAST) as client:
            file = _file(client, index, "demo", wheel.name)
            assert not file.core_metadata
            data = wheel_metadata(client, file)
        ranged = index.requests_to(f"/files/{wheel.name}")
        assert ranged and all(r.header("range") for r in ranged)
        assert _full_downloads(index, wheel.name) == []
        assert index.requests_to(f"/files/{wheel.name}.metadata") == []
    assert data == read_wheel_metadata(wheel)
    assert b"Requires-Dist: idna>=3" in data


def test_large_central_directory_needs_more_ranges(tmp_path: Path) -> None:
    """Thousands of members: the central directory is bigger than the first tail fetch. Three
    requests: the tail, the rest of the central directory, and the METADATA member (its local
    header, name and data in one span)."""
    files = {f"demo/module_{i:05d}_with_a_long_name.py": b"" for i in range(2500)}
    with IndexServer(tmp_path / "files", pep658=False) as index:
        wheel = index.add_wheel("demo", "2.0", files=files)
        with HttpClient(FAST) as client:
            data = metadata_by_range(
                client, index.file_url(wheel.name), WheelFilename.parse(wheel.name)
            )
        ranges = [r.header("range") for r in index.requests_to(f"/files/{wheel.name}")]
    assert len(ranges) == 3 and all(ranges)
    assert data == read_wheel_metadata(wheel)
    assert wheel.stat().st_size > 2 * 64 * 1024  # the test is about a wheel larger than one tail


def test_pep658_metadata_file_is_preferred(tmp_path: Path) -> None:
    with IndexServer(tmp_path / "files") as index:
        wheel = index.add_wheel("demo", "1.0")
        with HttpClient(FAST) as client:
            file = _file(client, index, "demo", wheel.name)
            assert file.core_metadata and file.core_metadata_hashes
            data = wheel_metadata(client, file)
        assert [r.path for r in index.requests_to("/files/")] == [f"/files/{wheel.name}.metadata"]
    assert data == read_wheel_metadata(wheel)


def test_pep658_hash_mismatch_is_an_error(tmp_path: Path) -> None:
    with IndexServer(tmp_path / "files") as index:
        wheel = index.add_wheel("demo", "1.0")
        with HttpClient(FAST) as client:
            file = _file(client, index, "demo", wheel.name)
            tampered = DistFile(
                file.filename,
                file.url,
                file.hashes,
                core_metadata=True,
                core_metadata_hashes=(("sha256", "0" * 64),),
            )
            with pytest.raises(MetadataError) as caught:
                wheel_metadata(client, tampered)
    assert caught.value.message == f"Hash mismatch for the metadata of `{wheel.name}`"


def test_server_without_range_support_falls_back_to_the_whole_file(tmp_path: Path) -> None:
    with IndexServer(tmp_path / "files", pep658=False, ranges=False) as index:
        wheel = index.add_wheel("demo", "1.0")
        with HttpClient(FAST) as client:
            data = wheel_metadata(client, _file(client, index, "demo", wheel.name))
        assert len(index.requests_to(f"/files/{wheel.name}")) == 1
    assert data == read_wheel_metadata(wheel)


def test_metadata_is_cached_forever(tmp_path: Path) -> None:
    bucket = tmp_path / "metadata"
    with IndexServer(tmp_path / "files", pep658=False) as index:
        wheel = index.add_wheel("demo", "1.0")
        with HttpClient(FAST) as client:
            file = _file(client, index, "demo", wheel.name)
            first = wheel_metadata(client, file, bucket)
        before = len(index.requests)
        with HttpClient(ClientOptions(offline=True)) as offline:
            assert wheel_metadata(offline, file, bucket) == first
            other = DistFile("demo-2.0-py3-none-any.whl", index.file_url("demo-2.0.whl"))
            with pytest.raises(OfflineError):
                wheel_metadata(offline, other, bucket)
        assert len(index.requests) == before
    (cached,) = bucket.rglob("*.metadata")
    assert cached.relative_to(bucket).parts[0] == "demo"
    assert [p for p in bucket.rglob("*") if p.name.startswith(".tmp")] == []


def test_wheel_without_matching_dist_info_is_rejected(tmp_path: Path) -> None:
    with IndexServer(tmp_path / "files", pep658=False) as index:
        built = index.add_wheel("other", "1.0")
        renamed = index.root / "demo-1.0-py3-none-any.whl"
        os.replace(built, renamed)
        with HttpClient(FAST) as client, pytest.raises(MetadataError) as caught:
            metadata_by_range(
                client, index.file_url(renamed.name), WheelFilename.parse(renamed.name)
            )
    assert "no `.dist-info/METADATA` for `demo`" in caught.value.causes[0]


def test_local_header_name_must_match_central_directory(tmp_path: Path) -> None:
    """A zip whose local header disagrees with its central directory is refused."""
    with IndexServer(tmp_path / "files", pep658=False) as index:
        wheel = index.add_wheel("demo", "1.0")
        data = wheel.read_bytes()
        needle = b"demo-1.0.dist-info/METADATA"
        wheel.write_bytes(data.replace(needle, b"demo-1.0.dist-info/METADATX", 1))
        with HttpClient(FAST) as client, pytest.raises(MetadataError) as caught:
            metadata_by_range(client, index.file_url(wheel.name), WheelFilename.parse(wheel.name))
    assert "differs from" in caught.value.causes[0]


def test_not_a_zip(tmp_path: Path) -> None:
    with IndexServer(tmp_path / "files", pep658=False) as index:
        (index.root / "demo-1.0-py3-none-any.whl").write_bytes(b"not a zip at all" * 10)
        with HttpClient(FAST) as client, pytest.raises(MetadataError) as caught:
            metadata_by_range(
                client,
                index.file_url("demo-1.0-py3-none-any.whl"),
                WheelFilename.parse("demo-1.0-py3-none-any.whl"),
            )
    assert "end of central directory" in caught.value.causes[0]


def test_zip64_records_are_understood(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lower zipfile's limits so that a small wheel gets zip64 EOCD records and extra fields."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 16)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)
    with IndexServer(tmp_path / "files", pep658=False) as index:
        wheel = index.add_wheel("demo", "1.0", files={"demo/__init__.py": b"x = 1\n" * 10})
        assert b"PK\x06\x06" in wheel.read_bytes()  # a zip64 end of central directory
        with HttpClient(FAST) as client:
            data = metadata_by_range(
                client, index.file_url(wheel.name), WheelFilename.parse(wheel.name)
            )
    monkeypatch.undo()
    assert data == read_wheel_metadata(wheel)


def test_member_span_shorter_than_the_local_header_says_is_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The single member request is a guess (the local extra field may be longer than the
    central one); whatever it misses is fetched after, and the data is still right."""
    import puv.index.metadata as metadata

    monkeypatch.setattr(metadata, "_LOCAL_EXTRA_SLACK", -40)  # the guess falls 40 bytes short
    files = {f"demo/module_{i:05d}_with_a_long_name.py": b"" for i in range(2500)}
    with IndexServer(tmp_path / "files", pep658=False) as index:
        wheel = index.add_wheel("demo", "2.0", files=files)
        with HttpClient(FAST) as client:
            data = metadata_by_range(
                client, index.file_url(wheel.name), WheelFilename.parse(wheel.name)
            )
        ranges = [r.header("range") for r in index.requests_to(f"/files/{wheel.name}")]
    assert len(ranges) == 4
    assert data == read_wheel_metadata(wheel)
