"""Gradual transitions end to end: generated H.264 clips through PyAV, the bundled model, the scorer and the
transition detector, as ``reprocut detect --jsonl`` prints them and as the pipeline yields them."""

from __future__ import annotations

import pytest
from gradual import camera, dissolve, fade, join, wipe, write_clip
from helpers import jsonl_events, run_cli, validate
from reprocut.stream.core.events import CutEvent, TransitionEvent
from reprocut.stream.core.scenes import scenes_from_cuts
from reprocut.stream.runtime.pipeline import Pipeline, PipelineConfig
from reprocut.stream.sources import open_source
from reprocut.stream.sources.cartoon import DemoConfig
from reprocut.stream.sources.cartoon import labels as demo_labels

RATE = 24


@pytest.fixture(scope="module")
def gradual_clip(tmp_path_factory):
    """Fades to black and to white, a dissolve and a wipe between shots that drift, then a long pan."""
    footage = join(fade((0, 0, 0), length=16, seed=1, size=128), dissolve(16, seed=3, size=128),
                   wipe(20, seed=5, size=128), fade((255, 255, 255), length=12, seed=7, size=128),
                   camera("pan", 150, seed=9, size=128))
    path = tmp_path_factory.mktemp("gradual") / "gradual.mp4"
    write_clip(path, footage, RATE)
    return path, footage


def overlaps(start: int, end: int, spans, tolerance: int = 3) -> bool:
    return any(start - tolerance <= b and end + tolerance >= a for a, b, *_ in spans)


def test_detect_jsonl_prints_each_fade_dissolve_and_wipe_once_it_has_ended(gradual_clip):
    path, footage = gradual_clip
    result = run_cli("detect", path, "--jsonl")
    assert result.returncode == 0, result.stderr
    events = [validate(e) for e in jsonl_events(result.stdout)]
    found = [e for e in events if e["type"] == "transition"]
    assert len(found) == len(footage.transitions), found
    for e, (start, end, kind) in zip(found, footage.transitions):
        assert abs(e["start"] - start) <= 3 and abs(e["end"] - end) <= 3 and e["kind"] == kind, (e, start, end)
        assert e["time"] == pytest.approx(e["start"] / RATE) and e["end_time"] == pytest.approx(e["end"] / RATE)
    # Every cut is one of the joins, or the same change as a transition, which names it (scene lists keep the transition).
    for cut in (e["frame"] for e in events if e["type"] == "cut"):
        assert cut in footage.cuts or overlaps(cut, cut, footage.transitions), cut
    sent = []
    for e in events:
        sent += [e["frame"]] if e["type"] == "cut" else []
        if e["type"] == "transition":
            assert e["cuts"] == [f for f in sent if e["start"] <= f <= e["end"] + 2], (e, sent)


@pytest.mark.parametrize("seed", [0, 8])
def test_the_demo_streams_fades_are_transitions_and_nothing_else_is(seed):
    """The demo cartoon's fades to black, and none of its cuts into shaking, zooming shots, flashes or short shots."""
    labels = demo_labels(DemoConfig(seed=seed))
    assert labels["gradual"]  # these seeds' shot plans have fades
    events = list(Pipeline([open_source(f"demo://?seed={seed}")]).run())
    found = [e for e in events if isinstance(e, TransitionEvent)]
    assert len(found) == len(labels["gradual"]) and [e.kind for e in found] == ["fade"] * len(found)
    for e, (a, b) in zip(found, labels["gradual"]):
        assert overlaps(e.start, e.end, [(a, b)]), (e, a, b)


def test_transitions_can_be_turned_off(gradual_clip):
    path, _ = gradual_clip
    events = list(Pipeline([open_source(str(path))], PipelineConfig(transitions=None)).run())
    assert not [e for e in events if isinstance(e, TransitionEvent)] and [e for e in events if isinstance(e, CutEvent)]


def test_a_cut_that_ends_a_fade_goes_out_at_once_and_the_fade_names_it(tmp_path):
    """A fade to black straight into the next shot: the cut is sent when it is decided, the fade once it has
    ended; the fade lists the cut, and the scene list counts the change once, at the fade's middle."""
    footage = fade((0, 0, 0), length=12, hold=0, shot=60, fade_in=False, seed=2, size=128)
    path = tmp_path / "fade_cut.mp4"
    write_clip(path, footage, RATE)
    events = list(Pipeline([open_source(str(path))]).run())
    cuts = [e for e in events if isinstance(e, CutEvent)]
    (fade_event,) = [e for e in events if isinstance(e, TransitionEvent)]
    (held,) = [c for c in cuts if abs(c.frame - footage.cuts[0]) <= 1]
    assert events.index(held) < events.index(fade_event) and fade_event.cuts == [held.frame]
    scenes = scenes_from_cuts([(c.frame, c.time) for c in cuts], len(footage.frames), len(footage.frames) / RATE, [fade_event])
    assert [s.start_frame for s in scenes] == [0, fade_event.middle]
