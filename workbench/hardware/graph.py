"""Hardware-neutral network graph: plain dataclasses, no Brian2.

The graph describes a network in the discrete-time LIF form that digital
neuromorphic chips implement (Loihi's CUBA compartment, SpiNNaker's LIF
with current or conductance synapses, TrueNorth's and DYNAP-SE's neurons as
approximations).  Each neuron has two synaptic receptors ``r`` = 0, 1 with a
state ``u_r`` each (time constants ``tau_syn`` and ``tau_syn1``)::

    v <- v_rest + (v - v_rest) * exp(-dt/tau_m) + bias*dt + sum_r drive_r   (not refractory)
         drive_r = u_r                                  ('current' receptor)
         drive_r = u_r * (E_rev_r - v) * dt/tau_m       ('conductance' receptor, u_r in
                                                         units of the leak conductance)
    v <- clip(v, lowest, highest reversal potential)    (conductance receptors only)
    u_r <- u_r * exp(-dt/tau_syn_r)
    spike if v > v_th; then this tick's arrivals: 'current' / 'conductance'
    synapses add to u_r (felt by v from the next tick on), 'delta' synapses
    add to v; v = v_reset (or, with ``reset_subtract`` = 1, v -= v_th - v_rest),
    refractory for t_ref
    (exact order: :mod:`workbench.hardware.aersim`)

This is Loihi's order (the synaptic input of the spikes of tick t-1 is
integrated in tick t, then the compartment updates with the undecayed
current) and Brian2's (the state update uses the conductances of the step
start; spikes propagate after the threshold), so a Brian2 network and its
graph see the same input on the same tick.

``u_r`` of a current receptor is a voltage increment per tick (mV), so a
weight is the jump (mV) it gives ``u_r`` (current synapses) or ``v`` (delta
synapses); a conductance weight is the dimensionless jump of ``u_r``
(``ge += w`` in Brian2).  Values are plain floats or numpy arrays with a unit
string each (``'ms'``, ``'mV'``, ``'mV/ms'``, ``'1'``); :class:`Population`
converts known units to the canonical ones.
This is the model of record for the float reference (``aersim.simulate`` with
``quantized=None``) and the input of :mod:`quantize`, :mod:`mapping` and
:mod:`aersim`.  :func:`to_nir` writes it to NIR.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..readout.voting import classify

__all__ = [
    "GraphError",
    "Population",
    "Projection",
    "Readout",
    "Graph",
    "FlatGraph",
    "LIF_PARAMS",
    "SYNAPSE_KINDS",
    "conductance_to_current",
    "to_nir",
]


class GraphError(ValueError):
    """A neutral graph is inconsistent (unknown population, index out of range, wrong unit)."""


#: Parameters of a 'lif' population: canonical unit and default.
LIF_PARAMS = {
    "tau_m": ("ms", 20.0),
    "tau_syn": ("ms", 0.0),  # receptor 0; 0: the synaptic state lasts one tick
    "tau_syn1": ("ms", 0.0),  # receptor 1
    "E_rev0": ("mV", 0.0),  # reversal potential of receptor 0 (conductance synapses only)
    "E_rev1": ("mV", 0.0),  # reversal potential of receptor 1 (conductance synapses only)
    "v_rest": ("mV", 0.0),
    "v_reset": ("mV", 0.0),
    "v_th": ("mV", 1.0),
    "t_ref": ("ms", 0.0),
    "bias": ("mV/ms", 0.0),
    "reset_subtract": ("1", 0.0),  # 1: a spike subtracts v_th - v_rest (ANN-to-SNN conversion) instead of v = v_reset
}

_SCALE = {
    "ms": {"ms": 1.0, "s": 1e3, "second": 1e3, "us": 1e-3},
    "mV": {"mV": 1.0, "V": 1e3, "volt": 1e3, "uV": 1e-3},
    "mV/ms": {"mV/ms": 1.0, "V/s": 1.0, "mV/s": 1e-3},
    "1": {"1": 1.0, "": 1.0},
}

#: Synapse kinds: what a weight adds to (see module docstring).
SYNAPSE_KINDS = ("current", "delta", "conductance")


def _canonical(name: str, value, unit: str, canonical: str, where: str):
    table = _SCALE[canonical]
    if unit not in table:
        raise GraphError(
            f"{where}: parameter {name!r} has unit {unit!r}; it needs a unit of the kind {canonical!r} "
            f"(one of {', '.join(table)})")
    arr = np.asarray(value, dtype=float) * table[unit]
    if not np.all(np.isfinite(arr)):
        raise GraphError(f"{where}: parameter {name!r} has non-finite values")
    return float(arr) if arr.ndim == 0 else arr


@dataclass
class Population:
    """A group of neurons of one model.

    Parameters
    ----------
    name : str
    size : int
    model : {'lif', 'input'}
        'input' populations are spike sources (their spikes are given to the simulator).
    params : dict
        Parameter name -> float or array of length ``size`` (see :data:`LIF_PARAMS`).
    units : dict
        Parameter name -> unit string; missing names take the canonical unit.
    """

    name: str
    size: int
    model: str = "lif"
    params: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)

    def __post_init__(self):
        where = f"population {self.name!r}"
        if int(self.size) != self.size or self.size < 1:
            raise GraphError(f"{where}: size must be a positive integer, got {self.size!r}")
        self.size = int(self.size)
        if self.model not in ("lif", "input"):
            raise GraphError(f"{where}: model {self.model!r} is not supported; use 'lif' or 'input'")
        if self.model == "input":
            if self.params:
                raise GraphError(f"{where}: an input population takes no parameters, got {sorted(self.params)}")
            self.units = {}
            return
        unknown = set(self.params) - set(LIF_PARAMS)
        if unknown:
            raise GraphError(f"{where}: unknown parameter(s) {sorted(unknown)}; known: {sorted(LIF_PARAMS)}")
        params, units = {}, {}
        for key, (canon, default) in LIF_PARAMS.items():
            value = self.params.get(key, default)
            unit = self.units.get(key, canon)
            value = _canonical(key, value, unit, canon, where)
            if np.ndim(value) not in (0,) and np.shape(value) != (self.size,):
                raise GraphError(f"{where}: parameter {key!r} has shape {np.shape(value)}; "
                                 f"use a scalar or an array of length {self.size}")
            params[key], units[key] = value, canon
        for key in ("tau_m",):
            if np.any(np.asarray(params[key]) <= 0):
                raise GraphError(f"{where}: {key} must be > 0 ms")
        for key in ("tau_syn", "tau_syn1", "t_ref"):
            if np.any(np.asarray(params[key]) < 0):
                raise GraphError(f"{where}: {key} must be >= 0 ms")
        self.params, self.units = params, units

    def param(self, key: str) -> np.ndarray:
        """Parameter ``key`` as an array of length ``size``."""
        return np.broadcast_to(np.asarray(self.params[key], dtype=float), (self.size,)).copy()


@dataclass
class Projection:
    """Sparse synapses from ``pre`` to ``post``.

    ``weight`` is the jump of the target variable: of ``u_r`` in mV for
    'current' synapses, of ``v`` in mV for 'delta' synapses, of the
    conductance ``u_r`` (dimensionless, units of the leak conductance) for
    'conductance' synapses; ``receptor`` (0 or 1) selects ``u_r``;
    ``delay`` is the transmission delay (ms).
    """

    name: str
    pre: str
    post: str
    pre_index: np.ndarray
    post_index: np.ndarray
    weight: np.ndarray
    delay: np.ndarray | float = 0.0
    synapse: str = "current"
    weight_unit: str | None = None  # default: 'mV' ('1' for conductance synapses)
    delay_unit: str = "ms"
    plastic: bool = False
    receptor: int = 0

    def __post_init__(self):
        where = f"projection {self.name!r}"
        self.pre_index = np.asarray(self.pre_index, dtype=np.int64).ravel()
        self.post_index = np.asarray(self.post_index, dtype=np.int64).ravel()
        n = len(self.pre_index)
        if len(self.post_index) != n:
            raise GraphError(f"{where}: pre_index has {n} entries but post_index {len(self.post_index)}")
        if self.synapse not in SYNAPSE_KINDS:
            raise GraphError(f"{where}: synapse {self.synapse!r} is not supported; use one of {SYNAPSE_KINDS}")
        if self.receptor not in (0, 1):
            raise GraphError(f"{where}: receptor {self.receptor!r}: use 0 or 1")
        canon = "1" if self.synapse == "conductance" else "mV"
        unit = canon if self.weight_unit is None else self.weight_unit
        w = _canonical("weight", self.weight, unit, canon, where)
        self.weight = np.broadcast_to(np.asarray(w, dtype=float), (n,)).copy()
        d = _canonical("delay", self.delay, self.delay_unit, "ms", where)
        self.delay = np.broadcast_to(np.asarray(d, dtype=float), (n,)).copy()
        self.weight_unit, self.delay_unit = canon, "ms"
        if np.any(self.delay < 0):
            raise GraphError(f"{where}: negative delays")
        if self.synapse == "conductance" and np.any(self.weight < 0):
            raise GraphError(f"{where}: conductance weights must be >= 0 (the sign comes from E_rev)")

    @property
    def n_synapses(self) -> int:
        return len(self.pre_index)


@dataclass
class Readout:
    """How the host reads a class from spike counts of one population.

    kind 'vote': each neuron votes for ``labels[i]``; the class with the
    highest mean count over its neurons wins (Diehl & Cook 2015; a class
    without neurons scores 0, ties go to the highest class, as in their code:
    :func:`workbench.readout.voting.classify`).
    kind 'linear': ``argmax(weights @ features + bias)`` with features the
    spike counts (optionally standardised with ``mean``/``scale``).
    """

    population: str
    kind: str = "vote"
    labels: np.ndarray | None = None
    weights: np.ndarray | None = None
    bias: np.ndarray | None = None
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None
    classes: Sequence = ()

    def __post_init__(self):
        if self.kind not in ("vote", "linear"):
            raise GraphError(f"readout kind {self.kind!r}: use 'vote' or 'linear'")
        if self.kind == "vote" and self.labels is None:
            raise GraphError("a 'vote' readout needs labels (one class index per neuron)")
        if self.kind == "linear" and self.weights is None:
            raise GraphError("a 'linear' readout needs weights (classes x neurons)")

    def predict(self, counts: np.ndarray) -> np.ndarray:
        """Class indices from spike counts (trials x neurons)."""
        counts = np.asarray(counts, dtype=float)
        if self.kind == "vote":
            labels = np.asarray(self.labels, dtype=int)
            return classify(counts, labels, max(len(self.classes), int(labels.max()) + 1))
        x = counts
        if self.mean is not None:
            x = (x - np.asarray(self.mean)) / np.where(np.asarray(self.scale) > 0, np.asarray(self.scale), 1.0)
        z = x @ np.asarray(self.weights, dtype=float).T
        if self.bias is not None:
            z = z + np.asarray(self.bias, dtype=float)
        return np.argmax(z, axis=1)


@dataclass
class FlatGraph:
    """The graph with one global neuron index (populations in order) and synapses sorted by source."""

    names: list
    offsets: np.ndarray  # start index of each population, plus the total at the end
    is_input: np.ndarray  # bool per neuron
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    delay: np.ndarray  # ms
    delta: np.ndarray  # bool per synapse: adds to v (True) or u_r (False)
    projection: np.ndarray  # index of the projection of each synapse
    receptor: np.ndarray  # receptor (0, 1) of each synapse (ignored for delta synapses)
    conductance: np.ndarray  # bool (2, neurons): receptor r of neuron i is a conductance
    indptr: np.ndarray  # CSR by source: synapses of neuron i are [indptr[i], indptr[i+1])

    @property
    def n_neurons(self) -> int:
        return int(self.offsets[-1])

    def slice(self, name: str) -> slice:
        k = self.names.index(name)
        return slice(int(self.offsets[k]), int(self.offsets[k + 1]))


@dataclass
class Graph:
    """Populations, projections, the input populations and the readout; ``dt`` in ms."""

    populations: list
    projections: list
    readout: Readout | None = None
    dt: float = 1.0
    name: str = "network"
    metadata: dict = field(default_factory=dict)

    def __post_init__(self):
        names = [p.name for p in self.populations]
        if len(set(names)) != len(names):
            raise GraphError(f"graph {self.name!r}: duplicate population names {names}")
        if not self.dt > 0:
            raise GraphError(f"graph {self.name!r}: dt must be > 0 ms, got {self.dt!r}")
        pops = {p.name: p for p in self.populations}
        for pr in self.projections:
            for end, idx in (("pre", pr.pre_index), ("post", pr.post_index)):
                pname = getattr(pr, end)
                if pname not in pops:
                    raise GraphError(f"projection {pr.name!r}: unknown {end} population {pname!r}; "
                                     f"known: {names}")
                if len(idx) and (idx.min() < 0 or idx.max() >= pops[pname].size):
                    raise GraphError(f"projection {pr.name!r}: {end} index {int(idx.max())} out of range "
                                     f"for population {pname!r} of size {pops[pname].size}")
            if pops[pr.post].model == "input":
                raise GraphError(f"projection {pr.name!r}: targets the input population {pr.post!r}")
        if self.readout is not None and self.readout.population not in pops:
            raise GraphError(f"readout: unknown population {self.readout.population!r}")

    def population(self, name: str) -> Population:
        for p in self.populations:
            if p.name == name:
                return p
        raise GraphError(f"no population {name!r}; populations: {[p.name for p in self.populations]}")

    @property
    def inputs(self) -> list:
        return [p.name for p in self.populations if p.model == "input"]

    @property
    def n_neurons(self) -> int:
        return sum(p.size for p in self.populations)

    @property
    def n_synapses(self) -> int:
        return sum(pr.n_synapses for pr in self.projections)

    def replace(self, **changes) -> "Graph":
        return dataclasses.replace(self, **changes)

    def neuron_param(self, key: str) -> np.ndarray:
        """Parameter ``key`` for every neuron in global order (NaN for inputs)."""
        out = []
        for p in self.populations:
            out.append(p.param(key) if p.model == "lif" else np.full(p.size, np.nan))
        return np.concatenate(out)

    def flat(self) -> FlatGraph:
        names = [p.name for p in self.populations]
        sizes = np.array([p.size for p in self.populations])
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        off = dict(zip(names, offsets[:-1]))
        parts = {k: [] for k in ("src", "dst", "weight", "delay", "delta", "projection", "receptor")}
        for k, pr in enumerate(self.projections):
            parts["src"].append(pr.pre_index + off[pr.pre])
            parts["dst"].append(pr.post_index + off[pr.post])
            parts["weight"].append(pr.weight)
            parts["delay"].append(pr.delay)
            parts["delta"].append(np.full(pr.n_synapses, pr.synapse == "delta"))
            parts["projection"].append(np.full(pr.n_synapses, k))
            parts["receptor"].append(np.full(pr.n_synapses, pr.receptor))
        cat = {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in parts.items()}
        src = cat["src"].astype(np.int64)
        order = np.argsort(src, kind="stable")
        N = int(offsets[-1])
        indptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=N))]).astype(np.int64)
        is_input = np.concatenate([np.full(p.size, p.model == "input") for p in self.populations])
        cond = np.zeros((2, N), dtype=bool)
        curr = np.zeros((2, N), dtype=bool)
        for pr in self.projections:
            if pr.synapse == "delta":
                continue
            where = cond if pr.synapse == "conductance" else curr
            where[pr.receptor, pr.post_index + off[pr.post]] = True
        if np.any(cond & curr):
            r, i = np.argwhere(cond & curr)[0]
            raise GraphError(f"receptor {r} of neuron {i} receives both conductance and current synapses; "
                             "give them different receptors")
        return FlatGraph(
            names=names, offsets=offsets, is_input=is_input, src=src[order],
            dst=cat["dst"].astype(np.int64)[order], weight=cat["weight"].astype(float)[order],
            delay=cat["delay"].astype(float)[order], delta=cat["delta"].astype(bool)[order],
            projection=cat["projection"].astype(np.int64)[order],
            receptor=cat["receptor"].astype(np.int64)[order], conductance=cond, indptr=indptr)

    def summary(self) -> str:
        lines = [f"graph {self.name!r}: dt {self.dt} ms, {self.n_neurons} neurons, {self.n_synapses} synapses"]
        for p in self.populations:
            lines.append(f"  population {p.name}: {p.size} {p.model}")
        for pr in self.projections:
            lines.append(f"  projection {pr.name}: {pr.pre} -> {pr.post}, {pr.n_synapses} {pr.synapse} synapses"
                         + (f" (receptor {pr.receptor})" if pr.synapse != "delta" else ""))
        return "\n".join(lines)


def conductance_to_current(graph: Graph, v_ref="mid") -> Graph:
    """The graph with every conductance synapse replaced by a current synapse at a reference voltage.

    A conductance jump ``w`` on receptor ``r`` drives ``v`` by ``u_r*(E_rev_r - v)*dt/tau_m``
    per tick; with ``v`` frozen at ``v_ref`` that is a current synapse of weight
    ``w*(E_rev_r - v_ref)*dt/tau_m`` mV on the same receptor (same time constant), exact while
    ``v = v_ref``.  ``v_ref``: ``'mid'`` (halfway between each neuron's rest and threshold),
    ``'rest'``, ``'threshold'``, a number (mV) for every neuron, or a dict of these per postsynaptic
    population name.  The choice is recorded in
    ``graph.metadata['conductance_to_current']``.
    """
    pops = {p.name: p for p in graph.populations}
    projections = []
    changed = False
    for pr in graph.projections:
        if pr.synapse != "conductance":
            projections.append(pr)
            continue
        changed = True
        post = pops[pr.post]
        rest, th = post.param("v_rest"), post.param("v_th")
        v = v_ref.get(pr.post) if isinstance(v_ref, dict) else v_ref
        if v is None:
            raise GraphError(f"v_ref has no voltage for population {pr.post!r} (give one per postsynaptic population)")
        if isinstance(v, str):
            table = {"mid": 0.5 * (rest + th), "rest": rest, "threshold": th}
            if v not in table:
                raise GraphError(f"v_ref={v!r}: use 'mid', 'rest', 'threshold' or a voltage in mV")
            vr = table[v]
        else:
            vr = np.full(post.size, float(v))
        E = post.param(f"E_rev{pr.receptor}")
        gain = (E - vr) * graph.dt / post.param("tau_m")
        projections.append(dataclasses.replace(pr, weight=pr.weight * gain[pr.post_index], synapse="current",
                                               weight_unit="mV"))
    if not changed:
        return graph
    meta = dict(graph.metadata)
    meta["conductance_to_current"] = (f"conductance synapses as currents at v_ref={v_ref!r} "
                                      "(w*(E_rev - v_ref)*dt/tau_m mV per tick)")
    return graph.replace(projections=projections, metadata=meta)


def to_nir(graph: Graph):
    """The graph as a :class:`nir.NIRGraph` (times in seconds, voltages in volts, as NIR expects).

    Each 'lif' population becomes ``CubaLIF`` (``LIF`` when ``tau_syn`` is 0),
    each projection a ``Linear`` node (dense post x pre matrix) followed by a
    ``Delay`` node when any delay is non-zero, each input population an
    ``Input`` and the readout population feeds an ``Output``.  The discrete
    tick semantics are mapped onto NIR's continuous ones for spikes of area
    ``dt`` (height 1 over one tick, as snnTorch writes them): ``r = tau_mem/dt``
    and ``w_in = 1/(1 - exp(-dt/tau_syn))``, so a weight ``w`` (mV per tick)
    moves ``v`` by ``w`` (LIF) or ``w/(1 - exp(-dt/tau_syn))`` in all, as ``u``
    does on the chip (CubaLIF).  NIR
    has no conductance-based neuron: conductance synapses are written as
    currents at ``v_ref`` halfway between rest and threshold
    (:func:`conductance_to_current`), and NIR's CubaLIF has one synaptic time
    constant: receptor 1 is written with receptor 0's (both recorded in the
    NIR graph's metadata).
    """
    import nir  # optional dependency (extra 'hardware'): only NIR export needs it

    notes = []
    if any(pr.synapse == "conductance" for pr in graph.projections):
        graph = conductance_to_current(graph, "mid")
        notes.append(graph.metadata["conductance_to_current"])
    if any(pr.receptor == 1 and pr.synapse != "delta" for pr in graph.projections):
        notes.append("receptor 1 synapses written onto CubaLIF's single synaptic current (receptor 0's tau_syn)")

    nodes, edges = {}, []
    dt_s = graph.dt * 1e-3
    for p in graph.populations:
        if p.model == "input":
            nodes[p.name] = nir.Input(input_type={"input": np.array([p.size])})
            continue
        tau_m = p.param("tau_m") * 1e-3
        tau_s = p.param("tau_syn") * 1e-3
        v_leak = p.param("v_rest") * 1e-3
        v_th = p.param("v_th") * 1e-3
        v_reset = p.param("v_reset") * 1e-3
        r = tau_m / dt_s  # one tick's increment w on u moves v by w per tick
        if np.all(tau_s > 0):
            nodes[p.name] = nir.CubaLIF(tau_syn=tau_s, tau_mem=tau_m, r=r, v_leak=v_leak, v_threshold=v_th,
                                        v_reset=v_reset, w_in=1.0 / (1.0 - np.exp(-dt_s / tau_s)))
        else:
            nodes[p.name] = nir.LIF(tau=tau_m, r=r, v_leak=v_leak, v_threshold=v_th, v_reset=v_reset)
    sizes = {p.name: p.size for p in graph.populations}
    for pr in graph.projections:
        W = np.zeros((sizes[pr.post], sizes[pr.pre]))
        np.add.at(W, (pr.post_index, pr.pre_index), pr.weight * 1e-3)
        nodes[pr.name] = nir.Linear(weight=W)
        edges.append((pr.pre, pr.name))
        if np.any(pr.delay > 0):
            D = np.zeros(sizes[pr.post])
            np.maximum.at(D, pr.post_index, pr.delay * 1e-3)
            nodes[pr.name + "_delay"] = nir.Delay(delay=D)
            edges += [(pr.name, pr.name + "_delay"), (pr.name + "_delay", pr.post)]
        else:
            edges.append((pr.name, pr.post))
    if graph.readout is not None:
        nodes["output"] = nir.Output(output_type={"output": np.array([sizes[graph.readout.population]])})
        edges.append((graph.readout.population, "output"))
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={"dt": dt_s, "name": graph.name, "approximations": "; ".join(notes)},
                        type_check=False)
