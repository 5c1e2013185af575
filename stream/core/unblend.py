"""Unblend: a frame that mixes the two pictures of a cut is shown as the picture it mostly holds, before anything measures it.

Footage converted to another frame rate by blending (a 25p edit in a 50p stream, 24p film in 30p) and interlaced
footage decoded without deinterlacing (a cut between the two fields of one frame, which scaling to 64x64 averages) put
a frame between the two shots of a cut that holds both. Each half of the cut is then half a change, and the two
together look like a dissolve two frames long: the local normalisation, the latent rules and the minimum scene length
lose the cut or find it twice.

A frame b between frames a and c is such a blend when

- it is their mix: b = (1 - w) a + w c, with w fitted by least squares within ``weights``, but for at most ``rest`` of
  the change from a to c;
- and the shots on either side are calm: the step into a and the step out of c are each at most ``calm`` of that
  change, and make at most ``along`` of it in its direction. A dissolve's frames are mixes of their neighbours too, but
  a dissolve goes on either side, in the same direction; the shots of a cut move on their own.

It is then replaced by a copy of a (w < 1/2: mostly the old shot, so the cut falls on c) or of c (the cut falls on b):
the encoder, the scorer and the transition detector see a hard cut and a repeated frame, which they handle. The test
reads two frames after b, so a stream's frames are held back ``HOLD`` frames (80 ms at 25 fps; a file's encode plan
holds more). Two blended frames in a row (a cut spread over three frames) are left as they are: a short dissolve.

    unblend = Unblend()
    run = unblend.release(frames)   # None: all held back for now; the same frames whatever the batches
    rest = unblend.rest()           # at the stream's end: nothing follows it
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Generic

import numpy as np

from .frames import HeldBack, Run
from .signals import pixel_change

HOLD = 2  # frames after a frame that its test reads


@dataclass(frozen=True)
class UnblendConfig:
    rest: float = 0.2  # a blend's departure from the mix of its neighbours, at most, as a share of their change
    calm: float = 0.25  # the step into the frame before and out of the frame after, at most, as a share of that change
    along: float = 0.1  # the share of that change that the step into a or out of c makes in its direction, at most
    weights: tuple[float, float] = (0.15, 0.85)  # the later picture's share in a blend (nearer 0 or 1: a frame, no mix)
    least: float = 0.004  # neighbours that differ by less (mean, 0-1) differ by noise: nothing to unblend

    def __post_init__(self) -> None:
        if not (0 < self.weights[0] <= 0.5 <= self.weights[1] < 1) or min(self.rest, self.calm, self.along, self.least) <= 0:
            raise ValueError("weights must lie in (0, 1) about 1/2; rest, calm, along and least must be positive")


def mixes(px: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """uint8 frames [N,S,S,3] and the frames b of interest, each with a = b - 1, c = b + 1 and two frames either side ->
    (w: c's share in the mix of a and c nearest b; what b departs from that mix, mean absolute, 0-255; the larger share of
    the change from a to c that the step into a or the step out of c makes along it)."""
    def frames(k: np.ndarray) -> np.ndarray:
        return px[k].reshape(len(k), int(np.prod(px.shape[1:]))).astype(np.float32)

    a0, a, b, c, c1 = (frames(j + k) for k in (-2, -1, 0, 1, 2))
    u, v = c - a, b - a
    uu = np.maximum(np.einsum("ij,ij->i", u, u), 1e-9)
    w = np.einsum("ij,ij->i", u, v) / uu
    along = np.maximum(np.einsum("ij,ij->i", a - a0, u), np.einsum("ij,ij->i", c1 - c, u)) / uu
    return w, np.abs(v - w[:, None] * u).mean(1), along


class Unblend(Generic[Run]):
    """One stream's frames in order (``release`` runs of any length, then ``rest``), blends replaced."""

    def __init__(self, cfg: UnblendConfig | None = None):
        self.cfg = cfg or UnblendConfig()
        self._hold: HeldBack[Run] = HeldBack(HOLD)
        self._before = np.zeros((0, 0, 0, 3), np.uint8)  # the last frames released (at most two), as decoded

    @property
    def held(self) -> int:
        """Frames held back now."""
        return self._hold.held

    def release(self, frames: Run) -> Run | None:
        """The frames (with those held before them) whose test can be read now; the last ``HOLD`` wait."""
        run, k = self._hold.add(frames)
        return self._out(run, k) if k else None

    def rest(self) -> Run | None:
        """What is held back, at the stream's end (its last frames are not tested: nothing follows them)."""
        run = self._hold.rest()
        return self._out(run, len(run)) if run is not None else None

    def _out(self, run: Run, k: int) -> Run:
        """The first ``k`` frames of ``run``, each blend replaced, where two frames before and two after are known."""
        cfg = self.cfg
        px = run.pixels if not len(self._before) else np.concatenate([self._before, run.pixels])
        off = len(px) - len(run)
        self._before = px[max(off + k - HOLD, 0):off + k]
        j = np.arange(max(off, 2), max(min(off + k, len(px) - 2), 2))  # frames b, with a = j - 1 and c = j + 1
        step = pixel_change(px[:-1], px[1:])  # step[i]: frame i to frame i + 1
        # the change from a to c is at most the two steps through b: a calm side is at most ``calm`` of their sum
        bound = cfg.calm * (step[j - 1] + step[j])
        j = j[(step[j - 2] <= bound) & (step[j + 1] <= bound) & (step[j - 1] + step[j] >= cfg.least)]
        d = pixel_change(px[j - 1], px[j + 1])
        keep = (step[j - 2] <= cfg.calm * d) & (step[j + 1] <= cfg.calm * d) & (d >= cfg.least)
        j, d = j[keep], d[keep]
        w, departs, along = mixes(px, j)
        blend = (departs <= cfg.rest * d * 255.0) & (w >= cfg.weights[0]) & (w <= cfg.weights[1]) & (along <= cfg.along)
        if not blend.any():
            return run[:k]
        j, w = j[blend], w[blend]
        pixels = run.pixels[:k].copy()
        pixels[j - off] = px[np.where(w < 0.5, j - 1, j + 1)]
        return replace(run[:k], pixels=pixels)
