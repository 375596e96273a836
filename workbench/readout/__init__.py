"""Readouts and metrics, one implementation each: features of spike trains (:mod:`.features`:
Maass et al.'s filtered states, binned counts), linear readouts trained with scikit-learn
(:mod:`.linear`; :mod:`.blocks` for several feature blocks given the same share of the variance),
Diehl & Cook's class assignment and vote (:mod:`.voting`), and classification metrics from
``sklearn.metrics`` (:mod:`.metrics`)."""
from .features import binned_counts, filtered_states, readout_times
from .linear import READOUTS, ReadoutResult, fit_classifier
from .metrics import classification_metrics
from .voting import assign_classes, assign_from_counts, class_sums, classify

__all__ = ["READOUTS", "ReadoutResult", "fit_classifier", "classification_metrics", "assign_classes",
           "assign_from_counts", "class_sums", "classify", "filtered_states", "binned_counts", "readout_times"]
