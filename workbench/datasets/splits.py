"""Evaluation splits for labelled recordings: who is tested on what, and what each fold lacks.

:func:`make_folds` returns ``[(train, test), ...]`` index arrays for one of :data:`METHODS`:

``stratified``
    Stratified k-fold over samples (scikit-learn's ``StratifiedKFold``): samples of one subject
    may be on both sides -- an optimistic estimate for clinical data.
``group-kfold`` (leave subjects out)
    ``GroupKFold``: every group (subject, participant, record) is tested in exactly one fold and
    never trained on in that fold; about ``n_groups / n_splits`` groups are left out per fold.
``stratified-group-kfold``
    ``StratifiedGroupKFold``: the same, with folds whose class proportions are kept close to the
    whole set's.
``leave-one-group-out``
    ``LeaveOneGroupOut``: one fold per group (leave one subject out).
``record-wise``
    One split: within every group (record), the first ``train_fraction`` of its samples in index
    order (the loaders keep time order) train and the rest test -- the "intra-patient" split.
``interpatient``
    One split of the MIT-BIH Arrhythmia Database by record: train on DS1, test on DS2
    (de Chazal, O'Dwyer & Reilly 2004, "Automatic classification of heartbeats using ECG
    morphology and heartbeat interval features", IEEE TBME 51(7):1196-1206; the record lists
    :data:`DS1` / :data:`DS2`, paced records 102, 104, 107 and 217 in neither).

Choices (hyperparameters, early stopping, model selection) use :func:`inner_folds` or
:func:`validation_split`, which carve their parts from the training indices of one fold only,
by group when groups are given.

Rare classes are handled as scikit-learn handles them: a class with fewer samples than folds
gives scikit-learn's warning and the folds are made all the same; :func:`make_folds` then warns
(:class:`RareClassWarning`) with the folds whose training or test part lacks a class, which
:func:`missing_classes` and :func:`fold_class_counts` return for the archive.
"""
from __future__ import annotations

import warnings

import numpy as np
from sklearn.model_selection import (GroupKFold, LeaveOneGroupOut, StratifiedGroupKFold,
                                     StratifiedKFold)

from .errors import DatasetError
from .mitdb import DS1, DS2

__all__ = ["METHODS", "DS1", "DS2", "RareClassWarning", "make_folds", "inner_folds", "validation_split",
           "record_wise_split", "interpatient_split", "held_out_groups", "fold_class_counts", "missing_classes"]

METHODS = ("stratified", "group-kfold", "stratified-group-kfold", "leave-one-group-out", "record-wise",
           "interpatient")
_ALIASES = {"kfold": "stratified", "leave-subjects-out": "group-kfold", "logo": "leave-one-group-out",
            "leave-one-subject-out": "leave-one-group-out", "time": "record-wise", "intrapatient": "record-wise",
            "inter-patient": "interpatient"}
_GROUPED = ("group-kfold", "stratified-group-kfold", "leave-one-group-out", "record-wise", "interpatient")


class RareClassWarning(UserWarning):
    """Some fold's training or test part has no sample of a class."""


def _seed(rng):
    """An int for scikit-learn's ``random_state`` from a Generator (one draw), an int, or None."""
    if rng is None or isinstance(rng, (int, np.integer)):
        return rng
    return int(rng.integers(2**31))


def _check(labels, groups, method):
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0:
        raise DatasetError(f"splits: labels must be a non-empty 1-d array, got shape {labels.shape}")
    if groups is None:
        if method in _GROUPED:
            raise DatasetError(f"splits: method={method!r} needs a group (subject, participant or record) per "
                               "sample, and this data set has none; use method='stratified'")
        return labels, None
    groups = np.asarray(groups)
    if groups.shape != labels.shape:
        raise DatasetError(f"splits: {len(groups)} groups for {len(labels)} labels")
    return labels, groups


def record_wise_split(groups, train_fraction: float = 0.5):
    """``(train, test)``: the first ``train_fraction`` of every group's samples (in index order) train."""
    if not 0 < train_fraction < 1:
        raise DatasetError(f"splits: train_fraction must be in (0, 1), got {train_fraction}")
    groups = np.asarray(groups)
    tr, te = [], []
    for g in np.unique(groups):
        ii = np.nonzero(groups == g)[0]
        cut = int(round(train_fraction * len(ii)))
        tr.append(ii[:cut])
        te.append(ii[cut:])
    return np.sort(np.concatenate(tr)), np.sort(np.concatenate(te))


def interpatient_split(groups):
    """``(train, test)``: samples of the DS1 records train, of DS2 test (de Chazal et al. 2004);
    samples of other records are in neither.  ``groups``: MIT-BIH record numbers (int or str)."""
    rec = np.array([str(g).strip() for g in np.asarray(groups)])
    ds1, ds2 = [str(r) for r in DS1], [str(r) for r in DS2]
    train, test = np.nonzero(np.isin(rec, ds1))[0], np.nonzero(np.isin(rec, ds2))[0]
    present = set(rec.tolist())
    for part, name, ds in ((train, "DS1", ds1), (test, "DS2", ds2)):
        if len(part) == 0:
            raise DatasetError(f"splits: interpatient needs the MIT-BIH {name} records {ds}; the groups hold none "
                               f"(records present: {sorted(present)[:12]})")
    missing = [r for r in ds1 + ds2 if r not in present]
    if missing:
        warnings.warn(f"interpatient split without record(s) {missing} of de Chazal's DS1/DS2; results are not "
                      "comparable with the published ones", RareClassWarning, stacklevel=3)
    return train, test


def make_folds(labels, groups=None, *, method: str = "stratified", n_splits: int = 5, rng=None,
               train_fraction: float = 0.5) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[(train, test), ...]`` index arrays (see the module docstring for ``method``).

    ``rng``: a ``numpy.random.Generator`` (one draw seeds the shuffle), an int or ``None`` (no
    shuffling).  ``group-kfold`` and ``leave-one-group-out`` do not shuffle.
    """
    method = _ALIASES.get(method, method)
    if method not in METHODS:
        raise DatasetError(f"splits: unknown method {method!r}; use one of {', '.join(METHODS)}")
    labels, groups = _check(labels, groups, method)
    X = np.zeros((len(labels), 1))
    if method == "record-wise":
        folds = [record_wise_split(groups, train_fraction)]
    elif method == "interpatient":
        folds = [interpatient_split(groups)]
    else:
        n_groups = len(np.unique(groups)) if groups is not None else 0
        if method == "leave-one-group-out":
            if n_groups < 2:
                raise DatasetError(f"splits: leave-one-group-out needs >= 2 groups, got {n_groups}")
            splitter = LeaveOneGroupOut()
        else:
            if n_splits < 2:
                raise DatasetError(f"splits: n_splits must be >= 2, got {n_splits}")
            if groups is not None and n_groups < n_splits:
                raise DatasetError(f"splits: {method} with n_splits={n_splits} needs as many groups, and the data "
                                   f"have {n_groups}; lower n_splits or use leave-one-group-out")
            if method == "stratified" and len(labels) < n_splits:
                raise DatasetError(f"splits: {len(labels)} samples, fewer than n_splits={n_splits}")
            seed = _seed(rng)
            shuffle = seed is not None
            splitter = {"stratified": lambda: StratifiedKFold(n_splits, shuffle=shuffle, random_state=seed),
                        "group-kfold": lambda: GroupKFold(n_splits),
                        "stratified-group-kfold": lambda: StratifiedGroupKFold(n_splits, shuffle=shuffle,
                                                                               random_state=seed)}[method]()
        if method == "stratified" and np.bincount(_codes(labels)).max() < n_splits:
            raise DatasetError(f"splits: every class has fewer than n_splits={n_splits} samples; lower n_splits")
        folds = [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X, labels, groups)]
    _warn_missing(folds, labels, method)
    return folds


def _codes(labels):
    return np.unique(labels, return_inverse=True)[1]


def inner_folds(labels, train, groups=None, *, n_splits: int = 3, rng=None) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[(fit, validation), ...]``: k-fold splits of the training indices ``train`` of one fold,
    as indices into the whole set (every one of them in ``train``; the test part is never touched).

    With ``groups``, by group (``StratifiedGroupKFold``; ``min(n_splits, training groups)``
    folds, so two training participants give two inner folds); without, stratified by class.
    A training part of one group only is split by sample, with a :class:`RareClassWarning`.
    """
    labels = np.asarray(labels)
    train = np.asarray(train)
    if len(train) < 2:
        raise DatasetError(f"splits: a training part of {len(train)} sample(s) cannot be split for validation")
    y = labels[train]
    g = None if groups is None else np.asarray(groups)[train]
    if g is not None and len(np.unique(g)) < 2:
        warnings.warn(f"inner validation: the training part holds one group ({g[0]}), so validation samples come "
                      "from the same subject as the fitted ones", RareClassWarning, stacklevel=2)
        g = None
    if g is not None:
        k = min(n_splits, len(np.unique(g)))
        folds = make_folds(y, g, method="stratified-group-kfold", n_splits=k, rng=rng)
    else:
        k = min(n_splits, len(y))
        folds = make_folds(y, method="stratified", n_splits=k, rng=rng)
    return [(train[a], train[b]) for a, b in folds]


def validation_split(labels, train, groups=None, *, fraction: float = 0.2, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """``(fit, validation)``: about ``fraction`` of the training indices ``train`` (by group when
    ``groups`` are given) held out for validation: the first of ``round(1 / fraction)`` inner folds."""
    if not 0 < fraction < 1:
        raise DatasetError(f"splits: validation fraction must be in (0, 1), got {fraction}")
    return inner_folds(labels, train, groups, n_splits=max(2, int(round(1 / fraction))), rng=rng)[0]


def held_out_groups(folds, groups) -> list[np.ndarray]:
    """The groups in the test part of every fold."""
    groups = np.asarray(groups)
    return [np.unique(groups[te]) for _, te in folds]


def fold_class_counts(folds, labels, n_classes: int | None = None) -> np.ndarray:
    """Samples per (fold, part, class), int array; part 0 is training, 1 is test."""
    labels = np.asarray(labels, dtype=np.int64)
    n = int(labels.max()) + 1 if n_classes is None else n_classes
    return np.array([[np.bincount(labels[ix], minlength=n) for ix in (tr, te)] for tr, te in folds])


def missing_classes(folds, labels, class_names=None) -> list[dict]:
    """``[{'fold': i, 'part': 'train' | 'test', 'classes': [...]}, ...]`` for every fold part that
    lacks a class of ``labels`` (integer labels; ``class_names`` names them)."""
    labels = np.asarray(labels, dtype=np.int64)
    names = list(class_names) if class_names is not None else list(range(int(labels.max()) + 1))
    present = np.bincount(labels, minlength=len(names)) > 0
    counts = fold_class_counts(folds, labels, len(names))
    out = []
    for i, per_part in enumerate(counts):
        for part, c in zip(("train", "test"), per_part):
            lack = [names[k] for k in np.nonzero(present & (c == 0))[0]]
            if lack:
                out.append({"fold": i, "part": part, "classes": lack})
    return out


def _warn_missing(folds, labels, method):
    codes = _codes(labels)
    miss = missing_classes(folds, codes, np.unique(labels).tolist())
    if miss:
        text = "; ".join(f"fold {m['fold']} {m['part']} lacks {m['classes']}" for m in miss)
        warnings.warn(f"{method} folds: {text}", RareClassWarning, stacklevel=3)
