"""One stream's cuts and transitions reconciled as they go out (``core/reconcile.py``): a transition names the cuts
already sent that it holds, one that holds two switches of picture is no transition, and scene lists count each
change once: at the cut a transition holds, or at its middle."""

import pytest
from reprocut.stream.core.events import CutEvent, TransitionEvent
from reprocut.stream.core.reconcile import Reconciler, boundaries, placed

FPS = 25


def cut(frame: int) -> CutEvent:
    return CutEvent("0", frame, frame / FPS, 5.0, 2.0, 0.0)


def fade(start: int, end: int, kind: str = "fade") -> TransitionEvent:
    return TransitionEvent("0", start, end, kind, start / FPS, end / FPS, 1.5, 0.0)


def frames(found: list[tuple[int, float]]) -> list[int]:
    return [f for f, _ in found]


def test_a_transition_names_the_cuts_sent_before_it_from_its_first_frame_to_the_frame_after_its_last():
    reconcile = Reconciler()
    t = fade(40, 49)
    events = [cut(10), cut(39), cut(50), cut(51), t, cut(47)]
    assert reconcile.sent(events) == events  # unchanged, in order
    assert t.cuts == [50]  # not 51 (two frames after it), nor 47: it goes out after the transition, which cannot name it


def test_a_span_that_holds_two_switches_is_no_transition_and_each_of_its_cuts_stays_a_boundary():
    """A dense edit: cuts five frames apart with motion between them look like one burst to the transition
    detector; a dissolve cannot hold two hard cuts, so nothing but the cuts goes out and each is a boundary."""
    t = fade(58, 72, "dissolve")
    sent = [cut(60), cut(65), cut(70)]
    assert Reconciler().sent([*sent, t]) == sent
    assert frames(boundaries([(c.frame, c.time) for c in sent], [t])) == [60, 65, 70]


def test_cuts_less_than_a_shot_apart_are_one_switch_and_the_transition_is_one_boundary_at_the_last():
    """A flash transition whose onset the scorer calls a cut, then the switch of picture behind it (let through
    only because it scores twice the onset): no shot lies between them, so one change of scene, at the switch."""
    t = fade(210, 220, "dissolve")
    sent = [cut(100), cut(211), cut(214)]  # 3 frames apart at 25 fps: less than the shortest shot (0.2 s)
    assert Reconciler().sent([*sent, t]) == [*sent, t] and t.cuts == [211, 214]
    assert frames(boundaries([(c.frame, c.time) for c in sent], [t])) == [100, 214]


def test_a_transition_is_one_boundary_at_the_cut_it_holds_or_else_at_its_middle():
    """A blur transition whose switch the scorer calls a cut, and a fade that ends on a cut into the next shot: the
    boundary is that cut, where the picture switches (not the middle, frames away from it); a dissolve that holds
    no cut is one boundary at its middle frame and time."""
    blur, ending, dissolve = fade(324, 332, "dissolve"), fade(400, 409), fade(500, 519, "dissolve")
    sent = [cut(c) for c in (20, 325, 410, 600)]
    cuts = [(c.frame, c.time) for c in sent]
    assert [(t, frame) for t, (frame, _) in placed(cuts, [blur, ending, dissolve])] == [
        (blur, 325), (ending, 410), (dissolve, 510)] and dissolve.middle == 510
    found = boundaries(cuts, [blur, ending, dissolve])
    assert frames(found) == [20, 325, 410, 510, 600]
    assert dict(found)[510] == pytest.approx(510 / FPS)


def test_scene_lists_and_the_events_agree_on_every_transition():
    """A consumer of the events and a scene list agree: a transition that goes out is one boundary (at the last cut
    it names, or its middle), the cuts it names are not boundaries of their own; every other cut is one."""
    transitions = [fade(40, 49), fade(80, 95, "dissolve"), fade(150, 160, "dissolve")]
    sent = [cut(f) for f in (20, 50, 84, 90, 120, 155, 156)]
    out = Reconciler().sent([*sent, *transitions])
    went = [e for e in out if isinstance(e, TransitionEvent)]
    assert went == [transitions[0], transitions[2]]  # 80-95 holds two switches: 84 and 90
    named = {f for t in went for f in t.cuts}
    expected = sorted({c.frame for c in sent} - named | {t.cuts[-1] if t.cuts else t.middle for t in went})
    assert frames(boundaries([(c.frame, c.time) for c in sent], transitions)) == expected == [20, 50, 84, 90, 120, 156]


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
