"""Augmentations that keep a shot a shot: what changes inside one shot (a grade, a zoom, a mirror).

The encoder should place frames of one shot close together and frames of different shots apart.
Colour grading, glow and push-ins change a shot's pixels without changing the shot, so training
on them teaches the latent to carry the picture's content rather than its exposure or framing.
Everything is numpy on the float batch ([N,3,S,S] in [0,1]) and seeded per batch, so a resumed
run augments exactly as an uninterrupted one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class AugmentConfig:
    flip: bool = True  # mirror half the frames
    jitter: bool = True  # colour jitter and small zooms
    brightness: float = 0.2  # gain in [1 - b, 1 + b]
    contrast: float = 0.2
    saturation: float = 0.3
    channel_gain: float = 0.08  # per-channel gain: a colour grade's tint
    max_zoom: float = 1.25  # crop 1/zoom of each side, scaled back up
    probability: float = 0.8  # of jitter and zoom, each, per frame


def augment(x: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    """Augment the batch in place (and return it)."""
    n = len(x)
    if cfg.flip:
        flip = rng.random(n) < 0.5
        x[flip] = x[flip, :, :, ::-1]
    if cfg.jitter:
        zoom = rng.random(n) < cfg.probability
        if zoom.any():
            x[zoom] = _zoom(x[zoom], rng, cfg.max_zoom)
        colour = rng.random(n) < cfg.probability
        if colour.any():
            x[colour] = _colour(x[colour], rng, cfg)
    return x


def _zoom(x: np.ndarray, rng: np.random.Generator, max_zoom: float) -> np.ndarray:
    """A random crop of each frame scaled back to full size (nearest neighbour, cheap and exact)."""
    n, _, s, _ = x.shape
    crop = np.round(s / rng.uniform(1.0, max_zoom, n)).astype(int)
    top = (rng.random(n) * (s - crop + 1)).astype(int)
    left = (rng.random(n) * (s - crop + 1)).astype(int)
    grid = np.arange(s) / s
    rows = top[:, None] + (grid[None, :] * crop[:, None]).astype(int)  # [N,S]
    cols = left[:, None] + (grid[None, :] * crop[:, None]).astype(int)
    frames = np.arange(n)[:, None, None, None]
    channels = np.arange(x.shape[1])[None, :, None, None]
    return x[frames, channels, rows[:, None, :, None], cols[:, None, None, :]]


def _colour(x: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    """Brightness, contrast, saturation and a tint, each drawn per frame, clipped to [0, 1]."""
    n = len(x)

    def draw(spread: float, *shape: int) -> np.ndarray:
        return rng.uniform(1.0 - spread, 1.0 + spread, (n, *shape)).astype(np.float32)

    grey = x.mean(axis=1, keepdims=True)
    x = grey + (x - grey) * draw(cfg.saturation, 1, 1, 1)
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    x = mean + (x - mean) * draw(cfg.contrast, 1, 1, 1)
    x = x * draw(cfg.brightness, 1, 1, 1) * draw(cfg.channel_gain, 3, 1, 1)
    return np.clip(x, 0.0, 1.0)
