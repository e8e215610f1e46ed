"""Build failures, shaped as uv 0.13.9 reports them.

A failing hook reads (the chain rendered by the CLI):

    error: Failed to build `pkg @ file:///src/pkg`
      cause: The build backend returned an error
      cause: Call to `setuptools.build_meta.build_wheel` failed (exit status: 1)

             [stdout]
             ...

             [stderr]
             ...

    hint: Build failures usually indicate a problem with the package or the build environment

When the hook's output shows a `ModuleNotFoundError`, the hint names the missing module and how to
declare it as a build dependency instead, as uv's does.
"""

from __future__ import annotations

import re

from msgspec import Struct

from puv.core.errors import FailureError

GENERIC_HINT = "Build failures usually indicate a problem with the package or the build environment"
_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([^']+)'")


class BuildError(FailureError):
    """A source tree or sdist could not be built (exit 1)."""


class HookOutput(Struct, frozen=True):
    """What a failed hook process did: its exit status and captured output."""

    hook: str  # `build_wheel`
    exit_status: int
    stdout: str
    stderr: str
    shown: bool = False  # the output was already shown as it arrived (then not repeated)


def hook_failure_cause(backend: str, output: HookOutput) -> str:
    """`Call to `<backend>.<hook>` failed (exit status: N)` followed by uv's output blocks."""
    text = f"Call to `{backend}.{output.hook}` failed (exit status: {output.exit_status})"
    if output.shown:
        return text
    for label, stream in (("stdout", output.stdout), ("stderr", output.stderr)):
        stripped = stream.strip("\n")
        if stripped.strip():
            text += f"\n\n[{label}]\n{stripped}"
    return text


def missing_module_hint(output: HookOutput, name: str | None, version: str | None) -> str | None:
    """uv's hint for a backend that imports a module its build requirements do not provide."""
    found = _MISSING_MODULE.search(output.stderr) or _MISSING_MODULE.search(output.stdout)
    if found is None or name is None:
        return None
    module = found.group(1).split(".")[0]
    package = f"{name}@{version}" if version else name
    return (
        f"This error likely indicates that `{package}` depends on `{module}`, but doesn't "
        f"declare it as a build dependency. If `{name}` is a first-party package, consider "
        f"adding `{module}` to its `build-system.requires`. Otherwise, either add it to your "
        "`pyproject.toml` under:\n\n"
        f'[tool.uv.extra-build-dependencies]\n{name} = ["{module}"]\n\n'
        f"or `puv pip install {module}` into the environment and re-run with "
        "`--no-build-isolation`."
    )


def backend_failure(
    display: str,
    backend: str,
    output: HookOutput,
    *,
    name: str | None = None,
    version: str | None = None,
) -> BuildError:
    """The error for a hook that exited with an error (`display`: `pkg @ file:///...`)."""
    return BuildError(
        f"Failed to build `{display}`",
        causes=["The build backend returned an error", hook_failure_cause(backend, output)],
        hint=missing_module_hint(output, name, version) or GENERIC_HINT,
    )


def build_failure(display: str, *causes: str, hint: str | None = None) -> BuildError:
    """`Failed to build `<display>`` with the given causes (any failure before or around a hook)."""
    return BuildError(f"Failed to build `{display}`", causes=list(causes), hint=hint)
