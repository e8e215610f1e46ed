"""`puv cache dir` (and, with the installer issue, `clean` and `prune`)."""

from __future__ import annotations

import argparse
from typing import Any

from puv.cli.global_options import add_global_options
from puv.cli.parser import PROG, Parser
from puv.core.printer import Printer


def register(sub: Any) -> None:
    """Add `cache` and its subcommands to the command tree."""
    cache = sub.add_parser(
        "cache", help="Manage puv's cache", usage_line=f"{PROG} cache [OPTIONS] <COMMAND>"
    )
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


def run_dir(args: argparse.Namespace, printer: Printer) -> int:
    """Print the cache root: `--cache-dir`/`UV_CACHE_DIR`, else `$XDG_CACHE_HOME/puv`."""
    from puv.operations.context import build_context

    ctx = build_context(args, printer)
    printer.result(str(ctx.cache.root))
    return 0
