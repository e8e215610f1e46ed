"""Running an operation: copies of the projects, scenario preparation, alternating timed runs."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from puvbench.operations import Fixture, Operation, PrepareError, Run
from puvbench.report import NO_PROJECT, Cell
from puvbench.stats import format_seconds, summarize
from puvbench.tools import InstalledTool, tool_environment

WARMUP_ROUNDS = 1


class CommandFailed(Exception):
    """A timed command exited non-zero; the message has the command and its last stderr lines."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What every run of an invocation shares."""

    root: Path
    projects_dir: Path
    python: Path
    exclude_newer: str
    runs: int


def select_tools(
    operation: Operation,
    requested: Sequence[str],
    installed: Mapping[str, InstalledTool],
    install_failures: Mapping[str, str],
    puv_probe: Callable[[tuple[str, ...]], str | None],
) -> tuple[list[str], list[tuple[str, str]]]:
    """The tools to measure for `operation`, in `requested` order, and (tool, reason) skips.

    A tool is skipped when the operation has no command for it, when it could not be installed,
    or (puv only) when `puv_probe(operation.puv_probe)` gives a reason.
    """
    measured: list[str] = []
    skipped: list[tuple[str, str]] = []
    for tool in requested:
        if tool not in operation.commands:
            skipped.append((tool, f"has no equivalent of `{operation.name}`"))
        elif tool in install_failures:
            skipped.append((tool, f"could not be installed: {install_failures[tool]}"))
        elif tool not in installed:
            skipped.append((tool, "not installed"))
        elif tool == "puv" and operation.puv_probe is not None:
            reason = puv_probe(operation.puv_probe)
            if reason is None:
                measured.append(tool)
            else:
                skipped.append((tool, reason))
        else:
            measured.append(tool)
    return measured, skipped


def time_command(argv: list[str], cwd: Path, env: Mapping[str, str]) -> float:
    """Wall time of one run of `argv`, in seconds; raise CommandFailed on a non-zero exit."""
    start = time.perf_counter()
    done = subprocess.run(
        argv,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise CommandFailed(f"`{' '.join(argv)}` exited {done.returncode}: {tail}")
    return elapsed


def spawn_floor(runs: int = 21) -> float:
    """Median time to start and reap `true` the way commands are timed: the harness overhead."""
    true = shutil.which("true") or "/bin/true"
    return statistics.median(time_command([true], Path.cwd(), os.environ) for _ in range(runs))


@dataclass(slots=True)
class _Lane:
    """One tool's state while an operation runs on one project."""

    tool: InstalledTool
    env: dict[str, str]
    home: Path
    project: Path | None
    seconds: list[float]
    blocked: str | None = None
    failure: str | None = None

    def run_for(self, scenario: str, scratch: Path, settings: Settings) -> Run:
        return Run(
            tool=self.tool.spec.name,
            scenario=scenario,
            bin_dir=self.tool.bin_dir,
            executable=self.tool.spec.executable,
            project=self.project,
            scratch=scratch,
            cache_home=self.home / "cache",
            env=self.env,
            python=settings.python,
            exclude_newer=settings.exclude_newer,
        )


def _fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _copy_project(source: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, symlinks=True)
    return target


def measure_operation(
    operation: Operation,
    tools: Sequence[InstalledTool],
    projects: Sequence[str],
    uv: InstalledTool,
    settings: Settings,
    log: Callable[[str], None],
) -> list[Cell]:
    """Time every (project, scenario, tool) cell of `operation`, tools alternating each round."""
    cells: list[Cell] = []
    for project in projects if operation.uses_project else [None]:
        cells += _measure_project(operation, tools, project, uv, settings, log)
    return cells


def _prepare_pristine(
    operation: Operation, project: str, uv: InstalledTool, settings: Settings
) -> tuple[Path, str | None]:
    """Copy the project once for this operation and run its fixture; return (copy, failure)."""
    pristine = settings.root / operation.name / "pristine" / project
    _copy_project(settings.projects_dir / project, pristine)
    if operation.fixture is None:
        return pristine, None
    uv_env = tool_environment(
        "uv", os.environ, settings.root / "home" / "uv", settings.python.parent
    )
    try:
        operation.fixture(Fixture(pristine, uv.program(), uv_env, settings.exclude_newer))
    except PrepareError as exc:
        return pristine, f"failed: fixture: {exc}"
    return pristine, None


def _make_lane(
    operation: Operation,
    tool: InstalledTool,
    pristine: Path | None,
    blocked: str | None,
    settings: Settings,
) -> _Lane:
    """The tool's own project copy and environment, with its one-time setup done."""
    name = tool.spec.name
    base = settings.root / operation.name
    home = settings.root / "home" / name
    (home / "cache").mkdir(parents=True, exist_ok=True)
    copy = None if pristine is None else _copy_project(pristine, base / name / pristine.name)
    env = tool_environment(name, os.environ, home, settings.python.parent)
    lane = _Lane(tool, env, home, copy, [], blocked)
    command = operation.commands[name]
    if lane.blocked is None:
        reason = command.unsupported(copy)
        lane.blocked = None if reason is None else f"n/a: {reason}"
    if lane.blocked is None:
        try:
            command.setup(lane.run_for("setup", _fresh_dir(base / "scratch" / name), settings))
        except PrepareError as exc:
            lane.blocked = f"failed: setup: {exc}"
    return lane


def _measure_project(
    operation: Operation,
    tools: Sequence[InstalledTool],
    project: str | None,
    uv: InstalledTool,
    settings: Settings,
    log: Callable[[str], None],
) -> list[Cell]:
    pristine, blocked = None, None
    if project is not None:
        pristine, blocked = _prepare_pristine(operation, project, uv, settings)
    lanes = [_make_lane(operation, tool, pristine, blocked, settings) for tool in tools]
    label = project or NO_PROJECT
    cells: list[Cell] = []
    for scenario in operation.scenarios:
        for lane in lanes:
            lane.seconds, lane.failure = [], lane.blocked
        _alternate(operation, lanes, scenario.name, settings.root / operation.name, settings)
        for lane in lanes:
            name = lane.tool.spec.name
            cells.append(Cell(label, scenario.name, name, tuple(lane.seconds), lane.failure))
            where = f"{operation.name} {label} {scenario.name} {name}"
            if lane.seconds:
                median = format_seconds(summarize(lane.seconds).median)
                log(f"{where}: median {median} over {len(lane.seconds)} runs")
            else:
                log(f"{where}: {lane.failure}")
    return cells


def _alternate(
    operation: Operation, lanes: Sequence[_Lane], scenario: str, base: Path, settings: Settings
) -> None:
    """Warm-up round(s), then `settings.runs` timed rounds; each round runs every tool once."""
    for round_number in range(WARMUP_ROUNDS + settings.runs):
        for lane in lanes:
            if lane.failure is not None:
                continue
            name = lane.tool.spec.name
            command = operation.commands[name]
            scratch = _fresh_dir(base / "scratch" / name)
            run = lane.run_for(scenario, scratch, settings)
            try:
                command.prepare(run)
                seconds = time_command(command.argv(run), run.cwd, lane.env)
            except PrepareError as exc:
                lane.failure, lane.seconds = f"failed: run {round_number}: preparing: {exc}", []
                continue
            except CommandFailed as exc:
                lane.failure, lane.seconds = f"failed: run {round_number}: {exc}", []
                continue
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            if round_number >= WARMUP_ROUNDS:
                lane.seconds.append(seconds)
