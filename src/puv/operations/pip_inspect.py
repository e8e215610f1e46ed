"""`pip freeze`, `pip list`, `pip show` and `pip check`: read-only views of an environment."""

from __future__ import annotations

import json
from collections.abc import Sequence
from email.parser import HeaderParser
from typing import TYPE_CHECKING

from msgspec import Struct

from puv.install.installed import InstalledDist, scan_site_packages
from puv.operations.pip_env import TargetEnvironment

if TYPE_CHECKING:
    from packaging.requirements import Requirement
    from packaging.specifiers import Specifier


def installed(target: TargetEnvironment) -> list[InstalledDist]:
    """The distributions in the target environment, sorted by name."""
    return scan_site_packages(target.site_packages)


def _editable_location(dist: InstalledDist) -> str | None:
    url = dist.url
    if not dist.editable or url is None:
        return None
    from urllib.parse import unquote, urlsplit

    return unquote(urlsplit(url).path) if url.startswith("file:") else url


def freeze_lines(dists: Sequence[InstalledDist], *, exclude_editable: bool = False) -> list[str]:
    """`name==version`, `-e file:///...` for editables, `name @ url` for direct URL installs."""
    lines = []
    for dist in dists:
        if dist.editable:
            if not exclude_editable:
                lines.append(f"-e {dist.url}")
        elif dist.url is not None and dist.direct_url:
            lines.append(f"{dist.name} @ {dist.url}")
        else:
            lines.append(f"{dist.name}=={dist.version}")
    return lines


def list_output(
    dists: Sequence[InstalledDist],
    *,
    fmt: str = "columns",
    editable: bool = False,
    exclude_editable: bool = False,
) -> str:
    """`pip list` in uv's `columns`, `freeze` or `json` format."""
    chosen = [
        d
        for d in dists
        if not (editable and not d.editable) and not (exclude_editable and d.editable)
    ]
    if fmt == "json":
        rows = []
        for dist in chosen:
            row = {"name": dist.name, "version": dist.version}
            location = _editable_location(dist)
            if location is not None:
                row["editable_project_location"] = location
            rows.append(row)
        return json.dumps(rows, separators=(",", ":"))
    if fmt == "freeze":
        return "\n".join(f"{d.name}=={d.version}" for d in chosen)
    if not chosen:
        return ""
    headers = ["Package", "Version"]
    columns = [[d.name for d in chosen], [d.version for d in chosen]]
    locations = [_editable_location(d) or "" for d in chosen]
    if any(locations):
        headers.append("Editable project location")
        columns.append(locations)
    widths = [max(len(h), *(len(v) for v in col)) for h, col in zip(headers, columns, strict=True)]
    lines = [
        " ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
        " ".join("-" * w for w in widths),
    ]
    for index in range(len(chosen)):
        cells = [col[index].ljust(w) for col, w in zip(columns, widths, strict=True)]
        lines.append(" ".join(cells).rstrip())
    return "\n".join(lines)


class DistMetadata(Struct, frozen=True):
    """What `show` and `check` need from a distribution's METADATA."""

    requires_dist: tuple[str, ...]


def read_metadata(dist: InstalledDist) -> DistMetadata:
    """Parse the `Requires-Dist` headers of an installed distribution."""
    name = "METADATA" if dist.kind == "dist-info" else "PKG-INFO"
    path = dist.path / name if dist.path.is_dir() else dist.path
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return DistMetadata(())
    headers = HeaderParser().parsestr(text)
    return DistMetadata(tuple(headers.get_all("Requires-Dist") or ()))


def _active_requirements(
    dist: InstalledDist, target: TargetEnvironment
) -> list[tuple[str, Requirement]]:
    """The requirements of `dist` that apply in the target environment (markers evaluated)."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    active: list[tuple[str, Requirement]] = []
    environment = dict(target.interpreter.markers)
    for text in read_metadata(dist).requires_dist:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate(
            {**environment, "extra": ""}
        ):
            continue
        active.append((str(canonicalize_name(requirement.name)), requirement))
    return active


def show_text(
    target: TargetEnvironment, names: Sequence[str], *, files: bool
) -> tuple[str, list[str]]:
    """`pip show` blocks for `names` (in the order given) and the names that were not found."""
    from packaging.utils import canonicalize_name

    dists = installed(target)
    by_name = {d.name: d for d in dists}
    blocks: list[str] = []
    missing: list[str] = []
    required_by: dict[str, list[str]] = {}
    for dist in dists:
        for name, _ in _active_requirements(dist, target):
            required_by.setdefault(name, []).append(dist.name)
    for name in sorted({str(canonicalize_name(raw)) for raw in names}):
        found = by_name.get(name)
        if found is None:
            missing.append(name)
            continue
        dist = found
        requires = sorted({n for n, _ in _active_requirements(dist, target)})
        lines = [
            f"Name: {dist.name}",
            f"Version: {dist.version}",
            f"Location: {dist.path.parent}",
        ]
        location = _editable_location(dist)
        if location is not None:
            lines.append(f"Editable project location: {location}")
        lines.append(f"Requires: {', '.join(requires)}".rstrip())
        lines.append(f"Required-by: {', '.join(sorted(set(required_by.get(name, []))))}".rstrip())
        if files:
            lines.append("Files:")
            lines.extend(f"  {path}" for path in _record_files(dist))
        blocks.append("\n".join(lines))
    return "\n---\n".join(blocks), missing


def _record_files(dist: InstalledDist) -> list[str]:
    import csv

    record = dist.path / "RECORD"
    try:
        with record.open(newline="", encoding="utf-8") as handle:
            return sorted(row[0] for row in csv.reader(handle) if row)
    except OSError:
        return []


class CheckReport(Struct, frozen=True):
    """What `pip check` found: the number of packages and each problem as uv words it."""

    checked: int
    problems: tuple[str, ...]


def _requirement_text(requirement: Requirement) -> str:
    """A requirement as uv prints it: specifiers ordered by version (`>=2,<4`), no marker."""
    from packaging.version import InvalidVersion, Version

    def order(spec: Specifier) -> tuple[int, Version | None, str, str]:
        try:
            return (0, Version(spec.version), spec.version, spec.operator)
        except InvalidVersion:
            return (1, None, spec.version, spec.operator)

    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    specifiers = sorted(requirement.specifier, key=order)
    return f"{requirement.name}{extras}{','.join(str(s) for s in specifiers)}"


def check_environment(target: TargetEnvironment) -> CheckReport:
    """Every installed distribution's requirements are present in compatible versions."""
    from packaging.version import InvalidVersion, Version

    dists = installed(target)
    by_name = {d.name: d for d in dists}
    problems = []
    for dist in dists:
        for name, requirement in _active_requirements(dist, target):
            present = by_name.get(name)
            shown = _requirement_text(requirement)
            if present is None:
                problems.append(
                    f"The package `{dist.name}` requires `{shown}`, but it's not installed"
                )
                continue
            try:
                ok = requirement.specifier.contains(Version(present.version), prereleases=True)
            except InvalidVersion:
                ok = True
            if not ok:
                problems.append(
                    f"The package `{dist.name}` requires `{shown}`, "
                    f"but `{present.version}` is installed"
                )
    return CheckReport(len(dists), tuple(problems))
