"""Liquid state machine: wiring from the paper's parameters, one-network simulation with resets,
separation property, protocol and figures at a small size (numpy backend)."""
import numpy as np
import pytest
from brian2 import ms

from workbench.experiments import lsm
from workbench.networks import liquid
from workbench.readout import filtered_states


def test_liquid_wiring_follows_the_paper():
    liq = liquid.make_liquid((15, 3, 3), 2, rng=0)
    assert liq.N == 135 and liq.inhibitory.sum() == 27
    # mean A per type (gamma, SD = mean) and delays
    ee = ~liq.syn_inhibitory & ~liq.inhibitory[liq.post]
    assert np.all(liq.delay[ee] == 1.5) and np.all(liq.delay[~ee] == 0.8)
    assert np.all(liq.A[liq.syn_inhibitory] < 0) and np.all(liq.A[~liq.syn_inhibitory] > 0)
    assert np.all((liq.U > 0) & (liq.U <= 1)) and np.all(liq.D > 0) and np.all(liq.F > 0)
    assert not np.any(liq.pre == liq.post)
    # connection probability C*exp(-(D/lambda)^2): nearest neighbours (D=1) of EE pairs ~ 0.3*exp(-1/4)
    big = liquid.make_liquid((10, 10, 10), 1, rng=1)
    d2 = ((big.pos[big.pre] - big.pos[big.post]) ** 2).sum(1)
    exc_pre = ~big.inhibitory[big.pre] & ~big.inhibitory[big.post]
    n_ee_d1 = np.sum(exc_pre & (d2 == 1))
    exc = ~big.inhibitory
    pos = big.pos
    pairs_d1 = sum(np.sum(((pos[exc] - pos[i]) ** 2).sum(1) == 1) for i in np.nonzero(exc)[0])
    assert n_ee_d1 / pairs_d1 == pytest.approx(0.3 * np.exp(-1 / 4), rel=0.1)
    # same seed, same liquid
    again = liquid.make_liquid((15, 3, 3), 2, rng=0)
    assert np.array_equal(again.pre, liq.pre) and np.array_equal(again.A, liq.A)


def test_simulate_runs_samples_in_one_network():
    liq = liquid.make_liquid((5, 3, 3), 1, rng=2, p_in=1.0)
    t = np.array([5.0, 20.0, 40.0])
    inputs = [(np.zeros(3, int), t), (np.zeros(0, int), np.zeros(0)), (np.zeros(3, int), t)]
    run = liquid.simulate(liq, inputs, 60 * ms, backend="numpy", seed=1, batch=2)
    counts = run.liquid_counts()
    assert counts[0] > 0 and counts[2] > 0
    assert counts[1] < 0.2 * counts[0]  # no input, background alone stays below threshold
    assert run.liquid_time.max() < 60 and run.input_counts().tolist() == [3, 0, 3]
    assert run.synaptic_events[0] > counts[0]
    with pytest.raises(ValueError, match="gap"):
        liquid.simulate(liq, inputs, 60 * ms, gap=1 * ms, backend="numpy")
    with pytest.raises(ValueError, match="outside"):
        liquid.simulate(liq, [(np.zeros(1, int), np.array([70.0]))], 60 * ms, backend="numpy")


def test_separation_grows_with_input_distance():
    rng = np.random.default_rng(3)
    dur = 200.0
    pairs = lsm.pairs_at_distances(rng, [0.0, 0.4], 3, 20.0, dur, 0.1, tol=0.05)
    liq = liquid.make_liquid((15, 3, 3), 1, rng=4, p_in=1.0)
    inputs, tags = [], []
    for d in (0.0, 0.4):
        for u, v, _ in pairs[d]:
            inputs += [(np.zeros(len(u), int), u), (np.zeros(len(v), int), v)]
            tags.append(d)
    run = liquid.simulate(liq, inputs, dur * ms, dt=0.2 * ms, backend="numpy", seed=5)
    st = filtered_states(run.liquid_sample, run.liquid_neuron, run.liquid_time, len(inputs), liq.N,
                             np.arange(20.0, dur, 10.0))
    dist = np.sqrt(((st[0::2] - st[1::2]) ** 2).sum(-1)).mean(1)
    tags = np.array(tags)
    assert dist[tags == 0.4].mean() > 2 * dist[tags == 0.0].mean()


def test_spike_train_distance_closed_form():
    u = np.array([10.0, 50.0])
    assert lsm.spike_train_distance(u, u, 100.0) == 0.0
    far = lsm.spike_train_distance(u, np.array([30.0, 80.0]), 100.0)
    # far-apart spikes: each contributes tau*sqrt(pi/2)/T
    assert far == pytest.approx(4 * 5 * np.sqrt(np.pi / 2) / 100, rel=0.05)


def test_lsm_protocol_and_figures(tmp_path):
    from workbench.protocol import load_figure, run

    ds = run("lsm", {"n_pairs": 2, "duration": 100 * ms, "samples_per_class": 6, "template_duration": 60 * ms,
                     "n_readout_times": 2, "shared_after": 30 * ms, "shape": [5, 3, 3], "input_distances": [0.2],
                     "dt": 0.5 * ms},
             backend="numpy", out=tmp_path / "lsm.nc", progress=False)
    assert ds["state_distance"].dims == ("input_distance", "time")
    assert 0 <= float(ds["test_accuracy"]) <= 1
    for name in ("lsm-separation", "lsm-templates"):
        fig = load_figure(name)(ds)
        fig.savefig(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 5000


def test_liquid_round_trips_through_an_archive(tmp_path):
    """A drawn liquid and its neuron constants are stored with units and read back exactly."""
    import xarray as xr

    from workbench.archive import open_archive, provenance, save

    liq = liquid.make_liquid((4, 3, 3), 3, rng=7, p_in=0.5)
    ds = xr.Dataset(liquid.liquid_variables(liq))
    assert ds["liquid_A"].attrs["units"] == "nA" and ds["liquid_param_tau_m"].attrs["units"] == "ms"
    ds.attrs.update(provenance(protocol="test", config={}, config_hash="x", seed=0, backend="numpy"))
    back = liquid.liquid_from_dataset(open_archive(save(ds, tmp_path / "liq.nc")))
    for k in ("inhibitory", "pre", "post", "A", "U", "D", "F", "delay", "syn_inhibitory", "in_pre", "in_post",
              "in_A", "pos"):
        assert np.array_equal(getattr(back, k), getattr(liq, k)), k
    assert back.shape == liq.shape and back.n_in == 3 and back.key() == liq.key()
    assert liquid.neuron_constants(ds) == liquid.neuron_constants() and liquid.neuron_constants()["v_th"] == 15.0
    with pytest.raises(ValueError, match="holds no liquid"):
        liquid.liquid_from_dataset(ds.drop_vars("liquid_pre"))
