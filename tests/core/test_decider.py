"""The decider alone: its phases (what the pipeline reads to hold a file's warm-up), the flash guard and the
minimum scene length, fed candidates by hand."""

from __future__ import annotations

import numpy as np
import pytest
from reprocut.stream.core.decider import Candidate, Decider, DeciderConfig, Phase
from reprocut.stream.core.threshold import ThresholdConfig

FPS = 10.0


def candidate(index: int, score: float = 50.0, back: float = np.inf, offset: int = 0, unrelated: bool = False) -> Candidate:
    return Candidate(index, index / FPS, 0.0, score, {}, back, offset, np.zeros((1, 1, 3), np.uint8), unrelated)


def feed(decider: Decider, frames: int, candidates: dict[int, Candidate], start: int = 0) -> list[tuple[int, float]]:
    """Frames ``start`` .. ``frames - 1`` scoring 1 (ordinary frames), the candidates at their own score."""
    cuts = []
    for i in range(start, frames):
        c = candidates.get(i)
        cuts += decider.step(i / FPS, c.score if c else 1.0 + 0.01 * (i % 7), c)
    return [(c.index, threshold) for c, threshold in cuts]


def test_a_file_s_warm_up_holds_its_candidates_until_k_means_has_the_threshold():
    decider = Decider(DeciderConfig(warmup=4.0), FPS)
    decider.start(0, 0.0)
    assert decider.phase is Phase.WARMING and decider.threshold is None
    assert feed(decider, 40, {10: candidate(10), 25: candidate(25)}) == []  # 0 .. 3.9 s: held
    assert decider.phase is Phase.WARMING
    cuts = feed(decider, 41, {}, start=40)  # 4 s: calibrated, and the held candidates decided with it
    assert decider.phase is Phase.CALIBRATED and [f for f, _ in cuts] == [10, 25]
    assert cuts[0][1] == cuts[1][1] == decider.threshold != ThresholdConfig().default


def test_a_live_warm_up_decides_at_once_with_the_prior():
    decider = Decider(DeciderConfig(warmup=4.0), FPS, live=True)
    decider.start(0, 0.0)
    assert decider.phase is Phase.PRIOR and decider.threshold == ThresholdConfig().default
    assert feed(decider, 11, {10: candidate(10)}) == [(10, ThresholdConfig().default)]


def test_a_stream_shorter_than_its_warm_up_is_decided_at_its_end():
    decider = Decider(DeciderConfig(warmup=4.0), FPS)
    decider.start(0, 0.0)
    assert feed(decider, 20, {10: candidate(10)}) == []
    assert [c.index for c, _ in decider.finish()] == [10] and decider.phase is Phase.CALIBRATED
    assert decider.finish() == []


def test_a_fixed_threshold_is_used_from_the_first_frame_and_never_refitted():
    decider = Decider(DeciderConfig(threshold=30.0, recalibrate_s=0.1), FPS)
    decider.start(0, 0.0)
    assert decider.phase is Phase.FIXED
    assert feed(decider, 300, {5: candidate(5, 20.0), 100: candidate(100, 40.0)}) == [(100, 30.0)]
    assert decider.threshold == 30.0 and decider.phase is Phase.FIXED


def test_the_flash_guard_blocks_a_return_to_the_shot_and_what_follows_inside_it():
    decider = Decider(DeciderConfig(threshold=6.0, min_scene_len=0.0), FPS)
    decider.start(0, 0.0)
    flash = {10: candidate(10, back=2.0, offset=2), 12: candidate(12), 13: candidate(13), 20: candidate(20, back=7.0, offset=1)}
    assert [f for f, _ in feed(decider, 30, flash)] == [13, 20]  # 12 lies inside the flash; 20 returns too far off


def test_min_scene_length_keeps_the_first_cut_unless_a_later_one_is_twice_as_strong():
    decider = Decider(DeciderConfig(threshold=6.0, min_scene_len=1.0), FPS)  # 10 frames
    decider.start(0, 0.0)
    cands = {5: candidate(5), 20: candidate(20, 10.0), 25: candidate(25, 19.0), 27: candidate(27, 21.0),
             29: candidate(29, 30.0), 40: candidate(40, 7.0)}
    assert [f for f, _ in feed(decider, 50, cands)] == [20, 27, 40]  # 5: too soon after the stream's start


def test_unrelated_pictures_are_a_cut_whatever_the_threshold_and_the_last_cut():
    decider = Decider(DeciderConfig(threshold=6.0, min_scene_len=1.0), FPS)
    decider.start(0, 0.0)
    cands = {20: candidate(20), 22: candidate(22, 1.5, back=1.0, offset=1, unrelated=True)}
    assert feed(decider, 30, cands) == [(20, 6.0), (22, 6.0)]


@pytest.mark.parametrize("live", [False, True])
def test_the_threshold_is_refitted_on_the_sliding_window(live):
    decider = Decider(DeciderConfig(warmup=2.0, window_s=5.0, recalibrate_s=1.0), FPS, live=live)
    decider.start(0, 0.0)
    cuts = {i: candidate(i, 20.0) for i in range(5, 60, 12)}
    feed(decider, 60, cuts)
    early = decider.threshold
    feed(decider, 200, {i: candidate(i, 200.0) for i in range(65, 200, 12)}, start=60)  # far stronger cuts now
    assert decider.phase is Phase.CALIBRATED and decider.threshold > early
