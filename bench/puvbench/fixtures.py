"""Inputs that some operations derive from a benchmark project (e.g. `requirements.in`)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalize(name: str) -> str:
    """PEP 503 normalization of a distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    """The normalized distribution name a PEP 508 requirement string starts with."""
    match = _NAME.match(requirement)
    if match is None:
        raise ValueError(f"not a requirement: {requirement!r}")
    return normalize(match.group(1))


def collect_requirements(pyprojects: Sequence[Mapping[str, Any]]) -> list[str]:
    """Third-party requirements of a project or workspace, for a `requirements.in`.

    Takes the parsed `pyproject.toml` of the root and of each workspace member; gathers
    `[project].dependencies` and the plain-string entries of `[dependency-groups]`, drops the
    workspace's own members, and keeps the first occurrence of each string, in order.
    """
    members = {
        normalize(doc["project"]["name"]) for doc in pyprojects if "name" in doc.get("project", {})
    }
    seen: list[str] = []
    for doc in pyprojects:
        entries = list(doc.get("project", {}).get("dependencies", []))
        for group in doc.get("dependency-groups", {}).values():
            entries += [entry for entry in group if isinstance(entry, str)]
        for entry in entries:
            if requirement_name(entry) not in members and entry not in seen:
                seen.append(entry)
    return seen


def workspace_pyprojects(project: Path) -> list[dict[str, Any]]:
    """The parsed root `pyproject.toml` followed by those of its `[tool.uv.workspace]` members."""
    root = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    docs = [root]
    patterns = root.get("tool", {}).get("uv", {}).get("workspace", {}).get("members", [])
    for pattern in patterns:
        for member in sorted(project.glob(pattern)):
            if (member / "pyproject.toml").is_file():
                text = (member / "pyproject.toml").read_text(encoding="utf-8")
                docs.append(tomllib.loads(text))
    return docs


def is_uv_workspace(project: Path) -> bool:
    """Whether the project is a uv workspace (other tools do not understand those)."""
    docs = workspace_pyprojects(project)
    return len(docs) > 1 or "workspace" in docs[0].get("tool", {}).get("uv", {})


def write_requirements_in(project: Path, name: str = "requirements.in") -> Path:
    """Write the project's third-party requirements to `project/name` and return its path."""
    target = project / name
    lines = collect_requirements(workspace_pyprojects(project))
    target.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return target
