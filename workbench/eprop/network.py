"""The LSNN and its e-prop learning machinery as Brian2 equations.

Eligibility vectors and traces, learning signals and gradient accumulators
are Brian2 variables (synaptic and neuronal), updated by generated code every
1 ms step, so training runs through code generation.  The ``trials`` of a
mini-batch run one after the other in one simulation, the network's state
(and the eligibility vectors) reset at the first step of each trial through
the TimedArray ``RS``; the gradient accumulators sum over the batch.  One
``run`` is one mini-batch.  (Trials in sequence rather than side by side keep
the synaptic state of one network copy in the CPU cache: 2-3x faster than
block-diagonal copies, measured.)  On ``cpp_standalone`` the program is built
once and re-run with new weights, inputs and targets through ``run_args``
(no rebuild per iteration).

Order of operations within step t (all in generated code; see
:mod:`workbench.eprop.model` for the equations)::

    start      inputs: x = X(t); eps_v_in = alpha eps_v_in + x     (reset at a trial's first step)
               recurrent: eps_v_rec = alpha eps_v_rec + z      (z = z[t-1])
    thresholds inputs emit x[t]; recurrent neurons emit z[t-1]
    synapses   I_in += W_in (x[t] events), I_rec += W_rec (z[t-1] events)
    end   0    recurrent neurons: a, v, refractoriness, z[t], psi[t], zbar
          1    (summed) I_out = sum_j W_out z_j[t]
          2    readout y[t], targets, output error dE/dy
          3-4  (ce) softmax normaliser, error
          5    (summed) learning signal L_j = sum_k B_jk err_k; output-weight gradient
          6    synapses: e, ebar, G += L ebar, E += e, eps_a for the next step

Recurrent spikes are therefore transmitted (and recorded by the spike monitor)
one step after they are computed; :meth:`EpropNetwork.run` corrects the
recorded times.
"""
from __future__ import annotations

import numpy as np

from .model import LSNNConfig

__all__ = ["EpropNetwork"]

_REC_START = "evr = (alpha*evr + z)*(1 - RS(t))"
_REC_END = """
keep = 1 - RS(t)
z = z*keep
v = v*keep
a = a*keep
r = r*keep
zbar = zbar*keep
Irec = Irec*keep
a = rho*a + z
v = alpha*v + Iin + Irec - v_th*z
refr = int(r > 0.5)
A = v_th + beta*a
z = int(v > A)*(1 - refr)
r = clip(r + n_ref*z - 1, 0, n_ref)
psi = (1 - refr)*gamma/v_th*clip(1 - abs(v - A)/v_th, 0, 1)
zbar = kappa*zbar + (1 - kappa)*z
count += z
Iin = 0
Irec = 0
"""
_ELIG = """
epsa = epsa*(1 - RS(t))
e = psi_post*({ev}_pre - beta_post*epsa)
ebar = kappa*ebar*(1 - RS(t)) + (1 - kappa)*e
G += L_post*ebar
E += e
epsa = (rho - beta_post*psi_post)*epsa + psi_post*{ev}_pre
"""
_ELIG_LIF = """
e = psi_post*{ev}_pre
ebar = kappa*ebar*(1 - RS(t)) + (1 - kappa)*e
G += L_post*ebar
E += e
"""


class EpropNetwork:
    """Build the Brian2 objects for mini-batches of ``trials`` trials of ``steps`` steps each.

    Must be created inside :func:`workbench.backends.use_backend` (the device
    decides whether it is built once and re-run, or rebuilt on each call).

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
        import brian2 as b2
        from brian2 import ms

        if trials < 1 or steps < 1:
            raise ValueError(f"trials and steps must be >= 1, got trials={trials}, steps={steps}")
        self.cfg, self.trials, self.steps, self.backend = cfg, int(trials), int(steps), backend
        self.record_states = int(min(record_states, cfg.n_rec))
        k = self.record_states
        k_alif = min(cfg.n_alif, k // 2 if cfg.n_lif else k)
        k_lif = min(cfg.n_lif, k - k_alif)
        self.recorded = np.r_[np.arange(k_lif), cfg.n_lif + np.arange(k - k_lif)].astype(int)
        b2.defaultclock.dt = cfg.dt * ms
        n_in, n, K = cfg.n_in, cfg.n_rec, cfg.n_out
        # one extra, silent step (a reset) after the last trial lets its last spikes be emitted
        total = self.trials * self.steps + 1
        self.ns = {"alpha": cfg.alpha, "rho": cfg.rho, "kappa": cfg.kappa, "v_th": cfg.v_th,
                   "gamma": cfg.gamma, "n_ref": float(cfg.n_ref)}
        self.X = b2.TimedArray(np.zeros((total, n_in)), dt=cfg.dt * ms, name="eprop_X")
        self.Y = b2.TimedArray(np.zeros((total, K)), dt=cfg.dt * ms, name="eprop_Y")
        self.M = b2.TimedArray(np.zeros((total, K)), dt=cfg.dt * ms, name="eprop_M")
        first = np.zeros(total)
        first[::self.steps] = 1.0
        self.RS = b2.TimedArray(first, dt=cfg.dt * ms, name="eprop_RS")
        ns = dict(self.ns, X=self.X, Y=self.Y, M=self.M, RS=self.RS)
        self.has_alif = cfg.n_alif > 0 and cfg.beta != 0

        inp = b2.NeuronGroup(n_in, "x : 1\nev : 1", threshold="x > 0.5", reset="", namespace=ns, name="eprop_in")
        inp.run_regularly("x = X(t, i)\nev = alpha*ev*(1 - RS(t)) + x", when="start", order=0,
                          name="eprop_in_step")
        rec = b2.NeuronGroup(
            n, """v : 1
                  a : 1
                  z : 1
                  r : 1
                  psi : 1
                  evr : 1
                  zbar : 1
                  count : 1
                  Iin : 1
                  Irec : 1
                  L : 1
                  beta : 1 (constant)""",
            threshold="z > 0.5", reset="", namespace=ns, name="eprop_rec")
        rec.beta = cfg.betas
        rec.run_regularly(_REC_START, when="start", order=1, name="eprop_rec_start")
        rec.run_regularly(_REC_END, when="end", order=0, name="eprop_rec_step")
        out_eqs = "y : 1\nyt : 1\nm : 1\nerr : 1\nIout : 1"
        if cfg.loss == "ce":
            out_eqs += "\nZs : 1"
        out = b2.NeuronGroup(K, out_eqs, namespace=ns, name="eprop_out")
        out_step = """y = kappa*y*(1 - RS(t)) + (1 - kappa)*Iout
                      yt = Y(t, i)
                      m = M(t, i)"""
        if cfg.loss == "mse":
            out.run_regularly(out_step + "\nerr = m*(y - yt)", when="end", order=2, name="eprop_out_step")
        else:
            out.run_regularly(out_step, when="end", order=2, name="eprop_out_step")
            out.run_regularly("err = m*(exp(y)/Zs - yt)", when="end", order=4, name="eprop_out_err")

        # Input and recurrent synapses, split by the kind of post-synaptic neuron: onto LIF
        # neurons (beta = 0) the adaptation eligibility vector vanishes and is not simulated.
        self.plastic = []  # (name, Synapses, 'in' | 'rec', (i, j))
        posts = [("lif", np.arange(cfg.n_lif), False)]
        if self.has_alif:
            posts.append(("alif", cfg.n_lif + np.arange(cfg.n_alif), True))
        else:
            posts[0] = ("all", np.arange(n), False)
        for kind, pre, n_pre, ev, src in (("in", inp, n_in, "ev", "Iin"), ("rec", rec, n, "evr", "Irec")):
            for label, post_idx, adaptive in posts:
                if len(post_idx) == 0:
                    continue
                model = "w : 1\nG : 1\nE : 1\nebar : 1" + ("\nepsa : 1" if adaptive else "")
                name = f"eprop_S_{kind}_{label}"
                S = b2.Synapses(pre, rec, model, on_pre=f"{src}_post += w", namespace=ns, name=name)
                i, j = _pairs(n_pre, post_idx, no_autapse=(kind == "rec"))
                S.connect(i=i, j=j)
                S.run_regularly((_ELIG if adaptive else _ELIG_LIF).format(ev=ev), when="end", order=6,
                                name=name + "_elig")
                self.plastic.append((name, S, kind, (i, j)))
        S_out = b2.Synapses(rec, out, "w : 1\nG : 1\nIout_post = w*z_pre : 1 (summed)", namespace=ns,
                            name="eprop_S_out")
        self._out_pairs = _pairs(n, np.arange(K))
        S_out.connect(i=self._out_pairs[0], j=self._out_pairs[1])
        S_out.run_regularly("G += err_post*zbar_pre", when="end", order=5, name="eprop_S_out_grad")
        _set_schedule(S_out, "Iout_post", 1)
        S_fb = b2.Synapses(out, rec, "B : 1\nL_post = B*err_pre : 1 (summed)", namespace=ns, name="eprop_S_fb")
        self._fb_pairs = _pairs(K, np.arange(n))
        S_fb.connect(i=self._fb_pairs[0], j=self._fb_pairs[1])
        _set_schedule(S_fb, "L_post", 5)
        objs = [inp, rec, out, S_out, S_fb] + [S for _, S, _, _ in self.plastic]
        if cfg.loss == "ce":
            S_norm = b2.Synapses(out, out, "Zs_post = exp(y_pre) : 1 (summed)", namespace=ns, name="eprop_S_norm")
            S_norm.connect()
            _set_schedule(S_norm, "Zs_post", 3)
            objs.append(S_norm)
        self.spikes = b2.SpikeMonitor(rec, name="eprop_rec_spikes")
        self.y_mon = b2.StateMonitor(out, "y", record=True, when="end", order=10, name="eprop_y_mon")
        objs += [self.spikes, self.y_mon]
        self.state_mon = None
        if self.record_states:
            self.state_mon = b2.StateMonitor(rec, ["v", "a"], record=self.recorded, when="end",
                                             order=10, name="eprop_state_mon")
            objs.append(self.state_mon)
        # initial values (replaced through run_args / assignment on every run)
        for S in [S_out] + [S for _, S, _, _ in self.plastic]:
            S.w = np.zeros(len(S))
        S_fb.B = np.zeros(len(S_fb))
        self.inp, self.rec, self.out = inp, rec, out
        self.S_out, self.S_fb = S_out, S_fb
        self.net = b2.Network(objs)
        self._sim = None

    # ------------------------------------------------------------------ running
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
        from brian2 import ms

        from ..backends import Simulation

        cfg, B, T = self.cfg, self.trials, self.steps
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
            self.S_out.w: _take(W["w_out"], self._out_pairs),
            self.S_fb.B: _take(np.asarray(Bm).T, self._fb_pairs),
            self.X: flat(x, n_in),
            self.Y: flat(y_star, K),
            self.M: flat(mask, K),
        }
        for _, S, kind, pairs in self.plastic:
            values[S.w] = _take(W["w_" + kind], pairs)
        values = {k: np.ascontiguousarray(v, dtype=float) for k, v in values.items()}
        if self.backend.standalone:
            if self._sim is None:
                self._sim = Simulation(self.net, (B * T + 1) * cfg.dt * ms, self.backend)
            self._sim.run(values)
        else:
            self._run_runtime(values)
        y = np.asarray(self.y_mon.y[:]).T[:B * T].reshape(B, T, K)
        if cfg.loss == "mse":
            loss = 0.5 * np.sum(mask * (y - y_star) ** 2, axis=(1, 2))
        else:
            lse = np.log(np.sum(np.exp(y), axis=2, keepdims=True))
            loss = np.sum(mask * y_star * (lse - y), axis=(1, 2))
        res = {"G_out": _put(self.S_out.G[:], self._out_pairs, (n, K)), "y": y, "loss": loss,
               "ysum": np.sum(mask * y, axis=1), "count_total": np.asarray(self.rec.count[:]).copy()}
        for kind, n_pre in (("in", n_in), ("rec", n)):
            res["G_" + kind] = np.zeros((n_pre, n))
            res["E_" + kind] = np.zeros((n_pre, n))
        for _, S, kind, pairs in self.plastic:
            res["G_" + kind] += _put(S.G[:], pairs, res["G_" + kind].shape)
            res["E_" + kind] += _put(S.E[:], pairs, res["E_" + kind].shape)
        # recurrent spikes are emitted (and recorded) one step after they occur
        step = np.rint(np.asarray(self.spikes.t[:] / ms) / cfg.dt).astype(np.int64) - 1
        res["spike_trial"], res["spike_step"] = step // T, step % T
        res["spike_neuron"] = np.asarray(self.spikes.i[:])
        count = np.zeros((B, n))
        np.add.at(count, (res["spike_trial"], res["spike_neuron"]), 1.0)
        res["count"] = count
        if self.state_mon is not None:
            res["v"] = np.asarray(self.state_mon.v[:])[:, :T]
            res["a"] = np.asarray(self.state_mon.a[:])[:, :T]
        return res

    def _run_runtime(self, values):
        """Runtime devices: restore the initial state, set the values, run."""
        import brian2 as b2
        from brian2 import ms

        if self._sim is None:
            self.net.store("eprop_initial")
            self._sim = True
        else:
            self.net.restore("eprop_initial")
        for key, val in values.items():
            if isinstance(key, b2.TimedArray):
                # the runtime implementations close over this very array: update it in place
                key.values[:] = np.asarray(val, dtype=float)
            else:
                key[:] = val
        self.net.run((self.trials * self.steps + 1) * self.cfg.dt * ms)


def _pairs(n_pre, post_idx, no_autapse=False):
    """(i, j) of an all-to-all projection from ``n_pre`` neurons onto ``post_idx`` (pre-major order)."""
    post_idx = np.asarray(post_idx)
    i = np.repeat(np.arange(n_pre), len(post_idx))
    j = np.tile(post_idx, n_pre)
    if no_autapse:
        keep = i != j
        i, j = i[keep], j[keep]
    return i, j


def _take(W, pairs):
    return np.asarray(W, dtype=float)[pairs[0], pairs[1]]


def _put(values, pairs, shape):
    g = np.zeros(shape)
    g[pairs[0], pairs[1]] = np.asarray(values)
    return g


def _set_schedule(synapses, varname, order):
    upd = synapses.summed_updaters[varname]
    upd.when = "end"
    upd.order = order
