"""What a workspace asks of its lock: the members as local releases, the root requirements, the
lock-level `requires-python`, `[manifest]`, `[options]` and environments, read from the
`pyproject.toml`s and the merged settings as uv reads them for `uv lock`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field
from msgspec.structs import replace
from packaging.requirements import Requirement as PepRequirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from puv.core.errors import PuvError
from puv.core.markers import Marker
from puv.lock.model import (
    DependencyMetadata,
    InlineTable,
    Lock,
    Manifest,
    Metadata,
    Options,
    Source,
    TomlValue,
)
from puv.lock.model import Requirement as LockRequirement
from puv.lock.requires_python import lock_requires_python
from puv.operations.exclude_newer import setting_value
from puv.operations.lock_conflicts import workspace_conflicts
from puv.operations.project_provider import GroupExtras, LocalRelease, local_metadata
from puv.project.dependency import InvalidDependency, parse_dependency
from puv.project.groups import read_dependency_groups
from puv.project.settings import Settings
from puv.project.sources import (
    LoweredMember,
    LoweredRequirement,
    LoweringOptions,
    lower_member,
    lower_workspace_groups,
)
from puv.project.workspace import Member, Workspace
from puv.resolver.conflicts import Conflicts

if TYPE_CHECKING:
    from puv.resolver.universal import SourceScope

__all__ = [
    "DIRECT_SOURCE_KEYS",
    "LocalPackage",
    "LockInputs",
    "SourceRequest",
    "check_environments",
    "check_upgrade_groups",
    "dependency_metadata",
    "lock_metadata",
    "lock_requirement",
    "read_lock_inputs",
    "requirement_text",
    "upgrade_group_packages",
]

#: The lowered source keys of packages that come from neither an index nor the workspace:
#: local source trees, local archives, remote archives and Git repositories.
DIRECT_SOURCE_KEYS = ("directory", "editable", "virtual", "path", "url", "git")


class LocalPackage(Struct, frozen=True):
    """A workspace member as the lock records it: its release for the resolver, its lock
    source and `[package.metadata]`."""

    release: LocalRelease
    source: Source
    metadata: Metadata
    default_groups: TomlValue | None = None


class SourceRequest(Struct, frozen=True):
    """A requirement on `name` from a direct source (`source` holds its lowered keys, one of
    `DIRECT_SOURCE_KEYS`), where `marker` holds; `scope` is where the source applies for the
    universal resolver (the environments, and the declared conflict item of the extra or group
    the requirement belongs to)."""

    name: str
    source: Mapping[str, str]
    marker: Marker = Marker.TRUE
    scope: Marker | None = None

    @property
    def key(self) -> str:
        """The resolver's source key of this source (the same for the same source)."""
        keys = ",".join(f"{key}={value}" for key, value in sorted(self.source.items()))
        return f"direct:{self.name}:{keys}"

    @property
    def kind(self) -> str:
        """`directory`, `editable`, `virtual`, `path`, `url` or `git`."""
        return next(key for key in DIRECT_SOURCE_KEYS if key in self.source)

    @classmethod
    def of(cls, requirement: LoweredRequirement) -> SourceRequest | None:
        """The request a lowered requirement makes, or None (registry, index)."""
        if not any(key in requirement.source for key in DIRECT_SOURCE_KEYS):
            return None
        return cls(requirement.name, dict(requirement.source), requirement.marker)


class LockInputs(Struct, frozen=True):
    """Everything the resolution and the lock file depend on besides the indexes' contents;
    `root` is the workspace root (where the lock lives and relative sources start)."""

    root: Path
    requires_python: str
    members: Mapping[str, LocalPackage]
    root_requirements: tuple[PepRequirement, ...]
    constraints: tuple[PepRequirement, ...]
    overrides: tuple[PepRequirement, ...]
    excludes: frozenset[str]
    environments: tuple[str, ...]
    required_environments: tuple[str, ...]
    manifest: Manifest
    options: Options
    requires_python_defaulted: bool = False
    index_sources: tuple[SourceScope, ...] = ()
    source_requests: tuple[SourceRequest, ...] = ()
    registry_names: frozenset[str] = frozenset()
    lowering: LoweringOptions = field(default_factory=LoweringOptions)
    conflicts: Conflicts = field(default_factory=Conflicts)


def _index_sources(
    requirements: Sequence[LoweredRequirement],
    conflicts: Conflicts,
    groups: Mapping[str, GroupExtras],
) -> tuple[SourceScope, ...]:
    """Where `{ index = ... }` sources send a package: the requirement's environments, and the
    declared conflict item (extra or group) the source is restricted to, if any (uv's
    `ForkScope`: an item outside every declared conflict restricts nothing)."""
    if not any("index" in requirement.source for requirement in requirements):
        return ()
    from puv.operations.project_provider import index_source_key
    from puv.resolver.universal import SourceScope

    scopes = []
    for requirement in requirements:
        url = requirement.source.get("index")
        if url is None:
            continue
        marker = requirement.marker.without_extras()
        if requirement.conflict is not None:
            package, kind, name = requirement.conflict
            extra = groups[package].extra(name) if kind == "group" else name
            item = conflicts.item(package, extra)
            if item is not None:
                marker = marker & item.marker
        scopes.append(SourceScope(requirement.name, marker, index_source_key(url), shown=url))
    return tuple(scopes)


def _member_scope(
    requirement: LoweredRequirement,
    member: str | None,
    group: str | None,
    conflicts: Conflicts,
    groups: Mapping[str, GroupExtras],
) -> Marker:
    """Where a member's direct source applies: its environments, within the declared conflict
    item of the extra or group that requires it (forks that exclude the item do not use it)."""
    marker = requirement.marker.without_extras()
    if member is None:
        return marker
    extra = groups[member].extra(group) if group is not None else None
    if extra is None:
        extra = requirement.marker.top_level_extra_name()
    item = conflicts.item(member, extra) if extra is not None else None
    return marker if item is None else marker & item.marker


def requirement_text(requirement: LoweredRequirement, marker: Marker | None = None) -> str:
    """The PEP 508 text the resolver gets for a lowered requirement (sources stay out: local
    and pinned names are routed by the provider; a direct source drops the specifier, as in
    uv, where such a requirement admits whatever version the source has)."""
    extras = f"[{','.join(requirement.extras)}]" if requirement.extras else ""
    direct = SourceRequest.of(requirement) is not None
    text = f"{requirement.name}{extras}{'' if direct else requirement.specifier or ''}"
    shown = (marker if marker is not None else requirement.marker).to_text()
    return text if shown is None else f"{text} ; {shown}"


def read_lock_inputs(
    workspace: Workspace, settings: Settings, *, default_python: tuple[int, int]
) -> LockInputs:
    """The lock inputs of `workspace` under `settings`; `default_python` is the interpreter's
    major.minor, used (with uv's warning) when no member sets `requires-python`."""
    lowering = LoweringOptions(
        no_sources=settings.no_sources,
        no_sources_packages=frozenset(canonicalize_name(n) for n in settings.no_sources_package),
    )
    specifiers = [
        member.pyproject.requires_python
        for member in workspace.members.values()
        if member.pyproject.requires_python is not None
    ]
    requires_python = lock_requires_python(specifiers)
    defaulted = not specifiers
    if defaulted:
        requires_python = f">={default_python[0]}.{default_python[1]}"
    if requires_python is None:
        raise PuvError("The workspace's `requires-python` values have no version in common")
    check_environments(
        settings.environments or (), settings.required_environments or (), requires_python
    )
    members: dict[str, LocalPackage] = {}
    roots: list[PepRequirement] = []
    # every lowered requirement with the member and group it belongs to (the workspace's own
    # groups: no member), for the scopes of sources
    owned: list[tuple[LoweredRequirement, str | None, str | None]] = []
    for name, member in workspace.members.items():
        lowered = lower_member(workspace, member, lowering)
        package = _local_package(workspace, member, lowered)
        members[name] = package
        owned += [(requirement, name, None) for requirement in lowered.requires_dist]
        owned += [
            (requirement, name, group)
            for group, entries in lowered.requires_dev.items()
            for requirement in entries
        ]
        root = PepRequirement(name)
        root.extras = {
            *lowered.provides_extras,
            *(package.release.groups.extra(group) for group in lowered.requires_dev),
        }
        roots.append(root)
    manifest_groups = lower_workspace_groups(workspace, lowering)
    for entries in manifest_groups.values():
        roots.extend(PepRequirement(requirement_text(entry)) for entry in entries)
        owned += [(entry, None, None) for entry in entries]
    groups = {name: member.release.groups for name, member in members.items()}
    conflicts = workspace_conflicts(workspace, groups)
    requests: list[SourceRequest] = []
    registry_names: set[str] = set()
    for requirement, owner, group in owned:
        request = SourceRequest.of(requirement)
        if request is None:
            registry_names.add(requirement.name)
        elif request.name not in members:
            scope = _member_scope(requirement, owner, group, conflicts, groups)
            requests.append(replace(request, scope=scope))
    constraints = _requirements(settings.constraint_dependencies, "constraint-dependencies")
    overrides = _requirements(settings.override_dependencies, "override-dependencies")
    build_constraints = _requirements(
        settings.build_constraint_dependencies, "build-constraint-dependencies"
    )
    excludes = tuple(canonicalize_name(str(name)) for name in settings.exclude_dependencies)
    single = len(members) == 1 and not workspace.is_non_project
    manifest = Manifest(
        members=() if single else tuple(sorted(members)),
        constraints=tuple(_manifest_requirement(r) for r in constraints),
        overrides=tuple(_manifest_requirement(r) for r in overrides),
        excludes=excludes,
        build_constraints=tuple(_manifest_requirement(r) for r in build_constraints),
        dependency_groups=tuple(
            (group, tuple(lock_requirement(entry.metadata_entry()) for entry in entries))
            for group, entries in manifest_groups.items()
        ),
        dependency_metadata=dependency_metadata(settings),
    )
    return LockInputs(
        root=workspace.root,
        requires_python=requires_python,
        members=members,
        root_requirements=tuple(roots),
        constraints=constraints,
        overrides=overrides,
        excludes=frozenset(excludes),
        environments=tuple(settings.environments or ()),
        required_environments=tuple(settings.required_environments or ()),
        manifest=manifest,
        options=lock_options(settings),
        index_sources=_index_sources([entry for entry, _, _ in owned], conflicts, groups),
        requires_python_defaulted=defaulted,
        source_requests=tuple(requests),
        registry_names=frozenset(registry_names),
        lowering=lowering,
        conflicts=conflicts,
    )


def check_environments(
    environments: Sequence[str], required: Sequence[str], requires_python: str
) -> None:
    """uv's errors for `environments` or `required-environments` markers that overlap (each
    with the next), and for an environment outside `requires-python`."""
    for texts in (environments, required):
        markers = [Marker.parse(text) for text in texts]
        for first, second in pairwise(markers):
            if not first.is_disjoint(second):
                raise PuvError(
                    "Supported environments must be disjoint, but the following markers "
                    f"overlap: `{first.to_text() or 'true'}` and `{second.to_text() or 'true'}`",
                    hint=f"replace `{second.to_text() or 'true'}` with "
                    f"`{(~first & second).to_text() or 'true'}`",
                )
    python = Marker.from_requires_python(requires_python)
    for text in environments:
        marker = Marker.parse(text)
        if python.is_disjoint(marker):
            raise PuvError(
                f"Environment markers `{marker}` don't overlap with Python requirement "
                f"`{requires_python}`"
            )


def _local_package(workspace: Workspace, member: Member, lowered: LoweredMember) -> LocalPackage:
    """The member's release (its requirements, extras and groups as extras) and lock facts."""
    pyproject = member.pyproject
    if pyproject.version is None:
        raise PuvError(
            f"`{member.name}` has a dynamic `project.version`, which `puv lock` cannot read "
            "without building the project yet",
            hint="Set `project.version` statically in its `pyproject.toml`",
        )
    try:
        version = Version(pyproject.version)
    except InvalidVersion:
        raise pyproject.error(
            f"invalid version `{pyproject.version}`", ("project", "version")
        ) from None
    groups = GroupExtras.for_extras(lowered.provides_extras)
    texts = [requirement_text(r) for r in lowered.requires_dist]
    for group, entries in lowered.requires_dev.items():
        group_marker = Marker.parse(f"extra == '{groups.extra(group)}'")
        texts += [requirement_text(entry, entry.marker & group_marker) for entry in entries]
    extras = [*lowered.provides_extras, *(groups.extra(group) for group in lowered.requires_dev)]
    release = LocalRelease(
        member.name,
        version,
        local_metadata(texts, pyproject.requires_python, extras),
        groups,
    )
    default_groups = (pyproject.tool_uv or {}).get("default-groups")
    if default_groups == ["dev"]:  # uv's default: not recorded
        default_groups = None
    return LocalPackage(
        release,
        _member_source(workspace, member),
        lock_metadata(lowered),
        _toml(default_groups) if default_groups is not None else None,
    )


def _member_source(workspace: Workspace, member: Member) -> Source:
    """`editable`, `directory` or `virtual`, at the member's path relative to the root."""
    relative = member.root.relative_to(workspace.root).as_posix() or "."
    required = workspace.required_members.get(member.name)
    if not member.is_package(require_build_system=not workspace.is_required_member(member.name)):
        return Source("virtual", relative)
    return Source("directory" if required is False else "editable", relative)


def lock_metadata(lowered: LoweredMember) -> Metadata:
    """`[package.metadata]` of a local package from its lowered requirements."""
    table = lowered.metadata()
    return Metadata(
        requires_dist=tuple(lock_requirement(e) for e in table.get("requires-dist", ())),
        provides_extras=tuple(table.get("provides-extras", ())),
        requires_dev=tuple(
            (group, tuple(lock_requirement(e) for e in entries))
            for group, entries in table.get("requires-dev", {}).items()
        ),
    )


def lock_requirement(entry: Mapping[str, Any]) -> LockRequirement:
    """A `requires-dist`-style entry (as data) as the lock model holds it."""
    return LockRequirement(
        name=entry["name"],
        extras=tuple(entry.get("extras", ())),
        groups=tuple(entry.get("groups", ())),
        marker=entry.get("marker"),
        source=tuple(
            (key, _toml(value))
            for key, value in entry.items()
            if key not in ("name", "extras", "groups", "marker")
        ),
    )


def _toml(value: Any) -> TomlValue:
    if isinstance(value, Mapping):
        return InlineTable(tuple((key, _toml(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_toml(item) for item in value)
    return value


def _requirements(texts: Sequence[Any], setting: str) -> tuple[PepRequirement, ...]:
    found = []
    for text in texts:
        try:
            found.append(PepRequirement(str(text)))
        except ValueError as error:
            raise PuvError(f"Invalid `{setting}` entry `{text}`", causes=[str(error)]) from None
    return tuple(found)


def _manifest_requirement(requirement: PepRequirement) -> LockRequirement:
    try:
        dependency = parse_dependency(str(requirement))
    except InvalidDependency as error:
        raise PuvError(str(error)) from None
    entry: dict[str, Any] = {"name": dependency.name}
    if dependency.extras:
        entry["extras"] = list(dependency.extras)
    marker = dependency.marker.to_text()
    if marker is not None:
        entry["marker"] = marker
    if dependency.specifier is not None:
        entry["specifier"] = dependency.specifier
    if dependency.url is not None:
        entry["url"] = dependency.url
    return lock_requirement(entry)


def dependency_metadata(settings: Settings) -> tuple[DependencyMetadata, ...]:
    """`[[tool.uv.dependency-metadata]]` as `[[manifest.dependency-metadata]]` records it:
    names, versions, requirements and extras normalized, entries sorted by name and version."""
    entries = []
    for table in settings.dependency_metadata:
        version = table.get("version")
        requires_python = table.get("requires-python")
        extras = table.get("provides-extras", table.get("provides-extra", ()))
        entries.append(
            DependencyMetadata(
                name=canonicalize_name(str(table["name"])),
                version=None if version is None else _normalized_version(str(version)),
                requires_dist=tuple(
                    _requirement_line(str(text), "dependency-metadata")
                    for text in table.get("requires-dist", ())
                ),
                requires_python=None
                if requires_python is None
                else ",".join(part.replace(" ", "") for part in str(requires_python).split(",")),
                provides_extras=tuple(canonicalize_name(str(extra)) for extra in extras),
            )
        )
    return tuple(sorted(entries, key=lambda entry: (entry.name, entry.version or "")))


def _normalized_version(text: str) -> str:
    try:
        return str(Version(text))
    except InvalidVersion:
        raise PuvError(f"Invalid `dependency-metadata` version `{text}`") from None


def _requirement_line(text: str, setting: str) -> str:
    """A requirement as uv prints one: `name[extras]specifier @ url ; marker`, normalized."""
    try:
        dependency = parse_dependency(text)
    except InvalidDependency as error:
        raise PuvError(f"Invalid `{setting}` entry `{text}`", causes=[str(error)]) from None
    line = dependency.name
    if dependency.extras:
        line += f"[{','.join(dependency.extras)}]"
    if dependency.url is not None:
        line += f" @ {dependency.url}"
    elif dependency.specifier is not None:
        line += dependency.specifier
    marker = dependency.marker.to_text()
    return line if marker is None else f"{line} ; {marker}"


def lock_options(settings: Settings) -> Options:
    """`[options]` as uv writes it: only the settings that differ from uv's defaults; a relative
    `exclude-newer` is recorded as its span (beside uv's placeholder timestamp)."""
    exclude_newer = setting_value(settings.exclude_newer)
    packages: list[tuple[str, TomlValue]] = []
    for name, raw in settings.exclude_newer_package.items():
        value = setting_value(raw)
        locked: TomlValue = False
        if value is not None and value.span is None:
            locked = value.locked
        elif value is not None and value.span is not None:
            locked = InlineTable((("timestamp", value.locked), ("span", value.span)))
        packages.append((canonicalize_name(name), locked))
    packages.sort(key=lambda entry: entry[0])
    return Options(
        resolution_mode=None if settings.resolution == "highest" else settings.resolution,
        prerelease_mode=None if settings.prerelease == "if-necessary" else settings.prerelease,
        fork_strategy=None
        if settings.fork_strategy == "requires-python"
        else settings.fork_strategy,
        exclude_newer=None if exclude_newer is None else exclude_newer.locked,
        exclude_newer_span=None if exclude_newer is None else exclude_newer.span,
        exclude_newer_package=tuple(packages),
    )


def check_upgrade_groups(workspace: Workspace, groups: Collection[str]) -> None:
    """uv's error for an `--upgrade-group` that no member (nor a non-project root) defines."""
    known: set[str] = set()
    for member in workspace.members.values():
        known.update(read_dependency_groups(member.pyproject))
    if workspace.is_non_project:
        known.update(read_dependency_groups(workspace.pyproject))
    for group in groups:
        if canonicalize_name(group) in known:
            continue
        single = len(workspace.members) == 1 and not workspace.is_non_project
        where = "the project's" if single else "any project's"
        raise PuvError(f"Group `{group}` is not defined in {where} `dependency-groups` table")


def upgrade_group_packages(lock: Lock, groups: Collection[str]) -> frozenset[str]:
    """The packages `--upgrade-group` upgrades (uv's `UpgradePackages::for_workspace`): those
    each named group depends on directly, in the lock's `[package.dev-dependencies]` and
    `[manifest.dependency-groups]`."""
    wanted = {canonicalize_name(group) for group in groups}
    names: set[str] = set()
    for package in lock.packages:
        for group, dependencies in package.dev_dependencies:
            if group in wanted:
                names.update(dependency.package_id.name for dependency in dependencies)
    for group, requirements in lock.manifest.dependency_groups:
        if group in wanted:
            names.update(requirement.name for requirement in requirements)
    return frozenset(names)
