"""Export then import: a workbench network written to NIR (hardware.graph.to_nir) and read back with
workbench.nir spikes exactly as the original, on numpy and on cpp_standalone.

The network covers both neuron kinds the exporter writes: ``exc`` (LIF with an exp_curr receptor,
fed by the input and recurrently: NIR CubaLIF) and ``out`` (LIF with delta synapses from ``exc``
with a 1 ms delay and recurrently: NIR LIF, Linear -> Delay).  NIR has no refractory period, so
the original has ``t_ref = 0``.  The exporter writes weights for spikes of area dt, so the import
uses ``spike_area = dt``.
"""
import numpy as np
import pytest
from brian2 import Network, SpikeGeneratorGroup, SpikeMonitor, defaultclock, mV, ms, second

nir = pytest.importorskip("nir")  # the optional dependency workbench.nir reads

from workbench import models
from workbench import nir as wnir
from workbench.backends import Simulation, model_key, use_backend
from workbench.hardware.export import graph_from_brian
from workbench.hardware.graph import to_nir

N_IN, N_EXC, N_OUT = 20, 15, 6
DURATION = 200 * ms


def _stimulus():
    rng = np.random.default_rng(7)
    steps = np.nonzero(rng.random((2000, N_IN)) < 0.006)  # ~60 Hz per input at dt = 0.1 ms
    return steps[1], steps[0] * 0.1 * ms


def _original():
    """The network from the model library; returns its objects and the spike monitors."""
    rng = np.random.default_rng(3)
    idx, times = _stimulus()
    P = SpikeGeneratorGroup(N_IN, idx, times, name="src")
    rec = models.synapse("exp_curr").receptor("e", tau=5 * ms)
    exc = models.neuron_group(models.neuron("lif"), N_EXC, receptors=[rec], t_ref=0 * ms, name="exc")
    out = models.neuron_group(models.neuron("lif"), N_OUT, t_ref=0 * ms, v_reset=-70 * mV, name="out")
    S = []
    for pre, post, tgt, p, w, kw in (
            (P, exc, rec, 0.4, (1.0, 4.0), {}),
            (exc, exc, rec, 0.2, (-3.0, 2.0), {}),
            (exc, out, "v", 0.5, (2.0, 9.0), dict(w_scale=1 * mV, delay=1 * ms)),
            (out, out, "v", 0.3, (-4.0, 3.0), dict(w_scale=1 * mV))):
        syn = models.connect(pre, post, tgt, name=f"{pre.name}_{post.name}", **kw)
        mask = rng.random((len(pre), len(post))) < p
        if pre is post:
            np.fill_diagonal(mask, False)
        i, j = np.nonzero(mask)
        syn.connect(i=i, j=j)
        syn.w = rng.uniform(*w, len(i))
        S.append(syn)
    return [P, exc, out], S


def _sorted(i, t):
    i, t = np.asarray(i), np.asarray(t / ms)
    o = np.lexsort((i, t))
    return i[o], t[o]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The original's spikes (numpy) and its NIR file."""
    from brian2 import prefs, set_device

    set_device("runtime")
    prefs.codegen.target = "numpy"
    defaultclock.dt = 0.1 * ms
    groups, syns = _original()
    mons = {g.name: SpikeMonitor(g) for g in groups[1:]}
    graph = graph_from_brian(groups, syns, dt=defaultclock.dt)
    Network(groups, syns, list(mons.values())).run(DURATION)
    spikes = {k: _sorted(m.i[:], m.t[:]) for k, m in mons.items()}
    path = tmp_path_factory.mktemp("nir") / "network.nir"
    nir.write(path, to_nir(graph))
    return spikes, path


def _imported(path, backend):
    with use_backend(backend, key=model_key("nir-roundtrip", N_IN, N_EXC, N_OUT)) as be:
        defaultclock.dt = 0.1 * ms
        net = wnir.load(path, spikes=_stimulus(), spike_area=0.1 * ms)
        Simulation(Network(net.objects), DURATION, be).run()
        return net, {k: _sorted(*net.spikes(k)) for k in ("exc", "out")}


def test_exported_graph_has_both_neuron_kinds(exported):
    g = nir.read(exported[1], type_check=False)
    kinds = {k: type(v).__name__ for k, v in g.nodes.items()}
    assert kinds["exc"] == "CubaLIF" and kinds["out"] == "LIF" and kinds["exc_out_delay"] == "Delay"
    assert ("exc_exc", "exc") in g.edges and ("out_out", "out") in g.edges


@pytest.mark.parametrize("backend", ["numpy", "cpp_standalone"])
def test_export_then_import_spikes_the_same(exported, backend):
    original, path = exported
    net, spikes = _imported(path, backend)
    assert set(net.groups) == {"exc", "out"}
    for k in ("exc", "out"):
        assert len(original[k][0]) > 20, k  # both populations are active
        assert np.array_equal(spikes[k][0], original[k][0]), k
        assert np.allclose(spikes[k][1], original[k][1], atol=1e-9, rtol=0), k


def test_round_trip_comparison_can_fail(exported):
    """The same import with twice the spike area (0.2 ms instead of the exporter's dt) spikes differently."""
    original, path = exported
    with use_backend("numpy"):
        defaultclock.dt = 0.1 * ms
        net = wnir.load(path, spikes=_stimulus(), spike_area=0.2 * ms)
        Network(net.objects).run(DURATION)
    assert len(net.spikes("exc")[0]) != len(original["exc"][0])
    assert float(net.spike_area / second) == pytest.approx(2e-4)
