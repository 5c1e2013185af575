"""Who may talk to the server: a secret token, browser origins and, without a token, loopback Host names.

Each ``refuse_*`` check returns ``None`` to let a request through, or the HTTP response that
refuses it (401/403 with a one-line reason), so the server's router can answer with it as is.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from http import HTTPStatus
from urllib.parse import urlsplit

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}
TOKEN = re.compile(r"^[A-Za-z0-9._~-]{8,200}$")  # unreserved URL characters: safe in a query, a header and a cookie


def is_loopback(host: str) -> bool:
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refuse_host(connection, request, bound: str, token: str | None):
    """Bound to loopback without a token: accept loopback Host names only (DNS rebinding)."""
    if token or not is_loopback(bound):
        return None
    host = request.headers.get("Host", "")
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if is_loopback(name):
        return None
    return connection.respond(HTTPStatus.FORBIDDEN, f"Host {host!r} refused: this server answers to localhost only\n")


def refuse_token(connection, request, query: dict, token: str | None, cookie: str):
    """With a token set, every request carries it: ``?token=``, ``Authorization: Bearer`` or the ``cookie``."""
    if not token:
        return None
    offered = query.get("token", [None])[0]
    auth = request.headers.get("Authorization", "")
    if offered is None and auth.lower().startswith("bearer "):
        offered = auth[7:].strip()
    if offered is None:
        for part in request.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == cookie:
                offered = value
    if offered is None:
        response = connection.respond(HTTPStatus.UNAUTHORIZED, "token required: add ?token=... or an 'Authorization: Bearer ...' header\n")
        response.headers["WWW-Authenticate"] = 'Bearer realm="reprocut"'
        return response
    if not hmac.compare_digest(offered.encode(), token.encode()):
        return connection.respond(HTTPStatus.FORBIDDEN, "wrong token\n")
    return None


def refuse_origin(connection, request, allow_origin: list[str]):
    """Browsers may subscribe from the server's own pages and from ``allow_origin``."""
    origin = request.headers.get("Origin")
    if origin is None or "*" in allow_origin or origin in allow_origin:
        return None  # no Origin: not a browser, so no cross-site request to defend against
    if urlsplit(origin).netloc and urlsplit(origin).netloc == request.headers.get("Host"):
        return None
    return connection.respond(HTTPStatus.FORBIDDEN, f"origin {origin} not allowed (see --allow-origin)\n")
