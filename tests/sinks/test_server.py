"""``reprocut serve``: the hub's queues without I/O, the real server in-process under clients
that do not read, and real ``reprocut serve`` processes with real websocket clients.

Every message a test receives is validated against the JSON Schemas shipped in the package.
Set ``REPROCUT_TEST_MODEL=/path/model.onnx`` to run against another model than the bundled one.
test_pages.py and test_rtsp.py import the helpers below.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import zlib

import av
import numpy as np
import pytest
from helpers import (
    TIMEOUT,
    VALIDATORS,
    big_volume,
    http_get,
    raw_subscriber,
    recv_until,
    reprocut,
    small_socket,
    unmatched,
    validate,
    validate_some,
)
from reprocut.stream.core.events import CutEvent, EndEvent, SourceEvent, StatsEvent
from reprocut.stream.sinks.server import (
    CLOSE_TOO_SLOW,
    Hub,
    HubConfig,
    Server,
    ServerConfig,
    redact_url,
)
from reprocut.stream.sinks.thumbs import ThumbConfig, ThumbStore, encode_jpeg
from websockets.asyncio.client import connect as aconnect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

# -- helpers shared with test_pages.py and test_rtsp.py --------------------------------------


# -- the hub, without I/O -------------------------------------------------------------------
INFO = {"id": "0", "source": "rtsp://cam:secret@10.0.0.9:554/live", "fps": 25.0, "width": 640, "height": 360, "live": True}


def stats(frames: int, n_scores: int = 3, seed: int = 0) -> StatsEvent:
    scores = np.random.default_rng(seed).uniform(0.5, 2.0, n_scores).round(6).tolist()  # incompressible-ish
    return StatsEvent("0", frames, 25.0, 12.0, 30.0, 0, 4.2, scores)


def cut(frame: int, pixels=None) -> CutEvent:
    return CutEvent("0", frame, frame / 25, 20.0, 4.2, time.time(), {"kl": 30.0, "pix": 9.0, "hist": 8.0}, pixels)


def test_full_queue_drops_stats_first_and_reports_lagged():
    hub = Hub([INFO], "m", HubConfig(client_queue=4, max_missed=0))
    sub = hub.subscribe()
    for i in range(4):
        hub.publish(stats(i))
    hub.publish(cut(10))
    hub.publish(cut(11))
    hub.publish(stats(99))
    messages = [validate(json.loads(t)) for t in sub.take()]
    assert messages[0] == {"type": "lagged", "missed": 3, "missed_cuts": 0}
    assert [m["type"] for m in messages[1:]] == ["stats", "cut", "cut", "stats"]
    assert [m.get("frame") for m in messages if m["type"] == "cut"] == [10, 11]
    assert sub.take() == []  # the lag was reported once


def test_subscriber_missing_too_much_is_marked_for_closing():
    hub = Hub([INFO], "m", HubConfig(client_queue=2, max_missed=5))
    sub = hub.subscribe()
    for i in range(6):
        hub.publish(cut(i))
    assert sub.close_code is None
    hub.publish(cut(6))
    assert sub.close_code == CLOSE_TOO_SLOW and "missed 5" in sub.close_reason
    hub.publish(cut(7))  # nothing more is queued for it
    assert len(sub.queue) == 2


def test_hello_reports_state_and_filters_streams():
    other = dict(INFO, id="cam2", source="/media/b.mp4", live=False)
    hub = Hub([INFO, other], "tiny-model", HubConfig(history=2))
    hub.publish(SourceEvent("0", "lost", "OSError: rtsp://cam:secret@10.0.0.9:554/live refused"))
    for f in (5, 9, 14):
        hub.publish(cut(f))
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
    hub.publish(cut(20))
    assert sub.take() == []


def test_redact_url():
    assert redact_url("rtsp://admin:pw@[::1]:8554/x?y=1") == "rtsp://admin:***@[::1]:8554/x?y=1"
    assert redact_url("rtsp://cam.local/stream") == "rtsp://cam.local/stream"
    assert redact_url("/videos/a:b@c.mp4") == "/videos/a:b@c.mp4"


def test_thumbnails_are_small_jpegs_kept_within_bounds():
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)
    store = ThumbStore(ThumbConfig(thumbnails=3, width=128))
    hub = Hub([INFO], "m", thumbs=store)
    for f in range(5):
        msg = hub.publish(cut(f, frame))
        assert msg["thumbnail"] == f"/thumbs/0/{f}.jpg"
    assert len(store) == 3 and store.jpeg("0", 1) is None
    data = store.jpeg("0", 4)
    assert data[:2] == b"\xff\xd8" and len(data) < 20_000
    with av.open(__import__("io").BytesIO(data)) as c:
        decoded = next(c.decode(video=0))
    assert (decoded.width, decoded.height) == (128, 72)  # the 640x360 source's shape, not the model's square
    assert hub.publish(cut(9, None))["thumbnail"] is None  # paper mode has no pixels
    flat = np.full((64, 64, 3), 200, np.uint8)
    back = next(av.open(__import__("io").BytesIO(encode_jpeg(flat, 64, 64))).decode(video=0)).to_ndarray(format="rgb24")
    assert abs(float(back.mean()) - 200) < 4


# -- the real server in-process --------------------------------------------------------------


async def wait_for(condition, what: str) -> None:
    for _ in range(int(TIMEOUT * 100)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def publish_burst(hub: Hub, n_cuts: int, volume: int) -> list[int]:
    """Cuts among enough large stats messages to fill any socket; paced like a fast detector.

    Sizes are counted compressed: websockets negotiates permessage-deflate by default.
    """
    samples = [stats(0, 1000, seed) for seed in range(8)]
    size = len(zlib.compress(json.dumps(samples[0].to_dict()).encode()))
    per_cut = max(1, volume // size // n_cuts)
    frames = []
    for k in range(n_cuts):
        for j in range(per_cut):
            event = samples[j % len(samples)]
            event.frames = k * per_cut + j
            hub.publish(event)
            if j % 16 == 0:
                await asyncio.sleep(0)
        frames.append(1000 + k)
        hub.publish(cut(1000 + k))
    hub.publish(EndEvent("0", 5000, n_cuts, 200.0, 0, "eof"))
    return frames


def test_subscriber_that_never_reads_does_not_delay_another():
    async def scenario():
        hub = Hub([INFO], "m", HubConfig(client_queue=64))
        server = Server(hub, ServerConfig(port=0))
        await server.start()
        stalled = raw_subscriber(server.port)
        try:
            await wait_for(lambda: len(hub.subscribers) == 1, "the stalled subscriber")
            slow = hub.subscribers[0]
            async with aconnect(f"ws://127.0.0.1:{server.port}/ws", open_timeout=TIMEOUT) as ws:
                validate(json.loads(await ws.recv()))
                receiving = asyncio.create_task(collect(ws))
                sent = await publish_burst(hub, n_cuts=20, volume=big_volume())
                got = await asyncio.wait_for(receiving, TIMEOUT)
            assert [m["frame"] for m in got if m["type"] == "cut"] == sent
            assert got[-1]["type"] == "end"
            # the stalled one really was stalled: its queue overflowed (and it was dropped or closed)
            assert slow.missed_total > 0 or slow.close_code == CLOSE_TOO_SLOW
        finally:
            stalled.close()
            await server.close()

    async def collect(ws) -> list[dict]:
        out, seen = [], {}
        async for text in ws:
            out.append(validate_some(json.loads(text), seen))
            if out[-1]["type"] == "end":
                return out
        return out

    asyncio.run(scenario())


def test_slow_reader_is_told_what_it_missed_and_hopeless_one_is_closed():
    async def scenario(max_missed: int):
        hub = Hub([INFO], "m", HubConfig(client_queue=32, max_missed=max_missed))
        server = Server(hub, ServerConfig(port=0, close_timeout_s=TIMEOUT))
        await server.start()
        try:
            sock = small_socket(server.port)
            async with aconnect(f"ws://127.0.0.1:{server.port}/ws", sock=sock, open_timeout=TIMEOUT, max_queue=4) as ws:
                validate(json.loads(await ws.recv()))
                sent = await publish_burst(hub, n_cuts=10, volume=big_volume())  # we are not reading meanwhile
                got, code, seen = [], None, {}
                try:
                    async for text in ws:
                        got.append(validate_some(json.loads(text), seen))
                        if got[-1]["type"] == "end":
                            break
                except ConnectionClosed as exc:
                    code = exc.rcvd.code if exc.rcvd else None
            return sent, got, code
        finally:
            await server.close()

    sent, got, code = asyncio.run(scenario(max_missed=0))
    lagged = [m for m in got if m["type"] == "lagged"]
    assert lagged and sum(m["missed"] for m in lagged) > 0
    received_cuts = [m["frame"] for m in got if m["type"] == "cut"]
    assert len(received_cuts) + sum(m["missed_cuts"] for m in lagged) == len(sent)
    assert got[-1]["type"] == "end" and code is None

    sent, got, code = asyncio.run(scenario(max_missed=50))
    assert code == CLOSE_TOO_SLOW
    assert all(m["type"] != "end" for m in got)


def test_malformed_client_messages_do_not_hurt_the_server():
    async def scenario():
        hub = Hub([INFO], "m")
        server = Server(hub, ServerConfig(port=0, max_message=1024))
        await server.start()
        url = f"ws://127.0.0.1:{server.port}/ws"
        try:
            async with aconnect(url) as ws:
                await ws.recv()
                await ws.send("{not json")
                await ws.send(json.dumps({"type": "subscribe", "stream": 7}))
                hub.publish(cut(3))
                assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))["frame"] == 3
            codes = []
            for payload in ("x" * 10_000, b"\x00\x01"):
                async with aconnect(url) as ws:
                    await ws.recv()
                    await ws.send(payload)
                    with pytest.raises(ConnectionClosed) as info:
                        await asyncio.wait_for(ws.recv(), TIMEOUT)
                    codes.append(info.value.rcvd.code)
            assert codes == [1009, 1003]  # message too big, unsupported data
            async with aconnect(url) as ws:  # still serving
                assert validate(json.loads(await ws.recv()))["type"] == "hello"
        finally:
            await server.close()

    asyncio.run(scenario())


# -- real ``reprocut serve`` processes -------------------------------------------------------
def test_serve_sends_hello_every_cut_and_end(clip, serve):
    path, labels = clip
    srv = serve(str(path), "--wait-for-client")
    with connect(srv.ws, open_timeout=TIMEOUT) as ws:
        messages = recv_until(ws, lambda m: m["type"] == "end")
    hello, end = messages[0], messages[-1]
    assert hello["type"] == "hello" and hello["protocol"] == 1 and hello["model"]
    (info,) = hello["streams"]
    assert (info["id"], info["source"], info["fps"], info["width"], info["height"], info["live"]) == ("0", str(path), 24.0, 320, 180, False)
    assert info["cuts"] == []  # nothing was read before the first subscriber
    cuts = [m for m in messages if m["type"] == "cut"]
    frames = [c["frame"] for c in cuts]
    assert not unmatched(labels["cuts"], frames), f"missed labelled cuts; detected {frames}, labels {labels['cuts']}"
    assert frames == sorted(set(frames))
    assert end["reason"] == "eof" and end["frames"] == labels["frames"] and end["cuts"] == len(cuts)

    for c in cuts:  # every thumbnail is a JPEG in the source's shape
        status, headers, data = http_get(srv.url + c["thumbnail"])
        assert status == 200 and headers["Content-Type"] == "image/jpeg" and data[:2] == b"\xff\xd8"
    with av.open(__import__("io").BytesIO(data)) as c:
        decoded = next(c.decode(video=0))
    assert (decoded.width, decoded.height) == (128, 72)

    # all sources ended: the server keeps serving the final state
    with connect(srv.ws + "?stream=0", open_timeout=TIMEOUT) as ws:
        late = validate(json.loads(ws.recv(timeout=TIMEOUT)))
    assert late["stream"] == "0" and late["streams"][0]["cuts"] == cuts and late["streams"][0]["end"] == end
    status, _, body = http_get(srv.url + "/state")
    assert status == 200 and validate(json.loads(body))["streams"][0]["cuts_total"] == len(cuts)
    with pytest.raises(InvalidStatus) as refused:
        connect(srv.ws + "?stream=9", open_timeout=TIMEOUT)
    assert refused.value.response.status_code == 404
    status, _, body = http_get(srv.url + "/schema/cut.json")  # the schemas the docs link to
    assert status == 200 and json.loads(body) == VALIDATORS["cut"].schema
    status, headers, body = http_get(srv.url + "/")
    assert status == 200 and b"dashboard.js" in body and "script-src 'self'" in headers["Content-Security-Policy"]
    assert http_get(srv.url + "/nothing")[0] == 404
    assert http_get(srv.url + "/static/../server.py")[0] == 404
    assert srv.stop() == 0, srv.stderr()


def test_exit_when_done(clip, serve):
    path, _ = clip
    srv = serve(str(path), "--wait-for-client", "--exit-when-done")
    with connect(srv.ws, open_timeout=TIMEOUT) as ws:
        recv_until(ws, lambda m: m["type"] == "end")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=TIMEOUT)
    assert closed.value.rcvd.code == 1000 and "ended" in closed.value.rcvd.reason
    assert srv.proc.wait(timeout=TIMEOUT) == 0, srv.stderr()


def test_token_origin_and_host_are_enforced(clip, serve):
    path, _ = clip
    token = "s3cret-Token_42"
    srv = serve(str(path), "--token", token, "--allow-origin", "https://studio.example")

    def refused(url, **kw) -> int:
        with pytest.raises(InvalidStatus) as info:
            connect(url, open_timeout=TIMEOUT, **kw)
        return info.value.response.status_code

    assert refused(srv.ws) == 401
    assert refused(srv.ws + "?token=wrong-token") == 403
    assert refused(srv.ws, additional_headers={"Authorization": "Bearer wrong-token"}) == 403
    for kw in ({"additional_headers": {"Authorization": f"Bearer {token}"}}, {}):
        url = srv.ws if kw else srv.ws + f"?token={token}"
        with connect(url, open_timeout=TIMEOUT, **kw) as ws:
            assert validate(json.loads(ws.recv(timeout=TIMEOUT)))["type"] == "hello"
    own = srv.url  # the server's own pages may subscribe, and listed origins
    for origin in (own, "https://studio.example"):
        with connect(srv.ws + f"?token={token}", origin=origin, open_timeout=TIMEOUT) as ws:
            ws.recv(timeout=TIMEOUT)
    assert refused(srv.ws + f"?token={token}", origin="https://evil.example") == 403

    assert http_get(srv.url + "/overlay")[0] == 401
    assert http_get(srv.url + "/?token=nope")[0] == 403
    status, headers, _ = http_get(srv.url + f"/overlay?token={token}")
    assert status == 200
    cookie = headers["Set-Cookie"].split(";")[0]
    assert "HttpOnly" in headers["Set-Cookie"] and token in cookie
    assert http_get(srv.url + "/static/overlay.js", {"Cookie": cookie})[0] == 200  # what the browser sends next
    assert http_get(srv.url + "/static/overlay.js")[0] == 401
    assert srv.stop() == 0


def test_loopback_without_token_refuses_foreign_host_names(clip, serve):
    path, _ = clip
    srv = serve(str(path))
    assert http_get(srv.url + "/", {"Host": "attacker.example:8765"})[0] == 403  # DNS rebinding
    assert http_get(srv.url + "/", {"Host": "localhost:8765"})[0] == 200
    with pytest.raises(InvalidStatus) as info:
        connect(srv.ws, origin="https://evil.example", open_timeout=TIMEOUT)
    assert info.value.response.status_code == 403


@pytest.mark.parametrize("args, message", [
    (["--host", "0.0.0.0"], "--token"),
    (["--host", "0.0.0.0", "--token", "short"], "8 to 200"),
    (["--client-queue", "0"], "--client-queue"),
])
def test_usage_errors_are_one_line(clip, args, message):
    path, _ = clip
    r = subprocess.run(reprocut("serve", str(path), *args), capture_output=True, text=True, timeout=TIMEOUT,
                       env={**os.environ, "REPROCUT_TOKEN": ""})
    assert r.returncode == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
