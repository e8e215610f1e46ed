"""The packse conformance scenarios, resolved in memory and judged by uv's recorded outcomes.

Every `install` and `compile` scenario of `../shared/conformance/packse-index/scenarios.json` is
loaded into an `InMemoryProvider` exactly as the harness would serve it (same files, same
`Requires-Python`, yanks and wheel tags), resolved for the same target Python and platform as
`uv pip compile --python-version X [--python-platform P]`, and compared with `goldens.json`:
the same pinned set, or a failure whose report names a package of the scenario.
"""

from __future__ import annotations

import email.parser
import hashlib
import json
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name
from packaging.version import Version

from puv.resolver.candidates import PythonTarget, TargetTags
from puv.resolver.provider import DistFile, InMemoryProvider, InMemoryRelease, PackageMetadata
from puv.resolver.report import NoSolutionError
from puv.resolver.resolve import ResolverOptions, resolve

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"
SCENARIOS = CONFORMANCE / "packse-index" / "scenarios.json"
FILES = CONFORMANCE / "packse-index" / "files"
GOLDENS = CONFORMANCE / "goldens.json"
YANK_REASON = "Yanked for testing"
# The interpreters the harness finds for a scenario's `environment.python` (pyenv builds).
INSTALLED = {"3.9": "3.9.18", "3.11": "3.11.7", "3.12": "3.12.1", "3.13": "3.13.0"}


def _content_key(raw: dict[str, Any]) -> str:
    keep = {k: raw.get(k) for k in ("name", "root", "packages", "environment", "resolver_options")}
    return hashlib.sha256(json.dumps(keep, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _kind(scenario: dict[str, Any]) -> str:
    options = scenario["resolver_options"]
    if options.get("universal"):
        return "lock"
    return "compile" if options.get("python") else "install"


def _load() -> list[dict[str, Any]]:
    if not SCENARIOS.exists() or not GOLDENS.exists():
        return []
    goldens = json.loads(GOLDENS.read_text())["scenarios"]
    scenarios = json.loads(SCENARIOS.read_text())["scenarios"]
    selected = []
    for scenario in scenarios:
        if "/examples/" in scenario.get("source", ""):
            continue
        scenario["kind"] = _kind(scenario)
        scenario["golden"] = goldens.get(_content_key(scenario.get("raw_toml") or {}))
        selected.append(scenario)
    return sorted(selected, key=lambda s: (s["kind"], s["name"]))


ALL = _load()


def _installed(python: str) -> Version:
    minor = ".".join(python.split(".")[:2])
    return Version(python if python.count(".") == 2 else INSTALLED.get(minor, python))


def _marker_environment(target: Version) -> dict[str, str]:
    release = target.release + (0,) * (3 - len(target.release))
    return {
        "implementation_name": "cpython",
        "implementation_version": ".".join(map(str, release)),
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": ".".join(map(str, release)),
        "python_version": f"{release[0]}.{release[1]}",
        "sys_platform": "linux",
    }


def _manylinux2014_tags(target: Version) -> TargetTags:
    python = (target.release[0], target.release[1])
    platforms = [f"manylinux_2_{minor}_x86_64" for minor in range(17, 4, -1)]
    platforms[1:1] = ["manylinux2014_x86_64"]
    platforms += ["manylinux1_x86_64", "linux_x86_64"]
    abi = f"cp{python[0]}{python[1]}"
    tags: list[Tag] = list(cpython_tags(python, [abi], platforms))
    tags += compatible_tags(python, abi, platforms)
    return TargetTags.from_tags(tags)


def _metadata(path: Path) -> PackageMetadata:
    """The core metadata inside a wheel (`METADATA`) or a source distribution (`PKG-INFO`)."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as archive:
            name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            text = archive.read(name).decode()
    else:
        with tarfile.open(path) as archive:
            member = next(
                m
                for m in archive.getmembers()
                if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
            )
            extracted = archive.extractfile(member)
            assert extracted is not None
            text = extracted.read().decode()
    message = email.parser.Parser().parsestr(text)
    requires_python = message.get("Requires-Python")
    return PackageMetadata(
        requires_dist=tuple(Requirement(r) for r in message.get_all("Requires-Dist") or ()),
        requires_python=SpecifierSet(requires_python) if requires_python else None,
        provides_extras=tuple(message.get_all("Provides-Extra") or ()),
    )


def build_provider(scenario: dict[str, Any]) -> InMemoryProvider:
    """The scenario's packages as the packse index serves them: the real files' names and
    metadata, with the yanks and `Requires-Python` of the index pages."""
    provider = InMemoryProvider()
    for package in scenario["packages"]:
        stem = canonicalize_name(package["name"]).replace("-", "_")
        for entry in package["versions"]:
            version = entry["version"]
            paths = sorted(FILES.glob(f"{stem}-{version}-*.whl")) + sorted(
                FILES.glob(f"{stem}-{version}.tar.gz")
            )
            requires_python = entry["requires_python"]
            specifier = SpecifierSet(requires_python) if requires_python else None
            files = tuple(
                DistFile(
                    path.name,
                    specifier,
                    yanked=entry["yanked"],
                    yanked_reason=YANK_REASON if entry["yanked"] else None,
                )
                for path in paths
            )
            release = InMemoryRelease(Version(version), _metadata(paths[0]), files)
            provider.add_release(package["name"], release)
    return provider


def scenario_options(scenario: dict[str, Any]) -> ResolverOptions:
    """The options `uv pip compile` gets from the harness for this scenario."""
    options = scenario["resolver_options"]
    python_text = options.get("python") or scenario["environment"]["python"]
    target = Version(python_text)
    installed = _installed(scenario["environment"]["python"])
    return ResolverOptions(
        python=PythonTarget(target=target, installed=installed),
        environment=_marker_environment(target),
        # `uv pip compile` always resolves for tags: the host's (linux x86_64 here) or those of
        # `--python-platform` (every scenario that sets it asks for x86_64-manylinux2014).
        tags=_manylinux2014_tags(target),
        prerelease="allow" if options.get("prereleases") else "if-necessary",
        no_build=frozenset(canonicalize_name(n) for n in options.get("no_build") or ()),
        no_binary=frozenset(canonicalize_name(n) for n in options.get("no_binary") or ()),
        resolution=options.get("resolution") or "highest",
    )


def _unmangle(scenario: dict[str, Any], name: str) -> str:
    prefix = canonicalize_name(scenario["name"]) + "-"
    suffix = "-" + scenario["version"]
    name = canonicalize_name(name)
    return name[len(prefix) : -len(suffix)] if name.startswith(prefix) else name


def run_scenario(scenario: dict[str, Any]) -> tuple[bool, dict[str, str], str]:
    """(satisfiable, {unmangled name: version}, failure report)."""
    requirements = [Requirement(r["requirement"]) for r in scenario["root"]["requires"]]
    try:
        resolution = resolve(requirements, build_provider(scenario), scenario_options(scenario))
    except NoSolutionError as error:
        return False, {}, error.report
    pins = {_unmangle(scenario, p.name): str(p.version) for p in resolution.packages}
    return True, pins, ""


def _norm(version: str) -> str:
    return str(Version(version))


@pytest.mark.parametrize(
    "scenario",
    [pytest.param(s, id=s["name"]) for s in ALL],
)
def test_scenario_matches_uv(scenario: dict[str, Any]) -> None:
    if scenario["kind"] == "lock":
        pytest.skip("lock scenarios run universally in test_packse_universal.py")
    golden = scenario["golden"]
    assert golden is not None, "every install/compile scenario has a golden"
    satisfiable, pins, report = run_scenario(scenario)
    if not golden["satisfiable"]:
        assert not satisfiable, f"expected no solution, got {pins}"
        assert re.search(re.escape(canonicalize_name(scenario["name"]) + "-"), report), report
        return
    assert satisfiable, report
    expected = {canonicalize_name(n): _norm(v) for n, v in golden["packages"]}
    assert {n: _norm(v) for n, v in pins.items()} == expected


def test_scenarios_are_present() -> None:
    if not SCENARIOS.exists():
        pytest.skip("the conformance suite is not checked out next to the repository")
    kinds = [s["kind"] for s in ALL]
    assert kinds.count("install") + kinds.count("compile") == 106
