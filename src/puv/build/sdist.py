"""Extract a source distribution safely, as uv 0.13.9 does (and no less strictly).

Only `.tar.gz` and `.zip` sdists are accepted (PEP 625; uv 0.12+ rejects `.tar.bz2`/`.tar.xz`).
A tar archive is checked member by member before anything is written: no absolute names, no `..`
component, no symlink or hard link whose target leaves the archive root, and only regular files,
directories and links (no devices or FIFOs). It is then extracted with `tarfile`'s `data` filter
(PEP 706: strips setuid bits and group/other write permission, refuses what escapes), and finally
every extracted path is resolved (`realpath`) and must lie inside the destination: a defence in
depth against filter bypasses of the CVE-2025-4517 class. A zip sdist gets the same name checks;
zip symlink entries are written as regular files.

The source tree is the archive's single top-level directory; with several top-level entries the
extraction directory itself is used (uv's fallback), and an empty archive is an error.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
import zipfile
import zlib
from pathlib import Path

from puv.core.errors import FailureError

_ACCEPTED = (".tar.gz", ".zip")
_REJECTED = (".tar.bz2", ".tar.xz", ".tar.zst", ".tar.lz", ".tar.lzma", ".tbz", ".txz", ".tgz")
_MEMBER_KINDS = {
    tarfile.CHRTYPE: "CharacterDevice",
    tarfile.BLKTYPE: "BlockDevice",
    tarfile.FIFOTYPE: "Fifo",
    tarfile.CONTTYPE: "Continuous",
    tarfile.GNUTYPE_SPARSE: "GNUSparse",
}


class SdistError(FailureError):
    """An sdist that cannot be used: wrong format, unsafe member, bad layout."""


def is_sdist_filename(filename: str) -> bool:
    """Whether `filename` names an sdist puv can extract (`.tar.gz` or `.zip`)."""
    return filename.lower().endswith(_ACCEPTED)


def check_sdist_filename(filename: str, shown: str) -> None:
    """Reject sdist formats uv no longer accepts, with uv's message (`shown` as the user wrote it)."""
    lowered = filename.lower()
    if lowered.endswith(_REJECTED) or not lowered.endswith(_ACCEPTED):
        raise SdistError(
            f"Source distribution `{shown}` has a non-PEP 625-compliant filename; "
            "only `.tar.gz` and `.zip` archives are accepted"
        )


def extract_sdist(archive: Path, destination: Path, *, display: str) -> Path:
    """Extract `archive` into the empty directory `destination`; return the source tree root.

    `display` names the sdist in errors (`pkg @ file:///...`). Raises `SdistError`; on error,
    `destination` may hold a partial extraction and is the caller's to remove.
    """
    check_sdist_filename(archive.name, str(archive))
    failed = f"Failed to extract archive: {display}"
    if archive.name.lower().endswith(".zip"):
        _extract_zip(archive, destination, failed)
    else:
        _extract_tar(archive, destination, failed)
    _check_contained(destination, failed)
    return _source_root(destination, failed)


# --- tar ----------------------------------------------------------------------------------------


def _extract_tar(archive: Path, destination: Path, failed: str) -> None:
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            members = tar.getmembers()
            for member in members:
                problem = _tar_member_problem(member)
                if problem is not None:
                    raise SdistError(failed, causes=["Invalid tar file", problem])
            tar.extractall(destination, members=members, filter="data")
    except tarfile.FilterError as err:
        raise SdistError(failed, causes=["Invalid tar file", str(err)]) from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        detail = str(err) or type(err).__name__
        raise SdistError(
            failed, causes=["Invalid tar file", "failed to read tar data", detail]
        ) from None


def _tar_member_problem(member: tarfile.TarInfo) -> str | None:
    """uv's wording for an unsafe member, or None when it is fine."""
    at = f"at byte {member.offset}"
    name_problem = _path_problem(member.name)
    if name_problem is not None:
        return f'{at}: unsafe member path "{member.name}": {name_problem}'
    if member.issym():
        target = member.linkname
        if posixpath.isabs(target) or _escapes(
            posixpath.join(posixpath.dirname(member.name), target)
        ):
            reason = "is absolute" if posixpath.isabs(target) else "escapes the destination root"
            return f'{at}: unsafe symbolic-link target "{target}": {reason}'
        return None
    if member.islnk():
        target = member.linkname
        if posixpath.isabs(target) or _escapes(target):
            reason = "is absolute" if posixpath.isabs(target) else "escapes the destination root"
            return f'{at}: unsafe hard-link target "{target}": {reason}'
        return None
    if member.isreg() or member.isdir():
        return None
    kind = _MEMBER_KINDS.get(member.type, "Other")
    return f"{at}: cannot extract unsupported member type {kind} at {member.name}"


def _path_problem(name: str) -> str | None:
    if "\x00" in name or any(ord(char) < 0x20 for char in name):
        return "contains a control character"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "is absolute"
    if ".." in name.replace("\\", "/").split("/"):
        return "contains a parent-directory component"
    return None


def _escapes(relative: str) -> bool:
    """Whether a `/`-separated path relative to the archive root leaves it."""
    normalized = posixpath.normpath(relative)
    return normalized == ".." or normalized.startswith("../")


# --- zip ----------------------------------------------------------------------------------------


def _extract_zip(archive: Path, destination: Path, failed: str) -> None:
    try:
        with zipfile.ZipFile(archive) as bundle:
            infos = bundle.infolist()
            seen: set[str] = set()
            for info in infos:
                problem = _path_problem(info.filename)
                if problem is None and info.filename in seen:
                    problem = "appears more than once"
                if problem is not None:
                    detail = f'unsafe member path "{info.filename}": {problem}'
                    raise SdistError(failed, causes=["Invalid zip file", detail])
                seen.add(info.filename)
            for info in infos:
                target = destination.joinpath(*info.filename.split("/"))
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(info) as source, open(target, "xb") as sink:
                    shutil.copyfileobj(source, sink)
                executable = (info.external_attr >> 16) & 0o111
                os.chmod(target, 0o755 if executable else 0o644)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as err:
        raise SdistError(failed, causes=["Invalid zip file", str(err)]) from None


# --- after extraction ---------------------------------------------------------------------------


def _check_contained(destination: Path, failed: str) -> None:
    """Every extracted path must resolve inside `destination` (catches filter bypasses)."""
    root = os.path.realpath(destination)
    for directory, dirs, files in os.walk(destination):
        for name in (*dirs, *files):
            path = os.path.join(directory, name)
            resolved = os.path.realpath(path)
            if os.path.commonpath([root, resolved]) != root:
                shown = os.path.relpath(path, destination)
                raise SdistError(
                    failed,
                    causes=["Invalid tar file", f'"{shown}" resolves outside the destination'],
                )
            mode = os.lstat(path).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
                shown = os.path.relpath(path, destination)
                raise SdistError(failed, causes=["Invalid tar file", f"unsupported file {shown}"])


def _source_root(destination: Path, failed: str) -> Path:
    entries = list(destination.iterdir())
    if not entries:
        raise SdistError(
            failed,
            causes=[
                "The top-level of the archive must only contain a list directory, but it's empty"
            ],
        )
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return destination
