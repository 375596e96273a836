"""One mini-batch of the LSNN through Brian2: weights and inputs in, accumulated e-prop quantities out.

:class:`EpropSimulator` builds the network once (:func:`workbench.networks.lsnn.build_lsnn`) and runs
it through :class:`workbench.backends.Simulation`: one run is one mini-batch; on ``cpp_standalone``
the program is built once and re-run with new weights, inputs and targets through ``run_args`` (no
rebuild per iteration), on runtime backends the initial state is restored before each run.
"""
from __future__ import annotations

import numpy as np
from brian2 import ms

from ..backends import Simulation
from ..networks.lsnn import LSNNConfig, build_lsnn

__all__ = ["EpropSimulator"]


class EpropSimulator:
    """Simulate mini-batches of ``trials`` trials of ``steps`` steps each.

    Must be created inside :func:`workbench.backends.use_backend` (the device decides whether it is
    built once and re-run, or rebuilt on each call).

    Parameters
    ----------
    cfg : LSNNConfig
    trials : int
        Trials per run (the mini-batch), simulated one after the other.
    steps : int
        Time steps per trial (dt = cfg.dt ms).
    backend : ActiveBackend
        What ``use_backend`` yielded.
    record_states : int
        Record v and a of this many recurrent neurons (0: none): the first LIF and the
        first ALIF neurons, half each where both exist (indices in ``recorded``).
    """

    def __init__(self, cfg: LSNNConfig, trials: int, steps: int, backend, *, record_states: int = 0):
        self.cfg, self.backend = cfg, backend
        self.lsnn = build_lsnn(cfg, trials, steps, record_states=record_states)
        self.trials, self.steps = self.lsnn.trials, self.lsnn.steps
        self.recorded = self.lsnn.recorded
        self.sim = Simulation(self.lsnn.net, self.lsnn.duration, backend)

    @property
    def build_time(self) -> float:
        """Seconds spent building the standalone program (0 on runtime backends)."""
        return self.sim.build_time

    def run(self, W: dict, x, y_star, mask, feedback=None) -> dict:
        """Simulate one mini-batch and return the accumulated e-prop quantities.

        ``x`` (trials, steps, n_in) input spikes (0/1), ``y_star`` and ``mask``
        (trials, steps, n_out).  ``feedback`` is B (n_rec, n_out), default
        ``W['w_out']`` (symmetric).  Returns a dict with, summed over the
        trials: ``G_in``, ``G_rec`` (sum_t L ebar), ``E_in``, ``E_rec`` (sum_t e),
        ``G_out`` (sum_t err zbar), ``count_total`` (n_rec,) spike counts; per trial:
        ``loss`` (trials,), ``ysum`` (trials, n_out) (sum_t mask y), ``count``
        (trials, n_rec); the readout ``y`` (trials, steps, n_out); spikes
        ``spike_trial``, ``spike_neuron``, ``spike_step``; and ``v``, ``a``
        (record_states, steps) of the first trial for the neurons ``recorded``.
        """
        cfg, net, B, T = self.cfg, self.lsnn, self.trials, self.steps
        n, K, n_in = cfg.n_rec, cfg.n_out, cfg.n_in
        x = np.asarray(x, dtype=float)
        if x.shape != (B, T, n_in):
            raise ValueError(f"inputs must have shape (trials={B}, steps={T}, n_in={n_in}), got {x.shape}")
        y_star = np.broadcast_to(np.asarray(y_star, dtype=float), (B, T, K))
        mask = np.broadcast_to(np.asarray(mask, dtype=float), (B, T, K))
        Bm = W["w_out"] if feedback is None else feedback

        def flat(a, width):
            return np.concatenate([a.reshape(B * T, width), np.zeros((1, width))])

        values = {
            net.readout.w: _take(W["w_out"], net.readout_pairs),
            net.feedback.B: _take(np.asarray(Bm).T, net.feedback_pairs),
            net.X: flat(x, n_in),
            net.Y: flat(y_star, K),
            net.M: flat(mask, K),
        }
        for _, S, kind, pairs in net.plastic:
            values[S.w] = _take(W["w_" + kind], pairs)
        self.sim.run({k: np.ascontiguousarray(v, dtype=float) for k, v in values.items()})
        y = np.asarray(net.y_mon.y[:]).T[:B * T].reshape(B, T, K)
        if cfg.loss == "mse":
            loss = 0.5 * np.sum(mask * (y - y_star) ** 2, axis=(1, 2))
        else:
            lse = np.log(np.sum(np.exp(y), axis=2, keepdims=True))
            loss = np.sum(mask * y_star * (lse - y), axis=(1, 2))
        res = {"G_out": _put(net.readout.G[:], net.readout_pairs, (n, K)), "y": y, "loss": loss,
               "ysum": np.sum(mask * y, axis=1), "count_total": np.asarray(net.rec.count[:]).copy()}
        for kind, n_pre in (("in", n_in), ("rec", n)):
            res["G_" + kind] = np.zeros((n_pre, n))
            res["E_" + kind] = np.zeros((n_pre, n))
        for _, S, kind, pairs in net.plastic:
            res["G_" + kind] += _put(S.G[:], pairs, res["G_" + kind].shape)
            res["E_" + kind] += _put(S.E[:], pairs, res["E_" + kind].shape)
        # recurrent spikes are emitted (and recorded) one step after they occur
        step = np.rint(np.asarray(net.spikes.t[:] / ms) / cfg.dt).astype(np.int64) - 1
        res["spike_trial"], res["spike_step"] = step // T, step % T
        res["spike_neuron"] = np.asarray(net.spikes.i[:])
        count = np.zeros((B, n))
        np.add.at(count, (res["spike_trial"], res["spike_neuron"]), 1.0)
        res["count"] = count
        if net.state_mon is not None:
            res["v"] = np.asarray(net.state_mon.v[:])[:, :T]
            res["a"] = np.asarray(net.state_mon.a[:])[:, :T]
        return res


def _take(W, pairs):
    return np.asarray(W, dtype=float)[pairs[0], pairs[1]]


def _put(values, pairs, shape):
    g = np.zeros(shape)
    g[pairs[0], pairs[1]] = np.asarray(values)
    return g
