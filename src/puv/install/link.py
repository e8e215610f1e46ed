"""Link files from the cache into an environment: clone (reflink), hardlink, copy or symlink.

The default is uv's: `clone` on Linux and macOS, `hardlink` elsewhere. When the requested mode
does not work on the first file (clone on ext4, hardlink across filesystems), the linker falls
back along uv's chain, clone -> hardlink -> copy and symlink -> copy, and warns ONCE per session
when it has to copy. Existing destination files are replaced atomically (temp file + rename),
uv's "merge" behaviour, so re-running an interrupted install repairs it.

The hot path is plain `os.scandir` + `os.link` on `str` paths: no `Path` objects, no `stat` per
file, each directory created once.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import fcntl
import os
import sys
import threading
from collections.abc import Callable, Collection

from msgspec import Struct

from puv.core.errors import PuvError

# _IOW(0x94, 9, int): share the source's data blocks (btrfs, xfs, bcachefs, ...).
_FICLONE = 0x40049409
_TEMP_SUFFIX = ".puv-tmp"


class LinkMode(enum.StrEnum):
    """How files get from the cache into an environment (`--link-mode`)."""

    CLONE = "clone"
    COPY = "copy"
    HARDLINK = "hardlink"
    SYMLINK = "symlink"

    @classmethod
    def parse(cls, value: str) -> LinkMode:
        """`clone`, `copy`, `hardlink`, `symlink` (and uv's alias `reflink`)."""
        return cls.CLONE if value == "reflink" else cls(value)


def default_link_mode(platform: str = sys.platform) -> LinkMode:
    """uv's default: clone on Linux and macOS, hardlink elsewhere."""
    return LinkMode.CLONE if platform.startswith(("linux", "darwin")) else LinkMode.HARDLINK


def _fallback_warning(verb: str) -> str:
    indent = " " * 9
    return (
        f"Failed to {verb} files; falling back to full copy. This may lead to degraded "
        f"performance.\n{indent}If the cache and target directories are on different "
        f"filesystems, {verb}ing may not be supported.\n{indent}If this is intentional, set "
        "`export UV_LINK_MODE=copy` or use `--link-mode=copy` to suppress this warning."
    )


HARDLINK_FALLBACK_WARNING = _fallback_warning("hardlink")
SYMLINK_FALLBACK_WARNING = _fallback_warning("symlink")


class LinkError(PuvError):
    """A file could not be placed into the environment (exit 2)."""

    exit_code = 2


class PausePoint(Struct, frozen=True):
    """Test-only hook: after `files` files, announce on the FIFO `fifo` and block until told."""

    files: int
    fifo: str

    @classmethod
    def from_environment(cls) -> PausePoint | None:
        """`PUV_TEST_PAUSE_AFTER_FILES=<count>:<fifo>`; the ONLY place puv reads this variable."""
        value = os.environ.get("PUV_TEST_PAUSE_AFTER_FILES")
        if not value:
            return None
        count, _, fifo = value.partition(":")
        return cls(int(count), fifo)

    def wait(self) -> None:
        """Write `paused` to the FIFO (blocks until the test reads), then block for a reply."""
        with open(self.fifo, "w") as fifo:
            fifo.write("paused\n")
        with open(self.fifo) as fifo:
            fifo.read()


class Linker:
    """Places files from the cache into environments for one session (one command).

    The effective mode (after any fallback) and the "warned once" state live here, so one
    warning is printed however many wheels are installed. Thread-safe.
    """

    def __init__(
        self,
        mode: LinkMode | None = None,
        *,
        warn: Callable[[str], None] | None = None,
        pause: PausePoint | None = None,
    ) -> None:
        """`mode` defaults to uv's default; `warn` receives the one fallback warning."""
        self.requested = mode or default_link_mode()
        self.mode = self.requested
        self._warn = warn
        self._confirmed = False  # the current mode has worked at least once
        self._lock = threading.Lock()
        self._pause = pause if pause is not None else PausePoint.from_environment()
        self.files = 0  # files placed so far (counted only when a pause point is set)

    # -- public API --

    def link_tree(self, source: str, target: str, exclude: Collection[str] = ()) -> None:
        """Link every file below `source` into `target` (created as needed), merging with what
        is there. Names in `exclude` are skipped at the top level of `source` only."""
        _mkdir(target)
        with os.scandir(source) as entries:
            children = [entry for entry in entries if entry.name not in exclude]
        for entry in children:
            destination = f"{target}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                self.link_tree(entry.path, destination)
            else:
                self.link_file(entry.path, destination)

    def link_file(self, source: str, target: str) -> None:
        """Link one file with the session's mode (falling back if the mode does not work)."""
        if not self._confirmed:
            self._first_link(source, target)
        else:
            try:
                _place(self.mode, source, target)
            except OSError as err:
                if err.errno != errno.EMLINK:
                    raise _link_error(self.mode, source, target, err) from None
                self.copy_file(source, target)  # the cached inode ran out of links
        if self._pause is not None:
            self._count_and_maybe_pause()

    def copy_file(self, source: str, target: str, mode: int | None = None) -> None:
        """Place an independent copy (safe to chmod or edit), replacing any existing file."""
        try:
            _place(LinkMode.COPY, source, target, mode)
        except OSError as err:
            raise _link_error(LinkMode.COPY, source, target, err) from None

    # -- fallback --

    def _first_link(self, source: str, target: str) -> None:
        with self._lock:
            while True:
                mode = self.mode
                try:
                    _place(mode, source, target)
                except OSError as err:
                    if mode == LinkMode.COPY:
                        raise _link_error(mode, source, target, err) from None
                    self._fall_back(mode)
                    continue
                self._confirmed = True
                return

    def _fall_back(self, failed: LinkMode) -> None:
        if failed == LinkMode.CLONE:
            self.mode = LinkMode.HARDLINK
            return
        self.mode = LinkMode.COPY
        if self._warn is not None and self.requested != LinkMode.COPY:
            self._warn(
                SYMLINK_FALLBACK_WARNING
                if failed == LinkMode.SYMLINK
                else HARDLINK_FALLBACK_WARNING
            )

    def _count_and_maybe_pause(self) -> None:
        assert self._pause is not None
        with self._lock:
            self.files += 1
            reached = self.files == self._pause.files
        if reached:
            self._pause.wait()


def _mkdir(path: str) -> None:
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    except OSError as err:
        raise LinkError(
            f"Failed to create directory `{path}`", causes=[err.strerror or str(err)]
        ) from None


def _hardlink(source: str, target: str) -> None:
    os.link(source, target)


def _symlink(source: str, target: str) -> None:
    os.symlink(source, target)


def _clone(source: str, target: str) -> None:
    """Reflink `source` to a new `target` with the same permissions (Linux FICLONE)."""
    if not sys.platform.startswith("linux"):
        raise OSError(errno.EOPNOTSUPP, "reflink is only implemented on Linux")
    src = os.open(source, os.O_RDONLY)
    try:
        mode = os.fstat(src).st_mode & 0o7777
        dst = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        try:
            fcntl.ioctl(dst, _FICLONE, src)
        except OSError:
            os.close(dst)
            os.unlink(target)
            raise
        os.close(dst)
    finally:
        os.close(src)


def _copy(source: str, target: str, mode: int | None = None) -> None:
    """Copy `source` to a new `target` (kernel-side when possible), keeping its permissions."""
    src = os.open(source, os.O_RDONLY)
    try:
        info = os.fstat(src)
        dst = os.open(
            target,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL,
            info.st_mode & 0o7777 if mode is None else mode,
        )
        try:
            _copy_data(src, dst, info.st_size)
            if mode is not None:
                os.fchmod(dst, mode)
        except BaseException:
            os.close(dst)
            os.unlink(target)
            raise
        os.close(dst)
    finally:
        os.close(src)


def _copy_data(src: int, dst: int, size: int) -> None:
    copied = 0
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is not None:
        try:
            while copied < size:
                sent = copy_range(src, dst, size - copied)
                if sent == 0:
                    return
                copied += sent
            return
        except OSError as err:
            if (
                err.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP)
                or copied
            ):
                raise
    while True:
        chunk = os.read(src, 1 << 20)
        if not chunk:
            return
        view = memoryview(chunk)
        while view:
            view = view[os.write(dst, view) :]


_PLACERS: dict[LinkMode, Callable[[str, str], None]] = {
    LinkMode.CLONE: _clone,
    LinkMode.HARDLINK: _hardlink,
    LinkMode.COPY: _copy,
    LinkMode.SYMLINK: _symlink,
}


def _place(mode: LinkMode, source: str, target: str, chmod: int | None = None) -> None:
    """Place `source` at `target`; an existing `target` is replaced atomically (temp + rename).

    `chmod` forces a copy with those permissions.
    """
    place = _PLACERS[mode]
    try:
        if chmod is not None:
            _copy(source, target, chmod)
        else:
            place(source, target)
        return
    except FileExistsError:
        pass
    head, tail = os.path.split(target)
    temp = f"{head}/.{tail}{_TEMP_SUFFIX}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)  # a leftover of an interrupted run
    if chmod is not None:
        _copy(source, temp, chmod)
    else:
        place(source, temp)
    os.replace(temp, target)
    # Renaming a hard link over another link to the same inode is a no-op that leaves `temp`.
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)


def _link_error(mode: LinkMode, source: str, target: str, err: OSError) -> LinkError:
    reason = err.strerror or str(err)
    if mode == LinkMode.CLONE:
        return LinkError(f"Failed to clone `{source}` to `{target}`", causes=[reason])
    if mode == LinkMode.SYMLINK:
        return LinkError(f"Failed to create symlink from `{source}` to `{target}`", causes=[reason])
    if mode == LinkMode.HARDLINK:
        return LinkError(f"Failed to hardlink `{source}` to `{target}`", causes=[reason])
    return LinkError(f"Failed to copy to `{target}`", causes=[reason])
