"""Scoring labelled clips (``reprocut eval``): each clip through the detector, matched against its labels, one report.

With the default signals each clip is also scored with the KL alone and with pix+hist alone (each
signal's contribution), from the same decode and the same encoder output
(``runner.detect_clip_each``). Each run is scored three ways: its cut events, its transitions, and
the scene list the same run gives (``detect --json``/``--csv`` and ``split`` use it). The report
holds every clip's figures, the figures micro-averaged over the clips and over each family of
footage, and those ablation rows; ``report.format_text`` prints it as ``eval``'s table.
``evaluate_spliced`` re-cuts the clips' own shots into new edits with known cuts
(``splice.py``, docs/splice.md) and scores those the same way, apart::

    report = evaluate(load_dataset("eval/"), PipelineConfig(), EvalConfig())
    report["spliced"] = evaluate_spliced(targets, PipelineConfig(), EvalConfig(), SpliceConfig(splice=3))
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
from .report import clip_report, family_reports, generated_report, kind_reports, overall_report, variant_report
from .runner import ClipRun, detect_clip_each
from .splice import SpliceConfig

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


def score_run(labels: Labels, run: ClipRun, evaluation: EvalConfig) -> ClipScore:
    """One run of a clip scored three ways against its labels: its cut events, its transitions and its scene list."""
    return score_clip(labels, [c.frame for c in run.cuts], evaluation.tolerance, [(t.start, t.end) for t in run.transitions],
                      evaluation.gradual_tolerance, scenes=[sc.start_frame for sc in run.scenes])


def evaluate(targets: Sequence[Labels], config: PipelineConfig, evaluation: EvalConfig,
             each: Callable[[Labels, ClipRun, ClipScore], None] | None = None, what: str = "clips") -> dict:
    """Detect and score every labelled clip of ``targets``; the report as a JSON-ready dict.

    ``each`` is called after every clip with its labels, its run under ``config`` and that run's score
    (``reprocut eval --plot`` draws the clip's picture there); ``what``: the progress bar's name for the clips.
    """
    from ..runtime.encoder import Encoder, EncoderConfig
    from ..runtime.progress import Progress

    scored = variants(config)
    encoder = Encoder(EncoderConfig(model=config.model, device=config.device))
    clips, scores = [], [[] for _ in scored]
    progress = Progress(len(targets), f"scoring {what}", unit="clip")
    try:
        for labels in targets:
            log.info("scoring %s", labels.clip)
            runs = detect_clip_each(labels.clip, [c for _, c in scored], encoder)
            run = runs[0]
            if labels.frames is not None and labels.frames != run.frames:
                log.warning("%s: labels say %d frames but %d were decoded; frame numbers may not line up",
                            labels.name, labels.frames, run.frames)
            for kept, r in zip(scores, runs):
                kept.append(score_run(labels, r, evaluation))
            score = scores[0][-1]
            clips.append(clip_report(labels, run, score, frame_times(labels.clip, labels.fps)))
            if each is not None:
                each(labels, run, score)
            progress.update()
    finally:
        progress.close()
    settings = [(name, c.scorer.signals, kept) for (name, c), kept in zip(scored, scores)]
    return {
        "model": encoder.path, "device": encoder.device, "mode": config.scorer.threshold_mode,
        "signals": list(config.scorer.signals), "tolerance": evaluation.tolerance,
        "gradual_tolerance": evaluation.gradual_tolerance, "clips": clips, "overall": overall_report(micro(scores[0]), clips),
        "families": family_reports(clips, settings),
        "ablation": [variant_report(name, signals, kept, micro(kept)) for name, signals, kept in settings]
        if len(scored) > 1 else [],
    }


def evaluate_spliced(targets: Sequence[Labels], config: PipelineConfig, evaluation: EvalConfig, splice: SpliceConfig) -> dict:
    """Write ``splice.splice`` new edits of each clip of ``targets`` (in ``splice.workdir``, or a temp dir removed
    after) and score them as ``evaluate`` does: its report, with what was spliced from what."""
    from .splice_files import splice_dataset, work_folder

    with work_folder(splice.workdir) as folder:
        written = splice_dataset(targets, splice, folder)
        report = evaluate(written.labels, config, evaluation, what="edits")
    edits = {labels.name: labels for labels in written.labels}
    for clip in report["clips"]:
        clip["spliced_from"] = written.sources[clip["name"]]
        clip["generated"] = generated_report(clip, edits[clip["name"]], written.kinds[clip["name"]])
    return {"edits_per_clip": splice.splice, "seed": splice.seed, "workdir": splice.workdir, "skipped": written.skipped,
            "transitions": {"share": splice.transition_share, "frames": [splice.min_transition, splice.max_transition]},
            "joins": written.joins, **report, "by_kind": kind_reports(report["clips"])}
