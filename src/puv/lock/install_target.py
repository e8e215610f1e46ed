"""Which locked packages belong in one environment: uv's `InstallTarget::to_resolution`.

Pure: a `Lock`, the target (the project, some workspace members, the whole workspace), the
environment's markers and the user's selection (extras, dependency groups, `--no-install-*`) in;
the selected packages out, in the order uv visits them. Starting from the roots, the walk follows
each package's dependencies (and the dependencies of the extras asked for), the roots' enabled
dependency groups, and for a non-project workspace root the groups of `[manifest]`; an edge is
followed when its marker holds in the environment, with conflict markers (`extra-N-pkg-x`) read
against the projects, extras and groups the selection activates.

A package reached but excluded by `--no-install-project` and friends is still walked through (its
dependencies are installed) but not installed itself; virtual source trees are never installed.

`locked_dists` says how each selected package is installed (from an index, a URL, a local file,
its source tree or a Git commit) and `locked_file` which of its files (uv's `Package::to_dist`): the
wheel whose tags the interpreter ranks best, else the sdist.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, NamedTuple
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from puv.core.errors import PuvError
from puv.core.wheel_filename import WheelFilename

if TYPE_CHECKING:  # the selection types are built at every sync; the walk's imports only when used
    from puv.core.hashes import HashDigest
    from puv.lock.model import Dependency, Lock, Package, PackageId, Wheel

__all__ = [
    "DependencyGroups",
    "Extras",
    "InstallOptions",
    "InstallTarget",
    "LockedDist",
    "LockedFile",
    "TargetKind",
    "location_url",
    "locked_dists",
    "locked_file",
    "select_packages",
]

TargetKind = Literal["project", "projects", "workspace", "non-project-workspace"]
_DEV = "dev"
_COMMIT = re.compile(r"[0-9a-f]{40}")


class Extras(NamedTuple):
    """uv's `ExtrasSpecification`: `--extra`, `--all-extras`, `--no-extra` (normalized names)."""

    names: tuple[str, ...] = ()
    all: bool = False
    excluded: tuple[str, ...] = ()

    def selected(self, available: Iterable[str]) -> list[str]:
        """The extras of a package (it provides `available`) this selection turns on."""
        if self.all:
            return [extra for extra in available if extra not in self.excluded]
        return [extra for extra in available if extra in self.names]


class DependencyGroups(NamedTuple):
    """uv's `DependencyGroupsWithDefaults`: which dependency groups are enabled.

    `include` is None when every group is (`--all-groups`, or `default-groups = "all"`);
    `without_defaults` is what the flags alone enable (to tell groups enabled only because they
    are defaults); `only` is set by `--only-group`/`--only-dev` (the project's own dependencies
    are then left out); `explicit` lists every group named on the command line.
    """

    include: frozenset[str] | None = frozenset({_DEV})
    exclude: frozenset[str] = frozenset()
    only: bool = False
    without_defaults: frozenset[str] | None = frozenset()
    explicit: tuple[str, ...] = ()

    @classmethod
    def from_flags(
        cls,
        *,
        dev: Literal["include", "exclude", "only"] | None = None,
        group: Iterable[str] = (),
        no_group: Iterable[str] = (),
        only_group: Iterable[str] = (),
        all_groups: bool = False,
        no_default_groups: bool = False,
        defaults: tuple[str, ...] | Literal["all"] = (_DEV,),
    ) -> DependencyGroups:
        """The selection the command-line flags make, with the project's `default-groups`."""
        groups, nos, onlys = list(group), list(no_group), list(only_group)
        explicit = (*groups, *nos, *onlys)
        if dev == "include":
            groups.append(_DEV)
        elif dev == "only":
            onlys.append(_DEV)
        elif dev == "exclude":
            nos.append(_DEV)
        only = bool(onlys)
        named = frozenset(groups) | frozenset(onlys)

        def included(with_defaults: bool) -> frozenset[str] | None:
            if all_groups:
                return None
            if with_defaults and not no_default_groups and not only:
                return None if defaults == "all" else named | frozenset(defaults)
            return named

        return cls(
            include=included(True),
            exclude=frozenset(nos),
            only=only,
            without_defaults=included(False),
            explicit=explicit,
        )

    @property
    def prod(self) -> bool:
        """Whether the roots' own (production) dependencies are installed."""
        return not self.only

    def contains(self, group: str) -> bool:
        """Whether `group` is enabled."""
        if group in self.exclude:
            return False
        return self.include is None or group in self.include

    def contains_because_default(self, group: str) -> bool:
        """Whether `group` is enabled only because it is one of the default groups."""
        if not self.contains(group):
            return False
        return self.without_defaults is not None and group not in self.without_defaults


class InstallOptions(NamedTuple):
    """uv's `InstallOptions`: `--no-install-*` and `--only-install-*`."""

    no_install_project: bool = False
    only_install_project: bool = False
    no_install_workspace: bool = False
    only_install_workspace: bool = False
    no_install_local: bool = False
    only_install_local: bool = False
    no_install_package: frozenset[str] = frozenset()
    only_install_package: frozenset[str] = frozenset()

    def includes(self, package: Package, project_name: str | None, members: frozenset[str]) -> bool:
        """Whether `package` is installed (as opposed to only walked through)."""
        name = package.name
        local = package.source.kind in ("path", "directory", "editable", "virtual")
        is_project = project_name is not None and name == project_name
        if self.only_install_package:
            return name in self.only_install_package
        if self.only_install_local:
            return local
        if self.only_install_workspace:
            return is_project or name in members
        if self.only_install_project:
            return is_project
        if self.no_install_project and is_project:
            return False
        if self.no_install_workspace and (is_project or name in members):
            return False
        if self.no_install_local and local:
            return False
        return name not in self.no_install_package


class InstallTarget(NamedTuple):
    """What to install from the lock (uv's `InstallTarget`).

    `kind` is "project" (one member: `roots` has its name), "projects" (`--package` given more
    than once), "workspace" (`--all-packages`) or "non-project-workspace" (a virtual root).
    `declared_groups` maps each member to the groups its `pyproject.toml` declares (with a
    legacy `tool.uv.dev-dependencies` counting as `dev`); it decides which of the workspace
    root's groups a selected member inherits.
    """

    kind: TargetKind
    roots: tuple[str, ...] = ()
    declared_groups: Mapping[str, frozenset[str]] = MappingProxyType({})

    @property
    def project_name(self) -> str | None:
        """The package `--no-install-project` leaves out (uv's `project_name`)."""
        return self.roots[0] if self.kind == "project" and self.roots else None

    def root_names(self, lock: Lock) -> tuple[str, ...]:
        """The names of the root packages: the selected members, or every member."""
        if self.kind in ("project", "projects"):
            return self.roots
        if self.kind == "non-project-workspace" or lock.manifest.members:
            return lock.manifest.members
        root = lock_root(lock)
        return () if root is None else (root.name,)

    def includes_group(self, package: str | None, group: str, groups: DependencyGroups) -> bool:
        """Whether `package`'s `group` is installed (None: a non-project root's own group)."""
        if not groups.contains(group):
            return False
        if self.kind != "project" or package == self.project_name:
            return True
        if groups.contains_because_default(group):
            return False
        name = self.project_name
        return name is None or group not in self.declared_groups.get(name, frozenset())

    def group_root(self, lock: Lock, groups: DependencyGroups) -> str | None:
        """The workspace root whose groups a selected member inherits, if any."""
        if self.kind != "project":
            return None
        root = lock_root(lock)
        if root is None or root.name == self.project_name:
            return None
        declared = self.declared_groups.get(root.name)
        if declared is None:
            return None
        if any(self.includes_group(root.name, group, groups) for group in sorted(declared)):
            return root.name
        return None


_EVERYTHING = InstallOptions()  # no `--no-install-*` flag


def lock_root(lock: Lock) -> Package | None:
    """The package at the workspace root (`editable = "."` or `virtual = "."`), if any."""
    for package in lock.packages:
        source = package.source
        if source.kind in ("editable", "virtual") and source.location in (".", ""):
            return package
    return None


def select_packages(
    lock: Lock,
    target: InstallTarget,
    environment: Mapping[str, str],
    extras: Extras,
    groups: DependencyGroups,
    options: InstallOptions = _EVERYTHING,
) -> list[Package]:
    """The packages of `lock` to install in an environment with `environment`'s markers, in
    the order uv visits them (virtual source trees and packages `options` leave out excluded).

    Raises `PuvError` when a root is not in the lock, or when an extra or group was asked for
    that no root defines (uv's messages).
    """
    validate_extras(lock, target, extras)
    validate_groups(lock, target, groups)
    return _Walk(lock, target, environment, extras, groups, options).run()


def validate_extras(lock: Lock, target: InstallTarget, extras: Extras) -> None:
    """uv's errors for an `--extra` no root provides."""
    if not extras.names:
        return
    roots = set(target.root_names(lock))
    known = {
        extra
        for package in lock.packages
        if package.name in roots
        for extra in (
            *package.metadata.provides_extras,
            *(name for name, _ in package.optional_dependencies),
        )
    }
    for extra in extras.names:
        if extra not in known:
            if target.kind == "project":
                raise PuvError(
                    f"Extra `{extra}` is not defined in the `optional-dependencies` table for "
                    f"`{target.project_name}`"
                )
            raise PuvError(
                f"Extra `{extra}` is not defined in any project's `optional-dependencies` table"
            )


def validate_groups(lock: Lock, target: InstallTarget, groups: DependencyGroups) -> None:
    """uv's errors for a `--group`, `--no-group` or `--only-group` no root defines."""
    if not groups.explicit:
        return
    roots = set(target.root_names(lock))
    if target.kind == "project":
        root = lock_root(lock)
        if root is not None:
            roots.add(root.name)
    known: set[str] = set()
    for package in lock.packages:
        if package.name in roots:
            known.update(name for name, _ in package.dev_dependencies)
            known.update(name for name, _ in package.metadata.requires_dev)
            known.update(target.declared_groups.get(package.name, ()))
    if target.kind == "non-project-workspace" or not lock_root_is_project(lock):
        known.update(name for name, _ in lock.manifest.dependency_groups)
    for group in groups.explicit:
        if group not in known:
            where = "the project's" if target.kind == "project" else "any project's"
            raise PuvError(f"Group `{group}` is not defined in {where} `dependency-groups` table")


def lock_root_is_project(lock: Lock) -> bool:
    """Whether the workspace root is a project (it has a `[project]` table, so a package)."""
    return lock_root(lock) is not None


# ---------------------------------------------------------------------------------------------


def _encode(kind: str, package: str, name: str | None = None) -> str:
    """A conflict item as uv encodes it in markers: `extra-5-proj-cpu`, `project-4-proj`."""
    prefix = f"{kind}-{len(package)}-{package}"
    return prefix if name is None else f"{prefix}-{name}"


class _Walk:
    """One breadth-first walk of the lock from the target's roots."""

    __slots__ = (
        "activated", "by_id", "environment", "extras", "groups", "install", "lock", "members",
        "options", "queue", "seen", "target",
    )  # fmt: skip

    def __init__(
        self,
        lock: Lock,
        target: InstallTarget,
        environment: Mapping[str, str],
        extras: Extras,
        groups: DependencyGroups,
        options: InstallOptions,
    ) -> None:
        self.lock = lock
        self.target = target
        self.environment = environment
        self.extras = extras
        self.groups = groups
        self.options = options
        self.by_id: dict[PackageId, Package] = {}
        self.install: dict[PackageId, bool] = {}  # selected, in visiting order
        self.queue: deque[tuple[Package, str | None]] = deque()
        self.seen: set[tuple[PackageId, str | None]] = set()
        self.activated: set[str] = set()
        self.members: frozenset[str] = frozenset()

    def run(self) -> list[Package]:
        lock, groups = self.lock, self.groups
        self.by_id = {package.id: package for package in lock.packages}
        self.members = frozenset(lock.manifest.members)
        roots = [self._root(name) for name in self.target.root_names(lock)]
        group_root_name = self.target.group_root(lock, groups)
        group_root = None if group_root_name is None else self._root(group_root_name)
        if lock.conflicts:
            self._activate(roots, group_root)
        entries = [(root, True) for root in roots]
        if group_root is not None:
            entries.append((group_root, False))
        for root, production in entries:
            if production and groups.prod:
                self.install[root.id] = self._installs(root)
                self._queue(root, self.extras.selected(n for n, _ in root.optional_dependencies))
            else:
                self.install.setdefault(root.id, False)
            for group, dependencies in root.dev_dependencies:
                if self.target.includes_group(root.name, group, groups):
                    for dependency in dependencies:
                        self._follow(dependency)
        self._manifest()
        while self.queue:
            package, extra = self.queue.popleft()
            for dependency in self._dependencies(package, extra):
                self._follow(dependency)
        return [
            self.by_id[package_id]
            for package_id, install in self.install.items()
            if install and package_id.source.kind != "virtual"
        ]

    def _root(self, name: str) -> Package:
        found = self.lock.find(name)
        if not found:
            raise PuvError(f"Could not find root package `{name}`")
        if len(found) > 1:
            raise PuvError(f"Found multiple packages matching `{name}`")
        return found[0]

    def _installs(self, package: Package) -> bool:
        return self.options.includes(package, self.target.project_name, self.members)

    def _queue(self, package: Package, extras: Iterable[str]) -> None:
        """Walk `package`'s dependencies, and those of its `extras`, unless already walked."""
        for key in [(package.id, None), *((package.id, extra) for extra in extras)]:
            if key not in self.seen:
                self.seen.add(key)
                self.queue.append((package, key[1]))

    def _activate(self, roots: list[Package], group_root: Package | None) -> None:
        """The conflict items the selection activates: root projects and their chosen extras and
        groups, then (walking everything reachable) the extras dependency edges turn on."""
        pending: deque[tuple[Package, str | None]] = deque()
        for root in roots:
            if self.groups.prod:
                self.activated.add(_encode("project", root.name))
                pending.append((root, None))
                for chosen in self.extras.selected(n for n, _ in root.optional_dependencies):
                    self.activated.add(_encode("extra", root.name, chosen))
                    pending.append((root, chosen))
        edges: list[Dependency] = []
        for root in [*roots, *([group_root] if group_root else [])]:
            for group, dependencies in root.dev_dependencies:
                if self.target.includes_group(root.name, group, self.groups):
                    self.activated.add(_encode("group", root.name, group))
                    edges.extend(dependencies)
        visited: set[tuple[PackageId, str | None]] = set()
        while edges or pending:
            if not edges:
                edges.extend(self._dependencies(*pending.popleft()))
                continue
            dependency = edges.pop(0)
            if not self._holds(dependency):
                continue
            package = self.by_id[dependency.package_id]
            for extra in dependency.extra:
                self.activated.add(_encode("extra", package.name, extra))
            for key in [(package.id, None), *((package.id, e) for e in dependency.extra)]:
                if key not in visited:
                    visited.add(key)
                    pending.append((package, key[1]))

    def _dependencies(self, package: Package, extra: str | None) -> tuple[Dependency, ...]:
        if extra is None:
            return package.dependencies
        for name, dependencies in package.optional_dependencies:
            if name == extra:
                return dependencies
        return ()

    def _holds(self, dependency: Dependency) -> bool:
        if dependency.marker is None:
            return True
        from puv.core.markers import Marker

        return Marker.parse(dependency.marker).evaluate(self.environment, self.activated)

    def _follow(self, dependency: Dependency) -> None:
        """Select the target of an edge whose marker holds, and walk what it brings."""
        if not self._holds(dependency):
            return
        package = self.by_id.get(dependency.package_id)
        if package is None:
            raise PuvError(f"The lockfile has no package `{dependency.package_id.name}`")
        if not self.install.get(package.id, False):
            self.install[package.id] = self._installs(package)
        for extra in dependency.extra:
            self.activated.add(_encode("extra", package.name, extra))
        self._queue(package, dependency.extra)

    def _manifest(self) -> None:
        """The lock's own requirements (a script's) and the groups of a non-project workspace
        root, kept in `[manifest]`."""
        from puv.core.markers import Marker

        manifest = self.lock.manifest
        entries = [(requirement, True) for requirement in manifest.requirements]
        for group, requirements in manifest.dependency_groups:
            if self.target.includes_group(None, group, self.groups):
                entries.extend((requirement, False) for requirement in requirements)
        for requirement, production in entries:
            if requirement.marker is not None and not Marker.parse(requirement.marker).evaluate(
                self.environment
            ):
                continue
            package = self._by_markers(requirement.name)
            if production:
                self.install[package.id] = self.groups.prod and self._installs(package)
            elif package.id not in self.install or not self.groups.prod:
                self.install[package.id] = self._installs(package)
            for extra in requirement.extras:
                self.activated.add(_encode("extra", package.name, extra))
            self._queue(package, requirement.extras)

    def _by_markers(self, name: str) -> Package:
        """The package called `name` whose fork markers hold in the environment."""
        from puv.core.markers import Marker

        matching = [
            package
            for package in self.lock.find(name)
            if not package.resolution_markers
            or any(
                Marker.parse(marker).evaluate(self.environment)
                for marker in package.resolution_markers
            )
        ]
        if not matching:
            raise PuvError(f"Could not find root package `{name}`")
        if len(matching) > 1:
            raise PuvError(f"Found multiple packages matching `{name}`")
        return matching[0]


# --------------------------------------------------------------------------------- files


class LockedDist(NamedTuple):
    """One locked package as the environment should hold it.

    `kind`: "registry" (a wheel from an index, or built from its sdist), "url" (a direct URL),
    "path" (a local wheel or sdist), "tree" (a source tree, built editable or not) or "git" (a
    commit of a Git repository, built); `url` is how uv shows where it comes from (what
    `direct_url.json` records; for Git `git+<repository>@<commit>#subdirectory=<dir>`; None for
    registry packages); `git` is a Git source's `uv.lock` text (`<repository>?<query>#<commit>`).
    """

    name: str
    version: str | None
    kind: Literal["registry", "url", "path", "tree", "git"]
    url: str | None = None
    tree: Path | None = None
    editable: bool = False
    git: str | None = None

    @property
    def display(self) -> str:
        """How uv names it while building: `name==1.0`, or `name @ file:///...`."""
        if self.kind == "registry" and self.version is not None:
            return f"{self.name}=={self.version}"
        return f"{self.name} @ {self.url}"


class LockedFile(NamedTuple):
    """The file a locked package is installed from: a wheel, or (`wheel` None) an sdist to
    build; `location` is an absolute URL, `hashes` what the lock says it hashes to, `size` its
    size in bytes when the lock records it."""

    location: str
    wheel: WheelFilename | None
    hashes: tuple[HashDigest, ...]
    size: int | None = None


def locked_dists(
    packages: Sequence[Package], root: Path, *, no_editable: frozenset[str] | bool = False
) -> list[LockedDist]:
    """How each locked package is installed: from an index, a URL, a local file, its source
    tree (editable unless `no_editable`) or a Git commit; `root` is the workspace root. Raises for
    Git LFS sources, which puv cannot install yet."""
    dists = []
    for package in packages:
        source = package.source
        name, version = package.name, package.version
        if source.kind in ("directory", "editable", "virtual"):
            tree = Path(os.path.normpath(root / source.location))
            editable = source.kind == "editable" and not _named(no_editable, name)
            dists.append(LockedDist(name, version, "tree", tree.as_uri(), tree, editable))
        elif source.kind == "git":
            dists.append(LockedDist(name, version, "git", _git_url(package), git=source.location))
        elif source.kind == "registry":
            dists.append(LockedDist(name, version, "registry"))
        else:
            kind: Literal["url", "path"] = "url" if source.kind == "url" else "path"
            dists.append(LockedDist(name, version, kind, location_url(source.location, root)))
    return dists


def locked_file(
    package: Package,
    dist: LockedDist,
    root: Path,
    rank: Callable[[WheelFilename], int | None],
    *,
    no_binary: bool,
    no_build: bool,
) -> LockedFile | None:
    """The file to install `dist` (the locked `package`) from: the lock's best wheel for the
    interpreter (`rank` orders its tags, None: not installable), else its sdist; None for a
    source tree (always built, even with `--no-build`, as uv does) and a Git commit (built, but
    not with `--no-build`). uv's errors when there is nothing installable (or the flags rule it
    out)."""
    from puv.core.hashes import HashDigest

    if dist.kind == "tree" or (dist.kind == "git" and not no_build):
        return None
    files_root = root
    if package.source.kind == "registry" and "://" not in package.source.location:
        files_root = root / package.source.location  # a local index: its files are relative to it
    if not no_binary:
        best: tuple[int, WheelFilename, str, Wheel] | None = None
        for wheel in package.wheels:
            filename = WheelFilename.parse(wheel.filename)
            order = rank(filename)
            if order is None or (best is not None and order >= best[0]):
                continue
            if wheel.location_kind == "filename":
                location = dist.url or ""
            else:
                location = location_url(wheel.location, files_root)
            best = (order, filename, location, wheel)
        if best is not None:
            _, filename, location, chosen = best
            hashes = (HashDigest.parse(chosen.hash),) if chosen.hash else ()
            return LockedFile(location, filename, hashes, chosen.size)
    sdist = package.sdist
    if sdist is not None and not no_build:
        archive = (
            location_url(sdist.location, files_root) if sdist.location is not None else dist.url
        )
        if archive is not None:
            hashes = (HashDigest.parse(sdist.hash),) if sdist.hash else ()
            return LockedFile(archive, None, hashes, sdist.size)
    if no_binary and no_build:
        reason = "it is marked as both `--no-binary` and `--no-build`"
    elif no_binary:
        reason = "it is marked as `--no-binary` but has no source distribution"
    elif no_build:
        reason = "it is marked as `--no-build` but has no binary distribution"
    elif dist.kind != "registry" and sdist is None:
        reason = "the binary distribution is incompatible with the current platform"
    else:
        reason = "it doesn't have a source distribution or wheel for the current platform"
    raise PuvError(f"Distribution `{_package_id(package)}` can't be installed because {reason}")


def _named(flag: frozenset[str] | bool, name: str) -> bool:
    return flag if isinstance(flag, bool) else name in flag


def _package_id(package: Package) -> str:
    """uv's display of a locked package: `name==1.0 @ registry+https://...`."""
    source = package.source
    kind = {"url": "direct"}.get(source.kind, source.kind)
    location = f"{kind}+{source.location}"
    if package.version is None:
        return f"{package.name} @ {location}"
    return f"{package.name}=={package.version} @ {location}"


def _git_url(package: Package) -> str:
    """A locked Git source as uv names it: `git+<repository>@<commit>#subdirectory=<dir>` (the
    lock's `<repository>?subdirectory=<dir>&tag=<tag>#<commit>`). Raises for Git LFS, and for a
    source without its commit."""
    parts = urlsplit(package.source.location)
    query = dict(parse_qsl(parts.query))
    if not _COMMIT.fullmatch(parts.fragment):
        raise PuvError(
            f"Failed to parse Git URL of `{package.name}` in the lockfile: "
            f"`{package.source.location}`",
            hint="A locked Git source ends with its commit (`#<commit>`); run `puv lock`",
        )
    if query.get("lfs") == "true":
        raise PuvError(
            f"Distribution `{_package_id(package)}` can't be installed because puv cannot "
            "install Git LFS sources yet"
        )
    repository = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    subdirectory = query.get("subdirectory")
    suffix = f"#subdirectory={subdirectory}" if subdirectory else ""
    return f"git+{repository}@{parts.fragment}{suffix}"


def location_url(location: str, root: Path) -> str:
    """A lock location as an absolute URL (a relative path is from `root`, the workspace root
    or, for a local index's files, the index's directory)."""
    if "://" in location:
        return location
    return Path(os.path.normpath(root / location)).as_uri()
