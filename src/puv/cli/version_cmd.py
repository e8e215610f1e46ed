"""`puv version`: print, set or bump the project's version."""

from __future__ import annotations

import argparse
import json
from typing import Any

from puv.cli.add_cmd import add_sync_options, check_mode_conflicts, lock_sync_fields
from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG
from puv.cli.project_options import add_index_options, add_resolver_options
from puv.core.errors import UsageError
from puv.core.printer import Printer


def register(sub: Any) -> None:
    """Add `version` to the command tree."""
    parser = sub.add_parser(
        "version",
        help="Read or update the project's version",
        usage_line=f"{PROG} version [OPTIONS] [VALUE]",
    )
    parser.add_argument("value", nargs="?", metavar="VALUE",
                        help="Set the project version to this value")  # fmt: skip
    parser.opt("--bump", action="append", default=[], metavar="BUMP[=VALUE]",
               help="Update the project version using the given semantics [possible values: "
               "major, minor, patch, stable, alpha, beta, rc, post, dev]")  # fmt: skip
    parser.opt("--dry-run", action="store_true", default=False,
               help="Don't write a new version to the `pyproject.toml`")  # fmt: skip
    parser.opt("--short", action="store_true", default=False, help="Only show the version")
    parser.opt(
        "--output-format",
        choices=["text", "json"],
        default="text",
        metavar="OUTPUT_FORMAT",
        help="The format of the output [possible values: text, json]",
    )
    add_sync_options(parser, frozen_help="Update the version without re-locking the project")
    parser.opt("--package", metavar="PACKAGE",
               help="Update the version of a specific package in the workspace")  # fmt: skip
    add_index_options(parser)
    add_resolver_options(parser)
    add_python_option(parser, "The Python interpreter to use for resolving and syncing.")
    add_global_options(parser)
    parser.set_defaults(_handler=run, _parser=parser)


def run(args: argparse.Namespace, printer: Printer) -> int:
    """Print `name version`, `name old => new`, the bare version, or uv's JSON object."""
    from puv.operations.context import build_context
    from puv.operations.version import BumpSpec, VersionRequest, change_version

    try:
        bumps = tuple(BumpSpec.parse(text) for text in args.bump)
    except ValueError as error:
        raise UsageError(
            f"{error}\n\nUsage: {PROG} version [OPTIONS] [VALUE]\n\n"
            "For more information, try '--help'."
        ) from None
    if args.value is not None and bumps:
        raise UsageError(
            "the argument '[VALUE]' cannot be used with '--bump <BUMP[=VALUE]>'\n\n"
            f"Usage: {PROG} version [OPTIONS] [VALUE]\n\nFor more information, try '--help'."
        )
    check_mode_conflicts(args, "[VALUE]")
    ctx = build_context(args, printer)
    change = change_version(
        ctx,
        VersionRequest(
            value=args.value,
            bumps=bumps,
            dry_run=args.dry_run,
            package=args.package,
            project_dir=args.project,
            **lock_sync_fields(args),
        ),
    )
    if args.output_format == "json":
        payload = {
            "package_name": change.name,
            "version": change.new or change.old,
            "commit_info": None,
        }
        printer.result(json.dumps(payload, indent=2))
    elif change.new is not None:
        printer.result(change.new if args.short else f"{change.name} {change.old} => {change.new}")
    else:
        printer.result(change.old if args.short else f"{change.name} {change.old}")
    return 0
