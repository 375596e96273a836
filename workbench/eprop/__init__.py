"""e-prop (Bellec et al. 2020) for recurrent spiking networks of LIF and ALIF neurons.

- :mod:`.model`: the discrete-time LSNN (parameters, initial weights)
- :mod:`.reference`: an independent float64 numpy implementation with exact BPTT and e-prop gradients
- :mod:`.network`: the LSNN with eligibility traces, learning signals and gradient accumulators as
  Brian2 equations (one run = one mini-batch; standalone builds re-run through ``run_args``)
- :mod:`.optim`: Adam
- :mod:`.tasks`: pattern generation and evidence accumulation
- :mod:`.train`: the training loop and :func:`train_classifier` for encoded spike-train data sets
"""
from .model import FEEDBACK, LOSSES, LSNNConfig, init_weights

__all__ = ["LSNNConfig", "init_weights", "LOSSES", "FEEDBACK"]
