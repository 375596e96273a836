"""The LSNN of Bellec et al. (2020): recurrent LIF and ALIF neurons with leaky readouts, built for e-prop.

:class:`LSNNConfig` holds the network's defining constants (with their sources) and
:func:`init_weights` its initial weights; :func:`build_lsnn` returns the named Brian2 objects made
from the equations in :mod:`workbench.models.eprop`.  The eligibility traces, learning signals and
gradient accumulators are Brian2 variables of the same network, updated by generated code every
1 ms step, so training runs through code generation (:mod:`workbench.eprop` drives it).

The ``trials`` of a mini-batch run one after the other in one simulation, the network's state (and
the eligibility vectors) reset at the first step of each trial through the TimedArray ``RS``; the
gradient accumulators sum over the batch.  (Trials in sequence rather than side by side keep the
synaptic state of one network copy in the CPU cache: 2-3x faster than block-diagonal copies,
measured.)  One extra, silent step after the last trial lets its last spikes be emitted.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from brian2 import Network, NeuronGroup, SpikeMonitor, StateMonitor, Synapses, TimedArray, defaultclock, ms

from ..models import eprop as eqs

__all__ = ["LSNNConfig", "LOSSES", "init_weights", "LSNN", "build_lsnn"]

LOSSES = ("mse", "ce")


@dataclass(frozen=True)
class LSNNConfig:
    """Structure and constants of one LSNN (all times in ms; dt = 1 ms).

    ``n_alif`` of the ``n_lif + n_alif`` recurrent neurons (the last ones) adapt with strength
    ``beta``; the LIF ones have beta = 0.  The defaults are those of the reference code's evidence
    accumulation task (github IGITUGraz/eligibility_propagation,
    ``Figure_3_and_S7_e_prop_tutorials/tutorial_evidence_accumulation_with_alif.py``: flags
    ``tau_v``, ``tau_a``, ``tau_out``, ``thr``, ``dampening_factor``, ``n_ref``, ``dt``).
    """

    n_in: int
    n_lif: int
    n_alif: int
    n_out: int
    tau_m: float = 20.0        # membrane time constant (ms; reference tau_v = 20)
    tau_a: float = 2000.0      # adaptation time constant (ms; reference tau_a = 2000)
    tau_out: float = 20.0      # readout time constant (ms; reference tau_out = 20)
    v_th: float = 0.6          # baseline threshold (arbitrary units; reference thr = 0.6)
    beta: float = 0.0174       # adaptation strength: the reference's 1.7 (1 - rho)/(1 - alpha) at these taus
    gamma: float = 0.3         # pseudo-derivative dampening factor (reference dampening_factor = 0.3)
    n_ref: int = 5             # refractory period in steps, spike step included (reference n_ref = 5)
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


@dataclass
class LSNN:
    """The named Brian2 objects of one LSNN built for ``trials`` trials of ``steps`` steps.

    ``plastic`` lists the input and recurrent projections as ``(name, Synapses, 'in' | 'rec', (i, j))``
    (split by the kind of post-synaptic neuron); ``readout_pairs`` and ``feedback_pairs`` are the
    ``(i, j)`` of ``readout`` and ``feedback``.  ``X``, ``Y``, ``M`` are the input, target and loss-weight
    TimedArrays (one row per step of all trials, plus the silent last step).  ``state_mon`` records
    v and a of the neurons ``recorded`` (None if none).
    """

    cfg: LSNNConfig
    trials: int
    steps: int
    inp: NeuronGroup
    rec: NeuronGroup
    out: NeuronGroup
    plastic: list
    readout: Synapses
    feedback: Synapses
    softmax_norm: Synapses | None
    spikes: SpikeMonitor
    y_mon: StateMonitor
    state_mon: StateMonitor | None
    recorded: np.ndarray
    X: TimedArray
    Y: TimedArray
    M: TimedArray
    RS: TimedArray
    readout_pairs: tuple
    feedback_pairs: tuple
    net: Network

    @property
    def duration(self):
        """Simulated time of one mini-batch (all trials and the silent last step)."""
        return (self.trials * self.steps + 1) * self.cfg.dt * ms


def build_lsnn(cfg: LSNNConfig, trials: int, steps: int, *, record_states: int = 0) -> LSNN:
    """Build the LSNN for mini-batches of ``trials`` trials of ``steps`` steps each.

    Call it inside :func:`workbench.backends.use_backend`; it sets ``defaultclock.dt`` to ``cfg.dt``.
    Weights, feedback weights and the TimedArrays are zeros: set them before each run.
    ``record_states``: record v and a of this many recurrent neurons (0: none), the first LIF and the
    first ALIF neurons, half each where both exist.
    """
    if trials < 1 or steps < 1:
        raise ValueError(f"trials and steps must be >= 1, got trials={trials}, steps={steps}")
    trials, steps = int(trials), int(steps)
    k = int(min(record_states, cfg.n_rec))
    k_alif = min(cfg.n_alif, k // 2 if cfg.n_lif else k)
    k_lif = min(cfg.n_lif, k - k_alif)
    recorded = np.r_[np.arange(k_lif), cfg.n_lif + np.arange(k - k_lif)].astype(int)
    defaultclock.dt = cfg.dt * ms
    n_in, n, K = cfg.n_in, cfg.n_rec, cfg.n_out
    total = trials * steps + 1
    X = TimedArray(np.zeros((total, n_in)), dt=cfg.dt * ms, name="eprop_X")
    Y = TimedArray(np.zeros((total, K)), dt=cfg.dt * ms, name="eprop_Y")
    M = TimedArray(np.zeros((total, K)), dt=cfg.dt * ms, name="eprop_M")
    first = np.zeros(total)
    first[::steps] = 1.0
    RS = TimedArray(first, dt=cfg.dt * ms, name="eprop_RS")
    ns = {"alpha": cfg.alpha, "rho": cfg.rho, "kappa": cfg.kappa, "v_th": cfg.v_th, "gamma": cfg.gamma,
          "n_ref": float(cfg.n_ref), "X": X, "Y": Y, "M": M, "RS": RS}
    S = eqs.SCHEDULE

    inp = NeuronGroup(n_in, eqs.INPUT_EQS, threshold=eqs.INPUT_THRESHOLD, reset="", namespace=ns, name="eprop_in")
    inp.run_regularly(eqs.INPUT_STEP, when=S["input"][0], order=S["input"][1], name="eprop_in_step")
    rec = NeuronGroup(n, eqs.REC_EQS, threshold=eqs.REC_THRESHOLD, reset="", namespace=ns, name="eprop_rec")
    rec.beta = cfg.betas
    rec.run_regularly(eqs.REC_START, when=S["rec_start"][0], order=S["rec_start"][1], name="eprop_rec_start")
    rec.run_regularly(eqs.REC_STEP, when=S["rec_step"][0], order=S["rec_step"][1], name="eprop_rec_step")
    out = NeuronGroup(K, eqs.OUT_EQS if cfg.loss == "mse" else eqs.OUT_EQS_CE, namespace=ns, name="eprop_out")
    when, order = S["out_step"]
    if cfg.loss == "mse":
        out.run_regularly(eqs.OUT_STEP + "\n" + eqs.OUT_ERR_MSE, when=when, order=order, name="eprop_out_step")
    else:
        out.run_regularly(eqs.OUT_STEP, when=when, order=order, name="eprop_out_step")
        out.run_regularly(eqs.OUT_ERR_CE, when=S["out_err_ce"][0], order=S["out_err_ce"][1], name="eprop_out_err")

    # Input and recurrent synapses, split by the kind of post-synaptic neuron: onto LIF
    # neurons (beta = 0) the adaptation eligibility vector vanishes and is not simulated.
    has_alif = cfg.n_alif > 0 and cfg.beta != 0
    posts = [("lif", np.arange(cfg.n_lif), False)]
    if has_alif:
        posts.append(("alif", cfg.n_lif + np.arange(cfg.n_alif), True))
    else:
        posts[0] = ("all", np.arange(n), False)
    plastic = []
    for kind, pre, n_pre, ev, src in (("in", inp, n_in, "ev", "Iin"), ("rec", rec, n, "evr", "Irec")):
        for label, post_idx, adaptive in posts:
            if len(post_idx) == 0:
                continue
            name = f"eprop_S_{kind}_{label}"
            syn = Synapses(pre, rec, eqs.PLASTIC_EQS_ALIF if adaptive else eqs.PLASTIC_EQS,
                           on_pre=eqs.TRANSMIT.format(src=src), namespace=ns, name=name)
            i, j = _pairs(n_pre, post_idx, no_autapse=(kind == "rec"))
            syn.connect(i=i, j=j)
            syn.run_regularly((eqs.ELIG_ALIF if adaptive else eqs.ELIG_LIF).format(ev=ev),
                              when=S["eligibility"][0], order=S["eligibility"][1], name=name + "_elig")
            syn.w = np.zeros(len(syn))
            plastic.append((name, syn, kind, (i, j)))
    readout = Synapses(rec, out, eqs.READOUT_EQS, namespace=ns, name="eprop_S_out")
    readout_pairs = _pairs(n, np.arange(K))
    readout.connect(i=readout_pairs[0], j=readout_pairs[1])
    readout.run_regularly(eqs.READOUT_GRAD, when=S["readout_grad"][0], order=S["readout_grad"][1],
                          name="eprop_S_out_grad")
    _set_schedule(readout, "Iout_post", S["readout"])
    readout.w = np.zeros(len(readout))
    feedback = Synapses(out, rec, eqs.FEEDBACK_EQS, namespace=ns, name="eprop_S_fb")
    feedback_pairs = _pairs(K, np.arange(n))
    feedback.connect(i=feedback_pairs[0], j=feedback_pairs[1])
    _set_schedule(feedback, "L_post", S["feedback"])
    feedback.B = np.zeros(len(feedback))
    objs = [inp, rec, out, readout, feedback] + [syn for _, syn, _, _ in plastic]
    norm = None
    if cfg.loss == "ce":
        norm = Synapses(out, out, eqs.SOFTMAX_NORM_EQS, namespace=ns, name="eprop_S_norm")
        norm.connect()
        _set_schedule(norm, "Zs_post", S["softmax_norm"])
        objs.append(norm)
    spikes = SpikeMonitor(rec, name="eprop_rec_spikes")
    y_mon = StateMonitor(out, "y", record=True, when="end", order=10, name="eprop_y_mon")
    objs += [spikes, y_mon]
    state_mon = None
    if k:
        state_mon = StateMonitor(rec, ["v", "a"], record=recorded, when="end", order=10, name="eprop_state_mon")
        objs.append(state_mon)
    return LSNN(cfg=cfg, trials=trials, steps=steps, inp=inp, rec=rec, out=out, plastic=plastic, readout=readout,
                feedback=feedback, softmax_norm=norm, spikes=spikes, y_mon=y_mon, state_mon=state_mon,
                recorded=recorded, X=X, Y=Y, M=M, RS=RS, readout_pairs=readout_pairs,
                feedback_pairs=feedback_pairs, net=Network(objs))


def _pairs(n_pre, post_idx, no_autapse=False):
    """(i, j) of an all-to-all projection from ``n_pre`` neurons onto ``post_idx`` (pre-major order)."""
    post_idx = np.asarray(post_idx)
    i = np.repeat(np.arange(n_pre), len(post_idx))
    j = np.tile(post_idx, n_pre)
    if no_autapse:
        keep = i != j
        i, j = i[keep], j[keep]
    return i, j


def _set_schedule(synapses, varname, when_order):
    upd = synapses.summed_updaters[varname]
    upd.when, upd.order = when_order
