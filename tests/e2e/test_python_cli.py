"""`puv python find|list|pin|dir` run as a user runs them, compared with the real uv where it is
deterministic.

The machine's PATH holds pyenv shims. With `PYENV_VERSION` unset, `python3.12` exits 127 unless
pyenv selects 3.12 (uv fails there; puv goes on to `~/.pyenv/versions`). The differential tests set
`PYENV_VERSION` so that uv and puv see the same working shims.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner

PYENV_VERSIONS = Path.home() / ".pyenv" / "versions"
SHIMS = {"PYENV_VERSION": "3.11.7:3.12.1:3.13.0"}


def require_pyenv(*versions: str) -> None:
    """Skip unless the pyenv builds `versions` are installed."""
    for version in versions:
        if not (PYENV_VERSIONS / version).is_dir():
            pytest.skip(f"pyenv Python {version} is not installed")


def project(directory: Path, requires_python: str | None = None) -> Path:
    """A minimal `pyproject.toml` in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    text = '[project]\nname = "demo"\nversion = "0.1.0"\n'
    if requires_python:
        text += f'requires-python = "{requires_python}"\n'
    (directory / "pyproject.toml").write_text(text)
    return directory


def test_find_a_version_range(run_puv: Runner) -> None:
    require_pyenv("3.12.1")
    result = run_puv("python", "find", ">=3.12,<3.13")
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.is_absolute()
    assert run_puv("python", "find", ">=3.12,<3.13", "--show-version").stdout.startswith("3.12.")
    assert "3.12" in str(path.resolve())


def test_failing_shims_do_not_stop_the_search(run_puv: Runner) -> None:
    require_pyenv("3.12.1")
    result = run_puv("python", "find", "3.12", "-v", env={"PYENV_VERSION": "3.11.7"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(str(PYENV_VERSIONS / "3.12.1"))


def test_pin_then_find(run_puv: Runner, tmp_path: Path) -> None:
    require_pyenv("3.13.0")
    result = run_puv("python", "pin", "3.13")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Pinned `.python-version` to `3.13`\n"
    assert (tmp_path / ".python-version").read_text() == "3.13\n"
    found = run_puv("python", "find")
    assert found.returncode == 0, found.stderr
    assert "3.13" in found.stdout
    assert run_puv("python", "find", "--show-version").stdout.startswith("3.13.")
    assert run_puv("python", "pin").stdout == "3.13\n"
    updated = run_puv("python", "pin", "3.12")
    assert updated.stdout == "Updated `.python-version` from `3.13` -> `3.12`\n"


def test_not_found(run_puv: Runner) -> None:
    result = run_puv("python", "find", "9.9")
    assert result.returncode == 2
    assert result.stdout == ""
    sources = "virtual environments, managed installations, search path, or pyenv versions"
    if not PYENV_VERSIONS.is_dir():
        sources = "virtual environments, managed installations, or search path"
    assert result.stderr == f"error: No interpreter found for Python 9.9 in {sources}\n"


@pytest.mark.parametrize(
    ("request_text", "message"),
    [
        ("3.12tt", "Invalid Python request: `3.12tt`"),
        ("python@latest", "Requesting the 'latest' Python version is not yet supported"),
        ("2.7", "Invalid version request: Python <3.6 is not supported but 2.7 was requested."),
    ],
)
def test_bad_requests(run_puv: Runner, request_text: str, message: str) -> None:
    result = run_puv("python", "find", request_text)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message}\n")
    assert "Traceback" not in result.stderr


def test_bad_version_file_names_file_and_line(run_puv: Runner, tmp_path: Path) -> None:
    (tmp_path / ".python-version").write_text("3.12\n>=3.x\n")
    result = run_puv("python", "find")
    assert result.returncode == 2
    path = tmp_path / ".python-version"
    assert result.stderr.startswith(f"error: Invalid Python request in `{path}` at line 2: `>=3.x`")


def test_second_find_does_not_run_the_interpreter(run_puv: Runner, tmp_path: Path) -> None:
    """The probe result is cached; editing the cached facts shows they are what gets used."""
    require_pyenv("3.12.1")
    executable = PYENV_VERSIONS / "3.12.1" / "bin" / "python3.12"
    first = run_puv("python", "find", str(executable), "--show-version")
    assert first.stdout == "3.12.1\n", first.stderr
    (entry,) = (tmp_path / "puv-cache").glob("puv-interpreter-v*/*.json")
    record = json.loads(entry.read_text())
    record["facts"]["version"] = "3.12.77"
    entry.write_text(json.dumps(record))
    assert run_puv("python", "find", str(executable), "--show-version").stdout == "3.12.77\n"
    no_cache = run_puv("python", "find", str(executable), "--show-version", "--no-cache")
    assert no_cache.stdout == "3.12.1\n"


def test_list_installed(run_puv: Runner) -> None:
    require_pyenv("3.12.1")
    text = run_puv("python", "list", "--only-installed")
    assert text.returncode == 0, text.stderr
    rows = [line.split(None, 1) for line in text.stdout.splitlines()]
    assert any(key == "cpython-3.12.1-linux-x86_64-gnu" for key, _ in rows)
    data = json.loads(run_puv("python", "list", "3.12", "--output-format", "json").stdout)
    assert data
    assert list(data[0]) == [
        "key", "version", "version_parts", "path", "symlink", "url", "os", "variant",
        "implementation", "arch", "libc",
    ]  # fmt: skip
    assert {row["version_parts"]["minor"] for row in data} == {12}
    assert all(row["url"] is None and row["variant"] == "default" for row in data)


def test_requires_python_warning(run_puv: Runner, run_uv: Runner, tmp_path: Path) -> None:
    require_pyenv("3.11.7")
    project(tmp_path, ">=3.12")
    puv = run_puv("python", "find", "3.11", env=SHIMS)
    uv = run_uv("python", "find", "3.11", env=SHIMS)
    assert (puv.returncode, puv.stdout, puv.stderr) == (uv.returncode, uv.stdout, uv.stderr)
    assert "incompatible with the project's Python requirement: `>=3.12`" in puv.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["python", "find"],
        ["python", "find", "3.11"],
        ["python", "find", "3.12"],
        ["python", "find", "cpython@3.13"],
        ["python", "find", ">=3.12"],
        ["python", "find", "--system"],
        ["python", "find", "--managed-python"],
        ["python", "find", "--system", "--managed-python"],
        ["python", "find", "--python-preference", "only-system"],
        ["python", "find", "3.11", "--show-version"],
        ["python", "find", "/usr/bin/python3"],
        ["python", "find", str(PYENV_VERSIONS / "3.12.1")],
        ["python", "dir"],
        ["python", "dir", "--bin"],
        ["python", "pin"],
        ["python", "pin", "--rm"],
        ["python", "pin", "python3.11-dbg"],
    ],
)
def test_same_as_uv(run_puv: Runner, run_uv: Runner, args: list[str]) -> None:
    require_pyenv("3.11.7", "3.12.1", "3.13.0")
    puv = run_puv(*args, env=SHIMS)
    uv = run_uv(*args, env=SHIMS)
    assert (puv.returncode, puv.stdout, puv.stderr) == (uv.returncode, uv.stdout, uv.stderr)


def test_pin_session_same_as_uv(run_puv: Runner, run_uv: Runner, tmp_path: Path) -> None:
    require_pyenv("3.11.7", "3.12.1", "3.13.0")
    steps = [
        ["python", "pin", "3.11"],
        ["python", "pin", "3.11"],
        ["python", "pin", ">=3.11,<3.13"],
        ["python", "pin"],
        ["python", "pin", "cp312"],
        ["python", "pin", "--rm"],
        ["python", "pin", "--rm"],
        ["python", "pin", "--global", "3.12"],
        ["python", "pin", "--global"],
        ["python", "pin", "--rm"],
        ["python", "pin", "--rm", "--global"],
    ]
    for tool, runner in (("uv", run_uv), ("puv", run_puv)):
        workdir = tmp_path / tool
        workdir.mkdir()
        env = {**SHIMS, "XDG_CONFIG_HOME": str(workdir / "config")}
        outputs = [runner(*step, cwd=workdir, env=env) for step in steps]
        transcript = [(r.returncode, r.stdout, r.stderr) for r in outputs]
        if tool == "uv":
            expected = transcript
    assert transcript == expected


def test_pin_must_satisfy_requires_python(run_puv: Runner, run_uv: Runner, tmp_path: Path) -> None:
    require_pyenv("3.11.7", "3.12.1")
    project(tmp_path, ">=3.12")
    for args in (["python", "pin", "3.11"], ["python", "pin", "3.12"], ["python", "pin"]):
        puv = run_puv(*args, env=SHIMS)
        uv = run_uv(*args, env=SHIMS)
        assert (puv.returncode, puv.stdout, puv.stderr) == (uv.returncode, uv.stdout, uv.stderr)
    assert (tmp_path / ".python-version").read_text() == "3.12\n"


def test_version_file_stops_at_the_project_root(
    run_puv: Runner, run_uv: Runner, tmp_path: Path
) -> None:
    require_pyenv("3.11.7", "3.12.1")
    (tmp_path / ".python-version").write_text("3.12\n")
    member = tmp_path / "proj" / "sub"
    member.mkdir(parents=True)

    def both(*args: str) -> str:
        puv = run_puv(*args, cwd=member, env=SHIMS)
        uv = run_uv(*args, cwd=member, env=SHIMS)
        assert (puv.returncode, puv.stdout, puv.stderr) == (uv.returncode, uv.stdout, uv.stderr)
        return puv.stdout

    assert "3.12" in both("python", "find")
    assert "3.12" not in both("python", "find", "--no-config")
    project(tmp_path / "proj")
    assert "3.12" not in both("python", "find")
    project(tmp_path / "proj", ">=3.13")
    assert "3.13" in both("python", "find")
    assert "3.13" not in both("python", "find", "--no-project")


def test_python_dir_follows_uv_variables(run_puv: Runner, tmp_path: Path) -> None:
    env = {"UV_PYTHON_INSTALL_DIR": str(tmp_path / "pythons"), "UV_PYTHON_BIN_DIR": "bin-dir"}
    assert run_puv("python", "dir", env=env).stdout == f"{tmp_path / 'pythons'}\n"
    assert run_puv("python", "dir", "--bin", env=env).stdout == "bin-dir\n"
    xdg = {"XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    assert run_puv("python", "dir", env=xdg).stdout == f"{tmp_path / 'data' / 'uv' / 'python'}\n"
    assert os.path.normpath(run_puv("python", "dir", "--bin", env=xdg).stdout.strip()) == str(
        tmp_path / "bin"
    )


def test_discovered_virtual_environment_same_as_uv(
    run_puv: Runner, run_uv: Runner, tmp_path: Path
) -> None:
    require_pyenv("3.11.7", "3.12.1")
    base = PYENV_VERSIONS / "3.12.1" / "bin" / "python3.12"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(tmp_path / ".venv")], check=True)
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    for args in (["python", "find"], ["python", "find", "--system"], ["python", "find", "3.11"]):
        puv = run_puv(*args, cwd=nested, env=SHIMS)
        uv = run_uv(*args, cwd=nested, env=SHIMS)
        assert (puv.returncode, puv.stdout, puv.stderr) == (uv.returncode, uv.stdout, uv.stderr)
    venv_python = run_puv("python", "find", cwd=nested, env=SHIMS).stdout
    assert venv_python == f"{tmp_path / '.venv' / 'bin' / 'python'}\n"
