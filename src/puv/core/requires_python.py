"""A Python version range (`requires-python`, `--python '>=3.11'`) checked without importing
`packaging.specifiers`.

That import pulls in `packaging.tags` (and with it `logging`, `subprocess`, `platform`, ...): about
15 ms on every command that only has to pick an interpreter, such as a `lock` or `sync` with
nothing to do. Interpreter versions are final releases (`3.12.1`) and ranges almost always name
plain releases (`>=3.10,<4`, `==3.12.*`, `~=3.11`): PEP 440 then reduces to comparing release
numbers, done here. Anything else (pre-releases, `===`, local versions) is handed to packaging.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

__all__ = ["InvalidRange", "RequiresPython", "Spec"]

_SPEC = re.compile(r"\s*(===|==|!=|~=|<=|>=|<|>)\s*([^\s,;]+)\s*")
_OPERATOR_START = ("=", "!", "~", "<", ">")
_RELEASE = re.compile(r"\d+(?:\.\d+)*")


class InvalidRange(ValueError):
    """Text that is not a PEP 440 specifier set (the message is packaging's)."""


class Spec(NamedTuple):
    """One clause: `operator` (`>=`, `==`, ...) and `version` as written (`3.11`, `3.*`)."""

    operator: str
    version: str

    def __str__(self) -> str:
        return f"{self.operator}{self.version}"


class RequiresPython:
    """A specifier set with the part of `packaging.specifiers.SpecifierSet`'s interface the
    interpreter search uses: iteration over its clauses, `contains`, `&`, `str`."""

    __slots__ = ("_packaging", "_specs")

    def __init__(self, text: str = "") -> None:
        pieces = text.split(",") if text.strip() else []
        for piece in pieces:  # not even an operator (a path, a name): packaging's message
            if piece.strip() and not piece.strip().startswith(_OPERATOR_START):
                raise InvalidRange(f"Invalid specifier: {piece.strip()!r}")
        parts = [_SPEC.fullmatch(piece) for piece in pieces]
        self._packaging: SpecifierSet | None = None
        if all(match is not None for match in parts):
            self._specs = tuple(
                dict.fromkeys(Spec(m.group(1), m.group(2)) for m in parts if m is not None)
            )
            if all(_plain(spec) for spec in self._specs):
                return
        parsed = _parsed(text)  # packaging's reading (and errors) for anything unusual
        self._packaging = parsed
        self._specs = tuple(Spec(spec.operator, spec.version) for spec in parsed)

    def __iter__(self) -> Iterator[Spec]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def __str__(self) -> str:
        """As `SpecifierSet` shows itself: the clauses sorted, joined by `,`."""
        return ",".join(sorted(str(spec) for spec in self._specs))

    def __repr__(self) -> str:
        return f"<RequiresPython({str(self)!r})>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RequiresPython) and set(self._specs) == set(other._specs)

    def __hash__(self) -> int:
        return hash(frozenset(self._specs))

    def __and__(self, other: RequiresPython) -> RequiresPython:
        combined = RequiresPython()
        combined._specs = tuple(dict.fromkeys((*self._specs, *other._specs)))
        if self._packaging is not None or other._packaging is not None:
            combined._packaging = _parsed(",".join(map(str, combined._specs)))
        return combined

    def contains(self, version: Version | str, prereleases: bool = True) -> bool:
        """Whether `version` is in the range (pre-releases admitted, as the search asks)."""
        text = str(version)
        if self._packaging is None and _RELEASE.fullmatch(text):
            release = tuple(int(part) for part in text.split("."))
            return all(_admits(spec, release) for spec in self._specs)
        if self._packaging is None:
            self._packaging = _parsed(",".join(map(str, self._specs)))
        return self._packaging.contains(text, prereleases=prereleases)


def _parsed(text: str) -> SpecifierSet:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(text)
    except InvalidSpecifier as error:
        raise InvalidRange(str(error)) from None


def _plain(spec: Spec) -> bool:
    """Whether the clause names a plain release (`3.11`, or `3.*` after `==`/`!=`)."""
    version = spec.version
    if spec.operator in ("==", "!=") and version.endswith(".*"):
        version = version[:-2]
    elif spec.operator == "~=" and "." not in version:
        return False
    return spec.operator != "===" and _RELEASE.fullmatch(version) is not None


def _admits(spec: Spec, release: tuple[int, ...]) -> bool:
    """PEP 440 for a final release against a plain clause: release numbers compared, the
    shorter padded with zeros."""
    operator, text = spec
    prefix = operator in ("==", "!=") and text.endswith(".*")
    bound = tuple(int(part) for part in text.removesuffix(".*").split("."))
    if prefix:
        padded = release + (0,) * max(0, len(bound) - len(release))
        same = padded[: len(bound)] == bound
        return same if operator == "==" else not same
    width = max(len(release), len(bound))
    mine = release + (0,) * (width - len(release))
    theirs = bound + (0,) * (width - len(bound))
    if operator == "==":
        return mine == theirs
    if operator == "!=":
        return mine != theirs
    if operator == ">=":
        return mine >= theirs
    if operator == "<=":
        return mine <= theirs
    if operator == ">":
        return mine > theirs
    if operator == "<":
        return mine < theirs
    # `~=X.Y.Z`: at least X.Y.Z, and the same X.Y
    stem = bound[:-1]
    padded = release + (0,) * max(0, len(stem) - len(release))
    return mine >= theirs and padded[: len(stem)] == stem
