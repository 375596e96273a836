"""stdp-digits trained for a chip (target=loihi): it learns on the chip's model, and the hardware protocol
deploys exactly the trained network on the digital preset and on a crossbar."""
import json

import numpy as np
import pytest

from workbench.archive import open_archive
from workbench.experiments.hardware import load_source
from workbench.params import ParameterError
from workbench.protocol import run
from workbench.protocol.context import stream_seed

TINY = dict(target="loihi", target_bits=8, n_exc=10, n_train=8, n_assign=10, n_test=10, epochs=1,
            t_present="150 ms")


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
    rf = ds["receptive_field"].values.reshape(10, -1)
    # learned: weights moved away from the normalised initial draw, each neuron's sum held at w_total
    assert np.allclose(rf.sum(axis=1), float(ds["param_w_total"]), rtol=0.02)
    rng = np.random.default_rng(stream_seed(2, "weights"))  # the run's initial weights, drawn again
    w0 = ((rng.random(784 * 10) + 0.01) * 0.3).reshape(784, 10).T
    w0 *= 78.0 / w0.sum(axis=1, keepdims=True)
    moved = np.abs(rf - w0)
    assert moved.max() > 0.02 and np.mean(moved > 0.005) > 0.05  # not only the 8-bit rounding of w0
    assert np.any(ds["theta"].values > float(ds["param_theta_init"]))  # thresholds adapted
    assert ds["test_spike_count"].values.sum() > 0 and 0 <= float(ds["test_accuracy"]) <= 1
    # the weights are the chip's integer grid: 8-bit steps of the scale that holds w_max
    src = load_source(str(trained), n_test=10, n_assign=10)
    w = next(p for p in src.graph.projections if p.name == "input_exc").weight
    assert all(p.synapse == "current" for p in src.graph.projections)
    step = np.min(w[w > 0])
    assert len(np.unique(np.round(w / step, 6))) <= 256 and np.allclose(w / step, np.rint(w / step), atol=1e-6)
    with pytest.raises(ParameterError, match="target"):
        run("stdp-digits", dict(TINY, target="loihi2"), progress=False)


def test_deploys_the_trained_network_on_its_chip_and_a_crossbar(trained):
    # fails if the exporter ignored synapse_model and converted conductances at the deployment's v_ref: the
    # chip would then run other weights than it learned (weight error vs the trained grid, chip float != float)
    hw = run("hardware", dict(source=str(trained), chip="loihi", weight_bits=8, n_test=10, n_assign=10,
                              t_present="150 ms"), progress=False)
    assert float(hw["chip_float_accuracy"]) == float(hw["float_accuracy"])  # nothing converted on deployment
    assert float(hw["weight_rel_rms_error"]) < 2e-3  # only the fixed inhibitory weights round
    assert float(hw["prediction_agreement"]) >= 0.5  # 10 images; the float model decays exactly
    xb = run("hardware", dict(source=str(trained), chip="pcm", ideal_devices=True, n_test=10, n_assign=10,
                              t_present="150 ms"), progress=False)
    assert float(xb["test_accuracy"]) == float(xb["float_accuracy"])
