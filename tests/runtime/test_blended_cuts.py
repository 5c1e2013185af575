"""Cuts blended over two frames, end to end: generated H.264 clips through PyAV, the bundled model, the scorer and the
transition detector. Interlaced footage decoded without deinterlacing (each frame's second field from the next picture)
and an edit converted to twice its frame rate by blending give the cuts and transitions of the edit itself, once each
(``core/unblend.py``); footage without blends is decided exactly as without unblending."""

from __future__ import annotations

import numpy as np
import pytest
from gradual import Footage, cut, dissolve, fade, join, wipe, write_clip

from reprocut.stream.cli.main import _load_commands, build_parser
from reprocut.stream.cli.pipeline_options import pipeline_config
from reprocut.stream.core.unblend import UnblendConfig
from reprocut.stream.runtime.pipeline import Pipeline, PipelineConfig
from reprocut.stream.sinks.base import feed
from reprocut.stream.sinks.files.scene_files import SceneList
from reprocut.stream.sources import open_source

RATE = 24


def edit() -> Footage:
    """Cuts between drifting shots, a dissolve, a wipe and a fade through black."""
    return join(cut(seed=11, size=128), dissolve(16, seed=3, size=128), wipe(20, seed=5, size=128),
                fade((0, 0, 0), length=16, seed=1, size=128), cut(seed=13, size=128), cut(seed=15, size=128))


def interlaced(f: Footage) -> tuple[Footage, int]:
    """Each frame's odd rows from the next frame: the frame before each cut holds both shots, one field each."""
    px = f.frames.copy()
    px[:-1, 1::2] = f.frames[1:, 1::2]
    return Footage(px, f.cuts, f.transitions), RATE


def doubled(f: Footage) -> tuple[Footage, int]:
    """Twice the frame rate, every other frame the mean of its neighbours: a cut's first frame of the new shot at
    ``2c`` follows a frame that holds both shots."""
    px = f.frames.astype(np.uint16)
    mean = ((px[:-1] + px[1:] + 1) // 2).astype(np.uint8)
    out = np.empty((2 * len(px) - 1, *px.shape[1:]), np.uint8)
    out[0::2], out[1::2] = f.frames, mean
    return Footage(out, [2 * c for c in f.cuts], [(2 * s, 2 * e, k) for s, e, k in f.transitions]), 2 * RATE


def found(path, config: PipelineConfig | None = None) -> tuple[list[int], list[tuple[int, int, str]]]:
    scenes = SceneList()
    feed(Pipeline([open_source(str(path))], config).run(), [scenes])
    return [c.frame for c in scenes.cuts], [(t.start, t.end, t.kind) for t in scenes.transitions]


def dense() -> Footage:
    """Sixteen shots of eight frames (a third of a second): a fan edit's pace, where half a change is lost among cuts."""
    return join(*[cut(shot=8, seed=10 * k, size=128) for k in range(8)])


LOOKS = {"interlaced": interlaced, "doubled": doubled}


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("blended")
    made = {}
    for name, footage in (("edit", edit()), ("dense", dense())):
        made[name] = footage, RATE
        made |= {f"{name} {look}": change(footage) for look, change in LOOKS.items()}
    paths = {name: folder / f"{name.replace(' ', '_')}.mp4" for name in made}
    for name, (footage, rate) in made.items():
        write_clip(paths[name], footage, rate)
    return {name: footage for name, (footage, _) in made.items()}, paths


def once(cuts: list[int], truth: list[int]) -> bool:
    """Each labelled cut found once, on the blend or the frame after it, and nothing else."""
    return len(cuts) == len(truth) and all(abs(c - t) <= 1 for c, t in zip(cuts, truth))


@pytest.mark.parametrize("look", LOOKS)
def test_each_blended_cut_is_found_once_with_the_edit_s_transitions(clips, look):
    made, paths = clips
    footage = made[f"edit {look}"]
    cuts, transitions = found(paths[f"edit {look}"])
    assert once(cuts, footage.cuts), (cuts, footage.cuts)
    assert [k for *_, k in transitions] == [k for *_, k in footage.transitions]
    for (start, end, _), (s, e, _) in zip(transitions, footage.transitions):
        assert abs(start - s) <= 3 and abs(end - e) <= 3


@pytest.mark.parametrize("look", LOOKS)
def test_a_dense_edit_keeps_every_blended_cut(clips, look):
    made, paths = clips
    truth = made[f"dense {look}"].cuts
    assert once(found(paths[f"dense {look}"])[0], truth)
    assert not once(found(paths[f"dense {look}"], PipelineConfig(unblend=None))[0], truth)  # the halves alone do not


@pytest.mark.parametrize("name", ["edit", "dense"])
def test_footage_without_blends_is_decided_as_without_unblending(clips, name):
    made, paths = clips
    assert found(paths[name]) == found(paths[name], PipelineConfig(unblend=None))
    assert found(paths[name])[0] == made[name].cuts


@pytest.mark.parametrize("command", [["detect", "a.mp4"], ["serve", "a.mp4"]])
def test_no_unblend_is_an_option_of_the_commands_that_run_live(command):
    """For a progressive live source the wait is two frames of latency for nothing: ``--no-unblend`` drops it."""
    def parse(*argv: str):
        return pipeline_config(build_parser(_load_commands(), argv[0]).parse_args(list(argv)))

    assert parse(*command).unblend == UnblendConfig() and parse(*command, "--no-unblend").unblend is None
    assert parse("eval").unblend == UnblendConfig()  # files scored for figures: always
