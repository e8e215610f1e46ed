"""Hash digests: parsing, streaming hashers, matching and uv's mismatch message."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puv.core.hashes import (
    HashDigest,
    HashError,
    HashMismatchError,
    MultiHasher,
    algorithms_for,
    check_hashes,
    hash_mismatch_error,
    hashes_match,
    record_digest,
)

SHA_A = "sha256:" + "a" * 64
SHA_B = "sha256:" + "b" * 64


def test_parse_and_format_round_trip() -> None:
    digest = HashDigest.parse(SHA_A)
    assert digest == HashDigest("sha256", "a" * 64)
    assert str(digest) == SHA_A
    assert HashDigest.parse_fragment("sha512=" + "c" * 128) == HashDigest("sha512", "c" * 128)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sha256", "Unexpected hash (expected `<algorithm>:<hash>`): sha256"),
        ("sha256:a:b", "Unexpected hash (expected `<algorithm>:<hash>`): sha256:a:b"),
        ("sha256:", "Unexpected hash (expected `<algorithm>:<hash>`): sha256:"),
        (
            "sha1:abcd",
            "Unsupported hash algorithm (expected one of: `md5`, `sha256`, `sha384`, `sha512`, "
            "or `blake2b`) on: `sha1:abcd`",
        ),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(HashError) as err:
        HashDigest.parse(text)
    assert err.value.message == message


def test_fragment_without_equals() -> None:
    with pytest.raises(HashError) as err:
        HashDigest.parse_fragment("sha256")
    assert "expected `#sha256=...`" in err.value.message


@given(st.lists(st.binary(max_size=300), max_size=8))
def test_multi_hasher_matches_hashlib(chunks: list[bytes]) -> None:
    hasher = MultiHasher(["sha256", "md5", "blake2b", "sha256"])
    for chunk in chunks:
        hasher.update(chunk)
    data = b"".join(chunks)
    assert hasher.size == len(data)
    assert hasher.digests() == (
        HashDigest("blake2b", hashlib.blake2b(data, digest_size=32).hexdigest()),
        HashDigest("md5", hashlib.md5(data).hexdigest()),
        HashDigest("sha256", hashlib.sha256(data).hexdigest()),
    )


def test_any_match_accepts() -> None:
    computed = [HashDigest.parse(SHA_A)]
    assert hashes_match([HashDigest.parse(SHA_B), HashDigest.parse(SHA_A)], computed)
    assert not hashes_match([HashDigest.parse(SHA_B)], computed)
    check_hashes("idna==3.6", [HashDigest.parse(SHA_B), HashDigest.parse(SHA_A)], computed)
    check_hashes("idna==3.6", [], computed)  # nothing expected: nothing to check


def test_mismatch_message_is_uvs() -> None:
    """The exact shape of uv's `lock_invalid_hash` snapshot."""
    expected = HashDigest.parse(
        "sha256:d05567e9c24a6b9faaa835c4821bad0590fbb9d5779e7caa6e1cc4978e7eb24f"
    )
    computed = HashDigest.parse(
        "sha256:c05567e9c24a6b9faaa835c4821bad0590fbb9d5779e7caa6e1cc4978e7eb24f"
    )
    with pytest.raises(HashMismatchError) as err:
        check_hashes("idna==3.6", [expected], [computed])
    assert err.value.message == (
        "Hash mismatch for `idna==3.6`\n"
        "\n"
        "Expected:\n"
        "  sha256:d05567e9c24a6b9faaa835c4821bad0590fbb9d5779e7caa6e1cc4978e7eb24f\n"
        "\n"
        "Computed:\n"
        "  sha256:c05567e9c24a6b9faaa835c4821bad0590fbb9d5779e7caa6e1cc4978e7eb24f"
    )
    assert err.value.exit_code == 1


def test_mismatch_shows_only_expected_algorithms() -> None:
    md5 = HashDigest("md5", "0" * 32)
    error = None
    try:
        check_hashes("x==1", [HashDigest.parse(SHA_B)], [md5, HashDigest.parse(SHA_A)])
    except HashMismatchError as err:
        error = err
    assert error is not None
    assert "md5" not in error.message
    assert (
        error.message
        == hash_mismatch_error("x==1", [HashDigest.parse(SHA_B)], [HashDigest.parse(SHA_A)]).message
    )


def test_algorithms_for() -> None:
    expected = [HashDigest("sha512", "0"), HashDigest("sha256", "1"), HashDigest("sha512", "2")]
    assert algorithms_for(expected) == ("sha256", "sha512")
    assert algorithms_for([]) == ("sha256",)


def test_record_digest() -> None:
    # The line uv writes for an empty REQUESTED file: urlsafe base64, no padding.
    assert record_digest(b"") == "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
