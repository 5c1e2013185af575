"""Which frames need a posterior: every frame a cut candidate's decision reads, and none other."""

from __future__ import annotations

import numpy as np
from reprocut.stream.core.sparse import needed

BACK, AHEAD = 9, 2  # the scorer's defaults: 8 frames of neighbourhood and the one before; 2 of look-ahead


def test_a_change_needs_the_frames_its_decision_reads_and_nothing_else_does():
    changed = np.zeros(40, bool)
    changed[20] = True
    got = needed(changed, np.zeros(AHEAD, bool), BACK, AHEAD)
    assert np.nonzero(got)[0].tolist() == list(range(20 - BACK, 20 + AHEAD + 1))


def test_changes_just_before_or_at_the_ends_reach_across_them():
    calm = np.zeros(30, bool)
    assert np.nonzero(needed(calm, np.array([False, True]), BACK, AHEAD))[0].tolist() == [0, 1]  # the frame before changed
    assert not needed(calm, np.zeros(0, bool), BACK, AHEAD).any()  # a stream's start: nothing before it
    end = calm.copy()
    end[-1] = True  # the last frame known changed: the 9 before it are needed, nothing beyond is assumed
    assert np.nonzero(needed(end, np.zeros(AHEAD, bool), BACK, AHEAD))[0].tolist() == list(range(30 - 1 - BACK, 30))
