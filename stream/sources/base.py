"""What every source shares: a decode thread, status reports, the ring hand-off and the one decode loop.

Each source decodes straight to 64x64 RGB and puts frames, with their decoded index,
presentation time and wall-clock decode time, into the shared ring buffer. Files block when
the ring is full (nothing is lost); live sources drop the oldest frames instead. The kinds
(``file``, ``pipe``, ``network``, ``device``, ``demo``) differ only in how they open their input
and what they do at its end; ``open.open_source`` picks one for what the user typed.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

import av
import numpy as np

from ..core.contracts import FrameSink, StatusCallback
from ..core.errors import UsageError
from .decode import (
    FRAME_SIZE,
    RGBScaler,
    frame_time,
    latest_end,
    missing_tail,
    reason,
    stream_fps,
)

log = logging.getLogger(__name__)


@dataclass
class SourceConfig:
    realtime: bool = False  # pace files at their frame rate (rehearse a live run)
    live: bool | None = None  # None: network URLs and devices are live, files and pipes are not
    rtsp_transport: str = "tcp"  # tcp | udp
    open_timeout: float = 0.0  # seconds to connect and probe; 0: twice stall_timeout, at least 2 s (probing reads ~1 s of stream)
    stall_timeout: float = 5.0  # seconds; no data for this long counts as a lost connection
    max_retries: int = 10  # reconnect attempts in a row before giving up (-1: forever)
    backoff_s: float = 0.5
    backoff_max_s: float = 10.0


class ThreadedSource(ABC):
    """One input on its own decode thread (``core.contracts.Source``); ``start()`` it, then read frames from the ring.

    A kind says how its frames are produced in ``_produce``, which runs on the thread and
    reports how the input ended; failures are caught and reported here, once for all kinds.
    """

    def __init__(self, url: str, cfg: SourceConfig, live: bool):
        self.url = url
        self.cfg = cfg
        self.live = live  # drop the oldest frames when behind, instead of waiting for room
        self.paced = live or cfg.realtime
        self.fps = 25.0
        self.width = 0
        self.height = 0
        self.frames_put = 0
        self.total_frames: int | None = None  # from the container, when it says
        self.done = threading.Event()
        self.failed = False
        self.error: UsageError | None = None  # a user mistake found on the decode thread (e.g. a pipe of junk)
        self.slot = 0  # set by start(): this source's place in the shared ring
        self.size = FRAME_SIZE  # frame side, set by start() to the model's
        self.ring: FrameSink | None = None
        self.on_status: StatusCallback = lambda status, detail: None
        self._stop = threading.Event()
        self._last_word = threading.Lock()  # held by whoever reports how the input ended (once): ended or stopped
        self._thread: threading.Thread | None = None
        self._next_index = 0
        self._jump = 0.0  # added to the times after a backward timestamp jump (joined segments, a clock reset)
        self._last_time: float | None = None
        self._pace_origin: float | None = None
        self._packet_end: float | None = None  # latest packet end (s) of the current file or connection

    def _describe(self, stream: av.video.stream.VideoStream) -> None:
        self.fps = stream_fps(stream)
        self.total_frames = stream.frames or None
        self.width, self.height = stream.codec_context.width, stream.codec_context.height

    def start(self, ring: FrameSink, slot: int, size: int, on_status: StatusCallback) -> None:
        """Decode into ``ring`` (as stream ``slot``, frames ``size`` x ``size``) on a thread of its own."""
        self.ring, self.slot, self.size, self.on_status = ring, slot, size, on_status
        self._thread = threading.Thread(target=self._run, name=f"source-{slot}", daemon=True)
        self.ring.add_producer()
        self._thread.start()

    def stop(self) -> None:
        """Stop decoding; ``stopped`` is reported at once (before the pipeline drains), unless the input had ended."""
        self._stop.set()
        if not self.failed:
            self._ended("")

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    # -- the decode thread ------------------------------------------------------------------
    @abstractmethod
    def _produce(self) -> None:
        """Put every frame into the ring until the input ends or ``stop()``, then report ``ended`` (or ``failed``)."""

    def _run(self) -> None:
        try:
            self._produce()
        except UsageError as exc:
            self.failed, self.error = True, exc
            self.on_status("failed", str(exc))
        except (av.FFmpegError, OSError) as exc:
            log.debug("%s: %r", self.url, exc)  # -vv: PyAV's own words
            self.failed, self.error = True, UsageError(f"{self.url}: unreadable ({reason(exc)})")
            self.on_status("failed", reason(exc))
        except Exception as exc:  # a decode thread must never die silently
            log.exception("source %s failed", self.url)
            self.failed = True
            self.on_status("failed", str(exc))
        finally:
            self.done.set()
            self.ring.producer_done()

    def _read_to_end(self, container: av.container.InputContainer) -> None:
        """Decode a whole file or pipe into the ring and say whether its data was complete."""
        with container:
            self._emit(self._decode(container))
            self._check_complete(container)
        self._ended("end of file")

    def _ended(self, detail: str) -> None:
        """The input is over: ``ended``, or ``stopped`` when it was asked to stop (Ctrl-C), as ``end`` then says; once."""
        if self._last_word.acquire(blocking=False):
            self.on_status(*(("stopped", "stopped") if self._stop.is_set() else ("ended", detail)))

    def _check_complete(self, container: av.container.InputContainer) -> None:
        """Say so when a file's packets stop well before the duration its header announces (cut-off download or copy)."""
        announced = missing_tail(container.streams.video[0], self._packet_end, self.fps)
        if announced is not None and not self._stop.is_set():
            log.warning("%s: data ends at %.3f s (after frame %d) but the file announces %.3f s: truncated? "
                        "the %d readable frames were processed", self.url, self._packet_end, self._next_index,
                        announced, self._next_index)

    def _retime(self, t: float) -> float:
        """Place a container time on this source's timeline (a live connection shifts it)."""
        return t

    def _decode(self, container: av.container.InputContainer) -> Iterator[tuple[np.ndarray, float]]:
        """Yield (pixels, time) of every readable frame; damaged packets are logged and skipped. When the input fails
        mid-stream (a stall, a dropped connection), the frames already inside the decoder come out before the error."""
        stream = container.streams.video[0]
        # FFmpeg's frame threads hold a frame each until the next packets come (3 on 2 cores, 17 on 16): fast for a
        # file, but a paced run wants each frame out as soon as its packet is in. Slice threads hold none beyond the
        # stream's own frame order (B-frames).
        stream.thread_type = "SLICE" if self.paced else "AUTO"
        self._jump = 0.0
        self._packet_end = None
        to_rgb = RGBScaler(self.size)
        try:
            for packet in container.demux(stream):
                if self._stop.is_set():
                    return
                self._packet_end = latest_end(packet, self._packet_end)
                try:
                    decoded = packet.decode()
                except av.FFmpegError as exc:
                    where = f"{float(packet.pts * packet.time_base):.3f} s" if packet.pts is not None and packet.time_base else "unknown time"
                    log.warning("%s: damaged data near %s (after frame %d) skipped: %s", self.url, where, self._next_index, exc)
                    continue
                for frame in decoded:
                    yield to_rgb(frame), self._time(frame)
        except (av.FFmpegError, OSError):
            try:
                held = stream.codec_context.decode(None)
            except av.FFmpegError:
                held = []
            for frame in held:
                frame.time_base = stream.time_base  # flushed frames carry their stream's timestamps but no time base
                yield to_rgb(frame), self._time(frame)
            raise

    def _time(self, frame: av.VideoFrame) -> float:
        """The frame's time on this source's timeline, continued one frame on where timestamps jump back."""
        t = self._retime(frame_time(frame, self._next_index, self.fps)) + self._jump
        if self._last_time is not None and t < self._last_time - 2.0 / self.fps:
            step = 1.0 / self.fps  # a discontinuity, not jitter: continue one frame on instead of going back
            log.warning("%s: timestamps jump back %.3f s at frame %d (joined segments or a clock reset): times "
                        "continue from %.3f s", self.url, self._last_time - t, self._next_index, self._last_time + step)
            self._jump += self._last_time + step - t
            t = self._last_time + step
        return t

    def _emit(self, items: Iterator[tuple[np.ndarray, float]]) -> None:
        for item in items:
            if not self._put(*item):
                return

    def _put(self, pixels: np.ndarray, t: float) -> bool:
        """Hand one frame to the ring; False once the source should stop."""
        if self._last_time is not None and t <= self._last_time:  # keep time strictly increasing
            t = self._last_time + 1e-3
        if self.cfg.realtime:
            self._pace(t)
        ok = self.ring.put(pixels, self._next_index, t, time.time(), self.slot, block=not self.live)
        if ok:
            self._next_index += 1
            self._last_time = t
            self.frames_put += 1
        return ok and not self._stop.is_set()

    def _pace(self, t: float) -> None:
        if self._pace_origin is None:
            self._pace_origin = time.monotonic() - t
        delay = self._pace_origin + t - time.monotonic()
        if delay > 0:
            self._stop.wait(delay)
