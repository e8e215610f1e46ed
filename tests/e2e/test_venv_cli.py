"""`puv venv` as a user runs it, side by side with the real uv where uv defines the answer."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from puv import __version__
from tests.wheelmaker import write_wheel

UV = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
PYENV = Path.home() / ".pyenv" / "versions"
needs_uv = pytest.mark.skipif(UV is None, reason="uv is not installed")


def _python(version: str) -> Path:
    python = PYENV / version / "bin" / "python3"
    if not python.exists():
        pytest.skip(f"Python {version} is not installed")
    return python


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    shells = ("NU_VERSION", "FISH_VERSION", "BASH_VERSION", "ZSH_VERSION", "KSH_VERSION")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UV_", "PUV_", "VIRTUAL_ENV", "PS_MODULE_PATH")) and k not in shells
    }
    env.update(UV_CACHE_DIR=str(tmp_path / "cache"), UV_PYTHON_DOWNLOADS="never", SHELL="/bin/bash")
    env.update(extra)
    return env


def _run(
    cmd: list[str], cwd: Path, env: dict[str, str], stdin: int | None = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, stdin=stdin)


def _puv(cwd: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "puv", "venv", *args], cwd, _env(cwd, **extra))


def _uv(cwd: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    assert UV is not None
    return _run([UV, "venv", *args], cwd, _env(cwd, **extra))


def _layout(root: Path) -> dict[str, str]:
    """Names, kinds, modes and link targets under `root` (file contents are compared apart)."""
    entries = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        name = path.relative_to(root).as_posix()
        if stat.S_ISLNK(info.st_mode):
            entries[name] = f"link -> {os.readlink(path)}"
        else:
            kind = "dir" if stat.S_ISDIR(info.st_mode) else "file"
            entries[name] = f"{kind} {stat.S_IMODE(info.st_mode):o}"
    return entries


def _cfg(root: Path, tool_line: str) -> str:
    return (root / "pyvenv.cfg").read_text().replace(tool_line, "TOOL")


def _same_as_uv(tmp_path: Path, *args: str, name: str = "v") -> None:
    """Create `name` with puv and with uv (in twin directories) and compare everything but text."""
    ours_dir, theirs_dir = tmp_path / "puv" / "work", tmp_path / "uv" / "work"
    ours_dir.mkdir(parents=True)
    theirs_dir.mkdir(parents=True)
    ours = _puv(ours_dir, *args)
    theirs = _uv(theirs_dir, *args)
    assert ours.returncode == theirs.returncode == 0, ours.stderr + theirs.stderr
    assert ours.stderr == theirs.stderr
    ours_root = ours_dir / (name if name != "." else "")
    theirs_root = theirs_dir / (name if name != "." else "")
    # puv creates the environment's install lock up front; uv creates it on the first install.
    assert (ours_root / ".lock").read_bytes() == b""
    ours_layout = _layout(ours_root)
    del ours_layout[".lock"]
    assert ours_layout == _layout(theirs_root)
    assert _cfg(ours_root, f"puv = {__version__}") == _cfg(theirs_root, "uv = 0.13.9")
    for extra in ("CACHEDIR.TAG", ".gitignore"):
        assert (ours_root / extra).read_bytes() == (theirs_root / extra).read_bytes()


@needs_uv
@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["--prompt", "my env"],
        ["--prompt", "."],
        ["--relocatable", "--system-site-packages"],
        ["--no-relocatable", "--prompt", ""],
    ],
    ids=["plain", "prompt", "prompt-dot", "relocatable-system", "empty-prompt"],
)
def test_environment_matches_uv(tmp_path: Path, flags: list[str]) -> None:
    _same_as_uv(tmp_path, "-p", str(_python("3.12.1")), "v", *flags)


@needs_uv
@pytest.mark.parametrize("version", ["3.8.18", "3.13.0"])
def test_environment_matches_uv_across_versions(tmp_path: Path, version: str) -> None:
    _same_as_uv(tmp_path, "-p", str(_python(version)), "v")


@needs_uv
def test_default_path_and_prompt_match_uv(tmp_path: Path) -> None:
    _same_as_uv(tmp_path, "-p", str(_python("3.12.1")), name=".venv")
    assert "prompt = work\n" in (tmp_path / "puv/work/.venv/pyvenv.cfg").read_text()


# --- existing targets, compared with uv --------------------------------------------------------

Setup = Callable[[Path], None]


def _venv_with_marker(root: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "v")], check=True)
    (root / "v" / "marker").write_text("x")


def _directory(root: Path) -> None:
    (root / "v").mkdir()
    (root / "v" / "keep").write_text("x")


def _empty(root: Path) -> None:
    (root / "v").mkdir()


def _file(root: Path) -> None:
    (root / "v").write_text("x")


@needs_uv
@pytest.mark.parametrize(
    ("setup", "flags", "env"),
    [
        (_venv_with_marker, [], {}),
        (_venv_with_marker, ["--clear"], {}),
        (_venv_with_marker, [], {"UV_VENV_CLEAR": "1"}),
        (_venv_with_marker, ["--allow-existing"], {}),
        (_venv_with_marker, ["--force"], {}),
        (_directory, [], {}),
        (_directory, ["-c"], {}),
        (_directory, ["--clear", "--force"], {}),
        (_directory, ["--allow-existing"], {}),
        (_empty, [], {}),
        (_file, [], {}),
        (_file, ["--clear", "--force"], {}),
    ],
    ids=[
        "venv",
        "venv-clear",
        "venv-env-clear",
        "venv-allow",
        "venv-force",
        "dir",
        "dir-clear",
        "dir-clear-force",
        "dir-allow",
        "empty-dir",
        "file",
        "file-clear-force",
    ],
)
def test_existing_target_as_uv(
    tmp_path: Path, setup: Setup, flags: list[str], env: dict[str, str]
) -> None:
    python = str(_python("3.12.1"))
    results, kept = [], []
    for tool, run in (("puv", _puv), ("uv", _uv)):
        work = tmp_path / tool
        work.mkdir()
        setup(work)
        result = run(work, "-p", python, "v", *flags, **env)
        results.append((result.returncode, result.stderr.replace("puv will", "uv will")))
        target = work / "v"
        # puv creates the install lock `.lock` up front; uv only on the first install
        if target.is_dir():
            kept.append(
                sorted(p.name for p in target.iterdir() if (tool, p.name) != ("puv", ".lock"))
            )
        else:
            kept.append(["file"])
    assert results[0] == results[1]
    assert kept[0] == kept[1]


def test_a_directory_that_is_not_a_venv_survives_clear(tmp_path: Path) -> None:
    _directory(tmp_path)
    result = _puv(tmp_path, "-p", str(_python("3.12.1")), "v", "--clear")
    assert result.returncode == 2
    assert result.stderr.endswith(
        "error: Failed to create virtual environment\n"
        "  cause: puv will not clear a directory that is not a virtual environment\n\n"
        "hint: Use the `--force` flag to remove the existing directory anyway\n"
    )
    assert [p.name for p in (tmp_path / "v").iterdir()] == ["keep"]


def test_terminal_question_before_replacing(tmp_path: Path) -> None:
    """On a terminal, an existing environment is replaced after asking (Enter means yes)."""
    python = str(_python("3.12.1"))
    _venv_with_marker(tmp_path)
    script = shutil.which("script")
    if script is None:
        pytest.skip("script(1) is not installed")
    command = f"{sys.executable} -m puv venv -p {python} v"
    for answer, replaced in (("n\n", False), ("\n", True)):
        result = subprocess.run(
            [script, "-qec", command, "/dev/null"],
            input=answer,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=_env(tmp_path),
        )
        assert "Do you want to replace it?" in result.stdout
        assert (result.returncode == 0) is replaced
        assert (tmp_path / "v" / "marker").exists() is not replaced


# --- the environments work ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "version"), [("3.10", "3.10.13"), ("3.12", "3.12.1"), ("3.13", "3.13.0")]
)
def test_requested_version_runs(tmp_path: Path, request_: str, version: str) -> None:
    _python(version)
    result = _puv(tmp_path, "-p", request_, "v")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[1:] == [
        "Creating virtual environment at: v",
        "Activate with: source v/bin/activate",
    ]
    out = subprocess.run(
        ["v/bin/python", "-c", "import sys; print(sys.version)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.startswith(f"{request_}.")


def test_site_of_the_environment(tmp_path: Path) -> None:
    base = _python("3.12.1")
    code = (
        "import site, sys; print(sys.prefix); print(sys.base_prefix);"
        "print(site.getsitepackages()[0] in sys.path);"
        f"print({str(base.parent.parent / 'lib/python3.12/site-packages')!r} in sys.path)"
    )
    for flags, shares in (([], "False"), (["--system-site-packages"], "True")):
        name = f"v{len(flags)}"
        assert _puv(tmp_path, "-q", "-p", str(base), name, *flags).returncode == 0
        out = subprocess.run(
            [str(tmp_path / name / "bin/python"), "-c", code],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert out == [str(tmp_path / name), str(base.parent.parent), "True", shares]


@needs_uv
def test_uv_installs_into_a_puv_environment(tmp_path: Path) -> None:
    assert UV is not None
    wheels = tmp_path / "wheels"
    write_wheel(wheels, {"six.py": "VERSION = 'local'\n"}, name="six", version="1.17.0")
    assert _puv(tmp_path, "-q", "-p", str(_python("3.12.1")), "v312").returncode == 0
    install = _run(
        [
            UV,
            "pip",
            "install",
            "--python",
            "v312/bin/python",
            "--no-index",
            "--find-links",
            str(wheels),
            "six",
        ],
        tmp_path,
        _env(tmp_path),
    )
    assert install.returncode == 0, install.stderr
    out = subprocess.run(
        ["v312/bin/python", "-c", "import six; print(six.VERSION, six.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["local", str(tmp_path / "v312/lib/python3.12/site-packages/six.py")]


# --- activation in real shells -----------------------------------------------------------------

_SHELLS = {
    # shell: (command line, script body); the body prints VIRTUAL_ENV, the prompt, python, PATH
    "bash": (["bash"], ". {venv}/bin/activate\n"),
    "dash": (["dash"], ". {venv}/bin/activate\n"),
    "zsh": (["zsh", "-f"], ". {venv}/bin/activate\n"),
    "ksh": (["ksh"], ". {venv}/bin/activate\n"),
}


def _shell_session(shell: str, venv: Path, tmp_path: Path) -> list[str]:
    """Activate, report, deactivate, report, in `shell`; each report is three lines."""
    report_posix = 'printf "%s\\n" "$VIRTUAL_ENV" "$(command -v python)" "$PATH"\n'
    if shell == "fish":
        activate = f"source {venv}/bin/activate.fish\n"
        report = 'echo "$VIRTUAL_ENV"; echo (command -s python); echo (string join : $PATH)\n'
        command = ["fish", "--no-config"]
    elif shell == "tcsh":
        activate = f"source {venv}/bin/activate.csh\n"
        report = 'echo "$?VIRTUAL_ENV"; which python; echo "$PATH"\n'
        command = ["tcsh", "-f"]
    else:
        command, template = _SHELLS[shell]
        activate, report = template.format(venv=venv), report_posix
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed")
    script = tmp_path / f"session.{shell}"
    script.write_text(activate + report + "deactivate\n" + report)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([*command, str(script)], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize("shell", ["bash", "dash", "zsh", "ksh", "fish", "tcsh"])
@pytest.mark.parametrize("relocatable", [False, True], ids=["fixed", "moved"])
def test_activation_in_shells(tmp_path: Path, shell: str, relocatable: bool) -> None:
    if relocatable and shell in ("dash", "tcsh"):
        pytest.skip(f"{shell} cannot find the script it sources")
    flags = ["--relocatable"] if relocatable else []
    assert _puv(tmp_path, "-q", "-p", str(_python("3.12.1")), "v", *flags).returncode == 0
    venv = tmp_path / "v"
    if relocatable:
        venv = venv.rename(tmp_path / "moved")
    lines = _shell_session(shell, venv, tmp_path)
    active = str(venv) if shell != "tcsh" else "1"
    assert lines[:3] == [active, str(venv / "bin/python"), f"{venv}/bin:/usr/bin:/bin"]
    assert lines[3] in ("", "0")  # VIRTUAL_ENV is unset again
    assert lines[4] != str(venv / "bin/python")
    assert lines[5] == "/usr/bin:/bin"


def test_bash_activation_as_a_user_types_it(tmp_path: Path) -> None:
    assert _puv(tmp_path, "-q", "-p", str(_python("3.12.1")), "v").returncode == 0
    result = subprocess.run(
        ["bash", "-c", "source v/bin/activate && which python && deactivate && type deactivate"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.stdout == f"{tmp_path}/v/bin/python\n"
    assert "deactivate: not found" in result.stderr


# --- output and errors -------------------------------------------------------------------------


@needs_uv
@pytest.mark.parametrize(
    "extra",
    [{"SHELL": "/usr/bin/fish"}, {"SHELL": "/bin/zsh"}, {"NU_VERSION": "0.106"}, {"SHELL": ""}],
    ids=["fish", "zsh", "nushell", "unknown"],
)
def test_activation_line_follows_the_shell(tmp_path: Path, extra: dict[str, str]) -> None:
    python = str(_python("3.12.1"))
    outputs = []
    for tool, run in (("puv", _puv), ("uv", _uv)):
        (tmp_path / tool).mkdir()
        outputs.append(run(tmp_path / tool, "-p", python, "x y", **extra).stderr)
    assert outputs[0] == outputs[1]


@needs_uv
def test_unknown_flag_is_a_usage_error_like_uv(tmp_path: Path) -> None:
    ours, theirs = _puv(tmp_path, "--bogus"), _uv(tmp_path, "--bogus")
    assert ours.returncode == theirs.returncode == 2
    assert ours.stderr.replace("puv", "uv") == theirs.stderr


@needs_uv
def test_bad_link_mode_like_uv(tmp_path: Path) -> None:
    ours, theirs = _puv(tmp_path, "--link-mode", "bogus"), _uv(tmp_path, "--link-mode", "bogus")
    assert ours.returncode == theirs.returncode == 2
    assert ours.stderr == theirs.stderr


def test_missing_interpreter(tmp_path: Path) -> None:
    result = _puv(tmp_path, "-p", "9.9")
    assert result.returncode != 0
    assert result.stderr.startswith("error: No interpreter found for Python 9.9")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / ".venv").exists()


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    result = _puv(tmp_path, "-q", "-p", str(_python("3.12.1")), "v")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_index_options_are_accepted(tmp_path: Path) -> None:
    result = _puv(
        tmp_path,
        "-q",
        "-p",
        str(_python("3.12.1")),
        "v",
        "--index",
        "https://a/simple",
        "--default-index",
        "https://b/simple",
        "-i",
        "https://c/simple",
        "--extra-index-url",
        "https://d/simple",
        "-f",
        str(tmp_path),
        "--no-index",
        "--index-strategy",
        "unsafe-best-match",
        "--keyring-provider",
        "subprocess",
        "--exclude-newer",
        "2024-01-01",
        "--refresh",
        "--refresh-package",
        "six",
        "--link-mode",
        "copy",
        UV_INDEX="https://e/simple",
        UV_LINK_MODE="hardlink",
    )
    assert result.returncode == 0, result.stderr


@needs_uv
def test_project_environment_like_uv(tmp_path: Path) -> None:
    python = str(_python("3.12.1"))
    pyproject = '[project]\nname = "p"\nversion = "0"\nrequires-python = ">=3.8"\n'
    for tool, run in (("puv", _puv), ("uv", _uv)):
        root = tmp_path / tool
        (root / "sub").mkdir(parents=True)
        (root / "pyproject.toml").write_text(pyproject)
        at_root = run(root, "-p", python, UV_PROJECT_ENVIRONMENT="env")
        below = run(root / "sub", "-p", python, UV_PROJECT_ENVIRONMENT="env")
        assert "Creating virtual environment at: env" in at_root.stderr
        assert "Creating virtual environment at: .venv" in below.stderr
        assert (root / "env/pyvenv.cfg").is_file() and (root / "sub/.venv/pyvenv.cfg").is_file()
    assert _cfg(tmp_path / "puv/env", f"puv = {__version__}") == _cfg(
        tmp_path / "uv/env", "uv = 0.13.9"
    ).replace("prompt = uv", "prompt = puv")
