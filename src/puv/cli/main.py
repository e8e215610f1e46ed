"""Entry points: `puv`, `puvx` and `python -m puv`. Parses, builds the context, dispatches, renders errors."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from puv import __version__
from puv.cli.env_settings import env_only_settings
from puv.cli.parser import PROG, Parser, resolve, setting_layers
from puv.core.errors import PuvError, UsageError


def _version_line() -> str:
    return f"puv {__version__}"


def build_parser() -> Parser:
    """The whole command tree: only commands that are implemented are listed."""
    from puv.cli import cache_cmd, pip_cmd, python_cmd, venv_cmd, version_cmd
    from puv.cli.global_options import add_global_options

    top = Parser(
        prog=PROG,
        description="An extremely fast Python package manager, in pure Python.",
        usage_line=f"{PROG} [OPTIONS] <COMMAND>",
        epilog=f"Use `{PROG} help <command>` for more details.",
    )
    top.opt("-V", "--version", action="store_true", default=False, help="Display the puv version")
    add_global_options(top)
    sub = top.add_subparsers(
        dest="command", metavar="<COMMAND>", title="Commands", parser_class=Parser
    )
    for module in (version_cmd, python_cmd, pip_cmd, venv_cmd, cache_cmd):
        module.register(sub)
    help_parser = sub.add_parser(
        "help",
        help="Display documentation for a command",
        usage_line=f"{PROG} help [COMMAND]...",
    )
    help_parser.add_argument("topic", nargs="*", metavar="COMMAND")
    help_parser.set_defaults(_help=True)
    top.set_defaults(_parser=top)
    return top


def _help_target(top: Parser, words: list[str]) -> Parser:
    """The parser of `puv help a b`: the subcommand named by `words`."""
    parser = top
    for word in words:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs or word not in subs[0].choices:
            raise UsageError(
                f"unrecognized subcommand '{word}'\n\nUsage: {parser.usage_line}"
                "\n\nFor more information, try '--help'."
            )
        parser = subs[0].choices[word]
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, run the command, and return its exit code; errors are rendered, not raised."""
    from puv.core.printer import Printer, want_color

    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list in (["--version"], ["-V"]):
        sys.stdout.write(_version_line() + "\n")
        return 0
    printer = Printer(color=want_color("auto", sys.stderr, os.environ))
    try:
        top = build_parser()
        if not args_list:
            sys.stderr.write(top.format_help())
            return 2
        args = top.parse_args(args_list)
        if getattr(args, "_help", False):
            sys.stdout.write(_help_target(top, args.topic).format_help())
            return 0
        leaf: Parser = getattr(args, "_parser", top)
        args._origin = resolve(args, [leaf, top], os.environ)
        cli_settings, env_settings = setting_layers(args, [leaf, top], args._origin)
        args._settings_cli = cli_settings
        args._settings_env = {**env_only_settings(os.environ), **env_settings}
        printer = Printer(
            quiet=args.quiet,
            verbose=args.verbose,
            color=want_color(args.color, sys.stderr, os.environ),
            progress=not args.no_progress,
        )
        if args.version:
            sys.stdout.write(_version_line() + "\n")
            return 0
        handler = getattr(args, "_handler", None)
        if handler is None:
            sys.stderr.write(leaf.format_help())
            return 2
        if args.directory:
            try:
                os.chdir(args.directory)
            except OSError as exc:
                raise PuvError(
                    f"Failed to change directory to `{args.directory}`",
                    causes=[exc.strerror or str(exc)],
                ) from exc
        return int(handler(args, printer))
    except PuvError as exc:
        printer.error(exc.message, exc.causes, exc.hint)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug in puv: short message unless a backtrace is asked for
        if (
            os.environ.get("PUV_BACKTRACE") == "1"
            or "-vv" in args_list
            or args_list.count("-v") > 1
        ):
            raise
        printer.error(
            f"{type(exc).__name__}: {exc}",
            hint="This is a bug in puv; run with `PUV_BACKTRACE=1` for the traceback",
        )
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    """`puv`."""
    return run(argv)


def main_puvx() -> int:
    """`puvx`: `puv tool run`."""
    return run(["tool", "run", *sys.argv[1:]])
