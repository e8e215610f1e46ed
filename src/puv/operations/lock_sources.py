"""Packages a lock takes from direct sources: local source trees that are not workspace members
(`directory`, `editable`, `virtual`), local archives (`path`), remote archives (`url`) and Git
repositories (`git`), whether named in `[tool.uv.sources]` or as PEP 508 direct references.

Each becomes a single release the resolver is offered under its name (`ProjectProvider` serves it
before any index), with what uv.lock records for it:

- a source tree's metadata comes from its `pyproject.toml` when that is static (PEP 621 with no
  dynamic `version`, `dependencies`, `optional-dependencies` or `requires-python`), else from
  the build backend (`build_metadata_for`, cached by the tree's `pyproject.toml`/`setup.py`/
  `setup.cfg` modification times); its requirements are lowered with its own
  `[tool.uv.sources]` (paths written relative to the lock's root), its dependency groups kept
  for `[package.metadata.requires-dev]`; a dynamic version is left out of the lock;
- an archive is hashed (`sha256`), a remote one downloaded once into the cache; a wheel's
  metadata is read from its `.dist-info`, an sdist's from its build backend;
- a Git reference is resolved to a commit (or the commit the existing lock pinned) and the
  commit's tree read like a source tree; Git packages carry no `[package.metadata]`, as the
  commit is immutable.

Requirements of these packages on further direct sources are followed; two different sources for
one name are uv's `conflicting URLs` error.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import os
import shutil
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from puv.cache.file_digest import file_sha256
from puv.core.errors import FailureError, PuvError
from puv.lock.model import Lock, Metadata, Package, Sdist, Source, Wheel
from puv.operations.context import Context
from puv.operations.direct_releases import local_wheel_metadata, url_archive_path
from puv.operations.git import GitCheckouts, GitError, GitReference, GitUrl, project_directory
from puv.operations.lock_inputs import (
    SourceRequest,
    lock_metadata,
    requirement_text,
)
from puv.operations.project_provider import GroupExtras, LocalRelease, local_metadata
from puv.project.dependency import InvalidDependency, parse_dependency
from puv.project.pyproject import PyProject, read_pyproject
from puv.project.sources import LoweredMember, LoweredRequirement, LoweringOptions, lower_member
from puv.project.workspace import Member, Workspace, WorkspaceError, discover_workspace

if TYPE_CHECKING:
    from puv.core.markers import Marker
    from puv.index.client import HttpClient
    from puv.python.interpreter import Interpreter

__all__ = ["GitPins", "SourceLocker", "SourcedPackage", "SourcedPackages", "git_pins"]

#: The commit each (repository, reference) of an existing lock was resolved to.
GitPins = Mapping[tuple[str, GitReference], str]

_TREE_KINDS = ("directory", "editable", "virtual")
_DYNAMIC_FIELDS = ("version", "dependencies", "optional-dependencies", "requires-python")
_CACHE_KEY_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


class SourcedPackage(Struct, frozen=True):
    """A package from a direct source: its release for the resolver, its lock `source`,
    `[package.metadata]`, archives (`sdist`/`wheels` with their hashes) and whether its version
    is dynamic (left out of the lock); `requests` are the direct sources its own requirements
    name; `display` is how uv's messages name it (`name @ file:///...`)."""

    release: LocalRelease
    source: Source
    metadata: Metadata = field(default_factory=Metadata)
    dynamic: bool = False
    sdist: Sdist | None = None
    wheels: tuple[Wheel, ...] = ()
    requests: tuple[SourceRequest, ...] = ()
    display: str = ""

    @property
    def locked_version(self) -> str | None:
        """The version uv.lock records (None for a dynamic source tree)."""
        return None if self.dynamic else str(self.release.version)


class SourcedPackages(Struct):
    """The packages of direct sources by source key (`SourceRequest.key`), with where each
    applies (`scopes`: the union of its requests' scopes), how uv's messages show it, and the
    keys of each name in the order they were found."""

    packages: dict[str, SourcedPackage] = field(default_factory=dict)
    scopes: dict[str, Marker] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)
    names: dict[str, list[str]] = field(default_factory=dict)

    def routed(self, registry_names: Collection[str]) -> set[str]:
        """The names the resolver must route per environment: with several sources, or also
        required from an index (uv uses each source only where it applies)."""
        return {
            name for name, keys in self.names.items() if len(keys) > 1 or name in registry_names
        }

    def find(self, name: str, origin: str | None, routed: Collection[str]) -> SourcedPackage | None:
        """The package a resolved `name` from `origin` is (None: from an index)."""
        if origin is not None:
            return self.packages.get(origin)
        keys = self.names.get(name)
        if keys is None or name in routed:
            return None
        return self.packages[keys[0]]


class _Distribution(Struct, frozen=True):
    """What a source declares: name, version, `requires-python`, and its lowered requirements,
    extras and dependency groups."""

    name: str
    version: Version
    requires_python: str | None
    lowered: LoweredMember
    dynamic: bool = False


def git_pins(lock: Lock, upgraded: Collection[str] = ()) -> GitPins:
    """The Git commits `lock` resolved each reference to, except for `upgraded` packages."""
    pins: dict[tuple[str, GitReference], str] = {}
    for package in lock.packages:
        if package.source.kind != "git" or package.name in upgraded:
            continue
        url = GitUrl.parse(package.source.location)
        if url.precise is not None:
            pins[(url.repository, url.reference)] = url.precise
    return pins


class SourceLocker:
    """Loads the packages direct sources name (see the module docstring).

    `root` is the lock's workspace root (relative source paths start there), `lowering` the
    options the workspace was lowered with, `client` makes the HTTP client for remote archives
    (called once, when one is first downloaded), `pins` the commits an existing lock chose for
    Git references.
    """

    def __init__(
        self,
        ctx: Context,
        interpreter: Interpreter,
        root: Path,
        lowering: LoweringOptions,
        *,
        client: Callable[[], HttpClient] | None = None,
        pins: GitPins | None = None,
    ) -> None:
        self.ctx = ctx
        self.interpreter = interpreter
        self.root = root
        self.lowering = lowering
        self.pins = pins or {}
        self._connect = client
        self._client: HttpClient | None = None
        self._git: GitCheckouts | None = None

    def collect(
        self, requests: Iterable[SourceRequest], members: Collection[str], world: Marker
    ) -> SourcedPackages:
        """Every package `requests` reach (their own direct-source requirements included);
        workspace members are left to the caller. One name may have several sources where
        they apply in different environments (`world`: what the declared conflicts imply)."""
        queue = list(requests)
        found = SourcedPackages()
        chosen: dict[str, list[SourceRequest]] = {}
        while queue:
            request = queue.pop(0)
            if request.name in members:
                continue
            scope = request.scope if request.scope is not None else request.marker.without_extras()
            key = request.key
            earlier = chosen.setdefault(request.name, [])
            for other in earlier:
                if other.key != key and not (scope & world).is_disjoint(found.scopes[other.key]):
                    raise self._conflict(other, request)
            if key in found.packages:
                found.scopes[key] = found.scopes[key] | scope
                continue
            earlier.append(request)
            package = self.load(request)
            found.packages[key] = package
            found.scopes[key] = scope
            found.shown[key] = self._display(request)
            found.names.setdefault(request.name, []).append(key)
            queue.extend(package.requests)
        return found

    def load(self, request: SourceRequest) -> SourcedPackage:
        """The package `request` names."""
        kind = request.kind
        if kind in _TREE_KINDS:
            return self._tree(request, kind)
        if kind == "path":
            return self._local_archive(request)
        if kind == "url":
            return self._remote_archive(request)
        return self._git_package(request)

    def current(self, package: Package) -> SourcedPackage | None:
        """What the direct source of a locked (non-member) package declares now, to compare with
        the lock; None for a source that is not re-read (registry, Git, a URL while offline)."""
        source = package.source
        if source.kind in ("registry", "git"):
            return None
        if source.kind == "url" and self.ctx.offline:
            return None
        keys = {source.kind: source.location}
        if source.subdirectory is not None:
            keys["subdirectory"] = source.subdirectory
        return self.load(SourceRequest(package.name, keys))

    # ---- kinds

    def _tree(self, request: SourceRequest, kind: str) -> SourcedPackage:
        written = request.source[kind]
        directory = self._local_path(written)
        if not directory.is_dir():
            raise self._not_found(request.name, directory)
        distribution = self._tree_distribution(request.name, directory, boundary=None)
        return self._package(
            distribution,
            Source(kind, written),
            f"{request.name} @ {directory.as_uri()}",
            metadata=lock_metadata(distribution.lowered),
            dynamic=distribution.dynamic,
        )

    def _local_archive(self, request: SourceRequest) -> SourcedPackage:
        written = request.source["path"]
        archive = self._local_path(written)
        if not archive.is_file():
            raise self._not_found(request.name, archive)
        display = f"{request.name} @ {archive.as_uri()}"
        return self._archive(request.name, archive, Source("path", written), display, None)

    def _remote_archive(self, request: SourceRequest) -> SourcedPackage:
        url = request.source["url"]
        subdirectory = request.source.get("subdirectory")
        archive = self._download(url)
        display = f"{request.name} @ {url}"
        return self._archive(request.name, archive, Source("url", url, subdirectory), display, url)

    def _archive(
        self, name: str, archive: Path, source: Source, display: str, url: str | None
    ) -> SourcedPackage:
        """A wheel or sdist at `archive` (downloaded from `url` when given)."""
        digest = f"sha256:{file_sha256(archive)}"
        if archive.name.endswith(".whl"):
            data = local_wheel_metadata(archive)
            wheel = Wheel("url", url, digest) if url else Wheel("filename", archive.name, digest)
            distribution = _core_distribution(name, data, display)
            return self._package(
                distribution,
                source,
                display,
                metadata=lock_metadata(distribution.lowered),
                wheels=(wheel,),
            )
        distribution = self._sdist_distribution(name, archive, source.subdirectory, display)
        return self._package(
            distribution,
            source,
            display,
            metadata=lock_metadata(distribution.lowered),
            sdist=Sdist(None, None, digest),
        )

    def _git_package(self, request: SourceRequest) -> SourcedPackage:
        text = request.source["git"]
        url = GitUrl.parse(text)
        checkouts = self._checkouts()
        try:
            pinned = self.pins.get((url.repository, url.reference))
            commit = checkouts.resolve(replace(url, precise=pinned))
            checkout = checkouts.checkout(url, commit)
        except GitError as error:
            raise FailureError(
                f"Failed to download and build `{url.requirement_display(request.name)}`",
                causes=[error.message, *error.causes],
            ) from None
        display = url.requirement_display(request.name)
        directory = project_directory(checkout, url.subdirectory, display)
        distribution = self._tree_distribution(request.name, directory, boundary=checkout)
        local = [r for r in distribution.lowered.requires_dist if _is_local(r.source)]
        if local:
            raise PuvError(
                f"`{request.name}` from `{url.repository}` depends on `{local[0].name}` through a "
                "local path source, which `puv lock` does not support inside Git repositories yet"
            )
        return self._package(distribution, Source("git", f"{text}#{commit}"), display)

    # ---- metadata

    def _tree_distribution(
        self, name: str, directory: Path, boundary: Path | None
    ) -> _Distribution:
        """A source tree's metadata: static from `pyproject.toml` when reliable, else built;
        requirements lowered with the tree's own sources."""
        path = directory / "pyproject.toml"
        pyproject = read_pyproject(path) if path.is_file() else None
        project = pyproject if pyproject is not None and pyproject.has_project_table else None
        display = f"{name} @ {directory.as_uri()}"
        if project is not None and _is_static(project):
            version = _version(str(project.version), display)
            requires_python = project.requires_python
        else:
            built = _core_fields(self._tree_metadata(directory))
            version = _version(_first(built, "version") or "", display)
            requires_python = _first(built, "requires-python")
            built_name = _first(built, "name") or ""
            if project is None:
                lowered = _plain_lowered(name, built, display)
                _check_name(name, built_name, display)
                return _Distribution(name, version, requires_python, lowered)
            project = project._replace(
                dependencies=tuple(built.get("requires-dist", ())),
                optional_dependencies={
                    canonicalize_name(extra): () for extra in built.get("provides-extra", ())
                },
            )
        _check_name(name, project.name or "", display)
        workspace = self._lowering_workspace(directory, project, boundary)
        member = Member(name, directory, project)
        lowered = lower_member(workspace, member, self.lowering)
        return _Distribution(
            name, version, requires_python, lowered, dynamic="version" in project.dynamic
        )

    def _lowering_workspace(
        self, directory: Path, project: PyProject, boundary: Path | None
    ) -> Workspace:
        """The workspace a source tree's own sources are read in (its enclosing workspace, or
        itself alone), with paths written relative to the lock's root."""
        try:
            workspace: Workspace | None = discover_workspace(directory)
        except WorkspaceError:
            workspace = None
        if workspace is not None and (
            (boundary is not None and not workspace.root.is_relative_to(boundary))
            or project.normalized_name not in workspace.members
        ):
            workspace = None
        if workspace is None:
            name = project.normalized_name or ""
            member = Member(name, directory, project)
            workspace = Workspace(directory, project, {name: member}, member, {})
        return workspace._replace(root=self.root)

    def _tree_metadata(self, directory: Path) -> bytes:
        """The built `METADATA` of a source tree, cached until one of the files uv watches
        (`pyproject.toml`, `setup.py`, `setup.cfg`) changes."""
        from puv.cache.persist import write_atomic
        from puv.operations.build_ops import build_metadata_for

        stamps = [str(directory)]
        for name in _CACHE_KEY_FILES:
            try:
                stamps.append(f"{name}:{(directory / name).stat().st_mtime_ns}")
            except OSError:
                continue
        key = hashlib.sha256("\0".join(stamps).encode()).hexdigest()[:32]
        cached = self.ctx.cache.bucket("sdists") / "tree-metadata" / key / "METADATA"
        if cached.is_file():
            return cached.read_bytes()
        data = build_metadata_for(self.ctx, directory, self.interpreter)
        write_atomic(cached, data)
        return data

    def _sdist_distribution(
        self, name: str, archive: Path, subdirectory: str | None, display: str
    ) -> _Distribution:
        """An sdist's distribution from its build backend (the project in `subdirectory`)."""
        from puv.operations.build_ops import build_metadata_for

        if subdirectory is None:
            data = build_metadata_for(self.ctx, archive, self.interpreter)
            return _core_distribution(name, data, display)
        from puv.build.sdist import extract_sdist
        from puv.cache.persist import temp_dir_in

        scratch = temp_dir_in(self.ctx.cache.bucket("sdists"))
        try:
            tree = extract_sdist(archive, scratch / "src", display=display)
            data = build_metadata_for(self.ctx, tree / subdirectory, self.interpreter)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return _core_distribution(name, data, display)

    # ---- services

    def _download(self, url: str) -> Path:
        """The archive at `url`, downloaded once into the cache."""
        target = url_archive_path(self.ctx.cache, url)
        if target.is_file():
            return target
        if self._client is None:
            if self._connect is None:
                raise PuvError(f"Cannot download `{url}` without an HTTP client")
            self._client = self._connect()
        self._client.download(url, target)
        return target

    def _checkouts(self) -> GitCheckouts:
        if self._git is None:
            self._git = GitCheckouts(
                self.ctx.cache.bucket("git"), self.ctx.printer.status, offline=self.ctx.offline
            )
        return self._git

    def _local_path(self, written: str) -> Path:
        return Path(os.path.normpath(self.root / written))

    def _package(
        self,
        distribution: _Distribution,
        source: Source,
        display: str,
        *,
        metadata: Metadata | None = None,
        dynamic: bool = False,
        sdist: Sdist | None = None,
        wheels: tuple[Wheel, ...] = (),
    ) -> SourcedPackage:
        lowered = distribution.lowered
        release = LocalRelease(
            distribution.name,
            distribution.version,
            local_metadata(
                [requirement_text(r) for r in lowered.requires_dist],
                distribution.requires_python,
                lowered.provides_extras,
            ),
            GroupExtras.for_extras(lowered.provides_extras),
        )
        requests = (SourceRequest.of(r) for r in lowered.requires_dist)
        return SourcedPackage(
            release,
            source,
            metadata or Metadata(),
            dynamic,
            sdist=sdist,
            wheels=wheels,
            requests=tuple(request for request in requests if request is not None),
            display=display,
        )

    def _conflict(self, first: SourceRequest, second: SourceRequest) -> PuvError:
        urls = "\n".join(f"- {self._display(request)}" for request in (first, second))
        return FailureError(
            f"Requirements contain conflicting URLs for package `{first.name}` in all marker "
            f"environments:\n{urls}"
        )

    def _display(self, request: SourceRequest) -> str:
        kind = request.kind
        value = request.source[kind]
        if kind == "url":
            subdirectory = request.source.get("subdirectory")
            return value + (f"#subdirectory={subdirectory}" if subdirectory else "")
        if kind == "git":
            return GitUrl.parse(value).requirement_display(request.name).split(" @ ", 1)[1]
        shown = self._local_path(value).as_uri()
        return f"{shown} (editable)" if kind == "editable" else shown

    def _not_found(self, name: str, path: Path) -> PuvError:
        return FailureError(
            f"Failed to build `{name} @ {path.as_uri()}`",
            causes=[f"Distribution not found at: {path.as_uri()}"],
        )


def _is_static(project: PyProject) -> bool:
    """Whether uv reads a tree's metadata from `pyproject.toml` alone (else it builds)."""
    if any(name in _DYNAMIC_FIELDS for name in project.dynamic) or project.version is None:
        return False
    has_dependencies = "dependencies" in project.data.get("project", {})
    return has_dependencies or "poetry" not in project.data.get("tool", {})


def _is_local(source: Mapping[str, str]) -> bool:
    return any(key in source for key in (*_TREE_KINDS, "path"))


def _core_fields(data: bytes) -> dict[str, list[str]]:
    """Core metadata headers (lower-case names) -> values, in file order."""
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
        data, headersonly=True
    )
    fields: dict[str, list[str]] = {}
    for key, value in message.items():
        fields.setdefault(key.lower(), []).append(str(value).strip())
    return fields


def _first(fields: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = fields.get(key)
    return values[0] if values else None


def _version(text: str, display: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise PuvError(f"Failed to read the version of `{display}`: `{text}`") from None


def _check_name(name: str, found: str, display: str) -> None:
    if canonicalize_name(found) != name:
        raise FailureError(
            f"Failed to build `{display}`",
            causes=[
                f"Package metadata name `{canonicalize_name(found)}` does not match given name "
                f"`{name}`"
            ],
        )


def _core_distribution(name: str, data: bytes, display: str) -> _Distribution:
    """An archive's distribution from its core metadata (requirements as written: uv applies
    no `tool.uv.sources` to archives)."""
    fields = _core_fields(data)
    _check_name(name, _first(fields, "name") or "", display)
    version = _version(_first(fields, "version") or "", display)
    return _Distribution(
        name, version, _first(fields, "requires-python"), _plain_lowered(name, fields, display)
    )


def _plain_lowered(name: str, fields: Mapping[str, Sequence[str]], display: str) -> LoweredMember:
    requirements = []
    for text in fields.get("requires-dist", ()):
        try:
            dependency = parse_dependency(text)
        except InvalidDependency as error:
            raise PuvError(f"Invalid `Requires-Dist` of `{display}`: {error}") from None
        if dependency.url is not None:
            raise PuvError(
                f"`{display}` depends on `{dependency.name} @ {dependency.url}`; direct URLs in "
                "built metadata are not supported by `puv lock` yet"
            )
        requirements.append(
            LoweredRequirement(
                dependency.name, dependency.specifier, dependency.extras, dependency.marker
            )
        )
    extras = tuple(dict.fromkeys(canonicalize_name(e) for e in fields.get("provides-extra", ())))
    return LoweredMember(name, tuple(requirements), extras, {})


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
