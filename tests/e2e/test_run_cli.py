"""`puv run` side by side with the real uv, on the projects of `test_sync_cli` (locked by uv).

Covers: it syncs (inexactly) before running, `--frozen`, `--no-sync`, `--isolated`, commands,
Python files and `-m` modules, `--with` (a cached overlay environment), `--no-project`,
`--env-file`, and that the child's exit code and signals come through.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from puv.operations.run import parse_env_file
from tests.e2e.conftest import Runner
from tests.e2e.test_sync_cli import Pair, make_pair, populate, write_app
from tests.indexserver import IndexServer


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> object:
    with IndexServer(tmp_path_factory.mktemp("index")) as server:
        populate(server)
        yield server


@pytest.fixture
def app(tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer) -> Pair:
    return make_pair(tmp_path, run_uv, run_puv, lambda d: write_app(d, index.simple_url))


def test_exit_code_and_first_run_sync(app: Pair) -> None:
    """In a fresh clone `run` creates and syncs the environment (uv's summary lines only)."""
    script = "import sys, app; print(sys.prefix == sys.base_prefix, app.NAME); sys.exit(3)"
    theirs, ours = app.both("run", "python", "-c", script)
    assert ours.returncode == theirs.returncode == 3
    assert ours.stdout == theirs.stdout == "False app\n"
    assert app.shown("puv", ours.stderr) == app.shown("uv", theirs.stderr)
    assert "Installed 8 packages in T\n" in app.shown("puv", ours.stderr)
    assert app.freeze("puv") == app.freeze("uv")


def test_run_syncs_inexactly_and_frozen_and_no_sync(app: Pair) -> None:
    app.same("sync", "--frozen", "--all-groups", "-q")
    theirs, ours = app.both("run", "--frozen", "python", "-c", "print(1)")
    assert (ours.returncode, ours.stdout, ours.stderr) == (0, "1\n", theirs.stderr)
    assert any(line.startswith("beta==") for line in app.freeze("puv"))
    assert app.freeze("puv") == app.freeze("uv")
    for tool in ("uv", "puv"):
        python = str(app.dir(tool) / ".venv" / "bin" / "python")
        assert app.run_uv("pip", "uninstall", "--python", python, "alpha").returncode == 0
    theirs, ours = app.both("run", "--no-sync", "python", "-c", "import alpha")
    assert ours.returncode == theirs.returncode == 1
    theirs, ours = app.both("run", "--locked", "python", "-c", "import alpha")
    assert ours.returncode == theirs.returncode == 0
    assert app.shown("puv", ours.stderr) == app.shown("uv", theirs.stderr)


def test_files_modules_and_commands(app: Pair) -> None:
    for tool in ("uv", "puv"):
        directory = app.dir(tool)
        (directory / "src" / "app" / "__main__.py").write_text(
            "import sys\nprint('main', sys.argv[1:])\n"
        )
        (directory / "hello.py").write_text("import sys, app\nprint('hello', sys.argv[1:])\n")
    cases = [
        ["-m", "app", "x", "-v"],
        ["hello.py", "--flag"],
        ["python", "hello.py"],
        ["printenv", "VIRTUAL_ENV"],
    ]
    app.both("sync", "--frozen", "-q")
    for case in cases:
        theirs, ours = app.both("run", "--frozen", *case)
        assert (ours.returncode, app.shown("puv", ours.stdout)) == (
            theirs.returncode,
            app.shown("uv", theirs.stdout),
        ), case
    ours = app.run("puv", "run", "--frozen", "printenv", "PATH")
    assert ours.stdout.startswith(f"{app.dir('puv')}/.venv/bin:")


def test_no_command_lists_the_environment_commands(app: Pair) -> None:
    app.both("sync", "--frozen", "-q")
    theirs, ours = app.both("run", "--frozen")
    assert ours.returncode == theirs.returncode == 2
    assert ours.stdout == theirs.stdout.replace("`uv run", "`puv run")


def test_with_uses_a_cached_overlay_environment(app: Pair, index: IndexServer) -> None:
    script = "import beta, importlib.metadata as m; print(m.version('beta'), beta.__file__)"
    theirs, ours = app.both("run", "--frozen", "--with", "beta==2.0", "python", "-c", script)
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert ours.stdout.startswith("2.0 ") and theirs.stdout.startswith("2.0 ")
    assert app.shown("puv", ours.stderr) == app.shown("uv", theirs.stderr)
    index.reset()
    ours = app.run("puv", "run", "--frozen", "--with", "beta==2.0", "python", "-c", script)
    assert ours.stdout.startswith("2.0 ") and ours.stderr == ""
    assert index.requests == []
    outside = app.run("puv", "run", "--frozen", "python", "-c", script)
    assert outside.stdout.startswith("1.0 ")


def test_isolated_leaves_the_project_environment_alone(app: Pair) -> None:
    ours = app.run("puv", "run", "--frozen", "--isolated", "python", "-c", "import app, sys")
    assert ours.returncode == 0, ours.stderr
    assert not (app.dir("puv") / ".venv").exists()


def test_no_project_and_env_files(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> None:
    (tmp_path / ".env").write_text("FOO=from-file\nexport BAR='x y'\n# comment\nKEEP=file\n")
    (tmp_path / "other.env").write_text("FOO=other\nBAZ=${FOO}-z\n")
    script = "import os; print(os.environ.get('FOO'), os.environ.get('BAR'), os.environ['KEEP'])"
    args = ("run", "--no-project", "--env-file", ".env", "--env-file", "other.env", "python")
    env = {"KEEP": "real"}
    theirs = run_uv(*args, "-c", script, env=env)
    ours = run_puv(*args, "-c", script, env=env)
    assert (
        (ours.returncode, ours.stdout)
        == (theirs.returncode, theirs.stdout)
        == (
            0,
            "other x y real\n",
        )
    )
    missing = run_puv("run", "--no-project", "--env-file", "nope.env", "python", "-c", "")
    assert missing.returncode == 2
    assert "error: No environment file found at: `nope.env`" in missing.stderr


def test_parse_env_file() -> None:
    text = (
        "A=1\nexport B = two # comment\nC='single $A'\nD=\"double\\n$A\"\nE=${A}x\n"
        'F="multi\nline"\n\n# c\n'
    )
    assert parse_env_file(text, {}) == {
        "A": "1",
        "B": "two",
        "C": "single $A",
        "D": "double\n1",
        "E": "1x",
        "F": "multi\nline",
    }
    with pytest.raises(ValueError, match=r"^8: not a line"):
        parse_env_file("A=1\n\n\n\nnot a line\n", {})


def test_signals_kill_and_are_forwarded(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> None:
    kill = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    theirs = run_uv("run", "--no-project", "python", "-c", kill)
    ours = run_puv("run", "--no-project", "python", "-c", kill)
    assert ours.returncode == theirs.returncode == 128 + signal.SIGTERM
    waiter = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(7))\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PUV_", "VIRTUAL"))}
    env.update(UV_CACHE_DIR=str(tmp_path / "cache"), UV_PYTHON_DOWNLOADS="never")
    process = subprocess.Popen(
        [sys.executable, "-m", "puv", "run", "--no-project", "python", "-c", waiter],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 7
