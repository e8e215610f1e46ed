"""Progress bars for long steps, shown only on a terminal.

`preparing_bar` is the bar of `Preparing packages...` while wheels download and unpack. It exists
only when the printer's stderr is a TTY, progress is on (no `--no-progress`) and output is not
quiet; otherwise it is None and `rich` is never imported, so redirected output stays exactly the
plain status lines. The bar is transient: it is erased when closed, before the `Prepared ...`
line is printed.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from puv.core.printer import Printer

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


def shows_progress(printer: Printer) -> bool:
    """Whether bars may be drawn: progress on, not quiet, and stderr a terminal."""
    if not printer.progress or printer.quiet:
        return False
    isatty = getattr(printer.err, "isatty", None)
    return bool(isatty is not None and isatty())


class PreparingBar:
    """`Preparing packages... ━━━━━━╸━━━━ 3/8` on stderr; `advance` may be called from any thread
    (downloads finish on the HTTP client's pool)."""

    def __init__(self, printer: Printer, total: int, done: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        console = Console(file=printer.err, no_color=not printer.color, highlight=False)
        self._progress: Progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID = self._progress.add_task(
            "Preparing packages...", total=total, completed=done
        )
        self._lock = threading.Lock()
        self._closed = False
        self._progress.start()

    def advance(self) -> None:
        """One more package is ready."""
        self._progress.advance(self._task)

    def close(self) -> None:
        """Erase the bar (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._progress.stop()


def preparing_bar(printer: Printer, total: int, *, done: int = 0) -> PreparingBar | None:
    """A bar for `Preparing packages...` (`done` of `total` ready), or None when no bar may be
    drawn."""
    return PreparingBar(printer, total, done) if shows_progress(printer) else None
