"""`[tool.uv.sources]`: validation and lowering of a member's requirements, as uv does it.

`parse_sources` checks a `pyproject.toml`'s sources table with uv's messages (one of `git`,
`url`, `path`, `index`, `workspace`; conflicting keys; disjoint markers in a list).
`lower_member` turns a member's `dependencies`, `optional-dependencies` and dependency groups
into `LoweredRequirement`s: the requirement the resolver gets (name, specifier, extras, marker,
source) and, through `metadata_entry()`, the `requires-dist` / `requires-dev` entry uv.lock's
`[package.metadata]` holds. A source list whose markers do not cover the whole space leaves a
plain registry requirement for the rest (`marker = not (any source marker)`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import SplitResult, urlencode, urlsplit, urlunsplit

from msgspec import Struct, field

from puv.core.errors import ConfigError, FailureError, PuvError
from puv.core.markers import Marker
from puv.project.dependency import Dependency, InvalidDependency, parse_dependency
from puv.project.groups import DependencyGroup, read_dependency_groups
from puv.project.pyproject import PyProject
from puv.project.settings_schema import Boolean, Kind, SchemaError, Text, normalize_name
from puv.project.toml_read import display_path
from puv.project.workspace import Member, Workspace, discover_workspace

__all__ = [
    "LoweredMember",
    "LoweredRequirement",
    "LoweringOptions",
    "NamedIndex",
    "Source",
    "lower_member",
    "lower_workspace_groups",
    "parse_sources",
]

_KINDS = ("git", "url", "path", "index", "workspace")
_FIELDS = (
    "git", "subdirectory", "rev", "tag", "branch", "lfs", "url", "path", "editable", "package",
    "index", "workspace", "marker", "extra", "group",
)  # fmt: skip
_TEXT = Text()
_FIELD_KINDS: dict[str, Kind] = {"lfs": Boolean(), "editable": Boolean(), "package": Boolean()}
# For each kind, the keys that may not accompany it, in the order uv checks them.
_FORBIDDEN = {
    "git": ("index", "workspace", "url", "editable", "package"),
    "url": ("index", "workspace", "path", "git", "rev", "tag", "branch", "editable", "package"),
    "path": ("index", "workspace", "git", "url", "rev", "tag", "branch"),
    "index": ("workspace", "git", "url", "path", "rev", "tag", "branch", "editable", "package"),
    "workspace": ("index", "git", "url", "path", "rev", "tag", "branch", "package"),
}
_ARCHIVE_SUFFIXES = (
    ".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar.zst",
    ".tar.lz", ".tlz", ".tar.lzma", ".tar",
)  # fmt: skip


class Source(Struct, frozen=True):
    """One validated `tool.uv.sources` entry: its `kind` (`git`, `url`, `path`, `index` or
    `workspace`), the raw `fields`, and its `marker`/`extra`/`group` conditions."""

    kind: str
    fields: Mapping[str, Any]
    marker: Marker = Marker.TRUE
    extra: str | None = None
    group: str | None = None


class LoweredRequirement(Struct, frozen=True):
    """A requirement after `tool.uv.sources`: `source` holds uv.lock's source keys
    (`{}` for the default registry, else one of `index`, `git`, `url` (+`subdirectory`),
    `path`, `directory`, `editable`, `virtual`); `conflict` is `(package, "extra"|"group",
    name)` for an index source restricted to an extra or group."""

    name: str
    specifier: str | None = None
    extras: tuple[str, ...] = ()
    marker: Marker = Marker.TRUE
    source: Mapping[str, str] = field(default_factory=dict)
    conflict: tuple[str, str, str] | None = None

    def metadata_entry(self) -> dict[str, Any]:
        """The entry as uv.lock's `requires-dist` / `requires-dev` writes it (as data)."""
        entry: dict[str, Any] = {"name": self.name}
        if self.extras:
            entry["extras"] = list(self.extras)
        marker = self.marker.to_text()
        if marker is not None:
            entry["marker"] = marker
        if self.specifier is not None and (not self.source or "index" in self.source):
            entry["specifier"] = self.specifier
        entry.update(self.source)
        if self.conflict is not None:
            package, kind, name = self.conflict
            entry["conflict"] = {"package": package, kind: name}
        return entry


class LoweredMember(Struct, frozen=True):
    """A member's lowered `requires-dist` (dependencies, then each extra's, in declaration
    order), its extras (declaration order, as uv writes `provides-extras`), and its lowered
    dependency groups (`requires-dev`, by group name)."""

    name: str
    requires_dist: tuple[LoweredRequirement, ...]
    provides_extras: tuple[str, ...]
    requires_dev: Mapping[str, tuple[LoweredRequirement, ...]]

    def metadata(self) -> dict[str, Any]:
        """`[package.metadata]` as data, `{}` when uv writes no such table; entries stay in
        declaration order (the lock writer sorts them)."""
        if not (self.requires_dist or self.provides_extras or self.requires_dev):
            return {}
        table: dict[str, Any] = {}
        table["requires-dist"] = [entry.metadata_entry() for entry in self.requires_dist]
        if self.provides_extras:
            table["provides-extras"] = list(self.provides_extras)
        if self.requires_dev:
            table["requires-dev"] = {
                group: [entry.metadata_entry() for entry in entries]
                for group, entries in self.requires_dev.items()
            }
        return table


def parse_sources(pyproject: PyProject) -> Mapping[str, tuple[Source, ...]]:
    """The validated `[tool.uv.sources]` of `pyproject`, by normalized package name."""
    table = (pyproject.tool_uv or {}).get("sources") or {}
    parsed: dict[str, tuple[Source, ...]] = {}
    for name, value in table.items():
        entries = value if isinstance(value, list) else [value]
        keys: list[tuple[str | int, ...]] = (
            [("tool", "uv", "sources", name, index) for index in range(len(entries))]
            if isinstance(value, list)
            else [("tool", "uv", "sources", name)]
        )
        sources = tuple(
            _parse_source(pyproject, entry, key) for entry, key in zip(entries, keys, strict=True)
        )
        if isinstance(value, list):
            _check_list(pyproject, sources)
        normalized = normalize_name(name)
        if normalized in parsed:
            raise pyproject.error(
                f"duplicate sources for package `{normalized}`", ("tool", "uv", "sources")
            )
        parsed[normalized] = sources
    return MappingProxyType(parsed)


class NamedIndex(Struct, frozen=True):
    """A named index from outside the project: `origin` is `cli` (`--index name=url`, usable by
    sources) or `project`/`user`/`system` (a `uv.toml`, only named in uv's hint)."""

    name: str
    url: str
    origin: str


class LoweringOptions(Struct, frozen=True):
    """Settings that change lowering: `editable` (default for `{ workspace = true }` packages),
    `no_sources` / `no_sources_packages` (`--no-sources[-package]`) and `indexes` from the CLI
    and `uv.toml` files."""

    editable: bool = True
    no_sources: bool = False
    no_sources_packages: frozenset[str] = frozenset()
    indexes: tuple[NamedIndex, ...] = ()


def lower_member(
    workspace: Workspace, member: Member, options: LoweringOptions | None = None
) -> LoweredMember:
    """Lower `member`'s requirements against the workspace's sources and indexes.

    Problems are uv's `Failed to build `<name> @ <url>`` errors (exit code 1); a requirement
    that is not PEP 508 is uv's `Failed to parse: pyproject.toml`.
    """
    lowering = _Lowering(workspace, member.pyproject, options or LoweringOptions())
    pyproject = member.pyproject
    dependencies = [
        _parse_requirement(pyproject, text, ("project", "dependencies", index))
        for index, text in enumerate(pyproject.dependencies)
    ]
    extras = tuple(
        dict.fromkeys(normalize_name(extra) for extra in pyproject.optional_dependencies)
    )
    for extra, texts in pyproject.optional_dependencies.items():
        extra_marker = Marker.parse(f"extra == '{normalize_name(extra)}'")
        for index, text in enumerate(texts):
            keys = ("project", "optional-dependencies", extra, index)
            dependency = _parse_requirement(pyproject, text, keys)
            dependencies.append(dependency.with_marker(dependency.marker & extra_marker))
    groups = read_dependency_groups(pyproject)
    lowering.validate_conditions(dependencies, extras, groups)
    requires_dev = {
        group.name: tuple(
            lowered
            for dependency in group.requirements
            for lowered in lowering.lower(dependency, group=group.name)
        )
        for group in groups.values()
    }
    requires_dist = [
        lowered for dependency in dependencies for lowered in lowering.lower(dependency)
    ]
    return LoweredMember(member.name, tuple(requires_dist), extras, MappingProxyType(requires_dev))


def lower_workspace_groups(
    workspace: Workspace, options: LoweringOptions | None = None
) -> Mapping[str, tuple[LoweredRequirement, ...]]:
    """A non-project root's dependency groups, lowered as uv.lock's `[manifest.dependency-groups]`
    holds them (empty when the root is itself a member, whose groups are its own)."""
    if not workspace.is_non_project:
        return MappingProxyType({})
    lowering = _Lowering(workspace, workspace.pyproject, options or LoweringOptions())
    return MappingProxyType(
        {
            group.name: tuple(
                lowered
                for dependency in group.requirements
                for lowered in lowering.lower(dependency)
            )
            for group in read_dependency_groups(workspace.pyproject).values()
        }
    )


def _parse_requirement(pyproject: PyProject, text: str, keys: tuple[str | int, ...]) -> Dependency:
    try:
        return parse_dependency(text)
    except InvalidDependency as error:
        raise pyproject.error(str(error), keys) from None


class _Lowering:
    """The state one member's lowering needs."""

    def __init__(
        self, workspace: Workspace, pyproject: PyProject, options: LoweringOptions
    ) -> None:
        self.workspace = workspace
        self.pyproject = pyproject
        self.name = pyproject.normalized_name
        self.directory = pyproject.directory
        self.options = options
        self.project_sources = parse_sources(pyproject)
        self.workspace_sources = parse_sources(workspace.pyproject)

    def validate_conditions(
        self,
        dependencies: Sequence[Dependency],
        extras: Sequence[str],
        groups: Mapping[str, DependencyGroup],
    ) -> None:
        """uv's errors for a source whose `extra`/`group` the project does not use."""
        for name, sources in self.project_sources.items():
            for source in sources:
                if source.extra is not None:
                    self._check_extra(name, source.extra, dependencies, extras)
                if source.group is not None:
                    self._check_group(name, source.group, groups)

    def _check_extra(
        self, name: str, extra: str, dependencies: Sequence[Dependency], extras: Sequence[str]
    ) -> None:
        tail = (
            f'When an extra is present on a source (e.g., `extra = "{extra}"`), the relevant '
            "package must be included in the `project.optional-dependencies` section for that "
            f'extra (e.g., `project.optional-dependencies = {{ "{extra}" = ["{name}"] }}`).'
        )
        head = f"Source entry for `{name}` only applies to extra `{extra}`, but"
        if extra not in extras:
            raise self._failure(f"{head} the `{extra}` extra does not exist. {tail}")
        if not any(
            dependency.name == name and dependency.marker.top_level_extra_name() == extra
            for dependency in dependencies
        ):
            raise self._failure(
                f"{head} `{name}` was not found under the `project.optional-dependencies` "
                f"section for that extra. {tail}"
            )

    def _check_group(self, name: str, group: str, groups: Mapping[str, DependencyGroup]) -> None:
        tail = (
            f'When a group is present on a source (e.g., `group = "{group}"`), the relevant '
            "package must be included in the `dependency-groups` section for that extra "
            f'(e.g., `dependency-groups = {{ "{group}" = ["{name}"] }}`).'
        )
        head = f"Source entry for `{name}` only applies to dependency group `{group}`, but"
        if group not in groups:
            raise self._failure(f"{head} the `{group}` group does not exist. {tail}")
        if not any(dependency.name == name for dependency in groups[group].requirements):
            raise self._failure(
                f"{head} `{name}` was not found under the `dependency-groups` section for that "
                f"group. {tail}"
            )

    def lower(
        self, dependency: Dependency, *, group: str | None = None
    ) -> list[LoweredRequirement]:
        """`dependency` lowered (a dependency group's entry when `group` is given)."""
        name = dependency.name
        if self.options.no_sources or name in self.options.no_sources_packages:
            return [_plain(dependency)]
        try:
            if group is not None:
                return self._lower(dependency, group=group)
            return self._lower(dependency, extra=dependency.marker.top_level_extra_name())
        except PuvError as error:
            entry = "entry" if group is None else f"entry in group `{group}`"
            raise self._failure(
                f"Failed to parse {entry}: `{name}`", error.message, hint=error.hint
            ) from None

    def _lower(
        self, dependency: Dependency, *, extra: str | None = None, group: str | None = None
    ) -> list[LoweredRequirement]:
        """uv's `LoweredRequirement::from_requirement`: one requirement per applicable source,
        plus the plain requirement for the part of the marker space no source covers."""
        name = dependency.name
        if name in self.project_sources:
            sources, base = self.project_sources[name], self.directory
        elif name in self.workspace_sources:
            sources, base = self.workspace_sources[name], self.workspace.root
        else:
            sources, base = None, self.directory
        if sources is not None:
            sources = tuple(
                source
                for source in sources
                if (source.extra is None or source.extra == extra)
                and (source.group is None or source.group == group)
            )
        if name in self.workspace.members and name != self.name:
            _check_workspace_member(name, sources)
        if sources is None:
            return [_plain(dependency)]
        covered = Marker.FALSE
        for source in sources:
            covered = covered | source.marker
        lowered = [
            LoweredRequirement(
                name,
                dependency.specifier,
                dependency.extras,
                source.marker & dependency.marker,
                self._source(name, source, base),
                self._conflict(source),
            )
            for source in sources
        ]
        remaining = _plain(dependency.with_marker(~covered & dependency.marker))
        return [entry for entry in [*lowered, remaining] if not entry.marker.is_false()]

    def _conflict(self, source: Source) -> tuple[str, str, str] | None:
        if source.kind != "index" or self.name is None:
            return None
        if source.extra is not None:
            return (self.name, "extra", source.extra)
        if source.group is not None:
            return (self.name, "group", source.group)
        return None

    def _source(self, name: str, source: Source, base: Path) -> Mapping[str, str]:
        fields = source.fields
        if source.kind == "git":
            return {"git": _git_url(fields)}
        if source.kind == "url":
            return _url_source(name, fields)
        if source.kind == "index":
            return {"index": self._index_url(name, fields["index"])}
        if source.kind == "path":
            return self._path_source(
                fields["path"], base, fields.get("editable"), fields.get("package")
            )
        return self._workspace_source(name, fields, base)

    def _index_url(self, package: str, index_name: str) -> str:
        for named in self.options.indexes:
            if named.origin == "cli" and named.name == index_name:
                return _index_location(named.url, Path.cwd())
        for pyproject in (self.pyproject, self.workspace.pyproject):
            for index in _indexes(pyproject):
                if index.get("name") == index_name and isinstance(index.get("url"), str):
                    return _index_location(index["url"], pyproject.directory)
        places = {
            "project": "a project-level `uv.toml`",
            "user": "a user-level `uv.toml`",
            "system": "a system-level `uv.toml`",
        }
        hint = next(
            (
                f"Index `{index_name}` was found in {places[named.origin]}, but indexes "
                "referenced via `tool.uv.sources` must be defined in the project's "
                "`pyproject.toml`"
                for named in self.options.indexes
                if named.name == index_name and named.origin in places
            ),
            None,
        )
        raise PuvError(
            f"Package `{package}` references an undeclared index: `{index_name}`", hint=hint
        )

    def _workspace_source(
        self, name: str, fields: Mapping[str, Any], base: Path
    ) -> Mapping[str, str]:
        reference = fields["workspace"]
        if reference is False:
            raise PuvError("`workspace = false` is not yet supported")
        if reference is not True:
            return self._other_workspace_source(name, str(reference), base, fields.get("editable"))
        member = self.workspace.members.get(name)
        if member is None:
            raise _undeclared_workspace_package(name)
        required = self.workspace.required_members.get(name)
        is_package = member.is_package(
            require_build_system=not self.workspace.is_required_member(name)
        )
        editable = (
            (self.options.editable if required is None else required) if is_package else False
        )
        return self._directory(member.root, editable=editable, package=is_package, given=None)

    def _other_workspace_source(
        self, name: str, path: str, base: Path, editable: bool | None
    ) -> Mapping[str, str]:
        """`{ workspace = "<path>" }`: a member of the workspace rooted at `path`."""
        workspace_path = Path(os.path.normpath(base / path))
        target = discover_workspace(workspace_path)
        if target.root != workspace_path:
            raise PuvError(
                f"Workspace source path `{workspace_path}` must point to a workspace root "
                f"(found workspace at `{target.root}`)"
            )
        member = target.members.get(name)
        if member is None:
            raise _undeclared_workspace_package(name)
        is_package = member.is_package(require_build_system=False)
        editable = (True if editable is None else editable) if is_package else False
        given = os.path.relpath(member.root, base) if not os.path.isabs(path) else str(member.root)
        return self._directory(member.root, editable=editable, package=is_package, given=given)

    def _path_source(
        self, path: str, base: Path, editable: bool | None, package: bool | None
    ) -> Mapping[str, str]:
        install_path = Path(os.path.normpath(base / path))
        if install_path.is_dir() or (not install_path.exists() and not install_path.suffix):
            return self._directory(install_path, editable=editable, package=package, given=path)
        url = install_path.as_uri()
        if editable is True:
            raise PuvError(
                f"Source with `editable = true` must refer to a local directory, not a file: {url}"
            )
        if package is True:
            raise PuvError(
                f"Source with `package = true` must refer to a local directory, not a file: {url}"
            )
        return {"path": self._written(install_path, path)}

    def _directory(
        self, install_path: Path, *, editable: bool | None, package: bool | None, given: str | None
    ) -> Mapping[str, str]:
        written = self._written(install_path, given)
        if editable is True:
            return {"editable": written}
        if package is None:
            package = _directory_is_package(install_path)
        return {"virtual": written} if not package else {"directory": written}

    def _written(self, install_path: Path, given: str | None) -> str:
        """The path as uv.lock writes it: relative to the workspace root with `/`, unless the
        user wrote it absolute."""
        if given is not None and os.path.isabs(given):
            return install_path.as_posix()
        return Path(os.path.relpath(install_path, self.workspace.root)).as_posix()

    def _failure(self, *causes: str, hint: str | None = None) -> FailureError:
        if self.name is None:
            return FailureError(causes[0], causes=causes[1:], hint=hint)
        return FailureError(
            f"Failed to build `{self.name} @ {self.directory.as_uri()}`",
            causes=list(causes),
            hint=hint,
        )


def _undeclared_workspace_package(name: str) -> PuvError:
    return PuvError(
        f"`{name}` references a workspace in `tool.uv.sources` (e.g., "
        f"`{name} = {{ workspace = true }}`), but is not a workspace member"
    )


def _check_workspace_member(name: str, sources: tuple[Source, ...] | None) -> None:
    if sources is None:
        raise PuvError(
            f"`{name}` is included as a workspace member, but is missing an entry in "
            f"`tool.uv.sources` (e.g., `{name} = {{ workspace = true }}`)"
        )
    kinds = {"git": "Git", "url": "URL", "path": "path", "index": "registry"}
    for source in sources:
        if source.kind in kinds:
            raise PuvError(
                f"`{name}` is included as a workspace member, but references a "
                f"{kinds[source.kind]} in `tool.uv.sources`. Workspace members must be declared "
                f"as workspace sources (e.g., `{name} = {{ workspace = true }}`)."
            )
        if source.fields.get("workspace") is not True:
            raise PuvError(
                f"`{name}` is included as a workspace member, but does not use "
                "`workspace = true` in `tool.uv.sources`"
            )


def _plain(dependency: Dependency) -> LoweredRequirement:
    """`dependency` without `tool.uv.sources`; a PEP 508 `name @ url` keeps its URL source."""
    source = {} if dependency.url is None else _direct_url_source(dependency.url)
    return LoweredRequirement(
        dependency.name, dependency.specifier, dependency.extras, dependency.marker, source
    )


def _direct_url_source(url: str) -> dict[str, str]:
    """uv.lock's source keys for a PEP 508 direct URL (`git+`, `file://` or an archive URL)."""
    parts = urlsplit(url)
    fragment = dict(pair.split("=", 1) for pair in parts.fragment.split("&") if "=" in pair)
    if parts.scheme.startswith("git+"):
        repository, _, reference = parts.path.partition("@")
        fields = {"git": urlunsplit((parts.scheme, parts.netloc, repository, parts.query, ""))}
        if reference:
            fields["rev"] = reference
        if "subdirectory" in fragment:
            fields["subdirectory"] = fragment["subdirectory"]
        return {"git": _git_url(fields)}
    if parts.scheme == "file":
        from urllib.request import url2pathname  # pulls http.client and ssl

        local = Path(url2pathname(parts.path))
        if local.is_dir() or (not local.exists() and not local.suffix):
            return {"directory": local.as_posix()}
        return {"path": local.as_posix()}
    source = {"url": urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))}
    if "subdirectory" in fragment:
        source["subdirectory"] = fragment["subdirectory"]
    return source


def _git_url(fields: Mapping[str, Any]) -> str:
    """The `git = "<repo>?subdirectory=..&rev=.."` text uv.lock writes for a Git source."""
    repository = str(fields["git"]).removeprefix("git+")
    parts = urlsplit(repository)
    query: list[tuple[str, str]] = []
    if fields.get("path") is not None:
        query.append(("path", str(fields["path"])))
    if fields.get("subdirectory") is not None:
        query.append(("subdirectory", str(fields["subdirectory"])))
    if fields.get("lfs") is True and fields.get("path") is None:
        query.append(("lfs", "true"))
    for key in ("branch", "tag", "rev"):
        if fields.get(key) is not None:
            query.append((key, str(fields[key])))
    if fields.get("lfs") is True and fields.get("path") is not None:
        query.append(("lfs", "true"))
    netloc = _netloc_without_credentials(parts)
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))


def _netloc_without_credentials(parts: SplitResult) -> str:
    """The URL's host part without `user:password@`, keeping SSH's conventional `git@`."""
    is_git_user = parts.username == "git" and parts.password is None
    if is_git_user and parts.scheme in ("ssh", "git+ssh", "git+https"):
        return parts.netloc
    return parts.netloc.rsplit("@", 1)[-1]


def _url_source(name: str, fields: Mapping[str, Any]) -> Mapping[str, str]:
    url = str(fields["url"])
    parts = urlsplit(url)
    if parts.fragment:
        raise PuvError(f"Fragments are not allowed in URLs: {url}")
    path = parts.path.lower()
    if not path.endswith(_ARCHIVE_SUFFIXES):
        segments = [segment for segment in parts.path.split("/") if segment]
        if path.endswith(".git") or (
            parts.hostname in ("github.com", "gitlab.com") and len(segments) == 2
        ):
            raise PuvError(
                f"`{name}` is associated with a URL source, but references a Git repository. "
                f'Consider using a Git source instead (e.g., `{name} = {{ git = "{url}" }}`)'
            )
        raise PuvError(f"Expected direct URL (`{url}`) to end in a supported file extension")
    source = {"url": url}
    if fields.get("subdirectory") is not None:
        source["subdirectory"] = str(fields["subdirectory"])
    return source


def _index_location(url: str, base: Path) -> str:
    """An index URL as uv.lock writes it: credentials removed, local paths as `file://` URLs."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https", "file"):
        netloc = _netloc_without_credentials(parts)
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return Path(os.path.normpath(base / url)).as_uri()


def _indexes(pyproject: PyProject) -> list[Mapping[str, Any]]:
    entries = (pyproject.tool_uv or {}).get("index")
    return (
        [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []
    )


def _directory_is_package(directory: Path) -> bool:
    """uv's guess for a path dependency without `package`: `tool.uv.package` if set, else true."""
    import tomllib

    try:
        data = tomllib.loads((directory / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True
    explicit = data.get("tool", {}).get("uv", {}).get("package")
    return explicit if isinstance(explicit, bool) else True


def _parse_source(pyproject: PyProject, entry: Any, keys: tuple[str | int, ...]) -> Source:
    if not isinstance(entry, dict):
        raise pyproject.error(
            "invalid type: expected a single source (as a map) or list of sources", keys
        )
    for key in entry:
        if key not in _FIELDS:
            expected = ", ".join(f"`{field}`" for field in _FIELDS)
            raise pyproject.error(
                f"unknown field `{key}`, expected one of {expected}", (*keys, key), at="key"
            )
    for key, value in entry.items():
        kind_of_value = _FIELD_KINDS.get(key, _TEXT)
        if key == "workspace" and isinstance(value, bool):
            continue
        try:
            kind_of_value.check(value, (*keys, key))
        except SchemaError as error:
            raise pyproject.error(error.message, error.keys, at=error.at) from None
    if "extra" in entry and "group" in entry:
        raise pyproject.error("cannot specify both `extra` and `group`", keys)
    kind = next((kind for kind in _KINDS if kind in entry), None)
    if kind is None:
        raise pyproject.error("expected one of `git`, `url`, `path`, `index`, or `workspace`", keys)
    for other in _FORBIDDEN[kind]:
        if other in entry:
            raise pyproject.error(f"cannot specify both `{kind}` and `{other}`", keys)
    if kind == "git":
        if "subdirectory" in entry and "path" in entry:
            raise pyproject.error("cannot specify both `subdirectory` and `path`", keys)
        if sum(key in entry for key in ("rev", "tag", "branch")) > 1:
            raise pyproject.error("expected at most one of `rev`, `tag`, or `branch`", keys)
    if kind == "path" and entry.get("editable") is True and entry.get("package") is False:
        raise pyproject.error("cannot specify both `editable = true` and `package = false`", keys)
    marker = Marker.TRUE
    if "marker" in entry:
        try:
            marker = Marker.parse(str(entry["marker"]))
        except PuvError as error:
            raise pyproject.error(str(error), (*keys, "marker")) from None
    extra, group = entry.get("extra"), entry.get("group")
    return Source(
        kind,
        MappingProxyType(dict(entry)),
        marker,
        None if extra is None else normalize_name(extra),
        None if group is None else normalize_name(group),
    )


def _check_list(pyproject: PyProject, sources: Sequence[Source]) -> None:
    def failure(message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(
            f"Failed to parse: {display_path(pyproject.path)}",
            causes=["Failed to parse `tool.uv.sources`", message],
            hint=hint,
        )

    for left, right in pairwise(sources):
        if left.extra != right.extra or left.group != right.group:
            continue
        if left.marker.is_disjoint(right.marker):
            continue
        left_text, right_text = left.marker.to_text(), right.marker.to_text()
        if left_text is None or right_text is None:
            raise failure(
                "When multiple sources are provided, each source must include a platform marker "
                "(e.g., `marker = \"sys_platform == 'linux'\"`)"
            )
        replacement = (~left.marker & right.marker).to_text() or "true"
        raise failure(
            "Source markers must be disjoint, but the following markers overlap: "
            f"`{left_text}` and `{right_text}`.",
            f"replace `{right_text}` with `{replacement}`",
        )
    if not sources:
        raise failure("Must provide at least one source")
