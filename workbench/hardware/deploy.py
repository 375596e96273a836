"""Deployment of a neutral graph on a simulated chip: map, quantize, check the design rules, run the
data batched on the AER simulator, read the class out, count traffic, latency and energy.

Two kinds of task:

- :class:`ImageTask` (Diehl & Cook 2015, a ``stdp-digits`` network): Poisson pixel inputs of rate
  ``pixel * rate_per_level * intensity`` for ``n_ticks``; an image with fewer than ``min_spikes``
  spikes of the readout population is shown again with ``d_intensity`` more (their repeat rule);
  classes assigned from the chip's own responses to training images and read out by the vote
  (:mod:`workbench.readout.voting`); optionally hardware-constrained STDP on the input weights
  first (:func:`deploy_images`).
- :class:`SampleTask` (a liquid on recorded input spike trains, e.g. a ``biosignal`` archive):
  every sample from a random initial potential, a linear readout (:func:`workbench.readout.fit_classifier`)
  on the chip's low-pass filtered spike trains (:func:`workbench.readout.filtered_states`), trained
  and tested on the task's folds (:func:`deploy_samples`).

Random numbers come from ``streams(name)``, a function returning a fresh generator for each named
use (the run context's :meth:`workbench.protocol.RunContext.stream`): the same name gives the same
numbers, so the float reference and every chip configuration see the same input spikes.
"""
from __future__ import annotations

import contextlib
import dataclasses
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..readout import assign_from_counts, classify, filtered_states, fit_classifier
from . import rules
from .aersim import STDPConfig, chip_statistics, encode_inputs, simulate
from .graph import Graph
from .mapping import ChipMapping, map_graph
from .mismatch import apply_mismatch
from .quantize import QuantizationError, arithmetic, float_network, quantization_error, quantize

__all__ = ["DeployOptions", "ImageTask", "SampleTask", "Deployed", "chip_network", "map_network", "deploy_images",
           "deploy_samples", "sample_features", "initial_potentials", "fold_readout", "present_images", "as_trained",
           "integer_weights", "rebuild_trained"]

Streams = Callable[[str], np.random.Generator]

#: bytes of one chunk's simulation temporaries (input spikes, raster, delay ring buffer and its
#: per-tick bincount): images are simulated this many bytes at a time, whatever their number
CHUNK_BYTES = 192 * 2**20

#: statistics of :func:`workbench.hardware.aersim.chip_statistics` kept per presentation
PER_TRIAL = ("synops", "packets", "hops", "spikes", "latency", "neuron_updates", "energy", "energy_synop",
             "energy_neuron", "energy_packet", "energy_hop", "energy_static")


def _seed(streams: Streams, name: str) -> int:
    return int(streams(name).integers(2**31))


@dataclass(frozen=True)
class DeployOptions:
    """How a graph goes onto the chip: weight scale (``pow2`` or ``free``, shared ``per``
    population or core), ``rounding``, the neuron-to-core allocation (``mapping``: ``metis`` or
    ``sequential``), the voltage at which conductances become currents on chips without
    conductance synapses (``v_ref``), design rules raised (``strict``) or recorded, device
    mismatch (``mismatch_cv``) on thresholds, leaks and weights."""

    scale: str = "pow2"
    per: str = "population"
    rounding: str = "nearest"
    mapping: str = "metis"
    v_ref: str = "threshold"
    strict: bool = False
    mismatch_cv: float = 0.0


@dataclass
class ImageTask:
    """Images presented as Poisson rates (Diehl & Cook 2015) and the repeat rule; learning constants
    of the source (``w_max``, ``nu_pre``, ``nu_post``; None: not recorded)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    n_assign: int
    n_ticks: int
    rate_per_level: float = 0.125
    intensity0: float = 2.0
    d_intensity: float = 1.0
    min_spikes: int = 5
    max_repeats: int = 3
    assign: str = "chip"
    n_classes: int = 10
    n_learn: int = 0
    stdp_rate: float = 0.0
    w_max: float | None = None
    nu_pre: float | None = None
    nu_post: float | None = None


@dataclass
class SampleTask:
    """Recorded input spikes ``stim`` (bool: sample, tick, input), labels and folds
    (``(train_idx, test_idx)``), the readout (filter ``tau_readout`` ms, sampled at
    ``readout_times`` ms, ``method``), initial potentials uniform in ``v_init`` (mV)."""

    stim: np.ndarray
    labels: np.ndarray
    folds: list
    readout_times: np.ndarray
    tau_readout: float
    method: str = "ridge"
    v_init: tuple = (0.0, 0.0)
    population: str = "liquid"


@dataclass
class Deployed:
    """A deployment's result: accuracy and predictions (test samples in fold order), the chip
    network, mapping, violations and quantization error, and the run's counts and statistics
    (``stats``: per presentation, plus tick x core and link sums; ``first``: the first batch's
    ``(SimResult, stats)``)."""

    accuracy: float
    prediction: np.ndarray
    labels: np.ndarray
    net: object
    mapping: ChipMapping
    violations: list
    qerr: dict
    stats: dict
    first: tuple
    repeats: np.ndarray
    events: int
    wall_sim: float
    wall: float
    counts: np.ndarray | None = None
    assignment: np.ndarray | None = None
    learn: dict = field(default_factory=dict)
    chip_float: "Deployed | None" = None


def map_network(graph: Graph, chip, method: str, streams: Streams, rates=None) -> ChipMapping:
    """Neurons to cores (``metis``: traffic-weighted by ``rates``; ``sequential``: fill in order)."""
    return map_graph(graph, chip, method, rates=rates, seed=_seed(streams, "mapping"))


def chip_network(graph: Graph, chip, opts: DeployOptions, streams: Streams, mapping: ChipMapping, *, bits=None,
                 exact=False, chip_float=False, v_ref=None):
    """The network as the chip runs it: quantized to ``bits`` (or the float reference with
    ``exact``; with ``chip_float`` too, the chip's arithmetic in float64), checked against the
    design rules, with device mismatch.  A graph trained on this chip at these bits (its
    ``metadata['trained_network']``) is rebuilt as it learned (:func:`rebuild_trained`); on any
    other chip or width it is re-quantized, and ``approximations`` says so.
    Returns ``(ChipNetwork, violations)``."""
    v_ref = opts.v_ref if v_ref is None else v_ref
    trained = graph.metadata.get("trained_network")
    if exact:
        net = float_network(graph, chip, v_ref=v_ref) if chip_float else float_network(graph)
    elif trained is not None and as_trained(trained, chip, bits, graph.dt):
        net = rebuild_trained(graph, chip, trained)
    else:
        net = quantize(graph, chip, bits, scale=opts.scale, per=opts.per, rounding=opts.rounding,
                       core_of=mapping.core_of, seed=_seed(streams, "rounding"), v_ref=v_ref)
        if trained is not None:
            a = trained["arithmetic"]
            net.approximations.append(
                f"trained for {a['name']} at {trained['bits']} bits (tick {trained['dt']:g} ms), deployed on "
                f"{chip.name} at {net.settings['weight_bits']} bits (tick {graph.dt:g} ms): re-quantized (weight "
                f"scale {opts.scale} per {opts.per}, {opts.rounding} rounding), not the integer network it learned "
                "with")
    violations = rules.check(graph, chip, net, mapping, raise_on_error=opts.strict)
    if opts.mismatch_cv > 0:
        cv = opts.mismatch_cv
        net = apply_mismatch(net, cv, cv, cv, seed=_seed(streams, "mismatch"))
        if "network" in net.settings:
            net.settings = {**net.settings, "network": f"{net.settings['network']}, then device mismatch CV {cv}"}
    return net, violations


def as_trained(trained: dict, chip, bits, dt: float) -> bool:
    """Whether ``chip`` at ``bits`` and tick ``dt`` (ms) is what a network was trained on (``trained``:
    the graph's ``metadata['trained_network']``, :func:`workbench.hardware.export.trained_network`):
    the same number formats (:func:`workbench.hardware.quantize.arithmetic`), weight bits and tick."""
    bits = chip.weight_bits if bits is None else int(bits)
    return trained["arithmetic"] == arithmetic(chip) and int(trained["bits"]) == bits and \
        float(trained["dt"]) == float(dt)


def integer_weights(net, graph: Graph, name: str) -> np.ndarray:
    """The integer weights of projection ``name`` as a (post, pre) matrix (0 where no synapse)."""
    flat = net.flat
    k = [p.name for p in graph.projections].index(name)
    pr = graph.projections[k]
    post, pre = flat.slice(pr.post), flat.slice(pr.pre)
    sel = flat.projection == k
    out = np.zeros((post.stop - post.start, pre.stop - pre.start), dtype=np.int64)
    out[flat.dst[sel] - post.start, flat.src[sel] - pre.start] = net.weight_int[sel]
    return out


def rebuild_trained(graph: Graph, chip, trained: dict):
    """The integer network a graph was trained as on ``chip``: quantized with the weight and state
    steps it learned with (nearest rounding recovers its integers: the graph's weights lie on that
    grid), checked against its recorded integer weights (``trained['weight_int']``: projection ->
    (post, pre) matrix) and thresholds (population -> array); the deployment's scale, per and
    rounding options do not apply.  Raises :class:`workbench.hardware.quantize.QuantizationError`
    when the rebuild differs (an archive edited after training, or a changed quantizer)."""
    net = quantize(graph, chip, trained["bits"], rounding="nearest", weight_step=trained["weight_step"],
                   state_lsb=trained["state_lsb"])
    bad_w = sum(int(np.sum(integer_weights(net, graph, k) != v)) for k, v in trained["weight_int"].items())
    bad_th = sum(int(np.sum(net.threshold[net.flat.slice(k)] != v)) for k, v in trained["threshold_int"].items())
    if bad_w or bad_th:
        raise QuantizationError(f"the trained {chip.name} network could not be rebuilt from the archive: {bad_w} "
                                f"weight(s) and {bad_th} threshold(s) differ from the recorded integers "
                                "(target_weight_int, target_threshold_int); was the archive edited? Train again.")
    net.settings["network"] = (f"as trained on {chip.name} at {trained['bits']} bits (the recorded weight and "
                               "state steps; the integer weights and thresholds checked)")
    return net


_PROGRESS: list = []


@contextlib.contextmanager
def reporting(callback: Callable[[int], None]):
    """Within the block, ``callback(n)`` is called after each chunk of ``n`` images presented (a
    progress bar's ``update``): a deployment of thousands of images takes many minutes."""
    _PROGRESS.append(callback)
    try:
        yield
    finally:
        _PROGRESS.remove(callback)


def chunk_trials(n_ticks: int, n_neurons: int, n_inputs: int, max_delay: int = 0) -> int:
    """Trials simulated at once so that one chunk's temporaries stay near :data:`CHUNK_BYTES`: per
    trial the input spikes and raster (bool, ticks x neurons) and the delay ring buffer with its
    bincount (float64, 2 x (max_delay + 1) x 3 x neurons)."""
    per_trial = n_ticks * (n_neurons + n_inputs) + 2 * (max_delay + 1) * 3 * n_neurons * 8
    return int(max(1, min(1000, CHUNK_BYTES // max(per_trial, 1))))


#: further per-presentation statistics of :func:`workbench.hardware.crossbar.crossbar_statistics`
PER_TRIAL_CROSSBAR = ("reads", "row_drives", "conversions", "accumulations", "energy_array", "energy_dac",
                      "energy_adc", "energy_converters", "energy_accumulate", "energy_digital")
_FIRST = ("tick_latency", "max_link_load_tick")  # kept from the first batch
_SUMMED = ("synops_tick_core", "packets_tick_core", "link_load", "reads_tick_tile")  # summed over batches


class _Totals:
    """Statistics of batches of presentations: per presentation, and summed per tick x core and link.

    ``stats_fn(result)``: the statistics of one batch (default: :func:`chip_statistics` on the
    digital chip's mapping; a crossbar gives :func:`workbench.hardware.crossbar.crossbar_statistics`);
    ``extra``: further per-presentation keys it returns.

    The first batch (the first presentation of every sample) may come in chunks (:meth:`add` with
    ``first_batch=True``): ``first`` then holds the first trial's raster, the counts of all trials
    and their per-tick statistics (mean latency, worst link load) merged."""

    def __init__(self, n, stats_fn=None, extra=()):
        self.n, self.stats_fn, self.extra = n, stats_fn, tuple(extra)
        self.stats = {k: np.zeros(n) for k in PER_TRIAL}
        self.first, self.events, self.wall = None, 0, 0.0
        self._first_open, self._first_n, self._first_counts = True, 0, []

    def add(self, res, net, mapping, index, first_batch: bool = False):
        self.events += res.synaptic_events
        self.wall += res.wall_time
        st = chip_statistics(res, net, mapping) if self.stats_fn is None else self.stats_fn(res)
        if self.first is None:
            self.first = (res, st)
            for k in _FIRST + _SUMMED:
                if k in st:
                    self.stats[k] = st[k]
        else:
            for k in _SUMMED:
                if k in st:
                    self.stats[k] = self.stats[k] + st[k]
            if first_batch and self._first_open:  # a later chunk of the first batch: merge the per-tick stats
                n0, n1 = self._first_n, len(index)
                self.stats["tick_latency"] = (self.stats["tick_latency"] * n0 + st["tick_latency"] * n1) / (n0 + n1)
                if "max_link_load_tick" in st:
                    self.stats["max_link_load_tick"] = np.maximum(self.stats["max_link_load_tick"],
                                                                  st["max_link_load_tick"])
        if first_batch and self._first_open:
            self._first_n += len(index)
            self._first_counts.append(res.counts)
        for k in PER_TRIAL + PER_TRIAL_CROSSBAR + self.extra:
            if k in st:
                self.stats.setdefault(k, np.zeros(self.n))[index] += st[k]

    def close_first(self):
        """The first batch is complete: ``first`` keeps the raster of its first trial only (the AER
        stream in the archive) and the counts of all its trials."""
        if self._first_open and self.first is not None:
            res, st = self.first
            st = dict(st, **{k: self.stats[k] for k in _FIRST if k in st})
            self.first = (dataclasses.replace(res, raster=res.raster[:1].copy(),
                                              all_counts=np.concatenate(self._first_counts)), st)
        self._first_open, self._first_counts = False, []


def _present(graph, net, mapping, task: ImageTask, images, rng, totals=None, synapse_read=None):
    """Show ``images`` in chunks (:func:`chunk_trials`), again with higher intensity while too few
    readout spikes (the repeat rule); returns ``(counts, repeats)`` of the readout population.
    The input spikes are drawn chunk after chunk in the order of one whole draw (same numbers).
    ``synapse_read``: the synapses are read from a crossbar (:func:`workbench.hardware.aersim.simulate`).
    Progress: see :func:`reporting`."""
    n = len(images)
    flat = images.reshape(n, -1)
    intensity = np.full(n, task.intensity0)
    pending = np.arange(n)
    pop = graph.flat().slice(graph.readout.population)
    counts = np.zeros((n, pop.stop - pop.start))
    repeats = np.zeros(n, dtype=int)
    step = chunk_trials(task.n_ticks, net.n_neurons, flat.shape[1], int(getattr(net, "max_delay", 0)))
    for attempt in range(task.max_repeats + 1):
        if len(pending) == 0:
            break
        ok = np.zeros(len(pending), dtype=bool)
        for s0 in range(0, len(pending), step):
            part = pending[s0:s0 + step]
            rates = flat[part].astype(float) * task.rate_per_level * intensity[part, None]
            res = simulate(net, encode_inputs(rates, task.n_ticks, graph.dt, rng), synapse_read=synapse_read)
            if totals is not None:
                totals.add(res, net, mapping, part, first_batch=attempt == 0)
            c = res.counts[:, pop]
            counts[part] = c
            ok[s0:s0 + step] = c.sum(axis=1) >= task.min_spikes
            if attempt == 0:
                for callback in _PROGRESS:
                    callback(len(part))
            del res
        if totals is not None and attempt == 0:
            totals.close_first()
        if totals is not None:
            repeats[pending[~ok]] += 1 if attempt < task.max_repeats else 0
        intensity[pending[~ok]] += task.d_intensity
        pending = pending[~ok]
    return counts, repeats


def present_images(graph: Graph, net, task: ImageTask, images, rng: np.random.Generator, synapse_read=None):
    """Readout spike counts (image, readout neuron) and repeats of ``images`` shown to ``net`` with the
    task's repeat rule (batched; no statistics)."""
    return _present(graph, net, None, task, images, rng, synapse_read=synapse_read)


def _learn(graph, net, task: ImageTask, learn: str, streams: Streams):
    """Pair STDP on the input weights (the source's own rule when it recorded its constants: Diehl &
    Cook's traces set to 1 on a spike, ``nu_pre * post`` on presynaptic and ``nu_post * pre * post2``
    on postsynaptic spikes); thresholds frozen, weights normalised after each image."""
    k = [p.name for p in graph.projections].index("input_exc")
    proj = graph.projections[k]
    wmax = task.w_max or float(np.max(proj.weight))
    own = task.stdp_rate <= 0
    a_plus = task.stdp_rate if not own else (task.nu_post if task.nu_post is not None else 0.01)
    a_minus = (task.nu_pre if task.nu_pre is not None else 0.25 * a_plus) if own else 0.25 * a_plus
    dc_rule = task.nu_post is not None and own
    stdp = STDPConfig(projection=k, A_plus=a_plus, A_minus=a_minus, w_max=wmax,
                      rounding="stochastic" if learn == "chip" else "nearest",
                      normalize=float(np.mean(np.bincount(proj.post_index, proj.weight))),
                      trace="set" if dc_rule else "add", tau_post2=40.0 if dc_rule else None)
    imgs = task.train_images[:task.n_learn]
    rates = imgs.reshape(len(imgs), -1).astype(float) * task.rate_per_level * task.intensity0
    stim = encode_inputs(rates, task.n_ticks, graph.dt, streams("learn_input"))
    res = simulate(net, stim, stdp=stdp, seed=_seed(streams, "learn_rounding"))
    wf, wi = res.info["weights_pair"]
    return net.replace(weight=wf, weight_int=wi), {"learn_images": len(imgs), "A_plus": a_plus,
                                                   "A_minus": a_minus, "w_max": wmax}


def deploy_images(graph: Graph, chip, opts: DeployOptions, task: ImageTask, streams: Streams, mapping: ChipMapping,
                  *, bits=None, exact=False, chip_float=False, learn=None) -> Deployed:
    """Quantize (or not), optionally learn (``learn``: 'chip' or 'float'), assign classes and test."""
    t0 = time.perf_counter()
    net, violations = chip_network(graph, chip, opts, streams, mapping, bits=bits, exact=exact, chip_float=chip_float)
    learn_info = {}
    if learn is not None and task.n_learn > 0:
        net, learn_info = _learn(graph, net, task, learn, streams)
    if task.assign == "chip":
        c, _ = _present(graph, net, mapping, task, task.train_images[:task.n_assign], streams("assign_input"))
        assignment = assign_from_counts(c, task.train_labels[:task.n_assign], task.n_classes)
    else:
        assignment = np.asarray(graph.readout.labels)
    totals = _Totals(len(task.test_images))
    counts, repeats = _present(graph, net, mapping, task, task.test_images, streams("test_input"), totals)
    pred = classify(counts, assignment, task.n_classes)
    qerr = {"weight_rel_rms": 0.0, "threshold_rel_rms": 0.0} if exact else quantization_error(net, graph)
    return Deployed(accuracy=float(np.mean(pred == task.test_labels)), prediction=pred, labels=task.test_labels,
                    net=net, mapping=mapping, violations=violations, qerr=qerr, stats=totals.stats,
                    first=totals.first, repeats=repeats, events=totals.events, wall_sim=totals.wall,
                    wall=time.perf_counter() - t0, counts=counts, assignment=assignment, learn=learn_info)


def sample_features(graph: Graph, net, task: SampleTask, v_init, totals=None, mapping=None, *, exact=False,
                    synapse_read=None, chunk=100) -> np.ndarray:
    """Every sample of ``task`` through ``net`` from the initial potentials ``v_init`` (mV; sample,
    neuron of the population): the filtered spike trains sampled at the readout times (sample,
    feature).  ``synapse_read``: synapses read from a crossbar."""
    stim, n = task.stim, len(task.stim)
    pop = graph.flat().slice(task.population)
    size = pop.stop - pop.start
    feats = []
    for s0 in range(0, n, chunk):
        batch = np.arange(s0, min(s0 + chunk, n))
        v0 = np.zeros((len(batch), graph.n_neurons))
        v0[:, pop] = v_init[batch] if exact else np.rint(v_init[batch] / net.lsb[pop])
        res = simulate(net, stim[batch], v0=v0, synapse_read=synapse_read)
        if totals is not None:
            totals.add(res, net, mapping, batch)
        b, t, i = np.nonzero(res.raster[:, :, pop])
        feats.append(filtered_states(b, i, t * graph.dt, len(batch), size, task.readout_times,
                                     tau=task.tau_readout).reshape(len(batch), -1))
    return np.concatenate(feats)


def initial_potentials(graph: Graph, task: SampleTask, streams: Streams) -> np.ndarray:
    """Initial potentials (mV) of every sample, uniform in ``task.v_init``, from the stream 'initial_potentials'."""
    pop = graph.flat().slice(task.population)
    return streams("initial_potentials").uniform(task.v_init[0], task.v_init[1], (len(task.stim), pop.stop - pop.start))


def fold_readout(X_train: np.ndarray, X_test: np.ndarray, task: SampleTask, streams: Streams):
    """A linear readout per fold, trained on ``X_train`` of the fold's training samples and tested on
    ``X_test`` of its test samples (the same array for a chip read the same way both times).
    Returns ``(accuracy, predictions, labels)`` (test samples in fold order)."""
    seed = _seed(streams, "readout")
    preds, labels, accs = [], [], []
    for tr, te in task.folds:
        rr = fit_classifier(X_train[tr], task.labels[tr], X_test[te], task.labels[te], method=task.method, seed=seed)
        preds.append(rr.y_pred)
        labels.append(task.labels[te])
        accs.append(np.mean(rr.y_pred == task.labels[te]))
    return float(np.mean(accs)), np.concatenate(preds), np.concatenate(labels)


def deploy_samples(graph: Graph, chip, opts: DeployOptions, task: SampleTask, streams: Streams,
                   mapping: ChipMapping, *, bits=None, exact=False, chunk=100) -> Deployed:
    """Run every sample through the (quantized) network from random initial potentials; a linear
    readout trained on the chip's own filtered spike trains of each fold's training samples."""
    t0 = time.perf_counter()
    net, violations = chip_network(graph, chip, opts, streams, mapping, bits=bits, exact=exact, v_ref="mid")
    n = len(task.stim)
    totals = _Totals(n)
    X = sample_features(graph, net, task, initial_potentials(graph, task, streams), totals, mapping, exact=exact,
                        chunk=chunk)
    acc, pred, labels = fold_readout(X, X, task, streams)
    qerr = {"weight_rel_rms": 0.0, "threshold_rel_rms": 0.0} if exact else quantization_error(net, graph)
    return Deployed(accuracy=acc, prediction=pred, labels=labels,
                    net=net, mapping=mapping, violations=violations, qerr=qerr, stats=totals.stats,
                    first=totals.first, repeats=np.zeros(n), events=totals.events, wall_sim=totals.wall,
                    wall=time.perf_counter() - t0)
