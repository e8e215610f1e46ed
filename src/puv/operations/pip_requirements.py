"""What `puv pip sync|install|uninstall` is asked for: requirement files and arguments, read into
the packages wanted in the target environment.

Sources are requirement files (`-r`, with their `-c` includes and index options), `pyproject.toml`
files (their `[project] dependencies` and the extras asked for with `--extra`/`--all-extras`),
dependency groups (`--group [PATH:]NAME`), package arguments, editables (`-e`), constraint files
(`-c`) and override files (`--override`).

Each requirement becomes a `Requested` (normalized name, version specifiers, a direct reference
for wheels, sdists and source trees given by path or URL, and the `--hash` digests), with markers
evaluated against the target environment; `resolver_inputs` gives the same requirements to the
resolver instead. A source tree is named by the static `[project] name` of its `pyproject.toml`;
`git+` references are accepted where the caller can check them out (an unnamed one is named by
the tree of its commit), other VCS references fail here, with the requirement named.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace

from puv.core.errors import FailureError, PuvError
from puv.core.hashes import HashDigest
from puv.core.wheel_filename import WheelFilename, normalize_name
from puv.project.requirements_txt import RequirementLine, RequirementsFile, read_requirements

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from puv.operations.git import GitCheckouts, GitUrl

_URL_SCHEMES = ("http://", "https://", "file://")
_VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")
_NAME_AND_EXTRAS = re.compile(r"^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?")
_TRAILING_EXTRAS = re.compile(r"^(?P<location>.*?)\[(?P<extras>[^\]]*)\]$")
_SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar")
_UNSUPPORTED_SOURCES = {"setup.py": "`setup.py`", "setup.cfg": "`setup.cfg`"}


class BuildNotSupported(FailureError):
    """A requirement puv cannot build yet (a VCS reference)."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"Building `{what}` from source is not supported yet",
            hint="puv builds source distributions and local source trees, not VCS checkouts; "
            "use a wheel, an sdist or a local path for this package",
        )


class Requested(Struct, frozen=True):
    """One package wanted in the environment.

    `specifier` is the PEP 440 specifier text as written (`==1.0`, `>=2,<3`, or "" for any
    version); `url` a direct reference (`https://` or `file://`) to a wheel, an sdist or (with
    `tree`) a local source directory, installed in editable mode with `editable`; `display` how uv
    names the requirement in messages (`six==1.16.0`, `gamma @ file:///...`); `given` the
    reference as written (`./gamma`, `file:///...`), which `pip compile` writes back.
    """

    name: str
    specifier: str = ""
    url: str | None = None
    hashes: tuple[HashDigest, ...] = ()
    display: str = ""
    editable: bool = False
    tree: bool = False
    given: str | None = None

    @property
    def pinned(self) -> str | None:
        """The version of an exact `==X` pin (no wildcard, no other clause), else None."""
        spec = self.specifier
        if spec.startswith("==") and not spec.startswith("===") and "," not in spec:
            version = spec[2:].strip()
            return None if version.endswith(".*") else version
        return None

    @property
    def is_git(self) -> bool:
        """A `git+` reference."""
        return self.url is not None and self.url.startswith("git+")

    @property
    def needs_build(self) -> bool:
        """A direct reference to an sdist or a source tree (not to a wheel)."""
        return self.url is not None and not _filename(self.url).endswith(".whl")


class FileIndexes(Struct, frozen=True):
    """Index options written in requirement files (`-i`, `--extra-index-url`, `-f`, ...)."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False


class RequirementSources(Struct, frozen=True):
    """Everything the requirement sources say, before markers are evaluated (dependency groups
    are added by `with_groups`)."""

    lines: tuple[RequirementLine, ...] = ()
    constraints: tuple[RequirementLine, ...] = ()
    indexes: FileIndexes = field(default_factory=FileIndexes)
    require_hashes: bool = False
    overrides: tuple[RequirementLine, ...] = ()
    unknown_extras: tuple[str, ...] = ()  # `--extra` names no `pyproject.toml` source declares
    projects: tuple[str, ...] = ()  # the `pyproject.toml` files read (uv's "source trees")


class SourceOptions(Struct, frozen=True):
    """The command-line options that add sources beside the files and package arguments."""

    editables: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()  # `-c` files
    overrides: tuple[str, ...] = ()  # `--override` files
    extras: tuple[str, ...] = ()
    all_extras: bool = False
    groups: tuple[str, ...] = ()  # `[PATH:]NAME`


def read_sources(
    files: Sequence[str],
    packages: Sequence[str] = (),
    *,
    options: SourceOptions | None = None,
    environ: Mapping[str, str],
    warn: Callable[[str], None] | None = None,
    cwd: Path | None = None,
) -> RequirementSources:
    """Read the requirement `files` (as the user named them; `pyproject.toml` files give their
    dependencies), the `packages` arguments and what `options` add (editables, constraint and
    override files, extras; groups come with `with_groups`).

    `warn` receives uv's warning for a file with nothing in it; relative paths are taken from
    `cwd` (default: the working directory).
    """
    options = options or SourceOptions()
    base = cwd or Path.cwd()
    lines = [RequirementLine(text.strip()) for text in packages]
    lines += [RequirementLine(text.strip(), editable=True) for text in options.editables]
    constraints: list[RequirementLine] = []
    index_url: str | None = None
    extra: list[str] = []
    find_links: list[str] = []
    no_index = False
    require_hashes = False
    extras = [normalize_name(name) for name in options.extras]
    used_extras: set[str] = set()
    projects: list[str] = []
    for name in files:
        _check_source_kind(name)
        if os.path.basename(name) == "pyproject.toml":
            projects.append(name)
            lines += _project_lines(base / name, name, extras, options.all_extras, used_extras)
            continue
        parsed = read_requirements(base / name, environ=environ, display=name)
        if _is_empty(parsed) and warn is not None:
            warn(f"Requirements file `{name}` does not contain any dependencies")
        lines.extend(parsed.requirements)
        constraints.extend(parsed.constraints)
        index_url = parsed.index_url or index_url
        extra.extend(parsed.extra_index_urls)
        find_links.extend(parsed.find_links)
        no_index = no_index or parsed.no_index
        require_hashes = require_hashes or parsed.require_hashes
    if (extras or options.all_extras) and not projects:
        raise PuvError(
            "Requesting extras requires a `pylock.toml`, `pyproject.toml`, `setup.cfg`, or "
            "`setup.py` file",
            hint="Use `package[extra]` syntax instead",
        )
    for name in options.constraints:
        parsed = read_requirements(base / name, environ=environ, display=name)
        constraints += [*parsed.requirements, *parsed.constraints]
    overrides: list[RequirementLine] = []
    for name in options.overrides:
        parsed = read_requirements(base / name, environ=environ, display=name)
        overrides += parsed.requirements
        constraints += parsed.constraints
    return RequirementSources(
        lines=tuple(lines),
        constraints=tuple(constraints),
        indexes=FileIndexes(index_url, tuple(extra), tuple(find_links), no_index),
        require_hashes=require_hashes,
        overrides=tuple(overrides),
        unknown_extras=tuple(sorted(set(extras) - used_extras)),
        projects=tuple(projects),
    )


def with_groups(
    sources: RequirementSources, options: SourceOptions, cwd: Path
) -> RequirementSources:
    """The sources with the `--group` requirements added, once the environment is known (uv
    reads groups, and rejects unknown extras, only then)."""
    missing = sources.unknown_extras
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise PuvError(f"Requested extra{plural} not found: {', '.join(missing)}")
    lines = [line for group in options.groups for line in _group_lines(cwd, group)]
    return replace(sources, lines=(*sources.lines, *lines)) if lines else sources


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


def _project_lines(
    path: Path, shown: str, extras: Sequence[str], all_extras: bool, used: set[str]
) -> list[RequirementLine]:
    """The `[project]` dependencies of a `pyproject.toml`, and those of the wanted extras."""
    from puv.project.pyproject import read_pyproject

    if not path.is_file():
        raise PuvError(f"File not found: `{shown}`")
    project = read_pyproject(path)
    if "dependencies" in project.dynamic or "optional-dependencies" in project.dynamic:
        raise PuvError(
            f"Reading the dependencies of `{shown}` needs a build (they are `dynamic`), which "
            "puv does not support for requirement sources yet"
        )
    texts = list(project.dependencies)
    for extra, requirements in project.optional_dependencies.items():
        normalized = normalize_name(extra)
        if all_extras or normalized in extras:
            used.add(normalized)
            texts += requirements
    return [RequirementLine(text) for text in texts]


def _group_lines(cwd: Path, group: str) -> list[RequirementLine]:
    """The requirements of one `--group [PATH:]NAME` as requirement lines."""
    return [RequirementLine(text) for text in read_group(cwd, group).requirements]


class GroupRequirements(Struct, frozen=True):
    """One `--group [PATH:]NAME` read: the project's name (None when it has none), its file as
    the user wrote it (`pyproject.toml` by default), the group and its PEP 508 requirements."""

    project: str | None
    source: str
    group: str
    requirements: tuple[str, ...]


def read_group(cwd: Path, group: str) -> GroupRequirements:
    """One `--group [PATH:]NAME` of the pip commands (PATH defaults to `./pyproject.toml`), read
    as a project reads its groups (includes, `tool.uv.dev-dependencies`) and failing as uv does."""
    from puv.project.groups import DependencyGroupError, read_dependency_groups
    from puv.project.pyproject import read_pyproject

    shown, _, name = group.rpartition(":")
    path = (cwd / (shown or "pyproject.toml")).absolute()
    where = shown or str(path)  # as given, or the absolute default, as uv names it
    if not path.is_file():
        raise PuvError(
            f"Failed to read dependency groups from: {where}",
            causes=[f"No `pyproject.toml` found at: {where}"],
        )
    pyproject = read_pyproject(path)
    try:
        groups = read_dependency_groups(pyproject, cwd=cwd)
    except DependencyGroupError as err:
        raise PuvError(
            f"Failed to read dependency groups from: {where}", causes=[err.message, *err.causes]
        ) from None
    found = groups.get(normalize_name(name))
    if found is None:
        raise PuvError(
            f"The dependency group '{name}' was not found in the project: "
            f"{shown or 'pyproject.toml'}"
        )
    texts = []
    for dependency in found.requirements:
        extras = f"[{','.join(dependency.extras)}]" if dependency.extras else ""
        text = dependency.name + extras
        text += f" @ {dependency.url}" if dependency.url else (dependency.specifier or "")
        if not dependency.marker.is_true():
            text += f" ; {dependency.marker}"
        texts.append(text)
    return GroupRequirements(pyproject.name, shown or "pyproject.toml", name, tuple(texts))


# ------------------------------------------------------------------------ to packages


def requested_packages(
    sources: RequirementSources,
    markers: Mapping[str, str],
    cwd: Path,
    checkouts: GitCheckouts | None = None,
) -> list[Requested]:
    """The packages wanted in an environment with these `markers`, one per name, in order.

    Requirements whose markers do not apply are dropped; constraints narrow the specifiers of
    requirements of the same name; duplicates are merged (specifiers joined, hashes combined).
    `git+` references are accepted when `checkouts` can check them out.
    """
    environment = {**markers, "extra": ""}
    wanted: dict[str, Requested] = {}
    for line in sources.lines:
        requested = _requested(line, environment, cwd, checkouts=checkouts)
        if requested is not None:
            known = wanted.get(requested.name)
            wanted[requested.name] = (
                requested if known is None else merge_requested(known, requested)
            )
    for line in sources.constraints:
        constraint = _requested(line, environment, cwd, constraint=True)
        if constraint is not None and constraint.name in wanted and constraint.specifier:
            known = wanted[constraint.name]
            wanted[constraint.name] = merge_requested(known, constraint, display=known.display)
    return list(wanted.values())


def uninstall_targets(sources: RequirementSources, cwd: Path) -> tuple[list[str], list[str]]:
    """What `pip uninstall` removes, as uv reads it: the normalized names of named requirements
    (specifiers, URLs and markers ignored) and the URLs of unnamed ones and editables (a path as
    its `file:` URL), each sorted and deduplicated; nothing is built or checked out."""
    names: set[str] = set()
    urls: set[str] = set()
    for line in sources.lines:
        if line.editable or line.is_unnamed:
            location = _split_extras(line.text.split(";", 1)[0].strip())[0]
            urls.add(location if location.startswith(_VCS_SCHEMES) else _as_url(location, cwd))
        else:
            names.add(normalize_name(_parse(line).name))
    return sorted(names), sorted(urls)


class DirectReference(Struct, frozen=True):
    """Where a direct requirement points: its project name, its URL and whether it is a local
    source tree."""

    name: str
    url: str
    tree: bool


def direct_reference(
    location: str,
    cwd: Path,
    name: str | None = None,
    *,
    git: bool = False,
    checkouts: GitCheckouts | None = None,
) -> DirectReference:
    """The project behind a path or URL: a wheel or an sdist (named by its filename) or a local
    source tree (named by its `pyproject.toml`); with `git`, a `git+` URL too (named by the
    requirement, or by the tree of its commit, which `checkouts` checks out). `name` is the name
    the requirement gives, which must match."""
    if location.startswith(_VCS_SCHEMES):
        if not (git and location.startswith("git+")):
            raise BuildNotSupported(name or location)
        if name is None and checkouts is not None:
            name = git_project_name(checkouts, location)
        if name is None:
            raise PuvError(
                f"Cannot tell the name of the project at `{location}`",
                hint=f"Name the requirement (`name @ {location}`)",
            )
        return DirectReference(normalize_name(name), location, False)
    url = _as_url(location, cwd)
    path = _local_path(url)
    if path is not None and path.is_dir():
        found = _tree_name(path)
        if name is not None and normalize_name(name) != found:
            raise FailureError(
                f"Failed to build `{name} @ {url}`",
                causes=[f"Package metadata name `{found}` does not match given name `{name}`"],
            )
        return DirectReference(found, url, True)
    filename = _filename(url)
    if filename.endswith(".whl"):
        found = WheelFilename.parse(filename).name
    elif filename.lower().endswith(_SDIST_SUFFIXES):
        found = _sdist_name(filename)
    elif path is not None and not path.exists():
        raise FailureError(f"Distribution not found at: {url}")
    else:
        raise PuvError(
            f"Unsupported distribution: `{location}` is not a wheel, an sdist or a directory"
        )
    return DirectReference(_matching(name, found, url), url, False)


def git_project_name(checkouts: GitCheckouts, location: str) -> str:
    """The name of the project a `git+` URL points at: the static `[project] name` of the tree
    its reference names now (checked out into the cache)."""
    from puv.operations.git import GitUrl

    url = GitUrl.from_requirement(location)
    commit = checkouts.resolve_for(url, location)
    return _tree_name(checkouts.project_for(url, commit, location))


def pinned_git(requested: Requested, pinned: str) -> Requested:
    """A `git+` reference to install from the commit `pinned` names
    (`git+<repository>@<commit>`): that is its `url` (an installed distribution's URL has this
    form too) and how messages show it; `given` keeps the reference as written."""
    return replace(
        requested, url=pinned, given=requested.url, display=f"{requested.name} @ {pinned}"
    )


def git_source(requested: Requested) -> GitUrl:
    """The Git source of a reference `pinned_git` made: the repository and reference as
    written, the commit as `precise`."""
    from puv.operations.git import GitUrl

    assert requested.url is not None
    commit = GitUrl.from_requirement(requested.url).reference.value
    written = GitUrl.from_requirement(requested.given or requested.url)
    return replace(written, precise=commit)


def requested_at(
    name: str, url: str, cwd: Path, *, git: bool = False, hashes: tuple[HashDigest, ...] = ()
) -> Requested:
    """`name @ url` wanted (a relative path taken from `cwd`; `git` accepts `git+` URLs),
    `url` kept as given."""
    reference = direct_reference(url, cwd, name, git=git)
    return Requested(
        name,
        url=reference.url,
        hashes=hashes,
        display=f"{name} @ {reference.url}",
        tree=reference.tree,
        given=url,
    )


def asked_extras(requirements: Iterable[Requirement]) -> dict[str, set[str]]:
    """Name -> the extras `requirements` ask of it."""
    asked: dict[str, set[str]] = {}
    for requirement in requirements:
        asked.setdefault(normalize_name(requirement.name), set()).update(
            normalize_name(extra) for extra in requirement.extras
        )
    return asked


def _as_url(location: str, cwd: Path) -> str:
    """A URL as it is; a path as its `file:` URL, from `cwd` (`..` folded away, as uv does;
    symlinks kept)."""
    if location.startswith(_URL_SCHEMES):
        return location
    return Path(os.path.normpath(cwd / os.path.expanduser(location))).as_uri()


def _local_path(url: str) -> Path | None:
    if not url.startswith("file:"):
        return None
    from puv.index.client import path_from_file_url

    return Path(path_from_file_url(url))


def _filename(url: str) -> str:
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2])


def _sdist_name(filename: str) -> str:
    lowered = filename.lower()
    stem = next(filename[: -len(s)] for s in _SDIST_SUFFIXES if lowered.endswith(s))
    return normalize_name(stem.rpartition("-")[0] or stem)


def _tree_name(path: Path) -> str:
    """The static `[project] name` of a source tree."""
    import tomllib

    pyproject = path / "pyproject.toml"
    try:
        with pyproject.open("rb") as file:
            name = tomllib.load(file).get("project", {}).get("name")
    except FileNotFoundError:
        name = None
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise PuvError(f"Failed to read `{pyproject}`", causes=[str(err)]) from None
    if not isinstance(name, str):
        raise PuvError(
            f"Cannot tell the name of the source tree at `{path}`: puv reads it from the "
            "`[project] name` of its `pyproject.toml`",
            hint="Name the requirement (`name @ ./path`)",
        )
    return normalize_name(name)


def _matching(name: str | None, found: str, shown: str) -> str:
    if name is not None and normalize_name(name) != found:
        raise FailureError(
            f"Requested package name `{name}` does not match `{found}` in the distribution "
            f"filename: {shown}"
        )
    return found


def _parse(line: RequirementLine) -> Requirement:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(line.text)
    except InvalidRequirement as err:
        raise PuvError(
            f"Failed to parse: `{line.text}`", causes=[str(err).split("\n")[0]]
        ) from None


def _split_extras(location: str) -> tuple[str, tuple[str, ...]]:
    """`./tree[a,b]` -> (`./tree`, (`a`, `b`))."""
    match = _TRAILING_EXTRAS.match(location)
    if match is None:
        return location, ()
    extras = tuple(normalize_name(e) for e in match["extras"].split(",") if e.strip())
    return match["location"], extras


class Understood(Struct, frozen=True):
    """One requirement line, understood: the package, its extras and marker, and a direct
    reference when it has one."""

    requested: Requested
    extras: tuple[str, ...]
    marker: str | None


def understand(
    line: RequirementLine,
    cwd: Path,
    *,
    constraint: bool = False,
    git: bool = False,
    checkouts: GitCheckouts | None = None,
) -> Understood | None:
    """The package a line asks for (None for a direct reference in a constraint: ignored);
    `git` accepts named `git+` references, `checkouts` unnamed ones too."""
    git = git or checkouts is not None
    hashes = tuple(HashDigest.parse(text) for text in line.hashes)
    if line.editable or line.is_unnamed:
        location, _, marker = line.text.partition(";")
        location, extras = _split_extras(location.strip())
        if line.editable:
            _refuse_git_editable(line, location, cwd)
        if line.editable and location.startswith(_VCS_SCHEMES):
            raise BuildNotSupported(f"-e {line.text}")
        reference = direct_reference(location, cwd, git=git, checkouts=checkouts)
        if line.editable and not reference.tree:
            raise PuvError(f"Editable installs require a source tree, not `{location}`")
        requested = Requested(
            reference.name,
            url=reference.url,
            hashes=hashes,
            display=f"{reference.name} @ {reference.url}",
            editable=line.editable,
            tree=reference.tree,
            given=location,
        )
        return Understood(requested, extras, marker.strip() or None)
    requirement = _parse(line)
    name = normalize_name(requirement.name)
    extras = tuple(sorted(normalize_name(extra) for extra in requirement.extras))
    written = str(requirement.marker) if requirement.marker is not None else None
    if requirement.url:
        if constraint:
            return None
        requested = requested_at(name, requirement.url, cwd, git=git, hashes=hashes)
        return Understood(requested, extras, written)
    specifier = _specifier_text(line.text)
    requested = Requested(name, specifier, hashes=hashes, display=f"{name}{specifier}")
    return Understood(requested, extras, written)


def refuse_git_editables(sources: RequirementSources, cwd: Path) -> None:
    """uv's error for an editable `git+` reference (a Git checkout cannot be edited), before
    anything else is done."""
    for line in sources.lines:
        if line.editable:
            _refuse_git_editable(line, line.text.partition(";")[0].strip(), cwd)


def _refuse_git_editable(line: RequirementLine, location: str, cwd: Path) -> None:
    if not location.startswith("git+"):
        return
    where = ""
    if line.origin is not None:
        from puv.core.paths import user_display

        where = f" in `{user_display(line.origin.path, cwd)}` at line {line.origin.line}"
    raise PuvError(
        f"Unsupported editable requirement{where}: `{location}`",
        causes=["Git sources cannot be editable"],
        hint="Editable requirements must refer to a local directory",
    )


def _requested(
    line: RequirementLine,
    environment: Mapping[str, str],
    cwd: Path,
    *,
    constraint: bool = False,
    checkouts: GitCheckouts | None = None,
) -> Requested | None:
    parsed = understand(line, cwd, constraint=constraint, checkouts=checkouts)
    if parsed is None:
        return None
    if parsed.marker is not None and not _marker_applies(parsed.marker, environment):
        return None
    return parsed.requested


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


def merge_requested(
    first: Requested, second: Requested, *, display: str | None = None
) -> Requested:
    """Two requirements on one package as one: specifiers joined, hashes combined, the direct
    reference kept (editable if either is); two different references are uv's error."""
    specifier = ",".join(s for s in (first.specifier, second.specifier) if s)
    url = first.url or second.url
    if first.url and second.url and first.url != second.url:
        raise conflicting_urls(first.name, (first.url, second.url))
    hashes = tuple(dict.fromkeys((*first.hashes, *second.hashes)))
    if url is not None:
        direct = first if first.url else second
        shown = display or f"{first.name} @ {url}"
        return Requested(
            first.name,
            "",
            url,
            hashes,
            shown,
            first.editable or second.editable,
            direct.tree,
            direct.given,
        )
    return Requested(first.name, specifier, None, hashes, display or f"{first.name}{specifier}")


def conflicting_urls(name: str, urls: Sequence[str]) -> PuvError:
    """uv's error for two different direct references to one package."""
    shown = "".join(f"\n- {url}" for url in sorted(urls))
    return FailureError(f"Requirements contain conflicting URLs for package `{name}`:{shown}")


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


# ------------------------------------------------------------------------ to the resolver


class ResolverInputs(Struct, frozen=True):
    """The requirements as the resolver takes them. A direct reference becomes a plain
    requirement of its name (its one version is supplied beside the index's), listed in
    `directs`; `hashes` holds the `--hash` digests given per name; `constraint_urls` the URLs
    constraints and overrides give (a package's source if it is required; an override's first),
    `override_urls` the names whose URL an override gives (it replaces a requirement's URL, where
    a constraint's different URL is a conflict)."""

    requirements: tuple[Requirement, ...]
    constraints: tuple[Requirement, ...]
    overrides: tuple[Requirement, ...]
    directs: Mapping[str, Requested]
    hashes: Mapping[str, tuple[HashDigest, ...]]
    constraint_urls: Mapping[str, Requested] = field(default_factory=dict)
    override_urls: frozenset[str] = frozenset()


def resolver_inputs(
    sources: RequirementSources, cwd: Path, checkouts: GitCheckouts | None = None
) -> ResolverInputs:
    """Requirements, constraints and overrides for the resolver (markers kept for it to judge);
    `git+` references are accepted when `checkouts` can check them out."""
    from packaging.requirements import Requirement

    requirements = []
    directs: dict[str, Requested] = {}
    hashes: dict[str, tuple[HashDigest, ...]] = {}
    for line in sources.lines:
        parsed = understand(line, cwd, checkouts=checkouts)
        assert parsed is not None
        requested = parsed.requested
        name = requested.name
        if requested.url is not None:
            known = directs.get(name)
            directs[name] = requested if known is None else merge_requested(known, requested)
        hashes[name] = tuple(dict.fromkeys((*hashes.get(name, ()), *requested.hashes)))
        text = name + (f"[{','.join(parsed.extras)}]" if parsed.extras else "")
        text += requested.specifier
        if parsed.marker is not None:
            text += f" ; {parsed.marker}"
        requirements.append(Requirement(text))
    constraint_urls: dict[str, Requested] = {}
    override_urls: set[str] = set()
    for lines, override in ((sources.overrides, True), (sources.constraints, False)):
        for line in lines:
            if line.editable or line.is_unnamed:
                continue
            found = understand(line, cwd)
            if found is not None and found.requested.url is not None:
                constraint_urls.setdefault(found.requested.name, found.requested)
                if override:
                    override_urls.add(found.requested.name)
    return ResolverInputs(
        requirements=tuple(requirements),
        constraints=tuple(_plain(sources.constraints)),
        overrides=tuple(_plain(sources.overrides)),
        directs=directs,
        hashes=hashes,
        constraint_urls=constraint_urls,
        override_urls=frozenset(override_urls),
    )


def _plain(lines: Sequence[RequirementLine]) -> list[Requirement]:
    """Constraint or override lines as requirements (a URL's package by name: its source is in
    `ResolverInputs.constraint_urls`)."""
    parsed = [_parse(line) for line in lines if not (line.editable or line.is_unnamed)]
    for requirement in parsed:
        requirement.url = None
    return parsed
