"""`UV_*` variables that set a configuration key but have no command-line flag of their own.

The CLI reads them here, in one place, and hands them to the settings merge as the `env` layer.
"""

from __future__ import annotations

from puv.core.env import env_value, source_name
from puv.core.errors import PuvError

TYPE_CHECKING = False  # no `typing` at run time: it is read at every start
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

# variable -> (setting key, kind): "int" (a positive integer), "str", "list" (space-separated)
ENV_ONLY: dict[str, tuple[str, str]] = {
    "UV_CONCURRENT_DOWNLOADS": ("concurrent-downloads", "int"),
    "UV_CONCURRENT_BUILDS": ("concurrent-builds", "int"),
    "UV_CONCURRENT_INSTALLS": ("concurrent-installs", "int"),
    "UV_PYTHON_INSTALL_MIRROR": ("python-install-mirror", "str"),
    "UV_PYPY_INSTALL_MIRROR": ("pypy-install-mirror", "str"),
    "UV_PYTHON_DOWNLOADS_JSON_URL": ("python-downloads-json-url", "str"),
    "UV_NO_BUILD_PACKAGE": ("no-build-package", "list"),
    "UV_NO_BINARY_PACKAGE": ("no-binary-package", "list"),
    "UV_NO_SOURCES_PACKAGE": ("no-sources-package", "list"),
}


def env_only_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings given by the variables of `ENV_ONLY` (a `PUV_*` twin wins)."""
    values: dict[str, Any] = {}
    for variable, (key, kind) in ENV_ONLY.items():
        raw = env_value(variable, environ)
        if raw is None:
            continue
        if kind == "int":
            if not raw.strip().isdigit() or int(raw) == 0:
                raise PuvError(
                    f"Failed to parse environment variable `{source_name(variable, environ)}` "
                    f"with invalid value `{raw}`",
                    causes=["expected a positive integer"],
                )
            values[key] = int(raw)
        elif kind == "list":
            values[key] = raw.split()
        else:
            values[key] = raw
    return values
