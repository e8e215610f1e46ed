"""PEP 723 inline metadata (`puv.project.script`), with the specification's examples and uv's
error cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from puv.core.errors import PuvError
from puv.project.script import read_script, script_lock_path


def _script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "example.py"
    path.write_text(text)
    return path


def test_reads_requires_python_dependencies_and_tool_uv(tmp_path: Path) -> None:
    path = _script(
        tmp_path,
        "#!/usr/bin/env python\n"
        "# /// script\n"
        '# requires-python = ">=3.11"\n'
        "# dependencies = [\n"
        '#   "requests<3",\n'
        '#   "rich",\n'
        "# ]\n"
        "#\n"
        "# [tool.uv]\n"
        '# exclude-newer = "2026-01-01T00:00:00Z"\n'
        "# ///\n"
        "import requests\n",
    )
    metadata = read_script(path)
    assert metadata.has_block
    assert metadata.requires_python == ">=3.11"
    assert metadata.dependencies == ("requests<3", "rich")
    assert metadata.tool_uv == {"exclude-newer": "2026-01-01T00:00:00Z"}


def test_script_without_block_has_empty_metadata(tmp_path: Path) -> None:
    metadata = read_script(_script(tmp_path, "print('hi')\n"))
    assert not metadata.has_block
    assert metadata.dependencies == ()


def test_other_block_types_are_ignored(tmp_path: Path) -> None:
    text = "# /// pyproject\n# [run]\n# dependencies = ['x']\n# ///\n"
    assert not read_script(_script(tmp_path, text)).has_block


def test_two_script_blocks_are_an_error(tmp_path: Path) -> None:
    block = "# /// script\n# dependencies = []\n# ///\n"
    with pytest.raises(PuvError) as raised:
        read_script(_script(tmp_path, block + "\n" + block))
    assert "Multiple `script` blocks found" in raised.value.causes[0]


def test_invalid_toml_names_the_script(tmp_path: Path) -> None:
    with pytest.raises(PuvError) as raised:
        read_script(_script(tmp_path, "# /// script\n# dependencies = [\n# ///\n"))
    assert "example.py" in raised.value.message


def test_missing_script_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PuvError, match="Failed to read from file"):
        read_script(tmp_path / "absent.py")


def test_lock_path_is_beside_the_script() -> None:
    assert script_lock_path(Path("/a/x.py")) == Path("/a/x.py.lock")
