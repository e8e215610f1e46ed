"""`puv pip compile`: parse uv's flags, run the compile operation, print the pins and the status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG, Parser
from puv.core.printer import Printer

# Arguments uv leaves out of the header's command line: (flag, takes a value).
_SKIPPED = {
    "--upgrade": False,
    "-U": False,
    "--upgrade-package": True,
    "-P": True,
    "--quiet": False,
    "-q": False,
    "--verbose": False,
    "-v": False,
    "--no-progress": False,
    "--native-tls": False,
}
_INDEX_FLAGS = ("--index-url", "--extra-index-url", "-i", "--index", "--default-index")


def header_command(
    argv: Sequence[str], *, include_index_url: bool, include_find_links: bool, program: str = "puv"
) -> str:
    """The command line for the output's header, normalised as uv does (`cmd()` in uv)."""
    kept: list[str] = []
    skip_next = False
    for arg in argv:
        if skip_next:
            skip_next = False
            continue
        if not include_index_url:
            if arg.startswith(tuple(f"{flag}=" for flag in _INDEX_FLAGS)):
                continue
            if arg in _INDEX_FLAGS:
                skip_next = True
                continue
        if not include_find_links:
            if arg in ("--find-links", "-f"):
                skip_next = True
                continue
            if arg.startswith(("--find-links=", "-f")):
                continue
        if arg in _SKIPPED:
            skip_next = _SKIPPED[arg]
            continue
        if arg.startswith(("--upgrade-package=", "-P")):
            continue
        kept.append(arg)
    return " ".join([program, *kept])


def register_into(commands: Any) -> None:
    """Add `compile` to the `pip` subcommands."""
    parser: Parser = commands.add_parser(
        "compile",
        help="Compile a `requirements.in` file to a `requirements.txt` or `pylock.toml` file",
        usage_line=f"{PROG} pip compile [OPTIONS] <SRC_FILE|--group <GROUP>>",
    )
    parser.add_argument("src_file", nargs="*", metavar="SRC_FILE", help="Input files")
    parser.opt("-c", "--constraints", action="append", metavar="CONSTRAINTS", env="UV_CONSTRAINT",
               split=True, help="Constrain versions using the given requirements files")  # fmt: skip
    parser.opt("--overrides", "--override", action="append", metavar="OVERRIDES",
               env="UV_OVERRIDE", split=True, help="Override versions using the given files")  # fmt: skip
    _flag(parser, "--all-extras", "all-extras", "Include all optional dependencies")
    parser.opt("--extra", action="append", metavar="EXTRA", setting="extra",
               help="Include optional dependencies from the specified extra name")  # fmt: skip
    parser.opt("--group", action="append", metavar="GROUP", setting="group",
               help="Install the specified dependency group from a `pyproject.toml`")  # fmt: skip
    _flag(parser, "--no-deps", "no-deps", "Ignore package dependencies")
    parser.opt("-o", "--output-file", metavar="OUTPUT_FILE", setting="output-file",
               help="Write the compiled requirements to the given file")  # fmt: skip
    _flag(parser, "--no-strip-extras", "no-strip-extras", "Include extras in the output file")
    _flag(parser, "--no-annotate", "no-annotate", "Exclude comment annotations")
    _flag(parser, "--no-header", "no-header", "Exclude the comment header")
    parser.opt("--annotation-style", choices=["line", "split"], metavar="ANNOTATION_STYLE",
               setting="annotation-style", help="The style of the annotation comments")  # fmt: skip
    parser.opt("--custom-compile-command", metavar="CUSTOM_COMPILE_COMMAND",
               env="UV_CUSTOM_COMPILE_COMMAND", setting="custom-compile-command",
               help="The header comment to include [env: UV_CUSTOM_COMPILE_COMMAND=]")  # fmt: skip
    _flag(parser, "--generate-hashes", "generate-hashes", "Include distribution hashes")
    parser.opt("--no-build", action="store_true", default=False,
               help="Don't build source distributions")  # fmt: skip
    parser.opt("--no-binary", action="append", metavar="NO_BINARY", setting="no-binary",
               help="Don't install pre-built wheels")  # fmt: skip
    parser.opt("--only-binary", action="append", metavar="ONLY_BINARY", setting="only-binary",
               help="Only use pre-built wheels")  # fmt: skip
    parser.opt("--python-version", metavar="PYTHON_VERSION", setting="python-version",
               help="The Python version to use for resolution")  # fmt: skip
    parser.opt("--python-platform", metavar="PYTHON_PLATFORM", setting="python-platform",
               help="The platform for which requirements should be resolved")  # fmt: skip
    _flag(parser, "--universal", "universal", "Perform a universal resolution")
    parser.opt("--no-emit-package", "--unsafe-package", action="append",
               metavar="NO_EMIT_PACKAGE", setting="no-emit-package",
               help="Specify a package to omit from the output resolution")  # fmt: skip
    _flag(parser, "--emit-index-url", "emit-index-url", "Include `--index-url` entries")
    _flag(parser, "--emit-find-links", "emit-find-links", "Include `--find-links` entries")
    _flag(parser, "--emit-build-options", "emit-build-options",
          "Include `--no-binary` and `--only-binary` entries")  # fmt: skip
    _index_options(parser)
    _resolver_options(parser)
    add_python_option(parser, "The Python interpreter to use during resolution.")
    parser.opt("--system", action="store_const", const=True, default=False,
               env="UV_SYSTEM_PYTHON", help="Install packages into the system Python environment")  # fmt: skip
    add_global_options(parser)
    parser.set_defaults(_handler=run_compile, _parser=parser)


def _flag(parser: Parser, flag: str, setting: str, help_text: str) -> None:
    parser.opt(flag, action="store_const", const=True, setting=setting, help=help_text)


def _index_options(parser: Parser) -> None:
    group = parser.add_argument_group("Index options")
    parser.opt("--index", action="append", metavar="INDEX", env="UV_INDEX", split=True,
               group=group, help="The indexes to use when resolving dependencies")  # fmt: skip
    parser.opt("--default-index", metavar="DEFAULT_INDEX", env="UV_DEFAULT_INDEX", group=group,
               help="The default package index")  # fmt: skip
    parser.opt("-i", "--index-url", metavar="INDEX_URL", env="UV_INDEX_URL",
               setting="index-url", group=group, help="The URL of the Python package index")  # fmt: skip
    parser.opt("--extra-index-url", action="append", metavar="EXTRA_INDEX_URL",
               env="UV_EXTRA_INDEX_URL", split=True, setting="extra-index-url", group=group,
               help="Extra URLs of package indexes to use")  # fmt: skip
    parser.opt("-f", "--find-links", action="append", metavar="FIND_LINKS", env="UV_FIND_LINKS",
               split=True, setting="find-links", group=group,
               help="Locations to search for candidate distributions")  # fmt: skip
    parser.opt("--no-index", action="store_const", const=True, setting="no-index", group=group,
               help="Ignore the registry index (e.g., PyPI)")  # fmt: skip
    parser.opt("--index-strategy", choices=["first-index", "unsafe-first-match",
               "unsafe-best-match"], metavar="INDEX_STRATEGY", env="UV_INDEX_STRATEGY",
               setting="index-strategy", group=group,
               help="The strategy to use when resolving against multiple index URLs")  # fmt: skip


def _resolver_options(parser: Parser) -> None:
    group = parser.add_argument_group("Resolver options")
    parser.opt("-U", "--upgrade", action="store_const", const=True, setting="upgrade",
               group=group, help="Allow package upgrades")  # fmt: skip
    parser.opt("-P", "--upgrade-package", action="append", metavar="UPGRADE_PACKAGE",
               setting="upgrade-package", group=group,
               help="Allow upgrades for a specific package")  # fmt: skip
    parser.opt("--resolution", choices=["highest", "lowest", "lowest-direct"],
               metavar="RESOLUTION", env="UV_RESOLUTION", setting="resolution", group=group,
               help="The strategy to use when selecting between versions")  # fmt: skip
    parser.opt("--prerelease", choices=["disallow", "allow", "if-necessary", "explicit",
               "if-necessary-or-explicit"], metavar="PRERELEASE", env="UV_PRERELEASE",
               setting="prerelease", group=group,
               help="The strategy to use when considering pre-release versions")  # fmt: skip
    parser.opt("--exclude-newer", metavar="EXCLUDE_NEWER", env="UV_EXCLUDE_NEWER",
               setting="exclude-newer", group=group,
               help="Limit candidate packages to those uploaded prior to the given date")  # fmt: skip


def run_compile(args: argparse.Namespace, printer: Printer) -> int:
    """`puv pip compile`."""
    from puv.core.printer import format_duration, plural
    from puv.operations.context import build_context
    from puv.operations.pip_compile import CompileRequest, pip_compile

    ctx = build_context(args, printer)
    pip = ctx.settings.pip
    command = None
    if not pip.no_header:
        command = pip.custom_compile_command or header_command(
            sys.argv[1:],
            include_index_url=pip.emit_index_url,
            include_find_links=pip.emit_find_links,
        )
    request = CompileRequest(
        sources=tuple(args.src_file),
        constraints=tuple(getattr(args, "constraints", None) or ()),
        overrides=tuple(getattr(args, "overrides", None) or ()),
        command=command,
        index=tuple(getattr(args, "index", None) or ()),
        default_index=getattr(args, "default_index", None),
        python=getattr(args, "python", None),
        no_build=bool(getattr(args, "no_build", False)),
        read_stdin=sys.stdin.read,
    )
    result = pip_compile(ctx, request)
    count = f"{plural(result.resolved, 'package')} " if result.resolved else ""
    printer.status(f"Resolved {count}in {format_duration(result.seconds)}")
    for warning in result.warnings:
        printer.warn(warning)
    if result.output and not (printer.quiet and pip.output_file):
        printer.result(result.output)
    return 0
