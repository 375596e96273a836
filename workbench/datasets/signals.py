"""Labelled time series with their sampling rate (:class:`SignalSet`), and helpers every signal
loader shares: labels from raw strings, missing values filled, resampling to a fixed length."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import DatasetError

__all__ = ["SignalSet", "labels_from", "fill_nan", "resample_samples"]


@dataclass
class SignalSet:
    """Labelled samples with their sampling rate.

    ``samples``: list of arrays (time, channels); ``labels``: int array into
    ``class_names``; ``fs``: Hz; ``train``/``test``: index arrays of a given
    split (``None``: no split, use cross-validation); ``groups``: a group id
    per sample (the record, for MIT-BIH); ``source``: where the data came from;
    ``sample_info``: more per-sample arrays by name (e.g. ``session``, ``onset``), or ``None``.
    """

    name: str
    samples: list
    labels: np.ndarray
    class_names: list
    fs: float
    train: np.ndarray | None = None
    test: np.ndarray | None = None
    groups: np.ndarray | None = None
    source: str = ""
    meta: dict = field(default_factory=dict)
    sample_info: dict | None = None

    def __post_init__(self):
        self.labels = np.asarray(self.labels, dtype=np.int64)
        if len(self.samples) != len(self.labels):
            raise DatasetError(f"{self.name}: {len(self.samples)} samples but {len(self.labels)} labels")
        if len(self.samples) == 0:
            raise DatasetError(f"{self.name}: no samples")
        self.samples = [np.asarray(s, dtype=float).reshape(len(s), -1) for s in self.samples]
        chans = {s.shape[1] for s in self.samples}
        if len(chans) != 1:
            raise DatasetError(f"{self.name}: samples have different channel counts {sorted(chans)}")
        if not (np.isfinite(self.fs) and self.fs > 0):
            raise DatasetError(f"{self.name}: sampling rate {self.fs!r} Hz is not positive")

    @property
    def n_channels(self) -> int:
        return self.samples[0].shape[1]

    @property
    def has_split(self) -> bool:
        return self.train is not None and self.test is not None

    def class_counts(self) -> dict:
        return {c: int((self.labels == i).sum()) for i, c in enumerate(self.class_names)}

    def subset(self, index) -> "SignalSet":
        """The samples at ``index`` (split dropped)."""
        index = np.asarray(index)
        return SignalSet(self.name, [self.samples[i] for i in index], self.labels[index], self.class_names,
                         self.fs, groups=None if self.groups is None else self.groups[index],
                         source=self.source, meta=dict(self.meta),
                         sample_info=None if self.sample_info is None else
                         {k: np.asarray(v)[index] for k, v in self.sample_info.items()})


def _is_num(s) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def labels_from(raw, where):
    """Integer labels and sorted class names (numbers in numeric order) from raw label strings;
    ``'1'``, ``'1.0'`` and ``'1e0'`` are one class."""
    raw = [str(r).strip() for r in raw]
    norm = []
    for r in raw:
        try:
            f = float(r)
            norm.append(str(int(f)) if f == int(f) else repr(f))
        except ValueError:
            norm.append(r)
    names = sorted(set(norm), key=lambda s: (0, float(s)) if _is_num(s) else (1, s))
    if len(names) < 2:
        raise DatasetError(f"{where}: only one class ({names}) -- a classifier needs at least two")
    idx = {n: i for i, n in enumerate(names)}
    return np.array([idx[n] for n in norm]), names


def fill_nan(v):
    """``v`` with NaN values linearly interpolated from their finite neighbours (all NaN: zeros)."""
    ok = np.isfinite(v)
    if not ok.any():
        return np.zeros_like(v)
    idx = np.arange(len(v))
    return np.interp(idx, idx[ok], v[ok])


def resample_samples(samples, n_time: int) -> np.ndarray:
    """Every sample linearly resampled to ``n_time`` points: array (sample, n_time, channels)."""
    out = np.empty((len(samples), n_time, samples[0].shape[1]))
    for i, s in enumerate(samples):
        src = np.linspace(0, 1, len(s))
        dst = np.linspace(0, 1, n_time)
        for c in range(s.shape[1]):
            out[i, :, c] = np.interp(dst, src, s[:, c])
    return out
