"""`puv.lock.wheels` and `puv.lock.requires_python`: uv's rules for the wheels a lock keeps and
for the `requires-python` it records (cases from uv's own tests, and seen in uv.lock files)."""

from __future__ import annotations

import pytest

from puv.core.markers import Marker
from puv.core.wheel_filename import WheelFilename
from puv.lock.requires_python import lock_requires_python
from puv.lock.wheels import keeps_wheel, matches_requires_python

KEPT_FOR_310 = [
    "bcrypt-4.1.3-cp37-abi3-macosx_10_12_universal2.whl",
    "black-24.4.2-cp310-cp310-win_amd64.whl",
    "black-24.4.2-cp310-none-win_amd64.whl",
    "cbor2-5.6.4-py3-none-any.whl",
    "solace_pubsubplus-1.8.0-py36-none-manylinux_2_12_x86_64.whl",
    "torch-1.10.0-py310-none-macosx_10_9_x86_64.whl",
    "torch-1.10.0-py37-none-macosx_10_9_x86_64.whl",
    "watchfiles-0.22.0-pp310-pypy310_pp73-macosx_11_0_arm64.whl",
]
DROPPED_FOR_310 = [
    "PySocks-1.7.1-py27-none-any.whl",
    "black-24.4.2-cp39-cp39-win_amd64.whl",
    "dearpygui-1.11.1-cp312-cp312-win_amd64.whl",
    "psutil-6.0.0-cp27-none-win32.whl",
    "psutil-6.0.0-cp36-cp36m-win32.whl",
    "pydantic_core-2.20.1-pp39-pypy39_pp73-win_amd64.whl",
    "torch-1.10.0-cp311-none-macosx_10_9_x86_64.whl",
    "torch-1.10.0-cp36-none-macosx_10_9_x86_64.whl",
    "torch-1.10.0-py311-none-macosx_10_9_x86_64.whl",
]


@pytest.mark.parametrize("filename", KEPT_FOR_310)
def test_wheels_matching_python_310(filename: str) -> None:
    assert matches_requires_python(WheelFilename.parse(filename), "==3.10.*")


@pytest.mark.parametrize("filename", DROPPED_FOR_310)
def test_wheels_ruled_out_for_python_310(filename: str) -> None:
    assert not matches_requires_python(WheelFilename.parse(filename), "==3.10.*")


@pytest.mark.parametrize(
    ("filename", "requires_python", "kept"),
    [
        ("dearpygui-1.11.1-cp312-cp312-win_amd64.whl", ">=3.12.3", True),
        ("dearpygui-1.11.1-cp310-cp310-win_amd64.whl", ">=3.12.3", False),
        ("lxml-5.3.0-cp312-cp312-musllinux_1_2_aarch64.whl", "==3.12.6", True),
        ("lxml-5.3.0-cp312-cp312-musllinux_1_2_x86_64.whl", "==3.12", True),
        # GraalPy's ABI tag names the implementation version first, then the Python version.
        ("pc-2.5-graalpy311-graalpy242_311_native-manylinux_2_17_x86_64.whl", ">=3.11", True),
        ("pc-2.5-graalpy310-graalpy240_310_native-manylinux_2_17_x86_64.whl", ">=3.11", False),
    ],
)
def test_wheel_tags_against_requires_python(
    filename: str, requires_python: str, kept: bool
) -> None:
    assert matches_requires_python(WheelFilename.parse(filename), requires_python) is kept


LINUX = "os_name == 'posix' and sys_platform == 'linux'"
LINUX_ARM = f"{LINUX} and (platform_machine == 'aarch64' or platform_machine == 'arm64')"


@pytest.mark.parametrize(
    ("filename", "marker", "kept"),
    [
        ("e-1.0-py3-none-linux_x86_64.whl", "os_name == 'nt' and sys_platform == 'win32'", False),
        ("e-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", LINUX_ARM, False),
        ("e-1.0-cp312-cp312-manylinux_2_17_aarch64.whl", LINUX_ARM, True),
        ("e-1.0-py3-none-linux_x86_64.whl", LINUX, True),
        ("e-1.0-py3-none-win_amd64.whl", "sys_platform == 'win32'", True),
        ("e-1.0-py3-none-win_amd64.whl", "sys_platform == 'linux'", False),
        ("e-1.0-py3-none-macosx_11_0_arm64.whl", "platform_machine == 'x86_64'", False),
        ("e-1.0-py3-none-macosx_10_9_universal2.whl", "sys_platform == 'darwin'", True),
        ("e-1.0-py3-none-any.whl", "sys_platform == 'win32'", True),
        ("e-1.0-cp38-cp38-win_amd64.whl", "sys_platform == 'win32'", False),
    ],
)
def test_keeps_wheel(filename: str, marker: str, kept: bool) -> None:
    assert keeps_wheel(filename, ">=3.12", Marker.parse(marker)) is kept


@pytest.mark.parametrize(
    ("specifiers", "expected"),
    [
        (["~=3.11"], ">=3.11, <4"),
        (["==3.11.*"], "==3.11.*"),
        ([">=3.10,<3.14,!=3.12.1"], ">=3.10, !=3.12.1, <3.14"),
        ([">3.10.2"], ">3.10.2"),
        ([">=3.10,!=3.11.*"], ">=3.10, !=3.11.*"),
        ([">=3.9", ">=3.10"], ">=3.10"),
        ([">=3.9", "<3.13"], ">=3.9, <3.13"),
        ([], None),
    ],
)
def test_lock_requires_python(specifiers: list[str], expected: str | None) -> None:
    """As `uv lock` writes them (checked against uv 0.13.9 for the single-specifier cases)."""
    assert lock_requires_python(specifiers) == expected
