"""Wheel filenames (`name-version[-build]-python-abi-platform.whl`), parsed and validated.

A wheel filename is used to build cache paths and to check a wheel's METADATA, so it is validated
strictly before anything else touches it: the name must be a valid project name, the version a
PEP 440 version, and every tag atom ASCII letters, digits and underscores only. That rejects
path-ish names such as `pkg-1.0-py3-none-../../../target.whl` with uv's message shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from packaging.version import InvalidVersion, Version

from puv.core.errors import PuvError

_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_NAME_SEPARATORS = re.compile(r"[-_.]+")
_TAG_ATOM = re.compile(r"^[A-Za-z0-9_]+$")
_BUILD_TAG = re.compile(r"^[A-Za-z0-9_.]+$")


class InvalidWheelFilename(PuvError):
    """A wheel filename that does not follow the binary distribution format (exit 2, like uv)."""

    exit_code = 2


def normalize_name(name: str) -> str:
    """PEP 503 normalization: lowercase, runs of `-_.` become one `-`."""
    return _NAME_SEPARATORS.sub("-", name).lower()


def is_valid_name(name: str) -> bool:
    """Whether `name` is a valid project name (PEP 508 identifier rules)."""
    return bool(_NAME.match(name))


class WheelFilename(NamedTuple):
    """A parsed wheel filename. `name` is normalized; the tag sets keep their original order."""

    name: str
    version: Version
    build_tag: tuple[int, str] | None
    python_tags: tuple[str, ...]
    abi_tags: tuple[str, ...]
    platform_tags: tuple[str, ...]
    filename: str  # as given, e.g. `Foo_Bar-1.0-py2.py3-none-any.whl`

    @classmethod
    def parse(cls, filename: str) -> WheelFilename:
        """Parse and validate `filename`; raises `InvalidWheelFilename` with uv's wording."""
        if not filename.endswith(".whl"):
            raise _invalid(filename, "Must end with .whl")
        parts = filename[: -len(".whl")].split("-")
        if len(parts) < 2:
            raise _invalid(filename, "Must have a version")
        if len(parts) < 3:
            raise _invalid(filename, "Must have a Python tag")
        if len(parts) < 4:
            raise _invalid(filename, "Must have an ABI tag")
        if len(parts) < 5:
            raise _invalid(filename, "Must have a platform tag")
        if len(parts) > 6:
            raise _invalid(filename, "Must have 5 or 6 components, but has more")
        name, version_text, *rest = parts
        build_text = rest.pop(0) if len(rest) == 4 else None
        python, abi, platform = rest
        if not is_valid_name(name):
            raise InvalidWheelFilename(
                f"The wheel filename `{filename}` has an invalid package name"
            )
        try:
            version = Version(version_text)
        except InvalidVersion as err:
            raise InvalidWheelFilename(
                f"The wheel filename `{filename}` has an invalid version: {err}"
            ) from None
        build_tag = None if build_text is None else _parse_build_tag(filename, build_text)
        return cls(
            name=normalize_name(name),
            version=version,
            build_tag=build_tag,
            python_tags=_tag_set(filename, python),
            abi_tags=_tag_set(filename, abi),
            platform_tags=_tag_set(filename, platform),
            filename=filename,
        )

    def tags(self) -> Iterator[tuple[str, str, str]]:
        """Every (python, abi, platform) triple the filename declares (compressed sets expanded)."""
        for python in self.python_tags:
            for abi in self.abi_tags:
                for platform in self.platform_tags:
                    yield python, abi, platform

    @property
    def dist_info_name(self) -> str:
        """The name as it appears in `.dist-info` directories (`foo_bar`)."""
        return self.name.replace("-", "_")

    @property
    def distribution(self) -> str:
        """`name==version`, as uv names a distribution in messages."""
        return f"{self.name}=={self.version}"

    def __str__(self) -> str:
        return self.filename


def _invalid(filename: str, reason: str) -> InvalidWheelFilename:
    return InvalidWheelFilename(f"The wheel filename `{filename}` is invalid: {reason}")


def _tag_set(filename: str, component: str) -> tuple[str, ...]:
    atoms = tuple(component.split("."))
    if not component or not all(_TAG_ATOM.match(atom) for atom in atoms):
        raise _invalid(
            filename,
            "Tag components must contain only ASCII letters, digits, underscores, and periods",
        )
    return atoms


def _parse_build_tag(filename: str, text: str) -> tuple[int, str]:
    def bad(reason: str) -> InvalidWheelFilename:
        return InvalidWheelFilename(
            f"The wheel filename `{filename}` has an invalid build tag: {reason}"
        )

    if not text:
        raise bad("must not be empty")
    if not _BUILD_TAG.match(text):
        raise bad("must contain only ASCII letters, digits, underscores, and periods")
    digits = len(text) - len(text.lstrip("0123456789"))
    if digits == 0:
        raise bad("must start with a digit")
    return int(text[:digits]), text[digits:]
