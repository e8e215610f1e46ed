"""`puv pip sync`, `puv pip install` and `puv pip uninstall`: their options, parsed as uv's."""

from __future__ import annotations

import argparse
from typing import Any

from puv.cli.global_options import add_global_options
from puv.cli.parser import Parser
from puv.cli.pip_cmd import _subcommand, _target_options
from puv.cli.project_options import add_build_isolation_options
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
        "install [OPTIONS] <PACKAGE|--requirements <REQUIREMENTS>|--editable <EDITABLE>|"
        "--group <GROUP>>",
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
    install.opt(
        "--overrides",
        "--override",
        action="append",
        metavar="OVERRIDES",
        env="UV_OVERRIDE",
        split=True,
        default=[],
        help="Override versions using the given requirements files [env: UV_OVERRIDE=]",
    )
    _flag_pair(
        install,
        ("--no-deps", "--deps"),
        "no-deps",
        "Ignore package dependencies, instead only installing those packages explicitly listed",
    )
    install.opt(
        "--exact",
        action="store_true",
        default=False,
        help="Perform an exact sync, removing extraneous packages",
    )
    _install_options(install)
    _resolver_options(install)
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
    _directory_options(uninstall)
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


def _directory_options(parser: Parser) -> None:
    """`--target` / `--prefix`: a directory to install into instead of an environment."""
    place = parser.add_mutually_exclusive_group()
    parser.opt(
        "-t",
        "--target",
        metavar="TARGET",
        setting="target",
        group=place,
        help="Install packages into the specified directory, rather than into the virtual or "
        "system Python environment",
    )
    parser.opt(
        "--prefix",
        metavar="PREFIX",
        setting="prefix",
        group=place,
        help="Install packages into `lib`, `bin`, and other top-level folders under the "
        "specified directory, as if a virtual environment were present at that location",
    )


def _source_options(parser: Parser) -> None:
    """Constraints, extras and groups: what `pip sync` and `pip install` read beside files."""
    parser.opt(
        "-c",
        "--constraints",
        "--constraint",
        action="append",
        metavar="CONSTRAINTS",
        env="UV_CONSTRAINT",
        split=True,
        default=[],
        help="Constrain versions using the given requirements files [env: UV_CONSTRAINT=]",
    )
    parser.opt(
        "--extra",
        action="append",
        metavar="EXTRA",
        setting="extra",
        help="Include optional dependencies from the specified extra name",
    )
    parser.opt(
        "--all-extras",
        action="store_const",
        const=True,
        setting="all-extras",
        help="Include all optional dependencies",
    )
    parser.opt("--no-all-extras", dest="all_extras", action="store_const", const=False, help="")
    parser.opt(
        "--group",
        action="append",
        metavar="GROUP",
        setting="group",
        help="Install the specified dependency group from a `pyproject.toml` (`[PATH:]NAME`)",
    )


def _build_options(parser: Parser) -> None:
    """Which packages may be built from source or installed from wheels, and how to build."""
    group = parser.add_argument_group("Build options")
    parser.opt(
        "--no-build",
        action="store_const",
        const=True,
        setting="no-build",
        group=group,
        help="Don't build source distributions (alias for `--only-binary :all:`)",
    )
    parser.opt("--build", dest="no_build", action="store_const", const=False, help="")
    parser.opt(
        "--no-binary",
        action="append",
        metavar="NO_BINARY",
        setting="no-binary",
        group=group,
        help="Don't install pre-built wheels (`:all:` for every package)",
    )
    parser.opt(
        "--only-binary",
        action="append",
        metavar="ONLY_BINARY",
        setting="only-binary",
        group=group,
        help="Only use pre-built wheels; don't build source distributions (`:all:` for every "
        "package)",
    )
    add_build_isolation_options(parser, group, negation=True)


def _resolver_options(parser: Parser) -> None:
    """How `pip install` resolves."""
    group = parser.add_argument_group("Resolver options")
    parser.opt(
        "-U",
        "--upgrade",
        action="store_const",
        const=True,
        setting="upgrade",
        group=group,
        help="Allow package upgrades, ignoring installed versions. Implies `--refresh`",
    )
    parser.opt("--no-upgrade", dest="upgrade", action="store_const", const=False, help="")
    parser.opt(
        "-P",
        "--upgrade-package",
        action="append",
        metavar="UPGRADE_PACKAGE",
        setting="upgrade-package",
        group=group,
        help="Allow upgrades for a specific package. Implies `--refresh-package`",
    )
    parser.opt(
        "--resolution",
        choices=["highest", "lowest", "lowest-direct"],
        metavar="RESOLUTION",
        env="UV_RESOLUTION",
        setting="resolution",
        group=group,
        help="The strategy to use when selecting between the different compatible versions for "
        "a given package requirement [env: UV_RESOLUTION=]",
    )
    parser.opt(
        "--prerelease",
        choices=["disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit"],
        metavar="PRERELEASE",
        env="UV_PRERELEASE",
        setting="prerelease",
        group=group,
        help="The strategy to use when considering pre-release versions [env: UV_PRERELEASE=]",
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
    _source_options(parser)
    _break_system_packages(parser)
    _directory_options(parser)
    _flag_pair(
        parser,
        ("--strict", "--no-strict"),
        "strict",
        "Validate the Python environment after completing the installation, to detect packages "
        "with missing dependencies or other issues",
    )
    preview = parser.add_mutually_exclusive_group()
    parser.opt(
        "--dry-run",
        action="store_true",
        default=False,
        group=preview,
        help="Perform a dry run, i.e., don't actually install anything but resolve the "
        "dependencies and print the resulting plan",
    )
    parser.opt(
        "--check",
        action="store_true",
        default=False,
        group=preview,
        help="Check whether the environment satisfies the requirements without modifying it; "
        "exit with code 1 if changes are needed",
    )
    parser.opt(
        "--cert",
        metavar="FILE",
        help="Path to a PEM-encoded CA certificate bundle, instead of the default certificate "
        "source",
    )
    _index_options(parser)
    _installer_options(parser)
    _build_options(parser)
    parser.opt(
        "--exclude-newer",
        metavar="EXCLUDE_NEWER",
        env="UV_EXCLUDE_NEWER",
        setting="exclude-newer",
        help="Limit candidate packages to those that were uploaded prior to the given date "
        "[env: UV_EXCLUDE_NEWER=]",
    )
    _platform_options(parser)
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


def _platform_options(parser: Parser) -> None:
    """`--python-version` and `--python-platform`: which wheels and markers to install for."""
    from puv.operations.target_platform import PLATFORM_NAMES

    parser.opt(
        "--python-version",
        metavar="PYTHON_VERSION",
        setting="python-version",
        help="The minimum Python version that should be supported by the requirements (e.g., "
        "`3.7` or `3.7.9`)",
    )
    parser.opt(
        "--python-platform",
        choices=PLATFORM_NAMES,
        metavar="PYTHON_PLATFORM",
        setting="python-platform",
        help="The platform for which requirements should be installed (a target triple such as "
        "`x86_64-unknown-linux-gnu` or `aarch64-apple-darwin`)",
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
        "--keyring-provider",
        choices=["disabled", "subprocess"],
        metavar="KEYRING_PROVIDER",
        env="UV_KEYRING_PROVIDER",
        setting="keyring-provider",
        group=group,
        help="Attempt to use `keyring` for authentication for index URLs "
        "[env: UV_KEYRING_PROVIDER=]",
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
    from puv.cli.build_cmd import parse_config_settings
    from puv.operations.pip_install import InstallRequest
    from puv.operations.pip_requirements import SourceOptions

    sources = SourceOptions(
        editables=tuple(getattr(args, "editable", ())),
        constraints=tuple(args.constraints),
        overrides=tuple(getattr(args, "overrides", ())),
        extras=tuple(args.extra or ()),
        all_extras=bool(args.all_extras),
        groups=tuple(args.group or ()),
    )
    return InstallRequest(
        dry_run=args.dry_run,
        check=args.check,
        python=args.python,
        system=args.system,
        indexes=_index_arguments(args),
        refresh=args.refresh,
        refresh_packages=tuple(args.refresh_package),
        sources=sources,
        cert=args.cert,
        config_settings=parse_config_settings(args.config_setting),
        **fields,
    )


def run_sync(args: argparse.Namespace, printer: Printer) -> int:
    """`puv pip sync REQUIREMENTS...`: make the environment hold exactly these packages."""
    from puv.operations.context import build_context
    from puv.operations.pip_install import install_requirements

    ctx = build_context(args, printer)
    request = _install_request(args, files=tuple(args.src_files), exact=True)
    changed = install_requirements(ctx, request)
    return 1 if request.check and changed else 0


def run_install(args: argparse.Namespace, printer: Printer) -> int:
    """`puv pip install PACKAGE... | -r FILE | -e DIR | --group GROUP`: resolve and install."""
    from puv.operations.context import build_context
    from puv.operations.pip_install import install_requirements

    if not (args.packages or args.requirements or args.editable or args.group):
        args._parser.error(
            "the following arguments are required: "
            "<PACKAGE|--requirements <REQUIREMENTS>|--editable <EDITABLE>|--group <GROUP>>"
        )
    ctx = build_context(args, printer)
    request = _install_request(
        args,
        files=tuple(args.requirements),
        packages=tuple(args.packages),
        exact=args.exact,
        resolve=True,
    )
    changed = install_requirements(ctx, request)
    return 1 if request.check and changed else 0


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
