"""The shortcuts of a no-op `puv lock` / `puv sync`, and that they never hide a change.

A lock file's parsed data is kept in the cache (by the file's SHA-256), a passed freshness check
is recorded (by a digest of the lock, every `pyproject.toml` and the merged settings), and the
selection of packages for an environment is remembered (by the lock file's identity). Each test
takes a project through a no-op first, so the shortcuts are in place, then changes one input and
checks that puv answers exactly as it does with `--no-cache` (no shortcut at all).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.indexserver import IndexServer

DURATION = re.compile(r" in \d+(\.\d+)?(ms|s)\b")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    server = IndexServer(tmp_path_factory.mktemp("index"))
    server.add_wheel("alpha", "1.0", requires_dist=["beta>=1"])
    server.add_wheel("beta", "1.0")
    server.add_wheel("beta", "2.0")
    server.add_wheel("gamma", "1.0")
    with server:
        yield server


def _project(root: Path, index: IndexServer, dependencies: str = '"alpha"') -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n'
        f"dependencies = [{dependencies}]\n"
        f'[[tool.uv.index]]\nurl = "{index.simple_url}"\ndefault = true\n'
    )
    return root


def _lines(result: object) -> list[str]:
    stderr = getattr(result, "stderr", "")
    return [DURATION.sub(" in <t>", line) for line in stderr.splitlines()]


def _records(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "puv-cache").glob("puv-environments-v*/locks/*"))


def _noop_lock(run_puv: Runner, project: Path) -> None:
    """Lock twice: the second run records the passed check."""
    for _ in range(2):
        done = run_puv("lock", cwd=project)
        assert done.returncode == 0, done.stderr


def test_an_unchanged_lock_is_read_and_checked_once(
    run_puv: Runner, index: IndexServer, tmp_path: Path
) -> None:
    project = _project(tmp_path / "app", index)
    first = run_puv("lock", cwd=project)
    assert first.returncode == 0, first.stderr
    lock = (project / "uv.lock").read_bytes()
    second = run_puv("lock", cwd=project)
    third = run_puv("lock", cwd=project)
    uncached = run_puv("lock", "--no-cache", cwd=project)
    assert _lines(second) == _lines(third) == _lines(uncached)
    assert "Resolved 3 packages in <t>" in _lines(third)
    assert [path.suffix for path in _records(tmp_path)] == [".fresh", ".json", ".quiet"]
    assert (project / "uv.lock").read_bytes() == lock
    assert index.requests_to("/simple/", "GET")  # the first run resolved...
    index.reset()
    assert run_puv("lock", "--locked", cwd=project).returncode == 0
    assert not index.requests  # ...the others needed no index


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("pyproject", "The lockfile at `uv.lock` needs to be updated"),
        ("settings", "The lockfile at `uv.lock` needs to be updated"),
        ("lock", "The lockfile at `uv.lock` needs to be updated"),
    ],
)
def test_a_recorded_check_never_hides_a_change(
    run_puv: Runner, index: IndexServer, tmp_path: Path, change: str, expected: str
) -> None:
    project = _project(tmp_path / "app", index)
    _noop_lock(run_puv, project)
    args = ["lock", "--locked"]
    if change == "pyproject":
        _project(project, index, '"alpha", "gamma"')
    elif change == "settings":
        args += ["--resolution", "lowest"]
    else:
        path = project / "uv.lock"
        path.write_text(
            path.read_text().replace('requires-python = ">=3.9"', 'requires-python = ">=3.10"', 1)
        )
    recorded = run_puv(*args, cwd=project)
    uncached = run_puv(*args, "--no-cache", cwd=project)
    assert recorded.returncode == uncached.returncode == 1
    assert _lines(recorded) == _lines(uncached)
    assert expected in recorded.stderr


def test_commands_with_other_settings_keep_their_own_records(
    run_puv: Runner, index: IndexServer, tmp_path: Path
) -> None:
    project = _project(tmp_path / "app", index)
    _noop_lock(run_puv, project)
    assert run_puv("lock", "--offline", cwd=project).returncode == 0
    assert run_puv("lock", "--offline", cwd=project).returncode == 0
    fresh = next(path for path in _records(tmp_path) if path.suffix == ".fresh")
    assert len(fresh.read_text().splitlines()) == 2  # with and without `--offline`


def test_a_garbled_cache_entry_is_parsed_again(
    run_puv: Runner, index: IndexServer, tmp_path: Path
) -> None:
    project = _project(tmp_path / "app", index)
    _noop_lock(run_puv, project)
    for path in _records(tmp_path):
        path.write_text("garbage\n{")
    again = run_puv("lock", "--locked", cwd=project)
    assert again.returncode == 0, again.stderr
    assert "Resolved 3 packages" in again.stderr
    done = run_puv("sync", cwd=project)
    assert done.returncode == 0, done.stderr
    assert " + alpha==1.0" in done.stderr


def test_sync_selects_again_when_the_lock_or_the_environment_changes(
    run_puv: Runner, index: IndexServer, tmp_path: Path
) -> None:
    project = _project(tmp_path / "app", index)
    installed = run_puv("sync", cwd=project)
    assert installed.returncode == 0, installed.stderr
    assert " + alpha==1.0" in installed.stderr and " + beta==2.0" in installed.stderr
    noop = run_puv("sync", cwd=project)
    assert _lines(noop) == ["Resolved 3 packages in <t>", "Checked 2 packages in <t>"]
    site = next((project / ".venv" / "lib").glob("python3.*/site-packages"))
    for dist_info in site.glob("beta-*.dist-info"):
        (dist_info / "RECORD").unlink()  # a broken install is not taken for a no-op
    repaired = run_puv("sync", cwd=project)
    assert " ~ beta==2.0" in repaired.stderr, repaired.stderr
    _project(project, index, '"gamma"')
    preview = run_puv("sync", "--dry-run", cwd=project)
    assert preview.returncode == 0, preview.stderr
    assert " - alpha==1.0" in preview.stderr and " + gamma==1.0" in preview.stderr
    changed = run_puv("sync", cwd=project)
    assert changed.returncode == 0, changed.stderr
    assert _lines(changed)[-3:] == [" - alpha==1.0", " - beta==2.0", " + gamma==1.0"]
    frozen = run_puv("sync", "--frozen", cwd=project)
    assert _lines(frozen) == ["Checked 1 package in <t>"]


@pytest.mark.parametrize("mode", [(), ("--frozen",)])
def test_groups_are_validated_again_once_a_file_changes(
    run_puv: Runner, index: IndexServer, tmp_path: Path, mode: tuple[str, ...]
) -> None:
    project = _project(tmp_path / "app", index)
    for _ in range(2):
        done = run_puv("sync", cwd=project)
        assert done.returncode == 0, done.stderr
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '[dependency-groups]\ndev = ["bad req !!"]\n')
    recorded = run_puv("sync", *mode, cwd=project)
    uncached = run_puv("sync", *mode, "--no-cache", cwd=project)
    assert recorded.returncode == uncached.returncode == 2
    assert recorded.stderr == uncached.stderr
    assert "has malformed dependency groups" in recorded.stderr
