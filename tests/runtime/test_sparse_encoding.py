"""Files encode only the frames near a visible change, and find the same cuts and transitions as encoding all.

A faint frame (its pixels change by less than ``min_pix``) is never a cut, so its KL only serves as
a candidate's neighbourhood; the pipeline holds back the frames that tell which frames that is, so
what gets encoded depends on the file alone; the scorer never reads the KL of a frame a file may leave out (its
noise is measured on frames that changed visibly), so the cuts are the same. Real footage from ``../shared/eval``
(calm 3D animation, a slideshow with fades, a dense fan edit, a documentary whose calm shots once moved its
threshold) and a generated clip.
"""

from __future__ import annotations

import pytest
from helpers import read_labels
from reprocut.stream.evaluation.runner import detect_clip, detect_clip_each
from reprocut.stream.runtime.encoder import Encoder, EncoderConfig
from reprocut.stream.runtime.pipeline import PipelineConfig
from reprocut.stream.sources import SourceConfig


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder(EncoderConfig())


def changes(run) -> tuple[list[int], list[tuple[int, int, str]]]:
    return [c.frame for c in run.cuts], [(t.start, t.end, t.kind) for t in run.transitions]


@pytest.mark.parametrize("name, most", [("big_buck_bunny_0_30", 0.3), ("testvideo", 0.3),
                                        ("vinlandsaga_thorfinn_edit_vertical", None), ("wildlife_documentary", 0.6)])
def test_same_cuts_and_transitions_as_encoding_every_frame(name, most, encoder):
    path, labels = read_labels(name)
    sparse, every = detect_clip_each(str(path), [PipelineConfig(), PipelineConfig(every_frame=True)], encoder)
    assert changes(sparse) == changes(every) and (sparse.cuts or sparse.transitions)
    assert sparse.frames == every.frames == labels["frames"]
    if most is not None:  # calm footage: most frames decide nothing (a fan edit changes nearly every frame)
        assert sparse.encoded <= most * sparse.frames


def test_demo_clip_same_cuts_as_encoding_every_frame(clip_factory, encoder):
    path, labels = clip_factory("seed3", frames=240, seed=3)
    sparse, every = detect_clip_each(str(path), [PipelineConfig(), PipelineConfig(every_frame=True)], encoder)
    assert changes(sparse) == changes(every) and [c.frame for c in sparse.cuts] == labels["cuts"]


def test_what_is_encoded_depends_on_the_file_not_on_batch_boundaries(encoder):
    path, _ = read_labels("big_buck_bunny_0_30")
    runs = [detect_clip(str(path), PipelineConfig(batch=batch), encoder) for batch in (16, 64)]
    assert [(c.frame, c.score, c.threshold) for c in runs[0].cuts] == [(c.frame, c.score, c.threshold) for c in runs[1].cuts]
    assert runs[0].encoded == runs[1].encoded < runs[0].frames


def test_a_file_paced_in_real_time_encodes_every_frame_and_holds_none_back(clip_factory, encoder):
    """``--realtime`` rehearses a live run: its cuts must not wait for the frames that settle what to encode."""
    path, labels = clip_factory("paced", frames=72, seed=3)
    fast = detect_clip(str(path), PipelineConfig(), encoder)
    paced = detect_clip(str(path), PipelineConfig(), encoder, source_config=SourceConfig(realtime=True))
    assert paced.encoded == paced.frames == 72 > fast.encoded
    assert [c.frame for c in paced.cuts] == [c.frame for c in fast.cuts] == [c for c in labels["cuts"] if c < 72]


@pytest.mark.parametrize("last", range(3, 14))
def test_a_cut_among_a_file_s_last_frames_is_decided_as_encoding_every_frame(cut_clip, encoder, last):
    """The frames held back at a file's end (for unblending and for the encode plan) are judged with those after them."""
    path, written = cut_clip(f"last{last}", cuts=[30, 72 - last], frames=72)
    sparse, every = detect_clip_each(str(path), [PipelineConfig(), PipelineConfig(every_frame=True)], encoder)
    assert changes(sparse) == changes(every) and [c.frame for c in sparse.cuts] == written["cuts"]
    assert sparse.encoded < sparse.frames == 72
