"""Real NIR files written by snnTorch 1.0.0 and Norse 1.1.0 (tests/data/nir/make_fixtures.py), imported with
workbench.nir and compared with each library's own simulation on the same input spikes.

Both libraries step in discrete time (snnTorch's exporter assumes dt = 0.1 ms, Norse's 1 ms): a spike
is a pulse of height 1 for one step, so the files are read with ``spike_area = dt`` and
``synapses_when = 'before_thresholds'`` (the threshold is tested right after the step's input, as
they do), at Brian2's dt = the library's dt.  Brian2 integrates the continuous equations exactly
where the libraries use forward Euler (``beta`` for ``exp(-dt/tau)``, the synaptic current added to
``v`` at full strength in the step it jumps), and a layer's spikes come one step later per layer
than in the library (a spike of step n is delivered in step n + 1).  Tolerances, from those two
facts:
- LIF layers (snnTorch Leaky, Norse LIFBoxCell): spike counts per neuron within 2, and at least 90%
  of the library's spikes at the same step in Brian2 after the layer's lag (its depth in steps).
- recurrent LIF (snnTorch RLeaky): counts within 2 (recurrence turns any one-step difference into
  different later spike times).
- CubaLIF (snnTorch Synaptic, Norse LIFCell): counts within 10% + 1 (Euler of a synaptic current
  with dt/tau_syn = 0.1 and 0.2).
- LI readout (Norse LIBoxCell, tau = 20 dt): voltage within 10% of its range at every step and 2% on
  average, three steps later (spike lag 1, delivery 1, monitor at the start of the step 1).
"""
from pathlib import Path

import numpy as np
import pytest
from brian2 import Network, defaultclock, second, volt

nir = pytest.importorskip("nir")  # the optional dependency workbench.nir reads

from workbench import nir as wnir

DATA = Path(__file__).parent / "data" / "nir"
EXTRA = 4  # steps run past the input, so that lagged spikes are counted


def _load(name, graph=None, **kw):
    f = np.load(DATA / f"{name}.npz")
    x, dt = f["input"], float(f["dt"])
    defaultclock.dt = dt * second
    steps, idx = np.nonzero(x)
    graph = nir.read(DATA / f"{name}.nir", type_check=False) if graph is None else graph
    net = wnir.from_nir(graph, spikes=(idx, steps * dt * second), spike_area=dt * second,
                        synapses_when="before_thresholds", **kw)
    Network(net.objects).run((len(x) + EXTRA) * dt * second)
    return net, f, dt


def _raster(net, key, dt, shape):
    i, t = net.spikes(key)
    r = np.zeros((shape[0] + EXTRA, shape[1]), dtype=int)
    r[np.rint(np.asarray(t / second) / dt).astype(int), i] = 1
    return r


def _compare_lif(net, f, dt, key, lag):
    ref = f[f"spikes_{key}"].astype(int)
    got = _raster(net, key, dt, ref.shape)[lag:lag + len(ref)]
    assert ref.sum() > 50, key  # the layer is active
    assert np.abs(got.sum(0) - ref.sum(0)).max() <= 2, (key, ref.sum(0), got.sum(0))
    same = (got & ref).sum() / ref.sum()
    assert same >= 0.9, (key, same)


def test_snntorch_leaky_two_layers_with_biases():
    net, f, dt = _load("snntorch_leaky")
    assert {k: type(n).__name__ for k, n in nir.read(DATA / "snntorch_leaky.nir").nodes.items()} == {
        "input": "Input", "0": "Affine", "1": "LIF", "2": "Affine", "3": "LIF", "output": "Output"}
    assert net.outputs == {"output": "3"}
    _compare_lif(net, f, dt, "1", lag=1)
    _compare_lif(net, f, dt, "3", lag=2)


def test_snntorch_rleaky_recurrent_layer():
    net, f, dt = _load("snntorch_rleaky")
    assert "1.lif -> 1.w_rec -> 1.lif" in net.synapses  # the recurrent Affine, with its bias
    ref = f["spikes_1.lif"].astype(int)
    got = _raster(net, "1.lif", dt, ref.shape)[1:1 + len(ref)]
    assert ref.sum() > 50
    assert np.abs(got.sum(0) - ref.sum(0)).max() <= 2, (ref.sum(0), got.sum(0))


def test_snntorch_synaptic_is_cubalif():
    net, f, dt = _load("snntorch_synaptic")
    ref = f["spikes_1"].astype(int).sum(0)
    got = _raster(net, "1", dt, f["spikes_1"].shape).sum(0)
    assert ref.sum() > 50
    assert np.all(np.abs(got - ref) <= 0.1 * ref + 1), (ref, got)


def test_norse_files_keep_their_time_constants_in_units_of_dt_squared():
    """Norse 1.1.0 writes tau = dt/tau_mem_inv (norse issue #411): 1e-5 s for a 10 ms membrane at dt = 1 ms."""
    g = nir.read(DATA / "norse_lifbox_li.nir", type_check=False)
    assert np.allclose(np.asarray(g.nodes["1"].tau), 1e-5) and np.allclose(np.asarray(g.nodes["3"].tau), 2e-5)
    net = wnir.from_nir(g, name="as_written")
    assert float(net.groups["1"].namespace["tau_m"] / second) == pytest.approx(1e-5)


def test_norse_lifbox_and_li_readout():
    # tau_file = dt * tau: read the file's times in units of 1/dt seconds (1000 s)
    net, f, dt = _load("norse_lifbox_li", time_unit=1 / 1e-3 * second)
    assert float(net.groups["1"].namespace["tau_m"] / second) == pytest.approx(0.01)
    _compare_lif(net, f, dt, "1", lag=1)
    ref = f["v_3"]
    v = np.asarray(net.state_monitors["3"].v[:] / volt).T[3:3 + len(ref)]
    err = np.abs(v - ref) / np.ptp(ref)
    assert err.max() < 0.10 and err.mean() < 0.02, (err.max(), err.mean())
    assert net.outputs == {"output": "3"} and "3" not in net.spike_monitors


def test_norse_lif_cell_is_cubalif_once_w_in_is_set():
    """Norse's LIFCell adds the input to its current each step (i += x): NIR's w_in = tau_syn/dt, which
    Norse 1.1.0 leaves at 1 (a jump dt/tau_syn = 5 times too small); set it, in the file's units."""
    g = nir.read(DATA / "norse_lif.nir", type_check=False)
    dt = 1e-3
    g.nodes["1"].w_in = np.asarray(g.nodes["1"].tau_syn) / dt / dt  # (tau_file/dt) / dt
    net, f, dt = _load("norse_lif", graph=g, time_unit=1 / dt * second)
    ref = f["spikes_1"].astype(int).sum(0)
    got = _raster(net, "1", dt, f["spikes_1"].shape).sum(0)
    assert ref.sum() > 50
    assert np.all(np.abs(got - ref) <= 0.1 * ref + 1), (ref, got)


def test_fixture_comparison_can_fail():
    """Half the spike area (the wrong reading of snnTorch's steps) breaks the agreement."""
    f = np.load(DATA / "snntorch_leaky.npz")
    x, dt = f["input"], float(f["dt"])
    defaultclock.dt = dt * second
    steps, idx = np.nonzero(x)
    net = wnir.load(DATA / "snntorch_leaky.nir", spikes=(idx, steps * dt * second), spike_area=0.5 * dt * second,
                    synapses_when="before_thresholds")
    Network(net.objects).run((len(x) + EXTRA) * dt * second)
    with pytest.raises(AssertionError):
        _compare_lif(net, f, dt, "1", lag=1)
