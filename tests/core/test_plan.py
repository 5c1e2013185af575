"""The encode plan: which frames need a posterior (every frame a cut candidate's decision reads, and none
other), repeats of the frame before, and the frames held back so that batches change nothing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from reprocut.stream.core.frames import Columns
from reprocut.stream.core.plan import EncodePlan, needed, plan_for
from reprocut.stream.core.scorer import ScorerConfig

BACK, AHEAD = 9, 2  # the scorer's defaults: 8 frames of neighbourhood and the one before; 2 of look-ahead
MIN_PIX = 0.02


@dataclass
class Run(Columns):
    index: np.ndarray
    pixels: np.ndarray


def calm_clip(n: int, change: int, seed: int = 0) -> np.ndarray:
    """Two still pictures with grain (no frame repeats the one before), the second from frame ``change`` on."""
    rng = np.random.default_rng(seed)
    pictures = rng.integers(0, 250, (2, 64, 64, 3))
    shot = (np.arange(n) >= change).astype(int)
    return (pictures[shot] + rng.integers(0, 2, (n, 64, 64, 3))).astype(np.uint8)


def posterior(pixels: np.ndarray) -> np.ndarray:
    """A stand-in encoder: a posterior that depends on the picture alone [n, 6]."""
    return pixels[:, :2, 0, :].reshape(len(pixels), 6).astype(np.float32)


def feed(plan: EncodePlan, pixels: np.ndarray, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Every frame through the plan in batches, as the pipeline feeds it: (frames encoded, each frame's mu)."""
    encoded, mus = [], []

    def encode(run: Run) -> None:
        chosen = plan.select(run.pixels)
        encoded.extend(run.index[chosen.fresh].tolist())
        fresh = posterior(run.pixels[chosen.fresh])
        mus.append(plan.fill(chosen, fresh, fresh)[0])

    for s in range(0, len(pixels), batch):
        run = plan.release(Run(np.arange(s, min(s + batch, len(pixels))), pixels[s:s + batch]))
        if run is not None:
            encode(run)
    rest = plan.rest()
    if rest is not None:
        encode(rest)
    return np.array(encoded), np.concatenate(mus)


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


@pytest.mark.parametrize("batch", [1, 7, 64])
def test_a_calm_file_encodes_the_frames_around_its_change_whatever_the_batches(batch):
    pixels = calm_clip(60, 30)
    encoded, mu = feed(EncodePlan(BACK, AHEAD, MIN_PIX, hold=True), pixels, batch)
    assert encoded.tolist() == list(range(30 - BACK, 30 + AHEAD + 1))
    assert np.array_equal(mu[encoded], posterior(pixels[encoded])) and np.isnan(np.delete(mu, encoded, 0)).all()


def test_a_needed_repeat_takes_the_posterior_of_the_frame_it_repeats():
    pixels = calm_clip(60, 30)
    pixels[21:23] = pixels[20]  # the first two needed frames repeat one that is needed for nothing else
    encoded, mu = feed(EncodePlan(BACK, AHEAD, MIN_PIX, hold=True), pixels, 8)
    assert encoded.tolist() == [20] + list(range(23, 33))
    assert np.array_equal(mu[21], posterior(pixels[20:21])[0]) and np.array_equal(mu[22], mu[20])


def test_without_holding_back_every_frame_but_repeats_is_encoded_and_repeats_carry_across_runs():
    pixels = calm_clip(6, 3)[[0, 0, 1, 1, 1, 5]]  # A A B | B B C: frame 3 repeats the previous run's last
    plan = EncodePlan(BACK, AHEAD, MIN_PIX, hold=False)
    assert plan.held_back == 0 and plan.release(Run(np.arange(3), pixels[:3])) is not None and plan.held == 0
    encoded, mu = feed(plan, pixels, 3)
    assert encoded.tolist() == [0, 2, 5]
    assert np.array_equal(mu, posterior(pixels))


def test_held_back_frames_wait_for_the_next_run_and_come_out_at_the_end():
    plan = EncodePlan(BACK, AHEAD, MIN_PIX, hold=True)
    pixels = calm_clip(20, 10)
    assert plan.release(Run(np.arange(5), pixels[:5])) is None and plan.held == 5
    run = plan.release(Run(np.arange(5, 20), pixels[5:]))
    assert run.index.tolist() == list(range(20 - BACK)) and plan.held == BACK
    assert plan.rest().index.tolist() == list(range(20 - BACK, 20)) and plan.held == 0 and plan.rest() is None


@pytest.mark.parametrize("cfg", [ScorerConfig(signals=("kl",)), ScorerConfig(signals=("kl", "hist")),
                                 ScorerConfig(threshold_mode="paper")])
def test_scorers_that_read_every_kl_get_every_frame(cfg):
    """Without the pix signal nothing tells a calm frame, and the paper's threshold reads the KL of every frame."""
    pixels = calm_clip(40, 20)
    encoded, _ = feed(plan_for(cfg, sparse=True), pixels, 16)
    assert encoded.tolist() == list(range(40))


def test_the_default_scorer_s_plan_skips_calm_frames_on_files_only():
    pixels = calm_clip(40, 20)
    cfg = ScorerConfig()
    assert feed(plan_for(cfg, sparse=True), pixels, 16)[0].tolist() == list(range(20 - cfg.reach_back, 20 + cfg.lookahead + 1))
    paced = plan_for(cfg, sparse=False)
    assert paced.held_back == 0 and feed(paced, pixels, 16)[0].tolist() == list(range(40))
