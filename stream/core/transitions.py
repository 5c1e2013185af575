"""Online detection of gradual transitions (fades, dissolves, wipes): pure logic, arrays in, events out.

Fed the frames the scorer gets (indices, times, walls, 64x64 pixels, the encoder's posteriors), it
compares small, blurred copies of them (16x16: compression noise, grain and motion blur average
out) in five ways, each normalised by what this stream's own frames do:

- **twin comparison** (Zhang, Kankanhalli and Smoliar 1993): a per-frame change above a lower
  threshold (a multiple of the recent typical change) opens a candidate, which closes once the
  change falls back for a few frames. It is a transition when its last picture is unlike the one
  before it (their distance reaches the cut level) and the picture went there directly: that
  distance is most of the path the frames took (the sum of their changes). Pans, zooms, shakes
  and characters walking through wander, so most of their path leads nowhere;
- **wipes**: the candidate's pixels switch from the old picture to the new one once each, at
  times that line up across the frame (an edge) or from its centre (an iris);
- **blur and flash transitions** (anime edits): a short candidate in which several frames move
  the VAE's latent as far as a cut does (the outgoing shot smears, the incoming one de-blurs);
- **fades**: from a flat frame (black, white, any colour), looking back while the picture's
  distance from it shrank (a fade out) and forward while it grows (a fade in);
- **blends**: windows of 1/3 to 4/3 s whose inner frames are blends of their end frames (a
  dissolve, even between shots that move as much per frame as the dissolve changes, where twin
  comparison never opens; a pan's or zoom's frames are no blend of its ends).

Each transition is emitted once it has ended, a few frames after its last frame (well within
0.5 s). Cuts are never held back: a cut inside a transition (or on the frame after it) goes out
at once, and the transition, when it comes, replaces it as that scene change (``core.scenes.boundaries``).

Usage::

    detector = TransitionDetector(TransitionConfig(fps=25))
    for batch in batches:
        for event in detector.push(batch.index, batch.time, batch.wall, batch.pixels, mu, logvar):
            print(event.start, event.end, event.kind)
    events = detector.finish()
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from statistics import median

import numpy as np

from .events import TransitionEvent
from .kl import symmetric_kl
from .signals import block_sums

SMALL = 16  # side of the blurred copy the detector compares


@dataclass
class TransitionConfig:
    fps: float = 25.0
    open_ratio: float = 3.0  # a frame opens a candidate when it changes this many times the recent typical change...
    floor: float = 0.004  # ...and at least this much (mean absolute change of the 16x16 copy, 0-1 scale: ~1/255)
    history_s: float = 2.0  # the recent changes the lower threshold is measured on
    quiet: int = 3  # frames below the lower threshold that end a candidate
    settle: float = 0.35  # ...or below this share of the candidate's median change (the new shot moves, but less)
    min_frames: int = 4  # shorter changes are cuts (with a smear), not transitions
    max_s: float = 4.0  # longer changes are motion (a pan), not transitions
    cut_level: float = 0.1  # a transition moves the 16x16 copy at least this far from its start (mean abs, 0-1)
    straight: float = 0.6  # share of the path that must be direct travel from start to end
    step: float = 0.5  # no frame of a fade or a direct dissolve makes more than this share of its travel (a cut does)
    burst_ratio: float = 10.0  # a blur transition: frames whose latent change is this many times the recent typical one...
    burst_frames: int = 3  # ...at least this many of them...
    burst_s: float = 0.5  # ...within a candidate no longer than this...
    smear: float = 0.25  # ...and as many that change at least this share of its largest change (a cut and motion: one)
    kl_floor: float = 0.05  # noise floor of the latent change (the scorer's)
    flat: float = 0.02  # a picture whose 16x16 copy varies less than this (RMS, 0-1) is a flat colour (fades)
    blend_s: tuple[float, ...] = (0.33, 0.67, 1.33)  # windows (seconds) tested for being a blend of their ends...
    blend: float = 0.2  # ...frames inside no farther from the blend than this share of the ends' distance
    blend_wait_s: float = 0.25  # a run of such windows ends after this long without one

    def __post_init__(self) -> None:
        if self.fps <= 0:
            raise ValueError("fps must be positive")


def small_copies(pixels: np.ndarray) -> np.ndarray:
    """uint8 [N,S,S,3] -> float32 [N,16,16,3] in 0-1, each value the mean of its block."""
    k = pixels.shape[1] // SMALL
    return block_sums(pixels, SMALL).astype(np.float32) / (255.0 * k * k)


@dataclass
class _Frame:
    index: int
    time: float
    wall: float
    small: np.ndarray
    change: float  # mean absolute change of the 16x16 copy from the frame before
    latent: float  # KL between this frame's posterior and the previous one's
    flat: bool  # a flat colour (the middle of a fade)


@dataclass
class _Run:
    """Consecutive windows that were blends of their ends: the best one's frames (``first`` is the picture
    before it), how well it fits, and the last frame of the run."""

    first: int
    last: int
    fit: float
    until: int


class TransitionDetector:
    """Feeds on consecutive frames of one stream; returns transitions once they end."""

    def __init__(self, cfg: TransitionConfig | None = None, stream: str = "0"):
        self.cfg = cfg or TransitionConfig()
        self.stream = stream
        self.max_frames = max(self.cfg.min_frames, round(self.cfg.max_s * self.cfg.fps))
        self._frames: deque[_Frame] = deque(maxlen=self.max_frames + self.cfg.quiet + 2)
        history = max(8, round(self.cfg.history_s * self.cfg.fps))
        self._changes: deque[float] = deque(maxlen=history)
        self._latents: deque[float] = deque(maxlen=history)
        self._start: int | None = None  # first frame of the open candidate
        self._last_active = -1  # last frame of it above the lower threshold
        self._level = 0.0  # its lower threshold, fixed when it opened
        self._latent_level = 0.0  # the recent typical latent change when it opened
        self._path: list[float] = []  # its frames' changes
        self._fade_in: list[_Frame] | None = None  # a flat frame and the frames since, while they move away from it
        self._last_end = -1  # last frame of the last transition emitted
        self._blend_wait = max(self.cfg.quiet, round(self.cfg.blend_wait_s * self.cfg.fps))
        self._lags = sorted({max(self.cfg.min_frames, round(s * self.cfg.fps)) for s in self.cfg.blend_s})
        self._blend: _Run | None = None
        self._mu: tuple[np.ndarray, np.ndarray] | None = None
        self.transitions = 0

    def push(self, index, time, wall, pixels, mu, logvar) -> list[TransitionEvent]:
        """Add consecutive frames of this stream (arrays with a leading batch axis, as the scorer takes them)."""
        small = small_copies(np.asarray(pixels))
        before = np.concatenate([self._frames[-1].small[None] if self._frames else small[:1], small[:-1]])
        change = np.abs(small - before).mean((1, 2, 3))
        prev_mu, prev_logvar = self._mu if self._mu is not None else (mu[:1], logvar[:1])
        latent = symmetric_kl(np.concatenate([prev_mu, mu[:-1]]), np.concatenate([prev_logvar, logvar[:-1]]), mu, logvar)
        self._mu = (mu[-1:], logvar[-1:])
        flat = np.sqrt(((small - small.mean((1, 2), keepdims=True)) ** 2).mean((1, 2, 3))) < self.cfg.flat
        blends = self._blend_tests(small)
        events = []
        for j in range(len(small)):
            frame = _Frame(int(index[j]), float(time[j]), float(wall[j]), small[j], float(change[j]), float(latent[j]),
                           bool(flat[j]))
            self._frames.append(frame)
            events += self._fade(frame)
            events += self._blends(frame, blends[:, j])
            events += self._step(frame)
        return events

    def finish(self) -> list[TransitionEvent]:
        """The stream has ended: decide an open candidate (a fade at the very end)."""
        events = self._fade_in_ends() if self._fade_in else []
        events += self._blend_ends() if self._blend else []
        return events + (self._close() if self._start is not None else [])

    def _since(self, first: int, last: int) -> list[_Frame]:
        """The frames ``first``..``last`` and the one before them (frame indices skip what a live source dropped);
        empty when that one is no longer kept."""
        frames = list(self._frames)
        at = next((k for k, g in enumerate(frames) if g.index >= first), 0)
        return [g for g in frames[at - 1 :] if g.index <= last] if at > 0 else []

    def _emit(self, span: list[_Frame], kind: str, travel: float) -> list[TransitionEvent]:
        """A transition over ``span[1:]`` (``span[0]`` is the picture before it)."""
        first, last = span[1], span[-1]
        if first.index <= self._last_end:
            return []
        self._last_end = last.index
        self._start = None  # the candidate that saw it is done
        self.transitions += 1
        return [TransitionEvent(self.stream, first.index, last.index, kind, first.time, last.time,
                                travel / self.cfg.cut_level, last.wall)]

    # -- fades: towards a flat colour, or away from one ----------------------------------------
    def _fade(self, f: _Frame) -> list[TransitionEvent]:
        """Fades are found from the flat frame: looking back (fade out) and forward (fade in) while the
        picture's distance from it grows."""
        if f.flat:
            events = self._fade_in_ends() if self._fade_in else []
            self._fade_in = [f]
            frames = list(self._frames)
            if len(frames) > 1 and not frames[-2].flat:  # a picture just became flat: did it fade there?
                span = [f]
                for g in reversed(frames[:-1]):
                    if g.flat or _away(g, f) <= _away(span[0], f) + self.cfg.floor / 2:
                        break
                    span.insert(0, g)
                events += self._fade_span(span, reverse=True)
            return events
        if self._fade_in is not None:
            self._fade_in.append(f)
            span = self._fade_in
            if len(span) > self.max_frames or len(span) > self.cfg.quiet + 1 and all(
                    _away(g, span[0]) <= _away(span[-self.cfg.quiet - 1], span[0]) + self.cfg.floor / 2 for g in span[-self.cfg.quiet:]):
                return self._fade_in_ends()
        return []

    def _fade_in_ends(self) -> list[TransitionEvent]:
        """The picture stopped moving away from the flat frame: the fade in ends at the farthest frame."""
        span, self._fade_in = self._fade_in, None
        far = max(range(len(span)), key=lambda k: _away(span[k], span[0]))
        return self._fade_span(span[: far + 1])

    def _fade_span(self, span: list[_Frame], reverse: bool = False) -> list[TransitionEvent]:
        """A fade when the frames from ``span[0]`` to ``span[-1]`` went there directly, far enough, long enough
        (``reverse``: a fade out, whose span starts at the last frame before it and ends flat)."""
        if reverse:
            span = self._since(span[0].index, span[-1].index)
        if len(span) < 2:
            return []
        travel = float(np.abs(span[-1].small - span[0].small).mean())
        if not self._direct(span, travel):
            return []
        return self._emit(span, "fade", travel)

    def _direct(self, span: list[_Frame], travel: float) -> bool:
        """Far enough, long enough, straight there, and gradually: no one frame does most of it."""
        changes = [g.change for g in span[1:]]
        return (len(changes) >= self.cfg.min_frames and travel >= self.cfg.cut_level
                and travel >= self.cfg.straight * sum(changes) and max(changes) <= self.cfg.step * travel)

    # -- dissolves between moving shots: frames that are blends of the pictures before and after -----------
    def _blend_tests(self, small: np.ndarray) -> np.ndarray:
        """For each window length and each new frame, how far apart the window's end pictures are, and how far
        its inner frames are from the blends of those ends (the worst of three): [lags, frames, 2]."""
        past = list(self._frames)[-self._lags[-1]:]
        pictures = np.concatenate([np.stack([g.small for g in past]), small]) if past else small
        at = np.arange(len(past), len(pictures))
        out = np.full((len(self._lags), len(small), 2), [0.0, np.inf])
        for i, lag in enumerate(self._lags):
            ok = at[at >= lag]
            if not len(ok):
                continue
            a, b = pictures[ok - lag], pictures[ok]
            gap = np.abs(b - a).mean((1, 2, 3))
            off = np.max([np.abs(pictures[ok - lag + k] - ((1 - k / lag) * a + k / lag * b)).mean((1, 2, 3))
                          for k in (lag // 4, lag // 2, 3 * lag // 4)], axis=0)
            out[i, ok - len(past)] = np.stack([gap, off], 1)
        return out

    def _blends(self, f: _Frame, tests: np.ndarray) -> list[TransitionEvent]:
        """The windows ending at ``f`` (``tests``: their gaps and misfits): a dissolve's frames are blends of
        its ends, a pan's or zoom's are not.

        This finds slow dissolves whose per-frame change is no larger than the shots' own motion (twin
        comparison never opens there)."""
        for lag, (gap, off) in zip(self._lags, tests):
            if gap >= self.cfg.cut_level and off <= self.cfg.blend * gap:
                start, fit = self._frames[-1 - lag].index, gap - 2 * off  # the window that explains most travel spans it
                events = self._blend_ends() if self._blend and start > self._blend.until else []  # a new run
                if not self._blend or fit > self._blend.fit:
                    self._blend = _Run(start, f.index, fit, f.index)
                else:
                    self._blend.until = f.index
                return events
        if self._blend and f.index - self._blend.until >= self._blend_wait:  # a long dissolve's middle may pass no window
            return self._blend_ends()
        return []

    def _blend_ends(self) -> list[TransitionEvent]:
        run, self._blend = self._blend, None
        span = _trim([g for g in self._frames if run.first <= g.index <= run.last])
        travel = float(np.abs(span[-1].small - span[0].small).mean()) if len(span) > 1 else 0.0
        if len(span) - 1 < self.cfg.min_frames or travel < self.cfg.cut_level:
            return []
        return self._emit(span, self._kind(span), travel)

    # -- twin comparison -------------------------------------------------------------------------
    def _note_latent(self, f: _Frame) -> None:
        if not math.isnan(f.latent):  # NaN: a calm frame of a file, not encoded (``sparse.py``)
            self._latents.append(f.latent)

    def _step(self, f: _Frame) -> list[TransitionEvent]:
        if self._start is None:
            level = max(self.cfg.floor, self.cfg.open_ratio * median(self._changes) if self._changes else 0.0)
            latent_level = median(self._latents) if self._latents else 0.0
            self._changes.append(f.change)
            self._note_latent(f)
            if f.change > level and len(self._changes) > self.cfg.min_frames:  # the typical change is known
                self._start, self._last_active, self._level, self._latent_level = f.index, f.index, level, latent_level
                self._path = [f.change]
            return []
        self._changes.append(f.change)
        self._note_latent(f)
        self._path.append(f.change)
        if f.change > max(self._level, self.cfg.settle * median(self._path)):
            self._last_active = f.index
            if f.index - self._start >= self.max_frames:  # motion, not a transition: let the baseline learn it
                self._start = None
            return []
        if f.index - self._last_active >= self.cfg.quiet:
            return self._close()
        return []

    def _close(self) -> list[TransitionEvent]:
        start, end = self._start, self._last_active
        self._start = None
        span = self._since(start, end)
        if len(span) < 2:
            return []
        direct = _trim(span)  # a fade or dissolve: straight from its first picture to its last
        travel = float(np.abs(direct[-1].small - direct[0].small).mean())
        if self._direct(direct, travel):
            return self._emit(direct, self._kind(direct), travel)
        travel = float(np.abs(span[-1].small - span[0].small).mean())
        if travel >= self.cfg.cut_level and len(span) - 1 >= self.cfg.min_frames and _sweeps(np.stack([f.small for f in span])):
            return self._emit(span, "wipe", travel)  # the edge moves the picture's content: a wandering path
        # a blur or flash transition: a wandering path, but several frames change as much as a cut does
        level = self.cfg.burst_ratio * (self._latent_level + self.cfg.kl_floor)
        largest = max(f.change for f in span[1:])
        if (self.cfg.min_frames <= len(span) - 1 <= self.cfg.burst_s * self.cfg.fps and travel >= self.cfg.cut_level
                and sum(f.latent > level for f in span[1:]) >= self.cfg.burst_frames
                and sum(f.change >= self.cfg.smear * largest for f in span[1:]) >= self.cfg.burst_frames):
            return self._emit(span, "dissolve", travel)
        return []

    def _kind(self, span: list[_Frame]) -> str:
        if any(f.flat for f in span):
            return "fade"
        return "wipe" if _sweeps(np.stack([f.small for f in span])) else "dissolve"


def _trim(span: list[_Frame], keep: float = 0.95) -> list[_Frame]:
    """The span without the motion that opened it early or kept it open late: leading and trailing frames
    that add path but no travel (from the first picture to the last, at least ``keep`` of it stays)."""
    def travel(a: _Frame, b: _Frame) -> float:
        return float(np.abs(b.small - a.small).mean())

    full = travel(span[0], span[-1])
    first = 0
    while first + 2 < len(span) and travel(span[first + 1], span[-1]) >= keep * full:
        first += 1
    span = span[first:]
    last = len(span) - 1
    while last > 1 and travel(span[0], span[last - 1]) >= keep * full:
        last -= 1
    return span[: last + 1]


def _away(f: _Frame, flat: _Frame) -> float:
    """How far a picture is from a flat one (mean absolute difference of their 16x16 copies)."""
    return float(np.abs(f.small - flat.small).mean())


def _sweeps(pictures: np.ndarray, line: float = 0.7, once: float = 0.75) -> bool:
    """Whether the pixels switch from the first picture to the last once each, at times that move across the frame.

    In a dissolve every pixel is part way at the same time; in a wipe each pixel jumps when the
    edge passes and then stays, so the switch times of the pixels that change spread over the span
    and line up with their position (along a direction, or the distance from the centre: an iris).
    A pan moves every pixel back and forth instead.
    """
    a, b = pictures[0].mean(-1), pictures[-1].mean(-1)
    gap = b - a
    moving = np.abs(gap) > 0.05
    if moving.sum() < 8:
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

