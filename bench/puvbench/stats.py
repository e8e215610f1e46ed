"""Summaries of timed runs: median, min, max, and the ratios between tools."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Summary:
    """Wall times of one (operation, project, scenario, tool) cell, in seconds."""

    median: float
    minimum: float
    maximum: float
    runs: int


def summarize(seconds: Sequence[float]) -> Summary:
    """Median, min and max of the timed runs; at least one run is required."""
    if not seconds:
        raise ValueError("no timed runs to summarize")
    return Summary(
        median=statistics.median(seconds),
        minimum=min(seconds),
        maximum=max(seconds),
        runs=len(seconds),
    )


def ratio(numerator: Summary, denominator: Summary) -> float:
    """How many times longer `numerator` takes than `denominator` (ratio of medians)."""
    if denominator.median <= 0:
        raise ValueError("the denominator's median must be positive")
    return numerator.median / denominator.median


def format_seconds(seconds: float) -> str:
    """A duration for a table: `3.2 ms`, `48.1 ms`, `245 ms`, `1.52 s`, `19.3 s`."""
    if seconds < 0.1:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 10:
        return f"{seconds:.2f} s"
    return f"{seconds:.1f} s"


def format_summary(summary: Summary) -> str:
    """`median (min–max)`, the unit written once when all three share it."""
    median, low, high = (
        format_seconds(x) for x in (summary.median, summary.minimum, summary.maximum)
    )
    unit = median.rsplit(" ", 1)[1]
    if low.endswith(" " + unit) and high.endswith(" " + unit):
        return f"{median} ({low.rsplit(' ', 1)[0]}–{high})"
    return f"{median} ({low}–{high})"


def format_ratio(value: float) -> str:
    """`2.41x`; two significant decimals below 10, one above."""
    return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"
