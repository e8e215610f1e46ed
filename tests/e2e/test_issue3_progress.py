"""The download progress bar: drawn only when stderr is a terminal (a real pty here), never with
`--no-progress` or `-q`, and never on redirected output, where `rich` is not even imported."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner, _environment
from tests.e2e.test_pip_sync_cli import Twins, make_twins
from tests.indexserver import IndexServer


@pytest.fixture
def index(tmp_path: Path) -> Iterator[IndexServer]:
    with IndexServer(tmp_path / "index") as server:
        for name in ("alpha", "beta", "gamma"):
            server.add_wheel(name, "1.0")
        yield server


@pytest.fixture
def pair(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> Twins:
    return make_twins(tmp_path, run_uv, run_puv)


def _run_on_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """Run `python -m puv ARGS` with stderr on a pty; returns (exit code, stdout, stderr)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "puv", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.stdout is not None
    stdout = process.stdout.read().decode()
    process.stdout.close()
    return process.wait(), stdout, b"".join(chunks).decode(errors="replace")


def _install_args(index: IndexServer, *extra: str) -> list[str]:
    return ["pip", "install", "alpha", "beta", "gamma", "-p", "env", "-i", index.simple_url, *extra]


def test_terminal_shows_a_transient_bar(pair: Twins, index: IndexServer, tmp_path: Path) -> None:
    env = _environment(tmp_path, "puv", {"TERM": "xterm"})
    code, _, stderr = _run_on_terminal(_install_args(index), pair.dir("puv"), env)
    assert code == 0, stderr
    assert "Preparing packages..." in stderr
    assert "3/3" in stderr
    # the status lines still come, after the bar was erased
    lines = stderr.replace("\r\n", "\n").split("\n")
    prepared = next(i for i, line in enumerate(lines) if "Prepared 3 packages in" in line)
    assert lines[prepared + 1].startswith("Installed 3 packages in")
    assert " + alpha==1.0" in stderr


@pytest.mark.parametrize("flag", ["--no-progress", "-q"])
def test_no_bar_when_hidden(pair: Twins, index: IndexServer, tmp_path: Path, flag: str) -> None:
    env = _environment(tmp_path, "puv", {"TERM": "xterm"})
    code, _, stderr = _run_on_terminal(_install_args(index, flag), pair.dir("puv"), env)
    assert code == 0, stderr
    assert "Preparing packages" not in stderr
    assert ("Prepared 3 packages" in stderr) is (flag != "-q")


def test_redirected_output_is_plain_and_imports_no_rich(
    pair: Twins, index: IndexServer, tmp_path: Path
) -> None:
    """The same lines as uv's, byte for byte (durations masked), and `rich` never loaded."""
    assert "Preparing" not in pair.same(*_install_args(index, "--reinstall"))
    env = _environment(tmp_path, "puv", {"UV_CACHE_DIR": str(tmp_path / "fresh-cache")})
    traced = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "puv", *_install_args(index, "--reinstall")],
        cwd=pair.dir("puv"),
        env=env,
        capture_output=True,
        text=True,
    )
    assert traced.returncode == 0, traced.stderr
    assert "Prepared 3 packages in" in traced.stderr  # downloads happened
    imported = {line.split("|")[-1].strip() for line in traced.stderr.splitlines() if "|" in line}
    assert "puv.index.connections" in imported  # the trace works: this run downloaded
    assert not {name for name in imported if name.split(".")[0] == "rich"}
