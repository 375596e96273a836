"""Annotated recordings in EDF, BDF or GDF files (EEG, EMG, polysomnography), read with MNE.

``edf:PATH_OR_FOLDER`` (:func:`load_edf`): the epochs around the annotations named in ``events``
of one file or of every ``.edf`` / ``.bdf`` / ``.gdf`` file under a folder, with channel picks,
MNE's band-pass filter (``l_freq``, ``h_freq``) and resampling (``fs``) applied to the whole
recording before it is cut.  An epoch is ``[tmin, tmax)`` s around its annotation's onset:
``round((tmax - tmin) * fs)`` samples.  Epochs that would reach past the recording are dropped
(counted in ``meta['epochs_dropped']``).

Defaults are those of motor imagery in PhysioNet's EEG Motor Movement/Imagery Dataset
(eegmmidb; Schalk et al. 2004, IEEE TBME 51:1034; Goldberger et al. 2000): 64 EEG channels at
160 Hz, one EDF+ file per run (``SNNNRMM.edf``), annotations ``T0`` (rest), ``T1`` and ``T2``
(each about 4.1-4.2 s).  ``events=('T1', 'T2')`` with ``tmin=0``, ``tmax=4`` s takes the whole
cue period of each task; add ``'T0'`` for rest.  What T1/T2 mean depends on the run
(:data:`EEGBCI_RUNS`), so in files named ``SNNNRMM`` the classes are named by the task
("imagined left fist", ...): runs of different tasks in one folder give different classes
instead of one class for two movements.  Other files' classes are named by their annotation
(or by ``events={'annotation': 'class name'}``).

Subjects: one per file or per folder.  A file named ``SNNNRMM`` belongs to subject ``SNNN``;
another file in a subfolder of the folder given belongs to the subfolder (one folder per
subject); a file directly in it is a subject of its own (its name without suffix).  The subject
of every epoch is in ``SignalSet.groups``; ``sample_info`` holds its ``file``, ``run`` (-1 where
the name gives none) and ``onset`` (s).

:func:`load_eegbci` fetches eegmmidb runs through ``mne.datasets.eegbci.load_data`` (pooch,
checked against MNE's checksum list, cached in ``~/mne_data`` or ``MNE_DATASETS_EEGBCI_PATH``)
and reads them with :func:`load_edf`.

Values are in MNE's SI units (volts for EEG).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .errors import DatasetError
from .signals import SignalSet

__all__ = ["EEGBCI_RUNS", "MOTOR_IMAGERY_RUNS", "SUFFIXES", "find_recordings", "read_raw", "load_edf",
           "load_eegbci", "parse_subjects"]

#: eegmmidb run -> (T1, T2) meaning (PhysioNet eegmmidb 1.0.0 description; T0 is rest in every run).
EEGBCI_RUNS = {
    **{r: ("left fist", "right fist") for r in (3, 7, 11)},
    **{r: ("imagined left fist", "imagined right fist") for r in (4, 8, 12)},
    **{r: ("both fists", "both feet") for r in (5, 9, 13)},
    **{r: ("imagined both fists", "imagined both feet") for r in (6, 10, 14)},
}
#: Motor imagery of the left vs the right fist.
MOTOR_IMAGERY_RUNS = (4, 8, 12)
SUFFIXES = (".edf", ".bdf", ".gdf")
EEGBCI_NAME = re.compile(r"^S(?P<subject>\d{3})R(?P<run>\d{2})$", re.IGNORECASE)


def _recording(f: Path, root: Path) -> tuple[str, int, Path]:
    m = EEGBCI_NAME.match(f.stem)
    if m:
        return f"S{m['subject']}", int(m["run"]), f
    if f.parent != root:
        return f.relative_to(root).parts[0], -1, f
    return f.stem, -1, f


def find_recordings(path) -> list[tuple[str, int, Path]]:
    """``(subject, run, file)`` of one recording file, of a list of them or of every one under a
    folder (see the module docstring for the subject rule; ``run`` is -1 where the name gives none)."""
    if isinstance(path, (list, tuple)):
        return [r for f in path for r in find_recordings(f)]
    path = Path(path)
    if path.is_file():
        if path.suffix.lower() not in SUFFIXES:
            raise DatasetError(f"edf: {path} is not an .edf, .bdf or .gdf file")
        return [_recording(path, path.parent)]
    if not path.is_dir():
        raise DatasetError(f"edf: no such file or folder {path} (give an .edf/.bdf/.gdf file or a folder of them)")
    files = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
    if not files:
        raise DatasetError(f"edf: no .edf, .bdf or .gdf file under {path}")
    return [_recording(f, path) for f in files]


def _check_size(path: Path):
    """EDF/BDF: the file holds as many data records as its header says (MNE reads a truncated file
    with a warning and fewer samples)."""
    bps = {".edf": 2, ".bdf": 3}.get(path.suffix.lower())
    if bps is None:
        return
    with open(path, "rb") as fh:
        head = fh.read(256)
        try:
            n_rec, ns = int(head[236:244]), int(head[252:256])
            fh.seek(256 + ns * 216)
            per_rec = sum(int(fh.read(8)) for _ in range(ns))
        except ValueError:
            raise DatasetError(f"edf: {path} has no valid EDF/BDF header; the file is damaged or not EDF/BDF") from None
    want, have = 256 * (ns + 1) + n_rec * per_rec * bps, path.stat().st_size
    if n_rec > 0 and have < want:
        raise DatasetError(f"edf: {path} is truncated: its header announces {n_rec} data records ({want} bytes) but "
                           f"the file has {have} bytes; download or export it again")


def read_raw(path, verbose="error"):
    """The recording in ``path`` as a preloaded ``mne.io.Raw``; a :class:`DatasetError` naming the
    file if it is missing, truncated or not EDF/BDF/GDF."""
    import mne  # heavy import; only EDF users need it

    path = Path(path)
    readers = {".edf": mne.io.read_raw_edf, ".bdf": mne.io.read_raw_bdf, ".gdf": mne.io.read_raw_gdf}
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise DatasetError(f"edf: {path} is not an .edf, .bdf or .gdf file")
    if not path.is_file():
        raise DatasetError(f"edf: no such file {path}")
    _check_size(path)
    try:
        return reader(path, preload=True, verbose=verbose)
    except Exception as exc:  # MNE raises ValueError, KeyError, struct errors ... on bad files
        raise DatasetError(f"edf: cannot read {path} ({type(exc).__name__}: {exc}); the file is damaged or not "
                           f"{path.suffix.lstrip('.').upper()}") from None


def _norm(name):
    return name.strip().strip(".").lower()


def _picks(raw, picks, path):
    """Channel names of ``raw`` for ``picks`` (names matched without case and trailing dots, as
    eegmmidb writes ``C3..``), in the order asked; ``'data'`` (every data channel) when ``picks`` is None."""
    if picks is None:
        return "data"
    if isinstance(picks, str):
        picks = [p for p in picks.split(",") if p.strip()]
    by_norm = {_norm(c): c for c in raw.ch_names}
    missing = [p for p in picks if _norm(p) not in by_norm]
    if missing:
        raise DatasetError(f"edf: {path} has no channel(s) {missing}; it has {raw.ch_names}")
    return [by_norm[_norm(p)] for p in picks]


def _events(events):
    """``{annotation: class name or None}`` from a list, a comma string or a dict."""
    if isinstance(events, dict):
        return {str(k): str(v) for k, v in events.items()}
    if isinstance(events, str):
        events = [e for e in events.split(",") if e.strip()]
    out = {}
    for e in events:
        key, _, name = str(e).partition("=")
        out[key.strip()] = name.strip() or None
    if not out:
        raise DatasetError("edf: events is empty; name the annotations that define the epochs (e.g. T1,T2)")
    return out


def _class_name(desc, given, run):
    if given:
        return given
    if run in EEGBCI_RUNS and desc in ("T0", "T1", "T2"):
        return "rest" if desc == "T0" else EEGBCI_RUNS[run][int(desc[1]) - 1]
    return desc


def load_edf(path, *, events=("T1", "T2"), tmin: float = 0.0, tmax: float = 4.0, picks=None,
             l_freq: float | None = None, h_freq: float | None = None, fs: float | None = None,
             subjects=None) -> SignalSet:
    """Epochs of the annotated events of EDF/BDF/GDF recordings (see the module docstring).

    Parameters
    ----------
    path : path or list of paths
        A recording, a list of them, or a folder searched recursively.
    events : list of str, comma string or dict
        The annotations that define the epochs; ``'T1=left'`` or ``{'T1': 'left'}`` names the class.
    tmin, tmax : float
        Epoch window around each annotation's onset (s), ``[tmin, tmax)``.
    picks : list of str or comma string, optional
        Channels (default: every data channel); the same in every file.
    l_freq, h_freq : float, optional
        Band edges of MNE's FIR filter (Hz; ``None``: no high-pass / low-pass).
    fs : float, optional
        Resample every recording to this rate (Hz) after filtering; needed when the files' rates differ.
    subjects : list of str, optional
        Keep these subjects (default: all).
    """
    recs = find_recordings(path)
    if subjects:
        keep = {str(s) for s in subjects}
        recs = [r for r in recs if r[0] in keep]
        if not recs:
            raise DatasetError(f"edf: no recording of subject(s) {sorted(keep)} under {path}")
    where = str(path) if not isinstance(path, (list, tuple)) else f"{len(path)} files in {Path(path[0]).parent}"
    return _epochs(recs, where, events=events, tmin=tmin, tmax=tmax, picks=picks, l_freq=l_freq,
                   h_freq=h_freq, fs=fs)


def _epochs(recs, where, *, events, tmin, tmax, picks, l_freq, h_freq, fs) -> SignalSet:
    import mne  # heavy import; only EDF users need it

    if not tmax > tmin:
        raise DatasetError(f"edf: tmax={tmax} s must be after tmin={tmin} s")
    want = _events(events)
    samples, names, groups, files, runs, onsets = [], [], [], [], [], []
    ch_ref, ch_names, fs_ref, dropped, skipped = None, None, None, 0, []
    for subject, run, f in recs:
        raw = read_raw(f)
        try:
            raw.pick(_picks(raw, picks, f))
        except ValueError:  # MNE: no channel of the types asked for
            raise DatasetError(f"edf: {f} has no data channel; name the channels with picks=") from None
        if l_freq is not None or h_freq is not None:
            raw.filter(l_freq, h_freq, verbose="error")
        if fs is not None and abs(raw.info["sfreq"] - fs) > 1e-9:
            raw.resample(fs, verbose="error")
        sf = float(raw.info["sfreq"])
        norm = [_norm(c) for c in raw.ch_names]
        if ch_ref is None:
            ch_ref, ch_names, fs_ref = norm, list(raw.ch_names), sf
        elif norm != ch_ref:
            raise DatasetError(f"edf: {f} has channels {raw.ch_names}, other files {ch_names}; choose common ones "
                               "with picks=")
        elif abs(sf - fs_ref) > 1e-9:
            raise DatasetError(f"edf: {f} is sampled at {sf} Hz, other files at {fs_ref} Hz; set fs= to resample")
        event_id = {d: k + 1 for k, d in enumerate(want) if d in set(raw.annotations.description)}
        if not event_id:
            skipped.append(f.name)
            continue
        ev, _ = mne.events_from_annotations(raw, event_id=event_id, verbose="error")
        desc = {k: d for d, k in event_id.items()}
        data, n, shift = raw.get_data(), int(round((tmax - tmin) * sf)), int(round(tmin * sf))
        for sample, _, code in ev:
            a = int(sample) - raw.first_samp + shift
            if a < 0 or a + n > data.shape[1]:
                dropped += 1
                continue
            samples.append(data[:, a:a + n].T)
            names.append(_class_name(desc[code], want[desc[code]], run))
            groups.append(subject)
            files.append(f.name)
            runs.append(run)
            onsets.append((int(sample) - raw.first_samp) / sf)
    if not samples:
        raise DatasetError(f"edf: no annotation {list(want)} with a full [{tmin}, {tmax}) s window in "
                           f"{len(recs)} file(s) under {where}")
    order = dict.fromkeys(_class_name(d, want[d], r) for r in sorted(set(runs)) for d in want)
    classes = [c for c in order if c in set(names)]
    if len(classes) < 2:
        raise DatasetError(f"edf: only one class ({classes}) among the annotations {list(want)} under {where}; "
                           "a classifier needs at least two")
    labels = np.array([classes.index(c) for c in names])
    return SignalSet("edf", samples, labels, classes, fs_ref, groups=np.array(groups), source=where,
                     sample_info={"file": np.array(files), "run": np.array(runs), "onset": np.array(onsets)},
                     meta={"events": ",".join(want), "tmin_s": tmin, "tmax_s": tmax, "l_freq_hz": l_freq,
                           "h_freq_hz": h_freq, "channels": ",".join(ch_names), "units": "V (MNE SI units)",
                           "epochs_dropped": dropped, "files_without_events": ",".join(skipped)})


def parse_subjects(text) -> list[int]:
    """``'1-3,7'`` -> ``[1, 2, 3, 7]``."""
    out = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        try:
            out.extend(range(int(lo), int(hi or lo) + 1))
        except ValueError:
            raise DatasetError(f"eegbci: cannot read subjects {text!r}; write e.g. 1-10 or 1,4,7") from None
    if not out:
        raise DatasetError(f"eegbci: no subject in {text!r}; write e.g. 1-10")
    bad = [s for s in out if not 1 <= s <= 109]
    if bad:
        raise DatasetError(f"eegbci: subjects {bad} outside 1..109")
    return out


def load_eegbci(subjects, runs=MOTOR_IMAGERY_RUNS, *, path=None, **options) -> SignalSet:
    """PhysioNet eegmmidb runs of ``subjects`` (list of int or ``'1-10'``), fetched (once, checked)
    by ``mne.datasets.eegbci.load_data`` into ``path`` (default MNE's), then :func:`load_edf` with
    ``options``; default runs: imagined left vs right fist (:data:`MOTOR_IMAGERY_RUNS`)."""
    from mne.datasets import eegbci  # heavy; only EDF users need it

    subjects = parse_subjects(subjects) if isinstance(subjects, str) else [int(s) for s in subjects]
    runs = [int(r) for r in (runs.split(",") if isinstance(runs, str) else runs)]
    try:
        files = eegbci.load_data(subjects, runs, path=path, update_path=False)
    except Exception as exc:  # network and checksum errors come in many types
        raise DatasetError(f"eegbci: fetching subjects {subjects} runs {runs} failed ({type(exc).__name__}: {exc}); "
                           "download eegmmidb from PhysioNet and use edf:FOLDER") from None
    return load_edf([Path(f) for f in files], **options)
