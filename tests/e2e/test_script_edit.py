"""`puv add --script` / `puv remove --script` against uv: after every step the script (and its
`<script>.lock`, when there is one) is byte-identical to what uv leaves, on scripts with and
without a block, with comments, shebangs, CRLF line endings and a block at the end of the file.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.test_script_run import Both, index  # noqa: F401  (the module's index fixture)
from tests.indexserver import IndexServer

COMMENTED = """\
# /// script
# requires-python = ">=3.10"
# dependencies = [
#   "alpha",  # the alpha
# ]
# ///
print(1)
"""

SHEBANG = '#!/usr/bin/env python3\n"""Docstring."""\nimport sys\n'


@pytest.fixture
def pair(tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer) -> Both:  # noqa: F811
    return Both(tmp_path, run_uv, run_puv, {"UV_INDEX_URL": index.simple_url})


def _same_files(pair: Both, *names: str) -> None:
    for name in names:
        assert pair.read("puv", name) == pair.read("uv", name), name


def test_add_and_remove_keep_the_block_as_uv_writes_it(pair: Both) -> None:
    pair.write("s.py", COMMENTED)
    added = pair.same("add", "--script", "s.py", "gamma", "beta>=1")
    assert added.stderr.splitlines()[-1] == "Resolved 3 packages in <t>"
    _same_files(pair, "s.py")
    assert b'#   "gamma>=1.0",\n' in pair.read("puv", "s.py")
    removed = pair.same("remove", "--script", "s.py", "alpha", "beta")
    assert removed.stderr == "Updated `s.py`\n"
    _same_files(pair, "s.py")
    assert not (pair.tmp / "puv" / "s.py.lock").exists()
    missing = pair.same("remove", "--script", "s.py", "alpha")
    assert missing.code == 2
    assert "The dependency `alpha` could not be found in `project.dependencies`" in missing.stderr


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(SHEBANG, id="shebang"),
        pytest.param("# a comment\n#\nimport sys\n", id="comment-first"),
        pytest.param("", id="empty"),
        pytest.param("import sys\r\nprint(sys.argv)\r\n", id="crlf"),
        pytest.param("#!/usr/bin/env -S uv run --script\r\n# note\r\nx = 1", id="crlf-shebang"),
    ],
)
def test_add_creates_the_block_where_uv_does(pair: Both, text: str) -> None:
    pair.write("new.py", text.encode())
    pair.same("add", "--script", "new.py", "alpha")
    _same_files(pair, "new.py")
    pair.same("add", "--script", "new.py", "gamma", "--bounds", "exact", "--raw")
    _same_files(pair, "new.py")
    pair.same("remove", "--script", "new.py", "alpha", "gamma")
    _same_files(pair, "new.py")


def test_blocks_at_the_end_and_with_crlf_endings(pair: Both) -> None:
    pair.write("end.py", b'# /// script\n# requires-python = ">=3.10"\n# dependencies = []\n# ///')
    crlf = (
        b'print(0)\r\n# /// script\r\n# requires-python = ">=3.10"\r\n# dependencies = [\r\n'
        b'#   "beta",\r\n# ]\r\n# ///\r\nx = 1\r\n'
    )
    pair.write("crlf.py", crlf)
    for name in ("end.py", "crlf.py"):
        pair.same("add", "--script", name, "alpha")
        _same_files(pair, name)
    pair.same("remove", "--script", "crlf.py", "nothere")  # an error: the file is untouched
    assert pair.read("puv", "crlf.py").count(b"\r\n") == 1  # the prelude keeps its ending


def test_indexes_and_sources_are_written_into_the_block(pair: Both, index: IndexServer) -> None:  # noqa: F811
    pair.write("s.py", COMMENTED)
    pair.same("add", "--script", "s.py", "gamma", "--index", f"local={index.simple_url}")
    _same_files(pair, "s.py")
    assert b"# gamma = { index = " in pair.read("puv", "s.py")
    pair.same("remove", "--script", "s.py", "gamma")  # its source goes with it
    _same_files(pair, "s.py")
    pair.same("add", "--script", "s.py", "beta", "--frozen")  # written, not resolved
    _same_files(pair, "s.py")


def test_a_script_lock_follows_every_edit(pair: Both) -> None:
    pair.write("s.py", COMMENTED)
    pair.same("lock", "--script", "s.py")
    assert pair.same("add", "--script", "s.py", "gamma").stderr.endswith(
        "Resolved 3 packages in <t>\n"
    )
    _same_files(pair, "s.py", "s.py.lock")
    assert pair.same("remove", "--script", "s.py", "alpha").stderr == "Resolved 1 package in <t>\n"
    _same_files(pair, "s.py", "s.py.lock")
    assert b'name = "alpha"' not in pair.read("puv", "s.py.lock")


def test_a_failed_resolution_leaves_the_script_and_lock_alone(pair: Both) -> None:
    pair.write("s.py", COMMENTED)
    pair.same("lock", "--script", "s.py")
    before = pair.read("puv", "s.py"), pair.read("puv", "s.py.lock")
    theirs, ours = pair.both("add", "--script", "s.py", "nonexistent")
    assert (theirs.code, ours.code) == (1, 1)
    assert "provide the `--frozen` flag to skip locking and syncing" in ours.stderr
    assert (pair.read("puv", "s.py"), pair.read("puv", "s.py.lock")) == before


def test_an_executable_script_stays_executable(pair: Both) -> None:
    pair.write("tool.py", SHEBANG)
    path = pair.tmp / "puv" / "tool.py"
    path.chmod(0o755)
    assert pair.run("puv", "add", "--script", "tool.py", "gamma").code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o755


def test_script_errors_and_ignored_options(pair: Both) -> None:
    pair.write("s.py", COMMENTED)
    pair.write("plain.py", "print(1)\n")
    for args in (
        ("add", "--script", "missing.py", "gamma"),
        ("remove", "--script", "missing.py", "gamma"),
        ("remove", "--script", "plain.py", "gamma"),
    ):
        assert pair.same(*args).code == 2
    theirs, ours = pair.both("add", "--script", "s.py", "--dev", "gamma")
    assert (theirs.code, ours.code) == (2, 2)
    first = "error: the argument '--script <SCRIPT>' cannot be used with '--dev'"
    assert ours.stderr.splitlines()[0] == theirs.stderr.splitlines()[0] == first
    warned = pair.same("remove", "--script", "s.py", "alpha", "--no-sync", "--package", "x")
    assert warned.stderr.splitlines()[:2] == [
        "warning: `--package` is a no-op for Python scripts with inline metadata, which always "
        "run in isolation",
        "warning: `--no-sync` is a no-op for Python scripts with inline metadata, which always "
        "run in isolation",
    ]
