"""Wheel filenames: parsing, tag expansion, and rejection of malformed or path-ish names."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from packaging.version import Version

from puv.core.wheel_filename import InvalidWheelFilename, WheelFilename, normalize_name
from tests.envtools import run_uv
from tests.wheelmaker import write_wheel


def test_parse_simple() -> None:
    wheel = WheelFilename.parse("Foo_Bar-1.0.post1-py3-none-any.whl")
    assert wheel.name == "foo-bar"
    assert wheel.version == Version("1.0.post1")
    assert wheel.build_tag is None
    assert list(wheel.tags()) == [("py3", "none", "any")]
    assert wheel.dist_info_name == "foo_bar"
    assert wheel.distribution == "foo-bar==1.0.post1"
    assert str(wheel) == "Foo_Bar-1.0.post1-py3-none-any.whl"


def test_parse_build_tag_and_compressed_tag_sets() -> None:
    wheel = WheelFilename.parse(
        "numpy-2.1.0-12abc-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    )
    assert wheel.build_tag == (12, "abc")
    assert wheel.platform_tags == ("manylinux_2_17_x86_64", "manylinux2014_x86_64")
    expanded = list(WheelFilename.parse("six-1.16.0-py2.py3-none-any.whl").tags())
    assert expanded == [("py2", "none", "any"), ("py3", "none", "any")]


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("foo.rs", "The wheel filename `foo.rs` is invalid: Must end with .whl"),
        (".whl", "The wheel filename `.whl` is invalid: Must have a version"),
        ("foo-1.2.3.whl", "The wheel filename `foo-1.2.3.whl` is invalid: Must have a Python tag"),
        ("foo-1-py3.whl", "The wheel filename `foo-1-py3.whl` is invalid: Must have an ABI tag"),
        (
            "foo-1-py3-none.whl",
            "The wheel filename `foo-1-py3-none.whl` is invalid: Must have a platform tag",
        ),
        (
            "a-1-2-3-4-5-6.whl",
            "The wheel filename `a-1-2-3-4-5-6.whl` is invalid: Must have 5 or 6 components, "
            "but has more",
        ),
        (
            "foo-1.0-x-y-py3-none-any.whl",
            "The wheel filename `foo-1.0-x-y-py3-none-any.whl` is invalid: Must have 5 or 6 "
            "components, but has more",
        ),
        (
            "foo-1.0-abc-py3-none-any.whl",
            "The wheel filename `foo-1.0-abc-py3-none-any.whl` has an invalid build tag: must "
            "start with a digit",
        ),
    ],
)
def test_malformed_names(filename: str, message: str) -> None:
    with pytest.raises(InvalidWheelFilename) as err:
        WheelFilename.parse(filename)
    assert err.value.message == message
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    "filename",
    [
        "pkg-1.0-py3-none-../../../target.whl",  # uv's install_unnamed_wheel_url case
        "pkg-1.0-py3-none-..%2F..%2Ftarget.whl",
        "../x-1.0-py3-none-any.whl",
        "a/b-1.0-py3-none-any.whl",
        "pkg-1.0/../..-py3-none-any.whl",
        "pkg-1.0-py3-none-any/../../x.whl",
        "pkg-1.0-py3-no\\ne-any.whl",
        "pkg-1.0-py3-none-C:.whl",
        "pkg-1.0-py3-none-\x00.whl",
        "pkg-1.0-py3-none-.whl",
        "pkg-1.0-py3-none-a..b.whl",
    ],
)
def test_path_ish_names_are_rejected(filename: str) -> None:
    """Nothing that could act as a path component survives parsing (names feed cache paths)."""
    with pytest.raises(InvalidWheelFilename) as err:
        WheelFilename.parse(filename)
    assert f"`{filename}`" in err.value.message


def test_invalid_version_names_the_file() -> None:
    with pytest.raises(InvalidWheelFilename) as err:
        WheelFilename.parse("foo-1.x-py3-none-any.whl")
    assert err.value.message.startswith(
        "The wheel filename `foo-1.x-py3-none-any.whl` has an invalid version: "
    )


def test_normalize_name() -> None:
    assert normalize_name("Foo.Bar__baz---Qux") == "foo-bar-baz-qux"


@pytest.mark.parametrize(
    "filename",
    [
        "foo-1.0-py3-none-.whl",
        "f@o-1.0-py3-none-any.whl",
        "foo.whl",
    ],
)
def test_messages_match_uv(filename: str, tmp_path: Path) -> None:
    """The reference uv rejects the same names with the same words.

    (uv 0.13.9 also parses 7-component "wheel variant" names; puv does not support variants.)
    """
    source = write_wheel(tmp_path / "src", {"foo/__init__.py": ""}, name="foo", version="1.0")
    wheel = tmp_path / filename
    shutil.copy(source, wheel)
    result = run_uv(
        ["pip", "install", "--dry-run", "--python", sys.executable, str(wheel)],
        tmp_path / "uv-cache",
        check=False,
    )
    assert result.returncode != 0
    with pytest.raises(InvalidWheelFilename) as err:
        WheelFilename.parse(filename)
    assert f"error: {err.value.message}" in result.stderr
