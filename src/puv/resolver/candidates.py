"""Which version to try next, and whether its files are usable: uv's `CandidateSelector`.

- resolution: `highest` (default), `lowest`, or `lowest-direct` (lowest for the packages the
  user asked for, highest for the rest);
- pre-releases: `if-necessary` (default: stable versions in the allowed range first, and
  pre-releases only when no stable version is in it), `allow`, `disallow`, and `explicit`
  (pre-releases only for packages whose own requirement names a pre-release);
- a yanked file is only usable when the user pinned that exact version with `==`/`===`;
- a file's `Requires-Python` is checked against the target Python by its lower bound only
  (uv ignores upper bounds);
- wheels are matched against the target tags when tags are given, otherwise only against the
  target Python's minor version (uv's `RequiresPython::matches_wheel_tag`);
- local versions need no special casing: `==1.2.3` admits `1.2.3+cpu`, which sorts above
  `1.2.3` and so wins under `highest`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

import msgspec
from msgspec import field
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag
from packaging.utils import canonicalize_name
from packaging.version import Version

from puv.resolver.provider import DistFile, PackageVersion, find_release, parse_wheel_tags
from puv.resolver.version_set import (
    VersionRanges,
    is_prerelease,
    python_ranges_from_specifiers,
)

RESOLUTION_MODES = ("highest", "lowest", "lowest-direct")
PRERELEASE_MODES = ("disallow", "allow", "if-necessary", "explicit")


class IncompatibleTag(enum.IntEnum):
    """Why no wheel tag matched, least helpful first (uv's `IncompatibleTag` order)."""

    INVALID = 0
    PYTHON = 1
    ABI = 2
    FREETHREADED_ABI = 3
    ABI_PYTHON_VERSION = 4
    PLATFORM = 5


@dataclasses.dataclass(frozen=True, slots=True)  # not a Struct: `_priority` is not compared
class TargetTags:
    """The wheel tags the target environment accepts, most preferred first."""

    tags: tuple[Tag, ...]
    _priority: dict[str, dict[str, dict[str, int]]] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def from_tags(cls, tags: Iterable[Tag]) -> TargetTags:
        """Build the lookup table from an ordered tag list (e.g. `packaging.tags.sys_tags()`)."""
        ordered = tuple(tags)
        table: dict[str, dict[str, dict[str, int]]] = {}
        for rank, tag in enumerate(ordered):
            platforms = table.setdefault(tag.interpreter, {}).setdefault(tag.abi, {})
            platforms.setdefault(tag.platform, len(ordered) - rank)
        return cls(ordered, table)

    @property
    def best(self) -> Tag | None:
        """The most preferred tag (used for `(e.g., cp312)` in messages)."""
        return self.tags[0] if self.tags else None

    def compatibility(self, wheel_tags: Iterable[Tag]) -> int | IncompatibleTag:
        """The priority of the best matching tag, or why none matches."""
        best: int | IncompatibleTag = IncompatibleTag.INVALID
        pythons: dict[str, set[str]] = {}
        for tag in wheel_tags:
            pythons.setdefault(tag.interpreter, set())
        abis = {tag.abi for tag in wheel_tags}
        platforms = {tag.platform for tag in wheel_tags}
        for python in pythons:
            table = self._priority.get(python)
            if table is None:
                best = _better(best, IncompatibleTag.PYTHON)
                continue
            for abi in abis:
                by_platform = table.get(abi)
                if by_platform is None:
                    best = _better(best, IncompatibleTag.ABI)
                    continue
                for platform in platforms:
                    priority = by_platform.get(platform)
                    best = _better(best, IncompatibleTag.PLATFORM if priority is None else priority)
        return best


def _better(current: int | IncompatibleTag, new: int | IncompatibleTag) -> int | IncompatibleTag:
    """The more compatible of two outcomes: any priority beats any incompatibility."""
    current_ok = not isinstance(current, IncompatibleTag)
    new_ok = not isinstance(new, IncompatibleTag)
    if current_ok != new_ok:
        return current if current_ok else new
    return max(current, new)


class Incompatible(msgspec.Struct, frozen=True):
    """Why a file (or a version, through its best file) cannot be used.

    `kind` is one of: `no-binary`, `no-build`, `tag`, `yanked`, `requires-python`, `unavailable`,
    `missing-platform` (no wheel for a required environment, the marker text `platform`).
    """

    kind: str
    wheel: bool
    tag: IncompatibleTag | None = None
    yanked_reason: str | None = None
    requires_python: SpecifierSet | None = None
    installed: bool = False
    platform: str | None = None

    def description(self) -> str:
        """uv's wording of the problem (`yanked (reason: ...)`, `no usable wheels`, ...)."""
        if self.kind == "no-binary":
            return "no source distribution"
        if self.kind == "no-build":
            return "no usable wheels"
        if self.kind == "yanked":
            if self.yanked_reason is None:
                return "yanked"
            return f"yanked (reason: {self.yanked_reason.strip().rstrip('.')})"
        if self.kind == "requires-python":
            return f"Python {self.requires_python}"
        if self.kind == "unavailable":
            return "no available distributions"
        if self.kind == "missing-platform":
            known = _KNOWN_PLATFORMS.get(self.platform or "")
            return f"no {known or f'`{self.platform}`'}-compatible wheels"
        return _TAG_TEXT[self.tag or IncompatibleTag.INVALID]

    def verb(self, plural: bool) -> str:
        """`has`/`have`, `was`/`were` or `requires`/`require`, as uv conjugates each case."""
        if self.kind == "yanked":
            return "were" if plural else "was"
        if self.kind == "requires-python":
            return "require" if plural else "requires"
        return "have" if plural else "has"


_TAG_TEXT = {
    IncompatibleTag.INVALID: "no wheels with valid tags",
    IncompatibleTag.PYTHON: "no wheels with a matching Python implementation tag",
    IncompatibleTag.ABI: "no wheels with a matching Python ABI tag",
    IncompatibleTag.FREETHREADED_ABI: "no wheels with a free-threading compatible ABI tag",
    IncompatibleTag.ABI_PYTHON_VERSION: "no wheels with a matching Python version tag",
    IncompatibleTag.PLATFORM: "no wheels with a matching platform tag",
}

# uv's `KnownPlatform` names for a required environment that is exactly one platform.
_KNOWN_PLATFORMS = {
    "sys_platform == 'linux'": "Linux",
    "sys_platform == 'win32'": "Windows",
    "sys_platform == 'darwin'": "macOS",
}

# How close to usable an incompatible file is, per uv's `is_more_compatible` (higher is closer).
_WHEEL_RANK = {"tag": 4, "requires-python": 3, "yanked": 2, "no-binary": 1}
_SOURCE_RANK = {"requires-python": 3, "yanked": 2, "no-build": 1}


class PythonTarget(msgspec.Struct, frozen=True):
    """The Python the resolution is for (`target`) and the interpreter that runs (`installed`).

    `target` is a lower bound (`--python-version 3.9` means `>=3.9`); `installed` is the exact
    version of the interpreter, which uv reports as "the current Python version".
    """

    target: Version
    installed: Version
    source: str = "python-version"

    @property
    def target_is_installed(self) -> bool:
        """uv reports "the current Python version" when the two coincide."""
        return _release(self.installed) == _release(self.target)

    def accepts(self, requires_python: SpecifierSet | None) -> bool:
        """Whether the target satisfies a `Requires-Python` (lower bound only, as uv)."""
        if requires_python is None:
            return True
        ranges = python_ranges_from_specifiers(requires_python)
        lower = ranges.bounding_lower()
        if lower is None:
            return True
        target = _release(self.target)
        if lower.inclusive:
            return target >= _release(lower.version)
        return target > _release(lower.version)


def _release(version: Version) -> tuple[int, ...]:
    release = list(version.release)
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    return tuple(release)


class Candidate(msgspec.Struct, frozen=True):
    """A version to try: usable (`file` set) or not (`incompatible` set)."""

    version: Version
    file: DistFile | None
    incompatible: Incompatible | None


class SelectionPolicy(msgspec.Struct, frozen=True):
    """The user's choices that decide which versions and files are acceptable."""

    resolution: str = "highest"
    prerelease: str = "if-necessary"
    prerelease_packages: Mapping[str, str] = field(default_factory=dict)
    direct: frozenset[str] = frozenset()
    explicit_prerelease: frozenset[str] = frozenset()
    allowed_yanks: Mapping[str, frozenset[Version]] = field(default_factory=dict)
    no_build: bool | frozenset[str] = False
    no_binary: bool | frozenset[str] = False
    tags: TargetTags | None = None
    python: PythonTarget | None = None
    preferences: Mapping[str, Sequence[Version]] = field(default_factory=dict)

    def with_requirements(self, requirements: Iterable[Requirement]) -> SelectionPolicy:
        """The policy with the facts taken from the user's requirements (and constraints):
        which packages are direct (`lowest-direct`), which name a pre-release (`explicit`),
        and which exact pins may select a yanked version."""
        direct: set[str] = set()
        explicit: set[str] = set()
        yanks: dict[str, set[Version]] = {}
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            direct.add(name)
            specifiers = list(requirement.specifier)
            if any(
                spec.operator != "!=" and _names_prerelease(spec.version) for spec in specifiers
            ):
                explicit.add(name)
            if len(specifiers) == 1 and specifiers[0].operator in ("==", "==="):
                with contextlib.suppress(ValueError):
                    yanks.setdefault(name, set()).add(Version(specifiers[0].version))
        return msgspec.structs.replace(
            self,
            direct=frozenset(direct),
            explicit_prerelease=frozenset(explicit),
            allowed_yanks={name: frozenset(versions) for name, versions in yanks.items()},
        )

    # policies ---------------------------------------------------------------------------

    def prerelease_selection(self, name: str) -> str:
        """`allow`, `disallow` or `prefer-stable` for one package."""
        mode = self.prerelease_packages.get(name, self.prerelease)
        if mode == "allow":
            return "allow"
        if mode == "disallow":
            return "disallow"
        if mode == "explicit":
            return "prefer-stable" if name in self.explicit_prerelease else "disallow"
        return "prefer-stable"

    def use_highest(self, name: str) -> bool:
        """Whether to try the highest version first."""
        if self.resolution == "lowest":
            return False
        if self.resolution == "lowest-direct":
            return name not in self.direct
        return True

    def _matches(self, switch: bool | frozenset[str], name: str) -> bool:
        return switch if isinstance(switch, bool) else name in switch

    # files ------------------------------------------------------------------------------

    def file_compatibility(
        self, name: str, version: Version, file: DistFile
    ) -> tuple[int, ...] | Incompatible:
        """A sortable priority for a usable file, or why it cannot be used."""
        if file.is_wheel:
            if self._matches(self.no_binary, name):
                return Incompatible("no-binary", True)
            if file.yanked and version not in self.allowed_yanks.get(name, ()):
                return Incompatible("yanked", True, yanked_reason=file.yanked_reason)
            if self.tags is not None:
                outcome = self.tags.compatibility(file.wheel_tags)
                if isinstance(outcome, IncompatibleTag):
                    return Incompatible("tag", True, tag=outcome)
                return (outcome,)
            if self.python is not None and not _wheel_matches_python(file, self.python):
                return Incompatible("tag", True, tag=IncompatibleTag.ABI_PYTHON_VERSION)
            return (0,)
        if self._matches(self.no_build, name):
            return Incompatible("no-build", False)
        if file.yanked and version not in self.allowed_yanks.get(name, ()):
            return Incompatible("yanked", False, yanked_reason=file.yanked_reason)
        return (0,)

    def version_candidate(self, name: str, release: PackageVersion) -> Candidate | None:
        """The best file of a version (wheel preferred), or why none is usable."""
        best_wheel: tuple[DistFile, tuple[int, ...] | Incompatible] | None = None
        best_source: tuple[DistFile, tuple[int, ...] | Incompatible] | None = None
        for file in release.files:
            outcome = self.file_compatibility(name, release.version, file)
            if file.is_wheel:
                if best_wheel is None or _more_compatible(outcome, best_wheel[1], _WHEEL_RANK):
                    best_wheel = (file, outcome)
            elif best_source is None or _more_compatible(outcome, best_source[1], _SOURCE_RANK):
                best_source = (file, outcome)
        if best_wheel is None and best_source is None:
            return None
        chosen: DistFile | None = None
        if best_wheel is not None and not isinstance(best_wheel[1], Incompatible):
            chosen = best_wheel[0]
        elif best_source is not None and not isinstance(best_source[1], Incompatible):
            chosen = best_source[0]
        if chosen is not None:
            python = self.python
            if python is not None and not python.accepts(chosen.requires_python):
                return Candidate(
                    release.version,
                    None,
                    Incompatible(
                        "requires-python",
                        chosen.is_wheel,
                        requires_python=chosen.requires_python,
                        installed=python.target_is_installed,
                    ),
                )
            return Candidate(release.version, chosen, None)
        if best_source is not None and isinstance(best_source[1], Incompatible):
            return Candidate(release.version, None, best_source[1])
        assert best_wheel is not None and isinstance(best_wheel[1], Incompatible)
        return Candidate(release.version, None, best_wheel[1])

    # selection --------------------------------------------------------------------------

    def select(
        self, name: str, versions: VersionRanges, releases: Sequence[PackageVersion]
    ) -> Candidate | None:
        """The next version to try for `name` within `versions`, as uv picks it."""
        selection = self.prerelease_selection(name)
        preferred = self._preferred(name, versions, releases, selection)
        if preferred is not None:
            return preferred
        if selection == "allow":
            return self._select_from(name, versions, releases, None)
        if selection == "disallow":
            return self._select_from(name, versions, releases, False)
        stable = self._select_from(name, versions, releases, False)
        if stable is not None:
            return stable
        return self._select_from(name, versions, releases, True)

    def _preferred(
        self,
        name: str,
        versions: VersionRanges,
        releases: Sequence[PackageVersion],
        selection: str,
    ) -> Candidate | None:
        for version in self.preferences.get(name, ()):
            if not versions.contains(version):
                continue
            if is_prerelease(version) and selection == "disallow":
                continue
            release = find_release(releases, version)
            if release is not None:
                local = _local_variant(version, versions, releases)
                return self.version_candidate(name, local or release)
        return None

    def _select_from(
        self,
        name: str,
        versions: VersionRanges,
        releases: Sequence[PackageVersion],
        prereleases: bool | None,
    ) -> Candidate | None:
        ordered = reversed(releases) if self.use_highest(name) else iter(releases)
        for release in ordered:
            version = release.version
            if prereleases is not None and is_prerelease(version) != prereleases:
                continue
            if not versions.contains(version):
                continue
            candidate = self.version_candidate(name, release)
            if candidate is not None:
                return candidate
        return None


def _local_variant(
    version: Version, versions: VersionRanges, releases: Sequence[PackageVersion]
) -> PackageVersion | None:
    """A preferred `1.0` becomes `1.0+local` when such a variant exists (uv prefers it)."""
    for release in reversed(releases):
        candidate = release.version
        if candidate <= version:
            break
        if (
            candidate.local is not None
            and candidate.public == str(version)
            and versions.contains(candidate)
        ):
            return release
    return None


def _more_compatible(
    new: tuple[int, ...] | Incompatible,
    old: tuple[int, ...] | Incompatible,
    ranks: Mapping[str, int],
) -> bool:
    if not isinstance(new, Incompatible):
        return isinstance(old, Incompatible) or new > old
    if not isinstance(old, Incompatible):
        return False
    if new.kind == "tag" and old.kind == "tag":
        return (new.tag or 0) > (old.tag or 0)
    if new.kind == "yanked" and old.kind == "yanked":
        return old.yanked_reason is not None
    return ranks.get(new.kind, 0) > ranks.get(old.kind, 0)


def _names_prerelease(text: str) -> bool:
    try:
        return is_prerelease(Version(text.removesuffix(".*")))
    except ValueError:
        return False


def _wheel_matches_python(file: DistFile, python: PythonTarget) -> bool:
    """uv's `RequiresPython::matches_wheel_tag`: no wheel built only for Python 2 or for an older
    minor version of Python 3 than the target (stable-ABI and pure wheels always match)."""
    minor = python.target.release[1] if len(python.target.release) > 1 else 0
    return _wheel_matches_minor(file.filename, minor)


@cache
def _wheel_matches_minor(filename: str, minor: int) -> bool:
    """`_wheel_matches_python` for a target of `3.<minor>`, once per wheel name."""
    for tag in parse_wheel_tags(filename):
        if tag.abi.startswith("abi3"):
            return True
        if tag.abi == "none":
            version = _tag_python_version(tag.interpreter)
            if version is None or tag.interpreter.startswith("py"):
                if version is None or version[0] != 2:
                    return True
                continue
        else:
            version = _tag_python_version(tag.abi)
            if version is None:
                return True
        if version[0] == 2 or (len(version) > 1 and version[1] < minor):
            continue
        return True
    return False


def _tag_python_version(tag: str) -> tuple[int, ...] | None:
    """`cp312` -> (3, 12), `py3` -> (3,); None when the tag carries no Python version."""
    for prefix in ("cp", "pp", "py", "graalpy"):
        if tag.startswith(prefix):
            digits = tag[len(prefix) :].split("_")[0].rstrip("dmut")
            if digits.isdigit():
                return (int(digits[0]), int(digits[1:])) if len(digits) > 1 else (int(digits),)
    return None
