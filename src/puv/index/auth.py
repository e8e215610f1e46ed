"""Credentials for indexes and their redaction.

Where credentials come from, in uv's order: the URL itself (`https://user:pass@host/simple`), the
per-index variables `UV_INDEX_<NAME>_USERNAME` / `UV_INDEX_<NAME>_PASSWORD`, then `.netrc` (`NETRC`
or `~/.netrc`). They are sent only to the origin they belong to: a redirect to another origin drops
them (the client asks `CredentialStore.for_url` again for the new URL).

`redact` is the helper every message and log line goes through: `user:pass@` becomes
`user:****@`, a lone username (often a token) becomes `****@`, `ssh://git@` is kept, and the
AWS pre-signed query values `X-Amz-Credential/Signature/Security-Token` become `****`.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

from puv.core.env import env_value

_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/\s@`'\"<>]*)@")
_AWS_QUERY = re.compile(
    r"(?P<key>X-Amz-(?:Credential|Security-Token|Signature))=(?P<value>[^&\s#`'\"<>]*)",
    re.IGNORECASE,
)
_GIT_SSH_SCHEMES = frozenset({"ssh://", "git+ssh://", "git+https://"})


def _redact_userinfo(match: re.Match[str]) -> str:
    scheme, userinfo = match.group("scheme"), match.group("userinfo")
    if not userinfo:
        return match.group(0)
    username, sep, _password = userinfo.partition(":")
    if sep:
        return f"{scheme}{username}:****@"
    if username == "git" and scheme.lower() in _GIT_SSH_SCHEMES:
        return match.group(0)
    return f"{scheme}****@"


def redact(text: str) -> str:
    """`text` (a URL, a message, a log line) with every URL's credentials masked as uv does."""
    if "@" in text:
        text = _USERINFO.sub(_redact_userinfo, text)
    if "amz-" in text or "Amz-" in text or "AMZ-" in text:
        text = _AWS_QUERY.sub(lambda m: f"{m.group('key')}=****", text)
    return text


@dataclass(frozen=True, slots=True)  # not a Struct: the password stays out of `repr`
class Credentials:
    """A username and an optional password (a lone username is a token for some indexes)."""

    username: str
    password: str | None = field(default=None, repr=False)

    def authorization(self) -> str:
        """The value of an HTTP `Authorization: Basic ...` header."""
        raw = f"{self.username}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """`url` without its `user:pass@` part, and those credentials (percent-decoded) if present."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    username, sep, password = userinfo.partition(":")
    bare = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    if not username and not sep:
        return bare, None
    return bare, Credentials(unquote(username), unquote(password) if sep else None)


def origin(url: str) -> tuple[str, str, int | None]:
    """The (scheme, host, port) an URL belongs to; default ports are made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


def same_origin(a: str, b: str) -> bool:
    """Whether two URLs share scheme, host and port (credentials may follow a redirect)."""
    return origin(a) == origin(b)


def index_env_variable(index_name: str, part: str) -> str:
    """`UV_INDEX_<NAME>_<PART>`: the name upper-cased, each non-alphanumeric character as `_`."""
    normalized = "".join(c if c.isascii() and c.isalnum() else "_" for c in index_name.upper())
    return f"UV_INDEX_{normalized}_{part}"


def index_env_credentials(index_name: str, environ: Mapping[str, str]) -> Credentials | None:
    """Credentials for a named index from `UV_INDEX_<NAME>_USERNAME` / `_PASSWORD`, if set."""
    username = env_value(index_env_variable(index_name, "USERNAME"), environ)
    password = env_value(index_env_variable(index_name, "PASSWORD"), environ)
    if username is None and password is None:
        return None
    return Credentials(username or "", password)


def _netrc_entries(path: str) -> dict[str, Credentials]:
    """Host -> credentials from a netrc file (`default` under the key ``""``); {} if unreadable."""
    import netrc

    try:
        parsed = netrc.netrc(path)
    except (OSError, netrc.NetrcParseError):
        return {}
    entries: dict[str, Credentials] = {}
    for host, (login, _account, password) in parsed.hosts.items():
        entries["" if host == "default" else host.lower()] = Credentials(login, password)
    return entries


@dataclass(frozen=True, slots=True)  # not a Struct: the netrc cache is not compared
class CredentialStore:
    """Which credentials go with which URL.

    `prefixes` holds (URL prefix, credentials) pairs from index URLs and per-index variables; the
    longest prefix of the same origin wins. `netrc_path` is read lazily, once, on the first miss.
    """

    prefixes: tuple[tuple[str, Credentials], ...] = ()
    netrc_path: str | None = None
    _netrc: dict[str, dict[str, Credentials]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def for_url(self, url: str) -> Credentials | None:
        """The credentials to send with a request to `url` (which carries none itself).

        An index's credentials apply to its whole origin (files are often served beside the
        pages); when several indexes share an origin, the longest matching URL prefix wins.
        """
        best: tuple[bool, int, Credentials] | None = None
        for prefix, credentials in self.prefixes:
            if not same_origin(prefix, url):
                continue
            stem = prefix.rstrip("/")
            rank = (url == stem or url.startswith(stem + "/"), len(stem), credentials)
            if best is None or rank[:2] > best[:2]:
                best = rank
        if best is not None:
            return best[2]
        return self._from_netrc(url)

    def _from_netrc(self, url: str) -> Credentials | None:
        if self.netrc_path is None:
            return None
        entries = self._netrc.get("entries")
        if entries is None:
            entries = _netrc_entries(self.netrc_path)
            self._netrc["entries"] = entries
        host = (urlsplit(url).hostname or "").lower()
        return entries.get(host) or entries.get("")


def credential_store(
    index_urls: Iterable[tuple[str | None, str]],
    environ: Mapping[str, str],
    netrc_path: str | None,
) -> CredentialStore:
    """A store from (index name, index URL) pairs: URL credentials, then `UV_INDEX_<NAME>_*`."""
    prefixes: list[tuple[str, Credentials]] = []
    for name, url in index_urls:
        bare, from_url = split_credentials(url)
        from_env = index_env_credentials(name, environ) if name else None
        chosen = from_env or from_url
        if chosen is not None:
            prefixes.append((bare, chosen))
    return CredentialStore(tuple(prefixes), netrc_path)
