"""`puv pip sync` against a local index, side by side with the real uv.

Each differential test runs the same command through uv and puv, each in its own directory with
its own venv (`env`) and cache, against one `IndexServer`, and compares exit codes and output with
durations masked. The rest checks what uv cannot show: the no-op and warm-cache paths make no
request, a tampered hash leaves nothing behind, and a run killed mid-install is repaired.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from puv.cache.layout import CacheLayout
from puv.core.errors import PuvError
from puv.core.hashes import HashDigest
from puv.core.wheel_filename import WheelFilename
from puv.operations.unpack_workers import Unpacker
from tests.e2e.conftest import Runner
from tests.envtools import demo_wheels, snapshot
from tests.indexserver import IndexServer
from tests.wheelmaker import write_wheel

DURATION = re.compile(r" in \d+(\.\d+)?(ms|s)\b")


def masked(text: str) -> str:
    """Output with durations replaced (`Resolved 2 packages in T`)."""
    return DURATION.sub(" in T", text)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Twins:
    """Two identical working directories, `uv/` and `puv/`, each with its own `env` venv."""

    root: Path
    run_uv: Runner
    run_puv: Runner

    def dir(self, tool: str) -> Path:
        return self.root / tool

    def env(self, tool: str) -> Path:
        return self.dir(tool) / "env"

    def site_packages(self, tool: str) -> Path:
        major, minor = sys.version_info[:2]
        return self.env(tool) / "lib" / f"python{major}.{minor}" / "site-packages"

    def write(self, name: str, text: str) -> None:
        """The same file in both directories."""
        for tool in ("uv", "puv"):
            (self.dir(tool) / name).write_text(text)

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
        """Run `args` with uv, then puv; returns (theirs, ours)."""
        theirs = self.run_uv(*args, cwd=self.dir("uv"), env=env)
        ours = self.run_puv(*args, cwd=self.dir("puv"), env=env)
        return theirs, ours

    def same(
        self, *args: str, env: dict[str, str] | None = None, skip: tuple[str, ...] = ()
    ) -> str:
        """Run `args` with both tools and assert the same exit code and output; returns it.

        Lines starting with one of `skip` are left out of the comparison (the `Prepared` count
        depends on what each tool's cache kept from earlier runs).
        """
        theirs, ours = self.run(*args, env=env)
        assert "Traceback" not in ours.stderr, ours.stderr

        def shown(text: str) -> str:
            lines = masked(text).splitlines(keepends=True)
            return "".join(line for line in lines if not (skip and line.startswith(skip)))

        assert (ours.returncode, ours.stdout, shown(ours.stderr)) == (
            theirs.returncode,
            theirs.stdout,
            shown(theirs.stderr),
        )
        return masked(ours.stderr)


def make_twins(root: Path, run_uv: Runner, run_puv: Runner) -> Twins:
    """`root/uv` and `root/puv`, each with an empty `env` venv (made by uv)."""
    pair = Twins(root, run_uv, run_puv)
    for tool in ("uv", "puv"):
        pair.dir(tool).mkdir()
        created = run_uv("venv", "-q", "env", "--python", sys.executable, cwd=pair.dir(tool))
        assert created.returncode == 0, created.stderr
    return pair


@pytest.fixture
def twins(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> Twins:
    return make_twins(tmp_path, run_uv, run_puv)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[IndexServer]:
    with IndexServer(tmp_path / "index") as server:
        server.add_wheel("alpha", "1.0")
        server.add_wheel("alpha", "2.0")
        server.add_wheel("beta", "1.0")
        server.add_wheel("six", "1.16.0", {"six.py": b"X = 1\n"})
        server.add_wheel("six", "1.17.0", {"six.py": b"X = 2\n"})
        server.add_wheel("needs-gamma", "1.0", requires_dist=["gamma>=1"])
        server.add_sdist("sdonly", "1.0")
        yield server


def hashed(index: IndexServer, *pins: str, bad: str = "") -> str:
    """Requirements pinning `pins` (`name==version`) with the sha256 of their wheels."""
    lines = []
    for pin in pins:
        name, version = pin.split("==")
        wheel = index.root / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
        digest = "f" * 64 if name == bad else sha256(wheel)
        lines.append(f"{pin} \\\n    --hash=sha256:{digest}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- differential


def test_sync_sequence_matches_uv(twins: Twins, index: IndexServer) -> None:
    url = index.simple_url
    twins.write("one.txt", "alpha==1.0\nbeta\ncolorama==0.4.6 ; sys_platform == 'win32'\n")
    twins.write("two.txt", "# upgraded\nAlpha==2.0\nsix\n")
    twins.write("empty.txt", "")
    first = twins.same("pip", "sync", "one.txt", "-p", "env", "--index-url", url)
    assert " + alpha==1.0\n + beta==1.0\n" in first
    assert "Checked 2 packages" in twins.same("pip", "sync", "one.txt", "-p", "env", "-i", url)
    dry = twins.same("pip", "sync", "two.txt", "-p", "env", "-i", url, "--dry-run")
    assert "Would uninstall 2 packages" in dry
    upgraded = twins.same("pip", "sync", "two.txt", "-p", "env", "-i", url)
    assert " - alpha==1.0\n + alpha==2.0\n - beta==1.0\n + six==1.17.0\n" in upgraded
    assert "Would make no changes" in twins.same(
        "pip", "sync", "two.txt", "-p", "env", "-i", url, "--dry-run"
    )
    twins.same("pip", "freeze", "-p", "env")
    assert twins.same("pip", "sync", "one.txt", "-p", "env", "-i", url, "-q") == ""
    assert "No requirements found" in twins.same("pip", "sync", "empty.txt", "-p", "env")
    cleared = twins.same("pip", "sync", "empty.txt", "-p", "env", "--allow-empty-requirements")
    assert "Resolved in T\nUninstalled 2 packages" in cleared


def test_reinstall_strict_and_unsatisfiable_match_uv(twins: Twins, index: IndexServer) -> None:
    url = index.simple_url
    twins.write("reqs.txt", "six==1.16.0\nneeds-gamma==1.0\n")
    twins.same("pip", "sync", "reqs.txt", "-p", "env", "-i", url)
    strict = twins.same("pip", "sync", "reqs.txt", "-p", "env", "-i", url, "--strict")
    assert (
        "warning: The package `needs-gamma` requires `gamma>=1`, but it's not installed" in strict
    )
    again = twins.same(
        "pip", "sync", "reqs.txt", "-p", "env", "-i", url, "--reinstall-package", "six"
    )
    assert " ~ six==1.16.0" in again
    twins.write("missing.txt", "nosuch\nsix==9\n")
    twins.same("pip", "sync", "missing.txt", "-p", "env", "-i", url)
    twins.write("newer.txt", "alpha>3\n")
    twins.same("pip", "sync", "newer.txt", "-p", "env", "-i", url)


def test_hash_checking_matches_uv(twins: Twins, index: IndexServer) -> None:
    url = index.simple_url
    twins.write("good.txt", hashed(index, "alpha==1.0", "six==1.16.0"))
    twins.write("partial.txt", hashed(index, "six==1.16.0") + "beta==1.0\n")
    twins.write("unpinned.txt", "six --hash=sha256:" + "0" * 64 + "\n")
    twins.write("inline.txt", "--require-hashes\nsix==1.16.0\n")
    twins.same("pip", "sync", "good.txt", "-p", "env", "-i", url, "--require-hashes")
    twins.same("pip", "sync", "partial.txt", "-p", "env", "-i", url)
    for name in ("partial.txt", "unpinned.txt"):
        refused = twins.same("pip", "sync", name, "-p", "env", "-i", url, "--require-hashes")
        assert "In `--require-hashes` mode" in refused
    assert "must have a hash" in twins.same("pip", "sync", "inline.txt", "-p", "env", "-i", url)
    assert "must have a hash" in twins.same(
        "pip", "sync", "partial.txt", "-p", "env", "-i", url, env={"UV_REQUIRE_HASHES": "1"}
    )


def test_tampered_hash_fails_like_uv_and_leaves_nothing(twins: Twins, index: IndexServer) -> None:
    url = index.simple_url
    twins.write("bad.txt", hashed(index, "six==1.16.0", "beta==1.0", bad="beta"))
    before = snapshot(twins.site_packages("puv"))
    failure = twins.same("pip", "sync", "bad.txt", "-p", "env", "-i", url)
    assert (
        "error: Failed to download `beta==1.0`\n  cause: Hash mismatch for `beta==1.0`" in failure
    )
    assert "Expected:\n           sha256:" + "f" * 64 in failure
    assert f"Computed:\n           sha256:{sha256(index.root / 'beta-1.0-py3-none-any.whl')}" in (
        failure
    )
    assert snapshot(twins.site_packages("puv")) == before
    cache = twins.root / "puv-cache"
    assert not (cache / "puv-wheels-v1" / "beta").exists()
    archives = cache / "puv-archive-v1"
    leftovers = [p for p in archives.iterdir() if not p.name.startswith(".tmp")]
    assert all(not (p / "beta-1.0.dist-info").exists() for p in leftovers)
    # `--no-verify-hashes` (or its variable) turns the check off, as in uv.
    twins.same(
        "pip", "sync", "bad.txt", "-p", "env", "-i", url,
        env={"UV_NO_VERIFY_HASHES": "1"}, skip=("Prepared",),
    )  # fmt: skip


def test_installed_files_match_uv(twins: Twins, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    demo_wheels(wheels)
    twins.write("reqs.txt", "demo==1.0\nnative-pkg==2.0\n")
    twins.same("pip", "sync", "reqs.txt", "-p", "env", "--no-index", "-f", str(wheels))
    # Besides what the installers write about themselves: the environment's `.lock`, which uv
    # creates world-writable (0o666 whatever the umask) and puv with the umask applied.
    ignored = ("RECORD", "INSTALLER", "direct_url.json", "uv_cache.json", ".lock")

    def tree(tool: str) -> dict[str, tuple[str, int, bytes]]:
        root = twins.env(tool)
        entries = snapshot(
            root,
            lambda rel: "__pycache__" in rel.split("/") or rel.rsplit("/", 1)[-1] in ignored,
        )
        return {
            path: (kind, mode, content.replace(os.fsencode(root), b"<env>"))
            for path, (kind, mode, content) in entries.items()
        }

    assert tree("puv") == tree("uv")


def test_many_wheels_match_uv(twins: Twins, tmp_path: Path) -> None:
    """Enough wheels that puv unpacks them in worker processes."""
    with IndexServer(tmp_path / "many") as index:
        names = [f"pkg{i:02}" for i in range(10)]
        for name in names:
            index.add_wheel(
                name, "1.0", {f"{name}/__init__.py": name.encode(), f"{name}/x.txt": b"x"}
            )
        twins.write("reqs.txt", hashed(index, *(f"{name}==1.0" for name in names)))
        result = twins.same("pip", "sync", "reqs.txt", "-p", "env", "-i", index.simple_url)
        assert "Installed 10 packages" in result
        trees = [
            {p: e for p, e in snapshot(twins.site_packages(tool)).items() if "RECORD" not in p}
            for tool in ("uv", "puv")
        ]
        assert trees[0].keys() == trees[1].keys()


def test_unpack_workers_report_errors_and_keep_going(tmp_path: Path) -> None:
    good = write_wheel(tmp_path / "w", {"good/__init__.py": "X = 1\n"}, name="good", version="1.0")
    broken = tmp_path / "broken-1.0-py3-none-any.whl"
    broken.write_bytes(good.read_bytes()[:-30])
    cache = CacheLayout(tmp_path / "cache")
    with Unpacker(cache, processes=1) as unpacker:
        with pytest.raises(PuvError) as caught:
            unpacker.unpack(broken, WheelFilename.parse(broken.name))
        assert caught.value.message == f"Failed to extract archive: {broken.name}"
        assert caught.value.causes
        with pytest.raises(PuvError) as mismatch:
            unpacker.unpack(good, WheelFilename.parse(good.name), [HashDigest("sha256", "0" * 64)])
        assert mismatch.value.message.startswith("Hash mismatch for `good==1.0`")
        assert mismatch.value.exit_code == 1
        unpacked = unpacker.unpack(good, WheelFilename.parse(good.name))
        assert unpacked.dist_info == "good-1.0.dist-info"
        assert (unpacked.path / "good" / "__init__.py").read_text() == "X = 1\n"
        assert unpacked.path.parent == cache.bucket("archive")


def test_link_modes_and_bytecode(twins: Twins, index: IndexServer) -> None:
    url = index.simple_url
    twins.write("reqs.txt", "six==1.16.0\nbeta==1.0\n")
    compiled = twins.same(
        "pip", "sync", "reqs.txt", "-p", "env", "-i", url, "--compile-bytecode",
        env={"UV_LINK_MODE": "copy"},
    )  # fmt: skip
    assert "Bytecode compiled 2 files in T" in compiled
    site = twins.site_packages("puv")
    assert os.stat(site / "six.py").st_nlink == 1
    assert list((site / "__pycache__").glob("six.*.pyc"))
    twins.same(
        "pip", "sync", "reqs.txt", "-p", "env", "-i", url, "--reinstall", "--link-mode", "symlink"
    )
    assert (site / "six.py").is_symlink()
    twins.same(
        "pip", "sync", "reqs.txt", "-p", "env", "-i", url, "--reinstall", "--link-mode", "hardlink"
    )
    assert os.stat(site / "six.py").st_nlink == 2


def test_sdist_only_requirements_are_built_as_uv(twins: Twins, index: IndexServer) -> None:
    twins.write("reqs.txt", "sdonly==1.0\n")
    args = ("pip", "sync", "reqs.txt", "-p", "env", "-i", index.simple_url)
    assert " + sdonly @ " not in twins.same(*args, "--dry-run")
    built = twins.same(*args)
    assert "   Building sdonly==1.0\n      Built sdonly==1.0\n" in built
    assert "Checked 1 package" in twins.same(*args)
    refused = twins.same(*args, "--reinstall", "--only-binary", ":all:")
    assert "hint: Wheels are required for `sdonly` because building from source is disabled" in (
        refused
    )
    twins.same("pip", "freeze", "-p", "env")


# ---------------------------------------------------------------- no network when not needed


def test_noop_sync_makes_no_request(twins: Twins, index: IndexServer) -> None:
    reqs = twins.dir("puv") / "reqs.txt"
    reqs.write_text("alpha==1.0\nsix\n")
    run = twins.run_puv
    where = twins.dir("puv")
    assert (
        run("pip", "sync", "reqs.txt", "-p", "env", "-i", index.simple_url, cwd=where).returncode
        == 0
    )
    index.reset()
    again = run("pip", "sync", "reqs.txt", "-p", "env", "-i", index.simple_url, cwd=where)
    assert again.returncode == 0
    assert masked(again.stderr).endswith("Resolved 2 packages in T\nChecked 2 packages in T\n")
    assert index.requests == []
    # Not even a client: an index (or proxy) nobody listens on cannot matter.
    dead = {"UV_INDEX_URL": "http://127.0.0.1:9/simple", "ALL_PROXY": "http://127.0.0.1:9"}
    offline = run("pip", "sync", "reqs.txt", "-p", "env", cwd=where, env=dead)
    assert offline.returncode == 0, offline.stderr
    installed = run("pip", "install", "alpha==1.0", "six", "-p", "env", cwd=where, env=dead)
    assert masked(installed.stderr).endswith("Checked 2 packages in T\n")


def test_warm_cache_with_hashes_needs_no_index(twins: Twins, index: IndexServer) -> None:
    where = twins.dir("puv")
    (where / "reqs.txt").write_text(hashed(index, "alpha==2.0", "six==1.17.0"))
    first = twins.run_puv("pip", "sync", "reqs.txt", "-p", "env", "-i", index.simple_url, cwd=where)
    assert first.returncode == 0, first.stderr
    created = twins.run_uv("venv", "-q", "fresh", "--python", sys.executable, cwd=where)
    assert created.returncode == 0
    index.reset()
    dead = {"UV_INDEX_URL": "http://127.0.0.1:9/simple"}
    warm = twins.run_puv("pip", "sync", "reqs.txt", "-p", "fresh", cwd=where, env=dead)
    assert warm.returncode == 0, warm.stderr
    assert masked(warm.stderr) == (
        "Using Python {} environment at: fresh\nResolved 2 packages in T\n"
        "Installed 2 packages in T\n + alpha==2.0\n + six==1.17.0\n"
    ).format(".".join(map(str, sys.version_info[:3])))
    assert index.requests == []
    offline = twins.run_puv(
        "pip", "sync", "reqs.txt", "-p", "fresh", "-i", index.simple_url, "--offline",
        "--reinstall", cwd=where,
    )  # fmt: skip
    assert offline.returncode == 1
    assert "Network connectivity is disabled" in offline.stderr


def test_index_options_inside_the_requirements_file(
    twins: Twins, index: IndexServer, tmp_path: Path
) -> None:
    with IndexServer(tmp_path / "extra") as extra:
        extra.add_wheel("gamma", "1.0")
        twins.write(
            "reqs.txt",
            f"--index-url {index.simple_url}\n--extra-index-url {extra.simple_url}\n"
            "gamma==1.0\nsix==1.16.0\n",
        )
        result = twins.same("pip", "sync", "reqs.txt", "-p", "env")
        assert " + gamma==1.0\n + six==1.16.0\n" in result


def test_indexes_from_configuration_and_variables(
    twins: Twins, index: IndexServer, tmp_path: Path
) -> None:
    twins.write("reqs.txt", "six==1.16.0\n")
    twins.write("uv.toml", f'[[index]]\nurl = "{index.simple_url}"\ndefault = true\n')
    assert " + six==1.16.0" in twins.same("pip", "sync", "reqs.txt", "-p", "env")
    for tool in ("uv", "puv"):
        (twins.dir(tool) / "uv.toml").unlink()
    twins.write("reqs.txt", "beta==1.0\n")
    result = twins.same(
        "pip", "sync", "reqs.txt", "-p", "env", env={"UV_INDEX_URL": index.simple_url}
    )
    assert " + beta==1.0\n - six==1.16.0\n" in result
    wheels = tmp_path / "links"
    write_wheel(wheels, {"linked/__init__.py": ""}, name="linked", version="3.0")
    twins.write("reqs.txt", "linked\n")
    links = {"UV_FIND_LINKS": str(wheels)}
    assert " + linked==3.0" in twins.same(
        "pip", "sync", "reqs.txt", "-p", "env", "--no-index", env=links
    )


# ---------------------------------------------------------------- interruption


def puv_process(
    args: list[str], cwd: Path, cache: Path, extra: dict[str, str]
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PUV_"))}
    env.pop("VIRTUAL_ENV", None)
    env.update(UV_CACHE_DIR=str(cache), UV_PYTHON_DOWNLOADS="never", NO_COLOR="1", **extra)
    return subprocess.Popen(
        [sys.executable, "-m", "puv", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_pause(process: subprocess.Popen[str], fifo: Path) -> None:
    """Wait until puv announces the pause on `fifo`, failing if it exits first."""
    said: list[str] = []

    def listen() -> None:
        with open(fifo) as channel:
            said.append(channel.readline())

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    for _ in range(120):
        listener.join(1.0)
        if not listener.is_alive():
            assert said == ["paused\n"]
            return
        if process.poll() is not None:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # release the listener
            pytest.fail(f"puv exited before pausing: {process.communicate()[1]}")
    pytest.fail("puv never paused")


@pytest.mark.parametrize("installed_first", [False, True], ids=["fresh", "upgrade"])
def test_kill_during_install_then_rerun_repairs(
    twins: Twins, tmp_path: Path, installed_first: bool
) -> None:
    with IndexServer(tmp_path / "files") as index:
        for version in ("1.0", "2.0"):
            index.add_wheel(
                "bulky",
                version,
                {f"bulky/mod{i:02}.py": f"V = {version!r}\n".encode() for i in range(40)},
            )
        index.add_wheel("six", "1.16.0", {"six.py": b"X = 1\n"})
        where = twins.dir("puv")
        cache = tmp_path / "kill-cache"
        url = index.simple_url
        if installed_first:
            (where / "old.txt").write_text("bulky==1.0\nsix==1.16.0\n")
            done = puv_process(["pip", "sync", "old.txt", "-p", "env", "-i", url], where, cache, {})
            assert done.wait() == 0
        (where / "reqs.txt").write_text("bulky==2.0\nsix==1.16.0\n")
        fifo = tmp_path / "pause.fifo"
        os.mkfifo(fifo)
        process = puv_process(
            ["pip", "sync", "reqs.txt", "-p", "env", "-i", url, "--link-mode", "copy"],
            where,
            cache,
            {"PUV_TEST_PAUSE_AFTER_FILES": f"15:{fifo}", "UV_CONCURRENT_INSTALLS": "1"},
        )
        wait_for_pause(process, fifo)
        process.send_signal(signal.SIGKILL)
        process.wait()
        site = twins.site_packages("puv")
        assert not (site / "bulky-2.0.dist-info" / "RECORD").exists()
        rerun = puv_process(["pip", "sync", "reqs.txt", "-p", "env", "-i", url], where, cache, {})
        _, err = rerun.communicate()
        assert rerun.returncode == 0, err
        # A clean install elsewhere is the reference.
        clean_dir = tmp_path / "clean"
        clean_dir.mkdir()
        (clean_dir / "reqs.txt").write_text((where / "reqs.txt").read_text())
        venv = twins.run_uv("venv", "-q", "env", "--python", sys.executable, cwd=clean_dir)
        assert venv.returncode == 0
        clean = puv_process(
            ["pip", "sync", "reqs.txt", "-p", "env", "-i", url], clean_dir, cache, {}
        )
        assert clean.wait() == 0

        def tree(root: Path) -> dict[str, tuple[str, bytes]]:
            return {
                path: (kind, content.replace(os.fsencode(root), b"<env>"))
                for path, (kind, _, content) in snapshot(root).items()
                if "__pycache__" not in path and not path.endswith(".lock")
            }

        assert tree(where / "env") == tree(clean_dir / "env")
        freeze = twins.run_puv("pip", "freeze", "-p", "env", cwd=where)
        assert freeze.stdout == "bulky==2.0\nsix==1.16.0\n"
