"""Blends: dissolves between moving shots, found as windows whose inner frames are blends of their end frames.

Where both shots move as much per frame as the dissolve changes them, twin comparison never
opens; but a dissolve's frames are blends of the pictures before and after it, and a pan's or
a zoom's are not. Windows of a few lengths (``BlendConfig.windows_s``) are tested at every frame;
consecutive windows that pass make a run, and the run's best window is the transition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import TransitionConfig
from .frames import Frame, History, distance
from .spans import Found, kind, trim


@dataclass
class _Run:
    """Consecutive windows that were blends of their ends: the best one's frames (``first`` is the picture
    before it), how well it fits, and the last frame of the run."""

    first: int
    last: int
    fit: float
    until: int


class Blends:
    """Fed each frame after it joined ``history``, with the tests of the windows ending at it (``tests``, computed
    for a whole batch before it joins); returns the dissolves (or wipes, fades) it finds."""

    def __init__(self, cfg: TransitionConfig, history: History):
        self.cfg = cfg
        self._history = history
        self._wait = max(cfg.quiet, round(cfg.blend.wait_s * cfg.fps))
        self._lags = sorted({max(cfg.min_frames, round(s * cfg.fps)) for s in cfg.blend.windows_s})
        self._run: _Run | None = None

    def tests(self, small: np.ndarray) -> np.ndarray:
        """For each window length and each frame of a batch (its 16x16 copies, not yet in the history), how far
        apart the window's end pictures are, and how far its inner frames are from the blends of those ends (the
        worst of three): [lags, frames, 2]. Vectorised over the batch: one numpy pass per length, not per frame."""
        past = list(self._history)[-self._lags[-1]:]
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

    def push(self, f: Frame, tests: np.ndarray) -> list[Found]:
        """The windows ending at ``f`` (``tests``: their gaps and misfits, shortest window first)."""
        for lag, (gap, off) in zip(self._lags, tests):
            if gap >= self.cfg.cut_level and off <= self.cfg.blend.misfit * gap:
                start, fit = self._history[-1 - lag].index, gap - 2 * off  # the window that explains most travel spans it
                found = self._run_ends() if self._run and start > self._run.until else []  # a new run
                if not self._run or fit > self._run.fit:
                    self._run = _Run(start, f.index, fit, f.index)
                else:
                    self._run.until = f.index
                return found
        if self._run and f.index - self._run.until >= self._wait:  # a long dissolve's middle may pass no window
            return self._run_ends()
        return []

    def finish(self) -> list[Found]:
        """The stream has ended: a run that was still going ends here."""
        return self._run_ends() if self._run else []

    def drop_run(self) -> None:
        """Another part owns the change the open run saw (a fade out waiting for its fade in)."""
        self._run = None

    def _run_ends(self) -> list[Found]:
        run, self._run = self._run, None
        span = trim([g for g in self._history if run.first <= g.index <= run.last])
        travel = distance(span[0], span[-1]) if len(span) > 1 else 0.0
        if len(span) - 1 < self.cfg.min_frames or travel < self.cfg.cut_level:
            return []
        return [Found(span, kind(span), travel)]
