"""`puv sync` (and `puv run`) of Git sources, side by side with the real uv.

Each scenario's Git repositories are made with `git init` in a temp directory (one served over
HTTP, git's "dumb" protocol, for `--offline`); their projects use the in-tree backend of
`test_sync_cli`, so nothing needs the network. A project depending on them through
`[tool.uv.sources]` (a tag with a subdirectory, a short rev, the default branch) is locked by uv,
copied, and synced by each tool with its own cache: their output (durations masked; the
`Updating`/`Building` progress lines, which uv prints from concurrent tasks, sorted), their
environments (`uv pip freeze`) and the installed `direct_url.json` files must be the same.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from puv.core.errors import PuvError
from puv.install.installed import InstalledDist
from puv.lock.install_target import LockedDist, locked_dists
from puv.lock.reader import LockParseError, parse_lock
from puv.operations.git import GitUrl
from puv.operations.git_install import direct_url_document, is_current
from tests.e2e.conftest import Runner
from tests.e2e.test_export_tree_cli import _as_puv
from tests.e2e.test_sync_cli import BUILD_LINES, Pair, make_pair, write_member
from tests.unit.test_git import run_git

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

PROGRESS = ("   Updating ", "    Updated ", *BUILD_LINES)


class GitPair(Pair):
    """A `Pair` whose progress lines (Git fetches and builds) are compared as a sorted block."""

    def shown(self, tool: str, text: str) -> str:
        lines = super().shown(tool, text).splitlines(keepends=True)
        progress = sorted(line for line in lines if line.startswith(PROGRESS))
        if not progress:
            return "".join(lines)
        first = next(i for i, line in enumerate(lines) if line.startswith(PROGRESS))
        rest = [line for line in lines if not line.startswith(PROGRESS)]
        return "".join(rest[:first] + progress + rest[first:])

    def site_packages(self, tool: str) -> Path:
        return next((self.dir(tool) / ".venv" / "lib").glob("python*/site-packages"))

    def recorded(self, tool: str, name: str, filename: str) -> bytes:
        """A file of the installed `name`'s `.dist-info`."""
        return next(self.site_packages(tool).glob(f"{name}-*.dist-info/{filename}")).read_bytes()


def git_pair(root: Path, run_uv: Runner, run_puv: Runner, write: Any) -> GitPair:
    """`make_pair`, then uv's cache emptied: each tool starts without the repositories."""
    pair = make_pair(root, run_uv, run_puv, write)
    cleaned = run_uv("cache", "clean")
    assert cleaned.returncode == 0, cleaned.stderr
    return GitPair(pair.root, pair.run_uv, pair.run_puv)


def commit_all(repository: Path, message: str) -> str:
    """Commit every change in `repository`; the new commit."""
    run_git(repository, "add", "-A")
    run_git(repository, "commit", "-qm", message)
    return run_git(repository, "rev-parse", "HEAD")


def new_repository(path: Path, projects: dict[str, str]) -> Path:
    """A repository on branch `main` with one commit holding a project named `name` at each
    `subdirectory` of `projects` (subdirectory -> name; "" is the top)."""
    for subdirectory, name in projects.items():
        write_member(path / subdirectory, name, [])
    run_git(path, "init", "-q", "-b", "main")
    commit_all(path, "first")
    return path


@dataclass(frozen=True)
class Repositories:
    """`tagged`: `gitpkg` in `sub/`, tagged `v1`; `revved`: `gitrev` at the top, named by a
    short rev; `default`: `gitdefault` at the top, on its default branch."""

    tagged: Path
    revved: Path
    default: Path

    @property
    def short_rev(self) -> str:
        return run_git(self.revved, "rev-parse", "--short=8", "HEAD")


@pytest.fixture
def repositories(tmp_path: Path) -> Repositories:
    root = tmp_path / "repositories"
    tagged = new_repository(root / "tagged", {"sub": "gitpkg"})
    run_git(tagged, "tag", "v1")
    revved = new_repository(root / "revved", {"": "gitrev"})
    default = new_repository(root / "default", {"": "gitdefault"})
    return Repositories(tagged, revved, default)


def write_app(directory: Path, repositories: Repositories) -> None:
    """A project depending on the three Git sources."""
    write_member(
        directory,
        "app",
        ["gitpkg", "gitrev", "gitdefault"],
        extra=(
            "\n[tool.uv.sources]\n"
            f'gitpkg = {{ git = "{repositories.tagged.as_uri()}", tag = "v1", '
            'subdirectory = "sub" }\n'
            f'gitrev = {{ git = "{repositories.revved.as_uri()}", '
            f'rev = "{repositories.short_rev}" }}\n'
            f'gitdefault = {{ git = "{repositories.default.as_uri()}" }}\n'
        ),
    )


@pytest.fixture
def app(tmp_path: Path, run_uv: Runner, run_puv: Runner, repositories: Repositories) -> GitPair:
    return git_pair(tmp_path / "app", run_uv, run_puv, lambda d: write_app(d, repositories))


@needs_git
def test_first_sync_checks_out_builds_and_records_like_uv(
    app: GitPair, repositories: Repositories
) -> None:
    shown = app.same("sync", "--frozen")
    tagged = repositories.tagged.as_uri()
    commit = run_git(repositories.tagged, "rev-parse", "HEAD")
    source = f"git+{tagged}@{commit}#subdirectory=sub"
    for line in (
        f"   Updating {tagged} (v1)",
        f"    Updated {tagged} ({commit})",
        f"   Updating {repositories.revved.as_uri()} ({repositories.short_rev})",
        f"   Updating {repositories.default.as_uri()} (HEAD)",
        f"   Building gitpkg @ {source}",
        f"      Built gitpkg @ {source}",
    ):
        assert f"{line}\n" in shown
    assert f" + gitpkg==0.1.0 (from {source})\n" in shown
    assert f"gitpkg @ {source}" in app.freeze("puv")
    python = str(app.dir("puv") / ".venv" / "bin" / "python")
    ours = app.run_puv("pip", "freeze", "--python", python)
    theirs = app.run_uv("pip", "freeze", "--python", python)
    assert ours.stdout == theirs.stdout  # `puv pip freeze` names Git installs as uv does
    for name in ("gitpkg", "gitrev", "gitdefault"):
        for filename in ("direct_url.json", "uv_build.json"):
            assert app.recorded("puv", name, filename) == app.recorded("uv", name, filename)
    record = app.recorded("puv", "gitpkg", "RECORD").decode()
    assert "gitpkg-0.1.0.dist-info/direct_url.json,sha256=" in record
    # Nothing changed: nothing to do, with or without `--frozen`.
    assert app.same("sync", "--frozen") == "Checked 4 packages in T\n"
    assert app.same("sync") == "Resolved 4 packages in T\nChecked 4 packages in T\n"


@needs_git
def test_moved_lock_reinstalls_and_reinstall_reuses_the_build(
    app: GitPair, repositories: Repositories
) -> None:
    app.same("sync", "--frozen", "-q")
    default = repositories.default
    old = run_git(default, "rev-parse", "HEAD")
    (default / "src" / "gitdefault" / "__init__.py").write_text("NAME = 'moved'\n")
    new = commit_all(default, "second")
    relocked = app.run_uv(
        "lock",
        "--upgrade-package",
        "gitdefault",
        cwd=app.dir("uv"),
        env={"UV_CACHE_DIR": str(app.root / "lock-cache")},  # not the cache uv syncs with
    )
    assert relocked.returncode == 0, relocked.stderr
    shutil.copy(app.dir("uv") / "uv.lock", app.dir("puv") / "uv.lock")
    url = default.as_uri()
    preview = app.same("sync", "--frozen", "--dry-run")
    assert f" + gitdefault @ git+{url}@{new}\n" in preview
    shown = app.same("sync", "--frozen")
    assert f" - gitdefault==0.1.0 (from git+{url}@{old})\n" in shown
    assert f" + gitdefault==0.1.0 (from git+{url}@{new})\n" in shown
    python = app.dir("puv") / ".venv" / "bin" / "python"
    imported = subprocess.run(
        [python, "-c", "import gitdefault; print(gitdefault.NAME)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout == "moved\n"
    # A commit's wheel is reused by a reinstall: unpacked again, not rebuilt.
    shown = app.same("sync", "--frozen", "--reinstall-package", "gitpkg")
    assert " ~ gitpkg==0.1.0 (from git+" in shown
    assert "Building" not in shown and "Updating" not in shown
    shown = app.same("sync", "--frozen", "--reinstall")
    assert "Building git" not in shown and "Updating" not in shown  # the project is rebuilt


@needs_git
def test_run_installs_git_sources(app: GitPair) -> None:
    command = ("run", "--frozen", "python", "-c", "import gitpkg, gitrev; print(gitpkg.NAME)")
    theirs, ours = app.both(*command)
    assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout) == (0, "gitpkg\n")
    assert app.shown("puv", ours.stderr) == app.shown("uv", theirs.stderr)


@needs_git
def test_no_build_refuses_git_sources_like_uv(app: GitPair) -> None:
    for flags in (["--no-build"], ["--no-build-package", "gitrev"]):
        theirs, ours = app.both("sync", "--frozen", *flags)
        assert ours.returncode == theirs.returncode == 2
        assert app.shown("puv", ours.stderr) == app.shown("uv", theirs.stderr)
        assert "0.1.0 @ git+file://" in ours.stderr
        assert "because it is marked as `--no-build` but has no binary" in ours.stderr


@needs_git
def test_export_and_tree_list_git_sources_like_uv(app: GitPair) -> None:
    for command in (("export", "--frozen"), ("tree", "--frozen")):
        theirs, ours = app.both(*command)
        assert (ours.returncode, ours.stdout) == (theirs.returncode, _as_puv(theirs.stdout))
        assert "gitpkg" in ours.stdout


@needs_git
def test_build_failure_names_the_git_source(
    tmp_path: Path, run_uv: Runner, run_puv: Runner
) -> None:
    broken = tmp_path / "broken"
    write_member(broken, "broken", [])
    backend = broken / "_build" / "backend.py"
    backend.write_text(
        backend.read_text() + "\ndef build_wheel(*args, **kwargs):\n"
        "    print('backend says no')\n    raise SystemExit(3)\n"
    )
    run_git(broken, "init", "-q", "-b", "main")
    commit = commit_all(broken, "broken")

    def write(directory: Path) -> None:
        write_member(
            directory,
            "app",
            ["broken"],
            extra=f'\n[tool.uv.sources]\nbroken = {{ git = "{broken.as_uri()}" }}\n',
        )

    pair = git_pair(tmp_path / "app", run_uv, run_puv, write)
    theirs, ours = pair.both("sync", "--frozen")
    assert ours.returncode == theirs.returncode == 1
    first = f"error: Failed to build `broken @ git+{broken.as_uri()}@{commit}`\n"
    cause = "  cause: Call to `backend.build_wheel` failed (exit status: 3)\n"
    for tool, result in (("uv", theirs), ("puv", ours)):
        shown = pair.shown(tool, result.stderr)
        assert first in shown and cause in shown and "backend says no" in shown


# ------------------------------------------------------------------------ the pieces, alone

COMMIT = "e5c3d0e291bc7cd237de6cda40a11ff274f2f078"
LOCK = f"""\
version = 1
revision = 3
requires-python = ">=3.11"

[[package]]
name = "gitpkg"
version = "0.1.0"
source = {{ git = "https://example.com/mono.git?subdirectory=sub&tag=v1#{COMMIT}" }}

[[package]]
name = "gitlfs"
version = "2.0"
source = {{ git = "https://example.com/big?lfs=true#{COMMIT}" }}

[[package]]
name = "nocommit"
version = "1.0"
source = {{ git = "https://example.com/repo?branch=main#abc" }}
"""


def test_locked_git_source_is_named_as_uv_names_it() -> None:
    lock = parse_lock(LOCK)
    gitpkg, gitlfs = lock.find("gitpkg")[0], lock.find("gitlfs")[0]
    [dist] = locked_dists([gitpkg], Path("/work"))
    assert dist == LockedDist(
        "gitpkg",
        "0.1.0",
        "git",
        f"git+https://example.com/mono.git@{COMMIT}#subdirectory=sub",
        git=f"https://example.com/mono.git?subdirectory=sub&tag=v1#{COMMIT}",
    )
    assert dist.display == f"gitpkg @ git+https://example.com/mono.git@{COMMIT}#subdirectory=sub"
    with pytest.raises(PuvError) as refused:
        locked_dists([gitlfs], Path("/work"))
    assert refused.value.message == (
        f"Distribution `gitlfs==2.0 @ git+https://example.com/big?lfs=true#{COMMIT}` can't be "
        "installed because puv cannot install Git LFS sources yet"
    )
    with pytest.raises(PuvError) as refused:
        locked_dists(lock.find("nocommit"), Path("/work"))
    assert refused.value.message == (
        "Failed to parse Git URL of `nocommit` in the lockfile: "
        "`https://example.com/repo?branch=main#abc`"
    )
    without_commit = LOCK.replace("branch=main#abc", "branch=main")
    with pytest.raises(LockParseError) as unparsed:  # as uv's parser: no commit, no lock
        parse_lock(without_commit)
    assert unparsed.value.causes[0].endswith("| ^^^^^^^^^^^\nFailed to parse Git URL")


def test_installed_git_source_is_current_for_its_commit_subdirectory_and_settings(
    tmp_path: Path,
) -> None:
    [dist] = locked_dists(parse_lock(LOCK).find("gitpkg"), Path("/work"))
    document = direct_url_document(GitUrl.parse(dist.git or ""))
    assert list(document) == ["url", "vcs_info", "subdirectory"]
    assert document["vcs_info"] == {"vcs": "git", "commit_id": COMMIT, "requested_revision": "v1"}

    def installed(direct_url: dict[str, Any] | None, build: str | None = None) -> InstalledDist:
        path = tmp_path / "gitpkg-0.1.0.dist-info"
        path.mkdir(exist_ok=True)
        (path / "uv_build.json").unlink(missing_ok=True)
        if build is not None:
            (path / "uv_build.json").write_text(build)
        return InstalledDist("gitpkg", "0.1.0", path, "dist-info", True, True, "uv", direct_url)

    assert is_current(installed(document, "{}"), dist, build={})
    assert is_current(installed(document), dist, build={"config_settings": {"a": "b"}})
    other_url = {**document, "url": "https://example.com/mono/"}
    assert is_current(installed(other_url), dist, build={})  # the same repository
    assert installed(document).url == dist.url
    stale = [
        None,
        {**document, "vcs_info": {**document["vcs_info"], "commit_id": "0" * 40}},
        {**document, "subdirectory": "other"},
        {key: value for key, value in document.items() if key != "subdirectory"},
        {**document, "url": "https://example.com/other.git"},
        {"url": document["url"], "archive_info": {}},
    ]
    for direct_url in stale:
        assert not is_current(installed(direct_url), dist, build={})
    assert not is_current(installed(document, "{}"), dist, build={"config_settings": {"a": "b"}})


# ------------------------------------------------------------------------ over HTTP, offline


class DumbGitServer:
    """Bare repositories served over HTTP as static files (git's "dumb" protocol)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> DumbGitServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def publish(self, repository: Path) -> str:
        """Serve a bare copy of `repository`; its URL."""
        bare = self.root / f"{repository.name}.git"
        shutil.rmtree(bare, ignore_errors=True)
        run_git(self.root, "clone", "-q", "--bare", str(repository), str(bare))
        run_git(bare, "update-server-info")
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/{bare.name}"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No request log on stderr."""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[DumbGitServer]:
    (tmp_path / "served").mkdir()
    with DumbGitServer(tmp_path / "served") as server:
        yield server


@needs_git
def test_offline_sync_from_a_warm_cache(
    tmp_path: Path, run_uv: Runner, run_puv: Runner, served: DumbGitServer
) -> None:
    repository = new_repository(tmp_path / "remote", {"": "gitremote"})
    run_git(repository, "tag", "v2")
    url = served.publish(repository)

    def write(directory: Path) -> None:
        write_member(
            directory,
            "app",
            ["gitremote"],
            extra=f'\n[tool.uv.sources]\ngitremote = {{ git = "{url}", tag = "v2" }}\n',
        )

    pair = git_pair(tmp_path / "app", run_uv, run_puv, write)
    # A cold cache cannot fetch offline (uv's first lines; git says why, in its own words).
    theirs, ours = pair.both("sync", "--frozen", "--offline")
    assert ours.returncode == theirs.returncode == 1
    error = f"error: Failed to download and build `gitremote @ git+{url}@"
    for tool, result in (("uv", theirs), ("puv", ours)):
        assert f"   Updating {url} (v2)\n{error}" in pair.shown(tool, result.stderr)
    shown = pair.same("sync", "--frozen")
    assert f"    Updated {url} (" in shown
    # The built wheel is reused offline, the environment made again without Git.
    for tool in ("uv", "puv"):
        shutil.rmtree(pair.dir(tool) / ".venv")
    shown = pair.same("sync", "--frozen", "--offline")
    assert "Updating" not in shown and "Building" not in shown
    assert " + gitremote==0.1.0 (from git+" in shown
    # With only the repository's database left in the cache, the commit is checked out and
    # built again from it, offline.
    cache = tmp_path / "puv-cache"
    for built in (*cache.glob("puv-sdists-*"), *cache.glob("puv-git-*/checkouts")):
        shutil.rmtree(built)
    shutil.rmtree(pair.dir("puv") / ".venv")
    result = pair.run("puv", "sync", "--frozen", "--offline")
    assert result.returncode == 0, result.stderr
    assert "Updating" not in result.stderr
    assert f"   Building gitremote @ git+{url}@" in result.stderr
