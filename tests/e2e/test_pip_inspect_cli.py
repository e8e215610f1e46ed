"""`puv pip freeze|list|show|check` on an environment uv filled, compared with the real uv."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.wheelmaker import write_wheel

WHEELS = {
    "alpha": (
        "1.0",
        ["Requires-Dist: beta>=2,<4", "Requires-Dist: gamma; sys_platform == 'win32'"],
    ),
    "beta": ("1.5", ["Requires-Dist: missing-dep"]),
    "Delta_Pkg": ("0.3", []),
}


@pytest.fixture
def filled_env(tmp_path: Path, run_uv: Runner) -> Path:
    wheels = tmp_path / "wheels"
    for name, (version, headers) in WHEELS.items():
        module = name.lower()
        write_wheel(
            wheels,
            {f"{module}/__init__.py": b"", f"{module}/data.txt": b"x"},
            name=name,
            version=version,
            metadata_headers=headers,
        )
    assert run_uv("venv", "-q", "env").returncode == 0
    result = run_uv(
        "pip",
        "install",
        "--python",
        "env",
        "--no-index",
        "--find-links",
        str(wheels),
        "--no-deps",
        "alpha",
        "beta",
        "delta-pkg",
    )
    assert result.returncode == 0, result.stderr
    return tmp_path / "env"


@pytest.mark.parametrize(
    "argv",
    [
        ["freeze"],
        ["list"],
        ["list", "--format", "json"],
        ["list", "--format", "freeze"],
        ["list", "--editable"],
        ["show", "alpha", "beta"],
        ["show", "delta-pkg", "--files"],
        ["show", "nope"],
        ["show", "nope", "alpha"],
    ],
)
def test_read_only_commands_as_uv(
    filled_env: Path, run_puv: Runner, run_uv: Runner, argv: list[str]
) -> None:
    ours = run_puv("pip", *argv, "--python", "env")
    theirs = run_uv("pip", *argv, "--python", "env")
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        theirs.returncode,
        theirs.stdout,
        theirs.stderr,
    )


def test_check_reports_incompatibilities_as_uv(
    filled_env: Path, run_puv: Runner, run_uv: Runner
) -> None:
    ours = run_puv("pip", "check", "--python", "env")
    theirs = run_uv("pip", "check", "--python", "env")
    assert ours.returncode == theirs.returncode == 1
    drop_timing = [line for line in ours.stderr.splitlines() if not line.startswith("Checked")]
    assert drop_timing == [
        line for line in theirs.stderr.splitlines() if not line.startswith("Checked")
    ]
    assert "The package `alpha` requires `beta>=2,<4`, but `1.5` is installed" in ours.stderr
    assert "The package `beta` requires `missing-dep`, but it's not installed" in ours.stderr


def test_without_a_venv_mutating_commands_refuse(tmp_path: Path, run_puv: Runner) -> None:
    result = run_puv("pip", "freeze", "--python", "nowhere-python")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
