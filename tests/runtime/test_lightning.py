"""Lightning inside shots, end to end: generated H.264 clips through PyAV, the bundled model and the scorer. Flashes of
light longer than the flash guard's two frames (whole frame or the sky more than the ground, flickering) are the same
picture under another light (``rules.Veil``): no cut as they come or as they go, and every real cut still found."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from gradual import Footage, cut, join, write_clip

from reprocut.stream.core.rules import VeilConfig
from reprocut.stream.runtime.pipeline import Pipeline, PipelineConfig
from reprocut.stream.sinks.base import feed
from reprocut.stream.sinks.files.scene_files import SceneList
from reprocut.stream.sources import open_source

RATE = 24
FLASHES = [(20, (0.6, 0.35, 0.55)), (60, (0.7, 0.5, 0.65, 0.3)), (100, (0.5, 0.6, 0.4, 0.55, 0.3, 0.45))]  # start, amounts


def stormy() -> Footage:
    """Three cuts between drifting shots of 40 frames; in each shot after the first, lightning of 3-6 frames, each
    frame its own amount: over the whole frame in the first, fading down from the top in the others."""
    footage = join(cut(seed=21, size=128), cut(seed=23, size=128))
    px = footage.frames.astype(np.float32)
    sky = np.clip(1.3 - 1.6 * np.arange(128) / 128, 0, 1)[:, None, None]
    for n, (start, amounts) in enumerate(FLASHES):
        for k, amount in enumerate(amounts):
            px[start + k] += amount * (sky if n else 1.0) * (255 - px[start + k])
    return Footage(np.clip(px, 0, 255).round().astype(np.uint8), footage.cuts, [])


def cuts_found(path, config: PipelineConfig | None = None) -> list[int]:
    scenes = SceneList()
    feed(Pipeline([open_source(str(path))], config).run(), [scenes])
    return [c.frame for c in scenes.cuts]


def test_lightning_makes_no_cut_and_hides_none(tmp_path):
    footage = stormy()
    path = tmp_path / "storm.mp4"
    write_clip(path, footage, RATE)
    assert footage.cuts == [40, 80, 120] and all(s + len(a) < c - 2 for (s, a), c in zip(FLASHES, [40, 80, 120]))
    assert cuts_found(path) == footage.cuts
    without = PipelineConfig(transitions=None)
    without.scorer = replace(without.scorer, veil=VeilConfig(rest=0.0))
    assert set(cuts_found(path, without)) > set(footage.cuts)  # without the rule, the flashes make cuts
