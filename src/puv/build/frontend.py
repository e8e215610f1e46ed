"""Call a source tree's PEP 517 / PEP 660 build backend hooks (through `pyproject-hooks`).

`read_build_system` reads `[build-system]` (uv's default, `setuptools.build_meta:__legacy__` with
`setuptools>=40.8.0`, when the table is missing); `BuildBackend` runs each hook in a fresh
subprocess of the build environment's Python, captures its output, and turns a failing hook into
uv's error (`Failed to build ...` / `The build backend returned an error` / `Call to ... failed`).
"""

from __future__ import annotations

import os
import subprocess
import tomllib
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal

from msgspec import Struct

from puv.build.errors import HookOutput, backend_failure, build_failure
from puv.core.errors import PuvError

DEFAULT_BACKEND = "setuptools.build_meta:__legacy__"
DEFAULT_REQUIRES = ("setuptools>=40.8.0",)

Kind = Literal["wheel", "editable", "sdist"]
ConfigSettings = Mapping[str, str | list[str]]


class BuildSystem(Struct, frozen=True):
    """A source tree's `[build-system]`, and what the project says about itself statically."""

    requires: tuple[str, ...]
    backend: str
    backend_path: tuple[str, ...]
    name: str | None  # `[project].name`, for messages
    version: str | None  # `[project].version` when static


def check_python_project(source: Path) -> None:
    """uv's error when `source` has neither `pyproject.toml` nor `setup.py`."""
    if not (source / "pyproject.toml").is_file() and not (source / "setup.py").is_file():
        raise PuvError(
            f"`{source}` does not appear to be a Python project, as neither `pyproject.toml` nor "
            "`setup.py` are present in the directory"
        )


def read_build_system(source: Path) -> BuildSystem:
    """The build system of the source tree at `source` (raises `PuvError` for a bad file)."""
    check_python_project(source)
    pyproject = source / "pyproject.toml"
    data: dict[str, Any] = {}
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise PuvError(f"Failed to parse: `{pyproject}`", causes=[str(err)]) from None
    project = data.get("project")
    project = project if isinstance(project, dict) else {}
    name = project.get("name") if isinstance(project.get("name"), str) else None
    version = project.get("version") if isinstance(project.get("version"), str) else None
    table = data.get("build-system")
    if not isinstance(table, dict):
        return BuildSystem(DEFAULT_REQUIRES, DEFAULT_BACKEND, (), name, version)
    requires = table.get("requires")
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise PuvError(
            f"Failed to parse: `{pyproject}`",
            causes=["`build-system.requires` must be a list of strings"],
        )
    backend = table.get("build-backend", DEFAULT_BACKEND)
    backend_path = table.get("backend-path", [])
    if not isinstance(backend, str) or not isinstance(backend_path, list):
        raise PuvError(
            f"Failed to parse: `{pyproject}`",
            causes=["`build-system.build-backend` must be a string, `backend-path` a list"],
        )
    return BuildSystem(tuple(requires), backend, tuple(map(str, backend_path)), name, version)


class _HookFailed(Exception):
    """A hook subprocess exited with a non-zero status."""

    def __init__(self, output: HookOutput) -> None:
        super().__init__(output.hook)
        self.output = output


class BuildBackend:
    """The hooks of one source tree's backend, run with one build environment's Python.

    `environ` is the complete environment of the hook processes (see `hook_environment`);
    `display` names the source in errors (`pkg @ file:///...`). `log`, when given, receives the
    hooks' output line by line as it arrives (`uv build`), and a failure then does not repeat it;
    otherwise the output is captured and shown in the error only (`uv pip install`).
    """

    def __init__(
        self,
        source: Path,
        system: BuildSystem,
        python: Path,
        environ: Mapping[str, str],
        *,
        display: str,
        log: Callable[[str], None] | None = None,
    ) -> None:
        from pyproject_hooks import BuildBackendHookCaller

        self.source = source
        self.system = system
        self.display = display
        self._log = log
        self._environ = dict(environ)
        root = os.path.abspath(source)
        for entry in system.backend_path:
            inside = os.path.normpath(os.path.join(root, entry))
            if os.path.isabs(entry) or os.path.commonpath([root, inside]) != root:
                raise build_failure(
                    display,
                    f"`backend-path` entry `{entry}` must be a relative path within the source tree",
                )
        self._caller = BuildBackendHookCaller(
            str(source),
            system.backend,
            backend_path=list(system.backend_path) or None,
            runner=self._run,
            python_executable=str(python),
        )

    def get_requires(self, kind: Kind, config_settings: ConfigSettings | None = None) -> list[str]:
        """`get_requires_for_build_{wheel,editable,sdist}` (an absent hook means none)."""
        hooks = {
            "wheel": self._caller.get_requires_for_build_wheel,
            "editable": self._caller.get_requires_for_build_editable,
            "sdist": self._caller.get_requires_for_build_sdist,
        }
        result = self._call(hooks[kind], config_settings)
        return [str(requirement) for requirement in result]

    def prepare_metadata(
        self, kind: Literal["wheel", "editable"], directory: Path, config: ConfigSettings | None
    ) -> Path | None:
        """`prepare_metadata_for_build_{wheel,editable}`; the `.dist-info` made, or None when
        the backend lacks the hook (no wheel is built as a fallback)."""
        from pyproject_hooks import HookMissing

        hook = (
            self._caller.prepare_metadata_for_build_wheel
            if kind == "wheel"
            else self._caller.prepare_metadata_for_build_editable
        )
        directory.mkdir(parents=True, exist_ok=True)
        try:
            name = self._call(hook, str(directory), config, _allow_fallback=False, missing_ok=True)
        except HookMissing:
            return None
        return None if name is None else directory / name

    def build(
        self,
        kind: Kind,
        out_dir: Path,
        config_settings: ConfigSettings | None = None,
        metadata_directory: Path | None = None,
    ) -> Path:
        """`build_wheel`, `build_editable` or `build_sdist` into `out_dir`; the built file."""
        out_dir.mkdir(parents=True, exist_ok=True)
        if kind == "sdist":
            name = self._call(self._caller.build_sdist, str(out_dir), config_settings)
        else:
            hook = self._caller.build_wheel if kind == "wheel" else self._caller.build_editable
            meta = None if metadata_directory is None else str(metadata_directory)
            name = self._call(hook, str(out_dir), config_settings, meta)
        built = out_dir / os.path.basename(str(name))
        if not built.is_file():
            raise build_failure(
                self.display,
                f"The build backend's `build_{kind}` returned `{name}`, which does not exist",
            )
        return built

    # ---- running hooks

    def _call(self, hook: Any, *args: Any, missing_ok: bool = False, **kwargs: Any) -> Any:
        from pyproject_hooks import BackendUnavailable, HookMissing, UnsupportedOperation

        name = getattr(hook, "__name__", "hook")
        try:
            with warnings.catch_warnings():  # the backend's warnings are part of its output
                warnings.simplefilter("ignore")
                return hook(*args, **kwargs)
        except _HookFailed as failed:
            raise self._failure(failed.output) from None
        except BackendUnavailable as err:
            output = HookOutput(name, 1, "", err.traceback or str(err))
            raise self._failure(output) from None
        except HookMissing as err:
            if missing_ok:
                raise
            what = "editable installs" if "editable" in err.hook_name else f"`{err.hook_name}`"
            raise build_failure(
                self.display,
                f"The build backend `{self.system.backend}` does not support {what}",
            ) from None
        except UnsupportedOperation as err:
            output = HookOutput(name, 1, "", err.traceback)
            raise self._failure(output) from None

    def _failure(self, output: HookOutput) -> PuvError:
        return backend_failure(
            self.display,
            self.system.backend,
            output,
            name=self.system.name,
            version=self.system.version,
        )

    def _run(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        """The `pyproject-hooks` runner: capture output; a non-zero exit raises `_HookFailed`."""
        environ = {**self._environ, **(extra_environ or {})}
        with subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as process:
            assert process.stdout is not None and process.stderr is not None
            stdout, stderr = _read_streams(process.stdout, process.stderr, self._log)
            status = process.wait()
        if status != 0:
            raise _HookFailed(
                HookOutput(cmd[2], status, stdout, stderr, shown=self._log is not None)
            )


def _read_streams(
    stdout: IO[bytes], stderr: IO[bytes], log: Callable[[str], None] | None
) -> tuple[str, str]:
    """Read both pipes to their end (never blocking on one while the other fills), passing each
    complete line to `log` as it arrives."""
    import selectors

    chunks: dict[int, list[bytes]] = {stdout.fileno(): [], stderr.fileno(): []}
    pending: dict[int, bytes] = dict.fromkeys(chunks, b"")
    with selectors.DefaultSelector() as selector:
        for fd in chunks:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            for key, _ in selector.select():
                fd = key.fd
                data = os.read(fd, 65536)
                if not data:
                    selector.unregister(fd)
                    if log is not None and pending[fd]:
                        log(pending[fd].decode("utf-8", "replace").rstrip("\r"))
                    continue
                chunks[fd].append(data)
                if log is not None:
                    *lines, pending[fd] = (pending[fd] + data).split(b"\n")
                    for line in lines:
                        log(line.decode("utf-8", "replace").rstrip("\r"))
    out, err = (b"".join(chunks[s.fileno()]).decode("utf-8", "replace") for s in (stdout, stderr))
    return out, err


def hook_environment(base: Mapping[str, str], *, venv_root: Path, scripts: Path) -> dict[str, str]:
    """The environment of hook processes: the build venv first on `PATH`, no user site, no
    `PYTHONPATH` or `PYTHONHOME` leaking in from outside."""
    environ = {
        key: value
        for key, value in base.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PIP_REQUIRE_VIRTUALENV")
    }
    environ["PATH"] = os.pathsep.join(filter(None, [str(scripts), base.get("PATH", "")]))
    environ["VIRTUAL_ENV"] = str(venv_root)
    environ["PYTHONNOUSERSITE"] = "1"
    return environ
