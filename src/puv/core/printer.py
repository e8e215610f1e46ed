"""All user-facing output goes through a Printer: status on stderr, machine output on stdout.

The printer knows the verbosity (`-q`, `-v`) and whether to color; it is built once per command
and injected, so no module writes to the terminal on its own.
"""

from __future__ import annotations

import sys
import time

# No `typing` or `dataclasses` at run time: the printer is built at every start (DESIGN.md §4).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO

_CODES = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36", "dim": "2"}


def want_color(choice: str, stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Decide color as uv does: `--color` wins, then `NO_COLOR`, then `FORCE_COLOR`, then a TTY."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR") or environ.get("CLICOLOR_FORCE"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)()) and environ.get("TERM") != "dumb"


class Printer:
    """Writes status lines (stderr) and results (stdout) according to verbosity and color.

    `out` and `err` default to the process's stdout and stderr at construction.
    """

    __slots__ = ("color", "err", "out", "progress", "quiet", "verbose")

    def __init__(
        self,
        quiet: int = 0,
        verbose: int = 0,
        color: bool = False,
        progress: bool = True,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.color = color
        self.progress = progress
        self.out: TextIO = sys.stdout if out is None else out
        self.err: TextIO = sys.stderr if err is None else err

    def style(self, text: str, color: str, bold: bool = False) -> str:
        """Wrap `text` in ANSI codes when color is on."""
        if not self.color:
            return text
        code = _CODES[color] + (";1" if bold else "")
        return f"\x1b[{code}m{text}\x1b[0m"

    def bold(self, text: str) -> str:
        """Bold `text` when color is on."""
        return f"\x1b[1m{text}\x1b[0m" if self.color else text

    def status(self, line: str) -> None:
        """A status line on stderr (`Resolved 3 packages in 2ms`); silent with `-q`."""
        if self.quiet == 0:
            self.err.write(line + "\n")
            self.err.flush()

    def warn(self, message: str) -> None:
        """`warning: ...` on stderr; silent with `-q`."""
        if self.quiet == 0:
            self.err.write(
                f"{self.style('warning', 'yellow', bold=True)}{self.bold(':')} {message}\n"
            )
            self.err.flush()

    def debug(self, line: str) -> None:
        """A line shown only with `-v`."""
        if self.verbose > 0 and self.quiet == 0:
            self.err.write(f"{self.style('DEBUG', 'blue')} {line}\n")

    def result(self, text: str) -> None:
        """Machine-readable output on stdout (paths, exports); silenced only by `-qq`."""
        if self.quiet < 2:
            self.out.write(text if text.endswith("\n") else text + "\n")
            self.out.flush()

    def error(self, message: str, causes: tuple[str, ...] = (), hint: str | None = None) -> None:
        """Render an error with its causes and hint, as uv does. Always shown, even with `-q`."""
        lines = [f"{self.style('error', 'red', bold=True)}{self.bold(':')} {message}"]
        for cause in causes:
            label = f"  {self.style('cause', 'red', bold=True)}{self.bold(':')} "
            first, *rest = cause.split("\n")
            lines.append(label + first)
            lines.extend((" " * 9 + line) if line.strip() else "" for line in rest)
        if hint:
            lines.append("")
            lines.append(f"{self.style('hint', 'cyan', bold=True)}{self.bold(':')} {hint}")
        self.err.write("\n".join(lines) + "\n")
        self.err.flush()


def format_duration(seconds: float) -> str:
    """Format an elapsed time as uv does: `1m 05s`, `1.19s`, `236ms`, `0.32ms`."""
    total_ns = int(seconds * 1e9)
    secs, sub_ns = divmod(total_ns, 1_000_000_000)
    if secs >= 60:
        return f"{secs // 60}m {secs % 60:02d}s"
    if secs > 0:
        return f"{secs}.{sub_ns // 10_000_000:02d}s"
    ms = sub_ns // 1_000_000
    if ms > 0:
        return f"{ms}ms"
    return f"0.{sub_ns // 10_000:02d}ms"


def plural(count: int, word: str) -> str:
    """`1 package`, `3 packages`."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def counted(verb: str, count: int | None, elapsed: str) -> str:
    """`Resolved 3 packages in 2ms`; `Resolved in 2ms` for none (a count of 0 or None)."""
    if not count:
        return f"{verb} in {elapsed}"
    return f"{verb} {plural(count, 'package')} in {elapsed}"


def since(start: float) -> str:
    """The time since `start` (a `time.perf_counter()` reading), as uv shows durations."""
    return format_duration(time.perf_counter() - start)
