"""`[tool.uv.sources]` validation and lowering, compared with what uv writes in uv.lock."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from puv.core.errors import PuvError
from puv.core.markers import Marker
from puv.project.pyproject import read_pyproject
from puv.project.sources import (
    LoweringOptions,
    NamedIndex,
    lower_member,
    lower_workspace_groups,
    parse_sources,
)
from puv.project.workspace import discover_workspace
from tests.uvproject import rendered, run_uv, uv_error, write
from tests.wheelmaker import write_wheel

HEADER = '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
BUILD_SYSTEM = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def packaged(name: str, extra: str = "") -> str:
    return f'[project]\nname = "{name}"\nversion = "0.1.0"\n{extra}{BUILD_SYSTEM}'


def normalized(metadata: dict[str, Any]) -> dict[str, Any]:
    """`[package.metadata]` with its entry lists in a canonical order (compared as data)."""

    def entries(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))

    result = dict(metadata)
    result["requires-dist"] = entries(result.get("requires-dist", []))
    if "requires-dev" in result:
        result["requires-dev"] = {k: entries(v) for k, v in result["requires-dev"].items()}
    return result


def git_repository(tmp_path: Path) -> str:
    """A local bare repository (tag `v1`) holding a package in `sub/`; returns its URL."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    work = tmp_path / "git-work"
    write(work / "sub/pyproject.toml", packaged("gitpkg"))
    identity = ["-c", "user.email=t@example.com", "-c", "user.name=t"]
    for command in (
        ["init", "-q", "-b", "main", "."],
        ["add", "."],
        [*identity, "commit", "-qm", "init"],
        ["tag", "v1"],
        ["clone", "-q", "--bare", ".", str(tmp_path / "repo.git")],
    ):
        subprocess.run([git, *command], cwd=work, check=True, capture_output=True)
    return (tmp_path / "repo.git").as_uri()


@pytest.fixture
def every_source_kind(tmp_path: Path) -> Path:
    """A workspace whose members use every local source kind; uv locks it offline."""
    root = tmp_path / "ws"
    wheels = tmp_path / "wheels"
    for name in ("idna", "foo", "bar", "baz", "foo_bar"):
        write_wheel(wheels, {}, name=name, version="1.0")
    for name in ("idna", "baz"):
        write_wheel(root / "flat", {}, name=name, version="2.0")
    write_wheel(root / "libs", {}, name="whl", version="1.0")
    write(root / "libs/edit/pyproject.toml", packaged("edit"))
    write(root / "libs/bar/pyproject.toml", packaged("bar"))
    write(root / "libs/dirdep/pyproject.toml", packaged("dirdep"))
    write(
        root / "libs/virt/pyproject.toml",
        packaged("virt", 'dependencies = ["foo"]\n') + "[tool.uv]\npackage = false\n",
    )
    write(
        root / "packages/member/pyproject.toml",
        '[project]\nname = "member"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["foo>=0.5,<3", "dirdep", "virt"]\n'
        "[tool.uv.sources]\n"
        'dirdep = { path = "../../libs/dirdep" }\n'
        'virt = { path = "../../libs/virt" }\n',
    )
    write(root / "packages/empty/pyproject.toml", packaged("empty"))
    write(
        root / "pyproject.toml",
        HEADER + 'dependencies = ["idna>=1", "member", "empty", "whl", "gitpkg",'
        " \"edit[x]; python_version >= '3.12'\", \"Foo_Bar ; sys_platform == 'win32'\"]\n"
        '[project.optional-dependencies]\ncli = ["bar", "baz>=0.1"]\nGUI = ["idna"]\n'
        'all = ["app[gui,CLI]"]\n'
        "[dependency-groups]\n"
        'dev = ["baz", {include-group = "lint"}]\n'
        "lint = [\"foo ; os_name == 'nt'\"]\n"
        "empty = []\n"
        'selfref = ["app[cli]"]\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
        "[tool.uv.sources]\n"
        'idna = [{ index = "flat", marker = "sys_platform == \'linux\'" },'
        ' { index = "flat", marker = "sys_platform == \'darwin\'", extra = "gui" }]\n'
        "member = { workspace = true }\n"
        "empty = { workspace = true, editable = false }\n"
        'whl = { path = "libs/whl-1.0-py3-none-any.whl" }\n'
        'edit = { path = "./libs/edit", editable = true }\n'
        'bar = { path = "libs/bar", extra = "cli" }\n'
        'baz = { index = "flat", group = "dev" }\n'
        f'gitpkg = {{ git = "{git_repository(tmp_path)}", tag = "v1", subdirectory = "sub" }}\n'
        '[[tool.uv.index]]\nname = "flat"\nurl = "./flat"\nformat = "flat"\nexplicit = true\n',
    )
    return root


def test_package_metadata_matches_uv_lock(every_source_kind: Path, tmp_path: Path) -> None:
    root = every_source_kind
    result = run_uv(root, tmp_path / "cache", "--find-links", str(tmp_path / "wheels"))
    assert result.returncode == 0, result.stderr
    lock = tomllib.loads((root / "uv.lock").read_text())
    expected = {
        package["name"]: normalized(package["metadata"])
        for package in lock["package"]
        if "metadata" in package
    }

    workspace = discover_workspace(root)
    actual = {
        name: normalized(lower_member(workspace, member).metadata())
        for name, member in workspace.members.items()
    }

    assert set(expected) == {"app", "member", "virt"}
    assert actual["empty"] == {"requires-dist": []}
    assert {name: actual[name] for name in ("app", "member")} == {
        name: expected[name] for name in ("app", "member")
    }


def test_lowered_requirements_for_the_resolver(every_source_kind: Path) -> None:
    workspace = discover_workspace(every_source_kind)
    lowered = lower_member(workspace, workspace.members["app"])

    idna = [entry for entry in lowered.requires_dist if entry.name == "idna"]
    flat = (every_source_kind / "flat").as_uri()
    assert [(entry.marker.to_text(), dict(entry.source)) for entry in idna] == [
        ("sys_platform == 'linux'", {"index": flat}),
        ("sys_platform != 'linux'", {}),
        ("sys_platform == 'linux' and extra == 'gui'", {"index": flat}),
        ("sys_platform == 'darwin' and extra == 'gui'", {"index": flat}),
        ("sys_platform != 'darwin' and sys_platform != 'linux' and extra == 'gui'", {}),
    ]
    assert all(entry.specifier in (">=1", None) for entry in idna)
    baz = lowered.requires_dev["dev"][0]
    assert (baz.name, baz.conflict) == ("baz", ("app", "group", "dev"))
    assert lowered.requires_dev["empty"] == ()


def test_git_and_url_sources_render_as_uv_lock_does(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        HEADER + 'dependencies = ["a", "b", "c", "d"]\n[tool.uv.sources]\n'
        'a = { git = "git+https://user:pw@example.com/r.git?x=1", branch = "dev/x", '
        'subdirectory = "p/q", lfs = true }\n'
        'b = { git = "ssh://git@example.com/r", path = "dist/b.whl", rev = "abc" }\n'
        'c = { url = "https://example.com/c-1.0.tar.gz", subdirectory = "src" }\n'
        'd = { url = "https://example.com/d-1.0-py3-none-any.whl" }\n',
    )
    workspace = discover_workspace(tmp_path)
    entries = lower_member(workspace, workspace.members["app"]).metadata()["requires-dist"]

    assert entries == [
        {
            "name": "a",
            "git": "https://example.com/r.git?subdirectory=p%2Fq&lfs=true&branch=dev%2Fx",
        },
        {"name": "b", "git": "ssh://git@example.com/r?path=dist%2Fb.whl&rev=abc"},
        {"name": "c", "url": "https://example.com/c-1.0.tar.gz", "subdirectory": "src"},
        {"name": "d", "url": "https://example.com/d-1.0-py3-none-any.whl"},
    ]


def test_parse_sources_keeps_conditions(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        HEADER + "[tool.uv.sources]\n"
        'Torch = [{ index = "cpu", marker = "python_version < \'3.12\'", extra = "CPU" },'
        ' { index = "gpu", group = "cuda" }]\n',
    )
    sources = parse_sources(read_pyproject(path))["torch"]
    assert [(s.kind, s.marker, s.extra, s.group) for s in sources] == [
        ("index", Marker.parse("python_full_version < '3.12'"), "cpu", None),
        ("index", Marker.TRUE, None, "cuda"),
    ]


BAD_SOURCES = {
    "overlapping markers": 'idna = [{ index = "x", marker = "sys_platform == \'linux\'" },'
    " { index = \"y\", marker = \"sys_platform == 'linux' or python_version < '3.12'\" }]",
    "missing markers": 'idna = [{ path = "a" }, { path = "b" }]',
    "one marker missing": 'idna = [{ path = "a", marker = "sys_platform == \'linux\'" },'
    ' { path = "b" }]',
    "empty list": "idna = []",
    "git and index": 'idna = { git = "https://x/y", index = "z" }',
    "unknown field": 'idna = { path = "a", foo = 1 }',
    "no kind": 'idna = { tag = "x" }',
    "two refs": 'idna = { git = "https://x/y", tag = "x", rev = "y" }',
    "extra and group": 'idna = { path = "a", extra = "x", group = "y" }',
    "editable and not package": 'idna = { path = "a", editable = true, package = false }',
    "url and path": 'idna = { url = "https://x/y.whl", path = "a" }',
    "bad marker": 'idna = { path = "a", marker = "sys_platform = \'linux\'" }',
    "path is not a string": "idna = { path = 1 }",
    "editable is not a boolean": 'idna = { path = "a", editable = "yes" }',
    "duplicate package": 'IDNA = { path = "a" }\nidna = { path = "b" }',
}


@pytest.mark.parametrize("case", list(BAD_SOURCES))
def test_parse_errors_match_uv(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "app"
    text = HEADER + 'dependencies = ["idna"]\n[tool.uv.sources]\n' + BAD_SOURCES[case] + "\n"
    path = write(project / "pyproject.toml", text)
    monkeypatch.chdir(project)

    with pytest.raises(PuvError) as caught:
        parse_sources(read_pyproject(path))

    assert rendered(caught.value) == uv_error(project, tmp_path / "cache")


BAD_LOWERING = {
    "missing workspace source": ('"lib"', ""),
    "member from a path": ('"lib"', 'lib = { path = "packages/a" }'),
    "member from an index": ('"lib"', 'lib = { index = "x" }'),
    "undeclared workspace package": ('"other"', "other = { workspace = true }"),
    "undeclared index": ('"other"', 'other = { index = "nope" }'),
    "workspace false": ('"other"', "other = { workspace = false }"),
    "url with fragment": ('"other"', 'other = { url = "https://x/y.whl#frag" }'),
    "url to a git repository": ('"other"', 'other = { url = "https://github.com/o/r" }'),
    "editable file": ('"other"', 'other = { path = "x.whl", editable = true }'),
}


@pytest.mark.parametrize("case", list(BAD_LOWERING))
def test_lowering_errors_match_uv(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dependencies, sources = BAD_LOWERING[case]
    root = tmp_path / "ws"
    write(
        root / "pyproject.toml",
        HEADER + f"dependencies = [{dependencies}]\n[tool.uv.sources]\n{sources}\n"
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
    )
    write(root / "packages/a/pyproject.toml", packaged("lib"))
    monkeypatch.chdir(root)
    workspace = discover_workspace(root)

    with pytest.raises(PuvError) as caught:
        lower_member(workspace, workspace.members["app"])

    assert caught.value.exit_code == 1
    assert rendered(caught.value) == uv_error(root, tmp_path / "cache")


def test_http_index_and_url_sources_match_uv_lock(tmp_path: Path) -> None:
    from tests.indexserver import IndexServer

    with IndexServer(tmp_path / "files") as index:
        index.require_auth("user", "secret")
        for name in ("alpha", "beta", "gamma"):
            index.add_wheel(name, "1.0")
        authed = index.simple_url.replace("http://", "http://user:secret@")
        direct = index.file_url("gamma-1.0-py3-none-any.whl").replace(
            "http://", "http://user:secret@"
        )
        write(
            tmp_path / "app/pyproject.toml",
            HEADER + 'dependencies = ["alpha", "beta>=0.1", "gamma"]\n'
            "[tool.uv.sources]\n"
            'alpha = { index = "with-slash" }\n'
            'beta = { index = "without-slash" }\n'
            f'gamma = {{ url = "{direct}" }}\n'
            f'[[tool.uv.index]]\nname = "with-slash"\nurl = "{authed}"\nexplicit = true\n'
            f'[[tool.uv.index]]\nname = "without-slash"\nurl = "{authed.rstrip("/")}"\n'
            "explicit = true\n",
        )
        result = run_uv(tmp_path / "app", tmp_path / "cache", offline=False)
    assert result.returncode == 0, result.stderr
    lock = tomllib.loads((tmp_path / "app/uv.lock").read_text())
    expected = next(package for package in lock["package"] if package["name"] == "app")

    workspace = discover_workspace(tmp_path / "app")
    actual = lower_member(workspace, workspace.members["app"]).metadata()

    assert normalized(actual) == normalized(expected["metadata"])


def test_workspace_path_sources_match_uv_lock(tmp_path: Path) -> None:
    other = tmp_path / "other"
    write(other / "pyproject.toml", '[tool.uv.workspace]\nmembers = ["libs/*"]\n')
    write(other / "libs/shared/pyproject.toml", packaged("shared"))
    write(other / "libs/plain/pyproject.toml", '[project]\nname = "plain"\nversion = "1.0"\n')
    write(
        tmp_path / "app/pyproject.toml",
        HEADER + 'dependencies = ["shared", "plain"]\n[tool.uv.sources]\n'
        'shared = { workspace = "../other" }\nplain = { workspace = "../other" }\n',
    )
    result = run_uv(tmp_path / "app", tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    lock = tomllib.loads((tmp_path / "app/uv.lock").read_text())
    expected = next(package for package in lock["package"] if package["name"] == "app")

    workspace = discover_workspace(tmp_path / "app")
    actual = lower_member(workspace, workspace.members["app"]).metadata()

    assert normalized(actual) == normalized(expected["metadata"])


def test_workspace_path_must_be_a_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    write(other / "pyproject.toml", '[tool.uv.workspace]\nmembers = ["libs/*"]\n')
    write(other / "libs/shared/pyproject.toml", packaged("shared"))
    write(
        tmp_path / "app/pyproject.toml",
        HEADER + 'dependencies = ["shared"]\n[tool.uv.sources]\n'
        'shared = { workspace = "../other/libs/shared" }\n',
    )
    monkeypatch.chdir(tmp_path / "app")
    workspace = discover_workspace(tmp_path / "app")

    with pytest.raises(PuvError) as caught:
        lower_member(workspace, workspace.members["app"])

    assert rendered(caught.value) == uv_error(tmp_path / "app", tmp_path / "cache")


CONDITION_ERRORS = {
    "unknown extra": ('dependencies = ["idna"]\n', 'idna = { path = "a", extra = "nope" }'),
    "extra without the package": (
        'dependencies = ["idna"]\n[project.optional-dependencies]\ncli = ["other"]\n',
        'idna = { path = "a", extra = "cli" }',
    ),
    "unknown group": ('dependencies = ["idna"]\n', 'idna = { path = "a", group = "nope" }'),
    "group without the package": (
        '[dependency-groups]\ndev = ["other"]\n',
        'idna = { path = "a", group = "dev" }',
    ),
    "undeclared index in a group": (
        '[dependency-groups]\ndev = ["idna >=1"]\n',
        'idna = { index = "corp" }',
    ),
}


@pytest.mark.parametrize("case", list(CONDITION_ERRORS))
def test_condition_errors_match_uv(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table, sources = CONDITION_ERRORS[case]
    project = tmp_path / "app"
    write(project / "pyproject.toml", HEADER + table + f"[tool.uv.sources]\n{sources}\n")
    monkeypatch.chdir(project)
    workspace = discover_workspace(project)

    with pytest.raises(PuvError) as caught:
        lower_member(workspace, workspace.members["app"])

    assert caught.value.exit_code == 1
    assert rendered(caught.value) == uv_error(project, tmp_path / "cache")


def test_index_from_uv_toml_gets_uvs_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "app"
    write(
        project / "pyproject.toml",
        HEADER + 'dependencies = ["idna"]\n[tool.uv.sources]\nidna = { index = "corp" }\n',
    )
    write(project / "uv.toml", '[[index]]\nname = "corp"\nurl = "https://example.com/simple"\n')
    monkeypatch.chdir(project)
    workspace = discover_workspace(project)
    options = LoweringOptions(
        indexes=(NamedIndex("corp", "https://example.com/simple", "project"),)
    )

    with pytest.raises(PuvError) as caught:
        lower_member(workspace, workspace.members["app"], options)

    assert rendered(caught.value) == uv_error(project, tmp_path / "cache", config=True)


def test_cli_index_and_no_sources(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        HEADER + 'dependencies = ["idna>=2", "lib @ https://example.com/lib-1.0.tar.gz"]\n'
        '[tool.uv.sources]\nidna = { index = "corp" }\n',
    )
    workspace = discover_workspace(tmp_path)
    member = workspace.members["app"]
    cli = LoweringOptions(
        indexes=(NamedIndex("corp", "https://user:pw@corp.example/simple", "cli"),)
    )

    assert lower_member(workspace, member, cli).metadata()["requires-dist"] == [
        {"name": "idna", "specifier": ">=2", "index": "https://corp.example/simple"},
        {"name": "lib", "url": "https://example.com/lib-1.0.tar.gz"},
    ]
    for options in (
        LoweringOptions(no_sources=True),
        LoweringOptions(no_sources_packages=frozenset({"idna"})),
    ):
        assert lower_member(workspace, member, options).metadata()["requires-dist"][0] == {
            "name": "idna",
            "specifier": ">=2",
        }


def test_direct_url_requirements_match_uv_lock(tmp_path: Path) -> None:
    write(tmp_path / "libs/dirdep/pyproject.toml", packaged("dirdep"))
    wheel = write_wheel(tmp_path / "libs", {}, name="whl", version="1.0")
    repository = git_repository(tmp_path)
    dependencies = [
        f"dirdep @ {(tmp_path / 'libs/dirdep').as_uri()}",
        f"whl @ {wheel.as_uri()}",
        f"gitpkg @ git+{repository}@v1#subdirectory=sub",
    ]
    write(tmp_path / "app/pyproject.toml", HEADER + f"dependencies = {json.dumps(dependencies)}\n")
    result = run_uv(tmp_path / "app", tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    lock = tomllib.loads((tmp_path / "app/uv.lock").read_text())
    expected = next(package for package in lock["package"] if package["name"] == "app")

    workspace = discover_workspace(tmp_path / "app")
    actual = lower_member(workspace, workspace.members["app"]).metadata()

    assert normalized(actual) == normalized(expected["metadata"])


def non_project_root(tmp_path: Path, index: str) -> Path:
    root = tmp_path / "ws"
    write_wheel(root / "flat", {}, name="idna", version="2.0")
    write(
        root / "pyproject.toml",
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
        "[dependency-groups]\n"
        'dev = ["idna>=1", "a", "baz ; sys_platform == \'linux\'"]\n'
        f'[tool.uv.sources]\nidna = {{ index = "{index}" }}\na = {{ workspace = true }}\n'
        '[[tool.uv.index]]\nname = "flat"\nurl = "./flat"\nformat = "flat"\nexplicit = true\n',
    )
    write(root / "packages/a/pyproject.toml", HEADER.replace('"app"', '"a"'))
    return root


def test_non_project_root_groups_match_uv_manifest(tmp_path: Path) -> None:
    root = non_project_root(tmp_path, "flat")
    write_wheel(tmp_path / "wheels", {}, name="baz", version="1.0")
    result = run_uv(root, tmp_path / "cache", "--find-links", str(tmp_path / "wheels"))
    assert result.returncode == 0, result.stderr
    manifest = tomllib.loads((root / "uv.lock").read_text())["manifest"]

    groups = lower_workspace_groups(discover_workspace(root))

    actual = {
        name: [entry.metadata_entry() for entry in entries] for name, entries in groups.items()
    }
    assert (
        normalized({"requires-dev": actual})["requires-dev"]
        == normalized({"requires-dev": manifest["dependency-groups"]})["requires-dev"]
    )


def test_non_project_root_group_error_matches_uv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = non_project_root(tmp_path, "nope")
    monkeypatch.chdir(root)

    with pytest.raises(PuvError) as caught:
        lower_workspace_groups(discover_workspace(root))

    assert rendered(caught.value) == uv_error(root, tmp_path / "cache")


def test_member_root_has_no_manifest_groups(every_source_kind: Path) -> None:
    assert lower_workspace_groups(discover_workspace(every_source_kind)) == {}
