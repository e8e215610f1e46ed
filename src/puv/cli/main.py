"""Entry points: `puv`, `puvx` and `python -m puv`. Parses, builds the context, dispatches, renders errors.

Start-up is part of the budget (DESIGN.md §4): this module imports nothing but `sys` until it knows
it has more to do than print the version, and only the command being run is built and imported.
"""

from __future__ import annotations

import os
import sys

from puv import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import NoReturn

    from puv.cli.parser import Parser

# Every command, in `puv --help` order: name -> (module whose `register(sub)` builds it, summary).
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("puv.cli.run_cmd", "Run a command or script"),
    "init": ("puv.cli.init_cmd", "Create a new project"),
    "add": ("puv.cli.add_cmd", "Add dependencies to the project"),
    "remove": ("puv.cli.remove_cmd", "Remove dependencies from the project"),
    "version": ("puv.cli.version_cmd", "Read or update the project's version"),
    "sync": ("puv.cli.sync_cmd", "Update the project's environment"),
    "lock": ("puv.cli.lock_cmd", "Update the project's lockfile"),
    "export": ("puv.cli.export_cmd", "Export the project's lockfile to an alternate format"),
    "tree": ("puv.cli.tree_cmd", "Display the project's dependency tree"),
    "python": ("puv.cli.python_cmd", "Manage Python versions and installations"),
    "pip": ("puv.cli.pip_cmd", "Manage Python packages with a pip-compatible interface"),
    "venv": ("puv.cli.venv_cmd", "Create a virtual environment"),
    "build": ("puv.cli.build_cmd", "Build Python packages into source distributions and wheels"),
    "cache": ("puv.cli.cache_cmd", "Manage puv's cache"),
}


def _version_line() -> str:
    return f"puv {__version__}"


def build_parser() -> Parser:
    """The command tree: every command of `COMMANDS` is listed, and built when it is looked up."""
    from puv.cli.global_options import add_global_options
    from puv.cli.parser import PROG, Parser

    top = Parser(
        prog=PROG,
        description="An extremely fast Python package manager, in pure Python.",
        usage_line=f"{PROG} [OPTIONS] <COMMAND>",
        epilog=f"Use `{PROG} help <command>` for more details.",
    )
    top.opt("-V", "--version", action="store_true", default=False, help="Display the puv version")
    add_global_options(top)
    sub = top.add_lazy_subcommands(dest="command", metavar="<COMMAND>", title="Commands")
    for name, (module, summary) in COMMANDS.items():
        sub.declare(name, module, summary)
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
    import argparse

    from puv.core.errors import UsageError

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
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list in (["--version"], ["-V"]):
        sys.stdout.write(_version_line() + "\n")
        return 0
    return _run_command(args_list)


def _run_command(args_list: list[str]) -> int:
    """Build the parser, parse, merge CLI > env > default, and run the handler."""
    from puv.cli.env_settings import env_only_settings
    from puv.cli.parser import resolve, setting_layers
    from puv.core.errors import PuvError
    from puv.core.printer import Printer, want_color

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


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """`puv`."""
    _exit(run(argv))


def main_puvx() -> NoReturn:
    """`puvx`: `puv tool run`, once tools land; until then it says so and exits 2."""
    if "tool" in COMMANDS:
        _exit(run(["tool", "run", *sys.argv[1:]]))
    sys.stderr.write("error: `puvx` runs `puv tool run`, which puv does not provide yet\n")
    _exit(2)


def _exit(code: int) -> NoReturn:
    """End the process with `code`: threads joined, `atexit` functions run, output flushed, and
    then `os._exit`, without the rest of the interpreter's shutdown.

    That rest is not only slow (collections walk every module, class and function of the command
    to free nothing: several ms); it runs the C library's exit handlers, OpenSSL's among them, while
    a worker thread that made HTTPS requests may still be freeing its OpenSSL thread state (a
    thread's join returns before the thread itself has ended), and the two race: "double free or
    corruption", a rare crash after a successful command (openssl/openssl#17469). Under a profiler
    (`python -m cProfile -m puv`), which writes its results once the program has returned, the exit
    is the ordinary one. Entry points only: `run` is what tests and embedders call.
    """
    if sys.getprofile() is not None:
        sys.exit(code)
    # Neither imported: no thread was started, no function registered.
    threading = sys.modules.get("threading")
    if threading is not None:
        threading._shutdown()  # joins threads as an exit does
    atexit = sys.modules.get("atexit")
    if atexit is not None:
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`puv ... | head`): nothing more to say
            continue
    os._exit(code)
