"""Direct references (wheels, sdists and source trees given by path or URL) as the resolver sees
them, for `pip install` and `pip compile`.

- `DirectRelease`: the one version a direct reference offers, its metadata and the file name
  the resolver is shown;
- `DirectReleases`: loads them (a wheel's `METADATA` from the archive, or by range requests for a
  remote one; sdists and source trees through the caller's build), downloads remote archives
  into the cache when their hash is wanted, and follows the URL requirements a direct reference
  declares (uv's lookahead: those URLs are allowed too);
- `DirectProvider`: a provider offering each direct reference's one version in place of the
  index's, which refuses a URL requirement no direct reference allows (uv's `DisallowedUrl`) or
  one that points elsewhere (uv's conflicting URLs);
- `split_references`: which references a universal resolution routes per environment (one
  package from different URLs under disjoint markers, or from a URL in some environments and
  the index in others), served by `DirectProvider.for_source`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from msgspec import Struct
from msgspec.structs import replace

from puv.cache.file_digest import file_sha256
from puv.core.errors import FailureError, PuvError
from puv.core.wheel_filename import normalize_name
from puv.operations.pip_requirements import (
    Requested,
    conflicting_urls,
    direct_reference,
    requested_at,
)

if TYPE_CHECKING:
    from packaging.requirements import Requirement
    from packaging.version import Version

    from puv.cache.layout import CacheLayout
    from puv.core.markers import Marker
    from puv.index.client import HttpClient
    from puv.operations.git import GitCheckouts
    from puv.resolver.provider import (
        MetadataUnavailable,
        MissingPackage,
        PackageMetadata,
        PackageVersion,
        Provider,
    )


class DirectRelease(Struct, frozen=True):
    """The one version a direct reference offers: its metadata and the file the resolver sees
    (`name-1.0-py3-none-any.whl` for a wheel or an editable tree, `name-1.0.tar.gz` otherwise)."""

    requested: Requested
    version: Version
    metadata: PackageMetadata | MetadataUnavailable
    filename: str


class DirectRoute(Struct, frozen=True):
    """A reference that a universal resolution uses only where `marker` holds."""

    requested: Requested
    marker: Marker

    @property
    def key(self) -> str:
        """The resolver's source key of the reference."""
        return f"direct:{self.requested.name}:{self.requested.url}"


def split_references(
    directs: Mapping[str, Requested],
    markers: Mapping[str, Marker],
    others: Mapping[str, Sequence[tuple[Requested, Marker]]],
    registry_names: Collection[str],
    environment: Mapping[str, str] | None,
) -> tuple[dict[str, Requested], list[DirectRoute]]:
    """The references served by name, and those routed per environment.

    Each name's references are `directs[name]` (applying where `markers[name]` holds) and
    `others[name]`. For one environment, the reference whose marker holds (none: the name
    comes from the index). For every environment (`environment` None), a name is routed when
    it has several references, or is also required without one (`registry_names`); the
    resolution fails where references to different URLs overlap (uv's conflicting URLs).
    """
    from puv.core.markers import Marker

    named: dict[str, Requested] = {}
    routes: list[DirectRoute] = []
    for name, requested in directs.items():
        choices = [(requested, markers.get(name, Marker.TRUE)), *others.get(name, ())]
        if environment is not None:
            holding = [choice for choice in choices if choice[1].evaluate(environment, ())]
            if len(holding) > 1:
                raise conflicting_urls(name, [choice.url or "" for choice, _ in holding])
            if holding:
                named[name] = holding[0][0]
            continue
        if len(choices) == 1 and name not in registry_names:
            named[name] = requested
        else:
            routes += [DirectRoute(choice, where) for choice, where in choices]
    return named, routes


class DirectReleases:
    """Loads direct references: `build` gives the core metadata of an sdist or source tree
    (PEP 517), `client` reads remote wheels' metadata and downloads remote archives into
    `cache`."""

    def __init__(
        self,
        client: HttpClient,
        cache: CacheLayout,
        build: Callable[[Requested], bytes],
        git: GitCheckouts | None = None,
    ) -> None:
        self.client = client
        self.cache = cache
        self.build = build
        self.git = git

    def load(self, requested: Requested) -> DirectRelease:
        """Read (or build) the metadata of the wheel, sdist, source tree or Git commit
        `requested` names (a Git reference comes back with its commit as `given`)."""
        from puv.core.wheel_filename import WheelFilename
        from puv.operations.resolver_provider import parse_core_metadata

        assert requested.url is not None
        if requested.is_git:
            return self._git_release(requested)
        if not requested.needs_build:
            wheel = WheelFilename.parse(_last_segment(requested.url))
            data = self._wheel_metadata(requested, wheel.filename)
            metadata = parse_core_metadata(data)
            return DirectRelease(requested, wheel.version, metadata, wheel.filename)
        return _built(requested, self.build(requested))

    def _git_release(self, requested: Requested) -> DirectRelease:
        """The commit a `git+` reference names now, checked out and built as a source tree."""
        from puv.operations.git import GitUrl

        assert requested.url is not None
        if self.git is None:
            raise PuvError(f"Cannot check out `{requested.display}` here")
        url = GitUrl.from_requirement(requested.url)
        shown = url.requirement_display(requested.name)
        commit = self.git.resolve_for(url, shown)
        directory = self.git.project_for(url, commit, shown)
        data = self.build(replace(requested, url=directory.as_uri(), tree=True))
        return _built(replace(requested, given=url.pinned_requirement_url(commit)), data)

    def collect(
        self,
        top: Mapping[str, Requested],
        extras: Mapping[str, Collection[str]],
        cwd: Path,
        environment: Mapping[str, str] | None = None,
    ) -> dict[str, DirectRelease]:
        """The releases of `top` and of the direct references their metadata requires, in turn
        (those whose marker holds in `environment` with the extras asked of them; all of them
        when `environment` is None, for a universal resolution), by name."""
        from puv.resolver.provider import PackageMetadata

        wanted = dict(top)
        asked = {name: set(extras.get(name, ())) for name in top}
        queue = list(top)
        found: dict[str, DirectRelease] = {}
        while queue:
            name = queue.pop(0)
            release = self.load(wanted[name])
            found[name] = release
            if not isinstance(release.metadata, PackageMetadata):
                continue
            for requirement in release.metadata.requires_dist:
                if requirement.url is None or not _applies(requirement, environment, asked[name]):
                    continue
                child = normalize_name(requirement.name)
                git = self.git is not None
                requested = requested_at(child, requirement.url, cwd, git=git)
                known = wanted.get(child)
                if known is None:
                    wanted[child] = requested
                    asked[child] = set()
                    queue.append(child)
                elif known.url != requested.url:
                    raise conflicting_urls(child, (known.url or "", requested.url or ""))
                asked[child].update(normalize_name(extra) for extra in requirement.extras)
        return found

    def archive(self, requested: Requested) -> Path:
        """The local file of an archive reference (a remote one is downloaded into the cache
        once)."""
        from puv.index.client import path_from_file_url

        url = requested.url
        assert url is not None
        if url.startswith("file:"):
            path = Path(path_from_file_url(url))
            if not path.is_file():
                raise FailureError(f"Distribution not found at: {url}")
            return path
        target = url_archive_path(self.cache, url)
        if not target.is_file():
            self.client.download(url, target, expected=requested.hashes)
        return target

    def sha256(self, requested: Requested) -> str | None:
        """`sha256:<hex>` of an archive reference (None for a source tree or a Git
        reference)."""
        if requested.tree or requested.is_git:
            return None
        return f"sha256:{file_sha256(self.archive(requested))}"

    def _wheel_metadata(self, requested: Requested, filename: str) -> bytes:
        """`METADATA` of a wheel given by path (read from the archive) or URL (range
        requests)."""
        url = requested.url
        assert url is not None
        if url.startswith("file:"):
            return local_wheel_metadata(self.archive(requested))
        from puv.index.metadata import wheel_metadata
        from puv.index.simple import DistFile as IndexFile

        hashes = tuple((digest.algorithm, digest.digest) for digest in requested.hashes)
        file = IndexFile(filename, url, hashes)
        return wheel_metadata(self.client, file, self.cache.bucket("metadata"))


class DirectProvider:
    """`base` with each of `directs` offered at its one version instead; a URL requirement in
    any metadata must name one of `directs` at its URL (its marker judged in `environment`,
    every requirement when None). `pending` references (the URLs of constraints and overrides)
    are loaded with `load` when the resolution first asks for their package, then served as
    `directs`."""

    def __init__(
        self,
        base: Provider,
        directs: Mapping[str, DirectRelease],
        cwd: Path,
        environment: Mapping[str, str] | None = None,
        routes: Mapping[str, DirectRelease] | None = None,
        pending: Mapping[str, Requested] | None = None,
        load: Callable[[Requested], DirectRelease] | None = None,
    ) -> None:
        self.base = base
        self.directs = dict(directs)
        self.cwd = cwd
        self.environment = environment
        self.routes = routes or {}
        self.pending = dict(pending or {})
        self.load = load
        self._views: dict[str, DirectProvider] = {}

    def _direct(self, name: str) -> DirectRelease | None:
        direct = self.directs.get(name)
        if direct is None and name in self.pending:
            assert self.load is not None
            direct = self.directs[name] = self.load(self.pending.pop(name))
        return direct

    def for_source(self, key: str) -> DirectProvider:
        """The provider of a routed reference (`DirectRoute.key`): it offers that reference
        for its name (see `SourcedProvider`)."""
        view = self._views.get(key)
        if view is None:
            release = self.routes[key]
            directs = {**self.directs, release.requested.name: release}
            view = DirectProvider(self.base, directs, self.cwd, self.environment)
            self._views[key] = view
        return view

    def source_identity(self, name: str, version: Version, key: str | None) -> str | None:
        """See `SourcedProvider.source_identity`: each reference is its own source."""
        return key

    def release(self, name: str, origin: str | None) -> DirectRelease | None:
        """The direct reference a resolved `name` from `origin` is (None: the index's)."""
        return self.routes.get(origin) if origin is not None else self.directs.get(name)

    def versions(self, name: str) -> Sequence[PackageVersion] | MissingPackage:
        """The index's versions, or the direct reference's one."""
        from puv.resolver.provider import DistFile, PackageVersion

        direct = self._direct(name)
        if direct is None:
            return self.base.versions(name)
        return [PackageVersion(direct.version, (DistFile(direct.filename),), direct=True)]

    def metadata(self, name: str, version: Version) -> PackageMetadata | MetadataUnavailable:
        """What a version requires, its URL requirements checked."""
        from puv.resolver.provider import PackageMetadata

        direct = self._direct(name)
        found = direct.metadata if direct is not None else self.base.metadata(name, version)
        if isinstance(found, PackageMetadata):
            for requirement in found.requires_dist:
                if requirement.url is not None and _applies(
                    requirement, self.environment, found.provides_extras
                ):
                    self._check_url(requirement, f"{name}=={version}")
        return found

    def prefetch(self, names: Sequence[str]) -> None:
        """Start the index pages of `names` (direct references need none)."""
        skipped = (*self.directs, *self.pending)
        self.base.prefetch([name for name in names if name not in skipped])

    def _check_url(self, requirement: Requirement, dependent: str) -> None:
        name = normalize_name(requirement.name)
        assert requirement.url is not None
        allowed = self._direct(name)
        if allowed is None:
            raise FailureError(
                f"Failed to resolve dependencies for package `{dependent}`",
                causes=[
                    f"Package `{name}` was included as a URL dependency. URL dependencies must "
                    "be expressed as direct requirements or constraints. Consider adding "
                    f"`{name} @ {requirement.url}` to your dependencies or constraints file."
                ],
            )
        url = direct_reference(requirement.url, self.cwd, name, git=True).url
        if allowed.requested.url != url:
            raise conflicting_urls(name, (allowed.requested.url or "", url))


def _applies(
    requirement: Requirement, environment: Mapping[str, str] | None, extras: Collection[str]
) -> bool:
    """Whether `requirement` holds in `environment` with no extra or one of `extras` (always,
    without an environment)."""
    if environment is None or requirement.marker is None:
        return True
    return any(
        requirement.marker.evaluate({**environment, "extra": extra}) for extra in ("", *extras)
    )


def _built(requested: Requested, data: bytes) -> DirectRelease:
    """The release of an sdist or source tree whose built `METADATA` is `data`."""
    from packaging.version import Version

    from puv.operations.resolver_provider import parse_core_metadata

    version = Version(_header(data, "version") or "0")
    stem = f"{requested.name.replace('-', '_')}-{version}"
    # an editable is built even when building is off (as uv does): show it as a wheel
    filename = f"{stem}-py3-none-any.whl" if requested.editable else f"{stem}.tar.gz"
    return DirectRelease(requested, version, parse_core_metadata(data), filename)


def url_archive_path(cache: CacheLayout, url: str) -> Path:
    """Where a remote archive is downloaded once into the cache (keyed by its URL)."""
    key = hashlib.sha256(url.encode()).hexdigest()[:32]
    return cache.bucket("sdists") / "url" / key / _last_segment(url)


def local_wheel_metadata(wheel: Path) -> bytes:
    """The `*.dist-info/METADATA` of a local wheel."""
    import zipfile

    try:
        with zipfile.ZipFile(wheel) as bundle:
            for member in bundle.namelist():
                top, _, rest = member.partition("/")
                if top.endswith(".dist-info") and rest == "METADATA":
                    return bundle.read(member)
    except (OSError, zipfile.BadZipFile) as error:
        raise PuvError(f"Failed to read `{wheel.name}`", causes=[str(error)]) from None
    raise PuvError(f"The wheel `{wheel.name}` has no `.dist-info/METADATA`")


def _last_segment(url: str) -> str:
    return unquote(urlsplit(url).path.rpartition("/")[2])


def _header(data: bytes, wanted: str) -> str | None:
    """The first value of a core metadata header (`Version`), up to the body."""
    for line in data.decode("utf-8", errors="replace").splitlines():
        if not line:
            return None
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == wanted:
            return value.strip()
    return None
