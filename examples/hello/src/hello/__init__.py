"""The example package of puv's quick start."""

import sys

from packaging.version import Version


def greet() -> str:
    """Say hello, naming the interpreter that runs this and its version as `packaging` reads it."""
    version = Version(sys.version.split()[0])
    return f"Hello from {sys.implementation.name} {version} in {sys.prefix}"
