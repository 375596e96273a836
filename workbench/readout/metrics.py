"""Classification metrics, computed by scikit-learn: accuracy, balanced accuracy, confusion matrix,
per-class sensitivity (recall) and positive predictivity (precision)."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix

__all__ = ["classification_metrics"]


def classification_metrics(y_true, y_pred, classes=None) -> dict:
    """Accuracy, balanced accuracy, confusion matrix (true x predicted), per-class sensitivity
    (recall) and positive predictivity (precision) over ``classes`` (default: every label seen).

    Classes absent from the test set get nan sensitivity, never-predicted classes nan positive
    predictivity; balanced accuracy is the mean sensitivity over the classes present in
    ``y_true`` (scikit-learn's ``balanced_accuracy_score``).  Pairs whose label is not in
    ``classes`` are left out.
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    classes = np.unique(np.concatenate([y_true, y_pred])) if classes is None else np.asarray(classes)
    keep = np.isin(y_true, classes) & np.isin(y_pred, classes)
    cm = confusion_matrix(y_true[keep], y_pred[keep], labels=classes) if keep.any() else \
        np.zeros((len(classes), len(classes)), dtype=np.int64)
    support = cm.sum(1)
    predicted = cm.sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sens = np.where(support > 0, np.diag(cm) / np.maximum(support, 1), np.nan)
        ppv = np.where(predicted > 0, np.diag(cm) / np.maximum(predicted, 1), np.nan)
    acc = float(np.trace(cm) / max(cm.sum(), 1))
    bal = float(np.nanmean(sens)) if np.any(support > 0) else float("nan")
    return dict(accuracy=acc, balanced_accuracy=bal, confusion=cm.astype(np.int64), sensitivity=sens,
                positive_predictivity=ppv, support=support, classes=classes)
