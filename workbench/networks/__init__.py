"""Network builders: named Brian2 objects made from :mod:`workbench.models`, with each network's
defining constants and their sources.

- :mod:`.lsnn`: the LSNN of Bellec et al. 2020 (recurrent LIF/ALIF neurons, built for e-prop)
"""
from .lsnn import LOSSES, LSNN, LSNNConfig, build_lsnn, init_weights

__all__ = ["LSNNConfig", "LOSSES", "LSNN", "build_lsnn", "init_weights"]
