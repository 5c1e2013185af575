"""What the parts of the transition detector share about a span of frames: what they found, and the tests of it
more than one part applies (straight travel, trimming, telling a fade from a dissolve from a wipe)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .config import TransitionConfig
from .frames import Frame, distance
from .wipe import sweeps


@dataclass
class Found:
    """A transition over ``span[1:]`` (``span[0]`` is the picture before it) that a part found; the combiner
    (``detector.py``) decides whether it goes out."""

    span: list[Frame]
    kind: str  # fade | dissolve | wipe
    travel: float  # distance from the picture before it to its last


def direct(span: list[Frame], travel: float, cfg: TransitionConfig) -> bool:
    """Far enough, long enough, straight there, and gradually: no one frame does most of it (a fade, a dissolve)."""
    changes = [g.change for g in span[1:]]
    return (len(changes) >= cfg.min_frames and travel >= cfg.cut_level
            and travel >= cfg.straight * sum(changes) and max(changes) <= cfg.step * travel)


def moved(span: list[Frame], cfg: TransitionConfig) -> bool:
    """Whether the last picture is the first one moved (a pan or a jerk of the camera, something that walks through):
    each quarter of it, looked for in the first picture within ``twin.reach`` of where it was, leaves less than
    ``twin.motion`` of their difference. A fade or a dissolve brings in a picture that was not there to be moved, so its
    quarters are found nowhere near (Zhang, Kankanhalli and Smoliar tell twin comparison's camera moves the same way,
    by motion). A span through a flat colour is a fade, whatever moved around it."""
    first, last = span[0].grey, span[-1].grey
    gap = float(np.abs(last - first).mean())
    if gap == 0.0 or any(f.flat for f in span):
        return False
    half, reach = first.shape[0] // 2, max(1, round(cfg.twin.reach * first.shape[0]))
    places = sliding_window_view(np.pad(first, reach, mode="edge"), (half, half))  # [y, x]: the quarter-sized window
    # of the first picture whose corner is at (y - reach, x - reach)
    left = 0.0
    for y in (0, half):
        for x in (0, half):
            near = places[y : y + 2 * reach + 1, x : x + 2 * reach + 1]
            left += float(np.abs(near - last[y : y + half, x : x + half]).mean((2, 3)).min())
    return left / 4 < cfg.twin.motion * gap


def in_pieces(span: list[Frame], travel: float, cfg: TransitionConfig) -> bool:
    """Whether the frames a quarter, half and three quarters through the span are pieces of its first and last
    pictures, in place (each pixel of the grey 16x16 copy within ``misfit`` of ``travel`` of the nearer of the two), as
    a wipe's are. Something that rises or moves into the picture switches its pixels along an edge too, but its parts
    arrive from elsewhere: half-way in, they are neither picture."""
    a, b = span[0].small.mean(-1), span[-1].small.mean(-1)
    n = len(span) - 1
    off = max(float(np.minimum(np.abs(g - a), np.abs(g - b)).mean())
              for g in (span[k].small.mean(-1) for k in (n // 4, n // 2, 3 * n // 4)))
    return off <= cfg.misfit * travel


def trim(span: list[Frame], keep: float = 0.95) -> list[Frame]:
    """The span without the motion that opened it early or kept it open late: leading and trailing frames
    that add path but no travel (from the first picture to the last, at least ``keep`` of it stays)."""
    full = distance(span[0], span[-1])
    first = 0
    while first + 2 < len(span) and distance(span[first + 1], span[-1]) >= keep * full:
        first += 1
    span = span[first:]
    last = len(span) - 1
    while last > 1 and distance(span[0], span[last - 1]) >= keep * full:
        last -= 1
    return span[: last + 1]


def kind(span: list[Frame]) -> str:
    """A span through a flat colour is a fade; one whose pixels switch along a moving edge a wipe; else a dissolve."""
    if any(f.flat for f in span):
        return "fade"
    return "wipe" if sweeps(np.stack([f.small for f in span])) else "dissolve"
