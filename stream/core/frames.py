"""Runs of consecutive frames as arrays with a leading frame axis: the scorer's memory of a stream, and the shape the
runtime's batches share."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Generic, Self, TypeVar

import numpy as np


class Columns:
    """A dataclass mixin for runs of consecutive frames: every field an array with a leading frame axis
    (``index`` among them); slicing and ``+`` act on every field at once."""

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, key) -> Self:
        return type(self)(*(getattr(self, f.name)[key] for f in fields(self)))

    def __add__(self, other: Self) -> Self:
        return type(self)(*(np.concatenate([getattr(self, f.name), getattr(other, f.name)]) for f in fields(self)))


Run = TypeVar("Run", bound=Columns)


class HeldBack(Generic[Run]):
    """The last ``count`` frames of a stream's runs, kept back until the frames after them arrive (the encode plan
    and unblending judge a frame by those that follow it)."""

    def __init__(self, count: int):
        self.count = count
        self.pending: Run | None = None  # the frames kept back

    @property
    def held(self) -> int:
        return 0 if self.pending is None else len(self.pending)

    def add(self, frames: Run) -> tuple[Run, int]:
        """The frames with those kept before them, and how many of them can go now (all but the last ``count``)."""
        run = frames if self.pending is None else self.pending + frames
        k = max(len(run) - self.count, 0)
        self.pending = run[k:]
        return run, k

    def rest(self) -> Run | None:
        """What is kept back, at the stream's end: nothing follows it."""
        rest, self.pending = self.pending, None
        return rest if rest is not None and len(rest) else None


@dataclass
class Frames(Columns):
    """A run of consecutive frames of one stream and what the scorer computed for each."""

    index: np.ndarray
    time: np.ndarray
    wall: np.ndarray
    mu: np.ndarray
    logvar: np.ndarray
    pixels: np.ndarray
    hist: np.ndarray
    layout: np.ndarray
    colour: np.ndarray
    raw: np.ndarray  # [N, len(SIGNALS)] raw signals against the frame before
