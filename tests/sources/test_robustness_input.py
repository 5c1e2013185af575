"""Robustness, part 1: bad and damaged input to ``detect``, ``serve``, ``train`` and ``eval``.

What cannot be used is refused with one line on stderr and exit code 2, before any work starts.
Damaged media is used as far as it is readable: the readable frames are processed, the damage
is logged with its position, and detection goes on. Every file here is generated with PyAV
(see ``write_video``); docs/robustness.md maps each case to its test.

Set ``REPROCUT_TEST_MODEL=/path/model.onnx`` to run against another model than the bundled one
(the cases that check which cuts are found need a trained model: the bundled one).
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from helpers import (
    TIMEOUT,
    assert_one_line_error,
    jsonl_events,
    matched,
    model_args,
    recv_until,
    require_extra,
    run_cli,
)
from reprocut.stream.sources.cartoon import DemoConfig
from reprocut.stream.sources.cartoon import frames as demo_frames
from reprocut.stream.sources.cartoon import labels as demo_labels
from websockets.sync.client import connect

MEDIA_TIMEOUT = 300  # seconds: the bound on one CLI run (a loaded 2-core machine is slow)


# -- media ----------------------------------------------------------------------------------
def write_video(path: Path, images: Iterable[np.ndarray], fps: float = 24.0, *, fmt: str | None = None,
                container_options: dict | None = None, times_ms: list[int] | None = None, preset: str = "veryfast") -> Path:
    """Encode frames to H.264 with PyAV; ``times_ms`` gives each frame's own time (variable frame rate).

    Frames are RGB [H, W, 3], or planar YUV 4:2:0 [H * 3 / 2, W] (no conversion: cheap for huge frames).
    """
    images = iter(images)
    first = next(images)  # its shape sets the stream's size
    pix = "rgb24" if first.ndim == 3 else "yuv420p"
    with av.open(str(path), "w", format=fmt, options=container_options or {}) as out:
        stream = out.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        stream.width = first.shape[1]
        stream.height = first.shape[0] if pix == "rgb24" else first.shape[0] * 2 // 3
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": preset}
        if times_ms is not None:
            stream.codec_context.time_base = stream.time_base = Fraction(1, 1000)
        for i, img in enumerate(itertools.chain([first], images)):
            frame = av.VideoFrame.from_ndarray(img, format=pix)
            if times_ms is not None:
                frame.pts, frame.time_base = times_ms[i], Fraction(1, 1000)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def demo_video(path: Path, cfg: DemoConfig, **kwargs) -> tuple[Path, dict]:
    return write_video(path, demo_frames(cfg), cfg.fps, **kwargs), demo_labels(cfg)


CLIP = DemoConfig(frames=240, seed=3)  # cuts at 14, 38, 55, 70, 119, 127, 184, 191


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    """Unusable and damaged files, written once for the module."""
    folder = tmp_path_factory.mktemp("robust_media")
    (folder / "folder").mkdir()
    (folder / "folder" / "clip.mp4").write_bytes(b"")  # a folder is refused even when it holds videos
    (folder / "text.mp4").write_text("these are my holiday notes, not a video\n")
    (folder / "empty.mp4").write_bytes(b"")
    with av.open(str(folder / "still.png"), "w", format="image2") as out:  # a real PNG, then misnamed
        stream = out.add_stream("png")
        stream.width, stream.height, stream.pix_fmt = 64, 48, "rgb24"
        black = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
        for packet in [*stream.encode(black), *stream.encode()]:
            out.mux(packet)
    (folder / "still.png").rename(folder / "png.mp4")
    with av.open(str(folder / "audio.mp4"), "w") as out:  # AAC only: a podcast, not a video
        stream = out.add_stream("aac", rate=44100)
        tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(44100) / 44100)).astype(np.float32)
        for i in range(0, len(tone), 1024):
            frame = av.AudioFrame.from_ndarray(tone[None, i : i + 1024].copy(), format="fltp", layout="mono")
            frame.sample_rate = 44100
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    # the same clip twice: index ('moov') at the front (faststart) and, as recorders write it, at the end
    demo_video(folder / "faststart.mp4", CLIP, container_options={"movflags": "faststart"})
    demo_video(folder / "plain.mp4", CLIP)
    for name in ("faststart", "plain"):
        data = (folder / f"{name}.mp4").read_bytes()
        (folder / f"{name}_half.mp4").write_bytes(data[: len(data) // 2])
    data = bytearray((folder / "faststart.mp4").read_bytes())
    rng = random.Random(1)
    start = len(data) // 2
    data[start : start + 20_000] = bytes(rng.randrange(256) for _ in range(20_000))  # a burst of garbage mid-file
    (folder / "corrupt.mp4").write_bytes(bytes(data))
    (folder / "labels.json").write_text(json.dumps({"cuts": demo_labels(CLIP)["cuts"]}))  # for eval
    return folder


BAD = {  # kind -> (file in ``media`` or a URL, what the one-line error must say)
    "missing": ("missing.mp4", "no such file"),
    "directory": ("folder", "directory"),
    "text": ("text.mp4", "not a readable video"),
    "png": ("png.mp4", "still image"),
    "empty": ("empty.mp4", "empty"),
    "moov-lost": ("plain_half.mp4", "truncated mp4"),
    "audio-only": ("audio.mp4", "no video stream"),
    "url-scheme": ("gopher://127.0.0.1/clip", "unsupported url scheme"),
}
COVERED = {  # already proven elsewhere (docs/robustness.md points there)
    ("detect", k) for k in ("missing", "directory", "text", "empty", "url-scheme")  # test_detect.py::test_bad_sources_and_options
} | {
    ("train", k) for k in ("missing", "text")  # test_train.py::test_bad_inputs_give_one_clear_line
} | {("train", "directory"), ("train", "url-scheme"), ("eval", "url-scheme")} | {  # folders train; train/eval read files only
    ("eval", "missing")  # test_eval_cli.py::test_usage_mistakes_are_one_line_errors
}
CASES = [pytest.param(cmd, kind, id=f"{cmd}-{kind}")
         for cmd in ("detect", "serve", "train", "eval") for kind in BAD if (cmd, kind) not in COVERED]


def cli_args(cmd: str, source: str, run_dir: Path, labels: Path) -> list[str]:
    if cmd == "serve":  # --exit-when-done: a serve that wrongly took the input ends instead of serving on
        return ["serve", source, "--port", "0", "--exit-when-done", *model_args()]
    if cmd == "train":
        return ["train", source, "--out", str(run_dir), "--steps", "1", "--batch", "8"]
    if cmd == "eval":
        return ["eval", source, "--labels", str(labels), *model_args()]
    return ["detect", source, *model_args()]


class Prefetch:
    """Runs the selected cases of one parametrized test as a few concurrent CLI processes.

    Each case is a separate test with its own assertions; starting a process costs about a
    second of CPU (imports, model load), so the cases are started together, 3 at a time.
    """

    def __init__(self, request, test_name: str, args_of):
        self.args_of = args_of
        self.pool = ThreadPoolExecutor(max_workers=3)
        items = [i for i in request.session.items if i.originalname == test_name and hasattr(i, "callspec")]
        self.futures = {}
        for item in items:
            self.submit(item.callspec.id)

    def submit(self, case: str):
        if case not in self.futures:
            self.futures[case] = self.pool.submit(lambda: run_cli(*self.args_of(case), timeout=MEDIA_TIMEOUT))
        return self.futures[case]

    def result(self, case: str):
        return self.submit(case).result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def bad_input_runs(request, media, tmp_path_factory):
    labels = media / "labels.json"
    out = tmp_path_factory.mktemp("train_runs")

    def args_of(case: str) -> list[str]:
        cmd, kind = case.split("-", 1)
        name = BAD[kind][0]
        return cli_args(cmd, name if "://" in name else str(media / name), out / case, labels)

    runs = Prefetch(request, "test_unusable_input_is_a_one_line_error", args_of)
    yield runs
    runs.close()


@pytest.mark.parametrize("cmd, kind", CASES)
def test_unusable_input_is_a_one_line_error(cmd, kind, bad_input_runs):
    if cmd == "train":
        require_extra("torch")
    result = bad_input_runs.result(f"{cmd}-{kind}")
    assert_one_line_error(result, BAD[kind][1])
    if cmd == "serve":
        assert "serving" not in result.stdout  # refused before it listened


# -- damaged media: what is readable is used ----------------------------------------------------
def run_detect(path: Path, *extra: str) -> tuple[list[dict], str]:
    result = run_cli("detect", path, "--jsonl", *model_args(), *extra, timeout=MEDIA_TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return jsonl_events(result.stdout), result.stderr


def cut_frames(events: list[dict]) -> list[int]:
    return [e["frame"] for e in events if e["type"] == "cut"]


def the_end(events: list[dict]) -> dict:
    (end,) = [e for e in events if e["type"] == "end"]
    return end


def test_truncated_faststart_mp4_processes_the_readable_half(media):
    """Index at the front, tail cut off (an interrupted download): the first half is detected."""
    events, stderr = run_detect(media / "faststart_half.mp4")
    end, truth = the_end(events), demo_labels(CLIP)["cuts"]
    assert end["reason"] == "eof" and 0.3 * CLIP.frames < end["frames"] < 0.8 * CLIP.frames
    warnings = [line for line in stderr.splitlines() if "truncated" in line]
    assert len(warnings) == 1 and f"after frame {end['frames']}" in warnings[0] and "data ends at" in warnings[0]
    readable = [c for c in truth if c < end["frames"] - 3]
    assert matched(cut_frames(events), readable) == readable
    assert all(f < end["frames"] for f in cut_frames(events))


def test_corrupted_bytes_mid_file_are_skipped_with_their_position_and_detection_goes_on(media):
    events, stderr = run_detect(media / "corrupt.mp4")
    end, truth = the_end(events), demo_labels(CLIP)["cuts"]
    damage = [line for line in stderr.splitlines() if "damaged data near" in line]
    assert damage, stderr
    first_bad = min(int(line.split("(after frame ")[1].split(")")[0]) for line in damage)
    assert all(" s (after frame " in line for line in damage)  # a time and a frame number: where to look
    assert 0.25 * CLIP.frames < first_bad < 0.75 * CLIP.frames
    assert end["reason"] == "eof" and first_bad < end["frames"] < CLIP.frames  # frames after the damage were scored
    found = cut_frames(events)
    before = [c for c in truth if c < first_bad - 3]
    assert matched(found, before) == before
    assert any(f > first_bad + 10 for f in found), f"no cut after the damage at frame {first_bad}: {found}"


def test_train_uses_the_readable_frames_of_damaged_files_and_says_where(media, tmp_path):
    require_extra("torch")
    run = tmp_path / "run"
    result = run_cli("train", media / "faststart_half.mp4", media / "corrupt.mp4", "--out", run,
                     "--steps", "1", "--batch", "8", timeout=MEDIA_TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "faststart_half.mp4: data ends at" in result.stderr and "truncated" in result.stderr
    assert "corrupt.mp4: skipping damaged data near" in result.stderr
    segments = json.loads((run / "frames.json").read_text())["segments"]
    counts = [s["n_train"] + s["n_val"] for s in segments]
    assert len(counts) == 2 and 0.3 * CLIP.frames < counts[0] < 0.8 * CLIP.frames and counts[0] < counts[1] < CLIP.frames


def test_eval_scores_the_readable_frames_of_a_damaged_file(media, tmp_path):
    labels = tmp_path / "corrupt.json"
    labels.write_text(json.dumps({"frames": CLIP.frames, "cuts": demo_labels(CLIP)["cuts"]}))
    result = run_cli("eval", media / "corrupt.mp4", "--labels", labels, "--json", *model_args(), timeout=MEDIA_TIMEOUT)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "damaged data near" in result.stderr
    assert f"labels say {CLIP.frames} frames but" in result.stderr  # the numbering may not line up: said once
    (clip,) = json.loads(result.stdout)["clips"]
    assert 0.5 * CLIP.frames < clip["frames"] < CLIP.frames and clip["tp"] > 0


def test_serve_streams_the_readable_half_of_a_truncated_file(media, serve):
    srv = serve(str(media / "faststart_half.mp4"), "--wait-for-client", "--exit-when-done")
    with connect(srv.ws, open_timeout=TIMEOUT) as ws:
        messages = recv_until(ws, lambda m: m["type"] == "end")
    end = messages[-1]
    assert end["reason"] == "eof" and 0.3 * CLIP.frames < end["frames"] < 0.8 * CLIP.frames
    readable = [c for c in demo_labels(CLIP)["cuts"] if c < end["frames"] - 3]
    assert matched([m["frame"] for m in messages if m["type"] == "cut"], readable) == readable
    assert srv.proc.wait(timeout=TIMEOUT) == 0
    assert "truncated" in srv.stderr() and "Traceback" not in srv.stderr()


def test_resolution_change_mid_stream(tmp_path):
    """Two MPEG-TS segments of different sizes joined with ``cat``; the second restarts its clock."""
    a_cfg = DemoConfig(frames=72, seed=1, width=320, height=180)
    b_cfg = DemoConfig(frames=72, seed=2, width=640, height=360)
    a, a_labels = demo_video(tmp_path / "a.ts", a_cfg, fmt="mpegts")
    b, b_labels = demo_video(tmp_path / "b.ts", b_cfg, fmt="mpegts")
    joined = tmp_path / "joined.ts"
    joined.write_bytes(a.read_bytes() + b.read_bytes())
    events, stderr = run_detect(joined)
    end = the_end(events)
    assert end["frames"] == 144 and end["reason"] == "eof"
    assert "timestamps jump back" in stderr and "at frame 72" in stderr
    cuts = [e for e in events if e["type"] == "cut"]
    times = [c["time"] for c in cuts]
    assert times == sorted(set(times)), "times keep increasing across the joint"
    truth = a_labels["cuts"] + [72] + [72 + c for c in b_labels["cuts"]]  # the joint is a cut too
    assert matched([c["frame"] for c in cuts], truth) == truth
    after = [c for c in cuts if c["frame"] > 72]
    assert after and all(c["time"] > 3.0 for c in after)  # not pushed back to the second segment's own clock


def test_variable_frame_rate_counts_decoded_frames(tmp_path):
    """Frame rate alternates 50 fps / 10 fps every 30 frames: cut frames are decoded indices, times are real."""
    cfg = DemoConfig(frames=240, seed=5)
    steps = [20 if (i // 30) % 2 == 0 else 100 for i in range(cfg.frames)]
    times_ms = [sum(steps[:i]) for i in range(cfg.frames)]
    path, labels = demo_video(tmp_path / "vfr.mp4", cfg, times_ms=times_ms)
    with av.open(str(path)) as c:
        decoded = [float(f.time) for f in c.decode(video=0)]
    assert len(decoded) == cfg.frames
    events, _ = run_detect(path)
    cuts = [e for e in events if e["type"] == "cut"]
    assert matched([c["frame"] for c in cuts], labels["cuts"]) == labels["cuts"]
    for c in cuts:
        assert c["time"] == pytest.approx(decoded[c["frame"]], abs=1e-6)
    nominal = the_end(events)["frames"] / the_end(events)["duration"]
    assert any(abs(c["frame"] / nominal - c["time"]) > 0.5 for c in cuts)  # time * fps would have been wrong here


def test_8k_frames_are_decoded_to_the_model_size(tmp_path):
    """A few 7680x4320 frames (two shots): decoded straight to 64x64 in the decoder's scaler."""
    h, w = 4320, 7680

    def frames():
        for i in range(6):
            yuv = np.empty((h * 3 // 2, w), np.uint8)  # Y plane, then U and V at quarter size
            yuv[:h] = 90
            yuv[h : h + h // 4], yuv[h + h // 4 :] = (90, 200) if i < 3 else (200, 90)  # reddish, then bluish
            yuv[200 * i : 200 * i + 800, 300 * i : 300 * i + 1200] = 235  # a white box that moves
            yield yuv

    path = write_video(tmp_path / "8k.mp4", frames(), preset="ultrafast")
    with av.open(str(path)) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (w, h)
    events, stderr = run_detect(path)
    end = the_end(events)
    assert end["frames"] == 6 and end["reason"] == "eof"
    assert "WARNING" not in stderr


# -- models and labels that cannot be used --------------------------------------------------------
@pytest.fixture(scope="module")
def bad_models(tmp_path_factory) -> dict[str, Path]:
    onnx = require_extra("onnx")
    folder = tmp_path_factory.mktemp("bad_models")
    junk = folder / "junk.onnx"
    junk.write_bytes(b"PK\x03\x04 this is a zip file, not a model" * 20)
    h, f32 = onnx.helper, onnx.TensorProto.FLOAT
    graph = h.make_graph(  # names right, input 32x32 instead of 64x64
        [h.make_node("GlobalAveragePool", ["frames"], ["p"]), h.make_node("Flatten", ["p"], ["m"]),
         h.make_node("Identity", ["m"], ["mu"]), h.make_node("Identity", ["m"], ["logvar"])],
        "g", [h.make_tensor_value_info("frames", f32, ["N", 3, 32, 32])],
        [h.make_tensor_value_info("mu", f32, ["N", 3]), h.make_tensor_value_info("logvar", f32, ["N", 3])])
    model = h.make_model(graph, opset_imports=[h.make_opsetid("", 18)])
    model.ir_version = 10
    model.metadata_props.append(onnx.StringStringEntryProto(key="input_size", value="64"))
    shape = folder / "shape.onnx"
    onnx.save(model, str(shape))
    return {"junk": junk, "shape": shape}


@pytest.fixture(scope="module")
def bad_model_runs(request, bad_models, media):
    source = str(media / "faststart.mp4")

    def args_of(case: str) -> list[str]:
        cmd, kind = case.split("-", 1)
        args = {"detect": ["detect", source], "serve": ["serve", source, "--port", "0", "--exit-when-done"],
                "eval": ["eval", source, "--labels", str(media / "labels.json")]}[cmd]
        return [*args, "--model", str(bad_models[kind])]

    runs = Prefetch(request, "test_unusable_model_is_a_one_line_error", args_of)
    yield runs
    runs.close()


MODEL_NEEDLES = {"junk": "not a usable onnx model", "shape": "metadata says input 64"}


@pytest.mark.parametrize("cmd, kind", [pytest.param(c, k, id=f"{c}-{k}")
                                       for c in ("detect", "serve", "eval") for k in MODEL_NEEDLES])
def test_unusable_model_is_a_one_line_error(cmd, kind, bad_model_runs):
    result = bad_model_runs.result(f"{cmd}-{kind}")
    assert_one_line_error(result, MODEL_NEEDLES[kind])
    assert "onnxruntime_src" not in result.stderr
