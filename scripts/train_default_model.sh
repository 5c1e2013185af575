#!/usr/bin/env bash
# Reproduces the bundled model stream/models/default.onnx (see stream/models/MODEL_CARD.md).
# Data: the project's own generated cartoon clips plus the open footage in ../shared/train/
# (never ../shared/eval/). Usage: bash scripts/train_default_model.sh [RUN_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/default}
DATA=${DATA:-runs/demo-train-clips}
SHARED=${SHARED:-../shared/train}
REPROCUT=${REPROCUT:-.venv/bin/reprocut}
mkdir -p "$DATA"
for seed in $(seq 1001 1012); do  # demo seeds for training; the demo stream itself uses seed 0
  [ -f "$DATA/demo_$seed.mp4" ] || "$REPROCUT" -q demo --out "$DATA/demo_$seed.mp4" --frames 500 --seed "$seed"
done
"$REPROCUT" train "$SHARED" "$DATA" --out "$RUN" --force \
  --epochs 10 --batch 128 --lr 3e-4 --max-frames-per-source 1200 --seed 0 \
  --data-description "reprocut generated cartoons (12 clips, seeds 1001-1012) + shared/train: 25 open/internal anime, cartoon, game and CG clips (see MODEL_CARD.md)"
"$REPROCUT" export "$RUN" --out stream/models/default.onnx --name reprocut-default
