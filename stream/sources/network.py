"""A live input: a network stream that is reconnected with backoff when it stalls, drops or ends.

It reports ``connected``, ``lost``, ``reconnecting`` and ``failed`` (or ``ended`` for a local
file run as live, or a stream its server ended when no reconnect is allowed). After any loss (a
dropped connection, a stall, the server ending the stream) it makes up to ``max_retries``
reconnect attempts in a row; a connection that delivers frames resets the count; 0 never
reconnects, -1 retries forever. Numbering stays monotonic across reconnects: the frame index keeps counting,
and the times of a new connection are shifted so that its first frame comes one frame interval
after the last frame of the previous connection (a camera's own clock usually restarts at zero
on reconnect).
"""

from __future__ import annotations

import time
from urllib.parse import urlparse

import av

from .base import SourceConfig, ThreadedSource


class NetworkSource(ThreadedSource):
    """Live (drops the oldest frames when behind); fps and size are known at each connection.

    ``local``: a local file run as live with ``--live``; it goes through the same
    policy but is probed as usual and ends at its end, as there is nothing to reconnect to.
    """

    demuxer: str | None = None  # PyAV input format; None: FFmpeg guesses from the URL and the data

    def __init__(self, url: str, cfg: SourceConfig, local: bool = False):
        super().__init__(url, cfg, live=True)
        self.local = local
        self._time_offset = 0.0  # where the current connection's first frame goes on the source's timeline
        self._connection_t0: float | None = None

    def _produce(self) -> None:
        attempts = 0  # reconnect attempts since the last connection that delivered frames
        while not self._stop.is_set():
            got_frames, opened, ended, started = False, False, False, time.monotonic()
            try:
                with self._open() as container:
                    opened = True
                    self._describe(container.streams.video[0])
                    self.on_status("connected", f"{self.width}x{self.height} @ {self.fps:.3g} fps")
                    self._connection_t0 = None
                    for item in self._decode(container):
                        if not got_frames:
                            got_frames, attempts = True, 0
                        if not self._put(*item):
                            return
                if self.local:  # nothing to reconnect to
                    self._ended("end of file")
                    return
                reason, ended = "stream ended", True
            except av.ExitError:  # our timeout interrupted PyAV: the other end sent nothing
                waited = self.cfg.stall_timeout if opened else self._open_timeout()
                reason = f"no data for {waited:g} s ({'stalled' if opened else 'no answer'})"
            except (av.FFmpegError, OSError) as exc:
                reason = f"{exc.__class__.__name__}: {exc}"
                if not opened and time.monotonic() - started >= self._open_timeout():  # some demuxers (RTSP) call it invalid data
                    reason = f"no answer within {self._open_timeout():g} s ({reason})"
            if self._stop.is_set():
                return
            if self.cfg.max_retries >= 0 and attempts >= self.cfg.max_retries:
                self._give_up(reason, attempts, ended)
                return
            self.on_status("lost", reason)
            attempts += 1
            delay = min(self.cfg.backoff_s * 2 ** (attempts - 1), self.cfg.backoff_max_s)
            self.on_status("reconnecting", f"in {delay:.1f} s (attempt {attempts})")
            if self._stop.wait(delay):
                return
            if self._last_time is not None:  # the new connection starts one frame after the last
                self._time_offset = self._last_time + 1.0 / self.fps

    def _give_up(self, reason: str, attempts: int, ended: bool) -> None:
        """No more reconnects: a stream its server ended is over (``ended``, exit 0); one that was lost has ``failed``."""
        if ended and attempts == 0:
            self._ended(reason)
            return
        self.on_status("lost", reason)
        self.failed = True
        self.on_status("failed", f"gave up after {attempts} reconnect attempts: {reason}")

    def _open(self) -> av.container.InputContainer:
        options = {}
        if not self.local:  # a short probe for a quick start (no fflags=nobuffer: it discards the probed packets)
            options = {"probesize": "500000", "analyzeduration": "1000000"}
        if urlparse(self.url).scheme.lower() in ("rtsp", "rtsps"):
            options["rtsp_transport"] = self.cfg.rtsp_transport
        timeout = (self._open_timeout(), self.cfg.stall_timeout)
        return av.open(self.url, format=self.demuxer, options=options, timeout=timeout)

    def _open_timeout(self) -> float:
        """A host that never answers is a stall too: ``--stall-timeout`` bounds the open as well as reads."""
        return self.cfg.open_timeout or max(2.0 * self.cfg.stall_timeout, 2.0)

    def _retime(self, t: float) -> float:
        if self._connection_t0 is None:
            self._connection_t0 = t
        return self._time_offset + (t - self._connection_t0)
