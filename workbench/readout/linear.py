"""Linear readouts of liquid states (or of any feature matrix), regularised by cross-validation.

A readout is a linear classifier trained with scikit-learn on standardised
features: ``ridge`` (``RidgeClassifierCV``, one-vs-all least squares, the
readout of Maass et al. 2002 trained by linear regression; the penalty
``alpha`` chosen by leave-one-out on the training set) or ``logistic``
(``LogisticRegressionCV``, multinomial, ``C`` chosen by stratified k-fold CV on
the training set).  Nothing of the test set is seen while fitting.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegressionCV, RidgeClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .metrics import classification_metrics

__all__ = ["ReadoutResult", "fit_classifier", "READOUTS"]

READOUTS = ("ridge", "logistic")


@dataclass
class ReadoutResult:
    """Predictions and metrics of one readout fit."""

    y_pred: np.ndarray
    accuracy: float
    balanced_accuracy: float
    regularisation: float  # alpha (ridge) or C (logistic)
    classes: np.ndarray
    model: object = None


def _alphas():
    return np.logspace(-3, 5, 17)


def fit_classifier(X_train, y_train, X_test, y_test=None, *, method: str = "ridge", cv: int = 5,
                   seed: int = 0, max_iter: int = 2000, class_weight: str | None = None) -> ReadoutResult:
    """Fit a linear readout on ``X_train`` and predict ``X_test``.

    Parameters
    ----------
    X_train, X_test : array (samples, features)
    y_train, y_test : array of labels (``y_test`` optional: then accuracies are nan)
    method : {'ridge', 'logistic'}
    cv : int
        Folds for choosing ``C`` (logistic); ridge uses efficient leave-one-out.
    class_weight : {None, 'balanced'}
        ``'balanced'`` weights samples inversely to their class frequency (rare
        classes such as S and V beats count as much as N beats).
    """
    X_train = np.asarray(X_train, dtype=float).reshape(len(X_train), -1)
    X_test = np.asarray(X_test, dtype=float).reshape(len(X_test), -1)
    y_train = np.asarray(y_train)
    classes = np.unique(y_train)
    if len(classes) < 2:
        raise ValueError(f"readout: the training set has only one class ({classes.tolist()}); "
                         "need at least two to train a classifier")
    if class_weight not in (None, "balanced"):
        raise ValueError(f"readout class_weight {class_weight!r}: use None or 'balanced'")
    if method == "ridge":
        clf = RidgeClassifierCV(alphas=_alphas(), class_weight=class_weight)
    elif method == "logistic":
        counts = np.bincount(np.searchsorted(classes, y_train))
        folds = int(max(2, min(cv, counts.min())))
        clf = LogisticRegressionCV(Cs=np.logspace(-4, 3, 8), cv=folds, max_iter=max_iter,
                                   random_state=seed, class_weight=class_weight)
    else:
        raise ValueError(f"readout method {method!r}: use one of {READOUTS}")
    pipe = make_pipeline(StandardScaler(), clf)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe.fit(X_train, y_train)
    y_pred = pipe.predict(X_test)
    reg = float(clf.alpha_) if method == "ridge" else float(np.atleast_1d(clf.C_)[0])
    if y_test is None:
        acc = bal = float("nan")
    else:
        m = classification_metrics(y_test, y_pred, classes)
        acc, bal = m["accuracy"], m["balanced_accuracy"]
    return ReadoutResult(y_pred=y_pred, accuracy=acc, balanced_accuracy=bal, regularisation=reg,
                         classes=classes, model=pipe)
