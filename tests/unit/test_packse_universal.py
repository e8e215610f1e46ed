"""The packse `lock` scenarios, resolved universally in memory and judged by uv's goldens.

Every universal scenario of `../shared/conformance/packse-index/scenarios.json` is loaded into
an `InMemoryProvider` (the same files, `Requires-Python`, yanks and wheel tags the harness
serves) and resolved with `resolve_universal` for the scenario's `requires-python`; the set of
(name, version) pairs must be the one `uv lock` wrote (each version used by some fork), or the
resolution must fail naming a package of the scenario.
"""

from __future__ import annotations

import json
import platform
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from puv.resolver.candidates import PythonTarget
from puv.resolver.forks import PythonRange
from puv.resolver.report import NoSolutionError
from puv.resolver.resolve import ResolverOptions
from puv.resolver.universal import UniversalOptions, UniversalResolution, resolve_universal
from tests.envtools import PYENV, UV
from tests.unit.test_packse_inmemory import ALL, CONFORMANCE, build_provider
from tests.unit.test_resolver_report import rendered
from tests.unit.test_universal import assert_same_packages, current_environment, uv_in

LOCK = [scenario for scenario in ALL if scenario["kind"] == "lock"]
INSTALLED = Version(platform.python_version())


def _unmangle(scenario: dict[str, Any], name: str) -> str:
    prefix = canonicalize_name(scenario["name"]) + "-"
    suffix = "-" + scenario["version"]
    name = canonicalize_name(name)
    return name[len(prefix) : -len(suffix)] if name.startswith(prefix) else name


def _requires_python(scenario: dict[str, Any]) -> str:
    return str(scenario["root"]["requires_python"] or ">=3.8")


def resolve_scenario(
    scenario: dict[str, Any], current_environment: dict[str, str] | None = None
) -> UniversalResolution:
    """`uv lock` of the scenario's root project, in memory, run from the test's interpreter."""
    requirements = [Requirement(r["requirement"]) for r in scenario["root"]["requires"]]
    requires_python = _requires_python(scenario)
    target = PythonTarget(PythonRange.from_specifiers(requires_python).target, INSTALLED)
    options = UniversalOptions(
        requires_python=requires_python,
        resolver=ResolverOptions(python=target),
        current_environment=current_environment,
    )
    return resolve_universal(requirements, build_provider(scenario), options)


@pytest.mark.parametrize("scenario", [pytest.param(s, id=s["name"]) for s in LOCK])
def test_lock_scenario_matches_uv(scenario: dict[str, Any]) -> None:
    golden = scenario["golden"]
    assert golden is not None, "every lock scenario has a golden"
    if not golden["satisfiable"]:
        with pytest.raises(NoSolutionError) as failure:
            resolve_scenario(scenario)
        prefix = re.escape(canonicalize_name(scenario["name"]) + "-")
        assert re.search(prefix, failure.value.report), failure.value.report
        return
    resolution = resolve_scenario(scenario)
    found = sorted((_unmangle(scenario, p.name), str(p.version)) for p in resolution.packages)
    if golden.get("packages") is None:
        assert found, "a satisfiable scenario resolves to some packages"
        return
    expected = sorted((canonicalize_name(n), str(Version(v))) for n, v in golden["packages"])
    assert found == expected


def test_lock_scenarios_are_present() -> None:
    if not LOCK:
        pytest.skip("the conformance suite is not checked out next to the repository")
    assert len(LOCK) == 41


INDEX = CONFORMANCE / "packse-index" / "simple-html"
SATISFIABLE = [s for s in LOCK if s["golden"] and s["golden"]["satisfiable"]]


@pytest.mark.skipif(not UV.exists() or not INDEX.exists(), reason="needs uv and the packse index")
@pytest.mark.parametrize("scenario", [pytest.param(s, id=s["name"]) for s in SATISFIABLE])
def test_same_lines_as_uv_pip_compile_universal(scenario: dict[str, Any], tmp_path: Path) -> None:
    requires = [r["requirement"] for r in scenario["root"]["requires"]]
    (tmp_path / "requirements.in").write_text("\n".join(requires) + "\n")
    python = str(PythonRange.from_specifiers(_requires_python(scenario)).target)
    command = ["pip", "compile", "requirements.in", "--universal", "--index-url", INDEX.as_uri()]
    command += ["--python-version", python, "--no-header", "--no-annotate"]
    completed = uv_in(tmp_path, command)
    assert completed.returncode == 0, completed.stderr
    assert resolve_scenario(scenario).compile_lines() == completed.stdout.splitlines()


def _interpreter_for(requires_python: str) -> Path | None:
    """A pyenv build inside `requires-python` (uv lock insists on one)."""
    specifier = SpecifierSet(requires_python)
    for version in sorted(PYENV.glob("3.*"), key=lambda p: Version(p.name)):
        if Version(version.name) in specifier and (version / "bin" / "python3").exists():
            return version / "bin" / "python3"
    return None


@pytest.mark.skipif(not UV.exists() or not INDEX.exists(), reason="needs uv and the packse index")
@pytest.mark.parametrize("scenario", [pytest.param(s, id=s["name"]) for s in SATISFIABLE])
def test_same_lock_markers_as_uv_lock(scenario: dict[str, Any], tmp_path: Path) -> None:
    requires_python = _requires_python(scenario)
    interpreter = _interpreter_for(requires_python)
    if interpreter is None:
        pytest.skip(f"no Python for {requires_python}")
    requires = "".join(f"  {json.dumps(r['requirement'])},\n" for r in scenario["root"]["requires"])
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "project"\nversion = "0.1.0"\n'
        f"requires-python = {json.dumps(requires_python)}\ndependencies = [\n{requires}]\n"
    )
    completed = uv_in(tmp_path, ["lock", "--index-url", INDEX.as_uri()], interpreter)
    assert completed.returncode == 0, completed.stderr
    lock = tomllib.loads((tmp_path / "uv.lock").read_text())
    resolution = resolve_scenario(scenario)
    simplified = [resolution.simplify(marker).to_text() for marker in resolution.fork_markers]
    assert simplified == lock.get("resolution-markers", [])
    assert_same_packages(resolution, lock)


UNSATISFIABLE = [s for s in LOCK if s["golden"] and not s["golden"]["satisfiable"]]


@pytest.mark.skipif(not UV.exists() or not INDEX.exists(), reason="needs uv and the packse index")
@pytest.mark.parametrize("scenario", [pytest.param(s, id=s["name"]) for s in UNSATISFIABLE])
def test_same_failure_as_uv_pip_compile_universal(scenario: dict[str, Any], tmp_path: Path) -> None:
    requires = [r["requirement"] for r in scenario["root"]["requires"]]
    (tmp_path / "requirements.in").write_text("\n".join(requires) + "\n")
    python = str(PythonRange.from_specifiers(_requires_python(scenario)).target)
    command = ["pip", "compile", "requirements.in", "--universal", "--index-url", INDEX.as_uri()]
    completed = uv_in(tmp_path, [*command, "--python-version", python, "--no-header"])
    assert completed.returncode == 1
    with pytest.raises(NoSolutionError) as failure:
        resolve_scenario(scenario, current_environment=current_environment())
    assert rendered(failure.value) == completed.stderr
