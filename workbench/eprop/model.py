"""The discrete-time LSNN of Bellec et al. (2020) trained with e-prop: parameters and weights.

One time step (dt = 1 ms), for recurrent neuron j, following the Methods of
Bellec et al. 2020 (Nat. Commun. 11:3625) and ``EligALIF`` in the reference
code (github IGITUGraz/eligibility_propagation)::

    a_j[t]  = rho a_j[t-1] + z_j[t-1]                         adaptation (ALIF only matters when beta_j > 0)
    v_j[t]  = alpha v_j[t-1] + sum_i W_in[i,j] x_i[t]
              + sum_i W_rec[i,j] z_i[t-1] - v_th z_j[t-1]      reset by subtraction; z enters one step late
    A_j[t]  = v_th + beta_j a_j[t]                             adaptive threshold
    z_j[t]  = H(v_j[t] - A_j[t])  unless refractory            refractory for n_ref - 1 steps after a spike
    psi_j[t]= gamma / v_th * max(0, 1 - |v_j[t] - A_j[t]| / v_th)   pseudo-derivative (0 while refractory)
    y_k[t]  = kappa y_k[t-1] + (1 - kappa) sum_j W_out[j,k] z_j[t]  leaky readout

Eligibility vectors (per synapse i -> j, with pre-synaptic activity
``p_i[t]`` = ``x_i[t]`` for input synapses and ``z_i[t-1]`` for recurrent ones)::

    eps_v[t] = alpha eps_v[t-1] + p_i[t]                        (shared by all j: a pre-synaptic trace)
    eps_a[t] = (rho - beta_j psi_j[t-1]) eps_a[t-1] + psi_j[t-1] eps_v[t-1]
    e[t]     = psi_j[t] (eps_v[t] - beta_j eps_a[t])            eligibility trace
    ebar[t]  = kappa ebar[t-1] + (1 - kappa) e[t]               filtered like the readout

and the e-prop gradient ``dE/dW_ji = sum_t L_j[t] ebar_ji[t]`` with the learning
signal ``L_j[t] = sum_k B_jk dE/dy_k[t]`` (``B = W_out`` for symmetric feedback,
fixed random for random feedback).  Membrane potentials and thresholds are in
arbitrary (dimensionless) units as in the paper.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

__all__ = ["LSNNConfig", "init_weights", "LOSSES", "FEEDBACK"]

LOSSES = ("mse", "ce")
FEEDBACK = ("symmetric", "random")


@dataclass(frozen=True)
class LSNNConfig:
    """Structure and constants of one LSNN (all times in ms; dt = 1 ms).

    ``n_alif`` of the ``n_lif + n_alif`` recurrent neurons (the last ones) adapt
    with strength ``beta``; the LIF ones have beta = 0.
    """

    n_in: int
    n_lif: int
    n_alif: int
    n_out: int
    tau_m: float = 20.0        # membrane time constant (ms)
    tau_a: float = 2000.0      # adaptation time constant (ms)
    tau_out: float = 20.0      # readout time constant (ms)
    v_th: float = 0.6          # baseline threshold (arbitrary units)
    beta: float = 0.0174       # adaptation strength of the ALIF neurons
    gamma: float = 0.3         # pseudo-derivative dampening factor
    n_ref: int = 5             # refractory period in steps (spike step included)
    dt: float = 1.0            # time step (ms); the model is defined at 1 ms
    loss: str = "mse"          # 'mse' (regression) or 'ce' (classification)

    def __post_init__(self):
        for name in ("n_in", "n_out"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"LSNNConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.n_lif < 0 or self.n_alif < 0 or self.n_lif + self.n_alif < 1:
            raise ValueError(f"need at least one recurrent neuron (n_lif={self.n_lif}, n_alif={self.n_alif})")
        for name in ("tau_m", "tau_a", "tau_out", "v_th", "dt"):
            if not getattr(self, name) > 0:
                raise ValueError(f"LSNNConfig.{name} must be positive, got {getattr(self, name)}")
        if self.n_ref < 0:
            raise ValueError(f"LSNNConfig.n_ref must be >= 0, got {self.n_ref}")
        if self.loss not in LOSSES:
            raise ValueError(f"LSNNConfig.loss must be one of {LOSSES}, got {self.loss!r}")

    @property
    def n_rec(self) -> int:
        return self.n_lif + self.n_alif

    @property
    def alpha(self) -> float:
        return float(np.exp(-self.dt / self.tau_m))

    @property
    def rho(self) -> float:
        return float(np.exp(-self.dt / self.tau_a))

    @property
    def kappa(self) -> float:
        return float(np.exp(-self.dt / self.tau_out))

    @property
    def betas(self) -> np.ndarray:
        return np.r_[np.zeros(self.n_lif), np.full(self.n_alif, float(self.beta))]

    def to_dict(self) -> dict:
        return asdict(self)


def init_weights(cfg: LSNNConfig, rng: np.random.Generator, *, w_in_scale=1.0, w_rec_scale=1.0,
                 w_out_scale=1.0) -> dict[str, np.ndarray]:
    """Gaussian initial weights as in the reference code: N(0, 1/n_pre), no autapses.

    Returns ``{'w_in': (n_in, n_rec), 'w_rec': (n_rec, n_rec), 'w_out': (n_rec, n_out)}``
    indexed [pre, post].
    """
    n_rec = cfg.n_rec
    w_in = rng.standard_normal((cfg.n_in, n_rec)) / np.sqrt(cfg.n_in) * w_in_scale
    w_rec = rng.standard_normal((n_rec, n_rec)) / np.sqrt(n_rec) * w_rec_scale
    np.fill_diagonal(w_rec, 0.0)
    w_out = rng.standard_normal((n_rec, cfg.n_out)) / np.sqrt(n_rec) * w_out_scale
    return {"w_in": w_in, "w_rec": w_rec, "w_out": w_out}
