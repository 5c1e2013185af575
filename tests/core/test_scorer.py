"""The online scorer on synthetic sequences: no video, no model, just arrays."""

import math
from dataclasses import replace

import numpy as np
import pytest
from reprocut.stream.core.decider import DeciderConfig, Phase
from reprocut.stream.core.paper import PaperScorer
from reprocut.stream.core.rules import (
    LatentShareConfig,
    LatentSpikeConfig,
    LatentUnrelatedConfig,
    UnrelatedConfig,
    VeilConfig,
)
from reprocut.stream.core.scorer import Scorer, ScorerConfig, make_scorer
from reprocut.stream.core.scoring import ScoringConfig
from reprocut.stream.core.threshold import (
    ThresholdConfig,
    adaptive_threshold,
    paper_threshold,
)
from synthetic import dipped_edit, pictures, synthetic, veiled, zoom_punch

FPS = 25.0


def run(scorer: Scorer | PaperScorer, mu, logvar, pixels, batch: int = 16, fps: float = FPS):
    n = len(mu)
    fps = scorer.cfg.fps if isinstance(scorer, Scorer) else fps
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
    scorer = Scorer(ScorerConfig(fps=FPS, decider=DeciderConfig(warmup=4.0)))
    mu, logvar, pixels = synthetic(200, cuts)
    early = scorer.push(np.arange(60), np.arange(60) / FPS, np.zeros(60), mu[:60], logvar[:60], pixels[:60])
    assert early == [] and scorer.threshold is None and scorer.phase is Phase.WARMING  # nothing decided yet
    rest = scorer.push(np.arange(60, 200), np.arange(60, 200) / FPS, np.zeros(140), mu[60:], logvar[60:], pixels[60:])
    assert [e.frame for e in rest + scorer.finish()] == cuts and scorer.phase is Phase.CALIBRATED


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
    cfg = ThresholdConfig()
    threshold, centres = adaptive_threshold(with_cuts, cfg)
    assert centres is not None and cfg.low <= threshold <= cfg.high
    assert math.log(threshold) == pytest.approx(0.5 * sum(centres), abs=1e-6) or threshold in (cfg.low, cfg.high)


def test_very_strong_cuts_do_not_lift_the_threshold_over_a_weaker_cut_of_the_same_footage():
    """The k-means midpoint follows the cut centre: footage whose cuts mostly score ~150 would put it near 12, over
    a look-alike cut scoring 10 (every signal risen); the ceiling keeps such a cut."""
    rng = np.random.default_rng(2)
    scores = np.concatenate([np.exp(rng.normal(0, 0.3, 500)), np.exp(rng.normal(5.0, 0.3, 12)), [10.0]])
    threshold, centres = adaptive_threshold(scores, ThresholdConfig())
    assert math.exp(0.5 * sum(centres)) > 10.0 > threshold


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
    unguarded = run(Scorer(ScorerConfig(fps=FPS, decider=DeciderConfig(flash_frames=0), scoring=ScoringConfig(after=1))),
                    mu, logvar, pixels)
    assert {100, 101} & {e.frame for e in unguarded}  # the guard is what removes them


def test_minimum_scene_length_suppresses_a_cut_too_soon():
    """The shot that opens at 53 shares content with the one before (a cut between unrelated pictures, each
    continuing its own shot, keeps even a shot shorter than the minimum: an edit's flash cut)."""
    cuts = [50, 53, 120]
    mu, logvar, pixels = synthetic(200, cuts, related=[53])
    for length, want in ((0.2, [50, 120]), (0.0, cuts)):
        scorer = Scorer(ScorerConfig(fps=FPS, decider=DeciderConfig(min_scene_len=length)))
        assert [e.frame for e in run(scorer, mu, logvar, pixels)] == want


def test_a_cut_after_a_still_shot_of_a_few_frames_is_not_masked_by_the_cut_before_it():
    """Two still shots, the second 6 frames long: the cut that opened it and the next frame are the only moving
    frames in the next cut's neighbourhood, and that cut must not be measured against the one before."""
    cuts = [60, 66, 140]
    mu, logvar, pixels = synthetic(200, cuts)
    for first, last in ((20, 60), (60, 66)):  # held pictures and posteriors: no change at all within these shots
        pixels[first:last], mu[first:last] = pixels[first], mu[first]
    assert [e.frame for e in run(Scorer(ScorerConfig(fps=FPS)), mu, logvar, pixels)] == cuts


def test_a_far_stronger_cut_soon_after_a_weak_one_is_not_suppressed():
    mu, logvar, pixels = synthetic(200, [120])
    mu[116:120] += 0.6  # a small within-shot jolt just before the real cut
    scorer = Scorer(ScorerConfig(fps=FPS, decider=DeciderConfig(threshold=1.5, min_scene_len=0.4), signals=("kl",)))
    frames = [e.frame for e in run(scorer, mu, logvar, pixels)]
    assert 120 in frames and 116 in frames  # the jolt passes this low threshold; the cut still counts


def test_a_change_seen_by_one_signal_only_is_not_a_cut():
    """Shapes jumping inside the same picture move the latent, not the colour histogram."""
    mu, logvar, pixels = synthetic(200, [])
    mu[100:] += 8.0  # the latent's layout jumps at 100; pixels and colours stay those of one shot
    cfg = ScorerConfig(fps=FPS, decider=DeciderConfig(threshold=1.5), signals=("kl", "hist"))
    assert [e.frame for e in run(Scorer(cfg), mu, logvar, pixels)] == []
    alone = Scorer(replace(cfg, scoring=ScoringConfig(min_ratio=0.0)))
    assert 100 in [e.frame for e in run(alone, mu, logvar, pixels)]


def test_batch_boundaries_do_not_change_decisions():
    data = synthetic(300, [33, 64, 65 + 40, 200])
    a = [(e.frame, round(e.score, 9)) for e in run(Scorer(ScorerConfig(fps=FPS)), *data, batch=1)]
    b = [(e.frame, round(e.score, 9)) for e in run(Scorer(ScorerConfig(fps=FPS)), *data, batch=64)]
    assert a == b


def test_paper_mode_clusters_raw_kl_of_the_whole_file():
    cuts = [30, 90, 150]
    mu, logvar, pixels = synthetic(200, cuts, motion=0.01)
    scorer = make_scorer(ScorerConfig(fps=FPS, threshold_mode="paper"))
    assert isinstance(scorer, PaperScorer)
    events = run(scorer, mu, logvar, pixels)
    assert [e.frame for e in events] == cuts and scorer.cuts == 3 and scorer.frames == 200
    assert scorer.phase is Phase.CALIBRATED
    assert scorer.threshold == pytest.approx(paper_threshold(np.array([0.0] * 10 + [e.score for e in events])), rel=1.0)
    assert paper_threshold(np.ones(10)) == math.inf  # constant KL: nothing to separate
    with pytest.raises(ValueError, match="make_scorer"):  # the online scorer never passes for the paper's
        Scorer(ScorerConfig(threshold_mode="paper"))


def test_fixed_threshold_skips_calibration():
    """Nothing passes a threshold no score reaches (the cut's shots share content: no rule makes it a cut whatever the
    threshold)."""
    scorer = Scorer(ScorerConfig(fps=FPS, decider=DeciderConfig(threshold=1e9)))
    assert run(scorer, *synthetic(120, [60], related=[60])) == []
    assert scorer.threshold == 1e9 and scorer.phase is Phase.FIXED


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
    # The rules that make it so: test_rules.py


def test_a_zoom_punch_inside_a_shot_on_threes_is_not_a_cut():
    data = zoom_punch(200, 99)
    assert run(Scorer(ScorerConfig(fps=30.0)), *data) == []
    # the same-picture guard is what removes it: test_rules.py


def test_look_alike_shots_whose_posteriors_differ_are_a_cut():
    """The same layout and colour balance, another content (the same snow field, the same singer in the same set):
    the KL sees it, so the same-picture guard does not veto it; without the KL, nothing tells it from a punch-in."""
    data = zoom_punch(200, 99, jump=3.0)
    assert [e.frame for e in run(Scorer(ScorerConfig(fps=30.0)), *data)] == [99]
    assert run(Scorer(ScorerConfig(fps=30.0, signals=("pix", "hist"))), *data) == []


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
    assert {32, 64} & {e.frame for e in run(Scorer(ScorerConfig(fps=FPS, unrelated=UnrelatedConfig(area=0.0))), *data)}


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
    assert {135, 186} <= {e.frame for e in run(Scorer(replace(pix_hist, unrelated=UnrelatedConfig(gap=0.0))), latent, latent, pixels)}


def test_a_latent_jump_small_beside_what_the_posteriors_hold_is_not_a_cut():
    """KL alone: a key-pose jump moves the latent well above its neighbourhood, but by a small share of
    the two frames' KL to the prior; two unrelated pictures change all of it."""
    mu, logvar, pixels = synthetic(200, [150])
    mu[100:150] += 0.17  # the pose jumps at 100 and holds: KL ~3.1, under half a tenth of the ~71 the posteriors hold
    kl_only = ScorerConfig(fps=FPS, signals=("kl",))
    assert [e.frame for e in run(Scorer(kl_only), mu, logvar, pixels)] == [150]
    assert 100 in [e.frame for e in run(Scorer(replace(kl_only, latent_share=LatentShareConfig(alone=0.0))), mu, logvar, pixels)]


def test_with_the_kl_alone_a_dip_is_a_gradual_change_not_a_cut():
    """The latent drifts at the same pace through each frame of a dip, so its first frame is no spike;
    the cut inside it is one."""
    cuts = [30, 57, 85, 112, 140, 166, 195, 221]
    data = dipped_edit(260, cuts)
    kl_only = ScorerConfig(fps=60.0, signals=("kl",))
    assert [e.frame for e in run(Scorer(kl_only), *data)] == cuts
    assert {c - 6 for c in cuts} <= {e.frame for e in run(Scorer(replace(kl_only, latent_spike=LatentSpikeConfig(ratio=0.0))), *data)}


def test_with_the_kl_alone_a_shot_shorter_than_the_minimum_scene_length_keeps_both_its_cuts():
    """An edit's flash cut: a 4-frame shot (0.16 s at 25 fps, under the 0.2 s minimum scene length) between two
    others, each picture unrelated to the next; the KL alone finds both its cuts, as the layouts do with the pixels."""
    mu, logvar, pixels = synthetic(200, [100, 104])
    kl_only = ScorerConfig(fps=FPS, signals=("kl",))
    assert [e.frame for e in run(Scorer(kl_only), mu, logvar, pixels)] == [100, 104]
    off = replace(kl_only, latent_unrelated=LatentUnrelatedConfig(share=0.0))
    assert [e.frame for e in run(Scorer(off), mu, logvar, pixels)] == [100]


def test_flat_colour_shots_cut_every_few_frames_are_each_a_cut_with_every_signal():
    """A frame counter's or a title card's kind of edit: flat-colour shots of 4 frames, each cut as large as the
    next, so the neighbourhood of each holds the cuts before it (no signal rises over it), and flat pictures give the
    layouts (flat colour and a small moving square) nothing to call unrelated; the latent says each pair shares nothing,
    each side continuing its own shot. Each shot is in another colour balance (a lighter copy of the same colours is
    the same picture brighter, to the pixels: ``test_rules``)."""
    cuts = [60, 64, 68, 72, 76, 80, 84]
    data = synthetic(160, cuts, seed=1)
    assert [e.frame for e in run(Scorer(ScorerConfig(fps=FPS)), *data)] == cuts
    off = ScorerConfig(fps=FPS, latent_unrelated=LatentUnrelatedConfig(share=0.0))
    assert [e.frame for e in run(Scorer(off), *data)] != cuts


def test_lightning_is_no_cut_even_where_the_latent_jumps_as_between_unrelated_pictures():
    """Lightning of 3 frames over a panning picture, while the latent jumps as far as to a picture that shares nothing
    and back: neither rule that makes a cut whatever the threshold (the latent's, the layouts') overrides the veil."""
    mu, logvar, _ = synthetic(160, [100])
    mu[60:63] += 9.0
    a, b = pictures(2, np.random.default_rng(3))
    pan = [p[i // 12:i // 12 + 64, 8:72] for p, i in zip([a] * 100 + [b] * 60, range(160))]
    for i in range(60, 63):
        pan[i] = veiled(pan[i], 0.5)
    data = mu, logvar, np.clip(np.stack(pan), 0, 255).round().astype(np.uint8)
    assert [e.frame for e in run(Scorer(ScorerConfig(fps=FPS)), *data)] == [100]
    no_veil = ScorerConfig(fps=FPS, veil=VeilConfig(rest=0.0))
    assert 60 in {e.frame for e in run(Scorer(no_veil), *data)}
