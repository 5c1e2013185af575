"""The online scorer on synthetic sequences: no video, no model, just arrays."""

import math
from dataclasses import replace

import numpy as np
import pytest
from reprocut.stream.core.scorer import Scorer, ScorerConfig
from reprocut.stream.core.threshold import (
    ThresholdConfig,
    adaptive_threshold,
    paper_threshold,
)

FPS = 25.0


def synthetic(n: int, cuts: list[int], seed: int = 0, motion: float = 0.05, flashes: list[int] = ()):
    """Posteriors and pixels of a clip whose shots change at ``cuts``; flashes are one white frame."""
    rng = np.random.default_rng(seed)
    shot = np.searchsorted(cuts, np.arange(n), side="right")
    centres = rng.normal(0, 3, (len(cuts) + 1, 10))
    mu = centres[shot] + rng.normal(0, motion, (n, 10))
    logvar = np.full((n, 10), -3.0)
    colours = rng.integers(30, 220, (len(cuts) + 1, 3))
    yy, xx = np.mgrid[0:64, 0:64]
    pixels = np.zeros((n, 64, 64, 3), np.uint8)
    for i in range(n):
        img = np.zeros((64, 64, 3)) + colours[shot[i]]
        box = (abs(yy - 32) < 10) & (abs(xx - (i * 2) % 64) < 10)  # a moving square
        img[box] = 255 - colours[shot[i]]
        pixels[i] = np.clip(img + rng.integers(-3, 4, img.shape), 0, 255)
    for f in flashes:
        pixels[f] = 250
        mu[f] = rng.normal(0, 3, 10)
    return mu, logvar, pixels


def pictures(n: int, rng) -> np.ndarray:
    """Unrelated textured pictures [n, 80, 80, 3]: random 8x8 colour grids, smoothly upsampled (margins to pan in)."""
    grid = rng.integers(20, 236, (n, 8, 8, 3)).astype(float)
    x = np.linspace(0, 7, 80)
    i0 = np.floor(x).astype(int).clip(0, 6)
    t = x - i0
    rows = grid[:, i0] * (1 - t)[None, :, None, None] + grid[:, i0 + 1] * t[None, :, None, None]
    return rows[:, :, i0] * (1 - t)[None, None, :, None] + rows[:, :, i0 + 1] * t[None, None, :, None]


def dipped_edit(n: int, cuts: list[int], dip: int = 6, seed: int = 0):
    """A fan edit at 60 fps: each cut wrapped in a brightness dip (the old shot dims to 45% over ``dip``
    frames, a clean switch, the new shot brightens back); every shot pans slowly; the latent drifts with brightness."""
    rng = np.random.default_rng(seed)
    shot = np.searchsorted(cuts, np.arange(n), side="right")
    start = np.concatenate([[0], cuts])[shot]
    pics = pictures(len(cuts) + 1, rng)
    gain = np.ones(n)
    for c in cuts:
        gain[c - dip:c] = np.linspace(1, 0.45, dip + 1)[1:]
        gain[c:c + dip + 1] = np.linspace(0.45, 1, dip + 1)
    centres = rng.normal(0, 3, (len(cuts) + 1, 10))
    mu = centres[shot] + rng.normal(0, 0.05, (n, 10)) + 6.0 * (1 - gain)[:, None] * np.sign(centres[shot])
    pixels = np.empty((n, 64, 64, 3), np.uint8)
    for i in range(n):
        o = min(i - start[i], 15)
        pixels[i] = np.clip(pics[shot[i], o:o + 64, 8:72] * gain[i] + rng.normal(0, 2, (64, 64, 3)), 0, 255)
    return mu, np.full((n, 10), -3.0), pixels


def zoom_punch(n: int, punch: int, seed: int = 0):
    """One shot animated on 3s (each drawing held three frames: duplicates); at ``punch`` the camera punches
    in 20% on the same picture and the latent jumps as far as between two shots."""
    rng = np.random.default_rng(seed)
    pic = pictures(1, rng)[0]
    jump = rng.normal(0, 3, 10)
    k = (np.arange(64) * 53 / 64).astype(int)
    mu, pixels = np.empty((n, 10)), np.empty((n, 64, 64, 3), np.uint8)
    for i in range(n):
        drawing = np.random.default_rng(i // 3)
        o = min(i // 3, 8)
        img = pic[o:o + 64, o:o + 64] if i < punch else pic[o + 5 + k][:, o + 5 + k]
        pixels[i] = np.clip(img + drawing.normal(0, 2, img.shape), 0, 255)
        mu[i] = drawing.normal(0, 0.05, 10) + (jump if i >= punch else 0.0)
    return mu, np.full((n, 10), -3.0), pixels


def run(scorer: Scorer, mu, logvar, pixels, batch: int = 16):
    n = len(mu)
    fps = scorer.cfg.fps
    events = []
    for s in range(0, n, batch):
        idx = np.arange(s, min(n, s + batch))
        events += scorer.push(idx, idx / fps, idx * 0.0, mu[idx], logvar[idx], pixels[idx])
    return events + scorer.finish()


def test_every_cut_is_found_at_its_frame():
    cuts = [40, 90, 97, 160, 230, 300]
    events = run(Scorer(ScorerConfig(fps=FPS)), *synthetic(360, cuts))
    assert [e.frame for e in events] == cuts
    e = events[0]
    assert e.time == pytest.approx(40 / FPS) and e.score > e.threshold > 1
    assert set(e.signals) == {"kl", "pix", "hist"}


def test_cuts_inside_the_warmup_are_reported_once_calibrated():
    cuts = [20, 50, 75]  # all inside a 4 s (100 frame) warm-up
    scorer = Scorer(ScorerConfig(fps=FPS, warmup=4.0))
    mu, logvar, pixels = synthetic(200, cuts)
    early = scorer.push(np.arange(60), np.arange(60) / FPS, np.zeros(60), mu[:60], logvar[:60], pixels[:60])
    assert early == [] and scorer.threshold is None  # still warming up: nothing decided yet
    rest = scorer.push(np.arange(60, 200), np.arange(60, 200) / FPS, np.zeros(140), mu[60:], logvar[60:], pixels[60:])
    assert [e.frame for e in rest + scorer.finish()] == cuts


def test_warmup_without_a_cut_uses_the_guarded_default_and_emits_nothing():
    scorer = Scorer(ScorerConfig(fps=FPS))
    events = run(scorer, *synthetic(300, [], motion=0.2))
    assert events == []
    assert scorer.threshold == ThresholdConfig().default


def test_threshold_guard_needs_separated_clusters():
    rng = np.random.default_rng(1)
    flat = np.exp(rng.normal(0, 0.2, 500))  # normalised scores of a shot without cuts
    assert adaptive_threshold(flat, ThresholdConfig()) == (ThresholdConfig().default, None)
    with_cuts = np.concatenate([flat, np.exp(rng.normal(3.0, 0.3, 10))])
    threshold, centres = adaptive_threshold(with_cuts, ThresholdConfig())
    assert centres is not None and 3.0 <= threshold <= 12.0
    assert math.log(threshold) == pytest.approx(0.5 * sum(centres), abs=1e-6) or threshold in (3.0, 12.0)


def test_a_cut_event_holds_its_own_frame_not_the_batch_it_came_from():
    """``detect`` keeps every cut event for its scene list: each must cost one frame (12 KB), not pin the scorer's
    whole batch of frames (~0.9 MB); that made a long file's memory grow with its cuts."""
    cuts = [60, 120, 180]
    mu, logvar, pixels = synthetic(240, cuts)
    events = run(Scorer(ScorerConfig(fps=FPS)), mu, logvar, pixels, batch=64)
    assert [e.frame for e in events] == cuts
    for e in events:
        assert e.pixels.shape == (64, 64, 3) and np.array_equal(e.pixels, pixels[e.frame])
        assert e.pixels.base is None or e.pixels.base.nbytes == e.pixels.nbytes


def test_a_flash_that_returns_to_the_shot_is_not_a_cut():
    cuts = [60, 150]
    mu, logvar, pixels = synthetic(240, cuts, flashes=[100, 200])
    events = run(Scorer(ScorerConfig(fps=FPS)), mu, logvar, pixels)
    assert [e.frame for e in events] == cuts
    unguarded = run(Scorer(ScorerConfig(fps=FPS, flash_frames=0, after=1)), mu, logvar, pixels)
    assert {100, 101} & {e.frame for e in unguarded}  # the guard is what removes them


def test_minimum_scene_length_suppresses_a_cut_too_soon():
    cuts = [50, 53, 120]
    mu, logvar, pixels = synthetic(200, cuts)
    assert [e.frame for e in run(Scorer(ScorerConfig(fps=FPS, min_scene_len=0.2)), mu, logvar, pixels)] == [50, 120]
    assert [e.frame for e in run(Scorer(ScorerConfig(fps=FPS, min_scene_len=0.0)), mu, logvar, pixels)] == cuts


def test_a_far_stronger_cut_soon_after_a_weak_one_is_not_suppressed():
    mu, logvar, pixels = synthetic(200, [120])
    mu[116:120] += 0.6  # a small within-shot jolt just before the real cut
    scorer = Scorer(ScorerConfig(fps=FPS, threshold=1.5, min_scene_len=0.4, signals=("kl",)))
    frames = [e.frame for e in run(scorer, mu, logvar, pixels)]
    assert 120 in frames and 116 in frames  # the jolt passes this low threshold; the cut still counts


def test_a_change_seen_by_one_signal_only_is_not_a_cut():
    """Shapes jumping inside the same picture move the latent, not the colour histogram."""
    mu, logvar, pixels = synthetic(200, [])
    mu[100:] += 8.0  # the latent's layout jumps at 100; pixels and colours stay those of one shot
    scorer = Scorer(ScorerConfig(fps=FPS, threshold=1.5, signals=("kl", "hist")))
    assert [e.frame for e in run(scorer, mu, logvar, pixels)] == []
    alone = Scorer(ScorerConfig(fps=FPS, threshold=1.5, signals=("kl", "hist"), min_ratio=0.0))
    assert 100 in [e.frame for e in run(alone, mu, logvar, pixels)]


def test_batch_boundaries_do_not_change_decisions():
    data = synthetic(300, [33, 64, 65 + 40, 200])
    a = [(e.frame, round(e.score, 9)) for e in run(Scorer(ScorerConfig(fps=FPS)), *data, batch=1)]
    b = [(e.frame, round(e.score, 9)) for e in run(Scorer(ScorerConfig(fps=FPS)), *data, batch=64)]
    assert a == b


def test_paper_mode_clusters_raw_kl_of_the_whole_file():
    cuts = [30, 90, 150]
    mu, logvar, pixels = synthetic(200, cuts, motion=0.01)
    scorer = Scorer(ScorerConfig(fps=FPS, threshold_mode="paper"))
    events = run(scorer, mu, logvar, pixels)
    assert [e.frame for e in events] == cuts
    assert scorer.threshold == pytest.approx(paper_threshold(np.array([0.0] * 10 + [e.score for e in events])), rel=1.0)
    assert paper_threshold(np.ones(10)) == math.inf  # constant KL: nothing to separate


def test_fixed_threshold_skips_calibration():
    scorer = Scorer(ScorerConfig(fps=FPS, threshold=1e9))
    assert run(scorer, *synthetic(120, [60])) == []
    assert scorer.threshold == 1e9


def test_trace_records_every_frame():
    scorer = Scorer(ScorerConfig(fps=FPS, trace=True))
    run(scorer, *synthetic(150, [70]))
    assert [t[0] for t in scorer.trace] == list(range(150))


def test_dense_cuts_inside_brightness_dips_are_all_found():
    """Cuts every ~27 frames at 60 fps, each inside a dip: the dip inflates every signal's neighbourhood (the
    cut hardly stands out) and its first frame jumps every signal; the pictures' layouts tell them apart."""
    cuts = [30, 57, 85, 112, 140, 166, 195, 221]
    data = dipped_edit(260, cuts)
    for signals in (("kl", "pix", "hist"), ("pix", "hist")):
        assert [e.frame for e in run(Scorer(ScorerConfig(fps=60.0, signals=signals)), *data)] == cuts, signals
    assert [e.frame for e in run(Scorer(ScorerConfig(fps=60.0)), *data, batch=1)] == cuts
    relative = [e.frame for e in run(Scorer(ScorerConfig(fps=60.0, unrelated_cuts=False)), *data)]
    assert len(set(relative) & set(cuts)) < len(cuts) / 2  # without the layout test most cuts are lost
    unguarded = {e.frame for e in run(Scorer(ScorerConfig(fps=60.0, same_picture_guard=False)), *data)}
    assert {c - 6 for c in cuts} & unguarded  # and without the guard the dips' first frames pass as cuts


def test_a_zoom_punch_inside_a_shot_on_threes_is_not_a_cut():
    data = zoom_punch(200, 99)
    assert run(Scorer(ScorerConfig(fps=30.0)), *data) == []
    assert 99 in [e.frame for e in run(Scorer(ScorerConfig(fps=30.0, same_picture_guard=False)), *data)]


def test_a_recolour_of_the_same_layout_is_still_a_cut():
    """A cut can keep the layout (a title card, a frame counter) and change its colours."""
    mu, logvar, pixels = synthetic(200, [])
    pixels[100:] = pixels[100:, :, :, ::-1]  # the same shapes in other colours from frame 100 on
    mu[100:] += 8.0
    assert [e.frame for e in run(Scorer(ScorerConfig(fps=FPS)), mu, logvar, pixels)] == [100]


def test_an_object_jumping_across_a_plain_background_is_no_unrelated_picture():
    """The square of ``synthetic`` wraps from the right edge to the left every 32 frames: the layout of a
    plain picture jumps, but most of it stays, so the layout test does not call it a cut."""
    cuts = [40, 90, 97, 160, 230, 300]
    data = synthetic(360, cuts)
    assert [e.frame for e in run(Scorer(ScorerConfig(fps=FPS)), *data)] == cuts
    assert {32, 64} & {e.frame for e in run(Scorer(ScorerConfig(fps=FPS, unrelated_area=0.0)), *data)}


def test_a_violent_camera_shake_is_no_pair_of_unrelated_pictures():
    """The generated cartoon (seed 11) shakes its camera hard at 135 and 186: the shaken frames correlate
    little with the ones before, but each side hardly more with itself, so the layout test leaves them alone."""
    import av
    from reprocut.stream.sources.cartoon import DemoConfig, frames, labels
    from reprocut.stream.sources.decode import RGBScaler

    demo = DemoConfig(seed=11, frames=240)
    to_rgb = RGBScaler(64)
    pixels = np.stack([to_rgb(av.VideoFrame.from_ndarray(f, format="rgb24")) for f in frames(demo)])
    latent = np.zeros((len(pixels), 10))
    pix_hist = ScorerConfig(fps=demo.fps, signals=("pix", "hist"))
    assert [e.frame for e in run(Scorer(pix_hist), latent, latent, pixels)] == labels(demo)["cuts"]
    assert {135, 186} <= {e.frame for e in run(Scorer(replace(pix_hist, unrelated_gap=0.0)), latent, latent, pixels)}


def test_a_latent_jump_small_beside_what_the_posteriors_hold_is_not_a_cut():
    """KL alone: a key-pose jump moves the latent well above its neighbourhood, but by a small share of
    the two frames' KL to the prior; two unrelated pictures change all of it."""
    mu, logvar, pixels = synthetic(200, [150])
    mu[100:150] += 0.2  # the pose jumps at 100 and holds: KL ~4, the two posteriors hold ~71
    kl_only = ScorerConfig(fps=FPS, signals=("kl",))
    assert [e.frame for e in run(Scorer(kl_only), mu, logvar, pixels)] == [150]
    assert 100 in [e.frame for e in run(Scorer(replace(kl_only, latent_share=0.0)), mu, logvar, pixels)]


def test_with_the_kl_alone_a_dip_is_a_gradual_change_not_a_cut():
    """The latent drifts at the same pace through each frame of a dip, so its first frame is no spike;
    the cut inside it is one."""
    cuts = [30, 57, 85, 112, 140, 166, 195, 221]
    data = dipped_edit(260, cuts)
    kl_only = ScorerConfig(fps=60.0, signals=("kl",))
    assert [e.frame for e in run(Scorer(kl_only), *data)] == cuts
    assert {c - 6 for c in cuts} <= {e.frame for e in run(Scorer(replace(kl_only, latent_spike=False)), *data)}
