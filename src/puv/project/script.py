"""PEP 723 inline script metadata: the `# /// script` block of a Python file.

The block is found with the specification's regular expression; its lines lose their `# ` (or
`#`) prefix and are read as TOML. `requires-python`, `dependencies` and `[tool.uv]` are what
the project commands use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from puv.core.errors import ConfigError, PuvError
from puv.project.toml_read import display_path, parse_toml

__all__ = ["ScriptMetadata", "read_script", "script_lock_path"]

_BLOCK = re.compile(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$")


@dataclass(frozen=True, slots=True)
class ScriptMetadata:
    """A script's inline metadata (all empty when it has no `script` block)."""

    path: Path
    requires_python: str | None = None
    dependencies: tuple[str, ...] = ()
    tool_uv: Mapping[str, Any] = field(default_factory=dict)
    has_block: bool = False


def script_lock_path(script: Path) -> Path:
    """Where a script's lock lives: `<script>.lock` beside it (`x.py` -> `x.py.lock`)."""
    return script.with_name(script.name + ".lock")


def read_script(path: Path) -> ScriptMetadata:
    """The metadata of the script at `path`; errors as uv words them for a missing file, more
    than one `script` block, or invalid TOML or fields."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PuvError(f"Failed to read from file `{display_path(path)}`") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PuvError(
            f"Failed to read from file `{display_path(path)}`", causes=[str(error)]
        ) from None
    blocks = [match for match in _BLOCK.finditer(text) if match.group("type") == "script"]
    if len(blocks) > 1:
        raise ConfigError(
            f"Failed to parse: `{display_path(path)}`",
            causes=["TOML metadata block: Multiple `script` blocks found"],
        )
    if not blocks:
        return ScriptMetadata(path)
    content = "".join(
        line[2:] if line.startswith("# ") else line[1:]
        for line in blocks[0].group("content").splitlines(keepends=True)
    )
    data = parse_toml(content, display_path(path))
    requires_python = data.get("requires-python")
    dependencies = data.get("dependencies", [])
    if requires_python is not None and not isinstance(requires_python, str):
        raise _invalid(path, "`requires-python` must be a string")
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise _invalid(path, "`dependencies` must be a list of strings")
    tool = data.get("tool", {})
    tool_uv = tool.get("uv", {}) if isinstance(tool, dict) else {}
    return ScriptMetadata(
        path,
        requires_python,
        tuple(dependencies),
        tool_uv if isinstance(tool_uv, dict) else {},
        has_block=True,
    )


def _invalid(path: Path, message: str) -> ConfigError:
    return ConfigError(f"Failed to parse: `{display_path(path)}`", causes=[message])
