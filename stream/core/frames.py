"""The scorer's memory of a stream: its recent frames and what was computed for each."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np


@dataclass
class Frames:
    """A run of consecutive frames of one stream, as arrays with a leading frame axis; slicing and ``+``
    act on every field at once."""

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

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, key) -> Frames:
        return Frames(*(getattr(self, f.name)[key] for f in fields(self)))

    def __add__(self, other: Frames) -> Frames:
        return Frames(*(np.concatenate([getattr(self, f.name), getattr(other, f.name)]) for f in fields(self)))
