"""The model card of an adapted model: a Markdown file beside it (``model.onnx`` -> ``model.md``) that says what
it was fine-tuned on, from which base, for how long and with which settings. ``reprocut adapt`` writes the same
facts into the model's metadata (``adaptation``, JSON), so a model that travels alone still says where it came from::

    write_card("series.onnx", facts)   # -> series.md
"""

from __future__ import annotations

import os

FIGURES = (("val_recon", "reconstruction loss", ".0f"), ("val_kl", "KL to the prior", ".3g"),
           ("val_repro", "reprojection KL", ".3g"), ("kl_median", "consecutive-frame KL, median", ".3g"),
           ("kl_p99", "consecutive-frame KL, 99th percentile", ".3g"))


def card_path(model: str) -> str:
    """Where the card of ``model`` goes: beside it, with ``.md`` for its extension."""
    return os.path.splitext(model)[0] + ".md"


def _figure(values: dict, key: str, fmt: str) -> str:
    return format(values[key], fmt) if key in values else "-"


def _value(v: object) -> str:
    return ",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)


def card_markdown(facts: dict) -> str:
    """The card's text from the facts ``reprocut adapt`` gathers (``trainer/adapt.py``)."""
    base, footage, training = facts["base"], facts["footage"], facts["training"]
    lines = [
        f"# {facts['model']}: model card", "",
        f"`{facts['file']}` is a Repro-VAE encoder fine-tuned by `reprocut adapt` on the footage below, without labels, "
        f"from {base['model']}. Use it with `reprocut detect VIDEO --model {facts['file']}` (`serve`, `batch` and `eval` "
        "take `--model` too).", "",
        "## Footage", "",
        "Sources given: " + ", ".join(f"`{s}`" for s in footage["sources"]) + ".", "",
        "| file | frames |", "|---|---:|",
        *[f"| `{f['file']}` | {f['frames']:,} |" for f in footage["files"]],
        f"| **all** | **{footage['frames']:,}** |", "",
        "Every decoded frame was trained on: no labels are used, and the model is meant for this footage (the paper's "
        "own setting: train on the film you segment), so none is held out.", "",
        "## Base model", "",
        f"- {base['model']} (`{base['file']}`, sha256 {base['sha256']}...)",
        f"- trained for {base['steps']:,} steps on: {base['training_data'] or 'not recorded'}", "",
        "## Fine-tuning", "",
        f"- {facts['date']}, reprocut {facts['reprocut_version']}",
        f"- budget `{training['budget']}`: {training['steps']:,} steps in {training['minutes']:.2f} minutes "
        f"({training['frames_per_s']:.0f} frames/s on {training['device']})",
        f"- batch {training['batch']}, learning rate {training['lr']:g} (constant), seed {training['seed']}, "
        "augmentations " + (", ".join(k for k, on in training["augment"].items() if on is True) or "none"),
        "- the base's architecture and loss: " + ", ".join(f"{k} {_value(v)}" for k, v in training["model"].items()), "",
        "```", facts["command"], "```", "",
        "## On this footage, before and after", "",
        "| | base | adapted |", "|---|---:|---:|",
        *[f"| {label} | {_figure(facts['figures']['base'], key, fmt)} | {_figure(facts['figures']['adapted'], key, fmt)} |"
          for key, label, fmt in FIGURES],
        "",
        f"Measured on {facts['figures']['adapted'].get('val_frames', 0):,} frames of the footage, in order. The loss falls as "
        "the model fits the footage; the consecutive-frame KL's median is stored in the model as its calibration (the "
        "detector's noise floor for the KL). These are no accuracy figures: label a few clips "
        "(docs/labels.md) and compare `reprocut eval --model` with and without this model.",
    ]
    if "parity" in facts:
        lines += ["", "## Export", "",
                  f"ONNX, checked against torch at batch 1, 7 and 64: max abs difference {facts['parity']:.3g}."]
    return "\n".join(lines) + "\n"


def write_card(model: str, facts: dict) -> str:
    """Write the card of ``model`` beside it; returns its path."""
    path = card_path(model)
    with open(path + ".tmp", "w") as f:
        f.write(card_markdown(facts))
    os.replace(path + ".tmp", path)
    return path
