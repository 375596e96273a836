"""The liquid of Maass, Natschläger & Markram 2002: a 3-D grid of LIF neurons with dynamic synapses.

The liquid
----------
Leaky integrate-and-fire neurons (:data:`workbench.models.neurons.LIF`) on the integer points of
a 3-D grid (default 15 x 3 x 3 = 135 neurons, any shape works), a random 20 % of them
inhibitory.  Neurons ``a`` and ``b`` are connected with probability
``C * exp(-(D(a, b)/lambda)**2)`` (``D`` the Euclidean grid distance), ``C`` set by the
connection type.  Every synapse is a Tsodyks-Markram dynamic synapse
(:data:`workbench.models.plasticity.TSODYKS_MARKRAM`; Markram, Wang & Tsodyks 1998): the n-th
spike of a train transmits ``A * u_n * R_n`` as a jump of an exponentially decaying
postsynaptic current (:data:`workbench.models.synapses.EXP_CURR`, receptor ``e`` for
excitatory and ``i`` for inhibitory presynaptic neurons), with
``u_{n+1} = U + u_n (1 - U) exp(-dt/F)`` and ``R_{n+1} = 1 + (R_n - u_n R_n - 1) exp(-dt/D)``.

Parameters and their sources (:data:`PAPER`): Maass, Natschläger & Markram 2002, Neural
Computation 14:2531, section "Details of the model" (appendix), as also transcribed in Brian2's
``examples/frompapers/Maass_Natschlaeger_Markram_2002.py`` (S. Schmitt 2022):

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

``lambda`` = 2 (grid spacing 1); ``A`` drawn from a gamma distribution with SD 100 % of the
mean; ``U``, ``D``, ``F`` drawn from Gaussians with SD 50 % of the mean, non-positive draws
replaced by uniform draws from [0, 2*mean] (the paper's rule; the Brian2 example uses the mean
instead); postsynaptic current time constants 3 ms (excitatory) and 6 ms (inhibitory); membrane
time constant 30 ms, input resistance 1 MOhm, threshold 15 mV, reset 13.5 mV (potentials
relative to rest), background current 13.5 nA, absolute refractory period 3 ms (excitatory) and
2 ms (inhibitory), initial potential uniform in [13.5, 15] mV.  Input synapses are static,
18 nA onto excitatory and 9 nA onto inhibitory neurons (gamma-distributed like ``A``; in the
paper's Fig. 2 the one input neuron projects to every liquid neuron, ``p_in = 1``).

One build for a whole data set
------------------------------
:func:`simulate` runs *all* samples of a data set in one Brian2 network (one standalone build):
``batch`` independent copies of the liquid (same wiring, block-diagonal synapses) each process a
sequence of samples laid out in time.  Each sample occupies a slot of ``duration + gap``; the
threshold is gated off during the gap (so no spike is in flight at the slot boundary:
gap > the longest delay) and ``run_regularly`` operations reset the membrane potentials (to new
random values in [13.5, 15] mV), the synaptic currents and the synapses' ``u`` and ``x`` at the
start of every slot.  Input spikes come from one ``SpikeGeneratorGroup`` holding every sample's
spikes (Brian2 2.9 cannot change its spikes through ``run_args``, issue brian-team/brian2#1578,
so a new data set writes new spike arrays into the cached build directory; the build key is the
model's structure, so only the changed data files are rewritten).

In an archive
-------------
:func:`liquid_variables` stores a drawn liquid (cell types, synapses with their parameters and
delays, input synapses, and the neuron constants it was simulated with), with units;
:func:`liquid_from_dataset` and :func:`neuron_constants` read it back, so a later step (the
hardware deployment) rebuilds the liquid from the archive alone.
"""
from __future__ import annotations

import dataclasses
import json
import math
import time
from dataclasses import dataclass, field

import numpy as np
from brian2 import Mohm, Network, SpikeGeneratorGroup, SpikeMonitor, defaultclock, mV, ms, nA, second

from ..backends import Simulation, model_key, use_backend
from ..models import connect, init_synapses, neuron_group
from ..models.neurons import LIF
from ..models.plasticity import TSODYKS_MARKRAM
from ..models.synapses import EXP_CURR
from ..recording import scalar, variable

__all__ = ["PAPER", "NEURON_UNITS", "Liquid", "LiquidRun", "make_liquid", "build_liquid", "simulate",
           "liquid_variables", "liquid_from_dataset", "neuron_constants"]

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

#: The neuron constants of :data:`PAPER` and the units they are written in as plain numbers.
NEURON_UNITS = {"tau_m": ms, "R_in": Mohm, "v_th": mV, "v_reset": mV, "I_b": nA, "t_ref_e": ms, "t_ref_i": ms,
                "tau_s_e": ms, "tau_s_i": ms}

#: Threshold gate of the time-multiplexed simulation: spiking is off in the gap after each sample.
_GATE = "t - slot_period*floor(t/slot_period + 1e-6) < active_period"


@dataclass
class Liquid:
    """A drawn liquid: positions, cell types, synapses (numpy, no Brian objects).

    Synapse arrays are along one synapse axis: ``pre``, ``post`` (liquid indices),
    ``A`` (nA), ``U`` (1), ``D`` and ``F`` (ms), ``delay`` (ms), ``syn_inhibitory``
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


def _grid(shape) -> np.ndarray:
    return np.stack(np.meshgrid(*[np.arange(s) for s in shape], indexing="ij"), -1).reshape(-1, 3).astype(float)


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
    rng : numpy Generator, int or None
        The draws (cell types, synapses, parameters).
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
    pos = _grid(shape)
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


def build_liquid(liquid: Liquid, gen_idx, gen_times, *, batch: int = 1, slot=None, active=None) -> dict:
    """The Brian2 objects of ``batch`` copies of ``liquid`` driven by one spike generator.

    ``gen_idx``/``gen_times`` (Quantity) are the generator's spikes (channel ``c`` of copy
    ``k`` is ``k*n_in + c``).  With ``slot`` and ``active`` (Quantities) the samples are
    time-multiplexed: spiking is on for the first ``active`` of every ``slot``, and the neurons'
    potentials (new random draws in [v_reset, v_th]), currents and the synapses' ``u``, ``x``
    are reset at the start of every slot.  Returns the named objects (``liquid``,
    ``liquid_exc_synapses``, ``liquid_inh_synapses``, ``liquid_input``, ``input_synapses``).
    """
    N, n_in, p = liquid.N, liquid.n_in, PAPER
    neuron = LIF.with_params(tau_m=p["tau_m"], R_m=p["R_in"], E_L=0 * mV, v_th=p["v_th"], v_reset=p["v_reset"],
                             t_ref=p["t_ref_e"])
    neuron = dataclasses.replace(neuron, method="exact")  # linear equations: exact integration, as the paper's
    if slot is not None:
        neuron = dataclasses.replace(neuron, threshold=f"({neuron.threshold}) and {_GATE}",
                                     params=dict(neuron.params, slot_period=slot, active_period=active))
    rec = {"e": EXP_CURR.receptor("e", tau=p["tau_s_e"]), "i": EXP_CURR.receptor("i", tau=p["tau_s_i"])}
    G = neuron_group(neuron, batch * N, receptors=list(rec.values()), variable_params=["t_ref"], name="liquid")
    G.t_ref = np.tile(np.where(liquid.inhibitory, float(p["t_ref_i"] / ms), float(p["t_ref_e"] / ms)), batch) * ms
    G.I = p["I_b"]
    G.v = "v_reset + rand()*(v_th - v_reset)"
    offs = (np.arange(batch) * N)[:, None]

    def tile(x):
        return np.tile(x, batch)

    objects = {"liquid": G}
    for kind, sel in (("exc", ~liquid.syn_inhibitory), ("inh", liquid.syn_inhibitory)):
        S = connect(G, G, rec[kind[0]], plasticity=TSODYKS_MARKRAM, w_scale=1 * nA,
                    variable_params=("U", "tau_d", "tau_f"), name=f"liquid_{kind}_synapses")
        S.connect(i=(liquid.pre[sel][None, :] + offs).ravel(), j=(liquid.post[sel][None, :] + offs).ravel())
        init_synapses(S)
        S.w = tile(liquid.A[sel])
        S.U = tile(liquid.U[sel])
        S.tau_d = tile(liquid.D[sel]) * ms
        S.tau_f = tile(liquid.F[sel]) * ms
        S.delay = tile(liquid.delay[sel]) * ms
        if slot is not None:
            S.run_regularly("u = 0\nx = 1", dt=slot, when="start", name=f"liquid_{kind}_reset")
        objects[S.name] = S
    if slot is not None:
        G.run_regularly("v = v_reset + rand()*(v_th - v_reset)\nI_e = 0*amp\nI_i = 0*amp",
                        dt=slot, when="start", name="liquid_reset")
    gen = SpikeGeneratorGroup(batch * n_in, gen_idx, gen_times, name="liquid_input")
    Sin = connect(gen, G, rec["e"], w_scale=1 * nA, name="input_synapses")
    Sin.connect(i=(liquid.in_pre[None, :] + (np.arange(batch) * n_in)[:, None]).ravel(),
                j=(liquid.in_post[None, :] + offs).ravel())
    Sin.w = tile(liquid.in_A)
    objects.update(liquid_input=gen, input_synapses=Sin)
    return objects


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


def _input_layout(liquid, inputs, batch, n_steps_sample, n_steps_slot, dur_ms, dt_ms):
    """Generator indices and steps of every sample's input spikes; sample s -> copy s % batch, slot s // batch."""
    idx_l, step_l = [], []
    n_dropped = 0
    for s, (ch, t) in enumerate(inputs):
        ch = np.asarray(ch, dtype=np.int64)
        t = np.asarray(t, dtype=float)
        if ch.shape != t.shape:
            raise ValueError(f"sample {s}: channels and times differ in shape ({ch.shape} vs {t.shape})")
        if len(ch) == 0:
            continue
        if ch.min() < 0 or ch.max() >= liquid.n_in:
            raise ValueError(f"sample {s}: input channel {int(ch.max())} out of range "
                             f"(liquid has {liquid.n_in} inputs)")
        if t.min() < 0 or t.max() >= dur_ms:
            raise ValueError(f"sample {s}: spike time {t.min():.3g}..{t.max():.3g} ms outside [0, {dur_ms}) ms")
        step = np.floor(t / dt_ms + 1e-9).astype(np.int64)
        key = np.unique(ch * n_steps_sample + step)
        n_dropped += len(ch) - len(key)
        c, k = s % batch, s // batch
        idx_l.append(key // n_steps_sample + c * liquid.n_in)
        step_l.append(key % n_steps_sample + k * n_steps_slot)
    gen_idx = np.concatenate(idx_l) if idx_l else np.zeros(0, np.int64)
    gen_step = np.concatenate(step_l) if step_l else np.zeros(0, np.int64)
    return gen_idx, gen_step, n_dropped


def simulate(liquid: Liquid, inputs, duration, *, dt=0.1 * ms, gap=5 * ms, backend="numpy",
             seed=0, batch=0, threads=1) -> LiquidRun:
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
    seed : int
        Brian2's seed (the initial potentials drawn in every slot).
    batch : int
        Parallel copies of the liquid (0: automatic, up to 64).
    """
    n_samples = len(inputs)
    if n_samples == 0:
        raise ValueError("simulate(): no samples")
    dur_ms, dt_ms, gap_ms = float(duration / ms), float(dt / ms), float(gap / ms)
    max_delay = float(liquid.delay.max()) if len(liquid.delay) else 0.0
    if gap_ms <= max_delay + dt_ms:
        raise ValueError(f"gap {gap_ms} ms must exceed the longest delay ({max_delay} ms) plus dt")
    batch, slots = _layout(n_samples, batch)
    n_steps_sample = int(round(dur_ms / dt_ms))
    n_steps_slot = int(round((dur_ms + gap_ms) / dt_ms))
    slot_ms = n_steps_slot * dt_ms
    N, n_in = liquid.N, liquid.n_in
    gen_idx, gen_step, n_dropped = _input_layout(liquid, inputs, batch, n_steps_sample, n_steps_slot, dur_ms, dt_ms)
    key = model_key("maass-liquid", liquid.key(), batch, slots, n_steps_sample, n_steps_slot, dt_ms,
                    len(gen_idx) > 0)
    t_start = time.perf_counter()
    with use_backend(backend, key=key, seed=seed, threads=threads) as be:
        defaultclock.dt = dt
        objects = build_liquid(liquid, gen_idx, gen_step * dt, batch=batch, slot=slot_ms * ms, active=dur_ms * ms)
        mon = SpikeMonitor(objects["liquid"], name="liquid_spikes")
        sim = Simulation(Network(*objects.values(), mon), slots * slot_ms * ms, be)
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


# ---------------------------------------------------------------------------------------------
# The liquid in an archive
# ---------------------------------------------------------------------------------------------

_SYNAPSE_VARS = (("A", "nA", "synaptic efficacy A (current jump before u*x)"), ("U", "1", "utilisation U"),
                 ("D", "ms", "depression time constant D"), ("F", "ms", "facilitation time constant F"),
                 ("delay", "ms", "transmission delay"))


def liquid_variables(liquid: Liquid, prefix: str = "liquid") -> dict:
    """Archive variables that define ``liquid`` (and the neuron constants of :data:`PAPER`).

    ``{prefix}_inhibitory`` along ``{prefix}_neuron`` (grid ``shape``, ``n_in`` and the draw's
    ``config`` in its attrs); ``{prefix}_pre``, ``_post``, ``_A``, ``_U``, ``_D``, ``_F``,
    ``_delay`` along ``{prefix}_synapse``; ``{prefix}_in_pre``, ``_in_post``, ``_in_A`` along
    ``{prefix}_input_synapse``; ``{prefix}_param_NAME`` scalars for :data:`NEURON_UNITS`.
    """
    syn, ins, neu = f"{prefix}_synapse", f"{prefix}_input_synapse", f"{prefix}_neuron"
    out = {f"{prefix}_inhibitory": variable(liquid.inhibitory.astype(np.int8), neu, "1",
                                            "inhibitory neuron (1) or excitatory (0)", shape=list(liquid.shape),
                                            n_in=int(liquid.n_in), config=json.dumps(liquid.config)),
           f"{prefix}_pre": variable(liquid.pre.astype(np.int32), syn, "1", "presynaptic liquid neuron"),
           f"{prefix}_post": variable(liquid.post.astype(np.int32), syn, "1", "postsynaptic liquid neuron")}
    for name, unit, long_name in _SYNAPSE_VARS:
        out[f"{prefix}_{name}"] = variable(getattr(liquid, name), syn, unit, long_name)
    out[f"{prefix}_in_pre"] = variable(liquid.in_pre.astype(np.int32), ins, "1", "input channel of the input synapse")
    out[f"{prefix}_in_post"] = variable(liquid.in_post.astype(np.int32), ins, "1", "liquid neuron it drives")
    out[f"{prefix}_in_A"] = variable(liquid.in_A, ins, "nA", "input synapse current jump")
    for name, unit in NEURON_UNITS.items():
        out[f"{prefix}_param_{name}"] = scalar(float(PAPER[name] / unit), str(unit), f"liquid neuron constant {name}")
    return out


def liquid_from_dataset(ds, prefix: str = "liquid") -> Liquid:
    """The :class:`Liquid` stored by :func:`liquid_variables` (units checked)."""
    need = [f"{prefix}_{k}" for k in ("inhibitory", "pre", "post", "A", "U", "D", "F", "delay", "in_pre",
                                      "in_post", "in_A")]
    missing = [k for k in need if k not in ds]
    if missing:
        raise ValueError(f"the archive holds no liquid (missing {missing}); it needs the variables written by "
                         "workbench.networks.liquid.liquid_variables (biosignal runs with model=lsm)")

    def get(name, unit):
        da = ds[f"{prefix}_{name}"]
        if da.attrs.get("units") != unit:
            raise ValueError(f"archive variable {prefix}_{name} is in {da.attrs.get('units')!r}, expected {unit!r}")
        return np.asarray(da.values)

    inh_da = ds[f"{prefix}_inhibitory"]
    shape = tuple(int(s) for s in np.atleast_1d(inh_da.attrs["shape"]))
    inh = get("inhibitory", "1").astype(bool)
    pre, post = get("pre", "1").astype(np.int32), get("post", "1").astype(np.int32)
    syn = {name: get(name, unit).astype(float) for name, unit, _ in _SYNAPSE_VARS}
    return Liquid(shape=shape, pos=_grid(shape), inhibitory=inh, pre=pre, post=post, syn_inhibitory=inh[pre],
                  n_in=int(inh_da.attrs["n_in"]), in_pre=get("in_pre", "1").astype(np.int32),
                  in_post=get("in_post", "1").astype(np.int32), in_A=get("in_A", "nA").astype(float),
                  config=json.loads(inh_da.attrs.get("config", "{}")), **syn)


def neuron_constants(ds=None, prefix: str = "liquid") -> dict:
    """The liquid's neuron constants as plain numbers in the units of :data:`NEURON_UNITS` (ms, MOhm,
    mV, nA): from :data:`PAPER`, or from an archive written with :func:`liquid_variables`."""
    if ds is None:
        return {name: float(PAPER[name] / unit) for name, unit in NEURON_UNITS.items()}
    out = {}
    for name, unit in NEURON_UNITS.items():
        key = f"{prefix}_param_{name}"
        if key not in ds:
            raise ValueError(f"the archive has no {key}: it holds no liquid written by "
                             "workbench.networks.liquid.liquid_variables")
        if ds[key].attrs.get("units") != str(unit):
            raise ValueError(f"archive variable {key} is in {ds[key].attrs.get('units')!r}, expected {unit!s}")
        out[name] = float(ds[key].values)
    return out
