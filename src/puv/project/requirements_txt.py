"""Reading pip-style requirements files (`-r`, `-c`, `-e`, `--hash`, index options), as uv reads them.

Errors name the file and the position (uv's wording) and never leave a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from msgspec import Struct, field

from puv.core.errors import PuvError

_ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")
_HASH_ALGORITHMS = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}
_URL_SCHEMES = ("http://", "https://", "file://", "git+", "hg+", "svn+", "bzr+")
_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tgz", ".tar")


class Origin(Struct, frozen=True):
    """Where an entry was written: the file and its 1-based line."""

    path: Path
    line: int


class RequirementLine(Struct, frozen=True):
    """One requirement: PEP 508 text (`name==1.0`, `name @ url`) or an unnamed URL/path, with hashes."""

    text: str
    editable: bool = False
    hashes: tuple[str, ...] = ()
    origin: Origin | None = None

    @property
    def is_unnamed(self) -> bool:
        """A bare URL or path (`./dist/x.whl`, `https://.../x.whl`) rather than a PEP 508 name."""
        return _looks_like_url_or_path(self.text)


class RequirementsFile(Struct):
    """Everything one requirements file (with its `-r`/`-c` includes) says."""

    requirements: list[RequirementLine] = field(default_factory=list)
    constraints: list[RequirementLine] = field(default_factory=list)
    index_url: str | None = None
    extra_index_urls: list[str] = field(default_factory=list)
    find_links: list[str] = field(default_factory=list)
    no_index: bool = False
    require_hashes: bool = False
    no_binary: list[str] = field(default_factory=list)
    only_binary: list[str] = field(default_factory=list)


def _looks_like_url_or_path(text: str) -> bool:
    head = text.split(";", 1)[0].strip()
    if head.startswith(_URL_SCHEMES):
        return True
    if head.startswith((".", "/", "~")) or os.sep in head or "/" in head:
        return " @ " not in head and "@" not in head.split("/", 1)[0]
    return head.endswith(_ARCHIVE_SUFFIXES)


def _logical_lines(text: str) -> list[tuple[int, int, str]]:
    """Join `\\` continuations, drop comments: (1-based line, offset in file, content)."""
    lines: list[tuple[int, int, str]] = []
    pending: list[str] = []
    start_line = start_offset = 0
    offset = 0
    for number, raw in enumerate(text.splitlines(keepends=True), start=1):
        line = raw.rstrip("\r\n")
        if not pending:
            start_line, start_offset = number, offset
        offset += len(raw)
        stripped = re.sub(r"(^|\s)#.*$", "", line)
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            lines.append((start_line, start_offset, joined))
    if pending:
        joined = " ".join(part.strip() for part in pending).strip()
        if joined:
            lines.append((start_line, start_offset, joined))
    return lines


def _expand(text: str, environ: Mapping[str, str]) -> str:
    return _ENV_VAR.sub(lambda m: environ.get(m.group(1), m.group(0)), text)


def _split_option(line: str, names: tuple[str, ...]) -> str | None:
    """The value of `--opt value` / `--opt=value` / `-o value` when `line` starts with one of `names`."""
    for name in names:
        if line == name:
            return ""
        if line.startswith(name + "=") and name.startswith("--"):
            return line[len(name) + 1 :].strip()
        if line.startswith(name + " ") or line.startswith(name + "\t"):
            return line[len(name) :].strip()
        if not name.startswith("--") and line.startswith(name) and len(line) > len(name):
            return line[len(name) :].strip()
    return None


def _parse_hashes(text: str, display: str) -> tuple[str, tuple[str, ...]]:
    """Split `req --hash=sha256:... --hash ...` into the requirement and its validated hashes."""
    hashes: list[str] = []
    parts = re.split(r"\s+--hash[=\s]\s*", " " + text)
    requirement = parts[0].strip()
    for digest in parts[1:]:
        digest = digest.strip()
        algorithm, sep, value = digest.partition(":")
        if not sep:
            raise PuvError(
                f"Unsupported hash `{digest}` in `{display}`",
                causes=["expected `<algorithm>:<hex digest>`"],
            )
        expected = _HASH_ALGORITHMS.get(algorithm.lower())
        if expected is None:
            raise PuvError(
                f"Unsupported hash algorithm (expected one of: `md5`, `sha256`, `sha384`, "
                f"or `sha512`) on: `{digest}`"
            )
        if len(value) != expected or not re.fullmatch(r"[0-9a-fA-F]+", value):
            raise PuvError(
                f"Invalid hash digest length (expected {expected} hexadecimal characters, "
                f"found {len(value)})"
            )
        hashes.append(f"{algorithm.lower()}:{value.lower()}")
    return requirement, tuple(hashes)


def _validate_requirement(text: str, display: str, position: int) -> None:
    """Check PEP 508 syntax of a named requirement, raising uv's error with a caret under the fault."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(text)
    except InvalidRequirement as exc:
        detail = str(exc).split("\n")[0]
        raise PuvError(
            f"Couldn't parse requirement in `{display}` at position {position}",
            causes=[f"{detail}\n{text}"],
        ) from None


def read_requirements(
    path: Path,
    *,
    environ: Mapping[str, str],
    display: str | None = None,
    constraint: bool = False,
    _seen: frozenset[Path] = frozenset(),
) -> RequirementsFile:
    """Read `path` and its includes. `display` is how the file is named in errors (as given)."""
    shown = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PuvError(f"File not found: {shown}") from None
    except OSError as exc:
        raise PuvError(f"Failed to read `{shown}`", causes=[exc.strerror or str(exc)]) from None
    except UnicodeDecodeError as exc:
        raise PuvError(
            f"Failed to read `{shown}`", causes=[f"not valid UTF-8: {exc.reason}"]
        ) from None
    result = RequirementsFile()
    base = path.parent
    for number, offset, raw in _logical_lines(text):
        line = _expand(raw, environ)
        origin = Origin(path, number)
        include = _split_option(line, ("--requirement", "-r"))
        include_constraint = _split_option(line, ("--constraint", "-c"))
        if include is not None or include_constraint is not None:
            target_text = include if include is not None else include_constraint
            assert target_text is not None
            target = (base / os.path.expanduser(target_text)).resolve()
            if target in _seen or target == path.resolve():
                continue
            try:
                nested = read_requirements(
                    target,
                    environ=environ,
                    display=target_text,
                    constraint=constraint or include_constraint is not None,
                    _seen=_seen | {path.resolve()},
                )
            except PuvError as exc:
                raise PuvError(
                    f"Error parsing included file in `{shown}` at position {offset}",
                    causes=[exc.message, *exc.causes],
                ) from None
            _merge(result, nested)
            continue
        if (value := _split_option(line, ("--index-url", "-i"))) is not None:
            result.index_url = value
        elif (value := _split_option(line, ("--extra-index-url",))) is not None:
            result.extra_index_urls.append(value)
        elif (value := _split_option(line, ("--find-links", "-f"))) is not None:
            result.find_links.append(value)
        elif line == "--no-index":
            result.no_index = True
        elif line == "--require-hashes":
            result.require_hashes = True
        elif (value := _split_option(line, ("--no-binary",))) is not None:
            result.no_binary.extend(v for v in value.split(",") if v)
        elif (value := _split_option(line, ("--only-binary",))) is not None:
            result.only_binary.extend(v for v in value.split(",") if v)
        elif line.startswith(("--pre", "--trusted-host", "--prefer-binary")):
            continue
        elif (value := _split_option(line, ("--editable", "-e"))) is not None:
            requirement, hashes = _parse_hashes(value, shown)
            entry = RequirementLine(requirement, editable=True, hashes=hashes, origin=origin)
            (result.constraints if constraint else result.requirements).append(entry)
        elif line.startswith("-"):
            raise PuvError(
                f"Unexpected '-', expected '-c', '-e', '-r' or the start of a requirement: "
                f"{shown}:{number}:1"
            )
        else:
            requirement, hashes = _parse_hashes(line, shown)
            if not _looks_like_url_or_path(requirement):
                _validate_requirement(requirement, shown, offset)
            entry = RequirementLine(requirement, hashes=hashes, origin=origin)
            (result.constraints if constraint else result.requirements).append(entry)
    return result


def _merge(into: RequirementsFile, other: RequirementsFile) -> None:
    into.requirements.extend(other.requirements)
    into.constraints.extend(other.constraints)
    into.index_url = other.index_url or into.index_url
    into.extra_index_urls.extend(other.extra_index_urls)
    into.find_links.extend(other.find_links)
    into.no_index = into.no_index or other.no_index
    into.require_hashes = into.require_hashes or other.require_hashes
    into.no_binary.extend(other.no_binary)
    into.only_binary.extend(other.only_binary)
