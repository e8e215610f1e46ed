"""`puv add`: add requirements to `pyproject.toml` as uv does, then lock and sync.

The edit follows `uv add` step by step (`crates/uv/src/commands/project/add.rs`): requirements are
read from the command line and `-r` files, `--marker`, `--tag/--branch/--rev` and `--extra` are
applied, each requirement gets its `[tool.uv.sources]` entry (Git, URL, path, index, workspace),
`--dev` picks `dependency-groups.dev` or the legacy `tool.uv.dev-dependencies`, `--index` entries
go to `[[tool.uv.index]]`. With `--frozen` the file is written and nothing else happens; otherwise
the project is locked, newly added registry requirements without a specifier get a bound from the
locked version (`>=1.2.3`, or per `--bounds`), and the environment is synced unless `--no-sync`.
If locking or syncing fails, `pyproject.toml` and `uv.lock` are put back as they were.
`--script` edits a PEP 723 script's block instead (`add_to_script`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

from msgspec import Struct, field
from msgspec.structs import replace

from puv.core.errors import FailureError, PuvError
from puv.core.markers import Marker
from puv.lock.install_target import InstallOptions
from puv.operations.context import Context
from puv.project.dependency import InvalidDependency
from puv.project.pyproject_edit import (
    AddBounds,
    ArrayEdit,
    DependencyType,
    PyProjectEditor,
    Requirement,
    bounded_specifier,
)
from puv.project.settings_schema import normalize_name

if TYPE_CHECKING:
    from puv.lock.model import Lock
    from puv.operations.script_env import SettingsSources
    from puv.project.script import ScriptMetadata
    from puv.project.workspace import Member, Workspace

__all__ = [
    "AddBounds",
    "AddRequest",
    "DependencyType",
    "InstallOptions",
    "LockSyncOptions",
    "ProjectSnapshot",
    "SourceInput",
    "add_requirements",
    "add_to_script",
    "lock_and_sync",
    "write_text_atomic",
]


class AddRequest(Struct, frozen=True):
    """What `puv add` was asked to do (the command line, already merged with `UV_*`)."""

    requirements: tuple[str, ...] = ()
    requirement_files: tuple[str, ...] = ()
    dependency_type: DependencyType = field(default_factory=DependencyType.production)
    marker: str | None = None
    editable: bool | None = None
    raw: bool = False
    bounds: AddBounds | None = None
    indexes: tuple[str, ...] = ()
    default_index: str | None = None
    upgrade_groups: tuple[str, ...] = ()
    rev: str | None = None
    tag: str | None = None
    branch: str | None = None
    extras: tuple[str, ...] = ()
    package: str | None = None
    workspace: bool | None = None
    frozen: bool = False
    locked: bool = False
    no_sync: bool = False
    python: str | None = None
    active: bool | None = None
    install: InstallOptions | None = None


class SourceInput(Struct, frozen=True):
    """A requirement as given and where it comes from: `kind` is `registry`, `url` (an archive
    URL), `git`, `path` (a local archive) or `directory`; `location` is the URL, the Git
    repository or the absolute path; `given_absolute` whether a path was written absolute."""

    requirement: Requirement
    kind: str = "registry"
    location: str | None = None
    given_absolute: bool = False
    reference: str | None = None
    subdirectory: str | None = None
    editable: bool = False


class _Edit(Struct, frozen=True):
    dependency_type: DependencyType
    requirement: Requirement
    source: Mapping[str, str | bool] | None
    edit: ArrayEdit


def add_requirements(ctx: Context, request: AddRequest) -> None:
    """Run `puv add` (see the module docstring)."""
    from puv.project.workspace import discover_workspace

    start = ctx.cwd
    workspace = discover_workspace(start)
    _warn_dev_dependencies(ctx, workspace)
    member = _target_member(workspace, request.package)
    root = member.root if member is not None else workspace.root
    pyproject_path = root / "pyproject.toml"
    kind = request.dependency_type.kind
    if workspace.is_non_project and member is None and kind in ("production", "optional"):
        what = "production" if kind == "production" else "optional"
        raise PuvError(
            "Project is missing a `[project]` table; add a `[project]` table to use "
            f"{what} dependencies, or run `puv add --dev` instead"
        )
    if request.frozen:
        _announce_interpreter(ctx, workspace, request)
    inputs = _read_inputs(ctx, request)
    marker = Marker.parse(request.marker) if request.marker else None
    inputs = [_augment(item, request, marker) for item in inputs]
    if kind == "production" and member is not None:
        for item in inputs:
            if item.requirement.name == member.name:
                raise PuvError(
                    f"Requirement name `{item.requirement.name}` matches project name "
                    f"`{member.name}`, but self-dependencies are not permitted without the "
                    "`--dev` or `--optional` flags. If your project name (`{0}`) is shadowing "
                    "that of a third-party dependency, consider renaming the project.".replace(
                        "{0}", member.name
                    )
                )
    snapshot = ProjectSnapshot.take(workspace.root, pyproject_path)
    workspace = _add_workspace_members(ctx, workspace, root, inputs, request, snapshot)
    original = pyproject_path.read_text(encoding="utf-8")
    editor = PyProjectEditor(original)
    edits = _apply_edits(editor, workspace.members, root, inputs, request, _sources_table(root))
    if not edits and kind in ("group", "optional"):
        editor.ensure_group(request.dependency_type)
    if not request.raw:
        _add_indexes(ctx, editor, root, request)
    content = editor.render()
    if content != original:
        write_text_atomic(pyproject_path, content)
    if request.frozen:
        return
    with snapshot.restored_on_failure(_hint_frozen):
        lock_and_sync(
            ctx,
            editor,
            pyproject_path,
            lambda lock: _bounds(ctx, editor, edits, lock, request),
            _lock_sync_options(request),
        )


def _hint_frozen(error: PuvError) -> None:
    """uv's hint on a failed resolution: `--frozen` adds the requirement without locking."""
    if isinstance(error, FailureError) and error.hint is None:
        error.hint = (
            "If you want to add the package regardless of the failed resolution, provide "
            "the `--frozen` flag to skip locking and syncing"
        )


def add_to_script(
    ctx: Context,
    request: AddRequest,
    path: Path,
    *,
    settings: SettingsSources | None = None,
    warnings: Sequence[str] = (),
) -> None:
    """`puv add --script`: add the requirements to the script's inline metadata (a block is
    created, after any shebang, when it has none) exactly as uv edits it, then resolve to give
    new requirements their bounds, updating `<script>.lock` only when it exists; a failed
    resolution puts the script and its lock back. `warnings` are the command line's, printed
    once the script has been read."""
    from puv.operations.lock import LockRequest, lock_script
    from puv.operations.script_env import (
        script_interpreter,
        warn_script_no_ops,
        with_script_settings,
    )
    from puv.operations.sync import FilteredPrinter, with_printer
    from puv.project.script import read_script, render_script, script_lock_path

    metadata = read_script(path)
    for warning in warnings:
        ctx.printer.warn(warning)
    warn_script_no_ops(ctx, locked=request.locked, frozen=request.frozen, no_sync=request.no_sync)
    if metadata.text is None:
        metadata = _new_script_block(ctx, path, request.python)
    ctx = with_script_settings(ctx, metadata, settings)
    interpreter = script_interpreter(ctx, metadata, python=request.python, active=request.active)
    assert metadata.text is not None
    inputs = _read_inputs(ctx, request)
    marker = Marker.parse(request.marker) if request.marker else None
    inputs = [_augment(item, request, marker) for item in inputs]
    editor = PyProjectEditor(metadata.text.metadata, script=True)
    existing_sources = _normalized_sources(metadata.tool_uv.get("sources") or {})
    edits = _apply_edits(editor, (), path.parent, inputs, request, existing_sources)
    if not request.raw:
        _add_indexes(ctx, editor, path.parent, request)
    lock_path = script_lock_path(path)
    snapshot = ProjectSnapshot({})
    for kept in (path, lock_path):
        snapshot.keep(kept)
    text = metadata.text

    def write() -> None:
        content = editor.render()
        if content != text.metadata:
            write_text_atomic(path, render_script(replace(text, metadata=content)))

    write()
    if request.frozen:
        return
    lock_request = LockRequest(
        check=request.locked,
        dry_run=not lock_path.is_file(),  # resolve for the bounds, but create no lock
        python=str(interpreter.sys_executable),
        indexes=request.indexes,
        default_index=request.default_index,
        upgrade=ctx.settings.upgrade,
        upgrade_packages=tuple(ctx.settings.upgrade_package),
        upgrade_groups=request.upgrade_groups,
        report_changes=False,
    )
    with snapshot.restored_on_failure(_hint_frozen):
        result = lock_script(ctx, lock_request, path)
        if _bounds(ctx, editor, edits, result.lock, request):
            write()
            silent = with_printer(ctx, FilteredPrinter.like(ctx.printer, ("",)))
            lock_script(silent, lock_request, path)


def _new_script_block(ctx: Context, path: Path, python: str | None) -> ScriptMetadata:
    """The metadata of a script without a block, as uv makes one for it: `requires-python` at
    least the minor version of the interpreter `--python`, a `.python-version` or discovery
    gives, and no dependencies."""
    from puv.operations.python_ops import discovery_settings
    from puv.project.script import ScriptMetadata, init_script_text
    from puv.python.discovery import EnvironmentPreference, find_python
    from puv.python.request import DEFAULT_REQUEST, parse_request
    from puv.python.version_file import find_version_file, read_version_file

    request = None
    if python is not None:
        request = parse_request(python, cwd=ctx.cwd)
    else:
        found = find_version_file(ctx.cwd)
        if found is not None:
            request = read_version_file(found, ctx.printer.warn).request
    settings = discovery_settings(ctx, EnvironmentPreference.ANY)
    interpreter = find_python(request or DEFAULT_REQUEST, settings).interpreter
    major, minor = interpreter.major_minor
    requires_python = f">={major}.{minor}"
    try:
        contents = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise PuvError(str(error)) from None
    text = init_script_text(contents, requires_python)
    return ScriptMetadata(path, requires_python, (), {}, text)


def _lock_sync_options(request: AddRequest) -> LockSyncOptions:
    kind, name = request.dependency_type.kind, request.dependency_type.name
    return LockSyncOptions(
        locked=request.locked,
        upgrade_groups=request.upgrade_groups,
        no_sync=request.no_sync,
        python=request.python,
        indexes=request.indexes,
        default_index=request.default_index,
        extra=name if kind == "optional" else None,
        group=name if kind == "group" else None,
        # as uv: the default groups without `dev` after adding to the project or an extra
        dev="include" if kind == "dev" else None if kind == "group" else "exclude",
        active=request.active,
        install=request.install,
    )


def _warn_dev_dependencies(ctx: Context, workspace: Workspace) -> None:
    warning = workspace.dev_dependencies_warning(ctx.cwd)
    if warning is not None:
        ctx.printer.warn(warning)


def _announce_interpreter(ctx: Context, workspace: Workspace, request: AddRequest) -> None:
    """uv's `add --frozen` still finds the project interpreter, and says which one it found
    when there is no project environment to take it from."""
    from puv.operations.project_env import environment_path
    from puv.operations.python_ops import find_interpreter

    if environment_path(ctx, workspace.root, active=request.active).joinpath("pyvenv.cfg").exists():
        return
    interpreter = find_interpreter(ctx, request.python, project_dir=workspace.root)
    ctx.printer.status(
        f"Using {interpreter.display_name} interpreter at: {interpreter.sys_executable}"
    )


def _target_member(workspace: Workspace, package: str | None) -> Member | None:
    if package is not None:
        return workspace.member(package)
    return workspace.current


# --- reading the requirements ----------------------------------------------------------------


def _read_inputs(ctx: Context, request: AddRequest) -> list[SourceInput]:
    inputs = [
        _parse_input(ctx, text, editable=bool(request.editable)) for text in request.requirements
    ]
    for file in request.requirement_files:
        inputs += _read_requirements_file(ctx, file, editable=bool(request.editable))
    return inputs


def _read_requirements_file(ctx: Context, file: str, *, editable: bool) -> list[SourceInput]:
    from puv.project.requirements_txt import read_requirements

    name = Path(file).name
    if name == "pyproject.toml":
        raise PuvError("Adding requirements from a `pyproject.toml` is not supported in `puv add`")
    if name == "setup.py":
        raise PuvError("Adding requirements from a `setup.py` is not supported in `puv add`")
    if name == "setup.cfg":
        raise PuvError("Adding requirements from a `setup.cfg` is not supported in `puv add`")
    parsed = read_requirements(ctx.cwd / file, environ=os.environ, display=file)
    return [
        _parse_input(ctx, line.text, editable=editable or line.editable)
        for line in parsed.requirements
    ]


def _parse_input(ctx: Context, text: str, *, editable: bool) -> SourceInput:
    """A command-line requirement: PEP 508, or an unnamed path/URL whose name puv can read."""
    from puv.project.requirements_txt import _looks_like_url_or_path

    stripped = text.strip()
    if (editable and os.path.isdir(ctx.cwd / stripped)) or _looks_like_url_or_path(stripped):
        location, _sep, marker_text = stripped.partition(";")
        location = location.strip()
        name = _unnamed_name(ctx, location)
        requirement = Requirement(name, url=location)
        if marker_text.strip():
            requirement = replace(requirement, marker=Marker.parse(marker_text.strip()))
        return _classify(ctx, requirement, editable=editable)
    try:
        requirement = Requirement.parse(stripped)
    except InvalidDependency as error:
        raise PuvError(f"Failed to parse: `{stripped}`", causes=[str(error)]) from None
    if requirement.url is None:
        return SourceInput(requirement)
    return _classify(ctx, requirement, editable=editable)


def _local_path(ctx: Context, location: str) -> Path | None:
    if location.startswith("file:"):
        return Path(unquote(urlsplit(location).path))
    if "://" in location or location.startswith("git+"):
        return None
    return ctx.cwd / os.path.expanduser(location)


def _unnamed_name(ctx: Context, location: str) -> str:
    """The package name of an unnamed requirement, read without building it."""
    path = _local_path(ctx, location)
    if path is not None and path.is_dir():
        return _directory_name(path, location)
    filename = path.name if path is not None else urlsplit(location).path.rsplit("/", 1)[-1]
    name = _archive_name(filename)
    if name is None:
        raise PuvError(
            f"puv cannot determine the package name of `{location}` without building it; "
            "give it a name (`name @ URL`)"
        )
    return name


def _directory_name(path: Path, location: str) -> str:
    import tomllib

    pyproject = path / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        data = {}
    name = data.get("project", {}).get("name")
    if not isinstance(name, str):
        raise PuvError(
            f"puv cannot determine the package name of `{location}`: it has no static "
            "`project.name` in `pyproject.toml`; give it a name (`name @ PATH`)"
        )
    return normalize_name(name)


def _archive_name(filename: str) -> str | None:
    if filename.endswith(".whl"):
        return normalize_name(filename.split("-", 1)[0])
    for suffix in (".tar.gz", ".zip", ".tar.bz2", ".tgz"):
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            if "-" in stem:
                return normalize_name(stem.rsplit("-", 1)[0])
    return None


def _classify(ctx: Context, requirement: Requirement, *, editable: bool) -> SourceInput:
    """Where a requirement with a URL or path comes from (uv's `RequirementSource`)."""
    url = requirement.url or ""
    base, _sep, fragment = url.partition("#")
    subdirectory = None
    for part in fragment.split("&"):
        key, _eq, value = part.partition("=")
        if key == "subdirectory" and value:
            subdirectory = value
    if base.startswith("git+"):
        repository, reference = _split_git_reference(base[len("git+") :])
        return SourceInput(requirement, "git", repository, False, reference, subdirectory)
    path = _local_path(ctx, base)
    if path is None:
        return SourceInput(requirement, "url", url, False, None, subdirectory)
    absolute = base.startswith("file:") or os.path.isabs(os.path.expanduser(base))
    kind = "directory" if path.is_dir() else "path"
    return SourceInput(
        requirement, kind, os.path.normpath(path), absolute, None, subdirectory, editable
    )


def _split_git_reference(url: str) -> tuple[str, str | None]:
    """`https://host/repo@ref` -> (`https://host/repo`, `ref`)."""
    parts = urlsplit(url)
    path = parts.path
    if "@" in path:
        path, reference = path.rsplit("@", 1)
        return parts._replace(path=path).geturl(), reference
    return url, None


def _augment(item: SourceInput, request: AddRequest, marker: Marker | None) -> SourceInput:
    """uv's `augment_requirement`: AND the `--marker`, replace a Git URL's reference, add
    `--extra`s (sorted, deduplicated)."""
    requirement = item.requirement
    if marker is not None:
        requirement = replace(requirement, marker=requirement.marker & marker)
    extras = sorted({*requirement.extras, *(normalize_name(e) for e in request.extras)})
    requirement = replace(requirement, extras=tuple(extras))
    reference = request.rev or request.tag or request.branch
    if item.kind == "git" and reference is not None:
        item = replace(item, reference=reference)
    return replace(item, requirement=requirement)


# --- the edits -------------------------------------------------------------------------------


def _apply_edits(
    editor: PyProjectEditor,
    members: Collection[str],
    root: Path,
    inputs: Sequence[SourceInput],
    request: AddRequest,
    existing_sources: Mapping[str, Any],
) -> list[_Edit]:
    """Add each input to its array (and its source), as uv's `add` loop does: the edits made,
    their indexes kept right as later insertions shift them. `members` are the workspace's
    member names; `existing_sources` the `[tool.uv.sources]` already declared."""
    index_name = _single_index_name(request)
    edits: list[_Edit] = []
    for item in inputs:
        if request.raw:
            requirement, source = item.requirement, None
        else:
            source = _source(item, request, members, root, index_name, existing_sources)
            requirement = replace(item.requirement, url=None)
        dependency_type = _dependency_type(editor, request.dependency_type, requirement.name)
        edit = editor.add_dependency(requirement, dependency_type, source, raw=request.raw)
        if edit.added:
            edits = [
                replace(e, edit=ArrayEdit(e.edit.index + 1, e.edit.added))
                if e.dependency_type == dependency_type and e.edit.index >= edit.index
                else e
                for e in edits
            ]
        edits.append(_Edit(dependency_type, requirement, source, edit))
    return edits


def _dependency_type(
    editor: PyProjectEditor, requested: DependencyType, name: str
) -> DependencyType:
    """`--dev` (or `--group dev`) goes where the package already is, else to
    `dependency-groups.dev` unless only `tool.uv.dev-dependencies` exists (for `--dev`)."""
    dev_group = DependencyType.group("dev")
    if requested.kind == "dev" or requested == dev_group:
        existing = editor.find_dependency(name, None)
        if dev_group in existing:
            return dev_group
        if DependencyType.dev() in existing:
            return DependencyType.dev()
        if (
            requested.kind == "dev"
            and editor.has_dev_dependencies()
            and not editor.has_dependency_group("dev")
        ):
            return DependencyType.dev()
        return dev_group
    return requested


def _single_index_name(request: AddRequest) -> str | None:
    """With exactly one named `--index`, every requirement is pinned to it."""
    from puv.index.indexes import index_from_argument

    if len(request.indexes) != 1 or request.default_index is not None:
        return None
    return index_from_argument(request.indexes[0]).name


def _sources_table(root: Path) -> Mapping[str, Any]:
    import tomllib

    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return _normalized_sources(data.get("tool", {}).get("uv", {}).get("sources", {}))


def _normalized_sources(sources: Mapping[str, Any]) -> Mapping[str, Any]:
    return {normalize_name(name): value for name, value in sources.items()}


def _source(
    item: SourceInput,
    request: AddRequest,
    members: Collection[str],
    root: Path,
    index_name: str | None,
    existing: Mapping[str, Any],
) -> dict[str, str | bool] | None:
    """uv's `Source::from_requirement`, serialized in uv's key order."""
    name = item.requirement.name
    reference_given = request.rev or request.tag or request.branch
    if item.kind != "git" and reference_given:
        entries = existing.get(name)
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, Mapping) and "git" in entry:
                source: dict[str, str | bool] = {"git": entry["git"]}
                for key in ("subdirectory", "path"):
                    if key in entry:
                        source[key] = entry[key]
                return source | _git_reference(request)
        for flag, value in (("rev", request.rev), ("tag", request.tag), ("branch", request.branch)):
            if value:
                raise PuvError(
                    f"`{name}` did not resolve to a Git repository, but a Git reference "
                    f"(`--{flag} {value}`) was provided."
                )
    is_member = name in members
    editable = request.editable
    if not is_member and item.kind != "directory" and editable:
        raise PuvError(
            f"`{name}` did not resolve to a local directory, but the `--editable` flag was "
            "provided. Editable installs are only supported for local directories."
        )
    if is_member:
        if item.kind in ("registry", "directory"):
            source = {"workspace": True}
            if editable is not None:
                source["editable"] = editable
            return source
        what = {"url": "a URL", "git": "a Git repository", "path": "a file"}[item.kind]
        raise PuvError(f"Workspace dependency `{name}` must refer to local directory, not {what}")
    if item.kind == "registry":
        return {"index": index_name} if index_name is not None else None
    if item.kind in ("path", "directory"):
        assert item.location is not None
        path = item.location if item.given_absolute else _relative(Path(item.location), root)
        source = {"path": path}
        if item.kind == "directory":
            chosen = editable if editable is not None else (item.editable or None)
            if chosen is not None:
                source["editable"] = chosen
        return source
    if item.kind == "url":
        assert item.location is not None
        source = {"url": item.location.partition("#")[0]}
        if item.subdirectory:
            source["subdirectory"] = item.subdirectory
        return source
    assert item.location is not None
    source = {"git": item.location}
    if item.subdirectory:
        source["subdirectory"] = item.subdirectory
    if reference_given:
        return source | _git_reference(request)
    if item.reference:
        source["rev"] = item.reference
    return source


def _git_reference(request: AddRequest) -> dict[str, str | bool]:
    reference: dict[str, str | bool] = {}
    for key, value in (("rev", request.rev), ("tag", request.tag), ("branch", request.branch)):
        if value:
            reference[key] = value
    return reference


def _relative(path: Path, root: Path) -> str:
    """`path` relative to `root` (with `..` where needed), `/`-separated."""
    return Path(os.path.relpath(path, root)).as_posix()


def _add_workspace_members(
    ctx: Context,
    workspace: Workspace,
    root: Path,
    inputs: Sequence[SourceInput],
    request: AddRequest,
    snapshot: ProjectSnapshot,
) -> Workspace:
    """Directory requirements inside the workspace become members (uv's `--workspace` mode)."""
    from puv.project.workspace import discover_workspace

    if request.workspace is False:
        return workspace
    workspace_root = workspace.root.resolve()
    candidates = []
    for item in inputs:
        if item.kind != "directory" or item.location is None:
            continue
        path = Path(item.location).resolve()
        inside = path == workspace_root or workspace_root in path.parents
        if not (request.workspace or inside):
            continue
        if any(member.root.resolve() == path for member in workspace.members.values()):
            continue
        candidates.append(path)
    if not candidates:
        return workspace
    root_file = workspace.root / "pyproject.toml"
    editor = PyProjectEditor(root_file.read_text(encoding="utf-8"))
    for path in candidates:
        relative = path.relative_to(workspace_root) if workspace_root in path.parents else path
        editor.add_workspace_member(relative.as_posix())
        ctx.printer.status(f"Added `{relative.as_posix()}` to workspace members")
    snapshot.keep(root_file)
    write_text_atomic(root_file, editor.render())
    return discover_workspace(root)


def _add_indexes(ctx: Context, editor: PyProjectEditor, root: Path, request: AddRequest) -> None:
    """`--index`/`--default-index` entries into `[[tool.uv.index]]`, highest priority first."""
    from puv.index.indexes import index_from_argument

    given = [(value, False) for value in request.indexes]
    if request.default_index is not None:
        given.append((request.default_index, True))
    entries: list[dict[str, Any]] = []
    for value, default in given:
        index = index_from_argument(value, default=default)
        text = value.partition("=")[2] if index.name is not None else value.strip()
        location = _index_path(ctx, text)
        if location is not None:
            if not location.is_dir():
                raise PuvError(f"Directory not found for index: {location.as_uri()}")
            if not any(location.iterdir()):
                ctx.printer.warn(f"Index directory `{location.as_uri()}` is empty, skipping")
                continue
            absolute = text.startswith("file:") or os.path.isabs(text)
            url = location.as_posix() if absolute else _relative(location, root)
        else:
            url = _without_credentials(index.url)
        entries.append({"url": url, "name": index.name, "default": default, "root": location})
    for entry in reversed(entries):
        editor.add_index(
            {key: entry[key] for key in ("url", "name", "default")},
            _same_location(entry, root),
        )


def _index_path(ctx: Context, text: str) -> Path | None:
    if text.startswith("file:"):
        return Path(unquote(urlsplit(text).path))
    if "://" in text:
        return None
    return Path(os.path.normpath(ctx.cwd / os.path.expanduser(text)))


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return parts._replace(netloc=host).geturl()


def _same_location(entry: Mapping[str, Any], root: Path) -> Callable[[str], bool]:
    """uv's `index_locations_equal`: the same directory, or the same canonical URL."""
    incoming_path: Path | None = entry["root"]

    def same(existing: str) -> bool:
        if incoming_path is not None:
            if "://" in existing and not existing.startswith("file:"):
                return False
            path = (
                Path(unquote(urlsplit(existing).path))
                if existing.startswith("file:")
                else root / existing
            )
            return os.path.normpath(path) == os.path.normpath(incoming_path)
        return _canonical_url(existing) == _canonical_url(str(entry["url"]))

    return same


def _canonical_url(url: str) -> str:
    return _without_credentials(url).rstrip("/").lower()


# --- locking, bounds and syncing -------------------------------------------------------------


def _bounds(
    ctx: Context, editor: PyProjectEditor, edits: Sequence[_Edit], lock: Lock, request: AddRequest
) -> bool:
    """Give each newly added registry requirement without a specifier uv's bound from the lock;
    whether the file changed."""
    if request.raw:
        return False
    minimum: dict[str, Any] = {}
    from packaging.version import Version

    for package in lock.packages:
        version = package.id.version
        if version is None:
            continue
        parsed = Version(version)
        name = package.id.name
        if name not in minimum or parsed < minimum[name]:
            minimum[name] = parsed
    changed = False
    for edit in edits:
        if not edit.edit.added:
            continue
        if edit.source is not None and "index" not in edit.source:
            continue
        requirement = edit.requirement
        if requirement.specifiers or requirement.url is not None:
            if request.bounds is not None:
                ctx.printer.status(
                    f"note: Using explicit requirement `{requirement}` over bounds preference "
                    f"`{request.bounds}`"
                )
            continue
        found = minimum.get(requirement.name)
        if found is None:
            continue
        specifiers = bounded_specifier(str(found), request.bounds or AddBounds.LOWER)
        editor.set_dependency_bound(edit.dependency_type, edit.edit.index, specifiers)
        changed = True
    return changed


class LockSyncOptions(Struct, frozen=True):
    """How `add`, `remove` and `version` lock and sync after editing: `--locked`, `--no-sync`,
    `--python`, the command-line indexes, and what to install (`extra`/`group` besides the
    default groups, `dev` as `--dev`/`--no-dev`, the `--no-install-*` flags); `exact` removes
    what the lock does not list."""

    locked: bool = False
    no_sync: bool = False
    python: str | None = None
    indexes: tuple[str, ...] = ()
    default_index: str | None = None
    upgrade_groups: tuple[str, ...] = ()
    extra: str | None = None
    group: str | None = None
    dev: Literal["include", "exclude"] | None = None
    active: bool | None = None
    install: InstallOptions | None = None
    exact: bool = False


def lock_and_sync(
    ctx: Context,
    editor: PyProjectEditor,
    pyproject_path: Path,
    after_lock: Callable[[Lock], bool],
    options: LockSyncOptions,
) -> None:
    """Lock the project (uv's `LockMode::Write`, or `Locked` with `--locked`); when
    `after_lock(lock)` edits the file (bounds), write it and lock again; then, unless `--no-sync`,
    sync the environment with the new lock (inexact unless `options.exact`, as uv's `remove`)."""
    from puv.operations.lock import LockRequest, lock_project
    from puv.operations.project_env import environment_path, project_environment
    from puv.project.workspace import discover_workspace

    python = options.python
    workspace = discover_workspace(pyproject_path.parent)
    existing = environment_path(ctx, workspace.root, active=options.active, warn=False)
    quiet_interpreter = (existing / "pyvenv.cfg").exists()
    if not options.no_sync:  # as uv: the environment first, then the lock with its interpreter
        environment = project_environment(ctx, workspace, python=python, active=options.active)
        python = str(environment.interpreter.sys_executable)
        quiet_interpreter = True
    request = LockRequest(
        check=options.locked,
        python=python,
        indexes=options.indexes,
        default_index=options.default_index,
        upgrade=ctx.settings.upgrade,
        upgrade_packages=tuple(ctx.settings.upgrade_package),
        upgrade_groups=options.upgrade_groups,
        report_changes=False,
    )
    request = request._replace(show_interpreter=not quiet_interpreter)
    result = lock_project(ctx, request, workspace=workspace)
    if after_lock(result.lock):
        write_text_atomic(pyproject_path, editor.render())
        workspace = discover_workspace(pyproject_path.parent)
        # the bounds come from this lock, which satisfies them: record them, resolve nothing
        bounded = request._replace(
            keep_resolution=True,
            upgrade=False,
            upgrade_packages=(),
            upgrade_groups=(),
            show_interpreter=False,
            show_resolved=False,
        )
        lock_project(ctx, bounded, workspace=workspace)
        for warning in result.warnings:  # uv resolves again, and warns again
            ctx.printer.warn(warning)
    if not options.no_sync:
        _sync(ctx, pyproject_path.parent, replace(options, python=python))


def _sync(ctx: Context, project_dir: Path, options: LockSyncOptions) -> None:
    """Install the freshly written lock into the project environment (inexact)."""
    from puv.lock.install_target import Extras
    from puv.operations.sync import SyncRequest, sync_project
    from puv.project.group_flags import GroupFlags

    sync_project(
        ctx,
        SyncRequest(
            lock_mode="frozen",
            exact=options.exact,
            active=options.active,
            python=options.python,
            extras=Extras(names=(options.extra,) if options.extra else ()),
            groups=GroupFlags(dev=options.dev, group=(options.group,) if options.group else ()),
            install_options=options.install or InstallOptions(),
            indexes=options.indexes,
            default_index=options.default_index,
            project_dir=project_dir,
        ),
    )


# --- files -----------------------------------------------------------------------------------


class ProjectSnapshot:
    """The bytes of `pyproject.toml` files and `uv.lock` before an edit, to put back on failure."""

    def __init__(self, files: dict[Path, bytes | None]) -> None:
        self._files = files

    @classmethod
    def take(cls, workspace_root: Path, *paths: Path) -> ProjectSnapshot:
        """Remember `paths` and the workspace's `uv.lock`."""
        snapshot = cls({})
        for path in (*paths, workspace_root / "uv.lock"):
            snapshot.keep(path)
        return snapshot

    def keep(self, path: Path) -> None:
        """Remember `path` too (once)."""
        if path not in self._files:
            try:
                self._files[path] = path.read_bytes()
            except FileNotFoundError:
                self._files[path] = None

    @contextmanager
    def restored_on_failure(
        self, on_error: Callable[[PuvError], None] | None = None
    ) -> Iterator[None]:
        """Put every remembered file back if the block raises (after `on_error` has seen a
        `PuvError`, to add a hint)."""
        try:
            yield
        except PuvError as error:
            self.restore()
            if on_error is not None:
                on_error(error)
            raise
        except BaseException:
            self.restore()
            raise

    def restore(self) -> None:
        """Put every remembered file back (removing those that did not exist)."""
        for path, data in self._files.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                try:
                    if path.read_bytes() == data:
                        continue
                except FileNotFoundError:
                    pass
                _write_keeping_mode(path, data)


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` through a temporary file and a rename, keeping the file's
    permissions (an executable script stays executable; a new file gets the umask's)."""
    _write_keeping_mode(path, text.encode("utf-8"))


def _write_keeping_mode(path: Path, data: bytes) -> None:
    import stat

    from puv.cache.persist import open_atomic

    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with open_atomic(path) as handle:
        handle.write(data)
        os.fchmod(handle.fileno(), mode)
