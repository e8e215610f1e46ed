"""`puv run [OPTIONS] [COMMAND]...`: its options, parsed as uv's (everything after the command
belongs to the command)."""

from __future__ import annotations

import argparse
from typing import Any

from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG
from puv.cli.project_options import (
    add_index_options,
    add_lock_mode_options,
    add_refresh_options,
    add_resolver_options,
)
from puv.cli.sync_cmd import (
    add_active_options,
    add_build_options,
    add_installer_options,
    add_selection_options,
)
from puv.core.printer import Printer


def register(sub: Any) -> None:
    """Add `run` to the command tree."""
    parser = sub.add_parser(
        "run", help="Run a command or script", usage_line=f"{PROG} run [OPTIONS] [COMMAND]"
    )
    add_selection_options(parser)
    parser.opt("-m", "--module", action="store_true", default=False,
               help="Run a Python module")  # fmt: skip
    parser.opt("--exact", dest="exact", action="store_const", const=True,
               help="Perform an exact sync, removing extraneous packages")  # fmt: skip
    parser.opt("--inexact", "--no-exact", dest="exact", action="store_const", const=False,
               help=argparse.SUPPRESS)  # fmt: skip
    parser.opt("--env-file", action="append", metavar="ENV_FILE", env="UV_ENV_FILE", split=True,
               default=[], help="Load environment variables from a `.env` file "
               "[env: UV_ENV_FILE=]")  # fmt: skip
    parser.opt("--no-env-file", action="store_true", env="UV_NO_ENV_FILE", default=False,
               help="Avoid reading environment variables from a `.env` file "
               "[env: UV_NO_ENV_FILE=]")  # fmt: skip
    parser.opt("-w", "--with", dest="with_", action="append", metavar="WITH", default=[],
               help="Run with the given packages installed")  # fmt: skip
    parser.opt("--with-editable", action="append", metavar="WITH_EDITABLE", default=[],
               help="Run with the given packages installed in editable mode")  # fmt: skip
    parser.opt("--with-requirements", action="append", metavar="WITH_REQUIREMENTS", default=[],
               help="Run with the packages listed in the given files")  # fmt: skip
    parser.opt("--isolated", action="store_true", env="UV_ISOLATED", default=False,
               help="Run the command in an isolated virtual environment [env: UV_ISOLATED=]")  # fmt: skip
    add_active_options(parser)
    parser.opt("--no-sync", action="store_true", env="UV_NO_SYNC", default=False,
               help="Avoid syncing the virtual environment [env: UV_NO_SYNC=]")  # fmt: skip
    add_lock_mode_options(parser)
    parser.opt("-s", "--script", action="store_true", default=False,
               help="Run the given path as a Python script")  # fmt: skip
    parser.opt("--gui-script", action="store_true", default=False,
               help="Run the given path as a Python GUI script")  # fmt: skip
    parser.opt("--all-packages", action="store_true", default=False,
               help="Run the command with all workspace members installed")  # fmt: skip
    parser.opt("--package", action="append", metavar="PACKAGE", default=[],
               help="Run the command in a specific package in the workspace")  # fmt: skip
    parser.opt("--no-project", dest="no_project", action="store_true",
               env="UV_NO_PROJECT", default=False,
               help="Avoid discovering the project or workspace [env: UV_NO_PROJECT=]")  # fmt: skip
    parser.opt("--python-platform", metavar="PYTHON_PLATFORM",
               help="The platform for which requirements should be installed")  # fmt: skip
    add_index_options(parser)
    add_resolver_options(parser)
    add_installer_options(parser)
    add_build_options(parser)
    add_refresh_options(parser)
    add_python_option(parser, "The Python interpreter to use for the run environment.")
    add_global_options(parser)
    parser.add_argument("command", nargs=argparse.REMAINDER, metavar="COMMAND")
    parser.set_defaults(_handler=run, _parser=parser)


def lock_flag_origin(args: argparse.Namespace) -> Any:
    """Where `--locked`/`--frozen` came from: "cli", "env" (`UV_LOCKED`/`UV_FROZEN`) or
    "default"."""
    origin = getattr(args, "_origin", {})
    return origin.get("frozen" if args.frozen else "locked", "cli")


def comma_separated(values: list[str]) -> tuple[str, ...]:
    """The requirements of repeated `--with`/`--with-editable` values, each split on the commas
    outside brackets that do not start a version clause (uv's `CommaSeparatedRequirements`:
    `a[x,y],b>=1,<2` is `a[x,y]` and `b>=1,<2`)."""
    found: list[str] = []
    for value in values:
        depth = start = 0
        for index, character in enumerate(value):
            if character == "[":
                depth += 1
            elif character == "]":
                depth = max(depth - 1, 0)
            elif character == "," and depth == 0:
                following = value[index + 1 :].lstrip()
                if following[:1] in ("!", "=", "<", ">", "~"):
                    continue
                found.append(value[start:index].strip())
                start = index + 1
        found.append(value[start:].strip())
    return tuple(part for part in found if part)


def run(args: argparse.Namespace, printer: Printer) -> int:
    """`puv run`: prepare the environment, run the command, return its exit code."""
    from puv.cli.sync_cmd import context_for, lock_fields, selection_fields
    from puv.core.errors import PuvError
    from puv.operations.run import RunRequest, run_command
    from puv.operations.script_env import SettingsSources
    from puv.operations.sync import SyncRequest

    command = list(args.command)
    if command[:1] == ["--"]:
        command = command[1:]
    if args.gui_script:
        raise PuvError("`puv run --gui-script` is only supported on Windows")
    if args.package and len(args.package) > 1:
        raise PuvError("`puv run` accepts `--package` only once")
    ctx = context_for(args, printer)
    sync = SyncRequest(
        **lock_fields(args),
        **selection_fields(args),
        exact=bool(args.exact),
        active=args.active,
        python=args.python,
        packages=tuple(args.package),
        all_packages=args.all_packages,
        report="summary",
        python_platform=args.python_platform,
        no_config=args.no_config,
        project_dir=ctx.cwd / args.project if args.project else None,
    )
    request = RunRequest(
        command=tuple(command),
        module=args.module,
        script=args.script,
        with_requirements=comma_separated(args.with_),
        with_editables=comma_separated(args.with_editable),
        with_files=tuple(args.with_requirements),
        no_project=args.no_project,
        isolated=args.isolated,
        no_sync=args.no_sync,
        env_files=() if args.no_env_file else tuple(args.env_file),
        sync=sync,
        settings_sources=SettingsSources.from_args(args),
        lock_flag=lock_flag_origin(args),
    )
    return run_command(ctx, request)
