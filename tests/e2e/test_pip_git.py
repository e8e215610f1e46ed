"""`git+` references in `puv pip install` and `puv pip sync`, side by side with uv.

One local repository (a project built by the small in-tree backend) is installed by both tools
from the same `file://` URL, so commits, output and the installed `.dist-info` compare as they
are: the reference is resolved to a commit (`Updating` / `Updated`), the commit built into a
wheel (`Building` / `Built`), installed with uv's `direct_url.json` (`vcs_info`) and
`uv_build.json`; the same commit installed again is `Checked`, a moved branch reinstalls.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.test_compile_direct import make_project
from tests.e2e.test_pip_sync_cli import Twins, make_twins
from tests.envtools import snapshot
from tests.indexserver import IndexServer

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="needs git")
# INSTALLER names the tool, and RECORD lists INSTALLER's digest
DIFFERENT = ("INSTALLER", "RECORD", "__pycache__")


def _git(repository: Path, *args: str) -> str:
    command = [GIT or "git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repository)]
    return subprocess.run([*command, *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """`treepkg` 0.3 (requiring `beta<3`) at tag `v1` on branch `main`, in a subdirectory
    `sub/` of the repository too."""
    root = make_project(tmp_path / "repo", "treepkg", "0.3", "beta<3")
    make_project(root / "sub", "subpkg", "1.0")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "one")
    _git(root, "tag", "v1")
    return root


@pytest.fixture
def index(tmp_path: Path) -> Iterator[IndexServer]:
    with IndexServer(tmp_path / "index") as server:
        for version in ("1.0", "2.0", "3.0"):
            server.add_wheel("beta", version)
        yield server


@pytest.fixture
def pair(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> Twins:
    (tmp_path / "twins").mkdir()
    return make_twins(tmp_path / "twins", run_uv, run_puv)


def _installed(pair: Twins, tool: str) -> dict[str, object]:
    return snapshot(pair.site_packages(tool), lambda path: path.endswith(DIFFERENT))


def test_pip_install_of_a_git_reference_matches_uv(
    pair: Twins, repository: Path, index: IndexServer
) -> None:
    url = f"git+{repository.as_uri()}"
    install = ("pip", "install", "-p", "env", "-i", index.simple_url)
    first = pair.same(*install, f"treepkg @ {url}@v1", skip=("Prepared",))
    commit = _git(repository, "rev-parse", "HEAD").strip()
    assert f" + treepkg==0.3 (from {url}@{commit})\n" in first
    assert _installed(pair, "puv") == _installed(pair, "uv")
    # the same commit, named or not, by tag or by the default branch: nothing to do
    assert "Checked 2 packages" in pair.same(*install, f"treepkg @ {url}@v1")
    assert "Checked 2 packages" in pair.same(*install, url)
    # the branch moves on: the new commit replaces the old one
    (repository / "src" / "treepkg" / "later.py").write_text("")
    _git(repository, "add", ".")
    _git(repository, "commit", "-qm", "two")
    moved = pair.same(*install, f"{url}@main", skip=("Prepared",))
    assert f" - treepkg==0.3 (from {url}@{commit})\n" in moved
    assert _installed(pair, "puv") == _installed(pair, "uv")
    frozen = pair.run_puv("pip", "freeze", "-p", "env", cwd=pair.dir("puv")).stdout
    assert f"treepkg @ {url}@{_git(repository, 'rev-parse', 'main').strip()}\n" in frozen


def test_pip_sync_of_git_references_matches_uv(
    pair: Twins, repository: Path, index: IndexServer
) -> None:
    url = f"git+{repository.as_uri()}"
    pair.write("requirements.txt", f"{url}@v1\nsubpkg @ {url}#subdirectory=sub\nbeta==1.0\n")
    sync = ("pip", "sync", "requirements.txt", "-p", "env", "-i", index.simple_url)
    # uv builds both at once: its `Building` / `Built` lines come in no fixed order
    output = pair.same(*sync, skip=("Prepared", "   Building", "      Built"))
    assert " + subpkg==1.0 (from " in output and output.count("Built") == 2
    assert _installed(pair, "puv") == _installed(pair, "uv")
    assert "Checked 3 packages" in pair.same(*sync)


def test_a_missing_git_reference_fails_as_uv_fails(
    pair: Twins, repository: Path, index: IndexServer
) -> None:
    """A `rev` that is not a commit is fetched as a branch, then as a tag; the error shows the
    last `git fetch` (the database's path aside: each tool has its own cache layout)."""
    install = ("pip", "install", "-p", "env", "-i", index.simple_url)
    theirs, ours = pair.run(*install, f"treepkg @ git+{repository.as_uri()}@nosuch")
    assert ours.returncode == theirs.returncode == 1

    def shown(text: str) -> list[str]:
        return [line for line in text.splitlines() if "failed to clone into: " not in line]

    assert shown(ours.stderr) == shown(theirs.stderr)
    assert "cause: failed to fetch branch or tag `nosuch`" in ours.stderr


def test_an_editable_git_reference_is_refused_as_uv_refuses_it(
    pair: Twins, repository: Path, index: IndexServer
) -> None:
    url = f"git+{repository.as_uri()}@v1"
    pair.write("editable.txt", f"-e {url}\n")
    install = ("pip", "install", "-p", "env", "-i", index.simple_url)
    assert "Git sources cannot be editable" in pair.same(*install, "-e", url)
    assert f"in `editable.txt` at line 1: `{url}`" in pair.same(*install, "-r", "editable.txt")


def test_pip_uninstall_finds_unnamed_references_by_url_as_uv(
    pair: Twins, repository: Path, index: IndexServer
) -> None:
    """Names are matched by name, unnamed references by the URL a distribution was installed
    from (nothing is checked out: the written `@v1` is not the installed commit URL)."""
    url = f"git+{repository.as_uri()}"
    pair.same(
        "pip", "install", "-p", "env", "-i", index.simple_url, f"{url}@v1", skip=("Prepared",)
    )
    commit = _git(repository, "rev-parse", "HEAD").strip()
    removed = pair.same(
        "pip", "uninstall", "-p", "env", f"{url}@v1", f"{url}@{commit}", "nope", "beta"
    )
    assert f"warning: Skipping `{url}@v1` as it is not installed\n" in removed
    assert f" - treepkg==0.3 (from {url}@{commit})\n" in removed
    assert _installed(pair, "puv") == _installed(pair, "uv")


def test_a_missing_subdirectory_fails_as_uv_fails(
    pair: Twins, repository: Path, index: IndexServer
) -> None:
    """A `#subdirectory=` (or a source's `subdirectory`) the commit lacks is uv's error, from
    `pip install`, `pip compile` and `lock` alike."""
    url = f"git+{repository.as_uri()}#subdirectory=missing"
    cause = f"cause: The source distribution `{url}` has no subdirectory `missing`"
    install = ("pip", "install", "-p", "env", "-i", index.simple_url)
    assert cause in pair.same(*install, f"treepkg @ {url}")
    pair.write("req.in", f"treepkg @ {url}\n")
    assert cause in pair.same("pip", "compile", "-q", "-i", index.simple_url, "req.in")
    for tool in ("uv", "puv"):
        (pair.dir(tool) / "proj").mkdir()
    pair.write(
        "proj/pyproject.toml",
        '[project]\nname = "p"\nversion = "0.1"\nrequires-python = ">=3.8"\n'
        'dependencies = ["treepkg"]\n[tool.uv.sources]\n'
        f'treepkg = {{ git = "{repository.as_uri()}", subdirectory = "missing" }}\n',
    )
    assert cause in pair.same("lock", "--directory", "proj", "-i", index.simple_url)
