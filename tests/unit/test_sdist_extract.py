"""sdist extraction (security.md §1.3, table B): B1-B5 give uv 0.13.9's outcomes and messages.

uv rejects every unsafe member outright (stricter than `tarfile`'s `data` filter, which would
strip a leading `/`), so puv does too; the expected texts are what uv printed for the same
archives. Each case also checks that nothing was written outside the destination.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from puv.build.frontend import check_python_project
from puv.build.sdist import SdistError, check_sdist_filename, extract_sdist, is_sdist_filename
from puv.core.errors import PuvError
from tests.envtools import snapshot
from tests.wheelmaker import TarMember, make_sdist, symlink_info, tar_gz

DISPLAY = "pkg @ file:///sdists/pkg-1.0.tar.gz"
FAILED = f"Failed to extract archive: {DISPLAY}"


def _extract(tmp_path: Path, data: bytes, filename: str = "pkg-1.0.tar.gz") -> Path:
    archive = tmp_path / "in" / filename
    archive.parent.mkdir(exist_ok=True)
    archive.write_bytes(data)
    destination = tmp_path / "work" / "dest"
    destination.mkdir(parents=True)
    return extract_sdist(archive, destination, display=DISPLAY)


def _rejected(tmp_path: Path, data: bytes) -> SdistError:
    """Extract `data`, expecting a rejection that wrote nothing outside the destination."""
    before = snapshot(tmp_path, lambda rel: rel.startswith(("work", "in")))
    with pytest.raises(SdistError) as caught:
        _extract(tmp_path, data)
    assert snapshot(tmp_path, lambda rel: rel.startswith(("work", "in"))) == before
    assert caught.value.message == FAILED
    assert caught.value.exit_code == 1
    return caught.value


def test_a_normal_sdist_extracts_to_its_top_level_directory(tmp_path: Path) -> None:
    root = _extract(tmp_path, make_sdist({"pkg/__init__.py": "X = 1\n"}, version="1.0"))
    assert root == tmp_path / "work" / "dest" / "pkg-1.0"
    assert (root / "pkg" / "__init__.py").read_text() == "X = 1\n"
    check_python_project(root)


# --- B1: `..` and absolute member names


def test_b1_parent_directory_member_is_rejected(tmp_path: Path) -> None:
    error = _rejected(tmp_path, tar_gz([TarMember("pkg-1.0/../../evil", data=b"x")]))
    assert error.causes == (
        "Invalid tar file",
        'at byte 0: unsafe member path "pkg-1.0/../../evil": contains a parent-directory component',
    )
    assert not (tmp_path / "evil").exists()


def test_b1_absolute_member_is_rejected(tmp_path: Path) -> None:
    error = _rejected(tmp_path, tar_gz([TarMember("/abs_evil", data=b"x")]))
    assert error.causes == (
        "Invalid tar file",
        'at byte 0: unsafe member path "/abs_evil": is absolute',
    )
    assert not Path("/abs_evil").exists()


# --- B2: symlinks


def test_b2_symlink_out_of_the_root_is_rejected_before_writing_through_it(tmp_path: Path) -> None:
    data = tar_gz(
        [
            TarMember("pkg-1.0/link", tarfile.SYMTYPE, "../../../etc"),
            TarMember("pkg-1.0/link/passwd", data=b"pwned"),
        ]
    )
    error = _rejected(tmp_path, data)
    assert error.causes == (
        "Invalid tar file",
        'at byte 0: unsafe symbolic-link target "../../../etc": escapes the destination root',
    )
    assert not (tmp_path / "work" / "dest" / "pkg-1.0" / "link").exists()


def test_b2_symlink_inside_the_root_is_kept(tmp_path: Path) -> None:
    data = tar_gz(
        [
            TarMember("pkg-1.0/pyproject.toml", data=b""),
            TarMember("pkg-1.0/docs/readme.md", data=b"hi"),
            TarMember("pkg-1.0/README.md", tarfile.SYMTYPE, "docs/readme.md"),
        ]
    )
    root = _extract(tmp_path, data)
    assert (root / "README.md").is_symlink()
    assert (root / "README.md").read_text() == "hi"


def test_b2_realpath_walk_catches_a_filter_bypass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CVE-2025-4517-class bypass: the filter lets a link out; the walk afterwards refuses it."""
    outside = tmp_path / "outside"
    outside.mkdir()

    def bypassed_extractall(self: tarfile.TarFile, path: str, **kwargs: object) -> None:
        target = Path(path) / "pkg-1.0"
        target.mkdir(parents=True)
        os.symlink(outside, target / "escape")

    monkeypatch.setattr(tarfile.TarFile, "extractall", bypassed_extractall)
    with pytest.raises(SdistError) as caught:
        _extract(tmp_path, make_sdist({}, version="1.0"))
    assert caught.value.causes == (
        "Invalid tar file",
        '"pkg-1.0/escape" resolves outside the destination',
    )


# --- B3: hard links, special members, modes


@pytest.mark.parametrize(
    ("target", "reason"),
    [("/etc/passwd", "is absolute"), ("../../x", "escapes the destination root")],
)
def test_b3_hardlink_out_of_the_root_is_rejected(tmp_path: Path, target: str, reason: str) -> None:
    data = tar_gz(
        [
            TarMember("pkg-1.0/PKG-INFO", data=b"x"),
            TarMember("pkg-1.0/link", tarfile.LNKTYPE, target),
        ]
    )
    error = _rejected(tmp_path, data)
    assert error.causes == (
        "Invalid tar file",
        f'at byte 1024: unsafe hard-link target "{target}": {reason}',
    )


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        (tarfile.CHRTYPE, "CharacterDevice"),
        (tarfile.FIFOTYPE, "Fifo"),
        (tarfile.BLKTYPE, "BlockDevice"),
    ],
)
def test_b3_special_members_are_rejected(tmp_path: Path, kind: bytes, name: str) -> None:
    error = _rejected(tmp_path, tar_gz([TarMember("pkg-1.0/dev", kind)]))
    assert error.causes == (
        "Invalid tar file",
        f"at byte 0: cannot extract unsupported member type {name} at pkg-1.0/dev",
    )


def test_b3_setuid_and_world_writable_bits_are_stripped(tmp_path: Path) -> None:
    data = tar_gz(
        [
            TarMember("pkg-1.0/pyproject.toml", data=b""),
            TarMember("pkg-1.0/run.sh", data=b"#!/bin/sh\n", mode=0o4777),
        ]
    )
    root = _extract(tmp_path, data)
    mode = stat.S_IMODE((root / "run.sh").stat().st_mode)
    assert not mode & (stat.S_ISUID | stat.S_IWOTH | stat.S_IWGRP)
    assert mode & stat.S_IXUSR  # the executable bit is kept, as uv keeps it


def test_hardlink_inside_the_root_is_extracted(tmp_path: Path) -> None:
    data = tar_gz(
        [
            TarMember("pkg-1.0/a.txt", data=b"same"),
            TarMember("pkg-1.0/b.txt", tarfile.LNKTYPE, "pkg-1.0/a.txt"),
        ]
    )
    root = _extract(tmp_path, data)
    assert (root / "b.txt").read_bytes() == b"same"


# --- B5: layout


def test_b5_empty_archive_is_rejected(tmp_path: Path) -> None:
    error = _rejected(tmp_path, tar_gz([]))
    assert error.causes == (
        "The top-level of the archive must only contain a list directory, but it's empty",
    )


def test_b5_several_top_level_entries_use_the_extraction_directory(tmp_path: Path) -> None:
    """uv's fallback for a non-singular archive: the extraction directory is the source tree,
    which then is not a Python project."""
    root = _extract(tmp_path, tar_gz([TarMember("a/x", data=b"1"), TarMember("b/y", data=b"2")]))
    assert root == tmp_path / "work" / "dest"
    with pytest.raises(PuvError) as caught:
        check_python_project(root)
    assert caught.value.message == (
        f"`{root}` does not appear to be a Python project, as neither `pyproject.toml` nor "
        "`setup.py` are present in the directory"
    )


def test_b5_missing_project_files_are_reported(tmp_path: Path) -> None:
    root = _extract(tmp_path, tar_gz([TarMember("pkg-1.0/README", data=b"x")]))
    with pytest.raises(PuvError, match="does not appear to be a Python project"):
        check_python_project(root)


def test_not_a_gzip_file_is_an_invalid_tar(tmp_path: Path) -> None:
    error = _rejected(tmp_path, b"garbage")
    assert error.causes[:2] == ("Invalid tar file", "failed to read tar data")


# --- formats


@pytest.mark.parametrize("filename", ["pkg-1.0.tar.bz2", "pkg-1.0.tar.xz", "pkg-1.0.tgz"])
def test_non_pep625_formats_are_rejected_with_uvs_message(filename: str) -> None:
    assert not is_sdist_filename(filename)
    with pytest.raises(SdistError) as caught:
        check_sdist_filename(filename, f"./{filename}")
    assert caught.value.message == (
        f"Source distribution `./{filename}` has a non-PEP 625-compliant filename; only "
        "`.tar.gz` and `.zip` archives are accepted"
    )


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for info, data in entries:
            bundle.writestr(info, data)
    return buffer.getvalue()


def test_zip_sdist_extracts_and_writes_symlink_entries_as_files(tmp_path: Path) -> None:
    data = _zip(
        [
            ("pkg-1.0/pyproject.toml", b"[project]\n"),
            (symlink_info("pkg-1.0/link"), b"../../../../etc/passwd"),
        ]
    )
    root = _extract(tmp_path, data, "pkg-1.0.zip")
    assert (root / "pyproject.toml").read_bytes() == b"[project]\n"
    assert not (root / "link").is_symlink()
    assert (root / "link").read_bytes() == b"../../../../etc/passwd"


def test_zip_sdist_with_an_escaping_member_is_rejected(tmp_path: Path) -> None:
    data = _zip([("pkg-1.0/../../evil.txt", b"x")])
    with pytest.raises(SdistError) as caught:
        _extract(tmp_path, data, "pkg-1.0.zip")
    assert caught.value.causes == (
        "Invalid zip file",
        'unsafe member path "pkg-1.0/../../evil.txt": contains a parent-directory component',
    )
    assert not (tmp_path / "evil.txt").exists()
