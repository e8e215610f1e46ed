"""The operation table: what each tool runs for an operation and how each scenario is prepared.

Adding an operation is adding one `Operation` to `OPERATIONS` (see bench/README.md).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from puvbench import fixtures
from puvbench.report import Target

PYTHON_REQUEST = "3.11"


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named starting state (cold cache, warm cache, no-op...) and what it means."""

    name: str
    description: str


class PrepareError(Exception):
    """An untimed preparation step failed; the message says which command and why."""


@dataclass(frozen=True, slots=True)
class Run:
    """Everything a command or a preparation step needs for one run of one tool.

    `project` is this tool's own copy of the project (None for operations without one),
    `scratch` an empty directory made fresh for this run, `cache_home` the directory holding all
    of this tool's caches, `python` the interpreter the benchmarks target.
    """

    tool: str
    scenario: str
    bin_dir: Path
    executable: str
    project: Path | None
    scratch: Path
    cache_home: Path
    env: Mapping[str, str]
    python: Path
    exclude_newer: str
    fixture_input: Path | None = None

    def program(self, name: str | None = None) -> str:
        """The path of `name` (default: the tool's main executable)."""
        return str(self.bin_dir / (name or self.executable))

    @property
    def cwd(self) -> Path:
        """Where commands run: the project copy, or the scratch directory."""
        return self.project or self.scratch

    def clear_cache(self) -> None:
        """Empty every cache of this tool."""
        shutil.rmtree(self.cache_home, ignore_errors=True)
        self.cache_home.mkdir(parents=True)

    def remove(self, *names: str) -> None:
        """Delete files or directories (relative to the project copy) if they exist."""
        for name in names:
            path = self.cwd / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)

    def call(self, argv: list[str]) -> None:
        """Run an untimed helper command in the project copy; raise PrepareError if it fails."""
        done = subprocess.run(
            argv, cwd=self.cwd, env=dict(self.env), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            tail = " | ".join(done.stderr.strip().splitlines()[-3:])
            raise PrepareError(f"`{' '.join(argv)}` exited {done.returncode}: {tail}")


@dataclass(frozen=True, slots=True)
class Fixture:
    """What an operation's fixture step gets: the pristine project copy and the uv reference."""

    project: Path
    uv: str
    env: Mapping[str, str]
    exclude_newer: str


def _nothing(run: Run) -> None:
    """No preparation."""


def _supported(project: Path | None) -> str | None:
    return None


@dataclass(frozen=True, slots=True)
class Command:
    """How one tool performs an operation.

    `argv` builds the timed command; `prepare` sets up the scenario's state before each run
    (untimed); `setup` runs once per project copy before any run; `unsupported` returns why
    a project cannot be run by this tool, or None.
    """

    argv: Callable[[Run], list[str]]
    prepare: Callable[[Run], None] = _nothing
    setup: Callable[[Run], None] = _nothing
    unsupported: Callable[[Path | None], str | None] = _supported


@dataclass(frozen=True, slots=True)
class Operation:
    """One benchmarked operation.

    `commands` maps tool names to their `Command` (a tool absent from it has no equivalent);
    `puv_probe` is the puv subcommand whose `--help` must exit 0 for puv to be measured;
    `targets` what an issue requires of puv's median against other tools' (per scenario);
    `fixture` prepares the pristine project once before it is copied for each tool.
    """

    name: str
    summary: str
    scenarios: tuple[Scenario, ...]
    commands: Mapping[str, Command]
    uses_project: bool = True
    puv_probe: tuple[str, ...] | None = None
    targets: tuple[Target, ...] = ()
    fixture: Callable[[Fixture], None] | None = None


COLD = Scenario("cold", "every cache of the tool emptied before each run, previous output removed")
WARM = Scenario("warm", "caches filled by the warm-up round, previous output removed")
NOOP = Scenario("no-op", "the previous run's output left in place: nothing should need doing")
STARTUP = Scenario("warm", "nothing to prepare; OS caches warm from the warm-up round")
VENV_WARM = Scenario(
    "warm", "interpreter info cached by the warm-up round; a new target directory each run"
)


def _unsupported_uv_workspace(project: Path | None) -> str | None:
    if project is not None and fixtures.is_uv_workspace(project):
        return "does not understand uv workspaces (`[tool.uv.workspace]`)"
    return None


def _cache_and_outputs(*outputs: str) -> Callable[[Run], None]:
    """Prepare cold (clear cache, remove outputs), warm (remove outputs), no-op (nothing)."""

    def prepare(run: Run) -> None:
        if run.scenario == COLD.name:
            run.clear_cache()
        if run.scenario in (COLD.name, WARM.name):
            run.remove(*outputs)

    return prepare


def _command(*words: str) -> Callable[[Run], list[str]]:
    """The tool's main executable followed by `words`."""

    def argv(run: Run) -> list[str]:
        return [run.program(), *words]

    return argv


def _resolving(*words: str) -> Callable[[Run], list[str]]:
    """Like `_command`, plus `--exclude-newer DATE` so every tool sees the same index."""

    def argv(run: Run) -> list[str]:
        return [run.program(), *words, "--exclude-newer", run.exclude_newer]

    return argv


def _both_uv(command: Command) -> dict[str, Command]:
    """The same command for puv and uv: puv accepts uv's command line."""
    return {"puv": command, "uv": command}


# --- version -------------------------------------------------------------------------------

_VERSION = Operation(
    name="version",
    summary="`puv --version` vs `uv --version` (and the Python tools' `--version`): start-up cost.",
    scenarios=(STARTUP,),
    uses_project=False,
    targets=(Target(3.0),),
    commands={tool: Command(_command("--version")) for tool in ("puv", "uv", "pip-tools", "pdm")},
)

# --- venv ----------------------------------------------------------------------------------


def _venv_target(run: Run) -> str:
    return str(run.scratch / "venv")


_VENV = Operation(
    name="venv",
    summary=(
        f"`puv venv -p {PYTHON_REQUEST} DIR` vs `uv venv -p {PYTHON_REQUEST} DIR` in a fresh "
        f"directory with a warm interpreter cache; `python{PYTHON_REQUEST} -m venv --without-pip "
        "DIR` for reference."
    ),
    scenarios=(VENV_WARM,),
    uses_project=False,
    puv_probe=("venv",),
    targets=(Target(3.0),),
    commands={
        **_both_uv(
            Command(lambda run: [run.program(), "venv", "-p", PYTHON_REQUEST, _venv_target(run)])
        ),
        "stdlib": Command(
            lambda run: [str(run.python), "-m", "venv", "--without-pip", _venv_target(run)]
        ),
    },
)

# --- lock ----------------------------------------------------------------------------------

_LOCK = Operation(
    name="lock",
    summary="`puv lock` vs `uv lock` vs `pdm lock`, all with `--exclude-newer`.",
    scenarios=(COLD, WARM, NOOP),
    puv_probe=("lock",),
    # issue 5: nothing changed within 3x of uv, cold within 2x, at least 10x faster than pdm on both
    targets=(
        Target(3.0, "uv", ("no-op",)),
        Target(2.0, "uv", ("cold",)),
        Target(0.1, "pdm", ("cold", "no-op")),
    ),
    commands={
        **_both_uv(Command(_resolving("lock"), prepare=_cache_and_outputs("uv.lock"))),
        "pdm": Command(
            _resolving("lock"),
            prepare=_cache_and_outputs("pdm.lock"),
            unsupported=_unsupported_uv_workspace,
        ),
    },
)

# --- sync ----------------------------------------------------------------------------------


def _calls(*argvs: Callable[[Run], list[str]]) -> Callable[[Run], None]:
    """A preparation that runs each `argv` (e.g. the tool's own lock, then its sync) untimed."""

    def prepare(run: Run) -> None:
        for argv in argvs:
            run.call(argv(run))

    return prepare


_SYNC_ARGV = _resolving("sync", "--python", PYTHON_REQUEST)

_SYNC = Operation(
    name="sync",
    summary=(
        f"`puv sync` vs `uv sync` (`--python {PYTHON_REQUEST}`) vs `pdm sync`, from a lock made "
        "once by the same tool; cold/warm start without `.venv`."
    ),
    scenarios=(COLD, WARM, NOOP),
    puv_probe=("sync",),
    # issue 6: no-op within 3x of uv, into a fresh venv from a warm cache within 2.5x, at least
    # 10x faster than pdm on each
    targets=(
        Target(3.0, "uv", ("no-op",)),
        Target(2.5, "uv", ("warm",)),
        Target(0.1, "pdm", ("warm", "no-op")),
    ),
    commands={
        **_both_uv(
            Command(
                _SYNC_ARGV,
                prepare=_cache_and_outputs(".venv"),
                setup=_calls(_resolving("lock")),
            )
        ),
        "pdm": Command(
            _command("sync"),
            prepare=_cache_and_outputs(".venv"),
            setup=_calls(_resolving("lock")),
            unsupported=_unsupported_uv_workspace,
        ),
    },
)

# --- add -----------------------------------------------------------------------------------

# Added to each project: in none of their locks, no dependencies, one pure-Python wheel.
ADDED = "tomli-w"
SAVED_SUFFIX = ".bench-saved"


def _save(*names: str) -> Callable[[Run], None]:
    """Keep a copy of each file (relative to the project copy) next to it, for `_restore`."""

    def save(run: Run) -> None:
        for name in names:
            shutil.copyfile(run.cwd / name, run.cwd / (name + SAVED_SUFFIX))

    return save


def _restore(*names: str) -> Callable[[Run], None]:
    """Put back the copies `_save` kept."""

    def restore(run: Run) -> None:
        for name in names:
            saved = run.cwd / (name + SAVED_SUFFIX)
            if not saved.is_file():
                raise PrepareError(f"no saved copy of `{name}` to restore")
            shutil.copyfile(saved, run.cwd / name)

    return restore


def _steps(*steps: Callable[[Run], None]) -> Callable[[Run], None]:
    """One preparation made of `steps`, in order."""

    def prepare(run: Run) -> None:
        for step in steps:
            step(run)

    return prepare


def _add_command(
    add: Callable[[Run], list[str]],
    lock: Callable[[Run], list[str]],
    sync: Callable[[Run], list[str]],
    lock_file: str,
    unsupported: Callable[[Path | None], str | None] = _supported,
) -> Command:
    """`add`: the project locked and synced once by the tool (setup); before each run the
    `pyproject.toml` and lock of that state are put back and the tool syncs the environment to
    them again, removing what the previous run added."""
    files = ("pyproject.toml", lock_file)
    return Command(
        add,
        prepare=_steps(_restore(*files), _calls(sync)),
        setup=_steps(_calls(lock, sync), _save(*files)),
        unsupported=unsupported,
    )


_ADD = Operation(
    name="add",
    summary=(
        f"`puv add {ADDED}` vs `uv add {ADDED}` (both with `--exclude-newer`) vs `pdm add "
        f"{ADDED}`: one new dependency written to `pyproject.toml`, locked and synced, in a "
        "project locked and synced by the same tool. `pdm add` has no `--exclude-newer` (its "
        "`--update-reuse` default keeps the locked versions; only the new package is resolved "
        "against the live index)."
    ),
    scenarios=(
        Scenario(
            "warm",
            "caches filled by the warm-up round; `pyproject.toml`, the lock and the environment "
            "put back to the locked and synced state before each run",
        ),
    ),
    puv_probe=("add",),
    # issue 6: within 3x of uv, at least 10x faster than pdm
    targets=(Target(3.0, "uv"), Target(0.1, "pdm")),
    commands={
        **_both_uv(
            _add_command(_resolving("add", ADDED), _resolving("lock"), _SYNC_ARGV, "uv.lock")
        ),
        "pdm": _add_command(
            _command("add", ADDED),
            _resolving("lock"),
            _command("sync", "--clean"),
            "pdm.lock",
            unsupported=_unsupported_uv_workspace,
        ),
    },
)

# --- pip-compile ---------------------------------------------------------------------------

REQUIREMENTS_IN = "requirements.in"
PINNED = "requirements.pinned.txt"


def _write_requirements_in(fixture: Fixture) -> None:
    fixtures.write_requirements_in(fixture.project, REQUIREMENTS_IN)


_PIP_COMPILE = Operation(
    name="pip-compile",
    summary=(
        "`puv pip compile` vs `uv pip compile` vs `pip-compile` of a `requirements.in` holding the "
        f"project's third-party requirements (all groups), for Python {PYTHON_REQUEST}."
    ),
    scenarios=(COLD, WARM, NOOP),
    puv_probe=("pip", "compile"),
    # issue 4: cold within 2x of uv, warm within 3x, at least 5x faster than pip-compile
    targets=(
        Target(2.0, "uv", ("cold",)),
        Target(3.0, "uv", ("warm",)),
        Target(0.2, "pip-tools"),
    ),
    fixture=_write_requirements_in,
    commands={
        **_both_uv(
            Command(
                _resolving(
                    "pip", "compile", REQUIREMENTS_IN, "-o", "requirements.txt",
                    "--python-version", PYTHON_REQUEST,
                ),
                prepare=_cache_and_outputs("requirements.txt"),
            )
        ),
        "pip-tools": Command(
            lambda run: [
                run.program("pip-compile"), "--quiet", "--strip-extras",
                "--pip-args", f"--uploaded-prior-to={run.exclude_newer}",
                "--cache-dir", str(run.cache_home / "pip-tools"),
                "-o", "requirements.txt", REQUIREMENTS_IN,
            ],
            prepare=_cache_and_outputs("requirements.txt"),
        ),
    },
)  # fmt: skip

# --- pip-sync ------------------------------------------------------------------------------

SYNC_TARGET = ".venv-sync"


def _pin_requirements(fixture: Fixture) -> None:
    """requirements.in, compiled once by uv so every tool installs the same pinned set."""
    fixtures.write_requirements_in(fixture.project, REQUIREMENTS_IN)
    argv = [
        fixture.uv, "pip", "compile", REQUIREMENTS_IN, "-o", PINNED, "--quiet",
        "--python-version", PYTHON_REQUEST, "--exclude-newer", fixture.exclude_newer,
    ]  # fmt: skip
    done = subprocess.run(
        argv, cwd=fixture.project, env=dict(fixture.env), capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise PrepareError(f"`uv pip compile` for pip-sync failed: {done.stderr.strip()}")


def _fresh_target(with_pip: bool) -> Callable[[Run], None]:
    """Cold: clear cache + new empty venv; warm: new empty venv; no-op: keep the synced one."""

    def prepare(run: Run) -> None:
        if run.scenario == COLD.name:
            run.clear_cache()
        if run.scenario in (COLD.name, WARM.name):
            run.remove(SYNC_TARGET)
            pip = [] if with_pip else ["--without-pip"]
            run.call([str(run.python), "-m", "venv", *pip, SYNC_TARGET])

    return prepare


def _target_python(run: Run) -> str:
    return str(run.cwd / SYNC_TARGET / "bin" / "python")


_PIP_SYNC = Operation(
    name="pip-sync",
    summary=(
        "`puv pip sync` vs `uv pip sync` vs `pip-sync` of the same pinned requirements "
        f"(compiled once by uv) into a Python {PYTHON_REQUEST} venv."
    ),
    scenarios=(COLD, WARM, NOOP),
    puv_probe=("pip", "sync"),
    fixture=_pin_requirements,
    commands={
        **_both_uv(
            Command(
                lambda run: [run.program(), "pip", "sync", PINNED, "--python", _target_python(run)],
                prepare=_fresh_target(with_pip=False),
            )
        ),
        "pip-tools": Command(
            lambda run: [
                run.program("pip-sync"), "--quiet", "--python-executable", _target_python(run),
                PINNED,
            ],
            prepare=_fresh_target(with_pip=True),
        ),
    },
)  # fmt: skip

OPERATIONS: dict[str, Operation] = {
    op.name: op for op in (_VERSION, _VENV, _LOCK, _SYNC, _ADD, _PIP_COMPILE, _PIP_SYNC)
}
