"""The lines `puv pip sync|install|uninstall` print about what changed, as uv prints them.

` - name==1.0` for a removal, ` + name==2.0` for an install, ` ~ name==1.0` for a reinstall of
the same distribution, ` (from <url>)` after a direct URL install; sorted by name, removals before
installs. A dry run cannot know the version of a direct URL yet: it shows ` + name @ <url>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from puv.core.printer import Printer

_ORDER = {"-": 0, "+": 1, "~": 2}
_COLORS = {"-": "red", "+": "green", "~": "yellow"}


class Dist(NamedTuple):
    """A distribution as the report names it; `version` is None for a not yet fetched URL."""

    name: str
    version: str | None
    url: str | None = None

    def text(self) -> tuple[str, str]:
        """(name, rest): `("six", "==1.16.0")`, `("gamma", "==0.5 (from file:///...)")`."""
        if self.version is None:
            return self.name, f" @ {self.url}"
        suffix = f" (from {self.url})" if self.url else ""
        return self.name, f"=={self.version}{suffix}"


def change_lines(
    removed: Sequence[Dist], added: Sequence[Dist], *, dry_run: bool = False
) -> list[tuple[str, str, str]]:
    """(sign, name, rest) for every change, in uv's order; a reinstall of the same
    distribution is one ` ~ ` line (except in a dry run, which lists both sides)."""
    events: list[tuple[str, str, str]] = []
    remaining = list(removed)
    for dist in added:
        if not dry_run and dist in remaining:
            remaining.remove(dist)
            events.append(("~", *dist.text()))
        else:
            events.append(("+", *dist.text()))
    events.extend(("-", *dist.text()) for dist in remaining)
    events.sort(key=lambda event: (event[1], _ORDER[event[0]], event[2]))
    return events


def print_changes(printer: Printer, lines: Sequence[tuple[str, str, str]]) -> None:
    """Write the change lines on stderr (silent with `-q`)."""
    for sign, name, rest in lines:
        colored = printer.style(sign, _COLORS[sign])
        printer.status(f" {colored} {printer.bold(name)}{printer.style(rest, 'dim')}")
