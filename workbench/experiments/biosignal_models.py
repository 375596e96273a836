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
           "raw_signal", "example_samples", "BLOCK_MODES", "block_modes", "readout_candidates", "choose_by_inner_cv",
           "fit_predict"]


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

    ``spikes`` are the model's own spikes ``(sample, neuron, time_ms)`` for example rasters (those of
    the samples :func:`example_samples` names suffice; the LSM keeps no others);
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


#: How a readout of several feature blocks scales them (:mod:`workbench.readout.blocks`): all features
#: standardised together, or each block standardised and given the same total variance.
BLOCK_MODES = ("pooled", "equal")


def block_modes(params) -> list[str]:
    """The block modes tried by inner CV (``grid_readout_blocks``; a configuration without it: pooled)."""
    modes = [str(m) for m in params.get("grid_readout_blocks", ("pooled",))] or ["pooled"]
    bad = sorted(set(modes) - set(BLOCK_MODES))
    if bad:
        raise ParameterError(f"grid_readout_blocks: unknown mode(s) {bad}; use any of {list(BLOCK_MODES)}")
    return list(dict.fromkeys(modes))


def readout_candidates(candidates, data, params) -> dict:
    """The readout's candidates ``{name: (blocks, pooled)}``: every feature set of ``candidates``
    (``{name: X}``, ``X`` one array or a list of blocks such as the liquid's and the input's filtered
    spike trains) with the data's extra features (RR intervals) as one more block; a candidate of
    several blocks once per block mode of ``grid_readout_blocks`` (name suffixed ``,blocks=MODE``)."""
    out = {}
    for name, X in candidates.items():
        blocks = list(X) if isinstance(X, (list, tuple)) else [X]
        if data.extra is not None:
            blocks.append(data.extra)
        if len(blocks) == 1:
            out[name] = (blocks, True)
        else:
            for mode in block_modes(params):
                out[f"{name},blocks={mode}"] = (blocks, mode == "pooled")
    return out


def fit_predict(train_blocks, y_train, test_blocks, params, seed, method=None, pooled=True):
    """The readout's predictions for ``test_blocks`` (:func:`workbench.readout.blocks.fit_block_classifier`;
    ``pooled``: all blocks standardised together, else every block given the same total variance);
    a training part of one class (a rare class, a small inner fold) predicts that class, with a
    warning, as scikit-learn's dummy classifier would."""
    if len(np.unique(y_train)) < 2:
        warnings.warn(f"readout: a training part holds only class {y_train[0]}; it predicts that class",
                      RareClassWarning, stacklevel=2)
        return np.full(len(test_blocks[0]), y_train[0])
    return fit_block_classifier(train_blocks, y_train, test_blocks, None, method=method or params.readout, seed=seed,
                                pooled=pooled,
                                class_weight=None if params.class_weight == "none" else params.class_weight).y_pred


def _fit(cand, a, b, labels, params, seed, method):
    """Predictions for samples ``b`` of a readout of candidate ``(blocks, pooled)`` trained on samples ``a``."""
    blocks, pooled = cand
    return fit_predict([x[a] for x in blocks], labels[a], [x[b] for x in blocks], params, seed, method, pooled)


def choose_by_inner_cv(cands, tr, data: EncodedData, params, seed, inner_rng, method=None, bar=None):
    """The name of the candidate (``{name: (blocks, pooled)}``, :func:`readout_candidates`) with the
    best mean balanced accuracy over ``params.inner_folds`` inner folds of the training samples
    ``tr`` (by group where the data have groups; :func:`workbench.datasets.splits.inner_folds`), and
    the scores (nan where nothing was chosen: one candidate, or too few samples: the first)."""
    names = list(cands)
    scores = np.full(len(names), np.nan)
    k_inner = min(int(params.inner_folds), int(np.bincount(data.labels[tr]).max()))
    if len(names) < 2 or k_inner < 2:
        if bar is not None:
            bar.update(len(names))
        return names[0], scores
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RareClassWarning)
        inner = inner_folds(data.labels, tr, data.groups, n_splits=k_inner, rng=inner_rng)
        for c, name in enumerate(names):
            scores[c] = np.mean([classification_metrics(data.labels[b], _fit(cands[name], a, b, data.labels, params,
                                                                              seed, method))["balanced_accuracy"]
                                 for a, b in inner])
            if bar is not None:
                bar.update(1)
    return names[int(np.nanargmax(scores))], scores


def select_and_fit(candidates, data: EncodedData, params, ctx, seed, desc="readout", method=None):
    """Per fold, the candidate feature set (``{name: X}``, expanded by :func:`readout_candidates`)
    chosen by :func:`choose_by_inner_cv` on that fold's training samples; the readout is then
    refitted on all the training samples and predicts the test samples once.  Returns
    ``(predictions, chosen names, inner scores (fold, candidate))``."""
    cands = readout_candidates(candidates, data, params)
    scores = np.full((len(data.folds), len(cands)), np.nan)
    preds, chosen = [], []
    bar = ctx.progress_bar(total=len(data.folds) * len(cands), desc=desc, unit="fit")
    inner_rng = ctx.stream("inner_cv")  # (every model draws the same inner folds)
    for f, (tr, te) in enumerate(data.folds):
        best, scores[f] = choose_by_inner_cv(cands, tr, data, params, seed, inner_rng, method, bar)
        preds.append(_fit(cands[best], tr, te, data.labels, params, seed, method))
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


def example_samples(data: EncodedData) -> np.ndarray:
    """The archive's example samples: one test sample per class, the first in the order of the first
    repeat's folds (all folds where the data have no repeats)."""
    folds = data.folds if data.repeat_of_fold is None else \
        [f for f, r in zip(data.folds, data.repeat_of_fold) if r == data.repeat_of_fold[0]]
    te_all = np.concatenate([te for _, te in folds])
    ex = [int(te_all[data.labels[te_all] == c][0]) for c in range(len(data.class_names))
          if np.any(data.labels[te_all] == c)]
    return np.array(ex, dtype=np.int64)


def _simulate_chunks(liquid, data, params, ctx, seed, taus, keep):
    """The liquid run of every sample, ``params.chunk`` samples per simulation (0: all in one), with
    a progress bar.  Each chunk's spikes become its samples' filtered states at once (``states``: one
    ``(sample, readout time x neuron)`` array per readout time constant of ``taus``) and are then dropped,
    but for the samples ``keep`` (example rasters; flat arrays in sample coordinates): a run holds one
    chunk's spikes at a time, not every sample's."""
    n = len(data.spikes)
    size = n if params.chunk <= 0 else int(params.chunk)
    states = {tau: np.empty((n, n_readout_times(params, data.duration_ms, tau) * liquid.N)) for tau in taus}
    kept, counts, events, wall_run, wall_build, batch, dropped = [], [], [], 0.0, 0.0, 0, 0
    bar = ctx.progress_bar(total=n, desc="liquid", unit="sample")
    for k, a in enumerate(range(0, n, size)):
        chunk = data.spikes[a:a + size]
        run = simulate(liquid, [(s.channel, s.times) for s in chunk], data.duration_ms * ms, dt=params.dt,
                       backend=ctx.backend, seed=seed + k, batch=params.batch, threads=ctx.threads)
        spikes = (run.liquid_sample, run.liquid_neuron, run.liquid_time)
        for tau in taus:
            states[tau][a:a + len(chunk)] = _states(*spikes, len(chunk), liquid.N, data.duration_ms, params, tau)
        m = np.isin(run.liquid_sample + a, keep)
        kept.append((run.liquid_sample[m] + a, run.liquid_neuron[m], run.liquid_time[m]))
        counts.append(run.liquid_counts().astype(float))
        events.append(np.asarray(run.synaptic_events, float))
        wall_run, wall_build = wall_run + run.wall_run, wall_build + run.wall_build
        batch, dropped = run.batch, dropped + run.n_dropped
        del run, spikes
        bar.update(len(chunk))
    bar.close()
    sample, neuron, times = (np.concatenate([p[i] for p in kept]) for i in range(3))
    return dict(states=states, spikes=(sample, neuron, times), counts=np.concatenate(counts),
                events=np.concatenate(events), wall_run=wall_run, wall_build=wall_build, batch=batch,
                dropped=dropped)


def lsm_model(data: EncodedData, params, ctx, *, shape=None) -> ModelResult:
    """The liquid state machine with a linear readout; the liquid goes into the archive.

    Settings chosen per fold by inner cross-validation on the training samples
    (:func:`select_and_fit`) among the grid ``grid_input_scale`` x ``grid_weight_scale`` (one liquid
    run each: the same connectivity, scaled; the test samples are simulated too, without their
    labels) x ``grid_tau_readout`` x ``grid_readout_input`` (the readout sees the liquid only, or the
    liquid and the input spikes filtered alike -- the input layer as part of the reservoir) x
    ``grid_readout_blocks`` (for a readout of several blocks -- liquid, input spikes, RR intervals --
    all features standardised together, or every block given the same total variance)."""
    shape = tuple(int(s) for s in (shape or params.shape))
    n = len(data.spikes)
    taus = _grid(params, "tau_readout", float(params.tau_readout / ms))
    with_input = [str(v).lower() in ("1", "true", "yes", "on") for v in params.get("grid_readout_input", ())] or [False]
    inputs = {}
    if any(with_input):  # the input spikes filtered alike: one array per time constant, shared by every liquid
        sin, sio, tin = flatten(data.spikes)
        inputs = {tau: _states(sin, sio, tin, n, data.n_in, data.duration_ms, params, tau) for tau in taus}
    keep = example_samples(data)
    runs, cands = {}, {}
    for i_s in _grid(params, "input_scale", params.input_scale):
        for w_s in _grid(params, "weight_scale", params.weight_scale):
            liquid = make_liquid(shape, data.n_in, rng=ctx.stream("liquid"), lam=params.lam, p_in=params.p_in,
                                 input_scale=i_s, weight_scale=w_s)
            run = _simulate_chunks(liquid, data, params, ctx, _seed(ctx, "liquid_initial_state"), taus, keep)
            runs[(i_s, w_s)] = (liquid, run)
            for tau in taus:
                X = run["states"][tau]
                for inp in with_input:
                    key = f"input_scale={i_s:g},weight_scale={w_s:g},tau_readout={tau:g}ms,readout_input={int(inp)}"
                    cands[key] = [X, inputs[tau]] if inp else [X]
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
    attrs = {"batch": run["batch"], "input_spikes_dropped": run["dropped"],
             "candidates": "; ".join(readout_candidates(cands, data, params)),
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
    on the signal itself, ``raw_points`` values per channel (0: every presented point); with RR
    intervals beside the signal, their block scaling (``grid_readout_blocks``) chosen by inner CV as
    every readout's."""
    preds, chosen, _ = select_and_fit({"raw": raw_signal(data, params.raw_points)}, data, params, ctx,
                                      _seed(ctx, "readout"), desc="raw readout", method=params.raw_readout)
    return ModelResult(predictions=preds, chosen=chosen if data.extra is not None else None)


def minirocket_baseline(data: EncodedData, params, ctx) -> ModelResult:
    """MiniRocket (Dempster, Schmidt & Webb 2021, KDD: ``minirocket_kernels`` convolution kernels of
    aeon's transform, fitted on each fold's training samples, without labels) with a ridge classifier
    whose penalty is chosen by leave-one-out on the training samples (``RidgeClassifierCV``, as the
    authors); with RR intervals beside the features, their block scaling (``grid_readout_blocks``)
    chosen by inner CV as every readout's."""
    if data.signals.shape[1] < 9:
        raise ParameterError(f"minirocket needs samples of at least 9 points, these have {data.signals.shape[1]}; "
                             "raise n_time or drop minirocket from baselines")
    from aeon.transformations.collection.convolution_based import MiniRocket  # optional, heavy (numba): on use

    X = np.ascontiguousarray(data.signals.transpose(0, 2, 1), dtype=np.float64)  # aeon: (case, channel, time)
    seed, preds, chosen, inner_rng = _seed(ctx, "minirocket"), [], [], ctx.stream("inner_cv")
    for tr, te in data.folds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tf = MiniRocket(n_kernels=int(params.minirocket_kernels), random_state=seed, n_jobs=1).fit(X[tr])
            F = np.asarray(tf.transform(X), dtype=float)
        cands = readout_candidates({"minirocket": F}, data, params)
        best, _ = choose_by_inner_cv(cands, tr, data, params, seed, inner_rng, method="ridge")
        preds.append(_fit(cands[best], tr, te, data.labels, params, seed, "ridge"))
        chosen.append(best)
    return ModelResult(predictions=preds, chosen=chosen if data.extra is not None else None)


register_model("lsm", lsm_model)
register_model("eprop", eprop_model)
BASELINES = {"raw": raw_baseline, "input": input_baseline, "minirocket": minirocket_baseline}
