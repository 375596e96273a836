"""Beats of the MIT-BIH Arrhythmia Database (Moody & Mark 2001, PhysioNet), labelled with the
AAMI EC57 classes, with the inter-patient, time or record splits (see :func:`load_mitdb`)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy.signal import butter, resample_poly, sosfiltfilt

from ..paths import cache_dir
from .download import fetch
from .errors import DatasetError
from .signals import SignalSet, fill_nan

__all__ = ["AAMI", "AAMI_CLASSES", "DS1", "DS2", "MITDB_URL", "RR_FEATURES", "download_mitdb", "load_mitdb", "rr_features"]

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

#: PhysioNet's copy of the database (version 1.0.0); ``SHA256SUMS.txt`` there lists every file's checksum.
MITDB_URL = "https://physionet.org/files/mitdb/1.0.0/"
_RECORD_FILES = ("hea", "dat", "atr")


def _sha256_sums(path: Path) -> dict[str, str]:
    """``name -> sha256`` from a ``SHA256SUMS.txt`` (``<hex>  <name>`` lines)."""
    sums = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2:
            sums[parts[1].lstrip("*")] = parts[0].lower()
    return sums


def download_mitdb(dest=None, records=None) -> Path:
    """Download the MIT-BIH Arrhythmia Database (``NNN.hea/.dat/.atr`` of ``records``, default all)
    from PhysioNet into ``dest`` (default ``$WORKBENCH_DATA_CACHE/mitdb`` or ``data/cache/mitdb``),
    each file checked against PhysioNet's ``SHA256SUMS.txt``; files already there are checked, not
    downloaded again.  Returns the folder."""
    dest = Path(dest) if dest is not None else cache_dir() / "mitdb"
    hint = "; or download the database from https://physionet.org/content/mitdb/ and use mitdb:DIR"
    try:
        sums = _sha256_sums(fetch(MITDB_URL + "SHA256SUMS.txt", dest / "SHA256SUMS.txt"))
        available = sorted(name[:-4] for name in sums if name.endswith(".hea") and "/" not in name)
        wanted = available if records is None else [str(r).strip() for r in records]
        missing = [r for r in wanted if any(f"{r}.{ext}" not in sums for ext in _RECORD_FILES)]
        if missing or not wanted:
            raise DatasetError(f"mitdb: record(s) {missing or wanted} not in {MITDB_URL}SHA256SUMS.txt "
                               f"(records there: {available[:5]}...)")
        for record in wanted:
            for ext in _RECORD_FILES:
                fetch(MITDB_URL + f"{record}.{ext}", dest / f"{record}.{ext}", sums[f"{record}.{ext}"])
    except DatasetError as exc:
        raise DatasetError(f"mitdb: download into {dest}: {exc}{hint}") from None
    return dest


def _highpass(x, fs, fc=0.5):
    sos = butter(2, fc / (fs / 2), btype="high", output="sos")
    return sosfiltfilt(sos, x, axis=0)


def _read_record(path_base: Path):
    import wfdb  # optional 'bio' extra (reads WFDB records)

    try:
        rec = wfdb.rdrecord(str(path_base))
        ann = wfdb.rdann(str(path_base), "atr")
    except Exception as exc:
        raise DatasetError(f"mitdb: cannot read record {path_base} (.hea/.dat/.atr): {type(exc).__name__}: {exc}") from None
    if rec.p_signal is None:
        raise DatasetError(f"mitdb: record {path_base} has no physical signal")
    return rec, ann


def _split(split: str, groups: np.ndarray, train_fraction: float):
    """(train, test) index arrays of a split (see :func:`load_mitdb`); ``(None, None)`` for 'none'."""
    if split == "interpatient":
        return np.nonzero(np.isin(groups, DS1))[0], np.nonzero(np.isin(groups, DS2))[0]
    if split == "time":
        if not 0 < train_fraction < 1:
            raise DatasetError(f"mitdb: train_fraction must be in (0, 1), got {train_fraction}")
        tr, te = [], []
        for g in np.unique(groups):
            ii = np.nonzero(groups == g)[0]  # beats of one record, in time order
            cut = int(round(train_fraction * len(ii)))
            tr.append(ii[:cut])
            te.append(ii[cut:])
        return np.concatenate(tr), np.concatenate(te)
    if split == "record":
        recs = np.unique(groups)
        if len(recs) < 2:
            raise DatasetError(f"mitdb: split=record needs >= 2 records, got {recs.tolist()}")
        test_recs = recs[1::2]
        return np.nonzero(~np.isin(groups, test_recs))[0], np.nonzero(np.isin(groups, test_recs))[0]
    if split != "none":
        raise DatasetError(f"mitdb: unknown split {split!r}; use auto, interpatient, time, record or none")
    return None, None


def load_mitdb(folder, *, records=None, channel: int = 0, pre: float = 0.5, post: float = 0.5,
               fs: float | None = None, split: str = "auto", train_fraction: float = 0.5,
               classes=None, min_class_samples: int = 2) -> SignalSet:
    """Beats of MIT-BIH records.

    Beats are cut around the annotated R peaks (``pre`` before, ``post`` after; default 0.5 s +
    0.5 s so a premature beat's short RR interval is inside its window), after removing the
    baseline (0.5 Hz high-pass), labelled with the AAMI EC57 classes N / S / V / F / Q
    (:data:`AAMI`; non-beat annotations are skipped).

    Parameters
    ----------
    folder : path or ``'download'``
        The ``NNN.hea/.dat/.atr`` files; ``'download'`` fetches them (:func:`download_mitdb`).
    records : list of int/str, optional (default: every record in the folder)
    channel : int
        Signal channel (0 = MLII in most records).
    pre, post : float
        Window before / after the R peak (s).
    fs : float, optional
        Resample the record to this rate (Hz) before cutting beats.
    split : {'auto', 'interpatient', 'time', 'record', 'none'}
        ``interpatient`` (de Chazal, O'Dwyer & Reilly 2004: train on DS1, test on DS2; paced
        records 102/104/107/217 excluded; needs all 44 records), ``time`` (record-wise: the first
        ``train_fraction`` of every record's beats train, the rest test; no beat of the test part
        precedes a training beat of the same record), ``record`` (leave records out: every second
        record tests) and ``auto`` (interpatient if the full database is present, else time).
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
    samples, sym_class, groups, rr = [], [], [], []
    fs_out = None
    for name in names:
        rec, ann = _read_record(folder / name)
        fs_rec = float(rec.fs)
        if channel >= rec.p_signal.shape[1]:
            raise DatasetError(f"mitdb: record {folder / name} has {rec.p_signal.shape[1]} channels; channel={channel}")
        x = _highpass(fill_nan(rec.p_signal[:, channel].astype(float)), fs_rec)
        peaks = np.asarray(ann.sample)
        if fs is not None and abs(fs - fs_rec) > 1e-9:
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
        is_beat = np.array([AAMI.get(s) is not None for s in ann.symbol], bool)
        rr_of = dict(zip(np.nonzero(is_beat)[0].tolist(), rr_features(peaks[is_beat] / fs_r)))
        for k, (p, s) in enumerate(zip(peaks, ann.symbol)):
            cls = AAMI.get(s)
            if cls is None or p - n_pre < 0 or p + n_post > len(x):
                continue
            samples.append(x[p - n_pre:p + n_post, None])
            sym_class.append(cls)
            rr.append(rr_of[k])
            groups.append(int(name) if name.isdigit() else len(set(groups)))
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
    rr = np.asarray(rr, float)[keep]
    train, test = _split(split, groups, train_fraction)
    return SignalSet("mitdb", samples, labels, list(keep_cls), fs_out, train=train, test=test, groups=groups,
                     source=str(folder), meta={"split": split, "records": ",".join(names),
                                               "beats_per_class": str(counts)},
                     sample_info={name: rr[:, k] for k, name in enumerate(RR_FEATURES)})


#: RR-interval features of a beat (s), as de Chazal, O'Dwyer & Reilly 2004 (Sec. II-C) use them beside
#: the morphology: the interval to the previous and to the next beat, their local average (the ten
#: intervals around the beat) and the average over the whole record.
RR_FEATURES = ("rr_previous", "rr_next", "rr_local", "rr_record")


def rr_features(r_times) -> np.ndarray:
    """``(beat, 4)`` RR-interval features (s; :data:`RR_FEATURES`) of the beats at ``r_times`` (s,
    increasing, every annotated beat of one record); the first beat's previous interval is its next
    and the last beat's next is its previous."""
    t = np.asarray(r_times, float)
    if len(t) < 2:
        return np.full((len(t), 4), np.nan)
    d = np.diff(t)
    prev = np.r_[d[0], d]
    nxt = np.r_[d, d[-1]]
    kernel = np.ones(10) / 10
    local = np.convolve(np.pad(d, 5, mode="edge"), kernel, "valid")[:len(t)]
    return np.column_stack([prev, nxt, local, np.full(len(t), d.mean())])
