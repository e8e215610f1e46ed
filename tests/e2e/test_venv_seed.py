"""`puv venv --seed`: pip (and setuptools + wheel before 3.12) installed as uv installs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.wheelmaker import write_wheel

PY311 = Path.home() / ".pyenv/versions/3.11.7/bin/python3.11"
PY312 = Path.home() / ".pyenv/versions/3.12.1/bin/python3.12"


def _seed_wheels(directory: Path) -> None:
    """Stand-ins for the seed packages: wheel depends on packaging, as the real one does."""
    for name, version, headers, scripts in [
        ("pip", "30.1", [], "[console_scripts]\npip = pip:main\n"),
        ("setuptools", "90.0", [], None),
        ("wheel", "0.50.0", ["Requires-Dist: packaging>=24.0"], None),
        ("packaging", "30.0", [], None),
    ]:
        write_wheel(
            directory,
            {f"{name}/__init__.py": b"def main():\n    print('seeded')\n"},
            name=name,
            version=version,
            metadata_headers=headers,
            entry_points=scripts,
        )


@pytest.mark.parametrize("python", [PY311, PY312], ids=["3.11", "3.12"])
def test_seed_as_uv(tmp_path: Path, run_puv: Runner, run_uv: Runner, python: Path) -> None:
    if not python.exists():
        pytest.skip(f"{python} is not installed")
    wheels = tmp_path / "wheels"
    _seed_wheels(wheels)
    flags = ["--seed", "-p", str(python), "--no-index", "--find-links", str(wheels)]
    ours = run_puv("venv", "ours", *flags)
    theirs = run_uv("venv", "theirs", *flags)
    assert ours.returncode == theirs.returncode == 0, ours.stderr + theirs.stderr
    assert ours.stderr.replace("ours", "ENV") == theirs.stderr.replace("theirs", "ENV")
    assert (tmp_path / "ours" / "bin" / "pip").read_text().startswith("#!")
    listing = run_puv("pip", "freeze", "--python", "ours").stdout
    assert listing == run_uv("pip", "freeze", "--python", "theirs").stdout


def test_seed_from_the_environment_variable(tmp_path: Path, run_puv: Runner) -> None:
    if not PY312.exists():
        pytest.skip(f"{PY312} is not installed")
    wheels = tmp_path / "wheels"
    _seed_wheels(wheels)
    result = run_puv(
        "venv",
        "v",
        "-p",
        str(PY312),
        "--no-index",
        env={"UV_VENV_SEED": "1", "UV_FIND_LINKS": str(wheels)},
    )
    assert result.returncode == 0, result.stderr
    assert " + pip==30.1\n" in result.stderr
    assert (tmp_path / "v" / "bin" / "pip").exists()


def test_seed_failure_is_a_clean_error(tmp_path: Path, run_puv: Runner) -> None:
    result = run_puv("venv", "v", "--seed", "--no-index", "--find-links", str(tmp_path / "none"))
    assert result.returncode != 0
    assert result.stderr.count("error:") == 1
    assert "Traceback" not in result.stderr
