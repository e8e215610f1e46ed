"""`puv pip ...`: the pip-compatible interface (freeze, list, show, check; sync, install, uninstall)."""

from __future__ import annotations

import argparse
from typing import Any

from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG, Parser
from puv.core.printer import Printer


def _subcommand(commands: Any, name: str, help_text: str, usage: str) -> Parser:
    parser: Parser = commands.add_parser(name, help=help_text, usage_line=f"{PROG} pip {usage}")
    return parser


def _target_options(parser: Parser, python_help: str) -> None:
    """`-p/--python` and `--system`, as every `uv pip` subcommand has them."""
    add_python_option(parser, python_help)
    parser.opt(
        "--system",
        action="store_const",
        const=True,
        default=False,
        env="UV_SYSTEM_PYTHON",
        help="Use the system Python environment [env: UV_SYSTEM_PYTHON=]",
    )
    parser.opt("--no-system", dest="system", action="store_const", const=False, help="")


def register(sub: Any) -> None:
    """Add `pip` and its subcommands to the command tree."""
    pip: Parser = sub.add_parser(
        "pip",
        help="Manage Python packages with a pip-compatible interface",
        usage_line=f"{PROG} pip [OPTIONS] <COMMAND>",
    )
    add_global_options(pip)
    pip.set_defaults(_parser=pip)
    commands = pip.add_subparsers(
        dest="pip_command", metavar="<COMMAND>", title="Commands", parser_class=Parser
    )

    freeze = _subcommand(
        commands,
        "freeze",
        "List, in requirements format, packages installed in an environment",
        "freeze [OPTIONS]",
    )
    freeze.opt(
        "--exclude-editable",
        action="store_true",
        default=False,
        help="Exclude any editable packages from output",
    )
    _target_options(freeze, "The Python interpreter for which packages should be listed.")
    add_global_options(freeze)
    freeze.set_defaults(_handler=run_freeze, _parser=freeze)

    listing = _subcommand(
        commands,
        "list",
        "List, in tabular format, packages installed in an environment",
        "list [OPTIONS]",
    )
    listing.opt(
        "-e",
        "--editable",
        action="store_true",
        default=False,
        help="Only include editable projects",
    )
    listing.opt(
        "--exclude-editable",
        action="store_true",
        default=False,
        help="Exclude any editable packages from output",
    )
    listing.opt(
        "--format",
        choices=["columns", "freeze", "json"],
        default="columns",
        metavar="FORMAT",
        help="Select the output format [possible values: columns, freeze, json]",
    )
    _target_options(listing, "The Python interpreter for which packages should be listed.")
    add_global_options(listing)
    listing.set_defaults(_handler=run_list, _parser=listing)

    show = _subcommand(
        commands,
        "show",
        "Show information about one or more installed packages",
        "show [OPTIONS] [PACKAGE]...",
    )
    show.add_argument("packages", nargs="*", metavar="PACKAGE", help="The package(s) to display")
    show.opt(
        "-f",
        "--files",
        action="store_true",
        default=False,
        help="Show the full list of installed files for each package",
    )
    _target_options(show, "The Python interpreter to find the package in.")
    add_global_options(show)
    show.set_defaults(_handler=run_show, _parser=show)

    check = _subcommand(
        commands,
        "check",
        "Verify installed packages have compatible dependencies",
        "check [OPTIONS]",
    )
    _target_options(check, "The Python interpreter for which packages should be checked.")
    add_global_options(check)
    check.set_defaults(_handler=run_check, _parser=check)
    from puv.cli import pip_compile_cmd, pip_install_cmd

    pip_compile_cmd.register_into(commands)
    pip_install_cmd.register_into(commands)


def _target(args: argparse.Namespace, printer: Printer, *, mutable: bool) -> Any:
    from puv.operations.context import build_context
    from puv.operations.pip_env import find_target_environment

    ctx = build_context(args, printer)
    return ctx, find_target_environment(ctx, args.python, system=args.system, mutable=mutable)


def run_freeze(args: argparse.Namespace, printer: Printer) -> int:
    """`puv pip freeze`."""
    from puv.operations.pip_inspect import freeze_lines, installed

    _, target = _target(args, printer, mutable=False)
    lines = freeze_lines(installed(target), exclude_editable=args.exclude_editable)
    if lines:
        printer.result("\n".join(lines))
    return 0


def run_list(args: argparse.Namespace, printer: Printer) -> int:
    """`puv pip list`."""
    from puv.operations.pip_inspect import installed, list_output

    _, target = _target(args, printer, mutable=False)
    text = list_output(
        installed(target),
        fmt=args.format,
        editable=args.editable,
        exclude_editable=args.exclude_editable,
    )
    if text or args.format == "json":
        printer.result(text)
    return 0


def run_show(args: argparse.Namespace, printer: Printer) -> int:
    """`puv pip show PACKAGE...`: exit 1 when none of them is installed."""
    from puv.operations.pip_inspect import show_text

    if not args.packages:
        printer.warn("Please provide a package name or names.")
        return 1
    _, target = _target(args, printer, mutable=False)
    text, missing = show_text(target, args.packages, files=args.files)
    if missing:
        printer.warn(f"Package(s) not found for: {', '.join(sorted(missing))}")
    if text:
        printer.result(text)
    return 0 if text else 1


def run_check(args: argparse.Namespace, printer: Printer) -> int:
    """`puv pip check`: exit 1 when an installed package's requirements are not met."""
    import time

    from puv.core.printer import format_duration, plural
    from puv.operations.pip_inspect import check_environment

    _, target = _target(args, printer, mutable=False)
    start = time.perf_counter()
    report = check_environment(target)
    elapsed = format_duration(time.perf_counter() - start)
    printer.status(f"Checked {plural(report.checked, 'package')} in {elapsed}")
    if not report.problems:
        printer.status("All installed packages are compatible")
        return 0
    count = len(report.problems)
    printer.status(f"Found {count} incompatibilit{'y' if count == 1 else 'ies'}")
    for problem in report.problems:
        printer.status(problem)
    return 1
