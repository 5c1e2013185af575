"""Wipes: the pixels switch from the old picture to the new one once each, at times that line up across the frame
(an edge) or from its centre (an iris); and, where nothing else says a transition happened, the frames show the
new picture on one side of that edge and the old one, in place, on the other."""

from __future__ import annotations

import numpy as np

from .frames import SMALL

MOVING = 0.05  # a pixel of the 16x16 copy that changes at least this much (0-1) takes part in the transition
MIN_PIXELS = 8  # fewer such pixels tell nothing
_Y, _X = np.mgrid[0:SMALL, 0:SMALL]
# the orders in which an edge can cross the 16x16 copy: left to right, top to bottom, from the centre out
_ORDERS = [np.argsort(p.ravel(), kind="stable") for p in (_X, _Y, np.hypot(_Y - SMALL / 2 + 0.5, _X - SMALL / 2 + 0.5))]


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
    stays = np.mean(past.sum(0) == len(past) - past.argmax(0))  # and stayed there (all past from the first that is)
    if switch.std() < 0.15 or stays < once:
        return False
    yy, xx = np.nonzero(moving)
    position = np.stack([yy, xx, np.hypot(yy - SMALL / 2, xx - SMALL / 2)], 1).astype(np.float64)
    position -= position.mean(0)
    switch = switch - switch.mean()
    spread = np.sqrt((position * position).sum(0) * (switch * switch).sum())
    varies = spread > 0  # a direction along which the pixels that change do not all lie at one place
    corr = np.abs(position.T @ switch)[varies] / spread[varies]  # each direction's correlation with the switch times
    return bool(varies.any()) and float(corr.max()) >= line


def _edge(frame: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[int, bool, int]:
    """The edge that best splits a grey 16x16 ``frame`` into the last picture ``b`` on one side and the first ``a`` on
    the other: (which order of ``_ORDERS``, whether ``b`` comes first in it, how many pixels come before the edge)."""
    to_a, to_b = np.abs(frame - a).ravel(), np.abs(frame - b).ravel()
    best = (np.inf, 0, False, 0)
    for k, order in enumerate(_ORDERS):
        before_a, before_b = np.cumsum(np.r_[0.0, to_a[order]]), np.cumsum(np.r_[0.0, to_b[order]])
        for b_first, cost in ((True, before_b + before_a[-1] - before_a), (False, before_a + before_b[-1] - before_b)):
            at = int(np.argmin(cost))
            if cost[at] < best[0]:
                best = (float(cost[at]), k, b_first, at)
    return best[1:]


def one_edge(pictures: np.ndarray) -> bool:
    """Whether the frames a quarter, half and three quarters through ``pictures`` are each the last picture on one side
    of an edge and the first on the other, in place, along the same order and with the new picture gaining ground.

    A pan or a whip-pan that brings new things in also switches pixels along a direction, but what stays of the
    old picture has moved with the camera: the best edges of its frames disagree, or stand still.
    """
    a, b = pictures[0].mean(-1), pictures[-1].mean(-1)
    n = len(pictures) - 1
    edges = [_edge(pictures[k].mean(-1), a, b) for k in (n // 4, n // 2, 3 * n // 4)]
    if any(e[:2] != edges[0][:2] for e in edges):
        return False
    at = np.array([e[2] for e in edges]) * (1 if edges[0][1] else -1)  # grows as the new picture gains ground
    return bool((np.diff(at) >= 0).all() and at[-1] > at[0])


def is_wipe(pictures: np.ndarray, line: float) -> bool:
    """A wipe by its frames alone: the pixels switch once along a moving edge (``sweeps``, lined up at least ``line``)
    and the frames are the two pictures on its two sides (``one_edge``)."""
    return sweeps(pictures, line) and one_edge(pictures)
