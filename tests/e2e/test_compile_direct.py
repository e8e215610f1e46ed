"""Direct references in `puv pip compile` (source trees, editables, local and remote wheels and
sdists, `git+` URLs, the URL requirements they declare), each run through the real uv and puv
against one local index and compared: stdout byte for byte, stderr without durations.

The source trees are built by the small in-tree backend of `test_pipinstall_builds` (no build
requirements, no network).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.test_compile_flags import assert_same, compile_both
from tests.e2e.test_pipinstall_builds import BACKEND
from tests.indexserver import IndexServer
from tests.wheelmaker import write_sdist, write_wheel

GIT = shutil.which("git")


def make_project(directory: Path, name: str, version: str, *dependencies: str) -> Path:
    """A source tree `name==version` requiring `dependencies`, built by the in-tree backend."""
    package = directory / "src" / name.replace("-", "_")
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (directory / "_backend.py").write_text(BACKEND)
    listed = ", ".join(f'"{dependency}"' for dependency in dependencies)
    (directory / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "_backend"\nbackend-path = ["."]\n\n'
        f'[project]\nname = "{name}"\nversion = "{version}"\ndependencies = [{listed}]\n'
    )
    return directory


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    """An index with `beta` 1-3, `gamma` (extras `fast` and `slow`) and `needsurl`, a wheel
    that requires a package by URL."""
    root = tmp_path_factory.mktemp("compile-direct-index")
    with IndexServer(root) as server:
        for version in ("1.0", "2.0", "3.0"):
            server.add_wheel("beta", version)
        headers = ["Provides-Extra: fast", "Provides-Extra: slow"]
        headers += [
            'Requires-Dist: beta<3 ; extra == "fast"',
            'Requires-Dist: delta ; extra == "slow"',
        ]
        write_wheel(root, {"gamma/__init__.py": ""}, name="gamma", version="1.0",
                    metadata_headers=headers)  # fmt: skip
        server.add_wheel("delta", "1.0")
        server.add_wheel("needsurl", "1.0", requires_dist=["leaf @ file:///nowhere/leaf"])
        yield server


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A working directory with source trees (`tree` and its `copy`, `other`, `leaf`,
    `uses-leaf`), a wheel
    and an sdist under `dist/`."""
    make_project(tmp_path / "tree", "treepkg", "0.3", "beta<3")
    make_project(tmp_path / "copy", "treepkg", "0.3", "beta<3")
    make_project(tmp_path / "other", "otherpkg", "1.1", "gamma[fast]")
    make_project(tmp_path / "leaf", "leaf", "2.0")
    make_project(
        tmp_path / "uses-leaf", "uses-leaf", "1.0", f"leaf @ {(tmp_path / 'leaf').as_uri()}"
    )
    write_wheel(tmp_path / "dist", {"wheelpkg/__init__.py": ""}, name="wheelpkg", version="1.0",
                metadata_headers=["Requires-Dist: beta>=2"])  # fmt: skip
    write_sdist(tmp_path / "dist", {"PKG-INFO": _pkg_info("sdpkg", "1.5", "delta")},
                name="sdpkg", version="1.5")  # fmt: skip
    return tmp_path


def _pkg_info(name: str, version: str, *requires: str) -> str:
    lines = ["Metadata-Version: 2.2", f"Name: {name}", f"Version: {version}"]
    return "\n".join([*lines, *(f"Requires-Dist: {r}" for r in requires)]) + "\n\n"


def _compile(
    run_puv: Runner, run_uv: Runner, work: Path, index: IndexServer, text: str, *args: str
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    (work / "requirements.in").write_text(text)
    puv, uv = compile_both(run_puv, run_uv, work, index.simple_url, "requirements.in", *args)
    assert_same(puv, uv)
    return puv, uv


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("-e ./tree\n./other\n", ()),
        ("-e tree\n-e ./other\ndist/wheelpkg-1.0-py3-none-any.whl\n", ("--generate-hashes",)),
        ("./dist/sdpkg-1.5.tar.gz\ntreepkg @ ./tree\n", ("--generate-hashes",)),
        ("otherpkg @ {work}/other\n./tree[y]\ngamma[slow,fast]\n", ("--no-strip-extras",)),
        ("./tree\n./other\n", ("--annotation-style", "line")),
        ("./tree ; sys_platform == 'linux'\n./other ; sys_platform == 'win32'\n", ("--universal",)),
        ("-e ./tree ; python_version >= '3.10'\ngamma[slow,fast]\n", ("--universal", "--no-strip-extras")),
        ("gamma[slow,fast]\n./tree\n", ("--no-strip-extras", "--emit-index-annotation")),
        ("treepkg @ file://{work}/tree\n./tree\n", ()),
        ("./tree\ntreepkg @ file://{work}/tree\n", ()),
        ("./tree\n../{name}/tree\n", ()),
        ("./tree\n-e ./tree\n", ()),
        ("./uses-leaf\n", ()),
        ("./uses-leaf\n./leaf\n", ("--universal",)),
    ],
    ids=[
        "editable-and-tree", "hashes", "sdist-and-named-path", "extras", "line-style",
        "universal", "universal-editable-extras", "index-annotation", "same-tree-twice",
        "unnamed-after-named", "last-spelling-kept",
        "editable-wins", "transitive-url", "transitive-url-universal",
    ],
)  # fmt: skip
def test_direct_references_compile_as_uv(
    run_puv: Runner,
    run_uv: Runner,
    work: Path,
    index: IndexServer,
    text: str,
    args: tuple[str, ...],
) -> None:
    _, uv = _compile(run_puv, run_uv, work, index, text.format(work=work, name=work.name), *args)
    assert uv.returncode == 0, uv.stderr


@pytest.mark.parametrize(
    ("text", "args"),
    [
        (
            "treepkg @ file://{work}/tree ; sys_platform == 'linux'\n"
            "treepkg @ file://{work}/copy ; sys_platform == 'win32'\n./other\n",
            ("--universal",),
        ),
        (
            "beta @ {beta} ; sys_platform == 'linux'\nbeta<3 ; sys_platform != 'linux'\n"
            "./dist/sdpkg-1.5.tar.gz\n",
            ("--universal", "--generate-hashes"),
        ),
        (
            "beta @ {beta} ; sys_platform == 'linux'\nbeta<3 ; sys_platform != 'linux'\n",
            ("--emit-index-annotation",),
        ),
        (
            "beta @ {beta} ; sys_platform == 'win32'\nbeta<3 ; sys_platform != 'win32'\n",
            (),
        ),
        (
            "./tree ; sys_platform == 'linux'\n"
            "treepkg @ file://{work}/copy ; python_version >= '3.11'\n",
            ("--universal",),
        ),
    ],
    ids=["trees", "url-and-index", "this-platform", "other-platform", "overlapping"],
)
def test_references_that_differ_by_environment_compile_as_uv(
    run_puv: Runner,
    run_uv: Runner,
    work: Path,
    index: IndexServer,
    text: str,
    args: tuple[str, ...],
) -> None:
    """One package from different places in different environments: a universal resolution
    forks and writes one line per source; one environment takes the reference whose marker
    holds (or the index); overlapping references fail in the fork where both apply."""
    beta = index.file_url("beta-3.0-py3-none-any.whl")
    _compile(run_puv, run_uv, work, index, text.format(work=work, beta=beta), *args)


@pytest.mark.parametrize(
    ("requirements", "option", "constraints", "args"),
    [
        ("dist/wheelpkg-1.0-py3-none-any.whl\n", "-c", "beta @ {beta}\n", ()),
        ("dist/wheelpkg-1.0-py3-none-any.whl\n", "-c", "beta @ {beta}\n", ("--universal",)),
        ("beta<3\ngamma\n", "--override", "beta @ {beta}\n", ("--generate-hashes",)),
        # a constraint's URL for a package nobody requires is never read
        ("gamma\n", "-c", "beta @ {beta}\nmissing @ file:///nowhere/missing-1.0-py3-none-any.whl\n", ()),
        ("beta @ {beta2}\n", "-c", "beta @ {beta}\n", ()),
        ("beta @ {beta2}\n", "--override", "beta @ {beta}\n", ()),
    ],
    ids=["constraint", "universal", "override", "unused", "conflicting", "override-wins"],
)  # fmt: skip
def test_urls_in_constraints_and_overrides_compile_as_uv(
    run_puv: Runner,
    run_uv: Runner,
    work: Path,
    index: IndexServer,
    requirements: str,
    option: str,
    constraints: str,
    args: tuple[str, ...],
) -> None:
    """A constraint's (or override's) URL is where a required package comes from, annotated
    `# via -c constraints.txt` (constraints before requirements, as uv orders them)."""
    urls = {
        "beta": index.file_url("beta-3.0-py3-none-any.whl"),
        "beta2": index.file_url("beta-2.0-py3-none-any.whl"),
    }
    (work / "requirements.in").write_text(requirements.format(**urls))
    (work / "constraints.txt").write_text(constraints.format(**urls))
    puv, uv = compile_both(
        run_puv, run_uv, work, index.simple_url, "requirements.in", option, "constraints.txt", *args
    )
    assert_same(puv, uv)
    conflicting = option == "-c" and "{beta2}" in requirements
    assert puv.returncode == (1 if conflicting else 0), puv.stderr
    if not conflicting and "gamma" not in requirements.replace("beta<3", "beta"):
        assert f"beta @ {urls['beta']}" in puv.stdout


def test_an_index_package_extras_are_written_as_uv_writes_them(
    run_puv: Runner, run_uv: Runner, work: Path, index: IndexServer
) -> None:
    puv, _ = _compile(run_puv, run_uv, work, index, "gamma[slow,fast]\n", "--no-strip-extras")
    assert "gamma[fast, slow]==1.0\n" in puv.stdout


def test_a_remote_wheel_is_hashed_as_uv_hashes_it(
    run_puv: Runner, run_uv: Runner, work: Path, index: IndexServer
) -> None:
    url = index.file_url("beta-2.0-py3-none-any.whl")
    puv, _ = _compile(run_puv, run_uv, work, index, f"beta @ {url}\n", "--generate-hashes")
    assert f"beta @ {url} \\\n    --hash=sha256:" in puv.stdout


@pytest.mark.parametrize(
    "text",
    [
        "./tree\ntreepkg>=1\n",  # the tree's one version is below the bound
        "needsurl\n",  # an index package may not require a URL
        "./tree\ntreepkg @ file://{work}/copy\n",  # two places for one package
        "treepkg @ file://{work}/other\n",  # the tree has another name
    ],
    ids=["version-mismatch", "disallowed-url", "conflicting-urls", "name-mismatch"],
)
def test_direct_reference_failures_match_uv(
    run_puv: Runner, run_uv: Runner, work: Path, index: IndexServer, text: str
) -> None:
    puv, uv = _compile(run_puv, run_uv, work, index, text.format(work=work))
    assert uv.returncode != 0 and puv.stderr.startswith("error:")


def test_a_pyproject_dependency_by_path_compiles_as_uv(
    run_puv: Runner, run_uv: Runner, work: Path, index: IndexServer
) -> None:
    (work / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1"\n'
        f'dependencies = ["treepkg @ {(work / "tree").as_uri()}", "beta"]\n'
    )
    puv, uv = compile_both(run_puv, run_uv, work, index.simple_url, "pyproject.toml")
    assert_same(puv, uv)
    assert "treepkg @ file://" in puv.stdout


@pytest.mark.skipif(GIT is None, reason="needs git")
def test_a_git_reference_is_pinned_to_its_commit_as_uv_pins_it(
    run_puv: Runner, run_uv: Runner, work: Path, index: IndexServer
) -> None:
    repository = work / "tree"
    git = [GIT or "git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repository)]
    for arguments in (["init", "-q"], ["add", "."], ["commit", "-qm", "one"], ["tag", "v1"]):
        subprocess.run([*git, *arguments], check=True)
    (repository / "src" / "treepkg" / "later.py").write_text("")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "two"], check=True)
    tagged = subprocess.run(
        [*git, "rev-parse", "v1"], check=True, capture_output=True, text=True
    ).stdout.strip()
    text = f"treepkg @ git+{repository.as_uri()}@v1\n"
    puv, _ = _compile(run_puv, run_uv, work, index, text, "--generate-hashes")
    assert f"treepkg @ git+{repository.as_uri()}@{tagged}\n" in puv.stdout
    _compile(run_puv, run_uv, work, index, f"treepkg @ git+{repository.as_uri()}\n", "--universal")
    unnamed = f"git+{repository.as_uri()}@v1\n"
    puv, _ = _compile(run_puv, run_uv, work, index, unnamed)
    assert puv.stderr.count("Updating") == 1  # named, then resolved: fetched once
    _compile(run_puv, run_uv, work, index, unnamed, "--format", "pylock.toml")
    _compile(run_puv, run_uv, work, index, text.replace("@v1", ""), "--format", "pylock.toml")


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ("-e ./tree\n{work}/dist/wheelpkg-1.0-py3-none-any.whl\n./dist/sdpkg-1.5.tar.gz\n",
         ("-o", "out/pylock.toml")),
        ("treepkg @ file://{work}/tree\n./other\n", ("--format", "pylock.toml", "--universal")),
        ("./tree ; sys_platform == 'linux'\nbeta @ {files}/beta-2.0-py3-none-any.whl\n",
         ("--format", "pylock.toml")),
        ("./dist/wheelpkg-1.0-py3-none-any.whl\nbeta==3.0\n", ("-o", "pylock.dev.toml")),
    ],
)  # fmt: skip
def test_direct_references_in_pylock_output_match_uv(
    run_puv: Runner,
    run_uv: Runner,
    work: Path,
    index: IndexServer,
    text: str,
    args: tuple[str, ...],
) -> None:
    """Source trees as `directory` (no version), wheels and sdists by path or URL as `archive`
    with their sha256, paths relative to the output file's directory unless given absolute."""
    (work / "out").mkdir()
    files = index.simple_url.replace("/simple/", "/files/").rstrip("/")
    _compile(run_puv, run_uv, work, index, text.format(work=work, files=files), *args)
