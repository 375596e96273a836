"""Device mismatch: fixed random variability of thresholds, leaks and weights, as on analog chips.

Each parameter is multiplied by ``1 + cv * N(0, 1)`` (drawn once per device,
i.e. per seed), then re-rounded to the chip's format; decays stay in [0, 1],
weights keep their sign.  Applies to a quantized :class:`ChipNetwork` or the
float reference alike.
"""
from __future__ import annotations

import numpy as np

from .quantize import ChipNetwork

__all__ = ["apply_mismatch"]


def apply_mismatch(net: ChipNetwork, cv_threshold: float = 0.0, cv_leak: float = 0.0, cv_weight: float = 0.0,
                   seed: int = 0) -> ChipNetwork:
    """A copy of ``net`` with mismatch of coefficient of variation ``cv_*`` (fractions, >= 0)."""
    for name, cv in (("cv_threshold", cv_threshold), ("cv_leak", cv_leak), ("cv_weight", cv_weight)):
        if not (cv >= 0):
            raise ValueError(f"{name} must be >= 0, got {cv!r}")
    rng = np.random.default_rng(seed)
    n, s = net.n_neurons, len(net.weight)
    f_th = np.maximum(1 + cv_threshold * rng.standard_normal(n), 0.0)
    f_leak = 1 + cv_leak * rng.standard_normal(n)
    f_w = np.maximum(1 + cv_weight * rng.standard_normal(s), 0.0)
    rnd = (lambda x: x) if net.exact else np.rint
    th = rnd(net.threshold * f_th)
    one = 1.0 if net.exact else 2.0**net.decay_bits
    # mismatch of the leak rate (1 - decay), as a leak conductance varies
    dv = np.clip(rnd(one - (one - net.decay_v) * f_leak), 0, one)
    w_int = rnd(net.weight_int * f_w)
    if not net.exact:
        th = th.astype(np.int64)
        dv = dv.astype(np.int64)
        w_int = np.clip(w_int, net.weight_min, net.weight_max).astype(np.int64) if net.weight_min < 0 else \
            np.clip(w_int, -net.weight_max, net.weight_max).astype(np.int64)
    weight = w_int if net.exact else np.rint(w_int * net.frac_shift)
    settings = dict(net.settings, mismatch=f"cv_threshold={cv_threshold}, cv_leak={cv_leak}, cv_weight={cv_weight}")
    return net.replace(threshold=th, decay_v=dv, weight_int=w_int, weight=weight, settings=settings)
