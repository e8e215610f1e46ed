"""Build wheels and sdists from source trees and sdists, in isolated build environments.

`build_wheel_for` is what sync and the resolver call: a local source tree is built (editable or
not) every time into a per-source directory of the `sdists` bucket; an sdist is extracted safely
and its wheel cached by the sha256 of the archive (and the interpreter and config settings), so a
second request for the same archive builds nothing. `build_distributions` is `puv build`: an sdist,
then a wheel built from that sdist (or either one alone).

Build environments come from `build.environment.BuildEnvironments` (cached by pinned set and
interpreter); the build requirements of `[build-system]` are installed first, then whatever the
backend's `get_requires_for_build_*` hook adds. With `no-build-isolation` (or the project named in
`no-build-isolation-package`) the backend runs in the target interpreter's own environment instead,
and, as in uv, no build requirement is installed or asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct

from puv.build.errors import BuildError, build_failure
from puv.cache.file_digest import file_sha256
from puv.cache.layout import CacheLayout
from puv.core.errors import PuvError
from puv.operations.context import Context
from puv.python.interpreter import Interpreter

if TYPE_CHECKING:
    from puv.build.environment import BuildEnvironment, BuildEnvironments, BuildIsolation
    from puv.build.frontend import BuildBackend, ConfigSettings, Kind
    from puv.index.indexes import Index, PackageFinder
    from puv.project.settings import PipSettings, Settings

    # Where `no-build-isolation[-package]` are read: the command's settings, or for `puv pip`
    # commands their `[pip]` view (which `[pip]` tables in configuration files also reach).
    IsolationSettings = Settings | PipSettings


class BuiltDistributions(Struct, frozen=True):
    """What `build_distributions` produced (either may be None when not asked for)."""

    sdist: Path | None
    wheel: Path | None


def build_wheel_for(
    ctx: Context,
    source: Path,
    interpreter: Interpreter,
    *,
    editable: bool = False,
    config_settings: ConfigSettings | None = None,
    finder: PackageFinder | None = None,
    isolation: IsolationSettings | None = None,
) -> Path:
    """A wheel built from `source` (a source tree or a `.tar.gz`/`.zip` sdist) for `interpreter`.

    `editable` builds a PEP 660 editable wheel (source trees only). `finder` looks build
    requirements up (default: one made from the context's index settings). The backend's output
    is captured and shown only in the error when it fails. Raises `PuvError` (`BuildError` for a
    failing backend, `SdistError` for an unsafe or malformed archive).
    """
    from puv.build.sdist import check_sdist_filename

    source = source.absolute()
    with _builder(ctx, interpreter, finder, config_settings, None, isolation) as builder:
        if source.is_dir():
            out = _tree_output_dir(ctx, source, interpreter, editable, config_settings)
            kind: Kind = "editable" if editable else "wheel"
            return builder.tree(source, _display_tree(source), kind, out)
        if editable:
            raise PuvError(f"Editable installs require a source tree, not `{source}`")
        check_sdist_filename(source.name, str(source))
        entry = (
            ctx.cache.bucket("sdists")
            / file_sha256(source)
            / _variant(interpreter, config_settings)
        )
        cached = sorted(entry.glob("*.whl")) if entry.is_dir() else []
        return cached[0] if cached else builder.archive(source, entry)


def build_metadata_for(
    ctx: Context,
    source: Path,
    interpreter: Interpreter,
    *,
    config_settings: ConfigSettings | None = None,
    finder: PackageFinder | None = None,
    isolation: IsolationSettings | None = None,
) -> bytes:
    """The core metadata (`METADATA` bytes) of a source tree or sdist, for the resolver.

    Asks the backend's `prepare_metadata_for_build_wheel`; a backend without it has its wheel
    built (and, for an sdist, cached) and the metadata read from the wheel. For an sdist the
    result is cached beside its wheel, by the archive's sha256.
    """
    from puv.build.sdist import check_sdist_filename
    from puv.cache.persist import write_atomic

    source = source.absolute()
    with _builder(ctx, interpreter, finder, config_settings, None, isolation) as builder:
        if source.is_dir():
            return builder.tree_metadata(source, _display_tree(source), None)
        check_sdist_filename(source.name, str(source))
        entry = (
            ctx.cache.bucket("sdists")
            / file_sha256(source)
            / _variant(interpreter, config_settings)
        )
        cached = entry / "METADATA"
        if cached.is_file():
            return cached.read_bytes()
        wheels = sorted(entry.glob("*.whl")) if entry.is_dir() else []
        metadata = _wheel_metadata(wheels[0]) if wheels else builder.archive_metadata(source, entry)
        write_atomic(cached, metadata)
        return metadata


def build_distributions(
    ctx: Context,
    source: Path,
    interpreter: Interpreter,
    out_dir: Path,
    *,
    sdist: bool = True,
    wheel: bool = True,
    wheel_from_sdist: bool = True,
    config_settings: ConfigSettings | None = None,
    finder: PackageFinder | None = None,
    create_gitignore: bool = True,
    build_logs: bool = True,
) -> BuiltDistributions:
    """`puv build`: from a source tree, an sdist and/or a wheel; with both, the wheel is built
    from the new sdist unless `wheel_from_sdist` is False (uv's default is to, and not to when
    `--sdist --wheel` are both given). From an sdist archive, its wheel (only with `wheel=True,
    sdist=False`, as uv wants `--wheel` spelled out).

    Progress goes to the printer as uv's `Building ...` lines, and so does the backend's output
    line by line unless `build_logs` is False (then it is not shown at all, as in uv); `out_dir` gets a `.gitignore` (`*`) unless
    `create_gitignore` is False.
    """
    from puv.build.frontend import check_python_project

    source, out_dir = source.absolute(), out_dir.absolute()
    if not source.exists():
        raise PuvError(f"Source `{source}` does not exist")
    display = str(source)  # `uv build` names the source by its path
    printer = ctx.printer
    if source.is_file():
        if sdist or not wheel:
            raise build_failure(
                display, "Pass `--wheel` explicitly to build a wheel from a source distribution"
            )
    else:
        try:
            check_python_project(source)
        except PuvError as err:
            raise build_failure(display, err.message) from None
    log = printer.status if build_logs else _discard  # hidden logs are not shown in errors either
    with _builder(ctx, interpreter, finder, config_settings, log) as builder:
        _prepare_out_dir(out_dir, create_gitignore)
        if source.is_file():
            printer.status("Building wheel from source distribution...")
            return BuiltDistributions(None, builder.archive(source, out_dir))
        built_sdist = built_wheel = None
        if sdist:
            printer.status("Building source distribution...")
            built_sdist = builder.tree(source, display, "sdist", out_dir)
        if wheel:
            if built_sdist is not None and wheel_from_sdist:
                printer.status("Building wheel from source distribution...")
                built_wheel = builder.archive(built_sdist, out_dir)
            else:
                printer.status("Building wheel...")
                built_wheel = builder.tree(source, display, "wheel", out_dir)
    return BuiltDistributions(built_sdist, built_wheel)


def _discard(line: str) -> None:
    """A build log sink that shows nothing (`--no-build-logs`)."""


def _prepare_out_dir(out_dir: Path, create_gitignore: bool) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    ignore = out_dir / ".gitignore"
    if create_gitignore and not ignore.exists():
        ignore.write_text("*")


# --- steps --------------------------------------------------------------------------------------


class _Builder:
    """Builds trees and sdists in the environments of one interpreter, with one set of config
    settings; `isolation` says which builds run in the interpreter's own environment instead;
    `log` receives the backend's output lines (None: captured for errors only)."""

    def __init__(
        self,
        cache: CacheLayout,
        environments: BuildEnvironments,
        isolation: BuildIsolation,
        config_settings: ConfigSettings | None,
        log: Callable[[str], None] | None,
    ) -> None:
        self.cache = cache
        self.environments = environments
        self.isolation = isolation
        self.config_settings = config_settings
        self.log = log

    def tree(self, source: Path, display: str, kind: Kind, out_dir: Path) -> Path:
        """Build `kind` from the tree at `source` into `out_dir` (staged, then moved in place)."""
        from puv.cache.persist import temp_dir_in

        backend = self._backend(source, display, kind)
        out_dir.mkdir(parents=True, exist_ok=True)
        stage = temp_dir_in(out_dir)
        try:
            built = backend.build(kind, stage, self.config_settings)
            final = out_dir / built.name
            os.replace(built, final)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        return final

    def archive(self, archive: Path, out_dir: Path) -> Path:
        """Extract the sdist `archive` in a scratch directory and build its wheel into `out_dir`."""
        with self._extracted(archive) as (tree, display):
            return self.tree(tree, display, "wheel", out_dir)

    @contextmanager
    def _extracted(self, archive: Path) -> Iterator[tuple[Path, str]]:
        """The sdist extracted in a scratch directory (removed afterwards), and its display."""
        from puv.build.sdist import extract_sdist
        from puv.cache.persist import temp_dir_in

        display = f"{_sdist_name(archive.name)} @ {archive.as_uri()}"
        scratch = temp_dir_in(self.cache.bucket("sdists"))
        try:
            try:
                tree = extract_sdist(archive, scratch / "src", display=display)
            except PuvError as err:
                raise build_failure(display, err.message, *err.causes) from None
            yield tree, display
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def tree_metadata(self, source: Path, display: str, wheel_dir: Path | None) -> bytes:
        """The METADATA of the tree at `source`: from `prepare_metadata_for_build_wheel`, else
        from its wheel (built into `wheel_dir`, or a scratch directory when None)."""
        from puv.cache.persist import temp_dir_in

        backend = self._backend(source, display, "wheel")
        scratch = temp_dir_in(self.cache.bucket("sdists"))
        try:
            dist_info = backend.prepare_metadata("wheel", scratch / "meta", self.config_settings)
            if dist_info is not None:
                return (dist_info / "METADATA").read_bytes()
            built = backend.build("wheel", scratch / "wheel", self.config_settings)
            metadata = _wheel_metadata(built)
            if wheel_dir is not None:  # keep the wheel: the next build of this sdist is free
                wheel_dir.mkdir(parents=True, exist_ok=True)
                os.replace(built, wheel_dir / built.name)
            return metadata
        except OSError as err:
            raise build_failure(display, "Failed to read the built metadata", str(err)) from None
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def archive_metadata(self, archive: Path, wheel_dir: Path) -> bytes:
        """The METADATA of the sdist `archive` (a wheel built on the way lands in `wheel_dir`)."""
        with self._extracted(archive) as (tree, display):
            return self.tree_metadata(tree, display, wheel_dir)

    def _backend(self, source: Path, display: str, kind: Kind) -> BuildBackend:
        """The tree's backend, in an environment with all its build requirements for `kind`
        (or, without build isolation, in the interpreter's own environment as it is)."""
        from puv.build.environment import shared_environment
        from puv.build.frontend import BuildBackend, hook_environment, read_build_system

        try:
            system = read_build_system(source)
        except PuvError as err:
            raise build_failure(display, err.message, *err.causes) from None

        def backend_in(env: BuildEnvironment) -> BuildBackend:
            environ = hook_environment(os.environ, venv_root=env.root, scripts=env.scripts)
            return BuildBackend(source, system, env.python, environ, display=display, log=self.log)

        if not self.isolation.is_isolated(system.name or _pkg_info_name(source)):
            return backend_in(shared_environment(self.environments.interpreter))
        requires = list(system.requires)
        backend = backend_in(self._environment(requires, display))
        extra = [r for r in backend.get_requires(kind, self.config_settings) if r not in requires]
        return backend_in(self._environment(requires + extra, display)) if extra else backend

    def _environment(self, requirements: list[str], display: str) -> BuildEnvironment:
        """An isolated environment with `requirements` (a failure names the source built)."""
        try:
            return self.environments.environment(requirements)
        except BuildError:
            raise
        except PuvError as err:
            raise build_failure(display, err.message, *err.causes, hint=err.hint) from None


# --- services and names -------------------------------------------------------------------------


@contextmanager
def _builder(
    ctx: Context,
    interpreter: Interpreter,
    finder: PackageFinder | None,
    config_settings: ConfigSettings | None,
    log: Callable[[str], None] | None,
    isolation: IsolationSettings | None = None,
) -> Iterator[_Builder]:
    """A builder for `interpreter`, under the shared cache lock, looking build requirements up
    with `finder` (or a finder over the context's indexes, closed on exit), isolating builds as
    `isolation` says (`no-build-isolation`, `no-build-isolation-package`; default: the
    command's settings)."""
    from puv.build.environment import BuildEnvironments, BuildIsolation
    from puv.cache.lock import cache_lock, lock_timeout_from_env
    from puv.core.wheel_filename import normalize_name

    ctx.cache.ensure()
    held = cache_lock(ctx.cache.root, timeout=lock_timeout_from_env(os.environ))  # shared
    own: PackageFinder | None = None
    try:
        if finder is None:
            finder = own = default_finder(ctx)
        environments = BuildEnvironments(ctx.cache, finder, interpreter)
        settings = isolation if isolation is not None else ctx.settings
        shared = BuildIsolation(
            shared=settings.no_build_isolation,
            shared_packages=frozenset(map(normalize_name, settings.no_build_isolation_package)),
        )
        yield _Builder(ctx.cache, environments, shared, config_settings, log)
    finally:
        if own is not None:
            own.client.close()
        held.release()


def default_finder(ctx: Context, cli_indexes: Sequence[Index] = ()) -> PackageFinder:
    """A package finder over `cli_indexes` (first) and the indexes and find-links of the settings."""
    from puv.index.indexes import IndexList, IndexStrategy, PackageFinder, command_line_indexes
    from puv.operations.network import configured_indexes, http_client

    settings = ctx.settings
    indexes = [
        *cli_indexes,
        *configured_indexes(settings.index),
        *command_line_indexes(
            extra_index_url=settings.extra_index_url, index_url=settings.index_url
        ),
    ]
    index_list = IndexList(
        indexes=tuple(indexes),
        find_links=tuple(settings.find_links),
        no_index=settings.no_index,
        strategy=IndexStrategy(settings.index_strategy),
    )
    return PackageFinder(http_client(ctx, index_list), index_list)


def _tree_output_dir(
    ctx: Context,
    source: Path,
    interpreter: Interpreter,
    editable: bool,
    config_settings: ConfigSettings | None,
) -> Path:
    """Where wheels of a local tree go: one directory per (path, interpreter, mode, settings)."""
    key = json.dumps([str(source), editable, _variant(interpreter, config_settings)])
    return ctx.cache.bucket("sdists") / "path" / hashlib.sha256(key.encode()).hexdigest()[:16]


def _variant(interpreter: Interpreter, config_settings: ConfigSettings | None) -> str:
    """What besides the source changes the built wheel: interpreter and config settings."""
    key = json.dumps([interpreter.key, dict(config_settings or {})], sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _wheel_metadata(wheel: Path) -> bytes:
    """The `*.dist-info/METADATA` of a wheel puv just built (or cached)."""
    import zipfile

    with zipfile.ZipFile(wheel) as bundle:
        for name in bundle.namelist():
            top, _, rest = name.partition("/")
            if top.endswith(".dist-info") and rest == "METADATA":
                return bundle.read(name)
    raise BuildError(f"The built wheel `{wheel.name}` has no `.dist-info/METADATA`")


def _sdist_name(filename: str) -> str:
    """`pkg` from `pkg-1.0.tar.gz` (uv names the sdist by its project in errors)."""
    for suffix in (".tar.gz", ".zip"):
        if filename.lower().endswith(suffix):
            return filename[: -len(suffix)].rpartition("-")[0] or filename
    return filename


def _pkg_info_name(source: Path) -> str | None:
    """The `Name` of the `PKG-INFO` of an extracted sdist (None without one)."""
    from email.parser import BytesHeaderParser

    try:
        headers = BytesHeaderParser().parsebytes((source / "PKG-INFO").read_bytes())
    except OSError:
        return None
    name = headers.get("Name")
    return str(name).strip() if name else None


def _display_tree(source: Path) -> str:
    """`name @ file:///path` when the tree names its project statically, else the path."""
    from puv.build.frontend import read_build_system

    try:
        name = read_build_system(source).name
    except PuvError:
        name = None
    return f"{name} @ {source.as_uri()}" if name else str(source)
