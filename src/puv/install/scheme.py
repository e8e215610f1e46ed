"""Where an environment's files go: the install scheme, and the layout an installer needs."""

from __future__ import annotations

import os
from pathlib import Path

from msgspec import Struct

from puv.python.interpreter import Interpreter

_SCHEME_KEYS = ("purelib", "platlib", "scripts", "data", "include")


class Scheme(Struct, frozen=True):
    """The install directories of one environment (absolute paths).

    `include` is the base for `.data/headers`, which land in `include/<project name>`.
    """

    purelib: Path
    platlib: Path
    scripts: Path
    data: Path
    include: Path

    @classmethod
    def from_interpreter(cls, interpreter: Interpreter) -> Scheme:
        """The scheme of the environment `interpreter` runs in, from its probe's facts.

        Without the probe's sysconfig paths, the venv layout (`venv_paths`, else uv's
        `lib/pythonX.Y/site-packages`, `bin`, `include/site/pythonX.Y`) under its prefix.
        """
        paths = interpreter.sysconfig_paths
        if all(paths.get(key) for key in _SCHEME_KEYS):
            return cls(*(Path(paths[key]) for key in _SCHEME_KEYS))
        from puv.install.venv import venv_scheme  # a rare fallback: keep it off the hot path

        root = interpreter.prefix
        relative = venv_scheme(interpreter)
        major, minor = interpreter.major_minor
        return cls(
            purelib=root / relative.purelib,
            platlib=root / relative.platlib,
            scripts=root / relative.scripts,
            data=root,
            include=root / "include" / "site" / f"python{major}.{minor}",
        )

    def roots(self) -> tuple[Path, ...]:
        """Every directory a wheel may write into."""
        return (self.purelib, self.platlib, self.scripts, self.data, self.include)


class Layout(Struct, frozen=True):
    """What installing into one environment needs: its scheme and the Python for shebangs."""

    scheme: Scheme
    sys_executable: Path  # written into script shebangs
    python_version: tuple[int, int]
    os_name: str = os.name

    @classmethod
    def from_interpreter(cls, interpreter: Interpreter) -> Layout:
        """The layout of the environment `interpreter` runs in."""
        return cls(
            Scheme.from_interpreter(interpreter),
            interpreter.sys_executable,
            interpreter.major_minor,
        )
