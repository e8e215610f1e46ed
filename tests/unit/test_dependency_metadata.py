"""`[[tool.uv.dependency-metadata]]` in a lock (normalized as uv writes
`[[manifest.dependency-metadata]]`, and served instead of the packages' own metadata), and the
packages `--upgrade-group` upgrades."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from puv.core.errors import PuvError
from puv.lock.model import (
    Dependency,
    DependencyMetadata,
    Lock,
    Manifest,
    Package,
    PackageId,
    Requirement,
    Source,
)
from puv.operations.lock_inputs import (
    check_upgrade_groups,
    dependency_metadata,
    upgrade_group_packages,
)
from puv.operations.lock_resolve import StaticMetadataProvider
from puv.project.settings import Settings
from puv.project.workspace import discover_workspace
from puv.resolver.provider import PackageMetadata


def test_entries_are_normalized_and_sorted_as_uv_writes_them() -> None:
    settings = Settings(
        dependency_metadata=(
            {
                "name": "Gamma",
                "requires-dist": [
                    "Beta >= 1.0 ; python_version < '3.12' and extra == 'fast'",
                    "sortedcontainers<3",
                ],
                "provides-extra": ["Fast"],
                "requires-python": ">= 3.8",
            },
            {"name": "alpha", "version": "2.00", "requires-dist": []},
        )
    )
    assert dependency_metadata(settings) == (
        DependencyMetadata(name="alpha", version="2.0"),
        DependencyMetadata(
            name="gamma",
            requires_dist=(
                "beta>=1.0 ; python_full_version < '3.12' and extra == 'fast'",
                "sortedcontainers<3",
            ),
            requires_python=">=3.8",
            provides_extras=("fast",),
        ),
    )


@dataclass
class _Registry:
    """Stands in for an index provider: every release requires `real`."""

    asked: list[tuple[str, Version]] = field(default_factory=list)

    def metadata(self, name: str, version: Version) -> Any:
        self.asked.append((name, version))
        return PackageMetadata((), None, ())


def test_static_metadata_replaces_the_packages_own() -> None:
    registry = _Registry()
    static = (
        DependencyMetadata(name="alpha", version="2.0", requires_dist=("delta",)),
        DependencyMetadata(name="alpha", requires_dist=("beta",), provides_extras=("x",)),
    )
    provider = StaticMetadataProvider({}, registry, {}, static)  # type: ignore[arg-type]
    exact = provider.metadata("Alpha", Version("2.0"))
    other = provider.metadata("alpha", Version("1.0"))
    assert isinstance(exact, PackageMetadata) and isinstance(other, PackageMetadata)
    assert [str(r) for r in exact.requires_dist] == ["delta"]
    assert [str(r) for r in other.requires_dist] == ["beta"]
    assert other.provides_extras == ("x",)
    provider.metadata("gamma", Version("1.0"))
    assert registry.asked == [("gamma", Version("1.0"))]


def _registry(name: str) -> PackageId:
    return PackageId(name, "1.0", Source("registry", "https://example.com/simple/"))


def test_upgrade_group_packages_are_the_groups_direct_dependencies() -> None:
    project = Package(
        PackageId("app", "0.1.0", Source("editable", ".")),
        dev_dependencies=(
            ("dev", (Dependency(_registry("pytest")), Dependency(_registry("ruff")))),
            ("docs", (Dependency(_registry("sphinx")),)),
        ),
    )
    lock = Lock(
        requires_python=">=3.10",
        packages=(project,),
        manifest=Manifest(dependency_groups=(("lint", (Requirement(name="mypy"),)),)),
    )
    assert upgrade_group_packages(lock, ["dev", "lint"]) == {"pytest", "ruff", "mypy"}
    assert upgrade_group_packages(lock, ["Docs"]) == {"sphinx"}
    assert upgrade_group_packages(lock, []) == frozenset()


def test_unknown_upgrade_groups_fail_as_uv(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1"\n[dependency-groups]\ndev = []\n'
    )
    workspace = discover_workspace(tmp_path)
    check_upgrade_groups(workspace, ["dev"])
    with pytest.raises(PuvError) as caught:
        check_upgrade_groups(workspace, ["nope"])
    assert str(caught.value) == (
        "Group `nope` is not defined in the project's `dependency-groups` table"
    )
    assert caught.value.exit_code == 2
