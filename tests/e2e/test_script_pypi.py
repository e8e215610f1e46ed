"""PEP 723 scripts with real PyPI dependencies, through uv and puv (`-m network`): the cutoff in
the script's own `[tool.uv]` picks the same versions, `add --script` writes the same bytes, and
a script lock is the same file and installs the same environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.test_script_run import Both

pytestmark = pytest.mark.network

CUTOFF = "2026-11-01T00:00:00Z"
VERSIONS = """\
import importlib.metadata as m
print(sorted((d.metadata["Name"].lower(), d.version) for d in m.distributions()))
"""


@pytest.fixture
def pair(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> Both:
    return Both(tmp_path, run_uv, run_puv, {})


def test_script_settings_pick_the_same_versions(pair: Both) -> None:
    pair.write(
        "report.py",
        "# /// script\n"
        '# requires-python = ">=3.10"\n'
        '# dependencies = ["rich>=13", "requests<3"]\n'
        "# [tool.uv]\n"
        f'# exclude-newer = "{CUTOFF}"\n'
        "# ///\n" + VERSIONS,
    )
    outcome = pair.same("run", "report.py")
    assert outcome.code == 0
    assert "('rich', " in outcome.stdout
    assert outcome.stderr.splitlines()[-1].startswith("Installed 9 packages in ")
    assert pair.same("run", "report.py").stderr == ""


def test_add_lock_and_run_a_script(pair: Both) -> None:
    pair.write("tool.py", '#!/usr/bin/env python3\n"""A tool."""\n' + VERSIONS)
    flags = ("--exclude-newer", CUTOFF)
    pair.same("add", "--script", "tool.py", "httpx", "attrs>=23", *flags)
    assert pair.read("puv", "tool.py") == pair.read("uv", "tool.py")
    pair.same("lock", "--script", "tool.py", *flags)
    assert pair.read("puv", "tool.py.lock") == pair.read("uv", "tool.py.lock")
    pair.same("remove", "--script", "tool.py", "attrs", *flags)
    assert pair.read("puv", "tool.py") == pair.read("uv", "tool.py")
    assert pair.read("puv", "tool.py.lock") == pair.read("uv", "tool.py.lock")
    ran = pair.same("run", *flags, "tool.py")
    assert "('httpx', " in ran.stdout
    synced = pair.same("sync", "--script", "tool.py", *flags)
    assert synced.stderr.splitlines()[0] == "Using script environment at: <env>/tool"
