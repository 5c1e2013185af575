"""Scoring labelled clips (``reprocut eval``): each clip through the detector, matched against its labels, one report.

With the default signals each clip is also scored with the KL alone and with pix+hist alone (each
signal's contribution), from the same decode and the same encoder output
(``runner.detect_clip_each``). The report holds every clip's figures, the figures micro-averaged
over the clips and those ablation rows; ``report.format_text`` prints it as ``eval``'s table::

    report = evaluate(load_dataset("eval/"), PipelineConfig(), EvalConfig())
    format_text(report)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..core.scorer import ScorerConfig
from .labels import Labels, frame_times
from .metrics import ClipScore, EvalConfig, micro, score_clip
from .report import clip_report, overall_report, variant_report
from .runner import ClipRun, detect_clip_each

if TYPE_CHECKING:
    from ..runtime.pipeline import PipelineConfig

ABLATION = (("kl only", ("kl",)), ("pix+hist", ("pix", "hist")))  # beside the default signals: each one's contribution

log = logging.getLogger(__name__)


def variants(config: PipelineConfig) -> list[tuple[str, PipelineConfig]]:
    """The configurations each clip is scored under: the one asked for, and with the default signals the ablation rows."""
    if config.scorer.signals != ScorerConfig.signals or config.scorer.threshold_mode != "online":
        return [(",".join(config.scorer.signals), config)]
    return [("default", config)] + [(name, replace(config, scorer=replace(config.scorer, signals=signals, trace=False)))
                                    for name, signals in ABLATION]


def evaluate(targets: Sequence[Labels], config: PipelineConfig, evaluation: EvalConfig,
             each: Callable[[Labels, ClipRun, ClipScore], None] | None = None) -> dict:
    """Detect and score every labelled clip of ``targets`` with one encoder; the report as a JSON-ready dict.

    ``each`` is called after every clip with its labels, its run under ``config`` and that run's score
    (``reprocut eval --plot`` draws the clip's picture there).
    """
    from ..runtime.encoder import Encoder, EncoderConfig

    scored = variants(config)
    encoder = Encoder(EncoderConfig(model=config.model, device=config.device))
    clips, scores = [], [[] for _ in scored]
    for labels in targets:
        log.info("scoring %s", labels.clip)
        runs = detect_clip_each(labels.clip, [c for _, c in scored], encoder)
        run = runs[0]
        if labels.frames is not None and labels.frames != run.frames:
            log.warning("%s: labels say %d frames but %d were decoded; frame numbers may not line up",
                        labels.name, labels.frames, run.frames)
        for kept, r in zip(scores, runs):
            kept.append(score_clip(labels, [c.frame for c in r.cuts], evaluation.tolerance,
                                   [(t.start, t.end) for t in r.transitions], evaluation.gradual_tolerance))
        score = scores[0][-1]
        clips.append(clip_report(labels, run, score, frame_times(labels.clip, labels.fps)))
        if each is not None:
            each(labels, run, score)
    return {
        "model": encoder.path, "device": encoder.device, "mode": config.scorer.threshold_mode,
        "signals": list(config.scorer.signals), "tolerance": evaluation.tolerance,
        "gradual_tolerance": evaluation.gradual_tolerance, "clips": clips, "overall": overall_report(micro(scores[0]), clips),
        "ablation": [variant_report(name, c.scorer.signals, kept, micro(kept)) for (name, c), kept in zip(scored, scores)]
        if len(scored) > 1 else [],
    }
