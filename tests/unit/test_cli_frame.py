"""The command frame: clap-style usage errors, env-var wiring (CLI > PUV_* > UV_* > default)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from puv import __version__
from puv.cli.main import build_parser
from puv.cli.parser import resolve
from puv.core.env import env_bool, env_value, parse_bool
from puv.core.errors import PuvError, UsageError


def _parse(argv: list[str], environ: dict[str, str] | None = None) -> argparse.Namespace:
    top = build_parser()
    args = top.parse_args(argv)
    args._origin = resolve(args, [args._parser, top], environ or {})
    return args


def test_twin_variable_wins() -> None:
    env = {"UV_CACHE_DIR": "/a", "PUV_CACHE_DIR": "/b"}
    assert env_value("UV_CACHE_DIR", env) == "/b"
    assert env_value("UV_CACHE_DIR", {"UV_CACHE_DIR": "/a"}) == "/a"
    assert env_value("UV_CACHE_DIR", {}) is None


@pytest.mark.parametrize("raw", ["1", "true", "YES", "on"])
def test_bool_true(raw: str) -> None:
    assert parse_bool(raw, "UV_OFFLINE") is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off"])
def test_bool_false(raw: str) -> None:
    assert parse_bool(raw, "UV_OFFLINE") is False


@pytest.mark.parametrize("raw", ["", "maybe"])
def test_bool_invalid_is_an_error(raw: str) -> None:
    with pytest.raises(PuvError, match="UV_OFFLINE"):
        env_bool("UV_OFFLINE", {"UV_OFFLINE": raw})


def test_cli_beats_env_beats_default() -> None:
    args = _parse(["cache", "dir"], {"UV_CACHE_DIR": "/env"})
    assert args.cache_dir == "/env"
    assert args._origin["cache_dir"] == "env"
    args = _parse(["--cache-dir", "/cli", "cache", "dir"], {"UV_CACHE_DIR": "/env"})
    assert args.cache_dir == "/cli"
    assert args._origin["cache_dir"] == "cli"
    args = _parse(["cache", "dir"], {})
    assert args.cache_dir is None
    assert args._origin["cache_dir"] == "default"


def test_global_options_accepted_after_the_subcommand() -> None:
    args = _parse(["cache", "dir", "--offline", "-q"])
    assert args.offline is True
    assert args.quiet == 1


def test_flag_pairs_and_env() -> None:
    assert _parse(["cache", "dir"], {"UV_OFFLINE": "1"}).offline is True
    assert _parse(["--no-offline", "cache", "dir"], {"UV_OFFLINE": "1"}).offline is False
    assert _parse(["cache", "dir"], {"UV_OFFLINE": "0"}).offline is None


def test_value_env_for_a_flag() -> None:
    args = _parse(["cache", "dir"], {"UV_PYTHON_DOWNLOADS": "manual"})
    assert args.python_downloads == "manual"
    assert _parse(["--no-python-downloads", "cache", "dir"]).python_downloads == "never"


def test_list_env_is_split_on_whitespace() -> None:
    args = _parse(["cache", "dir"], {"UV_INSECURE_HOST": "a.example b.example"})
    assert args.allow_insecure_host == ["a.example", "b.example"]


def test_unknown_flag_is_reported_against_the_subcommand() -> None:
    with pytest.raises(UsageError) as exc:
        _parse(["cache", "dir", "--bogus"])
    assert exc.value.message == (
        "unexpected argument '--bogus' found\n\n"
        "Usage: puv cache dir [OPTIONS]\n\n"
        "For more information, try '--help'."
    )
    assert exc.value.exit_code == 2


def test_unknown_subcommand() -> None:
    with pytest.raises(UsageError, match="unrecognized subcommand 'bogus'"):
        _parse(["bogus"])


def test_invalid_choice_lists_possible_values() -> None:
    with pytest.raises(UsageError) as exc:
        _parse(["--color", "foo", "cache", "dir"])
    assert exc.value.message == (
        "invalid value 'foo' for '--color <COLOR_CHOICE>'\n"
        "  [possible values: auto, always, never]\n\n"
        "For more information, try '--help'."
    )


def test_missing_value() -> None:
    with pytest.raises(UsageError) as exc:
        _parse(["cache", "dir", "--cache-dir"])
    assert exc.value.message.startswith(
        "a value is required for '--cache-dir <CACHE_DIR>' but none was supplied"
    )


def test_the_entry_point_ends_as_an_exit_does(tmp_path: Path) -> None:
    """`main` ends the process with `os._exit` (OpenSSL's exit handler must not race a worker
    thread's end); threads are still joined, `atexit` functions run and output is flushed."""
    code = (
        "import atexit, sys, threading, time\n"
        "from puv.cli.main import main\n"
        "atexit.register(lambda: print('atexit ran'))\n"
        "threading.Thread(target=lambda: (time.sleep(0.2), print('thread ended'))).start()\n"
        "sys.stdout.write('unflushed ')\n"
        "main(['--version'])\n"
        "print('not reached')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert (done.returncode, done.stdout) == (
        0,
        f"unflushed puv {__version__}\nthread ended\natexit ran\n",
    )
    failed = subprocess.run(
        [sys.executable, "-c", "from puv.cli.main import main; main(['nosuch'])"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert failed.returncode == 2 and "unrecognized subcommand 'nosuch'" in failed.stderr


def test_under_a_profiler_the_entry_point_exits_as_usual(tmp_path: Path) -> None:
    """cProfile writes its results after the program returns: `os._exit` would lose them."""
    profile = [sys.executable, "-m", "cProfile", "-o", "out.prof", "-m", "puv", "--version"]
    done = subprocess.run(profile, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "out.prof").stat().st_size > 0
