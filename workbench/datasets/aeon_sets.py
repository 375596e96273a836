"""Time-series classification sets shipped inside the ``aeon`` wheel, with their standard split."""
from __future__ import annotations

import warnings

import numpy as np

from .errors import DatasetError
from .signals import SignalSet, labels_from

__all__ = ["AEON_SETS", "load_aeon"]

#: lower-case name -> (aeon loader, display name)
AEON_SETS = {"japanesevowels": ("load_japanese_vowels", "JapaneseVowels"),
             "basicmotions": ("load_basic_motions", "BasicMotions")}


def load_aeon(name: str, fs: float = 100.0) -> SignalSet:
    """A data set shipped inside the ``aeon`` wheel, with its standard train/test split:
    ``JapaneseVowels`` (270 / 370, 12 channels, unequal length), ``BasicMotions`` (40 / 40,
    6 channels).

    Neither set carries a sampling rate usable by the encoders (JapaneseVowels
    frames are LPC cepstra of 6.4 ms speech frames; BasicMotions is 10 Hz
    accelerometer data); ``fs`` sets the presentation rate in Hz.
    """
    key = name.lower().replace("_", "").replace("-", "")
    if key not in AEON_SETS:
        raise DatasetError(f"aeon:{name}: unknown; available in the wheel: {', '.join(v[1] for v in AEON_SETS.values())}")
    import aeon.datasets as ad  # optional 'bio' extra, and slow to import

    fn = getattr(ad, AEON_SETS[key][0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Xtr, ytr = fn(split="train")
        Xte, yte = fn(split="test")
    to_list = lambda X: [np.asarray(x, float).T for x in X]  # noqa: E731  (channels, time) -> (time, channels)
    samples = to_list(Xtr) + to_list(Xte)
    labels, names = labels_from(list(ytr) + list(yte), f"aeon:{name}")
    n = len(Xtr)
    return SignalSet(AEON_SETS[key][1], samples, labels, names, fs, train=np.arange(n),
                     test=np.arange(n, len(samples)), source=f"aeon {ad.__name__}")
