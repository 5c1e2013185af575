#!/usr/bin/env bash
# Reproduces the bundled model stream/models/default.onnx (see stream/models/MODEL_CARD.md).
# Data: the project's own generated cartoon clips plus the footage in ../shared/train/ (never
# ../shared/eval/). Every epoch's snapshot is exported and scored KL-only on the dev set
# (../shared/eval); the best one becomes the bundled model (the loss does not tell which encoder
# separates cuts best). Usage: bash scripts/train_default_model.sh [RUN_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/default}
DATA=${DATA:-runs/demo-train-clips}
SHARED=${SHARED:-../shared}
REPROCUT=${REPROCUT:-.venv/bin/reprocut}
EPOCHS=${EPOCHS:-12}
mkdir -p "$DATA"
for seed in $(seq 1001 1012); do  # demo seeds for training; the demo stream itself uses seed 0
  [ -f "$DATA/demo_$seed.mp4" ] || "$REPROCUT" -q demo --out "$DATA/demo_$seed.mp4" --frames 500 --seed "$seed"
done
"$REPROCUT" train "$SHARED/train" "$DATA" --out "$RUN" --force \
  --epochs "$EPOCHS" --batch 128 --lr 3e-4 --max-frames-per-source 1200 --seed 0 \
  --data-description "reprocut generated cartoons (12 clips, seeds 1001-1012) + shared/train (see MODEL_CARD.md)"
best="" best_f1=-1
for snapshot in "$RUN"/snapshots/epoch_*.pt; do
  onnx="${snapshot%.pt}.onnx"
  "$REPROCUT" -q export "$snapshot" --out "$onnx" --name reprocut-default > /dev/null
  f1=$("$REPROCUT" -q eval --dataset "$SHARED/eval" --model "$onnx" --signals kl --json |
       python3 -c 'import json, sys; print(json.load(sys.stdin)["overall"]["f1"] or 0)')
  echo "$(basename "$snapshot"): KL-only dev F1 $f1"
  if python3 -c "import sys; sys.exit(not $f1 > $best_f1)"; then best=$onnx best_f1=$f1; fi
done
echo "chosen: $best (KL-only dev F1 $best_f1)"
cp "$best" stream/models/default.onnx
