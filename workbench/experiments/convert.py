"""ANN-to-SNN conversion (protocol ``convert``): data, the ReLU network, conversion, test, archive.

:func:`load_data` gives feature vectors scaled to [0, 1] with the minimum and maximum of the
*training* data (images flattened; biosignal samples such as MIT-BIH beats flattened over time
and channels); :func:`train_ann` fits scikit-learn's ``MLPClassifier`` (ReLU, Adam) with early
stopping on a validation split of the training data; :func:`convert_and_test` converts it with
every requested normalisation (:func:`workbench.networks.converted.convert`, scale factors from
the training data) and runs the test set through all of them in one build
(:func:`workbench.networks.converted.simulate`); :func:`archive` writes accuracies against time
steps, spikes and synaptic operations per inference and per layer, the network of the first
normalisation and the scaled test inputs (what :mod:`workbench.hardware.converted` deploys).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import xarray as xr
from brian2 import mV, ms
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from ..datasets import load_images
from ..datasets.biosignal import load_signals
from ..networks.converted import V_TH, convert, simulate
from ..params import ParameterError
from ..recording import scalar, variable

__all__ = ["Data", "load_data", "train_ann", "convert_and_test", "archive", "SIGNAL_KINDS"]

#: Data set specs read as biosignals (:func:`workbench.datasets.biosignal.load_signals`).
SIGNAL_KINDS = ("mitdb", "ucr", "aeon", "myo", "edf", "bdf", "gdf", "eegbci", "synthetic-ecg", "synthetic_ecg")


@dataclass
class Data:
    """Scaled feature vectors with labels as class indices into ``class_names``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: list
    name: str
    source: str = ""
    scale: tuple = (0.0, 1.0)
    info: dict = field(default_factory=dict)


def _is_signal(spec: str) -> bool:
    return spec.split(":", 1)[0].strip().lower() in SIGNAL_KINDS


def _signals(spec, records, fs, rng, train_fraction):
    opts = {}
    if records:
        opts["records"] = [str(r) for r in records]
    if fs > 0:
        opts["fs"] = float(fs)
    s = load_signals(spec, **opts)
    lengths = {len(x) for x in s.samples}
    if len(lengths) != 1:
        raise ParameterError(f"dataset {spec!r}: samples of different lengths {sorted(lengths)[:5]}; conversion "
                             "needs fixed-length feature vectors (use a data set of equal-length windows)")
    X = np.stack([x.ravel() for x in s.samples])
    y = np.asarray(s.labels)
    if s.train is not None and s.test is not None:
        tr, te = np.asarray(s.train), np.asarray(s.test)
        how = "the data set's own train/test split"
    else:
        idx = np.arange(len(y))
        tr, te = train_test_split(idx, train_size=train_fraction, stratify=y, random_state=int(rng.integers(2**31)))
        how = f"stratified random split ({train_fraction:g} train)"
    return X[tr], y[tr], X[te], y[te], list(s.class_names), s.name, s.source, how


def _oversample(X, y, rng):
    """Training samples of the smaller classes repeated (drawn with replacement) up to the largest class."""
    counts = np.bincount(y)
    idx = [np.flatnonzero(y == c) for c in range(len(counts)) if counts[c]]
    extra = [rng.choice(i, counts.max() - len(i)) for i in idx]
    keep = np.concatenate(idx + extra)
    return X[keep], y[keep]


def load_data(spec: str, n_train: int, n_test: int, rng, *, records=(), fs: float = 0.0,
              train_fraction: float = 0.5, balance: str = "none") -> Data:
    """Feature vectors of data set ``spec`` (image sets by name or ``idx:DIR``; biosignal specs as
    ``mitdb:DIR``), the first ``n_train`` / ``n_test`` of each part (<= 0: all), scaled to [0, 1] by
    the training data's minimum and maximum (test values clipped).  ``balance='oversample'`` repeats
    training samples of the smaller classes up to the largest (after ``n_train``; test data untouched)."""
    spec = str(spec).strip()
    if not spec:
        raise ParameterError("dataset: give a data set, e.g. --set dataset=digits (or fashion-mnist, idx:DIR, "
                             "mitdb:../shared/data/mitdb)")
    if _is_signal(spec):
        Xtr, ytr, Xte, yte, names, name, source, how = _signals(spec, records, fs, rng, train_fraction)
    else:
        im = load_images(spec)
        Xtr, Xte = (a.reshape(len(a), -1).astype(float) for a in (im.train_images, im.test_images))
        ytr, yte = np.asarray(im.train_labels), np.asarray(im.test_labels)
        names, name, source, how = list(im.class_names), im.name, im.source, "the data set's own train/test split"
    if n_train > 0:
        Xtr, ytr = Xtr[:n_train], ytr[:n_train]
    if n_test > 0:
        Xte, yte = Xte[:n_test], yte[:n_test]
    classes = np.unique(ytr)
    if len(classes) < 2:
        raise ParameterError(f"dataset {spec!r}: the {len(ytr)} training samples hold one class only; "
                             "raise n_train")
    keep = np.isin(yte, classes)  # a class never seen in training cannot be predicted
    Xte, yte = Xte[keep], yte[keep]
    if len(Xte) == 0:
        raise ParameterError(f"dataset {spec!r}: no test sample of a trained class; raise n_test")
    lo, hi = float(Xtr.min()), float(Xtr.max())
    span = hi - lo if hi > lo else 1.0
    Xtr, Xte = (Xtr - lo) / span, np.clip((Xte - lo) / span, 0.0, 1.0)
    names = [str(names[int(c)]) if int(c) < len(names) else str(c) for c in classes]
    ytr = np.searchsorted(classes, ytr)
    if balance == "oversample":
        Xtr, ytr = _oversample(Xtr, ytr, rng)
    elif balance != "none":
        raise ParameterError(f"balance={balance!r}: use none or oversample")
    return Data(X_train=Xtr, y_train=ytr, X_test=Xte, y_test=np.searchsorted(classes, yte),
                class_names=names, name=name, source=source, scale=(lo, hi),
                info={"split": how, "n_test_dropped": int((~keep).sum())})


def train_ann(data: Data, hidden, *, alpha: float, max_iter: int, validation_fraction: float, seed: int):
    """A ReLU MLP fitted with Adam; early stopping on ``validation_fraction`` of the training data."""
    hidden = tuple(int(h) for h in hidden)
    if not hidden or min(hidden) < 1:
        raise ParameterError(f"hidden={list(hidden)}: give one or more positive layer sizes, e.g. 500 or 300,100")
    clf = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam", alpha=alpha, max_iter=max_iter,
                        early_stopping=True, validation_fraction=validation_fraction, random_state=seed)
    clf.fit(data.X_train, data.y_train)
    return clf


def _weights(clf, n_classes):
    """The MLP's weights and biases with one output unit per class (a two-class MLP has one logit)."""
    W, b = [np.asarray(w, float) for w in clf.coefs_], [np.asarray(c, float) for c in clf.intercepts_]
    if W[-1].shape[1] == 1 and n_classes == 2:  # binary: logit z for class 1 -> units (-z/2, z/2)
        W[-1] = np.hstack([-W[-1] / 2, W[-1] / 2])
        b[-1] = np.concatenate([-b[-1] / 2, b[-1] / 2])
    return W, b


def convert_and_test(clf, data: Data, normalisations, *, percentile: float, steps: int, record_every: int,
                     input: str, dt, batch: int, backend: str, seed: int, threads: int):
    """Convert ``clf`` with each normalisation and run the test set through every one in one build."""
    W, b = _weights(clf, len(data.class_names))
    nets = [convert(W, b, data.X_train, m, percentile) for m in normalisations]
    runs = simulate(nets, data.X_test, steps, input=input, dt=dt, record_every=record_every, batch=batch,
                    backend=backend, seed=seed, threads=threads)
    return nets, runs


def archive(clf, data: Data, nets, runs, *, input: str, dt, how_chosen: str) -> xr.Dataset:
    """The conversion archive (see the module docstring)."""
    ann_pred = np.asarray(clf.predict(data.X_test))
    y = data.y_test
    sizes = nets[0].sizes
    L = len(sizes) - 1
    layer_names = ["input"] + [f"hidden{k}" for k in range(1, L)] + ["output"]
    norms = [n.normalisation for n in nets]
    steps = runs[0].steps
    acc = np.array([(r.predictions() == y[:, None]).mean(axis=0) for r in runs])
    spikes = np.array([[r.input_spikes, *r.layer_spikes] for r in runs])  # (norm, layer)
    fanout = np.array(sizes[1:] + [0], dtype=float)
    synops = spikes * fanout[None, :]
    ds = xr.Dataset(coords={"steps": variable(steps, "steps", "1", "simulated time steps"),
                            "normalisation": variable(norms, "normalisation", "1", "weight normalisation"),
                            "layer": variable(layer_names, "layer", "1", "layer"),
                            "test_sample": variable(np.arange(len(y)), "test_sample", "1", "test sample")})
    T = int(steps[-1])
    ds["ann_accuracy"] = scalar(float(np.mean(ann_pred == y)), "1", "test accuracy of the ReLU network (ANN)")
    ds["test_accuracy"] = scalar(float(acc[0, -1]), "1", f"test accuracy of the converted SNN after {T} steps "
                                 f"({norms[0]} normalisation)")
    ds["accuracy_vs_steps"] = variable(acc[0], "steps", "1", f"SNN test accuracy against time steps ({norms[0]})")
    ds["accuracy_vs_steps_by_normalisation"] = variable(acc, ("normalisation", "steps"), "1",
                                                        "SNN test accuracy against time steps")
    ds["test_accuracy_by_normalisation"] = variable(acc[:, -1], "normalisation", "1",
                                                    f"SNN test accuracy after {T} steps")
    ds["spikes_per_inference"] = scalar(float(spikes[0].sum()), "1", f"spikes per inference, input included "
                                        f"({norms[0]}, {T} steps)")
    ds["synops_per_inference"] = scalar(float(synops[0].sum()), "1", f"synaptic operations per inference "
                                        f"({norms[0]}, {T} steps)")
    ds["spikes_per_inference_layer"] = variable(spikes[0], "layer", "1", "spikes per inference by layer")
    ds["synops_per_inference_layer"] = variable(synops[0], "layer", "1", "synaptic operations per inference by "
                                                "presynaptic layer (spikes x fan-out)")
    ds["spikes_by_normalisation"] = variable(spikes, ("normalisation", "layer"), "1", "spikes per inference")
    ds["synops_by_normalisation"] = variable(synops, ("normalisation", "layer"), "1",
                                             "synaptic operations per inference")
    ds["n_train_samples"] = scalar(len(data.y_train), "1", "training samples (validation split included)")
    ds["ann_macs_per_inference"] = scalar(float(sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))), "1",
                                          "multiply-accumulates per inference of the ANN")
    ds["input_macs_per_inference"] = scalar(float(sizes[0] * sizes[1]) if input == "current" else 0.0, "1",
                                            "multiply-accumulates of the constant input current (current input)")
    ds["lambda"] = variable(np.array([n.lambdas for n in nets]), ("normalisation", "layer"), "1",
                            "normalisation scale per layer (activation max or percentile on training data)")
    r0 = runs[0]
    ds["wall_run"] = scalar(r0.wall_run, "s", "wall time of the test-set simulation (first normalisation)")
    ds["wall_build"] = scalar(r0.wall_build, "s", "standalone compile time (0 on runtime backends)")
    ds["images_per_second"] = scalar(len(y) / max(r0.wall_run, 1e-9), "1/s", f"test samples per wall-clock second "
                                     f"({T} steps, simulation only)")
    ds["prediction"] = variable(r0.predictions()[:, -1].astype(np.int32), "test_sample", "1", "SNN class")
    ds["ann_prediction"] = variable(ann_pred.astype(np.int32), "test_sample", "1", "ANN class")
    ds["label"] = variable(y.astype(np.int32), "test_sample", "1", "true class")
    ds["test_input"] = variable(data.X_test.astype(np.float32), ("test_sample", "feature"), "1",
                                "test inputs scaled to [0, 1] (as simulated)")
    net = nets[0]
    for k in range(L):
        ds[f"weight_{k + 1}"] = variable(net.weights[k], (f"pre_{k + 1}", f"post_{k + 1}"), "1",
                                         f"normalised weights into layer {layer_names[k + 1]} (units of v_th)")
        ds[f"bias_{k + 1}"] = variable(net.biases[k], f"post_{k + 1}", "1",
                                       f"normalised bias of layer {layer_names[k + 1]} (v_th per step)")
    ds["v_th"] = scalar(float(V_TH / mV), "mV", "threshold of the converted IF neurons")
    ds["dt"] = scalar(float(dt / ms), "ms", "time step")
    ds.attrs.update(dataset=data.name, data_source=data.source, split=data.info["split"], input=input,
                    normalisation=norms[0], percentile=float(net.percentile), steps=T, sizes=json.dumps(sizes),
                    class_names=json.dumps(data.class_names), how_chosen=how_chosen,
                    feature_scale=json.dumps(list(data.scale)), ann_iterations=int(clf.n_iter_),
                    neuron_model="if_subtract (reset by subtraction), delta synapses, biases as constant currents")
    return ds
