"""PEP 723 inline metadata (`puv.project.script`), with the specification's examples and uv's
error cases; the block cut and rewritten as uv's `ScriptTag` and `serialize_metadata` do."""

from __future__ import annotations

from pathlib import Path

import pytest

from puv.core.errors import PuvError
from puv.project.script import (
    ScriptText,
    init_script_text,
    read_existing_script,
    read_script,
    render_script,
    script_lock_path,
    split_script,
)


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
    assert metadata.dependencies is None
    assert metadata.requirements == ()


def test_other_block_types_are_ignored(tmp_path: Path) -> None:
    text = "# /// pyproject\n# [run]\n# dependencies = ['x']\n# ///\n"
    assert not read_script(_script(tmp_path, text)).has_block


def test_two_script_blocks_are_an_error(tmp_path: Path) -> None:
    block = "# /// script\n# dependencies = []\n# ///\n"
    with pytest.raises(PuvError, match="The script contains multiple PEP 723 metadata blocks"):
        read_script(_script(tmp_path, block + "x = 1\n" + block))


def test_adjacent_blocks_close_at_the_last_marker(tmp_path: Path) -> None:
    block = "# /// script\n# dependencies = []\n# ///\n"
    with pytest.raises(PuvError, match="TOML parse error at line 2"):
        read_script(_script(tmp_path, block + block))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# /// script\n# dependencies = []\nx = 1\n", "without a closing tag"),
        ("# /// script\n# dependencies = []\n# /// x\n", "has trailing content"),
    ],
)
def test_unclosed_blocks_are_uv_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(PuvError, match=message):
        read_script(_script(tmp_path, text))


def test_invalid_toml_is_the_toml_crate_error(tmp_path: Path) -> None:
    with pytest.raises(PuvError) as raised:
        read_script(_script(tmp_path, "# /// script\n# dependencies = [\n# ///\n"))
    assert raised.value.message.startswith("TOML parse error at line 1, column 17\n")


def test_unknown_tool_uv_keys_point_at_the_table(tmp_path: Path) -> None:
    text = "# /// script\n# dependencies = []\n# [tool.uv]\n# workspace = {}\n# ///\n"
    with pytest.raises(PuvError) as raised:
        read_script(_script(tmp_path, text))
    assert raised.value.message.splitlines()[2:] == [
        "2 | [tool.uv]",
        "  | ^^^^^^^^^",
        "unknown field `workspace`",
    ]


def test_missing_scripts_and_scripts_without_a_block(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PuvError, match=r"failed to read from file `absent.py`: No such file"):
        read_script(tmp_path / "absent.py")
    with pytest.raises(PuvError, match=r"Failed to read `absent.py` \(not found\)"):
        read_existing_script(tmp_path / "absent.py")
    with pytest.raises(PuvError, match=r"`example\.py` does not contain a PEP 723 metadata tag"):
        read_existing_script(_script(tmp_path, "print(1)\n"))


def test_lock_path_is_beside_the_script() -> None:
    assert script_lock_path(Path("/a/x.py")) == Path("/a/x.py.lock")


def test_split_keeps_the_prelude_and_normalizes_the_postlude() -> None:
    text = '#!/usr/bin/env python\r\n"""doc"""\n# /// script\r\n#   dependencies = []\r\n#\n# ///\r\nx = 1'
    cut = split_script(text)
    assert cut == ScriptText(
        '#!/usr/bin/env python\r\n"""doc"""\n', "  dependencies = []\n\n", "x = 1\n"
    )
    assert render_script(cut) == (
        '#!/usr/bin/env python\r\n"""doc"""\n# /// script\n#   dependencies = []\n#\n# ///\nx = 1\n'
    )


def test_a_marker_inside_a_line_is_no_block() -> None:
    assert split_script("x = 1  # /// script\n# /// script\n# dependencies = []\n# ///\n") is None
    assert split_script("# /// scripts\n# ///\n") is None


def test_a_block_at_the_end_of_the_file_gains_an_empty_postlude_line() -> None:
    cut = split_script("# /// script\n# dependencies = []\n# ///")
    assert cut is not None
    assert render_script(cut) == "# /// script\n# dependencies = []\n# ///\n\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("", "")),
        ("#!/bin/sh\r\nx = 1\n", ("#!/bin/sh\n", "x = 1\n")),
        ("# note\nx = 1\n", ("", "\n# note\nx = 1\n")),
        ("#!x\n#\n", ("#!x\n", "\n#\n")),
        ("#comment\n", ("", "#comment\n")),
    ],
)
def test_init_puts_the_block_after_the_shebang(text: str, expected: tuple[str, str]) -> None:
    made = init_script_text(text, ">=3.11")
    assert (made.prelude, made.postlude) == expected
    assert made.metadata == 'requires-python = ">=3.11"\ndependencies = []\n'
