"""An imported NIR graph (a ``.nir`` file from snnTorch, Norse, Sinabs, ... or the nir package) as
a neutral graph for the chip models.

The graph is read into Brian2 by :func:`workbench.nir.from_nir` (NIR's continuous-time
equations, times in seconds, voltages in volts) with spikes of area ``dt``, the step of the
discrete-time exporters (``spike_area = dt``: a spike of height 1 over one step, as snnTorch and
Norse write their weights), and the Brian2 objects are exported to the neutral graph by
:func:`workbench.hardware.export.graph_from_brian`, the exporter of every workbench Brian2
network: ``LIF`` / ``CubaLIF`` / ``IF`` nodes become chip neurons (``IF``: no leak), weights the
jumps of ``v`` (delta synapses) or of the synaptic current (``CubaLIF``: current synapses),
``Affine`` biases constant per-tick increments of ``v`` (the chip's bias; :func:`graph_from_brian`
itself exports no constant currents), ``Delay`` nodes axonal delays and
recurrent edges ordinary projections.  One tick of the chip is one ``dt``.

Deployable: one ``Input`` node (the data set's features as Bernoulli spikes of probability ``x``
per tick, as converted networks are deployed) and one ``Output`` node fed by a spiking node, whose
spike counts give the class (argmax; one output neuron per class).  Not deployable, with an error
that says so: a voltage readout (``LI``, ``CubaLI``, ``I``: the chip reads spike counts), several
``Input`` or ``Output`` nodes, input currents.
"""
from __future__ import annotations

import gc
import json
from pathlib import Path

import nir
import numpy as np
from brian2 import amp, farad, ms, ohm
from brian2.utils.logger import catch_logs

from .. import nir as wnir
from .export import ExportError, graph_from_brian
from .graph import Graph, Population, Readout

__all__ = ["graph_from_nir", "nir_dt", "is_nir_file"]

_SPIKING = ("LIF", "CubaLIF", "IF")


def is_nir_file(path) -> bool:
    """Whether ``path`` names a NIR file (by its ending, ``.nir``)."""
    return str(path).lower().endswith(".nir")


def nir_dt(graph, dt: float = 0.0) -> float:
    """The chip tick (ms): ``dt`` if > 0, else the graph's ``metadata['dt']`` (seconds, as
    :func:`workbench.hardware.graph.to_nir` writes it); neither: an error asking for ``dt``."""
    if dt > 0:
        return float(dt)
    meta = getattr(graph, "metadata", None) or {}
    if "dt" in meta:
        return float(np.asarray(meta["dt"])) * 1e3
    raise ExportError("the NIR graph records no time step (metadata 'dt'); give the step its exporter assumed, "
                      "e.g. --set dt=1*ms (Norse) or --set dt=0.1*ms (snnTorch): one chip tick, and the area "
                      "of one spike")


def _read(source):
    if isinstance(source, nir.NIRGraph):
        return source, "nir"
    path = Path(source)
    if not path.is_file():
        raise ExportError(f"NIR file {str(path)!r} not found")
    return nir.read(path, type_check=False), path.stem


def _value(G, name, unit):
    v = G.variables[name].get_value() if name in G.variables else G.namespace[name]
    return np.asarray(v, dtype=float) / float(unit)


def _with_biases(graph: Graph, groups: dict, notes: list) -> Graph:
    """``graph`` with the constant input current of every imported group as the chip's bias (mV/ms):
    ``I`` (an ``Affine`` bias into ``LIF`` / ``IF``), exact per step for a constant current
    (``R I (1 - exp(-dt/tau_m)) / dt``; ``IF``: ``I / C_m``), and the drive ``D_s`` of a ``CubaLIF``
    synaptic current, added to ``v`` directly (its rise with ``tau_syn`` from 0 is left out; noted)."""
    bias = {}
    for key, G in groups.items():
        pop = graph.population(G.name)
        total = 0.0
        for k in ("I", "D_s"):
            if (k in G.variables or k in G.namespace) and np.any(I := _value(G, k, amp)):
                total = total + I
                if k == "D_s":
                    notes.append(f"node {key!r}: the constant drive of its synaptic current is a bias on v from "
                                 "t = 0 (it rises with tau_syn in Brian2)")
        if not np.any(total):
            continue
        if "R_m" in G.namespace or "R_m" in G.variables:  # LIF, CubaLIF: R I in mV
            d = np.exp(-graph.dt / pop.param("tau_m"))
            bias[G.name] = total * _value(G, "R_m", ohm) * 1e3 * (1 - d) / graph.dt
        else:  # IF: dv/dt = I / C_m, in V/s = mV/ms
            bias[G.name] = total / _value(G, "C_m", farad)
    pops = [p if p.name not in bias else Population(p.name, p.size, p.model, params=dict(p.params, bias=bias[p.name]),
                                                    units=dict(p.units))
            for p in graph.populations]
    return graph.replace(populations=pops)


def graph_from_nir(source, dt: float = 0.0) -> Graph:
    """The neutral graph of a NIR graph (a :class:`nir.NIRGraph` or a path); ``dt`` (ms): the chip
    tick and spike area (0: the graph's ``metadata['dt']``).  The readout votes with the spike
    counts of the node feeding the one ``Output`` (output neuron ``k``: class ``k``)."""
    graph, name = _read(source)
    dt = nir_dt(graph, dt)
    types = {k: type(v).__name__ for k, v in graph.nodes.items()}
    outs = [k for k, t in types.items() if t == "Output"]
    ins = [k for k, t in types.items() if t == "Input"]
    if len(ins) != 1 or len(outs) != 1:
        raise ExportError(f"NIR graph {name!r}: {len(ins)} Input and {len(outs)} Output nodes; a deployed "
                          "network takes one Input (the data set's features) and one Output (the classes)")
    try:
        net = wnir.from_nir(graph, spike_area=dt * ms, dt=dt * ms, name="nir")
    except wnir.NIRImportError as exc:
        raise ExportError(f"NIR graph {name!r}: {exc}") from None
    feeder = net.outputs[outs[0]]
    kind = types.get(feeder, "")
    if feeder not in net.groups or kind not in _SPIKING:
        raise ExportError(f"NIR graph {name!r}: the Output is fed by {feeder!r} ({kind or 'not a neuron node'}), "
                          f"a voltage readout; the chip reads classes from spike counts: end the network with a "
                          f"spiking node ({', '.join(_SPIKING)})")
    groups = list(net.groups.values()) + list(net.inputs.values())
    out = net.groups[feeder]
    readout = Readout(out.name, kind="vote", labels=np.arange(len(out)),
                      classes=tuple(str(k) for k in range(len(out))))
    g = graph_from_brian(groups, list(net.synapses.values()), dt=dt * ms, readout=readout, name=f"nir-{name}")
    notes = list(net.approximations)
    g = _with_biases(g, net.groups, notes)
    meta = dict(g.metadata, approximations="; ".join(notes), nir_nodes=json.dumps(types))
    with catch_logs():  # the Brian2 objects were read, not run: no warning that they never ran
        del net, groups, out
        gc.collect()
    return g.replace(metadata=meta)
