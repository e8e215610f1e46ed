"""`puv tree`: parse uv's flags, draw the project's dependency tree on stdout."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from puv.cli.export_cmd import (
    GROUP_CONFLICTS,
    add_group_options,
    add_lock_options,
    group_flags,
    lock_request,
    names,
    reject_conflicts,
)
from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG, Parser
from puv.core.printer import Printer

_TREE_CONFLICTS = (
    *GROUP_CONFLICTS,
    ("--universal", "--python-version"),
    ("--universal", "--python-platform"),
)


def register(sub: Any) -> None:
    """Add `tree` to the command tree."""
    parser: Parser = sub.add_parser("tree", usage_line=f"{PROG} tree [OPTIONS]")
    parser.opt("--universal", action="store_true", default=False,
               help="Show a platform-independent dependency tree")  # fmt: skip
    parser.opt("--format", choices=["text", "json"], default="text", metavar="FORMAT",
               help="The format in which to display the dependency graph [default: text]")  # fmt: skip
    parser.opt("-d", "--depth", type=_depth, default=255, metavar="DEPTH",
               help="Maximum display depth of the dependency tree [default: 255]")  # fmt: skip
    parser.opt("--prune", action="append", metavar="PRUNE",
               help="Prune the given package from the display of the dependency tree")  # fmt: skip
    parser.opt("--package", action="append", metavar="PACKAGE",
               help="Display only the specified packages")  # fmt: skip
    parser.opt("--no-dedupe", action="store_true", default=False,
               help="Do not de-duplicate repeated dependencies")  # fmt: skip
    parser.opt("--invert", "--reverse", action="store_true", default=False,
               help="Show the reverse dependencies for the given package")  # fmt: skip
    parser.opt("--outdated", action="store_true", default=False,
               help="Show the latest available version of each package in the tree")  # fmt: skip
    parser.opt("--show-sizes", action="store_true", default=False,
               help="Show compressed wheel sizes for packages in the tree")  # fmt: skip
    add_group_options(parser)
    add_lock_options(parser, refresh=False)
    parser.opt("--python-version", metavar="PYTHON_VERSION",
               help="The Python version to use when filtering the tree")  # fmt: skip
    parser.opt("--python-platform", metavar="PYTHON_PLATFORM",
               help="The platform to use when filtering the tree")  # fmt: skip
    add_python_option(parser, "The Python interpreter to use for locking and filtering.")
    add_global_options(parser)
    parser.set_defaults(_handler=run, _parser=parser)


def _depth(text: str) -> int:
    """A `--depth` value: 0 to 255, as clap's `u8`."""
    value = int(text)
    if not 0 <= value <= 255:
        raise ValueError(text)
    return value


def run(args: argparse.Namespace, printer: Printer) -> int:
    """`puv tree`."""
    from puv.core.errors import PuvError
    from puv.operations.context import build_context
    from puv.operations.tree import TreeRequest, tree

    reject_conflicts(args._parser, sys.argv[1:], _TREE_CONFLICTS)
    if args.script is not None:
        raise PuvError("`puv tree --script` is not supported yet")
    if args.format == "json":
        raise PuvError("`puv tree --format json` is not supported yet")
    ctx = build_context(args, printer)
    request = TreeRequest(
        depth=args.depth,
        prune=names(args.prune),
        packages=names(args.package),
        no_dedupe=args.no_dedupe,
        invert=args.invert,
        outdated=args.outdated,
        show_sizes=args.show_sizes,
        universal=args.universal,
        python_version=args.python_version,
        python_platform=args.python_platform,
        groups=group_flags(args),
        lock=lock_request(args, ctx),
        project_dir=args.project,
    )
    text = tree(ctx, request)
    if text:
        printer.result(text)
    return 0
