"""`puv sync`: its options, parsed as uv's, and the options `puv run` shares with it."""

from __future__ import annotations

import argparse
from typing import Any, Literal

from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG, Parser
from puv.cli.project_options import (
    add_build_isolation_options,
    add_index_options,
    add_lock_mode_options,
    add_refresh_options,
    add_resolver_options,
)
from puv.core.printer import Printer

_LINK_MODES = ["clone", "copy", "hardlink", "symlink"]


def register(sub: Any) -> None:
    """Add `sync` to the command tree."""
    parser = sub.add_parser(
        "sync", help="Update the project's environment", usage_line=f"{PROG} sync [OPTIONS]"
    )
    add_selection_options(parser)
    parser.opt("--inexact", "--no-exact", dest="exact", action="store_const", const=False,
               help="Do not remove extraneous packages present in the environment")  # fmt: skip
    parser.opt("--exact", dest="exact", action="store_const", const=True, help=argparse.SUPPRESS)
    add_active_options(parser)
    for scope, text, env in (
        ("project", "Do not install the current project", "UV_NO_INSTALL_PROJECT"),
        ("workspace", "Do not install any workspace members, including the root project",
         "UV_NO_INSTALL_WORKSPACE"),
        ("local", "Do not install local path dependencies", "UV_NO_INSTALL_LOCAL"),
    ):  # fmt: skip
        parser.opt(f"--no-install-{scope}", action="store_true", env=env, default=False,
                   help=f"{text} [env: {env}=]")  # fmt: skip
        parser.opt(
            f"--only-install-{scope}", action="store_true", default=False, help=argparse.SUPPRESS
        )
    parser.opt("--no-install-package", action="append", metavar="NO_INSTALL_PACKAGE", default=[],
               help="Do not install the given package(s)")  # fmt: skip
    parser.opt("--only-install-package", action="append", metavar="ONLY_INSTALL_PACKAGE",
               default=[], help=argparse.SUPPRESS)  # fmt: skip
    add_lock_mode_options(parser)
    parser.opt("--dry-run", action="store_true", default=False,
               help="Perform a dry run, without writing the lockfile or modifying the project "
               "environment")  # fmt: skip
    parser.opt("--check", action="store_true", default=False,
               help="Check if the Python environment is synchronized with the project")  # fmt: skip
    parser.opt("--all-packages", action="store_true", default=False,
               help="Sync all packages in the workspace")  # fmt: skip
    parser.opt("--package", action="append", metavar="PACKAGE", default=[],
               help="Sync for specific packages in the workspace")  # fmt: skip
    parser.opt("--script", metavar="SCRIPT", help="Sync the environment for a Python script")
    parser.opt("--python-platform", metavar="PYTHON_PLATFORM",
               help="The platform for which requirements should be installed")  # fmt: skip
    parser.opt("--output-format", choices=["text", "json"], default="text",
               metavar="OUTPUT_FORMAT", help="Select the output format")  # fmt: skip
    add_index_options(parser)
    add_resolver_options(parser)
    add_installer_options(parser)
    add_build_options(parser)
    add_refresh_options(parser)
    add_python_option(parser, "The Python interpreter to use for the project environment.")
    add_global_options(parser)
    parser.set_defaults(_handler=run, _parser=parser)


def add_selection_options(parser: Parser) -> None:
    """Extras, dependency groups and editable mode (shared by `sync` and `run`)."""
    group = parser.add_argument_group("Dependency selection")
    parser.opt("--extra", action=_CommaList, metavar="EXTRA", default=[], group=group,
               help="Include optional dependencies from the specified extra name")  # fmt: skip
    parser.opt("--all-extras", dest="all_extras", action="store_const", const=True,
               default=False, group=group, help="Include all optional dependencies")  # fmt: skip
    parser.opt(
        "--no-all-extras",
        dest="all_extras",
        action="store_const",
        const=False,
        help=argparse.SUPPRESS,
    )
    parser.opt("--no-extra", action="append", metavar="NO_EXTRA", default=[], group=group,
               help="Exclude the specified optional dependencies, if `--all-extras` is supplied")  # fmt: skip
    parser.opt("--dev", dest="dev_mode", action="store_const", const="include", env="UV_DEV",
               env_means="include", group=group,
               help="Include the development dependency group [env: UV_DEV=]")  # fmt: skip
    parser.opt("--no-dev", dest="no_dev", action="store_true", env="UV_NO_DEV", default=False,
               group=group, help="Disable the development dependency group [env: UV_NO_DEV=]")  # fmt: skip
    parser.opt("--only-dev", dest="only_dev", action="store_true", default=False, group=group,
               help="Only include the development dependency group")  # fmt: skip
    parser.opt("--group", action="append", metavar="GROUP", default=[], group=group,
               help="Include dependencies from the specified dependency group")  # fmt: skip
    parser.opt("--no-group", action="append", metavar="NO_GROUP", env="UV_NO_GROUP", split=True,
               default=[], group=group,
               help="Disable the specified dependency group [env: UV_NO_GROUP=]")  # fmt: skip
    parser.opt("--no-default-groups", action="store_true", env="UV_NO_DEFAULT_GROUPS",
               default=False, group=group,
               help="Ignore the default dependency groups [env: UV_NO_DEFAULT_GROUPS=]")  # fmt: skip
    parser.opt("--only-group", action="append", metavar="ONLY_GROUP", default=[], group=group,
               help="Only include dependencies from the specified dependency group")  # fmt: skip
    parser.opt("--all-groups", action="store_true", default=False, group=group,
               help="Include dependencies from all dependency groups")  # fmt: skip
    parser.opt("--no-editable", dest="no_editable", action="store_const", const=True,
               env="UV_NO_EDITABLE", default=False, group=group,
               help="Install any editable dependencies, including the project and any workspace "
               "members, as non-editable [env: UV_NO_EDITABLE=]")  # fmt: skip
    parser.opt(
        "--editable", dest="no_editable", action="store_const", const=False, help=argparse.SUPPRESS
    )
    parser.opt("--no-editable-package", action="append", metavar="NO_EDITABLE_PACKAGE",
               default=[], group=group,
               help="Install the specified editable packages as non-editable")  # fmt: skip


def add_active_options(parser: Parser) -> None:
    """`--active` / `--no-active`."""
    parser.opt("--active", dest="active", action="store_const", const=True,
               help="Sync dependencies to the active virtual environment")  # fmt: skip
    parser.opt(
        "--no-active", dest="active", action="store_const", const=False, help=argparse.SUPPRESS
    )


def add_installer_options(parser: Parser) -> None:
    """`--reinstall[-package]`, `--link-mode`, `--compile-bytecode` (merged into the settings)."""
    group = parser.add_argument_group("Installer options")
    parser.opt("--reinstall", dest="reinstall", action="store_const", const=True,
               setting="reinstall", group=group,
               help="Reinstall all packages, regardless of whether they're already installed")  # fmt: skip
    parser.opt(
        "--no-reinstall",
        dest="reinstall",
        action="store_const",
        const=False,
        help=argparse.SUPPRESS,
    )
    parser.opt("--reinstall-package", action="append", metavar="REINSTALL_PACKAGE",
               setting="reinstall-package", group=group,
               help="Reinstall a specific package, regardless of whether it's already installed")  # fmt: skip
    parser.opt("--link-mode", choices=_LINK_MODES, metavar="LINK_MODE", env="UV_LINK_MODE",
               setting="link-mode", group=group,
               help="The method to use when installing packages from the global cache "
               "[env: UV_LINK_MODE=]")  # fmt: skip
    parser.opt("--compile-bytecode", dest="compile_bytecode", action="store_const", const=True,
               env="UV_COMPILE_BYTECODE", setting="compile-bytecode", group=group,
               help="Compile Python files to bytecode after installation "
               "[env: UV_COMPILE_BYTECODE=]")  # fmt: skip
    parser.opt("--no-compile-bytecode", dest="compile_bytecode", action="store_const",
               const=False, help=argparse.SUPPRESS)  # fmt: skip


def add_build_options(parser: Parser) -> None:
    """`-C`, `--no-build-isolation[-package]`, `--no-build[-package]`, `--no-binary[-package]`."""
    group = parser.add_argument_group("Build options")
    add_build_isolation_options(parser, group)
    parser.opt("--no-build", dest="no_build", action="store_const", const=True,
               env="UV_NO_BUILD", setting="no-build", group=group,
               help="Don't build source distributions [env: UV_NO_BUILD=]")  # fmt: skip
    parser.opt("--no-build-package", action="append", metavar="NO_BUILD_PACKAGE",
               setting="no-build-package", group=group,
               help="Don't build source distributions for a specific package")  # fmt: skip
    parser.opt("--no-binary", dest="no_binary", action="store_const", const=True,
               env="UV_NO_BINARY", setting="no-binary", group=group,
               help="Don't install pre-built wheels [env: UV_NO_BINARY=]")  # fmt: skip
    parser.opt("--no-binary-package", action="append", metavar="NO_BINARY_PACKAGE",
               setting="no-binary-package", group=group,
               help="Don't install pre-built wheels for a specific package")  # fmt: skip


class _CommaList(argparse.Action):
    """An appending option whose values may also be comma-separated (`--extra a,b`)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        collected = list(getattr(namespace, self.dest, None) or [])
        collected += [part for part in str(values).split(",") if part]
        setattr(namespace, self.dest, collected)


def selection_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The `SyncRequest` fields of the options `add_selection_options` declares."""
    from puv.core.errors import UsageError
    from puv.core.wheel_filename import normalize_name
    from puv.operations.sync import Extras, GroupFlags

    if args.all_extras and args.extra:
        raise UsageError(
            "the argument '--all-extras' cannot be used with '--extra <EXTRA>'\n\n"
            "For more information, try '--help'."
        )
    dev: Literal["include", "exclude", "only"] | None = None
    if args.only_dev:
        dev = "only"
    elif args.no_dev:
        dev = "exclude"
    elif args.dev_mode == "include":
        dev = "include"
    return {
        "extras": Extras(
            names=tuple(normalize_name(name) for name in args.extra),
            all=bool(args.all_extras),
            excluded=tuple(normalize_name(name) for name in args.no_extra),
        ),
        "groups": GroupFlags(
            dev=dev,
            group=tuple(args.group),
            no_group=tuple(args.no_group),
            only_group=tuple(args.only_group),
            all_groups=args.all_groups,
            no_default_groups=args.no_default_groups,
        ),
        "no_editable": bool(args.no_editable),
        "no_editable_packages": frozenset(normalize_name(n) for n in args.no_editable_package),
    }


def lock_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The lock mode, index, refresh and `--upgrade-group` fields of a `SyncRequest`."""
    from puv.core.errors import UsageError

    if args.locked and args.frozen:
        raise UsageError(
            "the argument '--locked' cannot be used with '--frozen'\n\n"
            "For more information, try '--help'."
        )
    return {
        "lock_mode": "frozen" if args.frozen else "locked" if args.locked else "write",
        "indexes": tuple(part for value in args.index or () for part in value.split()),
        "default_index": args.default_index,
        "refresh": args.refresh,
        "refresh_packages": tuple(args.refresh_package),
        "upgrade_groups": tuple(args.upgrade_group),
    }


def context_for(args: argparse.Namespace, printer: Printer) -> Any:
    """The command's context, with `-C` settings merged in as configuration settings."""
    from puv.cli.build_cmd import parse_config_settings
    from puv.operations.context import build_context

    if args.config_setting:
        args._settings_cli = {
            **args._settings_cli,
            "config-settings": parse_config_settings(args.config_setting),
        }
    return build_context(args, printer)


def run(args: argparse.Namespace, printer: Printer) -> int:
    """`puv sync`."""
    from puv.core.errors import PuvError
    from puv.core.wheel_filename import normalize_name
    from puv.operations.sync import InstallOptions, SyncRequest, sync_project

    if args.output_format == "json":
        raise PuvError("`puv sync --output-format json` is not supported yet")
    ctx = context_for(args, printer)
    options = InstallOptions(
        no_install_project=args.no_install_project,
        only_install_project=args.only_install_project,
        no_install_workspace=args.no_install_workspace,
        only_install_workspace=args.only_install_workspace,
        no_install_local=args.no_install_local,
        only_install_local=args.only_install_local,
        no_install_package=frozenset(normalize_name(n) for n in args.no_install_package),
        only_install_package=frozenset(normalize_name(n) for n in args.only_install_package),
    )
    request = SyncRequest(
        **lock_fields(args),
        **selection_fields(args),
        dry_run=args.dry_run,
        check=args.check,
        exact=args.exact is not False,
        active=args.active,
        python=args.python,
        packages=tuple(args.package),
        all_packages=args.all_packages,
        install_options=options,
        python_platform=args.python_platform,
        no_config=args.no_config,
        project_dir=ctx.cwd / args.project if args.project else None,
    )
    if args.script:
        from puv.operations.script_env import SettingsSources, sync_script

        sources = SettingsSources.from_args(args)
        sync_script(ctx, ctx.cwd / args.script, request, settings=sources)
        return 0
    sync_project(ctx, request)
    return 0
