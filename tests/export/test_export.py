"""`reprocut export`: an encoder-only ONNX file that onnxruntime runs like torch does."""


import numpy as np
import onnxruntime as ort
import pytest
from helpers import assert_one_line_error, require_extra, run_cli


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory, clip_factory):
    clip, _ = clip_factory("export", frames=64, seed=12)
    run = tmp_path_factory.mktemp("export") / "run"
    result = run_cli("train", clip, "--out", run, "--steps", "3", "--batch", "16", "--data-description", "generated test cartoon")
    assert result.returncode == 0, result.stderr
    return run


def test_export_matches_torch_and_describes_itself(tmp_path, trained_run):
    torch, onnx = require_extra("torch"), require_extra("onnx")
    from reprocut.trainer.model import ModelConfig, ReproVAE

    out = tmp_path / "m.onnx"
    result = run_cli("export", trained_run, "--out", out)
    assert result.returncode == 0, result.stderr
    assert [line.startswith("parity batch") for line in result.stdout.splitlines()].count(True) == 3
    assert result.stderr == ""  # no torchvision, FutureWarning or onnx_ir/onnxscript chatter
    # self-contained: a single file, no external data beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]
    model = onnx.load(str(out))
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["latent_size"] == "10" and meta["input_size"] == "64"
    assert meta["beta"] == "4.0" and meta["lambda"] == "200.0"
    assert meta["training_data"] == "generated test cartoon"
    assert meta["opset"] == str(model.opset_import[0].version)
    assert "reprocut_version" in meta and float(meta["kl_median"]) >= 0
    assert "AveragePool" not in {n.op_type for n in model.graph.node}  # folded into the convolutions (fold.py)

    ckpt = torch.load(trained_run / "ckpt.pt", weights_only=False)
    vae = ReproVAE(ModelConfig(**ckpt["config"]["model"]))
    vae.load_state_dict(ckpt["model"])
    vae.eval()
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    for n in (1, 7, 64, 130):
        x = np.random.default_rng(n).random((n, 3, 64, 64), dtype=np.float32)
        mu, logvar = session.run(["mu", "logvar"], {"frames": x})
        assert mu.shape == logvar.shape == (n, 10)
        with torch.no_grad():
            t_mu, t_logvar = vae.encoder(torch.from_numpy(x))
        assert np.abs(mu - t_mu.numpy()).max() < 1e-4
        assert np.abs(logvar - t_logvar.numpy()).max() < 1e-4


def test_fp16_export_keeps_float32_interface(tmp_path, trained_run):
    onnx = require_extra("onnx")
    out = tmp_path / "m16.onnx"
    result = run_cli("export", trained_run, "--out", out, "--fp16")
    assert result.returncode == 0, result.stderr
    model = onnx.load(str(out))
    assert {p.key: p.value for p in model.metadata_props}["precision"] == "fp16"
    weights = [t for t in model.graph.initializer if t.dims and len(t.dims) > 1]
    assert weights and all(t.data_type == onnx.TensorProto.FLOAT16 for t in weights)
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert len(out.read_bytes()) < 0.6 * len((trained_run / "ckpt.pt").read_bytes()) / 2


def test_export_refuses_bad_input(tmp_path):
    assert_one_line_error(run_cli("export", tmp_path / "nothing", "--out", tmp_path / "m.onnx"), "no checkpoint")
