"""Link modes (clone, hardlink, copy, symlink), uv's fallback chain and its single warning."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from puv.core.printer import Printer
from puv.install.link import (
    HARDLINK_FALLBACK_WARNING,
    Linker,
    LinkError,
    LinkMode,
    default_link_mode,
)
from tests.envtools import demo_wheels, install, make_venv, run_uv, snapshot


def make_tree(root: Path) -> Path:
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("A = 1\n")
    (root / "pkg" / "sub" / "m.py").write_text("B = 2\n")
    (root / "pkg" / "tool").write_text("#!/bin/sh\n")
    os.chmod(root / "pkg" / "tool", 0o755)
    (root / "top.py").write_text("C = 3\n")
    return root


def link(linker: Linker, source: Path, target: Path) -> None:
    """Link the top-level entries of `source` into `target`, as the installer does."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir()):
        if entry.is_dir():
            linker.link_tree(str(entry), f"{target}/{entry.name}")
        else:
            linker.link_file(str(entry), f"{target}/{entry.name}")


def supports_reflink(directory: Path) -> bool:
    source = directory / ".probe-src"
    source.write_bytes(b"x" * 4096)
    target = directory / ".probe-dst"
    try:
        with open(source, "rb") as src, open(target, "wb") as dst:
            fcntl.ioctl(dst.fileno(), 0x40049409, src.fileno())
        return True
    except OSError:
        return False
    finally:
        source.unlink()
        target.unlink(missing_ok=True)


@pytest.fixture
def other_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A directory on a different filesystem than `tmp_path` (/dev/shm), or skip."""
    base = Path("/dev/shm")
    if not base.is_dir() or os.stat(base).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second filesystem available")
    directory = Path(tempfile.mkdtemp(dir=base, prefix="puv-test-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def test_hardlink(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "cache")
    link(Linker(LinkMode.HARDLINK), source, tmp_path / "env")
    assert snapshot(tmp_path / "env") == snapshot(source)
    assert os.path.samefile(
        source / "pkg" / "sub" / "m.py", tmp_path / "env" / "pkg" / "sub" / "m.py"
    )


def test_copy(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "cache")
    link(Linker(LinkMode.COPY), source, tmp_path / "env")
    assert snapshot(tmp_path / "env") == snapshot(source)
    assert os.stat(tmp_path / "env" / "top.py").st_ino != os.stat(source / "top.py").st_ino


def test_symlink(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "cache")
    link(Linker(LinkMode.SYMLINK), source, tmp_path / "env")
    target = tmp_path / "env" / "pkg" / "tool"
    assert target.is_symlink() and os.readlink(target) == str(source / "pkg" / "tool")
    assert (tmp_path / "env" / "pkg").is_dir() and not (tmp_path / "env" / "pkg").is_symlink()


def test_clone_reflinks_or_silently_falls_back_to_hardlink(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "cache")
    warnings: list[str] = []
    linker = Linker(LinkMode.CLONE, warn=warnings.append)
    link(linker, source, tmp_path / "env")
    assert snapshot(tmp_path / "env") == snapshot(source)
    assert warnings == []
    same = os.path.samefile(source / "top.py", tmp_path / "env" / "top.py")
    if supports_reflink(tmp_path):
        assert linker.mode == LinkMode.CLONE and not same
    else:
        assert linker.mode == LinkMode.HARDLINK and same


def test_cross_filesystem_falls_back_to_copy_with_one_warning(
    tmp_path: Path, other_filesystem: Path
) -> None:
    source = make_tree(other_filesystem / "cache")
    warnings: list[str] = []
    linker = Linker(warn=warnings.append)  # the default mode: clone, then hardlink, then copy
    link(linker, source, tmp_path / "env")
    link(linker, source, tmp_path / "env2")
    assert snapshot(tmp_path / "env") == snapshot(source) == snapshot(tmp_path / "env2")
    assert linker.mode == LinkMode.COPY
    assert warnings == [HARDLINK_FALLBACK_WARNING]


def test_fallback_warning_is_uvs(tmp_path: Path, other_filesystem: Path) -> None:
    """uv prints the same three lines when its cache is on another filesystem."""
    wheels = tmp_path / "wheels"
    demo_wheels(wheels)
    venv = make_venv(tmp_path / "venv")
    result = run_uv(
        ["pip", "install", "--python", str(venv.python), "--no-index", "--find-links",
         str(wheels), "demo"],
        other_filesystem / "uv-cache",
    )  # fmt: skip
    printed: list[str] = []

    class Capture:
        def write(self, text: str) -> None:
            printed.append(text)

        def flush(self) -> None:
            pass

    Printer(err=Capture()).warn(HARDLINK_FALLBACK_WARNING)
    assert "".join(printed) in result.stderr


def test_existing_files_are_replaced_and_dirs_merged(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "cache")
    env = tmp_path / "env"
    (env / "pkg").mkdir(parents=True)
    (env / "pkg" / "__init__.py").write_text("stale\n")
    (env / "pkg" / "unrelated.py").write_text("kept\n")
    for mode in (LinkMode.HARDLINK, LinkMode.COPY, LinkMode.SYMLINK, LinkMode.HARDLINK):
        link(Linker(mode), source, env)
        assert (env / "pkg" / "__init__.py").read_text() == "A = 1\n"
    assert (env / "pkg" / "unrelated.py").read_text() == "kept\n"
    leftovers = [path for path in snapshot(env) if "puv-tmp" in path]
    assert leftovers == []


def test_copy_file_sets_mode_without_touching_the_source(tmp_path: Path) -> None:
    source = tmp_path / "script"
    source.write_text("#!/bin/sh\n")
    os.chmod(source, 0o644)
    linker = Linker(LinkMode.HARDLINK)
    linker.copy_file(str(source), str(tmp_path / "copy"), 0o755)
    linker.copy_file(str(source), str(tmp_path / "copy"), 0o755)  # over an existing file
    assert os.stat(tmp_path / "copy").st_mode & 0o777 == 0o755
    assert os.stat(source).st_mode & 0o777 == 0o644


def test_scripts_needing_exec_bits_never_chmod_the_cache(tmp_path: Path) -> None:
    """A hard-linked file shares its mode with the cache: +x must go on a copy."""
    venv = make_venv(tmp_path / "venv")
    unpacked, _ = install(demo_wheels(tmp_path / "wheels")[0], venv, tmp_path / "cache")
    cached = unpacked.path / "demo-1.0.data" / "scripts" / "plain.sh"
    installed = venv.root / "bin" / "plain.sh"
    assert os.stat(cached).st_mode & 0o111 == 0
    assert os.stat(installed).st_mode & 0o111 == 0o111
    assert not os.path.samefile(cached, installed)
    # An already executable script is linked as is.
    assert os.path.samefile(
        unpacked.path / "demo-1.0.data" / "scripts" / "binary.sh", venv.root / "bin" / "binary.sh"
    )


def test_link_errors_name_the_paths(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "cache")
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "pkg").write_text("a file where a directory goes")
    with pytest.raises(LinkError) as err:
        link(Linker(LinkMode.COPY), source, tmp_path / "env")
    assert err.value.message.startswith("Failed to ")
    assert f"{tmp_path}/env/pkg/" in err.value.message


def test_modes() -> None:
    assert LinkMode.parse("reflink") == LinkMode.CLONE
    assert LinkMode.parse("hardlink") == LinkMode.HARDLINK
    assert default_link_mode("linux") == LinkMode.CLONE
    assert default_link_mode("darwin") == LinkMode.CLONE
    assert default_link_mode("win32") == LinkMode.HARDLINK
    with pytest.raises(ValueError):
        LinkMode.parse("teleport")
