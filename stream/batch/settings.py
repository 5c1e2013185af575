"""What decides a video's result, recorded in its manifest line, so that a rerun redoes what was made otherwise.

A result depends on the model (its bytes: a model retrained under the same name is another
model), the scoring and transition options, and the source options that change which frames are
scored (``live``: dropping frames; ``rtsp_transport``: UDP loses packets). It does not depend on how fast it
runs (device, batch size, threads, workers, ``every_frame``: the same cuts) nor on the scene file
formats, which the line lists as its ``outputs``.

A line's ``settings`` holds ``id`` (a hash of all of it, what a rerun compares), ``model`` (the
SHA-256 of its bytes) and ``options``: those that differ from this version's defaults, by dotted
name (``scorer.decider.min_scene_len``), so that the manifest says how each line was made. A
change of default in another version of reprocut changes the ``id`` too: its videos are redone.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from ..core.errors import UsageError
from ..runtime.encoder import default_model_path
from .work import Job

SOURCE_FIELDS = ("live", "rtsp_transport")


def model_sha(path: str) -> str:
    """The SHA-256 of a model file's bytes (``path`` empty: the bundled model); a missing file is one line."""
    path = path or default_model_path()
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise UsageError(f"{path}: model file not readable ({exc.strerror or exc})") from None
    return digest.hexdigest()


def _effective(job: Job) -> dict:
    """Every option of ``job`` that decides a result, as JSON values."""
    transitions = job.pipeline.transitions
    return json.loads(json.dumps({"scorer": asdict(job.pipeline.scorer),
                                  "transitions": asdict(transitions) if transitions is not None else None,
                                  "source": {name: getattr(job.source, name) for name in SOURCE_FIELDS}}))


def _flat(tree: dict, prefix: str = "") -> dict:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}`` (lists and None are values)."""
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


_DEFAULTS = _flat(_effective(Job()))


def settings_of(job: Job, model: str) -> dict:
    """The ``settings`` of a manifest line made by ``job`` with the model whose SHA-256 is ``model``."""
    effective = _effective(job)
    key = json.dumps({"model": model, **effective}, sort_keys=True)
    options = {name: value for name, value in _flat(effective).items() if name not in _DEFAULTS or _DEFAULTS[name] != value}
    return {"id": hashlib.sha256(key.encode()).hexdigest()[:16], "model": model, "options": options}


def changes(old: dict | None, new: dict) -> str:
    """What differs between the settings of a line and those of this run, in a few words."""
    if not isinstance(old, dict) or "id" not in old:
        return "its line records no settings (made by an older reprocut)"
    said = []
    if old.get("model") != new["model"]:
        said.append(f"model {str(old.get('model'))[:8]} -> {new['model'][:8]}")
    before, after = old.get("options") or {}, new["options"]
    for name in sorted(before.keys() | after.keys()):
        a, b = (json.dumps(side[name]) if name in side else "default" for side in (before, after))
        if a != b:
            said.append(f"{name} {a} -> {b}")
    return ", ".join(said) or "the defaults of another reprocut version"
