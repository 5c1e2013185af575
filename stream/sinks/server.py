"""The websocket hub: cut events to every subscriber, pages and thumbnails over HTTP, one port.

Two layers, after the websockets library's own split:

- ``Hub`` and ``Subscriber`` hold the logic and do no I/O: the hub turns each detector event
  into its JSON message once, keeps the state a late joiner needs (stream info, recent cuts,
  last stats, status, end) and offers the message to every subscriber's bounded queue. A full
  queue drops its oldest ``stats`` first (the next one supersedes it), then its oldest message;
  the subscriber is told what it missed with a ``lagged`` message, and one that misses
  ``max_missed`` in a row is closed with ``CLOSE_TOO_SLOW``. ``publish()`` never waits, so a
  client that stops reading cannot delay detection or the other clients.
- ``Server`` is the asyncio face (``websockets.asyncio.server``): ``/ws`` subscribes, every
  other path is answered from ``process_request`` (pages from ``web/``, ``/thumbs/...``,
  ``/state``, ``/schema/...``). Each subscriber has its own sender task, so a blocked socket
  only blocks its own sender.

The wire protocol is documented in ``docs/websocket.md`` and described by ``schema/*.json``.
"""

from __future__ import annotations

import asyncio
import email.utils
import hmac
import ipaddress
import json
import logging
import mimetypes
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit, urlunsplit

from .. import __version__
from ..core.events import CutEvent, Event
from .thumbs import ThumbStore

log = logging.getLogger(__name__)

PROTOCOL = 1  # bumped on any incompatible change of the messages
CLOSE_TOO_SLOW = 4001  # the subscriber missed more than ``max_missed`` messages in a row
CLOSE_DONE = 1000  # normal closure: all sources ended and --exit-when-done
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


# -- the sans-I/O core ---------------------------------------------------------------------
@dataclass
class HubConfig:
    client_queue: int = 256  # messages buffered per subscriber
    max_missed: int | None = None  # missed in a row before the subscriber is closed (0: never; None: 4 x client_queue)
    history: int = 500  # recent cuts per stream kept for ``hello`` (page reloads, late joiners)


class Subscriber:
    """One client's bounded queue of JSON texts. ``wake`` is called whenever there is news."""

    def __init__(self, stream: str | None, cfg: HubConfig, wake: Callable[[], None] = lambda: None):
        self.stream = stream  # None: every stream
        self.cfg = cfg
        self.wake = wake
        self.queue: deque[tuple[str, str]] = deque()  # (message type, JSON text)
        self.missed = 0  # since the last take(): reported in the next ``lagged`` message
        self.missed_cuts = 0
        self.missed_total = 0
        self.sent = 0
        self.close_code: int | None = None
        self.close_reason = ""

    def wants(self, stream: str | None) -> bool:
        return self.stream is None or stream is None or stream == self.stream

    def offer(self, kind: str, text: str) -> None:
        """Queue a message; never blocks. Overflow drops and counts instead."""
        if self.close_code is not None:
            return
        if len(self.queue) >= max(self.cfg.client_queue, 1):
            self._drop_one()
        self.queue.append((kind, text))
        limit = 4 * self.cfg.client_queue if self.cfg.max_missed is None else self.cfg.max_missed
        if limit and self.missed >= limit:
            self.close_code = CLOSE_TOO_SLOW
            self.close_reason = f"too slow: missed {self.missed} messages"
        self.wake()

    def _drop_one(self) -> None:
        victim = next((i for i, (kind, _) in enumerate(self.queue) if kind == "stats"), 0)
        kind, _ = self.queue[victim]
        del self.queue[victim]
        self.missed += 1
        self.missed_total += 1
        self.missed_cuts += kind == "cut"

    def take(self) -> list[str]:
        """Everything queued, oldest first, after a ``lagged`` notice if messages were dropped."""
        out = [text for _, text in self.queue]
        self.queue.clear()
        if self.missed:
            out.insert(0, json.dumps({"type": "lagged", "missed": self.missed, "missed_cuts": self.missed_cuts}))
            self.missed = self.missed_cuts = 0
        self.sent += len(out)
        return out


@dataclass
class StreamView:
    """What the hub remembers about one stream (all JSON-ready)."""

    info: dict[str, Any]
    status: str = "starting"
    detail: str = ""
    cuts: deque = field(default_factory=deque)
    cuts_total: int = 0
    stats: dict | None = None
    end: dict | None = None

    def to_dict(self) -> dict:
        return {**self.info, "status": self.status, "detail": self.detail, "cuts_total": self.cuts_total,
                "cuts": list(self.cuts), "stats": self.stats, "end": self.end}


def redact_url(url: str) -> str:
    """Hide the password of ``scheme://user:password@host/...`` (cameras' URLs carry them)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.password is None:
        return url
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def thumb_path(stream: str, frame: int) -> str:
    return f"/thumbs/{quote(stream, safe='')}/{frame}.jpg"


class Hub:
    """Fans detector events out to subscribers and keeps the state that ``hello`` reports."""

    def __init__(self, streams: list[dict], model: str, cfg: HubConfig | None = None, thumbs: ThumbStore | None = None):
        self.cfg = cfg or HubConfig()
        self.model = model
        self.thumbs = thumbs if thumbs is not None else ThumbStore()
        self.subscribers: list[Subscriber] = []
        self.streams: dict[str, StreamView] = {}
        self._secrets: dict[str, str] = {}  # raw source URL -> redacted, also scrubbed from details
        for info in streams:
            self.streams[info["id"]] = StreamView(self._public(info), cuts=deque(maxlen=self.cfg.history))

    def _public(self, info: dict) -> dict:
        info = dict(info)
        redacted = redact_url(info["source"])
        if redacted != info["source"]:
            self._secrets[info["source"]] = redacted
        info["source"] = redacted
        return info

    def _scrub(self, text: str) -> str:
        for raw, redacted in self._secrets.items():
            text = text.replace(raw, redacted)
        return text

    @property
    def done(self) -> bool:
        """Every stream has sent its ``end``."""
        return all(v.end is not None for v in self.streams.values())

    def subscribe(self, stream: str | None = None, wake: Callable[[], None] = lambda: None) -> Subscriber:
        if stream is not None and stream not in self.streams:
            raise KeyError(stream)
        sub = Subscriber(stream, self.cfg, wake)
        self.subscribers.append(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        if sub in self.subscribers:
            self.subscribers.remove(sub)
        if sub.missed_total:
            log.info("subscriber left after missing %d messages", sub.missed_total)

    def update_info(self, info: dict) -> None:
        """Refresh fps and resolution of a stream (known for a live source only once connected)."""
        view = self.streams.get(info["id"])
        if view is not None:
            view.info = self._public(info)

    def hello(self, stream: str | None = None) -> dict:
        views = [v for sid, v in self.streams.items() if stream is None or sid == stream]
        return {"type": "hello", "protocol": PROTOCOL, "version": __version__, "model": self.model,
                "server_time": time.time(), "stream": stream, "streams": [v.to_dict() for v in views]}

    def message(self, event: Event) -> dict:
        """The wire form of a detector event, and the state update it implies."""
        msg = event.to_dict()
        view = self.streams.get(getattr(event, "stream", None))
        if view is None:
            return msg
        if isinstance(event, CutEvent):
            aspect = view.info["width"] / view.info["height"] if view.info.get("height") else 1.0
            kept = event.pixels is not None and self.thumbs.add(event.stream, event.frame, event.pixels, aspect)
            msg["thumbnail"] = thumb_path(event.stream, event.frame) if kept else None
            view.cuts.append(msg)
            view.cuts_total += 1
        elif msg["type"] == "stats":
            view.stats = msg
        elif msg["type"] == "source":
            msg["detail"] = self._scrub(msg.get("detail", ""))
            if msg["status"] == "connected":  # a live source's format is known from now on
                msg.update(fps=view.info["fps"], width=view.info["width"], height=view.info["height"])
            view.status, view.detail = msg["status"], msg["detail"]
        elif msg["type"] == "end":
            view.end = msg
            view.status = "ended" if msg.get("reason") != "failed" else "failed"
        return msg

    def publish(self, event: Event) -> dict:
        """Record ``event`` and queue it for every interested subscriber; never blocks."""
        msg = self.message(event)
        text = json.dumps(msg)
        for sub in list(self.subscribers):
            if sub.wants(msg.get("stream")):
                sub.offer(msg["type"], text)
        return msg


# -- the asyncio face ----------------------------------------------------------------------
@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8765  # 0: any free port (see ``Server.port``)
    token: str | None = None  # required on every request when set
    allow_origin: list[str] = field(default_factory=list)  # browser origins allowed besides the server's own ("*": any)
    max_message: int = 1024  # bytes; clients have nothing to say, larger messages close them (1009)
    close_timeout_s: float = 5.0


def is_loopback(host: str) -> bool:
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _web_files() -> dict[str, bytes]:
    root = resources.files("reprocut.stream.sinks") / "web"
    return {p.name: p.read_bytes() for p in root.iterdir() if p.is_file() and not p.name.startswith(".")}


def _schema_files() -> dict[str, bytes]:
    root = resources.files("reprocut.stream.sinks") / "schema"
    return {p.name: p.read_bytes() for p in root.iterdir() if p.is_file() and p.name.endswith(".json")}


_THUMB = re.compile(r"^/thumbs/([^/]+)/(\d{1,12})\.jpg$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class Server:
    """Serves ``hub`` on one port: HTTP pages and the ``/ws`` event stream.

    ``on_subscriber`` is called once a websocket client has received its ``hello``.
    """

    def __init__(self, hub: Hub, cfg: ServerConfig | None = None, on_subscriber: Callable[[], None] = lambda: None):
        self.hub = hub
        self.cfg = cfg or ServerConfig()
        self.on_subscriber = on_subscriber
        self.port = self.cfg.port
        self.web = _web_files()
        self.schemas = _schema_files()
        self._server = None
        self._connections: dict[Any, Subscriber] = {}
        self._sending: set[Any] = set()
        self._cookie = f"reprocut_token_{self.cfg.port}"

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        from websockets.asyncio.server import serve

        self._server = await serve(
            self._handler, self.cfg.host, self.cfg.port, process_request=self._process_request,
            max_size=self.cfg.max_message, max_queue=4, close_timeout=self.cfg.close_timeout_s,
            server_header=f"reprocut/{__version__}",
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._cookie = f"reprocut_token_{self.port}"  # cookies are per host, not per port

    @property
    def url(self) -> str:
        host = self.cfg.host if self.cfg.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def idle(self) -> bool:
        """No subscriber has anything left to send."""
        return not self._sending and all(not sub.queue for sub in self._connections.values())

    async def close(self, code: int = 1001, reason: str = "server shutting down") -> None:
        """Close every subscriber with ``code``, then stop listening."""
        await asyncio.gather(*(self._close(ws, code, reason) for ws in list(self._connections)), return_exceptions=True)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _close(self, ws, code: int, reason: str) -> None:
        try:
            await asyncio.wait_for(ws.close(code, reason), self.cfg.close_timeout_s)
        except (asyncio.TimeoutError, Exception):  # a client that does not read cannot take a close frame
            ws.transport.abort()

    # -- websocket subscribers --------------------------------------------------------------
    async def _handler(self, ws) -> None:
        from websockets.exceptions import ConnectionClosed

        ready = asyncio.Event()
        closing: list[asyncio.Task] = []

        def wake() -> None:
            ready.set()
            if sub.close_code is not None and not closing:  # from outside the sender, which may be stuck in send()
                log.warning("closing a subscriber: %s", sub.close_reason)
                closing.append(asyncio.ensure_future(self._close(ws, sub.close_code, sub.close_reason)))

        stream = getattr(ws, "reprocut_stream", None)
        sub = self.hub.subscribe(stream, wake)
        self._connections[ws] = sub
        reader = asyncio.create_task(self._read(ws, ready))
        log.info("subscriber connected from %s%s (%d now)", ws.remote_address[0] if ws.remote_address else "?",
                 f" for stream {stream}" if stream else "", len(self._connections))
        try:
            await ws.send(json.dumps(self.hub.hello(stream)))
            self.on_subscriber()
            while ws.state.name == "OPEN" and sub.close_code is None:
                await ready.wait()
                ready.clear()
                self._sending.add(ws)
                try:
                    for text in sub.take():
                        await ws.send(text)
                finally:
                    self._sending.discard(ws)
            if closing:
                await closing[0]
        except ConnectionClosed:
            pass
        finally:
            reader.cancel()
            self.hub.unsubscribe(sub)
            self._connections.pop(ws, None)
            log.info("subscriber left (%d now)", len(self._connections))

    async def _read(self, ws, ready: asyncio.Event) -> None:
        """Clients have nothing to say: text is ignored, binary closes them (1003)."""
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in ws:
                if isinstance(message, bytes):
                    await ws.close(1003, "binary messages are not supported")
                    break
        except ConnectionClosed:
            pass
        finally:
            ready.set()  # let the sender notice that the connection is gone

    # -- HTTP -------------------------------------------------------------------------------
    def _process_request(self, connection, request):
        """Route a request: ``/ws`` goes on to the websocket handshake, the rest is answered here."""
        url = urlsplit(request.path)
        query = parse_qs(url.query)
        path = url.path
        refused = self._refuse_host(connection, request) or self._refuse_token(connection, request, query)
        if refused is not None:
            return refused
        if path == "/ws":
            refused = self._refuse_origin(connection, request)
            if refused is not None:
                return refused
            stream = query.get("stream", [None])[0] or None
            if stream is not None and stream not in self.hub.streams:
                return connection.respond(HTTPStatus.NOT_FOUND, f"no stream {stream!r}; streams: {', '.join(self.hub.streams)}\n")
            connection.reprocut_stream = stream
            return None
        if path in ("/", "/index.html"):
            return self._page(connection, "index.html", query)
        if path in ("/overlay", "/overlay.html"):
            return self._page(connection, "overlay.html", query)
        if path.startswith("/static/") and path[8:] in self.web and _NAME.match(path[8:]):
            return self._ok(connection, self.web[path[8:]], path[8:])
        if path.startswith("/schema/") and path[8:] in self.schemas:
            return self._ok(connection, self.schemas[path[8:]], path[8:])
        if path == "/state":
            return self._ok(connection, json.dumps(self.hub.hello()).encode(), "state.json")
        if path == "/favicon.ico":
            return self._ok(connection, b"", "x.ico", HTTPStatus.NO_CONTENT)
        match = _THUMB.match(path)
        if match:
            data = self.hub.thumbs.jpeg(unquote(match.group(1)), int(match.group(2)))
            if data is not None:
                return self._ok(connection, data, "thumb.jpg")
        return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")

    def _ok(self, connection, body: bytes, name: str, status: HTTPStatus = HTTPStatus.OK):
        from websockets.datastructures import Headers
        from websockets.http11 import Response

        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/json", "application/javascript"):
            ctype += "; charset=utf-8"
        headers = Headers([("Date", email.utils.formatdate(usegmt=True)), ("Connection", "close"),
                           ("Content-Length", str(len(body))), ("Content-Type", ctype),
                           ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff")])
        return Response(status.value, status.phrase, headers, body)

    def _page(self, connection, name: str, query: dict):
        response = self._ok(connection, self.web[name], name)
        response.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
                                                       "style-src 'self'; script-src 'self'; frame-ancestors 'none'")
        response.headers["Referrer-Policy"] = "no-referrer"
        if self.cfg.token and "token" in query:  # later requests of the page (scripts, thumbnails) send the cookie
            response.headers["Set-Cookie"] = f"{self._cookie}={self.cfg.token}; HttpOnly; SameSite=Strict; Path=/"
        return response

    def _refuse_host(self, connection, request):
        """Bound to loopback without a token: accept loopback Host names only (DNS rebinding)."""
        if self.cfg.token or not is_loopback(self.cfg.host):
            return None
        host = request.headers.get("Host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if is_loopback(name):
            return None
        return connection.respond(HTTPStatus.FORBIDDEN, f"Host {host!r} refused: this server answers to localhost only\n")

    def _refuse_token(self, connection, request, query: dict):
        if not self.cfg.token:
            return None
        offered = query.get("token", [None])[0]
        auth = request.headers.get("Authorization", "")
        if offered is None and auth.lower().startswith("bearer "):
            offered = auth[7:].strip()
        if offered is None:
            for part in request.headers.get("Cookie", "").split(";"):
                name, _, value = part.strip().partition("=")
                if name == self._cookie:
                    offered = value
        if offered is None:
            response = connection.respond(HTTPStatus.UNAUTHORIZED, "token required: add ?token=... or an 'Authorization: Bearer ...' header\n")
            response.headers["WWW-Authenticate"] = 'Bearer realm="reprocut"'
            return response
        if not hmac.compare_digest(offered.encode(), self.cfg.token.encode()):
            return connection.respond(HTTPStatus.FORBIDDEN, "wrong token\n")
        return None

    def _refuse_origin(self, connection, request):
        """Browsers may subscribe from the server's own pages and from ``allow_origin``."""
        origin = request.headers.get("Origin")
        if origin is None or "*" in self.cfg.allow_origin or origin in self.cfg.allow_origin:
            return None  # no Origin: not a browser, so no cross-site request to defend against
        if urlsplit(origin).netloc and urlsplit(origin).netloc == request.headers.get("Host"):
            return None
        return connection.respond(HTTPStatus.FORBIDDEN, f"origin {origin} not allowed (see --allow-origin)\n")
