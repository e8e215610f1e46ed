"""Create a virtual environment for any CPython, PyPy or GraalPy 3.8+ interpreter, laid out as uv does.

The target interpreter is described by its probed facts (`Interpreter`); it is never run here.
The environment is assembled in a hidden staging directory next to the target and moved into place
at the end, so a failure or an interrupt never leaves a half-written environment that looks valid:
either the target is untouched, or it is a complete environment. A new target is one rename; a
replaced one (`--clear`) is two (old out, new in). Into an existing directory (empty, a mount point,
`--allow-existing`) the files are moved one by one, with `pyvenv.cfg` (what marks a directory as a
virtual environment) last.
"""

from __future__ import annotations

import enum
import os
import stat
from pathlib import Path, PurePath
from typing import NamedTuple

from puv import __version__
from puv.core.errors import PuvError
from puv.core.paths import user_display
from puv.python.interpreter import Interpreter

# Written into a venv's root exactly as uv writes them (no trailing newline).
GITIGNORE = "*"
CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55"
CLEAR_HINT = "Use the `--clear` flag or set `UV_VENV_CLEAR=1` to replace the existing {name}"


class VenvCreationError(PuvError):
    """Why a virtual environment could not be created; rendered under `Failed to create ...`."""


class TargetKind(enum.Enum):
    """What the target path holds before creation."""

    MISSING = "missing"
    EMPTY_DIRECTORY = "empty directory"
    VIRTUAL_ENVIRONMENT = "virtual environment"
    DIRECTORY = "directory"  # non-empty, no `pyvenv.cfg`
    FILE = "file"
    OTHER = "other"  # a socket, a FIFO, a device


class OnExisting(enum.Enum):
    """What to do when the target is a non-empty directory."""

    FAIL = "fail"  # refuse (uv without `--clear`)
    ALLOW = "allow"  # write into it, keeping other files (`--allow-existing`)
    CLEAR = "clear"  # replace a virtual environment; refuse any other directory (`--clear`)
    CLEAR_ANY = "clear-any"  # replace whatever directory is there (`--clear --force`)


class VenvScheme(NamedTuple):
    """Where things go inside a virtual environment, relative to its root (POSIX)."""

    scripts: str
    purelib: str
    platlib: str


class VirtualEnv(NamedTuple):
    """A created virtual environment: its absolute root and the paths others install into."""

    root: Path
    scripts: Path
    python: Path  # `bin/python`, a link to the base interpreter
    purelib: Path
    platlib: Path
    base_executable: Path


def absolute_path(path: str | PurePath, cwd: Path) -> Path:
    """`path` made absolute against `cwd` the way Rust's `std::path::absolute` does (`..` kept)."""
    return cwd / path


def inspect_target(path: Path) -> TargetKind:
    """Classify what is at `path` (following a symlink, as uv does)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return TargetKind.MISSING
    if stat.S_ISREG(mode):
        return TargetKind.FILE
    if not stat.S_ISDIR(mode):
        return TargetKind.OTHER
    if (path / "pyvenv.cfg").is_file():
        return TargetKind.VIRTUAL_ENVIRONMENT
    with os.scandir(path) as entries:
        return TargetKind.DIRECTORY if next(entries, None) else TargetKind.EMPTY_DIRECTORY


def venv_scheme(interpreter: Interpreter) -> VenvScheme:
    """The venv install scheme of `interpreter` on POSIX (uv's `virtualenv` scheme).

    The probe reports it (`venv_paths`); without that fact it is derived: CPython and GraalPy use
    `lib/pythonX.Y` (`lib/python3.13t` when free-threaded), PyPy uses `lib/pypyX.Y`.
    """
    paths = interpreter.venv_paths
    if paths:
        return VenvScheme(
            scripts=paths["scripts"], purelib=paths["purelib"], platlib=paths["platlib"]
        )
    major, minor = interpreter.major_minor
    name = "pypy" if interpreter.implementation == "pypy" else "python"
    threading = "t" if interpreter.gil_disabled else ""
    site_packages = f"lib/{name}{major}.{minor}{threading}/site-packages"
    return VenvScheme(scripts="bin", purelib=site_packages, platlib=site_packages)


def create_venv(
    path: str | PurePath,
    interpreter: Interpreter,
    *,
    prompt: str | None = None,
    system_site_packages: bool = False,
    relocatable: bool = False,
    on_existing: OnExisting = OnExisting.FAIL,
    cwd: Path | None = None,
) -> VirtualEnv:
    """Create a virtual environment at `path` (relative to `cwd`) for `interpreter`.

    `prompt` goes into `pyvenv.cfg` and the activation scripts (None: the directory name is shown).
    Raises `VenvCreationError` when the target exists and `on_existing` does not allow replacing
    it, or when the file system refuses; the target is then left as it was.
    """
    if os.name == "nt" or interpreter.os == "windows":
        raise VenvCreationError("puv cannot create virtual environments on Windows yet")
    cwd = Path.cwd() if cwd is None else cwd
    shown = user_display(path, cwd)
    root = absolute_path(path, cwd)
    layout = _Layout(
        root=root,
        interpreter=interpreter,
        scheme=venv_scheme(interpreter),
        base_python=absolute_path(interpreter.base_executable, cwd),
        prompt=prompt,
        system_site_packages=system_site_packages,
        relocatable=relocatable,
    )
    try:
        kind = inspect_target(root)
        _check_existing(kind, on_existing, shown)
        # Replace the directory a symlink points to, never the link itself (as uv does).
        target = root.resolve() if root.is_symlink() else root
        target.parent.mkdir(parents=True, exist_ok=True)
        stage = _make_stage(target)
        try:
            _populate(stage, layout)
            _commit(stage, target, kind, on_existing)
        finally:
            if stage.exists():
                _remove_tree(stage)
    except OSError as exc:
        raise VenvCreationError(_describe_os_error(exc)) from exc
    scheme = layout.scheme
    return VirtualEnv(
        root=root,
        scripts=root / scheme.scripts,
        python=root / scheme.scripts / "python",
        purelib=root / scheme.purelib,
        platlib=root / scheme.platlib,
        base_executable=layout.base_python,
    )


def _check_existing(kind: TargetKind, on_existing: OnExisting, shown: str) -> None:
    if kind is TargetKind.FILE:
        raise VenvCreationError(f"File exists at `{shown}`")
    if kind is TargetKind.OTHER:
        raise VenvCreationError(f"Object already exists at `{shown}`")
    if kind not in (TargetKind.VIRTUAL_ENVIRONMENT, TargetKind.DIRECTORY):
        return
    if on_existing is OnExisting.FAIL:
        raise VenvCreationError(
            f"A {kind.value} already exists at: {shown}",
            hint=CLEAR_HINT.format(name=kind.value),
        )
    if on_existing is OnExisting.CLEAR and kind is TargetKind.DIRECTORY:
        raise VenvCreationError(
            "puv will not clear a directory that is not a virtual environment",
            hint="Use the `--force` flag to remove the existing directory anyway",
        )


def _make_stage(target: Path) -> Path:
    """A fresh hidden directory beside `target` (same file system, so it can be renamed)."""
    stage = target.parent / f".{target.name}.puv-{_random_suffix()}"
    stage.mkdir()
    return stage


def _random_suffix() -> str:
    """12 random hex digits for a staging name (`os.urandom`: `secrets` costs ms to import)."""
    return os.urandom(6).hex()


class _Layout(NamedTuple):
    """Everything that decides the contents of one environment. A named tuple, not a dataclass:
    this is defined at every start, and defining a dataclass costs about eight times as much."""

    root: Path  # the final, absolute location
    interpreter: Interpreter
    scheme: VenvScheme
    base_python: Path
    prompt: str | None
    system_site_packages: bool
    relocatable: bool


def _populate(stage: Path, layout: _Layout) -> None:
    """Write the whole environment into `stage`; its contents refer to its final place."""
    interpreter, scheme = layout.interpreter, layout.scheme
    (stage / "CACHEDIR.TAG").write_text(CACHEDIR_TAG)
    (stage / ".gitignore").write_text(GITIGNORE)
    # The install lock of this environment; uv creates it on the first install, puv up front.
    (stage / ".lock").touch()
    scripts = stage / scheme.scripts
    scripts.mkdir()
    for name in _interpreter_link_names(interpreter):
        (scripts / name).symlink_to("python")
    (scripts / "python").symlink_to(layout.base_python)
    from puv.install import activation

    scripts_text = activation.render_all(
        layout.root, layout.prompt, _relative_site_packages(scheme), layout.relocatable
    )
    for name, text in scripts_text.items():
        (scripts / name).write_bytes(text.encode())
    # Only purelib is created, as uv does: a `lib64` platlib is reached through the link below.
    (stage / scheme.purelib).mkdir(parents=True)
    markers = interpreter.markers
    if (
        interpreter.pointer_size == 64
        and markers.get("os_name") == "posix"
        and markers.get("sys_platform") != "darwin"
    ):
        (stage / "lib64").symlink_to("lib")
    if interpreter.major_minor < (3, 10):
        # Keep distutils/setuptools installs inside the environment (uv writes this below 3.10).
        (stage / scheme.purelib / "_virtualenv.py").write_bytes(activation.read("_virtualenv.py"))
        (stage / scheme.purelib / "_virtualenv.pth").write_text("import _virtualenv")
    (stage / "pyvenv.cfg").write_text(
        pyvenv_cfg(
            interpreter,
            layout.base_python,
            layout.prompt,
            layout.system_site_packages,
            layout.relocatable,
        )
    )


def pyvenv_cfg(
    interpreter: Interpreter,
    base_python: Path,
    prompt: str | None,
    system_site_packages: bool,
    relocatable: bool,
) -> str:
    """The text of `pyvenv.cfg`, keys in uv's order, with `puv = <version>` where uv has `uv`."""
    lines = [
        ("home", str(base_python.parent)),
        ("implementation", interpreter.markers["platform_python_implementation"]),
        ("puv", __version__),
        ("version_info", interpreter.markers["python_full_version"]),
        ("include-system-site-packages", "true" if system_site_packages else "false"),
    ]
    if relocatable:
        lines.append(("relocatable", "true"))
    if prompt is not None:
        lines.append(("prompt", prompt))
    return "".join(f"{key} = {value}\n" for key, value in lines)


def _interpreter_link_names(interpreter: Interpreter) -> list[str]:
    """The names in `bin/` that link to `python`, as uv makes them."""
    major, minor = interpreter.major_minor
    names = [f"python{major}", f"python{major}.{minor}"]
    if interpreter.gil_disabled:
        names.append(f"python{major}.{minor}t")
    if interpreter.implementation == "pypy":
        names += [f"pypy{major}", "pypy"]
    elif interpreter.implementation == "graalpy":
        names.append("graalpy")
    return names


def _relative_site_packages(scheme: VenvScheme) -> list[str]:
    """The site-packages directories relative to the scripts directory, without duplicates."""
    paths = dict.fromkeys((scheme.purelib, scheme.platlib))
    return [os.path.relpath(path, scheme.scripts) for path in paths]


def _commit(stage: Path, target: Path, kind: TargetKind, on_existing: OnExisting) -> None:
    """Put the staged environment at `target`: one rename when possible, else move files in.

    An existing directory keeps its identity (owner, mode, a mount on it): files are moved into an
    empty one, and an empty one that a failure left half-filled is emptied again.
    """
    if kind is TargetKind.MISSING:
        stage.rename(target)
        return
    if kind is TargetKind.EMPTY_DIRECTORY:
        try:
            _move_into(stage, target)
        except BaseException:
            _clear_directory(target, keep=stage)
            raise
        return
    if on_existing in (OnExisting.CLEAR, OnExisting.CLEAR_ANY):
        old = target.parent / f".{target.name}.puv-old-{_random_suffix()}"
        try:
            target.rename(old)
        except OSError:  # a mount point, or a directory we may not rename: clear it in place
            _clear_directory(target, keep=stage)
        else:
            try:
                stage.rename(target)
            except BaseException:
                old.rename(target)
                raise
            import shutil

            shutil.rmtree(old, ignore_errors=True)  # the new environment is in place already
            return
    _move_into(stage, target)


def _clear_directory(directory: Path, keep: Path) -> None:
    """Empty `directory` (except `keep`), removing `pyvenv.cfg` last as uv does."""
    entries = sorted(directory.iterdir(), key=lambda entry: entry.name == "pyvenv.cfg")
    for entry in entries:
        if entry != keep:
            _remove_tree(entry)


def _move_into(source: Path, destination: Path) -> None:
    """Move `source`'s entries into `destination`, replacing files; `pyvenv.cfg` goes last.

    Existing directories are merged and kept (as uv keeps an existing `lib64` directory).
    """
    entries = sorted(source.iterdir(), key=lambda entry: entry.name == "pyvenv.cfg")
    for entry in entries:
        existing = destination / entry.name
        if not existing.is_dir():
            os.replace(entry, existing)
        elif entry.is_dir() and not entry.is_symlink():
            _move_into(entry, existing)
        else:
            _remove_tree(entry)
    source.rmdir()


def _remove_tree(path: Path) -> None:
    """Remove a file, a link (not its target) or a directory tree."""
    if path.is_dir() and not path.is_symlink():
        import shutil

        shutil.rmtree(path)
    else:
        path.unlink()


def _describe_os_error(exc: OSError) -> str:
    where = f": `{exc.filename}`" if exc.filename else ""
    reason = f"{exc.strerror} (os error {exc.errno})" if exc.errno else str(exc)
    return f"{reason}{where}"
