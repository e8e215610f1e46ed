"""The activation scripts of a virtual environment, rendered from the templates beside this module.

A template names the values it needs with placeholders: `__VIRTUAL_ENV__` (the environment's
directory), `__VIRTUAL_PROMPT__` (the prompt, empty for the directory's name) and
`__SITE_PACKAGES__` (site-packages relative to `bin/`). `render_all` substitutes each one quoted
for that file's language, so any path or prompt survives intact.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

# The templates are files beside this module (read directly: `importlib.resources` costs ms).
_TEMPLATES = Path(__file__).parent

SELF_LOCATING = ""  # a script that finds the environment from its own path, relocatable or not


def _posix_sh(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


def _fish(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _csh(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _nushell(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _powershell(value: str) -> str:
    for quote in "'\u2018\u2019\u201a\u201b":  # PowerShell takes the typographic ones as quotes too
        value = value.replace(quote, quote * 2)
    return f"'{value}'"


def _cmd(value: str) -> str:
    return value.replace("%", "%%")  # placed inside "..." by the template


def _python(value: str) -> str:
    return repr(value)


class _Script(NamedTuple):
    """One activation script: its name, how values are quoted and where it finds the environment.

    A named tuple, not a dataclass: this is defined at every start, and defining a dataclass costs
    about eight times as much.
    """

    name: str
    quote: Callable[[str], str]
    # `__VIRTUAL_ENV__` in a relocatable environment: a shell expression, SELF_LOCATING, or None
    # when the shell cannot find its own script (the file is then not written).
    relocatable: str | None = SELF_LOCATING
    placeholder: str = "{}"  # how a placeholder appears in the template
    crlf: bool = False


_SCRIPTS = (
    _Script(
        "activate",
        _posix_sh,
        relocatable='"$(dirname -- "$(dirname -- "$(realpath -- "$_puv_script")")")"',
    ),
    _Script("activate.bat", _cmd, relocatable="%~dp0..", crlf=True),
    _Script("activate.csh", _csh, relocatable=None),
    _Script(
        "activate.fish", _fish, relocatable="(dirname -- (dirname -- (realpath -- (status -f))))"
    ),
    _Script("activate.nu", _nushell, relocatable="(path self | path dirname | path dirname)"),
    _Script("activate.ps1", _powershell),
    _Script("activate.xsh", _python),
    _Script("activate_this.py", _python, placeholder='"{}"'),
    _Script("deactivate.bat", _cmd, crlf=True),
    _Script("pydoc.bat", _cmd, crlf=True),
)


def read(name: str) -> bytes:
    """The bytes of the template (or support file) `name` shipped in this package."""
    return (_TEMPLATES / name).read_bytes()


def render_all(
    venv_dir: Path, prompt: str | None, site_packages: list[str], relocatable: bool
) -> dict[str, str]:
    """Every activation script for `venv_dir`, by file name (`activate.csh` is left out when
    `relocatable`, since csh cannot find its own file)."""
    rendered: dict[str, str] = {}
    for script in _SCRIPTS:
        if relocatable and script.relocatable is None:
            continue
        location = script.relocatable if relocatable else None
        values = {
            "__VIRTUAL_ENV__": location or script.quote(str(venv_dir)),
            "__VIRTUAL_PROMPT__": script.quote(prompt or ""),
            "__SITE_PACKAGES__": ", ".join(script.quote(path) for path in site_packages),
        }
        text = read(script.name).decode()
        for name, value in values.items():
            text = text.replace(script.placeholder.format(name), value)
        if script.crlf:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        rendered[script.name] = text
    return rendered
