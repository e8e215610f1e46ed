"""PEP 723 inline script metadata: the `# /// script` block of a Python file, as uv reads and
writes it (`uv-scripts`).

The block starts at the first `# /// script` in the file (which must begin a line and be the
whole line); the comment lines after it lose their `# ` (or `#`) prefix, and the last `///` among
them closes the block. What comes before is the prelude (a shebang, a docstring, ...) and what
comes after the postlude; both are kept when the block is rewritten (the postlude with `\\n` line
endings and a final newline, as uv joins its lines). `requires-python`, `dependencies` and
`[tool.uv]` are what the project commands use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from puv.core.errors import ConfigError, PuvError
from puv.project.toml_read import TomlParseError, display_path, parse_toml

__all__ = [
    "ScriptMetadata",
    "ScriptText",
    "init_script_text",
    "parse_script",
    "read_existing_script",
    "read_script",
    "render_script",
    "script_lock_path",
    "split_script",
]

_OPENING = "# /// script"


class ScriptText(Struct, frozen=True):
    """A script cut around its metadata block: `metadata` is the block's TOML (prefixes
    removed), `prelude` the text before the block, `postlude` the text after it."""

    prelude: str
    metadata: str
    postlude: str


class ScriptMetadata(Struct, frozen=True):
    """A script's inline metadata (all empty when it has no `script` block).

    `dependencies` is None when the block has no `dependencies` key; `text` is the script cut
    around its block (None without one); `from_stdin` marks a script read from standard input
    (its `path` is then `<cwd>/-`).
    """

    path: Path
    requires_python: str | None = None
    dependencies: tuple[str, ...] | None = None
    tool_uv: Mapping[str, Any] = field(default_factory=dict)
    text: ScriptText | None = None
    from_stdin: bool = False

    @property
    def has_block(self) -> bool:
        """Whether the script has a `script` block."""
        return self.text is not None

    @property
    def requirements(self) -> tuple[str, ...]:
        """The `dependencies`, empty when there are none."""
        return self.dependencies or ()


def script_lock_path(script: Path) -> Path:
    """Where a script's lock lives: `<script>.lock` beside it (`x.py` -> `x.py.lock`)."""
    return script.with_name(script.name + ".lock")


def read_script(path: Path) -> ScriptMetadata:
    """The metadata of the script at `path`; uv's errors for an unreadable file, a block that is
    not closed, more than one `script` block, and invalid TOML or fields."""
    try:
        data = path.read_bytes()
    except OSError as error:
        shown = display_path(path)
        reason = f"{error.strerror} (os error {error.errno})"
        raise PuvError(f"failed to read from file `{shown}`: {reason}") from None
    return parse_script(path, data)


def read_existing_script(path: Path) -> ScriptMetadata:
    """`read_script` for the commands that need a script with a block already (`remove`, `sync`):
    uv's errors for a missing file and for a file without a block."""
    shown = display_path(path)
    if not os.path.exists(path):
        raise PuvError(
            f"Failed to read `{shown}` (not found); run `puv init --script {shown}` to create a "
            "PEP 723 script"
        )
    metadata = read_script(path)
    if not metadata.has_block:
        raise PuvError(
            f"`{shown}` does not contain a PEP 723 metadata tag; run `puv init --script {shown}` "
            "to initialize the script"
        )
    return metadata


def parse_script(path: Path, data: bytes | str, *, from_stdin: bool = False) -> ScriptMetadata:
    """The metadata of a script whose contents are `data` (see `read_script`); only a file
    holding the opening marker has to be UTF-8 (a `.pyc` without one has no block)."""
    if isinstance(data, bytes):
        if _OPENING.encode() not in data:
            return ScriptMetadata(path, from_stdin=from_stdin)
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise PuvError(str(error)) from None
    cut = split_script(data)
    if cut is None:
        return ScriptMetadata(path, from_stdin=from_stdin)
    table = _parse_block(path, cut.metadata)
    requires_python = table.get("requires-python")
    dependencies = table.get("dependencies")
    if requires_python is not None and not isinstance(requires_python, str):
        raise _invalid("`requires-python` must be a string")
    if dependencies is not None and (
        not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies)
    ):
        raise _invalid("`dependencies` must be a list of strings")
    tool = table.get("tool", {})
    tool_uv = tool.get("uv", {}) if isinstance(tool, dict) else {}
    if not isinstance(tool_uv, dict):
        raise _invalid("`tool.uv` must be a table")
    _check_tool_uv(cut.metadata, tool_uv)
    return ScriptMetadata(
        path,
        requires_python,
        None if dependencies is None else tuple(dependencies),
        tool_uv,
        cut,
        from_stdin,
    )


def _parse_block(path: Path, metadata: str) -> dict[str, Any]:
    """The block's TOML; a syntax error is uv's bare `TOML parse error` block."""
    try:
        return parse_toml(metadata, display_path(path))
    except TomlParseError as error:
        raise ConfigError(error.block.rstrip("\n")) from None


def _check_tool_uv(metadata: str, tool_uv: Mapping[str, Any]) -> None:
    """uv reads a script's `[tool.uv]` strictly: an unknown (or project-only) key is an error
    pointing at the table, as serde reports it."""
    from puv.core.toml_errors import render_toml_error
    from puv.project.settings_schema import PROJECT_ONLY_KEYS, SETTINGS_SCHEMA, SchemaError

    not_for_scripts = {*PROJECT_ONLY_KEYS, "pip"} - {"sources"}
    unknown = next((key for key in tool_uv if key in not_for_scripts), None)
    message = None if unknown is None else f"unknown field `{unknown}`"
    if message is None:
        try:
            SETTINGS_SCHEMA.check(tool_uv, ())
        except SchemaError as error:  # serde's flattened tables do not list the known keys
            message = error.message.split(", expected one of ")[0]
    if message is None:
        return
    header = metadata.find("[tool.uv]")
    span = (header, header + len("[tool.uv]")) if header >= 0 else None
    raise ConfigError(render_toml_error(metadata, span, message).rstrip("\n"))


def _invalid(message: str) -> ConfigError:
    return ConfigError(f"TOML parse error: {message}")


# --------------------------------------------------------------------------------- the block


def _rust_lines(text: str) -> list[str]:
    """`text` split as Rust's `str::lines` does: on `\\n`, one trailing `\\r` dropped per line,
    no empty line after a final newline."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def split_script(text: str) -> ScriptText | None:
    """Cut `text` around its `script` block (None when it has none), as uv's `ScriptTag::parse`;
    raises uv's errors for an unclosed block, a closing line with trailing content and a
    second complete `script` block."""
    index = text.find(_OPENING)
    if index < 0 or (index > 0 and text[index - 1] not in "\r\n"):
        return None
    lines = _rust_lines(text[index:])
    if not lines or lines[0] != _OPENING:
        return None
    body: list[str] = []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        rest = line[1:]
        if not rest:
            body.append("")
            continue
        if not rest.startswith(" "):
            break
        body.append(rest[1:])
    closing = None
    trailing = False
    for position in range(len(body) - 1, -1, -1):
        if body[position] == "///":
            closing = position + 1
            break
        if body[position].startswith("///"):
            trailing = True
    if closing is None:
        if trailing:
            raise PuvError(
                "An opening tag (`# /// script`) was found, but the closing tag (`# ///`) has "
                "trailing content. Remove the trailing content so the line is exactly `# ///`."
            )
        raise PuvError(
            "An opening tag (`# /// script`) was found without a closing tag (`# ///`). Ensure "
            "that every line between the opening and closing tags (including empty lines) "
            "starts with a leading `#`."
        )
    postlude = lines[closing + 1 :]
    if _has_second_block(postlude):
        raise PuvError("The script contains multiple PEP 723 metadata blocks")
    return ScriptText(
        prelude=text[:index],
        metadata="\n".join(body[: closing - 1]) + "\n",
        postlude="\n".join(postlude) + "\n",
    )


def _has_second_block(lines: list[str]) -> bool:
    """Whether `lines` hold another complete `script` block (one inside another typed block
    does not count)."""
    position = 0
    while position < len(lines):
        line = lines[position]
        position += 1
        kind = line[len("# /// ") :] if line.startswith("# /// ") else None
        if not kind or not all(c.isascii() and (c.isalnum() or c == "-") for c in kind):
            continue
        closed = False
        while position < len(lines):
            line = lines[position]
            position += 1
            content = line[1:] if line.startswith("#") else None
            if content is None or not (content == "" or content.startswith(" ")):
                break
            if line == "# ///":
                following = lines[position] if position < len(lines) else None
                rest = following[1:] if following and following.startswith("#") else None
                if rest is None or not (rest == "" or rest.startswith(" ")):
                    closed = True
                    break
        if kind == "script" and closed:
            return True
    return False


def render_script(text: ScriptText) -> str:
    """The script with its block written from `text.metadata` (uv's `serialize_metadata`)."""
    lines = ["# /// script\n"]
    for line in _rust_lines(text.metadata):
        lines.append(f"# {line}\n" if line else "#\n")
    lines.append("# ///\n")
    return text.prelude + "".join(lines) + text.postlude


def init_script_text(text: str, requires_python: str | None) -> ScriptText:
    """A new block for a script that has none (uv's `Pep723Script::init`): after the shebang,
    with `requires-python` (when given) and an empty `dependencies`; a script that starts with
    a comment line gets a blank line between it and the block."""
    if requires_python:
        metadata = f'requires-python = "{requires_python}"\ndependencies = []\n'
    else:
        metadata = "dependencies = []\n"
    shebang, rest = "", text
    if text.startswith("#!"):
        cut = len(text)
        for position, character in enumerate(text):
            if character in "\r\n":
                cut = position
                break
        width = 2 if text[cut : cut + 2] == "\r\n" else (1 if cut < len(text) else 0)
        shebang, rest = text[:cut] + "\n", text[cut + width :]
    if rest.startswith("#") and rest[1:2] in (" ", "\r", "\n"):
        rest = "\n" + rest
    return ScriptText(shebang, metadata, rest)
