"""The chip simulator against Brian2: spike for spike on integer-friendly networks.

The Brian2 side writes the chip's integer arithmetic as generated code (run_regularly, on_pre,
``int()`` truncation toward zero): the current-based network with power-of-two decays, and a
conductance-based one (two receptors with reversal potentials, the quantized decays and gains of the
chip network, v bounded by the reversal potentials).  Order per step, as on the chip: v from the
synaptic state of the step start, then the synaptic state decays; threshold; arrivals; reset.
"""
import numpy as np
import pytest

from workbench.hardware.aersim import encode_inputs, simulate
from workbench.hardware.chips import LOIHI
from workbench.hardware.graph import Graph, Population, Projection
from workbench.hardware.quantize import quantize

K_M, K_S = 3, 2  # decays 1 - 2**-k per tick


def _graph(seed=1, nin=20, n=30):
    rng = np.random.default_rng(seed)
    tau_m = -1 / np.log(1 - 2.0**-K_M)
    tau_s = -1 / np.log(1 - 2.0**-K_S)
    ff = np.unique(np.c_[rng.integers(0, nin, 200), rng.integers(0, n, 200)], axis=0)
    rec = np.unique(np.c_[rng.integers(0, n, 100), rng.integers(0, n, 100)], axis=0)
    params = dict(tau_m=tau_m, tau_syn=tau_s, v_th=40.0, v_reset=-5.0, t_ref=2.0)
    return Graph(
        [Population("in", nin, "input"), Population("exc", n, params=params)],
        [Projection("ff", "in", "exc", ff[:, 0], ff[:, 1], rng.integers(-3, 12, len(ff)).astype(float)),
         Projection("rec", "exc", "exc", rec[:, 0], rec[:, 1], rng.integers(-8, 5, len(rec)).astype(float),
                    delay=rng.integers(0, 4, len(rec)).astype(float), synapse="delta")],
        dt=1.0)


def _brian(graph, stim):
    """The same network as integer arithmetic in Brian2 (run_regularly + on_pre), spikes as (tick, index)."""
    from brian2 import (Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses, defaultclock, ms)

    defaultclock.dt = graph.dt * ms
    T, nin = stim.shape
    exc = graph.population("exc")
    ticks, idx = np.nonzero(stim)
    inp = SpikeGeneratorGroup(nin, idx, ticks * graph.dt * ms)
    G = NeuronGroup(exc.size, """v : 1
                                 u : 1
                                 act : 1
                                 ref : 1
                                 th : 1 (constant)
                                 vr : 1 (constant)
                                 nref : 1 (constant)""",
                    threshold="act > 0.5 and v > th", reset="v = vr; ref = nref",
                    namespace={"du": 1 - 2.0**-K_S, "dv": 1 - 2.0**-K_M})
    G.th = exc.param("v_th")
    G.vr = exc.param("v_reset")
    G.nref = np.rint(exc.param("t_ref") / graph.dt)
    G.run_regularly("""act = int(ref < 0.5)
                       ref = ref - 1 + act
                       v = act*(int(v*dv) + u) + (1 - act)*v
                       u = int(u*du)""", when="start")
    ff, rec = graph.projections
    S1 = Synapses(inp, G, "w : 1", on_pre="u_post += w")
    S1.connect(i=ff.pre_index, j=ff.post_index)
    S1.w = ff.weight
    S2 = Synapses(G, G, "w : 1", on_pre="v_post += w*act_post")
    S2.connect(i=rec.pre_index, j=rec.post_index)
    S2.w = rec.weight
    S2.delay = rec.delay * ms
    mon = SpikeMonitor(G)
    Network(inp, G, S1, S2, mon).run(T * graph.dt * ms)
    t = np.rint(np.asarray(mon.t / ms) / graph.dt).astype(int)
    return t, np.asarray(mon.i)


def _sorted(t, i):
    o = np.lexsort((i, t))
    return np.asarray(t)[o], np.asarray(i)[o]


def test_chip_equals_brian_spike_for_spike():
    g = _graph()
    stim = encode_inputs(np.full((1, 20), 150.0), 300, g.dt, np.random.default_rng(3))[0]
    chip = LOIHI.replace(weight_bits=16)
    net = quantize(g, chip, 16, scale=1.0, max_frac_bits=0)
    assert np.array_equal(net.weight_int, g.flat().weight)  # integer weights pass unchanged
    res = simulate(net, stim[None])
    t_chip, i_chip = res.spikes(0)
    comp = i_chip >= 20
    t_chip, i_chip = _sorted(t_chip[comp], i_chip[comp] - 20)
    t_b, i_b = _sorted(*_brian(g, stim))
    assert len(t_b) > 100  # the network is active
    assert np.array_equal(t_chip, t_b) and np.array_equal(i_chip, i_b)


def test_brian_comparison_can_fail():
    """A different decay (k=4 instead of 3) on the chip breaks the equality."""
    g = _graph()
    stim = encode_inputs(np.full((1, 20), 150.0), 300, g.dt, np.random.default_rng(3))[0]
    net = quantize(g, LOIHI.replace(weight_bits=16), 16, scale=1.0, max_frac_bits=0)
    net = net.replace(decay_v=np.full_like(net.decay_v, 2**12 - 2**8))
    t_chip, i_chip = simulate(net, stim[None]).spikes(0)
    comp = i_chip >= 20
    t_b, i_b = _sorted(*_brian(g, stim))
    t_c, i_c = _sorted(t_chip[comp], i_chip[comp] - 20)
    assert not (len(t_c) == len(t_b) and np.array_equal(t_c, t_b) and np.array_equal(i_c, i_b))


def _cond_graph(seed=2, nin=30, n=25):
    rng = np.random.default_rng(seed)
    ff = np.unique(np.c_[rng.integers(0, nin, 300), rng.integers(0, n, 300)], axis=0)
    rec = np.unique(np.c_[rng.integers(0, n, 120), rng.integers(0, n, 120)], axis=0)
    rec = rec[rec[:, 0] != rec[:, 1]]
    params = dict(tau_m=32.0, tau_syn=2.0, tau_syn1=4.0, v_rest=0.0, v_th=20.0, v_reset=-4.0, t_ref=3.0,
                  E_rev0=64.0, E_rev1=-16.0)
    return Graph(
        [Population("in", nin, "input"), Population("exc", n, params=params)],
        [Projection("ff", "in", "exc", ff[:, 0], ff[:, 1], rng.integers(1, 9, len(ff)) / 8.0,
                    synapse="conductance", receptor=0),
         Projection("rec", "exc", "exc", rec[:, 0], rec[:, 1], rng.integers(1, 9, len(rec)) / 4.0,
                    delay=rng.integers(0, 4, len(rec)).astype(float), synapse="conductance", receptor=1)],
        dt=1.0)


def _brian_cond(net, stim, n_in):
    """The quantized conductance network (integer state, decays and gains taken from ``net``) in Brian2."""
    from brian2 import Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, Synapses, defaultclock, ms

    defaultclock.dt = net.dt * ms
    T = stim.shape[0]
    ex = slice(n_in, net.n_neurons)
    ticks, idx = np.nonzero(stim)
    inp = SpikeGeneratorGroup(n_in, idx, ticks * net.dt * ms)
    n = net.n_neurons - n_in
    one = 2.0**net.decay_bits
    G = NeuronGroup(n, """v : 1
                          g0 : 1
                          g1 : 1
                          act : 1
                          ref : 1
                          th : 1 (constant)
                          vr : 1 (constant)
                          nref : 1 (constant)
                          dv : 1 (constant)
                          d0 : 1 (constant)
                          d1 : 1 (constant)
                          G0 : 1 (constant)
                          G1 : 1 (constant)
                          E0 : 1 (constant)
                          E1 : 1 (constant)
                          vlo : 1 (constant)
                          vhi : 1 (constant)""",
                    threshold="act > 0.5 and v > th", reset="v = vr; ref = nref")
    G.th, G.vr, G.nref = net.threshold[ex], net.v_reset[ex], net.ref_ticks[ex]
    G.dv = net.decay_v[ex] / one
    G.d0, G.d1 = net.decay_u[0, ex] / one, net.decay_u[1, ex] / one
    G.G0, G.G1 = net.gain[0, ex], net.gain[1, ex]
    G.E0, G.E1 = net.E_rev[0, ex], net.E_rev[1, ex]
    G.vlo, G.vhi = net.v_lo[ex], net.v_hi[ex]
    G.run_regularly("""act = int(ref < 0.5)
                       ref = ref - 1 + act
                       vn = int(v*dv) + int(g0*(E0 - v)*G0) + int(g1*(E1 - v)*G1)
                       vn = clip(vn, vlo, vhi)
                       v = act*vn + (1 - act)*v
                       g0 = int(g0*d0)
                       g1 = int(g1*d1)""", when="start")
    src, dst, w = net.src, net.dst, net.weight
    fromin = src < n_in
    S1 = Synapses(inp, G, "w : 1", on_pre="g0_post += w")
    S1.connect(i=src[fromin], j=dst[fromin] - n_in)
    S1.w = w[fromin]
    S2 = Synapses(G, G, "w : 1", on_pre="g1_post += w")
    S2.connect(i=src[~fromin] - n_in, j=dst[~fromin] - n_in)
    S2.w = w[~fromin]
    S2.delay = net.delay_ticks[~fromin] * net.dt * ms
    mon = SpikeMonitor(G)
    Network(inp, G, S1, S2, mon).run(T * net.dt * ms)
    t = np.rint(np.asarray(mon.t / ms) / net.dt).astype(int)
    return t, np.asarray(mon.i)


def test_conductance_chip_equals_brian_spike_for_spike():
    """Integer conductance drive trunc(g*(E - v)*G), two receptors, v bounds: chip == Brian2 code."""
    g = _cond_graph()
    stim = encode_inputs(np.full((1, 30), 120.0), 300, g.dt, np.random.default_rng(4))[0]
    chip = LOIHI.replace(weight_bits=8, synapse_types=("current", "delta", "conductance"))
    net = quantize(g, chip, 8)
    assert net.conductance[:, 30:].all() and not net.approximations
    assert np.all(net.gain[:, 30:] > 0) and np.all(np.isfinite(net.v_lo[30:]))
    t_chip, i_chip = simulate(net, stim[None]).spikes(0)
    comp = i_chip >= 30
    t_chip, i_chip = _sorted(t_chip[comp], i_chip[comp] - 30)
    t_b, i_b = _sorted(*_brian_cond(net, stim, 30))
    assert len(t_b) > 100  # active, and the inhibition acts (some neurons fire less than others)
    assert np.array_equal(t_chip, t_b) and np.array_equal(i_chip, i_b)
    # a different gain breaks it
    net2 = net.replace(gain=net.gain * 1.25)
    t2, i2 = simulate(net2, stim[None]).spikes(0)
    t2, i2 = _sorted(t2[i2 >= 30], i2[i2 >= 30] - 30)
    assert not (len(t2) == len(t_b) and np.array_equal(t2, t_b) and np.array_equal(i2, i_b))
