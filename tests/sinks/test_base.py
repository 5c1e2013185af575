"""``feed``: the one loop from the detector's events to the sinks, and its promise to close everything."""

import pytest
from reprocut.stream.core.events import Event, SourceEvent
from reprocut.stream.sinks.base import feed


class Recorder:
    """A sink that keeps what it was given, and can be told to fail at an event or at close."""

    def __init__(self, log: list, name: str, fail_at: str | None = None, fail_close: bool = False):
        self.log, self.name, self.fail_at, self.fail_close = log, name, fail_at, fail_close

    def on_event(self, event: Event) -> None:
        self.log.append((self.name, event.detail))
        if event.detail == self.fail_at:
            raise ValueError(f"{self.name} failed at {event.detail}")

    def close(self) -> None:
        self.log.append((self.name, "close"))
        if self.fail_close:
            raise OSError(f"{self.name} could not close")


def events(log: list, n: int = 3):
    try:
        for i in range(n):
            yield SourceEvent("0", "connected", f"e{i}")
    finally:
        log.append(("events", "close"))


def test_each_event_goes_to_every_sink_in_order_then_all_close():
    log = []
    feed(events(log), [Recorder(log, "a"), Recorder(log, "b")])
    assert log == [("a", "e0"), ("b", "e0"), ("a", "e1"), ("b", "e1"), ("a", "e2"), ("b", "e2"),
                   ("events", "close"), ("a", "close"), ("b", "close")]


def test_a_sink_that_raises_does_not_keep_the_others_or_the_events_from_closing():
    log = []
    with pytest.raises(ValueError, match="b failed at e1"):
        feed(events(log), [Recorder(log, "a"), Recorder(log, "b", fail_at="e1"), Recorder(log, "c")])
    assert log == [("a", "e0"), ("b", "e0"), ("c", "e0"), ("a", "e1"), ("b", "e1"),
                   ("events", "close"), ("a", "close"), ("b", "close"), ("c", "close")]


def test_a_sink_that_fails_to_close_does_not_keep_the_others_open():
    log = []
    with pytest.raises(OSError, match="a could not close") as info:
        feed(events(log, 1), [Recorder(log, "a", fail_close=True), Recorder(log, "b", fail_at="e0")])
    assert isinstance(info.value.__context__, ValueError)  # the first failure is kept, not lost
    assert log == [("a", "e0"), ("b", "e0"), ("events", "close"), ("a", "close"), ("b", "close")]
