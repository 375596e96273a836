"""e-prop: eligibility-trace factorisation vs BPTT, Brian2 vs the numpy reference, training, protocol."""
import numpy as np
import pytest

from workbench.backends import use_backend
from workbench.eprop import reference as R
from workbench.eprop.simulator import EpropSimulator
from workbench.eprop.train import Trainer, train_classifier
from workbench.networks.lsnn import LSNNConfig, init_weights


def _problem(loss, seed=1, B=2, T=40, n_lif=3, n_alif=3):
    cfg = LSNNConfig(n_in=4, n_lif=n_lif, n_alif=n_alif, n_out=2, tau_a=50.0, beta=0.3, v_th=0.5, n_ref=3, loss=loss)
    rng = np.random.default_rng(seed)
    W = init_weights(cfg, rng, w_in_scale=2.0, w_rec_scale=1.5)
    x = (rng.random((B, T, cfg.n_in)) < 0.3).astype(float)
    if loss == "mse":
        y = rng.standard_normal((B, T, 2))
        m = np.ones((B, T, 2))
    else:
        y = np.repeat(np.eye(2)[rng.integers(0, 2, B)][:, None, :], T, axis=1)
        m = np.zeros((B, T, 2))
        m[:, -10:] = 0.1
    return cfg, W, x, y, m


def _rel(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


def _cos(a, b):
    a, b = a.ravel(), b.ravel()
    return a @ b / np.linalg.norm(a) / np.linalg.norm(b)


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_factorisation_with_exact_learning_signal_equals_bptt(loss):
    cfg, W, x, y, m = _problem(loss)
    g, info = R.bptt_gradients(cfg, W, x, y, m, c_reg=0.5, f_target_hz=10.0)
    assert 0.02 < info["fwd"]["z"].mean() < 0.5  # the network spikes, so the check is not vacuous
    assert np.any(info["fwd"]["refr"]) and np.any(info["fwd"]["a"] > 0)
    fg = R.factorised_gradients(cfg, W, x, info["dEdz"], info["fwd"])
    for k in ("w_in", "w_rec"):
        assert np.abs(g[k]).max() > 0
        assert _rel(fg[k], g[k]) < 1e-6, k
    # a wrong eligibility trace (adaptation ignored) must be caught
    fake = R.eligibility_traces(LSNNConfig(**dict(cfg.to_dict(), beta=0.0)), x, info["fwd"]["psi"])
    g_fake = np.einsum("btj,btij->ij", info["dEdz"], fake)
    assert _rel(g_fake, g["w_in"]) > 1e-3


def test_bptt_readout_gradient_matches_finite_differences():
    cfg, W, x, y, m = _problem("mse", T=30)
    g, info = R.bptt_gradients(cfg, W, x, y, m)
    h = 1e-6
    for (j, k) in [(0, 0), (4, 1)]:
        Wp = {n: v.copy() for n, v in W.items()}
        Wp["w_out"][j, k] += h
        lp = R.loss_and_output_error(cfg, R.forward(cfg, Wp, x)["y"], y, m)[0]
        Wp["w_out"][j, k] -= 2 * h
        lm = R.loss_and_output_error(cfg, R.forward(cfg, Wp, x)["y"], y, m)[0]
        assert abs((lp - lm) / (2 * h) - g["w_out"][j, k]) < 1e-6 * max(1, abs(g["w_out"][j, k]))


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_eprop_positively_aligned_with_bptt(loss):
    cfg, W, x, y, m = _problem(loss, B=4, T=60)
    g, _ = R.bptt_gradients(cfg, W, x, y, m, c_reg=0.5, f_target_hz=10.0)
    eg, _ = R.eprop_gradients(cfg, W, x, y, m, c_reg=0.5, f_target_hz=10.0)
    assert _rel(eg["w_out"], g["w_out"]) < 1e-10  # readout gradient is exact
    for k in ("w_in", "w_rec"):
        assert _cos(eg[k], g[k]) > 0.5, (k, _cos(eg[k], g[k]))
    rnd = R.eprop_gradients(cfg, W, x, y, m, feedback=np.random.default_rng(5).standard_normal((cfg.n_rec, 2)))[0]
    assert np.isfinite(rnd["w_in"]).all()


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_brian2_matches_reference_step_for_step(loss):
    cfg, W, x, y, m = _problem(loss, B=3, T=25)
    with use_backend("numpy") as be:
        tr = Trainer(cfg, 3, 25, be, np.random.default_rng(0), c_reg=0.5, f_target_hz=10.0, record_states=6)
        tr.W = {k: v.copy() for k, v in W.items()}
        res = tr.simulate(x, y, m)
        grads = tr.gradients(res)
    eg, info = R.eprop_gradients(cfg, W, x, y, m, c_reg=0.5, f_target_hz=10.0)
    z = np.zeros_like(info["fwd"]["z"])
    z[res["spike_trial"], res["spike_step"], res["spike_neuron"]] = 1
    assert z.sum() > 10
    np.testing.assert_array_equal(z, info["fwd"]["z"])
    np.testing.assert_allclose(res["v"].T, info["fwd"]["v"][0], atol=1e-12)
    np.testing.assert_allclose(res["y"], info["fwd"]["y"], atol=1e-12)
    assert res["loss"].mean() == pytest.approx(info["loss"], rel=1e-12)
    for k in ("w_in", "w_rec", "w_out"):
        assert _rel(grads[k], eg[k]) < 1e-9, k


def test_standalone_reruns_without_rebuild(tmp_path):
    """One cpp_standalone build; new weights and inputs through run_args give the reference's gradients."""
    cfg, W, x, y, m = _problem("ce", B=2, T=20, n_lif=2, n_alif=2)
    W2 = {k: v * 1.3 for k, v in W.items()}
    x2 = x[::-1].copy()
    with use_backend("cpp_standalone", build_dir=tmp_path / "build") as be:
        net = EpropSimulator(cfg, 2, 20, be)
        out = [net.run(W, x, y, m), net.run(W2, x2, y, m)]
        assert net.sim.n_runs == 2
        binary = be.build_dir / "main"
        assert binary.exists()
    for (Wk, xk), res in zip([(W, x), (W2, x2)], out):
        eg, info = R.eprop_gradients(cfg, Wk, xk, y, m)
        assert res["count_total"].sum() == info["fwd"]["z"].sum() > 0
        for k, gk in (("w_in", "G_in"), ("w_rec", "G_rec"), ("w_out", "G_out")):
            assert _rel(res[gk] / 2, eg[k]) < 1e-9
    assert not np.allclose(out[0]["G_in"], out[1]["G_in"])


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="loss"):
        LSNNConfig(n_in=2, n_lif=2, n_alif=0, n_out=1, loss="hinge")
    with pytest.raises(ValueError, match="recurrent neuron"):
        LSNNConfig(n_in=2, n_lif=0, n_alif=0, n_out=1)
    cfg, W, x, y, m = _problem("mse")
    with pytest.raises(ValueError, match="shape"):
        R.forward(cfg, W, x[:, :, :2])
    with use_backend("numpy") as be:
        net = EpropSimulator(cfg, 2, 40, be)
        with pytest.raises(ValueError, match="inputs must have shape"):
            net.run(W, x[:, :10], y, m)
    with pytest.raises(ValueError, match="unknown parameter"):
        train_classifier(x, [0, 1], x, n_hidden=3)
    with pytest.raises(ValueError, match="labels"):
        train_classifier(x, [0], x)


def test_train_classifier_learns_a_temporal_task():
    """Which of two input channels fired *first* (both fire equally often): needs memory."""
    rng = np.random.default_rng(3)

    def data(n):
        labels = rng.integers(0, 2, n)
        X = np.zeros((n, 24, 4))
        for b, lab in enumerate(labels):
            X[b, 2:7, lab] = rng.random(5) < 0.8
            X[b, 9:14, 1 - lab] = rng.random(5) < 0.8
            X[b, :, 2:] = rng.random((24, 2)) < 0.05
        return X, labels

    Xtr, ytr = data(32)
    Xte, yte = data(32)
    pred, met = train_classifier(Xtr, ytr, Xte, yte, backend="numpy", seed=0, n_lif=12, n_alif=4, epochs=10,
                                 batch=8, lr=0.02, tau_a=100.0, decision_steps=6, w_in_scale=3.0)
    assert pred.shape == (32,)
    assert met["train_accuracy"][-1] > met["train_accuracy"][0] or met["train_accuracy"][0] > 0.9
    assert met["test_accuracy"] >= 0.8, met


def test_biosignal_adapter_on_encoded_spike_trains():
    """eprop_model takes the biosignal protocol's EncodedData (spike trains per sample) and folds."""
    from workbench.encoders import SpikeTrains, spikes_to_dense
    from workbench.experiments.biosignal_models import EncodedData, eprop_model
    from workbench.protocol import RunContext

    rng = np.random.default_rng(0)
    labels = np.tile([0, 1], 12)
    trains = []
    for lab in labels:  # class 0 fires early on channel 0, class 1 late on channel 1
        t = np.sort(rng.uniform(1, 8, 5)) + (0 if lab == 0 else 10)
        trains.append(SpikeTrains(channel=np.full(5, lab), times=t, n_channels=3, duration=20.0))
    X = spikes_to_dense(trains, 3, 20.0)
    assert X.shape == (24, 20, 3) and X.sum() > 0 and X.max() == 1
    data = EncodedData(spikes=trains, labels=labels, folds=[(np.arange(16), np.arange(16, 24))], duration_ms=20.0,
                       n_in=3, class_names=["a", "b"], signals=np.zeros((24, 20, 3)))

    class P(dict):
        pass

    params = P(eprop_epochs=6, eprop_n_lif=8, eprop_n_alif=0, eprop_batch=8, eprop_lr=0.03, eprop_w_in_scale=3.0,
               eprop_decision_steps=5)
    res = eprop_model(data, params, RunContext(protocol="biosignal", backend="numpy", seed=0))
    assert res.predictions[0].shape == (8,)
    assert np.mean(res.predictions[0] == labels[16:]) >= 0.75
