"""uv's failure prose, byte for byte: fixed expectations recorded from uv 0.13.9, and the same
universes run through the real `uv pip compile` (wheels built on the fly, `--find-links`)."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.tags import compatible_tags, cpython_tags
from packaging.version import Version

from puv.resolver.candidates import PythonTarget, TargetTags
from puv.resolver.provider import InMemoryProvider
from puv.resolver.pubgrub import Derived, NoVersions
from puv.resolver.report import (
    COMPATIBILITY,
    NoSolutionError,
    format_range,
    update_availability_range,
)
from puv.resolver.requirements import PubGrubPackage
from puv.resolver.resolve import ResolverOptions, resolve
from puv.resolver.version_set import VersionRanges, ranges_from_specifiers
from tests.wheelmaker import write_wheel

UV = Path(shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv") or "uv")

# name -> version -> {"requires": [...], "requires_python": ..., "extras": {...}, "yanked": ...}
Universe = Mapping[str, Mapping[str, Mapping[str, Any]]]


def caret(version: str) -> str:
    """`^1.0.0` of the pubgrub docs as a PEP 440 range."""
    major = int(version.split(".")[0])
    return f">={version},<{major + 1}.0.0"


LINEAR: Universe = {
    "foo": {"1.0.0": {"requires": ["bar" + caret("2.0.0")]}},
    "bar": {"2.0.0": {"requires": ["baz" + caret("3.0.0")]}},
    "baz": {"1.0.0": {}, "3.0.0": {}},
}
LINEAR_ROOT = ["foo" + caret("1.0.0"), "baz" + caret("1.0.0")]
LINEAR_REPORT = (
    "Because all versions of bar depend on baz>=3.0.0 and all versions of foo depend on "
    "bar==2.0.0, we can conclude that all versions of foo depend on baz>=3.0.0.\n"
    "And because you require foo==1.0.0 and baz<2.0.0, we can conclude that your requirements "
    "are unsatisfiable."
)

BRANCHING: Universe = {
    "foo": {
        "1.0.0": {"requires": ["a" + caret("1.0.0"), "b" + caret("1.0.0")]},
        "1.1.0": {"requires": ["x" + caret("1.0.0"), "y" + caret("1.0.0")]},
    },
    "a": {"1.0.0": {"requires": ["b" + caret("2.0.0")]}},
    "b": {"1.0.0": {}, "2.0.0": {}},
    "x": {"1.0.0": {"requires": ["y" + caret("2.0.0")]}},
    "y": {"1.0.0": {}, "2.0.0": {}},
}
BRANCHING_ROOT = ["foo" + caret("1.0.0")]
BRANCHING_REPORT = """\
Because all versions of a depend on b>=2.0.0,<3.0.0 and foo<=1.0.0 depends on a==1.0.0, we can conclude that foo<=1.0.0 depends on b>=2.0.0,<3.0.0.
And because foo<=1.0.0 depends on b>=1.0.0,<2.0.0 and only the following versions of foo are available:
    foo<=1.0.0
    foo>=1.1.0
we can conclude that foo<1.1.0 cannot be used. (1)

Because all versions of x depend on y>=2.0.0,<3.0.0 and foo>=1.1.0 depends on x==1.0.0, we can conclude that foo>=1.1.0 depends on y>=2.0.0,<3.0.0.
And because foo>=1.1.0 depends on y>=1.0.0,<2.0.0, we can conclude that foo>=1.1.0 cannot be used.
And because we know from (1) that foo<1.1.0 cannot be used, we can conclude that all versions of foo cannot be used.
And because you require foo, we can conclude that your requirements are unsatisfiable."""

# More shapes uv explains: extras, markers, pre-releases, Requires-Python, yanks, empty ranges.
CASES: dict[str, tuple[Universe, list[str]]] = {
    "linear": (LINEAR, LINEAR_ROOT),
    "branching": (BRANCHING, BRANCHING_ROOT),
    "extra-conflict": (
        {
            "a": {"1.0.0": {"extras": {"x": ["b==1.0.0"], "y": ["b==2.0.0"]}}},
            "b": {"1.0.0": {}, "2.0.0": {}},
        },
        ["a[x,y]"],
    ),
    "marker-proxy": (
        {"a": {"1.0": {}}, "b": {"1.0": {"requires": ["a>=2 ; sys_platform == 'linux'"]}}},
        ["b"],
    ),
    "prerelease-only": (
        {"a": {"1.0.0": {"requires": ["b>=2"]}}, "b": {"1.0.0": {}, "2.0.0b1": {}}},
        ["a", "b<2"],
    ),
    "requires-python": (
        {"a": {"1.0": {"requires_python": ">=3.13"}, "2.0": {"requires_python": ">=3.14"}}},
        ["a"],
    ),
    "yanked": ({"a": {"1.0": {"yanked": True}, "0.9": {}}}, ["a>=1"]),
    "empty-requirement": ({"a": {"1.0": {}}}, ["a>2,<1"]),
    "transitive-empty-requirement": (
        {"a": {"1.0": {"requires": ["b>3,<2"]}}, "b": {"1.0": {}}},
        ["a"],
    ),
    "prefix-match": ({"a": {"1.0": {}, "2.5": {}}}, ["a==2.4.*"]),
    "local-only": ({"a": {"1.0+cpu": {}, "2.0": {}}}, ["a<1.0"]),
    "many-versions": (
        {"a": {f"1.{minor}": {"requires": ["b==1"]} for minor in range(8)}, "b": {"2": {}}},
        ["a"],
    ),
    "two-hints": (
        {
            "a": {"1.0b1": {}},
            "c": {"1.0": {"requires": ["a"]}, "2.0": {"requires_python": ">=3.13"}},
        },
        ["c"],
    ),
    "constraint-conflict": (
        {
            "a": {"1.0": {"requires": ["b"]}, "2.0": {"requires": ["b>=2"]}},
            "b": {"1.0": {}, "2.0": {}},
        },
        ["a==2.0"],
    ),
    "constraint-on-root": ({"b": {"1.0": {}, "3.0": {}}}, ["b>=3"]),
}
# Options a case runs with (keyword arguments of `options`; `_uv_prose` passes them to uv).
CASE_OPTIONS: dict[str, dict[str, Any]] = {
    "two-hints": {"prerelease": "disallow"},
    "constraint-conflict": {"constraints": (Requirement("b<2"),)},
    "constraint-on-root": {"constraints": (Requirement("b<2"),)},
}


def target_tags() -> TargetTags:
    platforms = ["manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64"]
    tags = [
        *cpython_tags((3, 12), ["cp312"], platforms),
        *compatible_tags((3, 12), "cp312", platforms),
    ]
    return TargetTags.from_tags(tags)


def options(**changes: Any) -> ResolverOptions:
    """`uv pip compile --python-version 3.12` on linux x86_64, with an installed 3.12.1."""
    environment = {
        "implementation_name": "cpython",
        "implementation_version": "3.12.0",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": "3.12.0",
        "python_version": "3.12",
        "sys_platform": "linux",
    }
    base: dict[str, Any] = {
        "python": PythonTarget(Version("3.12"), Version("3.12.1")),
        "environment": environment,
        "tags": target_tags(),
    }
    base.update(changes)
    return ResolverOptions(**base)


def provider_for(universe: Universe) -> InMemoryProvider:
    provider = InMemoryProvider()
    for name, versions in universe.items():
        for version, spec in versions.items():
            provider.add(
                name,
                version,
                spec.get("requires", ()),
                requires_python=spec.get("requires_python"),
                extras=spec.get("extras"),
                yanked="Yanked for testing" if spec.get("yanked") else False,
                sdist=False,
            )
    return provider


def explain(universe: Universe, root: Sequence[str], **changes: Any) -> NoSolutionError:
    with pytest.raises(NoSolutionError) as caught:
        resolve([Requirement(r) for r in root], provider_for(universe), options(**changes))
    return caught.value


def rendered(error: NoSolutionError) -> str:
    """The error as uv prints it (`error:`, `  cause:`, hints), as the CLI will render it."""
    first, *rest = error.report.split("\n")
    lines = [f"error: {error.message}", "  cause: " + first]
    lines += [(" " * 9 + line) if line else "" for line in rest]
    for hint in error.hints:
        lines += ["", "hint: " + hint]
    return "\n".join(lines) + "\n"


# fixed expectations (recorded from uv 0.13.9) --------------------------------------------------


def test_linear_error_reporting() -> None:
    error = explain(LINEAR, LINEAR_ROOT)
    assert error.report == LINEAR_REPORT
    assert error.message == "No solution found when resolving dependencies"
    assert error.causes == (LINEAR_REPORT,)
    assert error.exit_code == 1
    assert error.packages() == {"foo", "bar", "baz"}


def test_branching_error_reporting_numbers_shared_steps() -> None:
    assert explain(BRANCHING, BRANCHING_ROOT).report == BRANCHING_REPORT


def test_requires_python_report_and_hint() -> None:
    universe, root = CASES["requires-python"]
    error = explain(universe, root)
    assert error.report.startswith(
        "Because the requested Python version (>=3.12) does not satisfy Python>=3.13 and "
        "a==1.0 depends on Python>=3.13, we can conclude that a==1.0 cannot be used."
    )
    assert error.hints == (
        "The `--python-version` value (>=3.12) includes Python versions that are not supported "
        "by your dependencies (e.g., a==1.0 only supports >=3.13). Consider using a higher "
        "`--python-version` value.",
    )


def test_current_python_is_named_when_target_is_installed() -> None:
    universe: Universe = {"a": {"1.0": {"requires_python": ">=3.13"}}}
    error = explain(universe, ["a"], python=PythonTarget(Version("3.12.0"), Version("3.12.0")))
    assert error.report.startswith(
        "Because the current Python version (3.12.0) does not satisfy Python>=3.13"
    )
    assert error.hints == ()


def test_no_build_hint_names_the_option() -> None:
    provider = InMemoryProvider()
    provider.add("a", "1.0", wheel_tags=None)
    with pytest.raises(NoSolutionError) as caught:
        resolve([Requirement("a")], provider, options(no_build=True))
    assert caught.value.report.startswith(
        "Because a==1.0 has no usable wheels and only a==1.0 is available"
    )
    assert caught.value.hints == (
        "Wheels are required for `a` because building from source is disabled for all "
        "packages (i.e., with `--no-build`)",
    )


def test_prerelease_hint_when_disallowed() -> None:
    universe: Universe = {"a": {"1.0b1": {}}}
    error = explain(universe, ["a"], prerelease="disallow")
    assert error.hints == (
        "Pre-releases are available for `a` in the requested range (e.g., 1.0b1), but "
        "pre-releases weren't enabled (try: `--prerelease=allow`)",
    )


def test_unsatisfiable_root_requirement() -> None:
    error = explain({"a": {"1.0": {}}}, ["a>2,<1"])
    assert error.report in (
        "Because you require a>2 and a<1, which are incompatible, we can conclude that your "
        "requirements are unsatisfiable.",
        "you require a<1 and a>2, which are incompatible",
    )


# range display -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("specifiers", "expected"),
    [
        ("", "all versions of a"),
        ("==1.0", "a==1.0"),
        (">1.0", "a>1.0"),
        ("<=1.0", "a<=1.0"),
        ("<2.0", "a<2.0"),
        ("==2.4.*", "a==2.4.*"),
        (">=1,<2", "a>=1,<2"),
        ("!=1.0", "all of:\n    a<1.0\n    a>1.0\n"),
    ],
)
def test_package_range_display(specifiers: str, expected: str) -> None:
    package = PubGrubPackage.base("a")
    versions = ranges_from_specifiers_text(specifiers)
    assert format_range(package, versions, COMPATIBILITY) == expected


def ranges_from_specifiers_text(text: str) -> VersionRanges:
    from packaging.specifiers import SpecifierSet

    return ranges_from_specifiers(SpecifierSet(text)).without_local_sentinels()


def test_availability_range_snaps_to_available_versions() -> None:
    available = [Version("1.0"), Version("1.5"), Version("2.0")]
    below = ranges_from_specifiers_text("<1000")
    assert str(update_availability_range(below, available)) == "<=2.0"
    inside = ranges_from_specifiers_text(">=1.2,<=1.7")
    assert str(update_availability_range(inside, available)) == ">1.2, <1.7"


def test_report_tree_is_reduced() -> None:
    error = explain({"a": {"1.0": {}}}, ["a>1"])
    tree = error.tree
    assert isinstance(tree, Derived)
    assert isinstance(tree.cause1, NoVersions) or isinstance(tree.cause2, NoVersions)
    assert (
        error.report
        == (
            "Because only a<=1.0 is available and you require a>1, we can conclude that your "
            "requirements are unsatisfiable."
        )
        or "only a==1.0 is available" in error.report
    )


# the real uv, on the same universes ------------------------------------------------------------


def _write_index(universe: Universe, root: Path) -> str:
    """A static PEP 503 index of wheels (with `data-requires-python` and `data-yanked`)."""
    files = root / "files"
    files.mkdir()
    for name, versions in universe.items():
        links = []
        for version, spec in versions.items():
            headers = []
            if spec.get("requires_python"):
                headers.append(f"Requires-Python: {spec['requires_python']}")
            headers += [f"Requires-Dist: {r}" for r in spec.get("requires", ())]
            for extra, requires in (spec.get("extras") or {}).items():
                headers.append(f"Provides-Extra: {extra}")
                headers += [f"Requires-Dist: {r} ; extra == '{extra}'" for r in requires]
            wheel = write_wheel(
                files,
                {f"{name}/__init__.py": ""},
                name=name,
                version=version,
                metadata_headers=headers,
            )
            attributes = ""
            if spec.get("requires_python"):
                attributes += f' data-requires-python="{html.escape(spec["requires_python"])}"'
            if spec.get("yanked"):
                attributes += ' data-yanked="Yanked for testing"'
            links.append(f'<a href="../../files/{wheel.name}"{attributes}>{wheel.name}</a><br/>')
        page = root / "simple" / name
        page.mkdir(parents=True)
        (page / "index.html").write_text(
            "<!DOCTYPE html><html><body>" + "".join(links) + "</body></html>"
        )
    return (root / "simple").as_uri() + "/"


def _uv_prose(
    universe: Universe, root: Sequence[str], tmp_path: Path, changes: Mapping[str, Any]
) -> str:
    index = _write_index(universe, tmp_path)
    (tmp_path / "requirements.in").write_text("\n".join(root) + "\n")
    arguments: list[str] = []
    if "prerelease" in changes:
        arguments += ["--prerelease", changes["prerelease"]]
    if "constraints" in changes:
        constraints = "".join(f"{requirement}\n" for requirement in changes["constraints"])
        (tmp_path / "constraints.txt").write_text(constraints)
        arguments += ["--constraint", "constraints.txt"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PUV_"))}
    env.update(
        UV_CACHE_DIR=str(tmp_path / "cache"),
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_CONFIG="1",
        NO_COLOR="1",
        COLUMNS="1000",  # uv wraps error text at the terminal width; puv does not
    )
    completed = subprocess.run(
        [
            str(UV),
            "pip",
            "compile",
            "requirements.in",
            "--index-url",
            index,
            "--offline",
            "--python",
            sys.executable,
            "--python-version",
            "3.12",
            "--python-platform",
            "x86_64-manylinux2014",
            "--no-header",
            "--no-annotate",
            *arguments,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    kept = [line for line in completed.stderr.splitlines() if not line.startswith("warning:")]
    return "\n".join(kept) + "\n"


@pytest.mark.skipif(shutil.which(str(UV)) is None, reason="the reference uv is not installed")
@pytest.mark.parametrize("case", sorted(CASES))
def test_same_prose_as_uv(case: str, tmp_path: Path) -> None:
    universe, root = CASES[case]
    changes = CASE_OPTIONS.get(case, {})
    expected = _uv_prose(universe, root, tmp_path, changes)
    error = explain(universe, root, **changes)
    assert rendered(error) == expected
