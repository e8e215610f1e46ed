"""Reading `UV_*` environment variables, with `PUV_*` twins that win when both are set."""

from __future__ import annotations

import os
from collections.abc import Mapping

from puv.core.errors import PuvError

_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "off", "n", "f"})


def env_value(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The value of `UV_X` (or its `PUV_X` twin, which wins); `name` is given as `UV_X`."""
    env = os.environ if environ is None else environ
    if name.startswith("UV_"):
        twin = "P" + name
        if twin in env:
            return env[twin]
    return env.get(name)


def source_name(name: str, environ: Mapping[str, str] | None = None) -> str:
    """Which variable supplied `name`'s value: the `PUV_` twin or `name` itself."""
    env = os.environ if environ is None else environ
    twin = "P" + name
    return twin if name.startswith("UV_") and twin in env else name


def parse_bool(value: str, variable: str) -> bool:
    """Parse a boolean variable as uv does; an empty or unknown value is an error."""
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise PuvError(
        f"Failed to parse environment variable `{variable}` with invalid value `{value}`",
        causes=["expected one of `1`, `true`, `yes`, `on`, `0`, `false`, `no`, `off`"],
    )


def env_bool(name: str, environ: Mapping[str, str] | None = None) -> bool | None:
    """A boolean variable, or None when unset."""
    value = env_value(name, environ)
    if value is None:
        return None
    return parse_bool(value, source_name(name, environ))
