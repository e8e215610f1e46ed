"""Output formatting: error chains, durations, plurals, color decisions."""

from __future__ import annotations

import io

import pytest

from puv.core.printer import Printer, format_duration, plural, want_color


def _printer(**kw: object) -> tuple[Printer, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Printer(out=out, err=err, **kw), out, err  # type: ignore[arg-type]


def test_error_with_causes_and_hint_matches_uv_shape() -> None:
    p, _, err = _printer()
    p.error(
        "Failed to create virtual environment",
        ("A virtual environment already exists at: v1",),
        "Use the `--clear` flag",
    )
    assert err.getvalue() == (
        "error: Failed to create virtual environment\n"
        "  cause: A virtual environment already exists at: v1\n"
        "\n"
        "hint: Use the `--clear` flag\n"
    )


def test_multiline_cause_is_indented_under_its_label() -> None:
    p, _, err = _printer()
    p.error("Failed to parse: uv.toml", ("TOML parse error at line 1, column 1\n  |\n1 | x",))
    assert err.getvalue().splitlines()[1:] == [
        "  cause: TOML parse error at line 1, column 1",
        "           |",
        "         1 | x",
    ]


def test_quiet_silences_status_but_not_errors_or_results() -> None:
    p, out, err = _printer(quiet=1)
    p.status("Resolved 3 packages in 1ms")
    p.warn("careful")
    p.result("/path")
    p.error("boom")
    assert out.getvalue() == "/path\n"
    assert err.getvalue() == "error: boom\n"


def test_double_quiet_silences_results() -> None:
    p, out, _ = _printer(quiet=2)
    p.result("/path")
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (65.2, "1m 05s"),
        (1.193, "1.19s"),
        (0.2364, "236ms"),
        (0.00032, "0.32ms"),
        (0.0, "0.00ms"),
    ],
)
def test_durations_as_uv(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_plural() -> None:
    assert plural(1, "package") == "1 package"
    assert plural(3, "package") == "3 packages"


def test_color_choice_precedence() -> None:
    tty = io.StringIO()
    tty.isatty = lambda: True  # type: ignore[method-assign]
    assert want_color("always", io.StringIO(), {"NO_COLOR": "1"})
    assert not want_color("never", tty, {"FORCE_COLOR": "1"})
    assert not want_color("auto", tty, {"NO_COLOR": "1"})
    assert want_color("auto", io.StringIO(), {"FORCE_COLOR": "1"})
    assert want_color("auto", tty, {})
    assert not want_color("auto", io.StringIO(), {})


def test_colored_error_has_ansi_codes() -> None:
    p, _, err = _printer(color=True)
    p.error("boom")
    assert "\x1b[31;1merror\x1b[0m" in err.getvalue()
