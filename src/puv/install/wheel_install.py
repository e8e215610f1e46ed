"""Install one unpacked wheel (from the cache) into an environment, as uv does.

Order matters for kill -9 safety, and is uv's: link the wheel's files (all but RECORD), write the
entry-point scripts, place `.data`, write INSTALLER / REQUESTED / direct_url.json, and write
RECORD last. A `.dist-info` without RECORD therefore means "interrupted": `installed.py` reports
it as incomplete, and installing the same wheel again replaces every file atomically.

Everything that can be rejected (entry-point names, `.data` keys, reserved script names) is
checked before the first file is written, so a rejected wheel leaves the environment untouched.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from msgspec import Struct

from puv.core.errors import PuvError
from puv.core.hashes import record_digest
from puv.core.wheel_filename import WheelFilename, normalize_name
from puv.install.dist_info import (
    InvalidWheel,
    RecordEntry,
    Script,
    check_metadata_matches,
    check_reserved_script_name,
    find_dist_info,
    parse_entry_points,
    parse_wheel_file,
    read_name_version,
    read_record,
    render_record,
    write_atomic,
)
from puv.install.link import Linker
from puv.install.scheme import Layout

INSTALLER = "puv"

# uv's launcher (pip's distlib template without `import re`), byte for byte.
_LAUNCHER = """{shebang}
# -*- coding: utf-8 -*-
import sys
from {module} import {import_name}
if __name__ == "__main__":
    if sys.argv[0].endswith("-script.pyw"):
        sys.argv[0] = sys.argv[0][:-11]
    elif sys.argv[0].endswith(".exe"):
        sys.argv[0] = sys.argv[0][:-4]
    sys.exit({function}())
"""


class InstalledWheel(Struct, frozen=True):
    """The result of installing one wheel."""

    dist_info: Path  # the `.dist-info` directory in site-packages
    name: str  # normalized project name (from METADATA)
    version: str


def install_wheel(
    unpacked: Path,
    filename: WheelFilename,
    layout: Layout,
    linker: Linker,
    *,
    relocatable: bool = False,
    requested: bool = True,
    direct_url: Mapping[str, object] | None = None,
    installer: str = INSTALLER,
    skip_filename_check: bool = False,
) -> InstalledWheel:
    """Install the unpacked wheel at `unpacked` into the environment described by `layout`.

    `direct_url` is the PEP 610 document for URL/path installs (written as compact JSON in the
    given key order, as uv does: `url`, then `archive_info` / `dir_info` / `vcs_info`, then
    `subdirectory`). `requested` writes `REQUESTED` (uv always writes it). Raises `PuvError`
    (uv's `Failed to install: <wheel> (<name>==<version>)` with the reason as cause).
    """
    try:
        plan = _plan(os.fspath(unpacked), filename, layout, skip_filename_check)
        return _execute(plan, layout, linker, relocatable, requested, direct_url, installer)
    except PuvError as err:
        raise PuvError(
            f"Failed to install: {filename} ({filename.distribution})",
            causes=[err.message, *err.causes],
            hint=err.hint,
            exit_code=err.exit_code,
        ) from None
    except OSError as err:  # e.g. the cache entry vanished, or the environment is read-only
        raise PuvError(
            f"Failed to install: {filename} ({filename.distribution})", causes=[str(err)]
        ) from None


def add_dist_info_files(dist_info: Path, files: Mapping[str, bytes]) -> None:
    """Write `files` (name -> content) into the `.dist-info` of an installed distribution, over
    any of the same name, and list them in its RECORD (rewritten last, RECORD itself last in it):
    what an installer records after the wheel's own install (uv's `direct_url.json` of a Git
    install, its `uv_build.json`)."""
    record_path = dist_info / "RECORD"
    entries = {entry.path: entry for entry in read_record(record_path)}
    prefix = dist_info.name
    for name, content in files.items():
        write_atomic(dist_info / name, content)
        path = f"{prefix}/{name}"
        entries[path] = RecordEntry(path, record_digest(content), str(len(content)))
    own = f"{prefix}/RECORD"
    entries.pop(own, None)
    write_atomic(record_path, render_record([*entries.values(), RecordEntry(own)]).encode())


def planned_paths(unpacked: Path, filename: WheelFilename, layout: Layout) -> list[str]:
    """The paths (relative to site-packages, as in RECORD) that installing `unpacked` writes.

    This is how to clean up after an install that was killed before RECORD was written:
    `uninstall.remove_files(dist_info, planned_paths(...), ...)`.
    """
    plan = _plan(os.fspath(unpacked), filename, layout, skip_filename_check=True)
    paths = [path for path in plan.record if not path.startswith(f"{plan.prefix}.data/")]
    for placement in plan.data:
        if not placement.drop:
            paths.append(_relative(placement.target, plan.site_packages))
    for script in plan.scripts:
        paths.append(_relative(f"{layout.scheme.scripts}/{script.name}", plan.site_packages))
    return paths


class _Plan(Struct, frozen=True):
    """Everything decided (and validated) before the first file is written."""

    unpacked: str
    dist_info: str  # `foo-1.0.dist-info`
    prefix: str  # `foo-1.0`
    top: dict[str, bool]  # top-level names of the unpacked wheel -> is a directory
    site_packages: str  # purelib or platlib, per `Root-Is-Purelib`
    name: str
    version: str
    scripts: list[Script]
    data: list[_Placement]
    record: dict[str, RecordEntry]  # the cached (healed) RECORD, by path


def _plan(
    unpacked: str, filename: WheelFilename, layout: Layout, skip_filename_check: bool
) -> _Plan:
    with os.scandir(unpacked) as it:
        top = {entry.name: entry.is_dir() for entry in it}
    dist_info = find_dist_info(name for name, is_dir in top.items() if is_dir)
    prefix = dist_info[: -len(".dist-info")]
    dist_info_dir = f"{unpacked}/{dist_info}"
    wheel = parse_wheel_file(_read_text(f"{dist_info_dir}/WHEEL"))
    metadata = _read_text(f"{dist_info_dir}/METADATA")
    if not skip_filename_check:
        check_metadata_matches(filename, metadata)
    name, version = read_name_version(metadata)
    name = normalize_name(name)
    scheme = layout.scheme
    scripts = parse_entry_points(
        _read_text(f"{dist_info_dir}/entry_points.txt", missing_ok=True), layout.python_version[1]
    )
    if scripts and layout.os_name != "posix":
        raise PuvError("Installing entry points is only supported on POSIX systems")
    data_dir = f"{unpacked}/{prefix}.data"
    data = _plan_data(data_dir, layout, name, scripts) if top.get(f"{prefix}.data") else []
    record = {entry.path: entry for entry in read_record(Path(dist_info_dir, "RECORD"))}
    return _Plan(
        unpacked=unpacked,
        dist_info=dist_info,
        prefix=prefix,
        top=top,
        site_packages=os.fspath(scheme.purelib if wheel.root_is_purelib else scheme.platlib),
        name=name,
        version=version,
        scripts=scripts,
        data=data,
        record=record,
    )


def _execute(
    plan: _Plan,
    layout: Layout,
    linker: Linker,
    relocatable: bool,
    requested: bool,
    direct_url: Mapping[str, object] | None,
    installer: str,
) -> InstalledWheel:
    site_packages = plan.site_packages
    record = dict(plan.record)

    # 1. The wheel's own files (RECORD comes last).
    os.makedirs(site_packages, exist_ok=True)
    for entry_name, is_dir in plan.top.items():
        source = f"{plan.unpacked}/{entry_name}"
        target = f"{site_packages}/{entry_name}"
        if entry_name == f"{plan.prefix}.data":
            continue
        if entry_name == plan.dist_info:
            linker.link_tree(source, target, exclude=("RECORD",))
        elif is_dir:
            linker.link_tree(source, target)
        else:
            linker.link_file(source, target)

    # 2. Entry points.
    written: list[RecordEntry] = []
    executable = _script_executable(layout, relocatable)
    shebang = format_shebang(executable, relocatable)
    if plan.scripts:
        os.makedirs(layout.scheme.scripts, exist_ok=True)
    for script in plan.scripts:
        launcher = _LAUNCHER.format(
            shebang=shebang,
            module=script.module,
            import_name=script.function.split(".", 1)[0],
            function=script.function,
        ).encode()
        target = f"{layout.scheme.scripts}/{script.name}"
        write_atomic(target, launcher, 0o777)
        written.append(_recorded(site_packages, target, launcher))

    # 3. `.data`.
    made: set[str] = set()
    for placement in plan.data:
        entry = record.pop(placement.record_path, RecordEntry(placement.record_path))
        if placement.drop:
            continue
        parent = os.path.dirname(placement.target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        relative = _relative(placement.target, site_packages)
        if placement.shebang_rest is not None:
            content = shebang.encode() + b"\n" + placement.shebang_rest
            write_atomic(placement.target, content, 0o777)
            record[relative] = RecordEntry(relative, record_digest(content), str(len(content)))
        elif placement.chmod is not None:
            linker.copy_file(placement.source, placement.target, placement.chmod)
            record[relative] = RecordEntry(relative, entry.hash, entry.size)
        else:
            linker.link_file(placement.source, placement.target)
            record[relative] = RecordEntry(relative, entry.hash, entry.size)

    # 4. Installer metadata, 5. RECORD (last).
    extra: list[tuple[str, bytes]] = []
    if requested:
        extra.append(("REQUESTED", b""))
    if direct_url is not None:
        import json  # only URL and path installs need it

        extra.append(
            (
                "direct_url.json",
                json.dumps(direct_url, separators=(",", ":"), ensure_ascii=False).encode(),
            )
        )
    extra.append(("INSTALLER", installer.encode()))
    for file_name, content in extra:
        target = f"{site_packages}/{plan.dist_info}/{file_name}"
        write_atomic(target, content)
        written.append(_recorded(site_packages, target, content))
    for entry in written:
        record[entry.path] = entry
    record_path = f"{plan.dist_info}/RECORD"
    record[record_path] = RecordEntry(record_path)
    write_atomic(f"{site_packages}/{record_path}", render_record(record.values()).encode())
    return InstalledWheel(Path(site_packages, plan.dist_info), plan.name, plan.version)


def _relative(target: str, site_packages: str) -> str:
    return os.path.relpath(target, site_packages).replace(os.sep, "/")


def _read_text(path: str, missing_ok: bool = False) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read()
    except FileNotFoundError:
        if missing_ok:
            return ""
        raise InvalidWheel.because(f"missing `{os.path.basename(path)}`") from None


def _recorded(site_packages: str, target: str, content: bytes) -> RecordEntry:
    return RecordEntry(_relative(target, site_packages), record_digest(content), str(len(content)))


# --- scripts ---------------------------------------------------------------------------------


def format_shebang(executable: str, relocatable: bool) -> str:
    """uv's POSIX shebang: `#!<python>`, or a `/bin/sh` trampoline when the path is too long
    (over 127 bytes with `#!` and newline), contains a space, or must be relocatable."""
    if len(executable) + 3 > 127 or " " in executable or relocatable:
        prefix = '"$(dirname -- "$(realpath -- "$0")")"/' if relocatable else ""
        quoted = executable.replace("'", "'\"'\"'")
        return f"#!/bin/sh\n'''exec' {prefix}'{quoted}' \"$0\" \"$@\"\n' '''"
    return f"#!{executable}"


def _script_executable(layout: Layout, relocatable: bool) -> str:
    executable = os.fspath(layout.sys_executable)
    if relocatable:
        return os.path.relpath(executable, layout.scheme.scripts)
    return executable


# --- .data ---------------------------------------------------------------------------------------


class _Placement(Struct, frozen=True):
    """Where one `.data` file goes and how: link, copy with `chmod`, or rewrite its shebang."""

    source: str
    target: str
    record_path: str  # its path in the cached RECORD (`x-1.0.data/...`)
    chmod: int | None = None
    shebang_rest: bytes | None = None  # the script after its `#!python` line
    drop: bool = False  # a script shadowed by an entry point of the same name


def _plan_data(data_dir: str, layout: Layout, name: str, scripts: list[Script]) -> list[_Placement]:
    """Decide the destination of every `.data` file (and reject bad ones) before installing."""
    scheme = layout.scheme
    prefix = os.path.basename(data_dir)
    roots = {
        "purelib": os.fspath(scheme.purelib),
        "platlib": os.fspath(scheme.platlib),
        "headers": os.fspath(scheme.include / name),
        "data": os.fspath(scheme.data),
        "scripts": os.fspath(scheme.scripts),
    }
    scripts_dir = roots["scripts"]
    entry_point_names = {script.name for script in scripts}
    placements = []
    with os.scandir(data_dir) as it:
        keys = sorted(entry.name for entry in it)
    for key in keys:
        if key not in roots:
            raise InvalidWheel.because(f"Unknown wheel data type: {key}")
        for relative in _walk_files(f"{data_dir}/{key}"):
            source = f"{data_dir}/{key}/{relative}"
            target = f"{roots[key]}/{relative}"
            record_path = f"{prefix}/{key}/{relative}"
            if os.path.dirname(target) == scripts_dir:
                check_reserved_script_name(os.path.basename(target))
            if key != "scripts":
                placements.append(_Placement(source, target, record_path))
                continue
            if "/" in relative:
                raise InvalidWheel.because(
                    "Wheel contains an invalid entry (directory) in the `scripts` directory: "
                    f"{data_dir}/scripts/{relative.split('/', 1)[0]}"
                )
            placements.append(_plan_script(source, target, record_path, entry_point_names))
    return placements


def _plan_script(source: str, target: str, record_path: str, shadowed: set[str]) -> _Placement:
    name = os.path.basename(source)
    for suffix in (".exe", "-script.py", ".pya"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    if name in shadowed:
        return _Placement(source, target, record_path, drop=True)
    with open(source, "rb") as file:
        head = file.read(8)
        if head == b"#!python":
            # The rest of the first line goes (with its `\r\n` or `\n`), as uv 0.13 does.
            _, newline, rest = file.read().partition(b"\n")
            return _Placement(source, target, record_path, shebang_rest=rest if newline else b"")
        mode = os.fstat(file.fileno()).st_mode & 0o7777
    if mode & 0o111 == 0o111:
        return _Placement(source, target, record_path)
    return _Placement(source, target, record_path, chmod=mode | 0o111)


def _walk_files(root: str) -> list[str]:
    """Relative paths of the files below `root` (sorted, `/`-separated)."""
    found = []
    stack = [""]
    while stack:
        relative = stack.pop()
        with os.scandir(f"{root}/{relative}" if relative else root) as it:
            for entry in it:
                path = f"{relative}/{entry.name}" if relative else entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append(path)
                else:
                    found.append(path)
    return sorted(found)
