"""A local video file, read as fast as the encoder takes it (nothing is lost) or paced with ``realtime``."""

from __future__ import annotations

from .base import SourceConfig, ThreadedSource
from .decode import open_video

FILE_URL = "file://"


def local_path(url: str) -> str:
    """The path of a local file given as a path or a ``file://`` URL."""
    return url.removeprefix(FILE_URL)


class FileSource(ThreadedSource):
    """Probed at open, so fps, size and frame count are known before the first frame; missing, empty
    and non-video files raise ``UsageError`` here. The probe's container is the one decoded (opening a
    file again costs its probing again)."""

    def __init__(self, url: str, cfg: SourceConfig):
        super().__init__(url, cfg, live=False)
        self._container = open_video(local_path(url))
        self._describe(self._container.streams.video[0])

    def _produce(self) -> None:
        self._read_to_end(self._container)
