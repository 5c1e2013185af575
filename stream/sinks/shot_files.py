"""One file per scene (``reprocut split``): which files, named how, and the manifest that says what each holds.

Two ways to cut, chosen in ``SplitConfig``: re-encoding (``shot_encode.py``, the default) is
frame-exact, every file holds exactly its scene's frames with their timestamps (variable frame
rate stays variable) and its slice of the audio; stream copy (``shot_copy.py``) is fast and
lossless but can only start a file on a keyframe, so its files hold whole GOPs around each scene.
Both write each file under a temporary name in the output folder and rename it when complete
(an interrupted split leaves no half file), and the manifest (``manifest.json``) says, per file,
the scene's frames and the frames the file really holds.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

from ..core.errors import UsageError
from ..core.scenes import Scene
from .scene_files import write_atomic

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
COPY_NOTE = ("stream copy: each file holds whole GOPs, from the keyframe at or before its scene's first frame to the "
             "frame before the first keyframe at or after its end, so it may start and end with frames of the "
             "neighbouring scenes (file_start_frame, file_end_frame); not frame-exact")
ENCODE_NOTE = "re-encoded: each file holds exactly its scene's frames (start_frame to end_frame, end exclusive)"


@dataclass
class SplitConfig:
    out: str = ""  # the folder for the files (created if missing)
    copy: bool = False  # stream-copy whole GOPs (fast, not frame-exact) instead of re-encoding
    min_len: float = 0.0  # seconds; shorter scenes get no file
    trim_transitions: bool = False  # leave the frames of fades, dissolves and wipes out of the files
    crf: int = 18  # libx264 quality when re-encoding (lower: better and larger)
    preset: str = "fast"  # libx264 speed against size when re-encoding


@dataclass
class Shot:
    """One scene's file: the scene's frames [start, end) and, once written, what the file holds."""

    scene: int  # 1-based scene number
    start: int
    end: int
    path: str
    file_start: int = -1  # frames the file holds, [file_start, file_end): the scene's own when re-encoding
    file_end: int = -1
    start_time: float = 0.0  # source times (s) of the file's first frame and of its end
    end_time: float = 0.0
    done: bool = False  # renamed into place, complete

    @property
    def tmp(self) -> str:
        """Where the file is written until complete (the extension stays: it names the container format)."""
        folder, name = os.path.split(self.path)
        stem, ext = os.path.splitext(name)
        return os.path.join(folder, f".{stem}.part{ext}")


def prepare_folder(path: str) -> None:
    """Create the output folder if needed and make sure files can be written there: one line if not."""
    if not path:
        raise UsageError("--out DIR is required")
    try:
        os.makedirs(path, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise UsageError(f"{path}: not a folder") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot create the output folder ({exc.strerror})") from None
    probe = os.path.join(path, ".reprocut-write-test")
    try:
        with open(probe, "w"):
            pass
        os.remove(probe)
    except OSError as exc:
        raise UsageError(f"{path}: output folder is not writable ({exc.strerror})") from None


def plan(video: str, scenes: list[Scene], cfg: SplitConfig, ext: str) -> tuple[list[Shot], list[int]]:
    """The files to write (named with scene number and first frame) and the numbers of scenes too short for one
    (or left empty by ``--trim-transitions``)."""
    stem = os.path.splitext(os.path.basename(video))[0]
    shots, skipped = [], []
    for n, s in enumerate(scenes, 1):
        if s.end_frame <= s.start_frame or s.end_time - s.start_time < cfg.min_len:
            skipped.append(n)
            continue
        shots.append(Shot(n, s.start_frame, s.end_frame, os.path.join(cfg.out, f"{stem}-scene{n:03d}-frame{s.start_frame:06d}{ext}")))
    return shots, skipped


def finish(shot: Shot) -> None:
    """Rename a complete file into place."""
    os.replace(shot.tmp, shot.path)
    shot.done = True


def discard(shot: Shot) -> None:
    """Remove the temporary file of a shot that was not completed."""
    if os.path.exists(shot.tmp):
        os.remove(shot.tmp)


def split_video(video: str, scenes: list[Scene], cfg: SplitConfig) -> dict:
    """Write one file per scene of ``video`` into ``cfg.out`` and the manifest; returns the manifest."""
    from . import shot_copy, shot_encode

    prepare_folder(cfg.out)
    writer = shot_copy if cfg.copy else shot_encode
    shots, skipped = plan(video, scenes, cfg, writer.extension(video))
    if skipped:
        log.info("%d scene(s) shorter than --min-len %.3g s get no file: %s", len(skipped), cfg.min_len, skipped)
    try:
        writer.write(video, shots, cfg)
    finally:  # also when stopped: the manifest lists the files that are complete
        for shot in shots:
            discard(shot)
        manifest = {"source": video, "mode": "copy" if cfg.copy else "encode", "frame_exact": not cfg.copy,
                    "note": COPY_NOTE if cfg.copy else ENCODE_NOTE, "skipped_scenes": skipped,
                    "files": [{"scene": s.scene, "file": os.path.basename(s.path), "start_frame": s.start, "end_frame": s.end,
                               "file_start_frame": s.file_start, "file_end_frame": s.file_end, "frames": s.file_end - s.file_start,
                               "start_time": round(s.start_time, 6), "end_time": round(s.end_time, 6)}
                              for s in shots if s.done]}
        write_atomic(os.path.join(cfg.out, MANIFEST), json.dumps(manifest, indent=1) + "\n")
    return manifest
