"""The hub without I/O: bounded queues per subscriber, the state a late joiner gets, redacted URLs.

Every message is validated against the JSON Schemas shipped in the package.
"""

from __future__ import annotations

import json

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
