"""Events the detector emits, as plain dataclasses with a JSON form.

Every sink (JSON lines, scene files, the websocket hub) consumes these; the JSON Schemas in
``schema/`` describe their ``to_dict()`` form, which is the wire format.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any


def _clean(value):
    """JSON has no NaN or infinity: map them to None, recursively."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


@dataclass
class Event:
    def to_dict(self) -> dict:
        """The JSON form: every field except those marked ``wire=False`` (e.g. raw pixels)."""
        body = {f.name: getattr(self, f.name) for f in fields(self) if f.metadata.get("wire", True)}
        return _clean({"type": self.type, **body})


@dataclass
class CutEvent(Event):
    """A new shot starts at ``frame`` (0-based decoded index) / ``time`` (seconds, presentation time)."""

    stream: str
    frame: int
    time: float
    score: float  # the combined, locally normalised score that crossed the threshold
    threshold: float
    wall: float  # wall-clock time (unix s) at which that frame was decoded
    signals: dict[str, float] = field(default_factory=dict)  # each signal's locally normalised ratio
    pixels: Any = field(default=None, repr=False, compare=False, metadata={"wire": False})  # the new shot's first frame, uint8 [S,S,3]
    type = "cut"


@dataclass
class StatsEvent(Event):
    stream: str
    frames: int
    fps: float  # frames scored per second over the last interval
    latency_ms_p50: float  # decode -> event emission, over the last interval
    latency_ms_p99: float
    dropped: int  # frames dropped by the ring buffer so far (live sources only)
    threshold: float | None
    scores: list[float] = field(default_factory=list)  # recent combined scores, oldest first
    scores_last_frame: int = -1  # the frame the last of ``scores`` belongs to (-1: none scored yet)
    type = "stats"


@dataclass
class SourceEvent(Event):
    stream: str
    status: str  # connected | lost | reconnecting | ended | failed
    detail: str = ""
    type = "source"


@dataclass
class EndEvent(Event):
    stream: str
    frames: int
    cuts: int
    duration: float  # seconds of media scored
    dropped: int
    reason: str = "eof"  # eof | stopped | failed
    type = "end"
