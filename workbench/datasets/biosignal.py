"""Labelled physiological time series by spec: MIT-BIH beats, UCR/UEA files, aeon sets, synthetic ECG.

:func:`load_signals` takes a data set spec and returns a :class:`SignalSet`:
samples (each an array ``(time, channels)``), integer labels with class
names, the sampling rate ``fs`` (Hz) and, where the data define one, a
train/test split.

Specs
-----
``mitdb:DIR``
    MIT-BIH Arrhythmia Database records in ``DIR`` (``NNN.hea/.dat/.atr``) read with ``wfdb``,
    cut into beats labelled with the AAMI EC57 classes, with the inter-patient, time or record
    split (:func:`workbench.datasets.mitdb.load_mitdb`).  ``mitdb:download`` fetches the database
    from PhysioNet into the cache (``$WORKBENCH_DATA_CACHE/mitdb``) first, every file checked
    against PhysioNet's ``SHA256SUMS.txt`` (:func:`workbench.datasets.mitdb.download_mitdb`).
``ucr:PATH``
    UCR/UEA archive files: text with the label in the first column
    (whitespace-, tab- or comma-separated; ``.tsv``, ``.txt``, ``.csv``) or the
    sktime/aeon ``.ts`` format (multivariate and unequal length allowed; read with aeon).  A
    ``*_TRAIN.*`` file (or a folder holding ``*_TRAIN.*``) whose ``*_TEST.*``
    sibling exists gives that split; a single file has no split (the protocol
    then uses stratified k-fold cross-validation).
``aeon:NAME``
    Data sets in the ``aeon`` wheel with their standard split: ``JapaneseVowels``
    (270 / 370, 12 channels, unequal length), ``BasicMotions`` (40 / 40, 6 channels).
``synthetic-ecg``
    ECG simulated by ``neurokit2`` (fast): three classes of 1-s windows from
    records at 55-65, 85-95 and 125-135 bpm with noise -- for tests.

One module per source: :mod:`~workbench.datasets.mitdb`, :mod:`~workbench.datasets.ucr`,
:mod:`~workbench.datasets.aeon_sets`, :mod:`~workbench.datasets.synthetic`; the container and
shared helpers in :mod:`~workbench.datasets.signals`.
"""
from __future__ import annotations

from .aeon_sets import AEON_SETS, load_aeon
from .errors import DatasetError
from .mitdb import AAMI, AAMI_CLASSES, DS1, DS2, MITDB_URL, download_mitdb, load_mitdb
from .signals import SignalSet, resample_samples
from .synthetic import SYNTH_RATES, synthetic_ecg
from .ucr import load_ucr, read_ts_file, read_ucr_file

__all__ = [
    "SignalSet",
    "DatasetError",
    "AAMI",
    "AAMI_CLASSES",
    "DS1",
    "DS2",
    "MITDB_URL",
    "AEON_SETS",
    "SYNTH_RATES",
    "load_signals",
    "load_mitdb",
    "load_ucr",
    "read_ucr_file",
    "read_ts_file",
    "load_aeon",
    "synthetic_ecg",
    "resample_samples",
    "download_mitdb",
]

_MITDB_OPTIONS = {"records", "channel", "pre", "post", "fs", "split", "train_fraction", "classes",
                  "min_class_samples"}


def load_signals(spec: str, **options) -> SignalSet:
    """Load ``mitdb:DIR``, ``ucr:PATH``, ``aeon:NAME`` or ``synthetic-ecg``.

    ``options`` go to the loader (e.g. ``records``, ``split``, ``fs``, ``n_per_class``, ``seed``);
    options a loader does not take are ignored.
    """
    spec = str(spec).strip()
    kind, _, arg = spec.partition(":")
    kind = kind.lower()
    if kind == "mitdb":
        if not arg:
            raise DatasetError("mitdb: give the folder, e.g. mitdb:../shared/data/mitdb (or mitdb:download)")
        return load_mitdb(arg, **{k: v for k, v in options.items() if k in _MITDB_OPTIONS})
    if kind == "ucr":
        if not arg:
            raise DatasetError("ucr: give a file or folder, e.g. ucr:data/ECG200/ECG200_TRAIN.tsv")
        return load_ucr(arg, **{k: v for k, v in options.items() if k in ("fs",)})
    if kind == "aeon":
        return load_aeon(arg, **{k: v for k, v in options.items() if k in ("fs",)})
    if kind in ("synthetic-ecg", "synthetic_ecg"):
        return synthetic_ecg(**{k: v for k, v in options.items() if k in ("n_per_class", "fs", "window", "noise", "seed")})
    raise DatasetError(f"unknown data set {spec!r}; use mitdb:DIR, ucr:PATH, aeon:NAME or synthetic-ecg")
