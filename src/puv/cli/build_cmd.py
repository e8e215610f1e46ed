"""`puv build [SRC]`: build an sdist and a wheel (or either) from a source tree, or a wheel
from an sdist, into `--out-dir` (default `<SRC>/dist`)."""

from __future__ import annotations

import argparse
from typing import Any

from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG, Parser
from puv.core.errors import PuvError, UsageError
from puv.core.printer import Printer


def register(sub: Any) -> None:
    """Add `build` to the command tree."""
    build: Parser = sub.add_parser(
        "build",
        help="Build Python packages into source distributions and wheels",
        usage_line=f"{PROG} build [OPTIONS] [SRC]",
    )
    build.add_argument(
        "src",
        nargs="?",
        metavar="SRC",
        help="The directory from which distributions should be built, or a source distribution "
        "archive to build into a wheel",
    )
    build.opt(
        "-o",
        "--out-dir",
        metavar="OUT_DIR",
        help="The output directory to which distributions should be written",
    )
    build.opt(
        "--sdist",
        action="store_true",
        default=False,
        help='Build a source distribution ("sdist") from the given directory',
    )
    build.opt(
        "--wheel",
        action="store_true",
        default=False,
        help='Build a binary distribution ("wheel") from the given directory',
    )
    build.opt(
        "--no-build-logs",
        action="store_true",
        default=False,
        help="Hide logs from the build backend",
    )
    build.opt(
        "--no-create-gitignore",
        action="store_true",
        default=False,
        help="Do not create a `.gitignore` file in the output directory",
    )
    build.opt(
        "-C",
        "--config-setting",
        action="append",
        metavar="CONFIG_SETTING",
        default=[],
        help="Settings to pass to the PEP 517 build backend, specified as `KEY=VALUE` pairs",
    )
    add_python_option(build, "The Python interpreter to use for the build environment.")
    _index_options(build)
    add_global_options(build)
    build.set_defaults(_handler=run, _parser=build)


def _index_options(parser: Parser) -> None:
    """The index options `puv build` uses to find build requirements (they feed the settings)."""
    group = parser.add_argument_group("Index options")
    parser.opt(
        "-i",
        "--index-url",
        "--default-index",
        metavar="INDEX_URL",
        env=("UV_INDEX_URL", "UV_DEFAULT_INDEX"),
        setting="index-url",
        group=group,
        help="The URL of the default package index (by default: <https://pypi.org/simple>) "
        "[env: UV_DEFAULT_INDEX=]",
    )
    parser.opt(
        "--extra-index-url",
        action="append",
        metavar="EXTRA_INDEX_URL",
        env="UV_EXTRA_INDEX_URL",
        split=True,
        setting="extra-index-url",
        group=group,
        help="Extra URLs of package indexes to use, in addition to `--index-url` "
        "[env: UV_EXTRA_INDEX_URL=]",
    )
    parser.opt(
        "-f",
        "--find-links",
        action="append",
        metavar="FIND_LINKS",
        env="UV_FIND_LINKS",
        setting="find-links",
        group=group,
        help="Locations to search for candidate distributions, in addition to those found in the "
        "registry indexes [env: UV_FIND_LINKS=]",
    )
    parser.opt(
        "--no-index",
        action="store_const",
        const=True,
        setting="no-index",
        group=group,
        help="Ignore the registry index (e.g., PyPI), instead relying on direct URL dependencies "
        "and those provided via `--find-links`",
    )


def parse_config_settings(values: list[str]) -> dict[str, str | list[str]]:
    """`-C KEY=VALUE` pairs; a key given twice collects its values into a list (as uv does)."""
    settings: dict[str, str | list[str]] = {}
    for value in values:
        key, sep, item = value.partition("=")
        if not sep:
            raise UsageError(
                f"invalid value '{value}' for '--config-setting <CONFIG_SETTING>': Invalid config "
                f"setting: {value} (expected `KEY=VALUE`)\n\nFor more information, try '--help'."
            )
        previous = settings.get(key)
        if previous is None:
            settings[key] = item
        elif isinstance(previous, list):
            previous.append(item)
        else:
            settings[key] = [previous, item]
    return settings


def run(args: argparse.Namespace, printer: Printer) -> int:
    """Build, then print uv's `Successfully built <path>` line per distribution."""
    from puv.core.paths import user_display
    from puv.operations.build_ops import build_distributions
    from puv.operations.context import build_context
    from puv.operations.python_ops import find_interpreter

    config_settings = parse_config_settings(args.config_setting)
    ctx = build_context(args, printer)
    source = (ctx.cwd / (args.src or ".")).absolute()
    base = source if source.is_dir() else source.parent
    out_dir = ctx.cwd / args.out_dir if args.out_dir else base / "dist"
    interpreter = find_interpreter(ctx, args.python, project_dir=base)
    only_sdist, only_wheel = args.sdist and not args.wheel, args.wheel and not args.sdist
    try:
        built = build_distributions(
            ctx,
            source,
            interpreter,
            out_dir,
            sdist=not only_wheel,
            wheel=not only_sdist,
            wheel_from_sdist=not (args.sdist and args.wheel),
            config_settings=config_settings or None,
            create_gitignore=not args.no_create_gitignore,
            build_logs=not args.no_build_logs,
        )
    except PuvError as err:
        err.exit_code = 2  # `uv build` exits with 2 on any failure (`uv pip install` with 1)
        raise
    for path in (built.sdist, built.wheel):
        if path is not None:
            printer.status(f"Successfully built {user_display(path, ctx.cwd)}")
    return 0
