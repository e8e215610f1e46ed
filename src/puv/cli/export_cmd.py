"""`puv export`: parse uv's flags, export the lock, print it (and write `-o`).

Also the flags `export` shares with `tree` (dependency groups, `--frozen`/`--locked`) and how they
become a `GroupFlags`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG, Parser
from puv.core.printer import Printer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from puv.operations.context import Context
    from puv.operations.export import GroupFlags
    from puv.operations.lock import LockRequest

# Arguments uv leaves out of the header's command line: (flag, takes a value).
_SKIPPED = {
    "--upgrade": False,
    "-U": False,
    "--upgrade-package": True,
    "-P": True,
    "--upgrade-group": True,
    "--quiet": False,
    "-q": False,
    "--verbose": False,
    "-v": False,
}


def header_command(argv: Sequence[str], program: str = "puv") -> str:
    """The command line for the export's header, as uv's `cmd()` shows it."""
    kept: list[str] = []
    skip_next = False
    for arg in argv:
        if skip_next:
            skip_next = False
            continue
        if arg in _SKIPPED:
            skip_next = _SKIPPED[arg]
            continue
        if arg.startswith(("--upgrade-package=", "-P", "--upgrade-group=")):
            continue
        kept.append(arg)
    return " ".join([program, *kept])


def add_group_options(parser: Parser) -> None:
    """`--no-dev`, `--only-dev`, `--group`, `--no-group`, `--no-default-groups`, `--only-group`,
    `--all-groups` (and the hidden `--dev`), with uv's variables."""
    parser.opt("--no-dev", dest="dev_mode", action="store_const", const="exclude",
               env="UV_NO_DEV", env_means="exclude",
               help="Disable the development dependency group [env: UV_NO_DEV=]")  # fmt: skip
    parser.opt("--dev", dest="dev_mode", action="store_const", const="include",
               help=argparse.SUPPRESS)  # fmt: skip
    parser.opt("--only-dev", action="store_true", default=False,
               help="Only include the development dependency group")  # fmt: skip
    parser.opt("--group", action="append", metavar="GROUP",
               help="Include dependencies from the specified dependency group")  # fmt: skip
    parser.opt("--no-group", action="append", metavar="NO_GROUP", env="UV_NO_GROUP", split=True,
               help="Disable the specified dependency group [env: `UV_NO_GROUP`=]")  # fmt: skip
    parser.opt("--no-default-groups", action="store_true", default=False,
               env="UV_NO_DEFAULT_GROUPS",
               help="Ignore the default dependency groups [env: UV_NO_DEFAULT_GROUPS=]")  # fmt: skip
    parser.opt("--only-group", action="append", metavar="ONLY_GROUP",
               help="Only include dependencies from the specified dependency group")  # fmt: skip
    parser.opt("--all-groups", action="store_true", default=False,
               help="Include dependencies from all dependency groups")  # fmt: skip


#: Options uv refuses to combine (clap's `conflicts_with`), as long flags.
GROUP_CONFLICTS = (
    ("--only-dev", "--group"),
    ("--only-dev", "--all-groups"),
    ("--only-dev", "--no-dev"),
    ("--group", "--only-group"),
    ("--only-group", "--dev"),
    ("--only-group", "--all-groups"),
    ("--locked", "--frozen"),
)


def reject_conflicts(parser: Parser, argv: Sequence[str], pairs: Sequence[tuple[str, str]]) -> None:
    """clap's error when two options that conflict were both given (the first one given is
    named first)."""
    from puv.core.errors import UsageError

    positions: dict[str, int] = {}
    for position, arg in enumerate(argv):
        positions.setdefault(arg.split("=", 1)[0], position)
    for first, second in pairs:
        if first in positions and second in positions:
            one, other = sorted((first, second), key=positions.__getitem__)
            raise UsageError(
                f"the argument '{_shown(parser, one)}' cannot be used with "
                f"'{_shown(parser, other)}'\n\nUsage: {parser.usage_line}\n\n"
                "For more information, try '--help'."
            )


def _shown(parser: Parser, flag: str) -> str:
    """A flag as clap names it in errors: with `<METAVAR>` when it takes a value."""
    for action in parser._actions:
        if flag in action.option_strings and action.nargs != 0:
            return f"{flag} <{action.metavar or action.dest.upper()}>"
    return flag


def group_flags(args: argparse.Namespace) -> GroupFlags:
    """The dependency-group flags of a parsed project command (names normalized)."""
    from puv.operations.export import GroupFlags

    dev: Literal["include", "exclude", "only"] | None = "only" if args.only_dev else args.dev_mode
    return GroupFlags(
        dev=dev,
        group=names(args.group),
        no_group=names(args.no_group),
        only_group=names(args.only_group),
        all_groups=bool(args.all_groups),
        no_default_groups=bool(args.no_default_groups),
    )


def add_lock_options(parser: Parser, *, refresh: bool = True) -> None:
    """`--locked`/`--frozen`, `--script` (refused), and the index, resolver and (with `refresh`)
    refresh options that locking reads."""
    from puv.cli.project_options import (
        add_index_options,
        add_lock_mode_options,
        add_refresh_options,
        add_resolver_options,
    )

    add_lock_mode_options(parser)
    parser.opt("--script", metavar="SCRIPT", help=argparse.SUPPRESS)
    add_index_options(parser)
    add_resolver_options(parser)
    if refresh:
        add_refresh_options(parser)


def lock_request(args: argparse.Namespace, ctx: Context) -> LockRequest:
    """How to bring the lock up to date before reading it (`--frozen`, `--locked`, upgrades,
    extra indexes, `--refresh`, `--python`)."""
    from puv.operations.lock import LockRequest

    return LockRequest(
        check=args.locked,
        frozen=args.frozen,
        upgrade=ctx.settings.upgrade,
        upgrade_packages=tuple(ctx.settings.upgrade_package),
        upgrade_groups=tuple(getattr(args, "upgrade_group", None) or ()),
        python=args.python,
        indexes=tuple(part for value in args.index or () for part in value.split()),
        default_index=args.default_index,
        refresh=bool(getattr(args, "refresh", False)),
        refresh_packages=tuple(getattr(args, "refresh_package", None) or ()),
    )


def names(values: Iterable[str] | None) -> tuple[str, ...]:
    """Package, extra or group names in normal form."""
    from packaging.utils import canonicalize_name

    return tuple(canonicalize_name(value) for value in values or ())


_EXPORT_CONFLICTS = (
    *GROUP_CONFLICTS,
    ("--all-packages", "--package"),
    ("--all-packages", "--prune"),
    ("--extra", "--all-extras"),
    ("--extra", "--only-group"),
    ("--all-extras", "--only-group"),
)


def register(sub: Any) -> None:
    """Add `export` to the command tree."""
    parser: Parser = sub.add_parser("export", usage_line=f"{PROG} export [OPTIONS]")
    parser.opt("--format", choices=["requirements.txt", "pylock.toml", "cyclonedx1.5"],
               metavar="FORMAT", help="The format to which `uv.lock` should be exported")  # fmt: skip
    parser.opt("--all-packages", action="store_true", default=False,
               help="Export the entire workspace")  # fmt: skip
    parser.opt("--package", action="append", metavar="PACKAGE",
               help="Export the dependencies for specific packages in the workspace")  # fmt: skip
    parser.opt("--prune", action="append", metavar="PACKAGE",
               help="Prune the given package from the dependency tree")  # fmt: skip
    parser.opt("--extra", action="append", metavar="EXTRA",
               help="Include optional dependencies from the specified extra name")  # fmt: skip
    _switch(parser, "--all-extras", "--no-all-extras", "all_extras", False,
            "Include all optional dependencies")  # fmt: skip
    parser.opt("--no-extra", action="append", metavar="NO_EXTRA",
               help="Exclude the specified optional dependencies, if `--all-extras` is supplied")  # fmt: skip
    add_group_options(parser)
    _switch(parser, "--annotate", "--no-annotate", "annotate", True,
            "Exclude comment annotations indicating the source of each package")  # fmt: skip
    _switch(parser, "--header", "--no-header", "header", True,
            "Exclude the comment header at the top of the generated output file")  # fmt: skip
    _switch(parser, "--emit-index-url", "--no-emit-index-url", "emit_index_url", False,
            "Include `--index-url` and `--extra-index-url` entries")  # fmt: skip
    _switch(parser, "--emit-find-links", "--no-emit-find-links", "emit_find_links", False,
            "Include `--find-links` entries in the generated output file")  # fmt: skip
    parser.opt("--no-editable", dest="editable", action="store_const", const=False,
               default=True, env="UV_NO_EDITABLE", env_means=False,
               help="Export any editable dependencies as non-editable [env: UV_NO_EDITABLE=]")  # fmt: skip
    parser.opt("--editable", dest="editable", action="store_const", const=True,
               help=argparse.SUPPRESS)  # fmt: skip
    parser.opt("--no-editable-package", action="append", metavar="NO_EDITABLE_PACKAGE",
               help="Export the specified editable packages as non-editable")  # fmt: skip
    _switch(parser, "--hashes", "--no-hashes", "hashes", True,
            "Omit hashes in the generated output")  # fmt: skip
    parser.opt("-o", "--output-file", metavar="OUTPUT_FILE",
               help="Write the exported requirements to the given file")  # fmt: skip
    parser.opt("--no-emit-project", "--no-install-project", action="store_true", default=False,
               help="Do not emit the current project")  # fmt: skip
    parser.opt("--no-emit-workspace", "--no-install-workspace", action="store_true",
               default=False,
               help="Do not emit any workspace members, including the root project")  # fmt: skip
    parser.opt("--no-emit-local", "--no-install-local", action="store_true", default=False,
               help="Do not include local path dependencies in the exported requirements")  # fmt: skip
    parser.opt("--no-emit-package", "--no-install-package", action="append",
               metavar="NO_EMIT_PACKAGE", help="Do not emit the given package(s)")  # fmt: skip
    add_lock_options(parser)
    add_python_option(parser, "The Python interpreter to use during resolution.")
    add_global_options(parser)
    parser.set_defaults(_handler=run, _parser=parser)


def _switch(parser: Parser, on: str, off: str, dest: str, default: bool, help_text: str) -> None:
    """A pair of flags for one setting where the last one given wins (one of them hidden)."""
    shown = off if default else on
    for flag, value in ((on, True), (off, False)):
        parser.opt(flag, dest=dest, action="store_const", const=value, default=default,
                   help=help_text if flag == shown else argparse.SUPPRESS)  # fmt: skip


def run(args: argparse.Namespace, printer: Printer) -> int:
    """`puv export`."""
    from puv.operations.context import build_context
    from puv.operations.export import ExportRequest, export

    if args.script is not None:
        from puv.core.errors import PuvError

        raise PuvError("`puv export --script` is not supported yet")
    reject_conflicts(args._parser, sys.argv[1:], _EXPORT_CONFLICTS)
    ctx = build_context(args, printer)
    extras = tuple(extra for value in args.extra or () for extra in value.split(","))
    request = ExportRequest(
        format=args.format,
        output_file=args.output_file,
        all_packages=args.all_packages,
        packages=names(args.package),
        prune=names(args.prune),
        extra=names(extras),
        all_extras=bool(args.all_extras),
        no_extra=names(args.no_extra),
        groups=group_flags(args),
        no_emit_project=args.no_emit_project,
        no_emit_workspace=args.no_emit_workspace,
        no_emit_local=args.no_emit_local,
        no_emit_packages=names(args.no_emit_package),
        hashes=args.hashes,
        annotate=args.annotate,
        header=header_command(sys.argv[1:]) if args.header else None,
        editable=args.editable,
        non_editable=frozenset(
            names(part for value in args.no_editable_package or () for part in value.split())
        ),
        lock=lock_request(args, ctx),
        project_dir=args.project,
        emit_index_url=args.emit_index_url,
        emit_find_links=args.emit_find_links,
    )
    text = export(ctx, request)
    if text and not (printer.quiet and request.output_file):
        printer.result(text)
    return 0
