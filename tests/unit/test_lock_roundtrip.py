"""Pure tests of the uv.lock reader, writer and comparison (no uv, no I/O).

The keys that `tests/unit/test_lock_vs_uv.py` does not make uv write (metadata-only and path
sdists, zstd wheels, `[options.prerelease-package]`, `[manifest] requirements`) are covered here
in the layout of uv's `serialize.rs`, next to the error paths and the semantic comparison.
"""

from __future__ import annotations

import msgspec
import pytest

from puv.lock.compare import (
    canonical_lock,
    locks_equivalent,
    manifest_matches,
    metadata_matches,
    workspace_members,
)
from puv.lock.model import Dependency, Manifest, Metadata, Package, PackageId, Requirement, Source
from puv.lock.order import package_id_key, sort_lock
from puv.lock.reader import LockParseError, UnsupportedLockVersion, parse_lock
from puv.lock.writer import render_lock, toml_string

REGISTRY = 'source = { registry = "https://pypi.org/simple" }'

EVERY_KEY = f"""\
version = 1
revision = 5
requires-python = ">=3.9"
resolution-markers = [
    "python_full_version >= '3.10'",
    "python_full_version < '3.10'",
]

[options]
prerelease-mode = "if-necessary-or-explicit"
exclude-newer = "0001-01-01T00:00:00Z" # This has no effect and is included for backwards compatibility when using relative exclude-newer values.
exclude-newer-span = "P1W"

[options.prerelease-package]
anyio = "allow"

[options.exclude-newer-package]
idna = {{ timestamp = "0001-01-01T00:00:00Z", span = "P3D" }}
six = false
urllib3 = "2024-01-01T00:00:00Z"

[manifest]
requirements = [
    {{ name = "anyio", specifier = ">=4" }},
    {{ name = "six", marker = "sys_platform == 'win32'" }},
]
excludes = ["colorama"]
build-constraints = [{{ name = "setuptools", specifier = "<80" }}]

[manifest.dependency-groups]
dev = [{{ name = "pytest", extras = ["testing"] }}]

[[manifest.dependency-metadata]]
name = "six"
version = "1.16.0"
requires-dist = ["idna>=2", "anyio"]
requires-python = ">=3.8"
provides-extras = ["x"]

[[package]]
name = "anyio"
version = "4.0.0"
{REGISTRY}
dependencies = [
    {{ name = "idna", version = "3.6", source = {{ registry = "https://pypi.org/simple" }}, marker = "python_full_version < '3.10'" }},
    {{ name = "idna", version = "3.7", source = {{ registry = "https://pypi.org/simple" }}, marker = "python_full_version >= '3.10'" }},
    {{ name = "six", extra = ["a", "b"] }},
]
sdist = {{ hash = "sha256:00" }}
wheels = [
    {{ url = "https://files.example/anyio-4.0.0-py3-none-any.whl", hash = "sha256:11", size = 10, upload-time = "2024-01-01T00:00:00.123Z", zstd = {{ hash = "sha256:22", size = 5 }} }},
]

[[package]]
name = "idna"
version = "3.6"
{REGISTRY}
resolution-markers = [
    "python_full_version < '3.10'",
]
sdist = {{ path = "idna-3.6.tar.gz", hash = "sha256:33" }}

[[package]]
name = "idna"
version = "3.7"
{REGISTRY}
resolution-markers = [
    "python_full_version >= '3.10'",
]
wheels = [
    {{ path = "wheels/idna-3.7-py3-none-any.whl", hash = "sha256:44" }},
]

[[package]]
name = "six"
version = "1.16.0"
source = {{ url = "https://example.com/six.tar.gz", subdirectory = "pkg/six" }}
sdist = {{ hash = "sha256:55" }}

[package.metadata]
requires-dist = [
    {{ name = "anyio", git = "https://github.com/agronholm/anyio?rev=4.0.0#0123456789abcdef" }},
    {{ name = "idna", marker = "extra == 'x'", index = "https://download.example/simple" }},
]
provides-extras = ["a", "b"]
"""


def test_every_key_round_trips() -> None:
    assert render_lock(parse_lock(EVERY_KEY)) == EVERY_KEY


def test_model_values() -> None:
    lock = parse_lock(EVERY_KEY)
    anyio, idna_old, idna_new, six = lock.packages
    assert anyio.dependencies[0].package_id == idna_old.id
    assert anyio.dependencies[1].package_id == idna_new.id
    assert anyio.dependencies[2] == Dependency(six.id, ("a", "b"))
    assert anyio.wheels[0].filename == "anyio-4.0.0-py3-none-any.whl"
    assert anyio.wheels[0].zstd is not None and anyio.wheels[0].zstd.size == 5
    assert anyio.sdist is not None and anyio.sdist.location is None
    assert six.source == Source("url", "https://example.com/six.tar.gz", "pkg/six")
    assert six.metadata.requires_dist[1].marker == "extra == 'x'"
    assert lock.options.exclude_newer_span == "P1W"
    assert dict(lock.options.exclude_newer_package)["six"] is False
    assert lock.manifest.dependency_metadata[0].requires_dist == ("idna>=2", "anyio")
    assert lock.find("idna") == (idna_old, idna_new)


def test_revision_zero_is_not_written() -> None:
    text = 'version = 1\nrequires-python = ">=3.12"\n'
    lock = parse_lock(text)
    assert lock.revision == 0 and lock.packages == ()
    assert render_lock(lock) == text


def test_dependency_version_and_source_are_written_only_when_ambiguous() -> None:
    registry = Source("registry", "https://pypi.org/simple")
    one = Package(PackageId("one", "1.0", registry))
    app = Package(
        PackageId("app", "0.1", Source("virtual", ".")),
        dependencies=(Dependency(one.id, marker="sys_platform == 'linux'"),),
    )
    text = render_lock(msgspec.structs.replace(parse_lock(EVERY_KEY), packages=(app, one)))
    assert '    { name = "one", marker = "sys_platform == \'linux\'" },\n' in text
    twice = (app, one, Package(PackageId("one", "2.0", registry)))
    text = render_lock(msgspec.structs.replace(parse_lock(EVERY_KEY), packages=twice))
    assert '{ name = "one", version = "1.0", source = { registry = "https' in text


def test_requirement_sets_are_inline_up_to_one_element() -> None:
    metadata = Metadata(requires_dev=(("dev", (Requirement("a"),)), ("empty", ())))
    lock = parse_lock('version = 1\nrequires-python = ">=3.12"\n')
    member = Package(PackageId("m", "1", Source("editable", ".")), metadata=metadata)
    text = render_lock(msgspec.structs.replace(lock, packages=(member,)))
    assert text.endswith(
        '\n[package.metadata.requires-dev]\ndev = [{ name = "a" }]\nempty = []\n'
    ), text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", '""'),
        ("it's valid", '"it\'s valid"'),
        ("unicode-λ", '"unicode-λ"'),
        ('contains"quote', '"contains\\"quote"'),
        ("contains\\backslash", "'contains\\backslash'"),
        ("contains\ttab", '"contains\\ttab"'),
        ("contains\x7fdelete", '"contains\\u007Fdelete"'),
        ("it's a \\", '"it\'s a \\\\"'),
    ],
)
def test_strings_are_encoded_as_toml_edit_does(value: str, expected: str) -> None:
    assert toml_string(value) == expected


def test_syntax_error_names_file_line_and_column() -> None:
    text = 'version = 1\nrequires-python = ">=3.9"\nfoo = = 1\n'
    with pytest.raises(LockParseError) as caught:
        parse_lock(text, "proj/uv.lock")
    assert caught.value.message == "Failed to parse `proj/uv.lock`"
    block = caught.value.causes[0]
    assert block.startswith(
        "TOML parse error at line 3, column 7\n  |\n3 | foo = = 1\n  |       ^\n"
    )


def test_schema_error_points_at_the_package_header() -> None:
    text = EVERY_KEY.replace('version = "3.7"', "version = 5")
    with pytest.raises(LockParseError) as caught:
        parse_lock(text)
    line = text[: text.index('name = "idna"\nversion = 5')].count("\n")
    assert caught.value.causes[0] == (
        f"TOML parse error at line {line}, column 1\n   |\n{line} | [[package]]\n"
        "   | ^^^^^^^^^^^\ninvalid type: integer `5`, expected a string"
    )


def test_missing_fields_and_dangling_dependencies_are_errors() -> None:
    with pytest.raises(LockParseError, match="Failed to parse") as caught:
        parse_lock("version = 1\n")
    assert caught.value.causes == ("missing field `requires-python`",)
    dangling = 'version = 1\nrequires-python = ">=3.9"\n\n[[package]]\nname = "a"\n'
    dangling += 'version = "1"\nsource = { virtual = "." }\ndependencies = [{ name = "b" }]\n'
    with pytest.raises(LockParseError) as caught:
        parse_lock(dangling)
    assert caught.value.causes[0].endswith("found dependency `b` with no locked package")
    ambiguous = EVERY_KEY.replace(
        '{ name = "six", extra = ["a", "b"] }', '{ name = "idna", extra = ["a"] }'
    )
    with pytest.raises(LockParseError) as caught:
        parse_lock(ambiguous)
    assert "multiple packages of that name are locked" in caught.value.causes[0]


def test_unsupported_schema_version() -> None:
    with pytest.raises(UnsupportedLockVersion) as caught:
        parse_lock('version = 2\nrequires-python = ">=3.9"\n')
    assert caught.value.message.startswith(
        "The lockfile at `uv.lock` uses an unsupported schema version (v2, but only v1 is"
        " supported)."
    )


def test_semantic_equality_ignores_layout_revision_and_marker_spelling() -> None:
    lock = parse_lock(EVERY_KEY)
    respelled = EVERY_KEY.replace("revision = 5", "revision = 2").replace(
        "python_full_version < '3.10'\" }", "python_version < '3.10'\" }"
    )
    assert respelled.count("python_version < '3.10'") == 1
    other = parse_lock(respelled)
    assert other != lock
    assert locks_equivalent(other, lock)
    reordered = msgspec.structs.replace(lock, packages=tuple(reversed(lock.packages)))
    assert locks_equivalent(reordered, lock)
    assert canonical_lock(reordered).packages == tuple(
        sorted(lock.packages, key=lambda p: package_id_key(p.id))
    )


def test_semantic_equality_sees_real_changes() -> None:
    lock = parse_lock(EVERY_KEY)
    for old, new in [
        ('version = "3.7"', 'version = "3.8"'),
        ('hash = "sha256:44"', 'hash = "sha256:45"'),
        ("sys_platform == 'win32'", "sys_platform == 'linux'"),
        ('provides-extras = ["a", "b"]', 'provides-extras = ["a"]'),
        ('exclude-newer-span = "P1W"', 'exclude-newer-span = "P2W"'),
    ]:
        assert old in EVERY_KEY
        assert not locks_equivalent(parse_lock(EVERY_KEY.replace(old, new)), lock), new


def test_metadata_matches_is_textual_and_order_insensitive() -> None:
    locked = Metadata(
        requires_dist=(Requirement("a", source=(("specifier", ">=2.31"),)), Requirement("b"))
    )
    same = Metadata(requires_dist=tuple(reversed(locked.requires_dist)))
    looser = Metadata(
        requires_dist=(Requirement("a", source=(("specifier", ">=2.30"),)), Requirement("b"))
    )
    assert metadata_matches(locked, same)
    assert not metadata_matches(locked, looser)


def test_sort_lock_restores_uv_order() -> None:
    lock = parse_lock(EVERY_KEY)
    assert sort_lock(lock) == lock
    registry = Source("registry", "https://pypi.org/simple")
    target = PackageId("b", "1", registry)
    edges = (
        Dependency(target, ("x",)),
        Dependency(target, (), "sys_platform == 'win32'"),
        Dependency(target, (), "python_full_version >= '3.10'"),
        Dependency(PackageId("a", "2", registry)),
        Dependency(PackageId("a", "10", registry)),
    )
    root = Package(PackageId("root", None, Source("virtual", ".")), dependencies=edges)
    (ordered,) = sort_lock(msgspec.structs.replace(lock, packages=(root,))).packages
    assert [(d.package_id.version, d.extra, d.marker) for d in ordered.dependencies] == [
        ("2", (), None),
        ("10", (), None),
        ("1", (), "python_full_version >= '3.10'"),
        ("1", (), "sys_platform == 'win32'"),
        ("1", ("x",), None),
    ]


def test_manifest_matches_and_workspace_members() -> None:
    manifest = parse_lock(EVERY_KEY).manifest
    assert manifest_matches(manifest, msgspec.structs.replace(manifest, excludes=("colorama",)))
    assert not manifest_matches(manifest, msgspec.structs.replace(manifest, excludes=()))
    assert not manifest_matches(manifest, Manifest())
    reordered = msgspec.structs.replace(manifest, requirements=manifest.requirements[::-1])
    assert manifest_matches(manifest, reordered)
    text = EVERY_KEY.replace(REGISTRY, 'source = { editable = "." }', 1)
    assert [p.name for p in workspace_members(parse_lock(text))] == ["anyio"]
    assert workspace_members(parse_lock(EVERY_KEY)) == ()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("version = 1\n", 'version = "1"\n'),
        ("revision = 5", 'revision = "5"'),
        ('requires-python = ">=3.9"', "requires-python = 3"),
        (
            '[options]\nprerelease-mode = "if-necessary-or-explicit"',
            "[options]\nprerelease-mode = 1",
        ),
        ('members = ["x"]', "members = 1"),
        ('excludes = ["colorama"]', "excludes = [1]"),
        ('requires-dist = ["idna>=2", "anyio"]', 'requires-dist = "idna"'),
        ('source = { url = "https://example.com/six.tar.gz"', 'source = { nope = "x"'),
        ('sdist = { path = "idna-3.6.tar.gz", hash = "sha256:33" }', 'sdist = "x"'),
        ('size = 10, upload-time = "2024-01-01T00:00:00.123Z"', 'size = "10", upload-time = 1'),
        ('upload-time = "2024-01-01T00:00:00.123Z"', "upload-time = 2024-01-01T00:00:00Z"),
        ('zstd = { hash = "sha256:22", size = 5 }', "zstd = 5"),
        ('{ path = "wheels/idna-3.7-py3-none-any.whl", hash = "sha256:44" }', "5"),
        ('{ path = "wheels/idna-3.7-py3-none-any.whl", hash = "sha256:44" }', '{ hash = "x" }'),
        ('{ name = "six", extra = ["a", "b"] }', '{ name = "six", extra = "a" }'),
        ('{ name = "six", extra = ["a", "b"] }', "{ extra = [] }"),
        ('provides-extras = ["a", "b"]', "provides-extras = [[]]"),
        ('dev = [{ name = "pytest", extras = ["testing"] }]', "dev = 3"),
        ('name = "six"\nversion = "1.16.0"\nsource', 'name = 6\nversion = "1.16.0"\nsource'),
        (
            'name = "six"\nversion = "1.16.0"\nsource = { url',
            'name = "six"\nversion = "1.16.0"\nx = { url',
        ),
    ],
)
def test_malformed_locks_raise_parse_errors_only(old: str, new: str) -> None:
    text = EVERY_KEY.replace('excludes = ["colorama"]', 'excludes = ["colorama"]\nmembers = ["x"]')
    assert old in text
    with pytest.raises(LockParseError):
        parse_lock(text.replace(old, new, 1))
