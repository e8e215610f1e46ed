"""Git sources in a project environment: a locked commit checked out, built and recorded as uv does.

`puv sync` installs a locked `source = { git = "<repository>?<reference>#<commit>" }` package from
a (non-editable) wheel built from the commit: the commit is checked out through `GitCheckouts`
(the `git` bucket: no fetch, so no network, when the repository's database holds it), the project
in its `subdirectory` built by its own backend, and the wheel remembered under the repository,
commit and subdirectory (`build_key`): a commit never changes, so it is built once and reused even
by `--reinstall`. The installed `.dist-info` gets uv's `direct_url.json` (`{"url": <repository>,
"vcs_info": {"vcs": "git", "commit_id": ..., "requested_revision": ...}, "subdirectory": ...}`)
and `uv_build.json`; an installed distribution stays while they name the same repository,
subdirectory and commit, built with the same settings (uv's `RequirementSatisfaction`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from puv.core.errors import FailureError, PuvError
from puv.lock.install_target import LockedDist
from puv.operations.context import Context
from puv.operations.git import GitCheckouts, GitUrl, project_directory

if TYPE_CHECKING:
    from puv.build.frontend import ConfigSettings
    from puv.install.installed import InstalledDist
    from puv.python.interpreter import Interpreter

__all__ = [
    "build_key",
    "build_wheel",
    "check_out",
    "direct_url_document",
    "git_url",
    "is_current",
    "record_install",
]


def git_url(dist: LockedDist) -> GitUrl:
    """The locked Git source of `dist` (its repository, reference, subdirectory and commit)."""
    assert dist.git is not None, dist
    return GitUrl.parse(dist.git)


def build_key(dist: LockedDist) -> str:
    """The key the wheel built from `dist`'s commit is remembered under."""
    url = git_url(dist)
    return f"git:{_canonical(url.repository)}@{url.precise}#{url.subdirectory or ''}"


def direct_url_document(url: GitUrl) -> dict[str, Any]:
    """uv's `direct_url.json` of an install from the locked commit of `url`, keys in its order."""
    vcs_info: dict[str, str] = {"vcs": "git"}
    if url.precise is not None:
        vcs_info["commit_id"] = url.precise
    if url.reference.value is not None:
        vcs_info["requested_revision"] = url.reference.value
    document: dict[str, Any] = {"url": url.repository, "vcs_info": vcs_info}
    if url.subdirectory is not None:
        document["subdirectory"] = url.subdirectory
    return document


def is_current(installed: InstalledDist, dist: LockedDist, *, build: Mapping[str, Any]) -> bool:
    """Whether `installed` is `dist`'s locked commit: a Git install of the same repository and
    subdirectory at that commit, built with the same settings (`build`) when it says."""
    direct_url = installed.direct_url
    if direct_url is None:
        return False
    vcs_info = direct_url.get("vcs_info")
    repository = direct_url.get("url")
    if not isinstance(vcs_info, Mapping) or vcs_info.get("vcs") != "git":
        return False
    url = git_url(dist)
    if not isinstance(repository, str) or _canonical(repository) != _canonical(url.repository):
        return False
    if direct_url.get("subdirectory") != url.subdirectory or "path" in direct_url:
        return False
    if vcs_info.get("commit_id") != url.precise or vcs_info.get("git_lfs"):
        return False
    from puv.operations.editable import built_with

    return built_with(installed, build)


def check_out(ctx: Context, dist: LockedDist) -> Path:
    """The project directory of `dist`'s locked commit, checked out into the cache (fetched
    first when the repository's database lacks it, with uv's `Updating`/`Updated` lines)."""
    url = git_url(dist)
    assert url.precise is not None, dist.git
    checkouts = GitCheckouts(ctx.cache.bucket("git"), ctx.printer.status, offline=ctx.offline)
    try:
        tree = checkouts.checkout(url, url.precise)
    except PuvError as err:
        raise FailureError(
            f"Failed to download and build `{dist.display}`",
            causes=[err.message, *err.causes],
            hint=err.hint,
        ) from None
    return project_directory(tree, url.subdirectory, dist.display)


def build_wheel(
    ctx: Context,
    dist: LockedDist,
    tree: Path,
    interpreter: Interpreter,
    *,
    config_settings: ConfigSettings | None,
) -> Path:
    """A wheel built (not editable) from `tree`, `dist`'s checked-out project; a failure names
    the Git source as uv does (`Failed to build `name @ git+...@<commit>``)."""
    from puv.build.errors import BuildError
    from puv.operations.build_ops import build_wheel_for

    try:
        return build_wheel_for(ctx, tree, interpreter, config_settings=config_settings)
    except BuildError as err:
        raise BuildError(
            f"Failed to build `{dist.display}`", causes=list(err.causes), hint=err.hint
        ) from None


def record_install(dist_info: Path, url: GitUrl, *, build: Mapping[str, Any]) -> None:
    """Write uv's `direct_url.json` and `uv_build.json` of an install from `url`'s commit (its
    `precise`) into its `.dist-info`."""
    from puv.install.wheel_install import add_dist_info_files

    documents = {"direct_url.json": direct_url_document(url), "uv_build.json": build}
    add_dist_info_files(
        dist_info,
        {
            name: json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
            for name, document in documents.items()
        },
    )


def _canonical(repository: str) -> str:
    """A repository URL compared as uv compares them: without a trailing `/` or `.git`."""
    return repository.removeprefix("git+").rstrip("/").removesuffix(".git")
