"""The hub without I/O: bounded queues per subscriber, the state a late joiner gets, redacted URLs.

Every message is validated against the JSON Schemas shipped in the package.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import STREAM_INFO, cut_event, stats_event, validate
from reprocut.stream.core.events import EndEvent, SourceEvent
from reprocut.stream.sinks.server.hub import CLOSE_TOO_SLOW, Hub, HubConfig, redact_url


def test_full_queue_drops_stats_first_and_reports_lagged():
    hub = Hub([STREAM_INFO], "m", HubConfig(client_queue=4, max_missed=0))
    sub = hub.subscribe()
    for i in range(4):
        hub.publish(stats_event(i))
    hub.publish(cut_event(10))
    hub.publish(cut_event(11))
    hub.publish(stats_event(99))
    messages = [validate(json.loads(t)) for t in sub.take()]
    assert messages[0] == {"type": "lagged", "missed": 3, "missed_cuts": 0}
    assert [m["type"] for m in messages[1:]] == ["stats", "cut", "cut", "stats"]
    assert [m.get("frame") for m in messages if m["type"] == "cut"] == [10, 11]
    assert sub.take() == []  # the lag was reported once


def test_subscriber_missing_too_much_is_marked_for_closing():
    hub = Hub([STREAM_INFO], "m", HubConfig(client_queue=2, max_missed=5))
    sub = hub.subscribe()
    for i in range(6):
        hub.publish(cut_event(i))
    assert sub.close_code is None
    hub.publish(cut_event(6))
    assert sub.close_code == CLOSE_TOO_SLOW and "missed 5" in sub.close_reason
    hub.publish(cut_event(7))  # nothing more is queued for it
    assert len(sub.queue) == 2


def test_hello_reports_state_and_filters_streams():
    other = dict(STREAM_INFO, id="cam2", source="/media/b.mp4", live=False)
    hub = Hub([STREAM_INFO, other], "tiny-model", HubConfig(history=2))
    hub.publish(SourceEvent("0", "lost", "OSError: rtsp://cam:secret@10.0.0.9:554/live refused"))
    for f in (5, 9, 14):
        hub.publish(cut_event(f))
    hub.publish(EndEvent("cam2", 100, 0, 4.0, 0, "eof"))
    hello = validate(hub.hello())
    first, second = hello["streams"]
    assert hello["model"] == "tiny-model" and hello["protocol"] == 1 and hello["stream"] is None
    assert first["source"] == "rtsp://cam:***@10.0.0.9:554/live"  # no password on the wire
    assert first["status"] == "lost" and "secret" not in first["detail"]
    assert first["cuts_total"] == 3 and [c["frame"] for c in first["cuts"]] == [9, 14]
    assert second["end"]["frames"] == 100 and second["status"] == "ended"
    assert not hub.done
    only = validate(hub.hello("cam2"))
    assert only["stream"] == "cam2" and [s["id"] for s in only["streams"]] == ["cam2"]
    with pytest.raises(KeyError):
        hub.subscribe("nope")
    sub = hub.subscribe("cam2")
    hub.publish(cut_event(20))
    assert sub.take() == []


def test_redact_url():
    assert redact_url("rtsp://admin:pw@[::1]:8554/x?y=1") == "rtsp://admin:***@[::1]:8554/x?y=1"
    assert redact_url("rtsp://cam.local/stream") == "rtsp://cam.local/stream"
    assert redact_url("/videos/a:b@c.mp4") == "/videos/a:b@c.mp4"


def test_scene_count_is_the_scene_lists_whichever_comes_first_the_cut_or_the_transition_that_holds_it():
    """A transition that holds a cut replaces it (``core/reconcile.py``): live, the cut usually goes out first and
    the transition names it; paced, a cut just after a fade can follow the fade. Either way the count is the scene
    lists' (the CLI's table), not cuts + transitions + 1."""
    from reprocut.stream.core.events import TransitionEvent
    from reprocut.stream.core.scenes import scenes_from_cuts

    fade = TransitionEvent("0", 96, 105, "fade", 4.0, 4.375, 3.7, 0.0)
    dissolve = TransitionEvent("0", 132, 159, "dissolve", 5.5, 6.625, 1.7, 0.0, cuts=[146])
    events = [cut_event(14), cut_event(83), fade, cut_event(106), cut_event(146), dissolve, cut_event(203)]
    hub = Hub([dict(STREAM_INFO, live=False)], "m")
    sub = hub.subscribe()
    for e in events:
        hub.publish(e)
    hub.publish(EndEvent("0", 240, 6, 10.0, 0, "eof"))
    messages = [validate(json.loads(t)) for t in sub.take()]
    table = scenes_from_cuts([(c.frame, c.time) for c in events if c.type == "cut"], 240, 10.0, [fade, dissolve])
    assert [m["scene"] for m in messages if "scene" in m] == [2, 3, 4, 4, 5, 5, 6]
    assert messages[-1]["scenes"] == len(table) == 6 == validate(hub.hello())["streams"][0]["scenes"]


def test_hello_carries_the_whole_runs_score_trace_downsampled():
    """A page opened late draws the run's scores from its start, not the last stats' window: the hub keeps them,
    at most ``trace_points`` points, each the highest score of its frames (so a cut's peak survives)."""
    from reprocut.stream.core.events import StatsEvent

    hub = Hub([STREAM_INFO], "m", HubConfig(trace_points=100))
    scores = np.ones(960)
    scores[[137, 640]] = [50.0, 80.0]  # two cuts' peaks
    for last in range(59, 960, 60):  # stats every 60 frames, each with the last 120 scores (they overlap)
        window = scores[max(0, last - 119):last + 1]
        hub.publish(StatsEvent("0", last + 1, 24.0, 10.0, 20.0, 0, 5.0, window.tolist(), last))
    trace = validate(hub.hello())["streams"][0]["trace"]
    assert trace["step"] == 16 and len(trace["scores"]) == 60 and trace["scored"] == 960  # 960 frames / 16
    assert trace["scores"][137 // 16] == 50.0 and trace["scores"][640 // 16] == 80.0
    assert sorted(set(trace["scores"])) == [1.0, 50.0, 80.0]


def test_a_file_runs_once_scored_and_cuts_say_why_they_are_cuts():
    """A file reports no ``connected``: its status says ``running`` from its first scored frames, not ``starting``
    for the whole run. A cut's ``decided_by``: the prior threshold in a paced warm-up, two unrelated pictures below
    the threshold, else the threshold."""
    paced = dict(STREAM_INFO, live=False, fps=24.0, prior_s=4.0)
    hub = Hub([paced], "m")
    assert hub.hello()["streams"][0]["status"] == "starting"
    hub.publish(stats_event(24))
    assert validate(hub.hello())["streams"][0]["status"] == "running"
    warm, below, later = cut_event(83), cut_event(150), cut_event(200)
    below.score = 3.1  # under its 4.2
    assert [hub.publish(c)["decided_by"] for c in (warm, below, later)] == ["prior", "unrelated", "threshold"]
    hub.publish(SourceEvent("0", "ended", "end of file"))
    assert validate(hub.hello())["streams"][0]["status"] == "ended"


def test_the_scene_count_keeps_only_recent_events_and_stays_exact():
    """A day-long stream has tens of thousands of cuts: the count keeps the last few, and what leaves takes its share."""
    from reprocut.stream.core.events import TransitionEvent
    from reprocut.stream.core.scenes import scenes_from_cuts
    from reprocut.stream.sinks.server.history import SceneCount

    count, cuts, transitions = SceneCount(keep=3), [], []
    for k in range(40):
        at = 100 * k + 10
        cuts.append((at, at / 25))
        scene = count.cut(*cuts[-1])
        if k % 3:  # a fade after most cuts: holding it (k % 3 == 1) or after it, alone
            held = k % 3 == 1
            start = at - 4 if held else at + 40
            transitions.append(TransitionEvent("0", start, start + 8, "fade", start / 25, (start + 8) / 25, 2.0, 0.0,
                                               cuts=[at] if held else []))
            scene = count.transition(transitions[-1])
        assert scene == len(scenes_from_cuts(cuts, at + 100, (at + 100) / 25, transitions))
