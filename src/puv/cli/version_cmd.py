"""`puv version`: print the project's name and version (`--short`, `--output-format json`)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from puv.cli.global_options import add_global_options
from puv.cli.parser import PROG
from puv.core.printer import Printer


def register(sub: Any) -> None:
    """Add `version` to the command tree."""
    parser = sub.add_parser(
        "version",
        usage_line=f"{PROG} version [OPTIONS]",
    )
    parser.opt("--short", action="store_true", default=False, help="Only show the version")
    parser.opt(
        "--output-format",
        choices=["text", "json"],
        default="text",
        metavar="OUTPUT_FORMAT",
        help="The format of the output [possible values: text, json]",
    )
    add_global_options(parser)
    parser.set_defaults(_handler=run, _parser=parser)


def run(args: argparse.Namespace, printer: Printer) -> int:
    """Print `name version`, the bare version, or uv's JSON object."""
    from puv.operations.context import build_context
    from puv.operations.version import project_version

    ctx = build_context(args, printer)
    found = project_version(ctx, args.project)
    if args.output_format == "json":
        payload = {"package_name": found.name, "version": found.version, "commit_info": None}
        printer.result(json.dumps(payload, indent=2))
    elif args.short:
        printer.result(found.version)
    else:
        printer.result(f"{found.name} {found.version}")
    return 0
