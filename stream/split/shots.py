"""One file per scene (``reprocut split``): which files, named how, written where until complete.

``SplitConfig`` says how to cut; ``plan`` names a ``Shot`` (one file) per scene; the writers
(``encode.py``, ``copy.py``) write each file under its temporary name (``Shot.tmp``) and
``finish`` renames it into place, so an interrupted split leaves no half file. ``run.py`` ties
them together and writes the manifest.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass

from ..core.errors import UsageError
from ..core.scenes import Scene


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
    """Rename a complete file into place. Ctrl-C and SIGTERM wait for both steps: stopped between the rename and
    ``done``, the file would be in the folder but not in the manifest."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        os.replace(shot.tmp, shot.path)
        shot.done = True
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def discard(shot: Shot) -> None:
    """Remove the temporary file of a shot that was not completed."""
    if os.path.exists(shot.tmp):
        os.remove(shot.tmp)
