"""Labelled physiological time series: MIT-BIH beats, UCR/UEA files, aeon sets, synthetic ECG.

:func:`load_signals` takes a data set spec and returns a :class:`SignalSet`:
samples (each an array ``(time, channels)``), integer labels with class
names, the sampling rate ``fs`` (Hz) and, where the data define one, a
train/test split.

Specs
-----
``mitdb:DIR``
    MIT-BIH Arrhythmia Database records in ``DIR`` (``NNN.hea/.dat/.atr``) read
    with ``wfdb``.  Beats are cut around the annotated R peaks (``pre`` before,
    ``post`` after; default 0.5 s + 0.5 s so a premature beat's short RR interval
    is inside its window), after removing the baseline (0.5 Hz high-pass),
    labelled with the AAMI EC57 classes N / S / V / F / Q (:data:`AAMI`; non-beat
    annotations are skipped).  Splits: ``interpatient`` (de Chazal, O'Dwyer &
    Reilly 2004: train on DS1, test on DS2; paced records 102/104/107/217
    excluded; needs all 44 records), ``time`` (record-wise: the first
    ``train_fraction`` of every record's beats train, the rest test; no beat of
    the test part precedes a training beat of the same record), ``record``
    (leave records out: every ``k``-th record tests) and ``auto``
    (interpatient if the full database is present, else time).
    ``mitdb:download`` fetches the database with ``wfdb.dl_database`` into the
    cache (``$WORKBENCH_DATA_CACHE/mitdb``) first and checks every file against
    PhysioNet's ``SHA256SUMS.txt``.
``ucr:PATH``
    UCR/UEA archive files: text with the label in the first column
    (whitespace-, tab- or comma-separated; ``.tsv``, ``.txt``, ``.csv``) or the
    sktime/aeon ``.ts`` format (multivariate and unequal length allowed).  A
    ``*_TRAIN.*`` file (or a folder holding ``*_TRAIN.*``) whose ``*_TEST.*``
    sibling exists gives that split; a single file has no split (the protocol
    then uses stratified k-fold cross-validation).
``aeon:NAME``
    Data sets in the ``aeon`` wheel with their standard split: ``JapaneseVowels``
    (270 / 370, 12 channels, unequal length), ``BasicMotions`` (40 / 40, 6 channels).
``synthetic-ecg``
    ECG simulated by ``neurokit2`` (fast): three classes of 1-s windows from
    records at 55-65, 85-95 and 125-135 bpm with noise -- for tests.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..paths import cache_dir
from .images import DatasetError

__all__ = [
    "SignalSet",
    "DatasetError",
    "AAMI",
    "AAMI_CLASSES",
    "DS1",
    "DS2",
    "load_signals",
    "load_mitdb",
    "load_ucr",
    "read_ucr_file",
    "read_ts_file",
    "load_aeon",
    "synthetic_ecg",
    "resample_samples",
    "download_mitdb",
    "verify_sha256",
]

#: MIT-BIH beat annotation symbol -> AAMI EC57 class (ANSI/AAMI EC57:1998; de Chazal et al. 2004, Table 1).
AAMI = {
    "N": "N", "L": "N", "R": "N", "e": "N", "j": "N",
    "A": "S", "a": "S", "J": "S", "S": "S",
    "V": "V", "E": "V",
    "F": "F",
    "/": "Q", "f": "Q", "Q": "Q",
}
AAMI_CLASSES = ("N", "S", "V", "F", "Q")

#: de Chazal, O'Dwyer & Reilly 2004 (IEEE TBME 51:1196) inter-patient split.
DS1 = (101, 106, 108, 109, 112, 114, 115, 116, 118, 119, 122, 124, 201, 203, 205, 207, 208, 209, 215, 220,
       223, 230)
DS2 = (100, 103, 105, 111, 113, 117, 121, 123, 200, 202, 210, 212, 213, 214, 219, 221, 222, 228, 231, 232,
       233, 234)


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


def _labels_from(raw, where):
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


def _is_num(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# UCR / UEA
# ---------------------------------------------------------------------------------------------

def read_ucr_file(path):
    """Read one UCR text file (label first, whitespace/tab/comma separated) or a ``.ts`` file.

    Returns ``(samples, raw_labels)``; raises :class:`DatasetError` naming the file otherwise.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"ucr: no such file {path}")
    try:
        text = path.read_text()
    except (UnicodeDecodeError, OSError) as exc:
        raise DatasetError(f"ucr: cannot read {path} as text ({exc}); expected a UCR .tsv/.txt/.csv or .ts file") from None
    if path.suffix.lower() == ".ts" or re.search(r"^\s*@data", text, re.IGNORECASE | re.MULTILINE):
        return read_ts_file(path, text)
    samples, labels = [], []
    for ln, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p for p in re.split(r"[,\s]+", line) if p != ""]
        if len(parts) < 3:
            raise DatasetError(f"ucr: {path} line {ln}: expected a label and >= 2 values, got {len(parts)} field(s); "
                               "not a UCR file (label in the first column, values separated by tabs, spaces or commas)")
        try:
            vals = np.array([np.nan if p in ("?", "NaN", "nan") else float(p) for p in parts[1:]])
        except ValueError:
            raise DatasetError(f"ucr: {path} line {ln}: non-numeric value in {parts[1:6]}...; not a UCR file") from None
        vals = vals[: np.max(np.nonzero(np.isfinite(vals))[0]) + 1] if np.any(np.isfinite(vals)) else vals
        if np.any(~np.isfinite(vals)):
            vals = _fill_nan(vals)
        samples.append(vals[:, None])
        labels.append(parts[0])
    if not samples:
        raise DatasetError(f"ucr: {path} holds no data rows")
    return samples, labels


def _fill_nan(v):
    ok = np.isfinite(v)
    if not ok.any():
        return np.zeros_like(v)
    idx = np.arange(len(v))
    return np.interp(idx, idx[ok], v[ok])


def read_ts_file(path, text=None):
    """Read the sktime/aeon ``.ts`` format: ``@`` header lines, then one case per line with
    dimensions separated by ``:`` (values by commas) and the class label last."""
    path = Path(path)
    text = path.read_text() if text is None else text
    in_data = False
    samples, labels = [], []
    has_label = True
    for ln, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if not in_data:
            low = s.lower()
            if low.startswith("@classlabel"):
                has_label = "true" in low.split()[1:2]
            if low.startswith("@data"):
                in_data = True
            elif not s.startswith("@"):
                raise DatasetError(f"ts: {path} line {ln}: data before the @data line; not a .ts file")
            continue
        if s.startswith("@"):
            continue
        if "(" in s:
            raise DatasetError(f"ts: {path} line {ln}: timestamped .ts data is not supported; "
                               "export the data without timestamps")
        fields = s.split(":")
        if has_label:
            if len(fields) < 2:
                raise DatasetError(f"ts: {path} line {ln}: no class label after the values")
            labels.append(fields[-1].strip())
            fields = fields[:-1]
        else:
            raise DatasetError(f"ts: {path}: @classLabel false -- unlabelled data cannot be classified")
        dims = []
        for f in fields:
            try:
                dims.append(np.array([np.nan if v.strip() in ("?", "") else float(v) for v in f.split(",")]))
            except ValueError:
                raise DatasetError(f"ts: {path} line {ln}: non-numeric value in {f[:40]!r}") from None
        n = max(len(d) for d in dims)
        arr = np.full((n, len(dims)), np.nan)
        for k, d in enumerate(dims):
            arr[: len(d), k] = d
        # trailing NaN rows (unequal length padding) are dropped, inner NaN interpolated
        finite_rows = np.nonzero(np.all(np.isfinite(arr), axis=1))[0]
        if len(finite_rows) == 0:
            raise DatasetError(f"ts: {path} line {ln}: no finite values")
        arr = arr[: finite_rows[-1] + 1]
        for k in range(arr.shape[1]):
            arr[:, k] = _fill_nan(arr[:, k])
        samples.append(arr)
    if not in_data:
        raise DatasetError(f"ts: {path}: no @data line; not a .ts file")
    if not samples:
        raise DatasetError(f"ts: {path}: no cases after @data")
    return samples, labels


def _ucr_pair(path: Path):
    """(train_file, test_file or None) for a file or a folder."""
    if path.is_dir():
        trains = sorted(p for p in path.iterdir() if re.search(r"_TRAIN(\.[A-Za-z]+)?$", p.name, re.IGNORECASE))
        if not trains:
            raise DatasetError(f"ucr: folder {path} holds no *_TRAIN file")
        path = trains[0]
    m = re.match(r"^(.*)_TRAIN(\.[A-Za-z]+)?$", path.name, re.IGNORECASE)
    if m:
        for cand in path.parent.iterdir():
            mm = re.match(r"^(.*)_TEST(\.[A-Za-z]+)?$", cand.name, re.IGNORECASE)
            if mm and mm.group(1) == m.group(1) and (mm.group(2) or "").lower() == (m.group(2) or "").lower():
                return path, cand
    return path, None


def load_ucr(path, fs: float = 1.0) -> SignalSet:
    """UCR/UEA data: a ``_TRAIN`` file with its ``_TEST`` sibling (that split) or a single file.

    UCR files carry no sampling rate; ``fs`` (Hz, default 1 = one value per "second" of the
    encoders' time axis) says how fast to present the values.
    """
    path = Path(path)
    if not path.exists():
        raise DatasetError(f"ucr: no such file or folder {path}")
    tr, te = _ucr_pair(path)
    s_tr, l_tr = read_ucr_file(tr)
    samples, raw = list(s_tr), list(l_tr)
    train = test = None
    if te is not None:
        s_te, l_te = read_ucr_file(te)
        samples += s_te
        raw += l_te
        train = np.arange(len(s_tr))
        test = np.arange(len(s_tr), len(samples))
    labels, names = _labels_from(raw, str(tr))
    name = re.sub(r"_TRAIN$", "", tr.stem, flags=re.IGNORECASE)
    return SignalSet(name, samples, labels, names, fs, train=train, test=test, source=str(path))


# ---------------------------------------------------------------------------------------------
# aeon
# ---------------------------------------------------------------------------------------------

AEON_SETS = {"japanesevowels": ("load_japanese_vowels", "JapaneseVowels"),
             "basicmotions": ("load_basic_motions", "BasicMotions")}


def load_aeon(name: str, fs: float = 100.0) -> SignalSet:
    """A data set shipped inside the ``aeon`` wheel, with its standard train/test split.

    Neither set carries a sampling rate usable by the encoders (JapaneseVowels
    frames are LPC cepstra of 6.4 ms speech frames; BasicMotions is 10 Hz
    accelerometer data); ``fs`` sets the presentation rate in Hz.
    """
    key = name.lower().replace("_", "").replace("-", "")
    if key not in AEON_SETS:
        raise DatasetError(f"aeon:{name}: unknown; available in the wheel: {', '.join(v[1] for v in AEON_SETS.values())}")
    import warnings

    import aeon.datasets as ad

    fn = getattr(ad, AEON_SETS[key][0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Xtr, ytr = fn(split="train")
        Xte, yte = fn(split="test")
    to_list = lambda X: [np.asarray(x, float).T for x in X]  # noqa: E731  (channels, time) -> (time, channels)
    samples = to_list(Xtr) + to_list(Xte)
    labels, names = _labels_from(list(ytr) + list(yte), f"aeon:{name}")
    n = len(Xtr)
    return SignalSet(AEON_SETS[key][1], samples, labels, names, fs, train=np.arange(n),
                     test=np.arange(n, len(samples)), source=f"aeon {ad.__name__}")


# ---------------------------------------------------------------------------------------------
# synthetic ECG
# ---------------------------------------------------------------------------------------------

SYNTH_RATES = ((55, 65), (85, 95), (125, 135))


def synthetic_ecg(n_per_class: int = 20, fs: float = 250.0, window: float = 1.0, noise: float = 0.05,
                  seed: int = 0) -> SignalSet:
    """Windows of ECG simulated by ``neurokit2.ecg_simulate`` (method 'simple'); the class is
    the heart-rate band (:data:`SYNTH_RATES`), each window from its own record with a random
    rate in the band and a random start."""
    import neurokit2 as nk

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


# ---------------------------------------------------------------------------------------------
# MIT-BIH
# ---------------------------------------------------------------------------------------------

#: PhysioNet's checksum list of the MIT-BIH Arrhythmia Database (version 1.0.0).
MITDB_SHA256_URL = "https://physionet.org/files/mitdb/1.0.0/SHA256SUMS.txt"


def _fetch(url: str, dest: Path) -> Path:
    """Download ``url`` to ``dest`` (atomic rename); replaced in tests."""
    import urllib.request

    tmp = dest.with_suffix(dest.suffix + ".part")
    with urllib.request.urlopen(url, timeout=60) as r, open(tmp, "wb") as f:
        f.write(r.read())
    os.replace(tmp, dest)
    return dest


def verify_sha256(folder, sums_file) -> int:
    """Check every file of ``folder`` named in a ``SHA256SUMS.txt`` (``<hex>  <name>`` lines);
    raise :class:`DatasetError` naming the first file whose checksum differs.  Returns the number
    of files checked."""
    import hashlib

    folder = Path(folder)
    checked = 0
    for line in Path(sums_file).read_text().splitlines():
        parts = line.split()
        if len(parts) != 2:
            continue
        digest, name = parts
        f = folder / name.lstrip("*")
        if not f.is_file():
            continue
        got = hashlib.sha256(f.read_bytes()).hexdigest()
        if got != digest.lower():
            raise DatasetError(f"mitdb: {f} has sha256 {got}, PhysioNet lists {digest}; delete it and download again")
        checked += 1
    return checked


def download_mitdb(dest=None, records=None) -> Path:
    """Download the MIT-BIH Arrhythmia Database through ``wfdb.dl_database`` into ``dest``
    (default ``$WORKBENCH_DATA_CACHE/mitdb`` or ``data/cache/mitdb``), then check every file
    against PhysioNet's ``SHA256SUMS.txt``; return the folder."""
    import wfdb

    dest = Path(dest) if dest is not None else cache_dir() / "mitdb"
    dest.mkdir(parents=True, exist_ok=True)
    try:
        wfdb.dl_database("mitdb", dl_dir=str(dest), records=records or "all", annotators=["atr"])
        sums = _fetch(MITDB_SHA256_URL, dest / "SHA256SUMS.txt")
    except Exception as exc:  # network errors come in many types
        raise DatasetError(f"mitdb: download into {dest} failed ({type(exc).__name__}: {exc}); "
                           "download the database from https://physionet.org/content/mitdb/ and use mitdb:DIR") from None
    if verify_sha256(dest, sums) == 0:
        raise DatasetError(f"mitdb: none of the downloaded files in {dest} is listed in {sums}")
    return dest


def _highpass(x, fs, fc=0.5):
    from scipy.signal import butter, sosfiltfilt

    sos = butter(2, fc / (fs / 2), btype="high", output="sos")
    return sosfiltfilt(sos, x, axis=0)


def _read_record(path_base: Path):
    import wfdb

    try:
        rec = wfdb.rdrecord(str(path_base))
        ann = wfdb.rdann(str(path_base), "atr")
    except Exception as exc:
        raise DatasetError(f"mitdb: cannot read record {path_base} (.hea/.dat/.atr): {type(exc).__name__}: {exc}") from None
    if rec.p_signal is None:
        raise DatasetError(f"mitdb: record {path_base} has no physical signal")
    return rec, ann


def load_mitdb(folder, *, records=None, channel: int = 0, pre: float = 0.5, post: float = 0.5,
               fs: float | None = None, split: str = "auto", train_fraction: float = 0.5,
               classes=None, min_class_samples: int = 2) -> SignalSet:
    """Beats of MIT-BIH records (see the module docstring).

    Parameters
    ----------
    folder : path or ``'download'``
    records : list of int/str, optional (default: every record in the folder)
    channel : int
        Signal channel (0 = MLII in most records).
    pre, post : float
        Window before / after the R peak (s).
    fs : float, optional
        Resample the record to this rate (Hz) before cutting beats.
    split : {'auto', 'interpatient', 'time', 'record', 'none'}
    classes : list of AAMI class names, optional
        Keep these classes (each must have samples); default: every class with
        at least ``min_class_samples`` beats.
    """
    if str(folder) == "download":
        folder = download_mitdb()
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"mitdb: no such folder {folder} (use mitdb:DIR with the .hea/.dat/.atr files, "
                           "or mitdb:download)")
    available = sorted(p.stem for p in folder.glob("*.hea"))
    if records is None:
        names = available
    else:
        names = [str(r).strip() for r in records]
        missing = [r for r in names if r not in available]
        if missing:
            raise DatasetError(f"mitdb: record(s) {missing} not found in {folder} (found: {available or 'none'})")
    if not names:
        raise DatasetError(f"mitdb: no records (*.hea) in {folder}")
    full = all(str(r) in available for r in DS1 + DS2)
    if split == "auto":
        split = "interpatient" if (full and records is None) else "time"
    if split == "interpatient":
        if not full:
            miss = [r for r in DS1 + DS2 if str(r) not in available]
            raise DatasetError(f"mitdb: split=interpatient needs the de Chazal DS1/DS2 records; missing in {folder}: "
                               f"{miss[:10]}{'...' if len(miss) > 10 else ''}")
        names = [str(r) for r in DS1 + DS2]
    samples, sym_class, groups, order = [], [], [], []
    fs_out = None
    for name in names:
        rec, ann = _read_record(folder / name)
        fs_rec = float(rec.fs)
        if channel >= rec.p_signal.shape[1]:
            raise DatasetError(f"mitdb: record {folder / name} has {rec.p_signal.shape[1]} channels; channel={channel}")
        x = rec.p_signal[:, channel].astype(float)
        x = _fill_nan(x)
        x = _highpass(x, fs_rec)
        peaks = np.asarray(ann.sample)
        if fs is not None and abs(fs - fs_rec) > 1e-9:
            from scipy.signal import resample_poly
            from fractions import Fraction

            fr = Fraction(fs / fs_rec).limit_denominator(1000)
            x = resample_poly(x, fr.numerator, fr.denominator)
            peaks = np.round(peaks * fs / fs_rec).astype(np.int64)
            fs_r = float(fs)
        else:
            fs_r = fs_rec
        if fs_out is None:
            fs_out = fs_r
        elif abs(fs_out - fs_r) > 1e-9:
            raise DatasetError(f"mitdb: record {name} is sampled at {fs_r} Hz, others at {fs_out} Hz; set fs= to resample")
        n_pre, n_post = int(round(pre * fs_r)), int(round(post * fs_r))
        for k, (p, s) in enumerate(zip(peaks, ann.symbol)):
            cls = AAMI.get(s)
            if cls is None or p - n_pre < 0 or p + n_post > len(x):
                continue
            samples.append(x[p - n_pre:p + n_post, None])
            sym_class.append(cls)
            groups.append(int(name) if name.isdigit() else len(set(groups)))
            order.append(k)
    if not samples:
        raise DatasetError(f"mitdb: no annotated beats found in {folder} records {names}")
    sym_class = np.array(sym_class)
    counts = {c: int((sym_class == c).sum()) for c in AAMI_CLASSES}
    if classes:
        classes = [c.strip().upper() for c in classes]
        bad = [c for c in classes if c not in AAMI_CLASSES]
        if bad:
            raise DatasetError(f"mitdb: unknown class(es) {bad}; AAMI classes are {AAMI_CLASSES}")
        empty = [c for c in classes if counts[c] == 0]
        if empty:
            raise DatasetError(f"mitdb: class(es) {empty} have no beats in records {names} of {folder} "
                               f"(beats per class: {counts}); drop them from classes=")
        keep_cls = classes
    else:
        keep_cls = [c for c in AAMI_CLASSES if counts[c] >= min_class_samples]
    if len(keep_cls) < 2:
        raise DatasetError(f"mitdb: fewer than two classes with >= {min_class_samples} beats in {folder} "
                           f"records {names} (beats per class: {counts})")
    keep = np.isin(sym_class, keep_cls)
    idx_map = {c: i for i, c in enumerate(keep_cls)}
    samples = [s for s, k in zip(samples, keep) if k]
    labels = np.array([idx_map[c] for c in sym_class[keep]])
    groups = np.asarray(groups)[keep]
    train = test = None
    if split == "interpatient":
        train = np.nonzero(np.isin(groups, DS1))[0]
        test = np.nonzero(np.isin(groups, DS2))[0]
    elif split == "time":
        if not 0 < train_fraction < 1:
            raise DatasetError(f"mitdb: train_fraction must be in (0, 1), got {train_fraction}")
        tr, te = [], []
        for g in np.unique(groups):
            ii = np.nonzero(groups == g)[0]  # beats of one record, in time order
            cut = int(round(train_fraction * len(ii)))
            tr.append(ii[:cut]); te.append(ii[cut:])
        train, test = np.concatenate(tr), np.concatenate(te)
    elif split == "record":
        recs = np.unique(groups)
        if len(recs) < 2:
            raise DatasetError(f"mitdb: split=record needs >= 2 records, got {recs.tolist()}")
        test_recs = recs[1::2]
        test = np.nonzero(np.isin(groups, test_recs))[0]
        train = np.nonzero(~np.isin(groups, test_recs))[0]
    elif split != "none":
        raise DatasetError(f"mitdb: unknown split {split!r}; use auto, interpatient, time, record or none")
    return SignalSet("mitdb", samples, labels, list(keep_cls), fs_out, train=train, test=test, groups=groups,
                     source=str(folder), meta={"split": split, "records": ",".join(names),
                                               "beats_per_class": str(counts)})


# ---------------------------------------------------------------------------------------------

def load_signals(spec: str, **options) -> SignalSet:
    """Load ``mitdb:DIR``, ``ucr:PATH``, ``aeon:NAME`` or ``synthetic-ecg``.

    ``options`` go to the loader (e.g. ``records``, ``split``, ``fs``, ``n_per_class``, ``seed``).
    """
    spec = str(spec).strip()
    kind, _, arg = spec.partition(":")
    kind = kind.lower()
    if kind == "mitdb":
        if not arg:
            raise DatasetError("mitdb: give the folder, e.g. mitdb:../shared/data/mitdb (or mitdb:download)")
        allowed = {"records", "channel", "pre", "post", "fs", "split", "train_fraction", "classes",
                   "min_class_samples"}
        return load_mitdb(arg, **{k: v for k, v in options.items() if k in allowed})
    if kind == "ucr":
        if not arg:
            raise DatasetError("ucr: give a file or folder, e.g. ucr:data/ECG200/ECG200_TRAIN.tsv")
        return load_ucr(arg, **{k: v for k, v in options.items() if k in ("fs",)})
    if kind == "aeon":
        return load_aeon(arg, **{k: v for k, v in options.items() if k in ("fs",)})
    if kind in ("synthetic-ecg", "synthetic_ecg"):
        return synthetic_ecg(**{k: v for k, v in options.items() if k in ("n_per_class", "fs", "window", "noise", "seed")})
    raise DatasetError(f"unknown data set {spec!r}; use mitdb:DIR, ucr:PATH, aeon:NAME or synthetic-ecg")


def resample_samples(samples, n_time: int) -> np.ndarray:
    """Every sample linearly resampled to ``n_time`` points: array (sample, n_time, channels)."""
    out = np.empty((len(samples), n_time, samples[0].shape[1]))
    for i, s in enumerate(samples):
        src = np.linspace(0, 1, len(s))
        dst = np.linspace(0, 1, n_time)
        for c in range(s.shape[1]):
            out[i, :, c] = np.interp(dst, src, s[:, c])
    return out
