"""stdp-digits (Diehl & Cook 2015): in-simulation schedule, repeat rule, normalisation sums, runaway
detection, archive contents, resume == uninterrupted, determinism, figures, classification rules."""
import numpy as np
import pytest

from workbench.archive import open_archive
from workbench.experiments import stdp_digits as sd
from workbench.networks.diehl_cook import DC_PARAMS, build_network
from workbench.protocol import RunContext, ResumeError, load_figure, run
from workbench.readout.voting import assign_classes, classify

# Short slots (200 + 50 ms instead of 350 + 150 ms) keep the numpy runs quick; the schedule is the same.
FAST = dict(t_present="200 ms", t_rest="50 ms", epochs=1)
TINY = dict(n_exc=10, n_train=12, n_assign=6, n_test=6, batch=6, **FAST)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("stdp") / "tiny.nc"
    ds = run("stdp-digits", dict(TINY, verify_normalisation=True), backend="numpy", seed=3, out=out,
             progress=False)
    return ds, out


def test_archive_contents(tiny):
    ds, out = tiny
    disk = open_archive(out)
    assert disk.attrs["status"] == "complete" and disk.attrs["protocol"] == "stdp-digits"
    for name in ("test_accuracy", "prediction", "label", "confusion", "assignment", "theta", "receptive_field",
                 "test_spike_count", "training_time", "runaway", "runaway_slots", "rest_spikes",
                 "running_accuracy", "images_seen", "input_delay", "param_w_ei", "param_w_ie", "param_v_thresh_e"):
        assert name in disk, name
        assert "units" in disk[name].attrs and "long_name" in disk[name].attrs, name
    assert disk["receptive_field"].dims == ("neuron", "row", "col")
    assert disk["receptive_field"].shape == (10, 28, 28)
    assert 0.0 <= float(disk["test_accuracy"]) <= 1.0
    acc = np.mean(disk["prediction"].values == disk["label"].values)
    assert float(disk["test_accuracy"]) == pytest.approx(acc)
    assert int(disk["confusion"].sum()) == 6
    # every accepted presentation has at least min_spikes excitatory spikes
    assert (disk["test_spike_count"].sum("neuron").values >= 5).all()
    assert disk["input_delay"].min() >= 0 and disk["input_delay"].max() < 10
    w = disk["receptive_field"].values
    assert w.min() >= 0 and w.max() <= 1
    # theta only grows while learning (it started at 20 mV and decays with tau 1e7 ms)
    assert disk["theta"].max() > 20.0


def test_normalisation_sums(tiny):
    """Generated-code sums: 78 after every normalisation while learning; first sum equals numpy's."""
    ds, _ = tiny
    learn = ds["norm_learn"].values.astype(bool)
    after = ds["norm_wsum_after"].values
    before = ds["norm_wsum_before"].values
    assert learn.sum() >= 12
    np.testing.assert_allclose(after[:, learn], 78.0, rtol=1e-12)
    # the very first presentation: the in-simulation sum of the initial weights, checked against numpy
    rng = np.random.default_rng(3)
    w0 = (rng.random(784 * 10) + 0.01) * 0.3
    np.testing.assert_allclose(before[:, 0], w0.reshape(784, 10).sum(axis=0), rtol=1e-12)
    # frozen phases leave the weights alone
    np.testing.assert_allclose(after[:, ~learn], before[:, ~learn], rtol=0)


def test_no_runaway_and_counts(tiny):
    ds, _ = tiny
    assert int(ds["runaway"]) == 0 and int(ds["rest_spikes"]) == 0
    assert ds["book_n_presentations"].values.tolist()[0] >= 12


def test_figures_render(tiny, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    ds, out = tiny
    for name in ("stdp-receptive-fields", "stdp-confusion", "stdp-accuracy"):
        fig = load_figure(name)(open_archive(out))
        fig.savefig(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 1000


def test_repeat_rule_raises_intensity(tmp_path):
    """Weak input weights: too few spikes, so images are shown again with intensity 2, 3, 4, ..."""
    ds = run("stdp-digits", dict(n_exc=10, n_train=2, n_assign=1, n_test=1, batch=4, w_total=20.0, **FAST),
             backend="numpy", seed=1, progress=False)
    n_pres = ds["book_n_presentations"].values
    n_rep = ds["book_n_repeats"].values
    assert n_rep.sum() > 0
    np.testing.assert_array_equal(n_pres - n_rep, [2, 1, 1])   # every image accepted exactly once
    assert (ds["test_spike_count"].sum("neuron").values >= 5).all()


def test_repeat_rule_in_simulation():
    """The controller itself: intensities 2, 3, ... until >= 5 spikes, then back to 2 for the next image."""
    from brian2 import defaultclock, ms

    from workbench.backends import Simulation, use_backend
    from workbench.datasets import load_images

    with use_backend("numpy", seed=2) as be:
        defaultclock.dt = 0.5 * ms
        m = build_network(6, 784, 6, params=dict(DC_PARAMS, w_total=25.0), rng=np.random.default_rng(0))
        sim = Simulation(m.network, m.duration, be, namespace={}, seed_variable=m.controller.rngseed)
        state = sd.initial_state(m, DC_PARAMS)
        state["w"] *= 25.0 / 120.0
        table = np.tile(load_images("digits").train_images[:2].reshape(2, -1), (3, 1)).astype(float)
        res = sd.run_batch(sim, m, table, 2, 1.0, state, 7)
    ints, nspk, img = res["ev_intensity"], res["ev_nspk"], res["ev_img"]
    for k in range(len(ints)):
        if k == 0 or nspk[k - 1] >= 5:
            assert ints[k] == 2.0
        else:
            assert ints[k] == ints[k - 1] + 1 and img[k] == img[k - 1]
    assert (nspk < 5).any()


def test_runaway_is_flagged(tmp_path):
    """Forward Euler with strong inhibition goes unstable and fires without input: must be flagged;
    the default exponential Euler with the same weights stays quiet."""
    base = dict(n_exc=10, n_train=4, n_assign=2, n_test=2, batch=4, w_ie=600.0, **FAST)
    with pytest.warns(RuntimeWarning, match="runaway"):
        bad = run("stdp-digits", dict(base, method="euler"), backend="numpy", seed=1, progress=False)
    assert int(bad["runaway"]) == 1 and int(bad["runaway_slots"]) > 0 and int(bad["rest_spikes"]) > 0
    assert "runaway" in bad.attrs["warning"]
    good = run("stdp-digits", base, backend="numpy", seed=1, progress=False)
    assert int(good["runaway"]) == 0


def test_resume_equals_uninterrupted(tmp_path, monkeypatch):
    full = run("stdp-digits", TINY, backend="numpy", seed=5, progress=False)
    out = tmp_path / "killed.nc"
    calls = {"n": 0}
    orig = RunContext.checkpoint

    def dying(*args, **kw):
        orig(*args, **kw)
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt("killed after the first checkpoint")

    monkeypatch.setattr(RunContext, "checkpoint", dying)
    with pytest.raises(KeyboardInterrupt):
        run("stdp-digits", TINY, backend="numpy", seed=5, out=out, progress=False)
    ck = open_archive(out)
    assert ck.attrs["status"] == "checkpoint" and 0 < int(ck.attrs["ckpt_pos"]) < 12
    monkeypatch.setattr(RunContext, "checkpoint", orig)
    resumed = run("stdp-digits", TINY, backend="numpy", seed=5, out=out, resume=out, progress=False)
    for name in ("receptive_field", "theta", "prediction", "test_spike_count", "assignment"):
        np.testing.assert_array_equal(resumed[name].values, full[name].values, err_msg=name)
    assert float(resumed["test_accuracy"]) == float(full["test_accuracy"])
    # a resume with another configuration is refused, naming the key
    with pytest.raises(ResumeError, match="n_test"):
        run("stdp-digits", dict(TINY, n_test=5), backend="numpy", seed=5, resume=out, progress=False)


def test_same_seed_same_result_standalone(tmp_path):
    """cpp_standalone (the default backend): two runs with one seed agree (and differ from the
    initial weights: training happened)."""
    kw = dict(n_exc=8, n_train=6, n_assign=3, n_test=3, batch=6, **FAST)
    a = run("stdp-digits", kw, backend="cpp_standalone", seed=11, progress=False)
    b = run("stdp-digits", kw, backend="cpp_standalone", seed=11, progress=False)
    np.testing.assert_array_equal(a["receptive_field"].values, b["receptive_field"].values)
    np.testing.assert_array_equal(a["test_spike_count"].values, b["test_spike_count"].values)
    w0 = (np.random.default_rng(11).random(784 * 8) + 0.01) * 0.3
    assert not np.allclose(a["receptive_field"].values, w0.reshape(784, 8).T.reshape(8, 28, 28))
    assert a.attrs["backend"] == "cpp_standalone"


def test_classification_rules():
    counts = np.array([[5, 0, 1, 0], [0, 4, 0, 0], [1, 1, 6, 6]])
    labels = np.array([0, 1, 2])
    sums = np.zeros((10, 4))
    n = np.zeros(10)
    for c, l in zip(counts, labels):
        sums[l] += c
        n[l] += 1
    a = assign_classes(sums, n)
    np.testing.assert_array_equal(a, [0, 1, 2, 2])
    np.testing.assert_array_equal(classify(counts, a), [0, 1, 2])
    # silent neuron -> class 0 (DC starts from maximum_rate 0 with strict '>')
    assert assign_classes(np.zeros((10, 1)), np.ones(10))[0] == 0
    # tie between classes -> the higher class index (DC argsort(...)[::-1][0])
    assert classify(np.array([[3, 3]]), np.array([1, 4]))[0] == 4


def test_bad_parameters():
    from workbench.params import ParameterError

    with pytest.raises(ParameterError, match="n_train=5000: digits has 1347"):
        run("stdp-digits", dict(n_train=5000), backend="numpy", progress=False)
    with pytest.raises(ParameterError, match="method"):
        run("stdp-digits", dict(method="rk4"), backend="numpy", progress=False)


def _train_standalone(fused: bool, n_exc=12, n_img=3):
    """One training batch of a small network on cpp_standalone: the Brian2 input pathway or the fused step."""
    from brian2 import ms

    from workbench.backends import Simulation, use_backend
    from workbench.datasets import load_images

    with use_backend("cpp_standalone", seed=4) as be:
        m = build_network(n_exc, 784, n_img, t_present=100 * ms, t_rest=25 * ms, rng=np.random.default_rng(4),
                          fused=fused)
        sim = Simulation(m.network, m.duration, be, namespace={}, seed_variable=m.controller.rngseed)
        state = sd.initial_state(m, DC_PARAMS)
        table = load_images("digits").train_images[:n_img].reshape(n_img, -1).astype(float)
        res = sd.run_batch(sim, m, table, n_img, 1.0, state, 9)
        events = float(m.controller.input_events[0]) if fused else None
    return res, events, m


def test_fused_input_projection_is_bit_identical():
    """The fused C++ input step (synapses sorted by input, delay step, target; a ring of input spikes
    instead of Brian2's spike queue; the lateral inhibition without synapses) learns exactly the weights
    of Brian2's own pathways.  Checked: processing the newest spikes first (only the order of the ge
    additions changes) fails here, on v_e, by one unit in the last place.  Two standalone builds: slow."""
    a, events, fm = _train_standalone(True)
    b, _, bm = _train_standalone(False)
    assert fm.fused and not bm.fused and fm.syn_order is not None
    assert events > 0 and len(a["spike_i_e"]) > 0
    np.testing.assert_array_equal(a["spike_i_e"], b["spike_i_e"])
    np.testing.assert_array_equal(a["spike_step_e"], b["spike_step_e"])
    for name in ("w", "lastpre", "theta", "v_e", "ge_e", "gi_e", "v_i"):
        np.testing.assert_array_equal(a["state"][name], b["state"][name], err_msg=name)
    assert not np.array_equal(a["state"]["w"], fm.w0)          # it learned
