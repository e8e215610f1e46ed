"""`puv remove`: remove requirements from `pyproject.toml` as uv does, then lock and sync.

Each package is removed from the selected table (`--dev` and `--group dev` look in both
`tool.uv.dev-dependencies` and `dependency-groups.dev`); its `[tool.uv.sources]` entry goes too
once nothing else uses it. A package that is not there is uv's error, with hints naming where it
is. Then, unless `--frozen`, the project is locked and synced (`--no-sync` skips the sync); a
failure puts `pyproject.toml` and `uv.lock` back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from puv.core.errors import PuvError
from puv.operations.add import (
    InstallOptions,
    LockSyncOptions,
    ProjectSnapshot,
    lock_and_sync,
    write_text_atomic,
)
from puv.operations.context import Context
from puv.project.pyproject_edit import DependencyType, PyProjectEditor
from puv.project.settings_schema import normalize_name

__all__ = ["RemoveRequest", "remove_requirements"]


@dataclass(frozen=True, slots=True)
class RemoveRequest:
    """What `puv remove` was asked to do."""

    packages: tuple[str, ...]
    dependency_type: DependencyType = field(default_factory=DependencyType.production)
    package: str | None = None
    frozen: bool = False
    locked: bool = False
    no_sync: bool = False
    python: str | None = None
    indexes: tuple[str, ...] = ()
    default_index: str | None = None
    active: bool | None = None
    install: InstallOptions | None = None


def remove_requirements(ctx: Context, request: RemoveRequest) -> None:
    """Run `puv remove` (see the module docstring)."""
    from puv.project.workspace import discover_workspace

    workspace = discover_workspace(ctx.cwd)
    warning = workspace.dev_dependencies_warning(ctx.cwd)
    if warning is not None:
        ctx.printer.warn(warning)
    member = workspace.member(request.package) if request.package else workspace.current
    root = member.root if member is not None else workspace.root
    pyproject_path = root / "pyproject.toml"
    original = pyproject_path.read_text(encoding="utf-8")
    editor = PyProjectEditor(original)
    for package in request.packages:
        name = normalize_name(package)
        target = request.dependency_type
        if target.kind == "dev" or target == DependencyType.group("dev"):
            removed = editor.remove_dependency(name, DependencyType.dev())
            removed += editor.remove_dependency(name, DependencyType.group("dev"))
        else:
            removed = editor.remove_dependency(name, target)
        if not removed:
            raise _not_found(name, target, editor.find_dependency(name, None))
    content = editor.render()
    snapshot = ProjectSnapshot.take(workspace.root, pyproject_path)
    if content != original:
        write_text_atomic(pyproject_path, content)
    if request.frozen:
        return
    try:
        lock_and_sync(
            ctx,
            editor,
            pyproject_path,
            lambda _lock: False,
            LockSyncOptions(
                locked=request.locked,
                no_sync=request.no_sync,
                python=request.python,
                indexes=request.indexes,
                default_index=request.default_index,
                active=request.active,
                install=request.install,
                exact=True,
            ),
        )
    except BaseException:
        snapshot.restore()
        raise


def _table_name(dependency_type: DependencyType) -> str:
    if dependency_type.kind == "production":
        return "`project.dependencies`"
    if dependency_type.kind == "optional":
        return f"`project.optional-dependencies.{dependency_type.name}`"
    if dependency_type.kind == "group":
        return f"`dependency-groups.{dependency_type.name}`"
    return "`tool.uv.dev-dependencies` or `tool.uv.dependency-groups.dev`"


def _not_found(
    name: str, dependency_type: DependencyType, found_in: list[DependencyType]
) -> PuvError:
    """uv's `DependencyNotFoundError`, with a hint for every place the package is."""
    hints = []
    for place in found_in:
        if place.kind == "production":
            hints.append(f"`{name}` is a production dependency")
        elif place.kind == "dev":
            hints.append(f"`{name}` is a development dependency (try: `puv remove {name} --dev`)")
        elif place.kind == "optional":
            hints.append(
                f"`{name}` is an optional dependency (try: `puv remove {name} --optional "
                f"{place.name}`)"
            )
        else:
            hints.append(
                f"`{name}` is in the `{place.name}` group (try: `puv remove {name} --group "
                f"{place.name}`)"
            )
    return PuvError(
        f"The dependency `{name}` could not be found in {_table_name(dependency_type)}",
        hint="\n\nhint: ".join(hints) or None,
    )
