"""Events from the pipeline's thread to an asyncio loop, for ``reprocut serve``.

Detection runs ``feed(pipeline.run(), [ToLoop(...)])`` on a thread of its own, so the loop stays
free for the clients; each event is handed over with ``call_soon_threadsafe`` and ``deliver``
(which publishes it to the hub, never waiting on a client) runs on the loop::

    to_loop = ToLoop(asyncio.get_running_loop(), hub.publish, pipeline.stop)
    threading.Thread(target=feed, args=(pipeline.run(), [to_loop])).start()
    await to_loop.done.wait()
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ...core.events import Event


class ToLoop:
    """Posts every event to ``loop``, then sets ``done`` there; stops detection (``stop``) once the loop has closed."""

    def __init__(self, loop: asyncio.AbstractEventLoop, deliver: Callable[[Event], None], stop: Callable[[], None]):
        self.loop = loop
        self.deliver = deliver
        self.stop = stop
        self.done = asyncio.Event()  # set on the loop after the last event
        self.loop_closed = False

    def on_event(self, event: Event) -> None:
        self._post(self.deliver, event)

    def close(self) -> None:
        self._post(self.done.set)

    def _post(self, fn, *args) -> None:
        if self.loop_closed:
            return
        try:
            self.loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop has closed: nobody is listening any more
            self.loop_closed = True
            self.stop()
