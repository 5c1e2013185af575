"""``demo://?seed=N&frames=N``: the generated cartoon (``cartoon.py``) as a stream, with no file or network."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import av
import numpy as np

from ..core.errors import UsageError
from .base import SourceConfig, ThreadedSource
from .cartoon import DemoConfig, frames
from .decode import RGBScaler


class DemoSource(ThreadedSource):
    """Frames rendered on the decode thread; fps, size and length come from the URL's ``DemoConfig``."""

    def __init__(self, url: str, cfg: SourceConfig):
        super().__init__(url, cfg, live=bool(cfg.live))
        query = parse_qs(urlparse(url).query)
        try:
            given = {key: int(query[key][0]) for key in ("frames", "seed") if key in query}
            self.demo = DemoConfig(**given)
        except ValueError:
            raise UsageError(f"{url}: expected demo://?seed=N&frames=N with whole numbers") from None
        self.fps, self.width, self.height, self.total_frames = self.demo.fps, self.demo.width, self.demo.height, self.demo.frames

    def _produce(self) -> None:
        self._emit(self._frames())
        self._ended("end of demo stream")

    def _frames(self) -> Iterator[tuple[np.ndarray, float]]:
        to_rgb = RGBScaler(self.size)
        for i, img in enumerate(frames(self.demo)):
            yield to_rgb(av.VideoFrame.from_ndarray(img, format="rgb24")), i / self.demo.fps
