"""Isolated build environments: a venv for the target interpreter with the build requirements,
installed from wheels only through puv's wheel engine, cached and reused.

`resolve_build_requirements` pins the build requirements with a small greedy resolver: for each
requirement, the newest version the specifiers allow that has a wheel for the interpreter (no
prereleases unless asked for or nothing else fits; no yanked files; `requires-python` honoured),
then its `Requires-Dist` (markers evaluated for the interpreter, with the requested extras). It is
enough for the usual backends (hatchling, setuptools, flit-core, pdm-backend, poetry-core,
uv_build, scikit-build-core) and is meant to be replaced by the full resolver.

An environment is cached in `bucket("builds")/<key>`, where the key digests the interpreter and
the sorted set of pinned wheels; it is assembled in a staging directory (the venv and its scripts
are relocatable, so the final rename does not break them) and persisted atomically, so a second
build with the same pins reuses it and a crash never leaves a half-made one in place.

Without build isolation (`no-build-isolation`, or `no-build-isolation-package` for some packages:
`BuildIsolation`), a build runs in the target environment itself (`shared_environment`): its
interpreter and whatever is installed there, with nothing installed for the build, as uv's
`BuildIsolation::Shared` does.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct
from packaging.markers import InvalidMarker, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from puv.build.errors import BuildError
from puv.cache.layout import CacheLayout
from puv.cache.persist import persist_dir, temp_dir_in
from puv.core.errors import PuvError
from puv.core.hashes import HashDigest
from puv.core.wheel_filename import InvalidWheelFilename, WheelFilename
from puv.python.interpreter import Interpreter

if TYPE_CHECKING:
    from puv.index.client import HttpClient
    from puv.index.indexes import PackageFiles, PackageFinder
    from puv.index.simple import DistFile
    from puv.install.venv import VirtualEnv

_COMPLETE = ".puv-build-env"  # written last into a staged environment
_UNSATISFIABLE = "we can conclude that your requirements are unsatisfiable."
_NO_LOCATIONS_HINT = (
    "Packages were unavailable because index lookups were disabled and no additional package "
    "locations were provided (try: `--find-links <uri>`)"
)


class PinnedWheel(Struct, frozen=True):
    """One build requirement pinned to a wheel file from the index."""

    name: str  # normalized
    version: Version
    file: DistFile
    wheel: WheelFilename


class BuildEnvironment(Struct, frozen=True):
    """A ready build environment: its root, interpreter and scripts directory."""

    root: Path
    python: Path
    scripts: Path
    pins: tuple[PinnedWheel, ...]


class BuildIsolation(Struct, frozen=True):
    """Which builds get an isolated environment (uv's `BuildIsolation`): every one (the
    default), none (`shared`: `no-build-isolation`), or all but those of `shared_packages`
    (normalized names: `no-build-isolation-package`)."""

    shared: bool = False
    shared_packages: frozenset[str] = frozenset()

    def is_isolated(self, package: str | None) -> bool:
        """Whether the build of `package` (None: a project whose name is unknown) is isolated."""
        if self.shared:
            return False
        return package is None or canonicalize_name(package) not in self.shared_packages


def shared_environment(interpreter: Interpreter) -> BuildEnvironment:
    """The environment of `interpreter` itself, as the build environment of a build without
    isolation (nothing is installed into it)."""
    scripts = interpreter.sysconfig_paths.get("scripts")
    return BuildEnvironment(
        interpreter.prefix,
        interpreter.sys_executable,
        Path(scripts) if scripts else interpreter.sys_executable.parent,
        (),
    )


class _Unresolvable(Exception):
    """No wheel satisfies one requirement (the message explains why, in uv's words)."""


def resolve_build_requirements(
    requirements: Sequence[str],
    finder: PackageFinder,
    interpreter: Interpreter,
    *,
    metadata_bucket: Path | None = None,
) -> list[PinnedWheel]:
    """Pin `requirements` and their dependencies to wheels for `interpreter`, greedily.

    Raises `PuvError` (uv's `Failed to resolve requirements from `build-system.requires``) when
    a requirement is malformed or has no usable wheel, or when two requirements conflict.
    """
    from puv.index.metadata import wheel_metadata

    ranks = _tag_ranks(interpreter)
    python = Version(interpreter.markers.get("python_full_version", interpreter.version))
    pinned: dict[str, PinnedWheel] = {}
    extras_done: dict[str, set[str]] = {}
    queue = [_parse(text) for text in requirements]
    try:
        while queue:
            requirement = queue.pop(0)
            if not _applies(requirement, interpreter.markers, ""):
                continue
            name = canonicalize_name(requirement.name)
            pin = pinned.get(name)
            if pin is None:
                registry = bool(finder.indexes.search_order())
                pin = _choose(requirement, finder.find(name), ranks, python, registry)
                pinned[name] = pin
                extras_done[name] = set()
            elif not requirement.specifier.contains(pin.version, prereleases=True):
                raise _Unresolvable(
                    f"Because {name}=={pin.version} was selected and you require "
                    f"{requirement}, {_UNSATISFIABLE}"
                )
            wanted = {"", *map(canonicalize_name, requirement.extras)} - extras_done[name]
            if not wanted:
                continue
            extras_done[name] |= wanted
            metadata = wheel_metadata(finder.client, pin.file, metadata_bucket)
            for dependency in _requires_dist(metadata):
                if any(_applies(dependency, interpreter.markers, extra) for extra in wanted):
                    queue.append(_without_marker(dependency))
    except _Unresolvable as err:
        no_locations = not finder.indexes.search_order() and not finder.indexes.find_links
        raise PuvError(
            "Failed to resolve requirements from `build-system.requires`",
            causes=["No solution found when resolving: " + _listed(requirements), str(err)],
            hint=_NO_LOCATIONS_HINT if no_locations else None,
            exit_code=1,
        ) from None
    return sorted(pinned.values(), key=lambda pin: pin.name)


def _parse(text: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as err:
        raise PuvError(
            "Failed to resolve requirements from `build-system.requires`",
            causes=[f"Failed to parse: `{text}`", str(err)],
        ) from None


def _listed(requirements: Sequence[str]) -> str:
    return ", ".join(f"`{text}`" for text in requirements)


def _applies(requirement: Requirement, markers: Mapping[str, str], extra: str) -> bool:
    if requirement.marker is None:
        return True
    try:
        return requirement.marker.evaluate({**markers, "extra": extra})
    except (InvalidMarker, UndefinedEnvironmentName):
        return False


def _without_marker(requirement: Requirement) -> Requirement:
    copy = Requirement(str(requirement))
    copy.marker = None
    return copy


def _requires_dist(metadata: bytes) -> list[Requirement]:
    from email.parser import BytesHeaderParser

    headers = BytesHeaderParser().parsebytes(metadata)
    found = []
    for value in headers.get_all("Requires-Dist") or []:
        try:
            found.append(Requirement(str(value)))
        except InvalidRequirement:
            continue  # uv skips unparsable dependencies of a dependency with a warning
    return found


def _tag_ranks(interpreter: Interpreter) -> dict[tuple[str, str, str], int]:
    from puv.python.tags import interpreter_tags

    ranks: dict[tuple[str, str, str], int] = {}
    for rank, tag in enumerate(interpreter_tags(interpreter)):
        ranks.setdefault((tag.interpreter, tag.abi, tag.platform), rank)
    return ranks


def _choose(
    requirement: Requirement,
    package: PackageFiles,
    ranks: Mapping[tuple[str, str, str], int],
    python: Version,
    registry: bool,
) -> PinnedWheel:
    """The newest allowed version's best wheel (prereleases only if asked for or needed)."""
    name = canonicalize_name(requirement.name)
    if requirement.url:
        raise _Unresolvable(f"Direct URL build requirements are not supported yet: {requirement}")
    if not package.versions:
        where = "package registry" if registry else "provided package locations"
        raise _Unresolvable(
            f"Because {name} was not found in the {where} and you require "
            f"{requirement}, {_UNSATISFIABLE}"
        )
    specifier = requirement.specifier
    allowed = [e for e in package.versions if specifier.contains(e.version, prereleases=True)]
    finals = [e for e in allowed if not e.version.is_prerelease]
    candidates = allowed if specifier.prereleases else (finals or allowed)
    for entry in candidates:
        best: tuple[int, DistFile, WheelFilename] | None = None
        for file in entry.files:
            if not file.is_wheel or file.yanked or not _python_ok(file.requires_python, python):
                continue
            try:
                wheel = WheelFilename.parse(file.filename)
            except InvalidWheelFilename:
                continue
            rank = min((ranks[tag] for tag in wheel.tags() if tag in ranks), default=None)
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, file, wheel)
        if best is not None:
            return PinnedWheel(name, entry.version, best[1], best[2])
    if not allowed:
        raise _Unresolvable(
            f"Because there is no version of {name}{specifier} and you require "
            f"{requirement}, {_UNSATISFIABLE}"
        )
    raise _Unresolvable(
        f"Because no wheel of {name}{specifier} is compatible with the build interpreter "
        f"(build requirements are installed from wheels only) and you require {requirement}, "
        f"{_UNSATISFIABLE}"
    )


def _python_ok(requires_python: str | None, python: Version) -> bool:
    if not requires_python:
        return True
    try:
        return SpecifierSet(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True


# --- environments -------------------------------------------------------------------------------


def environment_key(pins: Iterable[PinnedWheel], interpreter: Interpreter) -> str:
    """The cache key of an environment: the interpreter and the sorted pinned wheels."""
    document = {
        "interpreter": [str(interpreter.sys_executable), interpreter.key],
        "wheels": sorted(
            f"{pin.name}=={pin.version} {pin.wheel.filename} {pin.file.hash('sha256') or ''}"
            for pin in pins
        ),
    }
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()
    return digest[:16]


class BuildEnvironments:
    """Makes (or reuses from the cache) build environments for one interpreter."""

    def __init__(self, cache: CacheLayout, finder: PackageFinder, interpreter: Interpreter) -> None:
        self.cache = cache
        self.finder = finder
        self.interpreter = interpreter

    @property
    def client(self) -> HttpClient:
        """The HTTP client the finder uses (also used to download wheels)."""
        return self.finder.client

    def environment(self, requirements: Sequence[str]) -> BuildEnvironment:
        """An environment with `requirements` installed, from the cache when it exists."""
        pins = resolve_build_requirements(
            requirements,
            self.finder,
            self.interpreter,
            metadata_bucket=self.cache.bucket("metadata"),
        )
        bucket = self.cache.bucket("builds")
        target = bucket / environment_key(pins, self.interpreter)
        if not (target / _COMPLETE).is_file():
            scratch = temp_dir_in(bucket)  # `.tmp*`: removed by `cache prune` after a crash
            try:
                stage = scratch / "env"
                self._populate(stage, pins, scratch / "downloads")
                persist_dir(stage, target)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        return BuildEnvironment(target, target / "bin" / "python", target / "bin", tuple(pins))

    def _populate(self, stage: Path, pins: Sequence[PinnedWheel], downloads: Path) -> None:
        from puv.install.venv import create_venv

        venv = create_venv(stage, self.interpreter, relocatable=True)
        self.install(venv, pins, downloads, relocatable=True)
        (stage / _COMPLETE).write_text(
            "".join(f"{pin.name}=={pin.version}\n" for pin in pins), encoding="utf-8"
        )

    def install(
        self, venv: VirtualEnv, pins: Sequence[PinnedWheel], downloads: Path, *, relocatable: bool
    ) -> None:
        """Install the pinned wheels into `venv` (downloading into `downloads` what is missing)."""
        from puv.install.link import Linker
        from puv.install.scheme import Layout, Scheme
        from puv.install.wheel_install import install_wheel

        downloads.mkdir(parents=True, exist_ok=True)
        major, minor = self.interpreter.major_minor
        scheme = Scheme(
            purelib=venv.purelib,
            platlib=venv.platlib,
            scripts=venv.scripts,
            data=venv.root,
            include=venv.root / "include" / "site" / f"python{major}.{minor}",
        )
        layout = Layout(scheme, venv.python, (major, minor))
        linker = Linker()
        for pin in pins:
            install_wheel(
                self._unpacked(pin, downloads), pin.wheel, layout, linker, relocatable=relocatable
            )

    def _unpacked(self, pin: PinnedWheel, downloads: Path) -> Path:
        """The wheel unpacked in the cache (downloaded unless already unpacked there)."""
        from puv.index.client import path_from_file_url
        from puv.install.archive import unpack_wheel

        sha256 = pin.file.hash("sha256")
        archives = self.cache.bucket("archive")
        if sha256 and (archives / sha256).is_dir():
            return archives / sha256
        expected = [HashDigest(algorithm, digest) for algorithm, digest in pin.file.hashes]
        try:
            if pin.file.url.startswith("file:"):
                source = Path(path_from_file_url(pin.file.url))
                return unpack_wheel(source, pin.wheel, self.cache, expected_hashes=expected).path
            result = self.client.download(
                pin.file.url,
                downloads / pin.wheel.filename,
                expected=expected,
                distribution=f"{pin.name}=={pin.version}",
            )
            try:
                return unpack_wheel(result.path, pin.wheel, self.cache).path
            finally:
                result.path.unlink(missing_ok=True)
        except PuvError as err:
            raise BuildError(
                f"Failed to install build dependency `{pin.name}=={pin.version}`",
                causes=[err.message, *err.causes],
                hint=err.hint,
            ) from None
