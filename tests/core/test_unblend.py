"""Unblend (core/unblend.py): a frame that mixes the two pictures of a cut becomes the picture it mostly holds; dissolves,
fades, wipes and camera moves pass as they are; the frames that come out do not depend on the batches they came in."""

from __future__ import annotations

import numpy as np
import pytest
from gradual import Footage, camera, cut, dissolve, fade, join, view, wipe, world

from reprocut.stream.core.unblend import HOLD, Unblend
from reprocut.stream.runtime.ring import Batch


def batch(pixels: np.ndarray, start: int = 0) -> Batch:
    n = len(pixels)
    index = np.arange(start, start + n)
    return Batch(pixels, np.zeros(n, np.int32), index, index / 25.0, np.zeros(n))


def unblend(pixels: np.ndarray, sizes: list[int] | None = None) -> Batch:
    """The frames out of one stream's Unblend, fed in runs of ``sizes`` (default: all at once), then its rest."""
    u, out, at = Unblend(), [], 0
    for size in sizes or [len(pixels)]:
        out.append(u.release(batch(pixels[at:at + size], at)))
        at += size
    out.append(u.rest())
    runs = [r for r in out if r is not None]
    whole = runs[0]
    for r in runs[1:]:
        whole = whole + r
    return whole


def blended(footage: Footage, later: float) -> np.ndarray:
    """The footage with the frame before each cut replaced by a mix: ``later`` of the new shot's first frame."""
    px = footage.frames.astype(np.float32)
    for c in footage.cuts:
        px[c - 1] = (1 - later) * px[c - 1] + later * px[c]
    return px.round().astype(np.uint8)


EDIT = join(cut(seed=11), cut(seed=21), cut(seed=31))


@pytest.mark.parametrize("later", [0.3, 0.5, 0.7])
def test_a_cut_blended_over_two_frames_becomes_a_hard_cut(later):
    px = blended(EDIT, later)
    out = unblend(px).pixels
    changed = np.flatnonzero((out != px).any(axis=(1, 2, 3)))
    assert changed.tolist() == [c - 1 for c in EDIT.cuts]  # the blends, and nothing else
    for c in EDIT.cuts:
        # the picture the blend mostly holds: the old shot's last frame (the cut stays on the new shot's first) or the
        # new shot's first (the cut moves onto the blend's frame); either, for an even mix
        holds = [px[c - 2]] * (later <= 0.5) + [px[c]] * (later >= 0.5)
        assert any(np.array_equal(out[c - 1], p) for p in holds)


def eased(weights: tuple[float, ...] = (0.04, 0.16, 0.5, 0.84, 0.96)) -> Footage:
    """A dissolve of five frames that eases in and out: its middle frame mixes its neighbours between calm steps, but
    the steps go on in the dissolve's direction."""
    a, b = world(7), world(8)
    pics = [view(a, t) for t in range(20)] + [(1 - w) * view(a, 20 + k) + w * view(b, k) for k, w in enumerate(weights)]
    pics += [view(b, len(weights) + t) for t in range(20)]
    return Footage(np.stack(pics).round().astype(np.uint8), [], [(20, 24, "dissolve")])


@pytest.mark.parametrize("footage", [
    eased(),
    dissolve(8), dissolve(20), fade(length=8), fade((255, 255, 255), length=12), wipe(12),
    camera("pan"), camera("zoom"), camera("shake"), camera("flashes"), camera("walk"),
], ids=["eased dissolve", "dissolve 8", "dissolve 20", "fade 8", "fade to white", "wipe", "pan", "zoom", "shake", "flashes", "walk"])
def test_transitions_and_camera_moves_pass_as_they_are(footage):
    assert np.array_equal(unblend(footage.frames).pixels, footage.frames)


def test_the_same_frames_whatever_the_batches():
    px = blended(join(EDIT, dissolve(12, seed=5), cut(seed=41)), 0.4)
    whole = unblend(px)
    rng = np.random.default_rng(0)
    splits = [np.arange(1, len(px))] + [np.sort(rng.choice(np.arange(1, len(px)), k, replace=False)) for k in (5, 40, 150)]
    for at in splits:
        out = unblend(px, np.diff([0, *at.tolist(), len(px)]).tolist())
        assert np.array_equal(out.pixels, whole.pixels) and out.index.tolist() == list(range(len(px)))


def test_holds_back_two_frames_and_gives_every_frame_at_the_end():
    px = blended(EDIT, 0.5)
    u = Unblend()
    assert u.release(batch(px[:HOLD])) is None and u.held == HOLD  # a blend is known two frames after it
    run = u.release(batch(px[HOLD:HOLD + 5], HOLD))
    assert run.index.tolist() == list(range(5)) and u.held == HOLD
    assert u.rest().index.tolist() == [5, 6] and u.held == 0 and u.rest() is None
