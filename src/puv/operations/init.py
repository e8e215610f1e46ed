"""`puv init`: create a project (or a PEP 723 script) with the files `uv init` writes.

The layouts are uv's (`crates/uv/src/commands/project/init.rs`): a packaged application (the
default, also `--app`), a plain application (`--app --no-package`: `main.py`), a library (`--lib`:
`src/<module>/__init__.py` and `py.typed`), a bare `pyproject.toml` (`--bare`), with a
`[build-system]` for the chosen backend. `requires-python` and `.python-version` come from
`--python`, an enclosing `.python-version`, a `.venv` in the directory, the enclosing workspace's
`requires-python`, or the default interpreter, as in uv. A Git repository and `.gitignore` are
created unless the directory is already inside one (`--vcs`), the author comes from Git's
`user.name`/`user.email` (`--author-from`), and a project inside a workspace becomes a member.

The `uv_build` requirement is pinned as uv pins it, to the uv release whose behaviour puv mirrors
(`UV_BUILD_VERSION`): `uv_build>=0.13.9,<0.14.0`. That backend is on PyPI and `puv build` /
`puv sync` build with it like any other PEP 517 backend, so the project builds with uv and puv.
"""

from __future__ import annotations

import enum
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from msgspec import Struct

from puv.core.errors import PuvError
from puv.operations.context import Context
from puv.project.settings_schema import normalize_name

if TYPE_CHECKING:
    from puv.python.interpreter import Interpreter

__all__ = ["UV_BUILD_VERSION", "InitKind", "InitRequest", "init_project", "init_script"]

# The uv release puv mirrors: `uv init` pins `uv_build>={uv},<0.{minor + 1}.0`.
UV_BUILD_VERSION = (0, 13, 9)

GITIGNORE = """# Python-generated files
__pycache__/
*.py[oc]
build/
dist/
wheels/
*.egg-info

# Virtual environments
.venv
"""

_BACKENDS = {
    "hatch": ('["hatchling"]', "hatchling.build"),
    "flit": ('["flit_core>=3.2,<4"]', "flit_core.buildapi"),
    "pdm": ('["pdm-backend"]', "pdm.backend"),
    "setuptools": ('["setuptools>=61"]', "setuptools.build_meta"),
    "poetry": ('["poetry-core>=2,<3"]', "poetry.core.masonry.api"),
}


class InitKind(enum.Enum):
    """uv's `InitProjectKind`."""

    PACKAGED_APP = "application-with-library"
    APP = "application"
    LIB = "library"
    BARE = "bare"
    BARE_WITH_BUILD_SYSTEM = "bare-with-build-system"


class InitRequest(Struct, frozen=True):
    """`puv init [PATH]` after uv's flag merging (see `init_kind`)."""

    path: str | None = None
    name: str | None = None
    kind: InitKind = InitKind.PACKAGED_APP
    bare: bool = False
    description: str | None = None
    no_description: bool = False
    vcs: str | None = None
    build_backend: str | None = None
    no_readme: bool = False
    author_from: str | None = None
    pin_python: bool = True
    no_workspace: bool = False
    python: str | None = None


def init_kind(
    *, app: bool, lib: bool, bare: bool, package: bool | None, build_backend: str | None
) -> InitKind:
    """uv's `InitSettings::resolve`: the layout the flags ask for."""
    if build_backend is not None:
        package = True if package is None else package
    if bare:
        return InitKind.BARE_WITH_BUILD_SYSTEM if package or lib else InitKind.BARE
    if app and lib:
        raise PuvError("`app` and `lib` are mutually exclusive")
    if lib:
        if package is False:
            raise PuvError("`lib` and `no_package` are mutually exclusive")
        return InitKind.LIB
    return InitKind.APP if package is False else InitKind.PACKAGED_APP


def init_project(ctx: Context, request: InitRequest) -> None:
    """Create the project (see the module docstring) and print uv's lines."""
    path = Path(os.path.abspath(ctx.cwd / request.path)) if request.path else ctx.cwd
    if (path / "pyproject.toml").exists():
        raise PuvError(
            f"Cannot initialize a project in `{path}` because `pyproject.toml` already exists"
        )
    name = _project_name(request, path)
    workspace = _enclosing_workspace(path, request.no_workspace)
    requires_python, pin = _python(ctx, request, path, workspace)
    path.mkdir(parents=True, exist_ok=True)
    _init_vcs(path, request.vcs or ("none" if request.bare else None))
    pyproject = _pyproject(name, requires_python, request, path)
    (path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    if workspace is not None:
        _join_workspace(ctx, workspace, path, name)
    if pin is not None:
        _write_pin(path, pin, workspace)
    if not request.no_readme and not request.bare:
        readme = path / "README.md"
        if not readme.exists():
            readme.write_text("", encoding="utf-8")
    if request.path is None:
        ctx.printer.status(f"Initialized project `{name}`")
    else:
        ctx.printer.status(f"Initialized project `{name}` at `{path}`")


def _project_name(request: InitRequest, path: Path) -> str:
    from puv.project.settings_schema import package_name_error

    if request.name is not None:
        return normalize_name(request.name)
    directory = path.name
    candidate = directory.strip().replace(" ", "-")
    if package_name_error(candidate) is not None:
        where = "target directory" if request.path else "current directory"
        raise PuvError(
            f"The {where} (`{directory}`) is not a valid package name. Please provide a package "
            "name with `--name`."
        )
    return normalize_name(candidate)


class _Workspace(Struct, frozen=True):
    root: Path
    members: tuple[str, ...]
    excludes: tuple[str, ...]
    requires_python: str | None


def _enclosing_workspace(path: Path, no_workspace: bool) -> _Workspace | None:
    """The workspace an `init` at `path` joins: the nearest ancestor `pyproject.toml` with
    `[tool.uv.workspace]`, else None (uv's `Workspace::discover` from the parent)."""
    import tomllib

    if no_workspace:
        return None
    for directory in path.parents:
        candidate = directory / "pyproject.toml"
        if not candidate.is_file():
            continue
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        workspace = data.get("tool", {}).get("uv", {}).get("workspace")
        if workspace is None:
            if "project" in data:
                return None
            continue
        return _Workspace(
            directory,
            tuple(workspace.get("members", ())),
            tuple(workspace.get("exclude", ())),
            data.get("project", {}).get("requires-python"),
        )
    return None


def _python(
    ctx: Context, request: InitRequest, path: Path, workspace: _Workspace | None
) -> tuple[str, str | None]:
    """`requires-python` and the `.python-version` pin (None with `--no-pin-python`)."""
    from puv.python.version_file import find_version_file

    python = request.python
    if python is None:
        found = find_version_file(path, stop_at=workspace.root if workspace else None)
        if found is not None:
            lines = [
                line.strip()
                for line in found.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.strip().startswith("#")
            ]
            python = lines[0] if lines else None
    if python is not None:
        parts = python.split(".")
        if 2 <= len(parts) <= 3 and all(part.isdigit() for part in parts):
            return f">={python}", python if request.pin_python else None
        if python[:1] in "<>=!~":
            interpreter = _interpreter(ctx, python, path)
            pin = "{}.{}".format(*interpreter.major_minor)
            return python, pin if request.pin_python else None
        interpreter = _interpreter(ctx, python, path)
    elif (path / ".venv" / "pyvenv.cfg").exists():
        interpreter = _interpreter(ctx, str(path / ".venv"), path)
    elif workspace is not None and workspace.requires_python is not None:
        interpreter = _interpreter(ctx, workspace.requires_python, path)
        pin = "{}.{}".format(*interpreter.major_minor)
        return workspace.requires_python, pin if request.pin_python else None
    else:
        interpreter = _interpreter(ctx, None, path)
    version = "{}.{}".format(*interpreter.major_minor)
    return f">={version}", version if request.pin_python else None


def _interpreter(ctx: Context, request: str | None, path: Path) -> Interpreter:
    from puv.operations.python_ops import find_interpreter

    existing = path
    while not existing.exists():
        existing = existing.parent
    return find_interpreter(ctx, request, project_dir=existing, no_config=request is not None)


def _init_vcs(path: Path, vcs: str | None) -> None:
    """`git init` and `.gitignore` unless `path` is already in a work tree (uv's `init_vcs`)."""
    if vcs == "none":
        return
    git = shutil.which("git")
    state = _git_state(git, path)
    if vcs is None and state != "no-repository":
        return
    if vcs == "git" and state == "repository":
        return
    if git is None:
        if vcs is None:
            return
        raise PuvError("Git is not installed")
    done = subprocess.run([git, "init"], cwd=path, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PuvError(
            f"Failed to initialize Git repository at `{path}`",
            causes=[f"stdout: {done.stdout}\nstderr: {done.stderr}"],
        )
    gitignore = path / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, encoding="utf-8")


def _git_state(git: str | None, path: Path) -> str:
    if git is None:
        return "no-git"
    done = subprocess.run(
        [git, "rev-parse", "--is-inside-work-tree"],
        cwd=path,
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
        check=False,
    )
    if done.returncode == 0:
        return "repository" if done.stdout.strip() == "true" else "broken"
    return "no-repository" if "not a git repository" in done.stderr else "broken"


def _author(path: Path, kind: InitKind, author_from: str | None) -> str | None:
    """`authors = [...]`'s inline table from Git's `user.name` and `user.email`."""
    from puv.project.toml_edit import InlineTable, Key, Scalar, render_value

    chosen = author_from or ("none" if kind in (InitKind.APP, InitKind.BARE) else "auto")
    git = shutil.which("git")
    if chosen == "none" or git is None:
        return None
    found = {}
    for field in ("name", "email"):
        done = subprocess.run(
            [git, "config", "--get", f"user.{field}"],
            cwd=path,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            found[field] = done.stdout.strip()
    if not found:
        return None
    table = InlineTable()
    for field, value in found.items():
        table.items[field] = (Key(field), Scalar.string(value))
    return render_value(table)


def _pyproject(name: str, requires_python: str, request: InitRequest, path: Path) -> str:
    kind = request.kind
    no_description = request.no_description or (request.bare and request.description is None)
    lines = ["[project]", f'name = "{name}"', 'version = "0.1.0"']
    if not no_description:
        lines.append(f'description = "{request.description or "Add your description here"}"')
    if not (request.no_readme or request.bare):
        lines.append('readme = "README.md"')
    author = _author(path, kind, request.author_from)
    if author is not None:
        lines.append(f"authors = [\n    {author}\n]")
    lines += [f'requires-python = "{requires_python}"', "dependencies = []", ""]
    text = "\n".join(lines)
    module = name.replace("-", "_")
    backend = request.build_backend or "uv"
    if kind is InitKind.BARE_WITH_BUILD_SYSTEM:
        text += "\n" + _build_system(backend)
    elif kind is InitKind.PACKAGED_APP:
        text += f'\n[project.scripts]\n{name} = "{module}:main"\n'
        text += "\n" + _build_system(backend)
        _package_files(path, name, module, is_lib=False)
    elif kind is InitKind.LIB:
        text += "\n" + _build_system(backend)
        _package_files(path, name, module, is_lib=True)
    elif kind is InitKind.APP and not request.bare:
        main = path / "main.py"
        if not main.exists():
            main.write_text(
                f'def main():\n    print("Hello from {name}!")\n\n\n'
                'if __name__ == "__main__":\n    main()\n',
                encoding="utf-8",
            )
    return text


def _build_system(backend: str) -> str:
    if backend == "uv":
        major, minor, patch = UV_BUILD_VERSION
        requires = f'["uv_build>={major}.{minor}.{patch},<{major}.{minor + 1}.0"]'
        build_backend = "uv_build"
    elif backend in _BACKENDS:
        requires, build_backend = _BACKENDS[backend]
    else:
        raise PuvError(f"puv cannot create a `{backend}` project yet (native extension templates)")
    return f'[build-system]\nrequires = {requires}\nbuild-backend = "{build_backend}"\n'


def _package_files(path: Path, name: str, module: str, *, is_lib: bool) -> None:
    package = path / "src" / module
    package.mkdir(parents=True, exist_ok=True)
    init = package / "__init__.py"
    if not init.exists():
        body = (
            f'def hello() -> str:\n    return "Hello from {name}!"\n'
            if is_lib
            else f'def main() -> None:\n    print("Hello from {name}!")\n'
        )
        init.write_text(body, encoding="utf-8")
    if is_lib and not (package / "py.typed").exists():
        (package / "py.typed").write_text("", encoding="utf-8")


def _matches(path: Path, root: Path, patterns: tuple[str, ...]) -> bool:
    import fnmatch

    relative = path.relative_to(root).as_posix()
    return any(fnmatch.fnmatch(relative, pattern.rstrip("/")) for pattern in patterns)


def _join_workspace(ctx: Context, workspace: _Workspace, path: Path, name: str) -> None:
    from puv.operations.add import write_text_atomic
    from puv.project.pyproject_edit import PyProjectEditor

    if _matches(path, workspace.root, workspace.excludes):
        ctx.printer.status(f"Project `{name}` is excluded by workspace `{workspace.root}`")
        return
    if _matches(path, workspace.root, workspace.members):
        ctx.printer.status(f"Project `{name}` is already a member of workspace `{workspace.root}`")
        return
    file = workspace.root / "pyproject.toml"
    editor = PyProjectEditor(file.read_text(encoding="utf-8"))
    editor.add_workspace_member(path.relative_to(workspace.root).as_posix())
    write_text_atomic(file, editor.render())
    ctx.printer.status(f"Adding `{name}` as member of workspace `{workspace.root}`")


def _write_pin(path: Path, pin: str, workspace: _Workspace | None) -> None:
    """Write `.python-version` unless the one already in force says the same (uv's rule)."""
    from puv.python.version_file import find_version_file

    existing = find_version_file(path)
    if existing is not None:
        text = existing.read_text(encoding="utf-8").strip()
        places = {path} | ({workspace.root} if workspace is not None else set())
        if workspace is not None and text == pin and existing.parent in places:
            return
        if workspace is None and existing.parent == path:
            return
    (path / ".python-version").write_text(f"{pin}\n", encoding="utf-8")


def init_script(ctx: Context, script: str, *, python: str | None, bare: bool) -> None:
    """`puv init --script FILE`: a PEP 723 block (and, unless `bare`, a `main`)."""
    path = ctx.cwd / script
    content = path.read_text(encoding="utf-8") if path.exists() else None
    if content is not None and "# /// script" in content.splitlines():
        raise PuvError(f"`{script}` is already a PEP 723 script; use `puv run` to execute it")
    requires_python, _pin = _python(
        ctx, InitRequest(python=python, pin_python=False), path.parent, None
    )
    block = f'# /// script\n# requires-python = "{requires_python}"\n# dependencies = []\n# ///\n'
    if content is not None:
        body = "\n" + content if content else ""
    elif bare:
        body = ""
    else:
        body = (
            f'\n\ndef main() -> None:\n    print("Hello from {path.name}!")\n\n\n'
            'if __name__ == "__main__":\n    main()\n'
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block + body, encoding="utf-8")
    ctx.printer.status(f"Initialized script at `{script}`")
