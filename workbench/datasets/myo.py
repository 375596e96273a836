"""Surface EMG of wrist gestures recorded with the Myo armband: the ``myo:FOLDER`` data spec.

The recordings (the myo-readings-dataset, github user aljazfrancic, MIT licence) are one folder
per session, named ``PARTICIPANT-SESSION`` (``12345-1``), holding one file per gesture
``G.txt`` (``0.txt`` .. ``7.txt``): about 60 s of lines ``e1,...,e8,label`` -- the eight EMG
channels of the armband as signed bytes (-128..127) and a label per sample.  In ``G.txt`` the
label alternates between 0 (rest, "hibernation") and ``G`` on a 5-s cue (:data:`CUE_PERIOD`),
starting with rest; ``0.txt`` is a minute of rest that includes slight hand movements which a
classifier should call rest.  Gestures: :data:`GESTURES`.

Window rule (:func:`load_myo` defaults), chosen from the structure of the recordings:

- **Segments**: every contiguous run of the label ``G`` in ``G.txt`` is one gesture segment
  (about 5 s; the last run of a file is often cut short by the end of the recording).
- **Onset skipped** (``skip`` = 0.75 s): the label is a cue, and the muscle follows it with a
  delay.  Over 376 rest-to-gesture cues of the 9 sessions at hand, the RMS envelope (mean over
  the 8 channels, 50-ms smoothing) covered 90 % of its step from the level 1-4 s before the cue
  to the level 1-4 s after it within a median 0.35 s, within 0.56 s for 90 % of the cues and
  0.70 s for 95 %; 0.75 s leaves the rise out of almost every window.  The end of a segment is
  kept: in the last 0.5 s before the cue back to rest the envelope is still at a median 0.90 of
  the gesture's level, and it falls only after that cue.
- **Windows** (``window`` = 0.25 s, ``step`` = ``window``): 50 samples at 200 Hz, in the
  150-250 ms range that Smith, Hargrove, Lock & Kuiken (2011, IEEE TNSRE 19:186) found best for
  pattern-recognition myoelectric control, and close to the 256 ms of Englehart & Hudgins
  (2003, IEEE TBME 50:848).  Windows do not overlap by default, so every recorded sample is in
  at most one window (about 17 per full segment); ``step`` < ``window`` gives overlapping ones.
- **Rest is a class** (``rest=True``): a myoelectric controller must tell "no gesture" from the
  gestures, and the data set records rest on purpose (``0.txt``, movements included).  Rest
  windows come from ``0.txt`` only, from the same stretches of the minute where the gesture
  files hold their gesture (blocks ``k * CUE_PERIOD`` to ``(k + 1) * CUE_PERIOD`` for odd ``k``,
  after the same ``skip``): every class then has the same number of windows per session, from
  the same part of the recording.  The rest runs between gestures in ``G.txt`` are not used:
  they begin with the release of the gesture (the envelope is within 10 % of the rest level a
  median 0.58 s after the cue, 0.96 s for 90 % of the cues).
  ``python benchmarks/emg_baselines.py --structure`` prints these figures.

Sampling rate: the files carry no time stamps.  The Myo armband streams EMG at 200 Hz (the
dataset's README: "approximately 200 Hz, as per Myo specifications"), and :data:`MYO_FS` is
that value.  The only clock in the data is the 5-s cue, so :func:`estimate_fs` divides the
median length of the complete label runs by 5 s: 199.6-200.0 Hz for participants 12345 and
21547, 206.0-206.4 Hz for 45612 (the cue timer of the recording program, not the armband, is
the likely source of that 3 %).  Each session's estimate is kept in ``meta``.

Every window carries its participant (``SignalSet.groups``, for leave-participants-out
evaluation) and, in ``SignalSet.sample_info``, its session (``PARTICIPANT-SESSION``) and the
time of its first sample in its file (``start``, s).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .errors import DatasetError
from .signals import SignalSet

__all__ = ["GESTURES", "MYO_FS", "CUE_PERIOD", "N_CHANNELS", "find_sessions", "read_myo_file", "label_runs",
           "estimate_fs", "load_myo"]

#: Gesture of label / file ``G`` (the dataset's README; 0 is "hibernation", rest).
GESTURES = ("rest", "flexion", "extension", "radial deviation", "ulnar deviation", "pronation", "supination",
            "fist")
#: Hz: the Myo armband's EMG rate (Thalmic Labs specification; the dataset's README).
MYO_FS = 200.0
#: s: the recording program switches the label between rest and the gesture every 5 s.
CUE_PERIOD = 5.0
N_CHANNELS = 8
SESSION_NAME = re.compile(r"^(?P<participant>[^-\s]+)-(?P<session>\d+)$")


def find_sessions(folder) -> list[tuple[str, str, Path]]:
    """``(participant, session, folder)`` of every session folder: ``folder`` itself if it is named
    ``PARTICIPANT-SESSION``, else its subfolders so named."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"myo: no such folder {folder} (give the folder of PARTICIPANT-SESSION folders, "
                           "e.g. myo:../shared/data/emg-myo)")
    cands = [folder] if SESSION_NAME.match(folder.name) else sorted(p for p in folder.iterdir() if p.is_dir())
    out = [(m["participant"], m["session"], p) for p in cands if (m := SESSION_NAME.match(p.name))]
    if not out:
        raise DatasetError(f"myo: {folder} holds no session folder named PARTICIPANT-SESSION (e.g. 12345-1) "
                           "with the gesture files 0.txt..7.txt")
    return out


def read_myo_file(path) -> tuple[np.ndarray, np.ndarray]:
    """``(emg, labels)`` of one gesture file: int arrays (time, 8) and (time,)."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"myo: missing gesture file {path} (a session folder holds 0.txt..7.txt)")
    try:
        data = np.loadtxt(path, delimiter=",", dtype=np.int64, ndmin=2)
    except ValueError as exc:
        raise DatasetError(f"myo: {path} is not a Myo recording ({exc}); expected lines of 8 EMG values and "
                           "a label, separated by commas") from None
    if data.shape[0] == 0 or data.shape[1] != N_CHANNELS + 1:
        raise DatasetError(f"myo: {path} has {data.shape[1] if data.size else 0} columns per line; expected "
                           f"{N_CHANNELS} EMG values and a label")
    emg, labels = data[:, :N_CHANNELS], data[:, N_CHANNELS]
    if emg.min() < -128 or emg.max() > 127:
        raise DatasetError(f"myo: {path} holds EMG values outside -128..127 ({emg.min()}..{emg.max()}); "
                           "the Myo armband gives signed bytes")
    return emg, labels


def label_runs(labels) -> list[tuple[int, int, int]]:
    """``(label, start, stop)`` of every run of equal labels (``stop`` exclusive)."""
    labels = np.asarray(labels)
    edges = np.r_[0, np.nonzero(np.diff(labels))[0] + 1, len(labels)]
    return [(int(labels[a]), int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


def estimate_fs(label_arrays, cue_period: float = CUE_PERIOD) -> float:
    """Sampling rate (Hz) from the cue clock: the median length of the complete label runs (all but
    the first and the last of each file) over ``cue_period``; NaN if no file has one."""
    lengths = [b - a for lab in label_arrays for _, a, b in label_runs(lab)[1:-1]]
    return float(np.median(lengths) / cue_period) if lengths else float("nan")


def _window_starts(start, stop, n_win, n_step, n_skip):
    """Start indices of the windows of ``n_win`` samples, every ``n_step``, inside ``[start + n_skip, stop)``."""
    return range(start + n_skip, stop - n_win + 1, n_step)


def load_myo(folder, *, window: float = 0.25, step: float | None = None, skip: float = 0.75, rest: bool = True,
             fs: float = MYO_FS, participants=None) -> SignalSet:
    """Windows of the Myo gesture recordings (see the module docstring for the window rule).

    Parameters
    ----------
    folder : path
        A folder of ``PARTICIPANT-SESSION`` folders, or one such folder.
    window, step, skip : float
        Window length, window step and the part of each segment skipped after its cue (s).
    rest : bool
        Rest as a class (windows from ``0.txt``); ``False``: the seven gestures only.
    fs : float
        Sampling rate (Hz) used to turn the times into samples.
    participants : list of str, optional
        Keep these participants (default: all).
    """
    step = window if step is None else step
    if not (window > 0 and step > 0 and skip >= 0 and fs > 0):
        raise DatasetError(f"myo: window={window}, step={step} (s) and fs={fs} (Hz) must be positive and "
                           f"skip={skip} (s) not negative")
    n_win, n_step, n_skip = int(round(window * fs)), int(round(step * fs)), int(round(skip * fs))
    n_period = int(round(CUE_PERIOD * fs))
    if n_win < 2 or n_skip + n_win > n_period:
        raise DatasetError(f"myo: window={window} s with skip={skip} s does not fit a {CUE_PERIOD:g}-s gesture "
                           f"segment at {fs:g} Hz; shorten them")
    sessions = find_sessions(folder)
    if participants:
        want = [str(p) for p in participants]
        missing = sorted(set(want) - {p for p, _, _ in sessions})
        if missing:
            raise DatasetError(f"myo: participant(s) {missing} not in {folder} (found "
                               f"{sorted({p for p, _, _ in sessions})})")
        sessions = [s for s in sessions if s[0] in want]
    first_class = 0 if rest else 1
    samples, labels, groups, sess_of, starts, fs_est = [], [], [], [], [], {}
    for participant, session, path in sessions:
        name = f"{participant}-{session}"
        gesture_labels = []
        for g in range(first_class, len(GESTURES)):
            f = path / f"{g}.txt"
            emg, lab = read_myo_file(f)
            bad = sorted(set(np.unique(lab).tolist()) - {0, g})
            if bad:
                raise DatasetError(f"myo: {f} holds labels {bad}; a gesture file G.txt holds only 0 (rest) and G")
            if g == 0:  # rest: the cue blocks where the gesture files hold their gesture
                segs = [(k * n_period, min((k + 1) * n_period, len(lab))) for k in range(1, len(lab) // n_period + 1, 2)]
            else:
                gesture_labels.append(lab)
                segs = [(a, b) for lab_, a, b in label_runs(lab) if lab_ == g]
                if not segs:
                    raise DatasetError(f"myo: {f} holds no sample labelled {g} ({GESTURES[g]})")
            for a, b in segs:
                for s in _window_starts(a, b, n_win, n_step, n_skip):
                    samples.append(emg[s:s + n_win].astype(float))
                    labels.append(g - first_class)
                    groups.append(participant)
                    sess_of.append(name)
                    starts.append(s / fs)
        fs_est[name] = estimate_fs(gesture_labels)
    if not samples:
        raise DatasetError(f"myo: no window of {window} s fits the gesture segments in {folder}")
    return SignalSet("myo", samples, np.array(labels), list(GESTURES[first_class:]), float(fs),
                     groups=np.array(groups), source=str(folder),
                     sample_info={"session": np.array(sess_of), "start": np.array(starts)},
                     meta={"window_s": window, "step_s": step, "skip_s": skip, "rest": int(rest),
                           "units": "Myo EMG counts (signed byte)",
                           "fs_estimate_hz": ",".join(f"{k}:{v:.1f}" for k, v in fs_est.items())})
