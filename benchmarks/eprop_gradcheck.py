"""e-prop vs BPTT on the numpy reference (float64): factorisation error and cosine similarity.

    python benchmarks/eprop_gradcheck.py

For small LIF+ALIF networks and both losses: the relative error of the eligibility-trace
factorisation with the exact learning signal against BPTT, and the cosine similarity of the e-prop
gradients (symmetric and random feedback) with BPTT's.  One JSON line per case.
"""
import json

import numpy as np

from workbench.eprop import reference as R
from workbench.networks.lsnn import LSNNConfig, init_weights


def case(loss, n_lif, n_alif, T, B, seed):
    cfg = LSNNConfig(n_in=6, n_lif=n_lif, n_alif=n_alif, n_out=2, tau_a=200.0, beta=0.3, v_th=0.5, n_ref=3,
                     loss=loss)
    rng = np.random.default_rng(seed)
    W = init_weights(cfg, rng, w_in_scale=2.0, w_rec_scale=1.5)
    x = (rng.random((B, T, cfg.n_in)) < 0.2).astype(float)
    if loss == "mse":
        y, m = np.sin(np.arange(T) / 10.0)[None, :, None] * np.ones((B, T, 2)), np.ones((B, T, 2))
    else:
        y = np.repeat(np.eye(2)[rng.integers(0, 2, B)][:, None, :], T, axis=1)
        m = np.zeros((B, T, 2))
        m[:, -T // 5:] = 1.0 / (T // 5)
    g, info = R.bptt_gradients(cfg, W, x, y, m, c_reg=0.1, f_target_hz=10.0)
    fg = R.factorised_gradients(cfg, W, x, info["dEdz"], info["fwd"])
    eg, _ = R.eprop_gradients(cfg, W, x, y, m, c_reg=0.1, f_target_hz=10.0)
    rg, _ = R.eprop_gradients(cfg, W, x, y, m, c_reg=0.1, f_target_hz=10.0,
                              feedback=rng.standard_normal((cfg.n_rec, 2)) / np.sqrt(cfg.n_rec))

    def cos(a, b):
        return float(a.ravel() @ b.ravel() / np.linalg.norm(a) / np.linalg.norm(b))

    out = {"loss": loss, "n_lif": n_lif, "n_alif": n_alif, "steps": T, "trials": B, "seed": seed,
           "rate_hz": float(info["fwd"]["z"].mean() * 1000)}
    for k in ("w_in", "w_rec"):
        out[f"factorisation_rel_error_{k}"] = float(np.abs(fg[k] - g[k]).max() / np.abs(g[k]).max())
        out[f"cos_eprop_symmetric_{k}"] = cos(eg[k], g[k])
        out[f"cos_eprop_random_{k}"] = cos(rg[k], g[k])
    return out


if __name__ == "__main__":
    for loss in ("mse", "ce"):
        for seed in (0, 1, 2):
            print(json.dumps(case(loss, 5, 5, 100, 4, seed)))
