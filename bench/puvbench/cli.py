"""`python3 bench/run.py`: parse the options, install the tools, measure, write RESULTS.md."""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from puvbench import tools as toolbox
from puvbench.operations import OPERATIONS, PYTHON_REQUEST
from puvbench.report import Column, OperationResult, RunInfo, merge_results, render_section
from puvbench.runner import (
    WARMUP_ROUNDS,
    Settings,
    measure_operation,
    select_tools,
    spawn_floor,
)

PROJECTS = ("order-service", "platform", "workspace")
DEFAULT_RUNS = 10
# The index snapshot every tool resolves against (see shared/bench/README.md).
EXCLUDE_NEWER = "2026-11-15T00:00:00Z"
WORK_DIR = toolbox.BENCH_DIR / ".work"


@dataclass(frozen=True, slots=True)
class Options:
    """The parsed command line."""

    ops: tuple[str, ...]
    projects: tuple[str, ...]
    tools: tuple[str, ...]
    runs: int
    output: Path
    projects_dir: Path
    exclude_newer: str
    keep: bool
    install_only: bool
    profilers: bool
    puv_source: Path = toolbox.REPO


def _choices(known: Sequence[str], what: str) -> Callable[[str], tuple[str, ...]]:
    """An argparse type for a comma-separated list of names from `known` (duplicates dropped)."""

    def parse(text: str) -> tuple[str, ...]:
        names = tuple(name.strip() for name in text.split(",") if name.strip())
        unknown = [name for name in names if name not in known]
        if unknown or not names:
            bad = ", ".join(unknown) or "(empty)"
            raise argparse.ArgumentTypeError(
                f"unknown {what}: {bad} (choose from {', '.join(known)})"
            )
        return tuple(dict.fromkeys(names))

    return parse


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The harness's argument parser."""
    parser = argparse.ArgumentParser(
        prog="python3 bench/run.py",
        description="Time puv against uv, pip-tools and pdm and write bench/RESULTS.md.",
    )
    ops, tools = list(OPERATIONS), list(toolbox.TOOLS)
    parser.add_argument(
        "--ops",
        type=_choices(ops, "operation"),
        default=tuple(ops),
        help=f"comma-separated operations (default: all: {','.join(ops)})",
    )
    parser.add_argument(
        "--projects",
        type=_choices(PROJECTS, "project"),
        default=PROJECTS,
        help=f"comma-separated projects (default: {','.join(PROJECTS)})",
    )
    parser.add_argument(
        "--tools",
        type=_choices(tools, "tool"),
        default=tuple(tools),
        help=f"comma-separated tools, in run order (default: {','.join(tools)})",
    )
    parser.add_argument(
        "--runs",
        type=_positive,
        default=DEFAULT_RUNS,
        help=f"timed runs per tool and scenario (default: {DEFAULT_RUNS})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=toolbox.BENCH_DIR / "RESULTS.md",
        help="results file to update (default: bench/RESULTS.md)",
    )
    parser.add_argument(
        "--projects-dir",
        type=Path,
        default=toolbox.REPO.parent / "shared" / "bench",
        help="where the benchmark projects live (default: ../shared/bench)",
    )
    parser.add_argument(
        "--exclude-newer",
        default=EXCLUDE_NEWER,
        help=f"index cutoff passed to resolving commands (default: {EXCLUDE_NEWER})",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary work directory (project copies, caches)",
    )
    parser.add_argument(
        "--install-only", action="store_true", help="install the selected tools' venvs and stop"
    )
    parser.add_argument(
        "--profilers",
        action="store_true",
        help="install puv with pyinstrument and py-spy into bench/.work/tools/profile and stop",
    )
    parser.add_argument(
        "--puv-source",
        type=Path,
        default=toolbox.REPO,
        help="the puv source tree to measure (default: this repository), e.g. a snapshot "
        "taken with `git archive` while the work tree is being edited",
    )
    return parser  # fmt: skip


def parse_args(argv: Sequence[str]) -> Options:
    """Parse and validate the command line (usage errors exit 2, as argparse does)."""
    parser = build_parser()
    ns = parser.parse_args(list(argv))
    return Options(
        ops=ns.ops,
        projects=ns.projects,
        tools=ns.tools,
        runs=ns.runs,
        output=ns.output,
        projects_dir=ns.projects_dir,
        exclude_newer=ns.exclude_newer,
        keep=ns.keep,
        install_only=ns.install_only,
        profilers=ns.profilers,
        puv_source=ns.puv_source.absolute(),
    )


def command_line(argv: Sequence[str]) -> str:
    """The command as a user would type it again."""
    return shlex.join(["python3", "bench/run.py", *argv])


def tools_needed(options: Options) -> list[str]:
    """The requested tools that some selected operation uses, plus uv (the reference)."""
    used = {tool for op in options.ops for tool in OPERATIONS[op].commands}
    needed = [tool for tool in options.tools if tool in used]
    return needed if "uv" in needed else [*needed, "uv"]


def describe_machine(python: Path, python_version: str) -> str:
    """OS, CPU count and model, memory, and the Python versions in play."""
    cpus = _cpus()
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = ", " + line.split(":", 1)[1].strip()
                break
    memory = ""
    if hasattr(os, "sysconf") and "SC_PHYS_PAGES" in os.sysconf_names:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {total / 2**30:.0f} GiB RAM"
    return (
        f"{platform.system()} {platform.release()} {platform.machine()}, {cpus} CPUs (nproc)"
        f"{model}{memory}; harness on Python {platform.python_version()}; tool venvs and "
        f"benchmarks on Python {python_version} ({python})"
    )


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _load() -> str:
    """The 1-minute load average: other work on the machine inflates every time."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "unknown"


def _log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _install(
    options: Options, python: Path
) -> tuple[dict[str, toolbox.InstalledTool], dict[str, str]]:
    installed: dict[str, toolbox.InstalledTool] = {}
    failures: dict[str, str] = {}
    for name in tools_needed(options):
        _log(f"installing {name} ...")
        try:
            installed[name] = toolbox.install_tool(
                toolbox.TOOLS[name], WORK_DIR / "tools", python, options.puv_source
            )
        except toolbox.ToolError as exc:
            failures[name] = str(exc).splitlines()[0]
            _log(f"  {name} could not be installed: {exc}")
    return installed, failures


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks selected on the command line; return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    options = parse_args(arguments)
    try:
        python = toolbox.find_python(PYTHON_REQUEST)
        if options.profilers:
            venv = toolbox.install_profilers(WORK_DIR / "tools", python)
            _log(f"profilers installed: {venv}/bin (pyinstrument, py-spy, python -m puv)")
            return 0
        installed, failures = _install(options, python)
    except toolbox.ToolError as exc:
        _log(f"error: {exc}")
        return 1
    if options.install_only:
        return 0
    if "uv" not in installed:
        _log(f"error: uv, the reference, could not be installed: {failures.get('uv')}")
        return 1
    missing = [p for p in options.projects if not (options.projects_dir / p).is_dir()]
    if missing and any(OPERATIONS[op].uses_project for op in options.ops):
        _log(f"error: projects not found in {options.projects_dir}: {', '.join(missing)}")
        return 1
    root = Path(tempfile.mkdtemp(prefix="puv-bench-"))
    try:
        sections = _measure(options, arguments, installed, failures, python, root)
    finally:
        if options.keep:
            _log(f"work directory kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    existing = options.output.read_text(encoding="utf-8") if options.output.is_file() else None
    options.output.write_text(merge_results(existing, sections, list(OPERATIONS)), encoding="utf-8")
    _log(f"wrote {options.output}")
    return 0


def _measure(
    options: Options,
    arguments: list[str],
    installed: dict[str, toolbox.InstalledTool],
    failures: dict[str, str],
    python: Path,
    root: Path,
) -> dict[str, str]:
    settings = Settings(root, options.projects_dir, python, options.exclude_newer, options.runs)
    machine = describe_machine(python, toolbox.python_version(python))
    floor = spawn_floor()

    def probe(words: tuple[str, ...]) -> str | None:
        home = root / "home" / "puv"
        env = toolbox.tool_environment("puv", os.environ, home, python.parent)
        return toolbox.puv_supports(installed["puv"], words, env)

    sections: dict[str, str] = {}
    for name in options.ops:
        operation = OPERATIONS[name]
        measured, skipped = select_tools(operation, options.tools, installed, failures, probe)
        for tool, reason in skipped:
            _log(f"{name}: skipping {tool}: {reason}")
        tools = [installed[tool] for tool in measured]
        load_before = _load()
        cells = measure_operation(
            operation, tools, options.projects, installed["uv"], settings, _log
        )
        info = RunInfo(
            command=command_line(arguments),
            date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            machine=machine,
            tool_versions=tuple((t.spec.label, t.version) for t in tools),
            runs=options.runs,
            warmup_rounds=WARMUP_ROUNDS,
            floor_seconds=floor,
            load=f"{load_before} and {_load()} (on {_cpus()} CPUs)",
        )
        result = OperationResult(
            name=name,
            summary=operation.summary,
            scenarios=tuple((s.name, s.description) for s in operation.scenarios),
            columns=tuple(Column(t.spec.name, t.spec.label) for t in tools),
            cells=tuple(cells),
            skipped=tuple(skipped),
            targets=operation.targets,
            info=info,
        )
        sections[name] = render_section(result)
    return sections
