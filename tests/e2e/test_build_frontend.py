"""The PEP 517/660 frontend end to end: real build environments, real backends, real subprocesses.

Offline tests use tiny in-tree backends (`backend-path = ["."]`) and build requirements served by a
local index; the `network` tests stock hatchling, editables and setuptools wheels from PyPI once per
session (`pip download`) into a local index and build real projects with them. Failures are
compared with what the reference uv prints for the same tree.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from puv.build.errors import BuildError
from puv.build.frontend import DEFAULT_BACKEND, DEFAULT_REQUIRES, read_build_system
from puv.cache.layout import CacheLayout
from puv.core.errors import PuvError
from puv.core.printer import Printer
from puv.index.client import ClientOptions, HttpClient
from puv.index.indexes import Index, IndexList, PackageFinder
from puv.operations.build_ops import build_distributions, build_metadata_for, build_wheel_for
from puv.operations.context import Context
from puv.python.interpreter import Interpreter
from puv.python.probe import probe_interpreter
from tests.e2e.conftest import Runner
from tests.indexserver import IndexServer
from tests.wheelmaker import IN_TREE_BACKEND, write_sdist

PYTHON = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"


@pytest.fixture(scope="module")
def interpreter(tmp_path_factory: pytest.TempPathFactory) -> Interpreter:
    return probe_interpreter(PYTHON, CacheLayout(tmp_path_factory.mktemp("probe")))


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    return Context(Printer(err=io.StringIO()), CacheLayout(tmp_path / "cache"), tmp_path)


@pytest.fixture
def no_index() -> Iterator[PackageFinder]:
    client = HttpClient(ClientOptions())
    yield PackageFinder(client, IndexList(no_index=True))
    client.close()


def _finder(server: IndexServer) -> PackageFinder:
    return PackageFinder(
        HttpClient(ClientOptions()), IndexList(indexes=(Index(server.simple_url, default=True),))
    )


def _tree(root: Path, backend: str, *, requires: str = "[]", name: str = "pkg") -> Path:
    """A source tree with an in-tree backend module `_backend.py`."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[build-system]\nrequires = {requires}\nbuild-backend = "_backend"\nbackend-path = ["."]'
        f'\n\n[project]\nname = "{name}"\nversion = "0.1"\n'
    )
    (root / "_backend.py").write_text(backend)
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("VALUE = 1\n")
    return root


def _rendered(error: PuvError) -> str:
    stream = io.StringIO()
    Printer(err=stream).error(error.message, error.causes, error.hint)
    return stream.getvalue()


def _uv_error(run_uv: Runner, tmp_path: Path, source: Path, *extra: str) -> str:
    """uv's error (from `error:` on) for `uv pip install SOURCE` into a fresh venv."""
    venv = tmp_path / "uv-venv"
    assert run_uv("venv", "-q", str(venv), "--python", str(PYTHON)).returncode == 0
    result = run_uv("pip", "install", "--python", str(venv), "--no-index", *extra, str(source))
    assert result.returncode == 1, result.stderr
    return result.stderr[result.stderr.index("error:") :]


def _wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as bundle:
        return sorted(bundle.namelist())


# --- offline --------------------------------------------------------------------------------------


def test_missing_build_system_means_setuptools_legacy(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("")
    system = read_build_system(tmp_path)
    assert (system.backend, system.requires, system.backend_path) == (
        DEFAULT_BACKEND,
        DEFAULT_REQUIRES,
        (),
    )
    assert DEFAULT_BACKEND == "setuptools.build_meta:__legacy__"


def test_sdist_wheel_is_cached_by_archive_hash(
    ctx: Context, interpreter: Interpreter, no_index: PackageFinder, tmp_path: Path
) -> None:
    sdist = write_sdist(tmp_path / "in", {"pkg/__init__.py": "X = 1\n"})
    first = build_wheel_for(ctx, sdist, interpreter, finder=no_index)
    assert first.name == "pkg-0.1-py3-none-any.whl"
    assert first.is_relative_to(ctx.cache.bucket("sdists"))
    assert "pkg/__init__.py" in _wheel_names(first)
    stamp = first.stat().st_mtime_ns
    again = build_wheel_for(ctx, sdist, interpreter, finder=no_index)
    assert again == first and again.stat().st_mtime_ns == stamp
    changed = write_sdist(tmp_path / "in2", {"pkg/__init__.py": "X = 2\n"})
    other = build_wheel_for(ctx, changed, interpreter, finder=no_index)
    assert other != first
    scratch = [p for p in ctx.cache.bucket("sdists").iterdir() if p.name.startswith(".tmp")]
    assert scratch == []


def test_sdist_metadata_comes_from_prepare_metadata_and_is_cached(
    ctx: Context, interpreter: Interpreter, no_index: PackageFinder, tmp_path: Path
) -> None:
    sdist = write_sdist(tmp_path / "in", {}, dependencies=["six>=1", 'idna; python_version < "3"'])
    metadata = build_metadata_for(ctx, sdist, interpreter, finder=no_index)
    assert b"Requires-Dist: six>=1\n" in metadata
    cached = list(ctx.cache.bucket("sdists").glob("*/*/METADATA"))
    assert [path.read_bytes() for path in cached] == [metadata]
    assert list(ctx.cache.bucket("sdists").glob("*/*/*.whl")) == []  # no wheel was needed
    cached[0].write_bytes(b"Name: from-cache\n")
    assert build_metadata_for(ctx, sdist, interpreter, finder=no_index) == b"Name: from-cache\n"


def test_sdist_metadata_without_the_hook_builds_and_keeps_the_wheel(
    ctx: Context, interpreter: Interpreter, no_index: PackageFinder, tmp_path: Path
) -> None:
    backend = IN_TREE_BACKEND.replace(
        "def prepare_metadata_for_build_wheel(", "def _no_prepare_metadata_for_build_wheel("
    )
    sdist = write_sdist(
        tmp_path / "in",
        {"_backend.py": backend},
        pyproject='[build-system]\nrequires = []\nbuild-backend = "_backend"\n'
        'backend-path = ["."]\n\n[project]\nname = "pkg"\nversion = "0.1"\n'
        'dependencies = ["six"]\n',
    )
    metadata = build_metadata_for(ctx, sdist, interpreter, finder=no_index)
    assert b"Requires-Dist: six\n" in metadata
    (kept,) = ctx.cache.bucket("sdists").glob("*/*/*.whl")
    stamp = kept.stat().st_mtime_ns
    assert build_wheel_for(ctx, sdist, interpreter, finder=no_index) == kept
    assert kept.stat().st_mtime_ns == stamp


def test_backend_path_outside_the_tree_matches_uv(
    ctx: Context,
    interpreter: Interpreter,
    no_index: PackageFinder,
    tmp_path: Path,
    run_uv: Runner,
) -> None:
    tree = _tree(tmp_path / "tree", IN_TREE_BACKEND)
    text = (tree / "pyproject.toml").read_text()
    (tree / "pyproject.toml").write_text(
        text.replace('backend-path = ["."]', 'backend-path = [".."]')
    )
    with pytest.raises(BuildError) as caught:
        build_wheel_for(ctx, tree, interpreter, finder=no_index)
    assert _rendered(caught.value) == _uv_error(run_uv, tmp_path, tree)


def test_config_settings_reach_the_backend(
    ctx: Context, interpreter: Interpreter, no_index: PackageFinder, tmp_path: Path
) -> None:
    backend = IN_TREE_BACKEND.replace(
        "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n",
        "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"
        "    import json\n"
        "    with open('seen.json', 'w') as f:\n"
        "        json.dump(config_settings, f)\n",
    )
    tree = _tree(tmp_path / "tree", backend)
    build_wheel_for(ctx, tree, interpreter, finder=no_index, config_settings={"mode": "fast"})
    assert (tree / "seen.json").read_text() == '{"mode": "fast"}'


def test_build_requirements_are_resolved_from_the_index_and_the_environment_reused(
    ctx: Context, interpreter: Interpreter, tmp_path: Path
) -> None:
    with IndexServer(tmp_path / "index") as server:
        server.add_wheel(
            "helper",
            "1.0",
            requires_dist=["dep>=1", 'never; python_version < "3"', 'extra-dep; extra == "x"'],
        )
        server.add_wheel("helper", "2.0", requires_python=">=99")
        server.add_wheel("dep", "1.0", {"dep/__init__.py": b"NAME = 'dep 1.0'\n"})
        server.add_wheel("dep", "2.0rc1")
        backend = "import helper, dep\n" + IN_TREE_BACKEND
        finder = _finder(server)
        try:
            one = _tree(tmp_path / "one", backend, requires='["helper"]', name="one")
            two = _tree(tmp_path / "two", backend, requires='["helper"]', name="two")
            assert build_wheel_for(ctx, one, interpreter, finder=finder).name == (
                "one-0.1-py3-none-any.whl"
            )
            envs = [p for p in ctx.cache.bucket("builds").iterdir() if not p.name.startswith(".")]
            assert len(envs) == 1
            assert (envs[0] / ".puv-build-env").read_text() == "dep==1.0\nhelper==1.0\n"
            downloads = len(server.requests_to("/files/"))
            build_wheel_for(ctx, two, interpreter, finder=finder)
            assert [p for p in ctx.cache.bucket("builds").iterdir() if p.name[0] != "."] == envs
            assert len(server.requests_to("/files/")) == downloads
        finally:
            finder.client.close()


def test_greedy_resolution_follows_extras_and_reports_conflicts(
    interpreter: Interpreter, tmp_path: Path
) -> None:
    from puv.build.environment import resolve_build_requirements

    with IndexServer(tmp_path / "index") as server:
        server.add_wheel("helper", "1.0", requires_dist=['extra-dep>=2; extra == "x"', "dep"])
        server.add_wheel("extra-dep", "1.0")
        server.add_wheel("extra-dep", "2.0")
        server.add_wheel("dep", "1.0")
        server.add_wheel("dep", "3.0")
        finder = _finder(server)
        try:
            pins = resolve_build_requirements(["helper[x]"], finder, interpreter)
            assert [(p.name, str(p.version)) for p in pins] == [
                ("dep", "3.0"),
                ("extra-dep", "2.0"),
                ("helper", "1.0"),
            ]
            plain = resolve_build_requirements(["helper", "dep<2"], finder, interpreter)
            assert "extra-dep" not in [p.name for p in plain]
            with pytest.raises(PuvError) as caught:
                resolve_build_requirements(["dep<2", "helper", "dep>2"], finder, interpreter)
        finally:
            finder.client.close()
    assert caught.value.message == "Failed to resolve requirements from `build-system.requires`"
    assert caught.value.causes[1] == (
        "Because dep==1.0 was selected and you require dep>2, we can conclude that your "
        "requirements are unsatisfiable."
    )


def test_missing_build_requirement_matches_uv(
    ctx: Context,
    interpreter: Interpreter,
    no_index: PackageFinder,
    tmp_path: Path,
    run_uv: Runner,
) -> None:
    tree = _tree(tmp_path / "tree", IN_TREE_BACKEND, requires='["nothere>=1"]')
    with pytest.raises(BuildError) as caught:
        build_wheel_for(ctx, tree, interpreter, finder=no_index)
    assert _rendered(caught.value) == _uv_error(run_uv, tmp_path, tree)


BROKEN = IN_TREE_BACKEND.replace(
    "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n",
    "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"
    "    import sys\n"
    "    print('hello from stdout')\n"
    "    print('boom on stderr', file=sys.stderr)\n"
    "    sys.exit(3)\n",
)


SDIST_BACKEND = IN_TREE_BACKEND.replace(
    "def build_sdist(sdist_directory, config_settings=None):\n    raise NotImplementedError\n",
    "def build_sdist(sdist_directory, config_settings=None):\n"
    "    import tarfile\n"
    "    name = 'pkg-0.1.tar.gz'\n"
    "    with tarfile.open(os.path.join(sdist_directory, name), 'w:gz') as t:\n"
    "        for f in ('pyproject.toml', '_backend.py', 'pkg/__init__.py'):\n"
    "            t.add(f, 'pkg-0.1/' + f)\n"
    "    return name\n",
)


def test_broken_backend_error_matches_uv(
    ctx: Context,
    interpreter: Interpreter,
    no_index: PackageFinder,
    tmp_path: Path,
    run_uv: Runner,
) -> None:
    tree = _tree(tmp_path / "broken", BROKEN, name="broken")
    with pytest.raises(BuildError) as caught:
        build_wheel_for(ctx, tree, interpreter, finder=no_index)
    rendered = _rendered(caught.value)
    assert rendered == _uv_error(run_uv, tmp_path, tree)
    assert rendered.startswith(f"error: Failed to build `broken @ {tree.as_uri()}`\n")
    assert "[stdout]\n         hello from stdout\n" in rendered


def test_missing_module_hint_matches_uv(
    ctx: Context,
    interpreter: Interpreter,
    no_index: PackageFinder,
    tmp_path: Path,
    run_uv: Runner,
) -> None:
    backend = IN_TREE_BACKEND.replace(
        "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n",
        "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"
        "    import not_a_real_module_xyz\n",
    )
    tree = _tree(tmp_path / "needy", backend, name="needy")
    with pytest.raises(BuildError) as caught:
        build_wheel_for(ctx, tree, interpreter, finder=no_index)
    ours = _rendered(caught.value)
    theirs = _uv_error(run_uv, tmp_path, tree)
    # The tracebacks differ (each frontend runs its own hook script); the rest must not.
    assert ours.splitlines()[:4] == theirs.splitlines()[:4]
    hint = theirs[theirs.index("\nhint:") :].replace("`uv pip install", "`puv pip install")
    assert ours[ours.index("\nhint:") :] == hint
    assert "No module named 'not_a_real_module_xyz'" in ours


@pytest.mark.parametrize(
    ("name", "members"),
    [
        ("evil", [("evil-0.1/../../evil", b"x")]),
        ("absolute", [("/abs_evil", b"x")]),
    ],
)
def test_unsafe_sdist_error_matches_uv(
    ctx: Context,
    interpreter: Interpreter,
    no_index: PackageFinder,
    tmp_path: Path,
    run_uv: Runner,
    name: str,
    members: list[tuple[str, bytes]],
) -> None:
    from tests.wheelmaker import TarMember, tar_gz

    archive = tmp_path / f"{name}-0.1.tar.gz"
    archive.write_bytes(tar_gz([TarMember(path, data=data) for path, data in members]))
    with pytest.raises(PuvError) as caught:
        build_wheel_for(ctx, archive, interpreter, finder=no_index)
    assert _rendered(caught.value) == _uv_error(run_uv, tmp_path, archive)
    assert not (tmp_path / "evil").exists()
    assert list(ctx.cache.bucket("sdists").iterdir()) == []  # nothing persisted, no scratch left


def test_build_distributions_makes_an_sdist_then_a_wheel_from_it(
    ctx: Context, interpreter: Interpreter, no_index: PackageFinder, tmp_path: Path
) -> None:
    tree = _tree(tmp_path / "tree", SDIST_BACKEND)
    built = build_distributions(ctx, tree, interpreter, tmp_path / "dist", finder=no_index)
    assert built.sdist == tmp_path / "dist" / "pkg-0.1.tar.gz"
    assert built.wheel == tmp_path / "dist" / "pkg-0.1-py3-none-any.whl"
    assert "pkg/__init__.py" in _wheel_names(built.wheel)
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [
        ".gitignore",
        "pkg-0.1-py3-none-any.whl",
        "pkg-0.1.tar.gz",
    ]
    assert isinstance(ctx.printer.err, io.StringIO)
    status = ctx.printer.err.getvalue()
    assert status == "Building source distribution...\nBuilding wheel from source distribution...\n"


@pytest.mark.parametrize(
    "flags",
    [(), ("--wheel",), ("--sdist",), ("--sdist", "--wheel")],
    ids=["default", "wheel", "sdist", "both"],
)
def test_build_command_output_matches_uv(
    tmp_path: Path,
    run_uv: Runner,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    flags: tuple[str, ...],
) -> None:
    from puv.cli import main

    for side in ("uv", "puv"):
        _tree(tmp_path / side / "tree", SDIST_BACKEND)
    expected = run_uv("build", "--no-index", "-p", str(PYTHON), *flags, "tree", cwd=tmp_path / "uv")
    assert expected.returncode == 0, expected.stderr
    monkeypatch.setitem(main.COMMANDS, "build", ("puv.cli.build_cmd", "Build packages"))
    monkeypatch.chdir(tmp_path / "puv")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "puv-cache"))
    code = main.run(["build", "--no-index", "-p", str(PYTHON), *flags, "tree"])
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err) == (0, expected.stdout, expected.stderr)
    listing = sorted(p.name for p in (tmp_path / "uv" / "tree" / "dist").iterdir())
    assert sorted(p.name for p in (tmp_path / "puv" / "tree" / "dist").iterdir()) == listing
    assert (tmp_path / "puv" / "tree" / "dist" / ".gitignore").read_text() == "*"


def test_build_command_streams_backend_logs_and_fails_like_uv(
    tmp_path: Path,
    run_uv: Runner,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`uv build` shows the backend's output as it comes, and does not repeat it in the error."""
    from puv.cli import main

    backend = BROKEN.replace("print('hello from stdout')", "print('first', file=sys.stderr)")
    for side in ("uv", "puv"):
        _tree(tmp_path / side / "tree", backend)
    expected = run_uv(
        "build", "--no-index", "-p", str(PYTHON), "--wheel", "tree", cwd=tmp_path / "uv"
    )
    monkeypatch.setitem(main.COMMANDS, "build", ("puv.cli.build_cmd", "Build packages"))
    monkeypatch.chdir(tmp_path / "puv")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "puv-cache"))
    code = main.run(["build", "--no-index", "-p", str(PYTHON), "--wheel", "tree"])
    captured = capsys.readouterr().err
    assert (code, captured) == (expected.returncode, expected.stderr.replace("/uv/", "/puv/"))
    assert captured.startswith("Building wheel...\nfirst\nboom on stderr\nerror: Failed to build")
    quiet = ("build", "--no-index", "-p", str(PYTHON), "--wheel", "--no-build-logs", "tree")
    expected = run_uv(*quiet, cwd=tmp_path / "uv")
    code = main.run(list(quiet))
    captured = capsys.readouterr().err
    assert (code, captured) == (expected.returncode, expected.stderr.replace("/uv/", "/puv/"))
    assert "first" not in captured


def test_build_command_needs_wheel_for_an_sdist(
    tmp_path: Path,
    run_uv: Runner,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from puv.cli import main

    archive = write_sdist(tmp_path, {"pkg/__init__.py": ""})
    expected = run_uv("build", "--no-index", "-p", str(PYTHON), str(archive))
    monkeypatch.setitem(main.COMMANDS, "build", ("puv.cli.build_cmd", "Build packages"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "puv-cache"))
    code = main.run(["build", "--no-index", "-p", str(PYTHON), str(archive)])
    assert (code, capsys.readouterr().err) == (expected.returncode, expected.stderr)
    assert code == 2
    code = main.run(["build", "--no-index", "-p", str(PYTHON), "--wheel", str(archive)])
    assert code == 0
    assert (tmp_path / "dist" / "pkg-0.1-py3-none-any.whl").is_file()


def test_build_command_rejects_a_bad_config_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from puv.cli import main

    monkeypatch.setitem(main.COMMANDS, "build", ("puv.cli.build_cmd", "Build packages"))
    assert main.run(["build", "-C", "foo"]) == 2
    assert capsys.readouterr().err.startswith(
        "error: invalid value 'foo' for '--config-setting <CONFIG_SETTING>': Invalid config "
        "setting: foo (expected `KEY=VALUE`)\n"
    )


# --- real backends from PyPI ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def backend_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    """A local index holding hatchling, editables and setuptools (and their dependencies)."""
    root = tmp_path_factory.mktemp("backend-wheels")
    command = [sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:"]
    result = subprocess.run(
        [*command, "-d", str(root), "hatchling", "editables", "setuptools"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot download backend wheels from PyPI: {result.stderr[-500:]}")
    with IndexServer(root) as server:
        yield server


def _hatch_project(root: Path) -> Path:
    (root / "src" / "hello").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
        '[project]\nname = "hello"\nversion = "0.1"\n'
    )
    (root / "src" / "hello" / "__init__.py").write_text("VALUE = 1\n")
    return root


@pytest.mark.network
def test_hatchling_project_builds_a_wheel(
    ctx: Context, interpreter: Interpreter, backend_index: IndexServer, tmp_path: Path
) -> None:
    finder = _finder(backend_index)
    try:
        wheel = build_wheel_for(ctx, _hatch_project(tmp_path / "hello"), interpreter, finder=finder)
    finally:
        finder.client.close()
    assert wheel.name == "hello-0.1-py2.py3-none-any.whl"
    assert "hello/__init__.py" in _wheel_names(wheel)


@pytest.mark.network
def test_hatchling_editable_reflects_source_edits_without_rebuild(
    ctx: Context, interpreter: Interpreter, backend_index: IndexServer, tmp_path: Path
) -> None:
    from tests.envtools import install, make_venv

    project = _hatch_project(tmp_path / "hello")
    finder = _finder(backend_index)
    try:
        wheel = build_wheel_for(ctx, project, interpreter, finder=finder, editable=True)
    finally:
        finder.client.close()
    venv = make_venv(tmp_path / "venv")
    install(wheel, venv, tmp_path / "install-cache")
    python = str(venv.root / "bin" / "python")
    read = [python, "-c", "import hello; print(hello.VALUE)"]
    assert subprocess.run(read, capture_output=True, text=True).stdout == "1\n"
    (project / "src" / "hello" / "__init__.py").write_text("VALUE = 2\n")
    assert subprocess.run(read, capture_output=True, text=True).stdout == "2\n"


@pytest.mark.network
def test_setuptools_project_builds_and_reuses_its_environment(
    ctx: Context, interpreter: Interpreter, backend_index: IndexServer, tmp_path: Path
) -> None:
    def project(name: str) -> Path:
        root = tmp_path / name
        (root / name).mkdir(parents=True)
        (root / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"'
            f'\n\n[project]\nname = "{name}"\nversion = "0.2"\n'
        )
        (root / name / "__init__.py").write_text("")
        return root

    finder = _finder(backend_index)
    try:
        first = build_wheel_for(ctx, project("sone"), interpreter, finder=finder)
        envs = sorted(ctx.cache.bucket("builds").glob("[!.]*"))
        downloads = len(backend_index.requests_to("/files/setuptools"))
        second = build_wheel_for(ctx, project("stwo"), interpreter, finder=finder)
    finally:
        finder.client.close()
    assert (first.name, second.name) == ("sone-0.2-py3-none-any.whl", "stwo-0.2-py3-none-any.whl")
    assert len(envs) == 1
    assert sorted(ctx.cache.bucket("builds").glob("[!.]*")) == envs
    assert len(backend_index.requests_to("/files/setuptools")) == downloads
