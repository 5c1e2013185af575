"""Standard input (``-``): a stream of media piped in, read once, to its end.

A pipe is not live: backpressure through it loses nothing, so frames wait for room in the ring.
"""

from __future__ import annotations

import sys

import av

from ..core.errors import UsageError
from .base import SourceConfig, ThreadedSource
from .decode import reason


class PipeSource(ThreadedSource):
    """Reads ``sys.stdin``; fps and size are known once the decode thread has opened it."""

    def __init__(self, cfg: SourceConfig):
        super().__init__("-", cfg, live=False)

    def _produce(self) -> None:
        try:
            container = av.open(sys.stdin.buffer)  # a pipe can be read once: no probe beforehand
        except av.FFmpegError as exc:
            raise UsageError(f"standard input is not readable media ({reason(exc)})") from None
        if not container.streams.video:
            raise UsageError("standard input holds no video stream")
        self._describe(container.streams.video[0])
        self._read_to_end(container)
