"""The merged settings of one command: CLI > `UV_*` env > project > user > system > defaults.

`load_settings` finds the configuration files (see `config_files`), merges them with the values the
CLI parsed from flags and `UV_*` variables, and returns a frozen `Settings` with one typed attribute
per modelled key, `pip` (the view `uv pip` commands use), the raw merged mapping and each value's
origin. Merging follows uv's `Combine`: a scalar comes from the highest layer that sets it, lists
concatenate (higher layer first), per-package tables merge per package, and `[pip]` merges field by
field. For `uv pip`, the merged `[pip]` tables come before the merged top-level keys they share.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from puv.project.config_files import GIVEN_RELATIVE, ConfigFile, discover_config_files
from puv.project.settings_schema import (
    PIP_SCHEMA,
    SETTINGS_SCHEMA,
    Field,
    Table,
    normalize_name,
)

__all__ = [
    "IndexConfig",
    "Layer",
    "Merged",
    "PipSettings",
    "Settings",
    "load_settings",
    "merge_layers",
    "settings_from_layers",
]

ConfigValue = str | tuple[str, ...]
_EMPTY: Mapping[str, Any] = MappingProxyType({})


_PACKAGE_KEYED = frozenset({"map-first", "map-list", "map-map", "config-settings-package"})
# Top-level keys that `uv pip` commands use when `[pip]` does not set them.
_PIP_SHARED = frozenset(
    {
        "index", "index-url", "extra-index-url", "no-index", "find-links", "index-strategy",
        "keyring-provider", "resolution", "prerelease", "prerelease-package", "fork-strategy",
        "dependency-metadata", "config-settings", "config-settings-package", "no-build-isolation",
        "no-build-isolation-package", "extra-build-dependencies", "extra-build-variables",
        "exclude-newer", "exclude-newer-package", "link-mode", "compile-bytecode", "no-sources",
        "no-sources-package", "upgrade", "upgrade-package", "reinstall", "reinstall-package",
        "torch-backend",
    }
)  # fmt: skip
_PREVIEW_KEYS = ("preview", "preview-features")
_PIP_MERGE_FIELDS: Mapping[str, Field] = {
    **{key: SETTINGS_SCHEMA.fields[key] for key in _PIP_SHARED},
    **PIP_SCHEMA.fields,
}


class Layer(NamedTuple):
    """The values one source supplies (uv setting names to values) and its origin label."""

    origin: str
    values: Mapping[str, Any]


class IndexConfig(NamedTuple):
    """One `[[tool.uv.index]]` entry (unknown keys, as in uv, are ignored)."""

    url: str
    name: str | None = None
    default: bool = False
    explicit: bool = False
    format: str = "simple"
    publish_url: str | None = None
    authenticate: str = "auto"
    ignore_error_codes: tuple[int, ...] | None = None
    cache_control: Mapping[str, str] | None = None
    origin: str = "default"
    relative: bool = False  # `url` was a relative path (made absolute against its file)


class Merged(NamedTuple):
    """Merged values, the origin of each key, and the origin of each item of list keys."""

    values: dict[str, Any]
    origins: dict[str, str]
    item_origins: dict[str, list[str]]


def merge_layers(layers: Sequence[Layer], schema: Mapping[str, Field]) -> Merged:
    """Merge `layers` (highest precedence first) key by key with each key's merge rule."""
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    item_origins: dict[str, list[str]] = {}
    preview_claimed = False
    for layer in layers:
        has_preview = any(key in layer.values for key in _PREVIEW_KEYS)
        for key, value in layer.values.items():
            if key in _PREVIEW_KEYS and preview_claimed:
                continue
            spec = schema.get(key)
            rule = spec.merge if spec is not None else "scalar"
            if rule in _PACKAGE_KEYED and isinstance(value, dict):
                value = {normalize_name(name): item for name, item in value.items()}
            if key not in values:
                values[key] = _copy(value)
                origins[key] = layer.origin
                if rule == "list" and isinstance(value, list):
                    item_origins[key] = [layer.origin] * len(value)
            elif rule != "scalar":
                values[key] = _combine(rule, values[key], value, spec)
                if rule == "list" and isinstance(value, list):
                    item_origins.setdefault(key, []).extend([layer.origin] * len(value))
        preview_claimed = preview_claimed or has_preview
    return Merged(values, origins, item_origins)


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    return value


def _combine(rule: str, high: Any, low: Any, spec: Field | None) -> Any:
    """Combine a higher layer's value with a lower one's, as uv's `Combine` does for `rule`."""
    if rule == "list":
        return [*high, *_copy(low)]
    if rule == "map-first":
        first = dict(high)
        for name, item in low.items():
            first.setdefault(name, _copy(item))
        return first
    if rule == "map-list":
        lists: dict[str, list[Any]] = {name: list(items) for name, items in high.items()}
        for name, items in low.items():
            lists.setdefault(name, []).extend(_copy(items))
        return lists
    if rule == "map-map":
        tables: dict[str, dict[str, Any]] = {name: dict(items) for name, items in high.items()}
        for name, items in low.items():
            inner = tables.setdefault(name, {})
            for key, item in items.items():
                inner.setdefault(key, item)
        return tables
    if rule == "config-settings":
        return _merge_config_settings(high, low)
    if rule == "config-settings-package":
        packages: dict[str, Any] = dict(high)
        for name, settings in low.items():
            known = packages.get(name)
            packages[name] = settings if known is None else _merge_config_settings(known, settings)
        return packages
    if rule == "table" and spec is not None and isinstance(spec.kind, Table):
        return merge_layers([Layer("", high), Layer("", low)], spec.kind.fields).values
    return high


def _merge_config_settings(high: Mapping[str, Any], low: Mapping[str, Any]) -> dict[str, Any]:
    """`config-settings` merge: a key set in both layers collects every value, higher first."""
    merged = dict(high)
    for key, value in low.items():
        if key not in merged:
            merged[key] = value
            continue
        existing = merged[key]
        first = list(existing) if isinstance(existing, list) else [existing]
        merged[key] = first + (list(value) if isinstance(value, list) else [value])
    return merged


# --- typed views ----------------------------------------------------------------------------


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (value,)


def _names(value: Any) -> tuple[str, ...]:
    return tuple(normalize_name(name) for name in value)


def _host(value: Any) -> str:
    if isinstance(value, str):
        return value
    host = str(value["host"])
    if "scheme" in value:
        host = f"{value['scheme']}://{host}"
    return f"{host}:{value['port']}" if "port" in value else host


def _config_settings(value: Mapping[str, Any]) -> Mapping[str, ConfigValue]:
    return MappingProxyType(
        {key: tuple(item) if isinstance(item, list) else item for key, item in value.items()}
    )


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    return value


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "preview-features": lambda value: () if isinstance(value, bool) else tuple(value),
    "python-downloads": lambda value: "automatic" if value == "auto" else value,
    "allow-insecure-host": lambda value: tuple(_host(item) for item in value),
    "prerelease-package": lambda value: MappingProxyType(dict(value)),
    "config-settings": _config_settings,
    "config-settings-package": lambda value: MappingProxyType(
        {name: _config_settings(item) for name, item in value.items()}
    ),
    "environments": _strings,
    "required-environments": _strings,
    "default-groups": lambda value: value if isinstance(value, str) else tuple(value),
    "no-build-isolation-package": _names,
    "no-sources-package": _names,
    "reinstall-package": _names,
    "no-build-package": _names,
    "no-binary-package": _names,
    "no-emit-package": _names,
    "extra": _names,
    "no-extra": _names,
}


def _typed_kwargs(
    cls: type[Settings | PipSettings], merged: Merged, skip: Sequence[str]
) -> dict[str, Any]:
    """Keyword arguments for `cls`: each field from the merged value of its kebab-case key."""
    kwargs: dict[str, Any] = {}
    for name in cls._fields:
        if name in skip or name == "origins":
            continue
        key = name.replace("_", "-")
        if key in merged.values:
            value = merged.values[key]
            convert = _CONVERTERS.get(key, _frozen)
            kwargs[name] = convert(value)
    return kwargs


def _indexes(merged: Merged) -> tuple[IndexConfig, ...]:
    entries = merged.values.get("index", [])
    origins = merged.item_origins.get("index", [])
    return tuple(
        IndexConfig(
            url=entry["url"],
            name=entry.get("name"),
            default=entry.get("default", False),
            explicit=entry.get("explicit", False),
            format=entry.get("format", "simple"),
            publish_url=entry.get("publish-url"),
            authenticate=entry.get("authenticate", "auto"),
            ignore_error_codes=(
                tuple(entry["ignore-error-codes"]) if "ignore-error-codes" in entry else None
            ),
            cache_control=(
                MappingProxyType(dict(entry["cache-control"])) if "cache-control" in entry else None
            ),
            origin=origin,
            relative=entry.get(GIVEN_RELATIVE, False),
        )
        for entry, origin in zip(entries, origins, strict=True)
    )


def _origin(origins: Mapping[str, str], key: str) -> str:
    return origins.get(key.replace("_", "-"), "default")


class PipSettings(NamedTuple):
    """What `uv pip` uses: CLI, env, the merged `[pip]` tables, then the shared top-level keys."""

    python: str | None = None
    system: bool = False
    break_system_packages: bool = False
    target: str | None = None
    prefix: str | None = None
    index: tuple[IndexConfig, ...] = ()  # type: ignore[assignment]  # shadows tuple.index
    index_url: str | None = None
    extra_index_url: tuple[str, ...] = ()
    no_index: bool = False
    find_links: tuple[str, ...] = ()
    index_strategy: str = "first-index"
    keyring_provider: str = "disabled"
    no_build: bool = False
    no_binary: tuple[str, ...] = ()
    only_binary: tuple[str, ...] = ()
    no_build_isolation: bool = False
    no_build_isolation_package: tuple[str, ...] = ()
    strict: bool = False
    extra: tuple[str, ...] = ()
    all_extras: bool = False
    no_extra: tuple[str, ...] = ()
    no_deps: bool = False
    group: tuple[str, ...] = ()
    allow_empty_requirements: bool = False
    resolution: str = "highest"
    prerelease: str = "if-necessary"
    prerelease_package: Mapping[str, str] = _EMPTY
    fork_strategy: str = "requires-python"
    output_file: str | None = None
    no_strip_extras: bool = False
    no_strip_markers: bool = False
    no_annotate: bool = False
    no_header: bool = False
    custom_compile_command: str | None = None
    generate_hashes: bool = False
    config_settings: Mapping[str, ConfigValue] = _EMPTY
    python_version: str | None = None
    python_platform: str | None = None
    universal: bool = False
    exclude_newer: str | bool | None = None
    exclude_newer_package: Mapping[str, str | bool] = _EMPTY
    no_emit_package: tuple[str, ...] = ()
    emit_index_url: bool = False
    emit_find_links: bool = False
    emit_build_options: bool = False
    emit_marker_expression: bool = False
    emit_index_annotation: bool = False
    annotation_style: str = "split"
    link_mode: str = "hardlink" if os.name == "nt" else "clone"
    compile_bytecode: bool = False
    require_hashes: bool = False
    verify_hashes: bool = True
    no_sources: bool = False
    no_sources_package: tuple[str, ...] = ()
    upgrade: bool = False
    upgrade_package: tuple[str, ...] = ()
    reinstall: bool = False
    reinstall_package: tuple[str, ...] = ()
    torch_backend: str | None = None
    raw: Mapping[str, Any] = _EMPTY
    origins: Mapping[str, str] = _EMPTY  # which layer supplied each key

    def origin(self, key: str) -> str:
        """The layer that supplied `key` (kebab- or snake-case): `cli`, `env`,
        `project:<path>`, ..., or `"default"`."""
        return _origin(self.origins, key)

    @classmethod
    def from_merged(cls, merged: Merged) -> PipSettings:
        """The typed view of a merge of pip layers."""
        return cls(
            **_typed_kwargs(cls, merged, skip=("index", "raw")),
            index=_indexes(merged),
            raw=MappingProxyType(merged.values),
            origins=MappingProxyType(merged.origins),
        )


class Settings(NamedTuple):
    """The merged settings of one command, typed per key, with the raw mapping and origins."""

    required_version: str | None = None
    system_certs: bool = False
    offline: bool = False
    no_cache: bool = False
    cache_dir: str | None = None
    preview: bool = False
    preview_features: tuple[str, ...] = ()
    python_preference: str = "managed"
    python_downloads: str = "automatic"
    concurrent_downloads: int = 50
    concurrent_builds: int = 1
    concurrent_installs: int = 1
    index: tuple[IndexConfig, ...] = ()  # type: ignore[assignment]  # shadows tuple.index
    index_url: str | None = None
    extra_index_url: tuple[str, ...] = ()
    no_index: bool = False
    find_links: tuple[str, ...] = ()
    index_strategy: str = "first-index"
    keyring_provider: str = "disabled"
    http_proxy: str | None = None
    https_proxy: str | None = None
    no_proxy: tuple[str, ...] = ()
    allow_insecure_host: tuple[str, ...] = ()
    resolution: str = "highest"
    prerelease: str = "if-necessary"
    prerelease_package: Mapping[str, str] = _EMPTY
    fork_strategy: str = "requires-python"
    dependency_metadata: tuple[Mapping[str, Any], ...] = ()
    config_settings: Mapping[str, ConfigValue] = _EMPTY
    config_settings_package: Mapping[str, Mapping[str, ConfigValue]] = _EMPTY
    no_build_isolation: bool = False
    require_build_hashes: bool = False
    no_build_isolation_package: tuple[str, ...] = ()
    extra_build_dependencies: Mapping[str, tuple[Any, ...]] = _EMPTY
    extra_build_variables: Mapping[str, Mapping[str, str]] = _EMPTY
    exclude_newer: str | bool | None = None
    exclude_newer_package: Mapping[str, str | bool] = _EMPTY
    link_mode: str = "hardlink" if os.name == "nt" else "clone"
    compile_bytecode: bool = False
    no_sources: bool = False
    no_sources_package: tuple[str, ...] = ()
    upgrade: bool = False
    upgrade_package: tuple[str, ...] = ()
    reinstall: bool = False
    reinstall_package: tuple[str, ...] = ()
    no_build: bool = False
    no_build_package: tuple[str, ...] = ()
    no_binary: bool = False
    no_binary_package: tuple[str, ...] = ()
    torch_backend: str | None = None
    python_install_mirror: str | None = None
    pypy_install_mirror: str | None = None
    graalpy_install_mirror: str | None = None
    pyodide_install_mirror: str | None = None
    python_downloads_json_url: str | None = None
    publish_url: str | None = None
    trusted_publishing: str = "automatic"
    check_url: str | None = None
    add_bounds: str = "lower"
    cache_keys: tuple[Any, ...] | None = None
    override_dependencies: tuple[Any, ...] = ()
    exclude_dependencies: tuple[Any, ...] = ()
    constraint_dependencies: tuple[str, ...] = ()
    build_constraint_dependencies: tuple[str, ...] = ()
    environments: tuple[str, ...] | None = None
    required_environments: tuple[str, ...] | None = None
    managed: bool = True
    package: bool | None = None
    default_groups: str | tuple[str, ...] | None = None
    pip: PipSettings = PipSettings()
    raw: Mapping[str, Any] = _EMPTY
    origins: Mapping[str, str] = _EMPTY  # which layer supplied each key

    def origin(self, key: str) -> str:
        """The layer that supplied `key` (kebab- or snake-case): `cli`, `env`,
        `project:<path>`, ..., or `"default"`."""
        return _origin(self.origins, key)


def load_settings(
    *,
    project_dir: Path | None,
    cli: Mapping[str, Any],
    env: Mapping[str, Any],
    config_file: Path | None,
    no_config: bool,
    environ: Mapping[str, str],
    warn: Callable[[str], None],
) -> Settings:
    """Discover the configuration files and merge them under the CLI and `UV_*` values.

    `project_dir` is where discovery starts (the workspace root when there is one, else the
    project directory or cwd); None reads only user and system files (`uv tool`). `cli` and `env`
    map uv setting names (`"offline"`, `"allow-insecure-host"`) to parsed values; a key given on
    the command line hides its environment value, as clap does. Invalid files raise `PuvError`;
    unusable `pyproject.toml` files are skipped after `warn`.
    """
    files = discover_config_files(
        project_dir, config_file=config_file, no_config=no_config, environ=environ, warn=warn
    )
    return settings_from_layers(cli, env, files)


def settings_from_layers(
    cli: Mapping[str, Any], env: Mapping[str, Any], files: Sequence[ConfigFile]
) -> Settings:
    """Merge CLI values, environment values and configuration files (highest first)."""
    command_line = [Layer("cli", cli), Layer("env", {k: v for k, v in env.items() if k not in cli})]
    file_layers = [Layer(f.origin, f.options) for f in files]
    merged = merge_layers([*command_line, *file_layers], SETTINGS_SCHEMA.fields)
    pip_layers = [
        *(
            Layer(f.origin, f.options["pip"])
            for f in files
            if isinstance(f.options.get("pip"), dict)
        ),
        *(Layer(f.origin, {k: v for k, v in f.options.items() if k in _PIP_SHARED}) for f in files),
    ]
    pip = PipSettings.from_merged(merge_layers([*command_line, *pip_layers], _PIP_MERGE_FIELDS))
    values = merged.values
    parallelism = _available_parallelism()
    kwargs = _typed_kwargs(Settings, merged, skip=("index", "pip", "raw", "system_certs"))
    kwargs.setdefault("concurrent_builds", parallelism)
    kwargs.setdefault("concurrent_installs", parallelism)
    system_certs = values.get("system-certs", values.get("native-tls", False))
    return Settings(
        **kwargs,
        system_certs=system_certs,
        index=_indexes(merged),
        pip=pip,
        raw=MappingProxyType(values),
        origins=MappingProxyType(merged.origins),
    )


def _available_parallelism() -> int:
    """The number of CPUs this process may use (uv's default build and install concurrency)."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return max(1, len(affinity(0)))
    return os.cpu_count() or 1
