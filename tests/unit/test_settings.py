"""Settings discovery, validation and merging, checked against the real uv 0.13.9.

uv's hidden `--show-settings` flag prints the settings it resolved; the tests build the same files
for uv and puv and compare what each decided, and compare warnings and errors byte for byte.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from puv.core.errors import PuvError
from puv.core.printer import Printer
from puv.project.settings import Settings, load_settings

UV = Path(sys.executable).with_name("uv")
needs_uv = pytest.mark.skipif(not UV.exists(), reason="the reference uv binary is not installed")

PYPROJECT_HEAD = '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.8"\n'


@dataclass
class Sandbox:
    """A machine in a directory: a project, a user config dir and a system config dir."""

    root: Path
    warnings: list[str] = field(default_factory=list)

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def user_file(self) -> Path:
        return self.root / "xdg-config" / "uv" / "uv.toml"

    @property
    def system_file(self) -> Path:
        return self.root / "xdg-dirs" / "uv" / "uv.toml"

    def write(self, path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    def pyproject(self, tool_uv: str = "", directory: Path | None = None) -> Path:
        body = PYPROJECT_HEAD + ("\n[tool.uv]\n" + textwrap.dedent(tool_uv) if tool_uv else "")
        return self.write((directory or self.project) / "pyproject.toml", body)

    def environ(self, **extra: str) -> dict[str, str]:
        return {
            "HOME": str(self.root),
            "XDG_CONFIG_HOME": str(self.root / "xdg-config"),
            "XDG_CONFIG_DIRS": str(self.root / "xdg-dirs"),
            **extra,
        }

    def load(
        self,
        cli: Mapping[str, Any] | None = None,
        env: Mapping[str, Any] | None = None,
        config_file: Path | None = None,
        no_config: bool = False,
        environ: Mapping[str, str] | None = None,
        project_dir: Path | None = None,
    ) -> Settings:
        self.warnings.clear()
        return load_settings(
            project_dir=project_dir or self.project,
            cli=cli or {},
            env=env or {},
            config_file=config_file,
            no_config=no_config,
            environ=self.environ() if environ is None else environ,
            warn=self.warnings.append,
        )

    def uv(
        self, *args: str, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """The real uv in the project directory, with this sandbox's config dirs."""
        environ = {
            "PATH": os.environ.get("PATH", ""),
            "UV_CACHE_DIR": str(self.root / "cache"),
            "UV_PYTHON_DOWNLOADS": "never",
            "NO_COLOR": "1",
            **self.environ(),
            **(env or {}),
        }
        return subprocess.run(
            [str(UV), *args], cwd=self.project, env=environ, capture_output=True, text=True
        )

    def uv_settings(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        """What `uv lock --show-settings` resolved (uv's debug dump)."""
        result = self.uv("lock", "--offline", "--show-settings", *args, env=env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def uv_pip_settings(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        result = self.uv("pip", "compile", "--show-settings", os.devnull, *args, env=env)
        assert result.returncode == 0, result.stderr
        return result.stdout


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    box = Sandbox(tmp_path)
    box.project.mkdir()
    box.pyproject()
    monkeypatch.chdir(box.project)
    return box


def uv_enum(dump: str, name: str) -> str:
    """A setting from uv's dump (`resolution: LowestDirect,`) as uv's kebab-case value."""
    match = re.search(rf"^\s*{name}: (?:Prerelease {{\s*global: )?(\w+)", dump, re.MULTILINE)
    assert match is not None, f"{name} not in uv's settings"
    return re.sub(r"(?<!^)([A-Z])", r"-\1", match[1]).lower()


def uv_hosts(dump: str) -> list[str]:
    block = dump.split("allow_insecure_host: [", 1)[1]
    if block.startswith("]"):
        return []
    return re.findall(r'host: "([^"]+)"', block.split("\n        ],", 1)[0])


def warning_text(message: str) -> str:
    out = io.StringIO()
    Printer(color=False, err=out).warn(message)
    return out.getvalue()


def error_text(error: PuvError) -> str:
    out = io.StringIO()
    Printer(color=False, err=out).error(error.message, error.causes, error.hint)
    return out.getvalue()


# --- precedence -----------------------------------------------------------------------------

LAYERS = ["cli", "env", "project", "user", "system"]
VALUES = {
    "cli": "lowest",
    "env": "lowest-direct",
    "project": "highest",
    "user": "lowest",
    "system": "lowest-direct",
}


def _set_layer(
    box: Sandbox, layer: str, value: str
) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Configure `resolution = value` in `layer`; returns (puv cli/env maps, uv args, uv env)."""
    if layer == "project":
        box.pyproject(f'resolution = "{value}"\n')
    elif layer == "user":
        box.write(box.user_file, f'resolution = "{value}"\n')
    elif layer == "system":
        box.write(box.system_file, f'resolution = "{value}"\n')
    elif layer == "cli":
        return {"resolution": value}, ["--resolution", value], {}
    else:
        return {"resolution": value}, [], {"UV_RESOLUTION": value}
    return {}, [], {}


@needs_uv
@pytest.mark.parametrize(
    ("high", "low"),
    [(h, lo) for i, h in enumerate(LAYERS) for lo in LAYERS[i + 1 :]],
)
def test_precedence_between_every_pair_of_layers(sandbox: Sandbox, high: str, low: str) -> None:
    cli: dict[str, str] = {}
    env: dict[str, str] = {}
    uv_args: list[str] = []
    uv_env: dict[str, str] = {}
    for layer, value in ((low, "lowest"), (high, "lowest-direct")):
        values, args, variables = _set_layer(sandbox, layer, value)
        (cli if layer == "cli" else env).update(values)
        uv_args += args
        uv_env.update(variables)
    settings = sandbox.load(cli=cli, env=env)
    assert settings.resolution == "lowest-direct"
    expected_origin = {
        "project": f"project:{sandbox.project / 'pyproject.toml'}",
        "user": f"user:{sandbox.user_file}",
        "system": f"system:{sandbox.system_file}",
    }.get(high, high)
    assert settings.origin("resolution") == expected_origin
    assert uv_enum(sandbox.uv_settings(*uv_args, env=uv_env), "resolution") == "lowest-direct"


def test_defaults_when_nothing_is_configured(sandbox: Sandbox) -> None:
    settings = sandbox.load()
    assert (settings.resolution, settings.prerelease, settings.fork_strategy) == (
        "highest",
        "if-necessary",
        "requires-python",
    )
    assert settings.index_strategy == "first-index"
    assert settings.python_preference == "managed"
    assert settings.concurrent_downloads == 50
    assert settings.concurrent_builds >= 1
    assert settings.origin("resolution") == "default"
    assert settings.managed is True
    assert sandbox.warnings == []


def test_uv_toml_python_downloads_auto_means_automatic(sandbox: Sandbox) -> None:
    sandbox.write(sandbox.user_file, 'python-downloads = "auto"\n')
    assert sandbox.load().python_downloads == "automatic"


# --- arrays and tables ----------------------------------------------------------------------


@needs_uv
@pytest.mark.parametrize("command_line", ["cli", "env"])
def test_arrays_concatenate_higher_layer_first(sandbox: Sandbox, command_line: str) -> None:
    sandbox.pyproject('allow-insecure-host = ["project.example"]\n')
    sandbox.write(sandbox.user_file, 'allow-insecure-host = ["user.example"]\n')
    sandbox.write(sandbox.system_file, 'allow-insecure-host = ["system.example"]\n')
    hosts = ["one.example", "two.example"]
    if command_line == "cli":
        settings = sandbox.load(cli={"allow-insecure-host": hosts})
        args = [arg for host in hosts for arg in ("--allow-insecure-host", host)]
        dump = sandbox.uv_settings(*args)
    else:
        settings = sandbox.load(env={"allow-insecure-host": hosts})
        dump = sandbox.uv_settings(env={"UV_INSECURE_HOST": " ".join(hosts)})
    expected = [*hosts, "project.example", "user.example", "system.example"]
    assert list(settings.allow_insecure_host) == expected
    assert uv_hosts(dump) == expected
    assert settings.origin("allow-insecure-host") == command_line


@needs_uv
def test_cli_values_hide_env_values_of_the_same_key(sandbox: Sandbox) -> None:
    settings = sandbox.load(
        cli={"allow-insecure-host": ["cli.example"]}, env={"allow-insecure-host": ["env.example"]}
    )
    dump = sandbox.uv_settings(
        "--allow-insecure-host", "cli.example", env={"UV_INSECURE_HOST": "env.example"}
    )
    assert list(settings.allow_insecure_host) == uv_hosts(dump) == ["cli.example"]


@needs_uv
def test_per_package_tables_and_config_settings_merge_like_uv(sandbox: Sandbox) -> None:
    sandbox.pyproject(
        """\
        prerelease-package = { a = "disallow" }
        config-settings = { k1 = "project" }
        exclude-newer-package = { a = "2022-01-01T00:00:00Z" }
        find-links = ["./project-wheels"]
        """
    )
    sandbox.write(
        sandbox.user_file,
        """\
        prerelease-package = { A = "allow", c = "disallow" }
        config-settings = { k1 = "user", k2 = "user" }
        exclude-newer-package = { a = "2020-01-01T00:00:00Z", b = "2021-01-01T00:00:00Z" }
        find-links = ["./user-wheels"]
        """,
    )
    settings = sandbox.load()
    assert dict(settings.prerelease_package) == {"a": "disallow", "c": "disallow"}
    assert dict(settings.config_settings) == {"k1": ("project", "user"), "k2": "user"}
    assert dict(settings.exclude_newer_package) == {
        "a": "2022-01-01T00:00:00Z",
        "b": "2021-01-01T00:00:00Z",
    }
    assert settings.find_links == (
        str(sandbox.project / "project-wheels"),
        str(sandbox.user_file.parent / "user-wheels"),
    )
    dump = sandbox.uv_settings()
    assert re.search(r'"k1": List\(\s*\[\s*"project",\s*"user",', dump)
    assert re.search(r'"a",\s*\): Disallow,\s*PackageName\(\s*"c",\s*\): Disallow', dump)
    assert re.search(r'"a",\s*\): Enabled\(\s*Absolute\(\s*2022-01-01T00:00:00Z', dump)
    paths = re.findall(r'path: "([^"]+)"', dump.split("flat_index:", 1)[1])
    assert paths == list(settings.find_links)


def test_indexes_keep_unknown_keys_out_and_remember_their_origin(sandbox: Sandbox) -> None:
    sandbox.pyproject(
        """\
        [[tool.uv.index]]
        name = "internal"
        url = "./local-index"
        priority = "supplemental"
        explicit = true
        """
    )
    sandbox.write(sandbox.user_file, '[[index]]\nurl = "https://user.example/simple"\n')
    settings = sandbox.load()
    first, second = settings.index
    assert (first.name, first.url, first.explicit) == (
        "internal",
        str(sandbox.project / "local-index"),
        True,
    )
    assert first.origin == f"project:{sandbox.project / 'pyproject.toml'}"
    assert (second.url, second.origin) == (
        "https://user.example/simple",
        f"user:{sandbox.user_file}",
    )
    assert sandbox.warnings == []


@needs_uv
def test_pip_tables_come_before_top_level_keys(sandbox: Sandbox) -> None:
    sandbox.pyproject('prerelease = "explicit"\n[tool.uv.pip]\nresolution = "highest"\n')
    sandbox.write(
        sandbox.user_file,
        """\
        resolution = "lowest"
        [pip]
        resolution = "lowest"
        no-deps = true
        prerelease = "disallow"
        """,
    )
    settings = sandbox.load()
    assert settings.resolution == "lowest"
    assert settings.prerelease == "explicit"
    assert (settings.pip.resolution, settings.pip.prerelease, settings.pip.no_deps) == (
        "highest",
        "disallow",
        True,
    )
    assert settings.pip.origin("no-deps") == f"user:{sandbox.user_file}"
    dump = sandbox.uv_pip_settings()
    assert uv_enum(dump, "resolution") == "highest"
    assert uv_enum(dump, "prerelease") == "disallow"
    assert "dependency_mode: Direct" in dump
    assert sandbox.load(cli={"resolution": "lowest-direct"}).pip.resolution == "lowest-direct"


@needs_uv
def test_preview_features_are_not_concatenated(sandbox: Sandbox) -> None:
    sandbox.pyproject('preview-features = ["json-output"]\n')
    sandbox.write(sandbox.user_file, 'preview-features = ["pylock"]\n')
    settings = sandbox.load()
    assert settings.preview_features == ("json-output",)
    assert re.search(r"flags: \[\s*JsonOutput,\s*\]", sandbox.uv_settings())
    assert sandbox.load(cli={"preview": True}).preview_features == ()


# --- which files ----------------------------------------------------------------------------


@needs_uv
def test_config_file_replaces_every_discovered_file(sandbox: Sandbox) -> None:
    sandbox.pyproject('resolution = "lowest"\n')
    sandbox.write(sandbox.user_file, 'allow-insecure-host = ["user.example"]\n')
    explicit = sandbox.write(sandbox.root / "elsewhere" / "custom.toml", 'prerelease = "allow"\n')
    settings = sandbox.load(config_file=explicit)
    assert (settings.resolution, settings.prerelease, settings.allow_insecure_host) == (
        "highest",
        "allow",
        (),
    )
    assert settings.origin("prerelease") == f"config-file:{explicit}"
    dump = sandbox.uv_settings("--config-file", str(explicit))
    assert (uv_enum(dump, "resolution"), uv_enum(dump, "prerelease")) == ("highest", "allow")
    assert uv_hosts(dump) == []


@needs_uv
def test_config_file_named_pyproject_warns_then_fails_like_uv(sandbox: Sandbox) -> None:
    config = sandbox.project / "pyproject.toml"
    with pytest.raises(PuvError) as caught:
        sandbox.load(config_file=config)
    uv = sandbox.uv("lock", "--offline", "--config-file", str(config))
    expected = "".join(warning_text(w) for w in sandbox.warnings) + error_text(caught.value)
    assert uv.stderr == expected


@needs_uv
def test_missing_config_file_is_an_error(sandbox: Sandbox) -> None:
    missing = sandbox.root / "missing.toml"
    with pytest.raises(PuvError) as caught:
        sandbox.load(config_file=missing)
    assert error_text(caught.value) == sandbox.uv("lock", "--config-file", str(missing)).stderr


@needs_uv
def test_no_config_ignores_every_file(sandbox: Sandbox) -> None:
    sandbox.pyproject('resolution = "lowest"\n')
    sandbox.write(sandbox.user_file, 'prerelease = "allow"\n')
    sandbox.write(sandbox.system_file, 'link-mode = "copy"\n')
    settings = sandbox.load(no_config=True)
    assert (settings.resolution, settings.prerelease, settings.link_mode) == (
        "highest",
        "if-necessary",
        Settings().link_mode,
    )
    dump = sandbox.uv_settings("--no-config")
    assert (uv_enum(dump, "resolution"), uv_enum(dump, "prerelease")) == (
        "highest",
        "if-necessary",
    )


def test_no_system_config_skips_only_the_system_file(sandbox: Sandbox) -> None:
    sandbox.write(sandbox.user_file, 'prerelease = "allow"\n')
    sandbox.write(sandbox.system_file, 'link-mode = "copy"\n')
    settings = sandbox.load(environ=sandbox.environ(UV_NO_SYSTEM_CONFIG="1"))
    assert (settings.prerelease, settings.link_mode) == ("allow", Settings().link_mode)
    assert sandbox.load().link_mode == "copy"


def test_first_xdg_config_dir_with_a_file_wins(sandbox: Sandbox) -> None:
    first = sandbox.root / "first"
    second = sandbox.root / "second"
    sandbox.write(second / "uv" / "uv.toml", 'link-mode = "copy"\n')
    sandbox.write(sandbox.root / "third" / "uv" / "uv.toml", 'link-mode = "symlink"\n')
    dirs = f"{first}:{second}:{sandbox.root / 'third'}"
    settings = sandbox.load(environ=sandbox.environ(XDG_CONFIG_DIRS=dirs))
    assert settings.link_mode == "copy"
    assert settings.origin("link-mode") == f"system:{second / 'uv' / 'uv.toml'}"


def test_user_config_falls_back_to_home_dot_config(sandbox: Sandbox) -> None:
    sandbox.write(sandbox.root / ".config" / "uv" / "uv.toml", 'prerelease = "allow"\n')
    environ = {"HOME": str(sandbox.root)}
    assert sandbox.load(environ=environ).prerelease == "allow"


def test_user_level_commands_read_only_user_and_system_files(sandbox: Sandbox) -> None:
    sandbox.pyproject('resolution = "lowest"\n')
    sandbox.write(sandbox.user_file, 'prerelease = "allow"\n')
    settings = load_settings(
        project_dir=None,
        cli={},
        env={},
        config_file=None,
        no_config=False,
        environ=sandbox.environ(),
        warn=sandbox.warnings.append,
    )
    assert (settings.resolution, settings.prerelease) == ("highest", "allow")


def test_discovery_walks_up_past_pyprojects_without_tool_uv(sandbox: Sandbox) -> None:
    member = sandbox.project / "member"
    sandbox.pyproject("", directory=member)
    outer = sandbox.write(sandbox.root / "uv.toml", 'prerelease = "allow"\n')
    settings = sandbox.load(project_dir=member)
    assert settings.prerelease == "allow"
    assert settings.origin("prerelease") == f"project:{outer}"
    sandbox.pyproject('prerelease = "explicit"\n')
    assert sandbox.load(project_dir=member).prerelease == "explicit"


@needs_uv
def test_uv_toml_wins_over_tool_uv_in_the_same_directory(sandbox: Sandbox) -> None:
    sandbox.pyproject(
        """\
        resolution = "lowest"
        managed = true
        cache-keys = []
        constraint-dependencies = []
        [tool.uv.pip]
        universal = true
        """
    )
    sandbox.write(sandbox.project / "uv.toml", 'prerelease = "allow"\n')
    settings = sandbox.load()
    assert (settings.resolution, settings.prerelease) == ("highest", "allow")
    assert settings.origin("prerelease") == f"project:{sandbox.project / 'uv.toml'}"
    uv = sandbox.uv("pip", "compile", "--show-settings", os.devnull)
    assert uv.stderr == "".join(warning_text(w) for w in sandbox.warnings)
    assert sandbox.warnings[0].endswith(
        "\n- resolution\n- pip\n- cache_keys\n- constraint-dependencies"
    )


# --- validation -----------------------------------------------------------------------------


@needs_uv
@pytest.mark.parametrize(
    "tool_uv",
    [
        'bogus = 1\nresolution = "lowest"\n',
        'resolution = "nope"\n',
        "offline = true\n[tool.uv.pip]\nbogus = 1\n",
        "concurrent-downloads = 0\n",
        'exclude-newer = "yesterday"\n',
    ],
)
def test_unusable_tool_uv_warns_and_is_skipped_like_uv(sandbox: Sandbox, tool_uv: str) -> None:
    outer = sandbox.write(sandbox.root / "uv.toml", 'link-mode = "copy"\n')
    sandbox.pyproject(tool_uv)
    settings = sandbox.load()
    assert (settings.resolution, settings.offline) == ("highest", False)
    assert settings.link_mode == "copy"
    assert settings.origin("link-mode") == f"project:{outer}"
    uv = sandbox.uv("pip", "compile", "--show-settings", os.devnull)
    assert uv.stderr == "".join(warning_text(w) for w in sandbox.warnings)
    assert len(sandbox.warnings) == 1


@needs_uv
def test_broken_pyproject_warns_during_discovery(sandbox: Sandbox) -> None:
    sandbox.write(sandbox.project / "pyproject.toml", PYPROJECT_HEAD + "[tool.uv\nx = 1\n")
    settings = sandbox.load()
    assert settings.resolution == "highest"
    uv = sandbox.uv("pip", "compile", "--show-settings", os.devnull)
    assert uv.stderr == "".join(warning_text(w) for w in sandbox.warnings)


BAD_UV_TOML = [
    "offline = true\nbogus = 1\n",
    'resolution = "nope"\n',
    'link-mode = "hard"\n',
    'offline = "yes"\n',
    "concurrent-downloads = -1\n",
    "concurrent-builds = 1.5\n",
    'allow-insecure-host = "x"\n',
    "allow-insecure-host = [1]\n",
    'no-build-package = ["bad name!"]\n',
    "resolution = 1\n",
    'python-downloads = "x"\n',
    'fork-strategy = "x"\n',
    'prerelease = "x"\n',
    'index-strategy = "x"\n',
    'keyring-provider = "x"\n',
    'python-preference = "x"\n',
    'trusted-publishing = "x"\n',
    'add-bounds = "x"\n',
    'torch-backend = "x"\n',
    "cache-dir = 1\n",
    'exclude-newer = "nope"\n',
    "exclude-newer = true\n",
    "exclude-newer = 2024-01-01\n",
    'exclude-newer = "2024-13-01"\n',
    'exclude-newer = "P1Y"\n',
    'exclude-newer = "2 months"\n',
    'exclude-newer-package = { "bad name!" = "2020-01-01" }\n',
    'prerelease-package = { a = "zz" }\n',
    "config-settings = { a = 1 }\n",
    'index = [{name = "a"}]\n',
    '[[index]]\nurl = "https://x"\nexplicit = true\n',
    '[[index]]\nurl = "https://x"\nname = "bad name!"\n',
    '[[index]]\nurl = "https://x"\ndefault = "yes"\n',
    "index = [1]\n",
    'index = [{url = "https://x", format = "zip"}]\n',
    'index = [{url = "https://x", ignore-error-codes = ["x"]}]\n',
    "[pip]\nbogus = 1\n",
    'pip.resolution = "x"\n',
    "pip = 1\n",
    '[pip]\nannotation-style = "x"\n',
    '[pip]\npython-version = "x"\n',
    'preview = true\npreview-features = ["x"]\n',
    'preview-features = "x"\n',
    'required-version = "bogus!"\n',
    'required-version = ">=3.11,<"\n',
    "cache-keys = [{x = 1}]\n",
    "dependency-metadata = [{}]\n",
    "extra-build-dependencies = { a = 1 }\n",
    "constraint-dependencies = [1]\n",
    "minimum-libc-version = 1\n",
    "managed = true\n",
    "environments = [\"sys_platform == 'linux'\"]\n",
    "sources = {}\n",
    "conflicts = []\nworkspace = {}\n",
]


@needs_uv
@pytest.mark.parametrize("text", BAD_UV_TOML)
def test_bad_uv_toml_fails_exactly_like_uv(sandbox: Sandbox, text: str) -> None:
    sandbox.write(sandbox.project / "uv.toml", text)
    with pytest.raises(PuvError) as caught:
        sandbox.load()
    uv = sandbox.uv("pip", "compile", "--show-settings", os.devnull)
    assert error_text(caught.value) == uv.stderr
    assert caught.value.exit_code == uv.returncode == 2


@needs_uv
def test_bad_user_config_names_its_absolute_path(sandbox: Sandbox) -> None:
    sandbox.write(sandbox.user_file, 'resolution = "nope"\n')
    with pytest.raises(PuvError) as caught:
        sandbox.load()
    assert caught.value.message == f"Failed to parse: {sandbox.user_file}"
    assert error_text(caught.value) == sandbox.uv("lock", "--offline").stderr


VALID_UV_TOML = [
    'exclude-newer = "3 days"\n',
    'exclude-newer = "1 week, 2 days"\n',
    'exclude-newer = "P3D"\n',
    'exclude-newer = "2024-01-01T00:00:00"\n',
    'exclude-newer = "2024-01-01T00:00:00+01:00"\n',
    "exclude-newer = false\n",
    'exclude-newer = { timestamp = "2024-01-01T00:00:00Z" }\n',
    'exclude-newer-package = { a = false, b = "2024-01-01" }\n',
    '[[index]]\nurl = "https://x"\npriority = "supplemental"\n',
    'allow-insecure-host = [{ host = "x", port = 8080 }]\n',
    "audit = { anything = 1 }\n",
    'required-version = ">=0.1"\n',
    'no-binary-package = ["Foo.Bar"]\n',
    '[pip]\nno-binary = [":all:"]\nextra = ["x"]\n',
    'cache-keys = ["x", { file = "y" }]\n',
    'torch-backend = "cu126"\n',
]


@needs_uv
@pytest.mark.parametrize("text", VALID_UV_TOML)
def test_valid_uv_toml_is_accepted_like_uv(sandbox: Sandbox, text: str) -> None:
    sandbox.write(sandbox.project / "uv.toml", text)
    sandbox.load()
    assert sandbox.uv("pip", "compile", "--show-settings", os.devnull).stderr == ""


EXCLUDE_NEWER_VALUES = [
    "3 days", "1w", "2 weeks 3 days", "1 day, 2 hours", "3 days ago", "-3 days", "1.5 hours",
    "10:00:00", "P1W", "PT24H", "p3d", "PT1.5H", "2024-01-01", "20240101", "2024-01-01T00:00:00Z",
    "2024-01-01 00:00:00Z", "2024-01-01T00:00:00+0100", "20240101T000000Z", "2024-01-01T00",
    "2024-02-30", "2024-13-01", "2024-1-01", "yesterday", "", "P", "P1Y", "P1M", "1 month",
    "1 year 2 days", "5 dayz", "3 d a y s", "Pxx", "P1DT", "P1.5D", "3", "3 DAYS", "1.5 weeks",
    "1 fortnight", "3 days,", "100000000 days",
]  # fmt: skip


@needs_uv
@pytest.mark.parametrize("value", EXCLUDE_NEWER_VALUES)
def test_exclude_newer_values_are_judged_like_uv(sandbox: Sandbox, value: str) -> None:
    sandbox.write(sandbox.project / "uv.toml", f'exclude-newer = "{value}"\n')
    try:
        sandbox.load()
        ours = ""
    except PuvError as error:
        ours = error_text(error)
    assert ours == sandbox.uv("pip", "compile", "--show-settings", os.devnull).stderr


def test_package_names_are_normalized(sandbox: Sandbox) -> None:
    sandbox.pyproject(
        'no-binary-package = ["Foo.Bar"]\nprerelease-package = { Foo_Bar = "allow" }\n'
    )
    settings = sandbox.load(cli={"no-binary-package": ["Other_Pkg"]})
    assert settings.no_binary_package == ("other-pkg", "foo-bar")
    assert dict(settings.prerelease_package) == {"foo-bar": "allow"}


def test_project_only_keys_are_exposed_from_the_project(sandbox: Sandbox) -> None:
    sandbox.pyproject(
        'managed = false\npackage = true\ndefault-groups = "all"\n'
        'environments = "sys_platform == \'linux\'"\n[tool.uv.sources]\nfoo = { path = "x" }\n'
    )
    settings = sandbox.load()
    assert (settings.managed, settings.package, settings.default_groups) == (False, True, "all")
    assert settings.environments == ("sys_platform == 'linux'",)
    assert settings.raw["sources"] == {"foo": {"path": "x"}}


def test_reading_settings_does_not_import_heavy_modules(sandbox: Sandbox) -> None:
    sandbox.pyproject('resolution = "lowest"\nconstraint-dependencies = []\n')
    sandbox.write(sandbox.user_file, 'allow-insecure-host = ["x"]\n')
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from puv.project.settings import load_settings
        s = load_settings(project_dir=Path({str(sandbox.project)!r}), cli={{}}, env={{}},
                          config_file=None, no_config=False, environ={sandbox.environ()!r},
                          warn=print)
        assert s.resolution == "lowest"
        heavy = [m for m in ("tomlkit", "http.client", "rich", "packaging") if m in sys.modules]
        print(heavy)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
