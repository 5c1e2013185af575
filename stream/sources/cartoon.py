"""A procedurally generated cartoon with scene cuts at known frames.

It is the built-in demo stream (``reprocut detect`` with no source), the test suite's ground
truth, and extra training footage. Each shot has its own palette, background and cast of
outlined shapes; inside a shot the camera pans, shakes and pushes in, objects move fast and
the picture can flash white for a frame or two: the within-shot changes that fool naive cut
detectors. Shots last a few frames to a few seconds, as in anime edits; some end in a fade.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np


@dataclass
class DemoConfig:
    width: int = 320
    height: int = 180
    fps: float = 24.0
    frames: int = 720  # 30 s at 24 fps
    seed: int = 0
    min_shot: int = 6  # frames; anime cuts every 4-6 frames in action scenes
    max_shot: int = 72
    fade_probability: float = 0.1  # share of shot changes that are fades to black instead of cuts
    flash_probability: float = 0.15  # share of shots with a one- or two-frame white flash
    shake_probability: float = 0.3


@dataclass
class Shot:
    start: int
    length: int
    fade_out: int = 0  # frames of fade to black at the end (0: hard cut)
    flash_at: int = -1  # frame offset within the shot of a white flash
    flash_len: int = 1
    params: dict = field(default_factory=dict)


def plan(cfg: DemoConfig) -> list[Shot]:
    """Lay out shots until ``cfg.frames`` frames are covered."""
    rng = np.random.default_rng(cfg.seed)
    shots, start = [], 0
    while start < cfg.frames:
        # Short shots are common but long ones carry most of the footage.
        short = rng.integers(cfg.min_shot, max(16, cfg.min_shot + 1))
        long = rng.integers(max(16, cfg.min_shot), max(16, cfg.max_shot) + 1)
        length = int(np.clip(rng.choice([short, long], p=[0.35, 0.65]), cfg.min_shot, cfg.max_shot))
        length = min(length, cfg.frames - start)
        shot = Shot(start, length)
        if length >= 20 and rng.random() < cfg.fade_probability:
            shot.fade_out = int(rng.integers(8, 13))
        if length >= 16 and rng.random() < cfg.flash_probability:
            shot.flash_at = int(rng.integers(4, length - 8))
            shot.flash_len = int(rng.integers(1, 3))
        shot.params = _shot_params(rng, cfg)
        shots.append(shot)
        start += length
    return shots


def _palette(rng: np.random.Generator, n: int) -> np.ndarray:
    hue = rng.random() + np.arange(n) / n + rng.normal(0, 0.05, n)
    sat = rng.uniform(0.4, 1.0, n)
    val = rng.uniform(0.35, 1.0, n)
    h6 = (hue % 1.0) * 6
    c = val * sat
    x = c * (1 - np.abs(h6 % 2 - 1))
    z = np.zeros(n)
    sector = h6.astype(int) % 6
    rgb = np.select([sector[:, None] == k for k in range(6)],
                    [np.stack(v, 1) for v in ((c, x, z), (x, c, z), (z, c, x), (z, x, c), (x, z, c), (c, z, x))])
    return ((rgb + (val - c)[:, None]) * 255).clip(0, 255)


def _shot_params(rng: np.random.Generator, cfg: DemoConfig) -> dict:
    n = int(rng.integers(3, 8))
    colors = _palette(rng, n + 3)
    return {
        "sky": colors[0], "ground": colors[1], "accent": colors[2],
        "horizon": rng.uniform(0.3, 0.8),
        "pan": rng.normal(0, 2.5, 2),
        "zoom": rng.choice([0.0, rng.uniform(0.002, 0.01)]),
        "shake": rng.random() < cfg.shake_probability,
        "stripes": rng.random() < 0.4,
        "objects": [
            {
                "kind": rng.choice(["ellipse", "rect", "head"]),
                "color": colors[3 + i],
                "pos": rng.uniform([0, 0], [cfg.width, cfg.height]),
                "size": rng.uniform(0.08, 0.35) * cfg.height,
                "aspect": rng.uniform(0.5, 2.0),
                "vel": rng.normal(0, 3.0, 2) * (3.0 if rng.random() < 0.2 else 1.0),
            }
            for i in range(n)
        ],
        "noise_seed": int(rng.integers(1 << 30)),
    }


def _render(cfg: DemoConfig, shot: Shot, t: int, yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
    p = shot.params
    rng = np.random.default_rng(p["noise_seed"] + t)
    zoom = 1.0 + p["zoom"] * t
    pan = p["pan"] * t
    off = pan + (rng.normal(0, 4, 2) if p["shake"] else 0.0)
    cx, cy = cfg.width / 2, cfg.height / 2
    X = (xx - cx) / zoom + cx + off[0]
    Y = (yy - cy) / zoom + cy + off[1]
    horizon = p["horizon"] * cfg.height
    img = np.where((Y < horizon)[..., None], p["sky"], p["ground"]).astype(np.float32)
    if p["stripes"]:
        img = np.where((((X // 24) + (Y // 24)) % 2 == 0)[..., None] & (Y >= horizon)[..., None], img * 0.85, img)
    shade = 1.0 - 0.25 * (Y / cfg.height - 0.5)
    img *= np.clip(shade, 0.6, 1.3)[..., None]
    for o in p["objects"]:
        rx, ry = o["size"] * o["aspect"], o["size"]
        ox, oy = o["pos"] + o["vel"] * t
        # Wrap around only outside the camera's view (which pans and zooms; the margin covers the
        # shake), so a shape never pops in or out within the picture.
        left, top = cx * (1 - 1 / zoom) + pan[0], cy * (1 - 1 / zoom) + pan[1]
        mx, my = rx + 16, ry + 16
        ox = (ox - left + mx) % (cfg.width / zoom + 2 * mx) - mx + left
        oy = (oy - top + my) % (cfg.height / zoom + 2 * my) - my + top
        box = _box(X, Y, ox, oy, rx, ry)  # the pixels the shape can cover: the same result, a fraction of the work
        if box is None:
            continue
        dx, dy = (X[box] - ox) / rx, (Y[box] - oy) / ry
        if o["kind"] == "rect":
            d = np.maximum(np.abs(dx), np.abs(dy))
        else:
            d = np.sqrt(dx * dx + dy * dy)
        part = img[box]
        part[d < 0.9] = o["color"]
        part[(d < 1.0) & (d >= 0.9)] = 20.0
        if o["kind"] == "head":
            for ex in (-0.35, 0.35):
                part[(dx - ex) ** 2 + (dy + 0.2) ** 2 < 0.02] = 15.0
    return img


def _box(X: np.ndarray, Y: np.ndarray, ox: float, oy: float, rx: float, ry: float) -> tuple[slice, slice] | None:
    """Rows and columns where a shape of radii ``rx``, ``ry`` at (``ox``, ``oy``) in scene coordinates can
    lie (|dx| < 1 and |dy| < 1, with a margin; X varies along columns only, Y along rows); None when it is
    out of the picture."""
    cols = np.nonzero(np.abs(X[0] - ox) < rx * 1.01 + 1.0)[0]
    rows = np.nonzero(np.abs(Y[:, 0] - oy) < ry * 1.01 + 1.0)[0]
    if not len(cols) or not len(rows):
        return None
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


def frames(cfg: DemoConfig) -> Iterator[np.ndarray]:
    """Yield ``cfg.frames`` RGB uint8 frames of shape (height, width, 3)."""
    yy, xx = np.mgrid[0 : cfg.height, 0 : cfg.width].astype(np.float32)
    for shot in plan(cfg):
        for t in range(shot.length):
            img = _render(cfg, shot, t, yy, xx)
            if shot.fade_out and t >= shot.length - shot.fade_out:
                img *= (shot.length - 1 - t) / shot.fade_out
            if shot.flash_at >= 0 and shot.flash_at <= t < shot.flash_at + shot.flash_len:
                img = 0.15 * img + 0.85 * 255.0
            yield img.clip(0, 255).astype(np.uint8)


def labels(cfg: DemoConfig) -> dict:
    """Ground truth in the eval label format: hard cuts, fades as gradual spans, flashes as hard negatives."""
    shots = plan(cfg)
    cuts, gradual, negatives = [], [], []
    for prev, shot in zip(shots, shots[1:]):
        if prev.fade_out:
            gradual.append([prev.start + prev.length - prev.fade_out, shot.start])
        else:
            cuts.append(shot.start)
    if shots and shots[-1].fade_out:  # the stream ends in a fade to black
        end = shots[-1].start + shots[-1].length
        gradual.append([end - shots[-1].fade_out, end - 1])
    for shot in shots:
        if shot.flash_at >= 0:
            negatives.append([shot.start + shot.flash_at, shot.start + shot.flash_at + shot.flash_len - 1, "flash"])
    return {"fps": cfg.fps, "frames": cfg.frames, "cuts": cuts, "gradual": gradual, "hard_negatives": negatives,
            "notes": f"reprocut demo stream, seed {cfg.seed}"}


def write_clip(cfg: DemoConfig, path: str, crf: int = 20) -> dict:
    """Encode the demo to an H.264 file with PyAV and write ``<path>.json`` labels beside it."""
    from fractions import Fraction

    import av

    with av.open(path, "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(cfg.fps).limit_denominator(1001))
        stream.width, stream.height, stream.pix_fmt = cfg.width, cfg.height, "yuv420p"
        stream.options = {"crf": str(crf), "preset": "veryfast"}
        for img in frames(cfg):
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    meta = labels(cfg) | {"clip": os.path.basename(path)}
    with open(os.path.splitext(path)[0] + ".json", "w") as f:
        json.dump(meta, f, indent=1)
    return meta
