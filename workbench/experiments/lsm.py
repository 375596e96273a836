"""Liquid state machine (Maass, Natschläger & Markram 2002) and its two classic experiments.

The liquid
----------
Leaky integrate-and-fire neurons on the integer points of a 3-D grid (default
15 x 3 x 3 = 135 neurons, any shape works), a random 20 % of them inhibitory.
Neurons ``a`` and ``b`` are connected with probability
``C * exp(-(D(a, b)/lambda)**2)`` (``D`` the Euclidean grid distance), ``C`` set
by the connection type.  Every synapse is a Tsodyks-Markram dynamic synapse
(Markram, Wang & Tsodyks 1998): the n-th spike of a train transmits
``A * u_n * R_n`` as a jump of an exponentially decaying postsynaptic current,
with ``u_{n+1} = U + u_n (1 - U) exp(-dt/F)`` and
``R_{n+1} = 1 + (R_n - u_n R_n - 1) exp(-dt/D)``.

Parameters and their sources (:data:`PAPER`): Maass, Natschläger & Markram
2002, Neural Computation 14:2531, section "Details of the model" (appendix),
as also transcribed in Brian2's ``examples/frompapers/Maass_Natschlaeger_Markram_2002.py``
(S. Schmitt 2022):

==============  =========  ========  =========  =========
                EE         EI        IE         II
==============  =========  ========  =========  =========
C               0.3        0.2       0.4        0.1
A (nA, mean)    30         60        -19        -19
U (mean)        0.5        0.05      0.25       0.32
D (s, mean)     1.1        0.125     0.7        0.144
F (s, mean)     0.05       1.2       0.02       0.06
delay (ms)      1.5        0.8       0.8        0.8
==============  =========  ========  =========  =========

``lambda`` = 2 (grid spacing 1); ``A`` drawn from a gamma distribution with
SD 100 % of the mean; ``U``, ``D``, ``F`` drawn from Gaussians with SD 50 % of
the mean, non-positive draws replaced by uniform draws from [0, 2*mean] (the
paper's rule; the Brian2 example uses the mean instead); postsynaptic current
time constants 3 ms (excitatory) and 6 ms (inhibitory); membrane time constant
30 ms, input resistance 1 MOhm, threshold 15 mV, reset 13.5 mV (potentials
relative to rest), background current 13.5 nA, absolute refractory period
3 ms (excitatory) and 2 ms (inhibitory), initial potential uniform in
[13.5, 15] mV.  Input synapses are static, 18 nA onto excitatory and 9 nA onto
inhibitory neurons (gamma-distributed like ``A``; in the paper's Fig. 2 the one
input neuron projects to every liquid neuron, ``p_in = 1``).

One build for a whole data set
------------------------------
:func:`simulate` runs *all* samples of a data set in one Brian2 network (one
standalone build): ``batch`` independent copies of the liquid (same wiring,
block-diagonal synapses) each process a sequence of samples laid out in time.
Each sample occupies a slot of ``duration + gap``; spiking is gated off during
the gap (so no spike is in flight at the slot boundary: gap > the longest
delay) and a ``run_regularly`` operation resets the membrane potentials
(to new random values in [13.5, 15] mV), the synaptic currents and the
synapses' ``u`` and ``R`` at the start of every slot.  Input spikes come from
one ``SpikeGeneratorGroup`` holding every sample's spikes (Brian2 2.9 cannot
change its spikes through ``run_args``, issue brian-team/brian2#1578, so a new
data set writes new spike arrays into the cached build directory; the build
key is the model's structure, so only the changed data files are rewritten).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import xarray as xr
from brian2 import (
    Network,
    NeuronGroup,
    SpikeGeneratorGroup,
    SpikeMonitor,
    Synapses,
    defaultclock,
    Hz,
    Mohm,
    mV,
    ms,
    nA,
    second,
)

from ..backends import Simulation, model_key, use_backend
from ..params import Param
from ..protocol import Protocol

__all__ = [
    "PAPER",
    "Liquid",
    "LiquidRun",
    "make_liquid",
    "simulate",
    "filtered_states",
    "binned_counts",
    "poisson_train",
    "spike_train_distance",
    "PROTOCOL",
]

#: Parameters of Maass, Natschläger & Markram 2002 (appendix); see the module docstring.
PAPER = {
    "tau_m": 30 * ms,        # membrane time constant
    "R_in": 1 * Mohm,        # input resistance
    "v_th": 15 * mV,         # firing threshold (relative to rest)
    "v_reset": 13.5 * mV,    # reset potential; also the lower end of the initial potentials
    "I_b": 13.5 * nA,        # background current
    "t_ref_e": 3 * ms,       # absolute refractory period, excitatory neurons
    "t_ref_i": 2 * ms,       # absolute refractory period, inhibitory neurons
    "tau_s_e": 3 * ms,       # postsynaptic current time constant, excitatory synapses
    "tau_s_i": 6 * ms,       # postsynaptic current time constant, inhibitory synapses
    "lambda": 2.0,           # connection length scale (grid units)
    "frac_inh": 0.2,         # fraction of inhibitory neurons
    "A_in_e": 18 * nA,       # input synapse onto excitatory neurons
    "A_in_i": 9 * nA,        # input synapse onto inhibitory neurons
    # connection type -> (C, A mean, U, D, F, delay)
    "types": {
        "EE": (0.3, 30 * nA, 0.5, 1.1 * second, 0.05 * second, 1.5 * ms),
        "EI": (0.2, 60 * nA, 0.05, 0.125 * second, 1.2 * second, 0.8 * ms),
        "IE": (0.4, -19 * nA, 0.25, 0.7 * second, 0.02 * second, 0.8 * ms),
        "II": (0.1, -19 * nA, 0.32, 0.144 * second, 0.06 * second, 0.8 * ms),
    },
}


@dataclass
class Liquid:
    """A drawn liquid: positions, cell types, synapses (numpy, no Brian objects).

    Synapse arrays are along one synapse axis: ``pre``, ``post`` (liquid indices),
    ``A`` (nA), ``U`` (1), ``D`` and ``F`` (ms), ``delay`` (ms), ``inhibitory``
    (presynaptic type).  Input synapses: ``in_pre`` (input channel), ``in_post``,
    ``in_A`` (nA).
    """

    shape: tuple
    pos: np.ndarray
    inhibitory: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    A: np.ndarray
    U: np.ndarray
    D: np.ndarray
    F: np.ndarray
    delay: np.ndarray
    syn_inhibitory: np.ndarray
    n_in: int
    in_pre: np.ndarray
    in_post: np.ndarray
    in_A: np.ndarray
    config: dict = field(default_factory=dict)

    @property
    def N(self) -> int:
        return int(self.pos.shape[0])

    def key(self) -> str:
        """Hash of everything that defines the wiring (for build caching)."""
        return model_key(self.shape, self.n_in, self.config, self.pre.tobytes(), self.post.tobytes(),
                         self.in_pre.tobytes(), self.in_post.tobytes())


def _positive_gauss(rng, mean, n, rel_sd=0.5):
    """Gaussian draws (SD ``rel_sd*mean``); non-positive values redrawn uniformly in [0, 2*mean]."""
    x = rng.normal(mean, rel_sd * abs(mean), n)
    bad = x <= 0
    x[bad] = rng.uniform(0, 2 * mean, bad.sum())
    x[x <= 0] = mean  # a uniform draw of exactly 0 (measure zero)
    return x


def make_liquid(shape=(15, 3, 3), n_in: int = 1, *, rng=None, lam: float | None = None,
                p_in: float = 0.3, weight_scale: float = 1.0, input_scale: float = 1.0,
                frac_inh: float | None = None) -> Liquid:
    """Draw a Maass et al. 2002 liquid.

    Parameters
    ----------
    shape : tuple of 3 int
        Grid size (neurons = product); ``(15, 3, 3)`` in the paper.
    n_in : int
        Number of input channels (input neurons).
    lam : float
        Connection length scale lambda in grid units (paper: 2).
    p_in : float
        Probability that an input channel projects to a given liquid neuron
        (1 in the paper's Fig. 2 with its single input neuron).
    weight_scale, input_scale : float
        Factors on all recurrent ``A`` and on the input weights (1 = paper).
    """
    rng = np.random.default_rng(rng)
    shape = tuple(int(s) for s in shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"liquid shape must be 3 positive ints, got {shape}")
    if n_in < 1:
        raise ValueError(f"n_in must be >= 1, got {n_in}")
    if not 0 < p_in <= 1:
        raise ValueError(f"p_in must be in (0, 1], got {p_in}")
    lam = PAPER["lambda"] if lam is None else float(lam)
    frac_inh = PAPER["frac_inh"] if frac_inh is None else float(frac_inh)
    N = int(np.prod(shape))
    grid = np.stack(np.meshgrid(*[np.arange(s) for s in shape], indexing="ij"), -1).reshape(-1, 3)
    pos = grid.astype(float)
    inh = np.zeros(N, bool)
    inh[rng.choice(N, int(round(frac_inh * N)), replace=False)] = True
    d2 = ((pos[:, None, :] - pos[None, :, :]) ** 2).sum(-1)
    pre_l, post_l, A_l, U_l, D_l, F_l, dl_l, si_l = [], [], [], [], [], [], [], []
    for typ, (C, A, U, D, F, delay) in PAPER["types"].items():
        src = inh if typ[0] == "I" else ~inh
        dst = inh if typ[1] == "I" else ~inh
        prob = C * np.exp(-d2 / lam**2)
        mask = (rng.random((N, N)) < prob) & src[:, None] & dst[None, :]
        np.fill_diagonal(mask, False)
        i, j = np.nonzero(mask)
        n = len(i)
        a_mean = float(A / nA)
        A_draw = np.sign(a_mean) * rng.gamma(1.0, abs(a_mean), n)  # SD = 100 % of the mean
        pre_l.append(i); post_l.append(j); A_l.append(A_draw * weight_scale)
        U_l.append(np.clip(_positive_gauss(rng, U, n), 0, 1))
        D_l.append(_positive_gauss(rng, float(D / ms), n))
        F_l.append(_positive_gauss(rng, float(F / ms), n))
        dl_l.append(np.full(n, float(delay / ms)))
        si_l.append(np.full(n, typ[0] == "I"))
    in_mask = rng.random((n_in, N)) < p_in
    in_pre, in_post = np.nonzero(in_mask)
    in_mean = np.where(inh[in_post], float(PAPER["A_in_i"] / nA), float(PAPER["A_in_e"] / nA))
    in_A = rng.gamma(1.0, 1.0, len(in_pre)) * in_mean * input_scale
    cat = np.concatenate
    return Liquid(shape=shape, pos=pos, inhibitory=inh, pre=cat(pre_l).astype(np.int32),
                  post=cat(post_l).astype(np.int32), A=cat(A_l), U=cat(U_l), D=cat(D_l), F=cat(F_l),
                  delay=cat(dl_l), syn_inhibitory=cat(si_l), n_in=int(n_in),
                  in_pre=in_pre.astype(np.int32), in_post=in_post.astype(np.int32), in_A=in_A,
                  config=dict(lam=lam, p_in=p_in, weight_scale=weight_scale, input_scale=input_scale,
                              frac_inh=frac_inh))


@dataclass
class LiquidRun:
    """Spikes of every sample, in sample-relative time.

    ``liquid_sample``, ``liquid_neuron``, ``liquid_time`` (ms from the sample's
    start); same for ``input_*`` (channels).  ``n_samples``, ``duration`` (ms),
    ``wall_run`` and ``wall_build`` (s), ``n_dropped`` input spikes merged by
    the time grid, ``synaptic_events`` per sample (recurrent + input).
    """

    n_samples: int
    N: int
    n_in: int
    duration: float
    liquid_sample: np.ndarray
    liquid_neuron: np.ndarray
    liquid_time: np.ndarray
    input_sample: np.ndarray
    input_neuron: np.ndarray
    input_time: np.ndarray
    synaptic_events: np.ndarray
    wall_run: float
    wall_build: float
    wall_total: float
    n_dropped: int
    batch: int
    slots: int
    build_dir: str = ""

    def liquid_counts(self) -> np.ndarray:
        return np.bincount(self.liquid_sample, minlength=self.n_samples)

    def input_counts(self) -> np.ndarray:
        return np.bincount(self.input_sample, minlength=self.n_samples)


def _layout(n_samples, batch):
    if batch <= 0:
        batch = min(n_samples, 64)
    batch = max(1, min(int(batch), n_samples))
    slots = math.ceil(n_samples / batch)
    return batch, slots


def simulate(liquid: Liquid, inputs, duration, *, dt=0.1 * ms, gap=5 * ms, backend="numpy",
             seed=0, batch=0, threads=1, record_input=True) -> LiquidRun:
    """Run every sample through the liquid in one network (one build).

    Parameters
    ----------
    liquid : Liquid
    inputs : list of (channels, times_ms)
        Per sample: integer input-channel indices and spike times in ms from
        the sample's start (times outside ``[0, duration)`` are an error).
    duration : Quantity
        Length of each sample (time).
    dt : Quantity
        Integration step (input spikes are put on this grid; several spikes of
        one channel in one step are merged and counted in ``n_dropped``).
    gap : Quantity
        Silent time between samples (spiking gated off); must exceed the
        longest synaptic delay.
    batch : int
        Parallel copies of the liquid (0: automatic, up to 64).
    """
    n_samples = len(inputs)
    if n_samples == 0:
        raise ValueError("simulate(): no samples")
    dur_ms = float(duration / ms)
    dt_ms = float(dt / ms)
    gap_ms = float(gap / ms)
    max_delay = float(liquid.delay.max()) if len(liquid.delay) else 0.0
    if gap_ms <= max_delay + dt_ms:
        raise ValueError(f"gap {gap_ms} ms must exceed the longest delay ({max_delay} ms) plus dt")
    batch, slots = _layout(n_samples, batch)
    n_steps_sample = int(round(dur_ms / dt_ms))
    n_steps_slot = int(round((dur_ms + gap_ms) / dt_ms))
    slot_ms = n_steps_slot * dt_ms
    N, n_in = liquid.N, liquid.n_in
    # -- input spikes, laid out: sample s -> copy s % batch, slot s // batch
    idx_l, step_l = [], []
    n_dropped = 0
    for s, (ch, t) in enumerate(inputs):
        ch = np.asarray(ch, dtype=np.int64)
        t = np.asarray(t, dtype=float)
        if ch.shape != t.shape:
            raise ValueError(f"sample {s}: channels and times differ in shape ({ch.shape} vs {t.shape})")
        if len(ch) == 0:
            continue
        if ch.min() < 0 or ch.max() >= n_in:
            raise ValueError(f"sample {s}: input channel {int(ch.max())} out of range (liquid has {n_in} inputs)")
        if t.min() < 0 or t.max() >= dur_ms:
            raise ValueError(f"sample {s}: spike time {t.min():.3g}..{t.max():.3g} ms outside [0, {dur_ms}) ms")
        step = np.floor(t / dt_ms + 1e-9).astype(np.int64)
        key = np.unique(ch * n_steps_sample + step)
        n_dropped += len(ch) - len(key)
        c, k = divmod(s, batch)[1], s // batch
        idx_l.append(key // n_steps_sample + c * n_in)
        step_l.append(key % n_steps_sample + k * n_steps_slot)
    gen_idx = np.concatenate(idx_l) if idx_l else np.zeros(0, np.int64)
    gen_step = np.concatenate(step_l) if step_l else np.zeros(0, np.int64)
    # -- replicate the wiring over the copies
    offs = (np.arange(batch) * N)[:, None]
    pre = (liquid.pre[None, :] + offs).ravel()
    post = (liquid.post[None, :] + offs).ravel()
    in_pre = (liquid.in_pre[None, :] + (np.arange(batch) * n_in)[:, None]).ravel()
    in_post = (liquid.in_post[None, :] + offs).ravel()
    tile = lambda x: np.tile(x, batch)  # noqa: E731
    key = model_key("lsm-liquid", liquid.key(), batch, slots, n_steps_sample, n_steps_slot, dt_ms,
                    len(gen_idx) > 0)
    t_start = time.perf_counter()
    with use_backend(backend, key=key, seed=seed, threads=threads) as be:
        defaultclock.dt = dt
        p = PAPER
        ns = dict(tau_m=p["tau_m"], R_in=p["R_in"], v_th=p["v_th"], v_reset=p["v_reset"], I_b=p["I_b"],
                  tau_e=p["tau_s_e"], tau_i=p["tau_s_i"], slot_period=slot_ms * ms, active_period=dur_ms * ms)
        G = NeuronGroup(
            batch * N,
            """dv/dt = (-v + R_in*(I_e + I_i + I_b))/tau_m : volt (unless refractory)
            dI_e/dt = -I_e/tau_e : amp
            dI_i/dt = -I_i/tau_i : amp
            t_ref : second (constant)
            """,
            threshold="v > v_th and t - slot_period*floor(t/slot_period + 1e-6) < active_period",
            reset="v = v_reset", refractory="t_ref", method="exact", namespace=ns, name="liquid")
        G.t_ref = np.tile(np.where(liquid.inhibitory, float(p["t_ref_i"] / ms), float(p["t_ref_e"] / ms)), batch) * ms
        G.run_regularly("v = v_reset + rand()*(v_th - v_reset)\nI_e = 0*amp\nI_i = 0*amp",
                        dt=slot_ms * ms, when="start", name="liquid_reset")
        S = Synapses(
            G, G,
            """A : amp (constant)
            U : 1 (constant)
            D : second (constant)
            F : second (constant)
            inh : boolean (constant)
            du/dt = -u/F : 1 (event-driven)
            dx/dt = (1 - x)/D : 1 (event-driven)
            """,
            on_pre="""u = u + U*(1 - u)
            I_e_post += A*u*x*int(not inh)
            I_i_post += A*u*x*int(inh)
            x = x - u*x""",
            method="exact", namespace=ns, name="liquid_synapses")
        S.connect(i=pre, j=post)
        S.A = tile(liquid.A) * nA
        S.U = tile(liquid.U)
        S.D = tile(liquid.D) * ms
        S.F = tile(liquid.F) * ms
        S.inh = tile(liquid.syn_inhibitory)
        S.delay = tile(liquid.delay) * ms
        S.u = 0
        S.x = 1
        S.run_regularly("u = 0\nx = 1", dt=slot_ms * ms, when="start", name="synapse_reset")
        objects = [G, S]
        gen = SpikeGeneratorGroup(batch * n_in, gen_idx, gen_step * dt, name="liquid_input")
        Sin = Synapses(gen, G, "A : amp (constant)", on_pre="I_e_post += A", namespace=ns, name="input_synapses")
        Sin.connect(i=in_pre, j=in_post)
        Sin.A = tile(liquid.in_A) * nA
        objects += [gen, Sin]
        mon = SpikeMonitor(G, name="liquid_spikes")
        objects.append(mon)
        G.v = "v_reset + rand()*(v_th - v_reset)"
        net = Network(objects)
        sim = Simulation(net, slots * slot_ms * ms, be)
        sim.run()
        i = np.asarray(mon.i[:], dtype=np.int64)
        t = np.asarray(mon.t[:] / ms)
        wall_build = sim.build_time
        build_dir = str(be.build_dir or "")
        wall_run = be.timers["run"][-1] if be.timers.get("run") else time.perf_counter() - t_start
    wall_total = time.perf_counter() - t_start
    step = np.round(t / dt_ms).astype(np.int64)
    copy, neuron = np.divmod(i, N)
    slot, within = np.divmod(step, n_steps_slot)
    sample = slot * batch + copy
    keep = (sample < n_samples) & (within < n_steps_sample)
    liquid_sample, liquid_neuron, liquid_time = sample[keep], neuron[keep], within[keep] * dt_ms
    # input spikes in sample coordinates (as delivered on the grid)
    icopy, ich = np.divmod(gen_idx, n_in)
    islot, iwithin = np.divmod(gen_step, n_steps_slot)
    input_sample = islot * batch + icopy
    # synaptic events: every spike times the out-degree of its source
    out_deg = np.bincount(liquid.pre, minlength=N)
    in_deg = np.bincount(liquid.in_pre, minlength=n_in)
    events = (np.bincount(liquid_sample, weights=out_deg[liquid_neuron], minlength=n_samples)
              + np.bincount(input_sample, weights=in_deg[ich], minlength=n_samples))
    return LiquidRun(n_samples=n_samples, N=N, n_in=n_in, duration=dur_ms,
                     liquid_sample=liquid_sample, liquid_neuron=liquid_neuron, liquid_time=liquid_time,
                     input_sample=input_sample, input_neuron=ich, input_time=iwithin * dt_ms,
                     synaptic_events=events, wall_run=float(wall_run), wall_build=float(wall_build),
                     wall_total=wall_total, n_dropped=int(n_dropped), batch=batch, slots=slots,
                     build_dir=build_dir)


def filtered_states(sample, neuron, times, n_samples, n_neurons, readout_times, tau=30.0):
    """Low-pass filtered spike trains sampled at ``readout_times`` (all in ms).

    ``state[s, k, n] = sum over spikes of neuron n in sample s with t <= t_k of
    exp(-(t_k - t)/tau)`` -- the exponential filter of Maass et al. 2002
    (tau = 30 ms).  Returns an array (sample, readout time, neuron).
    """
    readout_times = np.atleast_1d(np.asarray(readout_times, dtype=float))
    out = np.zeros((n_samples, len(readout_times), n_neurons))
    for k, tk in enumerate(readout_times):
        m = times <= tk
        w = np.exp(-(tk - times[m]) / tau)
        np.add.at(out[:, k, :], (sample[m], neuron[m]), w)
    return out


def binned_counts(sample, neuron, times, n_samples, n_neurons, duration, n_bins):
    """Spike counts in ``n_bins`` equal bins of ``[0, duration)`` ms: (sample, bin, neuron)."""
    out = np.zeros((n_samples, n_bins, n_neurons))
    b = np.clip((np.asarray(times) / duration * n_bins).astype(np.int64), 0, n_bins - 1)
    np.add.at(out, (sample, b, neuron), 1.0)
    return out


# ---------------------------------------------------------------------------------------------
# Inputs of the paper's experiments
# ---------------------------------------------------------------------------------------------

def poisson_train(rng, rate_hz, duration_ms, dt_ms=0.1):
    """Poisson spike times (ms) at ``rate_hz`` over ``duration_ms``, at most one per ``dt_ms`` bin."""
    while True:
        n = rng.poisson(rate_hz * duration_ms / 1000.0)
        t = np.sort(rng.uniform(0, duration_ms, n))
        if n < 2 or np.all(np.diff(np.floor(t / dt_ms)) > 0):
            return t


def spike_train_distance(u, v, duration_ms, tau=5.0):
    """Input distance of Maass et al. 2002 (Fig. 2): ``||u*g - v*g||^2 / T`` with the
    Gaussian kernel ``g(t) = exp(-(t/tau)^2)`` (tau = 5 ms), computed in closed form
    (integral over the whole line: sum over spike pairs of ``tau*sqrt(pi/2)*exp(-d^2/(2 tau^2))``)."""
    def cross(a, b):
        if len(a) == 0 or len(b) == 0:
            return 0.0
        d = np.subtract.outer(a, b)
        return float(np.exp(-d**2 / (2 * tau**2)).sum())
    u, v = np.asarray(u, float), np.asarray(v, float)
    return tau * math.sqrt(math.pi / 2) * (cross(u, u) + cross(v, v) - 2 * cross(u, v)) / duration_ms


def _pairs_at_distances(rng, targets, n_pairs, rate, duration_ms, dt_ms, tol=0.01, max_tries=2_000_000):
    """Pairs of Poisson trains whose input distance is within ``tol`` of each target (rejection, as
    in the paper); target 0 gives identical trains (differences then come from the initial state)."""
    found = {d: [] for d in targets}
    for _ in range(max_tries):
        if all(len(v) >= n_pairs for d, v in found.items() if d > 0):
            break
        u = poisson_train(rng, rate, duration_ms, dt_ms)
        v = poisson_train(rng, rate, duration_ms, dt_ms)
        dist = spike_train_distance(u, v, duration_ms)
        for d in targets:
            if d > 0 and abs(dist - d) < tol and len(found[d]) < n_pairs:
                found[d].append((u, v, dist))
                break
    else:
        raise RuntimeError(f"could not find {n_pairs} input pairs for distances {targets}")
    for d in targets:
        if d == 0:
            for _ in range(n_pairs):
                u = poisson_train(rng, rate, duration_ms, dt_ms)
                found[d].append((u, u.copy(), 0.0))
    return found


def _templates(rng, n_classes, n_channels, rate, duration_ms, dt_ms, shared_after_ms=None):
    """``n_classes`` templates of ``n_channels`` Poisson trains; after ``shared_after_ms`` every
    template continues with the same spikes (so only the liquid's memory can tell them apart there)."""
    t = [[poisson_train(rng, rate, duration_ms, dt_ms) for _ in range(n_channels)] for _ in range(n_classes)]
    if shared_after_ms is not None and shared_after_ms < duration_ms:
        common = [poisson_train(rng, rate, duration_ms, dt_ms) for _ in range(n_channels)]
        t = [[np.concatenate([tr[tr < shared_after_ms], common[c][common[c] >= shared_after_ms]])
              for c, tr in enumerate(tmpl)] for tmpl in t]
    return t


def _jitter(rng, template, jitter_ms, duration_ms):
    ch, t = [], []
    for c, train in enumerate(template):
        tt = train + rng.normal(0, jitter_ms, len(train))
        tt = tt[(tt >= 0) & (tt < duration_ms)]
        ch.append(np.full(len(tt), c))
        t.append(tt)
    return np.concatenate(ch), np.concatenate(t)


def _run(params, ctx):
    from ..readout import fit_classifier

    rng = ctx.rng
    dt_ms = float(params.dt / ms)
    dur = float(params.duration / ms)
    shape = tuple(int(x) for x in params.shape)
    # separation pairs (one input channel, like the paper's Fig. 2)
    targets = [float(x) for x in params.input_distances]
    if 0.0 not in targets:
        targets = targets + [0.0]
    pairs = _pairs_at_distances(rng, targets, params.n_pairs, float(params.rate / Hz), dur, dt_ms)
    sep_inputs, sep_meta = [], []
    for d in targets:
        for k, (u, v, dist) in enumerate(pairs[d]):
            sep_inputs += [(np.zeros(len(u), int), u), (np.zeros(len(v), int), v)]
            sep_meta.append((d, dist))
    # jittered templates (n_channels inputs)
    n_ch = params.template_channels
    T_dur = float(params.template_duration / ms)
    shared = float(params.shared_after / ms)
    templates = _templates(rng, params.n_classes, n_ch, float(params.rate / Hz), T_dur, dt_ms,
                           shared if shared > 0 else None)
    n_per = params.samples_per_class
    labels = np.repeat(np.arange(params.n_classes), n_per)
    rng.shuffle(labels)
    tmpl_inputs = [_jitter(rng, templates[c], float(params.jitter / ms), T_dur) for c in labels]
    liquid_sep = make_liquid(shape, 1, rng=rng, lam=params.lam, p_in=1.0)
    liquid_tmpl = make_liquid(shape, n_ch, rng=rng, lam=params.lam, p_in=params.p_in)
    run_sep = simulate(liquid_sep, sep_inputs, params.duration, dt=params.dt, backend=ctx.backend,
                       seed=ctx.seed, batch=params.batch, threads=ctx.threads)
    run_tmpl = simulate(liquid_tmpl, tmpl_inputs, params.template_duration, dt=params.dt,
                        backend=ctx.backend, seed=ctx.seed + 1, batch=params.batch, threads=ctx.threads)
    # ---- separation: state distance over time
    t_grid = np.arange(0, dur, float(params.state_step / ms))
    n_sep = len(sep_inputs)
    st = filtered_states(run_sep.liquid_sample, run_sep.liquid_neuron, run_sep.liquid_time, n_sep,
                         run_sep.N, t_grid, tau=float(params.tau_readout / ms))
    diff = st[0::2] - st[1::2]
    dist_t = np.sqrt((diff**2).sum(-1))  # (pair, time)
    d_target = np.array([m[0] for m in sep_meta])
    d_input = np.array([m[1] for m in sep_meta])
    mean_dist = np.array([dist_t[d_target == d].mean(0) for d in targets])
    # ---- templates: accuracy of a linear readout at each readout time
    r_times = np.linspace(T_dur / params.n_readout_times, T_dur, params.n_readout_times)
    tau_r = float(params.tau_readout / ms)
    Xl = filtered_states(run_tmpl.liquid_sample, run_tmpl.liquid_neuron, run_tmpl.liquid_time,
                         len(labels), run_tmpl.N, r_times, tau=tau_r)
    Xi = filtered_states(run_tmpl.input_sample, run_tmpl.input_neuron, run_tmpl.input_time,
                         len(labels), n_ch, r_times, tau=tau_r)
    n_train = int(round(params.train_fraction * len(labels)))
    acc_l, acc_i = [], []
    for k in range(len(r_times)):
        for X, acc in ((Xl, acc_l), (Xi, acc_i)):
            res = fit_classifier(X[:n_train, k], labels[:n_train], X[n_train:, k], labels[n_train:],
                                 seed=ctx.seed, cv=3)
            acc.append(res.accuracy)
    ds = xr.Dataset(
        {
            "state_distance": (("input_distance", "time"), mean_dist,
                               {"units": "1", "long_name": "liquid state distance (Euclidean, tau 30 ms)"}),
            "pair_state_distance": (("pair", "time"), dist_t,
                                    {"units": "1", "long_name": "state distance of each pair"}),
            "pair_target_distance": (("pair",), d_target, {"units": "1", "long_name": "target input distance"}),
            "pair_input_distance": (("pair",), d_input, {"units": "1", "long_name": "input distance d(u,v)"}),
            "template_accuracy": (("readout_time",), np.array(acc_l),
                                  {"units": "1", "long_name": "test accuracy, readout on the liquid"}),
            "template_accuracy_input": (("readout_time",), np.array(acc_i),
                                        {"units": "1", "long_name": "test accuracy, readout on the input spikes"}),
        },
        coords={
            "input_distance": ("input_distance", np.array(targets),
                               {"units": "1", "long_name": "input distance d(u,v)"}),
            "time": ("time", t_grid, {"units": "ms", "long_name": "time"}),
            "readout_time": ("readout_time", r_times, {"units": "ms", "long_name": "readout time"}),
        },
    )
    # raster of the first template sample of each class
    from . import lsm as _self  # noqa: F401
    first = [int(np.nonzero(labels == c)[0][0]) for c in range(params.n_classes)]
    m = np.isin(run_tmpl.liquid_sample, first)
    ds["raster_sample"] = xr.DataArray(run_tmpl.liquid_sample[m].astype(np.int32), dims="spike",
                                       attrs={"units": "1", "long_name": "sample index"})
    ds["spike_neuron"] = xr.DataArray(run_tmpl.liquid_neuron[m].astype(np.int32), dims="spike",
                                      attrs={"units": "1", "long_name": "index of the spiking neuron (liquid)"})
    ds["spike_time"] = xr.DataArray(run_tmpl.liquid_time[m], dims="spike",
                                    attrs={"units": "ms", "long_name": "spike time (liquid)"})
    ds["sample_label"] = xr.DataArray(labels.astype(np.int32), dims="sample",
                                      attrs={"units": "1", "long_name": "template class"})
    scal = {
        "test_accuracy": (float(acc_l[-1]), "1", "template classification accuracy at the last readout time"),
        "test_accuracy_input": (float(acc_i[-1]), "1", "same readout on the input spikes, last readout time"),
        "liquid_rate": (len(run_sep.liquid_sample) / (n_sep * run_sep.N * dur / 1000), "Hz",
                        "mean liquid firing rate (separation runs)"),
        "wall_run": (run_sep.wall_run + run_tmpl.wall_run, "s", "simulation wall time"),
        "wall_build": (run_sep.wall_build + run_tmpl.wall_build, "s", "build (code generation + compile) wall time"),
        "n_synapses": (len(liquid_sep.pre), "1", "recurrent synapses in the liquid"),
    }
    for k, (v, u, ln) in scal.items():
        ds[k] = xr.DataArray(v, attrs={"units": u, "long_name": ln})
    return ds


PROTOCOL = Protocol(
    name="lsm",
    description="Maass et al. 2002 liquid: separation property (Fig. 2) and jittered-template classification.",
    params={
        "shape": Param([15, 3, 3], "liquid grid (3 ints, comma-separated)", kind=list),
        "lam": Param(2.0, "connection length scale lambda (grid units)"),
        "p_in": Param(0.3, "probability an input channel projects to a liquid neuron (templates)"),
        "dt": Param(0.1 * ms, "integration time step"),
        "duration": Param(500 * ms, "length of each separation stimulus"),
        "rate": Param(20 * Hz, "Poisson rate of the input spike trains"),
        "input_distances": Param([0.4, 0.2, 0.1], "target input distances d(u,v) (0 is always added)", kind=list),
        "n_pairs": Param(20, "stimulus pairs per input distance (paper: 200)"),
        "state_step": Param(5 * ms, "time step of the state-distance curves"),
        "tau_readout": Param(30 * ms, "time constant of the readout's exponential filter"),
        "n_classes": Param(2, "jittered templates (classes)"),
        "template_channels": Param(4, "input spike trains per template"),
        "template_duration": Param(250 * ms, "length of a template"),
        "jitter": Param(4 * ms, "Gaussian jitter (SD) of template spikes"),
        "shared_after": Param(100 * ms, "templates share their spikes after this time (0: never): "
                              "later readouts need the liquid's memory"),
        "samples_per_class": Param(100, "jittered samples per class"),
        "train_fraction": Param(0.7, "fraction of samples used for training"),
        "n_readout_times": Param(10, "readout times spread over the template"),
        "batch": Param(0, "parallel liquid copies in the one network (0: automatic)"),
    },
    func=_run,
    default_backend="cpp_standalone",
)
