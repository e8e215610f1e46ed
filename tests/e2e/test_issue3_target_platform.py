"""`--python-platform` / `--python-version`: the markers and wheel tags of a target, as uv has them.

The markers and the accepted platform tags are checked against the real uv: uv resolves a set of
probe packages with `uv pip compile --python-platform P`, and what it picks says which marker
values and which tags it accepts. Then `pip install` into a venv with a target platform or
version must choose the same wheel as uv (its module records which one it was).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from puv.core.wheel_filename import WheelFilename
from puv.operations.target_platform import (
    PLATFORM_NAMES,
    parse_platform,
    parse_python_version,
    target_of,
)
from puv.operations.wheel_select import tag_policy
from puv.python.probe import probe_interpreter
from tests.e2e.conftest import UV, Runner
from tests.e2e.test_pip_sync_cli import Twins, make_twins
from tests.wheelmaker import write_wheel

MARKER_KEYS = (
    "os_name",
    "platform_machine",
    "platform_system",
    "sys_platform",
    "platform_release",
    "platform_version",
)
# Platforms puv derives tags for (Android, iOS and Pyodide are refused, see the module).
SUPPORTED = [
    name
    for name in PLATFORM_NAMES
    if not any(part in name for part in ("android", "ios", "pyodide"))
]
CP = f"cp{sys.version_info[0]}{sys.version_info[1]}"


def _candidate_platform_tags() -> list[str]:
    tags = []
    for arch in ("x86_64", "aarch64", "i686"):
        tags.append(f"linux_{arch}")
        tags += [f"manylinux_2_{minor}_{arch}" for minor in range(5, 45)]
        tags += [f"manylinux{legacy}_{arch}" for legacy in ("1", "2010", "2014")]
        tags += [f"musllinux_1_{minor}_{arch}" for minor in range(4)]
    for arch in ("arm64", "x86_64", "universal2", "intel", "universal", "fat64"):
        tags += [f"macosx_10_{minor}_{arch}" for minor in range(17)]
        tags += [f"macosx_{major}_0_{arch}" for major in range(11, 17)]
    return [*tags, "win_amd64", "win_arm64", "win32", "linux_riscv64", "manylinux_2_39_riscv64"]


PLATFORM_TAGS = _candidate_platform_tags()


@pytest.fixture(scope="module")
def interpreter():  # type: ignore[no-untyped-def]
    return probe_interpreter(Path(sys.executable), None)


def _compile(directory: Path, wheels: Path, requirements: str, *args: str) -> str:
    if UV is None:
        pytest.skip("uv is not installed")
    (directory / "requirements.in").write_text(requirements)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PUV_"))}
    env.update(UV_CACHE_DIR=str(directory / "cache"), UV_PYTHON_DOWNLOADS="never")
    result = subprocess.run(
        [
            UV,
            "pip",
            "compile",
            "requirements.in",
            "--no-index",
            "-f",
            str(wheels),
            "-q",
            "--no-header",
            "--no-annotate",
            "--python",
            sys.executable,
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=directory,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def marker_probes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheels = tmp_path_factory.mktemp("marker-probes")
    for index in range(len(MARKER_KEYS)):
        write_wheel(wheels, {f"m{index}/__init__.py": ""}, name=f"m{index}", version="1.0")
    return wheels


@pytest.mark.parametrize("platform", SUPPORTED)
def test_markers_match_uv(platform: str, marker_probes: Path, tmp_path: Path, interpreter) -> None:  # type: ignore[no-untyped-def]
    """Each probe `m<i>` is wanted only when `<key> == <puv's value>` holds for uv."""
    markers = target_of(interpreter, python_platform=platform, environ={}).markers
    requirements = "".join(
        f"m{index} ; {key} == {markers[key]!r}\n" for index, key in enumerate(MARKER_KEYS)
    )
    output = _compile(tmp_path, marker_probes, requirements, "--python-platform", platform)
    chosen = {line.split("==")[0] for line in output.splitlines()}
    assert chosen == {f"m{index}" for index in range(len(MARKER_KEYS))}, markers


@pytest.fixture(scope="module")
def tag_probes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """For each candidate platform tag, a package `t<i>` with version 1.0 for any platform and
    2.0 only for that tag: uv picks 2.0 exactly when the target accepts the tag."""
    wheels = tmp_path_factory.mktemp("tag-probes")
    for index, tag in enumerate(PLATFORM_TAGS):
        files = {f"t{index}/__init__.py": ""}
        write_wheel(wheels, files, name=f"t{index}", version="1.0")
        write_wheel(wheels, files, name=f"t{index}", version="2.0", tag=f"py3-none-{tag}")
    return wheels


@pytest.mark.parametrize(
    "platform",
    [
        "linux",
        "macos",
        "windows",
        "i686-pc-windows-msvc",
        "aarch64-pc-windows-msvc",
        "x86_64-apple-darwin",
        "aarch64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-manylinux2014",
        "x86_64-manylinux_2_35",
        "aarch64-manylinux_2_40",
    ],
)
def test_platform_tags_match_uv(
    platform: str, tag_probes: Path, tmp_path: Path, interpreter
) -> None:  # type: ignore[no-untyped-def]
    requirements = "".join(f"t{index}\n" for index in range(len(PLATFORM_TAGS)))
    output = _compile(tmp_path, tag_probes, requirements, "--python-platform", platform)
    theirs = {
        PLATFORM_TAGS[int(line.split("==")[0][1:])]
        for line in output.splitlines()
        if line.endswith("==2.0")
    }
    policy = tag_policy(target_of(interpreter, python_platform=platform, environ={}).interpreter)
    ours = {
        tag
        for tag in PLATFORM_TAGS
        if policy.rank(WheelFilename.parse(f"x-1.0-py3-none-{tag}.whl")) is not None
    }
    assert ours == theirs


def test_macos_deployment_target(interpreter) -> None:  # type: ignore[no-untyped-def]
    def accepts(environ: dict[str, str], tag: str) -> bool:
        target = target_of(interpreter, python_platform="macos", environ=environ)
        return (
            tag_policy(target.interpreter).rank(WheelFilename.parse(f"x-1-py3-none-{tag}.whl"))
            is not None
        )

    assert accepts({}, "macosx_13_0_arm64") and not accepts({}, "macosx_14_0_arm64")
    assert accepts({"MACOSX_DEPLOYMENT_TARGET": "14.2"}, "macosx_14_0_arm64")
    assert not accepts({"MACOSX_DEPLOYMENT_TARGET": "12"}, "macosx_13_0_arm64")


def test_python_version_changes_markers_and_tags(interpreter) -> None:  # type: ignore[no-untyped-def]
    target = target_of(interpreter, python_version="3.8", environ={})
    assert target.markers["python_version"] == "3.8"
    assert target.markers["python_full_version"] == "3.8.0"
    assert str(target.python_version) == "3.8"
    policy = tag_policy(target.interpreter)
    assert policy.rank(WheelFilename.parse("x-1-cp38-cp38-manylinux_2_17_x86_64.whl")) is not None
    assert policy.rank(WheelFilename.parse(f"x-1-{CP}-{CP}-manylinux_2_17_x86_64.whl")) is None
    exact = target_of(interpreter, python_version="3.12.4", environ={})
    assert exact.markers["python_full_version"] == "3.12.4"
    # the interpreter that runs is untouched
    assert target.interpreter.sys_executable == interpreter.sys_executable
    assert interpreter.markers["python_version"] == f"{sys.version_info[0]}.{sys.version_info[1]}"


def test_bad_values_fail_as_clap_does() -> None:
    with pytest.raises(Exception) as bad_platform:
        parse_platform("sparc-sun-solaris", {})
    assert "invalid value 'sparc-sun-solaris' for '--python-platform" in str(bad_platform.value)
    with pytest.raises(Exception) as bad_version:
        parse_python_version("abc")
    assert "Python version `abc` could not be parsed: expected version to start" in str(
        bad_version.value
    )
    with pytest.raises(Exception) as unsupported:
        parse_platform("aarch64-linux-android", {})
    assert "is not supported by puv yet" in str(unsupported.value)


# ---------------------------------------------------------------- installs, side by side with uv


@pytest.fixture
def pair(tmp_path: Path, run_uv: Runner, run_puv: Runner) -> Twins:
    return make_twins(tmp_path, run_uv, run_puv)


@pytest.fixture
def wheels(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "wheels"
    for tag in (
        "py3-none-any",
        f"{CP}-abi3-win_amd64",
        "py3-none-win_amd64",
        "py3-none-win32",
        f"{CP}-{CP}-manylinux_2_17_x86_64",
        "py3-none-manylinux_2_31_x86_64",
        "py3-none-macosx_11_0_arm64",
        "py3-none-macosx_10_9_x86_64",
        "py3-none-macosx_14_0_arm64",
        "py3-none-musllinux_1_2_x86_64",
    ):
        write_wheel(directory, {"o/__init__.py": f"TAG = {tag!r}\n"}, name="o", version="1.0",
                    tag=tag)  # fmt: skip
    write_wheel(directory, {"n/__init__.py": "TAG = 'any'\n"}, name="n", version="1.0")
    write_wheel(directory, {"n/__init__.py": "TAG = 'cp312'\n"}, name="n", version="2.0",
                tag="cp312-cp312-manylinux_2_17_x86_64")  # fmt: skip
    yield directory


def _installed_tag(pair: Twins, tool: str, module: str) -> str:
    return (pair.site_packages(tool) / module / "__init__.py").read_text()


@pytest.mark.parametrize(
    "platform",
    [
        "windows",
        "i686-pc-windows-msvc",
        "macos",
        "x86_64-apple-darwin",
        "linux",
        "x86_64-manylinux_2_31",
        "x86_64-unknown-linux-musl",
    ],
)
def test_install_for_a_platform_picks_the_wheel_uv_picks(
    pair: Twins, wheels: Path, platform: str
) -> None:
    args = ("pip", "install", "o", "-p", "env", "--no-index", "-f", str(wheels))
    pair.same(*args, "--python-platform", platform)
    assert _installed_tag(pair, "puv", "o") == _installed_tag(pair, "uv", "o")
    pair.same(*args, "--python-platform", platform, "--dry-run")


def test_install_for_a_python_version_picks_the_wheel_uv_picks(pair: Twins, wheels: Path) -> None:
    args = ("pip", "install", "n", "-p", "env", "--no-index", "-f", str(wheels))
    assert " + n==2.0" in pair.same(*args, "--python-version", "3.12")
    assert _installed_tag(pair, "puv", "n") == "TAG = 'cp312'\n"
    pair.write("reqs.txt", "n==2.0\n")
    sync = ("pip", "sync", "reqs.txt", "-p", "env", "--no-index", "-f", str(wheels))
    pair.same(*sync, "--reinstall", "--python-version", "3.12.1")
    assert "hint:" in pair.same(*sync, "--reinstall", "--python-version", "3.10")
    bad = pair.same(*args, "--python-version", "3.x")
    assert "invalid value '3.x' for '--python-version <PYTHON_VERSION>'" in bad
    assert "invalid value" in pair.same(*args, "--python-platform", "solaris")
