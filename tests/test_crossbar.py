"""Crossbar chips: specs, mapping onto tiles, design rules, spike-driven reads in the AER simulator, energy."""
import dataclasses

import numpy as np
import pytest

from workbench.hardware.aersim import STDPConfig, encode_inputs, simulate
from workbench.hardware.crossbar import (PRESETS, STATISTICS, SynapseReader, at_time, build_crossbar, check,
                                         crossbar_from_dict, crossbar_statistics, get_crossbar, ideal_devices,
                                         load_crossbar, map_network, program)
from workbench.hardware.crossbar.devices import read_sigma
from workbench.hardware.crossbar.specs import CrossbarError
from workbench.hardware.graph import Graph, Population, Projection
from workbench.hardware.quantize import float_network, quantize
from workbench.hardware.rules import DesignRuleError

# small tiles so that projections split over several tiles (8 x 5 weights per tile)
SMALL = dict(tile_rows=8, tile_cols=10)


def graph(seed=0, grid=False):
    """Inputs and one LIF population with every kind of synapse: receptors 0 and 1, delta, delays, mixed signs.

    ``grid``: weights on a grid of 0.25 mV whose largest magnitude per projection is 3 mV.
    """
    rng = np.random.default_rng(seed)

    def proj(name, pre, n_pre, p, lo, hi, delays=False, **kw):
        ij = np.argwhere(rng.random((n_pre, 20)) < p)
        w = rng.uniform(lo, hi, len(ij))
        if grid:
            w = np.rint(w * 4) / 4
            w[np.argmax(np.abs(w))] = 3.0 * np.sign(w[np.argmax(np.abs(w))])
        d = rng.integers(0, 3, len(ij)).astype(float) if delays else 0.0
        return Projection(name, pre, "a", ij[:, 0], ij[:, 1], w, delay=d, **kw)

    pops = [Population("in", 12, "input"),
            Population("a", 20, params=dict(tau_m=20.0, tau_syn=5.0, tau_syn1=10.0, v_th=8.0, t_ref=2.0))]
    projs = [proj("ff", "in", 12, 0.5, 0.5, 3.0),
             proj("ff1", "in", 12, 0.3, 0.25, 2.0, receptor=1),
             proj("rec", "a", 20, 0.2, -2.0, 1.5, delays=True),
             proj("dl", "in", 12, 0.2, -1.5, 1.5, synapse="delta")]
    return Graph(pops, projs, dt=1.0)


def stimulus(trials=3, ticks=150, seed=1):
    return encode_inputs(np.full((trials, 12), 90.0), ticks, 1.0, np.random.default_rng(seed))


# ----------------------------------------------------------------------------- specs

def test_every_preset_number_cites_a_source_with_its_status():
    knobs = {"prog_noise_scale", "drift_scale", "read_noise_scale", "drift_compensation"}
    marks = ("CHECKED", "assumption", "derived", "unused", "design choice", "runs as fast")
    for spec in PRESETS.values():
        fields = [f.name for f in dataclasses.fields(spec)
                  if isinstance(getattr(spec, f.name), (int, float, tuple)) and f.name not in knobs]
        missing = [k for k in fields if k not in spec.sources]
        assert not missing, f"{spec.name}: no source for {missing}"
        unmarked = [k for k in fields if not any(m in spec.sources[k] for m in marks)]
        assert not unmarked, f"{spec.name}: no CHECKED / NOT CHECKED / assumption mark for {unmarked}"


def test_user_crossbar_from_dict_and_toml(tmp_path):
    c = crossbar_from_dict({"base": "pcm", "name": "pcm16", "levels": 16})
    assert c.levels == 16 and c.g_max == PRESETS["pcm"].g_max and c.sources["levels"] == "user override"
    with pytest.raises(CrossbarError, match="did you mean.*levels"):
        crossbar_from_dict({"base": "pcm", "level": 16})
    with pytest.raises(CrossbarError, match="levels must be 0"):
        PRESETS["pcm"].replace(levels=1)
    f = tmp_path / "x.toml"
    f.write_text('base = "rram"\nname = "r2"\nr_wire = 2.5\ndrift_mu = [0.0, 0.05, 0.05, 0.05]\n')
    assert load_crossbar(f).r_wire == 2.5 and get_crossbar(str(f)).drift_mu == (0.0, 0.05, 0.05, 0.05)
    with pytest.raises(CrossbarError, match="unknown crossbar"):
        get_crossbar("flash")


# ----------------------------------------------------------------------------- mapping

def test_mapping_splits_projections_and_keeps_every_weight():
    net = float_network(graph())
    spec = get_crossbar("pcm").replace(**SMALL)
    m = map_network(net, spec)
    N = net.n_neurons
    dense = np.zeros((N, len(m.key_target)))
    per_source = np.zeros(N, dtype=int)
    for t in m.tiles:
        assert t.shape[0] <= spec.logical_rows and t.shape[1] <= spec.logical_cols
        np.add.at(dense, (t.rows[:, None], t.cols[None, :]), t.weight)
        # the conductance pair stores the weight: w = n (G+ - G-) * scale
        assert np.allclose(spec.devices_per_sign * (t.g_plus - t.g_minus) * t.scale, t.weight, rtol=1e-12)
        per_source[t.rows] += 1
    flat = net.flat
    target = flat.dst + N * np.where(flat.delta, 2, flat.receptor)
    ref = np.zeros_like(dense)
    key = {(a, d): k for k, (a, d) in enumerate(zip(m.key_target, m.key_delay))}
    np.add.at(ref, (flat.src, [key[(a, d)] for a, d in zip(target, net.delay_ticks)]), flat.weight)
    assert np.allclose(dense, ref, rtol=1e-12, atol=0)
    assert np.array_equal(m.tiles_per_source(), per_source)
    # the recurrent projection (20 sources) needs 3 row blocks of 8 sharing its columns: partial sums
    rec = [t for t in m.tiles if t.projection == 2]
    assert {t.block[0] for t in rec} == {0, 1, 2} and m.tiles_per_source()[12:].max() >= 2


def test_levels_round_conductances_to_the_grid():
    spec = get_crossbar("pcm").replace(levels=5, **SMALL)
    m = map_network(graph(), spec)
    step = (spec.g_max - spec.g_min) / 4
    for t in m.tiles:
        for g in (t.g_plus, t.g_minus):
            k = (g - spec.g_min) / step
            assert np.allclose(k, np.rint(k), atol=1e-9) and k.min() >= 0 and k.max() <= 4 + 1e-9


# ----------------------------------------------------------------------------- reads

@pytest.mark.parametrize("layout", [dict(), dict(devices_per_sign=2, tile_rows=16), dict(differential="digital")])
def test_ideal_crossbar_gives_the_float_chip_models_spikes(layout):
    g = graph()
    stim = stimulus()
    spec = ideal_devices(get_crossbar("pcm").replace(**{**SMALL, **layout}))
    for net in (float_network(g), quantize(g, "loihi", 8)):
        ref = simulate(net, stim)
        res = simulate(net, stim, synapse_read=SynapseReader(build_crossbar(net, spec, np.random.default_rng(0))))
        assert ref.raster.sum() > 100
        assert np.array_equal(res.raster, ref.raster)


def test_reads_give_the_summed_weights_of_the_spiking_sources():
    net = float_network(graph())
    state = build_crossbar(net, ideal_devices(get_crossbar("rram").replace(**SMALL)), np.random.default_rng(0))
    reader = SynapseReader(state)
    rng = np.random.default_rng(3)
    N = net.n_neurons
    for _ in range(5):
        b, i = np.nonzero(rng.random((4, N)) < 0.3)
        tb, td, tt, tv = reader(b, i, 0)
        got = np.zeros((4, 3, 3 * N))
        np.add.at(got, (tb, td, tt), tv)
        ref = np.zeros_like(got)
        for bb, ii in zip(b, i):
            sl = slice(net.indptr[ii], net.indptr[ii + 1])
            slot = np.where(net.delta[sl], 2, net.receptor[sl])
            np.add.at(ref, (bb, net.delay_ticks[sl], net.dst[sl] + N * slot), net.weight[sl])
        assert np.allclose(got, ref, rtol=1e-12, atol=1e-12)


def test_enough_levels_and_converter_bits_keep_the_spikes_and_too_few_change_them():
    g = graph(grid=True)  # weights on a 0.25 mV grid, 3 mV the largest of each projection
    net = float_network(g)
    stim = stimulus()
    ref = simulate(net, stim).raster
    base = ideal_devices(get_crossbar("pcm").replace(**SMALL))

    def run(**kw):
        st = build_crossbar(net, base.replace(**kw), np.random.default_rng(0), scale="projection")
        return simulate(net, stim, synapse_read=SynapseReader(st)).raster

    assert np.array_equal(run(levels=13, adc_bits=24), ref)  # 12 steps of 0.25 mV: every weight is a level
    assert np.array_equal(run(levels=13, adc_bits=24, differential="digital"), ref)
    assert not np.array_equal(run(levels=4), ref)
    assert not np.array_equal(run(adc_bits=3), ref)


def test_per_read_noise_is_seeded_and_reaches_the_spikes():
    net = float_network(graph())
    stim = stimulus()
    state = build_crossbar(net, get_crossbar("rram").replace(**SMALL), np.random.default_rng(0))
    runs = [simulate(net, stim, synapse_read=SynapseReader(state, np.random.default_rng(s))).raster for s in (1, 1, 2)]
    assert np.array_equal(runs[0], runs[1]) and not np.array_equal(runs[0], runs[2])
    with pytest.raises(ValueError, match="rng"):
        SynapseReader(state)
    with pytest.raises(ValueError, match="synapse_read"):
        simulate(net, stim, stdp=STDPConfig(projection=0), synapse_read=SynapseReader(state, np.random.default_rng(1)))


def test_per_read_noise_has_the_devices_spread():
    """One synapse read 40,000 times, 1 h after programming: the output spreads as the 1/f read noise of its device."""
    g = Graph([Population("in", 1, "input"), Population("a", 1)], [Projection("p", "in", "a", [0], [0], [2.0])])
    net = float_network(g)
    spec = ideal_devices("pcm").replace(read_noise_scale=1.0)
    state = build_crossbar(net, spec, np.random.default_rng(0), drift_time=3600.0)
    n = 40_000
    _, _, _, v = SynapseReader(state, np.random.default_rng(1))(np.arange(n), np.zeros(n, dtype=int), 0)
    tile = state.mapping.tiles[0]
    sigma = read_sigma(np.array([spec.g_max]), np.array([spec.g_max]), 3600.0, spec)[0]
    assert len(v) == n and v.mean() == pytest.approx(2.0, rel=1e-3)
    assert v.std() == pytest.approx(sigma * tile.scale, rel=0.02)  # standard error of the spread: 0.4%
    frozen = build_crossbar(net, spec, np.random.default_rng(0), drift_time=3600.0, read_noise="frozen")
    _, _, _, w = SynapseReader(frozen)(np.arange(3), np.zeros(3, dtype=int), 0)
    assert np.all(w == w[0]) and w[0] != 2.0  # one draw per deployment, the same at every read


def test_wire_resistance_lowers_the_synaptic_input():
    net = float_network(graph())
    spec = ideal_devices(get_crossbar("pcm").replace(**SMALL))
    b, i = np.zeros(12, dtype=int), np.arange(12)  # every input spikes
    outs = []
    for r in (0.0, 100.0):
        st = build_crossbar(net, spec.replace(r_wire=r), np.random.default_rng(0))
        tb, td, tt, tv = SynapseReader(st)(b, i, 0)
        ff = tt < net.n_neurons  # receptor 0: the excitatory projection 'ff' only
        outs.append(np.bincount(tt[ff], weights=tv[ff], minlength=net.n_neurons))
    assert np.all(outs[1][12:] < outs[0][12:]) and np.all(outs[1][12:] > 0.7 * outs[0][12:])
    assert not check(st.mapping, rules=["ir_drop"], raise_on_error=False)  # within the first-order model's range


def test_global_drift_compensation_undoes_a_uniform_drift():
    spec = ideal_devices(get_crossbar("pcm").replace(**SMALL)).replace(drift_scale=1.0,
                                                                        drift_mu=(0.0, 0.06, 0.06, 0.06),
                                                                        drift_sigma=(0.0, 0.0, 0.0, 0.0))
    chip = program(map_network(graph(), spec), np.random.default_rng(0))
    t = 3.15e7
    fresh = at_time(chip, 0.0)
    plain = at_time(chip, t, compensate=False)
    comp = at_time(chip, t, compensate=True)
    f = ((t + 20.0) / 20.0) ** -0.06
    for a, b, c in zip(fresh.tiles, plain.tiles, comp.tiles):
        assert np.allclose(b.eff_plus - b.eff_minus, f * (a.eff_plus - a.eff_minus), rtol=1e-12, atol=1e-20)
        assert b.alpha == 1.0 and c.alpha == pytest.approx(1 / f, rel=1e-12)


# ----------------------------------------------------------------------------- rules and statistics

def test_each_limit_has_a_named_rule():
    g = graph()
    base = get_crossbar("pcm").replace(**SMALL)
    cases = {"tiles_available": dict(tiles_per_chip=2), "weight_resolution": dict(levels=3),
             "adc_resolution": dict(adc_bits=2), "adc_saturation": dict(adc_range=0.3),
             "ir_drop": dict(r_wire=3e4)}
    assert not check(map_network(g, base), raise_on_error=False, ignore=("tiles_available",))
    for rule, change in cases.items():
        found = {v.rule for v in check(map_network(g, base.replace(**change)), raise_on_error=False)}
        assert rule in found, (rule, found)
    with pytest.raises(DesignRuleError, match="tiles_available"):
        check(map_network(g, base.replace(tiles_per_chip=2)))
    with pytest.raises(ValueError, match="unknown crossbar rule"):
        check(map_network(g, base), rules=["fan_in"])


def test_statistics_count_reads_and_add_up():
    net = float_network(graph())
    spec = get_crossbar("pcm").replace(**SMALL)
    state = build_crossbar(net, spec, np.random.default_rng(0))
    res = simulate(net, stimulus(trials=2), synapse_read=SynapseReader(state, np.random.default_rng(1)))
    st = crossbar_statistics(res, state, chunk=1)
    assert set(STATISTICS) <= set(st)
    m = state.mapping
    reads = np.zeros(2)
    drives = np.zeros(2)
    for t in m.tiles:
        active = res.raster[:, :, t.rows].sum(axis=2)
        reads += (active > 0).sum(axis=1)
        drives += active.sum(axis=1)
    assert np.array_equal(st["reads"], reads) and np.array_equal(st["row_drives"], drives)
    assert np.allclose(st["energy"], st["energy_array"] + st["energy_converters"] + st["energy_digital"]
                       + st["energy_static"])
    assert np.allclose(st["energy"], st["energy_synop"] + st["energy_neuron"] + st["energy_static"])
    assert np.all(st["energy_adc"] == st["conversions"] * spec.energy_adc) and np.all(st["energy_array"] > 0)
    assert st["latency"].mean() == pytest.approx(st["tick_latency"].sum(), rel=1e-12)
    assert np.all(st["latency"] >= res.n_ticks * spec.latency_digital)
