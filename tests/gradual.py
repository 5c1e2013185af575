"""Generated footage with gradual transitions at known frames: fades (to black, to white, through a colour),
cross-dissolves, wipes, and long pans and zooms that are no transition at all.

Every shot is a view into its own textured "world" (smooth colour blobs), drifting slowly as a
camera would, with a little noise, so a pan really moves the picture and a dissolve blends two
pictures that both move. ``frames`` gives uint8 RGB arrays [N, H, W, 3] (64x64 for the core tests,
the size the pipeline decodes to); ``write_clip`` encodes them to H.264 with PyAV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

WORLD = 192  # side of each shot's world; a view is a 64-pixel window into it, scaled


def world(seed: int) -> np.ndarray:
    """A textured picture [WORLD, WORLD, 3] in 0-255: a background gradient and overlapping coloured blobs."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:WORLD, 0:WORLD].astype(np.float32)
    a, b = rng.uniform(30, 220, (2, 3))
    img = a + (b - a) * (yy / WORLD)[..., None]
    for _ in range(40):
        cy, cx = rng.uniform(0, WORLD, 2)
        r = rng.uniform(6, 28)
        mask = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
        img[mask] = rng.uniform(0, 255, 3)
    return img


def view(w: np.ndarray, t: float, pan: tuple[float, float] = (0.15, 0.1), zoom: float = 0.0, size: int = 64) -> np.ndarray:
    """The camera's picture at frame ``t``: a window that pans ``pan`` pixels per frame and pushes in by ``zoom`` per frame."""
    scale = 1.0 / (1.0 + zoom * t)
    side = 96 * scale
    y0 = 40 + pan[1] * t + (96 - side) / 2
    x0 = 40 + pan[0] * t + (96 - side) / 2
    ys = (y0 + np.arange(size) * side / size).astype(int) % WORLD
    xs = (x0 + np.arange(size) * side / size).astype(int) % WORLD
    return w[ys][:, xs]


@dataclass
class Footage:
    """Frames and what they hold: hard cuts and transitions as (start, end, kind) spans."""

    frames: np.ndarray
    cuts: list[int] = field(default_factory=list)
    transitions: list[tuple[int, int, str]] = field(default_factory=list)


def _finish(pictures: list[np.ndarray], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed + 1000)
    out = np.stack(pictures)
    return np.clip(out + rng.normal(0, 1.5, out.shape), 0, 255).astype(np.uint8)


def fade(colour: tuple[int, int, int] = (0, 0, 0), length: int = 20, hold: int = 6, shot: int = 40, seed: int = 0,
         size: int = 64, fade_in: bool = True, drift: float = 0.0, cut_after: int = 0) -> Footage:
    """Shot A fades out to a flat ``colour`` over ``length`` frames, holds it, and shot B fades in from it
    (``fade_in=False``: B starts with a hard cut, as the demo's shots do after a fade to black; ``drift``: shot A
    darkens by this share of its brightness a frame before it fades, as an exposure drifts; ``cut_after``: B lasts
    this many frames after its fade in, brightening 4% as its exposure settles, then a hard cut to shot C)."""
    a, b = world(seed), world(seed + 1)
    flat = np.broadcast_to(np.array(colour, np.float32), (size, size, 3))
    pics = [view(a, t, size=size) * (1 - drift * t) for t in range(shot)]
    for k in range(1, length + 1):
        pics.append((1 - k / length) * view(a, shot + k, size=size) * (1 - drift * shot) + k / length * flat)
    pics += [flat] * hold
    start_in = len(pics)
    if not fade_in:
        pics += [view(b, t, pan=(1.0, 0.5), size=size) for t in range(shot)]
        return Footage(_finish(pics, seed), [start_in], [(shot, shot + length - 1, "fade")])
    for k in range(1, length + 1):
        pics.append(k / length * view(b, k, size=size) + (1 - k / length) * flat)
    fades = [(shot, shot + length - 1, "fade"), (start_in, start_in + length - 1, "fade")]
    if cut_after:
        pics += [view(b, length + t, size=size) * (1 + 0.04 * t / cut_after) for t in range(1, cut_after + 1)]
        cut_at = len(pics)
        pics += [view(world(seed + 2), t, size=size) for t in range(shot)]
        return Footage(_finish(pics, seed), [cut_at], fades)
    pics += [view(b, length + t, size=size) for t in range(1, shot)]
    return Footage(_finish(pics, seed), [], fades)


def dissolve(length: int = 20, shot: int = 40, seed: int = 0, size: int = 64, pan: tuple[float, float] = (0.15, 0.1),
             alike: float = 0.0) -> Footage:
    """Shot A dissolves into shot B over ``length`` frames (both keep moving, ``pan`` pixels a frame); B's world holds
    ``alike`` of A's (two shots of one place: the dissolve changes the picture that much less)."""
    a, b = world(seed), world(seed + 1)
    b = (1 - alike) * b + alike * a
    pics = [view(a, t, pan, size=size) for t in range(shot)]
    for k in range(1, length + 1):
        pics.append((1 - k / (length + 1)) * view(a, shot + k, pan, size=size) + k / (length + 1) * view(b, k, pan, size=size))
    pics += [view(b, length + t, pan, size=size) for t in range(1, shot)]
    return Footage(_finish(pics, seed), [], [(shot, shot + length - 1, "dissolve")])


def wipe(length: int = 24, shot: int = 40, seed: int = 0, size: int = 64, iris: bool = False,
         pan: tuple[float, float] = (0.15, 0.1)) -> Footage:
    """Shot B replaces shot A behind an edge that sweeps from left to right over ``length`` frames
    (``iris``: inside a circle that opens from the centre; both shots keep moving, ``pan`` pixels a frame)."""
    a, b = world(seed), world(seed + 1)
    yy, xx = np.mgrid[0:size, 0:size]
    where = np.hypot(yy - size / 2, xx - size / 2) / np.hypot(size / 2, size / 2) if iris else xx / size
    pics = [view(a, t, pan, size=size) for t in range(shot)]
    for k in range(1, length + 1):
        pics.append(np.where((where < k / (length + 1))[..., None], view(b, k, pan, size=size), view(a, shot + k, pan, size=size)))
    pics += [view(b, length + t, pan, size=size) for t in range(1, shot)]
    return Footage(_finish(pics, seed), [], [(shot, shot + length - 1, "wipe")])


def wipe_then_dissolve(between: int = 4, seed: int = 0, size: int = 64, pan: tuple[float, float] = (0.2, 0.15)) -> Footage:
    """Shot A wipes (24 frames, left to right) into shot B, shown ``between`` frames, which dissolves (20 frames) into
    shot C: two transitions whose windows touch, as a dense edit places them."""
    a, b, c = world(seed), world(seed + 1), world(seed + 2)
    where = np.mgrid[0:size, 0:size][1] / size
    pics = [view(a, t, pan, size=size) for t in range(40)]
    pics += [np.where((where < k / 25)[..., None], view(b, k, pan, size=size), view(a, 40 + k, pan, size=size))
             for k in range(1, 25)]
    pics += [view(b, 24 + t, pan, size=size) for t in range(1, between + 1)]
    start = len(pics)
    pics += [(1 - k / 21) * view(b, 24 + between + k, pan, size=size) + k / 21 * view(c, k, pan, size=size)
             for k in range(1, 21)]
    pics += [view(c, 20 + t, pan, size=size) for t in range(1, 40)]
    return Footage(_finish(pics, seed), [], [(40, 63, "wipe"), (start, start + 19, "dissolve")])


def cut(shot: int = 40, seed: int = 0, size: int = 64) -> Footage:
    """A hard cut from shot A to shot B."""
    a, b = world(seed), world(seed + 1)
    pics = [view(a, t, size=size) for t in range(shot)] + [view(b, t, size=size) for t in range(shot)]
    return Footage(_finish(pics, seed), [shot], [])


def camera(kind: str, frames: int = 200, seed: int = 0, size: int = 64) -> Footage:
    """One long shot with no transition: a fast ``pan``, a ``zoom`` (push-in), a ``walk`` (a shape crossing a
    still picture), a ``shake`` (the camera jolts a few pixels every frame), ``flashes`` (white frames, one or two) or
    ``jerks`` (a still camera that jumps 8-12 pixels of 64 in 4-6 frames, every 40 frames, as a hand-held one does)."""
    w = world(seed)
    rng = np.random.default_rng(seed)
    if kind == "pan":
        pics = [view(w, t, pan=(1.5, 0.4), size=size) for t in range(frames)]
    elif kind == "jerks":
        x, pics = 0.0, []
        for t in range(frames):
            x += 3.0 if t % 40 >= 36 - t // 40 % 3 else 0.0  # 3 pixels of the world (2 of the picture) a frame
            pics.append(view(w, 1, pan=(x, 0.3 * x), size=size))
    elif kind == "zoom":
        pics = [view(w, t, pan=(0, 0), zoom=0.008, size=size) for t in range(frames)]
    elif kind == "walk":
        still = view(w, 0, pan=(0, 0), size=size)
        yy, xx = np.mgrid[0:size, 0:size]
        pics = []
        for t in range(frames):
            img = still.copy()
            x = (t * size / 60) % (size + 20) - 10
            img[(abs(yy - size * 0.6) < size * 0.25) & (abs(xx - x) < size * 0.12)] = (200, 40, 40)
            pics.append(img)
    elif kind == "shake":
        pics = [view(w, t + rng.normal(0, 3), pan=(1.0, 1.0), size=size) for t in range(frames)]
    elif kind == "flashes":
        pics = [view(w, t, size=size) for t in range(frames)]
        for t in range(20, frames - 10, 37):
            for k in range(1 + t % 2):
                pics[t + k] = 0.15 * pics[t + k] + 0.85 * 255.0
    else:
        raise ValueError(kind)
    return Footage(_finish(pics, seed), [], [])


def join(*parts: Footage) -> Footage:
    """Parts one after the other, each joined to the next by a hard cut."""
    frames, cuts, spans, at = [], [], [], 0
    for i, p in enumerate(parts):
        if i:
            cuts.append(at)
        cuts += [c + at for c in p.cuts]
        spans += [(s + at, e + at, k) for s, e, k in p.transitions]
        frames.append(p.frames)
        at += len(p.frames)
    return Footage(np.concatenate(frames), cuts, spans)


def write_clip(path, footage: Footage, rate: int = 24) -> None:
    """Encode ``footage`` to an H.264 file (even sizes, 4:2:0, every frame at 1/rate s)."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(rate))
        stream.height, stream.width = footage.frames.shape[1:3]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "16", "preset": "veryfast"}
        for img in footage.frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="rgb24")))
        container.mux(stream.encode())
