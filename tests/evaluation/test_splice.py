"""Spliced edits: which stretches of a labelled clip are safe to take, the plans, the frames and the files written."""

from __future__ import annotations

import json

import numpy as np
import pytest
from reprocut.stream.evaluation.labels import Labels, load_labels
from reprocut.stream.evaluation.splice import (
    Edit,
    Join,
    Segment,
    SpliceConfig,
    pieces,
    plan_edit,
    render,
    rng_for,
)
from reprocut.stream.evaluation.splice_files import read_frames, splice_dataset

# 600 frames: shots 0-99, 100-249, 250-279 (then a dissolve 280-299), 300-449 with an optional boundary at 380 and a
# flash at 400-404, 450-599 with a dont_care span 500-510.
LABELS = Labels("clip", "clip.json", "clip.mp4", cuts=(100, 250, 450), gradual=((280, 299),), optional=(380,),
                dont_care=((500, 510),), hard_negatives=((400, 404, "flash"),), frames=600, family="animation")
CFG = SpliceConfig(splice=1, segments=30, transition_share=0.5)


def test_pieces_stay_inside_one_shot_and_clear_of_every_labelled_boundary_and_span():
    safe = pieces(LABELS, 600, margin=3, min_segment=4)
    assert [(p.shot, p.first, p.last) for p in safe] == [
        (0, 0, 96), (1, 103, 246), (2, 253, 276), (3, 303, 376), (3, 383, 396), (3, 408, 446), (4, 453, 496), (4, 514, 599)]
    # the optional boundary 380 does not split shot 3: its two sides are never put next to each other


def test_a_clip_with_one_shot_cannot_be_spliced():
    one = Labels("one", "one.json", "one.mp4", cuts=(), hard_negatives=((40, 45, "flash"),))
    safe = pieces(one, 100, margin=3, min_segment=4)
    assert {p.shot for p in safe} == {0} and len(safe) == 2
    with pytest.raises(ValueError):
        plan_edit(safe, CFG, rng_for(0, "one", 0))


def plans(n: int = 40) -> list[Edit]:
    safe = pieces(LABELS, 600, CFG.margin, CFG.min_segment)
    return [plan_edit(safe, CFG, rng_for(seed, "clip", 0)) for seed in range(n)]


def test_never_two_segments_of_one_shot_in_a_row_and_every_frame_from_a_safe_piece():
    safe = pieces(LABELS, 600, CFG.margin, CFG.min_segment)
    for edit in plans():
        shots = [s.shot for s in edit.segments]
        assert all(a != b for a, b in zip(shots, shots[1:])), shots
        for s in edit.segments:
            assert CFG.min_segment <= s.length <= CFG.max_segment
            assert any(p.shot == s.shot and p.first <= s.first - s.lead and s.last + s.tail <= p.last for p in safe), s


FRAMES = np.random.default_rng(0).integers(0, 256, (600, 4, 64, 3), dtype=np.uint8)  # each source frame unlike any other
WHICH = {f.tobytes(): i for i, f in enumerate(FRAMES)}


def shot_of(index: int) -> int:
    """The labelled shot a source frame of LABELS belongs to."""
    return shot(LABELS, index)


def test_the_labels_of_an_edit_say_what_its_frames_show():
    kinds = set()
    edits = plans()
    for edit in edits:
        shown = [WHICH.get(f.tobytes()) for f in render(edit, FRAMES.__getitem__)]  # None: a generated frame
        assert len(shown) == edit.frames
        assert len(edit.cuts) + len(edit.gradual) == len(edit.joins) == len(edit.segments) - 1
        generated = {k for a, b in edit.gradual for k in range(a, b + 1)}
        assert {k for k, i in enumerate(shown) if i is None} == generated  # transitions are exactly the gradual spans
        for a, b in edit.gradual:
            assert CFG.min_transition <= b - a + 1 <= CFG.max_transition
            assert shot_of(shown[a - 1]) != shot_of(shown[b + 1])
        for k in range(1, len(shown)):
            if shown[k] is not None and shown[k - 1] is not None:
                # a labelled cut jumps to another shot; everywhere else the source plays on frame by frame
                assert (shot_of(shown[k]) != shot_of(shown[k - 1])) if k in edit.cuts else shown[k] == shown[k - 1] + 1, k
        kinds.update(j.kind for j in edit.joins)
    assert kinds == {"cut", "fade to black", "fade to colour", "dissolve", "wipe"}
    share = sum(len(e.gradual) for e in edits) / sum(len(e.joins) for e in edits)
    assert 0.4 < share < 0.6  # half the joins are drawn as transitions (one that cannot fit would stay a cut)


def test_the_same_seed_plans_the_same_edit_whatever_else_the_dataset_holds():
    safe = pieces(LABELS, 600, CFG.margin, CFG.min_segment)
    a, b = (plan_edit(safe, CFG, rng_for(7, "clip", 2)) for _ in range(2))
    assert (a.segments, a.joins) == (b.segments, b.joins)
    assert plan_edit(safe, CFG, rng_for(8, "clip", 2)).segments != a.segments
    assert plan_edit(safe, CFG, rng_for(7, "clip", 3)).segments != a.segments


def numbered(index: int) -> np.ndarray:
    """A 4x6 frame that says which source frame it is."""
    return np.broadcast_to(np.array([index % 256, index // 256, 128], np.uint8), (4, 6, 3)).copy()


def index_of(img: np.ndarray) -> int | None:
    first = img[0, 0]
    same = (img == first).all() and first[2] == 128
    return int(first[0]) + 256 * int(first[1]) if same else None


def test_render_shows_each_segment_whole_and_generates_each_transition_between_them():
    edit = Edit([Segment(0, 10, 19, tail=4), Segment(1, 110, 119, lead=4, tail=6), Segment(2, 210, 214, lead=6),
                 Segment(0, 30, 35)],
                [Join("fade to black", 8), Join("dissolve", 6), Join()])
    frames = list(render(edit, FRAMES.__getitem__))
    assert len(frames) == edit.frames == 10 + 8 + 10 + 6 + 5 + 6
    assert edit.gradual == [(10, 17), (28, 33)] and edit.cuts == [39]
    shown = [WHICH.get(f.tobytes()) for f in frames]
    assert shown[:10] == list(range(10, 20)) and shown[18:28] == list(range(110, 120))
    assert shown[34:39] == list(range(210, 215)) and shown[39:] == list(range(30, 36))
    assert all(s is None for s in shown[10:18] + shown[28:34])  # generated, none a copy of a source frame
    assert frames[13].max() == 0  # the fade reaches black on its last outgoing frame, from the 4 after segment 0
    assert np.array_equal(frames[10], np.rint(FRAMES[20] * 0.75).astype(np.uint8))
    assert np.array_equal(frames[14], np.rint(FRAMES[106] * 0.2).astype(np.uint8))  # then back from the 4 before segment 1
    # the dissolve: the 6 frames after segment 1 under the 6 before segment 2, the first mostly the former
    assert np.array_equal(frames[28], np.rint(FRAMES[120] * (6 / 7) + FRAMES[204] * (1 / 7)).astype(np.uint8))


def test_a_wipe_shows_both_shots_split_by_an_edge_that_crosses_the_picture():
    edit = Edit([Segment(0, 10, 13, tail=5), Segment(1, 60, 63, lead=5)], [Join("wipe", 5, direction="right")])
    frames = list(render(edit, numbered))[4:9]
    for k, f in enumerate(frames):  # the outgoing frame 14+k on the right, the incoming 55+k on the left of the edge
        edge = int((f[0, :, 0] == 55 + k).sum())
        assert (f[:, :edge, 0] == 55 + k).all() and (f[:, edge:, 0] == 14 + k).all()
        assert edge == round(6 * (k + 1) / 6)


def shot(labels: Labels, index: int) -> int:
    return sum(c <= index for c in labels.cuts) + sum(b < index for _, b in labels.gradual)


@pytest.fixture(scope="module")
def spliced(clip_factory, tmp_path_factory):
    """Two edits of a generated cartoon (cuts, fades and flashes at known frames), written as a dataset folder."""
    path, _ = clip_factory("splice-src", frames=200, seed=5, width=160, height=90)
    labels = load_labels(str(path.with_suffix(".json")), video=str(path))
    folder = tmp_path_factory.mktemp("spliced")
    cfg = SpliceConfig(splice=2, seed=4, segments=8, transition_share=0.4, max_side=160)
    return labels, cfg, splice_dataset([labels], cfg, str(folder)), folder


def test_written_edits_decode_to_the_planned_frames_at_the_labelled_numbers(spliced):
    labels, cfg, written, folder = spliced
    assert [lab.name for lab in written.labels] == ["splice-src-s4-1", "splice-src-s4-2"]
    source, fps = read_frames(labels.clip, set(range(200)), cfg.max_side)
    assert source[0].shape == (90, 160, 3) and fps == pytest.approx(24.0)
    small = np.stack([source[i][::3, ::3] for i in range(200)]).astype(np.float32)

    def nearest(img: np.ndarray) -> int:
        return int(np.abs(small - img[::3, ::3]).mean(axis=(1, 2, 3)).argmin())

    for i, lab in enumerate(written.labels):
        edit = plan_edit(pieces(labels, 200, cfg.margin, cfg.min_segment), cfg, rng_for(cfg.seed, labels.name, i))
        assert (list(lab.cuts), [list(g) for g in lab.gradual], lab.family) == (edit.cuts, [list(g) for g in edit.gradual],
                                                                                 labels.family)
        planned = [f.astype(float) for f in render(edit, source.__getitem__)]
        decoded, _ = read_frames(lab.clip, set(range(edit.frames)), cfg.max_side)
        assert len(decoded) == lab.frames == edit.frames
        assert max(np.abs(decoded[k] - planned[k]).mean() for k in range(edit.frames)) < 8  # x264 noise aside
        for c in lab.cuts:  # the source shot each frame around a labelled cut shows, told by the nearest source frame
            before2, before, after, after2 = (shot(labels, nearest(decoded[k])) for k in (c - 2, c - 1, c, c + 1))
            assert before2 == before != after == after2, c  # a label one frame off would put the change elsewhere
        meta = json.loads((folder / "labels" / f"{lab.name}.json").read_text())
        assert meta["source"]["spliced_from"] == labels.name and meta["source"]["seed"] == cfg.seed
        assert written.sources[lab.name] == labels.name


def test_flat_frames_are_left_out_like_a_labelled_span_without_splitting_their_shot():
    flat = np.zeros(600, bool)
    flat[150:161] = True  # a black stretch inside shot 1: a cut from it or to it would cut from no picture
    safe = pieces(LABELS, 600, margin=3, min_segment=4, flat=flat)
    assert [(p.shot, p.first, p.last) for p in safe][1:3] == [(1, 103, 149), (1, 161, 246)]
    assert pieces(LABELS, 600, 3, 4, np.ones(600, bool)) == []
