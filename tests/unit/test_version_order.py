"""`version_key` and `sort_key` order versions exactly as PEP 440 (packaging's `Version`) does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

from puv.core.version_order import sort_key, version_key

_release = st.lists(st.integers(0, 12), min_size=1, max_size=4).map(
    lambda parts: ".".join(map(str, parts))
)
_pre = st.sampled_from(["", "a0", "a1", "b2", "rc1", "rc10"])
_post = st.sampled_from(["", ".post0", ".post1", ".post12"])
_dev = st.sampled_from(["", ".dev0", ".dev3"])
_local = st.sampled_from(["", "+1", "+2", "+abc", "+abc.1", "+1.abc", "+cpu", "+cu121"])
_epoch = st.sampled_from(["", "1!"])
versions = st.builds(
    lambda epoch, release, pre, post, dev, local: Version(
        epoch + release + pre + post + dev + local
    ),
    _epoch,
    _release,
    _pre,
    _post,
    _dev,
    _local,
)


@given(versions, versions)
def test_version_key_compares_like_pep_440(left: Version, right: Version) -> None:
    assert (version_key(left) < version_key(right)) == (left < right)
    assert (version_key(left) == version_key(right)) == (left == right)
    assert (sort_key(left) < sort_key(right)) == (left < right)


def test_sorting_by_key_matches_sorting_versions() -> None:
    texts = [
        "1.0",
        "1.0.0",
        "1.0a1",
        "1.0.dev0",
        "1.0.post1",
        "1.0+local",
        "1!0.1",
        "0.9",
        "1.0rc1",
    ]
    parsed = [Version(text) for text in texts]
    assert sorted(parsed, key=version_key) == sorted(parsed)
    assert sorted(parsed, key=sort_key) == sorted(parsed)
