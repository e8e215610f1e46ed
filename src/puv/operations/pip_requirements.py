"""What `puv pip sync|install|uninstall` is asked for: requirement files and arguments, read into
the packages wanted in the target environment.

Each requirement becomes a `Requested` (normalized name, version specifiers, a direct URL for
wheel paths and URLs, and the `--hash` digests), with markers evaluated against the target
interpreter. Index options written inside requirement files are collected as `FileIndexes`.
Source trees, sdists and editables need a build, which puv cannot do yet: they fail here, with
the package named.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from puv.core.errors import FailureError, PuvError
from puv.core.hashes import HashDigest
from puv.core.wheel_filename import WheelFilename, normalize_name
from puv.project.requirements_txt import RequirementLine, RequirementsFile, read_requirements

if TYPE_CHECKING:
    from packaging.requirements import Requirement

_URL_SCHEMES = ("http://", "https://", "file://")
_VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")
_NAME_AND_EXTRAS = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?")
_UNSUPPORTED_SOURCES = {
    "pyproject.toml": "`pyproject.toml`",
    "setup.py": "`setup.py`",
    "setup.cfg": "`setup.cfg`",
}


class BuildNotSupported(FailureError):
    """A requirement that needs building from source (sdist, source tree, editable)."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"Building `{what}` from source is not supported yet",
            hint="puv installs pre-built wheels only for now; use a wheel for this package "
            "(or `uv pip` until puv can build source distributions)",
        )


@dataclass(frozen=True, slots=True)
class Requested:
    """One package wanted in the environment.

    `specifier` is the PEP 440 specifier text as written (`==1.0`, `>=2,<3`, or "" for any
    version); `url` a direct reference to a wheel (`https://` or `file://`); `display` how uv
    names the requirement in messages (`six==1.16.0`, `gamma @ file:///...`).
    """

    name: str
    specifier: str = ""
    url: str | None = None
    hashes: tuple[HashDigest, ...] = ()
    display: str = ""

    @property
    def pinned(self) -> str | None:
        """The version of an exact `==X` pin (no wildcard, no other clause), else None."""
        spec = self.specifier
        if spec.startswith("==") and not spec.startswith("===") and "," not in spec:
            version = spec[2:].strip()
            return None if version.endswith(".*") else version
        return None


@dataclass(frozen=True, slots=True)
class FileIndexes:
    """Index options written in requirement files (`-i`, `--extra-index-url`, `-f`, ...)."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False


@dataclass(frozen=True, slots=True)
class RequirementSources:
    """Everything the requirement files and arguments say, before markers are evaluated."""

    lines: tuple[RequirementLine, ...] = ()
    constraints: tuple[RequirementLine, ...] = ()
    indexes: FileIndexes = field(default_factory=FileIndexes)
    require_hashes: bool = False


def read_sources(
    files: Sequence[str],
    packages: Sequence[str] = (),
    *,
    editables: Sequence[str] = (),
    environ: Mapping[str, str],
    warn: Callable[[str], None] | None = None,
) -> RequirementSources:
    """Read the requirement `files` (as the user named them), the `packages` arguments and the
    `editables` (`-e`) arguments.

    `warn` receives uv's warning for a file with nothing in it.
    """
    lines = [RequirementLine(text.strip()) for text in packages]
    lines += [RequirementLine(text.strip(), editable=True) for text in editables]
    constraints: list[RequirementLine] = []
    index_url: str | None = None
    extra: list[str] = []
    find_links: list[str] = []
    no_index = False
    require_hashes = False
    for name in files:
        _check_source_kind(name)
        parsed = read_requirements(Path(name), environ=environ, display=name)
        if _is_empty(parsed) and warn is not None:
            warn(f"Requirements file `{name}` does not contain any dependencies")
        lines.extend(parsed.requirements)
        constraints.extend(parsed.constraints)
        index_url = parsed.index_url or index_url
        extra.extend(parsed.extra_index_urls)
        find_links.extend(parsed.find_links)
        no_index = no_index or parsed.no_index
        require_hashes = require_hashes or parsed.require_hashes
    return RequirementSources(
        lines=tuple(lines),
        constraints=tuple(constraints),
        indexes=FileIndexes(index_url, tuple(extra), tuple(find_links), no_index),
        require_hashes=require_hashes,
    )


def _check_source_kind(name: str) -> None:
    base = os.path.basename(name)
    if base in _UNSUPPORTED_SOURCES:
        raise PuvError(
            f"Reading requirements from {_UNSUPPORTED_SOURCES[base]} is not supported yet: {name}"
        )
    if base == "pylock.toml" or (base.startswith("pylock.") and base.endswith(".toml")):
        raise PuvError(f"Reading `pylock.toml` files is not supported yet: {name}")


def _is_empty(parsed: RequirementsFile) -> bool:
    return not (
        parsed.requirements
        or parsed.constraints
        or parsed.index_url
        or parsed.extra_index_urls
        or parsed.find_links
        or parsed.no_index
    )


def requested_packages(
    sources: RequirementSources, markers: Mapping[str, str], cwd: Path
) -> list[Requested]:
    """The packages wanted in an environment with these `markers`, one per name, in order.

    Requirements whose markers do not apply are dropped; constraints narrow the specifiers of
    requirements of the same name; duplicates are merged (specifiers joined, hashes combined).
    """
    environment = {**markers, "extra": ""}
    wanted: dict[str, Requested] = {}
    for line in sources.lines:
        requested = _requested(line, environment, cwd)
        if requested is not None:
            known = wanted.get(requested.name)
            wanted[requested.name] = requested if known is None else _merge(known, requested)
    for line in sources.constraints:
        constraint = _requested(line, environment, cwd, constraint=True)
        if constraint is not None and constraint.name in wanted and constraint.specifier:
            known = wanted[constraint.name]
            wanted[constraint.name] = _merge(known, constraint, display=known.display)
    return list(wanted.values())


def requested_names(sources: RequirementSources, cwd: Path) -> list[str]:
    """The normalized names of the requirements, markers ignored (what `pip uninstall` removes)."""
    names: dict[str, None] = {}
    for line in sources.lines:
        if line.editable or line.is_unnamed:
            url = _unnamed_url(line.text.split(";", 1)[0].strip(), cwd)
            names[_wheel_of(url, line.text).name] = None
        else:
            names[normalize_name(_parse(line).name)] = None
    return list(names)


def _parse(line: RequirementLine) -> Requirement:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(line.text)
    except InvalidRequirement as err:
        raise PuvError(
            f"Failed to parse: `{line.text}`", causes=[str(err).split("\n")[0]]
        ) from None


def _requested(
    line: RequirementLine, environment: Mapping[str, str], cwd: Path, *, constraint: bool = False
) -> Requested | None:
    hashes = tuple(HashDigest.parse(text) for text in line.hashes)
    if line.editable:
        raise BuildNotSupported(f"-e {line.text}")
    if line.is_unnamed:
        location, _, marker = line.text.partition(";")
        if marker.strip() and not _marker_applies(marker.strip(), environment):
            return None
        url = _unnamed_url(location.strip(), cwd)
        wheel = _wheel_of(url, location.strip())
        return Requested(wheel.name, url=url, hashes=hashes, display=f"{wheel.name} @ {url}")
    requirement = _parse(line)
    if requirement.marker is not None and not requirement.marker.evaluate(dict(environment)):
        return None
    name = normalize_name(requirement.name)
    if requirement.url:
        if constraint:
            return None
        url = _direct_url(requirement.url, cwd)
        _wheel_of(url, requirement.url, name)
        return Requested(name, url=url, hashes=hashes, display=f"{name} @ {url}")
    specifier = _specifier_text(line.text)
    return Requested(name, specifier, hashes=hashes, display=f"{name}{specifier}")


def _marker_applies(text: str, environment: Mapping[str, str]) -> bool:
    from packaging.markers import InvalidMarker, Marker

    try:
        return Marker(text).evaluate(dict(environment))
    except InvalidMarker as err:
        raise PuvError(f"Failed to parse marker: `{text}`", causes=[str(err)]) from None


def _specifier_text(text: str) -> str:
    """The specifier clauses as written (`>1,<2`), without spaces, name, extras or marker."""
    head = text.split(";", 1)[0]
    match = _NAME_AND_EXTRAS.match(head)
    rest = head[match.end() :] if match else ""
    return re.sub(r"\s+", "", rest).strip("()")


def _unnamed_url(location: str, cwd: Path) -> str:
    if location.startswith(_VCS_SCHEMES):
        raise BuildNotSupported(location)
    if location.startswith(_URL_SCHEMES):
        return location
    return (cwd / os.path.expanduser(location)).absolute().as_uri()


def _direct_url(url: str, cwd: Path) -> str:
    if url.startswith(_VCS_SCHEMES):
        raise BuildNotSupported(url)
    if "://" in url:
        return url
    return (cwd / os.path.expanduser(url)).absolute().as_uri()


def _wheel_of(url: str, shown: str, name: str | None = None) -> WheelFilename:
    """The wheel a direct URL names; anything else would need a build."""
    from urllib.parse import unquote, urlsplit

    filename = unquote(urlsplit(url).path.rpartition("/")[2])
    if not filename.endswith(".whl"):
        raise BuildNotSupported(name or shown)
    wheel = WheelFilename.parse(filename)
    if name is not None and wheel.name != name:
        raise PuvError(
            f"Requested package name `{name}` does not match `{wheel.name}` in the distribution "
            f"filename: {filename}"
        )
    return wheel


def _merge(first: Requested, second: Requested, *, display: str | None = None) -> Requested:
    specifier = ",".join(s for s in (first.specifier, second.specifier) if s)
    url = first.url or second.url
    if first.url and second.url and first.url != second.url:
        raise PuvError(
            f"Requirements contain conflicting URLs for package `{first.name}`:\n"
            f"- {first.url}\n- {second.url}"
        )
    hashes = tuple(dict.fromkeys((*first.hashes, *second.hashes)))
    if url is not None:
        shown = display or f"{first.name} @ {url}"
        return Requested(first.name, "", url, hashes, shown)
    return Requested(first.name, specifier, None, hashes, display or f"{first.name}{specifier}")


def check_hashes_required(requested: Sequence[Requested]) -> None:
    """uv's `--require-hashes` rules: every requirement pinned with `==` (or a URL) and hashed."""
    for item in requested:
        if item.url is None and item.pinned is None:
            raise PuvError(
                "In `--require-hashes` mode, all requirements must have their versions pinned "
                f"with `==`, but found: {item.display}"
            )
        if not item.hashes:
            raise PuvError(
                "In `--require-hashes` mode, all requirements must have a hash, but none were "
                f"provided for: {item.display}"
            )
