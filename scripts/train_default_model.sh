#!/usr/bin/env bash
# Reproduces the bundled model stream/models/default.onnx (see stream/models/MODEL_CARD.md).
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
EPOCHS=${EPOCHS:-7}
mkdir -p "$DATA"
for seed in $(seq 1001 1012); do  # demo seeds for training; the demo stream itself uses seed 0
  [ -f "$DATA/demo_$seed.mp4" ] || "$REPROCUT" -q demo --out "$DATA/demo_$seed.mp4" --frames 500 --seed "$seed"
done
"$REPROCUT" train "$SHARED/train" "$SHARED/train/liveaction" "$DATA" --out "$RUN" --force \
  --epochs "$EPOCHS" --batch 128 --lr 3e-4 --schedule cosine --max-frames-per-source 1200 --seed 0 \
  --data-description "animation: reprocut generated cartoons (12 clips, seeds 1001-1012) + shared/train; live action: shared/train/liveaction (see MODEL_CARD.md)"
for snapshot in "$RUN"/snapshots/epoch_*.pt; do
  onnx="${snapshot%.pt}.onnx"
  "$REPROCUT" -q export "$snapshot" --out "$onnx" --name reprocut-default > /dev/null
  # one command: the default settings' figures and the ablation rows (the KL alone among them)
  "$REPROCUT" -q eval --dataset "$SHARED/eval" --model "$onnx" --json > "${snapshot%.pt}.eval.json"
done
# What users run comes first: the snapshots whose default settings score best on the dev set (hard-cut F1, then
# gradual F1); among them the highest KL-only F1 (the learned signal on its own); among those within one
# detection of it (0.01), the best-trained (lowest validation reconstruction loss): one detection is noise on 47 cuts.
best=$(python3 - "$RUN/snapshots" <<'PY'
import glob, json, os, sys
rows = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "epoch_*.eval.json"))):
    stem = path.removesuffix(".eval.json")
    report = json.load(open(path))
    default = (report["overall"]["f1"] or 0.0, report["overall"]["gradual"]["f1"] or 0.0)
    kl = next(r["overall"]["f1"] for r in report["ablation"] if r["name"] == "kl only") or 0.0
    recon = json.load(open(stem + ".json"))["val_recon"]
    print(f"{os.path.basename(stem)}: default dev F1 {default[0]:.3f} (gradual {default[1]:.3f}), KL-only {kl:.3f}, "
          f"validation reconstruction {recon:.0f}", file=sys.stderr)
    rows.append((default, kl, recon, stem))
top = max(default for default, _, _, _ in rows)
rows = [row for row in rows if row[0] == top]
best_kl = max(kl for _, kl, _, _ in rows)
print(min((recon, stem) for _, kl, recon, stem in rows if kl >= best_kl - 0.01)[1] + ".onnx")
PY
)
echo "chosen: $best"
cp "$best" stream/models/default.onnx
