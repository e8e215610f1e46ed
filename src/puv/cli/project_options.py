"""Option groups the project commands (`lock`, `sync`, `run`, `add`, ...) share, as uv declares
them: index options, resolver options and the lock-mode flags."""

from __future__ import annotations

from typing import Any

from puv.cli.parser import KeyValuePairs, Parser

__all__ = [
    "add_build_isolation_options",
    "add_index_options",
    "add_lock_mode_options",
    "add_refresh_options",
    "add_resolver_options",
    "exclude_newer_package",
]


def add_index_options(parser: Parser) -> None:
    """`--index`, `--default-index`, `-i`, `--extra-index-url`, `-f`, `--no-index`,
    `--index-strategy` (the last five merge into the settings)."""
    group = parser.add_argument_group("Index options")
    parser.opt("--index", action="append", metavar="INDEX", env="UV_INDEX", split=True,
               group=group, help="The URLs to use when resolving dependencies, in addition to "
               "the default index")  # fmt: skip
    parser.opt("--default-index", metavar="DEFAULT_INDEX", env="UV_DEFAULT_INDEX", group=group,
               help="The URL of the default package index (by default: <https://pypi.org/simple>)")  # fmt: skip
    parser.opt("-i", "--index-url", metavar="INDEX_URL", env="UV_INDEX_URL",
               setting="index-url", group=group,
               help="(Deprecated: use `--default-index` instead) The URL of the Python package index")  # fmt: skip
    parser.opt("--extra-index-url", action="append", metavar="EXTRA_INDEX_URL",
               env="UV_EXTRA_INDEX_URL", split=True, setting="extra-index-url", group=group,
               help="(Deprecated: use `--index` instead) Extra URLs of package indexes to use")  # fmt: skip
    parser.opt("-f", "--find-links", action="append", metavar="FIND_LINKS", env="UV_FIND_LINKS",
               split=True, setting="find-links", group=group,
               help="Locations to search for candidate distributions")  # fmt: skip
    parser.opt("--no-index", action="store_const", const=True, setting="no-index", group=group,
               help="Ignore the registry index (e.g., PyPI)")  # fmt: skip
    parser.opt("--index-strategy", choices=["first-index", "unsafe-first-match",
               "unsafe-best-match"], metavar="INDEX_STRATEGY", env="UV_INDEX_STRATEGY",
               setting="index-strategy", group=group,
               help="The strategy to use when resolving against multiple index URLs")  # fmt: skip


def add_resolver_options(parser: Parser) -> None:
    """`-U`, `-P`, `--upgrade-group`, `--resolution`, `--prerelease`, `--fork-strategy`, `--exclude-newer`."""
    group = parser.add_argument_group("Resolver options")
    parser.opt("-U", "--upgrade", action="store_const", const=True, setting="upgrade",
               group=group, help="Allow package upgrades, ignoring pinned versions in any "
               "existing output file")  # fmt: skip
    parser.opt("-P", "--upgrade-package", action="append", metavar="UPGRADE_PACKAGE",
               setting="upgrade-package", group=group,
               help="Allow upgrades for a specific package, ignoring pinned versions in any "
               "existing output file")  # fmt: skip
    parser.opt("--upgrade-group", action="append", default=[], metavar="UPGRADE_GROUP",
               group=group, help="Allow upgrades for all packages in a dependency group, "
               "ignoring pinned versions in any existing output file")  # fmt: skip
    parser.opt("--resolution", choices=["highest", "lowest", "lowest-direct"],
               metavar="RESOLUTION", env="UV_RESOLUTION", setting="resolution", group=group,
               help="The strategy to use when selecting between the different compatible "
               "versions for a given package requirement")  # fmt: skip
    parser.opt("--prerelease", choices=["disallow", "allow", "if-necessary", "explicit",
               "if-necessary-or-explicit"], metavar="PRERELEASE", env="UV_PRERELEASE",
               setting="prerelease", group=group,
               help="The strategy to use when considering pre-release versions")  # fmt: skip
    parser.opt("--fork-strategy", choices=["fewest", "requires-python"],
               metavar="FORK_STRATEGY", env="UV_FORK_STRATEGY", setting="fork-strategy",
               group=group, help="The strategy to use when selecting multiple versions of a "
               "given package across Python versions and platforms")  # fmt: skip
    parser.opt("--exclude-newer", metavar="EXCLUDE_NEWER", env="UV_EXCLUDE_NEWER",
               setting="exclude-newer", group=group,
               help="Limit candidate packages to those that were uploaded prior to the given date")  # fmt: skip
    parser.opt("--exclude-newer-package", action=KeyValuePairs, parse=exclude_newer_package,
               metavar="EXCLUDE_NEWER_PACKAGE", setting="exclude-newer-package", group=group,
               help="Limit candidate packages for specific packages to those that were uploaded "
               "prior to the given date")  # fmt: skip


def add_lock_mode_options(parser: Parser, *, check_aliases: bool = False) -> None:
    """`--locked` and `--frozen` (with `lock`'s `--check` / `--check-exists` aliases)."""
    locked = ("--locked", "--check") if check_aliases else ("--locked",)
    frozen = ("--frozen", "--check-exists") if check_aliases else ("--frozen",)
    parser.opt(*locked, dest="locked", action="store_true", env="UV_LOCKED", default=False,
               help="Assert that the `uv.lock` will remain unchanged")  # fmt: skip
    parser.opt(*frozen, dest="frozen", action="store_true", env="UV_FROZEN", default=False,
               help="Assert that a `uv.lock` exists without checking if it is up-to-date")  # fmt: skip


def add_refresh_options(parser: Parser) -> None:
    """`--refresh` and `--refresh-package` (revalidate cached index data)."""
    group = parser.add_argument_group("Cache options")
    parser.opt("--refresh", action="store_true", default=False, group=group,
               help="Refresh all cached data")  # fmt: skip
    parser.opt("--refresh-package", action="append", metavar="REFRESH_PACKAGE", default=[],
               group=group, help="Refresh cached data for a specific package")  # fmt: skip


def exclude_newer_package(text: str) -> tuple[str, Any]:
    """`--exclude-newer-package PACKAGE=DATE|false`."""
    from puv.operations.pip_compile import parse_exclude_newer_package

    return parse_exclude_newer_package(text)


def add_build_isolation_options(parser: Parser, group: Any, *, negation: bool = False) -> None:
    """`-C`, `--no-build-isolation` (with its hidden `--build-isolation` when `negation`) and
    `--no-build-isolation-package`, in `group`."""
    parser.opt("-C", "--config-setting", "--config-settings", action="append",
               metavar="CONFIG_SETTING", default=[], group=group,
               help="Settings to pass to the PEP 517 build backend, specified as `KEY=VALUE` "
               "pairs")  # fmt: skip
    parser.opt("--no-build-isolation", action="store_const", const=True, env="UV_NO_BUILD_ISOLATION",
               setting="no-build-isolation", group=group,
               help="Disable isolation when building source distributions "
               "[env: UV_NO_BUILD_ISOLATION=]")  # fmt: skip
    if negation:
        parser.opt("--build-isolation", dest="no_build_isolation", action="store_const",
                   const=False, help="")  # fmt: skip
    parser.opt("--no-build-isolation-package", action="append",
               metavar="NO_BUILD_ISOLATION_PACKAGE", setting="no-build-isolation-package",
               group=group, help="Disable isolation when building source distributions for a "
               "specific package")  # fmt: skip
