"""`puv remove`: remove requirements from `pyproject.toml` as uv does, then lock and sync.

Each package is removed from the selected table (`--dev` and `--group dev` look in both
`tool.uv.dev-dependencies` and `dependency-groups.dev`); its `[tool.uv.sources]` entry goes too
once nothing else uses it. A package that is not there is uv's error, with hints naming where it
is. Then, unless `--frozen`, the project is locked and synced (`--no-sync` skips the sync); a
failure puts `pyproject.toml` and `uv.lock` back. `--script` edits a PEP 723 script's block
instead (`remove_from_script`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct, field
from msgspec.structs import replace

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

if TYPE_CHECKING:
    from puv.operations.script_env import SettingsSources

__all__ = ["RemoveRequest", "remove_from_script", "remove_requirements"]


class RemoveRequest(Struct, frozen=True):
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
    upgrade_groups: tuple[str, ...] = ()
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
    with snapshot.restored_on_failure():
        lock_and_sync(
            ctx,
            editor,
            pyproject_path,
            lambda _lock: False,
            LockSyncOptions(
                locked=request.locked,
                upgrade_groups=request.upgrade_groups,
                no_sync=request.no_sync,
                python=request.python,
                indexes=request.indexes,
                default_index=request.default_index,
                active=request.active,
                install=request.install,
                exact=True,
            ),
        )


def remove_from_script(
    ctx: Context, request: RemoveRequest, path: Path, *, settings: SettingsSources | None = None
) -> None:
    """`puv remove --script`: remove the packages from the script's inline metadata as uv does;
    then, when `<script>.lock` exists, lock again (else say `Updated `<script>``)."""
    from puv.core.paths import user_display
    from puv.operations.lock import LockRequest, lock_script
    from puv.operations.script_env import (
        script_interpreter,
        warn_script_no_ops,
        with_script_settings,
    )
    from puv.project.script import (
        parse_script,
        read_existing_script,
        render_script,
        script_lock_path,
    )

    metadata = read_existing_script(path)
    warn_script_no_ops(
        ctx,
        package=request.package is not None,
        locked=request.locked,
        frozen=request.frozen,
        no_sync=request.no_sync,
    )
    ctx = with_script_settings(ctx, metadata, settings)
    assert metadata.text is not None
    editor = PyProjectEditor(metadata.text.metadata, script=True)
    production = DependencyType.production()
    for package in request.packages:
        name = normalize_name(package)
        if not editor.remove_dependency(name, production):
            raise _not_found(name, production, editor.find_dependency(name, None))
    content = editor.render()
    if content != metadata.text.metadata:
        text = render_script(replace(metadata.text, metadata=content))
        write_text_atomic(path, text)
        metadata = parse_script(path, text)
    if request.frozen:
        return
    if not script_lock_path(path).is_file():
        shown = ctx.printer.style(user_display(path, ctx.cwd), "cyan")
        ctx.printer.status(f"Updated `{shown}`")
        return
    interpreter = script_interpreter(
        ctx,
        metadata,
        python=request.python,
        active=request.active,
        keep_incompatible=request.no_sync,
    )
    lock_script(
        ctx,
        LockRequest(
            check=request.locked,
            python=str(interpreter.sys_executable),
            indexes=request.indexes,
            default_index=request.default_index,
            report_changes=False,
        ),
        path,
    )


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
