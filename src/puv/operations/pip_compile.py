"""`puv pip compile`: read the inputs, resolve them for one target environment, render the pins.

Inputs are requirements files (`-r` style, with `-c` includes and index options), `pyproject.toml`
(`[project] dependencies`, extras, `[dependency-groups]`) or `-` (stdin). Direct references
(source trees, editables, wheels and sdists by path or URL, named `git+` URLs pinned to their
commit) take part with their one version (`direct_releases`), and are written back as they were
given, as uv writes them; `--excludes` files name
packages to leave out of the resolution altogether, `-P name<2` upgrades within a constraint. The
target is the found interpreter, changed by `--python-version` (markers and tags of that
version) and `--python-platform` (markers and tags of that platform, as uv maps its target
triples), or every environment from the target Python up (`--universal`). Pins of an existing
`--output-file` (requirements.txt or pylock.toml) are kept as preferences unless `--upgrade` /
`--upgrade-package`. The output is requirements.txt, or a pylock.toml (PEP 751) when asked with
`--format` or an output file named `pylock*.toml`.
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import msgspec
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from puv.core.errors import PuvError, PythonNotFound, UsageError
from puv.core.markers import Marker
from puv.core.paths import user_display
from puv.core.version_ranges import release_only_trimmed
from puv.operations.compile_output import (
    OutputOptions,
    PinnedEntry,
    ResolvedPin,
    direct_requirement,
    pinned_requirement,
    pylock_document,
    render,
    sort_key,
    wrap,
)
from puv.operations.context import Context
from puv.operations.exclude_newer import exclude_newer_cutoff
from puv.operations.network import configured_indexes, http_client
from puv.operations.pip_requirements import (
    Requested,
    Understood,
    asked_extras,
    conflicting_urls,
    git_source,
    merge_requested,
    pinned_git,
    read_group,
    requested_at,
    understand,
)
from puv.operations.target_platform import Target, parse_python_version, target_of
from puv.project.settings_schema import check_exclude_newer, normalize_name, package_name_error

if TYPE_CHECKING:
    from packaging.markers import Marker as Pep508Marker

    from puv.cache.http_cache import Refresh
    from puv.cache.layout import CacheLayout
    from puv.index.indexes import Index, IndexList
    from puv.operations.compile_output import DirectSource
    from puv.operations.direct_releases import DirectProvider, DirectReleases, DirectRoute
    from puv.operations.git import GitCheckouts
    from puv.operations.resolver_provider import IndexProvider, ProviderOptions
    from puv.project.pyproject import PyProject
    from puv.project.requirements_txt import RequirementsFile
    from puv.python.interpreter import Interpreter
    from puv.resolver.provider import MetadataUnavailable, PackageMetadata, Provider
    from puv.resolver.report import NoSolutionError
    from puv.resolver.resolve import Resolution, ResolverOptions

STDIN = "-"


class CompileRequest(msgspec.Struct, frozen=True):
    """What the command line asks for beyond the merged `pip` settings.

    `sources`, `constraints`, `overrides`, `excludes`, `build_constraints`: files as given (`-`
    is stdin); `command`: the header's command line (None with `--no-header`); `format`:
    `requirements.txt`, `pylock.toml` or None (inferred from the output file); `indexes`:
    `--index` / `--default-index` values; `refresh` / `refresh_packages`: revalidate cached
    pages; `read_stdin` reads `-`.
    """

    sources: tuple[str, ...]
    constraints: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    build_constraints: tuple[str, ...] = ()
    format: str | None = None
    refresh: bool = False
    refresh_packages: tuple[str, ...] = ()
    command: str | None = None
    index: tuple[str, ...] = ()
    default_index: str | None = None
    python: str | None = None
    no_build: bool = False
    read_stdin: Callable[[], str] = lambda: ""


class CompileResult(msgspec.Struct, frozen=True):
    """The rendered output, how many packages were resolved, how long it took, and warnings
    about the resolution to show after the status line."""

    output: str
    resolved: int
    seconds: float
    warnings: tuple[str, ...] = ()


REQUIREMENTS_TXT = "requirements.txt"
PYLOCK_TOML = "pylock.toml"
# The packages uv takes from the PyTorch index under `--torch-backend` (`TorchStrategy::applies_to`).
TORCH_PACKAGES = frozenset(
    {
        "fbgemm-gpu", "fbgemm-gpu-genai", "pytorch-triton", "pytorch-triton-rocm",
        "pytorch-triton-xpu", "torch", "torch-tensorrt", "torchao", "torcharrow", "torchaudio",
        "torchcodec", "torchcsprng", "torchdistx", "torchrec", "torchserve", "torchtext",
        "torchtune", "torchvision", "triton", "triton-rocm", "triton-xpu", "xformers",
    }
)  # fmt: skip


class _Outcome(msgspec.Struct, frozen=True):
    """A resolution as the output needs it: requirements.txt entries, one pin per version, and
    the warnings uv prints after its status line."""

    entries: list[PinnedEntry]
    pins: list[ResolvedPin]
    warnings: tuple[str, ...]


class _Inputs(msgspec.Struct):
    requirements: list[tuple[Requirement, str | None]] = msgspec.field(default_factory=list)
    constraints: list[tuple[Requirement, str | None]] = msgspec.field(default_factory=list)
    overrides: list[tuple[Requirement, str | None]] = msgspec.field(default_factory=list)
    index_url: str | None = None
    extra_index_urls: list[str] = msgspec.field(default_factory=list)
    find_links: list[str] = msgspec.field(default_factory=list)
    no_index: bool = False
    no_binary: list[str] = msgspec.field(default_factory=list)
    only_binary: list[str] = msgspec.field(default_factory=list)
    used_extras: set[str] = msgspec.field(default_factory=set)
    excludes: set[str] = msgspec.field(default_factory=set)
    project: str | None = None
    directs: dict[str, Requested] = msgspec.field(default_factory=dict)
    unnamed: set[str] = msgspec.field(default_factory=set)
    # where each name's kept reference applies, its references to other URLs (allowed where
    # they apply in other environments) and the names also required without a URL
    direct_markers: dict[str, Marker] = msgspec.field(default_factory=dict)
    other_urls: dict[str, list[tuple[Requested, Marker]]] = msgspec.field(default_factory=dict)
    registry_names: set[str] = msgspec.field(default_factory=set)
    # the URLs constraints and overrides give a package, used if it is required
    constraint_urls: dict[str, Requested] = msgspec.field(default_factory=dict)
    override_urls: set[str] = msgspec.field(default_factory=set)
    # checks out unnamed `git+` references to name them (and later resolves them again)
    git: GitCheckouts | None = None

    def add_constraint_url(self, requested: Requested, *, override: bool) -> None:
        """A constraint's or override's URL: where the package comes from if anything requires
        it (an override's replaces a constraint's; two different ones are uv's error)."""
        name = requested.name
        known = self.constraint_urls.get(name)
        if override and name not in self.override_urls:
            self.override_urls.add(name)
            self.constraint_urls[name] = requested
        elif known is not None and known.url != requested.url:
            raise conflicting_urls(name, (known.url or "", requested.url or ""))
        elif known is None:
            self.constraint_urls[name] = requested

    def add_direct(
        self, requested: Requested, *, unnamed: bool = False, marker: Marker = Marker.TRUE
    ) -> None:
        """A direct reference among the requirements, where `marker` holds. Written twice,
        the later one is kept as written (uv takes named requirements before unnamed ones),
        editable if either is; a reference to another URL is kept apart (`other_urls`)."""
        name = requested.name
        known = self.directs.get(name)
        if known is not None and known.url != requested.url:
            others = self.other_urls.setdefault(name, [])
            for position, (other, where) in enumerate(others):
                if other.url == requested.url:
                    others[position] = (merge_requested(other, requested), where | marker)
                    return
            others.append((requested, marker))
            return
        self.direct_markers[name] = self.direct_markers.get(name, Marker.FALSE) | marker
        if known is None:
            self.directs[name] = requested
        elif unnamed or name not in self.unnamed:
            merged = merge_requested(known, requested)
            self.directs[name] = msgspec.structs.replace(merged, given=requested.given)
        else:
            self.directs[name] = merge_requested(known, requested)
        if unnamed:
            self.unnamed.add(name)


# ----------------------------------------------------------------------------- entry point


def pip_compile(ctx: Context, request: CompileRequest) -> CompileResult:
    """Resolve the request's inputs and render them; writes `--output-file` when set."""
    pip = ctx.settings.pip
    if pip.universal and pip.python_platform:
        raise UsageError(
            "the argument '--universal' cannot be used with '--python-platform <PYTHON_PLATFORM>'"
        )
    output_file = pip.output_file
    if output_file and Path(output_file).name.lower() == "pyproject.toml":
        raise PuvError(
            "`pyproject.toml` is not a supported output format for `puv pip compile` (only "
            "`requirements.txt`-style output is supported)"
        )
    output_format = _output_format(request.format, output_file)
    if not request.sources and not pip.group:
        raise PuvError("No requirements files were provided")
    if pip.emit_marker_expression and output_format == REQUIREMENTS_TXT:
        raise PuvError("`--emit-marker-expression` is not supported by `puv pip compile` yet")
    inputs = _read_inputs(ctx, request, pip)
    indexes = _index_list(ctx, request, pip, inputs)
    requirements = [
        requirement
        for requirement, _ in inputs.requirements
        if canonicalize_name(requirement.name) not in inputs.excludes
    ]
    from puv.index.indexes import PackageFinder
    from puv.operations.direct_releases import DirectProvider, split_references
    from puv.operations.resolver_provider import sdist_metadata_builder
    from puv.resolver.report import NoSolutionError

    with http_client(ctx, indexes, refresh=_refresh(request, pip)) as client:
        provider = _provider(ctx, client, indexes, pip)
        # the pages of the direct requirements load while the interpreter is found
        provider.prefetch(
            [
                name
                for name in (canonicalize_name(r.name) for r in requirements)
                if name not in inputs.directs
            ]
        )
        python_version = pip.python_version
        python = request.python
        if python_version is None and python is not None and _is_version(python):
            python_version, python = python, None
        interpreter = _interpreter(ctx, python, python_version)
        target = target_of(
            interpreter,
            python_version=python_version,
            python_platform=pip.python_platform,
            environ=os.environ,
        )
        started = time.perf_counter()
        finder = PackageFinder(client, indexes)
        builder = sdist_metadata_builder(ctx, interpreter, finder=finder, isolation=pip)
        provider.configure(
            msgspec.structs.replace(
                _provider_options(client, indexes, target, pip), build_metadata=builder
            )
        )
        environment = None if pip.universal else dict(target.markers)
        named, routes = split_references(
            inputs.directs,
            inputs.direct_markers,
            inputs.other_urls,
            inputs.registry_names,
            environment,
        )
        pending = _constraint_references(inputs, named, routes)
        releases = _direct_loader(client, ctx.cache, builder, inputs.git)
        directs = releases.collect(
            named, asked_extras(r for r, _ in inputs.requirements), ctx.cwd, environment
        )
        routed = {route.key: releases.load(route.requested) for route in routes}
        lookup = DirectProvider(
            provider, directs, ctx.cwd, environment, routed, pending, releases.load
        )
        pins = _PinSources(lookup, releases, provider)
        options = _resolver_options(
            ctx, pip, inputs, interpreter, target, output_file, output_format, request
        )
        if pip.resolution in ("lowest", "lowest-direct"):
            _warn_unbounded_direct(ctx, requirements)
        source: Provider = _NoDependencies(lookup) if pip.no_deps else lookup
        try:
            if pip.universal:
                requires_python = _universal_requires_python(python_version, interpreter)
                outcome = _universal(
                    requirements, source, options, inputs, pins, pip, requires_python, routes
                )
            else:
                requires_python = f">={release_only_trimmed(target.python_version)}"
                with_markers = pip.no_strip_markers or output_format == PYLOCK_TOML
                outcome = _single(requirements, source, options, inputs, pins, pip, with_markers)
        except NoSolutionError as error:
            raise _with_exclude_newer_hints(error, provider, requirements) from None
        _refuse_torch_backend(pip.torch_backend, outcome.pins)
        entries = outcome.entries
        if pip.emit_index_annotation and output_format == REQUIREMENTS_TXT:
            entries = _with_index_annotations(entries, outcome.pins, provider, lookup.directs)
    elapsed = time.perf_counter() - started
    excluded = {canonicalize_name(name) for name in pip.no_emit_package}
    pinned = {pin.name for pin in outcome.pins}
    output_options = OutputOptions(
        command=request.command,
        preamble=_preamble(indexes, pip, inputs),
        annotate=not pip.no_annotate,
        annotation_style=pip.annotation_style,
        index_annotation=pip.emit_index_annotation,
        excluded=tuple(sorted(name for name in excluded if name in pinned)),
    )
    warnings = outcome.warnings
    if output_format == PYLOCK_TOML:
        from puv.lock.pylock import render_pylock

        document = pylock_document(
            [pin for pin in outcome.pins if pin.name not in excluded],
            provider.files,
            requires_python=requires_python,
            tags=None if pip.universal else options.tags,
            no_binary=options.no_binary,
            no_build=options.no_build,
            direct=functools.partial(pins.pylock_source, base=_pylock_base(ctx, output_file)),
        )
        output = wrap(render_pylock(document), output_options)
        warnings = (*_pylock_emit_warnings(pip), *warnings)
    else:
        kept = [entry for entry in entries if _name_of(entry) not in excluded]
        output = render(kept, output_options)
    if output_file:
        from puv.cache.persist import write_atomic

        write_atomic(ctx.cwd / output_file, output.encode())
    return CompileResult(output, len(outcome.pins), elapsed, warnings)


def _pylock_base(ctx: Context, output_file: str | None) -> Path:
    """The directory a pylock.toml's local paths are relative to: the output file's, else the
    working directory (uv's `install_path`)."""
    if output_file is None:
        return ctx.cwd
    return Path(os.path.abspath(ctx.cwd / output_file)).parent


def _given_absolute(given: str) -> bool:
    """Whether a location was written absolute (uv's `was_given_absolute`): a `file:` URL or an
    absolute path."""
    return given.lower().startswith("file:") or os.path.isabs(given)


def _output_format(requested: str | None, output_file: str | None) -> str:
    """`--format`, else inferred from the output file's extension as uv does (`.toml` means
    pylock.toml); a pylock.toml output file must have a PEP 751 name."""
    suffix = Path(output_file).suffix.lower() if output_file else ""
    output_format = requested or (PYLOCK_TOML if suffix == ".toml" else REQUIREMENTS_TXT)
    if output_format == PYLOCK_TOML and output_file:
        from puv.lock.pylock import is_pylock_filename

        name = Path(output_file).name
        if not is_pylock_filename(name):
            raise PuvError(
                "Expected the output filename to be `pylock.toml` or `pylock.<name>.toml`, where "
                f"`<name>` is non-empty and contains no dots; found `{name}`"
            )
    return output_format


def _pylock_emit_warnings(pip: Any) -> tuple[str, ...]:
    """uv's warnings for the `--emit-*` options a pylock.toml cannot carry."""
    flags = (
        (pip.emit_marker_expression, "--emit-marker-expression"),
        (pip.emit_index_url, "--emit-index-url"),
        (pip.emit_find_links, "--emit-find-links"),
        (pip.emit_build_options, "--emit-build-options"),
        (pip.emit_index_annotation, "--emit-index-annotation"),
    )
    return tuple(
        f"The `{flag}` option is not supported for `pylock.toml` output" for on, flag in flags if on
    )


def _universal_requires_python(python_version: str | None, interpreter: Interpreter) -> str:
    """`--universal` resolves from `--python-version` up, else from the interpreter's minor."""
    if python_version is not None:
        return f">={release_only_trimmed(parse_python_version(python_version))}"
    major, minor = interpreter.major_minor
    return f">={major}.{minor}"


def _refresh(request: CompileRequest, pip: Any) -> Refresh | None:
    """`--refresh` / `--refresh-package`; `-U` and `-P` imply them, as in uv."""
    from puv.cache.http_cache import Refresh

    everything = request.refresh or pip.upgrade
    packages = frozenset(
        canonicalize_name(name)
        for name in (
            *request.refresh_packages,
            *(Requirement(str(text)).name for text in pip.upgrade_package),
        )
    )
    if not everything and not packages:
        return None
    return Refresh(time.time(), everything, packages)


def _refuse_torch_backend(backend: str | None, pins: Sequence[ResolvedPin]) -> None:
    """`--torch-backend` changes nothing for packages outside the PyTorch ecosystem; for those,
    uv would use the PyTorch index, which puv cannot select yet."""
    if backend is None:
        return
    found = sorted({pin.name for pin in pins if pin.name in TORCH_PACKAGES})
    if found:
        raise PuvError(
            f"`--torch-backend {backend}` needs the PyTorch index for "
            f"{', '.join(f'`{name}`' for name in found)}, which puv does not support yet",
            hint="Add the PyTorch index with `--index` instead",
        )


def _name_of(entry: PinnedEntry) -> str:
    return canonicalize_name(entry.requirement.partition("==")[0].partition("[")[0])


def _is_version(text: str) -> bool:
    parts = text.split(".")
    return 1 <= len(parts) <= 3 and all(part.isdigit() for part in parts)


# ----------------------------------------------------------------------------- option values
# (parsed as uv's command line parses them, with clap's errors)


def _invalid(option: str, value: str, reason: str) -> UsageError:
    """clap's error for a value its parser refused."""
    return UsageError(
        f"invalid value '{value}' for '{option}': {reason}\n\nFor more information, try '--help'."
    )


def parse_prerelease_package(text: str) -> tuple[str, str]:
    """`--prerelease-package PACKAGE=MODE`."""
    from puv.resolver.candidates import PRERELEASE_MODES

    option = "--prerelease-package <PRERELEASE_PACKAGE>"
    name, sep, mode = text.partition("=")
    if not sep:
        raise _invalid(
            option, text, f"Invalid `prerelease-package` value `{text}`: expected format "
            "`PACKAGE=MODE`"
        )  # fmt: skip
    if mode not in (*PRERELEASE_MODES, "if-necessary-or-explicit"):
        raise _invalid(
            option, text, "Invalid `prerelease-package` mode: expected one of `disallow`, "
            "`allow`, `if-necessary`, `explicit`, or `if-necessary-or-explicit`, found "
            f"`{mode}`"
        )  # fmt: skip
    return _package_name(option, text, name, "Invalid `prerelease-package` package name"), mode


def parse_exclude_newer_package(text: str) -> tuple[str, str | bool]:
    """`--exclude-newer-package PACKAGE=DATE` or `PACKAGE=false`."""
    option = "--exclude-newer-package <EXCLUDE_NEWER_PACKAGE>"
    name, sep, value = text.partition("=")
    if not sep:
        raise _invalid(
            option, text, f"Invalid `exclude-newer-package` value `{text}`: expected format "
            "`PACKAGE=DATE` or `PACKAGE=false`"
        )  # fmt: skip
    package = _package_name(option, text, name, "Invalid `exclude-newer-package` package name")
    if value == "false":
        return package, False
    problem = check_exclude_newer(value)
    if problem is not None:
        raise _invalid(option, text, f"Invalid `exclude-newer-package` value `{value}`: {problem}")
    return package, value


def parse_config_setting_package(text: str) -> tuple[str, tuple[str, str]]:
    """`--config-settings-package PACKAGE:KEY=VALUE`."""
    option = "--config-settings-package <CONFIG_SETTINGS_PACKAGE>"
    name, sep, setting = text.partition(":")
    if not sep:
        raise _invalid(
            option, text, f"Invalid config setting: {text} (expected `PACKAGE:KEY=VALUE`)"
        )
    key, sep, value = setting.partition("=")
    if not sep:
        raise _invalid(option, text, f"Invalid config setting: {setting} (expected `KEY=VALUE`)")
    return _package_name(option, text, name, "Invalid package name"), (key, value)


def _package_name(option: str, text: str, name: str, context: str) -> str:
    """`name` normalized, or clap's error naming the option and what was wrong with it."""
    problem = package_name_error(name)
    if problem is not None:
        separator = ":" if context == "Invalid package name" else f" `{name}`:"
        raise _invalid(option, text, f"{context}{separator} {problem}")
    return normalize_name(name)


# ----------------------------------------------------------------------------- inputs


def _read_inputs(ctx: Context, request: CompileRequest, pip: Any) -> _Inputs:
    from puv.operations.git import GitCheckouts

    checkouts = GitCheckouts(ctx.cache.bucket("git"), ctx.printer.status, offline=ctx.offline)
    inputs = _Inputs(git=checkouts)
    extras: set[str] = {canonicalize_name(extra) for extra in pip.extra}
    for source in request.sources:
        if Path(source).name == "pyproject.toml":
            _read_pyproject(ctx, source, inputs, extras, pip.all_extras)
        elif extras or pip.all_extras:
            raise PuvError(
                "Requesting extras requires a `pyproject.toml`, `setup.cfg`, or `setup.py` file."
            )
        else:
            _read_requirements_file(ctx, request, source, inputs, "requirements")
    for group in pip.group:  # `[PATH:]NAME`, from ./pyproject.toml without a path, as uv
        found = read_group(ctx.cwd, str(group))
        label = f"{found.project or 'project'} ({found.source}:{found.group})"
        for text in found.requirements:
            inputs.requirements.append((_requirement(text, found.source), label))
    unused = sorted(extras - inputs.used_extras)
    if unused:
        plural = "" if len(unused) == 1 else "s"
        raise PuvError(f"Requested extra{plural} not found: {', '.join(unused)}")
    for source in request.constraints:
        _read_requirements_file(ctx, request, source, inputs, "constraints")
    for source in request.overrides:
        _read_requirements_file(ctx, request, source, inputs, "overrides")
    for source in request.excludes:
        inputs.excludes.update(_names_in(ctx, request, source))
    for source in request.build_constraints:
        _names_in(ctx, request, source)  # checked; puv builds nothing while compiling
    for text in pip.upgrade_package:  # `-P name<2`: upgrade, within this constraint
        requirement = _requirement(str(text), "--upgrade-package")
        if requirement.specifier or requirement.url:
            inputs.constraints.append((requirement, None))
    return inputs


def _names_in(ctx: Context, request: CompileRequest, source: str) -> set[str]:
    """The package names of a requirements-style file (`--excludes`, `--build-constraints`)."""
    names: set[str] = set()
    for line in _parse_requirements_file(ctx, request, source).requirements:
        if not line.is_unnamed:
            names.add(canonicalize_name(_requirement(line.text, source).name))
    return names


def _parse_requirements_file(
    ctx: Context, request: CompileRequest, source: str
) -> RequirementsFile:
    """A requirements file as given on the command line (`-` reads stdin)."""
    import os
    import tempfile

    from puv.project.requirements_txt import read_requirements

    if source == STDIN:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory, "stdin.txt")
            path.write_text(request.read_stdin(), encoding="utf-8")
            return read_requirements(path, environ=os.environ, display=STDIN)
    path = ctx.cwd / source
    if not path.is_file():
        raise PuvError(f"File not found: {source}")
    return read_requirements(path, environ=os.environ, display=source)


def _read_requirements_file(
    ctx: Context, request: CompileRequest, source: str, inputs: _Inputs, kind: str
) -> None:
    parsed = _parse_requirements_file(ctx, request, source)
    path = ctx.cwd / source
    prefix = {"requirements": "-r", "constraints": "-c", "overrides": "--override"}[kind]
    target = {
        "requirements": inputs.requirements,
        "constraints": inputs.constraints,
        "overrides": inputs.overrides,
    }[kind]
    lines = parsed.requirements
    for line in [*lines, *parsed.constraints]:
        constraint = line in parsed.constraints
        label = None
        if source != STDIN and line.origin is not None:
            shown = user_display(line.origin.path, ctx.cwd)
            if line.origin.path == path:
                shown = source
            label = f"{'-c' if constraint else prefix} {shown}"
        bucket = inputs.constraints if constraint else target
        if not (line.editable or line.is_unnamed):
            requirement = _requirement(line.text, source)
            if not requirement.url:
                bucket.append((requirement, label))
                if bucket is inputs.requirements:
                    inputs.registry_names.add(canonicalize_name(requirement.name))
                continue
        understood = understand(line, ctx.cwd, git=True, checkouts=inputs.git)
        assert understood is not None
        if constraint or kind != "requirements":
            if line.editable or line.is_unnamed:
                raise PuvError(
                    f"`{line.text}` is an editable or unnamed reference in a constraints or "
                    "overrides file, which `puv pip compile` does not support"
                )
            inputs.add_constraint_url(understood.requested, override=kind == "overrides")
            bucket.append((_plain_requirement(understood), label))
            continue
        inputs.add_direct(
            understood.requested,
            unnamed=line.editable or line.is_unnamed,
            marker=_where(understood.marker),
        )
        bucket.append((_plain_requirement(understood), label))
    if not lines and not parsed.constraints and kind == "requirements":
        ctx.printer.warn(f"Requirements file `{source}` does not contain any dependencies")
    inputs.index_url = parsed.index_url or inputs.index_url
    inputs.extra_index_urls += parsed.extra_index_urls
    inputs.find_links += parsed.find_links
    inputs.no_index = inputs.no_index or parsed.no_index
    inputs.no_binary += parsed.no_binary
    inputs.only_binary += parsed.only_binary


def _constraint_references(
    inputs: _Inputs, named: dict[str, Requested], routes: Sequence[DirectRoute]
) -> dict[str, Requested]:
    """The URLs constraints and overrides give, to load if the resolution needs the package: an
    override's always (it replaces a requirement's URL, removed from `named`), a constraint's
    unless a requirement names the package by URL (the same URL, or uv's conflicting URLs)."""
    routed = {route.requested.name for route in routes}
    pending = {}
    for name, requested in inputs.constraint_urls.items():
        known = named.get(name)
        if name in inputs.override_urls:
            named.pop(name, None)
            pending[name] = requested
        elif known is None and name not in routed:
            pending[name] = requested
        elif known is not None and known.url != requested.url:
            raise conflicting_urls(name, (known.url or "", requested.url or ""))
    return pending


def _where(marker: Pep508Marker | str | None) -> Marker:
    """A requirement's marker in puv's algebra (always true without one)."""
    return Marker.TRUE if marker is None else Marker.parse(str(marker))


def _plain_requirement(understood: Understood) -> Requirement:
    """A direct reference as the resolver takes it: its name, extras and marker."""
    text = understood.requested.name
    if understood.extras:
        text += f"[{','.join(understood.extras)}]"
    if understood.marker is not None:
        text += f" ; {understood.marker}"
    return Requirement(text)


def _requirement(text: str, source: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        raise PuvError(f"Couldn't parse requirement in `{source}`", causes=[str(exc)]) from None


def _read_pyproject(
    ctx: Context,
    source: str,
    inputs: _Inputs,
    extras: set[str],
    all_extras: bool,
) -> None:
    project = _load_pyproject(ctx, source)
    name = project.name or "project"
    inputs.project = project.normalized_name
    label = f"{name} ({source})"
    directory = (ctx.cwd / source).parent
    for text in project.dependencies:
        inputs.requirements.append((_declared(text, source, directory, inputs), label))
    for extra, texts in project.optional_dependencies.items():
        normalized = canonicalize_name(extra)
        if all_extras or normalized in extras:
            inputs.used_extras.add(normalized)
            for text in texts:
                inputs.requirements.append((_declared(text, source, directory, inputs), label))


def _declared(text: str, source: str, directory: Path, inputs: _Inputs) -> Requirement:
    """A dependency a `pyproject.toml` declares; a direct reference (relative paths from the
    file's directory) is added to `inputs` and returned without its URL."""
    requirement = _requirement(text, source)
    name = canonicalize_name(requirement.name)
    if not requirement.url:
        inputs.registry_names.add(name)
        return requirement
    requested = requested_at(name, requirement.url, directory, git=True)
    inputs.add_direct(requested, marker=_where(requirement.marker))
    requirement.url = None
    return requirement


def _load_pyproject(ctx: Context, source: str) -> PyProject:
    from puv.project.pyproject import read_pyproject

    path = ctx.cwd / source
    if not path.is_file():
        raise PuvError(f"File not found: {source}")
    return read_pyproject(path)


# ----------------------------------------------------------------------------- target


def _interpreter(ctx: Context, python: str | None, python_version: str | None) -> Interpreter:
    """The interpreter uv would build with: `--python`, else the best match for
    `--python-version`, else any (with uv's warning when the version differs)."""
    from puv.operations.python_ops import find_interpreter
    from puv.python.discovery import EnvironmentPreference

    environments = EnvironmentPreference.ANY
    if python is not None:
        return find_interpreter(ctx, python, environments=environments)
    interpreter = None
    if python_version is not None:
        try:
            interpreter = find_interpreter(ctx, python_version, environments=environments)
        except PythonNotFound:
            interpreter = None
    if interpreter is None:
        interpreter = find_interpreter(ctx, None, environments=environments)
    if python_version is not None:
        wanted = parse_python_version(python_version)
        same_minor = wanted.release[:2] == interpreter.major_minor
        if Version(interpreter.version) != wanted and (len(wanted.release) > 2 or not same_minor):
            ctx.printer.warn(
                f"The requested Python version {python_version} is not available; "
                f"{interpreter.version} will be used to build dependencies instead."
            )
    return interpreter


# ----------------------------------------------------------------------------- indexes


def _index_list(ctx: Context, request: CompileRequest, pip: Any, inputs: _Inputs) -> IndexList:
    from puv.index.indexes import Index, IndexList, IndexStrategy, command_line_indexes

    configured = configured_indexes(pip.index)
    indexes: list[Index] = command_line_indexes(
        default_index=request.default_index,
        index=request.index,
        extra_index_url=pip.extra_index_url,
        index_url=pip.index_url,
        configured=configured,
    )
    indexes += configured
    indexes += [Index(url) for url in inputs.extra_index_urls]
    if inputs.index_url:
        indexes.append(Index(inputs.index_url, default=True))
    return IndexList(
        indexes=tuple(indexes),
        find_links=(*pip.find_links, *inputs.find_links),
        no_index=pip.no_index or inputs.no_index,
        strategy=IndexStrategy(pip.index_strategy),
    )


def _preamble(indexes: IndexList, pip: Any, inputs: _Inputs) -> tuple[str, ...]:
    lines: list[str] = []
    if pip.emit_index_url:
        default = indexes.default_index()
        if default is not None:
            lines.append(f"--index-url {default.url}")
        seen: set[str] = set()
        for index in indexes.search_order():
            if index is not default and index.url not in seen:
                seen.add(index.url)
                lines.append(f"--extra-index-url {index.url}")
    if pip.emit_find_links:
        lines += [f"--find-links {location}" for location in indexes.find_links]
    if pip.emit_build_options:
        for flag, values in (
            ("--no-binary", [*pip.no_binary, *inputs.no_binary]),
            ("--only-binary", [*pip.only_binary, *inputs.only_binary]),
        ):
            switch = _switch(values)
            if switch is True:
                lines.append(f"{flag} :all:")
            elif switch:
                lines += [f"{flag} {name}" for name in sorted(switch)]
    return tuple(lines)


def _provider(ctx: Context, client: Any, indexes: IndexList, pip: Any) -> Any:
    """The index provider; with `--exclude-newer-package`, one per distinct cutoff behind a
    router that serves each package from its own."""
    from puv.index.indexes import PackageFinder
    from puv.operations.resolver_provider import IndexProvider

    finder = PackageFinder(client, indexes)

    def provider() -> IndexProvider:
        return IndexProvider(
            client, finder, ctx.cache.bucket("metadata"), ctx.cache.bucket("sdists")
        )

    if not pip.exclude_newer_package:
        return provider()
    cutoffs: dict[str, float | None] = {
        canonicalize_name(name): exclude_newer_cutoff(value) if isinstance(value, str) else None
        for name, value in pip.exclude_newer_package.items()
    }
    return _PackageCutoffs(provider(), cutoffs, {cutoff: provider() for cutoff in cutoffs.values()})


class _PackageCutoffs:
    """`--exclude-newer-package`: each package named there is served by a provider configured
    with its own upload-time cutoff (None for `false`), every other one by `default`."""

    def __init__(
        self,
        default: IndexProvider,
        cutoffs: Mapping[str, float | None],
        by_cutoff: Mapping[float | None, IndexProvider],
    ) -> None:
        self.default = default
        self.cutoffs = cutoffs
        self.by_cutoff = by_cutoff

    def _for(self, name: str) -> IndexProvider:
        normalized = canonicalize_name(name)
        if normalized not in self.cutoffs:
            return self.default
        return self.by_cutoff[self.cutoffs[normalized]]

    @property
    def options(self) -> ProviderOptions:
        """The options of the default provider (the global cutoff)."""
        return self.default.options

    @property
    def finder(self) -> Any:
        """The package finder all the providers share."""
        return self.default.finder

    def configure(self, options: ProviderOptions) -> None:
        """Configure every provider, each with its cutoff."""
        self.default.configure(options)
        for cutoff, provider in self.by_cutoff.items():
            provider.configure(msgspec.structs.replace(options, exclude_newer=cutoff))

    def versions(self, name: str) -> Any:
        """See `Provider.versions`."""
        return self._for(name).versions(name)

    def metadata(self, name: str, version: Version) -> PackageMetadata | MetadataUnavailable:
        """See `Provider.metadata`."""
        return self._for(name).metadata(name, version)

    def prefetch(self, names: Sequence[str]) -> None:
        """See `Provider.prefetch`."""
        for name in names:
            self._for(name).prefetch([name])

    def files(self, name: str, version: Version) -> tuple[Any, ...]:
        """See `IndexProvider.files`."""
        return self._for(name).files(name, version)

    def date_excluded(self, name: str) -> list[tuple[Version, str]]:
        """See `IndexProvider.date_excluded`."""
        return self._for(name).date_excluded(name)


def _direct_loader(
    client: Any, cache: CacheLayout, build: Callable[[Path], bytes], git: GitCheckouts | None
) -> DirectReleases:
    """The loader of direct references: sdists (downloaded first when remote) and source trees
    built with `build`, Git commits checked out by `git`."""
    from puv.index.client import path_from_file_url
    from puv.operations.direct_releases import DirectReleases

    def build_requested(requested: Requested) -> bytes:
        assert requested.url is not None
        if requested.tree:
            return build(Path(path_from_file_url(requested.url)))
        return build(releases.archive(requested))

    releases = DirectReleases(client, cache, build_requested, git)
    return releases


def _provider_options(client: Any, indexes: IndexList, target: Target, pip: Any) -> ProviderOptions:
    from puv.operations.resolver_provider import ProviderOptions
    from puv.resolver.candidates import TargetTags

    exclude_newer = pip.exclude_newer
    cutoff = exclude_newer_cutoff(exclude_newer) if isinstance(exclude_newer, str) else None
    return ProviderOptions(
        exclude_newer=cutoff,
        tags=None if pip.universal else TargetTags.from_tags(target.tags()),
        no_index=indexes.no_index,
        offline=client.options.offline,
        environment=None if pip.universal else dict(target.markers),
    )


# ----------------------------------------------------------------------------- resolver


def _resolver_options(
    ctx: Context,
    pip: Any,
    inputs: _Inputs,
    interpreter: Interpreter,
    target: Target,
    output_file: str | None,
    output_format: str,
    request: CompileRequest,
) -> ResolverOptions:
    from puv.resolver.candidates import PythonTarget, TargetTags
    from puv.resolver.resolve import ResolverOptions

    return ResolverOptions(
        python=PythonTarget(target.python_version, Version(interpreter.version), "python-version"),
        environment=dict(target.markers),
        tags=TargetTags.from_tags(target.tags()),
        resolution=pip.resolution,
        prerelease=_prerelease_mode(pip.prerelease),
        prerelease_packages={
            canonicalize_name(name): _prerelease_mode(mode)
            for name, mode in pip.prerelease_package.items()
        },
        no_build=request.no_build or _switch([*pip.only_binary, *inputs.only_binary]),
        no_binary=_switch([*pip.no_binary, *inputs.no_binary]),
        constraints=tuple(r for r, _ in inputs.constraints),
        overrides=tuple(r for r, _ in inputs.overrides),
        excludes=frozenset(inputs.excludes),
        preferences=_preferences(ctx, output_file, output_format, pip),
        project=inputs.project,
    )


def _prerelease_mode(mode: str) -> str:
    """uv's deprecated `if-necessary-or-explicit` is `if-necessary`."""
    return "if-necessary" if mode == "if-necessary-or-explicit" else mode


def _switch(values: Iterable[Any]) -> bool | frozenset[str]:
    names = [str(value) for value in values]
    if ":all:" in names:
        return True
    return frozenset(canonicalize_name(name) for name in names if name != ":none:")


def _preferences(
    ctx: Context, output_file: str | None, output_format: str, pip: Any
) -> dict[str, list[Version]]:
    """The pins of an existing output file, minus what `--upgrade(-package)` releases."""
    if not output_file or pip.upgrade:
        return {}
    path = ctx.cwd / output_file
    if not path.is_file():
        return {}
    upgraded = {canonicalize_name(Requirement(str(r)).name) for r in pip.upgrade_package}
    if output_format == PYLOCK_TOML:
        pins = _pylock_pins(path, output_file)
    else:
        pins = _requirements_pins(path, output_file)
    preferences: dict[str, list[Version]] = {}
    for name, version in pins:
        if name not in upgraded:
            preferences.setdefault(name, []).append(version)
    return preferences


def _requirements_pins(path: Path, shown: str) -> list[tuple[str, Version]]:
    """(name, version) of each `name==version` line of a requirements file."""
    import os

    from puv.project.requirements_txt import read_requirements

    pins: list[tuple[str, Version]] = []
    for line in read_requirements(path, environ=os.environ, display=shown).requirements:
        try:
            requirement = Requirement(line.text)
        except InvalidRequirement:
            continue
        pinned = [spec for spec in requirement.specifier if spec.operator == "=="]
        if len(pinned) != 1:
            continue
        try:
            pins.append((canonicalize_name(requirement.name), Version(pinned[0].version)))
        except InvalidVersion:
            continue
    return pins


def _pylock_pins(path: Path, shown: str) -> list[tuple[str, Version]]:
    """(name, version) of each `[[packages]]` entry of an existing pylock.toml."""
    from puv.project.toml_read import read_toml

    document = read_toml(path, shown).data
    pins: list[tuple[str, Version]] = []
    for package in document.get("packages") or ():
        if not isinstance(package, dict):
            continue
        name, version = package.get("name"), package.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            continue
        try:
            pins.append((canonicalize_name(name), Version(version)))
        except InvalidVersion:
            continue
    return pins


class _NoDependencies:
    """`--no-deps`: every version declares no dependencies."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider

    def versions(self, name: str) -> Any:
        return self.provider.versions(name)

    def metadata(self, name: str, version: Version) -> PackageMetadata | MetadataUnavailable:
        from puv.resolver.provider import PackageMetadata

        found = self.provider.metadata(name, version)
        if isinstance(found, PackageMetadata):
            return PackageMetadata((), found.requires_python, found.provides_extras)
        return found

    def prefetch(self, names: Sequence[str]) -> None:
        self.provider.prefetch(names)


def _with_exclude_newer_hints(
    error: NoSolutionError, provider: Any, requirements: Sequence[Requirement]
) -> NoSolutionError:
    """uv's hint for a package that `--exclude-newer` (or its `--exclude-newer-package` cutoff)
    emptied: its newest usable version."""
    from puv.resolver.report import NoSolutionError

    hints = list(error.hints)
    for name in sorted(error.packages()):
        cutoff, per_package = _cutoff_of(provider, name)
        if cutoff is None:
            continue
        excluded = provider.date_excluded(name)
        wanted = [r.specifier for r in requirements if canonicalize_name(r.name) == name]
        matching = [
            (version, uploaded)
            for version, uploaded in excluded
            if all(specifier.contains(version, prereleases=True) for specifier in wanted)
        ]
        if not matching:
            continue
        version, uploaded = max(matching)
        setting = "exclude-newer-package" if per_package else "exclude-newer"
        advice = (
            "Consider removing the setting or updating it to a later date."
            if per_package
            else "Consider using `exclude-newer-package` to override the cutoff for this package."
        )
        shown_cutoff = datetime.fromtimestamp(cutoff, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        hints.append(
            f"`{name}` was filtered by `{setting}` to only include packages uploaded before "
            f"{shown_cutoff}. The latest version satisfying the requirement is v{version}, "
            f"published at {_millisecond_precision(uploaded)}. {advice}"
        )
    if len(hints) == len(error.hints):
        return error
    return NoSolutionError(error.report, hints, error.tree)


def _cutoff_of(provider: Any, name: str) -> tuple[float | None, bool]:
    """The upload-time cutoff for `name`, and whether `--exclude-newer-package` set it."""
    if isinstance(provider, _PackageCutoffs) and name in provider.cutoffs:
        return provider.cutoffs[name], True
    cutoff: float | None = provider.options.exclude_newer
    return cutoff, False


def _millisecond_precision(timestamp: str) -> str:
    """An upload time as uv prints it: to the millisecond, trailing zeros dropped
    (`2025-01-01T00:00:00.000000Z` -> `2025-01-01T00:00:00Z`, `...45.123456Z` -> `...45.123Z`)."""
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return timestamp
    fraction = f"{moment.microsecond // 1000:03d}".rstrip("0")
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def _single(
    requirements: Sequence[Requirement],
    source: Provider,
    options: ResolverOptions,
    inputs: _Inputs,
    pins: _PinSources,
    pip: Any,
    with_markers: bool,
) -> _Outcome:
    """Resolve for the one target environment: the entries, the pins (with where each is used
    when `with_markers`) and the warnings uv prints after its status line."""
    from puv.resolver.resolve import resolve

    resolution = resolve(requirements, source, options)
    markers = _reachability(resolution, requirements, source) if with_markers else {}
    shown_markers = {}
    if pip.no_strip_markers:
        python = f">={release_only_trimmed(options.python.target)}"
        shown_markers = {name: marker.simplify_python(python) for name, marker in markers.items()}
    resolved = [
        ResolvedPin(package.name, package.version, markers.get(package.name))
        for package in resolution.packages
    ]
    resolved = [resolved[position] for position in pins.order(resolved)]
    entries = _entries(resolution, resolved, inputs, pins, pip, shown_markers)
    if pip.no_deps:
        return _Outcome(entries, resolved, ())
    versions = resolution.pins()
    wanted = [(edge.target, edge.target_extra) for edge in resolution.edges if edge.target_extra]
    requested = [
        (name, versions[name], extra)
        for name, extra in [*wanted, *_root_extras(inputs)]
        if name in versions
    ]
    warnings = _missing_extras(requested, pins)
    if pip.resolution == "lowest":
        warnings += _unbounded_transitive(resolution, inputs, pins.lookup)
    return _Outcome(entries, resolved, warnings)


# ----------------------------------------------------------------------------- universal


def _universal(
    requirements: Sequence[Requirement],
    source: Provider,
    options: ResolverOptions,
    inputs: _Inputs,
    pins: _PinSources,
    pip: Any,
    requires_python: str,
    routes: Sequence[DirectRoute],
) -> _Outcome:
    """`--universal`: one resolution for every environment `requires_python` allows, each pin
    with the marker where it applies (one pin per version and source; `routes` are the direct
    references used only where their markers hold)."""
    from puv.resolver.universal import SourceScope, UniversalOptions, resolve_universal

    universal = UniversalOptions(
        requires_python=requires_python,
        fork_strategy=pip.fork_strategy,
        resolver=msgspec.structs.replace(options, tags=None, environment={}),
        current_environment=None,
        sources=tuple(
            SourceScope(
                route.requested.name,
                route.marker.without_extras(),
                route.key,
                kind="url",
                shown=route.requested.url or "",
            )
            for route in routes
        ),
    )
    resolution = resolve_universal(requirements, source, universal)
    sources = _sources(inputs)
    root_extras = _root_extras(inputs)
    entries = []
    for package in resolution.packages:
        dependents = [name for name in resolution.dependents(package) if name]
        extras: set[str] = set()
        if pip.no_strip_extras:
            extras.update(extra for name, extra in root_extras if name == package.name)
            extras.update(
                edge.target_extra
                for edge in resolution.edges
                if edge.target == package.name
                and edge.target_version == package.version
                and edge.target_extra
            )
        line = pins.requirement(
            package.name,
            package.version,
            extras,
            resolution.compile_marker(package),
            package.origin,
        )
        hashes = (
            pins.hashes(package.name, package.version, package.origin)
            if pip.generate_hashes
            else ()
        )
        entries.append(
            PinnedEntry(
                line,
                hashes,
                tuple(sources.get(package.name, ())),
                tuple(dependents),
            )
        )
    resolved = [
        ResolvedPin(package.name, package.version, package.marker, package.origin)
        for package in resolution.packages
    ]
    order = pins.order(resolved)
    entries, resolved = [entries[i] for i in order], [resolved[i] for i in order]
    if pip.no_deps:
        return _Outcome(entries, resolved, ())
    requested = [
        (edge.target, edge.target_version, edge.target_extra)
        for edge in resolution.edges
        if edge.target_extra
    ]
    requested += [
        (package.name, package.version, extra)
        for package in resolution.packages
        for name, extra in root_extras
        if name == package.name
    ]
    return _Outcome(entries, resolved, _missing_extras(requested, pins))


class _PinSources:
    """Where the pins come from: `lookup` (the indexes and the direct references) for metadata,
    `releases` for the direct references' archives, `index` for the index's files."""

    def __init__(self, lookup: DirectProvider, releases: DirectReleases, index: Any) -> None:
        self.lookup = lookup
        self.releases = releases
        self.index = index

    def requirement(
        self,
        name: str,
        version: Version,
        extras: Iterable[str],
        marker: str | None,
        origin: str | None = None,
    ) -> str:
        """The entry's requirement: a pin, or a direct reference as written (`origin`: the
        route of a universal resolution's package)."""
        direct = self.lookup.release(name, origin)
        if direct is None:
            return pinned_requirement(name, version, extras, marker)
        requested = direct.requested
        assert requested.url is not None
        return direct_requirement(
            name,
            requested.given or requested.url,
            editable=requested.editable,
            local=requested.url.startswith("file:"),
            extras=extras,
            marker=marker,
        )

    def pylock_source(self, pin: ResolvedPin, base: Path) -> DirectSource | None:
        """A direct reference's pylock.toml source (uv's `from_resolution`): `vcs` for a Git
        commit, `directory` for a source tree, `archive` for a wheel or sdist, with its sha256;
        a local path relative to `base` unless it was given absolute. None for an index pin."""
        from puv.core.paths import relative_to
        from puv.index.client import path_from_file_url
        from puv.lock.pylock import PylockArchive, PylockDirectory, PylockVcs

        direct = self.lookup.release(pin.name, pin.origin)
        if direct is None:
            return None
        requested = direct.requested
        url = requested.url
        assert url is not None
        if requested.is_git:  # `given` is the resolved commit's URL (`DirectReleases`)
            assert requested.given is not None, requested
            source = git_source(pinned_git(requested, requested.given))
            assert source.precise is not None, requested
            return PylockVcs(
                source.precise,
                url=source.repository,
                requested_revision=source.reference.value,
                subdirectory=source.subdirectory,
            )
        path = None
        if url.startswith("file:"):
            path = path_from_file_url(url)
            if not _given_absolute(requested.given or url):
                path = relative_to(path, base)
        if requested.tree:
            assert path is not None
            return PylockDirectory(path, editable=True if requested.editable else None)
        digest = self.releases.sha256(requested)
        assert digest is not None, requested
        algorithm, _, value = digest.partition(":")
        hashes = ((algorithm, value),)
        if path is not None:
            return PylockArchive(path=path, hashes=hashes)
        from urllib.parse import parse_qsl

        location, _, fragment = url.partition("#")
        subdirectory = dict(parse_qsl(fragment)).get("subdirectory")
        return PylockArchive(url=location, subdirectory=subdirectory, hashes=hashes)

    def display(self, name: str, version: Version) -> str:
        """How uv's messages name a pin: `name==1.0`, or `name @ <url>`."""
        direct = self.lookup.directs.get(name)
        if direct is None:
            return f"{name}=={version}"
        requested = direct.requested
        return f"{name} @ {requested.given if requested.is_git else requested.url}"

    def hashes(self, name: str, version: Version, origin: str | None = None) -> tuple[str, ...]:
        """The sha256 digests of every file of a version, sorted (uv's `--generate-hashes`);
        an archive's own digest for a direct reference (none for a source tree)."""
        direct = self.lookup.release(name, origin)
        if direct is not None:
            digest = self.releases.sha256(direct.requested)
            return () if digest is None else (digest,)
        return tuple(
            sorted(
                {
                    f"{algorithm}:{digest}"
                    for file in self.index.files(name, version)
                    for algorithm, digest in file.hashes
                    if algorithm == "sha256"
                }
            )
        )

    def order(self, pins: Sequence[ResolvedPin]) -> list[int]:
        """The positions of `pins` in uv's output order (editables first)."""

        def key(position: int) -> tuple[object, ...]:
            pin = pins[position]
            direct = self.lookup.release(pin.name, pin.origin)
            editable = None
            if direct is not None and direct.requested.editable:
                editable = direct.requested.given or ""
            url = None if direct is None else direct.requested.url
            return sort_key(pin.name, pin.version, editable, url)

        return sorted(range(len(pins)), key=key)


# ----------------------------------------------------------------------------- output


_LOWER_BOUNDS = frozenset({">=", ">", "==", "~=", "==="})


def _has_lower_bound(requirement: Requirement) -> bool:
    return any(spec.operator in _LOWER_BOUNDS for spec in requirement.specifier)


def _warn_unbounded_direct(ctx: Context, requirements: Sequence[Requirement]) -> None:
    """uv's warning for each direct dependency without a lower bound under a lowest strategy."""
    warned: set[str] = set()
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        if _has_lower_bound(requirement) or requirement.url or name in warned:
            continue
        warned.add(name)
        ctx.printer.warn(
            f"The direct dependency `{name}` is unpinned. Consider setting a lower bound when "
            "using `--resolution lowest` or `--resolution lowest-direct` to avoid using "
            "outdated versions."
        )


def _unbounded_transitive(
    resolution: Resolution, inputs: _Inputs, provider: Any
) -> tuple[str, ...]:
    """uv's warning for each transitive dependency that no requirement bounds from below."""
    from puv.resolver.provider import PackageMetadata

    pins = resolution.pins()
    direct = {canonicalize_name(requirement.name) for requirement, _ in inputs.requirements}
    bounded: set[str] = {
        canonicalize_name(requirement.name)
        for requirement, _ in inputs.constraints
        if _has_lower_bound(requirement)
    }
    for edge in resolution.edges:
        if edge.source is None or edge.source not in pins:
            continue
        metadata = provider.metadata(edge.source, pins[edge.source])
        if not isinstance(metadata, PackageMetadata):
            continue
        for requirement in metadata.requires_dist:
            if canonicalize_name(requirement.name) == edge.target and _has_lower_bound(requirement):
                bounded.add(edge.target)
    return tuple(
        f"The transitive dependency `{name}` is unpinned. Consider setting a lower bound with "
        "a constraint when using `--resolution lowest` to avoid using outdated versions."
        for name in sorted(pins)
        if name not in direct and name not in bounded
    )


def _missing_extras(
    requested: Iterable[tuple[str, Version, str]], pins: _PinSources
) -> tuple[str, ...]:
    """uv's warning for an extra asked of a pinned version whose metadata does not declare it;
    `requested` holds (name, version, extra)."""
    from puv.resolver.provider import PackageMetadata

    warnings = []
    for name, version, extra in sorted(set(requested)):
        metadata = pins.lookup.metadata(name, version)
        if isinstance(metadata, PackageMetadata) and extra not in metadata.provides_extras:
            warnings.append(
                f"The package `{pins.display(name, version)}` does not have an extra named "
                f"`{extra}`"
            )
    return tuple(warnings)


def _root_extras(inputs: _Inputs) -> list[tuple[str, str]]:
    return [
        (canonicalize_name(requirement.name), canonicalize_name(extra))
        for requirement, _ in inputs.requirements
        for extra in requirement.extras
    ]


def _sources(inputs: _Inputs) -> dict[str, list[str]]:
    """Name -> the user's files that ask for it (`-r requirements.in`, `-c constraints.txt`),
    in uv's `SourceAnnotation` order: constraints, then overrides, then requirements, each by
    origin (files, then projects, then groups; by path, then name and group)."""
    sources: dict[str, list[str]] = {}
    for requirement, label in [*inputs.constraints, *inputs.overrides, *inputs.requirements]:
        name = canonicalize_name(requirement.name)
        if label is not None and label not in sources.setdefault(name, []):
            sources[name].append(label)
    return {name: sorted(labels, key=_annotation_order) for name, labels in sources.items()}


_KINDS = (("-c ", 0), ("--override ", 1), ("-r ", 2))
_PROJECT_ORIGIN = re.compile(r"(?P<name>\S+) \((?P<path>.*?)(?::(?P<group>[^:()]+))?\)")


def _annotation_order(label: str) -> tuple[object, ...]:
    """The sort key of a `# via` source label (uv's derived `Ord` of `SourceAnnotation` and
    `RequirementOrigin`; paths compare by components)."""
    kind, rest = 2, label
    for prefix, rank in _KINDS:
        if label.startswith(prefix):
            kind, rest = rank, label[len(prefix) :]
            break
    project = _PROJECT_ORIGIN.fullmatch(rest)
    if project is None:
        return (kind, 0, PurePath(rest).parts)
    group = project["group"]
    origin = (1, PurePath(project["path"]).parts, project["name"])
    return (kind, *origin) if group is None else (kind, 2, origin[1], project["name"], group)


def _with_index_annotations(
    entries: Sequence[PinnedEntry],
    pins: Sequence[ResolvedPin],
    provider: Any,
    directs: Collection[str],
) -> list[PinnedEntry]:
    """Each entry with the URL (credentials removed) of the index its version came from, for
    `--emit-index-annotation` (none for the `directs`, which come from no index); `entries` and
    `pins` are in the same order."""
    from puv.index.auth import split_credentials

    found = provider.finder.find_many(
        pin.name for pin in pins if pin.name not in directs and pin.origin is None
    )
    annotated = []
    for entry, pin in zip(entries, pins, strict=True):
        if pin.name in directs or pin.origin is not None:
            annotated.append(entry)
            continue
        index = next(
            (
                files.index
                for files in found[pin.name].versions
                if files.version == pin.version and files.index is not None
            ),
            None,
        )
        url = None if index is None else split_credentials(index.url)[0]
        annotated.append(msgspec.structs.replace(entry, index=url))
    return annotated


def _reachability(
    resolution: Resolution, requirements: Sequence[Requirement], provider: Provider
) -> dict[str, Marker]:
    """Where each pinned package is used (uv's reachability marker, not simplified): the union,
    over its paths from the requirements, of the markers of the requirements along the path."""
    from puv.core.markers import Marker
    from puv.resolver.provider import PackageMetadata

    pins = resolution.pins()
    edges: dict[tuple[str | None, str], Marker] = {}
    for edge in resolution.edges:
        if edge.source is None:
            declared: Sequence[Requirement] = requirements
            extras: tuple[str, ...] = ()
        else:
            metadata = provider.metadata(edge.source, pins[edge.source])
            if not isinstance(metadata, PackageMetadata):
                continue
            declared, extras = metadata.requires_dist, metadata.provides_extras
        active = [edge.source_extra] if edge.source_extra else []
        inactive = [extra for extra in extras if extra != edge.source_extra]
        marker = edges.get((edge.source, edge.target), Marker.FALSE)
        for requirement in declared:
            if canonicalize_name(requirement.name) != edge.target:
                continue
            declared_marker = (
                Marker.parse(str(requirement.marker)) if requirement.marker else Marker.TRUE
            )
            applies = declared_marker.simplify_extras(active).simplify_not_extras(inactive)
            marker = marker | applies.without_extras()
        edges[(edge.source, edge.target)] = marker
    reach = {name: Marker.FALSE for name in pins}
    changed = True
    while changed:
        changed = False
        for (source, target), marker in edges.items():
            base = Marker.TRUE if source is None else reach.get(source, Marker.FALSE)
            widened = reach[target] | (base & marker)
            if widened != reach[target]:
                reach[target] = widened
                changed = True
    return reach


def _entries(
    resolution: Resolution,
    resolved: Sequence[ResolvedPin],
    inputs: _Inputs,
    pins: _PinSources,
    pip: Any,
    markers: Mapping[str, Marker],
) -> list[PinnedEntry]:
    """requirements.txt entries of a single-environment resolution, one per pin of `resolved`
    (in that order); `markers` are written after the pins (`--no-strip-markers`)."""
    sources = _sources(inputs)
    extras = asked_extras(requirement for requirement, _ in inputs.requirements)
    for edge in resolution.edges:
        if edge.target_extra:
            extras.setdefault(edge.target, set()).add(edge.target_extra)
    entries = []
    for package in resolved:
        shown = extras.get(package.name, set()) if pip.no_strip_extras else set()
        marker = markers[package.name].to_text() if package.name in markers else None
        hashes = pins.hashes(package.name, package.version) if pip.generate_hashes else ()
        entries.append(
            PinnedEntry(
                pins.requirement(package.name, package.version, shown, marker),
                hashes,
                tuple(sources.get(package.name, ())),
                tuple(name for name in resolution.dependents(package.name) if name),
            )
        )
    return entries
