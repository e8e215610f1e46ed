"""`puv cache dir|clean|prune` as a user runs them, next to the real uv where uv defines the text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import Runner


def test_missing_cache_as_uv(tmp_path: Path, run_puv: Runner, run_uv: Runner) -> None:
    for command in (["cache", "clean"], ["cache", "prune"]):
        env = {"UV_CACHE_DIR": str(tmp_path / "nowhere")}
        ours, theirs = run_puv(*command, env=env), run_uv(*command, env=env)
        assert (ours.returncode, ours.stderr) == (theirs.returncode, theirs.stderr)
        assert ours.stderr == "No cache found at: nowhere\n"


def test_clean_removes_only_puv_buckets(tmp_path: Path, run_puv: Runner) -> None:
    cache = tmp_path / "shared"
    (cache / "puv-simple-v1").mkdir(parents=True)
    (cache / "puv-simple-v1" / "six.json").write_text("{}")
    (cache / "wheels-v8").mkdir()  # uv's bucket in a shared root: never touched
    (cache / "wheels-v8" / "keep").write_text("uv")
    result = run_puv("cache", "clean", env={"UV_CACHE_DIR": str(cache)})
    assert result.returncode == 0
    assert result.stderr.splitlines()[0] == "Clearing cache at: shared"
    assert result.stderr.splitlines()[1].startswith("Removed 1 file")
    assert not (cache / "puv-simple-v1").exists()
    assert (cache / "wheels-v8" / "keep").read_text() == "uv"


def test_prune_removes_old_bucket_versions(tmp_path: Path, run_puv: Runner) -> None:
    cache = tmp_path / "c"
    (cache / "puv-simple-v0").mkdir(parents=True)
    (cache / "puv-simple-v1").mkdir()
    result = run_puv("cache", "prune", env={"UV_CACHE_DIR": str(cache)})
    assert result.stderr == "Pruning cache at: c\nRemoved 1 directory (0B)\n"
    assert not (cache / "puv-simple-v0").exists()
    assert (cache / "puv-simple-v1").exists()


def test_clean_waits_for_a_running_process_then_times_out(tmp_path: Path, run_puv: Runner) -> None:
    cache = tmp_path / "c"
    cache.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from puv.cache.lock import cache_lock;"
            "held = cache_lock(Path(sys.argv[1])); print('held', flush=True); sys.stdin.read()",
            str(cache),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = run_puv("cache", "clean", env={"UV_CACHE_DIR": str(cache), "UV_LOCK_TIMEOUT": "1"})
        assert result.returncode == 2
        assert (
            "Cache is currently in-use, waiting for other puv processes to finish" in result.stderr
        )
        assert "error: Timeout (1s) when waiting for lock on" in result.stderr
        assert "UV_LOCK_TIMEOUT" in result.stderr
        forced = run_puv("cache", "clean", "--force", env={"UV_CACHE_DIR": str(cache)})
        assert forced.returncode == 0
    finally:
        holder.communicate("")
