"""Blur and flash transitions (anime edits): the outgoing shot smears, the incoming one de-blurs.

Their path wanders, like motion's, but in a short span several frames move the VAE's latent as
far as a cut does, and several frames change the picture about as much as its largest change
(a cut inside motion has one such frame).
"""

from __future__ import annotations

from .config import TransitionConfig
from .frames import Frame


def is_burst(span: list[Frame], travel: float, latent_level: float, cfg: TransitionConfig) -> bool:
    """Whether ``span[1:]`` (``span[0]``: the picture before it; ``travel``: the distance between the two ends) is a
    blur or flash transition, ``latent_level`` being the stream's typical latent change before it."""
    level = cfg.burst.ratio * (latent_level + cfg.kl_floor)
    largest = max(f.change for f in span[1:])
    return (cfg.min_frames <= len(span) - 1 <= cfg.burst.max_s * cfg.fps and travel >= cfg.cut_level
            and sum(f.latent > level for f in span[1:]) >= cfg.burst.frames
            and sum(f.change >= cfg.burst.smear * largest for f in span[1:]) >= cfg.burst.frames)
