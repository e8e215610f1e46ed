"""`puv python find|list|pin|dir` (being written)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add `python` and its subcommands to the command tree."""
