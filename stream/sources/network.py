"""A live input: a network stream that is reconnected with backoff when it stalls, drops or ends.

It reports ``connected``, ``lost``, ``reconnecting`` and ``failed`` (or ``ended`` for a local
file run as live, or a stream its server ended when no reconnect is allowed). A source that has
never connected is not lost: a wrong URL, a host that does not exist or a camera that is off
fails after a few quick tries (``FIRST_TRIES``, within the open timeout), with one ``failed``
that names the URL and the reason; ``--max-retries -1`` waits for it forever. After any loss (a
dropped connection, a stall, the server ending the stream) it makes up to ``max_retries``
reconnect attempts in a row; a connection that delivers frames resets the count; 0 never
reconnects, -1 retries forever. Numbering stays monotonic across reconnects: the frame index keeps counting,
and the times of a new connection are shifted so that its first frame comes one frame interval
after the last frame of the previous connection (a camera's own clock usually restarts at zero
on reconnect).
"""

from __future__ import annotations

import errno
import logging
import socket
import time
from urllib.parse import urlparse

import av

from .base import SourceConfig, ThreadedSource
from .decode import reason as strerror

log = logging.getLogger(__name__)

FIRST_TRIES = 3  # tries of a source that never connected before it fails (fewer with a smaller --max-retries)


def describe(exc: BaseException, url: str) -> str:
    """A network failure in words ('connection refused', 'host not found', 'connection timed out'), not a class name.

    FFmpeg reports a host name that does not resolve as an I/O error: the name is looked up again to say so.
    """
    if getattr(exc, "errno", None) == errno.EIO and not _resolves(urlparse(url).hostname):
        return "host not found"
    return strerror(exc)


def _resolves(host: str | None) -> bool:
    if not host:
        return True
    try:
        socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False
    return True


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
        up, tries, first = False, 0, time.monotonic()  # connected once; tries while never connected, since ``first``
        while not self._stop.is_set():
            got_frames, opened, ended, started = False, False, False, time.monotonic()
            try:
                with self._open() as container:
                    opened = up = True
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
                reason = describe(exc, self.url)
                if not opened and time.monotonic() - started >= self._open_timeout():  # some demuxers (RTSP) call it invalid data
                    reason = f"no answer within {self._open_timeout():g} s ({reason})"
            if self._stop.is_set():
                return
            if not up:
                tries += 1
                if not self._try_again(reason, tries, time.monotonic() - first):
                    return
                continue
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

    def _try_again(self, reason: str, tries: int, elapsed: float) -> bool:
        """After a failed try of a source that never connected: wait and say True, or report ``failed`` and say False.

        It gives up after ``FIRST_TRIES`` (or ``--max-retries`` + 1, if fewer) or once the tries have taken the open
        timeout (a host that never answers: one try); ``--max-retries -1`` tries forever, as for a camera not up yet.
        """
        forever = self.cfg.max_retries < 0
        if not forever and (tries > min(self.cfg.max_retries, FIRST_TRIES - 1) or elapsed >= self._open_timeout()):
            self.failed = True
            self.on_status("failed", f"{self.url}: {reason} (never connected: {tries} {'try' if tries == 1 else 'tries'} "
                                     f"in {elapsed:.1f} s)")
            return False
        delay = min(self.cfg.backoff_s * 2 ** (tries - 1), self.cfg.backoff_max_s)
        log.log(logging.WARNING if forever and tries == 1 else logging.INFO, "%s: %s; trying again in %.1f s%s",
                self.url, reason, delay, " (and again until it answers: --max-retries -1)" if forever else "")
        return not self._stop.wait(delay)

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
