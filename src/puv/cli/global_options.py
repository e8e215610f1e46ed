"""The options every command accepts, as in uv's `Global options`, `Cache options` and `Python options`."""

from __future__ import annotations

from puv.cli.parser import Parser


def add_global_options(parser: Parser) -> None:
    """Attach uv's global options to `parser` (the top parser and every subcommand parser)."""
    c = parser.add_argument_group("Cache options")
    parser.opt(
        "-n",
        "--no-cache",
        action="store_const",
        const=True,
        env="UV_NO_CACHE",
        setting="no-cache",
        group=c,
        help="Avoid reading from or writing to the cache [env: UV_NO_CACHE=]",
    )
    parser.opt(
        "--cache-dir",
        metavar="CACHE_DIR",
        env="UV_CACHE_DIR",
        setting="cache-dir",
        group=c,
        help="Path to the cache directory [env: UV_CACHE_DIR=]",
    )

    p = parser.add_argument_group("Python options")
    parser.opt(
        "--managed-python",
        dest="managed_python",
        action="store_const",
        const=True,
        env="UV_MANAGED_PYTHON",
        group=p,
        help="Require use of puv-managed Python versions [env: UV_MANAGED_PYTHON=]",
    )
    parser.opt(
        "--no-managed-python",
        dest="no_managed_python",
        action="store_const",
        const=True,
        env="UV_NO_MANAGED_PYTHON",
        group=p,
        help="Disable use of puv-managed Python versions [env: UV_NO_MANAGED_PYTHON=]",
    )
    parser.opt(
        "--no-python-downloads",
        dest="python_downloads",
        action="store_const",
        const="never",
        env="UV_PYTHON_DOWNLOADS",
        env_kind="value",
        setting="python-downloads",
        group=p,
        help='Disable automatic downloads of Python. [env: "UV_PYTHON_DOWNLOADS=never"]',
    )
    parser.opt(
        "--python-preference",
        choices=["only-managed", "managed", "system", "only-system"],
        metavar="PYTHON_PREFERENCE",
        env="UV_PYTHON_PREFERENCE",
        setting="python-preference",
        group=p,
        help="Prefer puv-managed or system Pythons [env: UV_PYTHON_PREFERENCE=]",
    )

    g = parser.add_argument_group("Global options")
    parser.opt("-q", "--quiet", action="count", default=0, group=g, help="Use quiet output")
    parser.opt("-v", "--verbose", action="count", default=0, group=g, help="Use verbose output")
    parser.opt(
        "--color",
        choices=["auto", "always", "never"],
        metavar="COLOR_CHOICE",
        default="auto",
        group=g,
        help="Control the use of color in output [possible values: auto, always, never]",
    )
    parser.opt(
        "--system-certs",
        "--native-tls",
        dest="system_certs",
        action="store_const",
        const=True,
        env=("UV_SYSTEM_CERTS", "UV_NATIVE_TLS"),
        setting="system-certs",
        group=g,
        help="Load TLS certificates from the platform's native store [env: UV_SYSTEM_CERTS=]",
    )
    parser.opt(
        "--offline",
        action="store_const",
        const=True,
        env="UV_OFFLINE",
        setting="offline",
        group=g,
        help="Disable network access [env: UV_OFFLINE=]",
    )
    parser.opt(
        "--no-offline",
        dest="offline",
        action="store_const",
        const=False,
        group=g,
        help="Allow network access",
    )
    parser.opt(
        "--allow-insecure-host",
        action="append",
        metavar="ALLOW_INSECURE_HOST",
        env="UV_INSECURE_HOST",
        split=True,
        setting="allow-insecure-host",
        group=g,
        help="Allow insecure connections to a host [env: UV_INSECURE_HOST=]",
    )
    parser.opt(
        "--no-progress",
        action="store_true",
        env="UV_NO_PROGRESS",
        default=False,
        group=g,
        help="Hide all progress outputs [env: UV_NO_PROGRESS=]",
    )
    parser.opt(
        "--directory",
        metavar="DIRECTORY",
        env=("UV_WORKING_DIR", "UV_WORKING_DIRECTORY"),
        group=g,
        help="Change to the given directory prior to running the command [env: UV_WORKING_DIR=]",
    )
    parser.opt(
        "--project",
        metavar="PROJECT",
        env="UV_PROJECT",
        group=g,
        help="Discover a project in the given directory [env: UV_PROJECT=]",
    )
    parser.opt(
        "--config-file",
        metavar="CONFIG_FILE",
        env="UV_CONFIG_FILE",
        group=g,
        help="The path to a `uv.toml` file to use for configuration [env: UV_CONFIG_FILE=]",
    )
    parser.opt(
        "--no-config",
        action="store_true",
        env="UV_NO_CONFIG",
        default=False,
        group=g,
        help="Avoid discovering configuration files (`pyproject.toml`, `uv.toml`) "
        "[env: UV_NO_CONFIG=]",
    )
    parser.opt(
        "--preview",
        action="store_const",
        const=True,
        env="UV_PREVIEW",
        setting="preview",
        group=g,
        help="Whether to enable experimental, preview features [env: UV_PREVIEW=]",
    )
    parser.opt(
        "--no-preview",
        dest="preview",
        action="store_const",
        const=False,
        group=g,
        help="Disable preview features",
    )
    parser.opt(
        "--preview-features",
        action="append",
        metavar="PREVIEW_FEATURES",
        env="UV_PREVIEW_FEATURES",
        split=True,
        setting="preview-features",
        group=g,
        help="Enable preview features [env: UV_PREVIEW_FEATURES=]",
    )


def add_python_option(parser: Parser, help_text: str) -> None:
    """`-p/--python`, on the commands that take it (as in uv)."""
    parser.opt(
        "-p", "--python", metavar="PYTHON", env="UV_PYTHON", help=f"{help_text} [env: UV_PYTHON=]"
    )
