"""Versions whose wheels do not cover every environment: uv's implied markers of wheel tags,
forks around a required environment (or the version rejected there with uv's words), and
forks between a local version and its public one. Fork markers are those uv 0.13.9 writes
(`tests/e2e/test_lock_features.py` compares whole locks with the real uv)."""

from __future__ import annotations

import platform

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from puv.core.errors import PuvError
from puv.resolver.candidates import PythonTarget
from puv.resolver.forks import implied_markers, wheel_markers
from puv.resolver.provider import InMemoryProvider
from puv.resolver.resolve import ResolverOptions
from puv.resolver.universal import UniversalOptions, UniversalResolution, resolve_universal


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("a-1-py3-none-any.whl", "python_full_version >= '3' and python_full_version < '4'"),
        (
            "a-1-cp310-cp310-win_amd64.whl",
            "python_full_version == '3.10.*' and platform_machine == 'AMD64' and "
            "platform_python_implementation == 'CPython' and sys_platform == 'win32'",
        ),
        (
            "a-1-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
            "python_full_version >= '3' and python_full_version < '4' and "
            "platform_machine == 'aarch64' and sys_platform == 'linux'",
        ),
        (
            "a-1-cp39-abi3-macosx_10_9_universal2.whl",
            "python_full_version >= '3.9' and ((platform_machine == 'arm64' and "
            "platform_python_implementation == 'CPython' and sys_platform == 'darwin') or "
            "(platform_machine == 'x86_64' and platform_python_implementation == 'CPython' and "
            "sys_platform == 'darwin'))",
        ),
    ],
)
def test_wheel_tags_imply_markers(filename: str, expected: str) -> None:
    assert str(wheel_markers(filename)) == expected


def test_a_source_distribution_covers_everything() -> None:
    assert implied_markers(["a-1-py3-none-win_amd64.whl", "a-1.tar.gz"]).is_true()
    assert str(implied_markers(["a-1-py3-none-win32.whl", "a-1-py3-none-win_amd64.whl"])) == (
        "python_full_version >= '3' and python_full_version < '4' and "
        "((platform_machine == 'AMD64' and sys_platform == 'win32') or "
        "(platform_machine == 'x86' and sys_platform == 'win32'))"
    )


def _provider() -> InMemoryProvider:
    provider = InMemoryProvider()
    provider.add("plat", "0.8", sdist=False)
    provider.add(
        "plat", "0.9", wheel_tags=["py3-none-manylinux_2_17_x86_64", "py3-none-macosx_11_0_arm64"],
        sdist=False,
    )  # fmt: skip
    provider.add("plat", "1.0", wheel_tags=["py3-none-manylinux_2_17_x86_64"], sdist=False)
    provider.add("linuxonly", "1.0", wheel_tags=["py3-none-manylinux_2_17_x86_64"], sdist=False)
    provider.add("beta", "1.0", sdist=False)
    provider.add("torchy", "1.0", sdist=False)
    provider.add(
        "torchy", "2.0", sdist=False,
        wheel_tags=["py3-none-macosx_11_0_arm64", "py3-none-manylinux_2_17_x86_64"],
    )  # fmt: skip
    provider.add(
        "torchy", "2.0+cpu", ["beta"], sdist=False,
        wheel_tags=["py3-none-manylinux_2_17_x86_64", "py3-none-win_amd64"],
    )  # fmt: skip
    return provider


def _resolve(root: list[str], required: tuple[str, ...] = ()) -> UniversalResolution:
    python = PythonTarget(Version("3.10"), Version(platform.python_version()))
    options = UniversalOptions(
        requires_python=">=3.10",
        resolver=ResolverOptions(python=python),
        required_environments=required,
    )
    return resolve_universal([Requirement(r) for r in root], _provider(), options)


def _where(resolution: UniversalResolution, name: str) -> dict[str, str]:
    return {
        str(package.version): str(resolution.simplify(package.marker))
        for package in resolution.packages
        if package.name == name
    }


def test_without_required_environments_the_newest_version_is_used() -> None:
    assert _where(_resolve(["plat"]), "plat") == {"1.0": ""}


def test_a_required_environment_forks_around_the_version() -> None:
    resolution = _resolve(["plat"], ("sys_platform == 'darwin' and platform_machine == 'arm64'",))
    assert [str(marker) for marker in resolution.fork_markers] == [
        "sys_platform == 'linux'",
        "sys_platform != 'linux'",
    ]
    assert _where(resolution, "plat") == {
        "0.9": "sys_platform != 'linux'",
        "1.0": "sys_platform == 'linux'",
    }


def test_forks_narrow_until_a_version_covers_the_environment() -> None:
    resolution = _resolve(["plat"], ("sys_platform == 'darwin' and platform_machine == 'x86_64'",))
    assert _where(resolution, "plat") == {
        "0.8": "platform_machine == 'x86_64' and sys_platform != 'linux'",
        "0.9": "platform_machine != 'x86_64' and sys_platform != 'linux'",
        "1.0": "sys_platform == 'linux'",
    }


def test_no_version_covers_a_required_environment() -> None:
    with pytest.raises(PuvError) as caught:
        _resolve(["linuxonly"], ("sys_platform == 'darwin'",))
    assert "has no macOS-compatible wheels" in caught.value.report  # type: ignore[attr-defined]
    assert caught.value.message.endswith("for split (markers: sys_platform != 'linux')")


def test_a_local_version_forks_where_its_public_version_covers_more() -> None:
    resolution = _resolve(["torchy"])
    assert _where(resolution, "torchy") == {
        "2.0": "sys_platform == 'darwin'",
        "2.0+cpu": "sys_platform != 'darwin'",
    }
    assert _where(resolution, "beta") == {"1.0": "sys_platform != 'darwin'"}
