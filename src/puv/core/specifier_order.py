"""The order uv prints version specifiers in: by version, then by operator."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["uv_specifier_order"]

# uv's `Operator` declaration order, which breaks ties between specifiers of one version.
_OPERATOR_RANK = {
    op: rank
    for rank, op in enumerate(["==", "==*", "===", "!=", "!=*", "~=", "<", "<=", ">", ">="])
}


def uv_specifier_order(specifiers: Iterable[tuple[str, str]]) -> list[str]:
    """`(operator, version)` pairs as uv prints them: versions normalized (`1.0.0-RC1` ->
    `1.0.0rc1`), sorted by version, then by operator (`>0.9,~=1.0,>=1,!=1.5,<3,<=3`); `===`
    (arbitrary equality) keeps its text and goes last. Raises packaging's `InvalidVersion`."""
    from packaging.version import Version

    keyed: list[tuple[tuple[int, Version, int], str]] = []
    for operator, version in specifiers:
        if operator == "===":
            keyed.append(((1, Version("0"), 0), f"==={version}"))
            continue
        star = version.endswith(".*")
        normal = Version(version[:-2] if star else version)
        rank = _OPERATOR_RANK[operator + ("*" if star else "")]
        keyed.append(((0, normal, rank), f"{operator}{normal}{'.*' if star else ''}"))
    keyed.sort(key=lambda entry: entry[0])
    return [text for _, text in keyed]
