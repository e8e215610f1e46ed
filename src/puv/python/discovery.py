"""Find interpreters as uv does: virtual environments, managed installs, `PATH`, then pyenv.

Candidates are enumerated lazily in uv's order, probed one at a time (`probe.py`), and the first
one that satisfies the request and the preferences wins. Unlike uv, an interpreter whose probe
fails (a pyenv shim for a version that is not selected exits 127) is skipped with a debug line and
the search goes on; puv also searches pyenv's version directories after `PATH`.
"""

from __future__ import annotations

import enum
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from packaging.version import InvalidVersion, Version

from puv.cache.layout import CacheLayout
from puv.core.env import env_value
from puv.core.errors import PuvError, PythonNotFound
from puv.python.interpreter import Interpreter
from puv.python.probe import InterpreterProbeError, probe_interpreter
from puv.python.request import (
    IMPLEMENTATION_RANK,
    IMPLEMENTATIONS,
    KNOWN_ARCHES,
    PythonRequest,
    RequestKind,
    Variant,
    VersionRequest,
)

EXE_SUFFIX = ".exe" if os.name == "nt" else ""
_MANAGED_KEY = re.compile(
    r"^(?P<implementation>[a-z]+)-(?P<version>\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?)"
    r"(?P<variant>\+[a-z+]+)?-(?P<os>[a-z]+)-(?P<arch>[a-z0-9_]+)-(?P<libc>[a-z]+)$"
)
_PYENV_VERSION = re.compile(r"^(?P<version>\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?)(?P<variant>t)?$")


class PythonSource(enum.Enum):
    """Where a candidate interpreter came from."""

    PROVIDED_PATH = "provided path"
    ACTIVE_ENVIRONMENT = "active virtual environment"
    CONDA_PREFIX = "conda prefix"
    BASE_CONDA_PREFIX = "base conda prefix"
    DISCOVERED_ENVIRONMENT = "virtual environment"
    SEARCH_PATH = "search path"
    SEARCH_PATH_FIRST = "first executable in the search path"
    MANAGED = "managed installations"
    PYENV = "pyenv versions"

    def __str__(self) -> str:
        return "conda prefix" if self is PythonSource.BASE_CONDA_PREFIX else self.value

    @property
    def allows_unstable(self) -> bool:
        """Whether pre-release and debug builds from this source need no opt-in."""
        return self not in (PythonSource.MANAGED, PythonSource.PYENV)

    @property
    def allows_alternative_implementations(self) -> bool:
        """Whether PyPy & co. from this source need no opt-in."""
        return self not in (
            PythonSource.MANAGED,
            PythonSource.PYENV,
            PythonSource.SEARCH_PATH,
            PythonSource.SEARCH_PATH_FIRST,
        )

    @property
    def is_maybe_virtualenv(self) -> bool:
        """Whether an interpreter from this source could be a virtual environment."""
        return self not in (PythonSource.MANAGED, PythonSource.SEARCH_PATH, PythonSource.PYENV)

    @property
    def is_maybe_system(self) -> bool:
        """Whether an interpreter from this source could be a system interpreter."""
        return self not in (PythonSource.ACTIVE_ENVIRONMENT, PythonSource.DISCOVERED_ENVIRONMENT)

    @property
    def is_explicit(self) -> bool:
        """Whether the user chose this interpreter directly (a path, an activated environment)."""
        return self in (
            PythonSource.PROVIDED_PATH,
            PythonSource.ACTIVE_ENVIRONMENT,
            PythonSource.CONDA_PREFIX,
        )


class PythonPreference(enum.Enum):
    """uv's `python-preference`: which of managed and system interpreters to use, in what order."""

    ONLY_MANAGED = "only-managed"
    MANAGED = "managed"
    SYSTEM = "system"
    ONLY_SYSTEM = "only-system"

    def __str__(self) -> str:
        return {
            "only-managed": "only managed",
            "managed": "prefer managed",
            "system": "prefer system",
            "only-system": "only system",
        }[self.value]


class EnvironmentPreference(enum.Enum):
    """Whether virtual environments, system interpreters, or both may be used."""

    ONLY_VIRTUAL = "only-virtual"
    EXPLICIT_SYSTEM = "explicit-system"
    ONLY_SYSTEM = "only-system"
    ANY = "any"


class Installation(NamedTuple):
    """An interpreter together with the source it was found in."""

    source: PythonSource
    interpreter: Interpreter


class ProbeFailure(NamedTuple):
    """A candidate that could not be queried, and why."""

    source: PythonSource
    path: Path
    error: InterpreterProbeError


class DiscoverySettings(NamedTuple):
    """Everything discovery reads from outside: environment variables and the working directory."""

    environ: Mapping[str, str]
    cwd: Path
    cache: CacheLayout | None = None
    preference: PythonPreference = PythonPreference.MANAGED
    environments: EnvironmentPreference = EnvironmentPreference.ANY
    debug: Callable[[str], None] = lambda _line: None

    @property
    def search_path(self) -> list[Path]:
        """`UV_PYTHON_SEARCH_PATH`, else `PATH`, split into directories."""
        value = _env(self.environ, "UV_PYTHON_SEARCH_PATH")
        if value is None:
            value = self.environ.get("PATH", "")
        return [Path(part) for part in value.split(os.pathsep) if part]


def managed_python_dir(environ: Mapping[str, str]) -> Path:
    """uv's managed install directory: `UV_PYTHON_INSTALL_DIR`, else `~/.local/share/uv/python`."""
    override = _env(environ, "UV_PYTHON_INSTALL_DIR")
    if override:
        return Path(override)
    return _user_data_dir(environ) / "uv" / "python"


def python_bin_dir(environ: Mapping[str, str]) -> Path:
    """Where uv puts Python executables: `UV_PYTHON_BIN_DIR`, `$XDG_BIN_HOME`, `~/.local/bin`."""
    override = _env(environ, "UV_PYTHON_BIN_DIR")
    if override:
        return Path(override)
    xdg_bin = environ.get("XDG_BIN_HOME")
    if xdg_bin and os.path.isabs(xdg_bin):
        return Path(xdg_bin)
    xdg_data = environ.get("XDG_DATA_HOME")
    if xdg_data and os.path.isabs(xdg_data):
        return Path(xdg_data) / ".." / "bin"
    return Path.home() / ".local" / "bin"


def pyenv_versions_dir(environ: Mapping[str, str]) -> Path:
    """`$PYENV_ROOT/versions`, else `~/.pyenv/versions`."""
    root = environ.get("PYENV_ROOT")
    return (Path(root) if root else Path.home() / ".pyenv") / "versions"


def is_managed(interpreter: Interpreter, environ: Mapping[str, str]) -> bool:
    """Whether the interpreter's base installation lives in the managed install directory."""
    root = managed_python_dir(environ)
    try:
        return interpreter.base_prefix.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def find_python(request: PythonRequest, settings: DiscoverySettings) -> Installation:
    """The interpreter uv would pick for `request`, or `PythonNotFound`.

    Pre-releases, debug builds and managed installs under `python-preference = system` are kept
    as fallbacks, as in uv; failing candidates are skipped.
    """
    if request.kind in (RequestKind.FILE, RequestKind.DIRECTORY):
        return _find_provided(request, settings)
    _check_request(request, settings)
    failures: list[ProbeFailure] = []
    fallbacks: dict[str, Installation] = {}
    for installation in _matching_installations(request, settings, failures):
        reason = _deferral_reason(request, installation, settings)
        if reason is None:
            return installation
        settings.debug(f"Skipping {reason} installation {installation.interpreter.key}")
        fallbacks.setdefault(reason, installation)
    for reason in ("managed", "debug", "pre-release"):
        if reason in fallbacks:
            installation = fallbacks[reason]
            settings.debug(f"Allowing {reason} installation {installation.interpreter.key}")
            return installation
    raise not_found_error(request, settings, failures)


def find_all_pythons(request: PythonRequest, settings: DiscoverySettings) -> list[Installation]:
    """Every interpreter that satisfies `request`, in discovery order (probed concurrently)."""
    if request.kind in (RequestKind.FILE, RequestKind.DIRECTORY):
        try:
            return [_find_provided(request, settings)]
        except PythonNotFound:
            return []
    _check_request(request, settings)
    return list(_matching_installations(request, settings, [], parallel=True))


def not_found_error(
    request: PythonRequest, settings: DiscoverySettings, failures: Sequence[ProbeFailure] = ()
) -> PythonNotFound:
    """uv's "No interpreter found ..." error for `request` under `settings`."""
    sources = sources_description(request, settings)
    if request.kind in (RequestKind.DEFAULT, RequestKind.ANY):
        message = f"No interpreter found in {sources}"
    elif request.kind is RequestKind.FILE:
        message = f"No interpreter found at {request}"
    elif request.kind is RequestKind.DIRECTORY:
        message = f"No interpreter found in {request}"
    else:
        message = f"No interpreter found for {request} in {sources}"
    hint = None
    if failures:
        count = len({failure.path for failure in failures})
        noun = "interpreter was" if count == 1 else "interpreters were"
        hint = f"{count} {noun} skipped because querying failed; use `-v` to see why"
    return PythonNotFound(message, hint=hint)


def sources_description(request: PythonRequest, settings: DiscoverySettings) -> str:
    """`virtual environments, managed installations, or search path` (uv's words)."""
    python_sources = _installed_sources(settings)
    labels = [str(source) for source in python_sources]
    environments = settings.environments
    if environments is EnvironmentPreference.ANY:
        labels = ["virtual environments", *labels]
    elif environments is EnvironmentPreference.EXPLICIT_SYSTEM:
        explicit = request.kind in (RequestKind.FILE, RequestKind.DIRECTORY)
        labels = ["virtual environments", *labels] if explicit else ["virtual environments"]
    elif environments is EnvironmentPreference.ONLY_VIRTUAL:
        labels = ["virtual environments"]
    return _disjunction(labels)


def executable_names(version: VersionRequest, implementation: str | None) -> list[str]:
    """The executable names to look for in each `PATH` directory, best first (uv's order)."""
    names: list[_Name] = [_Name()]
    if version.major is not None:
        names.append(_Name(major=version.major))
        if version.minor is not None:
            names.append(_Name(major=version.major, minor=version.minor))
            if version.patch is not None:
                names.append(_Name(major=version.major, minor=version.minor, patch=version.patch))
    else:
        names.append(_Name(major=3))
    if version.prerelease is not None:
        names += [_Name(n.implementation, n.major, n.minor, n.patch, version.prerelease)
                  for n in names if n.minor is not None]  # fmt: skip
    if implementation is not None:
        names += [n.with_implementation(implementation) for n in names]
    elif version.any:
        names += [n.with_implementation(name) for n in list(names) for name in IMPLEMENTATIONS]
    if not version.any and version.variant is not Variant.DEFAULT:
        names += [n.with_variant(version.variant) for n in names]
    default_request = version.any or version.is_default
    ordered = sorted(
        names, key=lambda n: n.priority(implementation is not None, default_request), reverse=True
    )
    return [str(name) for name in dict.fromkeys(ordered)]


class _Name(NamedTuple):
    """An executable name (`python3.12t`) in parts. A named tuple, not a dataclass: this is defined
    at every start, and defining a dataclass costs about eight times as much (~0.5 ms)."""

    implementation: str | None = None
    major: int | None = None
    minor: int | None = None
    patch: int | None = None
    prerelease: tuple[str, int] | None = None
    variant: Variant = Variant.DEFAULT

    def with_implementation(self, implementation: str) -> _Name:
        return _Name(
            implementation, self.major, self.minor, self.patch, self.prerelease, self.variant
        )

    def with_variant(self, variant: Variant) -> _Name:
        return _Name(
            self.implementation, self.major, self.minor, self.patch, self.prerelease, variant
        )

    def priority(self, implementation_requested: bool, default_request: bool) -> tuple:
        """A sort key reproducing uv's `ExecutableNameComparator` (higher is better).

        Names with an implementation come first only when one was requested; more specific
        version parts rank higher, except for a default request, where the plainest name wins.
        """
        has_implementation = self.implementation is not None
        first = has_implementation if implementation_requested else not has_implementation
        sign = -1 if default_request else 1

        def ranked(value: tuple[int, ...] | None) -> tuple[int, ...]:
            return tuple(sign * part for part in ((0,) if value is None else (1, *value)))

        prerelease = None
        if self.prerelease is not None:
            prerelease = (["a", "b", "rc"].index(self.prerelease[0]), self.prerelease[1])
        return (
            first,
            IMPLEMENTATION_RANK.get(self.implementation or "", -1),
            ranked(None if self.major is None else (self.major,)),
            ranked(None if self.minor is None else (self.minor,)),
            ranked(None if self.patch is None else (self.patch,)),
            ranked(prerelease),
            sign * list(Variant).index(self.variant),
        )

    def __str__(self) -> str:
        text = self.implementation or "python"
        if self.major is not None:
            text += str(self.major)
            if self.minor is not None:
                text += f".{self.minor}"
                if self.patch is not None:
                    text += f".{self.patch}"
        if self.prerelease is not None:
            text += f"{self.prerelease[0]}{self.prerelease[1]}"
        return text + self.variant.executable_suffix + EXE_SUFFIX


def _check_request(request: PythonRequest, settings: DiscoverySettings) -> None:
    request.version_request.check_supported()
    if (
        request.kind is RequestKind.EXECUTABLE_NAME
        and settings.preference is PythonPreference.ONLY_MANAGED
    ):
        raise PuvError(
            f"Interpreter discovery for `{request.to_canonical_string()}` requires `search path` "
            f"but only `{settings.preference}` is allowed"
        )


def _find_provided(request: PythonRequest, settings: DiscoverySettings) -> Installation:
    """A path or a directory named by the user."""
    assert request.path is not None
    path = request.path if request.path.is_absolute() else settings.cwd / request.path
    if request.kind is RequestKind.DIRECTORY:
        settings.debug(f"Checking for Python interpreter in {request}")
        path = _environment_executable(path)
    else:
        settings.debug(f"Checking for Python interpreter at {request}")
    try:
        interpreter = probe_interpreter(path, settings.cache)
    except InterpreterProbeError as exc:
        if exc.kind == "not_found":
            raise not_found_error(request, settings) from exc
        raise _inspect_error(PythonSource.PROVIDED_PATH, path, exc) from exc
    return Installation(PythonSource.PROVIDED_PATH, interpreter)


def _inspect_error(source: PythonSource, path: Path, exc: InterpreterProbeError) -> PuvError:
    return PuvError(
        f"Failed to inspect Python interpreter from {source} at `{path}`", causes=[exc.message]
    )


def _deferral_reason(
    request: PythonRequest, installation: Installation, settings: DiscoverySettings
) -> str | None:
    """Why uv would use this installation only as a last resort (None: use it now)."""
    interpreter = installation.interpreter
    source = installation.source
    default_name = _found_by_default_name(installation)
    if (
        interpreter.version_info[3] != "final"
        and not request.allows_prereleases()
        and not source.allows_unstable
        and not default_name
    ):
        return "pre-release"
    if (
        interpreter.debug_enabled
        and not request.allows_debug()
        and not source.allows_unstable
        and not default_name
    ):
        return "debug"
    if settings.preference is PythonPreference.SYSTEM and source is PythonSource.MANAGED:
        return "managed"
    return None


def _found_by_default_name(installation: Installation) -> bool:
    """Found on `PATH` as `python` or `python3`: uv takes that as opting in to what it runs."""
    return installation.source in (
        PythonSource.SEARCH_PATH,
        PythonSource.SEARCH_PATH_FIRST,
    ) and installation.interpreter.sys_executable.name in {
        f"python{EXE_SUFFIX}",
        f"python3{EXE_SUFFIX}",
    }


def _matching_installations(
    request: PythonRequest,
    settings: DiscoverySettings,
    failures: list[ProbeFailure],
    *,
    parallel: bool = False,
) -> Iterator[Installation]:
    """Installations that satisfy the request and the preferences, in discovery order.

    With `parallel`, all candidates are enumerated first and probed concurrently.
    """
    if request.kind is RequestKind.EXECUTABLE_NAME:
        settings.debug(f"Searching for Python interpreter with {request}")
        groups: Iterator[list[tuple[PythonSource, Path]]] = (
            [(PythonSource.SEARCH_PATH, path)]
            for path in _which_all(request.name or "", settings.search_path)
        )
        for installation in _query_groups(groups, settings, failures, parallel):
            if _environment_allows(installation, settings):
                yield installation
        return
    version = request.version_request
    implementation = request.requested_implementation
    sources = sources_description(request, settings)
    if request.kind is RequestKind.DEFAULT:
        settings.debug(f"Searching for default Python interpreter in {sources}")
    elif request.kind is RequestKind.ANY:
        settings.debug(f"Searching for any Python interpreter in {sources}")
    elif request.kind is RequestKind.IMPLEMENTATION:
        settings.debug(f"Searching for a {request} interpreter in {sources}")
    else:
        settings.debug(f"Searching for {request} in {sources}")
    groups = _candidate_groups(version, implementation, settings)
    for installation in _query_groups(groups, settings, failures, parallel):
        interpreter = installation.interpreter
        if not _environment_allows(installation, settings):
            continue
        if not _source_version(version, installation.source).matches_interpreter(interpreter):
            settings.debug(
                f"Skipping interpreter at `{interpreter.sys_executable}` from "
                f"{installation.source}: does not satisfy request `{version}`"
            )
            continue
        if not _preference_allows(installation, settings):
            continue
        if implementation is not None and interpreter.implementation != implementation:
            continue
        key = request.key
        if (
            request.kind is RequestKind.KEY
            and key is not None
            and not key.matches_platform(interpreter)
        ):
            continue
        if (
            interpreter.implementation != "cpython"
            and not request.allows_alternative_implementations()
            and not installation.source.allows_alternative_implementations
            and not _found_by_default_name(installation)
        ):
            settings.debug(f"Skipping alternative implementation {interpreter.key}")
            continue
        yield installation


def _source_version(version: VersionRequest, source: PythonSource) -> VersionRequest:
    """A default request accepts any interpreter from a source the user chose explicitly."""
    if version.is_default and source in (
        PythonSource.CONDA_PREFIX,
        PythonSource.BASE_CONDA_PREFIX,
        PythonSource.PROVIDED_PATH,
        PythonSource.DISCOVERED_ENVIRONMENT,
        PythonSource.ACTIVE_ENVIRONMENT,
    ):
        return VersionRequest(any=True)
    return version


def _environment_allows(installation: Installation, settings: DiscoverySettings) -> bool:
    interpreter = installation.interpreter
    source = installation.source
    virtual = interpreter.is_virtualenv or source is PythonSource.CONDA_PREFIX
    preference = settings.environments
    if preference is EnvironmentPreference.ANY:
        return True
    if preference is EnvironmentPreference.ONLY_VIRTUAL:
        allowed = virtual
        why = "only virtual environments allowed"
    elif preference is EnvironmentPreference.EXPLICIT_SYSTEM:
        allowed = virtual or source is PythonSource.PROVIDED_PATH
        why = "system interpreter not explicitly requested"
    else:
        allowed = not virtual
        why = "system interpreter required"
    if not allowed:
        settings.debug(f"Ignoring Python interpreter at `{interpreter.sys_executable}`: {why}")
    return allowed


def _preference_allows(installation: Installation, settings: DiscoverySettings) -> bool:
    preference = settings.preference
    if preference in (PythonPreference.MANAGED, PythonPreference.SYSTEM):
        return True
    interpreter = installation.interpreter
    managed = is_managed(interpreter, settings.environ)
    wanted = managed if preference is PythonPreference.ONLY_MANAGED else not managed
    if wanted or installation.source.is_explicit:
        return True
    kind = "managed" if preference is PythonPreference.ONLY_MANAGED else "system"
    settings.debug(
        f"Ignoring Python interpreter at `{interpreter.sys_executable}`: only {kind} "
        "interpreters allowed"
    )
    return False


def _source_prefilter(source: PythonSource, path: Path, settings: DiscoverySettings) -> bool:
    preference = settings.environments
    if preference is EnvironmentPreference.ANY:
        return True
    if preference is EnvironmentPreference.ONLY_SYSTEM:
        allowed = source.is_maybe_system
        why = "system interpreter required"
    else:
        allowed = source.is_maybe_virtualenv
        why = (
            "only virtual environments allowed"
            if preference is EnvironmentPreference.ONLY_VIRTUAL
            else "system interpreter not explicitly requested"
        )
    if not allowed:
        settings.debug(f"Ignoring Python interpreter at `{path}`: {why}")
    return allowed


def _query_groups(
    groups: Iterator[list[tuple[PythonSource, Path]]],
    settings: DiscoverySettings,
    failures: list[ProbeFailure],
    parallel: bool,
) -> Iterator[Installation]:
    """Probe each group; within a group, the newest interpreter comes first. Failures are skipped."""
    prefetched: dict[Path, Interpreter | InterpreterProbeError] = {}
    if parallel:
        groups_list = list(groups)
        groups = iter(groups_list)
        prefetched = _probe_concurrently(
            [path for group in groups_list for _source, path in group], settings.cache
        )
    seen: set[Path] = set()
    for group in groups:
        found: list[Installation] = []
        for source, path in group:
            if not _source_prefilter(source, path, settings):
                continue
            absolute = Path(os.path.abspath(path))
            if absolute in seen:
                continue
            seen.add(absolute)
            try:
                interpreter = _prefetched_or_probe(absolute, prefetched, settings.cache)
            except InterpreterProbeError as exc:
                if exc.critical:
                    raise _inspect_error(source, absolute, exc) from exc
                settings.debug(
                    f"Skipping bad interpreter at `{absolute}` from {source}: {exc.message}"
                )
                failures.append(ProbeFailure(source, absolute, exc))
                continue
            settings.debug(f"Found `{interpreter.key}` at `{absolute}` ({source})")
            found.append(Installation(source, interpreter))
        found.sort(key=lambda item: _key_order(item.interpreter), reverse=True)
        yield from found


def _probe_concurrently(
    paths: list[Path], cache: CacheLayout | None
) -> dict[Path, Interpreter | InterpreterProbeError]:
    """Probe every path at once in a thread pool (the work is in subprocesses)."""
    from concurrent.futures import ThreadPoolExecutor

    unique = list(dict.fromkeys(Path(os.path.abspath(path)) for path in paths))

    def probe(path: Path) -> Interpreter | InterpreterProbeError:
        try:
            return probe_interpreter(path, cache)
        except InterpreterProbeError as exc:
            return exc

    if not unique:
        return {}
    with ThreadPoolExecutor(max_workers=min(8, len(unique))) as pool:
        return dict(zip(unique, pool.map(probe, unique), strict=True))


def _prefetched_or_probe(
    path: Path,
    prefetched: dict[Path, Interpreter | InterpreterProbeError],
    cache: CacheLayout | None,
) -> Interpreter:
    result = prefetched.get(path)
    if result is None:
        return probe_interpreter(path, cache)
    if isinstance(result, InterpreterProbeError):
        raise result
    return result


def _key_order(interpreter: Interpreter) -> tuple:
    return (
        IMPLEMENTATION_RANK.get(interpreter.implementation, -1),
        Version(interpreter.version),
        not interpreter.gil_disabled,
    )


def _candidate_groups(
    version: VersionRequest, implementation: str | None, settings: DiscoverySettings
) -> Iterator[list[tuple[PythonSource, Path]]]:
    """Candidate executables in uv's source order, grouped as uv groups them."""
    environments = settings.environments
    if environments is not EnvironmentPreference.ONLY_SYSTEM:
        yield from ([candidate] for candidate in _virtual_environments(settings))
    if environments is EnvironmentPreference.ONLY_VIRTUAL:
        return
    base_conda = _conda_prefix(settings.environ, base=True)
    if base_conda is not None:
        yield [(PythonSource.BASE_CONDA_PREFIX, _environment_executable(base_conda))]
    for source in _installed_sources(settings):
        if source is PythonSource.MANAGED:
            yield from ([c] for c in _managed_candidates(version, implementation, settings))
        elif source is PythonSource.SEARCH_PATH:
            yield from _search_path_groups(version, implementation, settings)
        else:
            yield from ([c] for c in _pyenv_candidates(version, implementation, settings))


def _installed_sources(settings: DiscoverySettings) -> list[PythonSource]:
    """The system sources to search, in order, for the preference."""
    system = [PythonSource.SEARCH_PATH]
    if pyenv_versions_dir(settings.environ).is_dir():
        system.append(PythonSource.PYENV)
    preference = settings.preference
    if preference is PythonPreference.ONLY_MANAGED:
        return [PythonSource.MANAGED]
    if preference is PythonPreference.MANAGED:
        return [PythonSource.MANAGED, *system]
    if preference is PythonPreference.SYSTEM:
        return [*system, PythonSource.MANAGED]
    return system


def _virtual_environments(settings: DiscoverySettings) -> Iterator[tuple[PythonSource, Path]]:
    active = settings.environ.get("VIRTUAL_ENV")
    if active:
        yield PythonSource.ACTIVE_ENVIRONMENT, _environment_executable(Path(active))
    conda = _conda_prefix(settings.environ, base=False)
    if conda is not None:
        yield PythonSource.CONDA_PREFIX, _environment_executable(conda)
    discovered = _discover_venv(settings.cwd, settings.debug)
    if discovered is not None:
        yield PythonSource.DISCOVERED_ENVIRONMENT, _environment_executable(discovered)


def _discover_venv(cwd: Path, debug: Callable[[str], None]) -> Path | None:
    """The virtual environment containing `cwd`, or the nearest `.venv` in it or its ancestors."""
    for directory in (cwd, *cwd.parents):
        if (directory / "pyvenv.cfg").is_file():
            return directory
        dot_venv = directory / ".venv"
        if dot_venv.is_dir() or dot_venv.is_symlink():
            if (dot_venv / "pyvenv.cfg").is_file():
                return dot_venv
            debug(f"Skipping broken virtualenv at {dot_venv}")
            return None
    return None


def _conda_prefix(environ: Mapping[str, str], *, base: bool) -> Path | None:
    """`CONDA_PREFIX` if it is (`base=True`) or is not the base environment."""
    prefix = environ.get("CONDA_PREFIX")
    if not prefix:
        return None
    path = Path(prefix)
    conda_root = environ.get("_CONDA_ROOT")
    current = environ.get("CONDA_DEFAULT_ENV")
    is_base = (conda_root is not None and path == Path(conda_root)) or current in ("base", "root")
    return path if is_base == base else None


def _environment_executable(root: Path) -> Path:
    """The interpreter of a virtual environment or prefix: `bin/python`, else `bin/python3`."""
    if os.name == "nt":
        for candidate in (root / "Scripts" / "python.exe", root / "python.exe"):
            if candidate.exists():
                return candidate
        return root / "Scripts" / "python.exe"
    for name in ("python", "python3"):
        candidate = root / "bin" / name
        if candidate.exists():
            return candidate
    return root / "bin" / "python"


def _search_path_groups(
    version: VersionRequest, implementation: str | None, settings: DiscoverySettings
) -> Iterator[list[tuple[PythonSource, Path]]]:
    """Per `PATH` directory: each wanted name, then all acceptable `python3.X` as one group."""
    names = executable_names(version, implementation)
    first = True
    seen_dirs: set[Path] = set()
    for directory in settings.search_path:
        if not directory.is_dir():
            continue
        try:
            identity = directory.resolve()
        except OSError:
            identity = directory
        if identity in seen_dirs:
            continue
        seen_dirs.add(identity)
        groups = [[directory / name] for name in names if _is_executable(directory / name)]
        minors = _all_minor_executables(version, implementation, directory)
        if minors:
            groups.append(minors)
        for paths in groups:
            group = []
            for path in paths:
                source = PythonSource.SEARCH_PATH_FIRST if first else PythonSource.SEARCH_PATH
                first = False
                group.append((source, path))
            yield group


def _all_minor_executables(
    version: VersionRequest, implementation: str | None, directory: Path
) -> list[Path]:
    """`python3.X` executables that could satisfy a request without a minor version."""
    if version.minor is not None:
        return []
    prefix = f"({re.escape(implementation)}|python3)" if implementation else "python3"
    pattern = re.compile(rf"^{prefix}\.(?P<minor>\d\d?)t?{re.escape(EXE_SUFFIX)}$")
    found = []
    try:
        entries = sorted(os.listdir(directory))
    except OSError:
        return []
    for entry in entries:
        match = pattern.match(entry)
        if not match:
            continue
        minor = int(match.group("minor"))
        if minor < 6 or not version.matches_major_minor(3, minor):
            continue
        if _is_executable(directory / entry):
            found.append(directory / entry)
    return found


def _managed_candidates(
    version: VersionRequest, implementation: str | None, settings: DiscoverySettings
) -> Iterator[tuple[PythonSource, Path]]:
    """Managed installs for this platform that could satisfy the request, newest first."""
    root = managed_python_dir(settings.environ)
    settings.debug(f"Searching for managed installations at `{root}`")
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        return
    host_os, host_arch = _host_platform()
    installs: list[tuple[tuple, Path, re.Match[str]]] = []
    for entry in entries:
        match = _MANAGED_KEY.match(entry)
        if entry.startswith(".") or not match or not (root / entry).is_dir():
            continue
        if match.group("os") != host_os or KNOWN_ARCHES.get(match.group("arch")) != host_arch:
            settings.debug(f"Skipping managed installation `{entry}`: not supported by platform")
            continue
        installed = Version(match.group("version"))
        if not version.matches_version(installed):
            settings.debug(f"Skipping managed installation `{entry}`: does not satisfy `{version}`")
            continue
        if implementation is not None and match.group("implementation") != implementation:
            continue
        rank = IMPLEMENTATION_RANK.get(match.group("implementation"), -1)
        installs.append(((rank, installed, match.group("variant") is None), root / entry, match))
    for _key, directory, match in sorted(installs, key=lambda item: item[0], reverse=True):
        settings.debug(f"Found managed installation `{directory.name}`")
        yield PythonSource.MANAGED, _managed_executable(directory, match, version)


def _managed_executable(directory: Path, match: re.Match[str], version: VersionRequest) -> Path:
    """`bin/python3.12` of a managed install, via the `cpython-3.12-...` link if it exists."""
    implementation = match.group("implementation")
    installed = Version(match.group("version"))
    major_minor = f"{installed.major}.{installed.minor}"
    suffix = "t" if "freethreaded" in (match.group("variant") or "") else ""
    name = "pypy" if implementation == "pypy" else "python"
    executable_name = f"{name}{major_minor}{suffix}{EXE_SUFFIX}"
    if version.patch is None:
        link = directory.with_name(directory.name.replace(match.group("version"), major_minor, 1))
        if link.exists():
            directory = link
    base = directory / "install" if (directory / "install").is_dir() else directory
    return base / executable_name if os.name == "nt" else base / "bin" / executable_name


def _pyenv_candidates(
    version: VersionRequest, implementation: str | None, settings: DiscoverySettings
) -> Iterator[tuple[PythonSource, Path]]:
    """`$PYENV_ROOT/versions/*/bin/python3`, newest CPython first, skipping pyenv virtualenvs."""
    root = pyenv_versions_dir(settings.environ)
    try:
        entries = sorted(os.listdir(root))
    except OSError:
        return
    ranked: list[tuple[tuple, Path]] = []
    for entry in entries:
        directory = root / entry
        if (directory / "pyvenv.cfg").exists() or not directory.is_dir():
            continue
        match = _PYENV_VERSION.match(entry)
        if match:
            installed = Version(match.group("version"))
            if not version.matches_version(installed):
                continue
            if implementation not in (None, "cpython"):
                continue
            ranked.append(((1, installed), directory))
        else:
            if implementation is None and not version.any and _is_alternative(entry):
                continue
            ranked.append(((0, _loose_version(entry)), directory))
    for _key, directory in sorted(ranked, key=lambda item: item[0], reverse=True):
        for name in ("python3", "python", "pypy3", "graalpy"):
            executable = directory / "bin" / f"{name}{EXE_SUFFIX}"
            if _is_executable(executable):
                yield PythonSource.PYENV, executable
                break


def _is_alternative(name: str) -> bool:
    return any(name.startswith(other) for other in IMPLEMENTATIONS if other != "cpython")


def _loose_version(name: str) -> Version:
    match = re.search(r"\d+(?:\.\d+)*", name)
    try:
        return Version(match.group(0)) if match else Version("0")
    except InvalidVersion:
        return Version("0")


def _which_all(name: str, search_path: list[Path]) -> Iterator[Path]:
    for directory in search_path:
        candidate = directory / name
        if _is_executable(candidate):
            yield candidate
        elif EXE_SUFFIX and _is_executable(directory / f"{name}{EXE_SUFFIX}"):
            yield directory / f"{name}{EXE_SUFFIX}"


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _host_platform() -> tuple[str, str]:
    """(os, arch) of the machine puv runs on, in uv's key spelling."""
    if sys.platform.startswith("linux"):
        system = "linux"
    else:
        system = {"darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
    if hasattr(os, "uname"):  # avoids importing `platform` (and `subprocess`) on Unix
        machine = os.uname().machine.lower()
    else:  # pragma: no cover - Windows
        import platform

        machine = platform.machine().lower()
    return system, KNOWN_ARCHES.get(machine, machine)


def _user_data_dir(environ: Mapping[str, str]) -> Path:
    if os.name == "nt" and environ.get("APPDATA"):
        return Path(environ["APPDATA"])
    xdg = environ.get("XDG_DATA_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg)
    return Path.home() / ".local" / "share"


def _env(environ: Mapping[str, str], name: str) -> str | None:
    """`name` (a `UV_*` variable) or its `PUV_*` twin; empty counts as unset."""
    return env_value(name, environ) or None


def _disjunction(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} or {items[1]}"
    return ", ".join(items[:-1]) + f", or {items[-1]}"
