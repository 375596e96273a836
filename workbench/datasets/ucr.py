"""UCR/UEA time-series classification files: text (label first) or the sktime/aeon ``.ts``
format, as a :class:`~workbench.datasets.signals.SignalSet` with the archive's train/test split."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from .errors import DatasetError
from .signals import SignalSet, fill_nan, labels_from

__all__ = ["read_ucr_file", "read_ts_file", "load_ucr"]


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
            vals = fill_nan(vals)
        samples.append(vals[:, None])
        labels.append(parts[0])
    if not samples:
        raise DatasetError(f"ucr: {path} holds no data rows")
    return samples, labels


def _ts_labels(text: str, path: Path) -> list[str]:
    """The class label of every case, as written (aeon lower-cases them), after the checks that
    aeon's reader does not make; each :class:`DatasetError` names the file, the line and the fix."""
    in_data, has_label, labels = False, True, []
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
        if "(" in s:
            raise DatasetError(f"ts: {path} line {ln}: timestamped .ts data is not supported; "
                               "export the data without timestamps")
        if not has_label:
            raise DatasetError(f"ts: {path}: @classLabel false -- unlabelled data cannot be classified")
        if ":" not in s:
            raise DatasetError(f"ts: {path} line {ln}: no class label after the values")
        labels.append(s.rsplit(":", 1)[1].strip())
    if not in_data:
        raise DatasetError(f"ts: {path}: no @data line; not a .ts file")
    if not labels:
        raise DatasetError(f"ts: {path}: no cases after @data")
    return labels


def read_ts_file(path, text=None):
    """Read the sktime/aeon ``.ts`` format with :func:`aeon.datasets.load_from_ts_file`: ``@``
    header lines, then one case per line, dimensions separated by ``:`` (values by commas), the
    class label last.  Trailing missing values (``?``, the padding of unequal lengths) are cut,
    inner ones interpolated.  Returns ``(samples, raw_labels)``, samples as (time, channels)."""
    from aeon.datasets import load_from_ts_file  # optional 'bio' extra, and slow to import

    path = Path(path)
    text = path.read_text() if text is None else text
    labels = _ts_labels(text, path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cases, _ = load_from_ts_file(str(path))
    except (OSError, ValueError) as exc:
        hint = ("; cases of different lengths need '@equalLength false' in the header"
                if "equal length" in str(exc) else "")
        raise DatasetError(f"ts: {path}: cannot read it as a .ts file ({exc}){hint}") from None
    if len(cases) != len(labels):
        raise DatasetError(f"ts: {path}: read {len(cases)} cases but {len(labels)} labelled lines after @data")
    samples = []
    for k, case in enumerate(cases, 1):
        arr = np.asarray(case, dtype=float).T  # (channels, time) -> (time, channels)
        if arr.shape[1] == 0:
            raise DatasetError(f"ts: {path} case {k}: no class label after the values")
        # trailing NaN rows (unequal length padding) are dropped, inner NaN interpolated
        finite_rows = np.nonzero(np.all(np.isfinite(arr), axis=1))[0]
        if len(finite_rows) == 0:
            raise DatasetError(f"ts: {path} case {k}: no finite values")
        arr = arr[: finite_rows[-1] + 1]
        for c in range(arr.shape[1]):
            arr[:, c] = fill_nan(arr[:, c])
        samples.append(arr)
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


def load_ucr(path, fs: float | None = None, sample_duration: float | None = None) -> SignalSet:
    """UCR/UEA data: a ``_TRAIN`` file with its ``_TEST`` sibling (that split) or a single file.

    UCR files carry no sampling rate, so one must be given: ``fs`` (Hz; the recording's rate, e.g.
    250 Hz for the BIDMC ECG of ECG5000), or ``sample_duration`` (s): the longest sample is then
    presented over that time, ``fs = longest length / sample_duration`` (``meta['fs_from']`` says
    which).  Without either the loader refuses, rather than present one value per second (a 140-point
    beat would become a 140-s simulation).
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
    labels, names = labels_from(raw, str(tr))
    name = re.sub(r"_TRAIN$", "", tr.stem, flags=re.IGNORECASE)
    if fs is None and not sample_duration:
        raise DatasetError(f"ucr: {path}: UCR files carry no sampling rate; give the recording's rate "
                           "(biosignal: --set fs_data=250Hz, or fs=... for the presentation rate) or the model "
                           "time per sample (--set sample_duration=1s: the longest sample lasts 1 s)")
    if fs is None:
        if not sample_duration > 0:
            raise DatasetError(f"ucr: sample_duration must be positive, got {sample_duration} s")
        fs = max(len(s) for s in samples) / float(sample_duration)
        fs_from = f"sample_duration={float(sample_duration):g} s for the longest sample (no rate in the file)"
    else:
        fs_from = f"fs={float(fs):g} Hz given (no rate in the file)"
    return SignalSet(name, samples, labels, names, float(fs), train=train, test=test, source=str(path),
                     meta={"fs_from": fs_from})
