"""e-prop (Bellec et al. 2020) for recurrent spiking networks of LIF and ALIF neurons.

The network (constants, initial weights, Brian2 objects) is :mod:`workbench.networks.lsnn`, its
equations and eligibility traces :mod:`workbench.models.eprop`; this package holds the learning:

- :mod:`.reference`: an independent float64 numpy implementation with exact BPTT and e-prop gradients
- :mod:`.simulator`: one mini-batch through the Brian2 network, the accumulated gradients read back
  (standalone builds re-run through ``run_args``)
- :mod:`.optim`: Adam and SGD
- :mod:`.tasks`: pattern generation and evidence accumulation
- :mod:`.train`: the training loop and :func:`train_classifier` for encoded spike-train data sets
"""
from .train import CLASSIFIER_DEFAULTS, FEEDBACK, Trainer, train_classifier

__all__ = ["Trainer", "train_classifier", "CLASSIFIER_DEFAULTS", "FEEDBACK"]
