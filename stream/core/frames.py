"""Runs of consecutive frames as arrays with a leading frame axis: the scorer's memory of a stream, and the shape the
runtime's batches share."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Self

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
