"""Which frames of a file need a posterior at all: the encoder's work cut to what can change a decision.

A frame whose picture hardly changes (its mean absolute difference from the frame before is below
the scorer's ``min_pix``) is never a cut, so its own KL matters only inside a candidate's
neighbourhood: a candidate at p is scored with the KL of frames p-before .. p+after, and its flash
guard compares frame p-1 with the next ``lookahead`` frames, so the posteriors of frames
p-before-1 .. p+lookahead decide it as encoding every frame would. Calm footage (a static shot, a
slideshow, held drawings of limited animation) then needs a small share of its frames encoded;
the others' KL is unknown (NaN) and left out of the threshold's window and of the noise spread.
"""

from __future__ import annotations

import numpy as np


def needed(changed: np.ndarray, changed_before: np.ndarray, reach_back: int, reach_ahead: int) -> np.ndarray:
    """[n] bool: the frames within ``reach_back`` frames before or ``reach_ahead`` after a changed one.

    ``changed``: the flags of the frames in question and of at least ``reach_back`` frames after them (fewer
    where the stream ends); ``changed_before``: those of the ``reach_ahead`` frames before them (fewer at a
    stream's start). The result covers every frame of ``changed``; only the first ones are settled.
    """
    pad = np.zeros(reach_ahead - len(changed_before), bool)
    ext = np.concatenate([pad, changed_before, changed, np.zeros(reach_back, bool)]).astype(np.int64)
    count = np.concatenate([[0], np.cumsum(ext)])
    width = reach_ahead + reach_back + 1  # frame i sees ext[i : i + width]: from i - reach_ahead to i + reach_back
    i = np.arange(len(changed))
    return count[i + width] - count[i] > 0
