"""Universal (marker-forking) resolution: the fork machinery, and the real uv on the same
universes (`uv pip compile --universal` lines byte for byte, `uv lock` fork markers and
dependency markers)."""

from __future__ import annotations

import json
import platform
import random
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from puv.core.markers import Marker
from puv.resolver.candidates import PythonTarget
from puv.resolver.forks import PythonRange, python_range_of, split_dependencies
from puv.resolver.report import NoSolutionError
from puv.resolver.requirements import MARKER, PACKAGE, PubGrubPackage
from puv.resolver.resolve import ResolverOptions
from puv.resolver.universal import UniversalOptions, UniversalResolution, resolve_universal
from puv.resolver.version_set import ranges_from_specifiers
from tests.envtools import UV, run_uv
from tests.unit.test_resolver_report import Universe, _write_index, provider_for, rendered


def universal(
    universe: Universe,
    root: Sequence[str],
    python: str = "3.12",
    resolution: str = "highest",
    **options: Any,
) -> UniversalResolution:
    """Resolve for `requires-python = ">={python}"`, run from the test's own interpreter."""
    requirements = [Requirement(r) for r in root]
    target = PythonTarget(Version(python), Version(platform.python_version()))
    resolver = ResolverOptions(
        python=target,
        resolution=resolution,
        constraints=options.pop("constraints", ()),
        overrides=options.pop("overrides", ()),
    )
    settings = UniversalOptions(requires_python=f">={python}", resolver=resolver, **options)
    return resolve_universal(requirements, provider_for(universe), settings)


def current_environment() -> dict[str, str]:
    """The marker environment of the interpreter running the tests (and uv, in them)."""
    return {key: str(value) for key, value in default_environment().items()}


def texts(markers: Sequence[Marker]) -> list[str | None]:
    return [marker.to_text() for marker in markers]


# Python ranges and markers -------------------------------------------------------------------


def test_python_range_of_a_marker() -> None:
    found = python_range_of(Marker.parse("python_version < '3.13' and sys_platform == 'linux'"))
    assert found == PythonRange(None, (Version("3.13"), False))
    both = Marker.parse(
        "python_full_version >= '3.9' and python_full_version < '3.11' or os_name == 'nt'"
    )
    # `os_name == 'nt'` alone does not bound the Python version: the union is unbounded below.
    assert python_range_of(both) == PythonRange(None, None)
    assert python_range_of(Marker.parse("sys_platform == 'linux'")) is None
    assert python_range_of(Marker.TRUE) is None


def test_python_range_narrow_split_and_raise() -> None:
    root = PythonRange.from_specifiers(">=3.9")
    assert root == PythonRange((Version("3.9"), True), None)
    assert root.marker().to_text() == "python_full_version >= '3.9'"
    narrowed = root.narrow(PythonRange(None, (Version("3.12"), False)))
    assert narrowed == PythonRange((Version("3.9"), True), (Version("3.12"), False))
    assert root.narrow(PythonRange((Version("3.8"), True), None)) == root
    lower, upper = root.split((Version("3.11"), True)) or pytest.fail("splits")
    assert lower.marker().to_text() == (
        "python_full_version >= '3.9' and python_full_version < '3.11'"
    )
    assert upper.marker().to_text() == "python_full_version >= '3.11'"
    assert root.split((Version("3.8"), True)) is None
    assert root.raised_by(PythonRange((Version("3.10"), True), None))
    assert not root.raised_by(PythonRange(None, (Version("3.13"), False)))


def test_split_dependencies_in_uv_order() -> None:
    linux = Marker.parse("sys_platform == 'linux'")
    darwin = Marker.parse("sys_platform == 'darwin'")
    dependencies = [
        (PubGrubPackage(MARKER, "a", None, linux), ranges_from_specifiers(SpecifierSet(">=2"))),
        (PubGrubPackage(MARKER, "a", None, darwin), ranges_from_specifiers(SpecifierSet("<2"))),
        (PubGrubPackage(PACKAGE, "b"), ranges_from_specifiers(SpecifierSet(""))),
    ]
    forks = split_dependencies(dependencies, Marker.TRUE, PythonRange.from_specifiers(">=3.9"))
    assert texts([fork.env for fork in forks]) == [
        "sys_platform != 'darwin' and sys_platform != 'linux'",
        "sys_platform == 'darwin'",
        "sys_platform == 'linux'",
    ]
    assert [[str(dep[0]) for dep in fork.dependencies] for fork in forks] == [
        ["b"],
        ["a{sys_platform == 'darwin'}", "b"],
        ["a{sys_platform == 'linux'}", "b"],
    ]


def test_same_marker_does_not_fork_unless_it_raises_python() -> None:
    python = PythonRange.from_specifiers(">=3.9")
    linux = Marker.parse("sys_platform == 'linux'")
    same = [
        (PubGrubPackage(MARKER, "a", None, linux), ranges_from_specifiers(SpecifierSet(">=1")))
    ] * 2
    assert len(split_dependencies(same, Marker.TRUE, python)) == 1
    newer = Marker.parse("python_version >= '3.10'")
    raising = [(PubGrubPackage(MARKER, "a", None, newer), ranges_from_specifiers(SpecifierSet("")))]
    forks = split_dependencies(raising, Marker.TRUE, python)
    assert texts([fork.env for fork in forks]) == [
        "python_full_version < '3.10'",
        "python_full_version >= '3.10'",
    ]


# resolutions ----------------------------------------------------------------------------------

BASIC: Universe = {"a": {"1.0": {}, "2.0": {}}}
BASIC_ROOT = ["a>=2 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'darwin'"]
NEWER_PYTHON: Universe = {"a": {"1.0": {}, "2.0": {"requires_python": ">=3.11"}}}


def test_disjoint_requirements_fork_and_merge() -> None:
    resolution = universal(BASIC, BASIC_ROOT)
    assert texts(resolution.fork_markers) == [
        "sys_platform == 'darwin'",
        "sys_platform == 'linux'",
        "sys_platform != 'darwin' and sys_platform != 'linux'",
    ]
    assert resolution.compile_lines() == [
        "a==1.0 ; sys_platform == 'darwin'",
        "a==2.0 ; sys_platform == 'linux'",
    ]
    older = resolution.packages[0]
    assert texts(resolution.package_fork_markers(older)) == ["sys_platform == 'darwin'"]
    assert older.file is not None and older.file.filename == "a-1.0-py3-none-any.whl"
    assert [file.filename for file in older.files] == ["a-1.0-py3-none-any.whl"]


def test_requires_python_strategy_forks_on_a_newer_version() -> None:
    resolution = universal(NEWER_PYTHON, ["a"], python="3.9")
    assert [resolution.simplify(m).to_text() for m in resolution.fork_markers] == [
        "python_full_version >= '3.11'",
        "python_full_version < '3.11'",
    ]
    assert resolution.compile_lines() == [
        "a==1.0 ; python_full_version < '3.11'",
        "a==2.0 ; python_full_version >= '3.11'",
    ]


def test_fewest_strategy_keeps_one_version() -> None:
    resolution = universal(NEWER_PYTHON, ["a"], python="3.9", fork_strategy="fewest")
    assert resolution.fork_markers == ()
    assert resolution.compile_lines() == ["a==1.0"]


def test_environments_restrict_the_resolution() -> None:
    environments = ("sys_platform == 'linux'", "sys_platform == 'darwin'")
    resolution = universal(BASIC, BASIC_ROOT, environments=environments)
    assert texts(resolution.fork_markers) == list(environments)
    assert resolution.compile_lines() == [
        "a==1.0 ; sys_platform == 'darwin'",
        "a==2.0 ; sys_platform == 'linux'",
    ]


def test_conflict_inside_a_fork_has_no_solution() -> None:
    root = ["a>=2 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'linux'"]
    with pytest.raises(NoSolutionError) as failure:
        universal(BASIC, root)
    assert "a" in failure.value.report


def test_lowest_resolution_prefers_the_oldest_versions() -> None:
    resolution = universal({"a": {"1.0": {}, "2.0": {}}}, ["a"], resolution="lowest")
    assert resolution.compile_lines() == ["a==1.0"]


def test_unknown_fork_strategy_is_refused() -> None:
    with pytest.raises(ValueError, match="fork strategy"):
        universal(BASIC, ["a"], fork_strategy="most")


# the real uv ----------------------------------------------------------------------------------

# name -> (universe, root requirements, requires-python lower bound, extra uv arguments)
CASES: dict[str, tuple[Universe, list[str], str, tuple[str, ...]]] = {
    "basic": (BASIC, BASIC_ROOT, "3.11", ()),
    "requires-python-fork": (
        {
            "a": {
                "1.0": {},
                "2.0": {"requires_python": ">=3.10"},
                "3.0": {"requires_python": ">=3.12"},
            }
        },
        ["a"],
        "3.9",
        (),
    ),
    "requires-python-fewest": (NEWER_PYTHON, ["a"], "3.9", ("--fork-strategy", "fewest")),
    "transitive-markers": (
        {
            "a": {
                "1.0": {"requires": ["b ; sys_platform == 'win32'", "c ; python_version < '3.13'"]}
            },
            "b": {"1.0": {}},
            "c": {"1.0": {}},
        },
        ["a"],
        "3.11",
        (),
    ),
    "extras-under-markers": (
        {
            "a": {
                "1.0": {"requires": ["b ; os_name == 'nt' and extra == 'x'"], "extras": {"x": []}}
            },
            "b": {"1.0": {}},
        },
        ["a[x] ; sys_platform == 'linux'", "a ; sys_platform == 'darwin'"],
        "3.11",
        (),
    ),
    "used-extra": (
        {
            "a": {"1.0": {"requires": ["b ; extra == 'x'"], "extras": {"x": []}}},
            "b": {"1.0": {"requires": ["c ; python_version < '3.12'"]}},
            "c": {"1.0": {}},
        },
        ["a[x] ; sys_platform == 'linux'", "a ; sys_platform == 'darwin'"],
        "3.11",
        (),
    ),
    "diverging-transitive": (
        {
            "a": {"1.0": {"requires": ["c<2"]}},
            "b": {"1.0": {"requires": ["c"]}, "2.0": {"requires": ["c>=2"]}},
            "c": {"1.0": {}, "2.0": {}},
        },
        [
            "a ; sys_platform == 'win32'",
            "b>=2 ; sys_platform == 'linux'",
            "b<2 ; sys_platform != 'linux'",
        ],
        "3.11",
        (),
    ),
    "marker-raises-python": (NEWER_PYTHON, ["a ; python_version >= '3.11'"], "3.9", ()),
    "preferences-across-forks": (
        {
            "a": {"1.0": {}, "2.0": {}},
            "b": {"1.0": {"requires": ["c"]}, "2.0": {"requires": ["c"]}},
            "c": {"1.0": {}, "2.0": {}},
        },
        ["a>=2 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'darwin'", "b", "c"],
        "3.11",
        (),
    ),
    "python-and-platform": (
        {
            "a": {"1.0": {}, "2.0": {}},
            "b": {"1.0": {"requires": ["d ; python_version < '3.13' and sys_platform == 'linux'"]}},
            "d": {"1.0": {}},
        },
        ["a==1.0 ; python_version < '3.13'", "a==2.0 ; python_version >= '3.13'", "b"],
        "3.11",
        (),
    ),
    "python-fork-and-platform-fork": (
        {"a": {"1.0": {}, "2.0": {"requires_python": ">=3.11"}}, "b": {"1.0": {}, "2.0": {}}},
        ["a", "b>=2 ; sys_platform == 'linux'", "b<2 ; sys_platform != 'linux'"],
        "3.9",
        (),
    ),
    "two-paths": (
        {
            "a": {"1.0": {"requires": ["c ; sys_platform == 'linux'"]}},
            "b": {"1.0": {"requires": ["c ; sys_platform == 'win32'"]}},
            "c": {"1.0": {"requires": ["d ; python_version >= '3.12'"]}},
            "d": {"1.0": {}},
        },
        ["a", "b ; os_name == 'nt'"],
        "3.11",
        (),
    ),
    "cycle": (
        {
            "a": {"1.0": {"requires": ["b ; sys_platform == 'linux'"]}},
            "b": {"1.0": {"requires": ["a"]}},
        },
        ["a"],
        "3.11",
        (),
    ),
    "nested-forks": (
        {
            "a": {
                "1.0": {
                    "requires": ["c>=2 ; python_version >= '3.12'", "c<2 ; python_version < '3.12'"]
                }
            },
            "b": {"1.0": {}, "2.0": {}},
            "c": {"1.0": {}, "2.0": {}},
        },
        ["a", "b>=2 ; sys_platform == 'linux'", "b<2 ; sys_platform != 'linux'"],
        "3.11",
        (),
    ),
    "prerelease-in-one-fork": (
        {"a": {"1.0": {}, "2.0b1": {}}},
        ["a>=2.0b1 ; sys_platform == 'linux'", "a ; sys_platform != 'linux'"],
        "3.11",
        (),
    ),
    "recursive-extra": (
        {
            "a": {
                "1.0": {
                    "requires": [
                        "a[y] ; extra == 'x' and sys_platform == 'linux'",
                        "b ; extra == 'y'",
                    ],
                    "extras": {"x": [], "y": []},
                }
            },
            "b": {"1.0": {}},
        },
        ["a[x]"],
        "3.11",
        (),
    ),
    "python-split-then-marker-split": (
        {
            "a": {
                "1.0": {"requires": ["b<2"]},
                "2.0": {
                    "requires_python": ">=3.12",
                    "requires": ["b>=2 ; sys_platform == 'linux'", "b<2 ; sys_platform != 'linux'"],
                },
            },
            "b": {"1.0": {}, "2.0": {}},
        },
        ["a"],
        "3.11",
        (),
    ),
    "constraint-under-a-marker": (
        {"a": {"1.0": {}, "2.0": {}}, "b": {"1.0": {"requires": ["a"]}}},
        ["b"],
        "3.11",
        ("--constraint", "a<2 ; sys_platform == 'linux'"),
    ),
    "override-under-a-marker": (
        {"a": {"1.0": {}, "2.0": {}}, "b": {"1.0": {"requires": ["a>=2"]}}},
        ["b"],
        "3.11",
        ("--override", "a<2 ; sys_platform == 'linux'"),
    ),
    "lowest-direct-per-fork": (
        {
            "a": {"1.0": {"requires": ["c"]}, "2.0": {"requires": ["c"]}},
            "c": {"1.0": {}, "2.0": {}, "3.0": {}},
        },
        [
            "a>=2 ; sys_platform == 'linux'",
            "a<2 ; sys_platform != 'linux'",
            "c ; sys_platform == 'darwin'",
        ],
        "3.11",
        ("--resolution", "lowest-direct"),
    ),
    "lowest": (
        {"a": {"1.0": {}, "2.0": {"requires_python": ">=3.13"}}, "b": {"1.0": {}, "2.0": {}}},
        ["a", "b>=1 ; sys_platform == 'linux'", "b>=2 ; sys_platform == 'darwin'"],
        "3.11",
        ("--resolution", "lowest"),
    ),
}


def _options(arguments: Sequence[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if "--constraint" in arguments:
        constraint = Requirement(arguments[arguments.index("--constraint") + 1])
        options["constraints"] = (constraint,)
    if "--override" in arguments:
        options["overrides"] = (Requirement(arguments[arguments.index("--override") + 1]),)
    if "--fork-strategy" in arguments:
        options["fork_strategy"] = arguments[arguments.index("--fork-strategy") + 1]
    if "--resolution" in arguments:
        options["resolution"] = arguments[arguments.index("--resolution") + 1]
    return options


def uv_in(
    directory: Path, arguments: Sequence[str], python: Path | str = sys.executable
) -> subprocess.CompletedProcess[str]:
    """The reference uv, offline, run in `directory` (with its own cache) for `python`."""
    command = ["--directory", str(directory), *arguments, "--offline", "--python", str(python)]
    return run_uv(command, directory / "cache", check=False, extra_env={"UV_NO_CONFIG": "1"})


@pytest.mark.skipif(not UV.exists(), reason="the reference uv is not installed")
@pytest.mark.parametrize("case", sorted(CASES))
def test_same_lines_as_uv_pip_compile_universal(case: str, tmp_path: Path) -> None:
    universe, root, python, arguments = CASES[case]
    index = _write_index(universe, tmp_path)
    (tmp_path / "requirements.in").write_text("\n".join(root) + "\n")
    command = ["pip", "compile", "requirements.in", "--universal", "--index-url", index]
    command += ["--python-version", python, "--no-header", "--no-annotate"]
    for option, value in zip(arguments[::2], arguments[1::2], strict=True):
        if option in ("--constraint", "--override"):
            (tmp_path / f"{option[2:]}.txt").write_text(value + "\n")
            value = f"{option[2:]}.txt"
        command += [option, value]
    completed = uv_in(tmp_path, command)
    assert completed.returncode == 0, completed.stderr
    resolution = universal(universe, root, python, **_options(arguments))
    assert resolution.compile_lines() == completed.stdout.splitlines()


# `uv lock` needs an interpreter inside requires-python: the test's own 3.11 will do.
LOCK_CASES = [
    case
    for case, (_u, _r, python, arguments) in CASES.items()
    if Version(python) <= Version("3.11") and not arguments
]


def uv_lock(
    tmp_path: Path, universe: Universe, root: Sequence[str], python: str, settings: str = ""
) -> dict[str, Any]:
    """The `uv.lock` that the reference uv writes for a project with these dependencies."""
    index = _write_index(universe, tmp_path)
    dependencies = "".join(f"  {json.dumps(requirement)},\n" for requirement in root)
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "project"\nversion = "0.1.0"\nrequires-python = ">={python}"\n'
        f"dependencies = [\n{dependencies}]\n{settings}"
    )
    completed = uv_in(tmp_path, ["lock", "--index-url", index])
    assert completed.returncode == 0, completed.stderr
    return tomllib.loads((tmp_path / "uv.lock").read_text())


@pytest.mark.skipif(not UV.exists(), reason="the reference uv is not installed")
@pytest.mark.parametrize("case", LOCK_CASES)
def test_same_fork_and_dependency_markers_as_uv_lock(case: str, tmp_path: Path) -> None:
    universe, root, python, _arguments = CASES[case]
    lock = uv_lock(tmp_path, universe, root, python)
    resolution = universal(universe, root, python)
    simplified = [resolution.simplify(marker).to_text() for marker in resolution.fork_markers]
    assert simplified == lock.get("resolution-markers", [])
    assert_same_packages(resolution, lock)


ENVIRONMENTS = {
    "platforms": ("sys_platform == 'linux'", "sys_platform == 'darwin'"),
    "pythons": ("python_version < '3.12'", "python_version >= '3.12'"),
    "one": ("sys_platform == 'win32'",),
}


@pytest.mark.skipif(not UV.exists(), reason="the reference uv is not installed")
@pytest.mark.parametrize("environments", sorted(ENVIRONMENTS))
def test_same_lock_as_uv_with_environments(environments: str, tmp_path: Path) -> None:
    universe, root, python, _arguments = CASES["python-fork-and-platform-fork"]
    markers = ENVIRONMENTS[environments]
    setting = "\n[tool.uv]\nenvironments = [" + ", ".join(json.dumps(m) for m in markers) + "]\n"
    lock = uv_lock(tmp_path, universe, root, python, setting)
    resolution = universal(universe, root, python, environments=markers)
    simplified = [resolution.simplify(marker).to_text() for marker in resolution.fork_markers]
    assert simplified == lock.get("resolution-markers", [])
    assert_same_packages(resolution, lock)


def assert_same_packages(resolution: UniversalResolution, lock: dict[str, Any]) -> None:
    """Every package of a `uv.lock` has the fork markers and the dependencies (names, versions
    where ambiguous, markers, extras) that `resolution` gives it."""
    for locked in lock["package"]:
        found = _locked_view(resolution, locked["name"], locked["version"])
        expected = {
            "resolution-markers": locked.get("resolution-markers", []),
            "dependencies": _locked_dependencies(locked.get("dependencies", [])),
            "optional-dependencies": {
                extra: _locked_dependencies(entries)
                for extra, entries in locked.get("optional-dependencies", {}).items()
            },
        }
        assert found == expected, locked["name"]


def _locked_dependencies(entries: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            (d["name"], d.get("version"), d.get("marker"), tuple(d.get("extra", ())))
            for d in entries
        ),
        key=str,
    )


def _locked_view(resolution: UniversalResolution, name: str, version: str) -> dict[str, Any]:
    """What `uv.lock` says of one package: its fork markers and its dependencies."""
    source = None if name == "project" else name
    package = next(
        (p for p in resolution.packages if p.name == name and str(p.version) == version), None
    )
    forks = [] if package is None else resolution.package_fork_markers(package)
    duplicated = {p.name for p in resolution.packages if len(resolution.pins()[p.name]) > 1}
    # uv.lock names an extra on a dependency only when the extra adds something.
    used_extras: dict[tuple[str, Version | None], set[str | None]] = {}
    for edge in resolution.edges:
        if edge.source is not None and edge.source_extra is not None:
            used_extras.setdefault((edge.source, edge.source_version), set()).add(edge.source_extra)
    by_extra: dict[str | None, dict[tuple[Any, ...], set[str]]] = {}
    for edge in resolution.edges:
        if edge.source != source or (source is not None and str(edge.source_version) != version):
            continue
        key = (
            edge.target,
            str(edge.target_version) if edge.target in duplicated else None,
            resolution.dependency_marker(edge).to_text(),
        )
        extras = by_extra.setdefault(edge.source_extra, {}).setdefault(key, set())
        target_extra = edge.target_extra
        if target_extra in used_extras.get((edge.target, edge.target_version), ()):
            assert target_extra is not None
            extras.add(target_extra)
    listed = {
        extra: sorted(((*key, tuple(sorted(extras))) for key, extras in entries.items()), key=str)
        for extra, entries in by_extra.items()
    }
    return {
        "resolution-markers": [resolution.simplify(fork).to_text() for fork in forks],
        "dependencies": listed.pop(None, []),
        "optional-dependencies": listed,
    }


FAILING: dict[str, tuple[Universe, list[str]]] = {
    "conflict-in-all-environments": (BASIC, ["a>=2", "a<2"]),
    "conflict-in-the-current-environment": (BASIC, ["a>=2 ; sys_platform == 'linux'", "a<2"]),
    "conflict-in-another-environment": (
        {
            "a": {"1.0": {}, "2.0": {}},
            "c": {
                "1.0": {"requires": ["a>=2 ; sys_platform == 'darwin'", "a<2 ; os_name == 'posix'"]}
            },
        },
        ["c", "a ; sys_platform == 'win32'"],
    ),
    "requires-a-newer-python": ({"a": {"1.0": {"requires_python": ">=3.13"}}}, ["a"]),
    "requires-a-newer-python-transitively": (
        {"a": {"1.0": {"requires": ["b"]}}, "b": {"1.0": {"requires_python": ">=3.12"}}},
        ["a"],
    ),
    "conflict-for-another-python": (
        BASIC,
        ["a>=2 ; python_version >= '3.12'", "a<2 ; python_version >= '3.12' and os_name == 'nt'"],
    ),
}


@pytest.mark.skipif(not UV.exists(), reason="the reference uv is not installed")
@pytest.mark.parametrize("case", sorted(FAILING))
def test_same_failure_as_uv(case: str, tmp_path: Path) -> None:
    universe, root = FAILING[case]
    index = _write_index(universe, tmp_path)
    (tmp_path / "requirements.in").write_text("\n".join(root) + "\n")
    command = ["pip", "compile", "requirements.in", "--universal", "--index-url", index]
    completed = uv_in(tmp_path, [*command, "--python-version", "3.11", "--no-header"])
    assert completed.returncode == 1
    with pytest.raises(NoSolutionError) as failure:
        universal(universe, root, "3.11", current_environment=current_environment())
    assert rendered(failure.value) == completed.stderr


@pytest.mark.skipif(not UV.exists(), reason="the reference uv is not installed")
@pytest.mark.parametrize("case", ["two-paths", "diverging-transitive", "used-extra", "cycle"])
def test_same_dependents_as_uv_annotations(case: str, tmp_path: Path) -> None:
    universe, root, python, _arguments = CASES[case]
    index = _write_index(universe, tmp_path)
    (tmp_path / "requirements.in").write_text("\n".join(root) + "\n")
    command = ["pip", "compile", "requirements.in", "--universal", "--index-url", index]
    completed = uv_in(tmp_path, [*command, "--python-version", python, "--no-header"])
    assert completed.returncode == 0, completed.stderr
    resolution = universal(universe, root, python)
    expected = []
    for line, package in zip(resolution.compile_lines(), resolution.packages, strict=True):
        sources = ["-r requirements.in" if s is None else s for s in resolution.dependents(package)]
        if len(sources) == 1:
            expected += [line, f"    # via {sources[0]}"]
        else:
            expected += [line, "    # via"] + [f"    #   {source}" for source in sources]
    assert completed.stdout.splitlines() == expected


# Random universes: markers, extras, Requires-Python, strategies and resolution modes mixed.
RANDOM_MARKERS = [
    "",
    " ; sys_platform == 'linux'",
    " ; sys_platform == 'darwin'",
    " ; sys_platform != 'linux'",
    " ; python_version >= '3.12'",
    " ; python_version < '3.12'",
    " ; os_name == 'nt'",
    " ; implementation_name == 'pypy'",
    " ; sys_platform == 'linux' and python_version >= '3.13'",
    " ; python_full_version >= '3.11.2'",
]
RANDOM_SPECIFIERS = ["", ">=2", "<2", "<3", ">=3", "==1.0", "!=2.0", ">=1.5"]
RANDOM_MODES: list[tuple[str, ...]] = [
    (),
    ("--fork-strategy", "fewest"),
    ("--resolution", "lowest"),
    ("--resolution", "lowest-direct"),
]


def random_case(seed: int) -> tuple[Universe, list[str], str, tuple[str, ...]]:
    """A universe of seven packages with four versions each, and root requirements."""
    rng = random.Random(seed)
    names = ["a", "b", "c", "d", "e", "f", "g"]
    universe: dict[str, dict[str, dict[str, Any]]] = {}
    for index, name in enumerate(names):
        universe[name] = {}
        for version in ("1.0", "1.5", "2.0", "3.0"):
            spec: dict[str, Any] = {}
            requires = [
                dependency
                + ("[x]" if dependency in ("e", "f") and rng.random() < 0.3 else "")
                + rng.choice(RANDOM_SPECIFIERS)
                + rng.choice(RANDOM_MARKERS)
                for dependency in names[index + 1 :]
                if rng.random() < 0.3
            ]
            if name in ("e", "f"):
                spec["extras"] = {"x": []}
                requires.append(rng.choice(["g", "g>=2", "g<2"]) + " ; extra == 'x'")
            spec["requires"] = requires
            if rng.random() < 0.25:
                spec["requires_python"] = rng.choice([">=3.11", ">=3.12", ">=3.13"])
            universe[name][version] = spec
    root = [
        rng.choice(names[:4]) + rng.choice(RANDOM_SPECIFIERS) + rng.choice(RANDOM_MARKERS)
        for _ in range(rng.randint(1, 5))
    ]
    return universe, root, rng.choice(["3.10", "3.11", "3.12"]), rng.choice(RANDOM_MODES)


@pytest.mark.skipif(not UV.exists(), reason="the reference uv is not installed")
@pytest.mark.parametrize("seed", range(24))
def test_random_universes_match_uv(seed: int, tmp_path: Path) -> None:
    universe, root, python, arguments = random_case(seed)
    index = _write_index(universe, tmp_path)
    (tmp_path / "requirements.in").write_text("\n".join(root) + "\n")
    command = ["pip", "compile", "requirements.in", "--universal", "--index-url", index]
    command += ["--python-version", python, "--no-header", "--no-annotate", *arguments]
    completed = uv_in(tmp_path, command)
    try:
        lines = universal(universe, root, python, **_options(arguments)).compile_lines()
    except NoSolutionError:
        assert completed.returncode == 1, completed.stdout
        return
    assert completed.returncode == 0, completed.stderr
    assert lines == completed.stdout.splitlines()


# sources per fork ------------------------------------------------------------------------------


def _sourced_provider() -> Any:
    from puv.resolver.provider import InMemoryProvider

    default = InMemoryProvider()
    default.add("zeta", "1.0")
    default.add("omega", "1.0", ["zeta"])
    internal = InMemoryProvider()
    internal.add("zeta", "1.0")
    internal.add("zeta", "3.0", ["delta"])
    internal.add("delta", "9.0")
    default.add("delta", "0.5")
    default.sources["internal"] = internal
    return default


def _linux_internal(name: str = "zeta") -> Any:
    from puv.resolver.universal import SourceScope

    return SourceScope(name, Marker.parse("sys_platform == 'linux'"), "internal", shown="int")


def test_a_name_comes_from_the_source_of_each_fork_and_keeps_one_node_per_source() -> None:
    provider = _sourced_provider()
    requirements = [
        Requirement("zeta<2 ; sys_platform == 'linux'"),
        Requirement("zeta<2 ; sys_platform != 'linux'"),
        Requirement("omega"),
    ]
    options = UniversalOptions(requires_python=">=3.10", sources=(_linux_internal(),))
    resolution = resolve_universal(requirements, provider, options)
    zetas = [
        (p.version, p.origin, p.marker.to_text()) for p in resolution.packages if p.name == "zeta"
    ]
    assert zetas == [
        (Version("1.0"), None, "sys_platform != 'linux'"),
        (Version("1.0"), "internal", "sys_platform == 'linux'"),
    ]
    # omega's (unsourced) edge to zeta follows the fork: one edge per source
    omega = sorted(
        (edge.target_origin or "", edge.marker.to_text())
        for edge in resolution.edges
        if edge.source == "omega"
    )
    assert omega == [("", "sys_platform != 'linux'"), ("internal", "sys_platform == 'linux'")]
    assert texts(resolution.fork_markers) == ["sys_platform == 'linux'", "sys_platform != 'linux'"]


def test_a_sourced_name_takes_the_sources_versions_and_their_dependencies() -> None:
    resolution = resolve_universal(
        [
            Requirement("zeta ; sys_platform == 'linux'"),
            Requirement("zeta ; sys_platform != 'linux'"),
        ],
        _sourced_provider(),
        UniversalOptions(
            requires_python=">=3.10", sources=(_linux_internal(), _linux_internal("delta"))
        ),
    )
    found = {(p.name, str(p.version), p.origin) for p in resolution.packages}
    assert found == {
        ("zeta", "1.0", None),
        ("zeta", "3.0", "internal"),
        ("delta", "9.0", "internal"),
    }


def test_two_sources_in_one_fork_are_an_error() -> None:
    from puv.core.errors import PuvError
    from puv.resolver.universal import SourceScope

    other = SourceScope("zeta", Marker.parse("python_version >= '3.11'"), "other", shown="oth")
    provider = _sourced_provider()
    provider.sources["other"] = provider.sources["internal"]
    with pytest.raises(PuvError) as caught:
        resolve_universal(
            [
                Requirement("zeta ; sys_platform == 'linux'"),
                Requirement("zeta ; sys_platform != 'linux'"),
            ],
            provider,
            UniversalOptions(requires_python=">=3.10", sources=(_linux_internal(), other)),
        )
    assert caught.value.message == (
        "Requirements contain conflicting indexes for package `zeta` in split "
        "`sys_platform == 'linux'`:\n- int\n- oth"
    )
