"""The code decides exactly as ``tests/golden/decisions.json`` says, on every eval clip and demo seed, in all four settings.

The file is written by ``scripts/golden_decisions.py``: a refactor must reproduce it to the frame; a change of
rules made on purpose regenerates it, and its commit says what changed and why (with the eval figures).
"""

from __future__ import annotations

import json
import sys

import pytest
from helpers import ROOT, SHARED, shared_path
from reprocut.stream.runtime.encoder import Encoder, EncoderConfig

sys.path.insert(0, str(ROOT / "scripts"))
from golden_decisions import OUT, clips, decisions, demo_url  # noqa: E402

GOLDEN = json.loads(OUT.read_text())
EVAL_CLIPS = [name for name in GOLDEN if not name.startswith("demo-")]
DEMO_CLIPS = [name for name in GOLDEN if name.startswith("demo-")]


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder(EncoderConfig())


def test_the_file_covers_every_eval_clip_and_the_demo_seeds():
    shared_path("eval", "labels")
    assert sorted(GOLDEN) == sorted(clips(SHARED))


@pytest.mark.parametrize("name", EVAL_CLIPS)
def test_eval_clip_decisions_are_golden(name, encoder):
    labels = json.loads(shared_path("eval", "labels", f"{name}.json").read_text())
    assert decisions(str(SHARED / "eval" / labels["clip"]), encoder) == GOLDEN[name]


@pytest.mark.parametrize("name", DEMO_CLIPS)
def test_demo_seed_decisions_are_golden(name, encoder):
    assert decisions(demo_url(int(name.removeprefix("demo-seed"))), encoder) == GOLDEN[name]
