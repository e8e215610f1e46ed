"""`puv init` against the real uv: the same flags in two empty directories must create the same
files, byte for byte (Git metadata aside), print the same lines, and edit an enclosing
workspace's `members` the same way."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner

CASES = [
    [],
    ["--app"],
    ["--app", "--no-package"],
    ["--lib"],
    ["--bare"],
    ["--package", "--bare"],
    ["--build-backend", "hatch"],
    ["--lib", "--build-backend", "setuptools", "--no-readme", "--no-pin-python", "--vcs", "none"],
    ["--name", "Foo_Bar"],
    ["--python", "3.12"],
    ["--python", ">=3.10"],
    ["--description", "hi", "--author-from", "none"],
    ["--no-description", "--build-backend", "flit"],
]


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def _same(run_uv: Runner, run_puv: Runner, tmp_path: Path, args: list[str]) -> None:
    expected = run_uv("init", *args, cwd=tmp_path / "uv")
    actual = run_puv("init", *args, cwd=tmp_path / "puv")
    assert actual.returncode == expected.returncode, (args, expected.stderr, actual.stderr)
    uv_lines = expected.stderr.replace(str(tmp_path / "uv"), str(tmp_path / "puv"))
    assert actual.stderr == uv_lines.replace("`uv ", "`puv "), args
    assert _files(tmp_path / "puv") == _files(tmp_path / "uv"), args
    assert (tmp_path / "puv" / "proj" / ".git").exists() == (
        tmp_path / "uv" / "proj" / ".git"
    ).exists()


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_init_matches_uv(args: list[str], tmp_path: Path, run_uv: Runner, run_puv: Runner) -> None:
    for tool in ("uv", "puv"):
        (tmp_path / tool).mkdir()
    _same(run_uv, run_puv, tmp_path, [*args, "proj"])


def test_init_script_matches_uv(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> None:
    for tool in ("uv", "puv"):
        (tmp_path / tool).mkdir()
        (tmp_path / tool / "existing.py").write_text("print('hi')\n")
    _same(run_uv, run_puv, tmp_path, ["--script", "new.py"])
    _same(run_uv, run_puv, tmp_path, ["--script", "sub/bare.py", "--bare"])
    _same(run_uv, run_puv, tmp_path, ["--script", "existing.py"])


def test_init_inside_workspace_adds_members(
    tmp_path: Path, run_uv: Runner, run_puv: Runner
) -> None:
    root = (
        '[project]\nname = "root"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]  # globbed\nexclude = ["packages/skip"]\n'
    )
    git = shutil.which("git")
    for tool in ("uv", "puv"):
        (tmp_path / tool).mkdir()
        (tmp_path / tool / "pyproject.toml").write_text(root)
        if git:
            subprocess.run([git, "init", "-q", "."], cwd=tmp_path / tool, check=True)
    for args in (
        ["packages/a"], ["other/b"], ["packages/skip"], ["other/c", "--python", "3.12"],
        ["--no-workspace", "other/d"], ["other/b"],
    ):  # fmt: skip
        _same(run_uv, run_puv, tmp_path, args)


def test_invalid_directory_name(tmp_path: Path, run_puv: Runner) -> None:
    result = run_puv("init", "bad name!", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: The target directory (`bad name!`) is not a valid package name."
    )
