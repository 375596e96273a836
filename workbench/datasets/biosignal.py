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
``myo:DIR``
    Surface EMG of wrist gestures from a Myo armband: ``DIR`` holds ``PARTICIPANT-SESSION``
    folders of ``0.txt`` .. ``7.txt`` (:func:`workbench.datasets.myo.load_myo`); windows around
    the gesture segments, each carrying its participant as its group.
``edf:PATH`` (also ``bdf:``, ``gdf:``)
    EEG/EMG/PSG recordings read with MNE, epochs around the annotated events (default: the
    motor-imagery ``T1``/``T2`` annotations of PhysioNet's EEG Motor Movement/Imagery set), one
    subject per file or folder (:func:`workbench.datasets.edf.load_edf`).
``eegbci:SUBJECTS``
    PhysioNet's EEG Motor Movement/Imagery set downloaded through ``mne.datasets.eegbci``
    (cached and checksummed by MNE), e.g. ``eegbci:1-10`` (:func:`workbench.datasets.edf.load_eegbci`).
``synthetic-ecg``
    ECG simulated by ``neurokit2`` (fast): three classes of 1-s windows from
    records at 55-65, 85-95 and 125-135 bpm with noise -- for tests.

One module per source: :mod:`~workbench.datasets.mitdb`, :mod:`~workbench.datasets.ucr`,
:mod:`~workbench.datasets.aeon_sets`, :mod:`~workbench.datasets.synthetic`; the container and
shared helpers in :mod:`~workbench.datasets.signals`.
"""
from __future__ import annotations

from .aeon_sets import AEON_SETS, load_aeon
from .edf import load_edf, load_eegbci
from .errors import DatasetError
from .mitdb import AAMI, AAMI_CLASSES, DS1, DS2, MITDB_URL, download_mitdb, load_mitdb
from .myo import load_myo
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
    "load_myo",
    "load_edf",
    "load_eegbci",
    "synthetic_ecg",
    "resample_samples",
    "download_mitdb",
]

_MYO_OPTIONS = {"window", "step", "skip", "rest", "fs", "participants"}
_EDF_OPTIONS = {"events", "tmin", "tmax", "picks", "l_freq", "h_freq", "fs", "subjects"}
_MITDB_OPTIONS = {"records", "channel", "pre", "post", "fs", "split", "train_fraction", "classes",
                  "min_class_samples"}


def load_signals(spec: str, **options) -> SignalSet:
    """Load ``mitdb:DIR``, ``ucr:PATH``, ``aeon:NAME``, ``myo:DIR``, ``edf:PATH``, ``eegbci:SUBJECTS``
    or ``synthetic-ecg``.

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
        return load_ucr(arg, **{k: v for k, v in options.items() if k in ("fs", "sample_duration")})
    if kind == "aeon":
        return load_aeon(arg, **{k: v for k, v in options.items() if k in ("fs",)})
    if kind == "myo":
        if not arg:
            raise DatasetError("myo: give the folder of PARTICIPANT-SESSION folders, e.g. myo:../shared/data/emg-myo")
        return load_myo(arg, **{k: v for k, v in options.items() if k in _MYO_OPTIONS})
    if kind in ("edf", "bdf", "gdf"):
        if not arg:
            raise DatasetError(f"{kind}: give an .edf/.bdf/.gdf file or a folder of them, e.g. edf:data/eegmmidb")
        return load_edf(arg, **{k: v for k, v in options.items() if k in _EDF_OPTIONS})
    if kind == "eegbci":
        return load_eegbci(arg or "1-10", **{k: v for k, v in options.items() if k in _EDF_OPTIONS | {"runs", "path"}})
    if kind in ("synthetic-ecg", "synthetic_ecg"):
        return synthetic_ecg(**{k: v for k, v in options.items() if k in ("n_per_class", "fs", "window", "noise", "seed")})
    raise DatasetError(f"unknown data set {spec!r}; use mitdb:DIR, ucr:PATH, aeon:NAME, myo:DIR, edf:PATH, "
                       "eegbci:SUBJECTS or synthetic-ecg")
