"""A linear readout of several feature blocks at once, each block given an equal share of the variance.

A liquid's filtered spike trains (thousands of features), the input spikes filtered alike (tens) and
the RR intervals of a beat (four) are different kinds of evidence.  Standardised together and fitted
with one ridge penalty, the small blocks barely move the fit: a penalty that suits 2,700 liquid
features shrinks ten input features to nothing, so on MIT-BIH record 100 a readout of the liquid and
the input spikes scored like the liquid alone although the input spikes by themselves did better
(``benchmarks/bio_readout_blocks.py``).  :class:`BlockScaler` standardises every feature and then
scales each block so that all blocks carry the same total variance (block ``b`` of ``p_b`` of the
``P`` features, weight ``w_b``: every feature times ``w_b * sqrt(P / (B * p_b))``).  With one penalty
this is a ridge prior that gives each block the same share, a block's weight squared times more; the
overall scale equals plain standardisation's, so the penalty grid keeps its meaning.  One block of
weight 1 is exactly :class:`sklearn.preprocessing.StandardScaler`, and
:func:`fit_block_classifier` with one block exactly :func:`workbench.readout.linear.fit_classifier`.
"""
from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegressionCV, RidgeClassifierCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .linear import READOUTS, ReadoutResult, _alphas
from .metrics import classification_metrics

__all__ = ["BlockScaler", "block_factors", "block_scales", "fit_block_classifier", "stack_blocks"]


def block_scales(sizes, weights=None) -> np.ndarray:
    """The factor of each block's standardised features: ``w_b * sqrt(P / (B * p_b))`` for block ``b``
    of ``p_b`` features (``P`` features, ``B`` blocks; ``weights`` default 1)."""
    sizes = [int(s) for s in sizes]
    if not sizes or min(sizes) < 1:
        raise ValueError(f"block sizes {sizes}: every block needs at least one feature")
    weights = [1.0] * len(sizes) if weights is None else [float(w) for w in weights]
    if len(weights) != len(sizes):
        raise ValueError(f"{len(weights)} block weights for {len(sizes)} blocks: give one weight per block")
    if min(weights) <= 0:
        raise ValueError(f"block weights {weights} must be positive (leave a block out instead of weighting it 0)")
    total, n = sum(sizes), len(sizes)
    return np.array([w * np.sqrt(total / (n * p)) for p, w in zip(sizes, weights)])


def block_factors(sizes, weights=None) -> np.ndarray:
    """:func:`block_scales` repeated over every block's features: one factor per feature."""
    return np.repeat(block_scales(sizes, weights), [int(s) for s in sizes])


class BlockScaler(TransformerMixin, BaseEstimator):
    """Standardise every feature (zero mean, unit variance on the training samples), then scale the
    features of block ``b`` (``sizes[b]`` consecutive columns; empty: one block) by
    :func:`block_factors` of the blocks' *informative* sizes: a column constant on the training
    samples (a silent neuron, a record-wide RR average on one record) is zero once standardised and
    is not counted, so the blocks' total variances stay equal."""

    def __init__(self, sizes=(), weights=None):
        self.sizes = sizes
        self.weights = weights

    def fit(self, X, y=None):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2:
            raise ValueError(f"BlockScaler: X must be (samples, features), got shape {X.shape}")
        sizes = [int(p) for p in self.sizes] or [X.shape[1]]
        if sum(sizes) != X.shape[1]:
            raise ValueError(f"BlockScaler: blocks of {sizes} features sum to {sum(sizes)}, but X has "
                             f"{X.shape[1]} columns")
        self.scaler_ = StandardScaler().fit(X)
        self.n_features_in_ = X.shape[1]
        varying = self.scaler_.var_ > 0
        edges = np.cumsum([0] + sizes)
        informative = [max(1, int(varying[a:b].sum())) for a, b in zip(edges[:-1], edges[1:])]
        self.factor_ = np.repeat(block_scales(informative, self.weights), sizes)
        return self

    def transform(self, X):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"BlockScaler: X has shape {X.shape}, fitted on {self.n_features_in_} features")
        return self.scaler_.transform(X) * self.factor_


def stack_blocks(blocks) -> tuple[np.ndarray, list[int]]:
    """The blocks (each ``(samples, ...)``, flattened per sample) side by side, and their widths."""
    mats = [np.asarray(b, dtype=float).reshape(len(b), -1) for b in blocks]
    if not mats:
        raise ValueError("no feature blocks given")
    rows = {len(m) for m in mats}
    if len(rows) != 1:
        raise ValueError(f"feature blocks with {sorted(rows)} rows: every block needs one row per sample")
    return np.hstack(mats), [m.shape[1] for m in mats]


def fit_block_classifier(train_blocks, y_train, test_blocks, y_test=None, *, weights=None, pooled: bool = False,
                         method: str = "ridge", cv: int = 5, seed: int = 0, max_iter: int = 2000,
                         class_weight: str | None = None) -> ReadoutResult:
    """Fit a linear readout on the blocks ``train_blocks`` (a list of ``(samples, features)`` arrays;
    one array is one block) scaled by :class:`BlockScaler` (``weights``: one per block), and predict
    ``test_blocks``.  ``pooled``: all blocks as one, standardised together.

    ``method``, ``cv``, ``seed``, ``max_iter`` and ``class_weight`` as in
    :func:`workbench.readout.linear.fit_classifier` (the same classifiers and penalty grids); with
    one block, or pooled, the result is that function's on the blocks side by side.
    """
    if isinstance(train_blocks, np.ndarray):
        train_blocks, test_blocks = [train_blocks], [test_blocks]
    X_train, sizes = stack_blocks(train_blocks)
    X_test, test_sizes = stack_blocks(test_blocks)
    if test_sizes != sizes:
        raise ValueError(f"test blocks of {test_sizes} features, training blocks of {sizes}: they must match")
    if pooled:
        if weights is not None:
            raise ValueError("pooled blocks take no block weights: give weights=None or pooled=False")
        sizes = [sum(sizes)]
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
    pipe = make_pipeline(BlockScaler(sizes, weights), clf)
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
