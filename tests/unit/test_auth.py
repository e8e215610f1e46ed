"""Credentials (URL, netrc, per-index variables), redaction, and redirects that change origin."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from puv.index.auth import (
    Credentials,
    CredentialStore,
    credential_store,
    index_env_credentials,
    index_env_variable,
    redact,
    same_origin,
    split_credentials,
)
from puv.index.client import ClientOptions, HttpClient, NetworkError
from tests.indexserver import IndexServer

FAST = {"retry_delay": (0.0, 0.0)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:pass@host/simple", "https://user:****@host/simple"),
        ("https://token@host/simple", "https://****@host/simple"),
        ("https://:secret@host/", "https://:****@host/"),
        ("ssh://git@github.com/org/repo", "ssh://git@github.com/org/repo"),
        ("git+https://git@github.com/org/repo", "git+https://git@github.com/org/repo"),
        ("git+https://me:tok@github.com/org/repo", "git+https://me:****@github.com/org/repo"),
        ("https://git@example.com/simple", "https://****@example.com/simple"),
        (
            "Failed `https://a:b@x.org/` then (http://c:d@y.org/z)",
            "Failed `https://a:****@x.org/` then (http://c:****@y.org/z)",
        ),
        (
            "https://s3.example/x.whl?X-Amz-Credential=AKIA&X-Amz-Signature=sig&keep=1",
            "https://s3.example/x.whl?X-Amz-Credential=****&X-Amz-Signature=****&keep=1",
        ),
        (
            "https://host/simple/ and mail me@example.com",
            "https://host/simple/ and mail me@example.com",
        ),
        ("https://user:p%40ss@host:8443/x", "https://user:****@host:8443/x"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_split_credentials_decodes_and_strips() -> None:
    bare, credentials = split_credentials("https://us%65r:p%40ss@host:8443/simple/?q=1")
    assert bare == "https://host:8443/simple/?q=1"
    assert credentials == Credentials("user", "p@ss")
    assert split_credentials("https://host/simple/") == ("https://host/simple/", None)
    assert split_credentials("https://tok@host/")[1] == Credentials("tok", None)


def test_credentials_repr_hides_password() -> None:
    assert "hunter2" not in repr(Credentials("me", "hunter2"))


def test_same_origin_uses_default_ports() -> None:
    assert same_origin("https://a.org/x", "https://a.org:443/y")
    assert not same_origin("https://a.org/x", "http://a.org/x")
    assert not same_origin("https://a.org/x", "https://b.a.org/x")
    assert not same_origin("http://127.0.0.1:1/", "http://127.0.0.1:2/")


def test_index_env_variable_names() -> None:
    assert index_env_variable("internal-proxy", "USERNAME") == "UV_INDEX_INTERNAL_PROXY_USERNAME"
    assert index_env_variable("my.index_2", "PASSWORD") == "UV_INDEX_MY_INDEX_2_PASSWORD"


def test_index_env_credentials_puv_twin_wins() -> None:
    env = {
        "UV_INDEX_CORP_USERNAME": "uv-user",
        "PUV_INDEX_CORP_USERNAME": "puv-user",
        "UV_INDEX_CORP_PASSWORD": "pw",
    }
    assert index_env_credentials("corp", env) == Credentials("puv-user", "pw")
    assert index_env_credentials("other", env) is None


def test_credential_store_prefers_env_over_url_and_matches_by_origin(tmp_path: Path) -> None:
    store = credential_store(
        [("corp", "https://u:url@corp.example/simple/"), (None, "https://v:w@other.example/a/")],
        {"UV_INDEX_CORP_USERNAME": "env", "UV_INDEX_CORP_PASSWORD": "envpw"},
        netrc_path=None,
    )
    assert store.for_url("https://corp.example/simple/x/") == Credentials("env", "envpw")
    # Files on the same origin (outside the index path) get the index's credentials too.
    assert store.for_url("https://corp.example/files/x.whl") == Credentials("env", "envpw")
    assert store.for_url("https://other.example/a/b/") == Credentials("v", "w")
    assert store.for_url("https://elsewhere.example/") is None


def test_longest_prefix_wins_on_a_shared_origin() -> None:
    store = CredentialStore(
        (
            ("https://h.example/", Credentials("root", "1")),
            ("https://h.example/team/simple", Credentials("team", "2")),
        )
    )
    assert store.for_url("https://h.example/team/simple/x/") == Credentials("team", "2")
    assert store.for_url("https://h.example/other/") == Credentials("root", "1")


def test_netrc_lookup(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(
        "machine files.example login alice password s3cret\ndefault login anon password x\n"
    )
    store = CredentialStore(netrc_path=str(netrc))
    assert store.for_url("https://files.example/p/x.whl") == Credentials("alice", "s3cret")
    assert store.for_url("https://any.example/") == Credentials("anon", "x")
    assert CredentialStore(netrc_path=str(tmp_path / "missing")).for_url("https://a/") is None


def _authorization(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def private_index(tmp_path: Path):
    with IndexServer(tmp_path / "private") as index:
        index.add_wheel("corp-lib", "1.0")
        index.require_auth("alice", "s3cret")
        yield index


def _with_userinfo(url: str, userinfo: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{userinfo}@{rest}"


def test_missing_credentials_give_401_with_hint_and_no_retry(private_index: IndexServer) -> None:
    with HttpClient(ClientOptions(**FAST)) as client, pytest.raises(NetworkError) as caught:
        client.project_page(private_index.simple_url, "corp-lib")
    error = caught.value
    assert error.status == 401
    assert error.message == f"Failed to fetch: {private_index.simple_url}corp-lib/"
    assert "401 Unauthorized" in error.causes[0]
    assert error.hint is not None and "authentication credentials (401 Unauthorized)" in error.hint
    assert len(private_index.requests) == 1


def test_url_credentials_are_sent_and_never_shown(private_index: IndexServer) -> None:
    lines: list[str] = []
    url = _with_userinfo(private_index.simple_url, "alice:s3cret")
    with HttpClient(ClientOptions(**FAST), debug=lines.append) as client:
        page = client.project_page(url, "corp-lib")
        assert page is not None and len(page.files) == 1
        private_index.always("/simple/broken/", 500)
        with pytest.raises(NetworkError) as caught:
            client.project_page(url, "broken")
    rendered = "\n".join([caught.value.message, *caught.value.causes, *lines])
    assert "s3cret" not in rendered
    assert "alice:****@" in rendered
    assert private_index.requests[0].header("authorization") == _authorization("alice", "s3cret")


def test_netrc_credentials(private_index: IndexServer, tmp_path: Path) -> None:
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login alice password s3cret\n")
    options = ClientOptions.from_env({"NETRC": str(netrc), "UV_TEST_NO_HTTP_RETRY_DELAY": "1"})
    with HttpClient(options) as client:
        assert client.project_page(private_index.simple_url, "corp-lib") is not None


def test_home_netrc_is_the_default(private_index: IndexServer, tmp_path: Path) -> None:
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login alice password s3cret\n")
    with HttpClient(ClientOptions.from_env({"HOME": str(tmp_path)})) as client:
        assert client.project_page(private_index.simple_url, "corp-lib") is not None


def test_per_index_environment_credentials(private_index: IndexServer) -> None:
    env = {"UV_INDEX_INTERNAL_USERNAME": "alice", "UV_INDEX_INTERNAL_PASSWORD": "s3cret"}
    options = ClientOptions.from_env(env, indexes=[("internal", private_index.simple_url)])
    with HttpClient(options) as client:
        assert client.project_page(private_index.simple_url, "corp-lib") is not None


def test_cross_origin_redirect_drops_credentials(tmp_path: Path) -> None:
    with IndexServer(tmp_path / "a") as origin, IndexServer(tmp_path / "b") as elsewhere:
        elsewhere.add_wheel("corp-lib", "1.0")
        origin.redirect("/simple/", elsewhere.url)
        url = _with_userinfo(origin.simple_url, "alice:s3cret")
        with HttpClient(ClientOptions(**FAST)) as client:
            page = client.project_page(url, "corp-lib")
        assert page is not None and page.files[0].url.startswith(elsewhere.url)
        (first,) = origin.requests
        (second,) = elsewhere.requests
    assert first.header("authorization") == _authorization("alice", "s3cret")
    assert second.header("authorization") is None


def test_cross_origin_redirect_uses_the_targets_own_credentials(tmp_path: Path) -> None:
    with IndexServer(tmp_path / "a") as origin, IndexServer(tmp_path / "b") as elsewhere:
        elsewhere.add_wheel("corp-lib", "1.0")
        elsewhere.require_auth("bob", "b-pass")
        origin.redirect("/simple/", elsewhere.url)
        store = credential_store(
            [
                ("a", _with_userinfo(origin.simple_url, "alice:s3cret")),
                ("b", _with_userinfo(elsewhere.simple_url, "bob:b-pass")),
            ],
            {},
            netrc_path=None,
        )
        with HttpClient(ClientOptions(credentials=store, **FAST)) as client:
            assert client.project_page(origin.simple_url, "corp-lib") is not None
        assert elsewhere.requests[0].header("authorization") == _authorization("bob", "b-pass")


def test_same_origin_redirect_keeps_credentials(private_index: IndexServer) -> None:
    url = _with_userinfo(private_index.simple_url, "alice:s3cret") + "Corp_Lib/"
    with HttpClient(ClientOptions(**FAST)) as client:
        response = client.get(url)
    assert response.status == 200
    assert [r.path for r in private_index.requests] == ["/simple/Corp_Lib/", "/simple/corp-lib/"]
    assert all(r.header("authorization") for r in private_index.requests)
