"""A preallocated, bounded ring buffer of small frames between decoder threads and the encoder.

Two policies, chosen per ``put``: a file's producer waits for room (nothing is lost), a live
source's producer overwrites the oldest frame when inference falls behind (latency stays
bounded; every drop is counted per stream). The consumer takes a batch when ``batch`` frames
are waiting or when the oldest has waited ``max_delay`` seconds, which bounds live latency
without starving the encoder of batch size.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..core.frames import Columns


@dataclass
class RingConfig:
    capacity: int = 512
    size: int = 64  # frame side in pixels


@dataclass
class Batch(Columns):
    """Frames in arrival order: pixels [N,S,S,3] uint8 and per-frame stream, index, time, wall clock."""

    pixels: np.ndarray
    stream: np.ndarray  # int32 stream slot
    index: np.ndarray  # int64 decoded frame index
    time: np.ndarray  # float64 presentation time (s)
    wall: np.ndarray  # float64 wall-clock decode time (unix s)


class FrameRing:
    def __init__(self, cfg: RingConfig | None = None):
        cfg = cfg or RingConfig()
        self.capacity = cfg.capacity
        self._pixels = np.zeros((cfg.capacity, cfg.size, cfg.size, 3), np.uint8)
        self._stream = np.zeros(cfg.capacity, np.int32)
        self._index = np.zeros(cfg.capacity, np.int64)
        self._time = np.zeros(cfg.capacity, np.float64)
        self._wall = np.zeros(cfg.capacity, np.float64)
        self._arrival = np.zeros(cfg.capacity, np.float64)  # monotonic clock, for max_delay
        self._head = 0  # oldest frame
        self._count = 0
        self._open_producers = 0
        self._closed = False
        self._want = 1  # frames the consumer waits for: fewer wake it for nothing
        self.dropped: Counter[int] = Counter()
        self._cond = threading.Condition()

    def __len__(self) -> int:
        return self._count

    def add_producer(self) -> None:
        """Register a producer; the ring ends (``get_batch`` returns None) once all have finished."""
        with self._cond:
            self._open_producers += 1

    def producer_done(self) -> None:
        with self._cond:
            self._open_producers -= 1
            self._cond.notify_all()

    def close(self) -> None:
        """Stop everything now: waiting producers give up, the consumer drains what is left."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def finished(self) -> bool:
        return (self._closed or self._open_producers <= 0) and self._count == 0

    def put(self, pixels: np.ndarray, index: int, time_s: float, wall: float, stream: int = 0, block: bool = True) -> bool:
        """Add a frame. ``block``: wait for room (files); else drop the oldest frame (live).

        Returns False if the ring was closed before the frame could be stored.
        """
        with self._cond:
            if block:
                while self._count == self.capacity and not self._closed:
                    self._cond.wait(0.1)
            if self._closed:
                return False
            if self._count == self.capacity:
                self.dropped[int(self._stream[self._head])] += 1
                self._head = (self._head + 1) % self.capacity
                self._count -= 1
            slot = (self._head + self._count) % self.capacity
            self._pixels[slot] = pixels
            self._stream[slot], self._index[slot], self._time[slot], self._wall[slot] = stream, index, time_s, wall
            self._arrival[slot] = time.monotonic()
            self._count += 1
            if self._count == 1 or self._count >= self._want:  # the first starts the max_delay clock; a full batch is ready
                self._cond.notify_all()
            return True

    def get_batch(self, batch: int, max_delay: float, timeout: float | None = None) -> Batch | None:
        """Wait until ``batch`` frames are ready or the oldest has waited ``max_delay`` s, then take up to ``batch``.

        Returns an empty batch if ``timeout`` passes with nothing ready, and None once the ring
        is finished (all producers done or closed, and drained).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._want = batch
            while True:
                if self._count >= batch or (self._count and (self._closed or self._open_producers <= 0)):
                    break
                if self._count:
                    wait = self._arrival[self._head] + max_delay - time.monotonic()
                    if wait <= 0:
                        break
                elif self._closed or self._open_producers <= 0:
                    return None
                else:
                    wait = 0.1
                if deadline is not None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return self._take(0)
                    wait = min(wait, remaining)
                self._cond.wait(wait)
            return self._take(min(batch, self._count))

    def _take(self, n: int) -> Batch:
        slots = (self._head + np.arange(n)) % self.capacity
        out = Batch(self._pixels[slots].copy(), self._stream[slots].copy(), self._index[slots].copy(), self._time[slots].copy(), self._wall[slots].copy())
        self._head = (self._head + n) % self.capacity
        self._count -= n
        self._cond.notify_all()
        return out
