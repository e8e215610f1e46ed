"""Rendering `bench/RESULTS.md`: one self-describing section per operation.

Each section carries the command line, date, machine and tool versions that produced it, so a
later run of a few operations replaces only their sections and keeps the others.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from puvbench.stats import format_ratio, format_seconds, format_summary, ratio, summarize

NO_PROJECT = "—"

HEADER = """\
# puv benchmark results

Produced by `bench/run.py` (see `bench/README.md`); do not edit by hand. Each section below says
which command produced it, when, on which machine, and with which tool versions.

How to read a table: each tool cell is the **median wall time (min–max)** of the timed runs;
`puv/X` is puv's median divided by X's median (below 1 means puv is faster). Runs alternate
between tools (puv, uv, ..., puv, uv, ...) after an untimed warm-up round, and each tool has its
own cache, config and data directories.
"""

_BEGIN = "<!-- bench:begin {name} -->"
_END = "<!-- bench:end {name} -->"
_SECTION = re.compile(
    r"<!-- bench:begin (?P<name>[\w.-]+) -->\n.*?<!-- bench:end (?P=name) -->\n", re.DOTALL
)


@dataclass(frozen=True, slots=True)
class Column:
    """A measured tool: its name in the harness and its label in tables."""

    tool: str
    label: str


@dataclass(frozen=True, slots=True)
class Cell:
    """The timed runs of one tool for one (project, scenario), or why there are none."""

    project: str
    scenario: str
    tool: str
    seconds: tuple[float, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What produced the numbers: command, date, machine, tool versions, run counts."""

    command: str
    date: str
    machine: str
    tool_versions: tuple[tuple[str, str], ...]
    runs: int
    warmup_rounds: int
    floor_seconds: float
    load: str


@dataclass(frozen=True, slots=True)
class Target:
    """What an issue requires: puv's median at most `ratio` times `tool`'s (below 1: puv that
    many times faster), in `scenarios` (empty: all of them)."""

    ratio: float
    tool: str = "uv"
    scenarios: tuple[str, ...] = ()

    def applies(self, scenario: str) -> bool:
        """Whether the target is about `scenario`."""
        return not self.scenarios or scenario in self.scenarios

    def wording(self) -> str:
        """`within 3x of uv's` / `at least 5x faster than pip-tools`."""
        if self.ratio >= 1:
            return f"within {self.ratio:g}x of {self.tool}'s"
        return f"at least {1 / self.ratio:g}x faster than {self.tool}"


@dataclass(frozen=True, slots=True)
class OperationResult:
    """Everything one operation's section shows."""

    name: str
    summary: str
    scenarios: tuple[tuple[str, str], ...]
    columns: tuple[Column, ...]
    cells: tuple[Cell, ...]
    skipped: tuple[tuple[str, str], ...]
    targets: tuple[Target, ...]
    info: RunInfo


def _rows(cells: Sequence[Cell]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for cell in cells:
        if (cell.project, cell.scenario) not in rows:
            rows.append((cell.project, cell.scenario))
    return rows


def _cell_text(cell: Cell | None) -> str:
    if cell is None:
        return ""
    if cell.seconds:
        return format_summary(summarize(cell.seconds))
    return "failed" if (cell.note or "").startswith("failed") else "n/a"


def _ratio_text(puv: Cell | None, other: Cell | None) -> str:
    if puv is None or other is None or not puv.seconds or not other.seconds:
        return ""
    return format_ratio(ratio(summarize(puv.seconds), summarize(other.seconds)))


def render_table(result: OperationResult) -> str:
    """The Markdown table: a row per (project, scenario), a column per tool and per ratio."""
    by_key = {(c.project, c.scenario, c.tool): c for c in result.cells}
    tools = [column.tool for column in result.columns]
    others = [column for column in result.columns if column.tool != "puv"]
    ratio_columns = others if "puv" in tools else []
    header = ["project", "scenario", *(c.label for c in result.columns)]
    header += [f"puv/{c.label}" for c in ratio_columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for project, scenario in _rows(result.cells):
        row = [project, scenario]
        row += [_cell_text(by_key.get((project, scenario, tool))) for tool in tools]
        puv = by_key.get((project, scenario, "puv"))
        row += [_ratio_text(puv, by_key.get((project, scenario, c.tool))) for c in ratio_columns]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def render_target(result: OperationResult) -> str | None:
    """Whether puv's median meets each required multiple of another tool's, row by row (one
    line per target); None when the operation has no target."""
    by_key = {(c.project, c.scenario, c.tool): c for c in result.cells}
    lines = []
    for target in result.targets:
        verdicts = []
        for project, scenario in _rows(result.cells):
            if not target.applies(scenario):
                continue
            puv = by_key.get((project, scenario, "puv"))
            other = by_key.get((project, scenario, target.tool))
            where = scenario if project == NO_PROJECT else f"{project}/{scenario}"
            if puv is None or other is None or not puv.seconds or not other.seconds:
                verdicts.append(f"{where}: not measured")
                continue
            value = ratio(summarize(puv.seconds), summarize(other.seconds))
            verdict = "met" if value <= target.ratio else "NOT met"
            verdicts.append(f"{where}: {format_ratio(value)}, {verdict}")
        if verdicts:
            lines.append(
                f"**Target**: puv's median {target.wording()} — " + "; ".join(verdicts) + "."
            )
    return "\n\n".join(lines) or None


def _cell_notes(result: OperationResult) -> list[str]:
    """Why cells are empty, one line per (tool, project, reason) with the scenarios it covers."""
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for cell in result.cells:
        if cell.note and not cell.seconds:
            grouped.setdefault((cell.tool, cell.project, cell.note), []).append(cell.scenario)
    every = [name for name, _ in result.scenarios]
    lines = []
    for (tool, project, note), scenarios in grouped.items():
        which = "all scenarios" if scenarios == every else ", ".join(scenarios)
        where = which if project == NO_PROJECT else f"{project} ({which})"
        lines.append(f"- {tool} on {where}: {note}")
    return lines


def render_section(result: OperationResult) -> str:
    """One operation's whole section, between the markers that `merge_results` looks for."""
    info = result.info
    versions = ", ".join(f"{label} {version}" for label, version in info.tool_versions)
    order = ", ".join(column.label for column in result.columns)
    parts = [
        _BEGIN.format(name=result.name),
        f"## {result.name}",
        "",
        result.summary,
        "",
        f"- command: `{info.command}`",
        f"- date: {info.date}",
        f"- machine: {info.machine}",
        f"- load average (1 min) before and after: {info.load}",
        f"- harness overhead: starting and reaping `true` takes {format_seconds(info.floor_seconds)}"
        " (included in every time below)",
        f"- tools: {versions}",
        f"- runs: {info.runs} timed per cell after {info.warmup_rounds} untimed warm-up round(s);"
        f" order in each round: {order}",
        "- scenarios: " + "; ".join(f"`{name}`: {text}" for name, text in result.scenarios),
        "",
        render_table(result),
    ]
    target = render_target(result)
    if target:
        parts += [target, ""]
    notes = _cell_notes(result)
    notes += [f"- {tool}: skipped — {reason}" for tool, reason in result.skipped]
    if notes:
        parts += ["Not measured:", "", *notes, ""]
    parts.append(_END.format(name=result.name))
    return "\n".join(parts) + "\n"


def split_sections(text: str) -> dict[str, str]:
    """The operation sections of an existing RESULTS.md, by operation name."""
    return {match["name"]: match.group(0) for match in _SECTION.finditer(text)}


def merge_results(existing: str | None, sections: Mapping[str, str], order: Sequence[str]) -> str:
    """RESULTS.md with `sections` replacing (or adding) theirs and the others kept.

    Sections come in `order` (the operation table's); sections of operations that are no longer
    in the table are kept at the end.
    """
    merged = split_sections(existing or "")
    merged.update(sections)
    names = [name for name in order if name in merged]
    names += sorted(name for name in merged if name not in order)
    return HEADER + "".join("\n" + merged[name] for name in names)
