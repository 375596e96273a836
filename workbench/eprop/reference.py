"""Independent float64 numpy reference of the LSNN: forward pass, exact BPTT and e-prop.

Nothing here uses Brian2: it is the yardstick the Brian2 implementation
(:mod:`workbench.eprop.simulator`) is tested against, step for step.  The
backward pass is written by hand (no autodiff library is needed).

Loss, for a batch of ``B`` trials (inputs ``x`` of shape (B, T, n_in), targets
``y_star`` and weights ``mask`` of shape (B, T, n_out))::

    mse:  E_task = 1/B sum_{b,t,k} mask * (y - y_star)**2 / 2
    ce :  E_task = 1/B sum_{b,t}   mask_t * (-sum_k y_star_k log softmax(y)_k)
    E_reg = c_reg / 2 * sum_j (f_j - f_target)**2,   f_j = mean_{b,t} z_j  (spikes per step;
                                                      f_target = f_target_hz * dt)

The exact gradient of ``E = E_task + E_reg`` is computed by BPTT with the
pseudo-derivative (:func:`bptt_gradients`).  :func:`factorised_gradients` computes
the same gradient as ``sum_t dE/dz_j[t] e_ji[t]`` (Bellec et al. 2020, eq. 1)
from forward eligibility traces and the exact (total) learning signal; and
:func:`eprop_gradients` is e-prop proper: the learning signal is only the
direct readout error fed back through ``B``.
"""
from __future__ import annotations

import numpy as np

from ..networks.lsnn import LSNNConfig

__all__ = ["forward", "loss_and_output_error", "bptt_gradients", "eligibility_traces",
           "factorised_gradients", "eprop_gradients", "softmax"]


def softmax(y, axis=-1):
    e = np.exp(y - y.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _check_inputs(cfg, W, x):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[2] != cfg.n_in:
        raise ValueError(f"inputs must have shape (trials, steps, n_in={cfg.n_in}), got {x.shape}")
    shapes = {"w_in": (cfg.n_in, cfg.n_rec), "w_rec": (cfg.n_rec, cfg.n_rec), "w_out": (cfg.n_rec, cfg.n_out)}
    for k, s in shapes.items():
        if np.shape(W[k]) != s:
            raise ValueError(f"weights[{k!r}] must have shape {s}, got {np.shape(W[k])}")
    return x


def forward(cfg: LSNNConfig, W: dict, x) -> dict[str, np.ndarray]:
    """Simulate the LSNN; returns v, a, z, psi, refractory, y (each (B, T, ·))."""
    x = _check_inputs(cfg, W, x)
    B, T, _ = x.shape
    n = cfg.n_rec
    alpha, rho, kappa, v_th = cfg.alpha, cfg.rho, cfg.kappa, cfg.v_th
    beta = cfg.betas
    w_rec = W["w_rec"] * (1 - np.eye(n))
    v = np.zeros((B, n)); a = np.zeros((B, n)); z = np.zeros((B, n)); r = np.zeros((B, n))
    y = np.zeros((B, cfg.n_out))
    out = {k: np.zeros((B, T, n)) for k in ("v", "a", "z", "psi", "refr")}
    out["y"] = np.zeros((B, T, cfg.n_out))
    i_in = x @ W["w_in"]
    for t in range(T):
        a = rho * a + z
        v = alpha * v + i_in[:, t] + z @ w_rec - v_th * z
        refr = (r > 0.5).astype(float)
        A = v_th + beta * a
        z = (v > A).astype(float) * (1 - refr)
        r = np.clip(r + cfg.n_ref * z - 1, 0, cfg.n_ref)
        psi = (1 - refr) * cfg.gamma / v_th * np.maximum(0.0, 1 - np.abs(v - A) / v_th)
        y = kappa * y + (1 - kappa) * z @ W["w_out"]
        for k, val in (("v", v), ("a", a), ("z", z), ("psi", psi), ("refr", refr)):
            out[k][:, t] = val
        out["y"][:, t] = y
    return out


def loss_and_output_error(cfg: LSNNConfig, y, y_star, mask):
    """Task loss (mean over trials) and ``dE_task/dy`` (B, T, n_out), for cfg.loss."""
    B = y.shape[0]
    mask = np.broadcast_to(mask, y.shape)
    if cfg.loss == "mse":
        err = mask * (y - y_star)
        loss = 0.5 * np.sum(mask * (y - y_star) ** 2) / B
    else:
        logp = y - np.log(np.sum(np.exp(y), axis=-1, keepdims=True))
        err = mask * (np.exp(logp) - y_star)
        loss = -np.sum(mask * y_star * logp) / B
    return loss, err / B


def _reg_signal(cfg, z, c_reg, f_target_hz):
    """E_reg and its (constant in time) derivative dE_reg/dz_j[b, t], shape (n_rec,)."""
    B, T, _ = z.shape
    f = z.mean(axis=(0, 1))
    f0 = f_target_hz * cfg.dt * 1e-3  # spikes per step
    return 0.5 * c_reg * np.sum((f - f0) ** 2), c_reg * (f - f0) / (B * T)


def bptt_gradients(cfg, W, x, y_star, mask, *, c_reg=0.0, f_target_hz=0.0, fwd=None):
    """Exact gradients of E = E_task + E_reg by backpropagation through time.

    Returns ``(grads, info)``: grads has keys w_in, w_rec, w_out ([pre, post]);
    info has the loss terms and the total learning signal ``dE/dz`` (the
    derivative through every path leaving z[t] except the neuron's own
    adaptation, which belongs to its hidden state), shape (B, T, n_rec).
    """
    x = _check_inputs(cfg, W, x)
    fwd = fwd if fwd is not None else forward(cfg, W, x)
    B, T, _ = x.shape
    n = cfg.n_rec
    alpha, rho, kappa, v_th = cfg.alpha, cfg.rho, cfg.kappa, cfg.v_th
    beta = cfg.betas
    w_rec = W["w_rec"] * (1 - np.eye(n))
    z, psi = fwd["z"], fwd["psi"]
    loss, dy = loss_and_output_error(cfg, fwd["y"], y_star, mask)
    loss_reg, dreg = _reg_signal(cfg, z, c_reg, f_target_hz)
    gy = np.zeros((B, cfg.n_out)); gv_next = np.zeros((B, n)); ga_next = np.zeros((B, n))
    gv = np.zeros((B, T, n)); gy_all = np.zeros((B, T, cfg.n_out)); dEdz = np.zeros((B, T, n))
    for t in range(T - 1, -1, -1):
        gy = dy[:, t] + kappa * gy
        gy_all[:, t] = gy
        # total derivative w.r.t. z[t] through readout, regularisation, recurrence and reset
        lz = (1 - kappa) * gy @ W["w_out"].T + dreg + gv_next @ w_rec.T - v_th * gv_next
        dEdz[:, t] = lz
        gz = lz + ga_next  # plus the path into the neuron's own adaptation a[t+1]
        gv_t = gz * psi[:, t] + alpha * gv_next
        ga_t = -beta * gz * psi[:, t] + rho * ga_next
        gv[:, t] = gv_t
        gv_next, ga_next = gv_t, ga_t
    z_prev = np.concatenate([np.zeros((B, 1, n)), z[:, :-1]], axis=1)
    grads = {
        "w_in": np.einsum("bti,btj->ij", x, gv),
        "w_rec": np.einsum("bti,btj->ij", z_prev, gv) * (1 - np.eye(n)),
        "w_out": (1 - kappa) * np.einsum("btj,btk->jk", z, gy_all),
    }
    return grads, {"loss": loss, "loss_reg": loss_reg, "dEdz": dEdz, "fwd": fwd}


def eligibility_traces(cfg, pre, psi):
    """Eligibility traces e[b, t, i, j] for pre-synaptic activity ``pre`` (B, T, n_pre).

    ``pre`` is x[t] for input synapses and z[t-1] for recurrent ones.
    """
    B, T, n_pre = pre.shape
    n = psi.shape[2]
    alpha, rho = cfg.alpha, cfg.rho
    beta = cfg.betas
    eps_v = np.zeros((B, n_pre)); eps_a = np.zeros((B, n_pre, n))
    psi_prev = np.zeros((B, n)); eps_v_prev = np.zeros((B, n_pre))
    e = np.zeros((B, T, n_pre, n))
    for t in range(T):
        eps_a = (rho - beta * psi_prev)[:, None, :] * eps_a + psi_prev[:, None, :] * eps_v_prev[:, :, None]
        eps_v = alpha * eps_v + pre[:, t]
        e[:, t] = psi[:, t][:, None, :] * (eps_v[:, :, None] - beta * eps_a)
        psi_prev, eps_v_prev = psi[:, t], eps_v
    return e


def _pre_activity(x, z):
    B, T, n = z.shape
    return x, np.concatenate([np.zeros((B, 1, n)), z[:, :-1]], axis=1)


def factorised_gradients(cfg, W, x, learning_signal, fwd):
    """``sum_t L_j[t] e_ji[t]`` for input and recurrent weights, with a given learning signal."""
    pre_in, pre_rec = _pre_activity(x, fwd["z"])
    g_in = np.einsum("btj,btij->ij", learning_signal, eligibility_traces(cfg, pre_in, fwd["psi"]))
    g_rec = np.einsum("btj,btij->ij", learning_signal, eligibility_traces(cfg, pre_rec, fwd["psi"]))
    return {"w_in": g_in, "w_rec": g_rec * (1 - np.eye(cfg.n_rec))}


def eprop_gradients(cfg, W, x, y_star, mask, *, feedback=None, c_reg=0.0, f_target_hz=0.0, fwd=None):
    """e-prop gradients (online, causal): learning signal ``B dE/dy[t]``, filtered eligibility traces.

    ``feedback`` is the (n_rec, n_out) matrix B (default: W_out, symmetric e-prop).
    The output weights get their exact gradient.  Returns ``(grads, info)``.
    """
    x = _check_inputs(cfg, W, x)
    fwd = fwd if fwd is not None else forward(cfg, W, x)
    Bm = W["w_out"] if feedback is None else np.asarray(feedback, dtype=float)
    kappa = cfg.kappa
    z, psi = fwd["z"], fwd["psi"]
    B, T, n = z.shape
    loss, dy = loss_and_output_error(cfg, fwd["y"], y_star, mask)
    loss_reg, dreg = _reg_signal(cfg, z, c_reg, f_target_hz)
    L = dy @ Bm.T  # (B, T, n_rec)
    grads = {}
    pre_in, pre_rec = _pre_activity(x, z)
    for name, pre in (("w_in", pre_in), ("w_rec", pre_rec)):
        e = eligibility_traces(cfg, pre, psi)
        ebar = np.zeros_like(e[:, 0]); g = np.zeros(e.shape[2:])
        for t in range(T):
            ebar = kappa * ebar + (1 - kappa) * e[:, t]
            g += np.einsum("bj,bij->ij", L[:, t], ebar)
        g += dreg[None, :] * e.sum(axis=(0, 1))
        grads[name] = g
    grads["w_rec"] *= 1 - np.eye(n)
    zbar = np.zeros((B, n)); g_out = np.zeros((n, cfg.n_out))
    for t in range(T):
        zbar = kappa * zbar + (1 - kappa) * z[:, t]
        g_out += zbar.T @ dy[:, t]
    grads["w_out"] = g_out
    return grads, {"loss": loss, "loss_reg": loss_reg, "learning_signal": L, "fwd": fwd}
