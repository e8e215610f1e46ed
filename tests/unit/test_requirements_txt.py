"""requirements.txt reading: continuations, comments, includes, hashes, options, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from puv.core.errors import PuvError
from puv.project.requirements_txt import read_requirements

SHA = "a" * 64


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_pins_hashes_and_continuations(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "r.txt",
        f"# a comment\nsix==1.16.0 \\\n    --hash=sha256:{SHA} \\\n    --hash sha256:{'B' * 64}\n"
        "idna==3.6  # trailing comment\n\n",
    )
    result = read_requirements(path, environ={})
    assert [r.text for r in result.requirements] == ["six==1.16.0", "idna==3.6"]
    assert result.requirements[0].hashes == (f"sha256:{SHA}", f"sha256:{'b' * 64}")
    assert result.requirements[0].origin is not None
    assert result.requirements[0].origin.line == 2
    assert result.requirements[1].origin is not None
    assert result.requirements[1].origin.line == 5


def test_includes_constraints_and_options(tmp_path: Path) -> None:
    _write(tmp_path, "sub/base.txt", "anyio==4.0\n-c ../c.txt\n")
    _write(tmp_path, "c.txt", "idna<4\n")
    path = _write(
        tmp_path,
        "r.txt",
        "-r sub/base.txt\n--index-url https://example.org/simple\n"
        "--extra-index-url=https://b.example/simple\n-f ./wheels\n--no-index\n--require-hashes\n"
        "--no-binary :all:\n-e ./local\n./dist/pkg-1.0-py3-none-any.whl\n",
    )
    result = read_requirements(path, environ={})
    assert [r.text for r in result.requirements] == [
        "anyio==4.0",
        "./local",
        "./dist/pkg-1.0-py3-none-any.whl",
    ]
    assert [r.text for r in result.constraints] == ["idna<4"]
    assert result.index_url == "https://example.org/simple"
    assert result.extra_index_urls == ["https://b.example/simple"]
    assert result.find_links == ["./wheels"]
    assert result.no_index and result.require_hashes
    assert result.no_binary == [":all:"]
    assert result.requirements[1].editable
    assert result.requirements[2].is_unnamed
    assert not result.requirements[0].is_unnamed


def test_env_vars_are_expanded(tmp_path: Path) -> None:
    path = _write(tmp_path, "r.txt", "--index-url https://${TOKEN}@example.org/simple\n")
    assert (
        read_requirements(path, environ={"TOKEN": "t"}).index_url == "https://t@example.org/simple"
    )


def test_include_cycle_is_read_once(tmp_path: Path) -> None:
    _write(tmp_path, "a.txt", "-r b.txt\nsix\n")
    _write(tmp_path, "b.txt", "-r a.txt\nidna\n")
    result = read_requirements(tmp_path / "a.txt", environ={})
    assert sorted(r.text for r in result.requirements) == ["idna", "six"]


def test_bad_requirement_names_file_and_position(tmp_path: Path) -> None:
    path = _write(tmp_path, "r1.txt", "six==1.16.0\nflask==1.0.x\n")
    with pytest.raises(PuvError) as exc:
        read_requirements(path, environ={}, display="r1.txt")
    assert exc.value.message == "Couldn't parse requirement in `r1.txt` at position 12"
    assert "flask==1.0.x" in exc.value.causes[0]


def test_unknown_option(tmp_path: Path) -> None:
    path = _write(tmp_path, "r2.txt", "--bogus-opt\n")
    with pytest.raises(PuvError) as exc:
        read_requirements(path, environ={}, display="r2.txt")
    assert exc.value.message == (
        "Unexpected '-', expected '-c', '-e', '-r' or the start of a requirement: r2.txt:1:1"
    )


def test_missing_include(tmp_path: Path) -> None:
    path = _write(tmp_path, "r3.txt", "-r nope.txt\n")
    with pytest.raises(PuvError) as exc:
        read_requirements(path, environ={}, display="r3.txt")
    assert exc.value.message == "Error parsing included file in `r3.txt` at position 0"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PuvError, match=r"File not found: missing\.txt"):
        read_requirements(tmp_path / "missing.txt", environ={}, display="missing.txt")


@pytest.mark.parametrize(
    ("digest", "message"),
    [
        ("sha256:abc", "Invalid hash digest length (expected 64 hexadecimal characters, found 3)"),
        ("crc32:abcd", "Unsupported hash algorithm"),
    ],
)
def test_bad_hashes(tmp_path: Path, digest: str, message: str) -> None:
    path = _write(tmp_path, "r4.txt", f"six==1.16.0 --hash={digest}\n")
    with pytest.raises(PuvError) as exc:
        read_requirements(path, environ={})
    assert exc.value.message.startswith(message)
