"""Diehl & Cook's readout: each neuron is assigned the class it responds to most, and an input gets
the class whose assigned neurons fire most on average.

Diehl PU & Cook M (2015) Front. Comput. Neurosci. 9:99, Sec. 2.6; the authors' code
(github.com/peter-u-diehl/stdp-mnist, ``get_new_assignments``, ``get_recognized_number_ranking``),
whose tie rules are kept.  Used by the stdp-digits protocol, its running estimate and the hardware
deployment of trained networks.
"""
from __future__ import annotations

import numpy as np

__all__ = ["class_sums", "assign_classes", "classify", "assign_from_counts"]


def class_sums(counts: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Summed responses per class ``(n_classes, neurons)`` and images per class ``(n_classes,)``."""
    counts = np.asarray(counts, dtype=float).reshape(len(labels), -1)
    labels = np.asarray(labels, dtype=np.int64)
    sums = np.zeros((n_classes, counts.shape[1]))
    np.add.at(sums, labels, counts)
    return sums, np.bincount(labels, minlength=n_classes)[:n_classes].astype(float)


def assign_classes(class_sums: np.ndarray, class_n: np.ndarray) -> np.ndarray:
    """DC ``get_new_assignments``: each neuron gets the class with the highest mean count (ties and
    silent neurons -> the lowest class index, as DC's strict '>' from 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(class_n[:, None] > 0, class_sums / np.maximum(class_n[:, None], 1), 0.0)
    a = np.argmax(rate, axis=0)
    a[rate.max(axis=0) <= 0] = 0
    return a.astype(np.int64)


def assign_from_counts(counts: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """:func:`assign_classes` from per-image responses ``(images, neurons)`` and their labels."""
    return assign_classes(*class_sums(counts, labels, n_classes))


def classify(counts: np.ndarray, assignment: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """DC ``get_recognized_number_ranking``: the class whose assigned neurons fire most on average
    (ties -> the highest class index, as DC's ``argsort(...)[::-1][0]``)."""
    counts = np.atleast_2d(counts).astype(float)
    summed = np.zeros((len(counts), n_classes))
    for c in range(n_classes):
        sel = assignment == c
        if sel.any():
            summed[:, c] = counts[:, sel].sum(axis=1) / sel.sum()
    rev = summed[:, ::-1]
    return (n_classes - 1 - np.argmax(rev, axis=1)).astype(np.int64)
