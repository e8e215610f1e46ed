"""Whether an existing `uv.lock` still satisfies the workspace, as uv decides before resolving.

The lock's options, `requires-python`, environments, declared conflicts, indexes, `[manifest]`
and each member's version and `[package.metadata]` are compared with what the project declares now (textually per
requirement, as uv's `satisfies`). Packages of mutable direct sources (local source trees, local
archives, remote archives unless offline) are read again, as uv does: their metadata comes from
`pyproject.toml`, a cached build, the archive or the cached download. Registry and Git packages
are immutable and never re-read, so an up-to-date lock needs no network and no `git`. A changed
resolution mode or fork strategy makes uv ignore the old versions altogether; other changes keep
them as preferences. `exclude-newer` follows uv 0.13.9: a span (added, removed or changed) or a
value added or removed counts, a new timestamp does not (a relative value moves on every run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from msgspec import Struct

from puv.core.markers import Marker
from puv.lock.compare import manifest_matches, metadata_matches
from puv.lock.model import InlineTable, Lock, Options, TomlValue
from puv.operations.exclude_newer import parse_exclude_newer
from puv.operations.lock_conflicts import conflict_tables
from puv.operations.lock_inputs import LockInputs

if TYPE_CHECKING:
    from puv.operations.lock_sources import SourceLocker

__all__ = ["Staleness", "exclude_newer_reason", "stale_reason"]

_DEFAULTS = {"resolution": "highest", "prerelease": "if-necessary", "fork": "requires-python"}


class Staleness(Struct, frozen=True):
    """Why the lock must be resolved again: `text` completes uv's `... due to <text>` line,
    `shown` says whether uv prints it by default, `keep_versions` whether the locked versions
    stay preferred (`Resolving despite existing lockfile`) or not (`Ignoring existing
    lockfile`)."""

    text: str
    shown: bool = False
    keep_versions: bool = True

    @property
    def line(self) -> str:
        """The status line uv prints."""
        verb = "Resolving despite" if self.keep_versions else "Ignoring"
        return f"{verb} existing lockfile due to {self.text}"


def stale_reason(
    lock: Lock, inputs: LockInputs, sources: SourceLocker | None = None
) -> Staleness | None:
    """Why `lock` no longer satisfies the workspace, or None when it still does; `sources`
    re-reads the packages of direct sources (without it, they are not checked)."""
    return (
        _modes_reason(lock.options, inputs.options)
        or exclude_newer_reason(lock.options, inputs.options)
        or _environments_reason(lock, inputs)
        or _conflicts_reason(lock, inputs)
        or _requires_python_reason(lock, inputs)
        or _prerelease_reason(lock.options, inputs.options)
        or _manifest_reason(lock, inputs)
        or _members_reason(lock, inputs)
        or (None if sources is None else _sources_reason(lock, inputs, sources))
    )


def has_mutable_sources(lock: Lock, inputs: LockInputs) -> bool:
    """Whether `lock` holds packages of direct sources that `stale_reason` re-reads."""
    return any(_is_mutable(package.source.kind, package.name, inputs) for package in lock.packages)


def _is_mutable(kind: str, name: str, inputs: LockInputs) -> bool:
    return kind not in ("registry", "git") and name not in inputs.members


def _modes_reason(locked: Options, wanted: Options) -> Staleness | None:
    """A changed resolution mode or fork strategy: uv ignores the old versions."""
    pairs = (
        ("resolution mode", locked.resolution_mode, wanted.resolution_mode, "resolution"),
        ("fork strategy", locked.fork_strategy, wanted.fork_strategy, "fork"),
    )
    for label, old, new, key in pairs:
        if old != new:
            default = _DEFAULTS[key]
            text = f"change in {label}: `{old or default}` vs. `{new or default}`"
            return Staleness(text, shown=True, keep_versions=False)
    return None


def _prerelease_reason(locked: Options, wanted: Options) -> Staleness | None:
    if locked.prerelease_mode != wanted.prerelease_mode:
        default = _DEFAULTS["prerelease"]
        old, new = locked.prerelease_mode or default, wanted.prerelease_mode or default
        return Staleness(f"change in pre-release mode: `{old}` vs. `{new}`", shown=True)
    return None


def exclude_newer_reason(locked: Options, wanted: Options) -> Staleness | None:
    """uv 0.13.9's comparison of `exclude-newer` settings: additions, removals and changed
    spans count; a changed timestamp, and a package turned on or off, do not."""
    old, new = locked.exclude_newer, wanted.exclude_newer
    if old is not None and new is None:
        return Staleness("removal of global exclude newer", shown=True)
    if old is None and new is not None:
        shown = _shown_value(new, wanted.exclude_newer_span)
        return Staleness(f"addition of global exclude newer {shown}", shown=True)
    change = _span_change(locked.exclude_newer_span, wanted.exclude_newer_span)
    if change is not None:
        return Staleness(change, shown=True)
    before, after = dict(locked.exclude_newer_package), dict(wanted.exclude_newer_package)
    for name in sorted(before):
        if name not in after:
            return Staleness(f"removal of exclude newer for package `{name}`", shown=True)
        if before[name] is False or after[name] is False:
            continue
        change = _span_change(_span_of(before[name]), _span_of(after[name]))
        if change is not None:
            return Staleness(f"{change} for package `{name}`", shown=True)
    for name in sorted(after.keys() - before.keys()):
        value = after[name]
        if value is False:
            text = f"addition of exclude newer exclusion for package `{name}`"
            return Staleness(text, shown=True)
        shown = _shown_value(_timestamp_of(value), _span_of(value))
        return Staleness(f"addition of exclude newer `{shown}` for package `{name}`", shown=True)
    return None


def _span_change(old: str | None, new: str | None) -> str | None:
    if old is None and new is not None:
        return f"addition of exclude newer span `{new}`"
    if old is not None and new is None:
        return "removal of exclude newer span"
    if old != new:
        return f"change of exclude newer span from `{old}` to `{new}`"
    return None


def _span_of(value: TomlValue) -> str | None:
    """The span of a locked per-package value (`{ timestamp, span }`), or None."""
    if isinstance(value, InlineTable):
        span = dict(value.items).get("span")
        return span if isinstance(span, str) else None
    return None


def _timestamp_of(value: TomlValue) -> str:
    if isinstance(value, InlineTable):
        return str(dict(value.items).get("timestamp"))
    return str(value)


def _shown_value(timestamp: str, span: str | None) -> str:
    """How uv shows an `exclude-newer` value: its timestamp (for a span, now minus the span)."""
    return timestamp if span is None else parse_exclude_newer(span).timestamp


def _requires_python_reason(lock: Lock, inputs: LockInputs) -> Staleness | None:
    if lock.requires_python != inputs.requires_python:
        return Staleness(
            f"change in Python requirement: `{lock.requires_python}` vs. `{inputs.requires_python}`"
        )
    return None


def _environments_reason(lock: Lock, inputs: LockInputs) -> Staleness | None:
    def texts(markers: tuple[str, ...], simplify: bool) -> set[str]:
        found = set()
        for text in markers:
            marker = Marker.parse(text)
            if simplify:
                marker = marker.simplify_python(lock.requires_python)
            found.add(marker.to_text() or "")
        return found

    if texts(lock.supported_markers, False) != texts(inputs.environments, True):
        return Staleness("mismatched supported environments")
    if texts(lock.required_markers, False) != texts(inputs.required_environments, True):
        return Staleness("mismatched required environments")
    return None


def _conflicts_reason(lock: Lock, inputs: LockInputs) -> Staleness | None:
    def items(sets: tuple[tuple[InlineTable, ...], ...]) -> list[list[dict[str, TomlValue]]]:
        return [[dict(table.items) for table in tables] for tables in sets]

    if items(lock.conflicts) != items(conflict_tables(inputs.conflicts)):
        return Staleness("change in conflicting groups")
    return None


def _manifest_reason(lock: Lock, inputs: LockInputs) -> Staleness | None:
    if not manifest_matches(lock.manifest, inputs.manifest):
        return Staleness("mismatched workspace manifest")
    return None


def _members_reason(lock: Lock, inputs: LockInputs) -> Staleness | None:
    for name, member in inputs.members.items():
        locked = [p for p in lock.find(name) if p.source == member.source]
        if not locked:
            return Staleness(f"missing workspace member `{name}`")
        package = locked[0]
        if package.version != str(member.release.version):
            return Staleness(f"mismatched version for `{name}`")
        if not metadata_matches(package.metadata, member.metadata):
            return Staleness(f"mismatched static metadata for `{name}`")
    return None


def _sources_reason(lock: Lock, inputs: LockInputs, sources: SourceLocker) -> Staleness | None:
    """uv's re-check of mutable direct sources: the version (or its being dynamic) and the
    metadata each declares now against the lock's."""
    for package in lock.packages:
        if not _is_mutable(package.source.kind, package.name, inputs):
            continue
        current = sources.current(package)
        if current is None:
            continue
        name = package.name
        if (package.version is None) != current.dynamic:
            found = "dynamic" if current.dynamic else "static"
            wanted = "static" if current.dynamic else "dynamic"
            return Staleness(f"{found} version: `{name}` (expected a {wanted} version)")
        if package.version is not None and package.version != current.locked_version:
            return Staleness(
                f"mismatched version: `{name}` (expected: `{package.version}`, found: "
                f"`{current.locked_version}`)"
            )
        if not metadata_matches(package.metadata, current.metadata):
            shown = name if package.version is None else f"{name}=={package.version}"
            return Staleness(f"mismatched requirements for: `{shown}`")
    return None
