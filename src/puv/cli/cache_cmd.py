"""`puv cache dir|clean|prune`."""

from __future__ import annotations

import argparse
from typing import Any

from puv.cli.global_options import add_global_options
from puv.cli.parser import PROG, Parser
from puv.core.printer import Printer


def register(sub: Any) -> None:
    """Add `cache` and its subcommands to the command tree."""
    cache = sub.add_parser("cache", usage_line=f"{PROG} cache [OPTIONS] <COMMAND>")
    add_global_options(cache)
    cache.set_defaults(_parser=cache)
    commands = cache.add_subparsers(
        dest="cache_command", metavar="<COMMAND>", title="Commands", parser_class=Parser
    )
    d = commands.add_parser(
        "dir", help="Show the cache directory", usage_line=f"{PROG} cache dir [OPTIONS]"
    )
    add_global_options(d)
    d.set_defaults(_handler=run_dir, _parser=d)
    clean = commands.add_parser(
        "clean",
        help="Clear the cache, removing all entries or those linked to specific packages",
        usage_line=f"{PROG} cache clean [OPTIONS] [PACKAGE]...",
    )
    clean.add_argument("packages", nargs="*", metavar="PACKAGE", help="The packages to remove")
    clean.opt("--force", action="store_true", default=False, help="Force removal of the cache")
    add_global_options(clean)
    clean.set_defaults(_handler=run_clean, _parser=clean)
    prune = commands.add_parser(
        "prune",
        help="Prune all unreachable objects from the cache",
        usage_line=f"{PROG} cache prune [OPTIONS]",
    )
    prune.opt("--ci", action="store_true", default=False, help="Optimize the cache for CI")
    prune.opt("--force", action="store_true", default=False, help="Force removal of the cache")
    add_global_options(prune)
    prune.set_defaults(_handler=run_prune, _parser=prune)


def run_dir(args: argparse.Namespace, printer: Printer) -> int:
    """Print the cache root: `--cache-dir`/`UV_CACHE_DIR`, else `$XDG_CACHE_HOME/puv`."""
    from puv.operations.context import build_context

    ctx = build_context(args, printer)
    printer.result(str(ctx.cache.root))
    return 0


def run_clean(args: argparse.Namespace, printer: Printer) -> int:
    """`puv cache clean [PACKAGE]...`."""
    from puv.operations.cache_ops import cache_clean
    from puv.operations.context import build_context

    cache_clean(build_context(args, printer), args.packages, force=args.force)
    return 0


def run_prune(args: argparse.Namespace, printer: Printer) -> int:
    """`puv cache prune [--ci]`."""
    from puv.operations.cache_ops import cache_prune
    from puv.operations.context import build_context

    cache_prune(build_context(args, printer), ci=args.ci, force=args.force)
    return 0
