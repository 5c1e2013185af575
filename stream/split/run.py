"""One file per scene (``reprocut split``): the files, and the manifest that says what each holds.

Two ways to cut, chosen in ``SplitConfig``: re-encoding (``encode.py``, the default) is
frame-exact, every file holds exactly its scene's frames with their timestamps (variable frame
rate stays variable) and its slice of the audio; stream copy (``copy.py``) is fast and
lossless but can only start a file on a keyframe, so its files hold whole GOPs around each scene.
Both write each file under a temporary name in the output folder and rename it when complete
(an interrupted split leaves no half file), and the manifest (``manifest.json``) says, per file,
the scene's frames and the frames the file really holds.
"""

from __future__ import annotations

import json
import logging
import os

from ..core.scenes import Scene
from ..sinks.files.scene_files import write_atomic
from .shots import SplitConfig, discard, plan, prepare_folder

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
COPY_NOTE = ("stream copy: each file holds whole GOPs, from the keyframe at or before its scene's first frame to the "
             "frame before the first keyframe at or after its end, so it may start and end with frames of the "
             "neighbouring scenes (file_start_frame, file_end_frame); not frame-exact")
ENCODE_NOTE = "re-encoded: each file holds exactly its scene's frames (start_frame to end_frame, end exclusive)"


def split_video(video: str, scenes: list[Scene], cfg: SplitConfig) -> dict:
    """Write one file per scene of ``video`` into ``cfg.out`` and the manifest; returns the manifest."""
    from . import copy, encode

    prepare_folder(cfg.out)
    writer = copy if cfg.copy else encode
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
