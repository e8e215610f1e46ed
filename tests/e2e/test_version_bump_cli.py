"""`puv version` against the real uv: reading, setting and bumping the version print the same
and leave `pyproject.toml` the same (the value's quoting and trailing comment are uv's); refused
bump combinations fail with uv's message."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.conftest import Runner

START = """[project]
name = "Demo_Pkg"
version = '1.2.3'   # the version
requires-python = ">=3.11"
"""

STEPS = [
    [],
    ["--short"],
    ["--output-format", "json"],
    ["--bump", "patch", "--frozen"],
    ["--bump", "minor", "--bump", "beta", "--frozen"],
    ["--bump", "beta", "--frozen"],
    ["--bump", "beta=5", "--frozen"],
    ["--bump", "rc", "--bump", "dev", "--frozen"],
    ["--bump", "stable", "--frozen"],
    ["--bump", "post", "--frozen"],
    ["--bump", "dev", "--frozen"],
    ["--bump", "major", "--dry-run"],
    ["--bump", "major", "--short", "--frozen"],
    ["--bump", "major=3", "--output-format", "json", "--frozen"],
    ["2.0.0.post1", "--frozen"],
    ["--bump", "alpha", "--frozen"],
    ["--bump", "stable", "--bump", "patch"],
    ["--bump", "patch", "--bump", "minor"],
    ["--bump", "alpha", "--bump", "beta"],
    ["--bump", "dev=x"],
    ["--bump", "stable=1"],
    ["--bump", "foo"],
    ["major"],
    ["--bump", "patch=1", "--frozen"],
    ["1.0", "--frozen"],
    ["--bump", "patch", "--frozen"],
]


def test_version_matches_uv(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> None:
    for tool in ("uv", "puv"):
        (tmp_path / tool).mkdir()
        (tmp_path / tool / "pyproject.toml").write_text(START)
    for args in STEPS:
        expected = run_uv("version", *args, cwd=tmp_path / "uv")
        actual = run_puv("version", *args, cwd=tmp_path / "puv")
        assert actual.returncode == expected.returncode, (args, expected.stderr, actual.stderr)
        assert actual.stdout == expected.stdout, args
        assert actual.stderr == re.sub(r"\buv\b", "puv", expected.stderr), args
        assert (tmp_path / "puv" / "pyproject.toml").read_text() == (
            tmp_path / "uv" / "pyproject.toml"
        ).read_text(), args


def test_dynamic_and_missing_versions(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> None:
    dynamic = '[project]\nname = "d"\ndynamic = ["version"]\n'
    for tool in ("uv", "puv"):
        (tmp_path / tool).mkdir()
        (tmp_path / tool / "pyproject.toml").write_text(dynamic)
    expected = run_uv("version", "--bump", "patch", "--frozen", cwd=tmp_path / "uv")
    actual = run_puv("version", "--bump", "patch", "--frozen", cwd=tmp_path / "puv")
    assert (actual.returncode, actual.stderr) == (expected.returncode, expected.stderr)
