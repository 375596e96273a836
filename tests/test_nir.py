"""NIR import (workbench.nir) on graphs built with the nir package: each against its closed form.

Brian2's time conventions used below (default schedule): a spike recorded at t_k was crossed in
(t_k, t_k + dt]; the neuron is reset at t_k + dt; a spike emitted at t_k reaches its targets at
t_k + dt.  So a LIF's first spike from rest is at floor(T0/dt)*dt and its interval is
(floor(T/dt) + 1)*dt, with T0 and T the continuous times to threshold.
"""
import numpy as np
import pytest
from brian2 import Network, TimedArray, amp, defaultclock, mV, ms, second

nir = pytest.importorskip("nir")  # the optional dependency workbench.nir reads

from workbench import nir as wnir
from workbench.nir import NIRImportError

DT = 0.1e-3  # s, the tests' defaultclock (tests/conftest.py)


def _v(x, n):
    return np.full(n, float(x))


def _lif(n, tau=0.02, r=2.0, v_leak=0.1, v_th=1.0, v_reset=-0.2):
    return nir.LIF(tau=_v(tau, n), r=_v(r, n), v_leak=_v(v_leak, n), v_threshold=_v(v_th, n),
                   v_reset=_v(v_reset, n))


def _inp(n):
    return nir.Input(input_type={"input": np.array([n])})


def _run(net, duration):
    Network(net.objects).run(duration)
    return net


def _bias_graph(b, neuron):
    n = len(b)
    return nir.NIRGraph(nodes={"input": _inp(1), "aff": nir.Affine(weight=np.zeros((n, 1)), bias=np.asarray(b)),
                               "lif": neuron}, edges=[("input", "aff"), ("aff", "lif")], type_check=False)


def test_lif_with_constant_bias_fires_at_the_analytic_rate():
    b = np.array([0.6, 0.5, 0.45, 0.3])  # v_inf = v_leak + r*b: 1.3, 1.1, 1.0 (= threshold: silent), 0.7
    net = _run(wnir.from_nir(_bias_graph(b, _lif(4))), 200 * ms)
    i, t = net.spikes("lif")
    t = np.asarray(t / second)
    v_inf = 0.1 + 2.0 * b
    for k in (0, 1):
        T0 = 0.02 * np.log((v_inf[k] - 0.1) / (v_inf[k] - 1.0))  # from v_leak
        T = 0.02 * np.log((v_inf[k] + 0.2) / (v_inf[k] - 1.0))  # from v_reset
        tk = t[i == k]
        assert tk[0] == pytest.approx(np.floor(T0 / DT) * DT, abs=1e-12)
        assert np.allclose(np.diff(tk), (np.floor(T / DT) + 1) * DT, atol=1e-12, rtol=0)
    assert not np.isin([2, 3], i).any()
    assert net.groups["lif"].namespace["t_ref"] == 0 * ms  # NIR has no refractory period


def test_if_with_constant_bias_integrates_linearly():
    # dv/dt = R b: from v_reset to v_th in (v_th - v_reset)/(R b)
    node = nir.IF(r=_v(50.0, 2), v_threshold=_v(1.0, 2), v_reset=_v(-0.5, 2))
    net = _run(wnir.from_nir(_bias_graph([0.7, 0.2], node)), 300 * ms)
    i, t = net.spikes("lif")
    for k, b in enumerate((0.7, 0.2)):
        T = 1.5 / (50.0 * b)
        assert np.allclose(np.diff(np.asarray(t[i == k] / second)), (np.floor(T / DT) + 1) * DT, atol=1e-12)


def test_cubalif_psp_has_the_closed_form_shape():
    """One spike through Linear w into CubaLIF: v - v_leak = R w_in w a/(tau_m - tau_s) (e^-s/tau_m - e^-s/tau_s)."""
    tau_m, tau_s, r, w_in, w, a = 0.02, 0.005, 3.0, 2.0, 0.4, 1e-3
    node = nir.CubaLIF(tau_mem=_v(tau_m, 1), tau_syn=_v(tau_s, 1), r=_v(r, 1), v_leak=_v(-0.07, 1),
                       v_threshold=_v(10.0, 1), v_reset=_v(0.0, 1), w_in=_v(w_in, 1))
    g = nir.NIRGraph(nodes={"input": _inp(1), "w": nir.Linear(weight=np.array([[w]])), "cuba": node},
                     edges=[("input", "w"), ("w", "cuba")])
    net = _run(wnir.from_nir(g, spikes=([0], [5] * ms), spike_area=a * second, record_v=["cuba"]), 60 * ms)
    mon = net.state_monitors["cuba"]
    t, v = np.asarray(mon.t / second), np.asarray(mon.v[0] / mV) * 1e-3
    s = t - 5e-3 - DT
    psp = r * w_in * w * a / (tau_m - tau_s) * (np.exp(-s / tau_m) - np.exp(-s / tau_s))
    expected = -0.07 + np.where(s >= 0, psp, 0)
    assert np.max(np.abs(v - expected)) < 1e-12
    assert np.ptp(v) > 0.01  # the PSP is there


def test_cubalif_with_equal_time_constants_is_nudged_and_recorded():
    tau, r, w, a = 0.01, 1.0, 0.5, 1e-3
    node = nir.CubaLIF(tau_mem=_v(tau, 1), tau_syn=_v(tau, 1), r=_v(r, 1), v_leak=_v(0.0, 1),
                       v_threshold=_v(10.0, 1), v_reset=_v(0.0, 1))
    g = nir.NIRGraph(nodes={"input": _inp(1), "w": nir.Linear(weight=np.array([[w]])), "cuba": node},
                     edges=[("input", "w"), ("w", "cuba")])
    net = _run(wnir.from_nir(g, spikes=([0], [0] * ms), spike_area=a * second, record_v=True), 40 * ms)
    assert any("tau_syn = tau_mem" in n for n in net.approximations)
    mon = net.state_monitors["cuba"]
    s = np.asarray(mon.t / second) - DT
    alpha = np.where(s >= 0, r * w * a * s / tau**2 * np.exp(-s / tau), 0)  # the limit tau_s -> tau_m
    assert np.allclose(np.asarray(mon.v[0] / mV) * 1e-3, alpha, atol=1e-5 * alpha.max(), rtol=0)


def test_cubalif_bias_rises_through_the_synaptic_current():
    tau_m, tau_s, r, w_in, b = 0.02, 0.005, 2.0, 1.5, 0.2
    node = nir.CubaLIF(tau_mem=_v(tau_m, 1), tau_syn=_v(tau_s, 1), r=_v(r, 1), v_leak=_v(0.0, 1),
                       v_threshold=_v(10.0, 1), v_reset=_v(0.0, 1), w_in=_v(w_in, 1))
    net = _run(wnir.from_nir(_bias_graph([b], node), record_v=True), 50 * ms)
    mon = net.state_monitors["lif"]
    t = np.asarray(mon.t / second)
    expected = r * w_in * b * (1 - (tau_m * np.exp(-t / tau_m) - tau_s * np.exp(-t / tau_s)) / (tau_m - tau_s))
    assert np.max(np.abs(np.asarray(mon.v[0] / mV) * 1e-3 - expected)) < 1e-12


def test_li_readout_with_scale_and_bias_is_exact():
    """Input -> Affine (bias) -> Scale -> LI: v = v_leak + R s b (1 - e^-t/tau) + sum of decaying jumps R s w a/tau."""
    tau, r, s, b, w, a = 0.01, 0.5, 2.0, 0.3, np.array([[0.8, -0.4]]), 1e-3
    g = nir.NIRGraph(nodes={"input": _inp(2), "aff": nir.Affine(weight=w, bias=np.array([b])),
                            "scale": nir.Scale(scale=np.array([s])),
                            "li": nir.LI(tau=_v(tau, 1), r=_v(r, 1), v_leak=_v(0.05, 1)),
                            "output": nir.Output(output_type={"output": np.array([1])})},
                     edges=[("input", "aff"), ("aff", "scale"), ("scale", "li"), ("li", "output")])
    times = np.array([3.0, 7.0, 7.0, 12.0]) * 1e-3
    idx = np.array([0, 0, 1, 1])
    net = _run(wnir.from_nir(g, spikes=(idx, times * second), spike_area=a * second), 30 * ms)
    assert net.outputs == {"output": "li"} and "li" not in net.spike_monitors
    mon = net.state_monitors["li"]
    t = np.asarray(mon.t / second)
    expected = 0.05 + r * s * b * (1 - np.exp(-t / tau))
    for tk, k in zip(times, idx):
        sk = t - tk - DT
        expected = expected + np.where(sk >= -1e-12, r * s * w[0, k] * a / tau * np.exp(-np.clip(sk, 0, None) / tau), 0)
    assert np.max(np.abs(np.asarray(mon.v[0] / mV) * 1e-3 - expected)) < 1e-12


def _two_layer(feedback):
    """a (1 LIF, bias driven) -> ab -> b (1 LIF, fires on every spike of a) -> ba -> a (inhibition, if feedback)."""
    nodes = {"input": _inp(1), "bias": nir.Affine(weight=np.zeros((1, 1)), bias=np.array([0.6])),
             "a": _lif(1), "ab": nir.Linear(weight=np.array([[50.0]])), "b": _lif(1),
             "ba": nir.Linear(weight=np.array([[-8.0 if feedback else 0.0]])),
             "output": nir.Output(output_type={"output": np.array([1])})}
    edges = [("input", "bias"), ("bias", "a"), ("a", "ab"), ("ab", "b"), ("b", "ba"), ("ba", "a"), ("b", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges)


def test_recurrent_edge_to_an_earlier_node_follows_the_closed_form():
    a_area = 1e-3
    runs = {fb: _run(wnir.from_nir(_two_layer(fb), spike_area=a_area * second, name=f"fb{int(fb)}"), 150 * ms)
            for fb in (False, True)}
    tau, r, v_inf, v_reset = 0.02, 2.0, 0.1 + 2.0 * 0.6, -0.2
    for fb, net in runs.items():
        ta = np.asarray(net.spikes("a")[1] / second)
        tb = np.asarray(net.spikes("b")[1] / second)
        assert len(ta) >= 3 and np.allclose(tb, ta + DT, atol=1e-12)  # b fires one step after each spike of a
        if not fb:
            T = tau * np.log((v_inf - v_reset) / (v_inf - 1.0))
            isi = (np.floor(T / DT) + 1) * DT
        else:
            # a is reset at t_a + dt, b's spike (at t_a + dt) lands at t_a + 2 dt: a jump of R w a / tau
            v1 = v_inf + (v_reset - v_inf) * np.exp(-DT / tau) + r * (-8.0) * a_area / tau
            T1 = tau * np.log((v_inf - v1) / (v_inf - 1.0))
            isi = (np.floor(T1 / DT) + 2) * DT
        assert np.allclose(np.diff(ta), isi, atol=1e-12), (fb, np.diff(ta)[:3], isi)
    assert len(runs[True].spikes("a")[0]) < len(runs[False].spikes("a")[0])
    assert "b -> ba -> a" in runs[True].synapses


def test_self_connection_and_delay():
    """A LIF feeding itself through Linear -> Delay: each spike returns d later as a jump of R w a/tau."""
    d = 3e-3
    nodes = {"input": _inp(1), "w_in": nir.Linear(weight=np.array([[60.0]])), "lif": _lif(1, v_leak=0.0, v_reset=0.0),
             "self": nir.Linear(weight=np.array([[60.0]])), "delay": nir.Delay(delay=np.array([d])),
             "output": nir.Output(output_type={"output": np.array([1])})}
    edges = [("input", "w_in"), ("w_in", "lif"), ("lif", "self"), ("self", "delay"), ("delay", "lif"),
             ("lif", "output")]
    net = _run(wnir.from_nir(nir.NIRGraph(nodes=nodes, edges=edges), spikes=([0], [1] * ms),
                             spike_area=1e-3 * second), 12 * ms)
    t = np.asarray(net.spikes("lif")[1] / second)
    # the input spike at 1 ms lands at 1.1 ms (a 6 V jump): a spike at 1.1 ms, then every d + dt
    assert len(t) == 4 and np.allclose(t, 1.1e-3 + np.arange(4) * (d + DT), atol=1e-12)
    assert float(net.synapses["lif -> self -> delay -> lif"].delay[0] / second) == pytest.approx(d)


def test_current_input_equals_the_same_bias():
    b = np.array([0.6, 0.5])
    graph = _bias_graph(b, _lif(2))
    by_bias = _run(wnir.from_nir(graph, name="bias"), 200 * ms)
    w = b[:, None]  # times a current of 1 A: the same drive
    g2 = nir.NIRGraph(nodes={"input": _inp(1), "aff": nir.Linear(weight=w), "lif": _lif(2)},
                      edges=[("input", "aff"), ("aff", "lif")])
    ta = TimedArray(np.ones((2000, 1)) * amp, dt=0.1 * ms)
    by_current = _run(wnir.from_nir(g2, currents=ta, name="current"), 200 * ms)
    for net in (by_bias, by_current):
        assert np.all(net.counts("lif") >= 3)
    assert np.array_equal(by_bias.spikes("lif")[0], by_current.spikes("lif")[0])
    assert np.allclose(by_bias.spikes("lif")[1] / ms, by_current.spikes("lif")[1] / ms, atol=1e-9)


def test_time_unit_override_reads_a_graph_in_milliseconds():
    b = np.array([0.6])
    in_s = _run(wnir.from_nir(_bias_graph(b, _lif(1, tau=0.02)), name="s"), 100 * ms)
    in_ms = _run(wnir.from_nir(_bias_graph(b, _lif(1, tau=20.0)), time_unit=ms, name="ms"), 100 * ms)
    assert np.allclose(in_s.spikes("lif")[1] / ms, in_ms.spikes("lif")[1] / ms, atol=1e-9)
    assert float(in_ms.groups["lif"].namespace["tau_m"] / ms) == pytest.approx(20.0)


def test_nested_graph_is_flattened():
    inner = nir.NIRGraph(nodes={"input": _inp(2), "lif": _lif(2),
                                "rec": nir.Linear(weight=np.array([[0, 5.0], [5.0, 0]])),
                                "output": nir.Output(output_type={"output": np.array([2])})},
                         edges=[("input", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "output")])
    outer = nir.NIRGraph(nodes={"input": _inp(2), "w": nir.Affine(weight=np.eye(2) * 30, bias=np.array([0.5, 0.0])),
                                "layer": inner, "output": nir.Output(output_type={"output": np.array([2])})},
                         edges=[("input", "w"), ("w", "layer"), ("layer", "output")], type_check=False)
    net = _run(wnir.from_nir(outer, spikes=([0, 1], [2, 4] * ms), spike_area=1e-3 * second), 50 * ms)
    assert set(net.groups) == {"layer.lif"} and net.outputs == {"output": "layer.lif"}
    assert "layer.lif -> layer.rec -> layer.lif" in net.synapses
    assert len(net.spikes("layer.lif")[0]) > 2


def test_unsupported_node_names_itself_and_what_is_supported():
    g = nir.NIRGraph(nodes={"input": _inp(4), "pool": nir.SumPool2d(kernel_size=np.array([2, 2]),
                                                                   stride=np.array([2, 2]), padding=np.array([0, 0]))},
                     edges=[("input", "pool")], type_check=False)
    with pytest.raises(NIRImportError, match=r"'pool' is a SumPool2d.*supported node types: Input, Output, LIF"):
        wnir.from_nir(g)


def test_bad_shape_names_the_edge():
    g = nir.NIRGraph(nodes={"input": _inp(3), "w": nir.Linear(weight=np.ones((2, 4))), "lif": _lif(2)},
                     edges=[("input", "w"), ("w", "lif")], type_check=False)
    with pytest.raises(NIRImportError, match=r"edge 'input' -> 'w': 'input' \(Input\) gives 3 values but 'w' "
                                             r"\(Linear\) takes 4"):
        wnir.from_nir(g)


def test_other_bad_input_gets_clear_errors():
    li_to_lif = nir.NIRGraph(nodes={"li": nir.LI(tau=_v(0.01, 1), r=_v(1, 1), v_leak=_v(0, 1)),
                                    "w": nir.Linear(weight=np.ones((1, 1))), "lif": _lif(1)},
                             edges=[("li", "w"), ("w", "lif")], type_check=False)
    with pytest.raises(NIRImportError, match="'li' -> 'w'.*voltage, not spikes"):
        wnir.from_nir(li_to_lif)
    g = _bias_graph([0.5], _lif(1, tau=-0.01))
    with pytest.raises(NIRImportError, match="node 'lif' \\(LIF\\): tau must be finite and > 0"):
        wnir.from_nir(g)
    with pytest.raises(NIRImportError, match="time_unit"):
        wnir.from_nir(_bias_graph([0.5], _lif(1)), time_unit=1 * mV)
    with pytest.raises(NIRImportError, match="indices must lie in"):
        wnir.from_nir(_bias_graph([0.5], _lif(1)), spikes=([3], [1] * ms))
    with pytest.raises(NIRImportError, match="no NIR file"):
        wnir.load("/nonexistent/graph.nir")
    with pytest.raises(NIRImportError, match="synapses_when='after'"):
        wnir.from_nir(_bias_graph([0.5], _lif(1)), synapses_when="after")
    with pytest.raises(NIRImportError, match=r"currents\['input'\] has 2 columns; Input 'input' has 1"):
        wnir.from_nir(_bias_graph([0.5], _lif(1)), currents=TimedArray(np.ones((5, 2)) * amp, dt=1 * ms))
    dangling = nir.NIRGraph(nodes={"input": _inp(1), "lif": _lif(1)}, edges=[("input", "lif"), ("lif", "out")],
                            type_check=False)
    with pytest.raises(NIRImportError, match="edge 'lif' -> 'out': no node 'out'"):
        wnir.from_nir(dangling)


def test_integrator_and_cubali_readouts():
    """I: v = R * (sum of w a) after the spikes plus R b t; CubaLI: the CubaLIF PSP without a threshold."""
    w, a, r, b = 0.3, 1e-3, 40.0, 0.5
    tau_m, tau_s = 0.01, 0.002
    g = nir.NIRGraph(nodes={
        "input": _inp(1), "aff": nir.Affine(weight=np.array([[w], [w]]), bias=np.array([b, 0.0])),
        "split_i": nir.Linear(weight=np.array([[1.0, 0.0]])), "split_c": nir.Linear(weight=np.array([[0.0, 1.0]])),
        "int": nir.I(r=_v(r, 1)),
        "cubali": nir.CubaLI(tau_mem=_v(tau_m, 1), tau_syn=_v(tau_s, 1), r=_v(r, 1), v_leak=_v(0.0, 1)),
        "out_i": nir.Output(output_type={"output": np.array([1])}),
        "out_c": nir.Output(output_type={"output": np.array([1])})},
        edges=[("input", "aff"), ("aff", "split_i"), ("aff", "split_c"), ("split_i", "int"), ("split_c", "cubali"),
               ("int", "out_i"), ("cubali", "out_c")])
    net = _run(wnir.from_nir(g, spikes=([0, 0], [2, 5] * ms), spike_area=a * second), 20 * ms)
    assert net.outputs == {"out_i": "int", "out_c": "cubali"} and not net.spike_monitors.keys() - {"input"}
    t = np.asarray(net.state_monitors["int"].t / second)
    jumps = sum(np.where(t - tk - DT >= -1e-12, r * w * a, 0) for tk in (2e-3, 5e-3))
    assert np.max(np.abs(np.asarray(net.state_monitors["int"].v[0] / mV) * 1e-3 - (r * b * t + jumps))) < 1e-12
    psp = 0
    for tk in (2e-3, 5e-3):
        s = t - tk - DT
        psp = psp + np.where(s >= 0, r * w * a / (tau_m - tau_s) * (np.exp(-s / tau_m) - np.exp(-s / tau_s)), 0)
    assert np.max(np.abs(np.asarray(net.state_monitors["cubali"].v[0] / mV) * 1e-3 - psp)) < 1e-12
