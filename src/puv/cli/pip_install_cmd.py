"""`puv pip sync`, `puv pip install` and `puv pip uninstall`: their options, parsed as uv's."""

from __future__ import annotations

import argparse
from typing import Any

from puv.cli.global_options import add_global_options
from puv.cli.parser import Parser
from puv.cli.pip_cmd import _subcommand, _target_options
from puv.core.printer import Printer

_LINK_MODES = ["clone", "copy", "hardlink", "symlink"]
_INDEX_STRATEGIES = ["first-index", "unsafe-first-match", "unsafe-best-match"]


def register_into(commands: Any) -> None:
    """Add `sync`, `install` and `uninstall` to the `pip` command group."""
    sync = _subcommand(
        commands,
        "sync",
        "Sync an environment with a `requirements.txt` or `pylock.toml` file",
        "sync [OPTIONS] <SRC_FILE>...",
    )
    sync.add_argument(
        "src_files",
        nargs="+",
        metavar="<SRC_FILE>...",
        help="Include the packages listed in the given files",
    )
    _flag_pair(
        sync,
        ("--allow-empty-requirements", "--no-allow-empty-requirements"),
        "allow-empty-requirements",
        "Allow sync of empty requirements, which will clear the environment of all packages",
    )
    _install_options(sync)
    sync.set_defaults(_handler=run_sync, _parser=sync)

    install = _subcommand(
        commands,
        "install",
        "Install packages into an environment",
        "install [OPTIONS] <PACKAGE|--requirements <REQUIREMENTS>|--editable <EDITABLE>>",
    )
    install.add_argument(
        "packages", nargs="*", metavar="PACKAGE", help="Install all listed packages"
    )
    install.opt(
        "-r",
        "--requirements",
        action="append",
        metavar="REQUIREMENTS",
        default=[],
        help="Install the packages listed in the given files",
    )
    install.opt(
        "-e",
        "--editable",
        action="append",
        metavar="EDITABLE",
        default=[],
        help="Install the editable package based on the provided local file path",
    )
    _flag_pair(
        install,
        ("--no-deps", "--deps"),
        "no-deps",
        "Ignore package dependencies, instead only installing those packages explicitly listed",
    )
    _install_options(install)
    install.set_defaults(_handler=run_install, _parser=install)

    uninstall = _subcommand(
        commands,
        "uninstall",
        "Uninstall packages from an environment",
        "uninstall [OPTIONS] <PACKAGE|--requirements <REQUIREMENTS>>",
    )
    uninstall.add_argument(
        "packages", nargs="*", metavar="PACKAGE", help="Uninstall all listed packages"
    )
    uninstall.opt(
        "-r",
        "--requirements",
        action="append",
        metavar="REQUIREMENTS",
        default=[],
        help="Uninstall the packages listed in the given files",
    )
    _break_system_packages(uninstall)
    uninstall.opt(
        "--dry-run",
        action="store_true",
        default=False,
        help="Perform a dry run, i.e., don't actually uninstall anything but print the resulting "
        "plan",
    )
    _target_options(uninstall, "The Python interpreter from which packages should be uninstalled.")
    add_global_options(uninstall)
    uninstall.set_defaults(_handler=run_uninstall, _parser=uninstall)


def _flag_pair(
    parser: Parser,
    flags: tuple[str, str],
    setting: str,
    help_text: str,
    *,
    value: bool = True,
    env: str = "",
) -> None:
    """A flag and its opposite (`--strict` / `--no-strict`) bound to the configuration key
    `setting`: the first flag sets `value`, the second `not value`; `env` means the first."""
    shown = f"{help_text} [env: {env}=]" if env else help_text
    dest = setting.replace("-", "_")
    parser.opt(
        flags[0],
        dest=dest,
        action="store_const",
        const=value,
        env=env or (),
        env_means=value,
        setting=setting,
        help=shown,
    )
    parser.opt(flags[1], dest=dest, action="store_const", const=not value, help="")


def _break_system_packages(parser: Parser) -> None:
    _flag_pair(
        parser,
        ("--break-system-packages", "--no-break-system-packages"),
        "break-system-packages",
        "Allow puv to modify an `EXTERNALLY-MANAGED` Python installation",
        env="UV_BREAK_SYSTEM_PACKAGES",
    )


def _install_options(parser: Parser) -> None:
    """The options `pip sync` and `pip install` share."""
    _flag_pair(
        parser,
        ("--require-hashes", "--no-require-hashes"),
        "require-hashes",
        "Require a matching hash for each requirement",
        env="UV_REQUIRE_HASHES",
    )
    _flag_pair(
        parser,
        ("--no-verify-hashes", "--verify-hashes"),
        "verify-hashes",
        "Disable validation of hashes in the requirements file",
        value=False,
        env="UV_NO_VERIFY_HASHES",
    )
    _break_system_packages(parser)
    _flag_pair(
        parser,
        ("--strict", "--no-strict"),
        "strict",
        "Validate the Python environment after completing the installation, to detect packages "
        "with missing dependencies or other issues",
    )
    parser.opt(
        "--dry-run",
        action="store_true",
        default=False,
        help="Perform a dry run, i.e., don't actually install anything but resolve the "
        "dependencies and print the resulting plan",
    )
    _index_options(parser)
    _installer_options(parser)
    parser.opt(
        "--exclude-newer",
        metavar="EXCLUDE_NEWER",
        env="UV_EXCLUDE_NEWER",
        setting="exclude-newer",
        help="Limit candidate packages to those that were uploaded prior to the given date "
        "[env: UV_EXCLUDE_NEWER=]",
    )
    _target_options(parser, "The Python interpreter into which packages should be installed.")
    add_global_options(parser)
    parser.opt(
        "--refresh",
        action="store_const",
        const=True,
        default=False,
        help="Refresh all cached data",
    )
    parser.opt("--no-refresh", dest="refresh", action="store_const", const=False, help="")
    parser.opt(
        "--refresh-package",
        action="append",
        metavar="REFRESH_PACKAGE",
        default=[],
        help="Refresh cached data for a specific package",
    )


def _index_options(parser: Parser) -> None:
    group = parser.add_argument_group("Index options")
    parser.opt(
        "--index",
        action="append",
        metavar="INDEX",
        env="UV_INDEX",
        split=True,
        default=[],
        group=group,
        help="The indexes to use when resolving dependencies, in addition to the default index "
        "[env: UV_INDEX=]",
    )
    parser.opt(
        "--default-index",
        metavar="DEFAULT_INDEX",
        env="UV_DEFAULT_INDEX",
        group=group,
        help="The default package index (by default: <https://pypi.org/simple>) "
        "[env: UV_DEFAULT_INDEX=]",
    )
    parser.opt(
        "-i",
        "--index-url",
        metavar="INDEX_URL",
        env="UV_INDEX_URL",
        group=group,
        help="(Deprecated: use `--default-index` instead) The URL of the Python package index "
        "[env: UV_INDEX_URL=]",
    )
    parser.opt(
        "--extra-index-url",
        action="append",
        metavar="EXTRA_INDEX_URL",
        env="UV_EXTRA_INDEX_URL",
        split=True,
        default=[],
        group=group,
        help="(Deprecated: use `--index` instead) Extra URLs of package indexes to use "
        "[env: UV_EXTRA_INDEX_URL=]",
    )
    parser.opt(
        "-f",
        "--find-links",
        action="append",
        metavar="FIND_LINKS",
        env="UV_FIND_LINKS",
        default=[],
        group=group,
        help="Locations to search for candidate distributions, in addition to those found in the "
        "registry indexes [env: UV_FIND_LINKS=]",
    )
    parser.opt(
        "--no-index",
        action="store_const",
        const=True,
        setting="no-index",
        group=group,
        help="Ignore the registry index (e.g., PyPI), instead relying on direct URL dependencies "
        "and those provided via `--find-links`",
    )
    parser.opt(
        "--index-strategy",
        choices=_INDEX_STRATEGIES,
        metavar="INDEX_STRATEGY",
        env="UV_INDEX_STRATEGY",
        setting="index-strategy",
        group=group,
        help="The strategy to use when resolving against multiple index URLs "
        "[env: UV_INDEX_STRATEGY=]",
    )


def _installer_options(parser: Parser) -> None:
    group = parser.add_argument_group("Installer options")
    parser.opt(
        "--reinstall",
        dest="reinstall",
        action="store_const",
        const=True,
        setting="reinstall",
        group=group,
        help="Reinstall all packages, regardless of whether they're already installed. "
        "Implies `--refresh`",
    )
    parser.opt("--no-reinstall", dest="reinstall", action="store_const", const=False, help="")
    parser.opt(
        "--reinstall-package",
        action="append",
        metavar="REINSTALL_PACKAGE",
        setting="reinstall-package",
        group=group,
        help="Reinstall a specific package, regardless of whether it's already installed. "
        "Implies `--refresh-package`",
    )
    parser.opt(
        "--link-mode",
        choices=[*_LINK_MODES, "reflink"],
        metavar="LINK_MODE",
        env="UV_LINK_MODE",
        setting="link-mode",
        group=group,
        help="The method to use when installing packages from the global cache "
        "[env: UV_LINK_MODE=] [possible values: clone, copy, hardlink, symlink]",
    )
    _flag_pair(
        parser,
        ("--compile-bytecode", "--no-compile-bytecode"),
        "compile-bytecode",
        "Compile Python files to bytecode after installation",
        env="UV_COMPILE_BYTECODE",
    )


def _index_arguments(args: argparse.Namespace) -> Any:
    """The command-line index options, lists split as uv splits them (find-links on commas)."""
    from puv.operations.install_session import IndexArguments

    return IndexArguments(
        default_index=args.default_index,
        index=tuple(part for value in args.index for part in value.split()),
        index_url=args.index_url,
        extra_index_url=tuple(part for value in args.extra_index_url for part in value.split()),
        find_links=tuple(
            part for value in args.find_links for part in value.split(",") if part.strip()
        ),
    )


def _install_request(args: argparse.Namespace, **fields: Any) -> Any:
    from puv.operations.pip_install import InstallRequest

    return InstallRequest(
        dry_run=args.dry_run,
        python=args.python,
        system=args.system,
        indexes=_index_arguments(args),
        refresh=args.refresh,
        refresh_packages=tuple(args.refresh_package),
        **fields,
    )


def run_sync(args: argparse.Namespace, printer: Printer) -> int:
    """`puv pip sync REQUIREMENTS...`: make the environment hold exactly these packages."""
    from puv.operations.context import build_context
    from puv.operations.pip_install import install_requirements

    ctx = build_context(args, printer)
    install_requirements(ctx, _install_request(args, files=tuple(args.src_files), exact=True))
    return 0


def run_install(args: argparse.Namespace, printer: Printer) -> int:
    """`puv pip install PACKAGE... | -r FILE`: add packages to the environment."""
    from puv.operations.context import build_context
    from puv.operations.pip_install import install_requirements

    if not (args.packages or args.requirements or args.editable):
        args._parser.error(
            "the following arguments are required: "
            "<PACKAGE|--requirements <REQUIREMENTS>|--editable <EDITABLE>|--group <GROUP>>"
        )
    ctx = build_context(args, printer)
    request = _install_request(
        args,
        files=tuple(args.requirements),
        packages=tuple(args.packages),
        editables=tuple(args.editable),
    )
    install_requirements(ctx, request)
    return 0


def run_uninstall(args: argparse.Namespace, printer: Printer) -> int:
    """`puv pip uninstall PACKAGE... | -r FILE`."""
    from puv.operations.context import build_context
    from puv.operations.pip_install import UninstallRequest, uninstall_packages

    if not (args.packages or args.requirements):
        args._parser.error(
            "the following arguments are required: <PACKAGE|--requirements <REQUIREMENTS>>"
        )
    ctx = build_context(args, printer)
    request = UninstallRequest(
        packages=tuple(args.packages),
        files=tuple(args.requirements),
        dry_run=args.dry_run,
        python=args.python,
        system=args.system,
    )
    uninstall_packages(ctx, request)
    return 0
