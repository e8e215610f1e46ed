"""`puv add`: add dependencies to the project's `pyproject.toml`, then lock and sync."""

from __future__ import annotations

import argparse
from typing import Any

from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG, Parser
from puv.cli.project_options import add_index_options, add_resolver_options
from puv.core.errors import UsageError
from puv.core.printer import Printer


def register(sub: Any) -> None:
    """Add `add` to the command tree."""
    parser = sub.add_parser(
        "add",
        help="Add dependencies to the project",
        usage_line=f"{PROG} add [OPTIONS] <PACKAGES|--requirements <REQUIREMENTS>>",
    )
    parser.add_argument("packages", nargs="*", metavar="PACKAGES",
                        help="The packages to add, as PEP 508 requirements (e.g., `ruff==0.5.0`)")  # fmt: skip
    parser.opt("-r", "--requirements", action="append", metavar="REQUIREMENTS", default=[],
               help="Add the packages listed in the given files")  # fmt: skip
    parser.opt("-c", "--constraints", action="append", metavar="CONSTRAINTS", default=[],
               env="UV_CONSTRAINT", split=True,
               help="Constrain versions using the given requirements files")  # fmt: skip
    parser.opt("-m", "--marker", metavar="MARKER",
               help="Apply this marker to all added packages")  # fmt: skip
    add_target_options(parser, verb="Add")
    parser.opt("--editable", action="store_true", default=False,
               help="Add the requirements as editable")  # fmt: skip
    parser.opt("--raw", "--raw-sources", dest="raw", action="store_true", default=False,
               help="Add a dependency as provided")  # fmt: skip
    parser.opt("--bounds", choices=["lower", "major", "minor", "exact"], metavar="BOUNDS",
               help="The kind of version specifier to use when adding dependencies")  # fmt: skip
    parser.opt("--rev", metavar="REV", help="Commit to use when adding a dependency from Git")
    parser.opt("--tag", metavar="TAG", help="Tag to use when adding a dependency from Git")
    parser.opt("--branch", metavar="BRANCH",
               help="Branch to use when adding a dependency from Git")  # fmt: skip
    parser.opt("--extra", action="append", metavar="EXTRA", default=[],
               help="Extras to enable for the dependency")  # fmt: skip
    add_sync_options(parser, frozen_help="Add dependencies without re-locking the project")
    parser.opt("--package", metavar="PACKAGE",
               help="Add the dependency to a specific package in the workspace")  # fmt: skip
    parser.opt("--script", metavar="SCRIPT",
               help="Add the dependency to the specified Python script, rather than to a "
               "project")  # fmt: skip
    parser.opt("--workspace", action="store_const", const=True, dest="workspace",
               help="Add the dependency as a workspace member")  # fmt: skip
    parser.opt("--no-workspace", action="store_const", const=False, dest="workspace",
               help="Don't add the dependency as a workspace member")  # fmt: skip
    add_index_options(parser)
    add_resolver_options(parser)
    add_python_option(parser, "The Python interpreter to use for resolving and syncing.")
    add_global_options(parser)
    parser.set_defaults(_handler=run, _parser=parser)


def add_target_options(parser: Parser, *, verb: str) -> None:
    """`--dev`, `--optional`, `--group` (shared with `remove`)."""
    where = "to" if verb == "Add" else "from"
    parser.opt("--dev", action="store_true", default=False, env="UV_DEV",
               help=f"{verb} the requirements {where} the development dependency group")  # fmt: skip
    parser.opt("--optional", metavar="OPTIONAL",
               help=f"{verb} the requirements {where} the package's optional dependencies for "
               "the specified extra")  # fmt: skip
    parser.opt("--group", metavar="GROUP",
               help=f"{verb} the requirements {where} the specified dependency group")  # fmt: skip


def add_sync_options(parser: Parser, *, frozen_help: str) -> None:
    """`--no-sync`, `--locked`, `--frozen`, `--active` and the `--no-install-*` flags."""
    parser.opt("--no-sync", action="store_true", default=False, env="UV_NO_SYNC",
               help="Avoid syncing the virtual environment")  # fmt: skip
    parser.opt("--locked", action="store_true", default=False, env="UV_LOCKED",
               help="Assert that the `uv.lock` will remain unchanged")  # fmt: skip
    parser.opt("--frozen", action="store_true", default=False, env="UV_FROZEN",
               help=frozen_help)  # fmt: skip
    parser.opt("--active", action="store_true", default=False,
               help="Prefer the active virtual environment over the project's virtual "
               "environment")  # fmt: skip
    parser.opt("--no-install-project", action="store_true", default=False,
               env="UV_NO_INSTALL_PROJECT", help="Do not install the current project")  # fmt: skip
    parser.opt("--no-install-workspace", action="store_true", default=False,
               env="UV_NO_INSTALL_WORKSPACE",
               help="Do not install any workspace members, including the current project")  # fmt: skip
    parser.opt("--no-install-local", action="store_true", default=False,
               env="UV_NO_INSTALL_LOCAL", help="Do not install local path dependencies")  # fmt: skip
    parser.opt("--no-install-package", action="append", metavar="NO_INSTALL_PACKAGE",
               default=[], help="Do not install the given package(s)")  # fmt: skip


def lock_sync_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The request fields every editing command takes from the sync and index options."""
    from puv.operations.add import InstallOptions

    return {
        "frozen": args.frozen,
        "locked": args.locked,
        "no_sync": args.no_sync,
        "python": getattr(args, "python", None),
        "indexes": tuple(getattr(args, "index", None) or ()),
        "default_index": getattr(args, "default_index", None),
        "upgrade_groups": tuple(getattr(args, "upgrade_group", None) or ()),
        "active": True if args.active else None,
        "install": InstallOptions(
            no_install_project=args.no_install_project,
            no_install_workspace=args.no_install_workspace,
            no_install_local=args.no_install_local,
            no_install_package=frozenset(args.no_install_package),
        ),
    }


def dependency_type(args: argparse.Namespace) -> Any:
    """The `DependencyType` the target flags select (clap's conflicts as usage errors)."""
    from puv.operations.add import DependencyType

    chosen = [
        flag
        for flag, value in (
            ("--dev", args.dev),
            ("--optional <OPTIONAL>", args.optional),
            ("--group <GROUP>", args.group),
        )
        if value
    ]
    if len(chosen) > 1:
        raise UsageError(
            f"the argument '{chosen[1]}' cannot be used with '{chosen[0]}'\n\nUsage: "
            f"{PROG} {args.command} [OPTIONS]\n\nFor more information, try '--help'."
        )
    if args.dev:
        return DependencyType.dev()
    if args.optional:
        return DependencyType.optional(args.optional)
    if args.group:
        return DependencyType.group(args.group)
    return DependencyType.production()


def check_script_conflicts(args: argparse.Namespace, usage: str, flags: tuple[str, ...]) -> None:
    """clap's error for `--script` with an option it conflicts with (`flags`: the destinations
    to check, each shown as uv names it)."""
    if not getattr(args, "script", None):
        return
    shown = {
        "dev": "--dev",
        "optional": "--optional <OPTIONAL>",
        "group": "--group <GROUP>",
        "package": "--package <PACKAGE>",
        "workspace": "--workspace",
    }
    for dest in flags:
        if getattr(args, dest, None):
            raise UsageError(
                f"the argument '--script <SCRIPT>' cannot be used with '{shown[dest]}'\n\n"
                f"Usage: {PROG} {args.command} --script <SCRIPT> {usage}\n\n"
                "For more information, try '--help'."
            )


def check_mode_conflicts(args: argparse.Namespace, usage: str) -> None:
    """uv's conflicts: `--frozen` with `--locked` (clap's error, `usage` is the command's usage
    tail) or with `--no-sync` (uv's own check)."""
    if args.frozen and args.locked:
        raise UsageError(
            "the argument '--frozen' cannot be used with '--locked'\n\n"
            f"Usage: {PROG} {args.command} --frozen {usage}\n\nFor more information, try '--help'."
        )
    if args.frozen and args.no_sync:
        raise UsageError("the argument `--no-sync` cannot be used with `--frozen`")


def run(args: argparse.Namespace, printer: Printer) -> int:
    """`puv add`."""
    from puv.operations.add import AddBounds, AddRequest, add_requirements, add_to_script
    from puv.operations.context import build_context
    from puv.operations.script_env import SettingsSources

    if not args.packages and not args.requirements:
        raise UsageError(
            "the following required arguments were not provided:\n  "
            "<PACKAGES|--requirements <REQUIREMENTS>>\n\n"
            f"Usage: {PROG} add <PACKAGES|--requirements <REQUIREMENTS>>\n\n"
            "For more information, try '--help'."
        )
    usage = "<PACKAGES|--requirements <REQUIREMENTS>>"
    check_script_conflicts(args, usage, ("dev", "optional", "group", "package", "workspace"))
    check_mode_conflicts(args, usage)
    target = "the script" if args.script else "the `pyproject.toml` file"
    warnings = [
        f"Indexes specified via `{flag}` will not be persisted to {target}; use `{instead}` "
        "instead."
        for flag, dest, instead in (
            ("--index-url", "index_url", "--default-index"),
            ("--extra-index-url", "extra_index_url", "--index"),
        )
        if getattr(args, dest, None)
    ]
    if not args.script:  # a script is read first: its errors come before these
        for warning in warnings:
            printer.warn(warning)
    ctx = build_context(args, printer)
    request = AddRequest(
        requirements=tuple(args.packages),
        requirement_files=tuple(args.requirements),
        dependency_type=dependency_type(args),
        marker=args.marker,
        editable=True if args.editable else None,
        raw=args.raw,
        bounds=AddBounds(args.bounds) if args.bounds else None,
        rev=args.rev,
        tag=args.tag,
        branch=args.branch,
        extras=tuple(args.extra),
        package=args.package,
        workspace=args.workspace,
        **lock_sync_fields(args),
    )
    if args.script:
        settings = SettingsSources.from_args(args)
        add_to_script(
            ctx, request, ctx.cwd / args.script, settings=settings, warnings=tuple(warnings)
        )
        return 0
    add_requirements(ctx, request)
    return 0
