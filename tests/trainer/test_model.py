"""The Repro-VAE's architecture and each loss term's behaviour."""

import pytest
from helpers import require_extra

# the train extra's, imported by ``extras`` (a missing extra fails the tests, naming it)
torch = ModelConfig = ReproVAE = count_parameters = kl_gaussians = kl_to_prior = config_from_dict = None


@pytest.fixture(autouse=True, scope="module")
def extras():
    global torch, ModelConfig, ReproVAE, count_parameters, kl_gaussians, kl_to_prior, config_from_dict
    torch = require_extra("torch")
    from reprocut.trainer.model import ModelConfig, ReproVAE, count_parameters, kl_gaussians, kl_to_prior
    from reprocut.trainer.train import config_from_dict


def test_default_architecture_matches_the_paper():
    model = ReproVAE(ModelConfig())
    assert count_parameters(model.encoder) == 470_356
    assert count_parameters(model.decoder) == 442_467
    assert count_parameters(model) == 912_823
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
    x = torch.rand(5, 3, 64, 64)
    mu, logvar = model.encoder(x)
    assert mu.shape == logvar.shape == (5, 10)
    assert model.decoder(mu).shape == (5, 3, 64, 64)


@pytest.mark.parametrize("pooling", ["avg", "max", "none"])
@pytest.mark.parametrize("activation", ["leakyrelu", "relu", "elu"])
def test_configurable_variants_keep_shapes(pooling, activation):
    cfg = ModelConfig(latent=6, hidden=(8, 16, 16, 32), pooling=pooling, activation=activation)
    model = ReproVAE(cfg)
    mu, logvar = model.encoder(torch.rand(3, 3, 64, 64))
    assert mu.shape == (3, 6)
    loss, terms = model(torch.rand(3, 3, 64, 64))
    assert torch.isfinite(loss) and set(terms) == {"recon", "kl", "repro"}


def test_bad_config_is_refused():
    with pytest.raises(ValueError):
        ModelConfig(pooling="median")
    with pytest.raises(ValueError):
        ModelConfig(recon="l1")


def test_kl_terms_vanish_exactly_when_distributions_coincide():
    mu, logvar = torch.randn(4, 10), torch.randn(4, 10)
    assert torch.allclose(kl_gaussians(mu, logvar, mu, logvar), torch.zeros(4), atol=1e-5)
    assert torch.all(kl_gaussians(mu, logvar, mu + 1.0, logvar) > 0.1)
    assert torch.allclose(kl_to_prior(torch.zeros(2, 10), torch.zeros(2, 10)), torch.zeros(2))
    # shift by d in every dimension of a unit Gaussian: KL = 0.5 * sum(d^2)
    assert torch.allclose(kl_to_prior(torch.full((1, 10), 2.0), torch.zeros(1, 10)), torch.tensor([20.0]))


def test_loss_is_weighted_sum_of_terms():
    torch.manual_seed(0)
    cfg = ModelConfig(beta=3.0, lam=7.0)
    model = ReproVAE(cfg)
    x = torch.rand(4, 3, 64, 64)
    torch.manual_seed(1)
    loss, t = model(x)
    assert torch.allclose(loss, t["recon"] + 3.0 * t["kl"] + 7.0 * t["repro"])
    # BCE summed over pixels: 3*64*64 values of at most ~log(2) each for an untrained decoder
    assert 0.5 * 12288 < t["recon"] < 12288


def test_mse_reconstruction_option():
    model = ReproVAE(ModelConfig(recon="mse"))
    x = torch.rand(2, 3, 64, 64)
    _, t = model(x)
    assert 0 < t["recon"] < 12288  # squared error of values in [0,1], summed over 12288 pixels


def test_reprojection_target_is_detached():
    """q(z|x) is the KL's fixed target: with a decoder that ignores z, the term cannot move the first pass."""
    torch.manual_seed(0)
    model = ReproVAE(ModelConfig(beta=0.0, lam=1.0))
    with torch.no_grad():
        model.decoder.project.weight.zero_()  # x~ no longer depends on z, so only the KL target links the passes
    passes = []
    encode = model.encoder.encode

    def keep(x):
        outputs = encode(x)
        for t in outputs:
            t.retain_grad()
        passes.append(outputs)
        return outputs

    model.encoder.encode = keep
    _, terms = model(torch.rand(4, 3, 64, 64))
    terms["repro"].backward()
    (first_mu, first_logvar), (second_mu, second_logvar) = passes
    assert torch.count_nonzero(first_mu.grad) == 0 and torch.count_nonzero(first_logvar.grad) == 0
    assert second_mu.grad.abs().sum() > 0 and second_logvar.grad.abs().sum() > 0
    assert model.decoder.project.weight.grad.abs().sum() > 0  # the decoder still learns from the term


def test_a_frame_dimmed_into_a_dip_encodes_as_the_frame_itself():
    """Exposure normalisation: an edit's brightness dip (the shot at 40%) must not move the latent as a cut does."""
    torch.manual_seed(0)
    x = torch.rand(3, 3, 64, 64) * 0.8  # means ~0.4, brightest 0.8: brought to 0.45 without clipping
    encoder = ReproVAE(ModelConfig()).encoder
    for dimmed in (x * 0.4, x * 0.6):
        torch.testing.assert_close(encoder(dimmed), encoder(x), rtol=1e-4, atol=1e-5)
    off = ReproVAE(ModelConfig(exposure=1.0)).encoder  # the paper's input: the dip moves the latent
    assert not torch.allclose(off(x * 0.4)[0], off(x)[0], atol=1e-3)


def test_exposure_gain_is_capped_so_a_fade_to_black_stays_a_change():
    encoder = ReproVAE(ModelConfig()).encoder
    x = torch.rand(2, 3, 64, 64) * 0.8
    assert not torch.allclose(encoder(x * 0.1)[0], encoder(x)[0], atol=1e-3)  # 10%: a gain of 3 does not restore it
    mu, logvar = encoder(torch.zeros(2, 3, 64, 64))
    assert torch.isfinite(mu).all() and torch.isfinite(logvar).all()
    torch.testing.assert_close(encoder(torch.zeros(1, 3, 64, 64)), encoder.encode(torch.zeros(1, 3, 64, 64)))  # black stays black
    with pytest.raises(ValueError, match="exposure"):
        ModelConfig(exposure=0.5)


def test_runs_from_before_exposure_normalisation_keep_the_paper_s_input():
    """A checkpoint's config without the key was trained on raw frames: loading it must not switch the step on."""
    cfg = config_from_dict({"out": "r", "data": {"inputs": ["v.mp4"]}, "model": {"latent": 10}})
    assert cfg.model.exposure == 1.0
    assert config_from_dict({"out": "r", "data": {"inputs": ["v.mp4"]}, "model": {"exposure": 3.0}}).model.exposure == 3.0
