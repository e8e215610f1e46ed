"""pyenv shims: their answers (facts, or the exit-127 failure) are cached under a stamp of what
decides which interpreter they run, and probed again when any of it changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from puv.cache.layout import CacheLayout
from puv.python.probe import InterpreterProbeError, probe_interpreter, pyenv_shim_stamp

REAL = Path.home() / ".pyenv" / "versions" / "3.12.1"

LAUNCHER = """#!/usr/bin/env bash
# a stand-in for pyenv's `pyenv exec`: record the call, pick the version, run or exit 127
echo "$*" >> "$PYENV_ROOT/calls.log"
program="$2"; shift 2
version="$PYENV_VERSION"
if [ -z "$version" ]; then
  dir="$PWD"
  while [ -n "$dir" ] && [ ! -f "$dir/.python-version" ]; do dir="${dir%/*}"; done
  if [ -f "$dir/.python-version" ]; then version="$(cat "$dir/.python-version")";
  else version="$(cat "$PYENV_ROOT/version")"; fi
fi
target="$PYENV_ROOT/versions/$version/bin/$program"
if [ -x "$target" ]; then exec "$target" "$@"; fi
echo "pyenv: $program: command not found" >&2
exit 127
"""


class FakePyenv:
    """A pyenv root with one shim (`python3.12`), a launcher that logs its calls, and a
    `3.12.1` version linked to the real pyenv install."""

    def __init__(self, root: Path) -> None:
        if not (REAL / "bin" / "python3.12").exists():
            pytest.skip("pyenv Python 3.12.1 is not installed")
        self.root = root
        (root / "libexec").mkdir(parents=True)
        (root / "shims").mkdir()
        (root / "versions").mkdir()
        (root / "versions" / "3.12.1").symlink_to(REAL)
        (root / "version").write_text("3.12.1\n")
        launcher = root / "libexec" / "pyenv"
        launcher.write_text(LAUNCHER)
        launcher.chmod(0o755)
        self.shim = root / "shims" / "python3.12"
        self.shim.write_text(
            '#!/usr/bin/env bash\nset -e\n[ -n "$PYENV_DEBUG" ] && set -x\n\n'
            'program="${0##*/}"\n\n'
            f'export PYENV_ROOT="{root}"\n'
            f'exec "{launcher}" exec "$program" "$@"\n'
        )
        self.shim.chmod(0o755)
        self.cache = CacheLayout(root / "cache")

    def calls(self) -> int:
        log = self.root / "calls.log"
        return len(log.read_text().splitlines()) if log.exists() else 0

    def probe(self) -> str:
        return probe_interpreter(self.shim, self.cache).version


@pytest.fixture
def pyenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakePyenv:
    fake = FakePyenv(tmp_path / "pyenv")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    monkeypatch.delenv("PYENV_DIR", raising=False)
    return fake


def test_a_shim_answer_is_reused_while_nothing_changes(pyenv: FakePyenv) -> None:
    assert pyenv.probe() == "3.12.1"
    assert pyenv.probe() == "3.12.1"
    assert pyenv.calls() == 1


def test_a_failing_shim_is_not_run_again(pyenv: FakePyenv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYENV_VERSION", "3.99.0")
    for _ in range(2):
        with pytest.raises(InterpreterProbeError) as failure:
            pyenv.probe()
        assert failure.value.kind == "status"
        assert "exit status 127" in failure.value.message
    assert pyenv.calls() == 1


def test_selection_changes_make_the_shim_run_again(
    pyenv: FakePyenv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert pyenv.probe() == "3.12.1"
    monkeypatch.setenv("PYENV_VERSION", "3.99.0")  # `pyenv shell`
    with pytest.raises(InterpreterProbeError):
        pyenv.probe()
    assert pyenv.calls() == 2
    (pyenv.root / "versions" / "3.99.0").symlink_to(REAL)  # `pyenv install`
    assert pyenv.probe() == "3.12.1"
    assert pyenv.calls() == 3
    monkeypatch.delenv("PYENV_VERSION")
    assert pyenv.probe() == "3.12.1"  # back to the global version file
    assert pyenv.calls() == 4
    (tmp_path / "work" / ".python-version").write_text("3.99.0\n")  # `pyenv local`
    assert pyenv.probe() == "3.12.1"
    assert pyenv.calls() == 5
    assert pyenv.probe() == "3.12.1"
    assert pyenv.calls() == 5


def test_only_pyenv_shims_get_a_stamp(tmp_path: Path) -> None:
    wrapper = tmp_path / "python3"
    wrapper.write_text('#!/bin/sh\nexec /usr/bin/python3 "$@"\n')
    assert pyenv_shim_stamp(wrapper, os.environ, tmp_path) is None
    assert pyenv_shim_stamp(tmp_path / "absent", os.environ, tmp_path) is None
