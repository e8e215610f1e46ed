"""Render a `Lock` as uv.lock text, byte-identical to uv 0.13.9's `LockWriter`.

Layout rules (uv's `serialize.rs`): top-level keys without blank lines, one blank line before
each table header, multi-line arrays as `key = [\\n    item,\\n]`, inline tables as
`{ k = v, k2 = v2 }` (or `{}`), set-valued requirement arrays on one line when they have at
most one element. A dependency's `version` and `source` are written only when more than one
package of that name is locked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from puv.lock.model import (
    Dependency,
    InlineTable,
    Lock,
    Manifest,
    Metadata,
    Options,
    Package,
    PackageId,
    Requirement,
    Sdist,
    Source,
    TomlValue,
    Wheel,
)

__all__ = ["render_lock", "render_requirement", "toml_key", "toml_string", "toml_value"]

T = TypeVar("T")

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f]*')
_EXCLUDE_NEWER_COMMENT = (
    " # This has no effect and is included for backwards compatibility when using relative"
    " exclude-newer values.\n"
)
_BASIC_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_BASIC_ESCAPES.update({'"': '\\"', "\\": "\\\\"})


def render_lock(lock: Lock) -> str:
    """The uv.lock text for `lock`, exactly as uv 0.13.9 writes it."""
    out: list[str] = []
    out.append(f"version = {lock.version}\n")
    if lock.revision > 0:
        out.append(f"revision = {lock.revision}\n")
    out.append(f"requires-python = {toml_string(lock.requires_python)}\n")
    for key, markers in (
        ("resolution-markers", lock.resolution_markers),
        ("supported-markers", lock.supported_markers),
        ("required-markers", lock.required_markers),
    ):
        if markers:
            out.append(_multiline(key, markers, toml_string))
    if lock.conflicts:
        sets = ("[\n" + "".join(f"    {toml_value(i)},\n" for i in s) + "]" for s in lock.conflicts)
        out.append(f"conflicts = [{', '.join(sets)}]\n")
    _write_options(out, lock.options)
    _write_manifest(out, lock.manifest)
    counts = Counter(package.id.name for package in lock.packages)
    for package in lock.packages:
        _write_package(out, package, counts)
    return "".join(out)


def toml_key(key: str) -> str:
    """A TOML key: bare when possible, else a quoted string."""
    return key if _BARE_KEY.fullmatch(key) else toml_string(key)


def toml_string(value: str) -> str:
    """A TOML string as `toml_edit` writes it: basic (double-quoted) unless the text contains a
    backslash and can be written literally (single-quoted) without escapes."""
    if _PLAIN.fullmatch(value):
        return f'"{value}"'
    if "\\" in value and _literal_ok(value):
        return f"'{value}'"
    return '"' + "".join(_escape(ch) for ch in value) + '"'


def toml_value(value: TomlValue) -> str:
    """An inline TOML value: strings, integers, booleans, arrays and inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, InlineTable):
        return _inline(value.items)
    return "[" + ", ".join(toml_value(item) for item in value) + "]"


def _literal_ok(value: str) -> bool:
    if "'" in value or "\n" in value:
        return False
    return not any((ord(ch) <= 0x1F and ch != "\t") or ch == "\x7f" for ch in value)


def _escape(ch: str) -> str:
    if ch in _BASIC_ESCAPES:
        return _BASIC_ESCAPES[ch]
    if ord(ch) <= 0x1F or ch == "\x7f":
        return f"\\u{ord(ch):04X}"
    return ch


def _inline(items: Iterable[tuple[str, TomlValue]]) -> str:
    body = ", ".join(f"{toml_key(key)} = {toml_value(value)}" for key, value in items)
    return "{ " + body + " }" if body else "{}"


def _multiline(key: str, values: Iterable[T], render: Callable[[T], str]) -> str:
    body = "".join(f"    {render(value)},\n" for value in values)
    return f"{toml_key(key)} = [\n{body}]\n"


def _set_array(key: str, values: Sequence[T], render: Callable[[T], str]) -> str:
    if len(values) <= 1:
        return f"{toml_key(key)} = [{', '.join(render(value) for value in values)}]\n"
    return _multiline(key, values, render)


def _header(out: list[str], path: str, *, array: bool = False) -> None:
    out.append(f"\n[[{path}]]\n" if array else f"\n[{path}]\n")


def _write_options(out: list[str], options: Options) -> None:
    if options.is_empty:
        return
    _header(out, "options")
    for key, value in (
        ("resolution-mode", options.resolution_mode),
        ("prerelease-mode", options.prerelease_mode),
        ("fork-strategy", options.fork_strategy),
    ):
        if value is not None:
            out.append(f"{key} = {toml_string(value)}\n")
    if options.exclude_newer is not None:
        if options.exclude_newer_span is not None:
            out.append(f"exclude-newer = {toml_string(options.exclude_newer)}")
            out.append(_EXCLUDE_NEWER_COMMENT)
            out.append(f"exclude-newer-span = {toml_string(options.exclude_newer_span)}\n")
        else:
            out.append(f"exclude-newer = {toml_string(options.exclude_newer)}\n")
    if options.prerelease_package:
        _header(out, "options.prerelease-package")
        for name, mode in options.prerelease_package:
            out.append(f"{toml_key(name)} = {toml_string(mode)}\n")
    if options.exclude_newer_package:
        _header(out, "options.exclude-newer-package")
        for name, setting in options.exclude_newer_package:
            out.append(f"{toml_key(name)} = {toml_value(setting)}\n")


def _write_manifest(out: list[str], manifest: Manifest) -> None:
    if manifest.is_empty:
        return
    _header(out, "manifest")
    if manifest.members:
        out.append(_multiline("members", manifest.members, toml_string))
    for key, requirements in (
        ("requirements", manifest.requirements),
        ("constraints", manifest.constraints),
        ("overrides", manifest.overrides),
    ):
        if requirements:
            out.append(_set_array(key, requirements, render_requirement))
    if manifest.excludes:
        out.append(_set_array("excludes", manifest.excludes, toml_string))
    if manifest.build_constraints:
        out.append(_set_array("build-constraints", manifest.build_constraints, render_requirement))
    if any(requirements for _, requirements in manifest.dependency_groups):
        _header(out, "manifest.dependency-groups")
        for group, requirements in manifest.dependency_groups:
            if requirements:
                out.append(_set_array(group, requirements, render_requirement))
    for metadata in manifest.dependency_metadata:
        _header(out, "manifest.dependency-metadata", array=True)
        out.append(f"name = {toml_string(metadata.name)}\n")
        if metadata.version is not None:
            out.append(f"version = {toml_string(metadata.version)}\n")
        if metadata.requires_dist:
            out.append(f"requires-dist = {toml_value(metadata.requires_dist)}\n")
        if metadata.requires_python is not None:
            out.append(f"requires-python = {toml_string(metadata.requires_python)}\n")
        if metadata.provides_extras:
            out.append(f"provides-extras = {toml_value(metadata.provides_extras)}\n")


def render_requirement(requirement: Requirement) -> str:
    """A requirement as uv serializes it: `{ name, extras?, groups?, marker?, <source> }`."""
    items: list[tuple[str, TomlValue]] = [("name", requirement.name)]
    if requirement.extras:
        items.append(("extras", requirement.extras))
    if requirement.groups:
        items.append(("groups", requirement.groups))
    if requirement.marker is not None:
        items.append(("marker", requirement.marker))
    items.extend(requirement.source)
    return _inline(items)


def _write_package(out: list[str], package: Package, counts: Counter[str]) -> None:
    _header(out, "package", array=True)
    out.extend(f"{key} = {toml_value(value)}\n" for key, value in _id_items(package.id, None))
    if package.default_groups is not None:
        out.append(f"default-groups = {toml_value(package.default_groups)}\n")
    if package.resolution_markers:
        out.append(_multiline("resolution-markers", package.resolution_markers, toml_string))

    def dependency(dep: Dependency) -> str:
        return _render_dependency(dep, counts)

    if package.dependencies:
        out.append(_multiline("dependencies", package.dependencies, dependency))
    if package.sdist is not None:
        out.append(f"sdist = {_render_sdist(package.sdist)}\n")
    if package.wheels:
        out.append(_multiline("wheels", package.wheels, _render_wheel))
    for table, groups in (
        ("package.optional-dependencies", package.optional_dependencies),
        ("package.dev-dependencies", package.dev_dependencies),
    ):
        if any(deps for _, deps in groups):
            _header(out, table)
            for group, deps in groups:
                if deps:
                    out.append(_multiline(group, deps, dependency))
    _write_metadata(out, package.metadata)


def _write_metadata(out: list[str], metadata: Metadata) -> None:
    if metadata.is_empty:
        return
    _header(out, "package.metadata")
    if metadata.requires_dist:
        out.append(_set_array("requires-dist", metadata.requires_dist, render_requirement))
    if metadata.provides_extras:
        out.append(f"provides-extras = {toml_value(metadata.provides_extras)}\n")
    if metadata.requires_dev:
        _header(out, "package.metadata.requires-dev")
        for group, requirements in metadata.requires_dev:
            out.append(_set_array(group, requirements, render_requirement))


def _source_table(source: Source) -> InlineTable:
    items: list[tuple[str, TomlValue]] = [(source.kind, source.location)]
    if source.subdirectory is not None:
        items.append(("subdirectory", source.subdirectory))
    return InlineTable(tuple(items))


def _id_items(package_id: PackageId, counts: Counter[str] | None) -> list[tuple[str, TomlValue]]:
    items: list[tuple[str, TomlValue]] = [("name", package_id.name)]
    if counts is None or counts[package_id.name] != 1:
        if package_id.version is not None:
            items.append(("version", package_id.version))
        items.append(("source", _source_table(package_id.source)))
    return items


def _render_dependency(dependency: Dependency, counts: Counter[str]) -> str:
    items = _id_items(dependency.package_id, counts)
    if dependency.extra:
        items.append(("extra", dependency.extra))
    if dependency.marker is not None:
        items.append(("marker", dependency.marker))
    return _inline(items)


def _render_sdist(sdist: Sdist) -> str:
    items: list[tuple[str, TomlValue]] = []
    if sdist.location_kind is not None and sdist.location is not None:
        items.append((sdist.location_kind, sdist.location))
    items.extend(_file_facts(sdist.hash, sdist.size, sdist.upload_time))
    return _inline(items)


def _render_wheel(wheel: Wheel) -> str:
    items: list[tuple[str, TomlValue]] = [(wheel.location_kind, wheel.location)]
    items.extend(_file_facts(wheel.hash, wheel.size, wheel.upload_time))
    if wheel.zstd is not None:
        zstd = _file_facts(wheel.zstd.hash, wheel.zstd.size, None)
        items.append(("zstd", InlineTable(tuple(zstd))))
    return _inline(items)


def _file_facts(
    hash_: str | None, size: int | None, upload_time: str | None
) -> list[tuple[str, TomlValue]]:
    items: list[tuple[str, TomlValue]] = []
    if hash_ is not None:
        items.append(("hash", hash_))
    if size is not None:
        items.append(("size", size))
    if upload_time is not None:
        items.append(("upload-time", upload_time))
    return items
