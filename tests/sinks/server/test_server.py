"""The real server in-process, under clients that do not read, read slowly or send junk.

Every message a test receives is validated against the JSON Schemas shipped in the package.
"""

from __future__ import annotations

import asyncio
import json
import zlib

import pytest
from helpers import (
    STREAM_INFO,
    TIMEOUT,
    big_volume,
    cut_event,
    raw_subscriber,
    small_socket,
    stats_event,
    validate,
    validate_some,
)
from reprocut.stream.core.events import EndEvent, TransitionEvent
from reprocut.stream.sinks.server.hub import CLOSE_TOO_SLOW, Hub, HubConfig
from reprocut.stream.sinks.server.server import Server, ServerConfig
from websockets.asyncio.client import connect as aconnect
from websockets.exceptions import ConnectionClosed


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
    samples = [stats_event(0, 1000, seed) for seed in range(8)]
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
        hub.publish(cut_event(1000 + k))
    hub.publish(EndEvent("0", 5000, n_cuts, 200.0, 0, "eof"))
    return frames


def test_subscriber_that_never_reads_does_not_delay_another():
    async def scenario():
        hub = Hub([STREAM_INFO], "m", HubConfig(client_queue=64))
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
        hub = Hub([STREAM_INFO], "m", HubConfig(client_queue=32, max_missed=max_missed))
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
        hub = Hub([STREAM_INFO], "m")
        server = Server(hub, ServerConfig(port=0, max_message=1024))
        await server.start()
        url = f"ws://127.0.0.1:{server.port}/ws"
        try:
            async with aconnect(url) as ws:
                await ws.recv()
                await ws.send("{not json")
                await ws.send(json.dumps({"type": "subscribe", "stream": 7}))
                hub.publish(cut_event(3))
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


def test_a_transition_reaches_a_websocket_client_and_a_late_joiner_finds_it_in_hello():
    async def scenario():
        hub = Hub([STREAM_INFO], "m")
        server = Server(hub, ServerConfig(port=0))
        await server.start()
        url = f"ws://127.0.0.1:{server.port}/ws"
        fade = TransitionEvent("0", 132, 159, "fade", 5.28, 6.36, 1.7, 1700000001.25)
        try:
            async with aconnect(url) as ws:
                assert validate(json.loads(await ws.recv()))["streams"][0]["transitions"] == []
                hub.publish(cut_event(100))
                hub.publish(fade)
                got = [validate(json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))) for _ in range(2)]
            assert [m["type"] for m in got] == ["cut", "transition"]
            assert got[1] == {**fade.to_dict(), "scene": 3}  # the cut at 100 is not the fade's: two new scenes
            async with aconnect(url) as ws:
                hello = validate(json.loads(await ws.recv()))
            assert hello["streams"][0]["transitions"] == [got[1]] and hello["streams"][0]["cuts_total"] == 1
            assert hello["streams"][0]["scenes"] == 3
        finally:
            await server.close()

    asyncio.run(scenario())
