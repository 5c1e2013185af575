"""Small JPEG thumbnails of the first frame of each new shot, kept in a bounded store.

The scorer hands over the cut frame as the 64x64 RGB the model saw; that is all we keep
(12 KiB a cut), so memory stays bounded by ``ThumbConfig.thumbnails`` whatever the stream length.
JPEG encoding (PyAV's mjpeg encoder: no Pillow) happens only when a thumbnail is first asked
for, off the detection path, and the bytes are then cached with the pixels they replace.

    store = ThumbStore(ThumbConfig(thumbnails=4))
    store.add("0", 120, pixels, aspect=16 / 9)
    jpeg = store.jpeg("0", 120)   # bytes, or None once evicted
"""

from __future__ import annotations

import fractions
import logging
from collections import OrderedDict
from dataclasses import dataclass

import av
import numpy as np

log = logging.getLogger(__name__)


@dataclass
class ThumbConfig:
    thumbnails: int = 256  # thumbnails kept in memory, over all streams (oldest evicted first)
    width: int = 128  # the 64x64 model frame is stretched back to the source's aspect ratio
    quality: int = 4  # mjpeg qscale, 2 (best) .. 31 (worst)


def encode_jpeg(pixels: np.ndarray, width: int, height: int, quality: int = 4) -> bytes:
    """uint8 RGB [H,W,3] -> JPEG bytes of ``width`` x ``height`` (both even)."""
    ctx = av.CodecContext.create("mjpeg", "w")
    ctx.width, ctx.height = width, height
    ctx.pix_fmt = "yuvj420p"
    ctx.time_base = fractions.Fraction(1, 25)
    ctx.qmin = ctx.qmax = quality  # a fixed quantiser: mjpeg otherwise runs at its best (largest) quality
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels, dtype=np.uint8), format="rgb24")
    frame = frame.reformat(width=width, height=height, format="yuvj420p")
    packets = ctx.encode(frame) + ctx.encode(None)
    return b"".join(bytes(p) for p in packets)


def thumb_size(width: int, aspect: float) -> tuple[int, int]:
    """Even width and height for a thumbnail ``width`` wide at ``aspect`` (width / height)."""
    aspect = aspect if 0.2 <= aspect <= 5.0 else 1.0
    return width - width % 2, max(2, round(width / aspect / 2) * 2)


class ThumbStore:
    """Thumbnails keyed by (stream id, frame index); not thread-safe (use from one thread)."""

    def __init__(self, cfg: ThumbConfig | None = None):
        self.cfg = cfg or ThumbConfig()
        self._items: OrderedDict[tuple[str, int], tuple[np.ndarray | None, bytes | None, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, stream: str, frame: int, pixels: np.ndarray, aspect: float = 1.0) -> bool:
        """Keep ``pixels`` (uint8 [S,S,3]) for later; False when there is nothing usable to keep."""
        if self.cfg.thumbnails <= 0 or pixels is None or getattr(pixels, "ndim", 0) != 3 or pixels.shape[2] != 3:
            return False
        self._items[(stream, frame)] = (np.array(pixels, dtype=np.uint8, copy=True), None, aspect)
        self._items.move_to_end((stream, frame))
        while len(self._items) > self.cfg.thumbnails:
            self._items.popitem(last=False)
        return True

    def jpeg(self, stream: str, frame: int) -> bytes | None:
        item = self._items.get((stream, frame))
        if item is None:
            return None
        pixels, data, aspect = item
        if data is None:
            data = encode_jpeg(pixels, *thumb_size(self.cfg.width, aspect), self.cfg.quality)
            self._items[(stream, frame)] = (None, data, aspect)  # the JPEG replaces the pixels
        return data
