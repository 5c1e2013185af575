"""JSON lines: one object per event, in order, as the schemas describe; stats only when asked."""

import io
import json

from helpers import validate
from reprocut.stream.core.events import CutEvent, EndEvent, SourceEvent, StatsEvent
from reprocut.stream.sinks.base import feed
from reprocut.stream.sinks.jsonl import JsonLines

PIXELS = object()  # a cut's frame travels with the event but never goes on the wire
EVENTS = [
    SourceEvent("0", "connected", "file opened"),
    StatsEvent("0", 24, 96.5, 12.0, 30.0, 0, None, [1.0, 1.5], 21),
    CutEvent("0", 30, 1.25, 7.5, 3.0, 1700000000.5, {"kl": 9.0, "pix": float("nan")}, PIXELS),
    EndEvent("0", 48, 1, 2.0, 0, "eof"),
]
LINES = [
    {"type": "source", "stream": "0", "status": "connected", "detail": "file opened"},
    {"type": "stats", "stream": "0", "frames": 24, "fps": 96.5, "latency_ms_p50": 12.0, "latency_ms_p99": 30.0, "dropped": 0,
     "threshold": None, "scores": [1.0, 1.5], "scores_last_frame": 21},
    {"type": "cut", "stream": "0", "frame": 30, "time": 1.25, "score": 7.5, "threshold": 3.0, "wall": 1700000000.5,
     "signals": {"kl": 9.0, "pix": None}},  # JSON has no NaN
    {"type": "end", "stream": "0", "frames": 48, "cuts": 1, "duration": 2.0, "dropped": 0, "reason": "eof"},
]


def test_every_event_but_stats_is_one_line():
    out = io.StringIO()
    feed(EVENTS, [JsonLines(out)])
    assert [validate(json.loads(line)) for line in out.getvalue().splitlines()] == [LINES[0], LINES[2], LINES[3]]
    assert out.getvalue().endswith("\n")


def test_stats_on_request(capsys):
    feed(EVENTS, [JsonLines(stats=True)])  # to stdout by default
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == LINES
