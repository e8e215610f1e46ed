"""`puv python find|list|pin|dir`: parse the flags, call `operations.python_ops`, print as uv does.

puv does not download or install Python yet: `python list` shows installed interpreters only, and
its download flags (`--only-downloads`, `--show-urls`, `--all-platforms`, `--all-arches`,
`--all-versions`) are accepted with nothing to show. `python dir` names uv's managed directory,
which discovery reads.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from puv.cli.global_options import add_global_options
from puv.cli.parser import PROG, Parser
from puv.core.printer import Printer

if TYPE_CHECKING:
    from puv.operations.python_ops import ListedPython


def register(sub: Any) -> None:
    """Add `python` and its subcommands to the command tree."""
    python = sub.add_parser(
        "python",
        usage_line=f"{PROG} python [OPTIONS] <COMMAND>",
    )
    add_global_options(python)
    python.set_defaults(_parser=python)
    commands = python.add_subparsers(
        dest="python_command", metavar="<COMMAND>", title="Commands", parser_class=Parser
    )

    find = commands.add_parser(
        "find",
        help="Search for a Python installation",
        usage_line=f"{PROG} python find [OPTIONS] [REQUEST]",
    )
    find.add_argument("request", nargs="?", metavar="REQUEST", help="The Python request")
    find.opt(
        "--no-project",
        action="store_true",
        default=False,
        env="UV_NO_PROJECT",
        help="Avoid discovering a project or workspace [env: UV_NO_PROJECT=]",
    )
    find.opt(
        "--system",
        action="store_true",
        default=False,
        env="UV_SYSTEM_PYTHON",
        help="Only find system Python interpreters [env: UV_SYSTEM_PYTHON=]",
    )
    find.opt(
        "--show-version",
        action="store_true",
        default=False,
        help="Show the Python version that would be used instead of the path to the interpreter",
    )
    find.opt(
        "--resolve-links",
        action="store_true",
        default=False,
        help="Resolve symlinks in the output path",
    )
    add_global_options(find)
    find.set_defaults(_handler=run_find, _parser=find)

    listing = commands.add_parser(
        "list",
        help="List the available Python installations",
        usage_line=f"{PROG} python list [OPTIONS] [REQUEST]",
    )
    listing.add_argument(
        "request", nargs="?", metavar="REQUEST", help="A Python request to filter by"
    )
    listing.opt(
        "--all-versions",
        action="store_true",
        default=False,
        help="List all Python versions, including old patch versions",
    )
    listing.opt(
        "--all-platforms",
        action="store_true",
        default=False,
        help="List Python downloads for all platforms",
    )
    listing.opt(
        "--all-arches",
        action="store_true",
        default=False,
        help="List Python downloads for all architectures",
    )
    listing.opt(
        "--only-installed",
        action="store_true",
        default=False,
        help="Only show installed Python versions",
    )
    listing.opt(
        "--only-downloads",
        action="store_true",
        default=False,
        help="Only show available Python downloads",
    )
    listing.opt(
        "--show-urls",
        action="store_true",
        default=False,
        help="Show the URLs of available Python downloads",
    )
    listing.opt(
        "--output-format",
        choices=["text", "json"],
        default="text",
        metavar="OUTPUT_FORMAT",
        help="Select the output format [default: text] [possible values: text, json]",
    )
    add_global_options(listing)
    listing.set_defaults(_handler=run_list, _parser=listing)

    pin = commands.add_parser(
        "pin",
        help="Pin to a specific Python version",
        usage_line=f"{PROG} python pin [OPTIONS] [REQUEST]",
    )
    pin.add_argument("request", nargs="?", metavar="REQUEST", help="The Python version request")
    pin.opt(
        "--resolved",
        action="store_true",
        default=False,
        help="Write the resolved Python interpreter path instead of the request",
    )
    pin.opt(
        "--no-project",
        action="store_true",
        default=False,
        env="UV_NO_PROJECT",
        help="Avoid validating the Python pin is compatible with the project or workspace "
        "[env: UV_NO_PROJECT=]",
    )
    pin.opt(
        "--global",
        dest="global_pin",
        action="store_true",
        default=False,
        help="Update the global Python version pin",
    )
    pin.opt("--rm", action="store_true", default=False, help="Remove the Python version pin")
    add_global_options(pin)
    pin.set_defaults(_handler=run_pin, _parser=pin)

    directory = commands.add_parser(
        "dir",
        help="Show the uv Python installation directory",
        usage_line=f"{PROG} python dir [OPTIONS]",
    )
    directory.opt(
        "--bin",
        action="store_true",
        default=False,
        help="Show the directory into which `uv python` will install Python executables.",
    )
    add_global_options(directory)
    directory.set_defaults(_handler=run_dir, _parser=directory)


def run_find(args: argparse.Namespace, printer: Printer) -> int:
    """Print the path (or `--show-version`, the version) of the interpreter uv would use."""
    from puv.operations.context import build_context
    from puv.operations.python_ops import python_find

    ctx = build_context(args, printer)
    interpreter = python_find(
        ctx,
        args.request,
        no_project=args.no_project,
        system=args.system,
        no_config=args.no_config,
        preference=python_preference(args),
        project_dir=_project_dir(args),
    )
    if args.show_version:
        printer.result(interpreter.version)
        return 0
    executable = interpreter.sys_executable
    path = executable.resolve() if args.resolve_links else Path(os.path.abspath(executable))
    printer.result(str(path))
    return 0


def run_list(args: argparse.Namespace, printer: Printer) -> int:
    """List installed interpreters in uv's columns (text) or uv's JSON records."""
    from puv.operations.context import build_context
    from puv.operations.python_ops import python_list

    ctx = build_context(args, printer)
    # puv installs no Python yet, so there are no downloads to list
    rows = [] if args.only_downloads else python_list(ctx, args.request, python_preference(args))
    if args.output_format == "json":
        records = [_list_record(row) for row in rows]
        printer.result(json.dumps(records, separators=(",", ":")))
        return 0
    if not rows:
        return 0
    width = max(len(row.interpreter.key) for row in rows)
    lines = []
    for row in rows:
        shown = printer.style(row.display, "cyan")
        if row.link_display is not None:
            shown = f"{shown} -> {printer.style(row.link_display, 'cyan')}"
        lines.append(f"{row.interpreter.key:<{width}}    {shown}")
    printer.result("\n".join(lines))
    return 0


def run_pin(args: argparse.Namespace, printer: Printer) -> int:
    """Show, write or remove the `.python-version` pin."""
    from puv.operations.context import build_context
    from puv.operations.python_ops import python_pin

    ctx = build_context(args, printer)
    outcome = python_pin(
        ctx,
        args.request,
        resolved=args.resolved,
        global_pin=args.global_pin,
        rm=args.rm,
        no_project=args.no_project,
        preference=python_preference(args),
        project_dir=_project_dir(args),
    )
    printer.result(outcome.message)
    return 0


def run_dir(args: argparse.Namespace, printer: Printer) -> int:
    """Print uv's managed Python directory (or, with `--bin`, its executable directory)."""
    from puv.operations.python_ops import python_dir

    printer.result(printer.style(str(python_dir(bin_dir=args.bin)), "cyan"))
    return 0


def python_preference(args: argparse.Namespace) -> Any:
    """The `PythonPreference` from `--managed-python`, `--no-managed-python`, `--python-preference`."""
    from puv.operations.python_ops import preference_from_flags

    return preference_from_flags(
        managed_python=bool(getattr(args, "managed_python", None)),
        no_managed_python=bool(getattr(args, "no_managed_python", None)),
        python_preference=getattr(args, "python_preference", None),
    )


def _project_dir(args: argparse.Namespace) -> Path | None:
    """`--project` (or `UV_PROJECT`) as an absolute path, if given."""
    return Path(os.path.abspath(args.project)) if args.project else None


def _list_record(row: ListedPython) -> dict[str, Any]:
    """One element of `python list --output-format json`, with uv's keys in uv's order."""
    from packaging.version import Version

    interpreter = row.interpreter
    release = (*Version(interpreter.version).release, 0, 0, 0)
    return {
        "key": interpreter.key,
        "version": interpreter.version,
        "version_parts": {"major": release[0], "minor": release[1], "patch": release[2]},
        "path": row.display,
        "symlink": row.link_display,
        "url": None,
        "os": interpreter.os,
        "variant": interpreter.variant,
        "implementation": interpreter.implementation,
        "arch": interpreter.arch,
        "libc": interpreter.libc,
    }
