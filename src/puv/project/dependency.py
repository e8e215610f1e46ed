"""One PEP 508 requirement from a `pyproject.toml`, parsed into the parts uv's lowering uses."""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import Struct
from msgspec.structs import replace

from puv.core.markers import Marker
from puv.project.settings_schema import normalize_name

__all__ = ["Dependency", "InvalidDependency", "parse_dependency", "uv_specifier_order"]


def uv_specifier_order(specifiers: Iterable[tuple[str, str]]) -> list[str]:
    """`puv.core.specifier_order.uv_specifier_order`, raising `InvalidDependency`."""
    from packaging.version import InvalidVersion

    from puv.core import specifier_order

    try:
        return specifier_order.uv_specifier_order(specifiers)
    except InvalidVersion as error:
        raise InvalidDependency(str(error)) from None


class InvalidDependency(ValueError):
    """A requirement string that is not valid PEP 508 (the message is packaging's)."""


class Dependency(Struct, frozen=True):
    """A requirement: normalized `name`, `specifier` as uv prints it (`>=1,<2`), normalized
    `extras` in written order, `marker` (true when absent) and a direct `url` (PEP 508 `@`)."""

    name: str
    specifier: str | None = None
    extras: tuple[str, ...] = ()
    marker: Marker = Marker.TRUE
    url: str | None = None

    def with_marker(self, marker: Marker) -> Dependency:
        """The same requirement under `marker`."""
        return replace(self, marker=marker)


def parse_dependency(text: str) -> Dependency:
    """Parse `text`; raises `InvalidDependency` when it is not a PEP 508 requirement."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        raise InvalidDependency(str(error)) from None
    specifiers = uv_specifier_order(
        (specifier.operator, specifier.version) for specifier in requirement.specifier
    )
    marker = Marker.TRUE if requirement.marker is None else Marker.parse(str(requirement.marker))
    extras = _in_written_order(text, requirement.extras)
    return Dependency(
        name=normalize_name(requirement.name),
        specifier=",".join(specifiers) or None,
        extras=tuple(dict.fromkeys(normalize_name(extra) for extra in extras)),
        marker=marker,
        url=requirement.url,
    )


def _in_written_order(text: str, extras: set[str]) -> list[str]:
    return sorted(extras, key=lambda extra: (text.find(extra), extra))
