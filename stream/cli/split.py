"""``reprocut split VIDEO --out DIR``: one file per scene, from a scene list or from detecting the scenes first.

The files are written by the ``split`` package (``split/run.py``: re-encoded and frame-exact, or stream-copied
with ``--copy``), with a ``manifest.json`` saying which frames each file holds.
"""

from __future__ import annotations

import argparse
import signal

from ..core.errors import UsageError

HELP = "cut a video into one file per scene (frame-exact re-encode, or fast keyframe-aligned --copy)"
PRESETS = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..split.shots import SplitConfig
    from .options import add_options
    from .pipeline_options import add_pipeline_options

    p.add_argument("video", help="a local video file")
    p.add_argument("--scenes", metavar="FILE", help="the scene list of 'reprocut detect --json' (default: detect the "
                   "scenes first, with the options below)")
    add_options(p, SplitConfig, {"out": {"required": True, "metavar": "DIR",
                                         "help": "folder for the files and manifest.json (created if missing)"}})
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--encode", dest="copy", action="store_false", default=SplitConfig.copy,
                      help="re-encode with libx264: each file holds exactly its scene's frames (the default)")
    add_options(mode, SplitConfig, {"copy": "copy the streams without re-encoding: fast and lossless, but NOT frame-exact: "
                                            "each file holds whole GOPs, from the keyframe at or before its scene's start "
                                            "to the one at or after its end, so it may hold frames of the neighbouring scenes"})
    add_options(p, SplitConfig, {"min_len": "seconds; scenes shorter than this get no file",
                                 "trim_transitions": "leave the frames of fades, dissolves and wipes out of the files "
                                                     "(each file holds only its scene's own pictures, no blend of two)",
                                 "crf": "libx264 quality when re-encoding (lower: better and larger)",
                                 "preset": {"choices": PRESETS, "help": "libx264 speed against size when re-encoding"}})
    add_pipeline_options(p, live=False)  # files only


def _detect(args: argparse.Namespace):
    """The scenes and transitions of ``args.video`` as ``detect`` finds them, with the same options."""
    from ..runtime.pipeline import Pipeline
    from ..sinks.base import feed
    from ..sinks.files.scene_files import SceneList
    from ..sinks.files.terminal import ProgressBar
    from ..sources import open_source
    from .pipeline_options import pipeline_config, source_config

    source = open_source(args.video, source_config(args))
    found = SceneList()
    feed(Pipeline([source], pipeline_config(args)).run(), [ProgressBar(source.total_frames), found])
    if source.error is not None:
        raise source.error
    return found.scenes(), found.transitions


def run(args: argparse.Namespace) -> int:
    from ..core.scenes import trim_transitions
    from ..sinks.files.scene_files import read_json
    from ..sinks.files.terminal import count
    from ..sources.decode import open_video, stream_fps
    from ..split.run import MANIFEST, split_video
    from ..split.shots import SplitConfig, prepare_folder
    from .options import config_from

    cfg = config_from(args, SplitConfig)
    if cfg.min_len < 0 or not 0 <= cfg.crf <= 51:
        raise UsageError("--min-len must not be negative and --crf must be 0-51")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as Ctrl-C does: no partial file is left
    with open_video(args.video) as container:  # a local video, or one line now, before any work
        fps = stream_fps(container.streams.video[0])
    prepare_folder(cfg.out)
    scenes, transitions = read_json(args.scenes) if args.scenes else _detect(args)
    if cfg.trim_transitions:
        scenes = trim_transitions(scenes, transitions, fps)
    manifest = split_video(args.video, scenes, cfg)
    print(f"{count(len(manifest['files']), 'file')} in {cfg.out} ({'stream copy, keyframe-aligned' if cfg.copy else 'frame-exact'}); "
          f"what each holds: {cfg.out.rstrip('/')}/{MANIFEST}")
    return 0
