"""Keep distutils and setuptools installs inside this virtual environment. Written by puv.

A distutils configuration file (`setup.cfg`, `~/.pydistutils.cfg`) may set `prefix` or the
`install_*` directories of the `install` command; inside a virtual environment they would send
files somewhere else. `_virtualenv.pth` imports this module at start-up; it waits for
`distutils.dist` or `setuptools.dist` to be imported and wraps `Distribution.parse_config_files`
so that `prefix` is the environment and the `install_*` directories are ignored.
"""

from __future__ import annotations

import contextlib
import os
import sys

TYPE_CHECKING = False  # `typing` is not imported at every start-up of the interpreter
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

_GUARDED_MODULES = ("distutils.dist", "setuptools.dist")
_IGNORED_OPTIONS = (
    "install_purelib",
    "install_platlib",
    "install_headers",
    "install_scripts",
    "install_data",
)


def _guard(module: ModuleType) -> None:
    """Wrap the config-file reading of `module.Distribution` to keep installs in the environment."""
    distribution = module.Distribution
    original = distribution.parse_config_files

    def parse_config_files(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        options = self.get_option_dict("install")
        if "prefix" in options:
            options["prefix"] = (__file__, os.path.abspath(sys.prefix))
        for name in _IGNORED_OPTIONS:
            options.pop(name, None)
        return result

    distribution.parse_config_files = parse_config_files


class _DistutilsGuardFinder:
    """A meta path finder that lets the real finders load the guarded modules, then wraps them."""

    def __init__(self) -> None:
        self.searching: set[str] = set()  # names being looked up by the real finders

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in _GUARDED_MODULES or fullname in self.searching:
            return None
        from importlib.util import find_spec

        self.searching.add(fullname)
        try:
            spec = find_spec(fullname)
        finally:
            self.searching.discard(fullname)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        load = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            load(module)
            _guard(module)

        with contextlib.suppress(AttributeError):  # a loader that cannot be changed is left as is
            loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _DistutilsGuardFinder())
