"""The transition detector on generated footage (``tests/gradual.py``): arrays in, events out, no video, no model."""

from collections import deque

import numpy as np
import pytest
from gradual import Footage, camera, cut, dissolve, fade, join, wipe, wipe_then_dissolve
from reprocut.stream.core.reconcile import boundaries
from reprocut.stream.core.transitions import TransitionConfig, TransitionDetector
from reprocut.stream.core.transitions.fades import Fades
from reprocut.stream.core.transitions.frames import Features

FPS = 24.0


def posteriors(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A stand-in for the encoder's posteriors: each frame's 8x8 grey thumbnail as the mean, unit variance."""
    grey = frames.astype(np.float32).mean(-1)
    n, s = grey.shape[:2]
    mu = grey.reshape(n, 8, s // 8, 8, s // 8).mean((2, 4)).reshape(n, 64) / 16.0
    return mu, np.zeros_like(mu)


def run(footage: Footage, batch: int = 16, dropped: list[int] = (), **config) -> tuple[list, list[int]]:
    """Every transition, and the last frame pushed when each came out (``dropped``: frames never pushed, as a
    live source drops them when inference falls behind)."""
    detector = TransitionDetector(TransitionConfig(fps=FPS, **config))
    mu, logvar = posteriors(footage.frames)
    events, seen_at = [], []
    kept = np.setdiff1d(np.arange(len(footage.frames)), dropped)
    for s in range(0, len(kept), batch):
        idx = kept[s : s + batch]
        out = detector.push(idx, idx / FPS, idx * 0.0, footage.frames[idx], mu[idx], logvar[idx])
        events += out
        seen_at += [int(idx[-1])] * len(out)
    tail = detector.finish()
    return events + tail, seen_at + [len(footage.frames) - 1] * len(tail)


def assert_found(events, footage: Footage, tolerance: int = 3, late_start: int = 0) -> None:
    """One transition per labelled span, each within ``tolerance`` frames of it at both ends (its start up to
    ``late_start`` more frames late), of its kind."""
    assert len(events) == len(footage.transitions), events
    for e, (start, end, kind) in zip(events, footage.transitions):
        assert -tolerance <= e.start - start <= tolerance + late_start and abs(e.end - end) <= tolerance, (e, start, end)
        assert e.kind == kind and e.score >= 1.0
        assert e.time == pytest.approx(e.start / FPS) and e.end_time == pytest.approx(e.end / FPS)


@pytest.mark.parametrize("colour", [(0, 0, 0), (255, 255, 255), (40, 90, 200)], ids=["black", "white", "blue"])
def test_a_fade_out_and_in_through_a_flat_colour_is_two_fades(colour):
    """The colour holds six frames (a quarter of a second with the fades' last and first frames, flat too): a
    scene of its own, between the fade out and the fade in."""
    footage = fade(colour, length=20)
    events, _ = run(footage)
    assert_found(events, footage)


@pytest.mark.parametrize("colour", [(0, 0, 0), (255, 255, 255), (40, 90, 200)], ids=["black", "white", "blue"])
def test_a_dip_through_a_colour_shorter_than_a_shot_is_one_fade(colour):
    """The fade out reaches the colour on its last frame and the fade in leaves it on its first: nothing but a
    moment of the colour lies between them, no scene, so they are one fade, from the first's first frame to the
    second's last. It goes out once the fade in has ended."""
    footage = fade(colour, length=20, hold=0)
    events, seen_at = run(footage, batch=1)
    (out, into) = footage.transitions
    (e,) = events
    assert abs(e.start - out[0]) <= 3 and abs(e.end - into[1]) <= 3 and e.kind == "fade"
    assert out[1] - 1 <= e.middle <= into[0] + 1 and seen_at[0] - e.end <= 0.5 * FPS  # its boundary: in the colour


@pytest.mark.parametrize("length", [8, 20, 40])
def test_a_cross_dissolve_is_found_with_its_span(length):
    footage = dissolve(length)
    events, _ = run(footage)
    assert_found(events, footage)


@pytest.mark.parametrize("length", [12, 20, 40])
def test_a_dissolve_between_shots_that_move_as_much_as_it_changes_is_found(length):
    """Per-frame change does not tell this dissolve from the camera's motion; that its frames are blends of its
    ends does. Found by the evaluation's rule (overlapping the span within 3 frames): a long one's span can come
    out shorter, the stretch where the blend test holds over the motion."""
    footage = dissolve(length, pan=(0.3, 0.2))
    events, _ = run(footage)
    ((start, end, kind),) = footage.transitions
    assert len(events) == 1 and events[0].kind == kind
    assert events[0].start <= end + 3 and events[0].end >= start - 3 and events[0].end - events[0].start >= 8


@pytest.mark.parametrize(("length", "alike"), [(72, 0.0), (48, 0.5)], ids=["3s-still", "2s-look-alike"])
def test_a_long_dissolve_between_still_shots_is_found(length, alike):
    """A slideshow's or a documentary's slow dissolve changes each frame by less than the noise, and a window of 4/3 s
    inside it sees only part of its change: under a cut's worth where the shots are alike. Found by the evaluation's
    rule, over at least half its span."""
    footage = dissolve(length, shot=60, pan=(0.0, 0.0), alike=alike)
    events, _ = run(footage)
    ((start, end, kind),) = footage.transitions
    assert [e.kind for e in events] == [kind]
    assert events[0].start <= end + 3 and events[0].end >= start - 3 and events[0].end - events[0].start >= length / 2


@pytest.mark.parametrize("iris", [False, True], ids=["edge", "iris"])
def test_a_wipe_is_found_as_a_wipe(iris):
    footage = wipe(24, iris=iris)
    events, _ = run(footage)
    assert_found(events, footage, late_start=3 if iris else 0)  # an opening circle changes a few pixels at first


@pytest.mark.parametrize("length", [12, 24])
def test_a_wipe_between_shots_that_move_almost_as_much_as_it_changes_is_found(length):
    """Its frames change only 2.5-4 times as much as the shots' own motion, and they are no blends of its ends; that
    they are pieces of them (each part of the picture still the shot before or already the shot after), switched
    along a moving edge, tells it from motion. Found by the evaluation's rule (overlapping the span within 3 frames):
    its span can come out shorter, the window whose pieces line up best."""
    footage = wipe(length, pan=(0.2, 0.15))
    events, _ = run(footage)
    ((start, end, kind),) = footage.transitions
    assert len(events) == 1 and events[0].kind == kind
    assert events[0].start <= end + 3 and events[0].end >= start - 3


@pytest.mark.parametrize("between", [4, 12])
def test_a_wipe_and_a_dissolve_a_short_shot_apart_are_two_transitions(between):
    """The windows that pass over the wipe and over the dissolve make one run of windows; each change is found in it."""
    footage = wipe_then_dissolve(between)
    events, _ = run(footage)
    assert [e.kind for e in events] == ["wipe", "dissolve"]
    for e, (start, end, _) in zip(events, footage.transitions):
        assert e.start <= end + 3 and e.end >= start - 3


@pytest.mark.parametrize("kind", ["pan", "zoom", "walk", "shake", "flashes", "jerks"])
def test_long_camera_moves_and_motion_inside_a_shot_give_nothing(kind):
    """A jerk of the camera goes straight from one picture to another in a few frames, as a short dissolve does; but
    its last picture is the first one moved (``spans.moved``)."""
    events, _ = run(camera(kind, frames=240))
    assert events == []


@pytest.mark.parametrize("hold", [2, 3])
def test_a_dip_whose_fade_out_another_part_finds_is_one_fade(hold):
    """The shot darkens before it fades to black, so the fades' look back from the black runs on into the shot and finds
    no straight fade; twin comparison's trimmed span is the fade out. It waits in the black for the fade in as the
    fades' own do, and the dip (black held less than a shot) goes out as one fade."""
    footage = fade((0, 0, 0), length=12, hold=hold, drift=0.008)
    (out, into) = footage.transitions
    for batch in (1, 16):
        events, _ = run(footage, batch=batch)
        (e,) = events
        assert abs(e.start - out[0]) <= 3 and abs(e.end - into[1]) <= 3 and e.kind == "fade"


def test_a_fade_out_another_part_finds_at_the_end_of_the_stream_still_goes_out():
    """Found only when the stream ends, after the fades part has finished: it waits no longer."""
    footage = fade((0, 0, 0), length=12, hold=2, drift=0.008)
    ends = footage.transitions[0][1] + 3  # two frames of black, then the stream ends
    (e,), _ = run(Footage(footage.frames[:ends], [], footage.transitions[:1]))
    assert abs(e.start - footage.transitions[0][0]) <= 3 and e.end == ends - 1 and e.kind == "fade"


def test_a_hard_cut_is_no_transition():
    events, _ = run(join(cut(), cut(seed=5)))
    assert events == []


@pytest.mark.parametrize("hold", [0, 6])
def test_a_fade_to_black_then_a_cut_into_a_moving_shot_is_one_fade(hold):
    """The cut out of black is a cut, not a fade in, though the new shot moves away from black after it."""
    footage = fade((0, 0, 0), length=12, hold=hold, fade_in=False)
    events, _ = run(footage)
    assert_found(events, footage)


def test_a_fade_out_lasts_through_a_moment_of_the_colour_until_the_cut_that_ends_it():
    """Two frames of black, then a cut into the next shot: the fade goes on to the frame before the cut (so the
    scene list counts that change once, at the cut: ``core/reconcile.py``)."""
    footage = fade((0, 0, 0), length=12, hold=2, fade_in=False)
    (e,), _ = run(footage)
    assert e.kind == "fade" and abs(e.start - footage.transitions[0][0]) <= 3 and e.end == footage.cuts[0] - 1
    held = fade((0, 0, 0), length=12, hold=12, fade_in=False)  # half a second of black: a scene of its own
    (e,), _ = run(held)
    assert abs(e.end - held.transitions[0][1]) <= 1 and held.cuts[0] - e.end > 10


def test_a_fade_in_ends_where_its_picture_arrived_not_on_the_frame_before_the_next_cut():
    """A dip to black, then four frames of the new shot (its exposure settling: a little farther from black each frame)
    and a hard cut. The fades part ends the fade in where its picture arrived, not at the farthest frame, the one before
    the cut: a transition that reaches the frame before a cut holds that cut (``reconcile.holds``), and the scene list
    would lose one of the two boundaries."""
    footage = fade((0, 0, 0), length=12, hold=0, cut_after=4)
    cfg = TransitionConfig(fps=FPS)
    history = deque(maxlen=cfg.max_frames + cfg.quiet + 2)
    fades = Fades(cfg, history)
    idx = np.arange(len(footage.frames))
    _, frames = Features(cfg.flat).frames(idx, idx / FPS, idx * 0.0, footage.frames, *posteriors(footage.frames))
    found = []
    for f in frames:
        history.append(f)
        found += fades.push(f)
    (dip,) = found + fades.finish()
    (out, into), (cut_at,) = footage.transitions, footage.cuts
    assert abs(dip.span[1].index - out[0]) <= 3 and abs(dip.span[-1].index - into[1]) <= 2
    assert dip.span[-1].index < cut_at - 1  # the cut stays a change of its own


def test_each_transition_comes_out_within_half_a_second_of_its_last_frame():
    footage = join(fade((0, 0, 0)), dissolve(12, seed=3), wipe(seed=6))
    events, seen_at = run(footage, batch=1)
    assert_found(events, footage)
    for e, at in zip(events, seen_at):
        assert at - e.end <= 0.5 * FPS


def test_frames_dropped_by_a_live_source_do_not_hide_transitions():
    footage = join(fade((0, 0, 0)), dissolve(16, seed=3), wipe(seed=6))
    events, _ = run(footage, dropped=list(range(7, len(footage.frames), 9)))
    assert_found(events, footage)


def test_batch_boundaries_do_not_change_what_is_found():
    footage = join(dissolve(16, seed=2), fade((255, 255, 255), seed=4), camera("pan", 100))
    one, _ = run(footage, batch=1)
    many, _ = run(footage, batch=64)
    assert [e.to_dict() for e in one] == [e.to_dict() for e in many]
    assert_found(one, footage)


def test_scene_boundaries_put_a_transition_at_the_cut_it_holds_or_at_its_middle():
    footage = join(cut(seed=1), dissolve(12, seed=3), fade((0, 0, 0), length=10, seed=5))
    events, _ = run(footage)
    assert_found(events, footage)
    a, b, c = events
    cuts = [(40, 40 / FPS), (a.middle - 1, (a.middle - 1) / FPS), (c.start - 1, (c.start - 1) / FPS), (c.end + 1, (c.end + 1) / FPS)]
    found = boundaries(cuts, events)
    assert found == [(40, pytest.approx(40 / FPS)), (a.middle - 1, pytest.approx((a.middle - 1) / FPS)),
                     (b.middle, pytest.approx(b.middle / FPS)), (c.start - 1, pytest.approx((c.start - 1) / FPS)),
                     (c.end + 1, pytest.approx((c.end + 1) / FPS))]


def test_a_change_several_parts_see_is_sent_once_and_transitions_never_overlap():
    """Fades, blends and twin comparison each see this dip to black and these dissolves, at frames of their own;
    one change of scene is one transition, and each starts after the last frame of the one before it."""
    footage = join(fade((0, 0, 0), length=16, hold=0, seed=1), dissolve(16, seed=3), dissolve(24, seed=4))
    (out, into), dissolves = footage.transitions[:2], footage.transitions[2:]
    footage.transitions = [(out[0], into[1], "fade"), *dissolves]  # the dip: one fade
    for batch in (1, 16):
        events, _ = run(footage, batch=batch)
        assert all(b.start > a.end for a, b in zip(events, events[1:])), events
        assert_found(events, footage)
