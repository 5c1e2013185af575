"""The two contracts between the layers that meet at the ring buffer, as typing protocols.

Sources (decoding) and the runtime (ring, encoder, pipeline) sit side by side and never import
each other: a source fills a ``FrameSink`` (the runtime's ring buffer), and the pipeline drives
any ``Source``. Both only need to agree on these shapes, which is why they live in the core.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

import numpy as np

StatusCallback = Callable[[str, str], None]  # (status, detail): connected | lost | reconnecting | ended | failed


class FrameSink(Protocol):
    """Where a source puts its decoded frames."""

    def add_producer(self) -> None: ...

    def producer_done(self) -> None: ...

    def put(self, pixels: np.ndarray, index: int, time_s: float, wall: float, stream: int = 0, block: bool = True) -> bool: ...


class Source(Protocol):
    """One input, decoding on a thread of its own once started."""

    url: str
    slot: int
    live: bool
    paced: bool  # frames come at the stream's own rate (live, or a file paced in real time): events are wanted at once
    fps: float
    width: int
    height: int
    frames_put: int  # frames handed to the sink so far
    total_frames: int | None  # from the container, when it says
    failed: bool
    error: Exception | None  # a user mistake found while decoding (reported as the command's error)
    done: threading.Event  # set when decoding has ended, for whatever reason

    def start(self, ring: FrameSink, slot: int, size: int, on_status: StatusCallback) -> None: ...

    def stop(self) -> None: ...

    def join(self, timeout: float | None = None) -> None: ...
