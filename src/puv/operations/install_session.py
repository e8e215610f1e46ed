"""Resolve, fetch and link the changes of an install plan (`pip sync`, `pip install`).

An `InstallSession` builds what a change needs on first use, so a plan that needs nothing from
the network never builds an HTTP client: the shared cache lock, the by-hash wheel cache, the
target's wheel tags, the index client and finder, and the unpacker. `resolve` picks a wheel for
each change (the by-hash cache first, then the indexes, concurrently, each chosen wheel starting
to download at once), `fetch` downloads and unpacks what the cache lacks (in parallel, verified
against the requirement's hashes, else the index's), and `apply` uninstalls the replaced and
extraneous distributions and links the new ones in, several at a time.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct
from msgspec.structs import replace

from puv.core.errors import FailureError, PuvError
from puv.core.hashes import ALGORITHMS, HashDigest
from puv.core.printer import counted, plural, since
from puv.core.wheel_filename import WheelFilename, normalize_name
from puv.install.installed import InstalledDist
from puv.operations.context import Context
from puv.operations.network import configured_indexes, http_client
from puv.operations.pip_env import TargetEnvironment
from puv.operations.pip_plan import Change, Plan
from puv.operations.pip_report import Dist
from puv.operations.pip_requirements import Requested, RequirementSources

if TYPE_CHECKING:
    from concurrent.futures import Future

    from packaging.version import Version

    from puv.build.frontend import ConfigSettings
    from puv.cache.lock import LockedFile
    from puv.index.client import HttpClient
    from puv.index.indexes import IndexList, PackageFiles, PackageFinder
    from puv.index.simple import DistFile as IndexFile
    from puv.install.link import Linker
    from puv.install.scheme import Layout
    from puv.operations.build_ops import IsolationSettings
    from puv.operations.git import GitCheckouts
    from puv.operations.progress import PreparingBar
    from puv.operations.target_platform import Target
    from puv.operations.unpack_workers import Unpacker
    from puv.operations.wheel_cache import CachedWheel, WheelCache
    from puv.operations.wheel_select import Builds, TagPolicy

# From this many wheels to fetch, unpacking moves to worker processes.
_WORKER_THRESHOLD = 8
# Downloads larger than this are announced when no progress bar is drawn (as uv does).
_LARGE_DOWNLOAD = 1024 * 1024


class IndexArguments(Struct, frozen=True):
    """Index options from the command line (or their `UV_*` variables), as given."""

    default_index: str | None = None
    index: tuple[str, ...] = ()
    index_url: str | None = None
    extra_index_url: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()


class Artifact(Struct, frozen=True):
    """The wheel chosen for one change: already unpacked (`cached`) or to fetch from `location`."""

    change: Change
    wheel: WheelFilename
    cached: CachedWheel | None = None
    location: str | None = None
    expected: tuple[HashDigest, ...] = ()
    yanked: str | None = None  # the warning to show when a yanked file was pinned
    size: int | None = None  # the download's size, when the index tells it

    @property
    def requested(self) -> Requested:
        """The requirement this artifact satisfies."""
        return self.change.requested

    @property
    def distribution(self) -> str:
        """How errors name it: `six==1.16.0`, or the direct reference as written."""
        if self.requested.url is not None:
            return self.requested.display
        return self.wheel.distribution


class PendingBuild(Struct, frozen=True):
    """A change that needs a wheel built: from a source tree or an sdist given by path or URL
    (`source` is the requirement's URL), or from an index sdist (`source` is its URL, `version`
    its version). `expected` are the digests the sdist must have."""

    change: Change
    source: str
    version: str | None = None
    expected: tuple[HashDigest, ...] = ()

    @property
    def requested(self) -> Requested:
        """The requirement this build satisfies."""
        return self.change.requested

    @property
    def distribution(self) -> str:
        """How uv names it while building: `name @ url`, or `name==version` from an index."""
        if self.version is not None:
            return f"{self.requested.name}=={self.version}"
        return self.requested.display


def direct_url(requested: Requested) -> dict[str, object] | None:
    """The PEP 610 `direct_url.json` of an install from a direct reference (None otherwise)."""
    if requested.url is None:
        return None
    if requested.tree:
        return {"url": requested.url, "dir_info": {"editable": True} if requested.editable else {}}
    return {"url": requested.url, "archive_info": {}}


def layout_of(target: TargetEnvironment) -> Layout:
    """The install layout of the target environment."""
    from puv.install.scheme import Layout

    return Layout.from_interpreter(target.interpreter)


def remove_distribution(
    dist: InstalledDist,
    layout: Layout,
    wheels: WheelCache | None,
    *,
    warn: Callable[[str], None] | None = None,
    archive: CachedWheel | None = None,
) -> None:
    """Uninstall `dist`. A `.dist-info` without RECORD (an interrupted install) is cleaned up with
    the file list of its wheel: `archive` when given, else one of the same version in the cache;
    failing both, only the `.dist-info` itself is removed."""
    from puv.install.uninstall import remove_files, uninstall_wheel

    shown = f"{dist.name}=={dist.version}"
    if dist.kind != "dist-info":
        raise PuvError(
            f"Cannot uninstall `{shown}`: it was installed as an `.egg-info`, "
            "which puv cannot uninstall yet"
        )
    if dist.complete:
        uninstall_wheel(dist.path, layout.scheme, shown, warn=warn)
        return
    from puv.install.wheel_install import planned_paths

    if archive is None and wheels is not None:
        archive = next(
            (c for c in wheels.entries(dist.name) if str(c.filename.version) == dist.version),
            None,
        )
    paths: list[str] = []
    if archive is not None:
        try:
            paths = planned_paths(archive.archive, archive.filename, layout)
        except (PuvError, OSError):
            paths = []
    remove_files(dist.path, paths, layout.scheme, shown, warn)


def index_list(ctx: Context, given: IndexArguments, sources: RequirementSources) -> IndexList:
    """Command-line indexes, then configured ones, then those of requirement files (uv's order)."""
    from puv.index.indexes import IndexList, IndexStrategy, command_line_indexes

    settings = ctx.settings.pip
    configured = configured_indexes(settings.index)
    indexes = command_line_indexes(
        default_index=given.default_index,
        index=given.index,
        extra_index_url=given.extra_index_url,
        index_url=given.index_url,
        configured=configured,
    )
    indexes += configured
    indexes += command_line_indexes(
        extra_index_url=settings.extra_index_url, index_url=settings.index_url
    )
    from_files = sources.indexes
    indexes += command_line_indexes(
        extra_index_url=from_files.extra_index_urls, index_url=from_files.index_url
    )
    return IndexList(
        indexes=tuple(indexes),
        find_links=(*given.find_links, *settings.find_links, *from_files.find_links),
        no_index=settings.no_index or from_files.no_index,
        strategy=IndexStrategy(settings.index_strategy),
    )


def _build_error(item: PendingBuild, err: PuvError) -> PuvError:
    """A failed build as uv reports it: an index sdist is named `name==version` (not by its
    path in the cache); a path or URL as the frontend already named it."""
    if item.version is None:
        return err
    own = err.message.startswith("Failed to build")
    return FailureError(
        f"Failed to build `{item.distribution}`",
        causes=list(err.causes) if own else [err.message, *err.causes],
        hint=err.hint,
    )


def _filename_of(url: str) -> str:
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path.rpartition("/")[2])


def _local_digests(url: str, expected: Sequence[HashDigest]) -> tuple[HashDigest, ...]:
    """The sha256 (and the algorithms of `expected`) of the local file a `file:` URL names."""
    from puv.core.hashes import MultiHasher, algorithms_for
    from puv.index.client import path_from_file_url

    path = Path(path_from_file_url(url))
    hasher = MultiHasher(algorithms_for(expected))
    try:
        with path.open("rb") as file:
            while chunk := file.read(1 << 20):
                hasher.update(chunk)
    except FileNotFoundError:
        raise FailureError(f"Distribution not found at: {url}") from None
    except OSError as err:
        raise FailureError(f"Failed to read `{path}`", causes=[str(err)]) from None
    return hasher.digests()


class InstallSession:
    """The services a change needs, built on first use: cache lock, wheel cache, tags, index
    client and finder. Closing it releases the cache lock and the client.

    `target` is where packages go; `platform` the environment wheels are chosen for (the
    target's interpreter, or what `--python-version` / `--python-platform` make of it); `cert` is
    a CA bundle (`--cert`) that replaces the default trust roots; `config_settings` are `-C`
    settings for build backends, over the configured ones; `build_isolation` the settings that
    say which builds share the target environment (default: the command's); `git` checks out the
    commits of `git+` references (made by `pinned_git`).
    """

    def __init__(
        self,
        ctx: Context,
        target: TargetEnvironment,
        platform: Target,
        sources: RequirementSources,
        indexes: IndexArguments,
        *,
        refresh: bool = False,
        refresh_packages: Sequence[str] = (),
        cert: str | None = None,
        config_settings: Mapping[str, str | list[str]] | None = None,
        build_isolation: IsolationSettings | None = None,
        git: GitCheckouts | None = None,
    ) -> None:
        self.ctx = ctx
        self.git = git
        self.build_isolation = build_isolation
        self.target = target
        self.platform = platform
        self.cert = cert
        self.cli_config_settings = config_settings or {}
        self.sources = sources
        self.indexes = indexes
        settings = ctx.settings.pip
        self.verify = settings.verify_hashes or settings.require_hashes
        self.refresh_all = refresh or settings.reinstall
        self.refreshed = frozenset(
            normalize_name(name) for name in (*refresh_packages, *settings.reinstall_package)
        )
        self._cache_lock: LockedFile | None = None
        self._wheels: WheelCache | None = None
        self._policy: TagPolicy | None = None
        self._indexes: IndexList | None = None
        self._client: HttpClient | None = None
        self._finder: PackageFinder | None = None
        self._unpacker: Unpacker | None = None
        self._prefetching = False
        self._fetches: dict[str, Future[CachedWheel]] = {}
        self._fetch_started: float | None = None
        self._bar: PreparingBar | None = None
        self._progress_lock = threading.Lock()
        self._prepared = 0  # wheels fetched so far

    def __enter__(self) -> InstallSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for future in self._fetches.values():
            future.cancel()  # those not started yet: after an error, nothing more is fetched
        if self._bar is not None:
            self._bar.close()
        if self._client is not None:
            self._client.close()
        if self._unpacker is not None:
            self._unpacker.close()
        if self._cache_lock is not None:
            self._cache_lock.release()

    # ---- services

    def _use_cache(self) -> None:
        """Create the cache root if needed and hold the shared cache lock from now on."""
        if self._cache_lock is None:
            from puv.cache.lock import cache_lock, lock_timeout_from_env

            cache = self.ctx.cache
            cache.ensure()
            self._cache_lock = cache_lock(cache.root, timeout=lock_timeout_from_env(os.environ))

    @property
    def wheels(self) -> WheelCache:
        """The by-hash index of unpacked wheels."""
        if self._wheels is None:
            from puv.operations.wheel_cache import WheelCache

            self._use_cache()
            self._wheels = WheelCache(self.ctx.cache)
        return self._wheels

    @property
    def policy(self) -> TagPolicy:
        """The wheel tags of the target platform."""
        if self._policy is None:
            from puv.operations.wheel_select import tag_policy

            self._policy = tag_policy(self.platform.interpreter)
        return self._policy

    @property
    def client(self) -> HttpClient:
        """The HTTP client (its connections are only set up on the first request)."""
        if self._client is None:
            from puv.cache.http_cache import Refresh

            refresh = None
            if self.refresh_all or self.refreshed:
                refresh = Refresh(time.time(), self.refresh_all, self.refreshed)
            self._use_cache()
            client = http_client(self.ctx, self.index_list, refresh=refresh)
            if self.cert is not None:  # read when the first connection is made
                client.options = replace(client.options, ssl_cert_file=self.cert)
            self._client = client
        return self._client

    @property
    def index_list(self) -> IndexList:
        """The indexes: command line, then configuration, then requirement files (uv's order)."""
        if self._indexes is None:
            self._indexes = index_list(self.ctx, self.indexes, self.sources)
        return self._indexes

    @property
    def finder(self) -> PackageFinder:
        """Looks packages up on the indexes and `--find-links`."""
        if self._finder is None:
            from puv.index.indexes import PackageFinder

            self._finder = PackageFinder(self.client, self.index_list)
        return self._finder

    def refreshes(self, name: str) -> bool:
        """Whether cached data for `name` must not be trusted (`--refresh`, `--reinstall`)."""
        return self.refresh_all or name in self.refreshed

    # ---- resolve: which wheel for each change

    def resolve(
        self,
        changes: Sequence[Change],
        *,
        prefetch: bool = False,
        known: Mapping[str, PackageFiles] | None = None,
    ) -> list[Artifact | PendingBuild]:
        """The wheel for every change: from the by-hash cache when a `--hash` names one that is
        unpacked already, else from the indexes (looked up concurrently, unless `known` already
        holds the package's files), else the source to build.

        With `prefetch`, a wheel that must be fetched starts downloading as soon as it is chosen,
        while other packages are still being looked up.
        """
        chosen: dict[str, Artifact | PendingBuild] = {}
        lookups: list[Change] = []
        directs: list[Change] = []
        for change in changes:
            requested = change.requested
            if requested.url is not None:
                directs.append(change)
                continue
            cached = self._cached(requested) if requested.hashes else None
            if cached is not None:
                chosen[requested.name] = Artifact(change, cached.filename, cached)
            else:
                lookups.append(change)
        if prefetch and (lookups or directs):
            self._start_fetching(len(lookups) + len(directs))
        for change in directs:
            chosen[change.requested.name] = self._direct(change)
        if lookups:
            for outcome in self._from_indexes(lookups, known or {}):
                chosen[outcome.requested.name] = outcome
        return [chosen[name] for name in sorted(chosen)]

    def _cached(
        self, requested: Requested, hashes: Sequence[HashDigest] = ()
    ) -> CachedWheel | None:
        """The best unpacked wheel for `requested` among those with one of its hashes."""
        if self.refreshes(requested.name):
            return None
        found = self.wheels.find(requested.name, hashes or requested.hashes)
        if requested.specifier and found:
            from packaging.specifiers import SpecifierSet

            specifiers = SpecifierSet(requested.specifier)
            found = [c for c in found if specifiers.contains(c.filename.version, True)]
        ranked = [(rank, c) for c in found if (rank := self.policy.rank(c.filename)) is not None]
        if not ranked:
            return None
        return min(ranked, key=lambda item: (item[0], item[1].sha256))[1]

    def _from_indexes(
        self, changes: Sequence[Change], known: Mapping[str, PackageFiles]
    ) -> list[Artifact | PendingBuild]:
        """Look `changes` up on the indexes, concurrently. When several fail, the error of an
        exact pin wins, as in uv's resolver."""
        ordered = sorted(changes, key=lambda change: change.requested.pinned is None)
        outcomes = self.client.map(lambda change: self._lookup_outcome(change, known), ordered)
        for outcome in outcomes:
            if isinstance(outcome, PuvError):
                raise outcome
        return [outcome for outcome in outcomes if not isinstance(outcome, PuvError)]

    def _lookup_outcome(
        self, change: Change, known: Mapping[str, PackageFiles]
    ) -> Artifact | PendingBuild | PuvError:
        try:
            return self._lookup(change, known.get(change.requested.name))
        except PuvError as err:
            return err

    def builds(self, name: str) -> Builds:
        """Whether `name` may be built from source and installed from wheels (`--no-build`,
        `--only-binary`, `--no-binary`)."""
        from puv.operations.wheel_select import Builds

        settings = self.ctx.settings.pip
        only_binary = set(settings.only_binary)
        no_binary = set(settings.no_binary)
        if settings.no_build or ":all:" in only_binary:
            return Builds(build=False, disabled_by="all")
        if name in {normalize_name(n) for n in only_binary}:
            return Builds(build=False, disabled_by="package")
        if ":all:" in no_binary:
            return Builds(binary=False, disabled_by="all")
        if name in {normalize_name(n) for n in no_binary}:
            return Builds(binary=False, disabled_by="package")
        return Builds()

    def _lookup(self, change: Change, files: PackageFiles | None) -> Artifact | PendingBuild:
        from puv.operations.wheel_select import parse_exclude_newer, select_wheel

        requested = change.requested
        exclude_newer = self.ctx.settings.pip.exclude_newer
        selected = select_wheel(
            requested,
            files if files is not None else self.finder.find(requested.name),
            self.policy,
            exclude_newer=parse_exclude_newer(exclude_newer)
            if isinstance(exclude_newer, str)
            else None,
            registry=bool(self.index_list.search_order()),
            builds=self.builds(requested.name),
        )
        file = selected.file
        index_hashes = tuple(
            HashDigest(algorithm, digest)
            for algorithm, digest in file.hashes
            if algorithm in ALGORITHMS
        )
        if not index_hashes and file.url.startswith("file:"):
            index_hashes = _local_digests(file.url, requested.hashes)  # a `--find-links` dir
        expected = requested.hashes if self.verify and requested.hashes else index_hashes
        if selected.wheel is None:
            return PendingBuild(change, file.url, str(selected.version), tuple(expected))
        sha256 = [digest for digest in index_hashes if digest.algorithm == "sha256"]
        cached = None
        if sha256 and (not requested.hashes or not self.verify or sha256[0] in expected):
            cached = self._cached(requested, sha256)
        yanked = None
        if file.yanked:
            reason = f' (reason: "{file.yanked_reason}")' if file.yanked_reason else ""
            yanked = f"`{selected.wheel.distribution}` is yanked{reason}"
        return self._chosen(
            Artifact(change, selected.wheel, cached, file.url, tuple(expected), yanked, file.size)
        )

    def _direct(self, change: Change) -> Artifact | PendingBuild:
        """A wheel, an sdist or a source tree given by path or URL."""
        requested = change.requested
        url = requested.url
        assert url is not None
        expected = requested.hashes if self.verify else ()
        if requested.needs_build:
            if url.startswith("file:") and not requested.tree:
                from puv.core.hashes import check_hashes

                check_hashes(requested.display, expected, _local_digests(url, expected))
            return PendingBuild(change, url, None, expected)
        wheel = WheelFilename.parse(_filename_of(url))
        if not url.startswith("file:"):
            cached = self._cached(requested) if expected else None
            return self._chosen(Artifact(change, wheel, cached, url, expected))
        from puv.core.hashes import check_hashes

        digests = _local_digests(url, expected)
        check_hashes(requested.display, expected, digests)
        sha256 = [digest for digest in digests if digest.algorithm == "sha256"]
        cached = None if self.refreshes(requested.name) else self._cached(requested, sha256)
        return self._chosen(Artifact(change, wheel, cached, url, ()))

    # ---- build: wheels from source trees and sdists

    def build(self, pending: Sequence[PendingBuild]) -> list[Artifact]:
        """Build a wheel for each pending build, one at a time (uv's `Building` / `Built`
        lines), as artifacts that install the built wheels."""
        return [self._build_one(item) for item in pending]

    def _build_one(self, item: PendingBuild) -> Artifact:
        from puv.operations.build_ops import build_wheel_for

        printer = self.ctx.printer
        requested = item.requested
        source = self._source_path(item)
        started = time.time()
        try:
            wheel = build_wheel_for(
                self.ctx,
                source,
                self.target.interpreter,
                editable=requested.editable,
                config_settings=self.config_settings(),
                finder=self.finder,
                isolation=self.build_isolation,
            )
            if self.refreshes(requested.name) and wheel.stat().st_ctime < started - 1:
                wheel.unlink()  # `--refresh` / `--reinstall` rebuild what was built before
                wheel = build_wheel_for(
                    self.ctx,
                    source,
                    self.target.interpreter,
                    config_settings=self.config_settings(),
                    finder=self.finder,
                )
        except PuvError as err:
            raise _build_error(item, err) from None
        # A wheel built now was moved into place now (its ctime, to the filesystem's
        # granularity); one built before was reused from the cache, which uv does not mention.
        if requested.tree or wheel.stat().st_ctime >= started - 1:
            shown = item.distribution
            printer.status(f"   {printer.style('Building', 'green', bold=True)} {shown}")
            printer.status(f"      {printer.style('Built', 'green', bold=True)} {shown}")
        built = WheelFilename.parse(wheel.name)
        if built.name != requested.name:
            raise PuvError(
                f"The built wheel `{wheel.name}` is not for `{requested.name}`",
                hint="The project's `[project] name` and its build backend disagree",
            )
        return Artifact(item.change, built, None, wheel.as_uri(), ())

    def build_metadata(self, requested: Requested) -> bytes:
        """The core metadata of an sdist or source tree given by path or URL (PEP 517)."""
        assert requested.url is not None
        expected = requested.hashes if self.verify else ()
        return self._metadata_of(PendingBuild(Change(requested), requested.url, None, expected))

    def index_sdist_metadata(
        self, name: str, version: Version, files: Sequence[IndexFile]
    ) -> bytes:
        """The core metadata of an index version that only an sdist build can tell."""
        sdist = next((file for file in files if not file.is_wheel), None)
        if sdist is None:
            raise PuvError(f"`{name}=={version}` has no source distribution to build")
        expected = tuple(HashDigest(a, d) for a, d in sdist.hashes if a in ALGORITHMS)
        pin = f"=={version}"
        change = Change(Requested(name, pin, display=f"{name}{pin}"))
        return self._metadata_of(PendingBuild(change, sdist.url, str(version), expected))

    def _metadata_of(self, item: PendingBuild) -> bytes:
        from puv.operations.build_ops import build_metadata_for

        try:
            return build_metadata_for(
                self.ctx,
                self._source_path(item),
                self.target.interpreter,
                config_settings=self.config_settings(),
                finder=self.finder,
                isolation=self.build_isolation,
            )
        except PuvError as err:
            raise _build_error(item, err) from None

    def config_settings(self) -> ConfigSettings | None:
        """The settings for build backends: `-C KEY=VALUE` over the configured ones (a repeated
        key gives a list)."""
        configured = {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in self.ctx.settings.pip.config_settings.items()
        }
        return {**configured, **self.cli_config_settings} or None

    def _source_path(self, item: PendingBuild) -> Path:
        """The tree or sdist to build, downloaded (hash-checked) into the cache if remote."""
        import hashlib

        from puv.index.client import path_from_file_url

        if item.requested.is_git:
            return self._git_project(item.requested)
        source = item.source
        if source.startswith("file:"):
            path = Path(path_from_file_url(source))
            if not path.exists():
                raise FailureError(f"Distribution not found at: {source}")
            return path
        filename = _filename_of(source)
        sha256 = next((d.digest for d in item.expected if d.algorithm == "sha256"), None)
        key = sha256 or "url-" + hashlib.sha256(source.encode()).hexdigest()[:16]
        path = self.ctx.cache.bucket("sdists") / key / filename
        if path.is_file() and not self.refreshes(item.requested.name):
            return path
        try:
            self.client.download(
                source, path, expected=item.expected, distribution=item.distribution
            )
        except PuvError as err:
            raise FailureError(
                f"Failed to download `{item.distribution}`",
                causes=[err.message, *err.causes],
                hint=err.hint,
            ) from None
        return path

    def _git_project(self, requested: Requested) -> Path:
        """The checked-out project of a pinned `git+` reference."""
        from puv.operations.pip_requirements import git_source

        assert self.git is not None, requested
        url = git_source(requested)
        assert url.precise is not None, requested
        return self.git.project_for(url, url.precise, requested.display)

    # ---- fetch: download and unpack what the cache lacks

    def _start_fetching(self, expected: int) -> None:
        """Get ready to fetch about `expected` wheels while resolving: many of them are
        unpacked in worker processes (on several cores)."""
        from puv.operations.unpack_workers import Unpacker

        settings = self.ctx.settings
        workers = settings.concurrent_installs if expected >= _WORKER_THRESHOLD else 0
        self._unpacker = Unpacker(
            self.ctx.cache,
            processes=workers if (os.cpu_count() or 1) > 1 else 0,
            threads=settings.concurrent_installs,
        )
        self._prefetching = True

    def _chosen(self, artifact: Artifact) -> Artifact:
        """Start fetching `artifact` now if it is not in the cache and prefetching is on."""
        if self._prefetching and artifact.cached is None:
            name = artifact.requested.name
            self._fetches[name] = self._submit_fetch(artifact)
        return artifact

    def _submit_fetch(self, artifact: Artifact) -> Future[CachedWheel]:
        """Start fetching one artifact on the client's pool; the first starts the clock."""
        if self._fetch_started is None:
            self._fetch_started = time.perf_counter()
        return self.client.submit(self._fetch_one, artifact)

    def fetch(self, artifacts: Sequence[Artifact]) -> list[Artifact]:
        """Download (in parallel) and unpack every artifact that is not in the cache yet."""
        pending = [artifact for artifact in artifacts if artifact.cached is None]
        if not pending:
            return list(artifacts)
        if self._unpacker is None:
            self._start_fetching(len(pending))
        futures = [self._fetches.get(a.requested.name) or self._submit_fetch(a) for a in pending]
        self._show_progress(len(pending))
        fetched = {a.requested.name: f.result() for a, f in zip(pending, futures, strict=True)}
        if self._bar is not None:
            self._bar.close()
        assert self._fetch_started is not None
        self.ctx.printer.status(counted("Prepared", len(pending), since(self._fetch_started)))
        return [
            replace(artifact, cached=fetched.get(artifact.requested.name, artifact.cached))
            for artifact in artifacts
        ]

    def _show_progress(self, total: int) -> None:
        """On a terminal, a bar for the `total` wheels being prepared (some may be done already:
        fetching starts while resolving, before the `Resolved` line, which a bar must not
        overwrite)."""
        from puv.operations.progress import preparing_bar

        with self._progress_lock:
            self._bar = preparing_bar(self.ctx.printer, total, done=self._prepared)

    def _fetch_one(self, artifact: Artifact) -> CachedWheel:
        import shutil

        from puv.cache.persist import temp_dir_in
        from puv.index.client import path_from_file_url

        location = artifact.location
        unpacker = self._unpacker
        assert location is not None and unpacker is not None
        try:
            if location.startswith("file:"):
                path = Path(path_from_file_url(location))
                unpacked = unpacker.unpack(path, artifact.wheel, artifact.expected)
            else:
                staging = temp_dir_in(self.wheels.pointers)
                announced = self._announce_download(artifact)
                try:
                    download = self.client.download(
                        location,
                        staging / artifact.wheel.filename,
                        expected=artifact.expected,
                        distribution=artifact.distribution,
                    )
                    if announced:
                        printer = self.ctx.printer
                        shown = printer.style("Downloaded", "green", bold=True)
                        printer.status(f" {shown} {artifact.wheel.name}")
                    unpacked = unpacker.unpack(download.path, artifact.wheel)
                finally:
                    shutil.rmtree(staging, ignore_errors=True)
        except PuvError as err:
            raise FailureError(
                f"Failed to download `{artifact.distribution}`",
                causes=[err.message, *err.causes],
                hint=err.hint,
            ) from None
        recorded = self.wheels.record(artifact.wheel.name, unpacked)
        with self._progress_lock:
            self._prepared += 1
            if self._bar is not None:
                self._bar.advance()
        return recorded

    def _announce_download(self, artifact: Artifact) -> bool:
        """uv's `Downloading name (size)` line for a download over 1 MiB, when no progress bar
        is drawn (redirected output, `--no-progress`); whether it was printed."""
        from puv.operations.progress import shows_progress

        size = artifact.size
        printer = self.ctx.printer
        if size is None or size <= _LARGE_DOWNLOAD or shows_progress(printer):
            return False
        from puv.cache.clean import human_readable_bytes

        shown = printer.style("Downloading", "green", bold=True)
        printer.status(f"{shown} {artifact.wheel.name} ({human_readable_bytes(size)})")
        return True

    # ---- apply: uninstall, then link, under the environment lock

    def apply(self, plan: Plan, artifacts: Sequence[Artifact]) -> list[Dist]:
        """Uninstall what is replaced or extraneous, then install the artifacts (in parallel).

        The caller holds the environment lock."""
        from puv.install.link import Linker, LinkMode

        printer = self.ctx.printer
        settings = self.ctx.settings.pip
        layout = layout_of(self.target)
        by_name = {artifact.requested.name: artifact for artifact in artifacts}
        removals = [
            (dist, by_name.get(dist.name))
            for dist in (*(d for c in plan.changes for d in c.replaces), *plan.extraneous)
        ]
        linker = Linker(LinkMode.parse(settings.link_mode), warn=printer.warn)
        if removals:
            start = time.perf_counter()
            wheels = self.wheels if any(not d.complete for d, _ in removals) else None
            for dist, artifact in sorted(removals, key=lambda item: item[0].name):
                same_version = artifact is not None and str(artifact.wheel.version) == dist.version
                archive = artifact.cached if artifact is not None and same_version else None
                remove_distribution(dist, layout, wheels, warn=printer.warn, archive=archive)
            printer.status(counted("Uninstalled", len(removals), since(start)))
        if not artifacts:
            return []
        start = time.perf_counter()
        installed = self._install_all(artifacts, layout, linker)
        printer.status(counted("Installed", len(artifacts), since(start)))
        if settings.compile_bytecode:
            self._compile(installed)
        return [Dist(a.wheel.name, str(a.wheel.version), a.requested.url) for a in artifacts]

    def _install_all(
        self, artifacts: Sequence[Artifact], layout: Layout, linker: Linker
    ) -> list[Path]:
        from concurrent.futures import ThreadPoolExecutor

        from puv.core.env import env_bool
        from puv.install.wheel_install import install_wheel

        skip_check = bool(env_bool("UV_SKIP_WHEEL_FILENAME_CHECK", os.environ))

        def install(artifact: Artifact) -> Path:
            cached = artifact.cached
            assert cached is not None
            result = install_wheel(
                cached.archive,
                artifact.wheel,
                layout,
                linker,
                direct_url=None if artifact.requested.is_git else direct_url(artifact.requested),
                skip_filename_check=skip_check,
            )
            if artifact.requested.tree:
                self._record_tree(result.dist_info, artifact.requested)
            elif artifact.requested.is_git:
                self._record_git(result.dist_info, artifact.requested)
            return result.dist_info

        workers = max(1, min(self.ctx.settings.concurrent_installs, len(artifacts)))
        if workers == 1:
            return [install(artifact) for artifact in artifacts]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="puv-install") as pool:
            futures = [pool.submit(install, artifact) for artifact in artifacts]
            errors = [future.exception() for future in futures]
        for error in errors:
            if error is not None:
                raise error
        return [future.result() for future in futures]

    def _record_tree(self, dist_info: Path, requested: Requested) -> None:
        """uv's record of a source tree install (`uv_cache.json`, `uv_build.json`), by which
        `pip sync` knows it is still current."""
        from puv.index.client import path_from_file_url
        from puv.operations.editable import build_info, cache_info, record_tree_install

        assert requested.url is not None
        directory = Path(path_from_file_url(requested.url))
        record_tree_install(
            dist_info,
            directory,
            editable=requested.editable,
            info=cache_info(directory, os.environ),
            build=build_info(self.config_settings()),
        )

    def _record_git(self, dist_info: Path, requested: Requested) -> None:
        """uv's record of a Git install: `direct_url.json` with the commit, `uv_build.json`."""
        from puv.operations.editable import build_info
        from puv.operations.git_install import record_install
        from puv.operations.pip_requirements import git_source

        record_install(dist_info, git_source(requested), build=build_info(self.config_settings()))

    def fresh_trees(
        self, installed: Sequence[InstalledDist], wanted: Sequence[Requested]
    ) -> set[str]:
        """The wanted source trees whose installed build is still current (same tree, mode,
        cache info and build settings)."""
        if not any(item.tree for item in wanted):
            return set()
        from puv.index.client import path_from_file_url
        from puv.operations.editable import build_info, cache_info, is_fresh

        by_name = {dist.name: dist for dist in installed}
        build = build_info(self.config_settings())
        fresh = set()
        for item in wanted:
            dist = by_name.get(item.name)
            if not item.tree or item.url is None or dist is None:
                continue
            directory = Path(path_from_file_url(item.url))
            info = cache_info(directory, os.environ)
            if is_fresh(dist, directory, editable=item.editable, info=info, build=build):
                fresh.add(item.name)
        return fresh

    def _compile(self, dist_infos: Sequence[Path]) -> None:
        from puv.install.bytecode import compile_files
        from puv.install.dist_info import read_record

        files = []
        for dist_info in dist_infos:
            site_packages = dist_info.parent
            for entry in read_record(dist_info / "RECORD"):
                if entry.path.endswith(".py"):
                    files.append(os.path.normpath(os.path.join(site_packages, entry.path)))
        start = time.perf_counter()
        count = compile_files(files, self.target.interpreter.sys_executable)
        self.ctx.printer.status(f"Bytecode compiled {plural(count, 'file')} in {since(start)}")
