"""Network builders: named Brian2 objects made from :mod:`workbench.models`, with each network's
defining constants (and their sources) written here once.

- :mod:`.diehl_cook`: the network of Diehl & Cook 2015 (unsupervised STDP digit learning)
- :mod:`.liquid`: the liquid of Maass, Natschläger & Markram 2002 (LSM)
- :mod:`.lsnn`: the LSNN of Bellec et al. 2020 (recurrent LIF/ALIF neurons, built for e-prop)
"""
from .diehl_cook import DC_PARAMS, DiehlCookNetwork, build_network as build_diehl_cook
from .liquid import PAPER as LIQUID_PAPER, Liquid, LiquidRun, make_liquid
from .lsnn import LOSSES, LSNN, LSNNConfig, build_lsnn, init_weights

__all__ = ["DC_PARAMS", "DiehlCookNetwork", "build_diehl_cook", "LIQUID_PAPER", "Liquid", "LiquidRun",
           "make_liquid", "LSNNConfig", "LOSSES", "LSNN", "build_lsnn", "init_weights"]
