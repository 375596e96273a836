"""Readout features from spike trains: the low-pass filtered state of Maass et al. 2002 and binned
counts, for samples laid out flat (``sample``, ``neuron``, ``time`` arrays, times in ms from each
sample's start)."""
from __future__ import annotations

import numpy as np

__all__ = ["filtered_states", "binned_counts", "readout_times"]


def readout_times(duration_ms: float, n: int) -> np.ndarray:
    """``n`` readout times spread evenly over a sample, the last at its end (ms; just before
    ``duration_ms``, so that a spike at the very end still counts)."""
    if n < 1:
        raise ValueError(f"readout_times: need at least one readout time, got n={n}")
    return np.linspace(duration_ms / n, duration_ms, n) - 1e-6


def filtered_states(sample, neuron, times, n_samples, n_neurons, readout_times, tau=30.0):
    """Low-pass filtered spike trains sampled at ``readout_times`` (all in ms).

    ``state[s, k, n] = sum over spikes of neuron n in sample s with t <= t_k of
    exp(-(t_k - t)/tau)`` -- the exponential filter of Maass, Natschläger & Markram 2002
    (tau = 30 ms).  Returns an array (sample, readout time, neuron).
    """
    readout_times = np.atleast_1d(np.asarray(readout_times, dtype=float))
    sample, neuron, times = np.asarray(sample), np.asarray(neuron), np.asarray(times, dtype=float)
    out = np.zeros((n_samples, len(readout_times), n_neurons))
    for k, tk in enumerate(readout_times):
        m = times <= tk
        w = np.exp(-(tk - times[m]) / tau)
        np.add.at(out[:, k, :], (sample[m], neuron[m]), w)
    return out


def binned_counts(sample, neuron, times, n_samples, n_neurons, duration, n_bins):
    """Spike counts in ``n_bins`` equal bins of ``[0, duration)`` ms: (sample, bin, neuron)."""
    out = np.zeros((n_samples, n_bins, n_neurons))
    b = np.clip((np.asarray(times) / duration * n_bins).astype(np.int64), 0, n_bins - 1)
    np.add.at(out, (sample, b, neuron), 1.0)
    return out
