"""Biomedical signal classification: load, encode into spikes, classify with a spiking model,
compare with non-spiking baselines in the same run, over the same folds and several seeds.

Pipeline
--------
1. :func:`load_data` (:func:`workbench.datasets.biosignal.load_signals`: ``mitdb:DIR``,
   ``ucr:PATH``, ``aeon:NAME``, ``myo:DIR``, ``edf:PATH``, ``eegbci:SUBJECTS``, ``synthetic-ecg``),
   optionally a random subset.  Files without a rate (UCR) need ``fs_data``, ``fs`` or
   ``sample_duration`` (the archive's ``fs_from`` says which); none of them is an error.
2. :func:`encode_dataset`: samples are (optionally) resampled to ``n_time`` points and
   presented at ``fs`` Hz (a sample lasts ``n_time/fs`` seconds of model time); each channel is
   scaled by its standard deviation over the training samples (label-free; all samples when the
   data have no split), so encoder thresholds are in units of that SD and carry over between data
   sets, then encoded (:mod:`workbench.encoders`: ``delta``, ``sigma_delta``, ``bsa``,
   ``filterbank``, ``rate``).  RR intervals (MIT-BIH) travel along as extra readout features.
3. Folds (:mod:`workbench.experiments.biosignal_eval`): the data's split, subjects held out where
   samples carry subjects (Myo participants, EDF subjects), stratified k-fold otherwise; rare
   classes warn, as scikit-learn does, and the archive names the folds that lack a class.
4. For each of ``repeats`` seeds (:class:`RepeatContext`): the model
   (:mod:`workbench.experiments.biosignal_models`: ``lsm``, ``eprop``, or one registered with
   :func:`register_model`), the ``extra_models`` and the baselines (``raw``, ``input``,
   ``minirocket``) classify every fold; settings are chosen by inner CV on each fold's training
   samples only.
5. :func:`archive`: metrics per model and (repeat, fold) (:func:`workbench.readout.classification_metrics`),
   paired statistics of the spiking model against every other model, examples, and what a
   deployment needs to run the same samples again without this module: the encoded input spikes of
   every sample (``encoded_spike_*``), the folds (``fold_role``) and, for ``model=lsm``, the liquid
   (:func:`workbench.networks.liquid.liquid_variables`).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import xarray as xr
from brian2 import Hz, second

from .. import encoders as enc
from ..datasets.biosignal import DatasetError, load_signals, resample_samples
from ..datasets.mitdb import RR_FEATURES
from ..params import ParameterError
from ..readout import classification_metrics
from ..recording import scalar, variable
from .biosignal_eval import RepeatContext, choose_folds, study_attrs, study_variables
from .biosignal_models import (BASELINES, MODELS, EncodedData, ModelResult, example_samples, get_model, lsm_model,
                               register_model)

__all__ = ["EncodedData", "ModelResult", "MODELS", "BASELINES", "register_model", "get_model", "load_data",
           "make_folds", "with_folds", "encode_set", "encode_dataset", "extra_features", "size_sweep", "compared_models",
           "merge_repeats", "RepeatContext", "archive", "FOLD_ROLES"]

#: ``fold_role`` values: a sample is unused, in the training set or in the test set of a fold.
FOLD_ROLES = {"unused": 0, "train": 1, "test": 2}


def load_data(dataset: str, *, records=(), split="auto", train_fraction=0.5, classes=(), per_class=20,
              fs_data=0 * Hz, max_samples=0, seed=0, rng=None, fs=0 * Hz, sample_duration=0 * second):
    """The :class:`workbench.datasets.biosignal.SignalSet` of ``dataset`` (``seed``: synthetic data),
    reduced to a random subset of ``max_samples`` samples (``rng``; keeps the split) when > 0.

    Files without a rate (UCR) take ``fs_data``, else the presentation rate ``fs``, else
    ``sample_duration`` (the longest sample lasts that long); with none of them the loader refuses."""
    opts = dict(records=list(records) or None, split=split, train_fraction=train_fraction,
                classes=list(classes) or None, n_per_class=per_class, seed=seed)
    if fs_data > 0 * Hz:
        opts["fs"] = float(fs_data / Hz)
    elif str(dataset).lower().startswith("ucr:") and fs > 0 * Hz:
        opts["fs"] = float(fs / Hz)
    elif sample_duration > 0 * second:
        opts["sample_duration"] = float(sample_duration / second)
    sset = load_signals(dataset, **opts)
    if max_samples > 0 and len(sset.samples) > max_samples:
        keep = np.sort(np.random.default_rng(rng).choice(len(sset.samples), max_samples, replace=False))
        tr = None if sset.train is None else np.nonzero(np.isin(keep, sset.train))[0]
        te = None if sset.test is None else np.nonzero(np.isin(keep, sset.test))[0]
        sub = sset.subset(keep)
        sub.train, sub.test = tr, te
        if len(np.unique(sub.labels)) < 2:
            raise DatasetError(f"{sset.name}: max_samples={max_samples} left one class; raise it")
        sset = sub
    return sset


def make_folds(sset, params, rng):
    """The folds of the run (:func:`workbench.experiments.biosignal_eval.choose_folds` with
    ``params.cv`` and ``params.cv_folds``).  Returns ``(folds, cross_validated)``."""
    folds, _, _, is_cv = choose_folds(sset, params.cv, params.cv_folds, rng)
    return folds, is_cv


def with_folds(data: EncodedData, sset, params, rng) -> EncodedData:
    """``data`` with the folds of one repeat (``rng`` shuffles them where they are shuffled)."""
    folds, method, what, is_cv = choose_folds(sset, params.cv, params.cv_folds, rng)
    return replace(data, folds=folds, cross_validated=is_cv, fold_method=method, fold_description=what)


def encode_set(signals, fs, params, rng, progress=None):
    """Encode every sample (array sample x time x channel, already scaled) with ``params.encoder``
    and its settings (``threshold``, ``oversample``, ``max_rate``, ``bsa_cutoff``, ``band_low``,
    ``band_high``, ``n_bands``); ``rng`` draws the Poisson spikes of ``filterbank`` and ``rate``;
    ``progress(total=, desc=, unit=)`` makes a progress bar (e.g. ``ctx.progress_bar``)."""
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
    max_rate = float(params.max_rate / Hz)
    out = []
    bar = progress(total=len(signals), desc="encoding", unit="sample") if progress else None
    for x in signals:
        try:
            if name in ("delta", "sigma_delta"):
                st = enc.encode(name, x, fs, threshold=params.threshold, oversample=params.oversample)
            elif name == "bsa":
                st = enc.bsa(x, fs, cutoff=float(params.bsa_cutoff / Hz), max_rate=max_rate)
            elif name == "filterbank":
                st = enc.filterbank(x, fs, bands, max_rate=max_rate, rng=rng, scale=None)
            elif name == "rate":
                st = enc.rate(x, fs, max_rate=max_rate, rng=rng, regular=True, lo=-2.5, hi=2.5)
            else:
                raise ParameterError(f"encoder {name!r}: use one of {enc.ENCODERS}")
        except enc.EncoderError as exc:
            raise ParameterError(f"encoder={name}: {exc}") from None
        out.append(st)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return out


def extra_features(sset, params):
    """``(features (sample, k), names)`` appended to every readout: the RR intervals where the data
    carry them (MIT-BIH; ``rr_features=auto`` or ``on``), else ``(None, ())``."""
    info = sset.sample_info or {}
    names = tuple(k for k in RR_FEATURES if k in info)
    if params.rr_features == "off" or (params.rr_features == "auto" and not names):
        return None, ()
    if not names:
        raise ParameterError(f"rr_features=on: {sset.name} has no RR intervals (MIT-BIH beats have); use auto or off")
    return np.column_stack([np.asarray(info[k], float) for k in names]), names


def encode_dataset(sset, params, *, folds_rng, rng, progress=None) -> EncodedData:
    """Lay the samples out on one time grid, scale them and encode them into spikes.

    Samples are resampled to ``params.n_time`` points, or zero-padded at the end to the longest;
    each channel is standardised with the mean and SD of the training samples (label-free),
    padding kept at zero; ``folds_rng`` shuffles the cross-validation folds (``params.cv_folds``),
    ``rng`` draws the encoding (:func:`encode_set`).  Presented at ``params.fs`` (0: the data's).
    The groups (subjects) and the extra readout features (:func:`extra_features`) travel along.
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
    folds, method, what, is_cv = choose_folds(sset, params.cv, params.cv_folds, folds_rng)
    ref = signals[np.asarray(sset.train)] if sset.has_split else signals  # label-free scale
    sd = ref.std(axis=(0, 1))
    sd[sd == 0] = 1.0
    signals = (signals - ref.mean(axis=(0, 1))) / sd
    if padded:
        for i, L in enumerate(lengths):
            signals[i, L:] = 0.0
    spikes = encode_set(signals, fs, params, rng, progress)
    extra, extra_names = extra_features(sset, params)
    data = EncodedData(spikes=spikes, labels=sset.labels, folds=folds, duration_ms=n_time / fs * 1000.0,
                       n_in=spikes[0].n_channels, class_names=list(sset.class_names), signals=signals, fs=fs,
                       cross_validated=is_cv, groups=sset.groups, extra=extra, extra_names=extra_names,
                       fold_method=method, fold_description=what)
    return data


def size_sweep(data: EncodedData, params, ctx, sizes):
    """Test accuracy of the LSM for liquids of ``sizes`` neurons (rounded to n x 3 x 3; one build
    each).  Returns ``(neurons, accuracy)``."""
    classes = np.arange(len(data.class_names))
    shapes = [(max(1, int(n) // 9), 3, 3) for n in sizes]
    accs = []
    for shp in shapes:
        r = lsm_model(data, params, ctx, shape=shp)
        accs.append(np.mean([classification_metrics(data.labels[te], p, classes)["accuracy"]
                             for (_, te), p in zip(data.folds, r.predictions)]))
    return np.array([s[0] * 9 for s in shapes]), np.array(accs)


def compared_models(params) -> dict:
    """``{name: model function}``: the spiking ``model``, the ``extra_models`` and the ``baselines``."""
    names = [params.model, *params.extra_models]
    out = {name: get_model(name) for name in names}
    for b in params.baselines:
        if b not in BASELINES:
            raise ParameterError(f"baselines: unknown baseline {b!r}; known {sorted(BASELINES)}")
        if b in out:
            raise ParameterError(f"baselines: {b!r} is also a model name")
        out[b] = BASELINES[b]
    return out


def merge_repeats(runs):
    """One ``(data, results)`` from the repeats ``[(data_r, {name: ModelResult}), ...]``: the folds
    of all repeats one after the other (``data.repeat_of_fold``), predictions and choices likewise;
    spikes, counts and variables of the first repeat."""
    data0, res0 = runs[0]
    folds = [f for d, _ in runs for f in d.folds]
    rep = np.concatenate([np.full(len(d.folds), r) for r, (d, _) in enumerate(runs)])
    results = {}
    for name, first in res0.items():
        results[name] = replace(first, predictions=[p for _, res in runs for p in res[name].predictions],
                                chosen=None if first.chosen is None else [c for _, res in runs for c in res[name].chosen])
    return replace(data0, folds=folds, repeat_of_fold=rep), results


def _metrics(results, data):
    """Accuracy and balanced accuracy per model and fold, summed confusion, sensitivity, PPV."""
    classes = np.arange(len(data.class_names))
    names = list(results)
    acc = np.zeros((len(names), len(data.folds)))
    bal = np.zeros_like(acc)
    cm = np.zeros((len(names), len(classes), len(classes)), np.int64)
    for mi, m in enumerate(names):
        for fi, (_, te) in enumerate(data.folds):
            met = classification_metrics(data.labels[te], results[m].predictions[fi], classes)
            acc[mi, fi], bal[mi, fi] = met["accuracy"], met["balanced_accuracy"]
            cm[mi] += met["confusion"]
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.diagonal(cm, axis1=1, axis2=2).astype(float)
        sens = np.where(cm.sum(2) > 0, d / np.maximum(cm.sum(2), 1), np.nan)
        ppv = np.where(cm.sum(1) > 0, d / np.maximum(cm.sum(1), 1), np.nan)
    return acc, bal, cm, sens, ppv


def archive(sset, data: EncodedData, results: dict, model: str, sizes=None, params=None) -> xr.Dataset:
    """The biosignal archive: metrics of every model (``results``: name -> ModelResult, the
    spiking ``model`` first), examples, the encoded spikes and folds (and the model's variables,
    the liquid for ``lsm``), the accuracy per liquid size (``sizes``: from :func:`size_sweep`), and
    the comparison (:func:`workbench.experiments.biosignal_eval.study_variables`; ``params``: the run's)."""
    names = list(results)
    acc, bal, cm, sens, ppv = _metrics(results, data)
    n, n_time = len(data.spikes), data.signals.shape[1]
    cv = "cross-validation fold" if data.cross_validated else "split"
    ds = xr.Dataset(coords={
        "model": variable(names, "model", "1", "classifier (model or baseline)"),
        "true_class": variable(data.class_names, "true_class", "1", "true class"),
        "predicted_class": variable(data.class_names, "predicted_class", "1", "predicted class"),
        "class_": variable(data.class_names, "class_", "1", "class"),
        "fold": variable(np.arange(len(data.folds)), "fold", "1", cv),
        "sample": variable(np.arange(n), "sample", "1", "sample")})
    ds["fold_accuracy"] = variable(acc, ("model", "fold"), "1", "test accuracy per fold")
    ds["fold_balanced_accuracy"] = variable(bal, ("model", "fold"), "1", "balanced test accuracy per fold")
    ds["accuracy"] = variable(acc.mean(1), "model", "1", "test accuracy (mean over folds)")
    ds["balanced_accuracy_by_model"] = variable(bal.mean(1), "model", "1", "balanced accuracy (mean over folds)")
    ds["confusion"] = variable(cm, ("model", "true_class", "predicted_class"), "1",
                               "confusion matrix (test samples, all folds and repeats)")
    ds = ds.assign_coords(part=variable(["train", "test"], "part", "1", "part of a fold"))
    for k, v in study_variables(data, results, model, acc, bal, params).items():
        ds[k] = v
    ds["sensitivity"] = variable(sens, ("model", "class_"), "1", "sensitivity (recall) per class")
    ds["positive_predictivity"] = variable(ppv, ("model", "class_"), "1", "positive predictivity (precision) per class")
    ds["label"] = variable(data.labels.astype(np.int32), "sample", "1", "class index of the sample")
    in_counts = np.array([len(s) for s in data.spikes], float)
    ds["input_spikes"] = variable(in_counts, "sample", "1", "input spikes per sample")
    main, m0 = results[model], names.index(model)
    if main.spikes_per_sample is not None:
        ds["model_spikes"] = variable(main.spikes_per_sample, "sample", "1", f"{model} spikes per sample")
        ds["model_spikes_per_sample"] = scalar(float(main.spikes_per_sample.mean()), "1",
                                               "mean model spikes per sample")
        if model == "lsm":
            ds["liquid_spikes_per_sample"] = scalar(float(main.spikes_per_sample.mean()), "1",
                                                    "mean liquid spikes per sample")
    if main.synaptic_events is not None:
        ds["synaptic_events"] = variable(main.synaptic_events, "sample", "1",
                                         "synaptic events per sample (classification)")
        ds["synaptic_events_per_classification"] = scalar(float(main.synaptic_events.mean()), "1",
                                                          "mean synaptic events per classified sample")
    ds["test_accuracy"] = scalar(acc[m0].mean(), "1", f"test accuracy ({model})")
    ds["balanced_accuracy"] = scalar(bal[m0].mean(), "1", f"balanced accuracy ({model})")
    for b in names[1:]:
        ds[f"test_accuracy_{b}"] = scalar(acc[names.index(b)].mean(), "1", f"test accuracy ({b})")
        ds[f"balanced_accuracy_{b}"] = scalar(bal[names.index(b)].mean(), "1", f"balanced accuracy ({b})")
    ds["input_spikes_per_sample"] = scalar(in_counts.mean(), "1", "mean input spikes per sample")
    ds["sample_duration"] = scalar(data.duration_ms, "ms", "model time per sample")
    ds["fs_presented"] = scalar(data.fs, "Hz", "presentation sampling rate")
    for name in ("S", "V"):
        if name in data.class_names:
            ci = data.class_names.index(name)
            ds[f"sensitivity_{name}"] = scalar(sens[m0, ci], "1", f"sensitivity of {name} beats ({model})")
            ds[f"positive_predictivity_{name}"] = scalar(ppv[m0, ci], "1",
                                                         f"positive predictivity of {name} beats ({model})")
    # examples: one test sample per class, with its signal, input spikes and the model's spikes
    ex = example_samples(data)
    ds = ds.assign_coords(example=variable(np.arange(len(ex)), "example", "1", "example sample"),
                          ex_time=variable(np.arange(n_time) / data.fs * 1000.0, "ex_time", "ms", "time"),
                          channel=variable(np.arange(data.signals.shape[2]), "channel", "1", "signal channel"))
    ds["example_sample"] = variable(ex, "example", "1", "sample index of the example")
    ds["example_signal"] = variable(data.signals[ex], ("example", "ex_time", "channel"), "1", "signal / its SD")
    s_ex, ch_ex, t_ex = enc.flatten([data.spikes[i] for i in ex])
    ds["input_spike_example"] = variable(s_ex.astype(np.int32), "input_spike", "1", "example index")
    ds["input_spike_neuron"] = variable(ch_ex.astype(np.int32), "input_spike", "1", "input channel")
    ds["input_spike_time"] = variable(t_ex, "input_spike", "ms", "input spike time")
    if main.spikes is not None:
        sample, neuron, times = main.spikes
        m = np.isin(sample, ex)
        example_of = np.full(n, -1)
        example_of[ex] = np.arange(len(ex))
        ds["liquid_spike_example"] = variable(example_of[sample[m]].astype(np.int32), "liquid_spike", "1",
                                              "example index")
        ds["liquid_spike_neuron"] = variable(neuron[m].astype(np.int32), "liquid_spike", "1", "liquid neuron")
        ds["liquid_spike_time"] = variable(times[m], "liquid_spike", "ms", "liquid spike time")
    # what a deployment needs: every sample's encoded spikes, the folds, the model's own variables
    sample, channel, times = enc.flatten(data.spikes)
    ds["encoded_spike_sample"] = variable(sample.astype(np.int32), "encoded_spike", "1", "sample of the spike")
    ds["encoded_spike_channel"] = variable(channel.astype(np.int32), "encoded_spike", "1", "input channel of the "
                                           "spike", n_channels=int(data.n_in))
    ds["encoded_spike_time"] = variable(times, "encoded_spike", "ms", "spike time from the sample's start")
    for k in ("encoded_spike_sample", "encoded_spike_channel", "encoded_spike_time"):  # lossless compression
        ds[k].encoding.update(zlib=True, complevel=4, shuffle=True)
    role = np.zeros((len(data.folds), n), np.int8)
    for f, (tr, te) in enumerate(data.folds):
        role[f, tr], role[f, te] = FOLD_ROLES["train"], FOLD_ROLES["test"]
    ds["fold_role"] = variable(role, ("fold", "sample"), "1", "role of the sample in the fold",
                               flag_values=np.array(list(FOLD_ROLES.values()), np.int8),
                               flag_meanings=" ".join(FOLD_ROLES))
    for k, v in main.variables.items():
        ds[k] = v
    if sizes is not None:
        neurons, accs = sizes
        ds = ds.assign_coords(liquid_size=variable(neurons, "liquid_size", "1", "liquid neurons"))
        ds["size_accuracy"] = variable(accs, "liquid_size", "1", "test accuracy (lsm) vs liquid size")
    ds.attrs.update(study_attrs(data, params))
    ds.attrs.update({"fs_from": sset.meta.get("fs_from", "the data's own rate")})
    ds.attrs.update({"dataset": sset.name, "class_names": ",".join(sset.class_names), "n_samples": n,
                     "cross_validated": int(data.cross_validated), "data_source": sset.source,
                     **{f"data_{k}": str(v) for k, v in sset.meta.items()},
                     **{f"model_{k}": v for k, v in main.attrs.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)}})
    return ds
