"""Local source trees in a project environment: whether an installed one is fresh, building it
(editable or not) only when its `cache-keys` changed, and the metadata uv records for it.

uv records three files in the `.dist-info` of a source tree it installs: `direct_url.json`
(`{"url": "file:///...", "dir_info": {"editable": true}}`), `uv_cache.json` (the tree's cache
info when it was built: the newest ctime of the `cache-keys` files, the `src` directory, ...) and
`uv_build.json` (the config settings it was built with). An installed tree is fresh while all
three still describe the tree; puv writes and reads the same files, so either tool keeps the
other's installs. (uv stamps directories with their birth time, which Python cannot read on
Linux; puv stamps them with their inode, uv's own fallback, so a tree installed by one tool is
rebuilt once by the other.)

Built wheels are remembered per source (a tree, editable or not; an sdist, by its hash) and config
settings, with the cache info they were built from: a tree whose cache info is unchanged, or an
sdist already built, is not built again.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct

from puv.cache.layout import CacheLayout
from puv.core.wheel_filename import InvalidWheelFilename, WheelFilename
from puv.install.installed import InstalledDist

__all__ = [
    "BuiltTree",
    "build_info",
    "built_wheel",
    "built_with",
    "cache_info",
    "is_fresh",
    "record_built_wheel",
    "record_tree_install",
    "source_key",
]

_DEFAULT_KEYS: tuple[Mapping[str, str], ...] = (
    {"file": "pyproject.toml"},
    {"file": "setup.py"},
    {"file": "setup.cfg"},
    {"dir": "src"},
)
_GLOB_CHARACTERS = frozenset("*?[{")


class BuiltTree(Struct, frozen=True):
    """A wheel built from a source tree, with its sha256 (to find it unpacked in the cache)."""

    wheel: Path
    filename: WheelFilename
    sha256: str


def cache_info(directory: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    """uv's `CacheInfo` of a source tree, as `uv_cache.json` stores it."""
    timestamp: tuple[int, int] | None = None
    directories: dict[str, int | None] = {}
    env: dict[str, str | None] = {}
    commit: str | None = None
    for key in _cache_keys(directory):
        file = key.get("file") if isinstance(key, Mapping) else key
        if isinstance(file, str):
            for path in _matching_files(directory, file):
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                stamp = (stat.st_ctime_ns // 1_000_000_000, stat.st_ctime_ns % 1_000_000_000)
                timestamp = stamp if timestamp is None or stamp > timestamp else timestamp
        elif isinstance(key, Mapping) and isinstance(key.get("dir"), str):
            name = key["dir"]
            try:
                directories[name] = os.stat(directory / name).st_ino
            except OSError:
                directories[name] = None
        elif isinstance(key, Mapping) and isinstance(key.get("env"), str):
            env[key["env"]] = environ.get(key["env"])
        elif isinstance(key, Mapping) and key.get("git") not in (None, False):
            commit = _git_commit(directory)
    return {
        "timestamp": None
        if timestamp is None
        else {"secs_since_epoch": timestamp[0], "nanos_since_epoch": timestamp[1]},
        "commit": commit,
        "tags": None,
        "env": dict(sorted(env.items())),
        "directories": dict(sorted(directories.items())),
    }


def build_info(config_settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """uv's `BuildInfo` as `uv_build.json` stores it (empty without config settings)."""
    return {"config_settings": dict(config_settings)} if config_settings else {}


def is_fresh(
    dist: InstalledDist,
    directory: Path,
    *,
    editable: bool,
    info: Mapping[str, Any],
    build: Mapping[str, Any],
) -> bool:
    """Whether the installed `dist` is the tree at `directory`, installed (non-)editable, from
    the same cache info (`info`) and build settings (`build`)."""
    direct_url = dist.direct_url
    if direct_url is None or not dist.complete:
        return False
    dir_info = direct_url.get("dir_info")
    url = direct_url.get("url")
    if not isinstance(dir_info, dict) or not isinstance(url, str) or "subdirectory" in direct_url:
        return False
    if bool(dir_info.get("editable", False)) != editable:
        return False
    from puv.index.client import path_from_file_url

    if not url.startswith("file:") or not _same_path(Path(path_from_file_url(url)), directory):
        return False
    if not built_with(dist, build):
        return False
    return _read_json(dist.path / "uv_cache.json") == info


def built_with(dist: InstalledDist, build: Mapping[str, Any]) -> bool:
    """Whether `dist` was built with the `build` settings its `uv_build.json` records (an
    install without one, made by another installer, counts as built with any)."""
    recorded = _read_json(dist.path / "uv_build.json")
    return recorded is None or recorded == build


def source_key(directory: Path, *, editable: bool) -> str:
    """The key built wheels of a source tree are remembered under."""
    return f"{'editable' if editable else 'wheel'}:{os.path.normpath(directory)}"


def built_wheel(
    cache: CacheLayout,
    key: str,
    *,
    info: Mapping[str, Any],
    build: Mapping[str, Any],
    compatible: Callable[[WheelFilename], bool],
) -> BuiltTree | None:
    """The wheel built earlier from the source `key` (a tree's `source_key`, or an sdist's hash)
    when its cache info and build settings are the same and the wheel suits the interpreter
    (`compatible`), else None."""
    pointer = _read_json(_pointer(cache, key, build))
    if not isinstance(pointer, dict) or pointer.get("cache_info") != info:
        return None
    try:
        wheel = Path(pointer["wheel"])
        filename = WheelFilename.parse(wheel.name)
        sha256 = str(pointer["sha256"])
    except (KeyError, TypeError, InvalidWheelFilename):
        return None
    if not wheel.is_file() or not compatible(filename):
        return None
    return BuiltTree(wheel, filename, sha256)


def record_built_wheel(
    cache: CacheLayout,
    key: str,
    wheel: Path,
    *,
    info: Mapping[str, Any],
    build: Mapping[str, Any],
) -> BuiltTree:
    """Remember `wheel` as built from the source `key` with cache info `info`."""
    from puv.cache.persist import write_atomic

    digest = hashlib.sha256()
    with open(wheel, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    built = BuiltTree(wheel, WheelFilename.parse(wheel.name), digest.hexdigest())
    document = {"cache_info": info, "wheel": str(wheel), "sha256": built.sha256}
    write_atomic(_pointer(cache, key, build), json.dumps(document).encode())
    return built


def record_tree_install(
    dist_info: Path,
    directory: Path,
    *,
    editable: bool,
    info: Mapping[str, Any],
    build: Mapping[str, Any],
) -> None:
    """Write `direct_url.json`, `uv_cache.json` and `uv_build.json` into the `.dist-info` of a
    tree just installed, and list them in its RECORD."""
    from puv.install.wheel_install import add_dist_info_files

    dir_info: dict[str, bool] = {"editable": True} if editable else {}
    documents = {
        "direct_url.json": {"url": directory.as_uri(), "dir_info": dir_info},
        "uv_build.json": build,
        "uv_cache.json": info,
    }
    add_dist_info_files(
        dist_info,
        {name: json.dumps(doc, separators=(",", ":")).encode() for name, doc in documents.items()},
    )


def _pointer(cache: CacheLayout, key: str, build: Mapping[str, Any]) -> Path:
    text = json.dumps([key, build], sort_keys=True)
    name = hashlib.sha256(text.encode()).hexdigest()[:16]
    return cache.bucket("sdists") / "trees" / f"{name}.json"


def _cache_keys(directory: Path) -> list[Any]:
    """`tool.uv.cache-keys` of the tree's `pyproject.toml`, else uv's defaults."""
    try:
        data = tomllib.loads((directory / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return list(_DEFAULT_KEYS)
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    keys = uv.get("cache-keys") if isinstance(uv, dict) else None
    return keys if isinstance(keys, list) else list(_DEFAULT_KEYS)


def _matching_files(directory: Path, pattern: str) -> list[str]:
    if not _GLOB_CHARACTERS.intersection(pattern):
        path = directory / pattern
        return [str(path)] if path.is_file() else []
    root = glob.escape(str(directory))
    return [
        path
        for path in glob.glob(os.path.join(root, pattern), recursive=True)
        if os.path.isfile(path)
    ]


def _git_commit(directory: Path) -> str | None:
    """The commit `HEAD` names in the repository holding `directory`, if any."""
    for candidate in (directory, *directory.parents):
        git = candidate / ".git"
        if git.is_dir():
            try:
                head = (git / "HEAD").read_text().strip()
                if head.startswith("ref: "):
                    return (git / head[5:]).read_text().strip()
                return head
            except OSError:
                return None
    return None


def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError):
        return None


def _same_path(left: Path, right: Path) -> bool:
    if os.path.normpath(left) == os.path.normpath(right):
        return True
    try:
        return os.path.samefile(left, right)
    except OSError:
        return False
