"""Import NIR graphs (Neuromorphic Intermediate Representation) into Brian2 through the model library.

``load(path)`` or ``from_nir(graph)`` turns a :class:`nir.NIRGraph` into named Brian2 objects: a
neuron group per neuron node (made with :func:`workbench.models.neuron_group`), synapses per
connection (:func:`workbench.models.connect`), a spike generator (or input currents) per ``Input``
node, and monitors.  Put them in a ``Network`` and run them on any backend::

    from brian2 import Network, ms
    from workbench import nir as wnir

    # a file from snnTorch, whose exporter assumes steps of 0.1 ms
    net = wnir.load("model.nir", spikes=(indices, times), spike_area=0.1 * ms,
                    synapses_when="before_thresholds")
    Network(net.objects).run(50 * ms)
    i, t = net.spikes(net.outputs["output"])

Conventions
-----------
NIR's parameters are unitless numbers.  They are read as times in seconds, voltages in volts and
resistances in ohms (so currents are in amps and an ``IF``'s ``R`` is in ohm per second), as NIR's
documentation and the exporters this module was checked against assume; ``time_unit``,
``voltage_unit`` and ``resistance_unit`` override the scale (``time_unit=ms`` for a graph written
in milliseconds).  Inputs are given in Brian2 units.

Semantics (NIR's continuous-time equations, integrated exactly by Brian2)
-----------------------------------------------------------------------
- ``LIF``: ``tau dv/dt = (v_leak - v) + R I``; a spike when ``v > v_threshold``, then
  ``v = v_reset`` (NIR 1.0); no refractory period.  ``IF``: ``dv/dt = R I``.  ``LI``, ``I``:
  the same without spikes (readouts).  ``CubaLIF`` / ``CubaLI`` add
  ``tau_syn dI/dt = -I + w_in S`` before the membrane.  Initial state: ``v = v_leak``
  (``v_reset`` for ``IF``, 0 for ``I``), synaptic currents 0.
- ``Linear`` (``W x``), ``Affine`` (``W x + b``), ``Scale`` (``s * x``), ``Flatten`` and
  ``Delay`` between neuron nodes are composed into one weight matrix (and delays) per pair of
  source and target node; edges into a node add up.  Recurrent edges (a node feeding itself or
  an earlier node) are ordinary synapses.  A ``Delay`` must feed a neuron node directly or follow
  a spike source directly.  Nested graphs are flattened (keys ``outer.inner``).
- Spikes are Dirac deltas of area ``spike_area`` (default one ``time_unit``: NIR's delta).
  A spike through weight ``m`` makes ``v`` jump by ``R m a / tau`` (``LIF``, ``LI``), ``R m a``
  (``IF``, ``I``) or the synaptic current by ``w_in m a / tau_syn`` (``CubaLIF``).
  Discrete-time exporters (snnTorch, Norse, :func:`workbench.hardware.graph.to_nir`) write their
  weights for spikes of height 1 over one step: import their files with ``spike_area=dt``.
- A bias (``Affine``'s ``b``, through any later ``Linear``/``Scale``) is a constant current: the
  group's ``I`` (``LIF``, ``IF``, ``LI``, ``I``), or the drive ``D_s = w_in b`` of the synaptic
  current (``CubaLIF``, ``CubaLI``), which therefore rises with ``tau_syn`` from 0.  Input
  currents (a ``TimedArray`` per ``Input``) take the same routes.
- Brian2 is clock driven: thresholds are tested once per step, and a spike emitted in step n
  reaches its targets at the end of step n (``synapses_when='synapses'``, the default and the
  model library's schedule) or in step n + 1 just before the threshold test
  (``'before_thresholds'``, which tests a jump before it decays, as discrete-time libraries do).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nir
import numpy as np
from brian2 import (Network, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, TimedArray, amp, farad,
                    ohm, second, volt)
from brian2.units.fundamentalunits import Quantity, have_same_dimensions

from . import models

__all__ = ["NIRImportError", "NIRNetwork", "SUPPORTED", "from_nir", "load"]


class NIRImportError(ValueError):
    """A NIR graph cannot be imported (unsupported node, bad shape, bad parameter) and why."""


_SPIKING = {"LIF": "lif", "CubaLIF": "lif", "IF": "if"}
_READOUT = {"LI": "li", "CubaLI": "li", "I": "integrator"}
_CUBA = ("CubaLIF", "CubaLI")
_LINEAR = ("Linear", "Affine", "Scale", "Flatten", "Delay", "Identity")
#: NIR node types this importer reads.
SUPPORTED = ("Input", "Output") + tuple(_SPIKING) + tuple(_READOUT) + _LINEAR + ("NIRGraph",)
_RECEPTOR = "s"  # the synaptic current of Cuba nodes: I_s, D_s, tau_s
_NUDGE = 1e-6  # relative separation of tau_syn from tau_mem (see _cuba_tau_syn)


@dataclass
class NIRNetwork:
    """The Brian2 objects of an imported graph, by NIR node key.

    ``groups`` (neuron nodes), ``inputs`` (a ``SpikeGeneratorGroup`` or the given ``TimedArray``
    per ``Input`` node), ``synapses`` (by the path of node keys they implement,
    ``"input -> 0 -> 1"``), ``spike_monitors``, ``state_monitors`` (``v``), ``outputs`` (``Output``
    key -> the node key feeding it), ``approximations`` (what was changed, if anything).
    """

    groups: dict
    inputs: dict
    synapses: dict
    spike_monitors: dict
    state_monitors: dict
    outputs: dict
    spike_area: Quantity
    approximations: list = field(default_factory=list)

    @property
    def objects(self) -> list:
        """Every Brian2 object, for ``Network(net.objects)``."""
        groups = [g for g in self.inputs.values() if not isinstance(g, TimedArray)]
        return (list(self.groups.values()) + groups + list(self.synapses.values())
                + list(self.spike_monitors.values()) + list(self.state_monitors.values()))

    def network(self, name: str = "nir_network") -> Network:
        return Network(self.objects, name=name)

    def spikes(self, key: str):
        """Spike indices and times (``Quantity``) of node ``key`` (a spiking node or a spike input)."""
        if key not in self.spike_monitors:
            raise NIRImportError(f"no spike monitor for {key!r}; spiking nodes and inputs: "
                                 f"{sorted(self.spike_monitors)}")
        m = self.spike_monitors[key]
        return np.asarray(m.i[:]), m.t[:]

    def counts(self, key: str) -> np.ndarray:
        """Spike count per neuron of node ``key``."""
        return np.asarray(self.spike_monitors[key].count[:])


def _sanitize(text: str) -> str:
    out = re.sub(r"\W", "_", text)
    return out if re.match(r"[A-Za-z_]", out) else "n" + out


def _label(paths) -> str:
    """A Brian2 name for synapses implementing ``paths``: the nodes between source and target."""
    parts = []
    for p in paths:
        keys = p.split(" -> ")
        parts.append("__".join(keys[1:-1]) if len(keys) > 2 else f"{keys[0]}__{keys[-1]}")
    return _sanitize("__".join(parts))


def _flatten(graph, prefix="", nodes=None, edges=None, passthrough=None):
    """Nodes and edges of a graph with nested graphs inlined (their Input/Output become pass-throughs)."""
    nodes = {} if nodes is None else nodes
    edges = [] if edges is None else edges
    passthrough = set() if passthrough is None else passthrough
    subgraphs = {}
    for key, node in graph.nodes.items():
        full = prefix + key
        if isinstance(node, nir.NIRGraph):
            subgraphs[key] = node
            _flatten(node, full + ".", nodes, edges, passthrough)
        else:
            nodes[full] = node
            if prefix and isinstance(node, (nir.Input, nir.Output)):
                passthrough.add(full)

    def port(end, kind):
        if end not in subgraphs:
            return prefix + end
        ports = [k for k, v in subgraphs[end].nodes.items() if isinstance(v, kind)]
        if len(ports) != 1:
            raise NIRImportError(f"edge to or from the nested graph {prefix + end!r}: it has {len(ports)} "
                                 f"{kind.__name__} nodes; connect to one of its nodes by key ('{end}.name')")
        return f"{prefix}{end}.{ports[0]}"

    for a, b in graph.edges:
        edges.append((port(a, nir.Output), port(b, nir.Input)))
    return nodes, edges, passthrough


def _kind(key, node, passthrough) -> str:
    name = type(node).__name__
    if key in passthrough:
        return "Identity"
    if name not in SUPPORTED:
        raise NIRImportError(f"node {key!r} is a {name}, which workbench.nir cannot import; "
                             f"supported node types: {', '.join(SUPPORTED)}")
    return name


def _arr(node, name) -> np.ndarray:
    return np.asarray(getattr(node, name), dtype=float).ravel()


def _params(node, kind):
    names = {"LIF": ("tau", "r", "v_leak", "v_threshold", "v_reset"),
             "CubaLIF": ("tau_mem", "tau_syn", "r", "v_leak", "v_threshold", "v_reset", "w_in"),
             "IF": ("r", "v_threshold", "v_reset"), "LI": ("tau", "r", "v_leak"),
             "CubaLI": ("tau_mem", "tau_syn", "r", "v_leak", "w_in"), "I": ("r",)}[kind]
    return {n: _arr(node, n) for n in names if getattr(node, n, None) is not None}


def _sizes(nodes, kinds):
    """(size in, size out) of every node; -2: a pass-through that takes its neighbours' size."""
    out = {}
    for key, node in nodes.items():
        kind = kinds[key]
        if kind in ("Linear", "Affine"):
            W = np.asarray(node.weight)
            if W.ndim != 2:
                raise NIRImportError(f"node {key!r} ({kind}): weight of shape {W.shape}; only 2-D (out x in) "
                                     "weights are supported")
            out[key] = (W.shape[1], W.shape[0])
            continue
        if kind in ("Input", "Output"):
            n = int(np.prod(node.input_type["input"] if kind == "Input" else node.output_type["output"]))
        elif kind in ("Scale", "Delay"):
            n = _arr(node, kind.lower()).size
        elif kind in ("Flatten", "Identity"):
            types = getattr(node, "input_type", None) or getattr(node, "output_type", None) or {}
            n = int(np.prod(next(iter(types.values())))) if types else -2
        else:
            n = max(v.size for v in _params(node, kind).values())
        out[key] = (n, n)
    return out


def _check_edges(nodes, edges, kinds, sizes):
    for a, b in edges:
        for end in (a, b):
            if end not in nodes:
                raise NIRImportError(f"edge {a!r} -> {b!r}: no node {end!r}; nodes: {', '.join(nodes)}")
        if kinds[a] == "Output":
            raise NIRImportError(f"edge {a!r} -> {b!r}: an Output node cannot feed another node")
    changed = True
    while changed:  # pass-throughs without a shape of their own take their neighbours'
        changed = False
        for a, b in edges:
            na, nb = sizes[a][1], sizes[b][0]
            if (na == -2) != (nb == -2):
                sizes[a if na == -2 else b] = (max(na, nb),) * 2
                changed = True
    for a, b in edges:
        na, nb = sizes[a][1], sizes[b][0]
        if na != nb or na < 0:
            raise NIRImportError(f"edge {a!r} -> {b!r}: {a!r} ({kinds[a]}) gives {na} values but {b!r} "
                                 f"({kinds[b]}) takes {nb}; check the shapes of both nodes")


def _matrix(key, node, kind, n_in):
    if kind in ("Linear", "Affine"):
        return np.asarray(node.weight, dtype=float)
    if kind == "Scale":
        return np.diag(_arr(node, "scale"))
    return np.eye(n_in)


def _contributions(sink, preds, nodes, kinds, sizes):
    """Everything that drives ``sink``: [(source, M (sink x source), delay, path)], bias vector, notes."""
    n = sizes[sink][0]
    bias = np.zeros(n)
    found, notes = [], []

    def visit(node, M, path, delay, stack):
        for p in preds.get(node, []):
            kind = kinds[p]
            here = [p] + path
            if kind in _SPIKING or kind == "Input":
                if delay is not None and delay[0] == "pending":
                    delay_p = ("pre", delay[1])
                else:
                    delay_p = delay
                found.append((p, M, delay_p, here))
            elif kind in _READOUT:
                raise NIRImportError(f"edge {p!r} -> {node!r}: the output of {p!r} ({kind}) is a voltage, not "
                                     "spikes; non-spiking nodes can only feed an Output")
            elif kind in _LINEAR:
                if p in stack:
                    raise NIRImportError(f"nodes {' -> '.join(stack[stack.index(p):] + [p])}: a loop without a "
                                         "neuron node (an algebraic loop) cannot be simulated")
                if delay is not None and delay[0] == "pending":
                    raise NIRImportError(f"Delay node {path[0]!r} is fed by {p!r} ({kind}); a Delay must feed a "
                                         "neuron node directly or follow a spike source directly")
                nd = nodes[p]
                new_delay = delay
                if kind == "Delay":
                    if delay is not None:
                        raise NIRImportError(f"path {' -> '.join(here)}: two Delay nodes on one path are not supported")
                    d = _arr(nd, "delay")
                    new_delay = ("post", d) if node == sink else ("pending", d)
                if kind == "Affine":
                    b = _arr(nd, "bias")
                    if np.any(b != 0):
                        bias[:] += M @ b
                        if delay is not None:
                            notes.append(f"the bias of {p!r} passes a Delay: applied from t = 0")
                visit(p, M @ _matrix(p, nd, kind, sizes[p][0]), here, new_delay, stack + [p])
            else:
                raise NIRImportError(f"edge {p!r} -> {node!r}: a {kind} node cannot feed another node")

    visit(sink, np.eye(n), [sink], None, [sink])
    return found, bias, notes


def _check_unit(name, value, unit):
    if not isinstance(value, Quantity) or not have_same_dimensions(value, unit) or not float(value / unit) > 0:
        raise NIRImportError(f"{name}={value!r}: give a positive quantity in units of {unit!r}")


def _check_positive(key, kind, name, values):
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise NIRImportError(f"node {key!r} ({kind}): {name} must be finite and > 0, got {values}")


def _cuba_tau_syn(key, tau_m, tau_s, notes):
    """tau_syn, moved a relative 1e-6 away from tau_mem where they are equal: Brian2's exact solution of the
    two linear equations divides by tau_mem - tau_syn (the PSP changes by about 1e-6 relative)."""
    close = np.abs(tau_s - tau_m) <= _NUDGE * tau_m
    if close.any():
        tau_s = np.where(close, tau_m * (1 + _NUDGE), tau_s)
        notes.append(f"node {key!r}: tau_syn = tau_mem in {int(close.sum())} neuron(s); tau_syn set "
                     f"{_NUDGE:g} (relative) higher for Brian2's exact integrator")
    return tau_s


def _group(key, node, kind, n, units, prefix, dt, notes):
    """The neuron group of a neuron node; the jump target, its w_scale, and the gain per neuron
    (jump = gain * weight * current unit * spike area, in the target's unit: V or A)."""
    P = {}
    for pname, v in _params(node, kind).items():
        if v.size not in (1, n):
            raise NIRImportError(f"node {key!r} ({kind}): parameter {pname!r} has {v.size} values for {n} neurons")
        P[pname] = np.broadcast_to(v, (n,)).astype(float)
    T, R, Vs = units  # one NIR time, resistance and voltage unit in s, ohm, V
    if kind in ("IF", "I"):
        if np.any(P["r"] == 0) or not np.all(np.isfinite(P["r"])):
            raise NIRImportError(f"node {key!r} ({kind}): r must be finite and non-zero, got {P['r']}")
        values = dict(C_m=(T / (P["r"] * R), farad))
        gain = P["r"] * R / T
    else:
        tau = P["tau"] if "tau" in P else P["tau_mem"]
        _check_positive(key, kind, "tau" if "tau" in P else "tau_mem", tau)
        values = dict(tau_m=(tau * T, second), R_m=(P["r"] * R, ohm), E_L=(P["v_leak"] * Vs, volt))
        gain = P["r"] * R / (tau * T)
    if kind in _SPIKING:
        values.update(v_th=(P["v_threshold"] * Vs, volt), v_reset=(P["v_reset"] * Vs, volt))
    overrides, variable = {}, []
    for pname, (v, unit) in values.items():
        q = (v[0] if np.all(v == v[0]) else v) * unit
        if np.ndim(q):
            variable.append(pname)
        overrides[pname] = q
    if kind in _SPIKING:
        overrides["t_ref"] = 0 * second
    receptors = []
    if kind in _CUBA:
        _check_positive(key, kind, "tau_syn", P["tau_syn"])
        tau_s = _cuba_tau_syn(key, P["tau_mem"], P["tau_syn"], notes) * T
        receptors.append(models.synapse("exp_curr_driven").receptor(
            _RECEPTOR, tau=(tau_s[0] if np.all(tau_s == tau_s[0]) else tau_s) * second))
        if not np.all(tau_s == tau_s[0]):
            variable.append(f"tau_{_RECEPTOR}")
        gain = P["w_in"] / tau_s
    model = models.neuron(_SPIKING.get(kind) or _READOUT[kind])
    G = models.neuron_group(model, n, receptors=receptors, name=f"{prefix}_{_sanitize(key)}",
                            variable_params=variable, dt=dt, **overrides)
    if receptors:
        return G, receptors[0], 1 * amp, gain, P["w_in"]
    return G, "v", 1 * volt, gain, np.ones(n)


def _inputs_of(spikes, currents, input_keys):
    """{input key: (indices, times)} and {input key: TimedArray} from the arguments of from_nir."""
    given = []
    for what, value, form in (("spikes", spikes, "(indices, times)"), ("currents", currents, "TimedArray")):
        if value is not None and not isinstance(value, dict):
            if len(input_keys) != 1:
                raise NIRImportError(f"the graph has {len(input_keys)} Input nodes {input_keys}: give {what} as "
                                     f"{{input key: {form}}}")
            value = {input_keys[0]: value}
        given.append(dict(value or {}))
    spikes, currents = given
    for key in list(spikes) + list(currents):
        if key not in input_keys:
            raise NIRImportError(f"input {key!r} is not an Input node of the graph; Input nodes: {input_keys}")
        if key in spikes and key in currents:
            raise NIRImportError(f"input {key!r}: give spikes or currents, not both")
    for key, ta in currents.items():
        if not isinstance(ta, TimedArray) or not have_same_dimensions(ta.dim, amp) or np.ndim(ta.values) != 2:
            raise NIRImportError(f"currents[{key!r}]: give a TimedArray of currents (amp) of shape (steps, neurons)")
    return spikes, currents


def from_nir(graph, *, spikes=None, currents=None, spike_area=None, time_unit=second, voltage_unit=volt,
             resistance_unit=ohm, synapses_when="synapses", record_v=(), dt=None,
             name: str = "nir") -> NIRNetwork:
    """Brian2 objects for a NIR graph (a :class:`nir.NIRGraph`, or a path to a ``.nir`` file).

    Parameters
    ----------
    spikes : (indices, times) or dict
        Spike trains of the ``Input`` node (``{key: (indices, times)}`` for several); an input
        without spikes or currents gets an empty ``SpikeGeneratorGroup`` (``set_spikes`` later).
    currents : TimedArray or dict
        Input currents instead (values: steps x neurons, in amp); each target gets
        ``W x(t) + b`` through ``run_regularly`` at the start of every step (after the last step
        of the TimedArray its last value holds).
    spike_area : Quantity
        The integral of one spike (default: one ``time_unit``, NIR's Dirac delta); the ``dt`` of
        a discrete-time exporter for its files.
    time_unit, voltage_unit, resistance_unit : Quantity
        What one unit of NIR's times, voltages and resistances is (default s, V, ohm).
    synapses_when : {'synapses', 'before_thresholds'}
        Brian2 scheduling slot of the synapses.  'synapses' (Brian2's default, as every network
        of the model library): a spike of step n reaches its targets at the end of step n, and
        a jump of ``v`` is compared with the threshold after the next step's decay.
        'before_thresholds': it reaches them in step n + 1 after the state update, just before
        the threshold test, as discrete-time libraries test ``v`` right after adding the step's
        input (one step later, but undecayed); use it for their files.
    record_v : iterable of node keys, or True
        Spiking nodes whose ``v`` to record as well (non-spiking nodes always are).
    dt : Quantity, optional
        Time step of the groups (default: Brian2's ``defaultclock``).
    name : str
        Prefix of every Brian2 object name (import a graph twice under two names).
    """
    if isinstance(graph, (str, Path)):
        return load(graph, spikes=spikes, currents=currents, spike_area=spike_area, time_unit=time_unit,
                    voltage_unit=voltage_unit, resistance_unit=resistance_unit, synapses_when=synapses_when,
                    record_v=record_v, dt=dt, name=name)
    if not isinstance(graph, nir.NIRGraph):
        raise NIRImportError(f"expected a nir.NIRGraph or a path to a .nir file, got {type(graph).__name__}")
    _check_unit("time_unit", time_unit, second)
    _check_unit("voltage_unit", voltage_unit, volt)
    _check_unit("resistance_unit", resistance_unit, ohm)
    if synapses_when not in ("synapses", "before_thresholds"):
        raise NIRImportError(f"synapses_when={synapses_when!r}: use 'synapses' or 'before_thresholds'")
    spike_area = time_unit if spike_area is None else spike_area
    _check_unit("spike_area", spike_area, second)
    units = float(time_unit / second), float(resistance_unit / ohm), float(voltage_unit / volt)
    I_si, a_si = units[2] / units[1], float(spike_area / second)  # one NIR current unit (A), the spike area (s)

    nodes, edges, passthrough = _flatten(graph)
    kinds = {k: _kind(k, v, passthrough) for k, v in nodes.items()}
    sizes = _sizes(nodes, kinds)
    _check_edges(nodes, edges, kinds, sizes)
    preds = {}
    for a, b in edges:
        preds.setdefault(b, []).append(a)
    input_keys = [k for k in nodes if kinds[k] == "Input"]
    neuron_keys = [k for k in nodes if kinds[k] in _SPIKING or kinds[k] in _READOUT]
    spikes, currents = _inputs_of(spikes, currents, input_keys)
    record_v = set(neuron_keys if record_v is True else record_v)
    unknown = record_v - set(neuron_keys)
    if unknown:
        raise NIRImportError(f"record_v: {sorted(unknown)} are not neuron nodes; neuron nodes: {neuron_keys}")

    notes, groups, targets, synapses = [], {}, {}, {}
    for key in neuron_keys:
        groups[key], *targets[key] = _group(key, nodes[key], kinds[key], sizes[key][0], units, name, dt, notes)
    inputs = _input_groups(input_keys, spikes, currents, sizes, dt, name)
    wiring = _Wiring(nodes, kinds, sizes, preds, groups, inputs, currents, synapses_when, I_si, a_si, units[0],
                     name)
    for sink in neuron_keys:
        notes += wiring.wire(sink, *targets[sink], synapses)
    spike_monitors, state_monitors = {}, {}
    for key, G in groups.items():
        if kinds[key] in _SPIKING:
            spike_monitors[key] = SpikeMonitor(G, name=f"{G.name}_spikes")
        if kinds[key] in _READOUT or key in record_v:
            state_monitors[key] = StateMonitor(G, "v", record=True, name=f"{G.name}_v")
    for key, g in inputs.items():
        if isinstance(g, SpikeGeneratorGroup):
            spike_monitors[key] = SpikeMonitor(g, name=f"{g.name}_spikes")
    return NIRNetwork(groups, inputs, synapses, spike_monitors, state_monitors, _outputs(nodes, kinds, preds),
                      spike_area, notes)


def _input_groups(input_keys, spikes, currents, sizes, dt, name):
    """A SpikeGeneratorGroup per spike Input (empty if no spikes are given), or its TimedArray of currents."""
    inputs = {}
    for key in input_keys:
        if key in currents:
            inputs[key] = currents[key]
            continue
        idx, times = spikes.get(key, (np.zeros(0, dtype=int), np.zeros(0) * second))
        idx = np.asarray(idx, dtype=int)
        if len(idx) and (idx.min() < 0 or idx.max() >= sizes[key][0]):
            raise NIRImportError(f"spikes[{key!r}]: indices must lie in [0, {sizes[key][0]}), got "
                                 f"{idx.min()}..{idx.max()}")
        inputs[key] = SpikeGeneratorGroup(sizes[key][0], idx, times, dt=dt, name=f"{name}_{_sanitize(key)}")
    return inputs


@dataclass
class _Wiring:
    """Builds what drives each neuron node: synapses from spike sources, constant and input currents."""

    nodes: dict
    kinds: dict
    sizes: dict
    preds: dict
    groups: dict
    inputs: dict
    currents: dict
    when: str
    I_si: float  # one NIR current unit, in A
    a_si: float  # the spike area, in s
    T_si: float  # one NIR time unit, in s
    name: str
    used: set = field(default_factory=set)

    def wire(self, sink, target, w_scale, gain, w_in, synapses) -> list:
        G = self.groups[sink]
        found, bias, notes = _contributions(sink, self.preds, self.nodes, self.kinds, self.sizes)
        drive, drive_dt, merged = (bias * w_in)[None, :], None, {}
        for src, M, delay, path in found:
            if src in self.currents:
                ta = self.currents[src]
                if delay is not None:
                    raise NIRImportError(f"path {' -> '.join(path)}: delays of input currents are not supported")
                if drive_dt is not None and float(ta.dt) != drive_dt:
                    raise NIRImportError(f"node {sink!r}: input currents with different time steps")
                x = np.asarray(ta.values, dtype=float)  # steps x inputs, in amp
                if x.shape[1] != self.sizes[src][0]:
                    raise NIRImportError(f"currents[{src!r}] has {x.shape[1]} columns; Input {src!r} has "
                                         f"{self.sizes[src][0]} neurons")
                drive, drive_dt = drive + (x @ M.T) * w_in, float(ta.dt)
                continue
            k = (src, None) if delay is None else (src, len(merged))  # delayed paths stay apart
            if k in merged:
                merged[k] = (merged[k][0] + M, None, merged[k][2] + [" -> ".join(path)])
            else:
                merged[k] = (M, delay, [" -> ".join(path)])
        var = "I" if target == "v" else f"D_{_RECEPTOR}"
        if drive_dt is None:
            setattr(G, var, drive[0] * self.I_si * amp)
        else:
            ta = TimedArray(drive * self.I_si * amp, dt=drive_dt * second, name=f"{G.name}_drive")
            G.namespace[ta.name] = ta
            G.run_regularly(f"{var} = {ta.name}(t, i)", when="start", name=f"{G.name}_drive_update")
        for (src, _), (M, delay, paths) in merged.items():
            post, pre = np.nonzero(M)
            if len(post):
                synapses[" + ".join(paths)] = self._synapses(src, G, target, w_scale, gain, M, post, pre, delay,
                                                             paths)
        return notes

    def _synapses(self, src, G, target, w_scale, gain, M, post, pre, delay, paths):
        sname = f"{self.name}_{_label(paths)}"
        while sname in self.used:
            sname += "_"
        self.used.add(sname)
        source = self.groups[src] if src in self.groups else self.inputs[src]
        S = models.connect(source, G, target, w_scale=w_scale, name=sname)
        S.pre.when = self.when
        S.connect(i=pre, j=post)
        models.init_synapses(S)
        S.w = gain[post] * M[post, pre] * self.I_si * self.a_si
        if delay is not None:
            S.delay = (delay[1][post] if delay[0] == "post" else delay[1][pre]) * self.T_si * second
        return S


def _outputs(nodes, kinds, preds) -> dict:
    """Output key -> the neuron or Input node feeding it (through pass-throughs)."""
    outputs = {}
    for key in nodes:
        if kinds[key] != "Output":
            continue
        src = preds.get(key, [])
        while len(src) == 1 and kinds[src[0]] in ("Identity", "Flatten"):  # e.g. a nested graph's Output
            src = preds.get(src[0], [])
        if len(src) != 1 or kinds[src[0]] not in tuple(_SPIKING) + tuple(_READOUT) + ("Input",):
            raise NIRImportError(f"Output {key!r} is fed by {src}; an Output must be fed by one neuron or "
                                 "Input node")
        outputs[key] = src[0]
    return outputs


def load(path, **kwargs) -> NIRNetwork:
    """Read a ``.nir`` file (``nir.read``) and import it with :func:`from_nir` (same keyword arguments)."""
    path = Path(path)
    if not path.is_file():
        raise NIRImportError(f"no NIR file at {str(path)!r}")
    return from_nir(nir.read(str(path), type_check=False), **kwargs)
