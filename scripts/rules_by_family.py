"""Each rule of the scorer and of the transition detector switched off alone, per family: the table of BENCHMARKS.md
("Each rule on and off, per family").

Every clip of each dataset folder is decoded and encoded once and replayed under each setting
(``runner.detect_clip_each``), scored as ``reprocut eval`` scores it (``dataset.score_run``); a row says F1 with the rule on (the default
settings, or the KL alone for the latent's own rules) / off, for the hard cuts, the scene list and the gradual
transitions of each family. Give the real clips and a folder of spliced edits (``reprocut eval --splice 3 --seed 0
--workdir DIR`` writes one)::

    .venv/bin/python scripts/rules_by_family.py ../shared/eval spliced-s0/ > rules.md
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from reprocut.stream.core.decider import DeciderConfig
from reprocut.stream.core.rules import (LatentShareConfig, LatentSpikeConfig, LatentUnrelatedConfig, SamePictureConfig,
                                        UnrelatedConfig, VeilConfig)
from reprocut.stream.core.scoring import ScoringConfig
from reprocut.stream.core.transitions import TransitionConfig
from reprocut.stream.core.transitions.config import BurstConfig, TwinConfig
from reprocut.stream.evaluation.dataset import score_run
from reprocut.stream.evaluation.labels import load_dataset
from reprocut.stream.evaluation.metrics import EvalConfig, micro
from reprocut.stream.evaluation.runner import detect_clip_each
from reprocut.stream.runtime.encoder import Encoder, EncoderConfig
from reprocut.stream.runtime.pipeline import PipelineConfig

NEVER = 1e9  # a ratio no change reaches: the part never opens


def settings() -> list[tuple[str, PipelineConfig, str]]:
    """(row name, its configuration, the row it is compared with)."""
    base = PipelineConfig()
    s = base.scorer

    def scorer(**changes) -> PipelineConfig:
        return replace(base, scorer=replace(s, **changes))

    def transitions(**changes) -> PipelineConfig:
        return replace(base, transitions=replace(base.transitions, **changes))

    kl = replace(s, signals=("kl",))
    return [
        ("default", base, ""),
        ("same-picture guard", scorer(same_picture=SamePictureConfig(layout=2.0)), "default"),
        ("its latent agreement", scorer(same_picture=SamePictureConfig(latent=False)), "default"),
        ("layouts' unrelated-pictures cut", scorer(unrelated=UnrelatedConfig(layout=-2.0)), "default"),
        ("latent's unrelated-pictures cut", scorer(latent_unrelated=LatentUnrelatedConfig(share=0.0)), "default"),
        ("veil of light (final veto)", scorer(veil=VeilConfig(rest=0.0)), "default"),
        ("flash guard", scorer(decider=replace(s.decider, flash_frames=0)), "default"),
        ("minimum scene length", scorer(decider=replace(s.decider, min_scene_len=0.0)), "default"),
        ("every signal rises 2x", scorer(scoring=replace(s.scoring, min_ratio=0.0)), "default"),
        ("faint change (min_pix)", scorer(scoring=replace(s.scoring, min_pix=0.0)), "default"),
        ("unblending", replace(base, unblend=None), "default"),
        ("levels", replace(base, levels=None), "default"),
        ("transitions (all)", replace(base, transitions=None), "default"),
        ("twin comparison", transitions(twin=TwinConfig(open_ratio=NEVER)), "default"),
        ("bursts (blur, flash)", transitions(burst=BurstConfig(ratio=NEVER)), "default"),
        ("a fade in ends where it arrived", transitions(arrived=1.0), "default"),
        ("KL only", replace(base, scorer=kl), ""),
        ("KL only: latent share", replace(base, scorer=replace(kl, latent_share=LatentShareConfig(0.0, 0.0))), "KL only"),
        ("KL only: latent spike", replace(base, scorer=replace(kl, latent_spike=LatentSpikeConfig(0.0))), "KL only"),
        ("KL only: latent unrelated cut", replace(base, scorer=replace(kl, latent_unrelated=LatentUnrelatedConfig(0.0))),
         "KL only"),
        ("KL only: flash guard", replace(base, scorer=replace(kl, decider=replace(kl.decider, flash_frames=0))), "KL only"),
    ]


def figures(folder: str, configs: list[PipelineConfig], encoder: Encoder) -> list[dict[str, tuple[float | None, ...]]]:
    """For each setting: family -> (hard-cut F1, scene-list F1, gradual F1), micro-averaged over its clips."""
    targets, evaluation = load_dataset(folder), EvalConfig()
    scores: list[list] = [[] for _ in configs]
    for n, labels in enumerate(targets, 1):
        print(f"{folder}: {n}/{len(targets)} {labels.name}", file=sys.stderr)
        for kept, run in zip(scores, detect_clip_each(labels.clip, configs, encoder)):
            kept.append((labels.family, score_run(labels, run, evaluation)))
    out = []
    for kept in scores:
        row = {}
        for family in sorted({f for f, _ in kept}):
            t = micro(s for f, s in kept if f == family)
            row[family] = (t.f1, t.scenes.f1 if t.scenes else None, t.gradual.f1 if t.gradual.found or t.gradual.missed else None)
        out.append(row)
    return out


def cell(f1: float | None) -> str:
    """An F1 as the table shows it; "-" where there was nothing to score (no labelled cut or span, nothing found)."""
    return "-" if f1 is None else f"{f1:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+", help="dataset folders (labels/*.json), e.g. the real clips and spliced edits")
    args = parser.parse_args()
    rows = settings()
    configs = [c for _, c, _ in rows]
    encoder = Encoder(EncoderConfig())
    by_folder = [figures(folder, configs, encoder) for folder in args.datasets]
    names = [name for name, _, _ in rows]
    cells = [f"{folder}: {what}" for folder in args.datasets for what in ("hard", "scenes", "gradual")]
    print("| rule off | family | " + " | ".join(cells) + " |")
    print("|---|---|" + "---|" * len(cells))
    for i, (name, _, against) in enumerate(rows):
        ref = names.index(against) if against else i
        for family in sorted(by_folder[0][i]):
            values = []
            for table in by_folder:
                for k in range(3):
                    on, off = (cell(t.get(family, (None,) * 3)[k]) for t in (table[ref], table[i]))
                    values.append(off if ref == i else f"{on} / {off}")
            print(f"| {name if family == min(by_folder[0][i]) else ''} | {family} | " + " | ".join(values) + " |")


if __name__ == "__main__":
    main()
