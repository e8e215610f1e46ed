"""`puv init`: create a new project or script."""

from __future__ import annotations

import argparse
from typing import Any

from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG
from puv.core.errors import UsageError
from puv.core.printer import Printer


def register(sub: Any) -> None:
    """Add `init` to the command tree."""
    parser = sub.add_parser(
        "init", help="Create a new project", usage_line=f"{PROG} init [OPTIONS] [PATH]"
    )
    parser.add_argument("path", nargs="?", metavar="PATH",
                        help="The path to use for the project/script")  # fmt: skip
    parser.opt("--name", metavar="NAME", help="The name of the project")
    parser.opt("--package", action="store_true", default=False,
               help="Set up the project to be built as a Python package")  # fmt: skip
    parser.opt("--no-package", "--virtual", dest="no_package", action="store_true",
               default=False, help="Do not set up the project to be built as a Python package")  # fmt: skip
    parser.opt("--app", "--application", dest="app", action="store_true", default=False,
               help="Create a project for an application")  # fmt: skip
    parser.opt("--lib", "--library", dest="lib", action="store_true", default=False,
               help="Create a project for a library")  # fmt: skip
    parser.opt("--script", action="store_true", default=False, help="Create a script")
    parser.opt("--description", metavar="DESCRIPTION", help="Set the project description")
    parser.opt("--no-description", action="store_true", default=False,
               help="Disable the description for the project")  # fmt: skip
    parser.opt("--vcs", choices=["git", "none"], metavar="VCS",
               help="Initialize a version control system for the project")  # fmt: skip
    parser.opt("--build-backend", metavar="BUILD_BACKEND", env="UV_INIT_BUILD_BACKEND",
               choices=["uv", "hatch", "flit", "pdm", "poetry", "setuptools", "maturin",
                        "scikit"],
               help="Initialize a build-backend of choice for the project")  # fmt: skip
    parser.opt("--no-readme", action="store_true", default=False,
               help="Do not create a `README.md` file")  # fmt: skip
    parser.opt("--author-from", choices=["auto", "git", "none"], metavar="AUTHOR_FROM",
               help="Fill in the `authors` field in the `pyproject.toml`")  # fmt: skip
    parser.opt("--no-pin-python", action="store_true", default=False,
               help="Do not create a `.python-version` file for the project")  # fmt: skip
    parser.opt("--pin-python", action="store_true", default=False, help=argparse.SUPPRESS)
    parser.opt("--no-workspace", "--no-project", dest="no_workspace", action="store_true",
               default=False, help="Avoid discovering a workspace and create a standalone "
               "project")  # fmt: skip
    parser.opt("--bare", action="store_true", default=False, env="UV_INIT_BARE",
               help="Only create a `pyproject.toml`")  # fmt: skip
    add_python_option(parser, "The Python interpreter to use to determine the minimum "
                      "supported Python version.")  # fmt: skip
    add_global_options(parser)
    parser.set_defaults(_handler=run, _parser=parser)


def _conflict(first: str, second: str) -> UsageError:
    return UsageError(
        f"the argument '{first}' cannot be used with '{second}'\n\n"
        f"Usage: {PROG} init [OPTIONS] [PATH]\n\nFor more information, try '--help'."
    )


def run(args: argparse.Namespace, printer: Printer) -> int:
    """`puv init`."""
    from puv.operations.context import build_context
    from puv.operations.init import InitRequest, init_kind, init_project, init_script

    if args.script:
        for flag, given in (("--app", args.app), ("--lib", args.lib),
                            ("--build-backend <BUILD_BACKEND>", args.build_backend)):  # fmt: skip
            if given:
                raise _conflict("--script", flag)
    if args.no_package and (args.lib or args.build_backend):
        raise _conflict("--no-package", "--lib" if args.lib else "--build-backend <BUILD_BACKEND>")
    if args.app and args.lib:
        raise _conflict("--app", "--lib")
    ctx = build_context(args, printer)
    python = getattr(args, "python", None)
    if args.script:
        if args.path is None:
            from puv.core.errors import PuvError

            raise PuvError("Script initialization requires a file path")
        init_script(ctx, args.path, python=python, bare=args.bare)
        return 0
    package = True if args.package else (False if args.no_package else None)
    kind = init_kind(
        app=args.app, lib=args.lib, bare=args.bare, package=package,
        build_backend=args.build_backend,
    )  # fmt: skip
    pin_python = True if args.pin_python else (False if args.no_pin_python else not args.bare)
    init_project(
        ctx,
        InitRequest(
            path=args.path,
            name=args.name,
            kind=kind,
            bare=args.bare,
            description=args.description,
            no_description=args.no_description,
            vcs=args.vcs,
            build_backend=args.build_backend,
            no_readme=args.no_readme,
            author_from=args.author_from,
            pin_python=pin_python,
            no_workspace=args.no_workspace,
            python=python,
        ),
    )
    return 0
