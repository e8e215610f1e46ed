"""Which packages of a lock go into an environment (`lock.install_target`), on hand-written locks
in uv's format: roots, extras, dependency groups (defaults, `--only-group`, groups a member
inherits from the workspace root), markers, conflict markers and `--no-install-*`.

`tests/e2e/test_sync_cli.py` checks the same selections against the real uv end to end.
"""

from __future__ import annotations

from typing import Any

import pytest

from puv.core.errors import PuvError
from puv.lock.install_target import (
    DependencyGroups,
    Extras,
    InstallOptions,
    InstallTarget,
    select_packages,
)
from puv.lock.reader import parse_lock

LINUX = {
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "python_version": "3.12",
    "python_full_version": "3.12.1",
    "platform_machine": "x86_64",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}
WINDOWS = {**LINUX, "sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"}

REGISTRY = '{ registry = "https://pypi.org/simple" }'


def registry(name: str, version: str = "1.0", extra: str = "") -> str:
    return f'[[package]]\nname = "{name}"\nversion = "{version}"\nsource = {REGISTRY}\n{extra}\n'


PROJECT_LOCK = (
    'version = 1\nrevision = 3\nrequires-python = ">=3.11"\n\n'
    + registry("alpha", extra='dependencies = [\n    { name = "beta" },\n]\n')
    + registry("beta")
    + registry(
        "delta",
        extra='\n[package.optional-dependencies]\ng = [\n    { name = "gamma" },\n]\n',
    )
    + registry("eps")
    + registry("gamma")
    + '[[package]]\nname = "proj"\nversion = "0.1.0"\nsource = { editable = "." }\n'
    "dependencies = [\n"
    '    { name = "alpha" },\n'
    '    { name = "delta", extra = ["g"] },\n'
    '    { name = "winonly", marker = "sys_platform == \'win32\'" },\n'
    "]\n\n"
    '[package.optional-dependencies]\nfast = [\n    { name = "eps" },\n]\n'
    'slow = [\n    { name = "zeta" },\n]\n\n'
    '[package.dev-dependencies]\ndev = [\n    { name = "zeta" },\n]\n'
    'lint = [\n    { name = "beta" },\n]\n\n'
    '[package.metadata]\nprovides-extras = ["fast", "slow"]\n\n'
    + registry("winonly")
    + registry("zeta")
)


def names(
    lock_text: str,
    target: InstallTarget,
    environment: dict[str, str] = LINUX,
    extras: Extras | None = None,
    groups: DependencyGroups | None = None,
    options: InstallOptions | None = None,
) -> list[str]:
    lock = parse_lock(lock_text)
    selected = select_packages(
        lock,
        target,
        environment,
        extras or Extras(),
        groups or DependencyGroups.from_flags(),
        options or InstallOptions(),
    )
    return sorted(package.name for package in selected)


PROJECT = InstallTarget("project", ("proj",))


def test_default_selection_is_the_project_its_dependencies_and_dev() -> None:
    assert names(PROJECT_LOCK, PROJECT) == ["alpha", "beta", "delta", "gamma", "proj", "zeta"]


def test_markers_are_evaluated_for_the_environment() -> None:
    assert "winonly" in names(PROJECT_LOCK, PROJECT, WINDOWS)


def test_extras() -> None:
    assert "eps" in names(PROJECT_LOCK, PROJECT, extras=Extras(("fast",)))
    chosen = names(PROJECT_LOCK, PROJECT, extras=Extras(all=True, excluded=("fast",)))
    assert "eps" not in chosen and "zeta" in chosen
    no_dev = DependencyGroups.from_flags(dev="exclude")
    assert "zeta" in names(PROJECT_LOCK, PROJECT, extras=Extras(("slow",)), groups=no_dev)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"dev": "exclude"}, ["alpha", "beta", "delta", "gamma", "proj"]),
        ({"dev": "only"}, ["zeta"]),
        ({"only_group": ["lint"]}, ["beta"]),
        ({"no_default_groups": True}, ["alpha", "beta", "delta", "gamma", "proj"]),
        ({"all_groups": True, "no_group": ["dev"]}, ["alpha", "beta", "delta", "gamma", "proj"]),
        ({"group": ["lint"], "dev": "exclude"}, ["alpha", "beta", "delta", "gamma", "proj"]),
    ],
)
def test_group_flags(flags: dict[str, Any], expected: list[str]) -> None:
    groups = DependencyGroups.from_flags(**flags)
    assert names(PROJECT_LOCK, PROJECT, groups=groups) == expected


def test_default_groups_setting() -> None:
    everything = DependencyGroups.from_flags(defaults="all")
    assert everything.contains("lint") and everything.contains_because_default("lint")
    none = DependencyGroups.from_flags(defaults=())
    assert not none.contains("dev")
    assert DependencyGroups.from_flags(only_group=["lint"], defaults="all").include == {"lint"}
    explicit = DependencyGroups.from_flags(group=["dev"])
    assert explicit.contains("dev") and not explicit.contains_because_default("dev")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (InstallOptions(no_install_project=True), ["alpha", "beta", "delta", "gamma", "zeta"]),
        (InstallOptions(no_install_local=True), ["alpha", "beta", "delta", "gamma", "zeta"]),
        (InstallOptions(no_install_workspace=True), ["alpha", "beta", "delta", "gamma", "zeta"]),
        (
            InstallOptions(no_install_package=frozenset({"alpha", "gamma"})),
            ["beta", "delta", "proj", "zeta"],
        ),
        (InstallOptions(only_install_project=True), ["proj"]),
        (InstallOptions(only_install_local=True), ["proj"]),
        (InstallOptions(only_install_package=frozenset({"beta"})), ["beta"]),
    ],
)
def test_install_options_leave_packages_out_but_walk_through_them(
    options: InstallOptions, expected: list[str]
) -> None:
    assert names(PROJECT_LOCK, PROJECT, options=options) == expected


def test_a_virtual_project_is_never_installed() -> None:
    text = PROJECT_LOCK.replace('source = { editable = "." }', 'source = { virtual = "." }')
    assert "proj" not in names(text, PROJECT)
    assert "alpha" in names(text, PROJECT)


WORKSPACE_LOCK = (
    'version = 1\nrevision = 3\nrequires-python = ">=3.11"\n\n'
    '[manifest]\nmembers = ["cli", "lib"]\n\n'
    '[manifest.dependency-groups]\ndev = [{ name = "gamma" }]\n\n'
    + registry("alpha")
    + registry("beta")
    + '[[package]]\nname = "cli"\nversion = "0.1.0"\nsource = { editable = "packages/cli" }\n'
    'dependencies = [\n    { name = "alpha" },\n    { name = "lib" },\n]\n\n'
    '[package.dev-dependencies]\ndev = [\n    { name = "zeta" },\n]\n\n'
    + registry("gamma")
    + '[[package]]\nname = "lib"\nversion = "0.1.0"\nsource = { editable = "packages/lib" }\n'
    'dependencies = [\n    { name = "beta" },\n]\n\n' + registry("zeta")
)


def test_a_virtual_workspace_root_installs_every_member_and_its_own_groups() -> None:
    target = InstallTarget("non-project-workspace")
    assert names(WORKSPACE_LOCK, target) == ["alpha", "beta", "cli", "gamma", "lib", "zeta"]


def test_one_member_and_its_workspace_dependencies() -> None:
    assert names(WORKSPACE_LOCK, InstallTarget("project", ("lib",))) == ["beta", "lib"]
    cli = InstallTarget("project", ("cli",))
    assert names(WORKSPACE_LOCK, cli) == ["alpha", "beta", "cli", "lib", "zeta"]
    no_workspace = InstallOptions(no_install_workspace=True)
    assert names(WORKSPACE_LOCK, cli, options=no_workspace) == ["alpha", "beta", "zeta"]


ROOT_PROJECT_LOCK = (
    'version = 1\nrevision = 3\nrequires-python = ">=3.11"\n\n'
    '[manifest]\nmembers = ["member", "root"]\n\n'
    + registry("gamma")
    + '[[package]]\nname = "member"\nversion = "0.1.0"\nsource = { editable = "member" }\n\n'
    + '[[package]]\nname = "root"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
    'dependencies = [\n    { name = "member" },\n]\n\n'
    '[package.dev-dependencies]\ndev = [\n    { name = "gamma" },\n]\n\n'
)


def test_a_member_inherits_root_groups_only_when_asked_for() -> None:
    declared = {"root": frozenset({"dev"}), "member": frozenset()}
    member = InstallTarget("project", ("member",), declared)
    assert names(ROOT_PROJECT_LOCK, member) == ["member"]
    asked = DependencyGroups.from_flags(group=["dev"])
    assert names(ROOT_PROJECT_LOCK, member, groups=asked) == ["gamma", "member"]
    declared_too = InstallTarget("project", ("member",), {**declared, "member": frozenset({"dev"})})
    assert names(ROOT_PROJECT_LOCK, declared_too, groups=asked) == ["member"]


CONFLICT_LOCK = (
    'version = 1\nrevision = 3\nrequires-python = ">=3.11"\n'
    'conflicts = [[\n    { package = "proj", extra = "cpu" },\n'
    '    { package = "proj", extra = "gpu" },\n]]\n\n'
    '[[package]]\nname = "proj"\nversion = "0.1.0"\nsource = { editable = "." }\n\n'
    "[package.optional-dependencies]\n"
    "cpu = [\n"
    '    { name = "torch", version = "1.0", source = { registry = "https://pypi.org/simple" }, '
    "marker = \"extra == 'extra-4-proj-cpu'\" },\n]\n"
    "gpu = [\n"
    '    { name = "torch", version = "2.0", source = { registry = "https://pypi.org/simple" }, '
    "marker = \"extra == 'extra-4-proj-gpu'\" },\n]\n\n"
    + registry("torch", "1.0", "resolution-markers = [\"extra == 'extra-4-proj-cpu'\"]\n")
    + registry("torch", "2.0", "resolution-markers = [\"extra == 'extra-4-proj-gpu'\"]\n")
)


def test_conflict_markers_follow_the_activated_extra() -> None:
    def versions(extra: str) -> list[str]:
        lock = parse_lock(CONFLICT_LOCK)
        groups = DependencyGroups.from_flags()
        selected = select_packages(lock, PROJECT, LINUX, Extras((extra,)), groups)
        return [f"{p.name}=={p.version}" for p in selected if p.name == "torch"]

    assert versions("cpu") == ["torch==1.0"]
    assert versions("gpu") == ["torch==2.0"]


def test_unknown_extras_and_groups_are_uv_errors() -> None:
    with pytest.raises(PuvError, match="Extra `nope` is not defined in the `optional-"):
        names(PROJECT_LOCK, PROJECT, extras=Extras(("nope",)))
    with pytest.raises(PuvError, match="Group `nope` is not defined in the project's"):
        names(PROJECT_LOCK, PROJECT, groups=DependencyGroups.from_flags(group=["nope"]))
    target = InstallTarget("non-project-workspace")
    with pytest.raises(PuvError, match="Group `nope` is not defined in any project's"):
        names(WORKSPACE_LOCK, target, groups=DependencyGroups.from_flags(no_group=["nope"]))
    with pytest.raises(PuvError, match="Could not find root package `nope`"):
        names(PROJECT_LOCK, InstallTarget("project", ("nope",)))
