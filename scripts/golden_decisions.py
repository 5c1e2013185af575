"""Write the golden decisions: what reprocut decides on every clip of ``../shared/eval`` and on the demo seeds.

For each clip, the cut frames and the transition spans (first, last, kind) at four settings: the default,
the KL alone, pix+hist alone (one decode, as ``reprocut eval`` scores its ablation rows) and the paper's
threshold. ``tests/evaluation/test_golden.py`` requires the code to reproduce the file exactly, so a
refactor cannot change a decision by accident; a change of rules made on purpose regenerates it, and its
commit message says what changed and why, with the eval figures.

    .venv/bin/python scripts/golden_decisions.py            # writes tests/golden/decisions.json
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "tests" / "golden" / "decisions.json"
DEMO_SEEDS = (3, 11)
DEMO_FRAMES = 240
SETTINGS = {"default": None, "kl only": ("kl",), "pix+hist": ("pix", "hist")}  # signals; None: the default ones


def demo_url(seed: int) -> str:
    return f"demo://?seed={seed}&frames={DEMO_FRAMES}"


def clips(shared: Path = SHARED) -> dict[str, str]:
    """name -> path or URL of every clip the file covers: the eval clips (where ``shared`` exists) and the demo seeds."""
    out = {}
    for label in sorted((shared / "eval" / "labels").glob("*.json")):
        out[label.stem] = str(shared / "eval" / json.loads(label.read_text())["clip"])
    out.update({f"demo-seed{s}": demo_url(s) for s in DEMO_SEEDS})
    return out


def decisions(clip: str, encoder) -> dict[str, dict]:
    """setting -> {"cuts": [frame...], "transitions": [[first, last, kind]...]} for one clip."""
    from reprocut.stream.evaluation.runner import detect_clip, detect_clip_each
    from reprocut.stream.runtime.pipeline import PipelineConfig

    base = PipelineConfig()
    configs = [base if s is None else replace(base, scorer=replace(base.scorer, signals=s)) for s in SETTINGS.values()]
    runs = detect_clip_each(clip, configs, encoder)
    runs.append(detect_clip(clip, replace(base, scorer=replace(base.scorer, threshold_mode="paper")), encoder))
    return {name: {"cuts": [c.frame for c in r.cuts], "transitions": [[t.start, t.end, t.kind] for t in r.transitions]}
            for name, r in zip([*SETTINGS, "paper"], runs)}


def main(argv: list[str] | None = None) -> int:
    from reprocut.stream.runtime.encoder import Encoder, EncoderConfig

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--shared", type=Path, default=SHARED)
    args = p.parse_args(argv)
    if not (args.shared / "eval" / "labels").is_dir():
        sys.exit(f"{args.shared}/eval/labels not found: the golden file covers the shared eval clips")
    encoder = Encoder(EncoderConfig())
    golden = {}
    for name, clip in clips(args.shared).items():
        print(name, file=sys.stderr)
        golden[name] = decisions(clip, encoder)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
