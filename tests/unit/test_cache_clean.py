"""`cache clean` / `cache prune`: what is removed, what is never touched, and uv's summary line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from puv.cache.clean import (
    Removal,
    clean_all,
    clean_package,
    human_readable_bytes,
    prune,
    remove_tree,
    summary_line,
)
from puv.cache.layout import CacheLayout

UV = Path(sys.executable).with_name("uv")


def make_tree(root: Path, files: dict[str, int], dirs: tuple[str, ...] = ()) -> None:
    for relative, size in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x00" * size)
    for relative in dirs:
        (root / relative).mkdir(parents=True, exist_ok=True)


def listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0B"),
        (1023, "1023B"),
        (1024, "1.0KiB"),
        (28 * 1024, "28.0KiB"),
        (2_002_944, "1.9MiB"),
        (1024 * 1024 - 1, "1.0MiB"),
        (5 * 1024**3, "5.0GiB"),
    ],
)
def test_human_readable_bytes(count: int, text: str) -> None:
    assert human_readable_bytes(count) == text


@pytest.mark.parametrize(
    ("removal", "line"),
    [
        (Removal(), "No cache entries found"),
        (Removal(dirs=1), "Removed 1 directory (0B)"),
        (Removal(dirs=2), "Removed 2 directories (0B)"),
        (Removal(files=1, dirs=3, disk_bytes=4096), "Removed 1 file (4.0KiB)"),
        (Removal(files=11, disk_bytes=28 * 1024), "Removed 11 files (28.0KiB)"),
    ],
)
def test_summary_line(removal: Removal, line: str) -> None:
    assert summary_line(removal, nothing="No cache entries found") == line


def test_remove_tree_counts_and_never_follows_links(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    make_tree(outside, {"precious.txt": 10})
    target = tmp_path / "entry"
    make_tree(target, {"a/b.txt": 5000, "c.txt": 1}, dirs=("empty",))
    (target / "link").symlink_to(outside, target_is_directory=True)
    removal = remove_tree(target)
    assert (removal.files, removal.dirs) == (3, 3)  # two files + the link; entry, a, empty
    assert removal.disk_bytes >= 5001
    assert not target.exists() and (outside / "precious.txt").exists()
    assert remove_tree(target) == Removal()


def test_clean_all_on_a_puv_only_root_keeps_only_the_lock(tmp_path: Path) -> None:
    layout = CacheLayout(tmp_path / "cache")
    layout.ensure()
    make_tree(layout.bucket("wheels"), {"demo/demo-1.0.whl": 100})
    (layout.root / ".lock").touch()
    removal = clean_all(layout)
    assert listing(layout.root) == [".lock"]
    assert removal.files == 3  # the wheel, CACHEDIR.TAG, .gitignore


def test_clean_all_in_a_root_shared_with_uv_touches_only_puv(tmp_path: Path) -> None:
    layout = CacheLayout(tmp_path / "shared")
    layout.ensure()
    make_tree(layout.root, {"wheels-v6/pypi/six/x": 10, "simple-v28/pypi/six.rkyv": 10})
    make_tree(layout.bucket("simple"), {"abc/six.msgpack": 10})
    clean_all(layout)
    assert listing(layout.root) == [
        ".gitignore",
        "CACHEDIR.TAG",
        "simple-v28",
        "simple-v28/pypi",
        "simple-v28/pypi/six.rkyv",
        "wheels-v6",
        "wheels-v6/pypi",
        "wheels-v6/pypi/six",
        "wheels-v6/pypi/six/x",
    ]


def test_clean_package_removes_only_that_package(tmp_path: Path) -> None:
    layout = CacheLayout(tmp_path / "cache")
    simple = layout.bucket("simple").name
    metadata = layout.bucket("metadata").name
    make_tree(
        layout.root,
        {
            f"{simple}/0123/demo.msgpack": 10,
            f"{simple}/0123/demo-extra.msgpack": 10,
            f"{simple}/4567/demo.msgpack": 10,
            f"{metadata}/demo/abc.metadata": 10,
            f"{metadata}/other/def.metadata": 10,
            "simple-v28/pypi/demo.rkyv": 10,
        },
    )
    removal = clean_package(layout, "demo")
    assert removal.files == 3
    assert listing(layout.root) == [
        metadata,
        f"{metadata}/other",
        f"{metadata}/other/def.metadata",
        simple,
        f"{simple}/0123",
        f"{simple}/0123/demo-extra.msgpack",
        f"{simple}/4567",
        "simple-v28",
        "simple-v28/pypi",
        "simple-v28/pypi/demo.rkyv",
    ]


def test_prune_removes_stale_buckets_temp_entries_and_environments(tmp_path: Path) -> None:
    layout = CacheLayout(tmp_path / "cache")
    layout.ensure()
    wheels = layout.bucket("wheels").name
    make_tree(
        layout.root,
        {
            "puv-simple-v0/old/demo.msgpack": 10,
            f"{layout.bucket('simple').name}/.tmpabc": 10,
            f"{layout.bucket('environments').name}/env-1/pyvenv.cfg": 10,
            f"{wheels}/demo/demo-1.0-py3-none-any.whl": 10,
            ".tmpstray/file": 1,
            "simple-v28/pypi/demo.rkyv": 10,  # uv's: never touched
        },
    )
    removal = prune(layout)
    remaining = listing(layout.root)
    assert not any(p.startswith(("puv-simple-v0", ".tmp")) for p in remaining)
    assert not any(".tmpabc" in p or "env-1" in p for p in remaining)
    assert f"{wheels}/demo/demo-1.0-py3-none-any.whl" in remaining
    assert "simple-v28/pypi/demo.rkyv" in remaining
    assert removal.files == 4
    assert summary_line(prune(layout), nothing="No unused entries found") == (
        "No unused entries found"
    )


def test_prune_ci_keeps_only_wheels_built_from_source(tmp_path: Path) -> None:
    layout = CacheLayout(tmp_path / "cache")
    sdists = layout.bucket("sdists").name
    make_tree(
        layout.root,
        {
            f"{layout.bucket('wheels').name}/demo/demo-1.0-py3-none-any.whl": 10,
            f"{layout.bucket('archive').name}/abcd/demo/__init__.py": 10,
            f"{sdists}/built/rev1/metadata.msgpack": 10,
            f"{sdists}/built/rev1/built-1.0-py3-none-any.whl": 10,
            f"{sdists}/built/rev1/src/built/__init__.py": 10,
            f"{sdists}/built/rev1/built-1.0.tar.gz": 10,
        },
    )
    prune(layout, ci=True)
    files = [p for p in listing(layout.root) if (layout.root / p).is_file()]
    assert files == [
        f"{sdists}/built/rev1/built-1.0-py3-none-any.whl",
        f"{sdists}/built/rev1/metadata.msgpack",
    ]


def test_prune_removes_archives_the_installer_says_are_unused(tmp_path: Path) -> None:
    layout = CacheLayout(tmp_path / "cache")
    archive = layout.bucket("archive")
    make_tree(archive, {"used/a.py": 1, "unused/b.py": 1})
    prune(layout, archive_in_use=lambda path: path.name == "used")
    assert listing(archive) == ["used", "used/a.py"]


def test_missing_root_is_nothing_to_do(tmp_path: Path) -> None:
    layout = CacheLayout(tmp_path / "absent")
    assert clean_all(layout) == Removal() and prune(layout) == Removal()


# ---------------------------------------------------------------- the same trees through real uv


TREE = {"a/x": 100, "y": 5000, "deep/er/z": 2_000_000, "empty-file": 0}


def _uv(args: list[str], cache: Path) -> str:
    env = {
        **os.environ,
        "UV_CACHE_DIR": str(cache),
        "NO_COLOR": "1",
        "UV_NO_WRAP": "1",
        "UV_PYTHON_DOWNLOADS": "never",
    }
    result = subprocess.run(
        [str(UV), *args], capture_output=True, text=True, env=env, check=True, cwd=cache.parent
    )
    return result.stderr.strip().splitlines()[-1]


@pytest.mark.skipif(not UV.exists(), reason="uv is not installed next to the interpreter")
def test_prune_summary_matches_uv(tmp_path: Path) -> None:
    uv_cache, puv_cache = tmp_path / "uv", tmp_path / "puv"
    make_tree(uv_cache / "junk-v0", TREE, dirs=("d1/d2",))
    make_tree(puv_cache / "puv-junk-v0", TREE, dirs=("d1/d2",))
    theirs = _uv(["cache", "prune"], uv_cache)
    assert summary_line(prune(CacheLayout(puv_cache)), nothing="No unused entries found") == theirs
    make_tree(uv_cache / "junk-v0", {}, dirs=("d1/d2",))
    make_tree(puv_cache / "puv-junk-v0", {}, dirs=("d1/d2",))
    theirs = _uv(["cache", "prune"], uv_cache)
    assert theirs == "Removed 3 directories (0B)"
    assert summary_line(prune(CacheLayout(puv_cache)), nothing="No unused entries found") == theirs
    theirs = _uv(["cache", "prune"], uv_cache)
    assert summary_line(prune(CacheLayout(puv_cache)), nothing="No unused entries found") == theirs


@pytest.mark.skipif(not UV.exists(), reason="uv is not installed next to the interpreter")
def test_clean_summary_matches_uv(tmp_path: Path) -> None:
    uv_cache, puv_cache = tmp_path / "uv", tmp_path / "puv"
    make_tree(uv_cache, {"CACHEDIR.TAG": 43, **{f"foo-v0/{k}": v for k, v in TREE.items()}})
    make_tree(puv_cache, {"CACHEDIR.TAG": 43, **{f"puv-foo-v0/{k}": v for k, v in TREE.items()}})
    theirs = _uv(["cache", "clean"], uv_cache)
    assert summary_line(clean_all(CacheLayout(puv_cache)), nothing="No cache entries found") == (
        theirs
    )
    theirs = _uv(["cache", "clean"], uv_cache)
    assert theirs == "No cache entries found"
    assert summary_line(clean_all(CacheLayout(puv_cache)), nothing="No cache entries found") == (
        theirs
    )
