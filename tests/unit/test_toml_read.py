"""TOML reading: tomllib's values, and uv's caret diagnostics (checked against the real uv)."""

from __future__ import annotations

import datetime
import io
import os
import random
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from puv.core.errors import ConfigError
from puv.core.printer import Printer
from puv.project.toml_read import (
    TomlParseError,
    display_path,
    locate,
    parse_toml,
    read_toml,
    render_toml_error,
)

UV = Path(sys.executable).with_name("uv")
needs_uv = pytest.mark.skipif(not UV.exists(), reason="the reference uv binary is not installed")


def uv_stderr(directory: Path, *args: str) -> str:
    """stderr of the real uv run in `directory`, isolated from the machine's configuration."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(directory),
        "XDG_CONFIG_HOME": str(directory / "no-user-config"),
        "UV_NO_SYSTEM_CONFIG": "1",
        "UV_CACHE_DIR": str(directory / "cache"),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_OFFLINE": "1",
        "NO_COLOR": "1",
    }
    result = subprocess.run(
        [str(UV), *args], cwd=directory, env=env, capture_output=True, text=True, check=False
    )
    return result.stderr


def rendered_error(error: TomlParseError) -> str:
    out = io.StringIO()
    Printer(color=False, err=out).error(error.message, error.causes, error.hint)
    return out.getvalue()


# Syntax errors whose message and span puv reproduces exactly.
SYNTAX_ERRORS = [
    "offline = ",
    "offline = true\noffline = false",
    "offline true",
    'x = "abc',
    "[pip",
    "a = [1, 2",
    "a = tru",
    "a = 1\n[pip]\na = 1\n[pip]",
    "a = 'x",
    'a = """x',
    "a.b = 1\na = 2",
    "a = 01",
    "a = 1__0",
    "bad key = 1",
    "= 1",
    "a = 2024-13-01",
    'a = "\\q"',
    "a = 1 b = 2",
    "[[pip]]\n[pip]",
    "[tool.uv]\n[tool.uv]",
    "a = 1\na.b = 2",
    "a = {b=1}\na.c = 2",
    "a = [1]\n[[a]]",
    "a = [1 2]",
    "a = {b = 1 c = 2}",
    'a = {b = "x" c = 1}',
    '"a = 1',
    "b = 1.",
    "a = 1e",
    "a = +",
    "a = inf1",
    "[a]]",
    "# comment é\né = 1",
    "abé = 1",
    'a = """\nx\ny',
    "a = 1\r\nb = 2\r\na = 3",
    "a = fals",
    "a = nope",
    "a = 0b12",
    "a = .5",
    "a = 1979-5-27",
    "a = x,",
    "[[a]",
    "a = [1 = 2]",
    'a = ["x" 1]',
    'a = "\\u12"',
    'a = "\\uD800"',
    "a = 2023-02-29",
    'a = "x"\n[a.c]',
    "a = 1979-05-27T07:32:00X",
    "a = {b = 1",
]


@needs_uv
@pytest.mark.parametrize("text", SYNTAX_ERRORS)
def test_syntax_error_matches_uv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    (tmp_path / "uv.toml").write_text(text + "\n", newline="")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TomlParseError) as caught:
        read_toml(tmp_path / "uv.toml")
    expected = uv_stderr(tmp_path, "pip", "compile", "--show-settings", os.devnull)
    assert rendered_error(caught.value) == expected


def test_error_block_layout() -> None:
    text = "[project]\nname = 1\n"
    block = render_toml_error(text, (17, 18), "invalid type: integer `1`, expected a string")
    assert block == (
        "TOML parse error at line 2, column 8\n"
        "  |\n"
        "2 | name = 1\n"
        "  |        ^\n"
        "invalid type: integer `1`, expected a string\n"
    )


def test_error_block_counts_columns_in_characters_and_carets_in_bytes() -> None:
    text = 'k = "é"\nbad = 1\n'
    block = render_toml_error(text, (4, 7), "message")
    assert block.splitlines()[0] == "TOML parse error at line 1, column 5"
    assert block.splitlines()[3] == "  |     ^^^^"  # "é" is two bytes: four carets for `"é"`


def test_error_block_gutter_grows_with_line_number() -> None:
    text = "\n" * 11 + "x = 1\n"
    block = render_toml_error(text, (11, 12), "m")
    assert block.splitlines()[1:4] == ["   |", "12 | x = 1", "   | ^"]


def test_error_without_span_is_the_message_alone() -> None:
    assert render_toml_error("x = 1\n", None, "no span") == "no span\n"


def test_error_at_end_of_file_points_past_the_last_line() -> None:
    with pytest.raises(TomlParseError) as caught:
        parse_toml('a = """\nx', "f.toml")
    assert caught.value.block.splitlines()[:4] == [
        "TOML parse error at line 2, column 2",
        "  |",
        "2 | x",
        "  |  ^",
    ]
    assert caught.value.message == "Failed to parse: f.toml"


VALID_DOCUMENTS = [
    'a = "x"\nb = 1\nc = 1.5\nd = true\ne = [1, 2, 3]\nf = {g = "h"}\n',
    "[t]\nx = 1\n[t.u]\ny = 2\n[[aot]]\nz = 1\n[[aot]]\nz = 2\n[aot.sub]\nw = 3\n",
    'a.b.c = 1\na.b.d = "x"\n"quoted key" = 2\n\'lit\' = 3\n',
    's = "tab\\tnew\\nquote\\"back\\\\u\\u00e9U\\U0001F600"\n',
    "ml = \"\"\"\nline1\n  line2 \\\n   joined\"\"\"\nlit = '''\nraw \\n\n'''\n",
    'q = """a "" b""""\nr = \'\'\'x\'\'\'\'\n',
    "i = [0x1F, 0o17, 0b101, 1_000, -3, +4]\nf = [1e3, -2.5E-2, inf, -inf, 6.02e+23]\n",
    "d = 1979-05-27\nt = 07:32:00\ndt = 1979-05-27T07:32:00\nz = 1979-05-27T07:32:00Z\n"
    "o = 1979-05-27T00:32:00.999999-07:00\nsp = 1979-05-27 07:32:00Z\n",
    "arr = [\n  1, # one\n  2,\n]\n# comment\nnested = [[1, 2], ['a'], [{x = 1}]]\n",
    "[a.b.c]\n[a]\nx = 1\n[a.b]\ny = 2\n",
    'empty = {}\nempty_list = []\n"" = 1\n',
    'crlf = 1\r\nnext = "v"\r\n',
]


@pytest.mark.parametrize("text", VALID_DOCUMENTS)
def test_scanner_reads_what_tomllib_reads(text: str) -> None:
    from puv.project.toml_read import _plain, _Scanner

    assert _plain(_Scanner(text).document()) == tomllib.loads(text)


@needs_uv
def test_toml_1_1_documents_that_uv_accepts_are_read(tmp_path: Path) -> None:
    text = (
        'config-settings = { a = "1", b = "2", }\n'
        'no-proxy = ["a\\x41\\e"]\n'
        '[pip]\nconfig-settings = {\n  k = "v"\n}\n'
    )
    (tmp_path / "uv.toml").write_text(text)
    assert "error" not in uv_stderr(tmp_path, "pip", "compile", "--show-settings", os.devnull)
    data = parse_toml(text, "uv.toml")
    assert data["config-settings"] == {"a": "1", "b": "2"}
    assert data["no-proxy"] == ["aA\x1b"]
    assert data["pip"]["config-settings"] == {"k": "v"}


@needs_uv
def test_byte_order_mark_is_skipped_but_counted_in_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from puv.project.settings_schema import SETTINGS_SCHEMA, SchemaError, check_table

    (tmp_path / "uv.toml").write_text('\ufeffoffline = "x"\n')
    monkeypatch.chdir(tmp_path)
    document = read_toml(tmp_path / "uv.toml")
    with pytest.raises(SchemaError) as caught:
        check_table(SETTINGS_SCHEMA, document.data)
    block = document.diagnostic(caught.value.message, caught.value.keys)
    error = TomlParseError("uv.toml", block)
    expected = uv_stderr(tmp_path, "pip", "compile", "--show-settings", os.devnull)
    assert rendered_error(error) == expected


def test_time_without_seconds_is_read() -> None:
    data = parse_toml("t = 1979-05-27T07:32\n", "f.toml")
    assert data["t"] == datetime.datetime(1979, 5, 27, 7, 32)


def test_mutated_documents_never_crash_the_scanner() -> None:
    """Random edits of valid documents: the scanner rejects only what tomllib rejects."""
    from puv.project.toml_read import _plain, _Scanner, _SyntaxFailure

    rng = random.Random(1234)
    alphabet = [*"[]{}\"'=.,#\n \t\\abc01_-+:eE", '"""', "'''", "é"]
    for _ in range(600):
        text = rng.choice(VALID_DOCUMENTS)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(alphabet) + text[at + rng.randint(0, 1) :]
        try:
            expected = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            expected = None
        try:
            scanned = _plain(_Scanner(text).document())
        except _SyntaxFailure:
            assert expected is None, f"false error on {text!r}"
            continue
        if expected is not None:
            assert scanned == expected, text


def test_locate_keys_and_values() -> None:
    text = (
        "[tool.uv]\n"
        'resolution = "lowest"\n'
        "[[tool.uv.index]]\n"
        'url = "https://a"\n'
        "[[tool.uv.index]]\n"
        'name = "b"\n'
        'pip = { no-deps = true, extra = ["x", "y"] }\n'
        "dotted.key = 1\n"
    )

    def spanned(keys: tuple[str | int, ...], at: str) -> str:
        span = locate(text, keys, at=at)
        assert span is not None
        return text[span[0] : span[1]]

    assert spanned(("tool", "uv", "resolution"), "key") == "resolution"
    assert spanned(("tool", "uv", "resolution"), "value") == '"lowest"'
    assert spanned(("tool", "uv", "index", 1), "value") == "[[tool.uv.index]]"
    assert spanned(("tool", "uv", "index", 1, "name"), "value") == '"b"'
    assert spanned(("tool", "uv", "index", 1, "pip", "extra", 1), "value") == '"y"'
    assert spanned(("tool", "uv", "index", 1, "pip", "no-deps"), "key") == "no-deps"
    assert spanned(("tool", "uv", "index", 1, "dotted", "key"), "key") == "key"
    assert spanned(("tool", "uv"), "key") == "uv"
    assert locate(text, ("tool", "nope"), at="key") is None


def test_read_toml_reports_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "uv.toml"
    path.write_bytes(b"a = '\xff'\n")
    with pytest.raises(ConfigError) as caught:
        read_toml(path, display="uv.toml")
    assert caught.value.message == "failed to read from file `uv.toml`"
    assert caught.value.causes == ("stream did not contain valid UTF-8",)


def test_display_path_is_relative_inside_the_working_directory(tmp_path: Path) -> None:
    assert display_path(tmp_path / "a" / "uv.toml", cwd=tmp_path) == os.path.join("a", "uv.toml")
    assert display_path(Path("/elsewhere/uv.toml"), cwd=tmp_path) == "/elsewhere/uv.toml"
