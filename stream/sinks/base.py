"""The one loop that carries detector events to their consumers, and the ``Sink`` they implement.

Every command consumes ``Pipeline.run()`` the same way: each event goes, in order, to every
sink (JSON lines, the terminal, scene files, the websocket hub, an evaluation's collector),
and whatever happens (the end of the stream, Ctrl-C, an error in a sink) the event generator
is closed, which stops the decode threads, and every sink is closed, which writes what it
holds (scene files are written from ``close``)::

    feed(pipeline.run(), [JsonLines(), SceneFiles("clip.mp4", source, csv="clip.csv")])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from ..core.events import Event


class Sink(Protocol):
    """A consumer of detector events."""

    def on_event(self, event: Event) -> None:
        """Take one event; never blocks on a slow consumer (queue or drop instead)."""

    def close(self) -> None:
        """No more events: flush, write files, release resources."""


def feed(events: Iterable[Event], sinks: Sequence[Sink]) -> None:
    """Hand every event to every sink in order, then close the events and the sinks, in that order.

    A sink that raises (in ``on_event`` or ``close``) keeps neither the events nor the other
    sinks from being closed; the error is raised once all are closed (the first one of ``close``,
    chained to the one that stopped the loop).
    """
    try:
        for event in events:
            for sink in sinks:
                sink.on_event(event)
    finally:
        failed: BaseException | None = None
        for close in (getattr(events, "close", None), *(sink.close for sink in sinks)):
            try:
                if close is not None:
                    close()
            except BaseException as exc:
                failed = failed or exc
        if failed is not None:
            raise failed
