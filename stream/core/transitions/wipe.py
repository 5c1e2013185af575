"""Wipes: the pixels switch from the old picture to the new one once each, at times that line up across the frame
(an edge) or from its centre (an iris)."""

from __future__ import annotations

import numpy as np

from .frames import SMALL

MOVING = 0.05  # a pixel of the 16x16 copy that changes at least this much (0-1) takes part in the transition
MIN_PIXELS = 8  # fewer such pixels tell nothing


def sweeps(pictures: np.ndarray, line: float = 0.7, once: float = 0.75) -> bool:
    """Whether the pixels switch from the first picture to the last once each, at times that move across the frame.

    In a dissolve every pixel is part way at the same time; in a wipe each pixel jumps when the
    edge passes and then stays, so the switch times of the pixels that change spread over the span
    and line up with their position (along a direction, or the distance from the centre: an iris).
    A pan moves every pixel back and forth instead.
    """
    a, b = pictures[0].mean(-1), pictures[-1].mean(-1)
    gap = b - a
    moving = np.abs(gap) > MOVING
    if moving.sum() < MIN_PIXELS:
        return False
    progress = (pictures.mean(-1) - a)[:, moving] / gap[moving]  # 0 at the start, 1 at the end, per pixel
    past = progress >= 0.5
    switch = (~past).sum(0) / len(pictures)  # when each pixel passed half way, 0-1
    stays = np.mean([p[np.argmax(p):].all() for p in past.T])  # and stayed there
    if switch.std() < 0.15 or stays < once:
        return False
    yy, xx = np.nonzero(moving)
    position = np.stack([yy, xx, np.hypot(yy - SMALL / 2, xx - SMALL / 2)], 1).astype(np.float64)
    corr = [abs(np.corrcoef(position[:, k], switch)[0, 1]) for k in range(3) if position[:, k].std() > 0]
    return bool(corr) and max(corr) >= line
