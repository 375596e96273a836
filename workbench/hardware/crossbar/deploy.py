"""Deployment of a neutral graph on a crossbar: program the devices once, read them by the spikes at
chosen times after programming, classify, count reads, conversions, energy and latency.

The network's neurons run in the crossbar's digital periphery in float64
(:func:`workbench.hardware.quantize.float_network`: the source model as exported, conductance
synapses included: the array sums the conductance increments of the spikes, the periphery applies
them); the synapses are the programmed devices (:mod:`.state`), read through
:class:`~.simulate.SynapseReader`.  With ideal devices this is the float reference exactly.

Time after programming: the classes (images: from the chip's responses to training images) or the
linear readout (samples: on the chip's filtered spike trains) are set once, ``assign_time`` seconds
after programming, as a deployed chip would be calibrated; the test runs ``drift_time`` seconds
after programming, with or without global drift compensation.  Further ``(time, compensate)``
points (a drift sweep) reuse the same programmed devices and the same input spikes.

Random streams (``streams(name)``, as :mod:`workbench.hardware.deploy`): ``devices`` (programming,
stuck devices, drift exponents), ``read_noise_assign`` and ``read_noise_test`` (per-read noise),
``frozen_read_noise``, and the float reference's input streams (``assign_input``, ``test_input``),
so the crossbar sees the float reference's input spikes.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from ...readout import assign_from_counts, classify
from ..deploy import (Deployed, ImageTask, SampleTask, Streams, _present, _Totals, fold_readout,
                      initial_potentials, sample_features)
from ..aersim import chip_statistics
from ..chips import get_chip
from ..graph import Graph
from ..mapping import map_graph
from ..quantize import float_network
from .devices import ProgramVerify
from .mapping import map_network
from .rules import check
from .simulate import SynapseReader, crossbar_statistics
from .specs import CrossbarSpec, get_crossbar
from .state import at_time, program

__all__ = ["CrossbarOptions", "CrossbarChip", "CrossbarDeployment", "deploy_images_crossbar",
           "deploy_samples_crossbar", "weight_error", "compare_mappings", "COMPARED"]


@dataclass(frozen=True)
class CrossbarOptions:
    """How a graph goes onto a crossbar and when it is read (times in s after programming)."""

    spec: CrossbarSpec
    drift_time: float = 0.0
    assign_time: float = 0.0
    compensate: bool = True
    ir_drop: str = "first_order"
    read_noise: str = "per_read"
    scale: str = "tile"
    verify: bool = False
    strict: bool = False

    def __post_init__(self):
        object.__setattr__(self, "spec", get_crossbar(self.spec))
        for k in ("drift_time", "assign_time"):
            if not getattr(self, k) >= 0:
                raise ValueError(f"{k} must be >= 0 s after programming, got {getattr(self, k)!r}")


class CrossbarChip:
    """A network programmed once on a crossbar (devices drawn from ``streams('devices')``)."""

    def __init__(self, net, opts: CrossbarOptions, streams: Streams):
        self.net, self.opts = net, opts
        self.mapping = map_network(net, opts.spec, scale=opts.scale)
        self.violations = check(self.mapping, raise_on_error=opts.strict)
        self.programmed = program(self.mapping, streams("devices"), verify=ProgramVerify() if opts.verify else None)

    def read_at(self, t: float, compensate: bool, streams: Streams, noise: str):
        """``(reader, state)`` of the chip ``t`` s after programming; per-read noise from ``streams(noise)``."""
        o = self.opts
        state = at_time(self.programmed, t, ir_drop=o.ir_drop, read_noise=o.read_noise, compensate=compensate,
                        rng=streams("frozen_read_noise"))
        return SynapseReader(state, streams(noise)), state


def weight_error(state) -> float:
    """Relative RMS error of the weights the crossbar delivers (effective conductances times scale and
    compensation gain; IR drop, drift, stuck devices and programming error included) vs the mapped weights."""
    err = ref = 0.0
    for t, ts in zip(state.mapping.tiles, state.tiles):
        w = (ts.eff_plus - ts.eff_minus) * t.scale * ts.alpha
        err += float(np.sum((w - t.weight) ** 2))
        ref += float(np.sum(t.weight**2))
    return float(np.sqrt(err / ref)) if ref > 0 else 0.0


@dataclass
class CrossbarDeployment:
    """The float reference, the crossbar at ``drift_time`` (``main``) and at each sweep point."""

    reference: Deployed
    main: Deployed
    chip: CrossbarChip
    sweep: list = field(default_factory=list)  # ((time, compensate), Deployed) pairs
    variants: list = field(default_factory=list)  # ((spec field, value), Deployed) pairs: other chips at drift_time


#: statistics of :func:`workbench.hardware.aersim.chip_statistics` kept per compared digital chip
COMPARED = ("energy", "energy_synop", "energy_neuron", "energy_packet", "energy_hop", "energy_static", "latency")


def _stats(state, compare=None):
    """Crossbar statistics of a batch; with ``compare`` ({name: (net, ChipMapping)}) also the energy and latency
    the same spikes take on each digital chip (keys ``'NAME:energy'`` ...)."""
    def stats(res):
        st = crossbar_statistics(res, state)
        for name, (cnet, cmap) in (compare or {}).items():
            cs = chip_statistics(res, cnet, cmap)
            st.update({f"{name}:{k}": cs[k] for k in COMPARED})
        return st
    return stats


def _compare_keys(compare) -> tuple:
    return tuple(f"{name}:{k}" for name in (compare or {}) for k in COMPARED)


def _deployed(acc, pred, labels, net, chip, totals, repeats, t0, state, **kw) -> Deployed:
    """``state``: the crossbar read (its weight error), None for the float reference."""
    qerr = {"weight_rel_rms": weight_error(state) if state is not None else 0.0, "threshold_rel_rms": 0.0}
    return Deployed(accuracy=float(acc), prediction=pred, labels=labels, net=net, mapping=chip.mapping,
                    violations=chip.violations, qerr=qerr, stats=totals.stats, first=totals.first, repeats=repeats,
                    events=totals.events, wall_sim=totals.wall, wall=time.perf_counter() - t0, **kw)


def _points(opts: CrossbarOptions, sweep) -> list:
    return [(float(opts.drift_time), bool(opts.compensate))] + [(float(t), bool(c)) for t, c in sweep]


def compare_mappings(graph: Graph, net, chips) -> dict:
    """``{name: (net, ChipMapping)}`` of digital chips (sequential fill) on which the crossbar's spikes are also
    counted: their energy and latency for the same spike trains (:func:`chip_statistics`)."""
    out = {}
    for c in chips:
        spec = get_chip(c)
        out[spec.name] = (net, map_graph(graph, spec, "sequential"))
    return out


def deploy_images_crossbar(graph: Graph, task: ImageTask, streams: Streams, opts: CrossbarOptions,
                           sweep=(), variants=(), compare=()) -> CrossbarDeployment:
    """The float reference and the crossbar on an image task; ``sweep``: further ``(time, compensate)``;
    ``variants``: ``(field, value)`` changes of the spec (e.g. ``('levels', 16)``), each a chip of its own;
    ``compare``: digital chips on which the crossbar's spikes at ``drift_time`` are counted too."""
    net = float_network(graph)
    chip = main_chip = CrossbarChip(net, opts, streams)
    cmp = compare_mappings(graph, net, compare)

    def assign(reader):
        if task.assign != "chip":
            return np.asarray(graph.readout.labels)
        c, _ = _present(graph, net, None, task, task.train_images[:task.n_assign], streams("assign_input"),
                        synapse_read=reader)
        return assign_from_counts(c, task.train_labels[:task.n_assign], task.n_classes)

    def test(reader, state, assignment, crossbar=True, compare=None):
        t0 = time.perf_counter()
        totals = _Totals(len(task.test_images), _stats(state, compare), _compare_keys(compare))
        counts, repeats = _present(graph, net, None, task, task.test_images, streams("test_input"), totals,
                                   synapse_read=reader)
        pred = classify(counts, assignment, task.n_classes)
        return _deployed(np.mean(pred == task.test_labels), pred, task.test_labels, net, chip, totals, repeats, t0,
                         state if crossbar else None, counts=counts, assignment=assignment)

    assign_reader, assign_state = chip.read_at(opts.assign_time, opts.compensate, streams, "read_noise_assign")
    reference = test(None, assign_state, assign(None), crossbar=False)  # its statistics: the crossbar's counts
    assignment = assign(assign_reader)
    results = [test(*chip.read_at(t, c, streams, "read_noise_test"), assignment, compare=cmp if k == 0 else None)
               for k, (t, c) in enumerate(_points(opts, sweep))]
    other = []
    for key, value in variants:  # another chip: programmed, assigned and tested at drift_time
        chip = CrossbarChip(net, replace(opts, spec=opts.spec.replace(**{key: value})), streams)
        a = assign(chip.read_at(opts.assign_time, opts.compensate, streams, "read_noise_assign")[0])
        other.append(((key, value), test(*chip.read_at(opts.drift_time, opts.compensate, streams,
                                                       "read_noise_test"), a)))
    return CrossbarDeployment(reference=reference, main=results[0], chip=main_chip,
                              sweep=list(zip(_points(opts, sweep)[1:], results[1:])), variants=other)


def deploy_samples_crossbar(graph: Graph, task: SampleTask, streams: Streams, opts: CrossbarOptions,
                            sweep=(), variants=(), compare=()) -> CrossbarDeployment:
    """The float reference and the crossbar on a sample task: each fold's readout is trained on the
    chip's features at ``assign_time`` and tested on its features at the test time."""
    net = float_network(graph)
    chip = CrossbarChip(net, opts, streams)
    v_init = initial_potentials(graph, task, streams)
    n = len(task.stim)
    cmp = compare_mappings(graph, net, compare)

    def features(reader, state, compare=None):
        totals = _Totals(n, _stats(state, compare), _compare_keys(compare))
        X = sample_features(graph, net, task, v_init, totals, exact=True, synapse_read=reader)
        return X, totals

    t0 = time.perf_counter()
    assign_reader, assign_state = chip.read_at(opts.assign_time, opts.compensate, streams, "read_noise_assign")
    X_ref, tot = features(None, assign_state)
    acc, pred, labels = fold_readout(X_ref, X_ref, task, streams)
    reference = _deployed(acc, pred, labels, net, chip, tot, np.zeros(n), t0, None)
    X_train, _ = features(assign_reader, assign_state)
    points = _points(opts, sweep)
    results = []
    for k, (t, comp) in enumerate(points):
        t0 = time.perf_counter()
        reader, state = chip.read_at(t, comp, streams, "read_noise_test")
        X, tot = features(reader, state, cmp if k == 0 else None)
        acc, pred, labels = fold_readout(X_train, X, task, streams)
        results.append(_deployed(acc, pred, labels, net, chip, tot, np.zeros(n), t0, state))
    other = []
    for key, value in variants:
        t0 = time.perf_counter()
        vchip = CrossbarChip(net, replace(opts, spec=opts.spec.replace(**{key: value})), streams)
        Xa, _ = features(*vchip.read_at(opts.assign_time, opts.compensate, streams, "read_noise_assign"))
        reader, state = vchip.read_at(opts.drift_time, opts.compensate, streams, "read_noise_test")
        X, tot = features(reader, state)
        acc, pred, labels = fold_readout(Xa, X, task, streams)
        other.append(((key, value), _deployed(acc, pred, labels, net, vchip, tot, np.zeros(n), t0, state)))
    return CrossbarDeployment(reference=reference, main=results[0], chip=chip,
                              sweep=list(zip(points[1:], results[1:])), variants=other)
