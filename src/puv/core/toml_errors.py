"""The `toml` crate's error display (`TOML parse error at line L, column C` + caret block). Pure.

Shared by every layer that reports a bad TOML file (project files, uv.lock).
"""

from __future__ import annotations

import re

__all__ = ["render_toml_error", "tomllib_error_span"]

_TOMLLIB_POSITION = re.compile(
    r"^(?P<message>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$"
)


def render_toml_error(text: str, span: tuple[int, int] | None, message: str) -> str:
    """The `toml` crate's error display for `message` at the character span `span` of `text`.

    Lines and columns are 1-based; the column counts characters and the carets count bytes, as in
    the `toml` crate. The block ends with a newline.
    """
    if span is None:
        return message + "\n"
    data = text.encode("utf-8")
    start = len(text[: span[0]].encode("utf-8"))
    length = len(text[span[0] : span[1]].encode("utf-8"))
    line, column = _translate_position(data, start)
    line_num = line + 1
    gutter = " " * (len(str(line_num)) + 1)
    lines = data.split(b"\n")
    content_bytes = lines[line] if line < len(lines) else b""
    content = content_bytes.decode("utf-8", errors="replace")
    highlight = min(length, max(0, len(content_bytes) - column))
    return (
        f"TOML parse error at line {line_num}, column {column + 1}\n"
        f"{gutter}|\n"
        f"{line_num} | {content}\n"
        f"{gutter}|{' ' * (column + 1)}{'^' * max(1, highlight)}\n"
        f"{message}\n"
    )


def tomllib_error_span(text: str, error_message: str) -> tuple[str, tuple[int, int] | None]:
    """Split a `tomllib.TOMLDecodeError` message into its text and the one-character span it
    names (`(at line L, column C)` or `(at end of document)`); the span is None when absent."""
    match = _TOMLLIB_POSITION.match(error_message)
    if match is None:
        return error_message, None
    if match["line"] is None:
        index = len(text)
    else:
        lines = text.split("\n")
        index = sum(len(x) + 1 for x in lines[: int(match["line"]) - 1]) + int(match["col"]) - 1
    return match["message"], (index, index + 1)


def _translate_position(data: bytes, index: int) -> tuple[int, int]:
    """Line and column (0-based) of byte `index`, computed exactly as the `toml` crate does."""
    if not data:
        return 0, index
    safe = min(index, len(data) - 1)
    offset = index - safe
    line_start = data.rfind(b"\n", 0, safe) + 1
    line = data.count(b"\n", 0, line_start)
    try:
        column = len(data[line_start : safe + 1].decode("utf-8")) - 1
    except UnicodeDecodeError:
        column = safe - line_start
    return line, column + offset
