"""What ``reprocut adapt`` is asked to do, each default declared once, and the checks made before torch loads.

An adapt's work folder (default: the output's name + ``.adapt``) holds ``adapt.json`` (this config, so that
``--resume`` needs nothing but the folder) and ``run/``, the training run of ``reprocut train``'s loop (frame
cache, checkpoint, figures). No torch here: ``--help`` and a user's mistakes are answered at once (~2.5 s earlier).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from importlib import resources

from reprocut.stream.core.errors import UsageError

DEFAULT_MINUTES = 5.0  # the goal: an adapted model within 5 CPU-minutes per clip
RECORD = "adapt.json"  # in the work folder: this config
RUN = "run"  # in the work folder: the training run
CHECKPOINT = "ckpt.pt"  # train.CHECKPOINT (train.py loads torch)
WEIGHTS = "default.pt"  # the bundled model's full weights, beside default.onnx in stream/models/


@dataclass
class AdaptConfig:
    sources: list[str] = field(default_factory=list)
    out: str = "model.onnx"
    base: str = ""  # --from: a run, checkpoint or weights file ("": the bundled model's weights)
    minutes: float | None = None  # wall-clock minutes of training (DEFAULT_MINUTES unless steps is set)
    steps: int | None = None  # optimizer steps instead: exact and repeatable
    work: str = ""  # "": the output's name + ".adapt"
    batch: int = 64  # smaller than training's 128: more updates in a few CPU-minutes
    # A third of the bundled model's 3e-4 (the paper's own rate): the base is already a working encoder, and at the
    # full rate a few hundred steps on one clip sharpen its posteriors faster than they adapt them (the bundled run's
    # later epochs show it: the consecutive-frame KL's median grew from 0.17 to 50 and the KL alone flooded with false
    # alarms). Fine-tuning moves the encoder towards the footage without forgetting what the base learned.
    lr: float = 1e-4
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda
    name: str = ""  # the model's name in its metadata and card ("": the output file's name)
    checkpoint_every: int = 50  # steps; every epoch's end too (an epoch of one clip is short)

    @property
    def folder(self) -> str:
        return self.work or self.out + ".adapt"

    @property
    def budget(self) -> str:
        """The budget as its option says it."""
        return f"--steps {self.steps}" if self.steps is not None else f"--minutes {self.minutes:g}"


def bundled_weights() -> str:
    """Where the bundled model's full weights are (they may be missing from a development checkout)."""
    return str(resources.files("reprocut.stream") / "models" / WEIGHTS)


def checkpoint_path(spec: str) -> str:
    """The file a ``--from`` names: a checkpoint or weights file, a run directory's ckpt.pt, an adapt work folder's run's."""
    if os.path.isdir(spec) and os.path.exists(os.path.join(spec, RECORD)):
        spec = os.path.join(spec, RUN)
    return os.path.join(spec, CHECKPOINT) if os.path.isdir(spec) else spec


def check_base(spec: str) -> None:
    """The mistakes a ``--from`` can hold that need no torch to see: missing, an ONNX model, no weights bundled."""
    if not spec:
        if not os.path.exists(bundled_weights()):
            raise UsageError(f"the bundled model's full weights are not installed ({bundled_weights()} is missing): "
                             "give --from a run directory or checkpoint of 'reprocut train'")
        return
    if not os.path.exists(spec):
        raise UsageError(f"--from {spec}: no such file or directory")
    if spec.endswith(".onnx"):
        work = spec + ".adapt"
        hint = f" (this one's is {work})" if os.path.isdir(work) else ""
        raise UsageError(f"--from {spec}: an ONNX model holds the encoder alone, and fine-tuning needs the decoder too: give "
                         f"the run directory or checkpoint it was exported from, or an adapted model's work folder{hint}")
    if not os.path.exists(checkpoint_path(spec)):
        raise UsageError(f"--from {spec}: no checkpoint in it (a run directory of 'reprocut train' holds {CHECKPOINT})")


def check(cfg: AdaptConfig, resume: bool, force: bool) -> None:
    """A user's mistakes, each one line, before torch loads and before anything is decoded: no footage, footage
    that is not there, a bad budget, an output that cannot be written, a work folder that exists."""
    from reprocut.stream.sources.decode import open_video

    from .data import expand_inputs

    if cfg.minutes is not None and cfg.steps is not None:
        raise UsageError("give --minutes or --steps, not both")
    if cfg.minutes is not None and not cfg.minutes > 0:
        raise UsageError("--minutes must be more than 0")
    if cfg.steps is not None and cfg.steps < 1:
        raise UsageError("--steps must be at least 1")
    if cfg.batch < 1:
        raise UsageError("--batch must be at least 1")
    if not cfg.lr >= 0:
        raise UsageError("--lr must be 0 or more")
    folder = os.path.dirname(os.path.abspath(cfg.out))
    if os.path.isdir(cfg.out):
        raise UsageError(f"--out {cfg.out}: is a directory (give the ONNX file to write, like model.onnx)")
    if not os.path.isdir(folder):
        raise UsageError(f"--out {cfg.out}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (os.path.exists(cfg.out) and not os.access(cfg.out, os.W_OK)):
        raise UsageError(f"--out {cfg.out}: not writable")
    if os.path.exists(cfg.folder) and not os.path.isdir(cfg.folder):
        raise UsageError(f"--work {cfg.folder}: exists and is not a directory")
    if not resume and not force and os.path.isdir(cfg.folder) and os.listdir(cfg.folder):
        raise UsageError(f"{cfg.folder}: the work folder of an earlier adapt exists; use --resume to continue it or --force "
                         "to start again")
    if resume:
        return  # the footage and the base are the work folder's own (read_record)
    if not cfg.sources:
        raise UsageError("give at least one video or folder of your footage to adapt to")
    for kind, files in expand_inputs(cfg.sources):
        if kind == "video":
            open_video(files[0]).close()  # not a video at all: said now, not after the base has loaded
    check_base(cfg.base)


def write_record(cfg: AdaptConfig) -> None:
    os.makedirs(cfg.folder, exist_ok=True)
    path = os.path.join(cfg.folder, RECORD)
    with open(path + ".tmp", "w") as f:
        json.dump(asdict(cfg), f, indent=1)
    os.replace(path + ".tmp", path)


def read_record(cfg: AdaptConfig) -> AdaptConfig:
    """The config a resumed adapt continues: the work folder's footage, base and settings, with the budget, output
    and name given now (none given: the recorded budget). Sources given again must be the recorded ones."""
    path = os.path.join(cfg.folder, RECORD)
    if not os.path.exists(path):
        raise UsageError(f"{cfg.folder}: not the work folder of an adapt (no {RECORD} in it); start one without --resume")
    try:
        saved = AdaptConfig(**json.load(open(path)))
    except (ValueError, TypeError):
        raise UsageError(f"{path}: corrupt; start again with --force") from None
    if cfg.sources and [os.path.abspath(s) for s in cfg.sources] != [os.path.abspath(s) for s in saved.sources]:
        raise UsageError(f"--resume continues {cfg.folder} on its own footage ({', '.join(saved.sources)}): give no sources, "
                         "or start again with --force")
    if cfg.minutes is not None or cfg.steps is not None:
        saved.minutes, saved.steps = cfg.minutes, cfg.steps
    saved.out, saved.work, saved.name = cfg.out, cfg.work, cfg.name or saved.name
    return saved
