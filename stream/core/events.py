"""Events the detector emits, as plain dataclasses with a JSON form.

Every sink (JSON lines, scene files, the websocket hub) consumes these; the JSON Schemas in
``schema/`` describe their ``to_dict()`` form, which is the wire format.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any


def _significant(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


# How a number is rounded on the wire: enough for any consumer, without float noise
# ("time": 1.3333333333333333). A field names its kind in its metadata (``wire=...``).
ROUNDING = {
    "time": lambda v: round(v, 6),  # seconds, to the microsecond
    "ratio": _significant,  # scores, thresholds, signal ratios: 4 significant digits
    "rate": lambda v: round(v, 1),  # fps and milliseconds of latency
}


def _clean(value, rounding=None):
    """JSON has no NaN or infinity: map them to None; round floats by ``rounding``, recursively."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return rounding(value) if rounding else value
    if isinstance(value, dict):
        return {k: _clean(v, rounding) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v, rounding) for v in value]
    return value


def _wire(kind: str, **kwargs: Any) -> Any:
    """A dataclass field whose floats go on the wire rounded as ``ROUNDING[kind]``."""
    return field(metadata={"wire": kind}, **kwargs)


@dataclass
class Event:
    def to_dict(self) -> dict:
        """The JSON form: every field except those marked ``wire=False`` (e.g. raw pixels), numbers rounded by kind."""
        body = {f.name: _clean(getattr(self, f.name), ROUNDING.get(f.metadata.get("wire")))
                for f in fields(self) if f.metadata.get("wire", True)}
        return {"type": self.type, **body}


@dataclass
class CutEvent(Event):
    """A new shot starts at ``frame`` (0-based decoded index) / ``time`` (seconds, presentation time)."""

    stream: str
    frame: int
    time: float = _wire("time")
    score: float = _wire("ratio")  # the combined, locally normalised score that crossed the threshold
    threshold: float = _wire("ratio")
    wall: float = _wire("time")  # wall-clock time (unix s) at which that frame was decoded
    signals: dict[str, float] = _wire("ratio", default_factory=dict)  # each signal's locally normalised ratio
    pixels: Any = field(default=None, repr=False, compare=False, metadata={"wire": False})  # the new shot's first frame, uint8 [S,S,3]
    type = "cut"


@dataclass
class TransitionEvent(Event):
    """A gradual change of scene over frames ``start``..``end`` (inclusive, 0-based decoded indices),
    emitted once it has ended. A cut sent before it (at once, as cuts are) that it holds is listed in
    ``cuts``: one change of scene, which scene lists count once (``core/reconcile.placed``)."""

    stream: str
    start: int
    end: int
    kind: str  # fade | dissolve | wipe
    time: float = _wire("time")  # presentation time of ``start``
    end_time: float = _wire("time")  # presentation time of ``end``
    score: float = _wire("ratio")  # how far the picture travelled, relative to the cut level
    wall: float = _wire("time")  # wall-clock time (unix s) at which ``end`` was decoded
    cuts: list[int] = field(default_factory=list)  # frames of cuts already sent that it holds: the same change, not another
    type = "transition"

    @property
    def middle(self) -> int:
        """Its middle frame: its scene boundary when it holds no cut (``core/reconcile.placed``)."""
        return (self.start + self.end + 1) // 2


@dataclass
class StatsEvent(Event):
    stream: str
    frames: int
    fps: float = _wire("rate")  # frames scored per second over the last interval
    latency_ms_p50: float = _wire("rate")  # decode -> event emission, over the last interval
    latency_ms_p99: float = _wire("rate")
    dropped: int  # frames dropped by the ring buffer so far (live sources only)
    threshold: float | None = _wire("ratio")
    scores: list[float] = _wire("ratio", default_factory=list)  # recent combined scores, oldest first
    scores_last_frame: int = -1  # the frame the last of ``scores`` belongs to (-1: none scored yet)
    type = "stats"


@dataclass
class SourceEvent(Event):
    stream: str
    status: str  # connected | lost | reconnecting | ended | stopped | failed
    detail: str = ""
    type = "source"


@dataclass
class EndEvent(Event):
    stream: str
    frames: int
    cuts: int
    duration: float = _wire("time")  # seconds of media scored
    dropped: int
    reason: str = "eof"  # eof | stopped | failed
    type = "end"
