"""`puv lock`: create or update the project's `uv.lock`."""

from __future__ import annotations

import argparse
from typing import Any

from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG
from puv.cli.project_options import (
    add_index_options,
    add_lock_mode_options,
    add_refresh_options,
    add_resolver_options,
)
from puv.core.printer import Printer


def register(sub: Any) -> None:
    """Add `lock` to the command tree."""
    parser = sub.add_parser(
        "lock",
        help="Update the project's lockfile",
        usage_line=f"{PROG} lock [OPTIONS]",
    )
    add_lock_mode_options(parser, check_aliases=True)
    parser.opt("--dry-run", action="store_true", default=False,
               help="Perform a dry run, without writing the lockfile")  # fmt: skip
    parser.opt("--script", metavar="SCRIPT",
               help="Lock the specified Python script, rather than the current project")  # fmt: skip
    add_index_options(parser)
    add_resolver_options(parser)
    add_refresh_options(parser)
    add_python_option(parser, "The Python interpreter to use during resolution.")
    add_global_options(parser)
    parser.set_defaults(_handler=run, _parser=parser)


def run(args: argparse.Namespace, printer: Printer) -> int:
    """`puv lock`."""
    from pathlib import Path

    from puv.operations.context import build_context
    from puv.operations.lock import LockRequest, lock_project, lock_script

    ctx = build_context(args, printer)
    settings = ctx.settings
    request = LockRequest(
        check=args.locked,
        frozen=args.frozen,
        dry_run=args.dry_run,
        upgrade=settings.upgrade,
        upgrade_packages=tuple(settings.upgrade_package),
        upgrade_groups=tuple(args.upgrade_group),
        python=getattr(args, "python", None),
        indexes=tuple(getattr(args, "index", None) or ()),
        default_index=getattr(args, "default_index", None),
        refresh=args.refresh,
        refresh_packages=tuple(args.refresh_package),
    )
    script = getattr(args, "script", None)
    if script is not None:
        lock_script(ctx, request, ctx.cwd / Path(script))
        return 0
    if args.frozen:
        lock_project(ctx, request)
        printer.warn(
            "The lockfile at `uv.lock` was only checked for validity, not whether it is "
            "up-to-date, because `--frozen` was provided; use `--check` instead"
        )
        return 0
    lock_project(ctx, request)
    return 0
