"""Version and file choice as uv makes it: resolution modes, pre-releases, yanks, local versions,
`Requires-Python` and wheel tags."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.version import Version

from puv.resolver.candidates import (
    IncompatibleTag,
    PythonTarget,
    SelectionPolicy,
    TargetTags,
)
from puv.resolver.provider import DistFile, PackageVersion
from puv.resolver.version_set import VersionRanges, ranges_from_specifiers

PY312 = PythonTarget(Version("3.12"), Version("3.12.1"))


def releases(*versions: str, files: Sequence[str] = ("py3-none-any",)) -> list[PackageVersion]:
    out = []
    for text in versions:
        wheels = tuple(DistFile(f"a-{text}-{tag}.whl") for tag in files)
        out.append(PackageVersion(Version(text), wheels))
    return sorted(out, key=lambda release: release.version)


def pick(policy: SelectionPolicy, specifiers: str, available: list[PackageVersion]) -> str | None:
    candidate = policy.select("a", ranges_from_specifiers(SpecifierSet(specifiers)), available)
    return None if candidate is None else str(candidate.version)


def test_highest_is_the_default_and_lowest_reverses_it() -> None:
    available = releases("1.0", "1.5", "2.0")
    assert pick(SelectionPolicy(), ">=1.0,<2", available) == "1.5"
    assert pick(SelectionPolicy(resolution="lowest"), ">1.0", available) == "1.5"


def test_lowest_direct_only_applies_to_direct_requirements() -> None:
    policy = SelectionPolicy(resolution="lowest-direct").with_requirements([Requirement("a")])
    available = releases("1.0", "2.0")
    assert pick(policy, "", available) == "1.0"
    assert policy.use_highest("b")


def test_if_necessary_prefers_stable_versions_in_range() -> None:
    available = releases("1.0", "2.0a1")
    assert pick(SelectionPolicy(), "", available) == "1.0"
    # Only pre-releases in range: then one of them.
    assert pick(SelectionPolicy(), ">1.0", available) == "2.0a1"


def test_allow_and_disallow() -> None:
    available = releases("1.0", "2.0a1")
    assert pick(SelectionPolicy(prerelease="allow"), "", available) == "2.0a1"
    assert pick(SelectionPolicy(prerelease="disallow"), ">1.0", available) is None


def test_explicit_allows_pre_releases_only_for_packages_that_ask() -> None:
    policy = SelectionPolicy(prerelease="explicit").with_requirements(
        [Requirement("a>=2.0a1"), Requirement("b")]
    )
    assert policy.prerelease_selection("a") == "prefer-stable"
    assert policy.prerelease_selection("b") == "disallow"
    assert pick(policy, ">1.0", releases("1.0", "2.0a1")) == "2.0a1"


def test_development_releases_count_as_pre_releases() -> None:
    assert pick(SelectionPolicy(), "", releases("1.0", "1.1.dev0")) == "1.0"


def test_yanked_versions_are_rejected_unless_pinned_exactly() -> None:
    yanked = [
        PackageVersion(Version("1.0"), (DistFile("a-1.0-py3-none-any.whl"),)),
        PackageVersion(
            Version("2.0"),
            (DistFile("a-2.0-py3-none-any.whl", yanked=True, yanked_reason="broken."),),
        ),
    ]
    candidate = SelectionPolicy().select("a", VersionRanges.full(), yanked)
    assert candidate is not None and candidate.incompatible is not None
    assert candidate.incompatible.description() == "yanked (reason: broken)"
    assert candidate.incompatible.verb(plural=False) == "was"
    pinned = SelectionPolicy().with_requirements([Requirement("a==2.0")])
    chosen = pinned.select("a", VersionRanges.full(), yanked)
    assert chosen is not None and chosen.incompatible is None and str(chosen.version) == "2.0"
    ranged = SelectionPolicy().with_requirements([Requirement("a>=2.0")])
    assert ranged.allowed_yanks == {}


def test_local_versions_satisfy_their_public_version() -> None:
    available = releases("1.2.3", "1.2.3+cpu")
    assert pick(SelectionPolicy(), "==1.2.3", available) == "1.2.3+cpu"
    assert pick(SelectionPolicy(), "==1.2.3+cpu", available) == "1.2.3+cpu"
    assert pick(SelectionPolicy(), ">1.2.3", available) is None
    assert pick(SelectionPolicy(), "<=1.2.3", available) == "1.2.3+cpu"


def test_preferences_win_when_in_range() -> None:
    policy = SelectionPolicy(preferences={"a": [Version("1.0")]})
    assert pick(policy, "", releases("1.0", "2.0")) == "1.0"
    assert pick(policy, ">1.0", releases("1.0", "2.0")) == "2.0"


def test_requires_python_compares_lower_bounds_only() -> None:
    assert PY312.accepts(None)
    assert PY312.accepts(SpecifierSet(">=3.8"))
    assert PY312.accepts(SpecifierSet("<=3.8"))  # uv ignores upper bounds
    assert not PY312.accepts(SpecifierSet(">=3.13"))
    assert not PythonTarget(Version("3.9"), Version("3.9.18")).accepts(SpecifierSet(">=3.9.4"))
    assert PythonTarget(Version("3.9.4"), Version("3.9.18")).accepts(SpecifierSet(">=3.9.4"))
    assert PythonTarget(Version("3.13.0"), Version("3.13.0")).target_is_installed
    assert not PythonTarget(Version("3.9"), Version("3.9.18")).target_is_installed


def test_requires_python_makes_a_version_incompatible() -> None:
    files = (DistFile("a-2.0-py3-none-any.whl", requires_python=SpecifierSet(">=3.13")),)
    policy = SelectionPolicy(python=PY312)
    candidate = policy.select("a", VersionRanges.full(), [PackageVersion(Version("2.0"), files)])
    assert candidate is not None and candidate.incompatible is not None
    assert candidate.incompatible.kind == "requires-python"
    assert str(candidate.incompatible.requires_python) == ">=3.13"


def test_no_build_and_no_binary() -> None:
    sdist_only = [PackageVersion(Version("1.0"), (DistFile("a-1.0.tar.gz"),))]
    wheel_only = releases("1.0")
    no_build = SelectionPolicy(no_build=frozenset({"a"}))
    candidate = no_build.select("a", VersionRanges.full(), sdist_only)
    assert candidate is not None and candidate.incompatible is not None
    assert candidate.incompatible.description() == "no usable wheels"
    usable = no_build.select("a", VersionRanges.full(), wheel_only)
    assert usable is not None and usable.incompatible is None
    no_binary = SelectionPolicy(no_binary=True)
    candidate = no_binary.select("a", VersionRanges.full(), wheel_only)
    assert candidate is not None and candidate.incompatible is not None
    assert candidate.incompatible.description() == "no source distribution"


def manylinux_cp312() -> TargetTags:
    platforms = ["manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64"]
    tags = [
        *cpython_tags((3, 12), ["cp312"], platforms),
        *compatible_tags((3, 12), "cp312", platforms),
    ]
    return TargetTags.from_tags(tags)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("py3-none-macosx_10_0_ppc64", IncompatibleTag.PLATFORM),
        ("py3-graalpy240_310_native-any", IncompatibleTag.ABI),
        ("graalpy310-none-any", IncompatibleTag.PYTHON),
    ],
)
def test_tag_mismatches_are_classified_like_uv(tag: str, expected: IncompatibleTag) -> None:
    tags = manylinux_cp312()
    outcome = tags.compatibility(DistFile(f"a-1.0-{tag}.whl").wheel_tags)
    assert outcome == expected
    assert tags.best == Tag("cp312", "cp312", "manylinux_2_17_x86_64")


def test_most_specific_wheel_is_chosen() -> None:
    policy = SelectionPolicy(tags=manylinux_cp312())
    files = releases("1.0", files=("py3-none-any", "cp312-cp312-manylinux_2_17_x86_64"))
    candidate = policy.select("a", VersionRanges.full(), files)
    assert candidate is not None and candidate.file is not None
    assert candidate.file.filename.endswith("cp312-cp312-manylinux_2_17_x86_64.whl")


def test_incompatible_wheel_falls_back_to_the_source_distribution() -> None:
    policy = SelectionPolicy(tags=manylinux_cp312())
    files = (DistFile("a-1.0-py3-none-macosx_10_0_ppc64.whl"), DistFile("a-1.0.tar.gz"))
    candidate = policy.select("a", VersionRanges.full(), [PackageVersion(Version("1.0"), files)])
    assert candidate is not None and candidate.file is not None
    assert candidate.file.filename == "a-1.0.tar.gz"


def test_without_tags_wheels_must_suit_the_target_python() -> None:
    policy = SelectionPolicy(python=PY312)
    old = releases("1.0", files=("cp38-cp38-manylinux_2_17_x86_64",))
    candidate = policy.select("a", VersionRanges.full(), old)
    assert candidate is not None and candidate.incompatible is not None
    assert candidate.incompatible.tag == IncompatibleTag.ABI_PYTHON_VERSION
    fine = releases("1.0", files=("cp312-abi3-manylinux_2_17_x86_64",))
    usable = policy.select("a", VersionRanges.full(), fine)
    assert usable is not None and usable.incompatible is None
