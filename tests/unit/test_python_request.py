"""Python request parsing and matching, case by case against uv's own rules and tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.version import Version

from puv.core.requires_python import RequiresPython
from puv.python.discovery import executable_names
from puv.python.interpreter import Interpreter
from puv.python.request import (
    InvalidPythonRequest,
    RequestKind,
    Variant,
    VersionRequest,
    parse_request,
    parse_version_request,
    requires_python_request,
)

CPYTHON_312 = Interpreter(
    path=Path("/opt/python/bin/python3.12"),
    sys_executable=Path("/opt/python/bin/python3.12"),
    base_executable=Path("/opt/python/bin/python3.12"),
    implementation="cpython",
    version="3.12.1",
    version_info=(3, 12, 1, "final", 0),
    prefix=Path("/opt/python"),
    base_prefix=Path("/opt/python"),
    base_exec_prefix=Path("/opt/python"),
    pointer_size=64,
    gil_disabled=False,
    os="linux",
    arch="x86_64",
    libc="gnu",
)


@pytest.mark.parametrize(
    ("text", "kind", "canonical", "description"),
    [
        ("3", RequestKind.VERSION, "3", "Python 3"),
        ("3.12", RequestKind.VERSION, "3.12", "Python 3.12"),
        ("3.12.1", RequestKind.VERSION, "3.12.1", "Python 3.12.1"),
        ("312", RequestKind.VERSION, "3.12", "Python 3.12"),
        ("python3.12", RequestKind.VERSION, "3.12", "Python 3.12"),
        ("python@3.12", RequestKind.VERSION, "3.12", "Python 3.12"),
        ("3.13t", RequestKind.VERSION, "3.13+freethreaded", "Python 3.13+freethreaded"),
        ("3.13+freethreaded", RequestKind.VERSION, "3.13+freethreaded", "Python 3.13+freethreaded"),
        ("3.12d", RequestKind.VERSION, "3.12+debug", "Python 3.12+debug"),
        ("3.11+gil", RequestKind.VERSION, "3.11+gil", "Python 3.11+gil"),
        ("3.13rc1", RequestKind.VERSION, "3.13rc1", "Python 3.13rc1"),
        ("3.13.0rc1", RequestKind.VERSION, "3.13rc1", "Python 3.13rc1"),
        ("3.13.1rc1", RequestKind.VERSION, "3.13.1rc1", "Python 3.13.1rc1"),
        (">=3.11,<3.13", RequestKind.VERSION, ">=3.11, <3.13", "Python >=3.11, <3.13"),
        ("<3.13,>=3.11", RequestKind.VERSION, ">=3.11, <3.13", "Python >=3.11, <3.13"),
        ("==3.12.*", RequestKind.VERSION, "==3.12.*", "Python ==3.12.*"),
        ("==3.11.7", RequestKind.VERSION, "3.11.7", "Python 3.11.7"),
        ("cpython", RequestKind.IMPLEMENTATION, "cpython", "CPython"),
        ("cp", RequestKind.IMPLEMENTATION, "cpython", "CPython"),
        ("pypy", RequestKind.IMPLEMENTATION, "pypy", "PyPy"),
        ("pp", RequestKind.IMPLEMENTATION, "pypy", "PyPy"),
        ("gp", RequestKind.IMPLEMENTATION, "graalpy", "GraalPy"),
        ("cpython@3.12", RequestKind.IMPLEMENTATION_VERSION, "cpython@3.12", "CPython 3.12"),
        ("cpython3.12", RequestKind.IMPLEMENTATION_VERSION, "cpython@3.12", "CPython 3.12"),
        ("cp312", RequestKind.IMPLEMENTATION_VERSION, "cpython@3.12", "CPython 3.12"),
        ("cp38", RequestKind.IMPLEMENTATION_VERSION, "cpython@3.8", "CPython 3.8"),
        ("pypy@3.10", RequestKind.IMPLEMENTATION_VERSION, "pypy@3.10", "PyPy 3.10"),
        ("pypy310", RequestKind.IMPLEMENTATION_VERSION, "pypy@3.10", "PyPy 3.10"),
        ("pp310", RequestKind.IMPLEMENTATION_VERSION, "pypy@3.10", "PyPy 3.10"),
        ("gp310", RequestKind.IMPLEMENTATION_VERSION, "graalpy@3.10", "GraalPy 3.10"),
        ("any", RequestKind.ANY, "any", "any Python"),
        ("ANY", RequestKind.ANY, "any", "any Python"),
        ("default", RequestKind.DEFAULT, "default", "a default Python"),
        ("python3.12-dbg", RequestKind.EXECUTABLE_NAME, "python3.12-dbg",
         "executable name `python3.12-dbg`"),
        ("foopython", RequestKind.EXECUTABLE_NAME, "foopython", "executable name `foopython`"),
        ("./missing/python", RequestKind.FILE, "missing/python", "path `missing/python`"),
        ("cpython-3.13.2", RequestKind.KEY, "cpython-3.13.2", "cpython-3.13.2"),
        ("cpython-3.13.2-macos-aarch64-none", RequestKind.KEY, "cpython-3.13.2-macos-aarch64-none",
         "cpython-3.13.2-macos-aarch64-none"),
        ("any-3.13.2-any-aarch64", RequestKind.KEY, "any-3.13.2-any-aarch64",
         "any-3.13.2-any-aarch64"),
    ],
)  # fmt: skip
def test_request_forms(text: str, kind: RequestKind, canonical: str, description: str) -> None:
    request = parse_request(text)
    assert request.kind is kind
    assert request.to_canonical_string() == canonical
    assert str(request) == description
    assert parse_request(canonical).to_canonical_string() == canonical


def test_free_threaded_and_range_details() -> None:
    request = parse_request("3.13t")
    assert request.version.release == (3, 13)
    assert request.version.variant is Variant.FREETHREADED
    ranged = parse_request(">=3.11,<3.13").version
    assert ranged.specifiers == RequiresPython(">=3.11,<3.13")
    assert parse_request("3.13rc1").version.prerelease == ("rc", 1)


def test_directory_and_file_requests(tmp_path: Path) -> None:
    (tmp_path / "venv").mkdir()
    (tmp_path / "python").write_text("")
    assert parse_request(str(tmp_path / "venv")).kind is RequestKind.DIRECTORY
    assert parse_request(str(tmp_path / "python")).kind is RequestKind.FILE
    relative = parse_request("venv", cwd=tmp_path)
    assert relative.kind is RequestKind.DIRECTORY
    assert relative.path == Path("venv")
    assert parse_request("python", cwd=tmp_path).kind is RequestKind.FILE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3.12tt", "Invalid Python request: `3.12tt`"),
        (">=3.x", "Invalid Python request: `>=3.x`"),
        ("3.11.dev1", "Invalid Python request: `3.11.dev1`"),
        ("3.12.1+local", "Invalid Python request: `3.12.1+local`"),
        ("3rc1", "Invalid Python request: `3rc1`"),
        ("3.12.1.1", "Invalid Python request: `3.12.1.1`"),
        ("", "Invalid Python request: ``"),
        ("@3.12", "Invalid version request: @3.12"),
        ("cpython@foo", "Invalid version request: foo"),
        ("python@latest", "Requesting the 'latest' Python version is not yet supported"),
    ],
)
def test_bad_requests_are_clear_errors(text: str, message: str) -> None:
    with pytest.raises(InvalidPythonRequest) as info:
        parse_request(text)
    assert info.value.message == message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2.7", "Python <3.6 is not supported but 2.7 was requested."),
        ("3.5", "Python <3.6 is not supported but 3.5 was requested."),
        ("2", "Python <3 is not supported but 2 was requested."),
        ("256", "Python <3.6 is not supported but 2.56 was requested."),
        ("3.12t", "Python <3.13 does not support free-threading but 3.12+freethreaded was"),
    ],
)
def test_unsupported_versions(text: str, message: str) -> None:
    version = parse_request(text).version
    with pytest.raises(
        InvalidPythonRequest, match=re.escape("Invalid version request: " + message)
    ):
        version.check_supported()


def test_supported_versions_pass_the_check() -> None:
    for text in ("3.6", "3.13t", ">=2.7", "3"):
        parse_request(text).version.check_supported()


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [
        ("any", ["python", "python3", "cpython", "cpython3", "pypy", "pypy3", "graalpy",
                 "graalpy3", "pyodide", "pyodide3"]),
        ("default", ["python", "python3"]),
        ("3", ["python3", "python"]),
        ("4", ["python4", "python"]),
        ("3.13", ["python3.13", "python3", "python"]),
        ("pypy", ["pypy", "pypy3", "python", "python3"]),
        ("pypy@3.10", ["pypy3.10", "pypy3", "pypy", "python3.10", "python3", "python"]),
        ("3.13t", ["python3.13t", "python3.13", "python3t", "python3", "pythont", "python"]),
        ("3t", ["python3t", "python3", "pythont", "python"]),
        ("3.13.2", ["python3.13.2", "python3.13", "python3", "python"]),
        ("3.13rc2", ["python3.13rc2", "python3.13", "python3", "python"]),
    ],
)  # fmt: skip
def test_executable_names_match_uv(request_text: str, expected: list[str]) -> None:
    """The cases of uv's `executable_names_from_request` test."""
    request = parse_request(request_text)
    names = executable_names(request.version_request, request.requested_implementation)
    assert names == expected


@pytest.mark.parametrize(
    ("text", "version", "matches"),
    [
        ("3", "3.12.1", True),
        ("3.12", "3.12.1", True),
        ("3.12", "3.11.7", False),
        ("3.12.1", "3.12.1", True),
        ("3.12.1", "3.12.2", False),
        (">=3.12,<3.13", "3.12.1", True),
        (">=3.12,<3.13", "3.13.0", False),
        (">=3.14", "3.14.0rc3", True),  # pre-releases are compared by their release
        ("3.14rc3", "3.14.0rc3", True),
        ("3.14rc3", "3.14.0", False),
        ("3.14.0", "3.14.0rc3", False),
    ],
)
def test_version_matching(text: str, version: str, matches: bool) -> None:
    assert parse_request(text).version.matches_version(Version(version)) is matches


@pytest.mark.parametrize(
    ("text", "minor", "admitted"),
    [
        (">=3.11,<3.13", 11, True),
        (">=3.11,<3.13", 12, True),
        (">=3.11,<3.13", 13, False),
        (">=3.11,<3.13", 10, False),
        (">3.12.5", 12, True),
        ("<3.12.1", 12, True),
        ("<3.12", 12, False),
        ("<=3.12", 12, True),
        ("!=3.12.*", 12, False),
        ("~=3.11.2", 11, True),
        ("~=3.11.2", 12, False),
        ("~=3.11", 13, True),
        ("3.12", 12, True),
        ("3.12", 11, False),
        ("3", 9, True),
        ("default", 6, True),
    ],
)
def test_minor_prefilter(text: str, minor: int, admitted: bool) -> None:
    assert parse_request(text).version.matches_major_minor(3, minor) is admitted


def test_interpreter_matching_by_variant_and_implementation() -> None:
    free_threaded = CPYTHON_312._replace(
        version="3.13.0", version_info=(3, 13, 0, "final", 0), gil_disabled=True
    )
    assert parse_request("3.12").satisfied_by(CPYTHON_312)
    assert not parse_request("3.13").satisfied_by(free_threaded)  # opt-in needed before 3.14
    assert parse_request("3.13t").satisfied_by(free_threaded)
    free_314 = free_threaded._replace(version="3.14.0", version_info=(3, 14, 0, "final", 0))
    assert parse_request("3.14").satisfied_by(free_314)
    assert parse_request("cpython@3.12").satisfied_by(CPYTHON_312)
    assert not parse_request("pypy@3.12").satisfied_by(CPYTHON_312)
    assert parse_request("cpython-3.12-linux-x86_64-gnu").satisfied_by(CPYTHON_312)
    assert not parse_request("cpython-3.12-linux-aarch64").satisfied_by(CPYTHON_312)
    assert parse_request("python3.12").satisfied_by(CPYTHON_312)


def test_opt_ins() -> None:
    assert not parse_request("3.12").allows_prereleases()
    assert parse_request("3.13rc1").allows_prereleases()
    assert parse_request(">=3.14.0a1").allows_prereleases()
    assert parse_request("any").allows_prereleases()
    assert parse_request("3.12d").allows_debug()
    assert not parse_request("3.12").allows_alternative_implementations()
    assert parse_request("pypy").allows_alternative_implementations()
    assert not parse_request("cpython").allows_alternative_implementations()


def test_as_pep440_version() -> None:
    assert parse_request("3").as_pep440_version() == Version("3")
    assert parse_request("3.12").as_pep440_version() == Version("3.12")
    assert parse_request("3.14a1").as_pep440_version() == Version("3.14.0a1")
    assert parse_request(">=3.10").as_pep440_version() is None
    assert parse_request("default").as_pep440_version() is None


def test_requires_python_request() -> None:
    request = requires_python_request(RequiresPython(">=3.11"))
    assert request is not None
    assert request.kind is RequestKind.VERSION
    assert str(request) == "Python >=3.11"
    exact = requires_python_request(RequiresPython("==3.12.1"))
    assert exact is not None
    assert exact.version == VersionRequest((3, 12, 1))
    assert requires_python_request(RequiresPython("")) is None


def test_parse_version_request_wheel_tag_form() -> None:
    assert parse_version_request("38").release == (3, 8)
    assert parse_version_request("313t").variant is Variant.FREETHREADED
