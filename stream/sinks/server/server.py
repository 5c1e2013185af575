"""The hub's asyncio face: pages, thumbnails and the ``/ws`` event stream on one port.

Built on ``websockets.asyncio.server``: ``/ws`` subscribes to the ``Hub`` (``hub.py``, no I/O),
every other path is answered from ``process_request`` (pages from ``web/``, ``/thumbs/...``,
``/state``, ``/schema/...``), after the checks of ``access.py``. Each subscriber has its own
sender task, so a blocked socket only blocks its own sender::

    server = Server(hub, ServerConfig(port=0))
    await server.start()   # server.url: http://127.0.0.1:PORT
    ...
    await server.close()
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ... import __version__
from .access import refuse_host, refuse_origin, refuse_token
from .hub import Hub, Subscriber

log = logging.getLogger(__name__)

CLOSE_DONE = 1000  # normal closure: all sources ended and --exit-when-done


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8765  # 0: any free port (see ``Server.port``)
    token: str | None = None  # required on every request when set
    allow_origin: list[str] = field(default_factory=list)  # browser origins allowed besides the server's own ("*": any)
    max_message: int = 1024  # bytes; clients have nothing to say, larger messages close them (1009)
    close_timeout_s: float = 5.0


def _web_files() -> dict[str, bytes]:
    root = resources.files("reprocut.stream.sinks.server") / "web"
    return {p.name: p.read_bytes() for p in root.iterdir() if p.is_file() and not p.name.startswith(".")}


def _schema_files() -> dict[str, bytes]:
    root = resources.files("reprocut.stream.sinks.server") / "schema"
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
        refused = (refuse_host(connection, request, self.cfg.host, self.cfg.token)
                   or refuse_token(connection, request, query, self.cfg.token, self._cookie))
        if refused is not None:
            return refused
        if path == "/ws":
            refused = refuse_origin(connection, request, self.cfg.allow_origin)
            if refused is not None:
                return refused
            stream = query.get("stream", [None])[0] or None
            if stream is not None and stream not in self.hub.streams:
                return connection.respond(HTTPStatus.NOT_FOUND, f"no stream {stream!r}; streams: {', '.join(self.hub.streams)}\n")
            connection.reprocut_stream = stream
            return None
        if path in ("/", "/index.html"):
            return self._page("index.html", query)
        if path in ("/overlay", "/overlay.html"):
            return self._page("overlay.html", query)
        if path.startswith("/static/") and path[8:] in self.web and _NAME.match(path[8:]):
            return self._ok(self.web[path[8:]], path[8:])
        if path.startswith("/schema/") and path[8:] in self.schemas:
            return self._ok(self.schemas[path[8:]], path[8:])
        if path == "/state":
            return self._ok(json.dumps(self.hub.hello()).encode(), "state.json")
        if path == "/favicon.ico":
            return self._ok(b"", "x.ico", HTTPStatus.NO_CONTENT)
        match = _THUMB.match(path)
        if match:
            data = self.hub.thumbs.jpeg(unquote(match.group(1)), int(match.group(2)))
            if data is not None:
                return self._ok(data, "thumb.jpg")
        return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")

    def _ok(self, body: bytes, name: str, status: HTTPStatus = HTTPStatus.OK):
        from websockets.datastructures import Headers
        from websockets.http11 import Response

        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/json", "application/javascript"):
            ctype += "; charset=utf-8"
        headers = Headers([("Date", email.utils.formatdate(usegmt=True)), ("Connection", "close"),
                           ("Content-Length", str(len(body))), ("Content-Type", ctype),
                           ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff")])
        return Response(status.value, status.phrase, headers, body)

    def _page(self, name: str, query: dict):
        response = self._ok(self.web[name], name)
        response.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; "
                                                       "style-src 'self'; script-src 'self'; frame-ancestors 'none'")
        response.headers["Referrer-Policy"] = "no-referrer"
        if self.cfg.token and "token" in query:  # later requests of the page (scripts, thumbnails) send the cookie
            response.headers["Set-Cookie"] = f"{self._cookie}={self.cfg.token}; HttpOnly; SameSite=Strict; Path=/"
        return response
