"""`puv.lock.pylock`: the pylock.toml renderer, laid out as uv 0.13.9 writes the file.

The expected texts are copied from `uv pip compile --format pylock.toml` output (the e2e and
network tests compare whole files with the real uv); the source kinds `pip compile` never
writes (archive, directory, vcs) follow the key order of uv's serde structs.
"""

from __future__ import annotations

import tomllib

import pytest

from puv.lock.pylock import (
    Pylock,
    PylockArchive,
    PylockDirectory,
    PylockFile,
    PylockPackage,
    PylockVcs,
    is_pylock_filename,
    render_pylock,
    toml_datetime,
)

HASH = (("sha256", "ab" * 32),)
FILES = "https://files.example/packages"


def _wheel(filename: str, **overrides: object) -> PylockFile:
    fields: dict[str, object] = {
        "url": f"{FILES}/{filename}",
        "upload_time": "2025-01-01T00:00:00.000000Z",
        "size": 889,
        "hashes": HASH,
    }
    fields.update(overrides)
    return PylockFile(filename, **fields)  # type: ignore[arg-type]


def test_document_as_uv_writes_it() -> None:
    lock = Pylock(
        (
            PylockPackage(
                "alpha",
                "2.0",
                sdist=_wheel("alpha-2.0.tar.gz", size=1387),
                wheels=(_wheel("alpha-2.0-py3-none-any.whl"),),
            ),
            PylockPackage(
                "theta",
                "1.0",
                marker="sys_platform == 'linux'",
                wheels=(
                    _wheel("theta-1.0-py3-none-any.whl"),
                    _wheel("theta-1.0-py3-none-manylinux_2_17_x86_64.whl", size=876),
                ),
            ),
        ),
        requires_python=">=3.12",
    )
    digest = "ab" * 32
    assert render_pylock(lock) == (
        'lock-version = "1.0"\n'
        'created-by = "uv"\n'
        'requires-python = ">=3.12"\n'
        "\n"
        "[[packages]]\n"
        'name = "alpha"\n'
        'version = "2.0"\n'
        f'sdist = {{ url = "{FILES}/alpha-2.0.tar.gz", upload-time = 2025-01-01T00:00:00Z, '
        f'size = 1387, hashes = {{ sha256 = "{digest}" }} }}\n'
        f'wheels = [{{ url = "{FILES}/alpha-2.0-py3-none-any.whl", upload-time = '
        f'2025-01-01T00:00:00Z, size = 889, hashes = {{ sha256 = "{digest}" }} }}]\n'
        "\n"
        "[[packages]]\n"
        'name = "theta"\n'
        'version = "1.0"\n'
        "marker = \"sys_platform == 'linux'\"\n"
        "wheels = [\n"
        f'    {{ url = "{FILES}/theta-1.0-py3-none-any.whl", upload-time = 2025-01-01T00:00:00Z, '
        f'size = 889, hashes = {{ sha256 = "{digest}" }} }},\n'
        f'    {{ url = "{FILES}/theta-1.0-py3-none-manylinux_2_17_x86_64.whl", upload-time = '
        f'2025-01-01T00:00:00Z, size = 876, hashes = {{ sha256 = "{digest}" }} }},\n'
        "]\n"
    )
    parsed = tomllib.loads(render_pylock(lock))
    assert [package["name"] for package in parsed["packages"]] == ["alpha", "theta"]


def test_an_empty_document_still_has_its_packages_key() -> None:
    assert render_pylock(Pylock((), requires_python=">=3.9")) == (
        'lock-version = "1.0"\ncreated-by = "uv"\nrequires-python = ">=3.9"\npackages = []\n'
    )


def test_name_is_written_only_when_the_url_does_not_end_with_it() -> None:
    renamed = _wheel("pkg-1.0-py3-none-any.whl", url=f"{FILES}/download?id=1", upload_time=None)
    quoted = _wheel(
        "pkg-1.0+local-py3-none-any.whl", url=f"{FILES}/pkg-1.0%2Blocal-py3-none-any.whl"
    )
    text = render_pylock(Pylock((PylockPackage("pkg", "1.0", wheels=(renamed, quoted)),)))
    lines = text.splitlines()
    assert lines[-3].startswith('    { name = "pkg-1.0-py3-none-any.whl", url = ')
    assert "upload-time" not in lines[-3]
    assert lines[-2].startswith(f'    {{ url = "{FILES}/pkg-1.0%2Blocal-py3-none-any.whl"')


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("2024-09-15T18:07:39.745918Z", "2024-09-15T18:07:39Z"),
        ("2024-09-15T18:07:39Z", "2024-09-15T18:07:39Z"),
        ("2024-09-15T20:07:39.9+02:00", "2024-09-15T18:07:39Z"),
        ("2024-09-15 18:07:39", "2024-09-15T18:07:39Z"),
        ("yesterday", None),
        ("2024-13-01T00:00:00Z", None),
    ],
)
def test_upload_times_are_utc_to_the_second(given: str, written: str | None) -> None:
    assert toml_datetime(given) == written


def test_hashes_follow_uvs_algorithm_order_and_an_empty_set_is_an_empty_table() -> None:
    both = _wheel("a-1-py3-none-any.whl", hashes=(("sha512", "cd"), ("sha256", "ef")), size=None)
    bare = _wheel("b-1-py3-none-any.whl", hashes=(), upload_time=None, size=None)
    text = render_pylock(Pylock((PylockPackage("a", "1", wheels=(both, bare)),)))
    assert 'hashes = { sha256 = "ef", sha512 = "cd" } },' in text
    assert text.splitlines()[-2].endswith('b-1-py3-none-any.whl", hashes = {} },')


def test_other_sources_and_top_level_arrays() -> None:
    lock = Pylock(
        (
            PylockPackage(
                "app",
                marker="python_full_version >= '3.10'",
                directory=PylockDirectory("src/app", editable=True),
            ),
            PylockPackage(
                "tool",
                "0.1",
                index="https://pypi.org/simple",
                vcs=PylockVcs("a" * 40, url="https://github.com/o/tool", requested_revision="v1"),
            ),
            PylockPackage(
                "direct",
                "2",
                archive=PylockArchive(url="https://host/direct-2.tar.gz", size=10, hashes=HASH),
            ),
        ),
        requires_python=">=3.10",
        extras=("fast",),
        dependency_groups=("dev", "docs"),
    )
    text = render_pylock(lock)
    assert 'extras = ["fast"]\ndependency-groups = [\n    "dev",\n    "docs",\n]\n' in text
    assert 'directory = { path = "src/app", editable = true }\n' in text
    assert (
        'index = "https://pypi.org/simple"\nvcs = { type = "git", url = '
        f'"https://github.com/o/tool", requested-revision = "v1", commit-id = "{"a" * 40}" }}\n'
    ) in text
    assert (
        'archive = { url = "https://host/direct-2.tar.gz", size = 10, hashes = '
        f'{{ sha256 = "{"ab" * 32}" }} }}\n'
    ) in text
    parsed = tomllib.loads(text)
    assert parsed["packages"][0]["directory"] == {"path": "src/app", "editable": True}
    assert "version" not in parsed["packages"][0]


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("pylock.toml", True),
        ("pylock.dev.toml", True),
        ("pylock..toml", False),
        ("pylock.a.b.toml", False),
        ("requirements.toml", False),
        ("pylock.TOML", False),
    ],
)
def test_pylock_file_names(name: str, valid: bool) -> None:
    assert is_pylock_filename(name) is valid
