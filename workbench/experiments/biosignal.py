"""Biomedical signal classification: load, encode into spikes, classify with a spiking model,
compare with non-spiking baselines in the same run.

Pipeline
--------
1. :func:`workbench.datasets.biosignal.load_signals` (``mitdb:DIR``, ``ucr:PATH``,
   ``aeon:NAME``, ``synthetic-ecg``).
2. Samples are (optionally) resampled to ``n_time`` points and presented at
   ``fs`` Hz: a sample lasts ``n_time/fs`` seconds of model time.
3. Each channel is scaled by its standard deviation over the training samples
   (label-free; all samples when the data have no split), so encoder
   thresholds are in units of that SD and carry over between data sets, then
   encoded (:mod:`workbench.encoders`: ``delta``, ``sigma_delta``, ``bsa``,
   ``filterbank``, ``rate``).
4. The model (``model=lsm``: the Maass et al. 2002 liquid of
   :mod:`workbench.experiments.lsm` with a linear readout on its low-pass
   filtered spike trains sampled at ``n_readout`` times) classifies; all
   samples go through one build.
5. Baselines with the same readout: ``raw`` (the resampled signal itself) and
   ``input`` (the encoded input spikes, filtered like the liquid's, without the
   liquid).

Adding a model
--------------
A model is one function registered in :data:`MODELS`::

    def my_model(data: EncodedData, params, ctx) -> ModelResult: ...
    register_model("my_model", my_model)

``model=eprop`` is registered lazily (:data:`LAZY_MODELS`: imported from
``workbench.eprop.biosignal`` on first use).

``data`` holds the encoded spike trains of every sample (``data.spikes``, a list
of :class:`workbench.encoders.SpikeTrains`), ``data.labels``, ``data.folds``
(a list of ``(train_idx, test_idx)``), ``data.duration_ms``, ``data.n_in`` and
``data.class_names``.  It returns a :class:`ModelResult` with one prediction
array per fold (for that fold's test indices) and, optionally, spikes and
synaptic events per sample and extra archive variables.  The protocol then
computes every metric and the baselines itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import xarray as xr
from brian2 import Hz, ms

from .. import encoders as enc
from ..datasets.biosignal import DatasetError, load_signals, resample_samples
from ..params import Param, ParameterError
from ..protocol import Protocol
from ..readout import classification_metrics, fit_classifier

__all__ = ["EncodedData", "ModelResult", "MODELS", "register_model", "encode_set", "PROTOCOL"]


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


@dataclass
class ModelResult:
    """What a model returns: predictions per fold and (optional) cost counts per sample."""

    predictions: list
    spikes_per_sample: np.ndarray | None = None
    synaptic_events: np.ndarray | None = None
    variables: dict = field(default_factory=dict)
    attrs: dict = field(default_factory=dict)
    features: np.ndarray | None = None


#: model name -> function(EncodedData, params, ctx) -> ModelResult
MODELS: dict[str, Callable] = {}


#: models registered on first use: name -> (module, function); keeps heavy imports out of this module
LAZY_MODELS = {"eprop": ("workbench.eprop.biosignal", "eprop_model")}


def get_model(name: str) -> Callable:
    """The model function ``name`` (importing a lazily registered one on first use)."""
    if name not in MODELS and name in LAZY_MODELS:
        import importlib

        mod, fn = LAZY_MODELS[name]
        try:
            func = getattr(importlib.import_module(mod), fn)
        except (ImportError, AttributeError) as exc:
            raise ParameterError(f"model={name!r}: cannot load {mod}.{fn} ({exc})") from None
        MODELS.setdefault(name, func)
    if name not in MODELS:
        raise ParameterError(f"model={name!r}: known models {sorted(set(MODELS) | set(LAZY_MODELS))} "
                             "(register more with workbench.experiments.biosignal.register_model)")
    return MODELS[name]


def register_model(name: str, func: Callable, *, replace: bool = False):
    """Make ``model=name`` available to the biosignal protocol."""
    if name in MODELS and not replace and MODELS[name] is not func:
        raise ValueError(f"a biosignal model named {name!r} is already registered")
    MODELS[name] = func
    return func


# ---------------------------------------------------------------------------------------------

def n_readout_times(params, duration_ms) -> int:
    """``params.n_readout``, or (0) one readout time per ``tau_readout`` of the sample."""
    if params.n_readout > 0:
        return int(params.n_readout)
    return max(1, int(round(duration_ms / float(params.tau_readout / ms))))


def _readout_times(duration_ms, n):
    return np.linspace(duration_ms / n, duration_ms, n) - 1e-6


def _fit_folds(X, labels, folds, params, seed):
    preds = []
    for tr, te in folds:
        res = fit_classifier(X[tr], labels[tr], X[te], labels[te], method=params.readout, seed=seed,
                             class_weight=None if params.class_weight == "none" else params.class_weight)
        preds.append(res.y_pred)
    return preds


def _lsm_states(run, n_samples, n_neurons, duration_ms, params, which="liquid"):
    from .lsm import filtered_states

    times = _readout_times(duration_ms, n_readout_times(params, duration_ms))
    if which == "liquid":
        X = filtered_states(run.liquid_sample, run.liquid_neuron, run.liquid_time, n_samples, n_neurons, times,
                            tau=float(params.tau_readout / ms))
    else:
        X = filtered_states(run.input_sample, run.input_neuron, run.input_time, n_samples, n_neurons, times,
                            tau=float(params.tau_readout / ms))
    return X.reshape(n_samples, -1)


def lsm_model(data: EncodedData, params, ctx, *, shape=None) -> ModelResult:
    """The liquid state machine with a linear readout (see module docstring)."""
    from . import lsm

    shape = tuple(int(s) for s in (shape or params.shape))
    rng = np.random.default_rng(ctx.seed)
    liquid = lsm.make_liquid(shape, data.n_in, rng=rng, lam=params.lam, p_in=params.p_in,
                             input_scale=params.input_scale, weight_scale=params.weight_scale)
    inputs = [(s.channel, s.times) for s in data.spikes]
    run = lsm.simulate(liquid, inputs, data.duration_ms * ms, dt=params.dt, backend=ctx.backend, seed=ctx.seed,
                       batch=params.batch, threads=ctx.threads)
    X = _lsm_states(run, len(inputs), liquid.N, data.duration_ms, params)
    preds = _fit_folds(X, data.labels, data.folds, params, ctx.seed)
    n = len(inputs)
    return ModelResult(
        predictions=preds,
        spikes_per_sample=run.liquid_counts().astype(float),
        synaptic_events=run.synaptic_events,
        features=X,
        attrs={"liquid_neurons": liquid.N, "liquid_synapses": int(len(liquid.pre)),
               "wall_run": run.wall_run, "wall_build": run.wall_build, "batch": run.batch,
               "input_spikes_dropped": run.n_dropped,
               "samples_per_second": n / run.wall_run if run.wall_run > 0 else float("nan"),
               "_run": run},
    )


register_model("lsm", lsm_model)


def input_baseline(data: EncodedData, params, ctx) -> ModelResult:
    """The readout on the encoded input spikes (filtered like the liquid's), no liquid."""
    from .lsm import filtered_states

    n = len(data.spikes)
    ch = np.concatenate([s.channel for s in data.spikes])
    tt = np.concatenate([s.times for s in data.spikes])
    ss = np.repeat(np.arange(n), [len(s) for s in data.spikes])
    X = filtered_states(ss, ch, tt, n, data.n_in,
                        _readout_times(data.duration_ms, n_readout_times(params, data.duration_ms)),
                        tau=float(params.tau_readout / ms)).reshape(n, -1)
    return ModelResult(predictions=_fit_folds(X, data.labels, data.folds, params, ctx.seed))


def raw_baseline(data: EncodedData, params, ctx) -> ModelResult:
    """The readout on the (resampled, scaled) signal itself: ``raw_points`` values per channel."""
    X = resample_samples(list(data.signals), params.raw_points).reshape(len(data.signals), -1)
    return ModelResult(predictions=_fit_folds(X, data.labels, data.folds, params, ctx.seed))


BASELINES = {"raw": raw_baseline, "input": input_baseline}


# ---------------------------------------------------------------------------------------------

def _folds(sset, params, rng):
    if sset.has_split:
        return [(np.asarray(sset.train), np.asarray(sset.test))], False
    from sklearn.model_selection import StratifiedKFold

    counts = np.bincount(sset.labels)
    k = params.cv_folds
    if k < 2:
        raise ParameterError(f"cv_folds must be >= 2, got {k}")
    if counts.min() < k:
        raise DatasetError(f"{sset.name}: class {sset.class_names[int(np.argmin(counts))]!r} has only "
                           f"{counts.min()} samples, fewer than cv_folds={k}; lower cv_folds or add data")
    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=int(rng.integers(2**31)))
    return [(tr, te) for tr, te in skf.split(np.zeros(len(sset.labels)), sset.labels)], True


def encode_set(signals, fs, params, rng):
    """Encode every sample (array sample x time x channel, already scaled) with ``params.encoder``."""
    name = params.encoder
    n_time = signals.shape[1]
    bands = None
    if name == "filterbank":
        lo, hi = float(params.band_low / Hz), float(params.band_high / Hz)
        if hi >= fs / 2:
            raise ParameterError(f"encoder=filterbank: band_high={hi} Hz is not below the Nyquist frequency "
                                 f"{fs / 2} Hz of fs={fs} Hz; lower band_high or raise fs")
        bands = enc.log_bands(lo, hi, params.n_bands)
    if name == "bsa" and 2.0 / float(params.bsa_cutoff / Hz) * fs >= n_time:
        raise ParameterError(f"encoder=bsa: the BSA filter for bsa_cutoff={params.bsa_cutoff} at fs={fs} Hz is "
                             f"longer than a sample ({n_time} points); raise bsa_cutoff or fs")
    out = []
    for x in signals:
        try:
            if name in ("delta", "sigma_delta"):
                st = enc.encode(name, x, fs, threshold=params.threshold, oversample=params.oversample)
            elif name == "bsa":
                st = enc.bsa(x, fs, cutoff=float(params.bsa_cutoff / Hz), max_rate=float(params.max_rate / Hz))
            elif name == "filterbank":
                st = enc.filterbank(x, fs, bands, max_rate=float(params.max_rate / Hz), rng=rng,
                                    scale=None)
            elif name == "rate":
                st = enc.rate(x, fs, max_rate=float(params.max_rate / Hz), rng=rng, regular=True, lo=-2.5, hi=2.5)
            else:
                raise ParameterError(f"encoder {name!r}: use one of {enc.ENCODERS}")
        except enc.EncoderError as exc:
            raise ParameterError(f"encoder={name}: {exc}") from None
        out.append(st)
    return out


def _prepare(params, ctx):
    opts = dict(records=list(params.records) or None, split=params.split, train_fraction=params.train_fraction,
                classes=list(params.classes) or None, n_per_class=params.synthetic_per_class, seed=ctx.seed)
    if params.fs_data > 0 * Hz:
        opts["fs"] = float(params.fs_data / Hz)
    if params.dataset.startswith("mitdb") and params.fs_data <= 0 * Hz:
        opts.pop("fs", None)
    sset = load_signals(params.dataset, **opts)
    if params.max_samples > 0 and len(sset.samples) > params.max_samples:
        # stratified subsample (keeps the split): for quick runs
        rng = np.random.default_rng(ctx.seed)
        keep = np.sort(rng.choice(len(sset.samples), params.max_samples, replace=False))
        tr = None if sset.train is None else np.nonzero(np.isin(keep, sset.train))[0]
        te = None if sset.test is None else np.nonzero(np.isin(keep, sset.test))[0]
        sub = sset.subset(keep)
        sub.train, sub.test = tr, te
        present = np.unique(sub.labels)
        if len(present) < 2:
            raise DatasetError(f"{sset.name}: max_samples={params.max_samples} left one class; raise it")
        sset = sub
    return sset


def encode_dataset(sset, params, rng):
    """Lay the samples out on one time grid, scale them and encode them into spikes.

    Samples are resampled to ``params.n_time`` points, or zero-padded at the end
    to the longest; each channel is standardised with the mean and SD of the
    training samples (label-free), padding kept at zero; then ``rng`` draws the
    folds and the encoding, in that order (a deployed run regenerates the same
    spikes from the same seed).  Returns ``(signals, spikes, folds, is_cv, fs, n_time)``.
    """
    fs = float(params.fs / Hz) if params.fs > 0 * Hz else sset.fs
    lengths = np.array([len(s) for s in sset.samples])
    n_time = params.n_time if params.n_time > 0 else int(lengths.max())
    padded = params.n_time <= 0 and lengths.min() != lengths.max()
    if params.n_time > 0:
        signals = resample_samples(sset.samples, n_time)
    elif padded:  # zero-pad unequal lengths at the end (after scaling)
        signals = np.zeros((len(sset.samples), n_time, sset.n_channels))
        for i, s in enumerate(sset.samples):
            signals[i, :len(s)] = s
    else:
        signals = np.stack(sset.samples)
    folds, is_cv = _folds(sset, params, rng)
    # per-channel scale from training samples (label-free)
    ref = signals[np.asarray(sset.train)] if sset.has_split else signals
    mu = ref.mean(axis=(0, 1))
    sd = ref.std(axis=(0, 1))
    sd[sd == 0] = 1.0
    signals = (signals - mu) / sd
    if padded:
        for i, L in enumerate(lengths):
            signals[i, L:] = 0.0
    spikes = encode_set(signals, fs, params, rng)
    return signals, spikes, folds, is_cv, fs, n_time


def _run(params, ctx):
    model_func = get_model(params.model)
    rng = ctx.rng
    sset = _prepare(params, ctx)
    signals, spikes, folds, is_cv, fs, n_time = encode_dataset(sset, params, rng)
    duration_ms = n_time / fs * 1000.0
    n_in = spikes[0].n_channels
    data = EncodedData(spikes=spikes, labels=sset.labels, folds=folds, duration_ms=duration_ms, n_in=n_in,
                       class_names=list(sset.class_names), signals=signals)
    results = {params.model: model_func(data, params, ctx)}
    for b in BASELINES:
        results[b] = BASELINES[b](data, params, ctx)
    model_names = list(results)
    classes = np.arange(len(sset.class_names))
    k = len(classes)
    n_f = len(folds)
    acc = np.zeros((len(model_names), n_f))
    bal = np.zeros_like(acc)
    cm = np.zeros((len(model_names), k, k), np.int64)
    for mi, m in enumerate(model_names):
        for fi, (tr, te) in enumerate(folds):
            met = classification_metrics(sset.labels[te], results[m].predictions[fi], classes)
            acc[mi, fi], bal[mi, fi] = met["accuracy"], met["balanced_accuracy"]
            cm[mi] += met["confusion"]
    sens = np.full((len(model_names), k), np.nan)
    ppv = np.full((len(model_names), k), np.nan)
    for mi in range(len(model_names)):
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.diag(cm[mi]).astype(float)
            sens[mi] = np.where(cm[mi].sum(1) > 0, d / np.maximum(cm[mi].sum(1), 1), np.nan)
            ppv[mi] = np.where(cm[mi].sum(0) > 0, d / np.maximum(cm[mi].sum(0), 1), np.nan)
    in_counts = np.array([len(s) for s in spikes], float)
    main = results[params.model]
    coords = {
        "model": ("model", model_names, {"units": "1", "long_name": "classifier (model or baseline)"}),
        "true_class": ("true_class", list(sset.class_names), {"units": "1", "long_name": "true class"}),
        "predicted_class": ("predicted_class", list(sset.class_names), {"units": "1", "long_name": "predicted class"}),
        "class_": ("class_", list(sset.class_names), {"units": "1", "long_name": "class"}),
        "fold": ("fold", np.arange(n_f), {"units": "1", "long_name": "cross-validation fold" if is_cv else "split"}),
        "sample": ("sample", np.arange(len(spikes)), {"units": "1", "long_name": "sample"}),
    }
    ds = xr.Dataset(coords=coords)

    def put(name, data_, dims, units, long_name):
        ds[name] = xr.DataArray(data_, dims=dims, attrs={"units": units, "long_name": long_name})

    put("fold_accuracy", acc, ("model", "fold"), "1", "test accuracy per fold")
    put("fold_balanced_accuracy", bal, ("model", "fold"), "1", "balanced test accuracy per fold")
    put("accuracy", acc.mean(1), ("model",), "1", "test accuracy (mean over folds)")
    put("balanced_accuracy_by_model", bal.mean(1), ("model",), "1", "balanced accuracy (mean over folds)")
    put("confusion", cm, ("model", "true_class", "predicted_class"), "1", "confusion matrix (test samples, all folds)")
    put("sensitivity", sens, ("model", "class_"), "1", "sensitivity (recall) per class")
    put("positive_predictivity", ppv, ("model", "class_"), "1", "positive predictivity (precision) per class")
    put("label", sset.labels.astype(np.int32), ("sample",), "1", "class index of the sample")
    put("input_spikes", in_counts, ("sample",), "1", "input spikes per sample")
    if main.spikes_per_sample is not None:
        put("model_spikes", main.spikes_per_sample, ("sample",), "1", f"{params.model} spikes per sample")
    if main.synaptic_events is not None:
        put("synaptic_events", main.synaptic_events, ("sample",), "1", "synaptic events per sample (classification)")
    mi0 = model_names.index(params.model)
    scal = {
        "test_accuracy": (acc[mi0].mean(), "1", f"test accuracy ({params.model})"),
        "balanced_accuracy": (bal[mi0].mean(), "1", f"balanced accuracy ({params.model})"),
        "test_accuracy_raw": (acc[model_names.index("raw")].mean(), "1", "test accuracy, readout on the raw signal"),
        "test_accuracy_input": (acc[model_names.index("input")].mean(), "1",
                                "test accuracy, readout on the input spikes"),
        "input_spikes_per_sample": (in_counts.mean(), "1", "mean input spikes per sample"),
        "sample_duration": (duration_ms, "ms", "model time per sample"),
        "fs_presented": (fs, "Hz", "presentation sampling rate"),
    }
    if main.spikes_per_sample is not None and params.model == "lsm":
        scal["liquid_spikes_per_sample"] = (float(main.spikes_per_sample.mean()), "1", "mean liquid spikes per sample")
    if main.spikes_per_sample is not None:
        scal["model_spikes_per_sample"] = (float(main.spikes_per_sample.mean()), "1", "mean model spikes per sample")
    if main.synaptic_events is not None:
        scal["synaptic_events_per_classification"] = (float(main.synaptic_events.mean()), "1",
                                                      "mean synaptic events per classified sample")
    for name in ("S", "V"):
        if name in sset.class_names:
            ci = sset.class_names.index(name)
            scal[f"sensitivity_{name}"] = (sens[mi0, ci], "1", f"sensitivity of {name} beats ({params.model})")
            scal[f"positive_predictivity_{name}"] = (ppv[mi0, ci], "1",
                                                     f"positive predictivity of {name} beats ({params.model})")
    for key in ("liquid_neurons", "liquid_synapses", "wall_run", "wall_build", "samples_per_second"):
        if key in main.attrs:
            unit = "s" if key.startswith("wall") else ("Hz" if key == "samples_per_second" else "1")
            scal[key] = (float(main.attrs[key]), unit, key.replace("_", " "))
    for name, (v, u, ln) in scal.items():
        put(name, float(v), (), u, ln)
    # examples: one test sample per class, with its signal, input spikes and liquid spikes
    te_all = np.concatenate([te for _, te in folds])
    ex = []
    for c in classes:
        cand = te_all[sset.labels[te_all] == c]
        if len(cand):
            ex.append(int(cand[0]))
    ex = np.array(ex, dtype=np.int64)
    ds = ds.assign_coords(example=("example", np.arange(len(ex)), {"units": "1", "long_name": "example sample"}),
                          ex_time=("ex_time", np.arange(n_time) / fs * 1000.0, {"units": "ms", "long_name": "time"}),
                          channel=("channel", np.arange(sset.n_channels), {"units": "1", "long_name": "signal channel"}))
    put("example_sample", ex, ("example",), "1", "sample index of the example")
    put("example_signal", signals[ex], ("example", "ex_time", "channel"), "1", "signal / its SD")
    sel_in = [(e, s) for e, i in enumerate(ex) for s in [spikes[i]]]
    put("input_spike_example", np.concatenate([np.full(len(s), e) for e, s in sel_in]).astype(np.int32),
        ("input_spike",), "1", "example index")
    put("input_spike_neuron", np.concatenate([s.channel for _, s in sel_in]).astype(np.int32), ("input_spike",), "1",
        "input channel")
    put("input_spike_time", np.concatenate([s.times for _, s in sel_in]), ("input_spike",), "ms", "input spike time")
    run = main.attrs.get("_run")
    if run is not None:
        m = np.isin(run.liquid_sample, ex)
        e_of = {int(s): e for e, s in enumerate(ex)}
        put("liquid_spike_example", np.array([e_of[int(s)] for s in run.liquid_sample[m]], dtype=np.int32),
            ("liquid_spike",), "1", "example index")
        put("liquid_spike_neuron", run.liquid_neuron[m].astype(np.int32), ("liquid_spike",), "1", "liquid neuron")
        put("liquid_spike_time", run.liquid_time[m], ("liquid_spike",), "ms", "liquid spike time")
    # accuracy vs liquid size (one build per size)
    sizes = [int(s) for s in params.liquid_sizes]
    if sizes and params.model == "lsm":
        accs = []
        for n in sizes:
            shp = (max(1, n // 9), 3, 3)
            r = lsm_model(data, params, ctx, shape=shp)
            accs.append(np.mean([classification_metrics(sset.labels[te], p, classes)["accuracy"]
                                 for (tr, te), p in zip(folds, r.predictions)]))
        ds = ds.assign_coords(liquid_size=("liquid_size", [max(1, n // 9) * 9 for n in sizes],
                                           {"units": "1", "long_name": "liquid neurons"}))
        put("size_accuracy", np.array(accs), ("liquid_size",), "1", "test accuracy (lsm) vs liquid size")
    ds.attrs.update({"dataset": sset.name, "class_names": ",".join(sset.class_names), "n_samples": len(spikes),
                     "cross_validated": int(is_cv), "data_source": sset.source,
                     **{f"data_{k}": str(v) for k, v in sset.meta.items()}})
    return ds


PROTOCOL = Protocol(
    name="biosignal",
    description="Classify physiological signals: encode into spikes, LSM + linear readout, raw/input baselines.",
    params={
        "dataset": Param("synthetic-ecg", "mitdb:DIR, mitdb:download, ucr:PATH, aeon:NAME or synthetic-ecg"),
        "records": Param((), "MIT-BIH records (comma-separated; empty: all in the folder)", kind=list),
        "split": Param("auto", "MIT-BIH split: auto, interpatient, time, record",
                       choices=("auto", "interpatient", "time", "record")),
        "train_fraction": Param(0.5, "MIT-BIH time split: fraction of each record's beats for training"),
        "classes": Param((), "MIT-BIH AAMI classes to keep (empty: every class with >= 2 beats)", kind=list),
        "synthetic_per_class": Param(20, "synthetic-ecg: samples per class"),
        "max_samples": Param(0, "use a random subset of this many samples (0: all)"),
        "cv_folds": Param(5, "stratified k-fold CV when the data have no train/test split"),
        "fs_data": Param(0 * Hz, "resample MIT-BIH records to this rate before cutting beats (0: keep)"),
        "fs": Param(0 * Hz, "presentation rate of the samples (0: the data's own rate)"),
        "n_time": Param(0, "resample every sample to this many points (0: keep; unequal lengths padded)"),
        "encoder": Param("delta", "spike encoder", choices=enc.ENCODERS),
        "threshold": Param(0.2, "delta / sigma-delta threshold in units of the channel's SD"),
        "oversample": Param(4, "sigma-delta oversampling factor"),
        "max_rate": Param(200 * Hz, "maximum rate (filterbank, rate, BSA)"),
        "bsa_cutoff": Param(20 * Hz, "BSA filter cut-off"),
        "band_low": Param(1 * Hz, "filter bank: lowest band edge"),
        "band_high": Param(40 * Hz, "filter bank: highest band edge"),
        "n_bands": Param(4, "filter bank: number of log-spaced bands"),
        "model": Param("lsm", "spiking model (see MODELS; e.g. lsm, eprop)"),
        "shape": Param([15, 3, 3], "liquid grid (3 ints)", kind=list),
        "lam": Param(2.0, "liquid connection length scale lambda"),
        "p_in": Param(0.3, "probability an input channel projects to a liquid neuron"),
        "input_scale": Param(1.0, "factor on the input synapses (1: 18/9 nA as in the paper)"),
        "weight_scale": Param(1.0, "factor on the recurrent synapses"),
        "dt": Param(0.1 * ms, "integration time step"),
        "batch": Param(0, "parallel liquid copies in the one network (0: automatic)"),
        "readout": Param("ridge", "linear readout", choices=("ridge", "logistic")),
        "class_weight": Param("balanced", "readout sample weights: balanced (inverse class frequency) or none",
                              choices=("balanced", "none")),
        "n_readout": Param(0, "readout times per sample, states concatenated (0: one per tau_readout)"),
        "tau_readout": Param(30 * ms, "readout filter time constant"),
        "raw_points": Param(50, "raw baseline: points per channel"),
        "liquid_sizes": Param((), "also run these liquid sizes (neurons, rounded to n x 3 x 3)", kind=list),
    },
    func=_run,
    default_backend="cpp_standalone",
)
