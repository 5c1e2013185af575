"""Each picture or latent rule alone, on the frames of synthetic clips: which frames it vetoes or makes a cut.

``test_scorer.py`` checks the cuts the scorer finds with all of them; here each rule must be the one that
removes (or makes) the frames it is there for.
"""

from __future__ import annotations

import numpy as np
from reprocut.stream.core.frames import Frames
from reprocut.stream.core.rules import (
    LatentShare,
    LatentSpike,
    LatentUnrelated,
    Rules,
    SamePictureConfig,
    SamePictureGuard,
    UnrelatedConfig,
    UnrelatedCuts,
    Veil,
)
from reprocut.stream.core.scoring import measure
from synthetic import dipped_edit, pictures, synthetic, veiled, zoom_punch

DIP_CUTS = [30, 57, 85, 112, 140, 166, 195, 221]


def frames(mu, logvar, pixels, fps: float = 25.0) -> tuple[Frames, np.ndarray]:
    i = np.arange(len(mu))
    return measure(i, i / fps, i * 0.0, mu, logvar, pixels), i


def test_the_same_picture_guard_vetoes_a_dip_s_first_frame_and_a_zoom_punch_but_no_cut():
    f, pos = frames(*dipped_edit(260, DIP_CUTS), fps=60.0)
    vetoed = SamePictureGuard()(f, pos)
    assert vetoed[[c - 6 for c in DIP_CUTS]].all()  # each dip's first frame jumps every signal: the same picture
    assert not vetoed[DIP_CUTS].any()
    f, pos = frames(*zoom_punch(200, 99), fps=30.0)
    assert SamePictureGuard()(f, pos)[99]


def test_with_the_latent_rules_the_guard_vetoes_only_what_the_latent_sees_as_the_same_picture():
    """Two look-alike shots keep the layout and the colour balance, but the posteriors tell their content apart:
    the guard that asks the latent rules leaves that cut alone; a punch-in, which the latent hardly sees, it vetoes."""
    latent = SamePictureGuard(latent=(LatentShare(), LatentSpike()))
    f, pos = frames(*zoom_punch(200, 99, jump=3.0), fps=30.0)
    assert SamePictureGuard()(f, pos)[99] and not latent(f, pos)[99]
    f, pos = frames(*zoom_punch(200, 99), fps=30.0)
    assert latent(f, pos)[99]
    f, pos = frames(*dipped_edit(260, DIP_CUTS), fps=60.0)
    assert latent(f, pos)[[c - 6 for c in DIP_CUTS]].all()  # a dip's latent drifts: no spike


def test_letterbox_bars_make_no_two_pictures_the_same_and_no_cut_less_unrelated():
    """Cuts between unrelated pictures inside black bars (a film's 2.39:1 frame in 16:9): the bars are no shared
    layout, so the guard vetoes none of them and the unrelated-pictures rule still makes each a cut."""
    cuts = [40, 90, 150]
    mu, logvar, _ = synthetic(200, cuts)
    shot = np.searchsorted(cuts, np.arange(200), side="right")
    pics = pictures(len(cuts) + 1, np.random.default_rng(5))
    pixels = np.stack([pics[shot[i]][i % 8:i % 8 + 64, 8:72] for i in range(200)]).astype(np.uint8)  # panning
    pixels[:, :8], pixels[:, 56:] = 0, 0
    f, pos = frames(mu, logvar, pixels)
    assert not SamePictureGuard()(f, pos)[[40, 90, 150]].any()
    assert UnrelatedCuts()(f, pos)[[40, 90, 150]].all()


def test_unrelated_pictures_inside_dips_are_cuts_and_nothing_else_is():
    f, pos = frames(*dipped_edit(260, DIP_CUTS), fps=60.0)
    assert np.nonzero(UnrelatedCuts()(f, pos))[0].tolist() == DIP_CUTS
    f, pos = frames(*zoom_punch(200, 99), fps=30.0)
    assert not UnrelatedCuts()(f, pos).any()  # punched in: the same picture, larger


def test_a_small_object_jumping_across_a_plain_picture_changes_too_little_of_the_layout():
    """The square of ``synthetic`` wraps from the right edge to the left every 32 frames."""
    f, pos = frames(*synthetic(360, [40, 90, 97, 160, 230, 300]))
    wraps = [32, 64, 128, 192]
    assert not UnrelatedCuts()(f, pos)[wraps].any()
    assert UnrelatedCuts(UnrelatedConfig(area=0.0))(f, pos)[wraps].all()


def test_a_latent_jump_small_beside_what_the_posteriors_hold_is_vetoed_by_its_share():
    mu, logvar, pixels = synthetic(200, [150])
    mu[100:150] += 0.2  # a pose jump at 100 that holds: KL ~4 where the two posteriors hold ~71
    f, pos = frames(mu, logvar, pixels)
    assert LatentShare()(f, pos)[[100, 150]].tolist() == [True, False]
    assert not LatentSpike()(f, pos)[[100, 150]].any()  # a jump all the same: the share alone stops it


def test_on_the_kl_s_word_alone_a_veto_takes_half_the_share():
    """Without the layouts to confirm it, the share rule vetoes only a change under half its share: a latent
    jump of ~4 where the posteriors hold ~71 (two look-alike shots the encoder compresses together) stands."""
    mu, logvar, pixels = synthetic(200, [150])
    mu[100:150] += 0.2
    f, pos = frames(mu, logvar, pixels)
    assert LatentShare(alone=True)(f, pos)[[100, 150]].tolist() == [False, False]
    mu[100:150] -= 0.03  # a jump of ~3.1: under half the share, a pose jump still
    f, pos = frames(mu, logvar, pixels)
    assert LatentShare(alone=True)(f, pos)[[100, 150]].tolist() == [True, False]


def test_a_dip_s_gradual_latent_drift_is_vetoed_as_no_spike():
    f, pos = frames(*dipped_edit(260, DIP_CUTS), fps=60.0)
    vetoed = LatentSpike()(f, pos)
    assert vetoed[[c - 6 for c in DIP_CUTS]].all() and not vetoed[DIP_CUTS].any()


def test_a_cut_rule_overrides_the_vetoes_but_not_a_faint_change_or_a_final_veto():
    f, pos = frames(*synthetic(8, []))
    every = lambda f, pos: np.ones(len(pos), bool)  # noqa: E731
    at = lambda *which: lambda f, pos: np.isin(pos, which)  # noqa: E731
    agreed, faint = np.isin(pos, [1, 2, 3]), np.isin(pos, [5])
    candidate, forced = Rules(vetoes=(at(2), at(3)), cuts=(at(3, 4, 5),)).apply(f, pos, agreed, faint)
    assert np.nonzero(candidate)[0].tolist() == [1, 3, 4] and np.nonzero(forced)[0].tolist() == [3, 4, 5]
    candidate, forced = Rules(vetoes=(at(2),), cuts=(at(3, 4, 5),), final=(at(1, 4),)).apply(f, pos, agreed, faint)
    assert np.nonzero(candidate)[0].tolist() == [3] and np.nonzero(forced)[0].tolist() == [3, 5]  # a final veto holds
    assert not Rules(vetoes=(every,)).apply(f, pos, agreed, faint)[0].any()
    assert Rules().apply(f, pos, agreed, faint)[0].tolist() == agreed.tolist()


def test_with_the_kl_alone_two_pictures_that_share_nothing_make_a_cut_but_a_pose_jump_or_a_flash_do_not():
    """``LatentUnrelated``: the posteriors of the cut's two frames are farther apart than each is from the prior,
    and each side holds still. A pose jump changes a little of the latent; a two-frame flash returns."""
    mu, logvar, pixels = synthetic(200, [100, 104])
    mu[60:100] += 0.2  # a pose jump at 60 that holds
    mu[150:152] = mu[150] + 9.0  # a flash of two frames, and back
    f, pos = frames(mu, logvar, pixels)
    forced = LatentUnrelated()(f, pos)
    assert forced[[100, 104]].all()  # a shot of 4 frames between them
    assert not forced[[60, 150, 152]].any()
    assert np.flatnonzero(forced).tolist() == [100, 104]


def test_with_the_layouts_the_latent_makes_no_cut_where_they_relate_the_two_pictures():
    """A camera swinging across the same scene can move the latent as far as a cut does (a poor copy of the snow
    vlog did at 763): with the pixels in use the latent's word stands only where the pictures are not related by layout
    and colour, so the swing over one panning picture makes no cut; the cut to another picture, and a recolour of the
    same layout, still do."""
    mu, logvar, _ = synthetic(200, [60, 120])  # the latent jumps as between unrelated pictures at 60 and at 120
    a, b = pictures(2, np.random.default_rng(7))
    pixels = np.stack([(a if i < 120 else b)[i % 16:i % 16 + 64, 8:72] for i in range(200)]).round().astype(np.uint8)
    f, pos = frames(mu, logvar, pixels)
    assert np.flatnonzero(LatentUnrelated()(f, pos)).tolist() == [60, 120]
    related = SamePictureGuard(SamePictureConfig(layout=UnrelatedConfig().layout))
    assert np.flatnonzero(LatentUnrelated(related=related)(f, pos)).tolist() == [120]
    recoloured = pixels.copy()
    recoloured[60:120] = recoloured[60:120] * np.array([1.0, 0.6, 0.6])  # at 60 the same layout tinted red: a cut
    f, pos = frames(mu, logvar, recoloured)
    assert np.flatnonzero(LatentUnrelated(related=related)(f, pos)).tolist() == [60, 120]


def test_a_veil_of_light_is_vetoed_as_it_comes_and_goes_but_no_cut_recolour_or_cut_to_white():
    """Lightning over a panning picture (evenly, or the sky more than the ground) and the veil lifting show the same
    picture under another light; a cut, a recolour (each colour to its own new one) and a cut to a white frame that
    hides the picture do not."""
    cuts = [80, 120, 150, 151]
    mu, logvar, _ = synthetic(200, cuts)
    a, b = pictures(2, np.random.default_rng(3))
    pan = [np.asarray(p[i // 12:i // 12 + 64, 8:72]) for p, i in zip([a] * 80 + [b] * 120, range(200))]  # a slow pan
    sky = 0.7 * (1 - np.arange(64) / 64)  # lightning lights the top of the frame more
    for i in range(40, 43):
        pan[i] = veiled(pan[i], 0.5)
    for i in range(60, 63):
        pan[i] = veiled(pan[i], sky)
    for i in range(120, 150):
        pan[i] = pan[i][..., [1, 2, 0]]  # a recolour: the same layout, every colour to another
    pan[150] = veiled(pan[150], 0.97)
    f, pos = frames(mu, logvar, np.clip(np.stack(pan), 0, 255).round().astype(np.uint8))
    vetoed = Veil()(f, pos)
    assert vetoed[40:44].all() and vetoed[60:64].all()  # the veil as it comes, stays and goes
    after = [i for i in range(200) if not any(s <= i < s + 3 + Veil().cfg.back for s in (40, 60))]  # not within reach
    assert not vetoed[after].any()  # no cut, and no frame of a panning picture without a veil near it
