"""`puv run --with-editable` side by side with the real uv.

The editable projects go into the cached `--with` overlay, installed editable (PEP 660): their
sources are imported from the tree (an edit is seen without anything rebuilt), a changed
`pyproject.toml` makes a new overlay, and an editable the project environment already holds is
not layered at all. The offline tests use the in-tree backend of `test_sync_cli`; the `network`
ones real hatchling and setuptools projects, from a local index stocked from PyPI once. uv's
errors for what cannot be an editable are checked too.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from puv.cli.run_cmd import comma_separated
from tests.e2e.conftest import Runner
from tests.e2e.test_build_frontend import backend_index  # noqa: F401  (a fixture)
from tests.e2e.test_run_cli import app, index  # noqa: F401  (fixtures)
from tests.e2e.test_sync_cli import Pair, make_pair, write_member
from tests.indexserver import IndexServer

LIB = "import lib, beta, sys; print(lib.NAME, lib.__file__, beta.__name__)"


def _same_run(pair: Pair, *args: str) -> tuple[str, str]:
    """Run `args` with both tools: the same exit code, output and (masked) messages; the
    output and messages."""
    theirs, ours = pair.both("run", *args)
    expected = (theirs.returncode, pair.shown("uv", theirs.stdout), pair.shown("uv", theirs.stderr))
    assert (ours.returncode, pair.shown("puv", ours.stdout), pair.shown("puv", ours.stderr)) == (
        expected
    )
    return expected[1], expected[2]


def _sys_path(pair: Pair, tool: str, *args: str) -> list[str]:
    """`sys.path` in `run`, with the temporary and cached environments named by kind."""
    script = "import sys; print('\\n'.join(sys.path))"
    result = pair.run(tool, "run", "--frozen", *args, "python", "-c", script)
    assert result.returncode == 0, result.stderr
    kinds = []
    for entry in result.stdout.splitlines():
        if "/.tmp" in entry:
            kinds.append("ephemeral")
        elif "cache" in entry:
            kinds.append("cached")
        else:
            kinds.append(entry.replace(str(pair.dir(tool)), "ROOT"))
    return kinds


def test_with_editable_installs_the_tree_editable(app: Pair) -> None:  # noqa: F811
    lib = app.root / "lib"
    write_member(lib, "lib", ["beta>=2"])
    app.both("sync", "--frozen", "-q")
    out, err = _same_run(app, "--frozen", "--with-editable", "../lib", "python", "-c", LIB)
    assert out == f"lib {lib}/src/lib/__init__.py beta\n"
    assert sorted(err.splitlines()) == [
        f"      Built lib @ {lib.as_uri()}",
        f"   Building lib @ {lib.as_uri()}",
        "Installed 2 packages in T",
    ]
    # The overlay: the ephemeral environment, the cached one, the tree, then the project's.
    assert _sys_path(app, "puv", "--with-editable", "../lib") == _sys_path(
        app, "uv", "--with-editable", "../lib"
    )
    assert f"{lib}/src" in _sys_path(app, "puv", "--with-editable", "../lib")
    # An edit is seen at once: nothing is built or installed again.
    (lib / "src" / "lib" / "__init__.py").write_text("NAME = 'edited'\n")
    out, err = _same_run(app, "--frozen", "--with-editable", "../lib", "python", "-c", LIB)
    assert (out.split()[0], err) == ("edited", "")
    # A new `pyproject.toml` makes a new overlay.
    pyproject = lib / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "0.1.0"', 'version = "0.2.0"'))
    version = "import importlib.metadata as m; print(m.version('lib'))"
    out, err = _same_run(app, "--frozen", "--with-editable", "../lib", "python", "-c", version)
    assert out == "0.2.0\n" and "Installed 2 packages in T\n" in err
    # Outside the overlay the project environment has no `lib`.
    theirs, ours = app.both("run", "--frozen", "python", "-c", "import lib")
    assert ours.returncode == theirs.returncode == 1


def test_the_installed_project_needs_no_overlay(app: Pair) -> None:  # noqa: F811
    """`--with-editable .`: the project environment already has the project editable."""
    script = "import sys, app; print(sys.prefix)"
    out, err = _same_run(app, "--with-editable", ".", "python", "-c", script)
    assert out == "ROOT/.venv\n"
    assert "Installed 8 packages in T\n" in err


def test_with_editable_and_with_together(app: Pair, index: IndexServer) -> None:  # noqa: F811
    """Comma-separated editables, beside a `--with` requirement that pins a version."""
    for name in ("one", "two"):
        write_member(app.root / name, name, [])
    app.both("sync", "--frozen", "-q")
    script = "import one, two, beta; print(one.NAME, two.NAME, beta.__file__.count('cache') > 0)"
    out, err = _same_run(
        app, "--frozen", "--with-editable", "../one,../two", "--with", "beta==1.0", "python", "-c",
        script,
    )  # fmt: skip
    assert out == "one two True\n"
    assert err.endswith("Installed 3 packages in T\n")


def test_what_cannot_be_an_editable_fails_as_in_uv(app: Pair) -> None:  # noqa: F811
    """A missing path, a directory without a project (exit 1), a file (refused before the
    sync), an archive, a URL (exit 2)."""
    (app.root / "empty").mkdir()
    (app.root / "notes.txt").write_text("")
    (app.root / "lib-1.0-py3-none-any.whl").write_bytes(b"")
    app.both("sync", "--frozen", "-q")
    for value, code in [
        ("../nope", 1),
        ("../empty", 1),
        ("../notes.txt", 2),
        ("../lib-1.0-py3-none-any.whl", 2),
        ("git+https://example.invalid/lib.git", 2),
        ("https://example.invalid/lib-1.0.tar.gz", 2),
    ]:
        theirs, ours = app.both("run", "--frozen", "--with-editable", value, "true")
        expected = app.shown("uv", theirs.stderr)
        assert (ours.returncode, app.shown("puv", ours.stderr)) == (code, expected), value
        assert expected.startswith("error: ") and expected.count("error: ") == 1


def test_comma_separated_values_split_as_uv_splits() -> None:
    values = ["a[x, y],b>=1,<2", " , c ,", "d , e"]
    assert comma_separated(values) == ("a[x, y]", "b>=1,<2", "c", "d", "e")


# --- real backends --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def backends(
    tmp_path_factory: pytest.TempPathFactory,
    backend_index: IndexServer,  # noqa: F811
) -> Iterator[IndexServer]:
    """hatchling, editables and setuptools (from PyPI) and a runtime dependency, `beta`."""
    root = tmp_path_factory.mktemp("with-editable-index")
    for wheel in backend_index.root.glob("*.whl"):
        shutil.copy(wheel, root)
    with IndexServer(root) as server:
        server.add_wheel("beta", "1.0")
        server.add_wheel("beta", "2.0")
        yield server


HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
SETUPTOOLS = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
)


def _project(directory: Path, name: str, body: str, system: str, extra: str = "") -> None:
    (directory / "src" / name).mkdir(parents=True)
    (directory / "src" / name / "__init__.py").write_text(body)
    (directory / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "1.0"\nrequires-python = ">=3.11"\n{extra}\n{system}'
    )


@pytest.fixture
def real(tmp_path: Path, run_uv: Runner, run_puv: Runner, backends: IndexServer) -> Pair:
    """A hatchling project pinned to `beta<2`, with a hatchling library needing `beta>=2` and a
    setuptools tool with a console script beside it."""

    def write(directory: Path) -> None:
        source = f'\n[[tool.uv.index]]\nurl = "{backends.simple_url}"\ndefault = true\n'
        _project(directory, "app", "", HATCH + source, 'dependencies = ["beta<2"]')
        _project(
            directory.parent / "lib", "lib", "VALUE = 1\n", HATCH, 'dependencies = ["beta>=2"]'
        )
        _project(
            directory.parent / "tool",
            "tool",
            "def main():\n    print('hello from', __name__)\n",
            SETUPTOOLS,
            'dependencies = []\nscripts = { tool-hello = "tool:main" }',
        )

    return make_pair(tmp_path, run_uv, run_puv, write)


@pytest.mark.network
def test_hatchling_and_setuptools_editables(real: Pair) -> None:
    real.both("sync", "--frozen", "-q")
    read = "import lib, beta, importlib.metadata as m; print(lib.VALUE, m.version('beta'))"
    out, err = _same_run(real, "--frozen", "--with-editable", "../lib", "python", "-c", read)
    assert out == "1 2.0\n"  # the overlay's `beta` wins over the project's
    assert "   Building lib @ " in err and err.endswith("Installed 2 packages in T\n")
    (real.root / "lib" / "src" / "lib" / "__init__.py").write_text("VALUE = 2\n")
    out, err = _same_run(real, "--frozen", "--with-editable", "../lib", "python", "-c", read)
    assert (out, err) == ("2 2.0\n", "")
    # A setuptools editable with a console script: on `PATH`, running the tree's code.
    out, err = _same_run(real, "--frozen", "--with-editable", "../tool", "tool-hello")
    assert out == "hello from tool\n"
    assert "      Built tool @ " in err
    # A name that is not the project's (hatchling tells the metadata without a build).
    _, err = _same_run(real, "--frozen", "--with-editable", "other @ ../lib", "true")
    assert "  cause: Package metadata name `lib` does not match given name `other`\n" in err
