"""Host name resolution shared by every connection of one HTTP client.

HTTP/1.1 opens one connection per request in flight, so a resolution burst starts dozens of
connections to the same host at once, and each one would call `getaddrinfo`. The C library keeps
no cache, and concurrent lookups are where resolvers lose packets: a lost UDP answer costs the
resolver's retry timeout (5 s by default in `resolv.conf`). Here a host is resolved once per
client (concurrent callers wait for the first lookup), and connections then go to its
addresses in the order `getaddrinfo` gave them. Failed lookups are not remembered.

Imported only when a client is built (it subclasses httpcore's network backend).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable

import httpcore


class HostResolver:
    """`getaddrinfo` once per (host, port), thread-safe; concurrent lookups of one host wait
    for the first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[tuple[str, int], tuple[str, ...]] = {}
        self._pending: dict[tuple[str, int], threading.Lock] = {}

    def addresses(self, host: str, port: int) -> tuple[str, ...]:
        """The IP addresses of `host`, resolved on the first call; raises `socket.gaierror`."""
        key = (host, port)
        with self._lock:
            known = self._known.get(key)
            if known is not None:
                return known
            lookup = self._pending.setdefault(key, threading.Lock())
        with lookup:
            with self._lock:
                known = self._known.get(key)
            if known is not None:
                return known
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
            with self._lock:
                self._known[key] = found
                self._pending.pop(key, None)
            return found


class ResolvingBackend(httpcore.SyncBackend):
    """httpcore's blocking backend with host names resolved by a shared `HostResolver`; TLS
    still verifies and sends (SNI) the host name, which httpcore passes separately."""

    def __init__(self, resolver: HostResolver) -> None:
        self.resolver = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to the first of the host's addresses that accepts (as `create_connection`
        does); errors are httpcore's `ConnectError` / `ConnectTimeout`."""
        try:
            addresses = self.resolver.addresses(host, port)
        except OSError as err:
            raise httpcore.ConnectError(str(err)) from err
        last: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as err:
                last = err
        raise last or httpcore.ConnectError(f"no address found for {host}")


def use_resolver(transport: object, resolver: HostResolver) -> bool:
    """Make an `httpx.HTTPTransport` connect through `resolver`; False (and nothing changed)
    when the transport's httpcore pool does not have the expected shape."""
    pool = getattr(transport, "_pool", None)
    if not isinstance(getattr(pool, "_network_backend", None), httpcore.SyncBackend):
        return False
    pool._network_backend = ResolvingBackend(resolver)  # type: ignore[union-attr]
    return True
