"""`reprocut adapt`: fine-tuning a base on the user's footage, the model detect then uses, its card, resume, mistakes."""

import json

import numpy as np
import pytest
from helpers import assert_one_line_error, require_extra, run_cli

torch = onnx = None  # the train extra's, imported by ``extras`` (a missing extra fails the tests, naming it)


@pytest.fixture(autouse=True, scope="module")
def extras():
    global torch, onnx
    torch, onnx = require_extra("torch"), require_extra("onnx")

# As in test_train.py: a narrow encoder proves the same facts in a fraction of the time.
NARROW = ("--hidden", "8,16,32,64")
FAST = ("--batch", "8")


@pytest.fixture(scope="module")
def base(tmp_path_factory, clip_factory):
    """A run of `reprocut train` on another clip: the base the adapts start from."""
    clip, _ = clip_factory("adapt-base", frames=48, seed=31)
    run = tmp_path_factory.mktemp("adapt") / "base"
    result = run_cli("train", clip, "--out", run, "--steps", "2", *FAST, *NARROW)
    assert result.returncode == 0, result.stderr
    return run


@pytest.fixture(scope="module")
def footage(clip_factory):
    clip, labels = clip_factory("adapt-footage", frames=60, seed=32)
    return clip


def _state(path) -> dict:
    return torch.load(path, weights_only=False)["model"]


def _onnx_meta(path) -> dict:
    return {p.key: p.value for p in onnx.load(str(path)).metadata_props}


def test_adapt_writes_a_model_that_detect_uses_and_a_card_that_names_footage_and_base(tmp_path, base, footage):
    out = tmp_path / "series.onnx"
    result = run_cli("adapt", footage, "--out", out, "--from", base, "--steps", "3", "--lr", "1e-3", *FAST)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # quiet by default: no warning that 3 steps are too few (the base is trained already)
    assert result.stdout.splitlines()[-1] == f"next: reprocut detect VIDEO --model {out}"

    frames = json.loads((tmp_path / "series.onnx.adapt" / "run" / "frames.json").read_text())["segments"]
    assert [s["n_train"] + s["n_val"] for s in frames] == [60]  # every frame of the footage, none held out
    card = (tmp_path / "series.md").read_text()
    assert f"`{footage}` | 60 |" in card and f"from {base}." in card and "budget `--steps 3`: 3 steps" in card
    meta = _onnx_meta(out)
    assert meta["adapted_from"] == str(base) and meta["adapted_on"] == str(footage)
    facts = json.loads(meta["adaptation"])
    assert facts["footage"] == {"sources": [str(footage)], "files": [{"file": str(footage), "frames": 60}], "frames": 60}
    assert facts["base"]["file"] == str(base / "ckpt.pt") and facts["training"]["steps"] == 3
    assert float(meta["kl_median"]) > 0  # the calibration, measured on the footage, travels in the model

    before, after = _state(base / "ckpt.pt"), _state(tmp_path / "series.onnx.adapt" / "run" / "ckpt.pt")
    moved = [k for k in before if not torch.equal(before[k], after[k])]
    assert any(k.startswith("encoder.") for k in moved) and any(k.startswith("decoder.") for k in moved)

    detect = run_cli("detect", footage, "--model", out, "--jsonl")
    assert detect.returncode == 0, detect.stderr
    events = [json.loads(line) for line in detect.stdout.splitlines()]
    assert any(e["type"] == "cut" for e in events), detect.stdout[-500:]


def test_resume_continues_from_the_saved_step_on_the_recorded_footage(tmp_path, base, footage):
    out = tmp_path / "m.onnx"
    work = tmp_path / "m.onnx.adapt"
    first = run_cli("adapt", footage, "--out", out, "--from", base, "--steps", "2", *FAST)
    assert first.returncode == 0, first.stderr
    spent = torch.load(work / "run" / "ckpt.pt", weights_only=False)["elapsed"]
    resumed = run_cli("adapt", "--out", out, "--resume", "--steps", "4", "-v")  # no sources: the work folder's own
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming {work / 'run'} at step 2" in resumed.stderr
    ckpt = torch.load(work / "run" / "ckpt.pt", weights_only=False)
    assert ckpt["step"] == 4 and ckpt["elapsed"] > spent
    assert "budget `--steps 4`: 4 steps" in (tmp_path / "m.md").read_text()


def test_the_loop_starts_from_the_base_and_keeps_to_a_time_budget_across_resumes(tmp_path, base, footage):
    """In-process, on the trainer's loop as adapt runs it. At learning rate 0 the steps change nothing, so the weights
    after them are where the loop started: the base's, not random ones. A time budget (--minutes) ends the run at the
    first step past it, and a resumed run counts the time its checkpoint records (not the clock's mood)."""
    from reprocut.trainer.adapt import train_config
    from reprocut.trainer.adapt_base import load_base
    from reprocut.trainer.adapt_config import AdaptConfig
    from reprocut.trainer.train import train

    cfg = AdaptConfig(sources=[str(footage)], out=str(tmp_path / "t.onnx"), base=str(base), batch=8, lr=0.0)
    start = load_base(cfg.base)
    tcfg = train_config(cfg, start)
    metrics = train(tcfg, force=True, start=start.state, seconds=0.3, snapshots=False)
    run = tmp_path / "t.onnx.adapt" / "run"
    ckpt = torch.load(run / "ckpt.pt", weights_only=False)
    assert ckpt["step"] == metrics["step"] >= 1 and ckpt["elapsed"] >= 0.3  # no step count: it ran until the budget ended
    assert all(torch.equal(ckpt["model"][k], v) for k, v in _state(base / "ckpt.pt").items())
    assert not (run / "snapshots").exists()  # every epoch (7 steps here) ended without one
    ckpt["elapsed"] = 60.0  # a minute already spent: a one-minute budget resumed runs no step, a longer one does
    torch.save(ckpt, run / "ckpt.pt")
    assert train(tcfg, resume=True, start=start.state, seconds=60.0, snapshots=False)["step"] == ckpt["step"]
    assert train(tcfg, resume=True, start=start.state, seconds=60.2, snapshots=False)["step"] > ckpt["step"]


def test_bad_inputs_give_one_clear_line(tmp_path, base, footage):
    out = tmp_path / "m.onnx"
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n")
    assert_one_line_error(run_cli("adapt", tmp_path / "missing.mp4", "--out", out, "--from", base), "no such file")
    assert_one_line_error(run_cli("adapt", text, "--out", out, "--from", base), "not a readable video")
    assert_one_line_error(run_cli("adapt", "--out", out, "--from", base), "give at least one video")
    assert_one_line_error(run_cli("adapt", footage, "--out", out, "--from", base, "--minutes", "1", "--steps", "2"),
                          "--minutes or --steps, not both")
    assert_one_line_error(run_cli("adapt", footage, "--out", tmp_path / "no" / "m.onnx", "--from", base), "does not exist")
    assert_one_line_error(run_cli("adapt", footage, "--out", out, "--from", tmp_path / "nothing"), "--from")
    model = tmp_path / "model.onnx"
    model.write_bytes(b"onnx")
    assert_one_line_error(run_cli("adapt", footage, "--out", out, "--from", model), "needs the decoder too")
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"\x00" * 100)
    assert_one_line_error(run_cli("adapt", footage, "--out", out, "--from", corrupt), "corrupt")
    assert_one_line_error(run_cli("adapt", "--out", out, "--resume"), "not the work folder of an adapt")
    (tmp_path / "m.onnx.adapt").mkdir()
    (tmp_path / "m.onnx.adapt" / "keep.txt").write_text("x")
    assert_one_line_error(run_cli("adapt", footage, "--out", out, "--from", base), "--resume")
    assert (tmp_path / "m.onnx.adapt" / "keep.txt").exists() and not out.exists()


def test_the_bundled_weights_are_the_default_base(tmp_path, base, monkeypatch):
    """write_weights (scripts/train_default_model.sh) writes the file that a plain `adapt` starts from."""
    from reprocut.trainer import adapt_base, adapt_config

    weights = tmp_path / "default.pt"
    adapt_base.write_weights(str(base), str(weights))
    saved = torch.load(weights, weights_only=False)
    assert "optim" not in saved and saved["step"] == 2
    monkeypatch.setattr(adapt_config, "bundled_weights", lambda: str(weights))
    monkeypatch.setattr(adapt_base, "bundled_weights", lambda: str(weights))
    loaded = adapt_base.load_base("")
    assert loaded.label == "the bundled model (reprocut-default)" and loaded.step == 2
    assert all(torch.equal(loaded.state[k], v) for k, v in _state(base / "ckpt.pt").items())


def test_adapt_from_the_bundled_model(tmp_path, footage):
    """The bundled model ships its full weights, whose encoder is the bundled ONNX encoder, and adapt starts there."""
    import onnxruntime as ort
    from reprocut.stream.runtime.encoder import default_model_path
    from reprocut.trainer.adapt_config import bundled_weights
    from reprocut.trainer.model import ModelConfig, ReproVAE

    saved = torch.load(bundled_weights(), weights_only=False)
    model = ReproVAE(ModelConfig(**saved["config"]["model"]))
    model.load_state_dict(saved["model"])
    x = np.random.default_rng(0).random((4, 3, 64, 64), dtype=np.float32)
    session = ort.InferenceSession(default_model_path(), providers=["CPUExecutionProvider"])
    with torch.no_grad():
        ours = model.eval().encoder(torch.from_numpy(x))
    for theirs, mine in zip(session.run(["mu", "logvar"], {"frames": x}), ours):
        assert np.abs(theirs - mine.numpy()).max() < 1e-4
    out = tmp_path / "m.onnx"
    result = run_cli("adapt", footage, "--out", out, "--steps", "1", *FAST)
    assert result.returncode == 0, result.stderr
    assert _onnx_meta(out)["adapted_from"] == "the bundled model (reprocut-default)"
    assert run_cli("detect", footage, "--model", out).returncode == 0
