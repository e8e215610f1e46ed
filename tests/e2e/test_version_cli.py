"""`puv version` reads the project as `uv version` does, and a broken pyproject fails with its position."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Runner

PROJECTS = {
    "plain": '[project]\nname = "Hello_World"\nversion = "0.1.0"\n',
    "toml-syntax-error": '[project]\nname = "x"\nversion = "0.1"\ndependencies = [\n  "a",\n  b\n]\n',
    "bad-type": '[project]\nname = 1\nversion = "0.1"\n',
    "dynamic": '[project]\nname = "x"\ndynamic = ["version"]\n',
}


@pytest.mark.parametrize("name", PROJECTS)
@pytest.mark.parametrize("flags", [[], ["--short"], ["--output-format", "json"]])
def test_version_as_uv(
    tmp_path: Path, run_puv: Runner, run_uv: Runner, name: str, flags: list[str]
) -> None:
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "pyproject.toml").write_text(PROJECTS[name])
    for cwd in (project, project / "sub"):
        ours, theirs = run_puv("version", *flags, cwd=cwd), run_uv("version", *flags, cwd=cwd)
        assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout)
        assert ours.stderr.replace("puv", "uv") == theirs.stderr
        assert "Traceback" not in ours.stderr


def test_broken_pyproject_names_line_and_column(tmp_path: Path, run_puv: Runner) -> None:
    (tmp_path / "pyproject.toml").write_text(PROJECTS["toml-syntax-error"])
    result = run_puv("version")
    assert result.returncode == 2
    assert (
        "error: Failed to parse: pyproject.toml\n  cause: TOML parse error at line 6, column 3"
        in (result.stderr)
    )


def test_no_project(tmp_path: Path, run_puv: Runner) -> None:
    result = run_puv("version")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: No `pyproject.toml` found in current directory or any parent directory"
    )
