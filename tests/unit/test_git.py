"""`puv.operations.git`: uv.lock's Git URL text, and references resolved and checked out through
the real `git` command against repositories made with `git init` in a temp dir."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from puv.operations.git import GitCheckouts, GitError, GitReference, GitUrl

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def run_git(repository: Path, *args: str) -> str:
    """`git ARGS` in `repository` with a fixed identity; its output."""
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t"}
    identity |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    result = subprocess.run(
        ["git", *args],
        cwd=repository,
        env={**os.environ, **identity},
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """`main` with two commits: the first tagged `v1` (file says "one"), the second "two"; a
    branch `feature` with a third commit ("three")."""
    path = tmp_path / "repo"
    path.mkdir()
    run_git(path, "init", "-q", "-b", "main")
    (path / "file.txt").write_text("one")
    run_git(path, "add", "-A")
    run_git(path, "commit", "-qm", "one")
    run_git(path, "tag", "-a", "v1", "-m", "annotated")
    (path / "file.txt").write_text("two")
    run_git(path, "commit", "-qam", "two")
    run_git(path, "checkout", "-q", "-b", "feature")
    (path / "file.txt").write_text("three")
    run_git(path, "commit", "-qam", "three")
    run_git(path, "checkout", "-q", "main")
    return path


@pytest.fixture
def checkouts(tmp_path: Path) -> tuple[GitCheckouts, list[str]]:
    lines: list[str] = []
    return GitCheckouts(tmp_path / "cache", lines.append), lines


def test_parse_lock_text() -> None:
    url = GitUrl.parse("https://example.com/r.git?subdirectory=a%2Fb&tag=v0.9#" + "a" * 40)
    assert url == GitUrl("https://example.com/r.git", GitReference("tag", "v0.9"), "a/b", "a" * 40)
    assert GitUrl.parse("git+file:///tmp/repo") == GitUrl("file:///tmp/repo")
    assert GitUrl.parse("ssh://git@host/r?rev=abc").reference == GitReference("rev", "abc")
    assert GitUrl.parse("file:///r?branch=dev").reference.display == "dev"
    assert GitUrl("file:///r").reference.display == "HEAD"


def test_requirement_display_is_uvs() -> None:
    url = GitUrl("file:///tmp/repo", GitReference("tag", "v9"), "sub")
    assert url.requirement_display("pkg") == "pkg @ git+file:///tmp/repo@v9#subdirectory=sub"
    assert GitUrl("file:///tmp/repo").requirement_display("pkg") == "pkg @ git+file:///tmp/repo"


@needs_git
@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (GitReference("tag", "v1"), "v1^{commit}"),
        (GitReference("branch", "feature"), "feature"),
        (GitReference(), "main"),
        (GitReference("rev", "feature"), "feature"),
        (GitReference("rev", "v1"), "v1^{commit}"),
    ],
)
def test_resolve_reference(
    repository: Path, checkouts: tuple[GitCheckouts, list[str]], reference, expected
) -> None:
    git, lines = checkouts
    url = GitUrl(repository.as_uri(), reference)
    commit = git.resolve(url)
    assert commit == run_git(repository, "rev-parse", expected)
    assert lines == [
        f"   Updating {repository.as_uri()} ({reference.display})",
        f"    Updated {repository.as_uri()} ({commit})",
    ]


@pytest.mark.parametrize(
    ("value", "words"),
    [("v1", "branch or tag"), ("abc1234", "branch, tag, or commit"), ("refs/pull/1", "ref")],
)
def test_a_rev_is_named_as_uv_guesses_what_it_is(value: str, words: str) -> None:
    assert GitReference("rev", value).kind_text == words


@needs_git
def test_a_rev_that_is_no_branch_or_tag_fails_on_the_tag_fetch(
    repository: Path, checkouts: tuple[GitCheckouts, list[str]]
) -> None:
    git, _lines = checkouts
    with pytest.raises(GitError) as caught:
        git.resolve(GitUrl(repository.as_uri(), GitReference("rev", "nosuch")))
    causes = list(caught.value.causes)
    assert causes[1] == "failed to fetch branch or tag `nosuch`"
    assert "'+refs/tags/nosuch:refs/remotes/origin/tags/nosuch'" in causes[2]


@needs_git
def test_resolve_short_and_full_commits(
    repository: Path, checkouts: tuple[GitCheckouts, list[str]]
) -> None:
    git, lines = checkouts
    first = run_git(repository, "rev-parse", "main~1")
    assert git.resolve(GitUrl(repository.as_uri(), GitReference("rev", first[:9]))) == first
    lines.clear()
    # A full commit the database already holds needs no fetch, even with the repository gone.
    shutil.rmtree(repository)
    assert git.resolve(GitUrl(repository.as_uri(), GitReference("rev", first))) == first
    assert git.resolve(GitUrl(repository.as_uri(), precise=first)) == first
    assert lines == []


@needs_git
def test_precise_commit_missing_from_the_database_is_fetched(
    repository: Path, checkouts: tuple[GitCheckouts, list[str]]
) -> None:
    git, lines = checkouts
    head = run_git(repository, "rev-parse", "feature")
    url = GitUrl(repository.as_uri(), GitReference("branch", "main"), precise=head)
    assert git.resolve(url) == head
    assert lines == [
        f"   Updating {repository.as_uri()} (main)",
        f"    Updated {repository.as_uri()} ({head})",
    ]


@needs_git
def test_missing_tag_fails_as_uv(
    repository: Path, checkouts: tuple[GitCheckouts, list[str]], tmp_path: Path
) -> None:
    git, _ = checkouts
    with pytest.raises(GitError) as raised:
        git.resolve(GitUrl(repository.as_uri(), GitReference("tag", "v9")))
    error = raised.value
    assert error.message == "Git operation failed"
    assert error.causes[0].startswith(f"failed to clone into: {tmp_path / 'cache' / 'db'}")
    assert error.causes[1] == "failed to fetch tag `v9`"
    assert error.causes[2].startswith(
        f"process didn't exit successfully: `{shutil.which('git')} fetch --force "
        f"--update-head-ok '{repository.as_uri()}' '+refs/tags/v9:refs/remotes/origin/tags/v9'` "
        "(exit status: 128)\n--- stderr\n"
    )
    assert "couldn't find remote ref refs/tags/v9" in error.causes[2]
    assert error.exit_code == 1
    later = GitCheckouts(tmp_path / "cache", lambda line: None)  # as a later run
    with pytest.raises(GitError) as again:  # the database exists now: a fetch, not a clone
        later.resolve(GitUrl(repository.as_uri(), GitReference("tag", "v9")))
    assert again.value.causes[0].startswith("failed to fetch into: ")


@needs_git
def test_checkout_clones_the_commit_once(
    repository: Path, checkouts: tuple[GitCheckouts, list[str]], tmp_path: Path
) -> None:
    git, _ = checkouts
    url = GitUrl(repository.as_uri(), GitReference("tag", "v1"))
    commit = git.resolve(url)
    (repository / "file.txt").write_text("uncommitted")
    tree = git.checkout(url, commit)
    assert (tree / "file.txt").read_text() == "one"
    assert tree == tmp_path / "cache" / "checkouts" / tree.parent.name / commit
    # a working tree with its history, as uv's: setuptools-scm and the like ask Git
    assert run_git(tree, "rev-parse", "HEAD") == commit
    assert run_git(tree, "status", "--porcelain") == ""
    shutil.rmtree(repository)
    assert git.checkout(url, commit) == tree


@needs_git
def test_checkout_initialises_submodules_from_relative_urls(
    tmp_path: Path, checkouts: tuple[GitCheckouts, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A submodule at `../library` resolves against the repository's own URL (not the cache's
    database), as uv resolves it."""
    # git refuses `file:` submodules unless told otherwise (CVE-2022-39253)
    for key, value in {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "protocol.file.allow",
                       "GIT_CONFIG_VALUE_0": "always"}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    library = tmp_path / "library"
    library.mkdir()
    run_git(library, "init", "-q", "-b", "main")
    (library / "lib.txt").write_text("library")
    run_git(library, "add", "-A")
    run_git(library, "commit", "-qm", "library")
    app = tmp_path / "app"
    app.mkdir()
    run_git(app, "init", "-q", "-b", "main")
    run_git(app, "submodule", "add", "-q", "../library", "vendor/library")
    run_git(app, "commit", "-qm", "with a submodule")
    git, _ = checkouts
    url = GitUrl(app.as_uri())
    tree = git.checkout(url, git.resolve(url))
    assert (tree / "vendor" / "library" / "lib.txt").read_text() == "library"


@needs_git
def test_offline_allows_only_local_repositories(tmp_path: Path, repository: Path) -> None:
    offline = GitCheckouts(tmp_path / "cache", lambda line: None, offline=True)
    assert offline.resolve(GitUrl(repository.as_uri(), GitReference("tag", "v1")))
    with pytest.raises(GitError) as raised:
        offline.resolve(GitUrl("https://example.invalid/repo.git"))
    assert raised.value.causes[-1] == (
        "Remote Git fetches are not allowed because network connectivity is disabled "
        "(i.e., with `--offline`)"
    )


def test_option_like_urls_are_refused(tmp_path: Path) -> None:
    git = GitCheckouts(tmp_path / "cache", lambda line: None)
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    with pytest.raises(Exception, match="Invalid Git URL or reference"):
        git.resolve(GitUrl("--upload-pack=touch /tmp/pwned"))
