"""Frame sources: PyAV on its own thread (file, URL, device, pipe) and the built-in demo.

Each source decodes straight to 64x64 RGB and puts frames, with their decoded index,
presentation time and wall-clock decode time, into the shared ring buffer. Files block when
the ring is full (nothing is lost); live sources drop the oldest frames instead.

Live sources reconnect with exponential backoff and report ``connected``, ``lost``,
``reconnecting``, ``ended`` and ``failed``. Numbering stays monotonic across reconnects: the
frame index keeps counting, and the times of a new connection are shifted so that its first
frame comes one frame interval after the last frame of the previous connection (a camera's
own clock usually restarts at zero on reconnect).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import av
import numpy as np

from ..core.contracts import FrameSink, StatusCallback
from ..core.errors import UsageError
from .cartoon import DemoConfig
from .cartoon import frames as demo_frames
from .decode import (
    FRAME_SIZE,
    frame_time,
    latest_end,
    missing_tail,
    open_video,
    stream_fps,
    to_rgb,
)

log = logging.getLogger(__name__)

LIVE_SCHEMES = {"rtsp", "rtsps", "rtmp", "rtmps", "http", "https", "udp", "rtp", "srt", "tcp", "hls"}
DEMO = "demo://"


@dataclass
class SourceConfig:
    realtime: bool = False  # pace files at their frame rate (rehearse a live run)
    live: bool | None = None  # None: network URLs, devices and pipes are live, files are not
    rtsp_transport: str = "tcp"  # tcp | udp
    open_timeout: float = 0.0  # seconds to connect and probe; 0: twice stall_timeout, at least 2 s (probing reads ~1 s of stream)
    stall_timeout: float = 5.0  # seconds; no data for this long counts as a lost connection
    max_retries: int = 10  # reconnect attempts in a row before giving up (-1: forever)
    backoff_s: float = 0.5
    backoff_max_s: float = 10.0


def is_live_url(url: str) -> bool:
    """Network URLs and capture devices are live. A pipe is not: backpressure through it loses nothing."""
    return url.startswith("/dev/video") or urlparse(url).scheme.lower() in LIVE_SCHEMES


def check_source(url: str) -> None:
    """Reject what cannot be a source before any thread starts (one clear line for the user)."""
    if url == "-" or url.startswith(DEMO) or url.startswith("/dev/video"):
        return
    scheme = urlparse(url).scheme.lower()
    if len(scheme) > 1 and scheme != "file":  # one letter: a Windows drive
        if scheme not in LIVE_SCHEMES:
            raise UsageError(f"{url}: unsupported URL scheme {scheme!r} (use a file, {', '.join(sorted(LIVE_SCHEMES))}, /dev/videoN or -)")
        return
    path = url[len("file://"):] if url.startswith("file://") else url
    open_video(path).close()  # raises UsageError for missing, empty, non-video files


class Source:
    """One input on its own decode thread; ``start()`` it, then read frames from the ring."""

    def __init__(self, url: str, cfg: SourceConfig):
        check_source(url)
        self.url = url
        self.cfg = cfg
        self.live = cfg.live if cfg.live is not None else is_live_url(url)
        self.fps = 25.0
        self.width = 0
        self.height = 0
        self.frames_put = 0
        self.total_frames: int | None = None  # from the container, when it says
        self.done = threading.Event()
        self.failed = False
        self.error: UsageError | None = None  # a user mistake found on the decode thread (e.g. a pipe of junk)
        self._stop = threading.Event()
        self.slot = 0  # set by start(): this source's place in the shared ring
        self.size = FRAME_SIZE  # frame side, set by start() to the model's
        self.ring: FrameSink | None = None
        self.on_status: StatusCallback = lambda status, detail: None
        self._thread: threading.Thread | None = None
        self._next_index = 0
        self._time_offset = 0.0
        self._jump = 0.0  # added to the times after a backward timestamp jump (joined segments, a clock reset)
        self._last_time: float | None = None
        self._connection_t0: float | None = None
        self._pace_origin: float | None = None
        self._packet_end: float | None = None  # latest packet end (s) of the current file or connection
        self._demo: DemoConfig | None = None
        if url.startswith(DEMO):
            query = parse_qs(urlparse(url).query)
            try:
                given = {key: int(query[key][0]) for key in ("frames", "seed") if key in query}
                self._demo = DemoConfig(**given)
            except ValueError:
                raise UsageError(f"{url}: expected demo://?seed=N&frames=N with whole numbers") from None
            self.fps, self.width, self.height, self.total_frames = self._demo.fps, self._demo.width, self._demo.height, self._demo.frames
        elif not self.live and url != "-":  # probe files now: fps and size are known before the first frame
            with open_video(self._path()) as container:
                self._describe(container.streams.video[0])

    def _path(self) -> str:
        return self.url[len("file://"):] if self.url.startswith("file://") else self.url

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
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    # -- the decode thread ------------------------------------------------------------------
    def _run(self) -> None:
        try:
            if self.url.startswith(DEMO):
                self._emit(self._demo_frames())
                self.on_status("ended", "end of demo stream")
            elif self.live:
                self._run_live()
            else:
                with self._open_file() as container:
                    self._emit(self._decode(container))
                    self._check_complete(container)
                self.on_status("ended", "end of file")
        except UsageError as exc:
            self.failed, self.error = True, exc
            self.on_status("failed", str(exc))
        except (av.FFmpegError, OSError) as exc:
            self.failed, self.error = True, UsageError(f"{self.url}: unreadable ({exc})")
            self.on_status("failed", str(exc))
        except Exception as exc:  # a decode thread must never die silently
            log.exception("source %s failed", self.url)
            self.failed = True
            self.on_status("failed", str(exc))
        finally:
            self.done.set()
            self.ring.producer_done()

    def _run_live(self) -> None:
        failures = 0
        while not self._stop.is_set():
            got_frames, opened, started = False, False, time.monotonic()
            try:
                with self._open_live() as container:
                    opened = True
                    self._describe(container.streams.video[0])
                    self.on_status("connected", f"{self.width}x{self.height} @ {self.fps:.3g} fps")
                    for item in self._decode(container):
                        if not got_frames:
                            got_frames, failures = True, 0
                        if not self._put(*item):
                            return
                if not is_live_url(self.url):  # a local file run as live (--live) ends at its end: nothing to reconnect to
                    self.on_status("ended", "end of file")
                    return
                reason = "stream ended"
            except av.ExitError:  # our timeout interrupted PyAV: the other end sent nothing
                waited = self.cfg.stall_timeout if opened else self._open_timeout()
                reason = f"no data for {waited:g} s ({'stalled' if opened else 'no answer'})"
            except (av.FFmpegError, OSError) as exc:
                reason = f"{exc.__class__.__name__}: {exc}"
                if not opened and time.monotonic() - started >= self._open_timeout():  # some demuxers (RTSP) call it invalid data
                    reason = f"no answer within {self._open_timeout():g} s ({reason})"
            if self._stop.is_set():
                return
            failures += 0 if got_frames else 1
            self.on_status("lost", reason)
            if self.cfg.max_retries >= 0 and failures > self.cfg.max_retries:
                self.failed = True
                self.on_status("failed", f"gave up after {failures - 1} reconnect attempts: {reason}")
                return
            delay = min(self.cfg.backoff_s * 2 ** max(failures - 1, 0), self.cfg.backoff_max_s)
            self.on_status("reconnecting", f"in {delay:.1f} s (attempt {max(failures, 1)})")
            if self._stop.wait(delay):
                return
            if self._last_time is not None:  # the new connection starts one frame after the last
                self._time_offset = self._last_time + 1.0 / self.fps

    def _open_file(self) -> av.container.InputContainer:
        if self.url != "-":
            return open_video(self._path())
        try:
            container = av.open(sys.stdin.buffer)  # a pipe can be read once: no probe beforehand
        except av.FFmpegError as exc:
            raise UsageError(f"standard input is not readable media ({exc})") from None
        if not container.streams.video:
            raise UsageError("standard input holds no video stream")
        self._describe(container.streams.video[0])
        return container

    def _open_live(self) -> av.container.InputContainer:
        url, fmt, options = self.url, None, {}
        if is_live_url(url):  # a short probe for a quick start (no fflags=nobuffer: it discards the probed packets)
            options = {"probesize": "500000", "analyzeduration": "1000000"}
        scheme = urlparse(url).scheme.lower()
        if scheme in ("rtsp", "rtsps"):
            options["rtsp_transport"] = self.cfg.rtsp_transport
        if url.startswith("/dev/video"):
            fmt = "v4l2"
        timeout = (self._open_timeout(), self.cfg.stall_timeout)
        return av.open(url, format=fmt, options=options, timeout=timeout)

    def _open_timeout(self) -> float:
        """A host that never answers is a stall too: ``--stall-timeout`` bounds the open as well as reads."""
        return self.cfg.open_timeout or max(2.0 * self.cfg.stall_timeout, 2.0)

    def _check_complete(self, container: av.container.InputContainer) -> None:
        """Say so when a file's packets stop well before the duration its header announces (cut-off download or copy)."""
        announced = missing_tail(container.streams.video[0], self._packet_end, self.fps)
        if announced is not None and not self._stop.is_set():
            log.warning("%s: data ends at %.3f s (after frame %d) but the file announces %.3f s: truncated? "
                        "the %d readable frames were processed", self.url, self._packet_end, self._next_index,
                        announced, self._next_index)

    def _decode(self, container: av.container.InputContainer) -> Iterator[tuple[np.ndarray, float]]:
        """Yield (pixels, time) of every readable frame; damaged packets are logged and skipped."""
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        self._connection_t0 = None
        self._jump = 0.0
        self._packet_end = None
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
                t = frame_time(frame, self._next_index, self.fps)
                if self.live:
                    if self._connection_t0 is None:
                        self._connection_t0 = t
                    t = self._time_offset + (t - self._connection_t0)
                t += self._jump
                if self._last_time is not None and t < self._last_time - 2.0 / self.fps:
                    step = 1.0 / self.fps  # a discontinuity, not jitter: continue one frame on instead of going back
                    log.warning("%s: timestamps jump back %.3f s at frame %d (joined segments or a clock reset): times "
                                "continue from %.3f s", self.url, self._last_time - t, self._next_index, self._last_time + step)
                    self._jump += self._last_time + step - t
                    t = self._last_time + step
                yield to_rgb(frame, self.size), t

    def _demo_frames(self) -> Iterator[tuple[np.ndarray, float]]:
        for i, img in enumerate(demo_frames(self._demo)):
            yield to_rgb(av.VideoFrame.from_ndarray(img, format="rgb24"), self.size), i / self._demo.fps

    def _emit(self, items: Iterator[tuple[np.ndarray, float]]) -> None:
        for item in items:
            if not self._put(*item):
                return

    def _put(self, pixels: np.ndarray, t: float) -> bool:
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
