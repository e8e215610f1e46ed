"""Printing a marker node the way uv prints it (uv.lock, `pip compile --universal`, errors).

uv extracts a sum-of-products cover from the decision diagram (the Minato-Morreale ISOP
recurrence, extended to interval-valued variables), turns each single-variable guard back into
comparisons, sorts terms by kind, and finally factors shared prefixes and suffixes:
`A and B or A and C` is written `A and (B or C)`. A marker that is always false is written
`python_version < '0'`.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Any

from puv.core.marker_algebra import (
    CONTAINS,
    EXTRA,
    FALSE,
    IN,
    INTERNER,
    LIST,
    LIST_KEYS,
    STRING_KEYS,
    TRUE,
    VERSION,
    VERSION_KEYS,
    VERSION_STRING,
    Variable,
    edges_from_range,
)
from puv.core.version_ranges import Bound, Ranges, make_version, release_bounds_to_specifiers

# A term is a tuple:
#   ("v", version key index, operator, Version)   operators include "==*" / "!=*"
#   ("s", string key index, operator, value)      operators include "contains" / "not contains"
#   ("x", extra name, "==" | "!=")
#   ("l", list variable, "in" | "not in")
Term = tuple[Any, ...]
Clause = list[Term]
# A cover is ("false",), ("true",), ("guard", node) or ("branches", ((guard, cover), ...)); a
# guard is ("node", node) or ("edge", node, child): the outcomes of `node` that lead to `child`.
Cover = tuple[Any, ...]
Guard = tuple[Any, ...]

FALSE_TEXT = "python_version < '0'"
_FALSE_COVER: Cover = ("false",)
_TRUE_COVER: Cover = ("true",)
#: The position of each string key in uv's expression-kind order (alphabetical by name).
_STRING_KIND = {index: sorted(STRING_KEYS).index(key) for index, key in enumerate(STRING_KEYS)}


@lru_cache(maxsize=16384)
def marker_text(node_id: int) -> str | None:
    """uv's text for a marker: `None` when it is always true."""
    if node_id == TRUE:
        return None
    if node_id == FALSE:
        return FALSE_TEXT
    return _factored(to_dnf(node_id))


def to_dnf(node_id: int) -> list[Clause]:
    """The sorted sum-of-products form of a marker node, as uv extracts it."""
    dnf: list[Clause] = []
    _collect_cover(isop(node_id), dnf, [])
    for clause in dnf:
        clause.sort(key=term_kind)
    dnf.sort(key=lambda clause: [term_kind(term) for term in clause])
    return dnf


def term_kind(term: Term) -> tuple[int, int]:
    """uv's sort key for a term: versions, then strings by key name, then lists, then extras."""
    tag = term[0]
    if tag == "v":
        return (0, term[1])
    if tag == "s":
        return (2, _STRING_KIND[term[1]])
    if tag == "l":
        return (3, _list_key(term[1]))
    return (4, 0)


def _list_key(variable: Variable) -> int:
    return int(variable[1] if variable[1] < 2 else variable[2])


def _quoted(value: str) -> str:
    quote = '"' if "'" in value else "'"
    return f"{quote}{value}{quote}"


def format_term(term: Term) -> str:
    """One comparison as uv writes it."""
    tag = term[0]
    if tag == "v":
        key, operator, version = VERSION_KEYS[term[1]], term[2], term[3]
        if operator in ("==*", "!=*"):
            return f"{key} {operator[:-1]} '{version}.*'"
        return f"{key} {operator} '{version}'"
    if tag == "s":
        key, operator, value = STRING_KEYS[term[1]], term[2], _quoted(term[3])
        if operator in ("contains", "not contains"):
            return f"{value} {operator.replace('contains', 'in')} {key}"
        return f"{key} {operator} {value}"
    if tag == "x":
        return f"extra {term[2]} '{term[1]}'"
    variable = term[1]
    return f"{_quoted(variable[3])} {term[2]} {LIST_KEYS[_list_key(variable)]}"


# Factoring.


def _disjunction(clauses: list[Any]) -> str:
    several = len(clauses) > 1
    return " or ".join(
        f"({' and '.join(map(format_term, clause))})"
        if several and len(clause) > 1
        else " and ".join(map(format_term, clause))
        for clause in clauses
    )


def _operand(clauses: list[Any]) -> str:
    return _disjunction(clauses) if len(clauses) == 1 else f"({_disjunction(clauses)})"


def _factored(clauses: list[Clause]) -> str:
    """Group clauses by shared prefix, then prefixes by shared suffixes (uv's `write_marker`)."""
    if len(clauses) < 2 or all(len(clause) == 1 for clause in clauses):
        return _disjunction(clauses)
    by_first: dict[Term, list[Clause]] = {}
    for clause in clauses:
        by_first.setdefault(clause[0], []).append(clause)
    shared_prefix = len(by_first) < len(clauses)
    by_suffixes: dict[tuple[tuple[Term, ...], ...], list[Clause]] = {}
    for group in by_first.values():
        first = group[0]
        prefix_length = 1 if len(group) == 1 else len(first)
        for clause in group[1:]:
            common = 0
            for left, right in zip(first[:prefix_length], clause, strict=False):
                if left != right:
                    break
                common += 1
            prefix_length = common
        suffixes = tuple(tuple(clause[prefix_length:]) for clause in group)
        if any(not suffix for suffix in suffixes):
            suffixes = ()
        by_suffixes.setdefault(suffixes, []).append(first[:prefix_length])
    shared_suffix = any(
        suffixes and len(prefixes) > 1 for suffixes, prefixes in by_suffixes.items()
    )
    if not shared_prefix and not shared_suffix:
        return _disjunction(clauses)
    return " or ".join(
        _disjunction(prefixes)
        if not suffixes
        else f"{_operand(prefixes)} and {_operand(list(suffixes))}"
        for suffixes, prefixes in by_suffixes.items()
    )


# Cover extraction.


def isop(node_id: int) -> Cover:
    """A sum-of-products cover of a marker, extracted without enumerating its paths."""
    return _isop(node_id, node_id, {})[1]


def _isop(
    lower: int, upper: int, cache: dict[tuple[int, int], tuple[int, Cover]]
) -> tuple[int, Cover]:
    """A cover and its function `f` with `lower => f => upper` (the interval gives don't-cares)."""
    if lower == FALSE:
        return FALSE, _FALSE_COVER
    if upper == TRUE:
        return TRUE, _TRUE_COVER
    found = cache.get((lower, upper))
    if found is not None:
        return found
    interner = INTERNER
    exact = lower == upper
    if exact:
        variable, edges = interner.node(lower)
        children = [child for _, child in edges] if variable[0] <= VERSION else list(edges)
        if all(child <= FALSE for child in children):
            return lower, ("guard", lower)
    cofactors = _cover_cofactors(lower, upper)
    common_upper = TRUE
    for _, _, cofactor_upper in cofactors:
        common_upper = interner.and_(common_upper, cofactor_upper)
    common_lower = FALSE
    function = FALSE
    branches: dict[int, tuple[Guard, Cover]] = {}
    for guard, cofactor_lower, cofactor_upper in cofactors:
        required = interner.and_(cofactor_lower, common_upper ^ 1)
        specific, cover = _isop(required, cofactor_upper, cache)
        common_lower = interner.or_(common_lower, interner.and_(cofactor_lower, specific ^ 1))
        if specific == FALSE:
            continue
        if not exact:
            term = interner.and_(_guard_node(guard), specific)
            function = interner.or_(function, term)
        existing = branches.get(specific)
        if existing is None:
            branches[specific] = (guard, cover)
        else:
            merged = interner.or_(_guard_node(existing[0]), _guard_node(guard))
            branches[specific] = (("node", merged), existing[1])
    common, cover = _isop(common_lower, common_upper, cache)
    function = lower if exact else interner.or_(function, common)
    if common != FALSE:
        branches[common] = (("node", TRUE), cover)
    result = (function, ("branches", tuple(branches.values())))
    cache[(lower, upper)] = result
    return result


def _guard_node(guard: Guard) -> int:
    """The single-variable node a guard stands for."""
    if guard[0] == "node":
        return int(guard[1])
    _, node_id, child = guard
    variable, edges = INTERNER.node(node_id)
    flip = node_id & 1
    if variable[0] > VERSION:
        high_is_child = edges[0] ^ flip == child
        return INTERNER.create_node(variable, (TRUE, FALSE) if high_is_child else (FALSE, TRUE))
    ranges: Ranges[Any] = Ranges.empty()
    for interval, candidate in edges:
        if candidate ^ flip == child:
            ranges = ranges.union(interval)
    return INTERNER.create_node(variable, edges_from_range(ranges))


def _cover_cofactors(lower: int, upper: int) -> list[tuple[Guard, int, int]]:
    """Split the first variable of the interval into guards with their lower/upper cofactors."""
    interner = INTERNER
    if lower == upper:
        variable, edges = interner.node(lower)
        flip = lower & 1
        if variable[0] > VERSION:
            return [
                (("edge", lower, child), child, child)
                for child in (edges[1] ^ flip, edges[0] ^ flip)
            ]
        distinct = dict.fromkeys(child ^ flip for _, child in edges)
        return [(("edge", lower, child), child, child) for child in distinct]
    lower_variable, lower_edges = interner.node(lower)
    upper_variable, upper_edges = interner.node(upper)
    variable = min(lower_variable, upper_variable)
    if variable[0] > VERSION:
        lower_low, lower_high = (
            (lower_edges[1] ^ (lower & 1), lower_edges[0] ^ (lower & 1))
            if lower_variable == variable
            else (lower, lower)
        )
        upper_low, upper_high = (
            (upper_edges[1] ^ (upper & 1), upper_edges[0] ^ (upper & 1))
            if upper_variable == variable
            else (upper, upper)
        )
        guard = interner.create_node(variable, (TRUE, FALSE))
        return [
            (("node", guard ^ 1), lower_low, upper_low),
            (("node", guard), lower_high, upper_high),
        ]
    regions = _range_cofactors(
        lower,
        lower_edges if lower_variable == variable else None,
        upper,
        upper_edges if upper_variable == variable else None,
    )
    result: list[tuple[Guard, int, int]] = []
    for ranges, cofactor_lower, cofactor_upper in regions:
        if cofactor_lower == FALSE:
            result.append((("node", FALSE), cofactor_lower, cofactor_upper))
        else:
            guard = interner.create_node(variable, edges_from_range(ranges))
            result.append((("node", guard), cofactor_lower, cofactor_upper))
    return result


def _range_cofactors(
    lower: int, lower_edges: Any, upper: int, upper_edges: Any
) -> list[tuple[Ranges[Any], int, int]]:
    """Intersect two sorted partitions, grouping the regions that share cofactors."""
    full: Ranges[Any] = Ranges.full()
    left, left_flip = (((full, lower),), 0) if lower_edges is None else (lower_edges, lower & 1)
    right, right_flip = (((full, upper),), 0) if upper_edges is None else (upper_edges, upper & 1)
    regions: dict[tuple[int, int], Ranges[Any]] = {}
    i = j = 0
    while i < len(left) and j < len(right):
        left_range, left_child = left[i]
        right_range, right_child = right[j]
        intersection = left_range.intersection(right_range)
        if intersection.segments:
            key = (left_child ^ left_flip, right_child ^ right_flip)
            previous = regions.get(key)
            regions[key] = intersection if previous is None else previous.union(intersection)
        order = _compare_ends(left_range.segments[-1][1], right_range.segments[-1][1])
        if order <= 0:
            i += 1
        if order >= 0:
            j += 1
    return [(ranges, low, high) for (low, high), ranges in regions.items()]


def _compare_ends(left: Bound, right: Bound) -> int:
    if left is None:
        return 0 if right is None else 1
    if right is None:
        return -1
    if left[0] != right[0]:
        return -1 if left[0] < right[0] else 1
    if left[1] == right[1]:
        return 0
    return 1 if left[1] else -1


# Cover expansion.


def _collect_cover(cover: Cover, dnf: list[Clause], path: Clause) -> None:
    kind = cover[0]
    if kind == "true":
        if path:
            dnf.append(list(path))
    elif kind == "guard":
        _collect_guard(("node", cover[1]), _TRUE_COVER, dnf, path)
    elif kind == "branches":
        for guard, suffix in cover[1]:
            _collect_guard(guard, suffix, dnf, path)


def _collect_guard(guard: Guard, suffix: Cover, dnf: list[Clause], path: Clause) -> None:
    node_id, child = (guard[1], TRUE) if guard[0] == "node" else (guard[1], guard[2])
    if node_id == FALSE:
        return
    if node_id == TRUE:
        _collect_cover(suffix, dnf, path)
        return
    variable = INTERNER.variable(node_id)
    children = INTERNER.children(node_id)
    kind = variable[0]
    if kind > VERSION:
        high, low = children
        for outcome, positive in ((high, True), (low, False)):
            if outcome == child:
                path.append(_boolean_term(variable, positive))
                _collect_cover(suffix, dnf, path)
                path.pop()
        return
    ranges: Ranges[Any] = Ranges.empty()
    for interval, outcome in children:
        if outcome == child:
            ranges = ranges.union(interval)
    key = variable[1]
    if kind == VERSION_STRING:
        for lower, upper in ranges.segments:
            depth = len(path)
            path.extend(("s", key, op, value) for op, value in _string_bounds(lower, upper, str))
            _collect_cover(suffix, dnf, path)
            del path[depth:]
        return
    tag = "v" if kind == VERSION else "s"
    excluded = _range_inequality(ranges)
    if excluded is not None:
        depth = len(path)
        path.extend((tag, key, "!=", value) for value in excluded)
        _collect_cover(suffix, dnf, path)
        del path[depth:]
        return
    if kind == VERSION:
        star = _not_equal_star(ranges)
        if star is not None:
            path.append((tag, key, "!=*", star))
            _collect_cover(suffix, dnf, path)
            path.pop()
            return
    for lower, upper in ranges.segments:
        depth = len(path)
        if kind == VERSION:
            path.extend(
                (tag, key, op, version)
                for op, version in release_bounds_to_specifiers(lower, upper)
            )
        else:
            path.extend((tag, key, op, value) for op, value in _string_bounds(lower, upper, None))
        _collect_cover(suffix, dnf, path)
        del path[depth:]


def _boolean_term(variable: Variable, positive: bool) -> Term:
    kind = variable[0]
    if kind == IN:
        return ("s", variable[1], "in" if positive else "not in", variable[2])
    if kind == CONTAINS:
        return ("s", variable[1], "contains" if positive else "not contains", variable[2])
    if kind == EXTRA:
        return ("x", variable[1], "==" if positive else "!=")
    assert kind == LIST
    return ("l", variable, "in" if positive else "not in")


def _range_inequality(ranges: Ranges[Any]) -> list[Any] | None:
    """The excluded values if `ranges` is everything but a few points (`!= a and != b`)."""
    segments = ranges.segments
    if not segments or segments[0][0] is not None or segments[-1][1] is not None:
        return None
    excluded = []
    for (_, end), (start, _) in itertools.pairwise(segments):
        if end is None or start is None or end[1] or start[1] or end[0] != start[0]:
            return None
        excluded.append(end[0])
    return excluded


def _not_equal_star(ranges: Ranges[Any]) -> Any:
    """The `V` of `!= 'V.*'` if `ranges` is `< V or >= V+1` in the last release segment."""
    segments = ranges.segments
    if len(segments) != 2:
        return None
    (first_lower, first_upper), (second_lower, second_upper) = segments
    if first_lower is not None or second_upper is not None:
        return None
    if first_upper is None or first_upper[1] or second_lower is None or not second_lower[1]:
        return None
    low, high = first_upper[0], second_lower[0]
    trimmed = list(low.release)
    while len(trimmed) > 1 and trimmed[-1] == 0:
        trimmed.pop()
    if len(trimmed) == 1 and high.release == (trimmed[0], 1):
        return make_version((trimmed[0], 0))
    if len(trimmed) == 2 and high.release == (trimmed[0], trimmed[1] + 1):
        return low
    return None


def _string_bounds(lower: Bound, upper: Bound, convert: Any) -> list[tuple[str, Any]]:
    """The string comparisons for one interval (`convert` turns version bounds into text)."""
    if convert is not None:
        lower = None if lower is None else (convert(lower[0]), lower[1])
        upper = None if upper is None else (convert(upper[0]), upper[1])
    if lower is not None and upper is not None and lower[0] == upper[0]:
        if lower[1] and upper[1]:
            return [("==", lower[0])]
        if not lower[1] and not upper[1]:
            return [("!=", lower[0])]
    result = []
    if lower is not None:
        result.append((">=" if lower[1] else ">", lower[0]))
    if upper is not None:
        result.append(("<=" if upper[1] else "<", upper[0]))
    return result
