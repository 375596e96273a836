"""stdp-digits trained for a chip (target=loihi): it learns on the chip's model, and the hardware protocol
deploys exactly the trained network on the digital preset and on a crossbar."""
import json

import numpy as np
import pytest

from brian2 import ms

from workbench.archive import open_archive
from workbench.experiments.hardware import deploy_source, load_source
from workbench.hardware.chips import get_chip
from workbench.hardware.deploy import DeployOptions, chip_network, map_network
from workbench.hardware.quantize import QuantizationError, quantize
from workbench.params import ParameterError
from workbench.protocol import run
from workbench.protocol.context import stream_seed

TINY = dict(target="loihi", target_bits=8, n_exc=20, n_train=20, n_assign=20, n_test=20, epochs=1,
            t_present="150 ms")
N = TINY["n_exc"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("target") / "chip.nc"
    run("stdp-digits", TINY, seed=2, out=out, progress=False)
    return out


def test_trains_on_the_chip_model(trained):
    ds = open_archive(trained)
    assert ds.attrs["synapse_model"] == "current" and ds.attrs["target"] == "loihi"
    v_ref = json.loads(ds.attrs["v_ref_mV"])
    assert set(v_ref) == {"exc", "inh"} and -65 < v_ref["exc"] < -52
    rf = ds["receptive_field"].values.reshape(N, -1)
    # learned: weights moved away from the normalised initial draw, each neuron's sum held at w_total
    assert np.allclose(rf.sum(axis=1), float(ds["param_w_total"]), rtol=0.02)
    rng = np.random.default_rng(stream_seed(2, "weights"))  # the run's initial weights, drawn again
    w0 = ((rng.random(784 * N) + 0.01) * 0.3).reshape(784, N).T
    w0 *= 78.0 / w0.sum(axis=1, keepdims=True)
    moved = np.abs(rf - w0)
    assert moved.max() > 0.02 and np.mean(moved > 0.005) > 0.05  # not only the 8-bit rounding of w0
    assert np.any(ds["theta"].values > float(ds["param_theta_init"]))  # thresholds adapted
    assert ds["test_spike_count"].values.sum() > 0 and 0 <= float(ds["test_accuracy"]) <= 1
    # the weights are the chip's integer grid: 8-bit steps of the scale that holds w_max
    src = load_source(str(trained), n_test=20, n_assign=20)
    w = next(p for p in src.graph.projections if p.name == "input_exc").weight
    assert all(p.synapse == "current" for p in src.graph.projections)
    step = np.min(w[w > 0])
    assert len(np.unique(np.round(w / step, 6))) <= 256 and np.allclose(w / step, np.rint(w / step), atol=1e-6)
    with pytest.raises(ParameterError, match="target"):
        run("stdp-digits", dict(TINY, target="loihi2"), progress=False)


def test_deploys_the_trained_network_on_its_chip_and_a_crossbar(trained):
    # fails if the exporter ignored synapse_model and converted conductances at the deployment's v_ref: the
    # chip would then run other weights than it learned (weight error vs the trained grid, chip float != float)
    hw = run("hardware", dict(source=str(trained), chip="loihi", weight_bits=8, n_test=20, n_assign=20,
                              t_present="150 ms"), progress=False)
    assert float(hw["chip_float_accuracy"]) == float(hw["float_accuracy"])  # nothing converted on deployment
    assert float(hw["weight_rel_rms_error"]) < 2e-3  # only the fixed inhibitory weights round
    assert float(hw["prediction_agreement"]) >= 0.3  # 20 images, 20 neurons; the float model decays exactly
    xb = run("hardware", dict(source=str(trained), chip="pcm", ideal_devices=True, n_test=20, n_assign=20,
                              t_present="150 ms"), progress=False)
    assert float(xb["test_accuracy"]) == float(xb["float_accuracy"])


def _streams(seed):
    return lambda name: np.random.default_rng(stream_seed(seed, name))


def test_deploys_on_its_own_chip_with_its_own_test_counts(trained):
    # the chip and bits it learned on, the same seed (input streams 'assign_input', 'test_input'), task and
    # data: the integer network it learned with, hence the very spike counts of its own test.  Fails if the
    # deployment re-derives a step (main before this test: the weight step from the largest learned weight,
    # the state step from the learned thresholds, nearest- vs stochastically rounded inhibitory weights)
    ds = open_archive(trained)
    src = load_source(str(trained), n_test=20, n_assign=20, t_present=150 * ms)
    chip = get_chip("loihi")
    _, main, _, _ = deploy_source(src, chip, DeployOptions(), _streams(2), bits=8)
    assert main.counts.sum() > 0
    np.testing.assert_array_equal(main.counts, ds["test_spike_count"].values)
    np.testing.assert_array_equal(main.prediction, ds["prediction"].values)
    assert main.net.settings["network"].startswith("as trained on loihi at 8 bits")
    hw = run("hardware", dict(source=str(trained), chip="loihi", weight_bits=8, n_test=20, n_assign=20,
                              t_present="150 ms", scale="free", rounding="stochastic"), seed=2, progress=False)
    assert float(hw["test_accuracy"]) == float(ds["test_accuracy"])  # the options do not re-quantize it
    assert hw.attrs["network"].startswith("as trained")


def test_other_bits_are_requantized_and_an_edited_record_is_refused(trained, tmp_path):
    src = load_source(str(trained), n_test=20, n_assign=20, t_present=150 * ms)
    net, _ = chip_network(src.graph, get_chip("loihi"), DeployOptions(), _streams(2),
                          map_network(src.graph, get_chip("loihi"), "sequential", _streams(2)), bits=6)
    assert "network" not in net.settings
    assert any("re-quantized" in a and "trained for loihi at 8 bits" in a for a in net.approximations)
    ds = open_archive(trained).load()
    ds["target_weight_int"].values[0, 10, 10] += 1
    edited = tmp_path / "edited.nc"
    ds.to_netcdf(edited)
    with pytest.raises(QuantizationError, match=r"could not be rebuilt.*: 1 weight\(s\) and 0 threshold"):
        run("hardware", dict(source=str(edited), chip="loihi", weight_bits=8, n_test=20, n_assign=20,
                             t_present="150 ms"), progress=False)


def test_fixed_steps_name_existing_projections_and_populations():
    from workbench.hardware.graph import Graph, Population, Projection
    g = Graph([Population("input", 2, "input"), Population("exc", 2, params=dict(tau_m=20.0, v_th=10.0))],
              [Projection("in_exc", "input", "exc", np.array([0, 1]), np.array([0, 1]), 1.0)], dt=1.0)
    net = quantize(g, "loihi", 8, weight_step={"in_exc": 0.25}, state_lsb={"exc": 0.125})
    assert np.all(net.weight_int == 4) and np.all(net.lsb[2:] == 0.125) and np.all(net.threshold[2:] == 80)
    with pytest.raises(QuantizationError, match="weight_step: no projection"):
        quantize(g, "loihi", 8, weight_step={"input_exc": 0.25})
    with pytest.raises(QuantizationError, match="state_lsb: no population"):
        quantize(g, "loihi", 8, state_lsb={"inh": 0.25})
