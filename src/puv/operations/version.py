"""`puv version`: read, set or bump the project's version as `uv version` does.

Reading takes `project.version` (with `--frozen`, the locked version). Setting writes a PEP 440
version; `--bump` applies uv's rules (`crates/uv-pep440` `Version::bump`): components are ordered
major > minor > patch > stable > pre > post > dev, bumping one clears those below it, a missing
one becomes 1, `--bump x=N` sets it to N; the combinations uv refuses are refused with its
messages, and a bump that does not increase the version is an error. Then, unless `--dry-run`,
the new version is written (formatting kept) and the project locked and synced like `add`.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct
from packaging.version import InvalidVersion, Version

from puv.core.errors import PuvError
from puv.operations.context import Context
from puv.project.pyproject import find_pyproject, read_pyproject
from puv.project.toml_read import display_path

if TYPE_CHECKING:
    from puv.lock.install_target import InstallOptions
    from puv.project.pyproject_edit import PyProjectEditor
    from puv.project.workspace import Workspace

__all__ = [
    "Bump",
    "BumpSpec",
    "ProjectVersion",
    "VersionChange",
    "VersionRequest",
    "bump_version",
    "change_version",
    "project_version",
]


class ProjectVersion(Struct, frozen=True):
    """The normalized project name and its static version."""

    name: str
    version: str


class Bump(enum.IntEnum):
    """`--bump` components, in uv's order (the order bumps are applied in)."""

    MAJOR = 0
    MINOR = 1
    PATCH = 2
    STABLE = 3
    ALPHA = 4
    BETA = 5
    RC = 6
    POST = 7
    DEV = 8

    def __str__(self) -> str:
        return self.name.lower()


class BumpSpec(Struct, frozen=True, order=True):
    """One `--bump NAME[=VALUE]`."""

    bump: Bump
    value: int | None = None

    @classmethod
    def parse(cls, text: str) -> BumpSpec:
        """Parse `minor` or `minor=3`; `ValueError` with clap's message otherwise."""
        name, sep, raw = text.partition("=")
        try:
            bump = Bump[name.upper()] if name == name.lower() else None
        except KeyError:
            bump = None
        if bump is None:
            raise ValueError(f"invalid bump component `{name}`")
        if not sep:
            return cls(bump)
        if bump is Bump.STABLE:
            raise ValueError("`--bump stable` does not accept a value")
        if raw == "":
            raise ValueError("`--bump` values cannot be empty")
        if not raw.isdigit():
            raise ValueError(f"invalid numeric value `{raw}` for `--bump {name}`")
        return cls(bump, int(raw))

    def __str__(self) -> str:
        return str(self.bump) if self.value is None else f"{self.bump}={self.value}"


class VersionRequest(Struct, frozen=True):
    """`puv version [VALUE] [--bump ...] [--dry-run] [--frozen] ...`."""

    value: str | None = None
    bumps: tuple[BumpSpec, ...] = ()
    dry_run: bool = False
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
    project_dir: str | None = None


class VersionChange(Struct, frozen=True):
    """The project name, its version before, and after (None when only read)."""

    name: str
    old: str
    new: str | None


def _missing_pyproject() -> PuvError:
    return PuvError(
        "No `pyproject.toml` found in current directory or any parent directory",
        hint="If you meant to view puv's version, use `puv --version` instead",
    )


def project_version(ctx: Context, project_dir: str | None = None) -> ProjectVersion:
    """The name and version of the nearest project, as `uv version` reads them."""
    start = ctx.cwd / project_dir if project_dir else ctx.cwd
    path = find_pyproject(start)
    if path is None:
        raise _missing_pyproject()
    project = read_pyproject(path)
    if project.name is None:
        raise PuvError(f"Missing `project.name` field in: {display_path(project.path, ctx.cwd)}")
    if project.version is None:
        if "version" in project.dynamic:
            raise PuvError(
                f"We cannot get or set dynamic project versions in: {display_path(project.path, ctx.cwd)}"
            )
        raise PuvError(f"Missing `project.version` field in: {display_path(project.path, ctx.cwd)}")
    return ProjectVersion(project.normalized_name or project.name, str(Version(project.version)))


def bump_version(old: str, bumps: tuple[BumpSpec, ...]) -> str:
    """`old` after uv's `--bump` rules (errors are uv's)."""
    listed = ", ".join(str(spec) for spec in bumps)
    kinds = [spec.bump for spec in bumps]
    if Bump.STABLE in kinds and len(bumps) > 1:
        raise PuvError(f"`--bump stable` cannot be used with another `--bump` value, got: {listed}")
    if Bump.POST in kinds and len(bumps) > 1:
        raise PuvError(f"`--bump post` cannot be used with another `--bump` value, got: {listed}")
    release = [spec for spec in bumps if spec.bump <= Bump.PATCH]
    if len(release) > 1:
        raise PuvError(
            "Only one release version component can be provided to `--bump`, got: "
            + ", ".join(map(str, release))
        )
    pre = [spec for spec in bumps if spec.bump in (Bump.ALPHA, Bump.BETA, Bump.RC, Bump.DEV)]
    if len(pre) > 1:
        raise PuvError(
            "Only one pre-release version component can be provided to `--bump`, got: "
            + ", ".join(map(str, pre))
        )
    parsed = Version(old)
    state = _Parts(parsed)
    for spec in sorted(bumps):
        state.bump(spec)
    new = Version(state.text())
    if new <= parsed:
        if parsed.pre is None and parsed.dev is None and new.pre is not None:
            raise PuvError(
                f"{parsed} => {new} didn't increase the version; when bumping to a pre-release "
                "version you also need to increase a release version component, e.g., with "
                "`--bump <major|minor|patch>`"
            )
        if new.dev is not None and parsed.dev is None:
            raise PuvError(
                f"{parsed} => {new} didn't increase the version; when bumping to a dev version "
                "you also need to increase another version component, e.g., with "
                "`--bump <major|minor|patch|alpha|beta|rc>`"
            )
        raise PuvError(
            f"{parsed} => {new} didn't increase the version; provide the exact version to force "
            "an update"
        )
    return str(new)


class _Parts:
    """A version's parts while bumps are applied."""

    __slots__ = ("dev", "epoch", "local", "post", "pre", "release")

    def __init__(self, version: Version) -> None:
        self.epoch = version.epoch
        self.release = list(version.release)
        self.pre: tuple[str, int] | None = version.pre
        self.post = version.post
        self.dev = version.dev
        self.local = version.local

    def bump(self, spec: BumpSpec) -> None:
        kind, value = spec.bump, spec.value
        if kind <= Bump.PATCH:
            self.pre = self.post = self.dev = None
            index = int(kind)
            size = max(len(self.release), index + 1)
            old = self.release + [0] * (size - len(self.release))
            bumped = value if value is not None else old[index] + 1
            self.release = old[:index] + [bumped] + [0] * (size - index - 1)
        elif kind is Bump.STABLE:
            self.pre = self.post = self.dev = None
        elif kind in (Bump.ALPHA, Bump.BETA, Bump.RC):
            self.post = self.dev = None
            letter = {Bump.ALPHA: "a", Bump.BETA: "b", Bump.RC: "rc"}[kind]
            if value is not None:
                self.pre = (letter, value)
            elif self.pre is not None and self.pre[0] == letter:
                self.pre = (letter, self.pre[1] + 1)
            else:
                self.pre = (letter, 1)
        elif kind is Bump.POST:
            self.dev = None
            self.post = value if value is not None else (self.post or 0) + 1
        else:
            self.dev = value if value is not None else (self.dev or 0) + 1

    def text(self) -> str:
        parts = [f"{self.epoch}!" if self.epoch else "", ".".join(map(str, self.release))]
        if self.pre is not None:
            parts.append(f"{self.pre[0]}{self.pre[1]}")
        if self.post is not None:
            parts.append(f".post{self.post}")
        if self.dev is not None:
            parts.append(f".dev{self.dev}")
        if self.local:
            parts.append(f"+{self.local}")
        return "".join(parts)


_BUMP_WORDS = ("major", "minor", "patch", "alpha", "beta", "rc", "dev", "post", "stable")


def change_version(ctx: Context, request: VersionRequest) -> VersionChange:
    """Read, set or bump the version (see the module docstring); returns what to print."""
    from puv.operations.add import (
        LockSyncOptions,
        ProjectSnapshot,
        lock_and_sync,
        write_text_atomic,
    )
    from puv.project.pyproject_edit import PyProjectEditor
    from puv.project.workspace import discover_workspace

    start = ctx.cwd / request.project_dir if request.project_dir else ctx.cwd
    if find_pyproject(start) is None:
        raise _missing_pyproject()
    workspace = discover_workspace(start)
    member = workspace.member(request.package) if request.package else workspace.current
    if member is None:
        raise PuvError(
            f"Missing `project.name` field in: {display_path(workspace.root / 'pyproject.toml')}"
        )
    path = member.root / "pyproject.toml"
    read_only = request.value is None and not request.bumps
    if read_only and request.frozen:
        return VersionChange(member.name, _locked_version(ctx, workspace, member.name), None)
    original = path.read_text(encoding="utf-8")
    editor = PyProjectEditor(original)
    old = _current_version(editor, path, ctx.cwd)
    if request.value is not None:
        try:
            new: str | None = str(Version(request.value))
        except InvalidVersion:
            if request.value in _BUMP_WORDS:
                raise PuvError(
                    f"Invalid version `{request.value}`, did you mean to pass "
                    f"`--bump {request.value}`?"
                ) from None
            raise PuvError(
                "expected version to start with a number, but no leading ASCII digits were found"
            ) from None
    elif request.bumps:
        new = bump_version(old, request.bumps)
    else:
        new = None
    if new is None or request.dry_run:
        return VersionChange(member.name, old, new)
    editor.set_version(new)
    snapshot = ProjectSnapshot.take(workspace.root, path)
    write_text_atomic(path, editor.render())
    if not request.frozen:
        with snapshot.restored_on_failure():
            lock_and_sync(
                ctx,
                editor,
                path,
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
                ),
            )
    return VersionChange(member.name, old, new)


def _current_version(editor: PyProjectEditor, path: Path, cwd: Path) -> str:
    from puv.project.pyproject_edit import EditError

    try:
        text = editor.version()
    except EditError:
        if editor.has_dynamic_version():
            raise PuvError(
                f"We cannot get or set dynamic project versions in: {display_path(path, cwd)}"
            ) from None
        raise PuvError(
            f"There is no 'project.version' field in: {display_path(path, cwd)}"
        ) from None
    return str(Version(text))


def _locked_version(ctx: Context, workspace: Workspace, name: str) -> str:
    from puv.operations.lock import LockRequest, lock_project

    result = lock_project(ctx, LockRequest(frozen=True), workspace=workspace)
    for package in result.lock.packages:
        if package.id.name == name and package.id.version is not None:
            return package.id.version
    raise PuvError(f"Failed to find the {name}'s version in the frozen lockfile")
