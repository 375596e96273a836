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

import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from brian2 import ms

from ..datasets.biosignal import resample_samples
from ..datasets.splits import RareClassWarning, inner_folds
from ..encoders import flatten, spikes_to_dense
from ..eprop.train import CLASSIFIER_DEFAULTS, train_classifier
from ..networks.liquid import liquid_variables, make_liquid, simulate
from ..params import ParameterError, parse_quantity
from ..readout import classification_metrics, filtered_states, readout_times
from ..readout.blocks import fit_block_classifier
from ..recording import scalar, variable

__all__ = ["EncodedData", "ModelResult", "MODELS", "BASELINES", "register_model", "get_model", "n_readout_times",
           "lsm_model", "eprop_model", "raw_baseline", "input_baseline", "minirocket_baseline", "select_and_fit",
           "raw_signal", "readout_blocks", "fit_predict"]


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
    groups: np.ndarray | None = None  # subject / record of every sample (inner CV by group)
    extra: np.ndarray | None = None  # (sample, k) features appended to every readout (ECG: RR intervals)
    extra_names: tuple = ()
    fold_method: str = ""  # how the folds were made (biosignal_eval.choose_folds)
    fold_description: str = ""
    repeat_of_fold: np.ndarray | None = None  # repeat of every fold (studies over several seeds)


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
    chosen: list | None = None  # per fold: the setting chosen by inner cross-validation


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


def n_readout_times(params, duration_ms, tau_ms=None) -> int:
    """``params.n_readout``, or (0) one readout time per ``tau_readout`` (``tau_ms``) of the sample."""
    if params.n_readout > 0:
        return int(params.n_readout)
    tau_ms = float(params.tau_readout / ms) if tau_ms is None else tau_ms
    return max(1, int(round(duration_ms / tau_ms)))


def readout_blocks(X, data, params) -> list:
    """The readout's feature blocks: ``X`` (one array, or a list of blocks such as the liquid's and the
    input's filtered spike trains) and the data's extra features (RR intervals) as one more.
    ``params.readout_blocks == "pooled"``: all in one block, standardised together (the readout
    before the block scaling, :mod:`workbench.readout.blocks`)."""
    blocks = list(X) if isinstance(X, (list, tuple)) else [X]
    if data.extra is not None:
        blocks.append(data.extra)
    if params.get("readout_blocks", "equal") == "pooled" and len(blocks) > 1:
        return [np.hstack(blocks)]
    return blocks


def fit_predict(train_blocks, y_train, test_blocks, params, seed, method=None):
    """The readout's predictions for ``test_blocks`` (:func:`workbench.readout.blocks.fit_block_classifier`:
    every block given the same share of the variance); a training part of one class (a rare class, a
    small inner fold) predicts that class, with a warning, as scikit-learn's dummy classifier would."""
    if len(np.unique(y_train)) < 2:
        warnings.warn(f"readout: a training part holds only class {y_train[0]}; it predicts that class",
                      RareClassWarning, stacklevel=2)
        return np.full(len(test_blocks[0]), y_train[0])
    return fit_block_classifier(train_blocks, y_train, test_blocks, None, method=method or params.readout, seed=seed,
                                class_weight=None if params.class_weight == "none" else params.class_weight).y_pred


def _fit_folds(blocks, labels, folds, params, seed, method=None):
    return [fit_predict([b[tr] for b in blocks], labels[tr], [b[te] for b in blocks], params, seed, method)
            for tr, te in folds]


def select_and_fit(candidates, data: EncodedData, params, ctx, seed, desc="readout"):
    """Per fold, the candidate feature set (``{name: X}``) with the best mean balanced accuracy of
    the readout over ``params.inner_folds`` inner folds of that fold's training samples (by group
    where the data have groups; :func:`workbench.datasets.splits.inner_folds`); the readout is then
    refitted on all the training samples and predicts the test samples once.  One candidate: no
    inner CV.  Returns ``(predictions, chosen names, inner scores (fold, candidate))``."""
    names = list(candidates)
    inner_rng = ctx.stream("inner_cv")
    scores = np.full((len(data.folds), len(names)), np.nan)
    preds, chosen = [], []
    bar = ctx.progress_bar(total=len(data.folds) * (len(names) if len(names) > 1 else 1), desc=desc, unit="fit")
    for f, (tr, te) in enumerate(data.folds):
        k_inner = min(int(params.inner_folds), int(np.bincount(data.labels[tr]).max()))
        if len(names) > 1 and k_inner >= 2:  # (else too few training samples to choose: the first candidate)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RareClassWarning)
                inner = inner_folds(data.labels, tr, data.groups, n_splits=k_inner, rng=inner_rng)
            for c, name in enumerate(names):
                X = readout_blocks(candidates[name], data, params)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RareClassWarning)
                    scores[f, c] = np.mean([classification_metrics(data.labels[b], fit_predict(
                        [x[a] for x in X], data.labels[a], [x[b] for x in X], params, seed))["balanced_accuracy"]
                        for a, b in inner])
                bar.update(1)
            best = names[int(np.nanargmax(scores[f]))]
        else:
            best = names[0]
            bar.update(len(names) if len(names) > 1 else 1)
        X = readout_blocks(candidates[best], data, params)
        preds.append(fit_predict([x[tr] for x in X], data.labels[tr], [x[te] for x in X], params, seed))
        chosen.append(best)
    bar.close()
    return preds, chosen, scores


def _states(sample, neuron, times, n_samples, n_neurons, duration_ms, params, tau_ms=None):
    """Filtered spike trains at the readout times, concatenated: (sample, time x neuron)."""
    tau_ms = float(params.tau_readout / ms) if tau_ms is None else tau_ms
    t = readout_times(duration_ms, n_readout_times(params, duration_ms, tau_ms))
    return filtered_states(sample, neuron, times, n_samples, n_neurons, t, tau=tau_ms).reshape(n_samples, -1)


def _grid(params, key, default):
    """The values of the search grid ``grid_KEY`` (floats, or quantities in ms), else ``[default]``."""
    vals = params[f"grid_{key}"] if f"grid_{key}" in params else ()
    if not vals:
        return [default]
    out = []
    for v in vals:
        q = parse_quantity(v) if isinstance(v, str) and key == "tau_readout" else v
        out.append(float(q / ms) if key == "tau_readout" else float(q))
    return out


def _simulate_chunks(liquid, data, params, ctx, seed):
    """The liquid run of every sample, ``params.chunk`` samples per simulation (0: all in one), with
    a progress bar; spikes as flat arrays in sample coordinates."""
    n = len(data.spikes)
    size = n if params.chunk <= 0 else int(params.chunk)
    parts, counts, events, wall_run, wall_build, batch, dropped = [], [], [], 0.0, 0.0, 0, 0
    bar = ctx.progress_bar(total=n, desc="liquid", unit="sample")
    for k, a in enumerate(range(0, n, size)):
        chunk = data.spikes[a:a + size]
        run = simulate(liquid, [(s.channel, s.times) for s in chunk], data.duration_ms * ms, dt=params.dt,
                       backend=ctx.backend, seed=seed + k, batch=params.batch, threads=ctx.threads)
        parts.append((run.liquid_sample + a, run.liquid_neuron, run.liquid_time))
        counts.append(run.liquid_counts().astype(float))
        events.append(np.asarray(run.synaptic_events, float))
        wall_run, wall_build = wall_run + run.wall_run, wall_build + run.wall_build
        batch, dropped = run.batch, dropped + run.n_dropped
        bar.update(len(chunk))
    bar.close()
    sample, neuron, times = (np.concatenate([p[i] for p in parts]) for i in range(3))
    return dict(spikes=(sample, neuron, times), counts=np.concatenate(counts), events=np.concatenate(events),
                wall_run=wall_run, wall_build=wall_build, batch=batch, dropped=dropped)


def lsm_model(data: EncodedData, params, ctx, *, shape=None) -> ModelResult:
    """The liquid state machine with a linear readout; the liquid goes into the archive.

    Settings chosen per fold by inner cross-validation on the training samples
    (:func:`select_and_fit`) among the grid ``grid_input_scale`` x ``grid_weight_scale`` (one liquid
    run each: the same connectivity, scaled; the test samples are simulated too, without their
    labels) x ``grid_tau_readout`` x ``grid_readout_input`` (the readout sees the liquid only, or the
    liquid and the input spikes filtered alike -- the input layer as part of the reservoir)."""
    shape = tuple(int(s) for s in (shape or params.shape))
    n = len(data.spikes)
    taus = _grid(params, "tau_readout", float(params.tau_readout / ms))
    with_input = [str(v).lower() in ("1", "true", "yes", "on") for v in params.get("grid_readout_input", ())] or [False]
    sin, sio, tin = flatten(data.spikes)
    runs, cands = {}, {}
    for i_s in _grid(params, "input_scale", params.input_scale):
        for w_s in _grid(params, "weight_scale", params.weight_scale):
            liquid = make_liquid(shape, data.n_in, rng=ctx.stream("liquid"), lam=params.lam, p_in=params.p_in,
                                 input_scale=i_s, weight_scale=w_s)
            run = _simulate_chunks(liquid, data, params, ctx, _seed(ctx, "liquid_initial_state"))
            runs[(i_s, w_s)] = (liquid, run)
            for tau in taus:
                X = _states(*run["spikes"], n, liquid.N, data.duration_ms, params, tau)
                for inp in with_input:
                    key = f"input_scale={i_s:g},weight_scale={w_s:g},tau_readout={tau:g}ms,readout_input={int(inp)}"
                    cands[key] = [X, _states(sin, sio, tin, n, data.n_in, data.duration_ms, params, tau)] \
                        if inp else [X]
    preds, chosen, scores = select_and_fit(cands, data, params, ctx, _seed(ctx, "readout"), desc="lsm readout")
    first = chosen[0]
    i_s, w_s = (float(first.split(",")[k].split("=")[1]) for k in (0, 1))
    liquid, run = runs[(i_s, w_s)]  # the liquid of fold 0's choice goes into the archive
    tau0 = float(first.split(",")[2].split("=")[1][:-2])
    variables = {
        "readout_time": variable(readout_times(data.duration_ms, n_readout_times(params, data.duration_ms, tau0)),
                                 "readout_time", "ms", "readout times (filtered spike trains concatenated)",
                                 method=params.readout, class_weight=params.class_weight),
        "readout_tau": scalar(tau0, "ms", "readout filter time constant (fold 0's choice)"),
        "liquid_neurons": scalar(float(liquid.N), "1", "liquid neurons"),
        "liquid_synapses": scalar(float(len(liquid.pre)), "1", "liquid synapses"),
        "wall_run": scalar(run["wall_run"], "s", "wall run"),
        "wall_build": scalar(run["wall_build"], "s", "wall build"),
        "samples_per_second": scalar(n / run["wall_run"] if run["wall_run"] > 0 else float("nan"), "Hz",
                                     "samples per second"),
        **liquid_variables(liquid),
    }
    attrs = {"batch": run["batch"], "input_spikes_dropped": run["dropped"], "candidates": "; ".join(cands),
             "inner_cv_balanced_accuracy": repr(np.round(scores, 4).tolist())}
    return ModelResult(predictions=preds, spikes_per_sample=run["counts"], synaptic_events=run["events"],
                       variables=variables, spikes=run["spikes"], attrs=attrs, chosen=chosen)


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
    """The readout on the encoded input spikes (filtered like the liquid's), no liquid; the readout
    time constant chosen from ``grid_tau_readout`` by inner CV as the LSM's."""
    sample, channel, times = flatten(data.spikes)
    cands = {f"tau_readout={tau:g}ms": _states(sample, channel, times, len(data.spikes), data.n_in,
                                                data.duration_ms, params, tau)
             for tau in _grid(params, "tau_readout", float(params.tau_readout / ms))}
    preds, chosen, _ = select_and_fit(cands, data, params, ctx, _seed(ctx, "readout"), desc="input readout")
    return ModelResult(predictions=preds, chosen=chosen)


def raw_signal(data: EncodedData, points: int) -> np.ndarray:
    """The (scaled) signals as presented, ``points`` values per channel (0: all), flattened."""
    X = data.signals if points <= 0 else resample_samples(list(data.signals), points)
    return X.reshape(len(data.signals), -1)


def raw_baseline(data: EncodedData, params, ctx) -> ModelResult:
    """``raw_readout`` (default: scikit-learn's logistic regression, C by CV on the training samples)
    on the signal itself, ``raw_points`` values per channel (0: every presented point)."""
    X = readout_blocks(raw_signal(data, params.raw_points), data, params)
    return ModelResult(predictions=_fit_folds(X, data.labels, data.folds, params, _seed(ctx, "readout"),
                                              method=params.raw_readout))


def minirocket_baseline(data: EncodedData, params, ctx) -> ModelResult:
    """MiniRocket (Dempster, Schmidt & Webb 2021, KDD: ``minirocket_kernels`` convolution kernels of
    aeon's transform, fitted on each fold's training samples) with a ridge classifier whose penalty
    is chosen by leave-one-out on the training samples (``RidgeClassifierCV``, as the authors)."""
    if data.signals.shape[1] < 9:
        raise ParameterError(f"minirocket needs samples of at least 9 points, these have {data.signals.shape[1]}; "
                             "raise n_time or drop minirocket from baselines")
    from aeon.transformations.collection.convolution_based import MiniRocket  # optional, heavy (numba): on use

    X = np.ascontiguousarray(data.signals.transpose(0, 2, 1), dtype=np.float64)  # aeon: (case, channel, time)
    seed, preds = _seed(ctx, "minirocket"), []
    for tr, te in data.folds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tf = MiniRocket(n_kernels=int(params.minirocket_kernels), random_state=seed, n_jobs=1).fit(X[tr])
            F = np.asarray(tf.transform(X), dtype=float)
        F = readout_blocks(F, data, params)
        preds.append(fit_predict([x[tr] for x in F], data.labels[tr], [x[te] for x in F], params, seed,
                                 method="ridge"))
    return ModelResult(predictions=preds)


register_model("lsm", lsm_model)
register_model("eprop", eprop_model)
BASELINES = {"raw": raw_baseline, "input": input_baseline, "minirocket": minirocket_baseline}
