"""Building sdists, source trees and editables in `pip install` / `pip sync`, side by side with uv.

The projects use a small in-tree PEP 517/660 backend (no build requirements, no network): a
source tree's `src/` becomes the wheel, `-C` settings are recorded in the wheel, and an editable
wheel is a `.pth` file pointing back at `src/`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.test_pip_sync_cli import Twins, make_twins
from tests.envtools import snapshot
from tests.indexserver import IndexServer
from tests.wheelmaker import write_sdist, write_wheel

BACKEND = """\
import base64, hashlib, os, zipfile

def _meta():
    import tomllib
    with open("pyproject.toml", "rb") as f:
        project = tomllib.load(f)["project"]
    return project["name"], project["version"], project.get("dependencies", [])

def _dist(name):
    return name.replace("-", "_").replace(".", "_")

def _metadata_text(name, version, deps):
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {d}" for d in deps]
    return "\\n".join(lines) + "\\n\\n"

def _write_wheel(wheel_directory, files):
    name, version, deps = _meta()
    di = f"{_dist(name)}-{version}.dist-info"
    files = dict(files)
    files[f"{di}/METADATA"] = _metadata_text(name, version, deps).encode()
    files[f"{di}/WHEEL"] = b"Wheel-Version: 1.0\\nGenerator: in-tree\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    def h(data):
        return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record = "".join(f"{p},{h(d)},{len(d)}\\n" for p, d in files.items()) + f"{di}/RECORD,,\\n"
    filename = f"{_dist(name)}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as z:
        for p, d in files.items():
            z.writestr(p, d)
        z.writestr(f"{di}/RECORD", record)
    return filename

def _prepare(metadata_directory):
    name, version, deps = _meta()
    di = f"{_dist(name)}-{version}.dist-info"
    os.makedirs(os.path.join(metadata_directory, di), exist_ok=True)
    with open(os.path.join(metadata_directory, di, "METADATA"), "w") as f:
        f.write(_metadata_text(name, version, deps))
    return di

def get_requires_for_build_wheel(config_settings=None):
    return []

def get_requires_for_build_editable(config_settings=None):
    return []

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _prepare(metadata_directory)

def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _prepare(metadata_directory)

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {}
    for root, dirs, names in os.walk("src"):
        for n in names:
            path = os.path.join(root, n)
            with open(path, "rb") as f:
                files[os.path.relpath(path, "src").replace(os.sep, "/")] = f.read()
    if config_settings:
        files["config_settings.txt"] = repr(sorted(config_settings.items())).encode()
    return _write_wheel(wheel_directory, files)

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    name, _, _ = _meta()
    pth = (os.path.abspath("src") + "\\n").encode()
    return _write_wheel(wheel_directory, {f"_{_dist(name)}_editable.pth": pth})
"""

PYPROJECT = """\
[build-system]
requires = []
build-backend = "_backend"
backend-path = ["."]

[project]
name = "treepkg"
version = "0.3"
dependencies = ["beta<3"]
"""


def make_tree(directory: Path) -> Path:
    """A source tree `treepkg` 0.3 (needs `beta<3`) built by the in-tree backend."""
    (directory / "src" / "treepkg").mkdir(parents=True)
    (directory / "src" / "treepkg" / "__init__.py").write_text("X = 1\n")
    (directory / "_backend.py").write_text(BACKEND)
    (directory / "pyproject.toml").write_text(PYPROJECT)
    return directory


@pytest.fixture
def index(tmp_path: Path) -> Iterator[IndexServer]:
    with IndexServer(tmp_path / "index") as server:
        for version in ("1.0", "2.0", "3.0"):
            server.add_wheel("beta", version)
        server.add_wheel("gamma", "1.0")
        server.add_sdist("sdonly", "1.0")
        write_sdist(server.root, {"sdpkg/__init__.py": "Y = 2\n"}, name="sdpkg", version="1.5",
                    dependencies=["gamma"])  # fmt: skip
        write_sdist(server.root, {"sdurl/__init__.py": ""}, name="sdurl", version="2.0")
        yield server


@pytest.fixture
def pair(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> Twins:
    """uv's and puv's directories, and one source tree beside them (`../tree` from both)."""
    make_tree(tmp_path / "tree")
    return make_twins(tmp_path, run_uv, run_puv)


def _install(pair: Twins, index: IndexServer, *args: str, skip: tuple[str, ...] = ()) -> str:
    return pair.same("pip", "install", "-p", "env", "-i", index.simple_url, *args, skip=skip)


def _installed(pair: Twins, tool: str) -> dict[str, object]:
    """site-packages without what differs by design (RECORD, INSTALLER, uv's cache files, and
    the `.pth` of an editable, which names each tool's own tree)."""
    skipped = ("RECORD", "INSTALLER", "uv_cache.json", "uv_build.json", "__pycache__")
    found = snapshot(pair.site_packages(tool), lambda path: path.endswith(skipped))
    return {
        path: entry
        for path, entry in found.items()
        if not path.endswith((".pth", "direct_url.json"))
    }


def test_source_tree_and_editable_install_as_uv(pair: Twins, index: IndexServer) -> None:
    dry = _install(pair, index, "../tree", "--dry-run")
    assert " + treepkg @ file://" in dry and "Would download 2 packages" in dry
    built = _install(pair, index, "../tree")
    assert "   Building treepkg @ file://" in built and " + treepkg==0.3 (from file://" in built
    assert " ~ treepkg==0.3 (from file://" in _install(pair, index, "../tree")  # always rebuilt
    assert _installed(pair, "puv") == _installed(pair, "uv")
    _install(pair, index, "-e", "../tree")
    assert " ~ treepkg==0.3 (from file://" in _install(pair, index, "-e", "../tree")
    pair.same("pip", "freeze", "-p", "env")
    pair.same("pip", "list", "-p", "env", "--editable")
    tree = pair.root / "tree"
    for tool in ("uv", "puv"):
        direct = pair.site_packages(tool) / "treepkg-0.3.dist-info" / "direct_url.json"
        assert direct.read_text() == f'{{"url":"{tree.as_uri()}","dir_info":{{"editable":true}}}}'
    assert _installed(pair, "puv") == _installed(pair, "uv")
    # an editable install sees changes to the tree without a reinstall
    (tree / "src" / "treepkg" / "__init__.py").write_text("X = 2\n")
    python = pair.env("puv") / "bin" / "python"
    shown = subprocess.run([python, "-c", "import treepkg; print(treepkg.X)"],
                           capture_output=True, text=True)  # fmt: skip
    assert shown.stdout == "2\n", shown.stderr


def test_sdists_by_path_url_and_index_install_as_uv(pair: Twins, index: IndexServer) -> None:
    local = index.root / "sdpkg-1.5.tar.gz"
    assert f" + sdpkg @ {local.as_uri()}" in _install(pair, index, str(local), "--dry-run")
    built = _install(pair, index, str(local))
    assert f"      Built sdpkg @ {local.as_uri()}\n" in built
    assert "Checked 1 package" in _install(pair, index, str(local))  # an archive is kept
    remote = index.file_url("sdurl-2.0.tar.gz")
    assert f"      Built sdurl @ {remote}\n" in _install(pair, index, f"sdurl @ {remote}")
    assert "Checked 1 package" in _install(pair, index, remote)
    assert "   Building sdonly==1.0\n" in _install(pair, index, "sdonly")
    assert "Wheels are required for `sdonly`" in _install(
        pair, index, "sdonly", "--reinstall", "--no-build"
    )
    assert "A source distribution is required for `gamma`" in _install(
        pair, index, "gamma", "--reinstall", "--no-binary", "gamma"
    )
    pair.same("pip", "freeze", "-p", "env")
    assert _installed(pair, "puv") == _installed(pair, "uv")


def test_config_settings_reach_the_backend(pair: Twins, index: IndexServer) -> None:
    _install(pair, index, "../tree", "-C", "mode=fast", "-C", "opt=a", "-C", "opt=b")
    for tool in ("uv", "puv"):
        recorded = pair.site_packages(tool) / "config_settings.txt"
        assert recorded.read_text() == "[('mode', 'fast'), ('opt', ['a', 'b'])]"


def test_sync_builds_trees_and_sdists_as_uv(pair: Twins, index: IndexServer) -> None:
    pair.write("reqs.txt", f"../tree\n{index.root / 'sdpkg-1.5.tar.gz'}\nbeta==2.0\ngamma==1.0\n")
    args = ("pip", "sync", "reqs.txt", "-p", "env", "-i", index.simple_url)
    pair.same(*args, "--dry-run")
    # (uv builds in parallel and prints `Built` as each ends: compare the rest)
    built = pair.same(*args, skip=("   Building ", "      Built "))
    assert " + treepkg==0.3 (from file://" in built
    assert "Checked 4 packages" in pair.same(*args)  # an unchanged tree is current
    (pair.root / "tree" / "pyproject.toml").write_text(PYPROJECT + "\n")
    assert " ~ treepkg==0.3 (from file://" in pair.same(*args)
    assert _installed(pair, "puv") == _installed(pair, "uv")


def test_direct_reference_errors(pair: Twins, index: IndexServer, tmp_path: Path) -> None:
    wrong = write_wheel(tmp_path / "w", {"other/__init__.py": ""}, name="other", version="1.0")
    assert "does not match `other`" in _install(pair, index, f"beta @ {wrong.as_uri()}")
    assert "Distribution not found at" in _install(pair, index, str(tmp_path / "x-1.0.tar.gz"))
    nameless = pair.run_puv("pip", "install", "-e", str(tmp_path), "-p", "env",
                            cwd=pair.dir("puv"))  # fmt: skip
    assert nameless.returncode == 2 and "Traceback" not in nameless.stderr


def test_a_tree_requiring_another_by_url_installs_both_as_uv(
    pair: Twins, index: IndexServer
) -> None:
    leaf = make_tree(pair.root / "leaf")
    text = (leaf / "pyproject.toml").read_text().replace('"treepkg"', '"leafpkg"')
    (leaf / "pyproject.toml").write_text(text)
    (leaf / "src" / "treepkg").rename(leaf / "src" / "leafpkg")
    user = make_tree(pair.root / "user")
    text = (user / "pyproject.toml").read_text().replace('"beta<3"', f'"leafpkg @ {leaf.as_uri()}"')
    (user / "pyproject.toml").write_text(text)
    installed = pair.same(
        "pip",
        "install",
        "-p",
        "env",
        "-i",
        index.simple_url,
        "../user",
        skip=("Prepared", "   Building", "      Built"),
    )
    assert f" + leafpkg==0.3 (from {leaf.as_uri()})" in installed
    pair.same("pip", "freeze", "-p", "env")


def test_a_constraint_url_is_where_a_required_package_comes_from(
    pair: Twins, index: IndexServer
) -> None:
    """`-c` with `beta @ <url>`: the tree's `beta<3` is installed from that URL (a constraint's
    URL for a package nobody requires is never read); a second install is a no-op, as in uv."""
    beta = index.file_url("beta-2.0-py3-none-any.whl")
    missing = "missing @ file:///nowhere/missing-1.0-py3-none-any.whl"
    pair.write("constraints.txt", f"beta @ {beta}\n{missing}\n")
    installed = _install(
        pair,
        index,
        "../tree",
        "-c",
        "constraints.txt",
        skip=("Prepared", "   Building", "      Built"),
    )
    assert f" + beta==2.0 (from {beta})" in installed
    _install(pair, index, "../tree", "-c", "constraints.txt")
    pair.same("pip", "freeze", "-p", "env")


def test_an_override_url_replaces_a_requirement_url_where_a_constraint_url_conflicts(
    pair: Twins, index: IndexServer
) -> None:
    beta = index.file_url("beta-2.0-py3-none-any.whl")
    other = index.file_url("beta-1.0-py3-none-any.whl")
    pair.write("other.txt", f"beta @ {other}\n")
    wanted = ("pip", "install", "-p", "env", "--dry-run", "-i", index.simple_url, f"beta @ {beta}")
    conflict = pair.same(*wanted, "-c", "other.txt")
    assert "error: Requirements contain conflicting URLs for package `beta`:" in conflict
    assert f" + beta @ {other}" in pair.same(*wanted, "--override", "other.txt")
