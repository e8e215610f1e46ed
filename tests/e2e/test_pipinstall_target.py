"""`--target` / `--prefix` directories and `--cert`, side by side with uv.

A `--target` install puts packages at the top of a directory (scripts in `bin`, headers in
`include`), a `--prefix` install lays the directory out as a virtual environment; both use the
interpreter found for resolution and say so. `--cert` trusts a CA bundle for an HTTPS index.
"""

from __future__ import annotations

import ssl
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.test_pip_sync_cli import Twins, make_twins
from tests.envtools import snapshot
from tests.indexserver import IndexServer
from tests.unit.test_index_client import certificate  # noqa: F401  (a fixture)
from tests.wheelmaker import write_wheel

IGNORED = ("RECORD", "INSTALLER", "uv_cache.json", ".lock", "__pycache__")


@pytest.fixture
def index(tmp_path: Path) -> Iterator[IndexServer]:
    with IndexServer(tmp_path / "index") as server:
        write_wheel(
            server.root,
            {
                "sc/__init__.py": "def main():\n    print('hi')\n",
                "sc-1.0.data/scripts/run.sh": "#!/bin/sh\necho hi\n",
                "sc-1.0.data/data/share/sc.txt": "data\n",
                "sc-1.0.data/headers/sc.h": "/* header */\n",
            },
            name="sc",
            version="1.0",
            entry_points="[console_scripts]\nsc = sc:main\n",
            metadata_headers=["Requires-Dist: dep"],
        )
        server.add_wheel("dep", "1.0")
        yield server


@pytest.fixture
def pair(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> Twins:
    return make_twins(tmp_path, run_uv, run_puv)


def _tree(pair: Twins, tool: str, name: str) -> dict[str, object]:
    return snapshot(pair.dir(tool) / name, lambda path: path.endswith(IGNORED))


@pytest.mark.parametrize("flag", ["--target", "--prefix"])
def test_directory_installs_match_uv(pair: Twins, index: IndexServer, flag: str) -> None:
    args = ("pip", "install", "sc", flag, "out", "-p", sys.executable, "-i", index.simple_url)
    first = pair.same(*args)
    assert f"interpreter at: {sys.executable}\n" in first and " + dep==1.0\n" in first
    assert _tree(pair, "puv", "out") == _tree(pair, "uv", "out")
    assert "Checked 1 package" in pair.same(*args)
    pair.write("reqs.txt", "dep==1.0\n")
    sync = ("pip", "sync", "reqs.txt", flag, "out", "-p", sys.executable, "-i", index.simple_url)
    assert " - sc==1.0\n" in pair.same(*sync)
    pair.same("pip", "uninstall", "dep", flag, "out", "-p", sys.executable)
    assert _tree(pair, "puv", "out") == _tree(pair, "uv", "out")


def test_target_and_prefix_exclude_each_other(pair: Twins) -> None:
    both = pair.run_puv("pip", "install", "sc", "--target", "a", "--prefix", "b",
                        cwd=pair.dir("puv"))  # fmt: skip
    assert both.returncode == 2
    assert "the argument '--prefix <PREFIX>' cannot be used with '--target <TARGET>'" in (
        both.stderr
    )


@pytest.fixture
def tls_index(tmp_path: Path, certificate: tuple[Path, Path]) -> Iterator[IndexServer]:  # noqa: F811
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with IndexServer(tmp_path / "tls", tls=context) as server:
        server.add_wheel("dep", "1.0")
        yield server


def test_cert_trusts_a_private_ca(
    pair: Twins,
    tls_index: IndexServer,
    certificate: tuple[Path, Path],  # noqa: F811
) -> None:
    """(uv's TLS stack refuses this self-signed certificate as an end entity, so puv alone.)"""
    args = ("pip", "install", "dep", "-p", "env", "-i", tls_index.simple_url)
    untrusted = pair.run_puv(*args, cwd=pair.dir("puv"))
    assert untrusted.returncode != 0 and "certificate" in untrusted.stderr
    trusted = pair.run_puv(*args, "--cert", str(certificate[0]), cwd=pair.dir("puv"))
    assert trusted.returncode == 0, trusted.stderr
    assert " + dep==1.0\n" in trusted.stderr


def test_keyring_provider_is_accepted_and_warns(pair: Twins, index: IndexServer) -> None:
    args = ("pip", "install", "dep", "-p", "env", "-i", index.simple_url)
    warned = pair.run_puv(*args, env={"UV_KEYRING_PROVIDER": "subprocess"}, cwd=pair.dir("puv"))
    assert warned.returncode == 0, warned.stderr
    assert "warning: `--keyring-provider subprocess` is not supported by puv yet" in warned.stderr
    quiet = pair.run_puv(*args, "--keyring-provider", "disabled", cwd=pair.dir("puv"))
    assert quiet.returncode == 0 and "warning" not in quiet.stderr
