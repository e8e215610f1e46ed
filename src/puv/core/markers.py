"""PEP 508 environment markers with uv's algebra, canonical form and printed text.

`Marker` wraps a node of the decision diagram in `marker_algebra`: markers that mean the same thing
are the same object, `&`, `|` and `~` are memoized, and `str()` is exactly what uv writes in
`uv.lock` and `pip compile --universal` output:

    >>> str(Marker.parse("python_version < '3.12' and sys_platform == 'linux'"))
    "python_full_version < '3.12' and sys_platform == 'linux'"

Markers in a lock file are written relative to `requires-python` (`simplify_python`) and read back
with `complexify_python`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, ClassVar

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from puv.core.marker_algebra import (
    CONTAINS,
    EXTRA,
    FALSE,
    IN,
    INTERNER,
    STRING,
    STRING_KEYS,
    TRUE,
    VERSION,
    VERSION_KEYS,
    VERSION_STRING,
)
from puv.core.marker_display import marker_text, to_dnf
from puv.core.marker_parse import (
    MarkerAst,
    MarkerSyntaxError,
    VersionExpr,
    normalize_name,
    parse_marker,
)
from puv.core.version_ranges import (
    Bound,
    VersionRanges,
    release_only_trimmed,
    release_specifiers_to_ranges,
)

__all__ = ["Marker", "MarkerSyntaxError"]

# The rank of each node kind in uv's ordering of markers (true, false, version, version string,
# string, in, contains, list, extra), indexed by the variable kind of `marker_algebra`.
_KIND_RANK = (4, 3, 2, 5, 6, 8, 7)


class Marker:
    """An immutable, interned marker expression; equal meaning means equal (and identical) objects.

    Build markers with `Marker.parse`, `Marker.TRUE`/`Marker.FALSE` and the operators; the
    constructor takes an internal node id.
    """

    __slots__ = ("_node",)

    TRUE: ClassVar[Marker]
    FALSE: ClassVar[Marker]
    _instances: ClassVar[dict[int, Marker]] = {}
    _instances_lock: ClassVar[threading.Lock] = threading.Lock()

    _node: int

    def __new__(cls, node: int) -> Marker:
        marker = cls._instances.get(node)
        if marker is None:
            with cls._instances_lock:
                marker = cls._instances.get(node)
                if marker is None:
                    marker = object.__new__(cls)
                    object.__setattr__(marker, "_node", node)
                    cls._instances[node] = marker
        return marker

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Marker is immutable")

    def __copy__(self) -> Marker:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Marker:
        return self

    @staticmethod
    def parse(text: str) -> Marker:
        """Parse PEP 508 marker text; raises `MarkerSyntaxError` (a `PuvError`) when malformed.

        Meaningless comparisons (`os_name ~= 'x'`, `python_version >= 'foo'`) are dropped as uv
        drops them, so text made only of them parses to `Marker.TRUE`.
        """
        return _parse_cached(text)

    @staticmethod
    def from_requires_python(requires_python: VersionRanges | str) -> Marker:
        """`python_full_version` bounds equal to a `requires-python` range (or specifier text)."""
        lower, upper = _python_bounds(requires_python)
        node = TRUE
        if lower is not None:
            operator = ">=" if lower[1] else ">"
            node = INTERNER.expression(VersionExpr("python_full_version", operator, lower[0]))
        if upper is not None:
            operator = "<=" if upper[1] else "<"
            upper_node = INTERNER.expression(VersionExpr("python_full_version", operator, upper[0]))
            node = _and(node, upper_node)
        return Marker(node)

    # Algebra.

    def __and__(self, other: Marker) -> Marker:
        return Marker(_and(self._node, other._node))

    def __or__(self, other: Marker) -> Marker:
        return Marker(_and(self._node ^ 1, other._node ^ 1) ^ 1)

    def __invert__(self) -> Marker:
        return Marker(self._node ^ 1)

    def is_true(self) -> bool:
        """The marker holds in every environment."""
        return self._node == TRUE

    def is_false(self) -> bool:
        """The marker holds in no environment."""
        return self._node == FALSE

    def is_disjoint(self, other: Marker) -> bool:
        """No environment satisfies both (known platform incompatibilities taken into account)."""
        return INTERNER.is_disjoint(self._node, other._node)

    def implies(self, other: Marker) -> bool:
        """Every environment that satisfies this marker satisfies `other`."""
        return _and(self._node, other._node ^ 1) == FALSE

    def restrict(self, assumption: Marker) -> Marker:
        """A marker equal to this one wherever `assumption` holds (and unspecified elsewhere)."""
        return _canonical(INTERNER.restrict(self._node, assumption._node))

    # requires-python.

    def simplify_python(self, requires_python: VersionRanges | str) -> Marker:
        """This marker assuming `requires-python` holds, as uv writes markers in `uv.lock`.

        `requires_python` is the release-only range of the specifiers (see
        `release_specifiers_to_ranges`) or the specifier text itself. With `>=3.9`,
        `python_version >= '3.8' and os_name == 'nt'` becomes `os_name == 'nt'`.
        """
        lower, upper = _python_bounds(requires_python)
        return _canonical(INTERNER.simplify_python_versions(self._node, lower, upper))

    def complexify_python(self, requires_python: VersionRanges | str) -> Marker:
        """The inverse of `simplify_python`: add the `requires-python` bounds back explicitly."""
        lower, upper = _python_bounds(requires_python)
        return _canonical(INTERNER.complexify_python_versions(self._node, lower, upper))

    # Extras.

    def without_extras(self) -> Marker:
        """The marker with its `extra` tests removed (true if it had nothing else)."""
        return _canonical(INTERNER.without_extras(self._node))

    def only_extras(self) -> Marker:
        """Only the `extra` tests of the marker (true if it had none)."""
        return _canonical(INTERNER.only_extras(self._node))

    def simplify_extras(self, extras: Iterable[str]) -> Marker:
        """Assume the given extras are active: `extra == 'x'` for them becomes true."""
        active = {normalize_name(extra) for extra in extras}
        return _canonical(
            INTERNER.restrict_by(
                self._node, lambda variable: True if _extra_of(variable) in active else None
            )
        )

    def simplify_not_extras(self, extras: Iterable[str]) -> Marker:
        """Assume the given extras are inactive: `extra != 'x'` for them becomes true."""
        inactive = {normalize_name(extra) for extra in extras}
        return _canonical(
            INTERNER.restrict_by(
                self._node, lambda variable: False if _extra_of(variable) in inactive else None
            )
        )

    def top_level_extra_name(self) -> str | None:
        """The extra `X` if every way to satisfy the marker requires `extra == 'X'`."""
        found: tuple[Any, ...] | None = None
        for clause in to_dnf(self._node) if self._node > FALSE else []:
            term = next((t for t in clause if t[0] == "x" and t[2] == "=="), None)
            if term is None or (found is not None and term != found):
                return None
            found = term
        return None if found is None else str(found[1])

    # Evaluation.

    def evaluate(self, environment: Mapping[str, str], extras: Iterable[str] = ()) -> bool:
        """Whether the marker holds in an environment (PEP 508 keys) with the given extras.

        Evaluation follows uv: `python_version` tests compare `python_full_version` (falling back
        to `python_version` when the full version is absent), string ordering comparisons of
        plain keys never hold, and an unparseable version makes the marker false.
        """
        active = frozenset(normalize_name(extra) for extra in extras)
        return _evaluate(self._node, environment, active, None)

    def evaluate_pep751(
        self, environment: Mapping[str, str], extras: Iterable[str], groups: Iterable[str]
    ) -> bool:
        """Evaluate in a `pylock.toml` context: `'x' in extras` / `'g' in dependency_groups`."""
        lists = (
            frozenset(normalize_name(extra) for extra in extras),
            frozenset(normalize_name(group) for group in groups),
        )
        return _evaluate(self._node, environment, frozenset(), lists)

    # Text.

    def to_text(self) -> str | None:
        """uv's canonical text, or `None` for the always-true marker (which uv omits)."""
        return marker_text(self._node)

    def __str__(self) -> str:
        return marker_text(self._node) or ""

    def __repr__(self) -> str:
        text = marker_text(self._node)
        return "Marker.TRUE" if text is None else f"Marker({text!r})"

    # Identity and order.

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, Marker) and self._node == other._node)

    def __hash__(self) -> int:
        return hash(self._node)

    def compare(self, other: Marker) -> int:
        """uv's ordering of markers (used to sort lock-file entries): -1, 0 or 1."""
        return _compare(self._node, other._node)

    def __lt__(self, other: Marker) -> bool:
        return _compare(self._node, other._node) < 0

    def __le__(self, other: Marker) -> bool:
        return _compare(self._node, other._node) <= 0

    def __gt__(self, other: Marker) -> bool:
        return _compare(self._node, other._node) > 0

    def __ge__(self, other: Marker) -> bool:
        return _compare(self._node, other._node) >= 0


Marker.TRUE = Marker(TRUE)
Marker.FALSE = Marker(FALSE)


@lru_cache(maxsize=16384)
def _parse_cached(text: str) -> Marker:
    tree = parse_marker(text)
    return Marker(TRUE if tree is None else _build(tree))


def _and(left: int, right: int) -> int:
    """`left and right` in uv's canonical form (platform don't-cares resolved)."""
    if left == TRUE:
        return right
    if right == TRUE or left == right:
        return left
    if left == FALSE or right == FALSE or left ^ 1 == right:
        return FALSE
    return INTERNER.canonicalize(INTERNER.and_(left, right))


def _canonical(node: int) -> Marker:
    return Marker(INTERNER.canonicalize(node))


def _build(tree: MarkerAst) -> int:
    """Fold a parsed marker as uv does: operands combined pairwise, stopping at a constant."""
    if not isinstance(tree, tuple):
        return INTERNER.expression(tree)
    operator, operands = tree
    nodes = [_build(operand) for operand in operands]
    flip = 1 if operator == "or" else 0
    absorbing = TRUE if operator == "or" else FALSE
    while len(nodes) > 1:
        combined = []
        for index in range(0, len(nodes), 2):
            if index + 1 < len(nodes):
                node = _and(nodes[index] ^ flip, nodes[index + 1] ^ flip) ^ flip
            else:
                node = nodes[index]
            if node == absorbing:
                return node
            combined.append(node)
        nodes = combined
    return nodes[0]


def _python_bounds(requires_python: VersionRanges | str) -> tuple[Bound, Bound]:
    ranges = (
        release_specifiers_to_ranges(SpecifierSet(requires_python))
        if isinstance(requires_python, str)
        else requires_python
    )
    bounding = ranges.bounding_range()
    if bounding is None:
        return None, None
    lower, upper = bounding
    return (
        None if lower is None else (release_only_trimmed(lower[0]), lower[1]),
        None if upper is None else (release_only_trimmed(upper[0]), upper[1]),
    )


def _extra_of(variable: tuple[Any, ...]) -> str | None:
    return variable[1] if variable[0] == EXTRA else None


@lru_cache(maxsize=1024)
def _parse_environment_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _environment_version(environment: Mapping[str, str], key: str) -> Version | None:
    text = environment.get(key)
    if text is None and key == "python_full_version":
        text = environment.get("python_version")
    return None if text is None else _parse_environment_version(text)


def _evaluate(
    node: int,
    environment: Mapping[str, str],
    extras: frozenset[str | None],
    lists: tuple[frozenset[str | None], frozenset[str | None]] | None,
) -> bool:
    while node > FALSE:
        variable = INTERNER.variable(node)
        children = INTERNER.children(node)
        kind = variable[0]
        if kind <= VERSION:
            value: Any
            if kind == STRING:
                value = environment.get(STRING_KEYS[variable[1]], "")
            elif kind == VERSION_STRING:
                value = _parse_environment_version(environment.get(STRING_KEYS[variable[1]], ""))
            else:
                value = _environment_version(environment, VERSION_KEYS[variable[1]])
            if value is None:
                return False
            for interval, child in children:
                if interval.contains(value):
                    node = child
                    break
            else:
                return False
            continue
        if kind == IN:
            holds = environment.get(STRING_KEYS[variable[1]], "") in variable[2]
        elif kind == CONTAINS:
            holds = variable[2] in environment.get(STRING_KEYS[variable[1]], "")
        elif kind == EXTRA:
            holds = variable[1] in extras
        elif lists is None:
            holds = False
        elif variable[1] == 2:
            return False
        else:
            holds = variable[3] in lists[variable[1]]
        node = children[0] if holds else children[1]
    return node == TRUE


def _compare(left: int, right: int) -> int:
    if left == right:
        return 0
    left_rank = left if left <= FALSE else _KIND_RANK[INTERNER.variable(left)[0]]
    right_rank = right if right <= FALSE else _KIND_RANK[INTERNER.variable(right)[0]]
    if left_rank != right_rank:
        return -1 if left_rank < right_rank else 1
    left_variable, right_variable = INTERNER.variable(left), INTERNER.variable(right)
    if left_variable != right_variable:
        return -1 if left_variable < right_variable else 1
    left_children, right_children = INTERNER.children(left), INTERNER.children(right)
    if left_variable[0] <= VERSION:
        for (left_range, left_child), (right_range, right_child) in zip(
            left_children, right_children, strict=False
        ):
            order = left_range.compare(right_range) or _compare(left_child, right_child)
            if order:
                return order
        return (len(left_children) > len(right_children)) - (
            len(left_children) < len(right_children)
        )
    return _compare(left_children[0], right_children[0]) or _compare(
        left_children[1], right_children[1]
    )
