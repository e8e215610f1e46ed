"""`puv pip compile`: read the inputs, resolve them for one target environment, render the pins.

Inputs are requirements files (`-r` style, with `-c` includes and index options), `pyproject.toml`
(`[project] dependencies`, extras, `[dependency-groups]`) or `-` (stdin). The target is the found
interpreter, changed by `--python-version` (markers and tags of that version) and
`--python-platform` (markers and tags of that platform, as uv maps its target triples). Pins of an
existing `--output-file` are kept as preferences unless `--upgrade` / `--upgrade-package`.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from puv.core.errors import PuvError, PythonNotFound, UsageError
from puv.core.paths import user_display
from puv.operations.compile_output import OutputOptions, PinnedEntry, render
from puv.operations.context import Context
from puv.operations.network import configured_indexes, http_client

if TYPE_CHECKING:
    from puv.index.indexes import Index, IndexList
    from puv.operations.resolver_provider import IndexProvider, ProviderOptions
    from puv.project.pyproject import PyProject
    from puv.python.interpreter import Interpreter
    from puv.resolver.provider import MetadataUnavailable, PackageMetadata, Provider
    from puv.resolver.report import NoSolutionError
    from puv.resolver.resolve import Resolution, ResolverOptions

STDIN = "-"


@dataclass(frozen=True, slots=True)
class CompileRequest:
    """What the command line asks for beyond the merged `pip` settings.

    `sources`, `constraints`, `overrides`: files as given (`-` is stdin); `command`: the header's
    command line (None with `--no-header`); `indexes`: `--index` / `--default-index` values;
    `read_stdin` reads `-`.
    """

    sources: tuple[str, ...]
    constraints: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    command: str | None = None
    index: tuple[str, ...] = ()
    default_index: str | None = None
    python: str | None = None
    no_build: bool = False
    read_stdin: Callable[[], str] = lambda: ""


@dataclass(frozen=True, slots=True)
class CompileResult:
    """The rendered output, how many packages were resolved, how long it took, and warnings
    about the resolution to show after the status line."""

    output: str
    resolved: int
    seconds: float
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class _Inputs:
    requirements: list[tuple[Requirement, str | None]] = dataclasses.field(default_factory=list)
    constraints: list[tuple[Requirement, str | None]] = dataclasses.field(default_factory=list)
    overrides: list[tuple[Requirement, str | None]] = dataclasses.field(default_factory=list)
    index_url: str | None = None
    extra_index_urls: list[str] = dataclasses.field(default_factory=list)
    find_links: list[str] = dataclasses.field(default_factory=list)
    no_index: bool = False
    no_binary: list[str] = dataclasses.field(default_factory=list)
    only_binary: list[str] = dataclasses.field(default_factory=list)
    used_extras: set[str] = dataclasses.field(default_factory=set)
    project: str | None = None


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
    if not request.sources and not pip.group:
        raise PuvError("No requirements files were provided")
    inputs = _read_inputs(ctx, request, pip)
    indexes = _index_list(ctx, request, pip, inputs)
    requirements = [requirement for requirement, _ in inputs.requirements]
    from puv.resolver.report import NoSolutionError

    with _client(ctx, indexes) as client:
        provider = _provider(ctx, client, indexes)
        # the pages of the direct requirements load while the interpreter is found
        provider.prefetch([canonicalize_name(r.name) for r in requirements])
        python_version = pip.python_version
        python = request.python
        if python_version is None and python is not None and _is_version(python):
            python_version, python = python, None
        interpreter = _interpreter(ctx, python, python_version)
        target = _target(interpreter, python_version, pip.python_platform)
        started = time.perf_counter()
        provider.configure(_provider_options(client, indexes, target, pip))
        options = _resolver_options(ctx, pip, inputs, interpreter, target, output_file, request)
        if pip.resolution in ("lowest", "lowest-direct"):
            _warn_unbounded_direct(ctx, requirements)
        source: Provider = _NoDependencies(provider) if pip.no_deps else provider
        warnings: tuple[str, ...] = ()
        if pip.universal:
            try:
                entries, pinned, requested = _universal(
                    requirements, source, options, inputs, provider, pip
                )
            except NoSolutionError as error:
                raise _with_exclude_newer_hints(error, provider, requirements) from None
            warnings = () if pip.no_deps else _missing_extras(requested, provider)
        else:
            entries, pinned, warnings = _single(
                requirements, source, options, inputs, provider, pip
            )
    elapsed = time.perf_counter() - started
    excluded = {canonicalize_name(name) for name in pip.no_emit_package}
    output = render(
        [entry for entry in entries if _name_of(entry) not in excluded],
        OutputOptions(
            command=request.command,
            preamble=_preamble(indexes, pip, inputs),
            annotate=not pip.no_annotate,
            annotation_style=pip.annotation_style,
            excluded=tuple(sorted(n for n in excluded if n in pinned)),
        ),
    )
    if output_file:
        from puv.cache.persist import write_atomic

        write_atomic(ctx.cwd / output_file, output.encode())
    return CompileResult(output, len(pinned), elapsed, warnings)


def _name_of(entry: PinnedEntry) -> str:
    return canonicalize_name(entry.requirement.partition("==")[0].partition("[")[0])


def _is_version(text: str) -> bool:
    parts = text.split(".")
    return 1 <= len(parts) <= 3 and all(part.isdigit() for part in parts)


# ----------------------------------------------------------------------------- inputs


def _read_inputs(ctx: Context, request: CompileRequest, pip: Any) -> _Inputs:
    inputs = _Inputs()
    extras: set[str] = {canonicalize_name(extra) for extra in pip.extra}
    for source in request.sources:
        if Path(source).name == "pyproject.toml":
            _read_pyproject(ctx, source, inputs, extras, pip.all_extras, pip.group)
        elif extras or pip.all_extras:
            raise PuvError(
                "Requesting extras requires a `pyproject.toml`, `setup.cfg`, or `setup.py` file."
            )
        else:
            _read_requirements_file(ctx, request, source, inputs, "requirements")
    if not request.sources and pip.group:  # `--group` alone: the groups of ./pyproject.toml
        _read_groups(_load_pyproject(ctx, "pyproject.toml"), "pyproject.toml", inputs, pip.group)
    unused = sorted(extras - inputs.used_extras)
    if unused:
        plural = "" if len(unused) == 1 else "s"
        raise PuvError(f"Requested extra{plural} not found: {', '.join(unused)}")
    for source in request.constraints:
        _read_requirements_file(ctx, request, source, inputs, "constraints")
    for source in request.overrides:
        _read_requirements_file(ctx, request, source, inputs, "overrides")
    return inputs


def _read_requirements_file(
    ctx: Context, request: CompileRequest, source: str, inputs: _Inputs, kind: str
) -> None:
    import os
    import tempfile

    from puv.project.requirements_txt import read_requirements

    if source == STDIN:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory, "stdin.txt")
            path.write_text(request.read_stdin(), encoding="utf-8")
            parsed = read_requirements(path, environ=os.environ, display=STDIN)
    else:
        path = ctx.cwd / source
        if not path.is_file():
            raise PuvError(f"File not found: `{source}`")
        parsed = read_requirements(path, environ=os.environ, display=source)
    prefix = {"requirements": "-r", "constraints": "-c", "overrides": "--override"}[kind]
    target = {
        "requirements": inputs.requirements,
        "constraints": inputs.constraints,
        "overrides": inputs.overrides,
    }[kind]
    lines = parsed.requirements
    for line in [*lines, *parsed.constraints]:
        if line.editable or line.is_unnamed:
            raise PuvError(
                f"`{line.text}` needs a build, which `puv pip compile` does not support yet"
            )
        requirement = _requirement(line.text, source)
        label = None
        if source != STDIN and line.origin is not None:
            shown = user_display(line.origin.path, ctx.cwd)
            if line.origin.path == path:
                shown = source
            label = f"{'-c' if line in parsed.constraints else prefix} {shown}"
        if requirement.url:
            raise PuvError(
                f"`{line.text}` is a direct URL requirement, which `puv pip compile` does not "
                "support yet"
            )
        bucket = inputs.constraints if line in parsed.constraints else target
        bucket.append((requirement, label))
    if not lines and not parsed.constraints and kind == "requirements":
        ctx.printer.warn(f"Requirements file `{source}` does not contain any dependencies")
    inputs.index_url = parsed.index_url or inputs.index_url
    inputs.extra_index_urls += parsed.extra_index_urls
    inputs.find_links += parsed.find_links
    inputs.no_index = inputs.no_index or parsed.no_index
    inputs.no_binary += parsed.no_binary
    inputs.only_binary += parsed.only_binary


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
    groups: Sequence[str],
) -> None:
    project = _load_pyproject(ctx, source)
    name = project.name or "project"
    inputs.project = project.normalized_name
    label = f"{name} ({source})"
    for text in project.dependencies:
        inputs.requirements.append((_requirement(text, source), label))
    for extra, texts in project.optional_dependencies.items():
        normalized = canonicalize_name(extra)
        if all_extras or normalized in extras:
            inputs.used_extras.add(normalized)
            for text in texts:
                inputs.requirements.append((_requirement(text, source), label))
    _read_groups(project, source, inputs, groups)


def _load_pyproject(ctx: Context, source: str) -> PyProject:
    from puv.project.pyproject import read_pyproject

    path = ctx.cwd / source
    if not path.is_file():
        raise PuvError(f"File not found: `{source}`")
    return read_pyproject(path)


def _read_groups(project: PyProject, source: str, inputs: _Inputs, groups: Sequence[str]) -> None:
    """The requirements of the `[dependency-groups]` tables named by `--group`."""
    name = project.name or "project"
    declared = project.data.get("dependency-groups") or {}
    for group in groups:
        for text in _group_requirements(declared, group, source):
            inputs.requirements.append((_requirement(text, source), f"{name} ({source}:{group})"))


def _group_requirements(
    declared: Mapping[str, Any], group: str, source: str, seen: frozenset[str] = frozenset()
) -> list[str]:
    """PEP 735: the requirement strings of `group`, with `include-group` expanded."""
    by_name = {canonicalize_name(key): value for key, value in declared.items()}
    wanted = canonicalize_name(group)
    if wanted not in by_name:
        raise PuvError(f"The dependency group '{group}' was not found in the project: {source}")
    if wanted in seen:
        raise PuvError(f"Detected a cycle in `dependency-groups`: `{group}`")
    texts: list[str] = []
    for item in by_name[wanted]:
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            texts += _group_requirements(declared, item["include-group"], source, seen | {wanted})
    return texts


# ----------------------------------------------------------------------------- target


@dataclass(frozen=True, slots=True)
class _Target:
    markers: dict[str, str]
    tags: list[Any]
    version: Version


# uv's target triples: (os, arch, libc, (major, minor) of glibc/musl/macOS)
_LINUX_GNU = (2, 28)
_MACOS = (14, 0)
_PLATFORM_ALIASES = {
    "linux": "x86_64-unknown-linux-gnu",
    "macos": "aarch64-apple-darwin",
    "windows": "x86_64-pc-windows-msvc",
}


def _platform(name: str) -> tuple[str, str, str, tuple[int, int] | None]:
    """(os, arch, libc, version) for a `--python-platform` value."""
    triple = _PLATFORM_ALIASES.get(name, name)
    arch, _, rest = triple.partition("-")
    if rest == "unknown-linux-gnu":
        return "linux", arch, "gnu", _LINUX_GNU
    if rest == "unknown-linux-musl":
        return "linux", arch, "musl", (1, 2)
    if rest == "manylinux2014":
        return "linux", arch, "gnu", (2, 17)
    if rest.startswith("manylinux_"):
        major, minor = rest.removeprefix("manylinux_").split("_")
        return "linux", arch, "gnu", (int(major), int(minor))
    if rest == "apple-darwin":
        return "macos", arch, "none", _MACOS
    if rest == "pc-windows-msvc":
        return "windows", arch, "none", None
    raise PuvError(f"`--python-platform {name}` is not supported by puv yet")


def _platform_markers(os_name: str, arch: str) -> dict[str, str]:
    if os_name == "linux":
        return {
            "os_name": "posix",
            "platform_machine": arch,
            "platform_system": "Linux",
            "sys_platform": "linux",
        }
    if os_name == "macos":
        machine = "arm64" if arch == "aarch64" else arch
        return {
            "os_name": "posix",
            "platform_machine": machine,
            "platform_system": "Darwin",
            "sys_platform": "darwin",
        }
    machine = {"x86_64": "AMD64", "aarch64": "ARM64", "i686": "x86"}.get(arch, arch)
    return {
        "os_name": "nt",
        "platform_machine": machine,
        "platform_system": "Windows",
        "sys_platform": "win32",
    }


def _target(
    interpreter: Interpreter, python_version: str | None, python_platform: str | None
) -> _Target:
    from puv.python.tags import interpreter_tags

    facts = interpreter
    markers = dict(interpreter.markers)
    version = Version(interpreter.version)
    if python_version is not None:
        version = _parse_python_version(python_version)
        release = (*version.release, 0, 0)
        facts = facts._replace(version_info=(release[0], release[1], release[2], "final", 0))
        markers["python_version"] = f"{release[0]}.{release[1]}"
        markers["python_full_version"] = (
            python_version if len(version.release) >= 3 else f"{release[0]}.{release[1]}.0"
        )
    if python_platform is not None:
        os_name, arch, libc, libc_version = _platform(python_platform)
        platform_tag = {"x86_64": "win-amd64", "aarch64": "win-arm64", "i686": "win32"}.get(
            arch, ""
        )
        facts = facts._replace(
            os=os_name,
            arch="arm64" if os_name == "macos" and arch == "aarch64" else arch,
            libc=libc,
            libc_version=libc_version if os_name == "linux" else None,
            manylinux_compatible=libc == "gnu",
            macos_version=libc_version if os_name == "macos" else None,
            platform_tag=platform_tag,
        )
        markers.update(_platform_markers(os_name, arch))
        markers["platform_release"] = ""
        markers["platform_version"] = ""
    return _Target(markers, interpreter_tags(facts), version)


def _parse_python_version(text: str) -> Version:
    try:
        version = Version(text)
    except InvalidVersion:
        version = None
    if version is None or not _is_version(text) or len(version.release) < 2:
        raise PuvError(
            f"invalid value '{text}' for '--python-version <PYTHON_VERSION>': Python version "
            f"`{text}` has an invalid major version"
            if version is None
            else f"invalid value '{text}' for '--python-version <PYTHON_VERSION>'",
            exit_code=2,
        )
    return version


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
        wanted = _parse_python_version(python_version)
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


def _client(ctx: Context, indexes: IndexList) -> Any:
    # HTTP/1.1: httpcore's HTTP/2 connection is not safe under the client's thread pool
    # (hpack's shared table: "deque mutated during iteration", encode/httpx#3566).
    return http_client(ctx, indexes, http2=False)


def _provider(ctx: Context, client: Any, indexes: IndexList) -> IndexProvider:
    from puv.index.indexes import PackageFinder
    from puv.operations.resolver_provider import IndexProvider

    return IndexProvider(
        client,
        PackageFinder(client, indexes),
        ctx.cache.bucket("metadata"),
        ctx.cache.bucket("sdists"),
    )


def _provider_options(
    client: Any, indexes: IndexList, target: _Target, pip: Any
) -> ProviderOptions:
    from puv.operations.resolver_provider import ProviderOptions
    from puv.resolver.candidates import TargetTags

    exclude_newer = pip.exclude_newer
    cutoff = exclude_newer_cutoff(exclude_newer) if isinstance(exclude_newer, str) else None
    return ProviderOptions(
        exclude_newer=cutoff,
        tags=None if pip.universal else TargetTags.from_tags(target.tags),
        no_index=indexes.no_index,
        offline=client.options.offline,
        environment=None if pip.universal else target.markers,
    )


# ----------------------------------------------------------------------------- resolver


def _resolver_options(
    ctx: Context,
    pip: Any,
    inputs: _Inputs,
    interpreter: Interpreter,
    target: _Target,
    output_file: str | None,
    request: CompileRequest,
) -> ResolverOptions:
    from puv.resolver.candidates import PythonTarget, TargetTags
    from puv.resolver.resolve import ResolverOptions

    prerelease = pip.prerelease
    if prerelease == "if-necessary-or-explicit":
        prerelease = "if-necessary"
    return ResolverOptions(
        python=PythonTarget(target.version, Version(interpreter.version), "python-version"),
        environment=target.markers,
        tags=TargetTags.from_tags(target.tags),
        resolution=pip.resolution,
        prerelease=prerelease,
        prerelease_packages={canonicalize_name(k): v for k, v in pip.prerelease_package.items()},
        no_build=request.no_build or _switch([*pip.only_binary, *inputs.only_binary]),
        no_binary=_switch([*pip.no_binary, *inputs.no_binary]),
        constraints=tuple(r for r, _ in inputs.constraints),
        overrides=tuple(r for r, _ in inputs.overrides),
        preferences=_preferences(ctx, output_file, pip),
        project=inputs.project,
    )


def _switch(values: Iterable[Any]) -> bool | frozenset[str]:
    names = [str(value) for value in values]
    if ":all:" in names:
        return True
    return frozenset(canonicalize_name(name) for name in names if name != ":none:")


def _preferences(ctx: Context, output_file: str | None, pip: Any) -> dict[str, list[Version]]:
    """The pins of an existing output file, minus what `--upgrade(-package)` releases."""
    import os

    from puv.project.requirements_txt import read_requirements

    if not output_file or pip.upgrade:
        return {}
    path = ctx.cwd / output_file
    if not path.is_file():
        return {}
    upgraded = {canonicalize_name(Requirement(str(r)).name) for r in pip.upgrade_package}
    preferences: dict[str, list[Version]] = {}
    for line in read_requirements(path, environ=os.environ, display=output_file).requirements:
        try:
            requirement = Requirement(line.text)
        except InvalidRequirement:
            continue
        name = canonicalize_name(requirement.name)
        pinned = [spec for spec in requirement.specifier if spec.operator == "=="]
        if name in upgraded or len(pinned) != 1:
            continue
        try:
            preferences[name] = [Version(pinned[0].version)]
        except InvalidVersion:
            continue
    return preferences


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
    """uv's hint for a package that `--exclude-newer` emptied: its newest usable version."""
    from puv.resolver.report import NoSolutionError

    cutoff = provider.options.exclude_newer
    if cutoff is None:
        return error
    shown_cutoff = datetime.fromtimestamp(cutoff, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    hints = list(error.hints)
    for name in sorted(error.packages()):
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
        hints.append(
            f"`{name}` was filtered by `exclude-newer` to only include packages uploaded before "
            f"{shown_cutoff}. The latest version satisfying the requirement is v{version}, "
            f"published at {_second_precision(uploaded)}. Consider using "
            "`exclude-newer-package` to override the cutoff for this package."
        )
    if len(hints) == len(error.hints):
        return error
    return NoSolutionError(error.report, hints, error.tree)


def _second_precision(timestamp: str) -> str:
    """`2025-01-01T00:00:00.000000Z` -> `2025-01-01T00:00:00Z`."""
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return timestamp
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def exclude_newer_cutoff(value: str) -> float:
    """`--exclude-newer` as a POSIX timestamp: an RFC 3339 timestamp, or a date, which uv
    reads as the end of that day in UTC."""
    from puv.operations.wheel_select import parse_exclude_newer

    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            return parse_exclude_newer(value)
        return (day + timedelta(days=1)).timestamp()
    return parse_exclude_newer(value)


def _single(
    requirements: Sequence[Requirement],
    source: Provider,
    options: ResolverOptions,
    inputs: _Inputs,
    provider: IndexProvider,
    pip: Any,
) -> tuple[list[PinnedEntry], list[str], tuple[str, ...]]:
    """Resolve for the one target environment: the entries, the pinned names and the warnings
    uv prints after its status line."""
    from puv.resolver.report import NoSolutionError
    from puv.resolver.resolve import resolve

    try:
        resolution = resolve(requirements, source, options)
    except NoSolutionError as error:
        raise _with_exclude_newer_hints(error, provider, requirements) from None
    entries = _entries(resolution, inputs, provider, pip)
    pinned = [package.name for package in resolution.packages]
    if pip.no_deps:
        return entries, pinned, ()
    pins = resolution.pins()
    wanted = [(edge.target, edge.target_extra) for edge in resolution.edges if edge.target_extra]
    requested = [
        (name, pins[name], extra)
        for name, extra in [*wanted, *_root_extras(inputs)]
        if name in pins
    ]
    warnings = _missing_extras(requested, provider)
    if pip.resolution == "lowest":
        warnings += _unbounded_transitive(resolution, inputs, provider)
    return entries, pinned, warnings


# ----------------------------------------------------------------------------- universal


def _universal(
    requirements: Sequence[Requirement],
    provider: Provider,
    options: ResolverOptions,
    inputs: _Inputs,
    files: Any,
    pip: Any,
) -> tuple[list[PinnedEntry], list[str], list[tuple[str, Version, str]]]:
    """`--universal`: one resolution for every environment from the target Python up, each
    pin with the marker where it applies. Returns the entries, the pinned names (one per
    version) and the extras asked of each version."""
    from puv.resolver.universal import UniversalOptions, resolve_universal

    target = options.python.target
    universal = UniversalOptions(
        requires_python=f">={target.release[0]}.{target.release[1]}",
        fork_strategy=pip.fork_strategy,
        resolver=dataclasses.replace(options, tags=None, environment={}),
        current_environment=None,
    )
    resolution = resolve_universal(requirements, provider, universal)
    sources = _sources(inputs)
    entries = []
    for package, line in zip(resolution.packages, resolution.compile_lines(), strict=True):
        dependents = sorted(
            {
                edge.source
                for edge in resolution.edges
                if edge.source is not None
                and edge.source != package.name
                and edge.target == package.name
                and edge.target_version == package.version
            }
        )
        entries.append(
            PinnedEntry(
                line,
                _hashes(files, package.name, package.version) if pip.generate_hashes else (),
                tuple(sources.get(package.name, ())),
                tuple(dependents),
            )
        )
    requested = [
        (edge.target, edge.target_version, edge.target_extra)
        for edge in resolution.edges
        if edge.target_extra
    ]
    root = _root_extras(inputs)
    requested += [
        (package.name, package.version, extra)
        for package in resolution.packages
        for name, extra in root
        if name == package.name
    ]
    return entries, [package.name for package in resolution.packages], requested


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
    requested: Iterable[tuple[str, Version, str]], provider: Any
) -> tuple[str, ...]:
    """uv's warning for an extra asked of a pinned version whose metadata does not declare it;
    `requested` holds (name, version, extra)."""
    from puv.resolver.provider import PackageMetadata

    warnings = []
    for name, version, extra in sorted(set(requested)):
        metadata = provider.metadata(name, version)
        if isinstance(metadata, PackageMetadata) and extra not in metadata.provides_extras:
            warnings.append(
                f"The package `{name}=={version}` does not have an extra named `{extra}`"
            )
    return tuple(warnings)


def _root_extras(inputs: _Inputs) -> list[tuple[str, str]]:
    return [
        (canonicalize_name(requirement.name), canonicalize_name(extra))
        for requirement, _ in inputs.requirements
        for extra in requirement.extras
    ]


def _sources(inputs: _Inputs) -> dict[str, list[str]]:
    """Name -> the user's files that ask for it (`-r requirements.in`, `-c constraints.txt`)."""
    sources: dict[str, list[str]] = {}
    for requirement, label in [*inputs.requirements, *inputs.constraints, *inputs.overrides]:
        name = canonicalize_name(requirement.name)
        if label is not None and label not in sources.setdefault(name, []):
            sources[name].append(label)
    return sources


def _hashes(provider: Any, name: str, version: Version) -> tuple[str, ...]:
    """The sha256 digests of every file of a version, sorted (uv's `--generate-hashes`)."""
    return tuple(
        sorted(
            {
                f"{algorithm}:{digest}"
                for file in provider.files(name, version)
                for algorithm, digest in file.hashes
                if algorithm == "sha256"
            }
        )
    )


def _entries(resolution: Resolution, inputs: _Inputs, provider: Any, pip: Any) -> list[PinnedEntry]:
    sources = _sources(inputs)
    extras: dict[str, set[str]] = {}
    for requirement, _ in inputs.requirements:
        extras.setdefault(canonicalize_name(requirement.name), set()).update(
            canonicalize_name(extra) for extra in requirement.extras
        )
    for edge in resolution.edges:
        if edge.target_extra:
            extras.setdefault(edge.target, set()).add(edge.target_extra)
    entries = []
    for package in resolution.packages:
        shown = package.name
        if pip.no_strip_extras and extras.get(package.name):
            shown += "[" + ",".join(sorted(extras[package.name])) + "]"
        hashes = _hashes(provider, package.name, package.version) if pip.generate_hashes else ()
        dependents = tuple(name for name in resolution.dependents(package.name) if name)
        entries.append(
            PinnedEntry(
                f"{shown}=={package.version}",
                hashes,
                tuple(sources.get(package.name, ())),
                dependents,
            )
        )
    return entries
