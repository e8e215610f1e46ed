"""`create_venv` against real interpreters: layout, `pyvenv.cfg`, existing targets, failure safety."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from puv import __version__
from puv.install import activation
from puv.install.venv import (
    CACHEDIR_TAG,
    OnExisting,
    TargetKind,
    VenvCreationError,
    create_venv,
    inspect_target,
    user_display,
    venv_scheme,
)
from puv.python.interpreter import Interpreter
from puv.python.probe import probe_interpreter

PYENV = Path.home() / ".pyenv" / "versions"


def _pyenv_python(version: str) -> Path:
    python = PYENV / version / "bin" / "python3"
    if not python.exists():
        pytest.skip(f"Python {version} is not installed")
    return python


@pytest.fixture(scope="module")
def running() -> Interpreter:
    """The facts of the interpreter running the tests."""
    return probe_interpreter(Path(sys.executable), None)


def _run(python: Path, code: str, **kwargs: object) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, env=env, check=True, **kwargs
    )
    return result.stdout


def _tree(root: Path) -> dict[str, str]:
    """Every entry under `root`: `dir`, `file` or `-> target` for a link."""
    entries = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            entries[name] = f"-> {os.readlink(path)}"
        else:
            entries[name] = "dir" if path.is_dir() else "file"
    return entries


def test_layout_of_a_new_environment(tmp_path: Path, running: Interpreter) -> None:
    venv = create_venv("v", running, cwd=tmp_path)
    major, minor = running.major_minor
    site = f"lib/python{major}.{minor}/site-packages"
    scripts = [
        "activate",
        "activate.bat",
        "activate.csh",
        "activate.fish",
        "activate.nu",
        "activate.ps1",
        "activate.xsh",
        "activate_this.py",
        "deactivate.bat",
        "pydoc.bat",
    ]
    expected = {
        ".gitignore": "file",
        ".lock": "file",
        "CACHEDIR.TAG": "file",
        "bin": "dir",
        **{f"bin/{name}": "file" for name in scripts},
        "bin/python": f"-> {running.base_executable}",
        "bin/python3": "-> python",
        f"bin/python3.{minor}": "-> python",
        "lib": "dir",
        f"lib/python{major}.{minor}": "dir",
        site: "dir",
        "lib64": "-> lib",
        "pyvenv.cfg": "file",
    }
    assert _tree(tmp_path / "v") == expected
    assert (tmp_path / "v/.gitignore").read_bytes() == b"*"
    assert (tmp_path / "v/CACHEDIR.TAG").read_text() == CACHEDIR_TAG
    assert venv.root == tmp_path / "v"
    assert venv.python == tmp_path / "v/bin/python"
    assert venv.purelib == venv.platlib == tmp_path / "v" / site
    # nothing is left beside the environment
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v"]


def test_pyvenv_cfg_keys_in_uvs_order(tmp_path: Path, running: Interpreter) -> None:
    create_venv("plain", running, cwd=tmp_path)
    version = running.markers["python_full_version"]
    home = running.base_executable.parent
    assert (tmp_path / "plain/pyvenv.cfg").read_text() == (
        f"home = {home}\nimplementation = CPython\npuv = {__version__}\n"
        f"version_info = {version}\ninclude-system-site-packages = false\n"
    )
    create_venv(
        "all", running, cwd=tmp_path, prompt="p q", system_site_packages=True, relocatable=True
    )
    assert (tmp_path / "all/pyvenv.cfg").read_text().splitlines()[4:] == [
        "include-system-site-packages = true",
        "relocatable = true",
        "prompt = p q",
    ]


@pytest.mark.parametrize("version", ["3.8.18", "3.9.18", "3.10.13", "3.12.1", "3.13.0"])
def test_environment_runs_its_interpreter(tmp_path: Path, version: str) -> None:
    interpreter = probe_interpreter(_pyenv_python(version), None)
    venv = create_venv("v", interpreter, cwd=tmp_path)
    out = _run(venv.python, "import sys, site; print(sys.prefix, sys.base_prefix, sys.version)")
    prefix, base_prefix, full_version = out.split(" ", 2)
    assert prefix == str(tmp_path / "v")
    assert base_prefix == str(interpreter.base_prefix)
    assert full_version.startswith(interpreter.markers["python_full_version"])
    site_dir = venv.purelib
    assert str(site_dir) in _run(venv.python, "import sys; print(sys.path)")
    # uv's distutils guard exists below 3.10 only
    has_guard = (site_dir / "_virtualenv.pth").exists()
    assert has_guard == (interpreter.major_minor < (3, 10))


def test_distutils_guard_keeps_installs_in_the_environment(tmp_path: Path) -> None:
    interpreter = probe_interpreter(_pyenv_python("3.9.18"), None)
    venv = create_venv("v", interpreter, cwd=tmp_path)
    # A stand-in `setuptools.dist` whose config files send installs elsewhere.
    project = tmp_path / "project"
    (project / "setuptools").mkdir(parents=True)
    (project / "setuptools/__init__.py").write_text("")
    (project / "setuptools/dist.py").write_text(
        "class Distribution:\n"
        "    def __init__(self):\n"
        "        self.options = {}\n"
        "    def get_option_dict(self, command):\n"
        "        return self.options.setdefault(command, {})\n"
        "    def parse_config_files(self):\n"
        "        self.get_option_dict('install').update(\n"
        "            prefix=('setup.cfg', '/elsewhere'), install_purelib=('setup.cfg', '/x'),\n"
        "            optimize=('setup.cfg', '1'))\n"
    )
    code = (
        "from setuptools.dist import Distribution; d = Distribution(); d.parse_config_files();"
        "o = d.get_option_dict('install'); print(sorted(o), o['prefix'][1])"
    )
    guarded = _run(venv.python, code, cwd=project)
    assert guarded.split() == ["['optimize',", "'prefix']", str(tmp_path / "v")]
    unguarded = _run(interpreter.sys_executable, code, cwd=project)
    assert unguarded.split() == ["['install_purelib',", "'optimize',", "'prefix']", "/elsewhere"]


def test_system_site_packages_is_honoured(tmp_path: Path) -> None:
    interpreter = probe_interpreter(_pyenv_python("3.12.1"), None)
    base_site = _run(
        Path(interpreter.sys_executable), "import site; print(site.getsitepackages()[0])"
    )
    isolated = create_venv("isolated", interpreter, cwd=tmp_path)
    shared = create_venv("shared", interpreter, cwd=tmp_path, system_site_packages=True)
    code = "import sys; print(sys.path)"
    assert base_site.strip() not in _run(isolated.python, code)
    assert base_site.strip() in _run(shared.python, code)


def test_free_threaded_and_pypy_names(tmp_path: Path, running: Interpreter) -> None:
    threaded = running._replace(
        version_info=(3, 13, 0, "final", 0), gil_disabled=True, venv_paths={}
    )
    venv = create_venv("t", threaded, cwd=tmp_path)
    assert venv.purelib == tmp_path / "t/lib/python3.13t/site-packages"
    assert os.readlink(tmp_path / "t/bin/python3.13t") == "python"
    pypy = running._replace(
        implementation="pypy", version_info=(3, 10, 14, "final", 0), venv_paths={}
    )
    assert venv_scheme(pypy).purelib == "lib/pypy3.10/site-packages"
    create_venv("p", pypy, cwd=tmp_path)
    assert os.readlink(tmp_path / "p/bin/pypy3") == os.readlink(tmp_path / "p/bin/pypy") == "python"


def test_activation_scripts_quote_paths_and_prompts(tmp_path: Path, running: Interpreter) -> None:
    prompt = 'it\'s "$HOME" `x` \\ %PATH%'
    create_venv("odd 'dir' $x", running, cwd=tmp_path, prompt=prompt)
    root = tmp_path / "odd 'dir' $x"
    script = 'PS1="$ "; source "$1" && printf \'%s\\n\' "$VIRTUAL_ENV" "$VIRTUAL_ENV_PROMPT" "$PS1"'
    out = subprocess.run(
        ["bash", "-c", script, "bash", str(root / "bin/activate")],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    assert out.splitlines() == [str(root), prompt, f"({prompt}) $ "]
    this = (root / "bin/activate_this.py").read_text()
    assert f"PROMPT = {prompt!r}" in this
    assert "SITE_PACKAGES = ['../lib/python" in this


def test_relocatable_environment_can_move(tmp_path: Path, running: Interpreter) -> None:
    create_venv("here", running, cwd=tmp_path, relocatable=True)
    assert not (tmp_path / "here/bin/activate.csh").exists()
    (tmp_path / "here").rename(tmp_path / "there")
    out = subprocess.run(
        ["bash", "-c", 'source there/bin/activate && echo "$VIRTUAL_ENV" && command -v python'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    assert out.splitlines() == [str(tmp_path / "there"), str(tmp_path / "there/bin/python")]


def test_templates_ship_with_the_package() -> None:
    rendered = activation.render_all(Path("/v"), None, ["../lib/x"], relocatable=False)
    assert set(rendered) == {
        "activate",
        "activate.bat",
        "activate.csh",
        "activate.fish",
        "activate.nu",
        "activate.ps1",
        "activate.xsh",
        "activate_this.py",
        "deactivate.bat",
        "pydoc.bat",
    }
    for name, text in rendered.items():
        assert "__VIRTUAL_" not in text and "__SITE_PACKAGES__" not in text, name
    assert "\r\n" in rendered["activate.bat"] and "\r\n" not in rendered["activate"]


# --- existing targets -------------------------------------------------------------------------


def _make_venv(tmp_path: Path, running: Interpreter, name: str = "v") -> Path:
    create_venv(name, running, cwd=tmp_path)
    return tmp_path / name


def test_existing_environment_needs_clear(tmp_path: Path, running: Interpreter) -> None:
    root = _make_venv(tmp_path, running)
    (root / "marker").write_text("x")
    with pytest.raises(VenvCreationError) as info:
        create_venv("v", running, cwd=tmp_path)
    assert info.value.message == "A virtual environment already exists at: v"
    assert info.value.hint == (
        "Use the `--clear` flag or set `UV_VENV_CLEAR=1` to replace the existing virtual environment"
    )
    assert (root / "marker").exists()
    create_venv("v", running, cwd=tmp_path, on_existing=OnExisting.CLEAR)
    assert not (root / "marker").exists()
    assert inspect_target(root) is TargetKind.VIRTUAL_ENVIRONMENT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v"]


def test_directory_is_never_cleared_without_force(tmp_path: Path, running: Interpreter) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "precious").write_text("x")
    with pytest.raises(VenvCreationError) as info:
        create_venv("data", running, cwd=tmp_path)
    assert info.value.message == "A directory already exists at: data"
    assert info.value.hint is not None and info.value.hint.endswith("the existing directory")
    with pytest.raises(VenvCreationError) as info:
        create_venv("data", running, cwd=tmp_path, on_existing=OnExisting.CLEAR)
    assert info.value.message == "puv will not clear a directory that is not a virtual environment"
    assert info.value.hint == "Use the `--force` flag to remove the existing directory anyway"
    assert [p.name for p in data.iterdir()] == ["precious"]
    create_venv("data", running, cwd=tmp_path, on_existing=OnExisting.CLEAR_ANY)
    assert not (data / "precious").exists()
    assert inspect_target(data) is TargetKind.VIRTUAL_ENVIRONMENT


def test_allow_existing_keeps_other_files(tmp_path: Path, running: Interpreter) -> None:
    root = _make_venv(tmp_path, running)
    (root / "bin/tool").write_text("keep")
    (root / "bin/activate").write_text("old")
    create_venv("v", running, cwd=tmp_path, on_existing=OnExisting.ALLOW, prompt="new")
    assert (root / "bin/tool").read_text() == "keep"
    assert (root / "bin/activate").read_text() != "old"
    assert "prompt = new" in (root / "pyvenv.cfg").read_text()


def test_empty_directory_and_file_targets(tmp_path: Path, running: Interpreter) -> None:
    (tmp_path / "empty").mkdir()
    inode = (tmp_path / "empty").stat().st_ino
    create_venv("empty", running, cwd=tmp_path)
    assert (tmp_path / "empty").stat().st_ino == inode  # the directory itself is kept
    assert inspect_target(tmp_path / "empty") is TargetKind.VIRTUAL_ENVIRONMENT
    (tmp_path / "file").write_text("x")
    for on_existing in OnExisting:
        with pytest.raises(VenvCreationError, match=r"^File exists at `file`$"):
            create_venv("file", running, cwd=tmp_path, on_existing=on_existing)
    assert (tmp_path / "file").read_text() == "x"


def test_clear_through_a_symlink_keeps_the_link(tmp_path: Path, running: Interpreter) -> None:
    real = _make_venv(tmp_path, running, "real")
    (real / "marker").write_text("x")
    (tmp_path / "link").symlink_to("real")
    create_venv("link", running, cwd=tmp_path, on_existing=OnExisting.CLEAR)
    assert (tmp_path / "link").is_symlink()
    assert not (real / "marker").exists()
    assert inspect_target(real) is TargetKind.VIRTUAL_ENVIRONMENT


# --- failure safety ---------------------------------------------------------------------------


def _fail_while_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> dict[str, str]:
        raise OSError(28, "No space left on device", "activate")

    monkeypatch.setattr(activation, "render_all", broken)


def test_failure_leaves_no_environment(
    tmp_path: Path, running: Interpreter, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_while_writing(monkeypatch)
    with pytest.raises(VenvCreationError, match=r"No space left on device \(os error 28\)"):
        create_venv("v", running, cwd=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_failure_while_replacing_keeps_the_old_environment(
    tmp_path: Path, running: Interpreter, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _make_venv(tmp_path, running)
    (root / "marker").write_text("x")
    before = _tree(root)
    _fail_while_writing(monkeypatch)
    with pytest.raises(VenvCreationError):
        create_venv("v", running, cwd=tmp_path, on_existing=OnExisting.CLEAR)
    assert _tree(root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v"]


def test_interrupt_in_an_empty_directory_leaves_it_empty(
    tmp_path: Path, running: Interpreter, monkeypatch: pytest.MonkeyPatch
) -> None:
    import puv.install.venv as venv_module

    (tmp_path / "empty").mkdir()
    real_replace = os.replace
    moved: list[str] = []

    def interrupted(src: Path, dst: Path) -> None:
        if Path(dst).name == "pyvenv.cfg":
            raise KeyboardInterrupt
        moved.append(Path(dst).name)
        real_replace(src, dst)

    monkeypatch.setattr(venv_module.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        create_venv("empty", running, cwd=tmp_path)
    assert moved  # files had been moved in before the interrupt
    assert list((tmp_path / "empty").iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_user_display() -> None:
    cwd = Path("/work/project")
    assert user_display("./v/", cwd) == "./v/"
    assert user_display("/work/project/v", cwd) == "v"
    assert user_display("/work/project", cwd) == "."
    assert user_display("/elsewhere/v", cwd) == "/elsewhere/v"
    assert user_display("/work/projectx/v", cwd) == "/work/projectx/v"
