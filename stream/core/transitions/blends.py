"""Blends: dissolves and wipes between moving shots, found as windows whose inner frames are made of their end frames.

Where both shots move as much per frame as the transition changes them, twin comparison never
opens; but a dissolve's frames are blends of the pictures before and after it, and a wipe's are
pieces of them (each part of the picture still the one before, or already the one after), and a
pan's or a zoom's are neither. Windows of a few lengths (``BlendConfig.windows_s``) are tested at
every frame; consecutive windows that pass make a run, and the run's best window is the
transition. Blends and pieces make runs of their own, so a wipe beside a dissolve is found beside
it. A window of pieces joins its run only when its frames are a wipe by themselves
(``wipe.is_wipe``): a cut with motion around it is pieces too, but switched all at once; a pan that
brings new things in switches pixels along a direction too, but what stays of the old picture has
moved, so no one edge splits its frames into the two pictures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import TransitionConfig
from .frames import Frame, History, distance
from .spans import Found, kind, trim
from .wipe import MOVING, is_wipe


@dataclass
class _Window:
    """A window that passed: its frames (``first`` is the picture before it) and how much travel it explains."""

    first: int
    last: int
    fit: float


@dataclass
class _Run:
    """Consecutive windows that passed: the best of them, and the last frame of the run."""

    best: _Window
    until: int


class Blends:
    """Fed each frame after it joined ``history``, with the tests of the windows ending at it (``tests``, computed
    for a whole batch before it joins); returns the dissolves (or wipes, fades) it finds."""

    def __init__(self, cfg: TransitionConfig, history: History):
        self.cfg = cfg
        self._history = history
        self._wait = max(cfg.quiet, round(cfg.blend.wait_s * cfg.fps))
        self._lags = sorted({max(cfg.min_frames, round(s * cfg.fps)) for s in cfg.blend.windows_s})
        self._runs: dict[bool, _Run | None] = {False: None, True: None}  # blends' run, pieces' run

    def tests(self, small: np.ndarray) -> np.ndarray:
        """For each window length and each frame of a batch (its 16x16 copies, not yet in the history), how far
        apart the window's end pictures are, how far its inner frames are from the blends of those ends, and how far
        from pieces of them (the worst of three inner frames each; pieces: infinite unless they hold more and more of
        the end, and one of them holds both ends in good part): [lags, frames, 3]. Vectorised over the batch: one
        numpy pass per length, not per frame."""
        past = list(self._history)[-self._lags[-1]:]
        pictures = np.concatenate([np.stack([g.small for g in past]), small]) if past else small
        grey = (pictures[..., 0] + pictures[..., 1] + pictures[..., 2]) / 3  # as ``wipe.sweeps`` reads them
        at = np.arange(len(past), len(pictures))
        out = np.full((len(self._lags), len(small), 3), [0.0, np.inf, np.inf])
        for i, lag in enumerate(self._lags):
            ok = at[at >= lag]
            if not len(ok):
                continue
            a, b = pictures[ok - lag], pictures[ok]
            gap = np.abs(b - a).mean((1, 2, 3))
            inner = [lag // 4, lag // 2, 3 * lag // 4]
            off = np.max([np.abs(pictures[ok - lag + k] - ((1 - k / lag) * a + k / lag * b)).mean((1, 2, 3))
                          for k in inner], axis=0)
            pieces = self._pieces(grey[ok - lag], grey[ok], [grey[ok - lag + k] for k in inner])
            out[i, ok - len(past)] = np.stack([gap, off, pieces], 1)
        return out

    def _pieces(self, a: np.ndarray, b: np.ndarray, inner: list[np.ndarray]) -> np.ndarray:
        """How far inner frames are from pieces of the ends ``a`` and ``b`` (grey, [n,16,16]; each pixel the nearer
        of the two; the worst frame), or infinite where the share of the changing pixels already at the end does not
        grow frame by frame or no frame holds between ``BlendConfig.mixed`` and its complement of them (a cut: none
        or all)."""
        moving = np.abs(b - a) > MOVING
        counted = np.maximum(moving.sum((1, 2)), 1)
        misfit, shares = [], []
        for f in inner:
            to_a, to_b = np.abs(f - a), np.abs(f - b)
            misfit.append(np.minimum(to_a, to_b).mean((1, 2)))
            shares.append(((to_b < to_a) & moving).sum((1, 2)) / counted)
        shares = np.stack(shares)
        low = self.cfg.blend.mixed
        growing = (np.diff(shares, axis=0) >= 0).all(0) & ((shares >= low) & (shares <= 1 - low)).any(0)
        return np.where(growing, np.max(misfit, axis=0), np.inf)

    def push(self, f: Frame, tests: np.ndarray) -> list[Found]:
        """The windows ending at ``f`` (``tests``: their gaps, blend and pieces misfits, shortest window first): the
        shortest that passes as a blend joins the blends' run; the shortest that passes as pieces only, and is a wipe,
        the wipes' run."""
        found = []
        for pieces in (False, True):
            run = self._runs[pieces]
            for lag, (gap, off, apart) in zip(self._lags, tests):
                limit = self.cfg.misfit * gap
                misfit = apart if pieces else off
                if gap >= self.cfg.cut_level and misfit <= limit and (not pieces or off > limit):
                    window = _Window(self._history[-1 - lag].index, f.index, gap - 2 * misfit)
                    if pieces and not self._wipe(window):
                        continue
                    if run and window.first > run.until:  # a new run
                        found += self._ends(pieces)
                    run = self._runs[pieces] = self._runs[pieces] or _Run(window, f.index)
                    if window.fit > run.best.fit:
                        run.best = window
                    run.until = f.index
                    break
            else:
                if run and f.index - run.until >= self._wait:  # a long dissolve's middle may pass no window
                    found += self._ends(pieces)
        return sorted(found, key=lambda t: t.span[-1].index)

    def finish(self) -> list[Found]:
        """The stream has ended: the runs that were still going end here."""
        return sorted(self._ends(False) + self._ends(True), key=lambda t: t.span[-1].index)

    def drop_run(self) -> None:
        """Another part owns the change the open runs saw (a fade out waiting for its fade in)."""
        self._runs = {False: None, True: None}

    def _wipe(self, w: _Window) -> bool:
        """Whether the window's frames are a wipe by themselves (``wipe.is_wipe``, lined up at ``BlendConfig.line``)."""
        span = self._span(w)
        return bool(span) and not any(g.flat for g in span) and is_wipe(np.stack([g.small for g in span]),
                                                                        self.cfg.blend.line)

    def _ends(self, pieces: bool) -> list[Found]:
        """The transition of the run that ended: its best window's (the one that explains most travel spans it), a
        wipe for the wipes' run."""
        run, self._runs[pieces] = self._runs[pieces], None
        span = self._span(run.best) if run else []
        return [Found(span, "wipe" if pieces else kind(span), distance(span[0], span[-1]))] if span else []

    def _span(self, w: _Window) -> list[Frame]:
        """The window's frames without the motion around the change (``trim``); empty when too short or too near."""
        span = [g for g in self._history if w.first <= g.index <= w.last]
        span = trim(span) if span else span
        if len(span) - 1 < self.cfg.min_frames or distance(span[0], span[-1]) < self.cfg.cut_level:
            return []
        return span
