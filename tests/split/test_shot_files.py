"""One file per scene: re-encoded files hold exactly their scenes (frames, timestamps, audio); copies hold whole GOPs."""

import json
import math

import av
import numpy as np
import pytest
from helpers import decode_audio, decode_frames, tone
from reprocut.stream.core.scenes import scenes_from_cuts
from reprocut.stream.split.run import MANIFEST, split_video
from reprocut.stream.split.shots import SplitConfig

CLIPS = {  # name -> write_cut_clip options
    "cfr_audio": {"cuts": [10, 25], "frames": 40, "audio_rate": 48000},
    "vfr_audio": {"cuts": [7, 20, 21], "frames": 36, "vfr": True, "audio_rate": 44100},
    "odd_size": {"cuts": [9, 30], "frames": 40, "size": (161, 91)},
    "pcm_mkv": {"cuts": [12, 20], "frames": 32, "audio_rate": 22050, "pcm": True, "ext": ".mkv"},  # packed, unnamed layout
}


def scenes_of(meta: dict):
    times = meta["times"]
    return scenes_from_cuts([(c, times[c]) for c in meta["cuts"]], meta["frames"], times[-1] + 1 / meta["rate"])


def nearest(frame: np.ndarray, candidates: list[np.ndarray]) -> int:
    """Which of ``candidates`` ``frame`` is closest to (mean absolute difference)."""
    return int(np.argmin([np.abs(frame.astype(int) - c).mean() for c in candidates]))


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.abs(np.fft.rfft(samples)).argmax()])


def left_in(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("name", CLIPS)
def test_encoded_files_hold_exactly_their_scenes(cut_clip, tmp_path, name):
    src, meta = cut_clip(name, **CLIPS[name])
    source_frames, source_times = decode_frames(src)
    scenes = scenes_of(meta)
    manifest = split_video(str(src), scenes, SplitConfig(out=str(tmp_path)))
    files = manifest["files"]
    assert manifest["frame_exact"] and len(files) == len(scenes)
    assert left_in(tmp_path) == sorted([f["file"] for f in files] + [MANIFEST])  # no temporary file left
    with av.open(str(src)) as c:
        size, pix_fmt = (c.streams.video[0].width, c.streams.video[0].height), c.streams.video[0].format.name
        channels = c.streams.audio[0].channels if c.streams.audio else 0
    total = 0
    for f, scene in zip(files, scenes):
        s, e = scene.start_frame, scene.end_frame
        assert f"scene{f['scene']:03d}" in f["file"] and f"frame{s:06d}" in f["file"]
        frames, times = decode_frames(tmp_path / f["file"])
        assert len(frames) == e - s == f["frames"]
        total += len(frames)
        # the first and last frames are the scene's, not a neighbour's (within the codec's loss)
        assert nearest(frames[0], source_frames[max(s - 1, 0) : s + 2]) == min(s, 1)
        assert nearest(frames[-1], source_frames[e - 2 : e + 1]) == 1
        assert all(np.abs(a.astype(int) - b).mean() < 3 for a, b in zip(frames, source_frames[s:e]))
        # each frame keeps its own timestamp (variable frame rate stays variable), starting at 0
        assert np.allclose(times, np.array(source_times[s:e]) - source_times[s], atol=1e-3)
        with av.open(str(tmp_path / f["file"])) as c:
            v = c.streams.video[0]
            assert ((v.width, v.height), v.format.name) == (size, pix_fmt) and f["file"].endswith(".mp4")
            assert (c.streams.audio[0].channels if c.streams.audio else 0) == channels
        if channels:  # the scene's own tone, as long as the scene (AAC pads to whole 1024-sample frames)
            samples, rate = decode_audio(tmp_path / f["file"])
            span = f["end_time"] - f["start_time"]
            assert span <= len(samples) / rate <= span + 2048 / rate
            assert abs(dominant_hz(samples, rate) - tone(f["scene"] - 1)) < 5
    assert total == len(source_frames) == meta["frames"]


def test_copied_files_hold_the_gops_around_their_scenes(cut_clip, tmp_path):
    keyint = 12
    src, meta = cut_clip("gop12", cuts=[10, 25, 30], frames=60, audio_rate=48000, keyint=keyint)
    source_frames, _ = decode_frames(src)
    manifest = split_video(str(src), scenes_of(meta), SplitConfig(out=str(tmp_path), copy=True))
    assert not manifest["frame_exact"] and "keyframe" in manifest["note"]
    for f in manifest["files"]:
        # the documented rule: from the keyframe at or before the scene's start to the one at or after its end
        first = f["start_frame"] // keyint * keyint
        last = min(math.ceil(f["end_frame"] / keyint) * keyint, meta["frames"])
        assert (f["file_start_frame"], f["file_end_frame"]) == (first, last)
        frames, _ = decode_frames(tmp_path / f["file"])
        assert len(frames) == last - first
        assert all(np.array_equal(a, b) for a, b in zip(frames, source_frames[first:last]))  # copied: bit-exact
        samples, rate = decode_audio(tmp_path / f["file"])
        assert abs(len(samples) / rate - (last - first) / meta["rate"]) < 0.05


def test_min_len_leaves_short_scenes_out(cut_clip, tmp_path):
    src, meta = cut_clip("cfr_audio", **CLIPS["cfr_audio"])  # scenes of 10, 15 and 15 frames at 24 fps
    manifest = split_video(str(src), scenes_of(meta), SplitConfig(out=str(tmp_path), min_len=0.5))
    assert manifest["skipped_scenes"] == [1]
    assert [f["scene"] for f in manifest["files"]] == [2, 3]
    assert json.loads((tmp_path / MANIFEST).read_text()) == manifest


def test_a_failed_split_leaves_no_partial_file(cut_clip, tmp_path):
    src, meta = cut_clip("odd_size", **CLIPS["odd_size"])
    with pytest.raises(av.FFmpegError):  # libx264 refuses the preset when the first file is opened
        split_video(str(src), scenes_of(meta), SplitConfig(out=str(tmp_path), preset="no-such-preset"))
    assert left_in(tmp_path) == [MANIFEST]
    assert json.loads((tmp_path / MANIFEST).read_text())["files"] == []
