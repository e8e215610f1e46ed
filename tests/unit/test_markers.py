"""Marker algebra: canonical form, printed text, evaluation, requires-python simplification.

Expected strings are what uv 0.13.9 prints for the same markers (its own unit tests and observed
`uv.lock` / `pip compile --universal` output); `test_markers_vs_uv.py` checks many more against the
real binary. The Hypothesis properties check the algebra against evaluation on environments.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puv.core.errors import PuvError
from puv.core.markers import Marker, MarkerSyntaxError


def m(text: str) -> Marker:
    return Marker.parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("python_version < '3.12'", "python_full_version < '3.12'"),
        (
            "sys_platform == 'linux' and python_version >= '3.12'",
            "python_full_version >= '3.12' and sys_platform == 'linux'",
        ),
        ("python_version == '3.9'", "python_full_version == '3.9.*'"),
        ("python_version > '3.8'", "python_full_version >= '3.9'"),
        ("python_version <= '3.8'", "python_full_version < '3.9'"),
        ("python_version != '3.9'", "python_full_version != '3.9.*'"),
        ("python_version == '3.*'", "python_full_version >= '3' and python_full_version < '4'"),
        ("python_version ~= '3.9.0'", "python_full_version == '3.9.*'"),
        ("python_full_version >= '3.13.0b1'", "python_full_version >= '3.13'"),
        ("python_full_version != '3.8.1'", "python_full_version != '3.8.1'"),
        ("platform_system == 'Windows'", "sys_platform == 'win32'"),
        ("platform_system != 'Darwin'", "sys_platform != 'darwin'"),
        (
            "os.name == 'posix' and sys.platform == 'linux'",
            "os_name == 'posix' and sys_platform == 'linux'",
        ),
        ("'linux' == sys_platform", "sys_platform == 'linux'"),
        ("'3.8' >= python_version", "python_full_version < '3.9'"),
        ("'nux' in sys_platform", "'nux' in sys_platform"),
        ("sys_platform in 'linux win32'", "sys_platform in 'linux win32'"),
        ("os_name >= 'a'", "os_name == 'a'"),
        ("extra == 'Foo_Bar'", "extra == 'foo-bar'"),
        ('platform_version == "vendor\'s"', 'platform_version == "vendor\'s"'),
        (
            "python_version not in '3.9 3.11'",
            "python_full_version < '3.9' or python_full_version == '3.10.*' "
            "or python_full_version >= '3.12'",
        ),
        (
            "(sys_platform == 'linux' or sys_platform == 'darwin') and python_version >= '3.10'",
            "python_full_version >= '3.10' and (sys_platform == 'darwin' or sys_platform == 'linux')",
        ),
        (
            "(os_name == 'nt' and sys_platform == 'win32') or (os_name != 'nt' and platform_version == '1'"
            " and (sys_platform == 'win32' or sys_platform == 'win64'))",
            "os_name != 'nt' and platform_version == '1' and sys_platform == 'win64' "
            "or (os_name == 'nt' or platform_version == '1') and sys_platform == 'win32'",
        ),
        (
            "platform_release >= '5.0'",
            "(platform_release >= '5.0' and sys_platform != 'darwin') "
            "or (platform_release >= '5' and sys_platform == 'darwin')",
        ),
        ("os_name == 'nt' and sys_platform == 'linux'", "python_version < '0'"),
    ],
)
def test_canonical_text(text: str, expected: str) -> None:
    assert str(m(text)) == expected
    assert m(expected) == m(text)


@pytest.mark.parametrize(
    "text",
    [
        "python_version < '3.10' or python_version >= '3.10'",
        "sys_platform == 'win32' or sys_platform != 'win32'",
        "os_name != 'nt' or sys_platform != 'linux'",
        "os_name ~= 'wat'",
        "python_version == 'Linux'",
        "'wat' == 'wat'",
        "python_version >= '0'",
        "python_version != '3.9.1'",
    ],
)
def test_always_true(text: str) -> None:
    assert m(text).is_true()
    assert m(text) is Marker.TRUE
    assert str(m(text)) == "" and m(text).to_text() is None


@pytest.mark.parametrize(
    "text",
    [
        "python_version < '3.10' and python_version >= '3.10'",
        "sys_platform == 'linux' and sys_platform == 'win32'",
        "os_name > 'a'",
        "python_version < '0'",
        "python_version == '3.9.1'",
        "extra == '!!'",
    ],
)
def test_always_false(text: str) -> None:
    assert m(text).is_false()
    assert str(m(text)) == "python_version < '0'"


def test_ignored_comparisons_drop_out_of_their_operator() -> None:
    assert m("sys_platform == 'linux' or os_name ~= 'x'") == m("sys_platform == 'linux'")
    assert m("python_version >= 'foo' and os_name == 'nt'") == m("os_name == 'nt'")
    assert (~m("sys_platform ~= 'linux'")).is_false()


def test_semantic_equality_is_identity() -> None:
    left = m("python_version >= '3.8' and (sys_platform == 'win32' or sys_platform == 'linux')")
    right = m("sys_platform == 'linux' and python_full_version >= '3.8' or "
              "'win32' == sys_platform and python_version > '3.7'")  # fmt: skip
    assert left == right and left is right and hash(left) == hash(right)
    assert m("python_version == '3.9.*'") == m("python_version == '3.9'")
    assert {left, right} == {left}


def test_algebra() -> None:
    linux, win = m("sys_platform == 'linux'"), m("sys_platform == 'win32'")
    old = m("python_version < '3.10'")
    assert (linux & win).is_false() and linux.is_disjoint(win)
    assert (linux | ~linux).is_true()
    assert (linux & old).implies(linux) and not linux.implies(linux & old)
    assert not linux.is_disjoint(old)
    assert (old | ~old) is Marker.TRUE and (old & ~old) is Marker.FALSE
    # Known-incompatible platform pairs are disjoint even though they use different keys.
    assert m("os_name == 'nt'").is_disjoint(m("sys_platform == 'darwin'"))
    assert m("platform_system == 'FreeBSD'").is_disjoint(m("sys_platform == 'linux'"))
    assert not m("platform_system == 'iOS'").is_disjoint(m("sys_platform == 'ios'"))
    assert not m("'Windows' in os_name").is_disjoint(m("'Windows' in os_name"))
    assert m("'Windows' in os_name").is_disjoint(m("'Windows' not in os_name"))


def test_extra_markers_are_variables() -> None:
    foo, bar = m("extra == 'foo'"), m("extra == 'bar'")
    assert not foo.is_disjoint(bar)
    assert foo.is_disjoint(m("extra != 'foo'"))
    assert str(m("extra != 'foo' and (extra == 'bar' or extra == 'baz')")) == (
        "(extra == 'bar' or extra == 'baz') and extra != 'foo'"
    )
    marker = m("os_name == 'nt' and extra == 'dev'")
    assert marker.simplify_extras(["dev"]) == m("os_name == 'nt'")
    assert marker.simplify_extras(["other"]) == marker
    assert m("os_name == 'nt' and extra != 'dev'").simplify_not_extras(["dev"]) == m(
        "os_name == 'nt'"
    )
    assert m(
        "(os_name == 'a' and extra == 'x') or (sys_platform == 'b' and extra != 'x')"
    ).without_extras() == m("os_name == 'a' or sys_platform == 'b'")
    assert m("os_name == 'Linux' and extra == 'foo'").only_extras() == foo
    assert m("sys_platform == 'linux' and extra == 'foo'").top_level_extra_name() == "foo"
    assert m("sys_platform == 'linux' or extra == 'foo'").top_level_extra_name() is None


def test_requires_python_simplification() -> None:
    assert m("python_version >= '3.8'").simplify_python(">=3.9").is_true()
    assert m("python_version >= '3.8' and sys_platform == 'win32'").simplify_python(">=3.8") == m(
        "sys_platform == 'win32'"
    )
    assert (
        str(m("python_version == '3.8'").simplify_python(">=3.8")) == "python_full_version < '3.9'"
    )
    assert (
        str(m("python_version <= '3.12'").simplify_python(">3.12"))
        == "python_full_version < '3.13'"
    )
    assert m("python_full_version <= '3.12'").simplify_python(">3.12").is_false()
    spread = m("python_full_version == '3.7.*' or python_full_version == '3.8.*' or "
               "python_full_version == '3.10.*' or python_full_version == '3.11.*'")  # fmt: skip
    assert spread.simplify_python(">=3.8,<3.11") == m("python_full_version != '3.9.*'")
    assert m("python_full_version < '3.10'").complexify_python(">=3.8") == m(
        "python_full_version >= '3.8' and python_full_version < '3.10'"
    )
    assert Marker.TRUE.complexify_python(">=3.12") == m("python_full_version >= '3.12'")
    assert Marker.TRUE.simplify_python(">=3.12") is Marker.TRUE
    assert Marker.from_requires_python(">=3.9, <3.13") == m(
        "python_full_version >= '3.9' and python_full_version < '3.13'"
    )


def test_restrict() -> None:
    environment = m("(platform_machine == 'x86_64' and sys_platform == 'linux') or "
                    "(platform_machine == 'AMD64' and sys_platform == 'win32')")  # fmt: skip
    marker = environment & m("python_version < '3.11'")
    simplified = marker.restrict(environment)
    assert simplified == m("python_version < '3.11'")
    assert simplified & environment == marker


def test_evaluation() -> None:
    env = {
        "python_full_version": "3.11.4",
        "python_version": "3.11",
        "sys_platform": "linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_system": "Linux",
        "platform_release": "6.1.0",
        "implementation_name": "cpython",
    }
    assert m("python_version >= '3.11' and sys_platform == 'linux'").evaluate(env)
    assert not m("python_version < '3.11'").evaluate(env)
    assert m("'nux' in sys_platform").evaluate(env)
    assert not m("sys_platform in 'nux'").evaluate(env)
    assert m("extra == 'test'").evaluate(env, extras=["Test"])
    assert not m("extra == 'test'").evaluate(env)
    assert m("platform_release >= '6'").evaluate(env)  # lexical: "6.1.0" >= "6"
    darwin = {**env, "sys_platform": "darwin", "platform_release": "24.10.0"}
    assert m("sys_platform == 'darwin' and platform_release >= '24.9.0'").evaluate(darwin)
    assert m("python_version > '3.6'").evaluate({"python_version": "3.7"})
    pylock = m("'dev' in dependency_groups and 'x' in extras")
    assert pylock.evaluate_pep751(env, extras=["x"], groups=["dev"])
    assert not pylock.evaluate_pep751(env, extras=["x"], groups=[])
    assert not pylock.evaluate(env)


def test_uv_ordering() -> None:
    markers = [m("sys_platform == 'linux'"), Marker.FALSE, m("python_version < '3.9'"), Marker.TRUE,
               m("extra == 'a'"), m("'x' in os_name")]  # fmt: skip
    assert sorted(markers) == [
        Marker.TRUE,
        Marker.FALSE,
        markers[2],
        markers[0],
        markers[5],
        markers[4],
    ]
    assert m("python_version < '3.9'") < m("python_version >= '3.9'")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Expected marker value, found end of dependency specification"),
        (
            "python_version >= '3.8' and",
            "Expected marker value, found end of dependency specification",
        ),
        (
            "python_version === '3.8'",
            "Expected a valid marker operator (such as `>=` or `not in`), found `===`",
        ),
        ("python_version >= '3.8", "Expected ''', found end of dependency specification"),
        ("foo == 'bar'", "Expected a quoted string or a valid marker name, found `foo`"),
        ("(os_name == 'nt'", "Expected ')', found end of dependency specification"),
        (
            'python_version == "3.8".*',
            "Unexpected character '.', expected 'and', 'or' or end of input",
        ),
        ("extras in 'x'", "The marker extras must be on the right hand side of the expression"),
        (
            "os_name not_in 'x'",
            "Expected a valid marker operator (such as `>=` or `not in`), found `not_in`",
        ),
    ],
)
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(MarkerSyntaxError) as info:
        m(text)
    assert isinstance(info.value, PuvError)
    assert info.value.reason == message
    assert str(info.value).splitlines()[0] == message


def test_syntax_error_points_at_the_problem() -> None:
    with pytest.raises(MarkerSyntaxError) as info:
        m('python_version == "3.8".* and python_version >= "3.8"')
    assert str(info.value) == (
        "Unexpected character '.', expected 'and', 'or' or end of input\n"
        'python_version == "3.8".* and python_version >= "3.8"\n'
        "                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
    )


def test_markers_are_immutable() -> None:
    marker = m("os_name == 'nt'")
    with pytest.raises(AttributeError):
        marker._node = 0  # type: ignore[misc]


# Properties.

# The constants the atoms compare with. The grid below adds one value per key that equals none of
# them, and for versions a point below, at and just above every boundary the atoms can produce.
VERSIONS = ["3.8", "3.9", "3.9.2", "3.10", "3.11"]
VERSION_OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "~="]
BOUNDARIES = ["3.8", "3.9", "3.9.2", "3.10", "3.11", "3.12", "4"]
FULL_VERSIONS = ["3.7", *(f"{b}{suffix}" for b in BOUNDARIES for suffix in ("", ".0.0.1"))]
OS_NAMES, PLATFORMS, SYSTEMS = (
    ["nt", "posix"],
    ["linux", "win32", "darwin", "ios"],
    ["FreeBSD", "iOS"],
)
MACHINES = ["x86_64"]
EXCLUDED = {("nt", "linux"), ("nt", "darwin"), ("nt", "ios"), ("posix", "win32")} | {
    (system, platform)
    for system in ("FreeBSD", "iOS")
    for platform in ("linux", "win32", "darwin", "ios")
    if not (system == "iOS" and platform == "ios")
}


def possible(os_name: str, sys_platform: str, platform_system: str) -> bool:
    return not {(os_name, sys_platform), (platform_system, sys_platform)} & EXCLUDED


def environment(
    full: str, os_name: str, sys_platform: str, system: str, machine: str
) -> dict[str, str]:
    return {
        "python_full_version": full,
        "python_version": ".".join(full.split(".")[:2]),
        "implementation_version": full,
        "os_name": os_name,
        "sys_platform": sys_platform,
        "platform_system": system,
        "platform_machine": machine,
        "implementation_name": "cpython" if machine == "x86_64" else "pypy",
        "platform_release": "23.4" if machine == "x86_64" else "21.0",
    }


#: Every combination of the values the exact-alphabet atoms can tell apart.
GRID = [
    (environment(full, os_name, platform, system, machine), frozenset(extras))
    for full in FULL_VERSIONS
    for os_name, platform, system in itertools.product(
        [*OS_NAMES, "java"], [*PLATFORMS, "other"], [*SYSTEMS, "Other"]
    )
    if possible(os_name, platform, system)
    for machine in [*MACHINES, "arm64"]
    for extras in ([], ["a"])
]


def exact_atoms() -> st.SearchStrategy[str]:
    """Comparisons whose truth is fully determined on `GRID`."""
    version = st.builds(
        "{} {} '{}'".format,
        st.sampled_from(["python_version", "python_full_version"]),
        st.sampled_from(VERSION_OPERATORS),
        st.sampled_from(VERSIONS),
    )
    star = st.builds(
        "python_full_version {} '{}.*'".format,
        st.sampled_from(["==", "!="]),
        st.sampled_from(["3.9", "3.10"]),
    )
    python_in = st.sampled_from(["python_version in '3.9 3.11'", "python_version not in '3.10'"])
    string = st.one_of(
        st.builds(
            "os_name {} '{}'".format, st.sampled_from(["==", "!="]), st.sampled_from(OS_NAMES)
        ),
        st.builds(
            "sys_platform {} '{}'".format, st.sampled_from(["==", "!="]), st.sampled_from(PLATFORMS)
        ),
        st.builds(
            "platform_system {} '{}'".format,
            st.sampled_from(["==", "!="]),
            st.sampled_from(SYSTEMS),
        ),
        st.builds(
            "platform_machine {} '{}'".format,
            st.sampled_from(["==", "!=", ">=", ">"]),
            st.just("x86_64"),
        ),
    )
    extra = st.sampled_from(["extra == 'a'", "extra != 'a'"])
    return st.one_of(version, star, python_in, string, extra)


def all_atoms() -> st.SearchStrategy[str]:
    """`exact_atoms` plus substring tests and macOS release comparisons."""
    other = st.sampled_from([
        "implementation_version >= '3.9'", "implementation_version == '3.10.*'",
        "'arm' in platform_machine", "platform_machine in 'x86_64 i386'", "'py' not in implementation_name",
        "platform_release >= '22'", "platform_release < '22.1'", "platform_release == '23.4'",
    ])  # fmt: skip
    return st.one_of(exact_atoms(), other)


def expressions(atoms: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.recursive(
        atoms,
        lambda inner: st.builds(
            "({}) {} ({})".format, inner, st.sampled_from(["and", "or"]), inner
        ),
        max_leaves=6,
    )


def truth_table(marker: Marker) -> tuple[bool, ...]:
    return tuple(marker.evaluate(env, extras) for env, extras in GRID)


def reference(text: str) -> Callable[[dict[str, str], frozenset[str]], bool]:
    """Evaluate marker text by recursive descent over its atoms, with no algebra at all."""
    tree = _split(text)

    def evaluate(env: dict[str, str], extras: frozenset[str]) -> bool:
        return _evaluate_tree(tree, env, extras)

    return evaluate


def _split(text: str) -> object:
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        operator = next(
            (op for op in ("and", "or") if depth == 0 and text.startswith(f") {op} (", index)),
            None,
        )
        if operator is not None:
            right = text[index + len(f") {operator} (") : -1]
            return (operator, _split(text[1:index]), _split(right))
    return Marker.parse(text)


def _evaluate_tree(tree: object, env: dict[str, str], extras: frozenset[str]) -> bool:
    if isinstance(tree, Marker):
        return tree.evaluate(env, extras)
    assert isinstance(tree, tuple)
    operator, left, right = tree
    if operator == "and":
        return _evaluate_tree(left, env, extras) and _evaluate_tree(right, env, extras)
    return _evaluate_tree(left, env, extras) or _evaluate_tree(right, env, extras)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(expressions(all_atoms()), st.sampled_from(GRID))
def test_combined_marker_evaluates_as_its_parts(
    text: str, point: tuple[dict[str, str], frozenset[str]]
) -> None:
    env, extras = point
    marker = Marker.parse(text)
    assert marker.evaluate(env, extras) == reference(text)(env, extras)
    assert (~marker).evaluate(env, extras) == (not marker.evaluate(env, extras))


@SETTINGS
@given(expressions(all_atoms()), expressions(all_atoms()), st.sampled_from(GRID))
def test_and_or_not_agree_with_evaluation(
    left_text: str, right_text: str, point: tuple[dict[str, str], frozenset[str]]
) -> None:
    env, extras = point
    left, right = Marker.parse(left_text), Marker.parse(right_text)
    a, b = left.evaluate(env, extras), right.evaluate(env, extras)
    assert (left & right).evaluate(env, extras) == (a and b)
    assert (left | right).evaluate(env, extras) == (a or b)
    assert (~left).evaluate(env, extras) == (not a)


@SETTINGS
@given(expressions(all_atoms()))
def test_text_round_trips(text: str) -> None:
    for marker in (Marker.parse(text), ~Marker.parse(text)):
        if marker.is_true():
            assert str(marker) == ""
        else:
            assert Marker.parse(str(marker)) == marker


@SETTINGS
@given(expressions(exact_atoms()), expressions(exact_atoms()))
def test_disjointness_and_equality_agree_with_exhaustive_evaluation(
    left_text: str, right_text: str
) -> None:
    left, right = Marker.parse(left_text), Marker.parse(right_text)
    left_table, right_table = truth_table(left), truth_table(right)
    assert left.is_disjoint(right) == (not any(map(all, zip(left_table, right_table, strict=True))))
    assert (left == right) == (left_table == right_table)
    assert left.implies(right) == all(
        not a or b for a, b in zip(left_table, right_table, strict=True)
    )
    assert left.is_true() == all(left_table) and left.is_false() == (not any(left_table))


@SETTINGS
@given(expressions(exact_atoms()), expressions(exact_atoms()), expressions(exact_atoms()))
def test_boolean_laws_hold_as_identities(x_text: str, y_text: str, z_text: str) -> None:
    x, y, z = Marker.parse(x_text), Marker.parse(y_text), Marker.parse(z_text)
    assert x & (y | z) == (x & y) | (x & z)
    assert x | (y & z) == (x | y) & (x | z)
    assert ~(x & y) == ~x | ~y
    assert x | (x & y) == x
    assert (x & y) & z == x & (y & z)


REQUIRES_PYTHON = [">=3.9", ">=3.9.2, <3.11", ">3.8", "<3.11", "==3.10.*"]


@SETTINGS
@given(expressions(all_atoms()), st.sampled_from(REQUIRES_PYTHON), st.sampled_from(GRID))
def test_simplification_keeps_meaning_within_requires_python(
    text: str, requires_python: str, point: tuple[dict[str, str], frozenset[str]]
) -> None:
    env, extras = point
    marker = Marker.parse(text)
    simplified = marker.simplify_python(requires_python)
    bounds = Marker.from_requires_python(requires_python)
    if bounds.evaluate(env, extras):
        assert simplified.evaluate(env, extras) == marker.evaluate(env, extras)
    assert simplified.complexify_python(requires_python) == (simplified & bounds)
    assert (marker & bounds).simplify_python(requires_python) == simplified
