"""`puv remove`: remove dependencies from the project's `pyproject.toml`, then lock and sync."""

from __future__ import annotations

import argparse
from typing import Any

from puv.cli.add_cmd import (
    add_sync_options,
    add_target_options,
    check_mode_conflicts,
    check_script_conflicts,
    dependency_type,
    lock_sync_fields,
)
from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG
from puv.cli.project_options import add_index_options, add_resolver_options
from puv.core.printer import Printer


def register(sub: Any) -> None:
    """Add `remove` to the command tree."""
    parser = sub.add_parser(
        "remove",
        help="Remove dependencies from the project",
        usage_line=f"{PROG} remove [OPTIONS] <PACKAGES>...",
    )
    parser.add_argument("packages", nargs="+", metavar="PACKAGES",
                        help="The names of the dependencies to remove (e.g., `ruff`)")  # fmt: skip
    add_target_options(parser, verb="Remove")
    add_sync_options(parser, frozen_help="Remove dependencies without re-locking the project")
    parser.opt("--package", metavar="PACKAGE",
               help="Remove the dependencies from a specific package in the workspace")  # fmt: skip
    parser.opt("--script", metavar="SCRIPT",
               help="Remove the dependency from the specified Python script, rather than from a "
               "project")  # fmt: skip
    add_index_options(parser)
    add_resolver_options(parser)
    add_python_option(parser, "The Python interpreter to use for resolving and syncing.")
    add_global_options(parser)
    parser.set_defaults(_handler=run, _parser=parser)


def run(args: argparse.Namespace, printer: Printer) -> int:
    """`puv remove`."""
    from puv.operations.context import build_context
    from puv.operations.remove import RemoveRequest, remove_from_script, remove_requirements
    from puv.operations.script_env import SettingsSources

    check_script_conflicts(args, "<PACKAGES>...", ("dev", "optional", "group"))
    check_mode_conflicts(args, "<PACKAGES>...")
    ctx = build_context(args, printer)
    request = RemoveRequest(
        packages=tuple(args.packages),
        dependency_type=dependency_type(args),
        package=args.package,
        **lock_sync_fields(args),
    )
    if args.script:
        settings = SettingsSources.from_args(args)
        remove_from_script(ctx, request, ctx.cwd / args.script, settings=settings)
        return 0
    remove_requirements(ctx, request)
    return 0
