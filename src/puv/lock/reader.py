"""Parse uv.lock text into a `Lock` (schema `version = 1`, any revision). Pure: text in, data out.

Like uv, the reader ignores keys it does not know (newer revisions only add keys), rejects a
schema version other than 1, and reports malformed files as `Failed to parse `uv.lock`` with the
`toml` crate's caret block. Schema errors inside a `[[package]]` point at that package's header,
as serde errors reported through the `toml` crate do.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from typing import Any, NoReturn

from puv.core.errors import ConfigError
from puv.core.toml_errors import render_toml_error, tomllib_error_span
from puv.lock.model import (
    SOURCE_KINDS,
    Dependency,
    DependencyMetadata,
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
    Zstd,
)

__all__ = ["LockParseError", "UnsupportedLockVersion", "lock_data", "parse_lock"]

_PACKAGE_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*package[ \t]*\]\][ \t]*$", re.MULTILINE)
_REQUIREMENT_KEYS = ("name", "extras", "groups", "marker")
_SUPPORTED_VERSION = 1


class LockParseError(ConfigError):
    """A uv.lock that is not valid TOML or not a valid lock: `Failed to parse `<file>``."""

    def __init__(self, display: str, block: str) -> None:
        super().__init__(f"Failed to parse `{display}`", causes=[block.rstrip("\n")])
        self.display = display
        self.block = block


class UnsupportedLockVersion(ConfigError):
    """A lock written with a schema version this reader does not support."""

    def __init__(self, display: str, version: object) -> None:
        super().__init__(
            f"The lockfile at `{display}` uses an unsupported schema version (v{version}, but only"
            f" v{_SUPPORTED_VERSION} is supported). Downgrade to a compatible uv version, or"
            " remove the `uv.lock` prior to running `uv lock` or `uv sync`."
        )
        self.version = version


class _SchemaError(Exception):
    """A schema violation; `package` is the index of the `[[package]]` it occurred in."""

    def __init__(self, message: str, package: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.package = package


def lock_data(text: str, display: str = "uv.lock") -> dict[str, Any]:
    """uv.lock `text` read as TOML (the data `parse_lock` builds a `Lock` from); a TOML syntax
    error raises `LockParseError` naming `display`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, span = tomllib_error_span(text, str(exc))
        raise LockParseError(display, render_toml_error(text, span, message)) from None


def parse_lock(
    text: str, display: str = "uv.lock", *, data: Mapping[str, Any] | None = None
) -> Lock:
    """Parse uv.lock `text`; errors raise `LockParseError` / `UnsupportedLockVersion` naming
    `display` (with line and column when known). `data` is `lock_data(text)` when the caller
    already has it (e.g. from a cache), so the TOML is not parsed again."""
    if data is None:
        data = lock_data(text, display)
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version != 1:
        raise UnsupportedLockVersion(display, version)
    try:
        if version is not None and version != 1:
            _fail(f"invalid type: {_describe(version)}, expected u32")
        return _lock(data)
    except _SchemaError as error:
        span = _package_header_span(text, error.package) if error.package is not None else None
        raise LockParseError(display, render_toml_error(text, span, error.message)) from None


def _package_header_span(text: str, index: int) -> tuple[int, int] | None:
    for position, match in enumerate(_PACKAGE_HEADER.finditer(text)):
        if position == index:
            return match.start(), match.end()
    return None


def _fail(message: str) -> NoReturn:
    raise _SchemaError(message)


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, str):
        return f'string "{value}"'
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__


def _str(table: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            _fail(f"missing field `{key}`")
        return None
    if not isinstance(value, str):
        _fail(f"invalid type: {_describe(value)}, expected a string")
    return value


def _int(table: Mapping[str, Any], key: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(f"invalid type: {_describe(value)}, expected u64")
    return value


def _list(table: Mapping[str, Any], key: str) -> list[Any]:
    value = table.get(key, [])
    if not isinstance(value, list):
        _fail(f"invalid type: {_describe(value)}, expected a sequence")
    return value


def _table(value: object) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        _fail(f"invalid type: {_describe(value)}, expected a table")
    return value


def _strings(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    items = _list(table, key)
    for item in items:
        if not isinstance(item, str):
            _fail(f"invalid type: {_describe(item)}, expected a string")
    return tuple(items)


def _toml_value(value: object) -> TomlValue:
    if isinstance(value, (str, int)):
        return value
    if isinstance(value, list):
        return tuple(_toml_value(item) for item in value)
    if isinstance(value, dict):
        return InlineTable(tuple((key, _toml_value(item)) for key, item in value.items()))
    return str(value)


def _lock(data: Mapping[str, Any]) -> Lock:
    if "version" not in data:
        _fail("missing field `version`")
    requires_python = _str(data, "requires-python", required=True)
    assert requires_python is not None
    raw_packages = _list(data, "package")
    packages = [_package_skeleton(raw, index) for index, raw in enumerate(raw_packages)]
    by_name: dict[str, list[PackageId]] = {}
    for package in packages:
        by_name.setdefault(package.id.name, []).append(package.id)
    resolved = tuple(
        _with_dependencies(package, raw, index, by_name)
        for index, (package, raw) in enumerate(zip(packages, raw_packages, strict=True))
    )
    revision = _int(data, "revision")
    return Lock(
        requires_python=requires_python,
        version=_SUPPORTED_VERSION,
        revision=revision or 0,
        resolution_markers=_strings(data, "resolution-markers"),
        supported_markers=_strings(data, "supported-markers"),
        required_markers=_strings(data, "required-markers"),
        conflicts=tuple(_conflict_set(item) for item in _list(data, "conflicts")),
        options=_options(_table(data.get("options", {}))),
        manifest=_manifest(_table(data.get("manifest", {}))),
        packages=resolved,
    )


def _conflict_set(value: object) -> tuple[InlineTable, ...]:
    if not isinstance(value, list):
        _fail(f"invalid type: {_describe(value)}, expected a sequence")
    return tuple(InlineTable(tuple(_table(item).items())) for item in value)


def _options(table: Mapping[str, Any]) -> Options:
    return Options(
        resolution_mode=_str(table, "resolution-mode"),
        prerelease_mode=_str(table, "prerelease-mode"),
        fork_strategy=_str(table, "fork-strategy"),
        exclude_newer=_str(table, "exclude-newer"),
        exclude_newer_span=_str(table, "exclude-newer-span"),
        prerelease_package=tuple(
            (name, str(mode)) for name, mode in _table(table.get("prerelease-package", {})).items()
        ),
        exclude_newer_package=tuple(
            (name, _toml_value(value))
            for name, value in _table(table.get("exclude-newer-package", {})).items()
        ),
    )


def _manifest(table: Mapping[str, Any]) -> Manifest:
    groups = _table(table.get("dependency-groups", {}))
    return Manifest(
        members=_strings(table, "members"),
        requirements=_requirements(table, "requirements"),
        constraints=_requirements(table, "constraints"),
        overrides=_requirements(table, "overrides"),
        excludes=_strings(table, "excludes"),
        build_constraints=_requirements(table, "build-constraints"),
        dependency_groups=tuple((group, _requirements(groups, group)) for group in groups),
        dependency_metadata=tuple(
            _dependency_metadata(_table(item)) for item in _list(table, "dependency-metadata")
        ),
    )


def _dependency_metadata(table: Mapping[str, Any]) -> DependencyMetadata:
    return DependencyMetadata(
        name=_str(table, "name", required=True) or "",
        version=_str(table, "version"),
        requires_dist=_strings(table, "requires-dist"),
        requires_python=_str(table, "requires-python"),
        provides_extras=_strings(table, "provides-extras"),
    )


def _requirements(table: Mapping[str, Any], key: str) -> tuple[Requirement, ...]:
    return tuple(_requirement(_table(item)) for item in _list(table, key))


def _requirement(table: Mapping[str, Any]) -> Requirement:
    return Requirement(
        name=_str(table, "name", required=True) or "",
        extras=_strings(table, "extras"),
        groups=_strings(table, "groups"),
        marker=_str(table, "marker"),
        source=tuple(
            (key, _toml_value(value))
            for key, value in table.items()
            if key not in _REQUIREMENT_KEYS
        ),
    )


def _source(value: object) -> Source:
    table = _table(value)
    for kind in SOURCE_KINDS:
        location = _str(table, kind)
        if location is not None:
            if kind == "git" and "#" not in location:  # a locked Git source names its commit
                _fail("Failed to parse Git URL")
            return Source(kind, location, _str(table, "subdirectory"))
    _fail("data did not match any variant of untagged enum SourceWire")


def _package_skeleton(raw: object, index: int) -> Package:
    """A package without its dependency edges (they need every package's identity first)."""
    try:
        table = _table(raw)
        name = _str(table, "name", required=True) or ""
        version = _str(table, "version")
        if "source" not in table:
            _fail("missing field `source`")
        package_id = PackageId(name, version, _source(table["source"]))
        default_groups = table.get("default-groups")
        return Package(
            id=package_id,
            default_groups=None if default_groups is None else _toml_value(default_groups),
            resolution_markers=_strings(table, "resolution-markers"),
            sdist=_sdist(table.get("sdist")),
            wheels=tuple(_wheel(_table(item)) for item in _list(table, "wheels")),
            metadata=_metadata(_table(table.get("metadata", {}))),
        )
    except _SchemaError as error:
        raise _SchemaError(error.message, index) from None


def _with_dependencies(
    package: Package, raw: Mapping[str, Any], index: int, by_name: Mapping[str, list[PackageId]]
) -> Package:
    try:
        optional = _table(raw.get("optional-dependencies", {}))
        dev = _table(raw.get("dev-dependencies", {}))
        return Package(
            id=package.id,
            default_groups=package.default_groups,
            resolution_markers=package.resolution_markers,
            dependencies=_dependencies(raw, "dependencies", by_name),
            sdist=package.sdist,
            wheels=package.wheels,
            optional_dependencies=tuple(
                (extra, _dependencies(optional, extra, by_name)) for extra in optional
            ),
            dev_dependencies=tuple((group, _dependencies(dev, group, by_name)) for group in dev),
            metadata=package.metadata,
        )
    except _SchemaError as error:
        raise _SchemaError(error.message, index) from None


def _dependencies(
    table: Mapping[str, Any], key: str, by_name: Mapping[str, list[PackageId]]
) -> tuple[Dependency, ...]:
    return tuple(_dependency(_table(item), by_name) for item in _list(table, key))


def _dependency(table: Mapping[str, Any], by_name: Mapping[str, list[PackageId]]) -> Dependency:
    name = _str(table, "name", required=True) or ""
    version = _str(table, "version")
    candidates = by_name.get(name, [])
    if "source" in table:
        source = _source(table["source"])
        matches = [c for c in candidates if c.source == source and c.version == version]
        package_id = matches[0] if matches else PackageId(name, version, source)
    elif len(candidates) == 1 and version in (None, candidates[0].version):
        package_id = candidates[0]
    elif not candidates:
        _fail(f"found dependency `{name}` with no locked package")
    else:
        _fail(
            f"found dependency `{name}` with no version or source, but multiple packages of that"
            " name are locked"
        )
    return Dependency(package_id, _strings(table, "extra"), _str(table, "marker"))


def _sdist(value: object) -> Sdist | None:
    if value is None:
        return None
    table = _table(value)
    kind = "url" if "url" in table else "path" if "path" in table else None
    return Sdist(
        location_kind=kind,
        location=_str(table, kind) if kind else None,
        hash=_str(table, "hash"),
        size=_int(table, "size"),
        upload_time=_upload_time(table),
    )


def _wheel(table: Mapping[str, Any]) -> Wheel:
    for kind in ("url", "path", "filename"):
        location = _str(table, kind)
        if location is not None:
            break
    else:
        _fail("data did not match any variant of untagged enum WheelWireSource")
    zstd = table.get("zstd")
    return Wheel(
        location_kind=kind,
        location=location,
        hash=_str(table, "hash"),
        size=_int(table, "size"),
        upload_time=_upload_time(table),
        zstd=None if zstd is None else Zstd(_str(_table(zstd), "hash"), _int(zstd, "size")),
    )


def _upload_time(table: Mapping[str, Any]) -> str | None:
    value = table.get("upload-time")
    if value is None or isinstance(value, str):
        return value
    _fail(f"invalid type: {_describe(value)}, expected a timestamp string")


def _metadata(table: Mapping[str, Any]) -> Metadata:
    dev = _table(table.get("requires-dev", {}))
    return Metadata(
        requires_dist=_requirements(table, "requires-dist"),
        provides_extras=_strings(table, "provides-extras"),
        requires_dev=tuple((group, _requirements(dev, group)) for group in dev),
    )
