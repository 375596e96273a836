"""Synthetic ECG for fast tests: three heart-rate classes of windows simulated by ``neurokit2``."""
from __future__ import annotations

import numpy as np

from .signals import SignalSet

__all__ = ["SYNTH_RATES", "synthetic_ecg"]

#: heart-rate bands (bpm), one class each
SYNTH_RATES = ((55, 65), (85, 95), (125, 135))


def synthetic_ecg(n_per_class: int = 20, fs: float = 250.0, window: float = 1.0, noise: float = 0.05,
                  seed: int = 0) -> SignalSet:
    """Windows of ECG simulated by ``neurokit2.ecg_simulate`` (method 'simple'); the class is
    the heart-rate band (:data:`SYNTH_RATES`), each window from its own record with a random
    rate in the band and a random start."""
    import neurokit2 as nk  # optional 'bio' extra, and slow to import

    rng = np.random.default_rng(seed)
    n_win = int(round(window * fs))
    samples, labels = [], []
    for c, (lo, hi) in enumerate(SYNTH_RATES):
        for _ in range(n_per_class):
            hr = rng.uniform(lo, hi)
            ecg = nk.ecg_simulate(duration=window + 2.0, sampling_rate=int(fs), heart_rate=hr, noise=noise,
                                  method="simple", random_state=int(rng.integers(2**31)))
            start = int(rng.integers(0, len(ecg) - n_win))
            samples.append(np.asarray(ecg[start:start + n_win])[:, None])
            labels.append(c)
    names = [f"{lo}-{hi} bpm" for lo, hi in SYNTH_RATES]
    return SignalSet("synthetic-ecg", samples, np.array(labels), names, fs, source="neurokit2.ecg_simulate")
