"""Training LSNNs with e-prop through the Brian2 network, and a classifier for encoded data sets.

:class:`Trainer` owns the weights, the feedback matrix and Adam; each
:meth:`Trainer.step` runs one mini-batch through :class:`EpropSimulator` (one
Brian2 run: on ``cpp_standalone`` the same build, new ``run_args``), reads
the accumulated e-prop gradients and applies Adam.  The gradient of the
firing-rate regulariser ``c_reg/2 sum_j (f_j - f_target)^2`` is assembled
from the accumulated eligibility traces ``E = sum_t e`` and the trial's
rates, exactly as in the numpy reference.
"""
from __future__ import annotations

import time
from contextlib import nullcontext

import numpy as np

from ..backends import model_key, use_backend
from ..networks.lsnn import LSNNConfig, init_weights
from ..timing import cpu_seconds
from .optim import make_optimizer
from .simulator import EpropSimulator

__all__ = ["Trainer", "train_classifier", "CLASSIFIER_DEFAULTS", "FEEDBACK"]

#: How the learning signal reaches the recurrent neurons: through W_out^T (symmetric e-prop) or a fixed
#: random matrix B (random e-prop; Bellec et al. 2020)
FEEDBACK = ("symmetric", "random")


class Trainer:
    """e-prop training of one LSNN on mini-batches of ``batch`` trials of ``steps`` steps.

    Parameters
    ----------
    cfg : LSNNConfig
    batch, steps : int
        Mini-batch size and trial length (the Brian2 network is built for these).
    backend : ActiveBackend
        From :func:`workbench.backends.use_backend`.
    rng : numpy Generator
        Initial weights and random feedback.
    lr : float
        Learning rate of ``optimizer`` ('adam' or 'sgd').
    feedback : 'symmetric' or 'random'
    c_reg, f_target_hz : float
        Firing-rate regularisation strength and target rate.
    weight_scales : dict
        ``w_in_scale``, ``w_rec_scale``, ``w_out_scale`` for :func:`init_weights`.
    """

    def __init__(self, cfg: LSNNConfig, batch: int, steps: int, backend, rng, *, lr=0.005,
                 feedback="symmetric", c_reg=0.0, f_target_hz=10.0, weight_scales=None, record_states=0,
                 optimizer="adam"):
        if feedback not in FEEDBACK:
            raise ValueError(f"feedback must be one of {FEEDBACK}, got {feedback!r}")
        self.cfg, self.batch, self.steps = cfg, int(batch), int(steps)
        self.W = init_weights(cfg, rng, **(weight_scales or {}))
        self.W0 = {k: v.copy() for k, v in self.W.items()}
        self.feedback = feedback
        self.B = rng.standard_normal((cfg.n_rec, cfg.n_out)) / np.sqrt(cfg.n_rec) if feedback == "random" else None
        self.c_reg, self.f_target = float(c_reg), float(f_target_hz) * cfg.dt * 1e-3
        self.opt = make_optimizer(optimizer, lr)
        self.sim = EpropSimulator(cfg, batch, steps, backend, record_states=record_states)
        self.sim_times: list[float] = []  # wall time per run (s)
        self.cpu_times: list[float] = []  # CPU time per run, this process and its children (s)

    def simulate(self, x, y_star, mask):
        """Simulate up to ``batch`` trials with the current weights; the network's raw results."""
        n = x.shape[0]
        if n > self.batch:
            raise ValueError(f"{n} trials do not fit in a batch of {self.batch}")
        if n < self.batch:  # pad with silent, unweighted trials
            pad = self.batch - n
            x = np.concatenate([x, np.zeros((pad,) + x.shape[1:])])
            y_star = np.concatenate([np.broadcast_to(y_star, (n,) + y_star.shape[1:]),
                                     np.zeros((pad,) + y_star.shape[1:])])
            mask = np.concatenate([np.broadcast_to(mask, (n,) + mask.shape[1:]), np.zeros((pad,) + mask.shape[1:])])
        t0, c0 = time.perf_counter(), cpu_seconds()
        res = self.sim.run(self.W, x, y_star, mask, feedback=self.B)
        self.sim_times.append(time.perf_counter() - t0)
        self.cpu_times.append(cpu_seconds() - c0)
        res["n_trials"] = n
        return res

    def gradients(self, res) -> dict[str, np.ndarray]:
        """e-prop gradients of the mean task loss plus the rate regulariser, from one run's accumulators."""
        n, T = res["n_trials"], self.steps
        f = res["count_total"] / (n * T)
        dreg = self.c_reg * (f - self.f_target) / (n * T)
        return {"w_in": res["G_in"] / n + dreg * res["E_in"],
                "w_rec": (res["G_rec"] / n + dreg * res["E_rec"]) * (1 - np.eye(self.cfg.n_rec)),
                "w_out": res["G_out"] / n}

    def step(self, x, y_star, mask) -> dict:
        """Simulate a mini-batch, apply one Adam step; returns the run's results (before the update)."""
        res = self.simulate(x, y_star, mask)
        self.opt.step(self.W, self.gradients(res))
        return res

    def evaluate(self, x, y_star, mask) -> dict:
        """Simulate trials (any number, in batches) without changing the weights; concatenated results."""
        parts = []
        for s in range(0, x.shape[0], self.batch):
            sl = slice(s, s + self.batch)
            r = self.simulate(x[sl], np.broadcast_to(y_star, x.shape[:2] + (self.cfg.n_out,))[sl],
                          np.broadcast_to(mask, x.shape[:2] + (self.cfg.n_out,))[sl])
            k = r["n_trials"]
            parts.append({key: r[key][:k] for key in ("loss", "ysum", "count", "y")})
        return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}

    def firing_rates_hz(self, res) -> np.ndarray:
        n = res["n_trials"] if "n_trials" in res else res["count"].shape[0]
        return res["count"][:n].mean(axis=0) / (self.steps * self.cfg.dt * 1e-3)


#: Defaults of :func:`train_classifier` (times in ms; see its docstring); the neuron constants are the LSNN's
#: own (:class:`LSNNConfig`) except the shorter adaptation time constant tau_a
CLASSIFIER_DEFAULTS = dict(n_lif=50, n_alif=50, tau_m=LSNNConfig.tau_m, tau_a=500.0, tau_out=LSNNConfig.tau_out,
                           v_th=LSNNConfig.v_th, beta=None, gamma=LSNNConfig.gamma, n_ref=LSNNConfig.n_ref, lr=0.005,
                           batch=32, epochs=20, feedback="symmetric", c_reg=2.0, f_target_hz=10.0,
                           decision_steps=None, w_in_scale=1.0, w_rec_scale=1.0)


def train_classifier(X_train, y_train, X_test, y_test=None, *, backend=None, seed=0, progress=None, **params):
    """Train an LSNN with e-prop to classify encoded spike trains; predict a test set.

    Parameters
    ----------
    X_train, X_test : array (trials, steps, channels)
        Spike trains, one 0/1 (or spike count) value per 1 ms step and input channel.
    y_train, y_test : array of int (trials,)
        Class labels 0..K-1 (K from y_train).  ``y_test`` is only used for the metrics.
    backend : ActiveBackend or str, optional
        An active backend (inside :func:`use_backend`) or a backend name (default ``numpy``;
        use ``cpp_standalone`` for anything but tiny sets).
    seed : int
        Weights, feedback and the order of the trials.
    progress : callable(epoch, metrics) or None
    **params
        Any of :data:`CLASSIFIER_DEFAULTS`: network size (``n_lif``, ``n_alif``), time
        constants (ms), ``lr``, ``batch``, ``epochs``, ``feedback`` ('symmetric'|'random'),
        firing-rate regularisation ``c_reg`` / ``f_target_hz``, ``decision_steps`` (the
        cross-entropy window at the end of each trial; default: the whole trial, which
        suits zero-padded samples of unequal length),
        ``beta`` (default: the reference code's heuristic).

    Returns
    -------
    predictions : array of int (n_test,)
    metrics : dict
        ``train_loss`` and ``train_accuracy`` per epoch (lists), ``test_accuracy`` (if
        ``y_test``), ``firing_rate_hz``, ``test_spike_counts`` (recurrent spikes per test
        sample), ``wall_time_s``, ``n_iterations``.
    """
    unknown = sorted(set(params) - set(CLASSIFIER_DEFAULTS))
    if unknown:
        raise ValueError(f"train_classifier: unknown parameter(s) {unknown}; known: {sorted(CLASSIFIER_DEFAULTS)}")
    p = dict(CLASSIFIER_DEFAULTS, **params)
    X_train = np.asarray(X_train, dtype=float)
    X_test = np.asarray(X_test, dtype=float)
    y_train = np.asarray(y_train).astype(int)
    if X_train.ndim != 3 or X_test.ndim != 3 or X_train.shape[1:] != X_test.shape[1:]:
        raise ValueError("X_train and X_test must have shape (trials, steps, channels) with equal steps and "
                         f"channels; got {X_train.shape} and {X_test.shape}")
    if len(y_train) != len(X_train):
        raise ValueError(f"y_train has {len(y_train)} labels for {len(X_train)} trials")
    if y_train.min() < 0:
        raise ValueError("labels must be integers 0..K-1")
    K = max(int(y_train.max()) + 1, 2)
    _, T, n_in = X_train.shape
    rho = np.exp(-1.0 / p["tau_a"])
    beta = p["beta"] if p["beta"] is not None else 1.7 * (1 - rho) / (1 - np.exp(-1.0 / p["tau_m"]))
    cfg = LSNNConfig(n_in=n_in, n_lif=p["n_lif"], n_alif=p["n_alif"], n_out=K, tau_m=p["tau_m"],
                     tau_a=p["tau_a"], tau_out=p["tau_out"], v_th=p["v_th"], beta=float(beta), gamma=p["gamma"],
                     n_ref=p["n_ref"], loss="ce")
    win = int(p["decision_steps"] or T)
    if not 1 <= win <= T:
        raise ValueError(f"decision_steps must be in 1..{T}, got {win}")
    mask_1 = np.zeros((1, T, K))
    mask_1[:, -win:] = 1.0 / win
    batch = int(min(p["batch"], len(X_train)))
    rng = np.random.default_rng(seed)

    def onehot(y):
        out = np.zeros((len(y), T, K))
        out[np.arange(len(y)), :, y] = 1.0
        return out

    if backend is None or isinstance(backend, str):
        key = model_key("eprop-classifier", cfg.to_dict(), batch, T)
        ctx = use_backend(backend or "numpy", key=key, seed=seed)
    else:
        ctx = nullcontext(backend)
    t0 = time.perf_counter()
    metrics = {"train_loss": [], "train_accuracy": []}
    with ctx as be:
        tr = Trainer(cfg, batch, T, be, rng, lr=p["lr"], feedback=p["feedback"], c_reg=p["c_reg"],
                     f_target_hz=p["f_target_hz"],
                     weight_scales={"w_in_scale": p["w_in_scale"], "w_rec_scale": p["w_rec_scale"]})
        n_iter = 0
        for epoch in range(int(p["epochs"])):
            order = rng.permutation(len(X_train))
            losses, correct = [], 0
            for s in range(0, len(order) - batch + 1, batch):
                idx = order[s:s + batch]
                res = tr.step(X_train[idx], onehot(y_train[idx]), mask_1)
                n_iter += 1
                losses.append(res["loss"][:batch].mean())
                correct += int(np.sum(res["ysum"][:batch].argmax(axis=1) == y_train[idx]))
            metrics["train_loss"].append(float(np.mean(losses)))
            metrics["train_accuracy"].append(correct / (len(losses) * batch))
            if progress is not None:
                progress(epoch, metrics)
        ev = tr.evaluate(X_test, np.zeros((1, T, K)), mask_1)
    pred = ev["ysum"].argmax(axis=1)
    metrics["firing_rate_hz"] = float(ev["count"].mean() / (T * 1e-3))
    metrics["test_spike_counts"] = ev["count"].sum(axis=1)
    metrics["n_iterations"] = n_iter
    metrics["wall_time_s"] = time.perf_counter() - t0
    if y_test is not None:
        metrics["test_accuracy"] = float(np.mean(pred == np.asarray(y_test).astype(int)))
    return pred, metrics
