"""Host name resolution shared by every connection of one HTTP client.

HTTP/1.1 opens one connection per request in flight, so a resolution burst starts dozens of
connections to the same host at once, and each one would call `getaddrinfo`. The C library keeps
no cache, and concurrent lookups are where resolvers lose packets: a lost UDP answer costs the
resolver's retry timeout (5 s by default in `resolv.conf`). Here a host is resolved once per
client (concurrent callers wait for the first lookup), and connections then go to its
addresses in the order `getaddrinfo` gave them. Failed lookups are not remembered.

Used by `connections.ConnectionPool`, which opens every connection of a client.
"""

from __future__ import annotations

import socket
import threading


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
