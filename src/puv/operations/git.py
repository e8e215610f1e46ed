"""Git sources through the `git` command: a reference resolved to a commit, and the commit's tree.

As uv does it: each repository has a bare database in the `git` cache bucket (keyed by its URL)
that `git fetch` fills with just the refspecs the reference needs (one branch or tag; every
branch or else the tag of a `rev` name; every branch and tag for a `rev` that may be a short
commit; the commit itself when it is known); the commit is then cloned once into
`checkouts/<repository>/<commit>` (with `.git`) and reused by every later run. A commit
the database already holds needs no fetch, so a lock's pinned commits work offline.

`GitUrl` is the text form uv.lock and the lowered `[tool.uv.sources]` use:
`<repository>?subdirectory=<dir>&tag=<tag>#<commit>` (`branch`/`tag`/`rev`, all optional).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from msgspec import Struct

from puv.core.errors import FailureError, PuvError
from puv.core.paths import user_display

__all__ = ["GitCheckouts", "GitError", "GitReference", "GitUrl", "git_available"]

_FULL_COMMIT = re.compile(r"^[0-9a-f]{40}$")


class GitReference(Struct, frozen=True):
    """What to check out: `kind` is `branch`, `tag`, `rev` (a branch, tag or commit) or
    `default` (the remote's HEAD); `value` is the name (None for `default`)."""

    kind: str = "default"
    value: str | None = None

    @property
    def display(self) -> str:
        """The reference as uv's `Updating <url> (<reference>)` line shows it."""
        return self.value or "HEAD"

    @property
    def kind_text(self) -> str:
        """The words uv's errors use for the reference (`failed to fetch tag ...`): a `rev` is
        a ref (`refs/...`), maybe a commit (7 hex digits or more), else a branch or tag."""
        if self.kind != "rev":
            return {"branch": "branch", "tag": "tag"}.get(self.kind, "reference")
        value = self.value or ""
        if value.startswith("refs/"):
            return "ref"
        return "branch, tag, or commit" if _maybe_commit(value) else "branch or tag"


class GitUrl(Struct, frozen=True):
    """A Git source: the `repository` URL (without `git+`, query or fragment), the `reference`,
    the `subdirectory` holding the project, and the `precise` commit when known."""

    repository: str
    reference: GitReference = GitReference()
    subdirectory: str | None = None
    precise: str | None = None

    @classmethod
    def parse(cls, text: str) -> GitUrl:
        """Parse uv.lock's `git = "..."` text (or a lowered source's, without the commit)."""
        parts = urlsplit(text.removeprefix("git+"))
        query = dict(parse_qsl(parts.query))
        reference = GitReference()
        for kind in ("branch", "tag", "rev"):
            if kind in query:
                reference = GitReference(kind, query[kind])
        repository = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        return cls(repository, reference, query.get("subdirectory"), parts.fragment or None)

    @classmethod
    def from_requirement(cls, url: str) -> GitUrl:
        """Parse a PEP 508 `git+<repository>[@<reference>][#subdirectory=<dir>]` URL (the
        reference is a `rev`: a branch, a tag or a commit)."""
        parts = urlsplit(url.removeprefix("git+"))
        path, _, reference = parts.path.partition("@")
        fragment = dict(parse_qsl(parts.fragment))
        repository = urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
        kind = GitReference("rev", reference) if reference else GitReference()
        return cls(repository, kind, fragment.get("subdirectory"))

    def pinned_requirement_url(self, commit: str) -> str:
        """`git+<repository>@<commit>[#subdirectory=<dir>]`, as `pip compile` writes it."""
        text = f"git+{self.repository}@{commit}"
        return text if self.subdirectory is None else f"{text}#subdirectory={self.subdirectory}"

    def requirement_display(self, name: str) -> str:
        """`name @ git+<repository>@<reference>#subdirectory=<dir>` as uv's errors show it."""
        text = f"{name} @ git+{self.repository}"
        if self.reference.value is not None:
            text += f"@{self.reference.value}"
        if self.subdirectory is not None:
            text += f"#subdirectory={self.subdirectory}"
        return text


def project_directory(tree: Path, subdirectory: str | None, shown: str) -> Path:
    """The project in a checked-out `tree`: its `subdirectory`, or uv's error for the
    requirement shown as `shown` (`name @ url`) when the commit has none."""
    if subdirectory is None:
        return tree
    directory = tree / subdirectory
    if not directory.is_dir():
        source = shown.partition(" @ ")[2] or shown
        raise FailureError(
            f"Failed to download and build `{shown}`",
            causes=[f"The source distribution `{source}` has no subdirectory `{subdirectory}`"],
        )
    return directory


def git_available() -> bool:
    """Whether a `git` executable is on `PATH`."""
    return shutil.which("git") is not None


class GitError(FailureError):
    """A failed Git operation: uv's `Git operation failed` with the steps that failed as
    causes (the caller names the requirement)."""

    def __init__(self, causes: Sequence[str]) -> None:
        super().__init__("Git operation failed", causes=list(causes))


class GitCheckouts:
    """Commits of Git repositories, fetched into and exported from the cache bucket `root`.

    `status` receives uv's progress lines (`   Updating <url> (<ref>)`, `    Updated <url>
    (<commit>)`); `offline` restricts fetches to `file` URLs, as uv does. A reference is resolved
    once per instance: later asks get the same commit without a fetch.
    """

    def __init__(self, root: Path, status: Callable[[str], None], *, offline: bool = False):
        self.root = root
        self.status = status
        self.offline = offline
        self._cloning: set[Path] = set()  # databases created by this run (first fetch: a clone)
        self._resolved: dict[tuple[str, GitReference], str] = {}

    def resolve(self, url: GitUrl) -> str:
        """The commit `url`'s reference names now (its `precise` commit when it has one),
        fetching what the repository's database lacks."""
        if url.precise is not None:
            return self._resolve(url)
        key = (url.repository, url.reference)
        commit = self._resolved.get(key)
        if commit is None:
            commit = self._resolved[key] = self._resolve(url)
        return commit

    def resolve_for(self, url: GitUrl, shown: str) -> str:
        """`resolve`, failing as uv does for a requirement shown as `shown` (`Failed to download
        and build `<shown>``, the Git steps as causes)."""
        try:
            return self.resolve(url)
        except GitError as error:
            raise _failed_for(shown, error) from None

    def project_for(self, url: GitUrl, commit: str, shown: str) -> Path:
        """The project directory (`url`'s subdirectory) of `commit`, checked out; failing as uv
        does for a requirement shown as `shown`."""
        try:
            tree = self.checkout(url, commit)
        except GitError as error:
            raise _failed_for(shown, error) from None
        return project_directory(tree, url.subdirectory, shown)

    def _resolve(self, url: GitUrl) -> str:
        database = self._database(url.repository)
        if url.precise is not None:
            if self._commit(database, url.precise) is None:
                self._fetch_commit(database, url, url.precise)
            return url.precise
        reference = url.reference
        known = self._known_commit(database, reference)
        if known is not None:
            return known
        self.status(f"   Updating {url.repository} ({reference.display})")
        self._fetch_reference(database, url)
        commit = self._resolve_fetched(database, reference)
        if commit is None:
            raise GitError([f"failed to find {reference.kind_text} `{reference.display}`"])
        self.status(f"    Updated {url.repository} ({commit})")
        return commit

    def checkout(self, url: GitUrl, commit: str) -> Path:
        """A working tree of `commit` (fetched first if needed), cloned once into the cache as
        uv does (a local clone of the database reset to the commit, `.git` included, so that
        build backends that ask Git for the version find it); the project directory is
        `checkout(...) / subdirectory`."""
        target = self.root / "checkouts" / _key(url.repository) / commit
        if target.is_dir():
            return target
        database = self._database(url.repository)
        if self._commit(database, commit) is None:
            self._fetch_commit(database, url, commit)
        from puv.cache.persist import persist_dir, temp_dir_in

        stage = temp_dir_in(target.parent)
        try:
            causes = [f"failed to clone into: {user_display(stage, Path.cwd())}"]
            self._git(database, ["clone", "--local", "--no-checkout", str(database), str(stage)],
                      causes)  # fmt: skip
            self._git(stage, ["reset", "--hard", "--quiet", commit], causes)
            # uv's submodules: the direct ones with relative URLs resolved against the
            # repository (its credentials left out, so none are written into the checkout),
            # then the nested ones against their own parents
            from puv.index.auth import split_credentials

            origin = f"remote.origin.url={split_credentials(url.repository)[0]}"
            self._git(stage, ["-c", origin, "submodule", "update", "--init"], causes)
            self._git(stage, ["submodule", "update", "--recursive", "--init"], causes)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        persist_dir(stage, target)
        return target

    # ---- the database

    def _database(self, repository: str) -> Path:
        database = self.root / "db" / _key(repository)
        if not (database / "HEAD").is_file():
            database.mkdir(parents=True, exist_ok=True)
            self._git(database, ["init", "--bare", "--quiet"], [f"failed to create: {database}"])
            self._cloning.add(database)
        return database

    def _fetch_reference(self, database: Path, url: GitUrl) -> None:
        reference = url.reference
        value = reference.value or ""
        tags = False
        if reference.kind == "branch":
            refspecs = [f"+refs/heads/{value}:refs/remotes/origin/{value}"]
        elif reference.kind == "tag":
            refspecs = [f"+refs/tags/{value}:refs/remotes/origin/tags/{value}"]
        elif reference.kind == "rev" and value.startswith("refs/"):
            refspecs = [f"+{value}:{value}"]
        elif reference.kind == "rev" and _FULL_COMMIT.match(value):
            refspecs = [f"+{value}:refs/commit/{value}"]
        elif reference.kind == "rev" and _maybe_commit(value):
            refspecs = ["+refs/heads/*:refs/remotes/origin/*", "+HEAD:refs/remotes/origin/HEAD"]
            tags = True
        elif reference.kind == "rev":  # uv fetches the branch of that name, else the tag
            failed = f"failed to fetch {reference.kind_text} `{value}`"
            branch = f"+refs/heads/{value}:refs/remotes/origin/{value}"
            try:
                self._fetch(database, url, [branch], tags=False, cause=failed)
            except GitError:
                tag = f"+refs/tags/{value}:refs/remotes/origin/tags/{value}"
                self._fetch(database, url, [tag], tags=False, cause=failed)
            return
        else:
            refspecs = ["+HEAD:refs/remotes/origin/HEAD"]
        cause = None if reference.kind == "default" else f"failed to fetch {reference.kind_text} "
        self._fetch(database, url, refspecs, tags=tags, cause=cause and f"{cause}`{value}`")

    def _fetch_commit(self, database: Path, url: GitUrl, commit: str) -> None:
        # uv names the reference being updated, and the commit it found
        self.status(f"   Updating {url.repository} ({url.reference.display})")
        self._fetch(
            database,
            url,
            [f"+{commit}:refs/commit/{commit}"],
            tags=False,
            cause=f"failed to fetch commit `{commit}`",
        )
        self.status(f"    Updated {url.repository} ({commit})")

    def _fetch(
        self, database: Path, url: GitUrl, refspecs: Sequence[str], *, tags: bool, cause: str | None
    ) -> None:
        for value in (url.repository, *refspecs):
            if value.startswith("-"):
                raise PuvError(f"Invalid Git URL or reference: `{value}`")
        arguments = ["fetch", *(["--tags"] if tags else []), "--force", "--update-head-ok"]
        verb = "clone" if database in self._cloning else "fetch"
        shown = user_display(database, Path.cwd())
        causes = [f"failed to {verb} into: {shown}", *([cause] if cause else [])]
        if self.offline and not url.repository.startswith("file:"):
            raise GitError(
                [
                    *causes,
                    "Remote Git fetches are not allowed because network connectivity is disabled "
                    "(i.e., with `--offline`)",
                ]
            )
        self._git(database, [*arguments, url.repository, *refspecs], causes)
        self._cloning.discard(database)

    def _known_commit(self, database: Path, reference: GitReference) -> str | None:
        """A full commit hash `reference` names that `database` already holds (no fetch)."""
        value = reference.value or ""
        if reference.kind != "rev" or not _FULL_COMMIT.match(value):
            return None
        return self._commit(database, value)

    def _resolve_fetched(self, database: Path, reference: GitReference) -> str | None:
        value = reference.value or ""
        candidates = {
            "branch": [f"refs/remotes/origin/{value}"],
            "tag": [f"refs/remotes/origin/tags/{value}"],
            "default": ["refs/remotes/origin/HEAD"],
        }.get(reference.kind)
        if candidates is None:  # rev: a branch, then a tag, then anything else git knows it as
            candidates = [
                f"refs/remotes/origin/{value}",
                f"refs/remotes/origin/tags/{value}",
                value,
            ]
        for candidate in candidates:
            commit = self._commit(database, candidate)
            if commit is not None:
                return commit
        return None

    def _commit(self, database: Path, revision: str) -> str | None:
        """The commit `revision` names in `database`, or None."""
        result = self._run(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], database)
        text = result.stdout.decode().strip()
        return text if result.returncode == 0 and _FULL_COMMIT.match(text) else None

    # ---- running git

    def _git(self, database: Path, arguments: list[str], causes: list[str]) -> bytes:
        """Run `git arguments` in `database`: its output, or a `GitError` whose causes are
        `causes` and the failed process."""
        result = self._run(arguments, database)
        if result.returncode != 0:
            shown = " ".join(_shell_escaped(part) for part in [_git_executable(), *arguments])
            stderr = result.stderr.decode(errors="replace").strip()
            process = (
                f"process didn't exit successfully: `{shown}` (exit status: {result.returncode})"
            )
            if stderr:
                process += f"\n--- stderr\n{stderr}"
            raise GitError([*causes, process])
        return result.stdout

    def _run(self, arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
        environment = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_LFS_SKIP_SMUDGE="1")
        if self.offline:
            environment["GIT_ALLOW_PROTOCOL"] = "file"
        try:
            return subprocess.run(
                ["git", *arguments], cwd=cwd, capture_output=True, env=environment, check=False
            )
        except FileNotFoundError:
            raise PuvError(
                "Git executable not found. Ensure that Git is installed and available."
            ) from None


def _maybe_commit(value: str) -> bool:
    """Whether a `rev` may be a commit hash, as uv guesses: 7 hex digits or more."""
    return len(value) >= 7 and all(char in "0123456789abcdefABCDEF" for char in value)


def _git_executable() -> str:
    return shutil.which("git") or "git"


def _shell_escaped(argument: str) -> str:
    """`argument` as uv shows it in a failed command line (single-quoted unless it is plain)."""
    if argument and all(char.isalnum() or char in "-_=/,.+" for char in argument):
        return argument
    return "'" + argument.replace("'", "'\\''") + "'"


def _failed_for(shown: str, error: GitError) -> FailureError:
    """uv's error for a Git step that failed for the requirement shown as `shown`."""
    return FailureError(
        f"Failed to download and build `{shown}`", causes=[error.message, *error.causes]
    )


def _key(repository: str) -> str:
    """The cache directory name of a repository (its URL without a trailing `.git` or `/`)."""
    canonical = repository.rstrip("/").removesuffix(".git")
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
