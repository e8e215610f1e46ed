"""The error hierarchy. Only cli/ renders these; every other layer raises them."""

from __future__ import annotations


class PuvError(Exception):
    """A failure caused by the user's input or environment: rendered as `error: ...`, never a traceback.

    `causes` become `  Caused by: ...` lines (uv's chain), `hint` a trailing `hint: ...` line.
    `exit_code` follows uv: 1 for a failure of the requested work, 2 for everything else.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        causes: list[str] | tuple[str, ...] = (),
        hint: str | None = None,
        exit_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.causes = tuple(causes)
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(PuvError):
    """Bad command-line usage (exit 2). The message is rendered as clap would."""

    exit_code = 2


class ConfigError(PuvError):
    """A configuration or project file that cannot be read or is invalid."""

    exit_code = 2


class PythonNotFound(PuvError):
    """No interpreter satisfies a Python request."""

    exit_code = 2


class FailureError(PuvError):
    """The requested work failed for a reason the user can act on (exit 1)."""

    exit_code = 1
