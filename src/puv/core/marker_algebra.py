"""Markers as reduced, ordered decision diagrams with complemented edges, as uv builds them.

A node tests one variable and has one child per outcome: a partition of the value line into
intervals for version and string variables (`python_full_version`, `sys_platform`, ...), or a
high/low pair for boolean variables (`'x' in os_name`, `extra == 'x'`). Variables appear in a fixed
order on every path (uv's order, which also fixes the printed form), isomorphic nodes are shared
through one interner and nodes whose children are all equal are removed, so two markers that mean
the same thing are the same node id. Node ids carry a complement bit in their lowest bit: `not` is
`id ^ 1`, `TRUE` is 0 and `FALSE` is 1, and `or` is `and` through De Morgan.

As in uv, `python_version` is lowered to `python_full_version`, `platform_system` values that map
one-to-one to `sys_platform` are lowered to it, and `platform_release` comparisons are version
comparisons on macOS. Platform combinations that never occur (`os_name == 'nt'` on Linux, ...) are
don't-cares: `canonicalize` picks one diagram for markers that agree on every possible platform,
which is what the public operations return.

The interner is a process-wide cache (`INTERNER`); node ids are only meaningful within it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from packaging.version import Version

from puv.core.marker_parse import (
    Expression,
    ExtraExpr,
    ListExpr,
    StringExpr,
    VersionExpr,
    VersionInExpr,
    parse_version_comparison,
)
from puv.core.version_ranges import (
    Bound,
    Ranges,
    intersect_segments,
    make_version,
    release_only,
    release_range,
)

TRUE = 0
FALSE = 1

# Variables are tuples that sort in uv's decision order; the first element is the kind:
STRING = 0  # (STRING, string key index): sys_platform == 'linux', ...
VERSION_STRING = 1  # (VERSION_STRING, string key index): platform_release as a version (macOS)
VERSION = 2  # (VERSION, version key index): python_full_version, implementation_version
IN = 3  # (IN, string key index, value): `<key> in '<value>'`
CONTAINS = 4  # (CONTAINS, string key index, value): `'<value>' in <key>`
EXTRA = 5  # (EXTRA, name): `extra == '<name>'`
LIST = 6  # (LIST, 0 | 1 | 2, list key index, value): `'<value>' in extras|dependency_groups`
# The children of the first three kinds are `((single-interval Ranges, child id), ...)` sorted by
# interval, those of the boolean kinds `(high, low)`.

#: String keys in decision order; the first three are the platform keys of the exclusion table.
STRING_KEYS = (
    "os_name",
    "sys_platform",
    "platform_system",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_version",
    "implementation_name",
)
VERSION_KEYS = ("implementation_version", "python_full_version")
LIST_KEYS = ("extras", "dependency_groups")
PYTHON_FULL_VERSION = (VERSION, 1)
_STRING_INDEX = {key: index for index, key in enumerate(STRING_KEYS)}
_VERSION_INDEX = {key: index for index, key in enumerate(VERSION_KEYS)}
_SYS_PLATFORM = _STRING_INDEX["sys_platform"]
_PLATFORM_RELEASE = _STRING_INDEX["platform_release"]
_LEXICAL_KEYS = frozenset({_PLATFORM_RELEASE, _STRING_INDEX["platform_version"]})
_PLATFORM_SYSTEM_TO_SYS_PLATFORM = {
    "Windows": "win32",
    "Darwin": "darwin",
    "Linux": "linux",
    "AIX": "aix",
    "Emscripten": "emscripten",
    "Android": "android",
}
# Node flags: the node tests a platform key; it also has a child that tests one.
_PLATFORM_KEY = 1
_MIXED_KEYS = 2

Variable = tuple[Any, ...]
Edges = Any
Function = Callable[[int, int], int]


def _children(variable: Variable, edges: Edges) -> list[int]:
    if variable[0] <= VERSION:
        return [child for _, child in edges]
    return list(edges)


def _not_edges(variable: Variable, edges: Edges) -> Edges:
    if variable[0] <= VERSION:
        return tuple((interval, child ^ 1) for interval, child in edges)
    return (edges[0] ^ 1, edges[1] ^ 1)


def _can_conjoin(left: Ranges[Any], right: Ranges[Any]) -> bool:
    end = left.segments[-1][1]
    start = right.segments[0][0]
    if end is None or start is None:
        return False
    return end[1] != start[1] and end[0] == start[0]


def _join(left: Ranges[Any], right: Ranges[Any]) -> Ranges[Any]:
    """The union of two single intervals that `_can_conjoin` (what `Ranges.union` returns)."""
    return Ranges(((left.segments[0][0], right.segments[0][1]),))


def _map_edges(
    variable: Variable, edges: Edges, parent: int, function: Callable[[int], int]
) -> Edges:
    """Apply `function` to each child (complemented by `parent`), merging equal neighbours."""
    flip = parent & 1
    if variable[0] > VERSION:
        low = function(edges[1] ^ flip)
        return (function(edges[0] ^ flip), low)
    mapped: list[tuple[Ranges[Any], int]] = []
    for interval, child in edges:
        child = function(child ^ flip)
        if mapped and mapped[-1][1] == child and _can_conjoin(mapped[-1][0], interval):
            mapped[-1] = (_join(mapped[-1][0], interval), child)
        else:
            mapped.append((interval, child))
    return tuple(mapped)


def _start_key(interval: Ranges[Any]) -> tuple[Any, ...]:
    lower = interval.segments[0][0]
    return (0,) if lower is None else (1, lower[0], 0 if lower[1] else 1)


def edges_from_range(ranges: Ranges[Any]) -> tuple[tuple[Ranges[Any], int], ...]:
    """One `TRUE` child per interval of `ranges` and one `FALSE` child per gap, in order."""
    edges: list[tuple[Ranges[Any], int]] = [
        (Ranges((segment,)), TRUE) for segment in ranges.segments
    ]
    edges += [(Ranges((segment,)), FALSE) for segment in ranges.complement().segments]
    edges.sort(key=lambda edge: _start_key(edge[0]))
    return tuple(edges)


def _from_bool(true_is_high: bool) -> tuple[int, int]:
    return (TRUE, FALSE) if true_is_high else (FALSE, TRUE)


def python_version_to_full_version(operator: str, version: Version) -> tuple[str, Version] | int:
    """The `python_full_version` comparison equal to a `python_version` one, or TRUE/FALSE.

    `python_version` only takes `X.Y` values, so `== '3.9'` is `== '3.9.*'`, `> '3.9'` is
    `>= '3.10'`, `<= '3.9'` is `< '3.10'`, and `== '3.9.1'` can never hold.
    """
    release = version.release
    if operator in ("==*", "!=*"):
        if len(release) == 1:
            return (operator, version)
        if all(segment == 0 for segment in release[2:]):
            return (operator, make_version(release[:2]))
        return FALSE
    if operator == "~=":
        if len(release) == 2:
            return (operator, version)
        if all(segment == 0 for segment in release[2:]):
            return ("==*", make_version(release[:2]))
        return FALSE
    trimmed = list(release)
    while len(trimmed) > 1 and trimmed[-1] == 0:
        trimmed.pop()
    if len(trimmed) <= 2:
        major, minor = trimmed[0], trimmed[1] if len(trimmed) == 2 else 0
        if operator in ("==", "==="):
            return ("==*", make_version((major, minor)))
        if operator == "!=":
            return ("!=*", make_version((major, minor)))
        if operator == ">":
            return (">=", make_version((major, minor + 1)))
        if operator == "<=":
            return ("<", make_version((major, minor + 1)))
        if major == 0 and minor == 0:
            return FALSE if operator == "<" else TRUE
        return (operator, version)
    major, minor = release[0], release[1]
    if operator in ("==", "==="):
        return FALSE
    if operator == "!=":
        return TRUE
    if operator in ("<", "<="):
        return ("<", make_version((major, minor + 1)))
    return (">=", make_version((major, minor + 1)))


def _string_range(key_index: int, operator: str, value: str) -> Ranges[str]:
    if key_index in _LEXICAL_KEYS:
        if operator == ">":
            return Ranges.strictly_higher_than(value)
        if operator == ">=":
            return Ranges.higher_than(value)
        if operator == "<":
            return Ranges.strictly_lower_than(value)
        if operator == "<=":
            return Ranges.lower_than(value)
    if operator == "!=":
        return Ranges.singleton(value).complement()
    if operator in (">", "<"):
        # Ordering comparisons of plain strings never hold; `>=`/`<=` mean equality.
        return Ranges.empty()
    return Ranges.singleton(value)


class Interner:
    """The store of unique nodes and the memoized operations over them."""

    def __init__(self) -> None:
        self._variables: list[Variable] = []
        self._edges: list[Edges] = []
        self._flags: list[int] = []
        self._unique: dict[tuple[Variable, Edges], int] = {}
        self._and_cache: dict[tuple[int, int], int] = {}
        self._disjoint_cache: dict[tuple[int, int], bool] = {}
        self._canonical: dict[int, int] = {}
        self._exclusions: int | None = None
        self._lock = threading.Lock()

    # Nodes.

    def node(self, node_id: int) -> tuple[Variable, Edges]:
        """The variable and the stored (uncomplemented) children of a non-terminal node."""
        index = (node_id >> 1) - 1
        return self._variables[index], self._edges[index]

    def variable(self, node_id: int) -> Variable:
        """The variable a non-terminal node tests."""
        return self._variables[(node_id >> 1) - 1]

    def children(self, node_id: int) -> Edges:
        """The children of a node, with the node's complement applied to them."""
        index = (node_id >> 1) - 1
        variable, edges = self._variables[index], self._edges[index]
        return _not_edges(variable, edges) if node_id & 1 else edges

    def _tests_platform_key(self, node_id: int) -> bool:
        return node_id > FALSE and bool(self._flags[(node_id >> 1) - 1] & _PLATFORM_KEY)

    def _mixes_platform_keys(self, node_id: int) -> bool:
        return node_id > FALSE and bool(self._flags[(node_id >> 1) - 1] & _MIXED_KEYS)

    def create_node(self, variable: Variable, edges: Edges) -> int:
        """The id of the node with these children, applying the reduction rules."""
        children = _children(variable, edges)
        first = children[0]
        flipped = first & 1
        if flipped:
            edges = _not_edges(variable, edges)
            first ^= 1
        if all(child ^ flipped == first for child in children):
            return first ^ flipped
        key = (variable, edges)
        found = self._unique.get(key)
        if found is None:
            with self._lock:
                found = self._unique.get(key)
                if found is None:
                    flags = 0
                    if variable[0] == STRING and variable[1] <= 2:
                        flags = _PLATFORM_KEY
                        if any(self._tests_platform_key(c) for c in _children(variable, edges)):
                            flags |= _MIXED_KEYS
                    self._variables.append(variable)
                    self._edges.append(edges)
                    self._flags.append(flags)
                    found = len(self._variables) << 1
                    self._unique[key] = found
        return found ^ flipped

    # Expressions.

    def expression(self, expression: Expression) -> int:
        """The node for one parsed comparison."""
        if isinstance(expression, VersionExpr):
            operator, version = expression.operator, release_only(expression.version)
            if expression.key == "python_version":
                lowered = python_version_to_full_version(operator, version)
                if isinstance(lowered, int):
                    return lowered
                operator, version = lowered
                variable: Variable = PYTHON_FULL_VERSION
            else:
                variable = (VERSION, _VERSION_INDEX[expression.key])
            return self.create_node(
                variable, edges_from_range(release_range(operator, version, trim=True))
            )
        if isinstance(expression, VersionInExpr):
            return self._version_in(expression)
        if isinstance(expression, StringExpr):
            return self._string(expression)
        if isinstance(expression, ExtraExpr):
            if expression.name is None:
                return FALSE
            return self.create_node((EXTRA, expression.name), _from_bool(not expression.negated))
        assert isinstance(expression, ListExpr)
        list_index = LIST_KEYS.index(expression.key)
        if expression.valid:
            variable = (LIST, list_index, 0, expression.value)
        else:
            variable = (LIST, 2, list_index, expression.value)
        return self.create_node(variable, _from_bool(not expression.negated))

    def _version_in(self, expression: VersionInExpr) -> int:
        ranges: Ranges[Any] = Ranges.empty()
        if expression.key == "python_version":
            for version in expression.versions:
                lowered = python_version_to_full_version("==", release_only(version))
                if isinstance(lowered, int):
                    return lowered
                ranges = ranges.union(release_range(*lowered, trim=True))
            variable: Variable = PYTHON_FULL_VERSION
        else:
            for version in expression.versions:
                ranges = ranges.union(Ranges.singleton(release_only(version)))
            variable = (VERSION, _VERSION_INDEX[expression.key])
        if expression.negated:
            ranges = ranges.complement()
        return self.create_node(variable, edges_from_range(ranges))

    def _string(self, expression: StringExpr) -> int:
        key, operator, value = expression.key, expression.operator, expression.value
        key_index = _STRING_INDEX[key]
        if operator in ("in", "not in"):
            return self.create_node((IN, key_index, value), _from_bool(operator == "in"))
        if operator in ("contains", "not contains"):
            return self.create_node(
                (CONTAINS, key_index, value), _from_bool(operator == "contains")
            )
        if key == "platform_system" and value in _PLATFORM_SYSTEM_TO_SYS_PLATFORM:
            key_index = _SYS_PLATFORM
            value = _PLATFORM_SYSTEM_TO_SYS_PLATFORM[value]
        string = self.create_node(
            (STRING, key_index), edges_from_range(_string_range(key_index, operator, value))
        )
        if key_index != _PLATFORM_RELEASE:
            return string
        # Darwin kernel releases are dotted versions: compare them as versions there.
        comparison = parse_version_comparison(operator, value)
        if comparison is None:
            return string
        version = self.create_node(
            (VERSION_STRING, key_index),
            edges_from_range(release_range(*comparison, trim=True)),
        )
        darwin = self.string_equals("sys_platform", "darwin")
        version = self.and_(darwin, version)
        string = self.and_(darwin ^ 1, string)
        return self.or_(version, string)

    def string_equals(self, key: str, value: str) -> int:
        """The node for `<key> == '<value>'`."""
        return self._string(StringExpr(key, "==", value))

    # Boolean operations (over the whole domain; see `canonicalize` for platform don't-cares).

    def or_(self, left: int, right: int) -> int:
        """`left or right`."""
        return self.and_(left ^ 1, right ^ 1) ^ 1

    def and_(self, left: int, right: int) -> int:
        """`left and right`."""
        if left == TRUE:
            return right
        if right == TRUE or left == right:
            return left
        if left == FALSE or right == FALSE or left ^ 1 == right:
            return FALSE
        key = (left, right) if left < right else (right, left)
        cached = self._and_cache.get(key)
        if cached is not None:
            return cached
        left_variable, left_edges = self.node(left)
        right_variable, right_edges = self.node(right)
        if left_variable < right_variable:
            variable = left_variable
            edges = _map_edges(variable, left_edges, left, lambda child: self.and_(child, right))
        elif left_variable > right_variable:
            variable = right_variable
            edges = _map_edges(variable, right_edges, right, lambda child: self.and_(child, left))
        else:
            variable = left_variable
            edges = self._apply(variable, left_edges, left, right_edges, right, self.and_)
        result = self.create_node(variable, edges)
        self._and_cache[key] = result
        return result

    @staticmethod
    def _apply(
        variable: Variable,
        left_edges: Edges,
        left_parent: int,
        right_edges: Edges,
        right_parent: int,
        function: Function,
    ) -> Edges:
        """Combine the children of two nodes on the same variable, outcome by outcome."""
        left_flip, right_flip = left_parent & 1, right_parent & 1
        if variable[0] > VERSION:
            return (
                function(left_edges[0] ^ left_flip, right_edges[0] ^ right_flip),
                function(left_edges[1] ^ left_flip, right_edges[1] ^ right_flip),
            )
        # Both sides partition the line in order, so the overlapping pairs, in uv's order (left
        # edges outside, right edges inside), are found by one sweep.
        combined: list[tuple[Ranges[Any], int]] = []
        first = 0
        for left_range, left_child in left_edges:
            left_segment = left_range.segments[0]
            found = False
            for index in range(first, len(right_edges)):
                right_range, right_child = right_edges[index]
                segment = intersect_segments(right_range.segments[0], left_segment)
                if segment is None:
                    if found:
                        break
                    continue
                found = True
                first = index
                intersection: Ranges[Any] = Ranges((segment,))
                child = function(left_child ^ left_flip, right_child ^ right_flip)
                if (
                    combined
                    and combined[-1][1] == child
                    and _can_conjoin(combined[-1][0], intersection)
                ):
                    combined[-1] = (_join(combined[-1][0], intersection), child)
                else:
                    combined.append((intersection, child))
        return tuple(combined)

    def is_disjoint(self, left: int, right: int) -> bool:
        """No possible environment satisfies both markers."""
        if FALSE in (left, right) or left ^ 1 == right:
            return True
        if TRUE in (left, right) or left == right:
            return False
        if self._tests_platform_key(left) and self._tests_platform_key(right):
            return self.canonicalize(self.and_(left, right)) == FALSE
        return self._disjoint_edges(left, right)

    def _disjointness(self, left: int, right: int) -> bool:
        if FALSE in (left, right) or left ^ 1 == right:
            return True
        if TRUE in (left, right) or left == right:
            return False
        return self._disjoint_edges(left, right)

    def _disjoint_edges(self, left: int, right: int) -> bool:
        key = (left, right) if left < right else (right, left)
        cached = self._disjoint_cache.get(key)
        if cached is not None:
            return cached
        left_variable = self.variable(left)
        right_variable = self.variable(right)
        if left_variable < right_variable:
            result = all(
                self._disjointness(child, right)
                for child in _children(left_variable, self.children(left))
            )
        elif left_variable > right_variable:
            result = all(
                self._disjointness(child, left)
                for child in _children(right_variable, self.children(right))
            )
        elif left_variable[0] > VERSION:
            left_high, left_low = self.children(left)
            right_high, right_low = self.children(right)
            result = self._disjointness(left_high, right_high) and self._disjointness(
                left_low, right_low
            )
        else:
            result = all(
                self._disjointness(left_child, right_child)
                for left_range, left_child in self.children(left)
                for right_range, right_child in self.children(right)
                if not right_range.is_disjoint(left_range)
            )
        self._disjoint_cache[key] = result
        return result

    # Platform don't-cares.

    def canonicalize(self, node_id: int) -> int:
        """The one diagram uv picks among those that agree on every possible platform."""
        if not self._mixes_platform_keys(node_id):
            return node_id
        found = self._canonical.get(node_id)
        if found is not None:
            return found
        cache: dict[tuple[int, int], int] = {}
        result = self._platform_cofactor(node_id, self.exclusions() ^ 1, cache)
        if self._mixes_platform_keys(result):
            variable, edges = self.node(result)
            result = self.create_node(
                variable, _map_edges(variable, edges, result, self.canonicalize)
            )
        self._canonical[node_id] = result
        self._canonical[node_id ^ 1] = result ^ 1
        return result

    def _platform_cofactor(self, value: int, domain: int, cache: dict[tuple[int, int], int]) -> int:
        """Extend `value` from the possible platforms to the whole domain (uv's choice)."""
        if domain == TRUE or value <= FALSE or not self._tests_platform_key(value):
            return value
        found = cache.get((value, domain))
        if found is not None:
            return found
        variable, edges = self.node(value)
        platform_variable, platform_edges = self.node(domain)
        default_domain = _children(platform_variable, platform_edges)[0] ^ (domain & 1)
        if variable < platform_variable:
            result = self.create_node(
                variable,
                _map_edges(
                    variable,
                    edges,
                    value,
                    lambda child: self._platform_cofactor(child, domain, cache),
                ),
            )
        elif variable > platform_variable:
            result = self._platform_cofactor(value, default_domain, cache)
        else:
            default_value = _children(variable, edges)[0] ^ (value & 1)
            default = self._platform_cofactor(default_value, default_domain, cache)

            def choose(child: int, enabled: int) -> int:
                if enabled == FALSE or child == default_value:
                    return default
                chosen = self._platform_cofactor(child, enabled, cache)
                if enabled != default_domain and chosen == self._platform_cofactor(
                    default, enabled, cache
                ):
                    return default
                return chosen

            result = self.create_node(
                variable, self._apply(variable, edges, value, platform_edges, domain, choose)
            )
        cache[(value, domain)] = result
        return result

    def exclusions(self) -> int:
        """The union of platform combinations that never occur (`os_name == 'nt'` on Linux, ...)."""
        if self._exclusions is not None:
            return self._exclusions
        equals = self.string_equals
        os_nt, os_posix = equals("os_name", "nt"), equals("os_name", "posix")
        linux, darwin = equals("sys_platform", "linux"), equals("sys_platform", "darwin")
        ios, win32 = equals("sys_platform", "ios"), equals("sys_platform", "win32")
        systems = [
            equals("platform_system", name)
            for name in ("FreeBSD", "NetBSD", "OpenBSD", "SunOS", "iOS", "iPadOS")
        ]
        aix, android, emscripten, cygwin, wasi = (
            equals("sys_platform", name)
            for name in ("aix", "android", "emscripten", "cygwin", "wasi")
        )
        pairs = [(os_nt, linux), (os_nt, darwin), (os_nt, ios), (os_posix, win32)]
        for system in systems:
            for platform in (aix, android, emscripten, ios, linux, darwin, win32, cygwin, wasi):
                if platform == ios and system in (systems[4], systems[5]):
                    continue
                pairs.append((system, platform))
        tree = FALSE
        for first, second in pairs:
            tree = self.or_(tree, self.and_(first, second))
        self._exclusions = tree
        return tree

    # Restrictions.

    def restrict_by(self, node_id: int, decide: Callable[[Variable], bool | None]) -> int:
        """Fix the boolean variables `decide` has a value for, simplifying them away."""
        memo: dict[int, int] = {}

        def visit(current: int) -> int:
            if current <= FALSE:
                return current
            found = memo.get(current)
            if found is not None:
                return found
            variable, edges = self.node(current)
            value = None if variable[0] <= VERSION else decide(variable)
            if value is not None:
                result = visit(edges[0 if value else 1] ^ (current & 1))
            else:
                result = self.create_node(variable, _map_edges(variable, edges, current, visit))
            memo[current] = result
            return result

        return visit(node_id)

    def restrict(self, value: int, assumption: int) -> int:
        """`value` wherever `assumption` holds; anything outside of it (uv's `restrict`)."""
        cache: dict[tuple[int, int], int] = {}

        def visit(value: int, assumption: int) -> int:
            if assumption == TRUE or value <= FALSE:
                return value
            if assumption == FALSE:
                return FALSE
            if value == assumption:
                return TRUE
            if value == assumption ^ 1:
                return FALSE
            found = cache.get((value, assumption))
            if found is not None:
                return found
            value_variable, value_edges = self.node(value)
            assumption_variable, assumption_edges = self.node(assumption)
            if value_variable < assumption_variable:
                result = self.create_node(
                    value_variable,
                    _map_edges(value_variable, value_edges, value, lambda c: visit(c, assumption)),
                )
            elif value_variable > assumption_variable:
                result = visit(value, self._quantify(assumption))
            else:
                fallback: list[int] = []

                def first_reachable(value: int, assumption: int) -> int:
                    if assumption == FALSE:
                        return FALSE
                    result = visit(value, assumption)
                    if not fallback:
                        fallback.append(result)
                    return result

                self._apply(
                    value_variable,
                    value_edges,
                    value,
                    assumption_edges,
                    assumption,
                    first_reachable,
                )
                if not fallback:
                    return FALSE

                def reachable(value: int, assumption: int) -> int:
                    return fallback[0] if assumption == FALSE else visit(value, assumption)

                result = self.create_node(
                    value_variable,
                    self._apply(
                        value_variable, value_edges, value, assumption_edges, assumption, reachable
                    ),
                )
            cache[(value, assumption)] = result
            return result

        return visit(value, assumption)

    def _quantify(self, node_id: int) -> int:
        """The disjunction of a node's children (its variable existentially quantified out)."""
        result = FALSE
        for child in _children(self.variable(node_id), self.children(node_id)):
            result = self.or_(result, child)
        return result

    def without_extras(self, node_id: int) -> int:
        """The marker with its `extra` tests quantified out (true if nothing else is left)."""
        memo: dict[int, int] = {}

        def visit(current: int) -> int:
            if current <= FALSE:
                return current
            found = memo.get(current)
            if found is not None:
                return found
            variable, edges = self.node(current)
            if variable[0] == EXTRA:
                quantified = self._quantify(current)
                result = TRUE if quantified == TRUE else visit(quantified)
            else:
                result = self.create_node(variable, _map_edges(variable, edges, current, visit))
            memo[current] = result
            return result

        return visit(node_id)

    def only_extras(self, node_id: int) -> int:
        """The marker with every non-`extra` test quantified out."""
        if node_id <= FALSE:
            return node_id
        variable, edges = self.node(node_id)
        if variable[0] != EXTRA:
            quantified = self._quantify(node_id)
            return TRUE if quantified == TRUE else self.only_extras(quantified)
        return self.create_node(variable, _map_edges(variable, edges, node_id, self.only_extras))

    # requires-python.

    def simplify_python_versions(self, node_id: int, lower: Bound, upper: Bound) -> int:
        """Assume `lower <= python_full_version <= upper` (uv's lock-file simplification)."""
        if node_id <= FALSE or (lower is None and upper is None):
            return node_id
        python_range: Ranges[Any] = Ranges.from_bounds(lower, upper)
        memo: dict[int, int] = {}

        def visit(current: int) -> int:
            if current <= FALSE:
                return current
            found = memo.get(current)
            if found is not None:
                return found
            variable, edges = self.node(current)
            if variable != PYTHON_FULL_VERSION:
                result = self.create_node(variable, _map_edges(variable, edges, current, visit))
            elif not python_range.segments:
                result = FALSE
            else:
                kept = []
                for interval, child in edges:
                    overlap = interval.intersection(python_range)
                    if overlap.segments:
                        kept.append((overlap, child))
                first_range, first_child = kept[0]
                kept[0] = (Ranges(((None, first_range.segments[-1][1]),)), first_child)
                last_range, last_child = kept[-1]
                kept[-1] = (Ranges(((last_range.segments[0][0], None),)), last_child)
                result = self.create_node(variable, tuple(kept)) ^ (current & 1)
            memo[current] = result
            return result

        return visit(node_id)

    def complexify_python_versions(self, node_id: int, lower: Bound, upper: Bound) -> int:
        """Make `lower <= python_full_version <= upper` explicit again (undoes `simplify`)."""
        if node_id == FALSE or (lower is None and upper is None):
            return node_id
        versions = self.create_node(
            PYTHON_FULL_VERSION, edges_from_range(Ranges.from_bounds(lower, upper))
        )
        return self.and_(node_id, versions)


INTERNER = Interner()
