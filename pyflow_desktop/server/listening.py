"""Where the server listens and whether it asks for a token.

The REST API runs code, so off loopback it needs a token: the one given, else one made here
(and shown to the user). A token given on loopback is required too.
"""

from __future__ import annotations

import ipaddress
import secrets
import socket
import sys
from dataclasses import dataclass

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")
WINDOWS = sys.platform == "win32"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or name (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServeSettings:
    host: str
    port: int
    token: str | None
    made_token: bool  # the token was made here (and must be shown to the user)


def settings_for(host: str, port: int, token: str | None) -> ServeSettings:
    """The token rule: required off loopback (made when not given), optional on it; raises
    ``ValueError`` for an empty token."""
    if token is not None and not token.strip():
        raise ValueError("--token must not be empty")
    if token is None and not is_loopback(host):
        return ServeSettings(host, port, secrets.token_urlsafe(24), True)
    return ServeSettings(host, port, token, False)


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (raises ``OSError`` saying why it cannot be, a port
    that another program uses included)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM
    )[0]
    listening = socket.socket(family, kind, proto)
    try:
        listening.setsockopt(socket.SOL_SOCKET, _port_option(), 1)
        listening.bind(address)
    except OSError:
        listening.close()
        raise
    return listening


def _port_option() -> int:
    """The option that keeps a port used by another socket from binding. Windows lets
    ``SO_REUSEADDR`` take over a port someone listens on, so there ``SO_EXCLUSIVEADDRUSE``;
    elsewhere ``SO_REUSEADDR`` only lets a restarted server have its port back while the
    last one's connections close (TIME_WAIT)."""
    return socket.SO_EXCLUSIVEADDRUSE if WINDOWS else socket.SO_REUSEADDR  # type: ignore[attr-defined]  # Windows only
