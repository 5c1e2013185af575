"""JSON lines: one object per event, in order, as the schemas describe; stats only when asked."""

import io
import json

from helpers import jsonl_events, run_cli, validate
from reprocut.stream.core.events import (
    CutEvent,
    EndEvent,
    SourceEvent,
    StatsEvent,
    TransitionEvent,
)
from reprocut.stream.sinks.base import feed
from reprocut.stream.sinks.files.jsonl import JsonLines

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


def test_a_transition_is_one_line_of_its_schema():
    out = io.StringIO()
    feed([TransitionEvent("0", 132, 159, "dissolve", 5.28, 6.36, 1.723456, 1700000001.25, [146]), EndEvent("0", 200, 0, 8.0, 0)],
         [JsonLines(out)])
    first = validate(json.loads(out.getvalue().splitlines()[0]))
    assert first == {"type": "transition", "stream": "0", "start": 132, "end": 159, "kind": "dissolve", "time": 5.28,
                     "end_time": 6.36, "score": 1.723, "wall": 1700000001.25, "cuts": [146]}


def test_stats_on_request(capsys):
    feed(EVENTS, [JsonLines(stats=True)])  # to stdout by default
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == LINES


def test_numbers_are_rounded_on_the_wire():
    """Times to the microsecond, scores and ratios to 4 significant digits, fps and latency to 0.1."""
    cut = CutEvent("0", 32, 4 / 3, 245.93397387519775, 4.123456, 1795400422.1612345678, {"kl": 43.01234, "pix": 0.000123456})
    stats = StatsEvent("0", 96, 183.68072389900644, 12.3456, 99.99, 0, 3.14159, [1.23456, 1234.5678], 93)
    assert cut.to_dict() == {
        "type": "cut", "stream": "0", "frame": 32, "time": 1.333333, "score": 245.9, "threshold": 4.123,
        "wall": 1795400422.161235, "signals": {"kl": 43.01, "pix": 0.0001235}}
    wire = validate(stats.to_dict())
    assert (wire["fps"], wire["latency_ms_p50"], wire["latency_ms_p99"]) == (183.7, 12.3, 100.0)
    assert (wire["threshold"], wire["scores"]) == (3.142, [1.235, 1235.0])
    assert validate(EndEvent("0", 10, 0, 0.41666666666666663, 0).to_dict())["duration"] == 0.416667


def rounded(value: float, kind: str) -> bool:
    return value == {"time": round(value, 6), "ratio": float(f"{value:.4g}"), "rate": round(value, 1)}[kind]


KINDS = {"time": "time", "wall": "time", "duration": "time", "score": "ratio", "threshold": "ratio", "signals": "ratio",
         "scores": "ratio", "fps": "rate", "latency_ms_p50": "rate", "latency_ms_p99": "rate"}


def test_detect_jsonl_numbers_are_short(demo_clip):
    path, _ = demo_clip
    result = run_cli("detect", path, "--jsonl", "--stats")
    assert result.returncode == 0, result.stderr
    events = jsonl_events(result.stdout)
    assert {e["type"] for e in events} >= {"cut", "end"}
    checked = 0
    for event in events:
        for key, value in event.items():
            values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
            for v in values:
                if isinstance(v, float):
                    assert key in KINDS and rounded(v, KINDS[key]), (key, v, event)
                    checked += 1
    assert checked > 0
