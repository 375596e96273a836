"""The chip simulator against Brian2: spike for spike on an integer-friendly network."""
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
                       u = int(u*du)
                       v = act*(int(v*dv) + u) + (1 - act)*v""", when="start")
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
