"""Measured STDP windows of the plasticity rules, and the triplet rule's frequency dependence.

Pair rules (additive / multiplicative, all-to-all / nearest), triplet STDP and the
stochastic binary rule, one pairing per delta_t (1000 trials for the stochastic rule);
triplet STDP also with 60 pairings at +-10 ms and 0.1-50 Hz (Pfister & Gerstner 2006, Fig. 4).
The 0.1 Hz protocol simulates 600 s, so the default backend is cpp_standalone (one build).

    workbench run stdp-window --out stdp.nc
    workbench figure stdp-window stdp.nc
"""
from workbench.experiments.stdp_window import PROTOCOL as _BASE

PROTOCOL = _BASE.with_defaults(n_pairs=1, n_trials=1000, triplet_pairs=60)
