"""The ONNX Runtime encoder session: shapes, metadata checks, refusal of models that do not fit."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import matched, read_labels, require_extra
from reprocut.stream.core.calibration import Calibration
from reprocut.stream.core.errors import UsageError
from reprocut.stream.core.scorer import ScorerConfig
from reprocut.stream.evaluation.runner import detect_clip
from reprocut.stream.runtime.encoder import Encoder, EncoderConfig, default_model_path
from reprocut.stream.runtime.pipeline import PipelineConfig


def test_encodes_uint8_frames_to_posteriors(tiny_model):
    enc = Encoder(EncoderConfig(model=str(tiny_model)))
    assert (enc.input_size, enc.latent, enc.device) == (64, 10, "cpu")
    # the calibration is the training run's own validation KL, carried through the export's metadata
    metrics = json.loads((tiny_model.parent / "run" / "metrics.json").read_text())
    assert enc.calibration == Calibration(metrics["kl_median"], metrics["kl_p99"])
    frames = np.random.default_rng(0).integers(0, 256, (7, 64, 64, 3), dtype=np.uint8)
    mu, logvar = enc.encode(frames)
    assert mu.shape == logvar.shape == (7, 10) and mu.dtype == np.float32
    # a frame's code does not depend on its batch (no BatchNorm): batch of 1 == row of batch of 7
    mu1, _ = enc.encode(frames[3:4])
    assert np.abs(mu1[0] - mu[3]).max() < 1e-5
    with pytest.raises(ValueError):
        enc.encode(np.zeros((1, 32, 32, 3), np.uint8))


def test_bundled_model_loads_and_says_what_it_is():
    enc = Encoder()
    assert enc.path == default_model_path()
    assert enc.latent == 10 and enc.input_size == 64
    assert enc.metadata["training_data"] and enc.metadata["model_name"] == "reprocut-default"
    card = (Path(default_model_path()).parent / "MODEL_CARD.md").read_text()
    stated = re.search(r"consecutive-frame symmetric KL, median \| ([0-9.]+) \|", card).group(1)
    assert f"{enc.calibration.kl_median:.3f}" == stated  # the figure its model card states


def test_the_bundled_encoder_alone_finds_the_cuts_inside_an_edit_s_brightness_dips():
    """A 60 fps fan edit wraps each cut in a dip (the old shot dims to ~45%, a clean switch, the new one
    brightens). The encoder normalises each frame's exposure, so the dimming hardly moves its latent and the
    cut does: the KL alone finds them (the model trained on raw frames found 0 of these 5, by the KL alone)."""
    path, labels = read_labels("demonslayer_tanjiro_edit_vertical")
    encoder = Encoder()
    assert json.loads(encoder.metadata["model_config"])["exposure"] > 1  # trained and exported with the step
    run = detect_clip(str(path), PipelineConfig(scorer=ScorerConfig(signals=("kl",))), encoder)
    spans = [(a, b) for a, b, kind in labels["hard_negatives"] if "dip" in kind]
    dips = [c for c in labels["cuts"] if any(a <= c <= b for a, b in spans)]
    found = [c.frame for c in run.cuts if any(a <= c.frame <= b for a, b in spans)]
    assert len(dips) == 5 and matched(found, dips) == dips and len(found) == 5  # each cut once, no dip frame


def _save(graph, path, meta=None):
    onnx = require_extra("onnx")
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 18)])
    model.ir_version = 10  # what onnxruntime reads (the onnx package may default to a newer IR)
    for k, v in (meta or {}).items():
        model.metadata_props.append(onnx.StringStringEntryProto(key=k, value=v))
    onnx.save(model, str(path))


def test_refuses_models_that_do_not_fit(tmp_path):
    onnx = require_extra("onnx")
    h = onnx.helper
    f32 = onnx.TensorProto.FLOAT
    # right names, wrong input size (32x32)
    g = h.make_graph(
        [h.make_node("GlobalAveragePool", ["frames"], ["p"]), h.make_node("Flatten", ["p"], ["m"]),
         h.make_node("Identity", ["m"], ["mu"]), h.make_node("Identity", ["m"], ["logvar"])],
        "g", [h.make_tensor_value_info("frames", f32, ["N", 3, 32, 32])],
        [h.make_tensor_value_info("mu", f32, ["N", 3]), h.make_tensor_value_info("logvar", f32, ["N", 3])],
    )
    small = tmp_path / "small.onnx"
    _save(g, small, {"input_size": "64"})
    with pytest.raises(UsageError, match="metadata says input 64"):
        Encoder(EncoderConfig(model=str(small)))
    # not an encoder at all: wrong output names
    g2 = h.make_graph([h.make_node("Identity", ["x"], ["y"])], "g", [h.make_tensor_value_info("x", f32, [1, 3, 64, 64])], [h.make_tensor_value_info("y", f32, [1, 3, 64, 64])])
    other = tmp_path / "other.onnx"
    _save(g2, other)
    with pytest.raises(UsageError, match="not a reprocut encoder"):
        Encoder(EncoderConfig(model=str(other)))
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"definitely not protobuf" * 10)
    with pytest.raises(UsageError, match="not a usable ONNX model") as info:
        Encoder(EncoderConfig(model=str(junk)))
    assert "onnxruntime_src" not in str(info.value)
    with pytest.raises(UsageError, match="not found"):
        Encoder(EncoderConfig(model=str(tmp_path / "absent.onnx")))
