"""Write a degraded copy of a labelled dataset (same frames, same labels), to measure the detector on footage less
clean than the dev clips (BENCHMARKS.md, "Poor copies of the dev clips"). The copy goes to OUT (a dataset folder of
its own: ``reprocut eval --dataset OUT``); nothing is written into the project.

    .venv/bin/python scripts/degraded_copies.py ../shared/eval /tmp/web web

Kinds: ``web`` (240 lines, H.264 crf 38: a poor web copy), ``grain`` (Gaussian grain, sigma 10 grey levels, on every
frame, crf 23), ``dark`` (35% brightness), ``grey`` (luma only: black-and-white film), ``overlay`` (a channel logo and a
news ticker on every frame), ``lightning`` (2-6-frame flashes of light every 60-100 frames, at least 6 frames from
any labelled boundary). Deterministic: the same kind gives the same copy.
"""

from __future__ import annotations

import argparse
import json
import os
import zlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

KINDS = ("web", "grain", "dark", "grey", "overlay", "lightning")


def overlay(frame: np.ndarray, k: int) -> np.ndarray:
    """A blue ticker bar over the bottom eighth (15% of the picture behind it, white blocks scrolling 2 px a frame) and
    a lightened logo at the top left."""
    out = frame.astype(np.float32)
    h, w = frame.shape[:2]
    top = h - max(2, h // 8)
    out[top:] = out[top:] * 0.15 + np.array([20, 40, 120]) * 0.85
    y = top + max(1, h // 32)
    for j in range(0, w, max(4, w // 24)):
        x = (j - 2 * k) % w
        out[y:y + max(1, h // 24), x:x + max(2, w // 40)] = 235
    logo = (slice(h // 20, h // 20 + h // 10), slice(w // 20, w // 20 + w // 7))
    out[logo] = out[logo] * 0.3 + 180
    return out


def flashes(frames: int, labels: dict, rng: np.random.Generator) -> dict[int, tuple[float, bool]]:
    """Frame -> (how much light it gets, whether the top of the frame gets more than the bottom): flashes of 2-6 frames
    every 60-100 frames away from every labelled boundary, every second one lighting the sky more."""
    busy = set()
    for c in labels.get("cuts", []) + labels.get("optional", []):
        busy.update(range(c - 6, c + 7))
    for span in labels.get("gradual", []) + labels.get("dont_care", []) + [h[:2] for h in labels.get("hard_negatives", [])]:
        busy.update(range(span[0] - 6, span[1] + 7))
    out, t, count = {}, int(rng.integers(60, 101)), 0
    while t < frames:
        length = int(rng.integers(2, 7))
        if all(x not in busy and x < frames for x in range(t, t + length)):
            for x in range(t, t + length):
                out[x] = (rng.uniform(0.25, 0.7), count % 2 == 1)
            count += 1
        t += int(rng.integers(60, 101))
    return out


def degrade(frame: np.ndarray, k: int, kind: str, rng: np.random.Generator, light: dict[int, tuple[float, bool]]
            ) -> np.ndarray:
    """Frame ``k`` of a clip (float32 RGB) as the copy of ``kind`` shows it."""
    if kind == "grain":
        return frame + rng.normal(0, 10, frame.shape)
    if kind == "dark":
        return frame * 0.35
    if kind == "grey":
        return np.repeat((frame @ np.array([0.299, 0.587, 0.114]))[..., None], 3, -1)
    if kind == "overlay":
        return overlay(frame, k)
    if kind == "lightning" and k in light:
        amount, sky = light[k]
        if sky:
            rows = frame.shape[0]
            amount = amount * np.clip(1.3 - 1.6 * np.arange(rows) / rows, 0, 1)[:, None, None]
        return frame + amount * (255 - frame)
    return frame


def copy_clip(source: Path, labels: dict, name: str, kind: str, out: Path) -> int:
    """Decode, degrade and encode the clip one frame at a time; its frame count."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    with av.open(str(source / labels["clip"])) as container, av.open(str(out / "clips" / f"{name}.mp4"), "w") as copy:
        stream = container.streams.video[0]
        light = flashes(labels.get("frames") or 10**6, labels, rng) if kind == "lightning" else {}
        encoder, k = None, -1
        for k, decoded in enumerate(container.decode(stream)):
            if encoder is None:
                h, w = decoded.height, decoded.width
                if kind == "web" and h > 240:
                    h, w = 240, int(w * 240 / h)
                h, w = h - h % 2, w - w % 2
                encoder = copy.add_stream("libx264", rate=stream.average_rate or Fraction(25))
                encoder.width, encoder.height, encoder.pix_fmt = w, h, "yuv420p"
                encoder.options = {"crf": {"web": "38", "grain": "23"}.get(kind, "18")}
            frame = decoded.to_ndarray(format="rgb24", width=encoder.width, height=encoder.height).astype(np.float32)
            picture = np.ascontiguousarray(np.clip(np.rint(degrade(frame, k, kind, rng, light)), 0, 255).astype(np.uint8))
            copy.mux(encoder.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
        copy.mux(encoder.encode())
    return k + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path, help="a dataset folder (labels/*.json and the clips they name)")
    parser.add_argument("out", type=Path, help="the folder the copy is written to")
    parser.add_argument("kind", choices=KINDS)
    args = parser.parse_args()
    (args.out / "labels").mkdir(parents=True, exist_ok=True)
    (args.out / "clips").mkdir(exist_ok=True)
    for label_file in sorted((args.dataset / "labels").glob("*.json")):
        labels = json.loads(label_file.read_text())
        frames = copy_clip(args.dataset, labels, label_file.stem, args.kind, args.out)
        labels["clip"] = f"clips/{label_file.stem}.mp4"
        (args.out / "labels" / label_file.name).write_text(json.dumps(labels))
        print(f"{label_file.stem}: {frames} frames", flush=True)
    print(f"wrote {args.kind} copy to {os.fspath(args.out)}")


if __name__ == "__main__":
    main()
