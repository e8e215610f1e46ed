"""`puv pip compile`: parse uv's flags, run the compile operation, print the pins and the status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from puv.cli.global_options import add_global_options, add_python_option
from puv.cli.parser import PROG, KeyValuePairs, Parser
from puv.cli.project_options import exclude_newer_package
from puv.core.errors import PuvError, UsageError
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
_PRERELEASE_MODES = ("disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit")
_TORCH_BACKENDS = (
    "auto", "cpu", "cu132", "cu130", "cu129", "cu128", "cu126", "cu125", "cu124", "cu123",
    "cu122", "cu121", "cu120", "cu118", "cu117", "cu116", "cu115", "cu114", "cu113", "cu112",
    "cu111", "cu110", "cu102", "cu101", "cu100", "cu92", "cu91", "cu90", "cu80", "rocm7.2",
    "rocm7.1", "rocm7.0", "rocm6.4", "rocm6.3", "rocm6.2.4", "rocm6.2", "rocm6.1", "rocm6.0",
    "rocm5.7", "rocm5.6", "rocm5.5", "rocm5.4.2", "rocm5.4", "rocm5.3", "rocm5.2", "rocm5.1.1",
    "rocm4.2", "rocm4.1", "rocm4.0.1", "xpu",
)  # fmt: skip
# pip-compile's flags that uv accepts for compatibility: (flag, takes a value, uv's error when
# it is refused, else None and uv's warning).
_PIP_TOOLS_FLAGS: tuple[tuple[str, bool, str | None, str | None], ...] = (
    ("--allow-unsafe", False, None,
     "pip-compile's `--allow-unsafe` has no effect (uv can safely pin `pip` and other packages)"),
    ("--no-allow-unsafe", False, None,
     "pip-compile's `--no-allow-unsafe` has no effect (uv can safely pin `pip` and other "
     "packages)"),
    ("--reuse-hashes", False,
     "pip-compile's `--reuse-hashes` is unsupported (uv doesn't reuse hashes)", None),
    ("--no-reuse-hashes", False, None,
     "pip-compile's `--no-reuse-hashes` has no effect (uv doesn't reuse hashes)"),
    ("--resolver=legacy", True,
     "pip-compile's `--resolver=legacy` is unsupported (uv always backtracks)", None),
    ("--resolver=backtracking", True, None,
     "pip-compile's `--resolver=backtracking` has no effect (uv always backtracks)"),
    ("--max-rounds", True,
     "pip-compile's `--max-rounds` is unsupported (uv always resolves until convergence)", None),
    ("--client-cert", True,
     "pip-compile's `--client-cert` is unsupported (uv doesn't support dedicated client "
     "certificates)", None),
    ("--emit-trusted-host", False, "pip-compile's `--emit-trusted-host` is unsupported", None),
    ("--no-emit-trusted-host", False, None,
     "pip-compile's `--no-emit-trusted-host` has no effect (uv never emits trusted hosts)"),
    ("--config", True,
     "pip-compile's `--config` is unsupported (uv does not use a configuration file)", None),
    ("--emit-options", False,
     "pip-compile's `--emit-options` is unsupported (try `--emit-build-options` instead)", None),
    ("--no-emit-options", False, None,
     "pip-compile's `--no-emit-options` has no effect (uv never emits options)"),
    ("--pip-args", True,
     "pip-compile's `--pip-args` is unsupported (try passing arguments to uv directly)", None),
)  # fmt: skip


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


class _CommaList(argparse.Action):
    """An appending option whose values may also be comma-separated (`--extra a,b`)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        collected = list(getattr(namespace, self.dest, None) or [])
        collected += [part for part in str(values).split(",") if part]
        setattr(namespace, self.dest, collected)


def _prerelease_package(text: str) -> tuple[str, str]:
    from puv.operations.pip_compile import parse_prerelease_package

    return parse_prerelease_package(text)


def register_into(commands: Any) -> None:
    """Add `compile` to the `pip` subcommands."""
    parser: Parser = commands.add_parser(
        "compile",
        help="Compile a `requirements.in` file to a `requirements.txt` or `pylock.toml` file",
        usage_line=f"{PROG} pip compile [OPTIONS] <SRC_FILE|--group <GROUP>>",
    )
    parser.add_argument("src_file", nargs="*", metavar="SRC_FILE", help="Input files")
    _input_options(parser)
    _output_options(parser)
    _index_options(parser)
    _resolver_options(parser)
    _build_options(parser)
    _cache_options(parser)
    add_python_option(parser, "The Python interpreter to use during resolution.")
    parser.opt("--system", dest="system", action="store_const", const=True, default=False,
               env="UV_SYSTEM_PYTHON", help="Install packages into the system Python "
               "environment [env: UV_SYSTEM_PYTHON=]")  # fmt: skip
    parser.opt("--no-system", dest="system", action="store_const", const=False, help="")
    parser.opt("--python-version", metavar="PYTHON_VERSION", setting="python-version",
               help="The Python version to use for resolution")  # fmt: skip
    parser.opt("--python-platform", metavar="PYTHON_PLATFORM", setting="python-platform",
               help="The platform for which requirements should be resolved")  # fmt: skip
    _flag_pair(parser, "--universal", "--no-universal", "universal",
               "Perform a universal resolution")  # fmt: skip
    for flag, takes_value, _, _ in _PIP_TOOLS_FLAGS:
        if flag.startswith("--resolver="):
            continue
        if takes_value:
            parser.opt(flag, metavar=flag.strip("-").upper().replace("-", "_"), help="")
        else:
            parser.opt(flag, action="store_true", default=False, help="")
    parser.opt("--resolver", choices=["backtracking", "legacy"], metavar="RESOLVER", help="")
    add_global_options(parser)
    parser.set_defaults(_handler=run_compile, _parser=parser)


def _flag_pair(
    parser: Parser,
    flag: str,
    negation: str,
    setting: str,
    help_text: str,
    *,
    env: str = "",
) -> None:
    """`--flag` (True) and its hidden `--no-flag` (False) for the configuration key `setting`."""
    dest = flag.removeprefix("--").replace("-", "_")
    parser.opt(flag, dest=dest, action="store_const", const=True, env=env or (),
               setting=setting, help=help_text)  # fmt: skip
    parser.opt(negation, dest=dest, action="store_const", const=False, help="")


def _file_list(parser: Parser, *flags: str, env: str, help_text: str) -> None:
    long = next(flag for flag in flags if flag.startswith("--"))
    metavar = long.removeprefix("--").upper().replace("-", "_")
    parser.opt(*flags, action="append", metavar=metavar, env=env, split=True,
               help=f"{help_text} [env: {env}=]")  # fmt: skip


def _input_options(parser: Parser) -> None:
    _file_list(parser, "-c", "--constraints", "--constraint", env="UV_CONSTRAINT",
               help_text="Constrain versions using the given requirements files")  # fmt: skip
    _file_list(parser, "--overrides", "--override", env="UV_OVERRIDE",
               help_text="Override versions using the given requirements files")  # fmt: skip
    _file_list(parser, "--excludes", "--exclude", env="UV_EXCLUDE",
               help_text="Exclude packages from resolution using the given requirements files")  # fmt: skip
    _file_list(parser, "-b", "--build-constraints", "--build-constraint",
               env="UV_BUILD_CONSTRAINT", help_text="Constrain build dependencies using the "
               "given requirements files when building source distributions")  # fmt: skip
    _flag_pair(parser, "--all-extras", "--no-all-extras", "all-extras",
               "Include all optional dependencies")  # fmt: skip
    parser.opt("--extra", action=_CommaList, metavar="EXTRA", setting="extra",
               help="Include optional dependencies from the specified extra name")  # fmt: skip
    parser.opt("--group", action="append", metavar="GROUP", setting="group",
               help="Install the specified dependency group from a `pyproject.toml`")  # fmt: skip
    parser.opt("--no-deps", dest="no_deps", action="store_const", const=True, setting="no-deps",
               help="Ignore package dependencies")  # fmt: skip
    parser.opt("--deps", dest="no_deps", action="store_const", const=False, help="")


def _output_options(parser: Parser) -> None:
    parser.opt("-o", "--output-file", metavar="OUTPUT_FILE", setting="output-file",
               help="Write the compiled requirements to the given `requirements.txt` or "
               "`pylock.toml` file")  # fmt: skip
    parser.opt("--format", choices=["requirements.txt", "pylock.toml"], metavar="FORMAT",
               help="The format in which the resolution should be output")  # fmt: skip
    _flag_pair(parser, "--no-strip-extras", "--strip-extras", "no-strip-extras",
               "Include extras in the output file")  # fmt: skip
    _flag_pair(parser, "--no-strip-markers", "--strip-markers", "no-strip-markers",
               "Include environment markers in the output file")  # fmt: skip
    _flag_pair(parser, "--no-annotate", "--annotate", "no-annotate",
               "Exclude comment annotations indicating the source of each package")  # fmt: skip
    _flag_pair(parser, "--no-header", "--header", "no-header",
               "Exclude the comment header at the top of the generated output file")  # fmt: skip
    parser.opt("--annotation-style", choices=["line", "split"], metavar="ANNOTATION_STYLE",
               setting="annotation-style", help="The style of the annotation comments")  # fmt: skip
    parser.opt("--custom-compile-command", metavar="CUSTOM_COMPILE_COMMAND",
               env="UV_CUSTOM_COMPILE_COMMAND", setting="custom-compile-command",
               help="The header comment to include [env: UV_CUSTOM_COMPILE_COMMAND=]")  # fmt: skip
    _flag_pair(parser, "--generate-hashes", "--no-generate-hashes", "generate-hashes",
               "Include distribution hashes in the output file")  # fmt: skip
    parser.opt("--no-emit-package", "--unsafe-package", action=_CommaList,
               metavar="NO_EMIT_PACKAGE", setting="no-emit-package",
               help="Specify a package to omit from the output resolution")  # fmt: skip
    for name, help_text in (
        ("index-url", "Include `--index-url` and `--extra-index-url` entries"),
        ("find-links", "Include `--find-links` entries"),
        ("build-options", "Include `--no-binary` and `--only-binary` entries"),
        ("marker-expression", ""),
        ("index-annotation", "Include comment annotations indicating the index used to resolve "
         "each package (e.g., `# from https://pypi.org/simple`)"),
    ):  # fmt: skip
        _flag_pair(parser, f"--emit-{name}", f"--no-emit-{name}", f"emit-{name}", help_text)
    parser.opt("--torch-backend", choices=_TORCH_BACKENDS, metavar="TORCH_BACKEND",
               env="UV_TORCH_BACKEND", setting="torch-backend",
               help="The backend to use when fetching packages in the PyTorch ecosystem "
               "[env: UV_TORCH_BACKEND=]")  # fmt: skip


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
    parser.opt("--keyring-provider", choices=["disabled", "subprocess"],
               metavar="KEYRING_PROVIDER", env="UV_KEYRING_PROVIDER", setting="keyring-provider",
               group=group, help="Attempt to use `keyring` for authentication for index URLs "
               "[env: UV_KEYRING_PROVIDER=]")  # fmt: skip
    parser.opt("--cert", metavar="FILE", group=group,
               help="Path to a PEM-encoded CA certificate bundle")  # fmt: skip


def _resolver_options(parser: Parser) -> None:
    group = parser.add_argument_group("Resolver options")
    parser.opt("-U", "--upgrade", dest="upgrade", action="store_const", const=True,
               setting="upgrade", group=group, help="Allow package upgrades")  # fmt: skip
    parser.opt("--no-upgrade", dest="upgrade", action="store_const", const=False, help="")
    parser.opt("-P", "--upgrade-package", action="append", metavar="UPGRADE_PACKAGE",
               setting="upgrade-package", group=group,
               help="Allow upgrades for a specific package")  # fmt: skip
    parser.opt("--upgrade-group", action="append", metavar="UPGRADE_GROUP", group=group,
               help="Allow upgrades for all packages in a dependency group")  # fmt: skip
    parser.opt("--resolution", choices=["highest", "lowest", "lowest-direct"],
               metavar="RESOLUTION", env="UV_RESOLUTION", setting="resolution", group=group,
               help="The strategy to use when selecting between versions")  # fmt: skip
    parser.opt("--prerelease", choices=list(_PRERELEASE_MODES), metavar="PRERELEASE",
               env="UV_PRERELEASE", setting="prerelease", group=group,
               help="The strategy to use when considering pre-release versions")  # fmt: skip
    parser.opt("--pre", dest="prerelease", action="store_const", const="allow", help="")
    parser.opt("--prerelease-package", action=KeyValuePairs, parse=_prerelease_package,
               metavar="PRERELEASE_PACKAGE", setting="prerelease-package", group=group,
               help="The strategy to use when considering pre-release versions for a specific "
               "package")  # fmt: skip
    parser.opt("--fork-strategy", choices=["fewest", "requires-python"],
               metavar="FORK_STRATEGY", env="UV_FORK_STRATEGY", setting="fork-strategy",
               group=group, help="The strategy to use when selecting multiple versions of a "
               "given package across Python versions and platforms [env: UV_FORK_STRATEGY=]")  # fmt: skip
    parser.opt("--exclude-newer", metavar="EXCLUDE_NEWER", env="UV_EXCLUDE_NEWER",
               setting="exclude-newer", group=group,
               help="Limit candidate packages to those that were uploaded prior to the given date")  # fmt: skip
    parser.opt("--exclude-newer-package", action=KeyValuePairs, parse=exclude_newer_package,
               metavar="EXCLUDE_NEWER_PACKAGE", setting="exclude-newer-package", group=group,
               help="Limit candidate packages for specific packages to those that were uploaded "
               "prior to the given date")  # fmt: skip
    _flag_pair(parser, "--no-sources", "--sources", "no-sources",
               "Ignore the `tool.uv.sources` table when resolving dependencies",
               env="UV_NO_SOURCES")  # fmt: skip
    parser.opt("--no-sources-package", action="append", metavar="NO_SOURCES_PACKAGE",
               setting="no-sources-package", group=group,
               help="Don't use sources from the `tool.uv.sources` table for the specified packages")  # fmt: skip


def _build_options(parser: Parser) -> None:
    group = parser.add_argument_group("Build options")
    parser.opt("-C", "--config-setting", "--config-settings", action="append",
               metavar="CONFIG_SETTING", group=group,
               help="Settings to pass to the PEP 517 build backend, specified as `KEY=VALUE` "
               "pairs")  # fmt: skip
    parser.opt("--config-settings-package", action="append", metavar="CONFIG_SETTINGS_PACKAGE",
               group=group, help="Settings to pass to the PEP 517 build backend for a specific "
               "package, specified as `PACKAGE:KEY=VALUE` pairs")  # fmt: skip
    _flag_pair(parser, "--no-build-isolation", "--build-isolation", "no-build-isolation",
               "Disable isolation when building source distributions",
               env="UV_NO_BUILD_ISOLATION")  # fmt: skip
    parser.opt("--no-build-isolation-package", action="append",
               metavar="NO_BUILD_ISOLATION_PACKAGE", setting="no-build-isolation-package",
               group=group, help="Disable isolation when building source distributions for a "
               "specific package")  # fmt: skip
    _flag_pair(parser, "--require-build-hashes", "--no-require-build-hashes",
               "require-build-hashes", "Require hashes for all build dependencies")  # fmt: skip
    parser.opt("--no-build", dest="no_build", action="store_const", const=True, default=False,
               group=group, help="Don't build source distributions")  # fmt: skip
    parser.opt("--build", dest="no_build", action="store_const", const=False, help="")
    parser.opt("--no-binary", action=_CommaList, metavar="NO_BINARY", setting="no-binary",
               group=group, help="Don't install pre-built wheels")  # fmt: skip
    parser.opt("--only-binary", action=_CommaList, metavar="ONLY_BINARY", setting="only-binary",
               group=group, help="Only use pre-built wheels; don't build source distributions")  # fmt: skip
    parser.opt("--link-mode", choices=["clone", "copy", "hardlink", "symlink"],
               metavar="LINK_MODE", env="UV_LINK_MODE", setting="link-mode", group=group,
               help="The method to use when installing packages from the global cache "
               "[env: UV_LINK_MODE=]")  # fmt: skip


def _cache_options(parser: Parser) -> None:
    parser.opt("--refresh", dest="refresh", action="store_const", const=True, default=False,
               help="Refresh all cached data")  # fmt: skip
    parser.opt("--no-refresh", dest="refresh", action="store_const", const=False, help="")
    parser.opt("--refresh-package", action="append", metavar="REFRESH_PACKAGE", default=[],
               help="Refresh cached data for a specific package")  # fmt: skip


def _check_usage(args: argparse.Namespace) -> None:
    """Conflicts clap reports, and uv's pip-compile compatibility flags (warn or refuse)."""
    conflicts = (
        ("no_build", "--no-build", "no_binary", "--no-binary <NO_BINARY>"),
        ("no_build", "--no-build", "only_binary", "--only-binary <ONLY_BINARY>"),
        ("all_extras", "--all-extras", "extra", "--extra <EXTRA>"),
        ("universal", "--universal", "no_strip_markers", "--strip-markers"),
    )
    for first, first_flag, second, second_flag in conflicts:
        given = args._origin.get(first) == "cli" and getattr(args, first)
        if not given or args._origin.get(second) != "cli":
            continue
        if second == "no_strip_markers" and args.no_strip_markers:
            continue  # `--no-strip-markers` goes with `--universal`
        raise UsageError(
            f"the argument '{first_flag}' cannot be used with '{second_flag}'\n\n"
            f"Usage: {args._parser.usage_line}\n\nFor more information, try '--help'."
        )
    if args.upgrade_group:
        raise PuvError("`--upgrade-group` is not supported in `uv pip` commands")
    if args.cert is not None:
        raise PuvError(
            "`--cert` is not supported by `puv pip compile` yet",
            hint="Point `SSL_CERT_FILE` at the certificate bundle instead",
        )


def _pip_tools_warnings(args: argparse.Namespace) -> list[str]:
    """uv's answers to pip-compile's own flags: warnings, or an error for those it refuses."""
    warnings = []
    for flag, _, refusal, warning in _PIP_TOOLS_FLAGS:
        option, _, value = flag.partition("=")
        given = getattr(args, option.removeprefix("--").replace("-", "_"), None)
        if not given or (value and given != value):
            continue
        if refusal is not None:
            raise PuvError(refusal)
        assert warning is not None
        warnings.append(warning)
    return warnings


def _config_settings_layer(args: argparse.Namespace) -> None:
    """`-C` and `--config-settings-package` as the settings' `config-settings` tables."""
    from puv.cli.build_cmd import parse_config_settings
    from puv.operations.pip_compile import parse_config_setting_package

    cli = dict(args._settings_cli)
    if args.config_setting:
        cli["config-settings"] = parse_config_settings(args.config_setting)
    if args.config_settings_package:
        by_package: dict[str, dict[str, Any]] = {}
        for text in args.config_settings_package:
            name, (key, value) = parse_config_setting_package(text)
            by_package.setdefault(name, {}).setdefault(key, value)
        cli["config-settings-package"] = by_package
    args._settings_cli = cli


def run_compile(args: argparse.Namespace, printer: Printer) -> int:
    """`puv pip compile`."""
    from puv.core.printer import format_duration, plural
    from puv.operations.context import build_context
    from puv.operations.pip_compile import CompileRequest, pip_compile

    _check_usage(args)
    for warning in _pip_tools_warnings(args):
        printer.warn(warning)
    _config_settings_layer(args)
    ctx = build_context(args, printer)
    settings = ctx.settings
    if settings.require_build_hashes and not (
        settings.preview or "build-dependency-hashes" in settings.preview_features
    ):
        printer.warn(
            "The `--require-build-hashes` option is experimental and may change without "
            "warning. Pass `--preview-features build-dependency-hashes` to disable this warning."
        )
    pip = settings.pip
    command = None
    if not pip.no_header:
        command = pip.custom_compile_command or header_command(
            sys.argv[1:],
            include_index_url=pip.emit_index_url,
            include_find_links=pip.emit_find_links,
        )
    request = CompileRequest(
        sources=tuple(args.src_file),
        constraints=tuple(args.constraints or ()),
        overrides=tuple(args.overrides or ()),
        excludes=tuple(args.excludes or ()),
        build_constraints=tuple(args.build_constraints or ()),
        format=args.format,
        command=command,
        index=tuple(args.index or ()),
        default_index=args.default_index,
        python=args.python,
        no_build=bool(args.no_build),
        refresh=bool(args.refresh),
        refresh_packages=tuple(args.refresh_package),
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
