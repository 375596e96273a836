"""A converted network (a ``convert`` archive) as a neutral graph and an image task for the chip.

The archive stores the normalised weights and biases of every layer (units of the threshold
``v_th``), the time step and the scaled test inputs (:mod:`workbench.experiments.convert`).  On
the chip the network is the same integrate-and-fire network: 'lif' populations without leak
(``tau_m`` = :data:`NO_LEAK`, a decay factor of exactly 1 in any register width), threshold
``v_th``, reset by subtraction (``reset_subtract``), the bias as a constant per-tick increment,
delta synapses of ``w * v_th`` mV without delay (a spike of tick ``t`` reaches the next layer in
``t``, which may spike from ``t + 1`` on: as in Brian2).  The inputs are spike trains on the chip
(no per-image constant currents): Bernoulli spikes with probability ``x`` per tick, the source's
``poisson`` input; a source simulated with ``current`` input is deployed with this rate coding
(recorded in the graph's metadata).  The readout is the output population's spike count (argmax;
:class:`workbench.hardware.graph.Readout` 'vote' with one neuron per class), without the
membrane residue the Brian2 run adds to its scores.

Reset by subtraction: SpiNNaker's and Loihi 2's programmable neurons can subtract; Loihi 1's
compartments reset to zero (Davies et al. 2018) -- recorded as an approximation, not modelled.
"""
from __future__ import annotations

import json

import numpy as np

from .deploy import ImageTask
from .graph import Graph, GraphError, Population, Projection, Readout

__all__ = ["NO_LEAK", "is_converted", "graph_from_converted", "converted_task", "rate_task"]

#: Membrane time constant (ms) standing for "no leak": exp(-dt/NO_LEAK) rounds to 1 in 64-bit floats.
NO_LEAK = 1e18


def is_converted(ds) -> bool:
    """Whether ``ds`` is an archive of the ``convert`` protocol."""
    return ds.attrs.get("protocol", "") == "convert" or ("weight_1" in ds and "test_input" in ds)


def _layers(ds):
    L = 1
    while f"weight_{L + 1}" in ds:
        L += 1
    if "weight_1" not in ds:
        raise GraphError("the archive holds no converted network (weight_1, bias_1, ...); make one with "
                         "workbench run convert")
    return [(np.asarray(ds[f"weight_{k}"].values, float), np.asarray(ds[f"bias_{k}"].values, float))
            for k in range(1, L + 1)]


def graph_from_converted(ds, dt: float | None = None) -> Graph:
    """The neutral graph of a ``convert`` archive; ``dt`` (ms): the chip tick (None: the source's step)."""
    layers = _layers(ds)
    v_th = float(ds["v_th"].values) if "v_th" in ds else 1.0
    src_dt = float(ds["dt"].values) if "dt" in ds else 1.0
    dt = src_dt if dt is None or dt <= 0 else float(dt)
    if not np.isclose(dt, src_dt):
        raise GraphError(f"chip tick dt={dt} ms: a converted network runs one tick per source step "
                         f"({src_dt} ms); use --set dt=0 (the source's step)")
    pops = [Population("input", layers[0][0].shape[0], model="input")]
    projections = []
    names = [f"hidden{k}" for k in range(1, len(layers))] + ["output"]
    for k, (W, b) in enumerate(layers):
        pops.append(Population(names[k], W.shape[1], params=dict(
            tau_m=NO_LEAK, v_th=v_th, v_reset=0.0, v_rest=0.0, t_ref=0.0, bias=b * v_th / dt, reset_subtract=1.0)))
        pre, post = np.nonzero(W != 0)
        projections.append(Projection(f"{pops[k].name}_{names[k]}", pops[k].name, names[k], pre, post,
                                      W[pre, post] * v_th, synapse="delta"))
    n_out = layers[-1][0].shape[1]
    names_cls = json.loads(ds.attrs.get("class_names", "[]")) or [str(i) for i in range(n_out)]
    readout = Readout("output", kind="vote", labels=np.arange(n_out), classes=tuple(names_cls))
    notes = "reset by subtraction (Loihi 1 resets to zero; SpiNNaker, Loihi 2 programmable neurons subtract)"
    if ds.attrs.get("input", "poisson") != "poisson":
        notes += f"; source input {ds.attrs.get('input')!r} deployed as Bernoulli spikes of probability x per tick"
    return Graph(pops, projections, readout=readout, dt=dt, name=f"converted-{ds.attrs.get('dataset', '')}",
                 metadata={"approximations": notes})


def rate_task(X, y, graph: Graph, n_ticks: int) -> ImageTask:
    """Feature vectors ``X`` in [0, 1] with classes ``y`` as an image task: Bernoulli spikes of
    probability ``x`` per tick for ``n_ticks`` ticks, readout by the readout population's spike
    counts (no repeats, one class per output neuron)."""
    X, y = np.asarray(X, float), np.asarray(y, int)
    n_out = graph.population(graph.readout.population).size
    return ImageTask(train_images=X[:0], train_labels=y[:0], test_images=X, test_labels=y, n_assign=0,
                     n_ticks=int(n_ticks), rate_per_level=1e3 / graph.dt, intensity0=1.0, d_intensity=0.0,
                     min_spikes=0, max_repeats=0, assign="archive", n_classes=n_out)


def converted_task(ds, graph: Graph, n_test: int = 0, steps: int = 0) -> ImageTask:
    """The archive's scaled test inputs as an image task (:func:`rate_task`) for ``steps`` ticks
    (0: the source's steps), the first ``n_test`` samples (<= 0: all)."""
    X = np.asarray(ds["test_input"].values, float)
    y = np.asarray(ds["label"].values, int)
    if n_test > 0:
        X, y = X[:n_test], y[:n_test]
    return rate_task(X, y, graph, int(steps) if steps > 0 else int(ds.attrs.get("steps", 100)))
