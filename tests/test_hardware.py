"""Hardware layer: graph, chips, quantization, design rules, mapping, simulator, mismatch, learning."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from workbench.hardware import rules
from workbench.hardware.aersim import STDPConfig, aer_events, chip_statistics, encode_inputs, simulate
from workbench.hardware.chips import PRESETS, ChipError, chip_from_dict, get_chip, load_chip
from workbench.hardware.graph import Graph, GraphError, Population, Projection, Readout, to_nir
from workbench.hardware.mapping import map_graph, packet_cost, xy_route
from workbench.hardware.mismatch import apply_mismatch
from workbench.hardware.quantize import (QuantizationError, float_network, quantization_error, quantize,
                                         round_values, weight_range)

sys.path.insert(0, str(Path(__file__).parent))


def small_graph(n_in=16, n=40, seed=0, p=0.3):
    rng = np.random.default_rng(seed)
    ff = np.argwhere(rng.random((n_in, n)) < p)
    rec = np.argwhere(rng.random((n, n)) < 0.1)
    pops = [Population("in", n_in, "input"),
            Population("exc", n, params=dict(tau_m=20.0, tau_syn=5.0, v_th=10.0, v_reset=0.0, t_ref=2.0))]
    proj = [Projection("ff", "in", "exc", ff[:, 0], ff[:, 1], rng.uniform(0.5, 3.0, len(ff))),
            Projection("rec", "exc", "exc", rec[:, 0], rec[:, 1], rng.uniform(-2, 1, len(rec)),
                       delay=rng.integers(0, 3, len(rec)).astype(float))]
    return Graph(pops, proj, readout=Readout("exc", "vote", labels=np.arange(n) % 2, classes=(0, 1)), dt=1.0)


# ----------------------------------------------------------------------------- graph

def test_graph_units_are_converted_and_checked():
    p = Population("a", 3, params=dict(tau_m=0.02, v_th=0.01), units=dict(tau_m="s", v_th="V"))
    assert p.params["tau_m"] == pytest.approx(20.0) and p.params["v_th"] == pytest.approx(10.0)
    with pytest.raises(GraphError, match="tau_m.*unit 'mV'"):
        Population("a", 3, params=dict(tau_m=20.0), units=dict(tau_m="mV"))
    with pytest.raises(GraphError, match="unknown parameter"):
        Population("a", 3, params=dict(tau=20.0))


def test_graph_rejects_bad_indices_and_names():
    with pytest.raises(GraphError, match="out of range"):
        Graph([Population("in", 2, "input"), Population("b", 2)], [Projection("p", "in", "b", [0], [5], [1.0])])
    with pytest.raises(GraphError, match="unknown pre population 'x'"):
        Graph([Population("b", 2)], [Projection("p", "x", "b", [0], [1], [1.0])])


def test_flat_graph_csr_by_source():
    g = small_graph()
    f = g.flat()
    assert f.n_neurons == 56 and len(f.src) == g.n_synapses
    for s in (0, 5, 20):
        sl = slice(f.indptr[s], f.indptr[s + 1])
        assert np.all(f.src[sl] == s)


def test_nir_export_round_trip(tmp_path):
    import nir

    g = small_graph()
    ng = to_nir(g)
    assert {"in", "exc", "ff", "rec", "output"} <= set(ng.nodes)
    assert ng.nodes["ff"].weight.shape == (40, 16)
    assert np.count_nonzero(ng.nodes["ff"].weight) == g.projections[0].n_synapses
    nir.write(tmp_path / "g.nir", ng)
    back = nir.read(tmp_path / "g.nir")
    assert np.allclose(back.nodes["ff"].weight, ng.nodes["ff"].weight)


# ----------------------------------------------------------------------------- chips

def test_every_preset_number_cites_a_source():
    import dataclasses

    for chip in PRESETS.values():
        numeric = [f.name for f in dataclasses.fields(chip)
                   if isinstance(getattr(chip, f.name), (int, float, tuple)) and f.name not in ("synapse_types",)]
        missing = [k for k in numeric if k not in chip.sources and k not in ("analog", "mismatch_cv")]
        assert not missing, f"{chip.name}: no source for {missing}"


def test_user_chip_from_dict_and_toml(tmp_path):
    c = chip_from_dict({"base": "loihi", "name": "mini", "neurons_per_core": 8})
    assert c.neurons_per_core == 8 and c.energy_synop == PRESETS["loihi"].energy_synop
    with pytest.raises(ChipError, match="neurons_per_cor"):
        chip_from_dict({"base": "loihi", "neurons_per_cor": 8})
    f = tmp_path / "c.toml"
    f.write_text('base = "truenorth"\nname = "tn2"\nweight_bits = 4\n')
    assert load_chip(f).weight_bits == 4 and get_chip(str(f)).name == "tn2"
    with pytest.raises(ChipError, match="unknown chip"):
        get_chip("loihi3")


# ----------------------------------------------------------------------------- quantization

def test_weight_ranges_and_rounding():
    assert weight_range(8, True) == (-127, 127) and weight_range(4, False) == (0, 15)
    with pytest.raises(QuantizationError):
        weight_range(0, True)
    rng = np.random.default_rng(0)
    x = np.full(200000, 0.3)
    assert round_values(x, "stochastic", rng).mean() == pytest.approx(0.3, abs=0.01)  # unbiased
    assert np.all(round_values(x, "nearest") == 0)


@pytest.mark.parametrize("scale", ["pow2", "free"])
def test_quantization_error_falls_with_bits(scale):
    g = small_graph()
    errs = [quantization_error(quantize(g, "loihi", b, scale=scale), g)["weight_rel_rms"] for b in (2, 4, 8, 12)]
    assert all(a > b for a, b in zip(errs, errs[1:]))
    assert errs[-1] < 1e-3
    net = quantize(g, "loihi", 8, scale=scale)
    ff = g.flat().projection == 0  # excitatory only: all 8 bits for the magnitude
    assert net.weight_int[ff].min() >= 0 and 127 < net.weight_int[ff].max() <= 255
    assert net.weight_int[~ff].min() >= -127 and net.weight_int[~ff].max() <= 127  # mixed sign
    if scale == "pow2":  # weight step = power of two times the state step
        assert np.allclose(np.log2(net.frac_shift), np.rint(np.log2(net.frac_shift)))


def test_quantize_per_core_needs_core_of():
    g = small_graph()
    with pytest.raises(QuantizationError, match="core_of"):
        quantize(g, "loihi", 8, per="core")
    m = map_graph(g, get_chip("loihi").replace(neurons_per_core=10))
    net = quantize(g, "loihi", 8, per="core", core_of=m.core_of)
    assert quantization_error(net, g)["weight_rel_rms"] < 0.02


def test_truenorth_approximations_are_recorded():
    net = quantize(small_graph(), "truenorth", 8)
    assert net.delta.all() and np.all(net.leak[16:] > 0)
    assert any("delta" in a for a in net.approximations) and any("linear leak" in a for a in net.approximations)


def test_float_and_wide_quantized_agree():
    g = small_graph()
    stim = encode_inputs(np.full((4, 16), 80.0), 200, 1.0, np.random.default_rng(1))
    cf = simulate(float_network(g), stim).counts.sum()
    cq = simulate(quantize(g, "loihi", 16, max_frac_bits=8), stim).counts.sum()
    c2 = simulate(quantize(g, "loihi", 2), stim).counts.sum()
    assert cf > 50
    assert abs(cq - cf) / cf < 0.03  # wide integer arithmetic tracks the float model
    assert abs(c2 - cf) > abs(cq - cf)  # a 2-bit network does not


# ----------------------------------------------------------------------------- rules

def test_design_rules_name_rule_population_value_limit():
    g = small_graph()
    chip = get_chip("loihi").replace(fan_in=3)
    with pytest.raises(rules.DesignRuleError, match=r"\[fan_in\] population 'exc' neuron \d+.*limit 3"):
        rules.check(g, chip)
    v = rules.check(g, get_chip("loihi").replace(max_delay_ticks=1), raise_on_error=False)
    assert [x.rule for x in v] == ["delay_range"] and v[0].value == 2 and v[0].limit == 1
    net = quantize(g, "loihi", 12)
    assert [x.rule for x in rules.check(g, "loihi", net, raise_on_error=False)] == ["weight_bits"]
    m = map_graph(g, get_chip("loihi").replace(neurons_per_core=10))
    bad = get_chip("loihi").replace(neurons_per_core=10, fan_out_cores=1)
    assert "fan_out" in [x.rule for x in rules.check(g, bad, None, m, raise_on_error=False)]
    assert rules.check(g, "loihi", quantize(g, "loihi", 8), map_graph(g, "loihi")) == []


# ----------------------------------------------------------------------------- mapping

def test_xy_route_goes_x_then_y():
    links = xy_route((0, 0), (2, 1), rows=4)
    assert len(links) == 3
    dirs = [l % 4 for l in links]
    assert dirs == [0, 0, 2]  # E, E, N


def test_mapping_respects_capacity_and_beats_or_matches_baseline():
    g = small_graph(n=60)
    chip = get_chip("loihi").replace(neurons_per_core=16)
    rates = np.random.default_rng(0).random(g.n_neurons) * 10
    seq = map_graph(g, chip, "sequential")
    met = map_graph(g, chip, "metis", rates=rates)
    for m in (seq, met):
        assert m.neurons_per_core.max() <= 16 and np.all(m.core_of[:16] == -1)
        assert m.neurons_per_core.sum() == 60
    f = g.flat()
    assert packet_cost(f, met.core_of, rates) <= packet_cost(f, seq.core_of, rates) * 1.05
    rep = met.report()
    assert rep["cores_used"] == met.n_cores and rep["max_hops"] >= 1 and rep["routing_entries_max"] > 0


# ----------------------------------------------------------------------------- simulator

def test_statistics_energy_adds_up_and_aer_stream():
    g = small_graph()
    chip = get_chip("loihi").replace(neurons_per_core=16)
    m = map_graph(g, chip)
    net = quantize(g, chip, 8)
    res = simulate(net, encode_inputs(np.full((3, 16), 60.0), 100, 1.0, np.random.default_rng(2)))
    st = chip_statistics(res, net, m)
    parts = sum(st[k] for k in ("energy_synop", "energy_neuron", "energy_packet", "energy_hop", "energy_static"))
    assert np.allclose(parts, st["energy"])
    assert st["synops"].sum() == res.synaptic_events  # every delivered synapse counted once
    assert np.allclose(st["synops"], st["synops"])
    assert st["synops_tick_core"].sum() == st["synops"].sum()
    assert np.all(st["latency"] >= 100 * chip.barrier_s)
    b, t, c, a = aer_events(res, m, trial=1)
    assert len(t) == res.raster[1].sum() and np.all(np.diff(t) >= 0)
    assert np.all(a[c >= 0] < 16)


def test_mismatch_changes_parameters_reproducibly():
    net = quantize(small_graph(), "dynapse", 2)
    a = apply_mismatch(net, 0.1, 0.1, 0.1, seed=1)
    b = apply_mismatch(net, 0.1, 0.1, 0.1, seed=1)
    assert np.array_equal(a.threshold, b.threshold) and not np.array_equal(a.threshold, net.threshold)
    assert np.array_equal(apply_mismatch(net, 0, 0, 0).weight, net.weight)
    with pytest.raises(ValueError, match="cv_weight"):
        apply_mismatch(net, cv_weight=-1)


def test_chip_stdp_with_stochastic_rounding_tracks_float_learning():
    """Small updates (below one weight step) vanish with nearest rounding but not with stochastic rounding."""
    g = small_graph(p=1.0)
    stim = encode_inputs(np.full((1, 16), 100.0), 400, 1.0, np.random.default_rng(3))
    cfg = dict(projection=0, A_plus=0.004, A_minus=0.001, w_max=3.0)
    wf = simulate(float_network(g), stim, stdp=STDPConfig(**cfg)).weights
    dw_float = (wf - float_network(g).weight)[g.flat().projection == 0].mean()
    out = {}
    for rounding in ("stochastic", "nearest"):
        net = quantize(g, "loihi", 4)
        w = simulate(net, stim, stdp=STDPConfig(rounding=rounding, **cfg), seed=1).weights
        out[rounding] = ((w - net.weight) * net.lsb[net.dst])[g.flat().projection == 0].mean()
    assert dw_float > 0.01
    assert out["nearest"] == 0.0
    assert out["stochastic"] == pytest.approx(dw_float, rel=0.5)


def test_rules_can_be_ignored_and_unknown_names_raise():
    g = small_graph()
    chip = get_chip("loihi").replace(fan_in=3)
    assert rules.check(g, chip, ignore=("fan_in",)) == []
    with pytest.raises(ValueError, match="unknown rule"):
        rules.check(g, chip, ignore=("fanin",))


def test_export_from_brian_network_matches_parameters():
    from brian2 import Hz, PoissonGroup, mV, ms, pA

    from workbench import models
    from workbench.hardware.export import graph_from_brian

    lif = models.neuron("lif")
    rec = models.synapse("exp_curr").receptor("e", tau=5 * ms)
    G = models.neuron_group(lif, 10, receptors=[rec], name="lifg")
    P = PoissonGroup(5, 10 * Hz, name="src")
    S = models.connect(P, G, rec, name="p_g")
    S.connect(p=1.0)
    S.w = 2.0
    D = models.connect(G, G, "v", w_scale=1 * mV, name="g_g")
    D.connect(condition="i != j", p=0.5)
    D.w = 0.5
    g = graph_from_brian([P, G], [S, D], dt=1 * ms)
    pop = g.population("lifg")
    assert pop.params["tau_m"] == pytest.approx(10.0) and pop.params["v_th"] == pytest.approx(-50.0)
    assert pop.params["tau_syn"] == pytest.approx(5.0)
    ff, dd = g.projections
    assert ff.synapse == "current" and dd.synapse == "delta" and np.allclose(dd.weight, 0.5)
    # total deflection of one current jump: w*w_scale*R*tau_s/tau_m = 2*100 pA*100 MOhm*0.5 = 10 mV
    d = np.exp(-1 / 5.0)
    assert np.allclose(ff.weight / (1 - d), 2 * 100e-12 * 100e6 * 1e3 * 0.5)


def test_stdp_digits_export_keeps_conductances_and_source_dt(tmp_path):
    """The Diehl & Cook archive is exported as simulated: conductance synapses on two receptors, its own dt."""
    import json

    import xarray as xr

    sys.path.insert(0, str(Path(__file__).parent))
    from test_hardware_fixtures import synthetic_dc_archive

    from workbench.hardware.export import graph_from_stdp_digits

    src = synthetic_dc_archive(tmp_path / "dc.nc", per_class=1)
    ds = xr.open_dataset(src)
    ds.attrs["config"] = json.dumps({"dataset": "digits", "dt": "0.5 ms"})
    g = graph_from_stdp_digits(ds)
    assert g.dt == 0.5
    kinds = {pr.name: (pr.synapse, pr.receptor) for pr in g.projections}
    assert kinds == {"input_exc": ("conductance", 0), "exc_inh": ("conductance", 0), "inh_exc": ("conductance", 1)}
    exc = g.population("exc")
    assert exc.params["tau_syn"] == 1.0 and exc.params["tau_syn1"] == 2.0 and exc.params["E_rev1"] == -100.0
    assert np.allclose(g.projections[0].weight.sum(), 78.0 * exc.size)  # the learned conductances, unscaled
    # on Loihi (no conductance synapses) they become currents at v_ref, recorded as an approximation
    net = quantize(g, "loihi", 8)
    assert not net.conductance.any() and any("v_ref" in a for a in net.approximations)
    cur = graph_from_stdp_digits(ds, drive="current", v_ref="mid")
    assert all(pr.synapse == "current" for pr in cur.projections)


def test_conductance_to_current_is_exact_at_v_ref():
    from workbench.hardware.graph import conductance_to_current

    pops = [Population("in", 1, "input"),
            Population("n", 2, params=dict(tau_m=10.0, v_rest=-60.0, v_th=-40.0, E_rev0=0.0, E_rev1=-80.0))]
    g = Graph(pops, [Projection("e", "in", "n", [0, 0], [0, 1], 0.5, synapse="conductance"),
                     Projection("i", "in", "n", [0], [1], 2.0, synapse="conductance", receptor=1)], dt=0.5)
    c = conductance_to_current(g, "mid")  # v_ref = -50 mV
    assert np.allclose(c.projections[0].weight, 0.5 * (0 + 50) * 0.5 / 10)
    assert np.allclose(c.projections[1].weight, 2.0 * (-80 + 50) * 0.5 / 10)
    with pytest.raises(GraphError):
        Projection("bad", "in", "n", [0], [0], -1.0, synapse="conductance")


def test_vote_readout_follows_diehl_cook_ties():
    from workbench.hardware.graph import Readout

    ro = Readout("exc", "vote", labels=np.array([0, 1, 1]), classes=tuple(range(3)))
    # class 0 mean 2, class 1 mean 2 -> tie -> the highest class; class 2 has no neurons and scores 0
    assert ro.predict(np.array([[2, 2, 2]]))[0] == 1
    assert ro.predict(np.array([[0, 0, 0]]))[0] == 2  # all zero: DC picks the highest class
    assert ro.predict(np.array([[3, 1, 0]]))[0] == 0
