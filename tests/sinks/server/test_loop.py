"""``ToLoop``: events from the detection thread reach the asyncio loop in order, then ``done``."""

import asyncio
import threading

from helpers import TIMEOUT
from reprocut.stream.core.events import EndEvent, SourceEvent
from reprocut.stream.sinks.base import feed
from reprocut.stream.sinks.server.loop import ToLoop

EVENTS = [SourceEvent("0", "connected"), *(SourceEvent("0", "lost", str(i)) for i in range(100)), EndEvent("0", 10, 0, 1.0, 0)]


def test_events_arrive_on_the_loop_in_order_then_done():
    async def scenario():
        loop = asyncio.get_running_loop()
        got, stops = [], []

        def deliver(event) -> None:
            got.append((event, threading.current_thread() is threading.main_thread()))

        sink = ToLoop(loop, deliver, lambda: stops.append(1))
        thread = threading.Thread(target=feed, args=(iter(EVENTS), [sink]))
        thread.start()
        await asyncio.wait_for(sink.done.wait(), TIMEOUT)
        thread.join(TIMEOUT)
        return got, stops

    got, stops = asyncio.run(scenario())
    assert got == [(e, True) for e in EVENTS]  # each delivered on the loop's (main) thread
    assert stops == []


def test_a_closed_loop_stops_detection_once():
    loop = asyncio.new_event_loop()
    loop.close()
    stops = []
    sink = ToLoop(loop, lambda event: None, lambda: stops.append(1))
    feed(EVENTS, [sink])
    assert stops == [1] and sink.loop_closed
