"""Gradual transitions end to end: generated H.264 clips through PyAV, the bundled model, the scorer and the
transition detector, as ``reprocut detect --jsonl`` prints them and as the pipeline yields them."""

from __future__ import annotations

import numpy as np
import pytest
from gradual import Footage, camera, dissolve, fade, join, wipe, write_clip
from helpers import jsonl_events, read_labels, run_cli, validate
from reprocut.stream.core.events import CutEvent, TransitionEvent
from reprocut.stream.core.scenes import scenes_from_cuts
from reprocut.stream.sinks.base import feed
from reprocut.stream.sinks.files.scene_files import SceneList
from reprocut.stream.cli.main import _load_commands, build_parser
from reprocut.stream.cli.pipeline_options import pipeline_config
from reprocut.stream.core.transitions import TransitionConfig
from reprocut.stream.runtime.pipeline import Pipeline
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


def detect_jsonl(path, *options: str) -> list[dict]:
    result = run_cli("detect", path, "--jsonl", *options)
    assert result.returncode == 0, result.stderr
    return [validate(e) for e in jsonl_events(result.stdout)]


@pytest.fixture(scope="module")
def gradual_events(gradual_clip) -> list[dict]:
    return detect_jsonl(gradual_clip[0])


def test_detect_jsonl_prints_each_fade_dissolve_and_wipe_once_it_has_ended(gradual_clip, gradual_events):
    _, footage = gradual_clip
    events = gradual_events
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


def test_each_fade_dissolve_and_wipe_is_one_scene_boundary_and_every_join_another(gradual_clip):
    """Transitions that hold no cut are one boundary each, at their middle frame; the hard cuts that join the parts
    are boundaries of their own."""
    path, footage = gradual_clip
    found = scene_list(path)
    starts = [s.start_frame for s in found.scenes()][1:]
    assert len(starts) == len(footage.cuts) + len(footage.transitions), (starts, footage.cuts, footage.transitions)
    assert all(not t.cuts and t.middle in starts for t in found.transitions)
    assert all(any(abs(c - s) <= 1 for s in starts) for c in footage.cuts)


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


def test_a_fast_pan_that_brings_new_things_in_from_a_side_is_no_wipe():
    """The demo cartoon's seed 3 pans across flat colour (frames 70-119): new shapes come in from one side as the old
    ones leave by the other, so its frames are pieces of its first and last pictures and switch along a direction,
    as a wipe's do; but what stays of the old picture has moved, and no edge splits the frames into the two."""
    labels = demo_labels(DemoConfig(seed=3))
    assert not labels["gradual"]
    events = list(Pipeline([open_source("demo://?seed=3")]).run())
    assert [e for e in events if isinstance(e, TransitionEvent)] == []


def test_animals_moving_close_to_the_lens_make_no_transition():
    """The wildlife documentary's labelled hard negatives: birds taking off across the frame, a marmot lifting its head
    into the picture (its pixels switch once, along the edge of the rising head, as a wipe's do; but half-way up they
    are neither the picture before nor the one after: its parts arrive from elsewhere), a koala turning its head."""
    path, labels = read_labels("wildlife_documentary")
    events = list(Pipeline([open_source(str(path))]).run())
    found = [(e.start, e.end, e.kind) for e in events if isinstance(e, TransitionEvent)]
    for first, last, what in labels["hard_negatives"]:
        assert not overlaps(first, last, found), (what, found)


@pytest.mark.parametrize("command", [["detect"], ["serve", "a.mp4"], ["eval"], ["batch", "a.mp4", "--out", "o"],
                                     ["split", "a.mp4", "--out", "o"]])
def test_no_transitions_is_an_option_of_every_command_that_detects(command):
    def parse(*argv: str):
        return pipeline_config(build_parser(_load_commands(), argv[0]).parse_args(list(argv)))

    assert parse(*command).transitions == TransitionConfig() and parse(*command, "--no-transitions").transitions is None


def test_without_transitions_the_cut_events_are_the_same(gradual_clip, gradual_events):
    """Cuts never wait for transitions nor depend on them: turned off, only the transition lines go."""
    def cuts(events: list[dict]) -> list[dict]:
        return [{k: v for k, v in e.items() if k != "wall"} for e in events if e["type"] == "cut"]

    events = detect_jsonl(gradual_clip[0], "--no-transitions")
    assert not [e for e in events if e["type"] == "transition"] and [e for e in gradual_events if e["type"] == "transition"]
    assert cuts(events) == cuts(gradual_events) and cuts(events)


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
    assert [s.start_frame for s in scenes] == [0, held.frame]  # where the picture switches, not the fade's middle
    assert held.frame != fade_event.middle


def scene_list(path) -> SceneList:
    found = SceneList()
    feed(Pipeline([open_source(str(path))]).run(), [found])
    return found


def test_cuts_five_frames_apart_are_three_scenes_not_one_dissolve(tmp_path):
    """A dense edit: a still shot, two fast pans of five frames each, another still shot. Three cuts so close, with
    that much motion between them, look like one burst to the transition detector; a dissolve cannot hold two hard
    cuts, so the cuts go out as they are, no transition does, and the scene list keeps both short shots."""
    footage = join(camera("walk", 60, seed=1, size=128), camera("pan", 5, seed=2, size=128),
                   camera("pan", 5, seed=3, size=128), camera("walk", 60, seed=4, size=128))
    write_clip(tmp_path / "dense.mp4", footage, RATE)
    found = scene_list(tmp_path / "dense.mp4")
    assert [c.frame for c in found.cuts] == footage.cuts == [60, 65, 70] and not found.transitions
    assert [s.start_frame for s in found.scenes()] == [0, 60, 65, 70]


def blurred(frames: np.ndarray, radius: int) -> np.ndarray:
    """Each frame smeared sideways by a box of ``2 * radius + 1`` pixels (motion blur)."""
    padded = np.pad(frames.astype(np.float32), ((0, 0), (0, 0), (radius + 1, radius), (0, 0)), mode="edge")
    sums = np.cumsum(padded, axis=2)
    return (sums[:, :, 2 * radius + 1:] - sums[:, :, : -2 * radius - 1]) / (2 * radius + 1)


def test_a_flash_transition_whose_switch_is_a_cut_is_one_scene_boundary_at_that_cut(tmp_path):
    """Anime's blur-and-flash transition: the outgoing shot smears and whitens over three frames, the incoming one
    comes out of it. The scorer calls its switch of picture a cut, the detector the span a transition that holds
    it: one change of scene, at the switch."""
    a, b = (camera("walk", 43, seed=seed, size=128).frames for seed in (0, 1))
    smear = [0.7 * blurred(f[None], r) + 0.3 * 255 for f, r in zip([a[40], a[41], a[42], b[0], b[1], b[2]], (12, 32, 64, 64, 32, 12))]
    footage = Footage(np.concatenate([a[:40], *smear, b[3:]]).clip(0, 255).astype(np.uint8), [43], [(40, 45, "dissolve")])
    write_clip(tmp_path / "flash.mp4", footage, RATE)
    found = scene_list(tmp_path / "flash.mp4")
    (t,) = found.transitions
    assert [c.frame for c in found.cuts] == t.cuts == [43] and t.start <= 40 and t.end >= 45
    assert [s.start_frame for s in found.scenes()] == [0, 43]


def test_a_three_second_dissolve_between_look_alike_still_shots_is_one_scene_boundary(tmp_path):
    """A slow dissolve between two still shots of one place, through H.264 and the bundled model: each frame changes
    by less than the noise, so no cut fires, and a window of 4/3 s inside it sees less than a cut's worth of change;
    the longest window finds it, and the scene list starts the next scene inside it."""
    footage = dissolve(3 * RATE, shot=2 * RATE, seed=11, size=128, pan=(0.0, 0.0), alike=0.5)
    path = tmp_path / "slow_dissolve.mp4"
    write_clip(path, footage, RATE)
    events = detect_jsonl(path)
    ((start, end, kind),) = footage.transitions
    found = [e for e in events if e["type"] == "transition"]
    assert [e["kind"] for e in found] == [kind] and [e for e in events if e["type"] == "cut"] == []
    assert found[0]["start"] <= end + 3 and found[0]["end"] >= start - 3 and found[0]["end"] - found[0]["start"] >= RATE
    starts = [s.start_frame for s in scene_list(path).scenes()][1:]
    assert len(starts) == 1 and start <= starts[0] <= end
