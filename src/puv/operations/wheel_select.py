"""Which file of a package to install for one requirement, without resolving dependencies.

`select_wheel` walks the versions an index offers (newest first, or in the order the index
strategy wants), keeps those the requirement's specifiers allow (prereleases only when asked for
or when nothing else matches, as uv's `if-necessary`), drops files uploaded after
`--exclude-newer`, yanked files (unless the version is pinned with `==`) and files whose
`requires-python` excludes the interpreter, and returns the wheel with the best tag for the
target interpreter, else the version's sdist to build (unless building is off; with binaries off,
the sdist only). When nothing fits, the error reads as uv's resolver explains it.

Pure: it looks at index data and the interpreter's tags, and does no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from msgspec import Struct
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from puv.core.errors import FailureError, PuvError
from puv.core.hashes import HashDigest
from puv.core.wheel_filename import InvalidWheelFilename, WheelFilename
from puv.operations.pip_requirements import Requested

if TYPE_CHECKING:
    from puv.index.indexes import PackageFiles, VersionFiles
    from puv.index.simple import DistFile
    from puv.python.interpreter import Interpreter

_UNSATISFIABLE = "we can conclude that your requirements are unsatisfiable."


class NoSolution(FailureError):
    """uv's `No solution found when resolving dependencies` with the explanation as cause."""

    def __init__(self, explanation: str, hint: str | None = None) -> None:
        super().__init__(
            "No solution found when resolving dependencies", causes=[explanation], hint=hint
        )


class TagPolicy(Struct, frozen=True):
    """The wheel tags a target interpreter accepts, ranked, and what error messages show."""

    ranks: dict[str, int]  # `cp311-cp311-manylinux_2_17_x86_64` -> rank (0 = best)
    python_tags: frozenset[str]
    python_abi_tags: frozenset[tuple[str, str]]
    python_version: Version  # the full version, for `requires-python`
    example_python: str  # `cp311`
    example_abi: str  # `cp311`
    example_platform: str  # `manylinux_2_36_x86_64`
    implementation: str  # `CPython 3.11`

    def rank(self, wheel: WheelFilename) -> int | None:
        """The best rank among the wheel's tags, or None when the interpreter accepts none."""
        ranks = self.ranks
        best: int | None = None
        for python, abi, platform in wheel.tags():
            rank = ranks.get(f"{python}-{abi}-{platform}")
            if rank is not None and (best is None or rank < best):
                best = rank
        return best


def tag_policy(interpreter: Interpreter) -> TagPolicy:
    """The tag policy of `interpreter` (from its probed facts), ranked as uv ranks tags."""
    from puv.operations.target_platform import ranked_tags

    tags = ranked_tags(interpreter)
    ranks: dict[str, int] = {}
    for rank, tag in enumerate(tags):
        ranks.setdefault(str(tag), rank)
    first = tags[0]
    platform = next(
        (tag.platform for tag in tags if not tag.platform.startswith(("linux_", "any"))),
        first.platform,
    )
    major, minor = interpreter.major_minor
    name = interpreter.display_name.split(" ")[0]
    return TagPolicy(
        ranks=ranks,
        python_tags=frozenset(tag.interpreter for tag in tags),
        python_abi_tags=frozenset((tag.interpreter, tag.abi) for tag in tags),
        python_version=Version(interpreter.markers.get("python_full_version", interpreter.version)),
        example_python=first.interpreter,
        example_abi=first.abi,
        example_platform=platform,
        implementation=f"{name} {major}.{minor}",
    )


class Selected(Struct, frozen=True):
    """The file chosen for a requirement: a wheel, or (`wheel` None) an sdist to build."""

    file: DistFile
    wheel: WheelFilename | None
    version: Version


class Builds(Struct, frozen=True):
    """Whether a package may be built from its sdist (`build`) and installed from a wheel
    (`binary`), and the flag that said no, for uv's hint: `all` (`--no-build` / `--no-binary
    :all:`) or `package` (`--only-binary <name>` / `--no-binary <name>`)."""

    build: bool = True
    binary: bool = True
    disabled_by: str = "all"


def parse_exclude_newer(value: str) -> float:
    """`--exclude-newer` (an RFC 3339 timestamp, or a date meaning local midnight) as a
    POSIX timestamp."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise PuvError(
            f"invalid value '{value}' for '--exclude-newer <EXCLUDE_NEWER>': `{value}` could "
            "not be parsed as a valid date (expected `YYYY-MM-DD` or an RFC 3339 timestamp)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone() if "T" not in text else moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _uploaded_before(file: DistFile, cutoff: float | None) -> bool:
    if cutoff is None or file.upload_time is None:
        return True
    try:
        uploaded = datetime.fromisoformat(file.upload_time)
    except ValueError:
        return True
    if uploaded.tzinfo is None:
        uploaded = uploaded.replace(tzinfo=UTC)
    return uploaded.timestamp() < cutoff


class _Rejection(Struct, frozen=True):
    """Why the files of one version could not be used: wheels dropped for their tags, a
    `requires-python` that excludes the interpreter, or `switch`: `no-build` (only an sdist,
    and building is off) / `no-binary` (only wheels, and binaries are off)."""

    version: Version
    wheels: tuple[WheelFilename, ...] = ()
    requires_python: str | None = None
    switch: str | None = None


def select_wheel(
    requested: Requested,
    package: PackageFiles,
    policy: TagPolicy,
    *,
    exclude_newer: float | None = None,
    registry: bool = True,
    builds: Builds | None = None,
) -> Selected:
    """The best wheel (else sdist, as `builds` allows) for `requested` among `package`'s files;
    raises `NoSolution`. `registry` is False when no index was searched (`--no-index`), which
    changes uv's wording."""
    if not package.versions:
        where = "package registry" if registry else "provided package locations"
        raise NoSolution(
            f"Because {requested.name} was not found in the {where} and you require "
            f"{requested.display}, {_UNSATISFIABLE}",
            hint=_auth_hint(package),
        )
    matching = _matching_versions(requested, package.versions)
    if not matching:
        raise NoSolution(_no_version(requested, [entry.version for entry in package.versions]))
    pinned = requested.pinned is not None
    wanted = set(requested.hashes)
    allowed = builds or Builds()
    rejections: list[_Rejection] = []
    for entry in matching:
        chosen, rejection = _best_file(entry, policy, exclude_newer, pinned, wanted, allowed)
        if chosen is not None:
            return chosen
        if rejection is not None:
            rejections.append(rejection)
    if rejections:
        raise _unusable(requested, rejections[0], policy, len(package.versions), allowed)
    raise NoSolution(_no_version(requested, [entry.version for entry in package.versions]))


def _auth_hint(package: PackageFiles) -> str | None:
    if package.auth_failure is None:
        return None
    from puv.index.indexes import auth_hint

    return auth_hint(package.auth_failure)


def _matching_versions(
    requested: Requested, versions: Sequence[VersionFiles]
) -> list[VersionFiles]:
    """Versions the specifiers allow; prereleases if asked for or if nothing else matches."""
    pinned = _pinned_version(requested)
    if pinned is not None:  # the common case, and cheap even for thousands of versions
        return [e for e in versions if e.version == pinned or _same_public(e.version, pinned)]
    try:
        specifiers = SpecifierSet(requested.specifier)
    except InvalidSpecifier as err:
        raise PuvError(f"Failed to parse: `{requested.display}`", causes=[str(err)]) from None
    matching = [e for e in versions if specifiers.contains(e.version, prereleases=True)]
    if specifiers.prereleases:
        return matching
    finals = [entry for entry in matching if not entry.version.is_prerelease]
    return finals or matching


def _pinned_version(requested: Requested) -> Version | None:
    if requested.pinned is None:
        return None
    try:
        return Version(requested.pinned)
    except InvalidVersion:
        return None


def _same_public(version: Version, pinned: Version) -> bool:
    """`==1.0` also matches `1.0+local` (PEP 440), unless the pin names a local version."""
    return version.local is not None and pinned.local is None and Version(version.public) == pinned


def _best_file(
    entry: VersionFiles,
    policy: TagPolicy,
    exclude_newer: float | None,
    pinned: bool,
    wanted: set[HashDigest],
    builds: Builds,
) -> tuple[Selected | None, _Rejection | None]:
    best: tuple[tuple[int, int, int], DistFile, WheelFilename] | None = None
    incompatible: list[WheelFilename] = []
    excluded_python: str | None = None
    sdist: DistFile | None = None
    wheels = False
    for file in entry.files:
        if (file.yanked and not pinned) or not _uploaded_before(file, exclude_newer):
            continue
        if file.requires_python and not _python_allowed(file.requires_python, policy):
            excluded_python = file.requires_python
            continue
        if not file.is_wheel:
            sdist = sdist or file
            continue
        try:
            wheel = WheelFilename.parse(file.filename)
        except InvalidWheelFilename:
            continue
        wheels = True
        if not builds.binary:
            continue
        rank = policy.rank(wheel)
        if rank is None:
            incompatible.append(wheel)
            continue
        matches_hash = any(HashDigest(alg, digest) in wanted for alg, digest in file.hashes)
        build = wheel.build_tag[0] if wheel.build_tag else 0
        key = (0 if matches_hash or not wanted else 1, rank, -build)
        if best is None or key < best[0]:
            best = (key, file, wheel)
    if best is not None:
        return Selected(best[1], best[2], entry.version), None
    if sdist is not None and builds.build:
        return Selected(sdist, None, entry.version), None
    if sdist is not None and not incompatible:
        return None, _Rejection(entry.version, switch="no-build")
    if wheels and not builds.binary:
        return None, _Rejection(entry.version, switch="no-binary")
    if incompatible or excluded_python:
        return None, _Rejection(entry.version, tuple(incompatible), excluded_python)
    return None, None


def _python_allowed(requires_python: str, policy: TagPolicy) -> bool:
    try:
        return SpecifierSet(requires_python).contains(policy.python_version, prereleases=True)
    except InvalidSpecifier:
        return True


def _no_version(requested: Requested, known: Sequence[Version]) -> str:
    """uv's explanation when no version matches the specifiers."""
    name, display = requested.name, requested.display
    if requested.pinned is None and known:
        available = sorted(set(known))
        specifiers = SpecifierSet(requested.specifier)
        sides = {_side(specifiers, version) for version in available}
        only = ""
        if len(available) == 1:
            only = f"{name}=={available[0]}"
        elif sides == {"below"}:
            only = f"{name}<={available[-1]}"
        elif sides == {"above"}:
            only = f"{name}>={available[0]}"
        if only:
            return f"Because only {only} is available and you require {display}, {_UNSATISFIABLE}"
    return f"Because there is no version of {display} and you require {display}, {_UNSATISFIABLE}"


def _side(specifiers: SpecifierSet, version: Version) -> str | None:
    """Whether `version` lies below or above what `specifiers` allow (None: neither, or both)."""
    sides = set()
    for specifier in specifiers:
        if specifier.contains(version, prereleases=True):
            continue
        operator = specifier.operator
        if operator in (">", ">="):
            sides.add("below")
        elif operator in ("<", "<="):
            sides.add("above")
        elif operator in ("~=", "==", "==="):
            try:
                bound = Version(specifier.version.removesuffix(".*"))
            except ValueError:
                return None
            sides.add("below" if version < bound else "above")
        else:
            return None
    return sides.pop() if len(sides) == 1 else None


def _unusable(
    requested: Requested,
    rejection: _Rejection,
    policy: TagPolicy,
    available: int,
    builds: Builds,
) -> NoSolution:
    name, version = requested.name, rejection.version
    pinned_display = f"{name}=={version}"
    if rejection.switch is not None:
        return _switched_off(requested, rejection, available, builds)
    if rejection.wheels:
        kind, example, hint = _tag_mismatch(name, version, rejection.wheels, policy)
        reason = f"{pinned_display} has no wheels with a matching {kind} (e.g., `{example}`)"
    else:
        python = f"Python{rejection.requires_python}"
        reason = (
            f"the current Python version ({policy.python_version}) does not satisfy {python} "
            f"and {pinned_display} depends on {python}"
        )
        hint = None
    if requested.pinned is not None or available > 1:
        if rejection.wheels:
            text = f"Because {reason} and you require {requested.display}, {_UNSATISFIABLE}"
        else:
            text = (
                f"Because {reason}, we can conclude that {pinned_display} cannot be used.\n"
                f"And because you require {requested.display}, {_UNSATISFIABLE}"
            )
    else:
        text = (
            f"Because {reason} and only {pinned_display} is available, we can conclude that all "
            f"versions of {name} cannot be used.\n"
            f"And because you require {requested.display}, {_UNSATISFIABLE}"
        )
    return NoSolution(text, hint=hint)


def _switched_off(
    requested: Requested, rejection: _Rejection, available: int, builds: Builds
) -> NoSolution:
    """uv's words for a version whose only files are ones `--no-build` / `--no-binary` forbid."""
    name = requested.name
    pinned_display = f"{name}=={rejection.version}"
    if rejection.switch == "no-build":
        reason = f"{pinned_display} has no usable wheels"
        why = "Wheels are required for `{name}` because building from source is disabled for "
        flag = "`--no-build`" if builds.disabled_by == "all" else f"`--no-build-package {name}`"
    else:
        reason = f"{pinned_display} has no source distribution"
        why = "A source distribution is required for `{name}` because using pre-built wheels is "
        why += "disabled for "
        flag = "`--no-binary`" if builds.disabled_by == "all" else f"`--no-binary-package {name}`"
    scope = "all packages" if builds.disabled_by == "all" else f"`{name}`"
    hint = why.format(name=name) + f"{scope} (i.e., with {flag})"
    if requested.pinned is not None or available > 1:
        text = f"Because {reason} and you require {requested.display}, {_UNSATISFIABLE}"
    else:
        text = (
            f"Because {reason} and only {pinned_display} is available, we can conclude that all "
            f"versions of {name} cannot be used.\n"
            f"And because you require {requested.display}, {_UNSATISFIABLE}"
        )
    return NoSolution(text, hint=hint)


def _tag_mismatch(
    name: str, version: Version, wheels: Sequence[WheelFilename], policy: TagPolicy
) -> tuple[str, str, str]:
    """Which part of the tags fails (python, ABI or platform), an example the interpreter
    accepts, and uv's hint naming the tags the wheels have."""
    pythons = sorted({python for wheel in wheels for python in wheel.python_tags})
    if not any(python in policy.python_tags for python in pythons):
        tags = _listed(pythons)
        return (
            "Python implementation tag",
            policy.example_python,
            f"You require {policy.implementation} (`{policy.example_python}`), but we only found "
            f"wheels for `{name}` (v{version}) with the following Python implementation "
            f"tag{_s(pythons)}: {tags}",
        )
    pairs = {(p, a) for wheel in wheels for p in wheel.python_tags for a in wheel.abi_tags}
    if not pairs & policy.python_abi_tags:
        abis = sorted({abi for wheel in wheels for abi in wheel.abi_tags})
        return (
            "Python ABI tag",
            policy.example_abi,
            f"You require {policy.implementation} (`{policy.example_python}`), but we only found "
            f"wheels for `{name}` (v{version}) with the following Python ABI tag{_s(abis)}: "
            f"{_listed(abis)}",
        )
    platforms = sorted({platform for wheel in wheels for platform in wheel.platform_tags})
    return (
        "platform tag",
        policy.example_platform,
        f"Wheels are available for `{name}` (v{version}) on the following "
        f"platform{_s(platforms)}: {_listed(platforms)}",
    )


def _listed(items: Sequence[str]) -> str:
    return ", ".join(f"`{item}`" for item in items)


def _s(items: Sequence[str]) -> str:
    return "" if len(items) == 1 else "s"
