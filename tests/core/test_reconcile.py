"""One stream's cuts and transitions reconciled as they go out (``core/reconcile.py``): a transition names the cuts
already sent that it holds, and scene lists count that change once, at the transition's middle."""

import pytest
from reprocut.stream.core.events import CutEvent, TransitionEvent
from reprocut.stream.core.reconcile import Reconciler, boundaries

FPS = 25


def cut(frame: int) -> CutEvent:
    return CutEvent("0", frame, frame / FPS, 5.0, 2.0, 0.0)


def fade(start: int, end: int) -> TransitionEvent:
    return TransitionEvent("0", start, end, "fade", start / FPS, end / FPS, 1.5, 0.0)


def test_a_transition_names_the_cuts_sent_before_it_from_its_first_frame_to_two_frames_after_its_last():
    reconcile = Reconciler()
    t = fade(40, 49)
    events = [cut(10), cut(39), cut(40), cut(45), cut(51), cut(52), t, cut(47)]
    assert reconcile.sent(events) == events  # unchanged, in order
    assert t.cuts == [40, 45, 51]  # not 47: it goes out after the transition, which can no longer name it


def test_transitions_found_while_cuts_are_undecided_wait_for_them_and_name_them():
    """A file's warm-up decides its cuts at its end: a fade found before then goes out after those cuts, naming
    the one it holds, in the order found; the stream's end lets out whatever still waits."""
    reconcile = Reconciler()
    first, second, last = fade(40, 49), fade(80, 90), fade(200, 210)
    assert reconcile.after_cuts([first], cuts_final=False) == []
    assert reconcile.after_cuts([second], cuts_final=False) == []
    reconcile.sent([cut(12), cut(45)])  # the warm-up's cuts
    assert reconcile.after_cuts([], cuts_final=True) == [first, second]
    assert first.cuts == [45] and second.cuts == []
    assert reconcile.after_cuts([last], cuts_final=False) == []
    reconcile.sent([cut(205)])
    assert reconcile.after_cuts([], cuts_final=True) == [last] and last.cuts == [205]


def test_scene_lists_drop_exactly_the_cuts_a_transition_names():
    """A consumer of the events and a scene list agree: the cuts a transition names are not boundaries of their own,
    the others are; the transition is one boundary, at its middle frame and time."""
    t = fade(40, 49)
    sent = [cut(f) for f in (20, 39, 40, 47, 51, 52, 90)]
    Reconciler().sent([*sent, t])
    found = boundaries([(c.frame, c.time) for c in sent], [t])
    assert [f for f, _ in found] == sorted({c.frame for c in sent} - set(t.cuts) | {t.middle})
    assert t.cuts == [40, 47, 51] and t.middle == 45
    assert dict(found)[45] == pytest.approx(45 / FPS)
