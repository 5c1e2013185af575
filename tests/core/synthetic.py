"""Synthetic posteriors and 64x64 pictures with known cuts, for the scorer's and the rules' tests: no video, no model."""

from __future__ import annotations

import numpy as np


def synthetic(n: int, cuts: list[int], seed: int = 0, motion: float = 0.05, flashes: list[int] = (),
              related: list[int] = ()):
    """Posteriors and pixels of a clip whose shots change at ``cuts``; flashes are one white frame. At the cuts in
    ``related`` the posterior moves by a little beside what it holds (two shots that share content, as the latent
    sees them), so no rule makes them a cut whatever the threshold; at the others the pictures are unrelated."""
    rng = np.random.default_rng(seed)
    shot = np.searchsorted(cuts, np.arange(n), side="right")
    centres = rng.normal(0, 3, (len(cuts) + 1, 10))
    steps = np.random.default_rng(seed + 1).normal(0, 0.5, (len(cuts), 10))  # apart: the rest is drawn as without
    for k, c in enumerate(cuts):
        if c in related:
            centres[k + 1] = centres[k] + steps[k]
    mu = centres[shot] + rng.normal(0, motion, (n, 10))
    logvar = np.full((n, 10), -3.0)
    colours = rng.integers(30, 220, (len(cuts) + 1, 3))
    yy, xx = np.mgrid[0:64, 0:64]
    pixels = np.zeros((n, 64, 64, 3), np.uint8)
    for i in range(n):
        img = np.zeros((64, 64, 3)) + colours[shot[i]]
        box = (abs(yy - 32) < 10) & (abs(xx - (i * 2) % 64) < 10)  # a moving square
        img[box] = 255 - colours[shot[i]]
        pixels[i] = np.clip(img + rng.integers(-3, 4, img.shape), 0, 255)
    for f in flashes:
        pixels[f] = 250
        mu[f] = rng.normal(0, 3, 10)
    return mu, logvar, pixels


def pictures(n: int, rng) -> np.ndarray:
    """Unrelated textured pictures [n, 80, 80, 3]: random 8x8 colour grids, smoothly upsampled (margins to pan in)."""
    grid = rng.integers(20, 236, (n, 8, 8, 3)).astype(float)
    x = np.linspace(0, 7, 80)
    i0 = np.floor(x).astype(int).clip(0, 6)
    t = x - i0
    rows = grid[:, i0] * (1 - t)[None, :, None, None] + grid[:, i0 + 1] * t[None, :, None, None]
    return rows[:, :, i0] * (1 - t)[None, None, :, None] + rows[:, :, i0 + 1] * t[None, None, :, None]


def veiled(picture: np.ndarray, amount: np.ndarray | float, colour: float = 250.0) -> np.ndarray:
    """A picture under a veil of light: ``amount`` of the way to ``colour`` (a number, or a field over the rows)."""
    return picture + np.asarray(amount, float).reshape(-1, 1, 1) * (colour - picture)


def dipped_edit(n: int, cuts: list[int], dip: int = 6, seed: int = 0):
    """A fan edit at 60 fps: each cut wrapped in a brightness dip (the old shot dims to 45% over ``dip``
    frames, a clean switch, the new shot brightens back); every shot pans slowly; the latent drifts with brightness."""
    rng = np.random.default_rng(seed)
    shot = np.searchsorted(cuts, np.arange(n), side="right")
    start = np.concatenate([[0], cuts])[shot]
    pics = pictures(len(cuts) + 1, rng)
    gain = np.ones(n)
    for c in cuts:
        gain[c - dip:c] = np.linspace(1, 0.45, dip + 1)[1:]
        gain[c:c + dip + 1] = np.linspace(0.45, 1, dip + 1)
    centres = rng.normal(0, 3, (len(cuts) + 1, 10))
    mu = centres[shot] + rng.normal(0, 0.05, (n, 10)) + 6.0 * (1 - gain)[:, None] * np.sign(centres[shot])
    pixels = np.empty((n, 64, 64, 3), np.uint8)
    for i in range(n):
        o = min(i - start[i], 15)
        pixels[i] = np.clip(pics[shot[i], o:o + 64, 8:72] * gain[i] + rng.normal(0, 2, (64, 64, 3)), 0, 255)
    return mu, np.full((n, 10), -3.0), pixels


def zoom_punch(n: int, punch: int, seed: int = 0, jump: float = 0.1):
    """One shot animated on 3s (each drawing held three frames: duplicates); at ``punch`` the camera punches
    in 20% on the same picture and the latent moves by ``jump`` (sd per dimension): a little by default, as the
    bundled encoder's posterior does (~2% of what the two posteriors hold); 3.0 moves it as far as between two
    shots, as two look-alike shots of different content do."""
    rng = np.random.default_rng(seed)
    pic = pictures(1, rng)[0]
    jump = rng.normal(0, jump, 10)
    k = (np.arange(64) * 53 / 64).astype(int)
    mu, pixels = np.empty((n, 10)), np.empty((n, 64, 64, 3), np.uint8)
    for i in range(n):
        drawing = np.random.default_rng(i // 3)
        o = min(i // 3, 8)
        img = pic[o:o + 64, o:o + 64] if i < punch else pic[o + 5 + k][:, o + 5 + k]
        pixels[i] = np.clip(img + drawing.normal(0, 2, img.shape), 0, 255)
        mu[i] = drawing.normal(0, 0.05, 10) + (jump if i >= punch else 0.0)
    return mu, np.full((n, 10), -3.0), pixels
