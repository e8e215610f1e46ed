"""Reading `UV_*` environment variables, with `PUV_*` twins that win when both are set.

Pure: every function takes the environment as a mapping (the CLI passes `os.environ`).
"""

from __future__ import annotations

from collections.abc import Mapping

from puv.core.errors import PuvError

_TRUE = frozenset({"1", "true", "yes", "on", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "off", "n", "f"})


def env_value(name: str, environ: Mapping[str, str]) -> str | None:
    """The value of `UV_X` (or its `PUV_X` twin, which wins); `name` is given as `UV_X`."""
    if name.startswith("UV_"):
        twin = "P" + name
        if twin in environ:
            return environ[twin]
    return environ.get(name)


def source_name(name: str, environ: Mapping[str, str]) -> str:
    """Which variable supplied `name`'s value: the `PUV_` twin or `name` itself."""
    twin = "P" + name
    return twin if name.startswith("UV_") and twin in environ else name


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


def env_bool(name: str, environ: Mapping[str, str]) -> bool | None:
    """A boolean variable, or None when unset."""
    value = env_value(name, environ)
    if value is None:
        return None
    return parse_bool(value, source_name(name, environ))
