"""Evaluation of the biosignal protocol: which samples test which model (folds, by subject where the
data have subjects), repeats over seeds, and the paired statistics of a comparison study.

Folds (:func:`choose_folds`, parameter ``cv``):

``auto``
    The data's own train/test split where they define one (UCR/UEA, aeon, MIT-BIH); else, where
    every sample carries a subject (Myo participants, EDF subjects), subjects held out: grouped
    k-fold with ``cv_folds`` folds (``leave-one-group-out`` when there are fewer subjects than
    folds: three Myo participants give three folds); else stratified k-fold.
``given``, ``stratified``, ``group-kfold``, ``leave-one-group-out``
    That method of :func:`workbench.datasets.splits.make_folds` (grouped ones by subject / record).
``segments``
    ``cv_folds`` contiguous blocks in time within every group (record): fold k tests block k of
    every record and trains on the rest (for one long recording such as MIT-BIH record 100).

Rare classes are handled as scikit-learn handles them: a warning, and the folds are used all the
same; the archive lists the folds whose training or test part lacks a class.

Repeats (:class:`RepeatContext`): repeat ``r`` > 0 draws every random stream of the run under a
name of its own (``liquid/repeat2``), so the folds (when shuffled), the liquid, the readout's and
MiniRocket's seeds change while the data stay; repeat 0 is the run without repeats.
:func:`paired_statistics` compares the spiking model with every other model over the same
(repeat, fold) pairs: mean and standard deviation of the paired differences, the two-sided
Wilcoxon signed-rank test and the paired t-test (``scipy.stats``).
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from ..datasets.splits import RareClassWarning, fold_class_counts, make_folds, missing_classes
from ..params import ParameterError
from ..recording import scalar, variable

__all__ = ["FOLD_METHODS", "choose_folds", "segment_folds", "RepeatContext", "paired_statistics",
           "describe_missing", "study_variables", "study_attrs", "HOW_CHOSEN"]

#: What the archive's ``how_chosen`` says (completed with the folds and the grids of the run).
HOW_CHOSEN = ("nothing is chosen on test samples: in every fold, the LSM's settings (the grids grid_*: input and "
              "recurrent weight scale, readout time constant, readout of the input spikes too) and the input "
              "baseline's readout time constant are chosen by the best mean balanced accuracy over {inner} inner "
              "folds of that fold's training samples (by subject where the data have subjects); the readouts' "
              "regularisation by cross-validation on the training samples (ridge: leave-one-out alpha; logistic: "
              "C by stratified k-fold); MiniRocket's kernels are fitted on the training samples; each test part is "
              "scored once; every readout of several feature blocks (liquid, input spikes, RR intervals beside the "
              "LSM's, the raw signal's, the input spikes' or MiniRocket's features) has its blocks standardised "
              "together or given the same total variance as the grid grid_readout_blocks allows, chosen by the "
              "same inner folds")

FOLD_METHODS = ("auto", "given", "stratified", "group-kfold", "leave-one-group-out", "segments")


def segment_folds(groups, n_folds: int):
    """Fold k tests the k-th of ``n_folds`` contiguous blocks (index order) of every group."""
    groups = np.asarray(groups)
    block = np.zeros(len(groups), np.int64)
    for g in np.unique(groups):
        ii = np.nonzero(groups == g)[0]
        block[ii] = np.minimum((np.arange(len(ii)) * n_folds) // len(ii), n_folds - 1)
    return [(np.nonzero(block != k)[0], np.nonzero(block == k)[0]) for k in range(n_folds)]


def choose_folds(sset, method: str, cv_folds: int, rng):
    """``(folds, method, description, cross_validated)`` for the data set ``sset`` (see the module
    docstring); ``rng`` shuffles stratified folds.  Rare classes warn (:class:`RareClassWarning`)."""
    if method not in FOLD_METHODS:
        raise ParameterError(f"cv={method!r}: use one of {', '.join(FOLD_METHODS)}")
    if cv_folds < 2 and method not in ("given", "leave-one-group-out"):
        raise ParameterError(f"cv_folds must be >= 2, got {cv_folds}")
    groups = sset.groups
    n_groups = 0 if groups is None else len(np.unique(groups))
    if method == "auto":
        if sset.has_split:
            method = "given"
        elif groups is not None and n_groups >= 2:
            method = "group-kfold" if n_groups >= cv_folds else "leave-one-group-out"
        else:
            method = "stratified"
    if method == "given":
        if not sset.has_split:
            raise ParameterError(f"cv=given: {sset.name} has no train/test split of its own; use cv=stratified "
                                 "(or group-kfold / leave-one-group-out for data with subjects)")
        return ([(np.asarray(sset.train), np.asarray(sset.test))], method,
                f"the data's own train/test split ({sset.meta.get('split', 'as distributed')})", False)
    if method == "segments":
        g = groups if groups is not None else np.zeros(len(sset.labels), np.int64)
        folds = segment_folds(g, cv_folds)
        miss = missing_classes(folds, sset.labels, sset.class_names)
        if miss:
            warnings.warn("segments folds: " + describe_missing(miss), RareClassWarning, stacklevel=2)
        return folds, method, f"{cv_folds} contiguous time segments of every record, one tested per fold", True
    if method in ("group-kfold", "leave-one-group-out") and groups is None:
        raise ParameterError(f"cv={method}: {sset.name} has no subject (group) per sample; use cv=stratified")
    folds = make_folds(sset.labels, groups if method != "stratified" else None, method=method, n_splits=cv_folds,
                       rng=rng)
    what = {"stratified": f"stratified {cv_folds}-fold cross-validation over samples",
            "group-kfold": f"{cv_folds}-fold cross-validation by subject (subjects held out, GroupKFold)",
            "leave-one-group-out": f"leave one subject out ({n_groups} folds)"}[method]
    return folds, method, what, True


def describe_missing(miss) -> str:
    """One line from :func:`workbench.datasets.splits.missing_classes` ('' when nothing is missing)."""
    return "; ".join(f"fold {m['fold']} {m['part']} lacks {', '.join(map(str, m['classes']))}" for m in miss)


class RepeatContext:
    """The run context of repeat ``r``: random streams named ``NAME/repeatR`` (repeat 0: ``NAME``),
    everything else the run's own."""

    def __init__(self, ctx, repeat: int):
        self._ctx, self.repeat = ctx, int(repeat)

    def stream(self, name: str):
        return self._ctx.stream(name if self.repeat == 0 else f"{name}/repeat{self.repeat}")

    def __getattr__(self, item):
        return getattr(self._ctx, item)


def paired_statistics(scores, names, main: str) -> dict:
    """Paired comparison of ``main`` with every model over the same folds.

    ``scores``: array (model, fold) of one metric.  Returns arrays over the models of the mean and
    the standard deviation (ddof 1) of ``main - model``, and the p-values of the two-sided Wilcoxon
    signed-rank test (1 where every difference is zero) and of the paired t-test (NaN with fewer than
    two pairs or no spread); NaN in ``main``'s own place.
    """
    scores = np.asarray(scores, float)
    m0 = list(names).index(main)
    n_models, n_pairs = scores.shape
    out = {k: np.full(n_models, np.nan) for k in ("mean", "std", "wilcoxon_p", "ttest_p")}
    for m in range(n_models):
        if m == m0:
            continue
        d = scores[m0] - scores[m]
        out["mean"][m] = d.mean()
        if n_pairs < 2:
            continue
        out["std"][m] = d.std(ddof=1)
        if np.all(d == 0):
            out["wilcoxon_p"][m] = 1.0
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out["wilcoxon_p"][m] = float(stats.wilcoxon(scores[m0], scores[m]).pvalue)
            if d.std() > 0:
                out["ttest_p"][m] = float(stats.ttest_rel(scores[m0], scores[m]).pvalue)
    return out


def study_variables(data, results, model: str, acc, bal, params) -> dict:
    """Archive variables of the comparison: the repeat of every fold, spread and paired statistics
    of every model against ``model`` (accuracy and balanced accuracy over the same folds), the class
    counts of every fold and the settings chosen per fold."""
    names = list(results)
    n_folds = acc.shape[1]
    rep = data.repeat_of_fold if data.repeat_of_fold is not None else np.zeros(n_folds, np.int64)
    out = {"fold_repeat": variable(np.asarray(rep, np.int64), "fold", "1", "repeat (seed) of the fold")}
    sd = acc.std(1, ddof=1) if n_folds > 1 else np.full(len(names), np.nan)
    out["accuracy_std"] = variable(sd, "model", "1", "standard deviation of the test accuracy over folds and repeats")
    for metric, scores in (("accuracy", acc), ("balanced_accuracy", bal)):
        st = paired_statistics(scores, names, model)
        out[f"paired_{metric}_difference"] = variable(st["mean"], "model", "1",
                                                      f"mean paired difference of {metric}, {model} minus model")
        out[f"paired_{metric}_difference_std"] = variable(st["std"], "model", "1",
                                                          f"SD of the paired differences of {metric}")
        out[f"paired_{metric}_wilcoxon_p"] = variable(st["wilcoxon_p"], "model", "1",
                                                      f"two-sided Wilcoxon signed-rank p, {metric}, {model} vs model")
        out[f"paired_{metric}_ttest_p"] = variable(st["ttest_p"], "model", "1",
                                                   f"paired t-test p, {metric}, {model} vs model")
    out["n_pairs"] = scalar(float(n_folds), "1", "paired (repeat, fold) test parts")
    counts = fold_class_counts(data.folds, data.labels, len(data.class_names))
    out["fold_class_count"] = variable(counts, ("fold", "part", "class_"), "1", "samples per class in the fold's "
                                       "training (part 0) and test (part 1) parts")
    for name, res in results.items():
        if res.chosen is not None:
            out[f"chosen_{name}"] = variable(np.array(res.chosen, dtype=str), "fold", "1",
                                             f"{name}: settings chosen by inner cross-validation")
    return out


def study_attrs(data, params) -> dict:
    """Archive attributes: how the folds were made, which lack a class, how choices were made."""
    miss = missing_classes(data.folds, data.labels, data.class_names)
    grids = ", ".join(f"{k}={','.join(map(str, params[k]))}" for k in params if str(k).startswith("grid_") and params[k])
    return {"fold_method": data.fold_method, "folds": data.fold_description, "repeats": int(params.repeats),
            "folds_lacking_class": describe_missing(miss) or "none",
            "how_chosen": HOW_CHOSEN.format(inner=params.inner_folds) + (f"; grids: {grids}" if grids else ""),
            "paired_test": "scipy.stats.wilcoxon (two-sided) and scipy.stats.ttest_rel over the (repeat, fold) "
                           "test parts, the spiking model minus each other model",
            "extra_features": ",".join(data.extra_names) or "none"}
