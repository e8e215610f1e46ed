"""`puv venv [PATH]`: create a virtual environment, with uv's flags, variables and output."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG, Parser
from puv.core.printer import Printer

LINK_MODES = ["clone", "copy", "hardlink", "symlink"]
INDEX_STRATEGIES = ["first-index", "unsafe-first-match", "unsafe-best-match"]
KEYRING_PROVIDERS = ["disabled", "subprocess"]
_NO_EFFECT = {
    "no_seed": "virtualenv's `--no-seed` has no effect (puv omits seed packages by default)",
    "no_pip": "virtualenv's `--no-pip` has no effect (puv omits `pip` by default)",
    "no_setuptools": "virtualenv's `--no-setuptools` has no effect "
    "(puv omits `setuptools` by default)",
    "no_wheel": "virtualenv's `--no-wheel` has no effect (puv omits `wheel` by default)",
    "system": "The `--system` flag has no effect, `puv venv` always ignores virtual environments "
    "when finding a Python interpreter; did you mean `--no-managed-python`?",
    "no_system": "The `--no-system` flag has no effect, `puv venv` always ignores virtual "
    "environments when finding a Python interpreter; did you mean `--managed-python`?",
}


def register(sub: Any) -> None:
    """Add `venv` to the command tree."""
    parser = sub.add_parser(
        "venv",
        description="Create a virtual environment",
        usage_line=f"{PROG} venv [OPTIONS] [PATH]",
        epilog=f"Use `{PROG} help venv` for more details.",
    )
    parser.add_argument(
        "path", nargs="?", metavar="PATH", help="The path to the virtual environment to create"
    )
    parser.opt(
        "--no-project",
        "--no-workspace",
        dest="no_project",
        action="store_true",
        env="UV_NO_PROJECT",
        default=False,
        help="Avoid discovering a project or workspace [env: UV_NO_PROJECT=]",
    )
    parser.opt(
        "--seed",
        action="store_true",
        env="UV_VENV_SEED",
        default=False,
        help="Install seed packages (one or more of: `pip`, `setuptools`, and `wheel`) "
        "into the virtual environment [env: UV_VENV_SEED=]",
    )
    # `--clear`, `--allow-existing` and the hidden `--no-clear` override each other: the last wins.
    parser.opt(
        "-c",
        "--clear",
        dest="existing",
        action="store_const",
        const="clear",
        env="UV_VENV_CLEAR",
        env_means="clear",
        help="Remove any existing files or directories at the target path [env: UV_VENV_CLEAR=]",
    )
    parser.opt(
        "--force",
        action="store_true",
        default=False,
        help="Allow `--clear` to remove a non-virtual environment directory",
    )
    parser.opt(
        "--no-clear", dest="existing", action="store_const", const="fail", help=argparse.SUPPRESS
    )
    parser.opt(
        "--allow-existing",
        dest="existing",
        action="store_const",
        const="allow",
        help="Preserve any existing files or directories at the target path",
    )
    parser.opt(
        "--prompt",
        metavar="PROMPT",
        help="Provide an alternative prompt prefix for the virtual environment.",
    )
    parser.opt(
        "--system-site-packages",
        action="store_true",
        default=False,
        help="Give the virtual environment access to the system site packages directory",
    )
    parser.opt(
        "--relocatable",
        action="store_const",
        const=True,
        env="UV_VENV_RELOCATABLE",
        default=False,
        help="Make the virtual environment relocatable [env: UV_VENV_RELOCATABLE=]",
    )
    parser.opt(
        "--no-relocatable",
        dest="relocatable",
        action="store_const",
        const=False,
        help=argparse.SUPPRESS,
    )
    parser.opt(
        "--link-mode",
        choices=LINK_MODES,
        metavar="LINK_MODE",
        env="UV_LINK_MODE",
        help="The method to use when installing packages from the global cache "
        "[env: UV_LINK_MODE=] [possible values: clone, copy, hardlink, symlink]",
    )
    # Accepted for compatibility with uv and virtualenv; each only warns.
    for flag in (
        "--system",
        "--no-system",
        "--no-seed",
        "--no-pip",
        "--no-setuptools",
        "--no-wheel",
    ):
        parser.opt(flag, action="store_true", default=False, help=argparse.SUPPRESS)
    add_python_option(parser, "The Python interpreter to use for the virtual environment.")
    _add_index_options(parser)
    add_global_options(parser)
    parser.set_defaults(_handler=run, _parser=parser)


def _add_index_options(parser: Parser) -> None:
    """uv's index, resolver and refresh options of `venv`: parsed, used only to seed."""
    index = parser.add_argument_group("Index options")
    parser.opt(
        "--index",
        action="append",
        metavar="INDEX",
        env="UV_INDEX",
        split=True,
        group=index,
        help="The indexes to use when resolving dependencies, in addition to "
        "the default index [env: UV_INDEX]",
    )
    parser.opt(
        "--default-index",
        metavar="DEFAULT_INDEX",
        env="UV_DEFAULT_INDEX",
        group=index,
        help="The default package index (by default: <https://pypi.org/simple>) "
        "[env: UV_DEFAULT_INDEX]",
    )
    parser.opt(
        "-i",
        "--index-url",
        metavar="INDEX_URL",
        env="UV_INDEX_URL",
        group=index,
        help="(Deprecated: use `--default-index` instead) The URL of the Python package "
        "index [env: UV_INDEX_URL]",
    )
    parser.opt(
        "--extra-index-url",
        action="append",
        metavar="EXTRA_INDEX_URL",
        env="UV_EXTRA_INDEX_URL",
        split=True,
        group=index,
        help="(Deprecated: use `--index` instead) Extra URLs of package indexes to use "
        "[env: UV_EXTRA_INDEX_URL]",
    )
    parser.opt(
        "-f",
        "--find-links",
        action="append",
        metavar="FIND_LINKS",
        env="UV_FIND_LINKS",
        setting="find-links",
        group=index,
        help="Locations to search for candidate distributions, in addition "
        "to those found in the registry indexes [env: UV_FIND_LINKS]",
    )
    parser.opt(
        "--no-index",
        action="store_true",
        default=False,
        setting="no-index",
        group=index,
        help="Ignore the registry index (e.g., PyPI)",
    )
    parser.opt(
        "--index-strategy",
        choices=INDEX_STRATEGIES,
        metavar="INDEX_STRATEGY",
        env="UV_INDEX_STRATEGY",
        setting="index-strategy",
        group=index,
        help="The strategy to use when resolving against multiple index URLs "
        "[env: UV_INDEX_STRATEGY=]",
    )
    parser.opt(
        "--keyring-provider",
        choices=KEYRING_PROVIDERS,
        metavar="KEYRING_PROVIDER",
        env="UV_KEYRING_PROVIDER",
        group=index,
        help="Attempt to use `keyring` for authentication for index URLs "
        "[env: UV_KEYRING_PROVIDER=]",
    )
    resolver = parser.add_argument_group("Resolver options")
    parser.opt(
        "--exclude-newer",
        metavar="EXCLUDE_NEWER",
        env="UV_EXCLUDE_NEWER",
        group=resolver,
        help="Limit candidate packages to those that were uploaded prior to the given "
        "date [env: UV_EXCLUDE_NEWER=]",
    )
    parser.opt(
        "--exclude-newer-package",
        action="append",
        metavar="EXCLUDE_NEWER_PACKAGE",
        group=resolver,
        help="Limit candidate packages for specific packages to those "
        "that were uploaded prior to the given date",
    )
    cache = parser.add_argument_group("Refresh options")
    parser.opt(
        "--refresh", action="store_true", default=False, group=cache, help="Refresh all cached data"
    )
    parser.opt(
        "--refresh-package",
        action="append",
        metavar="REFRESH_PACKAGE",
        group=cache,
        help="Refresh cached data for a specific package",
    )


def run(args: argparse.Namespace, printer: Printer) -> int:
    """Create the environment; print uv's `Using`, `Creating` and `Activate with` lines."""
    from puv.operations.context import build_context
    from puv.operations.venv import (
        VenvRequest,
        activation_command,
        create_environment,
        plan_venv,
        seed_environment,
    )

    for flag, message in _NO_EFFECT.items():
        if getattr(args, flag):
            printer.warn(message)
    ctx = build_context(args, printer)
    request = VenvRequest(
        path=args.path,
        python=args.python,
        prompt=args.prompt if args.prompt is not None else (None if args.path else "."),
        system_site_packages=args.system_site_packages,
        relocatable=args.relocatable,
        existing=args.existing,
        force=args.force,
        project_dir=ctx.cwd / args.project if args.project else None,
        no_project=args.no_project,
        no_config=args.no_config,
    )
    plan = plan_venv(ctx, request)
    printer.status(
        f"Using {plan.interpreter.display_name} interpreter at: "
        f"{printer.style(plan.shown_interpreter, 'cyan')}"
    )
    seeded = " with seed packages" if args.seed else ""
    printer.status(
        f"Creating virtual environment{seeded} at: {printer.style(plan.shown_path, 'cyan')}"
    )
    venv = create_environment(ctx, plan, _confirm if sys.stderr.isatty() else None)
    if args.seed:
        for pin in seed_environment(
            ctx,
            venv,
            plan.interpreter,
            indexes=[*(args.index or ()), *(args.extra_index_url or ())],
            default_index=args.default_index or args.index_url,
            relocatable=args.relocatable,
        ):
            printer.status(f" {printer.style('+', 'green')} {pin}")
    command = activation_command(venv, ctx.cwd)
    if command is not None:
        printer.status(f"Activate with: {printer.style(command, 'green')}")
    return 0


def _confirm(question: str) -> bool:
    """Ask a yes/no question on the terminal; Enter means yes, as in uv."""
    sys.stderr.write(
        f"? {question} [y/n] \u203a yes\n\n"
        "hint: Use the `--clear` flag or set `UV_VENV_CLEAR=1` to skip this prompt\n"
    )
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("", "y", "yes")
