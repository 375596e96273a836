"""The two classic experiments of Maass, Natschläger & Markram 2002 on their liquid
(:mod:`workbench.networks.liquid`): the separation property (their Fig. 2) and the classification
of jittered spike templates by a linear readout.

Stimuli: pairs of Poisson spike trains at target input distances (:func:`separation_stimuli`,
distance :func:`spike_train_distance`), and jittered Poisson templates whose spikes become the same
after ``shared_after`` (:func:`template_stimuli`), so that late readouts need the liquid's memory.
Analysis: the distance of the liquid states of each pair over time (:func:`state_distances`) and
the test accuracy of a linear readout on the liquid's and on the inputs' filtered spike trains at
each readout time (:func:`template_accuracies`); :func:`archive` assembles the result.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import xarray as xr
from brian2 import Hz, ms

from ..readout import filtered_states, fit_classifier
from ..recording import scalar, variable

__all__ = ["poisson_train", "spike_train_distance", "pairs_at_distances", "Stimuli", "separation_stimuli",
           "template_stimuli", "state_distances", "template_accuracies", "archive"]


def poisson_train(rng, rate_hz, duration_ms, dt_ms=0.1):
    """Poisson spike times (ms) at ``rate_hz`` over ``duration_ms``, at most one per ``dt_ms`` bin."""
    while True:
        n = rng.poisson(rate_hz * duration_ms / 1000.0)
        t = np.sort(rng.uniform(0, duration_ms, n))
        if n < 2 or np.all(np.diff(np.floor(t / dt_ms)) > 0):
            return t


def spike_train_distance(u, v, duration_ms, tau=5.0):
    """Input distance of Maass et al. 2002 (Fig. 2): ``||u*g - v*g||^2 / T`` with the
    Gaussian kernel ``g(t) = exp(-(t/tau)^2)`` (tau = 5 ms), computed in closed form
    (integral over the whole line: sum over spike pairs of ``tau*sqrt(pi/2)*exp(-d^2/(2 tau^2))``)."""
    def cross(a, b):
        if len(a) == 0 or len(b) == 0:
            return 0.0
        d = np.subtract.outer(a, b)
        return float(np.exp(-d**2 / (2 * tau**2)).sum())
    u, v = np.asarray(u, float), np.asarray(v, float)
    return tau * math.sqrt(math.pi / 2) * (cross(u, u) + cross(v, v) - 2 * cross(u, v)) / duration_ms


def pairs_at_distances(rng, targets, n_pairs, rate, duration_ms, dt_ms, tol=0.01, max_tries=2_000_000):
    """Pairs of Poisson trains whose input distance is within ``tol`` of each target (rejection, as
    in the paper); target 0 gives identical trains (differences then come from the initial state)."""
    found = {d: [] for d in targets}
    for _ in range(max_tries):
        if all(len(v) >= n_pairs for d, v in found.items() if d > 0):
            break
        u = poisson_train(rng, rate, duration_ms, dt_ms)
        v = poisson_train(rng, rate, duration_ms, dt_ms)
        dist = spike_train_distance(u, v, duration_ms)
        for d in targets:
            if d > 0 and abs(dist - d) < tol and len(found[d]) < n_pairs:
                found[d].append((u, v, dist))
                break
    else:
        raise RuntimeError(f"could not find {n_pairs} input pairs for distances {targets}")
    for d in targets:
        if d == 0:
            for _ in range(n_pairs):
                u = poisson_train(rng, rate, duration_ms, dt_ms)
                found[d].append((u, u.copy(), 0.0))
    return found


@dataclass
class Stimuli:
    """Input spike trains of every sample, ``inputs[s] = (channels, times_ms)``, and what each is:
    the separation pairs' target and actual input distance (one per pair; samples 2k and 2k+1
    form pair k), or the template class (one per sample)."""

    inputs: list
    target_distance: np.ndarray | None = None
    input_distance: np.ndarray | None = None
    distances: list | None = None
    labels: np.ndarray | None = None


def separation_stimuli(rng, input_distances, n_pairs, rate, duration, dt) -> Stimuli:
    """``n_pairs`` pairs of one-channel Poisson trains (``rate``) per target input distance (0 is
    always added), as in Maass et al.'s Fig. 2; samples 2k and 2k + 1 are the two trains of pair k."""
    targets = [float(x) for x in input_distances]
    if 0.0 not in targets:
        targets = targets + [0.0]
    dur, dt_ms = float(duration / ms), float(dt / ms)
    pairs = pairs_at_distances(rng, targets, n_pairs, float(rate / Hz), dur, dt_ms)
    inputs, meta = [], []
    for d in targets:
        for u, v, dist in pairs[d]:
            inputs += [(np.zeros(len(u), int), u), (np.zeros(len(v), int), v)]
            meta.append((d, dist))
    return Stimuli(inputs, target_distance=np.array([m[0] for m in meta]),
                   input_distance=np.array([m[1] for m in meta]), distances=targets)


def template_stimuli(rng, n_classes, n_channels, samples_per_class, rate, duration, dt, jitter,
                     shared_after=None) -> Stimuli:
    """Jittered copies of ``n_classes`` templates of ``n_channels`` Poisson trains (``rate``); after
    ``shared_after`` every template continues with the same spikes (so only the liquid's memory can
    tell them apart there).  Samples come in a random class order."""
    dur, dt_ms, r = float(duration / ms), float(dt / ms), float(rate / Hz)
    tmpl = [[poisson_train(rng, r, dur, dt_ms) for _ in range(n_channels)] for _ in range(n_classes)]
    shared = None if shared_after is None else float(shared_after / ms)
    if shared is not None and 0 < shared < dur:
        common = [poisson_train(rng, r, dur, dt_ms) for _ in range(n_channels)]
        tmpl = [[np.concatenate([tr[tr < shared], common[c][common[c] >= shared]]) for c, tr in enumerate(t)]
                for t in tmpl]
    labels = np.repeat(np.arange(n_classes), samples_per_class)
    rng.shuffle(labels)
    sd = float(jitter / ms)
    inputs = []
    for c in labels:
        ch, t = [], []
        for k, train in enumerate(tmpl[c]):
            tt = train + rng.normal(0, sd, len(train))
            tt = tt[(tt >= 0) & (tt < dur)]
            ch.append(np.full(len(tt), k))
            t.append(tt)
        inputs.append((np.concatenate(ch), np.concatenate(t)))
    return Stimuli(inputs, labels=labels)


def state_distances(run, times, tau) -> np.ndarray:
    """Euclidean distance of the liquid states (spike trains filtered with ``tau``) of the two
    samples of each pair at ``times`` (ms): array (pair, time)."""
    st = filtered_states(run.liquid_sample, run.liquid_neuron, run.liquid_time, run.n_samples, run.N, times,
                         tau=float(tau / ms))
    return np.sqrt(((st[0::2] - st[1::2]) ** 2).sum(-1))


def template_accuracies(run, labels, times, tau, train_fraction, seed):
    """Test accuracy of a linear readout (ridge, :func:`workbench.readout.fit_classifier`) at each
    readout time (ms), trained on the first ``train_fraction`` of the samples: on the liquid's
    filtered spike trains and on the input spikes filtered the same way.  Returns two arrays."""
    n, tau_ms = len(labels), float(tau / ms)
    Xl = filtered_states(run.liquid_sample, run.liquid_neuron, run.liquid_time, n, run.N, times, tau=tau_ms)
    Xi = filtered_states(run.input_sample, run.input_neuron, run.input_time, n, run.n_in, times, tau=tau_ms)
    n_train = int(round(train_fraction * n))
    acc = np.zeros((2, len(times)))
    for k in range(len(times)):
        for m, X in enumerate((Xl, Xi)):
            acc[m, k] = fit_classifier(X[:n_train, k], labels[:n_train], X[n_train:, k], labels[n_train:],
                                       seed=seed, cv=3).accuracy
    return acc[0], acc[1]


def archive(sep: Stimuli, dist_t, t_grid, tmpl: Stimuli, acc_liquid, acc_input, r_times, run_sep, run_tmpl,
            n_synapses) -> xr.Dataset:
    """The lsm archive: state distances (mean per target distance, and per pair), template
    accuracies per readout time, a raster of the first template sample of each class, scalars."""
    mean_dist = np.array([dist_t[sep.target_distance == d].mean(0) for d in sep.distances])
    coords = {"input_distance": variable(np.array(sep.distances), "input_distance", "1", "input distance d(u,v)"),
              "time": variable(t_grid, "time", "ms", "time"),
              "readout_time": variable(r_times, "readout_time", "ms", "readout time")}
    ds = xr.Dataset(coords=coords)
    ds["state_distance"] = variable(mean_dist, ("input_distance", "time"), "1",
                                    "liquid state distance (Euclidean, tau 30 ms)")
    ds["pair_state_distance"] = variable(dist_t, ("pair", "time"), "1", "state distance of each pair")
    ds["pair_target_distance"] = variable(sep.target_distance, "pair", "1", "target input distance")
    ds["pair_input_distance"] = variable(sep.input_distance, "pair", "1", "input distance d(u,v)")
    ds["template_accuracy"] = variable(acc_liquid, "readout_time", "1", "test accuracy, readout on the liquid")
    ds["template_accuracy_input"] = variable(acc_input, "readout_time", "1",
                                             "test accuracy, readout on the input spikes")
    labels = tmpl.labels
    first = [int(np.nonzero(labels == c)[0][0]) for c in np.unique(labels)]
    m = np.isin(run_tmpl.liquid_sample, first)
    ds["raster_sample"] = variable(run_tmpl.liquid_sample[m].astype(np.int32), "spike", "1", "sample index")
    ds["spike_neuron"] = variable(run_tmpl.liquid_neuron[m].astype(np.int32), "spike", "1",
                                  "index of the spiking neuron (liquid)")
    ds["spike_time"] = variable(run_tmpl.liquid_time[m], "spike", "ms", "spike time (liquid)")
    ds["sample_label"] = variable(labels.astype(np.int32), "sample", "1", "template class")
    n_sep = run_sep.n_samples
    ds["test_accuracy"] = scalar(float(acc_liquid[-1]), "1", "template classification accuracy at the last "
                                 "readout time")
    ds["test_accuracy_input"] = scalar(float(acc_input[-1]), "1", "same readout on the input spikes, last "
                                       "readout time")
    ds["liquid_rate"] = scalar(len(run_sep.liquid_sample) / (n_sep * run_sep.N * run_sep.duration / 1000), "Hz",
                               "mean liquid firing rate (separation runs)")
    ds["wall_run"] = scalar(run_sep.wall_run + run_tmpl.wall_run, "s", "simulation wall time")
    ds["wall_build"] = scalar(run_sep.wall_build + run_tmpl.wall_build, "s",
                              "build (code generation + compile) wall time")
    ds["n_synapses"] = scalar(n_synapses, "1", "recurrent synapses in the liquid")
    return ds
