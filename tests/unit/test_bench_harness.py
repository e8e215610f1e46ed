"""The benchmark harness's pure parts: options, statistics, tool selection, RESULTS.md rendering.

Nothing here runs a benchmark or times anything.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from puvbench import cli, fixtures, operations, report, runner, stats, tools

# --- options -------------------------------------------------------------------------------


def test_defaults_select_every_operation_project_and_tool() -> None:
    options = cli.parse_args([])
    assert options.ops == tuple(operations.OPERATIONS)
    assert options.projects == ("order-service", "platform", "workspace")
    assert options.tools == tuple(tools.TOOLS)
    assert options.runs == cli.DEFAULT_RUNS
    assert options.exclude_newer == "2026-11-15T00:00:00Z"
    assert options.output == tools.BENCH_DIR / "RESULTS.md"


def test_comma_lists_keep_order_and_drop_duplicates() -> None:
    options = cli.parse_args(["--ops", "venv,version,venv", "--tools", "uv, puv", "--runs", "15"])
    assert options.ops == ("venv", "version")
    assert options.tools == ("uv", "puv")
    assert options.runs == 15


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--ops", "version,frobnicate"], "unknown operation: frobnicate"),
        (["--tools", "poetry"], "unknown tool: poetry"),
        (["--projects", "nope"], "unknown project: nope"),
        (["--ops", ","], "unknown operation: (empty)"),
        (["--runs", "0"], "must be at least 1"),
        (["--runs", "many"], "not a number: 'many'"),
    ],
)
def test_bad_options_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_command_line_is_quoted_for_the_shell() -> None:
    line = cli.command_line(["--ops", "version,venv", "--output", "a b.md"])
    assert line == "python3 bench/run.py --ops version,venv --output 'a b.md'"


def test_uv_is_always_installed_and_unused_tools_are_not() -> None:
    options = cli.parse_args(["--ops", "venv", "--tools", "puv,pdm"])
    assert cli.tools_needed(options) == ["puv", "uv"]
    options = cli.parse_args(["--ops", "version", "--tools", "pdm,uv,stdlib"])
    assert cli.tools_needed(options) == ["pdm", "uv"]


# --- statistics ----------------------------------------------------------------------------


def test_summary_of_odd_and_even_run_counts() -> None:
    odd = stats.summarize([0.3, 0.1, 0.2])
    assert (odd.median, odd.minimum, odd.maximum, odd.runs) == (0.2, 0.1, 0.3, 3)
    assert stats.summarize([0.4, 0.1, 0.2, 0.3]).median == pytest.approx(0.25)
    with pytest.raises(ValueError, match="no timed runs"):
        stats.summarize([])


def test_ratio_is_of_medians() -> None:
    puv = stats.summarize([0.030, 0.031, 0.500])
    uv = stats.summarize([0.010, 0.001, 0.011])
    assert stats.ratio(puv, uv) == pytest.approx(3.1)
    with pytest.raises(ValueError):
        stats.ratio(puv, stats.Summary(0.0, 0.0, 0.0, 1))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0032, "3.2 ms"),
        (0.0481, "48.1 ms"),
        (0.245, "245 ms"),
        (1.523, "1.52 s"),
        (19.3, "19.3 s"),
    ],
)
def test_durations_are_formatted_for_tables(seconds: float, text: str) -> None:
    assert stats.format_seconds(seconds) == text


def test_summary_writes_a_shared_unit_once() -> None:
    assert (
        stats.format_summary(stats.summarize([0.0331, 0.033, 0.0369])) == "33.1 ms (33.0–36.9 ms)"
    )
    assert stats.format_summary(stats.summarize([1.5, 0.9, 12.0])) == "1.50 s (900 ms–12.0 s)"
    assert stats.format_ratio(2.414) == "2.41x"
    assert stats.format_ratio(16.06) == "16.1x"


# --- tools ---------------------------------------------------------------------------------


def _operation(
    commands: dict[str, operations.Command], probe: tuple[str, ...] | None = None
) -> operations.Operation:
    return operations.Operation(
        name="op",
        summary="an operation",
        scenarios=(operations.WARM,),
        commands=commands,
        puv_probe=probe,
    )


def _installed(name: str) -> tools.InstalledTool:
    return tools.InstalledTool(tools.TOOLS[name], Path("/nowhere/bin"), "1.0")


def test_select_tools_says_why_each_tool_is_skipped() -> None:
    command = operations.Command(lambda run: ["true"])
    op = _operation({"puv": command, "uv": command, "pdm": command}, probe=("lock",))
    installed = {name: _installed(name) for name in ("puv", "uv")}
    probed: list[tuple[str, ...]] = []

    def probe(words: tuple[str, ...]) -> str | None:
        probed.append(words)
        return "not implemented in puv yet (`puv lock --help` exits 2)"

    measured, skipped = runner.select_tools(
        op, ["puv", "uv", "pdm", "pip-tools"], installed, {"pdm": "pip failed"}, probe
    )
    assert measured == ["uv"]
    assert skipped == [
        ("puv", "not implemented in puv yet (`puv lock --help` exits 2)"),
        ("pdm", "could not be installed: pip failed"),
        ("pip-tools", "has no equivalent of `op`"),
    ]
    assert probed == [("lock",)]


def test_select_tools_measures_puv_when_its_command_exists() -> None:
    command = operations.Command(lambda run: ["true"])
    op = _operation({"puv": command, "uv": command}, probe=("venv",))
    installed = {name: _installed(name) for name in ("puv", "uv")}
    measured, skipped = runner.select_tools(op, ["uv", "puv"], installed, {}, lambda words: None)
    assert (measured, skipped) == (["uv", "puv"], [])


def test_tool_environment_isolates_settings_and_caches(tmp_path: Path) -> None:
    base = {
        "PATH": "/shims:/usr/bin:/py/bin",
        "UV_INDEX_URL": "http://elsewhere",
        "PUV_CACHE_DIR": "/shared",
        "PIP_FIND_LINKS": "/opt/wheels",
        "PIP_CERT": "/etc/ca.pem",
        "VIRTUAL_ENV": "/some/venv",
        "PYTHONPATH": "/src",
    }
    envs = {
        name: tools.tool_environment(name, base, tmp_path / name, Path("/py/bin"))
        for name in tools.TOOLS
    }
    uv = envs["uv"]
    assert uv["PATH"] == "/py/bin:/shims:/usr/bin"
    assert "UV_INDEX_URL" not in uv and "PUV_CACHE_DIR" not in uv and "VIRTUAL_ENV" not in uv
    assert "PYTHONPATH" not in uv
    assert uv["UV_PYTHON_DOWNLOADS"] == "never"
    assert envs["puv"]["UV_PYTHON_DOWNLOADS"] == "never"
    assert envs["pip-tools"]["PIP_CERT"] == "/etc/ca.pem"
    assert "PIP_FIND_LINKS" not in envs["pip-tools"]
    caches = [env["XDG_CACHE_HOME"] for env in envs.values()]
    assert len(set(caches)) == len(caches)
    assert uv["UV_CACHE_DIR"].startswith(uv["XDG_CACHE_HOME"])
    assert envs["puv"]["UV_CACHE_DIR"] != uv["UV_CACHE_DIR"]


def test_version_number_is_taken_from_version_answers() -> None:
    assert tools.version_number("pip-compile, version 7.6.2\n") == "7.6.2"
    assert tools.version_number("uv 0.13.9 (x86_64-unknown-linux-gnu)") == "0.13.9"
    assert tools.version_number("PDM, version 2.27.0") == "2.27.0"
    assert tools.version_number("puv 0.1.0.dev3+g1234") == "0.1.0.dev3+g1234"


def _shell(script: str) -> operations.Command:
    """A command whose argv is a shell script formatted with the run's tool and scenario."""
    return operations.Command(
        lambda run: ["sh", "-c", script.format(tool=run.tool, scenario=run.scenario)]
    )


def test_runs_alternate_between_tools_after_an_untimed_warm_up(tmp_path: Path) -> None:
    log = tmp_path / "order.log"
    command = _shell(f"echo {{tool}} {{scenario}} >> {log}")
    op = operations.Operation(
        name="echo",
        summary="echo",
        scenarios=(operations.COLD, operations.NOOP),
        commands={"puv": command, "uv": command},
        uses_project=False,
    )
    settings = runner.Settings(tmp_path / "root", tmp_path, Path(sys.executable), "2026", runs=3)
    chosen = [_installed("puv"), _installed("uv")]
    cells = runner.measure_operation(op, chosen, [], chosen[1], settings, lambda message: None)
    rounds = ["puv cold", "uv cold"] * 4 + ["puv no-op", "uv no-op"] * 4
    assert log.read_text().splitlines() == rounds
    assert [(c.project, c.scenario, c.tool, len(c.seconds), c.note) for c in cells] == [
        ("—", "cold", "puv", 3, None),
        ("—", "cold", "uv", 3, None),
        ("—", "no-op", "puv", 3, None),
        ("—", "no-op", "uv", 3, None),
    ]


def test_a_failing_tool_is_reported_and_the_others_go_on(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    failing = _shell(
        f"echo x >> {counter}; test $(wc -l < {counter}) -lt 3 || {{{{ echo boom >&2; exit 3; }}}}"
    )
    op = operations.Operation(
        name="flaky",
        summary="flaky",
        scenarios=(operations.WARM,),
        commands={"puv": failing, "uv": _shell("true")},
        uses_project=False,
    )
    settings = runner.Settings(tmp_path / "root", tmp_path, Path(sys.executable), "2026", runs=4)
    chosen = [_installed("puv"), _installed("uv")]
    puv, uv = runner.measure_operation(op, chosen, [], chosen[1], settings, lambda message: None)
    assert puv.seconds == ()
    assert puv.note is not None
    assert puv.note.startswith("failed: run 2: `sh -c")
    assert puv.note.endswith("exited 3: boom")
    assert len(uv.seconds) == 4
    assert counter.read_text().count("x") == 3


def test_each_tool_works_on_its_own_copy_of_the_project(tmp_path: Path) -> None:
    projects = tmp_path / "projects"
    (projects / "svc").mkdir(parents=True)
    (projects / "svc" / "pyproject.toml").write_text('[project]\nname = "svc"\n')

    def fixture(fixture: operations.Fixture) -> None:
        (fixture.project / "requirements.in").write_text("six\n")

    def no_uv(project: Path | None) -> str | None:
        return "refuses this project"

    writes = _shell("test -f requirements.in && echo {tool} >> owner.txt")
    op = operations.Operation(
        name="copies",
        summary="copies",
        scenarios=(operations.NOOP,),
        commands={"puv": writes, "uv": dataclasses.replace(writes, unsupported=no_uv)},
        fixture=fixture,
    )
    root = tmp_path / "root"
    settings = runner.Settings(root, projects, Path(sys.executable), "2026", runs=2)
    chosen = [_installed("puv"), _installed("uv")]
    puv, uv = runner.measure_operation(op, chosen, ["svc"], chosen[1], settings, lambda m: None)
    assert (puv.project, len(puv.seconds), puv.note) == ("svc", 2, None)
    assert (uv.seconds, uv.note) == ((), "n/a: refuses this project")
    assert (root / "copies" / "puv" / "svc" / "owner.txt").read_text() == "puv\n" * 3
    assert not (root / "copies" / "pristine" / "svc" / "owner.txt").exists()
    assert not (projects / "svc" / "requirements.in").exists()


# --- the operation table -------------------------------------------------------------------


def test_every_operation_compares_against_uv_with_known_tools() -> None:
    for op in operations.OPERATIONS.values():
        assert "uv" in op.commands, op.name
        assert set(op.commands) <= set(tools.TOOLS), op.name
        assert op.scenarios, op.name
        assert ("puv" in op.commands) == (op.puv_probe is not None or op.name == "version")
    assert operations.OPERATIONS["version"].targets == (report.Target(3.0),)
    assert operations.OPERATIONS["venv"].targets == (report.Target(3.0),)


def _run(tmp_path: Path, tool: str, scenario: str, project: Path | None = None) -> operations.Run:
    return operations.Run(
        tool=tool,
        scenario=scenario,
        bin_dir=Path("/opt") / tool / "bin",
        executable=tools.TOOLS[tool].executable,
        project=project,
        scratch=tmp_path / "scratch",
        cache_home=tmp_path / "cache",
        env={},
        python=Path("/py/bin/python3.11"),
        exclude_newer="2026-11-15T00:00:00Z",
    )


def test_resolving_commands_pass_the_index_cutoff(tmp_path: Path) -> None:
    lock = operations.OPERATIONS["lock"]
    for tool in ("puv", "uv", "pdm"):
        argv = lock.commands[tool].argv(_run(tmp_path, tool, "cold", tmp_path))
        assert argv[0] == f"/opt/{tool}/bin/{tools.TOOLS[tool].executable}"
        assert argv[1:] == ["lock", "--exclude-newer", "2026-11-15T00:00:00Z"]
    compile_ = operations.OPERATIONS["pip-compile"].commands["pip-tools"]
    argv = compile_.argv(_run(tmp_path, "pip-tools", "cold", tmp_path))
    assert "--uploaded-prior-to=2026-11-15T00:00:00Z" in argv


def test_venv_targets_a_fresh_directory_with_the_requested_python(tmp_path: Path) -> None:
    venv = operations.OPERATIONS["venv"]
    run = _run(tmp_path, "uv", "warm")
    assert venv.commands["uv"].argv(run) == [
        "/opt/uv/bin/uv", "venv", "-p", "3.11", str(tmp_path / "scratch" / "venv")
    ]  # fmt: skip
    stdlib = venv.commands["stdlib"].argv(_run(tmp_path, "stdlib", "warm"))
    assert stdlib == ["/py/bin/python3.11", "-m", "venv", "--without-pip", str(tmp_path / "scratch" / "venv")]  # fmt: skip


@pytest.mark.parametrize(
    ("scenario", "cache_kept", "lock_kept"),
    [("cold", False, False), ("warm", True, False), ("no-op", True, True)],
)
def test_scenarios_prepare_cache_and_outputs(
    tmp_path: Path, scenario: str, cache_kept: bool, lock_kept: bool
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "uv.lock").write_text("version = 1\n")
    (tmp_path / "cache" / "uv").mkdir(parents=True)
    (tmp_path / "cache" / "uv" / "entry").write_text("x")
    operations.OPERATIONS["lock"].commands["uv"].prepare(_run(tmp_path, "uv", scenario, project))
    assert (tmp_path / "cache" / "uv" / "entry").exists() == cache_kept
    assert (tmp_path / "cache").is_dir()
    assert (project / "uv.lock").exists() == lock_kept
    assert (project / "pyproject.toml").exists() is False


def _logging_tool(tmp_path: Path, tool: str) -> Path:
    """A bin directory whose `tool` appends its arguments to `calls.log` in the project."""
    bin_dir = tmp_path / tool / "bin"
    bin_dir.mkdir(parents=True)
    program = bin_dir / tools.TOOLS[tool].executable
    program.write_text('#!/bin/sh\necho "$*" >> calls.log\n')
    program.chmod(0o755)
    return bin_dir


@pytest.mark.parametrize(("tool", "lock_file"), [("uv", "uv.lock"), ("pdm", "pdm.lock")])
def test_add_starts_every_run_from_the_locked_and_synced_project(
    tmp_path: Path, tool: str, lock_file: str
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("dependencies = []\n")
    (project / lock_file).write_text("locked\n")
    run = dataclasses.replace(
        _run(tmp_path, tool, "warm", project), bin_dir=_logging_tool(tmp_path, tool)
    )
    command = operations.OPERATIONS["add"].commands[tool]
    command.setup(run)
    (project / "pyproject.toml").write_text(f'dependencies = ["{operations.ADDED}"]\n')
    (project / lock_file).write_text("locked, with the added package\n")
    command.prepare(run)
    assert (project / "pyproject.toml").read_text() == "dependencies = []\n"
    assert (project / lock_file).read_text() == "locked\n"
    cutoff = "--exclude-newer 2026-11-15T00:00:00Z"
    sync = "sync --clean" if tool == "pdm" else f"sync --python 3.11 {cutoff}"
    assert (project / "calls.log").read_text().splitlines() == [f"lock {cutoff}", sync, sync]
    added = command.argv(run)[1:]
    assert added == (["add", "tomli-w"] if tool == "pdm" else ["add", "tomli-w", *cutoff.split()])


def test_add_fails_to_prepare_without_the_saved_state(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    run = _run(tmp_path, "uv", "warm", project)
    with pytest.raises(operations.PrepareError, match=r"no saved copy of `pyproject\.toml`"):
        operations.OPERATIONS["add"].commands["uv"].prepare(run)


def test_issue_targets_are_declared_per_scenario() -> None:
    lock, sync, add = (operations.OPERATIONS[name] for name in ("lock", "sync", "add"))
    assert [t.wording() for t in lock.targets] == [
        "within 3x of uv's", "within 2x of uv's", "at least 10x faster than pdm"
    ]  # fmt: skip
    assert [t.scenarios for t in lock.targets] == [("no-op",), ("cold",), ("cold", "no-op")]
    assert [(t.ratio, t.tool, t.scenarios) for t in sync.targets] == [
        (3.0, "uv", ("no-op",)), (2.5, "uv", ("warm",)), (0.1, "pdm", ("warm", "no-op"))
    ]  # fmt: skip
    assert [(t.ratio, t.tool) for t in add.targets] == [(3.0, "uv"), (0.1, "pdm")]
    assert [s.name for s in add.scenarios] == ["warm"]


def test_the_readme_table_has_a_row_per_operation_in_order() -> None:
    readme = (tools.BENCH_DIR / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Operations and scenarios", 1)[1].split("\n\n")[2]
    rows = [line.split("|")[1].strip().strip("`") for line in table.splitlines()[2:]]
    assert rows == list(operations.OPERATIONS)


# --- fixtures ------------------------------------------------------------------------------


def test_requirements_in_gathers_a_workspace_without_its_members(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "root"\nversion = "0"\ndependencies = ["api", "Requests>=2"]\n'
        '[tool.uv.workspace]\nmembers = ["apps/*"]\n'
        '[dependency-groups]\ndev = ["pytest>=8", {include-group = "lint"}]\nlint = ["ruff"]\n'
    )
    api = tmp_path / "apps" / "api"
    api.mkdir(parents=True)
    (api / "pyproject.toml").write_text(
        '[project]\nname = "API"\nversion = "0"\ndependencies = ["fastapi>=0.115", "root", '
        '"requests>=2", "Requests>=2"]\n'
    )
    path = fixtures.write_requirements_in(tmp_path)
    assert path.read_text() == "Requests>=2\npytest>=8\nruff\nfastapi>=0.115\nrequests>=2\n"
    assert fixtures.is_uv_workspace(tmp_path)


def test_a_plain_project_is_not_a_uv_workspace(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "svc"\ndependencies = []\n')
    assert not fixtures.is_uv_workspace(tmp_path)
    with pytest.raises(ValueError, match="not a requirement"):
        fixtures.requirement_name("  ")


# --- RESULTS.md ----------------------------------------------------------------------------


def _result(
    name: str = "venv", cells: tuple[report.Cell, ...] | None = None
) -> report.OperationResult:
    info = report.RunInfo(
        command="python3 bench/run.py --ops venv --runs 3",
        date="2026-11-22 12:00 UTC",
        machine="Linux x86_64, 2 CPUs (nproc)",
        tool_versions=(("puv", "0.1.0 (git abc1234)"), ("uv", "0.13.9")),
        runs=3,
        warmup_rounds=1,
        floor_seconds=0.001,
        load="0.50 and 0.70 (on 2 CPUs)",
    )
    default = (
        report.Cell("—", "warm", "puv", (0.040, 0.030, 0.035)),
        report.Cell("—", "warm", "uv", (0.010, 0.012, 0.011)),
        report.Cell("—", "warm", "stdlib", (0.050, 0.052, 0.051)),
    )
    return report.OperationResult(
        name=name,
        summary="`puv venv` vs `uv venv`.",
        scenarios=(("warm", "interpreter cache warm"),),
        columns=(
            report.Column("puv", "puv"),
            report.Column("uv", "uv"),
            report.Column("stdlib", "python -m venv"),
        ),
        cells=default if cells is None else cells,
        skipped=(("pdm", "has no equivalent of `venv`"),),
        targets=(report.Target(3.0),),
        info=info,
    )


def test_table_has_medians_ranges_and_puv_ratios() -> None:
    table = report.render_table(_result())
    assert table.splitlines() == [
        "| project | scenario | puv | uv | python -m venv | puv/uv | puv/python -m venv |",
        "|---|---|---|---|---|---|---|",
        "| — | warm | 35.0 ms (30.0–40.0 ms) | 11.0 ms (10.0–12.0 ms) | 51.0 ms (50.0–52.0 ms) "
        "| 3.18x | 0.69x |",
    ]


def test_section_records_its_provenance_target_and_skips() -> None:
    section = report.render_section(_result())
    assert section.startswith("<!-- bench:begin venv -->\n## venv\n")
    assert section.endswith("<!-- bench:end venv -->\n")
    assert "- command: `python3 bench/run.py --ops venv --runs 3`" in section
    assert "- date: 2026-11-22 12:00 UTC" in section
    assert "- machine: Linux x86_64, 2 CPUs (nproc)" in section
    assert "- load average (1 min) before and after: 0.50 and 0.70 (on 2 CPUs)" in section
    assert "- tools: puv 0.1.0 (git abc1234), uv 0.13.9" in section
    assert "order in each round: puv, uv, python -m venv" in section
    assert "within 3x of uv's — warm: 3.18x, NOT met." in section
    assert "- pdm: skipped — has no equivalent of `venv`" in section


def test_failed_and_unsupported_cells_are_explained_not_timed() -> None:
    cells = (
        report.Cell("workspace", "cold", "puv", (0.5,)),
        report.Cell("workspace", "cold", "uv", (), "failed: run 0: `uv lock` exited 2: boom"),
        report.Cell("workspace", "cold", "stdlib", (), "n/a: does not understand uv workspaces"),
    )
    section = report.render_section(_result("lock", cells))
    row = next(line for line in section.splitlines() if line.startswith("| workspace"))
    assert row == "| workspace | cold | 500 ms (500–500 ms) | failed | n/a |  |  |"
    assert "workspace/cold: not measured" in section
    assert "- uv on workspace (cold): failed: run 0: `uv lock` exited 2: boom" in section


def test_a_reason_shared_by_all_scenarios_is_written_once() -> None:
    cells = tuple(
        report.Cell(project, scenario, "pdm", (), "n/a: does not understand uv workspaces")
        for project in ("workspace", "platform")
        for scenario in ("cold", "warm")
    )
    result = _result("lock", cells)
    result = dataclasses.replace(result, scenarios=(("cold", "c"), ("warm", "w"), ("no-op", "n")))
    notes = [line for line in report.render_section(result).splitlines() if "pdm on" in line]
    assert notes == [
        "- pdm on workspace (cold, warm): n/a: does not understand uv workspaces",
        "- pdm on platform (cold, warm): n/a: does not understand uv workspaces",
    ]
    result = dataclasses.replace(result, scenarios=(("cold", "c"), ("warm", "w")))
    notes = [line for line in report.render_section(result).splitlines() if "pdm on" in line]
    assert notes[0] == "- pdm on workspace (all scenarios): n/a: does not understand uv workspaces"


def test_target_is_met_when_puv_is_within_the_multiple() -> None:
    cells = (
        report.Cell("—", "warm", "puv", (0.029,)),
        report.Cell("—", "warm", "uv", (0.010,)),
    )
    assert report.render_target(_result(cells=cells)) == (
        "**Target**: puv's median within 3x of uv's — warm: 2.90x, met."
    )


def test_merge_replaces_measured_sections_and_keeps_the_others() -> None:
    old_venv = report.render_section(_result("venv"))
    old_version = report.render_section(_result("version"))
    retired = report.render_section(_result("retired-op"))
    existing = report.merge_results(None, {"venv": old_venv, "retired-op": retired}, ["venv"])
    assert existing.startswith(report.HEADER)
    new_version = old_version.replace("2026-11-22 12:00", "2026-11-23 09:00")
    merged = report.merge_results(existing, {"version": new_version}, ["version", "venv"])
    sections = report.split_sections(merged)
    assert list(sections) == ["version", "venv", "retired-op"]
    assert sections["version"] == new_version
    assert sections["venv"] == old_venv
    assert merged.count(report.HEADER) == 1
    assert report.merge_results(merged, {}, ["version", "venv"]) == merged


def test_targets_per_scenario_and_against_other_tools() -> None:
    cells = tuple(
        report.Cell("platform", scenario, tool, (seconds,))
        for scenario, times in {"cold": (1.9, 1.0, 9.0), "warm": (3.3, 1.0, 20.0)}.items()
        for tool, seconds in zip(("puv", "uv", "pip-tools"), times, strict=True)
    )
    targets = (
        report.Target(2.0, "uv", ("cold",)),
        report.Target(3.0, "uv", ("warm",)),
        report.Target(0.2, "pip-tools"),
    )
    result = dataclasses.replace(_result("pip-compile", cells), targets=targets)
    assert report.render_target(result) == (
        "**Target**: puv's median within 2x of uv's — platform/cold: 1.90x, met.\n\n"
        "**Target**: puv's median within 3x of uv's — platform/warm: 3.30x, NOT met.\n\n"
        "**Target**: puv's median at least 5x faster than pip-tools — "
        "platform/cold: 0.21x, NOT met; platform/warm: 0.16x, met."
    )
    assert report.render_target(dataclasses.replace(result, targets=())) is None
