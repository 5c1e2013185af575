"""Dim and washed-out footage end to end: generated H.264 clips through PyAV, the bundled model, the scorer and the
transition detector. A clip at 30% of full scale, or between a raised black and a lowered white, is found as the
same clip well exposed (``core/levels.py``), and a well-exposed clip is decided exactly as without levels."""

from __future__ import annotations

import numpy as np
import pytest
from gradual import Footage, cut, dissolve, fade, join, wipe, write_clip

from reprocut.stream.runtime.pipeline import Pipeline, PipelineConfig
from reprocut.stream.sinks.base import feed
from reprocut.stream.sinks.files.scene_files import SceneList
from reprocut.stream.sources import open_source

RATE = 24


def edit() -> Footage:
    """Cuts between drifting shots, a dissolve, a wipe and a fade through black."""
    return join(cut(seed=11, size=128), dissolve(16, seed=3, size=128), wipe(20, seed=5, size=128),
                fade((0, 0, 0), length=16, seed=1, size=128), cut(seed=13, size=128), cut(seed=15, size=128))


def found(path, config: PipelineConfig | None = None) -> tuple[list[int], list[tuple[int, int, str]]]:
    scenes = SceneList()
    feed(Pipeline([open_source(str(path))], config).run(), [scenes])
    return [c.frame for c in scenes.cuts], [(t.start, t.end, t.kind) for t in scenes.transitions]


LOOKS = {"dim": lambda x: x * 0.3, "washed out": lambda x: 80 + x * 95 / 255}  # each 30% of full scale at most


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dim")
    footage = edit()
    paths = {"well exposed": folder / "bright.mp4"}
    write_clip(paths["well exposed"], footage, RATE)
    for look, change in LOOKS.items():
        paths[look] = folder / f"{look.replace(' ', '_')}.mp4"
        write_clip(paths[look], Footage(change(footage.frames.astype(float)).round().astype(np.uint8), [], []), RATE)
    return footage, paths


@pytest.mark.parametrize("look", LOOKS)
def test_a_clip_in_a_third_of_the_scale_gives_the_cuts_and_transitions_of_the_clip_well_exposed(clips, look):
    footage, paths = clips
    bright = paths["well exposed"]
    cuts, transitions = found(paths[look])
    assert cuts == footage.cuts
    assert [k for *_, k in transitions] == [k for *_, k in footage.transitions]  # the dissolve and the wipe too
    for (start, end, _), (s, e, _) in zip(transitions, footage.transitions):
        assert abs(start - s) <= 3 and abs(end - e) <= 3
    assert (cuts, [k for *_, k in transitions]) == (found(bright)[0], [k for *_, k in found(bright)[1]])


def test_well_exposed_footage_is_decided_as_without_levels(clips):
    bright = clips[1]["well exposed"]
    assert found(bright) == found(bright, PipelineConfig(levels=None))
