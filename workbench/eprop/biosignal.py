"""e-prop as a model of the biosignal protocol (``workbench run biosignal --set model=eprop``).

The biosignal protocol encodes every sample into spike trains
(:class:`workbench.encoders.SpikeTrains`); :func:`eprop_model` bins them at
1 ms (at most one spike per channel and step), trains an LSNN with e-prop on
each fold's training samples (:func:`workbench.eprop.train.train_classifier`,
cross-entropy over the whole sample by default) and predicts its test samples.
The LSNN's options are :data:`workbench.eprop.train.CLASSIFIER_DEFAULTS`;
a biosignal parameter named ``eprop_<option>`` (if the protocol declares it)
overrides one.

The biosignal protocol loads it lazily for ``model=eprop``; other options through
``register_model("eprop", functools.partial(eprop_model, epochs=60), replace=True)``.
"""
from __future__ import annotations

import numpy as np

from .train import CLASSIFIER_DEFAULTS, train_classifier

__all__ = ["spikes_to_dense", "eprop_model"]


def spikes_to_dense(spike_trains, n_in: int, duration_ms: float, dt: float = 1.0) -> np.ndarray:
    """(samples, steps, n_in) 0/1 array from a list of objects with ``channel`` and ``times`` (ms)."""
    steps = int(np.ceil(duration_ms / dt))
    if steps < 1:
        raise ValueError(f"duration_ms={duration_ms} gives no time step of {dt} ms")
    X = np.zeros((len(spike_trains), steps, n_in))
    for k, st in enumerate(spike_trains):
        ch = np.asarray(st.channel, dtype=np.int64)
        if ch.size and (ch.min() < 0 or ch.max() >= n_in):
            raise ValueError(f"sample {k}: spike channel out of range 0..{n_in - 1}")
        step = np.clip((np.asarray(st.times, dtype=float) / dt).astype(np.int64), 0, steps - 1)
        X[k, step, ch] = 1.0
    return X


def eprop_model(data, params, ctx, **options):
    """Biosignal model function: ``(EncodedData, params, ctx) -> ModelResult``.

    ``options`` (keys of ``CLASSIFIER_DEFAULTS``) override the defaults, e.g. through
    ``functools.partial(eprop_model, epochs=40)`` when registering.
    """
    from ..experiments.biosignal import ModelResult

    unknown = sorted(set(options) - set(CLASSIFIER_DEFAULTS))
    if unknown:
        raise ValueError(f"eprop_model: unknown option(s) {unknown}; known: {sorted(CLASSIFIER_DEFAULTS)}")
    opts = dict(options)
    for key in CLASSIFIER_DEFAULTS:
        name = f"eprop_{key}"
        if name in params:
            opts[key] = params[name]
    X = spikes_to_dense(data.spikes, data.n_in, data.duration_ms)
    labels = np.asarray(data.labels).astype(int)
    preds, counts, attrs = [], np.zeros(len(X)), {}
    for f, (tr, te) in enumerate(data.folds):
        pred, met = train_classifier(X[tr], labels[tr], X[te], labels[te], backend=ctx.backend,
                                     seed=ctx.seed + f, **opts)
        preds.append(pred)
        counts[te] = met["test_spike_counts"]
        attrs[f"fold{f}_train_accuracy_last_epoch"] = met["train_accuracy"][-1]
        attrs[f"fold{f}_wall_time_s"] = met["wall_time_s"]
    attrs["eprop_options"] = repr(dict(CLASSIFIER_DEFAULTS, **opts))
    return ModelResult(predictions=preds, spikes_per_sample=counts, attrs=attrs)
