"""`puv pip compile --format pylock.toml` (and `-o pylock.toml`) compared byte for byte with
the real uv against a local index: which sdists and wheels each target keeps, markers, the
header and notices, the written file, and an existing pylock.toml's pins as preferences."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.test_compile_flags import EXCLUDE_NEWER, assert_same, build_index, compile_both
from tests.indexserver import IndexServer

REQUIREMENTS = "alpha\ngamma[fast]\npyonly\n"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    """The local index of the flag tests, served for this module."""
    with build_index(tmp_path_factory.mktemp("compile-pylock-index")) as server:
        yield server


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--python-version", "3.12"),
        ("--python-version", "3.10.0"),
        ("--python-platform", "windows", "--no-emit-package", "beta"),
        ("--python-platform", "aarch64-manylinux_2_28", "--python-version", "3.10"),
        ("--universal", "--python-version", "3.9"),
        ("--universal", "--python-version", "3.10.3", "--no-header"),
        ("--only-binary", "alpha", "--no-binary", "zeta", "--python-version", "3.12"),
        ("--no-build", "--universal"),
        ("--generate-hashes", "--no-annotate", "--no-emit-package", "delta"),
        (
            "--emit-index-url",
            "--emit-find-links",
            "--emit-build-options",
            "--emit-index-annotation",
        ),
    ],
    ids=lambda args: " ".join(args) or "default",
)
def test_pylock_matches_uv(
    run_puv: Runner, run_uv: Runner, tmp_path: Path, index: IndexServer, args: tuple[str, ...]
) -> None:
    (tmp_path / "requirements.in").write_text(REQUIREMENTS)
    puv, uv = compile_both(
        run_puv, run_uv, tmp_path, index.simple_url, "requirements.in", "--format",
        "pylock.toml", *args,
    )  # fmt: skip
    assert uv.returncode == 0, uv.stderr
    assert_same(puv, uv)
    document = tomllib.loads(puv.stdout)
    assert document["lock-version"] == "1.0"


def test_empty_input_is_an_empty_package_list_as_in_uv(
    run_puv: Runner, run_uv: Runner, tmp_path: Path, index: IndexServer
) -> None:
    (tmp_path / "empty.in").write_text("")
    puv, uv = compile_both(
        run_puv, run_uv, tmp_path, index.simple_url, "empty.in", "--format", "pylock.toml"
    )
    assert_same(puv, uv)
    assert puv.stdout.endswith("packages = []\n")


@pytest.mark.parametrize("name", ["pylock.toml", "pylock.dev.toml"])
def test_output_file_name_chooses_pylock_and_holds_what_stdout_shows(
    run_puv: Runner, run_uv: Runner, tmp_path: Path, index: IndexServer, name: str
) -> None:
    outputs = []
    for tool, runner in (("puv", run_puv), ("uv", run_uv)):
        directory = tmp_path / tool
        (directory / "out").mkdir(parents=True)
        (directory / "requirements.in").write_text(REQUIREMENTS)
        result = runner(
            "pip", "compile", "requirements.in", "-o", f"out/{name}", "--index-url",
            index.simple_url, "--exclude-newer", EXCLUDE_NEWER, cwd=directory,
        )  # fmt: skip
        outputs.append(result)
        assert (directory / "out" / name).read_text() == result.stdout
    assert_same(*outputs)
    assert "[[packages]]" in outputs[0].stdout


@pytest.mark.parametrize("upgrade", [(), ("-U",), ("-P", "beta")], ids=["kept", "-U", "-P"])
def test_existing_pylock_pins_are_preferred_as_in_uv(
    run_puv: Runner,
    run_uv: Runner,
    tmp_path: Path,
    index: IndexServer,
    upgrade: tuple[str, ...],
) -> None:
    existing = (
        'lock-version = "1.0"\ncreated-by = "uv"\n\n[[packages]]\nname = "beta"\nversion = "1.0"\n'
    )
    outputs = []
    for tool, runner in (("puv", run_puv), ("uv", run_uv)):
        directory = tmp_path / tool
        directory.mkdir()
        (directory / "requirements.in").write_text("beta\n")
        (directory / "pylock.toml").write_text(existing)
        args = ("pip", "compile", "requirements.in", "-o", "pylock.toml", *upgrade)
        url = ("--index-url", index.simple_url, "--exclude-newer", EXCLUDE_NEWER)
        outputs.append(runner(*args, *url, cwd=directory))
    assert_same(*outputs)
    version = tomllib.loads(outputs[0].stdout)["packages"][0]["version"]
    assert version == ("1.0" if not upgrade else "2.0")
