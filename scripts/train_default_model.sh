#!/usr/bin/env bash
# Trains a candidate for the bundled model stream/models/default.onnx and ships its best snapshot by the rule
# below. The shipped model (2026-12-01) came from this script's earlier recipe (git show 7a92526~1:scripts/
# train_default_model.sh); this recipe's run of 2026-12-07 did not beat it (stream/models/MODEL_CARD.md).
# Data: the project's own generated cartoon clips plus the footage in ../shared/train/ (never
# ../shared/eval/). Every epoch's snapshot is exported and scored on the dev set (../shared/eval),
# with the default settings and with the KL alone; the best one by the rule below becomes the
# bundled model (the loss does not tell which encoder separates cuts best).
# Usage: bash scripts/train_default_model.sh [RUN_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/default}
DATA=${DATA:-runs/demo-train-clips}
SHARED=${SHARED:-../shared}
REPROCUT=${REPROCUT:-.venv/bin/reprocut}
STEPS=${STEPS:-704}
mkdir -p "$DATA"
for seed in $(seq 1001 1012); do  # demo seeds for training; the demo stream itself uses seed 0
  [ -f "$DATA/demo_$seed.mp4" ] || "$REPROCUT" -q demo --out "$DATA/demo_$seed.mp4" --frames 500 --seed "$seed"
done
"$REPROCUT" train "$SHARED/train" "$SHARED/train/liveaction" "$DATA" --out "$RUN" --force \
  --steps "$STEPS" --batch 128 --lr 3e-4 --schedule cosine --max-frames-per-source 1200 --seed 0 \
  --data-description "animation: reprocut generated cartoons (12 clips, seeds 1001-1012) + shared/train; live action: shared/train/liveaction (see MODEL_CARD.md)"
for snapshot in "$RUN"/snapshots/epoch_*.pt; do
  onnx="${snapshot%.pt}.onnx"
  [ -f "${snapshot%.pt}.eval.json" ] && continue  # scored already (the script may be rerun as snapshots appear)
  "$REPROCUT" -q export "$snapshot" --out "$onnx" --name reprocut-default > /dev/null
  # one command: the default settings' figures and the ablation rows (the KL alone among them), per family, on the
  # real clips and on 3 spliced edits of each (the same edits for every snapshot: --seed 0)
  "$REPROCUT" -q eval --dataset "$SHARED/eval" --splice 3 --seed 0 --model "$onnx" --json > "${snapshot%.pt}.eval.json.tmp"
  mv "${snapshot%.pt}.eval.json.tmp" "${snapshot%.pt}.eval.json"
done
# A snapshot is as good as its worse family: for animation and for live action, the mean of the hard-cut F1 on the
# real clips and on the spliced edits; the lower of the two is the snapshot's figure. What users run comes first:
# the snapshots within one detection (0.005) of the best default-settings figure; among them the best KL-only figure
# (the learned signal on its own); among those within 0.01 of it, the best-trained (lowest validation reconstruction).
best=$(python3 - "$RUN/snapshots" <<'PY'
import glob, json, os, sys

FAMILIES = ("animation", "live action")


def figure(report: dict, setting: str) -> tuple[float, dict]:
    """The worse family's mean of real and spliced hard-cut F1, and each family's pair."""
    pairs = {}
    for family in FAMILIES:
        f1s = []
        for part in (report, report["spliced"]):
            row = next(r for r in part["families"] if r["family"] == family)
            f1s.append(next(s for s in row["settings"] if s["name"] == setting)["f1"] or 0.0)
        pairs[family] = f1s
    return min(sum(v) / 2 for v in pairs.values()), pairs


rows = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "epoch_*.eval.json"))):
    stem = path.removesuffix(".eval.json")
    report = json.load(open(path))
    (default, dpairs), (kl, kpairs) = figure(report, "default"), figure(report, "kl only")
    recon = json.load(open(stem + ".json"))["val_recon"]
    said = "; ".join(f"{f} default {dpairs[f][0]:.3f}/{dpairs[f][1]:.3f} KL-only {kpairs[f][0]:.3f}/{kpairs[f][1]:.3f}"
                     for f in FAMILIES)
    print(f"{os.path.basename(stem)}: {said} (real/spliced); figures {default:.3f} / {kl:.3f}; "
          f"validation reconstruction {recon:.0f}", file=sys.stderr)
    rows.append((default, kl, recon, stem))
top = max(default for default, _, _, _ in rows)
rows = [row for row in rows if row[0] >= top - 0.005]
best_kl = max(kl for _, kl, _, _ in rows)
print(min((recon, stem) for _, kl, recon, stem in rows if kl >= best_kl - 0.01)[1] + ".onnx")
PY
)
echo "chosen: $best"
cp "$best" stream/models/default.onnx
# the same snapshot's full weights (the decoder too, no optimiser state): what `reprocut adapt` fine-tunes by default
"${PYTHON:-.venv/bin/python}" -m reprocut.trainer.adapt_base "${best%.onnx}.pt" stream/models/default.pt
