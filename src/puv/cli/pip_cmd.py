"""`puv pip ...`: the pip-compatible interface (freeze, list, show, tree, check; compile, sync,
install, uninstall)."""

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

    _register_tree(commands)

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


def _register_tree(commands: Any) -> None:
    from puv.cli.parser import KeyValuePairs
    from puv.cli.pip_install_cmd import _index_options
    from puv.cli.project_options import exclude_newer_package

    tree = _subcommand(
        commands,
        "tree",
        "Display the dependency tree for an environment",
        "tree [OPTIONS]",
    )
    tree.opt("--show-version-specifiers", action="store_true", default=False,
             help="Show the version constraint(s) imposed on each package")  # fmt: skip
    tree.opt("-d", "--depth", type=_depth, default=255, metavar="DEPTH",
             help="Maximum display depth of the dependency tree [default: 255]")  # fmt: skip
    tree.opt("--prune", action="append", default=[], metavar="PRUNE",
             help="Prune the given package from the display of the dependency tree")  # fmt: skip
    tree.opt("--package", action="append", default=[], metavar="PACKAGE",
             help="Display only the specified packages")  # fmt: skip
    tree.opt("--no-dedupe", action="store_true", default=False,
             help="Do not de-duplicate repeated dependencies")  # fmt: skip
    tree.opt("--invert", "--reverse", action="store_true", default=False,
             help="Show the reverse dependencies for the given package")  # fmt: skip
    tree.opt("--outdated", action="store_true", default=False,
             help="Show the latest available version of each package in the tree")  # fmt: skip
    tree.opt("--show-sizes", action="store_true", default=False,
             help="Show compressed wheel sizes for packages in the tree")  # fmt: skip
    tree.opt("--strict", dest="strict", action="store_const", const=True, default=False,
             help="Validate the Python environment, to detect packages with missing dependencies "
             "and other issues")  # fmt: skip
    tree.opt("--no-strict", dest="strict", action="store_const", const=False, help="")
    tree.opt("--cert", metavar="FILE", help="Path to a PEM-encoded CA certificate bundle")
    _index_options(tree)
    tree.opt("--exclude-newer", metavar="EXCLUDE_NEWER", env="UV_EXCLUDE_NEWER",
             setting="exclude-newer", help="Limit candidate packages to those that were uploaded "
             "prior to the given date [env: UV_EXCLUDE_NEWER=]")  # fmt: skip
    tree.opt("--exclude-newer-package", action=KeyValuePairs, parse=exclude_newer_package,
             metavar="EXCLUDE_NEWER_PACKAGE", setting="exclude-newer-package",
             help="Limit candidate packages for specific packages to those that were uploaded "
             "prior to the given date")  # fmt: skip
    tree.opt("--disable-pip-version-check", action="store_true", default=False, help="")
    _target_options(tree, "The Python interpreter for which packages should be listed.")
    add_global_options(tree)
    tree.set_defaults(_handler=run_tree, _parser=tree)


def _depth(text: str) -> int:
    """A `--depth` value: 0 to 255, as clap's `u8`."""
    value = int(text)
    if not 0 <= value <= 255:
        raise ValueError(text)
    return value


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


def run_tree(args: argparse.Namespace, printer: Printer) -> int:
    """`puv pip tree`: the environment's dependency tree on stdout; `--strict` adds `pip check`'s
    findings as warnings."""
    from packaging.utils import canonicalize_name

    from puv.core.errors import PuvError
    from puv.operations.pip_tree import TreeOptions, pip_tree

    if args.cert is not None:
        raise PuvError(
            "`--cert` is not supported by `puv pip tree` yet",
            hint="Point `SSL_CERT_FILE` at the certificate bundle instead",
        )
    ctx, target = _target(args, printer, mutable=False)
    options = TreeOptions(
        depth=args.depth,
        prune=frozenset(canonicalize_name(name) for name in args.prune),
        packages=frozenset(canonicalize_name(name) for name in args.package),
        no_dedupe=args.no_dedupe,
        invert=args.invert,
        show_version_specifiers=args.show_version_specifiers,
    )
    from puv.cli.pip_install_cmd import _index_arguments

    report = pip_tree(
        ctx, target, options, indexes=_index_arguments(args) if args.outdated else None
    )
    if report.lines:
        printer.result("\n".join(report.lines))
    if args.strict:
        for problem in report.problems:
            printer.warn(problem)
    return 0


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
