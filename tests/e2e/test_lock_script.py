"""`puv lock --script` against `uv lock --script`: a PEP 723 script's `<script>.lock` is the same
bytes, each tool accepts the other's, and a changed dependency list makes `--locked` fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.indexserver import IndexServer

SCRIPT = """\
# /// script
# requires-python = ">=3.10"
# dependencies = [
#   "alpha>=1",
#   "gamma ; sys_platform == 'linux'",
# ]
# ///
print("hi")
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    server = IndexServer(tmp_path_factory.mktemp("index"))
    server.add_wheel("alpha", "1.0", requires_dist=["beta"])
    server.add_wheel("beta", "2.0")
    server.add_wheel("gamma", "1.0", tag="py3-none-manylinux_2_17_x86_64")
    server.add_wheel("gamma", "1.0", tag="py3-none-win_amd64")
    with server:
        yield server


def test_script_lock_is_byte_identical_to_uv(
    tmp_path: Path, index: IndexServer, run_puv, run_uv
) -> None:
    for tool in ("uv", "puv"):
        (tmp_path / tool).mkdir()
        (tmp_path / tool / "example.py").write_text(SCRIPT)
    flags = ("--default-index", index.simple_url, "--exclude-newer", "2026-11-01T00:00:00Z")
    uv = run_uv("lock", "--script", "example.py", *flags, cwd=tmp_path / "uv")
    puv = run_puv("lock", "--script", "example.py", *flags, cwd=tmp_path / "puv")
    assert (uv.returncode, puv.returncode) == (0, 0), puv.stderr
    assert puv.stderr.splitlines()[0].split(" in ")[0] == uv.stderr.splitlines()[0].split(" in ")[0]
    lock = (tmp_path / "puv" / "example.py.lock").read_text()
    assert lock == (tmp_path / "uv" / "example.py.lock").read_text()
    assert "[manifest]\nrequirements = [" in lock
    for runner, directory in ((run_uv, "puv"), (run_puv, "uv")):
        result = runner(
            "lock", "--script", "example.py", "--locked", *flags, cwd=tmp_path / directory
        )
        assert result.returncode == 0, result.stderr
    script = tmp_path / "puv" / "example.py"
    script.write_text(SCRIPT.replace('"alpha>=1",', '"alpha>=1",\n#   "beta",'))
    stale = run_puv("lock", "--script", "example.py", "--locked", *flags, cwd=tmp_path / "puv")
    assert stale.returncode == 1
    assert "The lockfile at `example.py.lock` needs to be updated" in stale.stderr


def test_script_without_metadata_locks_nothing(tmp_path: Path, run_puv, run_uv) -> None:
    for tool, runner in (("uv", run_uv), ("puv", run_puv)):
        (tmp_path / tool).mkdir()
        (tmp_path / tool / "plain.py").write_text("import sys\n")
        result = runner("lock", "--script", "plain.py", cwd=tmp_path / tool)
        assert result.returncode == 0, result.stderr
        assert result.stderr.startswith("Resolved in ")
    assert (tmp_path / "puv" / "plain.py.lock").read_text() == (
        tmp_path / "uv" / "plain.py.lock"
    ).read_text()
