"""Uninstalling by RECORD: same result as uv, and never a deletion outside the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from puv.install.scheme import Scheme
from puv.install.uninstall import MissingRecord, uninstall_wheel
from tests.envtools import demo_wheels, install, make_venv, run_uv, snapshot
from tests.wheelmaker import write_wheel


def test_same_result_as_uv_uninstall(tmp_path: Path) -> None:
    """uv installs (with bytecode) into two venvs; uv uninstalls one, puv the other.

    puv also removes the bytecode of removed top-level modules (`site-packages/__pycache__/
    demo_pure.cpython-311.pyc`), which uv leaves behind; everything else is identical.
    """
    wheels = tmp_path / "wheels"
    demo_wheels(wheels)
    venvs = [make_venv(tmp_path / name / "venv") for name in ("uv", "puv")]
    for venv in venvs:
        run_uv(
            ["pip", "install", "--compile-bytecode", "--python", str(venv.python),
             "--no-index", "--find-links", str(wheels), "demo"],
            tmp_path / "uv-cache",
        )  # fmt: skip
    theirs, ours = venvs
    run_uv(["pip", "uninstall", "--python", str(theirs.python), "demo"], tmp_path / "uv-cache")
    (dist_info,) = ours.site_packages.glob("demo-*.dist-info")
    warnings: list[str] = []
    result = uninstall_wheel(dist_info, ours.layout.scheme, "demo==1.0", warn=warnings.append)
    assert warnings == []
    assert result.file_count > 10

    def tree(venv_root: Path) -> set[str]:
        return {path for path in snapshot(venv_root) if not path.endswith(".lock")}

    major, minor = ours.layout.python_version
    site = f"lib/python{major}.{minor}/site-packages/__pycache__"
    stale = {
        site,
        *(f"{site}/{module}.cpython-{major}{minor}.pyc" for module in ("demo_plat", "demo_pure")),
    }
    assert tree(ours.root) == tree(theirs.root) - stale


def test_uninstall_undoes_install(tmp_path: Path) -> None:
    venv = make_venv(tmp_path / "venv")
    before = snapshot(venv.root)
    for wheel in demo_wheels(tmp_path / "wheels"):
        _, installed = install(wheel, venv, tmp_path / "cache")
        os.makedirs(installed.dist_info.parent / "demo" / "__pycache__", exist_ok=True)
    for dist_info in sorted(venv.site_packages.glob("*.dist-info")):
        uninstall_wheel(dist_info, venv.layout.scheme, dist_info.name)
    after = snapshot(venv.root)
    # Like uv, directories outside site-packages are left (they may be shared system dirs).
    python = "python{}.{}".format(*venv.layout.python_version)
    leftovers = {path: after[path][0] for path in after if path not in before}
    assert leftovers == {
        "include": "dir",
        "include/site": "dir",
        f"include/site/{python}": "dir",
        f"include/site/{python}/demo": "dir",
        "share": "dir",
        "share/demo": "dir",
    }
    assert {path: after[path] for path in before} == before


def test_missing_record_is_uvs_error(tmp_path: Path) -> None:
    dist_info = tmp_path / "site" / "x-1.0.dist-info"
    dist_info.mkdir(parents=True)
    scheme = Scheme(*(tmp_path / "site",) * 4, tmp_path / "include")
    with pytest.raises(MissingRecord) as err:
        uninstall_wheel(dist_info, scheme, "x==1.0")
    assert err.value.message == (
        f"Cannot uninstall package; `RECORD` file not found at: {dist_info / 'RECORD'}"
    )
    assert dist_info.is_dir()


def scheme_for(root: Path) -> Scheme:
    """A system-like scheme: no root contains another (unlike a venv, where `data` is the venv)."""
    site = root / "sp" / "site-packages"
    return Scheme(site, site, root / "bin", root / "data", root / "inc")


@pytest.mark.parametrize(
    "entry",
    [
        "../../../victim",  # plain escape
        "../site-packages-evil/victim",  # sibling prefix of site-packages (pip CVE-2026-1703)
        "../../binfoo/victim",  # sibling prefix of bin
        ".",  # site-packages itself
        "..",  # its parent
        "../..",  # the parent of every root
        "link/victim",  # lexically inside, but through a symlink that leaves the scheme
    ],
)
def test_entries_escaping_the_scheme_are_skipped(entry: str, tmp_path: Path) -> None:
    scheme = scheme_for(tmp_path)
    site = scheme.purelib
    dist_info = site / "evil-0.1.dist-info"
    dist_info.mkdir(parents=True)
    (site / "evil.py").write_text("")
    outside = tmp_path / "outside"
    outside.mkdir()
    (site / "link").symlink_to(outside, target_is_directory=True)
    for victim in (
        tmp_path.parent / "victim",
        tmp_path / "sp" / "site-packages-evil" / "victim",
        tmp_path / "binfoo" / "victim",
        outside / "victim",
    ):
        victim.parent.mkdir(parents=True, exist_ok=True)
        victim.write_text("precious")
    (dist_info / "RECORD").write_text(f"evil.py,,\n{entry},,\nevil-0.1.dist-info/RECORD,,\n")

    def in_site_packages(path: str) -> bool:
        return path.startswith("sp/site-packages/")

    before = snapshot(tmp_path, ignore=in_site_packages)
    warnings: list[str] = []
    uninstall_wheel(dist_info, scheme, "evil==0.1", warn=warnings.append)
    assert warnings == [
        "Invalid RECORD entry in evil==0.1 that escapes the Python environment, skipping: " + entry
    ]
    assert snapshot(tmp_path, ignore=in_site_packages) == before
    assert (tmp_path.parent / "victim").read_text() == "precious"
    assert not (site / "evil.py").exists() and not dist_info.exists()
    assert (site / "link").is_symlink()


@pytest.mark.parametrize("entry", [".", "..", "../..", "../../..", "/", "lib"])
def test_scheme_roots_are_never_removed(entry: str, tmp_path: Path) -> None:
    """In a venv every root is inside `data` (the venv): listed roots still stay."""
    venv = tmp_path / "venv"
    site = venv / "lib" / "python3.11" / "site-packages"
    scheme = Scheme(site, site, venv / "bin", venv, venv / "include" / "site" / "python3.11")
    (site / "x-1.dist-info").mkdir(parents=True)
    (site / "keep.py").write_text("")
    (venv / "bin").mkdir()
    (site / "x-1.dist-info" / "RECORD").write_text(f"{entry},,\n")
    uninstall_wheel(site / "x-1.dist-info", scheme, "x==1")
    assert (site / "keep.py").exists() and (venv / "bin").is_dir()


def test_listed_directory_inside_site_packages_is_removed(tmp_path: Path) -> None:
    scheme = scheme_for(tmp_path)
    site = scheme.purelib
    (site / "pkg" / "data").mkdir(parents=True)
    (site / "pkg" / "data" / "blob").write_text("x")
    (site / "evil-0.1.dist-info").mkdir()
    (site / "evil-0.1.dist-info" / "RECORD").write_text("pkg/data,,\n")
    result = uninstall_wheel(site / "evil-0.1.dist-info", scheme, "evil==0.1")
    assert not (site / "pkg").exists()
    assert result.dir_count >= 2


def test_bytecode_and_empty_dirs_go(tmp_path: Path) -> None:
    scheme = scheme_for(tmp_path)
    site = scheme.purelib
    (site / "pkg" / "sub" / "__pycache__").mkdir(parents=True)
    (site / "pkg" / "sub" / "m.py").write_text("")
    (site / "pkg" / "sub" / "__pycache__" / "m.cpython-311.pyc").write_text("")
    (site / "__pycache__").mkdir()
    (site / "__pycache__" / "top.cpython-311.pyc").write_text("")
    (site / "__pycache__" / "topper.cpython-311.pyc").write_text("")
    (site / "top.py").write_text("")
    (site / "keep.py").write_text("")
    (site / "x-1.dist-info").mkdir()
    (site / "x-1.dist-info" / "RECORD").write_text(
        "pkg/sub/m.py,,\ntop.py,,\nx-1.dist-info/RECORD,,\n"
    )
    uninstall_wheel(site / "x-1.dist-info", scheme, "x==1")
    assert sorted(os.listdir(site)) == ["__pycache__", "keep.py"]
    assert os.listdir(site / "__pycache__") == ["topper.cpython-311.pyc"]


def test_rerun_after_partial_uninstall(tmp_path: Path) -> None:
    """RECORD goes last, so an interrupted uninstall is simply run again."""
    venv = make_venv(tmp_path / "venv")
    wheel = write_wheel(tmp_path, {"pkg/a.py": "", "pkg/b.py": ""}, name="pkg")
    _, installed = install(wheel, venv, tmp_path / "cache")
    (venv.site_packages / "pkg" / "a.py").unlink()  # as if killed after the first file
    uninstall_wheel(installed.dist_info, venv.layout.scheme, "pkg==0.1")
    assert not (venv.site_packages / "pkg").exists()
    assert not installed.dist_info.exists()
