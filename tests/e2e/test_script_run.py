"""`puv run` and `puv sync --script` on PEP 723 scripts, side by side with the real uv.

A script with a `script` block runs in its own environment, cached in the `environments` bucket
under the script's name and path: created and filled on the first run (`Installed N packages`),
reused untouched by the next (no index request, nothing written), recreated when `--python` or
`requires-python` asks for another interpreter, synced from `<script>.lock` when there is one.
The script's `[tool.uv]` settings apply; a script without a block runs as any other file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.indexserver import IndexServer

PYENV = Path.home() / ".pyenv" / "versions"

LISTING = """\
import importlib.metadata as m, sys
print(sorted(d.metadata["Name"] for d in m.distributions()), sys.argv[1:])
sys.exit(3)
"""

SCRIPT = (
    '# /// script\n# requires-python = ">=3.10"\n# dependencies = ["alpha<2"]\n# ///\n' + LISTING
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    server = IndexServer(tmp_path_factory.mktemp("index"))
    for version in ("1.0", "2.0"):
        server.add_wheel("alpha", version, requires_dist=["beta"])
    server.add_wheel("beta", "2.0")
    server.add_wheel("gamma", "1.0")
    with server:
        yield server


@dataclass
class Outcome:
    """One command's exit code and output, with times and cache paths made comparable."""

    code: int
    stdout: str
    stderr: str


@dataclass
class Both:
    """The same files in `<tmp>/uv` and `<tmp>/puv`, and commands run in each by its tool."""

    tmp: Path
    run_uv: Runner
    run_puv: Runner
    env: Mapping[str, str]

    def write(self, name: str, text: str | bytes) -> None:
        """Write `name` (bytes as they are) in both directories."""
        for tool in ("uv", "puv"):
            path = self.tmp / tool / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text)

    def read(self, tool: str, name: str) -> bytes:
        """The bytes of `name` in `tool`'s directory."""
        return (self.tmp / tool / name).read_bytes()

    def run(self, tool: str, *args: str) -> Outcome:
        """Run one tool in its directory; its outcome, normalized."""
        runner = self.run_uv if tool == "uv" else self.run_puv
        result = runner(*args, cwd=self.tmp / tool, env=dict(self.env))
        return Outcome(
            result.returncode, self.normalize(result.stdout), self.normalize(result.stderr)
        )

    def both(self, *args: str) -> tuple[Outcome, Outcome]:
        """Run uv, then puv; their outcomes."""
        return self.run("uv", *args), self.run("puv", *args)

    def same(self, *args: str) -> Outcome:
        """Run both and check they agree on everything; puv's outcome."""
        theirs, ours = self.both(*args)
        assert ours == theirs, f"{args}\nuv:  {theirs}\npuv: {ours}"
        return ours

    def normalize(self, text: str) -> str:
        text = re.sub(r" in \d+(\.\d+)?(ms|s)\b", " in <t>", text)
        text = re.sub(
            r"\S*-cache/(?:puv-)?environments-v\d+/([^/\s`]+)-[0-9a-f]{16}", r"<env>/\1", text
        )
        return text.replace(str(self.tmp), "<tmp>").replace("`uv ", "`puv ")


@pytest.fixture
def pair(tmp_path: Path, run_uv: Runner, run_puv: Runner, index: IndexServer) -> Both:
    return Both(tmp_path, run_uv, run_puv, {"UV_INDEX_URL": index.simple_url})


def _python(version: str) -> str:
    found = sorted(PYENV.glob(f"{version}.*/bin/python"))
    if not found:
        pytest.skip(f"Python {version} is not installed under {PYENV}")
    return str(found[0])


def _tree(root: Path) -> dict[str, int]:
    """Every path under `root` with its modification time (to see what a command wrote)."""
    return {
        os.path.relpath(os.path.join(directory, name), root): os.lstat(
            os.path.join(directory, name)
        ).st_mtime_ns
        for directory, dirs, files in os.walk(root)
        for name in (*dirs, *files)
    }


def test_first_run_installs_second_run_reuses_the_cached_environment(
    pair: Both, index: IndexServer
) -> None:
    pair.write("s.py", SCRIPT)
    first = pair.same("run", "s.py", "a", "b")
    assert first == Outcome(3, "['alpha', 'beta'] ['a', 'b']\n", "Installed 2 packages in <t>\n")
    environments = list((pair.tmp / "puv-cache").glob("puv-environments-v*/s-*/pyvenv.cfg"))
    assert len(environments) == 1
    assert "prompt = s.py" in environments[0].read_text()
    index.reset()
    before = _tree(pair.tmp / "puv-cache") | _tree(pair.tmp / "puv")
    again = pair.run("puv", "run", "s.py")
    assert again == Outcome(3, "['alpha', 'beta'] []\n", "")
    assert index.requests == []
    assert _tree(pair.tmp / "puv-cache") | _tree(pair.tmp / "puv") == before
    assert pair.run("uv", "run", "--script", "s.py") == pair.run("puv", "run", "--script", "s.py")


def test_with_goes_on_top_and_changed_dependencies_are_added_inexactly(pair: Both) -> None:
    pair.write("s.py", SCRIPT)
    pair.same("run", "s.py")
    overlay = pair.same("run", "--with", "gamma", "s.py")
    assert overlay == Outcome(3, "['alpha', 'beta', 'gamma'] []\n", "Installed 1 package in <t>\n")
    pair.write("s.py", SCRIPT.replace('"alpha<2"', '"gamma"'))
    changed = pair.same("run", "s.py")
    assert changed == Outcome(3, "['alpha', 'beta', 'gamma'] []\n", "Installed 1 package in <t>\n")


def test_block_without_dependencies_and_files_without_a_block(pair: Both) -> None:
    pair.write("nodeps.py", '# /// script\n# requires-python = ">=3.10"\n# ///\n' + LISTING)
    pair.write("plain.py", LISTING)
    pair.write("noext", SCRIPT)
    isolated = pair.same("run", "nodeps.py")
    assert isolated == Outcome(3, "[] []\n", "")
    plain = pair.same("run", "--script", "plain.py")  # the interpreter discovery finds
    assert plain.code == 3
    assert pair.same("run", "--script", "noext").stderr == "Installed 2 packages in <t>\n"
    missing = pair.same("run", "missing.py")
    assert missing.code == 2


def test_options_a_script_ignores_are_warned_about(pair: Both) -> None:
    pair.write("s.py", SCRIPT)
    outcome = pair.same(
        "run", "--no-sync", "--isolated", "--package", "x", "--extra", "e", "--dev", "s.py"
    )
    assert outcome.stderr.splitlines()[1:] == [
        "warning: Extras are not supported for Python scripts with inline metadata",
        "warning: `--dev` is not supported for Python scripts with inline metadata",
        "warning: `--package` is a no-op for Python scripts with inline metadata, which always "
        "run in isolation",
        "warning: `--no-sync` is a no-op for Python scripts with inline metadata, which always "
        "run in isolation",
        "warning: `--isolated` is a no-op for Python scripts with inline metadata, which always "
        "run in isolation",
    ]


def test_locked_and_frozen_without_a_lock(pair: Both) -> None:
    pair.write("s.py", SCRIPT)
    for flag in ("--locked", "--frozen"):
        error = pair.same("run", flag, "s.py")
        assert error.code == 2
        assert "Unable to find lockfile for Python script" in error.stderr
    pair.env = {**pair.env, "UV_LOCKED": "1"}
    warned = pair.same("run", "s.py")
    assert warned.stderr.startswith(
        "warning: No lockfile found for Python script (ignoring `UV_LOCKED=1`)"
    )


def test_interpreter_requests_recreate_the_environment(pair: Both) -> None:
    old, new = _python("3.9"), _python("3.12")
    pair.write("s.py", SCRIPT.replace(LISTING, "import sys; print(sys.version_info[:2])\n"))
    below = pair.same("run", "--python", old, "s.py")
    assert below.stdout == "(3, 9)\n"
    assert below.stderr.startswith(
        "warning: The requested interpreter resolved to Python 3.9.18, which is incompatible "
        "with the script's Python requirement: `>=3.10`\n"
    )
    assert pair.same("run", "--python", new, "s.py").stdout == "(3, 12)\n"
    kept = pair.same("run", "s.py")  # 3.12 meets `>=3.10`: the environment stays
    assert kept == Outcome(0, "(3, 12)\n", "")
    pair.write(".python-version", "3.9\n")  # ignored: it does not meet `requires-python`
    assert pair.same("run", "s.py").stdout == "(3, 12)\n"


def test_run_syncs_from_the_script_lock(pair: Both) -> None:
    pair.write("s.py", SCRIPT)
    pair.same("lock", "--script", "s.py")
    first = pair.same("run", "s.py")
    assert first == Outcome(3, "['alpha', 'beta'] []\n", "Installed 2 packages in <t>\n")
    pair.write("s.py", SCRIPT.replace('"alpha<2"', '"gamma"'))
    stale = pair.same("run", "s.py")  # locked again, silently; installed inexactly
    assert stale == Outcome(3, "['alpha', 'beta', 'gamma'] []\n", "Installed 1 package in <t>\n")
    assert pair.read("puv", "s.py.lock") == pair.read("uv", "s.py.lock")
    assert b'name = "alpha"' not in pair.read("puv", "s.py.lock")
    pair.write("s.py", SCRIPT.replace('"alpha<2"', '"beta"'))
    frozen = pair.same("run", "--frozen", "s.py")  # the lock as it is
    assert frozen.stdout.startswith("['alpha', 'beta', 'gamma']")
    theirs, ours = pair.both("run", "--locked", "s.py")
    assert (theirs.code, ours.code) == (1, 1)
    assert "needs to be updated, but `--locked` was provided" in ours.stderr


def test_sync_script_with_a_lock(pair: Both) -> None:
    pair.write("m.py", SCRIPT)
    pair.same("lock", "--script", "m.py")
    preview = pair.same("sync", "--script", "m.py", "--dry-run")
    assert preview.stderr.splitlines() == [
        "Would create script environment at: <env>/m",
        "Resolved 2 packages in <t>",
        "Found up-to-date lockfile at: m.py.lock",
        "Would download 2 packages",
        "Would install 2 packages",
        " + alpha==1.0",
        " + beta==2.0",
    ]
    created = pair.same("sync", "--script", "m.py")
    assert created.stderr.splitlines()[0] == "Creating script environment at: <env>/m"
    assert pair.same("sync", "--script", "m.py", "--frozen").stderr.splitlines() == [
        "Using script environment at: <env>/m",
        "Checked 2 packages in <t>",
    ]
    pair.write("m.py", SCRIPT.replace('"alpha<2"', '"gamma"'))
    assert pair.same("sync", "--script", "m.py", "--check").code == 1
    exact = pair.same("sync", "--script", "m.py")
    assert exact.stderr.splitlines()[-3:] == [" - alpha==1.0", " - beta==2.0", " + gamma==1.0"]
    assert pair.read("puv", "m.py.lock") == pair.read("uv", "m.py.lock")
    assert pair.same("run", "m.py").stdout == "['gamma'] []\n"


def test_sync_script_without_a_lock(pair: Both) -> None:
    pair.write("t.py", SCRIPT)
    pair.write("plain.py", LISTING)
    created = pair.same("sync", "--script", "t.py")
    assert created.stderr.splitlines() == [
        "Creating script environment at: <env>/t",
        "Resolved 2 packages in <t>",
        "Prepared 2 packages in <t>",
        "Installed 2 packages in <t>",
        " + alpha==1.0",
        " + beta==2.0",
    ]
    assert not (pair.tmp / "puv" / "t.py.lock").exists()
    pair.same("sync", "--script", "t.py", "--dry-run")
    pair.write("t.py", SCRIPT.replace('"alpha<2"', '"gamma"'))
    assert pair.same("sync", "--script", "t.py", "--check").code == 1
    assert " - alpha==1.0" in pair.same("sync", "--script", "t.py").stderr
    for flag in ("--locked", "--frozen"):
        assert pair.same("sync", "--script", "t.py", flag).code == 2
    assert pair.same("sync", "--script", "plain.py").code == 2
    assert pair.same("sync", "--script", "missing.py").code == 2


def test_a_script_ignores_the_project_it_is_in_but_uses_its_settings(pair: Both) -> None:
    pair.write(
        "pyproject.toml",
        '[project]\nname = "proj"\nversion = "0.1"\nrequires-python = ">=3.10"\n'
        'dependencies = ["beta"]\n',
    )
    block = '# /// script\n# dependencies = ["gamma"]\n# [tool.uv]\n# exclude-newer = "{}"\n# ///\n'
    pair.write("old.py", block.format("2024-06-01T00:00:00Z") + LISTING)
    pair.write("new.py", block.format("2025-06-01T00:00:00Z") + LISTING)
    pair.write("plain.py", LISTING)
    theirs, ours = pair.both("run", "old.py")  # nothing was uploaded before the cutoff
    assert (theirs.code, ours.code) == (1, 1)
    assert ours.stderr.startswith("error: No solution found when resolving script dependencies\n")
    assert not (pair.tmp / "puv" / ".venv").exists()
    assert pair.same("run", "new.py").stdout == "['gamma'] []\n"
    assert not (pair.tmp / "puv" / ".venv").exists()
    project = pair.same("run", "plain.py")  # no block: the project's environment
    assert project.stdout == "['beta'] []\n"


def test_invalid_blocks_are_uv_errors(pair: Both) -> None:
    cases = {
        "unclosed.py": "# /// script\n# dependencies = []\nprint(1)\n",
        "trailing.py": "# /// script\n# dependencies = []\n# /// x\n",
        "twice.py": "# /// script\n# dependencies = []\n# ///\nx = 1\n"
        "# /// script\n# dependencies = []\n# ///\n",
        "toml.py": "# /// script\n# dependencies = [\n# ///\n",
        "unknown.py": "# /// script\n# dependencies = []\n# [tool.uv]\n# foo = 1\n# ///\n",
    }
    for name, text in cases.items():
        pair.write(name, text)
        outcome = pair.same("run", name)
        assert outcome.code == 2, name


def test_a_script_read_from_stdin(pair: Both) -> None:
    from tests.e2e.conftest import UV

    if UV is None:
        pytest.skip("uv is not installed")
    program = SCRIPT.replace('"alpha<2"', '"gamma"').encode()
    outcomes = []
    for tool, command in (("uv", [UV]), ("puv", [sys.executable, "-m", "puv"])):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PUV_"))}
        env.pop("VIRTUAL_ENV", None)
        env.update(pair.env, UV_CACHE_DIR=str(pair.tmp / f"{tool}-cache"), NO_COLOR="1")
        env.update(UV_PYTHON_DOWNLOADS="never", XDG_CONFIG_HOME=str(pair.tmp / "config"))
        (pair.tmp / tool).mkdir(exist_ok=True)
        result = subprocess.run(
            [*command, "run", "-", "x"], input=program, capture_output=True, cwd=pair.tmp / tool,
            env=env,
        )  # fmt: skip
        outcomes.append((result.returncode, result.stdout, pair.normalize(result.stderr.decode())))
    assert outcomes[0] == outcomes[1] == (3, b"['gamma'] ['x']\n", "Installed 1 package in <t>\n")
    assert list((pair.tmp / "puv-cache").glob("puv-environments-v*/" + "?" * 16))
