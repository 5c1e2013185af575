"""The websocket hub without I/O: detector events in, one bounded queue of JSON texts per subscriber out.

The hub turns each detector event into its JSON message once, keeps the state a late joiner
needs (stream info, recent cuts and transitions, the whole run's score trace and scene count
(``history.py``), last stats, status, end) and offers the message to every
subscriber's bounded queue. A full queue drops its oldest ``stats`` first (the next one
supersedes it), then its oldest message; the subscriber is told what it missed with a
``lagged`` message, and one that misses ``max_missed`` in a row is closed with
``CLOSE_TOO_SLOW``. ``publish()`` never waits, so a client that stops reading cannot delay
detection or the other clients. ``server.py`` is its asyncio face, after the websockets
library's own split between protocol and I/O::

    hub = Hub([{"id": "0", "source": "a.mp4", "fps": 25.0, "width": 640, "height": 360, "live": False}], "model")
    sub = hub.subscribe()
    hub.publish(event)
    sub.take()  # -> [JSON text of the event]

The wire protocol is documented in ``docs/websocket.md`` and described by ``schema/*.json``.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from ... import __version__
from ...core.events import CutEvent, Event, TransitionEvent
from .history import SceneCount, ScoreTrace
from .thumbs import ThumbStore

log = logging.getLogger(__name__)

PROTOCOL = 1  # bumped on any incompatible change of the messages
CLOSE_TOO_SLOW = 4001  # the subscriber missed more than ``max_missed`` messages in a row


@dataclass
class HubConfig:
    client_queue: int = 256  # messages buffered per subscriber
    max_missed: int | None = None  # missed in a row before the subscriber is closed (0: never; None: 4 x client_queue)
    history: int = 500  # recent cuts (and as many transitions) per stream kept for ``hello`` (page reloads, late joiners)
    trace_points: int = 1024  # the whole run's score trace per stream, downsampled to at most this many points


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
        return out


@dataclass
class StreamView:
    """What the hub remembers about one stream (all JSON-ready)."""

    info: dict[str, Any]
    status: str = "starting"  # until the source reports, or the first frames are scored ("running")
    detail: str = ""
    cuts: deque = field(default_factory=deque)
    cuts_total: int = 0
    transitions: deque = field(default_factory=deque)
    stats: dict | None = None
    end: dict | None = None
    scenes: SceneCount = field(default_factory=SceneCount)
    trace: ScoreTrace = field(default_factory=ScoreTrace)

    def to_dict(self) -> dict:
        return {**self.info, "status": self.status, "detail": self.detail, "cuts_total": self.cuts_total,
                "scenes": self.scenes.scenes, "cuts": list(self.cuts), "transitions": list(self.transitions),
                "trace": self.trace.to_dict(), "stats": self.stats, "end": self.end}

    def decided_by(self, cut: CutEvent) -> str:
        """Why a cut is one: its score passed the calibrated (or fixed) ``threshold``; the ``prior`` threshold, in
        the warm-up of a live or paced stream (``prior_s``), before k-means had its window; or, below the
        threshold, two ``unrelated`` pictures, each continuing its own shot (a cut whatever the threshold)."""
        if cut.score < cut.threshold:
            return "unrelated"
        prior_frames = math.ceil(self.info.get("prior_s", 0.0) * self.info["fps"] - 1e-6)  # the warm-up's last frame
        return "prior" if self.info.get("prior_s", 0.0) > 0 and cut.frame <= prior_frames else "threshold"


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
            self.streams[info["id"]] = StreamView(self._public(info), cuts=deque(maxlen=self.cfg.history),
                                                  transitions=deque(maxlen=self.cfg.history),
                                                  trace=ScoreTrace(self.cfg.trace_points))

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
            view.info = self._public({**view.info, **info})

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
        if view.status == "starting" and msg["type"] in ("cut", "transition", "stats"):
            view.status = "running"  # a file reports no "connected": its first scored frames say it runs
        if isinstance(event, CutEvent):
            aspect = view.info["width"] / view.info["height"] if view.info.get("height") else 1.0
            kept = event.pixels is not None and self.thumbs.add(event.stream, event.frame, event.pixels, aspect)
            msg.update(thumbnail=thumb_path(event.stream, event.frame) if kept else None,
                       scene=view.scenes.cut(event.frame, event.time), decided_by=view.decided_by(event))
            view.cuts.append(msg)
            view.cuts_total += 1
        elif isinstance(event, TransitionEvent):
            msg["scene"] = view.scenes.transition(event)
            view.transitions.append(msg)
        elif msg["type"] == "stats":
            view.trace.add(msg["scores_last_frame"], msg["scores"])
            view.stats = msg
        elif msg["type"] == "source":
            msg["detail"] = self._scrub(msg.get("detail", ""))
            if msg["status"] == "connected":  # a live source's format is known from now on
                msg.update(fps=view.info["fps"], width=view.info["width"], height=view.info["height"])
            view.status, view.detail = msg["status"], msg["detail"]
        elif msg["type"] == "end":
            msg["scenes"] = view.scenes.scenes if msg["frames"] else 0  # as many as the scene lists have
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
