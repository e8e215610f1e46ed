"""Which environment a `puv pip` command acts on, chosen as uv chooses it.

`--python` names an interpreter (or environment); `--system` allows a non-virtual one; otherwise an
active `VIRTUAL_ENV`, a `CONDA_PREFIX`, or a `.venv` in the working directory or a parent. Commands
that change the environment refuse a system interpreter unless `--system` (or `--python`) says so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from puv.core.errors import PuvError, PythonNotFound
from puv.core.paths import user_display
from puv.operations.context import Context
from puv.operations.python_ops import discovery_settings
from puv.python.discovery import EnvironmentPreference, find_python
from puv.python.interpreter import Interpreter
from puv.python.request import ANY_REQUEST, parse_request

NO_VENV = (
    "No virtual environment found; run `puv venv` to create an environment, "
    "or pass `--system` to install into a non-virtual environment"
)


class TargetEnvironment(NamedTuple):
    """The interpreter of the target environment and the directories packages go to."""

    interpreter: Interpreter

    @property
    def root(self) -> Path:
        """The environment's prefix (the venv directory)."""
        return self.interpreter.prefix

    @property
    def site_packages(self) -> list[Path]:
        """purelib and platlib (one directory in a venv)."""
        paths = self.interpreter.sysconfig_paths
        found = [Path(paths[key]) for key in ("purelib", "platlib") if key in paths]
        return list(dict.fromkeys(found))

    @property
    def scripts(self) -> Path:
        """Where console scripts go."""
        return Path(self.interpreter.sysconfig_paths["scripts"])


def find_target_environment(
    ctx: Context, python: str | None, *, system: bool, mutable: bool
) -> TargetEnvironment:
    """The environment to inspect or change; prints uv's `Using Python ... environment at:` line."""
    if system:
        environments = EnvironmentPreference.EXPLICIT_SYSTEM
    elif python is not None:
        environments = EnvironmentPreference.ANY
    else:
        environments = EnvironmentPreference.ONLY_VIRTUAL if mutable else EnvironmentPreference.ANY
    request = parse_request(python, ctx.cwd) if python else ANY_REQUEST
    settings = discovery_settings(ctx, environments, system_flag=system)
    try:
        interpreter = find_python(request, settings).interpreter
    except PythonNotFound:
        if python is None and not system and mutable:
            raise PuvError(NO_VENV) from None
        raise
    target = TargetEnvironment(interpreter)
    _report(ctx, target)
    return target


def _report(ctx: Context, target: TargetEnvironment) -> None:
    """uv names the environment unless it is `./.venv` or lives in the cache."""
    root = Path(os.path.abspath(target.root))
    if root == ctx.cwd / ".venv" or root.is_relative_to(ctx.cache.root):
        return
    version = target.interpreter.version
    shown = user_display(root, ctx.cwd)
    ctx.printer.status(ctx.printer.style(f"Using Python {version} environment at: {shown}", "dim"))
