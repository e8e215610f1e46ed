"""Simple API pages (PEP 503 HTML, PEP 691 JSON) parsed into `ProjectPage` values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from puv.index.simple import (
    ACCEPT,
    DistFile,
    PageParseError,
    ProjectPage,
    parse_html,
    parse_json,
    parse_page,
)
from tests.indexserver import IndexServer

PAGE = "https://example.org/simple/demo/"


def test_accept_header_prefers_json_then_html() -> None:
    assert ACCEPT == (
        "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
        "text/html;q=0.01"
    )


def test_json_page_fields() -> None:
    body = json.dumps(
        {
            "meta": {"api-version": "1.1"},
            "name": "demo",
            "versions": ["1.0", "2.0"],
            "files": [
                {
                    "filename": "demo-1.0-py3-none-any.whl",
                    "url": "../../files/demo-1.0-py3-none-any.whl",
                    "hashes": {"sha256": "ABCD", "md5": "ef"},
                    "requires-python": ">=3.8",
                    "yanked": "broken build",
                    "upload-time": "2024-01-01T00:00:00.123Z",
                    "size": 1234,
                    "core-metadata": {"sha256": "1234"},
                },
                {
                    "filename": "demo-2.0.tar.gz",
                    "url": "https://files.example.org/demo-2.0.tar.gz",
                    "hashes": {},
                    "yanked": True,
                    "dist-info-metadata": True,
                },
                {
                    "filename": "demo-3.0.tar.gz",
                    "url": "demo-3.0.tar.gz#sha256=FFFF",
                    "yanked": False,
                },
            ],
        }
    ).encode()
    page = parse_json(body, PAGE, "demo")
    assert page.versions == ("1.0", "2.0")
    assert page.api_version == "1.1"
    wheel, sdist, fragment = page.files
    assert wheel == DistFile(
        filename="demo-1.0-py3-none-any.whl",
        url="https://example.org/files/demo-1.0-py3-none-any.whl",
        hashes=(("md5", "ef"), ("sha256", "abcd")),
        requires_python=">=3.8",
        yanked=True,
        yanked_reason="broken build",
        upload_time="2024-01-01T00:00:00.123Z",
        size=1234,
        core_metadata=True,
        core_metadata_hashes=(("sha256", "1234"),),
    )
    assert wheel.hash() == "abcd" and wheel.hash("sha512") is None
    assert wheel.metadata_url == wheel.url + ".metadata"
    assert sdist.yanked and sdist.yanked_reason is None
    assert sdist.core_metadata and sdist.core_metadata_hashes == ()
    assert fragment.url == "https://example.org/simple/demo/demo-3.0.tar.gz"
    assert fragment.hashes == (("sha256", "ffff"),)
    assert not fragment.yanked and not fragment.core_metadata


def test_html_page_fields() -> None:
    body = b"""<!DOCTYPE html><html><head><title>Links for demo</title></head><body>
    <h1>Links for demo</h1>
    <A HREF="../../files/demo-1.0-py3-none-any.whl#sha256=AbCd" data-requires-python="&gt;=3.8"
       data-dist-info-metadata="sha256=99">demo-1.0-py3-none-any.whl</A><br/>
    <a data-yanked="" href='https://files.example.org/x/demo-2.0.tar.gz'>demo-2.0.tar.gz</a>
    <a href=demo-3.0.zip data-yanked="bad &amp; broken" data-core-metadata="true">demo-3.0.zip</a>
    <a href="demo-4.0.zip" data-core-metadata="false" data-dist-info-metadata="true">x</a>
    <abbr title="not a link">abbr</abbr>
    <a name="anchor-without-href">nothing</a>
    </body></html>"""
    page = parse_html(body, PAGE, "demo")
    assert [f.filename for f in page.files] == [
        "demo-1.0-py3-none-any.whl",
        "demo-2.0.tar.gz",
        "demo-3.0.zip",
        "demo-4.0.zip",
    ]
    first, second, third, fourth = page.files
    assert first.url == "https://example.org/files/demo-1.0-py3-none-any.whl"
    assert first.hashes == (("sha256", "abcd"),)
    assert first.requires_python == ">=3.8"
    assert first.core_metadata and first.core_metadata_hashes == (("sha256", "99"),)
    assert second.yanked and second.yanked_reason is None
    assert third.url == "https://example.org/simple/demo/demo-3.0.zip"
    assert third.yanked_reason == "bad & broken" and third.core_metadata
    # PEP 714: `data-core-metadata` wins over the older `data-dist-info-metadata`.
    assert not fourth.core_metadata


def test_html_base_href_changes_relative_resolution() -> None:
    body = (
        b'<html><head><base href="https://mirror.example.com/pkgs/"></head>'
        b'<body><a href="demo-1.0.tar.gz">demo</a></body></html>'
    )
    (file,) = parse_html(body, PAGE, "demo").files
    assert file.url == "https://mirror.example.com/pkgs/demo-1.0.tar.gz"


def test_html_raw_greater_than_inside_quoted_attribute() -> None:
    body = '<a href="demo-1.0.tar.gz" data-requires-python=">=3.7">demo-1.0.tar.gz</a>'
    (file,) = parse_html(body, PAGE, "demo").files
    assert file.requires_python == ">=3.7"


@pytest.mark.parametrize(
    "href",
    [
        "demo-1.0.exe",  # not a distribution
        "../",  # a directory link
        "..%2F..%2Fetc%2Fpasswd.tar.gz",  # would contain a slash once decoded
        ".hidden-1.0.tar.gz",
        "",
    ],
)
def test_unsafe_or_foreign_links_are_skipped(href: str) -> None:
    body = f'<a href="{href}">x</a><a href="demo-1.0.tar.gz">ok</a>'
    assert [f.filename for f in parse_html(body, PAGE, "demo").files] == ["demo-1.0.tar.gz"]


def test_json_unsafe_filename_is_skipped() -> None:
    body = json.dumps(
        {"files": [{"filename": "../evil-1.0.tar.gz", "url": "https://x/evil-1.0.tar.gz"}]}
    ).encode()
    assert parse_json(body, PAGE, "evil").files == ()


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"files": 3}', b'{"files": [1]}', b'{"files": [{"url": "x"}]}'],
)
def test_bad_json_raises(body: bytes) -> None:
    with pytest.raises(PageParseError):
        parse_json(body, PAGE, "demo")


def test_parse_page_dispatches_on_content_type() -> None:
    json_body = b'{"files": [{"filename": "a-1.tar.gz", "url": "a-1.tar.gz"}]}'
    html_body = b'<a href="a-1.tar.gz">a</a>'
    json_page = parse_page(json_body, "application/vnd.pypi.simple.v1+json", PAGE, "a")
    html_page = parse_page(html_body, "text/html; charset=utf-8", PAGE, "a")
    assert json_page.files == html_page.files


def test_json_and_html_of_the_same_index_agree(tmp_path: Path) -> None:
    """The local index serves both formats; everything HTML can carry must match JSON."""
    with IndexServer(tmp_path / "files") as index:
        index.add_wheel("demo", "1.0", requires_python=">=3.8")
        index.add_wheel("demo", "2.0")
        index.add_sdist("demo", "2.0")
        index.yank("demo-1.0-py3-none-any.whl", "oops")
        page_url = index.simple_url + "demo/"
        files_url = index.url + "/files/"
        from_json = parse_json(index.project_json("demo"), page_url, "demo")
        from_html = parse_html(index.project_html("demo"), page_url, "demo")
    assert len(from_json.files) == 3
    for a, b in zip(from_json.files, from_html.files, strict=True):
        assert (a.filename, a.url, a.hashes, a.requires_python) == (
            b.filename,
            b.url,
            b.hashes,
            b.requires_python,
        )
        assert (a.yanked, a.yanked_reason, a.core_metadata, a.core_metadata_hashes) == (
            b.yanked,
            b.yanked_reason,
            b.core_metadata,
            b.core_metadata_hashes,
        )
        assert a.url.startswith(files_url)


def test_project_page_is_msgspec_round_trippable() -> None:
    import msgspec

    page = ProjectPage(
        "demo", (DistFile("demo-1.0.tar.gz", "https://x/demo-1.0.tar.gz", (("sha256", "ab"),)),)
    )
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(page), type=ProjectPage) == page
