"""Imported NIR networks on the chip models (workbench.hardware.imported, hardware protocol with a .nir source).

Fixture: tests/data/nir/digits_if.nir (made by tests/data/nir/make_digits_fixture.py with the nir package):
a ReLU MLP 784-20-10 trained on digits, converted to IF nodes (ANN test accuracy 0.873).
"""
from pathlib import Path

import numpy as np
import pytest
from brian2 import Network, defaultclock, ms

nir = pytest.importorskip("nir")

from workbench import nir as wnir
from workbench.experiments.convert import load_data
from workbench.hardware import aersim
from workbench.hardware.export import ExportError
from workbench.hardware.graph import Graph, Population, Projection, Readout, to_nir
from workbench.hardware.imported import graph_from_nir
from workbench.hardware.quantize import float_network
from workbench.archive import open_archive
from workbench.params import ParameterError
from workbench.protocol import load_figure, run

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "nir"
DIGITS = DATA / "digits_if.nir"


def _lif_graph(n_in=5, n=4, dt=1.0):
    rng = np.random.default_rng(3)
    pre, post = np.nonzero(rng.random((n_in, n)) < 0.7)
    params = dict(tau_m=20.0, v_th=1.0, v_reset=0.0, v_rest=0.0)
    return Graph([Population("in", n_in, "input"), Population("out", n, params=params)],
                 [Projection("in_out", "in", "out", pre, post, rng.uniform(0.1, 0.6, len(pre)), synapse="delta")],
                 readout=Readout("out", labels=np.arange(n)), dt=dt)


def test_a_chip_graph_written_to_nir_comes_back_with_its_weights_and_constants():
    g = _lif_graph()
    back = graph_from_nir(to_nir(g))
    assert back.dt == pytest.approx(1.0)  # from the NIR graph's metadata
    out = back.population(back.readout.population)
    assert out.size == 4
    for key in ("tau_m", "v_th", "v_reset", "v_rest"):
        assert np.allclose(out.param(key), g.population("out").param(key)), key
    (pr,), (orig,) = back.projections, g.projections
    W, W0 = np.zeros((5, 4)), np.zeros((5, 4))
    W[pr.pre_index, pr.post_index] = pr.weight
    W0[orig.pre_index, orig.post_index] = orig.weight
    assert pr.synapse == "delta" and np.allclose(W, W0)


def test_affine_bias_becomes_the_chip_bias():
    g = nir.NIRGraph(nodes={"input": nir.Input(input_type={"input": np.array([2])}),
                            "fc": nir.Affine(weight=np.ones((3, 2)), bias=np.array([0.0, 0.5, 2.0])),
                            "if": nir.IF(r=np.full(3, 1e3), v_threshold=np.ones(3), v_reset=np.zeros(3)),
                            "output": nir.Output(output_type={"output": np.array([3])})},
                     edges=[("input", "fc"), ("fc", "if"), ("if", "output")], type_check=False)
    out = graph_from_nir(g, dt=1.0)
    pop = out.population(out.readout.population)
    # IF: dv/dt = r b = 1e3 * b V/s = b mV/ms... per 1 ms step: b volts = 1000 b mV
    assert np.allclose(pop.param("bias"), [0.0, 500.0, 2000.0])


def test_the_float_reference_spikes_as_brian2_runs_the_imported_file():
    """graph_from_nir goes through Brian2's import, so its float model must match Brian2 spike for spike."""
    graph = nir.read(DIGITS, type_check=False)
    g = graph_from_nir(graph)
    rng = np.random.default_rng(0)
    T = 60
    x = load_data("digits", -1, 1, rng).X_test[0]  # one test image, as the protocol scales it
    stim = rng.random((T, 784)) < x
    res = aersim.simulate(float_network(g), stim[None])
    ticks, idx = np.nonzero(stim)
    defaultclock.dt = 1 * ms
    net = wnir.from_nir(graph, spikes=(idx, ticks * ms), spike_area=1 * ms, dt=1 * ms, name="ref")
    Network(net.objects).run(T * ms)
    counts = res.counts[0]
    for key in ("if1", "if2"):
        sl = g.flat().slice(f"nir_{key}")
        assert net.counts(key).sum() > 0, key  # both layers spike (hidden: about 150 spikes, output: 1)
        assert np.array_equal(counts[sl], net.counts(key)), key


def test_a_voltage_readout_or_a_missing_step_cannot_be_deployed():
    with pytest.raises(ExportError, match="LI.*spike counts"):
        graph_from_nir(DATA / "norse_lifbox_li.nir", dt=1.0)
    g = to_nir(_lif_graph())
    g.metadata = {}
    with pytest.raises(ExportError, match="dt=1\\*ms"):
        graph_from_nir(g)


def test_a_nir_file_deploys_through_the_hardware_protocol(tmp_path):
    ds = run("hardware", dict(source=str(DIGITS), dataset="digits", t_present=60 * ms, n_test=60), progress=False)
    assert ds.attrs["source_protocol"] == "nir"
    assert float(ds["float_accuracy"]) > 0.6  # ten classes: chance is 0.1
    assert abs(float(ds["test_accuracy"]) - float(ds["float_accuracy"])) <= 0.1
    assert float(ds["energy_per_inference"]) > 0 and float(ds["latency_per_inference"]) > 0
    assert int(ds["design_rule_violations"]) == 0
    # the accuracy/energy figure draws it beside a benchmark archive, and names the kinds it lacks
    make = load_figure("accuracy-energy")
    dc = open_archive(ROOT / "benchmarks" / "results" / "hardware_dc.nc")
    fig = make(ds, dc)
    assert len(fig.axes[0].lines) == 3 and "e-prop" in fig.texts[0].get_text()
    fig.savefig(tmp_path / "ae.png")
    with pytest.raises(ValueError, match="no deployment numbers"):
        make(ds.drop_attrs())
    with pytest.raises(ParameterError, match="no data.*dataset="):
        run("hardware", dict(source=str(DIGITS)), progress=False)
    with pytest.raises(ParameterError, match="784 inputs.*features"):
        run("hardware", dict(source=str(DIGITS), dataset="synthetic-ecg"),
            progress=False)


def test_a_nir_file_on_an_ideal_crossbar_gives_the_float_models_classes():
    ds = run("hardware", dict(source=str(DIGITS), dataset="digits", t_present=40 * ms, n_test=20, chip="pcm",
                              ideal_devices=True, compare_chips=[]), progress=False)
    assert ds.attrs["source_protocol"] == "nir" and ds.attrs["chip_kind"] == "crossbar"
    assert float(ds["prediction_agreement"]) == 1.0
    assert float(ds["energy_per_inference"]) > 0


@pytest.mark.parametrize("name", ["snntorch_leaky", "snntorch_rleaky"])
def test_library_files_run_on_the_chip_model_as_in_brian2(name):
    """snnTorch's LIF files (feed-forward and recurrent) on the float chip model: Brian2's spikes."""
    f = np.load(DATA / f"{name}.npz")
    x, dt = f["input"].astype(bool), float(f["dt"]) * 1e3  # steps x inputs; ms
    graph = nir.read(DATA / f"{name}.nir", type_check=False)
    g = graph_from_nir(graph, dt)
    res = aersim.simulate(float_network(g), x[None])
    ticks, idx = np.nonzero(x)
    defaultclock.dt = dt * ms
    net = wnir.from_nir(graph, spikes=(idx, ticks * dt * ms), spike_area=dt * ms, dt=dt * ms, name="ref")
    Network(net.objects).run(len(x) * dt * ms)
    for key in net.spike_monitors:
        if key in net.groups:
            assert net.counts(key).sum() > 20, key
            sl = g.flat().slice("nir_" + net.groups[key].name.removeprefix("ref_"))
            assert np.array_equal(res.counts[0][sl], net.counts(key)), key
