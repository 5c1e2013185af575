"""The frame features every part of the transition detector reads, computed once per batch.

Each frame becomes a blurred 16x16 copy (compression noise, grain and motion blur average out),
its change from the frame before, the change of the encoder's posterior (the latent change),
whether it is a flat colour, and a 32x32 grey copy, fine enough to tell where its parts moved
(``spans.moved``). The parts look back over one shared history of these frames.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from ..kl import symmetric_kl
from ..signals import block_sums

SMALL = 16  # side of the blurred copy the detector compares
GREY = 32  # side of the grey copy motion is looked for in


def small_copies(pixels: np.ndarray) -> np.ndarray:
    """uint8 [N,S,S,3] -> float32 [N,16,16,3] in 0-1, each value the mean of its block."""
    k = pixels.shape[1] // SMALL
    return block_sums(pixels, SMALL).astype(np.float32) / (255.0 * k * k)


def grey_copies(pixels: np.ndarray) -> np.ndarray:
    """uint8 [N,S,S,3] -> float32 [N,32,32] in 0-1, each value the mean grey of its block."""
    k = pixels.shape[1] // GREY
    sums = block_sums(pixels, GREY).astype(np.float32)
    return (sums[..., 0] + sums[..., 1] + sums[..., 2]) / (3 * 255.0 * k * k)  # not .sum(-1): twice as slow


@dataclass
class Frame:
    """One frame as every part sees it."""

    index: int
    time: float
    wall: float
    small: np.ndarray
    change: float  # mean absolute change of the 16x16 copy from the frame before
    latent: float  # KL between this frame's posterior and the previous one's (NaN: not encoded, ``sparse.py``)
    flat: bool  # a flat colour (the middle of a fade)
    grey: np.ndarray  # 32x32 grey copy, 0-1


History = deque[Frame]  # the last frames of a stream, oldest first; the combiner appends, the parts read


class Features:
    """Turns one stream's batches into ``Frame`` s; keeps the last copy and posterior, so a batch's first frame has
    its change from the previous batch's last."""

    def __init__(self, flat: float):
        self.flat = flat
        self._small: np.ndarray | None = None  # [1,16,16,3] of the last frame seen
        self._mu: tuple[np.ndarray, np.ndarray] | None = None  # its posterior (mean, log variance), [1,L] each

    def frames(self, index: np.ndarray, time: np.ndarray, wall: np.ndarray, pixels: np.ndarray, mu: np.ndarray,
               logvar: np.ndarray) -> tuple[np.ndarray, list[Frame]]:
        """The batch's 16x16 copies [N,16,16,3] and its frames (the first frame of a stream changes by 0)."""
        small = small_copies(np.asarray(pixels))
        before = np.concatenate([self._small if self._small is not None else small[:1], small[:-1]])
        change = np.abs(small - before).mean((1, 2, 3))
        prev_mu, prev_logvar = self._mu if self._mu is not None else (mu[:1], logvar[:1])
        latent = symmetric_kl(np.concatenate([prev_mu, mu[:-1]]), np.concatenate([prev_logvar, logvar[:-1]]), mu, logvar)
        self._small, self._mu = small[-1:], (mu[-1:], logvar[-1:])
        flat = np.sqrt(((small - small.mean((1, 2), keepdims=True)) ** 2).mean((1, 2, 3))) < self.flat
        grey = grey_copies(np.asarray(pixels))
        return small, [Frame(int(index[j]), float(time[j]), float(wall[j]), small[j], float(change[j]), float(latent[j]),
                             bool(flat[j]), grey[j]) for j in range(len(small))]


def distance(a: Frame, b: Frame) -> float:
    """How far apart two pictures are: the mean absolute difference of their 16x16 copies."""
    return float(np.abs(b.small - a.small).mean())


def since(history: History, first: int, last: int) -> list[Frame]:
    """The frames ``first``..``last`` and the one before them (frame indices skip what a live source dropped);
    empty when that one is no longer kept."""
    frames = list(history)
    at = next((k for k, g in enumerate(frames) if g.index >= first), 0)
    return [g for g in frames[at - 1 :] if g.index <= last] if at > 0 else []
