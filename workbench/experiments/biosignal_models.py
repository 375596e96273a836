"""The models of the biosignal protocol: each one function from encoded data to predictions.

A model is a function registered in :data:`MODELS`::

    def my_model(data: EncodedData, params, ctx) -> ModelResult: ...
    register_model("my_model", my_model)

``data`` holds the encoded spike trains of every sample (``data.spikes``, a list of
:class:`workbench.encoders.SpikeTrains`), ``data.labels``, ``data.folds`` (a list of
``(train_idx, test_idx)``), ``data.duration_ms``, ``data.n_in`` and ``data.class_names``; ``params``
are the protocol's parameters, ``ctx`` its run context (``ctx.stream(name)`` for random numbers).
It returns a :class:`ModelResult` with one prediction array per fold (for that fold's test
indices) and, optionally, spike and synaptic-event counts per sample, its own spikes and archive
variables.  The protocol computes every metric and the baselines itself.

Models here: ``lsm`` (the liquid of :mod:`workbench.networks.liquid` with a linear readout on its
low-pass filtered spike trains at ``n_readout`` times), ``eprop`` (an LSNN trained with e-prop,
:func:`workbench.eprop.train.train_classifier`); baselines with the same readout: ``raw`` (the
resampled signal itself) and ``input`` (the encoded input spikes filtered like the liquid's).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from brian2 import ms

from ..datasets.biosignal import resample_samples
from ..encoders import flatten, spikes_to_dense
from ..eprop.train import CLASSIFIER_DEFAULTS, train_classifier
from ..networks.liquid import liquid_variables, make_liquid, simulate
from ..params import ParameterError
from ..readout import filtered_states, fit_classifier, readout_times
from ..recording import scalar, variable

__all__ = ["EncodedData", "ModelResult", "MODELS", "BASELINES", "register_model", "get_model", "n_readout_times",
           "lsm_model", "eprop_model", "raw_baseline", "input_baseline"]


@dataclass
class EncodedData:
    """What a model gets: encoded spike trains of every sample and the folds."""

    spikes: list
    labels: np.ndarray
    folds: list
    duration_ms: float
    n_in: int
    class_names: list
    signals: np.ndarray  # (sample, time, channel), scaled, as presented
    fs: float = 0.0  # presentation sampling rate (Hz)
    cross_validated: bool = False  # folds from k-fold cross-validation (else the data's own split)


@dataclass
class ModelResult:
    """What a model returns: predictions per fold and (optional) counts, spikes and archive variables.

    ``spikes`` are the model's own spikes ``(sample, neuron, time_ms)`` (example rasters);
    ``variables`` archive variables it adds (with units), ``attrs`` archive attributes.
    """

    predictions: list
    spikes_per_sample: np.ndarray | None = None
    synaptic_events: np.ndarray | None = None
    variables: dict = field(default_factory=dict)
    attrs: dict = field(default_factory=dict)
    features: np.ndarray | None = None
    spikes: tuple | None = None


#: model name -> function(EncodedData, params, ctx) -> ModelResult
MODELS: dict[str, Callable] = {}


def register_model(name: str, func: Callable, *, replace: bool = False):
    """Make ``model=name`` available to the biosignal protocol."""
    if name in MODELS and not replace and MODELS[name] is not func:
        raise ValueError(f"a biosignal model named {name!r} is already registered")
    MODELS[name] = func
    return func


def get_model(name: str) -> Callable:
    """The model function ``name``."""
    if name not in MODELS:
        raise ParameterError(f"model={name!r}: known models {sorted(MODELS)} "
                             "(register more with workbench.experiments.biosignal.register_model)")
    return MODELS[name]


def _seed(ctx, name: str) -> int:
    """An integer seed (Brian2, scikit-learn) from the run's named random stream."""
    return int(ctx.stream(name).integers(2**31))


def n_readout_times(params, duration_ms) -> int:
    """``params.n_readout``, or (0) one readout time per ``tau_readout`` of the sample."""
    if params.n_readout > 0:
        return int(params.n_readout)
    return max(1, int(round(duration_ms / float(params.tau_readout / ms))))


def _fit_folds(X, labels, folds, params, seed):
    preds = []
    for tr, te in folds:
        res = fit_classifier(X[tr], labels[tr], X[te], labels[te], method=params.readout, seed=seed,
                             class_weight=None if params.class_weight == "none" else params.class_weight)
        preds.append(res.y_pred)
    return preds


def _states(sample, neuron, times, n_samples, n_neurons, duration_ms, params):
    """Filtered spike trains at the readout times, concatenated: (sample, time x neuron)."""
    t = readout_times(duration_ms, n_readout_times(params, duration_ms))
    return filtered_states(sample, neuron, times, n_samples, n_neurons, t,
                           tau=float(params.tau_readout / ms)).reshape(n_samples, -1)


def lsm_model(data: EncodedData, params, ctx, *, shape=None) -> ModelResult:
    """The liquid state machine with a linear readout; the liquid goes into the archive."""
    shape = tuple(int(s) for s in (shape or params.shape))
    liquid = make_liquid(shape, data.n_in, rng=ctx.stream("liquid"), lam=params.lam, p_in=params.p_in,
                         input_scale=params.input_scale, weight_scale=params.weight_scale)
    run = simulate(liquid, [(s.channel, s.times) for s in data.spikes], data.duration_ms * ms, dt=params.dt,
                   backend=ctx.backend, seed=_seed(ctx, "liquid_initial_state"), batch=params.batch,
                   threads=ctx.threads)
    n = len(data.spikes)
    X = _states(run.liquid_sample, run.liquid_neuron, run.liquid_time, n, liquid.N, data.duration_ms, params)
    preds = _fit_folds(X, data.labels, data.folds, params, _seed(ctx, "readout"))
    variables = {
        "readout_time": variable(readout_times(data.duration_ms, n_readout_times(params, data.duration_ms)),
                                 "readout_time", "ms", "readout times (filtered spike trains concatenated)",
                                 method=params.readout, class_weight=params.class_weight),
        "readout_tau": scalar(float(params.tau_readout / ms), "ms", "readout filter time constant"),
        "liquid_neurons": scalar(float(liquid.N), "1", "liquid neurons"),
        "liquid_synapses": scalar(float(len(liquid.pre)), "1", "liquid synapses"),
        "wall_run": scalar(run.wall_run, "s", "wall run"),
        "wall_build": scalar(run.wall_build, "s", "wall build"),
        "samples_per_second": scalar(n / run.wall_run if run.wall_run > 0 else float("nan"), "Hz",
                                     "samples per second"),
        **liquid_variables(liquid),
    }
    return ModelResult(predictions=preds, spikes_per_sample=run.liquid_counts().astype(float),
                       synaptic_events=run.synaptic_events, features=X, variables=variables,
                       spikes=(run.liquid_sample, run.liquid_neuron, run.liquid_time),
                       attrs={"batch": run.batch, "input_spikes_dropped": run.n_dropped})


def eprop_model(data: EncodedData, params, ctx, **options) -> ModelResult:
    """An LSNN trained with e-prop on each fold's training samples (spikes binned at 1 ms, at most
    one per channel and step; :func:`workbench.eprop.train.train_classifier`, cross-entropy over the
    whole sample by default) predicts its test samples.

    ``options`` (keys of :data:`workbench.eprop.train.CLASSIFIER_DEFAULTS`) override the defaults,
    e.g. ``register_model("eprop", functools.partial(eprop_model, epochs=60), replace=True)``; a
    protocol parameter named ``eprop_<option>`` (if the protocol declares it) overrides one too.
    """
    unknown = sorted(set(options) - set(CLASSIFIER_DEFAULTS))
    if unknown:
        raise ValueError(f"eprop_model: unknown option(s) {unknown}; known: {sorted(CLASSIFIER_DEFAULTS)}")
    opts = dict(options)
    for key in CLASSIFIER_DEFAULTS:
        if f"eprop_{key}" in params:
            opts[key] = params[f"eprop_{key}"]
    X = spikes_to_dense(data.spikes, data.n_in, data.duration_ms)
    labels = np.asarray(data.labels).astype(int)
    preds, counts, attrs = [], np.zeros(len(X)), {}
    for f, (tr, te) in enumerate(data.folds):
        pred, met = train_classifier(X[tr], labels[tr], X[te], labels[te], backend=ctx.backend,
                                     seed=_seed(ctx, f"eprop_fold{f}"), **opts)
        preds.append(pred)
        counts[te] = met["test_spike_counts"]
        attrs[f"fold{f}_train_accuracy_last_epoch"] = met["train_accuracy"][-1]
        attrs[f"fold{f}_wall_time_s"] = met["wall_time_s"]
    attrs["eprop_options"] = repr(dict(CLASSIFIER_DEFAULTS, **opts))
    return ModelResult(predictions=preds, spikes_per_sample=counts, attrs=attrs)


def input_baseline(data: EncodedData, params, ctx) -> ModelResult:
    """The readout on the encoded input spikes (filtered like the liquid's), no liquid."""
    sample, channel, times = flatten(data.spikes)
    X = _states(sample, channel, times, len(data.spikes), data.n_in, data.duration_ms, params)
    return ModelResult(predictions=_fit_folds(X, data.labels, data.folds, params, _seed(ctx, "readout")))


def raw_baseline(data: EncodedData, params, ctx) -> ModelResult:
    """The readout on the (resampled, scaled) signal itself: ``raw_points`` values per channel."""
    X = resample_samples(list(data.signals), params.raw_points).reshape(len(data.signals), -1)
    return ModelResult(predictions=_fit_folds(X, data.labels, data.folds, params, _seed(ctx, "readout")))


register_model("lsm", lsm_model)
register_model("eprop", eprop_model)
BASELINES = {"raw": raw_baseline, "input": input_baseline}
