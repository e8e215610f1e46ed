"""Hash digests (`sha256:<hex>`), streaming hashers and uv's hash-mismatch message.

Digests are written `<algorithm>:<hex>` as in `uv.lock` and `--hash`; URL fragments use
`<algorithm>=<hex>` (`#sha256=...`); RECORD files use `sha256=<urlsafe-base64-nopad>`.
A download is accepted when ANY computed digest equals ANY expected one (uv and pip agree),
so callers compute exactly the algorithms that the expected digests use.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from msgspec import Struct

from puv.core.errors import FailureError, PuvError

ALGORITHMS = ("md5", "sha256", "sha384", "sha512", "blake2b")


class HashError(PuvError):
    """A hash string that cannot be parsed (exit 2)."""

    exit_code = 2


class HashDigest(Struct, frozen=True, order=True):
    """One digest: an algorithm from `ALGORITHMS` and its hex value, kept as written.

    Values are compared verbatim, as uv does; hashers produce lowercase hex.
    """

    algorithm: str
    digest: str

    @classmethod
    def parse(cls, text: str) -> HashDigest:
        """Parse `sha256:<hex>` (the form `uv.lock` and `--hash` use)."""
        parts = text.split(":")
        if len(parts) != 2:
            raise HashError(f"Unexpected hash (expected `<algorithm>:<hash>`): {text}")
        return cls._checked(parts[0], parts[1], text)

    @classmethod
    def parse_fragment(cls, fragment: str) -> HashDigest:
        """Parse a URL fragment `sha256=<hex>` (the `#...` of an index link)."""
        algorithm, sep, value = fragment.partition("=")
        if not sep:
            raise HashError(
                f"Unexpected fragment (expected `#sha256=...` or similar) on URL: {fragment}"
            )
        return cls._checked(algorithm, value, fragment)

    @classmethod
    def _checked(cls, algorithm: str, value: str, text: str) -> HashDigest:
        if algorithm not in ALGORITHMS:
            raise HashError(
                "Unsupported hash algorithm (expected one of: `md5`, `sha256`, `sha384`, "
                f"`sha512`, or `blake2b`) on: `{text}`"
            )
        if not value:
            raise HashError(f"Unexpected hash (expected `<algorithm>:<hash>`): {text}")
        return cls(algorithm, value)

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.digest}"


def new_hasher(algorithm: str) -> Any:
    """A hashlib object for `algorithm` (blake2b with a 32-byte digest, as PyPI and uv use)."""
    if algorithm == "blake2b":
        return hashlib.blake2b(digest_size=32)
    if algorithm not in ALGORITHMS:
        raise HashError(f"Unsupported hash algorithm: `{algorithm}`")
    return hashlib.new(algorithm)


class MultiHasher:
    """Feeds every chunk to one hasher per requested algorithm; also counts the bytes."""

    __slots__ = ("_hashers", "size")

    def __init__(self, algorithms: Iterable[str] = ("sha256",)) -> None:
        self._hashers = {
            algorithm: new_hasher(algorithm) for algorithm in dict.fromkeys(algorithms)
        }
        self.size = 0

    def update(self, chunk: bytes | bytearray | memoryview) -> None:
        """Hash one more chunk."""
        for hasher in self._hashers.values():
            hasher.update(chunk)
        self.size += len(chunk)

    def digests(self) -> tuple[HashDigest, ...]:
        """The digests so far, sorted by algorithm."""
        return tuple(
            sorted(HashDigest(name, hasher.hexdigest()) for name, hasher in self._hashers.items())
        )


def algorithms_for(expected: Iterable[HashDigest], default: str = "sha256") -> tuple[str, ...]:
    """The algorithms to compute: those of the expected digests, plus `default` (for caching)."""
    return tuple(dict.fromkeys([default, *(digest.algorithm for digest in expected)]))


def hashes_match(expected: Iterable[HashDigest], computed: Iterable[HashDigest]) -> bool:
    """True when any computed digest equals any expected one."""
    return not set(expected).isdisjoint(computed)


class HashMismatchError(FailureError):
    """The downloaded bytes do not have the expected digest (exit 1)."""


def hash_mismatch_error(
    distribution: str, expected: Sequence[HashDigest], computed: Sequence[HashDigest]
) -> HashMismatchError:
    """uv's message: "Hash mismatch for `x==1`", then the Expected and Computed blocks."""
    expected_lines = "\n".join(f"  {digest}" for digest in expected)
    computed_lines = "\n".join(f"  {digest}" for digest in computed)
    return HashMismatchError(
        f"Hash mismatch for `{distribution}`\n\nExpected:\n{expected_lines}\n\n"
        f"Computed:\n{computed_lines}"
    )


def check_hashes(
    distribution: str, expected: Sequence[HashDigest], computed: Sequence[HashDigest]
) -> None:
    """Raise `HashMismatchError` unless the digests match (no expected digests: nothing to do).

    Only the computed digests whose algorithms were expected are shown, as uv does.
    """
    if not expected or hashes_match(expected, computed):
        return
    wanted = {digest.algorithm for digest in expected}
    shown = [digest for digest in computed if digest.algorithm in wanted] or list(computed)
    raise hash_mismatch_error(distribution, expected, shown)


def record_digest(data: bytes) -> str:
    """`sha256=<urlsafe-b64-nopad>` of `data`, as a RECORD line spells it."""
    return record_digest_of(hashlib.sha256(data).digest())


def record_digest_of(raw_sha256: bytes) -> str:
    """`sha256=<urlsafe-b64-nopad>` of an already computed raw sha256 digest."""
    return "sha256=" + base64.urlsafe_b64encode(raw_sha256).rstrip(b"=").decode("ascii")
